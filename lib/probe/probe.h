/*
 * probe.h — one connection to one mail server address, as a sending MTA would make it:
 * connect, banner, EHLO, STARTTLS, TLS handshake, EHLO again, QUIT (or implicit TLS first).
 *
 * Never sends MAIL, RCPT, DATA, AUTH or any credential.
 *
 * Async contract (after OpenSMTPD's ioev.c and unbound-event.h):
 * - probe_start() never calls the done callback itself; the callback runs from the event loop.
 * - The done callback may call probe_free() on its own probe; the probe touches nothing afterwards.
 * - The endpoint result lives in the arena the caller passed and outlives the probe.
 */
#ifndef MAILTLS_PROBE_H
#define MAILTLS_PROBE_H

#include <stddef.h>

#include "probe/endpoint.h"

struct dbuf;

struct arena;
struct event_base;
struct probe;
struct tls_client;
struct tls_tlsa;

/* Default deadlines (the CLI's and the public API's): a sending MTA's patience, shortened. */
#define PROBE_CONNECT_MS	10000
#define PROBE_REPLY_MS		30000
#define PROBE_TLS_MS		30000
#define PROBE_TOTAL_MS		60000

struct probe_params {
	const char		*host;		/* name for the report (MX host or the literal) */
	const char		*ip;		/* numeric address to connect to */
	int			 port;
	enum endpoint_proto	 proto;
	const char		*refname;	/* reference identifier: SNI and certificate name */
	const char		*ehlo;		/* our EHLO/HELO name */
	long			 connect_ms;	/* deadline for the TCP connect */
	long			 reply_ms;	/* deadline for each SMTP reply */
	long			 tls_ms;	/* deadline for the TLS handshake */
	long			 total_ms;	/* deadline for the whole probe */
	struct tls_client	*tls;		/* shared SSL_CTX and trust store */
	long			 now;		/* clock for certificate dates; 0: time(NULL) */
	/* DANE (RFC 7672): when ntlsa > 0 OpenSSL verifies the chain against these records */
	const struct tls_tlsa	*tlsa;		/* owned by the caller; must outlive the probe */
	size_t			 ntlsa;
	const char		*dane_base;	/* TLSA base domain; NULL: refname */
	struct probe_raw	*raw;		/* raw-hello mode when set */
	struct probe_pipe	*pipe;		/* pipelined-STARTTLS mode when set (not with raw) */
	struct probe_handoff	*handoff;	/* hand-off mode when set (not with raw or pipe) */
};

/*
 * Hand-off mode (the --full checks that speak TLS themselves: ROBOT, CCS injection, sessions;
 * docs/internals/vuln-checks.md): the dialogue runs as in raw-hello mode up to the point where
 * TLS would start; there the socket is handed to the caller and the probe ends without closing
 * it.  fd stays -1 when the dialogue did not get that far.  The caller owns the socket after.
 */
struct probe_handoff {
	int			 fd;		/* out: the connected socket, or -1 */
};

/*
 * Raw-hello mode (cipher and version enumeration): the dialogue runs up to the point where TLS
 * would start (after the STARTTLS 220, or at once for smtps); then our own hello bytes go out
 * instead of OpenSSL's, the server's answer collects in `flight` until the hello parser says the
 * first flight is complete, and the connection is closed.  No QUIT: the server sees a client that
 * gave up in the handshake, as with every TLS scanner.
 */
enum probe_raw_end {
	PROBE_RAW_NO_CONNECTION = 0,	/* the hello was never sent: TCP, greeting or STARTTLS failed */
	PROBE_RAW_COMPLETE,		/* the parser has a complete answer (hello, alert, garbage) */
	PROBE_RAW_CLOSED,		/* the server closed after our hello without a full answer */
	PROBE_RAW_TIMEOUT,		/* no complete answer before the TLS deadline */
};

struct probe_raw {
	const unsigned char	*hello;		/* bytes to send; caller-owned */
	size_t			 hello_len;
	int			 sslv2;		/* parse the answer as SSLv2 */
	struct dbuf		*flight;	/* caller-owned, with a ceiling: the server's bytes */
	/*
	 * Optional second step: once the first flight is complete, send `after` and collect what
	 * follows in flight2 until a whole record has come (or close/deadline).
	 */
	const unsigned char	*after;
	size_t			 after_len;
	struct dbuf		*flight2;
	int			 step;		/* out: 1 first flight, 2 after `after` was sent */
	enum probe_raw_end	 end;		/* out */
	int			 rejected_421;	/* out: the greeting was 421 (back off) */
};

/*
 * Pipelined-STARTTLS mode, the CVE-2011-0411 test (docs/internals/starttls-injection.md): after
 * EHLO, "STARTTLS\r\nNOOP\r\n" goes out in one write; after the 220 and the handshake nothing is
 * sent inside TLS for a short wait (the reply deadline, at most PROBE_PIPE_WAIT_MS).  A reply
 * arriving inside TLS unasked is the plaintext NOOP executed after the upgrade.  Then QUIT inside
 * TLS.  Nothing but EHLO, STARTTLS, NOOP and QUIT is ever sent; the endpoint the probe fills is
 * scratch: the caller keeps only `result` and `reason`.
 */
#define PROBE_PIPE_WAIT_MS	100	/* the order of the replies to QUIT decides, not the wait */

enum probe_pipe_result {
	PROBE_PIPE_NOT_TESTED = 0,	/* no --full, or not decided yet */
	PROBE_PIPE_NOT_APPLICABLE,	/* implicit TLS, or STARTTLS not offered: no connection made */
	PROBE_PIPE_NOT_VULNERABLE,	/* NOOP discarded, answered in plaintext, or the server closed */
	PROBE_PIPE_VULNERABLE,		/* NOOP answered inside TLS: starttls.command_injection */
	PROBE_PIPE_INCONCLUSIVE,	/* the test could not get as far as TLS (reason says why) */
	PROBE_PIPE_LAST
};

struct probe_pipe {
	enum probe_pipe_result	 result;	/* out */
	char			 reason[256];	/* out: what was seen, for the report */
	int			 busy;		/* out: 421 to the greeting or STARTTLS (SMTP) */
};

const char	*probe_pipe_name(enum probe_pipe_result);

typedef void (*probe_done_cb)(struct probe *, struct endpoint *, void *arg);

struct probe	*probe_start(struct event_base *, const struct probe_params *, struct arena *,
		    probe_done_cb, void *arg);
void		 probe_free(struct probe *);

#endif
