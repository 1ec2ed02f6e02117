/*
 * resolver.c — libunbound in the project's libevent loop; see resolver.h and
 * docs/internals/resolver.md.
 *
 * libunbound (1.17) in its default "fork" mode runs the resolver in a child process; queries go
 * out over one pipe and answers come back over another, whose read end is ub_fd().  We watch that
 * fd with a persistent EV_READ event and call ub_process(), which reads every answer waiting and
 * runs resolver_ub_done() for each.  The event is only added while libunbound holds queries for us,
 * so an idle resolver does not keep event_base_dispatch() running.
 *
 * A query is ours until its callback has run: it is on r->queries, holds a deadline timer, and
 * (while "in_ub") is known to libunbound by ub_id.  ub_cancel() in fork mode forgets the query at
 * once, whatever it returns, so after it libunbound never calls back with that query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <unbound.h>

#include "dns/resolver.h"
#include "util/xalloc.h"

#define RESOLVER_NAME_MAX	1024	/* text form with escapes; longer is a programmer error */
#define RESOLVER_RCODE_SERVFAIL	2
#define RESOLVER_RCODE_NXDOMAIN	3

struct resolver_query {
	struct resolver_query	*prev, *next;
	struct resolver		*r;
	int			 id;		/* ours, > 0 */
	int			 ub_id;		/* libunbound's async_id */
	int			 in_ub;		/* libunbound may still call back */
	char			*name;
	int			 rrtype;
	resolver_cb		 cb;
	void			*arg;
	struct event		*deadline;
	struct resolver_query	*wprev, *wnext;	/* the rate limit's wait list */
	int			 waiting;
};

struct resolver {
	struct event_base	*base;
	struct ub_ctx		*ctx;
	struct event		*ev;		/* EV_READ|EV_PERSIST on ub_fd() */
	int			 ev_added;
	struct timeval		 timeout;
	struct resolver_query	*queries;	/* pending: callback not yet run */
	size_t			 npending;
	size_t			 nub;		/* pending and known to libunbound */
	int			 warming;	/* the start-up query is still out */
	int			 next_id;
	int			 depth;		/* callbacks on the stack */
	int			 dying;		/* resolver_free() ran inside a callback */
	const char		*broken;	/* libunbound's pipe failed: every query fails */
	/*
	 * resolver_set_limits(): a token bucket and a ceiling on lookups libunbound holds; queries
	 * over either wait, first come first served
	 */
	double			 rate, burst, tokens;
	size_t			 max_out;
	long long		 tokens_at;	/* ms, CLOCK_MONOTONIC */
	struct event		*pace;
	struct resolver_query	*whead, *wtail;
};

static const char *const resolver_status_names[RESOLVER_STATUS_LAST] = {
	[RESOLVER_SECURE] = "secure",
	[RESOLVER_INSECURE] = "insecure",
	[RESOLVER_BOGUS] = "bogus",
	[RESOLVER_INDETERMINATE] = "indeterminate",
};

const char *
resolver_status_name(enum resolver_status s)
{
	if ((size_t)s >= RESOLVER_STATUS_LAST)
		return "unknown";
	return resolver_status_names[s];
}

static void	resolver_destroy(struct resolver *);
static int	resolver_pump(struct resolver *);

static void
resolver_watch(struct resolver *r)
{
	int want = (r->nub > 0 || r->warming) && !r->dying;

	if (want && !r->ev_added) {
		if (event_add(r->ev, NULL) == 0)
			r->ev_added = 1;
	} else if (!want && r->ev_added) {
		event_del(r->ev);
		r->ev_added = 0;
	}
}

/* Takes q off every list: afterwards neither libunbound nor the deadline can reach it. */
static void
resolver_query_detach(struct resolver_query *q)
{
	struct resolver *r = q->r;

	if (q->in_ub) {
		(void)ub_cancel(r->ctx, q->ub_id);
		q->in_ub = 0;
		r->nub--;
	}
	if (q->deadline != NULL) {
		event_free(q->deadline);
		q->deadline = NULL;
	}
	if (q->waiting) {
		if (q->wprev != NULL)
			q->wprev->wnext = q->wnext;
		else
			r->whead = q->wnext;
		if (q->wnext != NULL)
			q->wnext->wprev = q->wprev;
		else
			r->wtail = q->wprev;
		q->wprev = q->wnext = NULL;
		q->waiting = 0;
	}
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		r->queries = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
	r->npending--;
}

static void
resolver_query_free(struct resolver_query *q)
{
	if (q == NULL)
		return;
	free(q->name);
	free(q);
}

/* A callback is about to run: resolver_free() inside it must wait. */
static void
resolver_enter(struct resolver *r)
{
	r->depth++;
}

/* Returns 1 when the resolver was freed and must not be touched. */
static int
resolver_leave(struct resolver *r)
{
	r->depth--;
	if (r->depth == 0 && r->dying) {
		resolver_destroy(r);
		return 1;
	}
	resolver_watch(r);
	return 0;
}

/* Detaches q, runs its callback with a, frees q.  Caller holds resolver_enter(). */
static void
resolver_deliver(struct resolver_query *q, struct resolver_answer *a)
{
	resolver_query_detach(q);
	a->qname = q->name;
	a->qtype = q->rrtype;
	q->cb(q->arg, a);
	resolver_query_free(q);
}

/* The answer for a query that got no result from libunbound. */
static void
resolver_deliver_failure(struct resolver_query *q, int timed_out, const char *error)
{
	struct resolver_answer a;

	memset(&a, 0, sizeof(a));
	a.rcode = RESOLVER_RCODE_SERVFAIL;
	a.status = RESOLVER_INDETERMINATE;
	a.timed_out = timed_out;
	a.error = error;
	resolver_deliver(q, &a);
}

/* Same name, ignoring letter case and one trailing dot. */
static int
resolver_same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

static enum resolver_status
resolver_classify(const struct ub_result *res)
{
	if (res->secure)
		return RESOLVER_SECURE;
	if (res->bogus)
		return RESOLVER_BOGUS;
	if (res->rcode != 0 && res->rcode != RESOLVER_RCODE_NXDOMAIN)
		return RESOLVER_INDETERMINATE;
	return RESOLVER_INSECURE;
}

/* libunbound's callback, from inside ub_process(). */
static void
resolver_ub_done(void *arg, int err, struct ub_result *res)
{
	struct resolver_query *q = arg;
	struct resolver_answer a;
	const unsigned char **rdata = NULL;
	size_t *rdlen = NULL, n = 0, i;

	/* Answered: libunbound has forgotten the query already. */
	q->in_ub = 0;
	q->r->nub--;
	if (err != 0 || res == NULL) {
		resolver_deliver_failure(q, 0, ub_strerror(err != 0 ? err : UB_NOMEM));
		ub_resolve_free(res);
		return;
	}

	memset(&a, 0, sizeof(a));
	a.status = resolver_classify(res);
	a.rcode = res->rcode;
	a.nxdomain = res->nxdomain;
	a.ttl = res->ttl;
	if (a.status == RESOLVER_BOGUS)
		a.why_bogus = res->why_bogus != NULL ? res->why_bogus : "validation failure";
	if (res->canonname != NULL && !resolver_same_name(res->canonname, q->name))
		a.canonname = res->canonname;
	/* Bogus data is withheld: nothing may act on it, the reason is what a report needs. */
	if (res->havedata && res->data != NULL && a.status != RESOLVER_BOGUS) {
		while (res->data[n] != NULL)
			n++;
		rdata = xcalloc(n, sizeof(*rdata));
		rdlen = xcalloc(n, sizeof(*rdlen));
		for (i = 0; i < n; i++) {
			rdata[i] = (const unsigned char *)res->data[i];
			rdlen[i] = res->len[i] > 0 ? (size_t)res->len[i] : 0;
		}
	}
	a.n = n;
	a.havedata = n > 0;
	a.rdata = rdata;
	a.rdlen = rdlen;
	resolver_deliver(q, &a);
	free(rdata);
	free(rdlen);
	ub_resolve_free(res);
}

/* Every pending query that libunbound holds fails with why. */
static void
resolver_fail_all(struct resolver *r, const char *why)
{
	struct resolver_query *q, *next;

	r->broken = why;
	r->warming = 0;		/* its answer will not come either */
	for (q = r->queries; q != NULL && !r->dying; q = next) {
		next = q->next;
		if (q->in_ub) {
			resolver_deliver_failure(q, 0, why);
			next = r->queries;	/* the callback may have cancelled others */
		}
	}
}

static void
resolver_on_fd(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;
	int rc;

	(void)fd;
	(void)what;
	resolver_enter(r);
	rc = ub_process(r->ctx);
	if (rc != 0 && !r->dying)
		resolver_fail_all(r, ub_strerror(rc));
	if (resolver_leave(r) == 0 && r->whead != NULL)
		(void)resolver_pump(r);
}

static void
resolver_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct resolver_query *q = arg;
	struct resolver *r = q->r;

	(void)fd;
	(void)what;
	resolver_enter(r);
	resolver_deliver_failure(q, 1, NULL);
	if (resolver_leave(r) == 0 && r->whead != NULL)
		(void)resolver_pump(r);
}

static void
resolver_seterr(char *err, size_t errlen, const char *what, const char *why)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", what, why);
}

static int
resolver_ub_err(int rc, const char *what, char *err, size_t errlen)
{
	if (rc == 0)
		return 0;
	resolver_seterr(err, errlen, what, ub_strerror(rc));
	return -1;
}

/* The start-up query's answer: it only made libunbound fork. */
static void
resolver_ub_warm(void *arg, int err, struct ub_result *res)
{
	struct resolver *r = arg;

	(void)err;
	r->warming = 0;
	ub_resolve_free(res);
}

struct resolver *
resolver_new(struct event_base *base, const struct resolver_config *cfg, char *err,
    size_t errlen)
{
	struct resolver *r;
	const char *ta;
	long ms;
	int fd;

	if (base == NULL || cfg == NULL)
		BUG("resolver_new: NULL base or config");
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	r = xcalloc(1, sizeof(*r));
	r->base = base;
	r->next_id = 1;
	ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : RESOLVER_TIMEOUT_DEFAULT_MS;
	r->timeout.tv_sec = ms / 1000;
	r->timeout.tv_usec = (ms % 1000) * 1000;

	if ((r->ctx = ub_ctx_create()) == NULL) {
		resolver_seterr(err, errlen, "ub_ctx_create", "failed");
		goto fail;
	}
	/* A child process, not a thread (docs/internals/resolver.md). */
	if (resolver_ub_err(ub_ctx_async(r->ctx, 1), "async", err, errlen) != 0)
		goto fail;
	if (cfg->forwarder != NULL) {
		if (resolver_ub_err(ub_ctx_set_fwd(r->ctx, cfg->forwarder), cfg->forwarder,
		    err, errlen) != 0)
			goto fail;
		/*
		 * The lab forwarder lives on loopback.  Only with a forwarder we chose: in full
		 * recursion, a hostile delegation must not steer queries to our own host.
		 */
		if (resolver_ub_err(ub_ctx_set_option(r->ctx, "do-not-query-localhost:", "no"),
		    "do-not-query-localhost", err, errlen) != 0)
			goto fail;
	}
	/*
	 * unbound only collects the detailed error strings behind why_bogus with log-servfail or
	 * val-log-level 2 (util/module.c errinf_*); failures in the chain of keys carry a reason
	 * either way.  At verbosity 0 it printed nothing extra in the lab runs.
	 */
	if (resolver_ub_err(ub_ctx_set_option(r->ctx, "log-servfail:", "yes"), "log-servfail",
	    err, errlen) != 0)
		goto fail;
	ta = cfg->trust_anchor_file != NULL ? cfg->trust_anchor_file : RESOLVER_ROOT_KEY;
	if (access(ta, R_OK) != 0) {
		resolver_seterr(err, errlen, ta, "trust anchor file not readable");
		goto fail;
	}
	if (resolver_ub_err(ub_ctx_add_ta_file(r->ctx, ta), ta, err, errlen) != 0)
		goto fail;
	if (cfg->config_file != NULL && resolver_ub_err(ub_ctx_config(r->ctx, cfg->config_file),
	    cfg->config_file, err, errlen) != 0)
		goto fail;
	/*
	 * Finalise now, so a malformed anchor or option fails here and not at the first query.
	 * libunbound has no call for that alone; removing a local zone that does not exist
	 * finalises and changes nothing.
	 */
	if (resolver_ub_err(ub_ctx_zone_remove(r->ctx, "mailtls-finalize.invalid."),
	    "configuration", err, errlen) != 0)
		goto fail;

	if ((fd = ub_fd(r->ctx)) < 0) {
		resolver_seterr(err, errlen, "ub_fd", "failed");
		goto fail;
	}
	r->ev = event_new(base, fd, EV_READ | EV_PERSIST, resolver_on_fd, r);
	if (r->ev == NULL) {
		resolver_seterr(err, errlen, "event_new", "failed");
		goto fail;
	}
	/*
	 * Fork the background process now, while the caller has few descriptors open: the child
	 * keeps a copy of every descriptor open at fork time (docs/internals/resolver.md).
	 * "localhost." is one of unbound's own local zones, so this sends no packet.
	 */
	if (resolver_ub_err(ub_resolve_async(r->ctx, "localhost.", RESOLVER_T_A, 1, r,
	    resolver_ub_warm, NULL), "start", err, errlen) != 0)
		goto fail;
	r->warming = 1;
	resolver_watch(r);
	return r;

fail:
	resolver_destroy(r);
	return NULL;
}

static void
resolver_destroy(struct resolver *r)
{
	struct resolver_query *q;

	while ((q = r->queries) != NULL) {
		resolver_query_detach(q);
		resolver_query_free(q);
	}
	if (r->ev != NULL)
		event_free(r->ev);
	if (r->pace != NULL)
		event_free(r->pace);
	/* Stops and reaps the child. */
	if (r->ctx != NULL)
		ub_ctx_delete(r->ctx);
	free(r);
}

void
resolver_free(struct resolver *r)
{
	struct resolver_query *q;

	if (r == NULL || r->dying)
		return;
	if (r->depth == 0) {
		resolver_destroy(r);
		return;
	}
	/* Inside a callback: drop the queries now, the rest when the stack unwinds. */
	while ((q = r->queries) != NULL) {
		resolver_query_detach(q);
		resolver_query_free(q);
	}
	r->dying = 1;
	resolver_watch(r);
}

static void	resolver_send(struct resolver *, struct resolver_query *);
static int	resolver_may_send(struct resolver *);
static void	resolver_pace_arm(struct resolver *);

int
resolver_query(struct resolver *r, const char *name, int rrtype, resolver_cb cb, void *arg)
{
	struct resolver_query *q;
	int id;

	if (r == NULL || r->dying || name == NULL || cb == NULL || rrtype < 1 || rrtype > 65535 ||
	    strlen(name) > RESOLVER_NAME_MAX)
		return -1;
	q = xcalloc(1, sizeof(*q));
	q->r = r;
	q->id = id = r->next_id++;
	if (r->next_id <= 0)
		r->next_id = 1;
	q->name = xstrdup(name);
	q->rrtype = rrtype;
	q->cb = cb;
	q->arg = arg;
	q->next = r->queries;
	if (r->queries != NULL)
		r->queries->prev = q;
	r->queries = q;
	r->npending++;

	if (r->broken != NULL) {
		resolver_enter(r);
		resolver_deliver_failure(q, 0, r->broken);
		(void)resolver_leave(r);
		return id;
	}
	if ((r->rate > 0 || r->max_out > 0) && (r->whead != NULL || !resolver_may_send(r))) {
		/* over the rate: waits its turn; its deadline starts when it is sent */
		q->waiting = 1;
		q->wprev = r->wtail;
		if (r->wtail != NULL)
			r->wtail->wnext = q;
		else
			r->whead = q;
		r->wtail = q;
		resolver_pace_arm(r);
		return id;
	}
	resolver_send(r, q);
	return id;
}

/* Hands q to libunbound with its deadline. */
static void
resolver_send(struct resolver *r, struct resolver_query *q)
{
	int rc;

	q->deadline = evtimer_new(r->base, resolver_on_deadline, q);
	if (q->deadline == NULL || evtimer_add(q->deadline, &r->timeout) != 0)
		BUG("resolver_query: cannot arm the deadline timer");
	rc = ub_resolve_async(r->ctx, q->name, q->rrtype, 1, q, resolver_ub_done, &q->ub_id);
	if (rc != 0) {
		/* Refused at once (a malformed name, no child process): the callback runs now. */
		resolver_enter(r);
		resolver_deliver_failure(q, 0, ub_strerror(rc));
		(void)resolver_leave(r);
		return;
	}
	q->in_ub = 1;
	r->nub++;
	resolver_watch(r);
}

static long long
resolver_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
resolver_refill(struct resolver *r)
{
	long long now = resolver_now_ms();

	r->tokens += (double)(now - r->tokens_at) * r->rate / 1000.0;
	if (r->tokens > r->burst)
		r->tokens = r->burst;
	r->tokens_at = now;
}

/* Under both limits (a token is taken when it is): the next waiting query may go. */
static int
resolver_may_send(struct resolver *r)
{
	if (r->max_out > 0 && r->nub >= r->max_out)
		return 0;	/* an answer or a deadline sends the next (resolver_pump) */
	if (r->rate <= 0)
		return 1;
	resolver_refill(r);
	if (r->tokens < 1.0)
		return 0;
	r->tokens -= 1.0;
	return 1;
}

/* The timer that sends waiting queries as tokens come: when the next one is due. */
static void
resolver_pace_arm(struct resolver *r)
{
	struct timeval tv;
	double ms;

	if (r->rate <= 0 || r->pace == NULL || evtimer_pending(r->pace, NULL))
		return;
	ms = r->tokens >= 1.0 ? 0 : (1.0 - r->tokens) * 1000.0 / r->rate;
	if (ms < 1)
		ms = 1;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((long)ms % 1000) * 1000;
	evtimer_add(r->pace, &tv);
}

/*
 * Sends waiting queries while the limits allow; 1 when the resolver was freed inside a
 * callback (then nothing may touch it).  Runs on the pace timer and after libunbound's answers
 * and our deadlines, which free room under max_out.
 */
static int
resolver_pump(struct resolver *r)
{
	struct resolver_query *q;

	while ((q = r->whead) != NULL && !r->dying && resolver_may_send(r)) {
		r->whead = q->wnext;
		if (r->whead != NULL)
			r->whead->wprev = NULL;
		else
			r->wtail = NULL;
		q->wnext = q->wprev = NULL;
		q->waiting = 0;
		resolver_enter(r);
		resolver_send(r, q);
		if (resolver_leave(r))
			return 1;	/* freed inside a callback */
	}
	if (r->whead != NULL && !r->dying)
		resolver_pace_arm(r);
	return 0;
}

static void
resolver_on_pace(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)resolver_pump(arg);
}

int
resolver_set_limits(struct resolver *r, double qps, size_t max_outstanding)
{
	if (r == NULL || qps < 0)
		return -1;
	if (r->pace == NULL && qps > 0 &&
	    (r->pace = evtimer_new(r->base, resolver_on_pace, r)) == NULL)
		return -1;
	r->max_out = max_outstanding;
	r->rate = qps;
	/* a tenth of a second's worth at once, so the rate holds over short spans too */
	r->burst = qps / 10 > 1 ? qps / 10 : 1;
	r->tokens = r->burst;
	r->tokens_at = resolver_now_ms();
	return 0;
}

size_t
resolver_waiting(const struct resolver *r)
{
	const struct resolver_query *q;
	size_t n = 0;

	for (q = r ? r->whead : NULL; q != NULL; q = q->wnext)
		n++;
	return n;
}

int
resolver_cancel(struct resolver *r, int id)
{
	struct resolver_query *q;

	if (r == NULL || id <= 0)
		return -1;
	for (q = r->queries; q != NULL; q = q->next) {
		if (q->id == id) {
			resolver_query_detach(q);
			resolver_query_free(q);
			resolver_watch(r);
			return 0;
		}
	}
	return -1;
}

size_t
resolver_pending(const struct resolver *r)
{
	return r == NULL ? 0 : r->npending;
}
