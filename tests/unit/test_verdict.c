/*
 * test_verdict.c — golden table: a summary of DNS and probe facts -> the expected verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "verdict/verdict.h"

/* host, dane, sts_match, starttls, starttls_some, dane_ok, webpki_ok, reachable, dane_failed */
#define GOOD_DANE(h)	{ h, 1, 0, 1, 1, 1, 0, 1, 0 }
#define GOOD_STS(h)	{ h, 0, 1, 1, 1, 0, 1, 1, 0 }
#define PLAIN(h)	{ h, 0, 0, 1, 1, 0, 0, 1, 0 }
#define NO_TLS(h)	{ h, 0, 0, 0, 0, 0, 0, 1, 0 }

struct golden {
	const char		*name;
	int			 null_mx, bogus;
	enum verdict_sts	 sts;
	size_t			 nmx;
	struct verdict_mx	 mx[3];
	enum verdict_protection	 want;
	int			 can_read;
	const char		*weakest;
	int			 at_risk;
	const char		*says;		/* a substring of the sentence */
};

static const struct golden golden[] = {
	{ "dane on every mx", 0, 0, VERDICT_STS_ABSENT, 2, { GOOD_DANE("mx1"), GOOD_DANE("mx2") },
	  VERDICT_DANE, 0, NULL, 0, "Protected by DANE" },
	{ "secondary mx without dane (seed 000)", 0, 0, VERDICT_STS_ABSENT, 2,
	  { GOOD_DANE("mx1"), PLAIN("mx2") }, VERDICT_NONE, 1, "mx2", 0,
	  "strip STARTTLS from mx2" },
	{ "no dane no sts", 0, 0, VERDICT_STS_ABSENT, 1, { PLAIN("mx") }, VERDICT_NONE, 1, "mx", 0,
	  "no DANE, no MTA-STS" },
	{ "no starttls at all", 0, 0, VERDICT_STS_ABSENT, 1, { NO_TLS("mx") }, VERDICT_NONE, 1, "mx", 0,
	  "does not complete STARTTLS" },
	{ "sts enforce, all match", 0, 0, VERDICT_STS_ENFORCE, 2, { GOOD_STS("mx1"), GOOD_STS("mx2") },
	  VERDICT_MTA_STS, 0, NULL, 0, "enforce mode" },
	{ "sts enforce, one mx outside policy: senders skip it", 0, 0, VERDICT_STS_ENFORCE, 2,
	  { GOOD_STS("mx1"), PLAIN("mx2") }, VERDICT_MTA_STS, 0, "mx2", 1, "matches no mx: pattern" },
	{ "sts enforce, bad certificate: deferred not read", 0, 0, VERDICT_STS_ENFORCE, 1,
	  { { "mx", 0, 1, 1, 1, 0, 0, 1, 0 } }, VERDICT_MTA_STS, 0, "mx", 1, "deferred" },
	{ "sts testing", 0, 0, VERDICT_STS_TESTING, 1, { { "mx", 0, 1, 1, 1, 0, 1, 1, 0 } },
	  VERDICT_MTA_STS_TESTING, 1, "mx", 0, "testing mode" },
	{ "sts none mode counts as nothing", 0, 0, VERDICT_STS_NONE, 1, { { "mx", 0, 1, 1, 1, 0, 1, 1, 0 } },
	  VERDICT_NONE, 1, "mx", 0, "no DANE" },
	{ "dane and sts: dane wins", 0, 0, VERDICT_STS_ENFORCE, 1, { { "mx", 1, 1, 1, 1, 1, 1, 1, 0 } },
	  VERDICT_DANE, 0, NULL, 0, "DANE" },
	{ "dane on one, sts on other", 0, 0, VERDICT_STS_ENFORCE, 2,
	  { GOOD_DANE("mx1"), GOOD_STS("mx2") }, VERDICT_MTA_STS, 0, NULL, 0, "and DANE on some MX" },
	{ "dane mismatch: deferred", 0, 0, VERDICT_STS_ABSENT, 1, { { "mx", 1, 0, 1, 1, 0, 0, 1, 0 } },
	  VERDICT_DANE, 0, "mx", 1, "deferred" },
	{ "dane but starttls stripped: deferred", 0, 0, VERDICT_STS_ABSENT, 1,
	  { { "mx", 1, 0, 0, 0, 0, 0, 1, 0 } }, VERDICT_DANE, 0, "mx", 1, "deferred" },
	{ "null mx", 1, 0, VERDICT_STS_ABSENT, 0, { { 0 } }, VERDICT_NONE, 0, NULL, 0, "null MX" },
	{ "bogus mx", 0, 1, VERDICT_STS_ABSENT, 0, { { 0 } }, VERDICT_NONE, 1, NULL, 1, "DNSSEC" },
	{ "one address without starttls", 0, 0, VERDICT_STS_ABSENT, 1, { { "mx", 0, 0, 0, 1, 0, 0, 1, 0 } },
	  VERDICT_NONE, 1, "mx", 0, "one of its addresses" },
	{ "secure mx, TLSA lookup bogus: DANE senders defer", 0, 0, VERDICT_STS_ABSENT, 1,
	  { { "mx", 0, 0, 1, 1, 0, 0, 1, 1 } }, VERDICT_DANE, 0, "mx", 1, "cannot be validated" },
	{ "no mx found", 0, 0, VERDICT_STS_ENFORCE, 0, { { 0 } }, VERDICT_NONE, 1, NULL, 0, "No mail server" },
};

static void
test_golden(void **state)
{
	struct verdict_input in;
	struct verdict v;
	size_t i;

	for (i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		const struct golden *g = &golden[i];

		memset(&in, 0, sizeof(in));
		in.null_mx = g->null_mx;
		in.mx_bogus = g->bogus;
		in.sts = g->sts;
		in.nmx = g->nmx;
		in.mx = g->mx;
		verdict_decide(&in, &v);
		if (v.protection != g->want || v.can_read != g->can_read ||
		    v.delivery_at_risk != g->at_risk || strstr(v.sentence, g->says) == NULL ||
		    (g->weakest == NULL) != (v.weakest == NULL) ||
		    (g->weakest && strcmp(g->weakest, v.weakest) != 0))
			fail_msg("%s: got %s can_read=%d at_risk=%d weakest=%s \"%s\"", g->name,
			    verdict_protection_name(v.protection), v.can_read, v.delivery_at_risk,
			    v.weakest ? v.weakest : "-", v.sentence);
	}
}

static void
test_nxdomain(void **state)
{
	struct verdict_input in;
	struct verdict v;

	memset(&in, 0, sizeof(in));
	in.nxdomain = 1;
	verdict_decide(&in, &v);
	assert_int_equal(v.protection, VERDICT_NONE);
	assert_false(v.accepts_mail);
	assert_false(v.can_read);
	assert_non_null(strstr(v.sentence, "does not exist"));
}

static void
test_names(void **state)
{
	assert_string_equal(verdict_protection_name(VERDICT_DANE), "dane");
	assert_string_equal(verdict_protection_name(VERDICT_MTA_STS), "mta-sts");
	assert_string_equal(verdict_protection_name(VERDICT_MTA_STS_TESTING), "mta-sts-testing");
	assert_string_equal(verdict_protection_name(VERDICT_NONE), "none");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
