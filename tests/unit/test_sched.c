/*
 * test_sched.c — the scan's probe scheduler with an injected clock and injected probes: the
 * cache key, one probe per key shared by every caller, per-address limits and spacing, the
 * global limit, back-off and retry after 421 / refusal, retries running out, eviction; --full
 * enumerations: one per endpoint key, holding their lanes of the address's limit, never retried.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scan/scan.h"
#include "sched/sched.h"
#include "tls/tls.h"
#include "util/arena.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- the key ------------------------------------------------------------------------------ */

static const unsigned char d1[32] = { 1, 2, 3 }, d2[32] = { 9, 8, 7 };

static void
pp_init(struct probe_params *pp, const char *ip, const char *ref)
{
	memset(pp, 0, sizeof(*pp));
	pp->host = ref;
	pp->ip = ip;
	pp->port = 25;
	pp->proto = ENDPOINT_PROTO_SMTP;
	pp->refname = ref;
	pp->ehlo = "client.example";
}

static void
test_key(void **state)
{
	struct tls_tlsa a[3] = {
		{ 3, 1, 1, d1, sizeof(d1) }, { 2, 0, 1, d2, sizeof(d2) }, { 3, 1, 1, d1, sizeof(d1) },
	};
	struct tls_tlsa b[2] = { { 2, 0, 1, d2, sizeof(d2) }, { 3, 1, 1, d1, sizeof(d1) } };
	struct probe_params p, q;
	char k1[SCHED_KEY_MAX], k2[SCHED_KEY_MAX];

	(void)state;
	pp_init(&p, "192.0.2.1", "mx.example");
	pp_init(&q, "192.0.2.1", "mx.example");
	assert_int_equal(sched_key(&p, k1, sizeof(k1)), 0);
	assert_string_equal(k1, "192.0.2.1|25|smtp|mx.example||0:-");
	/* the same TLSA set in another order, with a duplicate: the same key */
	p.tlsa = a;
	p.ntlsa = 3;
	p.dane_base = "mx.example";
	q.tlsa = b;
	q.ntlsa = 2;
	q.dane_base = "mx.example";
	sched_key(&p, k1, sizeof(k1));
	sched_key(&q, k2, sizeof(k2));
	assert_string_equal(k1, k2);
	assert_non_null(strstr(k1, "|2:"));
	/* a different set, reference name, address or port: a different key */
	q.ntlsa = 1;
	sched_key(&q, k2, sizeof(k2));
	assert_string_not_equal(k1, k2);
	q.ntlsa = 2;
	q.refname = "mx2.example";
	sched_key(&q, k2, sizeof(k2));
	assert_string_not_equal(k1, k2);
	q.refname = "mx.example";
	q.ip = "192.0.2.2";
	sched_key(&q, k2, sizeof(k2));
	assert_string_not_equal(k1, k2);
	q.ip = "192.0.2.1";
	q.port = 587;
	sched_key(&q, k2, sizeof(k2));
	assert_string_not_equal(k1, k2);
	/* a too small buffer is an error, not a truncated key */
	assert_int_equal(sched_key(&p, k1, 10), -1);
}

/* ---- classification ----------------------------------------------------------------------- */

static void
test_classify(void **state)
{
	static const struct {
		enum finding_id	 id;
		const char	*detail;
		const char	*banner;
		enum sched_outcome want;
	} cases[] = {
		{ FINDING_TLS_OK, NULL, "mx ESMTP", SCHED_FINAL },
		{ FINDING_SMTP_REJECTED, "greeting 421 too busy", "too busy", SCHED_TEMPORARY },
		{ FINDING_SMTP_REJECTED, "greeting 450 later", "later", SCHED_TEMPORARY },
		{ FINDING_SMTP_REJECTED, "greeting 554 go away", "go away", SCHED_FINAL },
		{ FINDING_SMTP_REJECTED, "EHLO answered 421 bye", "mx", SCHED_TEMPORARY },
		{ FINDING_CONN_FAILED, "connect: Connection refused", NULL, SCHED_TEMPORARY },
		{ FINDING_CONN_FAILED, "no answer within 10000 ms while connecting", NULL, SCHED_TEMPORARY },
		{ FINDING_CONN_FAILED, "connect: No route to host", NULL, SCHED_FINAL },
		{ FINDING_CONN_TIMEOUT, "no answer within 30000 ms while reading the greeting", NULL,
		    SCHED_TEMPORARY },
		{ FINDING_CONN_CLOSED, "the server closed the connection", NULL, SCHED_TEMPORARY },
		{ FINDING_CONN_CLOSED, "the server closed the connection", "mx ESMTP", SCHED_FINAL },
	};
	struct arena *a = arena_new();
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		struct endpoint *ep = endpoint_new(a, "mx", "192.0.2.1", 25, ENDPOINT_PROTO_SMTP, "mx");

		ep->banner = cases[i].banner;
		endpoint_finding(ep, a, cases[i].id, "%s", cases[i].detail ? cases[i].detail : "");
		if (sched_classify(ep) != cases[i].want)
			fail_msg("case %zu (%s): got %d", i, cases[i].detail ? cases[i].detail : "-",
			    sched_classify(ep));
	}
	arena_free(a);
}

/* ---- the schedule, with a fake clock and fake probes -------------------------------------- */

struct fake {
	long long		 now;
	struct sched_entry	*started[64];
	long long		 started_at[64];
	size_t			 nstarted;
	int			 delivered[64];
	struct sched_entry	*got[64];
};

static long long
fake_now(void *arg)
{
	return ((struct fake *)arg)->now;
}

static void
fake_start(void *arg, struct sched *s, struct sched_entry *e)
{
	struct fake *f = arg;

	(void)s;
	assert_true(f->nstarted < NELEM(f->started));
	f->started_at[f->nstarted] = f->now;
	f->started[f->nstarted++] = e;
}

/* Ends attempt i with a finding (FINDING_TLS_OK: success). */
static void
fake_finish(struct sched *s, struct fake *f, size_t i, enum finding_id id, const char *detail)
{
	struct sched_entry *e = f->started[i];
	const struct probe_params *pp = sched_entry_params(e);
	struct arena *a = sched_entry_arena(e);
	struct endpoint *ep = endpoint_new(a, pp->host, pp->ip, pp->port, pp->proto, pp->refname);

	ep->connected = 1;
	ep->connections = 1;
	ep->banner = id == FINDING_SMTP_REJECTED ? "busy" : "mx ESMTP";
	endpoint_finding(ep, a, id, "%s", detail ? detail : "");
	sched_entry_done(s, e, ep);
}

static void
fake_done(struct sched_entry *e, struct endpoint *ep, void *arg)
{
	int *slot = arg;

	assert_non_null(ep);
	(*slot)++;
	(void)e;
}

static struct sched *
fake_sched(struct fake *f, int max, int per_ip, long spacing, int retries, size_t cache)
{
	struct sched_config cfg;

	memset(f, 0, sizeof(*f));
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_inflight = max;
	cfg.per_ip = per_ip;
	cfg.spacing_ms = spacing;
	cfg.retries = retries;
	cfg.retry_ms = 1000;
	cfg.cache_max = cache;
	cfg.now_ms = fake_now;
	cfg.clock_arg = f;
	cfg.start = fake_start;
	cfg.start_arg = f;
	return sched_new(&cfg);
}

static void
ask(struct sched *s, struct fake *f, const char *ip, const char *ref, int slot)
{
	struct probe_params pp;

	pp_init(&pp, ip, ref);
	sched_probe(s, &pp, fake_done, &f->delivered[slot]);
}

static void
test_per_ip_and_spacing(void **state)
{
	struct fake f;
	struct sched *s = fake_sched(&f, 100, 1, 100, 0, 100);
	struct sched_stats st;

	(void)state;
	ask(s, &f, "192.0.2.1", "a.example", 0);
	ask(s, &f, "192.0.2.1", "b.example", 1);
	ask(s, &f, "192.0.2.1", "c.example", 2);
	ask(s, &f, "192.0.2.2", "d.example", 3);
	assert_int_equal(sched_poll(s, 0), -1);	/* nothing more until one finishes */
	assert_int_equal(f.nstarted, 2);		/* one per address */
	/* the first is still running at 100: one connection at a time */
	f.now = 100;
	assert_int_equal(sched_poll(s, 100), -1);
	assert_int_equal(f.nstarted, 2);
	f.now = 150;
	fake_finish(s, &f, 0, FINDING_TLS_OK, NULL);
	assert_int_equal(f.delivered[0], 1);
	assert_int_equal(sched_poll(s, 150), -1);
	assert_int_equal(f.nstarted, 3);	/* spacing passed at 100, slot free at 150 */
	assert_int_equal(f.started_at[2], 150);
	f.now = 160;
	fake_finish(s, &f, 2, FINDING_TLS_OK, NULL);
	/* the next start must wait for the spacing after 150 */
	assert_int_equal(sched_poll(s, 160), 250);
	assert_int_equal(f.nstarted, 3);
	f.now = 250;
	sched_poll(s, 250);
	assert_int_equal(f.nstarted, 4);
	fake_finish(s, &f, 3, FINDING_TLS_OK, NULL);
	fake_finish(s, &f, 1, FINDING_TLS_OK, NULL);
	sched_stats(s, &st);
	assert_int_equal(st.max_inflight_ip, 1);
	assert_int_equal(st.attempts, 4);
	assert_int_equal(f.delivered[0] + f.delivered[1] + f.delivered[2] + f.delivered[3], 4);
	sched_free(s);
}

static void
test_global_limit(void **state)
{
	struct fake f;
	struct sched *s = fake_sched(&f, 2, 2, 0, 0, 100);

	(void)state;
	ask(s, &f, "192.0.2.1", "a.example", 0);
	ask(s, &f, "192.0.2.2", "b.example", 1);
	ask(s, &f, "192.0.2.3", "c.example", 2);
	assert_int_equal(sched_poll(s, 0), -1);
	assert_int_equal(f.nstarted, 2);
	fake_finish(s, &f, 0, FINDING_TLS_OK, NULL);
	sched_poll(s, 0);
	assert_int_equal(f.nstarted, 3);
	fake_finish(s, &f, 1, FINDING_TLS_OK, NULL);
	fake_finish(s, &f, 2, FINDING_TLS_OK, NULL);
	sched_free(s);
}

static void
test_shared(void **state)
{
	struct fake f;
	struct sched *s = fake_sched(&f, 10, 1, 0, 0, 100);
	struct sched_entry *e;
	struct sched_stats st;

	(void)state;
	ask(s, &f, "192.0.2.1", "mx.hoster.example", 0);
	ask(s, &f, "192.0.2.1", "mx.hoster.example", 1);
	sched_poll(s, 0);
	assert_int_equal(f.nstarted, 1);
	e = f.started[0];
	fake_finish(s, &f, 0, FINDING_TLS_OK, NULL);
	assert_int_equal(f.delivered[0], 1);
	assert_int_equal(f.delivered[1], 1);
	/* asked again after it finished: answered inside the call, no new probe */
	ask(s, &f, "192.0.2.1", "mx.hoster.example", 2);
	assert_int_equal(f.delivered[2], 1);
	sched_poll(s, 0);
	assert_int_equal(f.nstarted, 1);
	assert_int_equal(sched_entry_first_use(e), 1);
	assert_int_equal(sched_entry_first_use(e), 0);
	sched_stats(s, &st);
	assert_int_equal(st.requests, 3);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.entries, 1);
	/* three holders */
	sched_release(s, e);
	sched_release(s, e);
	sched_release(s, e);
	sched_free(s);
}

static void
test_retry_421(void **state)
{
	struct fake f;
	struct sched *s = fake_sched(&f, 10, 1, 0, 2, 100);
	struct sched_stats st;

	(void)state;
	ask(s, &f, "192.0.2.1", "a.example", 0);
	ask(s, &f, "192.0.2.1", "b.example", 1);
	sched_poll(s, 0);
	assert_int_equal(f.nstarted, 1);
	fake_finish(s, &f, 0, FINDING_TLS_OK, NULL);
	sched_poll(s, 0);
	assert_int_equal(f.nstarted, 2);
	/* b gets 421: the address is held back for retry_ms, then b is tried again */
	f.now = 10;
	fake_finish(s, &f, 1, FINDING_SMTP_REJECTED, "greeting 421 4.7.0 too many connections");
	assert_int_equal(f.delivered[1], 0);
	assert_int_equal(sched_poll(s, 10), 1010);
	ask(s, &f, "192.0.2.1", "c.example", 2);	/* the whole address waits */
	f.now = 500;
	assert_int_equal(sched_poll(s, 500), 1010);
	assert_int_equal(f.nstarted, 2);
	f.now = 1010;
	sched_poll(s, 1010);
	assert_int_equal(f.nstarted, 3);
	assert_ptr_equal(f.started[2], f.started[1]);	/* the retry goes first */
	assert_int_equal(sched_entry_attempts(f.started[2]), 2);
	fake_finish(s, &f, 2, FINDING_TLS_OK, NULL);
	assert_int_equal(f.delivered[1], 1);
	sched_poll(s, 1010);
	assert_int_equal(f.nstarted, 4);
	fake_finish(s, &f, 3, FINDING_TLS_OK, NULL);
	sched_stats(s, &st);
	assert_int_equal(st.retries, 1);
	assert_int_equal(st.temp_failures, 1);
	assert_int_equal(st.attempts, 4);
	assert_int_equal(sched_entry_connections(f.started[1]), 2);
	sched_free(s);
}

static void
test_retries_run_out(void **state)
{
	struct fake f;
	struct sched *s = fake_sched(&f, 10, 1, 0, 1, 100);

	(void)state;
	ask(s, &f, "192.0.2.9", "refuses.example", 0);
	sched_poll(s, 0);
	fake_finish(s, &f, 0, FINDING_CONN_FAILED, "connect: Connection refused");
	assert_int_equal(f.delivered[0], 0);
	/* back-off doubles with each failure in a row: 1000, then 2000 */
	assert_int_equal(sched_poll(s, 0), 1000);
	f.now = 1000;
	sched_poll(s, 1000);
	assert_int_equal(f.nstarted, 2);
	fake_finish(s, &f, 1, FINDING_CONN_FAILED, "connect: Connection refused");
	/* one retry only: the second failure is the result */
	assert_int_equal(f.delivered[0], 1);
	assert_int_equal(sched_entry_attempts(f.started[0]), 2);
	sched_free(s);
}

static void
test_evict(void **state)
{
	struct fake f;
	struct sched *s = fake_sched(&f, 10, 1, 0, 0, 1);
	struct sched_stats st;

	(void)state;
	ask(s, &f, "192.0.2.1", "a.example", 0);
	ask(s, &f, "192.0.2.2", "b.example", 1);
	sched_poll(s, 0);
	fake_finish(s, &f, 0, FINDING_TLS_OK, NULL);
	fake_finish(s, &f, 1, FINDING_TLS_OK, NULL);
	sched_release(s, f.started[0]);
	sched_release(s, f.started[1]);	/* two unheld, room for one: a goes */
	sched_stats(s, &st);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.cached, 1);
	ask(s, &f, "192.0.2.2", "b.example", 2);	/* still cached */
	assert_int_equal(f.delivered[2], 1);
	sched_release(s, f.started[1]);
	ask(s, &f, "192.0.2.1", "a.example", 3);	/* evicted: probed again */
	sched_poll(s, 0);
	assert_int_equal(f.nstarted, 3);
	fake_finish(s, &f, 2, FINDING_TLS_OK, NULL);
	assert_int_equal(f.delivered[3], 1);
	sched_free(s);
}

/* Many addresses: the heap and the hash tables grow; every probe starts once. */
static void
test_many(void **state)
{
	struct fake f;
	struct sched *s = fake_sched(&f, 64, 1, 10, 0, 10);
	char ip[32], ref[32];
	int slots[1];
	size_t total = 0, i;
	long long t;

	(void)state;
	slots[0] = 0;
	for (i = 0; i < 5000; i++) {
		struct probe_params pp;

		snprintf(ip, sizeof(ip), "10.0.%zu.%zu", i / 250, i % 250);
		snprintf(ref, sizeof(ref), "mx%zu.example", i % 7);
		pp_init(&pp, ip, ref);
		sched_probe(s, &pp, fake_done, &slots[0]);
	}
	for (t = 0; slots[0] < 5000 && t < 100000; t++) {
		f.now = t;
		sched_poll(s, t);
		assert_true(f.nstarted <= 64);
		total += f.nstarted;
		/* finish everything started, keeping the array small */
		for (i = 0; i < f.nstarted; i++)
			fake_finish(s, &f, i, FINDING_TLS_OK, NULL);
		for (i = 0; i < f.nstarted; i++)
			sched_release(s, f.started[i]);
		f.nstarted = 0;
	}
	assert_int_equal(total, 5000);
	assert_int_equal(slots[0], 5000);
	sched_free(s);
}


/* ---- enumerations (--full) ---------------------------------------------------------------- */

static struct sched *
fake_sched_full(struct fake *f, int per_ip, int weight)
{
	struct sched_config cfg;

	memset(f, 0, sizeof(*f));
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_inflight = 100;
	cfg.per_ip = per_ip;
	cfg.spacing_ms = 0;
	cfg.retries = 2;
	cfg.retry_ms = 1000;
	cfg.cache_max = 100;
	cfg.now_ms = fake_now;
	cfg.clock_arg = f;
	cfg.start = fake_start;
	cfg.start_arg = f;
	cfg.full_weight = weight;
	return sched_new(&cfg);
}

static void
ask_full(struct sched *s, struct fake *f, const struct endpoint *probed, const char *ip,
    const char *ref, int slot)
{
	struct probe_params pp;

	pp_init(&pp, ip, ref);
	sched_full(s, &pp, probed, fake_done, &f->delivered[slot]);
}

/* Ends enumeration i: `conns` connections, `backoffs` times it met a 421 or a refusal. */
static void
fake_finish_full(struct sched *s, struct fake *f, size_t i, int conns, int backoffs)
{
	struct sched_entry *e = f->started[i];
	struct arena *a = sched_entry_arena(e);
	struct endpoint *ep = arena_alloc(a, sizeof(*ep));

	assert_int_equal(sched_entry_kind(e), SCHED_KIND_FULL);
	assert_non_null(sched_entry_probed(e));
	memset(ep, 0, sizeof(*ep));
	ep->scan = arena_alloc(a, sizeof(*ep->scan));
	memset(ep->scan, 0, sizeof(*ep->scan));
	ep->scan->connections = conns;
	ep->scan->backoffs = backoffs;
	ep->connections = conns;
	sched_entry_done(s, e, ep);
	assert_null(sched_entry_probed(e));	/* never read after it ended */
}

static void
test_full_shared_and_weighted(void **state)
{
	struct fake f;
	struct sched *s = fake_sched_full(&f, 2, 2);
	struct arena *a = arena_new();
	struct endpoint *probed = endpoint_new(a, "mx", "192.0.2.1", 25, ENDPOINT_PROTO_SMTP, "mx");
	struct sched_stats st;

	(void)state;
	/* a probe runs on the address: the enumeration needs both connections, so it waits */
	ask(s, &f, "192.0.2.1", "a.example", 0);
	sched_poll(s, 0);
	assert_int_equal(f.nstarted, 1);
	ask_full(s, &f, probed, "192.0.2.1", "mx.example", 1);
	ask_full(s, &f, probed, "192.0.2.1", "mx.example", 2);	/* the same endpoint: shared */
	ask(s, &f, "192.0.2.1", "b.example", 3);	/* behind the enumeration */
	sched_poll(s, 0);
	assert_int_equal(f.nstarted, 1);
	fake_finish(s, &f, 0, FINDING_TLS_OK, NULL);
	sched_poll(s, 0);
	assert_int_equal(f.nstarted, 2);
	assert_int_equal(sched_entry_kind(f.started[1]), SCHED_KIND_FULL);
	assert_int_equal(sched_entry_weight(f.started[1]), 2);
	assert_string_equal(sched_entry_key(f.started[1]), SCHED_FULL_PREFIX
	    "192.0.2.1|25|smtp|mx.example||0:-");
	sched_stats(s, &st);
	assert_int_equal(st.max_inflight_ip, 2);
	/* while it runs the address is full: b waits */
	f.now = 500;
	sched_poll(s, 500);
	assert_int_equal(f.nstarted, 2);
	fake_finish_full(s, &f, 1, 40, 0);
	assert_int_equal(f.delivered[1], 1);
	assert_int_equal(f.delivered[2], 1);
	assert_int_equal(sched_entry_connections(f.started[1]), 40);
	sched_poll(s, 500);
	assert_int_equal(f.nstarted, 3);
	fake_finish(s, &f, 2, FINDING_TLS_OK, NULL);
	/* asked again later: answered from the cache */
	ask_full(s, &f, probed, "192.0.2.1", "mx.example", 4);
	assert_int_equal(f.delivered[4], 1);
	sched_stats(s, &st);
	assert_int_equal(st.full_requests, 3);
	assert_int_equal(st.full_entries, 1);
	assert_int_equal(st.requests, 2);	/* probes are counted apart */
	assert_int_equal(st.attempts, 2);
	assert_int_equal(st.max_inflight_ip, 2);
	sched_free(s);
	arena_free(a);
}

static void
test_full_weight_capped(void **state)
{
	struct fake f;
	struct sched *s = fake_sched_full(&f, 1, 3);	/* three lanes asked, one allowed */
	struct arena *a = arena_new();
	struct endpoint *probed = endpoint_new(a, "mx", "192.0.2.1", 25, ENDPOINT_PROTO_SMTP, "mx");
	struct sched_stats st;

	(void)state;
	ask_full(s, &f, probed, "192.0.2.1", "mx.example", 0);
	sched_poll(s, 0);
	assert_int_equal(f.nstarted, 1);
	assert_int_equal(sched_entry_weight(f.started[0]), 1);
	fake_finish_full(s, &f, 0, 10, 0);
	sched_stats(s, &st);
	assert_int_equal(st.max_inflight_ip, 1);
	sched_free(s);
	arena_free(a);
}

static void
test_full_backoff_no_retry(void **state)
{
	struct fake f;
	struct sched *s = fake_sched_full(&f, 1, 1);
	struct arena *a = arena_new();
	struct endpoint *probed = endpoint_new(a, "mx", "192.0.2.5", 25, ENDPOINT_PROTO_SMTP, "mx");
	struct sched_stats st;

	(void)state;
	ask_full(s, &f, probed, "192.0.2.5", "busy.example", 0);
	ask(s, &f, "192.0.2.5", "other.example", 1);
	sched_poll(s, 0);
	f.now = 200;
	/* it met 421s: delivered as it is (not retried), the address is held back */
	fake_finish_full(s, &f, 0, 30, 3);
	assert_int_equal(f.delivered[0], 1);
	assert_int_equal(sched_entry_attempts(f.started[0]), 1);
	assert_int_equal(sched_poll(s, 200), 1200);
	assert_int_equal(f.nstarted, 1);
	f.now = 1200;
	sched_poll(s, 1200);
	assert_int_equal(f.nstarted, 2);
	fake_finish(s, &f, 1, FINDING_TLS_OK, NULL);
	sched_stats(s, &st);
	assert_int_equal(st.retries, 0);
	sched_free(s);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_per_ip_and_spacing),
		cmocka_unit_test(test_global_limit),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_retry_421),
		cmocka_unit_test(test_retries_run_out),
		cmocka_unit_test(test_evict),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_full_shared_and_weighted),
		cmocka_unit_test(test_full_weight_capped),
		cmocka_unit_test(test_full_backoff_no_retry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
