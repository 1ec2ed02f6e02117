/*
 * sess.h — OpenSSL client sessions for the --full session checks (resumption by session ID and
 * by ticket, client-initiated renegotiation, TLS 1.3 early data, OCSP stapling, SCTs, the
 * certificate chain), driven through memory BIOs like tls.c, but on an SSL_CTX of their own:
 * those checks need what the ordinary probe must not do (keep sessions, offer tickets, pin a
 * version, send early data, renegotiate).
 *
 * The caller moves bytes: sess_feed() what the server sent, sess_drain() what OpenSSL wants to
 * send.  SSL_VERIFY_NONE as in tls.c: the facts are collected, judged elsewhere.
 */
#ifndef MAILTLS_SESS_H
#define MAILTLS_SESS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct dbuf;

enum sess_step {
	SESS_DONE = 0,		/* the handshake (or renegotiation) completed */
	SESS_WANT,		/* needs bytes from the peer */
	SESS_ERROR,		/* failed; sess_error() says why */
};

struct sess;

/*
 * A client session on a fresh SSL_CTX: versions min..max (wire values, 0: any), tickets offered
 * or not, OCSP status and SCTs requested (CT in permissive mode: nothing is refused), every
 * suite at security level 0.  resume: a session from an earlier connection (may be NULL).
 */
struct sess	*sess_new(uint16_t min_version, uint16_t max_version, int tickets, const char *sni,
		    SSL_SESSION *resume);
void		 sess_free(struct sess *);	/* NULL is fine */
SSL		*sess_ssl(struct sess *);
int		 sess_feed(struct sess *, const void *, size_t);
int		 sess_drain(struct sess *, struct dbuf *);	/* -1: over the dbuf's ceiling */
enum sess_step	 sess_handshake(struct sess *);
/* Process post-handshake records (TLS 1.3 tickets, alerts); application data is dropped. */
enum sess_step	 sess_read(struct sess *);
/* Early data before the handshake (needs a resumable session allowing it); -1 on failure. */
int		 sess_write_early(struct sess *, const void *, size_t);
/* Ask for a client-initiated renegotiation (TLS <= 1.2); then call sess_handshake(). */
int		 sess_renegotiate(struct sess *);
/* 1 when the last error was the peer refusing renegotiation (no_renegotiation alert). */
int		 sess_refused_renegotiation(const struct sess *);
const char	*sess_error(const struct sess *);

#endif
