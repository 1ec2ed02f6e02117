/*
 * policyd.c — the socketmap policy service (policyd.h): listeners and clients, the answer cache
 * with its LRU bound, asynchronous DNS-only checks, proactive refresh and the SQLite file.
 *
 * Memory: clients, entries and lookups are malloc'ed one by one and freed when they end; each
 * lookup's check lives in its own arena, freed when the check is done.  Nothing grows without a
 * bound: see policyd.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <netdb.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <sqlite3.h>

#include "check/check.h"
#include "dns/mtasts.h"
#include "policy/pins.h"
#include "policy/policy.h"
#include "policy/policyd.h"
#include "policy/socketmap.h"
#include "util/arena.h"
#include "util/xalloc.h"

#define PD_OUT_MAX	65536	/* replies queued to a client that does not read them */
#define PD_EVICT_MAX	1024	/* evictions remembered until the next write of the file */
#define PD_FLUSH_S	2	/* the cache file is written this often (one transaction) */
#define PD_TEMP_S	30	/* a TEMP answer (DNS failed) is given again for this long */

struct pd_lookup;
struct pd_conn;

struct pd_entry {
	char			*domain;
	/* the answer */
	long			 checked;	/* when derived; 0: never */
	long			 last_used;
	enum socketmap_reply	 reply;
	char			*value;		/* OK: the policy; TEMP: the reason */
	enum policy_level	 level;
	enum policy_basis	 basis;
	char			 rule[8];
	/* the MTA-STS policy held (RFC 8461 §3.3) */
	struct policy_sts_cached sts;
	char			 sts_id[MTASTS_ID_MAX + 1];
	enum mtasts_mode	 sts_mode;
	char			*sts_mx;	/* patterns, space-separated; NULL when too many */
	/* runtime */
	struct pd_lookup	*lookup;	/* a check in flight */
	struct pd_conn		*waiters;
	int			 dirty;
	struct pd_entry		*hnext, *lru_prev, *lru_next;
};

struct pd_lookup {
	struct policyd		*pd;
	struct pd_entry		*e;
	struct arena		*a;
	struct check_config	 cfg;
	struct mtasts_policy	 sts;		/* the entry's cached policy, for the check */
	int			 proactive;
};

struct pd_conn {
	struct policyd		*pd;
	struct bufferevent	*bev;
	struct pd_entry		*waiting;
	struct pd_conn		*wnext, *wprev;	/* waiters of that entry */
	struct event		*deadline;
	struct pd_conn		*next, *prev;	/* every client */
};

struct policyd {
	struct policyd_config	 cfg;
	struct evconnlistener	*lis[POLICYD_LISTEN_MAX];
	char			*unix_path[POLICYD_LISTEN_MAX];
	size_t			 nlis;
	int			 paused;
	struct pd_conn		*conns;
	int			 nconns;
	struct pd_entry		**buckets;
	size_t			 nbuckets;
	struct pd_entry		*lru_head, *lru_tail;	/* most recently used first */
	size_t			 nentries;
	int			 inflight;
	struct event		*tick, *flush;
	sqlite3			*db;
	char			*evicted[PD_EVICT_MAX];
	size_t			 nevicted;
	long			 last_frame_log;
	struct policyd_stats	 st;
};

/* ---- logging ------------------------------------------------------------------------------ */

static void pd_log(struct policyd *, int, const char *, ...) __attribute__((format(printf, 3, 4)));

static void
pd_log(struct policyd *pd, int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (pd->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pd->cfg.log(pd->cfg.log_arg, prio, msg);
}

static long
pd_now(void)
{
	return (long)time(NULL);
}

/* ---- the entry table: hash chains and an LRU list ----------------------------------------- */

static size_t
pd_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct pd_entry *
pd_find(struct policyd *pd, const char *domain)
{
	struct pd_entry *e = pd->buckets[pd_hash(domain) & (pd->nbuckets - 1)];

	while (e != NULL && strcmp(e->domain, domain) != 0)
		e = e->hnext;
	return e;
}

static void
pd_lru_unlink(struct policyd *pd, struct pd_entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		pd->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		pd->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void
pd_lru_front(struct policyd *pd, struct pd_entry *e)
{
	if (pd->lru_head == e)
		return;
	if (e->lru_prev || e->lru_next || pd->lru_tail == e)
		pd_lru_unlink(pd, e);
	e->lru_next = pd->lru_head;
	if (pd->lru_head)
		pd->lru_head->lru_prev = e;
	pd->lru_head = e;
	if (pd->lru_tail == NULL)
		pd->lru_tail = e;
}

static void
pd_entry_free(struct pd_entry *e)
{
	if (e == NULL)
		return;
	free(e->domain);
	free(e->value);
	free(e->sts_mx);
	free(e);
}

static void
pd_remove(struct policyd *pd, struct pd_entry *e)
{
	struct pd_entry **pp = &pd->buckets[pd_hash(e->domain) & (pd->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	pd_lru_unlink(pd, e);
	pd->nentries--;
}

static void pd_flush_db(struct policyd *);

/* Over the bound: the least recently used entries without a lookup or waiters go. */
static void
pd_evict(struct policyd *pd)
{
	struct pd_entry *e = pd->lru_tail, *prev;

	while (pd->nentries > pd->cfg.cache_max && e != NULL) {
		prev = e->lru_prev;
		if (e->lookup == NULL && e->waiters == NULL) {
			pd_remove(pd, e);
			if (pd->db != NULL) {
				if (pd->nevicted == PD_EVICT_MAX)
					pd_flush_db(pd);
				pd->evicted[pd->nevicted++] = e->domain;
				e->domain = NULL;
			}
			pd_entry_free(e);
		}
		e = prev;
	}
}

static struct pd_entry *
pd_insert(struct policyd *pd, const char *domain)
{
	struct pd_entry *e = xcalloc(1, sizeof(*e));
	size_t b = pd_hash(domain) & (pd->nbuckets - 1);

	e->domain = xstrdup(domain);
	e->reply = SOCKETMAP_REPLY_TEMP;
	e->hnext = pd->buckets[b];
	pd->buckets[b] = e;
	pd->nentries++;
	pd_lru_front(pd, e);
	pd_evict(pd);
	return e;
}

/* ---- answers ------------------------------------------------------------------------------ */

static void pd_conn_read(struct bufferevent *, void *);

static void
pd_send(struct pd_conn *c, enum socketmap_reply r, const char *text)
{
	char out[SOCKETMAP_REPLY_MAX];
	int n = socketmap_reply_format(out, sizeof(out), r, text);

	if (n < 0)
		n = socketmap_reply_format(out, sizeof(out), r = SOCKETMAP_REPLY_TEMP, "reply too long");
	switch (r) {
	case SOCKETMAP_REPLY_OK: c->pd->st.ok++; break;
	case SOCKETMAP_REPLY_NOTFOUND: c->pd->st.notfound++; break;
	case SOCKETMAP_REPLY_PERM: c->pd->st.perm++; break;
	default: c->pd->st.temp++; break;
	}
	bufferevent_write(c->bev, out, (size_t)n);
}

static void
pd_send_entry(struct pd_conn *c, const struct pd_entry *e)
{
	if (c->pd->cfg.verbose)
		pd_log(c->pd, LOG_INFO, "%s: %s %s", e->domain, socketmap_reply_name(e->reply),
		    e->value ? e->value : "");
	pd_send(c, e->reply, e->value);
}

/*
 * The answer a client gets when the deadline passes, or no check can start: the last answer
 * when it rests on an MTA-STS policy still in force (RFC 8461 §3.3), else TEMP: the sender
 * retries later, by when the check has filled the cache.
 */
static void
pd_send_fallback(struct pd_conn *c, const struct pd_entry *e, const char *why)
{
	if (e != NULL && e->checked && e->basis == POLICY_BASIS_MTA_STS && e->sts.valid &&
	    pd_now() < e->sts.expires)
		pd_send_entry(c, e);
	else
		pd_send(c, SOCKETMAP_REPLY_TEMP, why);
}

static void
pd_unwait(struct pd_conn *c)
{
	struct pd_entry *e = c->waiting;

	if (e == NULL)
		return;
	if (c->wprev)
		c->wprev->wnext = c->wnext;
	else
		e->waiters = c->wnext;
	if (c->wnext)
		c->wnext->wprev = c->wprev;
	c->wnext = c->wprev = NULL;
	c->waiting = NULL;
	evtimer_del(c->deadline);
}

/* The client got its answer: read its next request (it may already be buffered). */
static void
pd_resume(struct pd_conn *c)
{
	bufferevent_enable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		pd_conn_read(c->bev, c);
}

static void
pd_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct pd_conn *c = arg;
	struct pd_entry *e = c->waiting;

	(void)fd;
	(void)what;
	c->pd->st.deadline++;
	pd_unwait(c);
	pd_send_fallback(c, e, "policy lookup still in progress");
	pd_resume(c);
}

/* ---- lookups --------------------------------------------------------------------------------- */

/* Splits the held patterns into pat[] (they stay in buf). */
static size_t
pd_patterns(const struct pd_entry *e, char *buf, size_t size, const char **pat, size_t max)
{
	size_t n = 0;
	char *p, *save = NULL;

	if (e->sts_mx == NULL || strlen(e->sts_mx) >= size)
		return 0;
	strcpy(buf, e->sts_mx);
	for (p = strtok_r(buf, " ", &save); p != NULL && n < max; p = strtok_r(NULL, " ", &save))
		pat[n++] = p;
	return n;
}

/* Keep the policy just fetched, if it can be kept within the bounds. */
static void
pd_sts_take(struct pd_entry *e, const struct check_sts *s, long now)
{
	char buf[POLICY_MATCH_MAX];
	size_t i, len = 0;

	e->sts.valid = 1;
	e->sts.fetched = now;
	e->sts.expires = now + (long)(s->policy.max_age > MTASTS_MAX_AGE_MAX ? MTASTS_MAX_AGE_MAX :
	    s->policy.max_age);
	snprintf(e->sts_id, sizeof(e->sts_id), "%s", s->id ? s->id : "");
	e->sts_mode = s->policy.mode;
	free(e->sts_mx);
	e->sts_mx = NULL;
	buf[0] = '\0';
	for (i = 0; i < s->policy.nmx && i < POLICY_PATTERNS_MAX; i++) {
		size_t l = strlen(s->policy.mx[i]);

		if (len + l + 2 > sizeof(buf))
			break;
		memcpy(buf + len, s->policy.mx[i], l);
		len += l;
		buf[len++] = ' ';
		buf[len] = '\0';
	}
	if (i == s->policy.nmx && len > 0) {
		buf[len - 1] = '\0';
		e->sts_mx = xstrdup(buf);
	}
	/* else: more patterns than a match= list holds; policy_decide() keeps TLS mandatory */
}

static void
pd_lookup_done(struct check_result *r, void *arg)
{
	struct pd_lookup *lk = arg;
	struct policyd *pd = lk->pd;
	struct pd_entry *e = lk->e;
	struct policy_facts f;
	struct policy_mx_facts mx[POLICY_MX_MAX];
	struct policy_decision d;
	char val[POLICY_MATCH_MAX + 64];
	enum socketmap_reply reply;
	long now = pd_now();
	struct pd_conn *c, *resumed = NULL;
	char why[512];
	int pinned = 0;
	size_t i;

	why[0] = '\0';
	/* a policy fetched now replaces the held one; the held one, applied by the check, stays */
	switch (policy_sts_merge(&e->sts, now, r->sts.policy_valid && !r->sts.from_cache,
	    r->sts.fetch_skipped)) {
	case POLICY_STS_REPLACE:
		pd_sts_take(e, &r->sts, now);
		break;
	case POLICY_STS_DROP:
		memset(&e->sts, 0, sizeof(e->sts));
		free(e->sts_mx);
		e->sts_mx = NULL;
		break;
	default:
		break;
	}
	/*
	 * The check's facts carry the policy in force: fetched now, or the held one it was given
	 * (rows M3, M4).  One held past its max_age while the check ran is no policy (M2).
	 */
	if (r->sts.from_cache && !e->sts.valid)
		r->sts.policy_valid = 0;
	policy_facts_from_check(r, 0, 0, &f, mx);
	if (pd->cfg.pins != NULL)	/* row P8h; refused pins (too old, expiring) are said below */
		pinned = policy_pins_apply(pd->cfg.pins, now, &f, mx, why, sizeof(why));
	policy_decide(&f, &d);
	val[0] = '\0';
	if (d.basis == POLICY_BASIS_UNKNOWN) {
		reply = SOCKETMAP_REPLY_TEMP;
		snprintf(val, sizeof(val), "DNS lookups for %s failed", e->domain);
	} else if (d.level == POLICY_LEVEL_DEFAULT || d.level == POLICY_LEVEL_MAY)
		reply = SOCKETMAP_REPLY_NOTFOUND;	/* no enforcement: the sender's default */
	else {
		reply = SOCKETMAP_REPLY_OK;
		if (policy_postfix(&d, val, sizeof(val)) < 0) {
			reply = SOCKETMAP_REPLY_TEMP;
			snprintf(val, sizeof(val), "policy too long");
		}
	}
	if (e->checked == 0 || e->reply != reply || strcmp(e->value ? e->value : "", val) != 0)
		pd_log(pd, LOG_INFO, "%s: %s%s%s (%s, %s)%s%s%s", e->domain,
		    socketmap_reply_name(reply), val[0] ? " " : "", val, d.rule,
		    policy_basis_name(d.basis), lk->proactive ? " [refresh]" : "",
		    pinned < 0 ? "; pins refused: " : "", pinned < 0 ? why : "");
	for (i = 0; i < d.nwarn; i++) {
		if (e->checked != 0 && e->reply == reply &&
		    strcmp(e->value ? e->value : "", val) == 0)
			break;	/* said when the answer changed */
		if (d.warn[i].id == POLICY_W_HISTORY_UNPINNED)	/* fail closed on it */
			pd_log(pd, LOG_WARNING, "%s: MX %s has no pin in the stored scan (added "
			    "since, or forged, or not pinnable in the scan): mail to it defers "
			    "under the fingerprint answer", e->domain,
			    d.warn[i].host ? d.warn[i].host : "?");
		else if (d.warn[i].id == POLICY_W_STS_UNENFORCEABLE)	/* row P5b */
			pd_log(pd, LOG_WARNING, "%s: %s: %s", e->domain,
			    policy_warning_name(d.warn[i].id), policy_warning_text(d.warn[i].id));
	}
	e->reply = reply;
	free(e->value);
	e->value = val[0] ? xstrdup(val) : NULL;
	e->level = d.level;
	e->basis = d.basis;
	snprintf(e->rule, sizeof(e->rule), "%s", d.rule);
	e->checked = now;
	e->dirty = 1;
	e->lookup = NULL;
	pd->inflight--;
	arena_free(lk->a);	/* the check is done with it (check_advance: done runs last) */
	free(lk);
	/*
	 * Answer every waiter first, then let each read on: a resumed client's next request may
	 * insert entries and evict this one.
	 */
	for (c = e->waiters; c != NULL; c = c->wnext)
		pd_send_entry(c, e);
	while ((c = e->waiters) != NULL) {
		c->wprev = NULL;
		e->waiters = c->wnext;
		c->wnext = resumed;
		resumed = c;
		c->waiting = NULL;
		evtimer_del(c->deadline);
	}
	pd_evict(pd);
	while ((c = resumed) != NULL) {
		resumed = c->wnext;
		c->wnext = NULL;
		pd_resume(c);
	}
}

/* 0: a check runs (or already ran, inside this call); -1: too many in flight. */
static int
pd_lookup_start(struct policyd *pd, struct pd_entry *e, int proactive)
{
	struct pd_lookup *lk;
	long now = pd_now();

	if (e->lookup != NULL)
		return 0;
	if (pd->inflight >= pd->cfg.max_lookups)
		return -1;
	lk = xcalloc(1, sizeof(*lk));
	lk->pd = pd;
	lk->e = e;
	lk->a = arena_new();
	lk->proactive = proactive;
	lk->cfg.domain = arena_strdup(lk->a, e->domain);
	lk->cfg.base = pd->cfg.base;
	lk->cfg.resolver = pd->cfg.resolver;
	lk->cfg.http = pd->cfg.http;
	lk->cfg.http_ms = pd->cfg.http_ms;
	lk->cfg.ehlo = "localhost";
	lk->cfg.max_total = 1;
	lk->cfg.max_per_ip = 1;
	lk->cfg.dns_only = 1;
	/*
	 * The policy held goes to the check, which applies it when the record's id is unchanged
	 * or no live policy can be had (RFC 8461 §3.3, §5.1; rows M3, M4).  The id goes too, so an
	 * unchanged one skips the fetch (§3.1) — except near expiry, when the policy is fetched
	 * whatever the id (§3.3: "proactively refresh cached policies before they expire").
	 */
	if (e->sts.valid && now < e->sts.expires) {
		char pbuf[POLICY_MATCH_MAX];
		const char *pat[POLICY_PATTERNS_MAX];
		size_t i, npat = pd_patterns(e, pbuf, sizeof(pbuf), pat, POLICY_PATTERNS_MAX);

		lk->sts.mode = e->sts_mode;
		lk->sts.max_age = (uint64_t)(e->sts.expires - e->sts.fetched);
		lk->sts.max_age_set = 1;
		lk->sts.nmx = npat;
		lk->sts.mx = arena_alloc(lk->a, (npat + 1) * sizeof(*lk->sts.mx));
		for (i = 0; i < npat; i++)
			lk->sts.mx[i] = arena_strdup(lk->a, pat[i]);
		lk->cfg.sts_cached = &lk->sts;
		/* patterns not kept (too many for a match= list): unknown, not "none match" */
		lk->cfg.sts_cached_mx_unknown = e->sts_mx == NULL;
		if (e->sts_id[0] && !policy_sts_refetch(&e->sts, now, 2 * pd->cfg.refresh_s))
			lk->cfg.sts_cached_id = arena_strdup(lk->a, e->sts_id);
	}
	e->lookup = lk;
	pd->inflight++;
	pd->st.lookups++;
	if (proactive)
		pd->st.refreshes++;
	check_start(&lk->cfg, lk->a, pd_lookup_done, lk);	/* may finish inside */
	return 0;
}

/* ---- requests ------------------------------------------------------------------------------- */

static void
pd_request(struct pd_conn *c, const char *data, size_t len)
{
	struct policyd *pd = c->pd;
	struct socketmap_request req;
	struct pd_entry *e;
	char domain[256];
	long now = pd_now();
	struct timeval tv;

	pd->st.requests++;
	if (socketmap_request_parse(data, len, &req) != SOCKETMAP_OK) {
		pd_send(c, SOCKETMAP_REPLY_PERM, "malformed request (want \"NAME KEY\")");
		return;
	}
	if (req.name_len != strlen(pd->cfg.map_name) ||
	    memcmp(req.name, pd->cfg.map_name, req.name_len) != 0) {
		pd_send(c, SOCKETMAP_REPLY_PERM, "unknown socketmap name");
		return;
	}
	/* next-hop domains only: [host]:port, addresses and .parent keys get no policy */
	if (socketmap_key_domain(req.key, req.key_len, domain, sizeof(domain)) < 0) {
		pd_send(c, SOCKETMAP_REPLY_NOTFOUND, NULL);
		return;
	}
	e = pd_find(pd, domain);
	if (e == NULL)
		e = pd_insert(pd, domain);
	else
		pd_lru_front(pd, e);
	e->last_used = now;
	/* a failed lookup is not remembered long: the next client after PD_TEMP_S tries again */
	if (e->checked && e->reply == SOCKETMAP_REPLY_TEMP && now - e->checked >= PD_TEMP_S)
		e->checked = 0;
	if (e->checked && now - e->checked < pd->cfg.refresh_s) {
		pd->st.hits++;
		pd_send_entry(c, e);
		return;
	}
	if (e->checked && now - e->checked < pd->cfg.max_stale_s) {
		/* stale: the last answer now, a fresh one for the next client */
		pd->st.stale++;
		pd_send_entry(c, e);
		if (pd->inflight < pd->cfg.max_lookups)
			pd_lookup_start(pd, e, 1);
		return;
	}
	pd->st.misses++;
	if (pd_lookup_start(pd, e, 0) < 0) {
		pd->st.busy++;
		pd_send_fallback(c, e, "too many policy lookups in flight");
		return;
	}
	if (e->lookup == NULL) {	/* finished inside the call */
		pd_send_entry(c, e);
		return;
	}
	c->waiting = e;
	c->wnext = e->waiters;
	if (e->waiters)
		e->waiters->wprev = c;
	e->waiters = c;
	tv.tv_sec = pd->cfg.answer_ms / 1000;
	tv.tv_usec = (pd->cfg.answer_ms % 1000) * 1000;
	evtimer_add(c->deadline, &tv);
	bufferevent_disable(c->bev, EV_READ);	/* one request at a time, as Postfix asks */
}

/* ---- clients ----------------------------------------------------------------------------------- */

static void
pd_conn_free(struct pd_conn *c)
{
	struct policyd *pd = c->pd;
	size_t i;

	pd_unwait(c);
	event_free(c->deadline);
	bufferevent_free(c->bev);
	if (c->prev)
		c->prev->next = c->next;
	else
		pd->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pd->nconns--;
	pd->st.clients_now = (unsigned long)pd->nconns;
	free(c);
	if (pd->paused && pd->nconns < pd->cfg.max_clients) {
		for (i = 0; i < pd->nlis; i++)
			evconnlistener_enable(pd->lis[i]);
		pd->paused = 0;
	}
}

static void
pd_conn_read(struct bufferevent *bev, void *arg)
{
	struct pd_conn *c = arg;
	struct policyd *pd = c->pd;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (c->waiting == NULL && evbuffer_get_length(in) > 0) {
		size_t have = evbuffer_get_length(in), dlen, used;
		size_t look = have < SOCKETMAP_REQUEST_MAX + 16 ? have : SOCKETMAP_REQUEST_MAX + 16;
		const char *buf = (const char *)evbuffer_pullup(in, (ssize_t)look), *data;
		enum socketmap_status st;

		if (evbuffer_get_length(bufferevent_get_output(bev)) > PD_OUT_MAX)
			return;		/* it does not read its answers: wait (pd_conn_write) */
		st = socketmap_netstring_parse(buf, look, SOCKETMAP_REQUEST_MAX, &data, &dlen, &used);
		if (st == SOCKETMAP_NEED_MORE)
			return;
		if (st != SOCKETMAP_OK) {
			long now = pd_now();

			pd->st.bad_frames++;
			if (now != pd->last_frame_log) {	/* at most one line a second */
				pd->last_frame_log = now;
				pd_log(pd, LOG_NOTICE, "client sent a malformed netstring (%s); "
				    "closing it", socketmap_status_name(st));
			}
			pd_conn_free(c);
			return;
		}
		{
			char req[SOCKETMAP_REQUEST_MAX];

			memcpy(req, data, dlen);
			evbuffer_drain(in, used);
			pd_request(c, req, dlen);
		}
	}
}

static void
pd_conn_write(struct bufferevent *bev, void *arg)
{
	struct pd_conn *c = arg;

	/* output drained: a client stopped for not reading can go on */
	if (c->waiting == NULL && evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		pd_conn_read(bev, c);
}

static void
pd_conn_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;	/* EOF, error or idle timeout: the client goes (its lookup goes on) */
	pd_conn_free(arg);
}

static void
pd_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct policyd *pd = arg;
	struct pd_conn *c;
	struct timeval idle;
	size_t i;

	(void)l;
	(void)sa;
	(void)salen;
	c = xcalloc(1, sizeof(*c));
	c->pd = pd;
	c->bev = bufferevent_socket_new(pd->cfg.base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->deadline = evtimer_new(pd->cfg.base, pd_deadline, c);
	if (c->bev == NULL || c->deadline == NULL) {
		if (c->bev)
			bufferevent_free(c->bev);
		else
			evutil_closesocket(fd);
		if (c->deadline)
			event_free(c->deadline);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, pd_conn_read, pd_conn_write, pd_conn_event, c);
	/* never more than one request (and its framing) buffered beyond what was parsed */
	bufferevent_setwatermark(c->bev, EV_READ, 0, SOCKETMAP_REQUEST_MAX + 16);
	idle.tv_sec = pd->cfg.idle_ms / 1000;
	idle.tv_usec = (pd->cfg.idle_ms % 1000) * 1000;
	bufferevent_set_timeouts(c->bev, &idle, &idle);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = pd->conns;
	if (pd->conns)
		pd->conns->prev = c;
	pd->conns = c;
	pd->nconns++;
	pd->st.clients++;
	pd->st.clients_now = (unsigned long)pd->nconns;
	if (pd->nconns >= pd->cfg.max_clients && !pd->paused) {
		/* the rest wait in the kernel's backlog until a client leaves */
		for (i = 0; i < pd->nlis; i++)
			evconnlistener_disable(pd->lis[i]);
		pd->paused = 1;
	}
}

static void
pd_accept_error(struct evconnlistener *l, void *arg)
{
	struct policyd *pd = arg;

	(void)l;
	/* EMFILE and friends: say so, keep serving the clients there are */
	pd_log(pd, LOG_WARNING, "accept: %s", strerror(errno));
}

/* ---- listeners ------------------------------------------------------------------------------ */

static int
pd_listen(struct policyd *pd, const char *spec, char *err, size_t errlen)
{
	struct evconnlistener *l = NULL;
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;

	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un sun;
		const char *path = spec + 5;
		struct stat sb;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (*path != '/' || strlen(path) >= sizeof(sun.sun_path)) {
			snprintf(err, errlen, "%s: want unix:/absolute/path (under %zu bytes)", spec,
			    sizeof(sun.sun_path));
			return -1;
		}
		strcpy(sun.sun_path, path);
		/* a socket left by an earlier run; anything else at that path is not ours */
		if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
			unlink(path);
		l = evconnlistener_new_bind(pd->cfg.base, pd_accept, pd, flags, 128,
		    (struct sockaddr *)&sun, (int)sizeof(sun));
		if (l != NULL) {
			chmod(path, (mode_t)(pd->cfg.socket_mode ? pd->cfg.socket_mode : 0666));
			pd->unix_path[pd->nlis] = xstrdup(path);
		}
	} else if (strncmp(spec, "inet:", 5) == 0) {
		char host[256];
		const char *p = spec + 5, *colon;
		struct addrinfo hints, *ai = NULL;
		int rc;

		if (*p == '[') {
			const char *rb = strchr(p, ']');

			if (rb == NULL || rb[1] != ':' || (size_t)(rb - p - 1) >= sizeof(host)) {
				snprintf(err, errlen, "%s: want inet:[ADDR]:PORT", spec);
				return -1;
			}
			memcpy(host, p + 1, (size_t)(rb - p - 1));
			host[rb - p - 1] = '\0';
			colon = rb + 1;
		} else {
			colon = strrchr(p, ':');
			if (colon == NULL || (size_t)(colon - p) >= sizeof(host)) {
				snprintf(err, errlen, "%s: want inet:ADDR:PORT", spec);
				return -1;
			}
			memcpy(host, p, (size_t)(colon - p));
			host[colon - p] = '\0';
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
		hints.ai_socktype = SOCK_STREAM;
		if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
			snprintf(err, errlen, "%s: %s (an address and a port number)", spec,
			    gai_strerror(rc));
			return -1;
		}
		l = evconnlistener_new_bind(pd->cfg.base, pd_accept, pd, flags, 128, ai->ai_addr,
		    (int)ai->ai_addrlen);
		freeaddrinfo(ai);
	} else {
		snprintf(err, errlen, "%s: want inet:ADDR:PORT or unix:PATH", spec);
		return -1;
	}
	if (l == NULL) {
		snprintf(err, errlen, "%s: %s", spec, strerror(errno));
		return -1;
	}
	evconnlistener_set_error_cb(l, pd_accept_error);
	pd->lis[pd->nlis++] = l;
	return 0;
}

/* ---- the cache file (SQLite) ----------------------------------------------------------------- */

static const char pd_schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS policyd_cache ("
    " domain TEXT PRIMARY KEY, checked INTEGER NOT NULL, last_used INTEGER NOT NULL,"
    " reply INTEGER NOT NULL, value TEXT, level INTEGER NOT NULL, basis INTEGER NOT NULL,"
    " rule TEXT NOT NULL, sts_valid INTEGER NOT NULL, sts_id TEXT, sts_mode INTEGER,"
    " sts_fetched INTEGER, sts_expires INTEGER, sts_mx TEXT);"
    "PRAGMA user_version=1;";

static void
pd_flush_db(struct policyd *pd)
{
	sqlite3_stmt *ins = NULL, *del = NULL;
	struct pd_entry *e;
	size_t i;

	if (pd->db == NULL)
		return;
	if (sqlite3_exec(pd->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(pd->db, "INSERT OR REPLACE INTO policyd_cache VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)", -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(pd->db, "DELETE FROM policyd_cache WHERE domain = ?1", -1, &del,
	    NULL) != SQLITE_OK)
		goto fail;
	for (e = pd->lru_head; e != NULL; e = e->lru_next) {
		if (!e->dirty || e->checked == 0)
			continue;
		sqlite3_bind_text(ins, 1, e->domain, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, e->checked);
		sqlite3_bind_int64(ins, 3, e->last_used);
		sqlite3_bind_int(ins, 4, (int)e->reply);
		sqlite3_bind_text(ins, 5, e->value, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 6, (int)e->level);
		sqlite3_bind_int(ins, 7, (int)e->basis);
		sqlite3_bind_text(ins, 8, e->rule, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 9, e->sts.valid);
		sqlite3_bind_text(ins, 10, e->sts_id, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 11, (int)e->sts_mode);
		sqlite3_bind_int64(ins, 12, e->sts.fetched);
		sqlite3_bind_int64(ins, 13, e->sts.expires);
		sqlite3_bind_text(ins, 14, e->sts_mx, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(ins);
		e->dirty = 0;
	}
	for (i = 0; i < pd->nevicted; i++) {
		sqlite3_bind_text(del, 1, pd->evicted[i], -1, SQLITE_STATIC);
		if (sqlite3_step(del) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(del);
	}
	if (sqlite3_exec(pd->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	goto out;
fail:
	pd_log(pd, LOG_ERR, "cache file %s: %s", pd->cfg.cache_file, sqlite3_errmsg(pd->db));
	sqlite3_exec(pd->db, "ROLLBACK", NULL, NULL, NULL);
out:
	for (i = 0; i < pd->nevicted; i++)
		free(pd->evicted[i]);
	pd->nevicted = 0;
	sqlite3_finalize(ins);
	sqlite3_finalize(del);
}

static void
pd_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pd_flush_db(arg);
}

/* Loads what an earlier run wrote, most recently used first, within the bounds. */
static int
pd_load_db(struct policyd *pd, char *err, size_t errlen)
{
	sqlite3_stmt *q = NULL;
	long now = pd_now();
	int rc;

	if (sqlite3_open_v2(pd->cfg.cache_file, &pd->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(pd->db, 1000) != SQLITE_OK ||
	    sqlite3_exec(pd->db, pd_schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(pd->db, "SELECT domain, checked, last_used, reply, value, level, basis,"
	    " rule, sts_valid, sts_id, sts_mode, sts_fetched, sts_expires, sts_mx FROM policyd_cache"
	    " ORDER BY last_used ASC", -1, &q, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cache file %s: %s", pd->cfg.cache_file,
		    pd->db ? sqlite3_errmsg(pd->db) : "cannot open");
		sqlite3_finalize(q);
		return -1;
	}
	/* oldest first: each insert goes to the LRU front, the bound evicts the oldest */
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *dom = (const char *)sqlite3_column_text(q, 0);
		const char *val = (const char *)sqlite3_column_text(q, 4);
		const char *rule = (const char *)sqlite3_column_text(q, 7);
		const char *sid = (const char *)sqlite3_column_text(q, 9);
		const char *smx = (const char *)sqlite3_column_text(q, 13);
		char d[256];
		struct pd_entry *e;
		int reply = sqlite3_column_int(q, 3), level = sqlite3_column_int(q, 5);
		int basis = sqlite3_column_int(q, 6);
		long checked = (long)sqlite3_column_int64(q, 1);
		long expires = (long)sqlite3_column_int64(q, 12);
		int sts_valid = sqlite3_column_int(q, 8) && expires > now;

		/* a file is input too: only what this program could have written */
		if (dom == NULL || socketmap_key_domain(dom, strlen(dom), d, sizeof(d)) < 0 ||
		    strcmp(d, dom) != 0 || reply < 0 || reply >= SOCKETMAP_REPLY_LAST ||
		    level < 0 || level >= POLICY_LEVEL_LAST || basis < 0 || basis >= POLICY_BASIS_LAST ||
		    (val != NULL && strlen(val) > POLICY_MATCH_MAX + 64) ||
		    (smx != NULL && strlen(smx) >= POLICY_MATCH_MAX) ||
		    (sid != NULL && strlen(sid) > MTASTS_ID_MAX) || pd_find(pd, d) != NULL)
			continue;
		if (now - checked >= pd->cfg.max_stale_s && !sts_valid)
			continue;	/* nothing in it can be used any more */
		e = pd_insert(pd, d);
		e->checked = checked;
		e->last_used = (long)sqlite3_column_int64(q, 2);
		e->reply = (enum socketmap_reply)reply;
		e->value = val ? xstrdup(val) : NULL;
		e->level = (enum policy_level)level;
		e->basis = (enum policy_basis)basis;
		snprintf(e->rule, sizeof(e->rule), "%s", rule ? rule : "");
		if (e->basis == POLICY_BASIS_HISTORY)
			e->checked = 0;	/* a pin is taken from this run's history only */
		e->sts.valid = sts_valid;
		if (sts_valid) {
			int mode = sqlite3_column_int(q, 10);

			snprintf(e->sts_id, sizeof(e->sts_id), "%s", sid ? sid : "");
			e->sts_mode = mode > 0 && mode < MTASTS_MODE_LAST ? (enum mtasts_mode)mode :
			    MTASTS_MODE_NONE;
			e->sts.fetched = (long)sqlite3_column_int64(q, 11);
			e->sts.expires = expires;
			e->sts_mx = smx ? xstrdup(smx) : NULL;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cache file %s: %s", pd->cfg.cache_file, sqlite3_errmsg(pd->db));
		return -1;
	}
	pd_log(pd, LOG_INFO, "cache file %s: %zu entries loaded", pd->cfg.cache_file, pd->nentries);
	return 0;
}

/* ---- proactive refresh ------------------------------------------------------------------------ */

/*
 * Domains asked for recently are looked at again before their answer goes stale (at 3/4 of
 * refresh_s), and their MTA-STS policy fetched again before it expires (policy_sts_refetch),
 * so a busy sender rarely meets a stale or cold entry.  Half the lookup slots stay for clients.
 */
static void
pd_tick(evutil_socket_t fd, short what, void *arg)
{
	struct policyd *pd = arg;
	struct pd_entry *e;
	long now = pd_now();

	(void)fd;
	(void)what;
	for (e = pd->lru_head; e != NULL && pd->inflight < pd->cfg.max_lookups / 2 + 1;
	    e = e->lru_next) {
		if (now - e->last_used > pd->cfg.active_s)
			break;	/* LRU order: the rest were asked for even longer ago */
		if (e->lookup != NULL || e->checked == 0)
			continue;
		if (now - e->checked >= pd->cfg.refresh_s * 3 / 4 ||
		    (e->sts.valid && policy_sts_refetch(&e->sts, now, 2 * pd->cfg.refresh_s)))
			pd_lookup_start(pd, e, 1);
	}
}

/* ---- life cycle -------------------------------------------------------------------------------- */

struct policyd *
policyd_new(const struct policyd_config *cfg, char *err, size_t errlen)
{
	struct policyd *pd = xcalloc(1, sizeof(*pd));
	struct timeval tv;
	size_t i;

	pd->cfg = *cfg;
	if (pd->cfg.cache_max == 0)
		pd->cfg.cache_max = 20000;
	if (pd->cfg.max_clients <= 0)
		pd->cfg.max_clients = 512;
	if (pd->cfg.max_lookups <= 0)
		pd->cfg.max_lookups = 128;
	if (pd->cfg.refresh_s <= 0)
		pd->cfg.refresh_s = 600;
	if (pd->cfg.max_stale_s < pd->cfg.refresh_s)
		pd->cfg.max_stale_s = 6 * pd->cfg.refresh_s;
	if (pd->cfg.active_s <= 0)
		pd->cfg.active_s = 86400;
	if (pd->cfg.answer_ms <= 0)
		pd->cfg.answer_ms = 5000;
	if (pd->cfg.idle_ms <= 0)
		pd->cfg.idle_ms = 300000;
	if (pd->cfg.map_name == NULL)
		pd->cfg.map_name = "mailtls";
	for (pd->nbuckets = 1024; pd->nbuckets < pd->cfg.cache_max; pd->nbuckets <<= 1)
		;
	pd->buckets = xcalloc(pd->nbuckets, sizeof(*pd->buckets));
	if (pd->cfg.cache_file != NULL && pd_load_db(pd, err, errlen) < 0)
		goto fail;
	if (pd->cfg.pins != NULL)
		policyd_set_pins(pd, pd->cfg.pins);	/* NOTFOUND answers may now be pins */
	for (i = 0; i < cfg->nlisten; i++)
		if (pd_listen(pd, cfg->listen[i], err, errlen) < 0)
			goto fail;
	pd->tick = event_new(cfg->base, -1, EV_PERSIST, pd_tick, pd);
	tv.tv_sec = pd->cfg.refresh_s / 8 > 30 ? 30 : pd->cfg.refresh_s / 8 > 0 ?
	    pd->cfg.refresh_s / 8 : 1;
	tv.tv_usec = 0;
	event_add(pd->tick, &tv);
	if (pd->db != NULL) {
		pd->flush = event_new(cfg->base, -1, EV_PERSIST, pd_flush_cb, pd);
		tv.tv_sec = PD_FLUSH_S;
		event_add(pd->flush, &tv);
	}
	return pd;
fail:
	policyd_free(pd);
	return NULL;
}

void
policyd_stop(struct policyd *pd)
{
	size_t i;

	for (i = 0; i < pd->nlis; i++)
		evconnlistener_disable(pd->lis[i]);
	pd_flush_db(pd);
	event_base_loopbreak(pd->cfg.base);
}

void
policyd_free(struct policyd *pd)
{
	struct pd_entry *e, *next;
	size_t i;

	if (pd == NULL)
		return;
	while (pd->conns != NULL)
		pd_conn_free(pd->conns);
	for (i = 0; i < pd->nlis; i++) {
		evconnlistener_free(pd->lis[i]);
		if (pd->unix_path[i] != NULL) {
			unlink(pd->unix_path[i]);
			free(pd->unix_path[i]);
		}
	}
	pd_flush_db(pd);
	/* lookups still in flight live in checks that cannot be cancelled: their arenas go with
	   the resolver and HTTP client the caller frees next (their callbacks never run) */
	for (e = pd->lru_head; e != NULL; e = next) {
		next = e->lru_next;
		if (e->lookup != NULL) {
			arena_free(e->lookup->a);
			free(e->lookup);
		}
		pd_entry_free(e);
	}
	for (i = 0; i < pd->nevicted; i++)
		free(pd->evicted[i]);
	if (pd->tick)
		event_free(pd->tick);
	if (pd->flush)
		event_free(pd->flush);
	if (pd->db)
		sqlite3_close(pd->db);
	free(pd->buckets);
	free(pd);
}

void
policyd_stats(const struct policyd *pd, struct policyd_stats *st)
{
	*st = pd->st;
	st->entries = pd->nentries;
}

void
policyd_set_pins(struct policyd *pd, const struct policy_pins *pins)
{
	struct pd_entry *e;

	pd->cfg.pins = pins;
	/* an answer from the old pins, or one a new pin would change: looked up again */
	for (e = pd->lru_head; e != NULL; e = e->lru_next)
		if (e->checked && (e->basis == POLICY_BASIS_HISTORY || e->basis == POLICY_BASIS_NONE))
			e->checked = 0;
}
