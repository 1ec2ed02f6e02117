/*
 * report.h — renderings of probe results: text for people, JSON (docs/report-schema.md) for scripts.
 */
#ifndef MAILTLS_REPORT_H
#define MAILTLS_REPORT_H

#include <stdio.h>

#include <jansson.h>

struct endpoint;
struct check_result;

#define REPORT_SCHEMA	2

struct report_opts {
	int		 color;		/* ANSI colours (only when writing to a TTY) */
	int		 transcript;	/* print the dialogue lines */
	const char	*command;	/* "host", "check" */
};

json_t	*report_jstr(const char *);	/* a string that is valid JSON whatever the bytes */
json_t	*report_endpoint_json(const struct endpoint *);
json_t	*report_json_new(const struct report_opts *);	/* the top-level object */
void	 report_text_endpoint(FILE *, const struct endpoint *, const struct report_opts *);
void	 report_findings_markdown(FILE *);
json_t	*report_check_json(const struct check_result *, const struct report_opts *);
void	 report_check_text(FILE *, const struct check_result *, const struct report_opts *);
void	 report_check_table(FILE *, const struct check_result *const *, size_t, const struct report_opts *);

#endif
