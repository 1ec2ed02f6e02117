/*
 * test_verdict.c — the decision table of docs/internals/check.md, row by row.
 *
 * Two golden tables: (1) the DNSSEC states of one MX host (MX RRset x address families x TLSA)
 * -> whether senders use it and what a DANE sender does with it (verdict_mx_dns); (2) per-MX
 * summaries and the MTA-STS mode -> the domain's verdict (verdict_decide).  Each row names the
 * rule that decides it; rows marked "issue 7.n" were wrong before and are regression tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "verdict/verdict.h"

/* table rows leave trailing optional fields (truncation, dane_if_mx_secure) at zero */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define S	VERDICT_DNS_SECURE
#define I	VERDICT_DNS_INSECURE
#define B	VERDICT_DNS_BOGUS
#define F	VERDICT_DNS_FAILED
#define NA	VERDICT_DNS_NOT_ASKED

struct dns_row {
	const char		*why;
	struct verdict_dns	 in;
	enum verdict_use	 use;
	enum verdict_dane	 dane;
};

/* .mx, .ip_literal, .nxdomain, .a, .aaaa, .na, .naaaa, .tlsa, .ntlsa, .nusable */
static const struct dns_row dns_rows[] = {
	{ "all secure, usable TLSA: DANE (RFC 7672 §2.2)",
	  { S, 0, 0, S, S, 1, 1, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_AUTH },
	{ "secure NODATA TLSA: no DANE (RFC 7672 §2.2)",
	  { S, 0, 0, S, S, 1, 1, S, 0, 0 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "issue 7.2/7.6: secure TLSA, none usable: TLS without authentication (RFC 7672 §2.2)",
	  { S, 0, 0, S, S, 1, 1, S, 2, 0 }, VERDICT_USE_USED, VERDICT_DANE_UNAUTH },
	{ "insecure TLSA: ignored (RFC 7672 §2.2)",
	  { S, 0, 0, S, S, 1, 1, I, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "bogus TLSA at secure host: DANE senders defer (RFC 7672 §2.2)",
	  { S, 0, 0, S, S, 1, 1, B, 0, 0 }, VERDICT_USE_USED, VERDICT_DANE_BOGUS },
	{ "issue 7.5: failed TLSA at secure host: unknown, not absent",
	  { S, 0, 0, S, S, 1, 1, F, 0, 0 }, VERDICT_USE_USED, VERDICT_DANE_UNKNOWN },
	{ "insecure MX RRset: no DANE for the verdict, the MX can be forged (RFC 7672 §2.2.1)",
	  { I, 0, 0, S, S, 1, 1, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "issue 7.1: insecure addresses, TLSA lookup failed: no DANE (RFC 7672 §2.2)",
	  { S, 0, 0, I, I, 1, 0, F, 0, 0 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "issue 7.1: insecure addresses, TLSA bogus: no DANE (RFC 7672 §2.2)",
	  { S, 0, 0, I, I, 1, 0, B, 0, 0 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "issue 7.1: insecure addresses, secure usable TLSA: still no DANE (RFC 7672 §2.2)",
	  { S, 0, 0, I, I, 1, 0, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "issue 7.3: A secure, AAAA failed: the A family decides",
	  { S, 0, 0, S, F, 1, 0, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_AUTH },
	{ "A failed, AAAA secure: the AAAA family decides",
	  { S, 0, 0, F, S, 0, 1, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_AUTH },
	{ "A secure, AAAA bogus: bogus family unused, A decides",
	  { S, 0, 0, S, B, 1, 0, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_AUTH },
	{ "A secure, AAAA insecure with addresses: those addresses are not DANE (RFC 7672 §2.2)",
	  { S, 0, 0, S, I, 1, 1, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "A secure, AAAA secure NODATA: DANE",
	  { S, 0, 0, S, S, 1, 0, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_AUTH },
	{ "issue 7.3: both families failed: unknown, senders retry",
	  { S, 0, 0, F, F, 0, 0, NA, 0, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE },
	{ "both families failed, secure MX RRset, TLSA all unusable: unknown, the records kept "
	  "(RFC 8461 §2; review 2026-12-01)",
	  { S, 0, 0, F, F, 0, 0, S, 2, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_UNAUTH },
	{ "both families bogus, secure MX RRset, TLSA failed: unknown, dane unknown",
	  { S, 0, 0, B, B, 0, 0, F, 0, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_UNKNOWN },
	{ "A insecure and empty, AAAA failed: unknown, no TLSA lookup (an insecure family: no DANE; "
	  "fourth review)", { S, 0, 0, I, F, 0, 0, S, 2, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE },
	{ "both families failed, insecure MX RRset: no TLSA lookup, no DANE (the MX can be forged)",
	  { I, 0, 0, F, F, 0, 0, NA, 0, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE },
	{ "one family failed, the other bogus: unknown",
	  { S, 0, 0, F, B, 0, 0, NA, 0, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE },
	{ "both families bogus: a failed lookup to a validating sender (Postfix: retry), not absent "
	  "(review 2026-12-01)",
	  { S, 0, 0, B, B, 0, 0, NA, 0, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE },
	{ "A bogus, AAAA secure NODATA: unknown, not proven to have no address (review 2026-12-01)",
	  { S, 0, 0, B, S, 0, 0, NA, 0, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE },
	{ "A bogus, AAAA insecure NODATA: forgeable, stays in the weakest link",
	  { S, 0, 0, B, I, 0, 0, NA, 0, 0 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "bogus NXDOMAIN host: unknown, not skipped (review 2026-12-01)",
	  { S, 0, 1, B, B, 0, 0, NA, 0, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE },
	{ "failed NXDOMAIN lookup: unknown, not skipped",
	  { S, 0, 1, F, F, 0, 0, NA, 0, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE },
	{ "bogus NXDOMAIN host, secure MX RRset, TLSA all unusable: unknown, the records kept",
	  { S, 0, 1, B, B, 0, 0, S, 2, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_UNAUTH },
	{ "bogus NXDOMAIN host, unsigned MX RRset: unknown, no DANE",
	  { I, 0, 1, B, B, 0, 0, NA, 0, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE },
	{ "bogus NXDOMAIN host (its one status in .a), AAAA failed: unknown, addr_bogus",
	  { S, 0, 1, B, F, 0, 0, NA, 0, 0 }, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE },
	{ "secure NODATA in both families: no address, skipped",
	  { S, 0, 0, S, S, 0, 0, NA, 0, 0 }, VERDICT_USE_SKIP_NO_ADDRESS, VERDICT_DANE_NONE },
	{ "insecure NODATA: forgeable, stays in the weakest link",
	  { S, 0, 0, I, I, 0, 0, NA, 0, 0 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "issue 7.4: secure NXDOMAIN host: skipped (RFC 5321 §5.1)",
	  { S, 0, 1, S, S, 0, 0, NA, 0, 0 }, VERDICT_USE_SKIP_NXDOMAIN, VERDICT_DANE_NONE },
	{ "insecure NXDOMAIN host: forgeable, stays in the weakest link",
	  { S, 0, 1, I, I, 0, 0, NA, 0, 0 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "insecure MX RRset, secure NXDOMAIN host: skipped",
	  { I, 0, 1, S, S, 0, 0, NA, 0, 0 }, VERDICT_USE_SKIP_NXDOMAIN, VERDICT_DANE_NONE },
	{ "IP literal: Postfix delivers to it, without DNSSEC (review of issue 7.4)",
	  { S, 1, 0, NA, NA, 0, 0, NA, 0, 0 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "A secure, AAAA insecure and empty: forgeable, no DANE",
	  { S, 0, 0, S, I, 1, 0, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "secure TLSA cut short, none usable among those kept: unknown",
	  { S, 0, 0, S, S, 1, 1, S, 32, 0, 1 }, VERDICT_USE_USED, VERDICT_DANE_UNKNOWN },
	{ "bogus MX RRset never gets here, but if it did: no DANE",
	  { B, 0, 0, S, S, 1, 1, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
	{ "indeterminate MX RRset: no DANE",
	  { F, 0, 0, S, S, 1, 1, S, 1, 1 }, VERDICT_USE_USED, VERDICT_DANE_NONE },
};

static void
test_dns_table(void **state)
{
	struct verdict_mx m;
	size_t i;

	for (i = 0; i < sizeof(dns_rows) / sizeof(dns_rows[0]); i++) {
		memset(&m, 0, sizeof(m));
		verdict_mx_dns(&dns_rows[i].in, &m);
		if (dns_rows[i].in.mx == I && m.dane_if_mx_secure != (dns_rows[i].in.nusable > 0))
			fail_msg("%s: dane_if_mx_secure %d", dns_rows[i].why, m.dane_if_mx_secure);
		/* unknown because of a bogus lookup, none failed: P7/P8h tell it apart */
		if (m.addr_bogus != (m.use == VERDICT_USE_UNKNOWN && (dns_rows[i].in.nxdomain ?
		    dns_rows[i].in.a == B : (dns_rows[i].in.a == B || dns_rows[i].in.aaaa == B) &&
		    dns_rows[i].in.a != F && dns_rows[i].in.aaaa != F)))
			fail_msg("%s: addr_bogus %d", dns_rows[i].why, m.addr_bogus);
		if (m.use != dns_rows[i].use || m.dane != dns_rows[i].dane)
			fail_msg("%s: got use=%s dane=%s, want use=%s dane=%s", dns_rows[i].why,
			    verdict_use_name(m.use), verdict_dane_name(m.dane),
			    verdict_use_name(dns_rows[i].use), verdict_dane_name(dns_rows[i].dane));
	}
}

/* Which hosts are worth a TLSA lookup (RFC 7672 §2.2.2: only secure addresses count). */
static void
test_tlsa_relevant(void **state)
{
	static const struct {
		const char		*why;
		struct verdict_dns	 in;
		int			 want;
	} rows[] = {
		{ "all secure", { S, 0, 0, S, S, 1, 1, NA, 0, 0 }, 1 },
		{ "AAAA failed, A secure", { S, 0, 0, S, F, 1, 0, NA, 0, 0 }, 1 },
		{ "insecure MX RRset, secure host (RFC 7672 §2.2.1, Postfix)", { I, 0, 0, S, S, 1, 1, NA, 0, 0 }, 1 },
		{ "insecure addresses", { S, 0, 0, I, I, 1, 0, NA, 0, 0 }, 0 },
		{ "AAAA insecure and empty", { S, 0, 0, S, I, 1, 0, NA, 0, 0 }, 0 },
		{ "IP literal", { S, 1, 0, NA, NA, 0, 0, NA, 0, 0 }, 0 },
		{ "secure NXDOMAIN", { S, 0, 1, S, S, 0, 0, NA, 0, 0 }, 0 },
		{ "address lookups failed, secure MX RRset: a sender that resolves it follows its TLSA "
		  "records first (RFC 8461 §2; review 2026-12-01)", { S, 0, 0, F, F, 0, 0, NA, 0, 0 }, 1 },
		{ "address lookups bogus, secure MX RRset: likewise", { S, 0, 0, B, B, 0, 0, NA, 0, 0 }, 1 },
		{ "failed NXDOMAIN lookup, secure MX RRset: looked up too",
		  { S, 0, 1, F, F, 0, 0, NA, 0, 0 }, 1 },
		{ "bogus NXDOMAIN lookup, insecure MX RRset: not looked up",
		  { I, 0, 1, B, B, 0, 0, NA, 0, 0 }, 0 },
		{ "address lookups failed, insecure MX RRset: the MX can be forged anyway",
		  { I, 0, 0, F, F, 0, 0, NA, 0, 0 }, 0 },
		{ "bogus MX RRset", { B, 0, 0, S, S, 1, 1, NA, 0, 0 }, 0 },
	};
	struct verdict_mx m;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&m, 0, sizeof(m));
		verdict_mx_dns(&rows[i].in, &m);
		if (m.tlsa_relevant != rows[i].want)
			fail_msg("%s: tlsa_relevant %d, want %d", rows[i].why, m.tlsa_relevant,
			    rows[i].want);
	}
}

/*
 * Per-MX summaries: host, use, dane, sts_match, naddr, reached, starttls, starttls_some,
 * dane_ok, webpki_ok.
 */
#define U	VERDICT_USE_USED
#define GOOD_DANE(h)	{ h, U, VERDICT_DANE_AUTH, 0, 1, 1, 1, 1, 1, 0 }
#define GOOD_STS(h)	{ h, U, VERDICT_DANE_NONE, 1, 1, 1, 1, 1, 0, 1 }
#define PLAIN(h)	{ h, U, VERDICT_DANE_NONE, 0, 1, 1, 1, 1, 0, 0 }
#define NO_TLS(h)	{ h, U, VERDICT_DANE_NONE, 0, 1, 1, 0, 0, 0, 0 }
#define SKIPPED(h, u)	{ h, u, VERDICT_DANE_NONE, 0, 0, 0, 0, 0, 0, 0 }
#define UNKNOWN(h)	{ h, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE, 0, 0, 0, 0, 0, 0, 0 }
#define BOGUS_ADDR(h, m) { h, VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE, m, 0, 0, 0, 0, 0, 0, 0, 0, 1 }

struct golden {
	const char		*name;
	int			 null_mx, bogus, failed, mx_insecure, sts_unknown;
	enum verdict_sts	 sts;
	size_t			 nmx;
	struct verdict_mx	 mx[3];
	enum verdict_protection	 want;
	int			 can_read;
	const char		*weakest;
	int			 at_risk;
	const char		*says;		/* a substring of the sentence */
	const char		*never;		/* a substring it must not contain, or NULL */
};

#define A	VERDICT_STS_ABSENT
#define E	VERDICT_STS_ENFORCE
#define T	VERDICT_STS_TESTING

static const struct golden golden[] = {
	{ "dane on every mx (RFC 7672 §2.2)", 0, 0, 0, 0, 0, A, 2, { GOOD_DANE("mx1"), GOOD_DANE("mx2") },
	  VERDICT_DANE, 0, NULL, 0, "Protected by DANE", NULL },
	{ "secondary mx without dane: weakest link (seed text)", 0, 0, 0, 0, 0, A, 2,
	  { GOOD_DANE("mx1"), PLAIN("mx2") }, VERDICT_NONE, 1, "mx2", 0,
	  "strip STARTTLS from mx2", NULL },
	{ "no dane no sts", 0, 0, 0, 0, 0, A, 1, { PLAIN("mx") }, VERDICT_NONE, 1, "mx", 0,
	  "no DANE, no MTA-STS", NULL },
	{ "no starttls at all", 0, 0, 0, 0, 0, A, 1, { NO_TLS("mx") }, VERDICT_NONE, 1, "mx", 0,
	  "does not complete STARTTLS", NULL },
	{ "sts enforce, all match (RFC 8461 §5)", 0, 0, 0, 0, 0, E, 2, { GOOD_STS("mx1"), GOOD_STS("mx2") },
	  VERDICT_MTA_STS, 0, NULL, 0, "enforce mode", NULL },
	{ "sts enforce, one mx outside policy: senders skip it (RFC 8461 §5.1)", 0, 0, 0, 0, 0, E, 2,
	  { GOOD_STS("mx1"), PLAIN("mx2") }, VERDICT_MTA_STS, 0, "mx2", 1, "matches no mx: pattern",
	  NULL },
	{ "sts enforce, bad certificate: deferred not read (RFC 8461 §5)", 0, 0, 0, 0, 0, E, 1,
	  { { "mx", U, VERDICT_DANE_NONE, 1, 1, 1, 1, 1, 0, 0 } }, VERDICT_MTA_STS, 0, "mx", 1,
	  "deferred", NULL },
	{ "sts testing (RFC 8461 §5)", 0, 0, 0, 0, 0, T, 1,
	  { { "mx", U, VERDICT_DANE_NONE, 1, 1, 1, 1, 1, 0, 1 } },
	  VERDICT_MTA_STS_TESTING, 1, "mx", 0, "testing mode", NULL },
	{ "sts none mode counts as nothing", 0, 0, 0, 0, 0, VERDICT_STS_NONE, 1,
	  { { "mx", U, VERDICT_DANE_NONE, 1, 1, 1, 1, 1, 0, 1 } }, VERDICT_NONE, 1, "mx", 0,
	  "no DANE", NULL },
	{ "dane and sts: dane wins (RFC 8461 §2)", 0, 0, 0, 0, 0, E, 1,
	  { { "mx", U, VERDICT_DANE_AUTH, 1, 1, 1, 1, 1, 1, 1 } }, VERDICT_DANE, 0, NULL, 0, "DANE",
	  NULL },
	{ "dane on one, sts on other", 0, 0, 0, 0, 0, E, 2, { GOOD_DANE("mx1"), GOOD_STS("mx2") },
	  VERDICT_MTA_STS, 0, NULL, 0, "and DANE on some MX", NULL },
	{ "dane mismatch: deferred (RFC 7672 §2.2)", 0, 0, 0, 0, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_AUTH, 0, 1, 1, 1, 1, 0, 0 } }, VERDICT_DANE, 0, "mx", 1,
	  "deferred", NULL },
	{ "dane but starttls stripped: deferred (RFC 7672 §2.2)", 0, 0, 0, 0, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_AUTH, 0, 1, 1, 0, 0, 0, 0 } }, VERDICT_DANE, 0, "mx", 1,
	  "deferred", NULL },
	{ "null mx (RFC 7505)", 1, 0, 0, 0, 0, A, 0, { { 0 } }, VERDICT_NONE, 0, NULL, 0, "null MX", NULL },
	{ "bogus mx", 0, 1, 0, 0, 0, A, 0, { { 0 } }, VERDICT_NONE, 1, NULL, 1, "DNSSEC", NULL },
	{ "one address without starttls", 0, 0, 0, 0, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_NONE, 0, 2, 2, 0, 1, 0, 0 } }, VERDICT_NONE, 1, "mx", 0,
	  "one of its addresses", NULL },
	{ "secure mx, TLSA lookup bogus: DANE senders defer (RFC 7672 §2.2), but bogus here may be "
	  "stripped here only: indeterminate, as a failed lookup, never DANE (review 2026-12-01)",
	  0, 0, 0, 0, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_BOGUS, 0, 1, 1, 1, 1, 0, 0 } }, VERDICT_INDETERMINATE, -1, "mx", 0,
	  "TLSA records of mx failed DNSSEC validation (bogus)", "Protected" },
	{ "DANE MX and one whose TLSA lookup is bogus: indeterminate, not DANE (review 2026-12-01)",
	  0, 0, 0, 0, 0, A, 2, { GOOD_DANE("mx1"), { "mx2", U, VERDICT_DANE_BOGUS, 0, 1, 1, 1, 1, 0, 0 } },
	  VERDICT_INDETERMINATE, -1, "mx2", 0, "other MX hosts are protected", "Protected by DANE" },
	{ "bogus TLSA next to a weak MX: the weak one decides", 0, 0, 0, 0, 0, A, 2,
	  { { "mx1", U, VERDICT_DANE_BOGUS, 0, 1, 1, 1, 1, 0, 0 }, PLAIN("mx2") }, VERDICT_NONE, 1,
	  "mx2", 0, "strip STARTTLS from mx2", NULL },
	/* issue 7.1: an insecure host (DANE none) whose TLSA lookup failed is weak, not protected */
	{ "issue 7.1: insecure provider host, TLSA dropped: strip (RFC 7672 §2.2)", 0, 0, 0, 0, 0, A, 1,
	  { PLAIN("mx.provider") }, VERDICT_NONE, 1, "mx.provider", 0, "strip STARTTLS",
	  "Protected" },
	/* issue 7.2 / 7.6: all records unusable */
	{ "issue 7.6: all TLSA unusable: MitM with any certificate (RFC 7672 §2.2)", 0, 0, 0, 0, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_UNAUTH, 0, 1, 1, 1, 1, 0, 0 } }, VERDICT_NONE, 1, "mx", 0,
	  "any certificate", "strip" },
	{ "issue 7.6: all TLSA unusable, no STARTTLS: deferred by DANE senders", 0, 0, 0, 0, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_UNAUTH, 0, 1, 1, 0, 0, 0, 0 } }, VERDICT_NONE, 1, "mx", 0,
	  "DANE senders defer", NULL },
	{ "all TLSA unusable under sts enforce: DANE-first senders accept any certificate (RFC 8461 §2)",
	  0, 0, 0, 0, 0, E, 1, { { "mx", U, VERDICT_DANE_UNAUTH, 1, 1, 1, 1, 1, 0, 1 } },
	  VERDICT_NONE, 1, "mx", 0, "any certificate", NULL },
	/* issue 7.4: MX targets no sender uses are out of the weakest link */
	{ "issue 7.4: secure NXDOMAIN backup (RFC 5321 §5.1)", 0, 0, 0, 0, 0, A, 2,
	  { GOOD_DANE("mx1"), SKIPPED("gone", VERDICT_USE_SKIP_NXDOMAIN) }, VERDICT_DANE, 0, NULL, 0,
	  "Protected by DANE", NULL },
	{ "IP literal backup: Postfix uses it without DANE (review)", 0, 0, 0, 0, 0, A, 2,
	  { GOOD_DANE("mx1"), PLAIN("192.0.2.1") }, VERDICT_NONE, 1, "192.0.2.1", 0,
	  "strip STARTTLS from 192.0.2.1", NULL },
	{ "every MX skipped: nothing can be delivered, nothing read", 0, 0, 0, 0, 0, A, 1,
	  { SKIPPED("gone", VERDICT_USE_SKIP_NXDOMAIN) }, VERDICT_NONE, 0, NULL, 1,
	  "cannot deliver", NULL },
	{ "every MX skipped below an unsigned MX RRset: forge it", 0, 0, 0, 1, 0, A, 1,
	  { SKIPPED("gone", VERDICT_USE_SKIP_NXDOMAIN) }, VERDICT_NONE, 1, NULL, 1,
	  "forge", NULL },
	{ "unsigned MX RRset: forged MX (RFC 7672 §2.2.1)", 0, 0, 0, 1, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_NONE, 0, 1, 1, 1, 1, 1, 0, 1 } }, VERDICT_NONE, 1, "mx", 0,
	  "TLSA records protect only senders", NULL },
	{ "unsigned MX RRset under sts enforce: protected", 0, 0, 0, 1, 0, E, 1,
	  { GOOD_STS("mx") }, VERDICT_MTA_STS, 0, NULL, 0, "enforce mode", NULL },
	/* third review of 2026-12-01: the MX hosts' TLSA records, followed first, are unknown */
	{ "bogus MX under sts enforce: indeterminate, delivery at risk (RFC 8461 §2, §4.1)", 0, 1, 0,
	  0, 0, E, 0, { { 0 } }, VERDICT_INDETERMINATE, -1, NULL, 1, "fails DNSSEC validation",
	  "Protected" },
	{ "failed MX lookup under sts enforce: indeterminate, delivery at risk", 0, 0, 1, 0, 0, E, 0,
	  { { 0 } }, VERDICT_INDETERMINATE, -1, NULL, 1, "lookup failed", "Protected" },
	{ "policy unknown from here, MX weak: indeterminate (review)", 0, 0, 0, 0, 1, A, 1,
	  { PLAIN("mx") }, VERDICT_INDETERMINATE, -1, "mx", 0, "could not be learned", NULL },
	{ "policy unknown from here, DANE protects: dane", 0, 0, 0, 0, 1, A, 1,
	  { GOOD_DANE("mx") }, VERDICT_DANE, 0, NULL, 0, "Protected by DANE", NULL },
	{ "policy unknown from here, TLSA unusable: weak whatever the policy (RFC 8461 §2)", 0, 0, 0,
	  0, 1, A, 1, { { "mx", U, VERDICT_DANE_UNAUTH, 0, 1, 1, 1, 1, 0, 0 } }, VERDICT_NONE, 1,
	  "mx", 0, "any certificate", NULL },
	/* issue 7.5: lookups that failed make the verdict indeterminate */
	{ "issue 7.5: MX lookup failed: indeterminate", 0, 0, 1, 0, 0, A, 0, { { 0 } },
	  VERDICT_INDETERMINATE, -1, NULL, 0, "Could not be determined", "nothing protects" },
	{ "issue 7.5: address lookups failed: indeterminate", 0, 0, 0, 0, 0, A, 1, { UNKNOWN("mx") },
	  VERDICT_INDETERMINATE, -1, "mx", 0, "address lookups for mx failed", NULL },
	{ "issue 7.5: TLSA lookup failed (e.g. at the CNAME target): indeterminate", 0, 0, 0, 0, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_UNKNOWN, 0, 1, 1, 1, 1, 0, 0 } }, VERDICT_INDETERMINATE, -1,
	  "mx", 0, "TLSA records of mx could not be obtained", NULL },
	/*
	 * review 2026-12-01: a bogus address lookup is a failed lookup, not "no address".  Skipped,
	 * a secure MX RRset whose hosts' addresses were all bogus said "nothing can be read" while
	 * senders that do not validate delivered opportunistically, and signatures stripped on the
	 * scanner's path alone turned a DANE-less second MX into "Protected by DANE".
	 */
	{ "every MX's addresses bogus, no policy: indeterminate, never \"nothing can be read\"",
	  0, 0, 0, 0, 0, A, 1, { BOGUS_ADDR("mx", 0) }, VERDICT_INDETERMINATE, -1, "mx", 0,
	  "failed DNSSEC validation (bogus)", "nothing can be read" },
	{ "DANE MX and an MX with bogus addresses: indeterminate, not DANE", 0, 0, 0, 0, 0, A, 2,
	  { GOOD_DANE("mx1"), BOGUS_ADDR("mx2", 0) }, VERDICT_INDETERMINATE, -1, "mx2", 0,
	  "other MX hosts are protected", "Protected by DANE" },
	{ "MTA-STS enforce, an MX with bogus addresses: enforcing senders authenticate it, "
	  "but DANE senders that resolve it follow TLSA records not seen whole here: indeterminate "
	  "(third review)", 0, 0, 0, 0, 0, E, 2, { GOOD_STS("mx1"), BOGUS_ADDR("mx2", 1) },
	  VERDICT_INDETERMINATE, -1, "mx2", 0, "failed DNSSEC validation", "Protected" },
	{ "MTA-STS enforce, every MX's addresses bogus: indeterminate", 0, 0, 0, 0, 0, E,
	  1, { BOGUS_ADDR("mx", 1) }, VERDICT_INDETERMINATE, -1, "mx", 0, "failed DNSSEC validation",
	  "Protected" },
	{ "MTA-STS enforce, bogus addresses, no mx: pattern matches: indeterminate", 0, 0,
	  0, 0, 0, E, 1, { BOGUS_ADDR("mx", 0) }, VERDICT_INDETERMINATE, -1, "mx", 0,
	  "failed DNSSEC validation", "Protected" },
	/* review 2026-12-01 (second round): the rows it asked for */
	{ "unsigned MX RRset, bogus addresses, MTA-STS enforce: enforcing senders authenticate it",
	  0, 0, 0, 1, 0, E, 1, { BOGUS_ADDR("mx", 1) }, VERDICT_MTA_STS, 0, "mx", 1,
	  "fail DNSSEC validation", NULL },
	{ "unsigned MX RRset, address lookups failed, MTA-STS enforce: mta-sts", 0, 0, 0, 1, 0, E, 1,
	  { { "mx", VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE, 1, 0, 0, 0, 0, 0, 0 } }, VERDICT_MTA_STS,
	  0, NULL, 0, "enforce mode", NULL },
	{ "unsigned MX RRset, a host beyond the ceiling: forge the MX", 0, 0, 0, 1, 0, A, 1,
	  { { "mx", VERDICT_USE_UNEXAMINED, VERDICT_DANE_NONE, 0, 0, 0, 0, 0, 0, 0 } }, VERDICT_NONE,
	  1, "mx", 0, "beyond the MX hosts mailtls examines", NULL },
	{ "unsigned MX RRset, address lookups failed, MTA-STS testing: readable", 0, 0, 0, 1, 0, T, 1,
	  { UNKNOWN("mx") }, VERDICT_MTA_STS_TESTING, 1, "mx", 0, "testing mode", NULL },
	{ "enforce: an STS MX and one whose TLSA lookup failed: indeterminate", 0, 0, 0, 0, 0, E, 2,
	  { GOOD_STS("mx1"), { "mx2", U, VERDICT_DANE_UNKNOWN, 1, 1, 1, 1, 1, 0, 1 } },
	  VERDICT_INDETERMINATE, -1, "mx2", 0, "other MX hosts are protected", "Protected" },
	{ "enforce: bogus TLSA on one MX, unusable TLSA on another: the unusable one is named", 0, 0,
	  0, 0, 0, E, 2, { { "mx1", U, VERDICT_DANE_BOGUS, 1, 1, 1, 1, 1, 0, 1 },
	  { "mx2", U, VERDICT_DANE_UNAUTH, 1, 1, 1, 1, 1, 0, 1 } }, VERDICT_NONE, 1, "mx2", 0,
	  "any certificate", NULL },
	/* an MX whose address lookups failed here, its TLSA records looked up all the same */
	{ "enforce: address lookups failed, TLSA all unusable: readable by a DANE-first sender "
	  "that resolves it (RFC 8461 §2)", 0, 0, 0, 0, 0, E, 2, { GOOD_STS("mx1"),
	  { "mx2", VERDICT_USE_UNKNOWN, VERDICT_DANE_UNAUTH, 1, 0, 0, 0, 0, 0, 0 } }, VERDICT_NONE, 1,
	  "mx2", 0, "any certificate", NULL },
	{ "enforce: address lookups failed, TLSA lookup failed too: indeterminate", 0, 0, 0, 0, 0, E,
	  2, { GOOD_STS("mx1"), { "mx2", VERDICT_USE_UNKNOWN, VERDICT_DANE_UNKNOWN, 1, 0, 0, 0, 0, 0,
	  0 } }, VERDICT_INDETERMINATE, -1, "mx2", 0, "unless its TLSA records", "Protected" },
	{ "enforce: address lookups failed, usable TLSA at the host: still indeterminate, the host "
	  "may be a secure alias whose target's records come first (RFC 7672 §2.2.2; third review)",
	  0, 0, 0, 0, 0, E, 2,
	  { GOOD_STS("mx1"), { "mx2", VERDICT_USE_UNKNOWN, VERDICT_DANE_AUTH, 1, 0, 0, 0, 0, 0, 0 } },
	  VERDICT_INDETERMINATE, -1, "mx2", 0, "other MX hosts are protected", "Protected" },
	{ "no policy: address lookups failed, TLSA all unusable: unknown (senders retry)", 0, 0, 0, 0,
	  0, A, 1, { { "mx", VERDICT_USE_UNKNOWN, VERDICT_DANE_UNAUTH, 0, 0, 0, 0, 0, 0, 0 } },
	  VERDICT_INDETERMINATE, -1, "mx", 0, "address lookups for mx failed", NULL },
	/* final review of 2026-12-01: rows for the decisions still without one */
	{ "unsigned MX RRset, enforce, an unknown host outside the patterns: mta-sts, delivery at "
	  "risk", 0, 0, 0, 1, 0, E, 2, { GOOD_STS("mx1"), UNKNOWN("mx2") }, VERDICT_MTA_STS, 0,
	  "mx2", 1, "matches no mx:", NULL },
	{ "unsigned MX RRset, enforce, every MX skipped: none, nobody can deliver", 0, 0, 0, 1, 0, E,
	  1, { SKIPPED("mx", VERDICT_USE_SKIP_NXDOMAIN) }, VERDICT_NONE, 0, NULL, 1,
	  "senders cannot deliver", NULL },
	{ "unsigned MX RRset, its only MX's addresses bogus: forge the MX (RFC 7672 §2.2.1), not "
	  "indeterminate (review 2026-12-01)", 0, 0, 0, 1, 0, A, 1, { BOGUS_ADDR("mx", 0) },
	  VERDICT_NONE, 1, "mx", 0, "forge the unsigned MX records", "strip STARTTLS" },
	{ "unsigned MX RRset, address lookups failed: forge the MX", 0, 0, 0, 1, 0, A, 1,
	  { UNKNOWN("mx") }, VERDICT_NONE, 1, "mx", 0, "its address lookups failed here", NULL },
	{ "unsigned MX RRset, a failed host and a used one: the used one is named", 0, 0, 0, 1, 0, A,
	  2, { UNKNOWN("mx1"), PLAIN("mx2") }, VERDICT_NONE, 1, "mx2", 0, "strip STARTTLS from mx2",
	  NULL },
	{ "unsigned MX RRset, bogus addresses, _mta-sts unknown: indeterminate", 0, 0, 0, 1, 1, A, 1,
	  { BOGUS_ADDR("mx", 0) }, VERDICT_INDETERMINATE, -1, "mx", 0, "could not be learned", NULL },
	{ "bogus TLSA, _mta-sts lookup failed: indeterminate", 0, 0, 0, 0, 1, A, 1,
	  { { "mx", U, VERDICT_DANE_BOGUS, 0, 1, 1, 1, 1, 0, 0 } }, VERDICT_INDETERMINATE, -1, "mx", 0,
	  "failed DNSSEC validation", NULL },
	{ "bogus TLSA, MTA-STS testing: indeterminate, not protected", 0, 0, 0, 0, 0, T, 1,
	  { { "mx", U, VERDICT_DANE_BOGUS, 1, 1, 1, 1, 1, 0, 1 } }, VERDICT_INDETERMINATE, -1, "mx",
	  0, "failed DNSSEC validation", "Protected" },
	{ "unknown MX next to a weak one: weak decides", 0, 0, 0, 0, 0, A, 2,
	  { UNKNOWN("mx1"), PLAIN("mx2") }, VERDICT_NONE, 1, "mx2", 0, "strip STARTTLS from mx2",
	  NULL },
	{ "unknown MX next to a protected one: indeterminate", 0, 0, 0, 0, 0, A, 2,
	  { GOOD_DANE("mx1"), UNKNOWN("mx2") }, VERDICT_INDETERMINATE, -1, "mx2", 0,
	  "other MX hosts are protected", NULL },
	{ "unknown MX under sts enforce: enforcing senders authenticate it later, but the TLSA records "
	  "a DANE sender follows first are not known: indeterminate (third review of 2026-12-01)",
	  0, 0, 0, 0, 0, E, 2,
	  { GOOD_STS("mx1"), { "mx2", VERDICT_USE_UNKNOWN, VERDICT_DANE_NONE, 1, 0, 0, 0, 0, 0, 0 } },
	  VERDICT_INDETERMINATE, -1, "mx2", 0, "unless its TLSA records", "Protected" },
	/* issue 7.8: unreachable from here is not a certificate failure */
	{ "issue 7.8: dane MX, IPv6 address unreachable from here: not deferred", 0, 0, 0, 0, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_AUTH, 0, 2, 1, 1, 1, 1, 0 } }, VERDICT_DANE, 0, NULL, 0,
	  "could not be reached from here", "deferred" },
	{ "issue 7.8: dane MX, nothing reachable from here: not deferred", 0, 0, 0, 0, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_AUTH, 0, 1, 0, 0, 0, 0, 0 } }, VERDICT_DANE, 0, NULL, 0,
	  "Protected by DANE", "deferred" },
	{ "issue 7.8: sts MX unreachable from here: not deferred", 0, 0, 0, 0, 0, E, 1,
	  { { "mx", U, VERDICT_DANE_NONE, 1, 1, 0, 0, 0, 0, 0 } }, VERDICT_MTA_STS, 0, NULL, 0,
	  "enforce mode", "deferred" },
	{ "no dane, unreachable from here: still strippable", 0, 0, 0, 0, 0, A, 1,
	  { { "mx", U, VERDICT_DANE_NONE, 0, 1, 0, 0, 0, 0, 0 } }, VERDICT_NONE, 1, "mx", 0,
	  "strip STARTTLS", NULL },
	{ "MX list truncated, examined ones protected: indeterminate, never protected", 0, 0, 0, 0, 0, A, 2,
	  { GOOD_DANE("mx1"), { "3 more", VERDICT_USE_UNEXAMINED, VERDICT_DANE_NONE, 0, 0, 0, 0, 0, 0, 0 } },
	  VERDICT_INDETERMINATE, -1, "3 more", 0, "more MX hosts than mailtls examines", NULL },
	{ "MX list truncated, an examined one weak: readable", 0, 0, 0, 0, 0, A, 2,
	  { PLAIN("mx1"), { "3 more", VERDICT_USE_UNEXAMINED, VERDICT_DANE_NONE, 0, 0, 0, 0, 0, 0, 0 } },
	  VERDICT_NONE, 1, "mx1", 0, "strip STARTTLS from mx1", NULL },
	/* second review (after d8d0468) */
	{ "policy unknown, one MX strippable, another with unusable TLSA: readable whatever the policy",
	  0, 0, 0, 0, 1, A, 2, { PLAIN("mx1"), { "mx2", U, VERDICT_DANE_UNAUTH, 0, 1, 1, 1, 1, 0, 0 } },
	  VERDICT_NONE, 1, "mx2", 0, "any certificate", NULL },
	{ "truncated list under enforce: the unexamined hosts are not called deferred, and their TLSA "
	  "records were never seen: indeterminate (third review)", 0, 0, 0, 0, 0,
	  E, 2, { GOOD_STS("mx1"), { "3 more", VERDICT_USE_UNEXAMINED, VERDICT_DANE_NONE, 0, 0, 0, 0,
	  0, 0, 0 } }, VERDICT_INDETERMINATE, -1, "3 more", 0, "more MX hosts than mailtls examines",
	  "deferred" },
	{ "truncated list under enforce, unsigned MX RRset: mta-sts (DANE cannot count there)", 0, 0,
	  0, 1, 0, E, 2, { GOOD_STS("mx1"), { "3 more", VERDICT_USE_UNEXAMINED, VERDICT_DANE_NONE, 0,
	  0, 0, 0, 0, 0, 0 } }, VERDICT_MTA_STS, 0, NULL, 0, "enforce mode", "deferred" },
	{ "TLSA lookup failed under enforce: the TLSA records DANE senders follow first (RFC 8461 §2) "
	  "may all be unusable: indeterminate (review 2026-12-01; was mta-sts)", 0, 0, 0, 0, 0, E, 1,
	  { { "mx", U, VERDICT_DANE_UNKNOWN, 1, 1, 1, 1, 1, 0, 1 } }, VERDICT_INDETERMINATE, -1, "mx",
	  0, "unless its TLSA records", "Protected" },
	{ "bogus TLSA under enforce: as a failed lookup, indeterminate (review 2026-12-01)", 0, 0, 0,
	  0, 0, E, 1, { { "mx", U, VERDICT_DANE_BOGUS, 1, 1, 1, 1, 1, 0, 1 } }, VERDICT_INDETERMINATE,
	  -1, "mx", 0, "unless its TLSA records", "Protected" },
	{ "unusable TLSA, MTA-STS testing: readable", 0, 0, 0, 0, 0, T, 1,
	  { { "mx", U, VERDICT_DANE_UNAUTH, 1, 1, 1, 1, 1, 0, 1 } }, VERDICT_MTA_STS_TESTING, 1, "mx", 0,
	  "only in testing mode", NULL },
	{ "unsigned MX RRset, MTA-STS testing: forged MX", 0, 0, 0, 1, 0, T, 1,
	  { { "mx", U, VERDICT_DANE_NONE, 1, 1, 1, 1, 1, 0, 1 } }, VERDICT_MTA_STS_TESTING, 1, "mx", 0,
	  "forge", NULL },
	{ "every MX skipped under enforce: nobody delivers", 0, 0, 0, 0, 0, E, 1,
	  { SKIPPED("gone", VERDICT_USE_SKIP_NXDOMAIN) }, VERDICT_NONE, 0, NULL, 1, "cannot deliver",
	  NULL },
	{ "IP-literal MX under enforce: matches no pattern, deferred", 0, 0, 0, 0, 0, E, 2,
	  { GOOD_STS("mx1"), PLAIN("192.0.2.1") }, VERDICT_MTA_STS, 0, "192.0.2.1", 1,
	  "matches no mx: pattern", NULL },
	{ "no mx at all and no failure flag: indeterminate, never 'nothing protects'", 0, 0, 0, 0, 0, A, 0,
	  { { 0 } }, VERDICT_INDETERMINATE, -1, NULL, 0, "Could not be determined", NULL },
};

static void
test_golden(void **state)
{
	struct verdict_input in;
	struct verdict v;
	size_t i;

	for (i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		const struct golden *g = &golden[i];

		memset(&in, 0, sizeof(in));
		in.null_mx = g->null_mx;
		in.mx_bogus = g->bogus;
		in.mx_failed = g->failed;
		in.mx_insecure = g->mx_insecure;
		in.sts_unknown = g->sts_unknown;
		in.sts = g->sts;
		in.nmx = g->nmx;
		in.mx = g->mx;
		verdict_decide(&in, &v);
		if (v.protection != g->want || v.can_read != g->can_read ||
		    v.delivery_at_risk != g->at_risk || strstr(v.sentence, g->says) == NULL ||
		    (g->never && strstr(v.sentence, g->never) != NULL) ||
		    (g->weakest == NULL) != (v.weakest == NULL) ||
		    (g->weakest && strcmp(g->weakest, v.weakest) != 0))
			fail_msg("%s: got %s can_read=%d at_risk=%d weakest=%s \"%s\"", g->name,
			    verdict_protection_name(v.protection), v.can_read, v.delivery_at_risk,
			    v.weakest ? v.weakest : "-", v.sentence);
	}
}

/* DNS only (policyd, quick scans): protected says the certificates were not checked */
static void
test_not_probed(void **state)
{
	struct verdict_mx mx = { "mx", VERDICT_USE_USED, VERDICT_DANE_AUTH, 0, 1, 0, 0, 0, 0, 0, 0, 1 };
	struct verdict_input in;
	struct verdict v;

	memset(&in, 0, sizeof(in));
	in.nmx = 1;
	in.mx = &mx;
	in.not_probed = 1;
	verdict_decide(&in, &v);
	assert_int_equal(v.protection, VERDICT_DANE);
	assert_int_equal(v.can_read, 0);
	assert_non_null(strstr(v.sentence, "not probed"));
	assert_null(strstr(v.sentence, "reached"));
}

static void
test_nxdomain(void **state)
{
	struct verdict_input in;
	struct verdict v;

	memset(&in, 0, sizeof(in));
	in.nxdomain = 1;
	verdict_decide(&in, &v);
	assert_int_equal(v.protection, VERDICT_NONE);
	assert_false(v.accepts_mail);
	assert_false(v.can_read);
	assert_non_null(strstr(v.sentence, "does not exist"));
	/* an NXDOMAIN that fails validation is no proof: the bogus MX answer decides (readable) */
	in.mx_bogus = 1;
	verdict_decide(&in, &v);
	assert_int_equal(v.protection, VERDICT_NONE);
	assert_true(v.can_read);
	assert_non_null(strstr(v.sentence, "fail DNSSEC validation"));
}

static void
test_names(void **state)
{
	assert_string_equal(verdict_protection_name(VERDICT_DANE), "dane");
	assert_string_equal(verdict_protection_name(VERDICT_MTA_STS), "mta-sts");
	assert_string_equal(verdict_protection_name(VERDICT_MTA_STS_TESTING), "mta-sts-testing");
	assert_string_equal(verdict_protection_name(VERDICT_NONE), "none");
	assert_string_equal(verdict_protection_name(VERDICT_INDETERMINATE), "indeterminate");
	assert_string_equal(verdict_protection_name(VERDICT_LAST), "?");
	assert_string_equal(verdict_use_name(VERDICT_USE_SKIP_NXDOMAIN), "skipped-nxdomain");
	assert_string_equal(verdict_dane_name(VERDICT_DANE_UNAUTH), "unauthenticated");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_table),
		cmocka_unit_test(test_tlsa_relevant),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_not_probed),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
