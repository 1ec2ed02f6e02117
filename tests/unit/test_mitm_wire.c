/*
 * test_mitm_wire.c — the client-command parsers, the stripping rewrites and the XMPP stream
 * scanner of lib/mitm/, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mitm/wire.h"
#include "mitm/xmpp.h"
#include "util/dbuf.h"

struct cmd_row {
	enum mitm_proto	 proto;
	const char	*line;
	int		 rc;
	enum mitm_verb	 verb;
	const char	*tag;
	const char	*mech;
	int		 has_ir;
	size_t		 arg_len;
	size_t		 literal;
	int		 sync;
};

#define S	MITM_PROTO_SMTP
#define I	MITM_PROTO_IMAP
#define P	MITM_PROTO_POP3

static const struct cmd_row cmd_rows[] = {
	{ S, "EHLO client.example", 0, MITM_VERB_EHLO, "", "", 0, 14, 0, 0 },
	{ S, "ehlo x", 0, MITM_VERB_EHLO, "", "", 0, 1, 0, 0 },
	{ S, "HELO x", 0, MITM_VERB_HELO, "", "", 0, 1, 0, 0 },
	{ S, "STARTTLS", 0, MITM_VERB_STARTTLS, "", "", 0, 0, 0, 0 },
	{ S, "AUTH PLAIN AGFsaWNlAHNlY3JldA==", 0, MITM_VERB_AUTH, "", "PLAIN", 1, 20, 0, 0 },
	{ S, "AUTH login", 0, MITM_VERB_AUTH, "", "LOGIN", 0, 0, 0, 0 },
	{ S, "AUTH PLAIN =", 0, MITM_VERB_AUTH, "", "PLAIN", 1, 0, 0, 0 },
	{ S, "AUTH", 0, MITM_VERB_AUTH, "", "", 0, 0, 0, 0 },
	{ S, "AUTH \x01\x80X", 0, MITM_VERB_AUTH, "", "??X", 0, 0, 0, 0 },
	{ S, "MAIL FROM:<a@b>", 0, MITM_VERB_MAIL, "", "", 0, 10, 0, 0 },
	{ S, "RCPT TO:<a@b>", 0, MITM_VERB_RCPT, "", "", 0, 8, 0, 0 },
	{ S, "DATA", 0, MITM_VERB_DATA, "", "", 0, 0, 0, 0 },
	{ S, "BDAT 100 LAST", 0, MITM_VERB_DATA, "", "", 0, 8, 0, 0 },
	{ S, "QUIT", 0, MITM_VERB_QUIT, "", "", 0, 0, 0, 0 },
	{ S, "", 0, MITM_VERB_EMPTY, "", "", 0, 0, 0, 0 },
	{ S, "XYZZY", 0, MITM_VERB_OTHER, "", "", 0, 0, 0, 0 },
	{ S, "   ", 0, MITM_VERB_OTHER, "", "", 0, 0, 0, 0 },
	{ I, "a1 CAPABILITY", 0, MITM_VERB_CAPA, "a1", "", 0, 0, 0, 0 },
	{ I, "a2 starttls", 0, MITM_VERB_STARTTLS, "a2", "", 0, 0, 0, 0 },
	{ I, "a3 LOGIN alice secret", 0, MITM_VERB_LOGIN, "a3", "", 0, 12, 0, 0 },
	{ I, "a3 LOGIN {5}", 0, MITM_VERB_LOGIN, "a3", "", 0, 3, 5, 1 },
	{ I, "a3 LOGIN {5+}", 0, MITM_VERB_LOGIN, "a3", "", 0, 4, 5, 0 },
	{ I, "a3 LOGIN {}", 0, MITM_VERB_LOGIN, "a3", "", 0, 2, 0, 0 },
	{ I, "a3 LOGIN {99999999999}", 0, MITM_VERB_LOGIN, "a3", "", 0, 13, 0, 0 },
	{ I, "a4 AUTHENTICATE PLAIN", 0, MITM_VERB_AUTH, "a4", "PLAIN", 0, 0, 0, 0 },
	{ I, "a4 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==", 0, MITM_VERB_AUTH, "a4", "PLAIN", 1, 20,
	    0, 0 },
	{ I, "a5 LOGOUT", 0, MITM_VERB_QUIT, "a5", "", 0, 0, 0, 0 },
	{ I, "a6 SELECT INBOX", 0, MITM_VERB_OTHER, "a6", "", 0, 5, 0, 0 },
	{ I, "0123456789012345678901234567890123 NOOP", -1, MITM_VERB_OTHER, "", "", 0, 0, 0, 0 },
	{ I, " CAPABILITY", 0, MITM_VERB_OTHER, "CAPABILITY", "", 0, 0, 0, 0 },
	{ P, "CAPA", 0, MITM_VERB_CAPA, "", "", 0, 0, 0, 0 },
	{ P, "STLS", 0, MITM_VERB_STARTTLS, "", "", 0, 0, 0, 0 },
	{ P, "USER alice", 0, MITM_VERB_USER, "", "", 0, 5, 0, 0 },
	{ P, "PASS secret123", 0, MITM_VERB_PASS, "", "", 0, 9, 0, 0 },
	{ P, "APOP alice 0123456789abcdef0123456789abcdef", 0, MITM_VERB_APOP, "", "", 0, 38, 0, 0 },
	{ P, "AUTH PLAIN", 0, MITM_VERB_AUTH, "", "PLAIN", 0, 0, 0, 0 },
	{ P, "AUTH", 0, MITM_VERB_AUTH, "", "", 0, 0, 0, 0 },
	{ P, "quit", 0, MITM_VERB_QUIT, "", "", 0, 0, 0, 0 },
	{ MITM_PROTO_XMPP, "<x/>", -1, MITM_VERB_OTHER, "", "", 0, 0, 0, 0 },
};

static void
test_cmd_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_rows) / sizeof(cmd_rows[0]); i++) {
		const struct cmd_row *r = &cmd_rows[i];
		struct mitm_cmd c;
		int rc = mitm_wire_cmd(r->proto, r->line, strlen(r->line), &c);

		if (rc != r->rc)
			fail_msg("row %zu (%s): rc %d", i, r->line, rc);
		if (rc < 0)
			continue;
		if (c.verb != r->verb || strcmp(c.tag, r->tag) != 0 || strcmp(c.mech, r->mech) != 0 ||
		    c.has_ir != r->has_ir || c.arg_len != r->arg_len || c.literal != r->literal ||
		    c.literal_sync != r->sync)
			fail_msg("row %zu (%s): verb %s tag '%s' mech '%s' ir %d len %zu lit %zu/%d",
			    i, r->line, mitm_verb_name(c.verb), c.tag, c.mech, c.has_ir, c.arg_len,
			    c.literal, c.literal_sync);
	}
}

static void
test_ehlo(void **state)
{
	const char *l[] = { "mx.example", "PIPELINING", "STARTTLS" };
	struct dbuf b;

	assert_int_equal(mitm_wire_ehlo_keyword("STARTTLS", 8), 1);
	assert_int_equal(mitm_wire_ehlo_keyword("starttls", 8), 1);
	assert_int_equal(mitm_wire_ehlo_keyword("STARTTLSX", 9), 0);
	assert_int_equal(mitm_wire_ehlo_keyword("STARTTLS x", 10), 0);
	assert_int_equal(mitm_wire_ehlo_keyword("AUTH PLAIN", 10), 2);
	assert_int_equal(mitm_wire_ehlo_keyword("AUTH=LOGIN", 10), 2);
	assert_int_equal(mitm_wire_ehlo_keyword("", 0), 0);
	dbuf_init(&b, 1024);
	assert_int_equal(mitm_wire_smtp_reply(250, l, 3, &b), 0);
	assert_int_equal(b.len, strlen("250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n"));
	assert_memory_equal(b.data, "250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n", b.len);
	dbuf_reset(&b);
	assert_int_equal(mitm_wire_smtp_reply(220, NULL, 0, &b), 0);
	assert_memory_equal(b.data, "220\r\n", 5);
	dbuf_free(&b);
	dbuf_init(&b, 8);
	assert_int_equal(mitm_wire_smtp_reply(250, l, 3, &b), DBUF_TOO_BIG);
	dbuf_free(&b);
}

struct caps_row {
	const char	*in;
	int		 add;
	long		 rc;
	const char	*out;
};

static const struct caps_row caps_rows[] = {
	{ "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED", 1, 0, "* CAPABILITY IMAP4rev1 AUTH=PLAIN" },
	{ "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN", 1, 0, "* CAPABILITY IMAP4rev1 AUTH=PLAIN" },
	{ "* CAPABILITY STARTTLS", 0, 0, "* CAPABILITY " },
	{ "* CAPABILITY STARTTLS", 1, 0, "* CAPABILITY AUTH=PLAIN" },
	{ "* OK [CAPABILITY IMAP4rev1 LITERAL+ STARTTLS LOGINDISABLED] Dovecot ready.", 1, 0,
	    "* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] Dovecot ready." },
	{ "a1 OK [CAPABILITY IMAP4rev1 STARTTLS] done", 0, 0, "a1 OK [CAPABILITY IMAP4rev1] done" },
	{ "* OK [CAPABILITY IMAP4rev1 STARTTLS", 0, -1, NULL },	/* no closing bracket */
	{ "* OK ready", 0, -1, NULL },
	{ "* CAPABILITY", 0, -1, NULL },
	{ "", 0, -1, NULL },
};

static void
test_imap_caps(void **state)
{
	size_t i;
	char out[256];

	for (i = 0; i < sizeof(caps_rows) / sizeof(caps_rows[0]); i++) {
		const struct caps_row *r = &caps_rows[i];
		long n = mitm_wire_imap_caps(r->in, strlen(r->in), r->add, out, sizeof(out));

		if (r->rc < 0) {
			if (n >= 0)
				fail_msg("row %zu: %s: want -1, got '%s'", i, r->in, out);
			continue;
		}
		if (n < 0 || strcmp(out, r->out) != 0 || (size_t)n != strlen(r->out))
			fail_msg("row %zu: %s: got %ld '%s'", i, r->in, n, n >= 0 ? out : "");
	}
	/* cut, never overrun */
	assert_int_equal(mitm_wire_imap_caps("* CAPABILITY IMAP4rev1 STARTTLS", 31, 1, out, 8), 7);
	assert_string_equal(out, "* CAPAB");
	assert_int_equal(mitm_wire_pop3_capa("STLS", 4), MITM_VERB_STARTTLS);
	assert_int_equal(mitm_wire_pop3_capa("USER", 4), MITM_VERB_USER);
	assert_int_equal(mitm_wire_pop3_capa("SASL PLAIN", 10), MITM_VERB_AUTH);
	assert_int_equal(mitm_wire_pop3_capa("TOP", 3), MITM_VERB_OTHER);
}

struct xmpp_row {
	const char		*in;
	enum mitm_xmpp_kind	 kind;
	size_t			 len;
	const char		*name;
	const char		*mech;
	size_t			 text_len;
};

static const struct xmpp_row xmpp_rows[] = {
	{ "<?xml version='1.0'?><stream:stream>", MITM_XMPP_DECL, 21, "", "", 0 },
	{ "<?xml version='1.0'", MITM_XMPP_NEED_MORE, 0, "", "", 0 },
	{ "<stream:stream to='lab.example' version='1.0' xmlns='jabber:client'>",
	    MITM_XMPP_OPEN, 68, "stream:stream", "", 0 },
	{ "<stream:stream to='a>b'>", MITM_XMPP_OPEN, 24, "stream:stream", "", 0 },
	{ "</stream:stream>", MITM_XMPP_CLOSE, 16, "stream:stream", "", 0 },
	{ "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", MITM_XMPP_ELEMENT, 51,
	    "starttls", "", 0 },
	{ "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHM=</auth>x",
	    MITM_XMPP_ELEMENT, 84, "auth", "PLAIN", 12 },
	{ "<auth mechanism=\"scram-sha-1\">biws</auth>", MITM_XMPP_ELEMENT, 41, "auth",
	    "SCRAM-SHA-1", 4 },
	{ "<iq type='get'><query/></iq>", MITM_XMPP_ELEMENT, 28, "iq", "", 8 },
	{ "<iq type='get'><query/>", MITM_XMPP_NEED_MORE, 0, "", "", 0 },
	{ "  \r\n<x/>", MITM_XMPP_SPACE, 4, "", "", 0 },
	{ "hello", MITM_XMPP_BAD, 0, "", "", 0 },
	{ "<!-- c -->", MITM_XMPP_BAD, 0, "", "", 0 },
	{ "<a><?pi?></a>", MITM_XMPP_BAD, 0, "", "", 0 },
	{ "</iq>", MITM_XMPP_BAD, 0, "", "", 0 },
	{ "<a <b>", MITM_XMPP_BAD, 0, "", "", 0 },
	{ "<>", MITM_XMPP_BAD, 0, "", "", 0 },
	{ "<", MITM_XMPP_NEED_MORE, 0, "", "", 0 },
	{ "", MITM_XMPP_NEED_MORE, 0, "", "", 0 },
};

static void
test_xmpp_scan(void **state)
{
	size_t i;
	char deep[1200];

	for (i = 0; i < sizeof(xmpp_rows) / sizeof(xmpp_rows[0]); i++) {
		const struct xmpp_row *r = &xmpp_rows[i];
		struct mitm_xmpp_item it;
		enum mitm_xmpp_kind k = mitm_xmpp_next(r->in, strlen(r->in), MITM_XMPP_ELEM_MAX, &it);

		if (k != r->kind || it.kind != k)
			fail_msg("row %zu (%s): kind %d, want %d", i, r->in, k, r->kind);
		if (k == MITM_XMPP_BAD || k == MITM_XMPP_NEED_MORE)
			continue;
		if (it.len != r->len || strcmp(it.name, r->name) != 0 ||
		    strcmp(it.mech, r->mech) != 0 || it.text_len != r->text_len)
			fail_msg("row %zu (%s): len %zu name '%s' mech '%s' text %zu", i, r->in, it.len,
			    it.name, it.mech, it.text_len);
	}
	/* depth ceiling */
	for (i = 0; i < 40; i++)
		memcpy(deep + i * 3, "<a>", 3);
	{
		struct mitm_xmpp_item it;

		assert_int_equal(mitm_xmpp_next(deep, 120, MITM_XMPP_ELEM_MAX, &it), MITM_XMPP_BAD);
		/* size ceiling */
		assert_int_equal(mitm_xmpp_next(deep, 30, 10, &it), MITM_XMPP_TOO_BIG);
	}
}

static void
test_xmpp_strip(void **state)
{
	static const char f1[] = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
	    "<required/></starttls></stream:features>";
	static const char f2[] = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
	    "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>"
	    "</mechanisms></stream:features>";
	char out[512];
	struct mitm_xmpp_item it;
	size_t n;

	assert_int_equal(mitm_xmpp_next(f1, strlen(f1), MITM_XMPP_ELEM_MAX, &it), MITM_XMPP_ELEMENT);
	assert_true(it.has_starttls);
	assert_false(it.has_mechanisms);
	n = mitm_xmpp_strip(f1, strlen(f1), 1, out, sizeof(out));
	assert_string_equal(out, "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:"
	    "xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>");
	assert_int_equal(n, strlen(out));
	n = mitm_xmpp_strip(f1, strlen(f1), 0, out, sizeof(out));
	assert_string_equal(out, "<stream:features></stream:features>");
	n = mitm_xmpp_strip(f2, strlen(f2), 1, out, sizeof(out));
	assert_string_equal(out, "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:"
	    "xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>");
	assert_int_equal(mitm_xmpp_next(out, n, MITM_XMPP_ELEM_MAX, &it), MITM_XMPP_ELEMENT);
	assert_false(it.has_starttls);
	/* cut, never overrun */
	n = mitm_xmpp_strip(f2, strlen(f2), 1, out, 10);
	assert_int_equal(n, 9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_table),
		cmocka_unit_test(test_ehlo),
		cmocka_unit_test(test_imap_caps),
		cmocka_unit_test(test_xmpp_scan),
		cmocka_unit_test(test_xmpp_strip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
