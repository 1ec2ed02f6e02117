/*
 * test_certname.c — RFC 6125 name matching, a table of cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tls/certname.h"

static const struct {
	const char	*pattern;
	const char	*ref;
	int		 want;
} match_cases[] = {
	{ "mx.example.org", "mx.example.org", 1 },
	{ "MX.Example.ORG", "mx.example.org", 1 },		/* case-insensitive */
	{ "mx.example.org.", "mx.example.org", 1 },		/* trailing dot */
	{ "mx.example.org", "mx.example.org.", 1 },
	{ "mx.example.org", "mx2.example.org", 0 },
	{ "mx.example.org", "example.org", 0 },
	{ "*.example.org", "mx.example.org", 1 },		/* wildcard = one label */
	{ "*.example.org", "a.b.example.org", 0 },		/* not two */
	{ "*.example.org", "example.org", 0 },			/* not zero */
	{ "*.example.org", ".example.org", 0 },
	{ "*.org", "example.org", 0 },				/* too broad */
	{ "*", "localhost", 0 },
	{ "mx*.example.org", "mx1.example.org", 0 },		/* partial wildcard */
	{ "*mx.example.org", "amx.example.org", 0 },
	{ "m*x.example.org", "max.example.org", 0 },
	{ "mx.*.example.org", "mx.a.example.org", 0 },		/* not left-most */
	{ "*.*.example.org", "a.b.example.org", 0 },
	{ "**.example.org", "a.example.org", 0 },
	{ "xn--bcher-kva.example", "xn--bcher-kva.example", 1 },	/* A-labels compare as ASCII */
	{ "*.xn--bcher-kva.example", "mx.xn--bcher-kva.example", 1 },
	{ "mx..example.org", "mx..example.org", 0 },		/* empty label */
	{ "", "mx.example.org", 0 },
	{ "mx.example.org", "", 0 },
	{ "mx example.org", "mx example.org", 0 },		/* not a host name */
	{ "127.0.0.2", "127.0.0.2", 1 },			/* a DNS-ID that looks like an IP: literal */
	{ "*.example.org", "*.example.org", 0 },		/* the reference is never a pattern */
};

static void
test_match_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		int got = certname_match(match_cases[i].pattern, match_cases[i].ref);

		if (got != match_cases[i].want)
			fail_msg("case %zu: '%s' vs '%s': got %d want %d", i, match_cases[i].pattern,
			    match_cases[i].ref, got, match_cases[i].want);
	}
}

static void
test_check_san_over_cn(void **state)
{
	const char *sans[] = { "mail.example.org", "*.mx.example.org" };
	const char *m;

	/* SAN present: CN is ignored even when it would match (RFC 6125 §6.4.4) */
	assert_int_equal(certname_check(sans, 2, "mx.example.org", "mx.example.org", &m),
	    CERTNAME_NO_MATCH);
	assert_int_equal(certname_check(sans, 2, NULL, "a.mx.example.org", &m), CERTNAME_MATCH);
	assert_string_equal(m, "*.mx.example.org");
	/* no SAN: CN is used */
	assert_int_equal(certname_check(NULL, 0, "mx.example.org", "mx.example.org", &m),
	    CERTNAME_MATCH);
	assert_int_equal(certname_check(NULL, 0, "other.example", "mx.example.org", &m),
	    CERTNAME_NO_MATCH);
	assert_int_equal(certname_check(NULL, 0, NULL, "mx.example.org", &m), CERTNAME_NO_NAMES);
	assert_string_equal(certname_result_name(CERTNAME_NO_NAMES), "no names");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_check_san_over_cn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
