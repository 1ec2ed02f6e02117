/*
 * sched.c — see sched.h.  Data structures, all O(log n) or O(1) per operation:
 * - entries in a hash table by key; those no one holds, finished, in an LRU list;
 * - addresses in a hash table; an address with queued entries and a free connection slot sits
 *   in a min-heap ordered by the time it may next connect (its spacing and back-off);
 * - addresses with nothing to do in an idle list, oldest first, forgotten once nothing about
 *   them (spacing, back-off) matters any more.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "scan/scan.h"
#include "sched/sched.h"
#include "tls/tls.h"
#include "util/arena.h"
#include "util/xalloc.h"

#define SCHED_BACKOFF_MAX_MS	(10 * 60 * 1000L)

struct sched_waiter {
	struct sched_waiter	*next;
	sched_done_cb		 done;
	void			*arg;
};

enum sched_state { SCHED_QUEUED = 0, SCHED_RUNNING, SCHED_DONE };

struct sched_ip;

struct sched_entry {
	struct sched_entry	*hnext;		/* hash chain */
	struct sched		*s;
	struct sched_entry	*lru_prev, *lru_next;
	int			 in_lru;
	struct sched_entry	*qnext;		/* the address's queue */
	struct sched_ip		*ip;
	uint32_t		 hash;
	char			*key;
	struct probe_params	 pp;		/* strings and TLSA in blob */
	void			*blob;
	size_t			 blob_len;
	enum sched_state	 state;
	enum sched_kind		 kind;
	int			 weight;	/* connections it may hold at once to its address */
	const struct endpoint	*probed;	/* SCHED_KIND_FULL: the first asker's probe result */
	struct arena		*a;		/* the current attempt's, then the result's */
	struct endpoint		*ep;
	struct probe		*probe;
	int			 refs;
	int			 attempts, connections, used;
	unsigned		 slots;		/* the shared slots held while running (bit k: slot k) */
	long long		 t0;
	long			 elapsed_ms;
	struct sched_waiter	*waiters, **wtail;
};

struct sched_ip {
	struct sched_ip		*hnext;
	uint32_t		 hash;
	char			*addr;
	int			 inflight;
	int			 fails;		/* temporary failures in a row */
	long long		 last_start;	/* -1: never */
	long long		 not_before;	/* back-off */
	long long		 ready_at;	/* heap key */
	int			 heap_idx;	/* -1: not in the heap */
	struct sched_entry	*qhead, *qtail;
	size_t			 qlen;
	struct sched_ip		*idle_prev, *idle_next;
	int			 idle;
};

struct sched_htab {
	void		**b;
	size_t		  nb, n;
};

struct sched {
	struct sched_config	 cfg;
	struct sched_htab	 entries, ips;
	struct sched_ip		**heap;
	size_t			 nheap, heap_cap;
	struct sched_entry	*lru_head, *lru_tail;	/* head: most recently used */
	size_t			 nlru;
	struct sched_ip		*idle_head, *idle_tail;
	struct event		*timer;
	size_t			 inflight;
	size_t			 queued;
	size_t			 mem;
	struct sched_stats	 st;
	int			 polling;
};

/* ---- pure pieces ------------------------------------------------------------------------- */

static int
sched_tlsa_cmp(const void *a, const void *b)
{
	const struct tls_tlsa *x = *(const struct tls_tlsa *const *)a;
	const struct tls_tlsa *y = *(const struct tls_tlsa *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->usage != y->usage)
		return x->usage < y->usage ? -1 : 1;
	if (x->selector != y->selector)
		return x->selector < y->selector ? -1 : 1;
	if (x->mtype != y->mtype)
		return x->mtype < y->mtype ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	c = n ? memcmp(x->data, y->data, n) : 0;
	return c;
}

/*
 * "ip|port|proto|refname|dane_base|tlsa": the TLSA set as the SHA-256 of its records in a
 * canonical order, duplicates dropped (OpenSSL is armed the same way whatever their order).
 */
int
sched_key(const struct probe_params *pp, char *buf, size_t len)
{
	const struct tls_tlsa **v = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * 32 + 1] = "-";
	unsigned int mdlen = 0;
	size_t i, n = 0;
	int w;

	if (pp->ntlsa > 0) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();

		v = xcalloc(pp->ntlsa, sizeof(*v));
		for (i = 0; i < pp->ntlsa; i++)
			v[i] = &pp->tlsa[i];
		qsort(v, pp->ntlsa, sizeof(*v), sched_tlsa_cmp);
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
		for (i = 0; i < pp->ntlsa; i++) {
			unsigned char h[7];
			uint32_t l = (uint32_t)v[i]->len;

			if (i > 0 && sched_tlsa_cmp(&v[i - 1], &v[i]) == 0)
				continue;
			h[0] = v[i]->usage;
			h[1] = v[i]->selector;
			h[2] = v[i]->mtype;
			h[3] = (unsigned char)(l >> 24);
			h[4] = (unsigned char)(l >> 16);
			h[5] = (unsigned char)(l >> 8);
			h[6] = (unsigned char)l;
			EVP_DigestUpdate(ctx, h, sizeof(h));
			if (v[i]->len)
				EVP_DigestUpdate(ctx, v[i]->data, v[i]->len);
			n++;
		}
		EVP_DigestFinal_ex(ctx, md, &mdlen);
		EVP_MD_CTX_free(ctx);
		free(v);
		for (i = 0; i < mdlen && i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	}
	w = snprintf(buf, len, "%s|%d|%s|%s|%s|%zu:%s", pp->ip ? pp->ip : "",
	    pp->port, endpoint_proto_name(pp->proto), pp->refname ? pp->refname : "",
	    pp->ntlsa && pp->dane_base ? pp->dane_base : "", n, hex);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

/* Is it worth trying again later?  Only what a busy or briefly absent server causes. */
enum sched_outcome
sched_classify(const struct endpoint *ep)
{
	size_t i;

	for (i = 0; i < ep->nfindings; i++) {
		const struct endpoint_finding *f = &ep->findings[i];
		const char *d = f->detail ? f->detail : "";

		switch (f->id) {
		case FINDING_CONN_TIMEOUT:
			return SCHED_TEMPORARY;
		case FINDING_CONN_FAILED:
			/* refused or no answer to the SYN; not "no route to host" */
			if (strstr(d, "refused") || strstr(d, "Refused") ||
			    strstr(d, "no answer within"))
				return SCHED_TEMPORARY;
			return SCHED_FINAL;
		case FINDING_CONN_CLOSED:
			if (ep->banner == NULL)
				return SCHED_TEMPORARY;	/* closed before the greeting */
			break;
		case FINDING_SMTP_REJECTED:
			if (strncmp(d, "greeting 4", 10) == 0 || strncmp(d, "EHLO answered 4", 15) == 0)
				return SCHED_TEMPORARY;
			return SCHED_FINAL;
		default:
			break;
		}
	}
	return SCHED_FINAL;
}

/* ---- hash tables (FNV-1a, chained, doubling) ----------------------------------------------- */

static uint32_t
sched_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The chain link is the first member of both entry and ip structs. */
static void
sched_htab_grow(struct sched_htab *t, uint32_t (*hof)(void *))
{
	size_t nb = t->nb ? t->nb * 2 : 1024, i;
	void **b = xcalloc(nb, sizeof(*b));

	for (i = 0; i < t->nb; i++) {
		void *x = t->b[i], *next;

		while (x != NULL) {
			next = *(void **)x;
			*(void **)x = b[hof(x) & (nb - 1)];
			b[hof(x) & (nb - 1)] = x;
			x = next;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

static uint32_t
sched_entry_hof(void *x)
{
	return ((struct sched_entry *)x)->hash;
}

static uint32_t
sched_ip_hof(void *x)
{
	return ((struct sched_ip *)x)->hash;
}

static void
sched_htab_add(struct sched_htab *t, void *x, uint32_t h, uint32_t (*hof)(void *))
{
	if (t->n >= t->nb)
		sched_htab_grow(t, hof);
	*(void **)x = t->b[h & (t->nb - 1)];
	t->b[h & (t->nb - 1)] = x;
	t->n++;
}

static void
sched_htab_del(struct sched_htab *t, void *x, uint32_t h)
{
	void **pp = &t->b[h & (t->nb - 1)];

	while (*pp != NULL && *pp != x)
		pp = (void **)*pp;
	if (*pp == NULL)
		BUG("sched: hash entry missing");
	*pp = *(void **)x;
	t->n--;
}

static struct sched_entry *
sched_entry_find(struct sched *s, const char *key, uint32_t h)
{
	struct sched_entry *e;

	if (s->entries.nb == 0)
		return NULL;
	for (e = s->entries.b[h & (s->entries.nb - 1)]; e != NULL; e = e->hnext)
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* ---- the address heap ------------------------------------------------------------------- */

static void
sched_heap_swap(struct sched *s, size_t i, size_t j)
{
	struct sched_ip *t = s->heap[i];

	s->heap[i] = s->heap[j];
	s->heap[j] = t;
	s->heap[i]->heap_idx = (int)i;
	s->heap[j]->heap_idx = (int)j;
}

static void
sched_heap_up(struct sched *s, size_t i)
{
	while (i > 0 && s->heap[(i - 1) / 2]->ready_at > s->heap[i]->ready_at) {
		sched_heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
sched_heap_down(struct sched *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->nheap && s->heap[l]->ready_at < s->heap[m]->ready_at)
			m = l;
		if (r < s->nheap && s->heap[r]->ready_at < s->heap[m]->ready_at)
			m = r;
		if (m == i)
			return;
		sched_heap_swap(s, i, m);
		i = m;
	}
}

static void
sched_heap_push(struct sched *s, struct sched_ip *ip)
{
	if (s->nheap == s->heap_cap) {
		s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 256;
		s->heap = xrealloc(s->heap, s->heap_cap * sizeof(*s->heap));
	}
	s->heap[s->nheap] = ip;
	ip->heap_idx = (int)s->nheap++;
	sched_heap_up(s, s->nheap - 1);
}

static struct sched_ip *
sched_heap_pop(struct sched *s)
{
	struct sched_ip *top = s->heap[0];

	sched_heap_swap(s, 0, s->nheap - 1);
	s->nheap--;
	top->heap_idx = -1;
	if (s->nheap)
		sched_heap_down(s, 0);
	return top;
}

/* ---- addresses --------------------------------------------------------------------------- */

static long long
sched_ip_ready(const struct sched *s, const struct sched_ip *ip)
{
	long long t = ip->last_start < 0 ? 0 : ip->last_start + s->cfg.spacing_ms;

	return t > ip->not_before ? t : ip->not_before;
}

static void
sched_idle_del(struct sched *s, struct sched_ip *ip)
{
	if (!ip->idle)
		return;
	if (ip->idle_prev)
		ip->idle_prev->idle_next = ip->idle_next;
	else
		s->idle_head = ip->idle_next;
	if (ip->idle_next)
		ip->idle_next->idle_prev = ip->idle_prev;
	else
		s->idle_tail = ip->idle_prev;
	ip->idle_prev = ip->idle_next = NULL;
	ip->idle = 0;
}

/* After any change to an address: into the heap, the idle list, or neither. */
static void
sched_ip_update(struct sched *s, struct sched_ip *ip)
{
	/* the queue's head must fit: an enumeration waits for all of its connections' room */
	if (ip->qlen > 0 && ip->inflight + ip->qhead->weight <= s->cfg.per_ip) {
		sched_idle_del(s, ip);
		ip->ready_at = sched_ip_ready(s, ip);
		if (ip->heap_idx < 0)
			sched_heap_push(s, ip);
		else {
			sched_heap_up(s, (size_t)ip->heap_idx);
			sched_heap_down(s, (size_t)ip->heap_idx);
		}
		return;
	}
	if (ip->qlen == 0 && ip->inflight == 0 && !ip->idle) {
		ip->idle = 1;
		ip->idle_prev = s->idle_tail;
		ip->idle_next = NULL;
		if (s->idle_tail)
			s->idle_tail->idle_next = ip;
		else
			s->idle_head = ip;
		s->idle_tail = ip;
	}
}

static struct sched_ip *
sched_ip_get(struct sched *s, const char *addr)
{
	uint32_t h = sched_hash(addr);
	struct sched_ip *ip = NULL;

	if (s->ips.nb)
		for (ip = s->ips.b[h & (s->ips.nb - 1)]; ip != NULL; ip = ip->hnext)
			if (ip->hash == h && strcmp(ip->addr, addr) == 0)
				return ip;
	ip = xcalloc(1, sizeof(*ip));
	ip->hash = h;
	ip->addr = xstrdup(addr);
	ip->last_start = -1;
	ip->heap_idx = -1;
	sched_htab_add(&s->ips, ip, h, sched_ip_hof);
	return ip;
}

static void
sched_ip_free(struct sched *s, struct sched_ip *ip)
{
	sched_idle_del(s, ip);
	sched_htab_del(&s->ips, ip, ip->hash);
	free(ip->addr);
	free(ip);
}

/* Forgets idle addresses whose spacing and back-off are over (oldest idle first). */
static void
sched_ip_sweep(struct sched *s, long long now)
{
	while (s->idle_head != NULL) {
		struct sched_ip *ip = s->idle_head;

		if (sched_ip_ready(s, ip) > now)
			break;
		sched_ip_free(s, ip);
	}
}

static void
sched_ip_enqueue(struct sched *s, struct sched_entry *e, int front)
{
	struct sched_ip *ip = e->ip;

	e->state = SCHED_QUEUED;
	e->qnext = NULL;
	if (front) {
		e->qnext = ip->qhead;
		ip->qhead = e;
		if (ip->qtail == NULL)
			ip->qtail = e;
	} else {
		if (ip->qtail)
			ip->qtail->qnext = e;
		else
			ip->qhead = e;
		ip->qtail = e;
	}
	ip->qlen++;
	s->queued++;
	sched_ip_update(s, ip);
}

/* ---- entries ----------------------------------------------------------------------------- */

static void
sched_lru_del(struct sched *s, struct sched_entry *e)
{
	if (!e->in_lru)
		return;
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		s->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		s->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
	e->in_lru = 0;
	s->nlru--;
}

static void
sched_entry_free(struct sched *s, struct sched_entry *e)
{
	struct sched_waiter *w, *n;

	sched_lru_del(s, e);
	sched_htab_del(&s->entries, e, e->hash);
	if (e->probe != NULL)
		probe_free(e->probe);
	for (w = e->waiters; w != NULL; w = n) {
		n = w->next;
		free(w);
	}
	/* an enumeration under way belongs to its starter's thread until the process ends */
	if (e->kind == SCHED_KIND_FULL && e->state == SCHED_RUNNING)
		return;
	if (e->state == SCHED_DONE)
		s->mem -= e->blob_len + (e->a ? arena_used(e->a) : 0);
	arena_free(e->a);
	free(e->blob);
	free(e);
}

static void
sched_evict(struct sched *s)
{
	while (s->nlru > s->cfg.cache_max && s->lru_tail != NULL) {
		sched_entry_free(s, s->lru_tail);
		s->st.evicted++;
	}
}

/* A deep copy of pp into one block: the caller's strings need not outlive the call. */
static void
sched_copy_params(struct sched_entry *e, const struct probe_params *pp, const char *key)
{
	const char *strs[6] = { pp->host, pp->ip, pp->refname, pp->ehlo, pp->dane_base, key };
	size_t len = 0, i, off;
	char *p;
	struct tls_tlsa *t;

	for (i = 0; i < 6; i++)
		len += strs[i] ? strlen(strs[i]) + 1 : 0;
	len += pp->ntlsa * sizeof(struct tls_tlsa) + 16;
	for (i = 0; i < pp->ntlsa; i++)
		len += pp->tlsa[i].len;
	e->blob = xcalloc(1, len);
	e->blob_len = len;
	e->pp = *pp;
	e->pp.raw = NULL;
	e->pp.pipe = NULL;
	e->pp.handoff = NULL;
	t = (struct tls_tlsa *)(((uintptr_t)e->blob + 15) & ~(uintptr_t)15);
	p = (char *)(t + pp->ntlsa);
	for (i = 0; i < pp->ntlsa; i++) {
		t[i] = pp->tlsa[i];
		memcpy(p, pp->tlsa[i].data, pp->tlsa[i].len);
		t[i].data = (unsigned char *)p;
		p += pp->tlsa[i].len;
	}
	e->pp.tlsa = pp->ntlsa ? t : NULL;
	for (i = 0; i < 6; i++) {
		char **dst[6] = { (char **)&e->pp.host, (char **)&e->pp.ip, (char **)&e->pp.refname,
		    (char **)&e->pp.ehlo, (char **)&e->pp.dane_base, &e->key };

		if (strs[i] == NULL) {
			*dst[i] = NULL;
			continue;
		}
		off = strlen(strs[i]) + 1;
		memcpy(p, strs[i], off);
		*dst[i] = p;
		p += off;
	}
}

static long long
sched_now(const struct sched *s)
{
	struct timespec ts;

	if (s->cfg.now_ms)
		return s->cfg.now_ms(s->cfg.clock_arg);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void	sched_kick(struct sched *);

static void
sched_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sched_kick(arg);
}

/* Polls now and arms the timer for the next time something is due. */
static void
sched_kick(struct sched *s)
{
	long long now, next;
	struct timeval tv;

	if (s->cfg.base == NULL || s->polling)
		return;
	now = sched_now(s);
	next = sched_poll(s, now);
	if (next < 0) {
		evtimer_del(s->timer);
		return;
	}
	next = next > now ? next - now : 0;
	tv.tv_sec = (time_t)(next / 1000);
	tv.tv_usec = (suseconds_t)(next % 1000) * 1000;
	evtimer_add(s->timer, &tv);
}

static void
sched_probe_cb(struct probe *p, struct endpoint *ep, void *arg)
{
	struct sched_entry *e = arg;

	(void)p;
	sched_entry_done(e->s, e, ep);
}

struct sched *
sched_new(const struct sched_config *cfg)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	s->cfg = *cfg;
	if (s->cfg.max_inflight <= 0)
		s->cfg.max_inflight = 256;
	if (s->cfg.per_ip <= 0)
		s->cfg.per_ip = 1;
	if (s->cfg.spacing_ms < 0)
		s->cfg.spacing_ms = 0;
	if (s->cfg.retries < 0)
		s->cfg.retries = 0;
	if (s->cfg.retry_ms <= 0)
		s->cfg.retry_ms = 15000;
	if (s->cfg.slot_retry_ms <= 0)
		s->cfg.slot_retry_ms = 100;
	if (s->cfg.full_weight <= 0)
		s->cfg.full_weight = 1;
	if (s->cfg.full_weight > s->cfg.per_ip)
		s->cfg.full_weight = s->cfg.per_ip;
	if (s->cfg.base != NULL && (s->timer = evtimer_new(s->cfg.base, sched_timer_cb, s)) == NULL)
		BUG("sched: no timer");
	return s;
}

void
sched_free(struct sched *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->entries.nb; i++)
		while (s->entries.b[i] != NULL)
			sched_entry_free(s, s->entries.b[i]);
	for (i = 0; i < s->ips.nb; i++)
		while (s->ips.b[i] != NULL)
			sched_ip_free(s, s->ips.b[i]);
	free(s->entries.b);
	free(s->ips.b);
	free(s->heap);
	if (s->timer)
		event_free(s->timer);
	free(s);
}

/* the default starters: one connection with the engine; an enumeration by start_full */
static void
sched_start(struct sched *s, struct sched_entry *e)
{
	e->a = arena_new();
	e->t0 = sched_now(s);
	if (s->cfg.start != NULL) {
		s->cfg.start(s->cfg.start_arg, s, e);
		return;
	}
	if (e->kind == SCHED_KIND_FULL) {
		if (s->cfg.start_full == NULL)
			BUG("sched: an enumeration without start_full");
		s->cfg.start_full(s->cfg.start_full_arg, s, e);
		return;
	}
	e->probe = probe_start(s->cfg.base, &e->pp, e->a, sched_probe_cb, e);
}

/* The shared slots an entry gives back (a full enumeration holds one per lane). */
static void
sched_slots_give(struct sched *s, struct sched_ip *ip, struct sched_entry *e)
{
	int k;

	if (s->cfg.slot_release == NULL)
		e->slots = 0;
	for (k = 0; e->slots != 0 && k < 32; k++)
		if (e->slots & (1u << k)) {
			s->cfg.slot_release(s->cfg.slot_arg, ip->addr, k);
			e->slots &= ~(1u << k);
		}
}

/* One shared slot per connection the entry may hold at once, all or none; 1 when taken. */
static int
sched_slots_take(struct sched *s, struct sched_ip *ip, struct sched_entry *e)
{
	int k, slot;

	e->slots = 0;
	if (s->cfg.slot_acquire == NULL)
		return 1;
	for (k = 0; k < e->weight; k++) {
		if (s->cfg.slot_acquire(s->cfg.slot_arg, ip->addr, &slot) != 1 || slot < 0 ||
		    slot >= 32) {
			sched_slots_give(s, ip, e);
			return 0;
		}
		e->slots |= 1u << slot;
	}
	return 1;
}

long long
sched_poll(struct sched *s, long long now)
{
	s->polling = 1;
	sched_ip_sweep(s, now);
	while (s->inflight < (size_t)s->cfg.max_inflight && s->nheap > 0 &&
	    s->heap[0]->ready_at <= now) {
		struct sched_ip *ip = sched_heap_pop(s);
		struct sched_entry *e = ip->qhead;

		/* another process holds the address's slots: try it again a little later */
		if (!sched_slots_take(s, ip, e)) {
			s->st.slot_busy++;
			if (now + s->cfg.slot_retry_ms > ip->not_before)
				ip->not_before = now + s->cfg.slot_retry_ms;
			sched_ip_update(s, ip);
			continue;
		}
		ip->qhead = e->qnext;
		if (ip->qhead == NULL)
			ip->qtail = NULL;
		ip->qlen--;
		s->queued--;
		e->qnext = NULL;
		e->state = SCHED_RUNNING;
		e->attempts++;
		ip->inflight += e->weight;
		ip->last_start = now;
		s->inflight += (size_t)e->weight;
		if (e->kind == SCHED_KIND_PROBE)
			s->st.attempts++;
		if ((size_t)ip->inflight > s->st.max_inflight_ip)
			s->st.max_inflight_ip = (size_t)ip->inflight;
		sched_ip_update(s, ip);
		sched_start(s, e);
	}
	s->polling = 0;
	/* at the limit, a finishing probe polls again; idle addresses are swept on every poll */
	if (s->inflight >= (size_t)s->cfg.max_inflight || s->nheap == 0)
		return -1;
	return s->heap[0]->ready_at;
}

/* Hands the result to every waiter; the entry is held meanwhile (a waiter may release it). */
static void
sched_deliver(struct sched *s, struct sched_entry *e)
{
	struct sched_waiter *w = e->waiters, *n;

	e->waiters = NULL;
	e->wtail = &e->waiters;
	e->refs++;
	for (; w != NULL; w = n) {
		n = w->next;
		w->done(e, e->ep, w->arg);
		free(w);
	}
	sched_release(s, e);
}

void
sched_entry_done(struct sched *s, struct sched_entry *e, struct endpoint *ep)
{
	struct sched_ip *ip = e->ip;
	long long now;
	long back;

	now = sched_now(s);
	if (e->probe != NULL) {
		probe_free(e->probe);
		e->probe = NULL;
	}
	/* after probe_free(): the connection is closed before another process may open one */
	sched_slots_give(s, ip, e);
	ip->inflight -= e->weight;
	s->inflight -= (size_t)e->weight;
	e->connections += ep ? ep->connections : 0;
	e->elapsed_ms += (long)(now - e->t0);
	if (e->kind == SCHED_KIND_FULL) {
		/*
		 * Never retried: its lanes back off and retry inside.  It connected until now (the
		 * spacing counts from here), and when it met 421s or refusals the address is held
		 * back as after a temporary failure.
		 */
		ip->last_start = now;
		if (ep != NULL && ep->scan != NULL && ep->scan->backoffs > 0) {
			if (now + s->cfg.retry_ms > ip->not_before)
				ip->not_before = now + s->cfg.retry_ms;
		}
		e->probed = NULL;
	} else if (ep != NULL && sched_classify(ep) == SCHED_TEMPORARY) {
		s->st.temp_failures++;
		ip->fails++;
		back = s->cfg.retry_ms;
		for (int i = 1; i < ip->fails && back < SCHED_BACKOFF_MAX_MS; i++)
			back *= 2;
		if (back > SCHED_BACKOFF_MAX_MS)
			back = SCHED_BACKOFF_MAX_MS;
		if (now + back > ip->not_before)
			ip->not_before = now + back;
		if (e->attempts <= s->cfg.retries) {
			s->st.retries++;
			arena_free(e->a);
			e->a = NULL;
			sched_ip_enqueue(s, e, 1);
			sched_kick(s);
			return;
		}
	} else
		ip->fails = 0;
	e->state = SCHED_DONE;
	e->ep = ep;
	s->mem += e->blob_len + arena_used(e->a);
	e->ip = NULL;	/* the address may be forgotten now */
	sched_ip_update(s, ip);
	sched_deliver(s, e);
	sched_kick(s);
}

static void
sched_ask(struct sched *s, enum sched_kind kind, const struct probe_params *pp,
    const struct endpoint *probed, sched_done_cb done, void *arg)
{
	char key[SCHED_KEY_MAX];
	const char *prefix = kind == SCHED_KIND_FULL ? SCHED_FULL_PREFIX : "";
	size_t pl = strlen(prefix);
	struct sched_entry *e;
	struct sched_waiter *w;
	uint32_t h;

	if (kind == SCHED_KIND_FULL)
		s->st.full_requests++;
	else
		s->st.requests++;
	memcpy(key, prefix, pl);
	if (sched_key(pp, key + pl, sizeof(key) - pl) < 0)
		snprintf(key + pl, sizeof(key) - pl, "%s|%d|?", pp->ip ? pp->ip : "", pp->port);
	h = sched_hash(key);
	if ((e = sched_entry_find(s, key, h)) != NULL) {
		if (kind == SCHED_KIND_PROBE)
			s->st.hits++;
		e->refs++;
		sched_lru_del(s, e);
		if (e->state == SCHED_DONE) {
			done(e, e->ep, arg);
			return;
		}
	} else {
		e = xcalloc(1, sizeof(*e));
		e->hash = h;
		e->s = s;
		e->wtail = &e->waiters;
		e->slots = 0;
		sched_copy_params(e, pp, key);
		sched_htab_add(&s->entries, e, h, sched_entry_hof);
		e->kind = kind;
		e->weight = kind == SCHED_KIND_FULL ? s->cfg.full_weight : 1;
		e->probed = probed;
		if (kind == SCHED_KIND_FULL)
			s->st.full_entries++;
		else
			s->st.entries++;
		e->refs = 1;
		e->ip = sched_ip_get(s, e->pp.ip ? e->pp.ip : "");
		sched_ip_enqueue(s, e, 0);
	}
	w = xcalloc(1, sizeof(*w));
	w->done = done;
	w->arg = arg;
	*e->wtail = w;
	e->wtail = &w->next;
	sched_kick(s);
}

void
sched_probe(struct sched *s, const struct probe_params *pp, sched_done_cb done, void *arg)
{
	sched_ask(s, SCHED_KIND_PROBE, pp, NULL, done, arg);
}

void
sched_full(struct sched *s, const struct probe_params *pp, const struct endpoint *probed,
    sched_done_cb done, void *arg)
{
	sched_ask(s, SCHED_KIND_FULL, pp, probed, done, arg);
}

void
sched_release(struct sched *s, struct sched_entry *e)
{
	if (e == NULL)
		return;
	if (e->refs <= 0)
		BUG("sched_release: not held");
	if (--e->refs > 0 || e->state != SCHED_DONE)
		return;
	e->lru_prev = NULL;
	e->lru_next = s->lru_head;
	if (s->lru_head)
		s->lru_head->lru_prev = e;
	else
		s->lru_tail = e;
	s->lru_head = e;
	e->in_lru = 1;
	s->nlru++;
	sched_evict(s);
}

const struct probe_params *
sched_entry_params(const struct sched_entry *e)
{
	return &e->pp;
}

struct arena *
sched_entry_arena(const struct sched_entry *e)
{
	return e->a;
}

const char *
sched_entry_key(const struct sched_entry *e)
{
	return e->key;
}

enum sched_kind
sched_entry_kind(const struct sched_entry *e)
{
	return e->kind;
}

int
sched_entry_weight(const struct sched_entry *e)
{
	return e->weight;
}

const struct endpoint *
sched_entry_probed(const struct sched_entry *e)
{
	return e->probed;
}

int
sched_entry_attempts(const struct sched_entry *e)
{
	return e->attempts;
}

int
sched_entry_connections(const struct sched_entry *e)
{
	return e->connections;
}

long
sched_entry_elapsed_ms(const struct sched_entry *e)
{
	return e->elapsed_ms;
}

int
sched_entry_first_use(struct sched_entry *e)
{
	return e->used++ == 0;
}

void
sched_stats(const struct sched *s, struct sched_stats *st)
{
	*st = s->st;
	st->inflight = s->inflight;
	st->queued = s->queued;
	st->cached = s->entries.n;
}

size_t
sched_mem(const struct sched *s)
{
	return s->mem;
}
