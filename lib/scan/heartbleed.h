/*
 * heartbleed.h — a safe Heartbleed test (CVE-2014-0160, RFC 6520).
 *
 * One connection: a ClientHello offering the heartbeat extension at the server's highest version
 * up to TLS 1.2; once the first flight is complete, one heartbeat request record whose
 * payload_length claims 256 bytes while carrying none.  A patched server discards it (RFC 6520
 * §4) or alerts; a vulnerable one answers with 256 bytes of its memory, which we never keep: the
 * verdict is read from the record header alone.  Run only when the server echoed the extension.
 */
#ifndef MAILTLS_HEARTBLEED_H
#define MAILTLS_HEARTBLEED_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"

struct dbuf;

enum heartbleed_result {
	HEARTBLEED_NOT_TESTED = 0,
	HEARTBLEED_NOT_VULNERABLE,	/* discarded, alerted or closed */
	HEARTBLEED_VULNERABLE,		/* a heartbeat response longer than what we sent */
	HEARTBLEED_INDETERMINATE,	/* the handshake did not get far enough to ask */
	HEARTBLEED_LAST
};

#define HEARTBLEED_CLAIM	256	/* payload_length we claim; we send no payload */

int			 heartbleed_request(struct dbuf *, uint16_t record_version);
enum heartbleed_result	 heartbleed_judge(const uint8_t *, size_t);
const char		*heartbleed_name(enum heartbleed_result);
enum heartbleed_result	 heartbleed_probe(struct event_base *, const struct probe_params *,
			    uint16_t version, const uint16_t *suites, size_t nsuites, int *connections);

#endif
