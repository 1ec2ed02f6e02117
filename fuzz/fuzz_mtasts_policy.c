/*
 * fuzz_mtasts_policy.c — the MTA-STS policy body, then matching its patterns against a host
 * name taken from the input's first line, and the Content-Type check on the same line.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/mtasts.h"
#include "util/arena.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mtasts_policy p;
	struct arena *a;
	char host[256];
	size_t i, n;

	a = arena_new();
	if (mtasts_policy_parse((const char *)data, size, a, &p) == MTASTS_OK) {
		if (p.nmx > MTASTS_MX_MAX || p.max_age > MTASTS_MAX_AGE_MAX ||
		    (p.nmx == 0 && p.mode != MTASTS_MODE_NONE))
			__builtin_trap();
		for (i = 0; i < p.nmx; i++)
			(void)mtasts_mx_match(p.mx[i], p.mx[i]);
	}
	(void)mtasts_status_name(p.status);
	(void)mtasts_mode_name(p.mode);

	for (n = 0; n < size && n < sizeof(host) - 1 && data[n] != '\n' && data[n] != '\0'; n++)
		host[n] = (char)data[n];
	host[n] = '\0';
	(void)mtasts_policy_matches(&p, host);
	(void)mtasts_mx_match(host, "mx1.example.com");
	(void)mtasts_mx_match("*.example.com", host);
	(void)mtasts_content_type_ok(host);
	arena_free(a);
	return 0;
}
