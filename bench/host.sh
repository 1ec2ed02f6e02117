#!/bin/bash
# bench/host.sh MAILTLS [RUNS] — `mailtls host` next to posttls-finger against the same local
# Postfix (Debian's defaults with the lab certificate), both run RUNS times (default 20).
# Prints wall time, CPU time and server-side connections (counted in Postfix's log) and ratios.
set -eu
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); RUNS=${2:-20}
cd "$(dirname "$0")/.."
. bench/lib.sh
LAB=${LAB:-/tmp/mailtls-bench}; ADDR=127.0.0.20; PF=tests/lab/postfix.sh
trap '$PF stop bench "$LAB" >/dev/null 2>&1 || true' EXIT
tests/lab/ca.sh "$LAB/certs"
$PF start bench "$ADDR" defaults "$LAB" </dev/null
CA="$LAB/certs/ca.pem"

c0=$($PF conncount bench "$LAB")
measure mailtls "$RUNS" "$BIN" host "$ADDR" --name mx.lab.example --ca-file "$CA" --json
mw=$WALL mc=$CPU
c1=$($PF conncount bench "$LAB")
# posttls-finger: -c no chat log, level secure with the lab CA, name check against mx.lab.example
measure posttls-finger "$RUNS" posttls-finger -c -l secure -F "$CA" -P /nonexistent -s mx.lab.example "[$ADDR]"
pw=$WALL pc=$CPU
c2=$($PF conncount bench "$LAB")
mconn=$(( (c1 - c0) )); pconn=$(( (c2 - c1) ))

printf '%-16s %10s %10s %12s\n' "host audit x$RUNS" "wall s" "cpu s" "connections"
printf '%-16s %10.3f %10.3f %12d\n' mailtls "$mw" "$mc" "$mconn"
printf '%-16s %10.3f %10.3f %12d\n' posttls-finger "$pw" "$pc" "$pconn"
printf '%-16s %10s %10s %12s\n' "ratio m/p" "$(ratio "$mw" "$pw")" "$(ratio "$mc" "$pc")" "$(ratio "$mconn" "$pconn")"
