/*
 * verdict.h — the domain's headline: can an active attacker read its inbound mail in transit?
 *
 * A pure function of a small summary per MX (what DNS proved, what the probes saw), so the rules
 * are table-tested (tests/unit/test_verdict.c) apart from DNS and sockets.
 *
 * Rules (RFC 7672 §2.2, RFC 8461 §2 and §5):
 * - DANE protects an MX when its MX and TLSA RRsets are DNSSEC-secure and at least one TLSA record
 *   is usable: a DANE sender then never falls back to plaintext (it defers instead).
 * - MTA-STS in enforce mode protects every MX: an enforcing sender requires STARTTLS with a
 *   WebPKI-valid certificate from an MX that matches one of the policy's mx: patterns, and does not
 *   deliver to one that matches none (RFC 8461 §5.1) — that MX is a delivery risk, not a leak.
 * - The domain is as strong as its weakest MX (a secondary MX nobody checks is the way in).
 * - DANE takes precedence over MTA-STS for senders that do both (RFC 8461 §2).
 */
#ifndef MAILTLS_VERDICT_H
#define MAILTLS_VERDICT_H

#include <stddef.h>

enum verdict_protection {
	VERDICT_DANE = 0,
	VERDICT_MTA_STS,
	VERDICT_MTA_STS_TESTING,
	VERDICT_NONE,		/* also for a domain that accepts no mail: see accepts_mail */
	VERDICT_LAST
};

enum verdict_sts {
	VERDICT_STS_ABSENT = 0,	/* no record, or invalid, or no policy */
	VERDICT_STS_ENFORCE,
	VERDICT_STS_TESTING,
	VERDICT_STS_NONE,	/* mode: none */
};

struct verdict_mx {
	const char	*host;
	int		 dane;		/* MX and TLSA secure, >= 1 usable TLSA record */
	int		 sts_match;	/* matches an mx: pattern of the policy */
	int		 starttls;	/* every address completed STARTTLS */
	int		 starttls_some;	/* at least one address completed STARTTLS */
	int		 dane_ok;	/* every address matched a TLSA record */
	int		 webpki_ok;	/* every address: chain valid and name matches the MX host */
	int		 reachable;	/* at least one address answered */
	int		 dane_failed;	/* secure MX, but the TLSA lookup was bogus or failed:
					   DANE senders defer (RFC 7672 §2.2) */
};

struct verdict_input {
	int			 null_mx;
	int			 mx_bogus;	/* the MX RRset failed validation */
	int			 nxdomain;	/* the domain does not exist */
	enum verdict_sts	 sts;
	size_t			 nmx;
	const struct verdict_mx	*mx;
};

struct verdict {
	enum verdict_protection	 protection;
	int			 can_read;	/* an active attacker can read mail in transit */
	int			 accepts_mail;	/* 0: null MX or NXDOMAIN, nothing to protect */
	const char		*weakest;	/* the MX host the sentence names, or NULL */
	int			 delivery_at_risk; /* protected, but some MX would fail a strict sender */
	char			 sentence[512];
};

void		 verdict_decide(const struct verdict_input *, struct verdict *);
const char	*verdict_protection_name(enum verdict_protection);

#endif
