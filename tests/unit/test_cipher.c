/*
 * test_cipher.c — the generated cipher table and its look-ups.
 *
 * Table-driven: a row per suite whose attributes we know by heart, then invariants that must
 * hold for every row (the strength rules of tools/gen-ciphers.py, sort order, the hello lists).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tls/cipher.h"

struct want {
	uint16_t		 code;
	const char		*name;
	enum cipher_kx		 kx;
	enum cipher_auth	 auth;
	enum cipher_enc		 enc;
	enum cipher_mode	 mode;
	enum cipher_mac		 mac;
	unsigned int		 bits;
	unsigned int		 flags;		/* these must be set (others may be too) */
	enum cipher_strength	 strength;
};

static const struct want wants[] = {
	{ 0x0000, "TLS_NULL_WITH_NULL_NULL", CIPHER_KX_NULL, CIPHER_AUTH_NULL, CIPHER_ENC_NULL,
	  CIPHER_MODE_NONE, CIPHER_MAC_NULL, 0, CIPHER_F_NULL, CIPHER_STRENGTH_INSECURE },
	{ 0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", CIPHER_KX_RSA, CIPHER_AUTH_RSA, CIPHER_ENC_RC4,
	  CIPHER_MODE_STREAM, CIPHER_MAC_MD5, 40, CIPHER_F_EXPORT, CIPHER_STRENGTH_INSECURE },
	{ 0x0005, "TLS_RSA_WITH_RC4_128_SHA", CIPHER_KX_RSA, CIPHER_AUTH_RSA, CIPHER_ENC_RC4,
	  CIPHER_MODE_STREAM, CIPHER_MAC_SHA1, 128, 0, CIPHER_STRENGTH_INSECURE },
	{ 0x0009, "TLS_RSA_WITH_DES_CBC_SHA", CIPHER_KX_RSA, CIPHER_AUTH_RSA, CIPHER_ENC_DES,
	  CIPHER_MODE_CBC, CIPHER_MAC_SHA1, 56, CIPHER_F_BLOCK64, CIPHER_STRENGTH_INSECURE },
	{ 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", CIPHER_KX_RSA, CIPHER_AUTH_RSA, CIPHER_ENC_3DES,
	  CIPHER_MODE_CBC, CIPHER_MAC_SHA1, 168, CIPHER_F_BLOCK64, CIPHER_STRENGTH_WEAK },
	{ 0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", CIPHER_KX_DHE, CIPHER_AUTH_ANON, CIPHER_ENC_RC4,
	  CIPHER_MODE_STREAM, CIPHER_MAC_MD5, 128, CIPHER_F_ANON, CIPHER_STRENGTH_INSECURE },
	{ 0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", CIPHER_KX_RSA, CIPHER_AUTH_RSA, CIPHER_ENC_AES,
	  CIPHER_MODE_CBC, CIPHER_MAC_SHA1, 128, 0, CIPHER_STRENGTH_MEDIUM },
	{ 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", CIPHER_KX_DHE, CIPHER_AUTH_RSA, CIPHER_ENC_AES,
	  CIPHER_MODE_CBC, CIPHER_MAC_SHA1, 128, CIPHER_F_PFS, CIPHER_STRENGTH_MEDIUM },
	{ 0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", CIPHER_KX_DHE, CIPHER_AUTH_RSA,
	  CIPHER_ENC_AES, CIPHER_MODE_GCM, CIPHER_MAC_AEAD, 128, CIPHER_F_PFS | CIPHER_F_AEAD,
	  CIPHER_STRENGTH_STRONG },
	{ 0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", CIPHER_KX_NULL, CIPHER_AUTH_NULL,
	  CIPHER_ENC_NULL, CIPHER_MODE_NONE, CIPHER_MAC_NULL, 0, CIPHER_F_SCSV,
	  CIPHER_STRENGTH_NONE },
	{ 0x1301, "TLS_AES_128_GCM_SHA256", CIPHER_KX_TLS13, CIPHER_AUTH_TLS13, CIPHER_ENC_AES,
	  CIPHER_MODE_GCM, CIPHER_MAC_AEAD, 128, CIPHER_F_TLS13 | CIPHER_F_AEAD | CIPHER_F_PFS,
	  CIPHER_STRENGTH_STRONG },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256", CIPHER_KX_TLS13, CIPHER_AUTH_TLS13,
	  CIPHER_ENC_CHACHA20, CIPHER_MODE_POLY1305, CIPHER_MAC_AEAD, 256, CIPHER_F_TLS13,
	  CIPHER_STRENGTH_STRONG },
	{ 0x1305, "TLS_AES_128_CCM_8_SHA256", CIPHER_KX_TLS13, CIPHER_AUTH_TLS13, CIPHER_ENC_AES,
	  CIPHER_MODE_CCM8, CIPHER_MAC_AEAD, 128, CIPHER_F_TLS13, CIPHER_STRENGTH_MEDIUM },
	{ 0x5600, "TLS_FALLBACK_SCSV", CIPHER_KX_NULL, CIPHER_AUTH_NULL, CIPHER_ENC_NULL,
	  CIPHER_MODE_NONE, CIPHER_MAC_NULL, 0, CIPHER_F_SCSV, CIPHER_STRENGTH_NONE },
	{ 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", CIPHER_KX_ECDHE, CIPHER_AUTH_RSA,
	  CIPHER_ENC_AES, CIPHER_MODE_CBC, CIPHER_MAC_SHA1, 128, CIPHER_F_PFS,
	  CIPHER_STRENGTH_MEDIUM },
	{ 0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", CIPHER_KX_ECDHE, CIPHER_AUTH_ANON,
	  CIPHER_ENC_AES, CIPHER_MODE_CBC, CIPHER_MAC_SHA1, 128, CIPHER_F_ANON,
	  CIPHER_STRENGTH_INSECURE },
	{ 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", CIPHER_KX_ECDHE, CIPHER_AUTH_ECDSA,
	  CIPHER_ENC_AES, CIPHER_MODE_GCM, CIPHER_MAC_AEAD, 256, CIPHER_F_PFS | CIPHER_F_AEAD,
	  CIPHER_STRENGTH_STRONG },
	{ 0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8", CIPHER_KX_DHE_PSK, CIPHER_AUTH_PSK,
	  CIPHER_ENC_AES, CIPHER_MODE_CCM8, CIPHER_MAC_AEAD, 128, CIPHER_F_PFS,
	  CIPHER_STRENGTH_MEDIUM },
	{ 0xc0b4, "TLS_SHA256_SHA256", CIPHER_KX_TLS13, CIPHER_AUTH_TLS13, CIPHER_ENC_NULL,
	  CIPHER_MODE_NONE, CIPHER_MAC_SHA256, 0, CIPHER_F_TLS13 | CIPHER_F_NULL,
	  CIPHER_STRENGTH_INSECURE },
	{ 0xc102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT", CIPHER_KX_GOST, CIPHER_AUTH_GOST,
	  CIPHER_ENC_GOST28147, CIPHER_MODE_CTR, CIPHER_MAC_IMIT, 256, CIPHER_F_BLOCK64,
	  CIPHER_STRENGTH_WEAK },
	{ 0xc103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", CIPHER_KX_TLS13, CIPHER_AUTH_TLS13,
	  CIPHER_ENC_KUZNYECHIK, CIPHER_MODE_MGM, CIPHER_MAC_AEAD, 256, CIPHER_F_TLS13,
	  CIPHER_STRENGTH_STRONG },
	{ 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", CIPHER_KX_ECDHE,
	  CIPHER_AUTH_ECDSA, CIPHER_ENC_CHACHA20, CIPHER_MODE_POLY1305, CIPHER_MAC_AEAD, 256,
	  CIPHER_F_PFS | CIPHER_F_AEAD | CIPHER_F_RECOMMENDED, CIPHER_STRENGTH_STRONG },
	{ 0x00c6, "TLS_SM4_GCM_SM3", CIPHER_KX_TLS13, CIPHER_AUTH_TLS13, CIPHER_ENC_SM4,
	  CIPHER_MODE_GCM, CIPHER_MAC_AEAD, 128, CIPHER_F_TLS13, CIPHER_STRENGTH_STRONG },
};

static void
test_known_rows(void **state)
{
	const struct cipher_suite *cs;
	size_t i;

	for (i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];

		cs = cipher_by_code(w->code);
		assert_non_null(cs);
		assert_string_equal(cs->name, w->name);
		assert_int_equal(cs->kx, w->kx);
		assert_int_equal(cs->auth, w->auth);
		assert_int_equal(cs->enc, w->enc);
		assert_int_equal(cs->mode, w->mode);
		assert_int_equal(cs->mac, w->mac);
		assert_int_equal(cs->key_bits, w->bits);
		assert_int_equal(cs->flags & w->flags, w->flags);
		assert_int_equal(cs->strength, w->strength);
		assert_ptr_equal(cipher_by_name(w->name), cs);
	}
}

static void
test_lookups(void **state)
{
	assert_null(cipher_by_code(0x0a0a));	/* GREASE, RFC 8701: reserved */
	assert_null(cipher_by_code(0xffff));	/* private use */
	assert_null(cipher_by_code(0x001c));	/* reserved to avoid SSLv3 conflicts */
	assert_null(cipher_by_name("TLS_NO_SUCH_SUITE"));
	assert_null(cipher_by_name(NULL));
	assert_non_null(cipher_by_name("tls_rsa_with_aes_128_cbc_sha"));
	assert_null(cipher_at(cipher_count()));
	assert_ptr_equal(cipher_at(0), cipher_by_code(0x0000));
	/* the registry snapshot in data/ (352) + the seven EXPORT1024-era suites IANA never assigned */
	assert_int_equal(cipher_count(), 359);
	assert_non_null(cipher_by_code(0x0062));
	assert_true(cipher_by_code(0x0064)->flags & CIPHER_F_EXPORT);
}

static void
test_invariants(void **state)
{
	const struct cipher_suite *cs, *prev = NULL;
	size_t i;

	for (i = 0; i < cipher_count(); i++, prev = cs) {
		cs = cipher_at(i);
		assert_non_null(cs);
		if (prev != NULL)
			assert_true(prev->code < cs->code);
		assert_ptr_equal(cipher_by_code(cs->code), cs);
		assert_true(strncmp(cs->name, "TLS_", 4) == 0);
		if (cs->flags & CIPHER_F_SCSV) {
			assert_int_equal(cs->strength, CIPHER_STRENGTH_NONE);
			continue;
		}
		assert_int_not_equal(cs->strength, CIPHER_STRENGTH_NONE);
		if (cs->flags & (CIPHER_F_EXPORT | CIPHER_F_ANON | CIPHER_F_NULL))
			assert_int_equal(cs->strength, CIPHER_STRENGTH_INSECURE);
		if (cs->strength == CIPHER_STRENGTH_STRONG) {
			assert_true(cs->flags & CIPHER_F_PFS);
			assert_true(cs->flags & CIPHER_F_AEAD);
			assert_true(cs->key_bits >= 128);
		}
		if (cs->flags & CIPHER_F_AEAD)
			assert_int_equal(cs->mac, CIPHER_MAC_AEAD);
		if (cs->flags & CIPHER_F_TLS13)
			assert_int_equal(cs->kx, CIPHER_KX_TLS13);
		assert_string_not_equal(cipher_kx_name(cs->kx), "?");
		assert_string_not_equal(cipher_auth_name(cs->auth), "?");
		assert_string_not_equal(cipher_enc_name(cs->enc), "?");
		assert_string_not_equal(cipher_mode_name(cs->mode), "?");
		assert_string_not_equal(cipher_mac_name(cs->mac), "?");
		assert_string_not_equal(cipher_prf_name(cs->prf), "?");
		assert_string_not_equal(cipher_strength_name(cs->strength), "?");
	}
}

static void
test_names(void **state)
{
	assert_string_equal(cipher_kx_name(CIPHER_KX_ECDHE), "ECDHE");
	assert_string_equal(cipher_auth_name(CIPHER_AUTH_ANON), "ANON");
	assert_string_equal(cipher_enc_name(CIPHER_ENC_3DES), "3DES");
	assert_string_equal(cipher_mode_name(CIPHER_MODE_CCM8), "CCM8");
	assert_string_equal(cipher_mac_name(CIPHER_MAC_AEAD), "AEAD");
	assert_string_equal(cipher_strength_name(CIPHER_STRENGTH_WEAK), "weak");
	assert_string_equal(cipher_kx_name(CIPHER_KX_LAST), "?");
	assert_string_equal(cipher_strength_name((enum cipher_strength)99), "?");
}

static void
test_lists(void **state)
{
	const struct cipher_suite *cs;
	const uint16_t *l;
	size_t n, n13, i;
	int saw1301 = 0;

	l = cipher_list_tls13(&n);
	assert_int_equal(n, 15);
	for (i = 0; i < n; i++) {
		cs = cipher_by_code(l[i]);
		assert_non_null(cs);
		assert_true(cs->flags & CIPHER_F_TLS13);
		saw1301 |= l[i] == 0x1301;
	}
	assert_true(saw1301);

	l = cipher_list_legacy(&n);
	assert_true(n > 300);
	for (i = 0; i < n; i++) {
		cs = cipher_by_code(l[i]);
		assert_non_null(cs);
		assert_false(cs->flags & (CIPHER_F_TLS13 | CIPHER_F_SCSV));
		assert_int_not_equal(l[i], 0);
	}
	/* Every suite is in exactly one list, or is an SCSV, or NULL_WITH_NULL_NULL. */
	cipher_list_tls13(&n13);
	assert_int_equal(n + n13 + 2 + 1, cipher_count());
}

static void
test_sslv2(void **state)
{
	const struct cipher_sslv2 *v2;
	const uint32_t *l;
	size_t n;

	assert_int_equal(cipher_sslv2_count(), 7);
	l = cipher_list_sslv2(&n);
	assert_int_equal(n, 7);
	assert_int_equal(l[0], 0x010080);
	v2 = cipher_sslv2_by_code(0x0700c0);
	assert_non_null(v2);
	assert_string_equal(v2->name, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5");
	assert_int_equal(v2->enc, CIPHER_ENC_3DES);
	assert_int_equal(v2->key_bits, 168);
	v2 = cipher_sslv2_by_code(0x020080);
	assert_non_null(v2);
	assert_true(v2->flags & CIPHER_F_EXPORT);
	assert_int_equal(v2->key_bits, 40);
	assert_int_equal(v2->strength, CIPHER_STRENGTH_INSECURE);
	assert_null(cipher_sslv2_by_code(0x080080));
	assert_null(cipher_sslv2_at(7));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_rows),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_invariants),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_sslv2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
