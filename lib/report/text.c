/*
 * text.c — the report for people: the dialogue one line per step (as posttls-finger prints it),
 * then the findings, worst first, each with a one-sentence remedy.
 */
#include <stdio.h>
#include <string.h>

#include "probe/endpoint.h"
#include "report/report.h"
#include "verdict/finding.h"

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
}
