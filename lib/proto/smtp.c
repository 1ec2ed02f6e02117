/*
 * smtp.c — SMTP reply and EHLO capability parsers.
 *
 * RFC 5321 §4.2: a reply is one or more lines "NNN-text" ending with "NNN text" (or "NNN" alone);
 * every line carries the same code, whose digits are 2-5, 0-5 and 0-9.  We accept bare LF as a line end because broken middleboxes send
 * it and rejecting it would hide the real finding behind a parse error.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/smtp.h"
#include "util/arena.h"
#include "util/text.h"

static const char *const smtp_parse_names[SMTP_PARSE_LAST] = {
	[SMTP_PARSE_OK] = "ok",
	[SMTP_PARSE_NEED_MORE] = "need more",
	[SMTP_PARSE_BAD] = "not an SMTP reply",
	[SMTP_PARSE_LINE_TOO_LONG] = "line too long",
	[SMTP_PARSE_REPLY_TOO_LONG] = "reply too long",
};

const char *
smtp_parse_name(enum smtp_parse p)
{
	return (unsigned)p < SMTP_PARSE_LAST ? smtp_parse_names[p] : "?";
}

int
smtp_reply_class(int code)
{
	return code >= 200 && code < 600 ? code / 100 : 0;
}

/*
 * RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39.  Is the start of a line (n bytes, maybe
 * fewer than the code's three) still a possible reply line?  want is the first line's code,
 * which every line of the reply repeats, or NULL on the first line.
 */
static int
smtp_code_prefix_ok(const char *s, size_t n, const char *want)
{
	static const char lo[3] = { '2', '0', '0' }, hi[3] = { '5', '5', '9' };
	size_t i;

	for (i = 0; i < n && i < 3; i++)
		if (s[i] < lo[i] || s[i] > hi[i] || (want != NULL && s[i] != want[i]))
			return 0;
	/* after the code: "-" (more lines follow), SP, or the line end */
	return n < 4 || s[3] == '-' || s[3] == ' ' || s[3] == '\r';
}

/*
 * Two passes: the first finds the end of the reply and checks every line within the ceilings
 * without allocating; the second copies the lines into the arena.
 */
enum smtp_parse
smtp_reply_parse(const char *buf, size_t len, struct arena *a, struct smtp_reply *r)
{
	size_t off = 0, eol, linelen, nlines = 0, i;
	int last = 0;
	const char *nl, *first = NULL;

	memset(r, 0, sizeof(*r));
	while (!last) {
		nl = memchr(buf + off, '\n', len - off);
		if (nl == NULL) {
			/* a partial line over the ceiling, unless only its CR is still to be followed by LF */
			if (len - off > SMTP_LINE_MAX + 1 ||
			    (len - off == SMTP_LINE_MAX + 1 && buf[len - 1] != '\r'))
				return SMTP_PARSE_LINE_TOO_LONG;
			if (off > SMTP_REPLY_BYTES_MAX)
				return SMTP_PARSE_REPLY_TOO_LONG;
			/* a partial line can already be judged: a code in range, the same code, a separator */
			if (!smtp_code_prefix_ok(buf + off, len - off, first))
				return SMTP_PARSE_BAD;
			return SMTP_PARSE_NEED_MORE;
		}
		eol = (size_t)(nl - buf);
		linelen = eol - off;
		if (linelen > 0 && buf[eol - 1] == '\r')
			linelen--;
		if (linelen > SMTP_LINE_MAX)
			return SMTP_PARSE_LINE_TOO_LONG;
		/* "NNN" alone, "NNN text", "NNN-text"; a CR only right before the LF */
		if (linelen < 3 || !smtp_code_prefix_ok(buf + off, linelen, first) ||
		    (linelen > 3 && buf[off + 3] == '\r'))
			return SMTP_PARSE_BAD;
		if (first == NULL)
			first = buf + off;
		if (linelen == 3 || buf[off + 3] == ' ')
			last = 1;
		nlines++;
		off = eol + 1;
		if (nlines > SMTP_REPLY_LINES_MAX || off > SMTP_REPLY_BYTES_MAX)
			return SMTP_PARSE_REPLY_TOO_LONG;
	}

	r->code = (first[0] - '0') * 100 + (first[1] - '0') * 10 + (first[2] - '0');
	r->nlines = nlines;
	r->consumed = off;
	r->lines = arena_alloc(a, nlines * sizeof(char *));
	for (off = 0, i = 0; i < nlines; i++) {
		nl = memchr(buf + off, '\n', len - off);
		eol = (size_t)(nl - buf);
		linelen = eol - off;
		if (linelen > 0 && buf[eol - 1] == '\r')
			linelen--;
		r->lines[i] = linelen > 4 ? arena_strndup(a, buf + off + 4, linelen - 4) :
		    arena_strdup(a, "");
		off = eol + 1;
	}
	return SMTP_PARSE_OK;
}

/* Does the keyword line start with word kw, followed by end, space or '='? */
static int
smtp_kw(const char *line, const char *kw, const char **rest)
{
	size_t n = strlen(kw);

	if (strncasecmp(line, kw, n) != 0)
		return 0;
	if (line[n] != '\0' && line[n] != ' ' && line[n] != '=')
		return 0;
	if (rest)
		*rest = line[n] ? line + n + 1 : line + n;
	return 1;
}

static void
smtp_caps_add_auth(struct smtp_caps *c, struct arena *a, const char *mechs)
{
	char *s, *p;

	while (*mechs == ' ')
		mechs++;
	if (*mechs == '\0')
		return;
	s = c->auth_mechs ? arena_printf(a, "%s %s", c->auth_mechs, mechs) :
	    arena_strdup(a, mechs);
	s = (char *)text_clean_dup(a, s);
	for (p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	c->auth_mechs = s;
}

void
smtp_caps_parse(const struct smtp_reply *r, struct arena *a, struct smtp_caps *c)
{
	const char *line, *rest;
	char *end;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (r->nlines == 0)
		return;
	c->greeting = text_clean_dup(a, r->lines[0]);
	c->keywords = arena_alloc(a, r->nlines * sizeof(char *));
	for (i = 1; i < r->nlines; i++) {
		line = r->lines[i];
		c->keywords[c->nkeywords++] = text_clean_dup(a, line);
		if (smtp_kw(line, "STARTTLS", NULL))
			c->starttls = 1;
		else if (smtp_kw(line, "PIPELINING", NULL))
			c->pipelining = 1;
		else if (smtp_kw(line, "8BITMIME", NULL))
			c->eightbitmime = 1;
		else if (smtp_kw(line, "SMTPUTF8", NULL))
			c->smtputf8 = 1;
		else if (smtp_kw(line, "CHUNKING", NULL))
			c->chunking = 1;
		else if (smtp_kw(line, "DSN", NULL))
			c->dsn = 1;
		else if (smtp_kw(line, "ENHANCEDSTATUSCODES", NULL))
			c->enhancedstatuscodes = 1;
		else if (smtp_kw(line, "REQUIRETLS", NULL))
			c->requiretls = 1;
		else if (smtp_kw(line, "AUTH", &rest)) {
			/* "AUTH PLAIN LOGIN" and the pre-standard "AUTH=PLAIN LOGIN" */
			c->auth = 1;
			smtp_caps_add_auth(c, a, rest);
		} else if (smtp_kw(line, "SIZE", &rest)) {
			if (*rest == '\0')
				c->size = 0;
			else {
				c->size = strtoll(rest, &end, 10);
				if (end == rest || *end != '\0' || c->size < 0)
					c->size = -1;
			}
		}
	}
}
