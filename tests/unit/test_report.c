/*
 * test_report.c — the scan report's rows and counts (lib/history/summary.c), row by row, and
 * what the renderers make of them: escaped HTML, chart labels with their numbers, CSV cells that
 * no spreadsheet runs as formulas.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "history/summary.h"
#include "report/report_scan.h"

struct row {
	const char	*json;
	const char	*want;	/* verdict|protection|dane|mta_sts|tlsrpt|best|worst|pfs|cert|mandatory|grade|worst finding */
};

#define EP(v, c, cv, nm) "{\"tls\":{\"version\":\"" v "\",\"cipher\":\"" c "\"}," \
	"\"certificate\":{\"chain_valid\":" cv ",\"name_match\":" nm "},\"findings\":[]}"

static const struct row rows[] = {
	{ "{\"domain\":\"a.example\",\"verdict\":{\"downgrade_protection\":\"dane\","
	  "\"active_attacker_can_read\":false,\"accepts_mail\":true},\"dane\":{\"status\":\"all\"},"
	  "\"mta_sts\":{\"record\":{\"present\":false}},\"tls_rpt\":{\"present\":true,\"valid\":true},"
	  "\"findings\":[{\"id\":\"mta_sts.absent\",\"severity\":\"low\"}],\"endpoints\":["
	  EP("TLSv1.3", "TLS_AES_256_GCM_SHA384", "true", "true") "]}",
	  "protected|dane|all|absent|valid|TLSv1.3|TLSv1.3|yes|yes|yes (DANE)|-|low mta_sts.absent" },
	{ "{\"domain\":\"b.example\",\"verdict\":{\"downgrade_protection\":\"none\","
	  "\"active_attacker_can_read\":true,\"accepts_mail\":true},\"dane\":{\"status\":\"none\"},"
	  "\"mta_sts\":{\"record\":{\"present\":true},\"policy\":{\"valid\":false}},"
	  "\"tls_rpt\":{\"present\":true,\"valid\":false},\"grade\":{\"letter\":\"B\"},"
	  "\"findings\":[{\"id\":\"downgrade.possible\",\"severity\":\"high\"}],\"endpoints\":["
	  EP("TLSv1.3", "TLS_AES_128_GCM_SHA256", "true", "true") ","
	  "{\"tls\":{\"version\":\"TLSv1.2\",\"cipher\":\"TLS_RSA_WITH_AES_128_GCM_SHA256\","
	  "\"versions\":[\"TLSv1.2\",\"TLSv1\"]},\"certificate\":{\"chain_valid\":false,"
	  "\"name_match\":true},\"findings\":[{\"id\":\"tls.legacy\",\"severity\":\"critical\"}]}]}",
	  "NOT protected|none|none|invalid|invalid|TLSv1.3|TLSv1|no|no|no|B|critical tls.legacy" },
	{ "{\"domain\":\"c.example\",\"verdict\":{\"downgrade_protection\":\"none\","
	  "\"active_attacker_can_read\":false,\"accepts_mail\":false},\"endpoints\":[]}",
	  "no mail|none|-|absent|absent|-|-|-|-|no|-|-" },
	{ "{\"domain\":\"d.example\",\"verdict\":{\"downgrade_protection\":\"mta-sts\","
	  "\"active_attacker_can_read\":false,\"accepts_mail\":true,\"delivery_at_risk\":true},"
	  "\"mta_sts\":{\"record\":{\"present\":true},\"policy\":{\"valid\":true,\"mode\":\"enforce\"}},"
	  "\"endpoints\":[" EP("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "true", "false")
	  "]}",
	  "at risk|mta-sts|-|enforce|absent|TLSv1.2|TLSv1.2|yes|no|yes (MTA-STS)|-|-" },
};

static void
test_rows(void **state)
{
	struct summary_counts c;
	size_t i;

	(void)state;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_error_t err;
		json_t *rep = json_loads(rows[i].json, 0, &err);
		struct summary_row r;
		char got[512];

		if (rep == NULL)
			fail_msg("row %zu: %s", i, err.text);
		assert_int_equal(summary_row(rep, &r), 0);
		snprintf(got, sizeof(got), "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", r.verdict,
		    r.protection, r.dane, r.mta_sts, r.tlsrpt, r.best_tls, r.worst_tls, r.pfs,
		    r.cert_valid, r.starttls_mandatory, r.grade, r.worst_finding);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu (%s):\n got  %s\n want %s", i, r.domain, got, rows[i].want);
		summary_add(&c, &r, rep);
		json_decref(rep);
	}
	assert_int_equal(c.n[SUM_DOMAINS], 4);
	assert_int_equal(c.n[SUM_READABLE], 1);
	assert_int_equal(c.n[SUM_DANE_ALL], 1);
	assert_int_equal(c.n[SUM_DANE_NONE], 3);
	assert_int_equal(c.n[SUM_STS_ENFORCE], 1);
	assert_int_equal(c.n[SUM_STS_INVALID], 1);
	assert_int_equal(c.n[SUM_STS_ABSENT], 2);
	assert_int_equal(c.n[SUM_RPT_VALID], 1);
	assert_int_equal(c.n[SUM_V_DANE], 1);
	assert_int_equal(c.n[SUM_V_STS], 1);
	assert_int_equal(c.n[SUM_V_NONE], 1);
	assert_int_equal(c.n[SUM_V_NOMAIL], 1);
	assert_int_equal(c.n[SUM_TLS13], 2);
	assert_int_equal(c.n[SUM_TLS12], 1);
	assert_int_equal(c.n[SUM_TLS_NONE], 1);
	assert_int_equal(c.n[SUM_G_B], 1);
	assert_int_equal(c.n[SUM_G_NONE], 3);
	assert_int_equal(summary_row(json_null(), &(struct summary_row){ 0 }), -1);
}

static char *
render(int fmt, const struct report_scan *rs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(fmt == 0 ? report_scan_html(f, rs) : fmt == 1 ? report_scan_md(f, rs) :
	    report_scan_csv(f, rs), 0);
	fclose(f);
	return buf;
}

static void
test_render(void **state)
{
	struct summary_row r[2];
	struct summary_counts c;
	struct report_scan rs;
	char *s;

	(void)state;
	memset(r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	snprintf(r[0].domain, sizeof(r[0].domain), "<b>x</b>.example");
	snprintf(r[1].domain, sizeof(r[1].domain), "=cmd|'/c calc'!A0");
	snprintf(r[0].verdict, sizeof(r[0].verdict), "protected");
	snprintf(r[1].verdict, sizeof(r[1].verdict), "NOT protected");
	c.run = 3;
	c.n[SUM_DOMAINS] = 2;
	c.n[SUM_V_DANE] = 1;
	c.n[SUM_V_NONE] = 1;
	c.n[SUM_READABLE] = 1;
	memset(&rs, 0, sizeof(rs));
	rs.source = "a&b.db";
	rs.run = 3;
	rs.rows = r;
	rs.nrows = 2;
	rs.cur = &c;
	rs.runs = &c;
	rs.nruns = 1;
	rs.tool = "mailtls test";

	s = render(0, &rs);
	assert_non_null(strstr(s, "&lt;b&gt;x&lt;/b&gt;.example"));
	assert_null(strstr(s, "<b>x</b>"));
	assert_non_null(strstr(s, "a&amp;b.db"));
	assert_non_null(strstr(s, "data-label=\"dane\" data-value=\"1\">1 (50%)"));
	assert_non_null(strstr(s, "data-label=\"none\" data-value=\"1\""));
	assert_non_null(strstr(s, "data-label=\"readable\" data-value=\"1\""));
	assert_null(strstr(s, "src="));
	assert_null(strstr(s, "http://www.w3.org/2000/svg\" src"));
	free(s);
	s = render(1, &rs);
	assert_non_null(strstr(s, "| dane | 1 | 50% |"));
	assert_non_null(strstr(s, "| =cmd\\|'/c calc'!A0 "));
	free(s);
	s = render(2, &rs);
	assert_non_null(strstr(s, "\"'=cmd|'/c calc'!A0\""));	/* quoted, ' first: no formula */
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
