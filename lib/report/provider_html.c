/*
 * provider_html.c — the provider tables as one self-contained HTML page: inline CSS, no script,
 * no external resource (it opens offline and in a mail).  Every server-supplied string is
 * escaped.  Stable hooks for tests: table#services / table#dnssec, tr[data-service],
 * td[data-col], and the class good/bad on judged cells.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "probe/endpoint.h"
#include "provider/provider.h"
#include "report/provider_render.h"
#include "report/report_scan.h"
#include "verdict/finding.h"


static const char *const ph_cols1[9] = { "service", "host", "source", "certificate", "versions",
    "ciphers", "mandatory", "dane", "grade" };
static const char *const ph_head1[9] = { "Service", "Host:port", "Found by", "Certificate",
    "Protocols", "Ciphers", "TLS mandatory", "DANE", "Grade" };
static const char *const ph_cols2[6] = { "service", "host", "dnssec_name", "dnssec_addr", "tlsa",
    "dane" };
static const char *const ph_head2[6] = { "Service", "Host:port", "DNSSEC (MX/SRV)",
    "DNSSEC (address)", "TLSA", "DANE" };

static void
ph_table(FILE *f, const struct provider_result *r, int which)
{
	char cells[PROVIDER_RENDER_COLS][PROVIDER_RENDER_CELL];
	int good[PROVIDER_RENDER_COLS], c, ncols = which == 1 ? 9 : 6;
	const char *const *cols = which == 1 ? ph_cols1 : ph_cols2;
	const char *const *head = which == 1 ? ph_head1 : ph_head2;
	size_t i;

	fprintf(f, "<table id=\"%s\"><thead><tr>", which == 1 ? "services" : "dnssec");
	for (c = 0; c < ncols; c++)
		fprintf(f, "<th>%s</th>", head[c]);
	fprintf(f, "</tr></thead><tbody>\n");
	for (i = 0; i < r->nsvc; i++) {
		provider_render_row(&r->svc[i], which, cells, good);
		fprintf(f, "<tr data-service=\"");
		report_html_text(f, cells[0]);
		fprintf(f, "\">");
		for (c = 0; c < ncols; c++) {
			fprintf(f, "<td data-col=\"%s\"%s>", cols[c], good[c] > 0 ? " class=\"good\"" :
			    good[c] < 0 ? " class=\"bad\"" : "");
			report_html_text(f, cells[c]);
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody></table>\n");
}

static void
ph_finding(void *arg, const struct finding_info *fi, const struct provider_finding *pf,
    const struct provider_service *s, const struct endpoint_finding *ef)
{
	FILE *f = arg;

	if (pf != NULL) {
		fprintf(f, "<li class=\"sev-%s\" data-id=\"%s\"><b>%s</b> <code>%s</code> ",
		    severity_name(fi->severity), fi->name, severity_name(fi->severity), fi->name);
		report_html_text(f, pf->detail ? pf->detail : fi->summary);
	} else {
		fprintf(f, "<li class=\"sev-%s\" data-id=\"%s\"><b>%s</b> <code>%s</code> %s ",
		    severity_name(ef->severity), fi->name, severity_name(ef->severity), fi->name,
		    provider_service_label(s->proto));
		report_html_text(f, s->host);
		fprintf(f, ":%d: ", s->port);
		report_html_text(f, ef->detail ? ef->detail : fi->summary);
	}
	fprintf(f, "<br><i>fix:</i> ");
	report_html_text(f, fi->remedy);
	fprintf(f, "</li>\n");
}

static void
ph_findings(FILE *f, const struct provider_result *r)
{
	fprintf(f, "<ul class=\"findings\">\n");
	provider_render_findings(r, ph_finding, f);
	fprintf(f, "</ul>\n");
}

void
report_provider_html(FILE *f, const struct provider_result *const *rs, size_t n)
{
	char when[32];
	time_t t = time(NULL);
	struct tm tm;
	size_t i;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>mailtls provider report</title>\n<style>\n"
	    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em;color:#222;background:#fff}\n"
	    "h1{font-size:1.4em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:2px solid #ddd}\n"
	    "table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}\n"
	    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\n"
	    "th{background:#f0f0f0}td.good{background:#dff5e1;color:#155724}\n"
	    "td.bad{background:#fbe3e4;color:#8a1f11}\n"
	    "ul.findings{font-size:.9em}ul.findings li{margin:.3em 0}\n"
	    ".sev-critical b{color:#fff;background:#8a1f11;padding:0 .3em}\n"
	    ".sev-high b{color:#8a1f11}.sev-medium b{color:#a15c00}.sev-low b{color:#555}\n"
	    "footer{color:#777;font-size:.8em;margin-top:2em}\n"
	    "</style></head><body>\n<h1>Mail and chat services: TLS report</h1>\n");
	for (i = 0; i < n; i++) {
		const struct provider_result *r = rs[i];

		fprintf(f, "<section class=\"provider\" data-domain=\"");
		report_html_text(f, r->domain);
		fprintf(f, "\">\n<h2>");
		report_html_text(f, r->domain);
		fprintf(f, "</h2>\n<p>%zu services; MX DNSSEC %s; autoconfig %s.</p>\n", r->nsvc,
		    resolver_status_name(r->mx_status), r->autoconfig_ok ? "found" :
		    r->autoconfig_tried ? "unreadable" : "none");
		ph_table(f, r, 1);
		fprintf(f, "<h3>DNSSEC and DANE</h3>\n");
		ph_table(f, r, 2);
		fprintf(f, "<h3>Findings</h3>\n");
		ph_findings(f, r);
		fprintf(f, "<p>%d connections, %ld ms.</p>\n</section>\n", r->connections, r->elapsed_ms);
	}
	fprintf(f, "<footer>mailtls provider, %s</footer>\n</body></html>\n", when);
}
