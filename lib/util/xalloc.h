/*
 * xalloc.h — allocation that aborts with file/line on exhaustion (a programmer/resource error the
 * library cannot turn into a finding), and the abort-on-bug macro.
 */
#ifndef MAILTLS_XALLOC_H
#define MAILTLS_XALLOC_H

#include <stddef.h>

#define xcalloc(n, s)	xcalloc_at((n), (s), __FILE__, __LINE__)
#define xrealloc(p, s)	xrealloc_at((p), (s), __FILE__, __LINE__)
#define xstrdup(s)	xstrdup_at((s), __FILE__, __LINE__)
#define BUG(msg)	bug_at((msg), __FILE__, __LINE__)

void	*xcalloc_at(size_t, size_t, const char *, int);
void	*xrealloc_at(void *, size_t, const char *, int);
char	*xstrdup_at(const char *, const char *, int);
void	 bug_at(const char *, const char *, int) __attribute__((noreturn));

#endif
