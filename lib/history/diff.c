/*
 * diff.c — the changes between two check reports of one domain (diff.h).  PURE: two JSON
 * objects in, change records out; the decision table is docs/internals/history.md and the IDs
 * are docs/changes.md (generated from history_kinds[], checked by tests/unit/test_changes.c).
 *
 * Endpoints are matched by (MX host, address, port); an endpoint present on one side only is an
 * address added or removed, never a certificate change.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <time.h>

#include "history/diff.h"
#include "util/xalloc.h"

const struct history_kind_info history_kinds[HISTORY_LAST] = {
	[HISTORY_MX_ADDED] = { "mx.added", SEVERITY_MEDIUM,
	    "A new MX host appeared.",
	    "A sender's pinned per-domain policy (smtp_tls_policy_maps with match=, a fingerprint) "
	    "does not know it: mail to it may defer." },
	[HISTORY_MX_REMOVED] = { "mx.removed", SEVERITY_LOW,
	    "An MX host is no longer listed.",
	    "Policies naming it are stale; harmless unless it was the only one they allowed." },
	[HISTORY_ADDRESS_ADDED] = { "address.added", SEVERITY_LOW,
	    "An MX host has a new address.",
	    "A new server answers for the host: its TLS and certificate are new to you." },
	[HISTORY_ADDRESS_REMOVED] = { "address.removed", SEVERITY_INFO,
	    "An MX host lost an address.",
	    "Usually a renumbering; listed so that the history is complete." },
	[HISTORY_CERT_REPLACED] = { "cert.replaced", SEVERITY_MEDIUM,
	    "The certificate an MX address serves was replaced (old and new SHA-256, issuer, key "
	    "changed or reused).",
	    "Fingerprint pins (smtp_tls_policy_maps fingerprint, TLSA 3 0 1) break; a new key breaks "
	    "TLSA 3 1 1 too." },
	[HISTORY_CERT_EXPIRING] = { "cert.expiring", SEVERITY_HIGH,
	    "The certificate now served expires within the window (--expiry-days, default 21) of the "
	    "scan, and did not at the scan before.",
	    "Senders that verify (MTA-STS enforce, secure/verify levels) will defer mail once it has "
	    "expired." },
	[HISTORY_DANE_TLSA_MISMATCH] = { "dane.tlsa_mismatch", SEVERITY_CRITICAL,
	    "The TLSA records no longer match the certificate now served (they matched before; the "
	    "detail says when they match only the previous certificate).",
	    "DANE senders defer all mail to this MX: a certificate or key was rolled without "
	    "publishing its TLSA record first." },
	[HISTORY_STARTTLS_LOST] = { "starttls.lost", SEVERITY_CRITICAL,
	    "An MX address no longer offers STARTTLS (it did before).",
	    "Opportunistic senders deliver in clear; DANE and MTA-STS enforce senders defer." },
	[HISTORY_STARTTLS_GAINED] = { "starttls.gained", SEVERITY_INFO,
	    "An MX address offers STARTTLS now (it did not before).",
	    "An improvement." },
	[HISTORY_ENDPOINT_UNREACHABLE] = { "endpoint.unreachable", SEVERITY_MEDIUM,
	    "An MX address that answered before could not be connected to.",
	    "Mail queues at senders if every MX is down; check whether the host was retired." },
	[HISTORY_TLS_VERSION_DROPPED] = { "tls.version_dropped", SEVERITY_HIGH,
	    "An MX address negotiates an older TLS version than before.",
	    "A server was replaced or reconfigured, or a man-in-the-middle forces an old version." },
	[HISTORY_GRADE_DROPPED] = { "grade.dropped", SEVERITY_MEDIUM,
	    "The domain's TLS grade (--full) is lower than before.",
	    "The weakest endpoint got weaker: see its findings." },
	[HISTORY_DNSSEC_WEAKENED] = { "dnssec.weakened", SEVERITY_HIGH,
	    "The MX RRset was DNSSEC-secure and is not any more (insecure, bogus, indeterminate).",
	    "DANE stops applying (insecure) or mail defers at validating senders (bogus)." },
	[HISTORY_DNSSEC_CHANGED] = { "dnssec.changed", SEVERITY_INFO,
	    "The DNSSEC status of the MX RRset changed in another way (e.g. insecure to secure).",
	    "Listed so that the history is complete." },
	[HISTORY_STS_ID_CHANGED] = { "mta_sts.id_changed", SEVERITY_INFO,
	    "The MTA-STS record's id changed: senders fetch the policy again.",
	    "Expected with every policy change; a change of id without a change of policy is "
	    "harmless." },
	[HISTORY_STS_MODE_CHANGED] = { "mta_sts.mode_changed", SEVERITY_MEDIUM,
	    "The MTA-STS policy mode changed (enforce, testing, none; invalid: no valid policy).",
	    "Leaving enforce removes the protection; entering it makes every listed MX's certificate "
	    "matter." },
	[HISTORY_STS_MX_CHANGED] = { "mta_sts.mx_changed", SEVERITY_LOW,
	    "The MTA-STS policy's mx patterns changed.",
	    "Check that every MX is still covered (mta_sts.mx_uncovered says when one is not)." },
	[HISTORY_STS_MX_UNCOVERED] = { "mta_sts.mx_uncovered", SEVERITY_HIGH,
	    "An MX host is not matched by the MTA-STS policy now (it was, or it is new).",
	    "Enforcing senders will not deliver to it." },
	[HISTORY_TLSRPT_ADDED] = { "tlsrpt.added", SEVERITY_INFO,
	    "A valid TLS-RPT record appeared.",
	    "Senders will report TLS failures." },
	[HISTORY_TLSRPT_REMOVED] = { "tlsrpt.removed", SEVERITY_LOW,
	    "The valid TLS-RPT record is gone or invalid.",
	    "TLS failures at senders go unreported." },
	[HISTORY_VERDICT_WEAKENED] = { "verdict.weakened", SEVERITY_HIGH,
	    "The domain's downgrade protection is weaker (dane > mta-sts > mta-sts-testing > none), "
	    "or an attacker can now read its mail.",
	    "The domain lost protection against an active attacker." },
	[HISTORY_VERDICT_CHANGED] = { "verdict.changed", SEVERITY_INFO,
	    "The verdict changed in another way (stronger protection, or indeterminate).",
	    "Listed so that the history is complete." },
};

const char *
history_kind_id(enum history_kind k)
{
	return (unsigned)k < HISTORY_LAST ? history_kinds[k].id : "?";
}

int
history_kind_by_id(const char *id)
{
	int i;

	for (i = 0; id != NULL && i < HISTORY_LAST; i++)
		if (strcmp(history_kinds[i].id, id) == 0)
			return i;
	return -1;
}

void
history_kinds_markdown(FILE *f)
{
	int i;

	fputs("| ID | severity | what changed | why it matters |\n|---|---|---|---|\n", f);
	for (i = 0; i < HISTORY_LAST; i++)
		fprintf(f, "| `%s` | %s | %s | %s |\n", history_kinds[i].id,
		    severity_name(history_kinds[i].severity), history_kinds[i].summary,
		    history_kinds[i].why);
}

void
history_changes_clear(struct history_changes *c)
{
	c->n = 0;
}

void
history_changes_free(struct history_changes *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

long long
history_parse_time(const char *s)
{
	struct tm tm;
	int n = 0;

	if (s == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n == 0 || s[n] != '\0')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

/* ---- JSON access ------------------------------------------------------------------------- */

static const char *
js(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* 1, 0, -1 (null or absent) */
static int
jb(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_true(v) ? 1 : json_is_false(v) ? 0 : -1;
}

static json_t *
jo(json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

static int
streq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static const char *
nz(const char *s, const char *dflt)
{
	return s != NULL ? s : dflt;
}

/* ---- emitting ---------------------------------------------------------------------------- */

static struct history_change *
add(struct history_changes *out, enum history_kind k, const char *scope, const char *oldv,
    const char *newv, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static struct history_change *
add(struct history_changes *out, enum history_kind k, const char *scope, const char *oldv,
    const char *newv, const char *fmt, ...)
{
	struct history_change *c;
	va_list ap;

	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 16;
		out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
	}
	c = &out->v[out->n++];
	memset(c, 0, sizeof(*c));
	c->kind = k;
	snprintf(c->scope, sizeof(c->scope), "%s", nz(scope, ""));
	snprintf(c->old_value, sizeof(c->old_value), "%s", nz(oldv, ""));
	snprintf(c->new_value, sizeof(c->new_value), "%s", nz(newv, ""));
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	return c;
}

/* ---- orders ------------------------------------------------------------------------------ */

static int
rank_of(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* higher is stronger; -1 unknown */
static int
protection_rank(const char *p)
{
	static const char *const names[] = { "none", "mta-sts-testing", "mta-sts", "dane" };

	return rank_of(p, names, 4);
}

static int
tls_version_rank(const char *v)
{
	static const char *const names[] = { "SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2",
	    "TLSv1.3" };

	if (v != NULL && strcmp(v, "TLSv1.0") == 0)
		v = "TLSv1";
	return rank_of(v, names, 6);
}

/* higher is better; -1 unknown */
static int
grade_rank(const char *g)
{
	static const char *const names[] = { "M", "T", "F", "E", "D", "C", "B", "A-", "A", "A+" };

	return rank_of(g, names, 10);
}

/* ---- MX, addresses, endpoints ------------------------------------------------------------ */

static json_t *
mx_find(json_t *rep, const char *host)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(rep, "mx"), i, m)
		if (streq(js(m, "host"), host))
			return m;
	return NULL;
}

static int
str_in(json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && streq(json_string_value(v), s))
			return 1;
	return 0;
}

static json_t *
ep_find(json_t *rep, json_t *e)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(rep, "endpoints"), i, x)
		if (streq(js(x, "host"), js(e, "host")) && streq(js(x, "ip"), js(e, "ip")) &&
		    json_integer_value(json_object_get(x, "port")) ==
		    json_integer_value(json_object_get(e, "port")))
			return x;
	return NULL;
}

static void
ep_scope(json_t *e, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", nz(js(e, "host"), "?"), nz(js(e, "ip"), "?"));
}

static void
short_hex(const char *h, char *buf, size_t len)
{
	snprintf(buf, len, "%.16s%s", nz(h, "-"), h != NULL && strlen(h) > 16 ? "…" : "");
}

/*
 * Do the TLSA records match this certificate?  Only DANE-EE records with a SHA2-256 digest can
 * be decided from the leaf alone (3 0 1: the certificate, 3 1 1: its key); 1 a record matches,
 * 0 none of the decidable ones does, -1 nothing decidable.
 */
static int
tlsa_match(json_t *records, json_t *cert)
{
	const char *sha = js(cert, "sha256"), *spki = js(cert, "spki_sha256");
	json_t *r;
	size_t i;
	int decided = 0;

	if (!json_is_object(cert))
		return -1;
	json_array_foreach(records, i, r) {
		unsigned u, s, m;
		char hex[200];

		if (!json_is_string(r) ||
		    sscanf(json_string_value(r), "%u %u %u %199s", &u, &s, &m, hex) != 4)
			continue;
		if (u != 3 || m != 1 || s > 1)
			continue;
		decided = 1;
		if (strcasecmp(hex, s == 0 ? nz(sha, "") : nz(spki, "")) == 0)
			return 1;
	}
	return decided ? 0 : -1;
}

/* 1 the DANE check passed (or would), 0 it failed, -1 unknown */
static int
dane_ok(json_t *rep, json_t *e, json_t *cert_override)
{
	json_t *d = json_object_get(e, "dane"), *mx = mx_find(rep, js(e, "host"));

	if (cert_override == NULL && json_is_object(d) && jb(d, "verified") >= 0)
		return jb(d, "verified");
	return tlsa_match(jo(mx, "dane", "records"), cert_override ? cert_override :
	    json_object_get(e, "certificate"));
}

static long long
expiry_left(json_t *rep, json_t *cert)
{
	long long gen = history_parse_time(js(rep, "generated"));
	long long na = history_parse_time(js(cert, "not_after"));

	if (gen < 0 || na < 0)
		return 1LL << 62;
	return na - gen;
}

static void
diff_mx(json_t *old, json_t *cur, struct history_changes *out)
{
	json_t *m, *o;
	size_t i, j;
	char pref[32];

	json_array_foreach(json_object_get(cur, "mx"), i, m)
		if (js(m, "host") != NULL && mx_find(old, js(m, "host")) == NULL) {
			snprintf(pref, sizeof(pref), "%lld",
			    (long long)json_integer_value(json_object_get(m, "preference")));
			add(out, HISTORY_MX_ADDED, js(m, "host"), NULL, js(m, "host"),
			    "MX %s %s added", pref, js(m, "host"));
		}
	json_array_foreach(json_object_get(old, "mx"), i, m)
		if (js(m, "host") != NULL && mx_find(cur, js(m, "host")) == NULL)
			add(out, HISTORY_MX_REMOVED, js(m, "host"), js(m, "host"), NULL,
			    "MX %s removed", js(m, "host"));
	/* addresses of hosts listed on both sides */
	json_array_foreach(json_object_get(cur, "mx"), i, m) {
		json_t *a;

		if ((o = mx_find(old, js(m, "host"))) == NULL)
			continue;
		json_array_foreach(json_object_get(m, "addresses"), j, a)
			if (json_is_string(a) && !str_in(json_object_get(o, "addresses"),
			    json_string_value(a)))
				add(out, HISTORY_ADDRESS_ADDED, js(m, "host"), NULL,
				    json_string_value(a), "%s: address %s added", js(m, "host"),
				    json_string_value(a));
		json_array_foreach(json_object_get(o, "addresses"), j, a)
			if (json_is_string(a) && !str_in(json_object_get(m, "addresses"),
			    json_string_value(a)))
				add(out, HISTORY_ADDRESS_REMOVED, js(m, "host"),
				    json_string_value(a), NULL, "%s: address %s removed",
				    js(m, "host"), json_string_value(a));
	}
}

static void
diff_endpoints(json_t *old, json_t *cur, const struct history_params *p,
    struct history_changes *out)
{
	long long window = (long long)p->expiry_days * 86400;
	json_t *e, *o;
	size_t i;
	char scope[300], a[40], b[40];

	json_array_foreach(json_object_get(cur, "endpoints"), i, e) {
		json_t *c = json_object_get(e, "certificate"), *oc;
		const char *ov, *nv;
		long long left;
		int st_old, st_new, was, now;

		ep_scope(e, scope, sizeof(scope));
		o = ep_find(old, e);
		oc = o ? json_object_get(o, "certificate") : NULL;

		/* reachability and STARTTLS */
		if (o != NULL && jb(o, "connected") == 1 && jb(e, "connected") != 1) {
			add(out, HISTORY_ENDPOINT_UNREACHABLE, scope, "connected", "unreachable",
			    "%s: answered before, could not be connected to now", scope);
			continue;
		}
		if (o != NULL && jb(o, "connected") == 1 && jb(e, "connected") == 1) {
			st_old = jb(json_object_get(o, "starttls"), "offered") == 1;
			st_new = jb(json_object_get(e, "starttls"), "offered") == 1;
			if (st_old && !st_new)
				add(out, HISTORY_STARTTLS_LOST, scope, "offered", "not offered",
				    "%s: STARTTLS was offered, now it is not", scope);
			else if (!st_old && st_new)
				add(out, HISTORY_STARTTLS_GAINED, scope, "not offered", "offered",
				    "%s: STARTTLS offered now", scope);
		}

		/* the certificate */
		if (json_is_object(oc) && json_is_object(c) &&
		    !streq(js(oc, "sha256"), js(c, "sha256"))) {
			int reused = streq(js(oc, "spki_sha256"), js(c, "spki_sha256"));

			short_hex(js(oc, "sha256"), a, sizeof(a));
			short_hex(js(c, "sha256"), b, sizeof(b));
			add(out, HISTORY_CERT_REPLACED, scope, js(oc, "sha256"), js(c, "sha256"),
			    "%s: certificate replaced: sha256 %s (issuer %s) -> %s (issuer %s), key "
			    "%s", scope, a, nz(js(oc, "issuer"), "?"), b, nz(js(c, "issuer"), "?"),
			    reused ? "reused" : "changed");
		}
		if (json_is_object(c) && (left = expiry_left(cur, c)) < window) {
			int before = json_is_object(oc) && streq(js(oc, "sha256"), js(c, "sha256")) &&
			    expiry_left(old, oc) < window;
			char days[32];

			snprintf(days, sizeof(days), "%lld", left >= 0 ? left / 86400 :
			    -((-left + 86399) / 86400));
			if (!before)
				add(out, HISTORY_CERT_EXPIRING, scope, NULL, js(c, "not_after"),
				    "%s: certificate %s %s (%s days after this scan; window %d days)",
				    scope, left < 0 ? "expired" : "expires", nz(js(c, "not_after"), "?"),
				    days, p->expiry_days);
		}

		/* DANE: the records against the certificate now served */
		if (o != NULL && json_is_object(c)) {
			was = dane_ok(old, o, NULL);
			now = dane_ok(cur, e, NULL);
			if (was == 1 && now == 0) {
				json_t *mx = mx_find(cur, js(e, "host"));
				int old_only = json_is_object(oc) &&
				    !streq(js(oc, "sha256"), js(c, "sha256")) &&
				    tlsa_match(jo(mx, "dane", "records"), oc) == 1;

				short_hex(js(c, "sha256"), b, sizeof(b));
				short_hex(js(oc, "sha256"), a, sizeof(a));
				if (old_only)
					add(out, HISTORY_DANE_TLSA_MISMATCH, scope, js(oc, "sha256"),
					    js(c, "sha256"), "%s: TLSA records no longer match the "
					    "certificate now served (sha256 %s); they match only the "
					    "previous one (sha256 %s)", scope, b, a);
				else
					add(out, HISTORY_DANE_TLSA_MISMATCH, scope, NULL,
					    js(c, "sha256"), "%s: TLSA records no longer match the "
					    "certificate now served (sha256 %s)", scope, b);
			}
		}

		/* TLS version */
		if (o != NULL) {
			ov = js(json_object_get(o, "tls"), "version");
			nv = js(json_object_get(e, "tls"), "version");
			if (ov && nv && tls_version_rank(nv) >= 0 &&
			    tls_version_rank(nv) < tls_version_rank(ov))
				add(out, HISTORY_TLS_VERSION_DROPPED, scope, ov, nv,
				    "%s: TLS version %s -> %s", scope, ov, nv);
		}
	}
}

/* the MX hosts the policy does not cover: a used MX whose mta_sts_pattern is null */
static int
sts_covers(json_t *m)
{
	return js(m, "mta_sts_pattern") != NULL;
}

static int
sts_active(json_t *rep)
{
	const char *mode = js(jo(rep, "mta_sts", "policy"), "mode");

	return jb(jo(rep, "mta_sts", "policy"), "valid") == 1 && mode != NULL &&
	    strcmp(mode, "none") != 0;
}

static const char *
sts_mode(json_t *rep)
{
	json_t *pol = jo(rep, "mta_sts", "policy");

	if (jb(jo(rep, "mta_sts", "record"), "present") != 1)
		return "none";
	if (!json_is_object(pol) || jb(pol, "valid") != 1)
		return "invalid";
	return nz(js(pol, "mode"), "invalid");
}

static void
diff_sts(json_t *old, json_t *cur, struct history_changes *out)
{
	const char *oid = js(jo(old, "mta_sts", "record"), "id");
	const char *nid = js(jo(cur, "mta_sts", "record"), "id");
	const char *om = sts_mode(old), *nm = sts_mode(cur);
	json_t *m;
	char *a = NULL, *b = NULL;
	size_t i;

	if (oid != NULL && nid != NULL && !streq(oid, nid))
		add(out, HISTORY_STS_ID_CHANGED, NULL, oid, nid, "MTA-STS id %s -> %s", oid, nid);
	if (!streq(om, nm))
		add(out, HISTORY_STS_MODE_CHANGED, NULL, om, nm, "MTA-STS mode %s -> %s", om, nm);
	if (strcmp(om, "invalid") != 0 && strcmp(om, "none") != 0 &&
	    strcmp(nm, "invalid") != 0 && strcmp(nm, "none") != 0) {
		json_t *x = json_object_get(jo(old, "mta_sts", "policy"), "mx");
		json_t *y = json_object_get(jo(cur, "mta_sts", "policy"), "mx");

		a = json_dumps(x ? x : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
		b = json_dumps(y ? y : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
		if (a && b && strcmp(a, b) != 0)
			add(out, HISTORY_STS_MX_CHANGED, NULL, a, b, "MTA-STS mx %s -> %s", a, b);
		free(a);
		free(b);
	}
	if (!sts_active(cur))
		return;
	json_array_foreach(json_object_get(cur, "mx"), i, m) {
		json_t *o = mx_find(old, js(m, "host"));

		if (!streq(js(m, "use"), "used") || sts_covers(m))
			continue;
		if (o != NULL && sts_active(old) && !sts_covers(o))
			continue;	/* not covered before either: not a change */
		add(out, HISTORY_STS_MX_UNCOVERED, js(m, "host"), NULL, js(m, "host"),
		    "%s is not matched by the MTA-STS policy (%s)", nz(js(m, "host"), "?"), nm);
	}
}

static const char *
tlsrpt_state(json_t *rep)
{
	json_t *t = json_object_get(rep, "tls_rpt");

	return jb(t, "present") != 1 ? "absent" : jb(t, "valid") == 1 ? "valid" : "invalid";
}

static void
diff_domain(json_t *old, json_t *cur, struct history_changes *out)
{
	const char *od = js(json_object_get(old, "dnssec"), "status");
	const char *nd = js(json_object_get(cur, "dnssec"), "status");
	const char *ot = tlsrpt_state(old), *nt = tlsrpt_state(cur);
	const char *og = js(json_object_get(old, "grade"), "letter");
	const char *ng = js(json_object_get(cur, "grade"), "letter");
	json_t *ov = json_object_get(old, "verdict"), *nv = json_object_get(cur, "verdict");
	const char *op = js(ov, "downgrade_protection"), *np = js(nv, "downgrade_protection");

	if (od != NULL && nd != NULL && !streq(od, nd))
		add(out, streq(od, "secure") ? HISTORY_DNSSEC_WEAKENED : HISTORY_DNSSEC_CHANGED,
		    NULL, od, nd, "DNSSEC of the MX RRset %s -> %s", od, nd);
	if (!streq(ot, "valid") && streq(nt, "valid"))
		add(out, HISTORY_TLSRPT_ADDED, NULL, ot, nt, "TLS-RPT %s -> %s", ot, nt);
	else if (streq(ot, "valid") && !streq(nt, "valid"))
		add(out, HISTORY_TLSRPT_REMOVED, NULL, ot, nt, "TLS-RPT %s -> %s", ot, nt);
	if (og != NULL && ng != NULL && grade_rank(ng) >= 0 && grade_rank(og) >= 0 &&
	    grade_rank(ng) < grade_rank(og))
		add(out, HISTORY_GRADE_DROPPED, NULL, og, ng, "grade %s -> %s", og, ng);
	if (op != NULL && np != NULL && (!streq(op, np) ||
	    jb(ov, "active_attacker_can_read") != jb(nv, "active_attacker_can_read"))) {
		int weaker = (protection_rank(np) >= 0 && protection_rank(op) >= 0 &&
		    protection_rank(np) < protection_rank(op)) ||
		    (jb(ov, "active_attacker_can_read") == 0 &&
		    jb(nv, "active_attacker_can_read") == 1);
		char a[64], b[64];

		snprintf(a, sizeof(a), "%s%s", op,
		    jb(ov, "active_attacker_can_read") == 1 ? " (readable)" : "");
		snprintf(b, sizeof(b), "%s%s", np,
		    jb(nv, "active_attacker_can_read") == 1 ? " (readable)" : "");
		add(out, weaker ? HISTORY_VERDICT_WEAKENED : HISTORY_VERDICT_CHANGED, NULL, op, np,
		    "verdict %s -> %s: %s", a, b, nz(js(nv, "sentence"), ""));
	}
}

/* the table's order, and within one kind the order found in (a stable insertion sort) */
static void
sort_kinds(struct history_change *v, size_t n)
{
	struct history_change t;
	size_t i, j;

	for (i = 1; i < n; i++) {
		if (v[i - 1].kind <= v[i].kind)
			continue;
		t = v[i];
		for (j = i; j > 0 && v[j - 1].kind > t.kind; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

int
history_diff(json_t *old, json_t *cur, const struct history_params *p,
    struct history_changes *out)
{
	struct history_params dflt = { HISTORY_EXPIRY_DAYS };
	size_t first = out->n;

	if (!json_is_object(old) || !json_is_object(cur) ||
	    !streq(js(old, "domain"), js(cur, "domain")) || js(cur, "domain") == NULL)
		return -1;
	if (p == NULL)
		p = &dflt;
	diff_mx(old, cur, out);
	diff_endpoints(old, cur, p, out);
	diff_sts(old, cur, out);
	diff_domain(old, cur, out);
	if (out->n > first)	/* out->v may still be NULL when nothing changed */
		sort_kinds(out->v + first, out->n - first);
	return (int)(out->n - first);
}
