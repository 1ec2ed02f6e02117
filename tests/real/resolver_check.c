/*
 * resolver_check.c — look names up through lib/dns/resolver and print one line per query, for
 * tests/unit/resolver-lab.sh.
 *
 * usage: resolver_check [-f ADDR[@PORT] | -f silent] [-a ANCHORFILE] [-t MS] [-c UNBOUND.CONF]
 *            NAME/TYPE ...
 *   TYPE is A AAAA MX TXT CNAME TLSA or a number.  "-f silent" forwards to a UDP socket of our
 *   own that never answers, to see the deadline.  All queries run at once in one event loop;
 *   the lines come out in argument order:
 *
 *   NAME TYPE STATUS RCODE [nxdomain] [timeout] [canon=NAME] [RR ...] [why=TEXT TO END OF LINE]
 *
 *   RR: A/AAAA as text, MX as PREF:NAME, CNAME as NAME, TXT as "..." (non-printables \DDD),
 *   others as #LEN; an RDATA that does not decode as !STATUS.
 *   Exit status: 0 when every query got an answer, 1 on a usage or set-up error.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "dns/rdata.h"
#include "dns/resolver.h"

#define CHECK_LINE_MAX	8192

struct check_query {
	char	 name[1024];
	int	 type;
	char	*line;		/* the printed answer, once it came */
};

struct check_state {
	struct check_query	*q;
	size_t			 nq;
	size_t			 answered;
};

static const struct {
	const char	*name;
	int		 type;
} check_types[] = {
	{ "A", RESOLVER_T_A },
	{ "AAAA", RESOLVER_T_AAAA },
	{ "MX", RESOLVER_T_MX },
	{ "TXT", RESOLVER_T_TXT },
	{ "CNAME", RESOLVER_T_CNAME },
	{ "TLSA", RESOLVER_T_TLSA },
};

static const char *
check_type_name(int type, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof(check_types) / sizeof(check_types[0]); i++)
		if (check_types[i].type == type)
			return check_types[i].name;
	snprintf(buf, size, "TYPE%d", type);
	return buf;
}

static int
check_type_parse(const char *s)
{
	size_t i;
	char *end;
	long v;

	for (i = 0; i < sizeof(check_types) / sizeof(check_types[0]); i++)
		if (strcasecmp(check_types[i].name, s) == 0)
			return check_types[i].type;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

static const char *
check_rcode_name(int rcode, char *buf, size_t size)
{
	switch (rcode) {
	case 0:
		return "noerror";
	case 2:
		return "servfail";
	case 3:
		return "nxdomain";
	case 5:
		return "refused";
	default:
		snprintf(buf, size, "rcode%d", rcode);
		return buf;
	}
}

/* Appends to a line with a ceiling; a cut line ends in "...". */
static void
check_add(char *line, const char *fmt, ...)
{
	size_t len = strlen(line);
	va_list ap;
	int n;

	if (len >= CHECK_LINE_MAX - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line + len, CHECK_LINE_MAX - len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= CHECK_LINE_MAX - len)
		memcpy(line + CHECK_LINE_MAX - 4, "...", 4);
}

static void
check_add_rr(char *line, int type, const unsigned char *rd, size_t len)
{
	char buf[RDATA_NAME_TEXT_MAX], txt[65536];
	enum rdata_status s;
	uint16_t pref;
	size_t tlen, i;

	switch (type) {
	case RESOLVER_T_A:
		s = rdata_a(rd, len, buf, sizeof(buf));
		if (s == RDATA_OK)
			check_add(line, " %s", buf);
		break;
	case RESOLVER_T_AAAA:
		s = rdata_aaaa(rd, len, buf, sizeof(buf));
		if (s == RDATA_OK)
			check_add(line, " %s", buf);
		break;
	case RESOLVER_T_MX:
		s = rdata_mx(rd, len, &pref, buf, sizeof(buf));
		if (s == RDATA_OK)
			check_add(line, " %u:%s", (unsigned int)pref, buf);
		break;
	case RESOLVER_T_CNAME:
		s = rdata_cname(rd, len, buf, sizeof(buf));
		if (s == RDATA_OK)
			check_add(line, " %s", buf);
		break;
	case RESOLVER_T_TXT:
		s = rdata_txt(rd, len, txt, sizeof(txt), &tlen);
		if (s == RDATA_OK) {
			check_add(line, " \"");
			for (i = 0; i < tlen; i++) {
				unsigned char c = (unsigned char)txt[i];

				if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
					check_add(line, "\\%03u", (unsigned int)c);
				else
					check_add(line, "%c", c);
			}
			check_add(line, "\"");
		}
		break;
	default:
		check_add(line, " #%zu", len);
		return;
	}
	if (s != RDATA_OK)
		check_add(line, " !%s", rdata_status_name(s));
}

static void
check_done(void *arg, const struct resolver_answer *a)
{
	struct check_query *q = arg;
	char tbuf[16], rbuf[16];
	size_t i;

	q->line = calloc(1, CHECK_LINE_MAX);
	if (q->line == NULL)
		abort();
	check_add(q->line, "%s %s %s %s", a->qname, check_type_name(a->qtype, tbuf, sizeof(tbuf)),
	    resolver_status_name(a->status), check_rcode_name(a->rcode, rbuf, sizeof(rbuf)));
	if (a->nxdomain)
		check_add(q->line, " nxdomain");
	if (a->timed_out)
		check_add(q->line, " timeout");
	if (a->canonname != NULL)
		check_add(q->line, " canon=%s", a->canonname);
	for (i = 0; i < a->n; i++)
		check_add_rr(q->line, a->qtype, a->rdata[i], a->rdlen[i]);
	if (a->error != NULL)
		check_add(q->line, " error=%s", a->error);
	if (a->why_bogus != NULL)
		check_add(q->line, " why=%s", a->why_bogus);
}

/* A loopback UDP socket that takes queries and never answers; its port goes into fwd. */
static int
check_silent_forwarder(char *fwd, size_t size)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) != 0) {
		close(fd);
		return -1;
	}
	snprintf(fwd, size, "127.0.0.1@%u", (unsigned int)ntohs(sin.sin_port));
	return fd;
}

static void
check_usage(void)
{
	fprintf(stderr, "usage: resolver_check [-f ADDR[@PORT]|silent] [-a ANCHORS] [-t MS] "
	    "[-c CONF] NAME/TYPE ...\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	struct resolver_config cfg;
	struct event_base *base;
	struct resolver *r;
	struct check_query *qs;
	char err[256], fwd[64], *slash;
	int c, i, silent = -1, rc = 0;
	size_t n;

	memset(&cfg, 0, sizeof(cfg));
	while ((c = getopt(argc, argv, "f:a:t:c:")) != -1) {
		switch (c) {
		case 'f':
			cfg.forwarder = optarg;
			break;
		case 'a':
			cfg.trust_anchor_file = optarg;
			break;
		case 'c':
			cfg.config_file = optarg;
			break;
		case 't':
			cfg.timeout_ms = strtol(optarg, NULL, 10);
			break;
		default:
			check_usage();
		}
	}
	if (optind >= argc)
		check_usage();
	if (cfg.forwarder == NULL) {
		/* This tool only ever talks to loopback. */
		fprintf(stderr, "resolver_check: -f is required (no full recursion in tests)\n");
		return 1;
	}
	if (strcmp(cfg.forwarder, "silent") == 0) {
		if ((silent = check_silent_forwarder(fwd, sizeof(fwd))) < 0) {
			perror("resolver_check: silent forwarder");
			return 1;
		}
		cfg.forwarder = fwd;
	}
	n = (size_t)(argc - optind);
	if ((qs = calloc(n, sizeof(*qs))) == NULL)
		return 1;
	for (i = optind; i < argc; i++) {
		struct check_query *q = &qs[i - optind];

		slash = strrchr(argv[i], '/');
		if (slash == NULL || (size_t)(slash - argv[i]) >= sizeof(q->name) ||
		    (q->type = check_type_parse(slash + 1)) < 0) {
			fprintf(stderr, "resolver_check: %s: want NAME/TYPE\n", argv[i]);
			return 1;
		}
		memcpy(q->name, argv[i], (size_t)(slash - argv[i]));
	}

	if ((base = event_base_new()) == NULL)
		return 1;
	if ((r = resolver_new(base, &cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "resolver_check: %s\n", err);
		return 1;
	}
	for (i = 0; (size_t)i < n; i++) {
		if (resolver_query(r, qs[i].name, qs[i].type, check_done, &qs[i]) < 0) {
			fprintf(stderr, "resolver_check: %s: query refused\n", qs[i].name);
			rc = 1;
		}
	}
	/* The loop ends by itself: an idle resolver registers no event. */
	event_base_dispatch(base);
	if (resolver_pending(r) != 0) {
		fprintf(stderr, "resolver_check: loop ended with %zu queries pending\n",
		    resolver_pending(r));
		rc = 1;
	}
	for (i = 0; (size_t)i < n; i++) {
		if (qs[i].line == NULL) {
			printf("%s - noanswer\n", qs[i].name);
			rc = 1;
		} else {
			printf("%s\n", qs[i].line);
		}
		free(qs[i].line);
	}
	resolver_free(r);
	event_base_free(base);
	if (silent >= 0)
		close(silent);
	free(qs);
	return rc;
}
