#!/bin/sh
# docs/findings.md is generated from the finding table; it must not drift.  Then the usage
# errors that mailtls(1) and --help promise (tests/unit/usage.sh).
bin=$1
tmp=$(mktemp)
"$bin" findings --markdown >"$tmp"
if diff -u docs/findings.md "$tmp"; then
	echo "docs: 1 passed, 0 failed"
	rm -f "$tmp"
else
	echo "docs/findings.md is stale: run  $bin findings --markdown > docs/findings.md"
	echo "docs: 0 passed, 1 failed"
	rm -f "$tmp"
	exit 1
fi
sh tests/unit/usage.sh "$bin"
