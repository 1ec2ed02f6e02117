/*
 * xmpp.c — the XMPP stream tokenizer, header and features parsers, and the probe's XMPP dialogue.
 *
 * Dialogue (RFC 6120 §9.1 and §9.2 show it; docs/internals/engine.md):
 *   xmpp, xmpp-server: header ->, <- header, <- features, [<auth/> probe, <abort/>],
 *                      <starttls/> ->, <- <proceed/>, TLS, header ->, <- header, <- features,
 *                      </stream:stream> ->, <- </stream:stream>
 *   xmpps, xmpps-server (XEP-0368): TLS, header ->, <- header, <- features, </stream:stream>
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "probe/endpoint.h"
#include "probe/probe.h"
#include "proto/proto.h"
#include "proto/xmpp.h"
#include "util/arena.h"
#include "util/text.h"

#define XMPP_STREAM_NS	"http://etherx.jabber.org/streams"

static const char *const xmpp_kind_names[XMPP_KIND_LAST] = {
	[XMPP_NEED_MORE] = "need more", [XMPP_SPACE] = "space", [XMPP_DECL] = "declaration",
	[XMPP_OPEN] = "stream header", [XMPP_CLOSE] = "stream close", [XMPP_ELEMENT] = "element",
	[XMPP_BAD] = "not XMPP", [XMPP_TOO_BIG] = "too big",
};

const char *
xmpp_kind_name(enum xmpp_kind k)
{
	return (unsigned)k < XMPP_KIND_LAST ? xmpp_kind_names[k] : "?";
}

const char *
xmpp_local(const char *q)
{
	const char *c = strrchr(q, ':');

	return c ? c + 1 : q;
}

/* ---- tokens ------------------------------------------------------------------------------- */

enum xtok { XT_NEED = 0, XT_BAD, XT_TEXT, XT_START, XT_END, XT_EMPTY, XT_DECL };

struct xtag {
	enum xtok	 kind;
	const char	*name;
	size_t		 namelen;
	const char	*attrs;		/* between the name and ">" or "/>" */
	size_t		 attrslen;
	size_t		 len;		/* bytes of the token */
};

static int
xmpp_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int
xmpp_name_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	    ch == ':' || ch == '_' || ch == '-' || ch == '.' || ch >= 0x80;
}

static enum xtok
xmpp_tok(const char *b, size_t len, struct xtag *t)
{
	size_t i;
	char q = 0;

	memset(t, 0, sizeof(*t));
	if (len == 0)
		return t->kind = XT_NEED;
	if (b[0] != '<') {
		const char *lt = memchr(b, '<', len);

		t->len = lt ? (size_t)(lt - b) : len;
		return t->kind = XT_TEXT;
	}
	if (len < 2)
		return t->kind = XT_NEED;
	if (b[1] == '!')
		return t->kind = XT_BAD;	/* comment, CDATA, DTD: RFC 6120 §11.1 */
	if (b[1] == '?') {
		for (i = 2; i + 1 < len; i++)
			if (b[i] == '?' && b[i + 1] == '>') {
				t->len = i + 2;
				if (i < 5 || strncmp(b + 2, "xml", 3) != 0 || !(xmpp_space(b[5]) || b[5] == '?'))
					return t->kind = XT_BAD;
				return t->kind = XT_DECL;
			}
		return t->kind = XT_NEED;
	}
	i = b[1] == '/' ? 2 : 1;
	t->name = b + i;
	while (i < len && xmpp_name_char((unsigned char)b[i]))
		i++;
	t->namelen = (size_t)(b + i - t->name);
	if (i == len)
		return t->kind = XT_NEED;
	if (t->namelen == 0)
		return t->kind = XT_BAD;
	if (b[1] == '/') {
		while (i < len && xmpp_space(b[i]))
			i++;
		if (i == len)
			return t->kind = XT_NEED;
		if (b[i] != '>')
			return t->kind = XT_BAD;
		t->len = i + 1;
		return t->kind = XT_END;
	}
	if (b[i] != '>' && b[i] != '/' && !xmpp_space(b[i]))
		return t->kind = XT_BAD;
	t->attrs = b + i;
	for (; i < len; i++) {
		if (q) {
			if (b[i] == q)
				q = 0;
			else if (b[i] == '<')
				return t->kind = XT_BAD;	/* XML 1.0 §3.1: no '<' in attribute values */
			continue;
		}
		if (b[i] == '\'' || b[i] == '"')
			q = b[i];
		else if (b[i] == '<')
			return t->kind = XT_BAD;
		else if (b[i] == '>') {
			t->len = i + 1;
			if (i > 0 && b[i - 1] == '/') {
				t->attrslen = (size_t)(b + i - 1 - t->attrs);
				return t->kind = XT_EMPTY;
			}
			t->attrslen = (size_t)(b + i - t->attrs);
			return t->kind = XT_START;
		}
	}
	return t->kind = XT_NEED;
}

static void
xmpp_copy(char *dst, size_t dstsz, const char *s, size_t n)
{
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int
xmpp_is_local(const char *name, size_t n, const char *local)
{
	size_t ll = strlen(local), i;

	if (n < ll || memcmp(name + n - ll, local, ll) != 0)
		return 0;
	if (n == ll)
		return 1;
	for (i = 0; i < n - ll - 1; i++)
		if (name[i] == ':')
			return 0;	/* only one prefix */
	return name[n - ll - 1] == ':';
}

enum xmpp_kind
xmpp_next(const char *b, size_t len, struct xmpp_item *it)
{
	struct xtag t;
	const char *stack[XMPP_DEPTH_MAX];
	size_t stacklen[XMPP_DEPTH_MAX];
	size_t pos, i;
	int depth;

	memset(it, 0, sizeof(*it));
	if (len == 0)
		return it->kind = XMPP_NEED_MORE;
	if (xmpp_space(b[0])) {
		for (i = 0; i < len && xmpp_space(b[i]); i++)
			;
		it->len = i;
		return it->kind = XMPP_SPACE;
	}
	switch (xmpp_tok(b, len, &t)) {
	case XT_NEED:
		return it->kind = len > XMPP_ITEM_MAX ? XMPP_TOO_BIG : XMPP_NEED_MORE;
	case XT_BAD:
	case XT_TEXT:
		return it->kind = XMPP_BAD;
	case XT_DECL:
		it->len = t.len;
		return it->kind = XMPP_DECL;
	case XT_END:
		xmpp_copy(it->name, sizeof(it->name), t.name, t.namelen);
		if (!xmpp_is_local(t.name, t.namelen, "stream"))
			return it->kind = XMPP_BAD;
		it->len = t.len;
		return it->kind = XMPP_CLOSE;
	case XT_EMPTY:
		xmpp_copy(it->name, sizeof(it->name), t.name, t.namelen);
		it->len = t.len;
		return it->kind = t.len > XMPP_ITEM_MAX ? XMPP_TOO_BIG : XMPP_ELEMENT;
	case XT_START:
		break;
	}
	xmpp_copy(it->name, sizeof(it->name), t.name, t.namelen);
	if (t.len > XMPP_ITEM_MAX)
		return it->kind = XMPP_TOO_BIG;
	if (xmpp_is_local(t.name, t.namelen, "stream")) {
		it->len = t.len;
		return it->kind = XMPP_OPEN;
	}
	stack[0] = t.name;
	stacklen[0] = t.namelen;
	depth = 1;
	pos = t.len;
	while (depth > 0) {
		if (pos > XMPP_ITEM_MAX)
			return it->kind = XMPP_TOO_BIG;
		switch (xmpp_tok(b + pos, len - pos, &t)) {
		case XT_NEED:
			return it->kind = len > XMPP_ITEM_MAX ? XMPP_TOO_BIG : XMPP_NEED_MORE;
		case XT_BAD:
		case XT_DECL:
			return it->kind = XMPP_BAD;
		case XT_START:
			if (depth == XMPP_DEPTH_MAX)
				return it->kind = XMPP_TOO_BIG;
			stack[depth] = t.name;
			stacklen[depth] = t.namelen;
			depth++;
			break;
		case XT_END:
			depth--;
			if (stacklen[depth] != t.namelen || memcmp(stack[depth], t.name, t.namelen) != 0)
				return it->kind = XMPP_BAD;	/* mismatched end tag */
			break;
		case XT_TEXT:
		case XT_EMPTY:
			break;
		}
		pos += t.len;
	}
	if (pos > XMPP_ITEM_MAX)
		return it->kind = XMPP_TOO_BIG;
	it->len = pos;
	return it->kind = XMPP_ELEMENT;
}

/* Next attribute in a tag's attribute text; 0 at the end, -1 when malformed. */
static int
xmpp_attr_next(const char *a, size_t n, size_t *pos, const char **name, size_t *nlen,
    const char **val, size_t *vlen)
{
	size_t i = *pos;
	char q;

	while (i < n && xmpp_space(a[i]))
		i++;
	if (i == n)
		return 0;
	*name = a + i;
	while (i < n && xmpp_name_char((unsigned char)a[i]))
		i++;
	*nlen = (size_t)(a + i - *name);
	while (i < n && xmpp_space(a[i]))
		i++;
	if (*nlen == 0 || i == n || a[i] != '=')
		return -1;
	i++;
	while (i < n && xmpp_space(a[i]))
		i++;
	if (i == n || (a[i] != '\'' && a[i] != '"'))
		return -1;
	q = a[i++];
	*val = a + i;
	while (i < n && a[i] != q)
		i++;
	if (i == n)
		return -1;
	*vlen = (size_t)(a + i - *val);
	*pos = i + 1;
	return 1;
}

static void
xmpp_attr_copy(char *dst, size_t dstsz, const char *v, size_t n)
{
	char tmp[512];

	xmpp_copy(tmp, sizeof(tmp), v, n);
	text_clean(dst, dstsz, tmp, strlen(tmp));
}

int
xmpp_header_parse(const char *b, size_t len, struct xmpp_header *h)
{
	struct xtag t;
	const char *an, *av, *colon;
	size_t pos = 0, anl, avl, plen;
	int r;

	memset(h, 0, sizeof(*h));
	if (xmpp_tok(b, len, &t) != XT_START || !xmpp_is_local(t.name, t.namelen, "stream"))
		return -1;
	colon = memchr(t.name, ':', t.namelen);
	plen = colon ? (size_t)(colon - t.name) : 0;
	while ((r = xmpp_attr_next(t.attrs, t.attrslen, &pos, &an, &anl, &av, &avl)) == 1) {
		if (anl == 4 && memcmp(an, "from", 4) == 0)
			xmpp_attr_copy(h->from, sizeof(h->from), av, avl);
		else if (anl == 2 && memcmp(an, "to", 2) == 0)
			xmpp_attr_copy(h->to, sizeof(h->to), av, avl);
		else if (anl == 2 && memcmp(an, "id", 2) == 0)
			xmpp_attr_copy(h->id, sizeof(h->id), av, avl);
		else if (anl == 7 && memcmp(an, "version", 7) == 0)
			xmpp_attr_copy(h->version, sizeof(h->version), av, avl);
		else if (anl == 5 && memcmp(an, "xmlns", 5) == 0) {
			xmpp_attr_copy(h->xmlns, sizeof(h->xmlns), av, avl);
			if (plen == 0 && avl == strlen(XMPP_STREAM_NS) && memcmp(av, XMPP_STREAM_NS, avl) == 0)
				h->stream_ns_ok = 1;
		} else if (plen > 0 && anl == 6 + plen && memcmp(an, "xmlns:", 6) == 0 &&
		    memcmp(an + 6, t.name, plen) == 0 && avl == strlen(XMPP_STREAM_NS) &&
		    memcmp(av, XMPP_STREAM_NS, avl) == 0)
			h->stream_ns_ok = 1;
	}
	return r < 0 ? -1 : 0;
}

static void
xmpp_cat(char *dst, size_t dstsz, const char *w, size_t n)
{
	size_t have = strlen(dst);
	char tmp[128];

	xmpp_copy(tmp, sizeof(tmp), w, n);
	n = strlen(tmp);
	if (have + n + 2 > dstsz)
		return;
	if (have > 0)
		dst[have++] = ' ';
	text_clean(dst + have, dstsz - have, tmp, n);
}

static int
xmpp_attr_is(const struct xtag *t, const char *name, const char *want)
{
	const char *an, *av;
	size_t pos = 0, anl, avl;

	while (xmpp_attr_next(t->attrs, t->attrslen, &pos, &an, &anl, &av, &avl) == 1)
		if (anl == strlen(name) && memcmp(an, name, anl) == 0)
			return avl == strlen(want) && memcmp(av, want, avl) == 0;
	return 0;
}

int
xmpp_features_parse(const char *b, size_t len, struct xmpp_features *f)
{
	struct xtag t;
	size_t pos;
	int depth = 1, child = 0;	/* child: 1 starttls, 2 mechanisms, 3 mechanism text */
	char local[64];

	memset(f, 0, sizeof(*f));
	if (xmpp_tok(b, len, &t) == XT_EMPTY)
		return 0;
	if (t.kind != XT_START)
		return -1;
	for (pos = t.len; pos < len && depth > 0; pos += t.len) {
		switch (xmpp_tok(b + pos, len - pos, &t)) {
		case XT_NEED:
		case XT_BAD:
		case XT_DECL:
			return -1;
		case XT_TEXT:
			if (child == 3) {
				size_t s = 0, e = t.len;

				while (s < e && xmpp_space(b[pos + s]))
					s++;
				while (e > s && xmpp_space(b[pos + e - 1]))
					e--;
				if (e > s)
					xmpp_cat(f->mechs, sizeof(f->mechs), b + pos + s, e - s);
			}
			break;
		case XT_END:
			depth--;
			if (depth == 1)
				child = 0;
			else if (depth == 2 && child == 3)
				child = 2;
			break;
		case XT_START:
		case XT_EMPTY:
			xmpp_copy(local, sizeof(local), t.name, t.namelen);
			if (depth == 1) {
				if (++f->nchildren > XMPP_FEATURES_MAX) {
					f->too_many = 1;
					return 0;
				}
				if (strcmp(xmpp_local(local), "starttls") == 0) {
					f->starttls = 1;
					child = 1;
				} else if (strcmp(xmpp_local(local), "mechanisms") == 0) {
					f->mechanisms = 1;
					child = 2;
				} else {
					if (strcmp(xmpp_local(local), "dialback") == 0)
						f->dialback = 1;
					else if (strcmp(xmpp_local(local), "auth") == 0 &&
					    xmpp_attr_is(&t, "xmlns", "http://jabber.org/features/iq-auth"))
						f->iq_auth = 1;
					xmpp_cat(f->names, sizeof(f->names), xmpp_local(local),
					    strlen(xmpp_local(local)));
				}
			} else if (depth == 2 && child == 1 && strcmp(xmpp_local(local), "required") == 0)
				f->required = 1;
			else if (depth == 2 && child == 2 && t.kind == XT_START &&
			    strcmp(xmpp_local(local), "mechanism") == 0)
				child = 3;
			if (t.kind == XT_START) {
				if (++depth > XMPP_DEPTH_MAX)
					return -1;
			} else if (depth == 1)
				child = 0;
			break;
		}
	}
	if (f->starttls)
		xmpp_cat(f->names, sizeof(f->names), f->required ? "starttls(required)" : "starttls",
		    f->required ? 18 : 8);
	if (f->mechanisms) {
		char m[300];

		snprintf(m, sizeof(m), "mechanisms(%s)", f->mechs);
		xmpp_cat(f->names, sizeof(f->names), m, strlen(m));
	}
	return depth == 0 ? 0 : -1;
}

void
xmpp_condition(const char *b, size_t len, char *out, size_t outsz)
{
	struct xtag t;
	size_t pos;
	int depth = 1;
	char local[64];

	if (outsz > 0)
		out[0] = '\0';
	if (xmpp_tok(b, len, &t) != XT_START)
		return;
	for (pos = t.len; pos < len && depth > 0; pos += t.len) {
		switch (xmpp_tok(b + pos, len - pos, &t)) {
		case XT_START:
		case XT_EMPTY:
			xmpp_copy(local, sizeof(local), t.name, t.namelen);
			if (depth == 1 && strcmp(xmpp_local(local), "text") != 0) {
				text_clean(out, outsz, xmpp_local(local), strlen(xmpp_local(local)));
				return;
			}
			if (t.kind == XT_START)
				depth++;
			break;
		case XT_END:
			depth--;
			break;
		case XT_TEXT:
			break;
		default:
			return;
		}
	}
}

/* ---- the dialogue ------------------------------------------------------------------------- */

enum xmpp_step {
	XMPP_S_HEADER = 0,	/* waiting for the server's stream header */
	XMPP_S_FEATURES,
	XMPP_S_AUTH_PROBE,	/* <auth/> without credentials sent */
	XMPP_S_ABORT,		/* <abort/> sent */
	XMPP_S_PROCEED,		/* <starttls/> sent */
	XMPP_S_CLOSE,		/* </stream:stream> sent */
};

struct xmpp_state {
	enum xmpp_step		 st;
	int			 server;	/* s2s */
	int			 after_tls;	/* the stream inside TLS */
	struct xmpp_features	 feat;
	size_t			 scanned;	/* bytes seen without a '>' (no item can be complete) */
};

static void
xmpp_send_header(struct proto_conv *c, struct xmpp_state *s)
{
	char h[800];

	if (s->server)
		snprintf(h, sizeof(h), "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
		    "xmlns:stream='" XMPP_STREAM_NS "' xmlns:db='jabber:server:dialback' from='%s' "
		    "to='%s' version='1.0'>", c->client_name, c->domain);
	else
		snprintf(h, sizeof(h), "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
		    "xmlns:stream='" XMPP_STREAM_NS "' to='%s' version='1.0'>", c->domain);
	s->st = XMPP_S_HEADER;
	c->during = "waiting for the stream header";
	c->send(c, h, 1);
}

static enum proto_next
xmpp_close(struct proto_conv *c, struct xmpp_state *s)
{
	s->st = XMPP_S_CLOSE;
	c->during = "waiting for the stream close";
	c->send(c, "</stream:stream>", 1);
	return PROTO_NEXT_GOODBYE;
}

static enum proto_next
xmpp_starttls(struct proto_conv *c, struct xmpp_state *s)
{
	s->st = XMPP_S_PROCEED;
	c->during = "waiting for <proceed/>";
	c->send(c, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 1);
	return PROTO_NEXT_WAIT;
}

/* Features before TLS: RFC 6120 §5.3.1 (mandatory-to-negotiate) and §6.1 (SASL after TLS). */
static enum proto_next
xmpp_features_plain(struct proto_conv *c, struct xmpp_state *s)
{
	struct proto_facts *f = c->facts;
	const struct xmpp_features *ft = &s->feat;

	f->caps_plain = arena_strdup(c->arena, ft->names);
	f->upgrade_offered = ft->starttls;
	f->tls_required = ft->required;
	f->dialback = ft->dialback;
	c->ep->starttls_offered = ft->starttls;
	if (!s->server && (ft->mechanisms || ft->iq_auth)) {
		char det[400];

		snprintf(det, sizeof(det), "%s%s%s", ft->mechs, ft->iq_auth && ft->mechs[0] ? "; " : "",
		    ft->iq_auth ? "legacy iq-auth" : "");
		f->cred_before_tls = 1;
		f->cred_detail = arena_strdup(c->arena, det);
		endpoint_finding(c->ep, c->arena, FINDING_XMPP_SASL_BEFORE_TLS, "%s", det);
	}
	if (!ft->starttls) {
		endpoint_finding(c->ep, c->arena, FINDING_XMPP_STARTTLS_MISSING,
		    "no <starttls/> among the stream features: %s", ft->names);
		return xmpp_close(c, s);
	}
	if (!ft->required)
		endpoint_finding(c->ep, c->arena, FINDING_XMPP_TLS_OPTIONAL,
		    "<starttls/> without <required/>");
	if (ft->required && !s->server && ft->mechanisms && ft->mechs[0] && !c->stop_at_tls) {
		/* the contradiction: TLS required, yet mechanisms offered in plaintext; ask, with no
		 * credential, whether a mechanism would start (RFC 6120 §6.4.2: no initial response) */
		char cmd[300], mech[64];
		const char *m = ft->mechs, *sp;

		if (strstr(ft->mechs, "PLAIN") != NULL && (m = strstr(ft->mechs, "PLAIN")) != NULL &&
		    (m == ft->mechs || m[-1] == ' ') && (m[5] == ' ' || m[5] == '\0'))
			snprintf(mech, sizeof(mech), "PLAIN");
		else {
			sp = strchr(ft->mechs, ' ');
			snprintf(mech, sizeof(mech), "%.*s", sp ? (int)(sp - ft->mechs) : 63, ft->mechs);
		}
		snprintf(cmd, sizeof(cmd), "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
		    "mechanism='%s'/>", mech);
		s->st = XMPP_S_AUTH_PROBE;
		c->during = "waiting for the answer to <auth/> without credentials";
		proto_conv_note(c, "<required/> next to mechanisms: does %s start in plaintext?", mech);
		c->send(c, cmd, 1);
		return PROTO_NEXT_WAIT;
	}
	return xmpp_starttls(c, s);
}

static enum proto_next
xmpp_element(struct proto_conv *c, struct xmpp_state *s, const char *el, size_t len,
    const char *name)
{
	const char *local = xmpp_local(name);
	char cond[64];

	if (strcmp(name, "stream:error") == 0 || (strcmp(local, "error") == 0 && strchr(name, ':'))) {
		xmpp_condition(el, len, cond, sizeof(cond));
		if (s->st == XMPP_S_CLOSE)
			return PROTO_NEXT_DONE;
		if (s->st == XMPP_S_AUTH_PROBE || s->st == XMPP_S_ABORT) {
			/* refused by ending the stream: TLS is enforced, but this connection is over */
			c->facts->required_probe = 1;
			proto_conv_note(c, "plaintext <auth/> ended the stream: %s", cond);
			return PROTO_NEXT_DONE;
		}
		if (strcmp(cond, "host-unknown") == 0)
			return proto_conv_fail(c, FINDING_XMPP_HOST_UNKNOWN,
			    "stream error host-unknown for to='%s'", c->domain);
		return proto_conv_fail(c, FINDING_PROTO_REJECTED, "stream error %s", cond);
	}
	switch (s->st) {
	case XMPP_S_FEATURES:
		if (strcmp(local, "features") != 0)
			return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "<%s> where the stream "
			    "features belong", name);
		if (xmpp_features_parse(el, len, &s->feat) < 0)
			return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "malformed stream features");
		if (s->feat.too_many)
			return proto_conv_fail(c, FINDING_PROTO_REPLY_TOO_LONG,
			    "more than %d stream features", XMPP_FEATURES_MAX);
		if (c->tls_active) {
			c->facts->caps_tls = arena_strdup(c->arena, s->feat.names);
			return xmpp_close(c, s);
		}
		return xmpp_features_plain(c, s);
	case XMPP_S_AUTH_PROBE:
		if (strcmp(local, "challenge") == 0 || strcmp(local, "success") == 0) {
			c->facts->required_probe = 2;
			endpoint_finding(c->ep, c->arena, FINDING_XMPP_REQUIRED_NOT_ENFORCED,
			    "<required/> advertised, yet <auth/> without TLS was answered <%s/>", local);
			if (strcmp(local, "success") == 0)
				return xmpp_close(c, s);	/* the stream is spoiled: stop here */
			s->st = XMPP_S_ABORT;
			c->during = "waiting for the answer to <abort/>";
			c->send(c, "<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", 1);
			return PROTO_NEXT_WAIT;
		}
		xmpp_condition(el, len, cond, sizeof(cond));
		c->facts->required_probe = 1;
		proto_conv_note(c, "plaintext <auth/> refused: <%s> %s", local, cond);
		return xmpp_starttls(c, s);
	case XMPP_S_ABORT:
		return xmpp_starttls(c, s);
	case XMPP_S_PROCEED:
		if (strcmp(local, "proceed") == 0)
			return PROTO_NEXT_UPGRADE;
		xmpp_condition(el, len, cond, sizeof(cond));
		endpoint_finding(c->ep, c->arena, FINDING_STARTTLS_REJECTED, "<starttls/> answered <%s>",
		    local);
		return PROTO_NEXT_DONE;		/* RFC 6120 §5.4.2.2: the server closes the stream */
	case XMPP_S_CLOSE:
		return PROTO_NEXT_GOODBYE;
	default:
		return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "<%s> before the stream header", name);
	}
}

static enum proto_next
xmpp_step(struct proto_conv *c, enum proto_event ev)
{
	struct xmpp_state *s = c->state;
	struct xmpp_item it;
	struct xmpp_header h;
	const char *p;
	size_t n;

	c->consumed = 0;
	switch (ev) {
	case PROTO_EV_START:
		s->server = c->ep->proto == ENDPOINT_PROTO_XMPP_SERVER ||
		    c->ep->proto == ENDPOINT_PROTO_XMPPS_SERVER;
		c->facts->implicit_tls = c->tls_active;
		xmpp_send_header(c, s);
		return PROTO_NEXT_WAIT;
	case PROTO_EV_TLS_UP:
		/* RFC 6120 §5.4.3.3: a new stream inside TLS */
		s->after_tls = 1;
		s->scanned = 0;
		xmpp_send_header(c, s);
		return PROTO_NEXT_WAIT;
	case PROTO_EV_PIPE_TIMEOUT:
		return xmpp_close(c, s);
	default:
		break;
	}
	/* nothing can have completed without a '>': don't rescan a dripping server's bytes */
	if (s->scanned > c->inlen)
		s->scanned = 0;
	if (memchr(c->in + s->scanned, '>', c->inlen - s->scanned) == NULL) {
		s->scanned = c->inlen;
		if (c->inlen > XMPP_ITEM_MAX)
			return s->st == XMPP_S_CLOSE ? PROTO_NEXT_DONE : proto_conv_fail(c,
			    FINDING_PROTO_REPLY_TOO_LONG, "an item passed %d bytes while %s",
			    XMPP_ITEM_MAX, c->during);
		return s->st == XMPP_S_CLOSE ? PROTO_NEXT_GOODBYE : PROTO_NEXT_WAIT;
	}
	s->scanned = 0;
	p = (const char *)c->in;
	n = c->inlen;
	switch (xmpp_next(p, n, &it)) {
	case XMPP_NEED_MORE:
		s->scanned = c->inlen;	/* rescan only when a new '>' comes */
		return s->st == XMPP_S_CLOSE ? PROTO_NEXT_GOODBYE : PROTO_NEXT_WAIT;
	case XMPP_SPACE:
		c->consumed = it.len;
		return s->st == XMPP_S_CLOSE ? PROTO_NEXT_GOODBYE : PROTO_NEXT_WAIT;
	case XMPP_TOO_BIG:
		if (s->st == XMPP_S_CLOSE)
			return PROTO_NEXT_DONE;
		return proto_conv_fail(c, FINDING_PROTO_REPLY_TOO_LONG,
		    "an item passed %d bytes or %d levels while %s", XMPP_ITEM_MAX, XMPP_DEPTH_MAX,
		    c->during);
	case XMPP_BAD:
		proto_conv_log(c, '<', p, n > 200 ? 200 : n);
		if (s->st == XMPP_S_CLOSE)
			return PROTO_NEXT_DONE;
		return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "not XMPP while %s", c->during);
	default:
		break;
	}
	proto_conv_log(c, '<', p, it.len);
	c->consumed = it.len;
	switch (it.kind) {
	case XMPP_DECL:
		return s->st == XMPP_S_CLOSE ? PROTO_NEXT_GOODBYE : PROTO_NEXT_WAIT;
	case XMPP_CLOSE:
		if (s->st == XMPP_S_CLOSE || s->st == XMPP_S_AUTH_PROBE || s->st == XMPP_S_ABORT) {
			if (s->st != XMPP_S_CLOSE)
				c->facts->required_probe = 1;
			return PROTO_NEXT_DONE;
		}
		return proto_conv_fail(c, FINDING_CONN_CLOSED, "the server closed the stream while %s",
		    c->during);
	case XMPP_OPEN:
		if (s->st != XMPP_S_HEADER)
			return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "a second stream header while %s",
			    c->during);
		if (xmpp_header_parse(p, it.len, &h) < 0 || !h.stream_ns_ok)
			return proto_conv_fail(c, FINDING_PROTO_PROTOCOL, "malformed stream header "
			    "(attributes or the streams namespace)");
		if (!c->facts->server_name || s->after_tls == 0 || c->tls_active) {
			if (h.from[0])
				c->facts->server_name = arena_strdup(c->arena, h.from);
			if (h.id[0])
				c->facts->stream_id = arena_strdup(c->arena, h.id);
		}
		c->ep->banner = arena_printf(c->arena, "stream from='%s' version='%s'", h.from, h.version);
		if (strcmp(h.version, "1.0") != 0 && strncmp(h.version, "1.", 2) != 0) {
			/* RFC 6120 §4.7.5: no version, no stream features and no STARTTLS */
			if (!c->tls_active)
				endpoint_finding(c->ep, c->arena, FINDING_XMPP_STARTTLS_MISSING,
				    "the stream header has no version 1.0 (version='%s')", h.version);
			return xmpp_close(c, s);
		}
		s->st = XMPP_S_FEATURES;
		c->during = c->tls_active ? "waiting for the stream features inside TLS" :
		    "waiting for the stream features";
		return PROTO_NEXT_WAIT;
	case XMPP_ELEMENT:
		return xmpp_element(c, s, p, it.len, it.name);
	default:
		return PROTO_NEXT_FAILED;
	}
}

const struct proto_module proto_module_xmpp = {
	"xmpp", 1, sizeof(struct xmpp_state), xmpp_step, NULL, 0, NULL,
};
