/*
 * sock.c — non-blocking connect, and "host", "host:port", "1.2.3.4:25", "[::1]:25", "::1" targets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/sock.h"

static int
sock_is_ip(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

static int
sock_port(const char *s)
{
	char *end;
	long v;

	if (*s == '\0')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

int
sock_target_parse(const char *s, struct sock_target *t)
{
	const char *colon, *close;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (s == NULL || *s == '\0')
		return -1;
	if (s[0] == '[') {
		close = strchr(s, ']');
		if (close == NULL || close == s + 1)
			return -1;
		n = (size_t)(close - s - 1);
		if (n >= sizeof(t->host))
			return -1;
		memcpy(t->host, s + 1, n);
		if (close[1] == ':') {
			if ((t->port = sock_port(close + 2)) < 0)
				return -1;
		} else if (close[1] != '\0')
			return -1;
		if (!sock_is_ip(t->host))
			return -1;
		t->is_ip = 1;
		return 0;
	}
	colon = strchr(s, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		/* bare IPv6 literal, no port */
		if (strlen(s) >= sizeof(t->host) || !sock_is_ip(s))
			return -1;
		strcpy(t->host, s);
		t->is_ip = 1;
		return 0;
	}
	n = colon ? (size_t)(colon - s) : strlen(s);
	if (n == 0 || n >= sizeof(t->host))
		return -1;
	memcpy(t->host, s, n);
	if (colon && (t->port = sock_port(colon + 1)) < 0)
		return -1;
	t->is_ip = sock_is_ip(t->host);
	return 0;
}

int
sock_connect_nb(const char *ip, int port, int *fdp, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		sl = sizeof(*s6);
	} else {
		snprintf(err, errlen, "not a numeric address: %s", ip);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	*fdp = fd;
	return 0;
}

int
sock_connect_result(int fd, char *err, size_t errlen)
{
	int e = 0;
	socklen_t l = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
		e = errno;
	if (e != 0) {
		snprintf(err, errlen, "connect: %s", strerror(e));
		return -1;
	}
	return 0;
}
