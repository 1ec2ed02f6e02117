/*
 * mailtls.h — the public API of libmailtls.
 *
 * One call audits one mail server the way `mailtls host` does and hands back the JSON report
 * (docs/report-schema.md).  Types are opaque; everything the caller receives it frees with
 * mailtls_free().  The library never exits and never prints.
 */
#ifndef MAILTLS_H
#define MAILTLS_H

#ifdef __cplusplus
extern "C" {
#endif

#define MAILTLS_VERSION_STRING	"0.1.0"
#define MAILTLS_SCHEMA		2	/* the JSON report's "schema" */

enum mailtls_status {
	MAILTLS_OK = 0,			/* audited; the report may hold findings */
	MAILTLS_EUSAGE,			/* a bad option or target */
	MAILTLS_EUNREACHABLE,		/* no address could be connected to */
	MAILTLS_EINTERNAL,		/* resource or library failure */
};

struct mailtls_host_opts {
	const char	*target;	/* "host", "host:port", "1.2.3.4", "[::1]:25" */
	const char	*proto;		/* "smtp" (default) or "smtps" */
	const char	*name;		/* reference name; NULL: the host */
	const char	*ehlo;		/* EHLO name; NULL: "localhost.localdomain" */
	const char	*ca_file;	/* NULL: the system trust store */
	const char	*ca_path;
	long		 timeout_ms;	/* whole probe; 0: 60 s */
};

const char		*mailtls_version(void);
/* Audit one server; on MAILTLS_OK or MAILTLS_EUNREACHABLE *json holds the report. */
enum mailtls_status	 mailtls_host_json(const struct mailtls_host_opts *, char **json);
void			 mailtls_free(void *);

#ifdef __cplusplus
}
#endif

#endif
