/*
 * xmpp.c — see xmpp.h.  RFC 6120 §11.1 forbids comments, processing instructions (other than the
 * declaration), DTDs and entity declarations in a stream, so "<!" and a second "<?" are BAD.
 */
#include <stdio.h>
#include <string.h>

#include "mitm/xmpp.h"

/* Read a tag's qualified name starting after '<' (or "</"); returns its length. */
static size_t
tag_name(const char *s, const char *end, char *name, size_t namelen)
{
	size_t n = 0;

	while (s + n < end && s[n] != ' ' && s[n] != '\t' && s[n] != '\r' && s[n] != '\n' &&
	    s[n] != '/' && s[n] != '>')
		n++;
	if (name != NULL) {
		size_t k = n < namelen - 1 ? n : namelen - 1, i;

		for (i = 0; i < k; i++) {
			unsigned char c = (unsigned char)s[i];

			name[i] = (c < 0x21 || c > 0x7e) ? '?' : (char)c;
		}
		name[k] = '\0';
	}
	return n;
}

/*
 * From s (just after '<'), find the '>' that ends the tag, skipping quoted attribute values.
 * 1: *gt points at it; 0: the input ends first; -1: a '<' inside the tag (not XML).
 */
static int
tag_end(const char *s, const char *end, const char **gt)
{
	char q = 0;

	for (; s < end; s++) {
		if (q) {
			if (*s == q)
				q = 0;
		} else if (*s == '\'' || *s == '"') {
			q = *s;
		} else if (*s == '<') {
			return -1;
		} else if (*s == '>') {
			*gt = s;
			return 1;
		}
	}
	return 0;
}

/* The value of attribute attr inside the start tag [s, e). */
static void
attr_value(const char *s, const char *e, const char *attr, char *out, size_t outlen)
{
	size_t an = strlen(attr), k = 0;
	const char *p;

	out[0] = '\0';
	for (p = s; p + an + 2 < e; p++) {
		char q;

		if ((p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n' && p[-1] != '\r') ||
		    strncmp(p, attr, an) != 0 || p[an] != '=')
			continue;
		q = p[an + 1];
		if (q != '\'' && q != '"')
			continue;
		for (p += an + 2; p < e && *p != q && k + 1 < outlen; p++) {
			unsigned char c = (unsigned char)*p;

			out[k++] = (c < 0x21 || c > 0x7e) ? '?' :
			    (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : (char)c;
		}
		out[k] = '\0';
		return;
	}
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_stream(const char *name)
{
	const char *c = strchr(name, ':');

	return strcmp(c ? c + 1 : name, "stream") == 0;
}

enum mitm_xmpp_kind
mitm_xmpp_next(const char *buf, size_t len, size_t max, struct mitm_xmpp_item *it)
{
	const char *p = buf, *end = buf + len, *e, *body = NULL;
	char name[32];
	int depth = 0, r;

	memset(it, 0, sizeof(*it));
	if (len == 0)
		return it->kind = MITM_XMPP_NEED_MORE;
	if (is_space(*p)) {
		while (p < end && is_space(*p))
			p++;
		it->len = (size_t)(p - buf);
		return it->kind = MITM_XMPP_SPACE;
	}
	if (*p != '<')
		return it->kind = MITM_XMPP_BAD;
	if (len >= 2 && p[1] == '?') {
		for (e = p + 2; e + 1 < end; e++)
			if (e[0] == '?' && e[1] == '>') {
				it->len = (size_t)(e + 2 - buf);
				return it->kind = MITM_XMPP_DECL;
			}
		return it->kind = len > 256 ? MITM_XMPP_TOO_BIG : MITM_XMPP_NEED_MORE;
	}
	/* elements: follow start and end tags until depth returns to zero */
	while (p < end) {
		if ((size_t)(p - buf) > max)
			return it->kind = MITM_XMPP_TOO_BIG;
		if (*p != '<') {
			if (depth == 0)
				return it->kind = MITM_XMPP_BAD;
			p++;
			continue;
		}
		if (p + 1 >= end)
			break;
		if (p[1] == '!' || p[1] == '?')
			return it->kind = MITM_XMPP_BAD;
		if ((r = tag_end(p + 1, end, &e)) == 0)
			break;
		if (r < 0)
			return it->kind = MITM_XMPP_BAD;
		if (p[1] == '/') {
			tag_name(p + 2, e, name, sizeof(name));
			if (depth == 0) {
				if (!is_stream(name))
					return it->kind = MITM_XMPP_BAD;
				it->len = (size_t)(e + 1 - buf);
				snprintf(it->name, sizeof(it->name), "%s", name);
				return it->kind = MITM_XMPP_CLOSE;
			}
			if (--depth == 0) {
				if (body != NULL)
					it->text_len = (size_t)(p - body);
				it->len = (size_t)(e + 1 - buf);
				return it->kind = MITM_XMPP_ELEMENT;
			}
		} else {
			int selfclose = e[-1] == '/';

			tag_name(p + 1, e, name, sizeof(name));
			if (name[0] == '\0')
				return it->kind = MITM_XMPP_BAD;
			if (depth == 0) {
				snprintf(it->name, sizeof(it->name), "%s", name);
				if (is_stream(name) && !selfclose) {
					it->len = (size_t)(e + 1 - buf);
					return it->kind = MITM_XMPP_OPEN;
				}
				if (strcmp(name, "auth") == 0)
					attr_value(p + 1, e, "mechanism", it->mech, sizeof(it->mech));
				body = e + 1;
			} else if (depth == 1) {
				if (strcmp(name, "starttls") == 0)
					it->has_starttls = 1;
				if (strcmp(name, "mechanisms") == 0)
					it->has_mechanisms = 1;
			}
			if (selfclose) {
				if (depth == 0) {
					it->len = (size_t)(e + 1 - buf);
					return it->kind = MITM_XMPP_ELEMENT;
				}
			} else if (++depth > MITM_XMPP_DEPTH_MAX)
				return it->kind = MITM_XMPP_BAD;
		}
		p = e + 1;
	}
	if (len > max)
		return it->kind = MITM_XMPP_TOO_BIG;
	memset(it, 0, sizeof(*it));
	return it->kind = MITM_XMPP_NEED_MORE;
}

static void
put(char *out, size_t outlen, size_t *k, const char *s, size_t n)
{
	if (*k + 1 >= outlen)
		return;
	if (n > outlen - 1 - *k)
		n = outlen - 1 - *k;
	memcpy(out + *k, s, n);
	*k += n;
}

static const char plain_mechs[] =
    "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
    "</mechanisms>";

size_t
mitm_xmpp_strip(const char *el, size_t len, int add_plain, char *out, size_t outlen)
{
	const char *end = el + len, *p, *s = NULL, *e = NULL, *close = NULL;
	char name[32];
	size_t k = 0;
	int depth = 0, have_mechs = 0;

	if (outlen == 0)
		return 0;
	/* find <starttls ...> at depth 1 and its end, and the final end tag */
	for (p = el; p < end; p++) {
		const char *te;

		if (*p != '<')
			continue;
		if (tag_end(p + 1, end, &te) != 1)
			break;
		if (p[1] == '/') {
			depth--;
			if (depth == 1 && s != NULL && e == NULL)
				e = te + 1;
			if (depth == 0)
				close = p;
		} else {
			tag_name(p + 1, te, name, sizeof(name));
			if (depth == 1 && strcmp(name, "starttls") == 0 && s == NULL) {
				s = p;
				if (te[-1] == '/')
					e = te + 1;
			}
			if (depth == 1 && strcmp(name, "mechanisms") == 0)
				have_mechs = 1;
			if (te[-1] != '/')
				depth++;
		}
		p = te;
	}
	if (s != NULL && e != NULL) {
		put(out, outlen, &k, el, (size_t)(s - el));
		el = e;
	}
	if (add_plain && !have_mechs && close != NULL && close >= el) {
		put(out, outlen, &k, el, (size_t)(close - el));
		put(out, outlen, &k, plain_mechs, sizeof(plain_mechs) - 1);
		el = close;
	}
	put(out, outlen, &k, el, (size_t)(end - el));
	out[k] = '\0';
	return k;
}
