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
DEBS="exim4-daemon-light exim4-base"
needdebs=""
for p in $DEBS; do
	ls "$DEBCACHE/${p}"_*.deb >/dev/null 2>&1 || needdebs="$needdebs $p"
done
# OpenSMTPD 6.8 (Debian 12) completes no TLS handshake with OpenSSL 3 (its privilege-separated
# signing; OpenSMTPD issues #1171, #1239); 7.x does. Debian 12 has 7.x in its backports suite,
# which is added for `apt-get download` alone (backports are pinned at 100: nothing is ever
# installed from them unasked). A later Debian has 7.x in main.
# Debian 12's 6.8 is kept too: tests/real/advise.sh checks the advice for what Debian 12 users
# run (OPENSMTPD_MAJOR=6 tests/lab/opensmtpd.sh).
needosmtpd=0
ls "$DEBCACHE"/opensmtpd_[7-9]*.deb >/dev/null 2>&1 || needosmtpd=1
CODENAME=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
if [ "$CODENAME" = bookworm ] && ! ls "$DEBCACHE"/opensmtpd_6*.deb >/dev/null 2>&1; then
	needdebs="$needdebs opensmtpd/bookworm"
fi
BPO_LIST=/etc/apt/sources.list.d/mailtls-backports.sources
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ -z "$missing" ] && [ -z "$needdebs" ] && [ "$needosmtpd" = 0 ]; then
	echo "deps: all packages present"
	exit 0
fi
if [ "$needosmtpd" = 1 ] && [ "$CODENAME" = bookworm ] &&
    ! grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "deps: adding bookworm-backports to apt's sources ($BPO_LIST) for OpenSMTPD 7"
	printf '%s\n' "Types: deb" "URIs: http://deb.debian.org/debian" "Suites: bookworm-backports" \
	    "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
	    $SUDO tee "$BPO_LIST" >/dev/null
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
if [ "$needosmtpd" = 1 ]; then
	echo "deps: fetching OpenSMTPD 7 for the test lab (not installed)"
	$SUDO mkdir -p "$DEBCACHE"
	(cd "$DEBCACHE" && { $SUDO apt-get download -q "opensmtpd/$CODENAME-backports" ||
	    $SUDO apt-get download -q opensmtpd; })
	ls "$DEBCACHE"/opensmtpd_[7-9]*.deb >/dev/null 2>&1 ||
	    { echo "deps: no OpenSMTPD 7 .deb for $CODENAME (tests/lab/opensmtpd.sh needs one)" >&2; exit 1; }
fi
