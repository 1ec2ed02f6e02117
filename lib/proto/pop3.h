/*
 * pop3.h — POP3 as a TLS probe speaks it (RFC 1939; CAPA per RFC 2449; STLS per RFC 2595 §4;
 * implicit TLS on 995 per RFC 8314).
 *
 * Sent: CAPA, STLS, CAPA, QUIT (and, in --full, NOOP pipelined behind STLS).  Never USER, PASS,
 * APOP or AUTH.
 *
 * Pure parsers over (buf, len); the dialogue is proto_module_pop3 (proto.h).
 */
#ifndef MAILTLS_POP3_H
#define MAILTLS_POP3_H

#include <stddef.h>

#define POP3_LINE_MAX		4096	/* RFC 2449 §4 says 512 octets with CRLF */
#define POP3_LINES_MAX		200	/* lines of one multi-line reply */
#define POP3_TEXT_MAX		4096	/* what the caller's buffer must hold at most */

enum pop3_parse {
	POP3_PARSE_OK = 0,
	POP3_PARSE_NEED_MORE,
	POP3_PARSE_BAD,			/* neither +OK nor -ERR */
	POP3_PARSE_TOO_LONG,		/* a line or the multi-line body passed its ceiling */
	POP3_PARSE_LAST
};

struct pop3_reply {
	int		 ok;		/* +OK (1) or -ERR (0) */
	size_t		 nlines;	/* body lines of a multi-line reply (dot-unstuffed) */
	const char	*text;		/* status text, then each body line, '\n'-separated, cleaned */
	size_t		 consumed;
};

struct pop3_caps {
	int		 seen;
	int		 stls;
	int		 user;
	int		 pipelining;
	char		 sasl[256];	/* mechanisms after SASL */
	char		 impl[128];	/* IMPLEMENTATION */
	char		 all[1024];	/* capability names, space-separated */
};

/*
 * One reply.  multi: a multi-line reply is expected when the status is +OK (CAPA); its body runs
 * to the "." line.  The text goes into buf (bufsize bytes).
 */
enum pop3_parse	 pop3_reply_parse(const char *, size_t, int multi, struct pop3_reply *, char *buf,
		    size_t bufsize);
/* The body of a CAPA reply (the text of pop3_reply_parse, after the status line). */
void		 pop3_caps_parse(const char *text, struct pop3_caps *);

#endif
