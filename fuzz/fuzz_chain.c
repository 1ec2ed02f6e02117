/*
 * fuzz_chain.c — a certificate chain as a server sends it (lib/tls/chain.c): the input is cut
 * into certificates by 2-byte lengths (a TLS 1.2 Certificate message in miniature) and judged.
 */
#include <stddef.h>
#include <stdint.h>

#include <openssl/err.h>

#include "tls/chain.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *der[CHAIN_MAX + 2];
	size_t len[CHAIN_MAX + 2], n = 0, off = 0, l;
	struct chain_report r;

	while (off + 2 <= size && n < CHAIN_MAX + 2) {
		l = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (l > size - off)
			l = size - off;
		der[n] = data + off;
		len[n++] = l;
		off += l;
	}
	chain_assess(der, len, n, &r);
	if (r.path + r.extra != r.ncerts && r.path != 0)
		__builtin_trap();
	if (r.path > CHAIN_MAX || r.unparsed > r.ncerts || ERR_peek_error() != 0)
		__builtin_trap();
	return 0;
}
