/*
 * cli.c — pieces every command shares: option values and this machine's name.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cli.h"
#include "check/check.h"
#include "net/http.h"
#include "probe/probe.h"
#include "verdict/finding.h"

/*
 * A usage error, as git, curl and ssh report one: a single line saying what was wrong, a pointer
 * to --help, nothing on stdout.  The full help would bury the one line that matters.
 */
int
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mailtls: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'mailtls --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

/* For option values checked deep inside cli_common_opt(): report and exit 2. */
static void
cli_usage_die(const char *fmt, const char *opt, const char *val)
{
	exit(cli_usage_error(fmt, opt, val));
}

/*
 * getopt_long() returned '?' or ':' (opterr is 0, so it printed nothing): name the offending
 * option.  glibc leaves a long option's word at argv[optind - 1] and sets optopt to 0 when the
 * name is unknown or ambiguous, to the option's val when it lacks or must not have an argument;
 * for a short option optopt is the character.
 */
int
cli_opt_error(int argc, char **argv, const struct option *lo)
{
	const char *w = optind > 0 && optind <= argc ? argv[optind - 1] : "", *eq;
	const struct option *o, *hit = NULL;
	size_t n;
	int nhit = 0;

	if (strncmp(w, "--", 2) == 0 && w[2] != '\0') {
		n = (eq = strchr(w, '=')) != NULL ? (size_t)(eq - w - 2) : strlen(w + 2);
		for (o = lo; o->name != NULL; o++) {
			if (strncmp(o->name, w + 2, n) != 0)
				continue;
			if (o->name[n] == '\0') {	/* exact */
				hit = o;
				nhit = 1;
				break;
			}
			hit = o;
			nhit++;
		}
		/* optopt names a short option when this word was fine and a cluster after it was not */
		if (optopt == 0 || (hit != NULL && hit->val == optopt)) {
			if (nhit == 0)
				return cli_usage_error("unknown option '--%.*s'", (int)n, w + 2);
			if (nhit > 1)
				return cli_usage_error("option '--%.*s' is ambiguous", (int)n, w + 2);
			if (hit->has_arg == no_argument && eq != NULL)
				return cli_usage_error("option '--%s' takes no value", hit->name);
			return cli_usage_error("option '--%s' needs a value", hit->name);
		}
	}
	if (optopt != 0)
		return cli_usage_error("unknown option '-%c'", optopt);
	return cli_usage_error("bad option '%s'", w);
}

/* "--timeout 2.5" -> 2500 ms; a bad value is a usage error (exit 2). */
long
cli_secs(const char *s, const char *opt)
{
	char *end;
	double v = strtod(s, &end);

	/* at least 1 ms: a deadline that rounds to 0 would mean none at all */
	if (*s == '\0' || *end != '\0' || !(v >= 0.001) || v > 86400)
		cli_usage_die("%s wants seconds (0.001 to 86400), not '%s'", opt, s);
	return (long)(v * 1000);
}

/* A whole number from lo to hi, or a usage error naming the option and the value. */
static long
cli_count(const char *s, const char *opt, long lo, long hi)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		exit(cli_usage_error("%s wants a whole number from %ld to %ld, not '%s'", opt, lo, hi,
		    s));
	return v;
}

void
cli_common_init(struct cli_common *co)
{
	memset(co, 0, sizeof(*co));
	co->connect_ms = PROBE_CONNECT_MS;
	co->reply_ms = PROBE_REPLY_MS;
	co->tls_ms = PROBE_TLS_MS;
	co->total_ms = PROBE_TOTAL_MS;
	co->color = -1;
	co->fail_on = SEVERITY_HIGH;
	co->fo.lanes = 2;
}

int
cli_common_opt(struct cli_common *co, int ch, const char *arg)
{
	switch (ch) {
	case 'C': co->tc.ca_file = arg; break;
	case 'D': co->tc.ca_path = arg; break;
	case 'e': co->ehlo = arg; break;
	case 't': co->total_ms = cli_secs(arg, "--timeout"); break;
	case 'c': co->connect_ms = cli_secs(arg, "--connect-timeout"); break;
	case 'r': co->reply_ms = cli_secs(arg, "--reply-timeout"); break;
	case 'T': co->tls_ms = cli_secs(arg, "--tls-timeout"); break;
	case 'j': co->json = 1; break;
	case 'f': co->fail_on = cli_severity(arg); break;
	case 'K': co->color = 1; break;
	case 'N': co->color = 0; break;
	case 'F': co->full = 1; break;
	case 'M': co->fo.lanes = (int)cli_count(arg, "--max-conn", 1, SCAN_LANES_MAX); break;
	case 'G': co->fo.spacing_ms = cli_secs(arg, "--spacing"); break;
	case 'X': co->fo.max_attempts = (unsigned)cli_count(arg, "--max-attempts", 1, 1000000); break;
	default:
		return 0;
	}
	return 1;
}

int
cli_severity(const char *s)
{
	int sev = severity_by_name(s);

	if (sev < 0)
		cli_usage_die("%s wants info, low, medium, high or critical, not '%s'", "--fail-on", s);
	return sev;
}

/*
 * This machine's FQDN for EHLO, as posttls-finger defaults to $myhostname.  No DNS lookup: the
 * name must not cost a query (tests run with no resolver but loopback).  /etc/mailname (Debian's
 * mail name), else the host name, else "localhost.localdomain".
 */
static const char *
cli_fqdn_into(char *buf, size_t len)
{
	FILE *f;
	size_t n;

	if ((f = fopen("/etc/mailname", "r")) != NULL) {
		if (fgets(buf, (int)len, f) != NULL) {
			n = strcspn(buf, " \t\r\n");
			buf[n] = '\0';
			if (n > 0 && strchr(buf, '.') != NULL) {
				fclose(f);
				return buf;
			}
		}
		fclose(f);
	}
	if (gethostname(buf, len) != 0 || buf[0] == '\0')
		return "localhost.localdomain";
	buf[len - 1] = '\0';
	if (strchr(buf, '.') == NULL && strlen(buf) + sizeof(".localdomain") <= len)
		strcat(buf, ".localdomain");
	return buf;
}

const char *
cli_fqdn(void)
{
	static char buf[256];

	return cli_fqdn_into(buf, sizeof(buf));
}

void
cli_domain_init(struct cli_domain_env *de)
{
	memset(de, 0, sizeof(*de));
	de->rc.timeout_ms = 10000;
	de->http_ms = 20000;
}

int
cli_domain_opt(struct cli_domain_env *de, int ch, const char *arg)
{
	switch (ch) {
	case 'R': de->rc.forwarder = arg; return 1;
	case 'A': de->rc.trust_anchor_file = arg; return 1;
	case 'S': de->rc.timeout_ms = cli_secs(arg, "--dns-timeout"); return 1;
	case 'H': de->http_ms = cli_secs(arg, "--http-timeout"); return 1;
	default: return 0;
	}
}

int
cli_domain_open(struct cli_domain_env *de, const struct cli_common *co)
{
	char err[512];

	de->base = event_base_new();
	if (de->base == NULL) {
		fprintf(stderr, "mailtls: cannot make an event loop\n");
		return EXIT_USAGE;
	}
	/* the resolver forks its helper first, before any socket of ours exists (resolver.md) */
	if ((de->res = resolver_new(de->base, &de->rc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: resolver: %s\n", err);
		cli_domain_close(de);
		return EXIT_USAGE;
	}
	if (co->tc.ca_path != NULL && access(co->tc.ca_path, R_OK | X_OK) != 0) {
		fprintf(stderr, "mailtls: --ca-path: not a readable directory\n");
		cli_domain_close(de);
		return EXIT_USAGE;
	}
	if ((de->http = http_client_new(de->base, co->tc.ca_file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		cli_domain_close(de);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

void
cli_domain_close(struct cli_domain_env *de)
{
	http_client_free(de->http);
	resolver_free(de->res);
	if (de->base != NULL)
		event_base_free(de->base);
	de->http = NULL;
	de->res = NULL;
	de->base = NULL;
}

void
cli_check_config(struct check_config *cfg, const struct cli_common *co,
    const struct cli_domain_env *de)
{
	cfg->ehlo = co->ehlo ? co->ehlo : cli_fqdn();
	cfg->connect_ms = co->connect_ms;
	cfg->reply_ms = co->reply_ms;
	cfg->tls_ms = co->tls_ms;
	cfg->total_ms = co->total_ms;
	cfg->full = co->full;
	cfg->full_opts = co->fo;
	cfg->http_ms = de->http_ms;
	cfg->max_total = 16;
	cfg->max_per_ip = 1;
	cfg->base = de->base;
	cfg->resolver = de->res;
	cfg->http = de->http;
}
