/*
 * fuzz_scanin.c — the scan input's line parser: the input split at newlines into lines fed to
 * one parser state (so the format decided by the first line shapes the rest), each result
 * checked against the parser's promises.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sched/scanin.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scanin st;
	struct scanin_line out;
	size_t start = 0, i, n, k;

	/* the first byte picks the format and the columns, the rest is the list */
	if (size == 0)
		return 0;
	scanin_init(&st, (enum scanin_format)(data[0] % 3), (int)(data[0] >> 4) % 4 - 1,
	    (int)(data[0] >> 2) % 3 - 2);
	data++;
	size--;
	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		scanin_parse(&st, (const char *)data + start, i - start, &out);
		switch (out.kind) {
		case SCANIN_DOMAIN:
			n = strlen(out.domain);
			if (n == 0 || n > SCANIN_NAME_MAX || out.domain[n - 1] == '.')
				__builtin_trap();
			for (k = 0; k < n; k++) {
				char c = out.domain[k];

				if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-' &&
				    c != '.')
					__builtin_trap();
			}
			break;
		case SCANIN_ERROR:
			if (out.error[0] == '\0' || memchr(out.error, '\0', sizeof(out.error)) == NULL)
				__builtin_trap();
			break;
		case SCANIN_SKIP:
			break;
		default:
			__builtin_trap();
		}
		start = i + 1;
	}
	return 0;
}
