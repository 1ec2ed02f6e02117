/*
 * fuzz_socketmap.c — the socketmap server's input path over attacker bytes: netstrings one after
 * another (as a connection's buffer is consumed), each payload as a request, each key as a
 * policy domain, and a reply formatted from the key.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy/socketmap.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *payload;
	size_t off = 0, plen, used;
	char dom[256], reply[SOCKETMAP_REPLY_MAX], key[SOCKETMAP_REQUEST_MAX + 1];
	struct socketmap_request req;

	while (off < size) {
		enum socketmap_status st = socketmap_netstring_parse(buf + off, size - off,
		    SOCKETMAP_REQUEST_MAX, &payload, &plen, &used);

		if (st != SOCKETMAP_OK)
			break;
		if (used == 0 || used > size - off || payload < buf + off ||
		    payload + plen > buf + off + used)
			__builtin_trap();
		off += used;
		if (socketmap_request_parse(payload, plen, &req) != SOCKETMAP_OK)
			continue;
		if (socketmap_key_domain(req.key, req.key_len, dom, sizeof(dom)) == 0 &&
		    strlen(dom) > 253)
			__builtin_trap();
		memcpy(key, req.key, req.key_len);
		key[req.key_len] = '\0';
		socketmap_reply_format(reply, sizeof(reply), SOCKETMAP_REPLY_OK, key);
	}
	return 0;
}
