/*
 * cmd_scan.c — `mailtls scan [FILE|-]`: a list of domains, checked thousands at a time, stored
 * in a database, resumable.  The work is lib/sched/scanrun.c; this is the command line.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <jansson.h>

#include "check/check.h"
#include "cli.h"
#include "dns/resolver.h"
#include "sched/fullpool.h"
#include "sched/scanrun.h"
#include "store/store.h"
#include "tls/tls.h"

enum {
	OPT_DB = 256, OPT_RESUME, OPT_NEW, OPT_JSONL, OPT_QUICK, OPT_MAX_DOMAINS, OPT_MAX_PROBES,
	OPT_PER_IP, OPT_IP_SPACING, OPT_RETRIES, OPT_RETRY_DELAY, OPT_DNS_RATE, OPT_CACHE, OPT_CSV,
	OPT_PLAIN, OPT_DOMAIN_COL, OPT_RANK_COL, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_QUIET,
	OPT_WORKER, OPT_ENQUEUE_ONLY, OPT_LEASE, OPT_BATCH, OPT_FULL_THREADS
};

#define SCAN_LEASE_DEFAULT_MS	60000	/* docs/internals/scale-out.md */
#define SCAN_BATCH_DEFAULT	50

static volatile sig_atomic_t scan_stop;
static int scan_tty;	/* stderr is a terminal: the progress line is cleared first */

static void
scan_signal(evutil_socket_t sig, short what, void *arg)
{
	struct event_base *base = arg;

	(void)what;
	scan_stop++;
	if (scan_stop == 1)
		fprintf(stderr, "%smailtls: %s: finishing the domains in flight (again to stop "
		    "at once; either way the run can be resumed)\n", scan_tty ? "\r\033[K" : "",
		    sig == SIGINT ? "interrupted" :
		    "terminated");
	else
		event_base_loopbreak(base);
}

static long
scan_count(const char *s, const char *opt, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		exit(cli_usage_error("%s wants a whole number from %ld to %ld, not '%s'", opt, lo, hi,
		    s));
	return v;
}

static double
scan_rate(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || !(v >= 0) || v > 1e6)
		exit(cli_usage_error("--dns-rate wants lookups per second (0 to 1000000), not '%s'",
		    s));
	return v;
}

int
cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "new", no_argument, NULL, OPT_NEW },
		{ "jsonl", no_argument, NULL, OPT_JSONL },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "max-domains", required_argument, NULL, OPT_MAX_DOMAINS },
		{ "max-probes", required_argument, NULL, OPT_MAX_PROBES },
		{ "per-ip", required_argument, NULL, OPT_PER_IP },
		{ "ip-spacing", required_argument, NULL, OPT_IP_SPACING },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "retry-delay", required_argument, NULL, OPT_RETRY_DELAY },
		{ "dns-rate", required_argument, NULL, OPT_DNS_RATE },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "plain", no_argument, NULL, OPT_PLAIN },
		{ "domain-column", required_argument, NULL, OPT_DOMAIN_COL },
		{ "rank-column", required_argument, NULL, OPT_RANK_COL },
		CLI_DOMAIN_LONGOPTS,
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "worker", no_argument, NULL, OPT_WORKER },
		{ "enqueue-only", no_argument, NULL, OPT_ENQUEUE_ONLY },
		{ "lease", required_argument, NULL, OPT_LEASE },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "ca-path", required_argument, NULL, 'D' },
		{ "ehlo", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 't' },
		{ "connect-timeout", required_argument, NULL, 'c' },
		{ "reply-timeout", required_argument, NULL, 'r' },
		{ "tls-timeout", required_argument, NULL, 'T' },
		{ "full", no_argument, NULL, 'F' },
		{ "full-threads", required_argument, NULL, OPT_FULL_THREADS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common co;
	struct cli_domain_env de;
	struct scanrun_config sc;
	struct scanrun_stats st;
	struct store_run run;
	struct store *store = NULL;
	struct tls_client *tls = NULL;
	struct fullpool *pool = NULL;
	struct fullpool_config fpc;
	struct event *sigint = NULL, *sigterm = NULL;
	enum store_open_mode mode = STORE_RUN_AUTO;
	const char *db = STORE_DEFAULT_DB, *input = NULL, *rest;
	char err[512], inpath[PATH_MAX], options[1024], shown[512];
	double dns_rate = 5000;
	int ch, progress = -1, quiet = 0, ret = EXIT_OK, r, worker = 0, enqueue_only = 0;
	char worker_id[300], host[256];
	FILE *in = NULL;
	json_t *opt;
	char *opts;

	memset(&sc, 0, sizeof(sc));
	memset(&fpc, 0, sizeof(fpc));
	fpc.threads = FULLPOOL_THREADS_DEFAULT;
	cli_common_init(&co);
	cli_domain_init(&de);
	sc.max_domains = SCANRUN_INFLIGHT_DEFAULT;
	sc.domain_col = -1;
	sc.rank_col = -1;
	sc.sched.max_inflight = 256;
	sc.sched.per_ip = 1;
	sc.sched.spacing_ms = 50;
	sc.sched.retries = 2;
	sc.sched.retry_ms = 15000;
	sc.sched.cache_max = 10000;
	scan_stop = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB: db = optarg; break;
		case OPT_RESUME: mode = STORE_RUN_RESUME; break;
		case OPT_NEW: mode = STORE_RUN_NEW; break;
		case OPT_JSONL: sc.jsonl = stdout; break;
		case OPT_QUICK: sc.check.dns_only = 1; break;
		case OPT_MAX_DOMAINS:
			sc.max_domains = (int)scan_count(optarg, "--max-domains", 1, 100000);
			break;
		case OPT_MAX_PROBES:
			sc.sched.max_inflight = (int)scan_count(optarg, "--max-probes", 1, 10000);
			break;
		case OPT_PER_IP: sc.sched.per_ip = (int)scan_count(optarg, "--per-ip", 1, 4); break;
		case OPT_IP_SPACING:
			sc.sched.spacing_ms = strcmp(optarg, "0") == 0 ? 0 :
			    cli_secs(optarg, "--ip-spacing");
			break;
		case OPT_RETRIES: sc.sched.retries = (int)scan_count(optarg, "--retries", 0, 10); break;
		case OPT_RETRY_DELAY: sc.sched.retry_ms = cli_secs(optarg, "--retry-delay"); break;
		case OPT_DNS_RATE: dns_rate = scan_rate(optarg); break;
		case OPT_CACHE:
			sc.sched.cache_max = (size_t)scan_count(optarg, "--cache", 0, 10000000);
			break;
		case OPT_CSV: sc.format = SCANIN_CSV; break;
		case OPT_PLAIN: sc.format = SCANIN_PLAIN; break;
		case OPT_DOMAIN_COL:
			sc.domain_col = (int)scan_count(optarg, "--domain-column", 1, SCANIN_COLS_MAX) - 1;
			sc.format = SCANIN_CSV;
			break;
		case OPT_RANK_COL:
			r = (int)scan_count(optarg, "--rank-column", 0, SCANIN_COLS_MAX);
			sc.rank_col = r == 0 ? -2 : r - 1;
			break;
		case OPT_PROGRESS: progress = 1; break;
		case OPT_NO_PROGRESS: progress = 0; break;
		case OPT_QUIET: case 'q': quiet = 1; break;
		case OPT_WORKER: worker = 1; break;
		case OPT_ENQUEUE_ONLY: enqueue_only = 1; break;
		case OPT_LEASE:
			if ((sc.lease_ms = cli_secs(optarg, "--lease")) < 1000)
				return cli_usage_error("--lease wants 1 second at least, not '%s'",
				    optarg);
			break;
		case OPT_BATCH: sc.batch = (size_t)scan_count(optarg, "--batch", 1, 512); break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'F': co.full = 1; break;
		case OPT_FULL_THREADS:
			fpc.threads = (int)scan_count(optarg, "--full-threads", 1, FULLPOOL_THREADS_MAX);
			break;
		default:
			if (!cli_domain_opt(&de, ch, optarg) && !cli_common_opt(&co, ch, optarg))
				return cli_opt_error(argc, argv, longopts);
		}
	}
	if (co.full && sc.check.dns_only)
		return cli_usage_error("--full and --quick exclude each other");
	if (argc - optind > 1)
		return cli_usage_error("scan takes one list (FILE or -), not also '%s'",
		    argv[optind + 1]);
	if (store_kind(db, &rest) == STORE_KIND_PGSQL) {
		/* the shared queue: the list is queued, then worked on (docs/internals/scale-out.md) */
		if (worker && (argc - optind != 0 || enqueue_only || mode != STORE_RUN_AUTO))
			return cli_usage_error("scan --worker takes no FILE, --enqueue-only, --resume "
			    "or --new: it works on the newest unfinished run of the database");
		if (worker)
			mode = STORE_RUN_RESUME;
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "?");
		host[sizeof(host) - 1] = '\0';
		snprintf(worker_id, sizeof(worker_id), "%s:%ld", host, (long)getpid());
		sc.worker = worker_id;
		sc.enqueue_only = enqueue_only;
		if (sc.lease_ms == 0)
			sc.lease_ms = SCAN_LEASE_DEFAULT_MS;
		if (sc.batch == 0)
			sc.batch = SCAN_BATCH_DEFAULT;
	} else if (worker || enqueue_only || sc.lease_ms || sc.batch)
		return cli_usage_error("--worker, --enqueue-only, --lease and --batch want a "
		    "PostgreSQL database (--db postgresql://...)");
	if (argc - optind == 1)
		input = argv[optind];
	else if (mode != STORE_RUN_RESUME)
		return cli_usage_error("scan wants a FILE of domains (or - for standard input)");
	if (mode == STORE_RUN_RESUME && argc - optind == 0)
		input = NULL;	/* the newest unfinished run, whatever its input */
	if (input != NULL && strcmp(input, "-") != 0) {
		if (access(input, R_OK) != 0 || realpath(input, inpath) == NULL)
			return cli_usage_error("cannot read '%s'", input);
		input = inpath;
	}
	scan_tty = isatty(STDERR_FILENO);
	if (progress < 0)
		progress = scan_tty;

	/* what shapes the results: a resumed run must go on with the same */
	opt = json_pack("{s:b, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:s?, s:s?}",
	    "quick", sc.check.dns_only, "resolver", de.rc.forwarder, "trust_anchor",
	    de.rc.trust_anchor_file, "dns_timeout_ms", (json_int_t)de.rc.timeout_ms,
	    "http_timeout_ms", (json_int_t)de.http_ms, "timeout_ms", (json_int_t)co.total_ms,
	    "connect_ms", (json_int_t)co.connect_ms, "reply_ms", (json_int_t)co.reply_ms, "tls_ms",
	    (json_int_t)co.tls_ms, "ehlo", co.ehlo, "ca_file", co.tc.ca_file, "ca_path",
	    co.tc.ca_path);
	if (co.full)	/* only when given: runs started before --full existed still resume */
		json_object_set_new(opt, "full", json_true());
	opts = json_dumps(opt, JSON_COMPACT | JSON_SORT_KEYS);
	snprintf(options, sizeof(options), "%s", opts ? opts : "{}");
	free(opts);
	json_decref(opt);

	store_display(db, shown, sizeof(shown));
	if ((store = store_open(db, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		return EXIT_USAGE;
	}
	if (store_run_open(store, mode, input, options, &run) < 0) {
		if (worker) {
			/* nothing queued (or every run finished): a worker has nothing to do */
			if (!quiet)
				fprintf(stderr, "mailtls: %s: no unfinished run: nothing to do\n", shown);
			store_close(store);
			return EXIT_OK;
		}
		fprintf(stderr, "mailtls: %s: %s\n", shown, store_error(store));
		store_close(store);
		return EXIT_USAGE;
	}
	if (run.resumed && strcmp(run.options, options) != 0) {
		fprintf(stderr, "mailtls: run %lld of %s was started with other options (%s); give "
		    "the same options to resume it, or --new\n", (long long)run.id, run.input,
		    run.options);
		store_close(store);
		return EXIT_USAGE;
	}
	if (!run.input_eof && !worker) {
		if (strcmp(run.input, "-") == 0)
			in = stdin;
		else if ((in = fopen(run.input, "r")) == NULL) {
			fprintf(stderr, "mailtls: cannot read '%s'\n", run.input);
			store_close(store);
			return EXIT_USAGE;
		}
	}
	if (!quiet && worker)
		fprintf(stderr, "mailtls: worker %s on run %lld of %s\n", sc.worker,
		    (long long)run.id, strcmp(run.input, "-") ? run.input : "standard input");
	else if (!quiet)
		fprintf(stderr, "mailtls: %s run %lld of %s into %s\n", run.resumed ? "resuming" :
		    "starting", (long long)run.id, strcmp(run.input, "-") ? run.input :
		    "standard input", shown);

	/* enumerations run on threads (fullpool.h): libevent's locks before the first loop */
	if (co.full && evthread_use_pthreads() < 0) {
		fprintf(stderr, "mailtls: libevent has no thread support\n");
		ret = EXIT_USAGE;
		goto out;
	}
	/* the loop, the resolver (it forks its helper first) and the HTTPS client */
	if ((ret = cli_domain_open(&de, &co)) != EXIT_OK)
		goto out;
	if (sc.worker != NULL) {
		/*
		 * The resolver's helper process got a copy of the database connection: open another,
		 * so that when this process dies its session (and the per-address slots it holds)
		 * ends at once, whatever the helper does (docs/internals/scale-out.md).
		 */
		store_close(store);
		if ((store = store_open(db, 0, err, sizeof(err))) == NULL) {
			fprintf(stderr, "mailtls: %s\n", err);
			ret = EXIT_UNREACHABLE;
			goto out;
		}
	}
	/* under libunbound's num-queries-per-thread (1024): more would come back as SERVFAIL */
	resolver_set_limits(de.res, dns_rate, 800);
	if (!sc.check.dns_only && (tls = tls_client_new(&co.tc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	sigint = evsignal_new(de.base, SIGINT, scan_signal, de.base);
	sigterm = evsignal_new(de.base, SIGTERM, scan_signal, de.base);
	event_add(sigint, NULL);
	event_add(sigterm, NULL);

	sc.base = de.base;
	sc.resolver = de.res;
	sc.http = de.http;
	sc.tls = tls;
	sc.store = store;
	sc.run = run.id;
	sc.input = in;
	sc.input_name = strcmp(run.input, "-") ? run.input : "-";
	sc.input_offset = run.input_offset;
	sc.input_line = run.input_line;
	sc.progress = progress;
	sc.quiet = quiet;
	sc.stop = &scan_stop;
	/* deadlines, EHLO, loop, resolver, HTTP (the scheduler's prober makes the probe limits moot) */
	cli_check_config(&sc.check, &co, &de);
	sc.check.tls = tls;
	sc.check.sts_addr_lazy = 1;	/* throughput over one round trip (scan.md, DNS) */
	sc.sched.base = de.base;
	if (co.full) {
		/*
		 * Each unique endpoint enumerated once, on a worker thread, holding as many of its
		 * address's --per-ip connections as it has lanes; its lanes space their connections
		 * by --ip-spacing and back off from --retry-delay (docs/internals/scan.md).
		 */
		sc.sched.full_weight = sc.sched.per_ip < SCAN_LANES_MAX ? sc.sched.per_ip :
		    SCAN_LANES_MAX;
		/* the per-address slots shared between workers are one per entry: one lane */
		if (sc.worker != NULL)
			sc.sched.full_weight = 1;
		fpc.base = de.base;
		fpc.fo.spacing_ms = sc.sched.spacing_ms;
		fpc.fo.backoff_ms = sc.sched.retry_ms;
		if ((pool = fullpool_new(&fpc, err, sizeof(err))) == NULL) {
			fprintf(stderr, "mailtls: %s\n", err);
			ret = EXIT_USAGE;
			goto out;
		}
		sc.sched.start_full = fullpool_start;
		sc.sched.start_full_arg = pool;
	}

	r = scanrun_run(&sc, &st);
	if (r == 0 && enqueue_only) {
		if (!quiet)
			fprintf(stderr, "mailtls: run %lld: %lld domains queued (%lld input errors, "
			    "%lld duplicates); start workers: mailtls scan --db URI --worker\n",
			    (long long)run.id, st.total, st.input_errors, st.duplicates);
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "mailtls: %s: %s (the run stays resumable)\n", shown, st.store_error);
		ret = EXIT_UNREACHABLE;
	} else if (r > 0) {
		fprintf(stderr, "mailtls: run %lld stopped: %lld of %lld domains stored; run the same "
		    "command again to resume\n", (long long)run.id, st.total_done, st.total);
		ret = EXIT_UNREACHABLE;
	}
	if (!quiet || r != 0) {
		fprintf(stderr, "mailtls: run %lld: %lld domains stored this session in %.1f s "
		    "(%.0f/s); %zu probes for %zu requests (%zu shared, %zu retries); %lld input "
		    "errors, %lld duplicates; %lld of %lld domains of the run stored in %s\n",
		    (long long)run.id, st.done, st.seconds, st.seconds > 0 ? (double)st.done /
		    st.seconds : 0.0, st.sched.attempts, st.sched.requests, st.sched.hits,
		    st.sched.retries, st.input_errors, st.duplicates, st.total_done, st.total, shown);
		if (co.full)
			fprintf(stderr, "mailtls: run %lld: %zu endpoints enumerated for %zu requests "
			    "(--full)\n", (long long)run.id, st.sched.full_entries,
			    st.sched.full_requests);
		if (getenv("MAILTLS_SCAN_STATS") != NULL)
			fprintf(stderr, "mailtls: stats: max_inflight=%zu arena_max=%zu "
			    "arena_mean=%zu sched_mem_max=%zu entries=%zu evicted=%zu "
			    "max_inflight_ip=%zu temp_failures=%zu slot_busy=%zu claims=%lld "
			    "waits=%lld\n", st.max_inflight, st.arena_max,
			    st.done ? st.arena_sum / (size_t)st.done : 0, st.sched_mem_max,
			    st.sched.entries, st.sched.evicted, st.sched.max_inflight_ip,
			    st.sched.temp_failures, st.sched.slot_busy, st.claims, st.waits);
	}
out:
	/* a worker still enumerating (stopped at once) keeps the SSL_CTX until the exit */
	if (fullpool_free(pool) > 0)
		tls = NULL;
	if (sigint)
		event_free(sigint);
	if (sigterm)
		event_free(sigterm);
	if (in != NULL && in != stdin)
		fclose(in);
	tls_client_free(tls);
	cli_domain_close(&de);
	store_close(store);
	return ret;
}
