/*
 * sched.h — the probe scheduler of a scan: one probe per (address, port, reference name, TLSA
 * set) per run, whichever domains lead to it, and politeness across all of them.
 *
 * - The endpoint cache: sched_probe() with a key already probed (or being probed) shares that
 *   probe; a hoster's MX serving 100,000 domains costs one connection, not 100,000.
 * - Limits: at most max_inflight probes at once in all; at most per_ip connections at once to one
 *   address, and connection starts to one address at least spacing_ms apart.
 * - Back-off: a temporary failure (a 4xx greeting such as 421, a refused connection, a timeout)
 *   holds back the whole address for retry_ms (doubled on each further failure) and retries the
 *   probe, at most `retries` more times; then its last result is final.
 * - Time is injected (now_ms) and so is the probe itself (start): tests drive the schedule with
 *   a fake clock and fake probes, and sched_poll() says when it next needs to run.
 * - Enumerations (--full): sched_full() asks for one more kind of entry, keyed by the endpoint's
 *   key behind SCHED_FULL_PREFIX, shared and cached like probes.  It holds full_weight of its
 *   address's per_ip connections for its whole run (its lanes), so ordinary probes and other
 *   enumerations of the address wait for it; it is never retried (its lanes back off and retry
 *   inside), but 421s or refusals it met hold the address back for retry_ms.  start_full runs
 *   it (lib/sched/fullpool.c: on a worker thread).
 *
 * Memory: each entry owns an arena with its probe's parameters and endpoint.  An entry is held
 * by every caller it was handed to until sched_release(); entries no one holds stay cached (most
 * recently used first) up to cache_max, then the oldest are freed.  Addresses with nothing queued
 * are forgotten once their spacing and back-off have passed.
 */
#ifndef MAILTLS_SCHED_H
#define MAILTLS_SCHED_H

#include <stddef.h>

#include "probe/probe.h"

struct event_base;
struct sched;
struct sched_entry;

#define SCHED_KEY_MAX		2048

struct sched_config {
	struct event_base	*base;		/* NULL: no timers (the caller runs sched_poll) */
	int			 max_inflight;	/* probes at once, all addresses (default 256) */
	int			 per_ip;	/* connections at once to one address (default 1) */
	long			 spacing_ms;	/* between connection starts to one address */
	int			 retries;	/* after a temporary failure (default 2) */
	long			 retry_ms;	/* first back-off (default 15000), then doubled */
	size_t			 cache_max;	/* finished entries kept when no one holds them */
	long long		(*now_ms)(void *);	/* NULL: CLOCK_MONOTONIC */
	void			*clock_arg;
	/*
	 * NULL: probe_start() on base.  Else called to start one attempt; the callee calls
	 * sched_entry_done() later (never inside the call).
	 */
	void			(*start)(void *arg, struct sched *, struct sched_entry *);
	void			*start_arg;
	/*
	 * NULL: per_ip holds in this process only.  Else asked before each connection for one of
	 * the address's per_ip slots shared with other processes (scan --worker: PostgreSQL
	 * advisory locks): 1 and *slot when one is free, given back with slot_release() when the
	 * attempt ends; 0 when none is (the address is tried again slot_retry_ms later).
	 */
	int			(*slot_acquire)(void *arg, const char *ip, int *slot);
	void			(*slot_release)(void *arg, const char *ip, int slot);
	void			*slot_arg;
	long			 slot_retry_ms;	/* default 100 */
	/*
	 * Starts an enumeration (when start is NULL); sched_entry_done() later, from the loop.
	 * With slot_acquire an entry takes one shared slot per connection it may hold (its weight),
	 * all or none; scan --worker keeps full_weight 1 all the same (an enumeration waiting for
	 * every slot of a busy address at once could wait long).
	 */
	void			(*start_full)(void *arg, struct sched *, struct sched_entry *);
	void			*start_full_arg;
	int			 full_weight;	/* connections an enumeration holds (1..per_ip) */
};

#define SCHED_FULL_PREFIX	"full|"

enum sched_kind {
	SCHED_KIND_PROBE = 0,	/* one connection: the probe a check makes of an endpoint */
	SCHED_KIND_FULL,	/* the --full enumeration of an endpoint: many connections */
	SCHED_KIND_LAST
};

struct sched_stats {
	size_t		 requests;	/* sched_probe() calls */
	size_t		 hits;		/* of those, served by an entry that existed */
	size_t		 entries;	/* entries created (unique probes, evictions aside) */
	size_t		 attempts;	/* probe_start()s */
	size_t		 retries;	/* attempts after a temporary failure */
	size_t		 temp_failures;
	size_t		 evicted;
	size_t		 inflight;	/* now */
	size_t		 queued;	/* now: waiting for their address or the global limit */
	size_t		 cached;	/* now: entries in memory */
	size_t		 max_inflight_ip;	/* the most connections seen at once to one address */
	size_t		 slot_busy;	/* connections put off: another process held the address's slots */
	size_t		 full_requests;	/* sched_full() calls */
	size_t		 full_entries;	/* enumerations (unique endpoints, evictions aside) */
};

enum sched_outcome {
	SCHED_FINAL = 0,	/* the result stands (success, or a permanent failure) */
	SCHED_TEMPORARY,	/* 4xx greeting/EHLO, refused, timeout, closed before the greeting */
	SCHED_OUTCOME_LAST
};

typedef void	(*sched_done_cb)(struct sched_entry *, struct endpoint *, void *arg);

struct sched	*sched_new(const struct sched_config *);
/*
 * NULL is fine; pending waiters are dropped.  An enumeration still running (a scan stopped at
 * once) is not freed: its worker may still write to its memory (fullpool.h).
 */
void		 sched_free(struct sched *);

/*
 * Asks for the probe pp describes (its strings and TLSA records are copied).  done runs once,
 * from the loop or inside this call when the result is cached, with the entry (held for this
 * caller: sched_release() it when the endpoint is no longer read) and its endpoint.
 */
void		 sched_probe(struct sched *, const struct probe_params *, sched_done_cb, void *);
/*
 * Asks for the enumeration of the endpoint pp describes; probed is the caller's copy of its
 * probe's result (certificate, STARTTLS), read when the enumeration starts and never after it
 * ended.  The endpoint done gets holds only what the enumeration added (full.h).
 */
void		 sched_full(struct sched *, const struct probe_params *, const struct endpoint *probed,
		    sched_done_cb, void *);
void		 sched_release(struct sched *, struct sched_entry *);

/* Starts what is due at now; returns when to call again (ms, same clock), or -1: on an event. */
long long	 sched_poll(struct sched *, long long now);
/* An attempt ended (the default starter calls this itself). */
void		 sched_entry_done(struct sched *, struct sched_entry *, struct endpoint *);

const struct probe_params *sched_entry_params(const struct sched_entry *);
enum sched_kind	 sched_entry_kind(const struct sched_entry *);
int		 sched_entry_weight(const struct sched_entry *);	/* the lanes of an enumeration */
const struct endpoint *sched_entry_probed(const struct sched_entry *);	/* NULL once done */
struct arena	*sched_entry_arena(const struct sched_entry *);
const char	*sched_entry_key(const struct sched_entry *);
int		 sched_entry_attempts(const struct sched_entry *);
int		 sched_entry_connections(const struct sched_entry *);
long		 sched_entry_elapsed_ms(const struct sched_entry *);
/* 1 the first time it is asked for an entry (whose probe then counts once in the store) */
int		 sched_entry_first_use(struct sched_entry *);
void		 sched_stats(const struct sched *, struct sched_stats *);
size_t		 sched_mem(const struct sched *);	/* bytes in entries' arenas */

/* Pure pieces, for tests. */
int		 sched_key(const struct probe_params *, char *buf, size_t len);
enum sched_outcome sched_classify(const struct endpoint *);

#endif
