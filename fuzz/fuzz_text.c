/*
 * fuzz_text.c — text_clean() over arbitrary bytes: the output is always clean and terminated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[512];
	size_t n;

	n = text_clean(out, sizeof(out), (const char *)data, size);
	if (n >= sizeof(out) || out[n] != '\0' || !text_is_clean(out, n))
		abort();
	return 0;
}
