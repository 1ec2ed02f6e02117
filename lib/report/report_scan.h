/*
 * report_scan.h — `mailtls report`: a scan run as HTML (one self-contained file, inline SVG
 * charts, readable without JavaScript, sortable with it, printable), Markdown or CSV.  Renders
 * only: the rows and counts are decided by lib/history/summary.c.
 */
#ifndef MAILTLS_REPORT_SCAN_H
#define MAILTLS_REPORT_SCAN_H

#include <stddef.h>
#include <stdio.h>

#include "history/summary.h"

struct report_scan {
	const char		*source;	/* the database, as given (shown in the header) */
	long long		 run;
	const struct summary_row *rows;
	size_t			 nrows;
	const struct summary_counts *cur;	/* this run */
	const struct summary_counts *runs;	/* every run with results, oldest first */
	size_t			 nruns;
	const char		*tool;		/* "mailtls 0.1.0" */
};

int	report_scan_html(FILE *, const struct report_scan *);
int	report_scan_md(FILE *, const struct report_scan *);
int	report_scan_csv(FILE *, const struct report_scan *);

/* charts.c: inline SVG written by the project.  Labels carry data-label/data-value. */
void	chart_bars(FILE *, const char *title, const char *const *labels, const long *values,
	    size_t n, long total);
void	chart_lines(FILE *, const char *title, const char *const *series, size_t nseries,
	    const long *values /* [nseries][npoints] */, const long long *xs, size_t npoints,
	    long ymax);
void	report_html_text(FILE *, const char *);	/* escaped for HTML text and attributes */

#endif
