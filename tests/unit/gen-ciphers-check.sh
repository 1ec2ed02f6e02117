#!/bin/sh
# gen-ciphers-check.sh — fail when lib/tls/cipher_table.c is not what tools/gen-ciphers.py
# makes from data/ (someone edited the generated file, or the CSVs without regenerating).
# Run from anywhere; exits 0 when up to date.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp "${TMPDIR:-/tmp}/cipher_table.XXXXXX")
trap 'rm -f "$tmp"' EXIT INT TERM
python3 "$top/tools/gen-ciphers.py" -d "$top/data" -o - >"$tmp"
if ! diff -u "$top/lib/tls/cipher_table.c" "$tmp"; then
	echo "gen-ciphers-check: lib/tls/cipher_table.c is stale; run tools/gen-ciphers.py" >&2
	exit 1
fi
echo "gen-ciphers-check: cipher_table.c is up to date"
