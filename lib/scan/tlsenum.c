/*
 * tlsenum.c — the enumeration planner: which hello to send next, and what each answer proves.
 *
 * The algorithm and why each skip is safe: docs/internals/tlsenum.md.  In short, per version:
 * offer every candidate suite, record the one chosen, drop it, ask again, until the server
 * refuses — (accepted + 1) connections per version, which is the floor for a scanner that
 * sends one hello per connection.  One "discovery" hello offering every version at once
 * doubles as the first suite probe of the highest version and rules out the versions above it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/tlsenum.h"
#include "tls/cipher.h"
#include "tls/hello.h"
#include "util/dbuf.h"
#include "util/xalloc.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Every group a TLS 1.3 hello lists: the server answers with key_share or an HRR. */
static const uint16_t tlsenum_groups13[] = {
	HELLO_GROUP_X25519, HELLO_GROUP_SECP256R1, HELLO_GROUP_X448, HELLO_GROUP_SECP521R1,
	HELLO_GROUP_SECP384R1,
	0x11ec, 0x11eb, 0x11ed,		/* X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024 */
	31, 32, 33,			/* brainpoolP256r1tls13, P384r1tls13, P512r1tls13 */
	HELLO_GROUP_FFDHE2048, HELLO_GROUP_FFDHE3072, HELLO_GROUP_FFDHE4096,
	HELLO_GROUP_FFDHE6144, HELLO_GROUP_FFDHE8192,
};

/* Named curves for ECDHE at TLS <= 1.2 (RFC 8422, RFC 7027, RFC 4492). */
static const uint16_t tlsenum_groups12[] = {
	HELLO_GROUP_X25519, HELLO_GROUP_SECP256R1, HELLO_GROUP_X448, HELLO_GROUP_SECP521R1,
	HELLO_GROUP_SECP384R1,
	26, 27, 28,			/* brainpoolP256r1, P384r1, P512r1 */
	22, 21, 19,			/* secp256k1, secp224r1, secp192r1 */
};

/* Suite hellos list both, so every answer shows the server's first-choice group. */
static const uint16_t tlsenum_groups_all[] = {
	HELLO_GROUP_X25519, HELLO_GROUP_SECP256R1, HELLO_GROUP_X448, HELLO_GROUP_SECP521R1,
	HELLO_GROUP_SECP384R1,
	0x11ec, 0x11eb, 0x11ed,
	31, 32, 33,
	26, 27, 28,
	22, 21, 19,
	HELLO_GROUP_FFDHE2048, HELLO_GROUP_FFDHE3072, HELLO_GROUP_FFDHE4096,
	HELLO_GROUP_FFDHE6144, HELLO_GROUP_FFDHE8192,
};

/* Every extension whose echo the report records, on every hello that can carry them. */
#define TLSENUM_HELLO_OPTS	(HELLO_OPT_RENEG_INFO | HELLO_OPT_EMS | HELLO_OPT_ETM | \
				 HELLO_OPT_TICKET | HELLO_OPT_STATUS | HELLO_OPT_HEARTBEAT | \
				 HELLO_OPT_PADDING)

#define TLSENUM_HELLO_CEILING	16384

enum tlsenum_phase {
	TLSENUM_PH_DISCOVER,
	TLSENUM_PH_SUITES,
	TLSENUM_PH_ORDER,
	TLSENUM_PH_RANK,
	TLSENUM_PH_SSLV2,
	TLSENUM_PH_GROUPS13,
	TLSENUM_PH_GROUPS12,
	TLSENUM_PH_FALLBACK,
	TLSENUM_PH_DONE
};

struct tlsenum {
	struct tlsenum_opts	 opts;
	char			*sni;
	struct tlsenum_report	 rep;
	enum tlsenum_phase	 phase;
	int			 finalized;

	/* PH_SUITES / PH_ORDER / PH_RANK: the version being enumerated */
	int			 vcur;
	int			 vstarted;	/* cand[] computed for vcur */
	int			 vbroken;	/* a quirk cut vcur's list short */
	uint16_t		 cand[TLSENUM_MAX_SUITES];	/* not yet accepted, ascending */
	size_t			 ncand;
	size_t			 chunk_lo;	/* window start in cand[] */
	int			 chunked;	/* cand[] did not fit one hello */
	uint16_t		 rank[TLSENUM_MAX_SUITES];	/* PH_RANK: not yet ranked */
	size_t			 nrank;
	uint16_t		 ranked[TLSENUM_MAX_SUITES];
	size_t			 nranked;
	int			 rank_started;

	/* group phases */
	int			 v12;		/* PH_GROUPS12: the version asked at */
	unsigned int		 order_fold;	/* TLSENUM_VBIT()s: order asked by a group hello */
	int			 fold_v;	/* the outstanding group hello asks v's order; -1 */
	unsigned int		 group_attempts;
	int			 groups_capped;
	int			 discover_refused;

	/* the outstanding attempt and what it offered */
	int			 pending;
	int			 resend;
	unsigned int		 retries;
	int			 quirk_now;	/* the last answer broke a rule */
	struct tlsenum_attempt	 at;
	unsigned int		 offered_versions;
	uint16_t		 suites[TLSENUM_MAX_SUITES + 2];
	size_t			 nsuites;
	uint16_t		 groups[TLSENUM_MAX_GROUPS];
	size_t			 ngroups;
	uint16_t		 versions[4];
	struct hello_key_share	 share;
	struct hello_params	 hp;
	struct hello_sslv2_params sp;
	uint32_t		 specs[16];
	uint8_t			 random[32];
	uint8_t			 sid[32];
	uint8_t			 challenge[16];
	struct dbuf		 out;
	uint32_t		 counter;
	unsigned int		 timeout_retried;	/* TLSENUM_VBIT()s: a first-hello timeout resent */
};

/* ---- Names --------------------------------------------------------------------------------- */

static const char *const tlsenum_version_names[TLSENUM_VERSION_LAST] = {
	[TLSENUM_SSL2] = "SSLv2",
	[TLSENUM_SSL3] = "SSLv3",
	[TLSENUM_TLS10] = "TLSv1.0",
	[TLSENUM_TLS11] = "TLSv1.1",
	[TLSENUM_TLS12] = "TLSv1.2",
	[TLSENUM_TLS13] = "TLSv1.3",
};

static const uint16_t tlsenum_version_wires[TLSENUM_VERSION_LAST] = {
	[TLSENUM_SSL2] = HELLO_SSL2,
	[TLSENUM_SSL3] = HELLO_SSL3,
	[TLSENUM_TLS10] = HELLO_TLS10,
	[TLSENUM_TLS11] = HELLO_TLS11,
	[TLSENUM_TLS12] = HELLO_TLS12,
	[TLSENUM_TLS13] = HELLO_TLS13,
};

static const char *const tlsenum_answer_names[TLSENUM_ANSWER_LAST] = {
	[TLSENUM_UNTESTED] = "untested",
	[TLSENUM_YES] = "yes",
	[TLSENUM_NO] = "no",
	[TLSENUM_INDETERMINATE] = "indeterminate",
	[TLSENUM_NOT_APPLICABLE] = "not_applicable",
};

static const char *const tlsenum_purpose_names[TLSENUM_P_LAST] = {
	[TLSENUM_P_DISCOVER] = "discover",
	[TLSENUM_P_SUITES] = "suites",
	[TLSENUM_P_ORDER] = "order",
	[TLSENUM_P_RANK] = "rank",
	[TLSENUM_P_SSLV2] = "sslv2",
	[TLSENUM_P_GROUPS13] = "groups13",
	[TLSENUM_P_GROUPS12] = "groups12",
	[TLSENUM_P_FALLBACK] = "fallback",
};

static const char *const tlsenum_status_names[TLSENUM_OUT_LAST] = {
	[TLSENUM_OUT_HELLO] = "hello",
	[TLSENUM_OUT_ALERT] = "alert",
	[TLSENUM_OUT_CLOSED] = "closed",
	[TLSENUM_OUT_TIMEOUT] = "timeout",
	[TLSENUM_OUT_GARBAGE] = "garbage",
	[TLSENUM_OUT_NO_CONNECTION] = "no_connection",
};

const char *
tlsenum_version_name(enum tlsenum_version v)
{
	return (unsigned int)v < TLSENUM_VERSION_LAST ? tlsenum_version_names[v] : "?";
}

const char *
tlsenum_answer_name(enum tlsenum_answer a)
{
	return (unsigned int)a < TLSENUM_ANSWER_LAST ? tlsenum_answer_names[a] : "?";
}

const char *
tlsenum_purpose_name(enum tlsenum_purpose p)
{
	return (unsigned int)p < TLSENUM_P_LAST ? tlsenum_purpose_names[p] : "?";
}

const char *
tlsenum_status_name(enum tlsenum_status s)
{
	return (unsigned int)s < TLSENUM_OUT_LAST ? tlsenum_status_names[s] : "?";
}

uint16_t
tlsenum_version_wire(enum tlsenum_version v)
{
	return (unsigned int)v < TLSENUM_VERSION_LAST ? tlsenum_version_wires[v] : 0;
}

int
tlsenum_version_from_wire(uint16_t w)
{
	int v;

	for (v = 0; v < TLSENUM_VERSION_LAST; v++)
		if (tlsenum_version_wires[v] == w)
			return v;
	return -1;
}

/* ---- Outcomes ------------------------------------------------------------------------------ */

void
tlsenum_outcome_tls(struct tlsenum_outcome *o, const struct hello_server *sh,
    enum tlsenum_status ended)
{
	memset(o, 0, sizeof(*o));
	o->server = sh;
	if (sh->seen & HELLO_SEEN_HELLO)
		o->status = TLSENUM_OUT_HELLO;
	else if (sh->result == HELLO_ALERT) {
		o->status = TLSENUM_OUT_ALERT;
		o->alert = sh->alert_desc;
	} else if (sh->result == HELLO_NEED_MORE)
		o->status = ended;
	else
		o->status = TLSENUM_OUT_GARBAGE;
}

void
tlsenum_outcome_sslv2(struct tlsenum_outcome *o, const struct hello_sslv2_server *s2,
    enum tlsenum_status ended)
{
	memset(o, 0, sizeof(*o));
	o->sslv2 = s2;
	switch (s2->result) {
	case HELLO_OK:
		o->status = TLSENUM_OUT_HELLO;
		break;
	case HELLO_ALERT:
		o->status = TLSENUM_OUT_ALERT;
		o->alert = s2->error;
		break;
	case HELLO_NEED_MORE:
		o->status = ended;
		break;
	default:
		o->status = TLSENUM_OUT_GARBAGE;
		break;
	}
}

/* ---- Small helpers ------------------------------------------------------------------------- */

static int
tlsenum_has16(const uint16_t *a, size_t n, uint16_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] == x)
			return 1;
	return 0;
}

static int
tlsenum_del16(uint16_t *a, size_t *n, uint16_t x)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (a[i] == x) {
			memmove(a + i, a + i + 1, (*n - i - 1) * sizeof(*a));
			(*n)--;
			return 1;
		}
	return 0;
}

static int
tlsenum_cmp16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return (x > y) - (x < y);
}

static int
tlsenum_enabled(const struct tlsenum *te, int v)
{
	return (te->opts.versions & TLSENUM_VBIT(v)) != 0;
}

static void
tlsenum_fill_random(struct tlsenum *te, uint8_t *buf, size_t len)
{
	size_t i;

	if (te->opts.random != NULL) {
		te->opts.random(te->opts.random_arg, buf, len);
		return;
	}
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(te->counter * 131u + i * 7u + 1u);
	te->counter++;
}

static void
tlsenum_stop(struct tlsenum *te, const char *why)
{
	if (!te->rep.incomplete) {
		te->rep.incomplete = 1;
		te->rep.incomplete_reason = why;
	}
	te->phase = TLSENUM_PH_DONE;
}

/*
 * A positive observation wins over a negative one, and a contradiction is a quirk: a server
 * that both accepted and refused a version is misbehaving (or load-balanced over unequal nodes).
 */
static void
tlsenum_set_support(struct tlsenum *te, int v, enum tlsenum_answer a)
{
	struct tlsenum_version_report *vr = &te->rep.v[v];

	if (vr->supported == a)
		return;
	if ((vr->supported == TLSENUM_YES && a == TLSENUM_NO) ||
	    (vr->supported == TLSENUM_NO && a == TLSENUM_YES))
		te->rep.quirks |= TLSENUM_QUIRK_VERSION_FLIP;
	if (vr->supported == TLSENUM_YES)
		return;
	vr->supported = a;
}

/* Valid before TLS 1.2: no AEAD, no SHA-2 MAC or PRF, no 1.2-only exchange (RFC 5246 §1.2). */
static int
tlsenum_pre12(const struct cipher_suite *cs)
{
	return !(cs->flags & (CIPHER_F_AEAD | CIPHER_F_TLS13 | CIPHER_F_SCSV)) &&
	    cs->mac != CIPHER_MAC_SHA256 && cs->mac != CIPHER_MAC_SHA384 &&
	    cs->prf == CIPHER_PRF_DEFAULT && cs->kx != CIPHER_KX_GOST &&
	    cs->kx != CIPHER_KX_ECCPWD && cs->kx != CIPHER_KX_TLS13;
}

/*
 * Suites a server might accept at 1.1/1.0/SSLv3 although it refused them at 1.2: export (banned
 * from 1.1 on), single DES and IDEA (dropped from 1.2), and the RC4 / 3DES / RC2 suites that some
 * configurations kept for old clients only.  Always offered below 1.2, narrowing or not.
 */
static int
tlsenum_legacy_only(const struct cipher_suite *cs)
{
	return (cs->flags & CIPHER_F_EXPORT) || cs->enc == CIPHER_ENC_RC4 ||
	    cs->enc == CIPHER_ENC_DES || cs->enc == CIPHER_ENC_3DES ||
	    cs->enc == CIPHER_ENC_RC2 || cs->enc == CIPHER_ENC_IDEA;
}

/* The candidate suites for version v, ascending, without those already accepted there. */
static void
tlsenum_candidates(struct tlsenum *te, int v)
{
	const struct tlsenum_version_report *v12 = &te->rep.v[TLSENUM_TLS12];
	const struct tlsenum_version_report *vr = &te->rep.v[v];
	const struct cipher_suite *cs;
	const uint16_t *list;
	size_t i, n;
	int narrow;

	te->ncand = 0;
	list = v == TLSENUM_TLS13 ? cipher_list_tls13(&n) : cipher_list_legacy(&n);
	narrow = !te->opts.full_legacy && v < TLSENUM_TLS12 &&
	    v12->supported == TLSENUM_YES && v12->complete;
	for (i = 0; i < n && te->ncand < TLSENUM_MAX_SUITES; i++) {
		if (tlsenum_has16(vr->suites, vr->nsuites, list[i]))
			continue;
		if (v < TLSENUM_TLS12) {
			if ((cs = cipher_by_code(list[i])) == NULL || !tlsenum_pre12(cs))
				continue;
			if (narrow && !tlsenum_legacy_only(cs) &&
			    !tlsenum_has16(v12->suites, v12->nsuites, list[i]))
				continue;
		}
		te->cand[te->ncand++] = list[i];
	}
	qsort(te->cand, te->ncand, sizeof(te->cand[0]), tlsenum_cmp16);
}

/* ---- Building hellos ----------------------------------------------------------------------- */

/*
 * Build a TLS hello at version v from te->suites and te->groups (filled by the caller).
 * TLS 1.3: supported_versions is te->versions when discovering, else { 1.3 }; the only key
 * share is X25519, and only when X25519 is listed (RFC 8446 §4.2.8: a share's group must be in
 * supported_groups); otherwise client_shares is empty and the server must name its choice in
 * an HRR.  Returns 0 (and stops) if the builder refuses.
 */
static int
tlsenum_build(struct tlsenum *te, enum tlsenum_purpose p, int v, size_t nversions,
    unsigned int extra)
{
	struct hello_params *hp = &te->hp;
	enum hello_build_result r;
	int i;

	tlsenum_fill_random(te, te->random, sizeof(te->random));
	hello_params_default(hp, tlsenum_version_wire(v), te->random);
	hp->ciphers = te->suites;
	hp->nciphers = te->nsuites;
	hp->groups = te->groups;
	hp->ngroups = te->ngroups;
	hp->sni = te->sni;
	hp->opts = TLSENUM_HELLO_OPTS | extra;
	hp->key_shares = NULL;
	hp->nkey_shares = 0;
	hp->versions = NULL;
	hp->nversions = 0;
	if (v == TLSENUM_TLS13) {
		hp->opts |= HELLO_OPT_PSK_MODES;
		/* RFC 8446 §4.1.2 / Appendix D.4: a 1.3 client sends a session id (middleboxes). */
		tlsenum_fill_random(te, te->sid, sizeof(te->sid));
		hp->session_id = te->sid;
		hp->session_id_len = sizeof(te->sid);
		if (nversions == 0) {
			te->versions[0] = HELLO_TLS13;
			nversions = 1;
		}
		hp->versions = te->versions;
		hp->nversions = nversions;
		if (tlsenum_has16(te->groups, te->ngroups, HELLO_GROUP_X25519)) {
			te->share.group = HELLO_GROUP_X25519;
			te->share.key = NULL;
			te->share.len = 0;
			hp->key_shares = &te->share;
			hp->nkey_shares = 1;
		}
	} else {
		/* RFC 8446 §4.1.2: a 1.3 ClientHello must offer only null compression. */
		hp->opts |= HELLO_OPT_DEFLATE;
		if (v == TLSENUM_SSL3)
			hp->opts |= HELLO_OPT_RENEG_SCSV;	/* no extensions in SSLv3 */
	}

	/* Which versions a correct server may answer with. */
	te->offered_versions = 0;
	if (v == TLSENUM_TLS13) {
		te->offered_versions = TLSENUM_VBIT(TLSENUM_TLS13);
		if (nversions > 1)	/* discovery: legacy_version 1.2 covers everything below */
			for (i = TLSENUM_SSL3; i <= TLSENUM_TLS12; i++)
				te->offered_versions |= TLSENUM_VBIT(i);
	} else
		for (i = TLSENUM_SSL3; i <= v; i++)
			te->offered_versions |= TLSENUM_VBIT(i);

	dbuf_reset(&te->out);
	if ((r = hello_build_client(&te->out, hp)) != HELLO_BUILD_OK) {
		tlsenum_stop(te, "the hello builder refused a hello");
		return 0;
	}
	memset(&te->at, 0, sizeof(te->at));
	te->at.kind = TLSENUM_KIND_TLS;
	te->at.purpose = p;
	te->at.version = v;
	te->at.hello = te->out.data;
	te->at.hello_len = te->out.len;
	te->at.params = hp;
	return 1;
}

static int
tlsenum_build_sslv2(struct tlsenum *te)
{
	const uint32_t *list;
	size_t n;

	list = cipher_list_sslv2(&n);
	if (n > NELEM(te->specs))
		n = NELEM(te->specs);
	memcpy(te->specs, list, n * sizeof(*list));
	tlsenum_fill_random(te, te->challenge, sizeof(te->challenge));
	memset(&te->sp, 0, sizeof(te->sp));
	te->sp.version = HELLO_SSL2;
	te->sp.specs = te->specs;
	te->sp.nspecs = n;
	te->sp.challenge = te->challenge;
	te->sp.challenge_len = sizeof(te->challenge);
	dbuf_reset(&te->out);
	if (hello_build_sslv2(&te->out, &te->sp) != HELLO_BUILD_OK) {
		tlsenum_stop(te, "the hello builder refused the SSLv2 hello");
		return 0;
	}
	memset(&te->at, 0, sizeof(te->at));
	te->at.kind = TLSENUM_KIND_SSLV2;
	te->at.purpose = TLSENUM_P_SSLV2;
	te->at.version = TLSENUM_SSL2;
	te->at.hello = te->out.data;
	te->at.hello_len = te->out.len;
	te->at.sslv2 = &te->sp;
	return 1;
}

static void
tlsenum_set_groups(struct tlsenum *te, const uint16_t *g, size_t n, const uint16_t *skip,
    size_t nskip)
{
	size_t i;

	te->ngroups = 0;
	for (i = 0; i < n && te->ngroups < TLSENUM_MAX_GROUPS; i++)
		if (!tlsenum_has16(skip, nskip, g[i]))
			te->groups[te->ngroups++] = g[i];
}

/* ---- Reading answers ----------------------------------------------------------------------- */

static void
tlsenum_add_kx(struct tlsenum *te, enum cipher_kx kx, int v, uint16_t group, unsigned int bits)
{
	struct tlsenum_report *r = &te->rep;
	size_t i;

	if (kx == CIPHER_KX_DHE && bits > 0 && (r->dh_min_bits == 0 || bits < r->dh_min_bits))
		r->dh_min_bits = bits;
	for (i = 0; i < r->nkx; i++)
		if (r->kx[i].kx == kx && r->kx[i].group == group && r->kx[i].bits == bits)
			return;
	if (r->nkx < TLSENUM_MAX_KX) {
		r->kx[r->nkx].kx = kx;
		r->kx[r->nkx].version = v;
		r->kx[r->nkx].group = group;
		r->kx[r->nkx].bits = bits;
		r->nkx++;
	}
}

static void
tlsenum_add_group(uint16_t *list, size_t *n, uint16_t g)
{
	if (!tlsenum_has16(list, *n, g) && *n < TLSENUM_MAX_GROUPS)
		list[(*n)++] = g;
}

/* Extensions, compression and key-exchange parameters of a <= 1.2 ServerHello flight. */
static void
tlsenum_absorb_legacy(struct tlsenum *te, const struct hello_server *sh, int y)
{
	struct tlsenum_version_report *vr = &te->rep.v[y];
	const struct hello_ske *ske = &sh->ske;

	vr->hellos++;
	if (sh->reneg_info_len >= 0) {
		vr->reneg_hellos++;
		vr->exts |= TLSENUM_EXT_RENEG;
	}
	if (hello_server_has_ext(sh, HELLO_EXT_EXTENDED_MASTER_SECRET))
		vr->exts |= TLSENUM_EXT_EMS;
	if (hello_server_has_ext(sh, HELLO_EXT_ENCRYPT_THEN_MAC))
		vr->exts |= TLSENUM_EXT_ETM;
	if (hello_server_has_ext(sh, HELLO_EXT_SESSION_TICKET))
		vr->exts |= TLSENUM_EXT_TICKET;
	if (hello_server_has_ext(sh, HELLO_EXT_STATUS_REQUEST) || (sh->seen & HELLO_SEEN_STATUS))
		vr->exts |= TLSENUM_EXT_STATUS;
	if (sh->heartbeat_mode != 0 || hello_server_has_ext(sh, HELLO_EXT_HEARTBEAT))
		vr->exts |= TLSENUM_EXT_HEARTBEAT;
	if (sh->compression == 1)
		vr->compression = 1;

	if (!(sh->seen & HELLO_SEEN_SKE))
		return;
	if (ske->sig_scheme != 0 && sh->version == HELLO_TLS12 &&
	    !tlsenum_has16(te->rep.ske_sigs, te->rep.nske_sigs, ske->sig_scheme) &&
	    te->rep.nske_sigs < TLSENUM_MAX_SKE_SIGS)
		te->rep.ske_sigs[te->rep.nske_sigs++] = ske->sig_scheme;
	switch (ske->kind) {
	case HELLO_SKE_ECDH:
		if (ske->ec_curve_type == 3) {
			tlsenum_add_kx(te, CIPHER_KX_ECDHE, y, ske->ec_curve, 0);
			tlsenum_add_group(te->rep.groups12, &te->rep.ngroups12, ske->ec_curve);
		} else
			te->rep.ec_explicit = 1;
		break;
	case HELLO_SKE_DH:
		tlsenum_add_kx(te, CIPHER_KX_DHE, y, 0, ske->dh_p_bits);
		break;
	case HELLO_SKE_RSA:
		tlsenum_add_kx(te, CIPHER_KX_RSA, y, 0, ske->rsa_bits);
		break;
	default:
		break;
	}
}

/*
 * Turn an answer into facts about the server.  Returns the version a ServerHello chose with a
 * suite we offered (the suite recorded as accepted there), or -1 for a refusal: an alert, a
 * close, a timeout, garbage, or an answer that broke a rule (a quirk, te->quirk_now set).
 * *suite and *group get the choice (group: 1.3 key_share/HRR group, or the ECDHE curve).
 */
static int
tlsenum_absorb(struct tlsenum *te, const struct tlsenum_outcome *o, uint16_t *suite,
    uint16_t *group)
{
	const struct hello_server *sh = o->server;
	struct tlsenum_version_report *vr;
	int y, top, v;

	*suite = 0;
	*group = 0;
	te->quirk_now = 0;
	if (o->status == TLSENUM_OUT_TIMEOUT)
		te->rep.timeouts++;
	if (sh == NULL || !(sh->seen & HELLO_SEEN_HELLO))
		return -1;

	y = tlsenum_version_from_wire(sh->version);
	for (top = TLSENUM_TLS13; top > 0 && !(te->offered_versions & TLSENUM_VBIT(top)); top--)
		;
	if (y > top) {
		te->rep.quirks |= TLSENUM_QUIRK_HIGHER_VERSION;
		te->quirk_now = 1;
		return -1;
	}
	if (y < 0 || !(te->offered_versions & TLSENUM_VBIT(y))) {
		te->rep.quirks |= TLSENUM_QUIRK_BAD_VERSION;
		te->quirk_now = 1;
		return -1;
	}

	/* RFC 8446 §4.2.1, RFC 5246 Appendix E.1: the server picks the highest it shares. */
	tlsenum_set_support(te, y, TLSENUM_YES);
	for (v = y + 1; v <= TLSENUM_TLS13; v++)
		if (te->offered_versions & TLSENUM_VBIT(v))
			tlsenum_set_support(te, v, TLSENUM_NO);

	if (!tlsenum_has16(te->suites, te->nsuites, sh->cipher) ||
	    sh->cipher == CIPHER_CODE_FALLBACK_SCSV ||
	    sh->cipher == CIPHER_CODE_EMPTY_RENEGOTIATION_INFO_SCSV) {
		te->rep.quirks |= TLSENUM_QUIRK_UNOFFERED_SUITE;
		te->quirk_now = 1;
		return -1;
	}
	/*
	 * A suite of the wrong family for the version chosen (a TLS 1.3 suite at 1.2, an AEAD
	 * suite at 1.0) is not support for it: a broken or hostile answer must not reach the lists
	 * that grades and weaknesses are read from.
	 */
	{
		const struct cipher_suite *cs = cipher_by_code(sh->cipher);

		if (cs == NULL || ((cs->flags & CIPHER_F_TLS13) != 0) != (y == TLSENUM_TLS13) ||
		    (y < TLSENUM_TLS12 && !tlsenum_pre12(cs))) {
			te->rep.quirks |= TLSENUM_QUIRK_UNOFFERED_SUITE;
			te->quirk_now = 1;
			return -1;
		}
	}
	vr = &te->rep.v[y];
	if (!tlsenum_has16(vr->suites, vr->nsuites, sh->cipher) && vr->nsuites < TLSENUM_MAX_SUITES)
		vr->suites[vr->nsuites++] = sh->cipher;
	if (y == te->vcur && te->vstarted)
		tlsenum_del16(te->cand, &te->ncand, sh->cipher);
	*suite = sh->cipher;

	if (y == TLSENUM_TLS13) {
		*group = sh->key_share_group;
		if (sh->key_share_group != 0) {
			if (!tlsenum_has16(te->groups, te->ngroups, sh->key_share_group)) {
				te->rep.quirks |= TLSENUM_QUIRK_UNOFFERED_GROUP;
				*group = 0;
			} else if (!tlsenum_has16(te->rep.groups13, te->rep.ngroups13,
			    sh->key_share_group) && te->rep.ngroups13 < TLSENUM_MAX_GROUPS) {
				if (sh->seen & HELLO_SEEN_HRR)
					te->rep.groups13_hrr |= 1u << te->rep.ngroups13;
				te->rep.groups13[te->rep.ngroups13++] = sh->key_share_group;
			}
			tlsenum_add_kx(te, CIPHER_KX_TLS13, y, sh->key_share_group, 0);
		}
	} else {
		tlsenum_absorb_legacy(te, sh, y);
		if ((sh->seen & HELLO_SEEN_SKE) && sh->ske.kind == HELLO_SKE_ECDH &&
		    sh->ske.ec_curve_type == 3)
			*group = sh->ske.ec_curve;
	}
	return y;
}

/* ---- The plan ------------------------------------------------------------------------------ */

static int
tlsenum_ceiling(struct tlsenum *te)
{
	if (te->rep.attempts < te->opts.max_attempts)
		return 0;
	tlsenum_stop(te, "attempt ceiling reached");
	return 1;
}

/* Leave vcur for the next lower version. */
static void
tlsenum_next_version(struct tlsenum *te)
{
	te->vcur--;
	te->vstarted = 0;
	te->rank_started = 0;
	te->phase = TLSENUM_PH_SUITES;
}

static int
tlsenum_ascending(const uint16_t *a, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (a[i] < a[i - 1])
			return 0;
	return 1;
}

/* The highest supported <= 1.2 version that accepted an ECDHE suite, or -1. */
static int
tlsenum_ecdhe_version(const struct tlsenum *te)
{
	const struct tlsenum_version_report *vr;
	const struct cipher_suite *cs;
	size_t i;
	int v;

	for (v = TLSENUM_TLS12; v >= TLSENUM_TLS10; v--) {
		vr = &te->rep.v[v];
		if (vr->supported != TLSENUM_YES)
			continue;
		for (i = 0; i < vr->nsuites; i++)
			if ((cs = cipher_by_code(vr->suites[i])) != NULL &&
			    cs->kx == CIPHER_KX_ECDHE)
				return v;
	}
	return -1;
}

/* Groups of list[] the reports do not have yet. */
static size_t
tlsenum_untested_groups(const uint16_t *list, size_t n, const uint16_t *seen, size_t nseen)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += !tlsenum_has16(seen, nseen, list[i]);
	return k;
}

/* The suites of v a group hello offers: every TLS 1.3 suite accepted, or the ECDHE ones <= 1.2. */
static size_t
tlsenum_group_suites(const struct tlsenum *te, int v, uint16_t *out)
{
	const struct tlsenum_version_report *vr = &te->rep.v[v];
	const struct cipher_suite *cs;
	size_t i, n = 0;

	for (i = 0; i < vr->nsuites; i++)
		if (v == TLSENUM_TLS13 || ((cs = cipher_by_code(vr->suites[i])) != NULL &&
		    cs->kx == CIPHER_KX_ECDHE))
			out[n++] = vr->suites[i];
	return n;
}

/*
 * Whether v's order probe can ride on the first group hello (tlsenum.md, "Server order"): that
 * hello offers v's accepted suites anyway (TLS 1.3: all; <= 1.2: the ECDHE ones, at the version
 * PH_GROUPS12 will ask at), so offering them in reverse order answers the order question with no
 * connection of its own.  Only while a group remains to be asked about, at least two suites are
 * offered, and the lists are not chunked (ranking needs vcur).
 */
static int
tlsenum_order_foldable(const struct tlsenum *te, int v)
{
	uint16_t sub[TLSENUM_MAX_SUITES];

	if (!te->opts.test_groups || te->opts.chunk != 0 || te->chunked ||
	    te->opts.max_group_attempts == 0)
		return 0;
	if (v == TLSENUM_TLS13)
		return tlsenum_untested_groups(tlsenum_groups13, NELEM(tlsenum_groups13),
		    te->rep.groups13, te->rep.ngroups13) > 0;
	if (tlsenum_ecdhe_version(te) != v || tlsenum_group_suites(te, v, sub) < 2)
		return 0;
	return tlsenum_untested_groups(tlsenum_groups12, NELEM(tlsenum_groups12),
	    te->rep.groups12, te->rep.ngroups12) > 0;
}

/* A group hello asks v's order: its suites are v's, reversed (the order probe's). */
static void
tlsenum_fold_suites(struct tlsenum *te, int v)
{
	uint16_t sub[TLSENUM_MAX_SUITES];
	size_t i, n = tlsenum_group_suites(te, v, sub);

	for (i = 0; i < n; i++)
		te->suites[i] = sub[n - 1 - i];
	te->nsuites = n;
	te->fold_v = v;
}

/*
 * The order question's answer from a hello that offered v's suites (or a subset) reversed: the
 * server's favourite among them (its first pick in the enumeration) again means server order,
 * our first means client order, anything else is indeterminate.
 */
static void
tlsenum_order_answer(struct tlsenum *te, int v, int y, uint16_t suite)
{
	struct tlsenum_version_report *vr = &te->rep.v[v];
	uint16_t fav = 0;
	size_t i;

	for (i = 0; i < vr->nsuites && fav == 0; i++)
		if (tlsenum_has16(te->suites, te->nsuites, vr->suites[i]))
			fav = vr->suites[i];
	if (y == v && suite == fav && suite != te->suites[0])
		vr->server_order = TLSENUM_YES;
	else if (y == v && suite == te->suites[0] && suite != fav)
		vr->server_order = TLSENUM_NO;
	else
		vr->server_order = TLSENUM_INDETERMINATE;
}

/*
 * Decide the next attempt and build it.  1: te->at is ready; 0: nothing left to ask.  Each
 * case either builds (return 1) or moves the phase on and loops.
 */
static int
tlsenum_plan(struct tlsenum *te)
{
	struct tlsenum_version_report *vr;
	const struct cipher_suite *cs;
	const uint16_t *l13, *leg;
	size_t n13, nleg, i, w;
	int v, second;

	for (;;) {
		switch (te->phase) {
		case TLSENUM_PH_DISCOVER:
			te->phase = TLSENUM_PH_SUITES;
			te->vcur = TLSENUM_TLS13;
			te->vstarted = 0;
			if (!tlsenum_enabled(te, TLSENUM_TLS13) || te->opts.chunk != 0 ||
			    !(te->opts.versions & (TLSENUM_VBIT(TLSENUM_TLS10) |
			    TLSENUM_VBIT(TLSENUM_TLS11) | TLSENUM_VBIT(TLSENUM_TLS12))))
				break;
			if (tlsenum_ceiling(te))
				break;
			l13 = cipher_list_tls13(&n13);
			leg = cipher_list_legacy(&nleg);
			te->nsuites = 0;
			for (i = 0; i < n13; i++)
				te->suites[te->nsuites++] = l13[i];
			for (i = 0; i < nleg && te->nsuites < TLSENUM_MAX_SUITES; i++)
				te->suites[te->nsuites++] = leg[i];
			tlsenum_set_groups(te, tlsenum_groups_all, NELEM(tlsenum_groups_all),
			    NULL, 0);
			te->versions[0] = HELLO_TLS13;
			te->versions[1] = HELLO_TLS12;
			te->versions[2] = HELLO_TLS11;
			te->versions[3] = HELLO_TLS10;
			return tlsenum_build(te, TLSENUM_P_DISCOVER, TLSENUM_TLS13, 4, 0);

		case TLSENUM_PH_SUITES:
			v = te->vcur;
			if (v < TLSENUM_SSL3) {
				te->phase = TLSENUM_PH_SSLV2;
				break;
			}
			vr = &te->rep.v[v];
			if (!tlsenum_enabled(te, v) || vr->supported == TLSENUM_NO) {
				tlsenum_next_version(te);
				break;
			}
			if (!te->vstarted) {
				tlsenum_candidates(te, v);
				te->vstarted = 1;
				te->vbroken = 0;
				te->chunk_lo = 0;
				te->chunked = te->opts.chunk != 0 && te->ncand > te->opts.chunk;
			}
			if (te->chunk_lo >= te->ncand) {
				/* Refused everything left (or nothing left to offer). */
				vr->complete = !te->vbroken;
				if (vr->supported != TLSENUM_YES)
					vr->supported = TLSENUM_NO;
				te->phase = TLSENUM_PH_ORDER;
				break;
			}
			if (tlsenum_ceiling(te))
				break;
			w = te->ncand - te->chunk_lo;
			if (te->opts.chunk != 0 && w > te->opts.chunk)
				w = te->opts.chunk;
			memcpy(te->suites, te->cand + te->chunk_lo, w * sizeof(te->suites[0]));
			te->nsuites = w;
			if (v == TLSENUM_TLS13)
				tlsenum_set_groups(te, tlsenum_groups13, NELEM(tlsenum_groups13),
				    NULL, 0);
			else
				tlsenum_set_groups(te, tlsenum_groups_all,
				    NELEM(tlsenum_groups_all), NULL, 0);
			return tlsenum_build(te, TLSENUM_P_SUITES, v, 0, 0);

		case TLSENUM_PH_ORDER:
			vr = &te->rep.v[te->vcur];
			if (vr->supported != TLSENUM_YES || vr->nsuites < 2) {
				if (vr->supported == TLSENUM_YES)
					vr->server_order = TLSENUM_NOT_APPLICABLE;
				tlsenum_next_version(te);
				break;
			}
			if (vr->server_order == TLSENUM_UNTESTED &&
			    !tlsenum_ascending(vr->suites, vr->nsuites))
				/* A client-order server picks in our (ascending) order. */
				vr->server_order = TLSENUM_YES;
			if (vr->server_order != TLSENUM_UNTESTED) {
				if (vr->server_order == TLSENUM_YES && te->chunked)
					te->phase = TLSENUM_PH_RANK;
				else
					tlsenum_next_version(te);
				break;
			}
			if (tlsenum_order_foldable(te, te->vcur)) {
				te->order_fold |= TLSENUM_VBIT(te->vcur);
				tlsenum_next_version(te);
				break;
			}
			if (tlsenum_ceiling(te))
				break;
			/* Our order reversed: client order picks our first, server order its own. */
			for (i = 0; i < vr->nsuites; i++)
				te->suites[i] = vr->suites[vr->nsuites - 1 - i];
			te->nsuites = vr->nsuites;
			tlsenum_set_groups(te, te->vcur == TLSENUM_TLS13 ? tlsenum_groups13 :
			    tlsenum_groups_all, te->vcur == TLSENUM_TLS13 ?
			    NELEM(tlsenum_groups13) : NELEM(tlsenum_groups_all), NULL, 0);
			return tlsenum_build(te, TLSENUM_P_ORDER, te->vcur, 0, 0);

		case TLSENUM_PH_RANK:
			vr = &te->rep.v[te->vcur];
			if (!te->rank_started) {
				memcpy(te->rank, vr->suites, vr->nsuites * sizeof(te->rank[0]));
				te->nrank = vr->nsuites;
				qsort(te->rank, te->nrank, sizeof(te->rank[0]), tlsenum_cmp16);
				te->nranked = 0;
				te->rank_started = 1;
			}
			if (te->nrank <= 1) {
				if (te->nrank == 1)
					te->ranked[te->nranked++] = te->rank[0];
				memcpy(vr->suites, te->ranked, te->nranked * sizeof(vr->suites[0]));
				vr->nsuites = te->nranked;
				tlsenum_next_version(te);
				break;
			}
			if (tlsenum_ceiling(te))
				break;
			memcpy(te->suites, te->rank, te->nrank * sizeof(te->suites[0]));
			te->nsuites = te->nrank;
			tlsenum_set_groups(te, te->vcur == TLSENUM_TLS13 ? tlsenum_groups13 :
			    tlsenum_groups_all, te->vcur == TLSENUM_TLS13 ?
			    NELEM(tlsenum_groups13) : NELEM(tlsenum_groups_all), NULL, 0);
			return tlsenum_build(te, TLSENUM_P_RANK, te->vcur, 0, 0);

		case TLSENUM_PH_SSLV2:
			te->phase = TLSENUM_PH_GROUPS13;
			te->group_attempts = 0;
			if (!tlsenum_enabled(te, TLSENUM_SSL2))
				break;
			if (tlsenum_ceiling(te))
				break;
			return tlsenum_build_sslv2(te);

		case TLSENUM_PH_GROUPS13:
			if (!te->opts.test_groups ||
			    te->rep.v[TLSENUM_TLS13].supported != TLSENUM_YES) {
				te->phase = TLSENUM_PH_GROUPS12;
				te->group_attempts = 0;
				break;
			}
			tlsenum_set_groups(te, tlsenum_groups13, NELEM(tlsenum_groups13),
			    te->rep.groups13, te->rep.ngroups13);
			if (te->ngroups == 0 || te->group_attempts >= te->opts.max_group_attempts) {
				if (te->ngroups != 0)
					te->groups_capped = 1;
				te->phase = TLSENUM_PH_GROUPS12;
				te->group_attempts = 0;
				break;
			}
			if (tlsenum_ceiling(te))
				break;
			if (te->order_fold & TLSENUM_VBIT(TLSENUM_TLS13)) {
				te->order_fold &= ~TLSENUM_VBIT(TLSENUM_TLS13);
				tlsenum_fold_suites(te, TLSENUM_TLS13);
			} else {
				l13 = cipher_list_tls13(&n13);
				memcpy(te->suites, l13, n13 * sizeof(te->suites[0]));
				te->nsuites = n13;
			}
			te->group_attempts++;
			return tlsenum_build(te, TLSENUM_P_GROUPS13, TLSENUM_TLS13, 0, 0);

		case TLSENUM_PH_GROUPS12:
			te->v12 = te->opts.test_groups ? tlsenum_ecdhe_version(te) : -1;
			if (te->v12 < 0) {
				te->phase = TLSENUM_PH_FALLBACK;
				break;
			}
			tlsenum_set_groups(te, tlsenum_groups12, NELEM(tlsenum_groups12),
			    te->rep.groups12, te->rep.ngroups12);
			if (te->ngroups == 0 || te->group_attempts >= te->opts.max_group_attempts) {
				if (te->ngroups != 0)
					te->groups_capped = 1;
				te->phase = TLSENUM_PH_FALLBACK;
				break;
			}
			if (tlsenum_ceiling(te))
				break;
			if (te->order_fold & TLSENUM_VBIT(te->v12)) {
				te->order_fold &= ~TLSENUM_VBIT(te->v12);
				tlsenum_fold_suites(te, te->v12);
			} else {
				vr = &te->rep.v[te->v12];
				te->nsuites = 0;
				for (i = 0; i < vr->nsuites; i++)
					if ((cs = cipher_by_code(vr->suites[i])) != NULL &&
					    cs->kx == CIPHER_KX_ECDHE)
						te->suites[te->nsuites++] = vr->suites[i];
				qsort(te->suites, te->nsuites, sizeof(te->suites[0]), tlsenum_cmp16);
			}
			te->group_attempts++;
			return tlsenum_build(te, TLSENUM_P_GROUPS12, te->v12, 0, 0);

		case TLSENUM_PH_FALLBACK:
			/* an order question no group hello answered gets its own hello now */
			for (v = TLSENUM_TLS13; v >= TLSENUM_SSL3; v--)
				if (te->order_fold & TLSENUM_VBIT(v))
					break;
			if (v >= TLSENUM_SSL3) {
				te->order_fold &= ~TLSENUM_VBIT(v);
				if (tlsenum_ceiling(te))
					break;
				vr = &te->rep.v[v];
				for (i = 0; i < vr->nsuites; i++)
					te->suites[i] = vr->suites[vr->nsuites - 1 - i];
				te->nsuites = vr->nsuites;
				tlsenum_set_groups(te, v == TLSENUM_TLS13 ? tlsenum_groups13 :
				    tlsenum_groups_all, v == TLSENUM_TLS13 ?
				    NELEM(tlsenum_groups13) : NELEM(tlsenum_groups_all), NULL, 0);
				return tlsenum_build(te, TLSENUM_P_ORDER, v, 0, 0);
			}
			te->phase = TLSENUM_PH_DONE;
			second = -1;
			for (v = TLSENUM_TLS13, i = 0; v >= TLSENUM_SSL3; v--)
				if (te->rep.v[v].supported == TLSENUM_YES && i++ == 1)
					second = v;
			if (second < 0) {
				if (i == 1)
					te->rep.fallback_scsv = TLSENUM_NOT_APPLICABLE;
				break;
			}
			if (tlsenum_ceiling(te))
				break;
			vr = &te->rep.v[second];
			memcpy(te->suites, vr->suites, vr->nsuites * sizeof(te->suites[0]));
			te->nsuites = vr->nsuites;
			if (te->nsuites == 0) {		/* seen, not enumerated (disabled) */
				leg = cipher_list_legacy(&nleg);
				memcpy(te->suites, leg, nleg * sizeof(te->suites[0]));
				te->nsuites = nleg;
			}
			qsort(te->suites, te->nsuites, sizeof(te->suites[0]), tlsenum_cmp16);
			tlsenum_set_groups(te, tlsenum_groups_all, NELEM(tlsenum_groups_all), NULL, 0);
			return tlsenum_build(te, TLSENUM_P_FALLBACK, second, 0,
			    HELLO_OPT_FALLBACK_SCSV);

		case TLSENUM_PH_DONE:
			return 0;
		}
	}
}

/* ---- Results ------------------------------------------------------------------------------- */

static void
tlsenum_result_sslv2(struct tlsenum *te, const struct tlsenum_outcome *o)
{
	struct tlsenum_version_report *vr = &te->rep.v[TLSENUM_SSL2];
	const struct hello_sslv2_server *s2 = o->sslv2;
	size_t n;

	if (o->status == TLSENUM_OUT_TIMEOUT)
		te->rep.timeouts++;
	vr->complete = 1;
	if (o->status != TLSENUM_OUT_HELLO || s2 == NULL || s2->result != HELLO_OK) {
		vr->supported = TLSENUM_NO;
		return;
	}
	/* A SERVER-HELLO is SSLv2 support, even with no common cipher (CVE-2015-3197). */
	vr->supported = TLSENUM_YES;
	n = s2->nspecs < HELLO_MAX_SSLV2_SPECS ? s2->nspecs : HELLO_MAX_SSLV2_SPECS;
	memcpy(vr->sslv2_specs, s2->specs, n * sizeof(vr->sslv2_specs[0]));
	vr->nsslv2_specs = n;
	vr->server_order = TLSENUM_NOT_APPLICABLE;
}

void
tlsenum_result(struct tlsenum *te, const struct tlsenum_attempt *at,
    const struct tlsenum_outcome *o)
{
	struct tlsenum_version_report *vr;
	uint16_t suite, group;
	size_t w;
	int y;

	if (!te->pending || at->seq != te->at.seq)
		BUG("tlsenum_result: not the outstanding attempt");
	te->pending = 0;

	if (o->status == TLSENUM_OUT_NO_CONNECTION) {
		te->rep.attempts_failed++;
		if (++te->retries <= te->opts.max_retries)
			te->resend = 1;
		else
			tlsenum_stop(te, "connections kept failing");
		return;
	}
	/*
	 * A timeout says nothing about support: before a version has shown any, its hello is
	 * sent once more; only a second timeout counts as a refusal.
	 */
	if (o->status == TLSENUM_OUT_TIMEOUT && at->purpose == TLSENUM_P_SUITES &&
	    at->kind == TLSENUM_KIND_TLS && te->rep.v[at->version].supported != TLSENUM_YES &&
	    !(te->timeout_retried & TLSENUM_VBIT(at->version))) {
		te->timeout_retried |= TLSENUM_VBIT(at->version);
		te->rep.timeouts++;
		te->resend = 1;
		return;
	}
	te->retries = 0;

	if (at->kind == TLSENUM_KIND_SSLV2) {
		tlsenum_result_sslv2(te, o);
		return;
	}

	y = tlsenum_absorb(te, o, &suite, &group);
	if (te->fold_v >= 0) {
		/* a group hello that also asked fold_v's order (tlsenum_order_foldable) */
			if (y == te->fold_v && suite != 0)
			tlsenum_order_answer(te, te->fold_v, y, suite);
		else
			te->order_fold |= TLSENUM_VBIT(te->fold_v);	/* asked again later */
		te->fold_v = -1;
	}
	switch (at->purpose) {
	case TLSENUM_P_DISCOVER:
		if (y < 0)
			te->discover_refused = 1;
		break;

	case TLSENUM_P_SUITES:
		if (y == te->vcur)
			break;		/* accepted: dropped from cand[], ask again */
		/* Refused (or answered at another version): skip this window. */
		w = te->ncand - te->chunk_lo;
		if (te->opts.chunk != 0 && w > te->opts.chunk)
			w = te->opts.chunk;
		te->chunk_lo += w;
		if (te->quirk_now) {
			te->vbroken = 1;
			te->chunk_lo = te->ncand;	/* do not loop on a misbehaving server */
		}
		break;

	case TLSENUM_P_ORDER:
		vr = &te->rep.v[at->version];
		if (y == (int)at->version && suite == vr->suites[0])
			vr->server_order = TLSENUM_YES;
		else if (y == (int)at->version && suite == te->suites[0])
			vr->server_order = TLSENUM_NO;
		else
			vr->server_order = TLSENUM_INDETERMINATE;
		break;

	case TLSENUM_P_RANK:
		if (y == te->vcur && tlsenum_del16(te->rank, &te->nrank, suite))
			te->ranked[te->nranked++] = suite;
		else {
			/* Give up ranking; keep the order found so far, mark it unsure. */
			te->rep.v[te->vcur].server_order = TLSENUM_INDETERMINATE;
			tlsenum_next_version(te);
		}
		break;

	case TLSENUM_P_GROUPS13:
		if (y != TLSENUM_TLS13 || group == 0) {
			te->phase = TLSENUM_PH_GROUPS12;
			te->group_attempts = 0;
		}
		break;

	case TLSENUM_P_GROUPS12:
		if (y != te->v12 || group == 0 || !tlsenum_has16(te->groups, te->ngroups, group))
			te->phase = TLSENUM_PH_FALLBACK;
		break;

	case TLSENUM_P_FALLBACK:
		if (o->status == TLSENUM_OUT_ALERT &&
		    o->alert == HELLO_ALERT_INAPPROPRIATE_FALLBACK)
			te->rep.fallback_scsv = TLSENUM_YES;
		else if (y >= 0)
			te->rep.fallback_scsv = TLSENUM_NO;
		else
			te->rep.fallback_scsv = TLSENUM_INDETERMINATE;
		break;

	default:
		BUG("tlsenum_result: unknown purpose");
	}
}

/* ---- Summaries ----------------------------------------------------------------------------- */

static void
tlsenum_finalize(struct tlsenum *te)
{
	struct tlsenum_report *r = &te->rep;
	struct tlsenum_version_report *vr;
	unsigned int hellos = 0, reneg = 0, fl = 0;
	int v, any_legacy_yes = 0;

	if (te->finalized)
		return;
	te->finalized = 1;
	r->exts = 0;
	r->compression = TLSENUM_NO;
	for (v = TLSENUM_SSL2; v < TLSENUM_VERSION_LAST; v++) {
		vr = &r->v[v];
		if (vr->supported == TLSENUM_YES) {
			r->any_supported = 1;
			r->max_version = v;
			if (v != TLSENUM_SSL2 && v != TLSENUM_TLS13)
				any_legacy_yes = 1;
		}
		r->exts |= vr->exts;
		hellos += vr->hellos;
		reneg += vr->reneg_hellos;
		if (vr->compression)
			r->compression = TLSENUM_YES;
		/* The floor: (accepted + 1) per version asked about; one SSLv2 hello lists all. */
		if (v == TLSENUM_SSL2)
			fl += tlsenum_enabled(te, v) && vr->supported != TLSENUM_UNTESTED;
		else if (vr->supported == TLSENUM_YES)
			fl += (unsigned int)vr->nsuites + 1;
		else if (vr->supported == TLSENUM_NO && tlsenum_enabled(te, v))
			fl += 1;
	}
	if (te->opts.test_groups)
		fl += (unsigned int)(r->ngroups13 + r->ngroups12);
	r->floor = fl;

	if (hellos == 0)
		r->secure_reneg = any_legacy_yes ? TLSENUM_INDETERMINATE : TLSENUM_NOT_APPLICABLE;
	else
		r->secure_reneg = reneg == hellos ? TLSENUM_YES : TLSENUM_NO;
	if (hellos == 0)
		r->compression = any_legacy_yes ? TLSENUM_INDETERMINATE : TLSENUM_NOT_APPLICABLE;
	r->heartbeat = hellos == 0 ? TLSENUM_NOT_APPLICABLE :
	    (r->exts & TLSENUM_EXT_HEARTBEAT) ? TLSENUM_YES : TLSENUM_NO;
	if (!te->opts.test_groups)
		r->groups_tested = TLSENUM_UNTESTED;
	else
		r->groups_tested = te->groups_capped || r->incomplete ? TLSENUM_INDETERMINATE :
		    TLSENUM_YES;
	if (te->discover_refused && r->any_supported && r->max_version >= TLSENUM_TLS10)
		r->quirks |= TLSENUM_QUIRK_DISCOVER_REFUSED;
}

/* ---- Life cycle ---------------------------------------------------------------------------- */

struct tlsenum *
tlsenum_new(const struct tlsenum_opts *opts)
{
	struct tlsenum *te;
	int v;

	te = xcalloc(1, sizeof(*te));
	if (opts != NULL)
		te->opts = *opts;
	te->opts.versions &= TLSENUM_VALL;
	if (te->opts.versions == 0)
		te->opts.versions = TLSENUM_VALL;
	if (te->opts.max_attempts == 0)
		te->opts.max_attempts = TLSENUM_DEFAULT_MAX;
	if (te->opts.max_group_attempts == 0)
		te->opts.max_group_attempts = TLSENUM_DEFAULT_GROUPS;
	if (te->opts.max_retries == 0)
		te->opts.max_retries = 2;
	te->fold_v = -1;
	if (te->opts.chunk > TLSENUM_MAX_SUITES)
		te->opts.chunk = 0;
	if (te->opts.sni != NULL)
		te->sni = xstrdup(te->opts.sni);
	te->opts.sni = te->sni;
	for (v = 0; v < TLSENUM_VERSION_LAST; v++)
		te->rep.v[v].server_order = TLSENUM_UNTESTED;
	te->rep.fallback_scsv = TLSENUM_UNTESTED;
	te->phase = TLSENUM_PH_DISCOVER;
	te->vcur = TLSENUM_TLS13;
	dbuf_init(&te->out, TLSENUM_HELLO_CEILING);
	return te;
}

int
tlsenum_next(struct tlsenum *te, struct tlsenum_attempt *out)
{
	if (te->pending)
		BUG("tlsenum_next: the previous attempt has no result yet");
	if (te->resend) {
		te->resend = 0;
		if (tlsenum_ceiling(te)) {
			tlsenum_finalize(te);
			return 0;
		}
	} else if (!tlsenum_plan(te)) {
		tlsenum_finalize(te);
		return 0;
	}
	te->at.seq = ++te->rep.attempts;
	te->pending = 1;
	*out = te->at;
	return 1;
}

const struct tlsenum_report *
tlsenum_report(const struct tlsenum *te)
{
	return &te->rep;
}

void
tlsenum_free(struct tlsenum *te)
{
	if (te == NULL)
		return;
	dbuf_free(&te->out);
	free(te->sni);
	free(te);
}
