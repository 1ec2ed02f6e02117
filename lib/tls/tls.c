/*
 * tls.c — OpenSSL 3 client sessions over memory BIOs.
 *
 * The SSL_CTX verifies nothing during the handshake (SSL_VERIFY_NONE): a scanner must finish the
 * handshake with a broken certificate to report on it.  Chain validation happens afterwards in
 * cert.c against the same trust store, and name checks follow RFC 6125 in certname.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "probe/endpoint.h"
#include "tls/cert.h"
#include "tls/tls.h"
#include "util/arena.h"
#include "util/dbuf.h"
#include "util/xalloc.h"

struct tls_client {
	SSL_CTX		*ctx;
	X509_STORE	*store;		/* owned by ctx */
};

struct tls_session {
	SSL		*ssl;
	int		 dane_records;
	int		 dane_usable;
	BIO		*rbio;		/* bytes from the peer, written by us */
	BIO		*wbio;		/* bytes for the peer, read by us */
	char		 error[256];
	int		 peer_closed;	/* close_notify received (SSL_ERROR_ZERO_RETURN) */
};

struct tls_client *
tls_client_new(const struct tls_config *cfg, char *err, size_t errlen)
{
	struct tls_client *c = xcalloc(1, sizeof(*c));

	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL)
		goto fail;
	/*
	 * Offer everything the linked OpenSSL can do at its lowest security level, so that the
	 * handshake succeeds with legacy servers and we can report what they chose.
	 */
	SSL_CTX_set_security_level(c->ctx, 0);
	SSL_CTX_set_min_proto_version(c->ctx, 0);
	SSL_CTX_set_max_proto_version(c->ctx, 0);
	SSL_CTX_set_cipher_list(c->ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_options(c->ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET);
	if (cfg->ca_file || cfg->ca_path) {
		if (SSL_CTX_load_verify_locations(c->ctx, cfg->ca_file, cfg->ca_path) != 1) {
			snprintf(err, errlen, "cannot load CA %s%s%s", cfg->ca_file ? cfg->ca_file : "",
			    cfg->ca_file && cfg->ca_path ? " / " : "", cfg->ca_path ? cfg->ca_path : "");
			SSL_CTX_free(c->ctx);
			free(c);
			return NULL;
		}
	} else
		SSL_CTX_set_default_verify_paths(c->ctx);
	c->store = SSL_CTX_get_cert_store(c->ctx);
	/*
	 * DANE-EE(3) binds the key alone: no name or date checks (RFC 7671 §5.1); OpenSSL's
	 * flag does exactly that.  Sessions without TLSA records are unaffected.
	 */
	if (SSL_CTX_dane_enable(c->ctx) <= 0)
		goto fail;
	SSL_CTX_dane_set_flags(c->ctx, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	return c;
fail:
	snprintf(err, errlen, "OpenSSL: %s", ERR_reason_error_string(ERR_get_error()));
	free(c);
	return NULL;
}

void
tls_client_free(struct tls_client *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

static int
tls_is_ip(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

struct tls_session *
tls_session_new(struct tls_client *c, const char *sni)
{
	return tls_session_new_ctx(c->ctx, sni);
}

struct tls_session *
tls_session_new_ctx(SSL_CTX *ctx, const char *sni)
{
	struct tls_session *s = xcalloc(1, sizeof(*s));

	s->ssl = SSL_new(ctx);
	s->rbio = BIO_new(BIO_s_mem());
	s->wbio = BIO_new(BIO_s_mem());
	if (s->ssl == NULL || s->rbio == NULL || s->wbio == NULL)
		BUG("OpenSSL allocation failed");
	BIO_set_mem_eof_return(s->rbio, -1);
	SSL_set_bio(s->ssl, s->rbio, s->wbio);
	SSL_set_connect_state(s->ssl);
	/* RFC 6066 §3: no IP literals in server_name */
	if (sni && *sni && !tls_is_ip(sni) && SSL_set_tlsext_host_name(s->ssl, sni) != 1)
		ERR_clear_error();
	return s;
}

SSL *
tls_session_ssl(struct tls_session *s)
{
	return s->ssl;
}

void
tls_session_free(struct tls_session *s)
{
	if (s == NULL)
		return;
	SSL_free(s->ssl);	/* frees both BIOs */
	free(s);
}

int
tls_session_dane(struct tls_session *s, const char *base, const char *const *names, size_t nnames,
    const struct tls_tlsa *rr, size_t n)
{
	size_t i;
	int r;

	if (SSL_dane_enable(s->ssl, base) <= 0) {
		ERR_clear_error();
		return -1;
	}
	/*
	 * RFC 7672 §3.2.3: a wildcard matches only as the whole leftmost label ("*.example.org"),
	 * never "mx*.example.org" (as certname.c rules); OpenSSL's default would accept it.  For
	 * the base domain and every name below, as DANE-TA(2) name checks use them all.
	 */
	SSL_set_hostflags(s->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	for (i = 0; i < nnames; i++)
		if (names[i] && strcasecmp(names[i], base) != 0)
			SSL_add1_host(s->ssl, names[i]);
	for (i = 0; i < n; i++) {
		s->dane_records++;
		/* > 0 usable, 0 unusable (e.g. PKIX usages we did not enable), < 0 malformed */
		r = SSL_dane_tlsa_add(s->ssl, rr[i].usage, rr[i].selector, rr[i].mtype,
		    rr[i].data, rr[i].len);
		if (r > 0)
			s->dane_usable++;
	}
	ERR_clear_error();
	return s->dane_usable;
}

int
tls_session_feed(struct tls_session *s, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	return BIO_write(s->rbio, p, (int)n) == (int)n ? 0 : -1;
}

static void
tls_session_set_error(struct tls_session *s, int ret)
{
	unsigned long e;
	const char *r;

	e = ERR_peek_last_error();
	r = e ? ERR_reason_error_string(e) : NULL;
	switch (SSL_get_error(s->ssl, ret)) {
	case SSL_ERROR_SSL:
		snprintf(s->error, sizeof(s->error), "%s", r ? r : "TLS protocol error");
		break;
	case SSL_ERROR_ZERO_RETURN:
		s->peer_closed = 1;
		snprintf(s->error, sizeof(s->error), "peer closed the TLS session");
		break;
	default:
		snprintf(s->error, sizeof(s->error), "%s", r ? r : "TLS error");
		break;
	}
	ERR_clear_error();
}

enum tls_step
tls_session_handshake(struct tls_session *s)
{
	int ret;

	ERR_clear_error();
	ret = SSL_do_handshake(s->ssl);
	if (ret == 1)
		return TLS_STEP_DONE;
	if (SSL_get_error(s->ssl, ret) == SSL_ERROR_WANT_READ)
		return TLS_STEP_WANT;
	tls_session_set_error(s, ret);
	return TLS_STEP_ERROR;
}

int
tls_session_drain(struct tls_session *s, struct dbuf *out)
{
	char buf[4096];
	int n;

	while ((n = BIO_read(s->wbio, buf, sizeof(buf))) > 0)
		if (dbuf_add(out, buf, (size_t)n) != DBUF_OK)
			return -1;
	return 0;
}

int
tls_session_write(struct tls_session *s, const void *p, size_t n)
{
	int ret;

	ERR_clear_error();
	ret = SSL_write(s->ssl, p, (int)n);
	if (ret <= 0) {
		tls_session_set_error(s, ret);
		return -1;
	}
	return 0;
}

int
tls_session_read(struct tls_session *s, struct dbuf *plain)
{
	char buf[4096];
	int n;

	for (;;) {
		ERR_clear_error();
		n = SSL_read(s->ssl, buf, sizeof(buf));
		if (n > 0) {
			if (dbuf_add(plain, buf, (size_t)n) != DBUF_OK)
				return -1;
			continue;
		}
		if (SSL_get_error(s->ssl, n) == SSL_ERROR_WANT_READ)
			return 0;
		tls_session_set_error(s, n);
		return -1;
	}
}

int
tls_session_peer_closed(const struct tls_session *s)
{
	return s->peer_closed;
}

const char *
tls_session_error(const struct tls_session *s)
{
	return s->error[0] ? s->error : "TLS handshake failed";
}

/* The TLS SignatureScheme name (RFC 8446 §4.2.3) for what the server signed with. */
static const char *
tls_sigalg_name(SSL *ssl, struct arena *a)
{
	int type = NID_undef, md = NID_undef;
	const char *h;

	if (!SSL_get_peer_signature_type_nid(ssl, &type))
		return NULL;
	SSL_get_peer_signature_nid(ssl, &md);
	h = md == NID_sha256 ? "sha256" : md == NID_sha384 ? "sha384" : md == NID_sha512 ? "sha512" :
	    md == NID_sha1 ? "sha1" : md == NID_md5_sha1 ? "md5_sha1" : OBJ_nid2sn(md);
	switch (type) {
	case EVP_PKEY_RSA_PSS:
		return arena_printf(a, "rsa_pss_rsae_%s", h);
	case EVP_PKEY_RSA:
		return arena_printf(a, "rsa_pkcs1_%s", h);
	case EVP_PKEY_EC:
		if (md == NID_sha256)
			return "ecdsa_secp256r1_sha256";
		if (md == NID_sha384)
			return "ecdsa_secp384r1_sha384";
		if (md == NID_sha512)
			return "ecdsa_secp521r1_sha512";
		return arena_printf(a, "ecdsa_%s", h);
	case EVP_PKEY_ED25519:
		return "ed25519";
	case EVP_PKEY_ED448:
		return "ed448";
	case EVP_PKEY_DSA:
		return arena_printf(a, "dsa_%s", h);
	default:
		return arena_printf(a, "%s_%s", OBJ_nid2sn(type), h);
	}
}

/* Key-exchange group as IANA's TLS Supported Groups registry names it. */
static const char *
tls_group_name(SSL *ssl, struct arena *a)
{
	EVP_PKEY *k = NULL;
	char name[80];
	const char *r = NULL;
	int id;

	if (!SSL_get_peer_tmp_key(ssl, &k))
		return NULL;
	id = EVP_PKEY_get_base_id(k);
	if (id == EVP_PKEY_X25519)
		r = "x25519";
	else if (id == EVP_PKEY_X448)
		r = "x448";
	else if (id == EVP_PKEY_EC) {
		if (EVP_PKEY_get_group_name(k, name, sizeof(name), NULL)) {
			if (strcmp(name, "prime256v1") == 0)
				r = "secp256r1";
			else
				r = arena_strdup(a, name);
		}
	} else if (id == EVP_PKEY_DH || id == EVP_PKEY_DHX) {
		if (EVP_PKEY_get_group_name(k, name, sizeof(name), NULL) && strncmp(name, "ffdhe", 5) == 0)
			r = arena_strdup(a, name);
		else
			r = arena_printf(a, "dh%d", EVP_PKEY_get_bits(k));
	}
	EVP_PKEY_free(k);
	return r;
}

void
tls_session_describe(struct tls_session *s, struct tls_client *c, struct arena *a,
    struct endpoint *ep, long now)
{
	struct endpoint_tls *t = arena_alloc(a, sizeof(*t));
	const SSL_CIPHER *ci;
	STACK_OF(X509) *chain;
	X509 *leaf;

	t->version = arena_strdup(a, SSL_get_version(s->ssl));
	ci = SSL_get_current_cipher(s->ssl);
	t->cipher = ci ? arena_strdup(a, SSL_CIPHER_standard_name(ci)) : NULL;
	t->group = tls_group_name(s->ssl, a);
	t->sigalg = tls_sigalg_name(s->ssl, a);
	t->sni = arena_strdup(a, SSL_get_servername(s->ssl, TLSEXT_NAMETYPE_host_name));
	ep->tls = t;

	if (s->dane_records > 0) {
		struct endpoint_dane *d = arena_alloc(a, sizeof(*d));
		uint8_t u, sel, mt;
		const unsigned char *data;
		size_t dlen, i;
		long vr = SSL_get_verify_result(s->ssl);
		char *hex;

		d->records = s->dane_records;
		d->usable = s->dane_usable;
		d->depth = SSL_get0_dane_authority(s->ssl, NULL, NULL);
		d->verified = vr == X509_V_OK && d->depth >= 0;
		if (d->verified && SSL_get0_dane_tlsa(s->ssl, &u, &sel, &mt, &data, &dlen) >= 0) {
			hex = arena_alloc(a, dlen * 2 + 1);
			for (i = 0; i < dlen; i++)
				snprintf(hex + 2 * i, 3, "%02x", data[i]);
			d->matched = arena_printf(a, "%u %u %u %s", u, sel, mt, hex);
		}
		if (!d->verified)
			d->error = arena_strdup(a, vr == X509_V_OK ? "no TLSA record matched" :
			    X509_verify_cert_error_string(vr));
		ep->dane = d;
	}

	leaf = SSL_get1_peer_certificate(s->ssl);
	chain = SSL_get_peer_cert_chain(s->ssl);	/* client side: includes the leaf */
	if (leaf != NULL) {
		ep->cert = cert_describe(leaf, chain, c->store, ep->refname, a, now);
		X509_free(leaf);
	}
}
