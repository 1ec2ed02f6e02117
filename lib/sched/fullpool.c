/*
 * fullpool.c — see fullpool.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "sched/fullpool.h"
#include "sched/sched.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct fullpool_job {
	struct fullpool_job	*next;
	struct sched		*s;
	struct sched_entry	*e;
	struct probe_params	 pp;	/* the entry's; its strings are the entry's */
	struct endpoint		*ep;	/* the scratch, in the entry's arena */
	struct arena		*a;	/* the entry's: the worker's alone until the job is back */
	int			 lanes;
};

struct fullpool {
	struct fullpool_config	 cfg;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct fullpool_job	*todo, **todo_tail;	/* under mu */
	struct fullpool_job	*done, **done_tail;	/* under mu */
	int			 quit;			/* under mu */
	int			 busy;			/* under mu */
	pthread_t		*threads;
	int			 nthreads;
	int			 fds[2];	/* a byte per finished job, read by the scan's loop */
	struct event		*ev;
	size_t			 started, finished;	/* the scan's thread only */
};

static void *
fullpool_worker(void *arg)
{
	struct fullpool *fp = arg;
	struct event_base *base = event_base_new();
	struct fullpool_job *job;
	struct full_opts fo;
	ssize_t w;

	if (base == NULL)
		BUG("fullpool: no event loop");
	for (;;) {
		pthread_mutex_lock(&fp->mu);
		while (fp->todo == NULL && !fp->quit)
			pthread_cond_wait(&fp->cv, &fp->mu);
		if (fp->quit) {
			pthread_mutex_unlock(&fp->mu);
			break;
		}
		job = fp->todo;
		fp->todo = job->next;
		if (fp->todo == NULL)
			fp->todo_tail = &fp->todo;
		fp->busy++;
		pthread_mutex_unlock(&fp->mu);

		fo = fp->cfg.fo;
		fo.lanes = job->lanes;
		fo.resolver = NULL;
		fo.auth = GRADE_AUTH_NONE;
		full_enumerate(base, &job->pp, job->ep, job->a, &fo);

		pthread_mutex_lock(&fp->mu);
		job->next = NULL;
		*fp->done_tail = job;
		fp->done_tail = &job->next;
		fp->busy--;
		pthread_mutex_unlock(&fp->mu);
		/* a full pipe already says there is something to collect */
		do
			w = write(fp->fds[1], "", 1);
		while (w < 0 && errno == EINTR);
	}
	event_base_free(base);
	return NULL;
}

/* On the scan's loop: every finished job goes back to the scheduler. */
static void
fullpool_ready(evutil_socket_t fd, short what, void *arg)
{
	struct fullpool *fp = arg;
	struct fullpool_job *job, *next;
	char buf[256];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&fp->mu);
	job = fp->done;
	fp->done = NULL;
	fp->done_tail = &fp->done;
	pthread_mutex_unlock(&fp->mu);
	for (; job != NULL; job = next) {
		next = job->next;
		full_scratch_detach(job->ep);
		fp->finished++;
		/* the waiters run here: they may ask for more, which only queues */
		sched_entry_done(job->s, job->e, job->ep);
		free(job);
	}
}

struct fullpool *
fullpool_new(const struct fullpool_config *cfg, char *err, size_t errlen)
{
	struct fullpool *fp = xcalloc(1, sizeof(*fp));
	sigset_t all, old;
	int i, rc;

	fp->cfg = *cfg;
	if (fp->cfg.threads < 1)
		fp->cfg.threads = 1;
	if (fp->cfg.threads > FULLPOOL_THREADS_MAX)
		fp->cfg.threads = FULLPOOL_THREADS_MAX;
	fp->todo_tail = &fp->todo;
	fp->done_tail = &fp->done;
	pthread_mutex_init(&fp->mu, NULL);
	pthread_cond_init(&fp->cv, NULL);
	if (pipe(fp->fds) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(fp);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		fcntl(fp->fds[i], F_SETFL, fcntl(fp->fds[i], F_GETFL) | O_NONBLOCK);
		fcntl(fp->fds[i], F_SETFD, FD_CLOEXEC);
	}
	fp->ev = event_new(cfg->base, fp->fds[0], EV_READ | EV_PERSIST, fullpool_ready, fp);
	if (fp->ev == NULL || event_add(fp->ev, NULL) < 0)
		BUG("fullpool: cannot watch the pipe");
	fp->threads = xcalloc((size_t)fp->cfg.threads, sizeof(*fp->threads));
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < fp->cfg.threads; i++) {
		if ((rc = pthread_create(&fp->threads[i], NULL, fullpool_worker, fp)) != 0) {
			snprintf(err, errlen, "cannot start an enumeration thread: %s", strerror(rc));
			break;
		}
		fp->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (fp->nthreads < fp->cfg.threads) {
		fullpool_free(fp);
		return NULL;
	}
	return fp;
}

int
fullpool_free(struct fullpool *fp)
{
	struct fullpool_job *job, *next;
	int i, busy;

	if (fp == NULL)
		return 0;
	pthread_mutex_lock(&fp->mu);
	fp->quit = 1;
	busy = fp->busy;
	job = fp->todo;
	fp->todo = NULL;
	fp->todo_tail = &fp->todo;
	pthread_cond_broadcast(&fp->cv);
	pthread_mutex_unlock(&fp->mu);
	for (; job != NULL; job = next) {	/* never started: the scheduler is gone with them */
		next = job->next;
		free(job);
	}
	if (busy > 0)
		return busy;	/* left to the exit (fullpool.h) */
	for (i = 0; i < fp->nthreads; i++)
		pthread_join(fp->threads[i], NULL);
	for (job = fp->done; job != NULL; job = next) {
		next = job->next;
		free(job);
	}
	event_free(fp->ev);
	close(fp->fds[0]);
	close(fp->fds[1]);
	pthread_mutex_destroy(&fp->mu);
	pthread_cond_destroy(&fp->cv);
	free(fp->threads);
	free(fp);
	return 0;
}

void
fullpool_start(void *arg, struct sched *s, struct sched_entry *e)
{
	struct fullpool *fp = arg;
	struct fullpool_job *job = xcalloc(1, sizeof(*job));
	const struct endpoint *probed = sched_entry_probed(e);

	if (probed == NULL)
		BUG("fullpool: an enumeration without its probe");
	job->s = s;
	job->e = e;
	job->a = sched_entry_arena(e);
	job->pp = *sched_entry_params(e);
	job->lanes = sched_entry_weight(e);
	/* a copy: the domain that asked first may be gone (stopped at once) while it runs */
	job->ep = arena_alloc(job->a, sizeof(*job->ep));
	full_scratch(job->ep, probed, job->a);
	fp->started++;
	pthread_mutex_lock(&fp->mu);
	*fp->todo_tail = job;
	fp->todo_tail = &job->next;
	pthread_cond_signal(&fp->cv);
	pthread_mutex_unlock(&fp->mu);
}

void
fullpool_stats(struct fullpool *fp, struct fullpool_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (fp == NULL)
		return;
	st->started = fp->started;
	st->finished = fp->finished;
	pthread_mutex_lock(&fp->mu);
	st->busy = fp->busy;
	pthread_mutex_unlock(&fp->mu);
}
