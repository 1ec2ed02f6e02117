#!/bin/bash
# mitm.sh MAILTLS [CLIENT...] -- real mail clients from Debian's packages against `mailtls mitm`.
#
# Each client row runs `mailtls mitm --sink --audit --run CMD` (or a chosen attack list): the
# mitm runs the client once per attack and judges it.  The expected verdict of each row comes
# from the program's documented behaviour; the README's table is this file's table.  Then the
# Postfix rows (mitm-postfix.sh) and the hostile clients (tests/fake/mitm.sh) when asked with
# --all.
#
# The sink listens on 127.0.8.1 (ports from 12700), presents certificates for the name 127.0.8.1
# issued by the lab CA (--ca-cert, so wrong-name and expired fail only for that) and generated
# ones.  Only loopback is used; no client config outside /tmp/mailtls-mitm-clients.
# One line per client, then "mitm-clients: N passed, M failed".
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MAILTLS=${1:?usage: mitm.sh MAILTLS [CLIENT...|--all]}
MAILTLS=$(cd "$(dirname "$MAILTLS")" && pwd)/$(basename "$MAILTLS")
shift
ALL=0
ONLY=()
for a in "$@"; do
    case $a in --all) ALL=1 ;; *) ONLY+=("$a") ;; esac
done
BASE=${MITM_CLIENTS_BASE:-/tmp/mailtls-mitm-clients}
ADDR=127.0.8.1
PORT=${MITM_CLIENTS_PORT:-12700}
PASSED=0
FAILED=0
mkdir -p "$BASE"
"$ROOT/tests/lab/ca.sh" "$BASE/certs" || { echo "mitm.sh: ca.sh failed" >&2; exit 1; }
CA=$BASE/certs/ca.pem
printf 'From: alice@lab.example\nTo: bob@lab.example\nSubject: mitm\n\nhello\n' >"$BASE/msg"
export BASE CA ADDR

# row NAME PROTO ATTACKS VERDICT EXPOSED CMD
#   ATTACKS  "all" or a list; VERDICT/EXPOSED: the client verdict and exposure wanted
#   CMD      run by sh -c, once per attack; $MAILTLS_MITM_PORT is the mitm's port
row() {
    local name=$1 proto=$2 attacks=$3 want=$4 wantexp=$5 cmd=$6 out got exp rc
    if [ ${#ONLY[@]} -gt 0 ] && [[ " ${ONLY[*]} " != *" $name "* ]]; then return 0; fi
    PORT=$((PORT + 1))
    out=$BASE/$name.json
    "$MAILTLS" mitm --listen "$ADDR:$PORT" --sink --proto "$proto" --attack "$attacks" \
        --name "$ADDR" --ca-cert "$BASE/certs/ca.pem" --ca-key "$BASE/certs/ca.key" \
        --run "$cmd" --run-timeout 30 --client-timeout 3 --timeout 600 --json \
        >"$out" 2>"$BASE/$name.log"
    rc=$?
    got=$(jq -r '.clients[0].verdict // "none"' "$out" 2>/dev/null)
    exp=$(jq -r '.clients[0].exposed // "none"' "$out" 2>/dev/null)
    if [ "$got" = "$want" ] && [ "$exp" = "$wantexp" ]; then
        echo "ok   $name: $got ($exp) -- $(jq -r '.clients[0].summary' "$out")"
        PASSED=$((PASSED + 1))
    else
        echo "FAIL $name: got $got/$exp (exit $rc), want $want/$wantexp"
        jq -r '.connections[] | "    \(.attack) -> \(.outcome): tls=\(.tls) \(.tls_error // "") end=\(.end)"' "$out" 2>/dev/null
        jq -r '.runs[] | "    run \(.run) \(.attack): exit \(.exit)"' "$out" 2>/dev/null
        FAILED=$((FAILED + 1))
    fi
    # the summary table of the README: client, protocol, verdict, one sentence
    printf '%s\t%s\t%s\t%s\n' "$name" "$proto" "$got" "$(jq -r '.clients[0].summary' "$out" 2>/dev/null)" >>"$BASE/table.tsv"
}

: >"$BASE/table.tsv"
SW="swaks --server $ADDR:\$MAILTLS_MITM_PORT --from alice@lab.example --to bob@lab.example --timeout 10 --auth PLAIN --auth-user alice --auth-password secret123"
CU="curl -sS --max-time 15 --mail-from alice@lab.example --mail-rcpt bob@lab.example --upload-file $BASE/msg --cacert $CA --user alice:secret123 smtp://$ADDR:\$MAILTLS_MITM_PORT"
MS="HOME=/nonexistent msmtp --host=$ADDR --port=\$MAILTLS_MITM_PORT --from=alice@lab.example --tls=on --tls-starttls=on --tls-trust-file=$CA --auth=plain --user=alice --passwordeval='echo secret123' bob@lab.example < $BASE/msg"
FMRC=$BASE/fetchmailrc
printf 'set no syslog\npoll %s user "alice" there with password "secret123" is "root" here\n' "$ADDR" >"$FMRC"
chmod 600 "$FMRC"
FM="HOME=$BASE timeout 30 fetchmail -f $FMRC --pidfile $BASE/fm.pid -i $BASE/fetchids -c -t 10 --sslcertck --sslcertfile $CA --sslcommonname $ADDR -P \$MAILTLS_MITM_PORT"
MU="env -i PATH=/usr/bin:/bin HOME=$BASE TERM=dumb timeout 30 mutt -n -F /dev/null -e 'set from=alice@lab.example hostname=lab.example record=' -e \"set smtp_url=smtp://alice@$ADDR:\$MAILTLS_MITM_PORT/ smtp_pass=secret123 ssl_ca_certificates_file=$CA\""
SX="echo hi | timeout 30 sendxmpp -j $ADDR:\$MAILTLS_MITM_PORT -o lab.example -u alice -p secret123 -a $CA"

# Expected verdicts.  Where a program surprised us, the comment says what it did.
row swaks-tls-optional submission all falls_back credentials "$SW --tls-optional"
# --tls refuses every downgrade, but without --tls-verify any certificate will do, and it takes a
# reply injected before the handshake (it reads the socket through a buffer that keeps it)
row swaks-tls          submission all accepts_bad_cert credentials "$SW --tls"
# --tls-verify checks the chain but not the name: the wrong-name certificate from a trusted CA
# passes, and the AUTH goes through it
row swaks-tls-verify   submission all accepts_bad_cert credentials "$SW --tls --tls-verify --tls-ca-path $CA"
row curl-ssl           submission all falls_back credentials "$CU --ssl"
row curl-ssl-reqd      submission all safe nothing "$CU --ssl-reqd"
# msmtp falls back to HELO after a refused EHLO, sees no STARTTLS and quits: a refusal
row msmtp-starttls     submission all safe nothing "$MS"
row fetchmail-imap     imap all safe nothing "$FM -p IMAP"
row fetchmail-pop3     pop3 all safe nothing "$FM -p POP3"
# --sslproto '' (documented: no TLS at all) logs in in clear even when STARTTLS is offered
row fetchmail-imap-nossl imap all no_tls credentials "$FM -p IMAP --sslproto ''"
row mutt-force-tls     submission all safe nothing "$MU -e 'set ssl_starttls=yes ssl_force_tls=yes' -s mitm bob@lab.example < $BASE/msg"
row mutt-starttls      submission all falls_back credentials "$MU -e 'set ssl_starttls=yes ssl_force_tls=no' -s mitm bob@lab.example < $BASE/msg"
# sendxmpp -t uses TLS when offered but, when <starttls/> is stripped, authenticates in clear
row sendxmpp-tls       xmpp all falls_back credentials "$SX -t bob@lab.example"


# Proxy mode: a second mitm (--sink, control run) plays the real server.  The stripping proxy
# must rewrite its capabilities, answer the credentials itself (the upstream never sees them),
# and in the control run relay TLS end to end (the upstream completes the handshake).
# prow NAME PROTO ATTACK OUTCOME UPSTREAM-TLS CMD   (CMD connects to $ADDR:$PPORT)
PPORT=$((PORT + 50))
UPORT=$((PORT + 51))
prow() {
    local name=$1 proto=$2 attack=$3 want=$4 wanttls=$5 cmd=$6 out=$BASE/$1.json up=$BASE/$1.up.json upid got utls uauth
    if [ ${#ONLY[@]} -gt 0 ] && [[ " ${ONLY[*]} " != *" $name "* ]]; then return 0; fi
    "$MAILTLS" mitm --listen "$ADDR:$UPORT" --sink --proto "$proto" --attack none --connections 0 \
        --timeout 60 --name "$ADDR" --ca-cert "$BASE/certs/ca.pem" --ca-key "$BASE/certs/ca.key" \
        --json >"$up" 2>/dev/null &
    upid=$!
    sleep 0.3
    "$MAILTLS" mitm --listen "$ADDR:$PPORT" --upstream "$ADDR:$UPORT" --proto "$proto" --attack "$attack" \
        --name "$ADDR" --ca-cert "$BASE/certs/ca.pem" --ca-key "$BASE/certs/ca.key" --run "$cmd" \
        --run-timeout 30 --client-timeout 3 --json >"$out" 2>"$BASE/$name.log"
    kill -TERM $upid 2>/dev/null
    wait $upid 2>/dev/null
    got=$(jq -r '[.connections[].outcome] | unique | join(",")' "$out" 2>/dev/null)
    utls=$(jq -r '[.connections[].tls] | unique | join(",")' "$up" 2>/dev/null)
    # in clear: a credential inside the end-to-end TLS of the control run is the client's business
    uauth=$(jq -r '[.connections[] | select(.auth != null and .auth.where == "clear")] | length' "$up" 2>/dev/null)
    if [ "$got" = "$want" ] && [ "$utls" = "$wanttls" ] && [ "$uauth" = 0 ]; then
        echo "ok   $name: proxy $attack -> $got; upstream TLS $utls, no credential relayed in clear"
        PASSED=$((PASSED + 1))
    else
        echo "FAIL $name: proxy $attack -> '$got' (want $want); upstream TLS '$utls' (want $wanttls), credentials relayed: $uauth"
        FAILED=$((FAILED + 1))
    fi
}
PSW="swaks --server $ADDR:$PPORT --from alice@lab.example --to bob@lab.example --timeout 10 --auth PLAIN --auth-user alice --auth-password secret123"
PFM="HOME=$BASE timeout 30 fetchmail -f $FMRC --pidfile $BASE/fm.pid -i $BASE/fetchids -c -t 10 --sslcertck --sslcertfile $CA --sslcommonname $ADDR -P $PPORT"
prow proxy-swaks-strip   submission strip plaintext.credentials none "$PSW --tls-optional"
prow proxy-swaks-control submission none tls.used done "$PSW --tls --tls-verify --tls-ca-path $CA"
prow proxy-fetchmail-imap-strip imap strip plaintext.credentials none "$PFM -p IMAP --sslproto ''"
prow proxy-fetchmail-pop3-control pop3 none tls.used done "$PFM -p POP3"
prow proxy-sendxmpp-strip xmpp strip plaintext.credentials none "echo hi | timeout 30 sendxmpp -j $ADDR:$PPORT -o lab.example -u alice -p secret123 -a $CA -t bob@lab.example"

echo "mitm-clients: $PASSED passed, $FAILED failed"
rc=0
[ "$FAILED" -eq 0 ] || rc=1
if [ $ALL = 1 ]; then
    "$HERE/mitm-postfix.sh" "$MAILTLS" || rc=1
    "$ROOT/tests/fake/mitm.sh" "$MAILTLS" || rc=1
fi
exit $rc
