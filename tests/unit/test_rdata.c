/*
 * test_rdata.c — RDATA decoders (lib/dns/rdata.c): names, A, AAAA, MX, CNAME, TXT, each with
 * well-formed and malformed input, and output buffers that are too small.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "dns/rdata.h"

/* An RDATA literal and its length, for the tables. */
#define B(...)	(const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define EMPTY	(const uint8_t *)"", 0

/* Names: wire form, then the text we want (or NULL), status and octets consumed. */
struct name_case {
	const char		*name;
	const uint8_t		*wire;
	size_t			 len;
	enum rdata_status	 want;
	const char		*text;
	size_t			 used;
};

static const struct name_case name_cases[] = {
	{ "root", B(0), RDATA_OK, ".", 1 },
	{ "one label", B(3, 'c', 'o', 'm', 0), RDATA_OK, "com.", 5 },
	{ "two labels", B(2, 'm', 'x', 3, 'o', 'r', 'g', 0), RDATA_OK, "mx.org.", 8 },
	{ "case kept", B(2, 'M', 'x', 0), RDATA_OK, "Mx.", 4 },
	{ "trailing octets are the caller's", B(1, 'a', 0, 9, 9), RDATA_OK, "a.", 3 },
	{ "underscore hyphen star", B(3, '_', '-', '*', 0), RDATA_OK, "_-*.", 5 },
	{ "dot in label", B(3, 'a', '.', 'b', 0), RDATA_OK, "a\\.b.", 5 },
	{ "backslash", B(1, '\\', 0), RDATA_OK, "\\\\.", 3 },
	{ "space and NUL", B(2, ' ', 0, 0), RDATA_OK, "\\032\\000.", 4 },
	{ "high octet", B(1, 0xff, 0), RDATA_OK, "\\255.", 3 },
	{ "empty input", EMPTY, RDATA_SHORT, NULL, 0 },
	{ "no root label", B(1, 'a'), RDATA_SHORT, NULL, 0 },
	{ "label runs past end", B(5, 'a', 'b'), RDATA_SHORT, NULL, 0 },
	{ "compression pointer", B(0xc0, 0x0c), RDATA_BAD_LABEL, NULL, 0 },
	{ "pointer after label", B(1, 'a', 0xc0, 0x00), RDATA_BAD_LABEL, NULL, 0 },
	{ "extended label 01", B(0x41, 0), RDATA_BAD_LABEL, NULL, 0 },
	{ "extended label 10", B(0x80, 0), RDATA_BAD_LABEL, NULL, 0 },
};

static void
test_name_table(void **state)
{
	char out[RDATA_NAME_TEXT_MAX];
	enum rdata_status s;
	size_t i, used;

	(void)state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *tc = &name_cases[i];

		used = 99;
		s = rdata_name(tc->wire, tc->len, &used, out, sizeof(out));
		if (s != tc->want)
			fail_msg("%s: status %s, want %s", tc->name, rdata_status_name(s),
			    rdata_status_name(tc->want));
		assert_int_equal(used, tc->used);
		if (tc->text != NULL && strcmp(out, tc->text) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", tc->name, out, tc->text);
	}
}

/* The longest legal name: 255 octets on the wire; one more is too long. */
static void
test_name_limits(void **state)
{
	uint8_t wire[300];
	char out[RDATA_NAME_TEXT_MAX];
	size_t off = 0, used, i;

	(void)state;
	/* 3 labels of 63 + 1 label of 61 = 4 * 64 - 2 + 1 (root) = 255 */
	for (i = 0; i < 4; i++) {
		size_t n = i < 3 ? 63 : 61;

		wire[off++] = (uint8_t)n;
		memset(wire + off, 0xff, n);	/* every octet escaped: the worst case */
		off += n;
	}
	wire[off++] = 0;
	assert_int_equal(off, RDATA_NAME_WIRE_MAX);
	assert_int_equal(rdata_name(wire, off, &used, out, sizeof(out)), RDATA_OK);
	assert_int_equal(used, RDATA_NAME_WIRE_MAX);
	assert_int_equal(strlen(out), 250 * 4 + 4);

	/* the last label one longer: 256 octets */
	wire[3 * 64] = 62;
	memset(wire + 3 * 64 + 1, 'a', 62);
	wire[3 * 64 + 63] = 0;
	assert_int_equal(rdata_name(wire, 3 * 64 + 64, &used, out, sizeof(out)),
	    RDATA_NAME_TOO_LONG);
	assert_int_equal(used, 0);
}

static void
test_name_no_space(void **state)
{
	const uint8_t wire[] = { 3, 'a', 'b', 'c', 0 };
	char out[8];

	(void)state;
	memset(out, 'x', sizeof(out));
	assert_int_equal(rdata_name(wire, sizeof(wire), NULL, out, 4), RDATA_NO_SPACE);
	assert_string_equal(out, "abc");
	assert_int_equal(rdata_name(wire, sizeof(wire), NULL, out, 5), RDATA_OK);
	assert_string_equal(out, "abc.");
	assert_int_equal(rdata_name(wire, sizeof(wire), NULL, out, 0), RDATA_NO_SPACE);
	assert_int_equal(rdata_name(wire, sizeof(wire), NULL, NULL, 0), RDATA_NO_SPACE);
	assert_int_equal(rdata_name(NULL, 5, NULL, out, sizeof(out)), RDATA_SHORT);
}

struct addr_case {
	const char		*name;
	int			 v6;
	const uint8_t		*rd;
	size_t			 len;
	enum rdata_status	 want;
	const char		*text;
};

static const struct addr_case addr_cases[] = {
	{ "a", 0, B(127, 0, 0, 2), RDATA_OK, "127.0.0.2" },
	{ "a zero", 0, B(0, 0, 0, 0), RDATA_OK, "0.0.0.0" },
	{ "a 3 octets", 0, B(127, 0, 0), RDATA_SHORT, "" },
	{ "a 5 octets", 0, B(127, 0, 0, 2, 9), RDATA_BAD_LENGTH, "" },
	{ "a empty", 0, EMPTY, RDATA_SHORT, "" },
	{ "aaaa loopback", 1, B(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), RDATA_OK, "::1" },
	{ "aaaa doc", 1, B(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10), RDATA_OK,
	    "2001:db8::10" },
	{ "aaaa 15 octets", 1, B(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), RDATA_SHORT, "" },
	{ "aaaa given 4", 1, B(127, 0, 0, 1), RDATA_SHORT, "" },
	{ "aaaa 17 octets", 1, B(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2),
	    RDATA_BAD_LENGTH, "" },
};

static void
test_addr_table(void **state)
{
	char out[RDATA_ADDR_TEXT_MAX];
	enum rdata_status s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *tc = &addr_cases[i];

		memset(out, 'x', sizeof(out));
		s = tc->v6 ? rdata_aaaa(tc->rd, tc->len, out, sizeof(out)) :
		    rdata_a(tc->rd, tc->len, out, sizeof(out));
		if (s != tc->want)
			fail_msg("%s: status %s", tc->name, rdata_status_name(s));
		if (strcmp(out, tc->text) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", tc->name, out, tc->text);
	}
}

static void
test_addr_no_space(void **state)
{
	const uint8_t a[] = { 192, 168, 100, 200 };
	char out[16];

	(void)state;
	assert_int_equal(rdata_a(a, sizeof(a), out, 15), RDATA_NO_SPACE);
	assert_string_equal(out, "");
	assert_int_equal(rdata_a(a, sizeof(a), out, 16), RDATA_OK);
	assert_string_equal(out, "192.168.100.200");
	assert_int_equal(rdata_a(a, sizeof(a), NULL, 0), RDATA_NO_SPACE);
}

struct mx_case {
	const char		*name;
	const uint8_t		*rd;
	size_t			 len;
	enum rdata_status	 want;
	unsigned int		 pref;
	const char		*text;
};

static const struct mx_case mx_cases[] = {
	{ "mx 10", B(0, 10, 2, 'm', 'x', 3, 'l', 'a', 'b', 0), RDATA_OK, 10, "mx.lab." },
	{ "mx 65535", B(0xff, 0xff, 1, 'a', 0), RDATA_OK, 65535, "a." },
	{ "null mx (RFC 7505)", B(0, 0, 0), RDATA_OK, 0, "." },
	{ "empty", EMPTY, RDATA_SHORT, 0, "" },
	{ "pref only half", B(0), RDATA_SHORT, 0, "" },
	{ "pref, no name", B(0, 10), RDATA_SHORT, 10, "" },
	{ "name unterminated", B(0, 10, 2, 'm', 'x'), RDATA_SHORT, 10, NULL },
	{ "trailing octet", B(0, 10, 1, 'a', 0, 0), RDATA_TRAILING, 10, NULL },
	{ "compressed", B(0, 10, 0xc0, 0x0c), RDATA_BAD_LABEL, 10, NULL },
};

static void
test_mx_table(void **state)
{
	char out[RDATA_NAME_TEXT_MAX];
	enum rdata_status s;
	uint16_t pref;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mx_cases) / sizeof(mx_cases[0]); i++) {
		const struct mx_case *tc = &mx_cases[i];

		pref = 12345;
		s = rdata_mx(tc->rd, tc->len, &pref, out, sizeof(out));
		if (s != tc->want)
			fail_msg("%s: status %s", tc->name, rdata_status_name(s));
		assert_int_equal(pref, tc->pref);
		if (tc->text != NULL && strcmp(out, tc->text) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", tc->name, out, tc->text);
	}
	/* pref may be NULL */
	assert_int_equal(rdata_mx(mx_cases[0].rd, mx_cases[0].len, NULL, out, sizeof(out)),
	    RDATA_OK);
}

static void
test_cname(void **state)
{
	const uint8_t ok[] = { 2, 'm', 'x', 3, 'l', 'a', 'b', 0 };
	const uint8_t extra[] = { 2, 'm', 'x', 0, 7 };
	char out[RDATA_NAME_TEXT_MAX];

	(void)state;
	assert_int_equal(rdata_cname(ok, sizeof(ok), out, sizeof(out)), RDATA_OK);
	assert_string_equal(out, "mx.lab.");
	assert_int_equal(rdata_cname(extra, sizeof(extra), out, sizeof(out)), RDATA_TRAILING);
	assert_int_equal(rdata_cname(ok, 0, out, sizeof(out)), RDATA_SHORT);
	assert_int_equal(rdata_cname(ok, sizeof(ok) - 1, out, sizeof(out)), RDATA_SHORT);
	assert_int_equal(rdata_cname(ok, sizeof(ok), out, 4), RDATA_NO_SPACE);
}

struct txt_case {
	const char		*name;
	const uint8_t		*rd;
	size_t			 len;
	enum rdata_status	 want;
	const char		*text;
	size_t			 tlen;
};

static const struct txt_case txt_cases[] = {
	{ "one string", B(3, 'a', 'b', 'c'), RDATA_OK, "abc", 3 },
	{ "two strings joined", B(2, 'v', '=', 3, 'S', 'T', 'S'), RDATA_OK, "v=STS", 5 },
	{ "one empty string", B(0), RDATA_OK, "", 0 },
	{ "empty strings around", B(0, 1, 'x', 0), RDATA_OK, "x", 1 },
	{ "NUL kept", B(3, 'a', 0, 'b'), RDATA_OK, "a\0b", 3 },
	{ "no string at all", EMPTY, RDATA_SHORT, "", 0 },
	{ "length past end", B(4, 'a', 'b'), RDATA_SHORT, NULL, 0 },
	{ "second string past end", B(1, 'a', 2, 'b'), RDATA_SHORT, NULL, 0 },
};

static void
test_txt_table(void **state)
{
	char out[300];
	enum rdata_status s;
	size_t i, tlen;

	(void)state;
	for (i = 0; i < sizeof(txt_cases) / sizeof(txt_cases[0]); i++) {
		const struct txt_case *tc = &txt_cases[i];

		tlen = 99;
		s = rdata_txt(tc->rd, tc->len, out, sizeof(out), &tlen);
		if (s != tc->want)
			fail_msg("%s: status %s", tc->name, rdata_status_name(s));
		assert_int_equal(tlen, tc->tlen);
		if (tc->text != NULL) {
			assert_memory_equal(out, tc->text, tc->tlen);
			assert_int_equal(out[tc->tlen], '\0');
		}
	}
}

static void
test_txt_long(void **state)
{
	uint8_t rd[2 * 256];
	char out[2 * 255 + 1];
	size_t tlen;

	(void)state;
	rd[0] = 255;
	memset(rd + 1, 'a', 255);
	rd[256] = 255;
	memset(rd + 257, 'b', 255);
	assert_int_equal(rdata_txt(rd, sizeof(rd), out, sizeof(out), &tlen), RDATA_OK);
	assert_int_equal(tlen, 510);
	assert_int_equal(out[254], 'a');
	assert_int_equal(out[255], 'b');
	/* one octet short of the terminating NUL */
	assert_int_equal(rdata_txt(rd, sizeof(rd), out, sizeof(out) - 1, &tlen), RDATA_NO_SPACE);
	assert_int_equal(tlen, 0);
	assert_int_equal(strlen(out), 255);
	assert_int_equal(rdata_txt(rd, sizeof(rd), NULL, 0, NULL), RDATA_NO_SPACE);
}

static void
test_names(void **state)
{
	int s;

	(void)state;
	for (s = 0; s < RDATA_STATUS_LAST; s++) {
		assert_non_null(rdata_status_name((enum rdata_status)s));
		assert_string_not_equal(rdata_status_name((enum rdata_status)s), "unknown");
	}
	assert_string_equal(rdata_status_name(RDATA_OK), "ok");
	assert_string_equal(rdata_status_name(RDATA_STATUS_LAST), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_table),
		cmocka_unit_test(test_name_limits),
		cmocka_unit_test(test_name_no_space),
		cmocka_unit_test(test_addr_table),
		cmocka_unit_test(test_addr_no_space),
		cmocka_unit_test(test_mx_table),
		cmocka_unit_test(test_cname),
		cmocka_unit_test(test_txt_table),
		cmocka_unit_test(test_txt_long),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
