/*
 * verdict.c — see verdict.h; the decision table with its RFC references is in
 * docs/internals/check.md and every row of it is a row of tests/unit/test_verdict.c.
 */
#include <stdio.h>
#include <string.h>

#include "verdict/verdict.h"

static const char *const verdict_names[VERDICT_LAST] = {
	[VERDICT_DANE] = "dane",
	[VERDICT_MTA_STS] = "mta-sts",
	[VERDICT_MTA_STS_TESTING] = "mta-sts-testing",
	[VERDICT_NONE] = "none",
	[VERDICT_INDETERMINATE] = "indeterminate",
};

const char *
verdict_protection_name(enum verdict_protection p)
{
	return (unsigned)p < VERDICT_LAST ? verdict_names[p] : "?";
}

static const char *const verdict_use_names[] = {
	[VERDICT_USE_USED] = "used",
	[VERDICT_USE_SKIP_NXDOMAIN] = "skipped-nxdomain",
	[VERDICT_USE_SKIP_NO_ADDRESS] = "skipped-no-address",
	[VERDICT_USE_UNKNOWN] = "unknown",
	[VERDICT_USE_UNEXAMINED] = "unexamined",
};

static const char *const verdict_dane_names[] = {
	[VERDICT_DANE_NONE] = "none",
	[VERDICT_DANE_AUTH] = "authenticated",
	[VERDICT_DANE_UNAUTH] = "unauthenticated",
	[VERDICT_DANE_BOGUS] = "bogus",
	[VERDICT_DANE_UNKNOWN] = "unknown",
};

const char *
verdict_use_name(enum verdict_use u)
{
	return (unsigned)u <= VERDICT_USE_UNEXAMINED ? verdict_use_names[u] : "?";
}

const char *
verdict_dane_name(enum verdict_dane d)
{
	return (unsigned)d <= VERDICT_DANE_UNKNOWN ? verdict_dane_names[d] : "?";
}

/* What the TLSA lookup makes of DANE for senders, the host's addresses taken as secure */
static enum verdict_dane
verdict_tlsa_dane(const struct verdict_dns *d)
{
	switch (d->tlsa) {
	case VERDICT_DNS_SECURE:
		if (d->ntlsa == 0)
			return VERDICT_DANE_NONE;		/* NODATA/NXDOMAIN: no DANE */
		if (d->nusable == 0)
			return d->tlsa_truncated ? VERDICT_DANE_UNKNOWN :	/* not all seen */
			    VERDICT_DANE_UNAUTH;		/* TLS required, not authenticated */
		return VERDICT_DANE_AUTH;
	case VERDICT_DNS_BOGUS:
		return VERDICT_DANE_BOGUS;			/* DANE senders defer */
	case VERDICT_DNS_FAILED:
		return VERDICT_DANE_UNKNOWN;
	default:
		return VERDICT_DANE_NONE;			/* insecure or not asked: ignored */
	}
}

/*
 * A host whose address lookups failed or were bogus here, below a secure MX RRset: a sender that
 * resolves it (the failure may be on this scanner's path alone) follows its TLSA records first
 * (RFC 8461 §2), and all-unusable ones would make it accept any certificate even under an
 * enforced MTA-STS policy.  So they are looked up all the same (review of 2026-12-01: before, an
 * attacker who dropped the scanner's address answers turned such a weak host "protected").
 */
static void
verdict_unknown_tlsa(const struct verdict_dns *d, struct verdict_mx *m)
{
	if (d->mx != VERDICT_DNS_SECURE)
		return;
	m->tlsa_relevant = 1;
	m->dane = verdict_tlsa_dane(d);
}

/*
 * The DNSSEC rows of the decision table (docs/internals/check.md): from the lookups about one
 * MX host to whether senders use it and what a DANE sender does with it.
 */
void
verdict_mx_dns(const struct verdict_dns *d, struct verdict_mx *m)
{
	int ua, uaaaa, failed, bogus, insecure;

	m->use = VERDICT_USE_USED;
	m->dane = VERDICT_DANE_NONE;
	m->tlsa_relevant = 0;
	m->dane_if_mx_secure = 0;
	m->addr_bogus = 0;
	if (d->ip_literal) {
		/*
		 * RFC 5321 §5.1 wants a domain name and Exim refuses a literal, but Postfix
		 * delivers to it ("numeric domain name": a warning), without DNSSEC, so without
		 * DANE: it stays in the weakest link.
		 */
		return;
	}
	if (d->nxdomain) {
		/* RFC 5321 §5.1: a host that does not exist is skipped — if that is proven */
		if (d->a == VERDICT_DNS_SECURE)
			m->use = VERDICT_USE_SKIP_NXDOMAIN;
		else if (d->a == VERDICT_DNS_BOGUS || d->a == VERDICT_DNS_FAILED) {
			m->use = VERDICT_USE_UNKNOWN;		/* bogus: a failed lookup, see below */
			m->addr_bogus = d->a == VERDICT_DNS_BOGUS;
			verdict_unknown_tlsa(d, m);
		}
		/* an insecure NXDOMAIN can be forged: the host stays in the weakest link */
		return;
	}
	/* a family is used when its lookup answered (secure or insecure) with addresses */
	ua = (d->a == VERDICT_DNS_SECURE || d->a == VERDICT_DNS_INSECURE) && d->na > 0;
	uaaaa = (d->aaaa == VERDICT_DNS_SECURE || d->aaaa == VERDICT_DNS_INSECURE) && d->naaaa > 0;
	if (!ua && !uaaaa) {
		failed = d->a == VERDICT_DNS_FAILED || d->aaaa == VERDICT_DNS_FAILED;
		bogus = d->a == VERDICT_DNS_BOGUS || d->aaaa == VERDICT_DNS_BOGUS;
		insecure = d->a == VERDICT_DNS_INSECURE || d->aaaa == VERDICT_DNS_INSECURE;
		if (failed)
			m->use = VERDICT_USE_UNKNOWN;		/* senders retry later */
		else if (insecure)
			m->use = VERDICT_USE_USED;		/* an empty insecure answer can be forged */
		else if (bogus) {
			/*
			 * Not "no address": a validating resolver answers SERVFAIL for a bogus
			 * RRset, which Postfix takes as a failed lookup (retry later), senders
			 * that do not validate get the addresses, and signatures stripped on this
			 * scanner's path alone make it bogus here only.  Skipping it made "nothing
			 * can be read" and "protected by DANE" out of that (review, 2026-12-01).
			 */
			m->use = VERDICT_USE_UNKNOWN;
			m->addr_bogus = 1;
		} else
			m->use = VERDICT_USE_SKIP_NO_ADDRESS;	/* proven to have no address */
		/* an insecure family: no DANE whatever the host holds */
		if (m->use == VERDICT_USE_UNKNOWN && !insecure)
			verdict_unknown_tlsa(d, m);
		return;
	}
	/*
	 * RFC 7672 §2.2.2: TLSA records count only when the host's address records are secure.
	 * A family whose lookup failed is not used (its addresses are unknown to the sender as
	 * well) and does not make the other insecure; a family that answered insecure — even
	 * empty, since an empty unsigned answer can be forged to hold an address — does.
	 */
	if (d->a == VERDICT_DNS_INSECURE || d->aaaa == VERDICT_DNS_INSECURE)
		return;
	m->tlsa_relevant = d->mx == VERDICT_DNS_SECURE || d->mx == VERDICT_DNS_INSECURE;
	m->dane = verdict_tlsa_dane(d);
	/*
	 * RFC 7672 §2.2.1: a sender MAY use DANE below an insecure MX RRset, and Postfix does by
	 * default since 3.6.17 (smtp_tls_dane_insecure_mx_policy = dane); Exim does not.  Either way
	 * an attacker can forge the MX RRset itself, so for the verdict DANE does not protect; the
	 * records still matter to Postfix senders (a mismatch defers their mail).
	 */
	if (d->mx != VERDICT_DNS_SECURE) {
		m->dane_if_mx_secure = m->dane == VERDICT_DANE_AUTH;
		m->dane = VERDICT_DANE_NONE;
	}
}

/* One MX as the weakest-link rule sees it. */
enum verdict_state {
	VS_SKIP = 0,	/* no sender uses it */
	VS_PROTECTED,	/* no sender that enforces DANE or MTA-STS delivers readable mail to it */
	VS_UNKNOWN,	/* lookups failed: cannot say */
	VS_WEAK,	/* an active attacker can read mail to it */
};

enum verdict_weak {
	VW_STRIP = 0,	/* STARTTLS offered, nothing forces it: strip it */
	VW_NO_TLS,	/* STARTTLS not completed: passive reading */
	VW_UNAUTH,	/* DANE with no usable record: TLS with any certificate */
	VW_FORGED_MX,	/* the MX RRset is not signed: forge it (or strip STARTTLS) */
};

struct verdict_eval {
	enum verdict_state	 state;
	int			 by_dane;
	enum verdict_weak	 weak;
	const char		*broken;	/* protected, but a strict sender fails: why */
	const char		*deferrers;	/* who defers mail to it because of that */
	int			 unreached;	/* protected, some address not reached from here */
};

static void
verdict_eval_mx(const struct verdict_input *in, const struct verdict_mx *m, struct verdict_eval *e)
{
	int enforce = in->sts == VERDICT_STS_ENFORCE;
	int reached = m->reached > 0;

	memset(e, 0, sizeof(*e));
	switch (m->use) {
	case VERDICT_USE_SKIP_NXDOMAIN:
	case VERDICT_USE_SKIP_NO_ADDRESS:
		e->state = VS_SKIP;
		return;
	case VERDICT_USE_UNKNOWN:
	case VERDICT_USE_UNEXAMINED:
		/*
		 * Under enforce, below a secure MX RRset, the TLSA records come first for a DANE
		 * sender that resolves the host (RFC 8461 §2, verdict_unknown_tlsa()): all
		 * unusable, it accepts any certificate.  Anything short of that proves nothing
		 * here: the host may be a secure alias whose target's records a sender follows
		 * first (RFC 7672 §2.2.2), and a host beyond the ceiling was never looked at — so
		 * unknown, not protected (third review of 2026-12-01).
		 */
		if (enforce && !in->mx_insecure) {
			e->state = VS_UNKNOWN;
			if (m->dane == VERDICT_DANE_UNAUTH) {
				e->state = VS_WEAK;
				e->weak = VW_UNAUTH;
			}
			return;
		}
		/* an enforcing MTA-STS sender authenticates whatever address it finds later */
		e->state = enforce ? VS_PROTECTED : VS_UNKNOWN;
		/* a host beyond the ceiling was never looked at: nothing to say about its name */
		if (enforce && !m->sts_match && m->use == VERDICT_USE_UNKNOWN)
			e->broken = "matches no mx: pattern of the policy";
		else if (enforce && m->addr_bogus) {
			e->broken = "has address records (or a denial of them) that fail DNSSEC "
			    "validation";
			e->deferrers = "validating senders";
		}
		/*
		 * Unsigned MX records: whatever this host's lookups did, an attacker forges the MX
		 * RRset itself (RFC 7672 §2.2.1) — weak, as a used host would be (review of
		 * 2026-12-01: unknown made such a domain indeterminate).
		 */
		if (!enforce && in->mx_insecure) {
			e->state = VS_WEAK;
			e->weak = VW_FORGED_MX;
		}
		return;
	case VERDICT_USE_USED:
		break;
	}
	e->unreached = m->reached < m->naddr;
	/* RFC 7672 §2.2: usable TLSA records make TLS and authentication mandatory */
	if (m->dane == VERDICT_DANE_AUTH) {
		e->state = VS_PROTECTED;
		e->by_dane = 1;
		if (reached && (!m->starttls || !m->dane_ok))
			e->broken = "would fail those checks";
		return;
	}
	/*
	 * Secure TLSA records none of which is usable: RFC 7672 §2.2 makes TLS mandatory but
	 * unauthenticated, and Postfix's dane level settles for "encrypt" (DANE_CANTAUTH), any
	 * certificate accepted.  A sender that looks at DANE first (RFC 8461 §2 puts DANE ahead of
	 * MTA-STS) is therefore readable by a man-in-the-middle even under an enforced policy;
	 * `mailtls policy` can still pin such a domain to `secure` for the sender that runs it
	 * (docs/internals/policy.md), which is why the two answers differ.
	 */
	if (m->dane == VERDICT_DANE_UNAUTH) {
		e->state = VS_WEAK;
		e->weak = VW_UNAUTH;
		return;
	}
	/*
	 * A failed TLSA lookup, or a bogus one (review of 2026-12-01): RFC 7672 §2.2 has DANE
	 * senders defer either way — a validating resolver answers SERVFAIL for a bogus RRset, the
	 * same failure to Postfix — but "bogus" here may be signatures stripped on this scanner's
	 * path alone while senders see a secure NODATA and deliver opportunistically.  Calling it
	 * "protected by DANE" (as before) was a fail-open; it is unknown, like a failed lookup.
	 * MTA-STS enforce does not change that: RFC 8461 §2 has a DANE sender follow the TLSA
	 * records first, and were they all unusable it would accept any certificate (the
	 * VERDICT_DANE_UNAUTH case above, weak) — what they are is what the lookup could not learn.
	 */
	if (m->dane == VERDICT_DANE_UNKNOWN || m->dane == VERDICT_DANE_BOGUS) {
		e->state = VS_UNKNOWN;
		return;
	}
	/* RFC 8461 §4.1, §5: STARTTLS, a valid certificate, a matching mx: pattern, or no delivery */
	if (enforce) {
		e->state = VS_PROTECTED;
		if (!m->sts_match)
			e->broken = "matches no mx: pattern of the policy";
		else if (reached && (!m->starttls || !m->webpki_ok))
			e->broken = "would fail those checks";
		return;
	}
	e->state = VS_WEAK;
	if (in->mx_insecure)
		e->weak = VW_FORGED_MX;
	else if (reached && !m->starttls)
		e->weak = VW_NO_TLS;
	else
		e->weak = VW_STRIP;
}

#define VERDICT_SAY(v, ...) \
	snprintf((v)->sentence + strlen((v)->sentence), sizeof((v)->sentence) - \
	    strlen((v)->sentence), __VA_ARGS__)

static void
verdict_say_weak(const struct verdict_input *in, const struct verdict_mx *m,
    const struct verdict_eval *e, size_t nprot, struct verdict *v)
{
	const char *testing = in->sts == VERDICT_STS_TESTING ?
	    ": MTA-STS is only in testing mode" : "";

	switch (e->weak) {
	case VW_UNAUTH:
		VERDICT_SAY(v, "An attacker on the path with any certificate can read mail to %s: its "
		    "TLSA records are all unusable, so DANE senders insist on TLS but accept any "
		    "certificate%s", m->host, in->sts == VERDICT_STS_TESTING ?
		    ", and MTA-STS is only in testing mode" : "");
		if (m->use != VERDICT_USE_USED)
			VERDICT_SAY(v, " (its address lookups %s here: this holds for senders that "
			    "resolve it and use DANE)", m->addr_bogus ? "failed DNSSEC validation" :
			    "failed");
		else if (m->reached && !m->starttls)
			VERDICT_SAY(v, "; %s does not complete STARTTLS, so DANE senders defer mail to it "
			    "and others send it in plaintext", m->host);
		break;
	case VW_FORGED_MX:
		VERDICT_SAY(v, "An attacker on the path can forge the unsigned MX records and divert "
		    "mail to a server of its own%s", in->sts == VERDICT_STS_TESTING ?
		    " (MTA-STS is only in testing mode)" : ", and there is no enforced MTA-STS");
		if (m->use != VERDICT_USE_USED) {
			VERDICT_SAY(v, "; %s: %s", m->host, m->use == VERDICT_USE_UNEXAMINED ?
			    "beyond the MX hosts mailtls examines" : m->addr_bogus ?
			    "its address records failed DNSSEC validation here" :
			    "its address lookups failed here");
			break;
		}
		if (m->reached && !m->starttls)
			VERDICT_SAY(v, "; %s does not even complete STARTTLS", m->host);
		else if (m->dane_if_mx_secure)
			VERDICT_SAY(v, "; %s's TLSA records protect only senders that reach it and use "
			    "DANE below an unsigned MX (Postfix)", m->host);
		else
			VERDICT_SAY(v, ", or strip STARTTLS from %s", m->host);
		break;
	case VW_NO_TLS:
		VERDICT_SAY(v, "Anyone on the path can read mail to %s: %s does not complete STARTTLS, "
		    "and there is no DANE and no enforced MTA-STS%s", m->host,
		    m->starttls_some ? "one of its addresses" : "it",
		    in->sts == VERDICT_STS_TESTING ? " (only testing mode)" : "");
		break;
	case VW_STRIP:
		if (*testing)
			VERDICT_SAY(v, "An attacker on the path can strip STARTTLS from %s%s and there is "
			    "no DANE", m->host, testing);
		else
			VERDICT_SAY(v, "An attacker on the path can strip STARTTLS from %s: no DANE, no "
			    "MTA-STS", m->host);
		break;
	}
	VERDICT_SAY(v, "%s.", nprot ? " (other MX hosts are protected, but senders will use this one)" :
	    "");
}

void
verdict_decide(const struct verdict_input *in, struct verdict *v)
{
	const struct verdict_mx *weak = NULL, *broken = NULL, *unknown = NULL, *unauth = NULL;
	struct verdict_eval e, weak_e, broken_e, unauth_e;
	size_t i, ndane = 0, nprot = 0, nused = 0, unreached = 0;

	memset(v, 0, sizeof(*v));
	memset(&weak_e, 0, sizeof(weak_e));
	memset(&broken_e, 0, sizeof(broken_e));
	memset(&unauth_e, 0, sizeof(unauth_e));
	v->accepts_mail = 1;
	if (in->null_mx && in->nmx == 0) {
		v->protection = VERDICT_NONE;
		v->accepts_mail = 0;
		snprintf(v->sentence, sizeof(v->sentence),
		    "The domain accepts no mail (null MX): there is nothing to read in transit.");
		return;
	}
	if (in->nxdomain && !in->mx_bogus) {
		v->protection = VERDICT_NONE;
		v->accepts_mail = 0;
		snprintf(v->sentence, sizeof(v->sentence),
		    "The domain does not exist (NXDOMAIN): no mail can be sent to it.");
		return;
	}
	if ((in->mx_bogus || in->mx_failed) && in->sts == VERDICT_STS_ENFORCE) {
		/*
		 * RFC 8461 §4.1: whatever MX a sender with the policy obtains must match it and
		 * authenticate.  But a DANE sender follows the real hosts' TLSA records first (RFC
		 * 8461 §2), and all-unusable ones make it accept any certificate; the hosts are
		 * what this lookup could not learn (third review of 2026-12-01: it said protected).
		 */
		v->protection = VERDICT_INDETERMINATE;
		v->can_read = -1;
		v->delivery_at_risk = 1;
		snprintf(v->sentence, sizeof(v->sentence), "Could not be determined: the MX lookup %s "
		    "here. Senders with the MTA-STS policy in enforce mode authenticate whatever MX they "
		    "are given, but DANE senders follow the MX hosts' TLSA records first, which could "
		    "not be looked up from here.", in->mx_bogus ? "fails DNSSEC validation" : "failed");
		return;
	}
	if (in->mx_bogus) {
		v->protection = VERDICT_NONE;
		v->can_read = 1;
		v->delivery_at_risk = 1;
		snprintf(v->sentence, sizeof(v->sentence),
		    "The MX records fail DNSSEC validation: validating senders cannot deliver, and others "
		    "can be sent to a forged MX by an attacker who controls their DNS answers.");
		return;
	}
	if (in->mx_failed || in->nmx == 0) {
		/* senders queue and retry: nothing is sent, nothing is known */
		v->protection = VERDICT_INDETERMINATE;
		v->can_read = -1;
		snprintf(v->sentence, sizeof(v->sentence),
		    "Could not be determined: the MX lookup failed, so senders queue mail and retry; "
		    "run the check again when the domain's name servers answer.");
		return;
	}
	for (i = 0; i < in->nmx; i++) {
		const struct verdict_mx *m = &in->mx[i];

		verdict_eval_mx(in, m, &e);
		if (e.state == VS_SKIP)
			continue;
		nused++;
		switch (e.state) {
		case VS_PROTECTED:
			nprot++;
			ndane += e.by_dane;
			unreached += e.unreached;
			if (broken == NULL && e.broken) {
				broken = m;
				broken_e = e;
			}
			break;
		case VS_UNKNOWN:
			if (unknown == NULL)
				unknown = m;
			break;
		case VS_WEAK:
			/* the first weak MX, a used one before one whose lookups failed */
			if (weak == NULL || (weak->use != VERDICT_USE_USED &&
			    m->use == VERDICT_USE_USED)) {
				weak = m;
				weak_e = e;
			}
			if (unauth == NULL && e.weak == VW_UNAUTH) {
				unauth = m;	/* readable whatever MTA-STS says (RFC 8461 §2) */
				unauth_e = e;
			}
			break;
		default:
			break;
		}
	}
	if (nused == 0 && in->mx_insecure && in->sts != VERDICT_STS_ENFORCE) {
		v->protection = VERDICT_NONE;
		v->can_read = 1;
		v->delivery_at_risk = 1;
		snprintf(v->sentence, sizeof(v->sentence), "No MX host can be used, but the MX records "
		    "are not signed: an attacker on the path can forge them and receive the mail.");
		return;
	}
	if (nused == 0) {
		v->protection = VERDICT_NONE;
		v->delivery_at_risk = 1;
		snprintf(v->sentence, sizeof(v->sentence),
		    "No MX host can be used (DNSSEC proves they do not exist or have no address): "
		    "senders cannot deliver, so nothing can be read in transit.");
		return;
	}
	if (weak && in->sts_unknown && unauth != NULL) {
		/* another MX is readable whatever the unknown policy says: report that one */
		weak = unauth;
		weak_e = unauth_e;
	}
	if (weak && in->sts_unknown && weak_e.weak != VW_UNAUTH) {
		/* an enforced policy would protect this MX: we could not learn whether there is one */
		v->protection = VERDICT_INDETERMINATE;
		v->can_read = -1;
		v->weakest = weak->host;
		VERDICT_SAY(v, "Could not be determined: %s has no DANE, and whether an MTA-STS policy "
		    "in enforce mode protects it could not be learned from here (the _mta-sts lookup "
		    "failed or no address of the policy host answered).", weak->host);
		return;
	}
	if (weak) {
		v->can_read = 1;
		v->weakest = weak->host;
		v->protection = in->sts == VERDICT_STS_TESTING ? VERDICT_MTA_STS_TESTING : VERDICT_NONE;
		verdict_say_weak(in, weak, &weak_e, nprot, v);
		return;
	}
	if (unknown) {
		v->protection = VERDICT_INDETERMINATE;
		v->can_read = -1;
		v->weakest = unknown->host;
		if (unknown->use == VERDICT_USE_UNEXAMINED)
			VERDICT_SAY(v, "Could not be determined: the domain has more MX hosts than "
			    "mailtls examines (%s), and no examined one is weak.", unknown->host);
		else if (unknown->use == VERDICT_USE_USED && unknown->dane == VERDICT_DANE_BOGUS)
			VERDICT_SAY(v, "Could not be determined: the TLSA records of %s failed DNSSEC "
			    "validation (bogus) here. DANE senders that see the same defer mail to it; "
			    "if the signatures were stripped on this path only, senders see whatever "
			    "the zone holds.", unknown->host);
		else if (unknown->addr_bogus)
			VERDICT_SAY(v, "Could not be determined: the address records of %s failed DNSSEC "
			    "validation (bogus) here. Validating senders take that as a failed lookup "
			    "and retry it later; senders that do not validate may be given any address.",
			    unknown->host);
		else if (unknown->use == VERDICT_USE_UNKNOWN)
			VERDICT_SAY(v, "Could not be determined: the address lookups for %s failed, so "
			    "senders retry it later.", unknown->host);
		else
			VERDICT_SAY(v, "Could not be determined: the TLSA records of %s could not be "
			    "obtained whole (the lookup failed or was cut short), so DANE senders defer "
			    "mail to it until they can be.", unknown->host);
		/* under enforce only TLSA records not seen leave an MX unknown (verdict_eval_mx) */
		if (in->sts == VERDICT_STS_ENFORCE)
			VERDICT_SAY(v, " The MTA-STS policy in enforce mode protects it unless its TLSA "
			    "records, which DANE senders follow first (RFC 8461 §2), are all unusable: "
			    "%s.", unknown->use == VERDICT_USE_UNEXAMINED ? "it was never looked at" :
			    unknown->use == VERDICT_USE_UNKNOWN ? "with its address lookups failed here, "
			    "whether it is an alias whose target's records come first is not known" :
			    "those could not be learned whole from here");
		if (nprot)
			VERDICT_SAY(v, " The other MX hosts are protected.");
		return;
	}
	v->protection = ndane == nused ? VERDICT_DANE : VERDICT_MTA_STS;
	v->can_read = 0;
	v->delivery_at_risk = broken != NULL;
	v->weakest = broken ? broken->host : NULL;
	if (v->protection == VERDICT_DANE)
		VERDICT_SAY(v, "Protected by DANE: every MX has DNSSEC-signed TLSA records, so DANE-aware "
		    "senders will not fall back to plaintext.");
	else
		VERDICT_SAY(v, "Protected by MTA-STS in enforce mode%s: enforcing senders that have "
		    "the policy require STARTTLS with a valid certificate for every MX.", ndane ?
		    " (and DANE on some MX)" : "");
	if (broken)
		VERDICT_SAY(v, " But %s %s: mail to it is deferred by %s.", broken->host,
		    broken_e.broken, broken_e.deferrers ? broken_e.deferrers : broken_e.by_dane ?
		    "DANE senders" : "senders that enforce the policy");
	if (in->not_probed)
		VERDICT_SAY(v, " The servers were not probed (DNS only): their certificates were not "
		    "checked.");
	else if (unreached)
		VERDICT_SAY(v, " Some addresses could not be reached from here, so their certificates "
		    "were not checked.");
}
