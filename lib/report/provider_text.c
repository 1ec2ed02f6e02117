/*
 * provider_text.c — the provider tables as aligned text (colour on a TTY) and as Markdown.
 *
 * Table 1, per service: certificate, protocol versions, ciphers, "TLS mandatory?", DANE, grade.
 * Table 2, DNSSEC and DANE per service: the naming RRset (MX/SRV), the addresses, the TLSA RRset.
 * Then the findings, worst first, each once per service.
 */
#include <stdio.h>
#include <string.h>

#include "probe/endpoint.h"
#include "provider/provider.h"
#include "provider/summary.h"
#include "report/provider_render.h"
#include "report/report.h"
#include "verdict/finding.h"

#define PT_COLS	PROVIDER_RENDER_COLS

static const char *const pt_head1[PT_COLS] = { "service", "host:port", "source", "certificate",
    "versions", "ciphers", "TLS mandatory", "DANE", "grade", "" };
static const char *const pt_head2[6] = { "service", "host:port", "DNSSEC(name)", "DNSSEC(addr)",
    "TLSA", "DANE" };

struct pt_row {
	char	 c[PT_COLS][PROVIDER_RENDER_CELL];
	int	 good[PT_COLS];		/* 1 good, -1 bad, 0 neutral: colour only */
};

static void
pt_row1(const struct provider_service *s, struct pt_row *row)
{
	const struct endpoint *ep = s->nep ? s->ep[0] : NULL;
	const char *cert = ep ? summary_cert(ep) : "-", *ci = ep ? summary_ciphers(ep) : "-";

	memset(row, 0, sizeof(*row));
	snprintf(row->c[0], sizeof(row->c[0]), "%s", provider_service_label(s->proto));
	snprintf(row->c[1], sizeof(row->c[1]), "%s:%d", s->host, s->port);
	snprintf(row->c[2], sizeof(row->c[2]), "%s%s%s", s->source, s->advised ? " advises " : "",
	    s->advised ? s->advised : "");
	if (ep && !ep->connected)
		snprintf(row->c[3], sizeof(row->c[3]), "unreachable");
	else if (s->nep == 0)
		snprintf(row->c[3], sizeof(row->c[3]), "no address");
	else
		snprintf(row->c[3], sizeof(row->c[3]), "%s", cert);
	row->good[3] = strcmp(cert, "valid") == 0 ? 1 : -1;
	if (ep)
		summary_versions(ep, row->c[4], sizeof(row->c[4]));
	else
		snprintf(row->c[4], sizeof(row->c[4]), "-");
	row->good[4] = strstr(row->c[4], "TLSv1.0") || strstr(row->c[4], "SSL") ? -1 : 0;
	snprintf(row->c[5], sizeof(row->c[5]), "%s", ci);
	row->good[5] = strncmp(ci, "modern", 6) == 0 ? 1 : strcmp(ci, "-") == 0 ? 0 : strncmp(ci,
	    "PFS", 3) == 0 ? 0 : -1;
	snprintf(row->c[6], sizeof(row->c[6]), "%s", mandatory_name(s->mandatory.value));
	row->good[6] = s->mandatory.value == MANDATORY_YES ? 1 : s->mandatory.value ==
	    MANDATORY_UNKNOWN ? 0 : -1;
	snprintf(row->c[7], sizeof(row->c[7]), "%s", provider_dane_name(s->dane));
	row->good[7] = s->dane == PROVIDER_DANE_OK ? 1 : s->dane == PROVIDER_DANE_BROKEN ? -1 : 0;
	snprintf(row->c[8], sizeof(row->c[8]), "%s", ep ? summary_grade(ep) : "-");
	row->good[8] = row->c[8][0] == 'A' ? 1 : row->c[8][0] == '-' ? 0 : -1;
}

static void
pt_row2(const struct provider_service *s, struct pt_row *row)
{
	memset(row, 0, sizeof(*row));
	snprintf(row->c[0], sizeof(row->c[0]), "%s", provider_service_label(s->proto));
	snprintf(row->c[1], sizeof(row->c[1]), "%s:%d", s->host, s->port);
	snprintf(row->c[2], sizeof(row->c[2]), "%s", resolver_status_name(s->name_status));
	snprintf(row->c[3], sizeof(row->c[3]), "%s", resolver_status_name(s->addr_status));
	if (s->tlsa_name)
		snprintf(row->c[4], sizeof(row->c[4]), "%s (%zu)", resolver_status_name(s->tlsa_status),
		    s->ntlsa_all);
	else
		snprintf(row->c[4], sizeof(row->c[4]), "-");
	snprintf(row->c[5], sizeof(row->c[5]), "%s", provider_dane_name(s->dane));
	row->good[2] = s->name_status == RESOLVER_SECURE ? 1 : -1;
	row->good[3] = s->addr_status == RESOLVER_SECURE ? 1 : -1;
	row->good[5] = s->dane == PROVIDER_DANE_OK ? 1 : s->dane == PROVIDER_DANE_BROKEN ? -1 : 0;
}

static void
pt_row(const struct provider_service *s, int which, struct pt_row *row)
{
	if (which == 1)
		pt_row1(s, row);
	else
		pt_row2(s, row);
}

static void
pt_table(FILE *f, const struct provider_result *r, int which, int ncols, const char *const *head,
    const struct report_opts *ro)
{
	struct pt_row row;
	size_t w[PT_COLS], i;
	int c;

	for (c = 0; c < ncols; c++)
		w[c] = strlen(head[c]);
	for (i = 0; i < r->nsvc; i++) {
		pt_row(&r->svc[i], which, &row);
		for (c = 0; c < ncols; c++)
			if (strlen(row.c[c]) > w[c])
				w[c] = strlen(row.c[c]);
	}
	for (c = 0; c < ncols; c++)
		fprintf(f, "%s%-*s", c ? "  " : "", c + 1 < ncols ? (int)w[c] : 0, head[c]);
	fputc('\n', f);
	for (i = 0; i < r->nsvc; i++) {
		pt_row(&r->svc[i], which, &row);
		for (c = 0; c < ncols; c++) {
			const char *on = !ro->color || row.good[c] == 0 ? "" : row.good[c] > 0 ?
			    "\033[32m" : "\033[31m";

			fprintf(f, "%s%s%-*s%s", c ? "  " : "", on, c + 1 < ncols ? (int)w[c] : 0,
			    row.c[c], *on ? "\033[0m" : "");
		}
		fputc('\n', f);
	}
}

void
provider_render_findings(const struct provider_result *r, provider_render_finding_cb cb,
    void *arg)
{
	int sev;
	size_t i, k, j;

	for (sev = SEVERITY_CRITICAL; sev > SEVERITY_INFO; sev--) {
		for (i = 0; i < r->nfind; i++) {
			const struct finding_info *fi = finding_info((enum finding_id)r->find[i].id);

			if ((int)fi->severity == sev)
				cb(arg, fi, &r->find[i], NULL, NULL);
		}
		for (i = 0; i < r->nsvc; i++) {
			const struct provider_service *s = &r->svc[i];

			for (k = 0; k < s->nep; k++) {
				const struct endpoint *ep = s->ep[k];

				for (j = 0; j < ep->nfindings; j++) {
					const struct endpoint_finding *ef = &ep->findings[j];
					size_t kk, dup = 0;

					if ((int)ef->severity != sev)
						continue;
					for (kk = 0; kk < k; kk++)	/* the same on another address */
						dup |= endpoint_has(s->ep[kk], ef->id);
					if (!dup)
						cb(arg, finding_info(ef->id), NULL, s, ef);
				}
			}
		}
	}
}

struct pt_findings_arg {
	FILE	*f;
	int	 md;
};

static void
pt_finding(void *arg, const struct finding_info *fi, const struct provider_finding *pf,
    const struct provider_service *s, const struct endpoint_finding *ef)
{
	const struct pt_findings_arg *a = arg;

	if (pf != NULL)
		fprintf(a->f, a->md ? "- **%s** `%s`%s%s: %s  \n  fix: %s\n" : "  %-8s %s%s%s: %s\n"
		    "           fix: %s\n", severity_name(fi->severity), fi->name,
		    pf->service ? " " : "", pf->service ? pf->service : "",
		    pf->detail ? pf->detail : fi->summary, fi->remedy);
	else
		fprintf(a->f, a->md ? "- **%s** `%s` %s %s:%d: %s  \n  fix: %s\n" :
		    "  %-8s %s %s %s:%d: %s\n           fix: %s\n",
		    severity_name(ef->severity), fi->name,
		    provider_service_label(s->proto), s->host, s->port,
		    ef->detail ? ef->detail : fi->summary, fi->remedy);
}

static void
pt_findings(FILE *f, const struct provider_result *r, int md)
{
	struct pt_findings_arg a = { f, md };

	provider_render_findings(r, pt_finding, &a);
}

void
report_provider_text(FILE *f, const struct provider_result *const *rs, size_t n,
    const struct report_opts *ro)
{
	const char *b = ro->color ? "\033[1m" : "", *e = ro->color ? "\033[0m" : "";
	size_t i;

	for (i = 0; i < n; i++) {
		const struct provider_result *r = rs[i];

		if (i)
			fputc('\n', f);
		fprintf(f, "%s%s%s: %zu services (MX DNSSEC %s; autoconfig %s)\n\n", b, r->domain, e,
		    r->nsvc, resolver_status_name(r->mx_status), r->autoconfig_ok ? "found" :
		    r->autoconfig_tried ? "unreadable" : "none");
		pt_table(f, r, 1, 9, pt_head1, ro);
		fprintf(f, "\n%sDNSSEC and DANE%s\n", b, e);
		pt_table(f, r, 2, 6, pt_head2, ro);
		fprintf(f, "\n%sfindings%s (info left out; --json has everything):\n", b, e);
		pt_findings(f, r, 0);
		fprintf(f, "  %d connections, %ld ms\n", r->connections, r->elapsed_ms);
	}
}

static void
pt_md_table(FILE *f, const struct provider_result *r, int which, int ncols, const char *const *head)
{
	struct pt_row row;
	size_t i;
	int c;

	for (c = 0; c < ncols; c++)
		fprintf(f, "| %s ", head[c]);
	fprintf(f, "|\n");
	for (c = 0; c < ncols; c++)
		fprintf(f, "|---");
	fprintf(f, "|\n");
	for (i = 0; i < r->nsvc; i++) {
		pt_row(&r->svc[i], which, &row);
		for (c = 0; c < ncols; c++) {
			char *p;

			for (p = row.c[c]; *p; p++)	/* a '|' from a server would split the cell */
				if (*p == '|')
					*p = '/';
			fprintf(f, "| %s ", row.c[c]);
		}
		fprintf(f, "|\n");
	}
}

void
report_provider_markdown(FILE *f, const struct provider_result *const *rs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct provider_result *r = rs[i];

		fprintf(f, "%s## %s\n\n", i ? "\n" : "", r->domain);
		pt_md_table(f, r, 1, 9, pt_head1);
		fprintf(f, "\n### DNSSEC and DANE\n\n");
		pt_md_table(f, r, 2, 6, pt_head2);
		fprintf(f, "\n### Findings\n\n");
		pt_findings(f, r, 1);
		fprintf(f, "\n%d connections, %ld ms.\n", r->connections, r->elapsed_ms);
	}
}

void
provider_render_row(const struct provider_service *s, int which,
    char cells[][PROVIDER_RENDER_CELL], int *good)
{
	struct pt_row row;
	int c;

	pt_row(s, which, &row);
	for (c = 0; c < PT_COLS; c++) {
		memcpy(cells[c], row.c[c], sizeof(row.c[c]));
		good[c] = row.good[c];
	}
}
