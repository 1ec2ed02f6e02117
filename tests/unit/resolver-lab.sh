#!/bin/bash
# resolver-lab.sh -- lib/dns/resolver against the DNSSEC lab (tests/lab/knot.sh) on loopback.
# See docs/internals/resolver.md.
#
# usage: tests/unit/resolver-lab.sh        (from the top of the tree; needs root for nothing,
#                                           but knotd, kdig and a built build/libmailtls.a)
# environment:
#   RESOLVER_LAB_PORT=53535            Knot's port on 127.0.0.1
#   RESOLVER_LAB_BASE=/tmp/mailtls-resolver-lab   Knot's BASEDIR and our scratch files
#   LAB_VERBOSE=1                      print every answer line
#
# Zones: dnssec.example (signed, anchored), plain.example (unsigned), bogus.example (signed, wrong
# DS in the anchor file), and the sample tests/lab/zones/lab.example.zone (signed).  Every query goes
# to Knot through libunbound's forwarder; nothing leaves 127.0.0.1.
# Prints "N passed, M failed"; exit status 1 when anything failed.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${RESOLVER_LAB_PORT:-53535}
BASE=${RESOLVER_LAB_BASE:-/tmp/mailtls-resolver-lab}
LAB_VERBOSE=${LAB_VERBOSE:-0}
KNOT=$TOP/tests/lab/knot.sh
CHECK=$BASE/resolver_check
ZONES=$BASE/zones-src
PASS=0
FAIL=0

die() { echo "resolver-lab: $*" >&2; exit 1; }

cleanup() { "$KNOT" stop "$BASE/knot" >/dev/null 2>&1 || :; }
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }

mkdir -p "$BASE" "$ZONES" || die "cannot create $BASE"
rm -f "$ZONES"/*.zone

# --- build the driver ---------------------------------------------------------------------
if [ ! -f "$TOP/build/libmailtls.a" ]; then
    make -C "$TOP" -s build/libmailtls.a >/dev/null || die "make build/libmailtls.a failed"
fi
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Wshadow -O1 -g \
    -I"$TOP/include" -I"$TOP/lib" -o "$CHECK" "$TOP/tests/real/resolver_check.c" \
    "$TOP/build/libmailtls.a" \
    $(pkg-config --libs libunbound libevent openssl jansson libcurl sqlite3) ||
    die "cannot build tests/real/resolver_check.c"

# --- zones ----------------------------------------------------------------------------------
# zone NAME ADDR: a small zone with the records the checks look at
zone() {
    cat >"$ZONES/$1.zone" <<EOF
\$ORIGIN $1.
\$TTL 300
@	SOA	ns.$1. hostmaster.$1. 1 3600 900 604800 300
@	NS	ns.$1.
@	MX	10 mx.$1.
@	TXT	"v=spf1 -all"
ns	A	127.0.0.1
mx	A	$2
mx	AAAA	::1
mail	CNAME	mx.$1.
_mta-sts	TXT	"v=STSv1; " "id=lab1;"
_25._tcp.mx	TLSA	3 1 1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
EOF
}
zone dnssec.example 127.0.0.2
zone plain.example 127.0.0.3
zone bogus.example 127.0.0.4
cp "$TOP/tests/lab/zones/lab.example.zone" "$ZONES/" || die "no sample zone"

KNOT_PORT=$PORT ZONEDIR=$ZONES UNSIGNED_ZONES=plain.example BOGUS_ZONES=bogus.example \
    "$KNOT" start "$BASE/knot" || die "knot.sh start failed"
ANCHORS=$BASE/knot/anchors.txt

# --- one resolver, every query at once --------------------------------------------------------
QUERIES=(
    mx.dnssec.example/A
    mx.dnssec.example/AAAA
    dnssec.example/MX
    dnssec.example/TXT
    _mta-sts.dnssec.example/TXT
    mail.dnssec.example/A
    mail.dnssec.example/CNAME
    nope.dnssec.example/A
    mx.dnssec.example/TXT
    _25._tcp.mx.dnssec.example/TLSA
    mx.plain.example/A
    nope.plain.example/A
    mx.bogus.example/A
    lab.example/MX
    bad..name/A
)
OUT=$BASE/answers.txt
"$CHECK" -f "127.0.0.1@$PORT" -a "$ANCHORS" -t 5000 "${QUERIES[@]}" >"$OUT" 2>"$BASE/check.err"
rc=$?
[ "$LAB_VERBOSE" = 1 ] && cat "$OUT" "$BASE/check.err"
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$OUT")" -eq "${#QUERIES[@]}" ]; then
    ok "every query answered once, loop ended by itself"
else
    bad "resolver_check exit $rc, $(wc -l <"$OUT") lines for ${#QUERIES[@]} queries: $(cat "$BASE/check.err")"
fi

# expect NAME/TYPE ERE WHAT: the answer line for NAME/TYPE matches ERE
expect() {
    local q=$1 re=$2 what=$3 name=${1%/*} type=${1##*/} line
    line=$(awk -v n="$name" -v t="$type" '$1 == n && $2 == t' "$OUT" | head -n 1)
    if printf '%s\n' "$line" | grep -Eq -- "$re"; then
        ok "$what"
    else
        bad "$what: $q -> '${line:-no answer}' does not match /$re/"
    fi
}

expect mx.dnssec.example/A '^mx\.dnssec\.example A secure noerror 127\.0\.0\.2$' \
    "signed A is secure"
expect mx.dnssec.example/AAAA ' secure noerror ::1$' "signed AAAA is secure, decoded"
expect dnssec.example/MX ' secure noerror 10:mx\.dnssec\.example\.$' "MX decoded (pref:exchange)"
expect dnssec.example/TXT ' secure noerror "v=spf1 -all"$' "TXT decoded"
expect _mta-sts.dnssec.example/TXT ' secure noerror "v=STSv1; id=lab1;"$' \
    "TXT character-strings concatenated"
expect mail.dnssec.example/A ' secure noerror canon=mx\.dnssec\.example\. 127\.0\.0\.2$' \
    "CNAME followed, canonname set"
expect mail.dnssec.example/CNAME ' secure noerror mx\.dnssec\.example\.$' "CNAME decoded"
expect nope.dnssec.example/A ' secure nxdomain nxdomain$' "nonexistent name: secure NXDOMAIN"
expect mx.dnssec.example/TXT ' secure noerror$' "no such type: secure NODATA"
expect _25._tcp.mx.dnssec.example/TLSA ' secure noerror #35$' "TLSA RDATA handed out"
expect mx.plain.example/A ' insecure noerror 127\.0\.0\.3$' "unsigned zone is insecure"
expect nope.plain.example/A ' insecure nxdomain nxdomain$' "unsigned NXDOMAIN is insecure"
expect mx.bogus.example/A ' bogus [a-z]+ why=.+' "wrong anchor is bogus, data withheld"
expect mx.bogus.example/A ' why=validation failure .*bogus\.example' "why_bogus names the failure"
expect lab.example/MX ' secure noerror 10:mx\.lab\.example\.$' "sample zone lab.example serves"
expect bad..name/A ' indeterminate servfail error=.+' "malformed name fails in the callback"

# --- deadline: a forwarder that never answers -----------------------------------------------
start=$(date +%s%N)
line=$("$CHECK" -f silent -a "$ANCHORS" -t 400 mx.dnssec.example/A mx.dnssec.example/MX 2>&1)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$(printf '%s\n' "$line" | grep -c ' indeterminate servfail timeout$')" -eq 2 ] &&
    [ "$ms" -lt 3000 ]; then
    ok "silent forwarder: both queries time out after the deadline (${ms} ms)"
else
    bad "silent forwarder: ${ms} ms, got: $line"
fi

# --- configuration errors come back from resolver_new ----------------------------------------
printf 'not a trust anchor\n' >"$BASE/bad-anchor.txt"
if err=$("$CHECK" -f "127.0.0.1@$PORT" -a "$BASE/bad-anchor.txt" x.example/A 2>&1); then
    bad "malformed anchor file accepted"
else
    if printf '%s\n' "$err" | grep -q '^resolver_check: configuration: '; then
        ok "malformed anchor file rejected by resolver_new"
    else
        bad "malformed anchor file: unexpected output: $err"
    fi
fi
if "$CHECK" -f "127.0.0.1@$PORT" -a "$BASE/missing-anchor.txt" x.example/A >/dev/null 2>&1; then
    bad "missing anchor file accepted"
else
    ok "missing anchor file rejected"
fi
if "$CHECK" -f "not an address" -a "$ANCHORS" x.example/A >/dev/null 2>&1; then
    bad "malformed forwarder accepted"
else
    ok "malformed forwarder rejected"
fi

# --- without the anchors, the signed zone is only insecure -----------------------------------
: >"$BASE/empty-anchor.txt"
line=$("$CHECK" -f "127.0.0.1@$PORT" -a "$BASE/empty-anchor.txt" mx.dnssec.example/A 2>&1)
case $line in
*" insecure noerror 127.0.0.2") ok "signed zone without an anchor is insecure" ;;
*) bad "signed zone without an anchor: $line" ;;
esac

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
