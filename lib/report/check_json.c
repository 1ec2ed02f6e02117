/*
 * check_json.c — the JSON report of `mailtls check DOMAIN` (docs/report-schema.md, "check").
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check/check.h"
#include "report/advice_render.h"
#include "report/report.h"
#include "util/xalloc.h"


static json_t *
cj_findings(const struct check_finding *f, size_t n)
{
	json_t *a = json_array();
	const struct finding_info *fi;
	size_t i;

	for (i = 0; i < n; i++) {
		fi = finding_info(f[i].id);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o, s:s}", "id", fi->name,
		    "severity", severity_name(f[i].severity), "summary", fi->summary,
		    "detail", report_jstr(f[i].detail), "remedy", fi->remedy));
	}
	return a;
}

static json_t *
cj_mx(const struct check_mx *mx)
{
	json_t *o = json_object(), *addrs = json_array(), *tlsa = json_array(), *dane;
	char buf[600];
	size_t i;

	for (i = 0; i < mx->naddr; i++)
		json_array_append_new(addrs, json_string(mx->addr[i]));
	for (i = 0; i < mx->ntlsa; i++) {
		size_t need = mx->tlsa[i].status == TLSA_OK ? tlsa_format(&mx->tlsa[i], buf, sizeof(buf)) : 0;

		if (mx->tlsa[i].status == TLSA_OK && need < sizeof(buf))
			json_array_append_new(tlsa, json_string(buf));
		else if (mx->tlsa[i].status == TLSA_OK) {
			/* a Full(0) record: a whole certificate or key in hex */
			char *big = malloc(need + 1);

			if (big == NULL)
				BUG("out of memory");
			tlsa_format(&mx->tlsa[i], big, need + 1);
			json_array_append_new(tlsa, json_string(big));
			free(big);
		} else
			json_array_append_new(tlsa, json_pack("{s:s}", "malformed",
			    tlsa_status_name(mx->tlsa[i].status)));
	}
	dane = json_pack("{s:s, s:o, s:s, s:o, s:i, s:b, s:b}", "status", check_dane_name(mx->dane),
	    "tlsa_name", report_jstr(mx->tlsa_name), "dnssec",
	    mx->tlsa_name ? resolver_status_name(mx->tlsa_status) : "n/a",
	    "records", tlsa, "usable", (int)mx->health.usable,
	    "multiple_usable", mx->health.multiple_usable, "ee_ta_pair", mx->health.ee_ta_pair);
	json_object_set_new(o, "host", report_jstr(mx->host));
	json_object_set_new(o, "preference", json_integer(mx->pref));
	json_object_set_new(o, "implicit", json_boolean(mx->implicit));
	json_object_set_new(o, "ip_literal", json_boolean(mx->ip_literal));
	json_object_set_new(o, "cname", report_jstr(mx->canon && strcmp(mx->canon, mx->host) ? mx->canon : NULL));
	json_object_set_new(o, "addresses", addrs);
	json_object_set_new(o, "addresses_dnssec", json_string(resolver_status_name(mx->addr_status)));
	json_object_set_new(o, "address_lookups", json_pack("{s:{s:o, s:i}, s:{s:o, s:i}}",
	    "a", "dnssec", mx->a_asked ? json_string(resolver_status_name(mx->a_status)) : json_null(),
	    "count", mx->a_n,
	    "aaaa", "dnssec", mx->aaaa_asked ? json_string(resolver_status_name(mx->aaaa_status)) :
	    json_null(), "count", mx->aaaa_n));
	json_object_set_new(o, "nxdomain", json_boolean(mx->nxdomain));
	json_object_set_new(o, "duplicate_records", json_integer(mx->dups));
	json_object_set_new(o, "use", json_string(verdict_use_name(mx->vm.use)));
	json_object_set_new(o, "dane_for_senders", json_string(verdict_dane_name(mx->vm.dane)));
	json_object_set_new(o, "dane", dane);
	json_object_set_new(o, "mta_sts_pattern", report_jstr(mx->sts_pattern));
	if (mx->caa_done) {
		json_t *iss = json_array();

		for (i = 0; i < mx->caa_res->set.nissuers && i < CAA_ISSUERS_MAX; i++)
			json_array_append_new(iss, json_string(mx->caa_res->set.issuers[i]));
		json_object_set_new(o, "caa", json_pack("{s:s, s:s, s:o, s:o, s:b, s:b, s:i}",
		    "outcome", caa_outcome_name(mx->caa_res->outcome), "dnssec",
		    resolver_status_name(mx->caa_res->status), "owner", mx->caa_res->owner[0] ?
		    json_string(mx->caa_res->owner) : json_null(), "issuers", iss, "issue_none",
		    mx->caa_res->set.issue_none, "critical_unknown", mx->caa_res->set.critical_unknown,
		    "lookups", mx->caa_res->lookups));
	} else
		json_object_set_new(o, "caa", json_null());
	return o;
}

json_t *
report_check_json(const struct check_result *r, const struct report_opts *ro)
{
	json_t *root = report_json_new(ro), *eps, *mxs = json_array(), *sts, *pol, *rpt, *rua;
	const struct check_sts *s = &r->sts;
	size_t i, usable = check_dane_usable(r);

	for (i = 0; i < r->nmx; i++)
		json_array_append_new(mxs, cj_mx(&r->mx[i]));
	json_object_set_new(root, "domain", report_jstr(r->domain));
	json_object_set_new(root, "verdict", json_pack("{s:s, s:o, s:b, s:b, s:o, s:s}",
	    "downgrade_protection", verdict_protection_name(r->verdict.protection),
	    "active_attacker_can_read", r->verdict.can_read < 0 ? json_null() :
	    json_boolean(r->verdict.can_read),
	    "accepts_mail", r->verdict.accepts_mail,
	    "delivery_at_risk", r->verdict.delivery_at_risk,
	    "weakest_mx", report_jstr(r->verdict.weakest), "sentence", r->verdict.sentence));
	json_object_set_new(root, "dnssec", json_pack("{s:s, s:o}", "status",
	    resolver_status_name(r->mx_status), "why_bogus", report_jstr(r->mx_why_bogus)));
	json_object_set_new(root, "mx", mxs);
	json_object_set_new(root, "null_mx", json_boolean(r->null_mx));
	json_object_set_new(root, "implicit_mx", json_boolean(r->implicit_mx));
	json_object_set_new(root, "dane", json_pack("{s:s, s:i, s:i}", "status",
	    r->nmx == 0 ? "none" : usable == r->nmx ? "all" : usable ? "partial" : "none",
	    "mx_with_dane", (int)usable, "mx_total", (int)r->nmx));

	pol = json_null();
	if (s->record_status == MTASTS_OK) {
		json_t *mx = json_array();

		for (i = 0; s->policy_valid && i < s->policy.nmx; i++)
			json_array_append_new(mx, json_string(s->policy.mx[i]));
		pol = json_pack("{s:b, s:I, s:o, s:o, s:b, s:o}", "fetched", s->fetched,
		    "http_status", (json_int_t)s->http_status, "content_type", report_jstr(s->content_type),
		    "error", report_jstr(s->fetch_error ? s->fetch_error : s->fetched && !s->policy_valid ?
		    mtasts_status_name(s->policy_status) : NULL), "valid", s->policy_valid, "mx", mx);
		json_object_set_new(pol, "mode", s->policy_valid ?
		    json_string(mtasts_mode_name(s->policy.mode)) : json_null());
		json_object_set_new(pol, "addresses_tried", json_integer(s->addr_tried));
		json_object_set_new(pol, "max_age", s->policy_valid ?
		    json_integer((json_int_t)s->policy.max_age) : json_null());
	}
	sts = json_pack("{s:{s:b, s:b, s:o, s:o}, s:o}", "record", "present", s->record_present,
	    "valid", s->record_status == MTASTS_OK, "id", report_jstr(s->id), "error",
	    s->record_present && s->record_status != MTASTS_OK ?
	    json_string(mtasts_status_name(s->record_status)) : json_null(), "policy", pol);
	json_object_set_new(root, "mta_sts", sts);

	rua = json_array();
	for (i = 0; r->tlsrpt.status == TLSRPT_OK && i < r->tlsrpt.record.nrua; i++)
		json_array_append_new(rua, json_string(r->tlsrpt.record.rua[i].uri));
	rpt = json_pack("{s:b, s:b, s:o, s:o}", "present", r->tlsrpt.present, "valid",
	    r->tlsrpt.status == TLSRPT_OK, "rua", rua, "error",
	    r->tlsrpt.present && r->tlsrpt.status != TLSRPT_OK ?
	    json_string(tlsrpt_status_name(r->tlsrpt.status)) : json_null());
	json_object_set_new(root, "tls_rpt", rpt);
	json_object_set_new(root, "findings", cj_findings(r->findings, r->nfindings));
	eps = json_object_get(root, "endpoints");
	for (i = 0; i < r->nendpoints; i++)
		json_array_append_new(eps, report_endpoint_json(r->endpoints[i]));
	json_object_set_new(root, "grade", r->graded ? json_pack("{s:s, s:s}", "letter",
	    grade_letter_name(r->grade), "weakest_endpoint", r->grade_display) : json_null());
	json_object_set_new(root, "connections", json_integer(r->connections));
	json_object_set_new(root, "elapsed_ms", json_integer(r->elapsed_ms));
	/* what to publish and configure against the findings (lib/advice/, docs/internals/advice.md) */
	json_object_set_new(root, "advice", report_check_advice_json(r));
	return root;
}
