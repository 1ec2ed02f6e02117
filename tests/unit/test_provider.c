/*
 * test_provider.c — the HSTS, autoconfig and SRV parsers (lib/provider/web.c), table-driven, and
 * the provider table's summaries of an endpoint (lib/provider/summary.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe/endpoint.h"
#include "provider/summary.h"
#include "provider/web.h"
#include "util/arena.h"

static const struct {
	const char	*in;
	int		 ok;
	long long	 age;
	int		 sub;
	int		 preload;
} hsts_cases[] = {
	{ "max-age=31536000; includeSubDomains", 1, 31536000, 1, 0 },
	{ "max-age=\"63072000\"; includeSubDomains; preload", 1, 63072000, 1, 1 },
	{ "MAX-AGE=300", 1, 300, 0, 0 },
	{ "max-age=0", 1, 0, 0, 0 },
	{ "  max-age = 10 ;  ", 1, 10, 0, 0 },
	{ "includeSubDomains", 0, -1, 1, 0 },			/* max-age is required (RFC 6797 §6.1.1) */
	{ "max-age=10; max-age=20", 0, 10, 0, 0 },		/* no directive twice */
	{ "max-age=abc", 0, -1, 0, 0 },
	{ "max-age=\"10", 0, -1, 0, 0 },
	{ "max-age=99999999999999999999", 0, -1, 0, 0 },
	{ "", 0, -1, 0, 0 },
};

static void
test_hsts(void **state)
{
	struct web_hsts h;
	size_t i;

	for (i = 0; i < sizeof(hsts_cases) / sizeof(hsts_cases[0]); i++) {
		int r = web_hsts_parse(hsts_cases[i].in, strlen(hsts_cases[i].in), &h);

		if ((r == 0) != hsts_cases[i].ok)
			fail_msg("case %zu (%s): got %d", i, hsts_cases[i].in, r);
		if (hsts_cases[i].ok) {
			assert_int_equal(h.max_age, hsts_cases[i].age);
			assert_int_equal(h.subdomains, hsts_cases[i].sub);
			assert_int_equal(h.preload, hsts_cases[i].preload);
		}
	}
}

static void
test_autoconfig(void **state)
{
	struct autoconfig ac;
	const char *x = "<?xml version=\"1.0\"?><clientConfig version=\"1.1\"><emailProvider id=\"x\">"
	    "<incomingServer type=\"imap\"><hostname> mail.example </hostname><port>993</port>"
	    "<socketType>SSL</socketType></incomingServer>"
	    "<incomingServer type='pop3'><hostname>mail.%EMAILDOMAIN%</hostname><port>110</port>"
	    "<socketType>plain</socketType></incomingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>smtp.example</hostname><port>587</port>"
	    "<socketType>STARTTLS</socketType></outgoingServer>"
	    "<incomingServer type=\"imap\"><hostname>bad</hostname><port>99999</port></incomingServer>"
	    "</emailProvider></clientConfig>";
	const char *broken = "<clientConfig><incomingServer type=\"imap\"><hostname>x";

	assert_int_equal(autoconfig_parse(x, strlen(x), &ac), 0);
	assert_int_equal(ac.nservers, 3);
	assert_string_equal(ac.servers[0].type, "imap");
	assert_string_equal(ac.servers[0].hostname, "mail.example");
	assert_int_equal(ac.servers[0].port, 993);
	assert_int_equal(ac.servers[0].socket, AUTOCONFIG_SOCKET_SSL);
	assert_int_equal(ac.servers[1].socket, AUTOCONFIG_SOCKET_PLAIN);
	assert_string_equal(ac.servers[1].hostname, "mail.%EMAILDOMAIN%");
	assert_true(ac.servers[2].outgoing);
	assert_int_equal(ac.servers[2].socket, AUTOCONFIG_SOCKET_STARTTLS);
	assert_int_equal(autoconfig_parse(broken, strlen(broken), &ac), -1);
	assert_int_equal(autoconfig_parse("<html>", 6, &ac), -1);
	assert_string_equal(autoconfig_socket_name(AUTOCONFIG_SOCKET_STARTTLS), "STARTTLS");
}

static void
test_srv(void **state)
{
	static const uint8_t ok[] = { 0, 10, 0, 1, 0x03, 0xe1, 4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a',
	    'm', 'p', 'l', 'e', 0 };
	static const uint8_t dot[] = { 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t trailing[] = { 0, 0, 0, 0, 0, 1, 0, 9 };
	uint16_t p, w, port;
	char t[300];

	assert_int_equal(web_srv_decode(ok, sizeof(ok), &p, &w, &port, t, sizeof(t)), 0);
	assert_int_equal(p, 10);
	assert_int_equal(w, 1);
	assert_int_equal(port, 993);
	assert_string_equal(t, "mail.example.");
	assert_int_equal(web_srv_decode(dot, sizeof(dot), &p, &w, &port, t, sizeof(t)), 0);
	assert_string_equal(t, ".");
	assert_int_equal(web_srv_decode(trailing, sizeof(trailing), &p, &w, &port, t, sizeof(t)), -1);
	assert_int_equal(web_srv_decode(ok, 5, &p, &w, &port, t, sizeof(t)), -1);
}

static void
test_summary(void **state)
{
	struct arena *a = arena_new();
	struct endpoint *ep = endpoint_new(a, "h", "127.0.0.1", 993, ENDPOINT_PROTO_IMAPS, "h");
	char v[64];

	assert_string_equal(summary_cert(ep), "-");
	assert_string_equal(summary_ciphers(ep), "-");
	summary_versions(ep, v, sizeof(v));
	assert_string_equal(v, "-");
	ep->tls_established = 1;
	ep->tls = arena_alloc(a, sizeof(*ep->tls));
	ep->tls->version = "TLSv1.3";
	ep->tls->cipher = "TLS_AES_256_GCM_SHA384";
	ep->cert = arena_alloc(a, sizeof(*ep->cert));
	ep->cert->chain_valid = 1;
	ep->cert->name_match = 0;
	assert_string_equal(summary_cert(ep), "invalid: name");
	assert_string_equal(summary_ciphers(ep), "PFS (negotiated)");
	summary_versions(ep, v, sizeof(v));
	assert_string_equal(v, "TLSv1.3");
	ep->tls->cipher = "TLS_RSA_WITH_AES_128_GCM_SHA256";
	assert_string_equal(summary_ciphers(ep), "no PFS (negotiated)");
	assert_string_equal(summary_grade(ep), "-");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hsts),
		cmocka_unit_test(test_autoconfig),
		cmocka_unit_test(test_srv),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
