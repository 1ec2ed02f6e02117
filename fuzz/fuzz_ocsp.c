/*
 * fuzz_ocsp.c — a stapled OCSP response (lib/tls/ocsp.c), judged at a fixed time so runs repeat.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/err.h>

#include "tls/ocsp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ocsp_report r;

	ocsp_assess(data, size, 1700000000L, &r);
	if ((unsigned)r.status >= OCSP_STAPLE_LAST || (size > 0 && r.status == OCSP_STAPLE_NONE) ||
	    strlen(r.this_update) >= sizeof(r.this_update) || ERR_peek_error() != 0)
		__builtin_trap();
	(void)ocsp_staple_name(r.status);
	return 0;
}
