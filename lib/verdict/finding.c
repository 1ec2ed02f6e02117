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
	  "The certificate's key is too small: under 2048 RSA-equivalent bits (NIST SP 800-57; EC under 224 bits).",
	  "Use an RSA key of at least 2048 bits or an ECDSA P-256 key." },
	{ FINDING_CERT_WEAK_SIGNATURE, "cert.weak_signature", SEVERITY_MEDIUM,
	  "The certificate is signed with MD2, MD4, MD5, SHA-0 or SHA-1.",
	  "Reissue the certificate with a SHA-256 (or stronger) signature." },
	{ FINDING_DNSSEC_BOGUS, "dnssec.bogus", SEVERITY_CRITICAL,
	  "DNSSEC validation failed: validating senders cannot resolve this name, others may be fed forged answers.",
	  "Fix the zone's signatures or its DS record at the parent (check expired RRSIGs and key rollovers)." },
	{ FINDING_DNSSEC_INSECURE, "dnssec.insecure", SEVERITY_LOW,
	  "The MX records are not DNSSEC-signed, so an attacker can forge them and DANE cannot be used.",
	  "Sign the zone with DNSSEC and publish its DS record at the parent." },
	{ FINDING_DNS_LOOKUP_FAILED, "dns.lookup_failed", SEVERITY_HIGH,
	  "A DNS lookup failed (timeout or server failure); senders may defer mail.",
	  "Check that the domain's name servers answer for the name." },
	{ FINDING_DNS_NXDOMAIN, "dns.nxdomain", SEVERITY_HIGH,
	  "The name does not exist in DNS.",
	  "Check the spelling of the domain, or publish it." },
	{ FINDING_MX_NULL, "mx.null", SEVERITY_INFO,
	  "The domain publishes a null MX (RFC 7505): it accepts no mail.",
	  "Nothing to do if the domain should receive no mail." },
	{ FINDING_MX_IMPLICIT, "mx.implicit", SEVERITY_LOW,
	  "The domain has no MX records; senders deliver to its own address records (implicit MX).",
	  "Publish MX records for the domain, or a null MX if it receives no mail." },
	{ FINDING_MX_CNAME, "mx.cname", SEVERITY_MEDIUM,
	  "An MX target is an alias (CNAME), which RFC 2181 §10.3 forbids; some senders refuse it.",
	  "Point the MX record at the canonical host name." },
	{ FINDING_MX_IP_LITERAL, "mx.ip_literal", SEVERITY_HIGH,
	  "An MX target is an IP address instead of a host name; senders cannot use it.",
	  "Point the MX record at a host name with A/AAAA records." },
	{ FINDING_DANE_ABSENT, "dane.absent", SEVERITY_MEDIUM,
	  "No TLSA record for this MX host: DANE does not protect it.",
	  "Sign the zone and publish a TLSA record at _25._tcp.<mx host> (e.g. 3 1 1 with the key's SPKI digest)." },
	{ FINDING_DANE_VALID, "dane.valid", SEVERITY_INFO,
	  "DNSSEC-signed TLSA records match the server's certificate: DANE-aware senders will insist on TLS to this host.",
	  "Nothing to do; keep the TLSA records in step with certificate renewals." },
	{ FINDING_DANE_MISMATCH, "dane.mismatch", SEVERITY_CRITICAL,
	  "No usable TLSA record matches the server's certificate: DANE-aware senders will defer all mail to this host.",
	  "Publish a TLSA record for the certificate now in use (publish the new one before each key change)." },
	{ FINDING_DANE_INSECURE, "dane.insecure", SEVERITY_MEDIUM,
	  "TLSA records exist but are not DNSSEC-secure (or the MX records are not), so senders ignore them.",
	  "Sign the zones that hold the MX and TLSA records with DNSSEC." },
	{ FINDING_DANE_UNUSABLE, "dane.unusable", SEVERITY_HIGH,
	  "Secure TLSA records exist but none is usable for SMTP (only PKIX-TA/PKIX-EE usages, unknown parameters, or malformed): DANE senders still require TLS but accept any certificate, so a man-in-the-middle with any certificate reads the mail, and without STARTTLS mail is deferred (RFC 7672 §2.2).",
	  "Publish DANE-EE (3 1 1) or DANE-TA (2 1 1) records (RFC 7672 §3.1)." },
	{ FINDING_DANE_STARTTLS_MISSING, "dane.starttls_missing", SEVERITY_CRITICAL,
	  "TLSA records are published but the server does not complete STARTTLS: either an attacker strips it or DANE senders cannot deliver.",
	  "Enable STARTTLS on the server, or withdraw the TLSA records until it works." },
	{ FINDING_DANE_NO_ROLLOVER, "dane.no_rollover", SEVERITY_LOW,
	  "Only one usable TLSA record: a key or certificate change will break delivery unless the new record is published first.",
	  "Publish a second record (e.g. 3 1 1 for the next key, or 2 1 1 for the issuing CA) before rolling keys." },
	{ FINDING_MTA_STS_ABSENT, "mta_sts.absent", SEVERITY_LOW,
	  "No MTA-STS record: senders that do not use DANE fall back to plaintext when STARTTLS is stripped.",
	  "Publish _mta-sts TXT \"v=STSv1; id=...\" and a policy at https://mta-sts.<domain>/.well-known/mta-sts.txt." },
	{ FINDING_MTA_STS_RECORD_INVALID, "mta_sts.record_invalid", SEVERITY_HIGH,
	  "The _mta-sts TXT record is invalid (or there is more than one), so senders ignore MTA-STS.",
	  "Publish exactly one record of the form \"v=STSv1; id=<1-32 letters or digits>\"." },
	{ FINDING_MTA_STS_POLICY_FETCH_FAILED, "mta_sts.policy_fetch_failed", SEVERITY_HIGH,
	  "The MTA-STS policy could not be fetched over HTTPS (error, non-200 status, redirect, wrong type, bad certificate or too large).",
	  "Serve the policy as text/plain with status 200 at https://mta-sts.<domain>/.well-known/mta-sts.txt with a valid certificate." },
	{ FINDING_MTA_STS_POLICY_INVALID, "mta_sts.policy_invalid", SEVERITY_HIGH,
	  "The MTA-STS policy file does not parse (version, mode, mx or max_age wrong or missing).",
	  "Fix the policy file: version: STSv1, mode: enforce|testing|none, one mx: line per MX pattern, max_age: seconds." },
	{ FINDING_MTA_STS_TESTING, "mta_sts.testing", SEVERITY_MEDIUM,
	  "MTA-STS is in testing mode: senders report failures but still deliver in plaintext when STARTTLS is stripped.",
	  "Switch the policy to mode: enforce once TLS-RPT reports show no failures." },
	{ FINDING_MTA_STS_MX_MISMATCH, "mta_sts.mx_mismatch", SEVERITY_CRITICAL,
	  "An MX host matches no mx: pattern of the MTA-STS policy: enforcing senders will not deliver to it.",
	  "Add the MX host (or a matching *.domain pattern) to the policy's mx: lines." },
	{ FINDING_MTA_STS_CERT_INVALID, "mta_sts.cert_invalid", SEVERITY_CRITICAL,
	  "Under an enforced MTA-STS policy this MX lacks STARTTLS or a WebPKI-valid certificate for its name: enforcing senders will not deliver to it.",
	  "Install a certificate from a public CA that covers the MX host name, with its full chain." },
	{ FINDING_TLSRPT_ABSENT, "tlsrpt.absent", SEVERITY_LOW,
	  "No TLS-RPT record: you will not hear from senders when TLS to your MX fails.",
	  "Publish _smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@<domain>\"." },
	{ FINDING_TLSRPT_INVALID, "tlsrpt.invalid", SEVERITY_MEDIUM,
	  "The TLS-RPT record is invalid, so senders send no reports.",
	  "Publish exactly one record \"v=TLSRPTv1; rua=mailto:...\" (or https:)." },
	{ FINDING_DOWNGRADE_POSSIBLE, "downgrade.possible", SEVERITY_HIGH,
	  "An active attacker on the path can make senders deliver this domain's mail in plaintext (strip STARTTLS or forge the MX).",
	  "Publish DANE TLSA records in a DNSSEC-signed zone, or an MTA-STS policy in enforce mode, covering every MX." },
	{ FINDING_TLS_SSLV2, "tls.sslv2", SEVERITY_CRITICAL,
	  "SSLv2 is accepted: broken beyond repair (and the DROWN attack reaches other servers sharing the key).",
	  "Disable SSLv2 (Postfix: smtpd_tls_protocols = >=TLSv1.2)." },
	{ FINDING_TLS_SSLV3, "tls.sslv3", SEVERITY_HIGH,
	  "SSLv3 is accepted (POODLE).",
	  "Disable SSLv3 (Postfix: smtpd_tls_protocols = >=TLSv1.2)." },
	{ FINDING_TLS_V1_0, "tls.v1_0", SEVERITY_MEDIUM,
	  "TLS 1.0 is accepted (deprecated by RFC 8996).",
	  "Accept TLS 1.2 and 1.3 only, once your peers allow (Postfix: smtpd_tls_protocols = >=TLSv1.2)." },
	{ FINDING_TLS_V1_1, "tls.v1_1", SEVERITY_MEDIUM,
	  "TLS 1.1 is accepted (deprecated by RFC 8996).",
	  "Accept TLS 1.2 and 1.3 only, once your peers allow (Postfix: smtpd_tls_protocols = >=TLSv1.2)." },
	{ FINDING_TLS_NO_MODERN, "tls.no_modern", SEVERITY_HIGH,
	  "Neither TLS 1.2 nor TLS 1.3 is accepted.",
	  "Upgrade the server's TLS library and enable TLS 1.2 and 1.3." },
	{ FINDING_CIPHER_NULL, "cipher.null", SEVERITY_CRITICAL,
	  "A suite without encryption (NULL cipher) is accepted.",
	  "Remove NULL suites (Postfix: smtpd_tls_exclude_ciphers = eNULL)." },
	{ FINDING_CIPHER_ANON, "cipher.anon", SEVERITY_LOW,
	  "Anonymous suites (no server authentication) are accepted; harmless for opportunistic SMTP, fatal where certificates are checked.",
	  "Keep them only on port 25 for opportunistic senders; remove them on submission ports (smtpd_tls_exclude_ciphers = aNULL)." },
	{ FINDING_CIPHER_EXPORT, "cipher.export", SEVERITY_CRITICAL,
	  "Export-grade suites (40/56-bit) are accepted (FREAK, Logjam).",
	  "Remove export suites (Postfix: smtpd_tls_exclude_ciphers = EXPORT)." },
	{ FINDING_CIPHER_RC4, "cipher.rc4", SEVERITY_HIGH,
	  "RC4 suites are accepted (RFC 7465 forbids them).",
	  "Remove RC4 (Postfix: smtpd_tls_exclude_ciphers = RC4)." },
	{ FINDING_CIPHER_3DES, "cipher.3des", SEVERITY_MEDIUM,
	  "64-bit block ciphers (3DES, IDEA) are accepted (Sweet32).",
	  "Remove 3DES (Postfix: smtpd_tls_exclude_ciphers = 3DES)." },
	{ FINDING_CIPHER_NO_AEAD, "cipher.no_aead", SEVERITY_MEDIUM,
	  "No AEAD suite (AES-GCM, ChaCha20-Poly1305) is accepted.",
	  "Enable TLS 1.2 AEAD suites or TLS 1.3." },
	{ FINDING_KX_NO_PFS, "kx.no_pfs", SEVERITY_MEDIUM,
	  "Suites with static RSA or DH key exchange are accepted: a stolen server key decrypts recorded mail.",
	  "Prefer (or allow only) ECDHE and DHE suites." },
	{ FINDING_KX_DH_WEAK, "kx.dh_weak", SEVERITY_HIGH,
	  "Diffie-Hellman groups under 2048 bits are used (Logjam).",
	  "Use 2048-bit or larger DH parameters (Postfix: smtpd_tls_dh1024_param_file with a 2048-bit group) or ECDHE only." },
	{ FINDING_TLS_COMPRESSION, "tls.compression", SEVERITY_MEDIUM,
	  "TLS compression is accepted (CRIME).",
	  "Disable TLS compression (Postfix: tls_ssl_options = NO_COMPRESSION)." },
	{ FINDING_TLS_INSECURE_RENEGOTIATION, "tls.insecure_renegotiation", SEVERITY_MEDIUM,
	  "The server does not support secure renegotiation (RFC 5746).",
	  "Upgrade the TLS library; every maintained one supports RFC 5746." },
	{ FINDING_TLS_NO_FALLBACK_SCSV, "tls.no_fallback_scsv", SEVERITY_LOW,
	  "The server ignores TLS_FALLBACK_SCSV (RFC 7507), so a protocol downgrade goes unnoticed.",
	  "Upgrade the TLS library, or accept only TLS 1.2 and 1.3." },
	{ FINDING_VULN_HEARTBLEED, "vuln.heartbleed", SEVERITY_CRITICAL,
	  "The server answers malformed heartbeat requests with its memory (Heartbleed, CVE-2014-0160).",
	  "Upgrade OpenSSL and replace the server's keys and certificates." },
	{ FINDING_VERDICT_INDETERMINATE, "verdict.indeterminate", SEVERITY_MEDIUM,
	  "The protection could not be determined because DNS lookups failed; senders queue and retry, nothing is sent in the meantime.",
	  "Check that the domain's name servers answer (and that this machine can reach a DNS resolver), then run the check again." },
	{ FINDING_MX_NONEXISTENT, "mx.nonexistent", SEVERITY_MEDIUM,
	  "An MX target does not exist (NXDOMAIN proven by DNSSEC): senders skip it (RFC 5321 §5.1).",
	  "Remove the MX record or publish the host; it only adds delay." },
	{ FINDING_MX_TRUNCATED, "mx.truncated", SEVERITY_LOW,
	  "The domain has more MX records (or addresses) than mailtls examines; the rest were not checked.",
	  "Publish fewer MX records; senders also try only a few of them." },
	{ FINDING_CONN_UNREACHABLE_HERE, "conn.unreachable_here", SEVERITY_LOW,
	  "This address could not be reached from the auditing machine (often IPv6 from an IPv4-only host); nothing is known about its TLS.",
	  "Run the check from a host with connectivity in this address family, or check that the address is meant to be published." },
	{ FINDING_DANE_RECORD_MALFORMED, "dane.record_malformed", SEVERITY_HIGH,
	  "A TLSA record's data cannot be used (Full(0) data that is not a certificate or public key, or a digest of the wrong length): DANE verifiers ignore it.",
	  "Republish the record with correct data (e.g. 3 1 1 followed by the SHA-256 of the key's SubjectPublicKeyInfo)." },
	{ FINDING_DANE_TLSA_IGNORED, "dane.tlsa_ignored", SEVERITY_LOW,
	  "A TLSA lookup failed or failed DNSSEC validation where no sender uses it (the MX or address records are not secure), so it changes nothing today.",
	  "Fix the TLSA zone's signatures (or remove the records) before signing the MX zone, or DANE senders will defer mail." },
	{ FINDING_STARTTLS_COMMAND_INJECTION, "starttls.command_injection", SEVERITY_CRITICAL,
	  "Plaintext commands pipelined with STARTTLS are executed inside the TLS session (CVE-2011-0411 class): a man-in-the-middle can inject commands.",
	  "Upgrade the server (or the proxy in front of it) so it discards buffered plaintext when TLS starts." },
	{ FINDING_TLSRPT_NOTE, "tlsrpt.note", SEVERITY_LOW,
	  "The TLS-RPT record is valid, but parts of it are ignored (a URI senders cannot use, a field given twice, an unknown field, too many URIs).",
	  "Keep the record to \"v=TLSRPTv1; rua=\" with mailto: or https: URIs only, each field once." },
	{ FINDING_MTA_STS_MAX_AGE_SHORT, "mta_sts.max_age_short", SEVERITY_LOW,
	  "The MTA-STS policy's max_age is under a week: senders forget it quickly, and an attacker who blocks the policy fetch at their next contact downgrades them (RFC 8461 §3.2 and §10.2).",
	  "Set max_age to weeks or more (e.g. 604800 while testing, 31557600 once in enforce mode)." },
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
