/*
 * socketmap_load.c — a load generator for socketmap servers (tests/real/policyd.sh,
 * bench/policyd.sh): C clients, each with one connection (reconnecting when the server closes
 * it), send "MAP KEY" requests round-robin over the keys, one at a time as Postfix does, until
 * TOTAL answers came back.  Prints one line of counts, throughput and latency percentiles.
 *
 *   socketmap_load HOST PORT MAP CLIENTS TOTAL KEY...
 *   socketmap_load --storm HOST PORT N     N connects, half closed at once, half after garbage
 *
 * Exit 0 when every request got OK, NOTFOUND or TEMP; 1 on any PERM, malformed answer or error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct client {
	int	 fd;
	char	 out[600];
	size_t	 outlen, outoff;
	char	 in[4096];
	size_t	 inlen;
	double	 t0;
	int	 busy;
};

static struct sockaddr_in sa;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dial(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
storm(int n)
{
	int i, fd, bad = 0;

	for (i = 0; i < n; i++) {
		if ((fd = dial()) < 0) {
			bad++;
			continue;
		}
		if (i % 2) {
			static const char *const junk[] = { "GET / HTTP/1.0\r\n\r\n", "99999999999:",
			    "5:abc", "3:a b;", "05:hello," };
			const char *j = junk[i / 2 % 5];

			if (write(fd, j, strlen(j)) < 0)
				bad++;
		}
		close(fd);
	}
	printf("storm connections=%d failed=%d\n", n, bad);
	return bad > n / 10;
}

int
main(int argc, char **argv)
{
	struct client *c;
	struct pollfd *pfd;
	double *lat, t_start, t_end;
	long total, sent = 0, done = 0, ok = 0, nf = 0, temp = 0, perm = 0, bad = 0, reconnects = 0;
	int nclients, nkeys, i;
	char **keys;
	const char *map;

	if (argc == 5 && strcmp(argv[1], "--storm") == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons((unsigned short)atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1)
			return 2;
		return storm(atoi(argv[4]));
	}
	if (argc < 7) {
		fprintf(stderr, "usage: socketmap_load HOST PORT MAP CLIENTS TOTAL KEY...\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	map = argv[3];
	nclients = atoi(argv[4]);
	total = atol(argv[5]);
	keys = argv + 6;
	nkeys = argc - 6;
	if (nclients < 1 || total < 1)
		return 2;
	c = calloc((size_t)nclients, sizeof(*c));
	pfd = calloc((size_t)nclients, sizeof(*pfd));
	lat = calloc((size_t)total, sizeof(*lat));
	if (c == NULL || pfd == NULL || lat == NULL)
		return 2;
	for (i = 0; i < nclients; i++)
		if ((c[i].fd = dial()) < 0) {
			fprintf(stderr, "connect: %s\n", strerror(errno));
			return 1;
		}
	t_start = now_s();
	while (done < total) {
		for (i = 0; i < nclients; i++) {
			if (!c[i].busy && sent < total) {
				const char *k = keys[sent % nkeys];
				int n = snprintf(c[i].out + 16, sizeof(c[i].out) - 16, "%s %s", map, k);
				int h = snprintf(c[i].out, 16, "%d:", n);

				memmove(c[i].out + h, c[i].out + 16, (size_t)n);
				c[i].out[h + n] = ',';
				c[i].outlen = (size_t)(h + n + 1);
				c[i].outoff = 0;
				c[i].busy = 1;
				c[i].t0 = now_s();
				sent++;
			}
			pfd[i].fd = c[i].fd;
			pfd[i].events = c[i].busy ? (c[i].outoff < c[i].outlen ? POLLOUT : POLLIN) : 0;
		}
		if (poll(pfd, (nfds_t)nclients, 30000) <= 0) {
			fprintf(stderr, "poll: timeout or error\n");
			return 1;
		}
		for (i = 0; i < nclients; i++) {
			ssize_t r;

			if (pfd[i].revents & POLLOUT) {
				r = write(c[i].fd, c[i].out + c[i].outoff, c[i].outlen - c[i].outoff);
				if (r > 0)
					c[i].outoff += (size_t)r;
			} else if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				char *colon, *end;
				long len;

				r = read(c[i].fd, c[i].in + c[i].inlen, sizeof(c[i].in) - c[i].inlen - 1);
				if (r <= 0) {	/* closed (idle timeout?): count it, reconnect, resend */
					close(c[i].fd);
					if ((c[i].fd = dial()) < 0)
						return 1;
					reconnects++;
					c[i].inlen = 0;
					c[i].outoff = 0;
					continue;
				}
				c[i].inlen += (size_t)r;
				c[i].in[c[i].inlen] = '\0';
				if ((colon = strchr(c[i].in, ':')) == NULL)
					continue;
				len = strtol(c[i].in, &end, 10);
				if (end != colon || len < 0 || len > 3000) {
					bad++;
					return 1;
				}
				if ((long)c[i].inlen < (colon - c[i].in) + 1 + len + 1)
					continue;
				lat[done] = now_s() - c[i].t0;
				done++;
				if (strncmp(colon + 1, "OK ", 3) == 0)
					ok++;
				else if (strncmp(colon + 1, "NOTFOUND", 8) == 0)
					nf++;
				else if (strncmp(colon + 1, "TEMP", 4) == 0)
					temp++;
				else if (strncmp(colon + 1, "PERM", 4) == 0)
					perm++;
				else
					bad++;
				if (colon[1 + len] != ',')
					bad++;
				c[i].inlen = 0;
				c[i].busy = 0;
			}
		}
	}
	t_end = now_s();
	qsort(lat, (size_t)done, sizeof(*lat), cmp_d);
	printf("requests=%ld ok=%ld notfound=%ld temp=%ld perm=%ld bad=%ld reconnects=%ld secs=%.3f "
	    "qps=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f\n", done, ok, nf, temp, perm, bad, reconnects,
	    t_end - t_start, (double)done / (t_end - t_start), lat[done / 2] * 1e6,
	    lat[(size_t)((double)done * 0.99)] * 1e6, lat[done - 1] * 1e6);
	return perm || bad ? 1 : 0;
}
