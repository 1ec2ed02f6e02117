/*
 * test_tls_dane.c — DANE through the real client session code (tls.c) against an in-memory
 * OpenSSL server: the two talk through tls_session_drain()/tls_session_feed() and the server's
 * memory BIOs, no socket.
 *
 * RFC 7672 §3.2.3: with DANE-TA(2) the names in the certificate are checked, and a wildcard
 * matches only as the whole leftmost label; "mx*.example.org" must not match mx1.example.org.
 * DANE-EE(3) checks no names at all (RFC 7671 §5.1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "probe/endpoint.h"
#include "tls/tls.h"
#include "util/arena.h"
#include "util/dbuf.h"

/* One throw-away CA, made once for the whole group. */
static EVP_PKEY *ca_key;
static X509 *ca_cert;
static struct tls_client *client;

static void
dane_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A certificate for key k, signed by issuer (self-signed when issuer is NULL). */
static X509 *
dane_cert(EVP_PKEY *k, const char *cn, const char *san, X509 *issuer, EVP_PKEY *ikey)
{
	X509 *x = X509_new();
	static long serial = 1;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	if (issuer == NULL) {
		dane_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		dane_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else
		dane_ext(x, issuer, NID_subject_alt_name, san);
	assert_true(X509_sign(x, ikey ? ikey : k, EVP_sha256()) > 0);
	return x;
}

static int
dane_setup(void **state)
{
	struct tls_config cfg = { 0 };
	char err[256];

	(void)state;
	ca_key = EVP_EC_gen("P-256");
	if (ca_key == NULL)
		return -1;
	ca_cert = dane_cert(ca_key, "Test DANE CA", NULL, NULL, NULL);
	client = tls_client_new(&cfg, err, sizeof(err));
	return client == NULL ? -1 : 0;
}

static int
dane_teardown(void **state)
{
	(void)state;
	tls_client_free(client);
	X509_free(ca_cert);
	EVP_PKEY_free(ca_key);
	return 0;
}

/* A TLSA record over the DER of x: selector 0 the certificate, 1 its SPKI; mtype 0 or 1. */
static struct tls_tlsa
dane_tlsa(unsigned char usage, unsigned char sel, unsigned char mtype, X509 *x,
    unsigned char *buf, size_t size)
{
	struct tls_tlsa t = { usage, sel, mtype, buf, 0 };
	unsigned char *der = NULL;
	unsigned int mdlen;
	int n;

	n = sel == 0 ? i2d_X509(x, &der) : i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	assert_true(n > 0 && (size_t)n <= size);
	if (mtype == 0) {
		memcpy(buf, der, (size_t)n);
		t.len = (size_t)n;
	} else {
		assert_true(EVP_Digest(der, (size_t)n, buf, &mdlen, EVP_sha256(), NULL));
		t.len = mdlen;
	}
	OPENSSL_free(der);
	return t;
}

/*
 * One handshake of tls.c's client against an OpenSSL server presenting leaf (for san) + CA, with
 * DANE armed for base and names.  Returns whether tls.c reports DANE as verified.
 */
static int
dane_run(const char *san, const char *base, const char *name, unsigned char usage,
    unsigned char sel, unsigned char mtype)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *leaf;
	SSL_CTX *sctx;
	SSL *srv;
	BIO *srd, *swr;
	struct tls_session *s;
	struct tls_tlsa rr;
	struct dbuf out;
	struct arena *a;
	struct endpoint *ep;
	const char *names[1] = { name };
	unsigned char buf[4096];
	char sbuf[16384];
	enum tls_step st = TLS_STEP_WANT;
	int i, n, srv_done = 0, verified;

	assert_non_null(k);
	leaf = dane_cert(k, "leaf", san, ca_cert, ca_key);
	sctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(sctx);
	assert_int_equal(SSL_CTX_use_certificate(sctx, leaf), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(sctx, k), 1);
	assert_int_equal(SSL_CTX_add1_chain_cert(sctx, ca_cert), 1);
	srv = SSL_new(sctx);
	srd = BIO_new(BIO_s_mem());
	swr = BIO_new(BIO_s_mem());
	assert_true(srv && srd && swr);
	BIO_set_mem_eof_return(srd, -1);
	SSL_set_bio(srv, srd, swr);
	SSL_set_accept_state(srv);

	rr = dane_tlsa(usage, sel, mtype, usage == 3 ? leaf : ca_cert, buf, sizeof(buf));
	s = tls_session_new(client, base);
	assert_int_equal(tls_session_dane(s, base, names, 1, &rr, 1), 1);

	dbuf_init(&out, 1 << 20);
	for (i = 0; i < 20 && !(st == TLS_STEP_DONE && srv_done); i++) {
		if (st != TLS_STEP_DONE)
			st = tls_session_handshake(s);
		assert_int_not_equal(st, TLS_STEP_ERROR);
		assert_int_equal(tls_session_drain(s, &out), 0);
		if (out.len > 0)
			assert_int_equal(BIO_write(srd, out.data, (int)out.len), (int)out.len);
		dbuf_reset(&out);
		if (!srv_done) {
			n = SSL_do_handshake(srv);
			if (n == 1)
				srv_done = 1;
			else
				assert_int_equal(SSL_get_error(srv, n), SSL_ERROR_WANT_READ);
		}
		while ((n = BIO_read(swr, sbuf, sizeof(sbuf))) > 0)
			assert_int_equal(tls_session_feed(s, sbuf, (size_t)n), 0);
	}
	assert_int_equal(st, TLS_STEP_DONE);

	a = arena_new();
	ep = endpoint_new(a, base, "127.0.0.1", 25, ENDPOINT_PROTO_SMTP, name);
	tls_session_describe(s, client, a, ep, (long)time(NULL));
	assert_non_null(ep->dane);
	assert_int_equal(ep->dane->records, 1);
	assert_int_equal(ep->dane->usable, 1);
	verified = ep->dane->verified;
	if (!verified)
		assert_non_null(ep->dane->error);

	arena_free(a);
	dbuf_free(&out);
	tls_session_free(s);
	SSL_free(srv);
	SSL_CTX_free(sctx);
	X509_free(leaf);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return verified;
}

struct dane_case {
	const char	*name;
	const char	*san;		/* subjectAltName of the leaf */
	const char	*base;		/* TLSA base domain */
	const char	*mx;		/* the MX host name (a further acceptable name) */
	unsigned char	 usage, sel, mtype;
	int		 want;		/* DANE verified */
};

static const struct dane_case dane_cases[] = {
	{ "2 0 0 exact name", "DNS:mx1.example.org", "mx1.example.org", "mx1.example.org",
	    2, 0, 0, 1 },
	{ "2 1 1 exact name", "DNS:mx1.example.org", "mx1.example.org", "mx1.example.org",
	    2, 1, 1, 1 },
	{ "2 0 0 full wildcard", "DNS:*.example.org", "mx1.example.org", "mx1.example.org",
	    2, 0, 0, 1 },
	{ "2 1 1 full wildcard", "DNS:*.example.org", "mx1.example.org", "mx1.example.org",
	    2, 1, 1, 1 },
	{ "2 0 0 partial wildcard", "DNS:mx*.example.org", "mx1.example.org", "mx1.example.org",
	    2, 0, 0, 0 },
	{ "2 1 1 partial wildcard", "DNS:mx*.example.org", "mx1.example.org", "mx1.example.org",
	    2, 1, 1, 0 },
	{ "2 1 1 suffix wildcard", "DNS:*1.example.org", "mx1.example.org", "mx1.example.org",
	    2, 1, 1, 0 },
	{ "2 0 1 wrong name", "DNS:mx2.example.org", "mx1.example.org", "mx1.example.org",
	    2, 0, 1, 0 },
	/* RFC 7672 §2.2.2: base is a CNAME target, the MX name is added with SSL_add1_host() */
	{ "2 1 1 MX name, full wildcard", "DNS:*.example.org", "mx.hoster.net", "mx1.example.org",
	    2, 1, 1, 1 },
	{ "2 1 1 MX name, partial wildcard", "DNS:mx*.example.org", "mx.hoster.net",
	    "mx1.example.org", 2, 1, 1, 0 },
	{ "2 1 1 base name, partial wildcard", "DNS:mx*.hoster.net", "mx.hoster.net",
	    "mx1.example.org", 2, 1, 1, 0 },
	/* DANE-EE(3) binds the key alone: the partial wildcard is irrelevant */
	{ "3 1 1 partial wildcard", "DNS:mx*.example.org", "mx1.example.org", "mx1.example.org",
	    3, 1, 1, 1 },
	{ "3 0 1 wrong name", "DNS:other.example.net", "mx1.example.org", "mx1.example.org",
	    3, 0, 1, 1 },
};

static void
test_dane_names(void **state)
{
	size_t i, bad = 0;
	int got;

	(void)state;
	for (i = 0; i < sizeof(dane_cases) / sizeof(dane_cases[0]); i++) {
		const struct dane_case *dc = &dane_cases[i];

		got = dane_run(dc->san, dc->base, dc->mx, dc->usage, dc->sel, dc->mtype);
		if (got != dc->want) {
			print_error("%s: DANE %s, want %s\n", dc->name,
			    got ? "verified" : "failed", dc->want ? "verified" : "failed");
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dane_names),
	};

	return cmocka_run_group_tests(tests, dane_setup, dane_teardown);
}
