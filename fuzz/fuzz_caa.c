/*
 * fuzz_caa.c — CAA RDATA (lib/dns/caa.c): parse one record, then the input as a set of records
 * (one length octet before each RDATA) for caa_assess() and caa_finding().
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/caa.h"

#define FUZZ_CAA_SET_MAX	16

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct caa_rr rr, set[FUZZ_CAA_SET_MAX];
	struct caa_result res;
	char detail[300];
	size_t n = 0, off = 0, l;

	if (caa_parse(data, size, &rr) != rr.status || strlen(rr.issuer) > CAA_ISSUER_MAX ||
	    strlen(rr.tagtext) > CAA_TAG_MAX)
		__builtin_trap();
	(void)caa_status_name(rr.status);
	(void)caa_tag_name(rr.tag);
	while (off < size && n < FUZZ_CAA_SET_MAX) {
		l = data[off++];
		if (l > size - off)
			l = size - off;
		caa_parse(data + off, l, &set[n++]);
		off += l;
	}
	memset(&res, 0, sizeof(res));
	res.outcome = CAA_FOUND;
	caa_assess(set, n, &res.set);
	if (res.set.malformed > res.set.nrecords || res.set.nissue > res.set.nrecords ||
	    res.set.nissuers > res.set.nissue)
		__builtin_trap();
	(void)caa_finding(&res, "mx.example", detail, sizeof(detail));
	return 0;
}
