#!/bin/bash
# tests/lab/demo.sh MAILTLS — the offline demo (`make demo`): starts the domain lab
# (tests/lab/domain-lab.sh: Knot, Postfix, nginx, all on loopback), runs `mailtls check` on a
# handful of lab domains in one call (text mode: a table of verdicts), then stops the lab.
# Needs root; needs no network beyond loopback.
set -u
[ $# -eq 1 ] || { echo "usage: $0 MAILTLS" >&2; exit 2; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.." || exit 1
LAB=${LAB:-/tmp/mailtls-demo}

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (Postfix on port 25, nginx on 443)" >&2; exit 1; }
trap 'tests/lab/domain-lab.sh stop "$LAB" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM

echo "demo: starting the lab (Knot with signed zones, Postfix, nginx on loopback) ..."
tests/lab/domain-lab.sh start "$LAB" || { echo "demo: the lab did not start" >&2; exit 1; }
# shellcheck disable=SC1091
. "$LAB/env"

DEMO_DOMAINS="dane-ee.example mismatch.example twomx.example dualstack.example sts-enforce.example
sts-testing.example unsigned.example nullmx.example"
[ "$IPV6" = 1 ] || DEMO_DOMAINS=${DEMO_DOMAINS/dualstack.example/}

# shellcheck disable=SC2206  # the domain list is split on purpose
ARGS=(check $DEMO_DOMAINS --resolver "$RESOLVER" --trust-anchor "$ANCHORS" --ca-file "$CA" --timeout 20)
echo "\$ mailtls ${ARGS[*]}"
"$BIN" "${ARGS[@]}"
rc=$?
echo "demo: mailtls exited with $rc (1 = some domain has a finding at or above --fail-on high)"
[ "$rc" -le 1 ]
