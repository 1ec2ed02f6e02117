/*
 * xalloc.c — see xalloc.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void
bug_at(const char *msg, const char *file, int line)
{
	fprintf(stderr, "mailtls: internal error at %s:%d: %s\n", file, line, msg);
	abort();
}

void *
xcalloc_at(size_t n, size_t s, const char *file, int line)
{
	void *p = calloc(n ? n : 1, s ? s : 1);

	if (p == NULL)
		bug_at("out of memory", file, line);
	return p;
}

void *
xrealloc_at(void *old, size_t s, const char *file, int line)
{
	void *p = realloc(old, s ? s : 1);

	if (p == NULL)
		bug_at("out of memory", file, line);
	return p;
}

char *
xstrdup_at(const char *s, const char *file, int line)
{
	char *p = strdup(s);

	if (p == NULL)
		bug_at("out of memory", file, line);
	return p;
}
