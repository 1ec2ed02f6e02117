#!/bin/bash
# tests/real/check.sh MAILTLS — `mailtls check` against the domain lab (tests/lab/domain-lab.sh):
# Knot signing ~20 zones under example., Postfix instances on 127.0.1.x and [::1], nginx serving
# MTA-STS policies. Needs root. See docs/internals/domain-lab.md for the cases.
#
# Every domain is checked in one call (--json); each case asserts its domain's object with jq.
# Prints "ok NAME" / "FAIL NAME: why" and "N passed, M failed"; the lab is stopped on exit.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.." || exit 1
LAB=${LAB:-/tmp/mailtls-domlab}
pass=0; fail=0
OUT=$(mktemp -d /tmp/mailtls-check.XXXXXX)

cleanup() { tests/lab/domain-lab.sh stop "$LAB" >/dev/null 2>&1 || true; rm -rf "$OUT"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "check: needs root (Postfix on port 25, nginx on 443)"; echo "0 passed, 1 failed"; exit 1
fi
if ! tests/lab/domain-lab.sh start "$LAB"; then
	echo "FAIL lab: tests/lab/domain-lab.sh start failed"; echo "0 passed, 1 failed"; exit 1
fi
# shellcheck disable=SC1091
. "$LAB/env"
COMMON=(--resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" --timeout 20 --reply-timeout 10)
NXDOMAIN=nosuch.dane-ee.example   # inside a signed zone: a secure NXDOMAIN
LOOKUPFAIL=nosuch.example         # outside every zone Knot serves: REFUSED, SERVFAIL to us

for n in $INSTANCES; do tests/lab/postfix.sh resetlog "$n" "$LAB"; done

# One call for every domain; if it produces no usable JSON, one call per domain instead.
# shellcheck disable=SC2086
timeout 100 "$BIN" check $DOMAINS $NXDOMAIN $LOOKUPFAIL "${COMMON[@]}" --json >"$OUT/all.json" 2>"$OUT/all.err"
echo $? >"$OUT/all.rc"
if ! jq -e '.domains | length > 0' "$OUT/all.json" >/dev/null 2>&1; then
	echo "note: the combined call (exit $(cat "$OUT/all.rc")) gave no .domains; checking one domain at a time" >&2
	head -c 2000 "$OUT/all.err" >&2
	for d in $DOMAINS $NXDOMAIN $LOOKUPFAIL; do
		timeout 60 "$BIN" check "$d" "${COMMON[@]}" --json >"$OUT/one.$d.json" 2>>"$OUT/all.err"
		jq -c 'if has("domains") then .domains[] else . end' "$OUT/one.$d.json" 2>/dev/null
	done | jq -s '{schema: 1, command: "check", domains: .}' >"$OUT/all.json"
fi

# check NAME DOMAIN jq-expression...: every expression, applied to DOMAIN's object, must print true
check() {
	local name=$1 dom=$2 e why=""
	shift 2
	jq -e --arg d "$dom" '.domains[] | select(.domain == $d)' "$OUT/all.json" >"$OUT/$name.json" 2>/dev/null ||
		why="no object for $dom in the report"
	if [ -z "$why" ]; then
		for e in "$@"; do
			if [ "$(jq -r "$e" "$OUT/$name.json" 2>&1)" != "true" ]; then why="${why:+$why; }$e"; fi
		done
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1)); echo "ok $name"
	else
		fail=$((fail + 1)); echo "FAIL $name: $why"
		jq -c '{verdict, dnssec: .dnssec.status, findings: [.findings[].id],
			mx: [.mx[]? | {host, dane: .dane.status}],
			endpoints: [.endpoints[]? | {host, ip, starttls: .starttls.offered, dane, findings: [.findings[].id]}]}' \
			"$OUT/$name.json" 2>/dev/null | head -c 1500 && echo
	fi
}
# plain PASS/FAIL for checks outside the JSON of one domain
result() { # NAME OK(0/1) WHY
	if [ "$2" = 1 ]; then pass=$((pass + 1)); echo "ok $1"; else fail=$((fail + 1)); echo "FAIL $1: $3"; fi
}

has() { echo "([.findings[].id] | index(\"$1\") != null)"; }        # domain-level finding
ehas() { echo "([.endpoints[].findings[].id] | index(\"$1\") != null)"; } # some endpoint's finding
v() { echo ".verdict.downgrade_protection == \"$1\""; }
READ='.verdict.active_attacker_can_read == true'
NOREAD='.verdict.active_attacker_can_read == false'
RISK='.verdict.delivery_at_risk == true'
NORISK='.verdict.delivery_at_risk == false'

check dane-ee dane-ee.example "$(v dane)" "$NOREAD" "$NORISK" '.dnssec.status == "secure"' \
	'.mx[0].dane.status == "usable" and .mx[0].dane.dnssec == "secure"' \
	'.mx[0].dane.records[0] | startswith("3 1 1 ")' '.dane.status == "all"' \
	'.endpoints | length == 1' '.endpoints[0].dane.verified == true' "$(ehas dane.valid)" \
	'.tls_rpt.present and .tls_rpt.valid and .tls_rpt.rua == ["mailto:tlsrpt@dane-ee.example"]' \
	"$(has downgrade.possible) | not"
# issue 13: CAA for the MX name (RFC 8659): found at the host, and none (climbing to the TLD) elsewhere
check caa-found dane-ee.example '.mx[0].caa.outcome == "found"' '.mx[0].caa.issuers == ["ca.lab.example"]' \
	'.mx[0].caa.owner | startswith("ee.dane.lab.example")'
check caa-none unsigned.example '.mx[0].caa.outcome == "none"'
check dane-ta dane-ta.example "$(v dane)" "$NOREAD" "$NORISK" '.mx[0].dane.records[0] | startswith("2 0 1 ")' \
	'.endpoints[0].dane.verified == true' "$(ehas dane.valid)" '.endpoints[0].dane.matched | startswith("2 0 1 ")'
check mismatch mismatch.example "$(v dane)" "$NOREAD" "$RISK" '.verdict.weakest_mx == "wrong.dane.lab.example"' \
	'.endpoints[0].dane.verified == false' "$(ehas dane.mismatch)" "$(ehas dane.valid) | not"
check unsigned unsigned.example "$(v none)" "$READ" '.dnssec.status == "insecure"' \
	"$(has dnssec.insecure)" "$(has dane.insecure) | not" '.mx[0].dane.status == "absent"' \
	'.mx[0].dane.tlsa_name == null' '.mx[0].addresses_dnssec == "insecure"' \
	"$(ehas dane.valid) | not" '.endpoints | length == 1'
# issue 7.7: the policy host's first address ([::1], nothing on 443) fails, the second serves it
check sts-twoaddr sts-twoaddr.example "$(v mta-sts)" "$NOREAD" '.mta_sts.policy.fetched == true' \
	'.mta_sts.policy.addresses_tried == 2' "$(has mta_sts.policy_fetch_failed) | not"
check bogus bogus.example "$(v none)" "$READ" '.dnssec.status == "bogus"' "$(has dnssec.bogus)" \
	'.dnssec.why_bogus | type == "string" and length > 0' '.endpoints == []'
check pkix-only pkix-only.example "$(v none)" "$READ" "$(has dane.unusable)" '.mx[0].dane.status == "unusable"' \
	'.mx[0].dane.usable == 0' "$(ehas dane.valid) | not"
check notls notls.example "$(v dane)" "$NOREAD" "$RISK" '.endpoints[0].starttls.offered == false' \
	"$(ehas dane.starttls_missing)"
check nullmx nullmx.example "$(v none)" "$NOREAD" '.verdict.accepts_mail == false' '.null_mx == true' "$(has mx.null)" '.endpoints == []' \
	'.mx == []'
check nomx nomx.example "$(v none)" "$READ" '.implicit_mx == true' "$(has mx.implicit)" \
	'.mx[0].implicit == true and .mx[0].host == "nomx.example"' \
	'[.endpoints[] | select(.host == "nomx.example" and .ip == "'"$NET"'.2")] | length == 1'
check cname cname.example "$(has mx.cname)" '.mx[0].host == "alias.cname.example"' \
	'.mx[0].cname == "ee.dane.lab.example"' '.endpoints | length == 1'
check twomx twomx.example "$(v none)" "$READ" '.verdict.weakest_mx == "plain.dane.lab.example"' \
	'.dane.status == "partial"' '.mx | length == 2' '.endpoints | length == 2' \
	'[.endpoints[] | select(.host == "ee.dane.lab.example") | .dane.verified] == [true]' \
	'[.endpoints[] | select(.host == "plain.dane.lab.example") | .dane] == [null]'
if [ "$IPV6" = 1 ]; then
	check dualstack dualstack.example "$(v none)" "$READ" '.endpoints | length == 2' \
		'.mx[0].addresses | sort == ["'"$NET"'.2", "::1"]' \
		'[.endpoints[] | select(.starttls.offered == false) | .ip] == ["::1"]' \
		'[.endpoints[] | select(.ip == "::1") | .findings[].id] | index("starttls.not_offered") != null'
fi
check sts-enforce sts-enforce.example "$(v mta-sts)" "$NOREAD" "$NORISK" \
	'.mta_sts.record.present and .mta_sts.record.valid and .mta_sts.record.id == "20250101T000000"' \
	'.mta_sts.policy.fetched and .mta_sts.policy.valid and .mta_sts.policy.mode == "enforce"' \
	'.mta_sts.policy.http_status == 200 and .mta_sts.policy.max_age == 86400' \
	'.mx[0].mta_sts_pattern != null' "$(has mta_sts.absent) | not" "$(ehas mta_sts.cert_invalid) | not" \
	'.tls_rpt.valid == true'
# RFC 8461 §5.1: enforcing senders do not deliver to an MX outside the policy: deferred, not read
check sts-outside sts-outside.example "$(v mta-sts)" "$NOREAD" "$RISK" "$(has mta_sts.mx_mismatch)" \
	'.mta_sts.policy.mx == ["other.example.net"]' '.mx[0].mta_sts_pattern == null'
check sts-testing sts-testing.example "$(v mta-sts-testing)" "$READ" "$(has mta_sts.testing)" \
	'.mta_sts.policy.mode == "testing"' "$(has tlsrpt.invalid)" '.tls_rpt.present == true and .tls_rpt.valid == false'
check sts-malformed sts-malformed.example "$(v none)" "$READ" "$(has mta_sts.policy_invalid)" \
	'.mta_sts.policy.valid == false'
check sts-404 sts-404.example "$(v none)" "$READ" "$(has mta_sts.policy_fetch_failed)" \
	'.mta_sts.policy.http_status == 404'
check sts-redirect sts-redirect.example "$(v none)" "$READ" "$(has mta_sts.policy_fetch_failed)" \
	'.mta_sts.policy.http_status >= 300 and .mta_sts.policy.http_status < 400'
check sts-oversize sts-oversize.example "$(v none)" "$READ" "$(has mta_sts.policy_fetch_failed)"
check sts-badname sts-badname.example "$(v mta-sts)" "$NOREAD" "$RISK" "$(ehas mta_sts.cert_invalid)" \
	'.verdict.weakest_mx == "mx.sts-badname.example"'
check iplit iplit.example "$(has mx.ip_literal)" '.mx[0].ip_literal == true'
check nxdomain "$NXDOMAIN" "$(has dns.nxdomain)" '.endpoints == []'
check lookup-failed "$LOOKUPFAIL" "$(has dns.lookup_failed)" '.dnssec.status == "indeterminate"' '.endpoints == []'
check tlsrpt-absent mismatch.example "$(has tlsrpt.absent)" '.tls_rpt.present == false'

# A redirect is reported, never followed: nginx saw no request from the redirect's target path
# beyond the one for sts-enforce itself (the access log has no Host; count the policy GETs).
gets=$(grep -c 'GET /.well-known/mta-sts.txt' "$LAB/nginx/access.log" 2>/dev/null || echo 0)
sts_domains=$(echo "$DOMAINS" | tr ' ' '\n' | grep -c '^sts-')
result redirect-not-followed "$([ "$gets" = "$sts_domains" ] && echo 1 || echo 0)" \
	"$gets policy requests in nginx's access log for $sts_domains MTA-STS domains"

# No probe ever sends MAIL, RCPT, DATA, BDAT or AUTH: our transcripts, and the servers' own counts.
bad=$(jq -r '.domains[].endpoints[]? | .host as $h | .transcript[]? | select(test("^> *(MAIL|RCPT|DATA|BDAT|AUTH)\\b"; "i")) | "\($h): \(.)"' \
	"$OUT/all.json" | head -5)
result no-mail-commands-transcript "$([ -z "$bad" ] && echo 1 || echo 0)" "$bad"
bad=""; sconn=0
for n in $INSTANCES; do
	bad="$bad$(grep ': disconnect from ' "$LAB/$n/maillog" | grep -E ' (mail|rcpt|data|bdat|auth)=' | head -3)"
	sconn=$((sconn + $(tests/lab/postfix.sh conncount "$n" "$LAB")))
done
result no-mail-commands-server "$([ -z "$bad" ] && echo 1 || echo 0)" "$bad"
jconn=$(jq '[.domains[].connections] | add' "$OUT/all.json")
result connections-counted "$([ "$jconn" = "$sconn" ] && echo 1 || echo 0)" \
	"reports say $jconn connections, the Postfix logs saw $sconn"

# One domain: the object is at the top level; exit 0 (nothing at or above --fail-on high).
timeout 60 "$BIN" check dane-ee.example "${COMMON[@]}" --json >"$OUT/single.json" 2>"$OUT/single.err"
rc=$?
ok=$(jq -r --argjson rc "$rc" '(has("domains") | not) and .schema == 2 and .command == "check" and
	.domain == "dane-ee.example" and $rc == 0' "$OUT/single.json" 2>/dev/null)
result single-domain "$([ "$ok" = true ] && echo 1 || echo 0)" "exit $rc, $(head -c 300 "$OUT/single.json" "$OUT/single.err")"
# A high finding (downgrade.possible) makes the exit status 1.
timeout 60 "$BIN" check twomx.example "${COMMON[@]}" --json >/dev/null 2>&1
rc=$?
result exit-on-high "$([ "$rc" = 1 ] && echo 1 || echo 0)" "twomx.example: exit $rc, expected 1"

# Text mode with several domains: a table naming every domain and its verdict.
timeout 60 "$BIN" check dane-ee.example twomx.example nullmx.example sts-enforce.example "${COMMON[@]}" \
	--no-color >"$OUT/text.out" 2>"$OUT/text.err"
rc=$?
ok=1; why="exit $rc"
for w in dane-ee.example twomx.example nullmx.example sts-enforce.example dane none "no mail" mta-sts; do
	grep -qF -- "$w" "$OUT/text.out" || { ok=0; why="$why; no '$w' in the text output"; }
done
[ "$rc" -le 1 ] || ok=0
result text-table "$ok" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
