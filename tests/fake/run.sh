#!/usr/bin/env bash
# Scenario tests: run mailtls against each scripted fake server (fakesmtp.py)
# and check the finding it must report, that it ends in time, and that its
# memory stays bounded.
#
#   tests/fake/run.sh PATH/TO/mailtls [--with-tls] [SCENARIO...]
#
# One line per scenario, "ok NAME" or "FAIL NAME: why", then "N passed, M failed".
# Exit status 0 when all passed, 1 on a failure, 2 on a usage error.
#
# Environment:
#   FAKE_TIME_LIMIT   seconds a probe may take (default 20: --timeout 10 plus slack)
#   FAKE_RSS_LIMIT_KB max RSS in KiB (default 65536; 196608 for an ASan/UBSan build)
#   FAKE_KEEP=1       keep the work directory (logs, JSON) even when all passed
#
# Only 127.0.0.1 is ever contacted.  Every server is killed on exit.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
FAKE="$HERE/fakesmtp.py"

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH/TO/mailtls [--with-tls] [SCENARIO...]" >&2
    exit 2
fi
MAILTLS=$1
shift
WITH_TLS=0
ONLY=()
for a in "$@"; do
    case $a in
        --with-tls) WITH_TLS=1 ;;
        -*) echo "$0: unknown option $a" >&2; exit 2 ;;
        *) ONLY+=("$a") ;;
    esac
done

for tool in python3 jq timeout /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "$0: needs $tool" >&2; exit 2; }
done

TIME_LIMIT=${FAKE_TIME_LIMIT:-20}
if grep -aq __asan_init "$MAILTLS" 2>/dev/null || grep -aq __ubsan_handle "$MAILTLS" 2>/dev/null; then
    SANITIZED=1
    RSS_LIMIT_KB=${FAKE_RSS_LIMIT_KB:-196608}
    # A sanitizer report must not pass for exit status 1 ("findings").
    case ${ASAN_OPTIONS:-} in *exitcode=*) ;; *) export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86" ;; esac
    case ${UBSAN_OPTIONS:-} in *exitcode=*) ;; *) export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86:print_stacktrace=1" ;; esac
else
    SANITIZED=0
    RSS_LIMIT_KB=${FAKE_RSS_LIMIT_KB:-65536}
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailtls-fake.XXXXXX")
PIDS=()
PROBE_PID=
PASSED=0
FAILED=0

cleanup() {
    local p
    [ -n "$PROBE_PID" ] && kill "$PROBE_PID" 2>/dev/null
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    if [ "$FAILED" -eq 0 ] && [ "${FAKE_KEEP:-0}" != 1 ]; then
        rm -rf "$WORK"
    else
        echo "logs and JSON kept in $WORK" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wanted() {
    local n
    [ ${#ONLY[@]} -eq 0 ] && return 0
    for n in "${ONLY[@]}"; do
        [ "$n" = "$1" ] && return 0
    done
    return 1
}

# start_server NAME SCENARIO [fakesmtp options...] -> sets PORT and SERVER_PID
start_server() {
    local name=$1 scenario=$2 i
    shift 2
    rm -f "$WORK/$name.port"
    python3 "$FAKE" --addr 127.0.0.1 --port 0 --scenario "$scenario" \
        --ready-file "$WORK/$name.port" "$@" >/dev/null 2>"$WORK/$name.server.log" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    for ((i = 0; i < 200; i++)); do
        [ -s "$WORK/$name.port" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    PORT=$(cat "$WORK/$name.port" 2>/dev/null)
    [ -n "$PORT" ]
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
}

# scenario NAME FAKESMTP-SCENARIO "EXPECTED-ID..." [extra mailtls options...]
scenario() {
    local name=$1 fake=$2 expect=$3
    shift 3
    wanted "$name" || return 0
    local out="$WORK/$name.json" err="$WORK/$name.stderr" rssf="$WORK/$name.rss"
    local why=() rc t0 t1 ms rss id got

    if ! start_server "$name" "$fake"; then
        FAILED=$((FAILED + 1))
        echo "FAIL $name: fake server did not start (see $WORK/$name.server.log)"
        return
    fi

    # In the background and waited for, so that a trapped INT/TERM acts at
    # once; timeout(1) signals its whole process group (time + mailtls).
    t0=$(date +%s%N)
    timeout -k 5 60 /usr/bin/time -f %M -o "$rssf" \
        "$MAILTLS" host "127.0.0.1:$PORT" --json --timeout 10 --reply-timeout 3 "$@" \
        </dev/null >"$out" 2>"$err" &
    PROBE_PID=$!
    wait "$PROBE_PID"
    rc=$?
    PROBE_PID=
    t1=$(date +%s%N)
    ms=$(((t1 - t0) / 1000000))
    stop_server

    # /usr/bin/time reports "Command exited with non-zero status N" before %M.
    rss=$(tail -n 1 "$rssf" 2>/dev/null)
    case $rc in
        124 | 137) why+=("no exit within the outer 60 s timeout") ;;
        0 | 1 | 3) ;;
        86) why+=("sanitizer error (exit 86)") ;;
        2) why+=("exit 2 (usage): $(head -c 200 "$err" | tr '\n' ' ')") ;;
        *) why+=("exit $rc") ;;
    esac
    if [ "$ms" -gt $((TIME_LIMIT * 1000)) ]; then
        why+=("took ${ms} ms (limit ${TIME_LIMIT} s)")
    fi
    if [ -n "$rss" ] && [ "$rss" -eq "$rss" ] 2>/dev/null; then
        [ "$rss" -gt "$RSS_LIMIT_KB" ] && why+=("max RSS ${rss} KiB > ${RSS_LIMIT_KB} KiB")
    else
        why+=("no RSS measurement")
    fi
    if grep -Eq 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$err"; then
        why+=("sanitizer report on stderr")
    fi
    if ! jq -e '.schema == 2 and (.endpoints | type == "array" and length > 0)' "$out" >/dev/null 2>&1; then
        why+=("stdout is not schema-1 JSON with endpoints")
    else
        got=$(jq -r '[.endpoints[].findings[]?.id] | join(",")' "$out")
        for id in $expect; do
            if ! jq -e --arg id "$id" '[.endpoints[].findings[]?.id] | index($id) != null' "$out" >/dev/null; then
                why+=("no finding $id (got: ${got:-none})")
            fi
        done
    fi

    if [ ${#why[@]} -eq 0 ]; then
        PASSED=$((PASSED + 1))
        echo "ok   $name (${ms} ms, ${rss} KiB)"
    else
        FAILED=$((FAILED + 1))
        local msg=${why[0]} i
        for ((i = 1; i < ${#why[@]}; i++)); do msg+="; ${why[i]}"; done
        echo "FAIL $name: $msg"
    fi
}

echo "# mailtls: $MAILTLS (sanitized=$SANITIZED, time limit ${TIME_LIMIT} s, RSS limit ${RSS_LIMIT_KB} KiB)"

# --- SMTP dialogue scenarios ------------------------------------------------
#        name                  fakesmtp scenario      expected finding IDs
scenario ok_notls              ok_notls               "starttls.not_offered"
scenario drip                  drip                   "conn.timeout"
scenario endless_continuation  endless_continuation   "smtp.reply_too_long"
scenario huge_line             huge_line              "smtp.line_too_long"
scenario garbage_serverhello   garbage_serverhello    "tls.handshake_failed"
scenario injection             injection              "starttls.injection"
scenario close_midreply        close_midreply         "conn.closed"
scenario greeting_421          greeting_421           "smtp.rejected"
scenario greeting_554          greeting_554           "smtp.rejected"
scenario ehlo_refused          ehlo_refused           "smtp.ehlo_refused starttls.not_offered"
scenario starttls_454          starttls_454           "starttls.rejected"
scenario auth_before_tls       auth_before_tls        "auth.before_tls"
scenario silent                silent                 "conn.timeout"

scenario preanswer_starttls    preanswer_starttls     "starttls.injection"
scenario latin1_greeting       latin1_greeting        "smtp.rejected"
scenario ansi_greeting         ansi_greeting          "smtp.rejected"
# --full against a first flight cut into 1-byte records: bounded time and memory, no crash
scenario tiny_records          tls:tiny_records       "tls.handshake_failed" --full

# The legacy TLS responders (tls:<profile>) are exercised by tests/fake/full.sh through
# mailtls host --full.

# The text report for people: a hostile greeting's terminal escapes never reach the terminal
# (ESC, BEL, and the C1 CSI in UTF-8), and the JSON stays valid UTF-8 with the banner kept.
if wanted text_escapes && start_server text_escapes ansi_greeting; then
    "$MAILTLS" host "127.0.0.1:$PORT" --color --timeout 10 --reply-timeout 3 </dev/null \
        >"$WORK/text_escapes.txt" 2>&1
    "$MAILTLS" host "127.0.0.1:$PORT" --json --timeout 10 --reply-timeout 3 </dev/null \
        >"$WORK/text_escapes.json" 2>&1
    stop_server
    # our own colour codes are "ESC [ digits m"; anything else with ESC, BEL or U+009B fails
    if LC_ALL=C sed 's/\x1b\[[0-9;]*m//g' "$WORK/text_escapes.txt" | LC_ALL=C grep -q $'\x1b\|\x07\|\xc2\x9b' ||
        ! jq -e '.endpoints[0].banner | test("PWNED")' "$WORK/text_escapes.json" >/dev/null; then
        FAILED=$((FAILED + 1)); echo "FAIL text_escapes: escape bytes in the text report or banner lost"
    else
        PASSED=$((PASSED + 1)); echo "ok   text_escapes (no terminal escapes from the server)"
    fi
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
