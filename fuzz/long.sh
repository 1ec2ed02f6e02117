#!/bin/sh
# fuzz/long.sh FUZZDIR [RUNS] [TARGET...] -- `make fuzz-long`: every libFuzzer target to RUNS
# executions (default 10^7) with its seed corpus, one target at a time (FUZZ_LONG_FORK children,
# default one: the machine is shared), then the inputs that add coverage merged into
# fuzz/corpus/<target>/ (the seeds stay as they are).
# Not part of `make check`.
#
# FUZZ_LONG_SECONDS=N caps each target's run at N seconds (the figures then say how far it got
# and how long 10^7 would take at the measured rate); in fork mode the parent looks at the clock
# between children, so a run may overrun by one child's time (at most 300 s).
#
# FUZZ_LONG_FORK=N (default 1) runs each target in libFuzzer's fork mode with N child processes
# at a time: one libFuzzer run whose executions are counted over all its children, each child a
# fresh process that fuzzes a random part of the corpus for up to 300 s and hands its new
# inputs back; a child's crash, timeout or out-of-memory stops the run. A single ASan process
# slows down with age (fuzz_cert: 2,100 executions/s fresh, 640/s after an hour on the same
# corpus, with ASan's allocator growing from a tenth to two fifths of the samples); the children
# do not age. FUZZ_LONG_FORK=0: the whole run in one process, as before 2026-12-02.
#
# Output: one Markdown table row per target
# (runs, seconds, exec/s, coverage "cov"/"ft", corpus files before and after) on stdout and in
# FUZZDIR/fuzz-long.md; docs/internals/fuzz-long.md records a run. A crash stops the target,
# keeps its input in FUZZDIR/crash-<target>-*, fails the script; it becomes a unit test.
set -u
dir=$1
runs=${2:-10000000}
shift 2 2>/dev/null || shift $#
cap=${FUZZ_LONG_SECONDS:-0}
fork=${FUZZ_LONG_FORK:-1}
out=$dir/fuzz-long.md
targets=${*:-$(cd "$dir" && ls fuzz_* 2>/dev/null | grep -v '\.')}
fail=0
printf '| target | executions | seconds | exec/s | cov | ft | corpus before | corpus after | projected s for 10^7 |\n|---|---|---|---|---|---|---|---|---|\n' | tee "$out"
for n in $targets; do
	f=$dir/$n
	[ -x "$f" ] || continue
	work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-long-$n.XXXXXX")
	mkdir -p "fuzz/corpus/$n" "$work/corpus"
	cp -r "fuzz/corpus/$n/." "$work/corpus/" 2>/dev/null
	before=$(ls "fuzz/corpus/$n" | wc -l)
	start=$(date +%s)
	set -- -runs="$runs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$dir/crash-$n-"
	[ "$cap" -gt 0 ] && set -- "$@" -max_total_time="$cap"
	# fork mode ignores timeouts and out-of-memory children unless told: they fail here as before
	[ "$fork" -gt 0 ] && set -- "$@" -fork="$fork" -ignore_timeouts=0 -ignore_ooms=0
	if ! "$f" "$@" "$work/corpus" >"$work/log" 2>&1; then
		fail=1
		echo "FAIL $n: crash or error, see $dir/crash-$n-* and $work/log" >&2
		tail -30 "$work/log" >&2
		continue
	fi
	secs=$(( $(date +%s) - start ))
	done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$work/log" | tail -1)
	if [ -z "$done_runs" ]; then
		# fork mode prints no final stats: "#N: cov: C ft: F corp: ..." lines from the parent,
		# whose cov is not the in-process count; replay the corpus in one process for that
		done_runs=$(echo "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')
		rate=$(awk -v n="${done_runs:-0}" -v s="$secs" 'BEGIN { if (s > 0) printf "%d", n / s }')
		if ! "$f" -runs=0 -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$dir/crash-$n-" \
		    "$work/corpus" >"$work/replay.log" 2>&1; then
			fail=1
			echo "FAIL $n: the replay of the corpus failed, see $work/replay.log" >&2
			continue
		fi
		last=$(grep -E '^#[0-9]+.*INITED' "$work/replay.log" | tail -1)
	fi
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	# keep every seed as it is (hand-written, named) and add only the new inputs that add
	# coverage beyond them: libFuzzer's merge into the first directory
	"$f" -merge=1 -rss_limit_mb=2048 -timeout=10 "fuzz/corpus/$n" "$work/corpus" \
		>"$work/merge.log" 2>&1
	after=$(ls "fuzz/corpus/$n" | wc -l)
	proj=$(awk -v r="${rate:-0}" 'BEGIN { if (r > 0) printf "%d", 10000000 / r; else print "?" }')
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "${done_runs:-?}" "$secs" \
		"${rate:-?}" "${cov:-?}" "${ft:-?}" "$before" "$after" "$proj" | tee -a "$out"
	rm -rf "$work"
done
exit $fail
