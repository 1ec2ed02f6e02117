/*
 * cli.h — shared pieces of the command-line program.
 */
#ifndef MAILTLS_CLI_H
#define MAILTLS_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "dns/resolver.h"
#include "scan/full.h"
#include "tls/tls.h"

#define EXIT_OK		0	/* done, nothing at or above --fail-on */
#define EXIT_FINDINGS	1	/* findings at or above --fail-on */
#define EXIT_USAGE	2
#define EXIT_UNREACHABLE 3	/* no endpoint could be reached */

/* Options every auditing command shares (mailtls --help lists them under host). */
struct cli_common {
	struct tls_config	 tc;		/* --ca-file, --ca-path */
	const char		*ehlo;		/* --ehlo; NULL: cli_fqdn() */
	long			 connect_ms, reply_ms, tls_ms, total_ms;
	int			 json;
	int			 color;		/* -1: only on a TTY */
	int			 fail_on;	/* enum severity */
	int			 full;		/* --full */
	struct full_opts	 fo;		/* --max-conn, --spacing, --max-attempts */
};

#define CLI_COMMON_LONGOPTS \
	{ "ca-file", required_argument, NULL, 'C' }, \
	{ "ca-path", required_argument, NULL, 'D' }, \
	{ "ehlo", required_argument, NULL, 'e' }, \
	{ "timeout", required_argument, NULL, 't' }, \
	{ "connect-timeout", required_argument, NULL, 'c' }, \
	{ "reply-timeout", required_argument, NULL, 'r' }, \
	{ "tls-timeout", required_argument, NULL, 'T' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "fail-on", required_argument, NULL, 'f' }, \
	{ "color", no_argument, NULL, 'K' }, \
	{ "no-color", no_argument, NULL, 'N' }, \
	{ "full", no_argument, NULL, 'F' }, \
	{ "max-conn", required_argument, NULL, 'M' }, \
	{ "spacing", required_argument, NULL, 'G' }, \
	{ "max-attempts", required_argument, NULL, 'X' }, \
	{ "help", no_argument, NULL, 'h' }

/*
 * What every command that checks domains needs besides cli_common: the resolver and HTTP
 * options, and the event loop, validating resolver and HTTPS client made from them.
 */
struct event_base;
struct resolver;
struct http_client;
struct check_config;

struct cli_domain_env {
	struct resolver_config	 rc;		/* --resolver, --trust-anchor, --dns-timeout */
	long			 http_ms;	/* --http-timeout */
	struct event_base	*base;
	struct resolver		*res;
	struct http_client	*http;
};

#define CLI_DOMAIN_LONGOPTS \
	{ "resolver", required_argument, NULL, 'R' }, \
	{ "trust-anchor", required_argument, NULL, 'A' }, \
	{ "dns-timeout", required_argument, NULL, 'S' }, \
	{ "http-timeout", required_argument, NULL, 'H' }

void	cli_domain_init(struct cli_domain_env *);		/* the defaults: DNS 10 s, HTTP 20 s */
int	cli_domain_opt(struct cli_domain_env *, int ch, const char *arg);	/* 1: handled */
/* The loop, the resolver (first: it forks its helper) and the HTTPS client; EXIT_OK or EXIT_USAGE
   with the reason on stderr. */
int	cli_domain_open(struct cli_domain_env *, const struct cli_common *);
void	cli_domain_close(struct cli_domain_env *);	/* what open made; twice is fine */
/* A check's configuration from the shared options (the per-probe deadlines, EHLO, --full). */
void	cli_check_config(struct check_config *, const struct cli_common *,
	    const struct cli_domain_env *);

void	cli_common_init(struct cli_common *);
int	cli_common_opt(struct cli_common *, int ch, const char *arg);	/* 1: handled */

int	cmd_host(int, char **);
int	cmd_findings(int, char **);
int	cmd_check(int, char **);
int	cmd_provider(int, char **);
int	cmd_scan(int, char **);
int	cmd_export(int, char **);
int	cmd_changes(int, char **);
int	cmd_watch(int, char **);
int	cmd_report(int, char **);
int	cmd_mitm(int, char **);
int	cmd_policy(int, char **);
int	cmd_policyd(int, char **);
int	cmd_advise(int, char **);
const char *cli_fqdn(void);
/* Usage errors: one line on stderr naming the problem, a pointer to --help; both return EXIT_USAGE. */
int	cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	cli_opt_error(int argc, char **argv, const struct option *);	/* getopt said '?' or ':' */
long	cli_secs(const char *, const char *opt);
int	cli_severity(const char *);
void	usage(FILE *);

#endif
