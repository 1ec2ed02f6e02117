/*
 * fuzz_xmpp.c — the XMPP stream tokenizer, the stream-header, features and condition parsers over
 * arbitrary bytes, item after item as a server would send them.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/xmpp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xmpp_item it;
	struct xmpp_header h;
	struct xmpp_features f;
	char cond[64];
	const char *p = (const char *)data;
	size_t off = 0;

	while (off < size) {
		enum xmpp_kind k = xmpp_next(p + off, size - off, &it);

		if (k == XMPP_NEED_MORE || k == XMPP_BAD || k == XMPP_TOO_BIG)
			break;
		if (k == XMPP_OPEN)
			xmpp_header_parse(p + off, it.len, &h);
		if (k == XMPP_ELEMENT) {
			xmpp_features_parse(p + off, it.len, &f);
			xmpp_condition(p + off, it.len, cond, sizeof(cond));
		}
		off += it.len;
	}
	return 0;
}
