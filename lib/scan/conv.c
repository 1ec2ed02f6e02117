/*
 * conv.c — see conv.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "scan/conv.h"
#include "scan/scan.h"
#include "util/xalloc.h"

#define CONV_READ_CHUNK	16384
#define CONV_CLOSE_GRACE_MS	200	/* for the server's end after ours */
#define CONV_CLOSE_DRAIN_MAX	65536	/* bytes read and dropped meanwhile */

static const char *const conv_end_names[CONV_END_LAST] = {
	[CONV_DATA] = "data",
	[CONV_EOF] = "closed",
	[CONV_RESET] = "reset",
	[CONV_TIMEOUT] = "timeout",
	[CONV_FULL] = "too_much",
};

const char *
conv_end_name(enum conv_end e)
{
	return (unsigned)e < CONV_END_LAST ? conv_end_names[e] : "?";
}

int
conv_open(struct conv *c, struct event_base *base, const struct probe_params *tmpl,
    size_t in_max)
{
	struct probe_handoff ho;
	struct probe_params pp = *tmpl;

	memset(c, 0, sizeof(*c));
	c->base = base;
	c->fd = -1;
	dbuf_init(&c->in, in_max);
	pp.raw = NULL;
	pp.pipe = NULL;
	pp.ntlsa = 0;
	pp.handoff = &ho;
	/* the dialogue's transcript and findings are the ordinary probe's business */
	scan_probe_once(base, &pp);
	c->fd = ho.fd;
	return c->fd >= 0 ? 0 : -1;
}

struct conv_wait {
	int	fired;
	short	what;
};

static void
conv_wait_ev(evutil_socket_t fd, short what, void *arg)
{
	struct conv_wait *w = arg;

	w->fired = 1;
	w->what = what;
}

/* 1: the socket is ready for `what`; 0: the deadline passed. */
static int
conv_wait(struct conv *c, short what, long ms)
{
	struct conv_wait w = { 0, 0 };
	struct timeval tv;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (event_base_once(c->base, c->fd, what, conv_wait_ev, &w, &tv) < 0)
		BUG("event_base_once failed");
	while (!w.fired)
		if (event_base_loop(c->base, EVLOOP_ONCE) < 0)
			BUG("event loop failed");
	return (w.what & what) != 0;
}

int
conv_send(struct conv *c, const void *buf, size_t len, long ms)
{
	const unsigned char *p = buf;
	ssize_t n;

	while (len > 0 && c->fd >= 0) {
		n = write(c->fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!conv_wait(c, EV_WRITE, ms))
				return -1;
			continue;
		}
		c->last = CONV_RESET;
		return -1;
	}
	return c->fd >= 0 ? 0 : -1;
}

enum conv_end
conv_read(struct conv *c, long ms)
{
	unsigned char buf[CONV_READ_CHUNK];
	size_t room;
	ssize_t n;

	if (c->fd < 0)
		return c->last = CONV_RESET;
	room = c->in.limit - c->in.len;
	if (room == 0)
		return c->last = CONV_FULL;
	for (;;) {
		n = read(c->fd, buf, room < sizeof(buf) ? room : sizeof(buf));
		if (n > 0) {
			if (dbuf_add(&c->in, buf, (size_t)n) != DBUF_OK)
				BUG("read past the room left");
			return c->last = CONV_DATA;
		}
		if (n == 0)
			return c->last = CONV_EOF;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return c->last = CONV_RESET;
		if (!conv_wait(c, EV_READ, ms))
			return c->last = CONV_TIMEOUT;
	}
}

static long
conv_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

enum conv_end
conv_until(struct conv *c, int (*done)(const struct dbuf *, void *), void *arg, long ms)
{
	struct timespec t0;
	enum conv_end e;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (done != NULL && done(&c->in, arg))
			return c->last = CONV_DATA;
		left = ms - conv_ms_since(&t0);
		if (left <= 0)
			return c->last = CONV_TIMEOUT;
		e = conv_read(c, left);
		if (e != CONV_DATA) {
			/* the last bytes may have completed what we wait for */
			if (e != CONV_TIMEOUT && done != NULL && done(&c->in, arg))
				return c->last = CONV_DATA;
			return e;
		}
	}
}

/*
 * Our end first (FIN), then a short wait for the server's: the checks' connections follow one
 * another at once, and a server that counts connections (one at a time, or a connection limit)
 * must have seen this one end before the next arrives, or it answers that one with 421.
 */
void
conv_close(struct conv *c)
{
	unsigned char buf[4096];
	struct timespec t0;
	size_t drained = 0;
	long left;
	ssize_t n;

	if (c->fd >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (shutdown(c->fd, SHUT_WR) == 0)
			for (;;) {
				n = read(c->fd, buf, sizeof(buf));
				if (n > 0 && (drained += (size_t)n) < CONV_CLOSE_DRAIN_MAX)
					continue;
				if (n < 0 && errno == EINTR)
					continue;
				if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
				    (left = CONV_CLOSE_GRACE_MS - conv_ms_since(&t0)) > 0 &&
				    conv_wait(c, EV_READ, left))
					continue;
				break;	/* the server's end, an error, the grace or the drain ceiling */
			}
		close(c->fd);
		c->fd = -1;
	}
	dbuf_free(&c->in);
}
