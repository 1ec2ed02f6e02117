/*
 * test_caa.c — CAA RDATA (RFC 8659 §4): the record format, the issue-value grammar, what a set
 * allows, and the finding a lookup result calls for (lib/dns/caa.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dns/caa.h"
#include "verdict/finding.h"

static enum caa_status
parse(const char *rdata, size_t len, struct caa_rr *rr)
{
	return caa_parse((const uint8_t *)rdata, len, rr);
}

#define P(lit, rr)	parse(lit, sizeof(lit) - 1, rr)

static void
test_parse(void **state)
{
	static const struct {
		const char	*rdata;
		size_t		 len;
		enum caa_status	 status;
		enum caa_tag	 tag;
		const char	*issuer;
	} cases[] = {
#define C(lit, st, tag, iss)	{ lit, sizeof(lit) - 1, st, tag, iss }
		C("\x00\x05issueletsencrypt.org", CAA_OK, CAA_TAG_ISSUE, "letsencrypt.org"),
		C("\x00\x05ISSUELetsEncrypt.ORG", CAA_OK, CAA_TAG_ISSUE, "letsencrypt.org"),
		C("\x00\x05issue ca.example ; account=123 ; x=y ", CAA_OK, CAA_TAG_ISSUE, "ca.example"),
		C("\x00\x05issue;", CAA_OK, CAA_TAG_ISSUE, ""),
		C("\x00\x05issue", CAA_OK, CAA_TAG_ISSUE, ""),
		C("\x00\x09issuewildca.example", CAA_OK, CAA_TAG_ISSUEWILD, "ca.example"),
		C("\x00\x05iodefmailto:security@example.org", CAA_OK, CAA_TAG_IODEF, ""),
		C("\x80\x0ctbsunderstoodanything", CAA_OK, CAA_TAG_OTHER, ""),
		C("\x00\x05issueca..example", CAA_BAD_VALUE, CAA_TAG_ISSUE, ""),
		C("\x00\x05issue-ca.example", CAA_BAD_VALUE, CAA_TAG_ISSUE, ""),
		C("\x00\x05issueca.example; =x", CAA_BAD_VALUE, CAA_TAG_ISSUE, ""),
		C("\x00\x05issueca.example; a", CAA_BAD_VALUE, CAA_TAG_ISSUE, ""),
		C("\x00\x05issueca example", CAA_BAD_VALUE, CAA_TAG_ISSUE, ""),
		C("\x00\x05iss", CAA_SHORT, CAA_TAG_OTHER, ""),
		C("\x00", CAA_SHORT, CAA_TAG_OTHER, ""),
		C("\x00\x00", CAA_BAD_TAG, CAA_TAG_OTHER, ""),
		C("\x00\x10issueissueissue0x", CAA_BAD_TAG, CAA_TAG_OTHER, ""),
		C("\x00\x05is-ueca.example", CAA_BAD_TAG, CAA_TAG_OTHER, ""),
#undef C
	};
	struct caa_rr rr;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(caa_parse((const uint8_t *)cases[i].rdata, cases[i].len, &rr),
		    cases[i].status);
		assert_int_equal(rr.status, cases[i].status);
		if (cases[i].status != CAA_OK && cases[i].status != CAA_BAD_VALUE)
			continue;
		assert_int_equal(rr.tag, cases[i].tag);
		assert_string_equal(rr.issuer, cases[i].issuer);
	}
	assert_int_equal(P("\x00\x05issue ca.example ; account=123 ; x=y ", &rr), CAA_OK);
	assert_int_equal(rr.nparams, 2);
	assert_string_equal(caa_tag_name(CAA_TAG_ISSUEWILD), "issuewild");
	assert_string_equal(caa_status_name(CAA_BAD_TAG), "bad_tag");
}

static void
test_assess(void **state)
{
	struct caa_rr rr[5];
	struct caa_set s;

	(void)state;
	P("\x00\x05issueca.example", &rr[0]);
	P("\x00\x05issueCA.example; a=b", &rr[1]);
	P("\x00\x05issueother.example", &rr[2]);
	P("\x00\x05iodefmailto:x@example.org", &rr[3]);
	caa_assess(rr, 4, &s);
	assert_int_equal(s.nrecords, 4);
	assert_int_equal(s.nissue, 3);
	assert_int_equal(s.nissuers, 2);
	assert_string_equal(s.issuers[0], "ca.example");
	assert_string_equal(s.issuers[1], "other.example");
	assert_false(s.issue_none);
	assert_true(s.iodef);
	assert_false(s.critical_unknown);

	P("\x00\x05issue;", &rr[0]);
	caa_assess(rr, 1, &s);
	assert_true(s.issue_none);

	P("\x80\x07unknownx", &rr[0]);
	P("\x00\x05issueca..example", &rr[1]);
	caa_assess(rr, 2, &s);
	assert_true(s.critical_unknown);
	assert_int_equal(s.malformed, 1);
}

static void
test_finding(void **state)
{
	struct caa_result r;
	struct caa_rr rr;
	char d[200];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.outcome = CAA_NONE;
	assert_int_equal(caa_finding(&r, "mx.example", d, sizeof(d)), FINDING_CAA_ABSENT);
	assert_string_equal(d, "no CAA record at mx.example or above it");
	r.outcome = CAA_FAILED;
	r.error = "timeout";
	assert_int_equal(caa_finding(&r, "mx.example", d, sizeof(d)), FINDING_CAA_LOOKUP_FAILED);
	r.outcome = CAA_FOUND;
	strcpy(r.owner, "example");
	P("\x00\x05issueca.example", &rr);
	caa_assess(&rr, 1, &r.set);
	assert_int_equal(caa_finding(&r, "mx.example", d, sizeof(d)), -1);
	P("\x00\x05issueca example", &rr);
	caa_assess(&rr, 1, &r.set);
	assert_int_equal(caa_finding(&r, "mx.example", d, sizeof(d)), FINDING_CAA_INVALID);
	P("\x00\x05iodefmailto:x@example.org", &rr);
	caa_assess(&rr, 1, &r.set);
	assert_int_equal(caa_finding(&r, "mx.example", d, sizeof(d)), FINDING_CAA_ABSENT);
	assert_string_equal(caa_outcome_name(CAA_FOUND), "found");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_assess),
		cmocka_unit_test(test_finding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
