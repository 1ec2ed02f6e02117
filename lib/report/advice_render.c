/*
 * advice_render.c — text and JSON of an advice (advice_render.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "advice/advice.h"
#include "check/check.h"
#include "report/advice_render.h"
#include "report/report.h"
#include "util/arena.h"

static json_t *
ar_findings(const char *list)
{
	json_t *a = json_array();
	char buf[600], *t, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list ? list : "");
	for (t = strtok_r(buf, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save))
		json_array_append_new(a, json_string(t));
	return a;
}

json_t *
report_advice_json(const struct advice *ad)
{
	json_t *o = json_object(), *tlsa = json_array(), *hosts = json_array(), *set = json_array();
	json_t *notes = json_array();
	size_t i;

	for (i = 0; i < ad->ntlsa; i++)
		json_array_append_new(tlsa, json_pack("{s:o, s:s, s:s, s:s, s:s}", "host",
		    report_jstr(ad->tlsa[i].host), "owner", ad->tlsa[i].owner, "rdata", ad->tlsa[i].rdata,
		    "zone_line", ad->tlsa[i].zone_line, "why", ad->tlsa[i].why));
	json_object_set_new(o, "tlsa", tlsa);
	json_object_set_new(o, "dane_blocked_by_dnssec", json_boolean(ad->dane_blocked));
	json_object_set_new(o, "rollover", report_jstr(ad->rollover));
	json_object_set_new(o, "mta_sts", !ad->sts_needed ? json_null() :
	    json_pack("{s:s, s:o, s:s, s:s, s:s}", "txt", ad->sts_txt, "policy_host",
	    report_jstr(ad->sts_host), "policy", ad->sts_policy, "nginx", ad->sts_nginx,
	    "enforce_when", ad->sts_enforce_when));
	json_object_set_new(o, "tls_rpt", !ad->rpt_needed ? json_null() :
	    json_pack("{s:s}", "txt", ad->rpt_txt));
	for (i = 0; i < ad->nhosts; i++)
		json_array_append_new(hosts, json_pack("{s:o, s:s, s:o}", "host",
		    report_jstr(ad->hosts[i].host), "software", advice_software_name(ad->hosts[i].sw),
		    "recognised_by", report_jstr(ad->hosts[i].recognised_by)));
	json_object_set_new(o, "servers", hosts);
	for (i = 0; i < ad->nsettings; i++)
		json_array_append_new(set, json_pack("{s:o, s:s, s:s, s:o, s:o, s:o}", "host",
		    report_jstr(ad->settings[i].host), "software",
		    advice_software_name(ad->settings[i].sw), "file", ad->settings[i].file, "line",
		    report_jstr(ad->settings[i].line), "prepare", report_jstr(ad->settings[i].prepare),
		    "findings", ar_findings(ad->settings[i].findings)));
	json_object_set_new(o, "settings", set);
	for (i = 0; i < ad->nnotes; i++)
		json_array_append_new(notes, report_jstr(ad->notes[i]));
	json_object_set_new(o, "notes", notes);
	return o;
}

json_t *
report_check_advice_json(const struct check_result *r)
{
	struct arena *a = arena_new();
	struct advice ad;
	struct advice_opts o;
	json_t *j;

	memset(&o, 0, sizeof(o));
	o.now = (long)time(NULL);
	advice_build(r, &o, a, &ad);
	j = report_advice_json(&ad);
	arena_free(a);
	return j;
}

static void
ar_indent(FILE *f, const char *text, const char *pfx)
{
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		fprintf(f, "%s%.*s\n", pfx, nl ? (int)(nl - p) : (int)strlen(p), p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

void
report_advice_text(FILE *f, const struct advice *ad, const struct check_result *r)
{
	size_t i, j, k, section = 0;

	fprintf(f, "%s: %s\n", ad->domain, r->verdict.sentence);
	if ((r->null_mx && r->nmx == 0) || r->mx_nxdomain) {
		fprintf(f, "  nothing to advise: the domain accepts no mail\n");
		return;
	}
	if (ad->ntlsa || ad->dane_blocked) {
		fprintf(f, "\n%zu. DANE: TLSA records (zone-file syntax; the zones must be DNSSEC-signed)\n",
		    ++section);
		for (i = 0; i < ad->ntlsa; i++)
			fprintf(f, "   %-70s ; %s\n", ad->tlsa[i].zone_line, ad->tlsa[i].why);
		if (ad->rollover)
			fprintf(f, "   Rollover: %s\n", ad->rollover);
	}
	if (ad->sts_needed || ad->rpt_needed) {
		fprintf(f, "\n%zu. MTA-STS and TLS-RPT (DNS records, policy file, web server)\n", ++section);
		if (ad->sts_needed)
			fprintf(f, "   %s\n", ad->sts_txt);
		if (ad->rpt_needed)
			fprintf(f, "   %s\n", ad->rpt_txt);
		if (ad->sts_needed) {
			fprintf(f, "   %s needs an A/AAAA record and a certificate from a public CA for "
			    "that name.\n   https://%s/.well-known/mta-sts.txt (text/plain):\n", ad->sts_host,
			    ad->sts_host);
			ar_indent(f, ad->sts_policy, "     ");
			fprintf(f, "   nginx:\n");
			ar_indent(f, ad->sts_nginx, "     ");
			fprintf(f, "   %s\n", ad->sts_enforce_when);
		}
	}
	if (ad->nhosts) {
		fprintf(f, "\n%zu. Server settings that remove the findings\n", ++section);
		for (i = 0; i < ad->nhosts; i++) {
			const struct advice_host *h = &ad->hosts[i];
			const char *file = NULL;
			int any = 0;

			for (j = 0; j < ad->nsettings; j++)
				any |= strcmp(ad->settings[j].host, h->host) == 0;
			if (!any)
				continue;
			if (h->sw == ADVICE_SW_UNKNOWN)
				fprintf(f, "   %s: server software not recognised; the settings for Postfix, "
				    "Exim and OpenSMTPD:\n", h->host);
			else
				fprintf(f, "   %s: %s (recognised by its %s)\n", h->host,
				    advice_software_name(h->sw), h->recognised_by ? h->recognised_by : "?");
			for (k = ADVICE_SW_POSTFIX; k < ADVICE_SW_LAST; k++)
				for (j = 0; j < ad->nsettings; j++) {
					const struct advice_setting *s = &ad->settings[j];

					if (s->sw != (enum advice_software)k || strcmp(s->host, h->host))
						continue;
					if (file == NULL || strcmp(file, s->file) != 0)
						fprintf(f, "     %s:\n", file = s->file);
					if (s->prepare)
						fprintf(f, "       # first: %s\n", s->prepare);
					fprintf(f, "       %-60s # %s\n", s->line, s->findings);
				}
			if (h->sw == ADVICE_SW_POSTFIX)
				fprintf(f, "     then: postfix reload\n");
		}
	}
	if (ad->nnotes) {
		fprintf(f, "\n%zu. Also\n", ++section);
		for (i = 0; i < ad->nnotes; i++)
			fprintf(f, "   - %s\n", ad->notes[i]);
	}
	if (section == 0)
		fprintf(f, "  nothing to advise: no finding this advice can remove\n");
}
