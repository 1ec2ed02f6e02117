#!/bin/bash
# bench/check.sh MAILTLS [RUNS] [DOMAIN] — `mailtls check DOMAIN` next to `posttls-finger -c -l dane
# DOMAIN`, both resolving through the same validating unbound (Debian's `unbound` daemon on
# NET.53:53, forwarding to the domain lab's Knot with the lab trust anchors), RUNS times each
# (default 10; DOMAIN default dane-ee.example). Prints wall time, CPU time, server-side connections
# (Postfix's log) and the ratios mailtls/posttls-finger.
#
# posttls-finger uses the system resolver and trusts the AD bit: both tools run inside a mount
# namespace (unshare -m) where /etc/resolv.conf is a bind mount of "nameserver NET.53" +
# "options trust-ad". mailtls gets --resolver NET.53 --trust-anchor ANCHORS (it validates itself too).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 MAILTLS [RUNS] [DOMAIN]" >&2; exit 2; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); RUNS=${2:-10}; DOMAIN=${3:-dane-ee.example}
cd "$(dirname "$0")/.."
LAB=${LAB:-/tmp/mailtls-bench-domlab}
# Addresses of our own, so that tests/real/check.sh (127.0.1.x, [::1]) may run at the same time.
export DOMLAB_NET=${DOMLAB_NET:-127.0.3} DOMLAB_KNOT_PORT=${DOMLAB_KNOT_PORT:-53543} DOMLAB_IPV6=0
UB_ADDR=$DOMLAB_NET.53
UB=$LAB/unbound
command -v unbound >/dev/null || { echo "bench/check.sh: unbound missing (apt-get install unbound)" >&2; exit 1; }
command -v posttls-finger >/dev/null || { echo "bench/check.sh: posttls-finger missing (postfix)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench/check.sh: needs root" >&2; exit 1; }

ub_stop() {
	local p
	p=$(cat "$UB/unbound.pid" 2>/dev/null || :)
	if [[ $p =~ ^[0-9]+$ ]] && [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$(command -v unbound)")" ]; then
		kill "$p" 2>/dev/null || :
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -f "$UB/unbound.pid"
}
trap 'ub_stop; tests/lab/domain-lab.sh stop "$LAB" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM

tests/lab/domain-lab.sh start "$LAB"
. "$LAB/env"

# ---- a validating unbound on UB_ADDR:53 forwarding to the lab's Knot ---------------------------
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
    verbosity: 1
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: "validator iterator"
    trust-anchor-file: "$ANCHORS"
    val-log-level: 2
remote-control:
    control-enable: no
forward-zone:
    name: "."
    forward-addr: 127.0.0.1@$KNOT_PORT
EOF
unbound-checkconf "$UB/unbound.conf" >/dev/null
unbound -c "$UB/unbound.conf"
ok=0
for _ in $(seq 1 50); do
	if kdig @"$UB_ADDR" +timeout=1 +retry=0 +dnssec "$DOMAIN" MX 2>/dev/null | grep -qi '^;; flags:.* ad'; then ok=1; break; fi
	sleep 0.1
done
[ $ok = 1 ] || { echo "bench/check.sh: unbound on $UB_ADDR does not validate $DOMAIN MX" >&2; tail "$UB/unbound.log" >&2; exit 1; }
printf 'nameserver %s\noptions trust-ad\n' "$UB_ADDR" >"$UB/resolv.conf"

# in_ns CMD...: run CMD in a private mount namespace whose /etc/resolv.conf points at our unbound
in_ns() {
	unshare -m bash -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$UB/resolv.conf" "$@"
}
# measure_ns RUNS CMD...: bench/lib.sh's measure inside the namespace; prints "WALL CPU"
measure_ns() {
	in_ns bash -c '. bench/lib.sh; measure x "$@"; echo "$WALL $CPU"' measure_ns "$@"
}

MCMD=("$BIN" check "$DOMAIN" --resolver "$UB_ADDR" --trust-anchor "$ANCHORS" --ca-file "$CA" --json)
PCMD=(posttls-finger -c -l dane "$DOMAIN")

# Sanity (and warm unbound's cache for both): each tool sees DANE working once.
v=$(in_ns "${MCMD[@]}" 2>/dev/null | jq -r '.verdict.downgrade_protection' || :)
[ "$v" = dane ] || echo "bench/check.sh: warning: mailtls verdict for $DOMAIN is '$v', not dane" >&2
p=$(in_ns "${PCMD[@]}" 2>&1 || :)
echo "$p" | grep -q 'Verified TLS connection' ||
	{ echo "bench/check.sh: warning: posttls-finger did not verify $DOMAIN with DANE:" >&2; echo "$p" >&2; }

count() { local n s=0; for n in $INSTANCES; do s=$((s + $(tests/lab/postfix.sh conncount "$n" "$LAB"))); done; echo $s; }
for n in $INSTANCES; do tests/lab/postfix.sh resetlog "$n" "$LAB"; done

# Interleaved in rounds, so that both tools see the same background load on this machine.
ROUNDS=${ROUNDS:-5}
per=$(( (RUNS + ROUNDS - 1) / ROUNDS ))
mw=0 mc=0 pw=0 pc=0 mconn_n=0 pconn_n=0
for r in $(seq "$ROUNDS"); do
	a=$(count)
	read -r w c < <(measure_ns "$per" "${MCMD[@]}")
	mw=$(echo "$mw + $w" | bc -l); mc=$(echo "$mc + $c" | bc -l)
	b=$(count)
	read -r w c < <(measure_ns "$per" "${PCMD[@]}")
	pw=$(echo "$pw + $w" | bc -l); pc=$(echo "$pc + $c" | bc -l)
	d=$(count)
	mconn_n=$((mconn_n + b - a)); pconn_n=$((pconn_n + d - b))
done
RUNS=$((per * ROUNDS))
c0=0; c1=$mconn_n; c2=$((mconn_n + pconn_n))
. bench/lib.sh
mconn=$((c1 - c0)); pconn=$((c2 - c1))

printf '%-22s %10s %10s %12s\n' "check $DOMAIN x$RUNS" "wall s" "cpu s" "connections"
printf '%-22s %10.3f %10.3f %12d\n' mailtls "$mw" "$mc" "$mconn"
printf '%-22s %10.3f %10.3f %12d\n' posttls-finger "$pw" "$pc" "$pconn"
printf '%-22s %10s %10s %12s\n' "ratio m/p" "$(ratio "$mw" "$pw")" "$(ratio "$mc" "$pc")" "$(ratio "$mconn" "$pconn")"
