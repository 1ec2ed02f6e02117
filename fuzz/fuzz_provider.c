/*
 * fuzz_provider.c — the HSTS header, autoconfig XML and SRV RDATA parsers (lib/provider/web.c)
 * over arbitrary bytes; the first byte picks the parser.
 */
#include <stddef.h>
#include <stdint.h>

#include "provider/web.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_hsts h;
	struct autoconfig ac;
	uint16_t p, w, port;
	char t[1100];

	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		web_hsts_parse((const char *)data + 1, size - 1, &h);
		break;
	case 1:
		autoconfig_parse((const char *)data + 1, size - 1, &ac);
		break;
	default:
		web_srv_decode(data + 1, size - 1, &p, &w, &port, t, sizeof(t));
		break;
	}
	return 0;
}
