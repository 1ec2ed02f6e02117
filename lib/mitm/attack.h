/*
 * attack.h — the mitm's stable IDs: protocols, attacks and per-connection outcomes.
 *
 * One table per enum (attack.c) feeds the text report, the JSON report, `mailtls mitm --list`
 * and docs/mitm.md (`mailtls mitm --list --markdown`; tests/unit/test_mitm.c keeps the file in
 * step).  IDs never change meaning once released; new ones are appended before the _LAST entry.
 */
#ifndef MAILTLS_MITM_ATTACK_H
#define MAILTLS_MITM_ATTACK_H

#include <stdio.h>

#include "verdict/finding.h"

enum mitm_proto {
	MITM_PROTO_SMTP = 0,	/* RFC 5321 + RFC 3207, MTA to MTA (port 25) */
	MITM_PROTO_SUBMISSION,	/* RFC 6409 + RFC 3207 with AUTH (port 587) */
	MITM_PROTO_IMAP,	/* RFC 9051 / 3501 STARTTLS, LOGIN, AUTHENTICATE */
	MITM_PROTO_POP3,	/* RFC 1939, RFC 2595 STLS, RFC 5034 AUTH */
	MITM_PROTO_XMPP,	/* RFC 6120 c2s stream features, <starttls/>, SASL <auth/> */
	MITM_PROTO_LAST
};

enum mitm_attack {
	MITM_ATTACK_NONE = 0,		/* control run: the dialogue untouched */
	MITM_ATTACK_STRIP,		/* STARTTLS removed from the capabilities */
	MITM_ATTACK_TLS_TEMPFAIL,	/* STARTTLS answered 454 / NO / -ERR [SYS/TEMP] */
	MITM_ATTACK_TLS_PERMFAIL,	/* STARTTLS answered 5xx / BAD / -ERR / <failure/> */
	MITM_ATTACK_TLS_GARBAGE,	/* STARTTLS answered with a line no grammar accepts */
	MITM_ATTACK_TLS_CLOSE,		/* the connection closed on STARTTLS */
	MITM_ATTACK_EHLO_REFUSED,	/* EHLO answered 502: the client may fall back to HELO */
	MITM_ATTACK_CERT_SELFSIGNED,	/* STARTTLS accepted, self-signed certificate */
	MITM_ATTACK_CERT_WRONGNAME,	/* certificate for another name */
	MITM_ATTACK_CERT_EXPIRED,	/* certificate expired a year ago */
	MITM_ATTACK_CERT_UNKNOWNCA,	/* right name, dates fine, issued by a CA nobody trusts */
	MITM_ATTACK_INJECT,		/* a plaintext reply sent right after the STARTTLS 220 */
	MITM_ATTACK_LAST
};

enum mitm_outcome {
	MITM_OUTCOME_TLS_USED = 0,	/* control: the client asked for STARTTLS */
	MITM_OUTCOME_TLS_UNUSED,	/* control: STARTTLS offered, the client went on in clear */
	MITM_OUTCOME_REFUSED,		/* after the attack the client stopped: safe */
	MITM_OUTCOME_PLAIN_CONTINUED,	/* kept talking in clear, nothing sensitive yet */
	MITM_OUTCOME_PLAIN_MAIL,	/* MAIL/RCPT/DATA in clear */
	MITM_OUTCOME_PLAIN_CREDENTIALS,	/* AUTH/LOGIN/USER+PASS in clear */
	MITM_OUTCOME_CERT_ACCEPTED,	/* TLS completed with the untrusted certificate */
	MITM_OUTCOME_CERT_MAIL,		/* ... and sent mail through it */
	MITM_OUTCOME_CERT_CREDENTIALS,	/* ... and sent credentials through it */
	MITM_OUTCOME_INJECT_ACCEPTED,	/* acted on the reply injected before TLS */
	MITM_OUTCOME_INJECT_IGNORED,	/* discarded it: safe */
	MITM_OUTCOME_INCONCLUSIVE,	/* the attack point was never reached */
	MITM_OUTCOME_LAST
};

struct mitm_attack_info {
	const char	*id;		/* stable: "strip", "cert.selfsigned", ... */
	unsigned	 protos;	/* 1u << enum mitm_proto where it applies */
	int		 needs_tls;	/* completes a TLS handshake with the client */
	const char	*what;		/* one sentence: what the mitm does */
};

struct mitm_outcome_info {
	const char	*id;		/* stable: "plaintext.credentials", ... */
	enum severity	 severity;
	int		 exposed;	/* 0 nothing, 1 mail, 2 credentials (for the client verdict) */
	const char	*meaning;	/* one sentence */
};

const char			*mitm_proto_name(enum mitm_proto);
int				 mitm_proto_by_name(const char *);	/* -1 if unknown */
int				 mitm_proto_port(enum mitm_proto);	/* the usual port */

const struct mitm_attack_info	*mitm_attack_info(enum mitm_attack);
const char			*mitm_attack_name(enum mitm_attack);
int				 mitm_attack_by_name(const char *);	/* -1 if unknown */
int				 mitm_attack_applies(enum mitm_attack, enum mitm_proto);

const struct mitm_outcome_info	*mitm_outcome_info(enum mitm_outcome);
const char			*mitm_outcome_name(enum mitm_outcome);

/* The reference tables of docs/mitm.md (attacks, outcomes, client verdicts). */
void				 mitm_attack_markdown(FILE *);

#endif
