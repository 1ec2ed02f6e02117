/*
 * engine.h — the protocol-neutral probe engine: one connection to one address, with deadlines,
 * buffers with ceilings, our own BIOs and TLS (OpenSSL, or the raw-hello / hand-off modes of
 * --full), driving one protocol module (lib/proto/proto.h) through its dialogue.
 *
 * It takes struct probe_params (raw, pipe and hand-off modes included) and fills struct
 * endpoint, so --full (lib/scan) runs on it for every protocol: probe_start() (probe.c) is
 * engine_start() behind the probe.h contract.
 *
 * Async contract (as probe.h):
 * - engine_start() never calls the done callback itself; the callback runs from the event loop.
 * - The done callback may call engine_free() on its own engine; nothing touches it afterwards.
 * - The endpoint lives in the caller's arena and outlives the engine.
 */
#ifndef MAILTLS_ENGINE_H
#define MAILTLS_ENGINE_H

#include "probe/probe.h"

struct engine;

typedef void (*engine_done_cb)(struct engine *, struct endpoint *, void *arg);

/* 1 when a protocol module speaks this protocol (proto_info()->module != NULL). */
int		 engine_handles(enum endpoint_proto);
struct engine	*engine_start(struct event_base *, const struct probe_params *, struct arena *,
		    engine_done_cb, void *arg);
void		 engine_free(struct engine *);

#endif
