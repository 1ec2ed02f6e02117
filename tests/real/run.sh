#!/bin/bash
# tests/real/run.sh MAILTLS — mailtls host against real Postfix instances from Debian's package,
# each on its own loopback address, with the lab CA from tests/lab/ca.sh.  Needs root.
#
# Every case asserts the JSON report with jq; the instances are stopped on exit.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.."
LAB=${LAB:-/tmp/mailtls-real}
PF=tests/lab/postfix.sh
pass=0; fail=0

cleanup() { $PF stopall "$LAB" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "real: needs root (Postfix instances); 0 passed, 1 failed"
	exit 1
fi
command -v postfix >/dev/null || { echo "real: postfix missing (make deps)"; exit 1; }

tests/lab/ca.sh "$LAB/certs" || { echo "real: cannot make the lab CA"; exit 1; }
CA="$LAB/certs/ca.pem"

# name address variant
INSTANCES="
valid      127.0.0.2  valid
selfsig    127.0.0.3  selfsigned
expired    127.0.0.4  expired
wrongname  127.0.0.5  wrongname
notls      127.0.0.6  notls
authplain  127.0.0.7  authplain
tls12      127.0.0.8  tls12
smtps      127.0.0.9  smtps
weakkey    127.0.0.12 weakkey
ipv6       ::1        valid
"
echo "$INSTANCES" | while read -r n a v; do
	[ -n "$n" ] || continue
	$PF start "$n" "$a" "$v" "$LAB" </dev/null || echo "real: cannot start $n ($v) on $a" >&2
done

OUT=$(mktemp -d)
# check NAME "mailtls args" jq-expression...   every expression must print true
check() {
	local name=$1 args=$2 rc ok=1 e
	shift 2
	# shellcheck disable=SC2086
	timeout 120 "$BIN" host $args --json --ca-file "$CA" --timeout 30 >"$OUT/$name.json" 2>"$OUT/$name.err"
	rc=$?
	echo "$rc" >"$OUT/$name.rc"
	for e in "$@"; do
		if [ "$(jq -r --argjson rc "$rc" "$e" "$OUT/$name.json" 2>/dev/null)" != "true" ]; then
			echo "FAIL $name: $e (exit $rc)"
			ok=0
		fi
	done
	if [ $ok = 1 ]; then
		pass=$((pass + 1)); echo "ok   $name"
	else
		fail=$((fail + 1)); jq -c '.endpoints[0] | {tls, findings: [.findings[].id], transcript}' "$OUT/$name.json" 2>/dev/null | head -c 2000; echo
		cat "$OUT/$name.err"
	fi
}
ids='[.endpoints[0].findings[].id]'

check valid "127.0.0.2 --name mx.lab.example" \
	'.schema == 2' \
	'.endpoints[0].host == "127.0.0.2" and .endpoints[0].ip == "127.0.0.2" and .endpoints[0].port == 25' \
	'.endpoints[0].proto == "smtp" and .endpoints[0].starttls.offered == true' \
	'.endpoints[0].tls.version == "TLSv1.3"' \
	'.endpoints[0].tls.cipher | startswith("TLS_")' \
	'.endpoints[0].tls.group != null' \
	'.endpoints[0].certificate.chain_valid == true and .endpoints[0].certificate.name_match == true' \
	'.endpoints[0].certificate.expired == false and .endpoints[0].certificate.self_signed == false' \
	'.endpoints[0].certificate.subject | contains("mx.lab.example")' \
	'(.endpoints[0].certificate.sha256 | length) == 64 and (.endpoints[0].certificate.spki_sha256 | length) == 64' \
	"$ids | map(select(startswith(\"cert.\") or startswith(\"starttls.\") or . == \"auth.before_tls\")) == []" \
	'.endpoints[0].capabilities.tls != null' \
	'$rc == 0'

# the SPKI digest must be what a TLSA 3 1 1 record would carry
want=$(openssl x509 -in "$LAB/certs/valid.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
check valid_spki "127.0.0.2 --name mx.lab.example" ".endpoints[0].certificate.spki_sha256 == \"$want\""

check selfsigned "127.0.0.3 --name mx.lab.example" \
	"$ids | index(\"cert.self_signed\") != null" \
	"$ids | index(\"cert.untrusted\") != null" \
	'.endpoints[0].certificate.self_signed == true and .endpoints[0].certificate.chain_valid == false' \
	'.endpoints[0].certificate.name_match == true'

check expired "127.0.0.4 --name mx.lab.example" \
	"$ids | index(\"cert.expired\") != null" \
	'.endpoints[0].certificate.expired == true and .endpoints[0].certificate.days_left < 0' \
	'$rc == 1'

check wrongname "127.0.0.5 --name mx.lab.example" \
	"$ids | index(\"cert.name_mismatch\") != null" \
	'.endpoints[0].certificate.name_match == false and .endpoints[0].certificate.chain_valid == true'

check notls "127.0.0.6 --name mx.lab.example" \
	"$ids | index(\"starttls.not_offered\") != null" \
	'.endpoints[0].starttls.offered == false and .endpoints[0].tls == null' \
	'$rc == 1'

check authplain "127.0.0.7 --name mx.lab.example" \
	"$ids | index(\"auth.before_tls\") != null" \
	'.endpoints[0].capabilities.plain.auth | length > 0' \
	'.endpoints[0].tls.version != null'

check tls12 "127.0.0.8 --name mx.lab.example" \
	'.endpoints[0].tls.version == "TLSv1.2"' \
	'.endpoints[0].tls.cipher | test("GCM|CHACHA20")'

check smtps "127.0.0.9:465 --proto smtps --name mx.lab.example" \
	'.endpoints[0].proto == "smtps" and .endpoints[0].port == 465' \
	'.endpoints[0].starttls.implicit == true' \
	'.endpoints[0].tls.version != null and .endpoints[0].certificate.chain_valid == true' \
	'.endpoints[0].banner != null' \
	'$rc == 0'

check weakkey "127.0.0.12 --name mx.lab.example" \
	"$ids | index(\"cert.weak_key\") != null" \
	'.endpoints[0].certificate.key_type == "RSA" and .endpoints[0].certificate.key_bits == 1024'

check ipv6 "[::1]:25 --name mx.lab.example" \
	'.endpoints[0].ip == "::1" and .endpoints[0].port == 25' \
	'.endpoints[0].tls.version != null and .endpoints[0].certificate.chain_valid == true' \
	'.endpoints[0].certificate.name_match == true'

check refused "127.0.0.13 --name mx.lab.example --connect-timeout 3" \
	"$ids | index(\"conn.failed\") != null" \
	'$rc == 3'

# Politeness: one connection per probe, and never MAIL/RCPT/DATA/AUTH in the transcript.
before=$($PF conncount valid "$LAB")
"$BIN" host 127.0.0.2 --name mx.lab.example --ca-file "$CA" --json >"$OUT/polite.json"
after=$($PF conncount valid "$LAB")
if [ $((after - before)) -eq 1 ] && ! jq -r '.endpoints[0].transcript[]' "$OUT/polite.json" | grep -qE '^> (MAIL|RCPT|DATA|AUTH)'; then
	pass=$((pass + 1)); echo "ok   polite (1 connection, no MAIL/RCPT/DATA/AUTH)"
else
	fail=$((fail + 1)); echo "FAIL polite: $((after - before)) connections"
fi

# The text report names the findings and their remedies.
if "$BIN" host 127.0.0.6 --name mx.lab.example --no-color >"$OUT/text.txt"; [ $? -eq 1 ] &&
    grep -q 'starttls.not_offered' "$OUT/text.txt" && grep -q 'fix:' "$OUT/text.txt" &&
    ! grep -q $'\033' "$OUT/text.txt"; then
	pass=$((pass + 1)); echo "ok   text report"
else
	fail=$((fail + 1)); echo "FAIL text report"; cat "$OUT/text.txt"
fi

rm -rf "$OUT"
echo "real: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
