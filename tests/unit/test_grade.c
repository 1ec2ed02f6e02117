/*
 * test_grade.c — golden table: a configuration, the grade it earns and the reasons given;
 * then the NCSC-NL classifications and the Mozilla profiles.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scan/grade.h"
#include "scan/tlsenum.h"
#include "tls/cipher.h"
#include "tls/hello.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define END		0

/* A configuration in a line: suites per version (0-terminated), DH size, flags. */
struct conf {
	const char		*name;
	uint16_t		 s13[8], s12[24], s11[16], s10[16], s3[16];
	int			 sslv2;
	unsigned int		 dh_bits;
	uint16_t		 groups[6];
	enum tlsenum_answer	 reneg, fallback, compression;
	enum grade_context	 ctx;
	int			 trusted, name_ok;
	enum grade_auth		 auth;
	const char		*key_type;	/* leaf certificate, as cert.c names it */
	unsigned int		 key_bits;
	const char		*sig_alg;
	/* expected */
	const char		*display;
	enum grade_letter	 tls_letter;
	const char		*reason;	/* one reason must contain this; NULL: none */
	enum grade_ncsc		 ncsc;
	int			 moz_modern, moz_intermediate;
};

static void
put(struct tlsenum_report *r, enum tlsenum_version v, const uint16_t *s)
{
	size_t n;

	for (n = 0; s[n] != END; n++)
		r->v[v].suites[n] = s[n];
	r->v[v].nsuites = n;
	r->v[v].supported = n > 0 ? TLSENUM_YES : TLSENUM_NO;
	if (n > 0) {
		r->any_supported = 1;
		if (v > r->max_version)
			r->max_version = v;
	}
}

static void
build(const struct conf *c, struct tlsenum_report *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	put(r, TLSENUM_TLS13, c->s13);
	put(r, TLSENUM_TLS12, c->s12);
	put(r, TLSENUM_TLS11, c->s11);
	put(r, TLSENUM_TLS10, c->s10);
	put(r, TLSENUM_SSL3, c->s3);
	if (c->sslv2) {
		r->v[TLSENUM_SSL2].supported = TLSENUM_YES;
		r->v[TLSENUM_SSL2].sslv2_specs[0] = 0x0700c0;
		r->v[TLSENUM_SSL2].nsslv2_specs = 1;
		r->any_supported = 1;
	}
	if (c->dh_bits) {
		r->kx[r->nkx].kx = CIPHER_KX_DHE;
		r->kx[r->nkx].version = TLSENUM_TLS12;
		r->kx[r->nkx++].bits = c->dh_bits;
		r->dh_min_bits = c->dh_bits;
	}
	for (i = 0; i < NELEM(c->groups) && c->groups[i]; i++) {
		r->groups13[r->ngroups13++] = c->groups[i];
		r->kx[r->nkx].kx = CIPHER_KX_TLS13;
		r->kx[r->nkx].version = TLSENUM_TLS13;
		r->kx[r->nkx++].group = c->groups[i];
	}
	r->secure_reneg = c->reneg;
	r->fallback_scsv = c->fallback;
	r->compression = c->compression;
	if (c->compression == TLSENUM_YES)
		r->v[r->max_version].compression = 1;
}

#define MODERN13	{ 0x1301, 0x1302, 0x1303 }
#define AEAD12		{ 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8 }
#define GOOD_GROUPS	{ 29, 23, 24 }
#define OK		TLSENUM_YES, TLSENUM_YES, TLSENUM_NO
#define SHA256		"sha256WithRSAEncryption"
#define RSA3072		"RSA", 3072, SHA256
#define PKIX		1, 1, GRADE_AUTH_PKIX
#define TRUSTED		PKIX, RSA3072
/* Everything but the certificate right: A+ on TLS alone (the first row). */
#define PERFECT		MODERN13, AEAD12, {0}, {0}, {0}, 0, 0, GOOD_GROUPS, OK

static const struct conf confs[] = {
	{ "modern: TLS 1.3 + 1.2 AEAD/PFS", MODERN13, AEAD12, {0}, {0}, {0}, 0, 0, GOOD_GROUPS,
	  OK, GRADE_CTX_CLIENT, TRUSTED,
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "TLS 1.3 only", MODERN13, {0}, {0}, {0}, {0}, 0, 0, GOOD_GROUPS,
	  TLSENUM_NOT_APPLICABLE, TLSENUM_NOT_APPLICABLE, TLSENUM_NOT_APPLICABLE,
	  GRADE_CTX_CLIENT, TRUSTED,
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_GOOD, 1, 1 },
	{ "TLS 1.2 only, AEAD + PFS only", {0}, AEAD12, {0}, {0}, {0}, 0, 0, {0},
	  TLSENUM_YES, TLSENUM_NOT_APPLICABLE, TLSENUM_NO, GRADE_CTX_CLIENT, TRUSTED,
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "TLS 1.2 with CBC and static RSA", {0}, { 0xc02f, 0xc013, 0x002f, 0x009c }, {0}, {0},
	  {0}, 0, 0, {0}, TLSENUM_YES, TLSENUM_NOT_APPLICABLE, TLSENUM_NO, GRADE_CTX_CLIENT,
	  TRUSTED, "A", GRADE_A, "not A+: no TLS 1.3", GRADE_NCSC_PHASE_OUT, 0, 0 },
	{ "TLS 1.2 CBC only", {0}, { 0xc013, 0xc014 }, {0}, {0}, {0}, 0, 0, {0},
	  TLSENUM_YES, TLSENUM_NOT_APPLICABLE, TLSENUM_NO, GRADE_CTX_CLIENT, TRUSTED,
	  "B", GRADE_B, "capped at B: no AEAD suite", GRADE_NCSC_SUFFICIENT, 0, 0 },
	{ "postfix defaults (1.0-1.3, 3DES)", MODERN13, { 0xc030, 0xc02f, 0x009f, 0xc014,
	  0x0039, 0x002f, 0x000a }, { 0xc014, 0x0039, 0x002f, 0x000a }, { 0xc014, 0x0039,
	  0x002f, 0x000a }, {0}, 0, 2048, GOOD_GROUPS, OK, GRADE_CTX_MX, TRUSTED,
	  "C", GRADE_C, "capped at B: TLS 1.0 accepted", GRADE_NCSC_PHASE_OUT, 0, 0 },
	{ "postfix defaults, 3DES check", MODERN13, { 0xc030, 0x000a }, {0}, { 0x000a }, {0},
	  0, 0, {0}, OK, GRADE_CTX_MX, TRUSTED,
	  "C", GRADE_C, "capped at C: 64-bit block cipher accepted (Sweet32)",
	  GRADE_NCSC_PHASE_OUT, 0, 0 },
	{ "TLS 1.2 + 1.1, fallback SCSV ignored", {0}, AEAD12, { 0xc013 }, {0}, {0}, 0, 0, {0},
	  TLSENUM_YES, TLSENUM_NO, TLSENUM_NO, GRADE_CTX_CLIENT, TRUSTED,
	  "B", GRADE_B, "capped at A-: TLS_FALLBACK_SCSV not honoured", GRADE_NCSC_PHASE_OUT,
	  0, 0 },
	{ "A- for fallback only", MODERN13, AEAD12, {0}, {0}, {0}, 0, 0, GOOD_GROUPS,
	  TLSENUM_YES, TLSENUM_NO, TLSENUM_NO, GRADE_CTX_CLIENT, TRUSTED,
	  "A-", GRADE_A_MINUS, "capped at A-: TLS_FALLBACK_SCSV not honoured",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "DHE 1024", {0}, { 0xc02f, 0x009e }, {0}, {0}, {0}, 0, 1024, {0},
	  TLSENUM_YES, TLSENUM_NOT_APPLICABLE, TLSENUM_NO, GRADE_CTX_CLIENT, TRUSTED,
	  "B", GRADE_B, "capped at B: DH group under 2048 bits", GRADE_NCSC_INSUFFICIENT, 0, 0 },
	{ "DHE 512 (Logjam)", {0}, { 0xc02f, 0x009e }, {0}, {0}, {0}, 0, 512, {0},
	  TLSENUM_YES, TLSENUM_NOT_APPLICABLE, TLSENUM_NO, GRADE_CTX_CLIENT, TRUSTED,
	  "F", GRADE_F, "capped at F: DH group under 1024 bits", GRADE_NCSC_INSUFFICIENT, 0, 0 },
	{ "SSLv3 + RC4 legacy", {0}, {0}, {0}, { 0x0005, 0x002f }, { 0x0005, 0x002f }, 0, 0,
	  {0}, TLSENUM_NO, TLSENUM_NO, TLSENUM_NO, GRADE_CTX_MX, TRUSTED,
	  "C", GRADE_C, "capped at C: SSLv3 accepted (POODLE)", GRADE_NCSC_INSUFFICIENT, 0, 0 },
	{ "SSLv2", {0}, AEAD12, {0}, {0}, {0}, 1, 0, {0},
	  TLSENUM_YES, TLSENUM_YES, TLSENUM_NO, GRADE_CTX_MX, TRUSTED,
	  "F", GRADE_F, "capped at F: SSLv2 accepted (DROWN)", GRADE_NCSC_INSUFFICIENT, 0, 0 },
	{ "compression", {0}, AEAD12, {0}, {0}, {0}, 0, 0, {0},
	  TLSENUM_YES, TLSENUM_NOT_APPLICABLE, TLSENUM_YES, GRADE_CTX_MX, TRUSTED,
	  "C", GRADE_C, "capped at C: TLS compression accepted (CRIME)", GRADE_NCSC_SUFFICIENT,
	  0, 1 },
	{ "no secure renegotiation", {0}, AEAD12, {0}, {0}, {0}, 0, 0, {0},
	  TLSENUM_NO, TLSENUM_NOT_APPLICABLE, TLSENUM_NO, GRADE_CTX_MX, TRUSTED,
	  "C", GRADE_C, "capped at C: no secure renegotiation", GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "export", {0}, {0}, {0}, { 0x0003, 0x002f }, {0}, 0, 0, {0},
	  TLSENUM_YES, TLSENUM_NOT_APPLICABLE, TLSENUM_NO, GRADE_CTX_MX, TRUSTED,
	  "F", GRADE_F, "capped at F: export suites accepted", GRADE_NCSC_INSUFFICIENT, 0, 0 },
	{ "anon on an MX", MODERN13, { 0xc02f, 0x00a7 }, {0}, {0}, {0}, 0, 0, GOOD_GROUPS, OK,
	  GRADE_CTX_MX, TRUSTED, "A-", GRADE_A_MINUS, "capped at A-: anonymous suites",
	  GRADE_NCSC_INSUFFICIENT, 0, 0 },
	{ "anon on submission", MODERN13, { 0xc02f, 0x00a7 }, {0}, {0}, {0}, 0, 0, GOOD_GROUPS,
	  OK, GRADE_CTX_CLIENT, TRUSTED, "F", GRADE_F, "capped at F: anonymous suites",
	  GRADE_NCSC_INSUFFICIENT, 0, 0 },
	{ "MX, self-signed, opportunistic", MODERN13, AEAD12, {0}, {0}, {0}, 0, 0, GOOD_GROUPS,
	  OK, GRADE_CTX_MX, 0, 0, GRADE_AUTH_NONE, RSA3072,
	  "A+ [TM]", GRADE_A_PLUS, "not capped for the certificate", GRADE_NCSC_SUFFICIENT,
	  0, 1 },
	{ "MX, self-signed, DANE", MODERN13, AEAD12, {0}, {0}, {0}, 0, 0, GOOD_GROUPS,
	  OK, GRADE_CTX_MX, 0, 0, GRADE_AUTH_DANE, RSA3072,
	  "A+", GRADE_A_PLUS, "certificate authenticated by dane", GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "submission, untrusted", MODERN13, AEAD12, {0}, {0}, {0}, 0, 0, GOOD_GROUPS,
	  OK, GRADE_CTX_CLIENT, 0, 1, GRADE_AUTH_NONE, RSA3072,
	  "T", GRADE_A_PLUS, "capped at F: certificate not trusted", GRADE_NCSC_SUFFICIENT,
	  0, 1 },
	{ "submission, name mismatch", MODERN13, AEAD12, {0}, {0}, {0}, 0, 0, GOOD_GROUPS,
	  OK, GRADE_CTX_CLIENT, 1, 0, GRADE_AUTH_NONE, RSA3072,
	  "M", GRADE_A_PLUS, "capped at F: certificate name mismatch", GRADE_NCSC_SUFFICIENT,
	  0, 1 },
	{ "weak RSA key 1024, TLS 1.2 only", {0}, AEAD12, {0}, {0}, {0}, 0, 0, {0}, TLSENUM_YES,
	  TLSENUM_NOT_APPLICABLE, TLSENUM_NO, GRADE_CTX_CLIENT, PKIX, "RSA", 1024, SHA256,
	  "B", GRADE_B, "capped at B: certificate key RSA 1024 bits (under 2048)",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },

	/* The leaf's key and signature (SSL Labs Rating Guide; NIST SP 800-57 Part 1 Table 2). */
	{ "RSA 512", PERFECT, GRADE_CTX_CLIENT, PKIX, "RSA", 512, SHA256,
	  "F", GRADE_F, "capped at F: certificate key RSA 512 bits (under 1024)",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "RSA 1023", PERFECT, GRADE_CTX_CLIENT, PKIX, "RSA", 1023, SHA256,
	  "F", GRADE_F, "capped at F: certificate key RSA 1023 bits (under 1024)",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "RSA 1024", PERFECT, GRADE_CTX_CLIENT, PKIX, "RSA", 1024, SHA256,
	  "B", GRADE_B, "capped at B: certificate key RSA 1024 bits (under 2048)",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "RSA 2047", PERFECT, GRADE_CTX_CLIENT, PKIX, "RSA", 2047, SHA256,
	  "B", GRADE_B, "capped at B: certificate key RSA 2047 bits (under 2048)",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "RSA 2048", PERFECT, GRADE_CTX_CLIENT, PKIX, "RSA", 2048, SHA256,
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "RSA 4096", PERFECT, GRADE_CTX_CLIENT, PKIX, "RSA", 4096, SHA256,
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "RSA-PSS 2048", PERFECT, GRADE_CTX_CLIENT, PKIX, "RSASSA-PSS", 2048, "rsassaPss",
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "DSA 1024", PERFECT, GRADE_CTX_CLIENT, PKIX, "DSA", 1024, "dsa_with_SHA256",
	  "B", GRADE_B, "capped at B: certificate key DSA 1024 bits (under 2048)",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "P-256", PERFECT, GRADE_CTX_CLIENT, PKIX, "EC", 256, "ecdsa-with-SHA256",
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "P-384", PERFECT, GRADE_CTX_CLIENT, PKIX, "EC", 384, "ecdsa-with-SHA384",
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "P-224 (RSA 2048 equivalent)", PERFECT, GRADE_CTX_CLIENT, PKIX, "EC", 224,
	  "ecdsa-with-SHA256", "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "P-192 (RSA 1024 equivalent)", PERFECT, GRADE_CTX_CLIENT, PKIX, "EC", 192,
	  "ecdsa-with-SHA256", "B", GRADE_B,
	  "capped at B: certificate key EC 192 bits (RSA-equivalent 1024, under 2048)",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "EC 128 bits", PERFECT, GRADE_CTX_CLIENT, PKIX, "EC", 128, "ecdsa-with-SHA256",
	  "F", GRADE_F, "capped at F: certificate key EC 128 bits (RSA-equivalent 512",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "Ed25519", PERFECT, GRADE_CTX_CLIENT, PKIX, "ED25519", 253, "ED25519",
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "Ed448", PERFECT, GRADE_CTX_CLIENT, PKIX, "ED448", 456, "ED448",
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "unknown key type", PERFECT, GRADE_CTX_CLIENT, PKIX, "SM2", 256, "SM2-with-SM3",
	  "A+", GRADE_A_PLUS, "certificate key SM2 (256 bits): strength unknown",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "MD5 signature", PERFECT, GRADE_CTX_CLIENT, PKIX, "RSA", 2048, "md5WithRSAEncryption",
	  "F", GRADE_F, "capped at F: certificate signed with md5WithRSAEncryption",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "MD2 signature", PERFECT, GRADE_CTX_CLIENT, PKIX, "RSA", 2048, "md2WithRSAEncryption",
	  "F", GRADE_F, "capped at F: certificate signed with md2WithRSAEncryption",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "SHA-1 signature", PERFECT, GRADE_CTX_CLIENT, PKIX, "RSA", 2048,
	  "sha1WithRSAEncryption", "B", GRADE_B,
	  "capped at B: certificate signed with sha1WithRSAEncryption (SHA-1)",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "ECDSA SHA-1 signature", PERFECT, GRADE_CTX_CLIENT, PKIX, "EC", 256,
	  "ecdsa-with-SHA1", "B", GRADE_B, "capped at B: certificate signed with ecdsa-with-SHA1",
	  GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "MX, DANE, RSA 1024: the key still counts", PERFECT, GRADE_CTX_MX, 0, 0,
	  GRADE_AUTH_DANE, "RSA", 1024, SHA256, "B", GRADE_B,
	  "capped at B: certificate key RSA 1024 bits", GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "MX, MTA-STS, MD5: the signature still counts", PERFECT, GRADE_CTX_MX, 1, 1,
	  GRADE_AUTH_MTASTS, "RSA", 2048, "md5WithRSAEncryption", "F", GRADE_F,
	  "capped at F: certificate signed with md5", GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "MX, opportunistic, self-signed RSA 512", PERFECT, GRADE_CTX_MX, 0, 0,
	  GRADE_AUTH_NONE, "RSA", 512, SHA256, "F [TM]", GRADE_F,
	  "capped at F: certificate key RSA 512 bits", GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "no certificate facts", PERFECT, GRADE_CTX_CLIENT, PKIX, NULL, 0, NULL,
	  "A+", GRADE_A_PLUS, NULL, GRADE_NCSC_SUFFICIENT, 0, 1 },
	{ "nothing", {0}, {0}, {0}, {0}, {0}, 0, 0, {0}, TLSENUM_NOT_APPLICABLE,
	  TLSENUM_UNTESTED, TLSENUM_NOT_APPLICABLE, GRADE_CTX_MX, TRUSTED,
	  "F", GRADE_F, "capped at F: no TLS version accepted", GRADE_NCSC_GOOD, 0, 0 },
};

static int
has_reason(const struct grade_reasons *r, const char *want)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strstr(r->s[i], want) != NULL)
			return 1;
	return 0;
}

static void
dump(const struct conf *c, const struct grade_result *g)
{
	size_t i;

	fprintf(stderr, "%s: display %s tls %s score %d (%d/%d/%d) ncsc %s moz %d/%d\n", c->name,
	    g->display, grade_letter_name(g->tls_letter), g->score, g->protocol_score,
	    g->kx_score, g->cipher_score, grade_ncsc_name(g->ncsc), g->mozilla_modern,
	    g->mozilla_intermediate);
	for (i = 0; i < g->reasons.n; i++)
		fprintf(stderr, "    %s\n", g->reasons.s[i]);
	for (i = 0; i < g->mozilla_reasons.n; i++)
		fprintf(stderr, "    moz: %s\n", g->mozilla_reasons.s[i]);
}

static void
test_golden(void **state)
{
	static struct tlsenum_report r;
	static struct grade_result g;
	struct grade_input in;
	size_t i;
	int bad;

	(void)state;
	for (i = 0; i < NELEM(confs); i++) {
		build(&confs[i], &r);
		memset(&in, 0, sizeof(in));
		in.tls = &r;
		in.context = confs[i].ctx;
		in.cert_trusted = confs[i].trusted;
		in.cert_name_ok = confs[i].name_ok;
		in.cert_authenticated_by = confs[i].auth;
		in.cert_key_type = confs[i].key_type;
		in.cert_key_bits = confs[i].key_bits;
		in.cert_sig_alg = confs[i].sig_alg;
		grade_compute(&in, &g);
		bad = strcmp(g.display, confs[i].display) != 0 ||
		    g.tls_letter != confs[i].tls_letter ||
		    (confs[i].reason != NULL && !has_reason(&g.reasons, confs[i].reason)) ||
		    g.ncsc != confs[i].ncsc || g.mozilla_modern != confs[i].moz_modern ||
		    g.mozilla_intermediate != confs[i].moz_intermediate;
		if (bad)
			dump(&confs[i], &g);
		assert_false(bad);
	}
}

static void
test_score(void **state)
{
	static const struct conf c = { "score", MODERN13, AEAD12, {0}, {0}, {0}, 0, 0,
	    GOOD_GROUPS, OK, GRADE_CTX_CLIENT, TRUSTED, NULL, 0, NULL, 0, 0, 0 };
	static struct tlsenum_report r;
	static struct grade_result g;
	struct grade_input in = { .tls = &r, .context = GRADE_CTX_CLIENT, .cert_trusted = 1,
	    .cert_name_ok = 1, .cert_authenticated_by = GRADE_AUTH_PKIX, .cert_key_type = "RSA",
	    .cert_key_bits = 2048, .cert_sig_alg = SHA256 };

	(void)state;
	build(&c, &r);
	grade_compute(&in, &g);
	/* protocol (100+100)/2, kx: RSA 2048 -> 90, cipher (AES-128 80 + AES-256 100)/2 */
	assert_int_equal(g.protocol_score, 100);
	assert_int_equal(g.kx_score, 90);
	assert_int_equal(g.cipher_score, 90);
	assert_int_equal(g.score, 93);
}

/* The certificate key's share of the key exchange score, and the RSA-equivalent tables. */
static void
test_cert_key(void **state)
{
	static const struct {
		const char	*type;
		unsigned int	 bits, strength;
		int		 kx;
	} keys[] = {
		{ "RSA", 512, 512, 40 }, { "RSA", 1024, 1024, 80 }, { "RSA", 2048, 2048, 90 },
		{ "RSA", 3072, 3072, 90 }, { "RSA", 4096, 4096, 100 },
		{ "RSASSA-PSS", 2048, 2048, 90 }, { "DSA", 1024, 1024, 80 },
		{ "EC", 160, 1024, 80 }, { "EC", 192, 1024, 80 }, { "EC", 224, 2048, 90 },
		{ "EC", 256, 3072, 90 }, { "EC", 384, 7680, 100 }, { "EC", 521, 15360, 100 },
		{ "ED25519", 253, 3072, 90 }, { "ED448", 456, 7680, 100 },
		{ "SM2", 256, 0, 100 }, { NULL, 0, 0, 100 },
	};
	static const struct conf c = { "kx", MODERN13, {0}, {0}, {0}, {0}, 0, 0,
	    { 24 }, TLSENUM_NOT_APPLICABLE, TLSENUM_NOT_APPLICABLE, TLSENUM_NOT_APPLICABLE,
	    GRADE_CTX_CLIENT, TRUSTED, NULL, 0, NULL, 0, 0, 0 };
	static struct tlsenum_report r;
	static struct grade_result g;
	struct grade_input in;
	size_t i;

	(void)state;
	build(&c, &r);		/* TLS 1.3 with P-384 only: kx is the certificate's */
	for (i = 0; i < NELEM(keys); i++) {
		memset(&in, 0, sizeof(in));
		in.tls = &r;
		in.context = GRADE_CTX_CLIENT;
		in.cert_trusted = in.cert_name_ok = 1;
		in.cert_authenticated_by = GRADE_AUTH_PKIX;
		in.cert_key_type = keys[i].type;
		in.cert_key_bits = keys[i].bits;
		grade_compute(&in, &g);
		if (g.cert_key_strength != keys[i].strength || g.kx_score != keys[i].kx)
			fprintf(stderr, "%s %u: strength %u kx %d\n", keys[i].type ?
			    keys[i].type : "(none)", keys[i].bits, g.cert_key_strength, g.kx_score);
		assert_int_equal(grade_key_strength(keys[i].type, keys[i].bits),
		    keys[i].strength);
		assert_int_equal(g.cert_key_strength, keys[i].strength);
		assert_int_equal(g.kx_score, keys[i].kx);
	}
	/* Ed25519 with the rest perfect: the same score as P-256, A+ */
	in.cert_key_type = "ED25519";
	in.cert_key_bits = 253;
	grade_compute(&in, &g);
	assert_string_equal(g.display, "A+");
}

static void
test_sig_class(void **state)
{
	static const struct {
		const char	*alg;
		enum grade_sig	 want;
	} sigs[] = {
		{ "sha256WithRSAEncryption", GRADE_SIG_OK }, { "sha384WithRSAEncryption", GRADE_SIG_OK },
		{ "sha512WithRSAEncryption", GRADE_SIG_OK }, { "sha224WithRSAEncryption", GRADE_SIG_OK },
		{ "ecdsa-with-SHA256", GRADE_SIG_OK }, { "ecdsa-with-SHA512", GRADE_SIG_OK },
		{ "dsa_with_SHA256", GRADE_SIG_OK }, { "RSA-SHA3-256", GRADE_SIG_OK },
		{ "id-rsassa-pkcs1-v1_5-with-sha3-256", GRADE_SIG_OK },
		{ "rsassaPss", GRADE_SIG_OK }, { "RSASSA-PSS", GRADE_SIG_OK },
		{ "ED25519", GRADE_SIG_OK }, { "ED448", GRADE_SIG_OK }, { NULL, GRADE_SIG_OK },
		{ "sha1WithRSAEncryption", GRADE_SIG_SHA1 }, { "sha1WithRSA", GRADE_SIG_SHA1 },
		{ "ecdsa-with-SHA1", GRADE_SIG_SHA1 }, { "dsaWithSHA1", GRADE_SIG_SHA1 },
		{ "RSA-SHA1", GRADE_SIG_SHA1 },
		{ "md5WithRSAEncryption", GRADE_SIG_BROKEN }, { "md2WithRSAEncryption", GRADE_SIG_BROKEN },
		{ "md4WithRSAEncryption", GRADE_SIG_BROKEN }, { "RSA-MD5", GRADE_SIG_BROKEN },
		{ "shaWithRSAEncryption", GRADE_SIG_BROKEN }, { "dsaWithSHA", GRADE_SIG_BROKEN },
		{ "RSA-SHA", GRADE_SIG_BROKEN }, { "id-ecdsa-with-shake256", GRADE_SIG_OK },
		{ "dsaWithSHA1-old", GRADE_SIG_SHA1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(sigs); i++) {
		if (grade_sig_class(sigs[i].alg) != sigs[i].want)
			fprintf(stderr, "%s: %d\n", sigs[i].alg ? sigs[i].alg : "(null)",
			    grade_sig_class(sigs[i].alg));
		assert_int_equal(grade_sig_class(sigs[i].alg), sigs[i].want);
	}
}

static void
test_ncsc_tables(void **state)
{
	(void)state;
	assert_int_equal(grade_ncsc_suite(0x1302), GRADE_NCSC_GOOD);
	assert_int_equal(grade_ncsc_suite(0x1304), GRADE_NCSC_SUFFICIENT);
	assert_int_equal(grade_ncsc_suite(0x1305), GRADE_NCSC_INSUFFICIENT);
	assert_int_equal(grade_ncsc_suite(0xc02c), GRADE_NCSC_GOOD);
	assert_int_equal(grade_ncsc_suite(0xcca8), GRADE_NCSC_GOOD);
	assert_int_equal(grade_ncsc_suite(0xc028), GRADE_NCSC_SUFFICIENT);
	assert_int_equal(grade_ncsc_suite(0xc009), GRADE_NCSC_SUFFICIENT);
	assert_int_equal(grade_ncsc_suite(0x009f), GRADE_NCSC_SUFFICIENT);
	assert_int_equal(grade_ncsc_suite(0xccaa), GRADE_NCSC_SUFFICIENT);
	assert_int_equal(grade_ncsc_suite(0x0033), GRADE_NCSC_SUFFICIENT);
	assert_int_equal(grade_ncsc_suite(0xc012), GRADE_NCSC_PHASE_OUT);
	assert_int_equal(grade_ncsc_suite(0x0016), GRADE_NCSC_PHASE_OUT);
	assert_int_equal(grade_ncsc_suite(0x009c), GRADE_NCSC_PHASE_OUT);
	assert_int_equal(grade_ncsc_suite(0x000a), GRADE_NCSC_PHASE_OUT);
	assert_int_equal(grade_ncsc_suite(0x0005), GRADE_NCSC_INSUFFICIENT);
	assert_int_equal(grade_ncsc_suite(0x0032), GRADE_NCSC_INSUFFICIENT);	/* DHE-DSS */
	assert_int_equal(grade_ncsc_suite(0x0041), GRADE_NCSC_INSUFFICIENT);	/* Camellia */
	assert_int_equal(grade_ncsc_suite(0x00a7), GRADE_NCSC_INSUFFICIENT);	/* anon */
	assert_int_equal(grade_ncsc_group(29), GRADE_NCSC_GOOD);
	assert_int_equal(grade_ncsc_group(HELLO_GROUP_FFDHE3072), GRADE_NCSC_SUFFICIENT);
	assert_int_equal(grade_ncsc_group(HELLO_GROUP_FFDHE2048), GRADE_NCSC_PHASE_OUT);
	assert_int_equal(grade_ncsc_group(21), GRADE_NCSC_PHASE_OUT);
	assert_int_equal(grade_ncsc_group(26), GRADE_NCSC_INSUFFICIENT);
	assert_int_equal(grade_ncsc_dh_bits(4096), GRADE_NCSC_SUFFICIENT);
	assert_int_equal(grade_ncsc_dh_bits(2048), GRADE_NCSC_PHASE_OUT);
	assert_int_equal(grade_ncsc_dh_bits(1024), GRADE_NCSC_INSUFFICIENT);
	assert_int_equal(grade_ncsc_version(TLSENUM_TLS13), GRADE_NCSC_GOOD);
	assert_int_equal(grade_ncsc_version(TLSENUM_TLS10), GRADE_NCSC_PHASE_OUT);
	assert_int_equal(grade_ncsc_version(TLSENUM_SSL3), GRADE_NCSC_INSUFFICIENT);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(grade_letter_name(GRADE_A_PLUS), "A+");
	assert_string_equal(grade_letter_name(GRADE_A_MINUS), "A-");
	assert_string_equal(grade_letter_name(GRADE_LETTER_LAST), "?");
	assert_string_equal(grade_auth_name(GRADE_AUTH_MTASTS), "mta-sts");
	assert_string_equal(grade_context_name(GRADE_CTX_CLIENT), "client");
	assert_string_equal(grade_ncsc_name(GRADE_NCSC_PHASE_OUT), "phase_out");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_cert_key),
		cmocka_unit_test(test_sig_class),
		cmocka_unit_test(test_ncsc_tables),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
