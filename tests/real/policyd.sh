#!/bin/bash
# tests/real/policyd.sh MAILTLS -- `mailtls policyd` end to end with real Postfix as the sending
# MTA (docs/internals/policy.md, "Tests"): the domain lab with DOMLAB_POLICY=1 on 127.0.11.0/24,
# a validating unbound for Postfix, the policy service, a sending Postfix whose
# smtp_tls_policy_maps is the service.  Asserts from the sender's log and queue that mail to an
# MTA-STS enforce domain with a bad certificate is deferred, to a good one delivered, that a DANE
# domain gets dane-only (a TLSA mismatch deferred), that testing is delivered; then malformed
# input, a reconnect storm, a restart that keeps the cache, and a short load run with RSS flat.
# Run it under the lab lock: flock -o /tmp/mailtls-lab.lock tests/real/policyd.sh build/mailtls
set -uo pipefail
BIN=$(readlink -f "${1:?usage: policyd.sh MAILTLS}")
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
export DOMLAB_NET=127.0.11 DOMLAB_KNOT_PORT=53611 DOMLAB_IPV6=0 DOMLAB_POLICY=1
LAB=${POLICYD_LAB:-/tmp/mailtls-policylab}
PD_ADDR=127.0.11.1 PD_PORT=8462
SENDER=127.0.11.30
UB=$LAB/unbound
LOAD_TOTAL=${POLICYD_LOAD_TOTAL:-200000}	# POLICYD_RSS_CHECK=0: no RSS assertion (ASan)
pass=0 fail=0 PD= PX=
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

cleanup() {
    [ -n "$PD" ] && kill "$PD" 2>/dev/null && wait "$PD" 2>/dev/null
    [ -n "$PX" ] && kill "$PX" 2>/dev/null
    tests/lab/postfix.sh stop psend "$LAB" >/dev/null 2>&1 || :
    tests/lab/unbound.sh stop "$UB" >/dev/null 2>&1 || :
    tests/lab/domain-lab.sh stop "$LAB" >/dev/null 2>&1 || :
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$(date +%s)
tests/lab/domain-lab.sh start "$LAB" || { echo "policyd.sh: the lab did not start"; exit 1; }
. "$LAB/env"
tests/lab/unbound.sh start "$UB" "$NET.53" "$ANCHORS" "$KNOT_PORT" || exit 1
cc -O2 -Wall -o "$LAB/socketmap_load" tests/real/socketmap_load.c || exit 1

start_pd() {
    "$BIN" policyd --listen "inet:$PD_ADDR:$PD_PORT" --listen "unix:$LAB/policyd.sock" \
        --cache "$LAB/policyd.sqlite" --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" \
        --verbose --stats-interval 0 2>>"$LAB/policyd.log" &
    PD=$!
    # listening is enough: a query here would be a lookup of its own (a cached negative
    # answer can expire on a slow run), and the restart case counts lookups
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/$PD_ADDR/$PD_PORT") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
stop_pd() { kill "$PD"; wait "$PD"; PD=; }

rm -f "$LAB/policyd.sqlite"* "$LAB/policyd.log"
start_pd || { bad "policyd did not answer"; cat "$LAB/policyd.log"; exit 1; }
q() { postmap -q "$1" "socketmap:inet:$PD_ADDR:$PD_PORT:mailtls" 2>/dev/null; }

# ---- answers, as Postfix's own socketmap client gets them ------------------------------------
declare -A WANT=(
    [pol-sts-good.example]="secure match=pgood.sts.lab.example servername=hostname"
    [pol-sts-bad.example]="secure match=pbad.sts.lab.example servername=hostname"
    [pol-sts-testing.example]=""
    [pol-dane.example]="dane-only"
    [pol-dane-bad.example]="dane-only"
    [pol-plain.example]=""
    [sts-enforce.example]="secure match=mx.sts.lab.example:.sts.lab.example servername=hostname"
    [twomx.example]="dane"
    [pkix-only.example]="encrypt"
    [nullmx.example]=""
)
for d in "${!WANT[@]}"; do
    got=$(q "$d")
    [ "$got" = "${WANT[$d]}" ] && ok "postmap -q $d: '${got:-NOTFOUND}'" || bad "postmap -q $d: '$got', want '${WANT[$d]}'"
done
got=$(postmap -q pol-dane.example "socketmap:unix:$LAB/policyd.sock:mailtls" 2>/dev/null)
[ "$got" = dane-only ] && ok "unix socket answers" || bad "unix socket: '$got'"
postmap -q pol-dane.example "socketmap:inet:$PD_ADDR:$PD_PORT:other" >/dev/null 2>"$LAB/perm.err"
grep -q "permanent error: unknown socketmap name" "$LAB/perm.err" && ok "unknown map name: PERM" || bad "unknown map name: $(cat "$LAB/perm.err")"
got=$(q "[127.0.11.20]:25"); [ -z "$got" ] && ok "[host]:port key: NOTFOUND" || bad "[host]:port key: '$got'"

# ---- a cold miss past the deadline: TEMP at once, the lookup goes on and fills the cache ---------
# The lookup goes through the lab's DNS proxy, which holds dane-ee.example's MX query for 0.3 s: a
# lookup straight from Knot can finish inside any short deadline on an idle machine.
SLOW=127.0.11.1@53613
echo "delay dane-ee.example MX" >"$LAB/slow.rules"
python3 tests/lab/dnsproxy.py --listen "$SLOW" --upstream "$RESOLVER" --rules "$LAB/slow.rules" \
    --delay 0.3 --log "$LAB/slow.log" 2>>"$LAB/policyd-fast.log" &
PX=$!
"$BIN" policyd --listen "inet:$PD_ADDR:$((PD_PORT + 1))" --no-cache-file --answer-timeout 0.05 \
    --resolver "$SLOW" --trust-anchor "$ANCHORS" --ca-file "$CA" --stats-interval 0 2>>"$LAB/policyd-fast.log" &
PD2=$!
for _ in $(seq 1 300); do (exec 3<>/dev/tcp/$PD_ADDR/$((PD_PORT + 1))) 2>/dev/null && break; sleep 0.1; done
postmap -q dane-ee.example "socketmap:inet:$PD_ADDR:$((PD_PORT + 1)):mailtls" >/dev/null 2>"$LAB/temp.err"
grep -q "temporary error: policy lookup still in progress" "$LAB/temp.err" && ok "cold miss past the deadline: TEMP" ||
    bad "cold miss past the deadline: '$(cat "$LAB/temp.err")'; the proxy saw: $(tr '\n' ';' <"$LAB/slow.log")"
got=
for _ in $(seq 1 50); do	# the lookup ends ~0.3 s later; poll, the machine may be slow
    sleep 0.2
    got=$(postmap -q dane-ee.example "socketmap:inet:$PD_ADDR:$((PD_PORT + 1)):mailtls" 2>/dev/null)
    [ "$got" = dane-only ] && break
done
[ "$got" = dane-only ] && ok "the lookup went on: dane-only from the cache" || bad "after the deadline: '$got'"
kill "$PD2" "$PX"; wait "$PD2" "$PX" 2>/dev/null; PX=

# ---- real Postfix sending through the policy service -----------------------------------------
PF_EXTRA="default_transport=smtp relay_transport=smtp mynetworks=127.0.0.0/8
smtpd_relay_restrictions=permit_mynetworks,reject_unauth_destination smtp_dns_support_level=dnssec
smtp_tls_security_level=may smtp_tls_CAfile=$CA smtp_tls_loglevel=1 smtp_host_lookup=dns
smtp_tls_policy_maps=socketmap:inet:$PD_ADDR:$PD_PORT:mailtls smtp_connect_timeout=5s
smtp_address_preference=ipv4 maximal_backoff_time=3600s"
POSTFIX_EXTRA=$(echo $PF_EXTRA) tests/lab/unbound.sh ns "$UB" tests/lab/postfix.sh start psend "$SENDER" notls "$LAB" ||
    { bad "the sending Postfix did not start"; exit 1; }
postsuper -c "$LAB/psend/etc" -d ALL >/dev/null 2>&1	# what an earlier run left deferred
SLOG=$LAB/psend/maillog
for d in pol-sts-good.example pol-sts-bad.example pol-sts-testing.example pol-dane.example pol-dane-bad.example pol-plain.example; do
    swaks --silent 2 --server "$SENDER:25" --from "sender@lab.example" --to "user@$d" \
        --header "Subject: policyd test $d" >/dev/null 2>&1 || bad "swaks to $d was refused by the sending Postfix"
done
status_of() { # DOMAIN -> sent|deferred|bounced|"" (the first delivery attempt)
    grep -E "to=<user@$1>.* status=" "$SLOG" | head -1 | sed -E 's/.* status=([a-z]+).*/\1/'
}
for _ in $(seq 1 150); do
    n=0
    for d in pol-sts-good.example pol-sts-bad.example pol-sts-testing.example pol-dane.example pol-dane-bad.example pol-plain.example; do
        [ -n "$(status_of $d)" ] && n=$((n + 1))
    done
    [ $n = 6 ] && break
    sleep 0.2
done
expect() { # DOMAIN STATUS WHY
    local s
    s=$(status_of "$1")
    [ "$s" = "$2" ] && ok "Postfix: $1 $2 ($3)" || { bad "Postfix: $1 is '$s', want $2 ($3)"; grep -E "$1" "$SLOG" | tail -3; }
}
expect pol-sts-good.example sent "MTA-STS enforce, valid certificate"
expect pol-sts-bad.example deferred "MTA-STS enforce, self-signed certificate"
expect pol-sts-testing.example sent "MTA-STS testing: no enforcement"
expect pol-dane.example sent "DANE, TLSA matches"
expect pol-dane-bad.example deferred "DANE, TLSA mismatch"
expect pol-plain.example sent "nothing published"
grep -qE "Verified TLS connection established to pgood.sts.lab.example" "$SLOG" &&
    ok "pol-sts-good.example went over verified TLS" || bad "no verified TLS to pgood.sts.lab.example"
grep -E "to=<user@pol-sts-bad.example>.*status=deferred" "$SLOG" | grep -qiE "certificate|TLS" &&
    ok "pol-sts-bad.example deferred for its certificate" || bad "pol-sts-bad.example deferral reason: $(grep 'pol-sts-bad' "$SLOG" | tail -1)"
grep -qE "(Verified|Trusted) TLS connection established to pgood.dane.lab.example" "$SLOG" &&
    ok "pol-dane.example went over DANE-verified TLS" || bad "no verified TLS to pgood.dane.lab.example"
grep -E "to=<user@pol-dane-bad.example>.*status=deferred" "$SLOG" | grep -qiE "TLSA|certificate|verif" &&
    ok "pol-dane-bad.example deferred for the TLSA mismatch" || bad "pol-dane-bad.example deferral reason: $(grep 'pol-dane-bad' "$SLOG" | tail -1)"
queue=$(postqueue -c "$LAB/psend/etc" -j 2>/dev/null | jq -r '.recipients[].address' | sort | tr '\n' ' ')
[ "$queue" = "user@pol-dane-bad.example user@pol-sts-bad.example " ] && ok "the queue holds exactly the two deferred messages" ||
    bad "queue: '$queue'"
grep -q "socketmap" "$SLOG" && grep "socketmap" "$SLOG" | grep -qv "warning: .*lookup error" || :
if grep -qE "table socketmap.*(lookup error|temporary error)" "$SLOG"; then
    bad "Postfix saw socketmap errors: $(grep -E 'table socketmap' "$SLOG" | head -2)"
else
    ok "Postfix saw no socketmap error"
fi
for d in pol-sts-good.example pol-dane.example pol-sts-bad.example; do
    grep -q "mailtls policyd: $d: OK" "$LAB/policyd.log" && ok "policyd log names $d" || bad "policyd log lacks $d"
done

# ---- pins from the scan history (--pin-from-history, row P8h) -----------------------------------
# A scan stored in a store; policyd pins where nothing stronger applies; Postfix delivers to the
# pinned key and defers where the stored key is not the one served (a rolled key), until a new
# scan and a SIGHUP.
PIN_PORT=$((PD_PORT + 2))
SCAN=("$BIN" scan --db "$LAB/scan.db" --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA"
    --ip-spacing 0 --no-progress --ehlo scan.lab.example)
rm -f "$LAB/scan.db"*
printf '%s\n' pol-plain.example pol-sts-testing.example pol-dane.example pol-sts-good.example >"$LAB/scan.list"
"${SCAN[@]}" "$LAB/scan.list" >/dev/null 2>"$LAB/scan.err" || bad "mailtls scan of four lab domains: $(tail -2 "$LAB/scan.err")"
stored_spki() { # DOMAIN -> the SPKI SHA-256 the newest stored scan saw
    sqlite3 "$LAB/scan.db" "select r.json from reports r join domains d on d.id = r.domain_id where d.domain = '$1' order by d.run_id desc limit 1" |
        jq -r '[.endpoints[] | select(.port == 25) | .certificate.spki_sha256] | first'
}
fp() { echo "$1" | tr a-f A-F | sed 's/../&:/g; s/:$//'; }
spki=$(stored_spki pol-plain.example)
served=$(openssl s_client -starttls smtp -connect "$NET.21:25" -servername pbad.sts.lab.example </dev/null 2>/dev/null |
    openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
[ -n "$spki" ] && [ "$spki" = "$served" ] && ok "the store holds the key pbad.sts.lab.example serves" || bad "stored '$spki', served '$served'"
# pol-sts-testing.example: as if its MX had rolled its key since the scan
rolled=$(echo "$spki" | rev)
sqlite3 "$LAB/scan.db" "update reports set json = replace(json, '$spki', '$rolled') where domain_id in (select id from domains where domain = 'pol-sts-testing.example')"
"$BIN" policyd --listen "inet:$PD_ADDR:$PIN_PORT" --no-cache-file --pin-from-history --db "$LAB/scan.db" \
    --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" --stats-interval 0 2>>"$LAB/policyd-pin.log" &
PD3=$!
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/$PD_ADDR/$PIN_PORT) 2>/dev/null && break; sleep 0.1; done
grep -q "pin-from-history: 4 of 4 domains in .*RISK: .*DEFERS" "$LAB/policyd-pin.log" &&
    ok "policyd --pin-from-history states the risk at start" || bad "start line: $(head -2 "$LAB/policyd-pin.log")"
qp() { postmap -q "$1" "socketmap:inet:$PD_ADDR:$PIN_PORT:mailtls" 2>/dev/null; }
declare -A PWANT=(
    [pol-plain.example]="fingerprint match=$(fp "$spki") servername=hostname"
    [pol-sts-testing.example]="fingerprint match=$(fp "$rolled") servername=hostname"
    [pol-dane.example]="dane-only"
    [pol-sts-good.example]="${WANT[pol-sts-good.example]}"
    [pol-sts-bad.example]="${WANT[pol-sts-bad.example]}"
    [pol-weak.example]=""
)
for d in "${!PWANT[@]}"; do
    got=$(qp "$d")
    [ "$got" = "${PWANT[$d]}" ] && ok "pins: $d '${got:-NOTFOUND}'" || bad "pins: $d '$got', want '${PWANT[$d]}'"
done
postconf -c "$LAB/psend/etc" -e "smtp_tls_policy_maps=socketmap:inet:$PD_ADDR:$PIN_PORT:mailtls" "smtp_tls_fingerprint_digest=sha256" &&
    touch -d "@$(($(date +%s) - 10))" "$LAB/psend/etc/main.cf" && postfix -c "$LAB/psend/etc" reload >/dev/null 2>&1 ||
    bad "cannot point the sending Postfix at the pinning policyd"
sleep 1
for d in pol-plain.example pol-sts-testing.example; do
    swaks --silent 2 --server "$SENDER:25" --from "sender@lab.example" --to "pin@$d" \
        --header "Subject: pin test $d" >/dev/null 2>&1 || bad "swaks pin@$d"
done
pin_status() { grep -E "to=<pin@$1>.* status=" "$SLOG" | tail -1 | sed -E 's/.* status=([a-z]+).*/\1/'; }
for _ in $(seq 1 100); do [ -n "$(pin_status pol-plain.example)" ] && [ -n "$(pin_status pol-sts-testing.example)" ] && break; sleep 0.2; done
[ "$(pin_status pol-plain.example)" = sent ] && grep -qE "Verified TLS connection established to pbad.sts.lab.example" "$SLOG" &&
    ok "Postfix: pol-plain.example sent to the pinned key (fingerprint matched)" ||
    bad "Postfix: pin@pol-plain.example '$(pin_status pol-plain.example)': $(grep 'pin@pol-plain' "$SLOG" | tail -1)"
[ "$(pin_status pol-sts-testing.example)" = deferred ] &&
    ok "Postfix: pol-sts-testing.example deferred (the stored pin is not the key served)" ||
    bad "Postfix: pin@pol-sts-testing.example '$(pin_status pol-sts-testing.example)'"
# a new scan and SIGHUP: the pin is the served key again, and the deferred message goes
printf '%s\n' pol-sts-testing.example >"$LAB/scan2.list"
"${SCAN[@]}" "$LAB/scan2.list" >/dev/null 2>>"$LAB/scan.err" || bad "second scan"
kill -HUP "$PD3"
for _ in $(seq 1 50); do [ "$(qp pol-sts-testing.example)" = "${PWANT[pol-plain.example]}" ] && break; sleep 0.1; done
[ "$(qp pol-sts-testing.example)" = "${PWANT[pol-plain.example]}" ] && ok "after a new scan and SIGHUP: the served key is pinned" ||
    bad "after SIGHUP: '$(qp pol-sts-testing.example)'"
postqueue -c "$LAB/psend/etc" -f
for _ in $(seq 1 100); do [ "$(pin_status pol-sts-testing.example)" = sent ] && break; sleep 0.2; done
[ "$(pin_status pol-sts-testing.example)" = sent ] && ok "Postfix: the deferred message delivered after the new pin" ||
    bad "Postfix: after the new pin '$(pin_status pol-sts-testing.example)'"
# the live MX set holds a host the stored scan did not pin (added since, or forged into the unsigned
# MX RRset): the stored pins still (fail closed), never NOTFOUND; the host is named in the log
sqlite3 "$LAB/scan.db" "update reports set json = replace(json, '\"pbad.sts.lab.example\"', '\"retired.lab.example\"') where domain_id in (select id from domains where domain = 'pol-plain.example')"
# the stored scan also had an MX it could not pin (no TLS there, or an attacker stripped it during
# the scan): the other MX keeps its pin, that one defers, and the load names it
sqlite3 "$LAB/scan.db" "update reports set json = replace(replace(json, '\"mx\":[', '\"mx\":[{\"host\":\"nopin.lab.example\",\"use\":\"used\"},'), '\"endpoints\":[', '\"endpoints\":[{\"host\":\"nopin.lab.example\",\"port\":25,\"proto\":\"smtp\",\"connected\":true},') where domain_id in (select id from domains where domain = 'pol-plain.example')"
# a scan dated in the future would never age: no pin, said at the reload
sqlite3 "$LAB/scan.db" "update domains set finished = '2099-01-01T00:00:00Z' where domain = 'pol-dane.example'"
# a scan older than --pin-max-age gives no pin (the pin source ran out), said at the reload
sqlite3 "$LAB/scan.db" "update domains set finished = '2020-01-01T00:00:00Z' where domain = 'pol-sts-testing.example'"
kill -HUP "$PD3"
for _ in $(seq 1 50); do grep -q "no pin for pol-sts-testing.example" "$LAB/policyd-pin.log" && break; sleep 0.1; done
grep -q "no pin for pol-sts-testing.example: the scan of 2020-01-01T00:00:00Z is older than --pin-max-age (30 days)" "$LAB/policyd-pin.log" &&
    ok "--pin-max-age: the refusal of an old scan is logged at the reload" || bad "old scan: $(grep 'no pin' "$LAB/policyd-pin.log" | tail -1)"
got=$(qp pol-sts-testing.example)
[ -z "$got" ] && ok "--pin-max-age: no pin from a scan older than 30 days (NOTFOUND)" || bad "old scan pinned: '$got'"
grep -q "no pin for pol-dane.example: the scan of 2099-01-01T00:00:00Z is in the future" "$LAB/policyd-pin.log" &&
    ok "a scan dated in the future: refused and logged at the reload" || bad "future scan: $(grep 'pol-dane' "$LAB/policyd-pin.log" | tail -1)"
grep -q "pol-plain.example pinned without an MX: nopin.lab.example had no complete pin" "$LAB/policyd-pin.log" &&
    ok "an MX the scan could not pin: the domain keeps its other pins, the MX is logged at the reload" ||
    bad "partial pin not logged: $(grep 'pol-plain' "$LAB/policyd-pin.log" | tail -2)"
got=$(qp pol-plain.example)
[ "$got" = "${PWANT[pol-plain.example]}" ] && ok "an MX the scan did not pin: the stored pins still ('fingerprint ...')" ||
    bad "an MX without a pin: '$got' (want '${PWANT[pol-plain.example]}')"
grep -q "pol-plain.example: MX pbad.sts.lab.example has no pin in the stored scan" "$LAB/policyd-pin.log" &&
    ok "an MX the scan did not pin is named in the log" || bad "no warning for the unpinned MX: $(grep pol-plain "$LAB/policyd-pin.log" | tail -2)"
kill "$PD3"; wait "$PD3" 2>/dev/null
postconf -c "$LAB/psend/etc" -e "smtp_tls_policy_maps=socketmap:inet:$PD_ADDR:$PD_PORT:mailtls" &&
    touch -d "@$(($(date +%s) - 10))" "$LAB/psend/etc/main.cf" && postfix -c "$LAB/psend/etc" reload >/dev/null 2>&1

# ---- hostile clients ----------------------------------------------------------------------------
for junk in '99999999999:' 'GET / HTTP/1.0\r\n\r\n' '05:hello,' '5:hello;'; do
    printf "$junk" | timeout 5 nc -q 2 "$PD_ADDR" "$PD_PORT" >"$LAB/junk.out" 2>/dev/null
    [ ! -s "$LAB/junk.out" ] && ok "malformed '$junk': closed without a reply" || bad "malformed '$junk': replied '$(cat "$LAB/junk.out")'"
done
head -c 2000 /dev/zero | tr '\0' a | sed 's/^/2000:/' | timeout 5 nc -q 2 "$PD_ADDR" "$PD_PORT" >"$LAB/junk.out" 2>/dev/null
[ ! -s "$LAB/junk.out" ] && ok "oversized request refused" || bad "oversized request answered"
"$LAB/socketmap_load" --storm "$PD_ADDR" "$PD_PORT" 3000 && ok "reconnect storm of 3000 connections" || bad "reconnect storm"
[ "$(q pol-dane.example)" = dane-only ] && kill -0 "$PD" && ok "still answering after the storm" || bad "not answering after the storm"

# ---- load: RSS flat -----------------------------------------------------------------------------
KEYS="pol-sts-good.example pol-sts-bad.example pol-sts-testing.example pol-dane.example pol-dane-bad.example
pol-plain.example sts-enforce.example twomx.example dane-ee.example nullmx.example [127.0.11.2]:25"
"$LAB/socketmap_load" "$PD_ADDR" "$PD_PORT" mailtls 64 20000 $KEYS >/dev/null || bad "warm-up load run"
rss0=$(awk '/VmRSS/ {print $2}' /proc/$PD/status)
out=$("$LAB/socketmap_load" "$PD_ADDR" "$PD_PORT" mailtls 64 "$LOAD_TOTAL" $KEYS)
rc=$?
rss1=$(awk '/VmRSS/ {print $2}' /proc/$PD/status)
echo "load: $out rss_kb=$rss0->$rss1"
[ $rc = 0 ] && [[ $out == *"temp=0 perm=0 bad=0"* ]] && ok "load: $LOAD_TOTAL lookups from 64 clients, no error" || bad "load: $out"
[ "${POLICYD_RSS_CHECK:-1}" = 0 ] && rss1=$rss0	# ASan's quarantine grows by design
[ $((rss1 - rss0)) -lt 1024 ] && ok "load: RSS flat ($rss0 -> $rss1 KiB)" || bad "load: RSS grew $rss0 -> $rss1 KiB"

# ---- a restart keeps the cache --------------------------------------------------------------------
stop_pd
grep -q "stopping" "$LAB/policyd.log" && ok "SIGTERM: clean stop" || bad "no clean stop"
n=$(sqlite3 "$LAB/policyd.sqlite" "select count(*) from policyd_cache where domain like 'pol-%'" 2>/dev/null)
[ "${n:-0}" -ge 6 ] && ok "cache file holds $n pol-* entries" || bad "cache file holds '$n' pol-* entries"
: >"$LAB/policyd.log"
start_pd || bad "policyd did not restart"
[ "$(q pol-dane.example)" = dane-only ] && [ "$(q pol-sts-good.example)" = "${WANT[pol-sts-good.example]}" ] &&
    ok "after a restart: answers from the cache" || bad "after a restart: wrong answers"
stop_pd
grep -q "entries loaded" "$LAB/policyd.log" && grep -q ", 0 lookups" "$LAB/policyd.log" &&
    ok "after a restart: no lookup was needed" || bad "after a restart: $(grep -E 'loaded|stats' "$LAB/policyd.log")"

# ---- the cached MTA-STS policy is the one in force while its id is unchanged (rows M3, M4) --------
# The cache file says pol-sts-good.example's policy (id unchanged) also lists cached-only.example,
# and its answer is too old to give: the lookup skips the fetch and the check applies the cached
# policy (RFC 8461 §3.3, §5.1), so the answer carries the cached pattern and nginx sees no fetch.
sqlite3 "$LAB/policyd.sqlite" "update policyd_cache set checked = checked - 100000,
    sts_mx = 'pgood.sts.lab.example cached-only.example' where domain = 'pol-sts-good.example'"
fetches0=$(grep -c "mta-sts.txt" "$LAB/nginx/access.log" 2>/dev/null)
: >"$LAB/policyd.log"
start_pd || bad "policyd did not restart"
got=$(q pol-sts-good.example)
fetches1=$(grep -c "mta-sts.txt" "$LAB/nginx/access.log" 2>/dev/null)
[ "$got" = "secure match=pgood.sts.lab.example:cached-only.example servername=hostname" ] &&
    ok "unchanged id: the cached policy is applied ('$got')" || bad "unchanged id: '$got'"
[ "${fetches0:-0}" -gt 0 ] && [ "$fetches0" = "$fetches1" ] && ok "unchanged id: no policy fetch ($fetches0 before and after)" ||
    bad "unchanged id: policy fetched ($fetches0 -> $fetches1)"
grep -q "pol-sts-good.example: OK secure .*(P5, mta-sts)" "$LAB/policyd.log" && ok "the log gives row P5 for it" ||
    bad "log: $(grep pol-sts-good "$LAB/policyd.log" | tail -1)"
stop_pd

# ---- usage errors ---------------------------------------------------------------------------------
for a in "policyd --listen tcp:1.2.3.4:5" "policyd --refresh 1" "policyd --pin-from-history" "policyd --db x.db" "policyd extra" \
         "policyd --pin-max-age 10" "policyd --pin-from-history --db x.db --pin-max-age 0" \
         "policy" "policy --format xml example.org" "policy --pin --dns-only example.org" "advise" \
         "advise a.example b.example" "advise --software sendmail example.org" "advise --next-key /nonexistent example.org"; do
    # shellcheck disable=SC2086
    "$BIN" $a >"$LAB/u.out" 2>"$LAB/u.err"
    rc=$?
    [ $rc = 2 ] && [ ! -s "$LAB/u.out" ] && [ "$(wc -l <"$LAB/u.err")" -le 2 ] && grep -q -- "--help" "$LAB/u.err" &&
        ok "usage error: mailtls $a" || bad "usage error: mailtls $a (rc $rc: $(head -1 "$LAB/u.err"))"
done

echo "policyd: $pass passed, $fail failed ($(($(date +%s) - t0)) s)"
[ $fail = 0 ]
