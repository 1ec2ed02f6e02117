/*
 * test_policy.c — the sender policy decision table (lib/policy/policy.c), one row per line of
 * docs/internals/policy.md, with the rule behind it; and the Postfix value of each level.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "check/check.h"
#include "policy/pins.h"
#include "policy/policy.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* MX shorthands: use, DANE for senders, matches the STS policy, probe facts */
#define USED		VERDICT_USE_USED
#define AUTH		VERDICT_DANE_AUTH
#define UNAUTH		VERDICT_DANE_UNAUTH
#define BOGUS		VERDICT_DANE_BOGUS
#define NODANE		VERDICT_DANE_NONE
#define DUNK		VERDICT_DANE_UNKNOWN
/* host, use, dane, sts_match, reached, starttls, dane_ok, webpki_ok */
#define MX_OK(h, d, m)		{ h, USED, d, m, 1, 1, 1, 1, 0, { NULL }, 0 }
#define MX_NOTLS(h, d, m)	{ h, USED, d, m, 1, 0, 0, 0, 0, { NULL }, 0 }
#define MX_BADCERT(h, d, m)	{ h, USED, d, m, 1, 1, 1, 0, 0, { NULL }, 0 }
#define MX_MISMATCH(h)		{ h, USED, AUTH, 0, 1, 1, 0, 1, 0, { NULL }, 0 }
#define MX_USE(h, u)		{ h, u, NODANE, 0, 0, 0, 0, 0, 0, { NULL }, 0 }

struct row {
	const char		*what;		/* the case, with the rule behind it */
	int			 accepts, mx_failed, mx_bogus;
	enum verdict_sts	 sts;
	int			 probed, pin;
	size_t			 nmx;
	struct policy_mx_facts	 mx[3];
	/* expected */
	enum policy_level	 level;
	enum policy_basis	 basis;
	const char		*rule;
	const char		*postfix;
	const char		*warnings;	/* "id@host id ..." in order */
};

static const char *const sts_pat[] = { "mx.example", "*.example.net" };
static const char *const bad_pat[] = { "mx.example", "a:b.example" };	/* P5b */

static const struct row rows[] = {
	{ "P1 MX lookup failed, no enforced policy: TEMP (RFC 5321 §5: senders retry)",
	  1, 1, 0, VERDICT_STS_ABSENT, 0, 0, 0, { { 0 } },
	  POLICY_LEVEL_DEFAULT, POLICY_BASIS_UNKNOWN, "P1", "", "policy.dns_failed" },
	{ "P1 MX lookup failed, MTA-STS testing: still TEMP",
	  1, 1, 0, VERDICT_STS_TESTING, 0, 0, 0, { { 0 } },
	  POLICY_LEVEL_DEFAULT, POLICY_BASIS_UNKNOWN, "P1", "", "policy.dns_failed" },
	{ "P5 MX lookup failed, MTA-STS enforce: secure (RFC 8461 §4.1 whatever MX is found)",
	  1, 1, 0, VERDICT_STS_ENFORCE, 0, 0, 0, { { 0 } },
	  POLICY_LEVEL_SECURE, POLICY_BASIS_MTA_STS, "P5",
	  "secure match=mx.example:.example.net servername=hostname", "" },
	{ "P2 null MX (RFC 7505): no entry",
	  0, 0, 0, VERDICT_STS_ABSENT, 0, 0, 0, { { 0 } },
	  POLICY_LEVEL_DEFAULT, POLICY_BASIS_NONE, "P2", "", "" },
	{ "P5 null MX or NXDOMAIN under MTA-STS enforce (forgeable for policyd's lookup alone): "
	  "secure, never NOTFOUND",
	  0, 0, 0, VERDICT_STS_ENFORCE, 0, 0, 0, { { 0 } },
	  POLICY_LEVEL_SECURE, POLICY_BASIS_MTA_STS, "P5",
	  "secure match=mx.example:.example.net servername=hostname", "" },
	{ "P3 bogus MX RRset (maybe stripped for policyd alone): dane, never NOTFOUND; the sender "
	  "looks again and defers on bogus (RFC 4035 §5.5, RFC 7672 §2.2.1) (fourth review)",
	  1, 0, 1, VERDICT_STS_ABSENT, 0, 0, 1, { MX_OK("mx.example", NODANE, 0) },
	  POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P3", "dane", "policy.mx_bogus" },
	{ "P7 every MX's address lookup bogus (stripped for policyd alone): dane, not P10 (fourth review)",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 2,
	  { { "a.example", VERDICT_USE_UNKNOWN, NODANE, 0, 0, 0, 0, 0, 0, { NULL }, 1 },
	    { "b.example", VERDICT_USE_UNKNOWN, NODANE, 0, 0, 0, 0, 0, 0, { NULL }, 1 } },
	  POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P7", "dane",
	  "policy.mx_unknown@a.example policy.mx_unknown@b.example" },
	{ "P4 DANE MX and an MX whose address lookup is bogus: dane-only still (it defers anyway)",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 2,
	  { MX_OK("a.example", AUTH, 0),
	    { "b.example", VERDICT_USE_UNKNOWN, NODANE, 0, 0, 0, 0, 0, 0, { NULL }, 1 } },
	  POLICY_LEVEL_DANE_ONLY, POLICY_BASIS_DANE, "P4", "dane-only", "policy.mx_unknown@b.example" },
	{ "P10 an MX proven to have no address (secure empty answers) is skipped: may",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 2,
	  { MX_OK("a.example", NODANE, 0), MX_USE("b.example", VERDICT_USE_SKIP_NO_ADDRESS) },
	  POLICY_LEVEL_MAY, POLICY_BASIS_NONE, "P10", "may", "" },
	{ "P5 bogus MX RRset under MTA-STS enforce: secure (check.md §3)",
	  1, 0, 1, VERDICT_STS_ENFORCE, 0, 0, 1, { MX_OK("mx.example", NODANE, 1) },
	  POLICY_LEVEL_SECURE, POLICY_BASIS_MTA_STS, "P5",
	  "secure match=mx.example:.example.net servername=hostname", "" },
	{ "P4 every MX DANE-authenticated: dane-only (RFC 7672 §2.2)",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 2, { MX_OK("a.example", AUTH, 0), MX_OK("b.example", AUTH, 0) },
	  POLICY_LEVEL_DANE_ONLY, POLICY_BASIS_DANE, "P4", "dane-only", "" },
	{ "P4 DANE everywhere and MTA-STS enforce: DANE wins (RFC 8461 §2)",
	  1, 0, 0, VERDICT_STS_ENFORCE, 0, 0, 1, { MX_OK("mx.example", AUTH, 1) },
	  POLICY_LEVEL_DANE_ONLY, POLICY_BASIS_DANE, "P4", "dane-only", "" },
	{ "P4 DANE, probed: TLSA mismatch is deferred today",
	  1, 0, 0, VERDICT_STS_ABSENT, 1, 0, 2, { MX_OK("a.example", AUTH, 0), MX_MISMATCH("b.example") },
	  POLICY_LEVEL_DANE_ONLY, POLICY_BASIS_DANE, "P4", "dane-only", "policy.dane_mismatch@b.example" },
	{ "P4 DANE, probed: no STARTTLS is deferred today (RFC 7672 §2.2)",
	  1, 0, 0, VERDICT_STS_ABSENT, 1, 0, 1, { MX_NOTLS("a.example", AUTH, 0) },
	  POLICY_LEVEL_DANE_ONLY, POLICY_BASIS_DANE, "P4", "dane-only", "policy.dane_no_starttls@a.example" },
	{ "P4 DANE and a bogus TLSA lookup: dane-only, the bogus one defers (RFC 7672 §2.2)",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 2, { MX_OK("a.example", AUTH, 0), MX_OK("b.example", BOGUS, 0) },
	  POLICY_LEVEL_DANE_ONLY, POLICY_BASIS_DANE, "P4", "dane-only", "policy.dane_bogus@b.example" },
	{ "P4 DANE, not probed: a mismatch is not known, no warning",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 1, { MX_MISMATCH("a.example") },
	  POLICY_LEVEL_DANE_ONLY, POLICY_BASIS_DANE, "P4", "dane-only", "" },
	{ "P5 MTA-STS enforce: secure with the patterns, '*.' as '.' (RFC 8461 §4.1)",
	  1, 0, 0, VERDICT_STS_ENFORCE, 0, 0, 1, { MX_OK("mx.example", NODANE, 1) },
	  POLICY_LEVEL_SECURE, POLICY_BASIS_MTA_STS, "P5",
	  "secure match=mx.example:.example.net servername=hostname", "" },
	{ "P5 MTA-STS enforce, an MX outside the patterns: deferred today (RFC 8461 §5.1)",
	  1, 0, 0, VERDICT_STS_ENFORCE, 0, 0, 2, { MX_OK("mx.example", NODANE, 1), MX_OK("other.example", NODANE, 0) },
	  POLICY_LEVEL_SECURE, POLICY_BASIS_MTA_STS, "P5",
	  "secure match=mx.example:.example.net servername=hostname", "policy.sts_mx_outside@other.example" },
	{ "P5 MTA-STS enforce, probed, bad certificate: deferred today (RFC 8461 §4.2)",
	  1, 0, 0, VERDICT_STS_ENFORCE, 1, 0, 1, { MX_BADCERT("mx.example", NODANE, 1) },
	  POLICY_LEVEL_SECURE, POLICY_BASIS_MTA_STS, "P5",
	  "secure match=mx.example:.example.net servername=hostname", "policy.sts_cert_invalid@mx.example" },
	{ "P5 MTA-STS enforce, DANE on one MX only: secure, DANE MX held to WebPKI too",
	  1, 0, 0, VERDICT_STS_ENFORCE, 0, 0, 2, { MX_OK("mx.example", AUTH, 1), MX_OK("b.example.net", NODANE, 1) },
	  POLICY_LEVEL_SECURE, POLICY_BASIS_MTA_STS, "P5",
	  "secure match=mx.example:.example.net servername=hostname", "policy.dane_under_sts@mx.example" },
	{ "P6 secure TLSA none usable: encrypt (RFC 7672 §2.2)",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 1, { MX_OK("mx.example", UNAUTH, 0) },
	  POLICY_LEVEL_ENCRYPT, POLICY_BASIS_DANE, "P6", "encrypt", "policy.dane_unusable@mx.example" },
	{ "P7 DANE on one of two MX: dane, not dane-only",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 2, { MX_OK("a.example", AUTH, 0), MX_OK("b.example", NODANE, 0) },
	  POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P7", "dane", "policy.dane_partial@b.example" },
	{ "P7 usable and unusable TLSA: dane (authenticates one, encrypts the other)",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 2, { MX_OK("a.example", AUTH, 0), MX_OK("b.example", UNAUTH, 0) },
	  POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P7", "dane", "policy.dane_unusable@b.example" },
	{ "P7 DANE and an MX whose TLSA lookup failed: dane, unknown MX named",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 2, { MX_OK("a.example", AUTH, 0), MX_OK("b.example", DUNK, 0) },
	  POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P7", "dane", "policy.mx_unknown@b.example" },
	{ "P10 MTA-STS testing: no enforcement (RFC 8461 §5)",
	  1, 0, 0, VERDICT_STS_TESTING, 0, 0, 1, { MX_OK("mx.example", NODANE, 1) },
	  POLICY_LEVEL_MAY, POLICY_BASIS_NONE, "P10", "may", "policy.sts_testing" },
	{ "P10 nothing published: may (RFC 3207, RFC 7435)",
	  1, 0, 0, VERDICT_STS_ABSENT, 1, 0, 1, { MX_OK("mx.example", NODANE, 0) },
	  POLICY_LEVEL_MAY, POLICY_BASIS_NONE, "P10", "may", "" },
	{ "P10 MTA-STS mode none: may",
	  1, 0, 0, VERDICT_STS_NONE, 0, 0, 1, { MX_OK("mx.example", NODANE, 1) },
	  POLICY_LEVEL_MAY, POLICY_BASIS_NONE, "P10", "may", "" },
	{ "P7 skipped MX left out, an MX whose lookups failed: dane, the sender looks again (second review)",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 3, { MX_OK("mx.example", NODANE, 0),
	    MX_USE("gone.example", VERDICT_USE_SKIP_NXDOMAIN), MX_USE("slow.example", VERDICT_USE_UNKNOWN) },
	  POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P7", "dane",
	  "policy.dane_partial@mx.example policy.mx_unknown@slow.example" },
	{ "P7 single MX whose TLSA lookup failed: dane, never may (second review)",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 1, { MX_OK("mx.example", DUNK, 0) },
	  POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P7", "dane", "policy.mx_unknown@mx.example" },
	{ "P7 single MX whose address lookups failed: dane, never may (second review)",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 1, { MX_USE("mx.example", VERDICT_USE_UNKNOWN) },
	  POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P7", "dane", "policy.mx_unknown@mx.example" },
	{ "P5 over P6: all TLSA unusable but MTA-STS enforce: secure (this sender checks WebPKI)",
	  1, 0, 0, VERDICT_STS_ENFORCE, 0, 0, 1, { MX_OK("mx.example", UNAUTH, 1) },
	  POLICY_LEVEL_SECURE, POLICY_BASIS_MTA_STS, "P5",
	  "secure match=mx.example:.example.net servername=hostname", "" },
	{ "P4 blocked by an unexamined MX: dane, not dane-only",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 2, { MX_OK("a.example", AUTH, 0),
	    MX_USE("3 more", VERDICT_USE_UNEXAMINED) },
	  POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P7", "dane", "policy.mx_unknown@3 more" },
	{ "P10 an MX beyond the ceiling is not a lookup failure: may",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 0, 2, { MX_OK("mx.example", NODANE, 0),
	    MX_USE("3 more", VERDICT_USE_UNEXAMINED) },
	  POLICY_LEVEL_MAY, POLICY_BASIS_NONE, "P10", "may", "policy.mx_unknown@3 more" },
	{ "P8 --pin, every MX with STARTTLS and a valid certificate: secure on the MX names",
	  1, 0, 0, VERDICT_STS_ABSENT, 1, 1, 2, { MX_OK("a.example", NODANE, 0), MX_OK("b.example", NODANE, 0) },
	  POLICY_LEVEL_SECURE, POLICY_BASIS_OBSERVED, "P8",
	  "secure match=a.example:b.example servername=hostname", "policy.observed_pin" },
	{ "P9 --pin, STARTTLS everywhere, one certificate invalid: encrypt",
	  1, 0, 0, VERDICT_STS_ABSENT, 1, 1, 2, { MX_OK("a.example", NODANE, 0), MX_BADCERT("b.example", NODANE, 0) },
	  POLICY_LEVEL_ENCRYPT, POLICY_BASIS_OBSERVED, "P9", "encrypt", "policy.observed_pin" },
	{ "P10 --pin, an MX without STARTTLS: nothing to pin",
	  1, 0, 0, VERDICT_STS_ABSENT, 1, 1, 2, { MX_OK("a.example", NODANE, 0), MX_NOTLS("b.example", NODANE, 0) },
	  POLICY_LEVEL_MAY, POLICY_BASIS_NONE, "P10", "may", "" },
	{ "P10 --pin without probes: nothing to pin",
	  1, 0, 0, VERDICT_STS_ABSENT, 0, 1, 1, { MX_OK("a.example", NODANE, 0) },
	  POLICY_LEVEL_MAY, POLICY_BASIS_NONE, "P10", "may", "" },
	{ "P10 --pin with an MX not reached: nothing to pin",
	  1, 0, 0, VERDICT_STS_ABSENT, 1, 1, 1, { { "a.example", USED, NODANE, 0, 0, 0, 0, 0, 0, { NULL } } },
	  POLICY_LEVEL_MAY, POLICY_BASIS_NONE, "P10", "may", "" },
};

static void
warnings_string(const struct policy_decision *d, char *out, size_t size)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < d->nwarn; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s%s%s", i ? " " : "",
		    policy_warning_name(d->warn[i].id), d->warn[i].host ? "@" : "",
		    d->warn[i].host ? d->warn[i].host : "");
}

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		const struct row *r = &rows[i];
		struct policy_facts f;
		struct policy_decision d;
		char pf[POLICY_MATCH_MAX + 64], w[1024];

		memset(&f, 0, sizeof(f));
		f.domain = "example";
		f.accepts_mail = r->accepts;
		f.mx_failed = r->mx_failed;
		f.mx_bogus = r->mx_bogus;
		f.sts = r->sts;
		if (r->sts != VERDICT_STS_ABSENT) {
			f.sts_mx = sts_pat;
			f.sts_nmx = NELEM(sts_pat);
		}
		f.probed = r->probed;
		f.pin = r->pin;
		f.nmx = r->nmx;
		f.mx = r->mx;
		policy_decide(&f, &d);
		assert_true(policy_postfix(&d, pf, sizeof(pf)) >= 0);
		warnings_string(&d, w, sizeof(w));
		if (d.level != r->level || d.basis != r->basis || strcmp(d.rule, r->rule) != 0 ||
		    strcmp(pf, r->postfix) != 0 || strcmp(w, r->warnings) != 0)
			fail_msg("row %zu (%s): got %s/%s %s '%s' [%s]", i, r->what,
			    policy_level_name(d.level), policy_basis_name(d.basis), d.rule, pf, w);
	}
}

/* Patterns that cannot go into a match= list keep TLS mandatory (P5b). */
static void
test_bad_patterns(void **state)
{
	static const char *const bad[] = { "mx.example", "a:b.example" };
	const struct policy_mx_facts mx[1] = { MX_OK("mx.example", NODANE, 1) };
	struct policy_facts f;
	struct policy_decision d;
	char pf[64];

	(void)state;
	memset(&f, 0, sizeof(f));
	f.accepts_mail = 1;
	f.sts = VERDICT_STS_ENFORCE;
	f.sts_mx = bad;
	f.sts_nmx = 2;
	f.nmx = 1;
	f.mx = mx;
	policy_decide(&f, &d);
	assert_int_equal(d.level, POLICY_LEVEL_ENCRYPT);
	assert_string_equal(d.rule, "P5b");
	assert_string_equal(d.match, "");
	policy_postfix(&d, pf, sizeof(pf));
	assert_string_equal(pf, "encrypt");
	/* the lost authentication is said (any MX, any certificate), not hidden */
	assert_int_equal(d.nwarn, 1);
	assert_int_equal(d.warn[0].id, POLICY_W_STS_UNENFORCEABLE);
	assert_string_equal(policy_warning_name(d.warn[0].id), "policy.sts_unenforceable");
}

static void
test_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < POLICY_W_LAST; i++) {
		assert_true(strncmp(policy_warning_name((enum policy_warning)i), "policy.", 7) == 0);
		assert_true(strlen(policy_warning_text((enum policy_warning)i)) > 10);
	}
	assert_string_equal(policy_level_name(POLICY_LEVEL_DANE_ONLY), "dane-only");
	assert_string_equal(policy_level_name(POLICY_LEVEL_LAST), "?");
	assert_true(policy_defers_today(POLICY_W_DANE_MISMATCH));
	assert_false(policy_defers_today(POLICY_W_STS_TESTING));
}

/* The MTA-STS cache rows M1-M5 (RFC 8461 §5.1, §3.2, §8.3). */
static void
test_sts_merge(void **state)
{
	static const struct policy_sts_cached held = { 1, 1000, 2000 }, none = { 0, 0, 0 };
	static const struct {
		const char		*what;
		const struct policy_sts_cached *c;
		long			 now;
		int			 fetched, skipped;
		enum policy_sts_merge	 want;
	} m[] = {
		{ "M1 fetched, nothing held", &none, 1500, 1, 0, POLICY_STS_REPLACE },
		{ "M1 fetched replaces the held one", &held, 1500, 1, 0, POLICY_STS_REPLACE },
		{ "M1 fetched after expiry", &held, 2500, 1, 0, POLICY_STS_REPLACE },
		{ "M2 held one expired, nothing new", &held, 2000, 0, 0, POLICY_STS_DROP },
		{ "M3 id unchanged", &held, 1500, 0, 1, POLICY_STS_KEEP },
		{ "M4 record gone or fetch failed: kept until expiry", &held, 1999, 0, 0, POLICY_STS_KEEP },
		{ "M5 nothing held, nothing fetched", &none, 1500, 0, 0, POLICY_STS_NONE },
		{ "M5 no cache at all", NULL, 1500, 0, 0, POLICY_STS_NONE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(m); i++)
		if (policy_sts_merge(m[i].c, m[i].now, m[i].fetched, m[i].skipped) != m[i].want)
			fail_msg("%s", m[i].what);
	assert_false(policy_sts_refetch(&held, 1500, 100));
	assert_true(policy_sts_refetch(&held, 1950, 100));
	assert_true(policy_sts_refetch(&none, 1500, 100));
	assert_true(policy_sts_refetch(NULL, 1500, 100));
}

/* SHA-256 hex pins and their Postfix form */
#define PIN_A	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define PIN_B	"ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define FP_A	"00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"
#define FP_B	"FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00:FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00"
#define MX_PIN(h, d, m, n, ...)	{ h, USED, d, m, 0, 0, 0, 0, n, { __VA_ARGS__ }, 0 }

/*
 * Row P8h: usable pins from the scan history (policyd --pin-from-history) wherever nothing
 * published applies, whatever MX set the lookup shows: the match= list is the stored pins (hist),
 * and a live MX without one defers (fail closed, docs/internals/policy.md).
 */
static void
test_history_pins(void **state)
{
	static const struct {
		const char		*what;
		enum verdict_sts	 sts;
		size_t			 nmx;
		struct policy_mx_facts	 mx[3];
		const char		*hist[3];	/* the domain's stored pins */
		const char		*rule;
		const char		*postfix;
		const char		*warnings;
		int			 no_mail, mx_bogus, sts_bad;	/* facts, default 0 */
	} h[] = {
		{ "P8h every MX pinned, nothing published: fingerprint, keys of all MX hosts",
		  VERDICT_STS_ABSENT, 2, { MX_PIN("a.example", NODANE, 0, 1, PIN_A), MX_PIN("b.example", NODANE, 0, 1, PIN_B) },
		  { PIN_A, PIN_B, NULL },
		  "P8h", "fingerprint match=" FP_A "|" FP_B " servername=hostname", "policy.history_pin" },
		{ "P8h the same key on two MX hosts is listed once",
		  VERDICT_STS_ABSENT, 2, { MX_PIN("a.example", NODANE, 0, 2, PIN_A, PIN_B), MX_PIN("b.example", NODANE, 0, 1, PIN_A) },
		  { PIN_A, PIN_B, PIN_A },
		  "P8h", "fingerprint match=" FP_A "|" FP_B " servername=hostname", "policy.history_pin" },
		{ "P8h under MTA-STS testing: the pin is the sender's own, testing is still said",
		  VERDICT_STS_TESTING, 1, { MX_PIN("mx.example", NODANE, 1, 1, PIN_A) }, { PIN_A, NULL, NULL },
		  "P8h", "fingerprint match=" FP_A " servername=hostname", "policy.sts_testing policy.history_pin" },
		{ "P8h a live MX the scan did not pin (added, or forged): fail closed, it defers",
		  VERDICT_STS_ABSENT, 2, { MX_PIN("a.example", NODANE, 0, 1, PIN_A), MX_PIN("evil.example", NODANE, 0, 0, NULL) },
		  { PIN_A, NULL, NULL },
		  "P8h", "fingerprint match=" FP_A " servername=hostname",
		  "policy.history_pin policy.history_mx_unpinned@evil.example" },
		{ "P8h the whole live MX set forged: the stored pins still, every MX defers",
		  VERDICT_STS_ABSENT, 1, { MX_PIN("evil.example", NODANE, 0, 0, NULL) }, { PIN_A, PIN_B, NULL },
		  "P8h", "fingerprint match=" FP_A "|" FP_B " servername=hostname",
		  "policy.history_pin policy.history_mx_unpinned@evil.example" },
		{ "P8h an MX dropped from the live set: the stored pins stay listed",
		  VERDICT_STS_ABSENT, 1, { MX_PIN("a.example", NODANE, 0, 1, PIN_A) }, { PIN_A, PIN_B, NULL },
		  "P8h", "fingerprint match=" FP_A "|" FP_B " servername=hostname", "policy.history_pin" },
		{ "P8h MX hosts beyond the ceiling (17 forged): fail closed, not opportunistic",
		  VERDICT_STS_ABSENT, 2, { MX_PIN("a.example", NODANE, 0, 1, PIN_A), MX_USE("3 more", VERDICT_USE_UNEXAMINED) },
		  { PIN_A, NULL, NULL },
		  "P8h", "fingerprint match=" FP_A " servername=hostname", "policy.history_pin policy.history_mx_unpinned@3 more" },
		{ "P8h a TLSA lookup blocked here: the pins, not P7's opportunistic rest",
		  VERDICT_STS_ABSENT, 1, { MX_PIN("a.example", DUNK, 0, 1, PIN_A) }, { PIN_A, NULL, NULL },
		  "P8h", "fingerprint match=" FP_A " servername=hostname", "policy.history_pin" },
		{ "P8h a skipped MX (NXDOMAIN) needs no pin",
		  VERDICT_STS_ABSENT, 2, { MX_PIN("a.example", NODANE, 0, 1, PIN_A), MX_USE("gone.example", VERDICT_USE_SKIP_NXDOMAIN) },
		  { PIN_A, NULL, NULL },
		  "P8h", "fingerprint match=" FP_A " servername=hostname", "policy.history_pin" },
		{ "P8h before P2: a forged null MX (unsigned domain) is no NOTFOUND while the sender "
		  "resolves the real MX", VERDICT_STS_ABSENT, 0, { { 0 } }, { PIN_A, NULL, NULL },
		  "P8h", "fingerprint match=" FP_A " servername=hostname", "policy.history_pin", 1 },
		{ "P8h before P2: a forged NXDOMAIN likewise",
		  VERDICT_STS_ABSENT, 0, { { 0 } }, { PIN_A, PIN_B, NULL },
		  "P8h", "fingerprint match=" FP_A "|" FP_B " servername=hostname", "policy.history_pin", 1 },
		{ "P8h before P3: a bogus MX RRset (signatures stripped) keeps the pin",
		  VERDICT_STS_ABSENT, 1, { MX_PIN("a.example", NODANE, 0, 1, PIN_A) }, { PIN_A, NULL, NULL },
		  "P8h", "fingerprint match=" FP_A " servername=hostname", "policy.mx_bogus policy.history_pin",
		  0, 1 },
		{ "P8h a bogus TLSA lookup is a failed lookup (RFC 7672 §2.2), not DANE: the pin, not P7",
		  VERDICT_STS_ABSENT, 1, { MX_PIN("a.example", BOGUS, 0, 1, PIN_A) }, { PIN_A, NULL, NULL },
		  "P8h", "fingerprint match=" FP_A " servername=hostname",
		  "policy.history_pin policy.dane_bogus@a.example" },
		{ "P8h a bogus TLSA lookup on one MX of two: the pin, not P7",
		  VERDICT_STS_ABSENT, 2, { MX_PIN("a.example", BOGUS, 0, 1, PIN_A), MX_PIN("b.example", NODANE, 0, 1, PIN_B) },
		  { PIN_A, PIN_B, NULL },
		  "P8h", "fingerprint match=" FP_A "|" FP_B " servername=hostname",
		  "policy.history_pin policy.dane_bogus@a.example" },
		{ "P8h before P5b: pins authenticate, P5b's encrypt accepts any certificate",
		  VERDICT_STS_ENFORCE, 1, { MX_PIN("mx.example", NODANE, 0, 1, PIN_A) }, { PIN_A, NULL, NULL },
		  "P8h", "fingerprint match=" FP_A " servername=hostname", "policy.history_pin", 0, 0, 1 },
		{ "P4 authenticated DANE and a bogus TLSA lookup: dane-only, the pin unused",
		  VERDICT_STS_ABSENT, 2, { MX_PIN("a.example", AUTH, 0, 1, PIN_A), MX_PIN("b.example", BOGUS, 0, 1, PIN_B) },
		  { PIN_A, PIN_B, NULL },
		  "P4", "dane-only", "policy.dane_bogus@b.example" },
		{ "P8h before P6: unusable TLSA and a usable pin: the pin, not encrypt's any certificate "
		  "(fourth review)",
		  VERDICT_STS_ABSENT, 1, { MX_PIN("a.example", UNAUTH, 0, 1, PIN_A) }, { PIN_A, NULL, NULL },
		  "P8h", "fingerprint match=" FP_A " servername=hostname", "policy.history_pin" },
		{ "P4 DANE is stronger: dane-only, the pin unused",
		  VERDICT_STS_ABSENT, 1, { MX_PIN("a.example", AUTH, 0, 1, PIN_A) }, { PIN_A, NULL, NULL },
		  "P4", "dane-only", "" },
		{ "P8h before P7: partial DANE, both MX pinned: the pins, not dane's opportunistic "
		  "non-DANE MX (fourth review)",
		  VERDICT_STS_ABSENT, 2, { MX_PIN("a.example", AUTH, 0, 1, PIN_A), MX_PIN("b.example", NODANE, 0, 1, PIN_B) },
		  { PIN_A, PIN_B, NULL },
		  "P8h", "fingerprint match=" FP_A "|" FP_B " servername=hostname", "policy.history_pin" },
		{ "P8h a bogus address lookup here: that MX named, the pins kept",
		  VERDICT_STS_ABSENT, 2, { MX_PIN("a.example", NODANE, 0, 1, PIN_A),
		  { "b.example", VERDICT_USE_UNKNOWN, NODANE, 0, 0, 0, 0, 0, 0, { NULL }, 1 } },
		  { PIN_A, PIN_B, NULL },
		  "P8h", "fingerprint match=" FP_A "|" FP_B " servername=hostname",
		  "policy.history_pin policy.history_mx_unpinned@b.example" },
		{ "P8h a bogus address lookup for an MX the scan pinned: in match=, not named as deferring",
		  VERDICT_STS_ABSENT, 2, { MX_PIN("a.example", NODANE, 0, 1, PIN_A),
		  { "b.example", VERDICT_USE_UNKNOWN, NODANE, 0, 0, 0, 0, 0, 1, { PIN_B }, 1 } },
		  { PIN_A, PIN_B, NULL },
		  "P8h", "fingerprint match=" FP_A "|" FP_B " servername=hostname", "policy.history_pin" },
		{ "P5 MTA-STS enforce is stronger: secure, the pin unused",
		  VERDICT_STS_ENFORCE, 1, { MX_PIN("mx.example", NODANE, 1, 1, PIN_A) }, { PIN_A, NULL, NULL },
		  "P5", "secure match=mx.example:.example.net servername=hostname", "" },
		{ "P10 a pin that is not SHA-256 hex is no pin",
		  VERDICT_STS_ABSENT, 1, { MX_PIN("a.example", NODANE, 0, 1, "00112233") }, { "00112233", NULL, NULL },
		  "P10", "may", "" },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < NELEM(h); i++) {
		struct policy_facts f;
		struct policy_decision d;
		char pf[POLICY_MATCH_MAX + 64], w[1024];

		memset(&f, 0, sizeof(f));
		f.domain = "example";
		f.accepts_mail = !h[i].no_mail;
		f.mx_bogus = h[i].mx_bogus;
		f.sts = h[i].sts;
		if (h[i].sts != VERDICT_STS_ABSENT) {
			f.sts_mx = h[i].sts_bad ? bad_pat : sts_pat;
			f.sts_nmx = h[i].sts_bad ? NELEM(bad_pat) : NELEM(sts_pat);
		}
		f.history = 1;
		for (k = 0; k < 3 && h[i].hist[k]; k++)
			f.hist_pin[f.nhist_pin++] = h[i].hist[k];
		f.nmx = h[i].nmx;
		f.mx = h[i].mx;
		policy_decide(&f, &d);
		assert_true(policy_postfix(&d, pf, sizeof(pf)) >= 0);
		warnings_string(&d, w, sizeof(w));
		if (strcmp(d.rule, h[i].rule) != 0 || strcmp(pf, h[i].postfix) != 0 ||
		    strcmp(w, h[i].warnings) != 0)
			fail_msg("%s: got %s '%s' [%s]", h[i].what, d.rule, pf, w);
		if (strcmp(d.rule, "P8h") == 0) {
			assert_int_equal(d.basis, POLICY_BASIS_HISTORY);
			assert_true(policy_defers_today(POLICY_W_HISTORY_UNPINNED));
		}
	}
	/* without usable pins (none, refused, --pin-from-history off) the same facts give none */
	{
		const struct policy_mx_facts mx[2] = { MX_PIN("a.example", NODANE, 0, 1, PIN_A),
		    MX_PIN("evil.example", NODANE, 0, 0, NULL) };
		struct policy_facts f;
		struct policy_decision d;

		memset(&f, 0, sizeof(f));
		f.accepts_mail = 1;
		f.nmx = 1;
		f.mx = mx;
		policy_decide(&f, &d);
		assert_string_equal(d.rule, "P10");
		f.nmx = 2;
		policy_decide(&f, &d);
		assert_string_equal(d.rule, "P10");
	}
}

/* Eleven distinct keys do not fit a match= list (POLICY_MATCH_MAX): no pin rather than a cut one. */
static void
test_history_pins_too_many(void **state)
{
	static char hex[12][POLICY_PIN_HEX + 1];
	struct policy_mx_facts mx[2];
	struct policy_facts f;
	struct policy_decision d;
	size_t i;

	(void)state;
	memset(mx, 0, sizeof(mx));
	for (i = 0; i < 12; i++) {
		memset(hex[i], 'a', POLICY_PIN_HEX);
		hex[i][0] = (char)('0' + i % 10);
		hex[i][1] = (char)('0' + i / 10);
	}
	mx[0].host = "a.example";
	mx[1].host = "b.example";
	mx[0].use = mx[1].use = USED;
	mx[0].npin = mx[1].npin = 6;
	for (i = 0; i < 6; i++) {
		mx[0].pin[i] = hex[i];
		mx[1].pin[i] = hex[6 + i];
	}
	memset(&f, 0, sizeof(f));
	f.accepts_mail = 1;
	f.history = 1;
	for (i = 0; i < 12; i++)
		f.hist_pin[f.nhist_pin++] = hex[i];
	f.nmx = 2;
	f.mx = mx;
	policy_decide(&f, &d);
	assert_string_equal(d.rule, "P10");
	assert_string_equal(d.match, "");
	mx[1].npin = 4;		/* ten fit */
	f.nhist_pin = 10;
	policy_decide(&f, &d);
	assert_string_equal(d.rule, "P8h");
}

#define NOW_JAN4	1767484800LL	/* 2026-01-04T00:00:00Z */

/* A stored report as pins (pins.c): the key per MX, an address without TLS spoils its MX. */
static void
test_pins_parse(void **state)
{
	static const char rep[] =
	    "{\"domain\":\"Pins.Example.\",\"mx\":["
	    "{\"host\":\"a.pins.example\",\"use\":\"used\"},"
	    "{\"host\":\"b.pins.example\",\"use\":\"used\"},"
	    "{\"host\":\"c.pins.example\",\"use\":\"skip_nxdomain\"}],"
	    "\"endpoints\":["
	    "{\"host\":\"a.pins.example\",\"ip\":\"192.0.2.1\",\"port\":25,\"proto\":\"smtp\","
	    "\"connected\":true,\"tls\":{\"version\":\"TLSv1.3\"},"
	    "\"certificate\":{\"sha256\":\"" PIN_B "\",\"spki_sha256\":\"" PIN_A "\"}},"
	    "{\"host\":\"a.pins.example\",\"ip\":\"192.0.2.9\",\"port\":25,\"proto\":\"smtp\","
	    "\"connected\":false},"
	    "{\"host\":\"b.pins.example\",\"ip\":\"192.0.2.2\",\"port\":25,\"proto\":\"smtp\","
	    "\"connected\":true,\"tls\":{\"version\":\"TLSv1.2\"},"
	    "\"certificate\":{\"sha256\":\"" PIN_B "\"}},"
	    "{\"host\":\"b.pins.example\",\"ip\":\"192.0.2.3\",\"port\":25,\"proto\":\"smtp\","
	    "\"connected\":true,\"starttls\":{\"offered\":false}}]}";
	struct policy_pin_domain d;
	struct policy_pins *t;
	struct policy_mx_facts mx[2];
	struct policy_facts f;
	struct policy_decision dec;
	char why[512];

	(void)state;
	assert_int_equal(policy_pins_parse(rep, &d), 0);
	assert_string_equal(d.domain, "pins.example");
	assert_int_equal(d.nmx, 2);			/* the skipped MX is not kept */
	assert_string_equal(d.mx[0].host, "a.pins.example");
	assert_int_equal(d.mx[0].npin, 1);		/* the key, not the certificate */
	assert_string_equal(d.mx[0].pin[0], PIN_A);
	assert_int_equal(d.mx[1].npin, 0);		/* one address without TLS */
	policy_pin_domain_clear(&d);
	assert_int_equal(policy_pins_parse("not json", &d), -1);
	assert_int_equal(policy_pins_parse("{\"mx\":[]}", &d), -1);

	/* the table: the newest finished scan wins, whatever the order rows come in */
	t = policy_pins_new();
	assert_int_equal(policy_pins_add(t, rep, 2, "2026-01-02T00:00:00Z"), 0);
	assert_int_equal(policy_pins_add(t, "{\"domain\":\"pins.example\",\"mx\":["
	    "{\"host\":\"a.pins.example\",\"use\":\"used\"}],\"endpoints\":["
	    "{\"host\":\"a.pins.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true,"
	    "\"tls\":{\"version\":\"TLSv1.3\"},\"certificate\":{\"sha256\":\"" PIN_B "\"}}]}",
	    1, "2026-01-01T00:00:00Z"), 0);
	assert_int_equal(policy_pins_count(t), 1);
	assert_non_null(policy_pins_find(t, "PINS.example."));
	assert_int_equal(policy_pins_find(t, "pins.example")->run, 2);	/* the older one ignored */
	/*
	 * its b.pins.example has no complete pin (an attacker active against it during the scan,
	 * or no TLS there): a.pins.example keeps its pin, b.pins.example defers like an unpinned
	 * live MX (fail closed), and the load says so
	 */
	memset(mx, 0, sizeof(mx));
	mx[0].host = "a.pins.example";
	mx[1].host = "b.pins.example";
	mx[0].use = mx[1].use = USED;
	memset(&f, 0, sizeof(f));
	f.domain = "pins.example";
	f.accepts_mail = 1;
	f.nmx = 2;
	f.mx = mx;
	assert_int_equal(policy_pins_apply(t, NOW_JAN4, &f, mx, why, sizeof(why)), 1);
	assert_true(f.history);
	assert_int_equal(mx[0].npin, 1);
	assert_int_equal(mx[1].npin, 0);
	policy_decide(&f, &dec);
	assert_string_equal(dec.rule, "P8h");
	assert_string_equal(dec.match, FP_A);
	assert_int_equal(dec.nwarn, 2);
	assert_int_equal(dec.warn[1].id, POLICY_W_HISTORY_UNPINNED);
	assert_string_equal(dec.warn[1].host, "b.pins.example");
	assert_non_null(policy_pins_partial(policy_pins_find(t, "pins.example"), why, sizeof(why)));
	assert_non_null(strstr(why, "b.pins.example had no complete pin in the scan of 2026-01-02"));
	f.history = 0;
	/* a newer scan where both MX hosts showed a key: applied */
	assert_int_equal(policy_pins_add(t, "{\"domain\":\"pins.example\",\"mx\":["
	    "{\"host\":\"a.pins.example\",\"use\":\"used\"},{\"host\":\"B.pins.example.\",\"use\":\"used\"}],"
	    "\"endpoints\":[{\"host\":\"a.pins.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true,"
	    "\"tls\":{\"version\":\"TLSv1.3\"},\"certificate\":{\"sha256\":\"" PIN_A "\"}},"
	    "{\"host\":\"b.pins.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true,"
	    "\"tls\":{\"version\":\"TLSv1.3\"},\"certificate\":{\"sha256\":\"" PIN_B "\"}}]}",
	    3, "2026-01-03T00:00:00Z"), 0);
	assert_int_equal(policy_pins_apply(t, NOW_JAN4, &f, mx, why, sizeof(why)), 1);
	assert_true(f.history);
	assert_int_equal(mx[1].npin, 1);
	assert_null(policy_pins_partial(policy_pins_find(t, "pins.example"), why, sizeof(why)));
	assert_int_equal(f.nhist_pin, 2);
	policy_decide(&f, &dec);
	assert_string_equal(dec.rule, "P8h");
	assert_string_equal(dec.match, FP_A "|" FP_B);
	/* a domain the store does not have: nothing */
	f.domain = "other.example";
	f.history = 0;
	assert_int_equal(policy_pins_apply(t, NOW_JAN4, &f, mx, why, sizeof(why)), 0);
	assert_false(f.history);
	/* the live MX set gained a host the scan never saw: still the stored pins, it defers */
	f.domain = "pins.example";
	mx[1].host = "forged.example";
	assert_int_equal(policy_pins_apply(t, NOW_JAN4, &f, mx, why, sizeof(why)), 1);
	assert_int_equal(mx[1].npin, 0);
	policy_decide(&f, &dec);
	assert_string_equal(dec.rule, "P8h");
	assert_string_equal(dec.match, FP_A "|" FP_B);
	assert_int_equal(dec.nwarn, 2);
	assert_int_equal(dec.warn[1].id, POLICY_W_HISTORY_UNPINNED);
	assert_string_equal(dec.warn[1].host, "forged.example");
	/* 31 days after the scan: too old (--pin-max-age 30), the pin source ran out */
	assert_int_equal(policy_pins_apply(t, NOW_JAN4 + 30LL * 86400, &f, mx, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "older than --pin-max-age (30 days)"));
	policy_pins_set_max_age(t, 60L * 86400);
	assert_int_equal(policy_pins_apply(t, NOW_JAN4 + 30LL * 86400, &f, mx, why, sizeof(why)), 1);
	/* a scan finished in the future (a wrong clock, or a forged store row) would never age */
	assert_int_equal(policy_pins_apply(t, NOW_JAN4 - 2LL * 86400 + 3600, &f, mx, why,
	    sizeof(why)), 1);	/* within a day of skew: fine */
	assert_int_equal(policy_pins_apply(t, NOW_JAN4 - 2LL * 86400 - 3600, &f, mx, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "2026-01-03T00:00:00Z is in the future"));
	/* a scan in which no MX had a complete pin: no pin for the domain */
	assert_int_equal(policy_pins_add(t, "{\"domain\":\"none.example\",\"mx\":["
	    "{\"host\":\"a.none.example\",\"use\":\"used\"}],\"endpoints\":["
	    "{\"host\":\"a.none.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true,"
	    "\"starttls\":{\"offered\":false}}]}", 4, "2026-01-03T00:00:00Z"), 0);
	f.domain = "none.example";
	f.history = 0;
	assert_int_equal(policy_pins_apply(t, NOW_JAN4, &f, mx, why, sizeof(why)), -1);
	assert_false(f.history);
	assert_non_null(strstr(why, "no MX host had a complete pin in the scan of 2026-01-03"));
	/*
	 * fourth review: an attacker active during the newest scan of a single-MX domain left it
	 * unpinned; the MX takes its pin from the newest earlier scan that had one, read in
	 * either order, and loses it when that scan is older than --pin-max-age
	 */
	policy_pins_set_max_age(t, 30L * 86400);
	assert_int_equal(policy_pins_add(t, "{\"domain\":\"none.example\",\"mx\":["
	    "{\"host\":\"a.none.example\",\"use\":\"used\"}],\"endpoints\":["
	    "{\"host\":\"a.none.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true,"
	    "\"tls\":{\"version\":\"TLSv1.3\"},\"certificate\":{\"sha256\":\"" PIN_B "\"}}]}",
	    3, "2026-01-01T00:00:00Z"), 0);
	mx[0].host = "a.none.example";
	f.nmx = 1;
	assert_int_equal(policy_pins_apply(t, NOW_JAN4, &f, mx, why, sizeof(why)), 1);
	assert_int_equal(mx[0].npin, 1);
	assert_string_equal(mx[0].pin[0], PIN_B);
	assert_int_equal(policy_pins_find(t, "none.example")->run, 4);	/* still the newest */
	policy_decide(&f, &dec);
	assert_string_equal(dec.rule, "P8h");
	assert_string_equal(dec.match, FP_B);
	assert_non_null(policy_pins_partial(policy_pins_find(t, "none.example"), why, sizeof(why)));
	assert_non_null(strstr(why, "a.none.example (pinned from the scan of 2026-01-01T00:00:00Z)"));
	/* the borrowed pin ages on its own: 30 days after Jan 1, the Jan 3 scan alone is no pin */
	f.history = 0;
	assert_int_equal(policy_pins_apply(t, NOW_JAN4 + 28LL * 86400, &f, mx, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "nor in an earlier one within --pin-max-age"));
	policy_pins_free(t);
	/* the other order: the older scan first, the newer unpinned one replaces it and borrows */
	t = policy_pins_new();
	assert_int_equal(policy_pins_add(t, "{\"domain\":\"none.example\",\"mx\":["
	    "{\"host\":\"a.none.example\",\"use\":\"used\"}],\"endpoints\":["
	    "{\"host\":\"a.none.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true,"
	    "\"tls\":{\"version\":\"TLSv1.3\"},\"certificate\":{\"sha256\":\"" PIN_B "\"}}]}",
	    3, "2026-01-01T00:00:00Z"), 0);
	assert_int_equal(policy_pins_add(t, "{\"domain\":\"none.example\",\"mx\":["
	    "{\"host\":\"a.none.example\",\"use\":\"used\"}],\"endpoints\":["
	    "{\"host\":\"a.none.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true,"
	    "\"starttls\":{\"offered\":false}}]}", 4, "2026-01-03T00:00:00Z"), 0);
	assert_int_equal(policy_pins_apply(t, NOW_JAN4, &f, mx, why, sizeof(why)), 1);
	assert_int_equal(mx[0].npin, 1);
	assert_string_equal(mx[0].pin[0], PIN_B);
	policy_pins_free(t);
	/*
	 * a row dated in the future (a wrong clock or a forged row) no longer wins the newest-scan
	 * choice over a genuine one, in either order; alone it is still refused (policyd.sh)
	 */
	t = policy_pins_new();
	policy_pins_set_clock(t, NOW_JAN4);
	assert_int_equal(policy_pins_add(t, "{\"domain\":\"none.example\",\"mx\":["
	    "{\"host\":\"a.none.example\",\"use\":\"used\"}],\"endpoints\":["
	    "{\"host\":\"a.none.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true,"
	    "\"tls\":{\"version\":\"TLSv1.3\"},\"certificate\":{\"sha256\":\"" PIN_A "\"}}]}",
	    5, "2099-01-01T00:00:00Z"), 0);
	assert_int_equal(policy_pins_add(t, "{\"domain\":\"none.example\",\"mx\":["
	    "{\"host\":\"a.none.example\",\"use\":\"used\"}],\"endpoints\":["
	    "{\"host\":\"a.none.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true,"
	    "\"tls\":{\"version\":\"TLSv1.3\"},\"certificate\":{\"sha256\":\"" PIN_B "\"}}]}",
	    3, "2026-01-03T00:00:00Z"), 0);
	assert_int_equal(policy_pins_add(t, "{\"domain\":\"none.example\",\"mx\":["
	    "{\"host\":\"a.none.example\",\"use\":\"used\"}],\"endpoints\":["
	    "{\"host\":\"a.none.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true,"
	    "\"tls\":{\"version\":\"TLSv1.3\"},\"certificate\":{\"sha256\":\"" PIN_A "\"}}]}",
	    6, "2099-02-01T00:00:00Z"), 0);
	assert_int_equal(policy_pins_find(t, "none.example")->run, 3);
	assert_int_equal(policy_pins_apply(t, NOW_JAN4, &f, mx, why, sizeof(why)), 1);
	assert_string_equal(mx[0].pin[0], PIN_B);
	/* more distinct keys than a 1 KiB match= holds (10): refused, so said at load */
	{
		char js[8192], one[512];
		size_t n, k;

		n = (size_t)snprintf(js, sizeof(js), "{\"domain\":\"keys.example\",\"mx\":[");
		for (k = 0; k < 11; k++)
			n += (size_t)snprintf(js + n, sizeof(js) - n, "%s{\"host\":\"m%zu.keys.example\","
			    "\"use\":\"used\"}", k ? "," : "", k);
		n += (size_t)snprintf(js + n, sizeof(js) - n, "],\"endpoints\":[");
		for (k = 0; k < 11; k++) {
			snprintf(one, sizeof(one), "%s{\"host\":\"m%zu.keys.example\",\"port\":25,"
			    "\"proto\":\"smtp\",\"connected\":true,\"tls\":{\"version\":\"TLSv1.3\"},"
			    "\"certificate\":{\"sha256\":\"%02zx%.62s\"}}", k ? "," : "", k, k, PIN_A);
			n += (size_t)snprintf(js + n, sizeof(js) - n, "%s", one);
		}
		snprintf(js + n, sizeof(js) - n, "]}");
		assert_int_equal(policy_pins_add(t, js, 7, "2026-01-03T00:00:00Z"), 0);
		f.domain = "keys.example";
		assert_int_equal(policy_pins_apply(t, NOW_JAN4, &f, mx, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "11 distinct keys, more than a 1 KiB match= holds (10)"));
	}
	policy_pins_free(t);
	policy_pins_free(NULL);
}

/*
 * The pin table starts small and doubles as domains arrive: 5,000 domains, each found under its
 * name afterwards (and a name never added is not), whatever the growth relinked.
 */
static void
test_pins_grow(void **state)
{
	struct policy_pins *t = policy_pins_new();
	char js[512], name[64];
	size_t k;

	(void)state;
	for (k = 0; k < 5000; k++) {
		snprintf(js, sizeof(js), "{\"domain\":\"d%zu.grow.example\",\"mx\":["
		    "{\"host\":\"mx.grow.example\",\"use\":\"used\"}]}", k);
		assert_int_equal(policy_pins_add(t, js, 1, "2026-01-02T00:00:00Z"), 0);
	}
	assert_int_equal(policy_pins_count(t), 5000);
	for (k = 0; k < 5000; k++) {
		snprintf(name, sizeof(name), "d%zu.grow.example", k);
		assert_non_null(policy_pins_find(t, name));
		assert_string_equal(policy_pins_find(t, name)->domain, name);
	}
	assert_null(policy_pins_find(t, "d5000.grow.example"));
	policy_pins_free(t);
}

/*
 * A pinned certificate expired or within POLICY_PINS_EXPIRY_MARGIN_S of its notAfter is no pin:
 * a renewal may bring a new key.  The earliest notAfter of an MX's certificates counts.
 */
static void
test_pins_expiry(void **state)
{
	static const char rep[] =
	    "{\"domain\":\"exp.example\",\"mx\":[{\"host\":\"mx.exp.example\",\"use\":\"used\"}],"
	    "\"endpoints\":[{\"host\":\"mx.exp.example\",\"port\":25,\"proto\":\"smtp\","
	    "\"connected\":true,\"tls\":{\"version\":\"TLSv1.3\"},"
	    "\"certificate\":{\"sha256\":\"" PIN_B "\",\"spki_sha256\":\"" PIN_A "\","
	    "\"not_after\":\"2026-01-20T00:00:00Z\"}}]}";
	struct policy_pins *t = policy_pins_new();
	const struct policy_pin_domain *d;
	char why[512];
	int expired = 0;

	(void)state;
	assert_int_equal(policy_pins_add(t, rep, 1, "2026-01-03T00:00:00Z"), 0);
	d = policy_pins_find(t, "exp.example");
	assert_non_null(d);
	assert_int_equal(d->mx[0].npin, 1);
	assert_int_equal(d->mx[0].not_after, 1768867200LL);
	/* 16 days left: usable */
	assert_null(policy_pins_refusal(t, d, NOW_JAN4, &expired, why, sizeof(why)));
	assert_int_equal(expired, 0);
	/* 6 days left: refused, as the pin source running out */
	assert_non_null(policy_pins_refusal(t, d, NOW_JAN4 + 10LL * 86400, &expired, why, sizeof(why)));
	assert_int_equal(expired, 1);
	assert_non_null(strstr(why, "expires 2026-01-20T00:00:00Z"));
	/* past it: expired */
	assert_non_null(policy_pins_refusal(t, d, NOW_JAN4 + 20LL * 86400, &expired, why, sizeof(why)));
	assert_non_null(strstr(why, "expired 2026-01-20"));
	policy_pins_free(t);
}

/*
 * policyd hands its cached MTA-STS policy to the check, which applies it when the fetch was
 * skipped (id unchanged) or failed (RFC 8461 §3.3, §5.1): the facts then carry that policy.
 */
static void
test_cached_policy_facts(void **state)
{
	static struct check_result r;
	static const char *pat[] = { "mx.example" };
	struct policy_facts f;
	struct policy_mx_facts mx[POLICY_MX_MAX];
	struct policy_decision d;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.domain = "example";
	r.mx_status = RESOLVER_INSECURE;
	r.verdict.accepts_mail = 1;
	r.nmx = 1;
	r.mx[0].host = "mx.example";
	r.mx[0].vm.use = VERDICT_USE_USED;
	r.mx[0].vm.dane = VERDICT_DANE_NONE;
	r.mx[0].sts_pattern = pat[0];
	r.sts.record_present = 1;
	r.sts.fetch_skipped = 1;
	r.sts.from_cache = 1;
	r.sts.policy_valid = 1;
	r.sts.policy.mode = MTASTS_MODE_ENFORCE;
	r.sts.policy.mx = pat;
	r.sts.policy.nmx = 1;
	policy_facts_from_check(&r, 0, 0, &f, mx);
	assert_int_equal(f.sts, VERDICT_STS_ENFORCE);
	policy_decide(&f, &d);
	assert_string_equal(d.rule, "P5");
	assert_string_equal(d.match, "mx.example");
	/* the held policy stands against an NXDOMAIN forged for this lookup: P5, not P2 */
	r.mx_nxdomain = 1;
	policy_facts_from_check(&r, 0, 0, &f, mx);
	assert_false(f.accepts_mail);
	policy_decide(&f, &d);
	assert_string_equal(d.rule, "P5");
	r.mx_nxdomain = 0;
	/*
	 * P5b: policyd held the policy without its patterns (too many to keep): TLS stays
	 * mandatory, and no MX is called outside patterns nobody knows
	 */
	r.sts.policy.mx = NULL;
	r.sts.policy.nmx = 0;
	r.sts.mx_unknown = 1;
	r.mx[0].sts_pattern = NULL;
	policy_facts_from_check(&r, 0, 0, &f, mx);
	assert_true(f.sts_mx_unknown);
	policy_decide(&f, &d);
	assert_string_equal(d.rule, "P5b");
	assert_int_equal(d.level, POLICY_LEVEL_ENCRYPT);
	assert_int_equal(d.nwarn, 1);	/* any MX, any certificate: said */
	assert_int_equal(d.warn[0].id, POLICY_W_STS_UNENFORCEABLE);
	/* usable history pins authenticate where P5b cannot: P8h first */
	f.history = 1;
	f.hist_pin[0] = PIN_A;
	f.nhist_pin = 1;
	mx[0].pin[0] = PIN_A;
	mx[0].npin = 1;
	policy_decide(&f, &d);
	assert_string_equal(d.rule, "P8h");
	assert_int_equal(d.level, POLICY_LEVEL_FINGERPRINT);
	/* the same patterns lost without that mark (a fetched policy): the MX is outside */
	r.sts.mx_unknown = 0;
	policy_facts_from_check(&r, 0, 0, &f, mx);
	policy_decide(&f, &d);
	assert_string_equal(d.rule, "P5b");
	assert_int_equal(d.nwarn, 2);
	assert_int_equal(d.warn[0].id, POLICY_W_STS_UNENFORCEABLE);
	assert_int_equal(d.warn[1].id, POLICY_W_STS_MX_OUTSIDE);
	r.sts.policy.mx = pat;
	r.sts.policy.nmx = 1;
	r.mx[0].sts_pattern = pat[0];
	/* the same held in testing mode: no enforcement */
	r.sts.policy.mode = MTASTS_MODE_TESTING;
	policy_facts_from_check(&r, 0, 0, &f, mx);
	policy_decide(&f, &d);
	assert_string_equal(d.rule, "P10");
	/*
	 * fourth review: the only MX whose address lookup was bogus is a failed lookup for the
	 * policy (P7), not a host proven to have no address (P10).  The MX facts come from
	 * verdict_mx_dns(), as in check: unknown with addr_bogus since the review of 2026-12-01.
	 */
	r.sts.policy_valid = 0;
	{
		static const struct {
			enum verdict_dns_status	 a;
			int			 nxdomain;
			enum verdict_use	 use;
			int			 addr_bogus;
			const char		*rule;
		} rows[] = {
			{ VERDICT_DNS_BOGUS, 0, VERDICT_USE_UNKNOWN, 1, "P7" },
			/* secure empty answers: proven, skipped */
			{ VERDICT_DNS_SECURE, 0, VERDICT_USE_SKIP_NO_ADDRESS, 0, "P10" },
			/* a bogus NXDOMAIN for the host likewise */
			{ VERDICT_DNS_BOGUS, 1, VERDICT_USE_UNKNOWN, 1, "P7" },
		};
		struct verdict_dns vd;
		size_t k;

		for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
			memset(&vd, 0, sizeof(vd));
			vd.mx = VERDICT_DNS_SECURE;
			vd.a = rows[k].a;
			vd.aaaa = VERDICT_DNS_SECURE;
			vd.nxdomain = rows[k].nxdomain;
			verdict_mx_dns(&vd, &r.mx[0].vm);
			r.mx[0].nxdomain = rows[k].nxdomain;
			r.mx[0].nxdomain_status = rows[k].nxdomain ? RESOLVER_BOGUS : RESOLVER_SECURE;
			assert_int_equal(r.mx[0].vm.use, rows[k].use);
			policy_facts_from_check(&r, 0, 0, &f, mx);
			assert_int_equal(mx[0].addr_bogus, rows[k].addr_bogus);
			policy_decide(&f, &d);
			assert_string_equal(d.rule, rows[k].rule);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_sts_merge),
		cmocka_unit_test(test_history_pins),
		cmocka_unit_test(test_history_pins_too_many),
		cmocka_unit_test(test_pins_parse),
		cmocka_unit_test(test_pins_expiry),
		cmocka_unit_test(test_pins_grow),
		cmocka_unit_test(test_cached_policy_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
