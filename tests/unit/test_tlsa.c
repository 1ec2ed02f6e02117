/*
 * test_tlsa.c — TLSA RDATA parsing, SMTP usability, presentation and rollover health.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dns/tlsa.h"

/*
 * What follows the three fixed octets.  The DER objects are made once, at test time, with
 * OpenSSL (tlsa_fixture_setup): a self-signed P-256 certificate and its SubjectPublicKeyInfo.
 */
enum tlsa_data {
	D_SEQ = 0,		/* dlen octets 0x00, 0x01, … */
	D_CERT,			/* the DER certificate */
	D_CERT_TRAIL,		/* the certificate and one octet more */
	D_CERT_TRUNC,		/* the certificate less its last octet */
	D_CERT_BADKEY,		/* the certificate with an unknown public-key algorithm */
	D_SPKI,			/* the DER SubjectPublicKeyInfo */
	D_SPKI_TRAIL,
	D_SPKI_TRUNC,
	D_SPKI_ED25519,		/* an Ed25519 SubjectPublicKeyInfo (44 octets) */
};

/* One RDATA: the first hlen of the three fixed octets, then the data. */
struct tlsa_case {
	const char		*name;
	uint8_t			 hdr[3];
	size_t			 hlen;
	enum tlsa_data		 data;
	size_t			 dlen;		/* D_SEQ only */
	enum tlsa_status	 want;
	enum tlsa_smtp		 smtp;
};

#define MAL	TLSA_SMTP_UNUSABLE_MALFORMED

static const struct tlsa_case cases[] = {
	{ "3 1 1 sha256", { 3, 1, 1 }, 3, D_SEQ, 32, TLSA_OK, TLSA_SMTP_USABLE },
	{ "2 1 1 sha256", { 2, 1, 1 }, 3, D_SEQ, 32, TLSA_OK, TLSA_SMTP_USABLE },
	{ "3 0 1 sha256", { 3, 0, 1 }, 3, D_SEQ, 32, TLSA_OK, TLSA_SMTP_USABLE },
	{ "3 1 2 sha512", { 3, 1, 2 }, 3, D_SEQ, 64, TLSA_OK, TLSA_SMTP_USABLE },
	{ "2 0 2 sha512", { 2, 0, 2 }, 3, D_SEQ, 64, TLSA_OK, TLSA_SMTP_USABLE },
	{ "0 0 1 pkix-ta", { 0, 0, 1 }, 3, D_SEQ, 32, TLSA_OK, TLSA_SMTP_UNUSABLE_PKIX },
	{ "1 1 1 pkix-ee", { 1, 1, 1 }, 3, D_SEQ, 32, TLSA_OK, TLSA_SMTP_UNUSABLE_PKIX },
	{ "empty rdata", { 0, 0, 0 }, 0, D_SEQ, 0, TLSA_TOO_SHORT, MAL },
	{ "1 octet", { 3, 0, 0 }, 1, D_SEQ, 0, TLSA_TOO_SHORT, MAL },
	{ "2 octets", { 3, 1, 0 }, 2, D_SEQ, 0, TLSA_TOO_SHORT, MAL },
	{ "header only 3 1 1", { 3, 1, 1 }, 3, D_SEQ, 0, TLSA_BAD_DIGEST_LEN, MAL },
	{ "header only 3 1 0", { 3, 1, 0 }, 3, D_SEQ, 0, TLSA_EMPTY_DATA, MAL },
	{ "header only 2 0 0", { 2, 0, 0 }, 3, D_SEQ, 0, TLSA_EMPTY_DATA, MAL },
	{ "usage 4", { 4, 1, 1 }, 3, D_SEQ, 32, TLSA_BAD_USAGE, MAL },
	{ "usage 255 privcert", { 255, 1, 1 }, 3, D_SEQ, 32, TLSA_BAD_USAGE, MAL },
	{ "selector 2", { 3, 2, 1 }, 3, D_SEQ, 32, TLSA_BAD_SELECTOR, MAL },
	{ "selector 255", { 3, 255, 1 }, 3, D_SEQ, 32, TLSA_BAD_SELECTOR, MAL },
	{ "mtype 3", { 3, 1, 3 }, 3, D_SEQ, 32, TLSA_BAD_MTYPE, MAL },
	{ "mtype 255 privmatch", { 3, 1, 255 }, 3, D_SEQ, 32, TLSA_BAD_MTYPE, MAL },
	{ "sha256 short 31", { 3, 1, 1 }, 3, D_SEQ, 31, TLSA_BAD_DIGEST_LEN, MAL },
	{ "sha256 long 33", { 3, 1, 1 }, 3, D_SEQ, 33, TLSA_BAD_DIGEST_LEN, MAL },
	{ "sha256 given 64", { 3, 1, 1 }, 3, D_SEQ, 64, TLSA_BAD_DIGEST_LEN, MAL },
	{ "sha512 given 32", { 3, 1, 2 }, 3, D_SEQ, 32, TLSA_BAD_DIGEST_LEN, MAL },
	{ "sha512 short 63", { 2, 1, 2 }, 3, D_SEQ, 63, TLSA_BAD_DIGEST_LEN, MAL },
	{ "usage checked first", { 9, 9, 9 }, 3, D_SEQ, 0, TLSA_BAD_USAGE, MAL },
	/* Full(0): the data must decode exactly as SSL_dane_tlsa_add() decodes it. */
	{ "3 0 0 certificate", { 3, 0, 0 }, 3, D_CERT, 0, TLSA_OK, TLSA_SMTP_USABLE },
	{ "2 0 0 certificate", { 2, 0, 0 }, 3, D_CERT, 0, TLSA_OK, TLSA_SMTP_USABLE },
	{ "0 0 0 certificate", { 0, 0, 0 }, 3, D_CERT, 0, TLSA_OK, TLSA_SMTP_UNUSABLE_PKIX },
	{ "3 0 0 garbage", { 3, 0, 0 }, 3, D_SEQ, 700, TLSA_BAD_CERT, MAL },
	{ "2 0 0 garbage", { 2, 0, 0 }, 3, D_SEQ, 700, TLSA_BAD_CERT, MAL },
	{ "3 0 0 one octet", { 3, 0, 0 }, 3, D_SEQ, 1, TLSA_BAD_CERT, MAL },
	{ "3 0 0 cert + trailing", { 3, 0, 0 }, 3, D_CERT_TRAIL, 0, TLSA_BAD_CERT, MAL },
	{ "3 0 0 cert truncated", { 3, 0, 0 }, 3, D_CERT_TRUNC, 0, TLSA_BAD_CERT, MAL },
	{ "3 0 0 spki", { 3, 0, 0 }, 3, D_SPKI, 0, TLSA_BAD_CERT, MAL },
	{ "2 0 0 cert, unknown key", { 2, 0, 0 }, 3, D_CERT_BADKEY, 0, TLSA_BAD_CERT_KEY, MAL },
	{ "3 0 0 cert, unknown key", { 3, 0, 0 }, 3, D_CERT_BADKEY, 0, TLSA_BAD_CERT_KEY, MAL },
	{ "1 0 0 garbage", { 1, 0, 0 }, 3, D_SEQ, 40, TLSA_BAD_CERT, MAL },
	{ "3 1 0 spki", { 3, 1, 0 }, 3, D_SPKI, 0, TLSA_OK, TLSA_SMTP_USABLE },
	{ "2 1 0 spki", { 2, 1, 0 }, 3, D_SPKI, 0, TLSA_OK, TLSA_SMTP_USABLE },
	{ "2 1 0 ed25519 spki", { 2, 1, 0 }, 3, D_SPKI_ED25519, 0, TLSA_OK, TLSA_SMTP_USABLE },
	{ "2 1 0 garbage", { 2, 1, 0 }, 3, D_SEQ, 91, TLSA_BAD_SPKI, MAL },
	{ "3 1 0 one octet", { 3, 1, 0 }, 3, D_SEQ, 1, TLSA_BAD_SPKI, MAL },
	{ "2 1 0 spki + trailing", { 2, 1, 0 }, 3, D_SPKI_TRAIL, 0, TLSA_BAD_SPKI, MAL },
	{ "2 1 0 spki truncated", { 2, 1, 0 }, 3, D_SPKI_TRUNC, 0, TLSA_BAD_SPKI, MAL },
	{ "2 1 0 certificate", { 2, 1, 0 }, 3, D_CERT, 0, TLSA_BAD_SPKI, MAL },
	{ "3 1 0 cert, unknown key", { 3, 1, 0 }, 3, D_CERT_BADKEY, 0, TLSA_BAD_SPKI, MAL },
	{ "0 1 0 garbage", { 0, 1, 0 }, 3, D_SEQ, 91, TLSA_BAD_SPKI, MAL },
	/* a digest is never decoded: a certificate's worth of SHA2-256 is just the wrong length */
	{ "3 0 1 certificate", { 3, 0, 1 }, 3, D_CERT, 0, TLSA_BAD_DIGEST_LEN, MAL },
	/* the earlier checks win over the decoding, as in OpenSSL */
	{ "usage 4 garbage full", { 4, 0, 0 }, 3, D_SEQ, 40, TLSA_BAD_USAGE, MAL },
	{ "selector 2 full", { 3, 2, 0 }, 3, D_CERT, 0, TLSA_BAD_SELECTOR, MAL },
};

/* DER objects made at test time, and the certificate with its key algorithm made unknown. */
static unsigned char *fx_cert, *fx_spki, *fx_ed, *fx_badkey;
static size_t fx_certlen, fx_spkilen, fx_edlen;

/* id-ecPublicKey, 1.2.840.10045.2.1 */
static const unsigned char oid_ec[] = { 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };

static int
tlsa_fixture_setup(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256"), *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *x = X509_new();
	unsigned char *p;
	size_t i;
	int n;

	(void)state;
	if (k == NULL || ed == NULL || x == NULL)
		return -1;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)"mx.example.org", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	if (X509_sign(x, k, EVP_sha256()) == 0)
		return -1;
	fx_cert = NULL, fx_spki = NULL, fx_ed = NULL;
	if ((n = i2d_X509(x, &fx_cert)) <= 0)
		return -1;
	fx_certlen = (size_t)n;
	if ((n = i2d_PUBKEY(k, &fx_spki)) <= 0)
		return -1;
	fx_spkilen = (size_t)n;
	if ((n = i2d_PUBKEY(ed, &fx_ed)) <= 0)
		return -1;
	fx_edlen = (size_t)n;
	/* 1.2.840.10045.2.1 → 1.2.840.10045.2.9: same length, no decoder knows it */
	fx_badkey = malloc(fx_certlen);
	memcpy(fx_badkey, fx_cert, fx_certlen);
	p = NULL;
	for (i = 0; i + sizeof(oid_ec) <= fx_certlen && p == NULL; i++)
		if (memcmp(fx_badkey + i, oid_ec, sizeof(oid_ec)) == 0)
			p = fx_badkey + i;
	if (p == NULL)
		return -1;
	p[sizeof(oid_ec) - 1] = 0x09;
	X509_free(x);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ed);
	return 0;
}

static int
tlsa_fixture_teardown(void **state)
{
	(void)state;
	OPENSSL_free(fx_cert);
	OPENSSL_free(fx_spki);
	OPENSSL_free(fx_ed);
	free(fx_badkey);
	return 0;
}

static size_t
build(const struct tlsa_case *tc, uint8_t *buf)
{
	const unsigned char *src = NULL;
	size_t i, n = 0;

	memcpy(buf, tc->hdr, tc->hlen);
	switch (tc->data) {
	case D_SEQ:
		for (i = 0; i < tc->dlen; i++)
			buf[tc->hlen + i] = (uint8_t)i;
		return tc->hlen + tc->dlen;
	case D_CERT: case D_CERT_TRAIL: case D_CERT_TRUNC:
		src = fx_cert, n = fx_certlen;
		break;
	case D_CERT_BADKEY:
		src = fx_badkey, n = fx_certlen;
		break;
	case D_SPKI: case D_SPKI_TRAIL: case D_SPKI_TRUNC:
		src = fx_spki, n = fx_spkilen;
		break;
	case D_SPKI_ED25519:
		src = fx_ed, n = fx_edlen;
		break;
	}
	memcpy(buf + tc->hlen, src, n);
	if (tc->data == D_CERT_TRAIL || tc->data == D_SPKI_TRAIL)
		buf[tc->hlen + n++] = 0;
	else if (tc->data == D_CERT_TRUNC || tc->data == D_SPKI_TRUNC)
		n--;
	return tc->hlen + n;
}

/*
 * What OpenSSL's DANE verifier says of the same record: SSL_dane_tlsa_add() > 0 means it will
 * use it.  Our parser must agree on every row, PKIX usages included (OpenSSL takes those).
 */
static int
tlsa_openssl_accepts(const struct tlsa_rr *rr)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	int r;

	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_dane_enable(ctx), 1);
	ssl = SSL_new(ctx);
	assert_non_null(ssl);
	assert_int_equal(SSL_dane_enable(ssl, "mx.example.org"), 1);
	r = SSL_dane_tlsa_add(ssl, rr->usage, rr->selector, rr->mtype, rr->data, rr->datalen);
	assert_true(r >= 0);	/* -1 is for resource errors, never a record's fault */
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return r > 0;
}

static void
test_parse_table(void **state)
{
	static uint8_t buf[4096];
	struct tlsa_rr rr;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = build(&cases[i], buf);
		assert_true(n <= sizeof(buf));
		if (tlsa_parse(buf, n, &rr) != cases[i].want)
			fail_msg("%s: got %s want %s", cases[i].name,
			    tlsa_status_name(rr.status), tlsa_status_name(cases[i].want));
		assert_int_equal(rr.status, cases[i].want);
		if (tlsa_usable_smtp(&rr) != cases[i].smtp)
			fail_msg("%s: smtp %s", cases[i].name, tlsa_smtp_name(tlsa_usable_smtp(&rr)));
		if (ERR_peek_error() != 0)
			fail_msg("%s: OpenSSL errors left on the queue", cases[i].name);
		if (cases[i].hlen == 3) {
			assert_int_equal(rr.usage, cases[i].hdr[0]);
			assert_int_equal(rr.selector, cases[i].hdr[1]);
			assert_int_equal(rr.mtype, cases[i].hdr[2]);
			assert_int_equal(rr.datalen, n - 3);
			if (n > 3)
				assert_ptr_equal(rr.data, buf + 3);
			else
				assert_null(rr.data);
			if (tlsa_openssl_accepts(&rr) != (rr.status == TLSA_OK))
				fail_msg("%s: OpenSSL disagrees with %s", cases[i].name,
				    tlsa_status_name(rr.status));
		}
	}
}

/* The parser leaves an error the caller had queued where it was. */
static void
test_parse_keeps_error_queue(void **state)
{
	uint8_t rd[3 + 40] = { 3, 0, 0 };
	struct tlsa_rr rr;

	(void)state;
	ERR_clear_error();
	ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
	assert_int_equal(tlsa_parse(rd, sizeof(rd), &rr), TLSA_BAD_CERT);
	assert_int_equal(ERR_GET_REASON(ERR_get_error()), SSL_R_BAD_LENGTH);
	assert_int_equal(ERR_get_error(), 0);
}

/*
 * OpenSSL takes an int length; the parser says so before looking at the data.  The mapping is
 * only reserved, never touched, so no 2 GiB are used.
 */
static void
test_parse_too_long(void **state)
{
	size_t len = (size_t)INT_MAX + 4;
	uint8_t *m;
	struct tlsa_rr rr;

	(void)state;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	    -1, 0);
	if (m == MAP_FAILED)
		skip();
	m[0] = 3, m[1] = 0, m[2] = 0;
	assert_int_equal(tlsa_parse(m, len, &rr), TLSA_DATA_TOO_LONG);
	assert_int_equal(rr.datalen, len - 3);
	assert_int_equal(tlsa_usable_smtp(&rr), TLSA_SMTP_UNUSABLE_MALFORMED);
	tlsa_parse(m, (size_t)INT_MAX + 3, &rr);
	assert_int_not_equal(rr.status, TLSA_DATA_TOO_LONG);	/* exactly INT_MAX octets */
	munmap(m, len);
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
	assert_string_equal(tlsa_status_name(TLSA_BAD_CERT), "bad-certificate");
	assert_string_equal(tlsa_status_name(TLSA_BAD_CERT_KEY), "bad-certificate-key");
	assert_string_equal(tlsa_status_name(TLSA_BAD_SPKI), "bad-spki");
	assert_string_equal(tlsa_status_name(TLSA_DATA_TOO_LONG), "data-too-long");
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
	{ "garbage 3 0 0 + dane", 2, { { 3, 0, 0, 0xaa }, { 3, 1, 1, 0xbb } }, 1, 1, 1, 0, 0, 1, 0,
	    TLSA_ROLLOVER_SINGLE },
	{ "only garbage full", 2, { { 3, 0, 0, 0xaa }, { 2, 1, 0, 0xbb } }, 0, 0, 0, 0, 0, 2, 0,
	    TLSA_ROLLOVER_NONE_USABLE },
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
		cmocka_unit_test(test_parse_keeps_error_queue),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_full_sha256),
		cmocka_unit_test(test_set_table),
	};

	return cmocka_run_group_tests(tests, tlsa_fixture_setup, tlsa_fixture_teardown);
}
