/*
 * smtp.h — SMTP as a sending MTA's capability probe speaks it (RFC 5321, RFC 3207 STARTTLS,
 * RFC 8314 implicit TLS).  Pure parsers over (buf, len): no session, no I/O, no TLS.
 *
 * The dialogue itself (which command follows which reply) lives in lib/proto/smtpconv.c, the
 * engine's SMTP module, which asks these parsers to read replies; nothing here builds TLS.
 */
#ifndef MAILTLS_SMTP_H
#define MAILTLS_SMTP_H

#include <stddef.h>

struct arena;

/* Ceilings for what a server may send in one reply. */
#define SMTP_LINE_MAX		2048	/* bytes before CRLF; RFC 5321 §4.5.3.1.5 says 512 with it */
#define SMTP_REPLY_LINES_MAX	100	/* lines in one multi-line reply */
#define SMTP_REPLY_BYTES_MAX	(32 * 1024)

enum smtp_parse {
	SMTP_PARSE_OK = 0,		/* one complete reply; consumed bytes set */
	SMTP_PARSE_NEED_MORE,		/* no complete reply yet, within ceilings */
	SMTP_PARSE_BAD,			/* not an SMTP reply (no 3-digit code, mixed codes, bad separator) */
	SMTP_PARSE_LINE_TOO_LONG,	/* a line passed SMTP_LINE_MAX */
	SMTP_PARSE_REPLY_TOO_LONG,	/* the reply passed SMTP_REPLY_LINES_MAX or SMTP_REPLY_BYTES_MAX */
	SMTP_PARSE_LAST
};

struct smtp_reply {
	int		 code;		/* 200..559, each digit in RFC 5321 §4.2's range */
	size_t		 nlines;
	char		**lines;	/* text after "NNN-"/"NNN ", NUL-terminated, in the arena */
	size_t		 consumed;	/* bytes of input this reply used, final line ending included */
};

/* ESMTP capabilities from an EHLO reply (RFC 5321 §4.1.1.1 and the extension RFCs). */
struct smtp_caps {
	int		 starttls;
	int		 pipelining;
	int		 eightbitmime;
	int		 smtputf8;
	int		 chunking;
	int		 dsn;
	int		 enhancedstatuscodes;
	int		 requiretls;
	int		 auth;		/* AUTH (or legacy AUTH=) seen */
	long long	 size;		/* SIZE value, 0 if absent or no value, -1 if malformed */
	const char	*auth_mechs;	/* space-separated, upper case, in the arena; NULL if none */
	const char	*greeting;	/* the domain/text on the first line */
	size_t		 nkeywords;
	const char	**keywords;	/* every capability line after the first, verbatim */
};

enum smtp_parse	 smtp_reply_parse(const char *, size_t, struct arena *, struct smtp_reply *);
const char	*smtp_parse_name(enum smtp_parse);
void		 smtp_caps_parse(const struct smtp_reply *, struct arena *, struct smtp_caps *);
int		 smtp_reply_class(int code);	/* 2, 3, 4, 5, or 0 */

#endif
