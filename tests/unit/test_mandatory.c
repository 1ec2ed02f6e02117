/*
 * test_mandatory.c — "Is TLS mandatory?" decided row by row; each row names the rule (and the RFC
 * text behind it) that must decide it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "verdict/mandatory.h"

#define S_SUB	MANDATORY_SVC_SUBMISSION
#define S_IMAP	MANDATORY_SVC_IMAP
#define S_POP	MANDATORY_SVC_POP3
#define S_C2S	MANDATORY_SVC_XMPP_CLIENT
#define S_SMTP	MANDATORY_SVC_SMTP
#define S_S2S	MANDATORY_SVC_XMPP_SERVER

static const struct {
	struct mandatory_facts	 f;	/* service reached implicit tls upgrade cred req broken dane sts */
	enum mandatory		 want;
	const char		*rule;	/* a part of the rule text that must decide it */
} rows[] = {
	/* nothing seen: never a guess */
	{ { S_IMAP, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, MANDATORY_UNKNOWN, "did not reach" },
	/* RFC 8314 §3: implicit TLS has no plaintext phase */
	{ { S_IMAP, 1, 1, 1, 0, 0, 0, 0, 0, 0 }, MANDATORY_YES, "RFC 8314 §3" },
	{ { S_POP, 1, 1, 0, 0, 0, 0, 0, 0, 0 }, MANDATORY_NO_TLS, "without a working handshake" },
	{ { S_C2S, 1, 1, 1, 0, 0, 0, 0, 0, 0 }, MANDATORY_YES, "XEP-0368" },
	/* RFC 3207 §4, RFC 2595 §3.1: no STARTTLS at all */
	{ { S_SUB, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, MANDATORY_NO_TLS, "no STARTTLS offered" },
	{ { S_SMTP, 1, 0, 0, 0, 0, 0, 0, 1, 1 }, MANDATORY_NO_TLS, "no STARTTLS offered" },
	/* Dovecot ssl=required: STARTTLS LOGINDISABLED (RFC 9051 §6.2.3) */
	{ { S_IMAP, 1, 0, 1, 1, 0, 0, 0, 0, 0 }, MANDATORY_YES, "nothing that carries a credential" },
	/* Dovecot disable_plaintext_auth=no: AUTH=PLAIN before STARTTLS */
	{ { S_IMAP, 1, 0, 1, 1, 1, 0, 0, 0, 0 }, MANDATORY_OPTIONAL, "LOGINDISABLED" },
	/* POP3 USER before STLS (RFC 2449 §6.3) */
	{ { S_POP, 1, 0, 1, 1, 1, 0, 0, 0, 0 }, MANDATORY_OPTIONAL, "RFC 2449 §6.3" },
	{ { S_POP, 1, 0, 1, 1, 0, 0, 0, 0, 0 }, MANDATORY_YES, "RFC 2595 §4" },
	/* Postfix submission smtpd_tls_auth_only = no / yes (RFC 4954 §4) */
	{ { S_SUB, 1, 0, 1, 1, 1, 0, 0, 0, 0 }, MANDATORY_OPTIONAL, "RFC 4954 §4" },
	{ { S_SUB, 1, 0, 1, 1, 0, 0, 0, 0, 0 }, MANDATORY_YES, "RFC 4954 §4" },
	/* XMPP c2s: <required/> (RFC 6120 §5.3.1) */
	{ { S_C2S, 1, 0, 1, 1, 0, 1, 0, 0, 0 }, MANDATORY_YES, "RFC 6120 §5.3.1" },
	{ { S_C2S, 1, 0, 1, 1, 0, 0, 0, 0, 0 }, MANDATORY_OPTIONAL, "without <required/>" },
	{ { S_C2S, 1, 0, 1, 1, 1, 0, 0, 0, 0 }, MANDATORY_OPTIONAL, "SASL mechanisms offered before TLS" },
	/* advertised <required/>, but plaintext SASL starts: the promise is not kept */
	{ { S_C2S, 1, 0, 1, 1, 1, 1, 1, 0, 0 }, MANDATORY_OPTIONAL, "SASL starts in plaintext" },
	/* XMPP s2s: <required/>, else DANE (RFC 7673), else optional */
	{ { S_S2S, 1, 0, 1, 1, 0, 1, 0, 0, 0 }, MANDATORY_YES, "s2s stream features" },
	{ { S_S2S, 1, 0, 1, 1, 0, 0, 0, 1, 0 }, MANDATORY_YES, "RFC 7673" },
	{ { S_S2S, 1, 0, 1, 1, 0, 0, 0, 0, 0 }, MANDATORY_OPTIONAL, "peers may stream in plaintext" },
	/* SMTP port 25: only DANE (RFC 7672 §2.2) or MTA-STS enforce (RFC 8461 §5) make it so */
	{ { S_SMTP, 1, 0, 1, 1, 0, 0, 0, 1, 0 }, MANDATORY_YES, "RFC 7672 §2.2" },
	{ { S_SMTP, 1, 0, 1, 1, 0, 0, 0, 0, 1 }, MANDATORY_YES, "RFC 8461 §5" },
	{ { S_SMTP, 1, 0, 1, 1, 0, 0, 0, 0, 0 }, MANDATORY_OPTIONAL, "RFC 3207 §4" },
	/* a port 25 server offering AUTH before TLS is still only as mandatory as DANE makes it */
	{ { S_SMTP, 1, 0, 1, 1, 1, 0, 0, 0, 0 }, MANDATORY_OPTIONAL, "opportunistic" },
};

static void
test_rows(void **state)
{
	struct mandatory_result r;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		mandatory_decide(&rows[i].f, &r);
		if (r.value != rows[i].want || strstr(r.rule, rows[i].rule) == NULL)
			fail_msg("row %zu: got %s (%s), want %s (%s)", i, mandatory_name(r.value), r.rule,
			    mandatory_name(rows[i].want), rows[i].rule);
	}
}

static void
test_names(void **state)
{
	assert_string_equal(mandatory_name(MANDATORY_YES), "yes");
	assert_string_equal(mandatory_name(MANDATORY_OPTIONAL), "optional");
	assert_string_equal(mandatory_name(MANDATORY_NO_TLS), "no_tls");
	assert_string_equal(mandatory_name(MANDATORY_UNKNOWN), "unknown");
	assert_int_equal(mandatory_service_of("smtp", 25), MANDATORY_SVC_SMTP);
	assert_int_equal(mandatory_service_of("smtp", 587), MANDATORY_SVC_SUBMISSION);
	assert_int_equal(mandatory_service_of("xmpp-server", 5269), MANDATORY_SVC_XMPP_SERVER);
	assert_int_equal(mandatory_service_of("gopher", 70), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
