/*
 * certname.h — RFC 6125 reference-identifier matching, as a pure function over strings.
 *
 * Rules (RFC 6125 §6.4): DNS-IDs in subjectAltName are compared case-insensitively in their ASCII
 * (A-label) form, trailing dots ignored; a wildcard is honoured only when it is the whole left-most
 * label ("*.example.org") and then matches exactly one non-empty label; partial wildcards
 * ("mx*.example.org") and wildcards over a public-suffix-like two-label name ("*.org") never match.
 * The subject CN is consulted only when the certificate has no DNS-ID at all (§6.4.4); iPAddress
 * SANs do not count as DNS-IDs there.
 *
 * An IP-address reference (dotted-quad IPv4, or IPv6 with optional [brackets]) is matched only
 * against iPAddress SANs, octet by octet (RFC 2818 §3.1, RFC 9525 §6.2 which replaces RFC 6125):
 * never against DNS-ID or CN text, and no wildcard ever matches it.  A DNS reference never
 * matches an iPAddress SAN.  IPv4 and IPv6 are separate: ::ffff:192.0.2.1 does not match a
 * 4-octet 192.0.2.1 (as OpenSSL's X509_check_ip).
 */
#ifndef MAILTLS_CERTNAME_H
#define MAILTLS_CERTNAME_H

#include <stddef.h>

enum certname_result {
	CERTNAME_MATCH = 0,
	CERTNAME_NO_MATCH,
	CERTNAME_NO_NAMES,	/* neither DNS-ID nor CN to compare */
	CERTNAME_LAST
};

/* An iPAddress SAN (RFC 5280 §4.2.1.6): 4 octets for IPv4, 16 for IPv6. */
struct certname_ip {
	unsigned char	 addr[16];
	size_t		 len;		/* 4 or 16; anything else never matches */
};

/* The identifiers a certificate presents. */
struct certname_ids {
	const char *const	 *dnsids;	/* dNSName SANs */
	size_t			  ndns;
	const struct certname_ip *ips;		/* iPAddress SANs */
	size_t			  nips;
	const char		 *cn;		/* subject CN, or NULL */
};

/* 1 when s is an IPv4 (dotted quad) or IPv6 literal, [bracketed] or not; fills *out. */
int			 certname_ip_parse(const char *s, struct certname_ip *out);

/* 1 when the DNS-ID (or CN) pattern matches the DNS reference name; 0 for an IP reference. */
int			 certname_match(const char *pattern, const char *reference);

/*
 * The whole check.  *matched (when matched is non-NULL) is the presented DNS-ID or CN that
 * matched; for an IP reference it is the reference itself, whose octets an iPAddress SAN equals.
 */
enum certname_result	 certname_check_ids(const struct certname_ids *, const char *reference,
			    const char **matched);

/* certname_check_ids() for a certificate whose iPAddress SANs the caller did not collect. */
enum certname_result	 certname_check(const char *const *dnsids, size_t n, const char *cn,
			    const char *reference, const char **matched);
const char		*certname_result_name(enum certname_result);

#endif
