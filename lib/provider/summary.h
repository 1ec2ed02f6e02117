/*
 * summary.h — one service's facts in the words of the provider table: the certificate state,
 * the protocol versions, the cipher class and the grade.  Pure over an endpoint; the classes come
 * from the findings --full raised (weak.c's), never from the renderer.
 */
#ifndef MAILTLS_PROVIDER_SUMMARY_H
#define MAILTLS_PROVIDER_SUMMARY_H

#include <stddef.h>

struct endpoint;

/* "valid", "invalid: expired", "invalid: untrusted", "invalid: name", "-" (no TLS) */
const char	*summary_cert(const struct endpoint *);
/* "TLSv1.3 TLSv1.2" with --full, the negotiated version without, "-" */
void		 summary_versions(const struct endpoint *, char *out, size_t outsz);
/* "modern, PFS", "weak", "no PFS", "PFS (negotiated)", "-" */
const char	*summary_ciphers(const struct endpoint *);
/* "A+", "B [T]", or "-" without --full */
const char	*summary_grade(const struct endpoint *);

#endif
