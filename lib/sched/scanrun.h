/*
 * scanrun.h — `mailtls scan`: a list of domains through the store's work queue, thousands of
 * checks at once on one event loop, their probes through the scheduler (sched.h), each finished
 * domain stored in one transaction.  Design: docs/internals/scan.md.
 *
 * The input is read lazily, a batch of lines at a time, into the store's queue (which drops
 * duplicates on disk), only when the queue has nothing pending left: memory follows what is in
 * flight, never the length of the list.  The input position is committed with each batch, so a
 * resumed run reads on from where the last committed batch ended.
 */
#ifndef MAILTLS_SCANRUN_H
#define MAILTLS_SCANRUN_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "check/check.h"
#include "sched/scanin.h"
#include "sched/sched.h"

struct store;
struct store_queue_state;

#define SCANRUN_INFLIGHT_DEFAULT	1000
#define SCANRUN_INPUT_ERRORS_SHOWN	20	/* on stderr; every one is in the store */

struct scanrun_config {
	struct event_base	*base;
	struct resolver		*resolver;
	struct http_client	*http;
	struct tls_client	*tls;
	struct store		*store;
	int64_t			 run;
	/* the input, positioned at input_offset (or with input_line lines to skip, for a pipe) */
	FILE			*input;		/* NULL: nothing more to read */
	const char		*input_name;	/* for messages */
	long long		 input_offset, input_line;
	enum scanin_format	 format;
	int			 domain_col, rank_col;
	int			 max_domains;	/* checks in flight */
	struct check_config	 check;		/* template: deadlines, EHLO, dns_only (quick mode) */
	struct sched_config	 sched;
	FILE			*jsonl;		/* one report per line as each domain finishes */
	int			 progress;	/* a progress line on stderr */
	int			 quiet;		/* no input errors on stderr */
	volatile sig_atomic_t	*stop;		/* 1: finish what is in flight, 2: stop at once */
	/*
	 * The shared queue (a store with one: PostgreSQL; docs/internals/scale-out.md).  worker
	 * non-NULL: the whole input is queued first, then batches are claimed under a lease of
	 * lease_ms (renewed every lease_ms / 3), and each connection takes one of the address's
	 * per_ip slots shared by all workers.  enqueue_only: queue the input, scan nothing.
	 */
	const char		*worker;	/* "host:pid", the lease holder */
	long			 lease_ms;
	size_t			 batch;		/* targets claimed at once */
	int			 enqueue_only;
};

/* After an empty claim: stop, or wait this long before claiming again. */
#define SCANRUN_WAIT_MIN_MS	50
#define SCANRUN_WAIT_MAX_MS	1000
long	scanrun_queue_wait_ms(const struct store_queue_state *);

struct scanrun_stats {
	long long	 done;		/* domains stored in this session */
	long long	 indeterminate;	/* of those, verdict indeterminate */
	long long	 readable;	/* of those, an active attacker can read */
	long long	 input_lines, input_errors, duplicates, queued;
	long long	 total, total_done;	/* the run's targets (so far) and those stored */
	size_t		 max_inflight;
	size_t		 arena_max, arena_sum;	/* bytes per finished domain's arena */
	size_t		 sched_mem_max;
	long long	 claims, waits;	/* worker: batches claimed, waits for others' leases */
	double		 seconds;
	struct sched_stats sched;
	int		 store_failed;
	char		 store_error[300];
};

/* 0: every target of the run is stored; 1: stopped early (resumable); -1: the store failed. */
int	scanrun_run(const struct scanrun_config *, struct scanrun_stats *);

#endif
