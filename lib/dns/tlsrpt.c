/*
 * tlsrpt.c — the TLS-RPT policy record, RFC 8460 §3.
 *
 *   tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
 *   field-delim      = *WSP ";" *WSP
 *   tlsrpt-field     = tlsrpt-rua / tlsrpt-extension
 *   tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *   tlsrpt-uri       = URI (RFC 3986) with "," "!" ";" percent-encoded
 *   tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value   (same classes as RFC 8461 §3.1)
 *
 * Only mailto: and https: URIs are defined.  Any other URI that is still RFC 3986 syntax is skipped
 * (TLSRPT_F_URI_SKIPPED): the ABNF admits it, and a sender uses the destinations it supports;
 * the record is invalid only when none is usable.  Strictness choices are in
 * docs/internals/dns-parsers.md and docs/internals/rfc-audit.md.
 */
#include <string.h>

#include "dns/tlsrpt.h"
#include "dns/txtrec.h"
#include "util/arena.h"

#define TLSRPT_VERSION		"v=TLSRPTv1"
#define TLSRPT_VERSION_LEN	(sizeof(TLSRPT_VERSION) - 1)
#define TLSRPT_EXT_NAME_MAX	32

static const char *const tlsrpt_status_names[TLSRPT_STATUS_LAST] = {
	[TLSRPT_OK] = "ok",
	[TLSRPT_ERR_NO_RECORD] = "no-record",
	[TLSRPT_ERR_MULTIPLE_RECORDS] = "multiple-records",
	[TLSRPT_ERR_VERSION] = "record-version",
	[TLSRPT_ERR_SYNTAX] = "record-syntax",
	[TLSRPT_ERR_RUA_MISSING] = "rua-missing",
	[TLSRPT_ERR_URI_EMPTY] = "uri-empty",
	[TLSRPT_ERR_URI_BAD] = "uri-invalid",
	[TLSRPT_ERR_URI_SCHEME] = "uri-scheme-unsupported",
	[TLSRPT_ERR_URI_TOO_LONG] = "uri-too-long",
	[TLSRPT_ERR_EXT_BAD] = "extension-invalid",
};

static const char *const tlsrpt_scheme_names[TLSRPT_SCHEME_LAST] = {
	[TLSRPT_SCHEME_MAILTO] = "mailto",
	[TLSRPT_SCHEME_HTTPS] = "https",
};

const char *
tlsrpt_status_name(enum tlsrpt_status st)
{
	if ((size_t)st >= TLSRPT_STATUS_LAST)
		return "unknown";
	return tlsrpt_status_names[st];
}

const char *
tlsrpt_scheme_name(enum tlsrpt_scheme s)
{
	if ((size_t)s >= TLSRPT_SCHEME_LAST)
		return "unknown";
	return tlsrpt_scheme_names[s];
}

const char *
tlsrpt_flag_name(unsigned int bit)
{
	switch (bit) {
	case TLSRPT_F_DUP_FIELD:
		return "duplicate-field";
	case TLSRPT_F_UNKNOWN_KEY:
		return "unknown-field";
	case TLSRPT_F_URI_SKIPPED:
		return "uri-skipped";
	case TLSRPT_F_RUA_TRUNCATED:
		return "rua-truncated";
	default:
		return "unknown";
	}
}

static int
tlsrpt_hex(unsigned char c)
{
	return txtrec_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * RFC 3986 characters a URI may hold outside %XX: unreserved, gen-delims, sub-delims — less
 * "!" and "," (and ";"), which RFC 8460 wants percent-encoded.
 */
static int
tlsrpt_uri_char(unsigned char c)
{
	if (txtrec_alnum(c))
		return 1;
	return c != '\0' && strchr("-._~:/?#[]@$&'()*+=", c) != NULL;
}

static int
tlsrpt_ieq(const char *a, size_t n, const char *lit)
{
	size_t i;
	unsigned char c;

	if (strlen(lit) != n)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)a[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)lit[i])
			return 0;
	}
	return 1;
}

/*
 * RFC 3986 syntax as far as we check it: length, characters, %XX escapes, then
 * scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".  On TLSRPT_OK *colon is its index.
 */
static enum tlsrpt_status
tlsrpt_uri_syntax(const char *s, size_t n, size_t *colon)
{
	size_t i;

	if (n == 0)
		return TLSRPT_ERR_URI_EMPTY;
	if (n > TLSRPT_URI_MAX)
		return TLSRPT_ERR_URI_TOO_LONG;
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || !tlsrpt_hex((unsigned char)s[i + 1]) ||
			    !tlsrpt_hex((unsigned char)s[i + 2]))
				return TLSRPT_ERR_URI_BAD;
			i += 2;
		} else if (!tlsrpt_uri_char((unsigned char)s[i]))
			return TLSRPT_ERR_URI_BAD;
	}
	if (!txtrec_alpha((unsigned char)s[0]))
		return TLSRPT_ERR_URI_BAD;
	for (i = 1; i < n && s[i] != ':'; i++)
		if (!txtrec_alnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.')
			return TLSRPT_ERR_URI_BAD;
	if (i == n)
		return TLSRPT_ERR_URI_BAD;
	*colon = i;
	return TLSRPT_OK;
}

/*
 * Can a sender report to this (syntactically valid) URI?  mailto: needs an "@" after at least
 * one character; https: needs "//" and a non-empty authority; other schemes are not defined.
 */
static enum tlsrpt_status
tlsrpt_uri_use(const char *s, size_t n, size_t colon, enum tlsrpt_scheme *scheme)
{
	size_t h;

	if (tlsrpt_ieq(s, colon, "mailto")) {
		*scheme = TLSRPT_SCHEME_MAILTO;
		if (colon + 1 == n || memchr(s + colon + 1, '@', n - colon - 1) == NULL ||
		    s[colon + 1] == '@')
			return TLSRPT_ERR_URI_BAD;
		return TLSRPT_OK;
	}
	if (tlsrpt_ieq(s, colon, "https")) {
		*scheme = TLSRPT_SCHEME_HTTPS;
		h = colon + 1;
		if (n - h < 2 || s[h] != '/' || s[h + 1] != '/')
			return TLSRPT_ERR_URI_BAD;
		h += 2;
		/* the authority must start with a host (or userinfo), not be empty */
		if (h == n || s[h] == '/' || s[h] == '?' || s[h] == '#' || s[h] == ':' ||
		    s[h] == '@')
			return TLSRPT_ERR_URI_BAD;
		return TLSRPT_OK;
	}
	return TLSRPT_ERR_URI_SCHEME;
}

static enum tlsrpt_status
tlsrpt_fail(struct tlsrpt_record *r, enum tlsrpt_status st, size_t off)
{
	r->status = st;
	r->err_off = off;
	return st;
}

/*
 * The rua value from *ip: a comma-separated list.  Stores the usable URIs unless store is 0 (a
 * repeated rua is still checked, then dropped).  A syntax error ends the record; a valid URI we
 * cannot use is skipped, and only a list with no usable URI is an error.  Leaves *ip after the
 * last URI (or, on error, at the URI at fault).
 */
static enum tlsrpt_status
tlsrpt_rua(const char *txt, size_t len, size_t *ip, struct arena *a, struct tlsrpt_record *r,
    int store)
{
	enum tlsrpt_status st, unusable = TLSRPT_OK;
	enum tlsrpt_scheme scheme = TLSRPT_SCHEME_MAILTO;
	size_t i = *ip, us, j, colon = 0, unusable_off = 0, nused = 0;

	for (;;) {
		us = i;
		while (i < len && !txtrec_wsp((unsigned char)txt[i]) && txt[i] != ',' &&
		    txt[i] != ';')
			i++;
		if ((st = tlsrpt_uri_syntax(txt + us, i - us, &colon)) != TLSRPT_OK) {
			*ip = us;
			return st;
		}
		if ((st = tlsrpt_uri_use(txt + us, i - us, colon, &scheme)) != TLSRPT_OK) {
			if (unusable == TLSRPT_OK) {
				unusable = st;
				unusable_off = us;
			}
			if (store)
				r->flags |= TLSRPT_F_URI_SKIPPED;
		} else if (nused++ < TLSRPT_RUA_MAX) {
			if (store) {
				if (r->rua == NULL)
					r->rua = arena_alloc(a, TLSRPT_RUA_MAX * sizeof(*r->rua));
				r->rua[r->nrua].scheme = scheme;
				r->rua[r->nrua].uri = arena_strndup(a, txt + us, i - us);
				r->nrua++;
			}
		} else if (store)
			r->flags |= TLSRPT_F_RUA_TRUNCATED;
		for (j = i; j < len && txtrec_wsp((unsigned char)txt[j]); j++)
			;
		if (j == len || txt[j] != ',')
			break;
		for (i = j + 1; i < len && txtrec_wsp((unsigned char)txt[i]); i++)
			;
	}
	if (nused == 0 && store) {
		*ip = unusable_off;
		return unusable;
	}
	*ip = i;
	return TLSRPT_OK;
}

enum tlsrpt_status
tlsrpt_record_parse(const char *txt, size_t len, struct arena *a, struct tlsrpt_record *r)
{
	enum tlsrpt_status st;
	size_t i, j, ns, nl, vs;
	int have_rua = 0;

	memset(r, 0, sizeof(*r));
	if (txt == NULL)
		len = 0;
	if (!txtrec_has_version(txt, len, TLSRPT_VERSION))
		return tlsrpt_fail(r, TLSRPT_ERR_VERSION, 0);
	i = TLSRPT_VERSION_LEN;
	for (;;) {
		for (j = i; j < len && txtrec_wsp((unsigned char)txt[j]); j++)
			;
		if (j == len) {
			if (j != i)
				return tlsrpt_fail(r, TLSRPT_ERR_SYNTAX, i);
			break;
		}
		if (txt[j] != ';')
			return tlsrpt_fail(r, TLSRPT_ERR_SYNTAX, j);
		for (i = j + 1; i < len && txtrec_wsp((unsigned char)txt[i]); i++)
			;
		if (i == len)
			break;

		ns = i;
		while (i < len && txtrec_name_char((unsigned char)txt[i]))
			i++;
		nl = i - ns;
		if (nl == 0 || i == len || txt[i] != '=')
			return tlsrpt_fail(r, TLSRPT_ERR_SYNTAX, i);
		if (!txtrec_alnum((unsigned char)txt[ns]) || nl > TLSRPT_EXT_NAME_MAX)
			return tlsrpt_fail(r, TLSRPT_ERR_EXT_BAD, ns);
		vs = ++i;

		if (nl == 3 && memcmp(txt + ns, "rua", 3) == 0) {
			if (have_rua)
				r->flags |= TLSRPT_F_DUP_FIELD;
			st = tlsrpt_rua(txt, len, &i, a, r, !have_rua);
			if (st != TLSRPT_OK)
				return tlsrpt_fail(r, st, i);
			have_rua = 1;
			continue;
		}
		while (i < len && txtrec_ext_value_char((unsigned char)txt[i]))
			i++;
		if (i == vs)
			return tlsrpt_fail(r, TLSRPT_ERR_EXT_BAD, vs);
		if (nl == 1 && txt[ns] == 'v')
			r->flags |= TLSRPT_F_DUP_FIELD;
		else {
			r->flags |= TLSRPT_F_UNKNOWN_KEY;
			r->next++;
		}
	}
	if (!have_rua)
		return tlsrpt_fail(r, TLSRPT_ERR_RUA_MISSING, len);
	r->status = TLSRPT_OK;
	return TLSRPT_OK;
}

enum tlsrpt_status
tlsrpt_record_select(const char *const *txt, const size_t *lens, size_t n, size_t *idx)
{
	size_t found = txtrec_select(txt, lens, n, TLSRPT_VERSION, idx);

	if (found == 0)
		return TLSRPT_ERR_NO_RECORD;
	if (found > 1)
		return TLSRPT_ERR_MULTIPLE_RECORDS;
	return TLSRPT_OK;
}
