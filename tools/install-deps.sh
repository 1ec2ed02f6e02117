#!/bin/sh
# Install every Debian package that building, testing, the demo and the benchmarks need.
# Idempotent: packages already present are left alone.
set -e
PKGS="build-essential clang llvm libclang-rt-14-dev pkg-config
 libssl-dev openssl libunbound-dev libevent-dev libcurl4-openssl-dev libsqlite3-dev libjansson-dev libcmocka-dev
 postfix knot knot-dnsutils nginx-light faketime dns-root-data testssl.sh nmap iproute2 python3 jq procps psmisc
 unbound libidn12 bc util-linux strace libidn2-dev sqlite3 libpq-dev postgresql
 swaks libnet-ssleay-perl msmtp fetchmail mutt sendxmpp
 postfix-mta-sts-resolver
 dovecot-imapd dovecot-pop3d prosody ejabberd chromium sslscan"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Exim and OpenSMTPD conflict with Postfix as packages; the tests run them unpacked from these
# .deb files (tests/lab/exim.sh, tests/lab/opensmtpd.sh), kept here.
DEBCACHE=${LAB_DEBCACHE:-/var/cache/mailtls-lab}
DEBS="exim4-daemon-light exim4-base opensmtpd"
needdebs=""
for p in $DEBS; do
	ls "$DEBCACHE/${p}"_*.deb >/dev/null 2>&1 || needdebs="$needdebs $p"
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ -z "$missing" ] && [ -z "$needdebs" ]; then
	echo "deps: all packages present"
	exit 0
fi
$SUDO apt-get update -q
if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	# Postfix asks a question on install; answer it so the install never waits.
	echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi
if [ -n "$needdebs" ]; then
	echo "deps: fetching for the test lab (not installed):$needdebs"
	$SUDO mkdir -p "$DEBCACHE"
	(cd "$DEBCACHE" && $SUDO apt-get download -q $needdebs)
fi
