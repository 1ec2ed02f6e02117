/*
 * test_chain.c — the chain as sent (lib/tls/chain.c) and a stapled OCSP response
 * (lib/tls/ocsp.c), over certificates and responses built here in memory: root, intermediate,
 * leaf, an unrelated self-signed certificate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/chain.h"
#include "tls/ocsp.h"

enum { ROOT, INTER, LEAF, OTHER, NCERT };

static EVP_PKEY *key[NCERT];
static X509 *cert[NCERT];
static unsigned char *der[NCERT];
static size_t len[NCERT];

static X509 *
mk(const char *cn, EVP_PKEY *k, X509 *issuer, EVP_PKEY *ikey, int ca, long serial)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400 * 30);
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" :
	    "CA:FALSE");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(x, ikey ? ikey : k, EVP_sha256());
	X509_NAME_free(n);
	return x;
}

static int
setup(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < NCERT; i++)
		key[i] = EVP_EC_gen("P-256");
	cert[ROOT] = mk("root", key[ROOT], NULL, NULL, 1, 1);
	cert[INTER] = mk("intermediate", key[INTER], cert[ROOT], key[ROOT], 1, 2);
	cert[LEAF] = mk("mx.example", key[LEAF], cert[INTER], key[INTER], 0, 3);
	cert[OTHER] = mk("other", key[OTHER], NULL, NULL, 1, 4);
	for (i = 0; i < NCERT; i++) {
		int n = i2d_X509(cert[i], &der[i]);

		if (n <= 0)
			return -1;
		len[i] = (size_t)n;
	}
	return 0;
}

static int
teardown(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < NCERT; i++) {
		X509_free(cert[i]);
		EVP_PKEY_free(key[i]);
		OPENSSL_free(der[i]);
	}
	return 0;
}

static void
assess(const int *order, size_t n, struct chain_report *r)
{
	const unsigned char *d[8];
	size_t l[8], i;

	for (i = 0; i < n; i++) {
		d[i] = order[i] >= 0 ? der[order[i]] : (const unsigned char *)"junk";
		l[i] = order[i] >= 0 ? len[order[i]] : 4;
	}
	chain_assess(d, l, n, r);
}

static void
test_chain(void **state)
{
	struct chain_report r;

	(void)state;
	/* leaf + intermediate: in order, the root left to the verifier */
	assess((const int[]){ LEAF, INTER }, 2, &r);
	assert_int_equal(r.path, 2);
	assert_true(r.ordered);
	assert_int_equal(r.extra, 0);
	assert_true(r.issuer_missing);
	assert_false(r.root_sent);
	assert_string_equal(r.last_issuer, "/CN=root");
	/* everything, in order */
	assess((const int[]){ LEAF, INTER, ROOT }, 3, &r);
	assert_int_equal(r.path, 3);
	assert_true(r.ordered);
	assert_true(r.root_sent);
	assert_false(r.issuer_missing);
	/* out of order, with an unrelated certificate */
	assess((const int[]){ LEAF, ROOT, OTHER, INTER }, 4, &r);
	assert_int_equal(r.path, 3);
	assert_false(r.ordered);
	assert_int_equal(r.extra, 1);
	assert_true(r.root_sent);
	/* the intermediate missing: the leaf's issuer is not sent */
	assess((const int[]){ LEAF, ROOT }, 2, &r);
	assert_int_equal(r.path, 1);
	assert_true(r.issuer_missing);
	assert_int_equal(r.extra, 1);
	assert_string_equal(r.last_issuer, "/CN=intermediate");
	/* a lone self-signed certificate: nothing missing, no separate root */
	assess((const int[]){ OTHER }, 1, &r);
	assert_false(r.issuer_missing);
	assert_false(r.root_sent);
	assert_true(r.ordered);
	/* a CA certificate first, and garbage */
	assess((const int[]){ INTER, -1 }, 2, &r);
	assert_true(r.leaf_is_ca);
	assert_int_equal(r.unparsed, 1);
	assess((const int[]){ -1 }, 1, &r);
	assert_int_equal(r.path, 0);
	assert_int_equal(r.extra, 1);
	assess(NULL, 0, &r);
	assert_int_equal(r.ncerts, 0);
}

/* A basic OCSP response for LEAF, signed by INTER. */
static size_t
ocsp_make(int status, long next_days, unsigned char **out)
{
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert[LEAF], cert[INTER]);
	ASN1_TIME *thisupd = X509_gmtime_adj(NULL, -60), *nextupd = X509_gmtime_adj(NULL,
	    next_days * 86400), *rev = X509_gmtime_adj(NULL, -3600);
	OCSP_RESPONSE *resp;
	int n;

	OCSP_basic_add1_status(bs, id, status, status == V_OCSP_CERTSTATUS_REVOKED ? 1 : 0,
	    status == V_OCSP_CERTSTATUS_REVOKED ? rev : NULL, thisupd, nextupd);
	OCSP_basic_sign(bs, cert[INTER], key[INTER], EVP_sha256(), NULL, 0);
	resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	*out = NULL;
	n = i2d_OCSP_RESPONSE(resp, out);
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(id);
	ASN1_TIME_free(thisupd);
	ASN1_TIME_free(nextupd);
	ASN1_TIME_free(rev);
	return n > 0 ? (size_t)n : 0;
}

static void
test_ocsp(void **state)
{
	struct ocsp_report r;
	unsigned char *d;
	size_t n;
	long now = (long)time(NULL);

	(void)state;
	ocsp_assess(NULL, 0, now, &r);
	assert_int_equal(r.status, OCSP_STAPLE_NONE);
	ocsp_assess((const uint8_t *)"\x30\x03\x0a\x01\x01", 5, now, &r);	/* malformedRequest */
	assert_int_equal(r.status, OCSP_STAPLE_UNSUCCESSFUL);
	ocsp_assess((const uint8_t *)"\x30\x03\x0a\x01", 4, now, &r);
	assert_int_equal(r.status, OCSP_STAPLE_MALFORMED);

	n = ocsp_make(V_OCSP_CERTSTATUS_GOOD, 1, &d);
	assert_true(n > 0);
	ocsp_assess(d, n, now, &r);
	assert_int_equal(r.status, OCSP_STAPLE_GOOD);
	assert_int_equal(strlen(r.next_update), 20);
	ocsp_assess(d, n, now + 3 * 86400, &r);		/* later: out of date */
	assert_int_equal(r.status, OCSP_STAPLE_STALE);
	ocsp_assess(d, n - 1, now, &r);			/* truncated */
	assert_int_equal(r.status, OCSP_STAPLE_MALFORMED);
	OPENSSL_free(d);

	n = ocsp_make(V_OCSP_CERTSTATUS_REVOKED, 1, &d);
	ocsp_assess(d, n, now, &r);
	assert_int_equal(r.status, OCSP_STAPLE_REVOKED);
	OPENSSL_free(d);
	n = ocsp_make(V_OCSP_CERTSTATUS_UNKNOWN, 1, &d);
	ocsp_assess(d, n, now, &r);
	assert_int_equal(r.status, OCSP_STAPLE_UNKNOWN);
	OPENSSL_free(d);
	assert_string_equal(ocsp_staple_name(OCSP_STAPLE_STALE), "stale");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_ocsp),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
