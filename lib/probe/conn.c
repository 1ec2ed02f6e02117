/*
 * conn.c — see conn.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "probe/conn.h"
#include "tls/cert.h"
#include "tls/certname.h"
#include "tls/tls.h"
#include "util/arena.h"
#include "util/dbuf.h"
#include "util/xalloc.h"

#define CONN_RAW_RECORDS_MAX	512	/* records in one first flight; a real one has < 10 */

long
conn_deadline_ms(const struct probe_params *pp, enum conn_deadline d)
{
	switch (d) {
	case CONN_DEADLINE_CONNECT:
		return pp->connect_ms;
	case CONN_DEADLINE_REPLY:
		return pp->reply_ms;
	case CONN_DEADLINE_TLS:
		return pp->tls_ms;
	case CONN_DEADLINE_PIPE:
		return pp->reply_ms > 0 && pp->reply_ms < PROBE_PIPE_WAIT_MS ?
		    pp->reply_ms : PROBE_PIPE_WAIT_MS;
	default:
		return 0;
	}
}

void
conn_arm(struct event *ev, long ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}

long
conn_elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

void
conn_close(int *fd, struct event *ev_read, struct event *ev_write, struct event *ev_phase,
    struct event *ev_total)
{
	if (ev_read)
		event_del(ev_read);
	if (ev_write)
		event_del(ev_write);
	evtimer_del(ev_phase);
	evtimer_del(ev_total);
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

int
conn_flush(int fd, struct dbuf *out, struct event *ev_write)
{
	ssize_t n;

	if (fd < 0)
		return 0;
	while (out->len > 0) {
		n = write(fd, out->data, out->len);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				event_add(ev_write, NULL);
				return 0;
			}
			if (errno == EINTR)
				continue;
			return -1;
		}
		dbuf_consume(out, (size_t)n);
	}
	event_del(ev_write);
	return 0;
}

struct tls_session *
conn_tls_new(const struct probe_params *pp)
{
	struct tls_session *s;

	/* with DANE the SNI is the TLSA base domain (RFC 7672 §8.1) */
	s = tls_session_new(pp->tls, pp->ntlsa > 0 && pp->dane_base ? pp->dane_base : pp->refname);
	if (pp->ntlsa > 0) {
		const char *names[1] = { pp->refname };
		const char *base = pp->dane_base ? pp->dane_base : pp->refname;

		tls_session_dane(s, base, names, 1, pp->tlsa, pp->ntlsa);
	}
	return s;
}

static void
conn_note(struct endpoint *ep, struct arena *a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	endpoint_log(ep, a, '*', buf, strlen(buf));
}

/*
 * XMPP checks the certificate against the XMPP domain, never the SRV target the client
 * connected to (RFC 6120 §13.7.2.1, RFC 7590 §3.2): when the certificate names the connected
 * host but not the domain, say so, since that is the usual mistake.
 */
static const char *
conn_srv_target_hint(const struct endpoint *ep, struct arena *a)
{
	const struct endpoint_cert *c = ep->cert;

	if (ep->proto != ENDPOINT_PROTO_XMPP && ep->proto != ENDPOINT_PROTO_XMPP_SERVER &&
	    ep->proto != ENDPOINT_PROTO_XMPPS && ep->proto != ENDPOINT_PROTO_XMPPS_SERVER)
		return "";
	if (ep->host == NULL || ep->refname == NULL || strcasecmp(ep->host, ep->refname) == 0 ||
	    c->nsan == 0 || certname_check(c->san, c->nsan, NULL, ep->host, NULL) != CERTNAME_MATCH)
		return "";
	return arena_printf(a, "; it names %s, the host connected to (the SRV target), but "
	    "XMPP checks the XMPP domain (RFC 6120 §13.7.2.1)", ep->host);
}

void
conn_tls_established(struct tls_session *tls, const struct probe_params *pp, struct arena *a,
    struct endpoint *ep)
{
	struct endpoint_cert *c;

	ep->tls_established = 1;
	tls_session_describe(tls, pp->tls, a, ep, pp->now ? pp->now : (long)time(NULL));
	conn_note(ep, a, "%s connection established: %s %s%s", ep->tls->version,
	    ep->tls->cipher ? ep->tls->cipher : "?", ep->tls->group ? "group " : "",
	    ep->tls->group ? ep->tls->group : "");
	c = ep->cert;
	if (c != NULL) {
		conn_note(ep, a, "certificate subject %s, issuer %s, not after %s", c->subject,
		    c->issuer, c->not_after ? c->not_after : "?");
		if (c->self_signed)
			endpoint_finding(ep, a, FINDING_CERT_SELF_SIGNED, "%s", c->subject);
		if (!c->chain_valid)
			endpoint_finding(ep, a, FINDING_CERT_UNTRUSTED, "%s", c->chain_error);
		if (c->expired)
			endpoint_finding(ep, a, FINDING_CERT_EXPIRED, "expired %s", c->not_after);
		else if (c->not_after != NULL && c->days_left < 14)
			endpoint_finding(ep, a, FINDING_CERT_EXPIRES_SOON, "%ld days left",
			    c->days_left);
		if (c->not_yet_valid)
			endpoint_finding(ep, a, FINDING_CERT_NOT_YET_VALID, "valid from %s",
			    c->not_before);
		if (!c->name_match)
			endpoint_finding(ep, a, FINDING_CERT_NAME_MISMATCH,
			    "%s is not among the certificate's names%s", ep->refname,
			    conn_srv_target_hint(ep, a));
		if (cert_weak_key(c->key_type, c->key_bits))
			endpoint_finding(ep, a, FINDING_CERT_WEAK_KEY, "%s %d bits", c->key_type,
			    c->key_bits);
		if (cert_weak_sigalg(c->sig_alg))
			endpoint_finding(ep, a, FINDING_CERT_WEAK_SIGNATURE, "%s", c->sig_alg);
	}
	endpoint_finding(ep, a, FINDING_TLS_OK, "%s %s", ep->tls->version,
	    ep->tls->cipher ? ep->tls->cipher : "?");
}

/* ---- raw-hello mode ------------------------------------------------------------------------ */

void
conn_raw_start(struct probe_raw *raw, struct dbuf *out)
{
	raw->step = 1;
	if (dbuf_add(out, raw->hello, raw->hello_len) != DBUF_OK)
		BUG("raw hello over the output ceiling");
}

/* The hello parser's verdict on the first flight so far. */
enum hello_result
conn_raw_parse(const struct probe_raw *raw)
{
	struct hello_server hs;
	struct hello_sslv2_server s2;
	enum hello_result r;

	if (raw->sslv2)
		return hello_parse_sslv2(raw->flight->data, raw->flight->len, &s2);
	r = hello_parse_server(raw->flight->data, raw->flight->len, &hs);
	hello_server_free(&hs);
	return r;
}

/*
 * Is a parse of the first flight worth it now?  Only when a new TLS record has completed: a
 * server sending its flight a byte (or a tiny record) at a time must not make us re-parse the
 * whole buffer on every read.  The walk over record headers resumes where it stopped.
 */
static int
conn_raw_new_record(const struct probe_raw *raw, size_t *walk, size_t *records, int *too_many)
{
	const struct dbuf *f = raw->flight;
	size_t before = *records, rl;

	*too_many = 0;
	if (raw->sslv2)
		return 1;	/* one SSLv2 message, parsed as it comes */
	while (*walk + 5 <= f->len) {
		if (f->data[*walk] < 20 || f->data[*walk] > 24)
			return 1;	/* not TLS: let the parser say so */
		rl = (size_t)f->data[*walk + 3] << 8 | f->data[*walk + 4];
		if (*walk + 5 + rl > f->len)
			break;
		*walk += 5 + rl;
		if (++*records > CONN_RAW_RECORDS_MAX) {
			*too_many = 1;
			return 1;
		}
	}
	return *records != before;
}

enum conn_raw
conn_raw_input(struct probe_raw *raw, size_t *walk, size_t *records, struct dbuf *out,
    const unsigned char *buf, size_t n)
{
	int too_many;

	if (raw->step == 2) {
		/* one whole record (5-byte header + length) is all the second step wants; keep
		 * what fits under the ceiling, the header is in the first bytes anyway */
		size_t room = raw->flight2->limit - raw->flight2->len;

		if (dbuf_add(raw->flight2, buf, n < room ? n : room) != DBUF_OK || n >= room ||
		    (raw->flight2->len >= 5 &&
		    raw->flight2->len >= 5u + (raw->flight2->data[3] << 8 | raw->flight2->data[4]))) {
			raw->end = PROBE_RAW_COMPLETE;
			return CONN_RAW_DONE;
		}
		return CONN_RAW_MORE;
	}
	if (dbuf_add(raw->flight, buf, n) != DBUF_OK || (conn_raw_new_record(raw, walk, records,
	    &too_many) && (too_many || conn_raw_parse(raw) != HELLO_NEED_MORE))) {
		/* complete, or past the ceiling: the parser will call it too big */
		raw->end = PROBE_RAW_COMPLETE;
		/* the second step only follows a complete, well-formed server hello */
		if (raw->after == NULL || raw->flight2 == NULL || conn_raw_parse(raw) != HELLO_OK)
			return CONN_RAW_DONE;
		raw->step = 2;
		if (dbuf_add(out, raw->after, raw->after_len) != DBUF_OK)
			BUG("raw second step over the output ceiling");
		return CONN_RAW_AFTER;
	}
	return CONN_RAW_MORE;
}

enum probe_raw_end
conn_raw_closed(const struct probe_raw *raw, int eof)
{
	/* a reset after our hello is a close; an orderly close may end a complete answer */
	return eof && raw->step == 1 && conn_raw_parse(raw) != HELLO_NEED_MORE ? PROBE_RAW_COMPLETE :
	    PROBE_RAW_CLOSED;
}
