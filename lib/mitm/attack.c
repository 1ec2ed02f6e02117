/*
 * attack.c — the name tables of attack.h: the single source of the attack and outcome IDs.
 */
#include <string.h>
#include <strings.h>

#include "mitm/attack.h"
#include "mitm/verdict.h"
#include "util/xalloc.h"

#define P(x)		(1u << MITM_PROTO_##x)
#define SMTPS		(P(SMTP) | P(SUBMISSION))
#define ALL		(SMTPS | P(IMAP) | P(POP3) | P(XMPP))

static const char *const proto_names[MITM_PROTO_LAST] = {
	[MITM_PROTO_SMTP] = "smtp",
	[MITM_PROTO_SUBMISSION] = "submission",
	[MITM_PROTO_IMAP] = "imap",
	[MITM_PROTO_POP3] = "pop3",
	[MITM_PROTO_XMPP] = "xmpp",
};

static const int proto_ports[MITM_PROTO_LAST] = {
	[MITM_PROTO_SMTP] = 25,
	[MITM_PROTO_SUBMISSION] = 587,
	[MITM_PROTO_IMAP] = 143,
	[MITM_PROTO_POP3] = 110,
	[MITM_PROTO_XMPP] = 5222,
};

static const struct mitm_attack_info attacks[MITM_ATTACK_LAST] = {
	[MITM_ATTACK_NONE] = { "none", ALL, 0,
	    "Control run: the dialogue is left as it is (STARTTLS offered; in proxy mode an upgrade is "
	    "relayed to the upstream untouched)." },
	[MITM_ATTACK_STRIP] = { "strip", ALL, 0,
	    "STARTTLS is removed from the capabilities (SMTP EHLO, IMAP CAPABILITY, POP3 CAPA, XMPP "
	    "stream features) and a plain-text login is advertised in its place." },
	[MITM_ATTACK_TLS_TEMPFAIL] = { "starttls.tempfail", SMTPS | P(IMAP) | P(POP3), 0,
	    "The upgrade is answered with a temporary failure: SMTP 454 4.7.0, IMAP NO, POP3 -ERR "
	    "[SYS/TEMP]." },
	[MITM_ATTACK_TLS_PERMFAIL] = { "starttls.permfail", ALL, 0,
	    "The upgrade is refused for good: SMTP 554 5.7.0, IMAP BAD, POP3 -ERR, XMPP <failure/>." },
	[MITM_ATTACK_TLS_GARBAGE] = { "starttls.garbage", ALL, 0,
	    "The upgrade is answered with a line no grammar of the protocol accepts." },
	[MITM_ATTACK_TLS_CLOSE] = { "starttls.close", ALL, 0,
	    "The connection is closed as soon as the client asks for STARTTLS." },
	[MITM_ATTACK_EHLO_REFUSED] = { "ehlo.refused", SMTPS, 0,
	    "EHLO is answered 502, so a client that falls back to HELO sees no extensions and no "
	    "STARTTLS." },
	[MITM_ATTACK_CERT_SELFSIGNED] = { "cert.selfsigned", ALL, 1,
	    "STARTTLS succeeds with a self-signed certificate for the expected name." },
	[MITM_ATTACK_CERT_WRONGNAME] = { "cert.wrongname", ALL, 1,
	    "STARTTLS succeeds with a certificate for another name (wrong-name.invalid), issued by "
	    "--ca-cert when given." },
	[MITM_ATTACK_CERT_EXPIRED] = { "cert.expired", ALL, 1,
	    "STARTTLS succeeds with a certificate for the expected name that expired 30 days ago, "
	    "issued by --ca-cert when given." },
	[MITM_ATTACK_CERT_UNKNOWNCA] = { "cert.unknownca", ALL, 1,
	    "STARTTLS succeeds with a certificate for the expected name issued by a CA generated at "
	    "start, which no client trusts." },
	[MITM_ATTACK_INJECT] = { "starttls.inject", SMTPS, 1,
	    "A plain-text 250 reply is sent right after the STARTTLS 220, before the handshake (the "
	    "client side of CVE-2011-0411); the handshake then uses --cert, or the unknown-CA "
	    "certificate." },
};

static const struct mitm_outcome_info outcomes[MITM_OUTCOME_LAST] = {
	[MITM_OUTCOME_TLS_USED] = { "tls.used", SEVERITY_INFO, 0,
	    "Control run: the client asked for STARTTLS when it was offered." },
	[MITM_OUTCOME_TLS_UNUSED] = { "tls.unused", SEVERITY_HIGH, 0,
	    "Control run: STARTTLS was offered and the client went on in clear text anyway." },
	[MITM_OUTCOME_REFUSED] = { "refused", SEVERITY_INFO, 0,
	    "After the attack the client stopped (quit, closed, aborted or ended the handshake) "
	    "without sending mail or credentials: safe." },
	[MITM_OUTCOME_PLAIN_CONTINUED] = { "plaintext.continued", SEVERITY_MEDIUM, 0,
	    "After the attack the client went on in clear text, but sent neither mail nor "
	    "credentials on this connection." },
	[MITM_OUTCOME_PLAIN_MAIL] = { "plaintext.mail", SEVERITY_HIGH, 1,
	    "After the attack the client sent MAIL, RCPT or DATA in clear text: the message is "
	    "exposed." },
	[MITM_OUTCOME_PLAIN_CREDENTIALS] = { "plaintext.credentials", SEVERITY_CRITICAL, 2,
	    "After the attack the client sent a password in clear text (AUTH, LOGIN, USER/PASS, "
	    "SASL <auth/>)." },
	[MITM_OUTCOME_CERT_ACCEPTED] = { "cert.accepted", SEVERITY_HIGH, 0,
	    "The client completed the TLS handshake with the untrusted certificate and went on "
	    "with the dialogue inside it (a handshake followed only by QUIT or a close is "
	    "\"refused\")." },
	[MITM_OUTCOME_CERT_MAIL] = { "cert.accepted.mail", SEVERITY_HIGH, 1,
	    "The client accepted the untrusted certificate and sent mail through the attacker's "
	    "TLS session." },
	[MITM_OUTCOME_CERT_CREDENTIALS] = { "cert.accepted.credentials", SEVERITY_CRITICAL, 2,
	    "The client accepted the untrusted certificate and sent a password through the "
	    "attacker's TLS session." },
	[MITM_OUTCOME_INJECT_ACCEPTED] = { "inject.accepted", SEVERITY_HIGH, 0,
	    "The client took the reply injected before the handshake as an answer inside TLS." },
	[MITM_OUTCOME_INJECT_IGNORED] = { "inject.ignored", SEVERITY_INFO, 0,
	    "The client discarded the reply injected before the handshake: safe." },
	[MITM_OUTCOME_INCONCLUSIVE] = { "inconclusive", SEVERITY_INFO, 0,
	    "The attack point was never reached (the client left first, a deadline passed, the "
	    "upstream failed, or the handshake an injection needs failed)." },
};

const char *
mitm_proto_name(enum mitm_proto p)
{
	if ((unsigned)p >= MITM_PROTO_LAST)
		BUG("mitm_proto_name: out of range");
	return proto_names[p];
}

int
mitm_proto_by_name(const char *s)
{
	int i;

	for (i = 0; i < MITM_PROTO_LAST; i++)
		if (strcasecmp(s, proto_names[i]) == 0)
			return i;
	return -1;
}

int
mitm_proto_port(enum mitm_proto p)
{
	return (unsigned)p < MITM_PROTO_LAST ? proto_ports[p] : 0;
}

const struct mitm_attack_info *
mitm_attack_info(enum mitm_attack a)
{
	if ((unsigned)a >= MITM_ATTACK_LAST)
		BUG("mitm_attack_info: out of range");
	return &attacks[a];
}

const char *
mitm_attack_name(enum mitm_attack a)
{
	return mitm_attack_info(a)->id;
}

int
mitm_attack_by_name(const char *s)
{
	int i;

	for (i = 0; i < MITM_ATTACK_LAST; i++)
		if (strcasecmp(s, attacks[i].id) == 0)
			return i;
	return -1;
}

int
mitm_attack_applies(enum mitm_attack a, enum mitm_proto p)
{
	return (mitm_attack_info(a)->protos & (1u << p)) != 0;
}

const struct mitm_outcome_info *
mitm_outcome_info(enum mitm_outcome o)
{
	if ((unsigned)o >= MITM_OUTCOME_LAST)
		BUG("mitm_outcome_info: out of range");
	return &outcomes[o];
}

const char *
mitm_outcome_name(enum mitm_outcome o)
{
	return mitm_outcome_info(o)->id;
}

/* Table text: '<' and '|' would be read as HTML or a cell boundary. */
static void
md(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
	}
}

void
mitm_attack_markdown(FILE *f)
{
	int i, p;

	fputs("### Attacks\n\n"
	    "| ID | protocols | what the mitm does |\n|---|---|---|\n", f);
	for (i = 0; i < MITM_ATTACK_LAST; i++) {
		const char *sep = "";

		fprintf(f, "| `%s` | ", attacks[i].id);
		for (p = 0; p < MITM_PROTO_LAST; p++)
			if (attacks[i].protos & (1u << p)) {
				fprintf(f, "%s%s", sep, proto_names[p]);
				sep = ", ";
			}
		fputs(" | ", f);
		md(f, attacks[i].what);
		fputs(" |\n", f);
	}
	fputs("\n### Outcomes (one per client connection)\n\n"
	    "| ID | severity | meaning |\n|---|---|---|\n", f);
	for (i = 0; i < MITM_OUTCOME_LAST; i++) {
		fprintf(f, "| `%s` | %s | ", outcomes[i].id, severity_name(outcomes[i].severity));
		md(f, outcomes[i].meaning);
		fputs(" |\n", f);
	}
	fputs("\n### Client verdicts (one per client)\n\n| ID | meaning |\n|---|---|\n", f);
	for (i = 0; i < MITM_CLIENT_LAST; i++) {
		fprintf(f, "| `%s` | ", mitm_client_verdict_name((enum mitm_client_verdict)i));
		md(f, mitm_client_verdict_meaning((enum mitm_client_verdict)i));
		fputs(" |\n", f);
	}
}
