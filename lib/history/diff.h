/*
 * diff.h — what changed for one domain between two stored scans: a PURE decision over two
 * JSON reports (docs/report-schema.md, "check"; the stored `reports.json` of two runs).
 *
 * No store, no clock, no I/O: the reports carry the time they were written (`generated`), which
 * is the time the expiry window is measured from.  The change IDs, their severities and what
 * each means are one table (history_kinds[]) that feeds docs/changes.md, `mailtls changes
 * --list`, the text lines and the JSON Lines; IDs never change meaning once released.
 * Design and decision table: docs/internals/history.md.
 */
#ifndef MAILTLS_HISTORY_DIFF_H
#define MAILTLS_HISTORY_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "verdict/finding.h"

enum history_kind {
	HISTORY_MX_ADDED = 0,
	HISTORY_MX_REMOVED,
	HISTORY_ADDRESS_ADDED,
	HISTORY_ADDRESS_REMOVED,
	HISTORY_CERT_REPLACED,
	HISTORY_CERT_EXPIRING,
	HISTORY_DANE_TLSA_MISMATCH,
	HISTORY_STARTTLS_LOST,
	HISTORY_STARTTLS_GAINED,
	HISTORY_ENDPOINT_UNREACHABLE,
	HISTORY_TLS_VERSION_DROPPED,
	HISTORY_GRADE_DROPPED,
	HISTORY_DNSSEC_WEAKENED,
	HISTORY_DNSSEC_CHANGED,
	HISTORY_STS_ID_CHANGED,
	HISTORY_STS_MODE_CHANGED,
	HISTORY_STS_MX_CHANGED,
	HISTORY_STS_MX_UNCOVERED,
	HISTORY_TLSRPT_ADDED,
	HISTORY_TLSRPT_REMOVED,
	HISTORY_VERDICT_WEAKENED,
	HISTORY_VERDICT_CHANGED,
	HISTORY_LAST
};

struct history_kind_info {
	const char	*id;		/* stable: "cert.replaced" */
	enum severity	 severity;
	const char	*summary;	/* what it means, one sentence */
	const char	*why;		/* why it matters (docs/changes.md) */
};

extern const struct history_kind_info history_kinds[HISTORY_LAST];

struct history_change {
	enum history_kind kind;
	char		 scope[300];	/* "" for the domain; else the MX host, or "host ip" */
	char		 detail[700];	/* what exactly changed: old -> new */
	char		 old_value[160], new_value[160];	/* machine-readable; "" when none */
};

struct history_changes {
	size_t		 n, cap;
	struct history_change *v;
};

struct history_params {
	int		 expiry_days;	/* cert.expiring window (default 21) */
};

#define HISTORY_EXPIRY_DAYS	21

/*
 * The changes from `old` to `cur` (both one domain's check report) appended to *out, in a fixed
 * order (the kind table's, then MX/endpoint order).  Returns the number appended, -1 when either
 * report is not an object of the same domain.
 */
int	history_diff(json_t *old, json_t *cur, const struct history_params *,
	    struct history_changes *out);
void	history_changes_clear(struct history_changes *);	/* keeps the memory */
void	history_changes_free(struct history_changes *);

const char *history_kind_id(enum history_kind);
int	history_kind_by_id(const char *);	/* -1 if unknown */
/* docs/changes.md's generated table, exactly */
void	history_kinds_markdown(FILE *);

/* ISO 8601 UTC "2026-01-02T03:04:05Z" → seconds since the epoch; -1 when malformed. */
long long history_parse_time(const char *);

#endif
