/*
 * fuzz_tlsa.c — TLSA RDATA: parse, judge, print; then treat the input as a set of records
 * (one length octet before each RDATA) for tlsa_set_assess().
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/tlsa.h"

#define FUZZ_TLSA_SET_MAX	16

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_rr rr, set[FUZZ_TLSA_SET_MAX];
	struct tlsa_set_health h;
	char buf[256];
	size_t n = 0, off = 0, l, need;

	tlsa_parse(data, size, &rr);
	(void)tlsa_usable_smtp(&rr);
	need = tlsa_format(&rr, buf, sizeof(buf));
	if (need < sizeof(buf) && strlen(buf) != need)
		__builtin_trap();
	(void)tlsa_status_name(rr.status);
	(void)tlsa_usage_name(rr.usage);

	while (off < size && n < FUZZ_TLSA_SET_MAX) {
		l = data[off++];
		if (l > size - off)
			l = size - off;
		tlsa_parse(data + off, l, &set[n++]);
		off += l;
	}
	tlsa_set_assess(set, n, &h);
	if (h.distinct_usable > h.usable || h.dane_ee + h.dane_ta != h.distinct_usable ||
	    h.usable + h.pkix + h.malformed != h.total)
		__builtin_trap();
	(void)tlsa_rollover_name(h.rollover);
	return 0;
}
