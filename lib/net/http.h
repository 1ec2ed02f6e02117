/*
 * http.h — HTTPS GET on the project's event loop, for the MTA-STS policy fetch (RFC 8461 §3.3).
 *
 * libcurl's multi-socket interface driven by a libevent event_base: no threads of ours, no
 * blocking call, no curl_multi_perform loop.  Design and ceilings: docs/internals/http.md.
 *
 * Every request: HTTPS only, certificate and name verified against ca_file (WebPKI), redirects
 * reported but never followed, body capped, whole-transfer deadline, no content encoding, no
 * connection reuse.  With connect_ip set, curl never asks the system resolver.
 *
 * Callbacks: the http_cb of a request runs exactly once, always from the event loop, never from
 * inside http_get().  The struct http_result and every pointer in it are valid only during the
 * callback; copy what you keep.  A callback may call http_get() and may call http_client_free()
 * on its own client (the remaining transfers are then dropped without their callbacks).
 */
#ifndef MAILTLS_HTTP_H
#define MAILTLS_HTTP_H

#include <stddef.h>

#define HTTP_USER_AGENT		"mailtls/0.1"
#define HTTP_BODY_MAX_DEFAULT	65536		/* max_body when 0: the MTA-STS policy ceiling */
#define HTTP_TIMEOUT_DEFAULT_MS	30000		/* timeout_ms when <= 0 */

struct event_base;
struct http_client;

struct http_request {
	const char	*url;		/* https://host[:port]/path; copied, need not outlive the call */
	const char	*connect_ip;	/* IPv4/IPv6 literal: CURLOPT_RESOLVE host:port:ip; NULL: system resolver */
	long		 timeout_ms;	/* whole transfer: connect, TLS, request, body; <= 0: default */
	size_t		 max_body;	/* body ceiling in bytes; 0: HTTP_BODY_MAX_DEFAULT */
	int		 plain_http;	/* the URL is http:// (the provider's redirect check), not https:// */
};

struct http_result {
	int		 ok;		/* transfer completed (any HTTP status) */
	long		 status;	/* HTTP status, 0 when no response came */
	const char	*content_type;	/* Content-Type value as sent, or NULL */
	const unsigned char *body;	/* body_len bytes (not NUL-terminated); NULL when empty */
	size_t		 body_len;	/* when body_too_big: the first max_body bytes */
	int		 body_too_big;	/* body went over max_body; transfer aborted, ok = 0 */
	int		 redirected;	/* status 3xx: not followed */
	const char	*location;	/* the Location header as sent, or NULL */
	int		 tls_failed;	/* peer certificate not valid for the name, or handshake failed */
	const char	*error;		/* curl's error text, NULL when ok */
	long		 elapsed_ms;	/* from http_get() to completion */
	const char	*hsts;		/* the Strict-Transport-Security header as sent, or NULL */
	int		 timed_out;	/* the deadline passed (error says where) */
};

typedef void	(*http_cb)(void *, const struct http_result *);

/*
 * ca_file: PEM bundle of trust anchors, and then the only ones trusted; NULL: the system store.
 * NULL on failure, with the reason in err.
 */
struct http_client	*http_client_new(struct event_base *, const char *ca_file, char *err,
			    size_t errlen);

/* Drops unfinished transfers without calling their callbacks.  NULL is fine. */
void			 http_client_free(struct http_client *);

/*
 * Starts a GET.  0: started, the callback will run once.  -1: not started (URL not https or
 * malformed, bad connect_ip, curl refused an option), no callback.
 */
int			 http_get(struct http_client *, const struct http_request *, http_cb,
			    void *);

/* Transfers started and not yet completed. */
int			 http_client_pending(const struct http_client *);
/* Why the last http_get() could not start (libcurl not loadable, ...), or NULL. */
const char		*http_client_error(const struct http_client *);

#endif
