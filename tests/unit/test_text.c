/*
 * test_text.c — cleaning a peer's text for terminals and JSON, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/text.h"

static const struct {
	const char	*in;
	const char	*want;
} cases[] = {
	{ "mx.example.org ESMTP", "mx.example.org ESMTP" },
	{ "Gr\xc3\xbc\xc3\x9f" "e", "Gr\xc3\xbc\xc3\x9f" "e" },		/* valid UTF-8 kept */
	{ "Gr\xfc\xdf" "e", "Gr??e" },					/* Latin-1: replaced */
	{ "\x1b]0;title\x07", "?]0;title?" },				/* C0 controls */
	{ "a\x7f" "b", "a?b" },						/* DEL */
	{ "\xc2\x9b" "31m", "??31m" },					/* C1 CSI in UTF-8 */
	{ "\xc0\xaf", "??" },						/* overlong */
	{ "\xed\xa0\x80", "???" },					/* surrogate */
	{ "\xf4\x90\x80\x80", "????" },					/* > U+10FFFF */
	{ "\xe2\x82", "??" },						/* truncated */
	{ "\xf0\x9f\x93\xa7 mail", "\xf0\x9f\x93\xa7 mail" },		/* 4-byte kept */
	{ "", "" },
};

static void
test_clean_table(void **state)
{
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text_clean(buf, sizeof(buf), cases[i].in, strlen(cases[i].in));
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("case %zu: got '%s'", i, buf);
		assert_int_equal(text_is_clean(cases[i].in, strlen(cases[i].in)),
		    strcmp(cases[i].in, cases[i].want) == 0);
	}
}

static void
test_clean_never_splits(void **state)
{
	char buf[4];

	/* "ab" + a 2-byte character does not fit in 3 bytes + NUL: the character is left out */
	text_clean(buf, sizeof(buf), "ab\xc3\xbc", 4);
	assert_string_equal(buf, "ab");
	assert_int_equal(text_clean(buf, 1, "abc", 3), 0);
	assert_string_equal(buf, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_table),
		cmocka_unit_test(test_clean_never_splits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
