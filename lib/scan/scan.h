/*
 * scan.h — cipher and version enumeration on the wire: the I/O around the pure planner
 * (tlsenum.c).  Each attempt is one probe in raw-hello mode (probe.h).
 *
 * Politeness: at most `lanes` connections to the address at once (one planner per lane, each over
 * its own versions), a minimum spacing between connections of a lane, and exponential back-off
 * when the server refuses a connection or greets with 421.
 */
#ifndef MAILTLS_SCAN_H
#define MAILTLS_SCAN_H

#include "probe/probe.h"
#include "scan/tlsenum.h"

struct deep_report;

#define SCAN_LANES_MAX	3

struct scan_config {
	struct probe_params	 probe;		/* target, names, deadlines (raw is set by scan) */
	int			 lanes;		/* concurrent connections: 1 (fewest) .. 3 */
	long			 spacing_ms;	/* minimum gap between two connections of a lane */
	long			 backoff_ms;	/* first back-off after 421/refusal; doubles, max 30 s */
	unsigned int		 max_attempts;	/* ceiling on connections; 0: planner default */
	int			 test_groups;
	void			(*progress)(unsigned int done, void *);
	void			*progress_arg;
	/*
	 * A slot for the caller: called at most once, when a lane has finished while another goes
	 * on (so fewer than `lanes` connections run from then on) and the server has not made us
	 * back off; the caller may then start one connection of its own on the loop, which keeps
	 * the endpoint at `lanes` connections at a time.  Not called with one lane.  NULL: none.
	 */
	void			(*slot_free)(void *);
	void			*slot_free_arg;
};

struct scan_result {
	struct tlsenum_report	 report;	/* merged over lanes */
	int			 connections;	/* TCP connections opened */
	int			 backoffs;	/* times we waited after 421 or a refusal */
	int			 heartbleed;	/* enum heartbleed_result (heartbleed.h) */
	struct deep_report	*deep;		/* the checks beyond enumeration (deep.h) */
	long			 elapsed_ms;
};

void	scan_run(struct event_base *, const struct scan_config *, struct scan_result *);

/*
 * One probe with pp run to its end on the loop, for the --full tests that want only what the
 * probe leaves in pp's raw, pipe or handoff; its endpoint (transcript, findings) goes to a
 * scratch arena, freed here.
 */
void	scan_probe_once(struct event_base *, const struct probe_params *pp);

/*
 * One raw-hello connection run to its end on the loop (for the single-shot tests: fallback SCSV,
 * Heartbleed): a ClientHello at `version` built from hello_params_default() plus `opts`, offering
 * `suites` when nsuites > 0.  The caller sets raw->flight (and raw->after/flight2 for a second
 * step); the hello fields are filled here.  tls_ms_max > 0 caps the answer's deadline.
 * Returns -1 when the hello cannot be built (no connection was made), else 0.
 */
int	scan_hello_once(struct event_base *, const struct probe_params *tmpl, uint16_t version,
	    const uint16_t *suites, size_t nsuites, unsigned int opts, long tls_ms_max,
	    struct probe_raw *raw);

#endif
