/*
 * fuzz_history.c — two stored check reports of one domain (lib/history): what changed between
 * them (diff.c) and each as a row of the scan report with the run's counts (summary.c).  The
 * store is a file, so its reports are input like any other (`mailtls changes`, `report`).
 * The input is the older report's JSON text after a 2-byte length, then the newer one's.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "history/diff.h"
#include "history/summary.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_row(json_t *j, struct summary_counts *sc)
{
	struct summary_row row;

	if (j == NULL || summary_row(j, &row) != 0)
		return;
	if (memchr(row.domain, '\0', sizeof(row.domain)) == NULL ||
	    memchr(row.worst_finding, '\0', sizeof(row.worst_finding)) == NULL ||
	    row.readable < -1 || row.readable > 1)
		__builtin_trap();
	summary_add(sc, &row, j);
	if (memchr(sc->when, '\0', sizeof(sc->when)) == NULL)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct history_changes out;
	struct history_params hp = { .expiry_days = HISTORY_EXPIRY_DAYS };
	struct summary_counts sc;
	json_t *old = NULL, *cur = NULL;
	size_t l, i;
	int n;

	if (size < 2)
		return 0;
	l = (size_t)data[0] << 8 | data[1];
	if (l > size - 2)
		l = size - 2;
	old = json_loadb((const char *)data + 2, l, JSON_DECODE_ANY, NULL);
	cur = json_loadb((const char *)data + 2 + l, size - 2 - l, JSON_DECODE_ANY, NULL);
	memset(&sc, 0, sizeof(sc));
	fuzz_row(old, &sc);
	fuzz_row(cur, &sc);
	if (old != NULL && cur != NULL) {
		history_changes_clear(&out);
		n = history_diff(old, cur, &hp, &out);
		if (n < -1 || (n >= 0 && (size_t)n > out.n))
			__builtin_trap();
		for (i = 0; i < out.n; i++) {
			const struct history_change *c = &out.v[i];

			if ((unsigned)c->kind >= HISTORY_LAST || history_kind_id(c->kind) == NULL ||
			    memchr(c->scope, '\0', sizeof(c->scope)) == NULL ||
			    memchr(c->detail, '\0', sizeof(c->detail)) == NULL ||
			    memchr(c->old_value, '\0', sizeof(c->old_value)) == NULL ||
			    memchr(c->new_value, '\0', sizeof(c->new_value)) == NULL)
				__builtin_trap();
		}
		/* the other way round (what `changes` does when runs arrive out of order) */
		history_changes_clear(&out);
		(void)history_diff(cur, old, &hp, &out);
	}
	if (old != NULL && json_is_object(old)) {
		json_t *g = json_object_get(old, "generated");

		(void)history_parse_time(json_string_value(g) ? json_string_value(g) : "");
	}
	json_decref(old);
	json_decref(cur);
	return 0;
}
