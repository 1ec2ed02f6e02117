#!/bin/bash
# tests/real/advise.sh MAILTLS -- the advice of `mailtls advise`, applied (docs/internals/advice.md):
# a weak Postfix (TLS 1.0, anonymous suites on submission, AUTH before STARTTLS, no TLSA, no
# MTA-STS, no TLS-RPT) behind pol-weak.example in the domain lab (DOMLAB_POLICY=1, 127.0.11.0/24).
# Runs advise, applies what it printed and only that (Postfix main.cf settings with postconf, the
# TLSA and TXT lines into the Knot zones, the policy file into nginx's policy directory), restarts,
# and checks again with --full: the findings the advice named are gone, the verdict is dane.
# Run it under the lab lock: flock -o /tmp/mailtls-lab.lock tests/real/advise.sh build/mailtls
set -uo pipefail
BIN=$(readlink -f "${1:?usage: advise.sh MAILTLS}")
cd "$(dirname "$0")/../.."
export DOMLAB_NET=127.0.11 DOMLAB_KNOT_PORT=53611 DOMLAB_IPV6=0 DOMLAB_POLICY=1
LAB=${ADVISE_LAB:-/tmp/mailtls-advlab}
WEAK=127.0.11.22
DOMAIN=pol-weak.example
MXHOST=pweak.dane.lab.example
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
trap 'tests/lab/domain-lab.sh stop "$LAB" >/dev/null 2>&1 || :' EXIT
trap 'exit 130' INT TERM

t0=$(date +%s)
tests/lab/domain-lab.sh start "$LAB" || { echo "advise.sh: the lab did not start"; exit 1; }
. "$LAB/env"
PF=$LAB/pweak/etc
# a submission listener with mandatory TLS (where anonymous suites matter)
postconf -c "$PF" -M "$WEAK:submission/inet=$WEAK:submission inet n - n - - smtpd" &&
    postconf -c "$PF" -P "$WEAK:submission/inet/smtpd_tls_security_level=encrypt" \
        "$WEAK:submission/inet/syslog_name=postfix-pweak/submission" &&
    touch -d "@$(($(date +%s) - 10))" "$PF/main.cf" "$PF/master.cf" &&
    postfix -c "$PF" reload >/dev/null 2>&1 || { bad "cannot add the submission listener"; exit 1; }
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/$WEAK/587) 2>/dev/null && break; sleep 0.1; done

M=("$BIN" --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA")
mcheck() { "$BIN" check "$DOMAIN" --full --json --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA"; }
msub() { "$BIN" host "$WEAK:587" --full --json --name "$MXHOST" --ca-file "$CA"; }
ids() { jq -r '[(.findings // [])[].id, (.endpoints // [])[].findings[].id] | unique | .[]' "$1" | tr '\n' ' '; }

# ---- before ---------------------------------------------------------------------------------------
mcheck >"$LAB/before.json"
msub >"$LAB/before-587.json"
before=$(ids "$LAB/before.json")
for f in tls.v1_0 tls.v1_1 auth.before_tls dane.absent mta_sts.absent tlsrpt.absent downgrade.possible; do
    [[ " $before " == *" $f "* ]] && ok "before: $f" || bad "before: no $f ($before)"
done
[ "$(jq -r '.verdict.downgrade_protection' "$LAB/before.json")" = none ] && ok "before: verdict none" || bad "before: verdict"
[[ " $(ids "$LAB/before-587.json") " == *" cipher.anon "* ]] && ok "before: cipher.anon on submission" ||
    bad "before: no cipher.anon on submission"

# ---- advise ------------------------------------------------------------------------------------------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$LAB/next.key" 2>/dev/null
"$BIN" advise "$DOMAIN" --next-key "$LAB/next.key" --json --resolver "$RESOLVER" --trust-anchor "$ANCHORS" \
    --ca-file "$CA" >"$LAB/advice.json"
"$BIN" advise "$DOMAIN" --next-key "$LAB/next.key" --resolver "$RESOLVER" --trust-anchor "$ANCHORS" \
    --ca-file "$CA" >"$LAB/advice.txt"
A=$LAB/advice.json
[ "$(jq '.advice.tlsa | length' "$A")" = 3 ] && ok "advice: three TLSA records (key in use, next key, issuing CA)" || bad "advice: TLSA $(jq -c .advice.tlsa "$A")"
# the lab CA's key, which the server sends after its own certificate: its 2 1 1 record
ca_spki=$(openssl x509 -in "$CA" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
TA=$(jq -r '.advice.tlsa[] | select(.rdata | startswith("2 1 1 ")) | .zone_line' "$A")
[ "$TA" = "_25._tcp.$MXHOST. 3600 IN TLSA 2 1 1 $ca_spki" ] && ok "advice: 2 1 1 of the lab CA's key" || bad "advice: 2 1 1 '$TA' (CA $ca_spki)"
jq -r '.advice.tlsa[] | select(.rdata | startswith("2 1 1 ")) | .why' "$A" | grep -q "sends its certificate" &&
    ok "advice: says the server sends the CA certificate" || bad "advice: 2 1 1 why $(jq -c '.advice.tlsa' "$A")"
[ "$(jq -r '.advice.servers[0].software' "$A")" = postfix ] && ok "advice: Postfix recognised" || bad "advice: software $(jq -c .advice.servers "$A")"
jq -r '.advice.settings[] | select(.software=="postfix") | .line' "$A" | while read -r l; do
    grep -qF -- "$l" "$LAB/advice.txt" || echo "missing in text: $l"
done | grep -q . && bad "the text advice lacks a setting of the JSON one" || ok "text and JSON advice carry the same settings"
named=$(jq -r '[.advice.settings[].findings[]] | unique | .[]' "$A" | tr '\n' ' ')

# ---- apply: exactly what was printed ---------------------------------------------------------------
# Postfix main.cf lines (paths under /etc/postfix/ go to the lab instance's directory)
jq -r '.advice.settings[] | select(.software=="postfix" and .file=="main.cf") | "\(.prepare // "-")\u001f\(.line)"' "$A" |
while IFS=$'\x1f' read -r prep line; do
    [ "$prep" = - ] && prep=
    prep=${prep//\/etc\/postfix\//$PF/}
    line=${line//\/etc\/postfix\//$PF/}
    [ -n "$prep" ] && { bash -c "$prep" || echo "prepare failed: $prep" >&2; }
    postconf -c "$PF" -e "$line" || echo "postconf refused: $line" >&2
    echo "applied: $line"
done
touch -d "@$(($(date +%s) - 10))" "$PF/main.cf"
postfix -c "$PF" reload >/dev/null 2>&1 && ok "postfix reload" || bad "postfix reload"
# DNS: TLSA into the host zone, TXT records into the domain zone, and the address the advice says
# mta-sts.DOMAIN needs (the lab's nginx)
jq -r '.advice.tlsa[].zone_line' "$A" >>"$LAB/zones/dane.lab.example.zone"
{ jq -r '.advice.mta_sts.txt, .advice.tls_rpt.txt' "$A"; echo "mta-sts	A	$NGINX_ADDR"; } >>"$LAB/zones/$DOMAIN.zone"
mkdir -p "$LAB/policies/$DOMAIN"
jq -r '.advice.mta_sts.policy' "$A" >"$LAB/policies/$DOMAIN/mta-sts.txt"
KNOT_PORT=$KNOT_PORT ZONEDIR=$LAB/zones UNSIGNED_ZONES=unsigned.example BOGUS_ZONES=bogus.example \
    tests/lab/knot.sh start "$LAB/knot" >"$LAB/logs/knot-restart.log" 2>&1 && ok "Knot restarted with the records" ||
    { bad "Knot restart"; cat "$LAB/logs/knot-restart.log"; }
NGINX_ADDR=$NGINX_ADDR CADIR=$LAB/certs POLICYDIR=$LAB/policies tests/lab/nginx.sh start "$LAB" \
    >"$LAB/logs/nginx-restart.log" 2>&1 && ok "nginx restarted with the policy" || { bad "nginx restart"; cat "$LAB/logs/nginx-restart.log"; }

# ---- after -------------------------------------------------------------------------------------------
mcheck >"$LAB/after.json"
msub >"$LAB/after-587.json"
after=$(ids "$LAB/after.json")
for f in $named dane.absent dane.no_rollover mta_sts.absent tlsrpt.absent downgrade.possible; do
    [ "$f" = cipher.anon ] && continue	# advised for submission only: port 25 keeps them (see below)
    [[ " $after " == *" $f "* ]] && bad "after: $f still there" || ok "after: $f gone"
done
[[ " $(ids "$LAB/after-587.json") " == *" cipher.anon "* ]] && bad "after: cipher.anon still on submission" ||
    ok "after: cipher.anon gone from submission"
v=$(jq -r '.verdict.downgrade_protection' "$LAB/after.json")
c=$(jq -r '.verdict.active_attacker_can_read' "$LAB/after.json")
[ "$v" = dane ] && [ "$c" = false ] && ok "after: verdict dane, an attacker cannot read" || bad "after: verdict $v, can_read $c"
[ "$(jq -r '[.endpoints[].findings[].id] | index("dane.valid") != null' "$LAB/after.json")" = true ] &&
    ok "after: dane.valid" || bad "after: no dane.valid"
[ "$(jq -r '.mta_sts.policy.mode' "$LAB/after.json")" = testing ] && ok "after: MTA-STS policy fetched, testing" ||
    bad "after: MTA-STS $(jq -c .mta_sts "$LAB/after.json")"
[ "$(jq -r '.advice.tlsa | length' "$LAB/after.json")" = 0 ] && [ "$(jq -r '.advice.tls_rpt' "$LAB/after.json")" = null ] &&
    [ "$(jq -r '[.advice.settings[] | select(.findings | index("tls.v1_0") or index("auth.before_tls"))] | length' "$LAB/after.json")" = 0 ] &&
    ok "after: check --json advises no TLSA, TLS-RPT or protocol/AUTH settings any more" ||
    bad "after: advice $(jq -c '.advice | {tlsa, tls_rpt, settings}' "$LAB/after.json")"

# ---- the 2 1 1 record alone: DANE-TA matches the CA certificate the server sends -----------------
# Only the printed 2 1 1 line stays among the TLSA records of the MX host; check says DANE is valid.
grep -v "^_25._tcp.$MXHOST\. .* TLSA " "$LAB/zones/dane.lab.example.zone" >"$LAB/zone.tmp" &&
    { cat "$LAB/zone.tmp"; echo "$TA"; } >"$LAB/zones/dane.lab.example.zone"
KNOT_PORT=$KNOT_PORT ZONEDIR=$LAB/zones UNSIGNED_ZONES=unsigned.example BOGUS_ZONES=bogus.example \
    tests/lab/knot.sh start "$LAB/knot" >"$LAB/logs/knot-restart.log" 2>&1 || bad "Knot restart (2 1 1 only)"
"$BIN" check "$DOMAIN" --json --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" >"$LAB/ta.json"
[ "$(jq -r '[.mx[] | select(.host == "'"$MXHOST"'") | .dane.records[]] | join(",")' "$LAB/ta.json")" = "2 1 1 $ca_spki" ] &&
    ok "2 1 1 alone: the only TLSA record of $MXHOST" || bad "2 1 1 alone: records $(jq -c '.mx[].dane' "$LAB/ta.json")"
[ "$(jq -r '[.endpoints[] | select(.port == 25) | .dane.verified] | all' "$LAB/ta.json")" = true ] &&
    [ "$(jq -r '[.endpoints[].findings[].id] | index("dane.valid") != null' "$LAB/ta.json")" = true ] &&
    [ "$(jq -r '.verdict.downgrade_protection' "$LAB/ta.json")" = dane ] &&
    ok "2 1 1 alone: DANE valid for $MXHOST, verdict dane" ||
    bad "2 1 1 alone: $(jq -c '[.verdict.downgrade_protection, [.endpoints[] | .dane]]' "$LAB/ta.json")"

echo "advise: $pass passed, $fail failed ($(($(date +%s) - t0)) s)"
[ $fail = 0 ]
