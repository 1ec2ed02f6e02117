/*
 * test_tlsrpt.c — the RFC 8460 §3 TXT record and picking it out of several.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dns/tlsrpt.h"
#include "util/arena.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct rec_case {
	const char		*txt;
	size_t			 len;		/* 0: strlen */
	enum tlsrpt_status	 want;
	size_t			 nrua;		/* on OK */
	const char		*first;		/* on OK: rua[0] */
	unsigned int		 flags;		/* on OK */
};

static const struct rec_case cases[] = {
	/* good */
	{ "v=TLSRPTv1; rua=mailto:reports@example.com", 0, TLSRPT_OK, 1,
	    "mailto:reports@example.com", 0 },
	{ "v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt", 0, TLSRPT_OK, 1,
	    "https://reporting.example.com/v1/tlsrpt", 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.net/x", 0, TLSRPT_OK, 2,
	    "mailto:a@example.com", 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com , \thttps://r.example.net/x ;", 0, TLSRPT_OK, 2,
	    "mailto:a@example.com", 0 },
	{ "v=TLSRPTv1 ; rua=mailto:a@example.com;  ", 0, TLSRPT_OK, 1, "mailto:a@example.com",
	    0 },
	{ "v=TLSRPTv1; rua=MAILTO:a@example.com", 0, TLSRPT_OK, 1, "MAILTO:a@example.com", 0 },
	{ "v=TLSRPTv1; rua=HTTPS://r.example.net", 0, TLSRPT_OK, 1, "HTTPS://r.example.net",
	    0 },
	{ "v=TLSRPTv1; rua=mailto:tls%2Creports@example.com", 0, TLSRPT_OK, 1,
	    "mailto:tls%2Creports@example.com", 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com?subject=tls%20report", 0, TLSRPT_OK, 1,
	    "mailto:a@example.com?subject=tls%20report", 0 },
	{ "v=TLSRPTv1; rua=https://[2001:db8::1]:8443/r?x=1&y=2#f", 0, TLSRPT_OK, 1,
	    "https://[2001:db8::1]:8443/r?x=1&y=2#f", 0 },
	{ "v=TLSRPTv1; ext=1; rua=mailto:a@example.com; x.y-z_=v:w/", 0, TLSRPT_OK, 1,
	    "mailto:a@example.com", TLSRPT_F_UNKNOWN_KEY },
	{ "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", 0, TLSRPT_OK, 1,
	    "mailto:a@example.com", TLSRPT_F_DUP_FIELD },
	{ "v=TLSRPTv1; v=TLSRPTv1; rua=mailto:a@example.com", 0, TLSRPT_OK, 1,
	    "mailto:a@example.com", TLSRPT_F_DUP_FIELD },
	{ "v=TLSRPTv1; rua=mailto:a@example.com; garbage", 36, TLSRPT_OK, 1,
	    "mailto:a@example.com", 0 },
	/* version */
	{ "", 0, TLSRPT_ERR_VERSION, 0, NULL, 0 },
	{ "v=TLSRPT", 0, TLSRPT_ERR_VERSION, 0, NULL, 0 },
	{ "v=TLSRPTv2; rua=mailto:a@example.com", 0, TLSRPT_ERR_VERSION, 0, NULL, 0 },
	{ "v=tlsrptv1; rua=mailto:a@example.com", 0, TLSRPT_ERR_VERSION, 0, NULL, 0 },
	{ "v=TLSRPTv10; rua=mailto:a@example.com", 0, TLSRPT_ERR_VERSION, 0, NULL, 0 },
	{ " v=TLSRPTv1; rua=mailto:a@example.com", 0, TLSRPT_ERR_VERSION, 0, NULL, 0 },
	{ "rua=mailto:a@example.com; v=TLSRPTv1", 0, TLSRPT_ERR_VERSION, 0, NULL, 0 },
	{ "v=STSv1; id=1", 0, TLSRPT_ERR_VERSION, 0, NULL, 0 },
	/* rua missing */
	{ "v=TLSRPTv1", 0, TLSRPT_ERR_RUA_MISSING, 0, NULL, 0 },
	{ "v=TLSRPTv1;", 0, TLSRPT_ERR_RUA_MISSING, 0, NULL, 0 },
	{ "v=TLSRPTv1; ruf=mailto:a@example.com", 0, TLSRPT_ERR_RUA_MISSING, 0, NULL, 0 },
	{ "v=TLSRPTv1; RUA=mailto:a@example.com", 0, TLSRPT_ERR_RUA_MISSING, 0, NULL, 0 },
	/* URIs */
	{ "v=TLSRPTv1; rua=", 0, TLSRPT_ERR_URI_EMPTY, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=;", 0, TLSRPT_ERR_URI_EMPTY, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com,", 0, TLSRPT_ERR_URI_EMPTY, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com,,mailto:b@example.com", 0, TLSRPT_ERR_URI_EMPTY,
	    0, NULL, 0 },
	{ "v=TLSRPTv1; rua=http://r.example.net/", 0, TLSRPT_ERR_URI_SCHEME, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=ftp://r.example.net/", 0, TLSRPT_ERR_URI_SCHEME, 0, NULL, 0 },
	/* RFC 8460 §3: any URI is syntax; a sender uses the mailto:/https: ones (one is enough) */
	{ "v=TLSRPTv1; rua=mailto:a@example.com,xmpp:a@example.com", 0, TLSRPT_OK, 1,
	    "mailto:a@example.com", TLSRPT_F_URI_SKIPPED },
	{ "v=TLSRPTv1; rua=http://r.example.net/, https://r.example.net/", 0, TLSRPT_OK, 1,
	    "https://r.example.net/", TLSRPT_F_URI_SKIPPED },
	{ "v=TLSRPTv1; rua=mailto:nobody,mailto:a@example.com", 0, TLSRPT_OK, 1,
	    "mailto:a@example.com", TLSRPT_F_URI_SKIPPED },
	{ "v=TLSRPTv1; rua=xmpp:a@example.com,http://r.example.net/", 0, TLSRPT_ERR_URI_SCHEME,
	    0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com,mailto:b@example.com c", 0, TLSRPT_ERR_SYNTAX,
	    0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com,a\"b@example.com", 0, TLSRPT_ERR_URI_BAD, 0,
	    NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com; rua=ftp://x.example", 0, TLSRPT_OK, 1,
	    "mailto:a@example.com", TLSRPT_F_DUP_FIELD },
	{ "v=TLSRPTv1; rua=a@example.com", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:example.com", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:@example.com", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a!b@example.com", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com!10m", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a%2@example.com", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a%zz@example.com", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com%", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a\"b@example.com", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:caf\xc3\xa9@example.com", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=https:", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=https:/r.example.net", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=https:///path", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=https://", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=1https://r.example.net", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com; rua=bogus", 0, TLSRPT_ERR_URI_BAD, 0, NULL,
	    0 },
	/* syntax */
	{ "v=TLSRPTv1 rua=mailto:a@example.com", 0, TLSRPT_ERR_SYNTAX, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com ", 0, TLSRPT_ERR_SYNTAX, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com mailto:b@example.com", 0, TLSRPT_ERR_SYNTAX, 0,
	    NULL, 0 },
	{ "v=TLSRPTv1;; rua=mailto:a@example.com", 0, TLSRPT_ERR_SYNTAX, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua = mailto:a@example.com", 0, TLSRPT_ERR_SYNTAX, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com\r\n", 0, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com\0x", 37, TLSRPT_ERR_URI_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@example.com; x=a=b", 0, TLSRPT_ERR_SYNTAX, 0, NULL, 0 },
	/* extensions */
	{ "v=TLSRPTv1; _x=1; rua=mailto:a@example.com", 0, TLSRPT_ERR_EXT_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; x=; rua=mailto:a@example.com", 0, TLSRPT_ERR_EXT_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; v=; rua=mailto:a@example.com", 0, TLSRPT_ERR_EXT_BAD, 0, NULL, 0 },
	{ "v=TLSRPTv1; abcdefghijabcdefghijabcdefghijabc=1; rua=mailto:a@example.com", 0,
	    TLSRPT_ERR_EXT_BAD, 0, NULL, 0 },
};

static void
test_record_table(void **state)
{
	struct tlsrpt_record r;
	enum tlsrpt_status st;
	struct arena *a;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		a = arena_new();
		len = cases[i].len ? cases[i].len : strlen(cases[i].txt);
		st = tlsrpt_record_parse(cases[i].txt, len, a, &r);
		if (st != cases[i].want)
			fail_msg("case %zu \"%s\": got %s at %zu, want %s", i, cases[i].txt,
			    tlsrpt_status_name(st), r.err_off, tlsrpt_status_name(cases[i].want));
		assert_int_equal(r.status, st);
		if (st == TLSRPT_OK) {
			assert_int_equal(r.nrua, cases[i].nrua);
			assert_string_equal(r.rua[0].uri, cases[i].first);
			if (r.flags != cases[i].flags)
				fail_msg("case %zu: flags %#x", i, r.flags);
		} else
			assert_true(r.err_off <= len);
		arena_free(a);
	}
}

static void
test_record_schemes(void **state)
{
	static const char txt[] = "v=TLSRPTv1; rua=https://a.example/r,Mailto:x@example.com;"
	    " foo=bar";
	struct tlsrpt_record r;
	struct arena *a = arena_new();

	(void)state;
	assert_int_equal(tlsrpt_record_parse(txt, sizeof(txt) - 1, a, &r), TLSRPT_OK);
	assert_int_equal(r.nrua, 2);
	assert_int_equal(r.rua[0].scheme, TLSRPT_SCHEME_HTTPS);
	assert_string_equal(r.rua[0].uri, "https://a.example/r");
	assert_int_equal(r.rua[1].scheme, TLSRPT_SCHEME_MAILTO);
	assert_string_equal(r.rua[1].uri, "Mailto:x@example.com");
	assert_int_equal(r.next, 1);
	assert_int_equal(r.flags, TLSRPT_F_UNKNOWN_KEY);
	arena_free(a);
}

static void
test_record_err_off(void **state)
{
	static const char txt[] = "v=TLSRPTv1; rua=mailto:a,http://x.example";
	struct tlsrpt_record r;
	struct arena *a = arena_new();

	(void)state;
	/* no usable URI: the status and offset of the first unusable one */
	assert_int_equal(tlsrpt_record_parse(txt, sizeof(txt) - 1, a, &r), TLSRPT_ERR_URI_BAD);
	assert_int_equal(r.err_off, 16);	/* start of the mailto: URI */
	assert_int_equal(tlsrpt_record_parse(NULL, 9, a, &r), TLSRPT_ERR_VERSION);
	arena_free(a);
}

static void
test_record_ceilings(void **state)
{
	char txt[4096];
	struct tlsrpt_record r;
	struct arena *a = arena_new();
	size_t n, i;

	(void)state;
	n = (size_t)snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=");
	for (i = 0; i < TLSRPT_RUA_MAX; i++)
		n += (size_t)snprintf(txt + n, sizeof(txt) - n, "%smailto:r%zu@example.com",
		    i ? "," : "", i);
	assert_int_equal(tlsrpt_record_parse(txt, n, a, &r), TLSRPT_OK);
	assert_int_equal(r.nrua, TLSRPT_RUA_MAX);
	assert_string_equal(r.rua[TLSRPT_RUA_MAX - 1].uri, "mailto:r15@example.com");
	assert_int_equal(r.flags, 0);
	/* RFC 8460 sets no limit: one more is checked, then dropped with a note */
	n += (size_t)snprintf(txt + n, sizeof(txt) - n, ",mailto:one-more@example.com");
	assert_int_equal(tlsrpt_record_parse(txt, n, a, &r), TLSRPT_OK);
	assert_int_equal(r.nrua, TLSRPT_RUA_MAX);
	assert_int_equal(r.flags, TLSRPT_F_RUA_TRUNCATED);
	n += (size_t)snprintf(txt + n, sizeof(txt) - n, ",mailto:bad\"quote@example.com");
	assert_int_equal(tlsrpt_record_parse(txt, n, a, &r), TLSRPT_ERR_URI_BAD);

	/* One URI at the length ceiling passes; one byte more does not. */
	n = (size_t)snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=https://r.example/");
	i = n - strlen("v=TLSRPTv1; rua=");
	memset(txt + n, 'a', TLSRPT_URI_MAX - i);
	n += TLSRPT_URI_MAX - i;
	assert_int_equal(tlsrpt_record_parse(txt, n, a, &r), TLSRPT_OK);
	txt[n++] = 'a';
	assert_int_equal(tlsrpt_record_parse(txt, n, a, &r), TLSRPT_ERR_URI_TOO_LONG);
	arena_free(a);
}

struct sel_case {
	const char		*txt[4];
	size_t			 n;
	enum tlsrpt_status	 want;
	size_t			 idx;
};

static const struct sel_case sel_cases[] = {
	{ { "v=TLSRPTv1; rua=mailto:a@example.com" }, 1, TLSRPT_OK, 0 },
	{ { "v=spf1 -all", "v=TLSRPTv1;rua=mailto:a@example.com" }, 2, TLSRPT_OK, 1 },
	{ { "x", "y", "v=TLSRPTv1 ; rua=mailto:a@example.com" }, 3, TLSRPT_OK, 2 },
	{ { "v=TLSRPTv1" }, 1, TLSRPT_OK, 0 },
	{ { NULL }, 0, TLSRPT_ERR_NO_RECORD, 0 },
	{ { "v=DMARC1; p=none" }, 1, TLSRPT_ERR_NO_RECORD, 0 },
	{ { "v=TLSRPTv10; rua=x", "v=tlsrptv1; rua=x" }, 2, TLSRPT_ERR_NO_RECORD, 0 },
	{ { "v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com" }, 2,
	    TLSRPT_ERR_MULTIPLE_RECORDS, 0 },
};

static void
test_record_select(void **state)
{
	enum tlsrpt_status st;
	size_t i, idx;

	(void)state;
	for (i = 0; i < NELEM(sel_cases); i++) {
		idx = 99;
		st = tlsrpt_record_select(sel_cases[i].txt, NULL, sel_cases[i].n, &idx);
		if (st != sel_cases[i].want)
			fail_msg("select case %zu: got %s", i, tlsrpt_status_name(st));
		if (st == TLSRPT_OK)
			assert_int_equal(idx, sel_cases[i].idx);
	}
}

static void
test_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < TLSRPT_STATUS_LAST; i++)
		assert_string_not_equal(tlsrpt_status_name((enum tlsrpt_status)i), "unknown");
	assert_string_equal(tlsrpt_status_name(TLSRPT_STATUS_LAST), "unknown");
	assert_string_equal(tlsrpt_status_name(TLSRPT_ERR_RUA_MISSING), "rua-missing");
	assert_string_equal(tlsrpt_scheme_name(TLSRPT_SCHEME_MAILTO), "mailto");
	assert_string_equal(tlsrpt_scheme_name(TLSRPT_SCHEME_HTTPS), "https");
	assert_string_equal(tlsrpt_scheme_name(TLSRPT_SCHEME_LAST), "unknown");
	assert_string_equal(tlsrpt_flag_name(TLSRPT_F_DUP_FIELD), "duplicate-field");
	assert_string_equal(tlsrpt_flag_name(TLSRPT_F_UNKNOWN_KEY), "unknown-field");
	assert_string_equal(tlsrpt_flag_name(TLSRPT_F_URI_SKIPPED), "uri-skipped");
	assert_string_equal(tlsrpt_flag_name(TLSRPT_F_RUA_TRUNCATED), "rua-truncated");
	assert_string_equal(tlsrpt_flag_name(TLSRPT_F_LAST), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_table),
		cmocka_unit_test(test_record_schemes),
		cmocka_unit_test(test_record_err_off),
		cmocka_unit_test(test_record_ceilings),
		cmocka_unit_test(test_record_select),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
