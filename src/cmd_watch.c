/*
 * cmd_watch.c — `mailtls watch LIST [--every DURATION | --once] [options]`: scan LIST into the
 * store as a new run (mailtls scan --new, run as a child process so that a crash or a kill of
 * one round never leaves the watcher half-way), then print only what changed against each
 * domain's previous result (mailtls changes --since <the run before>).  --once is for cron;
 * --every repeats until SIGINT/SIGTERM.  Options of scan pass through unchanged.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "store/store.h"
#include "util/xalloc.h"

static volatile sig_atomic_t watch_stop;

static void
watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* 30, 30s, 15m, 6h, 1d → seconds; -1 when malformed */
static long
watch_duration(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || v <= 0 || end == s)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v;
	if (strcmp(end, "m") == 0)
		return v <= 525600 ? v * 60 : -1;
	if (strcmp(end, "h") == 0)
		return v <= 8760 ? v * 3600 : -1;
	if (strcmp(end, "d") == 0)
		return v <= 365 ? v * 86400 : -1;
	return -1;
}

/* the scan options that take no value (every other --option of scan takes one) */
static int
watch_noarg(const char *a)
{
	static const char *const noarg[] = { "--resume", "--new", "--jsonl", "--quick", "--csv",
	    "--plain", "--progress", "--no-progress", "--quiet", "--full", NULL };
	int i;

	for (i = 0; noarg[i] != NULL; i++)
		if (strcmp(a, noarg[i]) == 0)
			return 1;
	return 0;
}

static int64_t
watch_latest(const char *db)
{
	char err[512];
	struct store *st;
	int64_t run = 0;

	if (access(db, F_OK) != 0 && strncmp(db, "postgres", 8) != 0)
		return 0;
	/* PostgreSQL: opened for writing, which makes the store in an empty database (the scan
	 * that follows would anyway) */
	if ((st = store_open(db, strncmp(db, "postgres", 8) != 0, err, sizeof(err))) == NULL)
		return -1;
	if (store_run_latest(st, &run) < 0)
		run = -1;
	store_close(st);
	return run;
}

/* mailtls scan --new --quiet --no-progress ARGS...; its exit status, or -1 */
static int
watch_scan(char **args, int nargs)
{
	char **av = xcalloc((size_t)nargs + 6, sizeof(*av));
	int i, n = 0, status;
	pid_t pid;

	av[n++] = "mailtls";
	av[n++] = "scan";
	av[n++] = "--new";
	av[n++] = "--quiet";
	av[n++] = "--no-progress";
	for (i = 0; i < nargs; i++)
		av[n++] = args[i];
	av[n] = NULL;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		free(av);
		return -1;
	}
	if (pid == 0) {
		execv("/proc/self/exe", av);
		fprintf(stderr, "mailtls: watch: cannot run scan: %s\n", strerror(errno));
		_exit(127);
	}
	free(av);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
cmd_watch(int argc, char **argv)
{
	char **scan_args = xcalloc((size_t)argc + 1, sizeof(*scan_args));
	const char *db = STORE_DEFAULT_DB, *list = NULL, *copt[12];
	char since[32];
	long every = 0;
	int i, nscan = 0, nc = 0, once = 0, rc = EXIT_OK, src;
	int64_t before;
	struct sigaction sa;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has = i + 1 < argc;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			free(scan_args);
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--every") == 0) {
			if (!has || (every = watch_duration(argv[i + 1])) < 0) {
				free(scan_args);
				return cli_usage_error("--every wants a duration (30s, 15m, 6h, 1d), "
				    "not '%s'", has ? argv[i + 1] : "");
			}
			i++;
		} else if (strcmp(a, "--once") == 0)
			once = 1;
		else if ((strcmp(a, "--expiry-days") == 0 || strcmp(a, "--fail-on") == 0) && has) {
			if (nc < 8) {
				copt[nc++] = a;
				copt[nc++] = argv[++i];
			}
		} else if (strcmp(a, "--json") == 0 || strcmp(a, "--color") == 0 ||
		    strcmp(a, "--no-color") == 0) {
			if (nc < 10)
				copt[nc++] = a;
		} else if (strcmp(a, "--db") == 0 && has) {
			db = argv[i + 1];
			scan_args[nscan++] = argv[i++];
			scan_args[nscan++] = argv[i];
		} else if (a[0] == '-' && a[1] != '\0') {
			scan_args[nscan++] = argv[i];	/* a scan option; its value follows */
			if (a[1] == '-' && strchr(a, '=') == NULL && has && !watch_noarg(a))
				scan_args[nscan++] = argv[++i];
		} else if (list == NULL) {
			list = a;
			scan_args[nscan++] = argv[i];
		} else {
			free(scan_args);
			return cli_usage_error("watch takes one LIST, not also '%s'", a);
		}
	}
	if (list == NULL) {
		free(scan_args);
		return cli_usage_error("watch wants a LIST of domains (a file)");
	}
	if (once && every > 0) {
		free(scan_args);
		return cli_usage_error("--once and --every exclude each other");
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (;;) {
		char *cav[16];
		int n = 0, k;

		if ((before = watch_latest(db)) < 0) {
			fprintf(stderr, "mailtls: watch: %s cannot be read\n", db);
			rc = EXIT_USAGE;
			break;
		}
		src = watch_scan(scan_args, nscan);
		if (src != 0) {
			fprintf(stderr, "mailtls: watch: the scan %s (exit %d)\n", src == 2 ?
			    "refused its options" : "did not finish", src);
			rc = src == 2 ? EXIT_USAGE : EXIT_UNREACHABLE;
			if (src == 2 || every == 0 || watch_stop)
				break;
		} else {
			snprintf(since, sizeof(since), "%lld", (long long)before);
			cav[n++] = "changes";
			cav[n++] = "--db";
			cav[n++] = (char *)db;
			cav[n++] = "--since";
			cav[n++] = since;
			for (k = 0; k < nc; k++)
				cav[n++] = (char *)copt[k];
			cav[n] = NULL;
			rc = cmd_changes(n, cav);
			fflush(stdout);
		}
		if (every == 0 || watch_stop)
			break;
		for (long s = 0; s < every && !watch_stop; s++)
			sleep(1);
		if (watch_stop)
			break;
	}
	free(scan_args);
	return rc;
}
