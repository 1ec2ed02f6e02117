/*
 * test_tlsa.c — TLSA RDATA parsing, SMTP usability, presentation and rollover health.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "dns/tlsa.h"

/* One RDATA: the first hlen of the three fixed octets, then dlen octets 0x00, 0x01, … */
struct tlsa_case {
	const char		*name;
	uint8_t			 hdr[3];
	size_t			 hlen;
	size_t			 dlen;
	enum tlsa_status	 want;
	enum tlsa_smtp		 smtp;
};

static const struct tlsa_case cases[] = {
	{ "3 1 1 sha256", { 3, 1, 1 }, 3, 32, TLSA_OK, TLSA_SMTP_USABLE },
	{ "2 1 1 sha256", { 2, 1, 1 }, 3, 32, TLSA_OK, TLSA_SMTP_USABLE },
	{ "3 0 1 sha256", { 3, 0, 1 }, 3, 32, TLSA_OK, TLSA_SMTP_USABLE },
	{ "3 1 2 sha512", { 3, 1, 2 }, 3, 64, TLSA_OK, TLSA_SMTP_USABLE },
	{ "2 0 2 sha512", { 2, 0, 2 }, 3, 64, TLSA_OK, TLSA_SMTP_USABLE },
	{ "2 0 0 full", { 2, 0, 0 }, 3, 700, TLSA_OK, TLSA_SMTP_USABLE },
	{ "3 1 0 full 1", { 3, 1, 0 }, 3, 1, TLSA_OK, TLSA_SMTP_USABLE },
	{ "0 0 1 pkix-ta", { 0, 0, 1 }, 3, 32, TLSA_OK, TLSA_SMTP_UNUSABLE_PKIX },
	{ "1 1 1 pkix-ee", { 1, 1, 1 }, 3, 32, TLSA_OK, TLSA_SMTP_UNUSABLE_PKIX },
	{ "empty rdata", { 0, 0, 0 }, 0, 0, TLSA_TOO_SHORT, TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "1 octet", { 3, 0, 0 }, 1, 0, TLSA_TOO_SHORT, TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "2 octets", { 3, 1, 0 }, 2, 0, TLSA_TOO_SHORT, TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "header only 3 1 1", { 3, 1, 1 }, 3, 0, TLSA_BAD_DIGEST_LEN,
	    TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "header only 3 1 0", { 3, 1, 0 }, 3, 0, TLSA_EMPTY_DATA, TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "usage 4", { 4, 1, 1 }, 3, 32, TLSA_BAD_USAGE, TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "usage 255 privcert", { 255, 1, 1 }, 3, 32, TLSA_BAD_USAGE,
	    TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "selector 2", { 3, 2, 1 }, 3, 32, TLSA_BAD_SELECTOR, TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "selector 255", { 3, 255, 1 }, 3, 32, TLSA_BAD_SELECTOR,
	    TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "mtype 3", { 3, 1, 3 }, 3, 32, TLSA_BAD_MTYPE, TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "mtype 255 privmatch", { 3, 1, 255 }, 3, 32, TLSA_BAD_MTYPE,
	    TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "sha256 short 31", { 3, 1, 1 }, 3, 31, TLSA_BAD_DIGEST_LEN,
	    TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "sha256 long 33", { 3, 1, 1 }, 3, 33, TLSA_BAD_DIGEST_LEN,
	    TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "sha256 given 64", { 3, 1, 1 }, 3, 64, TLSA_BAD_DIGEST_LEN,
	    TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "sha512 given 32", { 3, 1, 2 }, 3, 32, TLSA_BAD_DIGEST_LEN,
	    TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "sha512 short 63", { 2, 1, 2 }, 3, 63, TLSA_BAD_DIGEST_LEN,
	    TLSA_SMTP_UNUSABLE_MALFORMED },
	{ "usage checked first", { 9, 9, 9 }, 3, 0, TLSA_BAD_USAGE,
	    TLSA_SMTP_UNUSABLE_MALFORMED },
};

static size_t
build(const struct tlsa_case *tc, uint8_t *buf)
{
	size_t i;

	memcpy(buf, tc->hdr, tc->hlen);
	for (i = 0; i < tc->dlen; i++)
		buf[tc->hlen + i] = (uint8_t)i;
	return tc->hlen + tc->dlen;
}

static void
test_parse_table(void **state)
{
	uint8_t buf[1024];
	struct tlsa_rr rr;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = build(&cases[i], buf);
		if (tlsa_parse(buf, n, &rr) != cases[i].want)
			fail_msg("%s: got %s want %s", cases[i].name,
			    tlsa_status_name(rr.status), tlsa_status_name(cases[i].want));
		assert_int_equal(rr.status, cases[i].want);
		if (tlsa_usable_smtp(&rr) != cases[i].smtp)
			fail_msg("%s: smtp %s", cases[i].name, tlsa_smtp_name(tlsa_usable_smtp(&rr)));
		if (cases[i].hlen == 3) {
			assert_int_equal(rr.usage, cases[i].hdr[0]);
			assert_int_equal(rr.selector, cases[i].hdr[1]);
			assert_int_equal(rr.mtype, cases[i].hdr[2]);
			assert_int_equal(rr.datalen, cases[i].dlen);
			if (cases[i].dlen > 0)
				assert_ptr_equal(rr.data, buf + 3);
			else
				assert_null(rr.data);
		}
	}
}

static void
test_parse_null(void **state)
{
	struct tlsa_rr rr;

	(void)state;
	assert_int_equal(tlsa_parse(NULL, 10, &rr), TLSA_TOO_SHORT);
	assert_int_equal(rr.datalen, 0);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(tlsa_usage_name(TLSA_USAGE_PKIX_TA), "PKIX-TA");
	assert_string_equal(tlsa_usage_name(TLSA_USAGE_PKIX_EE), "PKIX-EE");
	assert_string_equal(tlsa_usage_name(TLSA_USAGE_DANE_TA), "DANE-TA");
	assert_string_equal(tlsa_usage_name(TLSA_USAGE_DANE_EE), "DANE-EE");
	assert_string_equal(tlsa_usage_name(255), "unknown");
	assert_string_equal(tlsa_selector_name(0), "Cert");
	assert_string_equal(tlsa_selector_name(1), "SPKI");
	assert_string_equal(tlsa_selector_name(2), "unknown");
	assert_string_equal(tlsa_mtype_name(0), "Full");
	assert_string_equal(tlsa_mtype_name(1), "SHA2-256");
	assert_string_equal(tlsa_mtype_name(2), "SHA2-512");
	assert_string_equal(tlsa_mtype_name(3), "unknown");
	assert_string_equal(tlsa_status_name(TLSA_BAD_DIGEST_LEN), "wrong-digest-length");
	assert_string_equal(tlsa_status_name(TLSA_STATUS_LAST), "unknown");
	assert_string_equal(tlsa_smtp_name(TLSA_SMTP_UNUSABLE_PKIX), "unusable-pkix");
	assert_string_equal(tlsa_rollover_name(TLSA_ROLLOVER_EE_TA_PAIR), "ee-ta-pair");
}

static void
test_format(void **state)
{
	static const uint8_t rd[] = { 3, 1, 1, 0xab, 0xcd, 0x01, 0xff };
	struct tlsa_rr rr;
	char buf[64], small[8];
	size_t n;

	(void)state;
	/* A short record is malformed but still prints. */
	tlsa_parse(rd, sizeof(rd), &rr);
	n = tlsa_format(&rr, buf, sizeof(buf));
	assert_string_equal(buf, "3 1 1 abcd01ff");
	assert_int_equal(n, strlen("3 1 1 abcd01ff"));

	n = tlsa_format(&rr, small, sizeof(small));
	assert_int_equal(n, 14);
	assert_string_equal(small, "3 1 1 a");

	n = tlsa_format(&rr, buf, 0);
	assert_int_equal(n, 14);

	n = tlsa_format(&rr, small, 1);
	assert_string_equal(small, "");

	tlsa_parse(rd, 3, &rr);
	n = tlsa_format(&rr, buf, sizeof(buf));
	assert_string_equal(buf, "3 1 1");
	assert_int_equal(n, 5);
}

static void
test_format_full_sha256(void **state)
{
	uint8_t rd[3 + 32];
	struct tlsa_rr rr;
	char buf[128];
	size_t i;

	(void)state;
	rd[0] = 2, rd[1] = 0, rd[2] = 1;
	for (i = 0; i < 32; i++)
		rd[3 + i] = (uint8_t)(0x10 + i);
	assert_int_equal(tlsa_parse(rd, sizeof(rd), &rr), TLSA_OK);
	assert_int_equal(tlsa_format(&rr, buf, sizeof(buf)), 6 + 64);
	assert_string_equal(buf, "2 0 1 101112131415161718191a1b1c1d1e1f"
	    "202122232425262728292a2b2c2d2e2f");
}

/* A set is a list of records, each (usage, selector, mtype, fill byte) with a 32-octet digest. */
struct set_case {
	const char		*name;
	size_t			 n;
	uint8_t			 rec[6][4];
	size_t			 usable, distinct, ee, ta, pkix, malformed, dups;
	enum tlsa_rollover	 rollover;
};

static const struct set_case sets[] = {
	{ "empty", 0, { { 0 } }, 0, 0, 0, 0, 0, 0, 0, TLSA_ROLLOVER_NONE_USABLE },
	{ "one 3 1 1", 1, { { 3, 1, 1, 0xaa } }, 1, 1, 1, 0, 0, 0, 0, TLSA_ROLLOVER_SINGLE },
	{ "two 3 1 1", 2, { { 3, 1, 1, 0xaa }, { 3, 1, 1, 0xbb } }, 2, 2, 2, 0, 0, 0, 0,
	    TLSA_ROLLOVER_MULTIPLE },
	{ "3 1 1 + 2 1 1", 2, { { 3, 1, 1, 0xaa }, { 2, 1, 1, 0xbb } }, 2, 2, 1, 1, 0, 0, 0,
	    TLSA_ROLLOVER_EE_TA_PAIR },
	{ "two 2 1 1", 2, { { 2, 1, 1, 0xaa }, { 2, 1, 1, 0xbb } }, 2, 2, 0, 2, 0, 0, 0,
	    TLSA_ROLLOVER_MULTIPLE },
	{ "duplicate 3 1 1", 2, { { 3, 1, 1, 0xaa }, { 3, 1, 1, 0xaa } }, 2, 1, 1, 0, 0, 0, 1,
	    TLSA_ROLLOVER_SINGLE },
	{ "pkix only", 2, { { 0, 0, 1, 0xaa }, { 1, 1, 1, 0xbb } }, 0, 0, 0, 0, 2, 0, 0,
	    TLSA_ROLLOVER_NONE_USABLE },
	{ "pkix + one dane", 2, { { 1, 1, 1, 0xaa }, { 3, 1, 1, 0xbb } }, 1, 1, 1, 0, 1, 0, 0,
	    TLSA_ROLLOVER_SINGLE },
	{ "malformed + dane", 3, { { 3, 1, 7, 0xaa }, { 3, 1, 1, 0xbb }, { 9, 1, 1, 0xcc } },
	    1, 1, 1, 0, 0, 2, 0, TLSA_ROLLOVER_SINGLE },
	{ "same digest, different usage", 2, { { 3, 1, 1, 0xaa }, { 2, 1, 1, 0xaa } }, 2, 2, 1, 1,
	    0, 0, 0, TLSA_ROLLOVER_EE_TA_PAIR },
	{ "mixed six", 6, { { 3, 1, 1, 1 }, { 3, 1, 1, 2 }, { 2, 1, 1, 3 }, { 3, 1, 1, 1 },
	    { 0, 0, 1, 4 }, { 3, 1, 4, 5 } }, 4, 3, 2, 1, 1, 1, 1, TLSA_ROLLOVER_EE_TA_PAIR },
};

static void
test_set_table(void **state)
{
	uint8_t rd[6][3 + 32];
	struct tlsa_rr rrs[6];
	struct tlsa_set_health h;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		for (j = 0; j < sets[i].n; j++) {
			memcpy(rd[j], sets[i].rec[j], 3);
			memset(rd[j] + 3, sets[i].rec[j][3], 32);
			tlsa_parse(rd[j], sizeof(rd[j]), &rrs[j]);
		}
		tlsa_set_assess(rrs, sets[i].n, &h);
		if (h.rollover != sets[i].rollover || h.usable != sets[i].usable ||
		    h.distinct_usable != sets[i].distinct || h.dane_ee != sets[i].ee ||
		    h.dane_ta != sets[i].ta || h.pkix != sets[i].pkix ||
		    h.malformed != sets[i].malformed || h.duplicates != sets[i].dups)
			fail_msg("%s: rollover %s usable %zu distinct %zu ee %zu ta %zu pkix %zu "
			    "malformed %zu dups %zu", sets[i].name, tlsa_rollover_name(h.rollover),
			    h.usable, h.distinct_usable, h.dane_ee, h.dane_ta, h.pkix, h.malformed,
			    h.duplicates);
		assert_int_equal(h.total, sets[i].n);
		assert_int_equal(h.multiple_usable, sets[i].distinct > 1);
		assert_int_equal(h.ee_ta_pair, sets[i].ee > 0 && sets[i].ta > 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_full_sha256),
		cmocka_unit_test(test_set_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
