/*
 * certname.h — RFC 6125 reference-identifier matching, as a pure function over strings.
 *
 * Rules (RFC 6125 §6.4): DNS-IDs in subjectAltName are compared case-insensitively in their ASCII
 * (A-label) form, trailing dots ignored; a wildcard is honoured only when it is the whole left-most
 * label ("*.example.org") and then matches exactly one non-empty label; partial wildcards
 * ("mx*.example.org") and wildcards over a public-suffix-like two-label name ("*.org") never match.
 * The subject CN is consulted only when the certificate has no DNS-ID at all (§6.4.4).
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

int			 certname_match(const char *pattern, const char *reference);
enum certname_result	 certname_check(const char *const *dnsids, size_t n, const char *cn,
			    const char *reference, const char **matched);
const char		*certname_result_name(enum certname_result);

#endif
