/*
 * http_check.c — fetch URLs with lib/net/http.c, all at once on one event loop, and print one
 * line per URL (in argument order) for tests/real/http-lab.sh to judge:
 *
 *   URL status=200 type=text/plain len=81 ms=12 flags=ok policy=ok mode=enforce mx=2
 *   URL status=0 type=- len=0 ms=1501 flags=timed_out error="Operation timed out ..."
 *
 * flags: comma-separated ok, too_big, redirected, tls_failed, timed_out (or "-").
 * policy=: the body through mtasts_policy_parse(), printed when the transfer completed with 200.
 *
 * usage: http_check [--ca CAFILE] [--ip ADDR] [--timeout MS] [--max-body N] URL...
 * Exit 0 when every URL got a result (whatever it was), 1 on an internal error, 2 on usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dns/mtasts.h"
#include "net/http.h"
#include "util/arena.h"

struct check {
	const char	*url;
	char		*line;		/* result line, malloc'd */
	int		*left;
	struct event_base *base;
};

static void
check_usage(void)
{
	fprintf(stderr, "usage: http_check [--ca CAFILE] [--ip ADDR] [--timeout MS] "
	    "[--max-body N] URL...\n");
	exit(2);
}

/* Appends to a fixed line buffer; truncates silently. */
static void
check_add(char *buf, size_t size, const char *fmt, const char *s)
{
	size_t n = strlen(buf);

	if (n < size)
		snprintf(buf + n, size - n, fmt, s);
}

static void
check_flag(char *flags, size_t size, int on, const char *name)
{
	if (!on)
		return;
	check_add(flags, size, flags[0] ? ",%s" : "%s", name);
}

/* The error text on one line, without double quotes. */
static void
check_clean(char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\n' || *s == '\r')
			*s = ' ';
}

static void
check_done(void *arg, const struct http_result *r)
{
	struct check *c = arg;
	struct mtasts_policy pol;
	struct arena *a;
	enum mtasts_status st;
	char flags[128] = "", tail[1024] = "", err[512];
	char line[2048];

	check_flag(flags, sizeof(flags), r->ok, "ok");
	check_flag(flags, sizeof(flags), r->body_too_big, "too_big");
	check_flag(flags, sizeof(flags), r->redirected, "redirected");
	check_flag(flags, sizeof(flags), r->tls_failed, "tls_failed");
	check_flag(flags, sizeof(flags), r->timed_out, "timed_out");
	if (r->location)
		check_add(tail, sizeof(tail), " location=%s", r->location);
	if (r->ok && r->status == 200) {
		a = arena_new();
		st = mtasts_policy_parse((const char *)r->body, r->body_len, a, &pol);
		check_add(tail, sizeof(tail), " policy=%s", mtasts_status_name(st));
		if (st == MTASTS_OK) {
			check_add(tail, sizeof(tail), " mode=%s", mtasts_mode_name(pol.mode));
			snprintf(line, sizeof(line), "%zu", pol.nmx);
			check_add(tail, sizeof(tail), " mx=%s", line);
		}
		arena_free(a);
	}
	if (r->error) {
		snprintf(err, sizeof(err), "%s", r->error);
		check_clean(err);
		check_add(tail, sizeof(tail), " error=\"%s\"", err);
	}
	snprintf(line, sizeof(line), "%s status=%ld type=%s len=%zu ms=%ld flags=%s%s",
	    c->url, r->status, r->content_type ? r->content_type : "-", r->body_len,
	    r->elapsed_ms, flags[0] ? flags : "-", tail);
	c->line = strdup(line);
	if (--*c->left == 0)
		event_base_loopbreak(c->base);
}

int
main(int argc, char **argv)
{
	struct http_request req;
	struct http_client *hc;
	struct event_base *base;
	struct check *checks;
	const char *ca = NULL, *ip = NULL;
	char err[256];
	int i, n, left, first, ret = 0;

	memset(&req, 0, sizeof(req));
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			check_usage();
		if (strcmp(argv[i], "--ca") == 0)
			ca = argv[++i];
		else if (strcmp(argv[i], "--ip") == 0)
			ip = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0)
			req.timeout_ms = atol(argv[++i]);
		else if (strcmp(argv[i], "--max-body") == 0)
			req.max_body = (size_t)strtoul(argv[++i], NULL, 10);
		else
			check_usage();
	}
	first = i;
	n = argc - first;
	if (n <= 0)
		check_usage();

	if ((base = event_base_new()) == NULL) {
		fprintf(stderr, "http_check: event_base_new failed\n");
		return 1;
	}
	if ((hc = http_client_new(base, ca, err, sizeof(err))) == NULL) {
		fprintf(stderr, "http_check: %s\n", err);
		event_base_free(base);
		return 1;
	}
	checks = calloc((size_t)n, sizeof(*checks));
	if (checks == NULL)
		return 1;
	left = n;
	req.connect_ip = ip;
	for (i = 0; i < n; i++) {
		checks[i].url = argv[first + i];
		checks[i].left = &left;
		checks[i].base = base;
		req.url = checks[i].url;
		if (http_get(hc, &req, check_done, &checks[i]) < 0) {
			fprintf(stderr, "http_check: %s: not started\n", req.url);
			left--;
			ret = 1;
		}
	}
	if (left > 0)
		event_base_dispatch(base);
	for (i = 0; i < n; i++) {
		if (checks[i].line) {
			printf("%s\n", checks[i].line);
			free(checks[i].line);
		}
	}
	free(checks);
	http_client_free(hc);
	event_base_free(base);
	return ret;
}
