/*
 * check_text.c — `mailtls check` for people: the verdict first, then the evidence (DNSSEC, each MX
 * with its DANE state and what its probes saw, MTA-STS, TLS-RPT), then findings with remedies.
 * Several domains: one table of verdicts, as the seeds tabulate providers.
 */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "report/report.h"

static const char *
ct_color(const struct report_opts *ro, int good)
{
	if (!ro->color)
		return "";
	return good ? "\033[32m" : "\033[1;31m";
}

static void
ct_findings(FILE *f, const struct check_finding *cf, size_t n, const struct report_opts *ro)
{
	const struct finding_info *fi;
	size_t i;
	int s;

	for (s = SEVERITY_CRITICAL; s > SEVERITY_INFO; s--)
		for (i = 0; i < n; i++) {
			if ((int)cf[i].severity != s)
				continue;
			fi = finding_info(cf[i].id);
			fprintf(f, "    %-8s %s%s%s\n", severity_name(cf[i].severity), fi->name,
			    cf[i].detail ? ": " : "", cf[i].detail ? cf[i].detail : "");
			fprintf(f, "             fix: %s\n", fi->remedy);
		}
}

void
report_check_text(FILE *f, const struct check_result *r, const struct report_opts *ro)
{
	const char *rs = ro->color ? "\033[0m" : "", *b = ro->color ? "\033[1m" : "";
	const struct check_sts *s = &r->sts;
	char buf[600];
	size_t i, j, k;

	fprintf(f, "%s%s%s: %s%s%s\n", b, r->domain, rs, ct_color(ro, r->verdict.can_read == 0),
	    r->verdict.can_read < 0 ? "COULD NOT BE DETERMINED (DNS lookups failed or did not validate)" :
	    r->verdict.can_read ? "NOT PROTECTED against an active attacker" :
	    !r->verdict.accepts_mail ? "accepts no mail" :
	    "protected against downgrade", rs);
	fprintf(f, "  verdict   %s — %s\n", verdict_protection_name(r->verdict.protection),
	    r->verdict.sentence);
	fprintf(f, "  DNSSEC    MX RRset %s%s%s\n", resolver_status_name(r->mx_status),
	    r->mx_why_bogus ? ": " : "", r->mx_why_bogus ? r->mx_why_bogus : "");
	for (i = 0; i < r->nmx; i++) {
		const struct check_mx *mx = &r->mx[i];

		fprintf(f, "  MX %-5d  %s%s%s  addresses:", mx->pref, mx->host,
		    mx->implicit ? " (implicit)" : "", mx->canon && strcmp(mx->canon, mx->host) ?
		    " (alias)" : "");
		for (j = 0; j < mx->naddr; j++)
			fprintf(f, " %s", mx->addr[j]);
		fprintf(f, "%s\n", mx->naddr ? "" : " none");
		if (mx->vm.use == VERDICT_USE_UNKNOWN)
			fprintf(f, "            address lookups %s here: senders that resolve it use it\n",
			    mx->vm.addr_bogus ? "failed DNSSEC validation" : "failed");
		else if (mx->vm.use != VERDICT_USE_USED)
			fprintf(f, "            not used by senders (%s)\n", verdict_use_name(mx->vm.use));
		fprintf(f, "            DANE %s", check_dane_name(mx->dane));
		for (k = 0; k < mx->ntlsa; k++)
			if (mx->tlsa[k].status == TLSA_OK && tlsa_format(&mx->tlsa[k], buf, sizeof(buf)) <
			    sizeof(buf))
				fprintf(f, "%s%.24s%s", k ? ", " : " (", buf, strlen(buf) > 24 ? "…" : "");
		fprintf(f, "%s\n", mx->ntlsa ? ")" : "");
		for (j = 0; j < mx->nep; j++) {
			const struct endpoint *ep = mx->ep[j];

			fprintf(f, "            %-15s ", ep->ip);
			if (!ep->connected)
				fprintf(f, "not reachable from here (TLS not checked)\n");
			else if (!ep->tls_established)
				fprintf(f, "%sno TLS%s (%s)\n", ct_color(ro, 0), rs,
				    ep->starttls_offered ? "handshake failed" : "STARTTLS not offered");
			else
				fprintf(f, "%s %s, certificate %s%s%s\n", ep->tls->version,
				    ep->tls->cipher ? ep->tls->cipher : "?",
				    ep->dane ? (ep->dane->verified ? "DANE-verified" : "fails DANE") :
				    ep->cert && ep->cert->chain_valid && ep->cert->name_match ? "valid" :
				    "not valid", ep->cert && !ep->cert->chain_valid && !ep->dane ? ": " : "",
				    ep->cert && !ep->cert->chain_valid && !ep->dane ? ep->cert->chain_error : "");
		}
	}
	if (!s->record_present)
		fprintf(f, "  MTA-STS   none\n");
	else if (s->record_status != MTASTS_OK)
		fprintf(f, "  MTA-STS   record invalid (%s)\n", mtasts_status_name(s->record_status));
	else if (!s->fetched)
		fprintf(f, "  MTA-STS   id=%s, policy not fetched: %s\n", s->id,
		    s->fetch_error ? s->fetch_error : "?");
	else if (!s->policy_valid)
		fprintf(f, "  MTA-STS   id=%s, policy invalid (%s)\n", s->id,
		    mtasts_status_name(s->policy_status));
	else {
		fprintf(f, "  MTA-STS   id=%s, mode %s, max_age %llu, mx:", s->id,
		    mtasts_mode_name(s->policy.mode), (unsigned long long)s->policy.max_age);
		for (i = 0; i < s->policy.nmx; i++)
			fprintf(f, " %s", s->policy.mx[i]);
		fprintf(f, "\n");
	}
	if (!r->tlsrpt.present)
		fprintf(f, "  TLS-RPT   none\n");
	else if (r->tlsrpt.status != TLSRPT_OK)
		fprintf(f, "  TLS-RPT   invalid (%s)\n", tlsrpt_status_name(r->tlsrpt.status));
	else {
		fprintf(f, "  TLS-RPT  ");
		for (i = 0; i < r->tlsrpt.record.nrua; i++)
			fprintf(f, " %s", r->tlsrpt.record.rua[i].uri);
		fprintf(f, "\n");
	}
	if (r->graded)
		fprintf(f, "  grade     %s (the weakest endpoint: %s)\n", grade_letter_name(r->grade),
		    r->grade_display);
	fprintf(f, "  findings (info left out; --json has everything):\n");
	ct_findings(f, r->findings, r->nfindings, ro);
	for (i = 0; i < r->nendpoints; i++) {
		const struct endpoint *ep = r->endpoints[i];
		struct check_finding cf[ENDPOINT_FINDINGS_MAX];
		size_t n = 0;

		for (j = 0; j < ep->nfindings; j++) {
			cf[n].id = ep->findings[j].id;
			cf[n].severity = ep->findings[j].severity;
			cf[n].detail = ep->findings[j].detail;
			n++;
		}
		for (j = 0; j < n && cf[j].severity == SEVERITY_INFO; j++)
			;
		if (j < n) {
			fprintf(f, "  %s[%s]:%d\n", ep->host, ep->ip, ep->port);
			ct_findings(f, cf, n, ro);
		}
	}
	fprintf(f, "  %d connections, %ld ms\n", r->connections, r->elapsed_ms);
}

void
report_check_table(FILE *f, const struct check_result *const *rs, size_t n,
    const struct report_opts *ro)
{
	const char *end = ro->color ? "\033[0m" : "";
	size_t i, usable;
	int any;

	fprintf(f, "%-28s %-16s %-8s %-13s %-8s %-10s %-8s %-6s %s\n", "domain", "protection", "reads?",
	    "DNSSEC(MX)", "DANE", "MTA-STS", "TLS-RPT", "grade", "worst finding");
	for (i = 0; i < n; i++) {
		const struct check_result *r = rs[i];
		const char *sts;
		enum severity w;

		usable = check_dane_usable(r);
		sts = !r->sts.record_present ? "none" : r->sts.record_status != MTASTS_OK ? "bad-record" :
		    !r->sts.fetched ? "no-policy" : !r->sts.policy_valid ? "bad-policy" :
		    mtasts_mode_name(r->sts.policy.mode);
		w = check_worst(r, &any);
		fprintf(f, "%-28.28s %-16s %s%-8s%s %-13s %-8s %-10s %-8s %-6s %s\n", r->domain,
		    r->verdict.accepts_mail ? verdict_protection_name(r->verdict.protection) :
		    "none (no mail)", ct_color(ro, r->verdict.can_read == 0),
		    r->verdict.can_read < 0 ? "?" : r->verdict.can_read ? "YES" : "no", end, resolver_status_name(r->mx_status),
		    r->nmx == 0 ? "-" : usable == r->nmx ? "all" : usable ? "partial" : "none", sts,
		    !r->tlsrpt.present ? "none" : r->tlsrpt.status == TLSRPT_OK ? "ok" : "invalid",
		    r->graded ? grade_letter_name(r->grade) : "-", any ? severity_name(w) : "-");
	}
	fprintf(f, "\n");
	for (i = 0; i < n; i++)
		fprintf(f, "%s: %s\n", rs[i]->domain, rs[i]->verdict.sentence);
}
