#!/bin/bash
# scan.sh MAILTLS -- `mailtls scan` on the generated scan lab (tests/lab/scanlab.sh): verdicts per
# case, input errors and duplicates, connections counted by the servers (each unique endpoint
# probed once; the busy server's 421s retried; the single-connection server never saw two at
# once), `mailtls check` agreeing domain by domain, kill -9 in the middle of a 5,000-domain scan
# and a resume equal to an uninterrupted run, --quick on a CSV top list with ranks, export; --full
# on a few hundred domains: each unique endpoint enumerated once (the servers' counts), the per-IP
# limit held, grades and suites equal to `mailtls check --full`.
# Prints ok/FAIL lines and "scan: N passed, M failed". Needs root; run it under the lab lock
# (flock /tmp/mailtls-lab.lock tests/real/scan.sh build/mailtls). SCANLAB_N (default 5000).
# See docs/internals/scan.md.
set -uo pipefail

BIN=$(readlink -f "${1:?usage: scan.sh MAILTLS}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BASE=${SCANLAB_BASE:-/tmp/mailtls-scanlab}
export SCANLAB_N=${SCANLAB_N:-5000}
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

command -v sqlite3 >/dev/null || { echo "scan: sqlite3 not installed (make deps)"; exit 1; }
cleanup() { "$ROOT/tests/lab/scanlab.sh" stop "$BASE" >/dev/null 2>&1 || :; }
trap cleanup EXIT
t0=$(date +%s)
# the lab's daemons must not inherit the lab lock's descriptor (they would hold it after we exit)
"$ROOT/tests/lab/scanlab.sh" start "$BASE" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- || { echo "scan: 0 passed, 1 failed (lab)"; exit 1; }
# shellcheck disable=SC1091
. "$BASE/env"
OUT=$BASE/out
rm -rf "$OUT"
mkdir -p "$OUT"
COMMON=(--resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" --dns-timeout 5
    --ip-spacing 0 --retry-delay 0.3 --no-progress --ehlo scan.lab.example)
echo "scan: lab of $N domains up in $(($(date +%s) - t0)) s"

conns_now() { # the servers' connection counts: "name count" lines
    local n
    for n in $INSTANCES; do echo "$n $("$ROOT/tests/lab/postfix.sh" conncount "$n" "$BASE")"; done
    for n in $FAKES; do echo "$n $(wc -l <"$BASE/fake/$n/conn.log")"; done
}
addr_of() { case $1 in scanvalid) echo "$NET.2" ;; scannotls) echo "$NET.3" ;; scandefaults) echo "$NET.4" ;;
    busy) echo "$NET.5" ;; single) echo "$NET.6" ;; esac; }

# ---- A: an uninterrupted scan ----------------------------------------------------------------
conns_now >"$OUT/conns.0"
t1=$(date +%s.%N)
"$BIN" scan "$LIST" --db "$OUT/a.db" "${COMMON[@]}" --jsonl >"$OUT/a.jsonl" 2>"$OUT/a.err"
rc=$?
echo "scan: uninterrupted run: exit $rc, $(echo "$(date +%s.%N) - $t1" | bc) s; $(tail -1 "$OUT/a.err")"
check "scan exits 0" eq "$rc" 0
conns_now >"$OUT/conns.a"
distinct=$(($(wc -l <"$CASES")))
check "every distinct domain stored once ($distinct)" eq "$(q "$OUT/a.db" 'SELECT count(*) || "/" || count(DISTINCT domain) FROM domains')" "$distinct/$distinct"
check "the run is done, every target done" eq "$(q "$OUT/a.db" "SELECT status || sum(done) FROM runs JOIN targets ON run_id = id")" "done$distinct"
check "every garbage line is an input error" eq "$(q "$OUT/a.db" "SELECT count(*) FROM input_notes WHERE kind = 'error'")" "$(wc -l <"$GARBAGE")"
check "garbage line numbers match" eq "$(q "$OUT/a.db" "SELECT group_concat(line, ' ') FROM (SELECT line FROM input_notes WHERE kind = 'error' ORDER BY line)")" "$(tr '\n' ' ' <"$GARBAGE" | sed 's/ $//')"
dups=$(( N / 97 + 1 ))
check "duplicates noted ($dups)" eq "$(q "$OUT/a.db" "SELECT count(*) FROM input_notes WHERE kind = 'duplicate'")" "$dups"
check "the IDN line stored as A-labels" eq "$(q "$OUT/a.db" "SELECT protection FROM domains WHERE domain = 'xn--bcher-kva.scan.example'")" "dane"
check "--jsonl streamed one report per domain" eq "$(wc -l <"$OUT/a.jsonl")" "$distinct"
check "stderr names the bad lines" grep -q "list.txt:[0-9]*: 'not a domain' contains a space" "$OUT/a.err"

# expected verdict per case
want_case() {
    case $1 in
    0|1|2|3|4|5|14|18|19) echo "dane|0|1|0" ;;
    6) echo "dane|0|1|1" ;;
    7|8|9|15|16|17) echo "none|1|1|0" ;;
    10|11) echo "none|0|0|0" ;;
    12) echo "mta-sts|0|1|0" ;;
    13) echo "mta-sts-testing|1|1|0" ;;
    esac
}
q "$OUT/a.db" "SELECT domain, protection || '|' || ifnull(can_read, 'null') || '|' || accepts_mail || '|' || delivery_at_risk FROM domains" |
    tr '|' ' ' | awk '{print $1, $2 "|" $3 "|" $4 "|" $5}' | sort >"$OUT/a.verdicts"
wrong=0
while read -r dom c; do
    got=$(awk -v d="$dom" '$1 == d {print $2}' "$OUT/a.verdicts")
    if [ "$got" != "$(want_case "$c")" ]; then
        wrong=$((wrong + 1))
        [ $wrong -le 5 ] && echo "    $dom (case $c): got '$got', want '$(want_case "$c")'"
    fi
done < <(sort "$CASES" | awk 'NR % 7 == 1 || $2 >= 6')   # every case, a sample of the DANE ones
check "verdicts per case" eq "$wrong" 0

# the servers' side: each unique endpoint probed once (retries aside), nothing at once on single
check "every probe key probed once" eq "$(q "$OUT/a.db" 'SELECT count(*) FROM probes WHERE probes != 1')" 0
uniq_eps=$(q "$OUT/a.db" 'SELECT count(*) FROM probes')
want_eps=$(q "$OUT/a.db" "SELECT count(DISTINCT ip || '|' || port || '|' || reference_name || '|' || ifnull(dane_verified, '-')) FROM endpoints")
check "probes ($uniq_eps) cover the distinct endpoints stored" test "$uniq_eps" -ge 1
for n in $INSTANCES $FAKES; do
    a=$(addr_of "$n")
    before=$(awk -v n="$n" '$1 == n {print $2}' "$OUT/conns.0")
    after=$(awk -v n="$n" '$1 == n {print $2}' "$OUT/conns.a")
    want=$(q "$OUT/a.db" "SELECT ifnull(sum(attempts), 0) FROM probes WHERE ip = '$a'")
    check "$n ($a): server saw $((after - before)) connections = attempts stored" eq "$((after - before))" "$want"
done
check "each endpoint once: connections to $NET.2 = distinct reference names there" eq \
    "$(q "$OUT/a.db" "SELECT sum(attempts) FROM probes WHERE ip = '$NET.2'")" \
    "$(q "$OUT/a.db" "SELECT count(DISTINCT reference_name || ifnull(dane_verified, '-')) FROM endpoints WHERE ip = '$NET.2'")"
check "the shared DANE MX cost one connection for $(q "$OUT/a.db" "SELECT count(*) FROM endpoints WHERE reference_name = 'mx1.dane.lab.example'") domains" \
    eq "$(q "$OUT/a.db" "SELECT attempts FROM probes WHERE reference_name = 'mx1.dane.lab.example'")" 1
check "busy: 421s seen and retried" test "$(grep -c ' 421 ' "$BASE/fake/busy/conn.log")" -ge 1
check "busy: every name finally got through, once" eq "$(grep ' ok ' "$BASE/fake/busy/conn.log" | awk '{print $3}' | sort | uniq -d | wc -l)" 0
check "busy: attempts stored = 421s + successes" eq "$(wc -l <"$BASE/fake/busy/conn.log")" "$(q "$OUT/a.db" "SELECT sum(attempts) FROM probes WHERE ip = '$NET.5'")"
check "busy domains: no 421 left in the stored results" eq "$(q "$OUT/a.db" "SELECT count(*) FROM findings f JOIN endpoints e ON e.domain_id = f.domain_id WHERE e.ip = '$NET.5' AND f.finding = 'smtp.rejected'")" 0
check "single: never two connections at once" eq "$(grep -c ' concurrent ' "$BASE/fake/single/conn.log")" 0
check "single: one connection per name" eq "$(awk '{print $3}' "$BASE/fake/single/conn.log" | sort | uniq -d | wc -l)" 0

# ---- mailtls check agrees, domain by domain (one per case; busy left out: check does not retry)
disagree=0
for c in 0 6 7 8 9 10 11 12 13 15 16 17 18; do
    dom=$(awk -v c="$c" '$2 == c {print $1; exit}' "$CASES")
    [ -n "$dom" ] || continue
    got=$("$BIN" check "$dom" --json --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" \
        --ehlo scan.lab.example 2>/dev/null | jq -r '[.verdict.downgrade_protection, (.verdict.active_attacker_can_read | tostring), .dnssec.status, .dane.status, ([.findings[].id, .endpoints[].findings[].id] | sort | join(","))] | join("|")')
    stored=$(q "$OUT/a.db" "SELECT json FROM domains d JOIN reports r ON r.domain_id = d.id WHERE domain = '$dom'" |
        jq -r '[.verdict.downgrade_protection, (.verdict.active_attacker_can_read | tostring), .dnssec.status, .dane.status, ([.findings[].id, .endpoints[].findings[].id] | sort | join(","))] | join("|")')
    if [ "$got" != "$stored" ]; then
        disagree=$((disagree + 1))
        echo "    $dom (case $c): check '$got', scan '$stored'"
    fi
done
check "mailtls check and the stored scan agree (verdict, DNSSEC, DANE, finding IDs)" eq "$disagree" 0

# ---- B: kill -9 in the middle, resume ---------------------------------------------------------
"$BIN" scan "$LIST" --db "$OUT/b.db" "${COMMON[@]}" -q 2>"$OUT/b1.err" &
pid=$!
target=$((distinct * 2 / 5))
for _ in $(seq 1 600); do
    n=$(q "$OUT/b.db" 'SELECT count(*) FROM domains' 2>/dev/null || echo 0)
    [ "${n:-0}" -ge "$target" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
mid=$(q "$OUT/b.db" 'SELECT count(*) FROM domains')
echo "scan: killed with $mid of $distinct stored"
check "killed in the middle" test "$mid" -gt 0 -a "$mid" -lt "$distinct"
"$BIN" scan "$LIST" --db "$OUT/b.db" "${COMMON[@]}" 2>"$OUT/b2.err"
rc=$?
check "resume exits 0" eq "$rc" 0
check "resume said so" grep -q "resuming run 1" "$OUT/b2.err"
check "after resume: every domain once" eq "$(q "$OUT/b.db" 'SELECT count(*) || "/" || count(DISTINCT domain) FROM domains')" "$distinct/$distinct"
check "resumed, not redone: this session stored the rest" grep -q "$((distinct - mid)) domains stored this session" "$OUT/b2.err"
check "one run, two sessions" eq "$(q "$OUT/b.db" 'SELECT count(*) || ":" || max(sessions) || ":" || max(status) FROM runs')" "1:2:done"
check "no input note twice" eq "$(q "$OUT/b.db" "SELECT count(*) FROM input_notes")" "$(q "$OUT/a.db" "SELECT count(*) FROM input_notes")"
cols="domain, protection, ifnull(can_read, 'null'), accepts_mail, delivery_at_risk, dnssec, dane, mta_sts_mode, tlsrpt, ifnull(worst_severity, '-'), findings"
diffs=$(sqlite3 -batch -noheader "$OUT/b.db" "ATTACH '$OUT/a.db' AS a; SELECT count(*) FROM (SELECT $cols FROM main.domains EXCEPT SELECT $cols FROM a.domains)")
check "resumed results equal the uninterrupted run" eq "$diffs" 0
[ "$diffs" = 0 ] || sqlite3 -batch "$OUT/b.db" "ATTACH '$OUT/a.db' AS a; SELECT $cols FROM main.domains EXCEPT SELECT $cols FROM a.domains LIMIT 5"

# ---- C: --quick on the CSV top list, export ---------------------------------------------------
conns_now >"$OUT/conns.c0"
"$BIN" scan "$CSV" --db "$OUT/c.db" "${COMMON[@]}" --quick -q
check "--quick on the CSV exits 0" eq "$?" 0
conns_now >"$OUT/conns.c1"
check "--quick made no SMTP connection" cmp -s <(sed '/^busy\|^single/d' "$OUT/conns.c0") <(sed '/^busy\|^single/d' "$OUT/conns.c1")
check "CSV ranks stored" eq "$(q "$OUT/c.db" "SELECT rank FROM domains WHERE domain = 'd7.scan.example'")" 7
check "CSV: every domain" eq "$(q "$OUT/c.db" 'SELECT count(*) FROM domains')" "$distinct"
"$BIN" export --db "$OUT/a.db" --format jsonl >"$OUT/a.export.jsonl"
check "export jsonl: one valid report per domain" eq "$(jq -c .domain "$OUT/a.export.jsonl" | wc -l)" "$distinct"
"$BIN" export --db "$OUT/a.db" --format csv >"$OUT/a.export.csv"
check "export csv: header and a row per domain" eq "$(wc -l <"$OUT/a.export.csv")" "$((distinct + 1))"
check "export csv: d1 is dane" grep -q '^1,[0-9]*,d1.scan.example,,dane,false,true,false,secure' "$OUT/a.export.csv"
"$BIN" export --db "$OUT/a.db" --errors >"$OUT/a.errors.csv"
check "export --errors lists the garbage" eq "$(($(wc -l <"$OUT/a.errors.csv") - 1))" "$(wc -l <"$GARBAGE")"
# ---- D: --full, each unique endpoint enumerated once --------------------------------------------
# The first 100 domains (every case) and the next 600 without the per-domain MX names (cases 9
# and 16), so that a few hundred domains lead to a couple of dozen endpoints.  --per-ip 1: the
# single server logs any second connection at once; --reply-timeout 0.5 shortens the wait for
# TLS 1.3 tickets Postfix never sends (check gets the same options below).
awk 'NR <= 100 || (NR <= 700 && $2 != 9 && $2 != 16) {print $1}' "$CASES" >"$OUT/d.list"
dn=$(wc -l <"$OUT/d.list")
FULLOPTS=(--reply-timeout 0.5)
conns_now >"$OUT/conns.d0"
t1=$(date +%s.%N)
MAILTLS_SCAN_STATS=1 "$BIN" scan "$OUT/d.list" --db "$OUT/d.db" "${COMMON[@]}" --retry-delay 0.1 \
    --per-ip 1 --full "${FULLOPTS[@]}" --jsonl >"$OUT/d.jsonl" 2>"$OUT/d.err"
rc=$?
conns_now >"$OUT/conns.d1"
echo "scan: --full on $dn domains: exit $rc, $(echo "$(date +%s.%N) - $t1" | bc) s; $(grep enumerated "$OUT/d.err")"
check "--full scan exits 0" eq "$rc" 0
check "--full: every domain stored" eq "$(q "$OUT/d.db" 'SELECT count(*) FROM domains')" "$dn"
neps=$(q "$OUT/d.db" "SELECT count(DISTINCT e.ip || '|' || e.port || '|' || e.reference_name) FROM endpoints e WHERE e.connected = 1")
check "--full: one enumeration per unique endpoint ($neps)" eq "$(q "$OUT/d.db" "SELECT count(*) || '/' || sum(probes) || '/' || sum(attempts) FROM probes WHERE key LIKE 'full|%'")" "$neps/$neps/$neps"
check "--full: every connected endpoint graded" eq "$(q "$OUT/d.db" "SELECT count(*) FROM endpoints WHERE connected = 1 AND grade IS NULL")" 0
check "--full: every TLS endpoint has its enumeration in the report" eq \
    "$(jq -c '.endpoints[] | select(.tls.version != null) | select(.tls.versions == null)' "$OUT/d.jsonl" | wc -l)" 0
for n in $INSTANCES $FAKES; do
    a=$(addr_of "$n")
    before=$(awk -v n="$n" '$1 == n {print $2}' "$OUT/conns.d0")
    after=$(awk -v n="$n" '$1 == n {print $2}' "$OUT/conns.d1")
    want=$(q "$OUT/d.db" "SELECT ifnull(sum(CASE WHEN key LIKE 'full|%' THEN connections ELSE attempts END), 0) FROM probes WHERE ip = '$a'")
    check "--full: $n ($a) saw $((after - before)) connections = probes + enumerations stored" eq "$((after - before))" "$want"
done
check "--full: the per-IP limit held (single never saw two at once)" eq "$(grep -c ' concurrent ' "$BASE/fake/single/conn.log")" 0
check "--full: the per-IP limit held (scheduler)" grep -q "max_inflight_ip=1 " "$OUT/d.err"
# the stored grades, suites and findings equal `mailtls check --full` (one lane, as --per-ip 1)
J='[.grade.letter, ([.endpoints[] | [.ip, .grade.grade, (.tls.versions | tostring), (.tls.ciphers | tostring), (.tls.groups | tostring), .starttls.command_injection.result, ([.findings[].id] | sort | join(","))]] | tostring), ([.findings[].id] | sort | join(","))] | join("|")'
disagree=0
for c in 0 6 7 8 9 10 12 13 15 16 17 18; do
    dom=$(awk -v c="$c" '$2 == c {print $1; exit}' "$CASES")
    got=$("$BIN" check "$dom" --full --max-conn 1 "${FULLOPTS[@]}" --json --resolver "$RESOLVER" --trust-anchor "$ANCHORS" \
        --ca-file "$CA" --ehlo scan.lab.example 2>/dev/null | jq -r "$J")
    stored=$(q "$OUT/d.db" "SELECT json FROM domains d JOIN reports r ON r.domain_id = d.id WHERE domain = '$dom'" | jq -r "$J")
    if [ "$got" != "$stored" ] || [ -z "$got" ]; then
        disagree=$((disagree + 1))
        echo "    $dom (case $c): check '${got:0:300}'"
        echo "    $dom (case $c): scan  '${stored:0:300}'"
    fi
done
check "--full: check --full and the stored scan agree (grades, versions, suites, groups, findings)" eq "$disagree" 0
check "--full: grades stored per domain" test "$(q "$OUT/d.db" "SELECT count(*) FROM domains WHERE grade IS NOT NULL")" -gt 0

check "no MAIL/RCPT/DATA/AUTH sent (Postfix logs)" test -z "$(grep -h 'disconnect from' "$BASE"/scan*/maillog 2>/dev/null | grep -E ' (mail|rcpt|data|bdat|auth)=' )"

echo "scan: $pass passed, $fail failed ($(($(date +%s) - t0)) s)"
[ "$fail" -eq 0 ]
