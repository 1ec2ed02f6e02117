/*
 * verdict.h — the domain's headline: can an active attacker read its inbound mail in transit?
 *
 * A pure function of a small summary per MX (what DNS proved, what the probes saw), so the rules
 * are table-tested (tests/unit/test_verdict.c) apart from DNS and sockets.  The decision table,
 * with the RFC sentence behind each row, is in docs/internals/check.md ("The decision table").
 *
 * The answer has three values, not two: an attacker can read (can_read 1), cannot (0), or the
 * facts needed to say were not obtainable (VERDICT_INDETERMINATE, can_read -1) — a DNS lookup
 * that failed is a failed lookup, never "insecure" and never "absent".
 *
 * Rules, per MX (RFC 7672 §2.2, RFC 8461 §5, RFC 5321 §5.1):
 * - An MX no sender uses is left out of the weakest link: a host whose non-existence DNSSEC
 *   proves, a host whose address lookups are securely empty.  (An IP literal is used:
 *   Postfix delivers to it, without DANE.)
 * - An MX whose address lookups failed is unknown (senders retry it later); so is one whose
 *   lookups are bogus: a validating sender's resolver answers SERVFAIL, a failed lookup to
 *   Postfix, and a scanner whose own answers were tampered with must not call it absent.
 * - DANE protects an MX only when its MX RRset, its address RRsets and its TLSA RRset are
 *   DNSSEC-secure and at least one TLSA record is usable.  Secure TLSA records none of which is
 *   usable make DANE senders insist on TLS without authentication: any certificate will do, so
 *   a man-in-the-middle reads — and MTA-STS may not override that (RFC 8461 §2).  A bogus or failed
 *   TLSA lookup (secure addresses) makes DANE senders defer, but a bogus answer here may be
 *   signatures stripped on this scanner's path alone: both are unknown.
 * - MTA-STS in enforce mode protects every MX: an enforcing sender requires STARTTLS with a
 *   WebPKI-valid certificate from an MX that matches one of the policy's mx: patterns, and does not
 *   deliver to one that matches none (RFC 8461 §5.1) — that MX is a delivery risk, not a leak.
 *   Except, below a secure MX RRset, where the TLSA records a DANE sender follows first (RFC
 *   8461 §2) are all unusable (weak) or not known whole (unknown): a failed or bogus TLSA
 *   lookup, a host whose address lookups failed here (its TLSA records are looked up at its
 *   own name, but it may be an alias), a host beyond the MX ceiling, a failed MX lookup.
 * - The domain is as strong as its weakest MX: readable if any MX is weak (a used one named
 *   first; an unknown host below unsigned MX records is weak: forge them), else indeterminate
 *   if any is unknown, else protected.
 * - Addresses this machine could not reach say nothing about certificates: they never make a
 *   protected MX "deferred".
 */
#ifndef MAILTLS_VERDICT_H
#define MAILTLS_VERDICT_H

#include <stddef.h>

enum verdict_protection {
	VERDICT_DANE = 0,
	VERDICT_MTA_STS,
	VERDICT_MTA_STS_TESTING,
	VERDICT_NONE,		/* also for a domain that accepts no mail: see accepts_mail */
	VERDICT_INDETERMINATE,	/* lookups failed: can_read is -1 */
	VERDICT_LAST
};

enum verdict_sts {
	VERDICT_STS_ABSENT = 0,	/* no record, or invalid, or no policy */
	VERDICT_STS_ENFORCE,
	VERDICT_STS_TESTING,
	VERDICT_STS_NONE,	/* mode: none */
};

/* Does this MX take part in delivery? */
enum verdict_use {
	VERDICT_USE_USED = 0,		/* senders deliver to it */
	VERDICT_USE_SKIP_NXDOMAIN,	/* non-existence proven by DNSSEC (RFC 5321 §5.1: skipped) */
	VERDICT_USE_SKIP_NO_ADDRESS,	/* address lookups secure and empty: not usable */
	VERDICT_USE_UNKNOWN,		/* its address lookups failed (timeout, SERVFAIL) or
					   were bogus (addr_bogus) */
	VERDICT_USE_UNEXAMINED,		/* beyond the MX ceiling: not looked at */
};

/* What a DANE sender does with this MX (RFC 7672 §2.2). */
enum verdict_dane {
	VERDICT_DANE_NONE = 0,	/* DANE does not apply: no TLSA, or MX/address/TLSA not secure */
	VERDICT_DANE_AUTH,	/* >= 1 usable record: authenticated TLS required */
	VERDICT_DANE_UNAUTH,	/* secure records, none usable: TLS required, any certificate */
	VERDICT_DANE_BOGUS,	/* the TLSA lookup is bogus (secure addresses): DANE senders defer */
	VERDICT_DANE_UNKNOWN,	/* the TLSA lookup failed: nobody can say */
};

/*
 * The DNS facts about one MX host, in the resolver's terms, and what they mean for delivery:
 * verdict_mx_dns() fills use and dane (the DNSSEC part of the decision table, a pure function).
 */
enum verdict_dns_status {
	VERDICT_DNS_SECURE = 0,
	VERDICT_DNS_INSECURE,
	VERDICT_DNS_BOGUS,
	VERDICT_DNS_FAILED,	/* timeout, SERVFAIL, no answer */
	VERDICT_DNS_NOT_ASKED,	/* the lookup was not made (it could not matter) */
};

struct verdict_dns {
	enum verdict_dns_status	 mx;		/* the domain's MX RRset */
	int			 ip_literal;
	int			 nxdomain;	/* the host does not exist (status in a) */
	enum verdict_dns_status	 a, aaaa;	/* the host's address lookups */
	int			 na, naaaa;	/* addresses in each */
	enum verdict_dns_status	 tlsa;		/* the TLSA lookup that decides (CNAME target
						   first, RFC 7672 §2.2.2) */
	int			 ntlsa;		/* records in it */
	int			 nusable;	/* of those, usable for SMTP (RFC 7672 §3.1) */
	int			 tlsa_truncated;	/* more records than were kept */
};

struct verdict_mx {
	const char		*host;
	enum verdict_use	 use;
	enum verdict_dane	 dane;
	int			 sts_match;	/* matches an mx: pattern of the policy */
	/* probe facts, over the addresses this machine reached (unreached ones say nothing) */
	int			 naddr;		/* addresses probed */
	int			 reached;	/* of those, TCP connected */
	int			 starttls;	/* every reached address completed STARTTLS */
	int			 starttls_some;	/* at least one did */
	int			 dane_ok;	/* every reached address matched a usable TLSA record */
	int			 webpki_ok;	/* every reached address: chain valid, name matches */
	int			 dane_if_mx_secure; /* usable secure TLSA below an insecure MX RRset:
					   Postfix (>= 3.6.17) enforces them, the verdict can't */
	int			 tlsa_relevant;	/* TLSA records could count (for some sender), so
					   they are worth looking up: used with secure
					   addresses, or unknown below a secure MX RRset */
	int			 addr_bogus;	/* unknown because its address (or NXDOMAIN)
					   lookup is bogus, none failed or insecure */
};

struct verdict_input {
	int			 null_mx;
	int			 mx_bogus;	/* the MX RRset failed validation */
	int			 mx_failed;	/* the MX lookup failed (timeout, SERVFAIL) */
	int			 nxdomain;	/* the domain does not exist */
	int			 mx_insecure;	/* the MX RRset is not signed: it can be forged */
	int			 not_probed;	/* DNS only: no probe facts at all */
	enum verdict_sts	 sts;
	int			 sts_unknown;	/* no policy known, but only because the _mta-sts
					   lookup failed or no address of the policy host
					   could be reached from here */
	size_t			 nmx;
	const struct verdict_mx	*mx;
};

struct verdict {
	enum verdict_protection	 protection;
	int			 can_read;	/* 1 an active attacker can read, 0 not, -1 unknown */
	int			 accepts_mail;	/* 0: null MX or NXDOMAIN, nothing to protect */
	const char		*weakest;	/* the MX host the sentence names, or NULL */
	int			 delivery_at_risk; /* protected, but some MX would fail a strict sender */
	char			 sentence[512];
};

void		 verdict_mx_dns(const struct verdict_dns *, struct verdict_mx *);
void		 verdict_decide(const struct verdict_input *, struct verdict *);
const char	*verdict_protection_name(enum verdict_protection);
const char	*verdict_use_name(enum verdict_use);
const char	*verdict_dane_name(enum verdict_dane);

#endif
