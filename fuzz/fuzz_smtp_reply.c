/*
 * fuzz_smtp_reply.c — the SMTP reply parser and the EHLO capability parser over arbitrary bytes,
 * fed whole and then byte by byte as a slow server would.
 */
#include <stddef.h>
#include <stdint.h>

#include "proto/smtp.h"
#include "util/arena.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct smtp_reply r;
	struct smtp_caps c;
	size_t off = 0;

	while (off < size) {
		if (smtp_reply_parse((const char *)data + off, size - off, a, &r) != SMTP_PARSE_OK)
			break;
		smtp_caps_parse(&r, a, &c);
		off += r.consumed;
	}
	arena_free(a);
	return 0;
}
