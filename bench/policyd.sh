#!/bin/bash
# bench/policyd.sh MAILTLS -- mailtls policyd against postfix-mta-sts-resolver (Debian package
# postfix-mta-sts-resolver, mta-sts-daemon) on the same lab domains and the same query mix:
# answers side by side, cold and warm queries/s, p50/p99 latency, RSS.  BENCH_LONG=1 adds the
# 10^6-lookup run of mailtls policyd (RSS before and after).  Figures: bench/README.md.
#
# The domain lab with DOMLAB_POLICY=1 on 127.0.12.0/24 (Knot on 53612), a validating unbound on
# 127.0.12.53 for mta-sts-daemon (it uses the system resolver: a private mount namespace whose
# /etc/resolv.conf names it; SSL_CERT_FILE is the lab CA), mailtls on 127.0.12.1:8462 (its own
# resolver, the lab anchors), mta-sts-daemon on 127.0.12.1:8461, both with in-memory caches.
set -uo pipefail
BIN=$(readlink -f "${1:?usage: bench/policyd.sh MAILTLS}")
cd "$(dirname "$0")/.."
export DOMLAB_NET=127.0.12 DOMLAB_KNOT_PORT=53612 DOMLAB_IPV6=0 DOMLAB_POLICY=1
LAB=${LAB:-/tmp/mailtls-bench-policylab}
A=127.0.12.1
WARM=${BENCH_WARM:-200000}
CLIENTS=${BENCH_CLIENTS:-64}
command -v mta-sts-daemon >/dev/null || { echo "bench/policyd.sh: mta-sts-daemon missing (apt-get install postfix-mta-sts-resolver)" >&2; exit 1; }
MD= RD=
cleanup() {
    [ -n "$MD" ] && kill "$MD" 2>/dev/null
    [ -n "$RD" ] && kill "$RD" 2>/dev/null
    wait 2>/dev/null
    tests/lab/unbound.sh stop "$LAB/unbound" >/dev/null 2>&1 || :
    tests/lab/domain-lab.sh stop "$LAB" >/dev/null 2>&1 || :
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tests/lab/domain-lab.sh start "$LAB" || exit 1
. "$LAB/env"
tests/lab/unbound.sh start "$LAB/unbound" "$NET.53" "$ANCHORS" "$KNOT_PORT" || exit 1
cc -O2 -o "$LAB/socketmap_load" tests/real/socketmap_load.c || exit 1
cat >"$LAB/mta-sts-daemon.yml" <<EOC
host: $A
port: 8461
reuse_port: true
cache:
  type: internal
  options:
    cache_size: 10000
default_zone:
  strict_testing: false
  timeout: 4
EOC

STS="pol-sts-good.example pol-sts-bad.example pol-sts-testing.example sts-enforce.example sts-outside.example
sts-testing.example sts-twoaddr.example sts-badname.example sts-malformed.example sts-404.example"
DANE="dane-ee.example dane-ta.example pol-dane.example pol-dane-bad.example twomx.example"
NONE="pol-plain.example unsigned.example nullmx.example mismatch.example"
ALL="$STS $DANE $NONE"

start_m() {
    "$BIN" policyd --listen "inet:$A:8462" --no-cache-file --resolver "$RESOLVER" --trust-anchor "$ANCHORS" \
        --ca-file "$CA" --stats-interval 0 2>"$LAB/mailtls.log" &
    MD=$!
    for _ in $(seq 1 50); do (exec 3<>/dev/tcp/$A/8462) 2>/dev/null && return; sleep 0.1; done
}
start_r() {
    SSL_CERT_FILE=$CA tests/lab/unbound.sh ns "$LAB/unbound" mta-sts-daemon -c "$LAB/mta-sts-daemon.yml" \
        -v warn 2>"$LAB/resolver.log" &
    RD=$!
    for _ in $(seq 1 100); do (exec 3<>/dev/tcp/$A/8461) 2>/dev/null && return; sleep 0.1; done
}
rss_of() { # PID (and its children): VmRSS KiB summed
    local t=0 p
    for p in $1 $(pgrep -P "$1" 2>/dev/null); do
        t=$((t + $(awk '/VmRSS/ {print $2}' /proc/$p/status 2>/dev/null || echo 0)))
    done
    echo $t
}
field() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }

start_m
start_r
echo "== answers (postmap -q through Postfix's socketmap client), cold then cached"
printf '%-26s %-62s %s\n' domain "mailtls policyd" "postfix-mta-sts-resolver"
same=0 diff=0
for d in $ALL; do
    m=$(postmap -q "$d" "socketmap:inet:$A:8462:mailtls" 2>/dev/null || :)
    r=$(postmap -q "$d" "socketmap:inet:$A:8461:postfix" 2>/dev/null || :)
    printf '%-26s %-62s %s\n' "$d" "${m:-NOTFOUND}" "${r:-NOTFOUND}"
    case " $(echo $STS) " in *" $d "*) [ "$m" = "$r" ] && same=$((same + 1)) || diff=$((diff + 1)) ;; esac
done
echo "MTA-STS domains: $same identical, $diff different"

echo "== cold: a fresh daemon, every domain asked once, all at once"
kill "$MD" "$RD"; wait 2>/dev/null; MD= RD=
start_m
start_r
n=$(wc -w <<<"$ALL")
cm=$("$LAB/socketmap_load" "$A" 8462 mailtls "$n" "$n" $ALL)
cr=$("$LAB/socketmap_load" "$A" 8461 postfix "$n" "$n" $ALL)
echo "mailtls:  $cm"
echo "resolver: $cr"

echo "== warm: $CLIENTS clients, the same mix"
"$LAB/socketmap_load" "$A" 8462 mailtls "$CLIENTS" 20000 $ALL >/dev/null
"$LAB/socketmap_load" "$A" 8461 postfix "$CLIENTS" 5000 $ALL >/dev/null
wm=$("$LAB/socketmap_load" "$A" 8462 mailtls "$CLIENTS" "$WARM" $ALL)
wr=$("$LAB/socketmap_load" "$A" 8461 postfix "$CLIENTS" $((WARM / 4)) $ALL)
echo "mailtls:  $wm rss_kb=$(rss_of "$MD")"
echo "resolver: $wr rss_kb=$(rss_of "$RD")"
echo "warm throughput ratio: $(echo "$(field qps "$wm") / $(field qps "$wr")" | bc -l | cut -c1-5)x;" \
    "p99 $(field p99_us "$wm") us vs $(field p99_us "$wr") us"

if [ "${BENCH_LONG:-0}" = 1 ]; then
    echo "== 10^6 lookups, mailtls policyd, $CLIENTS clients"
    r0=$(rss_of "$MD")
    out=$("$LAB/socketmap_load" "$A" 8462 mailtls "$CLIENTS" 1000000 $ALL)
    echo "$out rss_kb=$r0->$(rss_of "$MD")"
fi
