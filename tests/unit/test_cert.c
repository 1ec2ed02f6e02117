/*
 * test_cert.c — cert.c on certificates made here in memory: a test CA signs leaves with the
 * names and keys under test, and cert_describe() reports what the probe would.
 *
 * Names: dNSName and iPAddress SANs (RFC 2818 §3.1: an IP reference matches only an iPAddress
 * SAN), the CN fallback (RFC 6125 §6.4.4, which an empty or NUL-carrying dNSName still blocks),
 * and the ENDPOINT_SAN_MAX bound.  Keys and signatures: cert_weak_key() / cert_weak_sigalg()
 * agree with the grade's grade_key_strength() / grade_sig_class().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "probe/endpoint.h"
#include "scan/grade.h"
#include "tls/cert.h"
#include "util/arena.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define NOW		1700000000L	/* 2023-11-14: inside every validity period below */

static EVP_PKEY *ca_key;	/* RSA 2048: it can sign with MD5 and SHA-1 too */
static X509 *ca_cert;

/* One subjectAltName entry: "DNS:" text (len bytes, NULs allowed), "IP:" literal, or raw IP octets. */
struct san {
	int		 type;		/* GEN_DNS or GEN_IPADD */
	const char	*text;		/* GEN_DNS: the bytes; GEN_IPADD: a literal, or NULL */
	size_t		 len;		/* GEN_DNS: byte count; GEN_IPADD with text NULL: raw length */
};

#define DNS(s)		{ GEN_DNS, (s), sizeof(s) - 1 }
#define IP(s)		{ GEN_IPADD, (s), 0 }

static void
add_sans(X509 *x, const struct san *s, size_t n)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	unsigned char raw[16];
	size_t i;

	assert_non_null(gens);
	for (i = 0; i < n; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_STRING *v;
		size_t len;

		assert_non_null(g);
		if (s[i].type == GEN_DNS) {
			v = ASN1_IA5STRING_new();
			assert_int_equal(ASN1_STRING_set(v, s[i].text, (int)s[i].len), 1);
		} else {
			memset(raw, 0x5a, sizeof(raw));
			if (s[i].text == NULL)
				len = s[i].len;
			else if (inet_pton(AF_INET, s[i].text, raw) == 1)
				len = 4;
			else {
				assert_int_equal(inet_pton(AF_INET6, s[i].text, raw), 1);
				len = 16;
			}
			v = ASN1_OCTET_STRING_new();
			assert_int_equal(ASN1_OCTET_STRING_set(v, raw, (int)len), 1);
		}
		GENERAL_NAME_set0_value(g, s[i].type, v);
		assert_true(sk_GENERAL_NAME_push(gens, g) > 0);
	}
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0), 1);
	GENERAL_NAMES_free(gens);
}

/*
 * A certificate for key, with subject CN cn (none when NULL) and the SANs given (no extension
 * when n is 0), signed by the test CA with md, or self-signed by key when self is set.
 * NULL when OpenSSL refuses to sign with md (MD5 or SHA-1 under a strict policy).
 */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, const struct san *s, size_t n, const EVP_MD *md, int self)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(x);
	assert_non_null(name);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 2), 1);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), NOW - 86400));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), NOW + 90 * 86400));
	if (cn != NULL)
		assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_subject_name(x, name), 1);
	assert_int_equal(X509_set_issuer_name(x, self ? name : X509_get_subject_name(ca_cert)), 1);
	X509_NAME_free(name);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	if (n > 0)
		add_sans(x, s, n);
	if (X509_sign(x, self ? key : ca_key, md) <= 0) {
		ERR_clear_error();
		X509_free(x);
		return NULL;
	}
	return x;
}

static int
setup(void **state)
{
	X509_NAME *name;

	(void)state;
	ca_key = EVP_RSA_gen(2048);
	ca_cert = X509_new();
	name = X509_NAME_new();
	if (ca_key == NULL || ca_cert == NULL || name == NULL)
		return -1;
	X509_set_version(ca_cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(ca_cert), 1);
	ASN1_TIME_set(X509_getm_notBefore(ca_cert), NOW - 86400);
	ASN1_TIME_set(X509_getm_notAfter(ca_cert), NOW + 365 * 86400);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"mailtls test CA",
	    -1, -1, 0);
	X509_set_subject_name(ca_cert, name);
	X509_set_issuer_name(ca_cert, name);
	X509_NAME_free(name);
	X509_set_pubkey(ca_cert, ca_key);
	{
		BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();

		bc->ca = 1;
		X509_add1_ext_i2d(ca_cert, NID_basic_constraints, bc, 1, 0);
		BASIC_CONSTRAINTS_free(bc);
	}
	return X509_sign(ca_cert, ca_key, EVP_sha256()) > 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	X509_free(ca_cert);
	EVP_PKEY_free(ca_key);
	return 0;
}

/* cert_describe() against a store that trusts the test CA. */
static struct endpoint_cert *
describe(struct arena *a, X509 *leaf, const char *refname)
{
	X509_STORE *store = X509_STORE_new();
	struct endpoint_cert *c;

	assert_non_null(store);
	assert_int_equal(X509_STORE_add_cert(store, ca_cert), 1);
	c = cert_describe(leaf, NULL, store, refname, a, NOW);
	X509_STORE_free(store);
	assert_non_null(c);
	return c;
}

struct name_case {
	const char	*ref;
	int		 want;
	const char	*matched;	/* name_matched when want is 1 */
};

static void
check_names(EVP_PKEY *key, const char *what, const char *cn, const struct san *s, size_t n,
    const struct name_case *nc, size_t nn)
{
	X509 *leaf = make_cert(key, cn, s, n, EVP_sha256(), 0);
	struct arena *a = arena_new();
	size_t i;

	assert_non_null(leaf);
	for (i = 0; i < nn; i++) {
		struct endpoint_cert *c = describe(a, leaf, nc[i].ref);

		if (c->name_match != nc[i].want)
			fprintf(stderr, "%s: %s: name_match %d, want %d\n", what, nc[i].ref,
			    c->name_match, nc[i].want);
		assert_int_equal(c->name_match, nc[i].want);
		assert_true(c->chain_valid);
		if (nc[i].want)
			assert_string_equal(c->name_matched, nc[i].matched);
		else
			assert_null(c->name_matched);
	}
	arena_free(a);
	X509_free(leaf);
}

static void
test_names(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	static const struct san mixed[] = {
		DNS("mx.example.org"), IP("192.0.2.1"), IP("2001:db8::25"), DNS("*.example.net"),
	};
	static const struct name_case mixed_cases[] = {
		{ "mx.example.org", 1, "mx.example.org" },
		{ "MX.example.org.", 1, "mx.example.org" },
		{ "a.example.net", 1, "*.example.net" },
		{ "192.0.2.1", 1, "192.0.2.1" },			/* RFC 2818 §3.1 */
		{ "2001:db8::25", 1, "2001:db8::25" },
		{ "[2001:DB8:0:0::25]", 1, "[2001:DB8:0:0::25]" },	/* octets, not text */
		{ "192.0.2.2", 0, NULL },
		{ "::ffff:192.0.2.1", 0, NULL },			/* families kept apart */
		{ "cn.example.org", 0, NULL },				/* DNS-IDs present: no CN */
		{ "example.org", 0, NULL },
	};
	/* an IP reference never matches DNS-ID or CN text, nor a wildcard */
	static const struct san ip_text[] = { DNS("192.0.2.1"), DNS("*.0.2.1"), IP("192.0.2.9") };
	static const struct name_case ip_text_cases[] = {
		{ "192.0.2.1", 0, NULL },
		{ "192.0.2.9", 1, "192.0.2.9" },
	};
	/* iPAddress SANs are not DNS-IDs: the CN is still consulted for a DNS reference */
	static const struct san ip_only[] = { IP("192.0.2.1") };
	static const struct name_case ip_only_cases[] = {
		{ "mx.example.org", 1, "mx.example.org" },
		{ "192.0.2.1", 1, "192.0.2.1" },
	};
	/* RFC 6125 §6.4.4: an empty dNSName, or one with a NUL, is a DNS-ID that never matches */
	static const struct san empty[] = { DNS("") };
	static const struct san nul[] = { DNS("mx.example.org\0.evil.example") };
	static const struct name_case blocked_cases[] = {
		{ "mx.example.org", 0, NULL },
		{ "", 0, NULL },
	};
	/* a bad dNSName beside a good one changes nothing for the good one */
	static const struct san empty_good[] = { DNS(""), DNS("mx.example.org") };
	static const struct name_case empty_good_cases[] = {
		{ "mx.example.org", 1, "mx.example.org" },
		{ "cn.example.org", 0, NULL },
	};
	/* an iPAddress of another length (a name-constraint range) never matches */
	static const struct san ip_odd[] = { { GEN_IPADD, NULL, 8 }, { GEN_IPADD, NULL, 0 } };
	static const struct name_case ip_odd_cases[] = {
		{ "90.90.90.90", 0, NULL },
		{ "mx.example.org", 1, "mx.example.org" },	/* CN: no DNS-ID present */
	};
	static const struct name_case cn_cases[] = {
		{ "mx.example.org", 1, "mx.example.org" },
		{ "mx2.example.org", 0, NULL },
		{ "192.0.2.1", 0, NULL },
	};
	static const struct name_case cn_ip_cases[] = {
		{ "192.0.2.1", 0, NULL },			/* a CN is never an iPAddress SAN */
	};
	static const struct name_case nothing_cases[] = {
		{ "mx.example.org", 0, NULL },
		{ "192.0.2.1", 0, NULL },
	};

	(void)state;
	assert_non_null(key);
	check_names(key, "mixed", "cn.example.org", mixed, NELEM(mixed), mixed_cases,
	    NELEM(mixed_cases));
	check_names(key, "ip as text", "192.0.2.1", ip_text, NELEM(ip_text), ip_text_cases,
	    NELEM(ip_text_cases));
	check_names(key, "ip only", "mx.example.org", ip_only, NELEM(ip_only), ip_only_cases,
	    NELEM(ip_only_cases));
	check_names(key, "empty dNSName", "mx.example.org", empty, NELEM(empty), blocked_cases,
	    NELEM(blocked_cases));
	check_names(key, "NUL dNSName", "mx.example.org", nul, NELEM(nul), blocked_cases,
	    NELEM(blocked_cases));
	check_names(key, "empty and good", "cn.example.org", empty_good, NELEM(empty_good),
	    empty_good_cases, NELEM(empty_good_cases));
	check_names(key, "odd iPAddress", "mx.example.org", ip_odd, NELEM(ip_odd), ip_odd_cases,
	    NELEM(ip_odd_cases));
	check_names(key, "CN only", "mx.example.org", NULL, 0, cn_cases, NELEM(cn_cases));
	check_names(key, "CN is an IP", "192.0.2.1", NULL, 0, cn_ip_cases, NELEM(cn_ip_cases));
	check_names(key, "no names", NULL, NULL, 0, nothing_cases, NELEM(nothing_cases));
	EVP_PKEY_free(key);
}

/* The san list the report shows: good dNSNames only; iPAddress SANs are not in it. */
static void
test_san_list(void **state)
{
	static const struct san s[] = {
		DNS(""), DNS("mx.example.org"), IP("192.0.2.1"), DNS("a\0b"), DNS("mx2.example.org"),
	};
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *leaf;
	struct arena *a = arena_new();
	struct endpoint_cert *c;

	(void)state;
	assert_non_null(key);
	leaf = make_cert(key, NULL, s, NELEM(s), EVP_sha256(), 0);
	assert_non_null(leaf);
	c = describe(a, leaf, "mx2.example.org");
	assert_int_equal(c->nsan, 2);
	assert_string_equal(c->san[0], "mx.example.org");
	assert_string_equal(c->san[1], "mx2.example.org");
	assert_true(c->name_match);
	arena_free(a);
	X509_free(leaf);
	EVP_PKEY_free(key);
}

/* ENDPOINT_SAN_MAX bounds the dNSNames kept; iPAddress SANs after them are still seen. */
static void
test_san_max(void **state)
{
	size_t n = ENDPOINT_SAN_MAX + 200, i;
	struct san *s = calloc(n + 1, sizeof(*s));
	char (*names)[32] = calloc(n, sizeof(*names));
	EVP_PKEY *key = EVP_EC_gen("P-256");
	struct arena *a = arena_new();
	struct endpoint_cert *c;
	X509 *leaf;

	(void)state;
	assert_non_null(s);
	assert_non_null(names);
	assert_non_null(key);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "mx%zu.example.org", i);
		s[i].type = GEN_DNS;
		s[i].text = names[i];
		s[i].len = strlen(names[i]);
	}
	s[n].type = GEN_IPADD;
	s[n].text = "192.0.2.1";
	leaf = make_cert(key, NULL, s, n + 1, EVP_sha256(), 0);
	assert_non_null(leaf);
	c = describe(a, leaf, "mx0.example.org");
	assert_int_equal(c->nsan, ENDPOINT_SAN_MAX);
	assert_true(c->name_match);
	c = describe(a, leaf, "mx1100.example.org");	/* past the bound: not kept */
	assert_false(c->name_match);
	c = describe(a, leaf, "192.0.2.1");
	assert_true(c->name_match);
	arena_free(a);
	X509_free(leaf);
	EVP_PKEY_free(key);
	free(names);
	free(s);
}

/* cert_describe()'s key facts and cert.weak_key on real keys. */
static void
test_keys(void **state)
{
	static const struct {
		const char	*what;
		const char	*type;		/* key_type cert_describe() reports */
		int		 bits;
		int		 weak;
		const char	*detail;
	} keys[] = {
		{ "RSA-1024", "RSA", 1024, 1, "RSA 1024 bits (RSA-equivalent 1024, under 2048)" },
		{ "RSA-2048", "RSA", 2048, 0, NULL },
		{ "P-192", "EC", 192, 1, "EC 192 bits (RSA-equivalent 1024, under 2048)" },
		{ "P-224", "EC", 224, 0, NULL },
		{ "P-256", "EC", 256, 0, NULL },
		{ "ED25519", "ED25519", 256, 0, NULL },	/* OpenSSL counts 256 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(keys); i++) {
		EVP_PKEY *key;
		struct arena *a = arena_new();
		struct endpoint_cert *c;
		const char *d;
		X509 *leaf;

		if (strncmp(keys[i].what, "RSA-", 4) == 0)
			key = EVP_RSA_gen((unsigned int)keys[i].bits);
		else if (strcmp(keys[i].what, "ED25519") == 0)
			key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		else
			key = EVP_EC_gen(keys[i].what);
		if (key == NULL) {
			fprintf(stderr, "%s: this OpenSSL cannot make the key, not tested\n",
			    keys[i].what);
			ERR_clear_error();
			arena_free(a);
			continue;
		}
		leaf = make_cert(key, "mx.example.org", NULL, 0, EVP_sha256(), 0);
		assert_non_null(leaf);
		c = describe(a, leaf, "mx.example.org");
		assert_string_equal(c->key_type, keys[i].type);
		assert_int_equal(c->key_bits, keys[i].bits);
		assert_int_equal(cert_weak_key(c->key_type, c->key_bits), keys[i].weak);
		d = cert_weak_key_detail(a, c->key_type, c->key_bits);
		if (keys[i].detail == NULL)
			assert_null(d);
		else
			assert_string_equal(d, keys[i].detail);
		assert_string_equal(c->sig_alg, "sha256WithRSAEncryption");
		assert_false(cert_weak_sigalg(c->sig_alg));
		X509_free(leaf);
		arena_free(a);
		EVP_PKEY_free(key);
	}
}

/* cert.weak_signature on certificates really signed with each hash. */
static void
test_signatures(void **state)
{
	static const struct {
		const char	*md;		/* digest name; NULL: the key's own (EdDSA) */
		const char	*key;		/* "RSA", "EC", "ED25519": the self-signing key */
		int		 self;
		const char	*sig_alg;
		int		 weak;
	} sigs[] = {
		{ "MD5", "RSA", 0, "md5WithRSAEncryption", 1 },
		{ "SHA1", "RSA", 0, "sha1WithRSAEncryption", 1 },
		{ "SHA256", "RSA", 0, "sha256WithRSAEncryption", 0 },
		{ "SHA384", "RSA", 0, "sha384WithRSAEncryption", 0 },
		{ "SHA1", "EC", 1, "ecdsa-with-SHA1", 1 },
		{ "SHA256", "EC", 1, "ecdsa-with-SHA256", 0 },
		{ NULL, "ED25519", 1, "ED25519", 0 },
	};
	EVP_PKEY *ec = EVP_EC_gen("P-256"), *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	size_t i;

	(void)state;
	assert_non_null(ec);
	assert_non_null(ed);
	for (i = 0; i < NELEM(sigs); i++) {
		EVP_PKEY *key = strcmp(sigs[i].key, "ED25519") == 0 ? ed : ec;
		EVP_MD *md = NULL;
		struct arena *a;
		struct endpoint_cert *c;
		X509 *leaf;

		if (sigs[i].md != NULL && (md = EVP_MD_fetch(NULL, sigs[i].md, NULL)) == NULL) {
			fprintf(stderr, "%s: digest not available, not tested\n", sigs[i].md);
			ERR_clear_error();
			continue;
		}
		leaf = make_cert(key, "mx.example.org", NULL, 0, md, sigs[i].self);
		EVP_MD_free(md);
		if (leaf == NULL) {
			fprintf(stderr, "%s/%s: OpenSSL would not sign, not tested\n", sigs[i].md,
			    sigs[i].key);
			continue;
		}
		a = arena_new();
		c = describe(a, leaf, "mx.example.org");
		assert_string_equal(c->sig_alg, sigs[i].sig_alg);
		assert_int_equal(cert_weak_sigalg(c->sig_alg), sigs[i].weak);
		X509_free(leaf);
		arena_free(a);
	}
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ed);
}

/* The findings and the grade classify every key and signature name alike. */
static void
test_agrees_with_grade(void **state)
{
	static const struct {
		const char	*type;
		int		 bits;
	} keys[] = {
		{ "RSA", 512 }, { "RSA", 1023 }, { "RSA", 1024 }, { "RSA", 2047 }, { "RSA", 2048 },
		{ "RSA", 4096 }, { "RSA-PSS", 1024 }, { "RSASSA-PSS", 2048 }, { "DSA", 1024 },
		{ "DSA", 3072 }, { "EC", 112 }, { "EC", 160 }, { "EC", 192 }, { "EC", 223 },
		{ "EC", 224 }, { "EC", 256 }, { "EC", 384 }, { "EC", 521 }, { "ED25519", 253 },
		{ "ED448", 456 }, { "X25519", 253 }, { "SM2", 256 }, { NULL, 2048 }, { "RSA", 0 },
		{ "RSA", -1 }, { "rsa", 1024 }, { "ec", 160 },
	};
	static const char *const sigs[] = {
		"sha256WithRSAEncryption", "sha384WithRSAEncryption", "ecdsa-with-SHA256",
		"ecdsa-with-SHA512", "RSASSA-PSS", "rsassaPss", "ED25519", "ED448",
		"id-rsassa-pkcs1-v1_5-with-sha3-256", "sha1WithRSAEncryption", "ecdsa-with-SHA1",
		"dsaWithSHA1", "RSA-SHA1", "md5WithRSAEncryption", "md2WithRSAEncryption",
		"md4WithRSAEncryption", "RSA-MD5", "shaWithRSAEncryption", "dsaWithSHA", NULL, "",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(keys); i++) {
		unsigned int eq = keys[i].bits > 0 ?
		    grade_key_strength(keys[i].type, (unsigned int)keys[i].bits) : 0;

		assert_int_equal(cert_key_strength(keys[i].type, keys[i].bits), (int)eq);
		assert_int_equal(cert_weak_key(keys[i].type, keys[i].bits), eq > 0 && eq < 2048);
	}
	for (i = 0; i < NELEM(sigs); i++)
		assert_int_equal(cert_weak_sigalg(sigs[i]), grade_sig_class(sigs[i]) != GRADE_SIG_OK);
	/* the detail names the equivalent when it differs from the size, as the grade does */
	{
		struct arena *a = arena_new();

		assert_string_equal(cert_weak_key_detail(a, "EC", 160),
		    "EC 160 bits (RSA-equivalent 1024, under 2048)");
		assert_null(cert_weak_key_detail(a, "X25519", 253));
		arena_free(a);
	}
}

/*
 * A CA certificate named "mailtls test CA" (the test CA's name) for key, issued under
 * issuer_cn and signed by signer: the test CA's key cross-signed by another root, or an
 * impostor that carries the CA's name with another key.
 */
static X509 *
make_ca_like(EVP_PKEY *key, const char *issuer_cn, EVP_PKEY *signer)
{
	X509 *x = X509_new();
	X509_NAME *sub = X509_NAME_new(), *iss = X509_NAME_new();
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	ASN1_TIME_set(X509_getm_notBefore(x), NOW - 86400);
	ASN1_TIME_set(X509_getm_notAfter(x), NOW + 365 * 86400);
	X509_NAME_add_entry_by_txt(sub, "CN", MBSTRING_ASC, (const unsigned char *)"mailtls test CA",
	    -1, -1, 0);
	X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_ASC, (const unsigned char *)issuer_cn, -1, -1,
	    0);
	X509_set_subject_name(x, sub);
	X509_set_issuer_name(x, iss);
	X509_set_pubkey(x, key);
	bc->ca = 1;
	X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, 0);
	BASIC_CONSTRAINTS_free(bc);
	X509_NAME_free(sub);
	X509_NAME_free(iss);
	assert_true(X509_sign(x, signer, EVP_sha256()) > 0);
	return x;
}

/* cert_describe() with the chain the server sent; trust_ca: the store trusts the test CA */
static struct endpoint_cert *
describe_sent(struct arena *a, X509 *leaf, X509 *sent1, int trust_ca)
{
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *sent = sk_X509_new_null();
	struct endpoint_cert *c;

	assert_non_null(store);
	assert_non_null(sent);
	if (trust_ca)
		assert_int_equal(X509_STORE_add_cert(store, ca_cert), 1);
	if (sent1 != NULL)
		sk_X509_push(sent, sent1);
	c = cert_describe(leaf, sent, store, "mx.example", a, NOW);
	sk_X509_free(sent);
	X509_STORE_free(store);
	assert_non_null(c);
	return c;
}

/*
 * The issuer a 2 1 1 record is advised for (RFC 7671 §5.2): it must have signed the leaf, not
 * only carry its issuer's name; and "sent" means its key is in the chain sent, whichever
 * certificate carries it (a cross-signed copy).
 */
static void
test_issuer(void **state)
{
	static const struct san s[] = { DNS("mx.example") };
	/* RSA like the CA's, so the key types agree and only the signature tells them apart */
	EVP_PKEY *other = EVP_EC_gen("P-256"), *root = EVP_RSA_gen(2048);
	X509 *leaf = make_cert(other, NULL, s, 1, EVP_sha256(), 0);
	X509 *impostor, *cross;
	struct arena *a = arena_new();
	struct endpoint_cert *c, *ref;

	(void)state;
	assert_non_null(other);
	assert_non_null(root);
	assert_non_null(leaf);
	/* the real CA sent, not trusted: found in the sent chain, sent */
	ref = describe_sent(a, leaf, ca_cert, 0);
	assert_non_null(ref->issuer_spki_sha256);
	assert_true(ref->issuer_sent);
	/* trusted and not sent: found, not sent */
	c = describe_sent(a, leaf, NULL, 1);
	assert_non_null(c->issuer_spki_sha256);
	assert_string_equal(c->issuer_spki_sha256, ref->issuer_spki_sha256);
	assert_false(c->issuer_sent);
	/* the CA's name on another key, sent: names agree, the signature does not: no issuer */
	impostor = make_ca_like(root, "mailtls test CA", root);
	c = describe_sent(a, leaf, impostor, 0);
	assert_null(c->issuer_spki_sha256);
	assert_false(c->issuer_sent);
	/* the trusted CA's key cross-signed by another root, sent: the path is built through the
	   trusted copy, and the sent copy carries the same key, so it counts as sent */
	cross = make_ca_like(ca_key, "another root", root);
	c = describe_sent(a, leaf, cross, 1);
	assert_non_null(c->issuer_spki_sha256);
	assert_string_equal(c->issuer_spki_sha256, ref->issuer_spki_sha256);
	assert_true(c->issuer_sent);
	X509_free(cross);
	X509_free(impostor);
	X509_free(leaf);
	EVP_PKEY_free(other);
	EVP_PKEY_free(root);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_san_list),
		cmocka_unit_test(test_san_max),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_agrees_with_grade),
		cmocka_unit_test(test_issuer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
