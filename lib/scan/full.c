/*
 * full.c — see full.h.
 */
#include <string.h>

#include <event2/event.h>

#include "probe/endpoint.h"
#include "probe/probe.h"
#include "proto/proto.h"
#include "scan/full.h"
#include "scan/deep.h"
#include "scan/heartbleed.h"
#include "tls/hello.h"
#include "scan/weak.h"
#include "util/arena.h"
#include "util/xalloc.h"

/* weak.c's IDs and the finding table's share names; map by name so neither table moves. */
static void
full_weak_findings(struct endpoint *ep, struct arena *a, const struct weak_result *w)
{
	int i, id;

	for (i = 0; i < WEAK_LAST; i++) {
		if (!weak_has(w, (enum weak_id)i))
			continue;
		if ((id = finding_by_name(weak_name((enum weak_id)i))) < 0)
			continue;
		endpoint_finding(ep, a, (enum finding_id)id, "%s", w->detail[i]);
	}
}

/*
 * The STARTTLS command-injection test (CVE-2011-0411; docs/internals/starttls-injection.md): one
 * connection in the probe's pipelined-STARTTLS mode, only where the ordinary probe saw STARTTLS.
 * Most of it is a wait, so it runs beside the enumeration in the first connection slot a lane
 * leaves for good (scan_config.slot_free), else after it.  Its scratch endpoint (transcript,
 * certificate findings) is dropped; the verdict is kept.
 */
struct full_inject {
	struct event_base	*base;
	struct probe_params	 tp;
	struct probe_pipe	 pipe;
	struct arena		*scratch;
	int			 started;
	int			 done;
	int			 refused;	/* no connection, or 421 to the greeting or STARTTLS */
};

static void
full_inject_done(struct probe *p, struct endpoint *ep, void *arg)
{
	struct full_inject *in = arg;

	in->refused = !ep->connected || in->pipe.busy;
	probe_free(p);
	in->done = 1;
}

static void
full_inject_start(void *arg)
{
	struct full_inject *in = arg;

	if (in->started)
		return;
	in->started = 1;
	in->scratch = arena_new();
	probe_start(in->base, &in->tp, in->scratch, full_inject_done, in);
}

/* Started beside the enumeration, or now; runs the loop until it ends. */
static void
full_inject_wait(struct full_inject *in)
{
	full_inject_start(in);
	while (!in->done)
		if (event_base_loop(in->base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
	arena_free(in->scratch);
	in->scratch = NULL;
}

/* 0: the test applies and `in` is ready to start; -1: not applicable (recorded in ep) */
static int
full_inject_prepare(struct full_inject *in, struct event_base *base,
    const struct probe_params *pp, struct endpoint *ep)
{
	const struct proto_info *pi = proto_info(pp->proto);

	memset(in, 0, sizeof(*in));
	/* every protocol with a harmless command to pipeline (proto.h: pipe_cmd) */
	if (pi == NULL || pi->pipe_cmd == NULL || !ep->starttls_offered) {
		ep->cmd_injection = PROBE_PIPE_NOT_APPLICABLE;
		ep->cmd_injection_reason = pi && pi->implicit ? "implicit TLS" :
		    pi && pi->pipe_cmd == NULL ? "no command to pipeline in this protocol" :
		    "STARTTLS not offered";
		return -1;
	}
	in->base = base;
	in->tp = *pp;
	in->tp.raw = NULL;
	in->tp.pipe = &in->pipe;
	in->tp.ntlsa = 0;	/* the verdict needs no DANE; the ordinary probe has it */
	return 0;
}

static void
full_inject_waited(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(int *)arg = 1;
}

static void
full_inject_finish(struct full_inject *in, struct endpoint *ep, struct arena *a,
    struct scan_result *res, long backoff_ms)
{
	int beside = in->started, n = 1;

	full_inject_wait(in);
	if (beside && in->refused && in->pipe.result != PROBE_PIPE_VULNERABLE) {
		/*
		 * Refused or 421 beside the enumeration: a server that counts our connections may
		 * not yet have seen a lane's last one close.  Once more, alone, as with one lane,
		 * after the lanes' first back-off (counted as theirs are: the scheduler holds the
		 * address back after a run that met any).
		 */
		struct timeval tv = { backoff_ms / 1000, (backoff_ms % 1000) * 1000 };
		int waited = 0;

		res->backoffs++;
		if (event_base_once(in->base, -1, EV_TIMEOUT, full_inject_waited, &waited, &tv) < 0)
			BUG("event_base_once failed");
		while (!waited)
			if (event_base_loop(in->base, EVLOOP_ONCE) < 0)
				BUG("event loop failed");
		memset(&in->pipe, 0, sizeof(in->pipe));
		in->started = in->done = in->refused = 0;
		full_inject_wait(in);
		n++;
	}
	res->connections += n;
	ep->connections += n;
	ep->cmd_injection_connections = n;
	ep->cmd_injection = in->pipe.result;
	ep->cmd_injection_reason = arena_strdup(a, in->pipe.reason);
	if (in->pipe.result == PROBE_PIPE_VULNERABLE)
		endpoint_finding(ep, a, FINDING_STARTTLS_COMMAND_INJECTION, "%s", in->pipe.reason);
}

void
full_enumerate(struct event_base *base, const struct probe_params *pp, struct endpoint *ep,
    struct arena *a, const struct full_opts *fo)
{
	struct scan_config sc;
	struct scan_result *res = arena_alloc(a, sizeof(*res));
	struct full_inject in;
	int inject = full_inject_prepare(&in, base, pp, ep) == 0;

	memset(&sc, 0, sizeof(sc));
	sc.probe = *pp;
	sc.probe.raw = NULL;
	sc.lanes = fo->lanes;
	sc.spacing_ms = fo->spacing_ms;
	sc.backoff_ms = fo->backoff_ms > 0 ? fo->backoff_ms : 1000;
	sc.max_attempts = fo->max_attempts;
	sc.test_groups = 1;
	if (inject) {
		sc.slot_free = full_inject_start;
		sc.slot_free_arg = &in;
	}
	scan_run(base, &sc, res);
	ep->scan = res;
	ep->connections += res->connections;

	/* Heartbleed only where the heartbeat extension was echoed: no extra connection elsewhere */
	if (res->report.heartbeat == TLSENUM_YES) {
		int v, n = 0;

		for (v = TLSENUM_TLS12; v >= TLSENUM_SSL3; v--)
			if (res->report.v[v].supported == TLSENUM_YES)
				break;
		if (v >= TLSENUM_SSL3) {
			res->heartbleed = heartbleed_probe(base, pp, tlsenum_version_wire(
			    (enum tlsenum_version)v), res->report.v[v].suites, res->report.v[v].nsuites, &n);
			res->connections += n;
			ep->connections += n;
			if (res->heartbleed == HEARTBLEED_VULNERABLE)
				endpoint_finding(ep, a, FINDING_VULN_HEARTBLEED,
				    "a %d-byte heartbeat claim with no payload was answered with data",
				    HEARTBLEED_CLAIM);
		}
	}
	/* its result before the checks', so that the findings keep their order */
	if (inject)
		full_inject_finish(&in, ep, a, res, sc.backoff_ms);
	if (!fo->no_deep) {
		/* ROBOT, CCS injection, sessions, EMS, key-exchange hash, chain, CAA (deep.h) */
		res->deep = arena_alloc(a, sizeof(*res->deep));
		deep_run(base, pp, ep, a, &res->report, fo->resolver, res->deep);
		res->connections += res->deep->connections;
		ep->connections += res->deep->connections;
	}
}

void
full_grade(struct endpoint *ep, struct arena *a, const struct full_opts *fo)
{
	struct scan_result *res = ep->scan;
	struct grade_result *g;
	struct grade_input gi;
	const struct endpoint_cert *c = ep->cert;

	if (res == NULL)
		return;
	g = arena_alloc(a, sizeof(*g));
	memset(&gi, 0, sizeof(gi));
	gi.tls = &res->report;
	gi.context = ep->port == 25 ? GRADE_CTX_MX : GRADE_CTX_CLIENT;
	gi.cert_trusted = c && c->chain_valid && !c->expired;
	gi.cert_name_ok = c && c->name_match;
	gi.cert_authenticated_by = fo->auth != GRADE_AUTH_NONE ? fo->auth :
	    gi.cert_trusted && gi.cert_name_ok ? GRADE_AUTH_PKIX : GRADE_AUTH_NONE;
	if (c) {
		/* the leaf as presented; grade.c rates the key (RSA-equivalent) and signature */
		gi.cert_key_type = c->key_type;
		gi.cert_key_bits = c->key_bits > 0 ? (unsigned int)c->key_bits : 0;
		gi.cert_sig_alg = c->sig_alg;
	}
	if (res->deep != NULL) {
		const struct deep_report *d = res->deep;

		if (d->robot.result == ROBOT_WEAK_ORACLE || d->robot.result == ROBOT_STRONG_ORACLE)
			gi.vulns |= GRADE_VULN_ROBOT;
		if (d->ccs.result == CCS_VULNERABLE)
			gi.vulns |= GRADE_VULN_CCS;
		if (d->sess.reneg == TLSENUM_YES)
			gi.vulns |= GRADE_VULN_CLIENT_RENEG;
		if (d->kxhash == DEEP_KXHASH_SHA1_ONLY)
			gi.vulns |= GRADE_VULN_KX_SHA1;
	}
	grade_compute(&gi, g);
	ep->grade = g;
	full_weak_findings(ep, a, &g->weak);
}

void
full_endpoint(struct event_base *base, const struct probe_params *pp, struct endpoint *ep,
    struct arena *a, const struct full_opts *fo)
{
	full_enumerate(base, pp, ep, a, fo);
	full_grade(ep, a, fo);
}

void
full_scratch(struct endpoint *scratch, const struct endpoint *probed, struct arena *a)
{
	const struct endpoint_cert *pc = probed->cert;
	struct endpoint_cert *c;

	memset(scratch, 0, sizeof(*scratch));
	scratch->host = arena_strdup(a, probed->host);
	scratch->ip = arena_strdup(a, probed->ip);
	scratch->port = probed->port;
	scratch->proto = probed->proto;
	scratch->refname = arena_strdup(a, probed->refname);
	scratch->connected = probed->connected;
	scratch->starttls_offered = probed->starttls_offered;
	scratch->tls_established = probed->tls_established;
	if (pc != NULL) {
		/* deep.c reads the chain verdict: incomplete, or completed by the verifier */
		c = arena_alloc(a, sizeof(*c));
		memset(c, 0, sizeof(*c));
		c->chain_valid = pc->chain_valid;
		c->chain_error = pc->chain_error ? arena_strdup(a, pc->chain_error) : NULL;
		c->name_match = pc->name_match;
		c->expired = pc->expired;
		c->not_yet_valid = pc->not_yet_valid;
		c->self_signed = pc->self_signed;
		c->key_bits = pc->key_bits;
		scratch->cert = c;
	}
}

void
full_scratch_detach(struct endpoint *scratch)
{
	struct scan_result *scan = scratch->scan;
	int conns = scratch->connections, inj = scratch->cmd_injection;
	int injconns = scratch->cmd_injection_connections;
	const char *why = scratch->cmd_injection_reason;
	struct endpoint_finding f[ENDPOINT_FINDINGS_MAX];
	size_t n = scratch->nfindings;

	memcpy(f, scratch->findings, n * sizeof(f[0]));
	memset(scratch, 0, sizeof(*scratch));
	scratch->scan = scan;
	scratch->connections = conns;
	scratch->cmd_injection = inj;
	scratch->cmd_injection_reason = why;
	scratch->cmd_injection_connections = injconns;
	memcpy(scratch->findings, f, n * sizeof(f[0]));
	scratch->nfindings = n;
}

void
full_apply(struct endpoint *ep, const struct endpoint *from)
{
	size_t i;

	ep->scan = from->scan;
	ep->connections += from->connections;
	ep->cmd_injection = from->cmd_injection;
	ep->cmd_injection_reason = from->cmd_injection_reason;
	ep->cmd_injection_connections = from->cmd_injection_connections;
	/* as endpoint_finding() adds them: once per ID, up to the ceiling */
	for (i = 0; i < from->nfindings && ep->nfindings < ENDPOINT_FINDINGS_MAX; i++)
		if (!endpoint_has(ep, from->findings[i].id))
			ep->findings[ep->nfindings++] = from->findings[i];
}
