/*
 * cipher.c — look-ups and name tables over the generated cipher table (cipher_table.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <strings.h>

#include "tls/cipher.h"

static const char *const cipher_kx_names[CIPHER_KX_LAST] = {
	[CIPHER_KX_NULL] = "NULL",
	[CIPHER_KX_RSA] = "RSA",
	[CIPHER_KX_DH] = "DH",
	[CIPHER_KX_DHE] = "DHE",
	[CIPHER_KX_ECDH] = "ECDH",
	[CIPHER_KX_ECDHE] = "ECDHE",
	[CIPHER_KX_PSK] = "PSK",
	[CIPHER_KX_DHE_PSK] = "DHE_PSK",
	[CIPHER_KX_ECDHE_PSK] = "ECDHE_PSK",
	[CIPHER_KX_RSA_PSK] = "RSA_PSK",
	[CIPHER_KX_SRP] = "SRP",
	[CIPHER_KX_KRB5] = "KRB5",
	[CIPHER_KX_ECCPWD] = "ECCPWD",
	[CIPHER_KX_GOST] = "GOST",
	[CIPHER_KX_TLS13] = "TLS13",
};

static const char *const cipher_auth_names[CIPHER_AUTH_LAST] = {
	[CIPHER_AUTH_NULL] = "NULL",
	[CIPHER_AUTH_RSA] = "RSA",
	[CIPHER_AUTH_DSS] = "DSS",
	[CIPHER_AUTH_ECDSA] = "ECDSA",
	[CIPHER_AUTH_ANON] = "ANON",
	[CIPHER_AUTH_PSK] = "PSK",
	[CIPHER_AUTH_SRP] = "SRP",
	[CIPHER_AUTH_KRB5] = "KRB5",
	[CIPHER_AUTH_ECCPWD] = "ECCPWD",
	[CIPHER_AUTH_GOST] = "GOST",
	[CIPHER_AUTH_TLS13] = "TLS13",
};

static const char *const cipher_enc_names[CIPHER_ENC_LAST] = {
	[CIPHER_ENC_NULL] = "NULL",
	[CIPHER_ENC_RC4] = "RC4",
	[CIPHER_ENC_RC2] = "RC2",
	[CIPHER_ENC_DES] = "DES",
	[CIPHER_ENC_3DES] = "3DES",
	[CIPHER_ENC_IDEA] = "IDEA",
	[CIPHER_ENC_SEED] = "SEED",
	[CIPHER_ENC_AES] = "AES",
	[CIPHER_ENC_CAMELLIA] = "CAMELLIA",
	[CIPHER_ENC_ARIA] = "ARIA",
	[CIPHER_ENC_CHACHA20] = "CHACHA20",
	[CIPHER_ENC_SM4] = "SM4",
	[CIPHER_ENC_AEGIS] = "AEGIS",
	[CIPHER_ENC_GOST28147] = "GOST28147",
	[CIPHER_ENC_MAGMA] = "MAGMA",
	[CIPHER_ENC_KUZNYECHIK] = "KUZNYECHIK",
};

static const char *const cipher_mode_names[CIPHER_MODE_LAST] = {
	[CIPHER_MODE_NONE] = "NONE",
	[CIPHER_MODE_STREAM] = "STREAM",
	[CIPHER_MODE_CBC] = "CBC",
	[CIPHER_MODE_CTR] = "CTR",
	[CIPHER_MODE_GCM] = "GCM",
	[CIPHER_MODE_CCM] = "CCM",
	[CIPHER_MODE_CCM8] = "CCM8",
	[CIPHER_MODE_POLY1305] = "POLY1305",
	[CIPHER_MODE_MGM] = "MGM",
	[CIPHER_MODE_AEGIS] = "AEGIS",
};

static const char *const cipher_mac_names[CIPHER_MAC_LAST] = {
	[CIPHER_MAC_NULL] = "NULL",
	[CIPHER_MAC_MD5] = "MD5",
	[CIPHER_MAC_SHA1] = "SHA1",
	[CIPHER_MAC_SHA256] = "SHA256",
	[CIPHER_MAC_SHA384] = "SHA384",
	[CIPHER_MAC_AEAD] = "AEAD",
	[CIPHER_MAC_OMAC] = "OMAC",
	[CIPHER_MAC_IMIT] = "IMIT",
};

static const char *const cipher_prf_names[CIPHER_PRF_LAST] = {
	[CIPHER_PRF_DEFAULT] = "DEFAULT",
	[CIPHER_PRF_SHA256] = "SHA256",
	[CIPHER_PRF_SHA384] = "SHA384",
	[CIPHER_PRF_SM3] = "SM3",
	[CIPHER_PRF_STREEBOG256] = "STREEBOG256",
};

static const char *const cipher_strength_names[CIPHER_STRENGTH_LAST] = {
	[CIPHER_STRENGTH_NONE] = "none",
	[CIPHER_STRENGTH_INSECURE] = "insecure",
	[CIPHER_STRENGTH_WEAK] = "weak",
	[CIPHER_STRENGTH_MEDIUM] = "medium",
	[CIPHER_STRENGTH_STRONG] = "strong",
};

/* One guard for every table: out of range (a corrupted or future value) reads as "?". */
static const char *
cipher_name_in(const char *const *tab, size_t n, unsigned int v)
{
	if (v >= n || tab[v] == NULL)
		return "?";
	return tab[v];
}

#define CIPHER_NAME_FN(fn, type, tab)					\
const char *								\
fn(type v)								\
{									\
	return cipher_name_in(tab, sizeof(tab) / sizeof(tab[0]),	\
	    (unsigned int)v);						\
}

CIPHER_NAME_FN(cipher_kx_name, enum cipher_kx, cipher_kx_names)
CIPHER_NAME_FN(cipher_auth_name, enum cipher_auth, cipher_auth_names)
CIPHER_NAME_FN(cipher_enc_name, enum cipher_enc, cipher_enc_names)
CIPHER_NAME_FN(cipher_mode_name, enum cipher_mode, cipher_mode_names)
CIPHER_NAME_FN(cipher_mac_name, enum cipher_mac, cipher_mac_names)
CIPHER_NAME_FN(cipher_prf_name, enum cipher_prf, cipher_prf_names)
CIPHER_NAME_FN(cipher_strength_name, enum cipher_strength, cipher_strength_names)

/* Binary search: the generator sorts the table by code. */
const struct cipher_suite *
cipher_by_code(uint16_t code)
{
	size_t lo = 0, hi = cipher_table_len, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cipher_table[mid].code == code)
			return &cipher_table[mid];
		if (cipher_table[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Linear: names are looked up from configuration and tests, never per packet. */
const struct cipher_suite *
cipher_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < cipher_table_len; i++)
		if (strcasecmp(cipher_table[i].name, name) == 0)
			return &cipher_table[i];
	return NULL;
}

const struct cipher_sslv2 *
cipher_sslv2_by_code(uint32_t code)
{
	size_t i;

	for (i = 0; i < cipher_sslv2_table_len; i++)
		if (cipher_sslv2_table[i].code == code)
			return &cipher_sslv2_table[i];
	return NULL;
}

size_t
cipher_count(void)
{
	return cipher_table_len;
}

const struct cipher_suite *
cipher_at(size_t i)
{
	return i < cipher_table_len ? &cipher_table[i] : NULL;
}

size_t
cipher_sslv2_count(void)
{
	return cipher_sslv2_table_len;
}

const struct cipher_sslv2 *
cipher_sslv2_at(size_t i)
{
	return i < cipher_sslv2_table_len ? &cipher_sslv2_table[i] : NULL;
}

const uint16_t *
cipher_list_tls13(size_t *n)
{
	*n = cipher_tls13_codes_len;
	return cipher_tls13_codes;
}

const uint16_t *
cipher_list_legacy(size_t *n)
{
	*n = cipher_legacy_codes_len;
	return cipher_legacy_codes;
}

const uint32_t *
cipher_list_sslv2(size_t *n)
{
	*n = cipher_sslv2_codes_len;
	return cipher_sslv2_codes;
}
