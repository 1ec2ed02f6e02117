/*
 * sock.h — non-blocking sockets and target strings.
 */
#ifndef MAILTLS_SOCK_H
#define MAILTLS_SOCK_H

#include <stddef.h>
#include <sys/socket.h>

#define SOCK_HOST_MAX	256

struct sock_target {
	char	host[SOCK_HOST_MAX];	/* name or address literal, brackets removed */
	int	port;			/* 0 when not given */
	int	is_ip;			/* host is an IPv4 or IPv6 literal */
};

int	sock_target_parse(const char *, struct sock_target *);	/* 0 ok, -1 malformed */
int	sock_connect_nb(const char *ip, int port, int *fd, char *err, size_t errlen);
int	sock_connect_result(int fd, char *err, size_t errlen);	/* after writable: 0 or -1 */

#endif
