/*
 * cursor.h — reading binary network input with a sticky error.
 *
 * Every read past the end sets c->err and yields zeros; callers check c->err once at the end of a
 * structure instead of after every field (the unpack_dns.c pattern).
 */
#ifndef MAILTLS_CURSOR_H
#define MAILTLS_CURSOR_H

#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t	*p;
	size_t		 len;	/* bytes left */
	int		 err;	/* sticky: set on the first short read */
};

static inline void
cursor_init(struct cursor *c, const void *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->err = 0;
}

static inline int
cursor_need(struct cursor *c, size_t n)
{
	if (c->err || c->len < n) {
		c->err = 1;
		return 0;
	}
	return 1;
}

static inline uint8_t
cursor_u8(struct cursor *c)
{
	uint8_t v;

	if (!cursor_need(c, 1))
		return 0;
	v = c->p[0];
	c->p++, c->len--;
	return v;
}

static inline uint16_t
cursor_u16(struct cursor *c)
{
	uint16_t v;

	if (!cursor_need(c, 2))
		return 0;
	v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	c->p += 2, c->len -= 2;
	return v;
}

static inline uint32_t
cursor_u24(struct cursor *c)
{
	uint32_t v;

	if (!cursor_need(c, 3))
		return 0;
	v = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
	c->p += 3, c->len -= 3;
	return v;
}

/* Take n bytes as a sub-cursor (a length-prefixed block). */
static inline struct cursor
cursor_sub(struct cursor *c, size_t n)
{
	struct cursor s = { NULL, 0, 1 };

	if (!cursor_need(c, n))
		return s;
	cursor_init(&s, c->p, n);
	c->p += n, c->len -= n;
	return s;
}

static inline const uint8_t *
cursor_bytes(struct cursor *c, size_t n)
{
	const uint8_t *p;

	if (!cursor_need(c, n))
		return NULL;
	p = c->p;
	c->p += n, c->len -= n;
	return p;
}

#endif
