/*
 * cmd_host.c — `mailtls host TARGET`: audit one mail server, every address it has.
 */
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/event.h>
#include <jansson.h>

#include "cli.h"
#include "net/sock.h"
#include "net/http.h"
#include "probe/batch.h"
#include "provider/provider.h"
#include "scan/full.h"
#include "report/report.h"
#include "tls/tls.h"
#include "util/arena.h"

#define HOST_ADDRS_MAX	16


static int
host_resolve(const char *host, char addrs[][INET6_ADDRSTRLEN], int max)
{
	struct addrinfo hints, *res = NULL, *ai;
	int n = 0, i, dup;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return -1;
	for (ai = res; ai && n < max; ai = ai->ai_next) {
		char buf[INET6_ADDRSTRLEN];
		const void *a = ai->ai_family == AF_INET ?
		    (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr :
		    (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;

		if (inet_ntop(ai->ai_family, a, buf, sizeof(buf)) == NULL)
			continue;
		for (dup = 0, i = 0; i < n; i++)
			if (strcmp(addrs[i], buf) == 0)
				dup = 1;
		if (!dup)
			snprintf(addrs[n++], INET6_ADDRSTRLEN, "%s", buf);
	}
	freeaddrinfo(res);
	return n;
}

static int
host_unreachable(const struct endpoint *ep)
{
	return !ep->connected;
}

int
cmd_host(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "proto", required_argument, NULL, 'P' },
		{ "name", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common co;
	struct probe_params pp;
	struct report_opts ro;
	struct sock_target tgt;
	struct tls_client *tls = NULL;
	struct event_base *base = NULL;
	struct arena *arena = NULL;
	struct batch *batch = NULL;
	struct http_client *http = NULL;
	char addrs[HOST_ADDRS_MAX][INET6_ADDRSTRLEN], err[256];
	const char *name = NULL;
	int progress, ch, color, naddr, i, ret = EXIT_OK;
	int proto = ENDPOINT_PROTO_SMTP, unreachable = 0;
	size_t k;

	memset(&pp, 0, sizeof(pp));
	memset(&ro, 0, sizeof(ro));
	cli_common_init(&co);
	ro.transcript = 1;
	ro.command = "host";
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			if ((proto = endpoint_proto_by_name(optarg)) < 0)
				return cli_usage_error("--proto wants smtp, smtps, submission, submissions, "
				    "imap, imaps, pop3, pop3s, xmpp, xmpp-server, xmpps, xmpps-server or "
				    "https, not '%s'", optarg);
			break;
		case 'n': name = optarg; break;
		case 'q': ro.transcript = 0; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			if (!cli_common_opt(&co, ch, optarg))
				return cli_opt_error(argc, argv, longopts);
		}
	}
	pp.connect_ms = co.connect_ms;
	pp.reply_ms = co.reply_ms;
	pp.tls_ms = co.tls_ms;
	pp.total_ms = co.total_ms;
	if (optind == argc)
		return cli_usage_error("host wants a TARGET (host, host:port or [IPv6]:port)");
	if (optind < argc - 1)
		return cli_usage_error("host wants one TARGET; '%s' is one too many", argv[optind + 1]);
	if (sock_target_parse(argv[optind], &tgt) < 0)
		return cli_usage_error("cannot parse target '%s' (host, host:port or [IPv6]:port)",
		    argv[optind]);
	color = co.color < 0 ? isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL : co.color;
	ro.color = color && !co.json;
	progress = isatty(STDERR_FILENO);
	if (tgt.is_ip) {
		snprintf(addrs[0], sizeof(addrs[0]), "%.45s", tgt.host);
		naddr = 1;
	} else if ((naddr = host_resolve(tgt.host, addrs, HOST_ADDRS_MAX)) <= 0) {
		fprintf(stderr, "mailtls: cannot resolve %s\n", tgt.host);
		return EXIT_UNREACHABLE;
	}

	if ((tls = tls_client_new(&co.tc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		return EXIT_USAGE;
	}
	base = event_base_new();
	arena = arena_new();
	batch = batch_new(base, arena, 8, 1);
	pp.host = tgt.host;
	pp.port = tgt.port ? tgt.port : endpoint_proto_port((enum endpoint_proto)proto);
	pp.proto = (enum endpoint_proto)proto;
	pp.refname = name ? name : tgt.host;
	pp.ehlo = co.ehlo ? co.ehlo : cli_fqdn();
	pp.tls = tls;
	for (i = 0; i < naddr; i++) {
		pp.ip = addrs[i];
		batch_add(batch, &pp);
	}
	batch_run(batch);
	for (k = 0; co.full && k < batch_count(batch); k++) {
		struct endpoint *ep = batch_endpoint(batch, k);

		if (!ep->connected)
			continue;
		if (progress)
			fprintf(stderr, "enumerating versions and suites of %s ...\n", ep->ip);
		pp.ip = ep->ip;
		full_endpoint(base, &pp, ep, arena, &co.fo);
	}

	for (k = 0; k < batch_count(batch); k++) {
		struct endpoint *ep = batch_endpoint(batch, k);

		provider_endpoint_decide(ep);	/* "TLS mandatory?" (lib/verdict/mandatory.c) */
		if (proto == ENDPOINT_PROTO_HTTPS && ep->connected) {
			/* HSTS and the http:// redirect, through libcurl (lib/provider/web.h) */
			if (http == NULL && (http = http_client_new(base, co.tc.ca_file, err,
			    sizeof(err))) == NULL) {
				fprintf(stderr, "mailtls: %s\n", err);
				continue;
			}
			ep->web = arena_alloc(arena, sizeof(*ep->web));
			provider_web_fetch(base, http, pp.refname, ep->ip, co.reply_ms, arena, ep->web);
			provider_web_findings(ep, arena, ep->web);
			ep->connections += 2;
		}
	}
	if (co.json) {
		json_t *root = report_json_new(&ro), *eps = json_object_get(root, "endpoints");

		for (k = 0; k < batch_count(batch); k++)
			json_array_append_new(eps, report_endpoint_json(batch_endpoint(batch, k)));
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(root);
	} else {
		for (k = 0; k < batch_count(batch); k++) {
			if (k)
				fputc('\n', stdout);
			report_text_endpoint(stdout, batch_endpoint(batch, k), &ro);
		}
	}
	for (k = 0; k < batch_count(batch); k++) {
		const struct endpoint *ep = batch_endpoint(batch, k);
		int any;
		enum severity w = endpoint_worst(ep, &any);

		if (host_unreachable(ep))
			unreachable++;
		if (any && (int)w >= co.fail_on && ret == EXIT_OK)
			ret = EXIT_FINDINGS;
	}
	if (unreachable == (int)batch_count(batch))
		ret = EXIT_UNREACHABLE;
	http_client_free(http);
	batch_free(batch);
	arena_free(arena);
	event_base_free(base);
	tls_client_free(tls);
	return ret;
}
