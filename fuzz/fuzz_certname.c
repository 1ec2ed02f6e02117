/*
 * fuzz_certname.c — RFC 6125 matching with attacker-chosen certificate names: the input is split
 * at the first NUL into a pattern (from the certificate) and a reference name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/certname.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2), *ref;
	const char *one[1];

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	ref = buf + strlen(buf) + 1;
	if (ref > buf + size)
		ref = buf + size + 1;
	certname_match(buf, ref);
	one[0] = buf;
	certname_check(one, 1, buf, ref, NULL);
	certname_check(NULL, 0, buf, ref, NULL);
	free(buf);
	return 0;
}
