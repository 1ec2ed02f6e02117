/*
 * scanin.c — see scanin.h.  RFC 1035 §2.3.1 (preferred name syntax, as RFC 5321 §4.1.2 uses it
 * for domains), RFC 5890/5891 (IDNA2008 A-labels and U-labels) with UTS #46 mapping, as browsers
 * and mail clients apply it before a name reaches DNS.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "sched/scanin.h"

static const char *const scanin_kind_names[SCANIN_LAST] = {
	[SCANIN_DOMAIN] = "domain",
	[SCANIN_SKIP] = "skip",
	[SCANIN_ERROR] = "error",
};

const char *
scanin_kind_name(enum scanin_kind k)
{
	return (unsigned)k < SCANIN_LAST ? scanin_kind_names[k] : "?";
}

void
scanin_init(struct scanin *st, enum scanin_format fmt, int domain_col, int rank_col)
{
	memset(st, 0, sizeof(*st));
	st->format = fmt;
	st->sep = ',';
	st->domain_col = domain_col;
	st->rank_col = rank_col;
}

void
scanin_quote(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0, max = outlen > 4 ? outlen - 4 : 0;

	for (i = 0; i < len && o < max; i++) {
		unsigned char c = (unsigned char)s[i];

		out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < len && outlen >= 4) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	if (outlen)
		out[o < outlen ? o : outlen - 1] = '\0';
}

static int
scanin_fail(char *err, size_t errlen, const char *why, const char *s, size_t len)
{
	char q[64];

	scanin_quote(s, len, q, sizeof(q));
	snprintf(err, errlen, "'%s' %s", q, why);
	return -1;
}

static int
scanin_is_num(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Letters, digits and hyphens, 1-63 octets, no hyphen at either end (RFC 1035 §2.3.1). */
static const char *
scanin_label_bad(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return "has an empty label";
	if (len > 63)
		return "has a label longer than 63 octets";
	if (s[0] == '-' || s[len - 1] == '-')
		return "has a label starting or ending with '-'";
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '_')
			return "contains '_', which no mail domain has";
		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-')
			return "contains a character not allowed in a domain name";
	}
	return NULL;
}

/* The LDH name in out (lower case already): every label, the length, two labels at least. */
static int
scanin_ldh(const char *name, char *err, size_t errlen)
{
	const char *p = name, *dot, *why;
	size_t n = strlen(name), labels = 0, last = 0;

	if (n == 0)
		return scanin_fail(err, errlen, "is empty", name, n);
	if (n > SCANIN_NAME_MAX)
		return scanin_fail(err, errlen, "is longer than 253 octets", name, n);
	for (;;) {
		dot = strchr(p, '.');
		last = dot ? (size_t)(dot - p) : strlen(p);
		if ((why = scanin_label_bad(p, last)) != NULL)
			return scanin_fail(err, errlen, why, name, n);
		labels++;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	if (labels < 2)
		return scanin_fail(err, errlen, "has one label only; a mail domain has at least two",
		    name, n);
	if (scanin_is_num(p, last))
		return scanin_fail(err, errlen, "looks like an address, not a domain", name, n);
	return 0;
}

int
scanin_domain(const char *s, size_t len, char *out, size_t outlen, int *idn, char *err,
    size_t errlen)
{
	char buf[SCANIN_LINE_MAX + 1];
	char *ascii = NULL;
	size_t i;
	int high = 0, rc;

	*idn = 0;
	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (len > 0 && s[len - 1] == '.')
		len--;	/* the root: "example.org." is "example.org" */
	if (len == 0)
		return scanin_fail(err, errlen, "is empty", s, len);
	if (len > SCANIN_LINE_MAX)
		return scanin_fail(err, errlen, "is far too long for a domain name", s, len);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0')
			return scanin_fail(err, errlen, "contains a NUL byte", s, len);
		if (c < 0x20 || c == 0x7f)
			return scanin_fail(err, errlen, "contains a control character", s, len);
		if (c >= 0x80)
			high = 1;
	}
	/* the usual mistakes, named */
	if (memchr(s, '/', len) != NULL)
		return scanin_fail(err, errlen, memchr(s, ':', len) ? "is a URL, not a domain" :
		    "contains '/'", s, len);
	if (memchr(s, '@', len) != NULL)
		return scanin_fail(err, errlen, "is an e-mail address, not a domain", s, len);
	if (memchr(s, ' ', len) != NULL || memchr(s, '\t', len) != NULL)
		return scanin_fail(err, errlen, "contains a space", s, len);
	if (memchr(s, ':', len) != NULL || (len > 1 && s[0] == '['))
		return scanin_fail(err, errlen, "looks like an address, not a domain", s, len);
	if (memchr(s, '*', len) != NULL)
		return scanin_fail(err, errlen, "is a wildcard, not a domain", s, len);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (high) {
		/*
		 * U-labels: NFC, UTS #46 mapping (case folding, full-width dots), IDNA2008 rules;
		 * non-transitional, as current browsers and libidn2's default do.
		 */
		rc = idn2_to_ascii_8z(buf, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
		if (rc != IDN2_OK) {
			char why[SCANIN_ERR_MAX];

			snprintf(why, sizeof(why), "is not a valid internationalized name (%s)",
			    idn2_strerror(rc));
			return scanin_fail(err, errlen, why, s, len);
		}
		if (strlen(ascii) >= outlen || strlen(ascii) > SCANIN_NAME_MAX) {
			idn2_free(ascii);
			return scanin_fail(err, errlen, "is longer than 253 octets as A-labels", s,
			    len);
		}
		memcpy(out, ascii, strlen(ascii) + 1);
		idn2_free(ascii);
		*idn = 1;
	} else {
		if (len >= outlen)
			return scanin_fail(err, errlen, "is longer than 253 octets", s, len);
		memcpy(out, buf, len + 1);
	}
	for (i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	if (scanin_ldh(out, err, errlen) < 0) {
		if (*idn) {	/* name the input, not the converted form */
			char why[SCANIN_ERR_MAX];
			const char *q = strchr(err, '\'');

			q = q ? strchr(q + 1, '\'') : NULL;
			snprintf(why, sizeof(why), "%s", q ? q + 2 : "is not a domain name");
			scanin_fail(err, errlen, why, s, len);
		}
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* Fields of one CSV line: offsets into the line, quotes stripped (RFC 4180, lightly). */
struct scanin_field {
	const char	*p;
	size_t		 len;
};

static size_t
scanin_split(const char *s, size_t len, char sep, struct scanin_field *f, size_t max)
{
	size_t n = 0, i = 0, start;

	while (n < max) {
		start = i;
		while (i < len && s[i] != sep)
			i++;
		f[n].p = s + start;
		f[n].len = i - start;
		/* trim blanks and one pair of double quotes */
		while (f[n].len && (f[n].p[0] == ' ' || f[n].p[0] == '\t')) {
			f[n].p++;
			f[n].len--;
		}
		while (f[n].len && (f[n].p[f[n].len - 1] == ' ' || f[n].p[f[n].len - 1] == '\t'))
			f[n].len--;
		if (f[n].len >= 2 && f[n].p[0] == '"' && f[n].p[f[n].len - 1] == '"') {
			f[n].p++;
			f[n].len -= 2;
		}
		n++;
		if (i >= len)
			break;
		i++;	/* the separator */
	}
	return n;
}

static int
scanin_field_is(const struct scanin_field *f, const char *const *names)
{
	for (; *names; names++)
		if (strlen(*names) == f->len && strncasecmp(f->p, *names, f->len) == 0)
			return 1;
	return 0;
}

static const char *const scanin_domain_heads[] = {
	"domain", "domains", "domain_name", "domainname", "host", "hostname", "name", "site",
	"root_domain", NULL
};
static const char *const scanin_rank_heads[] = {
	"rank", "globalrank", "global_rank", "position", "#", NULL
};

/*
 * The first CSV line: a header when no field is a domain (Majestic's "GlobalRank,TldRank,
 * Domain,..."), else data (Tranco's "1,google.com"), whose first domain-like field is the domain
 * and first whole number the rank.  Columns given on the command line win.
 */
static int
scanin_csv_decide(struct scanin *st, const struct scanin_field *f, size_t n)
{
	char tmp[SCANIN_NAME_MAX + 1], e[SCANIN_ERR_MAX];
	size_t i;
	int idn, dom = -1, rank = -1, header;

	for (i = 0; i < n && dom < 0; i++)
		if (f[i].len && scanin_domain(f[i].p, f[i].len, tmp, sizeof(tmp), &idn, e,
		    sizeof(e)) == 0)
			dom = (int)i;
	header = dom < 0;
	for (i = 0; i < n; i++) {
		if (header && dom < 0 && scanin_field_is(&f[i], scanin_domain_heads))
			dom = (int)i;
		else if (rank < 0 && (int)i != dom && (header ?
		    scanin_field_is(&f[i], scanin_rank_heads) : scanin_is_num(f[i].p, f[i].len)))
			rank = (int)i;
	}
	if (st->domain_col < 0)
		st->domain_col = dom;
	if (st->rank_col == -1)
		st->rank_col = rank;
	st->decided = 1;
	return header;
}

enum scanin_kind
scanin_parse(struct scanin *st, const char *line, size_t len, struct scanin_line *out)
{
	struct scanin_field f[SCANIN_COLS_MAX];
	const char *p = line;
	size_t n, i;

	memset(out, 0, sizeof(*out));
	out->rank = -1;
	out->kind = SCANIN_ERROR;
	if (len > SCANIN_LINE_MAX) {
		snprintf(out->error, sizeof(out->error), "line longer than %d bytes",
		    SCANIN_LINE_MAX);
		return out->kind;
	}
	/* a byte-order mark, line ends, blanks */
	if (len >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
	    (unsigned char)p[2] == 0xbf) {
		p += 3;
		len -= 3;
	}
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' ' ||
	    p[len - 1] == '\t'))
		len--;
	while (len && (p[0] == ' ' || p[0] == '\t')) {
		p++;
		len--;
	}
	if (len == 0 || p[0] == '#')
		return out->kind = SCANIN_SKIP;
	if (st->format == SCANIN_AUTO) {
		if (memchr(p, ',', len))
			st->format = SCANIN_CSV, st->sep = ',';
		else if (memchr(p, '\t', len))
			st->format = SCANIN_CSV, st->sep = '\t';
		else if (memchr(p, ';', len))
			st->format = SCANIN_CSV, st->sep = ';';
		else
			st->format = SCANIN_PLAIN;
	}
	if (st->format == SCANIN_PLAIN) {
		const char *hash = memchr(p, '#', len);

		if (hash != NULL) {	/* "example.org   # a note" */
			len = (size_t)(hash - p);
			while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
				len--;
		}
		st->decided = 1;
		if (scanin_domain(p, len, out->domain, sizeof(out->domain), &out->idn, out->error,
		    sizeof(out->error)) < 0)
			return out->kind;
		return out->kind = SCANIN_DOMAIN;
	}
	n = scanin_split(p, len, st->sep, f, SCANIN_COLS_MAX);
	if (!st->decided || st->domain_col < 0) {
		int first = !st->decided;

		if (first && scanin_csv_decide(st, f, n)) {
			if (st->domain_col < 0)
				snprintf(out->error, sizeof(out->error), "CSV header names no domain "
				    "column (domain, host, name, ...): give --domain-column");
			else
				return out->kind = SCANIN_SKIP;
			return out->kind;
		}
		if (st->domain_col < 0) {
			snprintf(out->error, sizeof(out->error), "no CSV column holds a domain");
			return out->kind;
		}
	}
	if ((size_t)st->domain_col >= n) {
		snprintf(out->error, sizeof(out->error), "%zu CSV fields, the domain is field %d", n,
		    st->domain_col + 1);
		return out->kind;
	}
	i = (size_t)st->domain_col;
	if (scanin_domain(f[i].p, f[i].len, out->domain, sizeof(out->domain), &out->idn,
	    out->error, sizeof(out->error)) < 0)
		return out->kind;
	if (st->rank_col >= 0) {
		char num[24];

		i = (size_t)st->rank_col;
		if (i >= n || !scanin_is_num(f[i].p, f[i].len) || f[i].len >= sizeof(num)) {
			char q[40];

			scanin_quote(i < n ? f[i].p : "", i < n ? f[i].len : 0, q, sizeof(q));
			snprintf(out->error, sizeof(out->error), "rank '%s' is not a whole number", q);
			out->domain[0] = '\0';
			return out->kind;
		}
		memcpy(num, f[i].p, f[i].len);
		num[f[i].len] = '\0';
		out->rank = strtol(num, NULL, 10);
	}
	return out->kind = SCANIN_DOMAIN;
}
