/*
 * test_weak.c — weaknesses read off hand-built tlsenum reports: a clean modern server, a
 * museum piece with every flag, the detail strings, the name table, truncation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "scan/tlsenum.h"
#include "scan/weak.h"
#include "tls/cipher.h"

static void
add(struct tlsenum_report *r, enum tlsenum_version v, const uint16_t *s, size_t n)
{
	r->v[v].supported = TLSENUM_YES;
	memcpy(r->v[v].suites, s, n * sizeof(*s));
	r->v[v].nsuites = n;
	r->any_supported = 1;
	if (v > r->max_version)
		r->max_version = v;
}

static void
test_modern(void **state)
{
	static const uint16_t s13[] = { 0x1301, 0x1302 }, s12[] = { 0xc02f, 0xc030, 0xcca8 };
	struct tlsenum_report r;
	struct weak_result w;

	(void)state;
	memset(&r, 0, sizeof(r));
	add(&r, TLSENUM_TLS13, s13, 2);
	add(&r, TLSENUM_TLS12, s12, 3);
	r.secure_reneg = TLSENUM_YES;
	r.fallback_scsv = TLSENUM_YES;
	r.compression = TLSENUM_NO;
	weak_assess(&r, &w);
	assert_int_equal(w.flags, 0);
	assert_string_equal(w.detail[WEAK_CIPHER_RC4], "");
}

static void
test_museum(void **state)
{
	static const uint16_t s[] = { 0x0001, 0x0003, 0x0005, 0x000a, 0x0018, 0x0033 };
	static const uint16_t s10[] = { 0x0005, 0x002f };
	struct tlsenum_report r;
	struct weak_result w;
	int i;

	(void)state;
	memset(&r, 0, sizeof(r));
	add(&r, TLSENUM_SSL3, s, 6);
	add(&r, TLSENUM_TLS10, s10, 2);
	r.v[TLSENUM_SSL2].supported = TLSENUM_YES;
	r.v[TLSENUM_SSL2].sslv2_specs[0] = 0x010080;
	r.v[TLSENUM_SSL2].sslv2_specs[1] = 0x020080;
	r.v[TLSENUM_SSL2].sslv2_specs[2] = 0x0700c0;
	r.v[TLSENUM_SSL2].nsslv2_specs = 3;
	r.kx[0].kx = CIPHER_KX_DHE;
	r.kx[0].version = TLSENUM_SSL3;
	r.kx[0].bits = 1024;
	r.nkx = 1;
	r.dh_min_bits = 1024;
	r.compression = TLSENUM_YES;
	r.v[TLSENUM_TLS10].compression = 1;
	r.secure_reneg = TLSENUM_NO;
	r.v[TLSENUM_TLS10].hellos = 2;
	r.fallback_scsv = TLSENUM_NO;
	weak_assess(&r, &w);

	for (i = 0; i < WEAK_LAST; i++)
		if (i != WEAK_TLS_V1_1)
			assert_true(weak_has(&w, i));
	assert_false(weak_has(&w, WEAK_TLS_V1_1));
	assert_string_equal(w.detail[WEAK_CIPHER_RC4],
	    "TLS_RSA_WITH_RC4_128_SHA (TLSv1.0 SSLv3); TLS_RSA_EXPORT_WITH_RC4_40_MD5 (SSLv3); "
	    "TLS_DH_anon_WITH_RC4_128_MD5 (SSLv3); SSL_CK_RC4_128_WITH_MD5 (SSLv2); "
	    "SSL_CK_RC4_128_EXPORT40_WITH_MD5 (SSLv2)");
	assert_string_equal(w.detail[WEAK_CIPHER_3DES],
	    "TLS_RSA_WITH_3DES_EDE_CBC_SHA (SSLv3); SSL_CK_DES_192_EDE3_CBC_WITH_MD5 (SSLv2)");
	assert_string_equal(w.detail[WEAK_CIPHER_NULL], "TLS_RSA_WITH_NULL_MD5 (SSLv3)");
	assert_string_equal(w.detail[WEAK_TLS_NO_MODERN], "highest version TLSv1.0");
	assert_string_equal(w.detail[WEAK_KX_DH_WEAK], "1024-bit DH group at SSLv3");
	assert_string_equal(w.detail[WEAK_TLS_COMPRESSION], "DEFLATE accepted at TLSv1.0");
	assert_string_equal(w.detail[WEAK_TLS_INSECURE_RENEG],
	    "no renegotiation_info in TLSv1.0 ServerHellos");
	assert_string_equal(w.detail[WEAK_TLS_NO_FALLBACK_SCSV], "a SSLv3 hello with "
	    "TLS_FALLBACK_SCSV was accepted although TLSv1.0 is supported");
	assert_non_null(strstr(w.detail[WEAK_KX_NO_PFS], "TLS_RSA_WITH_AES_128_CBC_SHA (TLSv1.0)"));
	assert_null(strstr(w.detail[WEAK_KX_NO_PFS], "DHE_RSA"));
	assert_string_equal(w.detail[WEAK_TLS_SSLV2], "SSLv2 accepted (3 cipher kinds)");
}

static void
test_no_aead_and_nothing(void **state)
{
	static const uint16_t s[] = { 0xc013, 0xc014 };
	struct tlsenum_report r;
	struct weak_result w;

	(void)state;
	memset(&r, 0, sizeof(r));
	weak_assess(&r, &w);		/* nothing accepted: nothing to flag here */
	assert_int_equal(w.flags, 0);
	add(&r, TLSENUM_TLS12, s, 2);
	weak_assess(&r, &w);
	assert_int_equal(w.flags, WEAK_BIT(WEAK_CIPHER_NO_AEAD));
	assert_non_null(strstr(w.detail[WEAK_CIPHER_NO_AEAD], "none of 2"));
}

static void
test_truncation(void **state)
{
	struct tlsenum_report r;
	struct weak_result w;
	const struct cipher_suite *cs;
	size_t i, n = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < cipher_count() && n < TLSENUM_MAX_SUITES; i++)
		if ((cs = cipher_at(i)) != NULL && (cs->flags & CIPHER_F_EXPORT))
			r.v[TLSENUM_TLS10].suites[n++] = cs->code;
	r.v[TLSENUM_TLS10].nsuites = n;
	r.v[TLSENUM_TLS10].supported = TLSENUM_YES;
	r.any_supported = 1;
	r.max_version = TLSENUM_TLS10;
	weak_assess(&r, &w);
	assert_true(strlen(w.detail[WEAK_CIPHER_EXPORT]) < WEAK_DETAIL_MAX);
	assert_non_null(strstr(w.detail[WEAK_CIPHER_EXPORT], "..."));
}

static void
test_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < WEAK_LAST; i++)
		assert_int_equal(weak_by_name(weak_name(i)), i);
	assert_string_equal(weak_name(WEAK_TLS_INSECURE_RENEG), "tls.insecure_renegotiation");
	assert_string_equal(weak_name(WEAK_LAST), "?");
	assert_int_equal(weak_by_name("tls.nope"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modern),
		cmocka_unit_test(test_museum),
		cmocka_unit_test(test_no_aead_and_nothing),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
