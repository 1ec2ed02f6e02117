/*
 * fuzz_reaction.c — the server's reaction after our ROBOT / CCS records (lib/scan/rawhs.c):
 * parsed, compared with itself, printed and judged (ccs.c).  The first byte picks how the wait
 * ended.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scan/ccs.h"
#include "scan/rawhs.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rawhs_reaction r, s;
	char buf[160];

	if (size < 1)
		return 0;
	r.end = s.end = (enum conv_end)(data[0] % CONV_END_LAST);
	rawhs_reaction_parse(data + 1, size - 1, &r);
	rawhs_reaction_parse(data + 1, size - 1, &s);
	if (!rawhs_reaction_equal(&r, &s))
		__builtin_trap();
	rawhs_reaction_format(&r, buf, sizeof(buf));
	if (strlen(buf) >= sizeof(buf))
		__builtin_trap();
	rawhs_reaction_format(&r, buf, 1 + data[0] % 40);
	(void)ccs_judge(&r);
	(void)rawhs_reaction_fatal(&r);
	return 0;
}
