/*
 * resolver.h — an embedded, validating DNS resolver (libunbound) driven by the caller's libevent
 * loop.  Design, memory rules and the DNSSEC lab: docs/internals/resolver.md.
 *
 * libunbound works in a child process that resolver_new() forks; answers come back through one
 * pipe (ub_fd()), which we watch with a persistent EV_READ event that calls ub_process().  Each
 * query has its own deadline timer in the same loop.  The child keeps a copy of every descriptor
 * open at fork time: create the resolver before opening connections.
 *
 * Rules for callers:
 * - The callback runs exactly once for every resolver_query() that returned an id > 0, unless
 *   the query is cancelled (resolver_cancel()) or the resolver freed first.  It may run before
 *   resolver_query() returns (today: when libunbound refuses the query at once, or its child
 *   process has died).
 * - The answer and everything it points to (names, rdata) is valid only during the callback;
 *   copy what you keep.
 * - Inside a callback you may start queries, cancel others, and free the resolver itself.
 */
#ifndef MAILTLS_RESOLVER_H
#define MAILTLS_RESOLVER_H

#include <stddef.h>

struct event_base;
struct resolver;

/* RR types we look up (RFC 1035, 3596, 6698); any other type number works as well. */
#define RESOLVER_T_A		1
#define RESOLVER_T_CNAME	5
#define RESOLVER_T_MX		15
#define RESOLVER_T_TXT		16
#define RESOLVER_T_AAAA		28
#define RESOLVER_T_TLSA		52

#define RESOLVER_TIMEOUT_DEFAULT_MS	10000L

/* DNSSEC status of one answer, after unbound's enum sec_status (RFC 4033 §5). */
enum resolver_status {
	RESOLVER_SECURE = 0,	/* validated: the data, or its absence, is proven */
	RESOLVER_INSECURE,	/* no chain of trust covers the name (provably unsigned, or no anchor) */
	RESOLVER_BOGUS,		/* validation failed; why_bogus says why; n is 0 (data withheld) */
	RESOLVER_INDETERMINATE,	/* no usable answer: timeout, SERVFAIL, libunbound error */
	RESOLVER_STATUS_LAST
};

struct resolver_config {
	const char	*forwarder;		/* "ADDR" or "ADDR@PORT"; NULL: full recursion from the root */
	const char	*trust_anchor_file;	/* DS/DNSKEY lines in zone-file form; NULL: RESOLVER_ROOT_KEY */
	long		 timeout_ms;		/* per-query deadline; <= 0: RESOLVER_TIMEOUT_DEFAULT_MS */
	const char	*config_file;		/* optional unbound.conf fragment (ub_ctx_config), applied last */
};

#define RESOLVER_ROOT_KEY	"/usr/share/dns/root.key"	/* Debian's dns-root-data */

struct resolver_answer {
	const char		 *qname;	/* as asked */
	int			  qtype;
	int			  rcode;	/* DNS RCODE as received; 2 (SERVFAIL) when no answer */
	int			  nxdomain;	/* the name does not exist */
	int			  havedata;	/* n > 0 */
	enum resolver_status	  status;
	const char		 *why_bogus;	/* unbound's reason when BOGUS, else NULL */
	const char		 *canonname;	/* final name when CNAMEs were followed, else NULL */
	size_t			  n;		/* number of records */
	const unsigned char	**rdata;	/* n RDATA, names uncompressed; see dns/rdata.h */
	const size_t		 *rdlen;
	long			  ttl;		/* seconds; meaningless unless SECURE or INSECURE */
	int			  timed_out;	/* the deadline passed; status INDETERMINATE */
	const char		 *error;	/* libunbound error text when the lookup could not run */
};

typedef void	(*resolver_cb)(void *arg, const struct resolver_answer *);

const char		*resolver_status_name(enum resolver_status);

/*
 * A resolver on base.  Returns NULL and a message in err on a bad configuration (unreadable trust
 * anchor file, malformed forwarder, unknown option).
 */
struct resolver		*resolver_new(struct event_base *, const struct resolver_config *,
			    char *err, size_t errlen);

/* Cancels every pending query (their callbacks do not run) and stops the background process. */
void			 resolver_free(struct resolver *);

/*
 * Starts a lookup of name (text form; a trailing dot is optional) for rrtype in class IN.
 * Returns a query id > 0, or -1 for a programmer error (NULL name or callback, rrtype out of
 * 1..65535, a name longer than 1024 characters) — then the callback never runs.
 */
int			 resolver_query(struct resolver *, const char *name, int rrtype,
			    resolver_cb, void *arg);

/* Stops a pending query; its callback does not run.  0, or -1 if id is not pending. */
int			 resolver_cancel(struct resolver *, int id);

/* Queries whose callbacks have not run yet. */
size_t			 resolver_pending(const struct resolver *);

/*
 * Ceilings on lookups sent to libunbound: at most qps per second (0: none, the default), with
 * bursts of a tenth of a second's worth, and at most max_outstanding held by libunbound at once
 * (0: none; libunbound drops what exceeds its num-queries-per-thread, 1024, as SERVFAIL).
 * Queries over either wait in order and are sent as the limits allow; a query's deadline starts
 * when it is sent.  resolver_waiting() counts them.
 */
int			 resolver_set_limits(struct resolver *, double qps, size_t max_outstanding);
size_t			 resolver_waiting(const struct resolver *);

#endif
