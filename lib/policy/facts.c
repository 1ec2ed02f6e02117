/*
 * facts.c — the summary policy_decide() needs, taken from a `mailtls check` result.
 */
#include <string.h>

#include "check/check.h"
#include "policy/policy.h"

void
policy_facts_from_check(const struct check_result *r, int probed, int pin, struct policy_facts *f,
    struct policy_mx_facts *mx)
{
	const struct check_sts *s = &r->sts;
	size_t i, n = 0;

	memset(f, 0, sizeof(*f));
	f->domain = r->domain;
	f->accepts_mail = r->verdict.accepts_mail && !(r->null_mx && r->nmx == 0) && !r->mx_nxdomain;
	f->mx_failed = r->mx_status == RESOLVER_INDETERMINATE && !r->mx_nxdomain;
	f->mx_bogus = r->mx_status == RESOLVER_BOGUS;
	/* no policy fetched (for whatever reason) and none cached is no policy: RFC 8461 §3.3 */
	f->sts = !s->policy_valid ? VERDICT_STS_ABSENT :
	    s->policy.mode == MTASTS_MODE_ENFORCE ? VERDICT_STS_ENFORCE :
	    s->policy.mode == MTASTS_MODE_TESTING ? VERDICT_STS_TESTING : VERDICT_STS_NONE;
	if (s->policy_valid) {
		f->sts_nmx = s->policy.nmx;
		f->sts_mx = s->policy.mx;
		f->sts_mx_unknown = s->mx_unknown;	/* P5b without MX-match warnings */
	}
	f->probed = probed;
	f->pin = pin;
	for (i = 0; i < r->nmx && n < POLICY_MX_MAX; i++, n++) {
		const struct verdict_mx *v = &r->mx[i].vm;

		memset(&mx[n], 0, sizeof(mx[n]));
		mx[n].host = r->mx[i].host;
		mx[n].use = v->use;
		mx[n].dane = v->dane;
		mx[n].sts_match = r->mx[i].sts_pattern != NULL;
		/* unknown because of a bogus address lookup: P7 and P8h tell it apart */
		mx[n].addr_bogus = v->addr_bogus;
		mx[n].reached = v->reached > 0;
		mx[n].starttls = v->starttls;
		mx[n].dane_ok = v->dane_ok;
		mx[n].webpki_ok = v->webpki_ok;
	}
	if (r->mx_dropped && n < POLICY_MX_MAX) {
		memset(&mx[n], 0, sizeof(mx[n]));
		mx[n].host = "(beyond the MX ceiling)";
		mx[n].use = VERDICT_USE_UNEXAMINED;
		n++;
	}
	f->nmx = n;
	f->mx = mx;
}
