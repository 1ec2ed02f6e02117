/*
 * proxy.h — the mitm engine on a libevent loop: listen, apply one attack per client connection,
 * answer as a server would (sink) or relay to --upstream, and report what each client did.
 *
 * Safe by construction (docs/internals/mitm.md): the only outgoing connection is to the upstream
 * given; DATA/BDAT in clear text is answered 554 by the mitm itself and the connection closed, so
 * no message body is ever read or relayed; AUTH, LOGIN, USER/PASS, APOP and SASL <auth/> are
 * answered by the mitm with a failure and never forwarded — only the mechanism and the length
 * are kept.  Every client buffer has a ceiling and every phase a deadline.
 */
#ifndef MAILTLS_MITM_PROXY_H
#define MAILTLS_MITM_PROXY_H

#include <netinet/in.h>

#include "mitm/attack.h"
#include "mitm/verdict.h"

struct event_base;
struct mitm_certs;

#define MITM_LINE_MS		30000	/* a complete client command (or handshake) within */
#define MITM_CONN_MS		300000	/* one connection at most */
#define MITM_CONNECT_MS		10000	/* the upstream connect */
#define MITM_HOLD_MS		700	/* starttls.inject: how long the post-TLS EHLO reply waits */
#define MITM_CLIENTS_MAX	64	/* connections at once */
#define MITM_OUT_MAX		(1024 * 1024)	/* unsent bytes towards one peer */

struct mitm_record {
	unsigned	 id;		/* 1, 2, ... in order of acceptance */
	unsigned	 run;		/* the run it belongs to (mitm_server_set_run) */
	char		 client_ip[INET6_ADDRSTRLEN];
	int		 client_port;
	struct mitm_obs	 obs;
	enum mitm_outcome outcome;
	long		 ms;		/* duration */
	unsigned long	 bytes_in;	/* from the client */
};

/* Chooses the attack for connection id (1, 2, ...); MITM_ATTACK_LAST refuses the connection. */
typedef enum mitm_attack (*mitm_choose_fn)(void *arg, unsigned id, const char *client_ip);
typedef void (*mitm_record_fn)(void *arg, const struct mitm_record *);

struct mitm_params {
	enum mitm_proto		 proto;
	const char		*listen_ip;	/* a literal */
	int			 listen_port;
	const char		*upstream_ip;	/* NULL: sink mode */
	int			 upstream_port;
	const char		*name;		/* the host name the mitm announces */
	struct mitm_certs	*certs;
	long			 line_ms, conn_ms, connect_ms, hold_ms;
	unsigned		 max_clients;
	mitm_choose_fn		 choose;
	mitm_record_fn		 record;
	void			*arg;
};

struct mitm_server;

struct mitm_server	*mitm_server_new(struct event_base *, const struct mitm_params *,
			    char *err, size_t errlen);
/* Ends every open connection (each is recorded), closes the listener; NULL is fine. */
void			 mitm_server_free(struct mitm_server *);
unsigned		 mitm_server_active(const struct mitm_server *);
void			 mitm_server_set_run(struct mitm_server *, unsigned run);
/* The address actually bound (the port when 0 was asked). */
int			 mitm_server_port(const struct mitm_server *);

#endif
