/*
 * test_scaleout.c — the pure pieces of scanning across workers (docs/internals/scale-out.md):
 * which backend a --db location names, the advisory-lock key of an address, what a worker does
 * after an empty claim (stop, or wait for the first lease to expire), and the scheduler's
 * shared per-address slots: two schedulers (two workers) over one slot table never have more
 * connections to an address at once than its slots, a busy address is tried again later, and a
 * slot is given back when the attempt ends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sched/scanrun.h"
#include "sched/sched.h"
#include "store/store.h"
#include "util/arena.h"

static void
test_kind(void **state)
{
	const char *rest;

	(void)state;
	assert_int_equal(store_kind("mailtls.db", &rest), STORE_KIND_SQLITE);
	assert_string_equal(rest, "mailtls.db");
	assert_int_equal(store_kind("sqlite:/var/x.db", &rest), STORE_KIND_SQLITE);
	assert_string_equal(rest, "/var/x.db");
	assert_int_equal(store_kind("postgresql://u@db.example/mailtls", &rest), STORE_KIND_PGSQL);
	assert_string_equal(rest, "postgresql://u@db.example/mailtls");
	assert_int_equal(store_kind("postgres://127.0.0.1:5432/m?sslmode=require", &rest),
	    STORE_KIND_PGSQL);
	/* a file that merely starts with the word is a file */
	assert_int_equal(store_kind("postgresql.db", &rest), STORE_KIND_SQLITE);
	assert_int_equal(store_kind("postgres:/x", &rest), STORE_KIND_SQLITE);
	assert_int_equal(store_kind("", &rest), STORE_KIND_SQLITE);
}

static void
test_display(void **state)
{
	char b[128];

	(void)state;
	store_display("postgresql://scan:s3cret@db.example:5432/mailtls", b, sizeof(b));
	assert_string_equal(b, "postgresql://scan:***@db.example:5432/mailtls");
	store_display("postgres://scan@db.example/mailtls", b, sizeof(b));
	assert_string_equal(b, "postgres://scan@db.example/mailtls");
	store_display("postgresql://db.example/m?user=a@b", b, sizeof(b));	/* '@' after the host */
	assert_string_equal(b, "postgresql://db.example/m?user=a@b");
	store_display("postgresql://[::1]:5432/m", b, sizeof(b));
	assert_string_equal(b, "postgresql://[::1]:5432/m");
	store_display("postgresql://u:p:q@h/d", b, sizeof(b));
	assert_string_equal(b, "postgresql://u:***@h/d");
	store_display("/var/lib/user:pass@x.db", b, sizeof(b));	/* a file is shown as it is */
	assert_string_equal(b, "/var/lib/user:pass@x.db");
}

static void
test_slot_key(void **state)
{
	(void)state;
	/* FNV-1a 32: "" is the offset basis; stable across machines and builds */
	assert_int_equal(store_slot_key(""), (int32_t)2166136261u);
	assert_int_equal(store_slot_key("a"), (int32_t)0xe40c292cu);
	assert_int_equal(store_slot_key("127.0.9.6"), store_slot_key("127.0.9.6"));
	assert_int_not_equal(store_slot_key("127.0.9.6"), store_slot_key("127.0.9.5"));
	assert_int_not_equal(store_slot_key("2001:db8::1"), store_slot_key("2001:db8::2"));
}

static void
test_wait(void **state)
{
	struct store_queue_state q;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.status = STORE_RUN_RUNNING;
	q.next_expiry_ms = -1;
	/* nothing pending, the input whole: stop */
	q.input_eof = 1;
	assert_int_equal(scanrun_queue_wait_ms(&q), -1);
	/* nothing pending yet, the list still being queued: wait the longest */
	q.input_eof = 0;
	assert_int_equal(scanrun_queue_wait_ms(&q), SCANRUN_WAIT_MAX_MS);
	/* pending and free (or expired) but the claim raced another worker: soon */
	q.input_eof = 1;
	q.pending = 10;
	q.leased = 4;
	q.next_expiry_ms = 30000;
	assert_int_equal(scanrun_queue_wait_ms(&q), SCANRUN_WAIT_MIN_MS);
	/* everything under live leases: until the first expires, bounded both ways */
	q.leased = 10;
	q.next_expiry_ms = 400;
	assert_int_equal(scanrun_queue_wait_ms(&q), 400);
	q.next_expiry_ms = 30000;
	assert_int_equal(scanrun_queue_wait_ms(&q), SCANRUN_WAIT_MAX_MS);
	q.next_expiry_ms = 3;
	assert_int_equal(scanrun_queue_wait_ms(&q), SCANRUN_WAIT_MIN_MS);
	/* the run was finished or abandoned elsewhere: stop whatever is pending */
	q.status = STORE_RUN_ABANDONED;
	assert_int_equal(scanrun_queue_wait_ms(&q), -1);
	q.status = STORE_RUN_DONE;
	assert_int_equal(scanrun_queue_wait_ms(&q), -1);
}

/* ---- two schedulers sharing one slot table ------------------------------------------------ */

#define NSLOTS		2
#define MAXRUN		64

struct table {			/* stands for PostgreSQL's advisory locks */
	char		 ip[8][32];
	int		 held[8][NSLOTS];
	int		 nip;
	int		 now_at[8];	/* connections open now per address, across workers */
	int		 max_at[8];
	long long	 now;
	int		 busy;
};

struct worker {
	struct table		*t;
	struct sched		*s;
	struct sched_entry	*running[MAXRUN];
	size_t			 nrunning;
	int			 delivered;
};

static int
table_ip(struct table *t, const char *ip)
{
	int i;

	for (i = 0; i < t->nip; i++)
		if (strcmp(t->ip[i], ip) == 0)
			return i;
	snprintf(t->ip[t->nip], sizeof(t->ip[0]), "%s", ip);
	return t->nip++;
}

static int
slot_acquire(void *arg, const char *ip, int *slot)
{
	struct worker *w = arg;
	int i = table_ip(w->t, ip), k;

	for (k = 0; k < NSLOTS; k++)
		if (!w->t->held[i][k]) {
			w->t->held[i][k] = 1;
			*slot = k;
			return 1;
		}
	w->t->busy++;
	return 0;
}

static void
slot_release(void *arg, const char *ip, int slot)
{
	struct worker *w = arg;
	int i = table_ip(w->t, ip);

	assert_true(w->t->held[i][slot]);
	w->t->held[i][slot] = 0;
}

static long long
fake_now(void *arg)
{
	return ((struct worker *)arg)->t->now;
}

static void
fake_start(void *arg, struct sched *s, struct sched_entry *e)
{
	struct worker *w = arg;
	int i = table_ip(w->t, sched_entry_params(e)->ip);

	(void)s;
	assert_true(w->nrunning < MAXRUN);
	w->running[w->nrunning++] = e;
	if (++w->t->now_at[i] > w->t->max_at[i])
		w->t->max_at[i] = w->t->now_at[i];
}

static void
fake_finish_one(struct worker *w)
{
	struct sched_entry *e = w->running[0];
	const struct probe_params *pp = sched_entry_params(e);
	struct arena *a = sched_entry_arena(e);
	struct endpoint *ep = endpoint_new(a, pp->host, pp->ip, pp->port, pp->proto, pp->refname);

	memmove(w->running, w->running + 1, --w->nrunning * sizeof(w->running[0]));
	w->t->now_at[table_ip(w->t, pp->ip)]--;
	ep->connected = 1;
	ep->connections = 1;
	ep->banner = "mx ESMTP";
	endpoint_finding(ep, a, FINDING_TLS_OK, "%s", "");
	sched_entry_done(w->s, e, ep);
}

static void
done_cb(struct sched_entry *e, struct endpoint *ep, void *arg)
{
	struct worker *w = arg;

	assert_non_null(ep);
	w->delivered++;
	sched_release(w->s, e);
}

static void
worker_init(struct worker *w, struct table *t)
{
	struct sched_config cfg;

	memset(w, 0, sizeof(*w));
	memset(&cfg, 0, sizeof(cfg));
	w->t = t;
	cfg.max_inflight = 16;
	cfg.per_ip = NSLOTS;
	cfg.retry_ms = 1000;
	cfg.cache_max = 100;
	cfg.now_ms = fake_now;
	cfg.clock_arg = w;
	cfg.start = fake_start;
	cfg.start_arg = w;
	cfg.slot_acquire = slot_acquire;
	cfg.slot_release = slot_release;
	cfg.slot_arg = w;
	cfg.slot_retry_ms = 100;
	w->s = sched_new(&cfg);
}

static void
ask(struct worker *w, const char *ip, const char *ref)
{
	struct probe_params pp;

	memset(&pp, 0, sizeof(pp));
	pp.host = ref;
	pp.ip = ip;
	pp.port = 25;
	pp.proto = ENDPOINT_PROTO_SMTP;
	pp.refname = ref;
	pp.ehlo = "client.example";
	sched_probe(w->s, &pp, done_cb, w);
}

static void
test_shared_slots(void **state)
{
	struct table t;
	struct worker w[3];
	char ref[64];
	int i, k, left;
	struct sched_stats st;

	(void)state;
	memset(&t, 0, sizeof(t));
	for (k = 0; k < 3; k++)
		worker_init(&w[k], &t);
	/* each worker wants 6 names at one address and 2 at another: 24 connections in all */
	for (k = 0; k < 3; k++)
		for (i = 0; i < 8; i++) {
			snprintf(ref, sizeof(ref), "mx%d-%d.example", k, i);
			ask(&w[k], i < 6 ? "192.0.2.1" : "192.0.2.2", ref);
		}
	for (k = 0; k < 3; k++)
		sched_poll(w[k].s, 0);
	/* the first worker took both slots of each address; the others wait */
	assert_int_equal(w[0].nrunning, 2 * NSLOTS);
	assert_int_equal(w[1].nrunning, 0);
	assert_int_equal(w[2].nrunning, 0);
	assert_int_equal(t.busy, 4);
	/* run the three to the end, a step of 50 ms at a time, finishing one probe per worker */
	for (left = 1000; left > 0; left--) {
		int running = 0, delivered = 0;

		for (k = 0; k < 3; k++) {
			if (w[k].nrunning > 0)
				fake_finish_one(&w[k]);
			sched_poll(w[k].s, t.now);
			running += (int)w[k].nrunning;
			delivered += w[k].delivered;
		}
		if (running == 0 && delivered == 24)
			break;
		t.now += 50;
	}
	assert_true(left > 0);
	for (i = 0; i < t.nip; i++) {
		assert_true(t.max_at[i] <= NSLOTS);
		assert_int_equal(t.now_at[i], 0);
		for (k = 0; k < NSLOTS; k++)
			assert_int_equal(t.held[i][k], 0);	/* every slot given back */
	}
	assert_int_equal(t.max_at[table_ip(&t, "192.0.2.1")], NSLOTS);
	sched_stats(w[2].s, &st);
	assert_true(st.slot_busy > 0);
	assert_true(st.max_inflight_ip <= NSLOTS);
	for (k = 0; k < 3; k++) {
		assert_int_equal(w[k].delivered, 8);
		sched_free(w[k].s);
	}
}

/* A busy address is tried again slot_retry_ms later, not at once and not never. */
static void
test_busy_retry(void **state)
{
	struct table t;
	struct worker a, b;

	(void)state;
	memset(&t, 0, sizeof(t));
	worker_init(&a, &t);
	worker_init(&b, &t);
	ask(&a, "192.0.2.9", "one.example");
	ask(&a, "192.0.2.9", "two.example");
	sched_poll(a.s, 0);
	assert_int_equal(a.nrunning, 2);
	ask(&b, "192.0.2.9", "three.example");
	assert_int_equal(sched_poll(b.s, 0), 100);	/* next try at slot_retry_ms */
	t.now = 50;
	fake_finish_one(&a);
	assert_int_equal(sched_poll(b.s, 50), 100);	/* not before its time */
	assert_int_equal(b.nrunning, 0);
	t.now = 100;
	sched_poll(b.s, 100);
	assert_int_equal(b.nrunning, 1);
	fake_finish_one(&a);
	fake_finish_one(&b);
	assert_int_equal(a.delivered + b.delivered, 3);
	sched_free(a.s);
	sched_free(b.s);
}

/* A --full enumeration holding two connections takes two shared slots, all or none. */
static void
test_weighted_slots(void **state)
{
	struct table t;
	struct worker a, b;
	struct sched_config cfg;
	struct arena *ar = arena_new();
	struct endpoint *probed = endpoint_new(ar, "mx", "192.0.2.7", 25, ENDPOINT_PROTO_SMTP, "mx");
	struct probe_params pp;
	struct sched_entry *e;
	struct endpoint *ep;
	int i;

	(void)state;
	memset(&t, 0, sizeof(t));
	worker_init(&b, &t);
	/* worker a: enumerations of weight 2 (both of the address's slots) */
	memset(&a, 0, sizeof(a));
	memset(&cfg, 0, sizeof(cfg));
	a.t = &t;
	cfg.max_inflight = 16;
	cfg.per_ip = NSLOTS;
	cfg.retry_ms = 1000;
	cfg.cache_max = 100;
	cfg.now_ms = fake_now;
	cfg.clock_arg = &a;
	cfg.start = fake_start;
	cfg.start_arg = &a;
	cfg.slot_acquire = slot_acquire;
	cfg.slot_release = slot_release;
	cfg.slot_arg = &a;
	cfg.slot_retry_ms = 100;
	cfg.full_weight = 2;
	a.s = sched_new(&cfg);

	ask(&b, "192.0.2.7", "one.example");		/* b holds one slot */
	sched_poll(b.s, 0);
	assert_int_equal(b.nrunning, 1);
	memset(&pp, 0, sizeof(pp));
	pp.host = pp.refname = "mx";
	pp.ip = "192.0.2.7";
	pp.port = 25;
	pp.proto = ENDPOINT_PROTO_SMTP;
	pp.ehlo = "client.example";
	sched_full(a.s, &pp, probed, done_cb, &a);
	sched_poll(a.s, 0);
	assert_int_equal(a.nrunning, 0);		/* one slot free, two needed: none taken */
	i = table_ip(&t, "192.0.2.7");
	assert_int_equal(t.held[i][0] + t.held[i][1], 1);
	t.now = 50;
	fake_finish_one(&b);
	sched_poll(a.s, 50);
	assert_int_equal(a.nrunning, 0);		/* not before its retry time */
	t.now = 100;
	sched_poll(a.s, 100);
	assert_int_equal(a.nrunning, 1);		/* both slots now */
	assert_int_equal(t.held[i][0] + t.held[i][1], 2);
	ask(&b, "192.0.2.7", "two.example");
	sched_poll(b.s, 100);
	assert_int_equal(b.nrunning, 0);		/* the enumeration holds the address */
	/* the enumeration ends: both slots come back, b's probe goes */
	e = a.running[0];
	a.nrunning = 0;
	t.now_at[i]--;
	ep = arena_alloc(sched_entry_arena(e), sizeof(*ep));
	memset(ep, 0, sizeof(*ep));
	ep->scan = arena_alloc(sched_entry_arena(e), sizeof(*ep->scan));
	memset(ep->scan, 0, sizeof(*ep->scan));
	ep->scan->connections = 2;
	ep->connections = 2;
	sched_entry_done(a.s, e, ep);
	assert_int_equal(t.held[i][0] + t.held[i][1], 0);
	t.now = 200;
	sched_poll(b.s, 200);
	assert_int_equal(b.nrunning, 1);
	fake_finish_one(&b);
	assert_int_equal(a.delivered, 1);
	assert_int_equal(b.delivered, 2);
	sched_free(a.s);
	sched_free(b.s);
	arena_free(ar);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_slot_key),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_shared_slots),
		cmocka_unit_test(test_busy_retry),
		cmocka_unit_test(test_weighted_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
