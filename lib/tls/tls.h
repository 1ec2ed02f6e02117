/*
 * tls.h — a TLS client session driven through memory BIOs that the probe owns.
 *
 * The probe reads the socket itself and hands bytes to tls_session_feed(); what OpenSSL wants to
 * send is collected with tls_session_drain().  Owning the bytes lets the probe see (and report)
 * plaintext that arrives after the STARTTLS 220, before a single byte reaches OpenSSL.
 */
#ifndef MAILTLS_TLS_H
#define MAILTLS_TLS_H

#include <stddef.h>

struct arena;
struct dbuf;
struct endpoint;
struct ssl_ctx_st;
struct ssl_st;

enum tls_step {
	TLS_STEP_DONE = 0,	/* handshake complete */
	TLS_STEP_WANT,		/* needs more bytes from the peer */
	TLS_STEP_ERROR,		/* failed; tls_session_error() says why */
};

struct tls_config {
	const char	*ca_file;	/* NULL: the system trust store */
	const char	*ca_path;
};

/* One TLSA record for OpenSSL's DANE verifier (RFC 6698 §2.1 fields). */
struct tls_tlsa {
	unsigned char		 usage;
	unsigned char		 selector;
	unsigned char		 mtype;
	const unsigned char	*data;
	size_t			 len;
};

struct tls_client;	/* shared per run: SSL_CTX + trust store */
struct tls_session;	/* one per connection */

struct tls_client	*tls_client_new(const struct tls_config *, char *err, size_t errlen);
void			 tls_client_free(struct tls_client *);

struct tls_session	*tls_session_new(struct tls_client *, const char *sni);
/*
 * The same on the caller's SSL_CTX (sess.c: checks that need their own options); the SSL takes a
 * reference, so the caller may free ctx once the session exists.
 */
struct tls_session	*tls_session_new_ctx(struct ssl_ctx_st *, const char *sni);
void			 tls_session_free(struct tls_session *);
struct ssl_st		*tls_session_ssl(struct tls_session *);	/* for the caller's own SSL_* calls */
/*
 * DANE (RFC 7671, RFC 7672): before the handshake.  base is the TLSA base domain (the reference
 * name for DANE-TA); names are further acceptable names (the MX host per RFC 7672 §3.2.3).
 * Returns the number of records OpenSSL found usable.
 */
int			 tls_session_dane(struct tls_session *, const char *base,
			    const char *const *names, size_t nnames, const struct tls_tlsa *, size_t);
int			 tls_session_feed(struct tls_session *, const void *, size_t);
enum tls_step		 tls_session_handshake(struct tls_session *);
int			 tls_session_drain(struct tls_session *, struct dbuf *);	/* -1: ceiling */
int			 tls_session_write(struct tls_session *, const void *, size_t);
int			 tls_session_read(struct tls_session *, struct dbuf *);	/* -1 error/ceiling, 0 ok */
const char		*tls_session_error(const struct tls_session *);
/* 1 when the last read failed because the peer sent close_notify (a clean close, no error). */
int		 tls_session_peer_closed(const struct tls_session *);

void			 tls_session_describe(struct tls_session *, struct tls_client *,
			    struct arena *, struct endpoint *, long now);

#endif
