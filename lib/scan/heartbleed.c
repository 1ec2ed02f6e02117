/*
 * heartbleed.c — see heartbleed.h.
 */
#include <string.h>

#include "scan/heartbleed.h"
#include "scan/scan.h"
#include "tls/hello.h"
#include "util/dbuf.h"

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

enum heartbleed_result
heartbleed_probe(struct event_base *base, const struct probe_params *tmpl, uint16_t version,
    const uint16_t *suites, size_t nsuites, int *connections)
{
	struct probe_raw raw;
	struct dbuf req, flight, flight2;
	enum heartbleed_result r = HEARTBLEED_INDETERMINATE;

	if (version > HELLO_TLS12)
		version = HELLO_TLS12;		/* TLS 1.3 has no heartbeat in practice */
	dbuf_init(&req, 64);
	dbuf_init(&flight, HELLO_FLIGHT_MAX + 1024);
	dbuf_init(&flight2, 1024);
	if (heartbleed_request(&req, version) != DBUF_OK)
		goto out;
	memset(&raw, 0, sizeof(raw));
	raw.flight = &flight;
	raw.after = req.data;
	raw.after_len = req.len;
	raw.flight2 = &flight2;
	/* a patched server stays silent: do not wait long for it */
	if (scan_hello_once(base, tmpl, version, suites, nsuites, HELLO_OPT_HEARTBEAT, 3000,
	    &raw) < 0)
		goto out;
	(*connections)++;
	if (raw.step == 2)
		r = heartbleed_judge(flight2.data, flight2.len);
out:
	dbuf_free(&req);
	dbuf_free(&flight);
	dbuf_free(&flight2);
	return r;
}
