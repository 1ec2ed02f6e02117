/*
 * https.c — HTTPS (RFC 9110 over TLS, port 443) on the engine: the TLS handshake is the whole
 * dialogue, so that certificate, version and --full enumeration work as for every protocol.  HSTS
 * (RFC 6797) and the http:// redirect are fetched with libcurl (lib/provider/web.c), which speaks
 * HTTP properly.
 */
#include "proto/proto.h"

static enum proto_next
https_step(struct proto_conv *c, enum proto_event ev)
{
	c->consumed = 0;
	if (ev == PROTO_EV_START) {
		c->facts->implicit_tls = 1;
		c->during = "closing";
		return PROTO_NEXT_DONE;
	}
	return PROTO_NEXT_DONE;
}

const struct proto_module proto_module_https = { "https", 0, 0, https_step, NULL, 0, NULL };
