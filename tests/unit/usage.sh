#!/bin/sh
# usage.sh MAILTLS -- usage errors are one line naming the problem, a pointer to --help, exit 2.
#
# Each case: the arguments, then a string the first stderr line must contain.  We check exit
# status 2, one or two lines on stderr, nothing on stdout.  None of these cases reaches the
# network: every one fails while the command line is read.
bin=${1:?usage: usage.sh MAILTLS}
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
pass=0 fail=0

bad() {
	fail=$((fail + 1))
	echo "FAIL: mailtls $1: $2"
	sed 's/^/    stderr: /' "$err" | head -5
}

# case "ARGS" "WANTED" (ARGS split on spaces; "" means no arguments at all)
case_() {
	# shellcheck disable=SC2086
	"$bin" $1 >"$out" 2>"$err"
	rc=$?
	lines=$(wc -l <"$err")
	if [ "$rc" -ne 2 ]; then bad "$1" "exit $rc, want 2"; return; fi
	if [ -s "$out" ]; then bad "$1" "wrote to stdout"; return; fi
	if [ "$lines" -lt 1 ] || [ "$lines" -gt 2 ]; then bad "$1" "$lines lines on stderr"; return; fi
	if ! head -1 "$err" | grep -qF -- "$2"; then bad "$1" "first line does not name '$2'"; return; fi
	if ! grep -qF -- "--help" "$err"; then bad "$1" "no pointer to --help"; return; fi
	pass=$((pass + 1))
}

# unknown command, unknown option
case_ "" "no command"
case_ "frobnicate" "frobnicate"
case_ "--frobnicate" "--frobnicate"
case_ "host --frobnicate mx.example" "--frobnicate"
case_ "host -z mx.example" "-z"
case_ "host --json -zq mx.example" "-z"
case_ "check --frobnicate example.org" "--frobnicate"
case_ "findings --frobnicate" "--frobnicate"
case_ "scan --full --quick list.txt" "--full and --quick"
case_ "scan --full --full-threads 0 list.txt" "--full-threads"
case_ "host --t 3 mx.example" "--t"
case_ "host --json=yes mx.example" "--json"
# missing argument to an option
case_ "host mx.example --timeout" "--timeout"
case_ "check example.org --resolver" "--resolver"
case_ "check example.org --dns-timeout" "--dns-timeout"
# bad values
case_ "host mx.example --timeout abc" "abc"
case_ "host mx.example --timeout 0" "--timeout"
case_ "host mx.example --connect-timeout=1x" "1x"
case_ "host mx.example --proto gopher" "gopher"
case_ "host mx.example --fail-on severe" "severe"
case_ "check example.org --fail-on severe" "severe"
case_ "host mx.example --max-conn 9" "--max-conn"
case_ "host mx.example --max-attempts many" "many"
case_ "check example.org --http-timeout -1" "-1"
case_ "check example.org/x" "example.org/x"
case_ "host [::1" "[::1"
# missing DOMAIN/TARGET, too many arguments
case_ "host" "TARGET"
case_ "check" "DOMAIN"
case_ "check --json" "DOMAIN"
case_ "host mx1.example mx2.example" "mx2.example"
case_ "findings extra" "extra"

# --help is not an error: the whole help on stdout, exit 0, nothing on stderr
for args in "--help" "-h" "help" "host --help" "check --help" "findings --help"; do
	# shellcheck disable=SC2086
	"$bin" $args >"$out" 2>"$err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$err" ] && grep -q "^usage: mailtls" "$out" &&
	    [ "$(wc -l <"$out")" -gt 20 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: mailtls $args: exit $rc, want the help on stdout and exit 0"
	fi
done

echo "usage: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
