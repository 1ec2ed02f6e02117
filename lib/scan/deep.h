/*
 * deep.h — the --full checks beyond enumeration (issue 13): ROBOT (robot.h), CCS injection
 * (ccs.h), the OpenSSL session checks (session.h: client-initiated renegotiation, resumption,
 * early data, OCSP stapling, SCTs, the chain), extended master secret and the key-exchange
 * signature hash (read off the enumeration; at most one more hello), and CAA for the reference
 * name when a resolver is at hand.  Each becomes a finding with its detail; every check says
 * how many connections it cost.  Design: docs/internals/vuln-checks.md.
 */
#ifndef MAILTLS_DEEP_H
#define MAILTLS_DEEP_H

#include "dns/caa.h"
#include "probe/endpoint.h"
#include "probe/probe.h"
#include "scan/ccs.h"
#include "scan/robot.h"
#include "scan/session.h"
#include "scan/tlsenum.h"

struct arena;
struct resolver;

enum deep_kxhash {
	DEEP_KXHASH_NOT_TESTED = 0,
	DEEP_KXHASH_NOT_APPLICABLE,	/* no signed key exchange (RSA key transport, anonymous) */
	DEEP_KXHASH_SHA2,		/* SHA-2 signatures seen (or TLS 1.3) */
	DEEP_KXHASH_SHA1_ONLY,		/* only SHA-1 (or MD5+SHA-1 before TLS 1.2) */
	DEEP_KXHASH_LAST
};

enum deep_chain {
	DEEP_CHAIN_UNKNOWN = 0,		/* no handshake, or the verifier failed for other reasons */
	DEEP_CHAIN_COMPLETE,		/* the path reaches a root sent or one the verifier has */
	DEEP_CHAIN_INCOMPLETE,		/* an issuer is neither sent nor known to the verifier */
	DEEP_CHAIN_LAST
};

struct deep_report {
	struct robot_report	 robot;
	struct ccs_report	 ccs;
	struct session_report	 sess;
	enum tlsenum_answer	 ems;
	enum deep_kxhash	 kxhash;
	char			 kxhash_detail[160];
	int			 kxhash_connections;
	enum deep_chain		 chain;
	int			 caa_checked;	/* a resolver was at hand */
	struct caa_result	 caa;
	int			 connections;	/* all of the above, each connection once */
	long			 elapsed_ms;	/* wall time of deep_run() */
};

/* Classify a TLS 1.2 SignatureScheme by its hash: 1 SHA-1 or MD5, 0 otherwise (pure). */
int		 deep_sigscheme_weak(uint16_t);
/* The verdict read off the enumeration alone (pure); SHA1_ONLY there still wants a hello. */
enum deep_kxhash deep_kxhash_from_report(const struct tlsenum_report *);
const char	*deep_kxhash_name(enum deep_kxhash);
const char	*deep_chain_name(enum deep_chain);

/*
 * Run every check for an endpoint whose enumeration is in r; findings go to ep.  resolver may
 * be NULL (no CAA lookup then).  rep lives in the caller's arena.
 */
void		 deep_run(struct event_base *, const struct probe_params *, struct endpoint *,
		    struct arena *, const struct tlsenum_report *r, struct resolver *,
		    struct deep_report *rep);

#endif
