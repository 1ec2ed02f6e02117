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
	/* DNS and MX (mailtls check) */
	FINDING_DNSSEC_BOGUS,
	FINDING_DNSSEC_INSECURE,
	FINDING_DNS_LOOKUP_FAILED,
	FINDING_DNS_NXDOMAIN,
	FINDING_MX_NULL,
	FINDING_MX_IMPLICIT,
	FINDING_MX_CNAME,
	FINDING_MX_IP_LITERAL,
	/* DANE */
	FINDING_DANE_ABSENT,
	FINDING_DANE_VALID,
	FINDING_DANE_MISMATCH,
	FINDING_DANE_INSECURE,
	FINDING_DANE_UNUSABLE,
	FINDING_DANE_STARTTLS_MISSING,
	FINDING_DANE_NO_ROLLOVER,
	/* MTA-STS and TLS-RPT */
	FINDING_MTA_STS_ABSENT,
	FINDING_MTA_STS_RECORD_INVALID,
	FINDING_MTA_STS_POLICY_FETCH_FAILED,
	FINDING_MTA_STS_POLICY_INVALID,
	FINDING_MTA_STS_TESTING,
	FINDING_MTA_STS_MX_MISMATCH,
	FINDING_MTA_STS_CERT_INVALID,
	FINDING_TLSRPT_ABSENT,
	FINDING_TLSRPT_INVALID,
	/* the domain verdict */
	FINDING_DOWNGRADE_POSSIBLE,
	/* protocol versions, suites, key exchange (mailtls host --full) */
	FINDING_TLS_SSLV2,
	FINDING_TLS_SSLV3,
	FINDING_TLS_V1_0,
	FINDING_TLS_V1_1,
	FINDING_TLS_NO_MODERN,
	FINDING_CIPHER_NULL,
	FINDING_CIPHER_ANON,
	FINDING_CIPHER_EXPORT,
	FINDING_CIPHER_RC4,
	FINDING_CIPHER_3DES,
	FINDING_CIPHER_NO_AEAD,
	FINDING_KX_NO_PFS,
	FINDING_KX_DH_WEAK,
	FINDING_TLS_COMPRESSION,
	FINDING_TLS_INSECURE_RENEGOTIATION,
	FINDING_TLS_NO_FALLBACK_SCSV,
	FINDING_VULN_HEARTBLEED,
	/* appended with report schema 2 (verdict review, issue 7) */
	FINDING_VERDICT_INDETERMINATE,
	FINDING_MX_NONEXISTENT,
	FINDING_MX_TRUNCATED,
	FINDING_CONN_UNREACHABLE_HERE,
	FINDING_DANE_RECORD_MALFORMED,
	FINDING_DANE_TLSA_IGNORED,
	FINDING_STARTTLS_COMMAND_INJECTION,
	FINDING_TLSRPT_NOTE,
	FINDING_MTA_STS_MAX_AGE_SHORT,
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
