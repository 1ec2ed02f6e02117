/*
 * test_mtasts.c — RFC 8461 TXT record, record selection, policy body, MX patterns, Content-Type.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dns/mtasts.h"
#include "util/arena.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define ID32		"0123456789abcdefABCDEF0123456789"

/* ---- TXT record, §3.1 ------------------------------------------------------------------- */

struct rec_case {
	const char		*txt;
	size_t			 len;		/* 0: strlen */
	enum mtasts_status	 want;
	const char		*id;		/* on OK */
	unsigned int		 flags;		/* on OK */
	size_t			 next;		/* on OK */
};

static const struct rec_case rec_cases[] = {
	/* good */
	{ "v=STSv1; id=20160831085700Z;", 0, MTASTS_OK, "20160831085700Z", 0, 0 },
	{ "v=STSv1;id=abc", 0, MTASTS_OK, "abc", 0, 0 },
	{ "v=STSv1; id=abc", 0, MTASTS_OK, "abc", 0, 0 },
	{ "v=STSv1 ; id=abc ;  ", 0, MTASTS_OK, "abc", 0, 0 },
	{ "v=STSv1;\tid=abc;\t", 0, MTASTS_OK, "abc", 0, 0 },
	{ "v=STSv1; id=" ID32, 0, MTASTS_OK, ID32, 0, 0 },
	{ "v=STSv1; id=abc; ext=val", 0, MTASTS_OK, "abc", MTASTS_F_UNKNOWN_KEY, 1 },
	{ "v=STSv1; foo-bar.baz_1=x:y/z<>; id=1; b=2", 0, MTASTS_OK, "1",
	    MTASTS_F_UNKNOWN_KEY, 2 },
	{ "v=STSv1; id=abc; id=def", 0, MTASTS_OK, "abc", MTASTS_F_DUP_FIELD, 0 },
	{ "v=STSv1; v=STSv1; id=x", 0, MTASTS_OK, "x", MTASTS_F_DUP_FIELD, 0 },
	{ "v=STSv1; id=abcXYZ; junk", 13 + 6, MTASTS_OK, "abcXYZ", 0, 0 },	/* len cuts */
	/* version */
	{ "", 0, MTASTS_ERR_VERSION, NULL, 0, 0 },
	{ "v=STS", 0, MTASTS_ERR_VERSION, NULL, 0, 0 },
	{ "v=STSv2; id=1", 0, MTASTS_ERR_VERSION, NULL, 0, 0 },
	{ "V=STSv1; id=1", 0, MTASTS_ERR_VERSION, NULL, 0, 0 },
	{ "v=stsv1; id=1", 0, MTASTS_ERR_VERSION, NULL, 0, 0 },
	{ " v=STSv1; id=1", 0, MTASTS_ERR_VERSION, NULL, 0, 0 },
	{ "v=STSv10; id=1", 0, MTASTS_ERR_VERSION, NULL, 0, 0 },
	{ "id=1; v=STSv1", 0, MTASTS_ERR_VERSION, NULL, 0, 0 },
	/* id */
	{ "v=STSv1", 0, MTASTS_ERR_ID_MISSING, NULL, 0, 0 },
	{ "v=STSv1;", 0, MTASTS_ERR_ID_MISSING, NULL, 0, 0 },
	{ "v=STSv1; ID=abc", 0, MTASTS_ERR_ID_MISSING, NULL, 0, 0 },
	{ "v=STSv1; ext=1", 0, MTASTS_ERR_ID_MISSING, NULL, 0, 0 },
	{ "v=STSv1; id=", 0, MTASTS_ERR_ID_BAD, NULL, 0, 0 },
	{ "v=STSv1; id=;", 0, MTASTS_ERR_ID_BAD, NULL, 0, 0 },
	{ "v=STSv1; id=ab-c", 0, MTASTS_ERR_ID_BAD, NULL, 0, 0 },
	{ "v=STSv1; id=ab.c", 0, MTASTS_ERR_ID_BAD, NULL, 0, 0 },
	{ "v=STSv1; id=" ID32 "x", 0, MTASTS_ERR_ID_BAD, NULL, 0, 0 },
	/* syntax */
	{ "v=STSv1; id=abc def", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1; id=abc ", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1 ", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1 id=abc", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1;; id=abc", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1; id=abc;;", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1; ; id=abc", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1; id = abc", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1; id=abc\r\n", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1; id=abc; x=a=b", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1; id", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1; id=a\0b", 15, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	{ "v=STSv1; id=a\xc3\xa9", 0, MTASTS_ERR_SYNTAX, NULL, 0, 0 },
	/* extensions */
	{ "v=STSv1; _x=1; id=a", 0, MTASTS_ERR_EXT_BAD, NULL, 0, 0 },
	{ "v=STSv1; -x=1; id=a", 0, MTASTS_ERR_EXT_BAD, NULL, 0, 0 },
	{ "v=STSv1; x=; id=a", 0, MTASTS_ERR_EXT_BAD, NULL, 0, 0 },
	{ "v=STSv1; abcdefghijabcdefghijabcdefghijabc=1; id=a", 0, MTASTS_ERR_EXT_BAD, NULL,
	    0, 0 },
	{ "v=STSv1; abcdefghijabcdefghijabcdefghijab=1; id=a", 0, MTASTS_OK, "a",
	    MTASTS_F_UNKNOWN_KEY, 1 },
};

static void
test_record_table(void **state)
{
	struct mtasts_record r;
	enum mtasts_status st;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(rec_cases); i++) {
		len = rec_cases[i].len ? rec_cases[i].len : strlen(rec_cases[i].txt);
		st = mtasts_record_parse(rec_cases[i].txt, len, &r);
		if (st != rec_cases[i].want)
			fail_msg("case %zu \"%s\": got %s at %zu, want %s", i, rec_cases[i].txt,
			    mtasts_status_name(st), r.err_off,
			    mtasts_status_name(rec_cases[i].want));
		assert_int_equal(r.status, st);
		if (st != MTASTS_OK) {
			assert_true(r.err_off <= len);
			continue;
		}
		assert_string_equal(r.id, rec_cases[i].id);
		if (r.flags != rec_cases[i].flags || r.next != rec_cases[i].next)
			fail_msg("case %zu: flags %#x next %zu", i, r.flags, r.next);
	}
}

static void
test_record_err_off(void **state)
{
	struct mtasts_record r;
	const char *t = "v=STSv1; id=abc def";

	(void)state;
	assert_int_equal(mtasts_record_parse(t, strlen(t), &r), MTASTS_ERR_SYNTAX);
	assert_int_equal(r.err_off, 16);	/* the 'd' where ";" was needed */
	assert_int_equal(mtasts_record_parse(NULL, 5, &r), MTASTS_ERR_VERSION);
}

struct sel_case {
	const char		*txt[4];
	size_t			 n;
	enum mtasts_status	 want;
	size_t			 idx;
};

static const struct sel_case sel_cases[] = {
	{ { "v=STSv1; id=1" }, 1, MTASTS_OK, 0 },
	{ { "v=spf1 -all", "v=STSv1; id=1" }, 2, MTASTS_OK, 1 },
	{ { "foo", "v=STSv1 ; id=1", "bar" }, 3, MTASTS_OK, 1 },
	{ { "v=STSv1" }, 1, MTASTS_OK, 0 },	/* selected; parse will reject it */
	{ { NULL }, 0, MTASTS_ERR_NO_RECORD, 0 },
	{ { "v=spf1 -all" }, 1, MTASTS_ERR_NO_RECORD, 0 },
	{ { "v=STSv10; id=1", "V=STSv1; id=1", " v=STSv1;id=1" }, 3, MTASTS_ERR_NO_RECORD, 0 },
	{ { "v=STSv1; id=1", "v=STSv1; id=2" }, 2, MTASTS_ERR_MULTIPLE_RECORDS, 0 },
	{ { "v=STSv1; id=1", "x", "v=STSv1;id=bad!" }, 3, MTASTS_ERR_MULTIPLE_RECORDS, 0 },
};

static void
test_record_select(void **state)
{
	enum mtasts_status st;
	size_t i, idx;

	(void)state;
	for (i = 0; i < NELEM(sel_cases); i++) {
		idx = 99;
		st = mtasts_record_select(sel_cases[i].txt, NULL, sel_cases[i].n, &idx);
		if (st != sel_cases[i].want)
			fail_msg("select case %zu: got %s", i, mtasts_status_name(st));
		if (st == MTASTS_OK)
			assert_int_equal(idx, sel_cases[i].idx);
	}
}

static void
test_record_select_lens(void **state)
{
	const char *txt[] = { "v=STSv1; id=1", "v=STSv1; id=2" };
	size_t lens[] = { 13, 5 };	/* the second is cut to "v=STS" */
	size_t idx = 99;

	(void)state;
	assert_int_equal(mtasts_record_select(txt, lens, 2, &idx), MTASTS_OK);
	assert_int_equal(idx, 0);
}

/* ---- policy body, §3.2 ------------------------------------------------------------------ */

struct pol_case {
	const char		*body;
	size_t			 len;		/* 0: strlen */
	enum mtasts_status	 want;
	size_t			 err_line;
	enum mtasts_mode	 mode;		/* on OK */
	uint64_t		 max_age;
	size_t			 nmx;
	unsigned int		 flags;
};

#define P_CRLF	"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400\r\n"
#define P_LF	"version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n"

static const struct pol_case pol_cases[] = {
	/* good */
	{ P_CRLF, 0, MTASTS_OK, 0, MTASTS_MODE_ENFORCE, 86400, 1, 0 },
	{ P_LF, 0, MTASTS_OK, 0, MTASTS_MODE_ENFORCE, 86400, 1, MTASTS_F_LF_ONLY },
	{ "version: STSv1\r\nmode: enforce\nmx: a.example\r\nmax_age: 1\n", 0, MTASTS_OK, 0,
	    MTASTS_MODE_ENFORCE, 1, 1, MTASTS_F_LF_ONLY },
	{ "version: STSv1\r\nmode: testing\r\nmx: a.example\r\nmax_age: 604800", 0, MTASTS_OK,
	    0, MTASTS_MODE_TESTING, 604800, 1, MTASTS_F_NO_FINAL_EOL },
	{ "max_age: 604800\r\nmx: *.example.net\r\nmode: testing\r\nversion: STSv1\r\n", 0,
	    MTASTS_OK, 0, MTASTS_MODE_TESTING, 604800, 1, 0 },
	{ "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n", 0, MTASTS_OK, 0,
	    MTASTS_MODE_NONE, 86400, 0, 0 },
	{ "version: STSv1\r\nmode: none\r\nmx: a.example\r\nmax_age: 0\r\n", 0, MTASTS_OK, 0,
	    MTASTS_MODE_NONE, 0, 1, 0 },
	{ "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: example.net\r\n"
	    "mx: *.example.org\r\nmx: backupmx.example.com\r\nmax_age: 31557600\r\n", 0,
	    MTASTS_OK, 0, MTASTS_MODE_ENFORCE, 31557600, 4, 0 },
	{ "version: STSv1\r\nmode: enforce\r\nfoo: bar baz\r\nmx: a.example\r\n"
	    "max_age: 86400\r\nx_y.z-1: caf\xc3\xa9\r\n", 0, MTASTS_OK, 0, MTASTS_MODE_ENFORCE,
	    86400, 1, MTASTS_F_UNKNOWN_KEY },
	{ "version: STSv1\r\nmode: testing\r\nmode: enforce\r\nmx: a.example\r\n"
	    "max_age: 5\r\nmax_age: 6\r\nversion: STSv9\r\n", 0, MTASTS_OK, 0,
	    MTASTS_MODE_TESTING, 5, 1, MTASTS_F_DUP_FIELD },
	{ "version:STSv1\r\nmode:\tenforce \t\r\nmx:   a.example  \r\nmax_age: 7 \r\n", 0,
	    MTASTS_OK, 0, MTASTS_MODE_ENFORCE, 7, 1, 0 },
	{ "version: STSv1\r\n\r\nmode: enforce\r\nmx: a.example\r\nmax_age: 7\r\n\r\n", 0,
	    MTASTS_OK, 0, MTASTS_MODE_ENFORCE, 7, 1, MTASTS_F_BLANK_LINE },
	{ "version: STSv1\r\nmode: enforce\r\nmx: A1-b.EXAMPLE\r\nmax_age: 0000000007\r\n", 0,
	    MTASTS_OK, 0, MTASTS_MODE_ENFORCE, 7, 1, 0 },
	/* missing fields */
	{ "", 0, MTASTS_ERR_VERSION_MISSING, 0, 0, 0, 0, 0 },
	{ "\r\n\r\n", 0, MTASTS_ERR_VERSION_MISSING, 0, 0, 0, 0, 0 },
	{ "mode: enforce\r\nmx: a.example\r\nmax_age: 1\r\n", 0, MTASTS_ERR_VERSION_MISSING, 0,
	    0, 0, 0, 0 },
	{ "Version: STSv1\r\nmode: enforce\r\nmx: a.example\r\nmax_age: 1\r\n", 0,
	    MTASTS_ERR_VERSION_MISSING, 0, 0, 0, 0, 0 },
	{ "version: STSv1\r\nmx: a.example\r\nmax_age: 1\r\n", 0, MTASTS_ERR_MODE_MISSING, 0,
	    0, 0, 0, 0 },
	{ "version: STSv1\r\nmode: enforce\r\nmx: a.example\r\n", 0,
	    MTASTS_ERR_MAX_AGE_MISSING, 0, 0, 0, 0, 0 },
	{ "version: STSv1\r\nmode: enforce\r\nmax_age: 1\r\n", 0, MTASTS_ERR_MX_MISSING, 0,
	    0, 0, 0, 0 },
	{ "version: STSv1\r\nmode: testing\r\nmax_age: 1\r\n", 0, MTASTS_ERR_MX_MISSING, 0,
	    0, 0, 0, 0 },
	{ "version: STSv1\r\nmode: enforce\r\nMX: a.example\r\nmax_age: 1\r\n", 0,
	    MTASTS_ERR_MX_MISSING, 0, 0, 0, 0, 0 },
	/* bad values */
	{ "version: STSv2\r\n", 0, MTASTS_ERR_VERSION_BAD, 1, 0, 0, 0, 0 },
	{ "version: stsv1\r\n", 0, MTASTS_ERR_VERSION_BAD, 1, 0, 0, 0, 0 },
	{ "version: STSv1 x\r\n", 0, MTASTS_ERR_VERSION_BAD, 1, 0, 0, 0, 0 },
	{ "version: STSv1\r\nmode: Enforce\r\n", 0, MTASTS_ERR_MODE_BAD, 2, 0, 0, 0, 0 },
	{ "version: STSv1\r\nmode: report\r\n", 0, MTASTS_ERR_MODE_BAD, 2, 0, 0, 0, 0 },
	{ "version: STSv1\r\nmode:\r\n", 0, MTASTS_ERR_MODE_BAD, 2, 0, 0, 0, 0 },
	{ "version: STSv1\r\nmode: enf", 0, MTASTS_ERR_MODE_BAD, 2, 0, 0, 0, 0 },
	{ "mode: enforcing\n", 0, MTASTS_ERR_MODE_BAD, 1, 0, 0, 0, 0 },
	{ "max_age: -1\n", 0, MTASTS_ERR_MAX_AGE_BAD, 1, 0, 0, 0, 0 },
	{ "max_age: 1d\n", 0, MTASTS_ERR_MAX_AGE_BAD, 1, 0, 0, 0, 0 },
	{ "max_age:\n", 0, MTASTS_ERR_MAX_AGE_BAD, 1, 0, 0, 0, 0 },
	{ "max_age: 1 2\n", 0, MTASTS_ERR_MAX_AGE_BAD, 1, 0, 0, 0, 0 },
	{ "max_age: 12345678901\n", 0, MTASTS_ERR_MAX_AGE_BAD, 1, 0, 0, 0, 0 },
	{ "max_age: 31557601\n", 0, MTASTS_ERR_MAX_AGE_RANGE, 1, 0, 0, 0, 0 },
	{ "max_age: 9999999999\n", 0, MTASTS_ERR_MAX_AGE_RANGE, 1, 0, 0, 0, 0 },
	{ "mx:\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: mail..example.com\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: -a.example.com\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: a-.example.com\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: *.*.example.com\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: *example.com\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: .example.net\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },	/* draft syntax */
	{ "mx: *.\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: mail.example.com.\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: mail_1.example.com\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: mail.example.com other.example\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: a.example.com:25\n", 0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	{ "mx: 0123456789012345678901234567890123456789012345678901234567890123.example\n",
	    0, MTASTS_ERR_MX_BAD, 1, 0, 0, 0, 0 },
	/* line syntax */
	{ "version: STSv1\r\nhello\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 2, 0, 0, 0, 0 },
	{ " version: STSv1\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 1, 0, 0, 0, 0 },
	{ "version : STSv1\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 1, 0, 0, 0, 0 },
	{ ": STSv1\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 1, 0, 0, 0, 0 },
	{ "_x: 1\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 1, 0, 0, 0, 0 },
	{ "version=STSv1\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 1, 0, 0, 0, 0 },
	{ "version: STSv1\rmode: enforce\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 1, 0, 0, 0, 0 },
	{ "version: STSv1\r\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 1, 0, 0, 0, 0 },
	{ "version: STSv1\r\nfoo: a\tb\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 2, 0, 0, 0, 0 },
	{ "version: STSv1\r\nfoo:\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 2, 0, 0, 0, 0 },
	{ "version: STSv1\r\nfoo: a\x7f\r\n", 0, MTASTS_ERR_LINE_SYNTAX, 2, 0, 0, 0, 0 },
	{ "version: STSv1\r\nmode: enforce\0\r\n", 30, MTASTS_ERR_LINE_SYNTAX, 2, 0, 0, 0, 0 },
	{ "version: STSv1\r\n\r\n \r\n", 0, MTASTS_ERR_LINE_SYNTAX, 3, 0, 0, 0, 0 },
	{ "{\"version\": \"STSv1\"}", 0, MTASTS_ERR_LINE_SYNTAX, 1, 0, 0, 0, 0 },
	{ "<html><body>404</body></html>\n", 0, MTASTS_ERR_LINE_SYNTAX, 1, 0, 0, 0, 0 },
};

static void
test_policy_table(void **state)
{
	struct mtasts_policy p;
	enum mtasts_status st;
	struct arena *a;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(pol_cases); i++) {
		a = arena_new();
		len = pol_cases[i].len ? pol_cases[i].len : strlen(pol_cases[i].body);
		st = mtasts_policy_parse(pol_cases[i].body, len, a, &p);
		if (st != pol_cases[i].want || p.err_line != pol_cases[i].err_line)
			fail_msg("policy case %zu: got %s line %zu, want %s line %zu", i,
			    mtasts_status_name(st), p.err_line,
			    mtasts_status_name(pol_cases[i].want), pol_cases[i].err_line);
		assert_int_equal(p.status, st);
		if (st == MTASTS_OK) {
			if (p.mode != pol_cases[i].mode || p.max_age != pol_cases[i].max_age ||
			    p.nmx != pol_cases[i].nmx || p.flags != pol_cases[i].flags)
				fail_msg("policy case %zu: mode %s max_age %llu nmx %zu flags %#x",
				    i, mtasts_mode_name(p.mode), (unsigned long long)p.max_age,
				    p.nmx, p.flags);
			assert_true(p.max_age_set);
		}
		arena_free(a);
	}
}

static void
test_policy_fields(void **state)
{
	static const char body[] = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
	    "mx: *.Example.NET \r\nmax_age: 604800\r\n";
	struct mtasts_policy p;
	struct arena *a = arena_new();

	(void)state;
	assert_int_equal(mtasts_policy_parse(body, sizeof(body) - 1, a, &p), MTASTS_OK);
	assert_int_equal(p.nmx, 2);
	assert_string_equal(p.mx[0], "mail.example.com");
	assert_string_equal(p.mx[1], "*.Example.NET");
	assert_string_equal(mtasts_policy_matches(&p, "MAIL.example.com."), "mail.example.com");
	assert_string_equal(mtasts_policy_matches(&p, "mx7.example.net"), "*.Example.NET");
	assert_null(mtasts_policy_matches(&p, "example.net"));
	assert_null(mtasts_policy_matches(&p, "a.mx7.example.net"));
	assert_null(mtasts_policy_matches(&p, "mail.example.org"));
	arena_free(a);
}

static void
test_policy_range_keeps_value(void **state)
{
	static const char body[] = "max_age: 99999999\n";
	struct mtasts_policy p;
	struct arena *a = arena_new();

	(void)state;
	assert_int_equal(mtasts_policy_parse(body, sizeof(body) - 1, a, &p),
	    MTASTS_ERR_MAX_AGE_RANGE);
	assert_true(p.max_age_set);
	assert_int_equal(p.max_age, 99999999);
	arena_free(a);
}

static void
test_policy_ceilings(void **state)
{
	struct mtasts_policy p;
	struct arena *a = arena_new();
	char *big;
	size_t n, i;
	int w;

	(void)state;
	/* RFC 8461 sets no limit on mx lines: 1000 are kept, in order */
	big = malloc(MTASTS_POLICY_MAX + 16);
	assert_non_null(big);
	n = (size_t)snprintf(big, 64, "version: STSv1\nmode: enforce\nmax_age: 86400\n");
	for (i = 0; i < 1000; i++) {
		w = snprintf(big + n, 64, "mx: mx%zu.example.com\n", i);
		n += (size_t)w;
	}
	assert_int_equal(mtasts_policy_parse(big, n, a, &p), MTASTS_OK);
	assert_int_equal(p.nmx, 1000);
	for (i = 0; i < 1000; i += 7) {
		char want[32];

		snprintf(want, sizeof(want), "mx%zu.example.com", i);
		assert_string_equal(p.mx[i], want);
	}
	assert_string_equal(mtasts_policy_matches(&p, "MX999.example.com."), "mx999.example.com");
	/* the body ceiling bounds them: a body of shortest mx lines stays within MTASTS_MX_MAX */
	n = (size_t)snprintf(big, 64, "version:STSv1\nmode:enforce\nmax_age:1\n");
	while (n + 5 <= MTASTS_POLICY_MAX) {
		memcpy(big + n, "mx:a\n", 5);
		n += 5;
	}
	assert_int_equal(mtasts_policy_parse(big, n, a, &p), MTASTS_OK);
	assert_true(p.nmx <= MTASTS_MX_MAX);

	/* Exactly the ceiling parses (padding as unknown-key lines); one byte more does not. */
	n = (size_t)snprintf(big, 128, "version: STSv1\nmode: none\nmax_age: 86400\n");
	while (n < MTASTS_POLICY_MAX) {
		memcpy(big + n, "pad: xxxxxxxxxx\n", 16);
		n += 16;
	}
	n = MTASTS_POLICY_MAX;
	big[n - 1] = '\n';
	assert_int_equal(mtasts_policy_parse(big, n, a, &p), MTASTS_OK);
	assert_int_equal(mtasts_policy_parse(big, n + 1, a, &p), MTASTS_ERR_TOO_BIG);
	assert_int_equal(mtasts_policy_parse(NULL, 0, a, &p), MTASTS_ERR_VERSION_MISSING);
	free(big);
	arena_free(a);
}

/* ---- MX patterns, §4.1 ------------------------------------------------------------------ */

struct mx_case {
	const char	*pattern;
	const char	*host;
	int		 want;
};

static const struct mx_case mx_cases[] = {
	{ "mail.example.com", "mail.example.com", 1 },
	{ "mail.example.com", "MAIL.Example.COM", 1 },
	{ "Mail.Example.Com", "mail.example.com", 1 },
	{ "mail.example.com", "mail.example.com.", 1 },
	{ "mail.example.com.", "mail.example.com", 1 },
	{ "mail.example.com", "mail.example.co", 0 },
	{ "mail.example.com", "xmail.example.com", 0 },
	{ "mail.example.com", "a.mail.example.com", 0 },
	{ "mail.example.com", "example.com", 0 },
	{ "*.example.com", "mx1.example.com", 1 },
	{ "*.example.com", "MX1.EXAMPLE.COM.", 1 },
	{ "*.EXAMPLE.com", "mx1.example.com", 1 },
	{ "*.example.com", "example.com", 0 },
	{ "*.example.com", "a.b.example.com", 0 },
	{ "*.example.com", ".example.com", 0 },
	{ "*.example.com", "mx1.example.com.evil", 0 },
	{ "*.example.com", "mx1example.com", 0 },
	{ "*.example.com", "mx1.example.org", 0 },
	{ "*.example.com", "*.example.com", 1 },	/* a label "*" is still one label */
	{ "*.com", "example.com", 1 },
	{ "*.", "example", 0 },
	{ "*", "example", 0 },
	{ ".example.com", "mx.example.com", 0 },	/* the draft syntax is not a wildcard */
	{ "", "", 0 },
	{ "", "mail.example.com", 0 },
	{ "mail.example.com", "", 0 },
	{ ".", ".", 0 },
	{ NULL, "mail.example.com", 0 },
	{ "mail.example.com", NULL, 0 },
};

static void
test_mx_match(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(mx_cases); i++)
		if (mtasts_mx_match(mx_cases[i].pattern, mx_cases[i].host) != mx_cases[i].want)
			fail_msg("mx case %zu: \"%s\" vs \"%s\"", i,
			    mx_cases[i].pattern ? mx_cases[i].pattern : "(null)",
			    mx_cases[i].host ? mx_cases[i].host : "(null)");
}

/* ---- Content-Type, §3.3 ----------------------------------------------------------------- */

struct ct_case {
	const char	*ct;
	int		 want;
};

static const struct ct_case ct_cases[] = {
	{ "text/plain", 1 },
	{ "TEXT/PLAIN", 1 },
	{ "Text/Plain; charset=utf-8", 1 },
	{ "text/plain;charset=us-ascii", 1 },
	{ "text/plain ; charset=utf-8", 1 },
	{ "  text/plain  ", 1 },
	{ "text/plain;", 1 },
	{ "text/html", 0 },
	{ "text/plainx", 0 },
	{ "text/plain x", 0 },
	{ "text/plai", 0 },
	{ "text", 0 },
	{ "application/octet-stream", 0 },
	{ "text/plain, text/html", 0 },
	{ "", 0 },
	{ NULL, 0 },
};

static void
test_content_type(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ct_cases); i++)
		if (mtasts_content_type_ok(ct_cases[i].ct) != ct_cases[i].want)
			fail_msg("content-type case %zu \"%s\"", i,
			    ct_cases[i].ct ? ct_cases[i].ct : "(null)");
}

static void
test_names(void **state)
{
	int i;
	unsigned int bit;

	(void)state;
	for (i = 0; i < MTASTS_STATUS_LAST; i++)
		assert_non_null(mtasts_status_name((enum mtasts_status)i));
	assert_string_equal(mtasts_status_name(MTASTS_OK), "ok");
	assert_string_equal(mtasts_status_name(MTASTS_ERR_MX_MISSING), "mx-missing");
	assert_string_equal(mtasts_status_name(MTASTS_STATUS_LAST), "unknown");
	assert_string_equal(mtasts_mode_name(MTASTS_MODE_ENFORCE), "enforce");
	assert_string_equal(mtasts_mode_name(MTASTS_MODE_TESTING), "testing");
	assert_string_equal(mtasts_mode_name(MTASTS_MODE_NONE), "none");
	assert_string_equal(mtasts_mode_name(MTASTS_MODE_LAST), "unknown");
	for (bit = 1; bit < MTASTS_F_LAST; bit <<= 1)
		assert_string_not_equal(mtasts_flag_name(bit), "unknown");
	assert_string_equal(mtasts_flag_name(MTASTS_F_LAST), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_table),
		cmocka_unit_test(test_record_err_off),
		cmocka_unit_test(test_record_select),
		cmocka_unit_test(test_record_select_lens),
		cmocka_unit_test(test_policy_table),
		cmocka_unit_test(test_policy_fields),
		cmocka_unit_test(test_policy_range_keeps_value),
		cmocka_unit_test(test_policy_ceilings),
		cmocka_unit_test(test_mx_match),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
