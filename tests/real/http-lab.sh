#!/bin/bash
# http-lab.sh -- lib/net/http.c against nginx on loopback (tests/lab/nginx.sh), the MTA-STS fetch.
#
# usage: tests/real/http-lab.sh [BASEDIR]      (run from anywhere; needs root for port 443)
#
#   BASEDIR  default /tmp/mailtls-lab; nginx in BASEDIR/nginx, lab CA in BASEDIR/ca, a second,
#            unrelated CA in BASEDIR/ca-other
#
# environment: NGINX_ADDR=127.0.0.10  SILENT_ADDR=127.0.0.11 (a listener that never answers)
#              LAB_VERBOSE=1 shows every http_check line
#
# Prints one line per failed check, then "N passed, M failed"; exit status 1 when M > 0.
# nginx and the silent listener are stopped on exit.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BASEDIR=${1:-/tmp/mailtls-lab}
export NGINX_ADDR=${NGINX_ADDR:-127.0.0.10}
SILENT_ADDR=${SILENT_ADDR:-127.0.0.11}
LAB_VERBOSE=${LAB_VERBOSE:-0}
TIMEOUT_MS=1500
BIN=$ROOT/build/real/http_check
pass=0 fail=0 silent_pid=

for a in "$NGINX_ADDR" "$SILENT_ADDR"; do
    [[ $a =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "http-lab.sh: $a is not a loopback address" >&2; exit 2; }
done

cleanup() {
    [ -n "$silent_pid" ] && kill "$silent_pid" 2>/dev/null && wait "$silent_pid" 2>/dev/null
    "$ROOT/tests/lab/nginx.sh" stop "$BASEDIR" || :
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { pass=$((pass + 1)); [ "$LAB_VERBOSE" = 1 ] && echo "ok   $1" || :; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# expect NAME LINE REGEX...: every REGEX must match LINE
expect() {
    local name=$1 line=$2 re
    shift 2
    for re in "$@"; do
        if ! [[ $line =~ $re ]]; then
            bad "$name: '$re' not in: ${line:-<no output>}"
            return
        fi
    done
    ok "$name"
}

# ---- build ------------------------------------------------------------------------------------
cd "$ROOT" || exit 2
if ! make -s build/libmailtls.a >/dev/null; then
    echo "http-lab.sh: make build/libmailtls.a failed" >&2
    exit 1
fi
mkdir -p "$(dirname "$BIN")"
# shellcheck disable=SC2046
if ! cc -std=c11 -D_DEFAULT_SOURCE -Iinclude -Ilib -Wall -Wextra -o "$BIN" tests/real/http_check.c \
    build/libmailtls.a $(pkg-config --cflags --libs libcurl libevent openssl libunbound jansson sqlite3); then
    echo "http-lab.sh: cannot build http_check" >&2
    exit 1
fi

# ---- lab --------------------------------------------------------------------------------------
"$ROOT/tests/lab/nginx.sh" start "$BASEDIR" || { echo "http-lab.sh: nginx lab did not start" >&2; exit 1; }
CA=$BASEDIR/ca/ca.pem
"$ROOT/tests/lab/ca.sh" "$BASEDIR/ca-other" || { echo "http-lab.sh: second CA failed" >&2; exit 1; }
OTHER_CA=$BASEDIR/ca-other/ca.pem

url() { echo "https://mta-sts.$1/.well-known/mta-sts.txt"; }

# One http_check run for all sample domains: they share one event loop, fetched concurrently.
DOMAINS="enforce testing outside malformed notfound redirect oversize wrongtype"
urls=()
for d in $DOMAINS; do urls+=("$(url "$d.lab.example")"); done
out=$("$BIN" --ca "$CA" --ip "$NGINX_ADDR" --timeout 10000 "${urls[@]}")
rc=$?
[ "$LAB_VERBOSE" = 1 ] && printf '%s\n' "$out"
[ $rc -eq 0 ] && ok "http_check exit status" || bad "http_check exit status $rc"
line() { grep -F "$(url "$1") " <<<"$out" || :; }

expect enforce "$(line enforce.lab.example)" 'status=200 ' 'type=text/plain' 'flags=ok( |$)' \
    'policy=ok mode=enforce mx=2'
expect testing "$(line testing.lab.example)" 'status=200 ' 'flags=ok( |$)' 'policy=ok mode=testing mx=1'
expect outside "$(line outside.lab.example)" 'status=200 ' 'flags=ok( |$)' 'policy=ok mode=enforce mx=1'
expect malformed "$(line malformed.lab.example)" 'status=200 ' 'flags=ok( |$)' 'policy=policy-version-missing'
expect notfound "$(line notfound.lab.example)" 'status=404 ' 'flags=ok( |$)'
expect redirect "$(line redirect.lab.example)" 'status=301 ' 'flags=ok,redirected( |$)' \
    'location=https://mta-sts\.enforce\.lab\.example/\.well-known/mta-sts\.txt'
expect oversize "$(line oversize.lab.example)" 'status=200 ' 'len=65536 ' 'flags=too_big ' 'error="'
expect wrongtype "$(line wrongtype.lab.example)" 'status=200 ' 'type=text/html' 'flags=ok( |$)'

# The redirect target was not fetched: nginx saw exactly one request for it, from the redirect.
for _ in $(seq 20); do
    n=$(grep -c 'mailtls/0.1' "$BASEDIR/nginx/access.log" 2>/dev/null)
    [ "${n:-0}" -ge 8 ] && break
    sleep 0.1
done
[ "${n:-0}" -eq 8 ] && ok "user agent, one request per URL" || bad "access.log has $n mailtls/0.1 requests, want 8"

# A larger ceiling lets the 100 KiB body through.
expect "oversize under --max-body 200000" \
    "$("$BIN" --ca "$CA" --ip "$NGINX_ADDR" --max-body 200000 "$(url oversize.lab.example)")" \
    'status=200 ' 'len=102400 ' 'flags=ok( |$)'

# Certificates: a CA that did not sign the leaf; a name the server has no certificate for.
expect "wrong CA" "$("$BIN" --ca "$OTHER_CA" --ip "$NGINX_ADDR" "$(url enforce.lab.example)")" \
    'status=0 ' 'flags=tls_failed ' 'error="'
expect "name mismatch" "$("$BIN" --ca "$CA" --ip "$NGINX_ADDR" "$(url unknown.lab.example)")" \
    'status=0 ' 'flags=tls_failed ' 'error="'

# HTTPS only; a CA file that does not exist.
out=$("$BIN" --ca "$CA" --ip "$NGINX_ADDR" "http://mta-sts.enforce.lab.example/.well-known/mta-sts.txt" 2>&1)
[[ $out =~ "not started" ]] && ok "http:// refused" || bad "http:// refused: $out"
out=$("$BIN" --ca "$BASEDIR/no-such-ca.pem" --ip "$NGINX_ADDR" "$(url enforce.lab.example)" 2>&1)
[ $? -ne 0 ] && [[ $out =~ "not readable" ]] && ok "missing CA file" || bad "missing CA file: $out"

# Timeout: a listener that accepts TCP (backlog) and never speaks TLS.
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 443))
s.listen(16)
time.sleep(120)
' "$SILENT_ADDR" &
silent_pid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/$SILENT_ADDR/443") 2>/dev/null && break; sleep 0.1; done
out=$("$BIN" --ca "$CA" --ip "$SILENT_ADDR" --timeout "$TIMEOUT_MS" "$(url enforce.lab.example)")
expect "silent server times out" "$out" 'status=0 ' 'flags=timed_out ' 'error="'
ms=$(sed -n 's/.* ms=\([0-9]*\) .*/\1/p' <<<"$out")
if [ -n "$ms" ] && [ "$ms" -ge $((TIMEOUT_MS - 100)) ] && [ "$ms" -le $((TIMEOUT_MS + 1000)) ]; then
    ok "deadline kept (${ms} ms for ${TIMEOUT_MS} ms)"
else
    bad "deadline: ${ms:-?} ms for a ${TIMEOUT_MS} ms timeout"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
