/*
 * grade.c — the letter grade, and NCSC-NL / Mozilla compliance.  Rubric: docs/grading.md.
 *
 * Scores follow the shape of the SSL Labs SSL Server Rating Guide (protocol 30 %, key
 * exchange 30 %, cipher strength 40 %; A >= 80, B >= 65, C >= 50, D >= 35, E >= 20), the caps
 * are ours (each justified in docs/grading.md), and certificate trust is judged the way mail is
 * delivered: on port 25 an unauthenticated certificate is marked, not capped.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scan/grade.h"
#include "scan/tlsenum.h"
#include "scan/weak.h"
#include "tls/cipher.h"
#include "tls/hello.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const grade_letter_names[GRADE_LETTER_LAST] = {
	[GRADE_A_PLUS] = "A+", [GRADE_A] = "A", [GRADE_A_MINUS] = "A-", [GRADE_B] = "B",
	[GRADE_C] = "C", [GRADE_D] = "D", [GRADE_E] = "E", [GRADE_F] = "F",
};

static const char *const grade_auth_names[GRADE_AUTH_LAST] = {
	[GRADE_AUTH_NONE] = "none", [GRADE_AUTH_PKIX] = "pkix", [GRADE_AUTH_DANE] = "dane",
	[GRADE_AUTH_MTASTS] = "mta-sts",
};

static const char *const grade_context_names[GRADE_CTX_LAST] = {
	[GRADE_CTX_MX] = "mx", [GRADE_CTX_CLIENT] = "client",
};

static const char *const grade_ncsc_names[GRADE_NCSC_LAST] = {
	[GRADE_NCSC_GOOD] = "good", [GRADE_NCSC_SUFFICIENT] = "sufficient",
	[GRADE_NCSC_PHASE_OUT] = "phase_out", [GRADE_NCSC_INSUFFICIENT] = "insufficient",
};

const char *
grade_letter_name(enum grade_letter g)
{
	return (unsigned int)g < GRADE_LETTER_LAST ? grade_letter_names[g] : "?";
}

const char *
grade_auth_name(enum grade_auth a)
{
	return (unsigned int)a < GRADE_AUTH_LAST ? grade_auth_names[a] : "?";
}

const char *
grade_context_name(enum grade_context c)
{
	return (unsigned int)c < GRADE_CTX_LAST ? grade_context_names[c] : "?";
}

const char *
grade_ncsc_name(enum grade_ncsc n)
{
	return (unsigned int)n < GRADE_NCSC_LAST ? grade_ncsc_names[n] : "?";
}

static void __attribute__((format(printf, 2, 3)))
grade_say(struct grade_reasons *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n >= GRADE_MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->s[r->n], GRADE_REASON_MAX, fmt, ap);
	va_end(ap);
	r->n++;
}

/* ---- NCSC-NL tables ------------------------------------------------------------------------ */

/*
 * NCSC-NL, "IT Security Guidelines for Transport Layer Security (TLS)", v2.1, January 2021,
 * as internet.nl applies them.  Table "Versions" (guideline B1-1): 1.3 good, 1.2 sufficient,
 * 1.1 and 1.0 phase out, SSL insufficient.
 */
enum grade_ncsc
grade_ncsc_version(enum tlsenum_version v)
{
	switch (v) {
	case TLSENUM_TLS13:	return GRADE_NCSC_GOOD;
	case TLSENUM_TLS12:	return GRADE_NCSC_SUFFICIENT;
	case TLSENUM_TLS11:
	case TLSENUM_TLS10:	return GRADE_NCSC_PHASE_OUT;
	default:		return GRADE_NCSC_INSUFFICIENT;
	}
}

/*
 * Table "Cipher suites" (Appendix C / guidelines B2-1..B2-5), written as the rules the table
 * follows rather than 40 names:
 *   good:        TLS 1.3 AES-GCM and ChaCha20-Poly1305; ECDHE (ECDSA/RSA) with AES-GCM or
 *                ChaCha20-Poly1305
 *   sufficient:  TLS 1.3 AES-128-CCM; ECDHE with AES-CBC or AES-CCM; DHE-RSA with AES-GCM,
 *                ChaCha20-Poly1305, AES-CBC or AES-CCM
 *   phase out:   ECDHE/DHE with 3DES; static RSA with AES (GCM/CBC) or 3DES
 *   insufficient: everything else (NULL, anon, export, RC4, DES, CCM_8, Camellia, ARIA, SEED,
 *                DSS, PSK, static DH/ECDH, ...)
 * AES-CCM with a full tag at TLS 1.2 is not named in the 2021 table; we class it with the
 * sufficient CBC suites (our choice, an AEAD is no worse than CBC).
 */
enum grade_ncsc
grade_ncsc_suite(uint16_t code)
{
	const struct cipher_suite *cs = cipher_by_code(code);
	int aes, aead_good, ccm;

	if (cs == NULL || (cs->flags & (CIPHER_F_NULL | CIPHER_F_ANON | CIPHER_F_EXPORT)))
		return GRADE_NCSC_INSUFFICIENT;
	aes = cs->enc == CIPHER_ENC_AES;
	aead_good = (aes && cs->mode == CIPHER_MODE_GCM) ||
	    (cs->enc == CIPHER_ENC_CHACHA20 && cs->mode == CIPHER_MODE_POLY1305);
	ccm = aes && cs->mode == CIPHER_MODE_CCM;
	if (cs->kx == CIPHER_KX_TLS13) {
		if (aead_good)
			return GRADE_NCSC_GOOD;
		if (ccm && cs->key_bits == 128)
			return GRADE_NCSC_SUFFICIENT;
		return GRADE_NCSC_INSUFFICIENT;
	}
	if (cs->kx == CIPHER_KX_ECDHE &&
	    (cs->auth == CIPHER_AUTH_ECDSA || cs->auth == CIPHER_AUTH_RSA)) {
		if (aead_good)
			return GRADE_NCSC_GOOD;
		if ((aes && cs->mode == CIPHER_MODE_CBC) || ccm)
			return GRADE_NCSC_SUFFICIENT;
		if (cs->enc == CIPHER_ENC_3DES)
			return GRADE_NCSC_PHASE_OUT;
		return GRADE_NCSC_INSUFFICIENT;
	}
	if (cs->kx == CIPHER_KX_DHE && cs->auth == CIPHER_AUTH_RSA) {
		if (aead_good || ccm || (aes && cs->mode == CIPHER_MODE_CBC))
			return GRADE_NCSC_SUFFICIENT;
		if (cs->enc == CIPHER_ENC_3DES)
			return GRADE_NCSC_PHASE_OUT;
		return GRADE_NCSC_INSUFFICIENT;
	}
	if (cs->kx == CIPHER_KX_RSA && cs->auth == CIPHER_AUTH_RSA) {
		if ((aes && (cs->mode == CIPHER_MODE_GCM || cs->mode == CIPHER_MODE_CBC)) ||
		    cs->enc == CIPHER_ENC_3DES)
			return GRADE_NCSC_PHASE_OUT;
	}
	return GRADE_NCSC_INSUFFICIENT;
}

/*
 * Tables "Elliptic curves" and "Finite field groups" (guideline B5): good secp384r1,
 * secp256r1, x448, x25519; phase out secp224r1; ffdhe4096/3072 sufficient (and the larger
 * ffdhe6144/8192 with them), ffdhe2048 phase out; every other group insufficient.  The
 * ML-KEM hybrids postdate v2.1: we class them by their classical half, which is good.
 */
enum grade_ncsc
grade_ncsc_group(uint16_t g)
{
	switch (g) {
	case HELLO_GROUP_X25519:
	case HELLO_GROUP_X448:
	case HELLO_GROUP_SECP256R1:
	case HELLO_GROUP_SECP384R1:
	case 0x11ec:	/* X25519MLKEM768 */
	case 0x11eb:	/* SecP256r1MLKEM768 */
	case 0x11ed:	/* SecP384r1MLKEM1024 */
		return GRADE_NCSC_GOOD;
	case HELLO_GROUP_FFDHE3072:
	case HELLO_GROUP_FFDHE4096:
	case HELLO_GROUP_FFDHE6144:
	case HELLO_GROUP_FFDHE8192:
		return GRADE_NCSC_SUFFICIENT;
	case HELLO_GROUP_FFDHE2048:
	case 21:	/* secp224r1 */
		return GRADE_NCSC_PHASE_OUT;
	default:
		return GRADE_NCSC_INSUFFICIENT;
	}
}

/*
 * DHE at TLS <= 1.2 with the server's own parameters: judged by size only (internet.nl also
 * compares p with the RFC 7919 primes; we measure, we do not compare): >= 3072 sufficient,
 * 2048 phase out, smaller insufficient.
 */
enum grade_ncsc
grade_ncsc_dh_bits(unsigned int bits)
{
	if (bits >= 3072)
		return GRADE_NCSC_SUFFICIENT;
	if (bits >= 2048)
		return GRADE_NCSC_PHASE_OUT;
	return GRADE_NCSC_INSUFFICIENT;
}

static enum grade_ncsc
grade_worse(enum grade_ncsc a, enum grade_ncsc b)
{
	return a > b ? a : b;
}

static void
grade_ncsc_all(const struct tlsenum_report *r, struct grade_result *g)
{
	const struct tlsenum_version_report *vr;
	const struct cipher_suite *cs;
	enum grade_ncsc c;
	size_t i;
	int v;

	g->ncsc_versions = g->ncsc_suites = g->ncsc_groups = GRADE_NCSC_GOOD;
	for (v = TLSENUM_SSL2; v <= TLSENUM_TLS13; v++) {
		vr = &r->v[v];
		if (vr->supported != TLSENUM_YES)
			continue;
		c = grade_ncsc_version(v);
		g->ncsc_versions = grade_worse(g->ncsc_versions, c);
		if (c != GRADE_NCSC_GOOD)
			grade_say(&g->ncsc_reasons, "version %s: %s", tlsenum_version_name(v),
			    grade_ncsc_name(c));
		if (v == TLSENUM_SSL2 && vr->nsslv2_specs > 0) {
			g->ncsc_suites = GRADE_NCSC_INSUFFICIENT;
			grade_say(&g->ncsc_reasons, "SSLv2 cipher kinds: insufficient");
		}
		for (i = 0; i < vr->nsuites; i++) {
			c = grade_ncsc_suite(vr->suites[i]);
			g->ncsc_suites = grade_worse(g->ncsc_suites, c);
			if (c >= GRADE_NCSC_PHASE_OUT) {
				cs = cipher_by_code(vr->suites[i]);
				grade_say(&g->ncsc_reasons, "suite %s at %s: %s",
				    cs != NULL ? cs->name : "unknown", tlsenum_version_name(v),
				    grade_ncsc_name(c));
			}
		}
	}
	for (i = 0; i < r->ngroups13; i++) {
		c = grade_ncsc_group(r->groups13[i]);
		g->ncsc_groups = grade_worse(g->ncsc_groups, c);
		if (c >= GRADE_NCSC_PHASE_OUT)
			grade_say(&g->ncsc_reasons, "group %s (TLS 1.3): %s",
			    hello_group_name(r->groups13[i]) ? hello_group_name(r->groups13[i]) :
			    "unknown", grade_ncsc_name(c));
	}
	for (i = 0; i < r->ngroups12; i++) {
		c = grade_ncsc_group(r->groups12[i]);
		g->ncsc_groups = grade_worse(g->ncsc_groups, c);
		if (c >= GRADE_NCSC_PHASE_OUT)
			grade_say(&g->ncsc_reasons, "curve %s (ECDHE): %s",
			    hello_group_name(r->groups12[i]) ? hello_group_name(r->groups12[i]) :
			    "unknown", grade_ncsc_name(c));
	}
	for (i = 0; i < r->nkx; i++) {
		if (r->kx[i].kx != CIPHER_KX_DHE || r->kx[i].bits == 0)
			continue;
		c = grade_ncsc_dh_bits(r->kx[i].bits);
		g->ncsc_groups = grade_worse(g->ncsc_groups, c);
		if (c >= GRADE_NCSC_PHASE_OUT)
			grade_say(&g->ncsc_reasons, "%u-bit DH group: %s", r->kx[i].bits,
			    grade_ncsc_name(c));
	}
	g->ncsc = grade_worse(g->ncsc_versions, grade_worse(g->ncsc_suites, g->ncsc_groups));
}

/* ---- Mozilla server-side TLS profiles (v5.7) ----------------------------------------------- */

static const uint16_t grade_moz_suites13[] = { 0x1301, 0x1302, 0x1303 };
/* intermediate, TLS 1.2: ECDHE-{ECDSA,RSA}-AES{128,256}-GCM, -CHACHA20-POLY1305, DHE-RSA-... */
static const uint16_t grade_moz_suites12[] = {
	0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009e, 0x009f, 0xccaa,
};
static const uint16_t grade_moz_groups[] = {
	HELLO_GROUP_X25519, HELLO_GROUP_SECP256R1, HELLO_GROUP_SECP384R1,
};

static int
grade_in(const uint16_t *a, size_t n, uint16_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] == x)
			return 1;
	return 0;
}

static void
grade_mozilla(const struct tlsenum_report *r, struct grade_result *g)
{
	const struct tlsenum_version_report *vr;
	const struct cipher_suite *cs;
	size_t i;
	int v;

	g->mozilla_modern = g->mozilla_intermediate = r->any_supported;
	if (!r->any_supported)
		grade_say(&g->mozilla_reasons, "no TLS version accepted");
	if (r->v[TLSENUM_TLS13].supported != TLSENUM_YES) {
		g->mozilla_modern = 0;
		grade_say(&g->mozilla_reasons, "modern: TLSv1.3 not accepted");
	}
	if (r->v[TLSENUM_TLS13].supported != TLSENUM_YES &&
	    r->v[TLSENUM_TLS12].supported != TLSENUM_YES) {
		g->mozilla_intermediate = 0;
		grade_say(&g->mozilla_reasons, "intermediate: neither TLSv1.2 nor TLSv1.3");
	}
	for (v = TLSENUM_SSL2; v <= TLSENUM_TLS13; v++) {
		vr = &r->v[v];
		if (vr->supported != TLSENUM_YES)
			continue;
		if (v < TLSENUM_TLS13) {
			g->mozilla_modern = 0;
			grade_say(&g->mozilla_reasons, "modern: %s accepted",
			    tlsenum_version_name(v));
		}
		if (v < TLSENUM_TLS12) {
			g->mozilla_intermediate = 0;
			grade_say(&g->mozilla_reasons, "intermediate: %s accepted",
			    tlsenum_version_name(v));
			continue;
		}
		for (i = 0; i < vr->nsuites; i++) {
			if (v == TLSENUM_TLS13 ? grade_in(grade_moz_suites13,
			    NELEM(grade_moz_suites13), vr->suites[i]) :
			    grade_in(grade_moz_suites12, NELEM(grade_moz_suites12), vr->suites[i]))
				continue;
			cs = cipher_by_code(vr->suites[i]);
			if (v == TLSENUM_TLS13)
				g->mozilla_modern = 0;
			g->mozilla_intermediate = 0;
			grade_say(&g->mozilla_reasons, "%s: suite %s at %s not in the profile",
			    v == TLSENUM_TLS13 ? "modern, intermediate" : "intermediate",
			    cs != NULL ? cs->name : "unknown", tlsenum_version_name(v));
		}
	}
	for (i = 0; i < r->ngroups13 + r->ngroups12; i++) {
		uint16_t grp = i < r->ngroups13 ? r->groups13[i] : r->groups12[i - r->ngroups13];

		if (grade_in(grade_moz_groups, NELEM(grade_moz_groups), grp))
			continue;
		/* ffdhe2048 is the intermediate profile's DHE group (TLS 1.2 DHE suites). */
		if (grp == HELLO_GROUP_FFDHE2048 && i >= r->ngroups13)
			continue;
		g->mozilla_modern = 0;
		g->mozilla_intermediate = 0;
		grade_say(&g->mozilla_reasons, "modern, intermediate: group %s not in the profile",
		    hello_group_name(grp) ? hello_group_name(grp) : "unknown");
	}
	if (r->dh_min_bits > 0 && r->dh_min_bits < 2048) {
		g->mozilla_intermediate = 0;
		grade_say(&g->mozilla_reasons, "intermediate: %u-bit DH group (2048 needed)",
		    r->dh_min_bits);
	}
}

/* ---- Scores -------------------------------------------------------------------------------- */

static int
grade_protocol_points(int v)
{
	static const int pts[TLSENUM_VERSION_LAST] = {
		[TLSENUM_SSL2] = 0, [TLSENUM_SSL3] = 80, [TLSENUM_TLS10] = 90,
		[TLSENUM_TLS11] = 95, [TLSENUM_TLS12] = 100, [TLSENUM_TLS13] = 100,
	};

	return pts[v];
}

/* Key strength in RSA-equivalent bits to points (SSL Labs' key exchange table). */
static int
grade_kx_points(unsigned int bits)
{
	if (bits == 0)
		return 0;
	if (bits < 512)
		return 20;
	if (bits < 1024)
		return 40;
	if (bits < 2048)
		return 80;
	if (bits < 4096)
		return 90;
	return 100;
}

/* RSA-equivalent strength of a named group (NIST SP 800-57 Part 1, Table 2). */
static unsigned int
grade_group_bits(uint16_t g)
{
	switch (g) {
	case 19:				return 1024;	/* secp192r1: 96-bit security */
	case 21:				return 2048;	/* secp224r1 */
	case HELLO_GROUP_X25519:
	case HELLO_GROUP_SECP256R1:
	case 22: case 26: case 31:		return 3072;
	case HELLO_GROUP_SECP384R1:
	case 27: case 32:			return 7680;
	case HELLO_GROUP_X448:
	case HELLO_GROUP_SECP521R1:
	case 28: case 33:			return 15360;
	case HELLO_GROUP_FFDHE2048:		return 2048;
	case HELLO_GROUP_FFDHE3072:		return 3072;
	case HELLO_GROUP_FFDHE4096:		return 4096;
	case HELLO_GROUP_FFDHE6144:		return 6144;
	case HELLO_GROUP_FFDHE8192:		return 8192;
	case 0x11ec: case 0x11eb:		return 3072;
	case 0x11ed:				return 7680;
	default:				return 3072;	/* unknown: do not punish */
	}
}

/*
 * The certificate key in RSA-equivalent bits, NIST SP 800-57 Part 1 Rev. 5, Table 2
 * ("comparable security strengths"): an ECC key of f bits gives <= 80 bits of security for
 * f = 160..223 (RSA 1024), 112 for 224..255 (RSA 2048), 128 for 256..383 (RSA 3072), 192 for
 * 384..511 (RSA 7680), 256 from 512 (RSA 15360); below 160 we say 512, under every row.
 * EdDSA by its curve (RFC 8032 §1, FIPS 186-5): Ed25519 about 128 bits of security (as P-256),
 * Ed448 about 224, which the table's next lower row (192) rates RSA 7680.  Finite-field keys
 * (RSA, RSA-PSS, DSA) are their own size.  Names are cert.c's: "RSA", "EC", "ED25519", or
 * OpenSSL's short name ("ED448", "DSA", "RSASSA-PSS").  Anything else: 0, not graded.
 */
unsigned int
grade_key_strength(const char *type, unsigned int bits)
{
	if (type == NULL || bits == 0)
		return 0;
	if (strcasecmp(type, "RSA") == 0 || strcasecmp(type, "RSA-PSS") == 0 ||
	    strcasecmp(type, "RSASSA-PSS") == 0 || strcasecmp(type, "DSA") == 0)
		return bits;
	if (strcasecmp(type, "ED25519") == 0)
		return 3072;
	if (strcasecmp(type, "ED448") == 0)
		return 7680;
	if (strcasecmp(type, "EC") == 0) {
		if (bits >= 512)
			return 15360;
		if (bits >= 384)
			return 7680;
		if (bits >= 256)
			return 3072;
		if (bits >= 224)
			return 2048;
		if (bits >= 160)
			return 1024;
		return 512;
	}
	return 0;
}

/*
 * The leaf's signature hash, from OpenSSL's names ("md5WithRSAEncryption", "ecdsa-with-SHA1",
 * "dsaWithSHA1", "shaWithRSAEncryption" for SHA-0, "sha256WithRSAEncryption", "ED25519").
 * MD2/MD4/MD5 and SHA-0 are broken (chosen-prefix collisions forge certificates); SHA-1 is
 * weak.  RSASSA-PSS names its hash in parameters we do not see: OK.
 */
enum grade_sig
grade_sig_class(const char *sig_alg)
{
	char low[64];
	const char *p;
	size_t i;

	if (sig_alg == NULL)
		return GRADE_SIG_OK;
	for (i = 0; sig_alg[i] != '\0' && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)sig_alg[i]);
	low[i] = '\0';
	if (strstr(low, "md2") || strstr(low, "md4") || strstr(low, "md5"))
		return GRADE_SIG_BROKEN;
	for (p = low; (p = strstr(p, "sha")) != NULL; p += 3) {
		if (p[3] == '1' && !isdigit((unsigned char)p[4]))
			return GRADE_SIG_SHA1;
		if (p[3] == '\0' || strncmp(p + 3, "with", 4) == 0)
			return GRADE_SIG_BROKEN;	/* "sha" alone: SHA-0 */
	}
	return GRADE_SIG_OK;
}

static int
grade_cipher_points(unsigned int bits)
{
	if (bits == 0)
		return 0;
	if (bits < 128)
		return 20;
	if (bits < 256)
		return 80;
	return 100;
}

static enum grade_letter
grade_from_score(int s)
{
	if (s >= 80)
		return GRADE_A;
	if (s >= 65)
		return GRADE_B;
	if (s >= 50)
		return GRADE_C;
	if (s >= 35)
		return GRADE_D;
	if (s >= 20)
		return GRADE_E;
	return GRADE_F;
}

static void
grade_scores(const struct grade_input *in, struct grade_result *g)
{
	const struct tlsenum_report *r = in->tls;
	const struct tlsenum_version_report *vr;
	const struct cipher_suite *cs;
	const struct cipher_sslv2 *c2;
	int v, best = -1, worst = 101, kx = 100, cmin = 101, cmax = -1, p;
	unsigned int bits;
	size_t i;

	for (v = TLSENUM_SSL2; v <= TLSENUM_TLS13; v++) {
		vr = &r->v[v];
		if (vr->supported != TLSENUM_YES)
			continue;
		p = grade_protocol_points(v);
		best = p > best ? p : best;
		worst = p < worst ? p : worst;
		for (i = 0; i < vr->nsuites; i++) {
			if ((cs = cipher_by_code(vr->suites[i])) == NULL)
				continue;
			bits = cs->enc == CIPHER_ENC_3DES ? 112 : cs->key_bits;
			if (cs->flags & CIPHER_F_NULL)
				bits = 0;
			p = grade_cipher_points(bits);
			cmin = p < cmin ? p : cmin;
			cmax = p > cmax ? p : cmax;
			/* Anonymous: no key exchange worth scoring where clients
			 * authenticate; on an MX, see the anon cap in grade_compute(). */
			if ((cs->flags & CIPHER_F_EXPORT) || ((cs->flags & CIPHER_F_ANON) &&
			    in->context == GRADE_CTX_CLIENT))
				kx = 0;
		}
		for (i = 0; i < vr->nsslv2_specs; i++) {
			if ((c2 = cipher_sslv2_by_code(vr->sslv2_specs[i])) == NULL)
				continue;
			p = grade_cipher_points(c2->key_bits);
			cmin = p < cmin ? p : cmin;
			cmax = p > cmax ? p : cmax;
			if (c2->flags & CIPHER_F_EXPORT)
				kx = 0;
		}
	}
	if (best < 0) {
		g->protocol_score = g->kx_score = g->cipher_score = g->score = 0;
		return;
	}
	if (g->cert_key_strength > 0 && grade_kx_points(g->cert_key_strength) < kx)
		kx = grade_kx_points(g->cert_key_strength);
	for (i = 0; i < r->nkx; i++) {
		bits = r->kx[i].bits ? r->kx[i].bits : grade_group_bits(r->kx[i].group);
		if (grade_kx_points(bits) < kx)
			kx = grade_kx_points(bits);
	}
	if (cmax < 0)
		cmin = cmax = 0;
	g->protocol_score = (best + worst) / 2;
	g->kx_score = kx;
	g->cipher_score = (cmin + cmax) / 2;
	g->score = (30 * g->protocol_score + 30 * g->kx_score + 40 * g->cipher_score + 50) / 100;
}

/* ---- Caps ---------------------------------------------------------------------------------- */

static void
grade_cap(struct grade_result *g, enum grade_letter cap, const char *why)
{
	grade_say(&g->reasons, "capped at %s: %s", grade_letter_name(cap), why);
	if (g->tls_letter < cap)
		g->tls_letter = cap;
}

static int
grade_has(const struct grade_result *g, enum weak_id id)
{
	return weak_has(&g->weak, id);
}

/* A+ needs TLS 1.3, or TLS 1.2 with AEAD + forward secrecy only; and nothing below 1.2. */
static int
grade_plus_suites(const struct tlsenum_report *r)
{
	const struct tlsenum_version_report *vr = &r->v[TLSENUM_TLS12];
	const struct cipher_suite *cs;
	size_t i;

	if (r->v[TLSENUM_TLS13].supported == TLSENUM_YES)
		return 1;
	for (i = 0; i < vr->nsuites; i++)
		if ((cs = cipher_by_code(vr->suites[i])) == NULL ||
		    (cs->flags & (CIPHER_F_AEAD | CIPHER_F_PFS)) != (CIPHER_F_AEAD | CIPHER_F_PFS))
			return 0;
	return vr->nsuites > 0;
}

/*
 * The leaf's key and signature, SSL Labs' rules (Rating Guide 2009e, "Certificate Inspection"
 * and the key exchange table; "Stricter Security Requirements for 2014"): key under 1024 bits
 * F, under 2048 capped at B, MD2/MD5 signature F; SHA-1 capped at B is ours (docs/grading.md).
 * Applied whatever authenticated the certificate: DANE or MTA-STS vouch for whose key it is,
 * not for how strong it is.
 */
static void
grade_cert_caps(const struct grade_input *in, struct grade_result *g)
{
	unsigned int eq = g->cert_key_strength;
	char why[GRADE_REASON_MAX];
	enum grade_sig sig;

	if (in->cert_key_type != NULL && eq == 0)
		grade_say(&g->reasons, "certificate key %s (%u bits): strength unknown, not graded",
		    in->cert_key_type, in->cert_key_bits);
	else if (eq > 0 && eq < 2048) {
		if (eq == in->cert_key_bits)
			snprintf(why, sizeof(why), "certificate key %s %u bits (under %u)",
			    in->cert_key_type, in->cert_key_bits, eq < 1024 ? 1024 : 2048);
		else
			snprintf(why, sizeof(why), "certificate key %s %u bits (RSA-equivalent %u, "
			    "under %u)", in->cert_key_type, in->cert_key_bits, eq,
			    eq < 1024 ? 1024 : 2048);
		grade_cap(g, eq < 1024 ? GRADE_F : GRADE_B, why);
	}
	sig = grade_sig_class(in->cert_sig_alg);
	if (sig == GRADE_SIG_BROKEN) {
		snprintf(why, sizeof(why), "certificate signed with %s (collisions forge "
		    "certificates)", in->cert_sig_alg);
		grade_cap(g, GRADE_F, why);
	} else if (sig == GRADE_SIG_SHA1) {
		snprintf(why, sizeof(why), "certificate signed with %s (SHA-1)", in->cert_sig_alg);
		grade_cap(g, GRADE_B, why);
	}
}

void
grade_compute(const struct grade_input *in, struct grade_result *g)
{
	const struct tlsenum_report *r = in->tls;
	int pfs = 0, v, authenticated;
	const struct cipher_suite *cs;
	size_t i;

	memset(g, 0, sizeof(*g));
	weak_assess(r, &g->weak);
	g->cert_key_strength = grade_key_strength(in->cert_key_type, in->cert_key_bits);
	grade_scores(in, g);
	g->tls_letter = grade_from_score(g->score);
	if (g->tls_letter != GRADE_A || !r->any_supported)
		grade_say(&g->reasons, "score %d (protocol %d, key exchange %d, cipher %d)",
		    g->score, g->protocol_score, g->kx_score, g->cipher_score);

	for (v = TLSENUM_SSL3; v <= TLSENUM_TLS13; v++)
		for (i = 0; i < r->v[v].nsuites; i++)
			if ((cs = cipher_by_code(r->v[v].suites[i])) != NULL &&
			    (cs->flags & CIPHER_F_PFS))
				pfs = 1;

	/* F: broken whatever else is right. */
	if (!r->any_supported)
		grade_cap(g, GRADE_F, "no TLS version accepted");
	if (grade_has(g, WEAK_TLS_SSLV2))
		grade_cap(g, GRADE_F, "SSLv2 accepted (DROWN)");
	if (grade_has(g, WEAK_CIPHER_EXPORT))
		grade_cap(g, GRADE_F, "export suites accepted (FREAK, Logjam)");
	if (grade_has(g, WEAK_CIPHER_NULL))
		grade_cap(g, GRADE_F, "suites without encryption accepted");
	if (r->dh_min_bits > 0 && r->dh_min_bits < 1024)
		grade_cap(g, GRADE_F, "DH group under 1024 bits (Logjam)");
	if (in->vulns & GRADE_VULN_ROBOT)
		grade_cap(g, GRADE_F, "ROBOT: an RSA decryption oracle");
	if (in->vulns & GRADE_VULN_CCS)
		grade_cap(g, GRADE_F, "early ChangeCipherSpec accepted (CVE-2014-0224)");
	if ((in->vulns & GRADE_VULN_CLIENT_RENEG) && r->secure_reneg == TLSENUM_NO)
		grade_cap(g, GRADE_F, "client-initiated renegotiation without RFC 5746");
	if (grade_has(g, WEAK_CIPHER_ANON)) {
		if (in->context == GRADE_CTX_CLIENT)
			grade_cap(g, GRADE_F, "anonymous suites accepted (no server authentication)");
		else
			grade_cap(g, GRADE_A_MINUS, "anonymous suites accepted (harmless to "
			    "opportunistic senders, never chosen by DANE/MTA-STS ones)");
	}
	/* C: practical attacks or no modern protocol. */
	if (grade_has(g, WEAK_TLS_SSLV3))
		grade_cap(g, GRADE_C, "SSLv3 accepted (POODLE)");
	if (grade_has(g, WEAK_CIPHER_RC4))
		grade_cap(g, GRADE_C, "RC4 accepted");
	if (grade_has(g, WEAK_CIPHER_3DES))
		grade_cap(g, GRADE_C, "64-bit block cipher accepted (Sweet32)");
	if (grade_has(g, WEAK_TLS_NO_MODERN))
		grade_cap(g, GRADE_C, "neither TLS 1.2 nor TLS 1.3 accepted");
	if (grade_has(g, WEAK_TLS_COMPRESSION))
		grade_cap(g, GRADE_C, "TLS compression accepted (CRIME)");
	if (grade_has(g, WEAK_TLS_INSECURE_RENEG))
		grade_cap(g, GRADE_C, "no secure renegotiation (RFC 5746)");
	/* B: deprecated but not broken. */
	if (grade_has(g, WEAK_TLS_V1_0))
		grade_cap(g, GRADE_B, "TLS 1.0 accepted");
	if (grade_has(g, WEAK_TLS_V1_1))
		grade_cap(g, GRADE_B, "TLS 1.1 accepted");
	if (grade_has(g, WEAK_CIPHER_NO_AEAD))
		grade_cap(g, GRADE_B, "no AEAD suite");
	if (r->any_supported && !pfs)
		grade_cap(g, GRADE_B, "no forward secrecy");
	if (grade_has(g, WEAK_KX_DH_WEAK) && r->dh_min_bits >= 1024)
		grade_cap(g, GRADE_B, "DH group under 2048 bits");
	if (in->vulns & GRADE_VULN_KX_SHA1)
		grade_cap(g, GRADE_B, "key exchange signed with SHA-1 only");
	grade_cert_caps(in, g);
	/* A-: a missing safety net. */
	if (grade_has(g, WEAK_TLS_NO_FALLBACK_SCSV))
		grade_cap(g, GRADE_A_MINUS, "TLS_FALLBACK_SCSV not honoured");

	/* A+: A with nothing to remark. */
	if (g->tls_letter == GRADE_A) {
		if (g->weak.flags == 0 && grade_plus_suites(r) &&
		    r->v[TLSENUM_TLS11].supported != TLSENUM_YES &&
		    r->v[TLSENUM_TLS10].supported != TLSENUM_YES &&
		    r->secure_reneg != TLSENUM_NO && r->fallback_scsv != TLSENUM_NO &&
		    (r->dh_min_bits == 0 || r->dh_min_bits >= 2048) &&
		    (g->cert_key_strength == 0 || g->cert_key_strength >= 2048))
			g->tls_letter = GRADE_A_PLUS;
		else if (!grade_plus_suites(r))
			grade_say(&g->reasons, "not A+: no TLS 1.3, and TLS 1.2 suites without "
			    "AEAD or forward secrecy");
		else if (g->weak.flags != 0)
			grade_say(&g->reasons, "not A+: %s", weak_name(__builtin_ctz(g->weak.flags)));
	}

	/* Certificate: marked always, capped only where someone checks it. */
	authenticated = in->cert_authenticated_by == GRADE_AUTH_DANE ||
	    in->cert_authenticated_by == GRADE_AUTH_MTASTS;
	if (authenticated)
		grade_say(&g->reasons, "certificate authenticated by %s: trust and name not graded "
		    "(key and signature are)",
		    grade_auth_name(in->cert_authenticated_by));
	else {
		if (!in->cert_trusted)
			g->marks |= GRADE_MARK_T;
		if (!in->cert_name_ok)
			g->marks |= GRADE_MARK_M;
	}
	g->letter = g->tls_letter;
	if (g->marks != 0 && in->context == GRADE_CTX_CLIENT) {
		g->trust_capped = 1;
		g->letter = GRADE_F;
		grade_say(&g->reasons, "capped at F: certificate %s%s%s (clients verify it)",
		    (g->marks & GRADE_MARK_T) ? "not trusted" : "",
		    g->marks == (GRADE_MARK_T | GRADE_MARK_M) ? ", " : "",
		    (g->marks & GRADE_MARK_M) ? "name mismatch" : "");
	} else if (g->marks != 0)
		grade_say(&g->reasons, "not capped for the certificate: opportunistic SMTP senders "
		    "do not check it (see the downgrade verdict)");

	if (g->trust_capped)
		snprintf(g->display, sizeof(g->display), "%s%s",
		    (g->marks & GRADE_MARK_T) ? "T" : "", (g->marks & GRADE_MARK_M) ? "M" : "");
	else if (g->marks != 0)
		snprintf(g->display, sizeof(g->display), "%s [%s%s]", grade_letter_name(g->letter),
		    (g->marks & GRADE_MARK_T) ? "T" : "", (g->marks & GRADE_MARK_M) ? "M" : "");
	else
		snprintf(g->display, sizeof(g->display), "%s", grade_letter_name(g->letter));

	grade_ncsc_all(r, g);
	grade_mozilla(r, g);
}
