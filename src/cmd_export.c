/*
 * cmd_export.c — `mailtls export --db F [--run N] --format jsonl|csv`: a run's results as JSON
 * Lines (the stored reports, one per domain, in input order) or CSV (one summary row per domain,
 * RFC 4180), from the store, read-only.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "store/store.h"

enum { OPT_DB = 256, OPT_RUN, OPT_FORMAT, OPT_ERRORS };

enum export_format { EXPORT_JSONL, EXPORT_CSV };

/*
 * One CSV field: quoted when it holds a separator, quote or line end (RFC 4180); a leading
 * = + - @ gets a ' so that a spreadsheet never runs a cell from DNS or a server as a formula.
 */
static void
export_csv_field(FILE *f, const char *s, int last)
{
	const char *p;

	if (s == NULL)
		s = "";
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@' || strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', f);
		if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
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

static const char *
export_bool(int v)
{
	return v < 0 ? "" : v ? "true" : "false";
}

static int
export_row(void *arg, const struct store_row *r)
{
	enum export_format *fmt = arg;
	char n[8][32];

	if (*fmt == EXPORT_JSONL) {
		fputs(r->json, stdout);
		fputc('\n', stdout);
		return ferror(stdout) ? 1 : 0;
	}
	snprintf(n[0], sizeof(n[0]), "%lld", r->run);
	snprintf(n[1], sizeof(n[1]), "%lld", r->seq);
	if (r->rank >= 0)
		snprintf(n[2], sizeof(n[2]), "%ld", r->rank);
	else
		n[2][0] = '\0';
	snprintf(n[3], sizeof(n[3]), "%ld", r->nfindings);
	snprintf(n[4], sizeof(n[4]), "%ld", r->connections);
	snprintf(n[5], sizeof(n[5]), "%ld", r->elapsed_ms);
	export_csv_field(stdout, n[0], 0);
	export_csv_field(stdout, n[1], 0);
	export_csv_field(stdout, r->domain, 0);
	export_csv_field(stdout, n[2], 0);
	export_csv_field(stdout, r->protection, 0);
	export_csv_field(stdout, export_bool(r->can_read), 0);
	export_csv_field(stdout, export_bool(r->accepts_mail), 0);
	export_csv_field(stdout, export_bool(r->delivery_at_risk), 0);
	export_csv_field(stdout, r->dnssec, 0);
	export_csv_field(stdout, r->dane, 0);
	export_csv_field(stdout, r->mta_sts_mode, 0);
	export_csv_field(stdout, r->tlsrpt, 0);
	export_csv_field(stdout, r->grade, 0);
	export_csv_field(stdout, r->worst, 0);
	export_csv_field(stdout, n[3], 0);
	export_csv_field(stdout, r->weakest_mx, 0);
	export_csv_field(stdout, n[4], 0);
	export_csv_field(stdout, n[5], 0);
	export_csv_field(stdout, r->finished, 1);
	return ferror(stdout) ? 1 : 0;
}

static int
export_error(void *arg, long long line, const char *text, const char *error)
{
	char n[32];

	(void)arg;
	snprintf(n, sizeof(n), "%lld", line);
	export_csv_field(stdout, n, 0);
	export_csv_field(stdout, text, 0);
	export_csv_field(stdout, error, 1);
	return ferror(stdout) ? 1 : 0;
}

int
cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "errors", no_argument, NULL, OPT_ERRORS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum export_format fmt = EXPORT_JSONL;
	const char *db = STORE_DEFAULT_DB;
	struct store *st;
	long long run = 0;
	int64_t latest;
	char err[512], *end;
	int ch, errors = 0, rc, got_format = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
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
			if (strcmp(optarg, "jsonl") == 0)
				fmt = EXPORT_JSONL;
			else if (strcmp(optarg, "csv") == 0)
				fmt = EXPORT_CSV;
			else
				return cli_usage_error("--format wants jsonl or csv, not '%s'", optarg);
			break;
		case OPT_ERRORS: errors = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			return cli_opt_error(argc, argv, longopts);
		}
	}
	if (optind < argc)
		return cli_usage_error("export takes no arguments, not '%s'", argv[optind]);
	if (!got_format && !errors)
		return cli_usage_error("export wants --format jsonl or --format csv");
	if ((st = store_open(db, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		return EXIT_USAGE;
	}
	if (run == 0) {
		if (store_run_latest(st, &latest) < 0 || latest == 0) {
			fprintf(stderr, "mailtls: %s: no runs\n", db);
			store_close(st);
			return EXIT_USAGE;
		}
		run = latest;
	}
	if (errors) {
		fputs("line,text,error\n", stdout);
		rc = store_input_errors(st, run, export_error, NULL);
	} else {
		if (fmt == EXPORT_CSV)
			fputs("run,seq,domain,rank,protection,can_read,accepts_mail,delivery_at_risk,"
			    "dnssec,dane,mta_sts,tlsrpt,grade,worst_severity,findings,weakest_mx,"
			    "connections,elapsed_ms,finished\n", stdout);
		rc = store_rows(st, run, export_row, &fmt);
	}
	if (rc < 0) {
		fprintf(stderr, "mailtls: %s: %s\n", db, store_error(st));
		store_close(st);
		return EXIT_USAGE;
	}
	store_close(st);
	if (fflush(stdout) != 0)
		return EXIT_UNREACHABLE;
	return EXIT_OK;
}
