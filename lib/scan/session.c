/*
 * session.c — see session.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "scan/conv.h"
#include "scan/session.h"
#include "tls/hello.h"
#include "tls/sess.h"
#include "util/dbuf.h"

#define SESSION_IN_MAX		(256 * 1024)	/* bytes of one connection we read */
#define SESSION_TICKET_WAIT_MS	2000		/* TLS 1.3 tickets follow the handshake */
#define SESSION_RENEG_WAIT_MS	5000		/* a server that ignores the request */
#define SESSION_EARLY_DATA	"NOOP\r\n"	/* 0-RTT payload: the one command without effect */

struct session_conn {
	struct conv	 c;
	struct sess	*s;
	struct dbuf	 out;
};

/* Move OpenSSL's bytes out, wait for the server's, feed them: one round of the exchange. */
static int
session_pump(struct session_conn *sc, long ms)
{
	enum conv_end e;

	if (sess_drain(sc->s, &sc->out) < 0 ||
	    conv_send(&sc->c, sc->out.data, sc->out.len, ms) < 0)
		return -1;
	dbuf_reset(&sc->out);
	e = conv_read(&sc->c, ms);
	if (sc->c.in.len > 0 && sess_feed(sc->s, sc->c.in.data, sc->c.in.len) < 0)
		return -1;
	dbuf_reset(&sc->c.in);
	return e == CONV_DATA ? 0 : -1;
}

/* Run the handshake (or renegotiation) to its end: SESS_DONE, or SESS_ERROR with a reason. */
static enum sess_step
session_handshake(struct session_conn *sc, long ms, char *err, size_t errlen)
{
	enum sess_step st;

	for (;;) {
		st = sess_handshake(sc->s);
		if (st != SESS_WANT) {
			/* flush what is left (Finished, EndOfEarlyData, an alert) */
			if (sess_drain(sc->s, &sc->out) == 0)
				conv_send(&sc->c, sc->out.data, sc->out.len, ms);
			dbuf_reset(&sc->out);
			if (st == SESS_ERROR)
				snprintf(err, errlen, "%s", sess_error(sc->s));
			return st;
		}
		if (session_pump(sc, ms) < 0) {
			snprintf(err, errlen, "%s", sc->c.last == CONV_TIMEOUT ?
			    "no answer before the deadline" : sc->c.last == CONV_EOF ?
			    "the server closed the connection" : "the connection failed");
			/* OpenSSL may have read an alert from what came last */
			if (sess_handshake(sc->s) == SESS_ERROR)
				snprintf(err, errlen, "%s", sess_error(sc->s));
			return SESS_ERROR;
		}
	}
}

static int
session_open(struct session_conn *sc, struct event_base *base, const struct probe_params *pp,
    uint16_t minv, uint16_t maxv, int tickets, SSL_SESSION *resume)
{
	memset(sc, 0, sizeof(*sc));
	dbuf_init(&sc->out, SESSION_IN_MAX);
	if (conv_open(&sc->c, base, pp, SESSION_IN_MAX) < 0)
		return -1;
	sc->s = sess_new(minv, maxv, tickets, pp->refname, resume);
	return 0;
}

static void
session_close(struct session_conn *sc)
{
	if (sc->s != NULL && sc->c.fd >= 0 && SSL_is_init_finished(sess_ssl(sc->s))) {
		/* close_notify: a goodbye the server's TLS layer understands */
		SSL_shutdown(sess_ssl(sc->s));
		if (sess_drain(sc->s, &sc->out) == 0)
			conv_send(&sc->c, sc->out.data, sc->out.len, 1000);
	}
	sess_free(sc->s);
	sc->s = NULL;
	conv_close(&sc->c);
	dbuf_free(&sc->out);
	ERR_clear_error();
}

/* TLS 1.3: tickets come after the handshake; read until one arrives or the wait ends. */
static void
session_await_ticket(struct session_conn *sc, long ms)
{
	struct timespec t0, t1;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (sess_read(sc->s) == SESS_ERROR)
			return;
		if (SSL_SESSION_has_ticket(SSL_get0_session(sess_ssl(sc->s))))
			return;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = ms - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || session_pump(sc, left) < 0)
			return;
	}
}

/* The facts of a full handshake: chain, staple, SCTs, EMS, signature hash. */
static void
session_facts(struct session_conn *sc, long now, struct session_report *rep)
{
	SSL *ssl = sess_ssl(sc->s);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	const STACK_OF(SCT) *scts;
	const unsigned char *ocsp = NULL;
	unsigned char *der[SESSION_CHAIN_MAX];
	size_t len[SESSION_CHAIN_MAX], n = 0;
	long olen;
	int i, k;

	rep->handshake = 1;
	rep->version = (uint16_t)SSL_version(ssl);
	rep->ems = rep->version == TLS1_3_VERSION ? -1 : SSL_get_extms_support(ssl) == 1;
	if (!SSL_get_peer_signature_nid(ssl, &rep->peer_sig_nid))
		rep->peer_sig_nid = NID_undef;
	olen = SSL_get_tlsext_status_ocsp_resp(ssl, &ocsp);
	ocsp_assess(ocsp, olen > 0 ? (size_t)olen : 0, now, &rep->ocsp);
	scts = SSL_get0_peer_scts(ssl);
	for (i = 0; scts != NULL && i < sk_SCT_num(scts); i++)
		switch (SCT_get_source(sk_SCT_value(scts, i))) {
		case SCT_SOURCE_TLS_EXTENSION:
			rep->scts_tls++;
			break;
		case SCT_SOURCE_OCSP_STAPLED_RESPONSE:
			rep->scts_ocsp++;
			break;
		case SCT_SOURCE_X509V3_EXTENSION:
			rep->scts_cert++;
			break;
		default:
			break;
		}
	for (i = 0; chain != NULL && i < sk_X509_num(chain) && n < SESSION_CHAIN_MAX; i++) {
		der[n] = NULL;
		k = i2d_X509(sk_X509_value(chain, i), &der[n]);
		len[n] = k > 0 ? (size_t)k : 0;
		n++;
	}
	chain_assess((const unsigned char *const *)der, len, n, &rep->chain);
	if (chain != NULL && (size_t)sk_X509_num(chain) > n)
		rep->chain.ncerts = (size_t)sk_X509_num(chain);
	while (n > 0)
		OPENSSL_free(der[--n]);
	ERR_clear_error();
}

static void
session_renegotiate(struct session_conn *sc, long ms, struct session_report *rep)
{
	char err[128] = "";
	enum sess_step st;

	if (sess_renegotiate(sc->s) < 0) {
		rep->reneg = TLSENUM_INDETERMINATE;
		snprintf(rep->reneg_detail, sizeof(rep->reneg_detail), "OpenSSL would not ask: %s",
		    sess_error(sc->s));
		return;
	}
	st = session_handshake(sc, ms, err, sizeof(err));
	if (st == SESS_DONE && !SSL_renegotiate_pending(sess_ssl(sc->s))) {
		rep->reneg = TLSENUM_YES;
		snprintf(rep->reneg_detail, sizeof(rep->reneg_detail),
		    "a renegotiation we asked for inside the session completed");
	} else {
		rep->reneg = TLSENUM_NO;
		snprintf(rep->reneg_detail, sizeof(rep->reneg_detail), "refused: %s",
		    sess_refused_renegotiation(sc->s) ? "no_renegotiation alert" : err);
	}
}

void
session_run(struct event_base *base, const struct probe_params *pp,
    const struct tlsenum_report *r, struct session_report *rep)
{
	struct session_conn sc;
	SSL_SESSION *s1 = NULL, *t12 = NULL, *t13 = NULL;
	uint16_t v12 = 0;
	long now = pp->now ? pp->now : (long)time(NULL);
	long ms = pp->tls_ms > 0 ? pp->tls_ms : 30000;
	long wait = pp->reply_ms > 0 && pp->reply_ms < SESSION_TICKET_WAIT_MS ? pp->reply_ms :
	    SESSION_TICKET_WAIT_MS;
	int has13 = r->v[TLSENUM_TLS13].supported == TLSENUM_YES, v;
	char err[128];

	memset(rep, 0, sizeof(*rep));
	rep->ticket_hint12 = rep->ticket_lifetime13 = -1;
	rep->reneg = rep->resume_id = rep->resume_ticket = rep->early_data_offered =
	    rep->early_data_accepted = TLSENUM_NOT_APPLICABLE;
	for (v = TLSENUM_TLS12; v >= TLSENUM_TLS10; v--)
		if (r->v[v].supported == TLSENUM_YES) {
			v12 = tlsenum_version_wire((enum tlsenum_version)v);
			break;
		}

	if (v12) {
		/* S1: the facts, a session ID, and the renegotiation request */
		rep->connections++;
		rep->reneg = rep->resume_id = TLSENUM_INDETERMINATE;
		if (session_open(&sc, base, pp, v12, v12, 0, NULL) == 0 &&
		    session_handshake(&sc, ms, err, sizeof(err)) == SESS_DONE) {
			session_facts(&sc, now, rep);
			s1 = SSL_get1_session(sess_ssl(sc.s));
			session_renegotiate(&sc, SESSION_RENEG_WAIT_MS < ms ? SESSION_RENEG_WAIT_MS :
			    ms, rep);
		} else
			snprintf(rep->error, sizeof(rep->error), "%s: %s", hello_version_name(v12),
			    sc.s ? err : "the dialogue did not reach TLS");
		session_close(&sc);
	}
	if (s1 != NULL) {
		/* S2: S1's session by ID (tickets offered, for a TLS 1.2 ticket) */
		unsigned int idlen = 0;

		SSL_SESSION_get_id(s1, &idlen);
		rep->connections++;
		if (session_open(&sc, base, pp, v12, v12, 1, s1) == 0 &&
		    session_handshake(&sc, ms, err, sizeof(err)) == SESS_DONE) {
			SSL_SESSION *got = SSL_get1_session(sess_ssl(sc.s));

			rep->resume_id = SSL_session_reused(sess_ssl(sc.s)) ? TLSENUM_YES : TLSENUM_NO;
			if (got != NULL && SSL_SESSION_has_ticket(got)) {
				t12 = got;
				rep->ticket_hint12 = (long)SSL_SESSION_get_ticket_lifetime_hint(got);
			} else
				SSL_SESSION_free(got);
		}
		if (idlen == 0 && rep->resume_id == TLSENUM_INDETERMINATE)
			rep->resume_id = TLSENUM_NO;	/* no ID was ever given */
		session_close(&sc);
	}
	if (has13) {
		/* S3: a TLS 1.3 session and its tickets */
		rep->connections++;
		rep->connections13++;
		rep->resume_ticket = rep->early_data_offered = TLSENUM_INDETERMINATE;
		if (session_open(&sc, base, pp, TLS1_3_VERSION, TLS1_3_VERSION, 1, NULL) == 0 &&
		    session_handshake(&sc, ms, err, sizeof(err)) == SESS_DONE) {
			if (!rep->handshake)
				session_facts(&sc, now, rep);
			session_await_ticket(&sc, wait);
			t13 = SSL_get1_session(sess_ssl(sc.s));
			if (t13 != NULL && SSL_SESSION_has_ticket(t13)) {
				rep->ticket_lifetime13 = (long)SSL_SESSION_get_ticket_lifetime_hint(t13);
				rep->max_early_data = SSL_SESSION_get_max_early_data(t13);
				rep->early_data_offered = rep->max_early_data > 0 ? TLSENUM_YES : TLSENUM_NO;
			} else {
				SSL_SESSION_free(t13);
				t13 = NULL;
				rep->resume_ticket = TLSENUM_NO;	/* no ticket issued */
				rep->early_data_offered = TLSENUM_NO;
			}
		} else if (!rep->handshake)
			snprintf(rep->error, sizeof(rep->error), "TLSv1.3: %s",
			    sc.s ? err : "the dialogue did not reach TLS");
		session_close(&sc);
	}
	if (t13 != NULL) {
		/* S4: resume the TLS 1.3 ticket, with 0-RTT data when the ticket allows it */
		rep->ticket_version = HELLO_TLS13;
		rep->connections++;
		rep->connections13++;
		if (session_open(&sc, base, pp, TLS1_3_VERSION, TLS1_3_VERSION, 1, t13) == 0) {
			int early = rep->max_early_data >= sizeof(SESSION_EARLY_DATA) - 1 &&
			    sess_write_early(sc.s, SESSION_EARLY_DATA, sizeof(SESSION_EARLY_DATA) - 1) == 0;

			if (session_handshake(&sc, ms, err, sizeof(err)) == SESS_DONE) {
				rep->resume_ticket = SSL_session_reused(sess_ssl(sc.s)) ? TLSENUM_YES :
				    TLSENUM_NO;
				if (early)
					rep->early_data_accepted = SSL_get_early_data_status(
					    sess_ssl(sc.s)) == SSL_EARLY_DATA_ACCEPTED ? TLSENUM_YES :
					    TLSENUM_NO;
			}
			if (early && rep->early_data_accepted == TLSENUM_NOT_APPLICABLE)
				rep->early_data_accepted = TLSENUM_INDETERMINATE;
		}
		session_close(&sc);
	} else if (!has13 && t12 != NULL) {
		/* S4 without TLS 1.3: resume S2's TLS 1.2 ticket */
		rep->ticket_version = v12;
		rep->connections++;
		rep->resume_ticket = TLSENUM_INDETERMINATE;
		if (session_open(&sc, base, pp, v12, v12, 1, t12) == 0 &&
		    session_handshake(&sc, ms, err, sizeof(err)) == SESS_DONE)
			rep->resume_ticket = SSL_session_reused(sess_ssl(sc.s)) ? TLSENUM_YES :
			    TLSENUM_NO;
		session_close(&sc);
	} else if (!has13 && rep->resume_id != TLSENUM_INDETERMINATE && v12) {
		rep->ticket_version = v12;
		rep->resume_ticket = TLSENUM_NO;		/* no ticket issued */
	}
	if (rep->early_data_offered == TLSENUM_NO)
		rep->early_data_accepted = TLSENUM_NO;
	SSL_SESSION_free(s1);
	SSL_SESSION_free(t12);
	SSL_SESSION_free(t13);
}
