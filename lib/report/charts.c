/*
 * charts.c — inline SVG charts for the HTML scan report: horizontal bars and a line chart over
 * runs.  Plain SVG 1.1 text (no script, no external font or style); every number shown is also
 * in a data-value attribute and in a <title>, so tests and screen readers read the same figure.
 */
#include <stdio.h>
#include <string.h>

#include "report/report_scan.h"

static const char *const chart_colors[] = { "#1b6ca8", "#2e8b57", "#c0392b", "#d68910",
	"#7d3c98", "#117a65", "#5d6d7e", "#a04000" };

void
report_html_text(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
}

/* <figure><svg ...> with the title as data-chart, <title> and the heading text */
static void
chart_open(FILE *f, const char *title, int width, int height)
{
	fprintf(f, "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" data-chart=\"",
	    width, height, width, height);
	report_html_text(f, title);
	fputs("\"><title>", f);
	report_html_text(f, title);
	fputs("</title><text x=\"0\" y=\"18\" class=\"ct\">", f);
	report_html_text(f, title);
	fputs("</text>", f);
}

void
chart_bars(FILE *f, const char *title, const char *const *labels, const long *values, size_t n,
    long total)
{
	const int lw = 170, bw = 360, rh = 24, top = 30;
	long max = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	chart_open(f, title, lw + bw + 110, top + rh * (int)n + 8);
	for (i = 0; i < n; i++) {
		int y = top + rh * (int)i, w = (int)((double)bw * (double)values[i] / (double)max);
		double pct = total > 0 ? 100.0 * (double)values[i] / (double)total : 0;

		fprintf(f, "<g class=\"bar\"><title>");
		report_html_text(f, labels[i]);
		fprintf(f, ": %ld</title><text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"cl\">",
		    values[i], lw - 8, y + 16);
		report_html_text(f, labels[i]);
		fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>",
		    lw, y + 3, w > 0 ? w : 1, rh - 6, chart_colors[i % 8]);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"cv\" data-label=\"", lw + w + 6, y + 16);
		report_html_text(f, labels[i]);
		fprintf(f, "\" data-value=\"%ld\">%ld (%.0f%%)</text></g>", values[i], values[i], pct);
	}
	fputs("</svg></figure>\n", f);
}

/* the x of point i of npoints spread over [l, l + w] (one point: the middle) */
static int
chart_x(int l, int w, size_t i, size_t npoints)
{
	return npoints > 1 ? l + (int)((double)w * (double)i / (double)(npoints - 1)) : l + w / 2;
}

void
chart_lines(FILE *f, const char *title, const char *const *series, size_t nseries,
    const long *values, const long long *xs, size_t npoints, long ymax)
{
	const int l = 48, t = 30, w = 480, h = 180, legend = 160;
	size_t s, i;

	if (ymax < 1)
		ymax = 1;
	chart_open(f, title, l + w + legend, t + h + 40);
	/* axes: y from 0 to ymax, x one step per run */
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", l, t, l, t + h, l,
	    t + h, l + w, t + h);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"cl\">%ld</text>"
	    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"cl\">0</text>", l - 4, t + 4, ymax,
	    l - 4, t + h);
	for (i = 0; i < npoints; i++) {
		int x = chart_x(l, w, i, npoints);

		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"cl\">run %lld"
		    "</text>", x, t + h + 16, xs[i]);
	}
	for (s = 0; s < nseries; s++) {
		const char *col = chart_colors[s % 8];

		fprintf(f, "<g class=\"series\" data-series=\"");
		report_html_text(f, series[s]);
		fprintf(f, "\"><polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
		    col);
		for (i = 0; i < npoints; i++) {
			int x = chart_x(l, w, i, npoints);
			int y = t + h - (int)((double)h * (double)values[s * npoints + i] /
			    (double)ymax);

			fprintf(f, "%s%d,%d", i ? " " : "", x, y);
		}
		fputs("\"/>", f);
		for (i = 0; i < npoints; i++) {
			int x = chart_x(l, w, i, npoints);
			int y = t + h - (int)((double)h * (double)values[s * npoints + i] /
			    (double)ymax);

			fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\" data-run=\"%lld\" "
			    "data-value=\"%ld\"><title>", x, y, col, xs[i], values[s * npoints + i]);
			report_html_text(f, series[s]);
			fprintf(f, ", run %lld: %ld</title></circle>", xs[i], values[s * npoints + i]);
		}
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
		    "<text x=\"%d\" y=\"%d\" class=\"cl\" data-label=\"", l + w + 16,
		    t + 4 + 20 * (int)s, col, l + w + 32, t + 14 + 20 * (int)s);
		report_html_text(f, series[s]);
		fprintf(f, "\" data-value=\"%ld\">", npoints ? values[s * npoints + npoints - 1] : 0);
		report_html_text(f, series[s]);
		fprintf(f, " %ld</text></g>", npoints ? values[s * npoints + npoints - 1] : 0);
	}
	fputs("</svg></figure>\n", f);
}
