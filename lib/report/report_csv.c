/*
 * report_csv.c — `mailtls report --format csv`: the per-domain table, RFC 4180, one row per
 * domain; a field starting with = + - @ gets a ' so that no spreadsheet runs it as a formula.
 */
#include <stdio.h>
#include <string.h>

#include "report/report_scan.h"

static void
csv_field(FILE *f, const char *s, int last)
{
	const char *p;
	int formula = *s == '=' || *s == '+' || (*s == '-' && s[1] != '\0') || *s == '@';

	if (formula || strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', f);
		if (formula)
			fputc('\'', f);
		for (p = s; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else
		fputs(s, f);
	fputc(last ? '\n' : ',', f);
}

int
report_scan_csv(FILE *f, const struct report_scan *rs)
{
	size_t i;

	fputs("run,domain,verdict,protection,dnssec,dane,mta_sts,tlsrpt,best_tls,worst_tls,pfs,"
	    "certificate_valid,starttls_mandatory,grade,worst_finding\n", f);
	for (i = 0; i < rs->nrows; i++) {
		const struct summary_row *r = &rs->rows[i];

		fprintf(f, "%lld,", rs->run);
		csv_field(f, r->domain, 0);
		csv_field(f, r->verdict, 0);
		csv_field(f, r->protection, 0);
		csv_field(f, r->dnssec, 0);
		csv_field(f, r->dane, 0);
		csv_field(f, r->mta_sts, 0);
		csv_field(f, r->tlsrpt, 0);
		csv_field(f, r->best_tls, 0);
		csv_field(f, r->worst_tls, 0);
		csv_field(f, r->pfs, 0);
		csv_field(f, r->cert_valid, 0);
		csv_field(f, r->starttls_mandatory, 0);
		csv_field(f, r->grade, 0);
		csv_field(f, r->worst_finding, 1);
	}
	return ferror(f) ? -1 : 0;
}
