/*
 * engine.c — see engine.h; design in docs/internals/engine.md.
 *
 * States (one table: name, deadline, "while ..." text; engine_state() is the only setter, traced
 * with MAILTLS_TRACE=1):
 *   CONNECT -> TALK (the module's dialogue, plaintext) -> TLS -> TALK (inside TLS) -> GOODBYE -> DONE
 *   implicit TLS: CONNECT -> TLS -> TALK -> GOODBYE -> DONE
 *   raw hello:    ... TALK -> RAW -> DONE         (our ClientHello where TLS would start)
 *   hand-off:     ... TALK -> DONE, socket given to the caller
 *   pipe:         ... TALK (upgrade + harmless command in one write) -> TLS -> PIPE_WAIT -> GOODBYE
 *
 * The module never sees a socket: it parses what the engine gives it (conv.in), sends through
 * conv.send(), and answers with what should happen next (enum proto_next).  The plumbing
 * (deadlines, write queue, TLS session and its findings, raw-hello reading) is conn.c's.
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
#include "proto/proto.h"
#include "tls/tls.h"
#include "util/arena.h"
#include "util/dbuf.h"
#include "util/text.h"
#include "util/xalloc.h"

#define ENGINE_IN_MAX		(80 * 1024)	/* unparsed bytes: above every module's own ceiling */
#define ENGINE_OUT_MAX		(64 * 1024)
#define ENGINE_READ_CHUNK	16384
#define ENGINE_LINE_MAX		1024		/* one command we send */

enum engine_state {
	ENGINE_CONNECT = 0,
	ENGINE_TALK,
	ENGINE_TLS,
	ENGINE_PIPE_WAIT,
	ENGINE_GOODBYE,
	ENGINE_RAW,
	ENGINE_DONE,
	ENGINE_LAST
};

static const struct {
	const char		*name;
	const char		*during;	/* NULL: the module's conv.during */
	enum conn_deadline	 deadline;
} engine_states[ENGINE_LAST] = {
	[ENGINE_CONNECT] = { "connect", "connecting", CONN_DEADLINE_CONNECT },
	[ENGINE_TALK] = { "talk", NULL, CONN_DEADLINE_REPLY },
	[ENGINE_TLS] = { "tls", "in the TLS handshake", CONN_DEADLINE_TLS },
	[ENGINE_PIPE_WAIT] = { "pipe-wait", "listening inside TLS after the pipelined upgrade",
	    CONN_DEADLINE_PIPE },
	[ENGINE_GOODBYE] = { "goodbye", "saying goodbye", CONN_DEADLINE_REPLY },
	[ENGINE_RAW] = { "raw", "waiting for the answer to our hello", CONN_DEADLINE_TLS },
	[ENGINE_DONE] = { "done", "finishing", CONN_DEADLINE_NONE },
};

struct engine {
	struct probe_params	 params;
	const struct proto_info	*pi;
	struct arena		*arena;
	struct endpoint		*ep;
	struct event_base	*base;
	enum engine_state	 state;
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_phase;
	struct event		*ev_total;
	struct event		*ev_done;
	struct dbuf		 in;
	struct dbuf		 out;
	struct tls_session	*tls;
	int			 tls_first;
	size_t			 raw_walk;
	size_t			 raw_records;
	struct proto_conv	 conv;
	struct timespec		 t0;
	engine_done_cb		 cb;
	void			*cb_arg;
};

static void	engine_finish(struct engine *);
static void	engine_flush(struct engine *);
static void	engine_tls_start(struct engine *);
static void	engine_next(struct engine *, enum proto_next);

int
engine_handles(enum endpoint_proto p)
{
	const struct proto_info *pi = proto_info(p);

	return pi != NULL && pi->module != NULL;
}

static const char *
engine_during(const struct engine *e)
{
	if (engine_states[e->state].during)
		return engine_states[e->state].during;
	return e->conv.during ? e->conv.during : "talking";
}

/* The ONLY way to change state: traced, and re-arms the state's deadline (also on re-entry:
 * each command sent in TALK gets a fresh reply deadline). */
static void
engine_state(struct engine *e, enum engine_state s)
{
	long ms;

	if (e->state == ENGINE_DONE)
		return;
	if (getenv("MAILTLS_TRACE"))
		fprintf(stderr, "mailtls: trace %s:%d %s %s -> %s (%s)\n", e->params.ip,
		    e->params.port, e->pi->name, engine_states[e->state].name,
		    engine_states[s].name, s == ENGINE_TALK && e->conv.during ? e->conv.during : "");
	e->state = s;
	evtimer_del(e->ev_phase);
	ms = conn_deadline_ms(&e->params, engine_states[s].deadline);
	if (ms > 0)
		conn_arm(e->ev_phase, ms);
}

/* Pipe mode: the first decision stands, except that "vulnerable" overrides anything. */
static void
engine_pipe_decide(struct proto_conv *c, int r, const char *detail)
{
	struct engine *e = c->engine;
	struct probe_pipe *pipe = e->params.pipe;

	if (pipe == NULL || (pipe->result != PROBE_PIPE_NOT_TESTED && r != PROBE_PIPE_VULNERABLE))
		return;
	pipe->result = (enum probe_pipe_result)r;
	text_clean(pipe->reason, sizeof(pipe->reason), detail, strlen(detail));
	proto_conv_note(&e->conv, "command injection test: %s: %s", probe_pipe_name(pipe->result),
	    pipe->reason);
}

static void
engine_pipe(struct engine *e, enum probe_pipe_result r, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	engine_pipe_decide(&e->conv, r, buf);
}

/* Pipe mode: do plaintext bytes begin with the answer to the pipelined command (proto.h)? */
static int
engine_pipe_answer(const struct engine *e, const unsigned char *b, size_t n)
{
	return e->pi->module->pipe_answer != NULL && e->pi->module->pipe_answer(b, n);
}

/* Pipe mode, saying goodbye inside TLS: a clean close is something the module may decide on. */
static void
engine_closed(struct engine *e)
{
	if (e->params.pipe != NULL && e->conv.tls_active && e->state == ENGINE_GOODBYE) {
		e->conv.in = e->in.data;
		e->conv.inlen = 0;
		e->conv.consumed = 0;
		e->conv.sent = 0;
		(void)e->pi->module->step(&e->conv, PROTO_EV_CLOSED);
	}
}

static void
engine_close(struct engine *e)
{
	conn_close(&e->fd, e->ev_read, e->ev_write, e->ev_phase, e->ev_total);
}

static void
engine_done_ev(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;

	/* may free e: nothing after this call */
	e->cb(e, e->ep, e->cb_arg);
}

static void
engine_finish(struct engine *e)
{
	if (e->state == ENGINE_DONE)
		return;
	engine_pipe(e, PROBE_PIPE_INCONCLUSIVE, "the dialogue ended while %s", engine_during(e));
	if (e->conv.busy && e->params.raw != NULL)
		e->params.raw->rejected_421 = 1;	/* the scheduler backs off (lib/scan) */
	if (e->conv.busy && e->params.pipe != NULL)
		e->params.pipe->busy = 1;	/* full.c tries again, alone */
	engine_state(e, ENGINE_DONE);
	engine_close(e);
	e->ep->elapsed_ms = conn_elapsed_ms(&e->t0);
	event_active(e->ev_done, EV_TIMEOUT, 0);
}

static void
engine_fail(struct engine *e, enum finding_id id, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	endpoint_finding(e->ep, e->arena, id, "%s", buf);
	proto_conv_note(&e->conv, "%s", buf);
	engine_pipe(e, PROBE_PIPE_INCONCLUSIVE, "%s", buf);
	engine_finish(e);
}

/* conv.send: one command, logged; queued, and written when flush is set. */
static void
engine_send(struct proto_conv *c, const char *cmd, int flush)
{
	struct engine *e = c->engine;
	char line[ENGINE_LINE_MAX + 3];
	int n;

	if (e->state == ENGINE_DONE)
		return;
	c->sent = 1;
	endpoint_log(e->ep, e->arena, '>', cmd, strlen(cmd));
	n = snprintf(line, sizeof(line), "%s%s", cmd, e->pi->module->xml ? "" : "\r\n");
	if (n < 0 || (size_t)n >= sizeof(line))
		BUG("command longer than ENGINE_LINE_MAX");
	if (c->tls_active) {
		if (tls_session_write(e->tls, line, (size_t)n) < 0 ||
		    tls_session_drain(e->tls, &e->out) < 0) {
			engine_fail(e, FINDING_TLS_HANDSHAKE_FAILED, "TLS write failed: %s",
			    tls_session_error(e->tls));
			return;
		}
	} else if (dbuf_add(&e->out, line, (size_t)n) != DBUF_OK)
		BUG("output queue over its ceiling");
	if (flush)
		engine_flush(e);
}

static void
engine_flush(struct engine *e)
{
	if (conn_flush(e->fd, &e->out, e->ev_write) == 0)
		return;
	if (e->state != ENGINE_GOODBYE)
		engine_fail(e, FINDING_CONN_CLOSED, "write failed while %s: %s", engine_during(e),
		    strerror(errno));
	else
		engine_finish(e);
}

/* One step of the module; returns what it asked for. */
static enum proto_next
engine_step(struct engine *e, enum proto_event ev)
{
	enum proto_next next;

	e->conv.in = e->in.data;
	e->conv.inlen = e->in.len;
	e->conv.consumed = 0;
	e->conv.sent = 0;
	next = e->pi->module->step(&e->conv, ev);
	if (e->conv.consumed > e->in.len)
		BUG("module consumed more than it was given");
	if (e->state != ENGINE_DONE)
		dbuf_consume(&e->in, e->conv.consumed);
	return next;
}

/*
 * Bytes after a complete reply, before the server can have read our next command: no honest
 * server sends them.  Reported and dropped, never taken as the next reply; the module may name
 * the finding (SMTP: a 220 there is an early answer to STARTTLS).
 */
static void
engine_unsolicited(struct engine *e)
{
	int id = FINDING_PROTO_PROTOCOL;

	endpoint_log(e->ep, e->arena, '<', (const char *)e->in.data, e->in.len > 200 ? 200 : e->in.len);
	if (e->pi->module->unsolicited != NULL) {
		/* the module names what they are (SMTP: a 220 there is an early STARTTLS answer) */
		e->conv.in = e->in.data;
		e->conv.inlen = e->in.len;
		id = e->pi->module->unsolicited(&e->conv);
	}
	endpoint_finding(e->ep, e->arena, (enum finding_id)id,
	    "%zu bytes arrived before the server can have read our command (%s)", e->in.len,
	    engine_during(e));
	dbuf_reset(&e->in);
}

static void
engine_dispatch(struct engine *e)
{
	enum proto_next next;

	while (e->in.len > 0 && (e->state == ENGINE_TALK || e->state == ENGINE_PIPE_WAIT ||
	    e->state == ENGINE_GOODBYE)) {
		next = engine_step(e, PROTO_EV_INPUT);
		if (e->state == ENGINE_DONE)
			return;
		if (next == PROTO_NEXT_WAIT && e->conv.sent && e->in.len > 0)
			engine_unsolicited(e);
		if (next == PROTO_NEXT_GOODBYE && e->conv.sent && e->in.len > 0) {
			/* whatever came before our goodbye: we are leaving; a module that names
			 * early bytes (SMTP) still reports them */
			if (e->pi->module->unsolicited != NULL)
				engine_unsolicited(e);
			else
				dbuf_reset(&e->in);
		}
		engine_next(e, next);
		if (e->conv.consumed == 0 || e->state == ENGINE_TLS || e->state == ENGINE_RAW)
			return;
	}
}

static void
engine_next(struct engine *e, enum proto_next next)
{
	if (e->state == ENGINE_DONE)
		return;
	switch (next) {
	case PROTO_NEXT_WAIT:
		if (e->state != ENGINE_TALK || e->conv.sent)
			engine_state(e, ENGINE_TALK);
		break;
	case PROTO_NEXT_UPGRADE:
		if (e->conv.tls_active)
			BUG("upgrade inside TLS");
		/*
		 * Pipe mode: bytes after the upgrade reply are the server answering our pipelined
		 * command in plaintext, before TLS; it will not run it inside the session.
		 */
		if (e->params.pipe != NULL && e->in.len > 0) {
			endpoint_log(e->ep, e->arena, '<', (const char *)e->in.data,
			    e->in.len > 200 ? 200 : e->in.len);
			if (engine_pipe_answer(e, e->in.data, e->in.len))
				engine_pipe(e, PROBE_PIPE_NOT_VULNERABLE, "the pipelined %s was answered "
				    "in plaintext after the upgrade reply, before TLS", e->pi->pipe_cmd);
			else
				engine_pipe(e, PROBE_PIPE_INCONCLUSIVE, "plaintext after the upgrade reply "
				    "that is not the answer to the pipelined %s", e->pi->pipe_cmd);
			dbuf_reset(&e->in);
		}
		/* plaintext after the upgrade reply would reach the TLS session: never passed on */
		if (e->in.len > 0) {
			endpoint_log(e->ep, e->arena, '<', (const char *)e->in.data,
			    e->in.len > 200 ? 200 : e->in.len);
			endpoint_finding(e->ep, e->arena, FINDING_STARTTLS_INJECTION,
			    "%zu plaintext bytes followed the server's answer to %s", e->in.len,
			    e->pi->upgrade ? e->pi->upgrade : "the upgrade");
			dbuf_reset(&e->in);
		}
		engine_tls_start(e);
		break;
	case PROTO_NEXT_PIPE_WAIT:
		engine_state(e, ENGINE_PIPE_WAIT);
		proto_conv_note(&e->conv, "listening %ld ms inside TLS",
		    conn_deadline_ms(&e->params, CONN_DEADLINE_PIPE));
		break;
	case PROTO_NEXT_GOODBYE:
		if (e->state != ENGINE_GOODBYE)
			engine_state(e, ENGINE_GOODBYE);
		break;
	case PROTO_NEXT_DONE:
	case PROTO_NEXT_FAILED:
	default:
		engine_finish(e);
		break;
	}
}

static void
engine_tls_done(struct engine *e)
{
	conn_tls_established(e->tls, &e->params, e->arena, e->ep);
	e->conv.tls_active = 1;
	engine_state(e, ENGINE_TALK);
	engine_next(e, engine_step(e, e->pi->implicit ? PROTO_EV_START : PROTO_EV_TLS_UP));
}

static void
engine_tls_run(struct engine *e)
{
	enum tls_step st;

	if (e->state == ENGINE_TLS) {
		st = tls_session_handshake(e->tls);
		if (tls_session_drain(e->tls, &e->out) < 0)
			BUG("output queue over its ceiling");
		engine_flush(e);
		if (e->state == ENGINE_DONE || st == TLS_STEP_WANT)
			return;
		if (st == TLS_STEP_ERROR) {
			engine_fail(e, FINDING_TLS_HANDSHAKE_FAILED, "%s", tls_session_error(e->tls));
			return;
		}
		engine_tls_done(e);
		if (e->state == ENGINE_DONE)
			return;
	}
	if (tls_session_read(e->tls, &e->in) < 0) {
		/* a reply and the close may come in one read: use the reply first */
		engine_dispatch(e);
		if (e->state == ENGINE_DONE)
			return;
		if (e->state == ENGINE_PIPE_WAIT) {
			/* only a clean close_notify says "closed without answering"; an alert, a
			 * bad record (plaintext inside TLS) or our ceiling says nothing */
			if (tls_session_peer_closed(e->tls))
				engine_pipe(e, PROBE_PIPE_NOT_VULNERABLE, "the server closed the TLS "
				    "session without answering the pipelined %s", e->pi->pipe_cmd);
			else
				engine_pipe(e, PROBE_PIPE_INCONCLUSIVE, "the TLS session failed while "
				    "listening: %s", tls_session_error(e->tls));
			engine_finish(e);
		} else if (e->state == ENGINE_GOODBYE) {
			if (tls_session_peer_closed(e->tls))
				engine_closed(e);
			engine_finish(e);
		}
		else
			engine_fail(e, FINDING_CONN_CLOSED, "TLS session ended while %s: %s",
			    engine_during(e), tls_session_error(e->tls));
		return;
	}
	if (tls_session_drain(e->tls, &e->out) < 0)
		BUG("output queue over its ceiling");
	engine_flush(e);
	engine_dispatch(e);
}

/* ---- raw-hello mode (probe.h): our own hello where TLS would start ------------------------ */

static void
engine_raw_start(struct engine *e)
{
	engine_state(e, ENGINE_RAW);
	conn_raw_start(e->params.raw, &e->out);
	engine_flush(e);
}

static void
engine_raw_input(struct engine *e, const unsigned char *buf, size_t n)
{
	switch (conn_raw_input(e->params.raw, &e->raw_walk, &e->raw_records, &e->out, buf, n)) {
	case CONN_RAW_DONE:
		engine_finish(e);
		break;
	case CONN_RAW_AFTER:
		engine_state(e, ENGINE_RAW);	/* a fresh deadline for the second step */
		engine_flush(e);
		break;
	default:
		break;
	}
}

static void
engine_tls_start(struct engine *e)
{
	if (e->params.raw != NULL) {
		engine_raw_start(e);
		return;
	}
	if (e->params.handoff != NULL) {
		event_del(e->ev_read);
		event_del(e->ev_write);
		e->params.handoff->fd = e->fd;
		e->fd = -1;
		engine_finish(e);
		return;
	}
	e->tls = conn_tls_new(&e->params);
	e->tls_first = 1;
	engine_state(e, ENGINE_TLS);
	engine_tls_run(e);
}

static void
engine_tls_input(struct engine *e, const unsigned char *buf, size_t n)
{
	if (e->tls_first && n > 0) {
		e->tls_first = 0;
		/*
		 * A TLS record starts with a content type 20..24.  Printable text instead is a
		 * plaintext reply where the ServerHello belongs: injection on the path, or the
		 * pipelined command answered before TLS.
		 */
		if (!e->pi->implicit && (buf[0] < 20 || buf[0] > 24) && buf[0] >= 0x20 && buf[0] < 0x7f) {
			endpoint_log(e->ep, e->arena, '<', (const char *)buf, n > 200 ? 200 : n);
			endpoint_finding(e->ep, e->arena, FINDING_STARTTLS_INJECTION,
			    "plaintext where the ServerHello belongs");
			if (engine_pipe_answer(e, buf, n))
				engine_pipe(e, PROBE_PIPE_NOT_VULNERABLE, "the pipelined %s was "
				    "answered in plaintext after the upgrade reply, where the "
				    "ServerHello belongs", e->pi->pipe_cmd ? e->pi->pipe_cmd : "command");
			else
				engine_pipe(e, PROBE_PIPE_INCONCLUSIVE, "plaintext where the "
				    "ServerHello belongs that is not the answer to the pipelined %s",
				    e->pi->pipe_cmd ? e->pi->pipe_cmd : "command");
		}
	}
	if (tls_session_feed(e->tls, buf, n) < 0) {
		engine_fail(e, FINDING_TLS_HANDSHAKE_FAILED, "cannot buffer TLS input");
		return;
	}
	engine_tls_run(e);
}

static void
engine_read_ev(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;
	unsigned char buf[ENGINE_READ_CHUNK];
	ssize_t n;

	n = read(e->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		if (e->state == ENGINE_RAW) {
			e->params.raw->end = conn_raw_closed(e->params.raw, n == 0);
			engine_finish(e);
		} else if (e->state == ENGINE_PIPE_WAIT) {
			engine_pipe(e, n == 0 ? PROBE_PIPE_NOT_VULNERABLE : PROBE_PIPE_INCONCLUSIVE,
			    n == 0 ? "the server closed the connection without answering the pipelined "
			    "%s" : "the connection failed while listening (%s)", n == 0 ?
			    e->pi->pipe_cmd : strerror(errno));
			engine_finish(e);
		} else if (e->state == ENGINE_GOODBYE) {
			if (n == 0)
				engine_closed(e);
			engine_finish(e);
		}
		else if (e->state == ENGINE_TLS)
			engine_fail(e, FINDING_TLS_HANDSHAKE_FAILED, n == 0 ?
			    "the server closed the connection in the TLS handshake" :
			    "read failed in the TLS handshake: %s", strerror(errno));
		else if (n == 0)
			engine_fail(e, FINDING_CONN_CLOSED, "the server closed the connection while %s",
			    engine_during(e));
		else
			engine_fail(e, FINDING_CONN_CLOSED, "read failed while %s: %s", engine_during(e),
			    strerror(errno));
		return;
	}
	if (e->state == ENGINE_RAW) {
		engine_raw_input(e, buf, (size_t)n);
		return;
	}
	if (e->tls != NULL) {
		engine_tls_input(e, buf, (size_t)n);
		return;
	}
	if (dbuf_add(&e->in, buf, (size_t)n) != DBUF_OK) {
		engine_fail(e, FINDING_PROTO_REPLY_TOO_LONG, "more than %d unparsed bytes while %s",
		    ENGINE_IN_MAX, engine_during(e));
		return;
	}
	engine_dispatch(e);
}

static void
engine_connected(struct engine *e)
{
	proto_conv_note(&e->conv, "connected to %s[%s]:%d (%s)", e->params.host, e->params.ip, e->params.port,
	    e->pi->name);
	event_add(e->ev_read, NULL);
	if (e->pi->implicit) {
		engine_tls_start(e);
		return;
	}
	engine_state(e, ENGINE_TALK);
	engine_next(e, engine_step(e, PROTO_EV_START));
}

static void
engine_write_ev(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;
	char err[256];

	if (e->state == ENGINE_CONNECT) {
		event_del(e->ev_write);
		if (sock_connect_result(e->fd, err, sizeof(err)) < 0) {
			e->ep->connected = 0;
			engine_fail(e, FINDING_CONN_FAILED, "%s", err);
			return;
		}
		e->ep->connected = 1;
		engine_connected(e);
		return;
	}
	engine_flush(e);
}

static void
engine_phase_ev(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;

	switch (e->state) {
	case ENGINE_GOODBYE:
		engine_finish(e);	/* no answer to a goodbye is no loss */
		return;
	case ENGINE_RAW:
		e->params.raw->end = PROBE_RAW_TIMEOUT;
		engine_finish(e);
		return;
	case ENGINE_PIPE_WAIT:
		/*
		 * Nothing yet decides nothing: a server answers in the order it reads (RFC 2920
		 * §3.2), so the module decides from what comes before the reply to its goodbye
		 * (proto.h, PROTO_EV_PIPE_TIMEOUT); a goodbye never answered is inconclusive.
		 */
		proto_conv_note(&e->conv, "nothing inside TLS within %ld ms of the handshake; the "
		    "replies to the goodbye decide", conn_deadline_ms(&e->params, CONN_DEADLINE_PIPE));
		engine_state(e, ENGINE_TALK);
		engine_next(e, engine_step(e, PROTO_EV_PIPE_TIMEOUT));
		return;
	default:
		engine_fail(e, e->state == ENGINE_CONNECT ? FINDING_CONN_FAILED : FINDING_CONN_TIMEOUT,
		    "no answer within %ld ms while %s",
		    conn_deadline_ms(&e->params, engine_states[e->state].deadline), engine_during(e));
	}
}

static void
engine_total_ev(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;

	engine_fail(e, FINDING_CONN_TIMEOUT, "the probe's deadline of %ld ms passed while %s",
	    e->params.total_ms, engine_during(e));
}

struct engine *
engine_start(struct event_base *base, const struct probe_params *params, struct arena *a,
    engine_done_cb cb, void *arg)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	char err[256];

	if ((params->raw != NULL) + (params->pipe != NULL) + (params->handoff != NULL) > 1)
		BUG("raw-hello, pipelined-upgrade and hand-off modes together");
	if (!engine_handles(params->proto))
		BUG("engine_start for a protocol without a module");
	if (params->handoff != NULL)
		params->handoff->fd = -1;
	e->params = *params;
	e->pi = proto_info(params->proto);
	e->arena = a;
	e->base = base;
	e->cb = cb;
	e->cb_arg = arg;
	e->fd = -1;
	e->state = ENGINE_CONNECT;
	dbuf_init(&e->in, ENGINE_IN_MAX);
	dbuf_init(&e->out, ENGINE_OUT_MAX);
	clock_gettime(CLOCK_MONOTONIC, &e->t0);
	e->ep = endpoint_new(a, params->host, params->ip, params->port, params->proto,
	    params->refname);
	e->conv.facts = arena_alloc(a, sizeof(*e->conv.facts));
	if (!e->pi->module->hide_facts)
		e->ep->facts = e->conv.facts;
	e->conv.ep = e->ep;
	e->conv.arena = a;
	e->conv.domain = params->refname ? params->refname : params->host;
	e->conv.client_name = params->ehlo ? params->ehlo : "localhost";
	e->conv.pipe = params->pipe != NULL;
	e->conv.stop_at_tls = params->raw != NULL || params->handoff != NULL;
	e->conv.state = xcalloc(1, e->pi->module->state_size ? e->pi->module->state_size : 1);
	e->conv.send = engine_send;
	e->conv.pipe_decide = engine_pipe_decide;
	e->conv.engine = e;
	e->ev_phase = evtimer_new(base, engine_phase_ev, e);
	e->ev_total = evtimer_new(base, engine_total_ev, e);
	e->ev_done = event_new(base, -1, 0, engine_done_ev, e);
	if (e->ev_phase == NULL || e->ev_total == NULL || e->ev_done == NULL)
		BUG("libevent allocation failed");
	if (params->total_ms > 0)
		conn_arm(e->ev_total, params->total_ms);
	e->ep->connections = 1;
	if (sock_connect_nb(params->ip, params->port, &e->fd, err, sizeof(err)) < 0) {
		engine_fail(e, FINDING_CONN_FAILED, "%s", err);
		return e;
	}
	e->ev_read = event_new(base, e->fd, EV_READ | EV_PERSIST, engine_read_ev, e);
	e->ev_write = event_new(base, e->fd, EV_WRITE | EV_PERSIST, engine_write_ev, e);
	if (e->ev_read == NULL || e->ev_write == NULL)
		BUG("libevent allocation failed");
	event_add(e->ev_write, NULL);
	engine_state(e, ENGINE_CONNECT);
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	engine_close(e);
	if (e->ev_read)
		event_free(e->ev_read);
	if (e->ev_write)
		event_free(e->ev_write);
	event_free(e->ev_phase);
	event_free(e->ev_total);
	event_free(e->ev_done);
	tls_session_free(e->tls);
	dbuf_free(&e->in);
	dbuf_free(&e->out);
	free(e->conv.state);
	free(e);
}
