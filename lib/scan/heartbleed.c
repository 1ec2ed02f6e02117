/*
 * heartbleed.c — see heartbleed.h.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "scan/heartbleed.h"
#include "tls/hello.h"
#include "util/arena.h"
#include "util/dbuf.h"
#include "util/xalloc.h"

static const char *const heartbleed_names[HEARTBLEED_LAST] = {
	[HEARTBLEED_NOT_TESTED] = "not_tested",
	[HEARTBLEED_NOT_VULNERABLE] = "not_vulnerable",
	[HEARTBLEED_VULNERABLE] = "vulnerable",
	[HEARTBLEED_INDETERMINATE] = "indeterminate",
};

const char *
heartbleed_name(enum heartbleed_result r)
{
	return (unsigned)r < HEARTBLEED_LAST ? heartbleed_names[r] : "?";
}

/* RFC 6520 §4: HeartbeatMessage { type=1 request, payload_length, payload, padding }. */
int
heartbleed_request(struct dbuf *out, uint16_t record_version)
{
	const uint8_t rec[] = {
		24,				/* ContentType heartbeat */
		(uint8_t)(record_version >> 8), (uint8_t)record_version,
		0, 3,				/* record length: type + payload_length only */
		1,				/* heartbeat_request */
		HEARTBLEED_CLAIM >> 8, HEARTBLEED_CLAIM & 0xff,
	};

	return dbuf_add(out, rec, sizeof(rec));
}

/* The server's bytes after our request: only the first record header is read. */
enum heartbleed_result
heartbleed_judge(const uint8_t *p, size_t len)
{
	size_t rlen;

	if (len < 5)
		return HEARTBLEED_NOT_VULNERABLE;	/* silence or close: discarded */
	if (p[0] != 24)
		return HEARTBLEED_NOT_VULNERABLE;	/* an alert or anything else */
	rlen = (size_t)p[3] << 8 | p[4];
	/* a response carries type(1) + length(2) + payload + >= 16 padding; ours had no payload */
	return rlen > 3 + 16 ? HEARTBLEED_VULNERABLE : HEARTBLEED_NOT_VULNERABLE;
}

struct heartbleed_ctx {
	int	done;
};

static void
heartbleed_done(struct probe *p, struct endpoint *ep, void *arg)
{
	struct heartbleed_ctx *c = arg;

	c->done = 1;
	probe_free(p);
}

enum heartbleed_result
heartbleed_probe(struct event_base *base, const struct probe_params *tmpl, uint16_t version,
    const uint16_t *suites, size_t nsuites, int *connections)
{
	struct hello_params hp;
	struct probe_params pp;
	struct probe_raw raw;
	struct heartbleed_ctx ctx = { 0 };
	struct dbuf hello, req, flight, flight2;
	struct arena *a = arena_new();
	uint8_t rnd[32];
	enum heartbleed_result r = HEARTBLEED_INDETERMINATE;
	size_t i;

	if (version > HELLO_TLS12)
		version = HELLO_TLS12;		/* TLS 1.3 has no heartbeat in practice */
	for (i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)random();
	dbuf_init(&hello, 16384);
	dbuf_init(&req, 64);
	dbuf_init(&flight, HELLO_FLIGHT_MAX + 1024);
	dbuf_init(&flight2, 1024);
	hello_params_default(&hp, version, rnd);
	hp.sni = tmpl->refname;
	hp.opts |= HELLO_OPT_HEARTBEAT;
	if (nsuites > 0) {
		hp.ciphers = suites;
		hp.nciphers = nsuites;
	}
	if (hello_build_client(&hello, &hp) != HELLO_BUILD_OK ||
	    heartbleed_request(&req, version) != DBUF_OK)
		goto out;
	memset(&raw, 0, sizeof(raw));
	raw.hello = hello.data;
	raw.hello_len = hello.len;
	raw.flight = &flight;
	raw.after = req.data;
	raw.after_len = req.len;
	raw.flight2 = &flight2;
	pp = *tmpl;
	pp.raw = &raw;
	pp.ntlsa = 0;
	if (pp.tls_ms > 3000)
		pp.tls_ms = 3000;	/* a patched server stays silent: do not wait long */
	probe_start(base, &pp, a, heartbleed_done, &ctx);
	while (!ctx.done)
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
	(*connections)++;
	if (raw.step == 2)
		r = heartbleed_judge(flight2.data, flight2.len);
out:
	dbuf_free(&hello);
	dbuf_free(&req);
	dbuf_free(&flight);
	dbuf_free(&flight2);
	arena_free(a);
	return r;
}
