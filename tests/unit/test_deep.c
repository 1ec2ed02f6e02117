/*
 * test_deep.c — the decisions of lib/scan/deep.c that need no server: the key-exchange hash
 * read off an enumeration report, and the grade caps the new checks bring (grade.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "scan/deep.h"
#include "scan/grade.h"

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
test_sigscheme(void **state)
{
	(void)state;
	assert_true(deep_sigscheme_weak(0x0201));	/* rsa_pkcs1_sha1 */
	assert_true(deep_sigscheme_weak(0x0203));	/* ecdsa_sha1 */
	assert_true(deep_sigscheme_weak(0x0101));	/* rsa md5 */
	assert_false(deep_sigscheme_weak(0x0401));
	assert_false(deep_sigscheme_weak(0x0804));	/* rsa_pss_rsae_sha256 */
	assert_false(deep_sigscheme_weak(0x0807));	/* ed25519 */
	assert_false(deep_sigscheme_weak(0x0303));	/* sha224: SHA-2 */
}

static void
test_kxhash(void **state)
{
	static const uint16_t ecdhe[] = { 0xc02f, 0xc013 }, rsa[] = { 0x002f }, tls13[] = { 0x1301 },
	    dhe10[] = { 0x0033 };
	struct tlsenum_report r;

	(void)state;
	memset(&r, 0, sizeof(r));
	add(&r, TLSENUM_TLS12, rsa, 1);
	assert_int_equal(deep_kxhash_from_report(&r), DEEP_KXHASH_NOT_APPLICABLE);
	add(&r, TLSENUM_TLS12, ecdhe, 2);
	r.ske_sigs[r.nske_sigs++] = 0x0201;
	assert_int_equal(deep_kxhash_from_report(&r), DEEP_KXHASH_SHA1_ONLY);
	r.ske_sigs[r.nske_sigs++] = 0x0401;
	assert_int_equal(deep_kxhash_from_report(&r), DEEP_KXHASH_SHA2);
	r.nske_sigs = 1;
	add(&r, TLSENUM_TLS13, tls13, 1);
	assert_int_equal(deep_kxhash_from_report(&r), DEEP_KXHASH_SHA2);
	/* TLS 1.0 only, with DHE: MD5+SHA-1 is all there is */
	memset(&r, 0, sizeof(r));
	add(&r, TLSENUM_TLS10, dhe10, 1);
	assert_int_equal(deep_kxhash_from_report(&r), DEEP_KXHASH_SHA1_ONLY);
	assert_string_equal(deep_kxhash_name(DEEP_KXHASH_SHA1_ONLY), "sha1_only");
	assert_string_equal(deep_chain_name(DEEP_CHAIN_INCOMPLETE), "incomplete");
}

static enum grade_letter
grade_with(unsigned int vulns, enum tlsenum_answer reneg)
{
	static const uint16_t s13[] = { 0x1301, 0x1302 }, s12[] = { 0xc02f, 0xc030 };
	struct tlsenum_report r;
	struct grade_input gi;
	struct grade_result g;

	memset(&r, 0, sizeof(r));
	add(&r, TLSENUM_TLS13, s13, 2);
	add(&r, TLSENUM_TLS12, s12, 2);
	r.groups13[r.ngroups13++] = 29;
	r.secure_reneg = reneg;
	r.fallback_scsv = TLSENUM_YES;
	r.compression = r.heartbeat = TLSENUM_NO;
	memset(&gi, 0, sizeof(gi));
	gi.tls = &r;
	gi.context = GRADE_CTX_MX;
	gi.cert_trusted = gi.cert_name_ok = 1;
	gi.cert_authenticated_by = GRADE_AUTH_PKIX;
	gi.cert_key_type = "EC";
	gi.cert_key_bits = 256;
	gi.cert_sig_alg = "ecdsa-with-SHA256";
	gi.vulns = vulns;
	grade_compute(&gi, &g);
	return g.tls_letter;
}

static void
test_grade_caps(void **state)
{
	(void)state;
	assert_int_equal(grade_with(0, TLSENUM_YES), GRADE_A_PLUS);
	assert_int_equal(grade_with(GRADE_VULN_ROBOT, TLSENUM_YES), GRADE_F);
	assert_int_equal(grade_with(GRADE_VULN_CCS, TLSENUM_YES), GRADE_F);
	assert_int_equal(grade_with(GRADE_VULN_KX_SHA1, TLSENUM_YES), GRADE_B);
	/* client-initiated renegotiation: no cap with RFC 5746, F without it */
	assert_int_equal(grade_with(GRADE_VULN_CLIENT_RENEG, TLSENUM_YES), GRADE_A_PLUS);
	assert_int_equal(grade_with(GRADE_VULN_CLIENT_RENEG, TLSENUM_NO), GRADE_F);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigscheme),
		cmocka_unit_test(test_kxhash),
		cmocka_unit_test(test_grade_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
