/*
 * provider_render.h — `mailtls provider` as text (aligned, colour on a TTY), JSON
 * (docs/report-schema.md, "provider"), Markdown and one self-contained HTML page.  Renders only:
 * every class and verdict comes from lib/provider and lib/verdict.
 */
#ifndef MAILTLS_PROVIDER_RENDER_H
#define MAILTLS_PROVIDER_RENDER_H

#include <stdio.h>

#include <jansson.h>

struct endpoint_finding;
struct finding_info;
struct provider_finding;
struct provider_result;
struct provider_service;
struct report_opts;

json_t	*report_provider_json(const struct provider_result *);
void	 report_provider_text(FILE *, const struct provider_result *const *, size_t,
	    const struct report_opts *);
void	 report_provider_markdown(FILE *, const struct provider_result *const *, size_t);
void	 report_provider_html(FILE *, const struct provider_result *const *, size_t);

/* provider_text.c, for provider_html.c: the same rows and findings, classes decided once. */
#define PROVIDER_RENDER_COLS	10
#define PROVIDER_RENDER_CELL	160
/* Table `which` (1 services, 2 DNSSEC and DANE): the cells, and 1 good, -1 bad, 0 neutral. */
void	 provider_render_row(const struct provider_service *, int which,
	    char cells[][PROVIDER_RENDER_CELL], int *good);
/* Each (finding, service) once, worst first, info left out: a provider-level finding (pf), or
   one from a service's endpoints (s, ef; the same on another address only once). */
typedef void (*provider_render_finding_cb)(void *arg, const struct finding_info *,
    const struct provider_finding *pf, const struct provider_service *s,
    const struct endpoint_finding *ef);
void	 provider_render_findings(const struct provider_result *, provider_render_finding_cb,
	    void *arg);

#endif
