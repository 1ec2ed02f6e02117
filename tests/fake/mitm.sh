#!/usr/bin/env bash
# mitm.sh PATH/TO/mailtls -- `mailtls mitm` under hostile clients (tests/fake/mitm-hostile.py):
# garbage, a 1-byte drip, a 10 MiB line, a reply flood never read, garbage or silence instead of
# a TLS ClientHello, deep and huge XMPP, a 4 GB IMAP literal, 200 idle connections.  Each case
# must end within its bound; the mitm must stay up, serve a sane client afterwards, exit cleanly
# on SIGTERM, and keep its memory under a ceiling.  Works under ASan/UBSan (a report fails it).
#
# Environment: MITM_RSS_LIMIT_KB (default 65536; 262144 for a sanitizer build).
# Only 127.0.8.1 is used.  Prints one line per case, then "mitm-hostile: N passed, M failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
MAILTLS=${1:?usage: mitm.sh PATH/TO/mailtls}
ADDR=127.0.8.1
PORT=${MITM_HOSTILE_PORT:-12600}
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
if grep -aq __asan_init "$MAILTLS" 2>/dev/null || grep -aq __ubsan_handle "$MAILTLS" 2>/dev/null; then
    RSS_LIMIT_KB=${MITM_RSS_LIMIT_KB:-262144}
    case ${ASAN_OPTIONS:-} in *exitcode=*) ;; *) export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86" ;; esac
    case ${UBSAN_OPTIONS:-} in *exitcode=*) ;; *) export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86:halt_on_error=1:print_stacktrace=1" ;; esac
else
    RSS_LIMIT_KB=${MITM_RSS_LIMIT_KB:-65536}
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailtls-mitm-hostile.XXXXXX")
PASSED=0
FAILED=0
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT

# run_proto PROTO ATTACK CASE...
run_proto() {
    local proto=$1 attack=$2 c rc hwm
    shift 2
    PORT=$((PORT + 1))
    "$MAILTLS" mitm --listen "$ADDR:$PORT" --sink --proto "$proto" --attack "$attack" \
        --connections 0 --client-timeout 2 --timeout 120 --json >"$WORK/$proto.json" 2>"$WORK/$proto.err" &
    PID=$!
    for _ in $(seq 1 50); do
        $PY -c "import socket,sys; socket.create_connection(('$ADDR',$PORT),1).close()" 2>/dev/null && break
        sleep 0.1
    done
    for c in "$@" sane; do
        if MITM_HOSTILE_LIMIT=6 timeout 60 $PY "$HERE/mitm-hostile.py" "$ADDR" "$PORT" "$proto" "$c"; then
            PASSED=$((PASSED + 1))
        else
            FAILED=$((FAILED + 1))
        fi
        if ! kill -0 $PID 2>/dev/null; then
            echo "FAIL $proto: the mitm died during $c"; sed 's/^/    /' "$WORK/$proto.err" | tail -20
            FAILED=$((FAILED + 1)); PID=; return
        fi
    done
    hwm=$(awk '/VmHWM/ {print $2}' /proc/$PID/status 2>/dev/null)
    kill -TERM $PID
    wait $PID
    rc=$?
    PID=
    if [ "$rc" -gt 3 ]; then
        echo "FAIL $proto: exit status $rc after SIGTERM"; sed 's/^/    /' "$WORK/$proto.err" | tail -20
        FAILED=$((FAILED + 1))
    elif ! jq -e '.schema == 1 and (.connections | length) > 0' "$WORK/$proto.json" >/dev/null 2>&1; then
        echo "FAIL $proto: no valid JSON report after SIGTERM"; FAILED=$((FAILED + 1))
    elif [ -n "$hwm" ] && [ "$hwm" -gt "$RSS_LIMIT_KB" ]; then
        echo "FAIL $proto: peak memory ${hwm} KiB > ${RSS_LIMIT_KB} KiB"; FAILED=$((FAILED + 1))
    else
        echo "ok   $proto: exit $rc, $(jq '.connections | length' "$WORK/$proto.json") connections judged, peak ${hwm:-?} KiB"
        PASSED=$((PASSED + 1))
    fi
}

run_proto smtp cert.selfsigned garbage drip hugeline flood tlsgarbage tlsstall many
run_proto imap cert.unknownca garbage hugeline literal tlsgarbage
run_proto pop3 strip garbage drip flood
run_proto xmpp strip garbage deepxml hugexml

echo "mitm-hostile: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
