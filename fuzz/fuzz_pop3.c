/*
 * fuzz_pop3.c — the POP3 reply parser (single- and multi-line) and the CAPA parser over arbitrary
 * bytes; the first byte picks single or multi-line replies.
 */
#include <stddef.h>
#include <stdint.h>

#include "proto/pop3.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pop3_reply r;
	struct pop3_caps c;
	static char text[POP3_TEXT_MAX];
	size_t off = 1;
	int multi;

	if (size == 0)
		return 0;
	multi = data[0] & 1;
	while (off < size) {
		if (pop3_reply_parse((const char *)data + off, size - off, multi, &r, text,
		    sizeof(text)) != POP3_PARSE_OK)
			break;
		pop3_caps_parse(r.text, &c);
		off += r.consumed;
	}
	return 0;
}
