/*
 * text.c — see text.h.
 */
#include <string.h>

#include "util/arena.h"
#include "util/text.h"

/* Length of the valid, non-control UTF-8 sequence at s (1..4), or 0. */
static size_t
text_seq(const unsigned char *s, size_t n)
{
	unsigned int cp;
	size_t len, i;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f ? 1 : 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF, and the C1 controls */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

size_t
text_clean(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, k;

	if (dstlen == 0)
		return 0;
	while (i < srclen && o + 1 < dstlen) {
		k = text_seq(s + i, srclen - i);
		if (k == 0) {
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + k >= dstlen)
			break;		/* never cut a character in two */
		memcpy(dst + o, s + i, k);
		o += k;
		i += k;
	}
	dst[o] = '\0';
	return o;
}

int
text_is_clean(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = text_seq((const unsigned char *)s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

const char *
text_clean_dup(struct arena *a, const char *s)
{
	size_t n;
	char *d;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (text_is_clean(s, n))
		return arena_strndup(a, s, n);
	d = arena_alloc(a, n + 1);
	text_clean(d, n + 1, s, n);
	return d;
}
