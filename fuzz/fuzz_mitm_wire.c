/*
 * fuzz_mitm_wire.c — what a mail client sends to `mailtls mitm` (every byte untrusted): each
 * line through the SMTP, IMAP and POP3 command parsers, and through the server-side rewrites
 * (IMAP capability strip, POP3 CAPA keywords, EHLO keywords) as a hostile upstream would feed them.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mitm/wire.h"
#include "util/dbuf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	char out[512];
	const char *lines[4];
	struct mitm_cmd c;
	struct dbuf b;
	int sync, proto;

	while (p < end) {
		size_t len;

		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		for (proto = 0; proto < MITM_PROTO_LAST; proto++)
			mitm_wire_cmd((enum mitm_proto)proto, p, len, &c);
		(void)mitm_wire_imap_literal(p, len, &sync);
		(void)mitm_wire_imap_caps(p, len, 1, out, sizeof(out));
		(void)mitm_wire_imap_caps(p, len, 0, out, 16);
		(void)mitm_wire_pop3_capa(p, len);
		(void)mitm_wire_ehlo_keyword(p, len);
		p += len + (nl != NULL);
	}
	/* the reply builder with arbitrary text lines, under a small ceiling */
	if (size > 0 && memchr(data, '\0', size) == NULL) {
		char *s = (char *)out;
		size_t n = size < sizeof(out) - 1 ? size : sizeof(out) - 1;

		memcpy(s, data, n);
		s[n] = '\0';
		lines[0] = s;
		lines[1] = "STARTTLS";
		dbuf_init(&b, 256);
		(void)mitm_wire_smtp_reply(250, lines, 2, &b);
		dbuf_free(&b);
	}
	return 0;
}
