/*
 * imap.h — IMAP as a TLS probe speaks it (RFC 9051, RFC 3501; STARTTLS and LOGINDISABLED per
 * RFC 9051 §6.2.1 / RFC 3501 §6.2.1, §7.2.1; implicit TLS on 993 per RFC 8314).
 *
 * Sent: CAPABILITY, STARTTLS, CAPABILITY, LOGOUT (and, in --full, "a NOOP" pipelined behind
 * STARTTLS).  Never LOGIN, AUTHENTICATE or anything that selects a mailbox.
 *
 * Pure parsers over (buf, len); the dialogue is proto_module_imap (proto.h).
 */
#ifndef MAILTLS_IMAP_H
#define MAILTLS_IMAP_H

#include <stddef.h>

#define IMAP_LINE_MAX		8192	/* one response line, CRLF excluded */
#define IMAP_RESP_LINES_MAX	200	/* untagged lines before the tagged reply we wait for */

enum imap_parse {
	IMAP_PARSE_OK = 0,		/* one line; consumed set */
	IMAP_PARSE_NEED_MORE,
	IMAP_PARSE_BAD,			/* not an IMAP response line */
	IMAP_PARSE_TOO_LONG,		/* the line passed IMAP_LINE_MAX */
	IMAP_PARSE_LAST
};

enum imap_kind {
	IMAP_UNTAGGED = 0,	/* "* ..." */
	IMAP_TAGGED,		/* "a1 OK ..." */
	IMAP_CONTINUE,		/* "+ ..." */
};

enum imap_status {
	IMAP_ST_NONE = 0,	/* untagged data (CAPABILITY, 3 EXISTS, ...) */
	IMAP_ST_OK,
	IMAP_ST_NO,
	IMAP_ST_BAD,
	IMAP_ST_PREAUTH,
	IMAP_ST_BYE,
};

struct imap_line {
	enum imap_kind		 kind;
	char			 tag[33];	/* tagged: the tag */
	enum imap_status	 status;
	const char		*text;		/* after the status word (or after "* "), in the caller's buffer */
	size_t			 consumed;	/* bytes of input, line ending included */
};

struct imap_caps {
	int		 seen;		/* a capability list was found */
	int		 starttls;
	int		 logindisabled;
	int		 imap4rev1;
	int		 imap4rev2;
	char		 auth[256];	/* "PLAIN LOGIN" from AUTH=PLAIN AUTH=LOGIN */
	char		 all[1024];	/* every capability, space-separated, cleaned */
};

/* One response line; its text is copied (cleaned) into buf of bufsize bytes. */
enum imap_parse	 imap_line_parse(const char *, size_t, struct imap_line *, char *buf, size_t bufsize);
/*
 * Capabilities from a line's text: "CAPABILITY ..." (untagged data) or a "[CAPABILITY ...]"
 * response code in an OK.  Returns 1 when the text carried a list (merged into caps).
 */
int		 imap_caps_parse(const char *text, struct imap_caps *);

#endif
