/*
 * wire.h — pure parsers of what a mail *client* sends, and the rewrites a stripping attacker
 * applies to what a server sends.  Over (buf, len) only: no session, no I/O, no globals; a
 * table-driven test (tests/unit/test_mitm_wire.c) and a fuzz target (fuzz/fuzz_mitm_wire.c) each.
 *
 * lib/proto/ parses the server side for the probes; the client side is new here, so it lives
 * with its only user.  SMTP replies from an upstream are parsed with lib/proto/smtp.c.
 */
#ifndef MAILTLS_MITM_WIRE_H
#define MAILTLS_MITM_WIRE_H

#include <stddef.h>

#include "mitm/attack.h"
#include "mitm/verdict.h"

struct dbuf;

/* Ceilings for one client line (the command without its line ending). */
#define MITM_LINE_MAX		4096	/* SMTP, POP3: RFC 5321 §4.5.3.1.4 says 512 */
#define MITM_IMAP_LINE_MAX	16384
#define MITM_LITERAL_MAX	16384	/* an IMAP literal in LOGIN */
#define MITM_TAG_MAX		32

enum mitm_verb {
	MITM_VERB_OTHER = 0,
	MITM_VERB_EHLO,
	MITM_VERB_HELO,
	MITM_VERB_STARTTLS,	/* SMTP and IMAP STARTTLS, POP3 STLS */
	MITM_VERB_AUTH,		/* SMTP/POP3 AUTH, IMAP AUTHENTICATE */
	MITM_VERB_MAIL,
	MITM_VERB_RCPT,
	MITM_VERB_DATA,		/* DATA or BDAT */
	MITM_VERB_QUIT,		/* SMTP/POP3 QUIT, IMAP LOGOUT */
	MITM_VERB_RSET,
	MITM_VERB_NOOP,
	MITM_VERB_CAPA,		/* IMAP CAPABILITY, POP3 CAPA */
	MITM_VERB_LOGIN,	/* IMAP LOGIN */
	MITM_VERB_USER,		/* POP3 USER */
	MITM_VERB_PASS,		/* POP3 PASS */
	MITM_VERB_APOP,		/* POP3 APOP */
	MITM_VERB_EMPTY,	/* an empty line */
	MITM_VERB_LAST
};

struct mitm_cmd {
	enum mitm_verb	 verb;
	char		 tag[MITM_TAG_MAX + 1];	/* IMAP tag, cleaned; "" elsewhere */
	char		 mech[MITM_MECH_MAX];	/* AUTH mechanism, upper case, cleaned */
	int		 has_ir;		/* AUTH with an initial response */
	size_t		 arg_len;		/* bytes of arguments (a credential's length) */
	size_t		 literal;		/* IMAP: the line ends in {N} or {N+}: N bytes follow */
	int		 literal_sync;		/* {N}: the client waits for a "+" */
};

/* 0: parsed (verb may be OTHER); -1: not a command of this protocol (IMAP line without a tag). */
int		 mitm_wire_cmd(enum mitm_proto, const char *line, size_t len, struct mitm_cmd *);
const char	*mitm_verb_name(enum mitm_verb);
/* IMAP: the literal a line announces at its end ({N} or {N+}): N, and *sync for {N}; 0 if none. */
size_t		 mitm_wire_imap_literal(const char *line, size_t len, int *sync);

/*
 * One line of an SMTP EHLO reply's text (after "250-"): 1 when it is the STARTTLS keyword,
 * 2 when it is AUTH (or the legacy AUTH=), 0 otherwise.
 */
int		 mitm_wire_ehlo_keyword(const char *text, size_t len);
/* A whole reply: code, lines (text after "NNN-"), into out with the right separators. */
int		 mitm_wire_smtp_reply(int code, const char *const *lines, size_t n, struct dbuf *out);

/*
 * An IMAP server line: when it carries a capability list ("* CAPABILITY ..." or a
 * "[CAPABILITY ...]" response code), write it to out without STARTTLS and LOGINDISABLED and,
 * with add_auth, with AUTH=PLAIN when no AUTH=PLAIN was there.  Returns the length written
 * (NUL-terminated, cut at outlen - 1), or -1 when the line has no capability list.
 */
long		 mitm_wire_imap_caps(const char *line, size_t len, int add_auth, char *out,
		    size_t outlen);

/* A POP3 CAPA response line (RFC 2449): its keyword, or MITM_VERB_OTHER. STLS -> STARTTLS. */
enum mitm_verb	 mitm_wire_pop3_capa(const char *line, size_t len);

#endif
