/*
 * robot.c — see robot.h.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "scan/robot.h"
#include "tls/cipher.h"
#include "util/dbuf.h"

static const char *const robot_result_names[ROBOT_LAST] = {
	[ROBOT_NOT_TESTED] = "not_tested",
	[ROBOT_NOT_APPLICABLE] = "not_applicable",
	[ROBOT_NOT_VULNERABLE] = "not_vulnerable",
	[ROBOT_WEAK_ORACLE] = "vulnerable_weak_oracle",
	[ROBOT_STRONG_ORACLE] = "vulnerable_strong_oracle",
	[ROBOT_INCONCLUSIVE] = "inconclusive",
};

static const char *const robot_variant_names[ROBOT_V_LAST] = {
	[ROBOT_V_GOOD] = "conformant",
	[ROBOT_V_BAD_PREFIX] = "bad_prefix",
	[ROBOT_V_ZERO_LATE] = "zero_late",
	[ROBOT_V_NO_ZERO] = "no_zero",
	[ROBOT_V_BAD_VERSION] = "bad_version",
};

const char *
robot_result_name(enum robot_result r)
{
	return (unsigned)r < ROBOT_LAST ? robot_result_names[r] : "?";
}

const char *
robot_variant_name(enum robot_variant v)
{
	return (unsigned)v < ROBOT_V_LAST ? robot_variant_names[v] : "?";
}

/* Random bytes made nonzero, as PKCS#1 v1.5 padding must be (RFC 8017 §7.2.1). */
static void
robot_nonzero(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[i] ? src[i] : (uint8_t)(0x5a + i % 7);
}

int
robot_block(enum robot_variant v, uint16_t version, const uint8_t *rnd, size_t k, uint8_t *out)
{
	size_t pad;

	if (k < 64 || k > ROBOT_RSA_MAX || (unsigned)v >= ROBOT_V_LAST)
		return -1;
	pad = k - 3 - 48;			/* 00 02 PS 00 | version(2) random(46) */
	out[0] = 0x00;
	out[1] = 0x02;
	robot_nonzero(out + 2, rnd, pad);
	out[2 + pad] = 0x00;
	out[3 + pad] = (uint8_t)(version >> 8);
	out[4 + pad] = (uint8_t)version;
	memcpy(out + 5 + pad, rnd + pad, 46);
	switch (v) {
	case ROBOT_V_GOOD:
		break;
	case ROBOT_V_BAD_PREFIX:
		out[0] = 0x41;
		out[1] = 0x17;
		break;
	case ROBOT_V_ZERO_LATE:
		/* padding runs on; the separator sits two bytes before the end */
		robot_nonzero(out + 2, rnd, k - 2);
		out[k - 3] = 0x00;
		break;
	case ROBOT_V_NO_ZERO:
		robot_nonzero(out + 2, rnd, k - 2);
		break;
	case ROBOT_V_BAD_VERSION:
		out[3 + pad] = 0x02;
		out[4 + pad] = 0x02;
		break;
	default:
		return -1;
	}
	return 0;
}

int
robot_flight(struct dbuf *out, uint16_t version, const uint8_t *enc, size_t k,
    const uint8_t fin[40])
{
	uint8_t hs[4 + 2 + ROBOT_RSA_MAX];
	const uint8_t ccs = 1;
	size_t body = k + 2;

	if (k > ROBOT_RSA_MAX)
		return -1;
	/* ClientKeyExchange: EncryptedPreMasterSecret with its 2-byte length (TLS, not SSLv3) */
	hs[0] = 16;
	hs[1] = (uint8_t)(body >> 16);
	hs[2] = (uint8_t)(body >> 8);
	hs[3] = (uint8_t)body;
	hs[4] = (uint8_t)(k >> 8);
	hs[5] = (uint8_t)k;
	memcpy(hs + 6, enc, k);
	if (rawhs_record(out, HELLO_CT_HANDSHAKE, version, hs, 6 + k) < 0 ||
	    rawhs_record(out, HELLO_CT_CCS, version, &ccs, 1) < 0 ||
	    rawhs_record(out, HELLO_CT_HANDSHAKE, version, fin, 40) < 0)
		return -1;
	return 0;
}

enum robot_result
robot_decide(const struct rawhs_reaction r[ROBOT_ROUNDS][ROBOT_V_LAST], unsigned int rounds)
{
	const struct rawhs_reaction *a = r[0];
	unsigned int v;
	int uniform = 1;

	for (v = 1; v < ROBOT_V_LAST; v++)
		if (!rawhs_reaction_equal(&a[0], &a[v]))
			uniform = 0;
	if (uniform)
		return ROBOT_NOT_VULNERABLE;
	if (rounds < 2)
		return ROBOT_INCONCLUSIVE;	/* a difference must repeat before we call it */
	for (v = 0; v < ROBOT_V_LAST; v++)
		if (!rawhs_reaction_equal(&r[0][v], &r[1][v]))
			return ROBOT_INCONCLUSIVE;
	/*
	 * Strong: a block that merely starts 00 02 (ZERO_LATE, NO_ZERO) is told apart from one
	 * that does not (BAD_PREFIX).  Weak: those three look alike; only conformant blocks differ.
	 */
	if (!rawhs_reaction_equal(&a[ROBOT_V_BAD_PREFIX], &a[ROBOT_V_ZERO_LATE]) ||
	    !rawhs_reaction_equal(&a[ROBOT_V_BAD_PREFIX], &a[ROBOT_V_NO_ZERO]))
		return ROBOT_STRONG_ORACLE;
	return ROBOT_WEAK_ORACLE;
}

/* RSA key transport suites with certificate authentication (no export, no PSK). */
static int
robot_rsa_suite(uint16_t code)
{
	const struct cipher_suite *cs = cipher_by_code(code);

	return cs && cs->kx == CIPHER_KX_RSA && cs->auth == CIPHER_AUTH_RSA &&
	    !(cs->flags & (CIPHER_F_EXPORT | CIPHER_F_SCSV));
}

/* The leaf's RSA public key from the flight's Certificate message, or NULL. */
static EVP_PKEY *
robot_leaf_key(const struct hello_server *hs)
{
	const unsigned char *p;
	EVP_PKEY *k = NULL;
	X509 *x;

	if (hs->ncerts == 0 || hs->certs[0].len == 0)
		return NULL;
	p = hs->certs[0].p;
	x = d2i_X509(NULL, &p, (long)hs->certs[0].len);
	if (x != NULL) {
		k = X509_get_pubkey(x);
		X509_free(x);
	}
	if (k != NULL && EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	ERR_clear_error();
	return k;
}

/* Raw RSA (m^e mod n) with OpenSSL: the block is already padded (or deliberately not). */
static int
robot_encrypt(EVP_PKEY *k, const uint8_t *block, size_t len, uint8_t *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	size_t outlen = len;
	int rc = -1;

	if (ctx != NULL && EVP_PKEY_encrypt_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
	    EVP_PKEY_encrypt(ctx, out, &outlen, block, len) > 0 && outlen == len)
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* One connection: hello, first flight, our variant, the reaction.  -1: no reaction to judge. */
static int
robot_one(struct event_base *base, const struct probe_params *pp, uint16_t version,
    const uint16_t *suites, size_t n, enum robot_variant v, long wait_ms,
    struct robot_report *rep, struct rawhs_reaction *out)
{
	struct conv c;
	struct hello_server hs;
	struct dbuf fl;
	EVP_PKEY *k = NULL;
	uint8_t rnd[ROBOT_RSA_MAX], block[ROBOT_RSA_MAX], enc[ROBOT_RSA_MAX], fin[40];
	size_t klen;
	int rc = -1;

	dbuf_init(&fl, 4 * ROBOT_RSA_MAX);
	rep->connections++;
	if (conv_open(&c, base, pp, HELLO_FLIGHT_MAX + 4096) < 0)
		goto out;
	if (rawhs_hello(&c, pp->refname, version, suites, n, pp->tls_ms, &hs) < 0)
		goto out;
	rep->suite = hs.cipher;
	k = robot_leaf_key(&hs);
	hello_server_free(&hs);
	if (k == NULL || !robot_rsa_suite(rep->suite)) {
		snprintf(rep->detail, sizeof(rep->detail), "the server chose no RSA key exchange "
		    "with an RSA certificate");
		goto out;
	}
	klen = (size_t)EVP_PKEY_get_size(k);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 || RAND_bytes(fin, sizeof(fin)) != 1 ||
	    robot_block(v, version, rnd, klen, block) < 0 ||
	    robot_encrypt(k, block, klen, enc) < 0 ||
	    robot_flight(&fl, version, enc, klen, fin) < 0) {
		snprintf(rep->detail, sizeof(rep->detail), "cannot encrypt for a %zu-byte RSA key",
		    klen);
		goto out;
	}
	if (conv_send(&c, fl.data, fl.len, pp->tls_ms) < 0)
		goto out;
	rawhs_reaction_read(&c, wait_ms, out);
	rc = 0;
out:
	EVP_PKEY_free(k);
	dbuf_free(&fl);
	conv_close(&c);
	return rc;
}

void
robot_run(struct event_base *base, const struct probe_params *pp,
    const struct tlsenum_report *r, long wait_ms, struct robot_report *rep)
{
	uint16_t suites[TLSENUM_MAX_SUITES];
	size_t n = 0, i;
	unsigned int round;
	int v, ver;
	char a[96], b[96];

	memset(rep, 0, sizeof(*rep));
	/* the highest of TLS 1.2 .. 1.0 with an accepted RSA key-transport suite */
	for (ver = TLSENUM_TLS12; ver >= TLSENUM_TLS10; ver--) {
		const struct tlsenum_version_report *vr = &r->v[ver];

		n = 0;
		if (vr->supported != TLSENUM_YES)
			continue;
		for (i = 0; i < vr->nsuites; i++)
			if (robot_rsa_suite(vr->suites[i]))
				suites[n++] = vr->suites[i];
		if (n > 0)
			break;
	}
	if (n == 0) {
		rep->result = ROBOT_NOT_APPLICABLE;
		snprintf(rep->detail, sizeof(rep->detail), "no RSA key exchange accepted");
		return;
	}
	rep->version = tlsenum_version_wire((enum tlsenum_version)ver);
	for (round = 0; round < ROBOT_ROUNDS; round++) {
		for (v = 0; v < ROBOT_V_LAST; v++)
			if (robot_one(base, pp, rep->version, suites, n, (enum robot_variant)v, wait_ms,
			    rep, &rep->reaction[round][v]) < 0) {
				rep->result = rep->detail[0] && round == 0 && v == 0 ?
				    ROBOT_NOT_APPLICABLE : ROBOT_INCONCLUSIVE;
				if (!rep->detail[0])
					snprintf(rep->detail, sizeof(rep->detail), "round %u, %s: the "
					    "handshake did not get as far as the key exchange", round + 1,
					    robot_variant_name((enum robot_variant)v));
				return;
			}
		rep->rounds = round + 1;
		rep->result = robot_decide(rep->reaction, rep->rounds);
		if (rep->result == ROBOT_NOT_VULNERABLE)
			break;
	}
	rawhs_reaction_format(&rep->reaction[0][ROBOT_V_GOOD], a, sizeof(a));
	if (rep->result == ROBOT_NOT_VULNERABLE) {
		snprintf(rep->detail, sizeof(rep->detail), "%s %s: every variant got: %s",
		    hello_version_name(rep->version), cipher_by_code(rep->suite) ?
		    cipher_by_code(rep->suite)->name : "?", a);
		return;
	}
	/* name the first variant that reacted differently from the conformant one */
	for (v = 1; v < ROBOT_V_LAST; v++)
		if (!rawhs_reaction_equal(&rep->reaction[0][0], &rep->reaction[0][v]))
			break;
	rawhs_reaction_format(&rep->reaction[0][v < ROBOT_V_LAST ? v : 1], b, sizeof(b));
	snprintf(rep->detail, sizeof(rep->detail), "%s %s: conformant block: %s; %s: %s%s",
	    hello_version_name(rep->version), cipher_by_code(rep->suite) ?
	    cipher_by_code(rep->suite)->name : "?", a,
	    robot_variant_name((enum robot_variant)(v < ROBOT_V_LAST ? v : 1)), b,
	    rep->result == ROBOT_INCONCLUSIVE ? " (not the same in round 2)" : "");
}
