/*
 * cert.c — see cert.h.
 */
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "probe/endpoint.h"
#include "scan/grade.h"	/* the key and signature classifiers, so findings and grade agree */
#include "tls/cert.h"
#include "tls/certname.h"
#include "util/arena.h"
#include "util/text.h"

static const char *
cert_hex(struct arena *a, const unsigned char *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	char *s = arena_alloc(a, n * 2 + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		s[2 * i] = hx[p[i] >> 4];
		s[2 * i + 1] = hx[p[i] & 15];
	}
	return s;
}

static const char *
cert_dn(struct arena *a, const X509_NAME *n)
{
	char buf[1024];
	BIO *b = BIO_new(BIO_s_mem());
	int len;

	if (b == NULL)
		return NULL;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_read(b, buf, sizeof(buf) - 1);
	BIO_free(b);
	if (len < 0)
		len = 0;
	buf[len] = '\0';
	return text_clean_dup(a, buf);	/* a CA may put anything in a name */
}

static time_t
cert_time(const ASN1_TIME *t, struct arena *a, const char **iso)
{
	struct tm tm;
	char buf[32];

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		*iso = NULL;
		return 0;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	*iso = arena_strdup(a, buf);
	return timegm(&tm);
}

static const char *
cert_cn(struct arena *a, X509 *x)
{
	X509_NAME *n = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	ASN1_STRING *d;
	unsigned char *u = NULL;
	const char *r;
	int len;

	if (i < 0)
		return NULL;
	d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	len = ASN1_STRING_to_UTF8(&u, d);
	if (len < 0)
		return NULL;
	/* an embedded NUL would let "good.example\0.evil" pass a C string compare */
	r = memchr(u, '\0', (size_t)len) ? NULL : arena_strndup(a, (char *)u, (size_t)len);
	OPENSSL_free(u);
	return r;
}

/*
 * The subjectAltName identifiers certname.c compares (RFC 5280 §4.2.1.6).  dNSNames go to c->san;
 * one that is empty or carries a NUL is still a DNS-ID for RFC 6125 §6.4.4 (the CN is then not
 * consulted), so it is passed to certname as a NULL entry that never matches.  iPAddress SANs of
 * 4 or 16 octets go to ips (other lengths are name-constraint ranges or garbage and never match).
 * Each kind is kept up to ENDPOINT_SAN_MAX.
 */
struct cert_ids {
	struct certname_ids	 id;
	struct certname_ip	*ips;
	size_t			 nips;
	int			 dns_bad;	/* a dNSName that can never match was seen */
};

static void
cert_sans(struct arena *a, X509 *x, struct endpoint_cert *c, struct cert_ids *ids)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	size_t cap;
	int i, n;

	if (gens == NULL)
		return;
	n = sk_GENERAL_NAME_num(gens);
	cap = (size_t)(n > ENDPOINT_SAN_MAX ? ENDPOINT_SAN_MAX : n > 0 ? n : 1);
	c->san = arena_alloc(a, (cap + 1) * sizeof(*c->san));	/* + the NULL for a bad name */
	ids->ips = arena_alloc(a, cap * sizeof(*ids->ips));
	for (i = 0; i < n && (c->nsan < ENDPOINT_SAN_MAX || ids->nips < ENDPOINT_SAN_MAX); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *d;
		int len;

		if (g->type == GEN_DNS) {
			d = ASN1_STRING_get0_data(g->d.dNSName);
			len = ASN1_STRING_length(g->d.dNSName);
			if (len <= 0 || memchr(d, '\0', (size_t)len))
				ids->dns_bad = 1;
			else if (c->nsan < ENDPOINT_SAN_MAX)
				c->san[c->nsan++] = arena_strndup(a, (const char *)d, (size_t)len);
		} else if (g->type == GEN_IPADD) {
			d = ASN1_STRING_get0_data(g->d.iPAddress);
			len = ASN1_STRING_length(g->d.iPAddress);
			if ((len != 4 && len != 16) || ids->nips >= ENDPOINT_SAN_MAX)
				continue;
			memcpy(ids->ips[ids->nips].addr, d, (size_t)len);
			ids->ips[ids->nips++].len = (size_t)len;
		}
	}
	GENERAL_NAMES_free(gens);
}

/* RFC 6125 §6.4 / RFC 2818 §3.1 over what cert_sans() collected. */
static void
cert_names(struct arena *a, X509 *leaf, struct endpoint_cert *c, const char *refname)
{
	struct cert_ids ids;
	const char *matched;

	memset(&ids, 0, sizeof(ids));
	cert_sans(a, leaf, c, &ids);
	ids.id.dnsids = c->san;
	ids.id.ndns = c->nsan + (ids.dns_bad ? 1 : 0);	/* c->san[c->nsan] is NULL */
	ids.id.ips = ids.ips;
	ids.id.nips = ids.nips;
	ids.id.cn = cert_cn(a, leaf);
	c->name_match = refname != NULL &&
	    certname_check_ids(&ids.id, refname, &matched) == CERTNAME_MATCH;
	/* for an IP reference certname hands back the reference itself: keep our own copy */
	if (c->name_match)
		c->name_matched = matched == refname ? arena_strdup(a, refname) : matched;
}

/*
 * The same classification as the grade (lib/scan/grade.c, docs/grading.md), so a report never
 * shows cert.weak_key or cert.weak_signature for what the grade passes, or the reverse:
 * grade_key_strength() gives NIST SP 800-57 RSA-equivalent bits, grade_sig_class() the hash.
 */
int
cert_key_strength(const char *key_type, int bits)
{
	return bits > 0 ? (int)grade_key_strength(key_type, (unsigned int)bits) : 0;
}

int
cert_weak_key(const char *key_type, int bits)
{
	int eq = cert_key_strength(key_type, bits);

	return eq > 0 && eq < CERT_KEY_MIN;
}

const char *
cert_weak_key_detail(struct arena *a, const char *key_type, int bits)
{
	if (!cert_weak_key(key_type, bits))
		return NULL;
	return arena_printf(a, "%s %d bits (RSA-equivalent %d, under %d)", key_type, bits,
	    cert_key_strength(key_type, bits), CERT_KEY_MIN);
}

int
cert_weak_sigalg(const char *s)
{
	return grade_sig_class(s) != GRADE_SIG_OK;
}

/* hex SHA-256 of a certificate's DER SubjectPublicKeyInfo, or NULL */
static const char *
cert_spki_sha256(X509 *x, struct arena *a)
{
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int mdlen;
	const char *hex = NULL;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);

	if (len > 0 && EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1)
		hex = cert_hex(a, md, mdlen);
	OPENSSL_free(der);
	return hex;
}

/*
 * Whether x issued leaf: names and key identifiers agree (X509_check_issued) and x's key
 * verifies the leaf's signature — X509_check_issued alone does not look at the signature, so
 * a certificate that merely carries the issuer's name is not taken for it.
 */
static int
cert_issued_by(X509 *x, X509 *leaf)
{
	EVP_PKEY *k;
	int ok;

	if (X509_cmp(x, leaf) == 0 || X509_check_issued(x, leaf) != X509_V_OK)
		return 0;
	k = X509_get0_pubkey(x);
	ok = k != NULL && X509_verify(leaf, k) == 1;
	ERR_clear_error();
	return ok;
}

/*
 * The leaf's issuer for a DANE-TA (2 1 1) record: the second certificate of the path the
 * verifier built (from the sent chain or the trust store), else one the server sent, whichever
 * issued the leaf (names, key ids and the signature).  Whether the server sent that key matters:
 * RFC 7671 §5.2, RFC 7672 §3.1; a 2 1 1 record matches the SubjectPublicKeyInfo, so a sent
 * certificate with the same key (a cross-signed copy) counts as sent.
 */
static void
cert_issuer(struct endpoint_cert *c, X509 *leaf, STACK_OF(X509) *sent, X509_STORE_CTX *ctx,
    struct arena *a)
{
	STACK_OF(X509) *built = ctx ? X509_STORE_CTX_get0_chain(ctx) : NULL;
	X509 *iss = NULL;
	int i, n = sent ? sk_X509_num(sent) : 0;

	if (c->self_signed)
		return;
	if (built != NULL && sk_X509_num(built) >= 2 && cert_issued_by(sk_X509_value(built, 1), leaf))
		iss = sk_X509_value(built, 1);
	for (i = 0; iss == NULL && i < n; i++)
		if (cert_issued_by(sk_X509_value(sent, i), leaf))
			iss = sk_X509_value(sent, i);
	if (iss == NULL)
		return;
	if ((c->issuer_spki_sha256 = cert_spki_sha256(iss, a)) == NULL)
		return;
	for (i = 0; i < n && !c->issuer_sent; i++) {
		X509 *x = sk_X509_value(sent, i);
		const char *k;

		if (X509_cmp(x, leaf) != 0 && (k = cert_spki_sha256(x, a)) != NULL &&
		    strcmp(k, c->issuer_spki_sha256) == 0)
			c->issuer_sent = 1;	/* the same SubjectPublicKeyInfo: what 2 1 1 matches */
	}
}

static void
cert_verify(struct endpoint_cert *c, X509 *leaf, STACK_OF(X509) *chain, X509_STORE *store,
    struct arena *a, long now)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int err;

	if (ctx == NULL || X509_STORE_CTX_init(ctx, store, leaf, chain) != 1) {
		c->chain_error = "cannot set up chain validation";
		X509_STORE_CTX_free(ctx);
		return;
	}
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
	if (X509_verify_cert(ctx) == 1)
		c->chain_valid = 1;
	else {
		err = X509_STORE_CTX_get_error(ctx);
		c->chain_error = arena_strdup(a, X509_verify_cert_error_string(err));
	}
	cert_issuer(c, leaf, chain, ctx, a);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
}

struct endpoint_cert *
cert_describe(X509 *leaf, STACK_OF(X509) *chain, X509_STORE *store, const char *refname,
    struct arena *a, long now)
{
	struct endpoint_cert *c = arena_alloc(a, sizeof(*c));
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int mdlen;
	EVP_PKEY *pk;
	time_t nb, na;
	int len, i, n;

	c->subject = cert_dn(a, X509_get_subject_name(leaf));
	c->issuer = cert_dn(a, X509_get_issuer_name(leaf));
	nb = cert_time(X509_get0_notBefore(leaf), a, &c->not_before);
	na = cert_time(X509_get0_notAfter(leaf), a, &c->not_after);
	c->expired = na != 0 && na < now;
	c->not_yet_valid = nb != 0 && nb > now;
	c->days_left = na != 0 ? (long)((na - now) / 86400) : 0;	/* 0 with no date */
	if (na != 0 && na < now && (na - now) % 86400 != 0)
		c->days_left--;		/* floor, so "expired today" reads -1 not 0 */
	c->self_signed = X509_self_signed(leaf, 1) == 1;
	ERR_clear_error();

	pk = X509_get0_pubkey(leaf);
	if (pk != NULL) {
		c->key_type = arena_strdup(a, OBJ_nid2sn(EVP_PKEY_get_base_id(pk)));
		if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA)
			c->key_type = "RSA";
		else if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC)
			c->key_type = "EC";
		else if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519)
			c->key_type = "ED25519";
		c->key_bits = EVP_PKEY_get_bits(pk);
	}
	c->sig_alg = arena_strdup(a, OBJ_nid2ln(X509_get_signature_nid(leaf)));

	if (X509_digest(leaf, EVP_sha256(), md, &mdlen) == 1)
		c->sha256 = cert_hex(a, md, mdlen);
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &der);
	if (len > 0 && EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1)
		c->spki_sha256 = cert_hex(a, md, mdlen);
	OPENSSL_free(der);

	cert_names(a, leaf, c, refname);

	n = chain ? sk_X509_num(chain) : 0;
	for (i = 0; i < n && c->nchain < ENDPOINT_CHAIN_MAX; i++) {
		X509 *x = sk_X509_value(chain, i);

		c->chain[c->nchain].subject = cert_dn(a, X509_get_subject_name(x));
		c->chain[c->nchain].issuer = cert_dn(a, X509_get_issuer_name(x));
		c->nchain++;
	}
	cert_verify(c, leaf, chain, store, a, now);
	return c;
}
