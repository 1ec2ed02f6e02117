/*
 * full.h — `--full` for one endpoint: enumerate versions and suites (scan.c), turn weaknesses into
 * findings (weak.c), and grade the endpoint (grade.c).
 *
 * Two halves, so that a scan can enumerate an endpoint once (on a worker thread,
 * lib/sched/fullpool.c) and grade it for every domain that leads to it:
 *   full_enumerate()  the I/O: enumeration, Heartbleed, the STARTTLS injection test, the deep
 *                     checks; their findings go to the endpoint given (a scratch copy in a scan);
 *   full_grade()      pure: the grade from the enumeration, the certificate and how senders
 *                     authenticate it (which can differ per domain: DANE, MTA-STS), and the
 *                     weaknesses as findings.
 * full_endpoint() is both, for one domain (check --full, provider).
 */
#ifndef MAILTLS_FULL_H
#define MAILTLS_FULL_H

#include "scan/grade.h"
#include "scan/scan.h"

struct resolver;

struct full_opts {
	int		 lanes;		/* concurrent connections per address */
	long		 spacing_ms;
	long		 backoff_ms;
	unsigned int	 max_attempts;
	enum grade_auth	 auth;		/* how senders authenticate this certificate */
	struct resolver	*resolver;	/* for CAA of the reference name; NULL: not looked up */
	int		 no_deep;	/* skip the checks beyond enumeration (deep.h) */
};

void	full_endpoint(struct event_base *, const struct probe_params *, struct endpoint *,
	    struct arena *, const struct full_opts *);
/*
 * The I/O half.  Reads ep's certificate, reference name and STARTTLS facts (from the ordinary
 * probe); sets ep->scan and the injection test, adds findings and connections.  Runs `base` until
 * it is done; touches nothing but its arguments (safe on a thread of its own, with its own loop
 * and arena, when fo->resolver is NULL).
 */
void	full_enumerate(struct event_base *, const struct probe_params *, struct endpoint *,
	    struct arena *, const struct full_opts *);
/* The pure half: ep->grade from ep->scan (nothing when NULL), the weaknesses as findings. */
void	full_grade(struct endpoint *, struct arena *, const struct full_opts *);

/*
 * A scan's shared enumeration.  full_scratch() copies into a what full_enumerate() reads of the
 * probed endpoint (names, STARTTLS, the certificate's chain verdict), without findings or
 * connections, so the enumeration depends on no other memory; full_scratch_detach() then keeps
 * only what full_enumerate() added (the enumeration, the injection test, findings,
 * connections); full_apply() adds that to one domain's own copy of the endpoint as
 * full_enumerate() would have (findings once per ID, up to the ceiling, in the same order).
 * The scratch's strings stay in its arena.
 */
void	full_scratch(struct endpoint *scratch, const struct endpoint *probed, struct arena *);
void	full_scratch_detach(struct endpoint *scratch);
void	full_apply(struct endpoint *ep, const struct endpoint *enumerated);

#endif
