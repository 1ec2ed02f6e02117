#!/bin/sh
# bench/run.sh MAILTLS — every benchmark, one after the other.  Timing lives here, never in tests.
set -e
cd "$(dirname "$0")/.."
for b in bench/host.sh bench/check.sh bench/full.sh; do
	echo "== $b"
	"$b" "$1"
done
