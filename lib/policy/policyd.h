/*
 * policyd.h — `mailtls policyd`: a Postfix socketmap server for smtp_tls_policy_maps that answers
 * from DANE and MTA-STS (docs/internals/policy.md, "The policy service").
 *
 * One libevent loop.  A lookup never blocks it: a cold miss starts an asynchronous DNS-only check
 * (check_start() with dns_only) and answers when it finishes or when the deadline passes, with
 * TEMP or the last known answer; the check goes on and fills the cache.  Answers are cached,
 * refreshed before they go stale for domains still asked for, MTA-STS policies kept for their
 * max_age (RFC 8461 §5.1), and persisted in a SQLite file so a restart keeps them.
 *
 * Bounds: clients (max_clients; the listeners pause beyond it), checks in flight (max_lookups;
 * a cold miss beyond it is answered TEMP at once), cache entries (cache_max, least recently used
 * out first), request size (SOCKETMAP_REQUEST_MAX), idle clients (idle_ms).
 */
#ifndef MAILTLS_POLICYD_H
#define MAILTLS_POLICYD_H

#include <stddef.h>

struct event_base;
struct http_client;
struct resolver;
struct policyd;
struct policy_pins;

#define POLICYD_LISTEN_MAX	8

/* syslog(3) priorities */
typedef void	(*policyd_log_fn)(void *arg, int priority, const char *msg);

struct policyd_config {
	struct event_base	*base;
	struct resolver		*resolver;
	struct http_client	*http;		/* MTA-STS policy fetches */
	const char		*listen[POLICYD_LISTEN_MAX];	/* "inet:ADDR:PORT", "unix:PATH" */
	size_t			 nlisten;
	int			 socket_mode;	/* unix sockets; 0: 0666 */
	const char		*map_name;	/* the socketmap name Postfix sends ("mailtls") */
	const char		*cache_file;	/* SQLite file; NULL: memory only */
	size_t			 cache_max;	/* entries */
	long			 refresh_s;	/* DNS facts older than this are looked at again */
	long			 max_stale_s;	/* older than this they are not used at all */
	long			 active_s;	/* refresh proactively domains asked for within this */
	long			 answer_ms;	/* a cold miss is answered within this */
	long			 http_ms;	/* MTA-STS fetch deadline */
	int			 max_clients;
	int			 max_lookups;	/* checks in flight */
	long			 idle_ms;	/* close a client silent this long */
	int			 verbose;	/* log every answer */
	const struct policy_pins *pins;		/* --pin-from-history: pins.h; NULL: none */
	policyd_log_fn		 log;
	void			*log_arg;
};

struct policyd_stats {
	unsigned long	 requests, ok, notfound, temp, perm;
	unsigned long	 hits, stale, misses, deadline, busy;
	unsigned long	 lookups, refreshes, clients, clients_now, bad_frames;
	size_t		 entries;
};

/* Listens, loads the cache; NULL and a message in err when it cannot. */
struct policyd	*policyd_new(const struct policyd_config *, char *err, size_t errlen);
/* Stops listening, writes the cache, breaks the loop. */
void		 policyd_stop(struct policyd *);
void		 policyd_free(struct policyd *);	/* NULL is fine */
void		 policyd_stats(const struct policyd *, struct policyd_stats *);
/*
 * New pins (--pin-from-history, reloaded): answers that rest on the old ones are looked up
 * again at their next request.  The caller frees the old table after this returns.
 */
void		 policyd_set_pins(struct policyd *, const struct policy_pins *);

#endif
