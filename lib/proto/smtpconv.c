/*
 * smtpconv.c — the SMTP dialogue as an engine module, two rows of the protocol table:
 *   - relay: mail between servers (RFC 5321 on port 25, STARTTLS per RFC 3207; implicit TLS on
 *     465 for the "smtps" probe);
 *   - submission: message submission (RFC 6409 on 587; RFC 8314 implicit TLS on 465).
 * Replies and EHLO capabilities are parsed by lib/proto/smtp.c's pure parsers.
 *
 * Dialogue (both):
 *   STARTTLS:     banner, EHLO [HELO], STARTTLS [+ NOOP], TLS, EHLO, QUIT
 *   implicit TLS: TLS, banner, EHLO, QUIT
 *   pipe mode:    banner, EHLO, STARTTLS + NOOP in one write, TLS, listen, QUIT (CVE-2011-0411)
 * Never AUTH, MAIL, RCPT, DATA or a credential.  The two differ only in what a missing STARTTLS
 * and AUTH before TLS mean: on a relay, mail that may travel in clear (starttls.not_offered,
 * auth.before_tls); on a submission port, passwords (submission.starttls_missing,
 * submission.auth_before_tls).
 */
#include <stdio.h>
#include <string.h>

#include "probe/endpoint.h"
#include "probe/probe.h"
#include "proto/proto.h"
#include "proto/smtp.h"
#include "util/arena.h"
#include "util/text.h"

enum sub_step {
	SUB_S_BANNER = 0,
	SUB_S_EHLO,
	SUB_S_HELO,
	SUB_S_STARTTLS,
	SUB_S_EHLO_TLS,
	SUB_S_PIPE,
	SUB_S_QUIT,
};

struct sub_state {
	enum sub_step	 st;
	int		 relay;		/* port 25 / smtps: the relay's findings */
	int		 quit_held;	/* pipe mode: a non-221 reply after QUIT, not yet decided */
};

static enum proto_next
sub_quit(struct proto_conv *c, struct sub_state *s)
{
	s->st = SUB_S_QUIT;
	c->during = "waiting for the QUIT reply";
	c->send(c, "QUIT", 1);
	return PROTO_NEXT_GOODBYE;
}

static void
sub_ehlo(struct proto_conv *c, struct sub_state *s, enum sub_step st)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "EHLO %s", c->client_name);
	s->st = st;
	c->during = st == SUB_S_EHLO_TLS ? "waiting for the EHLO reply inside TLS" :
	    "waiting for the EHLO reply";
	c->send(c, cmd, 1);
}

static const char *
sub_caps_line(struct proto_conv *c, const struct smtp_caps *k)
{
	char buf[1024];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < k->nkeywords && o + 2 < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "", k->keywords[i]);
	return arena_strdup(c->arena, buf);
}

/*
 * Pipe mode: a reply inside TLS that is not the answer to a command we sent there.  Replies come
 * in command order (RFC 2920 §3.2) and nothing of ours preceded it inside TLS, so it answers the
 * NOOP read inside the session: vulnerable, whatever its code (a 503 is a NOOP run and refused
 * there).  Except 421, which a server may send at any time (RFC 5321 §3.8), and a 220, which
 * may be a broken server greeting again: those are not guessed at.
 */
static void
sub_pipe_reply(struct proto_conv *c, const struct smtp_reply *r, const char *when)
{
	char det[200];

	if (r->code == 421 || r->code == 220) {
		snprintf(det, sizeof(det), "a %d reply came inside TLS %s", r->code, when);
		c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE, det);
		return;
	}
	snprintf(det, sizeof(det), "the NOOP pipelined with STARTTLS was answered %d inside TLS %s",
	    r->code, when);
	c->facts->pipe_reply = 1;
	c->pipe_decide(c, PROBE_PIPE_VULNERABLE, det);
}

/* The NOOP's answer in plaintext after a refused STARTTLS: one reply, consumed, not "early". */
static void
sub_skip_noop_reply(struct proto_conv *c)
{
	struct smtp_reply n;
	char buf[300];
	size_t i;

	if (c->consumed >= c->inlen || smtp_reply_parse((const char *)c->in + c->consumed,
	    c->inlen - c->consumed, c->arena, &n) != SMTP_PARSE_OK)
		return;
	for (i = 0; i < n.nlines; i++) {
		snprintf(buf, sizeof(buf), "%d%c%s", n.code, i + 1 < n.nlines ? '-' : ' ', n.lines[i]);
		proto_conv_log(c, '<', buf, strlen(buf));
	}
	c->consumed += n.consumed;
}

static enum proto_next
sub_reply(struct proto_conv *c, struct sub_state *s, const struct smtp_reply *r)
{
	struct smtp_caps *k;

	switch (s->st) {
	case SUB_S_BANNER:
		c->ep->banner = r->nlines ? text_clean_dup(c->arena, r->lines[0]) : "";
		c->facts->server_name = c->ep->banner;
		if (r->code == 421)
			c->busy = 1;	/* the scheduler backs off this address */
		if (r->code != 220)
			return proto_conv_fail(c, FINDING_SMTP_REJECTED, "greeting %d %s", r->code,
			    c->ep->banner);
		sub_ehlo(c, s, c->tls_active ? SUB_S_EHLO_TLS : SUB_S_EHLO);
		return PROTO_NEXT_WAIT;
	case SUB_S_EHLO:
		if (smtp_reply_class(r->code) == 5) {
			char cmd[300];

			endpoint_finding(c->ep, c->arena, FINDING_SMTP_EHLO_REFUSED, "EHLO answered %d",
			    r->code);
			snprintf(cmd, sizeof(cmd), "HELO %s", c->client_name);
			s->st = SUB_S_HELO;
			c->during = "waiting for the HELO reply";
			c->send(c, cmd, 1);
			return PROTO_NEXT_WAIT;
		}
		if (r->code != 250)
			return proto_conv_fail(c, FINDING_SMTP_REJECTED, "EHLO answered %d %s", r->code,
			    r->nlines ? r->lines[0] : "");
		k = arena_alloc(c->arena, sizeof(*k));
		smtp_caps_parse(r, c->arena, k);
		c->ep->caps_plain = k;
		c->ep->starttls_offered = k->starttls;
		c->facts->caps_plain = sub_caps_line(c, k);
		c->facts->upgrade_offered = k->starttls;
		if (k->auth) {
			c->facts->cred_before_tls = 1;
			c->facts->cred_detail = arena_printf(c->arena, "AUTH %s",
			    k->auth_mechs ? k->auth_mechs : "");
			endpoint_finding(c->ep, c->arena, s->relay ? FINDING_AUTH_BEFORE_TLS :
			    FINDING_SUBMISSION_AUTH_BEFORE_TLS, "AUTH %s offered in plaintext",
			    k->auth_mechs ? k->auth_mechs : "");
		}
		if (!k->starttls) {
			endpoint_finding(c->ep, c->arena, s->relay ? FINDING_STARTTLS_NOT_OFFERED :
			    FINDING_SUBMISSION_STARTTLS_MISSING, "no STARTTLS in the EHLO reply");
			if (c->pipe && c->pipe_decide)
				c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE,
				    "STARTTLS was not offered on this connection");
			return sub_quit(c, s);
		}
		s->st = SUB_S_STARTTLS;
		c->during = "waiting for the STARTTLS reply";
		if (c->pipe) {
			c->send(c, "STARTTLS", 0);
			c->send(c, "NOOP", 1);
		} else
			c->send(c, "STARTTLS", 1);
		return PROTO_NEXT_WAIT;
	case SUB_S_HELO:
		endpoint_finding(c->ep, c->arena, s->relay ? FINDING_STARTTLS_NOT_OFFERED :
		    FINDING_SUBMISSION_STARTTLS_MISSING, "EHLO refused, HELO %s: no STARTTLS possible",
		    r->code == 250 ? "accepted" : "refused too");
		if (c->pipe && c->pipe_decide)
			c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE, "EHLO was refused on this connection");
		return sub_quit(c, s);
	case SUB_S_STARTTLS:
		if (r->code == 220)
			return PROTO_NEXT_UPGRADE;
		endpoint_finding(c->ep, c->arena, FINDING_STARTTLS_REJECTED, "STARTTLS answered %d %s",
		    r->code, r->nlines ? r->lines[0] : "");
		if (c->pipe && c->pipe_decide) {
			if (r->code == 421)
				c->busy = 1;	/* "too many connections": full.c tries again, alone */
			c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE, "STARTTLS with a pipelined NOOP was "
			    "refused");
			sub_skip_noop_reply(c);
		}
		return sub_quit(c, s);
	case SUB_S_EHLO_TLS:
		if (r->code == 250) {
			k = arena_alloc(c->arena, sizeof(*k));
			smtp_caps_parse(r, c->arena, k);
			c->ep->caps_tls = k;
			c->facts->caps_tls = sub_caps_line(c, k);
		} else
			proto_conv_note(c, "EHLO inside TLS answered %d", r->code);
		return sub_quit(c, s);
	case SUB_S_PIPE:
		/* we sent nothing inside TLS: any reply answers what the server read there */
		sub_pipe_reply(c, r, "before any command");
		return sub_quit(c, s);
	case SUB_S_QUIT:
		/* pipe mode: replies come in command order (RFC 2920 §3.2), so what precedes the
		 * 221 to QUIT answers the NOOP; the first decision stands, vulnerable overrides */
		if (c->pipe && c->tls_active) {
			char det[160];

			if (s->quit_held) {
				/* a second reply after QUIT: the first answered the NOOP */
				snprintf(det, sizeof(det), "the NOOP pipelined with STARTTLS was "
				    "answered %d inside TLS, before the reply to QUIT", s->quit_held);
				c->facts->pipe_reply = 1;
				c->pipe_decide(c, PROBE_PIPE_VULNERABLE, det);
				return r->code == 221 ? PROTO_NEXT_DONE : PROTO_NEXT_GOODBYE;
			}
			if (r->code == 221) {
				c->pipe_decide(c, PROBE_PIPE_NOT_VULNERABLE, "nothing came inside TLS "
				    "before the 221 to QUIT: the pipelined NOOP was discarded");
				return PROTO_NEXT_DONE;
			}
			if (r->code == 250 || r->code == 421 || r->code == 220) {
				sub_pipe_reply(c, r, "before the reply to QUIT");
				return PROTO_NEXT_GOODBYE;
			}
			/*
			 * Another code may be a non-conforming answer to QUIT itself (RFC 5321
			 * §4.1.1.10 asks for 221; some filtering appliances answer 5xx): only a
			 * reply after it proves it answered the NOOP.  A close or a deadline after
			 * it leaves the test inconclusive.
			 */
			s->quit_held = r->code;
			return PROTO_NEXT_GOODBYE;
		}
		return PROTO_NEXT_DONE;
	}
	return PROTO_NEXT_FAILED;
}

static enum proto_next
sub_step(struct proto_conv *c, enum proto_event ev)
{
	struct sub_state *s = c->state;
	struct smtp_reply r;
	enum proto_next next;
	size_t i, logged;
	char buf[300];

	c->consumed = 0;
	switch (ev) {
	case PROTO_EV_START:
		s->st = SUB_S_BANNER;
		c->facts->implicit_tls = c->tls_active;
		c->during = "waiting for the greeting";
		return PROTO_NEXT_WAIT;
	case PROTO_EV_TLS_UP:
		if (c->pipe) {
			s->st = SUB_S_PIPE;
			c->during = "listening inside TLS after the pipelined STARTTLS";
			return PROTO_NEXT_PIPE_WAIT;
		}
		sub_ehlo(c, s, SUB_S_EHLO_TLS);
		return PROTO_NEXT_WAIT;
	case PROTO_EV_PIPE_TIMEOUT:
		return sub_quit(c, s);
	default:
		break;
	}
	while (c->consumed < c->inlen) {
		switch (smtp_reply_parse((const char *)c->in + c->consumed, c->inlen - c->consumed,
		    c->arena, &r)) {
		case SMTP_PARSE_NEED_MORE:
			return s->st == SUB_S_QUIT ? PROTO_NEXT_GOODBYE : PROTO_NEXT_WAIT;
		case SMTP_PARSE_LINE_TOO_LONG:
			return proto_conv_fail(c, FINDING_SMTP_LINE_TOO_LONG, "a reply line passed %d "
			    "bytes while %s", SMTP_LINE_MAX, c->during);
		case SMTP_PARSE_REPLY_TOO_LONG:
			return proto_conv_fail(c, FINDING_SMTP_REPLY_TOO_LONG, "a reply passed %d lines "
			    "or %d bytes while %s", SMTP_REPLY_LINES_MAX, SMTP_REPLY_BYTES_MAX, c->during);
		case SMTP_PARSE_BAD:
			logged = c->inlen - c->consumed;
			proto_conv_log(c, '<', (const char *)c->in + c->consumed, logged > 200 ? 200 : logged);
			if (s->st == SUB_S_QUIT)
				return PROTO_NEXT_DONE;
			return proto_conv_fail(c, FINDING_SMTP_PROTOCOL, "not an SMTP reply while %s",
			    c->during);
		default:
			break;
		}
		for (i = 0; i < r.nlines; i++) {
			snprintf(buf, sizeof(buf), "%d%c%s", r.code, i + 1 < r.nlines ? '-' : ' ',
			    r.lines[i]);
			proto_conv_log(c, '<', buf, strlen(buf));
		}
		c->consumed += r.consumed;
		next = sub_reply(c, s, &r);
		if (next != PROTO_NEXT_WAIT || c->sent)
			return next;
	}
	return s->st == SUB_S_QUIT ? PROTO_NEXT_GOODBYE : PROTO_NEXT_WAIT;
}

static enum proto_next
sub_step_relay(struct proto_conv *c, enum proto_event ev)
{
	((struct sub_state *)c->state)->relay = 1;
	return sub_step(c, ev);
}

/*
 * Bytes the server sent before it can have read our next command.  A 220 among them with the
 * greeting or the EHLO reply (with or without STARTTLS in it) is an answer to a STARTTLS we have
 * not sent: a man-in-the-middle preparing a downgrade or an injection (curl's test980 case).
 */
static int
sub_unsolicited(struct proto_conv *c)
{
	struct sub_state *s = c->state;

	if ((s->st == SUB_S_EHLO || s->st == SUB_S_EHLO_TLS || s->st == SUB_S_HELO ||
	    s->st == SUB_S_STARTTLS || (s->st == SUB_S_QUIT && !c->tls_active)) && c->inlen >= 3 &&
	    memcmp(c->in, "220", 3) == 0)
		return FINDING_STARTTLS_INJECTION;
	return FINDING_SMTP_PROTOCOL;
}

/* Pipe mode: plaintext after the 220 that is NOOP's 250 ran before TLS (proto.h). */
static int
sub_pipe_answer(const unsigned char *b, size_t n)
{
	return n >= 4 && memcmp(b, "250", 3) == 0 && (b[3] == ' ' || b[3] == '-');
}

const struct proto_module proto_module_submission = {
	"submission", 0, sizeof(struct sub_state), sub_step, sub_unsolicited, 0, sub_pipe_answer,
};

/* Port 25 and smtps keep the report they always had: no "protocol" facts object (the relay's
 * "TLS mandatory?" is DANE's and MTA-STS's, decided by the verdict). */
const struct proto_module proto_module_smtp = {
	"smtp", 0, sizeof(struct sub_state), sub_step_relay, sub_unsolicited, 1, sub_pipe_answer,
};
