/*
 * cert.c — see cert.h.  X.509 v3 built with OpenSSL 3's X509 and X509V3 APIs (RFC 5280), the
 * keys with EVP_EC_gen().  Each run makes a fresh "unknown" CA, so no client can trust it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "mitm/cert.h"
#include "util/xalloc.h"

#define DAY	(24L * 3600)

struct mitm_certs {
	SSL_CTX	*ctx[MITM_ATTACK_LAST];
	int	 trusted;
};

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return -1;
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return 0;
}

/*
 * A certificate for cn (SAN DNS: or IP:), valid from nb to na seconds relative to now, signed by
 * (issuer, ikey), or self-signed when issuer is NULL.
 */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, int is_ca, long nb, long na, X509 *issuer,
    EVP_PKEY *ikey)
{
	X509 *x = X509_new();
	X509_NAME *n;
	BIGNUM *bn = BN_new();
	unsigned char ip[16];
	char san[300];

	if (x == NULL || bn == NULL)
		goto fail;
	X509_set_version(x, 2);
	if (!BN_rand(bn, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto fail;
	X509_gmtime_adj(X509_getm_notBefore(x), nb);
	X509_gmtime_adj(X509_getm_notAfter(x), na);
	X509_set_pubkey(x, key);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"mailtls mitm", -1,
	    -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	if (is_ca) {
		if (add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
		    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") < 0 ||
		    add_ext(x, x, NID_subject_key_identifier, "hash") < 0)
			goto fail;
	} else {
		if (inet_pton(AF_INET, cn, ip) == 1 || inet_pton(AF_INET6, cn, ip) == 1)
			snprintf(san, sizeof(san), "IP:%s", cn);
		else
			snprintf(san, sizeof(san), "DNS:%s", cn);
		if (add_ext(x, issuer ? issuer : x, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
		    add_ext(x, x, NID_key_usage, "critical,digitalSignature,keyEncipherment") < 0 ||
		    add_ext(x, x, NID_ext_key_usage, "serverAuth") < 0 ||
		    add_ext(x, x, NID_subject_alt_name, san) < 0)
			goto fail;
	}
	if (X509_sign(x, issuer ? ikey : key, EVP_sha256()) == 0)
		goto fail;
	BN_free(bn);
	return x;
fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

/* The mitm keeps no session state between connections: every attack is a fresh handshake. */
static void
ctx_no_resumption(SSL_CTX *ctx)
{
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
}

/* The control run and starttls.inject present the same certificate: one context for both. */
static void
set_control_ctx(struct mitm_certs *c, SSL_CTX *ctx)
{
	c->ctx[MITM_ATTACK_NONE] = ctx;
	if (ctx != NULL)
		SSL_CTX_up_ref(ctx);
	c->ctx[MITM_ATTACK_INJECT] = ctx;
}

static SSL_CTX *
make_ctx(X509 *leaf, EVP_PKEY *key, X509 *chain)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL)
		return NULL;
	if (SSL_CTX_use_certificate(ctx, leaf) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (chain != NULL) {
		X509_up_ref(chain);
		if (SSL_CTX_add_extra_chain_cert(ctx, chain) != 1)
			X509_free(chain);
	}
	ctx_no_resumption(ctx);
	return ctx;
}

static int
load_pair(const char *cf, const char *kf, X509 **x, EVP_PKEY **k, char *err, size_t errlen)
{
	FILE *f;

	*x = NULL;
	*k = NULL;
	if ((f = fopen(cf, "r")) == NULL) {
		snprintf(err, errlen, "cannot read %s", cf);
		return -1;
	}
	*x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if ((f = fopen(kf, "r")) == NULL) {
		snprintf(err, errlen, "cannot read %s", kf);
		return -1;
	}
	*k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (*x == NULL || *k == NULL || X509_check_private_key(*x, *k) != 1) {
		snprintf(err, errlen, "%s and %s are not a matching PEM certificate and key", cf, kf);
		return -1;
	}
	return 0;
}

struct mitm_certs *
mitm_certs_new(const struct mitm_cert_params *p, char *err, size_t errlen)
{
	struct mitm_certs *c = xcalloc(1, sizeof(*c));
	EVP_PKEY *cakey = NULL, *key = NULL, *tkey = NULL;
	X509 *ca = NULL, *tca = NULL, *x = NULL;
	X509 *issuer;
	EVP_PKEY *ikey;
	const char *name = p->name;

	if ((cakey = EVP_EC_gen("P-256")) == NULL || (key = EVP_EC_gen("P-256")) == NULL) {
		snprintf(err, errlen, "cannot generate EC keys");
		goto fail;
	}
	if (p->ca_cert_file != NULL &&
	    load_pair(p->ca_cert_file, p->ca_key_file, &tca, &tkey, err, errlen) < 0)
		goto fail;
	if ((ca = make_cert(cakey, "mailtls mitm untrusted CA", 1, -DAY, 30 * DAY, NULL, NULL)) ==
	    NULL)
		goto gen;
	issuer = tca ? tca : ca;
	ikey = tca ? tkey : cakey;

	/* cert.selfsigned: the right name, signed by its own key */
	if ((x = make_cert(key, name, 0, -DAY, 30 * DAY, NULL, NULL)) == NULL)
		goto gen;
	c->ctx[MITM_ATTACK_CERT_SELFSIGNED] = make_ctx(x, key, NULL);
	X509_free(x);
	/* cert.unknownca: the right name, a CA generated now */
	if ((x = make_cert(key, name, 0, -DAY, 30 * DAY, ca, cakey)) == NULL)
		goto gen;
	c->ctx[MITM_ATTACK_CERT_UNKNOWNCA] = make_ctx(x, key, ca);
	if (p->cert_file == NULL && tca == NULL)
		set_control_ctx(c, make_ctx(x, key, ca));
	X509_free(x);
	/* cert.wrongname and cert.expired: issued by the trusted CA when there is one */
	if ((x = make_cert(key, "wrong-name.invalid", 0, -DAY, 30 * DAY, issuer, ikey)) == NULL)
		goto gen;
	c->ctx[MITM_ATTACK_CERT_WRONGNAME] = make_ctx(x, key, tca ? NULL : ca);
	X509_free(x);
	if ((x = make_cert(key, name, 0, -400 * DAY, -30 * DAY, issuer, ikey)) == NULL)
		goto gen;
	c->ctx[MITM_ATTACK_CERT_EXPIRED] = make_ctx(x, key, tca ? NULL : ca);
	X509_free(x);
	x = NULL;
	if (p->cert_file != NULL) {
		SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

		if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, p->cert_file) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, p->key_file, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
			SSL_CTX_free(ctx);
			snprintf(err, errlen, "cannot use --cert %s with --key %s", p->cert_file,
			    p->key_file);
			goto fail;
		}
		ctx_no_resumption(ctx);
		set_control_ctx(c, ctx);
		c->trusted = 1;
	} else if (tca != NULL) {
		if ((x = make_cert(key, name, 0, -DAY, 30 * DAY, tca, tkey)) == NULL)
			goto gen;
		set_control_ctx(c, make_ctx(x, key, NULL));
		X509_free(x);
		c->trusted = 1;
	}
	if (c->ctx[MITM_ATTACK_NONE] == NULL || c->ctx[MITM_ATTACK_CERT_EXPIRED] == NULL ||
	    c->ctx[MITM_ATTACK_CERT_SELFSIGNED] == NULL || c->ctx[MITM_ATTACK_CERT_UNKNOWNCA] == NULL ||
	    c->ctx[MITM_ATTACK_CERT_WRONGNAME] == NULL || c->ctx[MITM_ATTACK_INJECT] == NULL)
		goto gen;
	X509_free(ca);
	X509_free(tca);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	EVP_PKEY_free(tkey);
	return c;
gen:
	{
		unsigned long e = ERR_get_error();
		const char *r = e ? ERR_reason_error_string(e) : NULL;

		snprintf(err, errlen, "cannot build the mitm certificates: %s",
		    r ? r : "OpenSSL error");
	}
fail:
	X509_free(ca);
	X509_free(tca);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	EVP_PKEY_free(tkey);
	mitm_certs_free(c);
	return NULL;
}

void
mitm_certs_free(struct mitm_certs *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < MITM_ATTACK_LAST; i++)
		SSL_CTX_free(c->ctx[i]);
	free(c);
}

SSL_CTX *
mitm_certs_ctx(struct mitm_certs *c, enum mitm_attack a)
{
	return (unsigned)a < MITM_ATTACK_LAST ? c->ctx[a] : NULL;
}

int
mitm_certs_trusted(const struct mitm_certs *c)
{
	return c->trusted;
}
