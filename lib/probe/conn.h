/*
 * conn.h — the probe engine's connection plumbing (engine.c, every protocol).  Deadlines, the
 * write queue, the TLS session with
 * DANE, the findings every handshake yields, and raw-hello mode's reading of the answer.  The
 * states stay each machine's own: these functions only do the part that is the same to the byte,
 * and say what happened so the caller can decide.
 */
#ifndef MAILTLS_CONN_H
#define MAILTLS_CONN_H

#include <stddef.h>
#include <time.h>

#include "probe/probe.h"
#include "tls/hello.h"

struct event;
struct dbuf;
struct tls_session;

/* Which deadline a state runs under (each machine's state table names one). */
enum conn_deadline {
	CONN_DEADLINE_NONE = 0,
	CONN_DEADLINE_CONNECT,
	CONN_DEADLINE_REPLY,
	CONN_DEADLINE_TLS,
	CONN_DEADLINE_PIPE,		/* the reply deadline, capped at PROBE_PIPE_WAIT_MS */
};

long		 conn_deadline_ms(const struct probe_params *, enum conn_deadline);	/* 0: none */
void		 conn_arm(struct event *, long ms);
long		 conn_elapsed_ms(const struct timespec *t0);
/* Stop the events and close *fd (set to -1); the events stay allocated. */
void		 conn_close(int *fd, struct event *ev_read, struct event *ev_write,
		    struct event *ev_phase, struct event *ev_total);
/* Write what `out` holds; on EAGAIN wait for ev_write.  -1: the write failed, errno says why. */
int		 conn_flush(int fd, struct dbuf *out, struct event *ev_write);

/* OpenSSL's session for these parameters; with TLSA records the SNI and DANE base are
   dane_base (RFC 7672 §8.1). */
struct tls_session *conn_tls_new(const struct probe_params *);
/* After a finished handshake: the endpoint's TLS and certificate facts, notes and findings. */
void		 conn_tls_established(struct tls_session *, const struct probe_params *,
		    struct arena *, struct endpoint *);

/* Raw-hello mode (probe.h).  walk/records: the caller's place in the first flight's records. */
enum conn_raw {
	CONN_RAW_MORE = 0,		/* keep reading */
	CONN_RAW_DONE,			/* raw->end is set: finish */
	CONN_RAW_AFTER,			/* raw->after is queued in `out`: fresh deadline, then flush */
};

void		 conn_raw_start(struct probe_raw *, struct dbuf *out);	/* queues the hello */
enum hello_result conn_raw_parse(const struct probe_raw *);
enum conn_raw	 conn_raw_input(struct probe_raw *, size_t *walk, size_t *records,
		    struct dbuf *out, const unsigned char *, size_t);
/* raw->end when the connection ends (eof: read returned 0) before the answer was complete. */
enum probe_raw_end conn_raw_closed(const struct probe_raw *, int eof);

#endif
