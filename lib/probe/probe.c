/*
 * probe.c — probe.h's entry points.  Every protocol, SMTP included, runs on the protocol-neutral
 * engine (lib/probe/engine.c) with its dialogue in lib/proto/ (SMTP: smtpconv.c); this file keeps
 * the probe.h contract its callers (check, scan, host, provider, --full) were written against.
 */
#include <stdlib.h>

#include "probe/engine.h"
#include "probe/probe.h"
#include "util/xalloc.h"

struct probe {
	struct engine	*engine;
	probe_done_cb	 cb;
	void		*cb_arg;
};

static const char *const probe_pipe_names[PROBE_PIPE_LAST] = {
	[PROBE_PIPE_NOT_TESTED] = "not_tested",
	[PROBE_PIPE_NOT_APPLICABLE] = "not_applicable",
	[PROBE_PIPE_NOT_VULNERABLE] = "not_vulnerable",
	[PROBE_PIPE_VULNERABLE] = "vulnerable",
	[PROBE_PIPE_INCONCLUSIVE] = "inconclusive",
};

const char *
probe_pipe_name(enum probe_pipe_result r)
{
	return (unsigned)r < PROBE_PIPE_LAST ? probe_pipe_names[r] : "?";
}

static void
probe_engine_done(struct engine *e, struct endpoint *ep, void *arg)
{
	struct probe *p = arg;

	/* may free p (and e with it): nothing after this call */
	p->cb(p, ep, p->cb_arg);
}

struct probe *
probe_start(struct event_base *base, const struct probe_params *params, struct arena *a,
    probe_done_cb cb, void *arg)
{
	struct probe *p = xcalloc(1, sizeof(*p));

	if (!engine_handles(params->proto))
		BUG("a protocol without a module in lib/proto/");
	p->cb = cb;
	p->cb_arg = arg;
	p->engine = engine_start(base, params, a, probe_engine_done, p);
	return p;
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	engine_free(p->engine);
	free(p);
}
