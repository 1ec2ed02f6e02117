/*
 * fuzz_mtasts_record.c — the _mta-sts TXT record parser, and selection over the input split at
 * NUL bytes into several strings.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/mtasts.h"

#define FUZZ_TXT_MAX	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *txt[FUZZ_TXT_MAX];
	size_t lens[FUZZ_TXT_MAX], n = 0, start = 0, i, idx;
	struct mtasts_record r;

	if (mtasts_record_parse((const char *)data, size, &r) == MTASTS_OK) {
		if (strlen(r.id) == 0 || strlen(r.id) > MTASTS_ID_MAX)
			__builtin_trap();
	} else if (r.err_off > size)
		__builtin_trap();
	(void)mtasts_status_name(r.status);

	for (i = 0; i <= size && n < FUZZ_TXT_MAX; i++) {
		if (i == size || data[i] == '\0') {
			txt[n] = (const char *)data + start;
			lens[n++] = i - start;
			start = i + 1;
		}
	}
	if (mtasts_record_select(txt, lens, n, &idx) == MTASTS_OK) {
		if (idx >= n)
			__builtin_trap();
		(void)mtasts_record_parse(txt[idx], lens[idx], &r);
	}
	return 0;
}
