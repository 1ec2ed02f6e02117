/*
 * test_tlsenum.c — the enumeration planner against simulated servers.
 *
 * Each simulated server is a table: versions, suites in its preference order, whether it uses
 * its own order, TLS 1.3 groups and ECDHE curves in its order, DH size, fallback SCSV,
 * renegotiation_info, compression, SSLv2.  sim_answer() reads the attempt's hello_params the
 * way a server reads a ClientHello and fills a struct hello_server directly.  Every config
 * checks that the report equals the configuration and that the attempts stay within
 * floor * 1.1 + 8, floor = sum over versions of (accepted + 1) + SSLv2 + group attempts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scan/tlsenum.h"
#include "tls/cipher.h"
#include "tls/hello.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct sim {
	const char	*name;
	unsigned int	 versions;	/* TLSENUM_VBIT()s, SSLv2 included */
	const uint16_t	*suites;	/* TLS <= 1.2, server preference order */
	size_t		 nsuites;
	const uint16_t	*suites13;
	size_t		 nsuites13;
	int		 server_order;
	const uint16_t	*groups13;	/* preference order */
	size_t		 ngroups13;
	const uint16_t	*curves;	/* ECDHE curves, preference order */
	size_t		 ncurves;
	unsigned int	 dh_bits;
	int		 fallback_scsv;
	int		 reneg;
	int		 compression;
	const uint32_t	*specs;		/* SSLv2 */
	size_t		 nspecs;
	int		 intolerant_sv;	/* closes on any hello with supported_versions */
	int		 flaky;		/* every 7th connection fails before the hello */
};

static unsigned int sim_conns;

static int
has16(const uint16_t *a, size_t n, uint16_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] == x)
			return 1;
	return 0;
}

static int
pre12(uint16_t code)
{
	const struct cipher_suite *cs = cipher_by_code(code);

	return cs != NULL && !(cs->flags & CIPHER_F_AEAD) && cs->mac != CIPHER_MAC_SHA256 &&
	    cs->mac != CIPHER_MAC_SHA384 && cs->prf == CIPHER_PRF_DEFAULT;
}

/* The suites the server accepts at version v, in its order. */
static size_t
sim_pool(const struct sim *s, int v, uint16_t *out)
{
	size_t i, n = 0;

	if (v == TLSENUM_TLS13) {
		memcpy(out, s->suites13, s->nsuites13 * sizeof(*out));
		return s->nsuites13;
	}
	for (i = 0; i < s->nsuites; i++)
		if (v == TLSENUM_TLS12 || pre12(s->suites[i]))
			out[n++] = s->suites[i];
	return n;
}

static int
sim_max(const struct sim *s)
{
	int v;

	for (v = TLSENUM_TLS13; v > TLSENUM_SSL2; v--)
		if (s->versions & TLSENUM_VBIT(v))
			return v;
	return -1;
}

/* The curve an ECDHE suite would use, or 0 when none is shared. */
static uint16_t
sim_curve(const struct sim *s, const struct hello_params *hp, int v)
{
	size_t i;

	if (v == TLSENUM_SSL3)		/* no extensions: any curve (RFC 4492 §4) */
		return s->ncurves ? s->curves[0] : 0;
	for (i = 0; i < s->ncurves; i++)
		if (has16(hp->groups, hp->ngroups, s->curves[i]))
			return s->curves[i];
	return 0;
}

static int
sim_acceptable(const struct sim *s, const struct hello_params *hp, int v, uint16_t code)
{
	const struct cipher_suite *cs = cipher_by_code(code);

	if (cs != NULL && cs->kx == CIPHER_KX_ECDHE && sim_curve(s, hp, v) == 0)
		return 0;
	return 1;
}

static struct hello_server sim_sh;
static struct hello_sslv2_server sim_s2;

static void
sim_answer(const struct sim *s, const struct tlsenum_attempt *at, struct tlsenum_outcome *o)
{
	const struct hello_params *hp = at->params;
	uint16_t pool[TLSENUM_MAX_SUITES], legacy, chosen = 0, g;
	size_t np, i, j;
	int v = -1, w, hrr = 0;

	memset(o, 0, sizeof(*o));
	sim_conns++;
	if (s->flaky && sim_conns % 7 == 0) {
		o->status = TLSENUM_OUT_NO_CONNECTION;
		return;
	}
	if (at->kind == TLSENUM_KIND_SSLV2) {
		memset(&sim_s2, 0, sizeof(sim_s2));
		if (!(s->versions & TLSENUM_VBIT(TLSENUM_SSL2))) {
			o->status = TLSENUM_OUT_CLOSED;
			return;
		}
		sim_s2.result = HELLO_OK;
		for (i = 0; i < s->nspecs; i++)
			for (j = 0; j < at->sslv2->nspecs; j++)
				if (at->sslv2->specs[j] == s->specs[i])
					sim_s2.specs[sim_s2.nspecs++] = s->specs[i];
		tlsenum_outcome_sslv2(o, &sim_s2, TLSENUM_OUT_CLOSED);
		return;
	}
	if (s->intolerant_sv && hp->nversions > 0) {
		o->status = TLSENUM_OUT_CLOSED;
		return;
	}

	/* Version: supported_versions if we know 1.3, else the highest <= legacy_version. */
	legacy = hp->version > HELLO_TLS12 ? HELLO_TLS12 : hp->version;
	if ((s->versions & TLSENUM_VBIT(TLSENUM_TLS13)) && hp->nversions > 0) {
		for (i = 0; i < hp->nversions; i++) {
			w = tlsenum_version_from_wire(hp->versions[i]);
			if (w > v && (s->versions & TLSENUM_VBIT(w)))
				v = w;
		}
	} else {
		for (w = TLSENUM_TLS12; w >= TLSENUM_SSL3; w--)
			if (tlsenum_version_wire(w) <= legacy && (s->versions & TLSENUM_VBIT(w))) {
				v = w;
				break;
			}
	}
	if (v < 0) {
		o->status = TLSENUM_OUT_ALERT;
		o->alert = HELLO_ALERT_PROTOCOL_VERSION;
		return;
	}
	if ((hp->opts & HELLO_OPT_FALLBACK_SCSV) && s->fallback_scsv && v < sim_max(s)) {
		o->status = TLSENUM_OUT_ALERT;
		o->alert = HELLO_ALERT_INAPPROPRIATE_FALLBACK;
		return;
	}

	np = sim_pool(s, v, pool);
	if (s->server_order) {
		for (i = 0; i < np && !chosen; i++)
			if (has16(hp->ciphers, hp->nciphers, pool[i]) &&
			    sim_acceptable(s, hp, v, pool[i]))
				chosen = pool[i];
	} else {
		for (i = 0; i < hp->nciphers && !chosen; i++)
			if (has16(pool, np, hp->ciphers[i]) &&
			    sim_acceptable(s, hp, v, hp->ciphers[i]))
				chosen = hp->ciphers[i];
	}
	if (!chosen) {
		o->status = TLSENUM_OUT_ALERT;
		o->alert = HELLO_ALERT_HANDSHAKE_FAILURE;
		return;
	}

	memset(&sim_sh, 0, sizeof(sim_sh));
	sim_sh.result = HELLO_OK;
	sim_sh.seen = HELLO_SEEN_HELLO;
	sim_sh.version = tlsenum_version_wire(v);
	sim_sh.legacy_version = v == TLSENUM_TLS13 ? HELLO_TLS12 : sim_sh.version;
	sim_sh.cipher = chosen;
	sim_sh.reneg_info_len = -1;
	if (v == TLSENUM_TLS13) {
		g = 0;
		for (i = 0; i < hp->nkey_shares && !g; i++)
			if (has16(s->groups13, s->ngroups13, hp->key_shares[i].group))
				g = hp->key_shares[i].group;
		for (i = 0; i < s->ngroups13 && !g; i++)
			if (has16(hp->groups, hp->ngroups, s->groups13[i])) {
				g = s->groups13[i];
				hrr = 1;
			}
		if (!g) {
			o->status = TLSENUM_OUT_ALERT;
			o->alert = HELLO_ALERT_HANDSHAKE_FAILURE;
			return;
		}
		sim_sh.selected_version = HELLO_TLS13;
		sim_sh.key_share_group = g;
		if (hrr)
			sim_sh.seen |= HELLO_SEEN_HRR;
	} else {
		const struct cipher_suite *cs = cipher_by_code(chosen);

		if (s->reneg)
			sim_sh.reneg_info_len = 1;
		if (s->compression && (hp->opts & HELLO_OPT_DEFLATE))
			sim_sh.compression = 1;
		if (cs != NULL && cs->kx == CIPHER_KX_ECDHE) {
			sim_sh.seen |= HELLO_SEEN_SKE;
			sim_sh.ske.kind = HELLO_SKE_ECDH;
			sim_sh.ske.ec_curve_type = 3;
			sim_sh.ske.ec_curve = sim_curve(s, hp, v);
		} else if (cs != NULL && cs->kx == CIPHER_KX_DHE) {
			sim_sh.seen |= HELLO_SEEN_SKE;
			sim_sh.ske.kind = HELLO_SKE_DH;
			sim_sh.ske.dh_p_bits = s->dh_bits;
		}
		sim_sh.seen |= HELLO_SEEN_DONE;
	}
	tlsenum_outcome_tls(o, &sim_sh, TLSENUM_OUT_CLOSED);
}

static void
test_random(void *arg, uint8_t *buf, size_t len)
{
	unsigned int *state = arg;
	size_t i;

	for (i = 0; i < len; i++) {
		*state = *state * 1103515245u + 12345u;
		buf[i] = (uint8_t)(*state >> 16);
	}
}

/* Run the planner against s to the end; returns the planner (caller frees). */
static struct tlsenum *
run(const struct sim *s, const struct tlsenum_opts *opts)
{
	static unsigned int seed;
	struct tlsenum_opts o;
	struct tlsenum *te;
	struct tlsenum_attempt at;
	struct tlsenum_outcome out;
	unsigned int n = 0;

	o = *opts;
	seed = 42;
	o.random = test_random;
	o.random_arg = &seed;
	sim_conns = 0;
	te = tlsenum_new(&o);
	while (tlsenum_next(te, &at)) {
		assert_non_null(at.hello);
		assert_true(at.hello_len > 0);
		assert_int_equal(at.seq, ++n);
		sim_answer(s, &at, &out);
		tlsenum_result(te, &at, &out);
	}
	return te;
}

static size_t
expected_groups(const uint16_t *srv, size_t n, const uint16_t *ours, size_t nours)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (has16(ours, nours, srv[i]))
			k++;
	return k;
}

static const uint16_t our_groups13[] = { 29, 23, 30, 25, 24, 0x11ec, 0x11eb, 0x11ed, 31, 32, 33,
	256, 257, 258, 259, 260 };
static const uint16_t our_curves[] = { 29, 23, 30, 25, 24, 26, 27, 28, 22, 21, 19 };

/* The report must equal the configuration; the attempts must stay near the floor. */
static void
check(const struct sim *s, const struct tlsenum_opts *opts)
{
	struct tlsenum *te = run(s, opts);
	const struct tlsenum_report *r = tlsenum_report(te);
	const struct tlsenum_version_report *vr;
	uint16_t pool[TLSENUM_MAX_SUITES];
	size_t np, i, ng13 = 0, ng12 = 0;
	unsigned int floor = 0, nsup = 0;
	int v;

	for (v = TLSENUM_SSL3; v <= TLSENUM_TLS13; v++) {
		vr = &r->v[v];
		if (!(s->versions & TLSENUM_VBIT(v))) {
			assert_int_equal(vr->supported, TLSENUM_NO);
			assert_int_equal(vr->nsuites, 0);
			floor += 1;
			continue;
		}
		nsup++;
		np = sim_pool(s, v, pool);
		assert_int_equal(vr->supported, TLSENUM_YES);
		assert_true(vr->complete);
		floor += (unsigned int)np + 1;
		/*
		 * Chunked lists: one refusal per chunk instead of one per version, and with
		 * server order (k - 1) hellos to rank across chunks.  349 = every suite.
		 */
		if (opts->chunk != 0)
			floor += (unsigned int)((349 + opts->chunk - 1) / opts->chunk - 1) +
			    (s->server_order && np > 1 ? (unsigned int)np - 1 : 0);
		if (vr->nsuites != np)
			fprintf(stderr, "%s %s: %zu suites, want %zu\n", s->name,
			    tlsenum_version_name(v), vr->nsuites, np);
		assert_int_equal(vr->nsuites, np);
		for (i = 0; i < np; i++)
			assert_true(has16(vr->suites, vr->nsuites, pool[i]));
		if (np >= 2) {
			assert_int_equal(vr->server_order, s->server_order ? TLSENUM_YES : TLSENUM_NO);
			if (s->server_order)
				assert_memory_equal(vr->suites, pool, np * sizeof(pool[0]));
		} else
			assert_int_equal(vr->server_order, TLSENUM_NOT_APPLICABLE);
	}
	floor += 1;	/* SSLv2 */
	vr = &r->v[TLSENUM_SSL2];
	if (s->versions & TLSENUM_VBIT(TLSENUM_SSL2)) {
		assert_int_equal(vr->supported, TLSENUM_YES);
		assert_int_equal(vr->nsslv2_specs, s->nspecs);
	} else
		assert_int_equal(vr->supported, TLSENUM_NO);

	if (opts->test_groups) {
		if (s->versions & TLSENUM_VBIT(TLSENUM_TLS13)) {
			ng13 = expected_groups(s->groups13, s->ngroups13, our_groups13,
			    NELEM(our_groups13));
			assert_int_equal(r->ngroups13, ng13);
			for (i = 0; i < s->ngroups13; i++)
				assert_true(has16(r->groups13, r->ngroups13, s->groups13[i]));
		}
		if (r->ngroups12 > 0 || s->ncurves > 0) {
			ng12 = expected_groups(s->curves, s->ncurves, our_curves, NELEM(our_curves));
			assert_int_equal(r->ngroups12, ng12);
		}
		assert_int_equal(r->groups_tested, TLSENUM_YES);
		floor += (unsigned int)(ng13 + ng12);
	}
	if (nsup >= 2)
		assert_int_equal(r->fallback_scsv, s->fallback_scsv ? TLSENUM_YES : TLSENUM_NO);
	else
		assert_int_equal(r->fallback_scsv, TLSENUM_NOT_APPLICABLE);
	if (s->dh_bits)
		assert_int_equal(r->dh_min_bits, s->dh_bits);
	assert_int_equal(r->compression, s->compression ? TLSENUM_YES :
	    (s->versions & (TLSENUM_VALL & ~TLSENUM_VBIT(TLSENUM_TLS13) &
	    ~TLSENUM_VBIT(TLSENUM_SSL2))) ? TLSENUM_NO : TLSENUM_NOT_APPLICABLE);
	if (s->versions & (TLSENUM_VBIT(TLSENUM_TLS12) | TLSENUM_VBIT(TLSENUM_TLS11) |
	    TLSENUM_VBIT(TLSENUM_TLS10) | TLSENUM_VBIT(TLSENUM_SSL3)))
		assert_int_equal(r->secure_reneg, s->reneg ? TLSENUM_YES : TLSENUM_NO);
	else
		assert_int_equal(r->secure_reneg, TLSENUM_NOT_APPLICABLE);
	assert_false(r->incomplete);
	assert_int_equal(r->quirks & ~TLSENUM_QUIRK_DISCOVER_REFUSED, 0);

	fprintf(stderr, "  %-28s attempts %3u (failed %u)  floor %3u  report floor %3u\n", s->name,
	    r->attempts, r->attempts_failed, floor, r->floor);
	assert_true(r->attempts - r->attempts_failed <= floor * 11 / 10 + 8);
	tlsenum_free(te);
}

/* ---- Configurations ------------------------------------------------------------------------ */

/* Postfix on OpenSSL 3 with an RSA key and tls_medium_cipherlist + aNULL (opportunistic). */
static const uint16_t postfix_suites[] = {
	0xc030, 0x009f, 0xcca8, 0xccaa, 0xc02f, 0x009e, 0xc028, 0x006b, 0xc027, 0x0067,
	0xc014, 0x0039, 0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f,
	0x0088, 0x0084, 0x0045, 0x0041, 0xc061, 0xc060, 0xc077, 0xc076, 0x00c4, 0x00be,
	0x00a7, 0x00a6, 0xc019, 0xc018, 0x003a, 0x0034, 0x006d, 0x006c, 0xc012, 0x000a,
};
static const uint16_t openssl_suites13[] = { 0x1302, 0x1303, 0x1301 };
static const uint16_t openssl_groups13[] = { 29, 23, 30, 25, 24, 256, 257, 258, 259, 260 };
static const uint16_t openssl_curves[] = { 29, 23, 30, 25, 24 };

static const struct sim sim_postfix = {
	.name = "postfix-defaults",
	.versions = TLSENUM_VBIT(TLSENUM_TLS10) | TLSENUM_VBIT(TLSENUM_TLS11) |
	    TLSENUM_VBIT(TLSENUM_TLS12) | TLSENUM_VBIT(TLSENUM_TLS13),
	.suites = postfix_suites, .nsuites = NELEM(postfix_suites),
	.suites13 = openssl_suites13, .nsuites13 = NELEM(openssl_suites13),
	.server_order = 0,
	.groups13 = openssl_groups13, .ngroups13 = NELEM(openssl_groups13),
	.curves = openssl_curves, .ncurves = NELEM(openssl_curves),
	.dh_bits = 2048, .fallback_scsv = 1, .reneg = 1,
};

static const uint16_t aead12_suites[] = { 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc02b, 0xc02f };
static const uint16_t aead12_curves[] = { 24, 29, 23 };

static const struct sim sim_aead12 = {
	.name = "tls12-aead-server-order",
	.versions = TLSENUM_VBIT(TLSENUM_TLS12),
	.suites = aead12_suites, .nsuites = NELEM(aead12_suites),
	.server_order = 1,
	.curves = aead12_curves, .ncurves = NELEM(aead12_curves),
	.fallback_scsv = 1, .reneg = 1,
};

static const uint16_t legacy_suites[] = {
	0x0005, 0x0004, 0x000a, 0x0016, 0x002f, 0x0033, 0x0035, 0x0039, 0x0003, 0x0008,
};
static const uint32_t legacy_specs[] = { 0x010080, 0x020080, 0x0700c0 };

static const struct sim sim_legacy = {
	.name = "sslv3-rc4-legacy",
	.versions = TLSENUM_VBIT(TLSENUM_SSL2) | TLSENUM_VBIT(TLSENUM_SSL3) |
	    TLSENUM_VBIT(TLSENUM_TLS10),
	.suites = legacy_suites, .nsuites = NELEM(legacy_suites),
	.server_order = 1, .dh_bits = 1024, .fallback_scsv = 0, .reneg = 0, .compression = 1,
	.specs = legacy_specs, .nspecs = NELEM(legacy_specs),
};

static const uint16_t only13_suites[] = { 0x1301, 0x1302, 0x1303 };
static const uint16_t only13_groups[] = { 29, 23, 24, 0x11ec };

static const struct sim sim_only13 = {
	.name = "tls13-only",
	.versions = TLSENUM_VBIT(TLSENUM_TLS13),
	.suites13 = only13_suites, .nsuites13 = NELEM(only13_suites),
	.server_order = 1,
	.groups13 = only13_groups, .ngroups13 = NELEM(only13_groups),
};

static const struct sim sim_intolerant = {
	.name = "version-intolerant",
	.versions = TLSENUM_VBIT(TLSENUM_TLS10) | TLSENUM_VBIT(TLSENUM_TLS12),
	.suites = postfix_suites, .nsuites = 20,
	.server_order = 1, .curves = openssl_curves, .ncurves = 2, .dh_bits = 3072,
	.fallback_scsv = 1, .reneg = 1, .intolerant_sv = 1,
};

static void
test_postfix(void **state)
{
	struct tlsenum_opts o = { .test_groups = 1 };

	(void)state;
	check(&sim_postfix, &o);
}

static void
test_postfix_server_order(void **state)
{
	struct tlsenum_opts o = { .test_groups = 1 };
	struct sim s = sim_postfix;

	(void)state;
	s.name = "postfix-server-order";
	s.server_order = 1;
	check(&s, &o);
}

static void
test_postfix_chunked(void **state)
{
	struct tlsenum_opts o = { .test_groups = 0, .chunk = 64 };
	struct sim s = sim_postfix;

	(void)state;
	s.name = "postfix-chunked-64";
	s.server_order = 1;
	check(&s, &o);
	s.name = "postfix-chunked-64-client";
	s.server_order = 0;
	check(&s, &o);
}

static void
test_aead12(void **state)
{
	struct tlsenum_opts o = { .test_groups = 1 };

	(void)state;
	check(&sim_aead12, &o);
}

static void
test_legacy(void **state)
{
	struct tlsenum_opts o = { .test_groups = 1 };

	(void)state;
	check(&sim_legacy, &o);
}

static void
test_only13(void **state)
{
	struct tlsenum_opts o = { .test_groups = 1 };
	struct tlsenum *te;
	const struct tlsenum_report *r;

	(void)state;
	check(&sim_only13, &o);
	/* x25519 came with our share; the others were asked for with an HRR. */
	te = run(&sim_only13, &o);
	r = tlsenum_report(te);
	assert_int_equal(r->groups13[0], 29);
	assert_false(r->groups13_hrr & 1);
	assert_true(r->groups13_hrr & 2);
	assert_int_equal(r->max_version, TLSENUM_TLS13);
	tlsenum_free(te);
}

static void
test_intolerant(void **state)
{
	struct tlsenum_opts o = { .test_groups = 1 };
	struct tlsenum *te;

	(void)state;
	check(&sim_intolerant, &o);
	te = run(&sim_intolerant, &o);
	assert_true(tlsenum_report(te)->quirks & TLSENUM_QUIRK_DISCOVER_REFUSED);
	tlsenum_free(te);
}

static void
test_flaky(void **state)
{
	struct tlsenum_opts o = { .test_groups = 1 };
	struct sim s = sim_postfix;

	(void)state;
	s.name = "postfix-flaky";
	s.flaky = 1;
	check(&s, &o);
}

static void
test_ceiling(void **state)
{
	struct tlsenum_opts o = { .test_groups = 1, .max_attempts = 10 };
	struct tlsenum *te;
	const struct tlsenum_report *r;

	(void)state;
	te = run(&sim_postfix, &o);
	r = tlsenum_report(te);
	assert_int_equal(r->attempts, 10);
	assert_true(r->incomplete);
	assert_string_equal(r->incomplete_reason, "attempt ceiling reached");
	tlsenum_free(te);
}

static void
test_versions_subset(void **state)
{
	struct tlsenum_opts o = { .versions = TLSENUM_VBIT(TLSENUM_TLS12) };
	struct tlsenum *te;
	const struct tlsenum_report *r;

	(void)state;
	te = run(&sim_postfix, &o);
	r = tlsenum_report(te);
	assert_int_equal(r->v[TLSENUM_TLS12].supported, TLSENUM_YES);
	assert_int_equal(r->v[TLSENUM_TLS12].nsuites, NELEM(postfix_suites));
	assert_int_equal(r->v[TLSENUM_TLS13].supported, TLSENUM_UNTESTED);
	assert_int_equal(r->v[TLSENUM_TLS10].supported, TLSENUM_UNTESTED);
	assert_int_equal(r->v[TLSENUM_SSL2].supported, TLSENUM_UNTESTED);
	/* accepted + 1 refusal + 1 order probe */
	assert_int_equal(r->attempts, NELEM(postfix_suites) + 2);
	tlsenum_free(te);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(tlsenum_version_name(TLSENUM_TLS12), "TLSv1.2");
	assert_string_equal(tlsenum_version_name(TLSENUM_VERSION_LAST), "?");
	assert_string_equal(tlsenum_answer_name(TLSENUM_INDETERMINATE), "indeterminate");
	assert_string_equal(tlsenum_purpose_name(TLSENUM_P_FALLBACK), "fallback");
	assert_string_equal(tlsenum_status_name(TLSENUM_OUT_NO_CONNECTION), "no_connection");
	assert_int_equal(tlsenum_version_from_wire(HELLO_TLS11), TLSENUM_TLS11);
	assert_int_equal(tlsenum_version_from_wire(0x0305), -1);
	tlsenum_free(NULL);
}

/*
 * A broken or hostile server: every hello is answered at TLS 1.2 with a TLS 1.3 suite.  Nothing
 * may be recorded as accepted at 1.2, the quirk is reported, and the planner ends.
 */
static void
test_wrong_family(void **state)
{
	struct tlsenum_opts o;
	struct tlsenum *te;
	struct tlsenum_attempt at;
	struct tlsenum_outcome out;
	struct hello_server sh;
	const struct tlsenum_report *r;
	int n = 0;

	uint32_t seed = 1;

	memset(&o, 0, sizeof(o));
	o.random = test_random;
	o.random_arg = &seed;
	o.versions = TLSENUM_VBIT(TLSENUM_TLS12) | TLSENUM_VBIT(TLSENUM_TLS13);
	te = tlsenum_new(&o);
	while (tlsenum_next(te, &at)) {
		assert_true(++n < 100);
		memset(&sh, 0, sizeof(sh));
		sh.result = HELLO_OK;
		sh.seen = HELLO_SEEN_HELLO;
		sh.legacy_version = sh.version = 0x0303;
		sh.cipher = 0x1301;
		sh.reneg_info_len = -1;
		tlsenum_outcome_tls(&out, &sh, TLSENUM_OUT_HELLO);
		tlsenum_result(te, &at, &out);
	}
	r = tlsenum_report(te);
	assert_int_equal(r->v[TLSENUM_TLS12].nsuites, 0);
	assert_true(r->quirks & TLSENUM_QUIRK_UNOFFERED_SUITE);
	tlsenum_free(te);
}

/* A version whose first hello times out is asked once more before it counts as refused. */
static void
test_timeout_retried(void **state)
{
	struct tlsenum_opts o;
	struct tlsenum *te;
	struct tlsenum_attempt at;
	struct tlsenum_outcome out;
	unsigned int suites_attempts = 0, timeouts = 0;

	uint32_t seed = 2;

	memset(&o, 0, sizeof(o));
	o.random = test_random;
	o.random_arg = &seed;
	o.versions = TLSENUM_VBIT(TLSENUM_TLS12);
	te = tlsenum_new(&o);
	while (tlsenum_next(te, &at)) {
		memset(&out, 0, sizeof(out));
		if (at.purpose == TLSENUM_P_SUITES)
			suites_attempts++;
		out.status = TLSENUM_OUT_TIMEOUT;
		timeouts++;
		tlsenum_result(te, &at, &out);
		assert_true(timeouts < 50);
	}
	assert_true(suites_attempts >= 2);	/* the first hello was sent again */
	assert_int_not_equal(tlsenum_report(te)->v[TLSENUM_TLS12].supported, TLSENUM_YES);
	tlsenum_free(te);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postfix),
		cmocka_unit_test(test_postfix_server_order),
		cmocka_unit_test(test_postfix_chunked),
		cmocka_unit_test(test_aead12),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_only13),
		cmocka_unit_test(test_intolerant),
		cmocka_unit_test(test_flaky),
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_versions_subset),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_wrong_family),
		cmocka_unit_test(test_timeout_retried),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
