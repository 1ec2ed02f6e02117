/*
 * scanrun.c — see scanrun.h and docs/internals/scan.md.
 *
 * One loop: admit domains from the store's queue up to max_domains in flight (reading more input
 * into the queue when it runs dry), run the event loop, and store each finished domain from the
 * loop's top — never inside a check's callback, so nothing of the check is on the stack when its
 * arena goes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "report/report.h"
#include "sched/scanrun.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/xalloc.h"

#define SCANRUN_BATCH		512	/* queue entries fetched at once */
#define SCANRUN_READ_TARGETS	1000	/* domains queued per input transaction */
#define SCANRUN_READ_LINES	4000	/* lines read per input transaction, at most */

struct scanrun;

struct scanrun_dom {
	struct scanrun		*sr;
	struct scanrun_dom	*next;		/* the finished list */
	struct store_pending	 p;
	struct arena		*a;
	struct check_config	 cfg;
	struct check_prober	 prober;
	struct check_result	*r;
	struct sched_entry	**held;
	size_t			 nheld, capheld;
};

/* One probe (or, with --full, enumeration) a check asked for, waiting for the scheduler. */
struct scanrun_ask {
	struct scanrun_dom	*d;
	void			(*done)(struct endpoint *, void *);
	void			(*full_done)(const struct endpoint *, void *);
	void			*arg;
};

struct scanrun {
	const struct scanrun_config	*cfg;
	struct scanrun_stats		*st;
	struct sched			*sched;
	struct scanin			 in;
	int				 input_eof;
	long long			 offset, line;
	struct store_pending		 buf[SCANRUN_BATCH];
	size_t				 nbuf, ibuf;
	long long			 last_seq;
	int				 queue_empty;	/* the store has no pending target after last_seq */
	size_t				 inflight;
	struct scanrun_dom		*fin_head, **fin_tail;
	struct report_opts		 ro;
	struct timespec			 t0;
	struct event			*tick;
	long long			 shown_errors;
	char				*line_buf;
	long long			 claim_after;	/* worker: no claim before (ms, monotonic) */
	struct event			*renew;		/* worker: the lease renewal */
};

static double
scanrun_elapsed(const struct scanrun *sr)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - sr->t0.tv_sec) + (double)(t.tv_nsec - sr->t0.tv_nsec) / 1e9;
}

/* ---- input into the queue ---------------------------------------------------------------- */

/*
 * One line, at most SCANIN_LINE_MAX + 1 bytes kept (the rest counted, not kept): a line without
 * an end can never grow memory.  Returns the bytes consumed (0 at EOF), *len the bytes kept.
 */
static long long
scanrun_getline(FILE *f, char *buf, size_t *len)
{
	long long used = 0;
	size_t n = 0;
	int c;

	while ((c = getc_unlocked(f)) != EOF) {
		used++;
		if (c == '\n')
			break;
		if (n <= SCANIN_LINE_MAX)
			buf[n++] = (char)c;
	}
	*len = n;
	return used;
}

/* Reads lines until enough new domains are queued (or the input ends); one transaction. */
static int
scanrun_read(struct scanrun *sr)
{
	const struct scanrun_config *cfg = sr->cfg;
	struct store_target *t = xcalloc(SCANRUN_READ_TARGETS, sizeof(*t));
	struct store_input_error *e = xcalloc(SCANRUN_READ_LINES, sizeof(*e));
	struct scanin_line *lines = xcalloc(SCANRUN_READ_TARGETS, sizeof(*lines));
	char (*etext)[96] = xcalloc(SCANRUN_READ_LINES, sizeof(*etext));
	char (*ewhy)[SCANIN_ERR_MAX] = xcalloc(SCANRUN_READ_LINES, sizeof(*ewhy));
	size_t nt = 0, ne = 0, nl = 0, len, k;
	long long used;
	int rc = 0;

	while (nt < SCANRUN_READ_TARGETS && nl < SCANRUN_READ_LINES) {
		struct scanin_line out;

		if ((used = scanrun_getline(cfg->input, sr->line_buf, &len)) == 0) {
			sr->input_eof = 1;
			break;
		}
		sr->offset += used;
		sr->line++;
		nl++;
		sr->st->input_lines++;
		switch (scanin_parse(&sr->in, sr->line_buf, len, &out)) {
		case SCANIN_DOMAIN:
			lines[nt] = out;
			t[nt].domain = lines[nt].domain;
			t[nt].rank = out.rank;
			t[nt].line = sr->line;
			nt++;
			break;
		case SCANIN_ERROR:
			scanin_quote(sr->line_buf, len, etext[ne], sizeof(etext[ne]));
			snprintf(ewhy[ne], sizeof(ewhy[ne]), "%s", out.error);
			e[ne].line = sr->line;
			e[ne].text = etext[ne];
			e[ne].error = ewhy[ne];
			ne++;
			break;
		default:
			break;
		}
	}
	if (ferror(cfg->input)) {
		snprintf(sr->st->store_error, sizeof(sr->st->store_error), "%s: read error: %s",
		    cfg->input_name, strerror(errno));
		sr->input_eof = 1;
	}
	if (store_queue_add(cfg->store, cfg->run, t, nt, e, ne, sr->offset, sr->line,
	    sr->input_eof) < 0) {
		snprintf(sr->st->store_error, sizeof(sr->st->store_error), "%s",
		    store_error(cfg->store));
		rc = -1;
		goto out;
	}
	sr->st->input_errors += (long long)ne;
	for (k = 0; k < ne; k++)
		if (!cfg->quiet && sr->shown_errors++ < SCANRUN_INPUT_ERRORS_SHOWN)
			fprintf(stderr, "%smailtls: %s:%lld: %s\n", cfg->progress ? "\r\033[K" : "",
			    cfg->input_name, e[k].line, e[k].error);
	for (k = 0; k < nt; k++) {
		if (t[k].duplicate_of)
			sr->st->duplicates++;
		else
			sr->st->queued++;
	}
	sr->queue_empty = 0;
out:
	free(t);
	free(e);
	free(lines);
	free(etext);
	free(ewhy);
	return rc;
}

/*
 * A resumed run: the parser learns the list's format from its first lines again (a CSV header
 * names the columns), then reading goes on after the last committed line — by seeking in a
 * file, by reading and dropping the lines of a pipe.
 */
static void
scanrun_reposition(struct scanrun *sr)
{
	FILE *f = sr->cfg->input;
	struct scanin_line out;
	long long i;
	size_t len;

	if (fseeko(f, 0, SEEK_SET) == 0) {
		for (i = 0; i < sr->line && !sr->in.decided; i++) {
			if (scanrun_getline(f, sr->line_buf, &len) == 0)
				break;
			scanin_parse(&sr->in, sr->line_buf, len, &out);
		}
		if (fseeko(f, (off_t)sr->offset, SEEK_SET) == 0)
			return;
		sr->input_eof = 1;	/* cannot go back to where it was */
		return;
	}
	for (i = 0; i < sr->line; i++) {
		if (scanrun_getline(f, sr->line_buf, &len) == 0) {
			sr->input_eof = 1;
			return;
		}
		if (!sr->in.decided)
			scanin_parse(&sr->in, sr->line_buf, len, &out);
	}
}

/* ---- the shared queue (worker) ---------------------------------------------------------- */

static long long
scanrun_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

long
scanrun_queue_wait_ms(const struct store_queue_state *q)
{
	if (q->status != STORE_RUN_RUNNING)
		return -1;			/* finished or abandoned meanwhile */
	if (q->pending == 0)
		return q->input_eof ? -1 : SCANRUN_WAIT_MAX_MS;	/* else still being queued */
	if (q->pending > q->leased)
		return SCANRUN_WAIT_MIN_MS;	/* free or expired: another claim raced this one */
	/* all under live leases: the first may expire (its worker died), or be stored */
	if (q->next_expiry_ms < SCANRUN_WAIT_MIN_MS)
		return SCANRUN_WAIT_MIN_MS;
	return q->next_expiry_ms < SCANRUN_WAIT_MAX_MS ? (long)q->next_expiry_ms :
	    SCANRUN_WAIT_MAX_MS;
}

static void
scanrun_store_failed(struct scanrun *sr)
{
	snprintf(sr->st->store_error, sizeof(sr->st->store_error), "%s",
	    store_error(sr->cfg->store));
	sr->st->store_failed = 1;
}

/* A batch into the buffer: n > 0; 0 nothing now (waiting, or the queue is done); -1 error. */
static int
scanrun_claim(struct scanrun *sr)
{
	const struct scanrun_config *cfg = sr->cfg;
	struct store_queue_state q;
	size_t lim = cfg->batch > 0 && cfg->batch < SCANRUN_BATCH ? cfg->batch : SCANRUN_BATCH;
	long wait;

	if (sr->queue_empty || scanrun_now_ms() < sr->claim_after)
		return 0;
	if (store_queue_claim(cfg->store, cfg->run, cfg->worker, cfg->lease_ms, lim, sr->buf,
	    &sr->nbuf) < 0) {
		scanrun_store_failed(sr);
		return -1;
	}
	sr->ibuf = 0;
	if (sr->nbuf > 0) {
		sr->st->claims++;
		return (int)sr->nbuf;
	}
	if (store_queue_state(cfg->store, cfg->run, &q) < 0) {
		scanrun_store_failed(sr);
		return -1;
	}
	if ((wait = scanrun_queue_wait_ms(&q)) < 0) {
		sr->queue_empty = 1;
		return 0;
	}
	sr->st->waits++;
	sr->claim_after = scanrun_now_ms() + wait;
	return 0;
}

/* Nothing in flight, the queue not done: the loop runs (signals, timers) until a claim is due. */
static void
scanrun_idle(struct scanrun *sr)
{
	long long ms = sr->claim_after - scanrun_now_ms();
	struct timeval tv;

	if (ms <= 0)
		return;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	event_base_loopexit(sr->cfg->base, &tv);
	if (event_base_loop(sr->cfg->base, 0) < 0)
		BUG("event loop failed");
}

static void
scanrun_renew(evutil_socket_t fd, short what, void *arg)
{
	struct scanrun *sr = arg;

	(void)fd;
	(void)what;
	if (store_queue_renew(sr->cfg->store, sr->cfg->run, sr->cfg->worker,
	    sr->cfg->lease_ms) < 0)
		scanrun_store_failed(sr);
}

static int
scanrun_slot_acquire(void *arg, const char *ip, int *slot)
{
	struct scanrun *sr = arg;

	return store_slot_acquire(sr->cfg->store, ip, sr->cfg->sched.per_ip > 0 ?
	    sr->cfg->sched.per_ip : 1, slot);
}

static void
scanrun_slot_release(void *arg, const char *ip, int slot)
{
	struct scanrun *sr = arg;

	store_slot_release(sr->cfg->store, ip, slot);
}

/* The next pending target: from the buffer, the store's queue, or fresh input. */
static struct store_pending *
scanrun_next(struct scanrun *sr)
{
	const struct scanrun_config *cfg = sr->cfg;

	for (;;) {
		if (sr->ibuf < sr->nbuf)
			return &sr->buf[sr->ibuf++];
		if (cfg->worker != NULL) {
			if (scanrun_claim(sr) <= 0)
				return NULL;
			continue;
		}
		if (!sr->queue_empty) {
			if (store_queue_next(cfg->store, cfg->run, sr->last_seq, SCANRUN_BATCH, sr->buf,
			    &sr->nbuf) < 0) {
				snprintf(sr->st->store_error, sizeof(sr->st->store_error), "%s",
				    store_error(cfg->store));
				sr->st->store_failed = 1;
				return NULL;
			}
			sr->ibuf = 0;
			if (sr->nbuf > 0) {
				sr->last_seq = sr->buf[sr->nbuf - 1].seq;
				continue;
			}
			sr->queue_empty = 1;
		}
		if (sr->input_eof || cfg->input == NULL)
			return NULL;
		if (scanrun_read(sr) < 0) {
			sr->st->store_failed = 1;
			return NULL;
		}
	}
}

/* ---- one domain -------------------------------------------------------------------------- */

static void
scanrun_hold(struct scanrun_dom *d, struct sched_entry *e)
{
	if (d->nheld == d->capheld) {
		d->capheld = d->capheld ? d->capheld * 2 : 4;
		d->held = xrealloc(d->held, d->capheld * sizeof(*d->held));
	}
	d->held[d->nheld++] = e;
}

static void
scanrun_probe_done(struct sched_entry *e, struct endpoint *ep, void *arg)
{
	struct scanrun_ask *q = arg;

	scanrun_hold(q->d, e);
	q->done(ep, q->arg);
}

/* check_prober.probe: every probe of every domain goes through the scheduler. */
static void
scanrun_probe(void *ctx, const struct probe_params *pp, void (*done)(struct endpoint *, void *),
    void *arg)
{
	struct scanrun_dom *d = ctx;
	struct scanrun_ask *q = arena_alloc(d->a, sizeof(*q));

	q->d = d;
	q->done = done;
	q->arg = arg;
	sched_probe(d->sr->sched, pp, scanrun_probe_done, q);
}

static void
scanrun_full_done(struct sched_entry *e, struct endpoint *ep, void *arg)
{
	struct scanrun_ask *q = arg;

	scanrun_hold(q->d, e);
	q->full_done(ep, q->arg);
}

/* check_prober.full: each endpoint enumerated once per run, on the scheduler's terms. */
static void
scanrun_full(void *ctx, const struct probe_params *pp, const struct endpoint *ep,
    void (*done)(const struct endpoint *, void *), void *arg)
{
	struct scanrun_dom *d = ctx;
	struct scanrun_ask *q = arena_alloc(d->a, sizeof(*q));

	q->d = d;
	q->full_done = done;
	q->arg = arg;
	sched_full(d->sr->sched, pp, ep, scanrun_full_done, q);
}

static void
scanrun_check_done(struct check_result *r, void *arg)
{
	struct scanrun_dom *d = arg;
	struct scanrun *sr = d->sr;

	d->r = r;
	d->next = NULL;
	*sr->fin_tail = d;
	sr->fin_tail = &d->next;
}

static void
scanrun_start(struct scanrun *sr, const struct store_pending *p)
{
	struct scanrun_dom *d = xcalloc(1, sizeof(*d));

	d->sr = sr;
	d->p = *p;
	d->a = arena_new();
	d->cfg = sr->cfg->check;
	d->cfg.domain = d->p.domain;
	d->prober.probe = scanrun_probe;
	d->prober.full = d->cfg.full ? scanrun_full : NULL;
	d->prober.ctx = d;
	d->cfg.prober = &d->prober;
	sr->inflight++;
	if (sr->inflight > sr->st->max_inflight)
		sr->st->max_inflight = sr->inflight;
	check_start(&d->cfg, d->a, scanrun_check_done, d);
}

/* Stores a finished domain (one transaction), streams it, frees it. */
static int
scanrun_finish(struct scanrun *sr, struct scanrun_dom *d)
{
	const struct scanrun_config *cfg = sr->cfg;
	struct store_probe *pr = NULL;
	json_t *rep;
	char *text;
	size_t i, used = arena_used(d->a);
	int rc = 0;

	rep = report_check_json(d->r, &sr->ro);
	json_object_set_new(rep, "scan", json_pack("{s:I, s:I, s:o}", "run", (json_int_t)cfg->run,
	    "seq", (json_int_t)d->p.seq, "rank", d->p.rank >= 0 ? json_integer(d->p.rank) :
	    json_null()));
	if (d->nheld > 0)
		pr = xcalloc(d->nheld, sizeof(*pr));
	for (i = 0; i < d->nheld; i++) {
		const struct probe_params *pp = sched_entry_params(d->held[i]);

		pr[i].key = sched_entry_key(d->held[i]);
		pr[i].ip = pp->ip;
		pr[i].port = pp->port;
		pr[i].refname = pp->refname;
		pr[i].attempts = sched_entry_attempts(d->held[i]);
		pr[i].connections = sched_entry_connections(d->held[i]);
		pr[i].elapsed_ms = sched_entry_elapsed_ms(d->held[i]);
		pr[i].first_use = sched_entry_first_use(d->held[i]);
	}
	/* serialised once: the store's copy is the stream's line */
	text = cfg->jsonl != NULL ? json_dumps(rep, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (store_domain_put_text(cfg->store, cfg->run, d->p.seq, d->p.rank, rep, text, pr,
	    d->nheld) < 0) {
		snprintf(sr->st->store_error, sizeof(sr->st->store_error), "%s: %s", d->p.domain,
		    store_error(cfg->store));
		sr->st->store_failed = 1;
		rc = -1;
	} else {
		sr->st->done++;
		sr->st->total_done++;
		if (d->r->verdict.can_read < 0)
			sr->st->indeterminate++;
		else if (d->r->verdict.can_read > 0)
			sr->st->readable++;
		if (cfg->jsonl != NULL && text != NULL) {
			fputs(text, cfg->jsonl);
			fputc('\n', cfg->jsonl);
			fflush(cfg->jsonl);
		}
	}
	if (used > sr->st->arena_max)
		sr->st->arena_max = used;
	sr->st->arena_sum += used;
	json_decref(rep);
	free(text);
	free(pr);
	for (i = 0; i < d->nheld; i++)
		sched_release(sr->sched, d->held[i]);
	free(d->held);
	arena_free(d->a);
	free(d);
	sr->inflight--;
	return rc;
}

/* ---- progress ---------------------------------------------------------------------------- */

static void
scanrun_progress(struct scanrun *sr, int last)
{
	struct scanrun_stats *st = sr->st;
	struct sched_stats ss;
	double t = scanrun_elapsed(sr), rate = t > 0 ? (double)st->done / t : 0;
	long long left = st->total - st->total_done;
	char eta[32] = "?";

	sched_stats(sr->sched, &ss);
	if (rate > 0 && sr->input_eof) {
		long s = (long)((double)left / rate);

		snprintf(eta, sizeof(eta), "%ld:%02ld", s / 60, s % 60);
	}
	fprintf(stderr, "\r\033[K%lld/%lld%s done, %.0f/s, ETA %s, in flight %zu, probes %zu "
	    "(%zu shared), DNS waiting %zu, indeterminate %lld%s", st->total_done, st->total,
	    sr->input_eof ? "" : "+", rate, eta, sr->inflight, ss.attempts, ss.hits,
	    resolver_waiting(sr->cfg->resolver), st->indeterminate, last ? "\n" : "");
	fflush(stderr);
}

static void
scanrun_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	scanrun_progress(arg, 0);
}

int
scanrun_run(const struct scanrun_config *cfg, struct scanrun_stats *st)
{
	struct scanrun sr;
	struct sched_config scfg = cfg->sched;
	struct store_run_counts rc0;
	struct timeval half = { 0, 500000 };
	long long total0 = 0;
	int ret = 0;

	memset(&sr, 0, sizeof(sr));
	memset(st, 0, sizeof(*st));
	sr.cfg = cfg;
	sr.st = st;
	if (cfg->worker != NULL) {
		/* the per-address limit holds across every worker of the database */
		scfg.slot_acquire = scanrun_slot_acquire;
		scfg.slot_release = scanrun_slot_release;
		scfg.slot_arg = &sr;
	}
	sr.sched = sched_new(&scfg);
	sr.fin_tail = &sr.fin_head;
	sr.offset = cfg->input_offset;
	sr.line = cfg->input_line;
	sr.input_eof = cfg->input == NULL;
	sr.line_buf = xcalloc(1, SCANIN_LINE_MAX + 2);
	sr.ro.command = "check";
	scanin_init(&sr.in, cfg->format, cfg->domain_col, cfg->rank_col);
	clock_gettime(CLOCK_MONOTONIC, &sr.t0);
	if (cfg->input != NULL && cfg->input_line > 0)
		scanrun_reposition(&sr);
	if (store_run_counts(cfg->store, cfg->run, &rc0) == 0) {
		total0 = rc0.targets;
		st->total = rc0.targets;
		st->total_done = rc0.done;
	}
	if (cfg->worker != NULL) {
		struct timeval every;
		long ms = cfg->lease_ms / 3 > 0 ? cfg->lease_ms / 3 : 1;

		/* the whole list first: other workers wait for nothing but their claims */
		while (!sr.input_eof && !st->store_failed && !*cfg->stop)
			if (scanrun_read(&sr) < 0)
				st->store_failed = 1;
		every.tv_sec = ms / 1000;
		every.tv_usec = (ms % 1000) * 1000;
		sr.renew = event_new(cfg->base, -1, EV_PERSIST, scanrun_renew, &sr);
		event_add(sr.renew, &every);
	}
	if (cfg->progress && !cfg->enqueue_only) {
		sr.tick = event_new(cfg->base, -1, EV_PERSIST, scanrun_tick, &sr);
		event_add(sr.tick, &half);
	}
	for (;;) {
		if (cfg->enqueue_only)
			break;
		/* admit */
		while (!*cfg->stop && !st->store_failed && sr.inflight < (size_t)cfg->max_domains) {
			struct store_pending *p = scanrun_next(&sr);

			if (p == NULL)
				break;
			scanrun_start(&sr, p);
		}
		/* store what finished */
		while (sr.fin_head != NULL) {
			struct scanrun_dom *d = sr.fin_head;

			sr.fin_head = d->next;
			if (sr.fin_head == NULL)
				sr.fin_tail = &sr.fin_head;
			if (scanrun_finish(&sr, d) < 0)
				break;
		}
		if (st->store_failed || *cfg->stop >= 2)
			break;
		if (sr.inflight == 0 && sr.fin_head == NULL) {
			if (*cfg->stop || (sr.queue_empty && sr.ibuf >= sr.nbuf &&
			    (sr.input_eof || cfg->input == NULL)))
				break;
			if (cfg->worker != NULL)
				scanrun_idle(&sr);	/* others' leases: wait for them */
			continue;	/* admit more */
		}
		if (sr.fin_head == NULL && event_base_loop(cfg->base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
		st->total = total0 + st->queued;
		if (st->sched_mem_max < sched_mem(sr.sched))
			st->sched_mem_max = sched_mem(sr.sched);
	}
	if (store_run_counts(cfg->store, cfg->run, &rc0) == 0) {
		st->total = rc0.targets;
		st->total_done = rc0.done;
	}
	if (cfg->progress)
		scanrun_progress(&sr, 1);
	st->seconds = scanrun_elapsed(&sr);
	sched_stats(sr.sched, &st->sched);
	if (cfg->worker != NULL && !st->store_failed) {
		/* what this worker claimed and did not store is free for the others at once */
		if (store_queue_renew(cfg->store, cfg->run, cfg->worker, 0) < 0)
			scanrun_store_failed(&sr);
	}
	if (st->store_failed)
		ret = -1;
	else if (cfg->enqueue_only)
		ret = sr.input_eof ? 0 : 1;
	else if (sr.inflight > 0 || st->total_done < st->total || !sr.input_eof)
		ret = 1;
	else if (store_run_finish(cfg->store, cfg->run, STORE_RUN_DONE) < 0) {
		snprintf(st->store_error, sizeof(st->store_error), "%s", store_error(cfg->store));
		ret = -1;
	}
	if (sr.tick)
		event_free(sr.tick);
	if (sr.renew)
		event_free(sr.renew);
	/* stopped at once: checks still in flight are dropped (their domains stay pending) */
	sched_free(sr.sched);
	free(sr.line_buf);
	return ret;
}
