#!/bin/bash
# pg.sh -- a throw-away PostgreSQL 15 cluster (Debian's postgresql-15) on a loopback address, for
# the store's PostgreSQL backend (tests/real/pgscale.sh, bench/scale.sh).
#
# usage:
#   pg.sh start DIR [ADDR [PORT]]   initdb DIR/data (as postgres, trust auth), start, create the
#                                   database "mailtls"; prints the URI on stdout
#   pg.sh stop DIR                  fast shutdown
#
# ADDR default 127.0.9.50, PORT default 55432.  fsync=off: the data is thrown away anyway (the
# benchmark says what that changes).  PG_OPTS: more "-c name=value" for the server.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
BIN=/usr/lib/postgresql/15/bin

usage() { lab_usage 4 13; }

do_stop() {
    local dir=$1 pid
    [ -f "$dir/data/postmaster.pid" ] || return 0
    pid=$(head -1 "$dir/data/postmaster.pid")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -INT "$pid" 2>/dev/null || :
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$pid" 2>/dev/null || :
    fi
    rm -f "$dir/data/postmaster.pid"
}

do_start() {
    local dir=$1 addr=$2 port=$3
    [[ $addr =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || lab_die "loopback addresses only, not '$addr'"
    [ -x "$BIN/initdb" ] || lab_die "PostgreSQL 15 is not installed (make deps)"
    id postgres >/dev/null 2>&1 || lab_die "no postgres user (the postgresql package makes it)"
    do_stop "$dir"
    rm -rf "$dir"
    mkdir -p "$dir/sock"
    chown -R postgres "$dir"
    runuser -u postgres -- "$BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; lab_die "initdb failed"; }
    # shellcheck disable=SC2086
    runuser -u postgres -- "$BIN/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 30 \
        -o "-c listen_addresses=$addr -p $port -k $dir/sock -c fsync=off -c max_connections=50 ${PG_OPTS:-}" \
        start >/dev/null 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- </dev/null || { tail -20 "$dir/pg.log" >&2; lab_die "postgres did not start"; }
    runuser -u postgres -- "$BIN/psql" -h "$dir/sock" -p "$port" -U postgres -qAt \
        -c 'CREATE DATABASE mailtls' >/dev/null || lab_die "CREATE DATABASE failed"
    echo "postgresql://postgres@$addr:$port/mailtls"
}

[ $# -ge 2 ] || usage
[ "$(id -u)" = 0 ] || lab_die "needs root (runs the cluster as the postgres user)"
case $1 in
start) do_start "$2" "${3:-127.0.9.50}" "${4:-55432}" ;;
stop) do_stop "$2" ;;
*) usage ;;
esac
