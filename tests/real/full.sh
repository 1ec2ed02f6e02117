#!/bin/bash
# tests/real/full.sh MAILTLS -- `mailtls host --full` against real servers on loopback, every
# enumerated list confirmed suite by suite with `openssl s_client` (docs/internals/full-tests.md).
#
# Servers (127.0.2.x, BASEDIR /tmp/mailtls-full; tests/real/run.sh uses 127.0.0.2-12, bench
# 127.0.0.20, the domain lab 127.0.1.x):
#   pfdef    127.0.2.2  Postfix, Debian defaults (TLS 1.0-1.3, "medium", anonymous suites)
#   pftls12  127.0.2.3  Postfix, TLS 1.2 only, a few ECDHE AEAD suites
#   pforder  127.0.2.4  Postfix defaults + tls_preempt_cipherlist=yes (server order)
#   exim     127.0.2.5  Exim 4.96 / GnuTLS   (tests/lab/exim.sh, unpacked .deb)
#   osmtpd   127.0.2.6  OpenSMTPD 7.4 / OpenSSL 3 (tests/lab/opensmtpd.sh, the unpacked .deb of
#                       bookworm-backports, private mount namespace)
#
# Environment: FULL_KEEP=1 keeps the work directory; FULL_CASES="pfdef exim" runs a subset;
# FULL_BASEDIR (default /tmp/mailtls-full; runs sharing it queue on BASEDIR/.full.lock);
# FULL_P=4 parallel s_client probes.
# Output: `ok ...` / `FAIL ...` lines, `skip ...` notes, last line `N passed, M failed`.
set -u
[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/mailtls"; exit 2; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.." || exit 2
BASE=${FULL_BASEDIR:-/tmp/mailtls-full}
NET=127.0.2
PF=tests/lab/postfix.sh
EX=tests/lab/exim.sh
OS=tests/lab/opensmtpd.sh
P=${FULL_P:-4}
CASES=${FULL_CASES:-"pfdef pftls12 pforder exim osmtpd"}
WORK=$(mktemp -d /tmp/mailtls-full-work.XXXXXX)
RES="$WORK/results"
: >"$RES"

cleanup() {
	$PF stopall "$BASE" >/dev/null 2>&1 || true
	$EX stopall "$BASE" >/dev/null 2>&1 || true
	$OS stopall "$BASE" >/dev/null 2>&1 || true
	if [ "${FULL_KEEP:-0}" = 1 ] || grep -q '^FAIL' "$RES" 2>/dev/null; then
		echo "(work directory kept: $WORK)" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok   $*"; echo "ok   $*" >>"$RES"; }
bad() { echo "FAIL $*"; echo "FAIL $*" >>"$RES"; }
note() { echo "skip $*"; }
tally() {
	local p f
	p=$(grep -c '^ok' "$RES")
	f=$(grep -c '^FAIL' "$RES")
	echo "$p passed, $f failed"
	[ "$f" -eq 0 ]
}

if [ "$(id -u)" -ne 0 ]; then
	echo "full: needs root (lab servers)"
	echo "0 passed, 1 failed"
	exit 1
fi
for c in openssl jq postfix; do
	command -v $c >/dev/null || { echo "full: $c missing (make deps)"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "full: $BIN is not executable"; echo "0 passed, 1 failed"; exit 1; }

# Two runs at once would restart each other's servers (same BASEDIR, same addresses): queue.
mkdir -p "$BASE"
exec 8>"$BASE/.full.lock"
if ! flock -n 8; then
	echo "full: another tests/real/full.sh holds $BASE/.full.lock; waiting (up to 300 s)"
	flock -w 300 8 || { echo "full: still locked"; echo "0 passed, 1 failed"; exit 1; }
fi

tests/lab/ca.sh "$BASE/certs" || { echo "full: cannot make the lab CA"; echo "0 passed, 1 failed"; exit 1; }
CA="$BASE/certs/ca.pem"

# ---- OpenSSL's suite table: code iana openssl-name -----------------------------------------
# Suites the client can offer without extra set-up (no PSK, no SRP), per version.
ALLSPEC='ALL:COMPLEMENTOFALL:@SECLEVEL=0'
suite_table() { # FLAG -> "code iana ossl" lines of the suites OpenSSL offers at that version
	openssl ciphers -s "-$1" -V -stdname "$ALLSPEC" 2>/dev/null |
		grep -vE 'Kx=(PSK|ECDHEPSK|DHEPSK|RSAPSK|SRP)' |
		awk -v v="$1" '{ code = tolower(substr($1,3,2) substr($1,8,2));
			if ((v == "tls1_3") != ($6 == "TLSv1.3")) next;
			print code, $3, $5 }'
}
for f in tls1 tls1_1 tls1_2 tls1_3; do
	if [ $f = tls1_3 ]; then
		# -s -tls1_3 lists the 1.3 suites of the default -ciphersuites only; add CCM ones
		printf '%s\n' "1301 TLS_AES_128_GCM_SHA256 TLS_AES_128_GCM_SHA256" \
			"1302 TLS_AES_256_GCM_SHA384 TLS_AES_256_GCM_SHA384" \
			"1303 TLS_CHACHA20_POLY1305_SHA256 TLS_CHACHA20_POLY1305_SHA256" \
			"1304 TLS_AES_128_CCM_SHA256 TLS_AES_128_CCM_SHA256" \
			"1305 TLS_AES_128_CCM_8_SHA256 TLS_AES_128_CCM_8_SHA256" >"$WORK/suites.$f"
	else
		suite_table $f >"$WORK/suites.$f"
	fi
done
# IANA name -> OpenSSL name and code, over every version
cat "$WORK"/suites.* | sort -u >"$WORK/suites.all"

flag_of() { case $1 in TLSv1.0) echo tls1 ;; TLSv1.1) echo tls1_1 ;; TLSv1.2) echo tls1_2 ;; TLSv1.3) echo tls1_3 ;; esac; }

# ---- one s_client probe ----------------------------------------------------------------------
# sprobe ADDR FLAG SPEC -> "CODE COMPLETE DH": CODE the suite in the first ServerHello (4 hex
# digits), "-" when none came, "!" when the client could not offer SPEC; COMPLETE 1 when the
# handshake finished ("New, ..., Cipher is X"); DH the server's finite-field DH size or 0.
sprobe() {
	local addr=$1 flag=$2 spec=$3 args
	if [ "$flag" = tls1_3 ]; then
		args=(-tls1_3 -ciphersuites "$spec")
	else
		args=("-$flag" -cipher "$spec:@SECLEVEL=0")
	fi
	timeout 15 openssl s_client -msg "${args[@]}" -starttls smtp -connect "$addr:25" \
		-servername mx.lab.example </dev/null 2>&1 | awk '
		function hv(s,   i, n, c) { n = 0; s = tolower(s)
			for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; n = n * 16 + c }
			return n }
		/no cipher match|Error with command|SSL_CONF_cmd/ { nomatch = 1 }
		/^<<< .*Handshake.*ServerHello$/ { if (!seen) { inh = 1; seen = 1 }; next }
		inh && /^    [0-9a-f][0-9a-f]( |$)/ { hex = hex " " $0; next }
		{ inh = 0 }
		# "New, X, Cipher is": X is the version that defined the suite (SSLv3, TLSv1.2, ...)
		/^New, [^,]+, Cipher is / && $NF != "(NONE)" { done = 1 }
		/^Server Temp Key: DH, [0-9]+ bits/ { dh = $5 }
		END {
			if (nomatch) { print "! 0 0"; exit }
			if (!seen) { print "- 0 0"; exit }
			n = split(hex, b, " "); sl = hv(b[39])
			print b[40 + sl] b[41 + sl], done + 0, dh + 0
		}'
}
export -f sprobe

# job line: KIND FLAG SPEC WANT LABEL   (KIND pos|neg|ver|pick; WANT code or -)
# prints: pass|fail|skip KIND FLAG LABEL detail
worker() {
	local mode=$1 addr=$2 kind=$3 flag=$4 spec=$5 want=$6 label=$7 got code comp dh
	got=$(sprobe "$addr" "$flag" "$spec")
	read -r code comp dh <<<"$got"
	if [ "$code" = "!" ]; then
		echo "skip $kind $flag $label client-cannot-offer"
		return
	fi
	case $kind in
	pos | pick)
		if [ "$code" = "$want" ] && { [ "$mode" = hello ] || [ "$comp" = 1 ]; }; then
			echo "pass $kind $flag $label dh=$dh"
		else
			echo "fail $kind $flag $label got=$code complete=$comp want=$want"
		fi ;;
	neg)
		if [ "$code" = "-" ]; then echo "pass $kind $flag $label"; else echo "fail $kind $flag $label got=$code"; fi ;;
	ver)
		if [ "$want" = yes ]; then
			if [ "$code" != "-" ] && { [ "$mode" = hello ] || [ "$comp" = 1 ]; }; then
				echo "pass $kind $flag $label"
			else
				echo "fail $kind $flag $label got=$code complete=$comp"
			fi
		else
			if [ "$code" = "-" ]; then echo "pass $kind $flag $label"; else echo "fail $kind $flag $label got=$code"; fi
		fi ;;
	esac
}
export -f worker

# ---- servers -------------------------------------------------------------------------------
declare -A ADDR=([pfdef]=$NET.2 [pftls12]=$NET.3 [pforder]=$NET.4 [exim]=$NET.5 [osmtpd]=$NET.6)
declare -A MODE=([pfdef]=full [pftls12]=full [pforder]=full [exim]=full [osmtpd]=full)
declare -A LAB=([pfdef]=$PF [pftls12]=$PF [pforder]=$PF [exim]=$EX [osmtpd]=$OS)

start_one() { # NAME -> exit status; stderr in WORK/start.NAME
	case $1 in
	pfdef) $PF start pfdef "${ADDR[pfdef]}" defaults "$BASE" ;;
	pftls12) $PF start pftls12 "${ADDR[pftls12]}" tls12 "$BASE" ;;
	pforder) POSTFIX_EXTRA="tls_preempt_cipherlist=yes" $PF start pforder "${ADDR[pforder]}" defaults "$BASE" ;;
	exim) $EX start exim "${ADDR[exim]}" "$BASE" ;;
	osmtpd) $OS start osmtpd "${ADDR[osmtpd]}" "$BASE" ;;
	esac
}
for c in $CASES; do
	[ -n "${ADDR[$c]:-}" ] || { echo "full: unknown case $c"; exit 2; }
	(start_one "$c" </dev/null >"$WORK/start.$c" 2>&1; echo $? >"$WORK/start.$c.rc") &
done
wait

# ---- checks per server ---------------------------------------------------------------------
check_case() {
	local c=$1 addr=${ADDR[$1]} mode=${MODE[$1]} lab=${LAB[$1]} J="$WORK/$1.json" rc n e
	local -a vers L
	if [ "$(cat "$WORK/start.$c.rc")" != 0 ]; then
		# OpenSMTPD too: its 7.x .deb comes with `make deps` (a missing one is a failure, so
		# that its checks never pass by not running)
		bad "$c: server did not start: $(tr '\n' ' ' <"$WORK/start.$c" | cut -c1-400)"
		return
	fi
	$lab resetlog "$c" "$BASE" >/dev/null 2>&1
	timeout 120 "$BIN" host "$addr" --full --json --name mx.lab.example --ca-file "$CA" \
		--timeout 60 >"$J" 2>"$WORK/$c.err"
	rc=$?
	if [ $rc -gt 1 ] || ! jq -e '.endpoints[0].tls.versions' "$J" >/dev/null 2>&1; then
		bad "$c: mailtls exit $rc, no enumeration: $(head -c 300 "$WORK/$c.err")"
		return
	fi
	ok "$c: mailtls --full ran (exit $rc, $(jq -r '.endpoints[0].tls.versions | join(" ")' "$J"), grade $(jq -r '.endpoints[0].grade.grade' "$J"))"

	# connections: floor bound, and the server's own count (before any s_client probe)
	local conns floor ec srv
	conns=$(jq '.endpoints[0].connections' "$J")
	ec=$(jq '.endpoints[0].tls.enumeration.connections' "$J")
	floor=$(jq '.endpoints[0].tls.enumeration.floor' "$J")
	# the STARTTLS command-injection test's one connection is counted there too, but is no part
	# of the enumeration's efficiency
	# (nor are the checks beyond enumeration, tls.checks.connections: vuln-checks.md)
	if jq -e '.endpoints[0] | ((.starttls.command_injection.connections // 0) +
	    (.tls.checks.connections // 0)) as $ci | .tls.enumeration |
	    .complete == true and (.connections - $ci <= 1.1 * .floor + 3)' "$J" >/dev/null; then
		ok "$c: enumeration complete, $ec connections <= 1.1 x floor $floor + 3"
	else
		bad "$c: enumeration $(jq -c '.endpoints[0].tls.enumeration' "$J") (want complete and connections <= 1.1*floor+3)"
	fi
	srv=$($lab conncount "$c" "$BASE" 2>/dev/null)
	if [ "$srv" = "$conns" ]; then
		ok "$c: server logged $srv connections = .connections"
	else
		bad "$c: server logged $srv connections, mailtls reports .connections $conns"
	fi

	# jobs: versions, listed suites, unlisted suites, preference order
	local jobs="$WORK/$c.jobs" v f so
	: >"$jobs"
	mapfile -t vers < <(jq -r '.endpoints[0].tls.versions[]' "$J")
	for v in TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3; do
		f=$(flag_of $v)
		# everything OpenSSL offers at v (sprobe appends @SECLEVEL=0 below 1.3)
		local everything=${ALLSPEC%:@SECLEVEL=0}
		[ $f = tls1_3 ] && everything=$(awk '{print $3}' "$WORK/suites.tls1_3" | paste -sd:)
		if printf '%s\n' "${vers[@]}" | grep -qx "$v"; then
			echo "ver $f $everything yes $v" >>"$jobs"
		else
			echo "ver $f $everything no $v" >>"$jobs"
			continue
		fi
		jq -r --arg v "$v" '.endpoints[0].tls.ciphers[$v][]?' "$J" >"$WORK/$c.$f.listed"
		# listed: each alone must be chosen (and, for real servers, complete the handshake)
		while read -r n; do
			e=$(awk -v n="$n" '$2 == n { print $1, $3; exit }' "$WORK/suites.all")
			if [ -z "$e" ]; then
				echo "$n" >>"$WORK/$c.$f.unknown"
				continue
			fi
			echo "pos $f ${e#* } ${e% *} $n" >>"$jobs"
		done <"$WORK/$c.$f.listed"
		# unlisted: every suite OpenSSL can offer at this version must be refused
		while read -r code iana ossl; do
			grep -qxF "$iana" "$WORK/$c.$f.listed" || echo "neg $f $ossl - $iana" >>"$jobs"
		done <"$WORK/suites.$f"
		# preference order
		so=$(jq -r --arg v "$v" '.endpoints[0].tls.server_order[$v] // "null"' "$J")
		mapfile -t L < <(awk 'NR==FNR { k[$2] = $3 " " $1; next } ($1 in k) { print $1, k[$1] }' \
			"$WORK/suites.all" "$WORK/$c.$f.listed")
		if [ ${#L[@]} -ge 2 ]; then
			local n0 o0 c0 n1 o1 c1 rev="" x
			read -r n0 o0 c0 <<<"${L[0]}"
			read -r n1 o1 c1 <<<"${L[1]}"
			if [ "$so" = true ]; then
				for x in "${L[@]}"; do rev="$(echo "$x" | awk '{print $2}')${rev:+:$rev}"; done
				echo "pick $f $rev $c0 server-order:listed-reversed->$n0" >>"$jobs"
				echo "pick $f $everything $c0 server-order:everything->$n0" >>"$jobs"
			elif [ "$so" = false ]; then
				echo "pick $f $o1:$o0 $c1 client-order:$n1-first->$n1" >>"$jobs"
				echo "pick $f $o0:$o1 $c0 client-order:$n0-first->$n0" >>"$jobs"
			fi
		fi
	done

	xargs -P "$P" -L 1 bash -c 'worker "$@"' _ "$mode" "$addr" <"$jobs" >"$WORK/$c.out" 2>&1

	# summarise per version and kind
	local kind np nf ns
	for v in TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3; do
		f=$(flag_of $v)
		for kind in ver pos neg pick; do
			np=$(grep -c "^pass $kind $f " "$WORK/$c.out")
			nf=$(grep -c "^fail $kind $f " "$WORK/$c.out")
			ns=$(grep -c "^skip $kind $f " "$WORK/$c.out")
			[ $((np + nf + ns)) -eq 0 ] && continue
			local what
			case $kind in
			ver) what="version offered alone: $(grep -qx "$v" <(printf '%s\n' "${vers[@]}") && echo accepted || echo refused), as listed" ;;
			pos) what="$np listed suites each accepted alone by s_client" ;;
			neg) what="$np unlisted suites each refused (s_client offers them alone)" ;;
			pick) what="$np preference-order picks as server_order=$(jq -r --arg v "$v" '.endpoints[0].tls.server_order[$v]' "$J") predicts" ;;
			esac
			if [ "$nf" -eq 0 ]; then
				ok "$c $v: $what${ns:+$([ "$ns" -gt 0 ] && echo " ($ns not offerable by the client)")}"
			else
				bad "$c $v $kind: $nf wrong: $(grep "^fail $kind $f " "$WORK/$c.out" | cut -d' ' -f4- | head -n 8 | tr '\n' ';')"
			fi
		done
		if [ -s "$WORK/$c.$f.unknown" ]; then
			note "$c $v: listed but unknown to OpenSSL, not confirmed: $(tr '\n' ' ' <"$WORK/$c.$f.unknown")"
		fi
	done

	# finite-field DH sizes: what s_client saw in the accepted DHE/ADH handshakes
	local sdh mdh
	sdh=$(grep '^pass pos ' "$WORK/$c.out" | grep -o 'dh=[1-9][0-9]*' | cut -d= -f2 | sort -nu | tr '\n' ' ')
	mdh=$(jq -r '[.endpoints[0].tls.key_exchange[]? | select(.kx == "DHE") | .bits] | unique | .[]' "$J" | sort -nu | tr '\n' ' ')
	if [ "$mode" = full ] && [ -n "$sdh$mdh" ]; then
		if [ "$sdh" = "$mdh" ]; then
			ok "$c: DH group sizes ${sdh% } bits, as s_client saw them"
		else
			bad "$c: DH group sizes: mailtls key_exchange [${mdh% }], s_client saw [${sdh% }]"
		fi
	fi

	# TLS_FALLBACK_SCSV (RFC 7507) at the second-highest version, and secure renegotiation
	local out want_fb got_fb
	if [ ${#vers[@]} -ge 2 ]; then
		f=$(flag_of "${vers[1]}")
		if [ $f = tls1_3 ]; then out=""; else
			out=$(timeout 15 openssl s_client -msg "-$f" -cipher "$ALLSPEC" -fallback_scsv -starttls smtp \
				-connect "$addr:25" </dev/null 2>&1)
		fi
		if grep -q 'inappropriate_fallback\|inappropriate fallback' <<<"$out"; then got_fb=true
		elif grep -q '^<<< .*ServerHello$' <<<"$out"; then got_fb=false
		else got_fb=null; fi
		want_fb=$(jq -r '.endpoints[0].tls.extensions.fallback_scsv' "$J")
		if [ "$got_fb" = "$want_fb" ]; then
			ok "$c: fallback_scsv $want_fb, as s_client -fallback_scsv -$f shows"
		else
			bad "$c: fallback_scsv is $want_fb, s_client -fallback_scsv -$f shows $got_fb"
		fi
	fi
	local low=""
	for v in TLSv1.2 TLSv1.1 TLSv1.0; do
		printf '%s\n' "${vers[@]}" | grep -qx "$v" && { low=$v; break; }
	done
	if [ "$mode" = full ] && [ -n "$low" ]; then
		f=$(flag_of $low)
		out=$(timeout 15 openssl s_client "-$f" -cipher "$ALLSPEC" -starttls smtp -connect "$addr:25" </dev/null 2>&1)
		if grep -q 'Secure Renegotiation IS supported' <<<"$out"; then got_fb=true
		elif grep -q 'Secure Renegotiation IS NOT supported' <<<"$out"; then got_fb=false
		else got_fb=null; fi
		want_fb=$(jq -r '.endpoints[0].tls.extensions.secure_renegotiation' "$J")
		if [ "$got_fb" = "$want_fb" ]; then
			ok "$c: secure_renegotiation $want_fb, as s_client -$f shows"
		else
			bad "$c: secure_renegotiation is $want_fb, s_client -$f shows $got_fb"
		fi
	fi

	# per-server expectations
	local E
	case $c in
	pfdef) E=('.tls.versions == ["TLSv1.3","TLSv1.2","TLSv1.1","TLSv1.0"]'
		'.tls.server_order["TLSv1.2"] == false'
		'[.findings[].id] | index("cipher.anon") != null and index("tls.v1_0") != null and index("tls.v1_1") != null'
		'.tls.extensions.secure_renegotiation == true and .tls.extensions.fallback_scsv == true') ;;
	pftls12) E=('.tls.versions == ["TLSv1.2"]'
		'(.tls.ciphers["TLSv1.2"] | sort) == (["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256","TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384","TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"] | sort)'
		'[.findings[].id] | index("tls.v1_0") == null and index("cipher.no_aead") == null and index("kx.no_pfs") == null') ;;
	pforder) E=('.tls.server_order["TLSv1.2"] == true'
		'.tls.versions == ["TLSv1.3","TLSv1.2","TLSv1.1","TLSv1.0"]') ;;
	exim) E=('.tls.versions | index("TLSv1.3") != null'
		'.tls.extensions.secure_renegotiation == true') ;;
	osmtpd) E=('.tls.versions == ["TLSv1.3","TLSv1.2"]'
		'.tls.server_order["TLSv1.2"] == true') ;;
	esac
	# CVE-2011-0411: no real server here runs a NOOP pipelined behind STARTTLS inside TLS.
	# OpenSMTPD refuses the pipelined STARTTLS ("500 5.5.1 Invalid command: Pipelining not
	# supported"), so the test never reaches TLS there: inconclusive, never vulnerable.
	if [ "$c" = osmtpd ]; then
		E+=('.starttls.command_injection.result == "inconclusive" and .starttls.command_injection.connections == 1')
	else
		E+=('.starttls.command_injection.result == "not_vulnerable" and .starttls.command_injection.connections == 1')
	fi
	E+=('[.findings[].id] | index("starttls.command_injection") == null')
	# issue 13 (docs/internals/vuln-checks.md): every real server here is a not-vulnerable case
	E+=('.tls.checks.robot.result as $r | ["not_vulnerable", "not_applicable"] | index($r) != null'
		'[.findings[].id] | index("vuln.robot") == null and index("vuln.ccs_injection") == null'
		'.tls.checks.key_exchange_hash.result == "sha2" and ([.findings[].id] | index("kx.sha1_only") == null)')
	case $c in
	pf* | osmtpd)	# OpenSSL 3 servers: RFC 7627, no client-initiated renegotiation, CCS refused
		E+=('.tls.checks.ccs_injection.result == "not_vulnerable" and .tls.checks.ccs_injection.connections == 1'
			'.tls.checks.client_renegotiation.accepted == false'
			'.tls.checks.extended_master_secret.supported == true'
			'.tls.checks.chain.complete == "complete" and .tls.checks.chain.ordered == true') ;;
	exim)	E+=('.tls.checks.ccs_injection.result == "not_vulnerable"'
			'.tls.checks.extended_master_secret.supported == true') ;;
	esac
	case $c in
	osmtpd)	# OpenSMTPD 7.4 issues a TLS 1.3 ticket that does not resume (no session cache)
		E+=('.tls.checks.resumption.ticket == false and .tls.checks.resumption.session_id == false'
			'[.findings[].id] | index("tls.no_resumption") != null') ;;
	esac
	case $c in
	pf* | osmtpd)	# the lab's key is ECDSA: no RSA key exchange, so no ROBOT connection (the RSA
		# not-vulnerable case on a real stack is tests/fake's s_server backend, sess_closed)
		E+=('.tls.checks.robot.result == "not_applicable" and .tls.checks.robot.connections == 0') ;;
	esac
	for e in "${E[@]}"; do
		if [ "$(jq -r ".endpoints[0] | ($e)" "$J" 2>/dev/null)" = true ]; then
			ok "$c: $e"
		else
			bad "$c: $e"
		fi
	done
}

for c in $CASES; do
	check_case "$c"
done
tally
