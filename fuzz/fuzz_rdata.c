/*
 * fuzz_rdata.c — the RDATA decoders of lib/dns/rdata.c.  The first octet picks the output buffer
 * size (so the ceilings get exercised too); the rest is one RDATA, fed to every decoder.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/rdata.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Output must be a NUL-terminated string inside the buffer. */
static void
fuzz_rdata_check_text(const char *out, size_t size)
{
	if (size > 0 && memchr(out, '\0', size) == NULL)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[RDATA_NAME_TEXT_MAX], txt[65536];
	const uint8_t *rd;
	size_t len, osize, used, tlen;
	enum rdata_status s;
	uint16_t pref;

	if (size < 1)
		return 0;
	osize = data[0] == 0xff ? sizeof(out) : data[0];
	rd = data + 1;
	len = size - 1;

	s = rdata_name(rd, len, &used, out, osize);
	fuzz_rdata_check_text(out, osize);
	if ((s == RDATA_OK) != (used > 0) || used > len || used > RDATA_NAME_WIRE_MAX)
		__builtin_trap();
	/* with the full buffer, a name never runs out of room */
	s = rdata_name(rd, len, &used, out, sizeof(out));
	if (s == RDATA_NO_SPACE)
		__builtin_trap();
	if (s == RDATA_OK && (strlen(out) == 0 || out[strlen(out) - 1] != '.'))
		__builtin_trap();

	(void)rdata_a(rd, len, out, osize);
	fuzz_rdata_check_text(out, osize);
	(void)rdata_aaaa(rd, len, out, osize);
	fuzz_rdata_check_text(out, osize);
	(void)rdata_mx(rd, len, &pref, out, osize);
	fuzz_rdata_check_text(out, osize);
	(void)rdata_cname(rd, len, out, osize);
	fuzz_rdata_check_text(out, osize);

	s = rdata_txt(rd, len, txt, osize, &tlen);
	fuzz_rdata_check_text(txt, osize);
	if (s == RDATA_OK && (tlen >= osize || tlen >= len || txt[tlen] != '\0'))
		__builtin_trap();
	s = rdata_txt(rd, len, txt, sizeof(txt), &tlen);
	if (s == RDATA_NO_SPACE)
		__builtin_trap();
	(void)rdata_status_name(s);
	return 0;
}
