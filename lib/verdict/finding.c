/*
 * finding.c — the finding table.  Order must follow enum finding_id (checked by test_finding.c).
 */
#include <string.h>
#include <strings.h>

#include "verdict/finding.h"
#include "util/xalloc.h"

static const char *const severity_names[SEVERITY_LAST] = {
	[SEVERITY_INFO] = "info",
	[SEVERITY_LOW] = "low",
	[SEVERITY_MEDIUM] = "medium",
	[SEVERITY_HIGH] = "high",
	[SEVERITY_CRITICAL] = "critical",
};

static const struct finding_info findings[FINDING_LAST] = {
	{ FINDING_CONN_FAILED, "conn.failed", SEVERITY_HIGH,
	  "The server could not be reached: the TCP connection was refused or failed.",
	  "Check that the host listens on this port and that no firewall drops connections from senders." },
	{ FINDING_CONN_TIMEOUT, "conn.timeout", SEVERITY_HIGH,
	  "A deadline passed (connect, a reply, the TLS handshake or the whole probe) before the server answered.",
	  "Make the server answer promptly; a stalling server delays or loses mail." },
	{ FINDING_CONN_CLOSED, "conn.closed", SEVERITY_MEDIUM,
	  "The server closed the connection in the middle of the dialogue.",
	  "Check the server's logs for crashes or limits that cut off sending servers." },
	{ FINDING_SMTP_REJECTED, "smtp.rejected", SEVERITY_HIGH,
	  "The server refused the session (421 or 554 greeting).",
	  "Check rate limits, blocklists and the greeting configuration of the server." },
	{ FINDING_SMTP_EHLO_REFUSED, "smtp.ehlo_refused", SEVERITY_HIGH,
	  "The server refused EHLO, so no extension and in particular no STARTTLS can be used.",
	  "Enable ESMTP (EHLO) on the server." },
	{ FINDING_SMTP_LINE_TOO_LONG, "smtp.line_too_long", SEVERITY_MEDIUM,
	  "A reply line exceeded the line ceiling (RFC 5321 allows 512 octets); the probe stopped reading.",
	  "Fix the server or whatever sits in front of it: it sends malformed SMTP." },
	{ FINDING_SMTP_REPLY_TOO_LONG, "smtp.reply_too_long", SEVERITY_MEDIUM,
	  "A multi-line reply exceeded the reply ceiling; the probe stopped reading.",
	  "Fix the server or whatever sits in front of it: it sends endless continuation lines." },
	{ FINDING_SMTP_PROTOCOL, "smtp.protocol_error", SEVERITY_MEDIUM,
	  "The server sent something that is not an SMTP reply.",
	  "Check that an SMTP server, not another service, listens on this port." },
	{ FINDING_STARTTLS_NOT_OFFERED, "starttls.not_offered", SEVERITY_HIGH,
	  "The server does not offer STARTTLS: mail to it travels in plaintext and anyone on the path can read it.",
	  "Enable STARTTLS (Postfix: smtpd_tls_security_level = may with a certificate and key)." },
	{ FINDING_STARTTLS_REJECTED, "starttls.rejected", SEVERITY_HIGH,
	  "The server offered STARTTLS but refused it when asked, so senders fall back to plaintext.",
	  "Fix the server's TLS setup (certificate, key, permissions) so that STARTTLS succeeds." },
	{ FINDING_STARTTLS_INJECTION, "starttls.injection", SEVERITY_CRITICAL,
	  "Plaintext arrived after the 220 reply to STARTTLS: a man-in-the-middle can inject commands or replies into the TLS session.",
	  "Upgrade the server (or the proxy in front of it) so it discards buffered plaintext when TLS starts." },
	{ FINDING_AUTH_BEFORE_TLS, "auth.before_tls", SEVERITY_HIGH,
	  "AUTH is offered before STARTTLS, so clients may send passwords in plaintext.",
	  "Offer AUTH only inside TLS (Postfix: smtpd_tls_auth_only = yes)." },
	{ FINDING_TLS_HANDSHAKE_FAILED, "tls.handshake_failed", SEVERITY_HIGH,
	  "STARTTLS was accepted but the TLS handshake failed; senders then deliver in plaintext or not at all.",
	  "Check the server's certificate, key, protocol versions and ciphers." },
	{ FINDING_TLS_OK, "tls.established", SEVERITY_INFO,
	  "A TLS session was established.",
	  "Nothing to do." },
	{ FINDING_CERT_UNTRUSTED, "cert.untrusted", SEVERITY_MEDIUM,
	  "The certificate chain does not validate against the trust store; only DANE or MTA-STS senders would notice.",
	  "Install a certificate from a public CA with its full chain, or publish DANE TLSA records." },
	{ FINDING_CERT_SELF_SIGNED, "cert.self_signed", SEVERITY_MEDIUM,
	  "The certificate is self-signed.",
	  "Use a CA-issued certificate, or publish a DANE-EE (3 1 1) TLSA record for this key." },
	{ FINDING_CERT_EXPIRED, "cert.expired", SEVERITY_HIGH,
	  "The certificate has expired; MTA-STS and DANE-TA senders will refuse to deliver.",
	  "Renew the certificate and automate renewal." },
	{ FINDING_CERT_NOT_YET_VALID, "cert.not_yet_valid", SEVERITY_HIGH,
	  "The certificate is not valid yet.",
	  "Check the server's clock and the certificate's notBefore date." },
	{ FINDING_CERT_EXPIRES_SOON, "cert.expires_soon", SEVERITY_LOW,
	  "The certificate expires within 14 days.",
	  "Renew the certificate now and automate renewal." },
	{ FINDING_CERT_NAME_MISMATCH, "cert.name_mismatch", SEVERITY_MEDIUM,
	  "The certificate does not cover the reference name (RFC 6125); MTA-STS senders will refuse to deliver.",
	  "Put the MX host name in the certificate's subjectAltName." },
	{ FINDING_CERT_WEAK_KEY, "cert.weak_key", SEVERITY_HIGH,
	  "The certificate's key is too small (RSA/DSA under 2048 bits, EC under 224 bits).",
	  "Use an RSA key of at least 2048 bits or an ECDSA P-256 key." },
	{ FINDING_CERT_WEAK_SIGNATURE, "cert.weak_signature", SEVERITY_MEDIUM,
	  "The certificate is signed with MD5 or SHA-1.",
	  "Reissue the certificate with a SHA-256 (or stronger) signature." },
};

const struct finding_info *
finding_info(enum finding_id id)
{
	if ((unsigned)id >= FINDING_LAST)
		BUG("finding id out of range");
	return &findings[id];
}

const char *
finding_name(enum finding_id id)
{
	return finding_info(id)->name;
}

int
finding_by_name(const char *name)
{
	int i;

	for (i = 0; i < FINDING_LAST; i++)
		if (strcmp(findings[i].name, name) == 0)
			return i;
	return -1;
}

const char *
severity_name(enum severity s)
{
	if ((unsigned)s >= SEVERITY_LAST)
		BUG("severity out of range");
	return severity_names[s];
}

int
severity_by_name(const char *name)
{
	int i;

	for (i = 0; i < SEVERITY_LAST; i++)
		if (strcasecmp(severity_names[i], name) == 0)
			return i;
	return -1;
}
