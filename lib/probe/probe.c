/*
 * probe.c — the probe's state machine.
 *
 * One state machine per connection; one function changes state (probe_state(), traced); each
 * state has its deadline kind and a "while ..." text for findings, in one table.  A reply is
 * handled by probe_reply_<state>(); commands go out through probe_send().
 *
 * Dialogue (RFC 5321, RFC 3207; RFC 8314 for implicit TLS):
 *   smtp:  CONNECT BANNER EHLO [HELO] STARTTLS TLS EHLO_TLS QUIT DONE
 *   smtps: CONNECT TLS BANNER EHLO_TLS QUIT DONE
 *   pipe:  CONNECT BANNER EHLO STARTTLS(+NOOP) TLS PIPE_WAIT QUIT DONE (CVE-2011-0411 test)
 *   handoff: CONNECT BANNER EHLO STARTTLS DONE, the socket given to the caller (--full checks)
 *
 * Every byte from the server lands in a dbuf with a ceiling; a reply is parsed only when complete,
 * and the SMTP parser stops a line or a reply at its own ceilings long before the buffer's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "net/sock.h"
#include "probe/conn.h"
#include "probe/engine.h"
#include "probe/probe.h"
#include "proto/smtp.h"
#include "tls/tls.h"
#include "util/arena.h"
#include "util/dbuf.h"
#include "util/text.h"
#include "util/xalloc.h"

#define PROBE_IN_MAX	(64 * 1024)	/* unparsed bytes from the server */
#define PROBE_OUT_MAX	(64 * 1024)	/* bytes queued for the server */
#define PROBE_READ_CHUNK 16384

enum probe_state {
	PROBE_CONNECT = 0,
	PROBE_BANNER,
	PROBE_EHLO,
	PROBE_HELO,
	PROBE_STARTTLS,
	PROBE_TLS,
	PROBE_EHLO_TLS,
	PROBE_QUIT,
	PROBE_RAW,
	PROBE_PIPE_WAIT,
	PROBE_DONE,
	PROBE_LAST
};

static const struct {
	const char		*name;
	const char		*during;	/* completes "... while <during>" */
	enum conn_deadline	 deadline;
} probe_states[PROBE_LAST] = {
	[PROBE_CONNECT] = { "connect", "connecting", CONN_DEADLINE_CONNECT },
	[PROBE_BANNER] = { "banner", "waiting for the greeting", CONN_DEADLINE_REPLY },
	[PROBE_EHLO] = { "ehlo", "waiting for the EHLO reply", CONN_DEADLINE_REPLY },
	[PROBE_HELO] = { "helo", "waiting for the HELO reply", CONN_DEADLINE_REPLY },
	[PROBE_STARTTLS] = { "starttls", "waiting for the STARTTLS reply", CONN_DEADLINE_REPLY },
	[PROBE_TLS] = { "tls", "in the TLS handshake", CONN_DEADLINE_TLS },
	[PROBE_EHLO_TLS] = { "ehlo-tls", "waiting for the EHLO reply inside TLS", CONN_DEADLINE_REPLY },
	[PROBE_QUIT] = { "quit", "waiting for the QUIT reply", CONN_DEADLINE_REPLY },
	[PROBE_RAW] = { "raw", "waiting for the answer to our hello", CONN_DEADLINE_TLS },
	[PROBE_PIPE_WAIT] = { "pipe-wait", "listening inside TLS after the pipelined STARTTLS",
	    CONN_DEADLINE_PIPE },
	[PROBE_DONE] = { "done", "finishing", CONN_DEADLINE_NONE },
};

struct probe {
	struct probe_params	 params;
	struct arena		*arena;		/* the caller's: results live here */
	struct endpoint		*ep;
	struct event_base	*base;
	enum probe_state	 state;
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_phase;	/* the current state's deadline */
	struct event		*ev_total;	/* the whole probe's deadline */
	struct event		*ev_done;	/* runs the callback from the loop */
	struct dbuf		 in;		/* plaintext from the server, unparsed */
	struct dbuf		 out;		/* bytes for the socket */
	struct tls_session	*tls;
	int			 tls_active;	/* bytes on the wire are TLS records */
	int			 tls_first;	/* no TLS byte seen yet */
	size_t			 raw_walk;	/* raw mode: offset of the first incomplete record */
	size_t			 raw_records;	/* raw mode: complete records so far */
	struct timespec		 t0;
	probe_done_cb		 cb;
	void			*cb_arg;
	struct engine		*engine;	/* protocols with a module run on lib/probe/engine.c */
};

static void	probe_state(struct probe *, enum probe_state);
static void	probe_finish(struct probe *);
static void	probe_dispatch(struct probe *);
static void	probe_send(struct probe *, const char *);
static void	probe_flush(struct probe *);
static void	probe_tls_start(struct probe *);

/* The ONLY way to change state: traced, and re-arms the state's deadline. */
static void
probe_state(struct probe *p, enum probe_state s)
{
	long ms;

	if (p->state == PROBE_DONE)
		return;		/* a failure inside a send already ended the probe */
	if (getenv("MAILTLS_TRACE"))
		fprintf(stderr, "mailtls: trace %s:%d %s -> %s\n", p->params.ip, p->params.port,
		    probe_states[p->state].name, probe_states[s].name);
	p->state = s;
	evtimer_del(p->ev_phase);
	ms = conn_deadline_ms(&p->params, probe_states[s].deadline);
	if (ms > 0)
		conn_arm(p->ev_phase, ms);
}

static void
probe_note(struct probe *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	endpoint_log(p->ep, p->arena, '*', buf, strlen(buf));
}

static const char *const probe_pipe_names[PROBE_PIPE_LAST] = {
	[PROBE_PIPE_NOT_TESTED] = "not_tested",
	[PROBE_PIPE_NOT_APPLICABLE] = "not_applicable",
	[PROBE_PIPE_NOT_VULNERABLE] = "not_vulnerable",
	[PROBE_PIPE_VULNERABLE] = "vulnerable",
	[PROBE_PIPE_INCONCLUSIVE] = "inconclusive",
};

const char *
probe_pipe_name(enum probe_pipe_result r)
{
	return (unsigned)r < PROBE_PIPE_LAST ? probe_pipe_names[r] : "?";
}

/*
 * Pipe mode: the first decision stands (a later failure does not undo "answered in plaintext"),
 * except that "vulnerable" overrides anything: a reply to the NOOP inside TLS is proof.
 */
static void
probe_pipe_decide(struct probe *p, enum probe_pipe_result r, const char *fmt, ...)
{
	struct probe_pipe *pipe = p->params.pipe;
	char buf[sizeof(pipe->reason)];
	va_list ap;

	if (pipe == NULL || (pipe->result != PROBE_PIPE_NOT_TESTED && r != PROBE_PIPE_VULNERABLE))
		return;
	pipe->result = r;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text_clean(pipe->reason, sizeof(pipe->reason), buf, strlen(buf));
	probe_note(p, "command injection test: %s: %s", probe_pipe_name(r), pipe->reason);
}

/* End the dialogue politely when the connection is still usable. */
static void
probe_quit(struct probe *p)
{
	probe_send(p, "QUIT");
	probe_state(p, PROBE_QUIT);
}

static void
probe_close(struct probe *p)
{
	conn_close(&p->fd, p->ev_read, p->ev_write, p->ev_phase, p->ev_total);
}

static void
probe_done_ev(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	/* may free p: nothing after this call */
	p->cb(p, p->ep, p->cb_arg);
}

static void
probe_finish(struct probe *p)
{
	if (p->state == PROBE_DONE)
		return;
	probe_pipe_decide(p, PROBE_PIPE_INCONCLUSIVE, "the dialogue ended while %s",
	    probe_states[p->state].during);
	probe_state(p, PROBE_DONE);
	p->state = PROBE_DONE;
	probe_close(p);
	p->ep->elapsed_ms = conn_elapsed_ms(&p->t0);
	event_active(p->ev_done, EV_TIMEOUT, 0);
}

static void
probe_fail(struct probe *p, enum finding_id id, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	endpoint_finding(p->ep, p->arena, id, "%s", buf);
	probe_note(p, "%s", buf);
	probe_pipe_decide(p, PROBE_PIPE_INCONCLUSIVE, "%s", buf);
	probe_finish(p);
}

/* Queue one command line without writing it (pipelining needs two in one write). */
static int
probe_queue(struct probe *p, const char *cmd)
{
	char line[600];
	int n;

	endpoint_log(p->ep, p->arena, '>', cmd, strlen(cmd));
	n = snprintf(line, sizeof(line), "%s\r\n", cmd);
	if (p->tls_active) {
		if (tls_session_write(p->tls, line, (size_t)n) < 0 ||
		    tls_session_drain(p->tls, &p->out) < 0) {
			probe_fail(p, FINDING_TLS_HANDSHAKE_FAILED, "TLS write failed: %s",
			    tls_session_error(p->tls));
			return -1;
		}
	} else if (dbuf_add(&p->out, line, (size_t)n) != DBUF_OK)
		BUG("output queue over its ceiling");
	return 0;
}

static void
probe_send(struct probe *p, const char *cmd)
{
	if (probe_queue(p, cmd) == 0)
		probe_flush(p);
}

static void
probe_flush(struct probe *p)
{
	if (conn_flush(p->fd, &p->out, p->ev_write) == 0)
		return;
	if (p->state != PROBE_QUIT)
		probe_fail(p, FINDING_CONN_CLOSED, "write failed while %s: %s",
		    probe_states[p->state].during, strerror(errno));
	else
		probe_finish(p);
}

/* Record each reply line in the transcript. */
static void
probe_log_reply(struct probe *p, const struct smtp_reply *r)
{
	char buf[300];
	size_t i;

	for (i = 0; i < r->nlines; i++) {
		snprintf(buf, sizeof(buf), "%d%c%s", r->code, i + 1 < r->nlines ? '-' : ' ',
		    r->lines[i]);
		endpoint_log(p->ep, p->arena, '<', buf, strlen(buf));
	}
}

static void
probe_reply_banner(struct probe *p, const struct smtp_reply *r)
{
	char cmd[300];

	p->ep->banner = r->nlines ? text_clean_dup(p->arena, r->lines[0]) : "";
	if (r->code == 421 && p->params.raw)
		p->params.raw->rejected_421 = 1;
	if (r->code != 220) {
		probe_fail(p, FINDING_SMTP_REJECTED, "greeting %d %s", r->code, p->ep->banner);
		return;
	}
	snprintf(cmd, sizeof(cmd), "EHLO %s", p->params.ehlo);
	probe_send(p, cmd);
	probe_state(p, p->tls_active ? PROBE_EHLO_TLS : PROBE_EHLO);
}

static void
probe_reply_ehlo(struct probe *p, const struct smtp_reply *r)
{
	struct smtp_caps *c;
	char cmd[300];

	if (smtp_reply_class(r->code) == 5) {
		/* RFC 5321 §3.2: fall back to HELO; no extensions, so no STARTTLS */
		snprintf(cmd, sizeof(cmd), "HELO %s", p->params.ehlo);
		endpoint_finding(p->ep, p->arena, FINDING_SMTP_EHLO_REFUSED, "EHLO answered %d", r->code);
		probe_send(p, cmd);
		probe_state(p, PROBE_HELO);
		return;
	}
	if (r->code != 250) {
		probe_fail(p, FINDING_SMTP_REJECTED, "EHLO answered %d %s", r->code,
		    r->nlines ? r->lines[0] : "");
		return;
	}
	c = arena_alloc(p->arena, sizeof(*c));
	smtp_caps_parse(r, p->arena, c);
	p->ep->caps_plain = c;
	p->ep->starttls_offered = c->starttls;
	if (c->auth)
		endpoint_finding(p->ep, p->arena, FINDING_AUTH_BEFORE_TLS, "AUTH %s offered in plaintext",
		    c->auth_mechs ? c->auth_mechs : "");
	if (!c->starttls) {
		endpoint_finding(p->ep, p->arena, FINDING_STARTTLS_NOT_OFFERED, "no STARTTLS in the EHLO reply");
		probe_pipe_decide(p, PROBE_PIPE_INCONCLUSIVE, "STARTTLS was not offered on this connection");
		probe_quit(p);
		return;
	}
	if (p->params.pipe != NULL) {
		/* one write, as a man-in-the-middle appending to the client's segment would */
		probe_queue(p, "STARTTLS");
		probe_queue(p, "NOOP");
		probe_flush(p);
	} else
		probe_send(p, "STARTTLS");
	probe_state(p, PROBE_STARTTLS);
}

static void
probe_reply_helo(struct probe *p, const struct smtp_reply *r)
{
	endpoint_finding(p->ep, p->arena, FINDING_STARTTLS_NOT_OFFERED,
	    "EHLO refused, HELO %s: no STARTTLS possible", r->code == 250 ? "accepted" : "refused too");
	probe_pipe_decide(p, PROBE_PIPE_INCONCLUSIVE, "EHLO was refused on this connection");
	probe_quit(p);
}

static void
probe_reply_starttls(struct probe *p, const struct smtp_reply *r)
{
	if (r->code != 220) {
		endpoint_finding(p->ep, p->arena, FINDING_STARTTLS_REJECTED, "STARTTLS answered %d %s",
		    r->code, r->nlines ? r->lines[0] : "");
		probe_pipe_decide(p, PROBE_PIPE_INCONCLUSIVE,
		    "STARTTLS with a pipelined NOOP was answered %d %s", r->code,
		    r->nlines ? r->lines[0] : "");
		probe_quit(p);
		return;
	}
	/*
	 * Pipe mode: bytes after the 220 are the server answering our NOOP in plaintext, before
	 * TLS; it will not run it inside the session.  Dropped like any plaintext here.
	 */
	if (p->params.pipe != NULL && p->in.len > 0) {
		char first[120];
		size_t n = 0;

		while (n < p->in.len && n + 1 < sizeof(first) && p->in.data[n] != '\r' &&
		    p->in.data[n] != '\n') {
			first[n] = (char)p->in.data[n];
			n++;
		}
		first[n] = '\0';
		endpoint_log(p->ep, p->arena, '<', (const char *)p->in.data, p->in.len);
		probe_pipe_decide(p, PROBE_PIPE_NOT_VULNERABLE,
		    "the pipelined NOOP was answered in plaintext after the 220, before TLS: %s", first);
		dbuf_reset(&p->in);
	}
	/*
	 * Anything after the 220 came in plaintext before our ClientHello: a man-in-the-middle (or a
	 * broken server) injecting into what will look like the TLS session (curl's test980 case).
	 * Those bytes are never passed to OpenSSL.
	 */
	if (p->in.len > 0) {
		endpoint_log(p->ep, p->arena, '<', (const char *)p->in.data, p->in.len);
		endpoint_finding(p->ep, p->arena, FINDING_STARTTLS_INJECTION,
		    "%zu plaintext bytes followed the 220 reply to STARTTLS", p->in.len);
		dbuf_reset(&p->in);
	}
	probe_tls_start(p);
}

static void
probe_reply_ehlo_tls(struct probe *p, const struct smtp_reply *r)
{
	struct smtp_caps *c;

	if (r->code == 250) {
		c = arena_alloc(p->arena, sizeof(*c));
		smtp_caps_parse(r, p->arena, c);
		p->ep->caps_tls = c;
	} else
		probe_note(p, "EHLO inside TLS answered %d", r->code);
	probe_quit(p);
}

/*
 * Pipe mode: a reply inside TLS before we sent anything there.  Only our pipelined NOOP can have
 * asked for it; 250 is NOOP's answer, so the plaintext command ran inside the session.  Any other
 * code is reported as inconclusive rather than guessed at.
 */
static void
probe_reply_pipe_wait(struct probe *p, const struct smtp_reply *r)
{
	if (r->code == 250)
		probe_pipe_decide(p, PROBE_PIPE_VULNERABLE,
		    "the NOOP pipelined with STARTTLS was answered inside TLS before any command: %d %s",
		    r->code, r->nlines ? r->lines[0] : "");
	else
		probe_pipe_decide(p, PROBE_PIPE_INCONCLUSIVE,
		    "an unsolicited %d reply came inside TLS before any command: %s", r->code,
		    r->nlines ? r->lines[0] : "");
	dbuf_reset(&p->in);
	probe_quit(p);
}

/* Pipe mode: the server ended the TLS session while we listened: the NOOP did not run there. */
static int
probe_pipe_closed(struct probe *p)
{
	if (p->state != PROBE_PIPE_WAIT)
		return 0;
	probe_pipe_decide(p, PROBE_PIPE_NOT_VULNERABLE,
	    "the server closed the TLS session without answering the pipelined NOOP");
	probe_finish(p);
	return 1;
}

/*
 * Bytes after a complete reply, before we sent the next command.  We never pipeline, so no
 * honest server sends them; a reply to STARTTLS among them is a man-in-the-middle preparing a
 * downgrade or an injection.  They are reported and dropped, never taken as the next reply.
 */
static void
probe_unsolicited(struct probe *p)
{
	endpoint_log(p->ep, p->arena, '<', (const char *)p->in.data,
	    p->in.len > 200 ? 200 : p->in.len);
	if ((p->state == PROBE_BANNER || p->state == PROBE_EHLO) && p->in.len >= 3 &&
	    memcmp(p->in.data, "220", 3) == 0)
		endpoint_finding(p->ep, p->arena, FINDING_STARTTLS_INJECTION,
		    "a 220 reply arrived %s, before we sent STARTTLS",
		    p->state == PROBE_BANNER ? "with the greeting" : "with the EHLO reply");
	else
		endpoint_finding(p->ep, p->arena, FINDING_SMTP_PROTOCOL,
		    "%zu bytes arrived %s, before our next command", p->in.len,
		    probe_states[p->state].during);
	dbuf_reset(&p->in);
}

/* Try to take one reply from the input; 1 if the state machine advanced. */
static int
probe_step(struct probe *p)
{
	struct smtp_reply r;
	enum smtp_parse pr;

	switch (p->state) {
	case PROBE_BANNER:
	case PROBE_EHLO:
	case PROBE_HELO:
	case PROBE_STARTTLS:
	case PROBE_EHLO_TLS:
	case PROBE_PIPE_WAIT:
	case PROBE_QUIT:
		break;
	default:
		return 0;
	}
	if (p->in.len == 0)
		return 0;
	pr = smtp_reply_parse((const char *)p->in.data, p->in.len, p->arena, &r);
	switch (pr) {
	case SMTP_PARSE_NEED_MORE:
		return 0;
	case SMTP_PARSE_LINE_TOO_LONG:
		probe_fail(p, FINDING_SMTP_LINE_TOO_LONG, "a reply line passed %d bytes while %s",
		    SMTP_LINE_MAX, probe_states[p->state].during);
		return 0;
	case SMTP_PARSE_REPLY_TOO_LONG:
		probe_fail(p, FINDING_SMTP_REPLY_TOO_LONG,
		    "a reply passed %d lines or %d bytes while %s", SMTP_REPLY_LINES_MAX,
		    SMTP_REPLY_BYTES_MAX, probe_states[p->state].during);
		return 0;
	case SMTP_PARSE_BAD:
		endpoint_log(p->ep, p->arena, '<', (const char *)p->in.data,
		    p->in.len > 200 ? 200 : p->in.len);
		if (p->state == PROBE_QUIT) {
			probe_finish(p);
			return 0;
		}
		probe_fail(p, FINDING_SMTP_PROTOCOL, "not an SMTP reply while %s",
		    probe_states[p->state].during);
		return 0;
	default:
		break;
	}
	probe_log_reply(p, &r);
	dbuf_consume(&p->in, r.consumed);
	if (p->in.len > 0 && p->state != PROBE_STARTTLS && p->state != PROBE_QUIT &&
	    p->state != PROBE_PIPE_WAIT)
		probe_unsolicited(p);
	switch (p->state) {
	case PROBE_BANNER:
		probe_reply_banner(p, &r);
		break;
	case PROBE_EHLO:
		probe_reply_ehlo(p, &r);
		break;
	case PROBE_HELO:
		probe_reply_helo(p, &r);
		break;
	case PROBE_STARTTLS:
		probe_reply_starttls(p, &r);
		break;
	case PROBE_EHLO_TLS:
		probe_reply_ehlo_tls(p, &r);
		break;
	case PROBE_PIPE_WAIT:
		probe_reply_pipe_wait(p, &r);
		break;
	case PROBE_QUIT:
		/* pipe mode: a server that runs buffered input only when more comes answers the
		 * NOOP now, inside TLS, before the 221 to our QUIT */
		if (p->tls_active && r.code == 250)
			probe_pipe_decide(p, PROBE_PIPE_VULNERABLE,
			    "the NOOP pipelined with STARTTLS was answered inside TLS (before the "
			    "reply to QUIT): %d %s", r.code, r.nlines ? r.lines[0] : "");
		probe_finish(p);
		return 0;
	default:
		BUG("reply in a state without replies");
	}
	return p->state != PROBE_DONE;
}

static void
probe_dispatch(struct probe *p)
{
	while (p->state != PROBE_DONE && probe_step(p))
		;
}

static void
probe_tls_done(struct probe *p)
{
	conn_tls_established(p->tls, &p->params, p->arena, p->ep);
	if (p->params.proto == ENDPOINT_PROTO_SMTPS)
		probe_state(p, PROBE_BANNER);
	else if (p->params.pipe != NULL) {
		/* send nothing: only the pipelined NOOP can make the server speak now */
		probe_state(p, PROBE_PIPE_WAIT);
		probe_note(p, "listening %ld ms inside TLS", conn_deadline_ms(&p->params, CONN_DEADLINE_PIPE));
	} else {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "EHLO %s", p->params.ehlo);
		probe_send(p, cmd);
		if (p->state != PROBE_DONE)
			probe_state(p, PROBE_EHLO_TLS);
	}
}

/* Drive the handshake (and, after it, decryption) with whatever bytes OpenSSL has. */
static void
probe_tls_run(struct probe *p)
{
	enum tls_step st;

	if (p->state == PROBE_TLS) {
		st = tls_session_handshake(p->tls);
		if (tls_session_drain(p->tls, &p->out) < 0)
			BUG("output queue over its ceiling");
		probe_flush(p);
		if (p->state == PROBE_DONE)
			return;
		if (st == TLS_STEP_WANT)
			return;
		if (st == TLS_STEP_ERROR) {
			probe_fail(p, FINDING_TLS_HANDSHAKE_FAILED, "%s", tls_session_error(p->tls));
			return;
		}
		probe_tls_done(p);
		if (p->state == PROBE_DONE)
			return;
	}
	if (tls_session_read(p->tls, &p->in) < 0) {
		/* a reply and the close may come in one read: use the reply first */
		probe_dispatch(p);
		if (p->state == PROBE_DONE || probe_pipe_closed(p))
			return;
		if (p->state == PROBE_QUIT)
			probe_finish(p);
		else
			probe_fail(p, FINDING_CONN_CLOSED, "TLS session ended while %s: %s",
			    probe_states[p->state].during, tls_session_error(p->tls));
		return;
	}
	if (tls_session_drain(p->tls, &p->out) < 0)
		BUG("output queue over its ceiling");
	probe_flush(p);
}

/* Our own hello instead of OpenSSL's (probe.h, raw-hello mode). */
static void
probe_raw_start(struct probe *p)
{
	probe_state(p, PROBE_RAW);
	conn_raw_start(p->params.raw, &p->out);
	probe_flush(p);
}

static void
probe_raw_input(struct probe *p, const unsigned char *buf, size_t n)
{
	switch (conn_raw_input(p->params.raw, &p->raw_walk, &p->raw_records, &p->out, buf, n)) {
	case CONN_RAW_DONE:
		probe_finish(p);
		break;
	case CONN_RAW_AFTER:
		probe_state(p, PROBE_RAW);	/* a fresh deadline for the second step */
		probe_flush(p);
		break;
	default:
		break;
	}
}

static void
probe_tls_start(struct probe *p)
{
	if (p->params.raw != NULL) {
		probe_raw_start(p);
		return;
	}
	if (p->params.handoff != NULL) {
		/* hand-off mode: the caller speaks TLS on this socket from here */
		event_del(p->ev_read);
		event_del(p->ev_write);
		p->params.handoff->fd = p->fd;
		p->fd = -1;
		probe_finish(p);
		return;
	}
	p->tls = conn_tls_new(&p->params);
	p->tls_active = 1;
	p->tls_first = 1;
	probe_state(p, PROBE_TLS);
	probe_tls_run(p);
}

/* Bytes from the wire while TLS is active. */
static void
probe_tls_input(struct probe *p, const unsigned char *buf, size_t n)
{
	if (p->tls_first && n > 0) {
		p->tls_first = 0;
		/*
		 * A TLS record starts with a content type 20..24.  Three digits instead are an SMTP
		 * reply sent in plaintext where the ServerHello belongs: injection on the path.
		 */
		if (n >= 4 && buf[0] >= '0' && buf[0] <= '9' && buf[1] >= '0' && buf[1] <= '9' &&
		    buf[2] >= '0' && buf[2] <= '9') {
			endpoint_log(p->ep, p->arena, '<', (const char *)buf, n);
			endpoint_finding(p->ep, p->arena, FINDING_STARTTLS_INJECTION,
			    "plaintext SMTP reply where the ServerHello belongs");
			probe_pipe_decide(p, PROBE_PIPE_NOT_VULNERABLE, "the pipelined NOOP was "
			    "answered in plaintext after the 220, where the ServerHello belongs");
		}
	}
	if (tls_session_feed(p->tls, buf, n) < 0) {
		probe_fail(p, FINDING_TLS_HANDSHAKE_FAILED, "cannot buffer TLS input");
		return;
	}
	probe_tls_run(p);
}

static void
probe_read_ev(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	unsigned char buf[PROBE_READ_CHUNK];
	ssize_t n;

	n = read(p->fd, buf, sizeof(buf));
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		if (p->state == PROBE_RAW) {
			p->params.raw->end = conn_raw_closed(p->params.raw, 0);	/* reset */
			probe_finish(p);
		} else if (probe_pipe_closed(p))
			;
		else if (p->state == PROBE_QUIT)
			probe_finish(p);
		else
			probe_fail(p, FINDING_CONN_CLOSED, "read failed while %s: %s",
			    probe_states[p->state].during, strerror(errno));
		return;
	}
	if (n == 0) {
		if (p->state == PROBE_RAW) {
			p->params.raw->end = conn_raw_closed(p->params.raw, 1);
			probe_finish(p);
		} else if (probe_pipe_closed(p))
			;
		else if (p->state == PROBE_QUIT)
			probe_finish(p);
		else if (p->state == PROBE_TLS)
			probe_fail(p, FINDING_TLS_HANDSHAKE_FAILED,
			    "the server closed the connection in the TLS handshake");
		else
			probe_fail(p, FINDING_CONN_CLOSED, "the server closed the connection while %s",
			    probe_states[p->state].during);
		return;
	}
	if (p->state == PROBE_RAW) {
		probe_raw_input(p, buf, (size_t)n);
		return;
	}
	if (p->tls_active)
		probe_tls_input(p, buf, (size_t)n);
	else if (dbuf_add(&p->in, buf, (size_t)n) != DBUF_OK) {
		probe_fail(p, FINDING_SMTP_REPLY_TOO_LONG, "more than %d unparsed bytes while %s",
		    PROBE_IN_MAX, probe_states[p->state].during);
		return;
	}
	if (p->state != PROBE_DONE)
		probe_dispatch(p);
}

static void
probe_write_ev(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	char err[256];

	if (p->state == PROBE_CONNECT) {
		event_del(p->ev_write);
		if (sock_connect_result(p->fd, err, sizeof(err)) < 0) {
			p->ep->connected = 0;
			probe_fail(p, FINDING_CONN_FAILED, "%s", err);
			return;
		}
		p->ep->connected = 1;
		probe_note(p, "connected to %s[%s]:%d", p->params.host, p->params.ip, p->params.port);
		event_add(p->ev_read, NULL);
		if (p->params.proto == ENDPOINT_PROTO_SMTPS)
			probe_tls_start(p);
		else
			probe_state(p, PROBE_BANNER);
		return;
	}
	probe_flush(p);
}

static void
probe_phase_ev(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	if (p->state == PROBE_QUIT) {
		probe_finish(p);	/* no answer to QUIT is no loss */
		return;
	}
	if (p->state == PROBE_RAW) {
		p->params.raw->end = PROBE_RAW_TIMEOUT;
		probe_finish(p);
		return;
	}
	if (p->state == PROBE_PIPE_WAIT) {
		probe_pipe_decide(p, PROBE_PIPE_NOT_VULNERABLE, "nothing came inside TLS within %ld ms "
		    "of the handshake: the pipelined NOOP was discarded",
		    conn_deadline_ms(&p->params, CONN_DEADLINE_PIPE));
		probe_quit(p);
		return;
	}
	probe_fail(p, p->state == PROBE_CONNECT ? FINDING_CONN_FAILED : FINDING_CONN_TIMEOUT,
	    "no answer within %ld ms while %s", conn_deadline_ms(&p->params, probe_states[p->state].deadline),
	    probe_states[p->state].during);
}

static void
probe_total_ev(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	probe_fail(p, FINDING_CONN_TIMEOUT, "the probe's deadline of %ld ms passed while %s",
	    p->params.total_ms, probe_states[p->state].during);
}

static void
probe_engine_done(struct engine *e, struct endpoint *ep, void *arg)
{
	struct probe *p = arg;

	/* may free p (and e with it): nothing after this call */
	p->cb(p, ep, p->cb_arg);
}

struct probe *
probe_start(struct event_base *base, const struct probe_params *params, struct arena *a,
    probe_done_cb cb, void *arg)
{
	struct probe *p = xcalloc(1, sizeof(*p));
	char err[256];

	/* the seam: every protocol with a module (lib/proto/proto.h) runs on the engine */
	if (engine_handles(params->proto)) {
		p->cb = cb;
		p->cb_arg = arg;
		p->fd = -1;
		p->engine = engine_start(base, params, a, probe_engine_done, p);
		return p;
	}

	if ((params->raw != NULL) + (params->pipe != NULL) + (params->handoff != NULL) > 1)
		BUG("raw-hello, pipelined-STARTTLS and hand-off modes together");
	if (params->handoff != NULL)
		params->handoff->fd = -1;
	p->params = *params;
	p->arena = a;
	p->base = base;
	p->cb = cb;
	p->cb_arg = arg;
	p->fd = -1;
	p->state = PROBE_CONNECT;
	dbuf_init(&p->in, PROBE_IN_MAX);
	dbuf_init(&p->out, PROBE_OUT_MAX);
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	p->ep = endpoint_new(a, params->host, params->ip, params->port, params->proto,
	    params->refname);
	p->ev_phase = evtimer_new(base, probe_phase_ev, p);
	p->ev_total = evtimer_new(base, probe_total_ev, p);
	p->ev_done = event_new(base, -1, 0, probe_done_ev, p);
	if (p->ev_phase == NULL || p->ev_total == NULL || p->ev_done == NULL)
		BUG("libevent allocation failed");
	if (params->total_ms > 0)
		conn_arm(p->ev_total, params->total_ms);

	p->ep->connections = 1;
	if (sock_connect_nb(params->ip, params->port, &p->fd, err, sizeof(err)) < 0) {
		probe_fail(p, FINDING_CONN_FAILED, "%s", err);
		return p;
	}
	p->ev_read = event_new(base, p->fd, EV_READ | EV_PERSIST, probe_read_ev, p);
	p->ev_write = event_new(base, p->fd, EV_WRITE | EV_PERSIST, probe_write_ev, p);
	if (p->ev_read == NULL || p->ev_write == NULL)
		BUG("libevent allocation failed");
	event_add(p->ev_write, NULL);
	probe_state(p, PROBE_CONNECT);
	return p;
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	if (p->engine != NULL) {
		engine_free(p->engine);
		free(p);
		return;
	}
	probe_close(p);
	if (p->ev_read)
		event_free(p->ev_read);
	if (p->ev_write)
		event_free(p->ev_write);
	event_free(p->ev_phase);
	event_free(p->ev_total);
	event_free(p->ev_done);
	tls_session_free(p->tls);
	dbuf_free(&p->in);
	dbuf_free(&p->out);
	free(p);
}
