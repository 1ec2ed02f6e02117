/*
 * batch.c — see batch.h.  A simple FIFO with two caps; a probe's completion starts the next
 * eligible one.  The done callback frees its own probe (probe.h allows it).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "probe/batch.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct batch_item {
	struct probe_params	 params;
	struct endpoint		*ep;
	struct batch		*batch;
	int			 started;
	int			 done;
};

struct batch {
	struct event_base	*base;
	struct arena		*arena;
	int			 max_total;
	int			 max_per_ip;
	struct batch_item	**items;
	size_t			 n, cap;
	size_t			 running, finished;
	void			(*progress)(size_t, size_t, void *);
	void			*progress_arg;
	void			(*done)(void *);	/* batch_start() */
	void			*done_arg;
};

struct batch *
batch_new(struct event_base *base, struct arena *a, int max_total, int max_per_ip)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	b->base = base;
	b->arena = a;
	b->max_total = max_total > 0 ? max_total : 1;
	b->max_per_ip = max_per_ip > 0 ? max_per_ip : 1;
	return b;
}

void
batch_free(struct batch *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		free(b->items[i]);
	free(b->items);
	free(b);
}

void
batch_on_progress(struct batch *b, void (*fn)(size_t, size_t, void *), void *arg)
{
	b->progress = fn;
	b->progress_arg = arg;
}

void
batch_add(struct batch *b, const struct probe_params *pp)
{
	struct batch_item *it = xcalloc(1, sizeof(*it));

	it->params = *pp;
	it->params.host = arena_strdup(b->arena, pp->host);
	it->params.ip = arena_strdup(b->arena, pp->ip);
	it->params.refname = arena_strdup(b->arena, pp->refname);
	it->params.ehlo = arena_strdup(b->arena, pp->ehlo);
	it->params.dane_base = arena_strdup(b->arena, pp->dane_base);
	it->batch = b;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->items = xrealloc(b->items, b->cap * sizeof(*b->items));
	}
	b->items[b->n++] = it;
}

static int
batch_ip_running(const struct batch *b, const char *ip)
{
	size_t i;
	int n = 0;

	for (i = 0; i < b->n; i++)
		if (b->items[i]->started && !b->items[i]->done &&
		    strcmp(b->items[i]->params.ip, ip) == 0)
			n++;
	return n;
}

static void	batch_fill(struct batch *);

static void
batch_done(struct probe *p, struct endpoint *ep, void *arg)
{
	struct batch_item *it = arg;
	struct batch *b = it->batch;

	it->ep = ep;
	it->done = 1;
	b->running--;
	b->finished++;
	probe_free(p);
	if (b->progress)
		b->progress(b->finished, b->n, b->progress_arg);
	batch_fill(b);
	if (b->finished == b->n && b->done != NULL) {
		void (*done)(void *) = b->done;

		b->done = NULL;
		done(b->done_arg);	/* may free the batch */
	}
}

static void
batch_fill(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n && b->running < (size_t)b->max_total; i++) {
		struct batch_item *it = b->items[i];

		if (it->started || batch_ip_running(b, it->params.ip) >= b->max_per_ip)
			continue;
		it->started = 1;
		b->running++;
		probe_start(b->base, &it->params, b->arena, batch_done, it);
	}
}

void
batch_start(struct batch *b, void (*done)(void *), void *arg)
{
	if (b->n == 0) {
		done(arg);
		return;
	}
	b->done = done;
	b->done_arg = arg;
	batch_fill(b);
}

void
batch_run(struct batch *b)
{
	batch_fill(b);
	while (b->finished < b->n)
		if (event_base_loop(b->base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
}

size_t
batch_count(const struct batch *b)
{
	return b->n;
}

struct endpoint *
batch_endpoint(const struct batch *b, size_t i)
{
	return i < b->n ? b->items[i]->ep : NULL;
}
