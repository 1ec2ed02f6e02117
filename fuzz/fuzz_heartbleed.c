/*
 * fuzz_heartbleed.c — the Heartbleed verdict over whatever a server sends after our request.
 */
#include <stddef.h>
#include <stdint.h>

#include "scan/heartbleed.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	heartbleed_judge(data, size);
	return 0;
}
