/*
 * mtasts.c — MTA-STS, RFC 8461.
 *
 *   §3.1  the TXT record at _mta-sts.<domain>: "v=STSv1; id=…" plus extension fields
 *   §3.2  the policy body at https://mta-sts.<domain>/.well-known/mta-sts.txt
 *   §3.3  its Content-Type, text/plain
 *   §4.1  MX host pattern matching
 *
 * Strictness choices are in docs/internals/dns-parsers.md.  Every byte is read through explicit
 * bounds (the inputs need not be NUL-terminated), and every character class is ASCII, never the
 * C locale's.
 */
#include <string.h>

#include "dns/mtasts.h"
#include "dns/txtrec.h"
#include "util/arena.h"

#define MTASTS_VERSION		"v=STSv1"
#define MTASTS_VERSION_LEN	(sizeof(MTASTS_VERSION) - 1)
#define MTASTS_EXT_NAME_MAX	32	/* (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
#define MTASTS_MAX_AGE_DIGITS	10	/* 1*10DIGIT */
#define MTASTS_DOMAIN_MAX	253
#define MTASTS_LABEL_MAX	63
#define MTASTS_MX_FIRST		8	/* mx slots allocated at first; doubled as needed */

/* Policy fields seen so far, for "first one wins". */
#define SEEN_VERSION	0x1
#define SEEN_MODE	0x2
#define SEEN_MAX_AGE	0x4

static const char *const mtasts_status_names[MTASTS_STATUS_LAST] = {
	[MTASTS_OK] = "ok",
	[MTASTS_ERR_NO_RECORD] = "no-record",
	[MTASTS_ERR_MULTIPLE_RECORDS] = "multiple-records",
	[MTASTS_ERR_VERSION] = "record-version",
	[MTASTS_ERR_SYNTAX] = "record-syntax",
	[MTASTS_ERR_ID_MISSING] = "id-missing",
	[MTASTS_ERR_ID_BAD] = "id-invalid",
	[MTASTS_ERR_EXT_BAD] = "extension-invalid",
	[MTASTS_ERR_TOO_BIG] = "policy-too-big",
	[MTASTS_ERR_LINE_SYNTAX] = "policy-line-syntax",
	[MTASTS_ERR_VERSION_MISSING] = "policy-version-missing",
	[MTASTS_ERR_VERSION_BAD] = "policy-version-invalid",
	[MTASTS_ERR_MODE_MISSING] = "mode-missing",
	[MTASTS_ERR_MODE_BAD] = "mode-invalid",
	[MTASTS_ERR_MAX_AGE_MISSING] = "max-age-missing",
	[MTASTS_ERR_MAX_AGE_BAD] = "max-age-invalid",
	[MTASTS_ERR_MAX_AGE_RANGE] = "max-age-too-large",
	[MTASTS_ERR_MX_MISSING] = "mx-missing",
	[MTASTS_ERR_MX_BAD] = "mx-invalid",
};

static const char *const mtasts_mode_names[MTASTS_MODE_LAST] = {
	[MTASTS_MODE_UNSET] = "unset",
	[MTASTS_MODE_ENFORCE] = "enforce",
	[MTASTS_MODE_TESTING] = "testing",
	[MTASTS_MODE_NONE] = "none",
};

const char *
mtasts_status_name(enum mtasts_status st)
{
	if ((size_t)st >= MTASTS_STATUS_LAST)
		return "unknown";
	return mtasts_status_names[st];
}

const char *
mtasts_mode_name(enum mtasts_mode m)
{
	if ((size_t)m >= MTASTS_MODE_LAST)
		return "unknown";
	return mtasts_mode_names[m];
}

const char *
mtasts_flag_name(unsigned int bit)
{
	switch (bit) {
	case MTASTS_F_DUP_FIELD:
		return "duplicate-field";
	case MTASTS_F_UNKNOWN_KEY:
		return "unknown-field";
	case MTASTS_F_LF_ONLY:
		return "lf-line-ending";
	case MTASTS_F_BLANK_LINE:
		return "blank-line";
	case MTASTS_F_NO_FINAL_EOL:
		return "no-final-newline";
	default:
		return "unknown";
	}
}

static unsigned char
mtasts_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int
mtasts_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static int
mtasts_ieq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mtasts_lower((unsigned char)a[i]) != mtasts_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static enum mtasts_status
mtasts_record_fail(struct mtasts_record *r, enum mtasts_status st, size_t off)
{
	r->status = st;
	r->err_off = off;
	return st;
}

/*
 * sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
 * sts-field-delim = *WSP ";" *WSP
 * sts-field       = sts-id / sts-extension
 */
enum mtasts_status
mtasts_record_parse(const char *txt, size_t len, struct mtasts_record *r)
{
	size_t i, j, ns, vs, vlen, k;
	int have_id = 0;

	memset(r, 0, sizeof(*r));
	if (txt == NULL)
		len = 0;
	if (!txtrec_has_version(txt, len, MTASTS_VERSION))
		return mtasts_record_fail(r, MTASTS_ERR_VERSION, 0);
	i = MTASTS_VERSION_LEN;
	for (;;) {
		/* Between fields: *WSP ";" *WSP, or the end. */
		for (j = i; j < len && txtrec_wsp((unsigned char)txt[j]); j++)
			;
		if (j == len) {
			if (j != i)	/* WSP after the last field needs a ";" first */
				return mtasts_record_fail(r, MTASTS_ERR_SYNTAX, i);
			break;
		}
		if (txt[j] != ';')
			return mtasts_record_fail(r, MTASTS_ERR_SYNTAX, j);
		for (i = j + 1; i < len && txtrec_wsp((unsigned char)txt[i]); i++)
			;
		if (i == len)
			break;		/* trailing delimiter */

		/* name "=" value */
		ns = i;
		while (i < len && txtrec_name_char((unsigned char)txt[i]))
			i++;
		if (i == ns || i == len || txt[i] != '=')
			return mtasts_record_fail(r, MTASTS_ERR_SYNTAX, i);
		if (!txtrec_alnum((unsigned char)txt[ns]) || i - ns > MTASTS_EXT_NAME_MAX)
			return mtasts_record_fail(r, MTASTS_ERR_EXT_BAD, ns);
		vs = ++i;
		while (i < len && txtrec_ext_value_char((unsigned char)txt[i]))
			i++;
		vlen = i - vs;

		if (mtasts_eq(txt + ns, vs - 1 - ns, "id")) {
			if (vlen == 0 || vlen > MTASTS_ID_MAX)
				return mtasts_record_fail(r, MTASTS_ERR_ID_BAD, vs);
			for (k = vs; k < i; k++)
				if (!txtrec_alnum((unsigned char)txt[k]))
					return mtasts_record_fail(r, MTASTS_ERR_ID_BAD, k);
			if (have_id) {
				r->flags |= MTASTS_F_DUP_FIELD;
				continue;
			}
			memcpy(r->id, txt + vs, vlen);
			r->id[vlen] = '\0';
			have_id = 1;
		} else if (mtasts_eq(txt + ns, vs - 1 - ns, "v")) {
			if (vlen == 0)
				return mtasts_record_fail(r, MTASTS_ERR_EXT_BAD, vs);
			r->flags |= MTASTS_F_DUP_FIELD;
		} else {
			if (vlen == 0)
				return mtasts_record_fail(r, MTASTS_ERR_EXT_BAD, vs);
			r->flags |= MTASTS_F_UNKNOWN_KEY;
			r->next++;
		}
	}
	if (!have_id)
		return mtasts_record_fail(r, MTASTS_ERR_ID_MISSING, len);
	r->status = MTASTS_OK;
	return MTASTS_OK;
}

enum mtasts_status
mtasts_record_select(const char *const *txt, const size_t *lens, size_t n, size_t *idx)
{
	size_t found = txtrec_select(txt, lens, n, MTASTS_VERSION, idx);

	if (found == 0)
		return MTASTS_ERR_NO_RECORD;
	if (found > 1)
		return MTASTS_ERR_MULTIPLE_RECORDS;
	return MTASTS_OK;
}

/*
 * Domain (RFC 5321 §4.1.2): sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str].
 * No trailing dot, labels of 1..63, at most 253 octets.
 */
static int
mtasts_domain_ok(const char *s, size_t n)
{
	size_t i, ls = 0;

	if (n == 0 || n > MTASTS_DOMAIN_MAX)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!txtrec_alnum((unsigned char)s[i]) && s[i] != '-')
				return 0;
			continue;
		}
		if (i == ls || i - ls > MTASTS_LABEL_MAX)
			return 0;
		if (s[ls] == '-' || s[i - 1] == '-')
			return 0;
		ls = i + 1;
	}
	return 1;
}

/* sts-policy-mx-value = ["*."] Domain */
static int
mtasts_pattern_ok(const char *s, size_t n)
{
	if (n >= 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		n -= 2;
	}
	return mtasts_domain_ok(s, n);
}

/* sts-policy-max-age-value = 1*10(DIGIT) */
static enum mtasts_status
mtasts_max_age(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > MTASTS_MAX_AGE_DIGITS)
		return MTASTS_ERR_MAX_AGE_BAD;
	for (i = 0; i < n; i++) {
		if (!txtrec_digit((unsigned char)s[i]))
			return MTASTS_ERR_MAX_AGE_BAD;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return v > MTASTS_MAX_AGE_MAX ? MTASTS_ERR_MAX_AGE_RANGE : MTASTS_OK;
}

static enum mtasts_status
mtasts_policy_fail(struct mtasts_policy *p, enum mtasts_status st, size_t line)
{
	p->status = st;
	p->err_line = line;
	return st;
}

/*
 * One "key: value" line (terminator already removed).  Keys are case-sensitive (%s in the
 * ABNF); a repeated version/mode/max_age keeps the first and only sets MTASTS_F_DUP_FIELD.
 */
static enum mtasts_status
mtasts_policy_line(const char *s, size_t n, struct arena *a, struct mtasts_policy *p,
    unsigned int *seen)
{
	size_t k, v, ve, i;
	enum mtasts_status st;
	unsigned char c;

	for (k = 0; k < n && txtrec_name_char((unsigned char)s[k]); k++)
		;
	if (k == 0 || k == n || s[k] != ':' || !txtrec_alnum((unsigned char)s[0]) ||
	    k > MTASTS_EXT_NAME_MAX)
		return MTASTS_ERR_LINE_SYNTAX;
	for (v = k + 1; v < n && txtrec_wsp((unsigned char)s[v]); v++)
		;
	for (ve = n; ve > v && txtrec_wsp((unsigned char)s[ve - 1]); ve--)
		;
	/* sts-policy-vchar is %x21-7E or UTF-8; SP inside.  Any other control is an error. */
	for (i = v; i < ve; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\t')
			return MTASTS_ERR_LINE_SYNTAX;
	}

	if (mtasts_eq(s, k, "version")) {
		if (*seen & SEEN_VERSION) {
			p->flags |= MTASTS_F_DUP_FIELD;
			return MTASTS_OK;
		}
		*seen |= SEEN_VERSION;
		return mtasts_eq(s + v, ve - v, "STSv1") ? MTASTS_OK : MTASTS_ERR_VERSION_BAD;
	}
	if (mtasts_eq(s, k, "mode")) {
		if (*seen & SEEN_MODE) {
			p->flags |= MTASTS_F_DUP_FIELD;
			return MTASTS_OK;
		}
		*seen |= SEEN_MODE;
		if (mtasts_eq(s + v, ve - v, "enforce"))
			p->mode = MTASTS_MODE_ENFORCE;
		else if (mtasts_eq(s + v, ve - v, "testing"))
			p->mode = MTASTS_MODE_TESTING;
		else if (mtasts_eq(s + v, ve - v, "none"))
			p->mode = MTASTS_MODE_NONE;
		else
			return MTASTS_ERR_MODE_BAD;
		return MTASTS_OK;
	}
	if (mtasts_eq(s, k, "max_age")) {
		if (*seen & SEEN_MAX_AGE) {
			p->flags |= MTASTS_F_DUP_FIELD;
			return MTASTS_OK;
		}
		*seen |= SEEN_MAX_AGE;
		st = mtasts_max_age(s + v, ve - v, &p->max_age);
		if (st != MTASTS_ERR_MAX_AGE_BAD)
			p->max_age_set = 1;
		return st;
	}
	if (mtasts_eq(s, k, "mx")) {
		if (!mtasts_pattern_ok(s + v, ve - v))
			return MTASTS_ERR_MX_BAD;
		/* a power of two full: double (the old slots stay in the arena, at most as many again) */
		if (p->nmx == 0 || (p->nmx >= MTASTS_MX_FIRST && (p->nmx & (p->nmx - 1)) == 0)) {
			const char **mx = arena_alloc(a, (p->nmx ? 2 * p->nmx : MTASTS_MX_FIRST) *
			    sizeof(*mx));

			if (p->nmx)
				memcpy(mx, p->mx, p->nmx * sizeof(*mx));
			p->mx = mx;
		}
		p->mx[p->nmx++] = arena_strndup(a, s + v, ve - v);
		return MTASTS_OK;
	}
	/* sts-policy-extension: the value needs at least one character. */
	if (ve == v)
		return MTASTS_ERR_LINE_SYNTAX;
	p->flags |= MTASTS_F_UNKNOWN_KEY;
	return MTASTS_OK;
}

/*
 * sts-policy-record = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP)
 *                     [sts-policy-term]
 * sts-policy-term   = LF / CRLF
 * The fields may come in any order.
 */
enum mtasts_status
mtasts_policy_parse(const char *body, size_t len, struct arena *a, struct mtasts_policy *p)
{
	const char *nl;
	size_t pos = 0, end, next, line = 0;
	unsigned int seen = 0;
	enum mtasts_status st;

	memset(p, 0, sizeof(*p));
	if (body == NULL)
		len = 0;
	if (len > MTASTS_POLICY_MAX)
		return mtasts_policy_fail(p, MTASTS_ERR_TOO_BIG, 0);
	while (pos < len) {
		line++;
		nl = memchr(body + pos, '\n', len - pos);
		if (nl == NULL) {
			end = next = len;
			p->flags |= MTASTS_F_NO_FINAL_EOL;
		} else {
			end = (size_t)(nl - body);
			next = end + 1;
			if (end > pos && body[end - 1] == '\r')
				end--;
			else
				p->flags |= MTASTS_F_LF_ONLY;
		}
		if (end == pos) {
			p->flags |= MTASTS_F_BLANK_LINE;
			pos = next;
			continue;
		}
		st = mtasts_policy_line(body + pos, end - pos, a, p, &seen);
		if (st != MTASTS_OK)
			return mtasts_policy_fail(p, st, line);
		pos = next;
	}
	if (!(seen & SEEN_VERSION))
		return mtasts_policy_fail(p, MTASTS_ERR_VERSION_MISSING, 0);
	if (p->mode == MTASTS_MODE_UNSET)
		return mtasts_policy_fail(p, MTASTS_ERR_MODE_MISSING, 0);
	if (!p->max_age_set)
		return mtasts_policy_fail(p, MTASTS_ERR_MAX_AGE_MISSING, 0);
	if (p->nmx == 0 && p->mode != MTASTS_MODE_NONE)
		return mtasts_policy_fail(p, MTASTS_ERR_MX_MISSING, 0);
	p->status = MTASTS_OK;
	return MTASTS_OK;
}

/*
 * §4.1: case-insensitive; "*." stands for exactly one left-most label.  A trailing root dot on
 * either side is ignored ("mx.example.com." from DNS matches "mx.example.com").
 */
int
mtasts_mx_match(const char *pattern, const char *host)
{
	const char *dot;
	size_t pl, hl;

	if (pattern == NULL || host == NULL)
		return 0;
	pl = strlen(pattern);
	hl = strlen(host);
	if (pl > 0 && pattern[pl - 1] == '.')
		pl--;
	if (hl > 0 && host[hl - 1] == '.')
		hl--;
	if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		pattern += 2;
		pl -= 2;
		dot = memchr(host, '.', hl);
		if (dot == NULL || dot == host)
			return 0;
		hl -= (size_t)(dot + 1 - host);
		host = dot + 1;
	}
	if (pl == 0 || pl != hl || pattern[0] == '.')
		return 0;
	return mtasts_ieq(pattern, host, pl);
}

const char *
mtasts_policy_matches(const struct mtasts_policy *p, const char *host)
{
	size_t i;

	for (i = 0; i < p->nmx; i++)
		if (mtasts_mx_match(p->mx[i], host))
			return p->mx[i];
	return NULL;
}

/* §3.3: media type text/plain; parameters (charset=…) are allowed.  OWS around the type. */
int
mtasts_content_type_ok(const char *ct)
{
	static const char want[] = "text/plain";
	size_t n = sizeof(want) - 1;

	if (ct == NULL)
		return 0;
	while (txtrec_wsp((unsigned char)*ct))
		ct++;
	if (strlen(ct) < n || !mtasts_ieq(ct, want, n))
		return 0;
	ct += n;
	while (txtrec_wsp((unsigned char)*ct))
		ct++;
	return *ct == '\0' || *ct == ';';
}
