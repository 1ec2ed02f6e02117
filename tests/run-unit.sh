#!/bin/sh
# Run every cmocka unit-test binary given; print one summary line at the end.
pass=0; fail=0
for t in "$@"; do
	if "$t" >"$t.log" 2>&1; then
		pass=$((pass + 1)); echo "ok   $(basename "$t")"
	else
		fail=$((fail + 1)); echo "FAIL $(basename "$t")"; cat "$t.log"
	fi
done
# the generated cipher table must match its generator and data
if [ -x tests/unit/gen-ciphers-check.sh ]; then
	if tests/unit/gen-ciphers-check.sh >/dev/null 2>&1; then
		pass=$((pass + 1)); echo "ok   gen-ciphers-check"
	else
		fail=$((fail + 1)); echo "FAIL gen-ciphers-check"
	fi
fi
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
