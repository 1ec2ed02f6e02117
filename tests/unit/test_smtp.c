/*
 * test_smtp.c — SMTP reply and capability parsers, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/smtp.h"
#include "util/arena.h"

struct reply_case {
	const char	*in;
	enum smtp_parse	 want;
	int		 code;
	size_t		 nlines;
	const char	*last;		/* text of the last line */
};

static const struct reply_case reply_cases[] = {
	{ "220 mx.example ESMTP\r\n", SMTP_PARSE_OK, 220, 1, "mx.example ESMTP" },
	{ "220 mx.example ESMTP\n", SMTP_PARSE_OK, 220, 1, "mx.example ESMTP" },
	{ "220\r\n", SMTP_PARSE_OK, 220, 1, "" },
	{ "250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n", SMTP_PARSE_OK, 250, 3, "STARTTLS" },
	{ "250-mx\r\n250-PIPELINING\r\n", SMTP_PARSE_NEED_MORE, 0, 0, NULL },
	{ "250-mx\r\n25", SMTP_PARSE_NEED_MORE, 0, 0, NULL },
	{ "", SMTP_PARSE_NEED_MORE, 0, 0, NULL },
	{ "421 4.3.2 go away\r\n", SMTP_PARSE_OK, 421, 1, "4.3.2 go away" },
	{ "250-a\r\n251 b\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "HTTP/1.1 400 Bad\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "SSH-2.0", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "22x ok\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "220_ok\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "099 low\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "\x16\x03\x01\x00", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "220 a\r\n250 b\r\n", SMTP_PARSE_OK, 220, 1, "a" },	/* one reply at a time */
	/* RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39 */
	{ "199 early\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "100\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "260 ok\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "559 no\r\n", SMTP_PARSE_OK, 559, 1, "no" },
	{ "599 no\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "600 no\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	/* a partial line is judged as far as it goes */
	{ "1", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "26", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "2", SMTP_PARSE_NEED_MORE, 0, 0, NULL },
	{ "220", SMTP_PARSE_NEED_MORE, 0, 0, NULL },
	{ "220\r", SMTP_PARSE_NEED_MORE, 0, 0, NULL },
	{ "220x", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "250-a\r\n251", SMTP_PARSE_BAD, 0, 0, NULL },		/* not the first line's code */
	{ "250-a\r\n25", SMTP_PARSE_NEED_MORE, 0, 0, NULL },
	/* every line repeats the code; "-" continues, SP or the bare code ends */
	{ "250-a\r\n250-\r\n250\r\n", SMTP_PARSE_OK, 250, 3, "" },
	{ "250-a\r\n350 b\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "250-a\r\n250\tb\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "250\r\r\n", SMTP_PARSE_BAD, 0, 0, NULL },
	{ "250-a\n250 b\n", SMTP_PARSE_OK, 250, 2, "b" },		/* lone LF tolerated */
	{ "250-a\r\n250 b\n", SMTP_PARSE_OK, 250, 2, "b" },
};

static void
test_reply_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
		const struct reply_case *c = &reply_cases[i];
		struct arena *a = arena_new();
		struct smtp_reply r;
		enum smtp_parse p = smtp_reply_parse(c->in, strlen(c->in), a, &r);

		if (p != c->want)
			fail_msg("case %zu (%s): got %s want %s", i, c->in, smtp_parse_name(p),
			    smtp_parse_name(c->want));
		if (p == SMTP_PARSE_OK) {
			assert_int_equal(r.code, c->code);
			assert_int_equal(r.nlines, c->nlines);
			assert_string_equal(r.lines[r.nlines - 1], c->last);
		}
		arena_free(a);
	}
}

static void
test_reply_consumed(void **state)
{
	struct arena *a = arena_new();
	struct smtp_reply r;
	const char *in = "220 a\r\n250 b\r\n";

	assert_int_equal(smtp_reply_parse(in, strlen(in), a, &r), SMTP_PARSE_OK);
	assert_int_equal(r.consumed, 7);
	assert_int_equal(smtp_reply_parse(in + 7, strlen(in) - 7, a, &r), SMTP_PARSE_OK);
	assert_int_equal(r.code, 250);
	arena_free(a);
}

static void
test_reply_ceilings(void **state)
{
	struct arena *a = arena_new();
	struct smtp_reply r;
	char *big = malloc(64 * 1024);
	size_t n = 0, i;

	/* a line without end, longer than the line ceiling */
	memcpy(big, "220 ", 4);
	memset(big + 4, 'x', SMTP_LINE_MAX + 10);
	assert_int_equal(smtp_reply_parse(big, SMTP_LINE_MAX + 14, a, &r), SMTP_PARSE_LINE_TOO_LONG);
	/* a long but terminated line */
	big[SMTP_LINE_MAX + 14] = '\n';
	assert_int_equal(smtp_reply_parse(big, SMTP_LINE_MAX + 15, a, &r), SMTP_PARSE_LINE_TOO_LONG);
	/* a partial line one byte over, that byte the CR: the LF may still come */
	memset(big + 4, 'x', SMTP_LINE_MAX - 4);
	big[SMTP_LINE_MAX] = '\r';
	assert_int_equal(smtp_reply_parse(big, SMTP_LINE_MAX + 1, a, &r), SMTP_PARSE_NEED_MORE);
	big[SMTP_LINE_MAX + 1] = '\n';
	assert_int_equal(smtp_reply_parse(big, SMTP_LINE_MAX + 2, a, &r), SMTP_PARSE_OK);
	big[SMTP_LINE_MAX] = 'x';
	assert_int_equal(smtp_reply_parse(big, SMTP_LINE_MAX + 1, a, &r), SMTP_PARSE_LINE_TOO_LONG);
	/* endless continuation lines */
	for (i = 0; i < SMTP_REPLY_LINES_MAX + 5; i++) {
		memcpy(big + n, "220-filler\r\n", 12);
		n += 12;
	}
	assert_int_equal(smtp_reply_parse(big, n, a, &r), SMTP_PARSE_REPLY_TOO_LONG);
	/* just under the line count: need more */
	assert_int_equal(smtp_reply_parse(big, 12 * 50, a, &r), SMTP_PARSE_NEED_MORE);
	free(big);
	arena_free(a);
}

static void
test_caps(void **state)
{
	struct arena *a = arena_new();
	struct smtp_reply r;
	struct smtp_caps c;
	const char *in = "250-mx.example Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	    "250-AUTH PLAIN login\r\n250-AUTH=CRAM-MD5\r\n250-ENHANCEDSTATUSCODES\r\n"
	    "250-8BITMIME\r\n250-starttls\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";

	assert_int_equal(smtp_reply_parse(in, strlen(in), a, &r), SMTP_PARSE_OK);
	smtp_caps_parse(&r, a, &c);
	assert_true(c.starttls);
	assert_true(c.pipelining);
	assert_true(c.auth);
	assert_string_equal(c.auth_mechs, "PLAIN LOGIN CRAM-MD5");
	assert_int_equal(c.size, 10240000);
	assert_true(c.eightbitmime && c.smtputf8 && c.chunking && c.enhancedstatuscodes);
	assert_false(c.dsn);
	assert_string_equal(c.greeting, "mx.example Hello");
	assert_int_equal(c.nkeywords, 9);
	arena_free(a);
}

static void
test_caps_lookalikes(void **state)
{
	struct arena *a = arena_new();
	struct smtp_reply r;
	struct smtp_caps c;
	const char *in = "250-mx\r\n250-STARTTLSX\r\n250-XSTARTTLS\r\n250-SIZE abc\r\n250 AUTHX PLAIN\r\n";

	assert_int_equal(smtp_reply_parse(in, strlen(in), a, &r), SMTP_PARSE_OK);
	smtp_caps_parse(&r, a, &c);
	assert_false(c.starttls);
	assert_false(c.auth);
	assert_int_equal(c.size, -1);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_table),
		cmocka_unit_test(test_reply_consumed),
		cmocka_unit_test(test_reply_ceilings),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_caps_lookalikes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
