/*
 * policy_render.h — renderings of sender policies (policy_render.c): Postfix, OpenSMTPD, Exim, JSON.
 */
#ifndef MAILTLS_POLICY_RENDER_H
#define MAILTLS_POLICY_RENDER_H

#include <stdio.h>

#include <jansson.h>

#include "policy/policy.h"

struct policy_row {
	const char		*domain;
	struct policy_decision	 d;
};

void	 report_policy_postfix(FILE *, const struct policy_row *, size_t);
void	 report_policy_opensmtpd(FILE *, const struct policy_row *, size_t);
void	 report_policy_exim(FILE *, const struct policy_row *, size_t);
/* The warnings of every row, each line starting with comment. */
void	 report_policy_warnings(FILE *, const struct policy_row *, size_t, const char *comment);
json_t	*report_policy_json(const struct policy_row *, size_t);

#endif
