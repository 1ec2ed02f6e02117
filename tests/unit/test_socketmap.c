/*
 * test_socketmap.c — netstring framing, "NAME KEY" requests, replies and policy keys
 * (lib/policy/socketmap.c): well-formed, truncated, malformed and oversized input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy/socketmap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct ns_case {
	const char		*in;
	size_t			 max;
	enum socketmap_status	 want;
	const char		*data;		/* on OK */
	size_t			 consumed;	/* on OK */
};

static const struct ns_case ns_cases[] = {
	{ "0:,", 100, SOCKETMAP_OK, "", 3 },
	{ "5:hello,", 100, SOCKETMAP_OK, "hello", 8 },
	{ "5:hello,6:second,", 100, SOCKETMAP_OK, "hello", 8 },	/* one at a time */
	{ "3:a,b,", 100, SOCKETMAP_OK, "a,b", 6 },		/* commas inside are data */
	{ "5:he\0lo,", 100, SOCKETMAP_OK, NULL, 8 },		/* NUL inside: framing is fine */
	/* need more */
	{ "", 100, SOCKETMAP_NEED_MORE, NULL, 0 },
	{ "1", 100, SOCKETMAP_NEED_MORE, NULL, 0 },
	{ "12", 100, SOCKETMAP_NEED_MORE, NULL, 0 },
	{ "5:", 100, SOCKETMAP_NEED_MORE, NULL, 0 },
	{ "5:hell", 100, SOCKETMAP_NEED_MORE, NULL, 0 },
	{ "5:hello", 100, SOCKETMAP_NEED_MORE, NULL, 0 },
	/* malformed */
	{ ":", 100, SOCKETMAP_ERR_LENGTH, NULL, 0 },
	{ ":hello,", 100, SOCKETMAP_ERR_LENGTH, NULL, 0 },
	{ "05:hello,", 100, SOCKETMAP_ERR_LENGTH, NULL, 0 },
	{ "00:,", 100, SOCKETMAP_ERR_LENGTH, NULL, 0 },
	{ "-1:x,", 100, SOCKETMAP_ERR_LENGTH, NULL, 0 },
	{ " 5:hello,", 100, SOCKETMAP_ERR_LENGTH, NULL, 0 },
	{ "5 :hello,", 100, SOCKETMAP_ERR_LENGTH, NULL, 0 },
	{ "5x", 100, SOCKETMAP_ERR_LENGTH, NULL, 0 },
	{ "GET / HTTP/1.0\r\n", 100, SOCKETMAP_ERR_LENGTH, NULL, 0 },
	{ "5:hello;", 100, SOCKETMAP_ERR_TERMINATOR, NULL, 0 },
	{ "4:hello,", 100, SOCKETMAP_ERR_TERMINATOR, NULL, 0 },
	/* oversized: refused from the digits alone, before the data */
	{ "101:", 100, SOCKETMAP_ERR_TOO_LONG, NULL, 0 },
	{ "101", 100, SOCKETMAP_ERR_TOO_LONG, NULL, 0 },
	{ "99999999999999999999999999:", 100, SOCKETMAP_ERR_TOO_LONG, NULL, 0 },
	{ "100:", 100, SOCKETMAP_NEED_MORE, NULL, 0 },
};

static void
test_netstring(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ns_cases); i++) {
		const struct ns_case *c = &ns_cases[i];
		size_t len = strlen(c->in), dlen, used;
		const char *data;
		enum socketmap_status st;

		if (strncmp(c->in, "5:he", 4) == 0 && c->data == NULL && c->want == SOCKETMAP_OK)
			len = 8;	/* the case with a NUL inside */
		st = socketmap_netstring_parse(c->in, len, c->max, &data, &dlen, &used);
		if (st != c->want)
			fail_msg("case %zu '%s': got %s, want %s", i, c->in, socketmap_status_name(st),
			    socketmap_status_name(c->want));
		if (st == SOCKETMAP_OK) {
			assert_int_equal(used, c->consumed);
			if (c->data != NULL) {
				assert_int_equal(dlen, strlen(c->data));
				assert_memory_equal(data, c->data, dlen);
			}
		} else
			assert_null(data);
	}
}

/* Every prefix of a valid netstring asks for more; the whole one parses. */
static void
test_netstring_prefixes(void **state)
{
	const char *s = "27:mailtls sts-enforce.example,";
	size_t i, dlen, used;
	const char *data;

	(void)state;
	for (i = 0; i < strlen(s); i++)
		assert_int_equal(socketmap_netstring_parse(s, i, SOCKETMAP_REQUEST_MAX, &data, &dlen,
		    &used), SOCKETMAP_NEED_MORE);
	assert_int_equal(socketmap_netstring_parse(s, strlen(s), SOCKETMAP_REQUEST_MAX, &data, &dlen,
	    &used), SOCKETMAP_OK);
	assert_int_equal(used, strlen(s));
}

struct req_case {
	const char		*in;
	enum socketmap_status	 want;
	const char		*name, *key;
};

static const struct req_case req_cases[] = {
	{ "mailtls example.org", SOCKETMAP_OK, "mailtls", "example.org" },
	{ "postfix [10.0.0.1]:25", SOCKETMAP_OK, "postfix", "[10.0.0.1]:25" },
	{ "m x", SOCKETMAP_OK, "m", "x" },
	{ "mailtls", SOCKETMAP_ERR_NO_SPACE, NULL, NULL },
	{ "", SOCKETMAP_ERR_NO_SPACE, NULL, NULL },
	{ " example.org", SOCKETMAP_ERR_NAME, NULL, NULL },
	{ "mail\001tls example.org", SOCKETMAP_ERR_NAME, NULL, NULL },
	{ "0123456789012345678901234567890123456789012345678901234567890123456789 x",
	    SOCKETMAP_ERR_NAME, NULL, NULL },
	{ "mailtls ", SOCKETMAP_ERR_KEY, NULL, NULL },
	{ "mailtls two words", SOCKETMAP_ERR_KEY, NULL, NULL },
	{ "mailtls a\tb", SOCKETMAP_ERR_KEY, NULL, NULL },
	{ "mailtls a\r\n", SOCKETMAP_ERR_KEY, NULL, NULL },
};

static void
test_request(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(req_cases); i++) {
		const struct req_case *c = &req_cases[i];
		struct socketmap_request r;
		enum socketmap_status st = socketmap_request_parse(c->in, strlen(c->in), &r);

		if (st != c->want)
			fail_msg("case %zu '%s': got %s", i, c->in, socketmap_status_name(st));
		if (st == SOCKETMAP_OK) {
			assert_int_equal(r.name_len, strlen(c->name));
			assert_memory_equal(r.name, c->name, r.name_len);
			assert_int_equal(r.key_len, strlen(c->key));
			assert_memory_equal(r.key, c->key, r.key_len);
		}
	}
}

static void
test_reply(void **state)
{
	char out[SOCKETMAP_REPLY_MAX];
	char big[3000];

	(void)state;
	assert_int_equal(socketmap_reply_format(out, sizeof(out), SOCKETMAP_REPLY_OK, "dane-only"), 16);
	assert_string_equal(out, "12:OK dane-only,");
	socketmap_reply_format(out, sizeof(out), SOCKETMAP_REPLY_NOTFOUND, "ignored");
	assert_string_equal(out, "9:NOTFOUND ,");
	socketmap_reply_format(out, sizeof(out), SOCKETMAP_REPLY_TEMP, "lookup\npending");
	assert_string_equal(out, "19:TEMP lookup?pending,");
	socketmap_reply_format(out, sizeof(out), SOCKETMAP_REPLY_PERM, NULL);
	assert_string_equal(out, "5:PERM ,");
	assert_int_equal(socketmap_reply_format(out, 8, SOCKETMAP_REPLY_OK, "dane-only"), -1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(socketmap_reply_format(out, sizeof(out), SOCKETMAP_REPLY_OK, big), -1);
	assert_int_equal(socketmap_reply_format(out, sizeof(out), SOCKETMAP_REPLY_LAST, "x"), -1);
}

struct key_case {
	const char	*in;
	const char	*want;	/* NULL: refused */
};

static const struct key_case key_cases[] = {
	{ "example.org", "example.org" },
	{ "Example.ORG.", "example.org" },
	{ "sts-enforce.example", "sts-enforce.example" },
	{ "_dmarc.x.example", "_dmarc.x.example" },
	{ "[mail.example.org]:587", NULL },
	{ "[192.0.2.1]", NULL },
	{ "192.0.2.1", NULL },
	{ ".example.org", NULL },
	{ "a..b", NULL },
	{ ".", NULL },
	{ "", NULL },
	{ "user@example.org", NULL },
	{ "exa mple.org", NULL },
	{ "ex\xc3\xa4mple.org", NULL },
	{ "a123456789012345678901234567890123456789012345678901234567890123.org", NULL },
};

static void
test_key(void **state)
{
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(key_cases); i++) {
		int rc = socketmap_key_domain(key_cases[i].in, strlen(key_cases[i].in), out, sizeof(out));

		if (key_cases[i].want == NULL) {
			if (rc != -1)
				fail_msg("key '%s' accepted as '%s'", key_cases[i].in, out);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(out, key_cases[i].want);
		}
	}
	{
		char longname[300];

		memset(longname, 'a', sizeof(longname));
		for (i = 60; i < sizeof(longname); i += 61)
			longname[i] = '.';
		longname[254] = '\0';	/* 254 octets */
		assert_int_equal(socketmap_key_domain(longname, 254, out, sizeof(out)), -1);
		assert_int_equal(socketmap_key_domain(longname, 253, out, 10), -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netstring),
		cmocka_unit_test(test_netstring_prefixes),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
