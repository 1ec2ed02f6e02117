/*
 * cert.h — facts about a server's certificate, taken after the handshake.
 *
 * Chain validation uses the run's trust store (system or --ca-file/--ca-path) with the TLS server
 * purpose and the given clock; names are matched under RFC 6125 by certname.c, never by OpenSSL's
 * hostname code, so the rules are ours and table-tested.  The name check sees the dNSName and
 * iPAddress SANs and the subject CN: an IP reference ("192.0.2.1", "2001:db8::25") matches only an
 * iPAddress SAN with the same octets (RFC 2818 §3.1), and a dNSName that is empty or carries a NUL
 * never matches but still keeps the CN out of the check (RFC 6125 §6.4.4).
 *
 * Key and signature weakness is the grade's classification (grade_key_strength() and
 * grade_sig_class() in lib/scan/grade.c), so the findings cert.weak_key / cert.weak_signature
 * and the grade's caps always agree.
 */
#ifndef MAILTLS_CERT_H
#define MAILTLS_CERT_H

#include <openssl/x509.h>

struct arena;
struct endpoint_cert;

struct endpoint_cert	*cert_describe(X509 *leaf, STACK_OF(X509) *chain, X509_STORE *store,
			    const char *refname, struct arena *, long now);

#define CERT_KEY_MIN	2048	/* RSA-equivalent bits under which a key is weak */

/* RSA-equivalent bits (NIST SP 800-57 Part 1, Table 2) for cert_describe()'s key_type and
 * key_bits; 0 when the type is unknown or bits <= 0. */
int			 cert_key_strength(const char *key_type, int bits);
/* 1 when the strength is known and under CERT_KEY_MIN (finding cert.weak_key). */
int			 cert_weak_key(const char *key_type, int bits);
/* The finding's detail, "RSA 1024 bits (RSA-equivalent 1024, under 2048)"; NULL when not weak. */
const char		*cert_weak_key_detail(struct arena *, const char *key_type, int bits);
/* 1 for MD2/MD4/MD5, SHA-0 and SHA-1 signatures (finding cert.weak_signature). */
int			 cert_weak_sigalg(const char *sig_alg);

#endif
