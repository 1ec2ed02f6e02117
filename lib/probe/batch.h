/*
 * batch.h — run many probes on one event loop, at most N at a time and at most M per address.
 *
 * Results come back in the order the probes were added, whatever order they finish in.
 */
#ifndef MAILTLS_BATCH_H
#define MAILTLS_BATCH_H

#include <stddef.h>

#include "probe/probe.h"

struct batch;

struct batch	*batch_new(struct event_base *, struct arena *, int max_total, int max_per_ip);
void		 batch_free(struct batch *);
void		 batch_add(struct batch *, const struct probe_params *);	/* strings are copied */
void		 batch_run(struct batch *);	/* returns when every probe has finished */
/*
 * Starts the probes and returns; done(arg) runs once, from the event loop (or at once for an
 * empty batch), when every probe has finished.  The loop must be run by the caller.
 */
void		 batch_start(struct batch *, void (*done)(void *), void *arg);
size_t		 batch_count(const struct batch *);
struct endpoint	*batch_endpoint(const struct batch *, size_t);
void		 batch_on_progress(struct batch *, void (*)(size_t done, size_t total, void *), void *);

#endif
