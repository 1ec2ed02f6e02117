/*
 * test_mitm.c — the mitm's decisions, row by row: facts of one connection -> outcome, a client's
 * outcomes -> verdict; the name tables; docs/mitm.md generated from them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mitm/attack.h"
#include "mitm/verdict.h"

/* Facts as short flags, so each row reads like the decision table in docs/internals/mitm.md. */
#define R	.attack_reached = 1
#define OFF	.offered = 1
#define ASK	.starttls_sent = 1
#define AUTHC	.auth_clear = 1
#define MAILC	.mail_clear = 1
#define AUTHT	.auth_tls = 1
#define MAILT	.mail_tls = 1
#define TDONE	.tls = MITM_TLS_DONE, .tls_commands = 1
#define THAND	.tls = MITM_TLS_DONE	/* handshake, then only QUIT or a close */
#define TFAIL	.tls = MITM_TLS_FAILED

struct conn_row {
	const char		*why;
	struct mitm_obs		 o;
	enum mitm_outcome	 want;
};

static const struct conn_row conn_rows[] = {
	/* the control run */
	{ "control: asked for TLS", { .attack = MITM_ATTACK_NONE, OFF, R, ASK, TDONE },
	    MITM_OUTCOME_TLS_USED },
	{ "control: ignored STARTTLS, sent mail", { .attack = MITM_ATTACK_NONE, OFF, R, MAILC,
	    .after_attack = 3 }, MITM_OUTCOME_PLAIN_MAIL },
	{ "control: ignored STARTTLS, sent a password", { .attack = MITM_ATTACK_NONE, OFF, R, AUTHC,
	    MAILC, .after_attack = 2 }, MITM_OUTCOME_PLAIN_CREDENTIALS },
	{ "control: ignored STARTTLS, other commands", { .attack = MITM_ATTACK_NONE, OFF, R,
	    .after_attack = 1 }, MITM_OUTCOME_TLS_UNUSED },
	{ "control: left at once", { .attack = MITM_ATTACK_NONE }, MITM_OUTCOME_INCONCLUSIVE },
	{ "control: quit after EHLO", { .attack = MITM_ATTACK_NONE, OFF, R, .quit = 1 },
	    MITM_OUTCOME_INCONCLUSIVE },
	/* strip */
	{ "strip: mail in clear", { .attack = MITM_ATTACK_STRIP, R, MAILC, .after_attack = 3 },
	    MITM_OUTCOME_PLAIN_MAIL },
	{ "strip: password and mail in clear", { .attack = MITM_ATTACK_STRIP, R, AUTHC, MAILC },
	    MITM_OUTCOME_PLAIN_CREDENTIALS },
	{ "strip: insisted on STARTTLS, then quit", { .attack = MITM_ATTACK_STRIP, R, ASK,
	    .quit = 1 }, MITM_OUTCOME_REFUSED },
	{ "strip: went on with other commands", { .attack = MITM_ATTACK_STRIP, R,
	    .after_attack = 2 }, MITM_OUTCOME_PLAIN_CONTINUED },
	{ "strip: never saw the capabilities", { .attack = MITM_ATTACK_STRIP },
	    MITM_OUTCOME_INCONCLUSIVE },
	{ "strip: password before any capability", { .attack = MITM_ATTACK_STRIP, AUTHC },
	    MITM_OUTCOME_PLAIN_CREDENTIALS },
	/* refusals of the upgrade */
	{ "454: quit", { .attack = MITM_ATTACK_TLS_TEMPFAIL, OFF, ASK, R, .quit = 1 },
	    MITM_OUTCOME_REFUSED },
	{ "454: mail in clear", { .attack = MITM_ATTACK_TLS_TEMPFAIL, OFF, ASK, R, MAILC },
	    MITM_OUTCOME_PLAIN_MAIL },
	{ "554: closed", { .attack = MITM_ATTACK_TLS_PERMFAIL, OFF, ASK, R }, MITM_OUTCOME_REFUSED },
	{ "garbage: waited, then closed", { .attack = MITM_ATTACK_TLS_GARBAGE, OFF, ASK, R,
	    .end = MITM_END_TIMEOUT }, MITM_OUTCOME_REFUSED },
	{ "close: closed", { .attack = MITM_ATTACK_TLS_CLOSE, OFF, ASK, R,
	    .end = MITM_END_MITM_CLOSED }, MITM_OUTCOME_REFUSED },
	{ "close: never asked for TLS, sent mail", { .attack = MITM_ATTACK_TLS_CLOSE, OFF, MAILC },
	    MITM_OUTCOME_PLAIN_MAIL },
	{ "ehlo refused: HELO then mail", { .attack = MITM_ATTACK_EHLO_REFUSED, R, MAILC,
	    .helo_fallback = 1 }, MITM_OUTCOME_PLAIN_MAIL },
	{ "ehlo refused: HELO then quit (msmtp)", { .attack = MITM_ATTACK_EHLO_REFUSED, R,
	    .helo_fallback = 1, .quit = 1 }, MITM_OUTCOME_REFUSED },
	{ "ehlo refused: HELO, RSET, quit", { .attack = MITM_ATTACK_EHLO_REFUSED, R,
	    .helo_fallback = 1, .after_attack = 1, .quit = 1 }, MITM_OUTCOME_PLAIN_CONTINUED },
	{ "ehlo refused: quit", { .attack = MITM_ATTACK_EHLO_REFUSED, R, .quit = 1 },
	    MITM_OUTCOME_REFUSED },
	/* certificates */
	{ "selfsigned: alert", { .attack = MITM_ATTACK_CERT_SELFSIGNED, OFF, ASK, R, TFAIL },
	    MITM_OUTCOME_REFUSED },
	{ "selfsigned: handshake then QUIT (Postfix verify)", { .attack =
	    MITM_ATTACK_CERT_SELFSIGNED, OFF, ASK, R, THAND, .quit = 1 }, MITM_OUTCOME_REFUSED },
	{ "selfsigned: EHLO inside", { .attack = MITM_ATTACK_CERT_SELFSIGNED, OFF, ASK, R, TDONE },
	    MITM_OUTCOME_CERT_ACCEPTED },
	{ "unknownca: mail inside", { .attack = MITM_ATTACK_CERT_UNKNOWNCA, OFF, ASK, R, TDONE,
	    MAILT }, MITM_OUTCOME_CERT_MAIL },
	{ "expired: password inside", { .attack = MITM_ATTACK_CERT_EXPIRED, OFF, ASK, R, TDONE,
	    AUTHT, MAILT }, MITM_OUTCOME_CERT_CREDENTIALS },
	{ "wrongname: clear text beats inside", { .attack = MITM_ATTACK_CERT_WRONGNAME, OFF, ASK, R,
	    TDONE, AUTHT, MAILC }, MITM_OUTCOME_PLAIN_MAIL },
	/* injection */
	{ "inject: taken", { .attack = MITM_ATTACK_INJECT, OFF, ASK, R, TDONE, .inject_taken = 1 },
	    MITM_OUTCOME_INJECT_ACCEPTED },
	{ "inject: ignored", { .attack = MITM_ATTACK_INJECT, OFF, ASK, R, TDONE, MAILT },
	    MITM_OUTCOME_INJECT_IGNORED },
	{ "inject: handshake failed", { .attack = MITM_ATTACK_INJECT, OFF, ASK, R, TFAIL },
	    MITM_OUTCOME_INCONCLUSIVE },
	{ "inject: handshake, then nothing", { .attack = MITM_ATTACK_INJECT, OFF, ASK, R, THAND },
	    MITM_OUTCOME_INCONCLUSIVE },
};

static void
test_conn_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(conn_rows) / sizeof(conn_rows[0]); i++) {
		enum mitm_outcome got = mitm_verdict_conn(&conn_rows[i].o);

		if (got != conn_rows[i].want)
			fail_msg("row %zu (%s): got %s, want %s", i, conn_rows[i].why,
			    mitm_outcome_name(got), mitm_outcome_name(conn_rows[i].want));
	}
}

#define MAXN 6

struct client_row {
	const char			*why;
	size_t				 n;
	enum mitm_attack		 att[MAXN];
	enum mitm_outcome		 out[MAXN];
	enum mitm_client_verdict	 want;
	enum severity			 sev;
	const char			*sentence;	/* a substring */
};

static const struct client_row client_rows[] = {
	{ "nothing", 0, { 0 }, { 0 }, MITM_CLIENT_UNKNOWN, SEVERITY_INFO, "no verdict" },
	{ "control only", 1, { MITM_ATTACK_NONE }, { MITM_OUTCOME_TLS_USED }, MITM_CLIENT_UNKNOWN,
	    SEVERITY_INFO, "uses STARTTLS when offered" },
	{ "refuses all", 3, { MITM_ATTACK_NONE, MITM_ATTACK_STRIP, MITM_ATTACK_CERT_SELFSIGNED },
	    { MITM_OUTCOME_TLS_USED, MITM_OUTCOME_REFUSED, MITM_OUTCOME_REFUSED }, MITM_CLIENT_SAFE,
	    SEVERITY_INFO, "refuses: safe (2 attacks refused" },
	{ "falls back with a password", 2, { MITM_ATTACK_STRIP, MITM_ATTACK_TLS_TEMPFAIL },
	    { MITM_OUTCOME_PLAIN_CREDENTIALS, MITM_OUTCOME_REFUSED }, MITM_CLIENT_FALLS_BACK,
	    SEVERITY_CRITICAL, "falls back to plaintext when STARTTLS is stripped or refused "
	    "(strip): passwords exposed" },
	{ "falls back with mail, takes any certificate", 3, { MITM_ATTACK_STRIP,
	    MITM_ATTACK_TLS_TEMPFAIL, MITM_ATTACK_CERT_SELFSIGNED }, { MITM_OUTCOME_PLAIN_MAIL,
	    MITM_OUTCOME_PLAIN_MAIL, MITM_OUTCOME_CERT_MAIL }, MITM_CLIENT_FALLS_BACK, SEVERITY_HIGH,
	    "(strip, starttls.tempfail): mail exposed; accepts an untrusted certificate "
	    "(cert.selfsigned): mail exposed" },
	{ "bad certificate only", 2, { MITM_ATTACK_STRIP, MITM_ATTACK_CERT_EXPIRED },
	    { MITM_OUTCOME_REFUSED, MITM_OUTCOME_CERT_ACCEPTED }, MITM_CLIENT_BAD_CERT, SEVERITY_HIGH,
	    "accepts an untrusted certificate (cert.expired): the session can be read" },
	{ "injection", 2, { MITM_ATTACK_STRIP, MITM_ATTACK_INJECT }, { MITM_OUTCOME_REFUSED,
	    MITM_OUTCOME_INJECT_ACCEPTED }, MITM_CLIENT_INJECTION, SEVERITY_HIGH,
	    "acts on a reply injected before TLS" },
	{ "no TLS at all", 2, { MITM_ATTACK_NONE, MITM_ATTACK_STRIP }, { MITM_OUTCOME_PLAIN_MAIL,
	    MITM_OUTCOME_PLAIN_MAIL }, MITM_CLIENT_NO_TLS, SEVERITY_HIGH,
	    "does not use STARTTLS even when it is offered (none): mail exposed" },
	{ "only inconclusive", 2, { MITM_ATTACK_STRIP, MITM_ATTACK_INJECT },
	    { MITM_OUTCOME_INCONCLUSIVE, MITM_OUTCOME_INCONCLUSIVE }, MITM_CLIENT_UNKNOWN,
	    SEVERITY_INFO, "no verdict" },
};

static void
test_client_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(client_rows) / sizeof(client_rows[0]); i++) {
		const struct client_row *r = &client_rows[i];
		struct mitm_client_result res;

		mitm_verdict_client(r->out, r->att, r->n, &res);
		if (res.verdict != r->want || res.severity != r->sev ||
		    strstr(res.sentence, r->sentence) == NULL)
			fail_msg("row %zu (%s): got %s/%s \"%s\"", i, r->why,
			    mitm_client_verdict_name(res.verdict), severity_name(res.severity),
			    res.sentence);
	}
}

static void
test_names(void **state)
{
	int i, j;

	for (i = 0; i < MITM_ATTACK_LAST; i++) {
		const char *n = mitm_attack_name((enum mitm_attack)i);

		assert_int_equal(mitm_attack_by_name(n), i);
		assert_non_null(mitm_attack_info((enum mitm_attack)i)->what);
		assert_true(mitm_attack_applies((enum mitm_attack)i, MITM_PROTO_SMTP));
		for (j = 0; j < i; j++)
			assert_string_not_equal(n, mitm_attack_name((enum mitm_attack)j));
	}
	for (i = 0; i < MITM_OUTCOME_LAST; i++) {
		assert_non_null(mitm_outcome_name((enum mitm_outcome)i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(mitm_outcome_name((enum mitm_outcome)i),
			    mitm_outcome_name((enum mitm_outcome)j));
	}
	for (i = 0; i < MITM_PROTO_LAST; i++)
		assert_int_equal(mitm_proto_by_name(mitm_proto_name((enum mitm_proto)i)), i);
	assert_int_equal(mitm_attack_by_name("nonsense"), -1);
	assert_false(mitm_attack_applies(MITM_ATTACK_EHLO_REFUSED, MITM_PROTO_IMAP));
	assert_false(mitm_attack_applies(MITM_ATTACK_TLS_TEMPFAIL, MITM_PROTO_XMPP));
	for (i = 0; i < MITM_END_LAST; i++)
		assert_non_null(mitm_end_name((enum mitm_end)i));
	for (i = 0; i < MITM_CLIENT_LAST; i++)
		assert_non_null(mitm_client_verdict_name((enum mitm_client_verdict)i));
}

/* docs/mitm.md holds the generated tables between two markers; they must not drift. */
static void
test_doc_in_step(void **state)
{
	static const char begin[] = "<!-- generated: mailtls mitm --list --markdown -->\n";
	static const char end[] = "<!-- end generated -->";
	char *doc, *gen = NULL, *b, *e;
	size_t glen = 0;
	long n;
	FILE *f = fopen("docs/mitm.md", "r"), *g;

	if (f == NULL)
		skip();	/* run from elsewhere than the source tree */
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	doc = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(doc, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	g = open_memstream(&gen, &glen);
	mitm_attack_markdown(g);
	fclose(g);
	b = strstr(doc, begin);
	e = b ? strstr(b, end) : NULL;
	if (b == NULL || e == NULL)
		fail_msg("docs/mitm.md lacks the generated-table markers");
	b += sizeof(begin) - 1;
	if ((size_t)(e - b) != glen || memcmp(b, gen, glen) != 0)
		fail_msg("docs/mitm.md is stale: put the output of `mailtls mitm --list --markdown` "
		    "between its markers");
	free(doc);
	free(gen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conn_table),
		cmocka_unit_test(test_client_table),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_doc_in_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
