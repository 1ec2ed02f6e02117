/*
 * cmd_policy.c — `mailtls policy DOMAIN...`: the strongest TLS policy a sender can enforce
 * towards each domain today, as Postfix smtp_tls_policy_maps lines (and OpenSMTPD and Exim
 * equivalents), with a warning wherever enforcing it would defer mail now.
 * Decision table: docs/internals/policy.md.
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
#include "mailtls.h"
#include "policy/policy.h"
#include "policy/socketmap.h"
#include "report/policy_render.h"
#include "report/report.h"
#include "tls/tls.h"
#include "util/arena.h"

#define POLICY_DOMAINS_MAX	1000

int
cmd_policy(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_DOMAIN_LONGOPTS,
		{ "dns-only", no_argument, NULL, 'O' },
		{ "pin", no_argument, NULL, 'I' },
		{ "format", required_argument, NULL, 'm' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common co;
	struct cli_domain_env de;
	struct check_config cfg;
	struct arena *arena = NULL;
	struct policy_row *rows = NULL;
	const char *format = "all";
	char err[512];
	int ch, ret = EXIT_OK, dns_only = 0, pin = 0, ndomains, i;

	memset(&cfg, 0, sizeof(cfg));
	cli_common_init(&co);
	cli_domain_init(&de);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'O': dns_only = 1; break;
		case 'I': pin = 1; break;
		case 'm': format = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			if (!cli_domain_opt(&de, ch, optarg) && !cli_common_opt(&co, ch, optarg))
				return cli_opt_error(argc, argv, longopts);
		}
	}
	if (co.full)
		return cli_usage_error("policy does not take --full");
	if (strcmp(format, "all") != 0 && strcmp(format, "postfix") != 0 &&
	    strcmp(format, "opensmtpd") != 0 && strcmp(format, "exim") != 0)
		return cli_usage_error("--format wants postfix, opensmtpd, exim or all, not '%s'", format);
	if (pin && dns_only)
		return cli_usage_error("--pin needs the probes that --dns-only leaves out");
	ndomains = argc - optind;
	if (ndomains < 1)
		return cli_usage_error("policy wants a DOMAIN");
	if (ndomains > POLICY_DOMAINS_MAX)
		return cli_usage_error("policy takes at most %d domains, not %d", POLICY_DOMAINS_MAX,
		    ndomains);
	for (i = optind; i < argc; i++) {
		char dom[256];

		if (socketmap_key_domain(argv[i], strlen(argv[i]), dom, sizeof(dom)) < 0)
			return cli_usage_error("'%s' is not a domain name", argv[i]);
	}
	if ((ret = cli_domain_open(&de, &co)) != EXIT_OK)
		return ret;
	cli_check_config(&cfg, &co, &de);
	cfg.dns_only = dns_only;
	if (!dns_only && (cfg.tls = tls_client_new(&co.tc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	arena = arena_new();
	rows = calloc((size_t)ndomains, sizeof(*rows));
	if (rows == NULL) {
		ret = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < ndomains; i++) {
		const struct check_result *r;
		struct policy_facts f;
		struct policy_mx_facts mx[POLICY_MX_MAX];
		size_t k;

		cfg.domain = argv[optind + i];
		r = check_run(&cfg, arena);
		policy_facts_from_check(r, !dns_only, pin, &f, mx);
		policy_decide(&f, &rows[i].d);
		/* warnings name hosts inside the check's arena; it lives until the end */
		rows[i].domain = r->domain;
		if (rows[i].d.basis == POLICY_BASIS_UNKNOWN)
			ret = ret == EXIT_OK || ret == EXIT_FINDINGS ? EXIT_UNREACHABLE : ret;
		for (k = 0; k < rows[i].d.nwarn; k++)
			if (policy_defers_today(rows[i].d.warn[k].id) && ret == EXIT_OK)
				ret = EXIT_FINDINGS;
	}
	if (co.json) {
		json_t *o = json_pack("{s:i, s:s, s:s, s:b, s:b, s:o}", "schema", REPORT_SCHEMA,
		    "command", "policy", "version", MAILTLS_VERSION_STRING, "probed", !dns_only, "pin",
		    pin, "policies", report_policy_json(rows, (size_t)ndomains));

		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		int all = strcmp(format, "all") == 0;

		if (all || strcmp(format, "postfix") == 0)
			report_policy_postfix(stdout, rows, (size_t)ndomains);
		if (all)
			fputc('\n', stdout);
		if (all || strcmp(format, "opensmtpd") == 0)
			report_policy_opensmtpd(stdout, rows, (size_t)ndomains);
		if (all)
			fputc('\n', stdout);
		if (all || strcmp(format, "exim") == 0)
			report_policy_exim(stdout, rows, (size_t)ndomains);
		report_policy_warnings(stdout, rows, (size_t)ndomains, "#");
	}
out:
	free(rows);
	arena_free(arena);
	tls_client_free(cfg.tls);
	cli_domain_close(&de);
	return ret;
}
