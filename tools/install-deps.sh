#!/bin/sh
# Install every Debian package that building, testing, the demo and the benchmarks need.
# Idempotent: packages already present are left alone.
set -e
PKGS="build-essential clang llvm libclang-rt-14-dev pkg-config
 libssl-dev openssl libunbound-dev libevent-dev libcurl4-openssl-dev libsqlite3-dev libjansson-dev libcmocka-dev
 postfix knot knot-dnsutils nginx-light faketime dns-root-data testssl.sh nmap iproute2 python3 jq procps psmisc
 unbound libidn12 bc util-linux strace"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing:$missing"
$SUDO apt-get update -q
# Postfix asks a question on install; answer it so the install never waits.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
