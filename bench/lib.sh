# bench/lib.sh — shared helpers for the benchmarks (sourced).
# measure LABEL RUNS CMD... : runs CMD RUNS times; sets WALL (s, total) and CPU (user+sys s, total)
measure() {
	local label=$1 runs=$2 i t0 t1 c0 c1
	shift 2
	c0=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
	t0=$(date +%s.%N)
	for i in $(seq "$runs"); do "$@" >/dev/null 2>&1; done
	t1=$(date +%s.%N)
	# children's CPU time, in clock ticks, as the shell accounts it
	c1=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
	WALL=$(echo "$t1 - $t0" | bc -l)
	CPU=$(echo "($c1 - $c0) / $(getconf CLK_TCK)" | bc -l)
}
ratio() { # a b -> a/b with 2 decimals, or n/a
	if [ "$(echo "$2 > 0" | bc -l)" = 1 ]; then printf '%.2f' "$(echo "$1 / $2" | bc -l)"; else echo n/a; fi
}
