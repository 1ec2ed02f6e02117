/*
 * pop3.c — POP3 reply parser, CAPA parser and the probe's POP3 dialogue.
 *
 * RFC 1939 §3: a reply is "+OK text" or "-ERR text"; a multi-line reply continues with lines up to
 * a line holding a single ".", and a line that starts with "." has one more "." in front
 * (byte-stuffing).  Bare LF is accepted as a line end.
 *
 * Dialogue:
 *   pop3:  greeting, CAPA, STLS [+ NOOP], TLS, CAPA, QUIT
 *   pop3s: TLS, greeting, CAPA, QUIT
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "probe/endpoint.h"
#include "probe/probe.h"
#include "proto/pop3.h"
#include "proto/proto.h"
#include "util/arena.h"
#include "util/text.h"

/* Append a cleaned line to out (separated by '\n'); bounded, the rest is dropped. */
static void
pop3_text_add(char *out, size_t outsz, const char *s, size_t n, int first)
{
	size_t have = strlen(out);

	if (outsz == 0 || have + 2 >= outsz)
		return;
	if (!first)
		out[have++] = '\n';
	text_clean(out + have, outsz - have, s, n);
}

enum pop3_parse
pop3_reply_parse(const char *buf, size_t len, int multi, struct pop3_reply *r, char *out,
    size_t outsz)
{
	const char *nl;
	size_t off, linelen;

	memset(r, 0, sizeof(*r));
	if (outsz > 0)
		out[0] = '\0';
	r->text = out;
	nl = memchr(buf, '\n', len);
	if (nl == NULL) {
		if (len > POP3_LINE_MAX + 1)
			return POP3_PARSE_TOO_LONG;
		if ((len >= 1 && buf[0] != '+' && buf[0] != '-') ||
		    (len >= 2 && buf[0] == '+' && buf[1] != 'O' && buf[1] != 'o') ||
		    (len >= 2 && buf[0] == '-' && buf[1] != 'E' && buf[1] != 'e'))
			return POP3_PARSE_BAD;
		return POP3_PARSE_NEED_MORE;
	}
	linelen = (size_t)(nl - buf);
	if (linelen > 0 && buf[linelen - 1] == '\r')
		linelen--;
	if (linelen > POP3_LINE_MAX)
		return POP3_PARSE_TOO_LONG;
	if (linelen >= 3 && strncasecmp(buf, "+OK", 3) == 0 && (linelen == 3 || buf[3] == ' '))
		r->ok = 1;
	else if (linelen >= 4 && strncasecmp(buf, "-ERR", 4) == 0 && (linelen == 4 || buf[4] == ' '))
		r->ok = 0;
	else
		return POP3_PARSE_BAD;
	off = (size_t)(nl - buf) + 1;
	pop3_text_add(out, outsz, buf + (r->ok ? 3 : 4) + (linelen > (r->ok ? 3u : 4u)),
	    linelen - (r->ok ? 3 : 4) - (linelen > (r->ok ? 3u : 4u)), 1);
	if (!multi || !r->ok) {
		r->consumed = off;
		return POP3_PARSE_OK;
	}
	for (;;) {
		const char *line = buf + off;

		nl = memchr(line, '\n', len - off);
		if (nl == NULL) {
			if (len - off > POP3_LINE_MAX + 1)
				return POP3_PARSE_TOO_LONG;
			return POP3_PARSE_NEED_MORE;
		}
		linelen = (size_t)(nl - line);
		if (linelen > 0 && line[linelen - 1] == '\r')
			linelen--;
		if (linelen > POP3_LINE_MAX)
			return POP3_PARSE_TOO_LONG;
		off += (size_t)(nl - line) + 1;
		if (linelen == 1 && line[0] == '.') {
			r->consumed = off;
			return POP3_PARSE_OK;
		}
		if (++r->nlines > POP3_LINES_MAX)
			return POP3_PARSE_TOO_LONG;
		if (linelen > 0 && line[0] == '.') {
			line++;
			linelen--;
		}
		pop3_text_add(out, outsz, line, linelen, 0);
	}
}

void
pop3_caps_parse(const char *text, struct pop3_caps *c)
{
	const char *line = text, *nl, *end, *w, *p;
	size_t n, first = 1;

	memset(c, 0, sizeof(*c));
	c->seen = 1;
	for (; *line; line = *nl ? nl + 1 : nl, first = 0) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		if (first)
			continue;	/* the status line's text */
		end = nl;
		for (w = line; w < end && *w != ' '; w++)
			;
		n = (size_t)(w - line);
		if (n == 0)
			continue;
		proto_words_add(c->all, sizeof(c->all), line, n);
		if (n == 4 && strncasecmp(line, "STLS", 4) == 0)
			c->stls = 1;
		else if (n == 4 && strncasecmp(line, "USER", 4) == 0)
			c->user = 1;
		else if (n == 10 && strncasecmp(line, "PIPELINING", 10) == 0)
			c->pipelining = 1;
		else if (n == 4 && strncasecmp(line, "SASL", 4) == 0) {
			for (p = w; p < end; ) {
				while (p < end && *p == ' ')
					p++;
				for (w = p; w < end && *w != ' '; w++)
					;
				if (w > p)
					proto_words_add(c->sasl, sizeof(c->sasl), p, (size_t)(w - p));
				p = w;
			}
		} else if (n == 14 && strncasecmp(line, "IMPLEMENTATION", 14) == 0 && w < end) {
			size_t k = (size_t)(end - w - 1);

			if (k >= sizeof(c->impl))
				k = sizeof(c->impl) - 1;
			memcpy(c->impl, w + 1, k);
			c->impl[k] = '\0';
		}
	}
}

/* ---- the dialogue ------------------------------------------------------------------------- */

enum pop3_step {
	POP3_S_GREETING = 0,
	POP3_S_CAPA,
	POP3_S_STLS,
	POP3_S_CAPA_TLS,
	POP3_S_PIPE,
	POP3_S_QUIT,
};

struct pop3_state {
	enum pop3_step	 st;
	struct pop3_caps caps;
	int		 quit_replies;
};

static enum proto_next
pop3_quit(struct proto_conv *c, struct pop3_state *s)
{
	s->st = POP3_S_QUIT;
	c->during = "waiting for the QUIT reply";
	c->send(c, "QUIT", 1);
	return PROTO_NEXT_GOODBYE;
}

static void
pop3_caps_plain(struct proto_conv *c, struct pop3_state *s)
{
	struct proto_facts *f = c->facts;
	char det[400];

	f->caps_plain = arena_strdup(c->arena, s->caps.all);
	f->upgrade_offered = s->caps.stls;
	c->ep->starttls_offered = s->caps.stls;
	if (!s->caps.stls)
		endpoint_finding(c->ep, c->arena, FINDING_POP3_STARTTLS_MISSING,
		    "no STLS in the CAPA reply: %s", s->caps.all);
	if (s->caps.user || s->caps.sasl[0]) {
		snprintf(det, sizeof(det), "%s%s%s%s", s->caps.user ? "USER" : "",
		    s->caps.user && s->caps.sasl[0] ? "; " : "", s->caps.sasl[0] ? "SASL " : "",
		    s->caps.sasl);
		f->cred_before_tls = 1;
		f->cred_detail = arena_strdup(c->arena, det);
		endpoint_finding(c->ep, c->arena, FINDING_POP3_USER_BEFORE_TLS, "%s", det);
	}
}

static enum proto_next
pop3_reply(struct proto_conv *c, struct pop3_state *s, const struct pop3_reply *r)
{
	switch (s->st) {
	case POP3_S_GREETING:
		if (!r->ok)
			return proto_conv_fail(c, FINDING_PROTO_REJECTED, "greeting -ERR %s", r->text);
		c->ep->banner = arena_strdup(c->arena, r->text);
		c->facts->server_name = c->ep->banner;
		s->st = POP3_S_CAPA;
		c->during = "waiting for the CAPA reply";
		c->send(c, "CAPA", 1);
		return PROTO_NEXT_WAIT;
	case POP3_S_CAPA:
	case POP3_S_CAPA_TLS:
		if (r->ok)
			pop3_caps_parse(r->text, &s->caps);
		else {
			memset(&s->caps, 0, sizeof(s->caps));
			proto_conv_note(c, "CAPA answered -ERR: capabilities unknown");
		}
		if (s->st == POP3_S_CAPA_TLS || c->tls_active) {
			c->facts->caps_tls = arena_strdup(c->arena, s->caps.all);
			return pop3_quit(c, s);
		}
		if (r->ok)
			pop3_caps_plain(c, s);
		if (r->ok && !s->caps.stls) {
			if (c->pipe && c->pipe_decide)
				c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE,
				    "STLS was not offered on this connection");
			return pop3_quit(c, s);
		}
		/* without CAPA (RFC 1939 servers) STLS is tried: it may still work */
		s->st = POP3_S_STLS;
		c->during = "waiting for the STLS reply";
		if (c->pipe) {
			c->send(c, "STLS", 0);
			c->send(c, "NOOP", 1);
		} else
			c->send(c, "STLS", 1);
		return PROTO_NEXT_WAIT;
	case POP3_S_STLS:
		if (r->ok) {
			c->ep->starttls_offered = 1;
			c->facts->upgrade_offered = 1;
			return PROTO_NEXT_UPGRADE;
		}
		if (!s->caps.seen) {
			c->facts->caps_plain = "";
			endpoint_finding(c->ep, c->arena, FINDING_POP3_STARTTLS_MISSING,
			    "no CAPA, and STLS answered -ERR %s", r->text);
		} else
			endpoint_finding(c->ep, c->arena, FINDING_STARTTLS_REJECTED,
			    "STLS answered -ERR %s", r->text);
		if (c->pipe && c->pipe_decide)
			c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE, "STLS with a pipelined NOOP was refused");
		return pop3_quit(c, s);
	case POP3_S_PIPE:
		/*
		 * Any reply: before login a NOOP is answered -ERR (RFC 1939 §5 allows it only in the
		 * TRANSACTION state), but a reply at all means the plaintext command was read inside
		 * the session.
		 */
		c->facts->pipe_reply = 1;
		c->pipe_decide(c, PROBE_PIPE_VULNERABLE, r->ok ?
		    "the NOOP pipelined with STLS was answered +OK inside TLS before any command" :
		    "the NOOP pipelined with STLS was answered -ERR inside TLS before any command");
		return pop3_quit(c, s);
	case POP3_S_QUIT:
		/*
		 * pipe mode: QUIT before login is answered +OK only (RFC 1939 §4, the AUTHORIZATION state), so a -ERR
		 * first, or a second reply, answered the pipelined NOOP.
		 */
		if (++s->quit_replies == 1 && !r->ok && c->pipe && c->tls_active) {
			c->facts->pipe_reply = 1;
			c->pipe_decide(c, PROBE_PIPE_VULNERABLE, "the NOOP pipelined with STLS was "
			    "answered -ERR inside TLS (before the +OK to QUIT)");
			return PROTO_NEXT_GOODBYE;
		}
		if (s->quit_replies == 2 && c->pipe && c->tls_active) {
			c->facts->pipe_reply = 1;
			c->pipe_decide(c, PROBE_PIPE_VULNERABLE, "the NOOP pipelined with STLS was "
			    "answered inside TLS (before the reply to QUIT)");
			return PROTO_NEXT_DONE;
		}
		/* one +OK so far: QUIT's, unless a second reply follows; the close decides
		 * (PROTO_EV_CLOSED), a deadline leaves it inconclusive */
		return c->pipe && c->tls_active ? PROTO_NEXT_GOODBYE : PROTO_NEXT_DONE;
	}
	return PROTO_NEXT_FAILED;
}

static enum proto_next
pop3_step(struct proto_conv *c, enum proto_event ev)
{
	struct pop3_state *s = c->state;
	struct pop3_reply r;
	char text[POP3_TEXT_MAX];
	size_t logged;
	enum proto_next next;

	c->consumed = 0;
	switch (ev) {
	case PROTO_EV_START:
		s->st = POP3_S_GREETING;
		c->facts->implicit_tls = c->tls_active;
		c->during = "waiting for the greeting";
		return PROTO_NEXT_WAIT;
	case PROTO_EV_TLS_UP:
		if (c->pipe) {
			s->st = POP3_S_PIPE;
			c->during = "listening inside TLS after the pipelined STLS";
			return PROTO_NEXT_PIPE_WAIT;
		}
		s->st = POP3_S_CAPA_TLS;
		c->during = "waiting for the CAPA reply inside TLS";
		c->send(c, "CAPA", 1);
		return PROTO_NEXT_WAIT;
	case PROTO_EV_PIPE_TIMEOUT:
		return pop3_quit(c, s);
	case PROTO_EV_CLOSED:
		/* POP3 answers one command after the other (RFC 1939 §3): one +OK to QUIT and
		 * then the close, nothing before it: the pipelined NOOP was discarded */
		if (s->st == POP3_S_QUIT && s->quit_replies == 1 && c->pipe && c->tls_active)
			c->pipe_decide(c, PROBE_PIPE_NOT_VULNERABLE, "one +OK inside TLS after QUIT, "
			    "then the close: the pipelined NOOP was discarded");
		return PROTO_NEXT_DONE;
	default:
		break;
	}
	while (c->consumed < c->inlen) {
		int multi = s->st == POP3_S_CAPA || s->st == POP3_S_CAPA_TLS;

		switch (pop3_reply_parse((const char *)c->in + c->consumed, c->inlen - c->consumed,
		    multi, &r, text, sizeof(text))) {
		case POP3_PARSE_NEED_MORE:
			return s->st == POP3_S_QUIT ? PROTO_NEXT_GOODBYE : PROTO_NEXT_WAIT;
		case POP3_PARSE_TOO_LONG:
			if (s->st == POP3_S_QUIT)
				return PROTO_NEXT_DONE;
			return proto_conv_fail(c, FINDING_PROTO_REPLY_TOO_LONG,
			    "a reply passed %d bytes a line or %d lines while %s", POP3_LINE_MAX,
			    POP3_LINES_MAX, c->during);
		case POP3_PARSE_BAD:
			logged = c->inlen - c->consumed;
			proto_conv_log(c, '<', (const char *)c->in + c->consumed, logged > 200 ? 200 : logged);
			if (s->st == POP3_S_QUIT)
				return PROTO_NEXT_DONE;
			return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "not a POP3 reply while %s",
			    c->during);
		default:
			break;
		}
		{
			/* the transcript: the status line and each body line */
			const char *t = (const char *)c->in + c->consumed, *e = t + r.consumed, *nl;

			for (; t < e; t = nl + 1) {
				nl = memchr(t, '\n', (size_t)(e - t));
				if (nl == NULL)
					nl = e - 1;
				proto_conv_log(c, '<', t, (size_t)(nl - t) + 1);
			}
		}
		c->consumed += r.consumed;
		next = pop3_reply(c, s, &r);
		if (next != PROTO_NEXT_WAIT || c->sent)
			return next;
	}
	return s->st == POP3_S_QUIT ? PROTO_NEXT_GOODBYE : PROTO_NEXT_WAIT;
}

/* Pipe mode: plaintext after the +OK to STLS that answers NOOP ran before TLS (proto.h). */
static int
pop3_pipe_answer(const unsigned char *b, size_t n)
{
	return (n >= 3 && memcmp(b, "+OK", 3) == 0) || (n >= 4 && memcmp(b, "-ERR", 4) == 0);
}

const struct proto_module proto_module_pop3 = {
	"pop3", 0, sizeof(struct pop3_state), pop3_step, NULL, 0, pop3_pipe_answer,
};
