/*
 * proto.h — the interface between the probe engine (lib/probe/engine.c) and one application
 * protocol's dialogue (lib/proto/<name>.c), after OpenSMTPD's smtp_client.c: the protocol never
 * builds TLS, it tells the engine when the server has accepted the upgrade, and the engine decides
 * what TLS means on this connection (OpenSSL, our own raw hello, or handing the socket over).
 *
 * A module is a step function over a struct proto_conv: the engine calls it on each event
 * (connected, bytes arrived, TLS is up, the pipe wait ran out) and the module answers what the
 * engine should do next.  The module sends commands through conv->send(), records facts in
 * conv->ep and conv->facts, and keeps its own state in conv->state (state_size bytes, zeroed).
 * Replies are parsed by the module's pure parsers over (buf, len); nothing here touches a socket,
 * a timer or OpenSSL, so a module can be driven by a unit test.
 *
 * Every dialogue follows one shape (docs/internals/engine.md):
 *   greeting -> capabilities -> upgrade command -> [TLS] -> capabilities again -> polite goodbye
 * (implicit TLS: [TLS] -> greeting -> capabilities -> goodbye).
 *
 * Adding a protocol: an enum endpoint_proto value (lib/probe/endpoint.h), one module file, and
 * one row in proto_table[] (proto.c).
 */
#ifndef MAILTLS_PROTO_H
#define MAILTLS_PROTO_H

#include <stddef.h>

struct arena;
struct endpoint;

/* What the engine tells the module. */
enum proto_event {
	PROTO_EV_START = 0,	/* connected: plaintext, or TLS already up (implicit TLS) */
	PROTO_EV_INPUT,		/* conv->in holds unparsed bytes (plaintext, or decrypted) */
	PROTO_EV_TLS_UP,	/* the handshake after the upgrade finished */
	/*
	 * pipe mode: nothing came inside TLS during the wait.  Not a decision: the module says
	 * goodbye and decides from what precedes the goodbye's own reply (the pipelined command's
	 * answer: vulnerable; another reply: inconclusive; the goodbye's reply first:
	 * not_vulnerable).  No reply to the goodbye leaves it inconclusive.
	 */
	PROTO_EV_PIPE_TIMEOUT,
	PROTO_EV_CLOSED,	/* pipe mode, saying goodbye inside TLS: the server closed cleanly */
	PROTO_EV_LAST
};

/* What the module asks of the engine. */
enum proto_next {
	PROTO_NEXT_WAIT = 0,	/* wait for (more of) a reply, under the reply deadline */
	PROTO_NEXT_UPGRADE,	/* the server accepted the upgrade: TLS starts now */
	PROTO_NEXT_PIPE_WAIT,	/* pipe mode: listen inside TLS, sending nothing */
	PROTO_NEXT_GOODBYE,	/* goodbye sent: wait for its answer or the close, both fine */
	PROTO_NEXT_DONE,	/* the dialogue is complete: close */
	PROTO_NEXT_FAILED,	/* the module recorded a finding (proto_conv_fail): close */
	PROTO_NEXT_LAST
};

/*
 * Facts every protocol reports in the same words, for the "TLS mandatory?" decision
 * (lib/verdict/mandatory.c) and the provider table.  Lives in the endpoint's arena.
 */
struct proto_facts {
	int		 implicit_tls;		/* TLS from the first byte (RFC 8314, XEP-0368) */
	int		 upgrade_offered;	/* STARTTLS / STLS / <starttls/> advertised */
	int		 cred_before_tls;	/* something carrying a password is possible before TLS */
	const char	*cred_detail;		/* which: "LOGIN (no LOGINDISABLED) AUTH=PLAIN", "USER", ... */
	int		 login_disabled;	/* IMAP LOGINDISABLED before TLS */
	int		 tls_required;		/* XMPP <starttls><required/></starttls> */
	int		 required_probe;	/* XMPP: 0 not tested, 1 plaintext SASL refused, 2 accepted */
	const char	*caps_plain;		/* the capability list before TLS, space-separated */
	const char	*caps_tls;		/* after TLS (or the only one with implicit TLS) */
	const char	*server_name;		/* XMPP stream 'from', IMAP/POP3/SMTP greeting text */
	const char	*stream_id;		/* XMPP stream id */
	int		 dialback;		/* XMPP s2s: dialback offered */
	int		 pipe_reply;		/* pipe mode: the pipelined command was answered in TLS */
	/* decided by lib/verdict/mandatory.c, filled in by the command (never by the engine) */
	const char	*mandatory;		/* "yes" "optional" "no_tls" "unknown", NULL: not decided */
	const char	*mandatory_rule;
};

struct proto_conv;

typedef void	(*proto_send_fn)(struct proto_conv *, const char *line, int flush);
typedef void	(*proto_pipe_fn)(struct proto_conv *, int result, const char *detail);

struct proto_conv {
	/* set by the engine, read by the module */
	struct endpoint		*ep;		/* findings and transcript go here */
	struct arena		*arena;		/* the endpoint's arena */
	struct proto_facts	*facts;		/* == ep->facts */
	const char		*domain;	/* service domain: XMPP to=, the reference name */
	const char		*client_name;	/* ours: SMTP EHLO, XMPP s2s from= */
	int			 tls_active;	/* bytes on the wire are TLS records */
	int			 pipe;		/* pipe mode (CVE-2011-0411 class): pipeline the upgrade */
	int			 stop_at_tls;	/* raw/hand-off mode: nothing after the upgrade */
	const unsigned char	*in;		/* unparsed input */
	size_t			 inlen;
	/* set by the module */
	size_t			 consumed;	/* bytes of in used by this step */
	int			 sent;		/* set by send(): a command went out in this step */
	const char		*during;	/* completes "... while <during>" in findings */
	void			*state;		/* the module's own, state_size bytes, zeroed */
	int			 busy;		/* 421 to the greeting (or, pipe mode, to STARTTLS): back off */
	/* engine callbacks */
	proto_send_fn		 send;		/* one command line (CRLF or nothing added by the module) */
	proto_pipe_fn		 pipe_decide;	/* enum probe_pipe_result, probe.h */
	void			*engine;	/* the engine's own pointer */
};

struct proto_module {
	const char		*name;		/* "imap" */
	int			 xml;		/* commands are XML: no CRLF after them */
	size_t			 state_size;
	enum proto_next		(*step)(struct proto_conv *, enum proto_event);
	/*
	 * Optional: which finding (enum finding_id) bytes the server sent before it can have read
	 * our command are (conv->in holds them); NULL: proto.protocol_error.
	 */
	int			(*unsolicited)(struct proto_conv *);
	int			 hide_facts;	/* the endpoint gets no "protocol" facts object */
	/*
	 * Optional, pipe mode: do these plaintext bytes (after the upgrade reply, before TLS) begin
	 * with the answer to the pipelined command (SMTP 250, POP3 +OK/-ERR, IMAP tag "a")?  Only
	 * then did it run before TLS (not_vulnerable); other bytes leave the test inconclusive.
	 */
	int			(*pipe_answer)(const unsigned char *, size_t);
};

/* Service kinds, for the "TLS mandatory?" rules. */
enum proto_kind {
	PROTO_KIND_RELAY = 0,	/* server to server: SMTP port 25, XMPP s2s */
	PROTO_KIND_CLIENT,	/* a client logs in: submission, IMAP, POP3, XMPP c2s */
	PROTO_KIND_WEB,		/* HTTPS */
	PROTO_KIND_LAST
};

struct proto_info {
	const char			*name;		/* --proto NAME, JSON "proto" */
	int				 port;		/* default port */
	int				 implicit;	/* TLS from the first byte */
	enum proto_kind			 kind;
	const char			*family;	/* "smtp" "submission" "imap" "pop3" "xmpp-client" "xmpp-server" "https" */
	const char			*upgrade;	/* the upgrade command as shown, NULL for implicit */
	const char			*pipe_cmd;	/* the harmless command pipelined in --full, NULL: no test */
	const struct proto_module	*module;
};

/* By enum endpoint_proto; NULL when out of range. */
const struct proto_info	*proto_info(int endpoint_proto);
int			 proto_by_name(const char *);	/* enum endpoint_proto, -1 if unknown */
int			 proto_count(void);

/* Helpers for modules. */
void	proto_conv_log(struct proto_conv *, char dir, const char *text, size_t len);
void	proto_conv_note(struct proto_conv *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Record a finding (enum finding_id) with a detail and say FAILED. */
enum proto_next	proto_conv_fail(struct proto_conv *, int finding, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A copy of at most max bytes of s, in the arena, NUL-terminated, printable. */
const char	*proto_conv_text(struct proto_conv *, const char *s, size_t len);
/* For parsers: append the word w[0..n) to the space-separated list dst; a bounded summary, a
   word that does not fit is dropped. */
void		 proto_words_add(char *dst, size_t dstsz, const char *w, size_t n);

extern const struct proto_module	proto_module_imap;
extern const struct proto_module	proto_module_pop3;
extern const struct proto_module	proto_module_xmpp;
extern const struct proto_module	proto_module_submission;
extern const struct proto_module	proto_module_smtp;
extern const struct proto_module	proto_module_https;

#endif
