#!/usr/bin/env bash
# tests/fake/testssl-compare.sh PATH/TO/mailtls [CASE...] -- the issue 13 verdicts next to
# testssl.sh's (Debian's `testssl`, 3.0.8: --robot --ccs --renegotiation) on the same servers:
# fakesmtp.py's ROBOT oracles and early-CCS acceptor, and `openssl s_server` behind the
# backend relay with and without client-initiated renegotiation.  Prints one line per case and
# check: "agree"/"DIFFER" with both verdicts; docs/internals/vuln-checks.md records a run and
# explains the differences.  Not part of `make check` (testssl takes minutes).  Loopback only.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
FAKE="$HERE/fakesmtp.py"
MAILTLS=$1
shift
CASES=${*:-robot_strong robot_weak ccs_vulnerable modern_tls12 sess_reneg sess_closed pfdef exim osmtpd}
# pfdef, exim and osmtpd are the real servers of tests/real/full.sh (tests/lab/postfix.sh
# defaults, tests/lab/exim.sh, tests/lab/opensmtpd.sh: OpenSMTPD 7) on 127.0.2.12, .13 and .14
# with their own lab directory; they need root.
TESTSSL=$(command -v testssl || command -v testssl.sh) || { echo "$0: needs testssl" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailtls-testssl.XXXXXX")
chmod 755 "$WORK"	# the lab's Postfix and Exim run as their own users
PIDS=()
LABDIR=$WORK/lab
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -d "$LABDIR" ] && { "$HERE/../lab/postfix.sh" stopall "$LABDIR"; "$HERE/../lab/exim.sh" stopall "$LABDIR"
		"$HERE/../lab/opensmtpd.sh" stopall "$LABDIR"; } >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 30 \
	-subj /CN=fake.mailtls.test >/dev/null 2>&1
openssl x509 -in "$WORK/cert.pem" -outform der -out "$WORK/cert.der"

# Both set PORT and record the server's pid in PIDS (no $(...): a subshell would lose it, and
# a forgotten server keeps the lab lock's descriptor open).
start_fake() { # ARGS...
	rm -f "$WORK/port"
	python3 "$FAKE" --addr 127.0.0.1 --port 0 --ready-file "$WORK/port" "$@" >/dev/null 2>>"$WORK/fake.log" &
	PIDS+=($!)
	for _ in $(seq 200); do [ -s "$WORK/port" ] && break; sleep 0.05; done
	PORT=$(cat "$WORK/port")
}
start_backend() { # S_SERVER OPTIONS
	PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkfifo "$WORK/fifo.$PORT"
	exec 8<>"$WORK/fifo.$PORT"
	# shellcheck disable=SC2086
	openssl s_server -accept "127.0.0.1:$PORT" -quiet -cert "$WORK/cert.pem" -key "$WORK/key.pem" $1 \
		<"$WORK/fifo.$PORT" >/dev/null 2>&1 &
	PIDS+=($!)
	sleep 0.3
}

verdicts() { # CASE PORT [ADDR]
	local c=$1 port=$2 a=${3:-127.0.0.1} t m
	timeout 600 "$TESTSSL" --quiet --color 0 --warnings off --jsonfile "$WORK/$c.testssl.json" \
		--starttls smtp --robot --ccs --renegotiation "$a:$port" >"$WORK/$c.testssl.txt" 2>&1
	timeout 300 "$MAILTLS" host "$a:$port" --full --json --timeout 30 --reply-timeout 2 \
		>"$WORK/$c.json" 2>/dev/null
	for id in ROBOT CCS secure_client_renego; do
		t=$(jq -r --arg id "$id" '[.[] | select(.id == $id) | .finding] | first // "missing"' "$WORK/$c.testssl.json")
		case $id in
		ROBOT) m=$(jq -r '.endpoints[0].tls.checks.robot.result' "$WORK/$c.json")
			case "$t:$m" in
			*"not vulnerable"*:not_vulnerable|*"VULNERABLE"*:vulnerable_*|*"not applicable"*:not_applicable|*"no RSA"*:not_applicable) v=agree ;;
			*) v=DIFFER ;;
			esac ;;
		CCS) m=$(jq -r '.endpoints[0].tls.checks.ccs_injection.result' "$WORK/$c.json")
			case "$t:$m" in
			*"not vulnerable"*:not_vulnerable|*"VULNERABLE"*:vulnerable) v=agree ;;
			*) v=DIFFER ;;
			esac ;;
		secure_client_renego) m=$(jq -r '.endpoints[0].tls.checks.client_renegotiation.accepted' "$WORK/$c.json")
			case "$t:$m" in
			*"not vulnerable"*:false|*"VULNERABLE"*:true) v=agree ;;
			*) v=DIFFER ;;
			esac ;;
		esac
		printf '%-7s %-15s %-20s testssl: %-45s mailtls: %s\n' "$v" "$c" "$id" "$t" "$m"
	done
}

for c in $CASES; do
	case $c in
	robot_*|ccs_vulnerable|modern_tls12)
		start_fake --scenario "tls:$c" --cert "$WORK/cert.der" --tls-key "$WORK/key.pem"; port=$PORT ;;
	sess_reneg)
		start_backend "-tls1_2 -client_renegotiation"
		start_fake --scenario backend --tls-backend "$PORT"; port=$PORT ;;
	sess_closed)
		start_backend "-tls1_2"
		start_fake --scenario backend --tls-backend "$PORT"; port=$PORT ;;
	pfdef)
		"$HERE/../lab/ca.sh" "$LABDIR/certs" >/dev/null 2>&1
		"$HERE/../lab/postfix.sh" start tsdef 127.0.2.12 defaults "$LABDIR" >/dev/null 2>&1 || { echo "postfix did not start" >&2; continue; }
		port=25 addr=127.0.2.12 ;;
	exim)
		"$HERE/../lab/ca.sh" "$LABDIR/certs" >/dev/null 2>&1
		"$HERE/../lab/exim.sh" start tsexim 127.0.2.13 "$LABDIR" >/dev/null 2>&1 || { echo "exim did not start" >&2; continue; }
		port=25 addr=127.0.2.13 ;;
	osmtpd)
		"$HERE/../lab/ca.sh" "$LABDIR/certs" >/dev/null 2>&1
		"$HERE/../lab/opensmtpd.sh" start tsosmtpd 127.0.2.14 "$LABDIR" >/dev/null 2>&1 || { echo "opensmtpd did not start" >&2; continue; }
		port=25 addr=127.0.2.14 ;;
	*) echo "unknown case $c" >&2; continue ;;
	esac
	verdicts "$c" "$port" "${addr:-127.0.0.1}"
	addr=
done
