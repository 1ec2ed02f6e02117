/*
 * policy_render.c — `mailtls policy`: the decisions of lib/policy/ as Postfix smtp_tls_policy_maps
 * lines, OpenSMTPD smtpd.conf and Exim configuration, and as JSON.  Decides nothing.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "policy/policy.h"
#include "report/policy_render.h"
#include "report/report.h"

static const char *
pr_why(const struct policy_decision *d)
{
	switch (d->basis) {
	case POLICY_BASIS_DANE:
		return d->level == POLICY_LEVEL_DANE_ONLY ? "DANE: every MX has DNSSEC-validated TLSA records" :
		    d->level == POLICY_LEVEL_ENCRYPT ? "DANE: secure TLSA records, none usable" :
		    "DANE on some MX hosts";
	case POLICY_BASIS_MTA_STS:
		return "MTA-STS policy in enforce mode";
	case POLICY_BASIS_OBSERVED:
		return "pinned from observation (--pin): nothing published backs it";
	case POLICY_BASIS_UNKNOWN:
		return "undetermined: DNS lookups failed";
	case POLICY_BASIS_HISTORY:
		return "pinned to the keys of the newest stored scan: defers when they change";
	default:
		return d->level == POLICY_LEVEL_DEFAULT ? "accepts no mail" :
		    "nothing published that a sender can enforce";
	}
}

void
report_policy_warnings(FILE *f, const struct policy_row *rows, size_t n, const char *comment)
{
	size_t i, j, any = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < rows[i].d.nwarn; j++) {
			const struct policy_warn *w = &rows[i].d.warn[j];

			if (!any++)
				fprintf(f, "%s warnings (DEFERS = enforcing this line defers mail today):\n",
				    comment);
			fprintf(f, "%s   %s%s%s%s: %s [%s]%s\n", comment, rows[i].domain,
			    w->host ? " (" : "", w->host ? w->host : "", w->host ? ")" : "",
			    policy_warning_text(w->id), policy_warning_name(w->id),
			    policy_defers_today(w->id) ? " DEFERS" : "");
		}
}

void
report_policy_postfix(FILE *f, const struct policy_row *rows, size_t n)
{
	char v[POLICY_MATCH_MAX + 64];
	size_t i, w = 0;

	fprintf(f, "# Postfix smtp_tls_policy_maps (mailtls policy).  Save as /etc/postfix/tls_policy,\n"
	    "# run `postmap /etc/postfix/tls_policy`, and set in main.cf:\n"
	    "#   smtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n"
	    "#   smtp_dns_support_level = dnssec      (dane and dane-only need it)\n");
	for (i = 0; i < n; i++)
		if (strlen(rows[i].domain) > w)
			w = strlen(rows[i].domain);
	for (i = 0; i < n; i++) {
		const struct policy_decision *d = &rows[i].d;

		if (policy_postfix(d, v, sizeof(v)) <= 0)
			fprintf(f, "# %-*s  (no entry: %s)\n", (int)w, rows[i].domain, pr_why(d));
		else
			fprintf(f, "%-*s  %s\n", (int)w, rows[i].domain, v);
	}
	for (i = 0; i < n; i++)
		if (rows[i].d.level != POLICY_LEVEL_DEFAULT)
			fprintf(f, "#   %s: %s (%s)\n", rows[i].domain, pr_why(&rows[i].d), rows[i].d.rule);
}

static void
pr_list(FILE *f, const struct policy_row *rows, size_t n, int (*want)(const struct policy_decision *),
    const char *sep, const char *quote)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (want(&rows[i].d))
			fprintf(f, "%s%s%s%s", k++ ? sep : "", quote, rows[i].domain, quote);
}

static int
pr_is_dane_only(const struct policy_decision *d)
{
	return d->level == POLICY_LEVEL_DANE_ONLY;
}

static int
pr_is_dane(const struct policy_decision *d)
{
	return d->level == POLICY_LEVEL_DANE;
}

static int
pr_is_secure(const struct policy_decision *d)
{
	return d->level == POLICY_LEVEL_SECURE;
}

/* OpenSMTPD and Exim cannot pin a fingerprint per destination: mandatory TLS is the nearest */
static int
pr_is_encrypt(const struct policy_decision *d)
{
	return d->level == POLICY_LEVEL_ENCRYPT || d->level == POLICY_LEVEL_FINGERPRINT;
}

static int
pr_count(const struct policy_row *rows, size_t n, int (*want)(const struct policy_decision *))
{
	size_t i;
	int k = 0;

	for (i = 0; i < n; i++)
		k += want(&rows[i].d);
	return k;
}

/*
 * OpenSMTPD (smtpd.conf(5), 6.8): `relay tls` requires STARTTLS and a valid certificate for the
 * MX host name, `relay tls no-verify` only STARTTLS.  It has no DANE and no match patterns: a
 * dane-only destination gets the nearest thing it can enforce, mandatory TLS.
 */
void
report_policy_opensmtpd(FILE *f, const struct policy_row *rows, size_t n)
{
	int secure = pr_count(rows, n, pr_is_secure);
	int enc = pr_count(rows, n, pr_is_encrypt) + pr_count(rows, n, pr_is_dane_only);

	fprintf(f, "# OpenSMTPD smtpd.conf (mailtls policy): before your other match rules.\n"
	    "# OpenSMTPD has no DANE: dane-only destinations get mandatory TLS (no-verify), the\n"
	    "# strongest it can enforce; `relay tls` checks the certificate against the MX host name.\n");
	if (secure) {
		fprintf(f, "table mailtls_verify { ");
		pr_list(f, rows, n, pr_is_secure, ", ", "\"");
		fprintf(f, " }\naction \"mailtls_verify\" relay tls\n"
		    "match from local for domain <mailtls_verify> action \"mailtls_verify\"\n");
	}
	if (enc) {
		size_t i, k = 0;

		fprintf(f, "table mailtls_encrypt { ");
		for (i = 0; i < n; i++)
			if (pr_is_encrypt(&rows[i].d) || pr_is_dane_only(&rows[i].d))
				fprintf(f, "%s\"%s\"", k++ ? ", " : "", rows[i].domain);
		fprintf(f, " }\naction \"mailtls_encrypt\" relay tls no-verify\n"
		    "match from local for domain <mailtls_encrypt> action \"mailtls_encrypt\"\n");
	}
	if (!secure && !enc)
		fprintf(f, "# nothing to enforce for these domains: keep the default `relay`\n");
}

/*
 * Exim (spec chapter "The smtp transport", 4.96): hosts_require_dane, hosts_require_tls,
 * tls_verify_hosts and tls_verify_cert_hostnames; one router per level sends the domains there.
 */
void
report_policy_exim(FILE *f, const struct policy_row *rows, size_t n)
{
	static const struct {
		const char	*name;
		int		(*want)(const struct policy_decision *);
		const char	*opts;
	} lv[] = {
		{ "dane_only", pr_is_dane_only, "  hosts_require_dane = *\n  hosts_require_tls = *\n" },
		{ "dane", pr_is_dane, "  hosts_try_dane = *\n" },
		{ "secure", pr_is_secure, "  hosts_require_tls = *\n  tls_verify_hosts = *\n"
		    "  tls_verify_cert_hostnames = *\n  tls_sni = $host\n" },
		{ "encrypt", pr_is_encrypt, "  hosts_require_tls = *\n  tls_try_verify_hosts = *\n" },
	};
	size_t i;
	int any = 0;

	fprintf(f, "# Exim (mailtls policy).  Main section:\n");
	for (i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
		if (pr_count(rows, n, lv[i].want)) {
			fprintf(f, "domainlist mailtls_%s = ", lv[i].name);
			pr_list(f, rows, n, lv[i].want, " : ", "");
			fputc('\n', f);
			any = 1;
		}
	if (!any) {
		fprintf(f, "# nothing to enforce for these domains: keep the default transport\n");
			return;
	}
	fprintf(f, "# Routers section, before dnslookup:\n");
	for (i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
		if (pr_count(rows, n, lv[i].want))
			fprintf(f, "mailtls_%s:\n  driver = dnslookup\n  domains = +mailtls_%s\n"
			    "  dnssec_request_domains = *\n  transport = mailtls_%s_smtp\n  no_more\n",
			    lv[i].name, lv[i].name, lv[i].name);
	fprintf(f, "# Transports section (Exim's MTA-STS equivalent checks the certificate against the\n"
	    "# MX host name; it does not read the policy's mx: patterns):\n");
	for (i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
		if (pr_count(rows, n, lv[i].want))
			fprintf(f, "mailtls_%s_smtp:\n  driver = smtp\n%s", lv[i].name, lv[i].opts);
}

json_t *
report_policy_json(const struct policy_row *rows, size_t n)
{
	json_t *a = json_array();
	char v[POLICY_MATCH_MAX + 64];
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct policy_decision *d = &rows[i].d;
		json_t *w = json_array();

		for (j = 0; j < d->nwarn; j++)
			json_array_append_new(w, json_pack("{s:s, s:o, s:s, s:b}", "id",
			    policy_warning_name(d->warn[j].id), "mx", report_jstr(d->warn[j].host),
			    "text", policy_warning_text(d->warn[j].id), "defers_today",
			    policy_defers_today(d->warn[j].id)));
		if (policy_postfix(d, v, sizeof(v)) < 0)
			v[0] = '\0';
		json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:s, s:o, s:o}", "domain",
		    report_jstr(rows[i].domain), "level", policy_level_name(d->level), "basis",
		    policy_basis_name(d->basis), "rule", d->rule, "postfix",
		    v[0] ? json_string(v) : json_null(), "warnings", w));
	}
	return a;
}
