/*
 * conv.h — a conversation on a socket the probe handed over (probe.h, hand-off mode): the
 * --full checks that speak TLS themselves (ROBOT, CCS injection, the OpenSSL session checks)
 * send bytes and wait for the server's, one step at a time, on the caller's event loop.
 *
 * Sequential by design: each check is a short script ("send the hello, read the flight, send
 * the key exchange, read the reaction"), and the loop keeps running other events while a step
 * waits.  Every byte from the server lands in `in`, a dbuf with a ceiling; every wait has a
 * deadline.  Nothing here knows TLS.
 */
#ifndef MAILTLS_CONV_H
#define MAILTLS_CONV_H

#include <stddef.h>

#include "probe/probe.h"
#include "util/dbuf.h"

struct event_base;

enum conv_end {
	CONV_DATA = 0,		/* bytes arrived (conv_read), or the predicate holds (conv_until) */
	CONV_EOF,		/* the server closed its side */
	CONV_RESET,		/* a read or write failed (connection reset) */
	CONV_TIMEOUT,		/* the deadline passed */
	CONV_FULL,		/* `in` reached its ceiling */
	CONV_END_LAST
};

struct conv {
	struct event_base	*base;
	int			 fd;		/* -1 once closed */
	struct dbuf		 in;		/* the server's bytes; the caller consumes or resets */
	enum conv_end		 last;		/* how the last wait ended */
};

/*
 * Connect and run the dialogue up to where TLS starts (tmpl's target, names and deadlines);
 * in_max is the ceiling of `in`.  0: the socket is ready for the first TLS byte; -1: the
 * dialogue failed (refused, 421, no STARTTLS), and the conv is closed (still free it).
 */
int		 conv_open(struct conv *, struct event_base *, const struct probe_params *tmpl,
		    size_t in_max);
/* All of buf, waiting at most ms for room; -1 when the socket failed or stayed full. */
int		 conv_send(struct conv *, const void *, size_t, long ms);
/* Wait at most ms for bytes and append what came to `in`. */
enum conv_end	 conv_read(struct conv *, long ms);
/*
 * Read until done(in, arg) returns non-zero, the server closes, the ceiling is hit or ms pass
 * in all.  done is asked after every read (and once at the start).
 */
enum conv_end	 conv_until(struct conv *, int (*done)(const struct dbuf *, void *), void *arg,
		    long ms);
void		 conv_close(struct conv *);	/* closes the socket; frees `in`; twice is fine */
const char	*conv_end_name(enum conv_end);

#endif
