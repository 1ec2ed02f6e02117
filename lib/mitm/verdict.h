/*
 * verdict.h — what a client did under one attack (facts), and what that means (pure decisions).
 *
 * The engine (proxy.c) fills a struct mitm_obs per client connection; mitm_verdict_conn() turns it
 * into one outcome, mitm_verdict_client() turns a client's outcomes into one verdict and one
 * sentence.  No I/O, no clock: tests/unit/test_mitm.c replays both row by row.
 */
#ifndef MAILTLS_MITM_VERDICT_H
#define MAILTLS_MITM_VERDICT_H

#include <stddef.h>

#include "mitm/attack.h"

#define MITM_MECH_MAX	24	/* "PLAIN", "LOGIN", "USER/PASS", "SCRAM-SHA-256", ... */

enum mitm_tls {
	MITM_TLS_NONE = 0,	/* no handshake with the client */
	MITM_TLS_FAILED,	/* the client aborted it (alert, close) */
	MITM_TLS_DONE,		/* completed: the client accepted the certificate */
};

/* How a connection ended. */
enum mitm_end {
	MITM_END_CLIENT_CLOSED = 0,	/* the client closed (after QUIT or not) */
	MITM_END_MITM_CLOSED,		/* the mitm closed: DATA refused, attack "close", sink done */
	MITM_END_TIMEOUT,		/* a phase deadline passed */
	MITM_END_BAD_INPUT,		/* a ceiling was passed, or input no grammar accepts */
	MITM_END_UPSTREAM,		/* the upstream could not be reached or closed */
	MITM_END_LAST
};

struct mitm_obs {
	enum mitm_proto	 proto;
	enum mitm_attack attack;
	unsigned	 commands;	/* client commands seen in all */
	int		 offered;	/* STARTTLS was advertised to the client */
	int		 starttls_sent;	/* the client asked for STARTTLS */
	int		 attack_reached; /* the attack's trigger point happened */
	int		 after_attack;	/* clear-text commands after that point (not QUIT/LOGOUT) */
	int		 tls_commands;	/* commands inside our TLS session other than QUIT: the */
					/* client went on after the handshake (not only verified) */
	int		 helo_fallback;	/* HELO after a refused EHLO */
	enum mitm_tls	 tls;
	char		 tls_error[96];	/* the alert or error when the handshake failed */
	char		 tls_version[16];
	/* in clear text (never inside TLS) */
	int		 auth_clear;
	int		 mail_clear;	/* MAIL, RCPT or DATA */
	/* inside a TLS session with an untrusted certificate */
	int		 auth_tls;
	int		 mail_tls;
	/* the credential: mechanism and length only, never the bytes */
	char		 auth_mech[MITM_MECH_MAX];
	size_t		 auth_len;
	int		 inject_taken;	/* a command followed the post-TLS EHLO before its reply */
	int		 quit;		/* QUIT / LOGOUT / </stream:stream> */
	enum mitm_end	 end;
};

enum mitm_client_verdict {
	MITM_CLIENT_SAFE = 0,		/* refused every attack */
	MITM_CLIENT_FALLS_BACK,		/* continued in clear text after an attack */
	MITM_CLIENT_BAD_CERT,		/* accepted an untrusted certificate */
	MITM_CLIENT_INJECTION,		/* acted on an injected reply */
	MITM_CLIENT_NO_TLS,		/* does not use STARTTLS even when it is offered */
	MITM_CLIENT_UNKNOWN,		/* nothing conclusive */
	MITM_CLIENT_LAST
};

struct mitm_client_result {
	enum mitm_client_verdict verdict;
	enum severity		 severity;	/* the worst outcome's */
	int			 exposed;	/* 0 nothing, 1 mail, 2 credentials */
	char			 sentence[512];
};

enum mitm_outcome	 mitm_verdict_conn(const struct mitm_obs *);
/* outcomes[i] came from attacks[i]; n may be 0. */
void			 mitm_verdict_client(const enum mitm_outcome *, const enum mitm_attack *,
			    size_t n, struct mitm_client_result *);
const char		*mitm_client_verdict_name(enum mitm_client_verdict);
const char		*mitm_client_verdict_meaning(enum mitm_client_verdict);
const char		*mitm_end_name(enum mitm_end);
const char		*mitm_tls_name(enum mitm_tls);

#endif
