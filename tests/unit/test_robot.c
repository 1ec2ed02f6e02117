/*
 * test_robot.c — the ROBOT and CCS-injection pieces that are pure: the five padded blocks, the
 * records we send, the reaction parser, and the decision tables (lib/scan/robot.c, ccs.c,
 * rawhs.c).  The RSA round trip uses OpenSSL's raw RSA on a fresh key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "scan/ccs.h"
#include "scan/rawhs.h"
#include "scan/robot.h"
#include "util/dbuf.h"

#define K	256	/* a 2048-bit modulus */

static void
rnd_fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7);	/* zeros included: they must become nonzero padding */
}

/* index of the first zero byte from offset 2, or -1 */
static int
first_zero(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 2; i < n; i++)
		if (b[i] == 0)
			return (int)i;
	return -1;
}

static void
test_blocks(void **state)
{
	uint8_t rnd[K], b[K];

	(void)state;
	rnd_fill(rnd, sizeof(rnd));
	assert_int_equal(robot_block(ROBOT_V_GOOD, 0x0303, rnd, K, b), 0);
	assert_int_equal(b[0], 0x00);
	assert_int_equal(b[1], 0x02);
	assert_int_equal(first_zero(b, K), K - 49);	/* 48-byte secret after the separator */
	assert_int_equal(b[K - 48], 0x03);
	assert_int_equal(b[K - 47], 0x03);

	assert_int_equal(robot_block(ROBOT_V_BAD_PREFIX, 0x0303, rnd, K, b), 0);
	assert_int_equal(b[0], 0x41);
	assert_int_equal(b[1], 0x17);
	assert_int_equal(first_zero(b, K), K - 49);

	assert_int_equal(robot_block(ROBOT_V_ZERO_LATE, 0x0303, rnd, K, b), 0);
	assert_int_equal(b[0], 0x00);
	assert_int_equal(b[1], 0x02);
	assert_int_equal(first_zero(b, K), K - 3);	/* a 2-byte "secret" */

	assert_int_equal(robot_block(ROBOT_V_NO_ZERO, 0x0303, rnd, K, b), 0);
	assert_int_equal(b[1], 0x02);
	assert_int_equal(first_zero(b, K), -1);

	assert_int_equal(robot_block(ROBOT_V_BAD_VERSION, 0x0303, rnd, K, b), 0);
	assert_int_equal(first_zero(b, K), K - 49);
	assert_int_equal(b[K - 48], 0x02);
	assert_int_equal(b[K - 47], 0x02);

	assert_int_equal(robot_block(ROBOT_V_GOOD, 0x0303, rnd, 63, b), -1);
	assert_int_equal(robot_block(ROBOT_V_LAST, 0x0303, rnd, K, b), -1);
}

/* OpenSSL's raw RSA decrypts what raw RSA encrypted: the block survives unchanged. */
static void
test_rsa_round_trip(void **state)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	EVP_PKEY_CTX *c;
	uint8_t rnd[K], b[K], enc[K], dec[K];
	size_t n = K;

	(void)state;
	assert_non_null(k);
	rnd_fill(rnd, sizeof(rnd));
	assert_int_equal(robot_block(ROBOT_V_ZERO_LATE, 0x0303, rnd, K, b), 0);
	c = EVP_PKEY_CTX_new(k, NULL);
	assert_true(EVP_PKEY_encrypt_init(c) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) > 0);
	assert_true(EVP_PKEY_encrypt(c, enc, &n, b, K) > 0);
	EVP_PKEY_CTX_free(c);
	c = EVP_PKEY_CTX_new(k, NULL);
	assert_true(EVP_PKEY_decrypt_init(c) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) > 0);
	n = K;
	assert_true(EVP_PKEY_decrypt(c, dec, &n, enc, K) > 0);
	assert_int_equal(n, K);
	assert_memory_equal(dec, b, K);
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(k);
}

static void
test_flight(void **state)
{
	uint8_t enc[K], fin[40];
	struct dbuf d;

	(void)state;
	memset(enc, 0xab, sizeof(enc));
	memset(fin, 0xcd, sizeof(fin));
	dbuf_init(&d, 4096);
	assert_int_equal(robot_flight(&d, 0x0303, enc, K, fin), 0);
	/* handshake record: type 16, length K + 2, then the 2-byte vector length */
	assert_int_equal(d.len, 5 + 4 + 2 + K + 6 + 5 + 40);
	assert_int_equal(d.data[0], 22);
	assert_int_equal(d.data[5], 16);
	assert_int_equal(d.data[6] << 16 | d.data[7] << 8 | d.data[8], K + 2);
	assert_int_equal(d.data[9] << 8 | d.data[10], K);
	assert_int_equal(d.data[5 + 4 + 2 + K], 20);		/* ChangeCipherSpec */
	assert_int_equal(d.data[5 + 4 + 2 + K + 5], 1);
	assert_int_equal(d.data[5 + 4 + 2 + K + 6], 22);	/* "Finished" */
	dbuf_free(&d);

	dbuf_init(&d, 256);
	assert_int_equal(ccs_records(&d, 0x0301,
	    (const uint8_t *)"0123456789012345678901234567890123456789012345678"), 0);
	assert_int_equal(d.len, 6 + 5 + 48);
	assert_memory_equal(d.data, "\x14\x03\x01\x00\x01\x01\x16\x03\x01\x00\x30", 11);
	dbuf_free(&d);
}

static void
reaction(struct rawhs_reaction *r, const char *bytes, size_t n, enum conv_end end)
{
	r->end = end;
	rawhs_reaction_parse((const uint8_t *)bytes, n, r);
}

#define ALERT(d)	"\x15\x03\x03\x00\x02\x02" d
#define A_MAC		ALERT("\x14")
#define A_HSF		ALERT("\x28")

static void
test_reaction_parse(void **state)
{
	struct rawhs_reaction r, s;
	char buf[128];

	(void)state;
	reaction(&r, A_MAC, 7, CONV_EOF);
	assert_int_equal(r.nrecords, 1);
	assert_int_equal(rawhs_reaction_fatal(&r), 20);
	assert_int_equal(r.end, CONV_EOF);
	rawhs_reaction_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "alert fatal bad_record_mac, then closed");

	reaction(&s, A_MAC, 7, CONV_DATA);
	assert_false(rawhs_reaction_equal(&r, &s));	/* closed vs left open */
	reaction(&s, A_MAC, 7, CONV_EOF);
	assert_true(rawhs_reaction_equal(&r, &s));
	reaction(&s, A_HSF, 7, CONV_EOF);
	assert_false(rawhs_reaction_equal(&r, &s));

	reaction(&r, A_MAC "\x15\x03", 9, CONV_TIMEOUT);
	assert_int_equal(r.nrecords, 1);
	assert_true(r.partial);
	reaction(&r, "220 hello", 9, CONV_EOF);
	assert_true(r.not_tls);
	assert_int_equal(rawhs_reaction_fatal(&r), -1);
	reaction(&r, "", 0, CONV_TIMEOUT);
	rawhs_reaction_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "nothing, then silence");
	/* a warning alert is no fatal one */
	reaction(&r, "\x15\x03\x03\x00\x02\x01\x64", 7, CONV_DATA);
	assert_int_equal(rawhs_reaction_fatal(&r), -1);
	rawhs_reaction_format(&r, buf, 8);	/* truncated, still terminated */
	assert_true(strlen(buf) < 8);
}

static void
set_round(struct rawhs_reaction r[ROBOT_V_LAST], const char *good, const char *bad_prefix,
    const char *zero_late, const char *no_zero, const char *bad_version)
{
	const char *v[ROBOT_V_LAST] = { good, bad_prefix, zero_late, no_zero, bad_version };
	int i;

	for (i = 0; i < ROBOT_V_LAST; i++)
		reaction(&r[i], v[i], 7, CONV_EOF);
}

static void
test_decide(void **state)
{
	struct rawhs_reaction r[ROBOT_ROUNDS][ROBOT_V_LAST];

	(void)state;
	memset(r, 0, sizeof(r));
	set_round(r[0], A_MAC, A_MAC, A_MAC, A_MAC, A_MAC);
	assert_int_equal(robot_decide(r, 1), ROBOT_NOT_VULNERABLE);
	/* strong: the leading 00 02 is all that is checked */
	set_round(r[0], A_MAC, A_HSF, A_MAC, A_MAC, A_MAC);
	assert_int_equal(robot_decide(r, 1), ROBOT_INCONCLUSIVE);	/* not yet repeated */
	set_round(r[1], A_MAC, A_HSF, A_MAC, A_MAC, A_MAC);
	assert_int_equal(robot_decide(r, 2), ROBOT_STRONG_ORACLE);
	/* weak: only the conformant blocks reach the Finished */
	set_round(r[0], A_MAC, A_HSF, A_HSF, A_HSF, A_MAC);
	set_round(r[1], A_MAC, A_HSF, A_HSF, A_HSF, A_MAC);
	assert_int_equal(robot_decide(r, 2), ROBOT_WEAK_ORACLE);
	/* noise: round 2 disagrees */
	set_round(r[1], A_MAC, A_MAC, A_HSF, A_HSF, A_MAC);
	assert_int_equal(robot_decide(r, 2), ROBOT_INCONCLUSIVE);
	assert_string_equal(robot_result_name(ROBOT_STRONG_ORACLE), "vulnerable_strong_oracle");
	assert_string_equal(robot_variant_name(ROBOT_V_NO_ZERO), "no_zero");
	assert_string_equal(robot_result_name(ROBOT_LAST), "?");
}

static void
test_ccs_judge(void **state)
{
	struct rawhs_reaction r;

	(void)state;
	reaction(&r, ALERT("\x0a"), 7, CONV_EOF);		/* unexpected_message */
	assert_int_equal(ccs_judge(&r), CCS_NOT_VULNERABLE);
	reaction(&r, A_MAC, 7, CONV_EOF);			/* the junk record failed its MAC */
	assert_int_equal(ccs_judge(&r), CCS_VULNERABLE);
	reaction(&r, ALERT("\x15"), 7, CONV_DATA);		/* decryption_failed */
	assert_int_equal(ccs_judge(&r), CCS_VULNERABLE);
	reaction(&r, A_HSF, 7, CONV_EOF);
	assert_int_equal(ccs_judge(&r), CCS_NOT_VULNERABLE);
	reaction(&r, "", 0, CONV_EOF);
	assert_int_equal(ccs_judge(&r), CCS_NOT_VULNERABLE);
	reaction(&r, "", 0, CONV_TIMEOUT);
	assert_int_equal(ccs_judge(&r), CCS_INCONCLUSIVE);
	reaction(&r, "garbage", 7, CONV_EOF);
	assert_int_equal(ccs_judge(&r), CCS_INCONCLUSIVE);
	assert_string_equal(ccs_result_name(CCS_VULNERABLE), "vulnerable");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_rsa_round_trip),
		cmocka_unit_test(test_flight),
		cmocka_unit_test(test_reaction_parse),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_ccs_judge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
