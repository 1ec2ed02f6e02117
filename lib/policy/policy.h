/*
 * policy.h — the strongest TLS policy a *sender* can enforce towards a destination domain today,
 * derived from what `mailtls check` found (DNSSEC, DANE, MTA-STS and, when probed, the servers).
 *
 * A pure function of a small summary (struct policy_facts), so every rule is a row of
 * tests/unit/test_policy.c; the decision table with the RFC and Postfix references behind each
 * row is docs/internals/policy.md.  policy_facts_from_check() (facts.c) fills the summary from a
 * check result; `mailtls policy`, `mailtls policyd` and the advice share it.
 *
 * The levels are Postfix's (smtp_tls_policy_maps, TLS_README "Client TLS security levels"):
 * dane-only, dane, secure, encrypt, may; POLICY_LEVEL_DEFAULT means "no entry": the sender's own
 * default applies (a socketmap NOTFOUND).
 */
#ifndef MAILTLS_POLICY_H
#define MAILTLS_POLICY_H

#include <stddef.h>
#include <stdio.h>

#include "verdict/verdict.h"

#define POLICY_MX_MAX		17	/* CHECK_MX_MAX and one "beyond the ceiling" row */
#define POLICY_PATTERNS_MAX	64	/* mx: patterns carried into match= */
#define POLICY_MATCH_MAX	1024	/* the match= value */
#define POLICY_WARNINGS_MAX	24
#define POLICY_PINS_PER_MX	8	/* fingerprints kept per MX (one per distinct key seen) */
#define POLICY_PIN_HEX		64	/* a SHA-256 as lowercase hex */
#define POLICY_HIST_PINS_MAX	128	/* a domain's stored pins: 16 MX hosts x 8 */

enum policy_level {
	POLICY_LEVEL_DEFAULT = 0,	/* no entry (NOTFOUND): the sender's default level */
	POLICY_LEVEL_MAY,		/* opportunistic TLS */
	POLICY_LEVEL_ENCRYPT,		/* mandatory TLS, any certificate */
	POLICY_LEVEL_DANE,		/* DANE where usable TLSA exist, else opportunistic */
	POLICY_LEVEL_DANE_ONLY,		/* mandatory DANE: no usable TLSA, no delivery */
	POLICY_LEVEL_SECURE,		/* mandatory TLS, WebPKI-valid certificate matching match= */
	POLICY_LEVEL_FINGERPRINT,	/* mandatory TLS, certificate or key fingerprint in match= */
	POLICY_LEVEL_LAST
};

/* Why this level: which published commitment (or observation) it rests on. */
enum policy_basis {
	POLICY_BASIS_NONE = 0,		/* nothing published that a sender can enforce */
	POLICY_BASIS_DANE,		/* DNSSEC-validated TLSA records (RFC 7672) */
	POLICY_BASIS_MTA_STS,		/* an MTA-STS policy in enforce mode (RFC 8461) */
	POLICY_BASIS_OBSERVED,		/* what the probes saw, pinned by request (--pin) */
	POLICY_BASIS_UNKNOWN,		/* the facts could not be had: answer TEMP */
	POLICY_BASIS_HISTORY,		/* pins from the newest stored scan (--pin-from-history) */
	POLICY_BASIS_LAST
};

/* Stable IDs of the warnings (docs/internals/policy.md lists them). */
enum policy_warning {
	POLICY_W_STS_MX_OUTSIDE = 0,	/* an MX matches no mx: pattern: enforcing defers it */
	POLICY_W_STS_CERT,		/* an MX fails WebPKI or STARTTLS: `secure` defers it */
	POLICY_W_DANE_MISMATCH,		/* TLSA do not match an MX's certificate: deferred */
	POLICY_W_DANE_NO_STARTTLS,	/* a DANE MX without STARTTLS: deferred */
	POLICY_W_DANE_BOGUS,		/* an MX's TLSA lookup is bogus: deferred */
	POLICY_W_DANE_PARTIAL,		/* some MX hosts without DANE: dane-only would skip them */
	POLICY_W_DANE_UNUSABLE,		/* secure TLSA, none usable: TLS required, not authenticated */
	POLICY_W_DANE_OVER_STS,		/* DANE MX hosts are held to MTA-STS's WebPKI rule too */
	POLICY_W_STS_TESTING,		/* MTA-STS in testing mode: nothing to enforce */
	POLICY_W_MX_BOGUS,		/* the MX RRset is bogus: validating senders defer */
	POLICY_W_MX_UNKNOWN,		/* some MX could not be examined: the policy may be too weak */
	POLICY_W_OBSERVED,		/* a pin from observation: no commitment by the receiver */
	POLICY_W_DNS_FAILED,		/* the MX lookup failed: no answer now */
	POLICY_W_HISTORY_PIN,		/* a pin from the scan history: defers when the key changes */
	POLICY_W_HISTORY_UNPINNED,	/* P8h: a live MX without a stored pin defers (fail closed) */
	POLICY_W_STS_UNENFORCEABLE,	/* P5b: enforce policy's patterns lost: any certificate */
	POLICY_W_LAST
};

struct policy_mx_facts {
	const char		*host;
	enum verdict_use	 use;
	enum verdict_dane	 dane;
	int			 sts_match;	/* matches an mx: pattern of the policy */
	/* probe facts; meaningful only when policy_facts.probed */
	int			 reached;	/* some address answered */
	int			 starttls;	/* every reached address completed STARTTLS */
	int			 dane_ok;	/* every reached address matched a usable TLSA record */
	int			 webpki_ok;	/* every reached address: chain valid, name matches */
	/* pins from the scan history; meaningful only when policy_facts.history */
	size_t			 npin;		/* 0: no complete pin for this MX */
	const char		*pin[POLICY_PINS_PER_MX];	/* SHA-256 hex of the public key
							   (or, unknown, the certificate) each
							   address served in the newest scan */
	int			 addr_bogus;	/* unknown because an address lookup was bogus
						   (verdict_mx.addr_bogus): a failed lookup for the
						   policy (P7), P8h keeps a pinned one in match= */
};

struct policy_facts {
	const char		*domain;
	int			 accepts_mail;	/* 0: null MX or NXDOMAIN */
	int			 mx_failed;	/* the MX lookup failed (timeout, SERVFAIL) */
	int			 mx_bogus;
	enum verdict_sts	 sts;		/* the policy in force (fetched or cached) */
	size_t			 sts_nmx;
	const char *const	*sts_mx;	/* its mx: patterns */
	int			 probed;	/* the servers were probed: probe facts are set */
	int			 pin;		/* allow a pin from observation (POLICY_BASIS_OBSERVED) */
	int			 history;	/* usable pins from the scan history given (row P8h) */
	size_t			 nhist_pin;	/* the domain's stored pins, every MX of the scan */
	const char		*hist_pin[POLICY_HIST_PINS_MAX];
	int			 sts_mx_unknown;	/* the policy in force is a held one whose
							   mx: patterns were not kept (policyd, too
							   many): no MX can be said to match none */
	size_t			 nmx;
	const struct policy_mx_facts *mx;
};

struct policy_warn {
	enum policy_warning	 id;
	const char		*host;		/* the MX it is about, or NULL */
};

struct policy_decision {
	enum policy_level	 level;
	enum policy_basis	 basis;
	const char		*rule;		/* the row of the decision table, e.g. "P4" */
	char			 match[POLICY_MATCH_MAX];	/* secure: "a.example:.example";
							   fingerprint: "AB:..:01|CD:..:02" */
	size_t			 nwarn;
	struct policy_warn	 warn[POLICY_WARNINGS_MAX];
};

void		 policy_decide(const struct policy_facts *, struct policy_decision *);

/*
 * The value of a smtp_tls_policy_maps entry ("dane-only", "secure match=... servername=hostname")
 * into out; "" for POLICY_LEVEL_DEFAULT.  Returns the length, or -1 when it does not fit.
 */
int		 policy_postfix(const struct policy_decision *, char *out, size_t size);

const char	*policy_level_name(enum policy_level);
const char	*policy_basis_name(enum policy_basis);
void		 policy_warnings_markdown(FILE *);	/* docs/findings.md */
const char	*policy_warning_name(enum policy_warning);	/* stable ID "policy.sts_mx_outside" */
const char	*policy_warning_text(enum policy_warning);	/* one sentence */
int		 policy_defers_today(enum policy_warning);	/* enforcing defers mail now */

/*
 * An MTA-STS policy a sender holds in its cache (RFC 8461 §5.1), and what to do with it after a
 * new look at the domain (stscache.c; rows M1-M5 of docs/internals/policy.md).
 */
struct policy_sts_cached {
	int		 valid;		/* a policy is held */
	long		 fetched;	/* when (seconds since the epoch) */
	long		 expires;	/* fetched + max_age */
};

enum policy_sts_merge {
	POLICY_STS_NONE = 0,		/* no policy: none held, none fetched */
	POLICY_STS_REPLACE,		/* take the policy just fetched */
	POLICY_STS_KEEP,		/* keep the cached one */
	POLICY_STS_DROP,		/* the cached one expired: forget it */
};

enum policy_sts_merge	 policy_sts_merge(const struct policy_sts_cached *, long now,
			    int fetched_valid, int fetch_skipped);
/* Refetch even when the record's id is unchanged: the cached policy expires within margin. */
int			 policy_sts_refetch(const struct policy_sts_cached *, long now, long margin);

struct check_result;
/*
 * The facts of a check result (facts.c).  mx[] must hold POLICY_MX_MAX rows; the strings point
 * into the result.  pin as given; probed when the check probed.
 */
void		 policy_facts_from_check(const struct check_result *, int probed, int pin,
		    struct policy_facts *, struct policy_mx_facts *mx);

#endif
