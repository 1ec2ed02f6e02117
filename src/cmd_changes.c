/*
 * cmd_changes.c — `mailtls changes [--db F] [--since RUN|DATE] [--expiry-days N] [--fail-on SEV]
 * [--json] [DOMAIN...]`: what changed between each domain's consecutive results in the store.
 *
 * The runs are read in order, one at a time (store_rows); each domain's newest report so far is
 * kept (as its JSON text) and compared with the next one by history_diff(), the pure decision in
 * lib/history/diff.c.  Memory: one report per domain.  IDs and output: docs/changes.md.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "history/diff.h"
#include "store/store.h"
#include "util/xalloc.h"

enum { OPT_DB = 256, OPT_SINCE, OPT_EXPIRY, OPT_FAIL_ON, OPT_JSON, OPT_LIST, OPT_MARKDOWN,
	OPT_COLOR, OPT_NO_COLOR };

struct changes_slot {
	char		*domain;	/* NULL: empty */
	char		*json;		/* its newest report so far */
	long long	 run;
};

struct changes_ctx {
	struct changes_slot *slot;
	size_t		 cap, used;
	char		**only;		/* DOMAIN... (NULL: all) */
	int		 nonly;
	long long	 since_run;	/* pairs whose newer run is after this */
	long long	 since_time;	/* or whose newer report was written at or after this; -1 */
	struct history_params params;
	int		 json, color, fail_on, failed;
	long long	 count;
	struct history_changes ch;
};

static uint64_t
changes_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct changes_slot *
changes_slot(struct changes_ctx *c, const char *domain)
{
	size_t i;

	if (c->used * 2 >= c->cap) {
		struct changes_slot *old = c->slot;
		size_t oldcap = c->cap;

		c->cap = c->cap ? c->cap * 2 : 1024;
		c->slot = xcalloc(c->cap, sizeof(*c->slot));
		c->used = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i].domain != NULL) {
				struct changes_slot *s = changes_slot(c, old[i].domain);

				free(s->domain);
				*s = old[i];
			}
		free(old);
	}
	for (i = changes_hash(domain) & (c->cap - 1); c->slot[i].domain != NULL;
	    i = (i + 1) & (c->cap - 1))
		if (strcmp(c->slot[i].domain, domain) == 0)
			return &c->slot[i];
	c->slot[i].domain = xstrdup(domain);
	c->used++;
	return &c->slot[i];
}

static const char *
changes_sev_color(enum severity s)
{
	switch (s) {
	case SEVERITY_CRITICAL: return "\033[1;31m";
	case SEVERITY_HIGH: return "\033[31m";
	case SEVERITY_MEDIUM: return "\033[33m";
	default: return "";
	}
}

static void
changes_print(struct changes_ctx *c, const char *domain, long long from, long long to,
    json_t *old, json_t *cur)
{
	size_t i;

	for (i = 0; i < c->ch.n; i++) {
		const struct history_change *h = &c->ch.v[i];
		enum severity sev = history_kinds[h->kind].severity;

		c->count++;
		if ((int)sev >= c->fail_on)
			c->failed = 1;
		if (c->json) {
			json_t *o = json_pack("{s:i, s:s, s:I, s:I, s:s?, s:s?, s:s, s:s, s:s, s:s, "
			    "s:s, s:s}", "schema", 1, "domain", domain, "from_run", (json_int_t)from,
			    "to_run", (json_int_t)to,
			    "from", json_string_value(json_object_get(old, "generated")),
			    "to", json_string_value(json_object_get(cur, "generated")),
			    "id", history_kind_id(h->kind), "severity", severity_name(sev),
			    "scope", h->scope, "old", h->old_value, "new", h->new_value,
			    "detail", h->detail);
			char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

			if (s != NULL)
				printf("%s\n", s);
			free(s);
			json_decref(o);
		} else
			printf("%s  %lld->%lld  %s%-8s%s  %s  %s\n", domain, from, to,
			    c->color ? changes_sev_color(sev) : "", severity_name(sev),
			    c->color && *changes_sev_color(sev) ? "\033[0m" : "",
			    history_kind_id(h->kind), h->detail);
	}
}

static int
changes_wanted(struct changes_ctx *c, const char *domain)
{
	int i;

	if (c->nonly == 0)
		return 1;
	for (i = 0; i < c->nonly; i++)
		if (strcasecmp(c->only[i], domain) == 0)
			return 1;
	return 0;
}

static int
changes_row(void *arg, const struct store_row *r)
{
	struct changes_ctx *c = arg;
	struct changes_slot *s;
	json_t *old, *cur;

	if (r->domain == NULL || r->json == NULL || !changes_wanted(c, r->domain))
		return 0;
	s = changes_slot(c, r->domain);
	/* parsed only for a pair that --since asks for: older runs just update the slot */
	if (s->json != NULL && s->run < r->run && r->run > c->since_run) {
		cur = json_loads(r->json, 0, NULL);
		if (c->since_time < 0 ||
		    history_parse_time(json_string_value(json_object_get(cur, "generated"))) >=
		    c->since_time) {
			old = json_loads(s->json, 0, NULL);
			history_changes_clear(&c->ch);
			if (history_diff(old, cur, &c->params, &c->ch) > 0)
				changes_print(c, r->domain, s->run, r->run, old, cur);
			json_decref(old);
		}
		json_decref(cur);
	}
	free(s->json);
	s->json = xstrdup(r->json);
	s->run = r->run;
	return ferror(stdout) ? 1 : 0;
}

/* RUN (a number) or DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ) */
static int
changes_since(const char *s, long long *run, long long *t)
{
	char buf[32], *end;
	long long v = strtoll(s, &end, 10);

	if (*s != '\0' && *end == '\0' && v >= 0) {
		*run = v;
		return 0;
	}
	if (strlen(s) == 10) {
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		s = buf;
	}
	return (*t = history_parse_time(s)) < 0 ? -1 : 0;
}

static void
changes_list(int markdown)
{
	int i;

	if (markdown) {
		history_kinds_markdown(stdout);
		return;
	}
	for (i = 0; i < HISTORY_LAST; i++)
		printf("%-22s %-8s %s\n", history_kinds[i].id,
		    severity_name(history_kinds[i].severity), history_kinds[i].summary);
}

int
cmd_changes(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "expiry-days", required_argument, NULL, OPT_EXPIRY },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "markdown", no_argument, NULL, OPT_MARKDOWN },
		{ "color", no_argument, NULL, OPT_COLOR },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct changes_ctx c;
	const char *db = STORE_DEFAULT_DB;
	struct store *st;
	int64_t latest, run;
	char err[512], *end;
	int ch, list = 0, markdown = 0, color = -1, rc = 0;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.since_time = -1;
	c.params.expiry_days = HISTORY_EXPIRY_DAYS;
	c.fail_on = SEVERITY_HIGH;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB: db = optarg; break;
		case OPT_SINCE:
			if (changes_since(optarg, &c.since_run, &c.since_time) < 0)
				return cli_usage_error("--since wants a run number or a date "
				    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ), not '%s'", optarg);
			break;
		case OPT_EXPIRY:
			c.params.expiry_days = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || c.params.expiry_days < 0 ||
			    c.params.expiry_days > 3650)
				return cli_usage_error("--expiry-days wants days from 0 to 3650, not "
				    "'%s'", optarg);
			break;
		case OPT_FAIL_ON: c.fail_on = cli_severity(optarg); break;
		case OPT_JSON: c.json = 1; break;
		case OPT_LIST: list = 1; break;
		case OPT_MARKDOWN: markdown = 1; break;
		case OPT_COLOR: color = 1; break;
		case OPT_NO_COLOR: color = 0; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			return cli_opt_error(argc, argv, longopts);
		}
	}
	if (markdown && !list)
		return cli_usage_error("--markdown goes with --list");
	if (list) {
		changes_list(markdown);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_UNREACHABLE;
	}
	c.color = color >= 0 ? color : isatty(STDOUT_FILENO) && !c.json;
	c.only = argv + optind;
	c.nonly = argc - optind;
	if ((st = store_open(db, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		return EXIT_USAGE;
	}
	if (store_run_latest(st, &latest) < 0) {
		fprintf(stderr, "mailtls: %s: %s\n", db, store_error(st));
		store_close(st);
		return EXIT_USAGE;
	}
	for (run = 1; run <= latest; run++)
		if (store_rows(st, run, changes_row, &c) < 0) {
			fprintf(stderr, "mailtls: %s: %s\n", db, store_error(st));
			rc = -1;
			break;
		}
	store_close(st);
	for (i = 0; i < c.cap; i++) {
		free(c.slot[i].domain);
		free(c.slot[i].json);
	}
	free(c.slot);
	history_changes_free(&c.ch);
	if (rc < 0)
		return EXIT_USAGE;
	if (fflush(stdout) != 0)
		return EXIT_UNREACHABLE;
	return c.failed ? EXIT_FINDINGS : EXIT_OK;
}
