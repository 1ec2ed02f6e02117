/*
 * xmpp.h — XMPP stream negotiation as a TLS probe speaks it (RFC 6120 §4 streams, §5 STARTTLS,
 * §6 SASL features; XEP-0368 direct TLS; XEP-0220 dialback feature for s2s).
 *
 * Sent: the stream header (to = the service domain; s2s also from = our name), <starttls/>, the
 * stream header again inside TLS, and </stream:stream>.  With <required/> next to SASL mechanisms
 * before TLS (c2s), one <auth mechanism='...'/> WITHOUT an initial response and then <abort/>: it
 * carries no credential and shows whether plaintext authentication would be accepted.  Never a
 * stanza (message, presence, iq), never a credential.
 *
 * Pure parsers over (buf, len): no XML library, no entities, no namespaces beyond qualified names;
 * comments, processing instructions (other than the XML declaration) and DTDs are refused, as
 * RFC 6120 §11.1 has them refused.
 */
#ifndef MAILTLS_XMPP_H
#define MAILTLS_XMPP_H

#include <stddef.h>

#define XMPP_ITEM_MAX		(64 * 1024)	/* one first-level element or the stream header */
#define XMPP_DEPTH_MAX		16
#define XMPP_FEATURES_MAX	64		/* children of <stream:features> */

enum xmpp_kind {
	XMPP_NEED_MORE = 0,	/* no complete item yet, within the ceiling */
	XMPP_SPACE,		/* whitespace between items (keep-alives) */
	XMPP_DECL,		/* <?xml ...?> */
	XMPP_OPEN,		/* <stream:stream ...> (stays open) */
	XMPP_CLOSE,		/* </stream:stream> */
	XMPP_ELEMENT,		/* one complete first-level element */
	XMPP_BAD,		/* not XML an XMPP server may send */
	XMPP_TOO_BIG,		/* the item passed XMPP_ITEM_MAX or XMPP_DEPTH_MAX */
	XMPP_KIND_LAST
};

struct xmpp_item {
	enum xmpp_kind	 kind;
	size_t		 len;		/* bytes of input the item used */
	char		 name[64];	/* qualified name: "stream:features", "proceed" */
};

/* The next item at the front of buf. */
enum xmpp_kind	 xmpp_next(const char *buf, size_t len, struct xmpp_item *);
const char	*xmpp_kind_name(enum xmpp_kind);

/* The attributes of a stream header (RFC 6120 §4.7). */
struct xmpp_header {
	char		 from[256];
	char		 to[256];
	char		 id[128];
	char		 version[16];
	char		 xmlns[64];	/* jabber:client / jabber:server */
	int		 stream_ns_ok;	/* xmlns:stream (or xmlns) is http://etherx.jabber.org/streams */
};

/* 0 when the bytes are a stream header (an XMPP_OPEN item); -1 otherwise. */
int		 xmpp_header_parse(const char *, size_t, struct xmpp_header *);

struct xmpp_features {
	int		 starttls;
	int		 required;	/* <required/> inside <starttls/> */
	int		 mechanisms;	/* <mechanisms/> present */
	int		 iq_auth;	/* legacy XEP-0078 <auth/> feature: passwords without SASL */
	int		 dialback;
	int		 nchildren;
	int		 too_many;	/* more than XMPP_FEATURES_MAX children */
	char		 mechs[256];	/* SASL mechanisms, space-separated */
	char		 names[512];	/* every child's local name, space-separated, "starttls(required)" */
};

/* The children of a complete <stream:features> element.  -1 if it is not well formed. */
int		 xmpp_features_parse(const char *, size_t, struct xmpp_features *);
/* The first child's local name other than <text/> (a stream error's or failure's condition). */
void		 xmpp_condition(const char *, size_t, char *out, size_t outsz);
/* The local name of a qualified name: "stream:features" -> "features". */
const char	*xmpp_local(const char *qname);

#endif
