/*
 * summary.c — a check report as a table row and run counts (summary.h).  PURE.
 */
#include <stdio.h>
#include <string.h>

#include "history/summary.h"
#include "verdict/finding.h"

const char *const summary_count_labels[SUM_LAST] = {
	[SUM_DOMAINS] = "domains", [SUM_READABLE] = "readable by an attacker",
	[SUM_DANE_ALL] = "DANE all MX", [SUM_DANE_PARTIAL] = "DANE partial",
	[SUM_DANE_NONE] = "no DANE",
	[SUM_STS_ENFORCE] = "MTA-STS enforce", [SUM_STS_TESTING] = "MTA-STS testing",
	[SUM_STS_NONE_MODE] = "MTA-STS mode none", [SUM_STS_INVALID] = "MTA-STS invalid",
	[SUM_STS_ABSENT] = "no MTA-STS",
	[SUM_RPT_VALID] = "TLS-RPT", [SUM_RPT_INVALID] = "TLS-RPT invalid",
	[SUM_RPT_ABSENT] = "no TLS-RPT",
	[SUM_V_DANE] = "dane", [SUM_V_STS] = "mta-sts", [SUM_V_STS_TESTING] = "mta-sts-testing",
	[SUM_V_NONE] = "none", [SUM_V_NOMAIL] = "no mail", [SUM_V_INDET] = "indeterminate",
	[SUM_TLS13] = "TLSv1.3", [SUM_TLS12] = "TLSv1.2", [SUM_TLS11] = "TLSv1.1",
	[SUM_TLS10] = "TLSv1", [SUM_TLS_NONE] = "no TLS",
	[SUM_G_APLUS] = "A+", [SUM_G_A] = "A", [SUM_G_AMINUS] = "A-", [SUM_G_B] = "B",
	[SUM_G_C] = "C", [SUM_G_D] = "D", [SUM_G_E] = "E", [SUM_G_F] = "F", [SUM_G_T] = "T",
	[SUM_G_NONE] = "no grade",
};

static const char *
js(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
jb(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_true(v) ? 1 : json_is_false(v) ? 0 : -1;
}

static void
cpy(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s != NULL && *s ? s : "-");
}

/* oldest first: the rank vrank() gives and the name a rank shows as */
static const char *const vnames[] = { "SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2",
    "TLSv1.3" };

static int
vrank(const char *v)
{
	int i;

	if (v != NULL && strcmp(v, "TLSv1.0") == 0)
		v = "TLSv1";
	for (i = 0; v != NULL && i < (int)(sizeof(vnames) / sizeof(vnames[0])); i++)
		if (strcmp(v, vnames[i]) == 0)
			return i;
	return -1;
}

static void
worst_of(json_t *arr, int *worst, const char **id, const char **sev)
{
	json_t *f;
	size_t i;

	json_array_foreach(arr, i, f) {
		const char *s = js(f, "severity");
		int r = s != NULL ? severity_by_name(s) : -1;

		if (r > *worst) {
			*worst = r;
			*id = js(f, "id");
			*sev = js(f, "severity");
		}
	}
}

/* forward secrecy: TLS 1.3, or an (EC)DHE suite */
static int
pfs_of(json_t *tls)
{
	const char *c = js(tls, "cipher"), *v = js(tls, "version");

	if (v != NULL && strcmp(v, "TLSv1.3") == 0)
		return 1;
	return c != NULL && (strstr(c, "ECDHE") != NULL || strstr(c, "DHE") != NULL);
}

int
summary_row(json_t *rep, struct summary_row *r)
{
	json_t *v = json_object_get(rep, "verdict"), *e, *tls, *c, *x;
	const char *p, *wid = NULL, *wsev = NULL, *mode;
	int best = -1, worst = 99, pfs = -1, valid = -1, wf = -1;
	size_t i, j;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(rep) || js(rep, "domain") == NULL)
		return -1;
	cpy(r->domain, sizeof(r->domain), js(rep, "domain"));
	p = js(v, "downgrade_protection");
	cpy(r->protection, sizeof(r->protection), p);
	r->readable = jb(v, "active_attacker_can_read");
	if (jb(v, "accepts_mail") == 0)
		cpy(r->verdict, sizeof(r->verdict), "no mail");
	else if (p != NULL && strcmp(p, "indeterminate") == 0)
		cpy(r->verdict, sizeof(r->verdict), "indeterminate");
	else if (r->readable == 1)
		cpy(r->verdict, sizeof(r->verdict), "NOT protected");
	else if (jb(v, "delivery_at_risk") == 1)
		cpy(r->verdict, sizeof(r->verdict), "at risk");
	else
		cpy(r->verdict, sizeof(r->verdict), "protected");
	cpy(r->dnssec, sizeof(r->dnssec), js(json_object_get(rep, "dnssec"), "status"));
	cpy(r->dane, sizeof(r->dane), js(json_object_get(rep, "dane"), "status"));
	x = json_object_get(rep, "mta_sts");
	mode = js(json_object_get(x, "policy"), "mode");
	if (jb(json_object_get(x, "record"), "present") != 1)
		cpy(r->mta_sts, sizeof(r->mta_sts), "absent");
	else if (jb(json_object_get(x, "policy"), "valid") != 1 || mode == NULL)
		cpy(r->mta_sts, sizeof(r->mta_sts), "invalid");
	else
		cpy(r->mta_sts, sizeof(r->mta_sts), mode);
	x = json_object_get(rep, "tls_rpt");
	cpy(r->tlsrpt, sizeof(r->tlsrpt), jb(x, "present") != 1 ? "absent" :
	    jb(x, "valid") == 1 ? "valid" : "invalid");
	cpy(r->starttls_mandatory, sizeof(r->starttls_mandatory),
	    p && strcmp(p, "dane") == 0 ? "yes (DANE)" :
	    p && strcmp(p, "mta-sts") == 0 ? "yes (MTA-STS)" : "no");
	cpy(r->grade, sizeof(r->grade), js(json_object_get(rep, "grade"), "letter"));
	worst_of(json_object_get(rep, "findings"), &wf, &wid, &wsev);
	json_array_foreach(json_object_get(rep, "endpoints"), i, e) {
		json_t *vs;

		worst_of(json_object_get(e, "findings"), &wf, &wid, &wsev);
		tls = json_object_get(e, "tls");
		if (json_is_object(tls) && js(tls, "version") != NULL) {
			int n = vrank(js(tls, "version"));

			vs = json_object_get(tls, "versions");
			json_array_foreach(vs, j, x) {
				int m = vrank(json_string_value(x));

				if (m > best)
					best = m;
				if (m >= 0 && m < worst)
					worst = m;
			}
			if (n > best)
				best = n;
			if (n >= 0 && n < worst)
				worst = n;
			pfs = pfs == 0 ? 0 : pfs_of(tls);
		}
		c = json_object_get(e, "certificate");
		if (json_is_object(c))
			valid = valid == 0 ? 0 : (jb(c, "chain_valid") == 1 && jb(c, "name_match") == 1);
	}
	cpy(r->best_tls, sizeof(r->best_tls), best >= 0 ? vnames[best] : NULL);
	cpy(r->worst_tls, sizeof(r->worst_tls), worst < 99 ? vnames[worst] : NULL);
	cpy(r->pfs, sizeof(r->pfs), pfs < 0 ? NULL : pfs ? "yes" : "no");
	cpy(r->cert_valid, sizeof(r->cert_valid), valid < 0 ? NULL : valid ? "yes" : "no");
	if (wid != NULL)
		snprintf(r->worst_finding, sizeof(r->worst_finding), "%s %s", wsev, wid);
	else
		cpy(r->worst_finding, sizeof(r->worst_finding), NULL);
	return 0;
}

static int
pick(const char *s, const char *const *names, const enum summary_count *ids, int n,
    enum summary_count dflt)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return ids[i];
	return dflt;
}

void
summary_add(struct summary_counts *c, const struct summary_row *r, json_t *rep)
{
	static const char *const dn[] = { "all", "partial" };
	static const enum summary_count di[] = { SUM_DANE_ALL, SUM_DANE_PARTIAL };
	static const char *const sn[] = { "enforce", "testing", "none", "invalid" };
	static const enum summary_count si[] = { SUM_STS_ENFORCE, SUM_STS_TESTING,
	    SUM_STS_NONE_MODE, SUM_STS_INVALID };
	static const char *const rn[] = { "valid", "invalid" };
	static const enum summary_count ri[] = { SUM_RPT_VALID, SUM_RPT_INVALID };
	static const char *const vn[] = { "dane", "mta-sts", "mta-sts-testing", "indeterminate" };
	static const enum summary_count vi[] = { SUM_V_DANE, SUM_V_STS, SUM_V_STS_TESTING,
	    SUM_V_INDET };
	static const char *const tn[] = { "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1" };
	static const enum summary_count ti[] = { SUM_TLS13, SUM_TLS12, SUM_TLS11, SUM_TLS10 };
	static const char *const gn[] = { "A+", "A", "A-", "B", "C", "D", "E", "F", "T" };
	static const enum summary_count gi[] = { SUM_G_APLUS, SUM_G_A, SUM_G_AMINUS, SUM_G_B,
	    SUM_G_C, SUM_G_D, SUM_G_E, SUM_G_F, SUM_G_T };
	const char *gen = js(rep, "generated");

	c->n[SUM_DOMAINS]++;
	if (r->readable == 1)
		c->n[SUM_READABLE]++;
	c->n[pick(r->dane, dn, di, 2, SUM_DANE_NONE)]++;
	c->n[pick(r->mta_sts, sn, si, 4, SUM_STS_ABSENT)]++;
	c->n[pick(r->tlsrpt, rn, ri, 2, SUM_RPT_ABSENT)]++;
	if (strcmp(r->verdict, "no mail") == 0)
		c->n[SUM_V_NOMAIL]++;
	else
		c->n[pick(r->protection, vn, vi, 4, SUM_V_NONE)]++;
	c->n[pick(r->best_tls, tn, ti, 4, SUM_TLS_NONE)]++;
	c->n[pick(r->grade, gn, gi, 9, SUM_G_NONE)]++;
	if (gen != NULL && strcmp(gen, c->when) > 0)
		snprintf(c->when, sizeof(c->when), "%s", gen);
}
