/*
 * fuzz_pins.c — pins from a stored report (lib/policy/pins.c): bytes as the JSON text of a store
 * row, through the table (add, find, apply) and the decision that turns them into a Postfix
 * fingerprint list.  The store is a file: its rows are input like any other.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/pins.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = malloc(size + 1);
	struct policy_pins *t;
	const struct policy_pin_domain *d;
	struct policy_mx_facts mx[POLICY_PINS_MX_MAX];
	struct policy_facts f;
	struct policy_decision dec;
	char pf[POLICY_MATCH_MAX + 64], why[512];
	size_t i;

	if (json == NULL)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	t = policy_pins_new();
	if (policy_pins_add(t, json, 1, "2026-01-01T00:00:00Z") == 0 && policy_pins_count(t) == 1) {
		/* the entry is there under its own name; its MX hosts as the facts of a lookup */
		memset(&f, 0, sizeof(f));
		memset(mx, 0, sizeof(mx));
		{
			struct policy_pin_domain tmp;

			if (policy_pins_parse(json, &tmp) == 0) {
				d = policy_pins_find(t, tmp.domain);
				if (d == NULL)
					__builtin_trap();
				for (i = 0; i < d->nmx; i++) {
					mx[i].host = d->mx[i].host;
					mx[i].use = VERDICT_USE_USED;
				}
				f.domain = d->domain;
				f.accepts_mail = 1;
				f.nmx = d->nmx;
				f.mx = mx;
				policy_pins_apply(t, 1767225600LL, &f, mx, why, sizeof(why));
				(void)policy_pins_partial(d, why, sizeof(why));
				policy_decide(&f, &dec);
				if (policy_postfix(&dec, pf, sizeof(pf)) < 0)
					__builtin_trap();
				policy_pin_domain_clear(&tmp);
			}
		}
	}
	policy_pins_free(t);
	free(json);
	return 0;
}
