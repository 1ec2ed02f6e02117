/*
 * dbuf.h — a growable byte buffer with a ceiling fixed at creation.
 *
 * Every buffer fed by a peer is a dbuf.  Going over the ceiling is an error the caller sees
 * (DBUF_TOO_BIG) and turns into a finding; memory never grows past the ceiling.
 */
#ifndef MAILTLS_DBUF_H
#define MAILTLS_DBUF_H

#include <stddef.h>

enum dbuf_status {
	DBUF_OK = 0,
	DBUF_TOO_BIG = -1,
};

struct dbuf {
	unsigned char	*data;
	size_t		 len;	/* bytes held */
	size_t		 cap;	/* bytes allocated */
	size_t		 limit;	/* ceiling for len */
};

void	dbuf_init(struct dbuf *, size_t limit);
void	dbuf_free(struct dbuf *);
int	dbuf_add(struct dbuf *, const void *, size_t);
void	dbuf_consume(struct dbuf *, size_t);	/* drop n bytes from the front */
void	dbuf_reset(struct dbuf *);

#endif
