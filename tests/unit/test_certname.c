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
	{ "*.example.org", "*.example.org", 0 },		/* the reference is never a pattern */
	/* RFC 2818 §3.1, RFC 9525 §6.2: an IP reference never matches DNS-ID or CN text */
	{ "127.0.0.2", "127.0.0.2", 0 },
	{ "127.0.0.2", "127.0.0.2.", 0 },
	{ "*.0.0.2", "127.0.0.2", 0 },				/* nor does a wildcard */
	{ "*.168.0.1", "192.168.0.1", 0 },
	{ "*.2", "1.2", 0 },
	{ "1.2", "1.2", 1 },					/* not a dotted quad: a name */
	{ "xn--bcher-kva.example.", "XN--BCHER-KVA.EXAMPLE", 1 },	/* A-label, case, dot */
	{ "xn--*.example", "xn--bcher-kva.example", 0 },	/* no wildcard inside an A-label */
	{ "*.example.org", "xn--bcher-kva.example.org", 1 },	/* a whole A-label is one label */
	{ ".example.org", ".example.org", 0 },			/* empty labels */
	{ "mx.example.org..", "mx.example.org..", 0 },
	{ "*..example.org", "a..example.org", 0 },
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

static void
test_ip_parse(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;		/* 0: not an IP literal */
	} cases[] = {
		{ "192.0.2.1", 4 },
		{ "0.0.0.0", 4 },
		{ "2001:db8::1", 16 },
		{ "[2001:db8::1]", 16 },
		{ "::ffff:192.0.2.1", 16 },
		{ "192.0.2", 0 },			/* no short forms */
		{ "0x7f.0.0.1", 0 },
		{ "192.0.2.1.", 0 },
		{ "192.0.2.256", 0 },
		{ "[192.0.2.1]", 0 },			/* brackets are for IPv6 */
		{ "fe80::1%eth0", 0 },			/* no zone */
		{ "[2001:db8::1", 0 },
		{ "mx.example.org", 0 },
		{ "", 0 },
	};
	struct certname_ip ip;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = certname_ip_parse(cases[i].in, &ip);

		if (got != (cases[i].len != 0) || (got && ip.len != cases[i].len))
			fail_msg("case %zu '%s': got %d len %zu", i, cases[i].in, got, ip.len);
	}
}

static void
test_check_ip(void **state)
{
	struct certname_ip ips[2];
	const char *dns[] = { "mx.example.org", "192.0.2.1", "*.0.2.1" };
	struct certname_ids id = { 0 };
	const char *m;

	assert_true(certname_ip_parse("192.0.2.1", &ips[0]));
	assert_true(certname_ip_parse("2001:db8::25", &ips[1]));
	id.ips = ips;
	id.nips = 2;

	/* octets, whatever the text: v4, v6 in any spelling, brackets */
	assert_int_equal(certname_check_ids(&id, "192.0.2.1", &m), CERTNAME_MATCH);
	assert_string_equal(m, "192.0.2.1");
	assert_int_equal(certname_check_ids(&id, "2001:DB8:0:0::25", &m), CERTNAME_MATCH);
	assert_int_equal(certname_check_ids(&id, "[2001:db8::25]", &m), CERTNAME_MATCH);
	assert_int_equal(certname_check_ids(&id, "192.0.2.2", &m), CERTNAME_NO_MATCH);
	assert_null(m);
	/* no family crossing */
	assert_int_equal(certname_check_ids(&id, "::ffff:192.0.2.1", &m), CERTNAME_NO_MATCH);

	/* an IP reference ignores DNS-IDs and the CN, even when their text is that IP */
	id.nips = 0;
	id.dnsids = dns;
	id.ndns = 3;
	id.cn = "192.0.2.1";
	assert_int_equal(certname_check_ids(&id, "192.0.2.1", &m), CERTNAME_NO_MATCH);
	id.ndns = 0;
	assert_int_equal(certname_check_ids(&id, "192.0.2.1", &m), CERTNAME_NO_MATCH);
	assert_int_equal(certname_check(NULL, 0, "192.0.2.1", "192.0.2.1", &m), CERTNAME_NO_MATCH);
	assert_int_equal(certname_check(dns, 3, NULL, "192.0.2.1", &m), CERTNAME_NO_MATCH);
	id.cn = NULL;
	assert_int_equal(certname_check_ids(&id, "192.0.2.1", &m), CERTNAME_NO_NAMES);

	/* a DNS reference never matches an iPAddress SAN ... */
	id.ips = ips;
	id.nips = 2;
	assert_int_equal(certname_check_ids(&id, "mx.example.org", &m), CERTNAME_NO_MATCH);
	/* ... and iPAddress SANs are not DNS-IDs: the CN is still the fallback (§6.4.4) */
	id.cn = "mx.example.org";
	assert_int_equal(certname_check_ids(&id, "mx.example.org", &m), CERTNAME_MATCH);
	assert_string_equal(m, "mx.example.org");
	/* a DNS-ID present: no CN */
	id.dnsids = dns;
	id.ndns = 1;
	id.cn = "mail.example.org";
	assert_int_equal(certname_check_ids(&id, "mail.example.org", &m), CERTNAME_NO_MATCH);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_check_san_over_cn),
		cmocka_unit_test(test_ip_parse),
		cmocka_unit_test(test_check_ip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
