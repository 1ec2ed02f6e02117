/*
 * report_md.c — `mailtls report --format md`: overview counts, adoption over runs, and the
 * per-domain table as GitHub-flavoured Markdown (pipes in cells escaped).
 */
#include <stdio.h>
#include <string.h>

#include "report/report_scan.h"

static void
md_cell(FILE *f, const char *s)
{
	fputs("| ", f);
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputc(' ', f);
}

static void
md_counts(FILE *f, const char *title, const struct summary_counts *c, enum summary_count from,
    enum summary_count to)
{
	int k;

	fprintf(f, "\n### %s\n\n| | domains | share |\n|---|---:|---:|\n", title);
	for (k = from; k <= (int)to; k++)
		fprintf(f, "| %s | %ld | %.0f%% |\n", summary_count_labels[k], c->n[k],
		    c->n[SUM_DOMAINS] ? 100.0 * (double)c->n[k] / (double)c->n[SUM_DOMAINS] : 0.0);
}

int
report_scan_md(FILE *f, const struct report_scan *rs)
{
	const struct summary_counts *c = rs->cur;
	size_t i;

	fprintf(f, "# mailtls scan report: run %lld\n\n%ld domains, %ld readable by an active "
	    "attacker; results of %s (%s).\n\n## Overview\n", rs->run, c->n[SUM_DOMAINS],
	    c->n[SUM_READABLE], c->when[0] ? c->when : "-", rs->tool);
	md_counts(f, "Verdicts (downgrade protection)", c, SUM_V_DANE, SUM_V_INDET);
	md_counts(f, "DANE", c, SUM_DANE_ALL, SUM_DANE_NONE);
	md_counts(f, "MTA-STS", c, SUM_STS_ENFORCE, SUM_STS_ABSENT);
	md_counts(f, "TLS-RPT", c, SUM_RPT_VALID, SUM_RPT_ABSENT);
	md_counts(f, "Best TLS version", c, SUM_TLS13, SUM_TLS_NONE);
	md_counts(f, "Grades (--full)", c, SUM_G_APLUS, SUM_G_NONE);
	fputs("\n## Over time\n\n| run | results of | domains | DANE all MX | MTA-STS enforce | "
	    "TLS-RPT | readable |\n|---:|---|---:|---:|---:|---:|---:|\n", f);
	for (i = 0; i < rs->nruns; i++) {
		const struct summary_counts *r = &rs->runs[i];

		fprintf(f, "| %lld | %s | %ld | %ld | %ld | %ld | %ld |\n", r->run, r->when,
		    r->n[SUM_DOMAINS], r->n[SUM_DANE_ALL], r->n[SUM_STS_ENFORCE],
		    r->n[SUM_RPT_VALID], r->n[SUM_READABLE]);
	}
	fputs("\n## Domains\n\n| domain | verdict | protection | DNSSEC | DANE | MTA-STS | TLS-RPT "
	    "| best TLS | worst TLS | PFS | certificate valid | STARTTLS mandatory | grade | worst "
	    "finding |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", f);
	for (i = 0; i < rs->nrows; i++) {
		const struct summary_row *r = &rs->rows[i];

		md_cell(f, r->domain);
		md_cell(f, r->verdict);
		md_cell(f, r->protection);
		md_cell(f, r->dnssec);
		md_cell(f, r->dane);
		md_cell(f, r->mta_sts);
		md_cell(f, r->tlsrpt);
		md_cell(f, r->best_tls);
		md_cell(f, r->worst_tls);
		md_cell(f, r->pfs);
		md_cell(f, r->cert_valid);
		md_cell(f, r->starttls_mandatory);
		md_cell(f, r->grade);
		md_cell(f, r->worst_finding);
		fputs("|\n", f);
	}
	return ferror(f) ? -1 : 0;
}
