#!/usr/bin/env bash
# bench/provider.sh MAILTLS -- `mailtls provider --full` on the lab provider (every service of
# lab-provider.example, tests/lab/provider-lab.sh) against testssl.sh run once per service and
# sslscan once per service: wall time, CPU time, TCP connections per service and in total.
# Connections are counted with strace (connect() to the service's address and port) for all
# three tools, and checked against mailtls's own .connections.  Not part of `make check`.
#
# Environment: BENCH_SERVICES="IMAPS XMPP c2s ..." limits the services (labels as in the table);
# BENCH_TESTSSL=0 / BENCH_SSLSCAN=0 skip a tool; BENCH_KEEP=1 keeps the lab and work directory;
# BENCH_RUNNING=1 uses a lab that is already running (and leaves it running).
# Run as root, under the lab lock:  flock -o /tmp/mailtls-lab.lock bench/provider.sh build/mailtls
set -u
[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/mailtls" >&2; exit 2; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.." || exit 2
BASE=/tmp/mailtls-provider
WORK=$(mktemp -d /tmp/mailtls-bench-provider.XXXXXX)
cleanup() {
	[ "${BENCH_KEEP:-0}" = 1 ] || [ "${BENCH_RUNNING:-0}" = 1 ] || { tests/lab/provider-lab.sh stop "$BASE" >/dev/null 2>&1; rm -rf "$WORK"; }
}
trap cleanup EXIT
for c in strace jq /usr/bin/time; do command -v $c >/dev/null || { echo "bench: $c missing"; exit 2; }; done
if [ "${BENCH_RUNNING:-0}" = 1 ]; then	# a lab already started (provider-lab.sh start)
	RESOLVER=127.0.0.1@${PROVIDER_KNOT_PORT:-53614}
else
	out=$(tests/lab/provider-lab.sh start "$BASE" 2>&1) || { echo "$out" | tail; exit 1; }
	RESOLVER=$(echo "$out" | awk '/^resolver/ { print $2 }')
fi
CA=$BASE/certs/ca.pem
P=lab-provider.example

# count connect() calls to ADDR:PORT in an strace log
nconn() { grep -E "connect\(.*sin_port=htons\($2\).*inet_addr\(\"$1\"\)" "$3" | grep -vc 'EINPROGRESS\|= 0' | tr -d ' '; }
nconn_all() { grep -cE "connect\(.*sin_port=htons\($2\).*inet_addr\(\"$1\"\)" "$3"; }
measure() { # LABEL OUTFILE CMD... -> "wall cpu" in WORK/LABEL.time, strace in WORK/LABEL.st
	local l=$1 o=$2
	shift 2
	/usr/bin/time -f "%e %U %S" -o "$WORK/$l.time" strace -f -qq -e trace=connect -o "$WORK/$l.st" \
		"$@" >"$o" 2>/dev/null
}

measure mailtls "$WORK/prov.json" "$BIN" provider $P --full --json --resolver "$RESOLVER" \
	--trust-anchor "$BASE/knot/anchors.txt" --ca-file "$CA" --timeout 60 --no-progress
read -r mw mu ms < <(tail -1 "$WORK/mailtls.time")
echo "mailtls provider --full: wall ${mw}s, CPU $(echo "$mu + $ms" | bc)s, $(jq '.providers[0].connections' "$WORK/prov.json") connections (its own count)"

printf '\n%-14s %-28s %8s %6s %6s %6s %6s | %7s %6s | %9s %9s %6s | %9s %9s %6s\n' service target m_conn \
	floor enum e_rat grade m_wall m_cpu testssl_s t_cpu t_conn sslscan_s s_cpu s_conn
jq -r '.providers[0].services[] | select(.reachable) | [.service, .proto, .host, .port, .endpoints[0].ip,
	.endpoints[0].connections, (.endpoints[0].tls.enumeration.floor // 0), (.grade // "-"),
	((.endpoints[0].tls.enumeration.connections // 0) - (.endpoints[0].tls.checks.connections // 0)
	 - (.endpoints[0].starttls.command_injection.connections // 0))] | @tsv' "$WORK/prov.json" |
while IFS=$'\t' read -r svc proto host port ip mconn floor grade econn; do
	if [ -n "${BENCH_SERVICES:-}" ] && ! grep -qw -- "$svc" <<<"$BENCH_SERVICES"; then continue; fi
	sconn=$(nconn_all "$ip" "$port" "$WORK/mailtls.st")
	name=$host
	case $proto in
	imap) ts=(-t imap); ss=(--starttls-imap) ;;
	pop3) ts=(-t pop3); ss=(--starttls-pop3) ;;
	submission | smtp) ts=(-t smtp); ss=(--starttls-smtp) ;;
	xmpp) ts=(-t xmpp --xmpphost "$P"); ss=(--starttls-xmpp); name=$P ;;
	# testssl.sh 3.0.8 has no xmpp-server (docs/internals/provider.md)
	xmpp-server) ts=(); ss=(--starttls-xmpp --xmpp-server); name=$P ;;
	xmpps | xmpps-server) ts=(); ss=(); name=$P ;;
	*) ts=(); ss=() ;;
	esac
	# the same service alone with mailtls host --full: wall and CPU per service
	measure "m.$svc" "$WORK/m.$svc.json" "$BIN" host "$ip:$port" --proto "$proto" --name "$name" \
		--ca-file "$CA" --full --json --timeout 60
	read -r hw hu hsys < <(tail -1 "$WORK/m.$svc.time"); hc=$(echo "$hu + $hsys" | bc)
	tw=-; tc=-; tn=-; sw=-; sc=-; sn=-
	if [ "${BENCH_TESTSSL:-1}" = 1 ] && [ "$proto" != xmpp-server ]; then
		measure "t.$svc" /dev/null timeout 900 testssl --quiet --warnings off --color 0 --ip one \
			"${ts[@]}" "$ip:$port"
		read -r tw tu tsys < <(tail -1 "$WORK/t.$svc.time"); tc=$(echo "$tu + $tsys" | bc); tn=$(nconn_all "$ip" "$port" "$WORK/t.$svc.st")
	fi
	if [ "${BENCH_SSLSCAN:-1}" = 1 ] && command -v sslscan >/dev/null; then
		# sslscan puts the name it is given in SNI and, for XMPP, in to=: it gets the service's
		# name (the XMPP domain for XMPP) through a private /etc/hosts in its own mount namespace
		printf '%s %s\n' "$ip" "$name" >"$WORK/hosts.$svc"
		measure "s.$svc" /dev/null timeout 600 unshare --mount sh -c \
			'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh "$WORK/hosts.$svc" \
			sslscan --no-colour "${ss[@]}" "$name:$port"
		read -r sw su ssys < <(tail -1 "$WORK/s.$svc.time"); sc=$(echo "$su + $ssys" | bc); sn=$(nconn_all "$ip" "$port" "$WORK/s.$svc.st")
	fi
	ratio=-
	[ "$floor" -gt 0 ] && ratio=$(echo "scale=2; $econn / $floor" | bc)
	printf '%-14s %-28s %8s %6s %6s %6s %6s | %7s %6s | %9s %9s %6s | %9s %9s %6s\n' "$svc" "$host:$port" \
		"$mconn/$sconn" "$floor" "$econn" "$ratio" "$grade" "$hw" "$hc" "$tw" "$tc" "$tn" "$sw" "$sc" "$sn"
done
echo
echo "m_conn: mailtls's .connections / connect() calls strace saw (all checks); floor: the"
echo "enumeration's lower bound; enum: the enumeration's own connections (without the command-"
echo "injection test and the deep checks); e_rat: enum / floor; m_wall, m_cpu: mailtls host --full"
echo "on that service alone; testssl.sh and sslscan: wall and CPU seconds, connect() calls."
