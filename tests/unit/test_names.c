/*
 * test_names.c — the name tables behind the reports: complete, unique, stable, and in enum order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "net/sock.h"
#include "probe/endpoint.h"
#include "verdict/finding.h"

static void
test_findings_table(void **state)
{
	int i, j;

	for (i = 0; i < FINDING_LAST; i++) {
		const struct finding_info *fi = finding_info((enum finding_id)i);

		assert_int_equal(fi->id, i);
		assert_non_null(fi->name);
		assert_non_null(strchr(fi->name, '.'));
		assert_true(strlen(fi->summary) > 10);
		assert_true(strlen(fi->remedy) > 5);
		assert_int_equal(finding_by_name(fi->name), i);
		for (j = 0; j < i; j++)
			assert_string_not_equal(fi->name, finding_name((enum finding_id)j));
	}
	assert_int_equal(finding_by_name("no.such"), -1);
}

/* IDs that scripts depend on: their names and default severities never change. */
static void
test_findings_stable(void **state)
{
	static const struct {
		const char	*name;
		const char	*sev;
	} stable[] = {
		{ "starttls.not_offered", "high" }, { "starttls.rejected", "high" },
		{ "starttls.injection", "critical" }, { "auth.before_tls", "high" },
		{ "cert.untrusted", "medium" }, { "cert.self_signed", "medium" },
		{ "cert.expired", "high" }, { "cert.name_mismatch", "medium" },
		{ "cert.weak_key", "high" }, { "tls.handshake_failed", "high" },
		{ "conn.failed", "high" }, { "conn.timeout", "high" }, { "smtp.rejected", "high" },
	};
	size_t i;
	int id;

	for (i = 0; i < sizeof(stable) / sizeof(stable[0]); i++) {
		id = finding_by_name(stable[i].name);
		assert_true(id >= 0);
		assert_string_equal(severity_name(finding_info((enum finding_id)id)->severity),
		    stable[i].sev);
	}
}

static void
test_severity_names(void **state)
{
	static const char *const want[] = { "info", "low", "medium", "high", "critical" };
	int i;

	for (i = 0; i < SEVERITY_LAST; i++) {
		assert_string_equal(severity_name((enum severity)i), want[i]);
		assert_int_equal(severity_by_name(want[i]), i);
	}
	assert_int_equal(severity_by_name("HIGH"), SEVERITY_HIGH);
	assert_int_equal(severity_by_name("severe"), -1);
}

static void
test_proto_names(void **state)
{
	assert_string_equal(endpoint_proto_name(ENDPOINT_PROTO_SMTP), "smtp");
	assert_string_equal(endpoint_proto_name(ENDPOINT_PROTO_SMTPS), "smtps");
	assert_int_equal(endpoint_proto_by_name("smtps"), ENDPOINT_PROTO_SMTPS);
	assert_int_equal(endpoint_proto_by_name("imap"), ENDPOINT_PROTO_IMAP);
	assert_int_equal(endpoint_proto_by_name("gopher"), -1);
	assert_int_equal(endpoint_proto_port(ENDPOINT_PROTO_SMTPS), 465);
}

static void
test_targets(void **state)
{
	static const struct {
		const char	*in;
		int		 ok;
		const char	*host;
		int		 port;
		int		 is_ip;
	} cases[] = {
		{ "mx.example.org", 1, "mx.example.org", 0, 0 },
		{ "mx.example.org:587", 1, "mx.example.org", 587, 0 },
		{ "127.0.0.2", 1, "127.0.0.2", 0, 1 },
		{ "127.0.0.2:25", 1, "127.0.0.2", 25, 1 },
		{ "[::1]:25", 1, "::1", 25, 1 },
		{ "[::1]", 1, "::1", 0, 1 },
		{ "::1", 1, "::1", 0, 1 },
		{ "2001:db8::1", 1, "2001:db8::1", 0, 1 },
		{ "[mx.example.org]:25", 0, NULL, 0, 0 },
		{ "mx:0", 0, NULL, 0, 0 },
		{ "mx:65536", 0, NULL, 0, 0 },
		{ "mx:", 0, NULL, 0, 0 },
		{ "[::1]x", 0, NULL, 0, 0 },
		{ "", 0, NULL, 0, 0 },
		{ ":25", 0, NULL, 0, 0 },
	};
	struct sock_target t;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = sock_target_parse(cases[i].in, &t);

		if ((r == 0) != cases[i].ok)
			fail_msg("target '%s': got %d", cases[i].in, r);
		if (r == 0) {
			assert_string_equal(t.host, cases[i].host);
			assert_int_equal(t.port, cases[i].port);
			assert_int_equal(t.is_ip, cases[i].is_ip);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_findings_table),
		cmocka_unit_test(test_findings_stable),
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_proto_names),
		cmocka_unit_test(test_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
