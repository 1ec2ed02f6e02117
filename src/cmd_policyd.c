/*
 * cmd_policyd.c — `mailtls policyd`: the Postfix socketmap policy service (lib/policy/policyd.c),
 * in the foreground for systemd (contrib/mailtls-policyd.service), logging to stderr or syslog.
 *
 *   smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8462:mailtls
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "cli.h"
#include "dns/resolver.h"
#include "net/http.h"
#include "policy/pins.h"
#include "policy/policyd.h"
#include "store/store.h"

struct policyd_run {
	struct policyd	*pd;
	int		 use_syslog;
	long		 stats_s;
	const char	*db;		/* --pin-from-history: the scan store */
	long		 pin_max_age_s;	/* --pin-max-age */
	long		 refused;	/* domains refused at this (re)load */
	long		 partial;	/* domains pinned with an MX left unpinned, this (re)load */
	struct policy_pins *pins;
};

static void
policyd_log(void *arg, int prio, const char *msg)
{
	struct policyd_run *run = arg;

	if (run->use_syslog)
		syslog(prio, "%s", msg);
	else {
		/* systemd's journal stamps lines itself; a terminal gets no clock either: keep it short */
		fprintf(stderr, "mailtls policyd: %s\n", msg);
		fflush(stderr);
	}
}

static void
policyd_signal(evutil_socket_t sig, short what, void *arg)
{
	struct policyd_run *run = arg;
	char msg[80];

	(void)what;
	snprintf(msg, sizeof(msg), "signal %d: stopping", (int)sig);
	policyd_log(run, LOG_INFO, msg);
	policyd_stop(run->pd);
}

static void
policyd_stats_cb(evutil_socket_t fd, short what, void *arg)
{
	struct policyd_run *run = arg;
	struct policyd_stats st;
	char msg[400];

	(void)fd;
	(void)what;
	policyd_stats(run->pd, &st);
	snprintf(msg, sizeof(msg), "stats: %lu requests (%lu OK, %lu NOTFOUND, %lu TEMP, %lu PERM), "
	    "%lu hits, %lu stale, %lu misses, %lu past deadline, %lu busy, %lu lookups (%lu refreshes), "
	    "%zu entries, %lu clients now, %lu malformed", st.requests, st.ok, st.notfound, st.temp,
	    st.perm, st.hits, st.stale, st.misses, st.deadline, st.busy, st.lookups, st.refreshes,
	    st.entries, st.clients_now, st.bad_frames);
	policyd_log(run, LOG_INFO, msg);
}

/*
 * The pins of the store (lib/policy/pins.c), with the risk said in the log at every (re)load.
 * NULL and a message when the store cannot be read.
 */
#define POLICYD_REFUSALS_LOGGED	100	/* lines per (re)load; the rest are counted */

/*
 * A domain without a pin (none complete, scan too old, certificate expiring), or one whose pins
 * leave out an MX the scan could not pin: said, up to a cap per (re)load.
 */
static void
policyd_pin_refused(void *arg, const char *domain, int partial, const char *why)
{
	struct policyd_run *run = arg;
	char msg[800];

	if (partial)
		run->partial++;
	else
		run->refused++;
	if (run->refused + run->partial > POLICYD_REFUSALS_LOGGED)
		return;
	snprintf(msg, sizeof(msg), partial ? "--pin-from-history: %s pinned without an MX: %s" :
	    "--pin-from-history: no pin for %s: %s", domain, why);
	policyd_log(run, LOG_WARNING, msg);
}

static struct policy_pins *
policyd_pins_load(struct policyd_run *run, char *err, size_t errlen)
{
	struct store *st = store_open(run->db, 1, err, errlen);
	struct policy_pins *t;
	char msg[900];
	long n;

	if (st == NULL)
		return NULL;
	t = policy_pins_new();
	policy_pins_set_max_age(t, run->pin_max_age_s);
	run->refused = 0;
	run->partial = 0;
	n = policy_pins_load(t, st, (long long)time(NULL), policyd_pin_refused, run, err, errlen);
	store_close(st);
	if (n < 0) {
		policy_pins_free(t);
		return NULL;
	}
	if (run->refused + run->partial > POLICYD_REFUSALS_LOGGED) {
		snprintf(msg, sizeof(msg), "--pin-from-history: %ld more domains without a pin or "
		    "with an MX left unpinned (not logged)",
		    run->refused + run->partial - POLICYD_REFUSALS_LOGGED);
		policyd_log(run, LOG_WARNING, msg);
	}
	snprintf(msg, sizeof(msg), "--pin-from-history: %ld of %zu domains in %s have a pin from "
	    "a scan within %ld days (%ld refused: no MX pinned, too old or a certificate "
	    "expiring; %ld with an MX the scan could not pin, which DEFERS); where nothing stronger (DANE on every MX, MTA-STS enforce) applies they get "
	    "`fingerprint match=...` (main.cf: smtp_tls_fingerprint_digest = sha256), whatever MX "
	    "hosts a lookup shows.  RISK: a pin is no commitment by the receiver: when it rolls its "
	    "key or certificate or adds an MX host, mail to it DEFERS until it is scanned again and "
	    "policyd reloaded (SIGHUP)", n, policy_pins_count(t), run->db,
	    run->pin_max_age_s / 86400, run->refused, run->partial);
	policyd_log(run, LOG_WARNING, msg);
	return t;
}

static void
policyd_hup(evutil_socket_t sig, short what, void *arg)
{
	struct policyd_run *run = arg;
	struct policy_pins *t;
	char err[512], msg[600];

	(void)sig;
	(void)what;
	if (run->db == NULL) {
		policyd_log(run, LOG_INFO, "SIGHUP: nothing to reload (no --pin-from-history)");
		return;
	}
	if ((t = policyd_pins_load(run, err, sizeof(err))) == NULL) {
		snprintf(msg, sizeof(msg), "SIGHUP: keeping the pins loaded before: %s", err);
		policyd_log(run, LOG_ERR, msg);
		return;
	}
	policyd_set_pins(run->pd, t);
	policy_pins_free(run->pins);
	run->pins = t;
}

static long
policyd_num(const char *arg, const char *opt, long lo, long hi)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < lo || v > hi)
		exit(cli_usage_error("%s wants a number from %ld to %ld, not '%s'", opt, lo, hi, arg));
	return v;
}

int
cmd_policyd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "map", required_argument, NULL, 'm' },
		{ "cache", required_argument, NULL, 'c' },
		{ "no-cache-file", no_argument, NULL, 'n' },
		{ "cache-size", required_argument, NULL, 'z' },
		{ "refresh", required_argument, NULL, 'r' },
		{ "answer-timeout", required_argument, NULL, 'a' },
		{ "max-clients", required_argument, NULL, 'M' },
		{ "max-lookups", required_argument, NULL, 'L' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "socket-mode", required_argument, NULL, 'o' },
		{ "syslog", no_argument, NULL, 'y' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "stats-interval", required_argument, NULL, 's' },
		{ "pin-from-history", no_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'D' },
		{ "pin-max-age", required_argument, NULL, 'P' },
		{ "resolver", required_argument, NULL, 'R' },
		{ "trust-anchor", required_argument, NULL, 'A' },
		{ "dns-timeout", required_argument, NULL, 'S' },
		{ "http-timeout", required_argument, NULL, 'H' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct policyd_config pc;
	struct resolver_config rc;
	struct policyd_run run;
	struct resolver *res = NULL;
	struct http_client *http = NULL;
	struct event_base *base = NULL;
	struct event *sigterm = NULL, *sigint = NULL, *sighup = NULL, *stats = NULL;
	const char *ca_file = NULL;
	char err[512];
	int ch, ret = EXIT_OK, no_file = 0, pin_history = 0, pin_max_age = 0;

	memset(&pc, 0, sizeof(pc));
	memset(&rc, 0, sizeof(rc));
	memset(&run, 0, sizeof(run));
	pc.map_name = "mailtls";
	pc.cache_file = "/var/lib/mailtls/policyd.sqlite";
	pc.cache_max = 20000;
	pc.refresh_s = 600;
	pc.answer_ms = 5000;
	pc.http_ms = 10000;
	pc.max_clients = 512;
	pc.max_lookups = 128;
	pc.idle_ms = 300000;
	rc.timeout_ms = 4000;
	run.stats_s = 3600;
	run.pin_max_age_s = POLICY_PINS_MAX_AGE_S;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (pc.nlisten == POLICYD_LISTEN_MAX)
				return cli_usage_error("at most %d --listen", POLICYD_LISTEN_MAX);
			if (strncmp(optarg, "inet:", 5) != 0 && strncmp(optarg, "unix:", 5) != 0)
				return cli_usage_error("--listen wants inet:ADDR:PORT or unix:PATH, "
				    "not '%s'", optarg);
			pc.listen[pc.nlisten++] = optarg;
			break;
		case 'm':
			if (*optarg == '\0' || strlen(optarg) > 64 || strchr(optarg, ' '))
				return cli_usage_error("--map wants a name without spaces");
			pc.map_name = optarg;
			break;
		case 'c': pc.cache_file = optarg; break;
		case 'n': no_file = 1; break;
		case 'z': pc.cache_max = (size_t)policyd_num(optarg, "--cache-size", 1, 10000000); break;
		case 'r': pc.refresh_s = policyd_num(optarg, "--refresh", 10, 86400); break;
		case 'a': pc.answer_ms = cli_secs(optarg, "--answer-timeout"); break;
		case 'M': pc.max_clients = (int)policyd_num(optarg, "--max-clients", 1, 100000); break;
		case 'L': pc.max_lookups = (int)policyd_num(optarg, "--max-lookups", 1, 100000); break;
		case 'i': pc.idle_ms = cli_secs(optarg, "--idle-timeout"); break;
		case 'o': {
			char *end;
			long m = strtol(optarg, &end, 8);

			if (*optarg == '\0' || *end != '\0' || m <= 0 || m > 0777)
				return cli_usage_error("--socket-mode wants an octal mode like 0660, "
				    "not '%s'", optarg);
			pc.socket_mode = (int)m;
			break;
		}
		case 'y': run.use_syslog = 1; break;
		case 'v': pc.verbose = 1; break;
		case 's': run.stats_s = policyd_num(optarg, "--stats-interval", 0, 86400 * 7); break;
		case 'p': pin_history = 1; break;
		case 'D': run.db = optarg; break;
		case 'P': run.pin_max_age_s = policyd_num(optarg, "--pin-max-age", 1, 3650) * 86400;
			pin_max_age = 1;
			break;
		case 'R': rc.forwarder = optarg; break;
		case 'A': rc.trust_anchor_file = optarg; break;
		case 'S': rc.timeout_ms = cli_secs(optarg, "--dns-timeout"); break;
		case 'H': pc.http_ms = cli_secs(optarg, "--http-timeout"); break;
		case 'C': ca_file = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			return cli_opt_error(argc, argv, longopts);
		}
	}
	if (optind < argc)
		return cli_usage_error("policyd takes no arguments ('%s')", argv[optind]);
	if (pin_history && run.db == NULL)
		return cli_usage_error("--pin-from-history wants --db FILE (the store `mailtls scan` "
		    "fills)");
	if (!pin_history && run.db != NULL)
		return cli_usage_error("--db goes with --pin-from-history");
	if (!pin_history && pin_max_age)
		return cli_usage_error("--pin-max-age goes with --pin-from-history");
	if (pc.nlisten == 0)
		pc.listen[pc.nlisten++] = "inet:127.0.0.1:8462";
	if (no_file)
		pc.cache_file = NULL;
	pc.max_stale_s = 6 * pc.refresh_s;
	if (run.use_syslog)
		openlog("mailtls-policyd", LOG_PID, LOG_MAIL);

	base = event_base_new();
	if ((res = resolver_new(base, &rc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: resolver: %s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	if ((http = http_client_new(base, ca_file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	if (run.db != NULL && (run.pins = policyd_pins_load(&run, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: --pin-from-history: %s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	pc.pins = run.pins;
	pc.base = base;
	pc.resolver = res;
	pc.http = http;
	pc.log = policyd_log;
	pc.log_arg = &run;
	if ((run.pd = policyd_new(&pc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: policyd: %s\n", err);
		ret = EXIT_UNREACHABLE;
		goto out;
	}
	sigterm = evsignal_new(base, SIGTERM, policyd_signal, &run);
	sigint = evsignal_new(base, SIGINT, policyd_signal, &run);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	/* SIGHUP re-reads the pins (and never kills the service: systemctl reload is safe) */
	sighup = evsignal_new(base, SIGHUP, policyd_hup, &run);
	event_add(sighup, NULL);
	if (run.stats_s > 0) {
		struct timeval tv = { run.stats_s, 0 };

		stats = event_new(base, -1, EV_PERSIST, policyd_stats_cb, &run);
		event_add(stats, &tv);
	}
	{
		char msg[600];
		size_t i;
		int k = snprintf(msg, sizeof(msg), "listening on");

		for (i = 0; i < pc.nlisten && k > 0 && (size_t)k < sizeof(msg); i++)
			k += snprintf(msg + k, sizeof(msg) - (size_t)k, " %s", pc.listen[i]);
		if (k > 0 && (size_t)k < sizeof(msg))
			snprintf(msg + k, sizeof(msg) - (size_t)k, " (map %s, cache %s)", pc.map_name,
			    pc.cache_file ? pc.cache_file : "in memory only");
		policyd_log(&run, LOG_INFO, msg);
	}
	event_base_dispatch(base);
	policyd_stats_cb(-1, 0, &run);
out:
	if (stats)
		event_free(stats);
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	if (sighup)
		event_free(sighup);
	policyd_free(run.pd);
	policy_pins_free(run.pins);
	http_client_free(http);
	resolver_free(res);
	if (base)
		event_base_free(base);
	return ret;
}
