/*
 * cmd_check.c — `mailtls check DOMAIN...`: the main job.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "check/check.h"
#include "cli.h"
#include "dns/resolver.h"
#include "net/http.h"
#include "report/report.h"
#include "tls/tls.h"
#include "util/arena.h"

#define CHECK_DOMAINS_MAX	1000

struct check_tls_later {
	struct check_config	*cfg;
	struct tls_config	*tc;
};

/* OpenSSL's SSL_CTX_new costs milliseconds: pay them while the resolver thread validates. */
static void
check_tls_later(void *arg)
{
	struct check_tls_later *l = arg;
	char err[512];

	if (l->cfg->tls != NULL)
		return;
	if ((l->cfg->tls = tls_client_new(l->tc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		exit(EXIT_USAGE);
	}
}

static void
check_progress_cb(const char *msg, void *arg)
{
	const char *domain = arg;

	fprintf(stderr, "\r\033[K%s: %s", domain, msg);
	fflush(stderr);
}

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_DOMAIN_LONGOPTS,
		{ "progress", no_argument, NULL, 'p' },
		{ "no-progress", no_argument, NULL, 'P' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common co;
	struct cli_domain_env de;
	struct check_config cfg;
	struct report_opts ro;
	struct arena *arena = NULL;
	const struct check_result **results = NULL;
	struct check_tls_later later;
	int ch, color, progress = -1, ret = EXIT_OK;
	int ndomains, i;

	memset(&cfg, 0, sizeof(cfg));
	memset(&ro, 0, sizeof(ro));
	cli_common_init(&co);
	cli_domain_init(&de);
	ro.command = "check";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': progress = 1; break;
		case 'P': progress = 0; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			if (!cli_domain_opt(&de, ch, optarg) && !cli_common_opt(&co, ch, optarg))
				return cli_opt_error(argc, argv, longopts);
		}
	}
	ndomains = argc - optind;
	if (ndomains < 1)
		return cli_usage_error("check wants a DOMAIN");
	if (ndomains > CHECK_DOMAINS_MAX)
		return cli_usage_error("check takes at most %d domains, not %d", CHECK_DOMAINS_MAX,
		    ndomains);
	for (i = optind; i < argc; i++)
		if (strlen(argv[i]) == 0 || strlen(argv[i]) > 253 || strchr(argv[i], '/') ||
		    strchr(argv[i], ' ') || strchr(argv[i], ':'))
			return cli_usage_error("'%s' is not a domain name", argv[i]);
	color = co.color < 0 ? isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL : co.color;
	ro.color = color && !co.json;
	if (progress < 0)
		progress = isatty(STDERR_FILENO);

	if ((ret = cli_domain_open(&de, &co)) != EXIT_OK)
		return ret;
	cli_check_config(&cfg, &co, &de);
	cfg.tls = NULL;
	later.cfg = &cfg;
	later.tc = &co.tc;
	cfg.while_waiting = check_tls_later;
	cfg.while_waiting_arg = &later;
	arena = arena_new();
	results = calloc((size_t)ndomains, sizeof(*results));
	for (i = 0; i < ndomains; i++) {
		cfg.domain = argv[optind + i];
		cfg.progress = progress ? check_progress_cb : NULL;
		cfg.progress_arg = argv[optind + i];
		results[i] = check_run(&cfg, arena);
		if (progress)
			fprintf(stderr, "\r\033[K");
	}

	if (co.json) {
		json_t *out;

		if (ndomains == 1)
			out = report_check_json(results[0], &ro);
		else {
			out = json_pack("{s:i, s:s, s:[]}", "schema", REPORT_SCHEMA, "command", "check",
			    "domains");
			for (i = 0; i < ndomains; i++)
				json_array_append_new(json_object_get(out, "domains"),
				    report_check_json(results[i], &ro));
		}
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(out);
	} else if (ndomains == 1)
		report_check_text(stdout, results[0], &ro);
	else
		report_check_table(stdout, results, (size_t)ndomains, &ro);

	{
		size_t probed = 0, reached = 0, k;

		for (i = 0; i < ndomains; i++) {
			int any;
			enum severity w = check_worst(results[i], &any);

			if (any && (int)w >= co.fail_on)
				ret = EXIT_FINDINGS;
			for (k = 0; k < results[i]->nendpoints; k++) {
				probed++;
				reached += results[i]->endpoints[k]->connected != 0;
			}
		}
		/*
		 * Addresses to probe and not one answered (port 25 blocked from here?): the verdicts
		 * DNS decided stand, so the status follows them; say it, though.
		 */
		if (probed > 0 && reached == 0)
			fprintf(stderr, "mailtls: no MX address could be reached from here (is outbound "
			    "port 25 blocked?); certificates were not checked\n");
		/* a verdict that could not be determined is not a finding about the domain */
		for (i = 0; i < ndomains; i++)
			if (results[i]->verdict.can_read < 0) {
				ret = EXIT_UNREACHABLE;
				if (results[i]->dns_silent)
					fprintf(stderr, "mailtls: %s: no DNS lookup got an answer; is a "
					    "resolver reachable from here? (see --resolver)\n",
					    results[i]->domain);
			}
	}
	free(results);
	arena_free(arena);
	tls_client_free(cfg.tls);
	cli_domain_close(&de);
	return ret;
}
