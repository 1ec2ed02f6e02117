/*
 * txtrec.c — see txtrec.h.
 */
#include <string.h>

#include "dns/txtrec.h"

int
txtrec_has_version(const char *s, size_t n, const char *version)
{
	size_t vl = strlen(version);

	if (s == NULL || n < vl || memcmp(s, version, vl) != 0)
		return 0;
	return n == vl || s[vl] == ';' || txtrec_wsp((unsigned char)s[vl]);
}

size_t
txtrec_select(const char *const *txt, const size_t *lens, size_t n, const char *version,
    size_t *idx)
{
	size_t i, found = 0, len;

	for (i = 0; i < n; i++) {
		if (txt[i] == NULL)
			continue;
		len = lens != NULL ? lens[i] : strlen(txt[i]);
		if (!txtrec_has_version(txt[i], len, version))
			continue;
		if (found++ == 0 && idx != NULL)
			*idx = i;
	}
	return found;
}
