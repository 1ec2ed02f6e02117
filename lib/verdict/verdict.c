/*
 * verdict.c — see verdict.h.
 */
#include <stdio.h>
#include <string.h>

#include "verdict/verdict.h"

static const char *const verdict_names[VERDICT_LAST] = {
	[VERDICT_DANE] = "dane",
	[VERDICT_MTA_STS] = "mta-sts",
	[VERDICT_MTA_STS_TESTING] = "mta-sts-testing",
	[VERDICT_NONE] = "none",
};

const char *
verdict_protection_name(enum verdict_protection p)
{
	return (unsigned)p < VERDICT_LAST ? verdict_names[p] : "?";
}

/* Is this MX protected by DANE or by an enforced MTA-STS policy? */
static int
verdict_mx_protected(const struct verdict_input *in, const struct verdict_mx *m, int *by_dane)
{
	*by_dane = m->dane || m->dane_failed;
	if (*by_dane)
		return 1;
	return in->sts == VERDICT_STS_ENFORCE;
}

void
verdict_decide(const struct verdict_input *in, struct verdict *v)
{
	const struct verdict_mx *weak = NULL, *broken = NULL;
	size_t i, ndane = 0, nprot = 0;
	int by_dane;

	memset(v, 0, sizeof(*v));
	v->accepts_mail = 1;
	if (in->null_mx) {
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
	if (in->mx_bogus || in->nmx == 0) {
		v->protection = VERDICT_NONE;
		v->can_read = 1;
		v->delivery_at_risk = in->mx_bogus;
		snprintf(v->sentence, sizeof(v->sentence), in->mx_bogus ?
		    "The MX records fail DNSSEC validation: validating senders cannot deliver, and others "
		    "can be sent to a forged MX by an attacker who controls their DNS answers." :
		    "No mail server could be found for the domain, so nothing protects mail to it.");
		return;
	}
	for (i = 0; i < in->nmx; i++) {
		const struct verdict_mx *m = &in->mx[i];

		if (verdict_mx_protected(in, m, &by_dane)) {
			nprot++;
			ndane += by_dane;
			/* protected, but a strict sender would fail here: mail defers, it is not read */
			if (broken == NULL && ((by_dane && (!m->dane_ok || m->dane_failed)) ||
			    (!by_dane && (!m->sts_match || !m->starttls || !m->webpki_ok))))
				broken = m;
		} else if (weak == NULL)
			weak = m;
	}
	if (weak == NULL) {
		v->protection = ndane == in->nmx ? VERDICT_DANE : VERDICT_MTA_STS;
		v->can_read = 0;
		v->delivery_at_risk = broken != NULL;
		v->weakest = broken ? broken->host : NULL;
		if (v->protection == VERDICT_DANE)
			snprintf(v->sentence, sizeof(v->sentence),
			    "Protected by DANE: every MX has DNSSEC-signed TLSA records, so DANE-aware "
			    "senders will not fall back to plaintext.");
		else
			snprintf(v->sentence, sizeof(v->sentence),
			    "Protected by MTA-STS in enforce mode%s: enforcing senders require STARTTLS "
			    "with a valid certificate for every MX.", ndane ? " (and DANE on some MX)" : "");
		if (broken)
			snprintf(v->sentence + strlen(v->sentence), sizeof(v->sentence) -
			    strlen(v->sentence), " But %s %s: mail to it is deferred.", broken->host,
			    broken->dane_failed ? "has TLSA records that cannot be validated" :
			    !broken->dane && !broken->sts_match ? "matches no mx: pattern of the policy" :
			    "would fail those checks");
		return;
	}
	v->can_read = 1;
	v->weakest = weak->host;
	if (in->sts == VERDICT_STS_TESTING) {
		v->protection = VERDICT_MTA_STS_TESTING;
		snprintf(v->sentence, sizeof(v->sentence),
		    "An attacker on the path can strip STARTTLS from %s: MTA-STS is only in testing mode%s.",
		    weak->host, weak->dane ? "" : " and there is no DANE");
		return;
	}
	v->protection = VERDICT_NONE;
	if (!weak->starttls && weak->reachable)
		snprintf(v->sentence, sizeof(v->sentence),
		    "Anyone on the path can read mail to %s: %s does not complete STARTTLS, and there is "
		    "no DANE and no enforced MTA-STS.", weak->host,
		    weak->starttls_some ? "one of its addresses" : "it");
	else
		snprintf(v->sentence, sizeof(v->sentence),
		    "An attacker on the path can strip STARTTLS from %s: no DANE, no MTA-STS%s.", weak->host,
		    nprot ? " (other MX hosts are protected, but senders will use this one)" : "");
}
