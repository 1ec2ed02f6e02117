/*
 * advice_render.h — `mailtls advise` and the "advice" member of `check --json` (advice_render.c):
 * renderings of lib/advice/, deciding nothing.
 */
#ifndef MAILTLS_ADVICE_RENDER_H
#define MAILTLS_ADVICE_RENDER_H

#include <stdio.h>

#include <jansson.h>

struct advice;
struct check_result;

json_t	*report_advice_json(const struct advice *);
void	 report_advice_text(FILE *, const struct advice *, const struct check_result *);
/* The advice of a check as check --json carries it (built with the current time). */
json_t	*report_check_advice_json(const struct check_result *);

#endif
