/*
 * mandatory.h — "Is TLS mandatory?" for one service, the STARTTLS column of the provider table
 * ("Pflicht" or "optional" in the German Jabber survey this project grew from).  PURE: facts in,
 * a named verdict and the rule that decided it out; table-tested row by row (test_mandatory.c).
 *
 * The rules, first match wins (docs/internals/provider.md has the same table):
 *   - no capabilities seen -> unknown
 *   - implicit TLS (RFC 8314 §3, XEP-0368, RFC 2818): mandatory when the handshake succeeded
 *   - no upgrade offered -> no TLS
 *   client-facing (submission, IMAP, POP3, XMPP c2s): mandatory only when nothing that carries a
 *     credential is possible before TLS (RFC 4954 §4, RFC 9051 §6.2.3 LOGINDISABLED, RFC 2595 §4 /
 *     RFC 2449 §6.3, RFC 6120 §6.1) and, for XMPP, <required/> is advertised and kept (§5.3.1)
 *   relay (SMTP port 25, XMPP s2s): mandatory only when senders must insist: DANE (RFC 7672 §2.2,
 *     RFC 7673), MTA-STS enforce (RFC 8461 §5), or XMPP <required/> (RFC 6120 §5.3.1); otherwise
 *     opportunistic (RFC 3207 §4, RFC 7435)
 */
#ifndef MAILTLS_MANDATORY_H
#define MAILTLS_MANDATORY_H

enum mandatory {
	MANDATORY_YES = 0,	/* no plaintext path that matters */
	MANDATORY_OPTIONAL,	/* TLS offered, but plaintext (or a plaintext login) works */
	MANDATORY_NO_TLS,	/* TLS not offered, or the implicit-TLS handshake failed */
	MANDATORY_UNKNOWN,	/* the dialogue did not get far enough to tell */
	MANDATORY_LAST
};

enum mandatory_service {
	MANDATORY_SVC_SUBMISSION = 0,
	MANDATORY_SVC_IMAP,
	MANDATORY_SVC_POP3,
	MANDATORY_SVC_XMPP_CLIENT,
	MANDATORY_SVC_SMTP,		/* port 25 */
	MANDATORY_SVC_XMPP_SERVER,
	MANDATORY_SVC_WEB,
	MANDATORY_SVC_LAST
};

struct mandatory_facts {
	enum mandatory_service	 service;
	int			 reached;		/* capabilities (or the handshake) were seen */
	int			 implicit_tls;
	int			 tls_established;
	int			 upgrade_offered;
	int			 cred_before_tls;	/* AUTH/LOGIN/USER/SASL possible before TLS */
	int			 xmpp_required;		/* <required/> advertised */
	int			 xmpp_required_broken;	/* ... but plaintext SASL started anyway */
	int			 dane_usable;		/* DNSSEC-secure, usable TLSA records */
	int			 mta_sts_enforce;
};

struct mandatory_result {
	enum mandatory		 value;
	const char		*rule;		/* the rule that decided, with its RFC */
};

void		 mandatory_decide(const struct mandatory_facts *, struct mandatory_result *);
const char	*mandatory_name(enum mandatory);		/* "yes" "optional" "no_tls" "unknown" */
int		 mandatory_service_of(const char *family, int port);	/* -1 if none applies */

#endif
