/*
 * web.h — what the provider audit reads over HTTP(S), and the pure parsers for it:
 *   - the Strict-Transport-Security header (RFC 6797 §6.1),
 *   - Thunderbird's autoconfig file (config-v1.1.xml: incomingServer/outgoingServer with
 *     hostname, port and socketType), which tells clients how to connect,
 *   - SRV RDATA (RFC 2782).
 * Parsers are over (buf, len): no I/O; a table-driven test (test_provider.c) and a fuzz target
 * (fuzz_provider.c) each.  The fetches themselves use lib/net/http.c (libcurl on our loop).
 */
#ifndef MAILTLS_PROVIDER_WEB_H
#define MAILTLS_PROVIDER_WEB_H

#include <stddef.h>
#include <stdint.h>

#define WEB_HSTS_GOOD_AGE	(180L * 86400)	/* below this: https.hsts_short */
#define AUTOCONFIG_MAX_BYTES	(64 * 1024)
#define AUTOCONFIG_SERVERS_MAX	16

struct web_hsts {
	int		 valid;		/* a max-age directive was found and parsed */
	long long	 max_age;	/* seconds; -1 when missing or malformed */
	int		 subdomains;	/* includeSubDomains */
	int		 preload;
};

/* 0 when the header is well formed (RFC 6797 §6.1: max-age required, no duplicate directive). */
int	web_hsts_parse(const char *, size_t, struct web_hsts *);

/* HSTS and the redirect, for the report (an https endpoint's ep->web). */
struct web_result {
	int		 https_ok;	/* GET https://NAME/ completed */
	long		 https_status;
	const char	*https_error;
	const char	*hsts;		/* the header as sent (cleaned), NULL if none */
	struct web_hsts	 hsts_parsed;
	int		 http_ok;	/* GET http://NAME/ completed */
	long		 http_status;
	const char	*http_location;
	int		 http_redirects_https;	/* 3xx to an https:// URL */
	const char	*http_error;
};

enum autoconfig_socket {
	AUTOCONFIG_SOCKET_PLAIN = 0,
	AUTOCONFIG_SOCKET_STARTTLS,
	AUTOCONFIG_SOCKET_SSL,
	AUTOCONFIG_SOCKET_OTHER,
	AUTOCONFIG_SOCKET_LAST
};

struct autoconfig_server {
	int			 outgoing;	/* outgoingServer (smtp) */
	char			 type[16];	/* imap, pop3, smtp */
	char			 hostname[256];
	int			 port;
	enum autoconfig_socket	 socket;
};

struct autoconfig {
	int			 valid;		/* a clientConfig with at least one server */
	size_t			 nservers;
	struct autoconfig_server servers[AUTOCONFIG_SERVERS_MAX];
	int			 truncated;	/* more servers than AUTOCONFIG_SERVERS_MAX */
};

/* -1 when it is not a config-v1.1.xml (no clientConfig, malformed tags). */
int		 autoconfig_parse(const char *, size_t, struct autoconfig *);
const char	*autoconfig_socket_name(enum autoconfig_socket);

/* SRV RDATA (RFC 2782): 0 when well formed; target "." means "no service" (RFC 2782, RFC 6186 §3.4). */
int		 web_srv_decode(const uint8_t *, size_t, uint16_t *prio, uint16_t *weight,
		    uint16_t *port, char *target, size_t targetsz);

#endif
