/*
 * text.h — making a peer's text safe to show and to put in JSON.
 *
 * Everything a server or DNS sends that ends up in a report (greeting, capabilities, certificate
 * names, HTTP headers, error texts) goes through text_clean(): valid UTF-8 is kept, except control
 * characters (C0, DEL, C1); every other byte becomes '?'.  The result is printable on a terminal
 * and valid UTF-8 for jansson, whatever the input.
 */
#ifndef MAILTLS_TEXT_H
#define MAILTLS_TEXT_H

#include <stddef.h>

struct arena;

/* Clean srclen bytes into dst (always NUL-terminated); returns the length written. */
size_t		 text_clean(char *dst, size_t dstlen, const char *src, size_t srclen);
/* Clean a NUL-terminated string into the arena; NULL stays NULL. */
const char	*text_clean_dup(struct arena *, const char *);
/* 1 if s is already clean (what text_clean would return unchanged). */
int		 text_is_clean(const char *s, size_t n);

#endif
