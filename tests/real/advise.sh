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
trap 'tests/lab/exim.sh stop exweak "$LAB" >/dev/null 2>&1; tests/lab/opensmtpd.sh stop osweak "$LAB" >/dev/null 2>&1
      tests/lab/domain-lab.sh stop "$LAB" >/dev/null 2>&1 || :' EXIT
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

# ---- Exim and OpenSMTPD: the same loop on weak instances of each -----------------------------------
# pol-exim.example (MX pexim.dane.lab.example, Exim 127.0.11.23) and pol-osmtpd.example (MX
# posmtpd.dane.lab.example, OpenSMTPD 127.0.11.24): start weak, advise (software recognised from
# the greeting or EHLO reply), apply the printed lines to the configuration (an option's old line
# replaced; OpenSMTPD's protocol floor in the OpenSSL configuration it reads), restart, check again.
EXADDR=$NET.23 OSADDR=$NET.24
for z in exim osmtpd; do
    sed "s/pol-plain/pol-$z/g; s/pbad\.sts\.lab\.example\./p$z.dane.lab.example./" "$LAB/zones/pol-plain.example.zone" \
        >"$LAB/zones/pol-$z.example.zone"
done
printf 'pexim\t\tA\t%s\nposmtpd\t\tA\t%s\n' "$EXADDR" "$OSADDR" >>"$LAB/zones/dane.lab.example.zone"
KNOT_PORT=$KNOT_PORT ZONEDIR=$LAB/zones UNSIGNED_ZONES=unsigned.example BOGUS_ZONES=bogus.example \
    tests/lab/knot.sh start "$LAB/knot" >"$LAB/logs/knot-restart.log" 2>&1 || bad "Knot restart (Exim, OpenSMTPD)"
dcheck() { "$BIN" check "$1" --full --json --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA"; }
dadvise() { "$BIN" advise "$1" --json --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA"; }
eids() { jq -r '[(.endpoints // [])[] | select(.port == 25) | .findings[].id] | unique | .[]' "$1" | tr '\n' ' '; }
# after: no finding a setting for SOFTWARE named is left on port 25
gone() { # SOFTWARE ADVICE.json AFTER.json
    local f after named
    after=$(eids "$3")
    named=$(jq -r --arg sw "$1" '[.advice.settings[] | select(.software == $sw) | .findings[]] | unique | .[]' "$2" | tr '\n' ' ')
    [ -n "$named" ] || { bad "$1: the advice names no finding"; return; }
    for f in $named; do
        [[ " $after " == *" $f "* ]] && bad "$1 after: $f still there" || ok "$1 after: $f gone"
    done
}

# Exim: TLS 1.0/1.1 and 3DES in its GnuTLS priority (anonymous suites make GnuTLS refuse all but
# TLS 1.3 here: Exim sets no anonymous credentials), AUTH before TLS
EX_MAIN='tls_require_ciphers = NORMAL:+VERS-TLS1.0:+VERS-TLS1.1:+3DES-CBC:+RSA'
EX_AUTH='begin authenticators
plain_server:
  driver = plaintext
  public_name = PLAIN
  server_condition = no
  server_prompts = :'
exim_start() { EXIM_EXTRA="$EX_MAIN
$EX_AUTH" tests/lab/exim.sh start exweak "$EXADDR" "$LAB" >"$LAB/logs/exim.log" 2>&1; }
exim_start && ok "Exim (weak) started" || bad "Exim start: $(tail -3 "$LAB/logs/exim.log")"
dcheck pol-exim.example >"$LAB/ex-before.json"
exb=$(eids "$LAB/ex-before.json")
for f in tls.v1_0 tls.v1_1 cipher.3des auth.before_tls; do
    [[ " $exb " == *" $f "* ]] && ok "Exim before: $f" || bad "Exim before: no $f ($exb)"
done
dadvise pol-exim.example >"$LAB/ex-advice.json"
[ "$(jq -r '.advice.servers[0].software' "$LAB/ex-advice.json")" = exim ] &&
    ok "advice: Exim recognised ($(jq -r '.advice.servers[0].recognised_by' "$LAB/ex-advice.json"))" ||
    bad "advice: Exim not recognised: $(jq -c .advice.servers "$LAB/ex-advice.json")"
while IFS= read -r line; do
    opt=${line%% =*}
    EX_MAIN=$(printf '%s\n' "$EX_MAIN" | grep -v "^$opt =")
    EX_MAIN=$(printf '%s\n%s' "$EX_MAIN" "$line")
    echo "applied (Exim): $line"
done < <(jq -r '.advice.settings[] | select(.software == "exim") | .line' "$LAB/ex-advice.json")
exim_start && ok "Exim restarted with the advice" || bad "Exim with the advice: $(tail -5 "$LAB/logs/exim.log")"
dcheck pol-exim.example >"$LAB/ex-after.json"
gone exim "$LAB/ex-advice.json" "$LAB/ex-after.json"
tests/lab/exim.sh stop exweak "$LAB" >/dev/null 2>&1

# OpenSMTPD: a cipher string with every suite, and an OpenSSL configuration that allows TLS 1.0
# (Debian's says TLS 1.2); OpenSMTPD offers AUTH only after STARTTLS anyway
printf '%s\n' 'openssl_conf = default_conf' '[default_conf]' 'ssl_conf = ssl_sect' '[ssl_sect]' \
    'system_default = system_default_sect' '[system_default_sect]' 'MinProtocol = TLSv1' \
    'CipherString = ALL:@SECLEVEL=0' >"$LAB/osmtpd-openssl.cnf"
OS_EXTRA='smtp ciphers "ALL:@SECLEVEL=0"'
# Debian 12's OpenSMTPD 6.8, whose protocol floor is the OpenSSL configuration's (7.x offers
# TLS 1.2 and 1.3 only, so it has no tls.v1_0 to advise on: tests/lab/opensmtpd.sh)
osmtpd_start() { OPENSMTPD_MAJOR=6 OPENSSL_CONF=$LAB/osmtpd-openssl.cnf SMTPD_EXTRA="$OS_EXTRA" \
    tests/lab/opensmtpd.sh start osweak "$OSADDR" "$LAB" >"$LAB/logs/osmtpd.log" 2>&1; }
osmtpd_start && ok "OpenSMTPD (weak) started" || bad "OpenSMTPD start: $(tail -3 "$LAB/logs/osmtpd.log")"
dcheck pol-osmtpd.example >"$LAB/os-before.json"
osb=$(eids "$LAB/os-before.json")
for f in tls.v1_0 cipher.anon; do
    [[ " $osb " == *" $f "* ]] && ok "OpenSMTPD before: $f" || bad "OpenSMTPD before: no $f ($osb)"
done
dadvise pol-osmtpd.example >"$LAB/os-advice.json"
[ "$(jq -r '.advice.servers[0].software' "$LAB/os-advice.json")" = opensmtpd ] &&
    ok "advice: OpenSMTPD recognised ($(jq -r '.advice.servers[0].recognised_by' "$LAB/os-advice.json"))" ||
    bad "advice: OpenSMTPD not recognised: $(jq -c .advice.servers "$LAB/os-advice.json")"
while IFS= read -r line; do
    case $line in
    "smtp ciphers "*)
        OS_EXTRA=$(printf '%s\n' "$OS_EXTRA" | grep -v '^smtp ciphers ')
        OS_EXTRA=$(printf '%s\n%s' "$OS_EXTRA" "$line") ;;
    *"MinProtocol = TLSv1.2"*openssl.cnf*)
        sed -i 's/^MinProtocol = .*/MinProtocol = TLSv1.2/' "$LAB/osmtpd-openssl.cnf" ;;
    *) bad "OpenSMTPD: a line this test cannot apply: $line"; continue ;;
    esac
    echo "applied (OpenSMTPD): $line"
done < <(jq -r '.advice.settings[] | select(.software == "opensmtpd") | .line' "$LAB/os-advice.json")
osmtpd_start && ok "OpenSMTPD restarted with the advice" || bad "OpenSMTPD with the advice: $(tail -5 "$LAB/logs/osmtpd.log")"
dcheck pol-osmtpd.example >"$LAB/os-after.json"
gone opensmtpd "$LAB/os-advice.json" "$LAB/os-after.json"
tests/lab/opensmtpd.sh stop osweak "$LAB" >/dev/null 2>&1

# ---- `mailtls policy` renderings for Exim and OpenSMTPD, checked by the real binaries --------------
PDOMS="pol-dane.example twomx.example pkix-only.example sts-enforce.example pol-sts-testing.example"
# shellcheck disable=SC2086
"$BIN" policy $PDOMS --dns-only --format exim --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" >"$LAB/policy-exim.txt"
# shellcheck disable=SC2086
"$BIN" policy $PDOMS --dns-only --format opensmtpd --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" >"$LAB/policy-osmtpd.txt"
for l in dane_only dane secure encrypt; do
    grep -q "^mailtls_${l}_smtp:" "$LAB/policy-exim.txt" || bad "policy --format exim: no $l transport"
done
mkdir -p "$LAB/expol/spool" "$LAB/expol/log"
{
    echo "primary_hostname = policy.lab.example"
    echo "spool_directory = $LAB/expol/spool"
    echo "log_file_path = $LAB/expol/log/%slog"
    awk '/^# Routers/ {exit} !/^#/' "$LAB/policy-exim.txt"
    echo "begin routers"
    awk '/^# Routers/ {on=1; next} /^# Transports/ {exit} on && !/^#/' "$LAB/policy-exim.txt"
    echo "begin transports"
    awk '/^# Transports/ {on=1; next} on && !/^#/' "$LAB/policy-exim.txt"
} >"$LAB/expol/exim.conf"
chown root:root "$LAB/expol/exim.conf"
chmod 0644 "$LAB/expol/exim.conf"
EXIM_BIN=$(ls -d "$LAB"/.pkg/exim4-*/usr/sbin/exim4 | head -1)
"$EXIM_BIN" -C "$LAB/expol/exim.conf" -bV >"$LAB/expol/bV.out" 2>&1 &&
    ok "exim -bV accepts mailtls policy --format exim" || bad "exim -bV: $(grep -i error -A2 "$LAB/expol/bV.out" | head -3)"
for l in dane_only dane secure encrypt; do
    "$EXIM_BIN" -C "$LAB/expol/exim.conf" -bP transport "mailtls_${l}_smtp" >/dev/null 2>&1 ||
        bad "exim -bP transport mailtls_${l}_smtp"
done
{ cat "$LAB/policy-osmtpd.txt"; echo "match from any for any reject"; } >"$LAB/expol/smtpd.conf"
# both OpenSMTPD versions of the lab: Debian 12's 6.8 (started above) and 7.x (unpacked here)
OS7_DEB=$(ls "${LAB_DEBCACHE:-/var/cache/mailtls-lab}"/opensmtpd_[7-9]*.deb 2>/dev/null | sort -V | tail -n 1)
if [ -n "$OS7_DEB" ]; then
    rm -rf "$LAB/os7" && mkdir -p "$LAB/os7" && dpkg-deb -x "$OS7_DEB" "$LAB/os7"
else
    bad "no OpenSMTPD 7 .deb (make deps)"
fi
OS6_BIN=$(ls -d "$LAB"/.pkg/opensmtpd_6*/usr/sbin/smtpd 2>/dev/null | head -1)
[ -x "$OS6_BIN" ] || bad "no unpacked OpenSMTPD 6 under $LAB/.pkg"
[ -x "$LAB/os7/usr/sbin/smtpd" ] || bad "no unpacked OpenSMTPD 7 in $LAB/os7"
for OS_BIN in "$OS6_BIN" "$LAB/os7/usr/sbin/smtpd"; do
    [ -x "$OS_BIN" ] || continue
    v=$(basename "$(dirname "$(dirname "$(dirname "$OS_BIN")")")")
    "$OS_BIN" -n -f "$LAB/expol/smtpd.conf" >"$LAB/expol/n.out" 2>&1 && grep -q "configuration OK" "$LAB/expol/n.out" &&
        grep -q 'relay tls no-verify' "$LAB/expol/smtpd.conf" && grep -q 'relay tls$' "$LAB/expol/smtpd.conf" &&
        ok "smtpd -n accepts mailtls policy --format opensmtpd ($v)" || bad "smtpd -n ($v): $(cat "$LAB/expol/n.out")"
done
# the 7.x protocol advice (lib/advice/advice.c OS_PROTO) as a listen line of 7.x
if [ -x "$LAB/os7/usr/sbin/smtpd" ]; then
    proto=$(jq -r '[.advice.settings[] | select(.software == "opensmtpd") | .line | select(test("protocols"))][0] // ""' \
        "$LAB/os-advice.json" | sed -n 's/.*7\.x: \(protocols "[^"]*"\) on the listen on line.*/\1/p')
    { echo "pki h cert \"$LAB/osweak/tls/cert.pem\""; echo "pki h key \"$LAB/osweak/tls/key.pem\""
      echo "listen on 127.0.0.1 port 2525 tls pki h $proto"; echo "match from any for any reject"; } >"$LAB/expol/proto.conf"
    [ -n "$proto" ] && "$LAB/os7/usr/sbin/smtpd" -n -f "$LAB/expol/proto.conf" 2>&1 | grep -q "configuration OK" &&
        ok "OpenSMTPD 7 smtpd -n accepts the advice's $proto" ||
        bad "OpenSMTPD 7: the advice's protocols option ('$proto') not accepted by smtpd -n"
fi

echo "advise: $pass passed, $fail failed ($(($(date +%s) - t0)) s)"
[ $fail = 0 ]
