/*
 * scan.c — see scan.h.  Lanes split the versions so that independent chains of hellos run side by
 * side: lane 1 TLS 1.3 (+ its groups); lane 2 TLS 1.2 down to SSLv3 (+ ECDHE curves, fallback
 * SCSV); lane 3 SSLv2 (one hello).  With one lane a single planner sees every version, which is
 * the fewest connections (tlsenum.md).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "scan/scan.h"
#include "tls/hello.h"
#include "util/arena.h"
#include "util/dbuf.h"
#include "util/xalloc.h"

struct scan_lane {
	struct scan_state	*st;
	struct tlsenum		*te;
	unsigned int		 versions;
	struct tlsenum_attempt	 at;
	struct probe_raw	 raw;
	struct dbuf		 flight;
	struct arena		*arena;		/* endpoint records of this lane's attempts */
	struct event		*ev_wait;	/* spacing and back-off */
	long			 backoff_ms;
	int			 done;
};

struct scan_state {
	struct event_base		*base;
	const struct scan_config	*cfg;
	struct scan_result		*res;
	struct scan_lane		 lane[SCAN_LANES_MAX];
	int				 nlanes;
	int				 running;
	unsigned int			 attempts;
	int				 slot_given;	/* cfg->slot_free was called */
};

static void	scan_lane_next(struct scan_lane *);

static void
scan_rand(void *arg, uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)random();
}

static void
scan_wait(struct scan_lane *l, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(l->ev_wait, &tv);
}

static void
scan_probe_done(struct probe *p, struct endpoint *ep, void *arg)
{
	struct scan_lane *l = arg;
	struct scan_state *st = l->st;
	struct tlsenum_outcome out;
	struct hello_server hs;
	struct hello_sslv2_server s2;
	enum tlsenum_status ended;
	int refused = !ep->connected || l->raw.rejected_421;

	probe_free(p);
	st->res->connections++;
	switch (l->raw.end) {
	case PROBE_RAW_COMPLETE:
	case PROBE_RAW_CLOSED:
		ended = l->raw.end == PROBE_RAW_CLOSED ? TLSENUM_OUT_CLOSED : TLSENUM_OUT_HELLO;
		break;
	case PROBE_RAW_TIMEOUT:
		ended = TLSENUM_OUT_TIMEOUT;
		break;
	default:
		ended = TLSENUM_OUT_NO_CONNECTION;
		break;
	}
	memset(&hs, 0, sizeof(hs));
	if (l->at.kind == TLSENUM_KIND_SSLV2) {
		hello_parse_sslv2(l->flight.data, l->flight.len, &s2);
		tlsenum_outcome_sslv2(&out, &s2, ended);
	} else {
		hello_parse_server(l->flight.data, l->flight.len, &hs);
		tlsenum_outcome_tls(&out, &hs, ended);
	}
	tlsenum_result(l->te, &l->at, &out);
	hello_server_free(&hs);
	dbuf_reset(&l->flight);
	arena_free(l->arena);
	l->arena = NULL;
	st->running--;
	if (st->cfg->progress)
		st->cfg->progress((unsigned int)st->res->connections, st->cfg->progress_arg);
	if (ended == TLSENUM_OUT_NO_CONNECTION && refused) {
		/* 421 or refused: the server is limiting us; wait longer each time */
		st->res->backoffs++;
		l->backoff_ms = l->backoff_ms ? l->backoff_ms * 2 : st->cfg->backoff_ms;
		if (l->backoff_ms > 30000)
			l->backoff_ms = 30000;
		scan_wait(l, l->backoff_ms);
	} else if (st->cfg->spacing_ms > 0) {
		l->backoff_ms = 0;
		scan_wait(l, st->cfg->spacing_ms);
	} else {
		l->backoff_ms = 0;
		scan_lane_next(l);
	}
}

static void
scan_wait_ev(evutil_socket_t fd, short what, void *arg)
{
	scan_lane_next(arg);
}

static void
scan_lane_next(struct scan_lane *l)
{
	struct scan_state *st = l->st;
	struct probe_params pp;

	if (!tlsenum_next(l->te, &l->at)) {
		l->done = 1;
		return;
	}
	memset(&l->raw, 0, sizeof(l->raw));
	l->raw.hello = l->at.hello;
	l->raw.hello_len = l->at.hello_len;
	l->raw.sslv2 = l->at.kind == TLSENUM_KIND_SSLV2;
	l->raw.flight = &l->flight;
	pp = st->cfg->probe;
	pp.raw = &l->raw;
	pp.ntlsa = 0;
	l->arena = arena_new();
	st->running++;
	st->attempts++;
	probe_start(st->base, &pp, l->arena, scan_probe_done, l);
}

/* Over lanes: any "yes" wins, then any "no", then whatever was decided at all. */
static enum tlsenum_answer
scan_answer_merge(enum tlsenum_answer a, enum tlsenum_answer b)
{
	static const int rank[TLSENUM_ANSWER_LAST] = {
		[TLSENUM_UNTESTED] = 0, [TLSENUM_NOT_APPLICABLE] = 1, [TLSENUM_INDETERMINATE] = 2,
		[TLSENUM_NO] = 3, [TLSENUM_YES] = 4,
	};

	return rank[b] > rank[a] ? b : a;
}

static void
scan_merge(struct scan_state *st)
{
	struct tlsenum_report *m = &st->res->report;
	int i, v;

	memset(m, 0, sizeof(*m));
	m->groups_tested = m->secure_reneg = m->compression = m->heartbeat = m->fallback_scsv =
	    TLSENUM_UNTESTED;
	for (i = 0; i < st->nlanes; i++) {
		const struct tlsenum_report *r = tlsenum_report(st->lane[i].te);
		unsigned int vs = st->lane[i].versions;
		size_t k;

		for (v = 0; v < TLSENUM_VERSION_LAST; v++)
			if (vs & TLSENUM_VBIT(v))
				m->v[v] = r->v[v];
		if (r->any_supported && (!m->any_supported || r->max_version > m->max_version))
			m->max_version = r->max_version;
		m->any_supported |= r->any_supported;
		if (vs & TLSENUM_VBIT(TLSENUM_TLS13)) {
			memcpy(m->groups13, r->groups13, sizeof(m->groups13));
			m->ngroups13 = r->ngroups13;
			m->groups13_hrr = r->groups13_hrr;
		}
		if (vs & TLSENUM_VBIT(TLSENUM_TLS12) || st->nlanes == 1) {
			memcpy(m->groups12, r->groups12, sizeof(m->groups12));
			m->ngroups12 = r->ngroups12;
			m->secure_reneg = r->secure_reneg;
			m->fallback_scsv = r->fallback_scsv;
			m->groups_tested = r->groups_tested;
		}
		m->ec_explicit |= r->ec_explicit;
		for (k = 0; k < r->nkx && m->nkx < TLSENUM_MAX_KX; k++)
			m->kx[m->nkx++] = r->kx[k];
		if (r->dh_min_bits && (!m->dh_min_bits || r->dh_min_bits < m->dh_min_bits))
			m->dh_min_bits = r->dh_min_bits;
		for (k = 0; k < r->nske_sigs && m->nske_sigs < TLSENUM_MAX_SKE_SIGS; k++) {
			size_t j;

			for (j = 0; j < m->nske_sigs && m->ske_sigs[j] != r->ske_sigs[k]; j++)
				;
			if (j == m->nske_sigs)
				m->ske_sigs[m->nske_sigs++] = r->ske_sigs[k];
		}
		m->exts |= r->exts;
		m->compression = scan_answer_merge(m->compression, r->compression);
		m->heartbeat = scan_answer_merge(m->heartbeat, r->heartbeat);
		m->attempts += r->attempts;
		m->attempts_failed += r->attempts_failed;
		m->timeouts += r->timeouts;
		m->floor += r->floor;
		m->quirks |= r->quirks;
		if (r->incomplete) {
			m->incomplete = 1;
			m->incomplete_reason = r->incomplete_reason;
		}
	}
}

static void
scan_one_done(struct probe *p, struct endpoint *ep, void *arg)
{
	*(int *)arg = 1;
	probe_free(p);
}

void
scan_probe_once(struct event_base *base, const struct probe_params *pp)
{
	struct arena *a = arena_new();
	int done = 0;

	probe_start(base, pp, a, scan_one_done, &done);
	while (!done)
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
	arena_free(a);
}

int
scan_hello_once(struct event_base *base, const struct probe_params *tmpl, uint16_t version,
    const uint16_t *suites, size_t nsuites, unsigned int opts, long tls_ms_max,
    struct probe_raw *raw)
{
	struct hello_params hp;
	struct probe_params pp;
	struct dbuf hello;
	uint8_t rnd[32];
	int rc = -1;

	scan_rand(NULL, rnd, sizeof(rnd));
	dbuf_init(&hello, 16384);
	hello_params_default(&hp, version, rnd);
	hp.sni = tmpl->refname;
	hp.opts |= opts;
	if (nsuites > 0) {
		hp.ciphers = suites;
		hp.nciphers = nsuites;
	}
	if (hello_build_client(&hello, &hp) != HELLO_BUILD_OK)
		goto out;
	raw->hello = hello.data;
	raw->hello_len = hello.len;
	pp = *tmpl;
	pp.raw = raw;
	pp.ntlsa = 0;
	if (tls_ms_max > 0 && pp.tls_ms > tls_ms_max)
		pp.tls_ms = tls_ms_max;
	scan_probe_once(base, &pp);
	rc = 0;
out:
	raw->hello = NULL;	/* the bytes are gone with this call */
	raw->hello_len = 0;
	dbuf_free(&hello);
	return rc;
}

/*
 * With TLS 1.3 in a lane of its own, the TLS <= 1.2 lane cannot know the server's highest version,
 * so RFC 7507 is checked here: one hello at the second-highest version carrying
 * TLS_FALLBACK_SCSV.  inappropriate_fallback (86) means honoured; a ServerHello means ignored.
 */
static enum tlsenum_answer
scan_fallback(struct event_base *base, const struct scan_config *cfg, struct scan_result *res)
{
	const struct tlsenum_report *r = &res->report;
	struct hello_server hs;
	struct probe_raw raw;
	struct dbuf flight;
	enum tlsenum_answer ans = TLSENUM_INDETERMINATE;
	enum hello_result hr;
	int v, n = 0;

	for (v = TLSENUM_TLS13; v >= TLSENUM_SSL3; v--)
		if (r->v[v].supported == TLSENUM_YES && ++n == 2)
			break;
	if (n < 2)
		return TLSENUM_NOT_APPLICABLE;
	dbuf_init(&flight, HELLO_FLIGHT_MAX + 1024);
	memset(&raw, 0, sizeof(raw));
	raw.flight = &flight;
	if (scan_hello_once(base, &cfg->probe, tlsenum_version_wire((enum tlsenum_version)v),
	    r->v[v].suites, r->v[v].nsuites, HELLO_OPT_FALLBACK_SCSV, 0, &raw) == 0) {
		res->connections++;
		if (raw.end == PROBE_RAW_COMPLETE) {
			hr = hello_parse_server(flight.data, flight.len, &hs);
			if (hr == HELLO_ALERT && hs.alert_desc == 86)
				ans = TLSENUM_YES;
			else if (hr == HELLO_OK || (hs.seen & HELLO_SEEN_HELLO))
				ans = TLSENUM_NO;
			hello_server_free(&hs);
		}
	}
	dbuf_free(&flight);
	return ans;
}

void
scan_run(struct event_base *base, const struct scan_config *cfg, struct scan_result *res)
{
	static const unsigned int split[SCAN_LANES_MAX][SCAN_LANES_MAX] = {
		{ TLSENUM_VALL, 0, 0 },
		{ TLSENUM_VBIT(TLSENUM_TLS13), TLSENUM_VALL & ~TLSENUM_VBIT(TLSENUM_TLS13), 0 },
		{ TLSENUM_VBIT(TLSENUM_TLS13), TLSENUM_VALL & ~TLSENUM_VBIT(TLSENUM_TLS13) &
		    ~TLSENUM_VBIT(TLSENUM_SSL2), TLSENUM_VBIT(TLSENUM_SSL2) },
	};
	struct scan_state st;
	struct tlsenum_opts o;
	struct timespec t0, t1;
	int i;

	memset(res, 0, sizeof(*res));
	memset(&st, 0, sizeof(st));
	st.base = base;
	st.cfg = cfg;
	st.res = res;
	st.nlanes = cfg->lanes < 1 ? 1 : cfg->lanes > SCAN_LANES_MAX ? SCAN_LANES_MAX : cfg->lanes;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < st.nlanes; i++) {
		struct scan_lane *l = &st.lane[i];

		memset(&o, 0, sizeof(o));
		o.versions = split[st.nlanes - 1][i];
		o.sni = cfg->probe.refname;
		o.test_groups = cfg->test_groups;
		/* each lane its share, at least 1 (0 would mean the planner's default) */
		if (cfg->max_attempts) {
			o.max_attempts = cfg->max_attempts / (unsigned)st.nlanes +
			    ((unsigned)i < cfg->max_attempts % (unsigned)st.nlanes);
			if (o.max_attempts == 0)
				o.max_attempts = 1;
		}
		o.random = scan_rand;
		l->st = &st;
		l->versions = o.versions;
		l->te = tlsenum_new(&o);
		l->ev_wait = evtimer_new(base, scan_wait_ev, l);
		dbuf_init(&l->flight, HELLO_FLIGHT_MAX + 1024);
	}
	for (i = 0; i < st.nlanes; i++)
		scan_lane_next(&st.lane[i]);
	for (;;) {
		int busy = st.running > 0, ndone = 0;

		for (i = 0; i < st.nlanes; i++) {
			busy |= !st.lane[i].done;
			ndone += st.lane[i].done;
		}
		if (!busy)
			break;
		/* a lane's connection is free for good: the caller's, unless we are being limited */
		if (cfg->slot_free != NULL && !st.slot_given && ndone > 0 && res->backoffs == 0) {
			st.slot_given = 1;
			cfg->slot_free(cfg->slot_free_arg);
		}
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
	}
	scan_merge(&st);
	if (st.nlanes > 1 && res->report.fallback_scsv != TLSENUM_YES &&
	    res->report.fallback_scsv != TLSENUM_NO)
		res->report.fallback_scsv = scan_fallback(base, cfg, res);
	for (i = 0; i < st.nlanes; i++) {
		tlsenum_free(st.lane[i].te);
		event_free(st.lane[i].ev_wait);
		dbuf_free(&st.lane[i].flight);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->elapsed_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
}
