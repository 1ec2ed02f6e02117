#!/bin/bash
# knot.sh -- a Knot DNS server on loopback that signs its own zones: the DNSSEC lab.
# See docs/internals/resolver.md ("The DNSSEC lab").
#
# usage:
#   knot.sh start [BASEDIR]     (re)start knotd, wait until every zone answers, write BASEDIR/anchors.txt
#   knot.sh stop [BASEDIR]      stop it (silent if not running)
#   knot.sh status [BASEDIR]    exit 0 if running
#
#   BASEDIR  default /tmp/mailtls-lab/knot: knot.conf, zones/, db/, run/, knot.log, anchors.txt
#
# environment:
#   KNOT_PORT=5353      knotd listens on 127.0.0.1@KNOT_PORT (never 53)
#   ZONEDIR=tests/lab/zones   every NAME.zone in it becomes zone NAME (copied into BASEDIR/zones)
#   UNSIGNED_ZONES="z1 z2"    zones served unsigned (no anchor written)
#   BOGUS_ZONES="z3"          zones signed, but anchored by a DS whose digest matches no key
#   KNOT_WAIT=20              seconds to wait for knotd to answer every zone
#   LAB_VERBOSE=1             chatter on stderr
#
# anchors.txt holds, for every signed zone, its DNSKEY RRs with flags 257 (the KSK) in zone-file
# form; for a BOGUS_ZONES zone a DS with the KSK's tag and algorithm and a wrong SHA-256 digest.
# Give it to libunbound as its only trust anchor file: each signed zone is then its own secure
# entry point (no parent DS needed), an unsigned zone is outside every anchor (insecure), and a
# bogus zone's keys match no anchor (bogus).
#
# Success is silent. Failures print the reason and the tail of knot.log on stderr.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
DEFAULT_BASEDIR=/tmp/mailtls-lab/knot
KNOT_PORT=${KNOT_PORT:-5353}
ZONEDIR=${ZONEDIR:-$HERE/zones}
UNSIGNED_ZONES=${UNSIGNED_ZONES:-}
BOGUS_ZONES=${BOGUS_ZONES:-}
KNOT_WAIT=${KNOT_WAIT:-20}

die() {
    echo "$PROG: $*" >&2
    if [ "${STARTED:-0}" = 1 ] && [ -f "$BASE/knot.log" ]; then
        echo "--- $BASE/knot.log (tail)" >&2
        tail -n 20 "$BASE/knot.log" >&2
    fi
    exit 1
}
usage() { lab_usage 4 9; }

# Word lists may be separated by spaces or commas; names compared without a trailing dot.
in_list() {
    local z=$1 w
    for w in ${2//,/ }; do
        [ "${w%.}" = "$z" ] && return 0
    done
    return 1
}

pid_of() {
    local f=$BASE/run/knot.pid
    [ -s "$f" ] || return 1
    local p
    p=$(cat "$f")
    kill -0 "$p" 2>/dev/null || return 1
    # a recycled pid belongs to someone else
    [ "$(readlink "/proc/$p/exe" 2>/dev/null || :)" = "$(readlink -f "$(command -v knotd)")" ] || return 1
    echo "$p"
}

do_stop() {
    local p _
    p=$(pid_of) || { rm -f "$BASE/run/knot.pid"; return 0; }
    lab_say "stopping knotd $p"
    knotc -c "$BASE/knot.conf" -s "$BASE/run/knot.sock" stop >/dev/null 2>&1 || kill "$p" 2>/dev/null || :
    for _ in $(seq 1 50); do
        kill -0 "$p" 2>/dev/null || { rm -f "$BASE/run/knot.pid"; return 0; }
        sleep 0.1
    done
    kill -9 "$p" 2>/dev/null || :
    rm -f "$BASE/run/knot.pid"
}

write_conf() {
    local z zone_settings
    # The signed template is the default one plus signing (templates do not inherit).
    zone_settings="    storage: \"$BASE/zones\"
    file: \"%s.zone\"
    zonefile-sync: -1
    zonefile-load: difference-no-serial
    journal-content: all
    semantic-checks: on"
    cat >"$BASE/knot.conf" <<EOF
# written by tests/lab/knot.sh -- do not edit
server:
    rundir: "$BASE/run"
    pidfile: "$BASE/run/knot.pid"
    listen: 127.0.0.1@$KNOT_PORT
    user: root:root

log:
  - target: "$BASE/knot.log"
    any: info

database:
    storage: "$BASE/db"

policy:
  - id: lab
    algorithm: ecdsap256sha256
    ksk-lifetime: 0
    zsk-lifetime: 0
    nsec3: off

template:
  - id: default
$zone_settings

  - id: signed
$zone_settings
    dnssec-signing: on
    dnssec-policy: lab

zone:
EOF
    for z in $ZONES; do
        if in_list "$z" "$UNSIGNED_ZONES"; then
            printf '  - domain: %s.\n    template: default\n' "$z"
        else
            printf '  - domain: %s.\n    template: signed\n' "$z"
        fi
    done >>"$BASE/knot.conf"
}

dig_short() {
    # dig_short NAME TYPE [OPTION...]: the +short answer, empty when there is none yet
    local name=$1 type=$2
    shift 2
    kdig @127.0.0.1 -p "$KNOT_PORT" +timeout=1 +retry=0 +norecurse "$@" "$name" "$type" +short 2>/dev/null || :
}

wait_ready() {
    local deadline z ok
    deadline=$(( $(date +%s) + KNOT_WAIT ))
    while :; do
        ok=1
        for z in $ZONES; do
            if in_list "$z" "$UNSIGNED_ZONES"; then
                [ -n "$(dig_short "$z." SOA)" ] || { ok=0; break; }
            else
                dig_short "$z." DNSKEY | grep -q '^257 ' || { ok=0; break; }
                dig_short "$z." SOA +dnssec | grep -q '^SOA ' || { ok=0; break; }
            fi
        done
        [ "$ok" = 1 ] && return 0
        pid_of >/dev/null || die "knotd exited during start-up"
        [ "$(date +%s)" -lt "$deadline" ] || die "knotd on 127.0.0.1@$KNOT_PORT did not serve every zone within ${KNOT_WAIT}s"
        sleep 0.2
    done
}

write_anchors() {
    local z out=$BASE/anchors.txt tmp line tag alg
    tmp=$(mktemp "$BASE/.anchors.XXXXXX")
    echo "; trust anchors for the lab zones on 127.0.0.1@$KNOT_PORT (tests/lab/knot.sh)" >"$tmp"
    for z in $ZONES; do
        in_list "$z" "$UNSIGNED_ZONES" && continue
        if in_list "$z" "$BOGUS_ZONES"; then
            # the KSK's tag and algorithm, so the DS looks right and only the digest is wrong
            line=$(kdig @127.0.0.1 -p "$KNOT_PORT" +timeout=1 +retry=0 "$z." DNSKEY +multiline 2>/dev/null |
                grep -m1 'KSK' || :)
            tag=$(printf '%s\n' "$line" | sed -n 's/.*KSK.* id = \([0-9]*\).*/\1/p')
            alg=$(dig_short "$z." DNSKEY | awk '$1 == 257 { print $3; exit }')
            if [ -z "$tag" ] || [ -z "$alg" ]; then
                die "$z: cannot read the KSK's tag and algorithm"
            fi
            printf '%s. IN DS %s %s 2 %s\n' "$z" "$tag" "$alg" \
                "$(printf '%064d' 0 | tr 0 a)" >>"$tmp"
        else
            dig_short "$z." DNSKEY | awk -v z="$z." '$1 == 257 { print z, "IN DNSKEY", $0 }' >>"$tmp"
        fi
    done
    mv "$tmp" "$out"
}

do_start() {
    local f z
    [ -d "$ZONEDIR" ] || die "ZONEDIR $ZONEDIR: no such directory"
    [ "$KNOT_PORT" != 53 ] || die "KNOT_PORT must not be 53"
    command -v knotd >/dev/null || die "knotd not installed (apt-get install knot)"
    command -v kdig >/dev/null || die "kdig not installed (apt-get install knot-dnsutils)"

    ZONES=
    for f in "$ZONEDIR"/*.zone; do
        [ -e "$f" ] || continue
        z=$(basename "$f" .zone)
        ZONES="$ZONES ${z%.}"
    done
    [ -n "$ZONES" ] || die "no *.zone files in $ZONEDIR"
    for z in ${UNSIGNED_ZONES//,/ } ${BOGUS_ZONES//,/ }; do
        in_list "${z%.}" "$ZONES" || die "zone $z is listed in UNSIGNED_ZONES/BOGUS_ZONES but has no file"
    done

    do_stop
    # a fresh database each start: new keys, no journal left from other zone contents
    rm -rf "$BASE/db" "$BASE/zones" "$BASE/run" "$BASE/anchors.txt"
    mkdir -p "$BASE/db" "$BASE/zones" "$BASE/run"
    for z in $ZONES; do
        cp "$ZONEDIR/$z.zone" "$BASE/zones/$z.zone"
    done
    : >"$BASE/knot.log"
    STARTED=1
    write_conf
    knotc -c "$BASE/knot.conf" conf-check >/dev/null 2>"$BASE/conf-check.err" ||
        die "knot.conf rejected: $(cat "$BASE/conf-check.err")"
    lab_say "starting knotd on 127.0.0.1@$KNOT_PORT for:$ZONES"
    knotd -c "$BASE/knot.conf" -s "$BASE/run/knot.sock" -d >/dev/null 2>&1 ||
        die "knotd failed to start"
    wait_ready
    write_anchors
    lab_say "anchors in $BASE/anchors.txt"
}

[ $# -ge 1 ] || usage
CMD=$1
BASE=${2:-$DEFAULT_BASEDIR}
mkdir -p "$BASE"
BASE=$(cd "$BASE" && pwd)

case $CMD in
start) do_start ;;
stop) do_stop ;;
status) pid_of >/dev/null ;;
*) usage ;;
esac
