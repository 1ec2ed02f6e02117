/*
 * cert.h — facts about a server's certificate, taken after the handshake.
 *
 * Chain validation uses the run's trust store (system or --ca-file/--ca-path) with the TLS server
 * purpose and the given clock; names are matched under RFC 6125 by certname.c, never by OpenSSL's
 * hostname code, so the rules are ours and table-tested.
 */
#ifndef MAILTLS_CERT_H
#define MAILTLS_CERT_H

#include <openssl/x509.h>

struct arena;
struct endpoint_cert;

struct endpoint_cert	*cert_describe(X509 *leaf, STACK_OF(X509) *chain, X509_STORE *store,
			    const char *refname, struct arena *, long now);
int			 cert_weak_key(const char *key_type, int bits);
int			 cert_weak_sigalg(const char *sig_alg);

#endif
