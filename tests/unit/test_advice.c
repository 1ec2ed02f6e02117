/*
 * test_advice.c — lib/advice/: software recognition from greeting and EHLO reply, and the advice
 * built from hand-made check results (TLSA, MTA-STS, TLS-RPT, settings per software, notes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "advice/advice.h"
#include "check/check.h"
#include "util/arena.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define SPKI	"1c57234cd5a3e273819b7eea201d2352b4327d93e9d07bfca7e74d0d6c917ab0"
#define NEXT	"0000000000000000000000000000000000000000000000000000000000000001"
#define CA_SPKI	"abababababababababababababababababababababababababababababababab"

static struct endpoint *
mk_ep(struct arena *a, const char *host, const char *banner, const char *const *kw, size_t nkw,
    int pipelining)
{
	struct endpoint *ep = endpoint_new(a, host, "192.0.2.1", 25, ENDPOINT_PROTO_SMTP, host);
	struct smtp_caps *c = arena_alloc(a, sizeof(*c));

	ep->banner = banner;
	ep->connected = 1;
	ep->tls_established = 1;
	c->keywords = (const char **)kw;
	c->nkeywords = nkw;
	c->pipelining = pipelining;
	ep->caps_plain = c;
	ep->cert = arena_alloc(a, sizeof(*ep->cert));
	ep->cert->spki_sha256 = SPKI;
	ep->cert->chain_valid = 1;
	ep->cert->name_match = 1;
	return ep;
}

static void
test_recognise(void **state)
{
	static const char *const pf[] = { "PIPELINING", "SIZE 10240000", "VRFY", "ETRN", "STARTTLS" };
	static const char *const ex[] = { "SIZE 52428800", "8BITMIME", "PIPELINING", "STARTTLS", "HELP" };
	static const char *const os[] = { "8BITMIME", "ENHANCEDSTATUSCODES", "SIZE 36700160", "DSN",
	    "STARTTLS", "HELP" };
	static const char *const none[] = { "STARTTLS" };
	static const struct {
		const char		*banner;
		const char *const	*kw;
		size_t			 nkw;
		int			 pipelining;
		enum advice_software	 want;
		const char		*why;
	} rows[] = {
		{ "mx.example ESMTP Postfix (Debian/GNU)", none, 1, 0, ADVICE_SW_POSTFIX, "greeting" },
		{ "mx.example ESMTP Exim 4.96 Mon, 1 Jan", none, 1, 0, ADVICE_SW_EXIM, "greeting" },
		{ "mx.example ESMTP OpenSMTPD", none, 1, 0, ADVICE_SW_OPENSMTPD, "greeting" },
		{ "mx.example ESMTP mailtls-lab", pf, NELEM(pf), 1, ADVICE_SW_POSTFIX, "EHLO reply" },
		{ "mx.example ESMTP", ex, NELEM(ex), 1, ADVICE_SW_EXIM, "EHLO reply" },
		{ "mx.example ESMTP", os, NELEM(os), 0, ADVICE_SW_OPENSMTPD, "EHLO reply" },
		{ "mx.example ESMTP", none, 1, 1, ADVICE_SW_UNKNOWN, NULL },
	};
	struct arena *a = arena_new();
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		const char *why;
		struct endpoint *ep = mk_ep(a, "mx.example", rows[i].banner, rows[i].kw, rows[i].nkw,
		    rows[i].pipelining);

		if (advice_recognise(ep, &why) != rows[i].want)
			fail_msg("row %zu: %s", i, rows[i].banner);
		if ((why == NULL) != (rows[i].why == NULL) || (why && strcmp(why, rows[i].why)))
			fail_msg("row %zu: why %s", i, why ? why : "(null)");
	}
	assert_int_equal(advice_software_by_name("Postfix"), ADVICE_SW_POSTFIX);
	assert_int_equal(advice_software_by_name("sendmail"), -1);
	arena_free(a);
}

/* A weak Postfix with no DANE, no MTA-STS, no TLS-RPT: the lab case of tests/real/advise.sh. */
static struct check_result *
mk_weak(struct arena *a)
{
	static const char *const pf[] = { "PIPELINING", "ETRN", "STARTTLS", "AUTH PLAIN LOGIN" };
	struct check_result *r = arena_alloc(a, sizeof(*r));
	struct check_mx *mx = &r->mx[0];
	struct endpoint *ep = mk_ep(a, "mx.weak.example", "mx ESMTP lab", pf, NELEM(pf), 1);

	r->domain = "weak.example";
	r->mx_status = RESOLVER_SECURE;
	r->nmx = 1;
	mx->host = "mx.weak.example";
	mx->addr_status = RESOLVER_SECURE;
	mx->vm.use = VERDICT_USE_USED;
	mx->vm.dane = VERDICT_DANE_NONE;
	mx->nep = 1;
	mx->ep[0] = ep;
	endpoint_finding(ep, a, FINDING_TLS_V1_0, NULL);
	endpoint_finding(ep, a, FINDING_TLS_V1_1, NULL);
	endpoint_finding(ep, a, FINDING_CIPHER_ANON, NULL);
	endpoint_finding(ep, a, FINDING_AUTH_BEFORE_TLS, NULL);
	endpoint_finding(ep, a, FINDING_CIPHER_3DES, NULL);
	endpoint_finding(ep, a, FINDING_KX_NO_PFS, NULL);
	endpoint_finding(ep, a, FINDING_TLS_NO_FALLBACK_SCSV, NULL);
	return r;
}

static const struct advice_setting *
find_setting(const struct advice *ad, enum advice_software sw, const char *line)
{
	size_t i;

	for (i = 0; i < ad->nsettings; i++)
		if (ad->settings[i].sw == sw && strcmp(ad->settings[i].line, line) == 0)
			return &ad->settings[i];
	return NULL;
}

static void
test_weak_postfix(void **state)
{
	struct arena *a = arena_new();
	struct check_result *r = mk_weak(a);
	struct advice_opts o = { 1767225600, NEXT, ADVICE_SW_UNKNOWN, 0 };	/* 2026-01-01 */
	struct advice ad;
	const struct advice_setting *s;
	size_t i;

	(void)state;
	advice_build(r, &o, a, &ad);
	/* DANE: the key in use and the next key, at the MX host, zone-file syntax */
	assert_int_equal(ad.ntlsa, 2);
	assert_string_equal(ad.tlsa[0].zone_line, "_25._tcp.mx.weak.example. 3600 IN TLSA 3 1 1 " SPKI);
	assert_string_equal(ad.tlsa[1].rdata, "3 1 1 " NEXT);
	assert_non_null(ad.rollover);
	assert_false(ad.dane_blocked);
	/* MTA-STS in testing with the observed MX, a fresh id from the time given */
	assert_true(ad.sts_needed);
	assert_string_equal(ad.sts_txt, "_mta-sts.weak.example. 3600 IN TXT \"v=STSv1; id=20260101000000\"");
	assert_string_equal(ad.sts_policy, "version: STSv1\nmode: testing\nmx: mx.weak.example\n"
	    "max_age: 604800\n");
	assert_non_null(strstr(ad.sts_nginx, "server_name mta-sts.weak.example;"));
	assert_non_null(strstr(ad.sts_enforce_when, "enforce"));
	assert_true(ad.rpt_needed);
	assert_string_equal(ad.rpt_txt, "_smtp._tls.weak.example. 3600 IN TXT "
	    "\"v=TLSRPTv1; rua=mailto:tlsrpt@weak.example\"");
	/* Postfix recognised by ETRN; one line per setting naming every finding it removes */
	assert_int_equal(ad.nhosts, 1);
	assert_int_equal(ad.hosts[0].sw, ADVICE_SW_POSTFIX);
	s = find_setting(&ad, ADVICE_SW_POSTFIX, "smtpd_tls_protocols = >=TLSv1.2");
	assert_non_null(s);
	assert_string_equal(s->findings, "tls.v1_0 tls.v1_1");
	assert_string_equal(s->file, "main.cf");
	assert_non_null(find_setting(&ad, ADVICE_SW_POSTFIX, "smtpd_tls_mandatory_protocols = >=TLSv1.2"));
	s = find_setting(&ad, ADVICE_SW_POSTFIX, "smtpd_tls_auth_only = yes");
	assert_non_null(s);
	assert_string_equal(s->findings, "auth.before_tls");
	assert_non_null(find_setting(&ad, ADVICE_SW_POSTFIX, "smtpd_tls_mandatory_exclude_ciphers = aNULL"));
	s = find_setting(&ad, ADVICE_SW_POSTFIX, "smtpd_tls_exclude_ciphers = 3DES, kRSA");
	assert_non_null(s);
	assert_string_equal(s->findings, "cipher.3des kx.no_pfs");
	for (i = 0; i < ad.nsettings; i++)
		assert_int_equal(ad.settings[i].sw, ADVICE_SW_POSTFIX);
	/* what no setting fixes is a note */
	assert_int_equal(ad.nnotes, 1);
	assert_non_null(strstr(ad.notes[0], "tls.no_fallback_scsv"));
	arena_free(a);
}

static void
test_software_forced_and_unknown(void **state)
{
	struct arena *a = arena_new();
	struct check_result *r = mk_weak(a);
	struct advice_opts o = { 0, NULL, ADVICE_SW_DOVECOT, 7200 };
	struct advice ad;
	const struct advice_setting *s;
	size_t i, j;

	(void)state;
	advice_build(r, &o, a, &ad);
	assert_non_null(find_setting(&ad, ADVICE_SW_DOVECOT, "ssl_min_protocol = TLSv1.2"));
	assert_non_null(find_setting(&ad, ADVICE_SW_DOVECOT, "disable_plaintext_auth = yes"));
	assert_null(find_setting(&ad, ADVICE_SW_POSTFIX, "smtpd_tls_auth_only = yes"));
	assert_string_equal(ad.hosts[0].recognised_by, "--software");
	/* no --next-key: one record and a note how to get the second */
	assert_int_equal(ad.ntlsa, 1);
	assert_non_null(strstr(ad.tlsa[0].zone_line, " 7200 IN TLSA "));
	/* unrecognised: the three MTAs */
	r->mx[0].ep[0]->caps_plain->nkeywords = 0;
	o.force_sw = ADVICE_SW_UNKNOWN;
	advice_build(r, &o, a, &ad);
	assert_int_equal(ad.hosts[0].sw, ADVICE_SW_UNKNOWN);
	assert_non_null(find_setting(&ad, ADVICE_SW_POSTFIX, "smtpd_tls_auth_only = yes"));
	/* one line per option, covering every finding (several lines for one option leave only
	   the last in force: found applying the advice to the lab's Exim and OpenSMTPD) */
	s = find_setting(&ad, ADVICE_SW_EXIM, "tls_require_ciphers = NORMAL:-VERS-ALL:+VERS-TLS1.3:"
	    "+VERS-TLS1.2:-ANON-DH:-ANON-ECDH:-3DES-CBC:-RSA");
	assert_non_null(s);
	assert_string_equal(s->findings, "tls.v1_0 tls.v1_1 cipher.anon cipher.3des kx.no_pfs");
	s = find_setting(&ad, ADVICE_SW_OPENSMTPD, "smtp ciphers \"HIGH:!aNULL:!MD5:!RC4:!3DES:!kRSA\"");
	assert_non_null(s);
	assert_string_equal(s->findings, "cipher.anon cipher.3des kx.no_pfs");
	for (i = 0; i < ad.nsettings; i++)
		if (ad.settings[i].sw == ADVICE_SW_EXIM || ad.settings[i].sw == ADVICE_SW_OPENSMTPD)
			for (j = i + 1; j < ad.nsettings; j++)
				if (ad.settings[j].sw == ad.settings[i].sw &&
				    strncmp(ad.settings[i].line, ad.settings[j].line, 12) == 0)
					fail_msg("two lines for one option: %s / %s", ad.settings[i].line,
					    ad.settings[j].line);
	assert_null(find_setting(&ad, ADVICE_SW_DOVECOT, "ssl_min_protocol = TLSv1.2"));
	arena_free(a);
}

static void
test_protected(void **state)
{
	struct arena *a = arena_new();
	struct check_result *r = mk_weak(a);
	struct advice_opts o = { 0, NULL, ADVICE_SW_UNKNOWN, 0 };
	struct advice ad;
	const char *pat[1] = { "mx.weak.example" };

	(void)state;
	/* DANE with two usable records, an enforced policy covering the MX, TLS-RPT: no records */
	r->mx[0].ep[0]->nfindings = 0;
	r->mx[0].vm.dane = VERDICT_DANE_AUTH;
	r->mx[0].health.usable = 2;
	r->sts.policy_valid = 1;
	r->sts.policy.mode = MTASTS_MODE_ENFORCE;
	r->sts.policy.mx = pat;
	r->sts.policy.nmx = 1;
	r->tlsrpt.present = 1;
	r->tlsrpt.status = TLSRPT_OK;
	advice_build(r, &o, a, &ad);
	assert_int_equal(ad.ntlsa, 0);
	assert_false(ad.sts_needed);
	assert_false(ad.rpt_needed);
	assert_int_equal(ad.nsettings, 0);
	/* an unsigned MX RRset: TLSA cannot help until the zone is signed */
	r->mx[0].vm.dane = VERDICT_DANE_NONE;
	r->mx_status = RESOLVER_INSECURE;
	advice_build(r, &o, a, &ad);
	assert_true(ad.dane_blocked);
	assert_non_null(strstr(ad.notes[0], "sign the zone of weak.example"));
	/* an enforced policy missing an MX: the same mode, the MX added, a new id */
	r->mx_status = RESOLVER_SECURE;
	pat[0] = "other.example";
	advice_build(r, &o, a, &ad);
	assert_true(ad.sts_needed);
	assert_non_null(strstr(ad.sts_policy, "mode: enforce\nmx: mx.weak.example\n"));
	/* null MX: nothing */
	r->null_mx = 1;
	r->nmx = 0;
	advice_build(r, &o, a, &ad);
	assert_false(ad.sts_needed);
	assert_int_equal(ad.ntlsa, 0);
	arena_free(a);
}

/*
 * 2 1 1 of the issuing CA when its certificate is known; DANE-TA needs it in the chain the server
 * sends (RFC 7671 §5.2, RFC 7672 §3.1): said when it is not sent.
 */
static void
test_issuer_211(void **state)
{
	struct arena *a = arena_new();
	struct check_result *r = mk_weak(a);
	struct advice_opts o = { 1767225600, NULL, ADVICE_SW_UNKNOWN, 0 };
	struct advice ad;
	size_t i;
	int note = 0;

	(void)state;
	r->mx[0].ep[0]->cert->issuer_spki_sha256 = CA_SPKI;
	r->mx[0].ep[0]->cert->issuer_sent = 1;
	advice_build(r, &o, a, &ad);
	assert_int_equal(ad.ntlsa, 2);
	assert_string_equal(ad.tlsa[0].rdata, "3 1 1 " SPKI);
	assert_string_equal(ad.tlsa[1].zone_line, "_25._tcp.mx.weak.example. 3600 IN TLSA 2 1 1 " CA_SPKI);
	assert_non_null(strstr(ad.tlsa[1].why, "sends its certificate"));
	for (i = 0; i < ad.nnotes; i++)
		note |= strstr(ad.notes[i], "2 1 1") != NULL;
	assert_false(note);		/* no "how to compute a second record" any more */
	/* a CA with several intermediates: 2 1 1 is a backup only while this one issues */
	assert_non_null(strstr(ad.tlsa[1].why, "while renewals come from this intermediate"));
	assert_non_null(ad.rollover);
	assert_non_null(strstr(ad.rollover, "several intermediates"));

	r->mx[0].ep[0]->cert->issuer_sent = 0;
	advice_build(r, &o, a, &ad);
	assert_int_equal(ad.ntlsa, 2);
	assert_non_null(strstr(ad.tlsa[1].why, "does not send"));
	for (i = 0; i < ad.nnotes; i++)
		note |= strstr(ad.notes[i], "sends the CA certificate") != NULL;
	assert_true(note);

	r->mx[0].ep[0]->cert->issuer_spki_sha256 = NULL;	/* unknown: how to compute it */
	advice_build(r, &o, a, &ad);
	assert_int_equal(ad.ntlsa, 1);
	for (i = 0, note = 0; i < ad.nnotes; i++)
		note |= strstr(ad.notes[i], "openssl x509 -in ca.pem") != NULL;
	assert_true(note);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recognise),
		cmocka_unit_test(test_weak_postfix),
		cmocka_unit_test(test_software_forced_and_unknown),
		cmocka_unit_test(test_protected),
		cmocka_unit_test(test_issuer_211),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
