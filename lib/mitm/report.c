/*
 * report.c — see report.h.  Every string that came from a client (the mechanism name, the TLS
 * error) was cleaned to printable ASCII where it was recorded; JSON strings go through
 * report_jstr() anyway.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "mitm/report.h"
#include "report/report.h"

#ifndef MAILTLS_VERSION
#define MAILTLS_VERSION "0.1.0"
#endif

static const char *const sev_color[SEVERITY_LAST] = {
	[SEVERITY_INFO] = "\033[32m",
	[SEVERITY_LOW] = "\033[36m",
	[SEVERITY_MEDIUM] = "\033[33m",
	[SEVERITY_HIGH] = "\033[31m",
	[SEVERITY_CRITICAL] = "\033[1;31m",
};

static void
add(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Append "; " and a formatted phrase, cut at len - 1. */
static void
add(char *buf, size_t len, const char *fmt, ...)
{
	size_t k = strlen(buf);
	va_list ap;

	if (k && k + 2 < len) {
		memcpy(buf + k, "; ", 3);
		k += 2;
	}
	if (k + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + k, len - k, fmt, ap);
	va_end(ap);
}

void
mitm_report_detail(const struct mitm_obs *o, char *buf, size_t len)
{
	buf[0] = '\0';
	if (o->attack_reached && o->attack == MITM_ATTACK_STRIP)
		add(buf, len, "STARTTLS hidden");
	if (o->starttls_sent)
		add(buf, len, "STARTTLS asked");
	if (o->helo_fallback)
		add(buf, len, "HELO fallback");
	if (o->tls == MITM_TLS_DONE && o->tls_commands > 0)
		add(buf, len, "TLS accepted (%s)", o->tls_version);
	else if (o->tls == MITM_TLS_DONE)
		add(buf, len, "TLS handshake (%s), then nothing", o->tls_version);
	else if (o->tls == MITM_TLS_FAILED)
		add(buf, len, "TLS refused: %s", o->tls_error);
	if (o->auth_clear || o->auth_tls)
		add(buf, len, "%s %s (%zu bytes) %s",
		    o->proto == MITM_PROTO_IMAP && strcmp(o->auth_mech, "LOGIN") == 0 ? "IMAP" :
		    o->proto == MITM_PROTO_XMPP ? "SASL" : "AUTH", o->auth_mech, o->auth_len,
		    o->auth_clear ? "in clear" : "inside TLS");
	if (o->mail_clear)
		add(buf, len, "mail in clear");
	if (o->mail_tls)
		add(buf, len, "mail inside TLS");
	if (o->inject_taken)
		add(buf, len, "injected reply taken");
	if (o->quit)
		add(buf, len, "quit");
	add(buf, len, "ended: %s", mitm_end_name(o->end));
}

static const char *
mode(const struct mitm_session *s)
{
	return s->upstream ? "proxy" : "sink";
}

void
mitm_report_text(FILE *f, const struct mitm_session *s, int color)
{
	const char *b = color ? "\033[1m" : "", *r = color ? "\033[0m" : "";
	char detail[512];
	size_t i;

	fprintf(f, "%smailtls mitm%s  %s %s on %s%s%s, name %s\n", b, r, mitm_proto_name(s->proto),
	    mode(s), s->listen, s->upstream ? " -> " : "", s->upstream ? s->upstream : "", s->name);
	if (s->nrecs == 0)
		fputs("  no client connected\n", f);
	else
		fprintf(f, "  %4s  %-22s  %-18s  %-26s  %s\n", "conn", "client", "attack", "outcome",
		    "what the client did");
	for (i = 0; i < s->nrecs; i++) {
		const struct mitm_record *rec = &s->recs[i];
		const struct mitm_outcome_info *oi = mitm_outcome_info(rec->outcome);
		char cl[64];

		snprintf(cl, sizeof(cl), "%s:%d", rec->client_ip, rec->client_port);
		mitm_report_detail(&rec->obs, detail, sizeof(detail));
		fprintf(f, "  %4u  %-22s  %-18s  %s%-26s%s  %s\n", rec->id, cl,
		    mitm_attack_name(rec->obs.attack), color ? sev_color[oi->severity] : "", oi->id,
		    r, detail);
	}
	for (i = 0; i < s->nruns; i++)
		fprintf(f, "  run %zu (%s): exit %d\n", i + 1, mitm_attack_name(s->runs[i].attack),
		    s->runs[i].status);
	for (i = 0; i < s->nclients; i++) {
		const struct mitm_client *c = &s->clients[i];

		fprintf(f, "%s%s%s: %s%s%s\n", b, c->key, r,
		    color ? sev_color[c->res.severity] : "", c->res.sentence, r);
	}
}

static json_t *
record_json(const struct mitm_record *rec)
{
	const struct mitm_obs *o = &rec->obs;
	const struct mitm_outcome_info *oi = mitm_outcome_info(rec->outcome);
	json_t *j = json_object(), *auth = json_null();

	if (o->auth_clear || o->auth_tls) {
		auth = json_object();
		json_object_set_new(auth, "where", json_string(o->auth_clear ? "clear" : "tls"));
		json_object_set_new(auth, "mechanism", report_jstr(o->auth_mech));
		json_object_set_new(auth, "length", json_integer((json_int_t)o->auth_len));
	}
	json_object_set_new(j, "id", json_integer(rec->id));
	json_object_set_new(j, "run", rec->run ? json_integer(rec->run) : json_null());
	json_object_set_new(j, "client", report_jstr(rec->client_ip));
	json_object_set_new(j, "client_port", json_integer(rec->client_port));
	json_object_set_new(j, "attack", json_string(mitm_attack_name(o->attack)));
	json_object_set_new(j, "outcome", json_string(oi->id));
	json_object_set_new(j, "severity", json_string(severity_name(oi->severity)));
	json_object_set_new(j, "attack_reached", json_boolean(o->attack_reached));
	json_object_set_new(j, "starttls_offered", json_boolean(o->offered));
	json_object_set_new(j, "starttls_sent", json_boolean(o->starttls_sent));
	json_object_set_new(j, "helo_fallback", json_boolean(o->helo_fallback));
	json_object_set_new(j, "tls", json_string(mitm_tls_name(o->tls)));
	json_object_set_new(j, "tls_version", o->tls_version[0] ? report_jstr(o->tls_version) :
	    json_null());
	json_object_set_new(j, "tls_error", o->tls_error[0] ? report_jstr(o->tls_error) :
	    json_null());
	json_object_set_new(j, "auth", auth);
	json_object_set_new(j, "mail_clear", json_boolean(o->mail_clear));
	json_object_set_new(j, "mail_tls", json_boolean(o->mail_tls));
	json_object_set_new(j, "inject_taken", json_boolean(o->inject_taken));
	json_object_set_new(j, "commands", json_integer(o->commands));
	json_object_set_new(j, "commands_after_attack", json_integer(o->after_attack));
	json_object_set_new(j, "commands_in_tls", json_integer(o->tls_commands));
	json_object_set_new(j, "quit", json_boolean(o->quit));
	json_object_set_new(j, "end", json_string(mitm_end_name(o->end)));
	json_object_set_new(j, "bytes_from_client", json_integer((json_int_t)rec->bytes_in));
	json_object_set_new(j, "ms", json_integer(rec->ms));
	return j;
}

json_t *
mitm_report_json(const struct mitm_session *s)
{
	static const char *const exposed[] = { "nothing", "mail", "credentials" };
	json_t *root = json_object(), *conns = json_array(), *clients = json_array(), *runs;
	size_t i;

	json_object_set_new(root, "schema", json_integer(MITM_REPORT_SCHEMA));
	json_object_set_new(root, "command", json_string("mitm"));
	json_object_set_new(root, "mailtls_version", json_string(MAILTLS_VERSION));
	json_object_set_new(root, "proto", json_string(mitm_proto_name(s->proto)));
	json_object_set_new(root, "mode", json_string(mode(s)));
	json_object_set_new(root, "listen", report_jstr(s->listen));
	json_object_set_new(root, "upstream", report_jstr(s->upstream));
	json_object_set_new(root, "name", report_jstr(s->name));
	json_object_set_new(root, "run", report_jstr(s->run_cmd));
	for (i = 0; i < s->nrecs; i++)
		json_array_append_new(conns, record_json(&s->recs[i]));
	json_object_set_new(root, "connections", conns);
	runs = json_array();
	for (i = 0; i < s->nruns; i++) {
		json_t *r = json_object();

		json_object_set_new(r, "run", json_integer((json_int_t)i + 1));
		json_object_set_new(r, "attack", json_string(mitm_attack_name(s->runs[i].attack)));
		json_object_set_new(r, "exit", s->runs[i].status < 0 ? json_null() :
		    json_integer(s->runs[i].status));
		json_array_append_new(runs, r);
	}
	json_object_set_new(root, "runs", runs);
	for (i = 0; i < s->nclients; i++) {
		const struct mitm_client *c = &s->clients[i];
		json_t *o = json_object();

		json_object_set_new(o, "client", report_jstr(c->key));
		json_object_set_new(o, "verdict", json_string(mitm_client_verdict_name(c->res.verdict)));
		json_object_set_new(o, "severity", json_string(severity_name(c->res.severity)));
		json_object_set_new(o, "exposed", json_string(exposed[c->res.exposed]));
		json_object_set_new(o, "summary", report_jstr(c->res.sentence));
		json_object_set_new(o, "connections", json_integer(c->nconn));
		json_array_append_new(clients, o);
	}
	json_object_set_new(root, "clients", clients);
	return root;
}
