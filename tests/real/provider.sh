#!/usr/bin/env bash
# tests/real/provider.sh MAILTLS -- every protocol on the engine against real servers from
# Debian's packages (tests/lab/provider-lab.sh: Dovecot, Prosody, ejabberd, Postfix submission,
# nginx, Knot), then `mailtls provider` on the lab providers, the HTML page in headless Chromium
# (inside `unshare --net`), ejabberd's --full results, and --full suite lists against testssl.sh
# (IMAP, POP3, submission, XMPP c2s on Prosody and ejabberd) and sslscan (XMPP s2s on both).
#
# Environment: PROVIDER_KEEP=1 keeps the lab running and the work directory;
# PROVIDER_TESTSSL=0 skips the testssl.sh and sslscan comparisons; PROVIDER_CHROMIUM=0 skips Chromium.
# Output: ok/FAIL/skip lines, then "N passed, M failed".
set -u
[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/mailtls"; exit 2; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.." || exit 2
BASE=/tmp/mailtls-provider
WORK=$(mktemp -d /tmp/mailtls-provider-work.XXXXXX)
: >"$WORK/res"
ok() { echo "ok   $*"; echo ok >>"$WORK/res"; }
bad() { echo "FAIL $*"; echo FAIL >>"$WORK/res"; }
note() { echo "skip $*"; }
cleanup() {
	[ "${PROVIDER_KEEP:-0}" = 1 ] || tests/lab/provider-lab.sh stop "$BASE" >/dev/null 2>&1
	if [ "${PROVIDER_KEEP:-0}" = 1 ] || grep -q FAIL "$WORK/res"; then echo "(work directory kept: $WORK)" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "provider: needs root"; echo "0 passed, 1 failed"; exit 1; }
for c in dovecot prosody ejabberdctl nginx knotd postfix jq openssl; do
	command -v $c >/dev/null || { echo "provider: $c missing (make deps)"; echo "0 passed, 1 failed"; exit 1; }
done
out=$(tests/lab/provider-lab.sh start "$BASE" 2>&1) || { echo "$out" | tail -20; echo "provider: lab did not start"; echo "0 passed, 1 failed"; exit 1; }
RESOLVER=$(echo "$out" | awk '/^resolver/ { print $2 }')
CA=$BASE/certs/ca.pem
TA=$BASE/knot/anchors.txt

# ---- host --proto against each real server ---------------------------------------------------
host() { # LABEL ADDR PROTO NAME -> WORK/LABEL.json
	timeout 120 "$BIN" host "$2" --proto "$3" --name "$4" --ca-file "$CA" --json --timeout 30 \
		>"$WORK/$1.json" 2>"$WORK/$1.err"
	jq -e .endpoints "$WORK/$1.json" >/dev/null 2>&1 || bad "$1: no JSON: $(head -c 200 "$WORK/$1.err")"
}
is() { # LABEL JQ (on .endpoints[0])
	if [ "$(jq -r ".endpoints[0] | ($2)" "$WORK/$1.json" 2>/dev/null)" = true ]; then ok "$1: $2"
	else bad "$1: $2 -> $(jq -c '.endpoints[0] | {f: [.findings[].id], p: .protocol, tls: .tls.version}' "$WORK/$1.json" 2>/dev/null | cut -c1-400)"; fi
}
P=lab-provider.example
host dv-imap 127.0.14.2 imap mail.$P
is dv-imap '.protocol.login_disabled == true and .protocol.credentials_before_tls == false and .protocol.tls_mandatory.value == "yes"'
is dv-imap '.certificate.name_match == true and .certificate.chain_valid == true and (.protocol.capabilities_tls | test("AUTH=PLAIN"))'
host dv-imaps 127.0.14.2 imaps mail.$P
is dv-imaps '.starttls.implicit == true and .tls.version == "TLSv1.3" and .protocol.tls_mandatory.value == "yes"'
host dv-pop3 127.0.14.2 pop3 mail.$P
is dv-pop3 '.protocol.upgrade_offered == true and .protocol.credentials_before_tls == false and ([.findings[].id] | index("pop3.user_before_tls") == null)'
host dv-pop3s 127.0.14.2 pop3s mail.$P
is dv-pop3s '.tls.version != null and (.protocol.capabilities_tls | test("USER"))'
host dvlax-imap 127.0.14.3 imap mail.lab-lax.example
is dvlax-imap '[.findings[].id] | index("imap.login_before_tls") != null'
is dvlax-imap '.protocol.tls_mandatory.value == "optional"'
host dvlax-pop3 127.0.14.3 pop3 mail.lab-lax.example
is dvlax-pop3 '([.findings[].id] | index("pop3.user_before_tls") != null) and .protocol.tls_mandatory.value == "optional"'
host pr-c2s 127.0.14.4 xmpp $P
is pr-c2s '.protocol.tls_required == true and .protocol.tls_mandatory.value == "yes" and .certificate.name_match == true'
is pr-c2s '(.protocol.capabilities_tls | test("PLAIN")) and ([.findings[].id] | index("xmpp.tls_optional") == null)'
host pr-s2s 127.0.14.4 xmpp-server $P
is pr-s2s '.protocol.tls_required == true and .protocol.dialback == true and .tls.version != null'
host pr-xmpps 127.0.14.4 xmpps $P
is pr-xmpps '.starttls.implicit == true and .tls.version != null and .protocol.capabilities_tls != null'
host pr-xmpps-s2s 127.0.14.4 xmpps-server $P
is pr-xmpps-s2s '.tls.version != null'
host propt-c2s 127.0.14.5 xmpp $P
is propt-c2s '([.findings[].id] | index("xmpp.tls_optional") != null) and ([.findings[].id] | index("xmpp.sasl_before_tls") != null)'
is propt-c2s '.protocol.tls_mandatory.value == "optional"'
host pr-unknown 127.0.14.4 xmpp other.example
is pr-unknown '[.findings[].id] | index("xmpp.host_unknown") != null'
# ejabberd, the second XMPP implementation (tests/lab/ejabberd.sh; one Erlang node, started with
# the lab): <required/> on 127.0.14.6, STARTTLS optional on 127.0.14.7, s2s required, direct TLS
host ej-c2s 127.0.14.6 xmpp $P
is ej-c2s '.protocol.tls_required == true and .protocol.tls_mandatory.value == "yes" and .protocol.capabilities_plain == "starttls(required)"'
is ej-c2s '.certificate.name_match == true and .certificate.chain_valid == true and (.protocol.capabilities_tls | test("PLAIN")) and ([.findings[].id] | index("xmpp.tls_optional") == null and index("xmpp.sasl_before_tls") == null)'
host ejopt-c2s 127.0.14.7 xmpp $P
is ejopt-c2s '[.findings[].id] | index("xmpp.tls_optional") != null and index("xmpp.sasl_before_tls") != null'
is ejopt-c2s '.protocol.tls_mandatory.value == "optional" and .protocol.credentials_before_tls == true and (.protocol.capabilities_plain | test("PLAIN"))'
host ej-s2s 127.0.14.6 xmpp-server $P
is ej-s2s '.protocol.tls_required == true and .protocol.tls_mandatory.value == "yes" and .tls.version == "TLSv1.3" and .certificate.name_match == true'
host ej-xmpps 127.0.14.6:5223 xmpps $P
is ej-xmpps '.starttls.implicit == true and .tls.version == "TLSv1.3" and (.protocol.capabilities_tls | test("SCRAM"))'
host ej-unknown 127.0.14.6 xmpp other.example
is ej-unknown '[.findings[].id] == ["xmpp.host_unknown"]'
# RFC 6120 §13.7.2.1: the reference identifier is the XMPP domain. ejabberd picks this host's
# certificate by its CN (lab-srvname.example); its only DNS-ID is the SRV target, so the CN does
# not count (RFC 6125 §6.4.4) and the name does not match
host ej-srvname 127.0.14.6 xmpp lab-srvname.example
is ej-srvname '.certificate.name_match == false and .certificate.san == ["xmpp.lab-srvname.example"] and .certificate.chain_valid == true and ([.findings[].id] | index("cert.name_mismatch") != null)'
host pf-sub 127.0.14.8 submission smtp.$P
is pf-sub '.protocol.credentials_before_tls == false and .capabilities.tls.auth != null and .protocol.tls_mandatory.value == "yes"'
host pf-subs 127.0.14.8:465 submissions smtp.$P
is pf-subs '.starttls.implicit == true and .tls.version != null'
host pflax-sub 127.0.14.9 submission smtp.lab-lax.example
is pflax-sub '([.findings[].id] | index("submission.auth_before_tls") != null) and .protocol.tls_mandatory.value == "optional"'
host web-good 127.0.14.10 https $P
is web-good '.web.https.hsts_parsed.max_age == 31536000 and .web.http.redirects_to_https == true and ([.findings[].id] | index("https.no_hsts") == null)'
host web-lax 127.0.14.11 https lab-lax.example
is web-lax '([.findings[].id] | index("https.no_hsts") != null) and ([.findings[].id] | index("https.no_redirect") != null)'

# ---- mailtls provider ----------------------------------------------------------------------------
prov() { # DOMAIN ARGS...
	local d=$1
	shift
	timeout 300 "$BIN" provider "$d" --resolver "$RESOLVER" --trust-anchor "$TA" --ca-file "$CA" \
		--timeout 30 "$@"
}
prov $P --json >"$WORK/prov.json" 2>"$WORK/prov.err"
pis() { # JQ on .providers[0]
	if [ "$(jq -r ".providers[0] | ($1)" "$WORK/prov.json" 2>/dev/null)" = true ]; then ok "provider $P: $1"
	else bad "provider $P: $1 -> $(jq -c '.providers[0].services[] | [.service, .host, .port, .tls_mandatory.value, .dane, .certificate]' "$WORK/prov.json" 2>/dev/null | tr '\n' ' ' | cut -c1-600)"; fi
}
svc() { echo "(.services[] | select(.service == \"$1\"))"; }
pis '.mx_dnssec == "secure" and .autoconfig.fetched == true'
pis "[.services[].service] | (index(\"MX\") != null and index(\"IMAPS\") != null and index(\"POP3S\") != null and index(\"submission\") != null and index(\"submissions\") != null and index(\"XMPP c2s\") != null and index(\"XMPP s2s\") != null and index(\"XMPP c2s TLS\") != null and index(\"XMPP s2s TLS\") != null and index(\"HTTPS\") != null)"
pis "$(svc IMAPS) | .dane == \"yes\" and .tls_mandatory.value == \"yes\" and .dnssec.name == \"secure\""
pis "$(svc MX) | .dane == \"yes\""
pis "$(svc 'XMPP c2s') | .dane == \"yes\" and .tls_mandatory.value == \"yes\""
pis "$(svc 'XMPP s2s') | .dane == \"broken\""
pis "$(svc IMAP) | .dane == \"n/a\" or .dane == \"no\""
pis '[.services[] | select(.guessed)] | length == 0'
pis '[.findings[].id] | index("autoconfig.starttls_advised") == null'
L=lab-lax.example
prov $L --json >"$WORK/lax.json" 2>"$WORK/lax.err"
lis() {
	if [ "$(jq -r ".providers[0] | ($1)" "$WORK/lax.json" 2>/dev/null)" = true ]; then ok "provider $L: $1"
	else bad "provider $L: $1 -> $(jq -c '[.providers[0].services[] | [.service, .host, .port, .source, .tls_mandatory.value]], [.providers[0].findings[].id]' "$WORK/lax.json" 2>/dev/null | tr '\n' ' ' | cut -c1-600)"; fi
}
lis '.mx_dnssec == "insecure"'
lis '[.findings[].id] | (index("autoconfig.starttls_advised") != null and index("autoconfig.plaintext_advised") != null)'
lis "$(svc IMAP) | .tls_mandatory.value == \"optional\" and (.source | test(\"SRV\"))"
lis "[.services[] | select(.source == \"autoconfig\")] | length >= 1"
lis "$(svc 'XMPP c2s') | .tls_mandatory.value == \"optional\""
lis "[.services[].dane] | all(. == \"n/a\")"
# the SRV targets' certificate (ejabberd) names xmpp.lab-srvname.example only: every XMPP service
# of lab-srvname.example is invalid by name, and the finding says the SRV target was named
S=lab-srvname.example
prov $S --json >"$WORK/srv.json" 2>"$WORK/srv.err"
sis() {
	if [ "$(jq -r ".providers[0] | ($1)" "$WORK/srv.json" 2>/dev/null)" = true ]; then ok "provider $S: $1"
	else bad "provider $S: $1 -> $(jq -c '[.providers[0].services[] | [.service, .host, .port, .certificate, .tls_mandatory.value, .dane]]' "$WORK/srv.json" 2>/dev/null | cut -c1-600)"; fi
}
sis '[.services[].service] | sort == ["XMPP c2s", "XMPP c2s TLS", "XMPP s2s"]'
sis '[.services[] | .certificate == "invalid: name" and .host == "xmpp.lab-srvname.example" and .tls_mandatory.value == "yes" and .dane == "no"] | all'
sis '[.services[].endpoints[].findings[] | select(.id == "cert.name_mismatch") | .detail | test("SRV target")] | length == 3 and all'
prov $P --no-color >"$WORK/prov.txt" 2>/dev/null
if grep -q '^service' "$WORK/prov.txt" && grep -q 'DNSSEC and DANE' "$WORK/prov.txt"; then ok "provider text: both tables"; else bad "provider text: $(head -5 "$WORK/prov.txt")"; fi
prov $P --markdown >"$WORK/prov.md" 2>/dev/null
if grep -q '^| service ' "$WORK/prov.md" && grep -q '^### DNSSEC and DANE' "$WORK/prov.md"; then ok "provider markdown: both tables"; else bad "provider markdown"; fi
prov $P $L --html >"$WORK/prov.html" 2>/dev/null
if grep -qi '<link\|<script\|src=' "$WORK/prov.html"; then bad "provider html: not self-contained"; else ok "provider html: no external resource, no script"; fi

# ---- the page in headless Chromium, without a network ------------------------------------------
if [ "${PROVIDER_CHROMIUM:-1}" = 1 ] && command -v chromium >/dev/null && command -v unshare >/dev/null; then
	CHR=(unshare --net env HOME=/nonexistent chromium --headless --no-sandbox --disable-gpu
		--user-data-dir="$WORK/prof" --disable-sync --disable-features=NetworkTimeServiceQuerying
		--component-updater=url-source=http://127.0.3.50:9/ --host-resolver-rules="MAP * ~NOTFOUND")
	timeout 60 "${CHR[@]}" --screenshot="$WORK/prov.png" --window-size=1400,1000 "file://$WORK/prov.html" >/dev/null 2>&1
	if [ -s "$WORK/prov.png" ] && [ "$(head -c 8 "$WORK/prov.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
		ok "chromium: screenshot $(stat -c %s "$WORK/prov.png") bytes"
		# the page is not blank: many distinct colours in the image (Python, no extra module)
		cols=$(/usr/bin/python3 - "$WORK/prov.png" <<'PY'
import sys, zlib, struct
d = open(sys.argv[1], 'rb').read()
i, idat, w, h = 8, b'', 0, 0
while i < len(d):
    n, t = struct.unpack('>I4s', d[i:i+8]); c = d[i+8:i+8+n]; i += 12 + n
    if t == b'IHDR': w, h, bd, ct = struct.unpack('>IIBB', c[:10])
    if t == b'IDAT': idat += c
raw = zlib.decompress(idat); bpp = 4 if ct == 6 else 3; stride = w * bpp + 1
print(len({raw[y*stride+1+x*bpp:y*stride+1+x*bpp+3] for y in range(0, h, 7) for x in range(0, w, 7)}))
PY
)
		if [ "${cols:-0}" -gt 8 ]; then ok "chromium: the screenshot shows content ($cols colours sampled)"; else bad "chromium: blank screenshot ($cols colours)"; fi
	else
		bad "chromium: no screenshot"
	fi
	timeout 60 "${CHR[@]}" --dump-dom "file://$WORK/prov.html" >"$WORK/dom.html" 2>/dev/null
	nrows=$(grep -o '<tr data-service=' "$WORK/dom.html" | wc -l)
	nsvc=$(( $(jq '.providers[0].services | length' "$WORK/prov.json") + $(jq '.providers[0].services | length' "$WORK/lax.json") ))
	if [ "$nrows" -eq $((2 * nsvc)) ]; then ok "chromium DOM: $nrows service rows (two tables, two providers)"; else bad "chromium DOM: $nrows rows, want $((2 * nsvc))"; fi
	if grep -q 'data-domain="lab-provider.example"' "$WORK/dom.html" && grep -q 'id="dnssec"' "$WORK/dom.html" &&
	    grep -q 'data-col="mandatory" class="good">yes' "$WORK/dom.html" && grep -q 'data-col="dane" class="bad">broken' "$WORK/dom.html"; then
		ok "chromium DOM: providers, the DNSSEC table, judged cells"
	else
		bad "chromium DOM: expected sections or cells missing"
	fi
else
	note "chromium: not run"
fi

# ---- ejabberd --full: versions, suites, order, and the connections the server saw ------------
ejlog=$BASE/ejab/log/ejabberd.log
ejconns() { # connections ejabberd accepted on 127.0.14.6:5222, once its log is stable
	local n prev=-1
	for _ in $(seq 20); do
		n=$(grep -c 'Accepted connection .* -> 127\.0\.14\.6:5222$' "$ejlog" 2>/dev/null)
		[ "$n" = "$prev" ] && break
		prev=$n; sleep 0.3
	done
	echo "${n:-0}"
}
n0=$(ejconns)
timeout 300 "$BIN" host 127.0.14.6 --proto xmpp --name $P --ca-file "$CA" --full --json --timeout 30 \
	>"$WORK/ej-full.json" 2>"$WORK/ej-full.err"
n1=$(ejconns)
is ej-full '(.tls.ciphers | keys) == ["TLSv1.2", "TLSv1.3"] and .tls.enumeration.complete == true and .tls.server_order["TLSv1.2"] == true'
is ej-full '(.tls.ciphers["TLSv1.2"] | index("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384") == 0) and (.tls.ciphers["TLSv1.2"] | map(test("_RSA_|_DHE_|NULL|anon")) | any | not)'
is ej-full '(.grade.letter | startswith("A")) and ([.findings[].id] | map(startswith("tls.v1_0") or startswith("cipher.")) | any | not)'
is ej-full ".connections == $((n1 - n0))"

# ---- --full suite lists against testssl.sh and sslscan --------------------------------------
# Per version, the suites mailtls --full lists must be the ones the other tool finds accepted
# (docs/internals/provider.md, "Suite lists"): testssl.sh -E for the STARTTLS protocols it knows
# (imap, pop3, smtp on 587, xmpp with --xmpphost), sslscan --starttls-xmpp --xmpp-server for s2s,
# which testssl.sh 3.0.8 cannot do.  The tools run in the background, two at a time, while
# mailtls enumerates; about 50 s in all.
if [ "${PROVIDER_TESTSSL:-1}" = 1 ] && command -v testssl >/dev/null && command -v sslscan >/dev/null; then
	tool_testssl() { # LABEL ADDR:PORT STARTTLS [XMPPHOST] -> WORK/LABEL.tool.json {version: [IANA]}
		local t="$WORK/$1.testssl.json"
		timeout 600 testssl --quiet --warnings off --color 0 -E --jsonfile "$t" -t "$3" \
			${4:+--xmpphost "$4"} "$2" >"$WORK/$1.testssl.out" 2>&1
		# one "cipher-<proto>_x<code>" entry per accepted suite and version; the finding's last
		# word is the IANA name
		jq '[.[] | select(.id | test("^cipher-(tls1|tls1_1|tls1_2|tls1_3)_x"))
			| {v: ({"tls1": "TLSv1.0", "tls1_1": "TLSv1.1", "tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3"}
			       [.id | capture("^cipher-(?<p>[a-z0-9_]+?)_x").p]),
			   n: (.finding | split(" ") | map(select(length > 0)) | last)}]
			| group_by(.v) | map({key: .[0].v, value: map(.n)}) | from_entries' "$t" \
			>"$WORK/$1.tool.json" 2>/dev/null || rm -f "$WORK/$1.tool.json"
	}
	tool_sslscan_s2s() { # LABEL ADDR PORT DOMAIN -> WORK/LABEL.tool.json
		# sslscan sends to= its target's name: give it the domain, resolved through a private
		# /etc/hosts in its own mount namespace (nothing changes for anyone else; no DNS query)
		printf '%s %s\n' "$2" "$4" >"$WORK/$1.hosts"
		timeout 120 unshare --mount sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh \
			"$WORK/$1.hosts" sslscan --no-colour --starttls-xmpp --xmpp-server --xml="$WORK/$1.sslscan.xml" \
			"$4:$3" >"$WORK/$1.sslscan.out" 2>&1
		# accepted suites per version, named by their code through OpenSSL's IANA table
		/usr/bin/python3 - "$WORK/$1.sslscan.xml" >"$WORK/$1.tool.json" <<'PY' || rm -f "$WORK/$1.tool.json"
import json, re, subprocess, sys
tab = {}
for line in subprocess.run(["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                           capture_output=True, text=True, check=True).stdout.splitlines():
    m = re.match(r"\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)", line)
    if m:
        tab[int(m.group(1) + m.group(2), 16)] = m.group(3)
res = {}
xml = open(sys.argv[1]).read()
for m in re.finditer(r'<cipher status="(\w+)" sslversion="([^"]+)"[^>]* cipher="([^"]+)" id="0x([0-9a-fA-F]+)"', xml):
    st, v, name, code = m.groups()
    if st in ("accepted", "preferred"):
        res.setdefault(v, []).append(tab.get(int(code, 16), name))
if "<cipher " not in xml:
    sys.exit(1)
print(json.dumps(res))
PY
	}
	full() { # LABEL ADDR:PORT PROTO NAME -> WORK/LABEL.full.json
		[ -s "$WORK/$1.full.json" ] && return
		timeout 300 "$BIN" host "$2" --proto "$3" --name "$4" --ca-file "$CA" --full --json \
			--timeout 30 >"$WORK/$1.full.json" 2>"$WORK/$1.full.err"
	}
	cmp_lists() { # LABEL WHAT
		local l=$1 v m s
		if ! jq -e 'type == "object"' "$WORK/$l.tool.json" >/dev/null 2>&1; then
			bad "$l: $2 gave no suite list"; return
		fi
		for v in TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3; do
			m=$(jq -r --arg v "$v" '.endpoints[0].tls.ciphers[$v] // [] | sort | join(" ")' "$WORK/$l.full.json")
			s=$(jq -r --arg v "$v" '.[$v] // [] | sort | join(" ")' "$WORK/$l.tool.json")
			if [ "$m" = "$s" ]; then ok "$l $v: suites as $2 lists them (${m:-none})"
			else bad "$l $v: mailtls [$m] $2 [$s]"; fi
		done
	}
	cp "$WORK/ej-full.json" "$WORK/ej-c2s.full.json" 2>/dev/null
	{
		tool_testssl dv-imap 127.0.14.2:143 imap
		tool_testssl dv-pop3 127.0.14.2:110 pop3
		tool_testssl pf-sub 127.0.14.8:587 smtp
	} &
	{
		tool_testssl pr-c2s 127.0.14.4:5222 xmpp $P
		tool_testssl ej-c2s 127.0.14.6:5222 xmpp $P
		tool_sslscan_s2s pr-s2s 127.0.14.4 5269 $P
		tool_sslscan_s2s ej-s2s 127.0.14.6 5269 $P
	} &
	full dv-imap 127.0.14.2:143 imap mail.$P
	full dv-pop3 127.0.14.2:110 pop3 mail.$P
	full pf-sub 127.0.14.8:587 submission smtp.$P
	full pr-c2s 127.0.14.4:5222 xmpp $P
	full ej-c2s 127.0.14.6:5222 xmpp $P
	full pr-s2s 127.0.14.4:5269 xmpp-server $P
	full ej-s2s 127.0.14.6:5269 xmpp-server $P
	wait
	for l in dv-imap dv-pop3 pf-sub pr-c2s ej-c2s; do cmp_lists $l "testssl.sh -E"; done
	for l in pr-s2s ej-s2s; do cmp_lists $l "sslscan --xmpp-server"; done
else
	note "testssl.sh/sslscan comparison not run"
fi
p=$(grep -c '^ok' "$WORK/res"); f=$(grep -c '^FAIL' "$WORK/res")
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
