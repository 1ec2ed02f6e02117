#!/bin/bash
# ejabberd.sh -- a private ejabberd 23 node (Erlang) for the provider lab: the second XMPP
# implementation next to Prosody (issue 8).  One node serves every listener, so the slow Erlang
# start (about 1.5 s) is paid once per test run:
#
#   ADDR1:5222  c2s, starttls_required: true          (<starttls><required/></starttls>)
#   ADDR1:5223  c2s, direct TLS (XEP-0368)
#   ADDR1:5269  s2s, s2s_use_starttls: required
#   ADDR2:5222  c2s, starttls: true, not required      (<starttls/> and SASL in plaintext)
#   hosts: lab-provider.example, lab-lax.example (provider-cert.sh's certificate) and
#          lab-srvname.example, whose only certificate names the SRV target
#          xmpp.lab-srvname.example and not the service domain (RFC 6120 §13.7.2.1)
#   TLS options as Debian's /etc/ejabberd/ejabberd.yml: no TLS 1.0/1.1, server order,
#   HIGH:!aNULL:!eNULL:!3DES:@STRENGTH
#
# usage:
#   ejabberd.sh start NAME ADDR1 ADDR2 BASEDIR
#   ejabberd.sh stop NAME BASEDIR
#   ejabberd.sh conncount NAME BASEDIR   accepted c2s/s2s connections (log "Accepted connection")
# BASEDIR/certs: provider-chain.pem, provider.key (provider-cert.sh); srvname.pem/.key are made
# here.  The node runs as user ejabberd (ejabberdctl su's to it): BASEDIR/NAME is chowned to it.
# Erlang distribution listens on ADDR1:4370 only, without epmd (LAB-HINTS-SERVICES.md).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
cmd=${1:-}; name=${2:-}
case $cmd in
start) [ $# -eq 5 ] || lab_die "usage: start NAME ADDR1 ADDR2 BASEDIR"; addr=$3; addr2=$4; base=$5 ;;
stop|conncount) [ $# -eq 3 ] || lab_die "usage: $cmd NAME BASEDIR"; base=$3 ;;
*) lab_die "usage: start|stop|conncount NAME ..." ;;
esac
lab_check_name "$name"
BASE=$(lab_basedir "$base")
dir=$BASE/$name
# Stopping through ejabberdctl takes about 4 s (a second Erlang VM asks the node to stop); the
# node's own process stops in well under a second on SIGTERM (init:stop), and nothing here needs
# a clean shutdown.
do_stop() {
	local pid a p
	pid=$(lab_pid_from "$dir/spool/ejabberd.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q beam "/proc/$pid/cmdline" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/spool/ejabberd.pid"
	if read -r a p 2>/dev/null <"$dir/listen"; then
		lab_wait_port "$a" "$p" closed 50 || lab_die "ejabberd $name: $a:$p still open"
	fi
}
case $cmd in
stop) do_stop; exit 0 ;;
conncount)
	prev=-1
	for _ in $(seq 20); do
		n=$(grep -c 'Accepted connection' "$dir/log/ejabberd.log" 2>/dev/null || true)
		[ "$n" = "$prev" ] && break; prev=$n; sleep 0.3
	done
	echo "${n:-0}"; exit 0 ;;
esac
lab_check_addr4 "$addr" "ejabberd.sh wants 127.x.y.z addresses"
lab_check_addr4 "$addr2" "ejabberd.sh wants 127.x.y.z addresses"
command -v ejabberdctl >/dev/null || lab_die "ejabberd missing (make deps)"
id ejabberd >/dev/null 2>&1 || lab_die "no user ejabberd (the Debian package creates it)"
do_stop
certs=$BASE/certs
[ -s "$certs/provider-chain.pem" ] || lab_die "no $certs/provider-chain.pem (provider-cert.sh)"
# the SRV-target-only certificate, from the same lab CA
if ! [ -s "$certs/srvname.pem" ] || ! openssl verify -CAfile "$certs/ca.pem" "$certs/srvname.pem" >/dev/null 2>&1; then
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$certs/srvname.key" 2>/dev/null
	printf 'subjectAltName=DNS:xmpp.lab-srvname.example\nextendedKeyUsage=serverAuth\n' >"$certs/srvname.ext"
	openssl req -new -key "$certs/srvname.key" -subj "/CN=lab-srvname.example/O=mailtls lab" \
		-out "$certs/srvname.csr" 2>/dev/null
	openssl x509 -req -in "$certs/srvname.csr" -CA "$certs/ca.pem" -CAkey "$certs/ca.key" \
		-CAcreateserial -days 800 -extfile "$certs/srvname.ext" -out "$certs/srvname.pem" 2>/dev/null
	rm -f "$certs/srvname.csr" "$certs/srvname.ext"
fi
rm -rf "$dir"
mkdir -p "$dir/etc" "$dir/log" "$dir/spool"
cat "$certs/provider-chain.pem" "$certs/provider.key" >"$dir/etc/provider.pem"
cat "$certs/srvname.pem" "$certs/ca.pem" "$certs/srvname.key" >"$dir/etc/srvname.pem"
cat >"$dir/etc/ejabberdctl.cfg" <<CFG
ERLANG_NODE=ejabberd-$name@$addr
ERL_DIST_PORT=4370
ERL_EPMD_ADDRESS=$addr
EJABBERD_PID_PATH=$dir/spool/ejabberd.pid
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -kernel inet_dist_use_interface {$(echo "$addr" | tr . ,)}"
CFG
cat >"$dir/etc/ejabberd.yml" <<YML
loglevel: info
log_rotate_count: 0
hosts:
  - lab-provider.example
  - lab-lax.example
  - lab-srvname.example
certfiles:
  - "$dir/etc/srvname.pem"
  - "$dir/etc/provider.pem"
acme:
  auto: false
define_macro:
  'TLS_CIPHERS': "HIGH:!aNULL:!eNULL:!3DES:@STRENGTH"
  'TLS_OPTIONS':
    - "no_sslv3"
    - "no_tlsv1"
    - "no_tlsv1_1"
    - "cipher_server_preference"
    - "no_compression"
c2s_ciphers: 'TLS_CIPHERS'
s2s_ciphers: 'TLS_CIPHERS'
c2s_protocol_options: 'TLS_OPTIONS'
s2s_protocol_options: 'TLS_OPTIONS'
s2s_use_starttls: required
auth_method: internal
auth_password_format: scram
listen:
  -
    port: 5222
    ip: "$addr"
    module: ejabberd_c2s
    starttls_required: true
    protocol_options: 'TLS_OPTIONS'
  -
    port: 5223
    ip: "$addr"
    module: ejabberd_c2s
    tls: true
    protocol_options: 'TLS_OPTIONS'
  -
    port: 5269
    ip: "$addr"
    module: ejabberd_s2s_in
  -
    port: 5222
    ip: "$addr2"
    module: ejabberd_c2s
    starttls: true
    protocol_options: 'TLS_OPTIONS'
disable_sasl_mechanisms:
  - "digest-md5"
  - "X-OAUTH2"
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  c2s:
    allow: all
api_permissions:
  "console commands":
    from:
      - ejabberd_ctl
    who: all
    what: "*"
modules:
  mod_disco: {}
  mod_ping: {}
  mod_roster: {}
  mod_stream_mgmt: {}
YML
echo "$addr 5269" >"$dir/listen"
chown -R ejabberd:ejabberd "$dir"
chmod 600 "$dir/etc/provider.pem" "$dir/etc/srvname.pem"
setsid ejabberdctl --config-dir "$dir/etc" --config "$dir/etc/ejabberd.yml" \
	--ctl-config "$dir/etc/ejabberdctl.cfg" --logs "$dir/log" --spool "$dir/spool" foreground \
	</dev/null >"$dir/stdout.log" 2>&1 &
for p in "$addr 5222" "$addr 5223" "$addr 5269" "$addr2 5222"; do
	# shellcheck disable=SC2086
	lab_wait_port $p open 150 || { tail -20 "$dir/log/ejabberd.log" "$dir/stdout.log" >&2; lab_die "ejabberd $name: $p not listening"; }
done
