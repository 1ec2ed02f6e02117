/*
 * weak.h — weaknesses read off a tlsenum report: stable names, one detail line each.
 *
 * The names are stable finding IDs (the lead copies them into lib/verdict/finding.c); the
 * detail says which suites at which versions, for the text and JSON reports.  Pure: a
 * function of the report only.
 */
#ifndef MAILTLS_WEAK_H
#define MAILTLS_WEAK_H

#include <stddef.h>

#include "scan/tlsenum.h"

enum weak_id {
	WEAK_TLS_SSLV2,			/* tls.sslv2 */
	WEAK_TLS_SSLV3,			/* tls.sslv3 */
	WEAK_TLS_V1_0,			/* tls.v1_0 */
	WEAK_TLS_V1_1,			/* tls.v1_1 */
	WEAK_TLS_NO_MODERN,		/* tls.no_modern: neither TLS 1.2 nor 1.3 */
	WEAK_CIPHER_NULL,		/* cipher.null: no encryption */
	WEAK_CIPHER_ANON,		/* cipher.anon: no server authentication */
	WEAK_CIPHER_EXPORT,		/* cipher.export */
	WEAK_CIPHER_RC4,		/* cipher.rc4 */
	WEAK_CIPHER_3DES,		/* cipher.3des: 64-bit block ciphers (Sweet32) */
	WEAK_CIPHER_NO_AEAD,		/* cipher.no_aead: not one AEAD suite */
	WEAK_KX_NO_PFS,			/* kx.no_pfs: static RSA / DH / ECDH key exchange */
	WEAK_KX_DH_WEAK,		/* kx.dh_weak: DHE group under 2048 bits */
	WEAK_TLS_COMPRESSION,		/* tls.compression: CRIME */
	WEAK_TLS_INSECURE_RENEG,	/* tls.insecure_renegotiation: no RFC 5746 */
	WEAK_TLS_NO_FALLBACK_SCSV,	/* tls.no_fallback_scsv: RFC 7507 not honoured */
	WEAK_LAST
};

#define WEAK_BIT(id)		(1u << (id))
#define WEAK_DETAIL_MAX		512	/* longer details end in "..." */
#define WEAK_DH_MIN_BITS	2048

struct weak_result {
	unsigned int	 flags;				/* WEAK_BIT()s */
	char		 detail[WEAK_LAST][WEAK_DETAIL_MAX];	/* "" when the flag is clear */
};

/* Fill *out from the report (out is overwritten). */
void		 weak_assess(const struct tlsenum_report *, struct weak_result *out);
int		 weak_has(const struct weak_result *, enum weak_id);

/* Stable names: "tls.sslv2".  Never NULL ("?" out of range). */
const char	*weak_name(enum weak_id);
int		 weak_by_name(const char *);	/* -1 if unknown */

#endif
