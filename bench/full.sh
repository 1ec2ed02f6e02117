#!/bin/bash
# bench/full.sh MAILTLS [RUNS] — `mailtls host --full` next to nmap's ssl-enum-ciphers and
# testssl.sh 3.0.x, all against one local Postfix with Debian's default TLS settings (variant
# `defaults`: TLS 1.0-1.3, `medium`, anonymous suites) on 127.0.0.21:25, STARTTLS.
# mailtls (--max-conn 2, the default, and --max-conn 1) and nmap run RUNS times (default 3) and are
# reported per run; testssl.sh runs once in its default mode (what the issue measured) and once
# with -E, whose per-version suite lists are compared with mailtls's and nmap's.
# Prints wall time, CPU time (children's user+sys), server-side connections, ratios, the
# enumeration floor mailtls reports, and the issue's targets with PASS/MISS (informational).
# Exit status: 0 unless a tool failed to run (1) or the lab failed (set -e).
#
# Network isolation: as root the script re-runs itself in a fresh network namespace
# (`unshare --net`, only `lo` up), so neither the tools nor anything they spawn can reach an
# address outside 127.0.0.0/8 and ::1 — testssl.sh resolves the name "invalid." while probing its
# OpenSSL binary unless NXCONNECT is set, and nmap looks up PTR records unless given -n; both are
# also switched off below. BENCH_NETNS=0 runs in the current namespace instead.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 MAILTLS [RUNS]" >&2; exit 2; }
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); RUNS=${2:-3}
if [ "${BENCH_NETNS:-1}" = 1 ] && [ -z "${MAILTLS_BENCH_NETNS_INSIDE:-}" ]; then
	if [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
		MAILTLS_BENCH_NETNS_INSIDE=1 exec unshare --net -- bash "$SELF" "$BIN" "$RUNS"
	fi
	echo "note: cannot create a network namespace (needs root); running in the current one" >&2
fi
if [ -n "${MAILTLS_BENCH_NETNS_INSIDE:-}" ]; then
	ip link set lo up
	NS="own network namespace, lo only"
else
	NS="current network namespace"
fi
cd "$(dirname "$SELF")/.."
. bench/lib.sh
for t in testssl nmap jq bc; do
	command -v "$t" >/dev/null || { echo "$0: $t not installed" >&2; exit 1; }
done

LAB=${LAB:-/tmp/mailtls-benchfull}; ADDR=127.0.0.21; NAME=full; PF=tests/lab/postfix.sh
OUT=$LAB/out; CA=$LAB/certs/ca.pem
trap '$PF stop $NAME "$LAB" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
tests/lab/ca.sh "$LAB/certs"
$PF start $NAME "$ADDR" defaults "$LAB" </dev/null
rm -rf "$OUT"; mkdir -p "$OUT"
conns() { $PF conncount $NAME "$LAB"; }
FAILED=""

# Each runner writes its output under $OUT and records its exit status (measure discards both).
run_mailtls2() {
	"$BIN" host "$ADDR" --full --json --name mx.lab.example --ca-file "$CA" \
		>"$OUT/mailtls.json" 2>"$OUT/mailtls.err" && RC_M2=0 || RC_M2=$?
}
run_mailtls1() {
	"$BIN" host "$ADDR" --full --json --name mx.lab.example --ca-file "$CA" --max-conn 1 \
		>"$OUT/mailtls-mc1.json" 2>"$OUT/mailtls-mc1.err" && RC_M1=0 || RC_M1=$?
}
# -n: no reverse DNS for the target (nmap resolves PTR records by default)
run_nmap() {
	nmap -Pn -n --script ssl-enum-ciphers -p 25 "$ADDR" \
		>"$OUT/nmap.txt" 2>"$OUT/nmap.err" && RC_N=0 || RC_N=$?
}
# testssl.sh: --nodns none (no A/AAAA/MX/PTR/CAA lookups), PHONE_OUT stays false (no CRL/OCSP
# fetches), --warnings off (no prompts), stdin from /dev/null; NXCONNECT replaces the default
# "invalid." that its OpenSSL capability probes would resolve via DNS (30 queries per start,
# `testssl --version` included; 127.0.0.1:0 is its own WSL workaround).
export NXCONNECT=127.0.0.1:0
TESTSSL_OPTS="--quiet --color 0 --warnings off --nodns none"
run_testssl() {
	rm -f "$OUT/testssl.json"
	testssl $TESTSSL_OPTS --jsonfile "$OUT/testssl.json" -t smtp "$ADDR:25" \
		</dev/null >"$OUT/testssl.txt" 2>"$OUT/testssl.err" && RC_T=0 || RC_T=$?
}
run_testssl_e() {
	rm -f "$OUT/testssl-E.json"
	testssl $TESTSSL_OPTS -E --jsonfile "$OUT/testssl-E.json" -t smtp "$ADDR:25" \
		</dev/null >"$OUT/testssl-E.txt" 2>"$OUT/testssl-E.err" && RC_TE=0 || RC_TE=$?
}

# tool runs wall cpu conns, per run
declare -A W C N
bench() { # KEY RUNS FUNC
	local c0 c1
	c0=$(conns)
	measure "$1" "$2" "$3"
	c1=$(conns)
	W[$1]=$(echo "$WALL / $2" | bc -l); C[$1]=$(echo "$CPU / $2" | bc -l)
	N[$1]=$(echo "($c1 - $c0) / $2" | bc -l)
}
echo "bench/full.sh: Postfix 'defaults' on $ADDR:25 ($NS); outputs in $OUT" >&2
bench mailtls "$RUNS" run_mailtls2
bench mailtls-mc1 "$RUNS" run_mailtls1
bench nmap "$RUNS" run_nmap
bench testssl 1 run_testssl
bench testssl-E 1 run_testssl_e

# did every tool run?
for f in mailtls mailtls-mc1; do
	rc=$([ $f = mailtls ] && echo "$RC_M2" || echo "$RC_M1")
	# mailtls exits 1 when findings reach --fail-on (expected here: anonymous suites)
	if [ "$rc" -gt 1 ] || ! jq -e '.endpoints[0].tls.ciphers | length > 0' "$OUT/$f.json" >/dev/null 2>&1; then
		FAILED="$FAILED $f(exit $rc)"
	fi
done
if [ "$RC_N" != 0 ] || ! grep -q 'ssl-enum-ciphers:' "$OUT/nmap.txt"; then FAILED="$FAILED nmap(exit $RC_N)"; fi
# testssl.sh's exit status is a sum of per-test results; 242 and above are its errors
for f in testssl testssl-E; do
	rc=$([ $f = testssl ] && echo "$RC_T" || echo "$RC_TE")
	if [ "$rc" -ge 242 ] || ! jq -e 'map(select(.id == "scanTime")) | length == 1' "$OUT/$f.json" >/dev/null 2>&1; then
		FAILED="$FAILED $f(exit $rc)"
	fi
done

# suite lists, one "VERSION SUITE" line each, IANA names
jq -r '.endpoints[0].tls.ciphers // {} | to_entries[] | .key as $v | .value[] | "\($v) \(.)"' \
	"$OUT/mailtls.json" 2>/dev/null | sort -u >"$OUT/suites.mailtls" || true
# nmap: "|   TLSv1.2: " opens a version, "|       TLS_... (x25519) - A" is a suite;
# TLS 1.3 suites are named TLS_AKE_WITH_*: IANA drops the "AKE_WITH_"
awk '/^\|   [A-Za-z0-9.]+: *$/ { v = $2; sub(":", "", v) }
	/^\|       (TLS|SSL)_[A-Za-z0-9_]+ / && v != "" { s = $2; sub(/^TLS_AKE_WITH_/, "TLS_", s); print v, s }' \
	"$OUT/nmap.txt" | sort -u >"$OUT/suites.nmap"
# testssl -E: ids cipher-<proto>_x<hex>, the last word of the finding is the IANA/RFC name
jq -r '.[] | select(.id | test("^cipher-(ssl3|tls1(_[123])?)_x")) |
	((.id | capture("^cipher-(?<p>[a-z0-9_]+)_x").p |
	  {"ssl3":"SSLv3","tls1":"TLSv1.0","tls1_1":"TLSv1.1","tls1_2":"TLSv1.2","tls1_3":"TLSv1.3"}[.])
	 + " " + (.finding | split(" ") | map(select(. != "")) | last))' \
	"$OUT/testssl-E.json" 2>/dev/null | sort -u >"$OUT/suites.testssl" || true
# testssl default run: suites without versions (ids cipher_x<hex>), for a union check
jq -r '.[] | select(.id | test("^cipher_x")) | .finding | split(" ") | map(select(. != "")) | last' \
	"$OUT/testssl.json" 2>/dev/null | sort -u >"$OUT/union.testssl" || true
cut -d' ' -f2 "$OUT/suites.mailtls" | sort -u >"$OUT/union.mailtls"

# report
r4() { # a b -> a/b with 4 decimals, or n/a
	if [ "$(echo "$2 > 0" | bc -l)" = 1 ]; then printf '%.4f' "$(echo "$1 / $2" | bc -l)"; else echo n/a; fi
}
f3() { printf '%.3f' "$1"; }
f1() { printf '%.1f' "$1"; }
TSVER=$(testssl --version </dev/null 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' |
	sed -n 's/^ *testssl  *\([0-9][0-9.]*\) from.*/version \1/p' | head -1)
FLOOR=$(jq -r '.endpoints[0].tls.enumeration.floor // 0' "$OUT/mailtls.json" 2>/dev/null || echo 0)
FLOOR1=$(jq -r '.endpoints[0].tls.enumeration.floor // 0' "$OUT/mailtls-mc1.json" 2>/dev/null || echo 0)
OWN=$(jq -r '.endpoints[0].tls.enumeration.connections // "?"' "$OUT/mailtls.json" 2>/dev/null || echo "?")
OWN1=$(jq -r '.endpoints[0].tls.enumeration.connections // "?"' "$OUT/mailtls-mc1.json" 2>/dev/null || echo "?")
# the checks beyond enumeration (ROBOT, CCS, sessions, EMS, kx hash, chain: tls.checks), in the
# last run: their connections are part of the enumeration's and of the Postfix count
CHK=$(jq -r '.endpoints[0].tls.checks.connections // "?"' "$OUT/mailtls.json" 2>/dev/null || echo "?")
CHKMS=$(jq -r '.endpoints[0].tls.checks.elapsed_ms // "?"' "$OUT/mailtls.json" 2>/dev/null || echo "?")
# the floor is the enumeration's: the checks beyond it are not enumeration
ENUMN=$(echo "${N[mailtls]} - ${CHK/\?/0}" | bc -l)
echo
printf '%-22s %5s %10s %10s %12s  %s\n' "full enumeration" runs "wall s" "cpu s" connections "(per run; connections counted by Postfix)"
printf '%-22s %5s %10s %10s %12s  %s\n' "mailtls --full" "$RUNS" "$(f3 "${W[mailtls]}")" "$(f3 "${C[mailtls]}")" "$(f1 "${N[mailtls]}")" "floor $FLOOR, mailtls counts $OWN"
printf '%-22s %5s %10s %10s %12s  %s\n' "  of which tls.checks" 1 "$( [ "$CHKMS" = "?" ] && echo "?" || f3 "$(echo "$CHKMS / 1000" | bc -l)")" "" "$CHK" "the last run's tls.checks.elapsed_ms and .connections"
printf '%-22s %5s %10s %10s %12s  %s\n' "mailtls --max-conn 1" "$RUNS" "$(f3 "${W[mailtls-mc1]}")" "$(f3 "${C[mailtls-mc1]}")" "$(f1 "${N[mailtls-mc1]}")" "floor $FLOOR1, mailtls counts $OWN1"
printf '%-22s %5s %10s %10s %12s\n' "nmap ssl-enum-ciphers" "$RUNS" "$(f3 "${W[nmap]}")" "$(f3 "${C[nmap]}")" "$(f1 "${N[nmap]}")"
printf '%-22s %5s %10s %10s %12s  %s\n' "testssl.sh (default)" 1 "$(f3 "${W[testssl]}")" "$(f3 "${C[testssl]}")" "$(f1 "${N[testssl]}")" "$TSVER"
printf '%-22s %5s %10s %10s %12s  %s\n' "testssl.sh -E" 1 "$(f3 "${W[testssl-E]}")" "$(f3 "${C[testssl-E]}")" "$(f1 "${N[testssl-E]}")" "(ciphers per protocol only)"
echo
printf '%-22s %10s %10s %12s\n' ratio wall cpu connections
for o in nmap testssl testssl-E; do
	printf '%-22s %10s %10s %12s\n' "mailtls / $o" "$(r4 "${W[mailtls]}" "${W[$o]}")" \
		"$(r4 "${C[mailtls]}" "${C[$o]}")" "$(ratio "${N[mailtls]}" "${N[$o]}")"
done
printf '%-22s %10s %10s %12s\n' "connections / floor" "" "" "$(r4 "${N[mailtls]}" "$FLOOR")"
printf '%-22s %10s %10s %12s\n' "  without tls.checks" "" "" "$(r4 "$ENUMN" "$FLOOR")"
printf '%-22s %10s %10s %12s\n' "  with --max-conn 1" "" "" "$(r4 "${N[mailtls-mc1]}" "$FLOOR1")"

# suite lists per version
echo
VERSIONS=$(cut -d' ' -f1 "$OUT/suites.mailtls" "$OUT/suites.nmap" "$OUT/suites.testssl" | sort -u)
printf '%-10s %8s %8s %8s\n' suites mailtls nmap testssl
for v in $VERSIONS; do
	printf '%-10s %8d %8d %8d\n' "$v" "$(grep -c "^$v " "$OUT/suites.mailtls" || true)" \
		"$(grep -c "^$v " "$OUT/suites.nmap" || true)" "$(grep -c "^$v " "$OUT/suites.testssl" || true)"
done
SAME=yes
for o in nmap testssl; do
	if [ -s "$OUT/suites.mailtls" ] && cmp -s "$OUT/suites.mailtls" "$OUT/suites.$o"; then
		echo "same suite lists as $o: yes"
	else
		SAME=no
		echo "same suite lists as $o: no"
		comm -23 "$OUT/suites.mailtls" "$OUT/suites.$o" | sed "s/^/  only mailtls: /"
		comm -13 "$OUT/suites.mailtls" "$OUT/suites.$o" | sed "s/^/  only $o: /"
	fi
done
if cmp -s "$OUT/union.mailtls" "$OUT/union.testssl"; then
	echo "same suites as testssl.sh's default run (all versions together): yes"
else
	echo "same suites as testssl.sh's default run (all versions together): no"
	comm -23 "$OUT/union.mailtls" "$OUT/union.testssl" | sed "s/^/  only mailtls: /"
	comm -13 "$OUT/union.mailtls" "$OUT/union.testssl" | sed "s/^/  only testssl: /"
fi

# the issue's targets (informational)
pm() { [ "$(echo "$1" | bc -l)" = 1 ] && echo PASS || echo MISS; }
echo
printf '%-40s %-28s %s\n' target measured ""
printf '%-40s %-28s %s\n' "connections - tls.checks <= 1.1 x floor" "$(f1 "$ENUMN") vs $(f1 "$(echo "1.1 * $FLOOR" | bc -l)")" \
	"$(pm "$FLOOR > 0 && $ENUMN <= 1.1 * $FLOOR")"
printf '%-40s %-28s %s\n' "wall <= 1/2 of nmap's" "$(f3 "${W[mailtls]}") vs $(f3 "$(echo "${W[nmap]} / 2" | bc -l)") s" \
	"$(pm "${W[mailtls]} <= ${W[nmap]} / 2")"
printf '%-40s %-28s %s\n' "wall <= 1/100 of testssl.sh's" "$(f3 "${W[mailtls]}") vs $(f3 "$(echo "${W[testssl]} / 100" | bc -l)") s" \
	"$(pm "${W[mailtls]} <= ${W[testssl]} / 100")"
printf '%-40s %-28s %s\n' "connections (with tls.checks) < nmap's" "$(f1 "${N[mailtls]}") vs $(f1 "${N[nmap]}")" \
	"$(pm "${N[mailtls]} < ${N[nmap]}")"
printf '%-40s %-28s %s\n' "same suite lists as nmap and testssl.sh" "$SAME" "$([ $SAME = yes ] && echo PASS || echo MISS)"

if [ -n "$FAILED" ]; then
	echo "tool(s) failed:$FAILED (see $OUT/*.err)" >&2
	exit 1
fi
exit 0
