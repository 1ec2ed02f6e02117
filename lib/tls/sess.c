/*
 * sess.c — see sess.h.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls/sess.h"
#include "tls/tls.h"
#include "util/xalloc.h"

/* tls.c's session (memory BIOs, SNI) on an SSL_CTX of our own; the error state is ours. */
struct sess {
	struct tls_session	*ts;
	SSL			*ssl;		/* ts's */
	int			 no_reneg;	/* the last error was SSL_R_NO_RENEGOTIATION */
	char			 error[256];
};

struct sess *
sess_new(uint16_t min_version, uint16_t max_version, int tickets, const char *sni,
    SSL_SESSION *resume)
{
	struct sess *s = xcalloc(1, sizeof(*s));
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		BUG("OpenSSL allocation failed");
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, min_version);
	SSL_CTX_set_max_proto_version(ctx, max_version);
	/*
	 * Everything but anonymous suites: the facts of S1 (chain, staple, SCTs) need the server's
	 * certificate, and a server-order server would otherwise pick ADH/AECDH (Postfix does).
	 */
	SSL_CTX_set_cipher_list(ctx, "ALL:!aNULL:@SECLEVEL=0");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* renegotiation is tested on servers without RFC 5746 too */
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT |
	    SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION | (tickets ? 0 : SSL_OP_NO_TICKET));
	/* the client keeps sessions only through SSL_get1_session(): no cache of our own */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* SCTs from the TLS extension, OCSP and the certificate; permissive: never refuse */
	if (SSL_CTX_enable_ct(ctx, SSL_CT_VALIDATION_PERMISSIVE) != 1)
		ERR_clear_error();
	s->ts = tls_session_new_ctx(ctx, sni);
	SSL_CTX_free(ctx);	/* the SSL holds its own reference */
	s->ssl = tls_session_ssl(s->ts);
	SSL_set_tlsext_status_type(s->ssl, TLSEXT_STATUSTYPE_ocsp);
	if (resume != NULL && SSL_set_session(s->ssl, resume) != 1)
		ERR_clear_error();
	return s;
}

void
sess_free(struct sess *s)
{
	if (s == NULL)
		return;
	tls_session_free(s->ts);
	free(s);
}

SSL *
sess_ssl(struct sess *s)
{
	return s->ssl;
}

int
sess_feed(struct sess *s, const void *p, size_t n)
{
	return tls_session_feed(s->ts, p, n);
}

int
sess_drain(struct sess *s, struct dbuf *out)
{
	return tls_session_drain(s->ts, out);
}

static enum sess_step
sess_fail(struct sess *s, int ret)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	int err = SSL_get_error(s->ssl, ret);

	if (err == SSL_ERROR_WANT_READ)
		return SESS_WANT;
	s->no_reneg = e && ERR_GET_REASON(e) == SSL_R_NO_RENEGOTIATION;
	if (err == SSL_ERROR_ZERO_RETURN)
		snprintf(s->error, sizeof(s->error), "peer closed the TLS session");
	else
		snprintf(s->error, sizeof(s->error), "%s", r ? r : "TLS error");
	ERR_clear_error();
	return SESS_ERROR;
}

enum sess_step
sess_handshake(struct sess *s)
{
	int ret;

	ERR_clear_error();
	ret = SSL_do_handshake(s->ssl);
	if (ret == 1)
		return SESS_DONE;
	return sess_fail(s, ret);
}

enum sess_step
sess_read(struct sess *s)
{
	char buf[4096];
	int n;

	for (;;) {
		ERR_clear_error();
		n = SSL_read(s->ssl, buf, sizeof(buf));
		if (n <= 0)
			return sess_fail(s, n);
	}
}

int
sess_write_early(struct sess *s, const void *p, size_t n)
{
	size_t written = 0;

	ERR_clear_error();
	if (SSL_write_early_data(s->ssl, p, n, &written) != 1 || written != n) {
		sess_fail(s, 0);
		return -1;
	}
	return 0;
}

int
sess_renegotiate(struct sess *s)
{
	ERR_clear_error();
	if (SSL_renegotiate(s->ssl) != 1) {
		sess_fail(s, 0);
		return -1;
	}
	return 0;
}

int
sess_refused_renegotiation(const struct sess *s)
{
	return s->no_reneg;
}

const char *
sess_error(const struct sess *s)
{
	return s->error[0] ? s->error : "TLS error";
}
