/*
 * test_changes.c — history_diff() row by row: one base report, each row edits the older or the
 * newer copy (path=JSON value; "-" deletes) and names exactly the change IDs expected, in order.
 * Then docs/changes.md must carry the generated ID table unchanged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "history/diff.h"

static const char base_json[] =
    "{\"domain\":\"a.example\",\"generated\":\"2026-01-01T00:00:00Z\","
    "\"verdict\":{\"downgrade_protection\":\"dane\",\"active_attacker_can_read\":false,"
    "\"accepts_mail\":true,\"sentence\":\"Protected by DANE.\"},"
    "\"dnssec\":{\"status\":\"secure\"},"
    "\"mx\":[{\"host\":\"mx1.a.example\",\"preference\":10,\"use\":\"used\","
    "\"addresses\":[\"192.0.2.1\"],\"dane\":{\"status\":\"usable\",\"records\":[\"3 1 1 k1\"]},"
    "\"mta_sts_pattern\":\"mx1.a.example\"}],"
    "\"mta_sts\":{\"record\":{\"present\":true,\"valid\":true,\"id\":\"1\"},"
    "\"policy\":{\"valid\":true,\"mode\":\"enforce\",\"mx\":[\"mx1.a.example\"]}},"
    "\"tls_rpt\":{\"present\":true,\"valid\":true},"
    "\"grade\":{\"letter\":\"A\"},"
    "\"endpoints\":[{\"host\":\"mx1.a.example\",\"ip\":\"192.0.2.1\",\"port\":25,"
    "\"connected\":true,\"starttls\":{\"offered\":true},\"tls\":{\"version\":\"TLSv1.3\"},"
    "\"certificate\":{\"sha256\":\"c1\",\"spki_sha256\":\"k1\",\"issuer\":\"CN=CA1\","
    "\"not_after\":\"2026-06-01T00:00:00Z\"},\"dane\":{\"verified\":true}}]}";

struct row {
	const char	*name;
	const char	*edits;		/* ";"-separated [old:]path=JSON; path "a/0/b" */
	int		 expiry_days;	/* 0: default */
	const char	*want;		/* ","-separated IDs in order; "" none */
	const char	*detail_has;	/* a substring of the first change's detail, or NULL */
};

static const struct row rows[] = {
	{ "identical", "", 0, "", NULL },
	{ "new certificate, same key", "endpoints/0/certificate/sha256=\"c2\"", 0,
	  "cert.replaced", "key reused" },
	{ "new key, TLSA left stale",
	  "endpoints/0/certificate/sha256=\"c2\";endpoints/0/certificate/spki_sha256=\"k2\";"
	  "endpoints/0/certificate/issuer=\"CN=CA2\";endpoints/0/dane/verified=false", 0,
	  "cert.replaced,dane.tlsa_mismatch", "issuer CN=CA1) -> c2 (issuer CN=CA2), key changed" },
	{ "new key, DANE not armed: decided from the records",
	  "old:endpoints/0/dane=-;endpoints/0/dane=-;endpoints/0/certificate/sha256=\"c2\";"
	  "endpoints/0/certificate/spki_sha256=\"k2\"", 0,
	  "cert.replaced,dane.tlsa_mismatch", NULL },
	{ "TLSA changed to a wrong key, certificate kept",
	  "mx/0/dane/records=[\"3 1 1 ff\"];endpoints/0/dane/verified=false", 0,
	  "dane.tlsa_mismatch", "no longer match the certificate now served (sha256 c1)" },
	{ "TLSA mismatched before too: no change",
	  "old:endpoints/0/dane/verified=false;endpoints/0/dane/verified=false", 0, "", NULL },
	{ "MX added, not in the MTA-STS policy",
	  "mx/1={\"host\":\"mx2.a.example\",\"preference\":20,\"use\":\"used\","
	  "\"addresses\":[\"192.0.2.2\"],\"mta_sts_pattern\":null}", 0,
	  "mx.added,mta_sts.mx_uncovered", "MX 20 mx2.a.example added" },
	{ "MX removed",
	  "old:mx/1={\"host\":\"mx0.a.example\",\"preference\":5,\"use\":\"used\","
	  "\"addresses\":[\"192.0.2.3\"],\"mta_sts_pattern\":\"mx0.a.example\"}", 0,
	  "mx.removed", NULL },
	{ "address added and removed",
	  "mx/0/addresses=[\"192.0.2.9\"]", 0, "address.added,address.removed", NULL },
	{ "MTA-STS enforce -> testing with a new id",
	  "mta_sts/record/id=\"2\";mta_sts/policy/mode=\"testing\"", 0,
	  "mta_sts.id_changed,mta_sts.mode_changed", "MTA-STS id 1 -> 2" },
	{ "MTA-STS policy gone invalid", "mta_sts/policy/valid=false", 0, "mta_sts.mode_changed",
	  "enforce -> invalid" },
	{ "MTA-STS mx patterns changed", "mta_sts/policy/mx=[\"*.a.example\"]", 0,
	  "mta_sts.mx_changed", NULL },
	{ "an MX no longer covered", "mx/0/mta_sts_pattern=null", 0, "mta_sts.mx_uncovered",
	  NULL },
	{ "STARTTLS switched off",
	  "endpoints/0/starttls/offered=false;endpoints/0/tls=null;endpoints/0/certificate=null;"
	  "endpoints/0/dane=-", 0, "starttls.lost", "STARTTLS was offered" },
	{ "STARTTLS switched on", "old:endpoints/0/starttls/offered=false", 0, "starttls.gained",
	  NULL },
	{ "endpoint unreachable",
	  "endpoints/0/connected=false;endpoints/0/starttls/offered=false;endpoints/0/tls=null;"
	  "endpoints/0/certificate=null", 0, "endpoint.unreachable", NULL },
	{ "certificate near expiry (new)",
	  "endpoints/0/certificate/sha256=\"c3\";"
	  "endpoints/0/certificate/not_after=\"2026-01-10T00:00:00Z\"", 0,
	  "cert.replaced,cert.expiring", NULL },
	{ "entering the window with the same certificate",
	  "old:generated=\"2025-12-01T00:00:00Z\";old:endpoints/0/certificate/not_after="
	  "\"2026-01-10T00:00:00Z\";endpoints/0/certificate/not_after=\"2026-01-10T00:00:00Z\"", 0,
	  "cert.expiring", "expires 2026-01-10T00:00:00Z (9 days after this scan; window 21 days)" },
	{ "already in the window before: no change",
	  "old:endpoints/0/certificate/not_after=\"2026-01-10T00:00:00Z\";"
	  "endpoints/0/certificate/not_after=\"2026-01-10T00:00:00Z\"", 0, "", NULL },
	{ "--expiry-days 5 leaves 9 days out",
	  "endpoints/0/certificate/not_after=\"2026-01-10T00:00:00Z\"", 5, "", NULL },
	{ "expired", "endpoints/0/certificate/not_after=\"2025-12-30T00:00:00Z\"", 0,
	  "cert.expiring", "expired 2025-12-30T00:00:00Z (-2 days" },
	{ "TLS version dropped", "endpoints/0/tls/version=\"TLSv1.2\"", 0,
	  "tls.version_dropped", "TLSv1.3 -> TLSv1.2" },
	{ "TLS version raised: not listed", "old:endpoints/0/tls/version=\"TLSv1.2\"", 0, "", NULL },
	{ "DNSSEC secure -> insecure", "dnssec/status=\"insecure\"", 0, "dnssec.weakened", NULL },
	{ "DNSSEC insecure -> secure", "old:dnssec/status=\"insecure\"", 0, "dnssec.changed", NULL },
	{ "TLS-RPT removed", "tls_rpt/present=false;tls_rpt/valid=false", 0, "tlsrpt.removed",
	  NULL },
	{ "TLS-RPT added", "old:tls_rpt/present=false", 0, "tlsrpt.added", NULL },
	{ "grade dropped", "grade/letter=\"B\"", 0, "grade.dropped", "grade A -> B" },
	{ "grade raised: not listed", "old:grade/letter=\"A-\"", 0, "", NULL },
	{ "verdict dane -> none (readable)",
	  "verdict/downgrade_protection=\"none\";verdict/active_attacker_can_read=true", 0,
	  "verdict.weakened", "verdict dane -> none (readable)" },
	{ "verdict none -> dane", "old:verdict/downgrade_protection=\"none\"", 0,
	  "verdict.changed", NULL },
	{ "verdict -> indeterminate", "verdict/downgrade_protection=\"indeterminate\"", 0,
	  "verdict.changed", NULL },
};

/* Sets root/a/0/b to v ("-" deletes); creates objects on the way. */
static void
json_set_path(json_t *root, const char *path, const char *value)
{
	char buf[256], *p, *next;
	json_t *cur = root, *v;
	json_error_t err;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; (next = strchr(p, '/')) != NULL; p = next + 1) {
		*next = '\0';
		if (json_is_array(cur))
			cur = json_array_get(cur, (size_t)atoi(p));
		else {
			json_t *c = json_object_get(cur, p);

			if (c == NULL) {
				c = json_object();
				json_object_set_new(cur, p, c);
			}
			cur = c;
		}
		assert_non_null(cur);
	}
	if (strcmp(value, "-") == 0) {
		json_object_del(cur, p);
		return;
	}
	v = json_loads(value, JSON_DECODE_ANY, &err);
	if (v == NULL)
		fail_msg("bad JSON '%s': %s", value, err.text);
	if (json_is_array(cur)) {
		if ((size_t)atoi(p) >= json_array_size(cur))
			json_array_append_new(cur, v);
		else
			json_array_set_new(cur, (size_t)atoi(p), v);
	} else
		json_object_set_new(cur, p, v);
}

static void
apply(json_t *old, json_t *cur, const char *edits)
{
	char buf[2048], *save = NULL, *e, *eq;

	snprintf(buf, sizeof(buf), "%s", edits);
	for (e = strtok_r(buf, ";", &save); e != NULL; e = strtok_r(NULL, ";", &save)) {
		json_t *t = cur;

		if (strncmp(e, "old:", 4) == 0) {
			t = old;
			e += 4;
		}
		eq = strchr(e, '=');
		assert_non_null(eq);
		*eq = '\0';
		json_set_path(t, e, eq + 1);
	}
}

static void
test_rows(void **state)
{
	struct history_changes ch = { 0 };
	size_t r, i;

	(void)state;
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		json_t *old = json_loads(base_json, 0, NULL), *cur = json_deep_copy(old);
		struct history_params p = { rows[r].expiry_days ? rows[r].expiry_days :
		    HISTORY_EXPIRY_DAYS };
		char got[1024] = "";
		int n;

		assert_non_null(old);
		apply(old, cur, rows[r].edits);
		history_changes_clear(&ch);
		n = history_diff(old, cur, &p, &ch);
		assert_int_equal(n, (int)ch.n);
		for (i = 0; i < ch.n; i++) {
			if (i > 0)
				strcat(got, ",");
			strcat(got, history_kind_id(ch.v[i].kind));
		}
		if (strcmp(got, rows[r].want) != 0)
			fail_msg("row '%s': got '%s', want '%s'", rows[r].name, got, rows[r].want);
		if (rows[r].detail_has != NULL && strstr(ch.v[0].detail, rows[r].detail_has) == NULL)
			fail_msg("row '%s': detail '%s' lacks '%s'", rows[r].name, ch.v[0].detail,
			    rows[r].detail_has);
		json_decref(old);
		json_decref(cur);
	}
	history_changes_free(&ch);
}

static void
test_other_domain(void **state)
{
	struct history_changes ch = { 0 };
	json_t *old = json_loads(base_json, 0, NULL), *cur = json_deep_copy(old);

	(void)state;
	json_object_set_new(cur, "domain", json_string("b.example"));
	assert_int_equal(history_diff(old, cur, NULL, &ch), -1);
	assert_int_equal(history_diff(old, json_null(), NULL, &ch), -1);
	assert_int_equal(ch.n, 0);
	json_decref(old);
	json_decref(cur);
	history_changes_free(&ch);
}

static void
test_ids(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < HISTORY_LAST; i++) {
		assert_non_null(history_kinds[i].id);
		assert_int_equal(history_kind_by_id(history_kinds[i].id), i);
	}
	assert_int_equal(history_kind_by_id("nope"), -1);
	assert_int_equal(history_parse_time("2026-01-01T00:00:00Z"), 1767225600LL);
	assert_int_equal(history_parse_time("2026-01-01"), -1);
}

/* docs/changes.md holds the generated table between the two marker lines, exactly. */
static void
test_docs(void **state)
{
	char *want = NULL, *doc = NULL, *b, *e;
	size_t wlen = 0, dlen;
	FILE *f = open_memstream(&want, &wlen), *d;

	(void)state;
	history_kinds_markdown(f);
	fclose(f);
	d = fopen("docs/changes.md", "r");
	if (d == NULL)
		d = fopen("../../docs/changes.md", "r");
	assert_non_null(d);
	doc = calloc(1, 1 << 20);
	dlen = fread(doc, 1, (1 << 20) - 1, d);
	fclose(d);
	doc[dlen] = '\0';
	b = strstr(doc, "<!-- generated: history_kinds_markdown -->\n");
	e = strstr(doc, "<!-- end generated -->");
	assert_non_null(b);
	assert_non_null(e);
	b += strlen("<!-- generated: history_kinds_markdown -->\n");
	if ((size_t)(e - b) != wlen || memcmp(b, want, wlen) != 0)
		fail_msg("docs/changes.md is stale: its table must be `mailtls changes --list "
		    "--markdown`:\n%s", want);
	free(doc);
	free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_other_domain),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_docs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
