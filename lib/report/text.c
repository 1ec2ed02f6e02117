/*
 * text.c — the report for people: the dialogue one line per step (as posttls-finger prints it),
 * then the findings, worst first, each with a one-sentence remedy.
 */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"
#include "provider/web.h"
#include "probe/endpoint.h"
#include "probe/probe.h"
#include "scan/grade.h"
#include "scan/deep.h"
#include "scan/heartbleed.h"
#include "scan/scan.h"
#include "tls/cipher.h"
#include "tls/hello.h"
#include "report/report.h"
#include "verdict/finding.h"
#include "history/diff.h"
#include "mitm/attack.h"
#include "policy/policy.h"

static const char *const sev_color[SEVERITY_LAST] = {
	[SEVERITY_INFO] = "\033[32m",
	[SEVERITY_LOW] = "\033[36m",
	[SEVERITY_MEDIUM] = "\033[33m",
	[SEVERITY_HIGH] = "\033[31m",
	[SEVERITY_CRITICAL] = "\033[1;31m",
};

static void
report_upper(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
	dst[i] = '\0';
}

/* --full: the grade, then per version its suites (server order first when it has one). */
static void
report_text_scan(FILE *f, const struct endpoint *ep)
{
	const struct scan_result *sr = ep->scan;
	const struct tlsenum_report *r = &sr->report;
	const struct grade_result *g = ep->grade;
	size_t i;
	int v;

	if (g) {
		fprintf(f, "  grade      %s (score %d; NCSC-NL %s; Mozilla intermediate %s, modern %s)\n",
		    g->display, g->score, grade_ncsc_name(g->ncsc), g->mozilla_intermediate ? "yes" : "no",
		    g->mozilla_modern ? "yes" : "no");
		for (i = 0; i < g->reasons.n; i++)
			fprintf(f, "             %s\n", g->reasons.s[i]);
	}
	for (v = TLSENUM_VERSION_LAST - 1; v >= 0; v--) {
		const struct tlsenum_version_report *vr = &r->v[v];

		if (vr->supported != TLSENUM_YES)
			continue;
		fprintf(f, "  %-10s %s\n", tlsenum_version_name((enum tlsenum_version)v),
		    vr->server_order == TLSENUM_YES ? "server order" :
		    vr->server_order == TLSENUM_NO ? "client order" : "");
		if (v == TLSENUM_SSL2)
			for (i = 0; i < vr->nsslv2_specs; i++) {
				const struct cipher_sslv2 *c2 = cipher_sslv2_by_code(vr->sslv2_specs[i]);

				fprintf(f, "             %-48s %s\n", c2 ? c2->name : "?",
				    c2 ? cipher_strength_name(c2->strength) : "");
			}
		for (i = 0; v != TLSENUM_SSL2 && i < vr->nsuites; i++) {
			const struct cipher_suite *cs = cipher_by_code(vr->suites[i]);

			if (cs)
				fprintf(f, "             %-48s %-7s %s\n", cs->name,
				    cipher_kx_name(cs->kx), cipher_strength_name(cs->strength));
			else
				fprintf(f, "             0x%04x\n", vr->suites[i]);
		}
	}
	fprintf(f, "  groups    ");
	for (i = 0; i < r->ngroups13; i++)
		fprintf(f, " %s", hello_group_name(r->groups13[i]) ? hello_group_name(r->groups13[i]) : "?");
	if (r->ngroups12)
		fprintf(f, "%s(TLS <= 1.2:", r->ngroups13 ? " " : "");
	for (i = 0; i < r->ngroups12; i++)
		fprintf(f, " %s", hello_group_name(r->groups12[i]) ? hello_group_name(r->groups12[i]) : "?");
	fprintf(f, "%s\n", r->ngroups12 ? ")" : "");
	if (r->dh_min_bits)
		fprintf(f, "  DH         smallest group %u bits\n", r->dh_min_bits);
	fprintf(f, "  extensions secure renegotiation %s, EMS %s, ETM %s, tickets %s, OCSP %s, "
	    "heartbeat %s, compression %s, fallback SCSV %s, Heartbleed %s\n",
	    tlsenum_answer_name(r->secure_reneg), r->exts & TLSENUM_EXT_EMS ? "yes" : "no",
	    r->exts & TLSENUM_EXT_ETM ? "yes" : "no", r->exts & TLSENUM_EXT_TICKET ? "yes" : "no",
	    r->exts & TLSENUM_EXT_STATUS ? "yes" : "no", tlsenum_answer_name(r->heartbeat),
	    tlsenum_answer_name(r->compression), tlsenum_answer_name(r->fallback_scsv),
	    heartbleed_name((enum heartbleed_result)sr->heartbleed));
	fprintf(f, "  scan       %d connections (floor %u), %ld ms%s%s\n", sr->connections, r->floor,
	    sr->elapsed_ms, r->incomplete ? ", incomplete: " : "",
	    r->incomplete && r->incomplete_reason ? r->incomplete_reason : "");
}

/* issue 13: the checks beyond enumeration, one line each */
static void
report_text_deep(FILE *f, const struct deep_report *d)
{
	const struct session_report *s = &d->sess;

	fprintf(f, "  ROBOT      %s (%d connections)%s%s\n", robot_result_name(d->robot.result),
	    d->robot.connections, d->robot.detail[0] ? ": " : "", d->robot.detail);
	fprintf(f, "  CCS inj.   %s (%d connection%s)%s%s\n", ccs_result_name(d->ccs.result),
	    d->ccs.connections, d->ccs.connections == 1 ? "" : "s", d->ccs.detail[0] ? ": " : "",
	    d->ccs.detail);
	fprintf(f, "  reneg.     client-initiated %s%s%s\n", tlsenum_answer_name(s->reneg),
	    s->reneg_detail[0] ? ", " : "", s->reneg_detail);
	fprintf(f, "  resumption session ID %s, ticket %s", tlsenum_answer_name(s->resume_id),
	    tlsenum_answer_name(s->resume_ticket));
	if (s->ticket_hint12 >= 0)
		fprintf(f, ", TLS 1.2 ticket hint %ld s", s->ticket_hint12);
	if (s->ticket_lifetime13 >= 0)
		fprintf(f, ", TLS 1.3 ticket lifetime %ld s", s->ticket_lifetime13);
	fprintf(f, "; 0-RTT offered %s, accepted %s (%d connections)\n",
	    tlsenum_answer_name(s->early_data_offered), tlsenum_answer_name(s->early_data_accepted),
	    s->connections);
	if (s->handshake) {
		fprintf(f, "  OCSP       %s; SCTs: %d in the certificate, %d in TLS, %d in OCSP\n",
		    ocsp_staple_name(s->ocsp.status), s->scts_cert, s->scts_tls, s->scts_ocsp);
		fprintf(f, "  chain      %s: %zu sent, %zu on the path, %zu extra, %s%s%s\n",
		    deep_chain_name(d->chain), s->chain.ncerts, s->chain.path, s->chain.extra,
		    s->chain.ordered ? "in order" : "out of order",
		    s->chain.root_sent ? ", root included" : "",
		    s->chain.issuer_missing ? ", last issuer not sent" : "");
	} else if (s->error[0])
		fprintf(f, "  sessions   no full handshake: %s\n", s->error);
	fprintf(f, "  kx hash    %s, %s; EMS %s\n", deep_kxhash_name(d->kxhash), d->kxhash_detail,
	    tlsenum_answer_name(d->ems));
	if (d->caa_checked)
		fprintf(f, "  CAA        %s%s%s (%zu records, %zu issuers)\n",
		    caa_outcome_name(d->caa.outcome), d->caa.owner[0] ? " at " : "", d->caa.owner,
		    d->caa.set.nrecords, d->caa.set.nissuers);
	fprintf(f, "  checks     %d connections, %ld ms\n", d->connections, d->elapsed_ms);
}

void
report_text_endpoint(FILE *f, const struct endpoint *ep, const struct report_opts *ro)
{
	const struct finding_info *fi;
	const struct endpoint_finding *ef;
	const struct endpoint_cert *c = ep->cert;
	const char *b = ro->color ? "\033[1m" : "", *r = ro->color ? "\033[0m" : "";
	char sev[16];
	size_t i;
	int s;

	fprintf(f, "%s%s[%s]:%d%s (%s, reference name %s)\n", b, ep->host, ep->ip, ep->port, r,
	    endpoint_proto_name(ep->proto), ep->refname);
	if (ro->transcript) {
		for (i = 0; i < ep->nlines; i++)
			fprintf(f, "  %c %s\n", ep->lines[i].dir, ep->lines[i].text);
		if (ep->lines_dropped)
			fprintf(f, "  * (%zu more lines not kept)\n", ep->lines_dropped);
	}
	if (ep->facts) {	/* protocols on the engine (proto.h) */
		const struct proto_facts *pf = ep->facts;

		if (pf->caps_plain)
			fprintf(f, "  before TLS %s\n", pf->caps_plain[0] ? pf->caps_plain : "(no capabilities)");
		if (pf->caps_tls)
			fprintf(f, "  inside TLS %s\n", pf->caps_tls[0] ? pf->caps_tls : "(no capabilities)");
		if (pf->cred_before_tls)
			fprintf(f, "  plaintext  credentials possible before TLS: %s\n", pf->cred_detail ?
			    pf->cred_detail : "yes");
		if (pf->mandatory)
			fprintf(f, "  mandatory  TLS %s: %s\n", pf->mandatory, pf->mandatory_rule);
	}
	if (ep->web) {
		fprintf(f, "  HSTS       %s\n", ep->web->hsts ? ep->web->hsts : "(none)");
		fprintf(f, "  http://    %s%ld%s%s\n", ep->web->http_ok ? "" : "no answer ",
		    ep->web->http_status, ep->web->http_location ? " -> " : "",
		    ep->web->http_location ? ep->web->http_location : "");
	}
	if (ep->tls) {
		fprintf(f, "  TLS        %s, %s", ep->tls->version, ep->tls->cipher ? ep->tls->cipher : "?");
		if (ep->tls->group)
			fprintf(f, ", group %s", ep->tls->group);
		if (ep->tls->sigalg)
			fprintf(f, ", signed %s", ep->tls->sigalg);
		fprintf(f, "\n");
	}
	if (c) {
		fprintf(f, "  subject    %s\n  issuer     %s\n", c->subject ? c->subject : "?",
		    c->issuer ? c->issuer : "?");
		fprintf(f, "  valid      %s .. %s (%ld days left)\n", c->not_before ? c->not_before : "?",
		    c->not_after ? c->not_after : "?", c->days_left);
		fprintf(f, "  key        %s %d bits, %s\n", c->key_type ? c->key_type : "?", c->key_bits,
		    c->sig_alg ? c->sig_alg : "?");
		fprintf(f, "  trust      %s; name %s\n", c->chain_valid ? "chain valid" : c->chain_error,
		    c->name_match ? "matches" : "does not match");
		fprintf(f, "  sha256     %s\n  spki       %s  (TLSA 3 1 1)\n", c->sha256 ? c->sha256 : "?",
		    c->spki_sha256 ? c->spki_sha256 : "?");
	}
	if (ep->scan) {
		report_text_scan(f, ep);
		if (ep->scan->deep)
			report_text_deep(f, ep->scan->deep);
		fprintf(f, "  STARTTLS   command injection (pipelined NOOP): %s%s%s\n",
		    probe_pipe_name((enum probe_pipe_result)ep->cmd_injection),
		    ep->cmd_injection_reason ? ", " : "",
		    ep->cmd_injection_reason ? ep->cmd_injection_reason : "");
	}
	fprintf(f, "  findings:\n");
	for (s = SEVERITY_CRITICAL; s >= SEVERITY_INFO; s--) {
		for (i = 0; i < ep->nfindings; i++) {
			ef = &ep->findings[i];
			if ((int)ef->severity != s)
				continue;
			fi = finding_info(ef->id);
			report_upper(sev, severity_name(ef->severity), sizeof(sev));
			fprintf(f, "    %s%-8s%s %s%s%s\n", ro->color ? sev_color[s] : "", sev, r, b,
			    fi->name, r);
			fprintf(f, "             %s\n", fi->summary);
			if (ef->detail)
				fprintf(f, "             seen: %s\n", ef->detail);
			if (s > SEVERITY_INFO)
				fprintf(f, "             fix:  %s\n", fi->remedy);
		}
	}
}

/* docs/findings.md is this output; tests/docs-check.sh keeps the two in step. */
void
report_findings_markdown(FILE *f)
{
	const struct finding_info *fi;
	int i;

	fprintf(f, "# Findings\n\n"
	    "Every finding mailtls reports has a stable ID. An ID keeps its meaning across releases;\n"
	    "new IDs are added, none is reused. The severity shown is the default; the JSON report\n"
	    "carries the severity that applied (see report-schema.md).\n\n"
	    "This file is generated: `build/mailtls findings --markdown > docs/findings.md`.\n\n"
	    "| ID | severity | meaning | remedy |\n|---|---|---|---|\n");
	for (i = 0; i < FINDING_LAST; i++) {
		fi = finding_info((enum finding_id)i);
		fprintf(f, "| `%s` | %s | %s | %s |\n", fi->name, severity_name(fi->severity), fi->summary,
		    fi->remedy);
	}
	/* the other stable ID families, each from its own table */
	fprintf(f, "\n## Changes between runs (`mailtls changes`, `watch`)\n\n"
	    "Stable like the findings; details and JSON in changes.md.\n\n");
	history_kinds_markdown(f);
	fprintf(f, "\n## Client audits (`mailtls mitm`)\n\n"
	    "Attack, outcome and client-verdict IDs; details and JSON in mitm.md.\n\n");
	mitm_attack_markdown(f);
	fprintf(f, "\n## Sender-policy warnings (`mailtls policy`, `policyd`)\n\n"
	    "Decision table in internals/policy.md.\n\n");
	policy_warnings_markdown(f);
}
