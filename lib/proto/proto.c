/*
 * proto.c — the protocol table (one row per protocol) and the helpers modules share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe/endpoint.h"
#include "probe/probe.h"
#include "proto/proto.h"
#include "util/arena.h"
#include "util/text.h"

static const struct proto_info proto_table[ENDPOINT_PROTO_LAST] = {
	[ENDPOINT_PROTO_SMTP] = { "smtp", 25, 0, PROTO_KIND_RELAY, "smtp", "STARTTLS", "NOOP",
	    &proto_module_smtp },
	[ENDPOINT_PROTO_SMTPS] = { "smtps", 465, 1, PROTO_KIND_RELAY, "smtp", NULL, NULL,
	    &proto_module_smtp },
	[ENDPOINT_PROTO_SUBMISSION] = { "submission", 587, 0, PROTO_KIND_CLIENT, "submission",
	    "STARTTLS", "NOOP", &proto_module_submission },
	[ENDPOINT_PROTO_SUBMISSIONS] = { "submissions", 465, 1, PROTO_KIND_CLIENT, "submission",
	    NULL, NULL, &proto_module_submission },
	[ENDPOINT_PROTO_IMAP] = { "imap", 143, 0, PROTO_KIND_CLIENT, "imap", "STARTTLS",
	    "a NOOP", &proto_module_imap },
	[ENDPOINT_PROTO_IMAPS] = { "imaps", 993, 1, PROTO_KIND_CLIENT, "imap", NULL, NULL,
	    &proto_module_imap },
	[ENDPOINT_PROTO_POP3] = { "pop3", 110, 0, PROTO_KIND_CLIENT, "pop3", "STLS", "NOOP",
	    &proto_module_pop3 },
	[ENDPOINT_PROTO_POP3S] = { "pop3s", 995, 1, PROTO_KIND_CLIENT, "pop3", NULL, NULL,
	    &proto_module_pop3 },
	[ENDPOINT_PROTO_XMPP] = { "xmpp", 5222, 0, PROTO_KIND_CLIENT, "xmpp-client", "<starttls/>",
	    NULL, &proto_module_xmpp },
	[ENDPOINT_PROTO_XMPP_SERVER] = { "xmpp-server", 5269, 0, PROTO_KIND_RELAY, "xmpp-server",
	    "<starttls/>", NULL, &proto_module_xmpp },
	[ENDPOINT_PROTO_XMPPS] = { "xmpps", 5223, 1, PROTO_KIND_CLIENT, "xmpp-client", NULL, NULL,
	    &proto_module_xmpp },
	[ENDPOINT_PROTO_XMPPS_SERVER] = { "xmpps-server", 5270, 1, PROTO_KIND_RELAY, "xmpp-server",
	    NULL, NULL, &proto_module_xmpp },
	[ENDPOINT_PROTO_HTTPS] = { "https", 443, 1, PROTO_KIND_WEB, "https", NULL, NULL,
	    &proto_module_https },
};

const struct proto_info *
proto_info(int p)
{
	return p >= 0 && p < ENDPOINT_PROTO_LAST ? &proto_table[p] : NULL;
}

int
proto_by_name(const char *s)
{
	int i;

	for (i = 0; i < ENDPOINT_PROTO_LAST; i++)
		if (strcmp(proto_table[i].name, s) == 0)
			return i;
	return -1;
}

int
proto_count(void)
{
	return ENDPOINT_PROTO_LAST;
}

void
proto_conv_log(struct proto_conv *c, char dir, const char *text, size_t len)
{
	endpoint_log(c->ep, c->arena, dir, text, len);
}

void
proto_conv_note(struct proto_conv *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	endpoint_log(c->ep, c->arena, '*', buf, strlen(buf));
}

enum proto_next
proto_conv_fail(struct proto_conv *c, int id, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	endpoint_finding(c->ep, c->arena, (enum finding_id)id, "%s", buf);
	endpoint_log(c->ep, c->arena, '*', buf, strlen(buf));
	if (c->pipe && c->pipe_decide)
		c->pipe_decide(c, PROBE_PIPE_INCONCLUSIVE, buf);
	return PROTO_NEXT_FAILED;
}

void
proto_words_add(char *dst, size_t dstsz, const char *w, size_t n)
{
	size_t have = strlen(dst);

	if (have + n + 2 > dstsz)
		return;
	if (have > 0)
		dst[have++] = ' ';
	memcpy(dst + have, w, n);
	dst[have + n] = '\0';
}

const char *
proto_conv_text(struct proto_conv *c, const char *s, size_t len)
{
	char buf[1024];

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	text_clean(buf, sizeof(buf), s, len);
	return arena_strdup(c->arena, buf);
}
