/*
 * store.c — the front end of the store (see store.h): picks the backend a location names,
 * and turns a domain's JSON report (docs/report-schema.md, "check") into rows.
 *
 * The rows are read from the report, not from the check's structs: the report schema is the
 * documented, versioned contract, so the store, a PostgreSQL worker and a later `changes`
 * command all read the same facts the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/xalloc.h"
#include "verdict/finding.h"

#ifndef MAILTLS_VERSION
#define MAILTLS_VERSION "0.1.0"
#endif

struct store {
	const struct store_backend	*be;
	void				*h;
};

static const char *const store_run_status_names[STORE_RUN_LAST] = {
	[STORE_RUN_RUNNING] = "running",
	[STORE_RUN_DONE] = "done",
	[STORE_RUN_ABANDONED] = "abandoned",
};

const char *
store_run_status_name(enum store_run_status s)
{
	return (unsigned)s < STORE_RUN_LAST ? store_run_status_names[s] : "?";
}

enum store_kind
store_kind(const char *where, const char **rest)
{
	*rest = where;
	if (strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0)
		return STORE_KIND_PGSQL;
	if (strncmp(where, "sqlite:", 7) == 0)
		*rest = where + 7;
	return STORE_KIND_SQLITE;
}

void
store_display(const char *where, char *buf, size_t len)
{
	const char *rest, *auth, *at, *colon;

	snprintf(buf, len, "%s", where);
	if (store_kind(where, &rest) != STORE_KIND_PGSQL)
		return;
	auth = strstr(where, "://") + 3;
	/* the userinfo ends at the first '@' before the host part (the first '/' or '?') */
	at = strchr(auth, '@');
	if (at == NULL || (strcspn(auth, "/?") < (size_t)(at - auth)))
		return;
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (colon == NULL)
		return;
	snprintf(buf, len, "%.*s***%s", (int)(colon + 1 - where), where, at);
}

int32_t
store_slot_key(const char *ip)
{
	uint32_t h = 2166136261u;

	for (; *ip; ip++)
		h = (h ^ (unsigned char)*ip) * 16777619u;
	return (int32_t)h;	/* two's complement: every 32-bit pattern is a key */
}

struct store *
store_open(const char *where, int readonly, char *err, size_t errlen)
{
	const struct store_backend *be;
	struct store *st;
	void *h;

	if (where == NULL || *where == '\0') {
		snprintf(err, errlen, "no database named");
		return NULL;
	}
	be = store_kind(where, &where) == STORE_KIND_PGSQL ? &store_pgsql : &store_sqlite;
	if ((h = be->open(where, readonly, err, errlen)) == NULL)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	st->be = be;
	st->h = h;
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st->be->close(st->h);
	free(st);
}

const char *
store_error(struct store *st)
{
	return st->be->error(st->h);
}

const char *
store_backend_name(const struct store *st)
{
	return st->be->name;
}

int
store_run_open(struct store *st, enum store_open_mode mode, const char *input, const char *options,
    struct store_run *run)
{
	return st->be->run_open(st->h, mode, input, options, "mailtls " MAILTLS_VERSION, run);
}

int
store_run_counts(struct store *st, int64_t run, struct store_run_counts *c)
{
	return st->be->run_counts(st->h, run, c);
}

int
store_run_finish(struct store *st, int64_t run, enum store_run_status s)
{
	return st->be->run_finish(st->h, run, s);
}

int
store_run_latest(struct store *st, int64_t *run)
{
	return st->be->run_latest(st->h, run);
}

int
store_queue_add(struct store *st, int64_t run, struct store_target *t, size_t n,
    const struct store_input_error *e, size_t ne, long long offset, long long line, int eof)
{
	return st->be->queue_add(st->h, run, t, n, e, ne, offset, line, eof);
}

int
store_queue_next(struct store *st, int64_t run, long long after_seq, size_t limit,
    struct store_pending *p, size_t *n)
{
	return st->be->queue_next(st->h, run, after_seq, limit, p, n);
}

int
store_has_queue(const struct store *st)
{
	return st->be->queue_claim != NULL;
}

static int
store_no_queue(struct store *st)
{
	(void)st;
	return -1;
}

int
store_queue_claim(struct store *st, int64_t run, const char *worker, long lease_ms, size_t limit,
    struct store_pending *p, size_t *n)
{
	*n = 0;
	if (st->be->queue_claim == NULL)
		return store_no_queue(st);
	return st->be->queue_claim(st->h, run, worker, lease_ms, limit, p, n);
}

int
store_queue_renew(struct store *st, int64_t run, const char *worker, long lease_ms)
{
	if (st->be->queue_renew == NULL)
		return store_no_queue(st);
	return st->be->queue_renew(st->h, run, worker, lease_ms);
}

int
store_queue_state(struct store *st, int64_t run, struct store_queue_state *q)
{
	memset(q, 0, sizeof(*q));
	if (st->be->queue_state == NULL)
		return store_no_queue(st);
	return st->be->queue_state(st->h, run, q);
}

int
store_slot_acquire(struct store *st, const char *ip, int slots, int *slot)
{
	*slot = -1;
	if (st->be->slot_acquire == NULL)
		return store_no_queue(st);
	return st->be->slot_acquire(st->h, ip, slots, slot);
}

void
store_slot_release(struct store *st, const char *ip, int slot)
{
	if (st->be->slot_release != NULL && slot >= 0)
		st->be->slot_release(st->h, ip, slot);
}

int
store_rows(struct store *st, int64_t run, int (*cb)(void *, const struct store_row *), void *arg)
{
	return st->be->rows(st->h, run, cb, arg);
}

int
store_input_errors(struct store *st, int64_t run, int (*cb)(void *, long long, const char *,
    const char *), void *arg)
{
	return st->be->input_errors(st->h, run, cb, arg);
}

/* ---- the report as rows ------------------------------------------------------------------ */

static const char *
js(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long
ji(json_t *o, const char *k, long dflt)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

/* 1, 0, or -1 for null/absent */
static int
jb(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_true(v) ? 1 : json_is_false(v) ? 0 : -1;
}

static json_t *
jpath(json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

/* A JSON value as compact text in the arena (NULL for null/absent). */
static const char *
jtext(struct arena *a, json_t *v)
{
	char *s, *d;

	if (v == NULL || json_is_null(v))
		return NULL;
	if ((s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)) == NULL)
		return NULL;
	d = arena_strdup(a, s);
	free(s);
	return d;
}

static void
store_rec_findings(struct store_domain_rec *r, json_t *arr, const char *scope, int *worst)
{
	size_t i;
	json_t *f;

	json_array_foreach(arr, i, f) {
		struct store_finding_rec *fr = &r->find[r->nfind++];
		int s;

		fr->scope = scope;
		fr->id = js(f, "id");
		fr->severity = js(f, "severity");
		fr->detail = js(f, "detail");
		if ((s = fr->severity ? severity_by_name(fr->severity) : -1) > *worst)
			*worst = s;
	}
}

int
store_domain_rec(json_t *rep, struct arena *a, struct store_domain_rec *r)
{
	json_t *mx, *eps, *v, *e, *pol;
	size_t i, j, nf;
	int worst = -1;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(rep) || (r->domain = js(rep, "domain")) == NULL)
		return -1;
	v = json_object_get(rep, "verdict");
	r->protection = js(v, "downgrade_protection");
	r->can_read = jb(v, "active_attacker_can_read");
	r->accepts_mail = jb(v, "accepts_mail") == 1;
	r->delivery_at_risk = jb(v, "delivery_at_risk") == 1;
	r->weakest_mx = js(v, "weakest_mx");
	r->sentence = js(v, "sentence");
	r->dnssec = js(json_object_get(rep, "dnssec"), "status");
	r->dane = js(json_object_get(rep, "dane"), "status");
	r->connections = ji(rep, "connections", 0);
	r->elapsed_ms = ji(rep, "elapsed_ms", 0);
	r->grade = js(json_object_get(rep, "grade"), "letter");

	/* MTA-STS */
	v = jpath(rep, "mta_sts", "record");
	r->sts_record_present = jb(v, "present") == 1;
	r->sts_record_valid = jb(v, "valid") == 1;
	r->mta_sts_id = js(v, "id");
	r->sts_error = js(v, "error");
	pol = jpath(rep, "mta_sts", "policy");
	if (json_is_object(pol)) {
		r->sts_fetched = jb(pol, "fetched") == 1;
		r->sts_policy_valid = jb(pol, "valid") == 1;
		r->sts_http_status = ji(pol, "http_status", 0);
		r->sts_max_age = ji(pol, "max_age", -1);
		r->mta_sts_mode = js(pol, "mode");
		r->sts_mx_json = jtext(a, json_object_get(pol, "mx"));
		if (js(pol, "error"))
			r->sts_error = js(pol, "error");
	} else
		r->sts_max_age = -1;
	if (r->mta_sts_mode == NULL)
		r->mta_sts_mode = r->sts_record_present ? "invalid" : "none";
	v = json_object_get(rep, "tls_rpt");
	r->tlsrpt = jb(v, "present") != 1 ? "absent" : jb(v, "valid") == 1 ? "valid" : "invalid";

	/* MX hosts and their TLSA records */
	mx = json_object_get(rep, "mx");
	r->mx = arena_alloc(a, (json_array_size(mx) + 1) * sizeof(*r->mx));
	nf = 0;
	json_array_foreach(mx, i, v) {
		json_t *d = json_object_get(v, "dane");

		r->mx[i].host = js(v, "host");
		r->mx[i].pref = ji(v, "preference", -1);
		r->mx[i].use = js(v, "use");
		r->mx[i].addresses_dnssec = js(v, "addresses_dnssec");
		r->mx[i].dane_for_senders = js(v, "dane_for_senders");
		r->mx[i].dane_status = js(d, "status");
		r->mx[i].tlsa_name = js(d, "tlsa_name");
		r->mx[i].sts_pattern = js(v, "mta_sts_pattern");
		nf += json_array_size(json_object_get(d, "records"));
	}
	r->nmx = json_array_size(mx);
	r->tlsa = arena_alloc(a, (nf + 1) * sizeof(*r->tlsa));
	json_array_foreach(mx, i, v) {
		json_t *recs = jpath(v, "dane", "records"), *t;

		json_array_foreach(recs, j, t) {
			struct store_tlsa_rec *tr = &r->tlsa[r->ntlsa++];

			tr->host = r->mx[i].host;
			if (json_is_string(t))
				tr->record = json_string_value(t);
			else
				tr->record = arena_printf(a, "malformed:%s",
				    js(t, "malformed") ? js(t, "malformed") : "?");
		}
	}

	/* endpoints, their certificates, and every finding */
	eps = json_object_get(rep, "endpoints");
	nf = json_array_size(json_object_get(rep, "findings"));
	json_array_foreach(eps, i, e)
		nf += json_array_size(json_object_get(e, "findings"));
	r->find = arena_alloc(a, (nf + 1) * sizeof(*r->find));
	r->ep = arena_alloc(a, (json_array_size(eps) + 1) * sizeof(*r->ep));
	r->cert = arena_alloc(a, (json_array_size(eps) + 1) * sizeof(*r->cert));
	store_rec_findings(r, json_object_get(rep, "findings"), NULL, &worst);
	json_array_foreach(eps, i, e) {
		struct store_ep_rec *er = &r->ep[r->nep++];
		json_t *tls = json_object_get(e, "tls"), *c = json_object_get(e, "certificate");
		json_t *dane = json_object_get(e, "dane");

		er->host = js(e, "host");
		er->ip = js(e, "ip");
		er->port = ji(e, "port", 0);
		er->proto = js(e, "proto");
		er->refname = js(e, "reference_name");
		er->banner = js(e, "banner");
		er->connected = jb(e, "connected") == 1;
		er->starttls_offered = jb(json_object_get(e, "starttls"), "offered") == 1;
		er->tls = json_is_object(tls) && js(tls, "version") != NULL;
		er->tls_version = js(tls, "version");
		er->cipher = js(tls, "cipher");
		er->group = js(tls, "group");
		er->chain_valid = er->name_match = er->dane_verified = -1;
		if (json_is_object(c)) {
			struct store_cert_rec *cr = &r->cert[r->ncert];

			er->cert_sha256 = js(c, "sha256");
			er->chain_valid = jb(c, "chain_valid");
			er->name_match = jb(c, "name_match");
			if (er->cert_sha256 != NULL) {
				for (j = 0; j < r->ncert; j++)
					if (strcmp(r->cert[j].sha256, er->cert_sha256) == 0)
						break;
				if (j == r->ncert) {
					cr->sha256 = er->cert_sha256;
					cr->spki_sha256 = js(c, "spki_sha256");
					cr->subject = js(c, "subject");
					cr->issuer = js(c, "issuer");
					cr->not_before = js(c, "not_before");
					cr->not_after = js(c, "not_after");
					cr->key_type = js(c, "key_type");
					cr->key_bits = ji(c, "key_bits", 0);
					cr->sig_alg = js(c, "signature_algorithm");
					cr->self_signed = jb(c, "self_signed") == 1;
					cr->san_json = jtext(a, json_object_get(c, "san"));
					r->ncert++;
				}
			}
		}
		if (json_is_object(dane))
			er->dane_verified = jb(dane, "verified");
		er->grade = js(json_object_get(e, "grade"), "grade");
		er->connections = ji(e, "connections", 0);
		er->elapsed_ms = ji(e, "elapsed_ms", 0);
		store_rec_findings(r, json_object_get(e, "findings"), er->ip, &worst);
	}
	r->nfindings = (long)r->nfind;
	r->worst = worst >= 0 ? severity_name((enum severity)worst) : NULL;
	return 0;
}

int
store_domain_put(struct store *st, int64_t run, long long seq, long rank, json_t *report,
    const struct store_probe *probes, size_t nprobes)
{
	return store_domain_put_text(st, run, seq, rank, report, NULL, probes, nprobes);
}

int
store_domain_put_text(struct store *st, int64_t run, long long seq, long rank, json_t *report,
    const char *text, const struct store_probe *probes, size_t nprobes)
{
	struct store_domain_rec r;
	struct arena *a = arena_new();
	char *json;
	size_t i, j;
	int rc;

	if (store_domain_rec(report, a, &r) < 0) {
		arena_free(a);
		return -1;
	}
	r.seq = seq;
	r.rank = rank;
	r.probe = probes;
	r.nprobe = nprobes;
	/* each endpoint row names the probe behind it: same address, port and reference name */
	for (i = 0; i < r.nep; i++)
		for (j = 0; j < nprobes; j++)
			if (r.ep[i].ip && r.ep[i].refname && probes[j].ip && probes[j].refname &&
			    strcmp(r.ep[i].ip, probes[j].ip) == 0 && r.ep[i].port == probes[j].port &&
			    strcmp(r.ep[i].refname, probes[j].refname) == 0) {
				r.ep[i].probe_key = probes[j].key;
				break;
			}
	json = text != NULL ? NULL : json_dumps(report, JSON_COMPACT | JSON_PRESERVE_ORDER);
	r.json = text != NULL ? text : json ? json : "{}";
	rc = st->be->domain_put(st->h, run, &r);
	free(json);
	arena_free(a);
	return rc;
}
