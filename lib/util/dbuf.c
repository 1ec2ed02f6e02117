/*
 * dbuf.c — see dbuf.h.
 */
#include <stdlib.h>
#include <string.h>

#include "util/dbuf.h"
#include "util/xalloc.h"

void
dbuf_init(struct dbuf *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
}

void
dbuf_free(struct dbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int
dbuf_add(struct dbuf *b, const void *p, size_t n)
{
	size_t ncap;

	if (n > b->limit - b->len)
		return DBUF_TOO_BIG;
	if (b->len + n > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + n)
			ncap *= 2;
		if (ncap > b->limit)
			ncap = b->limit;
		b->data = xrealloc(b->data, ncap);
		b->cap = ncap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return DBUF_OK;
}

void
dbuf_consume(struct dbuf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void
dbuf_reset(struct dbuf *b)
{
	b->len = 0;
}
