/*
 * provider_json.c — the "providers" section of the JSON report (docs/report-schema.md).
 */
#include <jansson.h>

#include "probe/endpoint.h"
#include "proto/proto.h"
#include "provider/provider.h"
#include "provider/summary.h"
#include "report/provider_render.h"
#include "report/report.h"
#include "scan/tlsenum.h"
#include "scan/scan.h"
#include "verdict/finding.h"

static json_t *
provider_versions_json(const struct endpoint *ep)
{
	json_t *a = json_array();
	int v;

	if (ep == NULL)
		return a;
	if (ep->scan) {
		for (v = TLSENUM_VERSION_LAST - 1; v >= 0; v--)
			if (ep->scan->report.v[v].supported == TLSENUM_YES)
				json_array_append_new(a, json_string(tlsenum_version_name((enum tlsenum_version)v)));
	} else if (ep->tls && ep->tls->version)
		json_array_append_new(a, json_string(ep->tls->version));
	return a;
}

static json_t *
provider_service_json(const struct provider_service *s)
{
	const struct endpoint *ep = s->nep ? s->ep[0] : NULL;
	json_t *o, *eps = json_array();
	size_t i;

	for (i = 0; i < s->nep; i++)
		json_array_append_new(eps, report_endpoint_json(s->ep[i]));
	o = json_object();
	json_object_set_new(o, "service", json_string(provider_service_label(s->proto)));
	json_object_set_new(o, "proto", json_string(endpoint_proto_name((enum endpoint_proto)s->proto)));
	json_object_set_new(o, "host", report_jstr(s->host));
	json_object_set_new(o, "port", json_integer(s->port));
	json_object_set_new(o, "source", report_jstr(s->source));
	json_object_set_new(o, "guessed", json_boolean(s->guessed));
	json_object_set_new(o, "advised", s->advised ? json_string(s->advised) : json_null());
	json_object_set_new(o, "dnssec", json_pack("{s:s, s:s, s:o}", "name",
	    resolver_status_name(s->name_status), "addresses", resolver_status_name(s->addr_status),
	    "tlsa", s->tlsa_name ? json_string(resolver_status_name(s->tlsa_status)) : json_null()));
	json_object_set_new(o, "tlsa_name", s->tlsa_name ? report_jstr(s->tlsa_name) : json_null());
	json_object_set_new(o, "tlsa_records", json_integer((json_int_t)s->ntlsa_all));
	json_object_set_new(o, "dane", json_string(provider_dane_name(s->dane)));
	json_object_set_new(o, "tls_mandatory", json_pack("{s:s, s:o}", "value",
	    mandatory_name(s->mandatory.value), "rule", report_jstr(s->mandatory.rule)));
	json_object_set_new(o, "reachable", json_boolean(ep && ep->connected));
	json_object_set_new(o, "certificate", json_string(ep ? summary_cert(ep) : "-"));
	json_object_set_new(o, "versions", provider_versions_json(ep));
	json_object_set_new(o, "ciphers", json_string(ep ? summary_ciphers(ep) : "-"));
	json_object_set_new(o, "grade", ep && ep->grade ? json_string(ep->grade->display) : json_null());
	json_object_set_new(o, "endpoints", eps);
	return o;
}

json_t *
report_provider_json(const struct provider_result *r)
{
	json_t *o = json_object(), *svcs = json_array(), *f = json_array(), *ac, *srv;
	size_t i;

	for (i = 0; i < r->nsvc; i++)
		json_array_append_new(svcs, provider_service_json(&r->svc[i]));
	for (i = 0; i < r->nfind; i++) {
		const struct finding_info *fi = finding_info((enum finding_id)r->find[i].id);

		json_array_append_new(f, json_pack("{s:s, s:s, s:o, s:o, s:s, s:s}", "id", fi->name,
		    "severity", severity_name(fi->severity), "service", report_jstr(r->find[i].service),
		    "detail", report_jstr(r->find[i].detail), "summary", fi->summary, "remedy",
		    fi->remedy));
	}
	srv = json_array();
	for (i = 0; i < r->autoconfig.nservers; i++) {
		const struct autoconfig_server *a = &r->autoconfig.servers[i];

		json_array_append_new(srv, json_pack("{s:s, s:o, s:o, s:i, s:s}", "direction",
		    a->outgoing ? "outgoing" : "incoming", "type", report_jstr(a->type), "hostname",
		    report_jstr(a->hostname), "port", a->port, "socket_type",
		    autoconfig_socket_name(a->socket)));
	}
	ac = json_pack("{s:b, s:b, s:I, s:o, s:o}", "tried", r->autoconfig_tried, "fetched",
	    r->autoconfig_ok, "status", (json_int_t)r->autoconfig_status, "error",
	    report_jstr(r->autoconfig_error), "servers", srv);
	json_object_set_new(o, "domain", report_jstr(r->domain));
	json_object_set_new(o, "mx_dnssec", json_string(resolver_status_name(r->mx_status)));
	json_object_set_new(o, "autoconfig", ac);
	json_object_set_new(o, "services", svcs);
	json_object_set_new(o, "findings", f);
	json_object_set_new(o, "connections", json_integer(r->connections));
	json_object_set_new(o, "elapsed_ms", json_integer(r->elapsed_ms));
	return o;
}
