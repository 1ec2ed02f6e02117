/*
 * http.c — HTTPS GET through libcurl's multi-socket API on a libevent event_base.
 *
 *   RFC 8461 §3.3  the policy is fetched with HTTPS GET from mta-sts.<domain>; the certificate
 *                  must be valid for that name; 3xx redirects are not followed
 *   RFC 9110       status codes and Location
 *
 * curl tells us which sockets to watch (http_socket_cb) and when to wake it (http_timer_cb); we
 * turn both into libevent events and hand readiness back with hc->multi_socket_action().  We
 * never call into curl from inside one of its callbacks.  See docs/internals/http.md.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "net/curl_lazy.h"
#include "net/http.h"
#include "util/dbuf.h"
#include "util/xalloc.h"

/* One transfer: a curl easy handle plus what we collect for its result. */
struct http_xfer {
	struct http_client	*client;
	struct http_xfer	*prev, *next;	/* client's list of unfinished transfers */
	CURL			*easy;
	CURLSH			*share;		/* private DNS cache for this transfer's RESOLVE */
	struct curl_slist	*resolve;
	struct dbuf		 body;
	int			 too_big;
	struct timespec		 start;
	http_cb			 cb;
	void			*arg;
	char			 errbuf[CURL_ERROR_SIZE];
};

/* A socket curl asked us to watch. */
struct http_sock {
	struct http_client	*client;
	struct http_sock	*prev, *next;
	curl_socket_t		 fd;
	struct event		*ev;
};

struct http_client {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	char			*ca_file;	/* NULL: system store */
	struct http_xfer	*xfers;
	struct http_sock	*socks;
	int			 npending;
	int			 busy;		/* inside http_client_pump() */
	int			 dead;		/* freed by a callback; destroy when not busy */
	char			 error[256];	/* why the last fetch could not start */
};

static int	http_global_done;
static const struct curl_lazy *hc;	/* libcurl, loaded by http_global() */

static int
http_global_init(char *err, size_t errlen)
{
	CURLcode rc;

	if (http_global_done)
		return 0;
	if ((hc = curl_lazy_load(err, errlen)) == NULL)
		return -1;
	if ((rc = hc->global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init: %s", hc->easy_strerror(rc));
		return -1;
	}
	http_global_done = 1;
	return 0;
}

static long
http_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- transfers ------------------------------------------------------------------------------ */

static size_t
http_write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_xfer *x = arg;
	size_t n = size * nmemb, room;

	if (dbuf_add(&x->body, p, n) == DBUF_OK)
		return n;
	/* Keep the prefix that fits, then abort: curl ends with CURLE_WRITE_ERROR. */
	room = x->body.limit - x->body.len;
	(void)dbuf_add(&x->body, p, room);
	x->too_big = 1;
	return 0;
}

static void
http_xfer_unlink(struct http_xfer *x)
{
	struct http_client *c = x->client;

	if (x->prev)
		x->prev->next = x->next;
	else
		c->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
	c->npending--;
}

static void
http_xfer_free(struct http_xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy) {
		hc->multi_remove_handle(x->client->multi, x->easy);
		hc->easy_cleanup(x->easy);
	}
	if (x->share)
		hc->share_cleanup(x->share);
	hc->slist_free_all(x->resolve);
	dbuf_free(&x->body);
	free(x);
}

static int
http_is_tls_failure(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:	/* also CURLE_SSL_CACERT */
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return 1;
	default:
		return 0;
	}
}

/* The transfer is over: build the result, run the callback, free the transfer. */
static void
http_xfer_finish(struct http_xfer *x, CURLcode rc)
{
	struct http_result r;
	struct curl_header *h;
	char *ct = NULL;
	long status = 0;

	http_xfer_unlink(x);
	hc->multi_remove_handle(x->client->multi, x->easy);

	memset(&r, 0, sizeof(r));
	hc->easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	hc->easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
	r.ok = rc == CURLE_OK;
	r.status = status;
	r.content_type = ct;
	r.body = x->body.len ? x->body.data : NULL;
	r.body_len = x->body.len;
	r.body_too_big = x->too_big;
	if (status >= 300 && status <= 399) {
		r.redirected = 1;
		if (hc->easy_header(x->easy, "Location", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
			r.location = h->value;
	}
	if (hc->easy_header(x->easy, "Strict-Transport-Security", 0, CURLH_HEADER, -1, &h) ==
	    CURLHE_OK)
		r.hsts = h->value;
	r.tls_failed = http_is_tls_failure(rc);
	r.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
	if (rc != CURLE_OK) {
		if (x->too_big)
			snprintf(x->errbuf, sizeof(x->errbuf), "body over %zu bytes", x->body.limit);
		else if (x->errbuf[0] == '\0')
			snprintf(x->errbuf, sizeof(x->errbuf), "%s", hc->easy_strerror(rc));
		r.error = x->errbuf;
	}
	r.elapsed_ms = http_ms_since(&x->start);

	x->cb(x->arg, &r);
	http_xfer_free(x);
}

/* Completed transfers, one callback each; stops early when a callback freed the client. */
static void
http_client_drain(struct http_client *c)
{
	struct http_xfer *x;
	CURLMsg *m;
	CURLcode rc;
	CURL *easy;
	char *priv;
	int left;

	while (!c->dead && (m = hc->multi_info_read(c->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		/* m dies with hc->multi_remove_handle(): copy first. */
		easy = m->easy_handle;
		rc = m->data.result;
		priv = NULL;
		hc->easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
		if ((x = (struct http_xfer *)(void *)priv) == NULL)
			BUG("curl transfer without its http_xfer");
		http_xfer_finish(x, rc);
	}
}

static void	http_client_destroy(struct http_client *);

/* Hands readiness (or a timeout, fd CURL_SOCKET_TIMEOUT) to curl and delivers what completed. */
static void
http_client_pump(struct http_client *c, curl_socket_t fd, int flags)
{
	int running;

	c->busy++;
	hc->multi_socket_action(c->multi, fd, flags, &running);
	http_client_drain(c);
	c->busy--;
	if (c->dead && c->busy == 0)
		http_client_destroy(c);
}

/* ---- curl's socket and timer callbacks, libevent's event callbacks ---------------------------- */

static void
http_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_client *c = arg;
	int flags = 0;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	http_client_pump(c, fd, flags);
}

static void
http_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	http_client_pump(arg, CURL_SOCKET_TIMEOUT, 0);
}

static void
http_sock_free(struct http_sock *s)
{
	struct http_client *c = s->client;

	if (s->prev)
		s->prev->next = s->next;
	else
		c->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	event_free(s->ev);
	free(s);
}

static int
http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct http_client *c = userp;
	struct http_sock *s = sockp;
	short kind = EV_PERSIST;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			hc->multi_assign(c->multi, fd, NULL);
			http_sock_free(s);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->client = c;
		s->fd = fd;
		s->next = c->socks;
		if (c->socks)
			c->socks->prev = s;
		c->socks = s;
		hc->multi_assign(c->multi, fd, s);
	} else
		event_free(s->ev);
	s->ev = event_new(c->base, fd, kind, http_event_cb, c);
	if (s->ev == NULL || event_add(s->ev, NULL) != 0)
		BUG("event_new/event_add failed for a curl socket");
	return 0;
}

static int
http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_client *c = userp;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(c->timer);
		return 0;
	}
	/* Zero means "now": still go through the loop, never call curl from its own callback. */
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(c->timer, &tv) == 0 ? 0 : -1;
}

/* ---- client ---------------------------------------------------------------------------------- */

struct http_client *
http_client_new(struct event_base *base, const char *ca_file, char *err, size_t errlen)
{
	struct http_client *c;

	if (base == NULL)
		BUG("http_client_new without an event_base");
	if (ca_file != NULL && access(ca_file, R_OK) != 0) {
		snprintf(err, errlen, "CA file %s: not readable", ca_file);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->base = base;
	if (ca_file != NULL)
		c->ca_file = xstrdup(ca_file);
	return c;
}

/*
 * libcurl is loaded, and the multi handle made, by the first fetch (curl_lazy.h): a run that
 * fetches nothing never pays for it.
 */
static int
http_client_ready(struct http_client *c)
{
	if (c->multi != NULL)
		return 0;
	if (http_global_init(c->error, sizeof(c->error)) < 0)
		return -1;
	if ((c->multi = hc->multi_init()) == NULL) {
		snprintf(c->error, sizeof(c->error), "curl_multi_init failed");
		return -1;
	}
	if (c->timer == NULL && (c->timer = evtimer_new(c->base, http_timeout_cb, c)) == NULL) {
		snprintf(c->error, sizeof(c->error), "evtimer_new failed");
		return -1;
	}
	hc->multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	hc->multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	hc->multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	hc->multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	return 0;
}

static void
http_client_destroy(struct http_client *c)
{
	while (c->xfers != NULL) {
		struct http_xfer *x = c->xfers;

		http_xfer_unlink(x);
		http_xfer_free(x);
	}
	if (c->multi)
		hc->multi_cleanup(c->multi);	/* may still call http_socket_cb with REMOVE */
	while (c->socks != NULL)
		http_sock_free(c->socks);
	if (c->timer)
		event_free(c->timer);
	free(c->ca_file);
	free(c);
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	if (c->busy) {
		c->dead = 1;	/* http_client_pump() finishes the job */
		return;
	}
	http_client_destroy(c);
}

int
http_client_pending(const struct http_client *c)
{
	return c->npending;
}

/* ---- requests -------------------------------------------------------------------------------- */

/* "host:port:ip" for CURLOPT_RESOLVE, from the URL's host and port (443 by default). */
static int
http_resolve_entry(const char *url, const char *ip, char *out, size_t outlen)
{
	struct in6_addr a6;
	struct in_addr a4;
	CURLU *u;
	char *host = NULL, *port = NULL;
	int n, is6, ret = -1;

	is6 = inet_pton(AF_INET6, ip, &a6) == 1;
	if (!is6 && inet_pton(AF_INET, ip, &a4) != 1)
		return -1;
	if ((u = hc->url()) == NULL)
		return -1;
	if (hc->url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    hc->url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    hc->url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		goto out;
	n = snprintf(out, outlen, is6 ? "%s:%s:[%s]" : "%s:%s:%s", host, port, ip);
	if (n > 0 && (size_t)n < outlen)
		ret = 0;
out:
	hc->free(host);
	hc->free(port);
	hc->url_cleanup(u);
	return ret;
}

#define SETOPT(opt, val)	do {						\
	if (hc->easy_setopt(x->easy, (opt), (val)) != CURLE_OK)		\
		goto fail;							\
} while (0)

int
http_get(struct http_client *c, const struct http_request *req, http_cb cb, void *arg)
{
	struct http_xfer *x;
	char entry[512];
	long timeout;

	if (c == NULL || req == NULL || req->url == NULL || cb == NULL)
		BUG("http_get: missing client, request, URL or callback");
	if (c->dead)
		return -1;
	if (strncmp(req->url, req->plain_http ? "http://" : "https://", req->plain_http ? 7 : 8) != 0)
		return -1;
	if (http_client_ready(c) < 0)
		return -1;

	x = xcalloc(1, sizeof(*x));
	x->client = c;
	x->cb = cb;
	x->arg = arg;
	dbuf_init(&x->body, req->max_body ? req->max_body : HTTP_BODY_MAX_DEFAULT);
	timeout = req->timeout_ms > 0 ? req->timeout_ms : HTTP_TIMEOUT_DEFAULT_MS;
	clock_gettime(CLOCK_MONOTONIC, &x->start);

	if ((x->easy = hc->easy_init()) == NULL)
		goto fail;
	SETOPT(CURLOPT_PRIVATE, x);
	SETOPT(CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(CURLOPT_URL, req->url);
	SETOPT(CURLOPT_PROTOCOLS_STR, req->plain_http ? "http" : "https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file != NULL) {
		/* Only the given anchors: no compiled-in CA directory beside them. */
		SETOPT(CURLOPT_CAINFO, c->ca_file);
		SETOPT(CURLOPT_CAPATH, (char *)NULL);
	}
	SETOPT(CURLOPT_USERAGENT, HTTP_USER_AGENT);
	SETOPT(CURLOPT_TIMEOUT_MS, timeout);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, timeout);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	/* One request per connection: a reused connection could lead to another address. */
	SETOPT(CURLOPT_FRESH_CONNECT, 1L);
	SETOPT(CURLOPT_FORBID_REUSE, 1L);
	SETOPT(CURLOPT_WRITEFUNCTION, http_write_cb);
	SETOPT(CURLOPT_WRITEDATA, x);
	if (req->connect_ip != NULL) {
		if (http_resolve_entry(req->url, req->connect_ip, entry, sizeof(entry)) < 0)
			goto fail;
		if ((x->resolve = hc->slist_append(NULL, entry)) == NULL)
			goto fail;
		/*
		 * RESOLVE entries land in a DNS cache shared by the whole multi handle; a private
		 * cache keeps two fetches of one name to different addresses apart.
		 */
		if ((x->share = hc->share_init()) == NULL ||
		    hc->share_setopt(x->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK)
			goto fail;
		SETOPT(CURLOPT_SHARE, x->share);
		SETOPT(CURLOPT_RESOLVE, x->resolve);
	}
	if (hc->multi_add_handle(c->multi, x->easy) != CURLM_OK)
		goto fail;

	x->next = c->xfers;
	if (c->xfers)
		c->xfers->prev = x;
	c->xfers = x;
	c->npending++;
	return 0;
fail:
	http_xfer_free(x);	/* not added to the multi handle: no callback */
	return -1;
}

const char *
http_client_error(const struct http_client *c)
{
	return c->error[0] ? c->error : NULL;
}
