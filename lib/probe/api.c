/*
 * api.c — include/mailtls.h on top of the probe, batch and report modules.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "mailtls.h"
#include "net/sock.h"
#include "probe/batch.h"
#include "report/report.h"
#include "tls/tls.h"
#include "util/arena.h"

const char *
mailtls_version(void)
{
	return MAILTLS_VERSION_STRING;
}

void
mailtls_free(void *p)
{
	free(p);
}

enum mailtls_status
mailtls_host_json(const struct mailtls_host_opts *o, char **json)
{
	struct sock_target t;
	struct probe_params pp;
	struct tls_config tc = { o->ca_file, o->ca_path };
	struct report_opts ro = { 0, 0, "host" };
	struct tls_client *tls;
	struct event_base *base;
	struct arena *a;
	struct batch *b;
	struct endpoint *ep;
	json_t *root;
	char err[256];
	int proto = ENDPOINT_PROTO_SMTP;
	enum mailtls_status st = MAILTLS_OK;

	*json = NULL;
	if (o->target == NULL || sock_target_parse(o->target, &t) < 0 || !t.is_ip)
		return MAILTLS_EUSAGE;	/* the library takes address literals; resolve first */
	if (o->proto && (proto = endpoint_proto_by_name(o->proto)) < 0)
		return MAILTLS_EUSAGE;
	if ((tls = tls_client_new(&tc, err, sizeof(err))) == NULL)
		return MAILTLS_EUSAGE;
	if ((base = event_base_new()) == NULL) {
		tls_client_free(tls);
		return MAILTLS_EINTERNAL;
	}
	a = arena_new();
	b = batch_new(base, a, 1, 1);
	memset(&pp, 0, sizeof(pp));
	pp.host = t.host;
	pp.ip = t.host;
	pp.port = t.port ? t.port : endpoint_proto_port((enum endpoint_proto)proto);
	pp.proto = (enum endpoint_proto)proto;
	pp.refname = o->name ? o->name : t.host;
	pp.ehlo = o->ehlo ? o->ehlo : "localhost.localdomain";
	pp.connect_ms = PROBE_CONNECT_MS;
	pp.reply_ms = PROBE_REPLY_MS;
	pp.tls_ms = PROBE_TLS_MS;
	pp.total_ms = o->timeout_ms > 0 ? o->timeout_ms : PROBE_TOTAL_MS;
	pp.tls = tls;
	batch_add(b, &pp);
	batch_run(b);
	ep = batch_endpoint(b, 0);
	if (!ep->connected)
		st = MAILTLS_EUNREACHABLE;
	root = report_json_new(&ro);
	json_array_append_new(json_object_get(root, "endpoints"), report_endpoint_json(ep));
	*json = json_dumps(root, JSON_PRESERVE_ORDER);
	json_decref(root);
	batch_free(b);
	arena_free(a);
	event_base_free(base);
	tls_client_free(tls);
	return *json ? st : MAILTLS_EINTERNAL;
}
