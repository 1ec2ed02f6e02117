/*
 * fuzz_hello_server.c — libFuzzer target for the server-flight parsers (lib/tls/hello.c).
 *
 * The same bytes go to the TLS parser, to the SSLv2 parser, and to the TLS parser once more
 * re-framed as one-byte records, which drives the reassembly of messages across records.
 * Every slice a result hands out is read in full so ASan sees any that point outside.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/hello.h"
#include "util/dbuf.h"

static volatile uint8_t fuzz_sink;

static void
fuzz_touch(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; p != NULL && i < len; i++)
		fuzz_sink ^= p[i];
}

static void
fuzz_server(const uint8_t *data, size_t size)
{
	struct hello_server sh;
	size_t i;

	hello_parse_server(data, size, &sh);
	if (sh.consumed > size)
		abort();
	fuzz_touch(sh.alpn.p, sh.alpn.len);
	fuzz_touch(sh.status.p, sh.status.len);
	for (i = 0; i < sh.ncerts && i < HELLO_MAX_CERTS; i++)
		fuzz_touch(sh.certs[i].p, sh.certs[i].len);
	fuzz_touch(sh.ske.raw.p, sh.ske.raw.len);
	fuzz_touch(sh.ske.dh_p.p, sh.ske.dh_p.len);
	fuzz_touch(sh.ske.ec_point.p, sh.ske.ec_point.len);
	fuzz_touch(sh.ske.signature.p, sh.ske.signature.len);
	hello_server_free(&sh);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hello_sslv2_server v2;
	struct dbuf b;
	uint8_t hdr[6] = { HELLO_CT_HANDSHAKE, 3, 3, 0, 1, 0 };
	size_t i;

	fuzz_server(data, size);

	hello_parse_sslv2(data, size, &v2);
	if (v2.consumed > size)
		abort();
	fuzz_touch(v2.cert, v2.cert_len);
	fuzz_touch(v2.conn_id, v2.conn_id_len);

	/* The input as a handshake stream in one-byte records. */
	if (size > 0 && size <= 4096) {
		dbuf_init(&b, 6 * size);
		for (i = 0; i < size; i++) {
			hdr[5] = data[i];
			dbuf_add(&b, hdr, sizeof(hdr));
		}
		fuzz_server(b.data, b.len);
		dbuf_free(&b);
	}
	return 0;
}
