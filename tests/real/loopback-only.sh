#!/bin/bash
# tests/real/loopback-only.sh MAILTLS — mailtls must never send a packet beyond loopback in the
# tests: run `check` (resolver, MTA-STS fetch, probes, --full) and `host` against the domain lab
# under strace and require every connect/sendto/sendmsg address to be 127.0.0.0/8 or ::1.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.."
LAB=${LAB:-/tmp/mailtls-loopcheck}
trap 'tests/lab/domain-lab.sh stop "$LAB" >/dev/null 2>&1 || true' EXIT
tests/lab/domain-lab.sh start "$LAB" >/dev/null 2>&1 || { echo "loopback: lab did not start"; echo "loopback: 0 passed, 1 failed"; exit 1; }
. "$LAB/env"
out=$(mktemp)
strace -f -qq -e trace=connect,sendto,sendmsg -o "$out" \
    "$BIN" check dane-ee.example sts-enforce.example --full --resolver "$RESOLVER" \
    --trust-anchor "$ANCHORS" --ca-file "$CA" --json >/dev/null 2>&1
strace -f -qq -e trace=connect,sendto,sendmsg -o "$out.2" \
    "$BIN" host "$NET.2" --name mx.lab.example --ca-file "$CA" >/dev/null 2>&1
cat "$out.2" >>"$out"
total=$(grep -cE 'inet_addr|inet_pton' "$out")
bad=$(grep -E 'inet_addr\("|inet_pton\(AF_INET6, "' "$out" | grep -vE 'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"' | head -5)
rm -f "$out" "$out.2"
if [ "$total" -gt 0 ] && [ -z "$bad" ]; then
	echo "ok   loopback only ($total addressed calls, all 127.0.0.0/8 or ::1)"
	echo "loopback: 1 passed, 0 failed"
else
	echo "FAIL loopback only ($total addressed calls): $bad"
	echo "loopback: 0 passed, 1 failed"
	exit 1
fi
