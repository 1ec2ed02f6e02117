#!/bin/bash
# bench/scan.sh MAILTLS [N] -- mailtls scan on the generated scan lab (tests/lab/scanlab.sh) with
# N domains (default 10000), and next to it in the same run: posttls-finger driven by xargs -P 32
# over the same domains through one validating unbound, and testssl.sh --file --mode parallel on a
# 200-domain subset. Prints domains/s, CPU s per 1,000 domains, peak RSS, RSS at 1k/10k/100k
# inputs (--quick, the 100k list being the lab's domains followed by secure-NXDOMAIN names of the
# same zone), connections per unique endpoint. testssl.sh runs `--mx DOMAIN -p -S` (protocols and
# the certificate, its lightest useful run) on TESTSSL_N domains (default 40: 200 take ~30 minutes
# here). Not a test: figures only. Needs root; run it under
# the lab lock. LAB=/tmp/mailtls-scanbench, 127.0.10.0/24, Knot on 53591, unbound on NET.53.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 MAILTLS [N]" >&2; exit 2; }
BIN=$(readlink -f "$1")
N=${2:-10000}
cd "$(dirname "$0")/.."
LAB=${LAB:-/tmp/mailtls-scanbench}
export SCANLAB_NET=${SCANLAB_NET:-127.0.10} SCANLAB_KNOT_PORT=${SCANLAB_KNOT_PORT:-53591} SCANLAB_N=$N
UB_ADDR=$SCANLAB_NET.53
UB=$LAB/unbound
OUT=$LAB/out
TESTSSL_N=${TESTSSL_N:-40}
[ "$(id -u)" -eq 0 ] || { echo "bench/scan.sh: needs root" >&2; exit 1; }
for p in unbound posttls-finger sqlite3 jq /usr/bin/time; do
	command -v "$p" >/dev/null || { echo "bench/scan.sh: $p missing (make deps)" >&2; exit 1; }
done

ub_stop() {
	local p
	p=$(cat "$UB/unbound.pid" 2>/dev/null || :)
	if [[ $p =~ ^[0-9]+$ ]] && [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$(command -v unbound)")" ]; then
		kill "$p" 2>/dev/null || :
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -f "$UB/unbound.pid"
}
trap 'ub_stop; tests/lab/scanlab.sh stop "$LAB" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM

t0=$(date +%s)
tests/lab/scanlab.sh start "$LAB" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
. "$LAB/env"
echo "lab: $N domains up in $(($(date +%s) - t0)) s"
rm -rf "$OUT"
mkdir -p "$OUT"
# the lab's domains (the list without its garbage, duplicates and comments), in list order
cut -f1 "$CASES" >"$OUT/domains.txt"
ND=$(wc -l <"$OUT/domains.txt")

# one validating unbound for posttls-finger (it trusts the AD bit of the system resolver)
ub_stop
mkdir -p "$UB"
cat >"$UB/unbound.conf" <<EOF
server:
    interface: $UB_ADDR
    port: 53
    do-ip6: no
    username: ""
    chroot: ""
    directory: "$UB"
    pidfile: "$UB/unbound.pid"
    logfile: "$UB/unbound.log"
    use-syslog: no
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: "validator iterator"
    trust-anchor-file: "$ANCHORS"
    domain-insecure: "uscan.example"
    msg-cache-size: 64m
    rrset-cache-size: 128m
remote-control:
    control-enable: no
forward-zone:
    name: "."
    forward-addr: $RESOLVER
EOF
unbound-checkconf "$UB/unbound.conf" >/dev/null
unbound -c "$UB/unbound.conf" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
printf 'nameserver %s\noptions trust-ad\n' "$UB_ADDR" >"$UB/resolv.conf"
# in the lab resolver's view: a mount namespace whose /etc/resolv.conf names it (a command, for time)
IN_NS=(unshare -m bash -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$UB/resolv.conf")

conns() { local n s=0; for n in $INSTANCES; do s=$((s + $(tests/lab/postfix.sh conncount "$n" "$LAB"))); done
	for n in $FAKES; do s=$((s + $(wc -l <"$LAB/fake/$n/conn.log"))); done; echo $s; }
# run LABEL CMD...: wall, CPU (user+sys), peak RSS of CMD, connections the servers saw
run() {
	local label=$1 c0 c1
	shift
	c0=$(conns)
	/usr/bin/time -f "%e %U %S %M" -o "$OUT/$label.time" "$@" >"$OUT/$label.out" 2>"$OUT/$label.err" || :
	c1=$(conns)
	read -r W U S M < <(tail -n 1 "$OUT/$label.time")
	C=$(echo "$U + $S" | bc -l)
	CONN=$((c1 - c0))
	printf '%-34s %9.2f %9.2f %10d %11d\n' "$label" "$W" "$C" "$M" "$CONN"
}
# --retry-delay 1: the lab's busy server answers 421 to every second connection by design, not
# under load; the default 15 s back-off would make its five names a 60 s tail of the run
COMMON=(--resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" --no-progress --ehlo bench.lab.example
	--retry-delay 1)
printf '%-34s %9s %9s %10s %11s\n' "" "wall s" "CPU s" "maxRSS KiB" "connections"

# 1. mailtls scan, default politeness (per-ip 1, spacing 50 ms), then spacing 0
run "mailtls scan $ND" "$BIN" scan "$OUT/domains.txt" --db "$OUT/full.db" "${COMMON[@]}"
SW=$W SC=$C SM=$M SCONN=$CONN
run "mailtls scan --ip-spacing 0" env MAILTLS_SCAN_STATS=1 "$BIN" scan "$OUT/domains.txt" --db "$OUT/full0.db" --ip-spacing 0 "${COMMON[@]}"
S0W=$W S0C=$C S0M=$M
grep stats "$OUT/mailtls scan --ip-spacing 0.err" || :
run "mailtls scan --per-ip 4 --ip-spacing 0" "$BIN" scan "$OUT/domains.txt" --db "$OUT/full4.db" --per-ip 4 --ip-spacing 0 "${COMMON[@]}"
S4W=$W S4C=$C
# 2. quick mode
run "mailtls scan --quick $ND" "$BIN" scan "$OUT/domains.txt" --db "$OUT/quick.db" --quick "${COMMON[@]}"
QW=$W QC=$C
run "mailtls scan --quick --dns-rate 0" "$BIN" scan "$OUT/domains.txt" --db "$OUT/quick0.db" --quick --dns-rate 0 "${COMMON[@]}"
QW0=$W QC0=$C
# 3. RSS against the length of the input (--quick)
head -n 1000 "$OUT/domains.txt" >"$OUT/d1k.txt"
{ cat "$OUT/domains.txt"; seq 1 $((100000 - ND)) | sed 's/^/nx/; s/$/.scan.example/'; } | head -n 100000 >"$OUT/d100k.txt"
head -n 10000 "$OUT/d100k.txt" >"$OUT/d10k.txt"
for k in 1k 10k 100k; do
	run "mailtls scan --quick ($k lines)" env MAILTLS_SCAN_STATS=1 "$BIN" scan "$OUT/d$k.txt" --db "$OUT/q$k.db" --quick "${COMMON[@]}"
	eval "R$k=$M W$k=$W"
	grep stats "$OUT/mailtls scan --quick ($k lines).err" || :
done
# 4. posttls-finger -l dane over every domain, 32 at a time, through the validating unbound
run "posttls-finger xargs -P 32 ($ND)" "${IN_NS[@]}" bash -c 'xargs -P 32 -n 1 posttls-finger -c -l dane <"$0"' "$OUT/domains.txt"
PW=$W PC=$C PCONN=$CONN
# 5. testssl.sh --file --mode parallel on a subset (one line per MX host:port, as testssl.sh wants)
if command -v testssl >/dev/null && [ "$TESTSSL_N" -gt 0 ]; then
	head -n "$TESTSSL_N" "$OUT/domains.txt" >"$OUT/t.txt"
	# testssl.sh takes hosts, not mail domains: its --mx per domain resolves the MX itself
	sed 's/^/--mx /' "$OUT/t.txt" >"$OUT/testssl.cmds"
	export NXCONNECT=127.0.0.1:0
	run "testssl.sh --file --mode parallel ($TESTSSL_N)" "${IN_NS[@]}" testssl --quiet --color 0 --warnings off -p -S --file "$OUT/testssl.cmds" --mode parallel
	TW=$W TC=$C TCONN=$CONN
else
	TW=0 TC=0 TCONN=0
fi

uniq_eps=$(sqlite3 -batch -noheader "$OUT/full.db" 'SELECT count(*) FROM probes')
attempts=$(sqlite3 -batch -noheader "$OUT/full.db" 'SELECT sum(attempts) FROM probes')
echo
echo "domains: $ND; unique endpoints: $uniq_eps; connections by mailtls scan: $SCONN ($(echo "scale=3; $SCONN / $uniq_eps" | bc) per unique endpoint; attempts stored $attempts)"
printf 'mailtls scan:           %8.0f domains/s, %6.3f CPU s per 1,000 domains, peak RSS %d KiB\n' "$(echo "$ND / $SW" | bc -l)" "$(echo "$SC * 1000 / $ND" | bc -l)" "$SM"
printf 'mailtls scan spacing 0: %8.0f domains/s, %6.3f CPU s per 1,000 domains, peak RSS %d KiB\n' "$(echo "$ND / $S0W" | bc -l)" "$(echo "$S0C * 1000 / $ND" | bc -l)" "$S0M"
printf 'mailtls scan per-ip 4:  %8.0f domains/s, %6.3f CPU s per 1,000 domains\n' "$(echo "$ND / $S4W" | bc -l)" "$(echo "$S4C * 1000 / $ND" | bc -l)"
printf 'mailtls scan --quick:   %8.0f domains/s, %6.3f CPU s per 1,000 domains (--dns-rate 0: %.0f domains/s, %.3f CPU s)\n' "$(echo "$ND / $QW" | bc -l)" "$(echo "$QC * 1000 / $ND" | bc -l)" "$(echo "$ND / $QW0" | bc -l)" "$(echo "$QC0 * 1000 / $ND" | bc -l)"
printf 'posttls-finger -P 32:   %8.1f domains/s, %6.3f CPU s per 1,000 domains, %d connections\n' "$(echo "$ND / $PW" | bc -l)" "$(echo "$PC * 1000 / $ND" | bc -l)" "$PCONN"
[ "$TW" != 0 ] && printf 'testssl.sh parallel:    %8.2f domains/s, %6.1f CPU s per 1,000 domains, %d connections (%d domains)\n' "$(echo "$TESTSSL_N / $TW" | bc -l)" "$(echo "$TC * 1000 / $TESTSSL_N" | bc -l)" "$TCONN" "$TESTSSL_N"
printf 'RSS (--quick): 1k %d KiB, 10k %d KiB, 100k %d KiB (100k/10k = %.3f)\n' "$R1k" "$R10k" "$R100k" "$(echo "$R100k / $R10k" | bc -l)"
printf 'ratio mailtls scan / posttls-finger pipeline (domains/s): %.1f (spacing 0: %.1f, per-ip 4: %.1f, --quick: %.1f); CPU per domain: %.2f\n' "$(echo "$PW / $SW" | bc -l)" "$(echo "$PW / $S0W" | bc -l)" "$(echo "$PW / $S4W" | bc -l)" "$(echo "$PW / $QW" | bc -l)" "$(echo "$SC / $PC" | bc -l)"
echo "targets: quick >= 500 domains/s: $( [ "$(echo "$ND / $QW >= 500" | bc -l)" = 1 ] && echo PASS || echo MISS ); >= 20x posttls-finger: $( [ "$(echo "$PW / $SW >= 20" | bc -l)" = 1 ] && echo PASS || echo MISS ); RSS flat 10k->100k (+-10%): $( [ "$(echo "$R100k <= $R10k * 1.1 && $R100k >= $R10k * 0.9" | bc -l)" = 1 ] && echo PASS || echo MISS )"
