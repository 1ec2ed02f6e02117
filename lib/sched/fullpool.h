/*
 * fullpool.h — `mailtls scan --full`: the enumerations the scheduler starts (sched_full(),
 * SCHED_KIND_FULL), each run on a worker thread with an event loop of its own.
 *
 * full_enumerate() (lib/scan/full.h) drives its connections one loop at a time with nested
 * event_base_loop() calls, so it cannot run inside the scan's loop; a worker runs it to the end
 * on its own loop and arena while the scan's loop goes on.  What crosses threads:
 *   - a job: the entry's probe parameters (strings in the entry), a scratch endpoint (a copy of
 *     what the probe learnt that the enumeration reads: reference name, STARTTLS, the
 *     certificate's chain verdict) and the entry's arena, which only the worker touches until
 *     the job comes back;
 *   - the shared SSL_CTX of the probes (OpenSSL 3 makes SSL objects from one context on many
 *     threads) and nothing else: no resolver (check --full looks up no CAA in the enumeration
 *     either), no scheduler, no store;
 *   - the finished job, on a list under a mutex, and one byte on a pipe that the scan's loop
 *     watches: the scan's thread then calls sched_entry_done().
 * libevent: every base belongs to one thread; cmd_scan calls evthread_use_pthreads() first
 * all the same.  Workers block every signal: SIGINT and SIGTERM reach the scan's loop.
 *
 * Threads are a ceiling on enumerations at once, not on connections: the scheduler counts an
 * enumeration's lanes against its address's --per-ip before it hands it over.
 */
#ifndef MAILTLS_FULLPOOL_H
#define MAILTLS_FULLPOOL_H

#include <stddef.h>

#include "scan/full.h"

struct event_base;
struct fullpool;
struct sched;
struct sched_entry;

#define FULLPOOL_THREADS_DEFAULT	8
#define FULLPOOL_THREADS_MAX		256

struct fullpool_config {
	struct event_base	*base;		/* the scan's loop: finished jobs come back on it */
	int			 threads;	/* 1 .. FULLPOOL_THREADS_MAX */
	struct full_opts	 fo;		/* spacing, back-off, attempts, no_deep; the lanes are
						   the entry's weight, resolver and auth unused */
};

struct fullpool_stats {
	size_t	started, finished;
	int	busy;		/* jobs on a worker now */
};

struct fullpool	*fullpool_new(const struct fullpool_config *, char *err, size_t errlen);
/*
 * Joins the workers and frees the pool.  A worker still inside an enumeration (the scan stopped
 * at once) cannot be interrupted: then nothing is freed, its memory and the SSL_CTX it uses must
 * stay until the process exits, and the number of such workers is returned.  NULL is fine.
 */
int		 fullpool_free(struct fullpool *);
/* sched_config.start_full: queues the entry's enumeration for a worker. */
void		 fullpool_start(void *pool, struct sched *, struct sched_entry *);
void		 fullpool_stats(struct fullpool *, struct fullpool_stats *);

#endif
