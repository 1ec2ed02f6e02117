/*
 * json.c — the JSON report (schema documented in docs/report-schema.md; bump REPORT_SCHEMA on any
 * incompatible change).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "probe/endpoint.h"
#include "proto/proto.h"
#include "provider/web.h"
#include "probe/probe.h"
#include "scan/grade.h"
#include "scan/deep.h"
#include "scan/heartbleed.h"
#include "scan/scan.h"
#include "tls/cipher.h"
#include "tls/hello.h"
#include "report/report.h"
#include "verdict/finding.h"
#include "util/text.h"

#ifndef MAILTLS_VERSION
#define MAILTLS_VERSION "0.1.0"
#endif

/*
 * Every string goes through here: jansson refuses invalid UTF-8 (json_string() returns NULL,
 * and a NULL inside json_pack() silently drops the whole object), so anything that slipped past
 * text_clean() is cleaned again rather than lost.
 */
json_t *
report_jstr(const char *s)
{
	json_t *j;
	char buf[2048];

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	text_clean(buf, sizeof(buf), s, strlen(s));
	return json_string(buf);
}


static json_t *
report_caps_json(const struct smtp_caps *c)
{
	json_t *o, *kw, *auth;
	const char *p, *q;
	size_t i;

	if (c == NULL)
		return json_null();
	kw = json_array();
	for (i = 0; i < c->nkeywords; i++)
		json_array_append_new(kw, report_jstr(c->keywords[i]));
	auth = json_array();
	for (p = c->auth_mechs; p && *p; p = q) {
		while (*p == ' ')
			p++;
		q = strchr(p, ' ');
		if (q == NULL)
			q = p + strlen(p);
		if (q > p)
			json_array_append_new(auth, json_stringn(p, (size_t)(q - p)));
	}
	o = json_pack("{s:b, s:b, s:o, s:b, s:b, s:b, s:o}",
	    "starttls", c->starttls, "pipelining", c->pipelining, "auth", auth,
	    "8bitmime", c->eightbitmime, "smtputf8", c->smtputf8, "requiretls", c->requiretls,
	    "keywords", kw);
	json_object_set_new(o, "size", c->size > 0 ? json_integer(c->size) : json_null());
	json_object_set_new(o, "greeting", report_jstr(c->greeting));
	return o;
}

static json_t *
report_cert_json(const struct endpoint_cert *c)
{
	json_t *o, *san, *chain;
	size_t i;

	if (c == NULL)
		return json_null();
	san = json_array();
	for (i = 0; i < c->nsan; i++)
		json_array_append_new(san, report_jstr(c->san[i]));
	chain = json_array();
	for (i = 0; i < c->nchain; i++)
		json_array_append_new(chain, json_pack("{s:o, s:o}", "subject",
		    report_jstr(c->chain[i].subject), "issuer", report_jstr(c->chain[i].issuer)));
	o = json_object();
	json_object_set_new(o, "subject", report_jstr(c->subject));
	json_object_set_new(o, "issuer", report_jstr(c->issuer));
	json_object_set_new(o, "not_before", report_jstr(c->not_before));
	json_object_set_new(o, "not_after", report_jstr(c->not_after));
	json_object_set_new(o, "days_left", json_integer(c->days_left));
	json_object_set_new(o, "chain_valid", json_boolean(c->chain_valid));
	json_object_set_new(o, "chain_error", report_jstr(c->chain_error));
	json_object_set_new(o, "name_match", json_boolean(c->name_match));
	json_object_set_new(o, "matched_name", report_jstr(c->name_matched));
	json_object_set_new(o, "expired", json_boolean(c->expired));
	json_object_set_new(o, "not_yet_valid", json_boolean(c->not_yet_valid));
	json_object_set_new(o, "self_signed", json_boolean(c->self_signed));
	json_object_set_new(o, "key_type", report_jstr(c->key_type));
	json_object_set_new(o, "key_bits", json_integer(c->key_bits));
	json_object_set_new(o, "signature_algorithm", report_jstr(c->sig_alg));
	json_object_set_new(o, "sha256", report_jstr(c->sha256));
	json_object_set_new(o, "spki_sha256", report_jstr(c->spki_sha256));
	json_object_set_new(o, "san", san);
	json_object_set_new(o, "chain", chain);
	return o;
}

static json_t *
report_reasons(const struct grade_reasons *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->n; i++)
		json_array_append_new(a, json_string(r->s[i]));
	return a;
}

static json_t *
report_answer(enum tlsenum_answer a)
{
	return a == TLSENUM_YES ? json_true() : a == TLSENUM_NO ? json_false() : json_null();
}

static json_t *
report_num_or_null(long v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *
report_robot_json(const struct robot_report *r)
{
	json_t *rounds = json_array();
	unsigned int k;
	int v;
	char buf[128];

	for (k = 0; k < r->rounds; k++) {
		json_t *o = json_object();

		for (v = 0; v < ROBOT_V_LAST; v++) {
			rawhs_reaction_format(&r->reaction[k][v], buf, sizeof(buf));
			json_object_set_new(o, robot_variant_name((enum robot_variant)v), report_jstr(buf));
		}
		json_array_append_new(rounds, o);
	}
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:i}", "result", robot_result_name(r->result),
	    "version", r->version ? report_jstr(hello_version_name(r->version)) : json_null(),
	    "suite", r->suite && cipher_by_code(r->suite) ?
	    json_string(cipher_by_code(r->suite)->name) : json_null(),
	    "detail", report_jstr(r->detail), "reactions", rounds, "connections", r->connections);
}

/* issue 13: ROBOT, CCS injection, sessions, EMS, key-exchange hash, chain, CAA (deep.h) */
static json_t *
report_deep_json(const struct deep_report *d)
{
	const struct session_report *s = &d->sess;
	int fact_conn = s->handshake ? 1 : 0;
	json_t *o = json_object(), *caa, *iss;
	size_t i;

	json_object_set_new(o, "robot", report_robot_json(&d->robot));
	json_object_set_new(o, "ccs_injection", json_pack("{s:s, s:o, s:i}", "result",
	    ccs_result_name(d->ccs.result), "detail", report_jstr(d->ccs.detail), "connections",
	    d->ccs.connections));
	json_object_set_new(o, "client_renegotiation", json_pack("{s:o, s:o, s:i}", "accepted",
	    report_answer(s->reneg), "detail", report_jstr(s->reneg_detail[0] ? s->reneg_detail :
	    NULL), "connections", s->reneg == TLSENUM_NOT_APPLICABLE ? 0 : 1));
	json_object_set_new(o, "extended_master_secret", json_pack("{s:o, s:i}", "supported",
	    report_answer(d->ems), "connections", 0));
	json_object_set_new(o, "resumption", json_pack("{s:o, s:o, s:o, s:o, s:o, s:i}",
	    "session_id", report_answer(s->resume_id), "ticket", report_answer(s->resume_ticket),
	    "ticket_version", s->ticket_version ? report_jstr(hello_version_name(s->ticket_version)) :
	    json_null(), "ticket_lifetime_hint", report_num_or_null(s->ticket_hint12),
	    "ticket_lifetime_tls13", report_num_or_null(s->ticket_lifetime13), "connections",
	    s->connections));
	json_object_set_new(o, "early_data", json_pack("{s:o, s:o, s:I, s:i}", "offered",
	    report_answer(s->early_data_offered), "accepted", report_answer(s->early_data_accepted),
	    "max_early_data", (json_int_t)s->max_early_data, "connections", s->connections13));
	json_object_set_new(o, "ocsp_stapling", s->handshake ? json_pack("{s:s, s:o, s:o, s:i}",
	    "status", ocsp_staple_name(s->ocsp.status), "this_update",
	    s->ocsp.this_update[0] ? json_string(s->ocsp.this_update) : json_null(), "next_update",
	    s->ocsp.next_update[0] ? json_string(s->ocsp.next_update) : json_null(),
	    "connections", fact_conn) : json_null());
	json_object_set_new(o, "sct", s->handshake ? json_pack("{s:i, s:i, s:i, s:i}",
	    "tls_extension", s->scts_tls, "ocsp", s->scts_ocsp, "certificate", s->scts_cert,
	    "connections", fact_conn) : json_null());
	json_object_set_new(o, "key_exchange_hash", json_pack("{s:s, s:o, s:i}", "result",
	    deep_kxhash_name(d->kxhash), "detail", report_jstr(d->kxhash_detail),
	    "connections", d->kxhash_connections));
	json_object_set_new(o, "chain", s->handshake ? json_pack(
	    "{s:s, s:i, s:i, s:i, s:b, s:b, s:b, s:o, s:i}", "complete",
	    deep_chain_name(d->chain), "certificates", (int)s->chain.ncerts, "path",
	    (int)s->chain.path, "extra", (int)s->chain.extra, "ordered", s->chain.ordered,
	    "root_sent", s->chain.root_sent, "issuer_missing", s->chain.issuer_missing,
	    "missing_issuer", s->chain.issuer_missing ? report_jstr(s->chain.last_issuer) :
	    json_null(), "connections", fact_conn) : json_null());
	if (d->caa_checked) {
		iss = json_array();
		for (i = 0; i < d->caa.set.nissuers && i < CAA_ISSUERS_MAX; i++)
			json_array_append_new(iss, report_jstr(d->caa.set.issuers[i]));
		caa = json_pack("{s:s, s:s, s:o, s:i, s:i, s:o, s:b, s:b, s:i}", "outcome",
		    caa_outcome_name(d->caa.outcome), "dnssec", resolver_status_name(d->caa.status),
		    "owner", d->caa.owner[0] ? report_jstr(d->caa.owner) : json_null(), "records",
		    (int)d->caa.set.nrecords, "malformed", (int)d->caa.set.malformed, "issuers", iss,
		    "issue_none", d->caa.set.issue_none, "critical_unknown",
		    d->caa.set.critical_unknown, "lookups", d->caa.lookups);
	} else
		caa = json_null();
	json_object_set_new(o, "caa", caa);
	json_object_set_new(o, "session_connections", json_integer(s->connections));
	json_object_set_new(o, "connections", json_integer(d->connections));
	json_object_set_new(o, "elapsed_ms", json_integer(d->elapsed_ms));
	return o;
}

/* --full: versions, suites per version (server order where it has one), groups. */
static void
report_scan_json(json_t *tls, const struct scan_result *sr)
{
	const struct tlsenum_report *r = &sr->report;
	json_t *versions = json_array(), *ciphers = json_object(), *order = json_object();
	json_t *groups = json_array(), *kx = json_array(), *ext;
	char name[16];
	size_t i;
	int v;

	for (v = TLSENUM_VERSION_LAST - 1; v >= 0; v--) {
		const struct tlsenum_version_report *vr = &r->v[v];
		const char *vn = tlsenum_version_name((enum tlsenum_version)v);
		json_t *list;

		if (vr->supported != TLSENUM_YES)
			continue;
		list = json_array();
		json_array_append_new(versions, json_string(vn));
		if (v == TLSENUM_SSL2) {
			for (i = 0; i < vr->nsslv2_specs; i++) {
				const struct cipher_sslv2 *c2 = cipher_sslv2_by_code(vr->sslv2_specs[i]);

				if (c2)
					json_array_append_new(list, json_string(c2->name));
				else {
					snprintf(name, sizeof(name), "0x%06x", (unsigned)vr->sslv2_specs[i]);
					json_array_append_new(list, json_string(name));
				}
			}
		} else
			for (i = 0; i < vr->nsuites; i++) {
				const struct cipher_suite *cs = cipher_by_code(vr->suites[i]);

				if (cs)
					json_array_append_new(list, json_string(cs->name));
				else {
					snprintf(name, sizeof(name), "0x%04x", vr->suites[i]);
					json_array_append_new(list, json_string(name));
				}
			}
		json_object_set_new(ciphers, vn, list);
		json_object_set_new(order, vn, report_answer(vr->server_order));
	}
	for (i = 0; i < r->ngroups13; i++) {
		const char *g = hello_group_name(r->groups13[i]);

		json_array_append_new(groups, g ? json_string(g) : json_integer(r->groups13[i]));
	}
	for (i = 0; i < r->ngroups12; i++) {
		const char *g = hello_group_name(r->groups12[i]);
		json_t *gv = g ? json_string(g) : json_integer(r->groups12[i]);
		size_t k;
		int dup = 0;

		json_array_foreach(groups, k, ext)
			if (json_equal(ext, gv))
				dup = 1;
		if (!dup)
			json_array_append(groups, gv);
		json_decref(gv);
	}
	for (i = 0; i < r->nkx; i++) {
		const char *g = r->kx[i].group ? hello_group_name(r->kx[i].group) : NULL;

		json_array_append_new(kx, json_pack("{s:s, s:s, s:o, s:i}", "kx",
		    cipher_kx_name(r->kx[i].kx), "version",
		    tlsenum_version_name(r->kx[i].version), "group", g ? json_string(g) : json_null(),
		    "bits", (int)r->kx[i].bits));
	}
	ext = json_pack("{s:o, s:b, s:b, s:b, s:b, s:o, s:o, s:o}",
	    "secure_renegotiation", report_answer(r->secure_reneg),
	    "extended_master_secret", (r->exts & TLSENUM_EXT_EMS) != 0,
	    "encrypt_then_mac", (r->exts & TLSENUM_EXT_ETM) != 0,
	    "session_ticket", (r->exts & TLSENUM_EXT_TICKET) != 0,
	    "ocsp_stapling", (r->exts & TLSENUM_EXT_STATUS) != 0,
	    "heartbeat", report_answer(r->heartbeat),
	    "compression", report_answer(r->compression),
	    "fallback_scsv", report_answer(r->fallback_scsv));
	json_object_set_new(tls, "versions", versions);
	json_object_set_new(tls, "ciphers", ciphers);
	json_object_set_new(tls, "server_order", order);
	json_object_set_new(tls, "groups", groups);
	json_object_set_new(tls, "key_exchange", kx);
	json_object_set_new(tls, "extensions", ext);
	json_object_set_new(tls, "heartbleed", json_string(heartbleed_name(
	    (enum heartbleed_result)sr->heartbleed)));
	if (sr->deep)
		json_object_set_new(tls, "checks", report_deep_json(sr->deep));
	json_object_set_new(tls, "enumeration", json_pack("{s:i, s:i, s:i, s:b, s:o}",
	    "connections", sr->connections, "floor", (int)r->floor, "backoffs", sr->backoffs,
	    "complete", !r->incomplete, "incomplete_reason", report_jstr(r->incomplete_reason)));
}

static json_t *
report_grade_json(const struct grade_result *g)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:i, s:o, s:{s:s, s:o}, s:{s:b, s:b, s:o}}",
	    "grade", g->display, "letter", grade_letter_name(g->letter),
	    "tls_letter", grade_letter_name(g->tls_letter),
	    "trust_marked", (g->marks & GRADE_MARK_T) != 0, "name_marked", (g->marks & GRADE_MARK_M) != 0,
	    "score", g->score, "reasons", report_reasons(&g->reasons),
	    "ncsc", "verdict", grade_ncsc_name(g->ncsc), "reasons", report_reasons(&g->ncsc_reasons),
	    "mozilla", "modern", g->mozilla_modern, "intermediate", g->mozilla_intermediate,
	    "reasons", report_reasons(&g->mozilla_reasons));
}

static const char *const report_required_probe[3] = { "not_tested", "refused", "accepted" };

/* docs/report-schema.md, endpoint "protocol" */
static json_t *
report_facts_json(const struct endpoint *ep)
{
	const struct proto_facts *f = ep->facts;
	const struct proto_info *pi = proto_info(ep->proto);

	return json_pack("{s:s, s:b, s:b, s:b, s:o, s:b, s:b, s:s, s:o, s:o, s:o, s:o, s:b, s:o}",
	    "family", pi ? pi->family : "?", "implicit_tls", f->implicit_tls, "upgrade_offered",
	    f->upgrade_offered, "credentials_before_tls", f->cred_before_tls, "credentials_detail",
	    report_jstr(f->cred_detail), "login_disabled", f->login_disabled, "tls_required",
	    f->tls_required, "required_probe", report_required_probe[(unsigned)f->required_probe % 3],
	    "capabilities_plain", report_jstr(f->caps_plain), "capabilities_tls",
	    report_jstr(f->caps_tls), "server_name", report_jstr(f->server_name), "stream_id",
	    report_jstr(f->stream_id), "dialback", f->dialback, "tls_mandatory", f->mandatory ?
	    json_pack("{s:s, s:o}", "value", f->mandatory, "rule", report_jstr(f->mandatory_rule)) :
	    json_null());
}

/* docs/report-schema.md, endpoint "web" (https) */
static json_t *
report_web_json(const struct web_result *w)
{
	return json_pack("{s:{s:b, s:I, s:o, s:o, s:o}, s:{s:b, s:I, s:o, s:b, s:o}}",
	    "https", "ok", w->https_ok, "status", (json_int_t)w->https_status, "error",
	    report_jstr(w->https_error), "hsts", report_jstr(w->hsts), "hsts_parsed", w->hsts ?
	    json_pack("{s:b, s:I, s:b, s:b}", "valid", w->hsts_parsed.valid, "max_age",
	    (json_int_t)w->hsts_parsed.max_age, "include_subdomains", w->hsts_parsed.subdomains,
	    "preload", w->hsts_parsed.preload) : json_null(),
	    "http", "ok", w->http_ok, "status", (json_int_t)w->http_status, "location",
	    report_jstr(w->http_location), "redirects_to_https", w->http_redirects_https, "error",
	    report_jstr(w->http_error));
}

json_t *
report_endpoint_json(const struct endpoint *ep)
{
	json_t *o, *f, *tr, *tls = json_null();
	const struct finding_info *fi;
	char line[300];
	size_t i;

	if (ep->tls != NULL)
		tls = json_pack("{s:o, s:o, s:o, s:o, s:o}", "version", report_jstr(ep->tls->version),
		    "cipher", report_jstr(ep->tls->cipher), "group", report_jstr(ep->tls->group),
		    "signature_algorithm", report_jstr(ep->tls->sigalg), "sni", report_jstr(ep->tls->sni));
	if (ep->scan) {
		if (json_is_null(tls))
			tls = json_object();
		report_scan_json(tls, ep->scan);
	}
	f = json_array();
	for (i = 0; i < ep->nfindings; i++) {
		fi = finding_info(ep->findings[i].id);
		json_array_append_new(f, json_pack("{s:s, s:s, s:s, s:o, s:s}", "id", fi->name,
		    "severity", severity_name(ep->findings[i].severity), "summary", fi->summary,
		    "detail", report_jstr(ep->findings[i].detail), "remedy", fi->remedy));
	}
	tr = json_array();
	for (i = 0; i < ep->nlines; i++) {
		snprintf(line, sizeof(line), "%c %s", ep->lines[i].dir, ep->lines[i].text);
		json_array_append_new(tr, report_jstr(line));
	}
	o = json_object();
	json_object_set_new(o, "host", report_jstr(ep->host));
	json_object_set_new(o, "ip", report_jstr(ep->ip));
	json_object_set_new(o, "port", json_integer(ep->port));
	json_object_set_new(o, "proto", json_string(endpoint_proto_name(ep->proto)));
	json_object_set_new(o, "reference_name", report_jstr(ep->refname));
	json_object_set_new(o, "connected", json_boolean(ep->connected));
	json_object_set_new(o, "banner", report_jstr(ep->banner));
	json_object_set_new(o, "starttls", json_pack("{s:b, s:b}", "offered", ep->starttls_offered,
	    "implicit", proto_info(ep->proto) && proto_info(ep->proto)->implicit));
	if (ep->scan)	/* --full: the pipelined-STARTTLS test (CVE-2011-0411) */
		json_object_set_new(json_object_get(o, "starttls"), "command_injection",
		    json_pack("{s:s, s:o, s:i}", "result", probe_pipe_name(
		    (enum probe_pipe_result)ep->cmd_injection), "detail",
		    report_jstr(ep->cmd_injection_reason), "connections",
		    ep->cmd_injection_connections));
	json_object_set_new(o, "capabilities", json_pack("{s:o, s:o}", "plain",
	    report_caps_json(ep->caps_plain), "tls", report_caps_json(ep->caps_tls)));
	if (ep->facts)	/* protocols on the engine: the same facts in the same words */
		json_object_set_new(o, "protocol", report_facts_json(ep));
	if (ep->web)
		json_object_set_new(o, "web", report_web_json(ep->web));
	json_object_set_new(o, "tls", tls);
	json_object_set_new(o, "certificate", report_cert_json(ep->cert));
	if (ep->dane)
		json_object_set_new(o, "dane", json_pack("{s:b, s:i, s:i, s:i, s:o, s:o}",
		    "verified", ep->dane->verified, "records", ep->dane->records,
		    "usable", ep->dane->usable, "depth", ep->dane->depth,
		    "matched", report_jstr(ep->dane->matched), "error", report_jstr(ep->dane->error)));
	else
		json_object_set_new(o, "dane", json_null());
	json_object_set_new(o, "findings", f);
	json_object_set_new(o, "transcript", tr);
	json_object_set_new(o, "grade", ep->grade ? report_grade_json(ep->grade) : json_null());
	json_object_set_new(o, "connections", json_integer(ep->connections));
	json_object_set_new(o, "elapsed_ms", json_integer(ep->elapsed_ms));
	return o;
}

json_t *
report_json_new(const struct report_opts *ro)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:i, s:{s:s, s:s}, s:s, s:s, s:[]}", "schema", REPORT_SCHEMA, "tool",
	    "name", "mailtls", "version", MAILTLS_VERSION, "command", ro->command ? ro->command : "",
	    "generated", buf, "endpoints");
}
