/*
 * certname.c — see certname.h.
 */
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

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
certname_ip_parse(const char *s, struct certname_ip *out)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	memset(out, 0, sizeof(*out));
	/* inet_pton(AF_INET) takes only the dotted quad: no "127.1", no octal, no hex */
	if (inet_pton(AF_INET, s, out->addr) == 1) {
		out->len = 4;
		return 1;
	}
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* no zone ("%eth0"): inet_pton refuses it, and a certificate cannot name one */
	if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->len = 16;
		return 1;
	}
	memset(out, 0, sizeof(*out));
	return 0;
}

/* "192.0.2.1." : an IPv4 literal with a root dot is not a host name either (no numeric TLD). */
static int
certname_ip4_dot(const char *s, size_t n)
{
	char buf[INET_ADDRSTRLEN];
	unsigned char a[4];

	if (n == strlen(s) || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, a) == 1;
}

int
certname_match(const char *pattern, const char *reference)
{
	size_t plen = certname_len(pattern), rlen = certname_len(reference);
	const char *rdot, *pdot;
	size_t ndots = 0, i;
	struct certname_ip ip;

	/* an IP reference is never compared as text, and no wildcard covers it */
	if (certname_ip_parse(reference, &ip) || certname_ip4_dot(reference, rlen))
		return 0;
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
certname_check_ids(const struct certname_ids *id, const char *reference, const char **matched)
{
	struct certname_ip ref;
	size_t i;

	if (matched)
		*matched = NULL;
	if (certname_ip_parse(reference, &ref)) {
		/* RFC 2818 §3.1: the iPAddress SAN must be present and equal the IP */
		for (i = 0; i < id->nips; i++) {
			if (id->ips[i].len == ref.len &&
			    memcmp(id->ips[i].addr, ref.addr, ref.len) == 0) {
				if (matched)
					*matched = reference;
				return CERTNAME_MATCH;
			}
		}
		return id->nips == 0 && id->ndns == 0 && id->cn == NULL ? CERTNAME_NO_NAMES :
		    CERTNAME_NO_MATCH;
	}
	if (id->ndns > 0) {
		for (i = 0; i < id->ndns; i++) {
			if (id->dnsids[i] && certname_match(id->dnsids[i], reference)) {
				if (matched)
					*matched = id->dnsids[i];
				return CERTNAME_MATCH;
			}
		}
		return CERTNAME_NO_MATCH;
	}
	/* RFC 6125 §6.4.4: the CN only when no DNS-ID is presented (iPAddress SANs do not count) */
	if (id->cn == NULL)
		return id->nips == 0 ? CERTNAME_NO_NAMES : CERTNAME_NO_MATCH;
	if (certname_match(id->cn, reference)) {
		if (matched)
			*matched = id->cn;
		return CERTNAME_MATCH;
	}
	return CERTNAME_NO_MATCH;
}

enum certname_result
certname_check(const char *const *dnsids, size_t n, const char *cn, const char *reference,
    const char **matched)
{
	struct certname_ids id;

	memset(&id, 0, sizeof(id));
	id.dnsids = dnsids;
	id.ndns = n;
	id.cn = cn;
	return certname_check_ids(&id, reference, matched);
}
