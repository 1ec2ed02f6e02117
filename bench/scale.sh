#!/bin/bash
# bench/scale.sh MAILTLS [N] -- mailtls scan across workers on one PostgreSQL (docs/internals/
# scale-out.md): the scan lab (tests/lab/scanlab.sh) with N domains (default 10000) scanned by 1,
# 2 and 4 workers on one PostgreSQL 15 of this machine (tests/lab/pg.sh), and by one process on
# SQLite for comparison. Prints domains/s, CPU s of the workers and of PostgreSQL, the database's
# rows and bytes per domain (pg_total_relation_size; the SQLite file), statements per domain.
# Not a test: figures only (bench/README.md). Needs root; run it under the lab lock.
# LAB=/tmp/mailtls-scalebench, 127.0.11.0/24, Knot on 53592, PostgreSQL on 127.0.11.50:55442.
# Two passes: full scans (SCALE_OPTS, default --ip-spacing 0 --per-ip 4 --retry-delay 1), then
# the same with --quick (DNS, DANE, MTA-STS only: no SMTP, so the database's share shows).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 MAILTLS [N]" >&2; exit 2; }
BIN=$(readlink -f "$1")
N=${2:-10000}
cd "$(dirname "$0")/.."
LAB=${LAB:-/tmp/mailtls-scalebench}
export SCANLAB_NET=${SCANLAB_NET:-127.0.11} SCANLAB_KNOT_PORT=${SCANLAB_KNOT_PORT:-53592} SCANLAB_N=$N
PGDIR=$LAB/pg
OUT=$LAB/out
[ "$(id -u)" -eq 0 ] || { echo "bench/scale.sh: needs root" >&2; exit 1; }
for p in psql sqlite3 /usr/bin/time bc; do
	command -v "$p" >/dev/null || { echo "bench/scale.sh: $p missing (make deps)" >&2; exit 1; }
done
trap 'tests/lab/pg.sh stop "$PGDIR" >/dev/null 2>&1 || :; tests/lab/scanlab.sh stop "$LAB" >/dev/null 2>&1 || :' EXIT
trap 'exit 130' INT TERM

t0=$(date +%s)
tests/lab/scanlab.sh start "$LAB" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
. "$LAB/env"
rm -rf "$OUT"
mkdir -p "$OUT"
cut -f1 "$CASES" >"$OUT/domains.txt"
ND=$(wc -l <"$OUT/domains.txt")
echo "lab: $ND domains up in $(($(date +%s) - t0)) s"
# shellcheck disable=SC2206
OPTS=(${SCALE_OPTS:---ip-spacing 0 --per-ip 4 --retry-delay 1})
BASEOPTS=(--resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" --no-progress
	--ehlo bench.lab.example "${OPTS[@]}")

# CPU seconds of the PostgreSQL cluster so far: the postmaster, its live children, and the
# children it has reaped (backends of workers that have exited)
pg_cpu() {
	local pm t=0 p f
	pm=$(head -1 "$PGDIR/data/postmaster.pid")
	f=$(sed 's/.*) //' "/proc/$pm/stat")
	# fields after the command: state is 1; utime 12, stime 13, cutime 14, cstime 15
	t=$(echo "$f" | awk '{print $12 + $13 + $14 + $15}')
	for p in $(pgrep -P "$pm"); do
		t=$((t + $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
	done
	echo "scale=2; $t / $(getconf CLK_TCK)" | bc
}

for MODE in full quick; do
COMMON=("${BASEOPTS[@]}")
[ "$MODE" = quick ] && COMMON+=(--quick)
echo
echo "== $MODE scans (${COMMON[*]:8})"
printf "%-28s %8s %10s %14s %12s %10s\n" "" "wall s" "domains/s" "workers CPU s" "postgres CPU" "tuples/dom"
for W in 1 2 4; do
	URI=$(tests/lab/pg.sh start "$PGDIR" 127.0.11.50 55442 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-)
	"$BIN" scan "$OUT/domains.txt" --db "$URI" "${COMMON[@]}" --enqueue-only 2>"$OUT/enqueue.err"
	psql "$URI" -qAtX -c 'SELECT pg_stat_reset()' >/dev/null
	c0=$(pg_cpu)
	s0=$(date +%s.%N)
	pids=()
	for i in $(seq 1 "$W"); do
		/usr/bin/time -f "%e %U %S" -o "$OUT/w$W.$i.time" env MAILTLS_SCAN_STATS=1 "$BIN" scan --db "$URI" --worker "${COMMON[@]}" 2>"$OUT/w$W.$i.err" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || :; done
	wall=$(echo "$(date +%s.%N) - $s0" | bc)
	c1=$(pg_cpu)
	wcpu=$(cat "$OUT"/w"$W".*.time | awk '{s += $2 + $3} END {print s}')
	stored=$(psql "$URI" -qAtX -c 'SELECT count(*) FROM domains')
	# statements: transactions and tuples written, from the statistics collector
	read -r xacts tup < <(psql "$URI" -qAtX -F ' ' -c "SELECT xact_commit + xact_rollback, tup_inserted + tup_updated FROM pg_stat_database WHERE datname = 'mailtls'")
	printf '%-28s %8.1f %10.0f %14.1f %12.1f %10s\n' "PostgreSQL, $W worker(s)" "$wall" "$(echo "$stored / $wall" | bc -l)" "$wcpu" "$(echo "$c1 - $c0" | bc)" "$(echo "scale=1; $tup / $stored" | bc)"
	echo "    stored $stored; transactions $xacts; tuples written $tup; per worker: $(grep -h 'stats:' "$OUT"/w"$W".*.err | sed 's/.*temp_failures=\([0-9]*\).*slot_busy=\([0-9]*\).*claims=\([0-9]*\).*waits=\([0-9]*\).*/421s+refusals=\1 slot_busy=\2 claims=\3 waits=\4/' | paste -sd';')"
	grep -h 'domains stored this session' "$OUT"/w"$W".*.err | sed 's/.*this session in \([0-9.]*\) s.*(\([0-9]*\) shared, \([0-9]*\) retries).*/    worker: \1 s, \2 shared probe requests, \3 retries/'
	if [ "$W" = 4 ] && [ "$MODE" = full ]; then
		psql "$URI" -qAtX -c 'VACUUM ANALYZE' >/dev/null
		psql "$URI" -qAtX -F ' ' -c "SELECT sum(n_live_tup), sum(pg_total_relation_size(relid)) FROM pg_stat_user_tables" >"$OUT/pg.size"
		psql "$URI" -qAtX -F ' ' -c "SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables ORDER BY 3 DESC" >"$OUT/pg.tables"
		read -r ROWS BYTES <"$OUT/pg.size"
		PGSTORED=$stored
		# a reader's cost: export holds one row at a time (single-row mode, scale-out.md);
		# SCALE_EXPORT_CMP=OTHER-MAILTLS measures another build's export on the same database
		/usr/bin/time -f "%e %M" -o "$OUT/pgexport.time" "$BIN" export --db "$URI" --format jsonl >"$OUT/pg.jsonl"
		if [ -n "${SCALE_EXPORT_CMP:-}" ]; then
			/usr/bin/time -f "%e %M" -o "$OUT/pgexport-cmp.time" "$SCALE_EXPORT_CMP" export --db "$URI" --format jsonl >"$OUT/pg-cmp.jsonl"
		fi
	fi
	tests/lab/pg.sh stop "$PGDIR"
done
rm -f "$OUT/s.db"*
s0=$(date +%s.%N)
/usr/bin/time -f "%e %U %S" -o "$OUT/sqlite.time" "$BIN" scan "$OUT/domains.txt" --db "$OUT/s.db" "${COMMON[@]}" 2>"$OUT/sqlite.err" || :
wall=$(echo "$(date +%s.%N) - $s0" | bc)
scpu=$(awk '{print $2 + $3}' "$OUT/sqlite.time")
sstored=$(sqlite3 "$OUT/s.db" 'SELECT count(*) FROM domains')
printf '%-28s %8.1f %10.0f %14.1f %12s\n' "SQLite, one process" "$wall" "$(echo "$sstored / $wall" | bc -l)" "$scpu" "-"
[ "$MODE" = full ] && cp "$OUT/s.db" "$OUT/full.db"
done
srows=$(for t in $(sqlite3 "$OUT/full.db" "SELECT name FROM sqlite_master WHERE type = 'table'"); do sqlite3 "$OUT/full.db" "SELECT count(*) FROM $t"; done | paste -sd+ | bc)
sqlite3 "$OUT/full.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
sbytes=$(stat -c %s "$OUT/full.db")
sstored=$(sqlite3 "$OUT/full.db" 'SELECT count(*) FROM domains')
echo
echo "full scans, the database after 4 workers:"
printf 'PostgreSQL: %d rows, %d bytes (tables and indexes) for %d domains: %.1f rows, %.0f bytes per domain\n' "$ROWS" "$BYTES" "$PGSTORED" "$(echo "$ROWS / $PGSTORED" | bc -l)" "$(echo "$BYTES / $PGSTORED" | bc -l)"
printf 'SQLite:     %d rows, %d bytes (the file) for %d domains: %.1f rows, %.0f bytes per domain\n' "$srows" "$sbytes" "$sstored" "$(echo "$srows / $sstored" | bc -l)" "$(echo "$sbytes / $sstored" | bc -l)"
/usr/bin/time -f "%e %M" -o "$OUT/sexport.time" "$BIN" export --db "$OUT/full.db" --format jsonl >"$OUT/s.jsonl"
read -r pe pm <"$OUT/pgexport.time"
read -r se sm <"$OUT/sexport.time"
printf 'export --format jsonl of %d domains (%d bytes): PostgreSQL %.2f s, %d KiB peak RSS; SQLite %.2f s, %d KiB peak RSS\n' \
	"$sstored" "$(stat -c %s "$OUT/s.jsonl")" "$pe" "$pm" "$se" "$sm"
if [ -n "${SCALE_EXPORT_CMP:-}" ]; then
	read -r ce cm <"$OUT/pgexport-cmp.time"
	printf '  %s on the same PostgreSQL database: %.2f s, %d KiB peak RSS (output %s)\n' "$SCALE_EXPORT_CMP" "$ce" "$cm" \
		"$(cmp -s "$OUT/pg.jsonl" "$OUT/pg-cmp.jsonl" && echo identical || echo DIFFERENT)"
fi
echo "largest PostgreSQL relations (rows, bytes):"
head -5 "$OUT/pg.tables" | sed 's/^/    /'
