/*
 * certname.c — see certname.h.
 */
#include <string.h>
#include <strings.h>

#include "tls/certname.h"

static const char *const certname_names[CERTNAME_LAST] = {
	[CERTNAME_MATCH] = "match",
	[CERTNAME_NO_MATCH] = "no match",
	[CERTNAME_NO_NAMES] = "no names",
};

const char *
certname_result_name(enum certname_result r)
{
	return (unsigned)r < CERTNAME_LAST ? certname_names[r] : "?";
}

/* Length without one trailing dot. */
static size_t
certname_len(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

/* A host name as we accept it: LDH labels, non-empty, no embedded NUL (the caller's string). */
static int
certname_valid(const char *s, size_t n, int allow_star)
{
	size_t i, lab = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
			continue;
		}
		if (!(ch == '-' || ch == '_' || (ch >= '0' && ch <= '9') ||
		    ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || (allow_star && ch == '*')))
			return 0;
		if (++lab > 63)
			return 0;
	}
	return lab > 0;
}

int
certname_match(const char *pattern, const char *reference)
{
	size_t plen = certname_len(pattern), rlen = certname_len(reference);
	const char *rdot, *pdot;
	size_t ndots = 0, i;

	if (!certname_valid(reference, rlen, 0) || !certname_valid(pattern, plen, 1))
		return 0;
	if (pattern[0] != '*') {
		if (memchr(pattern, '*', plen) != NULL)
			return 0;
		return plen == rlen && strncasecmp(pattern, reference, plen) == 0;
	}
	/* "*." then at least two labels, and no other '*' */
	if (plen < 3 || pattern[1] != '.' || memchr(pattern + 1, '*', plen - 1) != NULL)
		return 0;
	for (i = 2; i < plen; i++)
		if (pattern[i] == '.')
			ndots++;
	if (ndots < 1)
		return 0;
	pdot = pattern + 1;			/* ".example.org" */
	rdot = memchr(reference, '.', rlen);	/* the left-most label must be non-empty */
	if (rdot == NULL || rdot == reference)
		return 0;
	if ((size_t)(reference + rlen - rdot) != plen - 1)
		return 0;
	return strncasecmp(pdot, rdot, plen - 1) == 0;
}

enum certname_result
certname_check(const char *const *dnsids, size_t n, const char *cn, const char *reference,
    const char **matched)
{
	size_t i;

	if (matched)
		*matched = NULL;
	if (n > 0) {
		for (i = 0; i < n; i++) {
			if (dnsids[i] && certname_match(dnsids[i], reference)) {
				if (matched)
					*matched = dnsids[i];
				return CERTNAME_MATCH;
			}
		}
		return CERTNAME_NO_MATCH;
	}
	if (cn == NULL)
		return CERTNAME_NO_NAMES;
	if (certname_match(cn, reference)) {
		if (matched)
			*matched = cn;
		return CERTNAME_MATCH;
	}
	return CERTNAME_NO_MATCH;
}
