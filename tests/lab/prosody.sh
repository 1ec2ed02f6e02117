#!/bin/bash
# prosody.sh -- private Prosody 0.12 instances on a loopback address: c2s 5222, s2s 5269,
# XEP-0368 direct TLS 5223 (c2s) and 5270 (s2s); VirtualHosts lab-provider.example, lab-lax.example.
#
# usage:
#   prosody.sh start NAME ADDR MODE BASEDIR   MODE:
#       required   c2s_require_encryption = true, s2s_require_encryption = true
#       optional   both false (STARTTLS without <required/>, SCRAM before TLS)
#       tls12      required, TLS 1.2 only (ssl protocol "tlsv1_2")
#   prosody.sh stop NAME BASEDIR
#   prosody.sh conncount NAME BASEDIR   accepted connections (debug log "Client connected" /
#                                       "Incoming s2s connection")
# BASEDIR/certs: provider-chain.pem, provider.key (provider-cert.sh).  Runs as root with
# run_as_root (LAB-HINTS-SERVICES.md); s2s never dials out (no remote domains configured).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
cmd=${1:-}; name=${2:-}
case $cmd in
start) [ $# -eq 5 ] || lab_die "usage: start NAME ADDR MODE BASEDIR"; addr=$3; mode=$4; base=$5 ;;
stop|conncount) [ $# -eq 3 ] || lab_die "usage: $cmd NAME BASEDIR"; base=$3 ;;
*) lab_die "usage: start|stop|conncount NAME ..." ;;
esac
lab_check_name "$name"
dir=$(lab_basedir "$base")/$name
do_stop() {
	local pid
	pid=$(cat "$dir/prosody.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/prosody.pid"
}
case $cmd in
stop) do_stop; exit 0 ;;
conncount)
	prev=-1
	for _ in $(seq 20); do
		n=$(grep -cE 'Client connected|Incoming s2s connection' "$dir/debug.log" 2>/dev/null || true)
		[ "$n" = "$prev" ] && break; prev=$n; sleep 0.3
	done
	echo "${n:-0}"; exit 0 ;;
esac
lab_check_addr4 "$addr" "prosody.sh wants a 127.x.y.z address"
command -v prosody >/dev/null || lab_die "prosody missing (make deps)"
do_stop
mkdir -p "$dir/data" "$dir/certs"
certs=$(lab_basedir "$base")/certs
cp "$certs/provider-chain.pem" "$dir/certs/lab-provider.example.crt"
cp "$certs/provider.key" "$dir/certs/lab-provider.example.key"
cp "$certs/provider-chain.pem" "$dir/certs/lab-lax.example.crt"
cp "$certs/provider.key" "$dir/certs/lab-lax.example.key"
req=true; ssl=""
case $mode in
required) ;;
optional) req=false ;;
tls12) ssl='ssl = { protocol = "tlsv1_2" }' ;;
*) lab_die "unknown MODE $mode" ;;
esac
cat >"$dir/prosody.cfg.lua" <<CONF
pidfile = "$dir/prosody.pid"; data_path = "$dir/data"
log = { { levels = { min = "info" }, to = "file", filename = "$dir/prosody.log" }; debug = "$dir/debug.log"; }
interfaces = { "$addr" }
c2s_ports = { 5222 }; s2s_ports = { 5269 }
c2s_direct_tls_ports = { 5223 }; s2s_direct_tls_ports = { 5270 }
modules_enabled = { "roster"; "saslauth"; "tls"; "dialback"; "disco"; "ping" }
modules_disabled = { "s2s_bidi" }
c2s_require_encryption = $req; s2s_require_encryption = $req; s2s_secure_auth = false
authentication = "internal_hashed"; run_as_root = true
certificates = "$dir/certs"
$ssl
VirtualHost "lab-provider.example"
VirtualHost "lab-lax.example"
CONF
: >"$dir/debug.log"
setsid prosody --config "$dir/prosody.cfg.lua" -F </dev/null >"$dir/stdout.log" 2>&1 &
lab_wait_port "$addr" 5222 open 100 || { tail -20 "$dir/prosody.log" "$dir/stdout.log" >&2; lab_die "prosody $name: 5222 not listening"; }
lab_wait_port "$addr" 5270 open 50 || lab_die "prosody $name: 5270 not listening"
