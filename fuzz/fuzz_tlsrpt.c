/*
 * fuzz_tlsrpt.c — the _smtp._tls TXT record parser, and selection over the input split at NUL
 * bytes into several strings.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/tlsrpt.h"
#include "util/arena.h"

#define FUZZ_TXT_MAX	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *txt[FUZZ_TXT_MAX];
	size_t lens[FUZZ_TXT_MAX], n = 0, start = 0, i, idx;
	struct tlsrpt_record r;
	struct arena *a;

	a = arena_new();
	if (tlsrpt_record_parse((const char *)data, size, a, &r) == TLSRPT_OK) {
		if (r.nrua == 0 || r.nrua > TLSRPT_RUA_MAX)
			__builtin_trap();
		for (i = 0; i < r.nrua; i++)
			if (strlen(r.rua[i].uri) == 0 || r.rua[i].scheme >= TLSRPT_SCHEME_LAST)
				__builtin_trap();
	} else if (r.err_off > size)
		__builtin_trap();
	(void)tlsrpt_status_name(r.status);

	for (i = 0; i <= size && n < FUZZ_TXT_MAX; i++) {
		if (i == size || data[i] == '\0') {
			txt[n] = (const char *)data + start;
			lens[n++] = i - start;
			start = i + 1;
		}
	}
	if (tlsrpt_record_select(txt, lens, n, &idx) == TLSRPT_OK)
		(void)tlsrpt_record_parse(txt[idx], lens[idx], a, &r);
	arena_free(a);
	return 0;
}
