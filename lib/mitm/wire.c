/*
 * wire.c — see wire.h.  Client commands of RFC 5321 (SMTP), RFC 4954 (AUTH), RFC 9051 / 3501
 * (IMAP: tag, LOGIN, AUTHENTICATE, literals of RFC 7888), RFC 1939 / 2449 / 5034 (POP3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mitm/wire.h"
#include "util/dbuf.h"

static const char *const verb_names[MITM_VERB_LAST] = {
	[MITM_VERB_OTHER] = "other",
	[MITM_VERB_EHLO] = "EHLO",
	[MITM_VERB_HELO] = "HELO",
	[MITM_VERB_STARTTLS] = "STARTTLS",
	[MITM_VERB_AUTH] = "AUTH",
	[MITM_VERB_MAIL] = "MAIL",
	[MITM_VERB_RCPT] = "RCPT",
	[MITM_VERB_DATA] = "DATA",
	[MITM_VERB_QUIT] = "QUIT",
	[MITM_VERB_RSET] = "RSET",
	[MITM_VERB_NOOP] = "NOOP",
	[MITM_VERB_CAPA] = "CAPA",
	[MITM_VERB_LOGIN] = "LOGIN",
	[MITM_VERB_USER] = "USER",
	[MITM_VERB_PASS] = "PASS",
	[MITM_VERB_APOP] = "APOP",
	[MITM_VERB_EMPTY] = "empty",
};

const char *
mitm_verb_name(enum mitm_verb v)
{
	return (unsigned)v < MITM_VERB_LAST ? verb_names[v] : "other";
}

struct word {
	const char	*name;
	enum mitm_verb	 verb;
};

static const struct word smtp_words[] = {
	{ "EHLO", MITM_VERB_EHLO }, { "HELO", MITM_VERB_HELO }, { "LHLO", MITM_VERB_EHLO },
	{ "STARTTLS", MITM_VERB_STARTTLS }, { "AUTH", MITM_VERB_AUTH }, { "MAIL", MITM_VERB_MAIL },
	{ "RCPT", MITM_VERB_RCPT }, { "DATA", MITM_VERB_DATA }, { "BDAT", MITM_VERB_DATA },
	{ "QUIT", MITM_VERB_QUIT }, { "RSET", MITM_VERB_RSET }, { "NOOP", MITM_VERB_NOOP },
	{ NULL, MITM_VERB_OTHER }
};

static const struct word imap_words[] = {
	{ "CAPABILITY", MITM_VERB_CAPA }, { "STARTTLS", MITM_VERB_STARTTLS },
	{ "LOGIN", MITM_VERB_LOGIN }, { "AUTHENTICATE", MITM_VERB_AUTH },
	{ "LOGOUT", MITM_VERB_QUIT }, { "NOOP", MITM_VERB_NOOP },
	{ NULL, MITM_VERB_OTHER }
};

static const struct word pop3_words[] = {
	{ "CAPA", MITM_VERB_CAPA }, { "STLS", MITM_VERB_STARTTLS }, { "USER", MITM_VERB_USER },
	{ "PASS", MITM_VERB_PASS }, { "APOP", MITM_VERB_APOP }, { "AUTH", MITM_VERB_AUTH },
	{ "QUIT", MITM_VERB_QUIT }, { "RSET", MITM_VERB_RSET }, { "NOOP", MITM_VERB_NOOP },
	{ NULL, MITM_VERB_OTHER }
};

static enum mitm_verb
word_lookup(const struct word *w, const char *s, size_t n)
{
	for (; w->name != NULL; w++)
		if (strlen(w->name) == n && strncasecmp(w->name, s, n) == 0)
			return w->verb;
	return MITM_VERB_OTHER;
}

/* The next space-separated token of [*p, end); advances *p past it and one space. */
static size_t
token(const char **p, const char *end, const char **tok)
{
	const char *s = *p, *e;

	while (s < end && *s == ' ')
		s++;
	for (e = s; e < end && *e != ' '; e++)
		;
	*tok = s;
	*p = e;
	return (size_t)(e - s);
}

/* Printable ASCII, upper case, at most dstlen - 1 bytes: a mechanism name is a short token. */
static void
copy_clean(char *dst, size_t dstlen, const char *s, size_t n, int upper)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 1 < dstlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e)
			c = '?';
		else if (upper && c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		dst[k++] = (char)c;
	}
	dst[k] = '\0';
}

/* AUTH MECH [initial-response] (RFC 4954 §4; "=" is an empty response). */
static void
auth_args(const char **p, const char *end, struct mitm_cmd *c)
{
	const char *t;
	size_t n;

	n = token(p, end, &t);
	copy_clean(c->mech, sizeof(c->mech), t, n, 1);
	n = token(p, end, &t);
	if (n > 0) {
		c->has_ir = 1;
		c->arg_len = (n == 1 && t[0] == '=') ? 0 : n;
	}
}

/* IMAP: a line that ends in {N} or {N+} announces N bytes of literal (RFC 9051 §4.3, RFC 7888). */
static void
imap_literal(const char *line, size_t len, struct mitm_cmd *c)
{
	size_t i, digits = 0;
	unsigned long long v = 0;
	int plus = 0;

	if (len < 3 || line[len - 1] != '}')
		return;
	i = len - 1;
	if (line[i - 1] == '+') {
		plus = 1;
		i--;
	}
	while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9') {
		i--;
		digits++;
	}
	if (digits == 0 || digits > 10 || i == 0 || line[i - 1] != '{')
		return;
	for (; line[i] >= '0' && line[i] <= '9'; i++)
		v = v * 10 + (unsigned)(line[i] - '0');
	c->literal = v > (unsigned long long)MITM_LITERAL_MAX * 64 ? MITM_LITERAL_MAX * 64 :
	    (size_t)v;
	c->literal_sync = !plus;
}

/* The verb at p and what follows it: the mechanism of AUTH, else the arguments' length. */
static void
verb_args(const struct word *words, const char *p, const char *end, struct mitm_cmd *c)
{
	const char *t;
	size_t n = token(&p, end, &t);

	c->verb = word_lookup(words, t, n);
	if (c->verb == MITM_VERB_AUTH) {
		auth_args(&p, end, c);
		return;
	}
	while (p < end && *p == ' ')
		p++;
	c->arg_len = (size_t)(end - p);
}

size_t
mitm_wire_imap_literal(const char *line, size_t len, int *sync)
{
	struct mitm_cmd c;

	memset(&c, 0, sizeof(c));
	imap_literal(line, len, &c);
	*sync = c.literal_sync;
	return c.literal;
}

int
mitm_wire_cmd(enum mitm_proto proto, const char *line, size_t len, struct mitm_cmd *c)
{
	const char *p = line, *end = line + len, *t;
	size_t n;

	memset(c, 0, sizeof(*c));
	if (len == 0) {
		c->verb = MITM_VERB_EMPTY;
		return 0;
	}
	switch (proto) {
	case MITM_PROTO_SMTP:
	case MITM_PROTO_SUBMISSION:
		/* "MAIL FROM:" / "RCPT TO:" are the commands; a bare MAIL is still MAIL */
		verb_args(smtp_words, p, end, c);
		return 0;
	case MITM_PROTO_POP3:
		verb_args(pop3_words, p, end, c);
		return 0;
	case MITM_PROTO_IMAP:
		n = token(&p, end, &t);
		if (n == 0 || n > MITM_TAG_MAX)
			return -1;
		copy_clean(c->tag, sizeof(c->tag), t, n, 0);
		verb_args(imap_words, p, end, c);
		imap_literal(line, len, c);
		return 0;
	case MITM_PROTO_XMPP:
	case MITM_PROTO_LAST:
		break;
	}
	return -1;
}

int
mitm_wire_ehlo_keyword(const char *text, size_t len)
{
	size_t n;

	for (n = 0; n < len && text[n] != ' ' && text[n] != '='; n++)
		;
	if (n == 8 && strncasecmp(text, "STARTTLS", 8) == 0)
		return n == len ? 1 : 0;
	if (n == 4 && strncasecmp(text, "AUTH", 4) == 0)
		return 2;
	return 0;
}

int
mitm_wire_smtp_reply(int code, const char *const *lines, size_t n, struct dbuf *out)
{
	char head[8];
	size_t i;

	if (code < 200 || code > 599)
		code = 451;
	if (n == 0) {
		snprintf(head, sizeof(head), "%03d\r\n", code);
		return dbuf_add(out, head, strlen(head));
	}
	for (i = 0; i < n; i++) {
		snprintf(head, sizeof(head), "%03d%c", code, i + 1 < n ? '-' : ' ');
		if (dbuf_add(out, head, 4) < 0 || dbuf_add(out, lines[i], strlen(lines[i])) < 0 ||
		    dbuf_add(out, "\r\n", 2) < 0)
			return DBUF_TOO_BIG;
	}
	return DBUF_OK;
}

/* Is [s, s+n) one of the capability atoms a stripping attacker removes? */
static int
imap_drop(const char *s, size_t n)
{
	return (n == 8 && strncasecmp(s, "STARTTLS", 8) == 0) ||
	    (n == 13 && strncasecmp(s, "LOGINDISABLED", 13) == 0);
}

/* Append at most n bytes to out (bounded by outlen - 1). */
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

long
mitm_wire_imap_caps(const char *line, size_t len, int add_auth, char *out, size_t outlen)
{
	const char *p, *end = line + len, *list, *lend, *t;
	size_t k = 0, n;
	int have_plain = 0;

	if (outlen == 0)
		return -1;
	/* "* CAPABILITY a b c" or "... [CAPABILITY a b c] ..." */
	if (len >= 13 && strncasecmp(line, "* CAPABILITY ", 13) == 0) {
		list = line + 13;
		lend = end;
	} else {
		for (p = line; p + 12 <= end; p++)
			if (*p == '[' && strncasecmp(p + 1, "CAPABILITY ", 11) == 0)
				break;
		if (p + 12 > end)
			return -1;
		list = p + 12;
		for (lend = list; lend < end && *lend != ']'; lend++)
			;
		if (lend == end)
			return -1;
	}
	put(out, outlen, &k, line, (size_t)(list - line));
	for (p = list; p < lend;) {
		const char *q = p;

		n = token(&q, lend, &t);
		if (n == 0)
			break;
		if (n == 10 && strncasecmp(t, "AUTH=PLAIN", 10) == 0)
			have_plain = 1;
		if (!imap_drop(t, n)) {
			if (k > 0 && out[k - 1] != ' ')
				put(out, outlen, &k, " ", 1);
			put(out, outlen, &k, t, n);
		}
		p = q;
	}
	if (add_auth && !have_plain) {
		if (k > 0 && out[k - 1] != ' ')
			put(out, outlen, &k, " ", 1);
		put(out, outlen, &k, "AUTH=PLAIN", 10);
	}
	put(out, outlen, &k, lend, (size_t)(end - lend));
	out[k] = '\0';
	return (long)k;
}

enum mitm_verb
mitm_wire_pop3_capa(const char *line, size_t len)
{
	const char *p = line, *t;
	size_t n = token(&p, line + len, &t);

	if (n == 4 && strncasecmp(t, "STLS", 4) == 0)
		return MITM_VERB_STARTTLS;
	if (n == 4 && strncasecmp(t, "USER", 4) == 0)
		return MITM_VERB_USER;
	if (n == 4 && strncasecmp(t, "SASL", 4) == 0)
		return MITM_VERB_AUTH;
	return MITM_VERB_OTHER;
}
