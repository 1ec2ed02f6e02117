/*
 * endpoint.c — recording what a probe saw.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe/endpoint.h"
#include "proto/proto.h"
#include "util/arena.h"
#include "util/text.h"

/* The protocol table is lib/proto/proto.c's (one row per protocol). */
const char *
endpoint_proto_name(enum endpoint_proto p)
{
	const struct proto_info *pi = proto_info(p);

	return pi ? pi->name : "?";
}

int
endpoint_proto_port(enum endpoint_proto p)
{
	const struct proto_info *pi = proto_info(p);

	return pi ? pi->port : 0;
}

int
endpoint_proto_by_name(const char *s)
{
	return proto_by_name(s);
}

struct endpoint *
endpoint_new(struct arena *a, const char *host, const char *ip, int port, enum endpoint_proto proto,
    const char *refname)
{
	struct endpoint *ep = arena_alloc(a, sizeof(*ep));

	ep->host = arena_strdup(a, host);
	ep->ip = arena_strdup(a, ip);
	ep->port = port;
	ep->proto = proto;
	ep->refname = arena_strdup(a, refname ? refname : host);
	return ep;
}

void
endpoint_finding(struct endpoint *ep, struct arena *a, enum finding_id id, const char *fmt, ...)
{
	struct endpoint_finding *f;
	va_list ap;
	char buf[512];

	if (endpoint_has(ep, id) || ep->nfindings == ENDPOINT_FINDINGS_MAX)
		return;
	f = &ep->findings[ep->nfindings++];
	f->id = id;
	f->severity = finding_info(id)->severity;
	f->detail = NULL;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		f->detail = text_clean_dup(a, buf);	/* server text inside */
	}
}

int
endpoint_has(const struct endpoint *ep, enum finding_id id)
{
	size_t i;

	for (i = 0; i < ep->nfindings; i++)
		if (ep->findings[i].id == id)
			return 1;
	return 0;
}

enum severity
endpoint_worst(const struct endpoint *ep, int *any)
{
	enum severity w = SEVERITY_INFO;
	size_t i;

	*any = ep->nfindings > 0;
	for (i = 0; i < ep->nfindings; i++)
		if (ep->findings[i].severity > w)
			w = ep->findings[i].severity;
	return w;
}

/*
 * Keep a transcript line, made printable by text_clean(): a hostile server's bytes never reach a
 * terminal raw.  Line ends are dropped; long lines are cut at 200 bytes.
 */
void
endpoint_log(struct endpoint *ep, struct arena *a, char dir, const char *text, size_t len)
{
	char raw[200] = { 0 }, buf[256];
	size_t i, o = 0, n;

	if (ep->nlines == ENDPOINT_TRANSCRIPT_MAX) {
		ep->lines_dropped++;
		return;
	}
	for (i = 0; i < len && o < sizeof(raw); i++)
		if (text[i] != '\r' && text[i] != '\n')
			raw[o++] = text[i];
	n = text_clean(buf, sizeof(buf) - 3, raw, o);
	if (i < len)
		memcpy(buf + n, "...", 4);
	ep->lines[ep->nlines].dir = dir;
	ep->lines[ep->nlines].text = arena_strdup(a, buf);
	ep->nlines++;
}
