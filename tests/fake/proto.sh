#!/usr/bin/env bash
# tests/fake/proto.sh PATH/TO/mailtls -- the protocols on the engine against scripted hostile or
# broken servers (tests/fake/fakeproto.py), for what no real server shows (issue 8):
#   - IMAP and POP3 that run a command pipelined behind STARTTLS/STLS inside TLS (CVE-2011-0411
#     class): --full must report starttls.command_injection; the safe twins must not;
#   - XMPP advertising <required/> yet starting SASL in plaintext: xmpp.required_not_enforced;
#   - a garbage stream header, endless stream features, endless IMAP untagged lines, a 100 KB
#     POP3 line: a finding each, within the deadlines, no crash, no hang.
# Every run must send nothing but the protocol's own negotiation commands (checked in the
# fake's log) and its connection count must equal .connections.
# Addresses 127.0.13.x (tests/real uses 127.0.0.x-127.0.2.x, the provider lab 127.0.14.x).
# Output: ok/FAIL lines, then "N passed, M failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] && [ -x "$1" ] || { echo "usage: $0 PATH/TO/mailtls" >&2; exit 2; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$HERE/../.." || exit 2
for t in python3 jq timeout openssl; do command -v $t >/dev/null || { echo "proto: needs $t"; exit 2; }; done
WORK=$(mktemp -d /tmp/mailtls-fakeproto.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${FAKE_KEEP:-0}" = 1 ] || grep -q '^FAIL' "$WORK/res" 2>/dev/null; then
		echo "(work directory kept: $WORK)" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
: >"$WORK/res"
ok() { echo "ok   $*"; echo "ok" >>"$WORK/res"; }
bad() { echo "FAIL $*"; echo "FAIL" >>"$WORK/res"; }

tests/lab/provider-cert.sh "$WORK/certs" || { echo "proto: cannot make certificates"; exit 1; }
CA=$WORK/certs/ca.pem
N=0
start() { # SCENARIO -> sets ADDR
	N=$((N + 1))
	ADDR=127.0.13.$((N + 1))
	PORT=$2
	: >"$WORK/$1.log"
	/usr/bin/python3 tests/fake/fakeproto.py --listen "$ADDR:$2" --scenario "$1" \
		--cert "$WORK/certs/provider-chain.pem" --key "$WORK/certs/provider.key" \
		--log "$WORK/$1.log" >"$WORK/$1.out" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do grep -q ready "$WORK/$1.out" 2>/dev/null && return 0; sleep 0.1; done
	bad "$1: fake server did not start: $(cat "$WORK/$1.out")"
	return 1
}
# commands (their first word) the fake may see from us, per protocol
allowed() { # SCENARIO PATTERN
	local extra
	extra=$(grep -v '^CONN [0-9]*$' "$WORK/$1.log" | sed 's/^CONN [0-9]*: //' | grep -vE "$2" | head -3)
	if [ -z "$extra" ]; then ok "$1: only negotiation commands sent"; else bad "$1: sent $(echo "$extra" | tr '\n' '|' | cut -c1-200)"; fi
}
conns() { # SCENARIO JSON
	local srv m
	srv=$(grep -c '^CONN [0-9]*$' "$WORK/$1.log")
	m=$(jq '[.endpoints[].connections] | add' "$2")
	if [ "$srv" = "$m" ]; then ok "$1: $srv connections, as .connections says"; else bad "$1: server saw $srv connections, .connections $m"; fi
}
expect() { # SCENARIO JSON JQ-EXPR
	if [ "$(jq -r ".endpoints[0] | ($3)" "$2" 2>/dev/null)" = true ]; then ok "$1: $3"; else bad "$1: $3 ($(jq -c '.endpoints[0] | {f: [.findings[].id], ci: .starttls.command_injection}' "$2" 2>/dev/null | cut -c1-300))"; fi
}
run() { # SCENARIO PROTO ARGS... -> WORK/SCENARIO.json, exit in WORK/SCENARIO.rc
	local sc=$1 proto=$2
	shift 2
	timeout 300 "$BIN" host "$ADDR:$PORT" --proto "$proto" --name lab-provider.example --ca-file "$CA" \
		--json --reply-timeout 5 --timeout 30 "$@" >"$WORK/$sc.json" 2>"$WORK/$sc.err"
	echo $? >"$WORK/$sc.rc"
	if ! jq -e . "$WORK/$sc.json" >/dev/null 2>&1; then
		bad "$sc: mailtls exit $(cat "$WORK/$sc.rc"), no JSON: $(head -c 300 "$WORK/$sc.err")"
		return 1
	fi
	if grep -q 'AddressSanitizer\|runtime error' "$WORK/$sc.err"; then
		bad "$sc: sanitizer: $(grep -m1 'AddressSanitizer\|runtime error' "$WORK/$sc.err")"
	fi
}
IMAPCMDS='^(a[0-9] (CAPABILITY|STARTTLS|LOGOUT)|a NOOP)$'
POPCMDS='^(CAPA|STLS|NOOP|QUIT)$'
XMPPCMDS="^(<\?xml version='1.0'\?><stream:stream .*|<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'/>|<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>|<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>|</stream:stream>)$"

for sc in imap_pipe_vulnerable imap_pipe_safe; do
	start $sc 1143 || continue
	run $sc imap --full || continue
	if [ $sc = imap_pipe_vulnerable ]; then
		expect $sc "$WORK/$sc.json" '.starttls.command_injection.result == "vulnerable" and ([.findings[].id] | index("starttls.command_injection") != null)'
	else
		expect $sc "$WORK/$sc.json" '.starttls.command_injection.result == "not_vulnerable" and ([.findings[].id] | index("starttls.command_injection") == null)'
	fi
	expect $sc "$WORK/$sc.json" '.protocol.tls_mandatory.value == "yes" and .protocol.login_disabled == true'
	allowed $sc "$IMAPCMDS"
	conns $sc "$WORK/$sc.json"
done
for sc in pop3_pipe_vulnerable pop3_pipe_safe; do
	start $sc 1110 || continue
	run $sc pop3 --full || continue
	if [ $sc = pop3_pipe_vulnerable ]; then
		expect $sc "$WORK/$sc.json" '.starttls.command_injection.result == "vulnerable"'
	else
		expect $sc "$WORK/$sc.json" '.starttls.command_injection.result == "not_vulnerable"'
	fi
	allowed $sc "$POPCMDS"
	conns $sc "$WORK/$sc.json"
done
sc=xmpp_required_lax
if start $sc 15222 && run $sc xmpp; then
	expect $sc "$WORK/$sc.json" '[.findings[].id] | index("xmpp.required_not_enforced") != null'
	expect $sc "$WORK/$sc.json" '.protocol.tls_required == true and .protocol.required_probe == "accepted" and .protocol.tls_mandatory.value == "optional"'
	expect $sc "$WORK/$sc.json" '.tls.version != null and .protocol.capabilities_tls == "mechanisms(PLAIN)"'
	allowed $sc "$XMPPCMDS"
fi
sc=xmpp_garbage_header
if start $sc 15222 && run $sc xmpp; then
	expect $sc "$WORK/$sc.json" '[.findings[].id] | index("proto.protocol_error") != null'
fi
sc=xmpp_endless_features
if start $sc 15222 && run $sc xmpp; then
	expect $sc "$WORK/$sc.json" '[.findings[].id] | index("proto.reply_too_long") != null'
	expect $sc "$WORK/$sc.json" '.elapsed_ms < 10000'
fi
sc=imap_endless
if start $sc 1143 && run $sc imap; then
	expect $sc "$WORK/$sc.json" '[.findings[].id] | index("proto.reply_too_long") != null'
fi
sc=pop3_huge_line
if start $sc 1110 && run $sc pop3; then
	expect $sc "$WORK/$sc.json" '[.findings[].id] | index("proto.reply_too_long") != null'
fi
p=$(grep -c '^ok' "$WORK/res"); f=$(grep -c '^FAIL' "$WORK/res")
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
