/*
 * proxy.c — see proxy.h.  One struct conn per client connection; the client side is read by a
 * bufferevent, fed through our own memory BIOs once TLS starts (so the mitm sees every byte),
 * cut into commands (lines, or XMPP first-level elements) and handled by the protocol's
 * handler, which answers itself (sink, credentials, DATA, the attack) or forwards to the
 * upstream.  Upstream replies pass through the stripping rewrites of wire.c and xmpp.c.
 *
 * Lifetime: conn_close() marks a connection done and stops reading; the struct is freed only
 * from conn_done_cb(), on the loop, once the last reply has been flushed (or 2 s later), so no
 * handler ever runs on a freed connection.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "mitm/cert.h"
#include "mitm/proxy.h"
#include "mitm/wire.h"
#include "mitm/xmpp.h"
#include "proto/smtp.h"
#include "util/arena.h"
#include "util/dbuf.h"
#include "util/xalloc.h"

#define UPSTREAM_MAX	(256 * 1024)	/* unparsed bytes from the upstream */
#define DRAIN_MS	2000		/* flushing the last reply before closing */

enum conn_state {
	ST_DIALOGUE = 0,	/* commands, in clear or inside our TLS session */
	ST_HANDSHAKE,		/* TLS handshake with the client under way */
	ST_RELAY,		/* control run in proxy mode: bytes copied both ways */
	ST_DONE,		/* closing: nothing more is read */
};

enum pend {
	PEND_NONE = 0,
	PEND_EHLO,		/* the upstream's EHLO reply is next */
	PEND_STARTTLS,		/* the upstream's answer to a relayed STARTTLS */
	PEND_CAPA,		/* POP3 CAPA answer */
};

struct conn {
	struct conn		*next, *prev;
	struct mitm_server	*srv;
	unsigned		 id, run;
	char			 ip[INET6_ADDRSTRLEN];
	int			 port;
	struct bufferevent	*cb, *ub;	/* client, upstream (NULL in sink mode) */
	struct event		*phase, *whole, *hold, *done;
	SSL			*ssl;
	BIO			*rbio, *wbio;
	enum conn_state		 st;
	int			 in_tls;	/* our TLS session with the client is up */
	struct dbuf		 cin;		/* client clear text not yet handled */
	struct dbuf		 uin;		/* upstream bytes not yet handled */
	struct mitm_obs		 obs;
	enum pend		 pend;
	char			 tag[MITM_TAG_MAX + 1];	/* IMAP tag of the pending command */
	int			 auth_cont;	/* credential lines still expected */
	int			 login_cont;	/* IMAP LOGIN continues after a literal */
	size_t			 literal_left;
	int			 literal_login;	/* the literal belongs to LOGIN (counted, not kept) */
	int			 hold_armed;	/* starttls.inject: post-TLS EHLO reply held back */
	int			 inject_done;
	int			 pop3_capa, pop3_user, pop3_sasl;
	struct timespec		 t0;
	unsigned long		 bytes_in;
};

struct mitm_server {
	struct event_base	*base;
	struct mitm_params	 p;
	struct evconnlistener	*lis;
	int			 port;
	unsigned		 next_id, active, run;
	struct conn		*conns;
	struct sockaddr_storage	 ups;
	socklen_t		 upslen;
};

static void	process_client(struct conn *);
static void	process_upstream(struct conn *);
static void	tls_pump(struct conn *);

/* ---- helpers ------------------------------------------------------------------------------ */

static long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
arm(struct event *ev, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

static int
proxied(const struct conn *c)
{
	return c->ub != NULL && !c->in_tls;
}

static enum mitm_attack
attack(const struct conn *c)
{
	return c->obs.attack;
}

static void
reach(struct conn *c)
{
	c->obs.attack_reached = 1;
}

/*
 * Capabilities reached the client in clear text (ours, or the upstream's, with STARTTLS in them
 * when tls is set): the trigger point of strip, and of the control run when STARTTLS was there.
 */
static void
caps_shown(struct conn *c, int tls)
{
	c->obs.offered = tls && attack(c) != MITM_ATTACK_STRIP;
	if (attack(c) == MITM_ATTACK_STRIP || (attack(c) == MITM_ATTACK_NONE && tls))
		reach(c);
}

static void
flush_tls(struct conn *c)
{
	char buf[4096];
	int n;

	while ((n = BIO_read(c->wbio, buf, sizeof(buf))) > 0)
		bufferevent_write(c->cb, buf, (size_t)n);
}

static void
conn_close(struct conn *c, enum mitm_end end)
{
	if (c->st == ST_DONE)
		return;
	c->st = ST_DONE;
	c->obs.end = end;
	bufferevent_disable(c->cb, EV_READ);
	if (c->ub != NULL)
		bufferevent_disable(c->ub, EV_READ);
	evtimer_del(c->phase);
	evtimer_del(c->hold);
	if (evbuffer_get_length(bufferevent_get_output(c->cb)) == 0)
		event_active(c->done, EV_TIMEOUT, 0);
	else
		arm(c->done, DRAIN_MS);
}

/* To the client: through our TLS session once it is up, else in clear. */
static void
c_send(struct conn *c, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (c->in_tls) {
		if (SSL_write(c->ssl, p, (int)n) <= 0) {
			conn_close(c, MITM_END_CLIENT_CLOSED);
			return;
		}
		flush_tls(c);
	} else {
		bufferevent_write(c->cb, p, n);
	}
	if (evbuffer_get_length(bufferevent_get_output(c->cb)) > MITM_OUT_MAX)
		conn_close(c, MITM_END_BAD_INPUT);	/* the client does not read */
}

static void
c_say(struct conn *c, const char *s)
{
	c_send(c, s, strlen(s));
}

static void
c_printf(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
c_printf(struct conn *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		c_send(c, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void
u_send(struct conn *c, const void *p, size_t n)
{
	if (c->ub != NULL)
		bufferevent_write(c->ub, p, n);
}

/*
 * A complete line at the front of b: returns the bytes it takes with its line ending (0 while
 * none has arrived) and sets *len to its length without CRLF or bare LF.
 */
static size_t
line_end(const struct dbuf *b, size_t *len)
{
	const unsigned char *nl = memchr(b->data, '\n', b->len);

	if (nl == NULL)
		return 0;
	*len = (size_t)(nl - b->data);
	if (*len > 0 && b->data[*len - 1] == '\r')
		(*len)--;
	return (size_t)(nl - b->data) + 1;
}

/*
 * A NUL-terminated copy of the first len bytes of b (a line, an XMPP element) for its handler,
 * who may reset b; used bytes leave b.
 */
static char *
take_front(struct dbuf *b, size_t len, size_t used)
{
	char *line = xcalloc(1, len + 1);

	memcpy(line, b->data, len);
	dbuf_consume(b, used);
	return line;
}

static void
forward_line(struct conn *c, const char *line, size_t len)
{
	u_send(c, line, len);
	u_send(c, "\r\n", 2);
}

/* A client command: count it; after the attack point, count what matters. */
static void
note_cmd(struct conn *c, enum mitm_verb v)
{
	c->obs.commands++;
	if (c->in_tls && v != MITM_VERB_QUIT && v != MITM_VERB_EMPTY)
		c->obs.tls_commands++;
	if (c->in_tls || !c->obs.attack_reached)
		return;
	switch (v) {
	case MITM_VERB_QUIT:
	case MITM_VERB_STARTTLS:
	case MITM_VERB_EHLO:
	case MITM_VERB_HELO:	/* a HELO fallback alone exposes nothing (obs.helo_fallback) */
	case MITM_VERB_CAPA:
	case MITM_VERB_NOOP:
	case MITM_VERB_EMPTY:
		break;
	default:
		c->obs.after_attack++;
	}
}

static void
mail_seen(struct conn *c)
{
	if (c->in_tls)
		c->obs.mail_tls = 1;
	else
		c->obs.mail_clear = 1;
}

static void
auth_seen(struct conn *c, const char *mech, size_t len)
{
	if (c->in_tls)
		c->obs.auth_tls = 1;
	else
		c->obs.auth_clear = 1;
	if (c->obs.auth_mech[0] == '\0' && mech != NULL)
		snprintf(c->obs.auth_mech, sizeof(c->obs.auth_mech), "%s", mech);
	c->obs.auth_len += len;
}

/* ---- TLS with the client ------------------------------------------------------------------- */

static void
start_relay(struct conn *c)
{
	c->st = ST_RELAY;
	evtimer_del(c->phase);
	if (c->uin.len)
		bufferevent_write(c->cb, c->uin.data, c->uin.len);
	if (c->cin.len)
		u_send(c, c->cin.data, c->cin.len);
	dbuf_reset(&c->uin);
	dbuf_reset(&c->cin);
}

static void
start_tls(struct conn *c, enum mitm_attack a)
{
	SSL_CTX *ctx = mitm_certs_ctx(c->srv->p.certs, a);

	if (ctx == NULL)
		BUG("start_tls: no certificate for this attack");
	if (c->ub != NULL) {	/* the attacker's session ends here: nothing more goes upstream */
		bufferevent_free(c->ub);
		c->ub = NULL;
	}
	c->ssl = SSL_new(ctx);
	c->rbio = BIO_new(BIO_s_mem());
	c->wbio = BIO_new(BIO_s_mem());
	if (c->ssl == NULL || c->rbio == NULL || c->wbio == NULL)
		BUG("start_tls: out of memory");
	SSL_set_bio(c->ssl, c->rbio, c->wbio);
	SSL_set_accept_state(c->ssl);
	c->st = ST_HANDSHAKE;
	arm(c->phase, c->srv->p.line_ms);
	if (c->cin.len) {	/* bytes the client sent right after STARTTLS */
		BIO_write(c->rbio, c->cin.data, (int)c->cin.len);
		dbuf_reset(&c->cin);
		tls_pump(c);
	}
}

static void
tls_failed(struct conn *c, const char *why)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	c->obs.tls = MITM_TLS_FAILED;
	snprintf(c->obs.tls_error, sizeof(c->obs.tls_error), "%s", r ? r : why);
	flush_tls(c);	/* our alert */
	conn_close(c, MITM_END_CLIENT_CLOSED);
}

static void
tls_pump(struct conn *c)
{
	char buf[4096];
	int n, err;

	if (c->st == ST_HANDSHAKE) {
		n = SSL_do_handshake(c->ssl);
		flush_tls(c);
		if (n != 1) {
			err = SSL_get_error(c->ssl, n);
			if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
				tls_failed(c, "handshake failed");
			return;
		}
		c->st = ST_DIALOGUE;
		c->in_tls = 1;
		c->obs.tls = MITM_TLS_DONE;
		snprintf(c->obs.tls_version, sizeof(c->obs.tls_version), "%s",
		    SSL_get_version(c->ssl));
		arm(c->phase, c->srv->p.line_ms);
	}
	while (c->in_tls && c->st == ST_DIALOGUE) {
		n = SSL_read(c->ssl, buf, sizeof(buf));
		if (n <= 0) {
			err = SSL_get_error(c->ssl, n);
			if (err == SSL_ERROR_ZERO_RETURN)
				conn_close(c, MITM_END_CLIENT_CLOSED);
			else if (err != SSL_ERROR_WANT_READ) {
				ERR_clear_error();
				conn_close(c, MITM_END_BAD_INPUT);
			}
			break;
		}
		if (dbuf_add(&c->cin, buf, (size_t)n) < 0) {
			conn_close(c, MITM_END_BAD_INPUT);
			break;
		}
		process_client(c);
	}
	if (c->ssl != NULL)
		flush_tls(c);
}

/*
 * The part of a STARTTLS answer every protocol shares: the control run (relayed upstream with
 * CRLF added when crlf is set, or accepted here), garbage, close and the certificate attacks.
 * go is the protocol's "go ahead", garbage what no grammar accepts.  Returns 0 when the attack
 * is the protocol's own to answer.
 */
static int
starttls_shared(struct conn *c, const char *req, size_t len, int crlf, const char *go,
    const char *garbage)
{
	switch (attack(c)) {
	case MITM_ATTACK_NONE:
		if (proxied(c)) {
			u_send(c, req, len);
			if (crlf)
				u_send(c, "\r\n", 2);
			c->pend = PEND_STARTTLS;
		} else {
			c_say(c, go);
			start_tls(c, MITM_ATTACK_NONE);
		}
		return 1;
	case MITM_ATTACK_TLS_GARBAGE:
		reach(c);
		c_say(c, garbage);
		return 1;
	case MITM_ATTACK_TLS_CLOSE:
		reach(c);
		conn_close(c, MITM_END_MITM_CLOSED);
		return 1;
	case MITM_ATTACK_CERT_SELFSIGNED:
	case MITM_ATTACK_CERT_WRONGNAME:
	case MITM_ATTACK_CERT_EXPIRED:
	case MITM_ATTACK_CERT_UNKNOWNCA:
		reach(c);
		c_say(c, go);
		start_tls(c, attack(c));
		return 1;
	default:
		return 0;
	}
}

/* ---- SMTP and submission ------------------------------------------------------------------- */

static void
smtp_ehlo_reply(struct conn *c)
{
	const char *l[8];
	size_t n = 0;
	struct dbuf out;

	l[n++] = c->srv->p.name;
	l[n++] = "PIPELINING";
	l[n++] = "SIZE 10240000";
	if (!c->in_tls && attack(c) != MITM_ATTACK_STRIP)
		l[n++] = "STARTTLS";
	if (c->obs.proto == MITM_PROTO_SUBMISSION)
		l[n++] = "AUTH PLAIN LOGIN";
	l[n++] = "ENHANCEDSTATUSCODES";
	l[n++] = "8BITMIME";
	dbuf_init(&out, 4096);
	mitm_wire_smtp_reply(250, l, n, &out);
	c_send(c, out.data, out.len);
	dbuf_free(&out);
	if (!c->in_tls)
		caps_shown(c, 1);
}

static const char *
auth_fail(const struct conn *c, char *buf, size_t len)
{
	switch (c->obs.proto) {
	case MITM_PROTO_IMAP:
		snprintf(buf, len, "%s NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", c->tag);
		break;
	case MITM_PROTO_POP3:
		snprintf(buf, len, "-ERR [AUTH] Authentication failed.\r\n");
		break;
	default:
		snprintf(buf, len, "535 5.7.8 Error: authentication failed\r\n");
	}
	return buf;
}

static void
auth_prompt(struct conn *c, const char *b64)
{
	if (c->obs.proto == MITM_PROTO_SMTP || c->obs.proto == MITM_PROTO_SUBMISSION)
		c_printf(c, "334 %s\r\n", b64);
	else
		c_printf(c, "+ %s\r\n", b64);
}

/* AUTH / AUTHENTICATE: the exchange is answered here and never forwarded. */
static void
auth_start(struct conn *c, const struct mitm_cmd *m)
{
	char buf[128];

	auth_seen(c, m->mech[0] ? m->mech : "?", m->arg_len);
	if (strcmp(m->mech, "LOGIN") == 0) {
		c->auth_cont = m->has_ir ? 1 : 2;
		auth_prompt(c, m->has_ir ? "UGFzc3dvcmQ6" : "VXNlcm5hbWU6");
	} else if (m->has_ir || m->mech[0] == '\0') {
		c_say(c, auth_fail(c, buf, sizeof(buf)));
	} else {
		c->auth_cont = 1;
		auth_prompt(c, "");
	}
}

static void
auth_continue(struct conn *c, const char *line, size_t len)
{
	char buf[128];

	if (len == 1 && line[0] == '*') {	/* the client cancelled */
		c->auth_cont = 0;
		if (c->obs.proto == MITM_PROTO_IMAP)
			c_printf(c, "%s BAD Authentication aborted.\r\n", c->tag);
		else if (c->obs.proto == MITM_PROTO_POP3)
			c_say(c, "-ERR Authentication aborted.\r\n");
		else
			c_say(c, "501 5.7.0 Authentication aborted\r\n");
		return;
	}
	c->obs.auth_len += len;
	if (--c->auth_cont > 0)
		auth_prompt(c, "UGFzc3dvcmQ6");
	else
		c_say(c, auth_fail(c, buf, sizeof(buf)));
}

static void
smtp_starttls(struct conn *c, const char *line, size_t len)
{
	if (c->in_tls) {
		c_say(c, "554 5.5.1 Error: TLS already active\r\n");
		return;
	}
	c->obs.starttls_sent = 1;
	if (starttls_shared(c, line, len, 1, "220 2.0.0 Ready to start TLS\r\n", "TLS go ahead\r\n"))
		return;
	switch (attack(c)) {
	case MITM_ATTACK_STRIP:
	case MITM_ATTACK_EHLO_REFUSED:
		reach(c);
		c_say(c, "502 5.5.1 Error: command not implemented\r\n");
		return;
	case MITM_ATTACK_TLS_TEMPFAIL:
		reach(c);
		c_say(c, "454 4.7.0 TLS not available due to local problem\r\n");
		return;
	case MITM_ATTACK_TLS_PERMFAIL:
		reach(c);
		c_say(c, "554 5.7.0 Error: TLS not available\r\n");
		return;
	case MITM_ATTACK_INJECT:
		reach(c);
		/* one write: the client reads both before it starts the handshake */
		c_say(c, "220 2.0.0 Ready to start TLS\r\n250 2.0.0 mailtls: injected before TLS\r\n");
		start_tls(c, attack(c));
		return;
	default:
		break;
	}
	BUG("smtp_starttls: attack out of range");
}

static void
smtp_line(struct conn *c, const char *line, size_t len)
{
	struct mitm_cmd m;

	if (c->auth_cont > 0) {
		auth_continue(c, line, len);
		return;
	}
	mitm_wire_cmd(c->obs.proto, line, len, &m);
	note_cmd(c, m.verb);
	if (c->hold_armed) {	/* a command before the held EHLO reply: the injected one was taken */
		c->obs.inject_taken = 1;
		c->hold_armed = 0;
		evtimer_del(c->hold);
		smtp_ehlo_reply(c);
	}
	switch (m.verb) {
	case MITM_VERB_EHLO:
		if (!c->in_tls && attack(c) == MITM_ATTACK_EHLO_REFUSED) {
			reach(c);
			c_say(c, "502 5.5.2 Error: command not recognized\r\n");
		} else if (c->in_tls && attack(c) == MITM_ATTACK_INJECT && !c->inject_done) {
			c->inject_done = 1;
			c->hold_armed = 1;
			arm(c->hold, c->srv->p.hold_ms);
		} else if (proxied(c)) {
			forward_line(c, line, len);
			c->pend = PEND_EHLO;
		} else {
			smtp_ehlo_reply(c);
		}
		return;
	case MITM_VERB_HELO:
		if (!c->in_tls && attack(c) == MITM_ATTACK_EHLO_REFUSED && c->obs.attack_reached)
			c->obs.helo_fallback = 1;
		if (proxied(c))
			forward_line(c, line, len);
		else
			c_printf(c, "250 %s\r\n", c->srv->p.name);
		return;
	case MITM_VERB_STARTTLS:
		smtp_starttls(c, line, len);
		return;
	case MITM_VERB_AUTH:
		auth_start(c, &m);
		return;
	case MITM_VERB_MAIL:
	case MITM_VERB_RCPT:
		mail_seen(c);
		if (proxied(c))
			forward_line(c, line, len);
		else
			c_say(c, m.verb == MITM_VERB_MAIL ? "250 2.1.0 Ok\r\n" : "250 2.1.5 Ok\r\n");
		return;
	case MITM_VERB_DATA:
		/* never a message body: not read, not relayed */
		mail_seen(c);
		c_say(c, "554 5.7.0 mailtls mitm: no message is accepted or relayed\r\n");
		conn_close(c, MITM_END_MITM_CLOSED);
		return;
	case MITM_VERB_QUIT:
		c->obs.quit = 1;
		c_say(c, "221 2.0.0 Bye\r\n");
		conn_close(c, MITM_END_CLIENT_CLOSED);
		return;
	case MITM_VERB_RSET:
	case MITM_VERB_NOOP:
		if (proxied(c))
			forward_line(c, line, len);
		else
			c_say(c, "250 2.0.0 Ok\r\n");
		return;
	default:
		if (proxied(c))
			forward_line(c, line, len);
		else
			c_say(c, "502 5.5.2 Error: command not recognized\r\n");
		return;
	}
}

static void
hold_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	if (c->st != ST_DIALOGUE || !c->hold_armed)
		return;
	c->hold_armed = 0;
	smtp_ehlo_reply(c);
}

/* The upstream's SMTP replies, one complete reply at a time (lib/proto/smtp.c). */
static void
smtp_upstream(struct conn *c)
{
	while (c->st == ST_DIALOGUE && c->uin.len > 0) {
		struct arena *a = arena_new();
		struct smtp_reply r;
		enum smtp_parse p = smtp_reply_parse((const char *)c->uin.data, c->uin.len, a, &r);

		if (p == SMTP_PARSE_NEED_MORE) {
			arena_free(a);
			return;
		}
		if (p != SMTP_PARSE_OK) {
			arena_free(a);
			conn_close(c, MITM_END_UPSTREAM);
			return;
		}
		if (c->pend == PEND_EHLO && r.code == 250) {
			const char *l[SMTP_REPLY_LINES_MAX + 2];
			size_t i, n = 0;
			int tls = 0, auth = 0;
			struct dbuf out;

			for (i = 0; i < r.nlines; i++) {
				int k = i ? mitm_wire_ehlo_keyword(r.lines[i], strlen(r.lines[i])) : 0;

				tls |= k == 1;
				auth |= k == 2;
				if (k == 1 && attack(c) == MITM_ATTACK_STRIP)
					continue;
				l[n++] = r.lines[i];
			}
			if (attack(c) == MITM_ATTACK_STRIP && !auth &&
			    c->obs.proto == MITM_PROTO_SUBMISSION)
				l[n++] = "AUTH PLAIN LOGIN";
			caps_shown(c, tls);
			dbuf_init(&out, SMTP_REPLY_BYTES_MAX + 64);
			mitm_wire_smtp_reply(250, l, n, &out);
			c_send(c, out.data, out.len);
			dbuf_free(&out);
		} else {
			c_send(c, c->uin.data, r.consumed);
		}
		dbuf_consume(&c->uin, r.consumed);
		arena_free(a);
		if (c->pend == PEND_STARTTLS && r.code == 220) {
			c->pend = PEND_NONE;
			start_relay(c);
			return;
		}
		c->pend = PEND_NONE;
	}
}

/* ---- IMAP ---------------------------------------------------------------------------------- */

static void
imap_caps(struct conn *c, char *buf, size_t len)
{
	snprintf(buf, len, "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE AUTH=PLAIN AUTH=LOGIN%s",
	    !c->in_tls && attack(c) != MITM_ATTACK_STRIP ? " STARTTLS" : "");
	if (!c->in_tls)
		caps_shown(c, 1);
}

static void
imap_starttls(struct conn *c, const char *line, size_t len)
{
	char go[MITM_TAG_MAX + 40];

	if (c->in_tls) {
		c_printf(c, "%s BAD TLS is already active.\r\n", c->tag);
		return;
	}
	c->obs.starttls_sent = 1;
	snprintf(go, sizeof(go), "%s OK Begin TLS negotiation now.\r\n", c->tag);
	if (starttls_shared(c, line, len, 1, go, "TLS go ahead\r\n"))
		return;
	switch (attack(c)) {
	case MITM_ATTACK_TLS_TEMPFAIL:
		reach(c);
		c_printf(c, "%s NO [UNAVAILABLE] TLS not available right now.\r\n", c->tag);
		return;
	default:	/* strip, permfail (and the SMTP-only attacks, never planned here) */
		reach(c);
		c_printf(c, "%s BAD %s\r\n", c->tag, attack(c) == MITM_ATTACK_STRIP ?
		    "Unknown command." : "TLS not available.");
		return;
	}
}

static void
imap_login_done(struct conn *c)
{
	char buf[128];

	c->login_cont = 0;
	c_say(c, auth_fail(c, buf, sizeof(buf)));
}

static void
imap_line(struct conn *c, const char *line, size_t len)
{
	struct mitm_cmd m;
	char caps[160];
	int sync;

	if (c->auth_cont > 0) {
		auth_continue(c, line, len);
		return;
	}
	if (c->login_cont) {	/* the rest of LOGIN after a literal */
		c->obs.auth_len += len;
		if ((c->literal_left = mitm_wire_imap_literal(line, len, &sync)) > 0) {
			c->literal_login = 1;
			if (sync)
				c_say(c, "+ Ready for literal data\r\n");
		} else
			imap_login_done(c);
		return;
	}
	if (mitm_wire_cmd(MITM_PROTO_IMAP, line, len, &m) < 0) {
		note_cmd(c, MITM_VERB_EMPTY);
		c_say(c, "* BAD Error in IMAP command received by server.\r\n");
		return;
	}
	note_cmd(c, m.verb);
	snprintf(c->tag, sizeof(c->tag), "%s", m.tag);
	switch (m.verb) {
	case MITM_VERB_CAPA:
		if (proxied(c)) {
			forward_line(c, line, len);
			return;
		}
		imap_caps(c, caps, sizeof(caps));
		c_printf(c, "* CAPABILITY %s\r\n%s OK Capability completed.\r\n", caps, c->tag);
		return;
	case MITM_VERB_STARTTLS:
		imap_starttls(c, line, len);
		return;
	case MITM_VERB_LOGIN:
		auth_seen(c, "LOGIN", m.arg_len);
		if (m.literal > 0) {
			c->literal_left = m.literal;
			c->literal_login = 1;
			c->login_cont = 1;
			if (m.literal_sync)
				c_say(c, "+ Ready for literal data\r\n");
			return;
		}
		imap_login_done(c);
		return;
	case MITM_VERB_AUTH:
		auth_start(c, &m);
		return;
	case MITM_VERB_QUIT:
		c->obs.quit = 1;
		c_printf(c, "* BYE Logging out\r\n%s OK Logout completed.\r\n", c->tag);
		conn_close(c, MITM_END_CLIENT_CLOSED);
		return;
	case MITM_VERB_NOOP:
		if (proxied(c))
			forward_line(c, line, len);
		else
			c_printf(c, "%s OK NOOP completed.\r\n", c->tag);
		return;
	default:
		if (proxied(c)) {
			forward_line(c, line, len);
			if (m.literal > 0) {
				c->literal_left = m.literal;
				c->literal_login = 0;
			}
		} else if (len >= strlen(m.tag) + 3 &&
		    strncasecmp(line + strlen(m.tag), " ID", 3) == 0) {
			c_printf(c, "* ID NIL\r\n%s OK ID completed.\r\n", c->tag);
		} else {
			c_printf(c, "%s NO Please log in first.\r\n", c->tag);
		}
		return;
	}
}

static int
has_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w), i;

	for (i = 0; i + wl <= n; i++)
		if (strncasecmp(s + i, w, wl) == 0)
			return 1;
	return 0;
}

/* One upstream IMAP or POP3 line (without its line ending); returns 1 when relaying began. */
static int
imap_upstream_line(struct conn *c, const char *line, size_t len)
{
	char out[4096];
	long n;

	if (c->pend == PEND_STARTTLS && len > strlen(c->tag) &&
	    strncmp(line, c->tag, strlen(c->tag)) == 0 && line[strlen(c->tag)] == ' ') {
		c_send(c, line, len);
		c_send(c, "\r\n", 2);
		c->pend = PEND_NONE;
		if (has_word(line + strlen(c->tag), len - strlen(c->tag), " OK")) {
			start_relay(c);
			return 1;
		}
		return 0;
	}
	if (len < sizeof(out) - 16 &&
	    (n = mitm_wire_imap_caps(line, len, attack(c) == MITM_ATTACK_STRIP, out,
	    sizeof(out))) >= 0) {
		caps_shown(c, has_word(line, len, "STARTTLS"));
		if (attack(c) == MITM_ATTACK_STRIP) {
			c_send(c, out, (size_t)n);
			c_send(c, "\r\n", 2);
			return 0;
		}
	}
	c_send(c, line, len);
	c_send(c, "\r\n", 2);
	return 0;
}

/* ---- POP3 ---------------------------------------------------------------------------------- */

static void
pop3_starttls(struct conn *c, const char *line, size_t len)
{
	if (c->in_tls) {
		c_say(c, "-ERR TLS is already active.\r\n");
		return;
	}
	c->obs.starttls_sent = 1;
	if (starttls_shared(c, line, len, 1, "+OK Begin TLS negotiation now.\r\n",
	    "TLS go ahead\r\n"))
		return;
	switch (attack(c)) {
	case MITM_ATTACK_TLS_TEMPFAIL:
		reach(c);
		c_say(c, "-ERR [SYS/TEMP] TLS not available right now.\r\n");
		return;
	default:
		reach(c);
		c_say(c, attack(c) == MITM_ATTACK_STRIP ? "-ERR Unknown command.\r\n" :
		    "-ERR TLS not available.\r\n");
		return;
	}
}

static void
pop3_line(struct conn *c, const char *line, size_t len)
{
	struct mitm_cmd m;
	char buf[128];

	if (c->auth_cont > 0) {
		auth_continue(c, line, len);
		return;
	}
	mitm_wire_cmd(MITM_PROTO_POP3, line, len, &m);
	note_cmd(c, m.verb);
	switch (m.verb) {
	case MITM_VERB_CAPA:
		if (proxied(c)) {
			forward_line(c, line, len);
			c->pend = PEND_CAPA;
			return;
		}
		c_printf(c, "+OK Capability list follows\r\nUSER\r\nSASL PLAIN LOGIN\r\nTOP\r\n"
		    "UIDL\r\n%s.\r\n", !c->in_tls && attack(c) != MITM_ATTACK_STRIP ? "STLS\r\n" :
		    "");
		if (!c->in_tls)
			caps_shown(c, 1);
		return;
	case MITM_VERB_STARTTLS:
		pop3_starttls(c, line, len);
		return;
	case MITM_VERB_USER:	/* not a credential; never forwarded, so PASS is ours too */
		c_say(c, "+OK\r\n");
		return;
	case MITM_VERB_PASS:
		auth_seen(c, "USER/PASS", m.arg_len);
		c_say(c, auth_fail(c, buf, sizeof(buf)));
		return;
	case MITM_VERB_APOP:
		auth_seen(c, "APOP", m.arg_len);
		c_say(c, auth_fail(c, buf, sizeof(buf)));
		return;
	case MITM_VERB_AUTH:
		if (m.mech[0] == '\0') {
			c_say(c, "+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n");
			return;
		}
		auth_start(c, &m);
		return;
	case MITM_VERB_QUIT:
		c->obs.quit = 1;
		c_say(c, "+OK Bye\r\n");
		conn_close(c, MITM_END_CLIENT_CLOSED);
		return;
	default:
		if (proxied(c))
			forward_line(c, line, len);
		else
			c_say(c, "-ERR Unknown command.\r\n");
		return;
	}
}

static int
pop3_upstream_line(struct conn *c, const char *line, size_t len)
{
	if (c->pend == PEND_STARTTLS) {
		c->pend = PEND_NONE;
		c_send(c, line, len);
		c_send(c, "\r\n", 2);
		if (len >= 3 && strncmp(line, "+OK", 3) == 0) {
			start_relay(c);
			return 1;
		}
		return 0;
	}
	if (c->pend == PEND_CAPA && !c->pop3_capa) {
		c->pend = PEND_NONE;
		c->pop3_capa = len >= 3 && strncmp(line, "+OK", 3) == 0;
		c->pop3_user = c->pop3_sasl = 0;
	} else if (c->pop3_capa) {
		if (len == 1 && line[0] == '.') {
			c->pop3_capa = 0;
			if (attack(c) == MITM_ATTACK_STRIP) {
				reach(c);
				if (!c->pop3_user)
					c_say(c, "USER\r\n");
				if (!c->pop3_sasl)
					c_say(c, "SASL PLAIN LOGIN\r\n");
			}
		} else {
			switch (mitm_wire_pop3_capa(line, len)) {
			case MITM_VERB_STARTTLS:
				c->obs.offered = attack(c) != MITM_ATTACK_STRIP;
				if (attack(c) == MITM_ATTACK_NONE)
					reach(c);
				if (attack(c) == MITM_ATTACK_STRIP)
					return 0;
				break;
			case MITM_VERB_USER:
				c->pop3_user = 1;
				break;
			case MITM_VERB_AUTH:
				c->pop3_sasl = 1;
				break;
			default:
				break;
			}
		}
	}
	c_send(c, line, len);
	c_send(c, "\r\n", 2);
	return 0;
}

/* IMAP and POP3 upstreams are line-based; a line past the ceiling is passed on untouched. */
static void
lines_upstream(struct conn *c)
{
	while (c->st == ST_DIALOGUE && c->uin.len > 0) {
		size_t len, used = line_end(&c->uin, &len);
		char *line;

		if (used == 0) {
			if (c->uin.len > MITM_IMAP_LINE_MAX) {
				c_send(c, c->uin.data, c->uin.len);
				dbuf_reset(&c->uin);
			}
			return;
		}
		line = take_front(&c->uin, len, used);
		if (c->obs.proto == MITM_PROTO_IMAP)
			imap_upstream_line(c, line, len);
		else
			pop3_upstream_line(c, line, len);
		free(line);
	}
}

/* ---- XMPP ---------------------------------------------------------------------------------- */

static void
xmpp_open_reply(struct conn *c)
{
	int tls = !c->in_tls && attack(c) != MITM_ATTACK_STRIP;

	c_printf(c, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
	    "xmlns:stream='http://etherx.jabber.org/streams' id='mitm%u' from='%s' version='1.0' "
	    "xml:lang='en'><stream:features>%s<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
	    "<mechanism>PLAIN</mechanism></mechanisms></stream:features>", c->id, c->srv->p.name,
	    tls ? "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" : "");
	if (!c->in_tls)
		caps_shown(c, 1);
}

static void
xmpp_starttls(struct conn *c, const char *el, size_t len)
{
	static const char proceed[] = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";

	if (c->in_tls) {
		conn_close(c, MITM_END_BAD_INPUT);
		return;
	}
	c->obs.starttls_sent = 1;
	if (starttls_shared(c, el, len, 0, proceed, "<<proceed/>\r\n"))
		return;
	/* strip, permfail: RFC 6120 §5.4.2.2 */
	reach(c);
	c_say(c, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>");
	conn_close(c, MITM_END_MITM_CLOSED);
}

static void
xmpp_item(struct conn *c, const struct mitm_xmpp_item *it, const char *raw)
{
	switch (it->kind) {
	case MITM_XMPP_SPACE:
	case MITM_XMPP_DECL:
		if (proxied(c))
			u_send(c, raw, it->len);
		return;
	case MITM_XMPP_OPEN:
		note_cmd(c, MITM_VERB_EHLO);
		if (proxied(c))
			u_send(c, raw, it->len);
		else
			xmpp_open_reply(c);
		return;
	case MITM_XMPP_CLOSE:
		c->obs.quit = 1;
		c_say(c, "</stream:stream>");
		conn_close(c, MITM_END_CLIENT_CLOSED);
		return;
	case MITM_XMPP_ELEMENT:
		if (strcmp(it->name, "starttls") == 0) {
			note_cmd(c, MITM_VERB_STARTTLS);
			xmpp_starttls(c, raw, it->len);
		} else if (strcmp(it->name, "auth") == 0) {
			note_cmd(c, MITM_VERB_AUTH);
			auth_seen(c, it->mech[0] ? it->mech : "?", it->text_len);
			c_say(c, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/>"
			    "</failure>");
		} else {
			note_cmd(c, MITM_VERB_OTHER);
			if (proxied(c))
				u_send(c, raw, it->len);
			else {
				c_say(c, "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:"
				    "xmpp-streams'/></stream:error></stream:stream>");
				conn_close(c, MITM_END_MITM_CLOSED);
			}
		}
		return;
	default:
		c_say(c, "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'"
		    "/></stream:error></stream:stream>");
		conn_close(c, MITM_END_BAD_INPUT);
		return;
	}
}

static void
xmpp_upstream(struct conn *c)
{
	while (c->st == ST_DIALOGUE && c->uin.len > 0) {
		struct mitm_xmpp_item it;
		const char *raw = (const char *)c->uin.data;
		enum mitm_xmpp_kind k = mitm_xmpp_next(raw, c->uin.len, MITM_XMPP_ELEM_MAX, &it);

		if (k == MITM_XMPP_NEED_MORE)
			return;
		if (k == MITM_XMPP_BAD || k == MITM_XMPP_TOO_BIG) {
			conn_close(c, MITM_END_UPSTREAM);
			return;
		}
		if (k == MITM_XMPP_ELEMENT && strcmp(it.name, "stream:features") == 0) {
			caps_shown(c, it.has_starttls);
			if (attack(c) == MITM_ATTACK_STRIP) {
				char *out = xcalloc(1, it.len + 256);
				size_t n = mitm_xmpp_strip(raw, it.len, 1, out, it.len + 256);

				c_send(c, out, n);
				free(out);
				dbuf_consume(&c->uin, it.len);
				continue;
			}
		}
		c_send(c, raw, it.len);
		dbuf_consume(&c->uin, it.len);
		if (k == MITM_XMPP_ELEMENT && c->pend == PEND_STARTTLS &&
		    strcmp(it.name, "proceed") == 0) {
			c->pend = PEND_NONE;
			start_relay(c);
			return;
		}
	}
}

/* ---- dispatch ------------------------------------------------------------------------------ */

static void
process_client(struct conn *c)
{
	size_t max = c->obs.proto == MITM_PROTO_IMAP ? MITM_IMAP_LINE_MAX : MITM_LINE_MAX;
	char *line;

	if (c->obs.proto == MITM_PROTO_XMPP) {
		while (c->st == ST_DIALOGUE && c->cin.len > 0) {
			struct mitm_xmpp_item it;
			enum mitm_xmpp_kind k = mitm_xmpp_next((const char *)c->cin.data, c->cin.len,
			    MITM_XMPP_ELEM_MAX, &it);
			char *raw;

			if (k == MITM_XMPP_NEED_MORE)
				return;
			if (k == MITM_XMPP_BAD || k == MITM_XMPP_TOO_BIG) {
				xmpp_item(c, &it, NULL);
				return;
			}
			raw = take_front(&c->cin, it.len, it.len);
			if (k != MITM_XMPP_SPACE)
				arm(c->phase, c->srv->p.line_ms);
			xmpp_item(c, &it, raw);
			free(raw);
		}
		return;
	}
	while (c->st == ST_DIALOGUE && c->cin.len > 0) {
		size_t len, used;

		if (c->literal_left > 0) {
			size_t k = c->literal_left < c->cin.len ? c->literal_left : c->cin.len;

			if (c->literal_login)
				c->obs.auth_len += k;
			else if (proxied(c))
				u_send(c, c->cin.data, k);
			dbuf_consume(&c->cin, k);
			c->literal_left -= k;
			continue;
		}
		if ((used = line_end(&c->cin, &len)) == 0) {
			if (c->cin.len > max) {
				c_say(c, c->obs.proto == MITM_PROTO_POP3 ? "-ERR Line too long.\r\n" :
				    c->obs.proto == MITM_PROTO_IMAP ? "* BYE Line too long.\r\n" :
				    "500 5.5.2 Error: line too long\r\n");
				conn_close(c, MITM_END_BAD_INPUT);
			}
			return;
		}
		if (len > max) {
			conn_close(c, MITM_END_BAD_INPUT);
			return;
		}
		line = take_front(&c->cin, len, used);
		arm(c->phase, c->srv->p.line_ms);
		switch (c->obs.proto) {
		case MITM_PROTO_IMAP:
			imap_line(c, line, len);
			break;
		case MITM_PROTO_POP3:
			pop3_line(c, line, len);
			break;
		default:
			smtp_line(c, line, len);
		}
		free(line);
	}
}

static void
process_upstream(struct conn *c)
{
	switch (c->obs.proto) {
	case MITM_PROTO_IMAP:
	case MITM_PROTO_POP3:
		lines_upstream(c);
		break;
	case MITM_PROTO_XMPP:
		xmpp_upstream(c);
		break;
	default:
		smtp_upstream(c);
	}
}

/* ---- events -------------------------------------------------------------------------------- */

static void
conn_free(struct conn *c)
{
	struct mitm_server *s = c->srv;
	struct mitm_record r;

	memset(&r, 0, sizeof(r));
	r.id = c->id;
	r.run = c->run;
	snprintf(r.client_ip, sizeof(r.client_ip), "%s", c->ip);
	r.client_port = c->port;
	r.obs = c->obs;
	r.outcome = mitm_verdict_conn(&c->obs);
	r.ms = ms_since(&c->t0);
	r.bytes_in = c->bytes_in;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->active--;
	if (c->ub)
		bufferevent_free(c->ub);
	bufferevent_free(c->cb);
	SSL_free(c->ssl);	/* frees the BIOs too */
	event_free(c->phase);
	event_free(c->whole);
	event_free(c->hold);
	event_free(c->done);
	dbuf_free(&c->cin);
	dbuf_free(&c->uin);
	free(c);
	if (s->lis != NULL)
		evconnlistener_enable(s->lis);
	if (s->p.record != NULL)
		s->p.record(s->p.arg, &r);
}

static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
	conn_free(arg);
}

static void
phase_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	if (c->st == ST_HANDSHAKE) {
		c->obs.tls = MITM_TLS_FAILED;
		snprintf(c->obs.tls_error, sizeof(c->obs.tls_error), "handshake deadline passed");
	}
	conn_close(c, MITM_END_TIMEOUT);
}

static void
relay(struct conn *c, struct bufferevent *from, struct bufferevent *to)
{
	struct evbuffer *in = bufferevent_get_input(from);

	if (from == c->cb)
		c->bytes_in += evbuffer_get_length(in);
	if (to == NULL) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	bufferevent_write_buffer(to, in);
	if (evbuffer_get_length(bufferevent_get_output(to)) > MITM_OUT_MAX)
		bufferevent_disable(from, EV_READ);	/* on again when "to" drains */
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	unsigned char buf[4096];
	int n;

	while (c->st != ST_DONE && (n = evbuffer_remove(in, buf, sizeof(buf))) > 0) {
		if (c->st == ST_RELAY) {
			c->bytes_in += (unsigned long)n;
			u_send(c, buf, (size_t)n);
			relay(c, bev, c->ub);
			return;
		}
		c->bytes_in += (unsigned long)n;
		if (c->st == ST_HANDSHAKE || c->in_tls) {
			BIO_write(c->rbio, buf, n);
			tls_pump(c);
		} else if (dbuf_add(&c->cin, buf, (size_t)n) < 0) {
			conn_close(c, MITM_END_BAD_INPUT);
		} else {
			process_client(c);
		}
	}
	if (c->st == ST_DONE)
		evbuffer_drain(in, evbuffer_get_length(in));
}

static void
client_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->st == ST_DONE)
		event_active(c->done, EV_TIMEOUT, 0);
	else if (c->st == ST_RELAY && c->ub != NULL)
		bufferevent_enable(c->ub, EV_READ);
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	if (c->st == ST_DONE) {
		event_active(c->done, EV_TIMEOUT, 0);
		return;
	}
	if (c->st == ST_HANDSHAKE) {
		c->obs.tls = MITM_TLS_FAILED;
		snprintf(c->obs.tls_error, sizeof(c->obs.tls_error),
		    "the client closed the connection during the handshake");
	}
	conn_close(c, MITM_END_CLIENT_CLOSED);
}

static void
upstream_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	unsigned char buf[4096];
	int n;

	while (c->st != ST_DONE && c->ub != NULL && (n = evbuffer_remove(in, buf, sizeof(buf))) > 0) {
		if (c->st == ST_RELAY) {
			bufferevent_write(c->cb, buf, (size_t)n);
			relay(c, bev, c->cb);
			return;
		}
		if (dbuf_add(&c->uin, buf, (size_t)n) < 0) {
			conn_close(c, MITM_END_UPSTREAM);
			return;
		}
		process_upstream(c);
	}
}

static void
upstream_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->st == ST_RELAY)
		bufferevent_enable(c->cb, EV_READ);
}

static void
upstream_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		arm(c->phase, c->srv->p.line_ms);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_close(c, c->st == ST_RELAY ? MITM_END_CLIENT_CLOSED : MITM_END_UPSTREAM);
}

static void
accept_cb(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa, int salen,
    void *arg)
{
	struct mitm_server *s = arg;
	struct conn *c;
	enum mitm_attack a;
	char ip[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
		port = ntohs(((struct sockaddr_in *)sa)->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof(ip));
		port = ntohs(((struct sockaddr_in6 *)sa)->sin6_port);
	}
	a = s->p.choose ? s->p.choose(s->p.arg, s->next_id + 1, ip) : MITM_ATTACK_NONE;
	if (a >= MITM_ATTACK_LAST) {
		evutil_closesocket(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->srv = s;
	c->id = ++s->next_id;
	c->run = s->run;
	snprintf(c->ip, sizeof(c->ip), "%s", ip);
	c->port = port;
	c->obs.proto = s->p.proto;
	c->obs.attack = a;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	dbuf_init(&c->cin, (c->obs.proto == MITM_PROTO_XMPP ? MITM_XMPP_ELEM_MAX :
	    MITM_IMAP_LINE_MAX) + 8192);
	dbuf_init(&c->uin, UPSTREAM_MAX);
	c->phase = evtimer_new(s->base, phase_cb, c);
	c->whole = evtimer_new(s->base, phase_cb, c);
	c->hold = evtimer_new(s->base, hold_cb, c);
	c->done = evtimer_new(s->base, done_cb, c);
	c->cb = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->phase == NULL || c->whole == NULL || c->hold == NULL || c->done == NULL ||
	    c->cb == NULL)
		BUG("accept_cb: out of memory");
	bufferevent_setcb(c->cb, client_read, client_write, client_event, c);
	bufferevent_enable(c->cb, EV_READ | EV_WRITE);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	if (++s->active >= s->p.max_clients)
		evconnlistener_disable(lis);
	arm(c->whole, s->p.conn_ms);
	arm(c->phase, s->p.line_ms);
	if (s->p.upstream_ip != NULL) {
		c->ub = bufferevent_socket_new(s->base, -1, BEV_OPT_CLOSE_ON_FREE);
		if (c->ub == NULL)
			BUG("accept_cb: out of memory");
		bufferevent_setcb(c->ub, upstream_read, upstream_write, upstream_event, c);
		bufferevent_enable(c->ub, EV_READ | EV_WRITE);
		arm(c->phase, s->p.connect_ms);
		if (bufferevent_socket_connect(c->ub, (struct sockaddr *)&s->ups, (int)s->upslen) < 0)
			conn_close(c, MITM_END_UPSTREAM);
		return;
	}
	switch (c->obs.proto) {
	case MITM_PROTO_SMTP:
	case MITM_PROTO_SUBMISSION:
		c_printf(c, "220 %s ESMTP mailtls-mitm\r\n", s->p.name);
		break;
	case MITM_PROTO_IMAP: {
		char caps[160];

		imap_caps(c, caps, sizeof(caps));
		c_printf(c, "* OK [CAPABILITY %s] %s mailtls-mitm ready.\r\n", caps, s->p.name);
		break;
	}
	case MITM_PROTO_POP3:
		c_printf(c, "+OK %s mailtls-mitm ready.\r\n", s->p.name);
		break;
	default:
		break;	/* XMPP: the client opens the stream */
	}
}

static int
sockaddr_of(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

struct mitm_server *
mitm_server_new(struct event_base *base, const struct mitm_params *p, char *err, size_t errlen)
{
	struct mitm_server *s = xcalloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	socklen_t len;

	s->base = base;
	s->p = *p;
	if (s->p.max_clients == 0)
		s->p.max_clients = MITM_CLIENTS_MAX;
	if (s->p.hold_ms <= 0)
		s->p.hold_ms = MITM_HOLD_MS;
	if (sockaddr_of(p->listen_ip, p->listen_port, &ss, &len) < 0) {
		snprintf(err, errlen, "cannot listen on '%s': not an address literal", p->listen_ip);
		goto fail;
	}
	if (p->upstream_ip != NULL &&
	    sockaddr_of(p->upstream_ip, p->upstream_port, &s->ups, &s->upslen) < 0) {
		snprintf(err, errlen, "upstream '%s' is not an address literal", p->upstream_ip);
		goto fail;
	}
	s->lis = evconnlistener_new_bind(base, accept_cb, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&ss, (int)len);
	if (s->lis == NULL) {
		snprintf(err, errlen, "cannot listen on %s port %d: %s", p->listen_ip,
		    p->listen_port, strerror(errno));
		goto fail;
	}
	len = sizeof(ss);
	if (getsockname(evconnlistener_get_fd(s->lis), (struct sockaddr *)&ss, &len) == 0)
		s->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
		    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return s;
fail:
	free(s);
	return NULL;
}

void
mitm_server_free(struct mitm_server *s)
{
	if (s == NULL)
		return;
	if (s->lis != NULL) {
		evconnlistener_free(s->lis);
		s->lis = NULL;
	}
	while (s->conns != NULL) {
		if (s->conns->st != ST_DONE)
			s->conns->obs.end = MITM_END_TIMEOUT;
		conn_free(s->conns);
	}
	free(s);
}

unsigned
mitm_server_active(const struct mitm_server *s)
{
	return s->active;
}

void
mitm_server_set_run(struct mitm_server *s, unsigned run)
{
	s->run = run;
}

int
mitm_server_port(const struct mitm_server *s)
{
	return s->port;
}
