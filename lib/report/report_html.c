/*
 * report_html.c — `mailtls report --format html`: one self-contained HTML file.  Inline CSS (with
 * a print style), inline SVG charts (charts.c), the per-domain table as plain HTML (readable
 * without JavaScript), and a small inline script that only makes the table sortable.  Nothing is
 * fetched from anywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_scan.h"

static const char report_css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1c2833;background:#fff}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px "
	"solid #ccd}.meta{color:#566573}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}"
	".card{border:1px solid #ccd;border-radius:6px;padding:8px 14px}.card b{font-size:20px;"
	"display:block}.charts{display:flex;flex-wrap:wrap;gap:8px 24px}figure{margin:0}"
	"svg .ct{font-weight:600;font-size:14px}svg .cl,svg .cv{font-size:12px}"
	"table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #d5d8dc;"
	"padding:3px 6px;text-align:left;white-space:nowrap}th{background:#eaf2f8;cursor:pointer}"
	"th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after"
	"{content:' \\25BC'}tr:nth-child(even) td{background:#f8f9f9}td.bad{color:#a93226;"
	"font-weight:600}td.good{color:#1e8449}"
	"@media print{body{margin:0;font-size:10pt}th{cursor:auto}table{font-size:8pt}"
	"figure,svg,tr{break-inside:avoid}.noprint{display:none}}";

/*
 * sorts the table by the clicked column: numbers as numbers, the rest as text; twice reverses.
 * A link ending in #sort=N (or #sort=-N, descending) opens the page sorted by column N.
 */
static const char report_js[] =
	"(function(){var t=document.getElementById('domains');if(!t)return;"
	"var hs=t.tHead.rows[0].cells;for(var i=0;i<hs.length;i++)(function(c,th){"
	"th.addEventListener('click',function(){var b=t.tBodies[0],rs=Array.prototype.slice.call("
	"b.rows),asc=th.getAttribute('aria-sort')!=='ascending';"
	"for(var j=0;j<hs.length;j++)hs[j].removeAttribute('aria-sort');"
	"th.setAttribute('aria-sort',asc?'ascending':'descending');"
	"rs.sort(function(x,y){var a=x.cells[c].textContent,d=y.cells[c].textContent,"
	"na=parseFloat(a),nd=parseFloat(d),r=(!isNaN(na)&&!isNaN(nd))?na-nd:a.localeCompare(d);"
	"return asc?r:-r;});rs.forEach(function(r){b.appendChild(r);});});})(i,hs[i]);"
	"var m=/^#sort=(-?)(\\d+)$/.exec(location.hash);if(m&&hs[+m[2]]){hs[+m[2]].click();"
	"if(m[1])hs[+m[2]].click();}"
	"document.documentElement.setAttribute('data-sortable','yes');})();";

static void
html_td(FILE *f, const char *s, const char *cls)
{
	if (cls != NULL)
		fprintf(f, "<td class=\"%s\">", cls);
	else
		fputs("<td>", f);
	report_html_text(f, s);
	fputs("</td>", f);
}

static const char *
html_class(const char *v, const char *good, const char *bad)
{
	if (good != NULL && strcmp(v, good) == 0)
		return "good";
	if (bad != NULL && strcmp(v, bad) == 0)
		return "bad";
	return NULL;
}

static void
html_bars(FILE *f, const char *title, const struct summary_counts *c, enum summary_count from,
    enum summary_count to)
{
	const char *labels[SUM_LAST];
	long values[SUM_LAST];
	int k, n = 0;

	for (k = from; k <= (int)to; k++) {
		labels[n] = summary_count_labels[k];
		values[n++] = c->n[k];
	}
	chart_bars(f, title, labels, values, (size_t)n, c->n[SUM_DOMAINS]);
}

int
report_scan_html(FILE *f, const struct report_scan *rs)
{
	const struct summary_counts *c = rs->cur;
	static const char *const adopt_labels[] = { "DANE all MX", "DANE partial",
	    "MTA-STS enforce", "MTA-STS testing", "TLS-RPT" };
	static const char *const series[] = { "DANE all MX", "MTA-STS enforce", "TLS-RPT",
	    "readable" };
	long adopt[5], ymax = 1, *vals;
	long long *xs;
	size_t i;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
	    "<title>mailtls scan report: run ", f);
	fprintf(f, "%lld</title><style>%s</style></head><body>\n", rs->run, report_css);
	fprintf(f, "<h1>mailtls scan report: run %lld</h1><p class=\"meta\">", rs->run);
	report_html_text(f, rs->source);
	fputs(" &middot; results of ", f);
	report_html_text(f, c->when[0] ? c->when : "-");
	fputs(" &middot; ", f);
	report_html_text(f, rs->tool);
	fputs("</p>\n<div class=\"cards\">", f);
	fprintf(f, "<div class=\"card\" id=\"n-domains\"><b>%ld</b>domains</div>"
	    "<div class=\"card\" id=\"n-protected\"><b>%ld</b>protected (DANE or MTA-STS enforce)"
	    "</div><div class=\"card\" id=\"n-readable\"><b>%ld</b>readable by an active attacker"
	    "</div></div>\n", c->n[SUM_DOMAINS], c->n[SUM_V_DANE] + c->n[SUM_V_STS],
	    c->n[SUM_READABLE]);

	fputs("<h2>Overview</h2><div class=\"charts\">\n", f);
	html_bars(f, "Verdicts", c, SUM_V_DANE, SUM_V_INDET);
	adopt[0] = c->n[SUM_DANE_ALL];
	adopt[1] = c->n[SUM_DANE_PARTIAL];
	adopt[2] = c->n[SUM_STS_ENFORCE];
	adopt[3] = c->n[SUM_STS_TESTING];
	adopt[4] = c->n[SUM_RPT_VALID];
	chart_bars(f, "Adoption", adopt_labels, adopt, 5, c->n[SUM_DOMAINS]);
	html_bars(f, "Best TLS version", c, SUM_TLS13, SUM_TLS_NONE);
	html_bars(f, "Grades (--full)", c, SUM_G_APLUS, SUM_G_NONE);
	fputs("</div>\n", f);

	/* over time: a chart and the same numbers as a table */
	fputs("<h2>Over time</h2>\n", f);
	vals = calloc(4 * (rs->nruns ? rs->nruns : 1), sizeof(*vals));
	xs = calloc(rs->nruns ? rs->nruns : 1, sizeof(*xs));
	if (vals == NULL || xs == NULL) {
		free(vals);
		free(xs);
		return -1;
	}
	for (i = 0; i < rs->nruns; i++) {
		const struct summary_counts *r = &rs->runs[i];

		xs[i] = r->run;
		vals[0 * rs->nruns + i] = r->n[SUM_DANE_ALL];
		vals[1 * rs->nruns + i] = r->n[SUM_STS_ENFORCE];
		vals[2 * rs->nruns + i] = r->n[SUM_RPT_VALID];
		vals[3 * rs->nruns + i] = r->n[SUM_READABLE];
		if (r->n[SUM_DOMAINS] > ymax)
			ymax = r->n[SUM_DOMAINS];
	}
	chart_lines(f, "Adoption and failures by run", series, 4, vals, xs, rs->nruns, ymax);
	free(vals);
	free(xs);
	fputs("<table id=\"runs\"><thead><tr><th>run</th><th>results of</th><th>domains</th>"
	    "<th>DANE all MX</th><th>MTA-STS enforce</th><th>TLS-RPT</th><th>readable</th></tr>"
	    "</thead><tbody>\n", f);
	for (i = 0; i < rs->nruns; i++) {
		const struct summary_counts *r = &rs->runs[i];

		fprintf(f, "<tr><td>%lld</td><td>", r->run);
		report_html_text(f, r->when);
		fprintf(f, "</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td></tr>\n",
		    r->n[SUM_DOMAINS], r->n[SUM_DANE_ALL], r->n[SUM_STS_ENFORCE],
		    r->n[SUM_RPT_VALID], r->n[SUM_READABLE]);
	}
	fputs("</tbody></table>\n", f);

	fputs("<h2>Domains</h2><p class=\"meta noprint\">Click a column heading to sort.</p>\n"
	    "<table id=\"domains\"><thead><tr><th>domain</th><th>verdict</th><th>protection</th>"
	    "<th>DNSSEC</th><th>DANE</th><th>MTA-STS</th><th>TLS-RPT</th><th>best TLS</th>"
	    "<th>worst TLS</th><th>PFS</th><th>certificate valid</th><th>STARTTLS mandatory</th>"
	    "<th>grade</th><th>worst finding</th></tr></thead><tbody>\n", f);
	for (i = 0; i < rs->nrows; i++) {
		const struct summary_row *r = &rs->rows[i];

		fputs("<tr>", f);
		html_td(f, r->domain, NULL);
		html_td(f, r->verdict, strcmp(r->verdict, "NOT protected") == 0 ? "bad" :
		    strcmp(r->verdict, "protected") == 0 ? "good" : NULL);
		html_td(f, r->protection, NULL);
		html_td(f, r->dnssec, html_class(r->dnssec, "secure", "bogus"));
		html_td(f, r->dane, html_class(r->dane, "all", NULL));
		html_td(f, r->mta_sts, html_class(r->mta_sts, "enforce", "invalid"));
		html_td(f, r->tlsrpt, html_class(r->tlsrpt, "valid", "invalid"));
		html_td(f, r->best_tls, NULL);
		html_td(f, r->worst_tls, NULL);
		html_td(f, r->pfs, html_class(r->pfs, "yes", "no"));
		html_td(f, r->cert_valid, html_class(r->cert_valid, "yes", "no"));
		html_td(f, r->starttls_mandatory, html_class(r->starttls_mandatory, NULL, "no"));
		html_td(f, r->grade, NULL);
		html_td(f, r->worst_finding, strncmp(r->worst_finding, "critical", 8) == 0 ||
		    strncmp(r->worst_finding, "high", 4) == 0 ? "bad" : NULL);
		fputs("</tr>\n", f);
	}
	fprintf(f, "</tbody></table>\n<script>%s</script>\n</body></html>\n", report_js);
	return ferror(f) ? -1 : 0;
}
