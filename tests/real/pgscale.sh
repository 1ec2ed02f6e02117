#!/bin/bash
# pgscale.sh MAILTLS -- `mailtls scan` across workers on PostgreSQL (docs/internals/scale-out.md):
# a throw-away PostgreSQL 15 on loopback (tests/lab/pg.sh) and the scan lab (tests/lab/scanlab.sh)
# with PGSCALE_N domains (default 3000).  The list is queued once, three workers claim batches
# under a lease; one is killed with SIGKILL while it holds a batch.  Afterwards every domain is
# stored exactly once, the killed worker's batch was taken over, the verdicts equal a one-process
# SQLite scan of the same list, the single-connection server never saw two connections at once
# (the per-address limit held across workers), and export, report and changes print the same on
# both databases.  Prints ok/FAIL lines and "pgscale: N passed, M failed".  Needs root; run it
# under the lab lock (flock -o /tmp/mailtls-lab.lock tests/real/pgscale.sh build/mailtls).
# Its lab: 127.0.12.0/24, Knot on 53593, PostgreSQL on 127.0.12.50:55432.
set -uo pipefail

BIN=$(readlink -f "${1:?usage: pgscale.sh MAILTLS}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BASE=/tmp/mailtls-pgscale
# a lab of its own on 127.0.12.0/24 (Knot on 53593), apart from scan.sh's 127.0.9.0/24
export SCANLAB_N=${PGSCALE_N:-3000} SCANLAB_NET=${PGSCALE_NET:-127.0.12} SCANLAB_KNOT_PORT=${PGSCALE_KNOT_PORT:-53593}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # DESCRIPTION COMMAND...
    local d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
eq() { [ "$1" = "$2" ] || { echo "    got '$1', want '$2'" >&2; return 1; }; }
q() { sqlite3 -batch -noheader "$1" "$2"; }

for p in sqlite3 psql jq; do
    command -v $p >/dev/null || { echo "pgscale: $p not installed (make deps)"; exit 1; }
done
[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "pgscale: PostgreSQL 15 not installed (make deps)"; exit 1; }
WPIDS=()
cleanup() {
    local p
    for p in "${WPIDS[@]}"; do kill -9 "$p" 2>/dev/null || :; done
    "$ROOT/tests/lab/pg.sh" stop "$BASE/pg" >/dev/null 2>&1 || :
    "$ROOT/tests/lab/scanlab.sh" stop "$BASE" >/dev/null 2>&1 || :
}
trap cleanup EXIT
t0=$(date +%s)
# the daemons must not inherit the lab lock's descriptor
"$ROOT/tests/lab/scanlab.sh" start "$BASE" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- || { echo "pgscale: 0 passed, 1 failed (lab)"; exit 1; }
URI=$("$ROOT/tests/lab/pg.sh" start "$BASE/pg" "$SCANLAB_NET.50" 55432 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-) || { echo "pgscale: 0 passed, 1 failed (postgres)"; exit 1; }
# shellcheck disable=SC1091
. "$BASE/env"
OUT=$BASE/out
rm -rf "$OUT"
mkdir -p "$OUT"
pq() { psql "$URI" -qAtX -F '|' -c "$1"; }
COMMON=(--resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" --dns-timeout 5
    --ip-spacing 0 --retry-delay 0.3 --no-progress --ehlo scan.lab.example)
distinct=$(($(wc -l <"$CASES")))
echo "pgscale: lab of $N domains and PostgreSQL ($URI) up in $(($(date +%s) - t0)) s"

# ---- A: one process on SQLite, the reference -------------------------------------------------
t1=$(date +%s.%N)
"$BIN" scan "$LIST" --db "$OUT/s.db" "${COMMON[@]}" 2>"$OUT/s.err"
rc=$?
echo "pgscale: SQLite, one process: exit $rc, $(echo "$(date +%s.%N) - $t1" | bc) s"
check "SQLite reference scan exits 0" eq "$rc" 0

# ---- B: the list queued once, three workers, one killed with SIGKILL mid-batch ----------------
"$BIN" scan "$LIST" --db "$URI" "${COMMON[@]}" --enqueue-only 2>"$OUT/enqueue.err"
check "enqueue exits 0" eq "$?" 0
check "enqueue: every distinct domain queued once, nothing stored yet" eq \
    "$(pq 'SELECT count(*), count(DISTINCT domain), sum(done) FROM targets')" "$distinct|$distinct|0"
check "enqueue: input errors and duplicates noted as on SQLite" eq \
    "$(pq "SELECT count(*) FROM input_notes")" "$(q "$OUT/s.db" 'SELECT count(*) FROM input_notes')"
single0=$(wc -l <"$BASE/fake/single/conn.log")
conns_now() { # the servers' connection counts: "name count" lines
    local n
    for n in $INSTANCES; do echo "$n $("$ROOT/tests/lab/postfix.sh" conncount "$n" "$BASE")"; done
    for n in $FAKES; do echo "$n $(wc -l <"$BASE/fake/$n/conn.log")"; done
}
conns_now >"$OUT/conns.0"
# --retries 6: the busy server answers 421 to every second connection it gets, whoever makes it;
# with three workers taking turns at it a worker's retry can meet the 421 of another's turn, so
# the workers retry longer (with growing back-off) than one process needs to
WORKER=(--db "$URI" --worker "${COMMON[@]}" --max-domains 60 --batch 20 --lease 3 --retries 6)
t1=$(date +%s.%N)
for i in 1 2 3; do
    MAILTLS_SCAN_STATS=1 "$BIN" scan "${WORKER[@]}" 2>"$OUT/w$i.err" &
    WPIDS+=($!)
done
host=$(hostname)
victim=${WPIDS[0]}
held=0
for _ in $(seq 1 600); do
    kill -0 "$victim" 2>/dev/null || break
    # it has stored some and holds a batch it has not finished
    row=$(pq "SELECT count(*) FILTER (WHERE done = 1), count(*) FILTER (WHERE done = 0 AND leased_until > now()) FROM targets WHERE leased_by = '$host:$victim'")
    stored=${row%|*}
    held=${row#*|}
    [ "${stored:-0}" -ge 10 ] && [ "${held:-0}" -ge 1 ] && break
    sleep 0.05
done
kill -9 "$victim" 2>/dev/null
wait "$victim" 2>/dev/null
pq "SELECT seq FROM targets WHERE leased_by = '$host:$victim' AND done = 0 ORDER BY seq" >"$OUT/victim.seqs"
echo "pgscale: worker $victim killed holding $(wc -l <"$OUT/victim.seqs") unfinished targets ($(pq 'SELECT sum(done) FROM targets') of $distinct stored)"
check "the killed worker held an unfinished batch" test -s "$OUT/victim.seqs"
rcs=""
for p in "${WPIDS[@]:1}"; do
    wait "$p"
    rcs="$rcs$?"
done
WPIDS=()
secs=$(echo "$(date +%s.%N) - $t1" | bc)
echo "pgscale: PostgreSQL, three workers (one killed): $secs s"
conns_now >"$OUT/conns.1"
check "the two surviving workers exit 0" eq "$rcs" 00
check "every domain stored exactly once ($distinct)" eq \
    "$(pq 'SELECT count(*), count(DISTINCT domain) FROM domains')" "$distinct|$distinct"
check "every target done, the run done" eq \
    "$(pq "SELECT sum(t.done), min(r.status) FROM targets t JOIN runs r ON r.id = t.run_id")" "$distinct|done"
check "one report, MTA-STS row per domain" eq \
    "$(pq 'SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM mta_sts)')" "$distinct|$distinct"
seqs=$(paste -sd, "$OUT/victim.seqs")
check "the killed worker's batch was taken over and stored" eq \
    "$(pq "SELECT count(*) FROM domains WHERE seq IN (${seqs:-0})")" "$(wc -l <"$OUT/victim.seqs")"
check "all three workers stored domains" eq \
    "$(pq "SELECT count(DISTINCT leased_by) FROM targets")" 3
for i in 2 3; do
    check "worker $i waited for nothing it could not take (stats line)" grep -q "claims=[1-9]" "$OUT/w$i.err"
done
busy=$(cat "$OUT"/w[23].err | sed -n 's/.*slot_busy=\([0-9]*\).*/\1/p' | paste -sd+ | bc)
echo "pgscale: connections put off because another worker held the address: $busy"
check "the per-address slots were contended (workers met at one address)" test "${busy:-0}" -gt 0
check "single: never two connections at once across workers" eq \
    "$(tail -n +$((single0 + 1)) "$BASE/fake/single/conn.log" | grep -c ' concurrent ')" 0
# the servers' own counts: every attempt stored was made (the killed worker's last probes, of
# domains it never stored, come on top)
short=""
while read -r n before; do
    after=$(awk -v n="$n" '$1 == n {print $2}' "$OUT/conns.1")
    case $n in scanvalid) a=$NET.2 ;; scannotls) a=$NET.3 ;; scandefaults) a=$NET.4 ;; busy) a=$NET.5 ;; single) a=$NET.6 ;; esac
    stored=$(pq "SELECT coalesce(sum(attempts), 0) FROM probes WHERE ip = '$a'")
    echo "    $n ($a): the server counted $((after - before)) connections, $stored attempts stored"
    [ $((after - before)) -ge "$stored" ] || short="$short $n"
done <"$OUT/conns.0"
check "each server counted at least the attempts the workers stored" eq "$short" ""
cols="domain, protection, coalesce(can_read::text, 'null'), accepts_mail, delivery_at_risk, dnssec, dane, mta_sts_mode, tlsrpt, coalesce(worst_severity, '-'), findings"
scols="domain, protection, ifnull(can_read, 'null'), accepts_mail, delivery_at_risk, dnssec, dane, mta_sts_mode, tlsrpt, ifnull(worst_severity, '-'), findings"
pq "SELECT $cols FROM domains ORDER BY domain" >"$OUT/pg.verdicts"
q "$OUT/s.db" "SELECT $scols FROM domains ORDER BY domain" >"$OUT/s.verdicts"
check "stored verdicts equal the one-process SQLite run ($(wc -l <"$OUT/s.verdicts") rows)" cmp -s "$OUT/pg.verdicts" "$OUT/s.verdicts"
cmp -s "$OUT/pg.verdicts" "$OUT/s.verdicts" || diff "$OUT/s.verdicts" "$OUT/pg.verdicts" | head -10
check "findings rows equal" eq "$(pq 'SELECT count(*) FROM findings')" "$(q "$OUT/s.db" 'SELECT count(*) FROM findings')"
check "certificates once per SHA-256 (as on SQLite)" eq "$(pq 'SELECT count(*) FROM certificates')" "$(q "$OUT/s.db" 'SELECT count(*) FROM certificates')"

# ---- C: the readers, unchanged, on both -------------------------------------------------------
# what differs by nature: time taken, connection counts (each worker probes for itself), when
# and the time of the report, in the MTA-STS id the advice proposes too
norm() { jq -cS 'del(.generated, .elapsed_ms, .connections) | .endpoints |= map(del(.elapsed_ms, .connections, .attempts, .tls.checks.elapsed_ms))
    | walk(if type == "string" then gsub("id=[0-9]{14}"; "id=T") else . end)' ; }
"$BIN" export --db "$URI" --format jsonl | norm >"$OUT/pg.jsonl"
"$BIN" export --db "$OUT/s.db" --format jsonl | norm >"$OUT/s.jsonl"
check "export jsonl: the same reports ($(wc -l <"$OUT/s.jsonl"))" cmp -s "$OUT/pg.jsonl" "$OUT/s.jsonl"
"$BIN" export --db "$URI" --format csv >"$OUT/pg.csv.raw"
"$BIN" export --db "$OUT/s.db" --format csv >"$OUT/s.csv.raw"
# the columns up to weakest_mx (then connections, elapsed_ms, finished)
check "export csv: the same header" eq "$(head -1 "$OUT/pg.csv.raw")" "$(head -1 "$OUT/s.csv.raw")"
check "export csv: the same rows up to weakest_mx" cmp -s <(cut -d, -f1-16 "$OUT/pg.csv.raw") <(cut -d, -f1-16 "$OUT/s.csv.raw")
"$BIN" export --db "$URI" --errors >"$OUT/pg.errors"
"$BIN" export --db "$OUT/s.db" --errors >"$OUT/s.errors"
check "export --errors: the same" cmp -s "$OUT/pg.errors" "$OUT/s.errors"
for f in md csv; do
    "$BIN" report --db "$URI" --format $f | sed 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]*Z/T/g' >"$OUT/pg.report.$f"
    "$BIN" report --db "$OUT/s.db" --format $f | sed 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]*Z/T/g' >"$OUT/s.report.$f"
    check "report --format $f: the same" cmp -s "$OUT/pg.report.$f" "$OUT/s.report.$f"
    cmp -s "$OUT/pg.report.$f" "$OUT/s.report.$f" || diff "$OUT/s.report.$f" "$OUT/pg.report.$f" | head -6
done

# a second run of the first 400 lines with the single-connection server gone: changes to report.
# --retries 0: a refused address is final at once (retrying it would back off for minutes); the
# busy server's domains are left out (its 421 to every second connection would then fall on
# different names in the two runs)
awk '$2 == 14 {print $1}' "$CASES" >"$OUT/busy.domains"
head -400 "$LIST" | awk 'NR == FNR {busy[$1] = 1; next} {d = tolower($1); sub(/\.$/, "", d)} !(d in busy)' "$OUT/busy.domains" - >"$OUT/list2.txt"
kill "$(cat "$BASE/fake/single/pid")" 2>/dev/null
sleep 0.3
"$BIN" scan "$OUT/list2.txt" --db "$OUT/s.db" "${COMMON[@]}" --retries 0 -q
check "second run on SQLite exits 0" eq "$?" 0
"$BIN" scan "$OUT/list2.txt" --db "$URI" "${COMMON[@]}" --retries 0 -q
check "second run on PostgreSQL (queue and work in one process) exits 0" eq "$?" 0
"$BIN" changes --db "$URI" --fail-on critical >"$OUT/pg.changes"
"$BIN" changes --db "$OUT/s.db" --fail-on critical >"$OUT/s.changes"
check "changes: the same lines ($(wc -l <"$OUT/s.changes"))" cmp -s "$OUT/pg.changes" "$OUT/s.changes"
check "changes: the single server's domains changed" grep -q "single" "$OUT/s.changes"
"$BIN" changes --db "$URI" --json --fail-on critical | jq -cS 'del(.from, .to)' >"$OUT/pg.changes.json" 2>/dev/null
"$BIN" changes --db "$OUT/s.db" --json --fail-on critical | jq -cS 'del(.from, .to)' >"$OUT/s.changes.json" 2>/dev/null
check "changes --json: the same" cmp -s "$OUT/pg.changes.json" "$OUT/s.changes.json"
# watch: one more round of the same list on each, the changes since the round before (none)
"$BIN" watch "$OUT/list2.txt" --once --db "$URI" "${COMMON[@]}" --retries 0 >"$OUT/pg.watch" 2>"$OUT/pg.watch.err"
rc=$?
"$BIN" watch "$OUT/list2.txt" --once --db "$OUT/s.db" "${COMMON[@]}" --retries 0 >"$OUT/s.watch" 2>"$OUT/s.watch.err"
rc2=$?
check "watch --once on PostgreSQL: exit $rc as on SQLite ($rc2), the same output ($(wc -l <"$OUT/s.watch") lines)" \
    test "$rc" = "$rc2" -a "$(cat "$OUT/pg.watch")" = "$(cat "$OUT/s.watch")"
check "watch made a third run" eq "$(pq 'SELECT count(*) FROM runs')" 3
check "a worker with nothing left to do exits 0" "$BIN" scan --db "$URI" --worker "${COMMON[@]}" -q

echo "pgscale: $pass passed, $fail failed ($(($(date +%s) - t0)) s)"
[ "$fail" -eq 0 ]
