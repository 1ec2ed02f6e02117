/*
 * test_proto.c — the IMAP, POP3 and XMPP parsers (table-driven) and every module's dialogue,
 * replayed without a socket: a scripted server's bytes in, the commands the module sends and the
 * findings it records out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "probe/endpoint.h"
#include "probe/probe.h"
#include "proto/imap.h"
#include "proto/pop3.h"
#include "proto/proto.h"
#include "proto/xmpp.h"
#include "util/arena.h"

/* ---- IMAP parser ---------------------------------------------------------------------------- */

static const struct {
	const char		*in;
	enum imap_parse		 want;
	enum imap_kind		 kind;
	enum imap_status	 status;
	const char		*tag;
	const char		*text;
} imap_cases[] = {
	{ "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", IMAP_PARSE_OK, IMAP_UNTAGGED, IMAP_ST_OK, "",
	  "[CAPABILITY IMAP4rev1 STARTTLS] ready" },
	{ "* CAPABILITY IMAP4rev1 LOGINDISABLED\r\n", IMAP_PARSE_OK, IMAP_UNTAGGED, IMAP_ST_NONE, "",
	  "CAPABILITY IMAP4rev1 LOGINDISABLED" },
	{ "a1 OK done\r\n", IMAP_PARSE_OK, IMAP_TAGGED, IMAP_ST_OK, "a1", "done" },
	{ "a2 no refused\n", IMAP_PARSE_OK, IMAP_TAGGED, IMAP_ST_NO, "a2", "refused" },
	{ "a1 BAD\r\n", IMAP_PARSE_OK, IMAP_TAGGED, IMAP_ST_BAD, "a1", "" },
	{ "* BYE go away\r\n", IMAP_PARSE_OK, IMAP_UNTAGGED, IMAP_ST_BYE, "", "go away" },
	{ "* PREAUTH hi\r\n", IMAP_PARSE_OK, IMAP_UNTAGGED, IMAP_ST_PREAUTH, "", "hi" },
	{ "+ go on\r\n", IMAP_PARSE_OK, IMAP_CONTINUE, IMAP_ST_NONE, "", "go on" },
	{ "* OK partial", IMAP_PARSE_NEED_MORE, 0, 0, NULL, NULL },
	{ "", IMAP_PARSE_NEED_MORE, 0, 0, NULL, NULL },
	{ "a1 FOO bar\r\n", IMAP_PARSE_BAD, 0, 0, NULL, NULL },	/* tagged must be OK/NO/BAD */
	{ "a1\r\n", IMAP_PARSE_BAD, 0, 0, NULL, NULL },
	{ "\x16\x03\x01", IMAP_PARSE_BAD, 0, 0, NULL, NULL },
	{ "220 smtp\r\n", IMAP_PARSE_BAD, 0, 0, NULL, NULL },		/* tag then no status word */
	{ "* OK \x1b[31mred\r\n", IMAP_PARSE_OK, IMAP_UNTAGGED, IMAP_ST_OK, "", "?[31mred" },
};

static void
test_imap_lines(void **state)
{
	struct imap_line l;
	char buf[IMAP_LINE_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(imap_cases) / sizeof(imap_cases[0]); i++) {
		enum imap_parse r = imap_line_parse(imap_cases[i].in, strlen(imap_cases[i].in), &l, buf,
		    sizeof(buf));

		if (r != imap_cases[i].want)
			fail_msg("case %zu (%s): got %d want %d", i, imap_cases[i].in, r, imap_cases[i].want);
		if (r != IMAP_PARSE_OK)
			continue;
		assert_int_equal(l.kind, imap_cases[i].kind);
		assert_int_equal(l.status, imap_cases[i].status);
		assert_string_equal(l.tag, imap_cases[i].tag);
		assert_string_equal(l.text, imap_cases[i].text);
		assert_int_equal(l.consumed, strlen(imap_cases[i].in));
	}
}

static void
test_imap_ceiling(void **state)
{
	struct imap_line l;
	char buf[IMAP_LINE_MAX + 1];
	size_t n = IMAP_LINE_MAX + 10;
	char *big = malloc(n);

	memset(big, 'x', n);
	memcpy(big, "* OK ", 5);
	assert_int_equal(imap_line_parse(big, n, &l, buf, sizeof(buf)), IMAP_PARSE_TOO_LONG);
	assert_int_equal(imap_line_parse(big, IMAP_LINE_MAX, &l, buf, sizeof(buf)), IMAP_PARSE_NEED_MORE);
	free(big);
}

static void
test_imap_caps(void **state)
{
	struct imap_caps c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(imap_caps_parse("CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN auth=login ID", &c), 1);
	assert_true(c.starttls && c.imap4rev1 && !c.logindisabled);
	assert_string_equal(c.auth, "PLAIN login");
	memset(&c, 0, sizeof(c));
	assert_int_equal(imap_caps_parse("[CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED] Dovecot ready.", &c), 1);
	assert_true(c.starttls && c.logindisabled && c.imap4rev2);
	assert_string_equal(c.auth, "");
	memset(&c, 0, sizeof(c));
	assert_int_equal(imap_caps_parse("[CAPABILITY STARTTLSX XSTARTTLS", &c), 0);	/* no ']' */
	assert_int_equal(imap_caps_parse("CAPABILITY STARTTLSX XSTARTTLS", &c), 1);
	assert_false(c.starttls);
	assert_int_equal(imap_caps_parse("OK nothing", &c), 0);
}

/* ---- POP3 parser ---------------------------------------------------------------------------- */

static void
test_pop3(void **state)
{
	struct pop3_reply r;
	struct pop3_caps c;
	char buf[POP3_TEXT_MAX];
	const char *capa = "+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN\r\nSTLS\r\n"
	    "..stuffed\r\nIMPLEMENTATION Dovecot\r\n.\r\nextra";

	assert_int_equal(pop3_reply_parse("+OK ready\r\n", 11, 0, &r, buf, sizeof(buf)), POP3_PARSE_OK);
	assert_true(r.ok);
	assert_string_equal(r.text, "ready");
	assert_int_equal(pop3_reply_parse("-ERR no\r\n", 9, 1, &r, buf, sizeof(buf)), POP3_PARSE_OK);
	assert_false(r.ok);
	assert_int_equal(r.consumed, 9);
	assert_int_equal(pop3_reply_parse("+OK\r\n", 5, 0, &r, buf, sizeof(buf)), POP3_PARSE_OK);
	assert_int_equal(pop3_reply_parse("+OKAY\r\n", 7, 0, &r, buf, sizeof(buf)), POP3_PARSE_BAD);
	assert_int_equal(pop3_reply_parse("* OK imap\r\n", 11, 0, &r, buf, sizeof(buf)), POP3_PARSE_BAD);
	assert_int_equal(pop3_reply_parse("+O", 2, 0, &r, buf, sizeof(buf)), POP3_PARSE_NEED_MORE);
	assert_int_equal(pop3_reply_parse(capa, 40, 1, &r, buf, sizeof(buf)), POP3_PARSE_NEED_MORE);
	assert_int_equal(pop3_reply_parse(capa, strlen(capa), 1, &r, buf, sizeof(buf)), POP3_PARSE_OK);
	assert_int_equal(r.consumed, strlen(capa) - 5);
	assert_int_equal(r.nlines, 6);
	pop3_caps_parse(r.text, &c);
	assert_true(c.stls && c.user);
	assert_string_equal(c.sasl, "PLAIN LOGIN");
	assert_string_equal(c.impl, "Dovecot");
	assert_string_equal(c.all, "TOP USER SASL STLS .stuffed IMPLEMENTATION");
}

static void
test_pop3_ceiling(void **state)
{
	struct pop3_reply r;
	char buf[POP3_TEXT_MAX];
	char *big = malloc(20 * (POP3_LINES_MAX + 5) + 20);
	size_t n = 0, i;

	n += (size_t)sprintf(big, "+OK\r\n");
	for (i = 0; i < POP3_LINES_MAX + 5; i++)
		n += (size_t)sprintf(big + n, "LINE%zu\r\n", i);
	assert_int_equal(pop3_reply_parse(big, n, 1, &r, buf, sizeof(buf)), POP3_PARSE_TOO_LONG);
	free(big);
}

/* ---- XMPP parsers --------------------------------------------------------------------------- */

static const struct {
	const char	*in;
	enum xmpp_kind	 want;
	size_t		 len;		/* 0: the whole input */
	const char	*name;
} xmpp_cases[] = {
	{ "<?xml version='1.0'?><stream:stream>", XMPP_DECL, 21, NULL },
	{ "<stream:stream xmlns='jabber:client' id='x'>", XMPP_OPEN, 0, "stream:stream" },
	{ "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
	  "</stream:features>", XMPP_ELEMENT, 0, "stream:features" },
	{ "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", XMPP_ELEMENT, 0, "proceed" },
	{ "</stream:stream>", XMPP_CLOSE, 0, "stream:stream" },
	{ "  \r\n", XMPP_SPACE, 0, NULL },
	{ "<stream:features><a>", XMPP_NEED_MORE, 0, NULL },
	{ "<stream:features><a></b></stream:features>", XMPP_BAD, 0, NULL },
	{ "<!-- comment -->", XMPP_BAD, 0, NULL },
	{ "<!DOCTYPE x>", XMPP_BAD, 0, NULL },
	{ "<?php x ?>", XMPP_BAD, 0, NULL },
	{ "hello", XMPP_BAD, 0, NULL },
	{ "</foo>", XMPP_BAD, 0, NULL },
	{ "<a b='<'/>", XMPP_BAD, 0, NULL },
	{ "<a b='>'/>", XMPP_ELEMENT, 0, "a" },
	{ "HTTP/1.1 400 Bad Request\r\n", XMPP_BAD, 0, NULL },
};

static void
test_xmpp_items(void **state)
{
	struct xmpp_item it;
	size_t i;

	for (i = 0; i < sizeof(xmpp_cases) / sizeof(xmpp_cases[0]); i++) {
		enum xmpp_kind k = xmpp_next(xmpp_cases[i].in, strlen(xmpp_cases[i].in), &it);

		if (k != xmpp_cases[i].want)
			fail_msg("case %zu (%s): got %s", i, xmpp_cases[i].in, xmpp_kind_name(k));
		if (k == XMPP_NEED_MORE || k == XMPP_BAD)
			continue;
		assert_int_equal(it.len, xmpp_cases[i].len ? xmpp_cases[i].len : strlen(xmpp_cases[i].in));
		if (xmpp_cases[i].name)
			assert_string_equal(it.name, xmpp_cases[i].name);
	}
}

static void
test_xmpp_ceilings(void **state)
{
	struct xmpp_item it;
	size_t n = XMPP_ITEM_MAX + 100, i;
	char *big = malloc(n);
	char deep[XMPP_DEPTH_MAX * 3 + 40];

	/* endless features: children that never close the element */
	memcpy(big, "<stream:features>", 17);
	for (i = 17; i + 4 <= n; i += 4)
		memcpy(big + i, "<a/>", 4);
	assert_int_equal(xmpp_next(big, i, &it), XMPP_TOO_BIG);
	assert_int_equal(xmpp_next(big, 4000, &it), XMPP_NEED_MORE);
	free(big);
	for (i = 0; i <= XMPP_DEPTH_MAX; i++)
		memcpy(deep + i * 3, "<a>", 3);
	assert_int_equal(xmpp_next(deep, (XMPP_DEPTH_MAX + 1) * 3, &it), XMPP_TOO_BIG);
}

static void
test_xmpp_header(void **state)
{
	struct xmpp_header h;
	const char *ok = "<stream:stream xmlns='jabber:client' xmlns:stream=\"http://etherx.jabber.org/streams\" "
	    "from='lab.example' id='abc' version='1.0'>";
	const char *badns = "<stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong' version='1.0'>";
	const char *junk = "<stream:stream from=lab>";

	assert_int_equal(xmpp_header_parse(ok, strlen(ok), &h), 0);
	assert_string_equal(h.from, "lab.example");
	assert_string_equal(h.id, "abc");
	assert_string_equal(h.version, "1.0");
	assert_string_equal(h.xmlns, "jabber:client");
	assert_true(h.stream_ns_ok);
	assert_int_equal(xmpp_header_parse(badns, strlen(badns), &h), 0);
	assert_false(h.stream_ns_ok);
	assert_int_equal(xmpp_header_parse(junk, strlen(junk), &h), -1);
}

static void
test_xmpp_features(void **state)
{
	struct xmpp_features f;
	char cond[64];
	const char *pros = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
	    "<required/></starttls></stream:features>";
	const char *lax = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
	    "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>"
	    "<mechanism> PLAIN </mechanism></mechanisms><auth xmlns='http://jabber.org/features/iq-auth'/>"
	    "</stream:features>";
	const char *s2s = "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>";
	const char *err = "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
	    "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no</text></stream:error>";
	const char *err2 = "<stream:error><text>first</text><policy-violation/></stream:error>";

	assert_int_equal(xmpp_features_parse(pros, strlen(pros), &f), 0);
	assert_true(f.starttls && f.required && !f.mechanisms);
	assert_string_equal(f.names, "starttls(required)");
	assert_int_equal(xmpp_features_parse(lax, strlen(lax), &f), 0);
	assert_true(f.starttls && !f.required && f.mechanisms && f.iq_auth);
	assert_string_equal(f.mechs, "SCRAM-SHA-1 PLAIN");
	assert_string_equal(f.names, "auth starttls mechanisms(SCRAM-SHA-1 PLAIN)");
	assert_int_equal(xmpp_features_parse(s2s, strlen(s2s), &f), 0);
	assert_true(f.dialback && !f.starttls);
	xmpp_condition(err, strlen(err), cond, sizeof(cond));
	assert_string_equal(cond, "host-unknown");
	xmpp_condition(err2, strlen(err2), cond, sizeof(cond));
	assert_string_equal(cond, "policy-violation");
	assert_string_equal(xmpp_local("stream:features"), "features");
}

/* ---- module dialogues, without a socket ------------------------------------------------------ */

struct drive {
	struct proto_conv	 c;
	struct arena		*a;
	char			 sent[4096];
	int			 pipe_result;
	char			 in[8192];
	size_t			 inlen;
};

static void
drive_send(struct proto_conv *c, const char *line, int flush)
{
	struct drive *d = (struct drive *)c;
	size_t n = strlen(d->sent);

	c->sent = 1;
	snprintf(d->sent + n, sizeof(d->sent) - n, "%s|", line);
}

static void
drive_pipe(struct proto_conv *c, int r, const char *detail)
{
	struct drive *d = (struct drive *)c;

	if (d->pipe_result == PROBE_PIPE_NOT_TESTED || r == PROBE_PIPE_VULNERABLE)
		d->pipe_result = r;
}

static void
drive_init(struct drive *d, enum endpoint_proto p, int tls, int pipe)
{
	memset(d, 0, sizeof(*d));
	d->a = arena_new();
	d->c.ep = endpoint_new(d->a, "h", "127.0.0.1", 1, p, "lab.example");
	d->c.ep->facts = arena_alloc(d->a, sizeof(struct proto_facts));
	d->c.facts = d->c.ep->facts;
	d->c.arena = d->a;
	d->c.domain = "lab.example";
	d->c.client_name = "client.example";
	d->c.tls_active = tls;
	d->c.pipe = pipe;
	d->c.state = calloc(1, proto_info(p)->module->state_size + 1);
	d->c.send = drive_send;
	d->c.pipe_decide = drive_pipe;
}

static void
drive_done(struct drive *d)
{
	free(d->c.state);
	arena_free(d->a);
}

static enum proto_next
drive_event(struct drive *d, enum proto_event ev)
{
	d->c.in = (const unsigned char *)d->in;
	d->c.inlen = d->inlen;
	d->c.sent = 0;
	return proto_info(d->c.ep->proto)->module->step(&d->c, ev);
}

/* Feed server bytes as the engine would: step until nothing more is consumed. */
static enum proto_next
drive_input(struct drive *d, const char *bytes)
{
	enum proto_next next = PROTO_NEXT_WAIT;
	size_t n = strlen(bytes);

	memcpy(d->in + d->inlen, bytes, n);
	d->inlen += n;
	while (d->inlen > 0) {
		next = drive_event(d, PROTO_EV_INPUT);
		memmove(d->in, d->in + d->c.consumed, d->inlen - d->c.consumed);
		d->inlen -= d->c.consumed;
		if (d->c.consumed == 0 || (next != PROTO_NEXT_WAIT && next != PROTO_NEXT_GOODBYE) ||
		    d->c.sent)
			break;
	}
	return next;
}

static void
test_imap_dialogue(void **state)
{
	struct drive d;

	/* Dovecot ssl=yes disable_plaintext_auth=no: AUTH=PLAIN before TLS */
	drive_init(&d, ENDPOINT_PROTO_IMAP, 0, 0);
	assert_int_equal(drive_event(&d, PROTO_EV_START), PROTO_NEXT_WAIT);
	assert_int_equal(drive_input(&d, "* OK Waiting for authentication process to respond..\r\n"),
	    PROTO_NEXT_WAIT);
	assert_string_equal(d.sent, "");
	assert_int_equal(drive_input(&d, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"), PROTO_NEXT_WAIT);
	assert_string_equal(d.sent, "a1 CAPABILITY|");
	assert_int_equal(drive_input(&d, "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=LOGIN\r\n"
	    "a1 OK done\r\n"), PROTO_NEXT_WAIT);
	assert_string_equal(d.sent, "a1 CAPABILITY|a2 STARTTLS|");
	assert_true(endpoint_has(d.c.ep, FINDING_IMAP_LOGIN_BEFORE_TLS));
	assert_false(endpoint_has(d.c.ep, FINDING_IMAP_STARTTLS_MISSING));
	assert_true(d.c.facts->cred_before_tls);
	assert_int_equal(drive_input(&d, "a2 OK Begin TLS\r\n"), PROTO_NEXT_UPGRADE);
	d.c.tls_active = 1;
	assert_int_equal(drive_event(&d, PROTO_EV_TLS_UP), PROTO_NEXT_WAIT);
	assert_int_equal(drive_input(&d, "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na3 OK\r\n"),
	    PROTO_NEXT_GOODBYE);
	assert_string_equal(d.c.facts->caps_tls, "IMAP4rev1 AUTH=PLAIN");
	assert_int_equal(drive_input(&d, "* BYE\r\na4 OK bye\r\n"), PROTO_NEXT_DONE);
	assert_string_equal(d.sent, "a1 CAPABILITY|a2 STARTTLS|a3 CAPABILITY|a4 LOGOUT|");
	drive_done(&d);

	/* the good case, and the pipelined test against a vulnerable server */
	drive_init(&d, ENDPOINT_PROTO_IMAP, 0, 1);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, "* OK hi\r\n");
	drive_input(&d, "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na1 OK\r\n");
	assert_false(endpoint_has(d.c.ep, FINDING_IMAP_LOGIN_BEFORE_TLS));
	assert_string_equal(d.sent, "a1 CAPABILITY|a2 STARTTLS|a NOOP|");
	assert_int_equal(drive_input(&d, "a2 OK\r\n"), PROTO_NEXT_UPGRADE);
	d.c.tls_active = 1;
	assert_int_equal(drive_event(&d, PROTO_EV_TLS_UP), PROTO_NEXT_PIPE_WAIT);
	assert_int_equal(drive_input(&d, "a OK NOOP completed\r\n"), PROTO_NEXT_GOODBYE);
	assert_int_equal(d.pipe_result, PROBE_PIPE_VULNERABLE);
	drive_done(&d);

	/* garbage and a greeting that refuses */
	drive_init(&d, ENDPOINT_PROTO_IMAP, 0, 0);
	drive_event(&d, PROTO_EV_START);
	assert_int_equal(drive_input(&d, "* BYE too many\r\n"), PROTO_NEXT_FAILED);
	assert_true(endpoint_has(d.c.ep, FINDING_PROTO_REJECTED));
	drive_done(&d);
	drive_init(&d, ENDPOINT_PROTO_IMAP, 0, 0);
	drive_event(&d, PROTO_EV_START);
	assert_int_equal(drive_input(&d, "\x16\x03\x01\x00\x02"), PROTO_NEXT_FAILED);
	assert_true(endpoint_has(d.c.ep, FINDING_PROTO_PROTOCOL));
	drive_done(&d);
}

static void
test_pop3_dialogue(void **state)
{
	struct drive d;

	drive_init(&d, ENDPOINT_PROTO_POP3, 0, 0);
	drive_event(&d, PROTO_EV_START);
	assert_int_equal(drive_input(&d, "+OK Dovecot ready.\r\n"), PROTO_NEXT_WAIT);
	assert_int_equal(drive_input(&d, "+OK\r\nCAPA\r\nTOP\r\nSTLS\r\nSASL\r\n.\r\n"), PROTO_NEXT_WAIT);
	assert_false(endpoint_has(d.c.ep, FINDING_POP3_USER_BEFORE_TLS));
	assert_false(d.c.facts->cred_before_tls);
	assert_int_equal(drive_input(&d, "+OK Begin TLS negotiation now.\r\n"), PROTO_NEXT_UPGRADE);
	d.c.tls_active = 1;
	drive_event(&d, PROTO_EV_TLS_UP);
	assert_int_equal(drive_input(&d, "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n"), PROTO_NEXT_GOODBYE);
	assert_int_equal(drive_input(&d, "+OK Logging out\r\n"), PROTO_NEXT_DONE);
	assert_string_equal(d.sent, "CAPA|STLS|CAPA|QUIT|");
	drive_done(&d);

	drive_init(&d, ENDPOINT_PROTO_POP3, 0, 0);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, "+OK hi\r\n");
	drive_input(&d, "+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n");
	assert_true(endpoint_has(d.c.ep, FINDING_POP3_USER_BEFORE_TLS));
	assert_true(endpoint_has(d.c.ep, FINDING_POP3_STARTTLS_MISSING));
	assert_string_equal(d.sent, "CAPA|QUIT|");
	drive_done(&d);

	/* injection: the pipelined NOOP answered -ERR inside TLS */
	drive_init(&d, ENDPOINT_PROTO_POP3, 0, 1);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, "+OK hi\r\n");
	drive_input(&d, "+OK\r\nSTLS\r\n.\r\n");
	assert_string_equal(d.sent, "CAPA|STLS|NOOP|");
	assert_int_equal(drive_input(&d, "+OK go\r\n"), PROTO_NEXT_UPGRADE);
	d.c.tls_active = 1;
	assert_int_equal(drive_event(&d, PROTO_EV_TLS_UP), PROTO_NEXT_PIPE_WAIT);
	drive_input(&d, "-ERR Unknown command\r\n");
	assert_int_equal(d.pipe_result, PROBE_PIPE_VULNERABLE);
	drive_done(&d);
}

static void
test_xmpp_dialogue(void **state)
{
	struct drive d;
	const char *hdr = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
	    "xmlns:stream='http://etherx.jabber.org/streams' from='lab.example' id='s1' version='1.0'>";

	/* Prosody c2s_require_encryption = true */
	drive_init(&d, ENDPOINT_PROTO_XMPP, 0, 0);
	assert_int_equal(drive_event(&d, PROTO_EV_START), PROTO_NEXT_WAIT);
	assert_non_null(strstr(d.sent, "to='lab.example'"));
	assert_null(strstr(d.sent, "from="));
	drive_input(&d, hdr);
	assert_int_equal(drive_input(&d, "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
	    "<required/></starttls></stream:features>"), PROTO_NEXT_WAIT);
	assert_non_null(strstr(d.sent, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>|"));
	assert_true(d.c.facts->tls_required);
	assert_false(endpoint_has(d.c.ep, FINDING_XMPP_TLS_OPTIONAL));
	assert_int_equal(drive_input(&d, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
	    PROTO_NEXT_UPGRADE);
	d.c.tls_active = 1;
	d.sent[0] = '\0';
	drive_event(&d, PROTO_EV_TLS_UP);
	assert_non_null(strstr(d.sent, "<stream:stream"));
	drive_input(&d, hdr);
	assert_int_equal(drive_input(&d, "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
	    "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"), PROTO_NEXT_GOODBYE);
	assert_string_equal(d.c.facts->caps_tls, "mechanisms(PLAIN)");
	assert_int_equal(drive_input(&d, "</stream:stream>"), PROTO_NEXT_DONE);
	drive_done(&d);

	/* <required/> next to PLAIN, and the server starts SASL in plaintext: not enforced */
	drive_init(&d, ENDPOINT_PROTO_XMPP, 0, 0);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, hdr);
	drive_input(&d, "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
	    "</starttls><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
	    "</mechanisms></stream:features>");
	assert_non_null(strstr(d.sent, "mechanism='PLAIN'/>|"));
	drive_input(&d, "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	assert_true(endpoint_has(d.c.ep, FINDING_XMPP_REQUIRED_NOT_ENFORCED));
	assert_non_null(strstr(d.sent, "<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>|"));
	drive_input(&d, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><aborted/></failure>");
	assert_non_null(strstr(d.sent, "<starttls"));
	assert_true(endpoint_has(d.c.ep, FINDING_XMPP_SASL_BEFORE_TLS));
	drive_done(&d);

	/* s2s: from= ours, dialback, optional TLS */
	drive_init(&d, ENDPOINT_PROTO_XMPP_SERVER, 0, 0);
	drive_event(&d, PROTO_EV_START);
	assert_non_null(strstr(d.sent, "from='client.example' to='lab.example'"));
	drive_input(&d, hdr);
	drive_input(&d, "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/><starttls "
	    "xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>");
	assert_true(endpoint_has(d.c.ep, FINDING_XMPP_TLS_OPTIONAL));
	assert_true(d.c.facts->dialback);
	drive_done(&d);

	/* host-unknown, a garbage header, endless features */
	drive_init(&d, ENDPOINT_PROTO_XMPP, 0, 0);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, hdr);
	assert_int_equal(drive_input(&d, "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
	    "</stream:error>"), PROTO_NEXT_FAILED);
	assert_true(endpoint_has(d.c.ep, FINDING_XMPP_HOST_UNKNOWN));
	drive_done(&d);
	drive_init(&d, ENDPOINT_PROTO_XMPP, 0, 0);
	drive_event(&d, PROTO_EV_START);
	assert_int_equal(drive_input(&d, "<stream:stream xmlns:stream='urn:nope' version='1.0'>"),
	    PROTO_NEXT_FAILED);
	assert_true(endpoint_has(d.c.ep, FINDING_PROTO_PROTOCOL));
	drive_done(&d);
}

static void
test_submission_dialogue(void **state)
{
	struct drive d;

	drive_init(&d, ENDPOINT_PROTO_SUBMISSION, 0, 0);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, "220 mx ESMTP\r\n");
	assert_string_equal(d.sent, "EHLO client.example|");
	drive_input(&d, "250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n");
	assert_true(endpoint_has(d.c.ep, FINDING_SUBMISSION_AUTH_BEFORE_TLS));
	assert_int_equal(drive_input(&d, "220 go ahead\r\n"), PROTO_NEXT_UPGRADE);
	drive_done(&d);

	drive_init(&d, ENDPOINT_PROTO_SUBMISSION, 0, 0);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, "220 mx ESMTP\r\n");
	assert_int_equal(drive_input(&d, "250-mx\r\n250 AUTH PLAIN\r\n"), PROTO_NEXT_GOODBYE);
	assert_true(endpoint_has(d.c.ep, FINDING_SUBMISSION_STARTTLS_MISSING));
	assert_int_equal(finding_info(FINDING_SUBMISSION_STARTTLS_MISSING)->severity, SEVERITY_CRITICAL);
	drive_done(&d);
}

/* POP3 in pipe mode, TLS up, the wait over: QUIT sent. */
static void
s_pop3_to_quit(struct drive *d)
{
	d->c.tls_active = 1;
	drive_event(d, PROTO_EV_TLS_UP);
	drive_event(d, PROTO_EV_PIPE_TIMEOUT);
	assert_non_null(strstr(d->sent, "QUIT"));
}

/* Port 25 on the engine (smtpconv.c's relay row): the relay's findings, HELO fallback, 421, the
 * early 220, and the pipelined NOOP answered inside TLS before the reply to QUIT. */
static void
test_smtp_relay_dialogue(void **state)
{
	const struct proto_module *m = proto_info(ENDPOINT_PROTO_SMTP)->module;
	struct drive d;

	assert_non_null(m);
	assert_true(m->hide_facts);
	assert_ptr_equal(proto_info(ENDPOINT_PROTO_SMTPS)->module, m);

	drive_init(&d, ENDPOINT_PROTO_SMTP, 0, 0);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, "220 mx ESMTP\r\n");
	assert_int_equal(drive_input(&d, "250-mx\r\n250 AUTH PLAIN\r\n"), PROTO_NEXT_GOODBYE);
	assert_true(endpoint_has(d.c.ep, FINDING_STARTTLS_NOT_OFFERED));
	assert_true(endpoint_has(d.c.ep, FINDING_AUTH_BEFORE_TLS));
	assert_false(endpoint_has(d.c.ep, FINDING_SUBMISSION_STARTTLS_MISSING));
	assert_string_equal(d.sent, "EHLO client.example|QUIT|");
	drive_done(&d);

	/* RFC 5321 §3.2: EHLO refused, HELO; no extensions, so no STARTTLS */
	drive_init(&d, ENDPOINT_PROTO_SMTP, 0, 0);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, "220 mx\r\n");
	drive_input(&d, "502 no\r\n");
	assert_true(endpoint_has(d.c.ep, FINDING_SMTP_EHLO_REFUSED));
	assert_int_equal(drive_input(&d, "250 mx\r\n"), PROTO_NEXT_GOODBYE);
	assert_true(endpoint_has(d.c.ep, FINDING_STARTTLS_NOT_OFFERED));
	assert_string_equal(d.sent, "EHLO client.example|HELO client.example|QUIT|");
	drive_done(&d);

	/* a 421 greeting: rejected, and the scheduler backs off */
	drive_init(&d, ENDPOINT_PROTO_SMTP, 0, 0);
	drive_event(&d, PROTO_EV_START);
	assert_int_equal(drive_input(&d, "421 busy\r\n"), PROTO_NEXT_FAILED);
	assert_true(d.c.busy);
	assert_true(endpoint_has(d.c.ep, FINDING_SMTP_REJECTED));
	drive_done(&d);

	/* a 220 arriving with the EHLO reply, before STARTTLS was sent: injection */
	drive_init(&d, ENDPOINT_PROTO_SMTP, 0, 0);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, "220 mx\r\n");
	drive_input(&d, "250-mx\r\n250 STARTTLS\r\n");
	d.c.in = (const unsigned char *)"220 ready\r\n";
	d.c.inlen = 11;
	assert_int_equal(m->unsolicited(&d.c), FINDING_STARTTLS_INJECTION);
	d.c.in = (const unsigned char *)"250 ok\r\n";
	d.c.inlen = 8;
	assert_int_equal(m->unsolicited(&d.c), FINDING_SMTP_PROTOCOL);
	drive_done(&d);

	/* pipe mode: STARTTLS and NOOP in one write; the NOOP answered inside TLS */
	drive_init(&d, ENDPOINT_PROTO_SMTP, 0, 1);
	drive_event(&d, PROTO_EV_START);
	drive_input(&d, "220 mx\r\n");
	drive_input(&d, "250-mx\r\n250 STARTTLS\r\n");
	assert_string_equal(d.sent, "EHLO client.example|STARTTLS|NOOP|");
	assert_int_equal(drive_input(&d, "220 go\r\n"), PROTO_NEXT_UPGRADE);
	d.c.tls_active = 1;
	assert_int_equal(drive_event(&d, PROTO_EV_TLS_UP), PROTO_NEXT_PIPE_WAIT);
	drive_input(&d, "250 ok\r\n");
	assert_int_equal(d.pipe_result, PROBE_PIPE_VULNERABLE);
	drive_done(&d);

	/* pipe mode, the wait ran out: what precedes the 221 to QUIT decides (RFC 2920 §3.2) */
	{
		static const struct {
			const char	*before;	/* replies inside TLS after QUIT */
			int		 want;
		} rows[] = {
			{ "221 bye\r\n", PROBE_PIPE_NOT_VULNERABLE },
			{ "250 ok\r\n221 bye\r\n", PROBE_PIPE_VULNERABLE },
			{ "503 bad sequence\r\n221 bye\r\n", PROBE_PIPE_VULNERABLE },
			{ "421 shutting down\r\n", PROBE_PIPE_INCONCLUSIVE },
			{ "502 5.5.1 protocol error\r\n", PROBE_PIPE_NOT_TESTED },	/* held: maybe QUIT's */
			{ "220 hello again\r\n221 bye\r\n", PROBE_PIPE_INCONCLUSIVE },
		};
		size_t i;

		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			drive_init(&d, ENDPOINT_PROTO_SMTP, 0, 1);
			drive_event(&d, PROTO_EV_START);
			drive_input(&d, "220 mx\r\n");
			drive_input(&d, "250-mx\r\n250 STARTTLS\r\n");
			drive_input(&d, "220 go\r\n");
			d.c.tls_active = 1;
			drive_event(&d, PROTO_EV_TLS_UP);
			drive_event(&d, PROTO_EV_PIPE_TIMEOUT);
			assert_int_equal(d.pipe_result, PROBE_PIPE_NOT_TESTED);	/* the wait decides nothing */
			drive_input(&d, rows[i].before);
			drive_input(&d, "");
			assert_int_equal(d.pipe_result, rows[i].want);
			drive_done(&d);
		}
	}
	assert_true(m->pipe_answer((const unsigned char *)"250 2.0.0 Ok\r\n", 14));
	assert_false(m->pipe_answer((const unsigned char *)"454 4.7.0 no\r\n", 14));
}

/* POP3 pipe mode after the wait: QUIT before login is answered +OK only (RFC 1939 §4, the AUTHORIZATION state). */
static void
test_pop3_pipe_quit(void **state)
{
	const struct proto_module *m = proto_info(ENDPOINT_PROTO_POP3)->module;
	struct drive d;
	int k;

	for (k = 0; k < 3; k++) {
		drive_init(&d, ENDPOINT_PROTO_POP3, 1, 1);
		s_pop3_to_quit(&d);
		if (k == 0) {		/* -ERR first: the NOOP's answer */
			drive_input(&d, "-ERR not now\r\n");
			assert_int_equal(d.pipe_result, PROBE_PIPE_VULNERABLE);
		} else if (k == 1) {	/* one +OK, then the close */
			drive_input(&d, "+OK bye\r\n");
			assert_int_equal(d.pipe_result, PROBE_PIPE_NOT_TESTED);
			drive_event(&d, PROTO_EV_CLOSED);
			assert_int_equal(d.pipe_result, PROBE_PIPE_NOT_VULNERABLE);
		} else {		/* two replies */
			drive_input(&d, "+OK noop\r\n+OK bye\r\n");
			drive_input(&d, "");
			assert_int_equal(d.pipe_result, PROBE_PIPE_VULNERABLE);
		}
		drive_done(&d);
	}
	assert_true(m->pipe_answer((const unsigned char *)"-ERR no", 7));
	assert_false(m->pipe_answer((const unsigned char *)"* OK", 4));
}

static void
test_proto_table(void **state)
{
	int i;

	for (i = 0; i < proto_count(); i++) {
		const struct proto_info *pi = proto_info(i);

		assert_non_null(pi->name);
		assert_int_equal(proto_by_name(pi->name), i);
		assert_true(pi->port > 0);
		assert_true(pi->implicit == (pi->upgrade == NULL));
		if (pi->implicit)
			assert_null(pi->pipe_cmd);
	}
	assert_int_equal(proto_by_name("gopher"), -1);
	assert_int_equal(proto_info(ENDPOINT_PROTO_IMAPS)->port, 993);
	assert_int_equal(proto_info(ENDPOINT_PROTO_XMPPS_SERVER)->port, 5270);
}

static void
test_proto_words(void **state)
{
	char d[12] = "";

	proto_words_add(d, sizeof(d), "IMAP4rev1", 4);
	assert_string_equal(d, "IMAP");
	proto_words_add(d, sizeof(d), "IDLE", 4);
	assert_string_equal(d, "IMAP IDLE");
	proto_words_add(d, sizeof(d), "SASL", 4);	/* 9 + 1 + 4 + NUL > 12: dropped */
	assert_string_equal(d, "IMAP IDLE");
	proto_words_add(d, sizeof(d), "X", 1);
	assert_string_equal(d, "IMAP IDLE X");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imap_lines),
		cmocka_unit_test(test_imap_ceiling),
		cmocka_unit_test(test_imap_caps),
		cmocka_unit_test(test_pop3),
		cmocka_unit_test(test_pop3_ceiling),
		cmocka_unit_test(test_xmpp_items),
		cmocka_unit_test(test_xmpp_ceilings),
		cmocka_unit_test(test_xmpp_header),
		cmocka_unit_test(test_xmpp_features),
		cmocka_unit_test(test_imap_dialogue),
		cmocka_unit_test(test_pop3_dialogue),
		cmocka_unit_test(test_xmpp_dialogue),
		cmocka_unit_test(test_submission_dialogue),
		cmocka_unit_test(test_smtp_relay_dialogue),
		cmocka_unit_test(test_pop3_pipe_quit),
		cmocka_unit_test(test_proto_table),
		cmocka_unit_test(test_proto_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
