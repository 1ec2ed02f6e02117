/*
 * ocsp.h — a stapled OCSP response (RFC 6066 §8, RFC 6960) summed up for the report: present,
 * and what it says about the certificate.  Pure over the DER bytes (fuzz/fuzz_ocsp.c); OpenSSL
 * parses.  The responder's signature is not checked (that needs the issuer and a trust store);
 * the first SingleResponse is taken to be the leaf's, as servers staple only the leaf's.
 */
#ifndef MAILTLS_OCSP_H
#define MAILTLS_OCSP_H

#include <stddef.h>
#include <stdint.h>

enum ocsp_staple {
	OCSP_STAPLE_NONE = 0,		/* no response stapled */
	OCSP_STAPLE_GOOD,
	OCSP_STAPLE_REVOKED,
	OCSP_STAPLE_UNKNOWN,		/* the responder does not know the certificate */
	OCSP_STAPLE_STALE,		/* nextUpdate has passed */
	OCSP_STAPLE_UNSUCCESSFUL,	/* responseStatus other than successful */
	OCSP_STAPLE_MALFORMED,		/* not a DER OCSPResponse we can read */
	OCSP_STAPLE_LAST
};

struct ocsp_report {
	enum ocsp_staple	 status;
	size_t			 len;
	char			 this_update[32];	/* ISO 8601, "" if absent */
	char			 next_update[32];
};

void		 ocsp_assess(const uint8_t *, size_t, long now, struct ocsp_report *out);
const char	*ocsp_staple_name(enum ocsp_staple);

#endif
