/*
 * arena.h — per-probe region allocator.
 *
 * Every string and table a probe produces (transcript lines, capabilities, certificate fields, findings)
 * is carved from the probe's arena and freed in one call when the probe's report has been written.
 * Ownership rule: nothing allocated from an arena is ever freed on its own.
 */
#ifndef MAILTLS_ARENA_H
#define MAILTLS_ARENA_H

#include <stddef.h>

struct arena;

struct arena	*arena_new(void);
void		 arena_free(struct arena *);		/* arena_free(NULL) is fine */
void		*arena_alloc(struct arena *, size_t);	/* zeroed; aborts on out-of-memory */
char		*arena_strdup(struct arena *, const char *);
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_printf(struct arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
size_t		 arena_used(const struct arena *);	/* bytes handed out, for tests */

#endif
