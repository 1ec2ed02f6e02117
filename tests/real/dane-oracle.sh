#!/bin/bash
# tests/real/dane-oracle.sh MAILTLS — Postfix's own DANE client as an oracle for mailtls's DANE
# outcome. For every DANE-relevant domain of the domain lab (DOMLAB_VERDICT=1), for each of its MX
# hosts (and address family where the host has an AAAA), run `posttls-finger -l dane "[HOST]"`
# and compare its result with what `mailtls check DOMAIN --json` says about that MX.
# See docs/internals/dane-oracle.md for the set-up, the mapping and every known disagreement.
#
# posttls-finger uses the system resolver and trusts its AD bit. It runs inside `unshare -m` with a
# bind-mounted /etc/resolv.conf ("nameserver NET.53", "options trust-ad timeout:2 attempts:1")
# pointing at Debian's `unbound` daemon on NET.53:53 (validator + iterator, the lab's trust
# anchors, forwarding "." to the lab's DNS proxy, which drops and SERVFAILs what the verdict cases
# need). mailtls resolves through the same proxy (--resolver $PROXY). Nothing leaves loopback.
#
# Output: a table (domain, MX, family, posttls-finger's class, mailtls's class, agreement) and
# "N agree, M disagree (K known)". Exit 0 when every disagreement is a known one (KNOWN below,
# each explained in the doc), 1 otherwise. The lab is stopped on exit. Run it under the lab lock:
#   flock /tmp/mailtls-lab.lock tests/real/dane-oracle.sh build/mailtls
# ORACLE_RAW=DIR keeps every raw output (posttls-finger's log, mailtls's JSON) in DIR.
set -u
[ $# -ge 1 ] || { echo "usage: $0 MAILTLS" >&2; exit 2; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.." || exit 1
LAB=${LAB:-/tmp/mailtls-oracle}
OUT=$(mktemp -d /tmp/mailtls-oracle.XXXXXX)
RAW=${ORACLE_RAW:-}
UB=$OUT/unbound

# The domains whose MX hosts have something to say about DANE (the MTA-STS-only ones do not).
ORACLE_DOMAINS="dane-ee.example dane-ta.example mismatch.example unsigned.example bogus.example
pkix-only.example notls.example cname.example twomx.example dualstack.example iplit.example
provider-drop.example malformed-tlsa.example malformed-spki.example aaaa-timeout.example
unreach6.example nxbackup.example iplit-backup.example manymx.example mxfail.example
cname-tlsa-fail.example allunusable.example bogusbackup.example tlsabogus.example aliasbogus.example"

# Disagreements explained in docs/internals/dane-oracle.md: "domain host family" per line.
KNOWN=""

ub_stop() {
	local p _
	p=$(cat "$UB/unbound.pid" 2>/dev/null || :)
	if [[ $p =~ ^[0-9]+$ ]] && [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$(command -v unbound)")" ]; then
		kill "$p" 2>/dev/null || :
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -f "$UB/unbound.pid"
}
cleanup() {
	ub_stop
	tests/lab/domain-lab.sh stop "$LAB" >/dev/null 2>&1 || true
	if [ -n "$RAW" ]; then mkdir -p "$RAW" && cp -r "$OUT"/. "$RAW"/; fi
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "dane-oracle: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (Postfix on port 25, unbound on port 53, unshare -m)"
for p in unbound unbound-checkconf unbound-control posttls-finger unshare kdig jq; do
	command -v "$p" >/dev/null || die "$p is not installed (tools/install-deps.sh)"
done
DOMLAB_VERDICT=1 tests/lab/domain-lab.sh start "$LAB" || die "DOMLAB_VERDICT=1 tests/lab/domain-lab.sh start failed"
# shellcheck disable=SC1091
. "$LAB/env"
ip -6 route get "$UNREACH6" >/dev/null 2>&1 && die "$UNREACH6 is routable; refusing to run"
UB_ADDR=$NET.53

# ---- a validating unbound on UB_ADDR:53, forwarding to the lab's DNS proxy --------------------
mkdir -p "$UB"
cat >"$UB/unbound.conf" <<EOF
server:
    interface: $UB_ADDR
    port: 53
    do-ip6: no
    username: ""
    chroot: ""
    directory: "$UB"
    pidfile: "$UB/unbound.pid"
    logfile: "$UB/unbound.log"
    use-syslog: no
    verbosity: 1
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: "validator iterator"
    trust-anchor-file: "$ANCHORS"
    val-log-level: 2
    # a dropped query must not make the only upstream look dead for the next host
    infra-keep-probing: yes
remote-control:
    control-enable: yes
    control-interface: "$UB/control.sock"
    control-use-cert: no
forward-zone:
    name: "."
    forward-addr: ${PROXY%@*}@${PROXY#*@}
EOF
unbound-checkconf "$UB/unbound.conf" >/dev/null || die "unbound.conf rejected"
unbound -c "$UB/unbound.conf" || die "unbound did not start"
ok=0
for _ in $(seq 1 50); do
	if kdig @"$UB_ADDR" +timeout=1 +retry=0 +dnssec dane-ee.example MX 2>/dev/null | grep -qi '^;; flags:.* ad'; then ok=1; break; fi
	sleep 0.1
done
[ $ok = 1 ] || { tail "$UB/unbound.log" >&2; die "unbound on $UB_ADDR does not validate dane-ee.example MX"; }
printf 'nameserver %s\noptions trust-ad timeout:2 attempts:1\n' "$UB_ADDR" >"$UB/resolv.conf"

# in_ns CMD...: CMD in a private mount namespace whose /etc/resolv.conf points at our unbound
in_ns() {
	unshare -m bash -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$UB/resolv.conf" "$@"
}
ubctl() { unbound-control -c "$UB/unbound.conf" "$@" >/dev/null 2>&1 || :; }

# ---- mailtls, one call per domain (through the proxy) -------------------------------------------
for d in $ORACLE_DOMAINS; do
	timeout 60 "$BIN" check "$d" --resolver "$PROXY" --trust-anchor "$ANCHORS" --ca-file "$CA" \
		--dns-timeout 3 --timeout 20 --reply-timeout 10 --json >"$OUT/$d.json" 2>"$OUT/$d.err" &
done
wait

# mailtls's class for HOST (family 4 or 6) in DOMAIN's report. Schema 2 fields (mx[].use,
# mx[].dane_for_senders, mx[].address_lookups) when present, else the older dane.status.
m_class() { # DOMAIN HOST FAMILY
	jq -r --arg h "$2" --arg fam "$3" '
	def fam: if test(":") then "6" else "4" end;
	def dfs: if has("dane_for_senders") then .dane_for_senders
		else (.dane.status // "") as $s
		| if $s == "usable" then "authenticated" elif $s == "unusable" then "unauthenticated"
		  elif $s == "bogus" then "bogus" elif ($s | test("error|indeterminate|fail")) then "unknown"
		  else "none" end end;
	if type != "object" then "no-report"
	else
	  ([.mx[]? | select(.host == $h)] | first) as $mx
	  | ([.endpoints[]? | select(.host == $h and (.ip | fam) == $fam)]) as $eps
	  | if $mx == null then
	      (if (.verdict.protection // .verdict.downgrade_protection) == "indeterminate" then "lookup-failed"
	       elif .dnssec.status? == "bogus" then "lookup-failed"
	       elif .null_mx then "null-mx" else "no-mx" end)
	    elif ($mx.use // "") == "skipped-nxdomain" or ($mx.nxdomain // false) then "nonexistent"
	    elif ($mx.use // "") == "skipped-ip-literal" or ($mx.ip_literal and ($mx | has("use") | not)) then "ip-literal"
	    elif ($eps | length) == 0 then
	      ($mx.address_lookups[if $fam == "6" then "aaaa" else "a" end].dnssec? // "") as $lk
	      | if ($lk | test("fail|indeterminate|servfail|timeout|error|bogus")) or ($mx | dfs) == "unknown"
	           or ($mx.use // "") == "unknown" then "lookup-failed"
	        else "no-address" end
	    else ($eps[0]) as $ep | [$ep.findings[]?.id] as $f
	      | ($ep.starttls.offered == false) as $plain
	      | ($mx | dfs) as $d
	      | if ($f | index("conn.unreachable_here")) or ($f | index("conn.failed")) then "unreachable"
	        elif $d == "unknown" or $d == "bogus" then "lookup-failed"
	        elif $d == "authenticated" then
	          (if ($f | index("dane.valid")) then "dane-valid"
	           elif $plain or ($f | index("dane.starttls_missing")) then "dane-no-starttls"
	           else "dane-mismatch" end)
	        elif $d == "unauthenticated" then (if $plain then "unusable-no-starttls" else "unusable" end)
	        elif $plain then "no-dane-no-starttls"
	        else "no-dane" end
	    end
	end' "$OUT/$1.json" 2>/dev/null || echo "no-report"
}

# posttls-finger's class from its log (the SMTP chat lines are in it too)
p_class() { # LOGFILE
	local f=$1 tls=0 unusable=0 tlsa=0
	grep -q 'TLS connection established to' "$f" && tls=1
	grep -qi 'all TLSA records unusable\|unsupported TLSA certificate usage\|unusable TLSA RR' "$f" && unusable=1
	grep -q 'DNSSEC-signed TLSA record:' "$f" && tlsa=1
	if grep -q 'Verified TLS connection established' "$f"; then echo dane-valid
	elif grep -q 'TLSA lookup error\|DANE TLSA lookup problem' "$f"; then echo lookup-failed
	elif grep -q 'address lookup failed.*try again' "$f"; then echo lookup-failed
	elif grep -q 'does not accept mail (nullMX)' "$f"; then echo null-mx
	elif grep -q 'address lookup failed.*Host not found' "$f"; then echo nonexistent
	elif grep -q 'No route to host\|Network is unreachable' "$f"; then echo unreachable
	elif grep -q 'no matching DANE TLSA records' "$f"; then echo dane-mismatch
	elif [ $tls = 1 ]; then
		if [ $unusable = 1 ]; then echo unusable; else echo no-dane; fi
	elif grep -q 'Connected to' "$f"; then
		# no STARTTLS: posttls-finger says nothing more; what TLSA it saw comes from the
		# verbose TLS log (tls_dane) and its warnings
		if [ $unusable = 1 ]; then echo unusable-no-starttls
		elif [ $tlsa = 1 ]; then echo dane-no-starttls
		else echo no-dane-no-starttls; fi
	else echo other; fi
}

# ---- posttls-finger per MX host and family ------------------------------------------------------
# -l dane: DANE as Postfix's smtp does it; dnssec_probe= skips the start-up probe of "." (the lab
# does not serve the root, the probe would only print a warning); -L verbose shows the TLSA records
# it loaded even when the server offers no STARTTLS.
PF_OPTS="-l dane -t 5 -T 5 -o dnssec_probe= -L routine,certmatch,verbose"
rows=$OUT/rows
: >"$rows"
n=0
for d in $ORACLE_DOMAINS; do
	# The MX hosts as a validating resolver sees them; none when the MX lookup fails.
	hosts=$(kdig @"$UB_ADDR" +timeout=3 +retry=0 "$d" MX +short 2>/dev/null | awk 'NF == 2 { print $1, $2 }' |
		sort -n | awk '{ h = $2; sub(/\.$/, "", h); if (!seen[h]++) print h }')
	if [ -z "$hosts" ]; then
		# MX lookup failed: ask posttls-finger about the domain itself (its own MX lookup)
		n=$((n + 1)); log=$OUT/pf.$n.log
		ubctl flush_infra all
		in_ns timeout 30 posttls-finger $PF_OPTS -o inet_protocols=ipv4 "$d" >"$log" 2>&1
		echo "$d (MX) 4 $(p_class "$log") $(m_class "$d" "-" 4) $n" >>"$rows"
		continue
	fi
	for h in $hosts; do
		fams=4
		if kdig @127.0.0.1 -p "$KNOT_PORT" +timeout=1 +retry=0 "$h" AAAA +short 2>/dev/null | grep -q ':' ||
		   [ "$h" = a6drop.dane.lab.example ]; then
			fams="4 6"
		fi
		for fam in $fams; do
			n=$((n + 1)); log=$OUT/pf.$n.log
			ubctl flush_infra all
			if [[ $h =~ ^[0-9.]+$ ]]; then
				# an MX written as an address: what Postfix's MX lookup makes of it. Comparable
				# only when Postfix reached that MX (the domain's only one, iplit.example).
				in_ns timeout 30 posttls-finger $PF_OPTS -o inet_protocols=ipv$fam "$d" >"$log" 2>&1
				if ! grep -q "Connected to $h\[" "$log"; then
					echo "$d $h $fam other-mx-first $(m_class "$d" "$h" "$fam") $n" >>"$rows"
					continue
				fi
			else
				in_ns timeout 30 posttls-finger $PF_OPTS -o inet_protocols=ipv$fam "[$h]" >"$log" 2>&1
			fi
			echo "$d $h $fam $(p_class "$log") $(m_class "$d" "$h" "$fam") $n" >>"$rows"
		done
	done
done

# ---- the table ----------------------------------------------------------------------------------
agree=0; dis=0; known=0; unknown=0
printf '%-24s %-32s %-3s %-22s %-22s %s\n' domain "MX host" fam posttls-finger mailtls result
while read -r d h fam p m _; do
	if [ "$p" = "$m" ]; then r=agree; agree=$((agree + 1))
	elif [ "$p" = other-mx-first ]; then r="n/a (Postfix used a better MX)"
	elif printf '%s\n' "$KNOWN" | grep -qxF "$d $h $fam"; then r="DIFFER (known)"; dis=$((dis + 1)); known=$((known + 1))
	else r=DIFFER; dis=$((dis + 1)); unknown=$((unknown + 1)); fi
	printf '%-24s %-32s %-3s %-22s %-22s %s\n' "$d" "$h" "$fam" "$p" "$m" "$r"
done <"$rows"
echo "$agree agree, $dis disagree ($known known)"
[ "$unknown" -eq 0 ]
