/*
 * full.h — `--full` for one endpoint: enumerate versions and suites (scan.c), turn weaknesses into
 * findings (weak.c), and grade the endpoint (grade.c).
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

#endif
