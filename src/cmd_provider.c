/*
 * cmd_provider.c — `mailtls provider DOMAIN...`: every mail and chat service of a provider, each
 * audited, and the two tables (services; DNSSEC and DANE).  lib/provider gathers and decides,
 * lib/report renders.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "probe/endpoint.h"
#include "provider/provider.h"
#include "report/provider_render.h"
#include "report/report.h"
#include "util/arena.h"
#include "verdict/finding.h"

#define PROVIDER_DOMAINS_MAX	32

int
cmd_provider(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_DOMAIN_LONGOPTS,
		{ "markdown", no_argument, NULL, 'm' },
		{ "html", no_argument, NULL, 'w' },
		{ "no-guess", no_argument, NULL, 'g' },
		{ "progress", no_argument, NULL, 'p' },
		{ "no-progress", no_argument, NULL, 'P' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common co;
	struct cli_domain_env de;
	struct provider_config cfg;
	struct report_opts ro;
	struct provider_result *res[PROVIDER_DOMAINS_MAX];
	struct arena *arena;
	char err[512];
	int ch, i, n, markdown = 0, html = 0, progress = -1, color, ret = EXIT_OK, reached = 0;
	size_t k, j;

	memset(&cfg, 0, sizeof(cfg));
	memset(&ro, 0, sizeof(ro));
	cli_common_init(&co);
	cli_domain_init(&de);
	ro.command = "provider";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm': markdown = 1; break;
		case 'w': html = 1; break;
		case 'g': cfg.no_guess = 1; break;
		case 'p': progress = 1; break;
		case 'P': progress = 0; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			if (!cli_domain_opt(&de, ch, optarg) && !cli_common_opt(&co, ch, optarg))
				return cli_opt_error(argc, argv, longopts);
		}
	}
	if (de.rc.timeout_ms <= 0 || de.http_ms <= 0)
		return EXIT_USAGE;	/* cli_secs said why */
	n = argc - optind;
	if (n < 1)
		return cli_usage_error("provider wants a DOMAIN");
	if (n > PROVIDER_DOMAINS_MAX)
		return cli_usage_error("provider takes at most %d domains, not %d", PROVIDER_DOMAINS_MAX, n);
	if (markdown + html + co.json > 1)
		return cli_usage_error("--json, --markdown and --html exclude each other");
	for (i = optind; i < argc; i++)
		if (strlen(argv[i]) == 0 || strlen(argv[i]) > 253 || strchr(argv[i], '/') ||
		    strchr(argv[i], ' ') || strchr(argv[i], ':') || strchr(argv[i], '@'))
			return cli_usage_error("'%s' is not a domain name", argv[i]);
	color = co.color < 0 ? isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL : co.color;
	ro.color = color && !co.json && !markdown && !html;
	if (progress < 0)
		progress = isatty(STDERR_FILENO);
	cfg.progress = progress;
	cfg.ca_file = co.tc.ca_file;
	cfg.full = co.full;
	cfg.fo = co.fo;
	cfg.tmpl.connect_ms = co.connect_ms;
	cfg.tmpl.reply_ms = co.reply_ms;
	cfg.tmpl.tls_ms = co.tls_ms;
	cfg.tmpl.total_ms = co.total_ms;
	cfg.tmpl.ehlo = co.ehlo ? co.ehlo : cli_fqdn();
	/* one loop, resolver and HTTPS client for every domain (the resolver forks first) */
	if ((ret = cli_domain_open(&de, &co)) != EXIT_OK)
		return ret;
	cfg.base = de.base;
	cfg.resolver = de.res;
	cfg.http = de.http;
	cfg.rc = de.rc;
	cfg.http_timeout_ms = de.http_ms;
	if ((cfg.tls = tls_client_new(&co.tc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		cli_domain_close(&de);
		return EXIT_USAGE;
	}
	arena = arena_new();
	for (i = 0; i < n; i++) {
		res[i] = arena_alloc(arena, sizeof(*res[i]));
		if (provider_run(&cfg, argv[optind + i], arena, res[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "mailtls: resolver: %s\n", err);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (co.json) {
		json_t *root = report_json_new(&ro), *ps = json_array();

		for (i = 0; i < n; i++)
			json_array_append_new(ps, report_provider_json(res[i]));
		json_object_set_new(root, "providers", ps);
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(root);
	} else if (markdown)
		report_provider_markdown(stdout, (const struct provider_result *const *)res, (size_t)n);
	else if (html)
		report_provider_html(stdout, (const struct provider_result *const *)res, (size_t)n);
	else
		report_provider_text(stdout, (const struct provider_result *const *)res, (size_t)n, &ro);
	for (i = 0; i < n; i++) {
		for (k = 0; k < res[i]->nfind; k++)
			if ((int)finding_info((enum finding_id)res[i]->find[k].id)->severity >= co.fail_on)
				ret = EXIT_FINDINGS;
		for (k = 0; k < res[i]->nsvc; k++)
			for (j = 0; j < res[i]->svc[k].nep; j++) {
				const struct endpoint *ep = res[i]->svc[k].ep[j];
				int any;
				enum severity w = endpoint_worst(ep, &any);

				reached |= ep->connected;
				if (any && (int)w >= co.fail_on && ret == EXIT_OK)
					ret = EXIT_FINDINGS;
			}
	}
	if (!reached)
		ret = EXIT_UNREACHABLE;
out:
	arena_free(arena);
	tls_client_free(cfg.tls);
	cli_domain_close(&de);
	return ret;
}
