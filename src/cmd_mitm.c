/*
 * cmd_mitm.c — `mailtls mitm`: does a mail client or sending MTA fall back to plaintext when an
 * attacker strips STARTTLS, refuses it, or presents a bad certificate?
 *
 * Gathers facts with lib/mitm/proxy.c, decides with lib/mitm/verdict.c, renders with
 * lib/mitm/report.c.  Binds loopback only unless --allow-remote; the only outgoing connection is
 * to --upstream.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/wait.h>

#include <event2/event.h>
#include <jansson.h>

#include "cli.h"
#include "mitm/attack.h"
#include "mitm/cert.h"
#include "mitm/proxy.h"
#include "mitm/report.h"
#include "mitm/verdict.h"
#include "net/sock.h"
#include "util/xalloc.h"

#define MITM_RECS_MAX		4096	/* connections judged in one session */
#define MITM_RUN_MS		60000
#define MITM_SESSION_MS		600000
#define MITM_GRACE_MS		3000	/* after a --run command exits, its connections may end */

struct mitm_cli {
	struct event_base	*base;
	struct mitm_server	*srv;
	enum mitm_attack	 plan[MITM_ATTACK_LAST];
	size_t			 nplan;
	enum mitm_attack	 current;	/* --run: the attack of the run under way */
	int			 per_run;
	unsigned		 max_conns;	/* 0: no limit */
	struct mitm_record	*recs;
	size_t			 nrecs;
	int			 stop;
};

static enum mitm_attack
mitm_choose(void *arg, unsigned id, const char *ip)
{
	struct mitm_cli *m = arg;

	if (m->stop || m->nrecs >= MITM_RECS_MAX)
		return MITM_ATTACK_LAST;
	if (m->per_run)
		return m->current;
	if (m->max_conns && id > m->max_conns)
		return MITM_ATTACK_LAST;
	return m->plan[(id - 1) % m->nplan];
}

static void
mitm_record(void *arg, const struct mitm_record *r)
{
	struct mitm_cli *m = arg;

	if (m->nrecs < MITM_RECS_MAX)
		m->recs[m->nrecs++] = *r;
	if (!m->per_run && m->max_conns && m->nrecs >= m->max_conns)
		event_base_loopexit(m->base, NULL);
}

static void
mitm_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mitm_cli *m = arg;

	m->stop = 1;
	event_base_loopexit(m->base, NULL);
}

static void
mitm_tick_cb(evutil_socket_t fd, short what, void *arg)
{
}

/* "ADDR:PORT", "[v6]:PORT" or "PORT" (then 127.0.0.1) into a literal and a port. */
static int
mitm_addr(const char *s, char *ip, size_t iplen, int *port, int need_literal)
{
	struct sock_target t;
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0') {
		if (v < 0 || v > 65535)
			return -1;
		snprintf(ip, iplen, "127.0.0.1");
		*port = (int)v;
		return 0;
	}
	if (sock_target_parse(s, &t) < 0 || t.port <= 0)
		return -1;
	if (!t.is_ip) {
		struct addrinfo hints, *res = NULL;

		if (need_literal)
			return -1;
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(t.host, NULL, &hints, &res) != 0 || res == NULL)
			return -2;
		if (res->ai_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip,
			    (socklen_t)iplen);
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, ip,
			    (socklen_t)iplen);
		freeaddrinfo(res);
	} else {
		snprintf(ip, iplen, "%.*s", (int)(iplen - 1), t.host);
	}
	*port = t.port;
	return 0;
}

static int
mitm_is_loopback(const char *ip)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, ip, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, ip, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/* "strip,cert.selfsigned" or "all" into the plan; a usage error names the bad word. */
static int
mitm_plan(struct mitm_cli *m, const char *list, enum mitm_proto proto)
{
	char buf[1024], *w, *save = NULL;
	int a, i;

	if (strcmp(list, "all") == 0) {
		for (i = 0; i < MITM_ATTACK_LAST; i++)
			if (mitm_attack_applies((enum mitm_attack)i, proto))
				m->plan[m->nplan++] = (enum mitm_attack)i;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (w = strtok_r(buf, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		if ((a = mitm_attack_by_name(w)) < 0)
			return cli_usage_error("--attack: unknown attack '%s' (mailtls mitm --list "
			    "names them)", w);
		if (!mitm_attack_applies((enum mitm_attack)a, proto))
			return cli_usage_error("--attack: '%s' does not apply to %s", w,
			    mitm_proto_name(proto));
		if (m->nplan < MITM_ATTACK_LAST)
			m->plan[m->nplan++] = (enum mitm_attack)a;
	}
	if (m->nplan == 0)
		return cli_usage_error("--attack wants at least one attack");
	return 0;
}

static long
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* --run: one command per attack, in its own process group, stdout folded into stderr. */
static int
mitm_run_one(struct mitm_cli *m, const char *cmd, enum mitm_attack a, int port, long run_ms)
{
	struct timeval tick = { 0, 100000 };
	struct event *tev = event_new(m->base, -1, EV_PERSIST, mitm_tick_cb, NULL);
	struct timespec t0, now, tdone = { 0, 0 };
	int status = -1, done = 0, fd;
	pid_t pid;
	char portbuf[16];

	m->current = a;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		perror("mailtls: fork");
		event_free(tev);
		return -1;
	}
	if (pid == 0) {
		setsid();
		if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		dup2(STDERR_FILENO, STDOUT_FILENO);
		snprintf(portbuf, sizeof(portbuf), "%d", port);
		setenv("MAILTLS_MITM_ATTACK", mitm_attack_name(a), 1);
		setenv("MAILTLS_MITM_PORT", portbuf, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	event_add(tev, &tick);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!m->stop) {
		pid_t w;

		event_base_loop(m->base, EVLOOP_ONCE);	/* the tick bounds each pass to 100 ms */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!done && (w = waitpid(pid, &status, WNOHANG)) == pid) {
			done = 1;
			tdone = now;
			status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		if (done) {
			if (mitm_server_active(m->srv) == 0 || ms_between(&tdone, &now) > MITM_GRACE_MS)
				break;
		} else if (ms_between(&t0, &now) > run_ms) {
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
			status = -1;
			break;
		}
	}
	if (!done && m->stop) {
		kill(-pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	event_free(tev);
	return status;
}

/* Group the records into clients (by address, or one client for --run) and judge each. */
static size_t
mitm_clients(const struct mitm_cli *m, const char *run_cmd, struct mitm_client *cl, size_t max)
{
	enum mitm_outcome out[MITM_RECS_MAX];
	enum mitm_attack att[MITM_RECS_MAX];
	size_t n = 0, i, j, k;

	for (i = 0; i < m->nrecs; i++) {
		const char *key = run_cmd ? run_cmd : m->recs[i].client_ip;

		for (j = 0; j < n; j++)
			if (strncmp(cl[j].key, key, sizeof(cl[j].key) - 1) == 0)
				break;
		if (j == n && n < max) {
			memset(&cl[n], 0, sizeof(cl[n]));
			snprintf(cl[n].key, sizeof(cl[n].key), "%s", key);
			n++;
		}
	}
	for (j = 0; j < n; j++) {
		for (i = 0, k = 0; i < m->nrecs; i++)
			if (strncmp(cl[j].key, run_cmd ? run_cmd : m->recs[i].client_ip,
			    sizeof(cl[j].key) - 1) == 0) {
				out[k] = m->recs[i].outcome;
				att[k++] = m->recs[i].obs.attack;
			}
		cl[j].nconn = (unsigned)k;
		mitm_verdict_client(out, att, k, &cl[j].res);
	}
	return n;
}

static void
mitm_list(int markdown)
{
	int i;

	if (markdown) {
		mitm_attack_markdown(stdout);
		return;
	}
	for (i = 0; i < MITM_ATTACK_LAST; i++)
		printf("%-18s %s\n", mitm_attack_name((enum mitm_attack)i),
		    mitm_attack_info((enum mitm_attack)i)->what);
}

int
cmd_mitm(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "upstream", required_argument, NULL, 'u' },
		{ "sink", no_argument, NULL, 's' },
		{ "proto", required_argument, NULL, 'P' },
		{ "attack", required_argument, NULL, 'a' },
		{ "audit", no_argument, NULL, 'A' },
		{ "connections", required_argument, NULL, 'n' },
		{ "run", required_argument, NULL, 'R' },
		{ "run-timeout", required_argument, NULL, 'W' },
		{ "timeout", required_argument, NULL, 't' },
		{ "client-timeout", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'm' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "ca-cert", required_argument, NULL, 'x' },
		{ "ca-key", required_argument, NULL, 'y' },
		{ "allow-remote", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "fail-on", required_argument, NULL, 'f' },
		{ "color", no_argument, NULL, 'k' },
		{ "no-color", no_argument, NULL, 'N' },
		{ "list", no_argument, NULL, 'L' },
		{ "markdown", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mitm_cli m;
	struct mitm_params p;
	struct mitm_cert_params cp;
	struct mitm_session ss;
	struct mitm_client clients[64];
	struct mitm_run runs[MITM_ATTACK_LAST];
	struct mitm_certs *certs = NULL;
	struct event *sigint = NULL, *sigterm = NULL, *deadline = NULL;
	struct timeval tv;
	const char *listen = NULL, *upstream = NULL, *attacks = "strip", *run_cmd = NULL;
	char lip[INET6_ADDRSTRLEN + 2], uip[INET6_ADDRSTRLEN + 2], err[256];
	char listen_s[INET6_ADDRSTRLEN + 16], up_s[300];
	long session_ms = MITM_SESSION_MS, line_ms = MITM_LINE_MS, run_ms = MITM_RUN_MS;
	int ch, sink = 0, proto = MITM_PROTO_SMTP, lport = 0, uport = 0, json = 0, color = -1;
	int fail_on = SEVERITY_HIGH, allow_remote = 0, list = 0, markdown = 0, ret = EXIT_OK;
	int conns_set = 0, rc;
	long conns = 0;
	size_t i, nruns = 0;
	char *end;

	memset(&m, 0, sizeof(m));
	memset(&p, 0, sizeof(p));
	memset(&cp, 0, sizeof(cp));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': listen = optarg; break;
		case 'u': upstream = optarg; break;
		case 's': sink = 1; break;
		case 'P':
			if ((proto = mitm_proto_by_name(optarg)) < 0)
				return cli_usage_error("--proto wants smtp, submission, imap, pop3 or "
				    "xmpp, not '%s'", optarg);
			break;
		case 'a': attacks = optarg; break;
		case 'A': attacks = "all"; break;
		case 'n':
			conns = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || conns < 0 || conns > MITM_RECS_MAX)
				return cli_usage_error("--connections wants a whole number from 0 to %d, "
				    "not '%s'", MITM_RECS_MAX, optarg);
			conns_set = 1;
			break;
		case 'R': run_cmd = optarg; break;
		case 'W': run_ms = cli_secs(optarg, "--run-timeout"); break;
		case 't': session_ms = cli_secs(optarg, "--timeout"); break;
		case 'c': line_ms = cli_secs(optarg, "--client-timeout"); break;
		case 'm': cp.name = optarg; break;
		case 'C': cp.cert_file = optarg; break;
		case 'K': cp.key_file = optarg; break;
		case 'x': cp.ca_cert_file = optarg; break;
		case 'y': cp.ca_key_file = optarg; break;
		case 'r': allow_remote = 1; break;
		case 'j': json = 1; break;
		case 'f': fail_on = cli_severity(optarg); break;
		case 'k': color = 1; break;
		case 'N': color = 0; break;
		case 'L': list = 1; break;
		case 'M': markdown = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		default:
			return cli_opt_error(argc, argv, longopts);
		}
	}
	if (list) {
		mitm_list(markdown);
		return EXIT_OK;
	}
	if (optind < argc)
		return cli_usage_error("mitm takes no operands; '%s' is one too many", argv[optind]);
	if (listen == NULL)
		return cli_usage_error("mitm wants --listen ADDR:PORT");
	if (sink == (upstream != NULL))
		return cli_usage_error("mitm wants exactly one of --upstream HOST:PORT and --sink");
	if ((cp.cert_file == NULL) != (cp.key_file == NULL))
		return cli_usage_error("--cert and --key go together");
	if ((cp.ca_cert_file == NULL) != (cp.ca_key_file == NULL))
		return cli_usage_error("--ca-cert and --ca-key go together");
	if (mitm_addr(listen, lip, sizeof(lip), &lport, 1) < 0)
		return cli_usage_error("--listen wants ADDR:PORT, [IPv6]:PORT or PORT, not '%s'",
		    listen);
	if (!allow_remote && !mitm_is_loopback(lip))
		return cli_usage_error("--listen %s is not a loopback address (add --allow-remote "
		    "to accept clients from the network)", lip);
	if (upstream != NULL) {
		rc = mitm_addr(upstream, uip, sizeof(uip), &uport, 0);
		if (rc == -1)
			return cli_usage_error("--upstream wants HOST:PORT, not '%s'", upstream);
		if (rc == -2) {
			fprintf(stderr, "mailtls: cannot resolve the upstream '%s'\n", upstream);
			return EXIT_UNREACHABLE;
		}
	}
	if (mitm_plan(&m, attacks, (enum mitm_proto)proto) != 0)
		return EXIT_USAGE;
	if (cp.name == NULL) {
		static struct sock_target ut;

		cp.name = "localhost";
		if (upstream != NULL && sock_target_parse(upstream, &ut) == 0)
			cp.name = ut.host;
	}
	if (strlen(cp.name) > 253 || strpbrk(cp.name, " \t\r\n'\"<>&") != NULL)
		return cli_usage_error("--name '%s' is not a host name", cp.name);
	m.per_run = run_cmd != NULL;
	m.max_conns = conns_set ? (unsigned)conns : (run_cmd ? 0 : (unsigned)m.nplan);
	if (color < 0)
		color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	if (json)
		color = 0;

	if ((certs = mitm_certs_new(&cp, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		return EXIT_USAGE;
	}
	m.recs = xcalloc(MITM_RECS_MAX, sizeof(*m.recs));
	m.base = event_base_new();
	p.proto = (enum mitm_proto)proto;
	p.listen_ip = lip;
	p.listen_port = lport;
	p.upstream_ip = upstream ? uip : NULL;
	p.upstream_port = uport;
	p.name = cp.name;
	p.certs = certs;
	p.line_ms = line_ms;
	p.conn_ms = MITM_CONN_MS;
	p.connect_ms = MITM_CONNECT_MS;
	p.choose = mitm_choose;
	p.record = mitm_record;
	p.arg = &m;
	if ((m.srv = mitm_server_new(m.base, &p, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailtls: %s\n", err);
		ret = EXIT_UNREACHABLE;
		goto out;
	}
	lport = mitm_server_port(m.srv);
	snprintf(listen_s, sizeof(listen_s), strchr(lip, ':') ? "[%s]:%d" : "%s:%d", lip, lport);
	if (upstream)
		snprintf(up_s, sizeof(up_s), "%s", upstream);
	sigint = evsignal_new(m.base, SIGINT, mitm_stop_cb, &m);
	sigterm = evsignal_new(m.base, SIGTERM, mitm_stop_cb, &m);
	deadline = evtimer_new(m.base, mitm_stop_cb, &m);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	tv.tv_sec = session_ms / 1000;
	tv.tv_usec = (session_ms % 1000) * 1000;
	evtimer_add(deadline, &tv);
	fprintf(stderr, "mailtls mitm: %s %s on %s%s%s; attacks:", mitm_proto_name(p.proto),
	    upstream ? "proxy" : "sink", listen_s, upstream ? " -> " : "", upstream ? upstream : "");
	for (i = 0; i < m.nplan; i++)
		fprintf(stderr, "%s%s", i ? ", " : " ", mitm_attack_name(m.plan[i]));
	fputc('\n', stderr);

	if (run_cmd != NULL) {
		for (i = 0; i < m.nplan && !m.stop; i++) {
			mitm_server_set_run(m.srv, (unsigned)i + 1);
			runs[nruns].attack = m.plan[i];
			runs[nruns].status = mitm_run_one(&m, run_cmd, m.plan[i], lport, run_ms);
			nruns++;
		}
	} else {
		event_base_dispatch(m.base);
	}
	mitm_server_free(m.srv);	/* connections still open are recorded, cut at their deadline */
	m.srv = NULL;

	memset(&ss, 0, sizeof(ss));
	ss.proto = p.proto;
	ss.listen = listen_s;
	ss.upstream = upstream ? up_s : NULL;
	ss.name = cp.name;
	ss.run_cmd = run_cmd;
	ss.recs = m.recs;
	ss.nrecs = m.nrecs;
	ss.clients = clients;
	ss.nclients = mitm_clients(&m, run_cmd, clients, sizeof(clients) / sizeof(clients[0]));
	ss.runs = runs;
	ss.nruns = nruns;
	if (json) {
		json_t *root = mitm_report_json(&ss);

		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(root);
	} else {
		mitm_report_text(stdout, &ss, color);
	}
	if (m.nrecs == 0)
		ret = EXIT_UNREACHABLE;
	for (i = 0; i < ss.nclients; i++)
		if ((int)clients[i].res.severity >= fail_on && ret == EXIT_OK)
			ret = EXIT_FINDINGS;
out:
	mitm_server_free(m.srv);
	if (sigint)
		event_free(sigint);
	if (sigterm)
		event_free(sigterm);
	if (deadline)
		event_free(deadline);
	event_base_free(m.base);
	mitm_certs_free(certs);
	free(m.recs);
	return ret;
}
