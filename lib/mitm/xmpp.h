/*
 * xmpp.h — the stream level of XMPP (RFC 6120 §4, §5, §6) as a stripping attacker needs it: cut a
 * byte stream into its top-level items (XML declaration, stream header, first-level elements,
 * stream close) and remove <starttls/> from <stream:features/>.  Pure, over (buf, len); no XML
 * library, no entities, no namespaces beyond the element's qualified name.
 */
#ifndef MAILTLS_MITM_XMPP_H
#define MAILTLS_MITM_XMPP_H

#include <stddef.h>

#include "mitm/verdict.h"

#define MITM_XMPP_ELEM_MAX	(64 * 1024)	/* one first-level element */
#define MITM_XMPP_DEPTH_MAX	32

enum mitm_xmpp_kind {
	MITM_XMPP_NEED_MORE = 0,	/* no complete item yet, within the ceiling */
	MITM_XMPP_SPACE,		/* whitespace between items (keep-alives) */
	MITM_XMPP_DECL,			/* <?xml ...?> */
	MITM_XMPP_OPEN,			/* <stream:stream ...> (stays open) */
	MITM_XMPP_CLOSE,		/* </stream:stream> */
	MITM_XMPP_ELEMENT,		/* a complete first-level element */
	MITM_XMPP_BAD,			/* not XML an XMPP peer may send */
	MITM_XMPP_TOO_BIG,		/* the item passed the ceiling */
};

struct mitm_xmpp_item {
	enum mitm_xmpp_kind	 kind;
	size_t			 len;		/* bytes of input the item used */
	char			 name[32];	/* qualified name: "starttls", "auth", "stream:features" */
	char			 mech[MITM_MECH_MAX];	/* <auth mechanism='...'> */
	size_t			 text_len;	/* bytes between the start and end tag */
	int			 has_starttls;	/* <stream:features> holding <starttls> */
	int			 has_mechanisms; /* <stream:features> holding <mechanisms> */
};

enum mitm_xmpp_kind	 mitm_xmpp_next(const char *buf, size_t len, size_t max,
			    struct mitm_xmpp_item *);
/*
 * A complete <stream:features> element without its <starttls> child; with add_plain and no
 * <mechanisms>, with SASL PLAIN offered.  Returns the length written (NUL-terminated, cut at
 * outlen - 1).
 */
size_t			 mitm_xmpp_strip(const char *el, size_t len, int add_plain, char *out,
			    size_t outlen);

#endif
