/*
 * web.c — the HSTS, autoconfig and SRV parsers (see web.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/rdata.h"
#include "provider/web.h"
#include "util/text.h"

static const char *const autoconfig_socket_names[AUTOCONFIG_SOCKET_LAST] = {
	[AUTOCONFIG_SOCKET_PLAIN] = "plain",
	[AUTOCONFIG_SOCKET_STARTTLS] = "STARTTLS",
	[AUTOCONFIG_SOCKET_SSL] = "SSL",
	[AUTOCONFIG_SOCKET_OTHER] = "other",
};

const char *
autoconfig_socket_name(enum autoconfig_socket s)
{
	return (unsigned)s < AUTOCONFIG_SOCKET_LAST ? autoconfig_socket_names[s] : "?";
}

/*
 * RFC 6797 §6.1: Strict-Transport-Security = [ directive ] *( ";" [ directive ] ), directive =
 * name [ "=" value ], value a token or a quoted string; names are case-insensitive; max-age is
 * required, and no directive may appear twice.
 */
int
web_hsts_parse(const char *s, size_t n, struct web_hsts *h)
{
	size_t i = 0, ns, ne, vs, ve;
	int seen_age = 0, bad = 0;

	memset(h, 0, sizeof(*h));
	h->max_age = -1;
	while (i <= n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		ns = i;
		while (i < n && s[i] != '=' && s[i] != ';' && s[i] != ' ' && s[i] != '\t')
			i++;
		ne = i;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		vs = ve = i;
		if (i < n && s[i] == '=') {
			i++;
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i < n && s[i] == '"') {
				vs = ++i;
				while (i < n && s[i] != '"')
					i++;
				if (i == n)
					return -1;	/* unterminated quoted string */
				ve = i++;
			} else {
				vs = i;
				while (i < n && s[i] != ';' && s[i] != ' ' && s[i] != '\t')
					i++;
				ve = i;
			}
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
		}
		if (i < n && s[i] != ';')
			bad = 1;
		while (i < n && s[i] != ';')
			i++;
		if (ne - ns == 7 && strncasecmp(s + ns, "max-age", 7) == 0) {
			long long v = 0;
			size_t k;

			if (seen_age++ || ve == vs)
				bad = 1;
			for (k = vs; k < ve; k++) {
				if (!isdigit((unsigned char)s[k]) || v > 1000000000000LL) {
					bad = 1;
					break;
				}
				v = v * 10 + (s[k] - '0');
			}
			if (!bad)
				h->max_age = v;
		} else if (ne - ns == 17 && strncasecmp(s + ns, "includeSubDomains", 17) == 0) {
			if (h->subdomains++)
				bad = 1;
		} else if (ne - ns == 7 && strncasecmp(s + ns, "preload", 7) == 0)
			h->preload = 1;
		i++;	/* past ';' (or the end) */
	}
	if (h->subdomains > 1)
		h->subdomains = 1;
	h->valid = !bad && h->max_age >= 0;
	return h->valid ? 0 : -1;
}

/* The text of the first <tag>...</tag> inside [b, e), copied and trimmed; 0 if found. */
static int
autoconfig_text(const char *b, const char *e, const char *tag, char *out, size_t outsz)
{
	char open[40], close[40];
	const char *p, *q;
	size_t n;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	for (p = b; p + strlen(open) <= e; p++)
		if (memcmp(p, open, strlen(open)) == 0)
			break;
	if (p + strlen(open) > e)
		return -1;
	p += strlen(open);
	for (q = p; q + strlen(close) <= e; q++)
		if (memcmp(q, close, strlen(close)) == 0)
			break;
	if (q + strlen(close) > e)
		return -1;
	while (p < q && isspace((unsigned char)*p))
		p++;
	while (q > p && isspace((unsigned char)q[-1]))
		q--;
	n = (size_t)(q - p);
	if (n >= outsz)
		n = outsz - 1;
	text_clean(out, outsz, p, n);
	return 0;
}

/* The value of attribute name in the tag starting at b (up to '>'), copied; 0 if found. */
static int
autoconfig_attr(const char *b, const char *e, const char *name, char *out, size_t outsz)
{
	const char *gt = memchr(b, '>', (size_t)(e - b)), *p, *v;
	size_t nl = strlen(name), n;
	char q;

	if (gt == NULL)
		return -1;
	for (p = b; p + nl + 2 < gt; p++) {
		if (memcmp(p, name, nl) != 0 || p[nl] != '=' || (p[-1] != ' ' && p[-1] != '\t' &&
		    p[-1] != '\n'))
			continue;
		q = p[nl + 1];
		if (q != '"' && q != '\'')
			return -1;
		v = p + nl + 2;
		p = memchr(v, q, (size_t)(gt - v));
		if (p == NULL)
			return -1;
		n = (size_t)(p - v);
		if (n >= outsz)
			n = outsz - 1;
		text_clean(out, outsz, v, n);
		return 0;
	}
	return -1;
}

static const char *
autoconfig_find(const char *b, const char *e, const char *needle)
{
	size_t nl = strlen(needle);
	const char *p;

	for (p = b; p + nl <= e; p++)
		if (memcmp(p, needle, nl) == 0)
			return p;
	return NULL;
}

int
autoconfig_parse(const char *buf, size_t len, struct autoconfig *ac)
{
	const char *e = buf + len, *p = buf, *in, *out, *s, *end;
	char port[16], sock[32];
	struct autoconfig_server *sv;
	int outgoing;

	memset(ac, 0, sizeof(ac[0]));
	if (len > AUTOCONFIG_MAX_BYTES || autoconfig_find(buf, e, "<clientConfig") == NULL)
		return -1;
	for (;;) {
		in = autoconfig_find(p, e, "<incomingServer");
		out = autoconfig_find(p, e, "<outgoingServer");
		if (in == NULL && out == NULL)
			break;
		outgoing = in == NULL || (out != NULL && out < in);
		s = outgoing ? out : in;
		end = autoconfig_find(s, e, outgoing ? "</outgoingServer>" : "</incomingServer>");
		if (end == NULL)
			return -1;
		p = end + 1;
		if (ac->nservers == AUTOCONFIG_SERVERS_MAX) {
			ac->truncated = 1;
			break;
		}
		sv = &ac->servers[ac->nservers];
		memset(sv, 0, sizeof(*sv));
		sv->outgoing = outgoing;
		if (autoconfig_attr(s, end, "type", sv->type, sizeof(sv->type)) < 0 ||
		    autoconfig_text(s, end, "hostname", sv->hostname, sizeof(sv->hostname)) < 0 ||
		    autoconfig_text(s, end, "port", port, sizeof(port)) < 0)
			continue;
		sv->port = atoi(port);
		if (sv->port <= 0 || sv->port > 65535)
			continue;
		sock[0] = '\0';
		autoconfig_text(s, end, "socketType", sock, sizeof(sock));
		sv->socket = strcasecmp(sock, "SSL") == 0 ? AUTOCONFIG_SOCKET_SSL :
		    strcasecmp(sock, "STARTTLS") == 0 ? AUTOCONFIG_SOCKET_STARTTLS :
		    strcasecmp(sock, "plain") == 0 ? AUTOCONFIG_SOCKET_PLAIN : AUTOCONFIG_SOCKET_OTHER;
		ac->nservers++;
	}
	ac->valid = ac->nservers > 0;
	return ac->valid ? 0 : -1;
}

int
web_srv_decode(const uint8_t *rd, size_t len, uint16_t *prio, uint16_t *weight, uint16_t *port,
    char *target, size_t targetsz)
{
	size_t used = 0;

	if (len < 7)
		return -1;
	*prio = (uint16_t)(rd[0] << 8 | rd[1]);
	*weight = (uint16_t)(rd[2] << 8 | rd[3]);
	*port = (uint16_t)(rd[4] << 8 | rd[5]);
	if (rdata_name(rd + 6, len - 6, &used, target, targetsz) != RDATA_OK || used != len - 6)
		return -1;
	return 0;
}
