/*
 * policy.c — the sender policy decision (policy.h).  Every row below is a row of the table in
 * docs/internals/policy.md and of tests/unit/test_policy.c; the rule it applies is cited beside
 * it.  First matching row wins.
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

static const char *const policy_level_names[POLICY_LEVEL_LAST] = {
	[POLICY_LEVEL_DEFAULT] = "default",
	[POLICY_LEVEL_MAY] = "may",
	[POLICY_LEVEL_ENCRYPT] = "encrypt",
	[POLICY_LEVEL_DANE] = "dane",
	[POLICY_LEVEL_DANE_ONLY] = "dane-only",
	[POLICY_LEVEL_SECURE] = "secure",
	[POLICY_LEVEL_FINGERPRINT] = "fingerprint",
};

static const char *const policy_basis_names[POLICY_BASIS_LAST] = {
	[POLICY_BASIS_NONE] = "none",
	[POLICY_BASIS_DANE] = "dane",
	[POLICY_BASIS_MTA_STS] = "mta-sts",
	[POLICY_BASIS_OBSERVED] = "observed",
	[POLICY_BASIS_UNKNOWN] = "unknown",
	[POLICY_BASIS_HISTORY] = "history",
};

static const struct {
	const char	*name;
	int		 defers;	/* enforcing this policy defers mail today */
	const char	*text;
} policy_warnings[POLICY_W_LAST] = {
	[POLICY_W_STS_MX_OUTSIDE] = { "policy.sts_mx_outside", 1,
	    "matches no mx: pattern of the MTA-STS policy: enforcing senders do not deliver to it" },
	[POLICY_W_STS_CERT] = { "policy.sts_cert_invalid", 1,
	    "lacks STARTTLS or a WebPKI-valid certificate for its name: `secure` defers mail to it" },
	[POLICY_W_DANE_MISMATCH] = { "policy.dane_mismatch", 1,
	    "no usable TLSA record matches its certificate: DANE senders defer mail to it" },
	[POLICY_W_DANE_NO_STARTTLS] = { "policy.dane_no_starttls", 1,
	    "has TLSA records but does not complete STARTTLS: DANE senders defer mail to it" },
	[POLICY_W_DANE_BOGUS] = { "policy.dane_bogus", 1,
	    "its TLSA lookup fails DNSSEC validation: DANE senders defer mail to it" },
	[POLICY_W_DANE_PARTIAL] = { "policy.dane_partial", 0,
	    "has no DANE: `dane-only` would never deliver to it, so the level stays `dane`" },
	[POLICY_W_DANE_UNUSABLE] = { "policy.dane_unusable", 0,
	    "has secure TLSA records none of which is usable: TLS is required but not authenticated" },
	[POLICY_W_DANE_OVER_STS] = { "policy.dane_under_sts", 0,
	    "is protected by DANE, but one Postfix level per domain cannot mix DANE and MTA-STS: "
	    "under `secure` Postfix does not check TLSA, so this sender relies on WebPKI alone for it" },
	[POLICY_W_STS_TESTING] = { "policy.sts_testing", 0,
	    "MTA-STS is in testing mode: senders report failures but must not enforce (RFC 8461 §5)" },
	[POLICY_W_MX_BOGUS] = { "policy.mx_bogus", 1,
	    "the MX records fail DNSSEC validation: validating senders defer all mail" },
	[POLICY_W_MX_UNKNOWN] = { "policy.mx_unknown", 0,
	    "could not be examined (lookups failed or beyond the MX ceiling): the policy does not "
	    "rely on it" },
	[POLICY_W_OBSERVED] = { "policy.observed_pin", 0,
	    "pinned from what the probes saw, not from anything the receiver published: if it "
	    "changes its servers or certificates, mail defers until the pin is removed" },
	[POLICY_W_DNS_FAILED] = { "policy.dns_failed", 0,
	    "the MX lookup failed: no policy can be derived now (senders retry)" },
	[POLICY_W_HISTORY_PIN] = { "policy.history_pin", 0,
	    "pinned to the keys its MX hosts served in the newest stored scan, not to anything the "
	    "receiver published: when it rolls a key or certificate, mail defers until a new scan" },
	[POLICY_W_HISTORY_UNPINNED] = { "policy.history_mx_unpinned", 1,
	    "has no pin in the stored scan (an MX added since, or forged, or one the scan could "
	    "not pin): under the fingerprint level mail to it defers, the pinned MX hosts still "
	    "get it" },
	[POLICY_W_STS_UNENFORCEABLE] = { "policy.sts_unenforceable", 0,
	    "the MTA-STS enforce policy's mx: patterns cannot be given to Postfix (more than 64, "
	    "over 1 KiB, or a `:` or space): `encrypt` keeps TLS mandatory but accepts any MX and "
	    "any certificate, so an active attacker can still read the mail; remedy: a policy with "
	    "fewer, plainer patterns, or pins from the scan history (policyd --pin-from-history)" },
};

void
policy_warnings_markdown(FILE *f)
{
	int i;

	fputs("| ID | defers mail today | meaning (said of an MX or the domain) |\n|---|---|---|\n", f);
	for (i = 0; i < POLICY_W_LAST; i++)
		fprintf(f, "| `%s` | %s | %s |\n", policy_warnings[i].name,
		    policy_warnings[i].defers ? "yes" : "no", policy_warnings[i].text);
}

const char *
policy_level_name(enum policy_level l)
{
	return (unsigned)l < POLICY_LEVEL_LAST ? policy_level_names[l] : "?";
}

const char *
policy_basis_name(enum policy_basis b)
{
	return (unsigned)b < POLICY_BASIS_LAST ? policy_basis_names[b] : "?";
}

const char *
policy_warning_name(enum policy_warning w)
{
	return (unsigned)w < POLICY_W_LAST ? policy_warnings[w].name : "?";
}

const char *
policy_warning_text(enum policy_warning w)
{
	return (unsigned)w < POLICY_W_LAST ? policy_warnings[w].text : "?";
}

int
policy_defers_today(enum policy_warning w)
{
	return (unsigned)w < POLICY_W_LAST ? policy_warnings[w].defers : 0;
}

static void
policy_warn(struct policy_decision *d, enum policy_warning id, const char *host)
{
	if (d->nwarn < POLICY_WARNINGS_MAX) {
		d->warn[d->nwarn].id = id;
		d->warn[d->nwarn].host = host;
		d->nwarn++;
	}
}

static void
policy_set(struct policy_decision *d, enum policy_level l, enum policy_basis b, const char *rule)
{
	d->level = l;
	d->basis = b;
	d->rule = rule;
}

/* Appends "sep name" to d->match; -1 when it does not fit. */
static int
policy_list_add(struct policy_decision *d, const char *name, char sep)
{
	size_t have = strlen(d->match);
	int k = snprintf(d->match + have, sizeof(d->match) - have, "%s%s", have ? (sep == '|' ?
	    "|" : ":") : "", name);

	if (k < 0 || (size_t)k >= sizeof(d->match) - have) {
		d->match[have] = '\0';
		return -1;
	}
	return 0;
}

static int
policy_match_add(struct policy_decision *d, const char *name)
{
	return policy_list_add(d, name, ':');
}

/* fp is already an element of the "|"-separated list */
static int
policy_pin_seen(const char *list, const char *fp)
{
	size_t n = strlen(fp);
	const char *p;

	for (p = list; (p = strstr(p, fp)) != NULL; p += n)
		if ((p == list || p[-1] == '|') && (p[n] == '\0' || p[n] == '|'))
			return 1;
	return 0;
}

/*
 * MTA-STS mx: patterns as Postfix match= names.  "*.example.com" matches one left-most label
 * (RFC 8461 §4.1); Postfix's ".example.com" matches any subdomain (smtp_tls_secure_cert_match),
 * the closest it can say.  Postfix compares them with the certificate's names, MTA-STS with the
 * MX host name whose certificate must then be valid: with servername=hostname the two agree
 * whenever the certificate names its MX host (docs/internals/policy.md).
 */
static int
policy_match_sts(const struct policy_facts *f, struct policy_decision *d)
{
	size_t i;

	d->match[0] = '\0';
	if (f->sts_nmx == 0 || f->sts_nmx > POLICY_PATTERNS_MAX)
		return -1;
	for (i = 0; i < f->sts_nmx; i++) {
		const char *p = f->sts_mx[i];

		if (p == NULL || *p == '\0' || strchr(p, ':') != NULL || strchr(p, ' ') != NULL)
			return -1;	/* cannot be written into a match= list */
		if (policy_match_add(d, p[0] == '*' ? p + 1 : p) < 0)
			return -1;
	}
	return 0;
}

/*
 * The domain's stored pins (every MX of the stored scan, not only those in the live MX set) as a
 * Postfix fingerprint match= list: "AB:CD:..." (the form Postfix prints; colons are required
 * before Postfix 3.6), "|" between them, each once.  -1 when there are none, a pin is not
 * SHA-256 hex, or the list does not fit.
 */
static int
policy_match_pins(const struct policy_facts *f, struct policy_decision *d)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, j;

	d->match[0] = '\0';
	if (f->nhist_pin > POLICY_HIST_PINS_MAX)
		return -1;
	for (i = 0; i < f->nhist_pin; i++) {
		char fp[POLICY_PIN_HEX / 2 * 3];
		const char *p = f->hist_pin[i];

		if (p == NULL || strlen(p) != POLICY_PIN_HEX ||
		    strspn(p, "0123456789abcdefABCDEF") != POLICY_PIN_HEX)
			return -1;
		for (j = 0; j < POLICY_PIN_HEX / 2; j++) {
			int hi = p[2 * j] <= '9' ? p[2 * j] - '0' : (p[2 * j] | 0x20) - 'a' + 10;
			int lo = p[2 * j + 1] <= '9' ? p[2 * j + 1] - '0' :
			    (p[2 * j + 1] | 0x20) - 'a' + 10;

			fp[3 * j] = hex[hi];
			fp[3 * j + 1] = hex[lo];
			fp[3 * j + 2] = j + 1 < POLICY_PIN_HEX / 2 ? ':' : '\0';
		}
		if (policy_pin_seen(d->match, fp))
			continue;
		if (policy_list_add(d, fp, '|') < 0)
			return -1;
	}
	return d->match[0] ? 0 : -1;
}

void
policy_decide(const struct policy_facts *f, struct policy_decision *d)
{
	size_t i, nused = 0, nauth = 0, nunauth = 0, nbogus = 0, nnone = 0, nunknown = 0;
	size_t nfailed = 0;	/* lookups that failed about a host senders use: TLSA or addresses */
	size_t nreached = 0, nstarttls = 0, nwebpki = 0;
	int all_dane;		/* row P4's condition */

	memset(d, 0, sizeof(*d));
	for (i = 0; i < f->nmx; i++) {
		const struct policy_mx_facts *m = &f->mx[i];

		if (m->addr_bogus) {
			/*
			 * Bogus addresses: the signatures of policyd's lookup alone may have been
			 * stripped while the sender's own finds the host; a failed lookup (P7), not
			 * a host that is proven to have none (found in the fourth review)
			 */
			nfailed++;
			continue;
		}
		if (m->use == VERDICT_USE_UNKNOWN || m->use == VERDICT_USE_UNEXAMINED) {
			nunknown++;
			nfailed += m->use == VERDICT_USE_UNKNOWN;
			continue;
		}
		if (m->use != VERDICT_USE_USED)
			continue;	/* skipped by senders (RFC 5321 §5.1): not in the policy */
		nused++;
		switch (m->dane) {
		case VERDICT_DANE_AUTH: nauth++; break;
		case VERDICT_DANE_UNAUTH: nunauth++; break;
		case VERDICT_DANE_BOGUS: nbogus++; break;
		case VERDICT_DANE_UNKNOWN: nunknown++; nfailed++; nused--; break;
		default: nnone++; break;
		}
		if (f->probed && m->reached) {
			nreached++;
			nstarttls += m->starttls != 0;
			nwebpki += m->starttls && m->webpki_ok;
		}
	}

	all_dane = nused > 0 && nunknown == 0 && nauth + nbogus == nused && nauth > 0;

	/* P1: no MX RRset and no enforced policy: nothing to derive, senders retry (RFC 5321 §5) */
	if (f->mx_failed && f->sts != VERDICT_STS_ENFORCE) {
		policy_set(d, POLICY_LEVEL_DEFAULT, POLICY_BASIS_UNKNOWN, "P1");
		policy_warn(d, POLICY_W_DNS_FAILED, NULL);
		return;
	}
	/*
	 * P8h, checked right after P1: usable pins from the scan history (policyd
	 * --pin-from-history) unless every used MX is DANE-authenticated (P4) or an MTA-STS enforce
	 * policy Postfix can be given applies (P5): only those two have no hole an attacker makes.
	 * Before P6, whose `encrypt` accepts any certificate, and before P7, whose `dane` leaves
	 * the MX hosts without DANE opportunistic: an attacker blocks the DANE MX and strips
	 * STARTTLS on the other (found in the fourth review).  It comes before P2 and P3 because
	 * neither needs DNSSEC: on an unsigned domain an attacker forges "MX 0 ." or NXDOMAIN (P2) or breaks the
	 * signatures (P3) for policyd's lookup alone, the sender's own resolver finds the real MX,
	 * and the answer NOTFOUND would let it deliver opportunistically.  A fingerprint entry for
	 * a domain that truly takes no mail costs nothing.  A bogus TLSA lookup counts as failed
	 * (RFC 7672 §2.2: not evidence of DANE), so stripping the signatures of policyd's TLSA
	 * query cannot turn the pin into P7's `dane`, which the sender's secure NODATA would make
	 * opportunistic.  Before P5b: P5b's `encrypt` accepts any certificate, the pins do not.
	 * Postfix's fingerprint level accepts a server whose certificate or public key digest
	 * (smtp_tls_fingerprint_digest = sha256) is in match=, names and dates ignored (postconf(5)
	 * smtp_tls_fingerprint_cert_match).  Fail closed: the match= list is the stored pins,
	 * whatever MX set this lookup shows, so an MX host without a stored pin (added since, or
	 * forged into an unsigned MX RRset, or beyond the ceiling, or whose lookups failed, or that
	 * the scan could not pin) defers instead of making the whole domain opportunistic (RFC 8461
	 * §1, §10.2: the MX RRset is what an active attacker forges).  Pins that are not usable (no
	 * MX with a complete pin, too old, a certificate expiring) never get here:
	 * policy_pins_apply() leaves history 0.
	 */
	if (f->history && !all_dane &&
	    (f->sts != VERDICT_STS_ENFORCE || policy_match_sts(f, d) < 0) &&
	    policy_match_pins(f, d) == 0) {
		policy_set(d, POLICY_LEVEL_FINGERPRINT, POLICY_BASIS_HISTORY, "P8h");
		if (f->sts == VERDICT_STS_TESTING)
			policy_warn(d, POLICY_W_STS_TESTING, NULL);	/* RFC 8461 §5 */
		if (f->mx_bogus)
			policy_warn(d, POLICY_W_MX_BOGUS, NULL);
		policy_warn(d, POLICY_W_HISTORY_PIN, NULL);
		for (i = 0; i < f->nmx; i++) {
			const struct policy_mx_facts *m = &f->mx[i];

			/* a bogus address lookup here defers that MX only when the scan did not
			 * pin it: a pinned one is in match=, and the sender's own lookup delivers
			 * to it authenticated (final review) */
			if ((m->use == VERDICT_USE_USED && m->npin == 0) ||
			    (m->addr_bogus && m->npin == 0) ||
			    (m->use == VERDICT_USE_UNKNOWN && !m->addr_bogus) ||
			    m->use == VERDICT_USE_UNEXAMINED)
				policy_warn(d, POLICY_W_HISTORY_UNPINNED, m->host);
			else if (m->use == VERDICT_USE_USED && m->dane == VERDICT_DANE_BOGUS)
				policy_warn(d, POLICY_W_DANE_BOGUS, m->host);
		}
		return;
	}
	d->match[0] = '\0';

	/*
	 * P2: null MX (RFC 7505) or NXDOMAIN: no mail goes there, no entry needed.  Not under an
	 * MTA-STS enforce policy (P5 then, as for P1 and P3): without DNSSEC either answer can be
	 * forged for policyd's lookup alone while the sender's own finds the real MX, and a
	 * `secure` entry for a domain that truly takes no mail costs nothing.
	 */
	if (!f->accepts_mail && f->sts != VERDICT_STS_ENFORCE) {
		policy_set(d, POLICY_LEVEL_DEFAULT, POLICY_BASIS_NONE, "P2");
		return;
	}
	/*
	 * P3: bogus MX RRset without an enforced policy: `dane`, not NOTFOUND.  The signatures of
	 * policyd's lookup alone may have been stripped while the sender's own lookup finds the
	 * real, secure MX RRset: NOTFOUND would then turn a DANE domain's dane-only into the
	 * sender's default `may` for the cache's lifetime.  Postfix's dane level looks again: a
	 * bogus answer defers (RFC 4035 §5.5; RFC 7672 §2.2.1), a secure one gets DANE where there
	 * are TLSA records (RFC 7672 §2.2), and where there are none it is opportunistic, no weaker
	 * than NOTFOUND (found in the fourth review).
	 */
	if (f->mx_bogus && f->sts != VERDICT_STS_ENFORCE) {
		policy_set(d, POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P3");
		policy_warn(d, POLICY_W_MX_BOGUS, NULL);
		return;
	}

	/*
	 * P4: every used MX has DNSSEC-validated TLSA records (a bogus lookup defers anyway):
	 * mandatory DANE (RFC 7672 §2.2; Postfix dane-only).  DANE wins over MTA-STS (RFC 8461 §2).
	 */
	if (all_dane) {
		policy_set(d, POLICY_LEVEL_DANE_ONLY, POLICY_BASIS_DANE, "P4");
		goto dane_warnings;
	}

	/*
	 * P5: an MTA-STS policy in enforce mode: TLS with a WebPKI-valid certificate from an MX that
	 * matches a pattern, or no delivery (RFC 8461 §4.1, §5; Postfix secure with match= and
	 * servername=hostname for SNI, RFC 8461 §7.1).
	 */
	if (f->sts == VERDICT_STS_ENFORCE) {
		if (policy_match_sts(f, d) < 0) {
			/*
			 * P5b: patterns Postfix cannot be given: TLS stays mandatory, but `encrypt`
			 * accepts any MX and any certificate: the MTA-STS authentication is lost
			 * (warning policy.sts_unenforceable; usable history pins go first, P8h)
			 */
			d->match[0] = '\0';
			policy_set(d, POLICY_LEVEL_ENCRYPT, POLICY_BASIS_MTA_STS, "P5b");
			policy_warn(d, POLICY_W_STS_UNENFORCEABLE, NULL);
		} else
			policy_set(d, POLICY_LEVEL_SECURE, POLICY_BASIS_MTA_STS, "P5");
		for (i = 0; i < f->nmx; i++) {
			const struct policy_mx_facts *m = &f->mx[i];

			if (m->use != VERDICT_USE_USED)
				continue;
			/* a held policy whose patterns were not kept: no MX can be said to be outside */
			if (!m->sts_match && !f->sts_mx_unknown)
				policy_warn(d, POLICY_W_STS_MX_OUTSIDE, m->host);
			else if (f->probed && m->reached && (!m->starttls || !m->webpki_ok))
				policy_warn(d, POLICY_W_STS_CERT, m->host);
			if (m->dane == VERDICT_DANE_AUTH)
				policy_warn(d, POLICY_W_DANE_OVER_STS, m->host);
		}
		return;
	}

	/* P6: secure TLSA everywhere, none usable: TLS mandatory, unauthenticated (RFC 7672 §2.2) */
	if (nused > 0 && nunknown == 0 && nunauth == nused) {
		policy_set(d, POLICY_LEVEL_ENCRYPT, POLICY_BASIS_DANE, "P6");
		goto dane_warnings;
	}
	/*
	 * P7: DANE on some MX hosts: Postfix's dane level authenticates those, requires TLS on
	 * those with only unusable records, and is opportunistic on the rest (RFC 7672 §2.2).
	 * Also when a TLSA or address lookup failed here: the sender's own dane level looks them
	 * up again and defers when they fail (RFC 7672 §2.2), where `may` would let an attacker who
	 * blocks our lookups turn an enforcing answer into none.
	 */
	if (nauth + nunauth + nbogus + nfailed > 0) {
		policy_set(d, POLICY_LEVEL_DANE, POLICY_BASIS_DANE, "P7");
		goto dane_warnings;
	}

	if (f->sts == VERDICT_STS_TESTING)
		policy_warn(d, POLICY_W_STS_TESTING, NULL);	/* RFC 8461 §5: no enforcement */

	/*
	 * P8: asked to pin what was seen: every used MX reached and every one completed STARTTLS
	 * (with a WebPKI-valid certificate for secure).  Nothing published backs it.
	 */
	if (f->pin && f->probed && nused > 0 && nunknown == 0 && nreached == nused &&
	    nstarttls == nused) {
		if (nwebpki == nused) {
			for (i = 0; i < f->nmx; i++)
				if (f->mx[i].use == VERDICT_USE_USED &&
				    policy_match_add(d, f->mx[i].host) < 0)
					break;
			if (i == f->nmx) {
				policy_set(d, POLICY_LEVEL_SECURE, POLICY_BASIS_OBSERVED, "P8");
				policy_warn(d, POLICY_W_OBSERVED, NULL);
				return;
			}
			d->match[0] = '\0';
		}
		/* P9: STARTTLS everywhere, certificates not all valid */
		policy_set(d, POLICY_LEVEL_ENCRYPT, POLICY_BASIS_OBSERVED, "P9");
		policy_warn(d, POLICY_W_OBSERVED, NULL);
		return;
	}

	/* P10: nothing a sender can enforce: opportunistic TLS (RFC 3207, RFC 7435) */
	policy_set(d, POLICY_LEVEL_MAY, POLICY_BASIS_NONE, "P10");
	for (i = 0; i < f->nmx; i++)
		if (f->mx[i].use == VERDICT_USE_UNKNOWN || f->mx[i].use == VERDICT_USE_UNEXAMINED ||
		    f->mx[i].addr_bogus)
			policy_warn(d, POLICY_W_MX_UNKNOWN, f->mx[i].host);
	return;

dane_warnings:
	for (i = 0; i < f->nmx; i++) {
		const struct policy_mx_facts *m = &f->mx[i];

		if (m->use == VERDICT_USE_UNKNOWN || m->use == VERDICT_USE_UNEXAMINED ||
		    m->addr_bogus || (m->use == VERDICT_USE_USED && m->dane == VERDICT_DANE_UNKNOWN)) {
			policy_warn(d, POLICY_W_MX_UNKNOWN, m->host);
			continue;
		}
		if (m->use != VERDICT_USE_USED)
			continue;
		switch (m->dane) {
		case VERDICT_DANE_BOGUS:
			policy_warn(d, POLICY_W_DANE_BOGUS, m->host);
			break;
		case VERDICT_DANE_NONE:
			policy_warn(d, POLICY_W_DANE_PARTIAL, m->host);
			break;
		case VERDICT_DANE_UNAUTH:
			policy_warn(d, POLICY_W_DANE_UNUSABLE, m->host);
			if (f->probed && m->reached && !m->starttls)
				policy_warn(d, POLICY_W_DANE_NO_STARTTLS, m->host);
			break;
		case VERDICT_DANE_AUTH:
			if (f->probed && m->reached && !m->starttls)
				policy_warn(d, POLICY_W_DANE_NO_STARTTLS, m->host);
			else if (f->probed && m->reached && !m->dane_ok)
				policy_warn(d, POLICY_W_DANE_MISMATCH, m->host);
			break;
		default:
			break;
		}
	}
}

int
policy_postfix(const struct policy_decision *d, char *out, size_t size)
{
	int k;

	switch (d->level) {
	case POLICY_LEVEL_DEFAULT:
		k = snprintf(out, size, "%s", "");
		break;
	case POLICY_LEVEL_SECURE:
		k = snprintf(out, size, "secure match=%s servername=hostname", d->match);
		break;
	case POLICY_LEVEL_FINGERPRINT:
		/* the SNI the scan sent, so a server choosing its certificate by name shows the one
		   pinned (smtp_tls_servername, Postfix 3.4) */
		k = snprintf(out, size, "fingerprint match=%s servername=hostname", d->match);
		break;
	default:
		k = snprintf(out, size, "%s", policy_level_name(d->level));
		break;
	}
	return k < 0 || (size_t)k >= size ? -1 : k;
}
