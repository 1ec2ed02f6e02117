/*
 * stscache.c — keeping an MTA-STS policy in a sender's cache (RFC 8461 §3.3, §5.1, §8.3).
 * Rows M1-M5 of docs/internals/policy.md; tests/unit/test_policy.c has one row each.
 */
#include "policy/policy.h"

enum policy_sts_merge
policy_sts_merge(const struct policy_sts_cached *c, long now, int fetched_valid, int fetch_skipped)
{
	/* M1: a valid policy was fetched — of any mode, "none" included (§8.3) — it replaces */
	if (fetched_valid)
		return POLICY_STS_REPLACE;
	if (c == NULL || !c->valid)
		return POLICY_STS_NONE;		/* M5: nothing held, nothing fetched */
	/* M2: a cached policy is used only until max_age has passed since it was fetched (§3.2) */
	if (now >= c->expires)
		return POLICY_STS_DROP;
	/* M3: the record's id is unchanged: the cached policy is current (§3.1, §5.1) */
	if (fetch_skipped)
		return POLICY_STS_KEEP;
	/*
	 * M4: the record vanished, is invalid, or a new policy could not be fetched: the cached one
	 * stays in force until it expires (§3.3; §8.3: removing the record alone does not remove
	 * the policy from senders' caches, a "mode: none" policy does).
	 */
	return POLICY_STS_KEEP;
}

int
policy_sts_refetch(const struct policy_sts_cached *c, long now, long margin)
{
	return c == NULL || !c->valid || c->expires - now <= margin;
}
