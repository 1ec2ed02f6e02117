/*
 * cmd_report.c — `mailtls report [--db F] [--run N] --format html|md|csv [-o FILE]`: a scan run
 * for people.  The per-domain rows and the counts come from lib/history/summary.c (pure, over
 * the stored JSON reports); lib/report/report_{html,md,csv}.c render them.  Every run with
 * results feeds "over time".
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "history/summary.h"
#include "report/report_scan.h"
#include "store/store.h"
#include "util/xalloc.h"

#ifndef MAILTLS_VERSION
#define MAILTLS_VERSION "0.1.0"
#endif

enum { OPT_DB = 256, OPT_RUN, OPT_FORMAT };
enum report_format { REPORT_HTML, REPORT_MD, REPORT_CSV };

struct report_ctx {
	int			 keep_rows;	/* this is the run of the table */
	struct summary_row	*rows;
	size_t			 nrows, cap;
	struct summary_counts	 counts;
};

static int
report_row(void *arg, const struct store_row *r)
{
	struct report_ctx *c = arg;
	struct summary_row row;
	json_t *rep = json_loads(r->json ? r->json : "", 0, NULL);

	if (rep != NULL && summary_row(rep, &row) == 0) {
		summary_add(&c->counts, &row, rep);
		if (c->keep_rows) {
			if (c->nrows == c->cap) {
				c->cap = c->cap ? c->cap * 2 : 256;
				c->rows = xrealloc(c->rows, c->cap * sizeof(*c->rows));
			}
			c->rows[c->nrows++] = row;
		}
	}
	json_decref(rep);
	return 0;
}

int
cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = STORE_DEFAULT_DB, *out = NULL;
	enum report_format fmt = REPORT_HTML;
	struct summary_counts *runs = NULL, cur;
	struct summary_row *rows = NULL;
	struct report_scan rs;
	size_t nruns = 0, nrows = 0;
	struct store *st;
	long long run = 0;
	int64_t latest, r;
	char err[512], *end;
	int ch, got_format = 0, rc = 0;
	FILE *f = stdout;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB: db = optarg; break;
		case OPT_RUN:
			run = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || run < 1)
				return cli_usage_error("--run wants a run number (1 or more), not '%s'",
				    optarg);
			break;
		case OPT_FORMAT:
			got_format = 1;
			if (strcmp(optarg, "html") == 0)
				fmt = REPORT_HTML;
			else if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
				fmt = REPORT_MD;
			else if (strcmp(optarg, "csv") == 0)
				fmt = REPORT_CSV;
			else
				return cli_usage_error("--format wants html, md or csv, not '%s'",
				    optarg);
			break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			return cli_opt_error(argc, argv, longopts);
		}
	}
	if (optind < argc)
		return cli_usage_error("report takes no arguments, not '%s'", argv[optind]);
	if (!got_format)
		return cli_usage_error("report wants --format html, md or csv");
	if ((st = store_open(db, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		return EXIT_USAGE;
	}
	if (store_run_latest(st, &latest) < 0 || latest == 0 || run > latest) {
		fprintf(stderr, "mailtls: %s: %s\n", db, latest == 0 ? "no runs" : run > latest ?
		    "no such run" : store_error(st));
		store_close(st);
		return EXIT_USAGE;
	}
	if (run == 0)
		run = latest;
	memset(&cur, 0, sizeof(cur));
	for (r = 1; r <= latest; r++) {
		struct report_ctx c;

		memset(&c, 0, sizeof(c));
		c.keep_rows = r == run;
		c.counts.run = r;
		if (store_rows(st, r, report_row, &c) < 0) {
			fprintf(stderr, "mailtls: %s: %s\n", db, store_error(st));
			rc = -1;
			free(c.rows);
			break;
		}
		if (r == run) {
			rows = c.rows;
			nrows = c.nrows;
			cur = c.counts;
		}
		if (c.counts.n[SUM_DOMAINS] > 0) {
			runs = xrealloc(runs, (nruns + 1) * sizeof(*runs));
			runs[nruns++] = c.counts;
		}
	}
	store_close(st);
	if (rc == 0 && out != NULL && (f = fopen(out, "w")) == NULL) {
		fprintf(stderr, "mailtls: %s: cannot write\n", out);
		rc = -1;
	}
	if (rc == 0) {
		memset(&rs, 0, sizeof(rs));
		rs.source = db;
		rs.run = run;
		rs.rows = rows;
		rs.nrows = nrows;
		rs.cur = &cur;
		rs.runs = runs;
		rs.nruns = nruns;
		rs.tool = "mailtls " MAILTLS_VERSION;
		rc = fmt == REPORT_HTML ? report_scan_html(f, &rs) : fmt == REPORT_MD ?
		    report_scan_md(f, &rs) : report_scan_csv(f, &rs);
		if ((f != stdout ? fclose(f) : fflush(f)) != 0)
			rc = -1;
		if (rc < 0) {
			free(rows);
			free(runs);
			return EXIT_UNREACHABLE;
		}
	}
	free(rows);
	free(runs);
	return rc < 0 ? EXIT_USAGE : EXIT_OK;
}
