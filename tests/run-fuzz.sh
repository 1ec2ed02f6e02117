#!/bin/sh
# Run each libFuzzer target for a few seconds (default 5) with its seed corpus; any crash fails.
dir=$1; secs=${2:-5}
pass=0; fail=0
for f in "$dir"/fuzz_*; do
	[ -x "$f" ] || continue
	n=$(basename "$f")
	work=$(mktemp -d)
	[ -d "fuzz/corpus/$n" ] && cp -r "fuzz/corpus/$n/." "$work/" 2>/dev/null
	if "$f" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 -artifact_prefix="$work/" "$work" >"$work.log" 2>&1; then
		pass=$((pass + 1)); echo "ok   $n ($(grep -o 'Done [0-9]* runs' "$work.log" | tail -1))"
	else
		fail=$((fail + 1)); echo "FAIL $n"; tail -40 "$work.log"
	fi
	rm -rf "$work" "$work.log"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
