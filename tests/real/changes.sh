#!/bin/bash
# changes.sh MAILTLS -- `mailtls changes` and `mailtls watch` on a small lab that is scanned,
# altered, and scanned again: exactly the expected change lines, nothing else, and the exit
# status following --fail-on.  Run under the lab lock:
#   flock -o /tmp/mailtls-lab.lock tests/real/changes.sh build/mailtls
#
# Lab (127.0.15.x, Knot on 127.0.0.1@53615, BASEDIR /tmp/mailtls-changelab): one signed zone
# chg.example; Postfix instances  .2 cert (DANE 3 1 1 on key 1), .3 stable, .4 off, .5 exp;
# nginx on .100 for MTA-STS.  Round 2: .2 serves a new certificate on a new key (TLSA left
# stale), .5 a certificate on the same key that expires in 10 days, .4 has STARTTLS switched
# off, d-mx gains a second MX, d-sts goes from enforce to testing with a new id.
set -uo pipefail

BIN=$(realpath "${1:?usage: changes.sh MAILTLS}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$ROOT/tests/lab
BASE=/tmp/mailtls-changelab
NET=127.0.15
KPORT=53615
pass=0 fail=0

check() { # NAME OK(0/1) [detail]
    if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; [ -n "${3:-}" ] && echo "$3" | sed 's/^/    /'; fi
}

cleanup() {
    for n in chcert chstable choff chexp; do "$LAB/postfix.sh" stop "$n" "$BASE" >/dev/null 2>&1; done
    "$LAB/nginx.sh" stop "$BASE" >/dev/null 2>&1
    "$LAB/knot.sh" stop "$BASE/knot" >/dev/null 2>&1
}
trap cleanup EXIT
t0=$(date +%s)
rm -rf "$BASE"
mkdir -p "$BASE/certs" "$BASE/zones" "$BASE/policies/d-sts.chg.example" "$BASE/out"
"$LAB/ca.sh" "$BASE/certs" || { echo "changes: 0 passed, 1 failed (ca)"; exit 1; }
C=$BASE/certs

leaf() { # NAME KEYFILE DAYS
    [ -f "$2" ] || openssl ecparam -name prime256v1 -genkey -noout -out "$2" 2>/dev/null
    openssl req -new -key "$2" -subj "/CN=$1" -out "$C/$1.csr" 2>/dev/null
    printf 'subjectAltName=DNS:*.chg.example,DNS:mx.lab.example\nextendedKeyUsage=serverAuth\n' >"$C/$1.ext"
    openssl x509 -req -in "$C/$1.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
        -days "$3" -extfile "$C/$1.ext" -out "$C/$1.pem" 2>/dev/null
    cat "$C/$1.pem" "$C/ca.pem" >"$C/$1-chain.pem"
}
leaf cert1 "$C/k1.key" 300
leaf cert2 "$C/k2.key" 300
leaf exp1 "$C/k4.key" 300
leaf exp2 "$C/k4.key" 10
spki() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1; }
TLSA1=$(spki "$C/cert1.pem")

zone() { # ROUND
    {
        printf '$ORIGIN chg.example.\n$TTL 60\n@ SOA ns.chg.example. h.chg.example. %s 60 60 600 60\n@ NS ns\nns A 127.0.0.1\n' "$1"
        printf 'mx-cert A %s.2\n_25._tcp.mx-cert TLSA 3 1 1 %s\n' $NET "$TLSA1"
        printf 'mx-a A %s.3\nmx-b A %s.3\nmx-sts A %s.3\nmx-same A %s.3\nmx-off A %s.4\nmx-exp A %s.5\n' $NET $NET $NET $NET $NET $NET
        printf 'd-cert MX 10 mx-cert\nd-same MX 10 mx-same\nd-tls MX 10 mx-off\nd-exp MX 10 mx-exp\n'
        printf 'd-mx MX 10 mx-a\n'
        [ "$1" = 2 ] && printf 'd-mx MX 20 mx-b\n'
        printf 'd-sts MX 10 mx-sts\n_mta-sts.d-sts TXT "v=STSv1; id=round%s"\nmta-sts.d-sts A %s.100\n' "$1" $NET
        printf '_smtp._tls.d-sts TXT "v=TLSRPTv1; rua=mailto:r@chg.example"\n'
    } >"$BASE/zones/chg.example.zone"
    printf 'version: STSv1\nmode: %s\nmx: mx-sts.chg.example\nmax_age: 86400\n' \
        "$([ "$1" = 1 ] && echo enforce || echo testing)" >"$BASE/policies/d-sts.chg.example/mta-sts.txt"
}

pf() { # NAME N VARIANT CHAIN-BASENAME KEY
    POSTFIX_EXTRA="smtpd_tls_chain_files=$5,$C/$4-chain.pem" \
        "$LAB/postfix.sh" start "$1" "$NET.$2" "$3" "$BASE" >"$BASE/out/pf-$1.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
}

start_round() { # ROUND
    local r=$1 ok=0
    zone "$r"
    KNOT_PORT=$KPORT ZONEDIR=$BASE/zones KNOT_WAIT=60 "$LAB/knot.sh" start "$BASE/knot" \
        >"$BASE/out/knot.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- || ok=1
    NGINX_ADDR=$NET.100 CADIR=$C POLICYDIR=$BASE/policies "$LAB/nginx.sh" start "$BASE" \
        >"$BASE/out/nginx.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- || ok=1
    if [ "$r" = 1 ]; then
        pf chcert 2 valid cert1 "$C/k1.key" || ok=1
        pf chstable 3 valid cert1 "$C/k1.key" || ok=1
        pf choff 4 valid cert1 "$C/k1.key" || ok=1
        pf chexp 5 valid exp1 "$C/k4.key" || ok=1
    else
        pf chcert 2 valid cert2 "$C/k2.key" || ok=1
        pf choff 4 notls cert1 "$C/k1.key" || ok=1
        pf chexp 5 valid exp2 "$C/k4.key" || ok=1
    fi
    [ $ok = 0 ] || { tail -5 "$BASE"/out/*.log; echo "changes: 0 passed, 1 failed (lab round $r)"; exit 1; }
}

printf 'd-cert.chg.example\nd-mx.chg.example\nd-sts.chg.example\nd-tls.chg.example\nd-exp.chg.example\nd-same.chg.example\n' >"$BASE/list.txt"
DB=$BASE/out/c.db
COMMON=(--db "$DB" --resolver "127.0.0.1@$KPORT" --trust-anchor "$BASE/knot/anchors.txt" --ca-file "$C/ca.pem"
    --dns-timeout 5 --ip-spacing 0 --retry-delay 0.3 --ehlo changes.lab.example)

start_round 1
echo "changes: lab up in $(($(date +%s) - t0)) s"
"$BIN" watch "$BASE/list.txt" --once "${COMMON[@]}" >"$BASE/out/w1.txt" 2>"$BASE/out/w1.err"
rc=$?
check "first watch round: exit 0, no change lines (nothing to compare with)" \
    "$([ $rc = 0 ] && [ ! -s "$BASE/out/w1.txt" ] && echo 0 || echo 1)" "rc $rc; $(cat "$BASE/out/w1.txt" "$BASE/out/w1.err")"

start_round 2
"$BIN" watch "$BASE/list.txt" --once --fail-on critical "${COMMON[@]}" >"$BASE/out/w2.txt" 2>"$BASE/out/w2.err"
rc=$?
check "second watch round: exit 1 (critical changes, --fail-on critical)" "$([ $rc = 1 ] && echo 0 || echo 1)" \
    "rc $rc; $(cat "$BASE/out/w2.err")"

# the lines, without the hashes and dates that change with every run of the test
norm() { sed -E 's/[0-9a-f]{16}…/HASH/g; s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/DATE/g' "$@"; }
cat >"$BASE/out/want.txt" <<EOF
d-cert.chg.example  1->2  medium    cert.replaced  mx-cert.chg.example $NET.2: certificate replaced: sha256 HASH (issuer CN=mailtls lab CA,O=mailtls lab) -> HASH (issuer CN=mailtls lab CA,O=mailtls lab), key changed
d-cert.chg.example  1->2  critical  dane.tlsa_mismatch  mx-cert.chg.example $NET.2: TLSA records no longer match the certificate now served (sha256 HASH); they match only the previous one (sha256 HASH)
d-mx.chg.example  1->2  medium    mx.added  MX 20 mx-b.chg.example added
d-sts.chg.example  1->2  info      mta_sts.id_changed  MTA-STS id round1 -> round2
d-sts.chg.example  1->2  medium    mta_sts.mode_changed  MTA-STS mode enforce -> testing
d-sts.chg.example  1->2  high      verdict.weakened  VERDICT
d-tls.chg.example  1->2  critical  starttls.lost  mx-off.chg.example $NET.4: STARTTLS was offered, now it is not
d-exp.chg.example  1->2  medium    cert.replaced  mx-exp.chg.example $NET.5: certificate replaced: sha256 HASH (issuer CN=mailtls lab CA,O=mailtls lab) -> HASH (issuer CN=mailtls lab CA,O=mailtls lab), key reused
d-exp.chg.example  1->2  high      cert.expiring  mx-exp.chg.example $NET.5: certificate expires DATE (9 days after this scan; window 21 days)
EOF
norm "$BASE/out/w2.txt" | sed -E 's/(verdict\.weakened  ).*/\1VERDICT/' >"$BASE/out/got.txt"
d=$(diff "$BASE/out/want.txt" "$BASE/out/got.txt")
check "exactly the expected change lines (watch --once)" "$([ -z "$d" ] && echo 0 || echo 1)" "$d"
grep -q 'verdict mta-sts -> mta-sts-testing (readable)' "$BASE/out/w2.txt"
check "verdict.weakened names mta-sts -> mta-sts-testing (readable)" $?

# changes over the whole history gives the same lines; filters; JSON Lines; --fail-on
"$BIN" changes --db "$DB" >"$BASE/out/all.txt"; rc=$?
d=$(diff "$BASE/out/w2.txt" "$BASE/out/all.txt")
check "changes (whole history) = the watch output, exit 1 at the default --fail-on high" \
    "$([ -z "$d" ] && [ $rc = 1 ] && echo 0 || echo 1)" "rc $rc; $d"
"$BIN" changes --db "$DB" --since 2 >"$BASE/out/none.txt"; rc=$?
check "--since 2: nothing after the newest run, exit 0" "$([ $rc = 0 ] && [ ! -s "$BASE/out/none.txt" ] && echo 0 || echo 1)"
"$BIN" changes --db "$DB" --since 2000-01-01 d-tls.chg.example --json >"$BASE/out/tls.jsonl"; rc=$?
ok=$(jq -r '[.domain, .id, .severity, .scope, .old, .new, (.from_run|tostring), (.to_run|tostring)] | join(" ")' "$BASE/out/tls.jsonl" 2>&1)
check "--json for one domain: one object, starttls.lost critical" \
    "$([ "$ok" = "d-tls.chg.example starttls.lost critical mx-off.chg.example $NET.4 offered not offered 1 2" ] && [ $rc = 1 ] && echo 0 || echo 1)" "$ok"
"$BIN" changes --db "$DB" d-same.chg.example --fail-on info >"$BASE/out/same.txt"; rc=$?
check "the unchanged domain: no lines, exit 0 even with --fail-on info" "$([ $rc = 0 ] && [ ! -s "$BASE/out/same.txt" ] && echo 0 || echo 1)"
"$BIN" changes --db "$DB" d-mx.chg.example --fail-on medium >/dev/null; rc1=$?
"$BIN" changes --db "$DB" d-mx.chg.example --fail-on high >/dev/null; rc2=$?
check "--fail-on medium: exit 1 for mx.added; --fail-on high: exit 0" "$([ $rc1 = 1 ] && [ $rc2 = 0 ] && echo 0 || echo 1)" "$rc1 $rc2"
"$BIN" changes --db "$DB" d-exp.chg.example --expiry-days 5 | grep -c cert.expiring >"$BASE/out/n.txt"
check "--expiry-days 5 leaves the 9-day certificate out" "$([ "$(cat "$BASE/out/n.txt")" = 0 ] && echo 0 || echo 1)"
"$BIN" changes --db "$BASE/out/nonexistent.db" >/dev/null 2>&1; rc=$?
check "a database that does not exist: exit 2" "$([ $rc = 2 ] && echo 0 || echo 1)"

echo "changes: $pass passed, $fail failed ($(($(date +%s) - t0)) s)"
[ $fail = 0 ]
