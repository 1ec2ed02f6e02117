/*
 * cert.h — the certificates the mitm presents, generated at start with OpenSSL (EC P-256), one
 * server SSL_CTX per certificate attack.  Nothing is written to disk.
 */
#ifndef MAILTLS_MITM_CERT_H
#define MAILTLS_MITM_CERT_H

#include <stddef.h>

#include "mitm/attack.h"

struct ssl_ctx_st;

struct mitm_cert_params {
	const char	*name;		/* the name the client expects (DNS name or IP literal) */
	const char	*cert_file;	/* --cert: PEM chain the client should trust (or NULL) */
	const char	*key_file;	/* --key */
	const char	*ca_cert_file;	/* --ca-cert: a CA the client trusts, to issue the */
	const char	*ca_key_file;	/* wrong-name and expired certificates (or NULL) */
};

struct mitm_certs;

struct mitm_certs	*mitm_certs_new(const struct mitm_cert_params *, char *err, size_t errlen);
void			 mitm_certs_free(struct mitm_certs *);
/*
 * The context for an attack that completes TLS.  MITM_ATTACK_NONE (the control run in sink
 * mode) and MITM_ATTACK_INJECT use --cert, else a leaf issued by --ca-cert, else the unknown-CA
 * leaf.  NULL for attacks that never reach a handshake.
 */
struct ssl_ctx_st	*mitm_certs_ctx(struct mitm_certs *, enum mitm_attack);
/* 1 when the control/injection certificate is one the client may trust (--cert or --ca-cert). */
int			 mitm_certs_trusted(const struct mitm_certs *);

#endif
