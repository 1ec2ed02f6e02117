/*
 * provider_render.h — `mailtls provider` as text (aligned, colour on a TTY), JSON
 * (docs/report-schema.md, "provider"), Markdown and one self-contained HTML page.  Renders only:
 * every class and verdict comes from lib/provider and lib/verdict.
 */
#ifndef MAILTLS_PROVIDER_RENDER_H
#define MAILTLS_PROVIDER_RENDER_H

#include <stdio.h>

#include <jansson.h>

struct provider_result;
struct report_opts;

json_t	*report_provider_json(const struct provider_result *);
void	 report_provider_text(FILE *, const struct provider_result *const *, size_t,
	    const struct report_opts *);
void	 report_provider_markdown(FILE *, const struct provider_result *const *, size_t);
void	 report_provider_html(FILE *, const struct provider_result *const *, size_t);

#endif
