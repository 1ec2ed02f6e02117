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
		{ "resolver", required_argument, NULL, 'R' },
		{ "trust-anchor", required_argument, NULL, 'A' },
		{ "dns-timeout", required_argument, NULL, 'S' },
		{ "http-timeout", required_argument, NULL, 'H' },
		{ "progress", no_argument, NULL, 'p' },
		{ "no-progress", no_argument, NULL, 'P' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common co;
	struct check_config cfg;
	struct resolver_config rc;
	struct report_opts ro;
	struct resolver *res = NULL;
	struct http_client *http = NULL;
	struct event_base *base = NULL;
	struct arena *arena = NULL;
	const struct check_result **results = NULL;
	struct check_tls_later later;
	char err[512];
	int ch, color, progress = -1, ret = EXIT_OK;
	int ndomains, i;

	memset(&cfg, 0, sizeof(cfg));
	memset(&rc, 0, sizeof(rc));
	memset(&ro, 0, sizeof(ro));
	cli_common_init(&co);
	cfg.http_ms = 20000;
	cfg.max_total = 16;
	cfg.max_per_ip = 1;
	rc.timeout_ms = 10000;
	ro.command = "check";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'R': rc.forwarder = optarg; break;
		case 'A': rc.trust_anchor_file = optarg; break;
		case 'H': cfg.http_ms = cli_secs(optarg, "--http-timeout"); break;
		case 'S': rc.timeout_ms = cli_secs(optarg, "--dns-timeout"); break;
		case 'p': progress = 1; break;
		case 'P': progress = 0; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			if (!cli_common_opt(&co, ch, optarg))
				return cli_opt_error(argc, argv, longopts);
		}
	}
	cfg.ehlo = co.ehlo;
	cfg.connect_ms = co.connect_ms;
	cfg.reply_ms = co.reply_ms;
	cfg.tls_ms = co.tls_ms;
	cfg.total_ms = co.total_ms;
	cfg.full = co.full;
	cfg.full_opts = co.fo;
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
	if (cfg.ehlo == NULL)
		cfg.ehlo = cli_fqdn();

	base = event_base_new();
	/* the resolver forks its helper first, before any socket of ours exists (resolver.md) */
	if ((res = resolver_new(base, &rc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: resolver: %s\n", err);
		event_base_free(base);
		return EXIT_USAGE;
	}
	if ((co.tc.ca_path != NULL && access(co.tc.ca_path, R_OK | X_OK) != 0) ||
	    (http = http_client_new(base, co.tc.ca_file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", co.tc.ca_path && access(co.tc.ca_path, R_OK | X_OK) ?
		    "--ca-path: not a readable directory" : err);
		ret = EXIT_USAGE;
		goto out;
	}
	cfg.base = base;
	cfg.resolver = res;
	cfg.http = http;
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
out:
	free(results);
	arena_free(arena);
	http_client_free(http);
	tls_client_free(cfg.tls);
	resolver_free(res);
	event_base_free(base);
	return ret;
}
