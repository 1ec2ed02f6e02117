/*
 * imap.c — IMAP response parser, capability parser and the probe's IMAP dialogue.
 *
 * RFC 9051 §7 / RFC 3501 §7: a server line is untagged ("* "), a continuation ("+ ") or tagged
 * ("tag SP status SP text").  We read only what a CAPABILITY/STARTTLS/LOGOUT dialogue brings;
 * literals ({N}) never appear in those answers, so a line is a line.  Bare LF is accepted as a line
 * end (broken middleboxes send it).
 *
 * Dialogue (tags a1..a4; "a" is the pipelined NOOP of the injection test):
 *   imap:  greeting, a1 CAPABILITY, a2 STARTTLS [+ "a NOOP"], TLS, a3 CAPABILITY, a4 LOGOUT
 *   imaps: TLS, greeting, a1 CAPABILITY, a4 LOGOUT
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "probe/endpoint.h"
#include "probe/probe.h"
#include "proto/imap.h"
#include "proto/proto.h"
#include "util/arena.h"
#include "util/text.h"

static enum imap_status
imap_status_word(const char *s, size_t n)
{
	static const struct { const char *w; enum imap_status st; } words[] = {
		{ "OK", IMAP_ST_OK }, { "NO", IMAP_ST_NO }, { "BAD", IMAP_ST_BAD },
		{ "PREAUTH", IMAP_ST_PREAUTH }, { "BYE", IMAP_ST_BYE },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].w) == n && strncasecmp(words[i].w, s, n) == 0)
			return words[i].st;
	return IMAP_ST_NONE;
}

/* RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">; we also refuse controls and specials. */
static int
imap_tag_char(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f && ch != '(' && ch != ')' && ch != '{' && ch != '%' &&
	    ch != '*' && ch != '"' && ch != '\\' && ch != '+' && ch != ']';
}

enum imap_parse
imap_line_parse(const char *buf, size_t len, struct imap_line *l, char *out, size_t outsz)
{
	const char *nl, *p, *end, *w;
	size_t linelen, n;

	memset(l, 0, sizeof(*l));
	if (outsz > 0)
		out[0] = '\0';
	l->text = out;
	nl = memchr(buf, '\n', len);
	if (nl == NULL) {
		if (len > IMAP_LINE_MAX + 1)
			return IMAP_PARSE_TOO_LONG;
		/* judge the start already: a hostile or foreign server fails early */
		if (len > 0 && buf[0] != '*' && buf[0] != '+' && !imap_tag_char((unsigned char)buf[0]))
			return IMAP_PARSE_BAD;
		return IMAP_PARSE_NEED_MORE;
	}
	linelen = (size_t)(nl - buf);
	l->consumed = linelen + 1;
	if (linelen > 0 && buf[linelen - 1] == '\r')
		linelen--;
	if (linelen > IMAP_LINE_MAX)
		return IMAP_PARSE_TOO_LONG;
	p = buf;
	end = buf + linelen;
	if (linelen >= 1 && p[0] == '+') {
		l->kind = IMAP_CONTINUE;
		p++;
		if (p < end && *p == ' ')
			p++;
	} else if (linelen >= 2 && p[0] == '*' && p[1] == ' ') {
		l->kind = IMAP_UNTAGGED;
		p += 2;
	} else {
		l->kind = IMAP_TAGGED;
		for (n = 0; p + n < end && imap_tag_char((unsigned char)p[n]); n++)
			;
		if (n == 0 || n >= sizeof(l->tag) || p + n >= end || p[n] != ' ')
			return IMAP_PARSE_BAD;
		memcpy(l->tag, p, n);
		l->tag[n] = '\0';
		p += n + 1;
	}
	if (l->kind != IMAP_CONTINUE) {
		for (w = p; w < end && *w != ' '; w++)
			;
		l->status = imap_status_word(p, (size_t)(w - p));
		if (l->kind == IMAP_TAGGED && l->status != IMAP_ST_OK && l->status != IMAP_ST_NO &&
		    l->status != IMAP_ST_BAD)
			return IMAP_PARSE_BAD;	/* RFC 9051 §7.1: a tagged line is OK, NO or BAD */
		if (l->status != IMAP_ST_NONE)
			p = w < end ? w + 1 : w;
	}
	text_clean(out, outsz, p, (size_t)(end - p));
	return IMAP_PARSE_OK;
}

int
imap_caps_parse(const char *text, struct imap_caps *c)
{
	const char *p, *end, *w;
	size_t n;

	if (strncasecmp(text, "CAPABILITY ", 11) == 0) {
		p = text + 11;
		end = p + strlen(p);
	} else if (strncasecmp(text, "[CAPABILITY ", 12) == 0) {
		p = text + 12;
		end = strchr(p, ']');
		if (end == NULL)
			return 0;
	} else
		return 0;
	c->seen = 1;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		for (w = p; w < end && *w != ' '; w++)
			;
		n = (size_t)(w - p);
		if (n == 0)
			break;
		if (n == 8 && strncasecmp(p, "STARTTLS", 8) == 0)
			c->starttls = 1;
		else if (n == 13 && strncasecmp(p, "LOGINDISABLED", 13) == 0)
			c->logindisabled = 1;
		else if (n == 9 && strncasecmp(p, "IMAP4rev1", 9) == 0)
			c->imap4rev1 = 1;
		else if (n == 9 && strncasecmp(p, "IMAP4rev2", 9) == 0)
			c->imap4rev2 = 1;
		else if (n > 5 && strncasecmp(p, "AUTH=", 5) == 0)
			proto_words_add(c->auth, sizeof(c->auth), p + 5, n - 5);
		proto_words_add(c->all, sizeof(c->all), p, n);
		p = w;
	}
	return 1;
}

/* ---- the dialogue ------------------------------------------------------------------------- */

enum imap_step {
	IMAP_S_GREETING = 0,
	IMAP_S_CAPA,
	IMAP_S_STARTTLS,
	IMAP_S_CAPA_TLS,
	IMAP_S_PIPE,
	IMAP_S_LOGOUT,
};

struct imap_state {
	enum imap_step	 st;
	struct imap_caps caps;
	size_t		 untagged;	/* untagged lines in the current response */
};

static enum proto_next
imap_logout(struct proto_conv *c, struct imap_state *s)
{
	s->st = IMAP_S_LOGOUT;
	s->untagged = 0;
	c->during = "waiting for the LOGOUT reply";
	c->send(c, "a4 LOGOUT", 1);
	return PROTO_NEXT_GOODBYE;
}

/* Capabilities before TLS: the findings of RFC 9051 §6.2.3 and RFC 8314 §3. */
static void
imap_caps_plain(struct proto_conv *c, struct imap_state *s)
{
	struct proto_facts *f = c->facts;
	char det[600];

	f->caps_plain = arena_strdup(c->arena, s->caps.all);
	f->upgrade_offered = s->caps.starttls;
	f->login_disabled = s->caps.logindisabled;
	c->ep->starttls_offered = s->caps.starttls;
	if (!s->caps.starttls)
		endpoint_finding(c->ep, c->arena, FINDING_IMAP_STARTTLS_MISSING,
		    "no STARTTLS in the capabilities: %s", s->caps.all);
	if (!s->caps.logindisabled || s->caps.auth[0]) {
		snprintf(det, sizeof(det), "%s%s%s%s", !s->caps.logindisabled ?
		    "LOGIN allowed (no LOGINDISABLED)" : "", !s->caps.logindisabled &&
		    s->caps.auth[0] ? "; " : "", s->caps.auth[0] ? "AUTH=" : "", s->caps.auth);
		f->cred_before_tls = 1;
		f->cred_detail = arena_strdup(c->arena, det);
		endpoint_finding(c->ep, c->arena, FINDING_IMAP_LOGIN_BEFORE_TLS, "%s", det);
	}
}

static enum proto_next
imap_line(struct proto_conv *c, struct imap_state *s, const struct imap_line *l)
{
	int tagged = l->kind == IMAP_TAGGED;

	if (!tagged && ++s->untagged > IMAP_RESP_LINES_MAX) {
		if (s->st == IMAP_S_LOGOUT)
			return PROTO_NEXT_DONE;
		return proto_conv_fail(c, FINDING_PROTO_REPLY_TOO_LONG,
		    "more than %d untagged lines while %s", IMAP_RESP_LINES_MAX, c->during);
	}
	switch (s->st) {
	case IMAP_S_GREETING:
		if (l->kind != IMAP_UNTAGGED)
			return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "not an IMAP greeting: %s",
			    l->text);
		if (l->status == IMAP_ST_BYE)
			return proto_conv_fail(c, FINDING_PROTO_REJECTED, "greeting * BYE %s", l->text);
		if (l->status != IMAP_ST_OK && l->status != IMAP_ST_PREAUTH)
			return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "not an IMAP greeting: %s",
			    l->text);
		if (strncasecmp(l->text, "Waiting for authentication", 26) == 0) {
			/* Dovecot, in its first seconds: the real greeting follows */
			proto_conv_note(c, "a provisional untagged OK before the greeting");
			return PROTO_NEXT_WAIT;
		}
		c->ep->banner = arena_strdup(c->arena, l->text);
		c->facts->server_name = c->ep->banner;
		if (l->status == IMAP_ST_PREAUTH)
			proto_conv_note(c, "the server pre-authenticated the connection");
		imap_caps_parse(l->text, &s->caps);	/* kept only if CAPABILITY fails */
		memset(&s->caps, 0, sizeof(s->caps));
		s->st = IMAP_S_CAPA;
		s->untagged = 0;
		c->during = "waiting for the CAPABILITY reply";
		c->send(c, "a1 CAPABILITY", 1);
		return PROTO_NEXT_WAIT;
	case IMAP_S_CAPA:
	case IMAP_S_CAPA_TLS:
		if (!tagged) {
			if (l->status == IMAP_ST_BYE)
				return proto_conv_fail(c, FINDING_PROTO_REJECTED, "* BYE %s", l->text);
			imap_caps_parse(l->text, &s->caps);
			return PROTO_NEXT_WAIT;
		}
		if (strcmp(l->tag, s->st == IMAP_S_CAPA ? "a1" : "a3") != 0)
			return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "unexpected tag %s while %s",
			    l->tag, c->during);
		if (l->status == IMAP_ST_OK)
			imap_caps_parse(l->text, &s->caps);	/* some servers answer [CAPABILITY] here */
		else
			proto_conv_note(c, "CAPABILITY answered %s", l->text);
		if (s->st == IMAP_S_CAPA_TLS || c->tls_active) {
			c->facts->caps_tls = arena_strdup(c->arena, s->caps.all);
			return imap_logout(c, s);
		}
		imap_caps_plain(c, s);
		if (!s->caps.starttls) {
			if (c->pipe && c->pipe_decide)
				c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE,
				    "STARTTLS was not offered on this connection");
			return imap_logout(c, s);
		}
		s->st = IMAP_S_STARTTLS;
		s->untagged = 0;
		c->during = "waiting for the STARTTLS reply";
		if (c->pipe) {
			/* one write, as a man-in-the-middle appending to the client's segment would */
			c->send(c, "a2 STARTTLS", 0);
			c->send(c, "a NOOP", 1);
		} else
			c->send(c, "a2 STARTTLS", 1);
		return PROTO_NEXT_WAIT;
	case IMAP_S_STARTTLS:
		if (!tagged)
			return PROTO_NEXT_WAIT;
		if (strcmp(l->tag, "a2") == 0 && l->status == IMAP_ST_OK)
			return PROTO_NEXT_UPGRADE;
		endpoint_finding(c->ep, c->arena, FINDING_STARTTLS_REJECTED, "STARTTLS answered %s %s",
		    l->tag, l->text);
		if (c->pipe && c->pipe_decide)
			c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE, "STARTTLS with a pipelined NOOP was refused");
		return imap_logout(c, s);
	case IMAP_S_PIPE:
		if (!tagged)
			return PROTO_NEXT_WAIT;
		if (strcmp(l->tag, "a") == 0) {
			c->facts->pipe_reply = 1;
			c->pipe_decide(c, PROBE_PIPE_VULNERABLE, "the \"a NOOP\" pipelined with STARTTLS "
			    "was answered inside TLS before any command");
		} else
			c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE, "an unexpected tagged reply came inside "
			    "TLS before any command");
		return imap_logout(c, s);
	case IMAP_S_LOGOUT:
		if (tagged && strcmp(l->tag, "a") == 0 && c->pipe && c->tls_active) {
			c->facts->pipe_reply = 1;
			c->pipe_decide(c, PROBE_PIPE_VULNERABLE, "the \"a NOOP\" pipelined with STARTTLS "
			    "was answered inside TLS (before the reply to LOGOUT)");
			return PROTO_NEXT_GOODBYE;
		}
		/* pipe mode: each completion is tagged, so another tag before a4's is not proof;
		 * a4's completion with nothing tagged "a" before it: the NOOP was discarded */
		if (tagged && c->pipe && c->tls_active && strcmp(l->tag, "a4") != 0)
			c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE, "an unexpected tagged reply came "
			    "inside TLS before the reply to LOGOUT");
		else if (tagged && c->pipe && c->tls_active)
			c->pipe_decide(c, PROBE_PIPE_NOT_VULNERABLE, "nothing tagged \"a\" came inside "
			    "TLS before the reply to LOGOUT: the pipelined NOOP was discarded");
		return tagged && strcmp(l->tag, "a4") == 0 ? PROTO_NEXT_DONE : PROTO_NEXT_GOODBYE;
	}
	return PROTO_NEXT_FAILED;
}

static enum proto_next
imap_step(struct proto_conv *c, enum proto_event ev)
{
	struct imap_state *s = c->state;
	struct imap_line l;
	char text[IMAP_LINE_MAX + 1];
	enum proto_next next;
	size_t logged;

	c->consumed = 0;
	switch (ev) {
	case PROTO_EV_START:
		s->st = IMAP_S_GREETING;
		c->facts->implicit_tls = c->tls_active;
		c->during = "waiting for the greeting";
		return PROTO_NEXT_WAIT;
	case PROTO_EV_TLS_UP:
		if (c->pipe) {
			s->st = IMAP_S_PIPE;
			c->during = "listening inside TLS after the pipelined STARTTLS";
			return PROTO_NEXT_PIPE_WAIT;
		}
		memset(&s->caps, 0, sizeof(s->caps));
		s->st = IMAP_S_CAPA_TLS;
		s->untagged = 0;
		c->during = "waiting for the CAPABILITY reply inside TLS";
		c->send(c, "a3 CAPABILITY", 1);
		return PROTO_NEXT_WAIT;
	case PROTO_EV_PIPE_TIMEOUT:
		return imap_logout(c, s);
	default:
		break;
	}
	while (c->consumed < c->inlen) {
		switch (imap_line_parse((const char *)c->in + c->consumed, c->inlen - c->consumed, &l,
		    text, sizeof(text))) {
		case IMAP_PARSE_NEED_MORE:
			return PROTO_NEXT_WAIT;
		case IMAP_PARSE_TOO_LONG:
			if (s->st == IMAP_S_LOGOUT)
				return PROTO_NEXT_DONE;
			return proto_conv_fail(c, FINDING_PROTO_REPLY_TOO_LONG,
			    "a response line passed %d bytes while %s", IMAP_LINE_MAX, c->during);
		case IMAP_PARSE_BAD:
			logged = c->inlen - c->consumed;
			proto_conv_log(c, '<', (const char *)c->in + c->consumed, logged > 200 ? 200 : logged);
			if (s->st == IMAP_S_LOGOUT)
				return PROTO_NEXT_DONE;
			return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "not an IMAP response while %s",
			    c->during);
		default:
			break;
		}
		proto_conv_log(c, '<', (const char *)c->in + c->consumed, l.consumed);
		c->consumed += l.consumed;
		next = imap_line(c, s, &l);
		/* after a command went out, what is left was sent before the server read it: the
		 * engine reports it as unsolicited */
		if (next != PROTO_NEXT_WAIT || c->sent)
			return next;
	}
	return s->st == IMAP_S_LOGOUT ? PROTO_NEXT_GOODBYE : PROTO_NEXT_WAIT;
}

/* Pipe mode: plaintext after the OK to STARTTLS tagged "a" answers the NOOP before TLS. */
static int
imap_pipe_answer(const unsigned char *b, size_t n)
{
	return n >= 2 && b[0] == 'a' && b[1] == ' ';
}

const struct proto_module proto_module_imap = {
	"imap", 0, sizeof(struct imap_state), imap_step, NULL, 0, imap_pipe_answer,
};
