/*
 * fuzz_mitm_xmpp.c — the XMPP stream scanner of `mailtls mitm` over arbitrary bytes, fed whole
 * and as a dribbling client would (one more byte each time), and the <starttls/> strip over every
 * complete element.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mitm/xmpp.h"

static void
scan(const char *buf, size_t len, size_t max)
{
	struct mitm_xmpp_item it;
	size_t off = 0;

	while (off < len) {
		enum mitm_xmpp_kind k = mitm_xmpp_next(buf + off, len - off, max, &it);

		if (k == MITM_XMPP_NEED_MORE || k == MITM_XMPP_BAD || k == MITM_XMPP_TOO_BIG)
			break;
		if (it.len == 0 || it.len > len - off)
			abort();	/* progress, and never past the input */
		if (k == MITM_XMPP_ELEMENT) {
			size_t cap = it.len + 256;
			char *out = malloc(cap);

			if (out != NULL) {
				if (mitm_xmpp_strip(buf + off, it.len, 1, out, cap) >= cap)
					abort();
				free(out);
			}
		}
		off += it.len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mitm_xmpp_item it;
	size_t i;

	scan((const char *)data, size, MITM_XMPP_ELEM_MAX);
	scan((const char *)data, size, 64);
	for (i = 1; i <= size && i < 512; i++)
		(void)mitm_xmpp_next((const char *)data, i, MITM_XMPP_ELEM_MAX, &it);
	return 0;
}
