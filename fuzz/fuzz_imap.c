/*
 * fuzz_imap.c — the IMAP response-line and capability parsers over arbitrary bytes, line after
 * line as a server would send them.
 */
#include <stddef.h>
#include <stdint.h>

#include "proto/imap.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_line l;
	struct imap_caps c = { 0 };
	static char text[IMAP_LINE_MAX + 1];
	size_t off = 0;

	while (off < size) {
		if (imap_line_parse((const char *)data + off, size - off, &l, text, sizeof(text)) !=
		    IMAP_PARSE_OK)
			break;
		imap_caps_parse(l.text, &c);
		off += l.consumed;
	}
	return 0;
}
