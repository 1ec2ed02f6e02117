/*
 * mandatory.c — see mandatory.h.  Pure: no I/O, no globals but the name tables.
 */
#include <string.h>

#include "verdict/mandatory.h"

static const char *const mandatory_names[MANDATORY_LAST] = {
	[MANDATORY_YES] = "yes",
	[MANDATORY_OPTIONAL] = "optional",
	[MANDATORY_NO_TLS] = "no_tls",
	[MANDATORY_UNKNOWN] = "unknown",
};

const char *
mandatory_name(enum mandatory m)
{
	return (unsigned)m < MANDATORY_LAST ? mandatory_names[m] : "?";
}

int
mandatory_service_of(const char *family, int port)
{
	if (family == NULL)
		return -1;
	if (strcmp(family, "smtp") == 0)
		return port == 25 ? MANDATORY_SVC_SMTP : MANDATORY_SVC_SUBMISSION;
	if (strcmp(family, "submission") == 0)
		return MANDATORY_SVC_SUBMISSION;
	if (strcmp(family, "imap") == 0)
		return MANDATORY_SVC_IMAP;
	if (strcmp(family, "pop3") == 0)
		return MANDATORY_SVC_POP3;
	if (strcmp(family, "xmpp-client") == 0)
		return MANDATORY_SVC_XMPP_CLIENT;
	if (strcmp(family, "xmpp-server") == 0)
		return MANDATORY_SVC_XMPP_SERVER;
	if (strcmp(family, "https") == 0)
		return MANDATORY_SVC_WEB;
	return -1;
}

/* Why a plaintext login breaks "mandatory", per protocol. */
static const char *const mandatory_cred_rule[MANDATORY_SVC_LAST] = {
	[MANDATORY_SVC_SUBMISSION] = "AUTH offered before STARTTLS: a password can be sent in "
	    "plaintext (RFC 4954 §4, RFC 8314 §3.3)",
	[MANDATORY_SVC_IMAP] = "LOGIN or AUTHENTICATE allowed before STARTTLS (no LOGINDISABLED; "
	    "RFC 9051 §6.2.3, RFC 8314 §3.3)",
	[MANDATORY_SVC_POP3] = "USER or SASL offered before STLS (RFC 2595 §4, RFC 2449 §6.3, "
	    "RFC 8314 §3.3)",
	[MANDATORY_SVC_XMPP_CLIENT] = "SASL mechanisms offered before TLS (RFC 6120 §5.3.1, §6.1)",
};

static void
mandatory_set(struct mandatory_result *r, enum mandatory v, const char *rule)
{
	r->value = v;
	r->rule = rule;
}

void
mandatory_decide(const struct mandatory_facts *f, struct mandatory_result *r)
{
	if (!f->reached) {
		mandatory_set(r, MANDATORY_UNKNOWN, "the dialogue did not reach the capabilities");
		return;
	}
	if (f->implicit_tls) {
		if (f->tls_established)
			mandatory_set(r, MANDATORY_YES, "implicit TLS: nothing is sent before the "
			    "handshake (RFC 8314 §3, XEP-0368, RFC 2818)");
		else
			mandatory_set(r, MANDATORY_NO_TLS, "implicit-TLS port without a working handshake");
		return;
	}
	if (!f->upgrade_offered) {
		mandatory_set(r, MANDATORY_NO_TLS, "no STARTTLS offered (RFC 3207 §4, RFC 2595 §3.1, "
		    "RFC 6120 §5.3.1)");
		return;
	}
	switch (f->service) {
	case MANDATORY_SVC_SUBMISSION:
	case MANDATORY_SVC_IMAP:
	case MANDATORY_SVC_POP3:
	case MANDATORY_SVC_XMPP_CLIENT:
		if (f->service == MANDATORY_SVC_XMPP_CLIENT && f->xmpp_required && f->xmpp_required_broken) {
			mandatory_set(r, MANDATORY_OPTIONAL, "<required/> advertised, but SASL starts "
			    "in plaintext when asked (RFC 6120 §5.3.1)");
			return;
		}
		if (f->cred_before_tls) {
			mandatory_set(r, MANDATORY_OPTIONAL, mandatory_cred_rule[f->service]);
			return;
		}
		if (f->service == MANDATORY_SVC_XMPP_CLIENT && !f->xmpp_required) {
			mandatory_set(r, MANDATORY_OPTIONAL, "STARTTLS without <required/>: the stream may "
			    "go on in plaintext (RFC 6120 §5.3.1)");
			return;
		}
		mandatory_set(r, MANDATORY_YES, "STARTTLS offered and nothing that carries a credential "
		    "before it (RFC 8314 §3.3, RFC 9051 §6.2.3, RFC 2595 §4, RFC 4954 §4, RFC 6120 §5.3.1)");
		return;
	case MANDATORY_SVC_XMPP_SERVER:
		if (f->xmpp_required && !f->xmpp_required_broken) {
			mandatory_set(r, MANDATORY_YES, "<required/> in the s2s stream features "
			    "(RFC 6120 §5.3.1)");
			return;
		}
		if (f->dane_usable) {
			mandatory_set(r, MANDATORY_YES, "DNSSEC-signed TLSA records for the SRV target: "
			    "DANE peers insist on TLS (RFC 7673, RFC 7712)");
			return;
		}
		mandatory_set(r, MANDATORY_OPTIONAL, "STARTTLS without <required/> and without DANE: "
		    "peers may stream in plaintext (RFC 6120 §5.3.1)");
		return;
	case MANDATORY_SVC_SMTP:
		if (f->dane_usable) {
			mandatory_set(r, MANDATORY_YES, "DANE: DNSSEC-signed TLSA records make DANE senders "
			    "insist on TLS (RFC 7672 §2.2)");
			return;
		}
		if (f->mta_sts_enforce) {
			mandatory_set(r, MANDATORY_YES, "MTA-STS in enforce mode makes senders insist on "
			    "TLS (RFC 8461 §5)");
			return;
		}
		mandatory_set(r, MANDATORY_OPTIONAL, "opportunistic STARTTLS: senders fall back to "
		    "plaintext when it is stripped (RFC 3207 §4, RFC 7435)");
		return;
	case MANDATORY_SVC_WEB:
	default:
		mandatory_set(r, MANDATORY_OPTIONAL, "plaintext http:// as well as https://");
		return;
	}
}
