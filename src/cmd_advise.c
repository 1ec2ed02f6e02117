/*
 * cmd_advise.c — `mailtls advise DOMAIN`: check the domain (with --full on every MX address by
 * default) and print what to publish and configure so that its findings go away: TLSA records,
 * MTA-STS and TLS-RPT, server settings for the software recognised.  docs/internals/advice.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "advice/advice.h"
#include "check/check.h"
#include "cli.h"
#include "dns/resolver.h"
#include "net/http.h"
#include "policy/socketmap.h"
#include "report/advice_render.h"
#include "report/report.h"
#include "tls/tls.h"
#include "util/arena.h"

/*
 * The SHA-256 of the SubjectPublicKeyInfo in FILE (a PEM certificate, public key or private
 * key) as hex into out[65]: what a 3 1 1 record carries.  -1 when FILE holds none of them.
 */
static int
advise_next_spki(const char *path, char out[65])
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	FILE *f;
	int n, ret = -1;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		pk = X509_get_pubkey(x);
	if (pk == NULL) {
		rewind(f);
		pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	}
	if (pk == NULL) {
		rewind(f);
		pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	}
	fclose(f);
	if (pk != NULL && (n = i2d_PUBKEY(pk, &der)) > 0 &&
	    EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32) {
		for (i = 0; i < mdlen; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
		ret = 0;
	}
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
	X509_free(x);
	return ret;
}

int
cmd_advise(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_DOMAIN_LONGOPTS,
		{ "next-key", required_argument, NULL, 'k' },
		{ "software", required_argument, NULL, 's' },
		{ "ttl", required_argument, NULL, 'L' },
		{ "no-full", no_argument, NULL, 'Q' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common co;
	struct cli_domain_env de;
	struct check_config cfg;
	struct report_opts ro;
	struct advice_opts ao;
	struct advice ad;
	struct arena *arena = NULL;
	const struct check_result *r;
	char err[512], spki[65], dom[256];
	int ch, ret = EXIT_OK, no_full = 0, any, sw;

	memset(&cfg, 0, sizeof(cfg));
	memset(&ro, 0, sizeof(ro));
	memset(&ao, 0, sizeof(ao));
	cli_common_init(&co);
	cli_domain_init(&de);
	ro.command = "advise";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			if (advise_next_spki(optarg, spki) < 0)
				return cli_usage_error("--next-key: %s holds no PEM certificate, public key "
				    "or private key", optarg);
			ao.next_spki = spki;
			break;
		case 's':
			if ((sw = advice_software_by_name(optarg)) <= 0)
				return cli_usage_error("--software wants postfix, exim, opensmtpd, dovecot, "
				    "prosody or nginx, not '%s'", optarg);
			ao.force_sw = (enum advice_software)sw;
			break;
		case 'L': {
			char *end;

			ao.ttl = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || ao.ttl < 60 || ao.ttl > 86400)
				return cli_usage_error("--ttl wants seconds from 60 to 86400, not '%s'",
				    optarg);
			break;
		}
		case 'Q': no_full = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			if (!cli_domain_opt(&de, ch, optarg) && !cli_common_opt(&co, ch, optarg))
				return cli_opt_error(argc, argv, longopts);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(argc - optind < 1 ? "advise wants a DOMAIN" :
		    "advise takes one DOMAIN");
	if (socketmap_key_domain(argv[optind], strlen(argv[optind]), dom, sizeof(dom)) < 0)
		return cli_usage_error("'%s' is not a domain name", argv[optind]);
	if ((ret = cli_domain_open(&de, &co)) != EXIT_OK)
		return ret;
	cli_check_config(&cfg, &co, &de);
	cfg.full = !no_full;
	cfg.domain = argv[optind];
	if ((cfg.tls = tls_client_new(&co.tc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	arena = arena_new();
	r = check_run(&cfg, arena);
	ao.now = (long)time(NULL);
	advice_build(r, &ao, arena, &ad);
	if (co.json) {
		json_t *o = report_json_new(&ro);

		json_object_set_new(o, "domain", report_jstr(r->domain));
		json_object_set_new(o, "verdict", json_pack("{s:s, s:s}", "downgrade_protection",
		    verdict_protection_name(r->verdict.protection), "sentence", r->verdict.sentence));
		json_object_set_new(o, "advice", report_advice_json(&ad));
		json_object_del(o, "endpoints");
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else
		report_advice_text(stdout, &ad, r);
	/* the exit status says whether the domain has findings the advice is for */
	if (check_worst(r, &any) >= (enum severity)co.fail_on && any)
		ret = EXIT_FINDINGS;
	if (r->verdict.can_read < 0)
		ret = EXIT_UNREACHABLE;
out:
	arena_free(arena);
	tls_client_free(cfg.tls);
	cli_domain_close(&de);
	return ret;
}
