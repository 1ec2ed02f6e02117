#!/bin/bash
# selftest.sh [BASEDIR] -- proves the lab helpers work: starts every Postfix variant
# on NET.2 ... NET.11 (NET=127.0.0 unless LAB_SELFTEST_NET is set), checks each with
# openssl s_client and posttls-finger, adds one on [::1], stops them all; twice.
# Prints one line per check; exit status 0 if all passed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BASE=${1:-/tmp/mailtls-lab-selftest}
NET=${LAB_SELFTEST_NET:-127.0.0}
PF="$HERE/postfix.sh"
CA="$BASE/certs/ca.pem"
VARIANTS=(valid selfsigned expired wrongname weakkey notls authplain tls12 smtps defaults)
fails=0

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # DESCRIPTION COMMAND... : passes when COMMAND succeeds
    local d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}

# s_client ADDR [OPTIONS...]: STARTTLS handshake, output on stdout
starttls() {
    local a=$1
    shift
    echo QUIT | timeout 10 openssl s_client -starttls smtp -connect "$a:25" -servername mx.lab.example \
        -CAfile "$CA" -verify_hostname mx.lab.example "$@" 2>&1
}
ehlo() { # ADDR: the EHLO reply in the clear
    timeout 20 posttls-finger -l may "[$1]" 2>&1 | sed -n 's/^posttls-finger: < //p'
}
# verified ADDR [OPTIONS...]: handshake completed and the chain verified for mx.lab.example
verified() { local o; o=$(starttls "$@"); grep -q '^New, TLSv' <<<"$o" && grep -q 'Verify return code: 0 (ok)' <<<"$o"; }
# proto ADDR VERSION [OPTIONS...]: a handshake at exactly VERSION ("TLSv1", "TLSv1.1", ...) completed
proto() { local a=$1 v=$2; shift 2; starttls "$a" "$@" | grep -q "^New, $v, "; }
# shows ADDR TEXT [OPTIONS...]: the s_client output contains TEXT
shows() { local a=$1 t=$2; shift 2; starttls "$a" "$@" | grep -q -- "$t"; }
smtps_verified() { local o; o=$(echo QUIT | timeout 10 openssl s_client -connect "$1:465" -CAfile "$CA" -verify_hostname mx.lab.example 2>&1)
    grep -q '^New, TLSv' <<<"$o" && grep -q 'Verify return code: 0 (ok)' <<<"$o"; }
v6_verified() { local o; o=$(echo QUIT | timeout 10 openssl s_client -starttls smtp -connect '[::1]:25' -CAfile "$CA" -verify_hostname mx.lab.example 2>&1)
    grep -q '^New, TLSv' <<<"$o" && grep -q 'Verify return code: 0 (ok)' <<<"$o"; }
not() { ! "$@"; }
no_starttls() { ! ehlo "$1" | grep -q STARTTLS; }
ehlo_answered() { ehlo "$1" | grep -q '^250 '; }
auth_in_clear() { ehlo "$1" | sed '/^220 2.0.0/q' | grep -q '^250-AUTH PLAIN LOGIN'; }
finger_tls() { timeout 20 posttls-finger -c -l may "[$1]" 2>&1 | grep -q 'TLS connection established'; }
port_closed() { ! ss -Hltn | awk '{print $4}' | grep -qx "$1:25"; }

round() {
    local r=$1 i=2 v a
    echo "# round $r: start"
    for v in "${VARIANTS[@]}"; do
        check "start $v on $NET.$i" "$PF" start "st-$v" "$NET.$i" "$v" "$BASE"
        i=$((i + 1))
    done
    check "start valid on [::1]" "$PF" start st-v6 "[::1]" valid "$BASE"

    i=2
    for v in "${VARIANTS[@]}"; do
        a=$NET.$i
        case $v in
        valid | defaults) check "$v: chain verifies with -CAfile" verified "$a" ;;
        selfsigned) check "$v: self-signed" shows "$a" 'self-signed certificate' ;;
        expired) check "$v: certificate has expired" shows "$a" 'certificate has expired' ;;
        wrongname) check "$v: hostname mismatch" shows "$a" 'hostname mismatch' ;;
        weakkey) check "$v: 1024-bit RSA key" shows "$a" 'Server public key is 1024 bit' ;;
        notls)
            check "$v: no STARTTLS in EHLO" no_starttls "$a"
            check "$v: EHLO answered" ehlo_answered "$a"
            ;;
        authplain) check "$v: AUTH offered before STARTTLS" auth_in_clear "$a" ;;
        tls12)
            check "$v: TLS 1.2 works" proto "$a" TLSv1.2 -tls1_2
            check "$v: TLS 1.3 refused" not proto "$a" TLSv1.3 -tls1_3
            ;;
        smtps)
            check "$v: implicit TLS on 465" smtps_verified "$a"
            check "$v: STARTTLS on 25 too" verified "$a"
            ;;
        esac
        case $v in
        valid | tls12 | smtps)
            check "$v: TLS 1.1 refused" not proto "$a" TLSv1.1 -tls1_1 -cipher DEFAULT:@SECLEVEL=0 ;;
        defaults)
            check "$v: TLS 1.0 accepted (Debian defaults)" proto "$a" TLSv1.0 -tls1 -cipher DEFAULT:@SECLEVEL=0 ;;
        esac
        [ "$v" = notls ] || check "$v: posttls-finger completes TLS" finger_tls "$a"
        i=$((i + 1))
    done
    check "[::1] valid verifies" v6_verified

    # conncount counts exactly the connections made after start
    local before after
    before=$("$PF" conncount st-valid "$BASE")
    for _ in 1 2 3; do echo QUIT | timeout 10 openssl s_client -starttls smtp -connect "$NET.2:25" >/dev/null 2>&1; done
    after=$("$PF" conncount st-valid "$BASE")
    check "conncount: $before + 3 = $after" test "$after" -eq $((before + 3))

    echo "# round $r: stop"
    check "stopall" "$PF" stopall "$BASE"
    check "stopall again (idempotent)" "$PF" stopall "$BASE"
    i=2
    for v in "${VARIANTS[@]}"; do
        check "$NET.$i:25 closed" port_closed "$NET.$i"
        i=$((i + 1))
    done
}

round 1
round 2
if [ $fails -eq 0 ]; then echo "# all passed"; else echo "# $fails failed"; fi
[ $fails -eq 0 ]
