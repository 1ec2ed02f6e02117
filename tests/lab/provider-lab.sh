#!/bin/bash
# provider-lab.sh -- the provider lab (issue 8): two providers on 127.0.14.x, served by Knot.
#
# usage: provider-lab.sh start|stop [BASEDIR]     (default /tmp/mailtls-provider)
#
#   lab-provider.example  (DNSSEC-signed)             lab-lax.example (unsigned)
#   127.0.14.2 Dovecot strict: imap 143/993, pop3    127.0.14.3 Dovecot lax (AUTH=PLAIN, USER
#              110/995 (mail.)                                  before TLS) (mail.)
#   127.0.14.4 Prosody, TLS required (xmpp.)         127.0.14.5 Prosody, TLS optional (xmpp.)
#   127.0.14.8 Postfix: MX 25, submission 587 with   127.0.14.9 Postfix: MX 25, submission 587
#              smtpd_tls_auth_only = yes, 465                   with smtpd_tls_auth_only = no
#              wrapper (smtp.)                                   (smtp.)
#   127.0.14.10 nginx: HSTS, redirect, autoconfig    127.0.14.11 nginx: no HSTS, no redirect,
#               advising SSL                                     autoconfig advising STARTTLS/plain
#   127.0.14.6 ejabberd (ejabberd.sh): c2s 5222 with <required/>, 5223 direct TLS, s2s 5269
#              required; 127.0.14.7: c2s 5222 with STARTTLS optional.  Hosts: both domains above
#              and lab-srvname.example (signed), whose certificate names only its SRV target
#              xmpp.lab-srvname.example (CN=lab-srvname.example, ignored next to a DNS-ID)
#   SRV: RFC 6186 (_imap(s), _pop3(s), _submission(s)), RFC 6120 (_xmpp-client, _xmpp-server),
#        XEP-0368 (_xmpps-client, _xmpps-server) in lab-provider.example; only _imap._tcp and
#        _xmpp-client._tcp in lab-lax.example (the rest is left to autoconfig and guessing)
#        lab-srvname.example: _xmpp-client, _xmpp-server, _xmpps-client -> xmpp. (ejabberd) only
#   TLSA (lab-provider.example): _25._tcp.mx, _993._tcp.mail, _5222._tcp.xmpp (3 1 1, right),
#        _5269._tcp.xmpp (3 1 1, wrong: DANE broken)
# Knot answers on 127.0.0.1@PROVIDER_KNOT_PORT (default 53614); BASEDIR/knot/anchors.txt is the
# trust anchor, BASEDIR/certs/ca.pem the CA.  Prints "resolver 127.0.0.1@PORT" when ready.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
cmd=${1:-}
BASE=$(lab_basedir "${2:-/tmp/mailtls-provider}")
PORT=${PROVIDER_KNOT_PORT:-53614}
export LAB_VERBOSE

# in parallel: one by one, the daemons' shutdowns took about 17 s
stop_all() {
	"$HERE/dovecot.sh" stop dvstrict "$BASE" &
	"$HERE/dovecot.sh" stop dvlax "$BASE" &
	"$HERE/prosody.sh" stop prreq "$BASE" &
	"$HERE/prosody.sh" stop propt "$BASE" &
	"$HERE/ejabberd.sh" stop ejab "$BASE" &
	"$HERE/websrv.sh" stop webgood "$BASE" &
	"$HERE/websrv.sh" stop weblax "$BASE" &
	{ "$HERE/postfix.sh" stop pfgood "$BASE"; "$HERE/postfix.sh" stop pflax "$BASE"
	  "$HERE/postfix.sh" stop pf465 "$BASE"; } >/dev/null 2>&1 &
	KNOT_PORT=$PORT "$HERE/knot.sh" stop "$BASE/knot" &
	wait || true
}
case $cmd in
stop) stop_all; exit 0 ;;
start) ;;
*) lab_die "usage: start|stop [BASEDIR]" ;;
esac

"$HERE/provider-cert.sh" "$BASE/certs"
spki=$(openssl x509 -in "$BASE/certs/provider.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
wrong=$(printf '%064d' 0 | tr 0 a)
mkdir -p "$BASE/zones"
cat >"$BASE/zones/lab-provider.example.zone" <<ZONE
\$ORIGIN lab-provider.example.
\$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 127.0.0.1
@ A 127.0.14.10
@ MX 10 mx
mx A 127.0.14.8
smtp A 127.0.14.8
mail A 127.0.14.2
xmpp A 127.0.14.4
autoconfig A 127.0.14.10
_imaps._tcp SRV 0 1 993 mail
_imap._tcp SRV 10 1 143 mail
_pop3s._tcp SRV 0 1 995 mail
_pop3._tcp SRV 10 1 110 mail
_submissions._tcp SRV 0 1 465 smtp
_submission._tcp SRV 10 1 587 smtp
_xmpp-client._tcp SRV 0 1 5222 xmpp
_xmpps-client._tcp SRV 0 1 5223 xmpp
_xmpp-server._tcp SRV 0 1 5269 xmpp
_xmpps-server._tcp SRV 0 1 5270 xmpp
_25._tcp.mx TLSA 3 1 1 $spki
_993._tcp.mail TLSA 3 1 1 $spki
_5222._tcp.xmpp TLSA 3 1 1 $spki
_5269._tcp.xmpp TLSA 3 1 1 $wrong
ZONE
cat >"$BASE/zones/lab-lax.example.zone" <<ZONE
\$ORIGIN lab-lax.example.
\$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 127.0.0.1
@ A 127.0.14.11
@ MX 10 mx
mx A 127.0.14.9
smtp A 127.0.14.9
mail A 127.0.14.3
imap A 127.0.14.3
xmpp A 127.0.14.5
autoconfig A 127.0.14.11
_imap._tcp SRV 0 1 143 mail
_xmpp-client._tcp SRV 0 1 5222 xmpp
ZONE
cat >"$BASE/zones/lab-srvname.example.zone" <<ZONE
\$ORIGIN lab-srvname.example.
\$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 127.0.0.1
xmpp A 127.0.14.6
_xmpp-client._tcp SRV 0 1 5222 xmpp
_xmpps-client._tcp SRV 0 1 5223 xmpp
_xmpp-server._tcp SRV 0 1 5269 xmpp
ZONE
stop_all
KNOT_PORT=$PORT ZONEDIR="$BASE/zones" UNSIGNED_ZONES="lab-lax.example" "$HERE/knot.sh" start "$BASE/knot"
"$HERE/dovecot.sh" start dvstrict 127.0.14.2 strict "$BASE" &
"$HERE/dovecot.sh" start dvlax 127.0.14.3 lax "$BASE" &
"$HERE/prosody.sh" start prreq 127.0.14.4 required "$BASE" &
"$HERE/prosody.sh" start propt 127.0.14.5 optional "$BASE" &
# Erlang starts slowly (about 1.5 s): in parallel with the rest, once per lab start
"$HERE/ejabberd.sh" start ejab 127.0.14.6 127.0.14.7 "$BASE" &
"$HERE/websrv.sh" start webgood 127.0.14.10 good lab-provider.example "$BASE" &
"$HERE/websrv.sh" start weblax 127.0.14.11 lax lab-lax.example "$BASE" &
# Postfix: MX + submission (587, AUTH only inside TLS), and the lax twin; 465 wrapper mode
cp "$BASE/certs/provider.pem" "$BASE/certs/valid.pem.provider" 2>/dev/null || true
PORT=25 POSTFIX_EXTRA="smtpd_tls_auth_only=no smtpd_tls_chain_files=$BASE/certs/provider.key,$BASE/certs/provider-chain.pem" \
	"$HERE/postfix.sh" start pfgood 127.0.14.8 authplain "$BASE" &
PORT=25 POSTFIX_EXTRA="smtpd_tls_auth_only=no smtpd_tls_chain_files=$BASE/certs/provider.key,$BASE/certs/provider-chain.pem" \
	"$HERE/postfix.sh" start pflax 127.0.14.9 authplain "$BASE" &
wait
# submission ports: the same instances, extra master.cf services (587 STARTTLS, 465 wrapper)
for i in pfgood:127.0.14.8 pflax:127.0.14.9; do
	n=${i%%:*}; a=${i#*:}
	mc="$BASE/$n/etc/master.cf"
	if ! grep -q "^$a:587" "$mc"; then
		cat >>"$mc" <<MC
$a:587 inet n - n - - smtpd
  -o syslog_name=postfix-$n/submission
$a:465 inet n - n - - smtpd
  -o syslog_name=postfix-$n/submissions
  -o smtpd_tls_wrappermode=yes
MC
		# pfgood: AUTH only inside TLS (after the start-up check, which wants AUTH before TLS)
		[ "$n" = pfgood ] && postconf -c "$BASE/$n/etc" -e "smtpd_tls_auth_only = yes"
		postfix -c "$BASE/$n/etc" reload >/dev/null 2>&1 || true
	fi
	lab_wait_port "$a" 587 open 50 || lab_die "postfix $n: 587 not listening"
done
echo "resolver 127.0.0.1@$PORT"
