/*
 * finding.h — the stable finding IDs, their severities and remedies.
 *
 * The table in finding.c is the single source for docs/findings.md (`mailtls findings --markdown`),
 * the JSON report and the text report.  IDs never change meaning once released; new ones are appended.
 */
#ifndef MAILTLS_FINDING_H
#define MAILTLS_FINDING_H

#include <stddef.h>

enum severity {
	SEVERITY_INFO = 0,
	SEVERITY_LOW,
	SEVERITY_MEDIUM,
	SEVERITY_HIGH,
	SEVERITY_CRITICAL,
	SEVERITY_LAST
};

enum finding_id {
	/* connection */
	FINDING_CONN_FAILED = 0,
	FINDING_CONN_TIMEOUT,
	FINDING_CONN_CLOSED,
	/* SMTP dialogue */
	FINDING_SMTP_REJECTED,
	FINDING_SMTP_EHLO_REFUSED,
	FINDING_SMTP_LINE_TOO_LONG,
	FINDING_SMTP_REPLY_TOO_LONG,
	FINDING_SMTP_PROTOCOL,
	/* STARTTLS */
	FINDING_STARTTLS_NOT_OFFERED,
	FINDING_STARTTLS_REJECTED,
	FINDING_STARTTLS_INJECTION,
	FINDING_AUTH_BEFORE_TLS,
	/* TLS handshake */
	FINDING_TLS_HANDSHAKE_FAILED,
	FINDING_TLS_OK,
	/* certificate */
	FINDING_CERT_UNTRUSTED,
	FINDING_CERT_SELF_SIGNED,
	FINDING_CERT_EXPIRED,
	FINDING_CERT_NOT_YET_VALID,
	FINDING_CERT_EXPIRES_SOON,
	FINDING_CERT_NAME_MISMATCH,
	FINDING_CERT_WEAK_KEY,
	FINDING_CERT_WEAK_SIGNATURE,
	FINDING_LAST
};

struct finding_info {
	enum finding_id	 id;
	const char	*name;		/* stable ID, e.g. "starttls.not_offered" */
	enum severity	 severity;	/* default severity */
	const char	*summary;	/* one sentence: what it means for an attacker */
	const char	*remedy;	/* one sentence: what to configure */
};

const struct finding_info	*finding_info(enum finding_id);
const char			*finding_name(enum finding_id);
int				 finding_by_name(const char *);	/* -1 if unknown */
const char			*severity_name(enum severity);
int				 severity_by_name(const char *);	/* -1 if unknown */

#endif
