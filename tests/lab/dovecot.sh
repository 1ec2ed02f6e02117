#!/bin/bash
# dovecot.sh -- private Dovecot instances (IMAP 143/993, POP3 110/995) on a loopback address.
#
# usage:
#   dovecot.sh start NAME ADDR MODE BASEDIR   (re)start; MODE:
#       strict    ssl = required, disable_plaintext_auth = yes   (STARTTLS LOGINDISABLED)
#       lax       ssl = yes, disable_plaintext_auth = no          (AUTH=PLAIN before TLS)
#       yes       ssl = yes, disable_plaintext_auth = yes
#       notls     ssl = no, disable_plaintext_auth = no           (no STARTTLS at all)
#   dovecot.sh stop NAME BASEDIR
#   dovecot.sh conncount NAME BASEDIR    connections seen (login processes' "Disconnected" and
#                                        "Login" lines, from the log), after a settle time
#   dovecot.sh resetlog NAME BASEDIR
# BASEDIR/certs must hold provider-chain.pem and provider.key (provider-cert.sh).
# The instance also offers an auth socket, BASEDIR/NAME/run/auth-client (0666), for Postfix SASL.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

cmd=${1:-}; name=${2:-}
case $cmd in
start) [ $# -eq 5 ] || lab_die "usage: start NAME ADDR MODE BASEDIR"; addr=$3; mode=$4; base=$5 ;;
stop|conncount|resetlog) [ $# -eq 3 ] || lab_die "usage: $cmd NAME BASEDIR"; base=$3 ;;
*) lab_die "usage: start|stop|conncount|resetlog NAME ..." ;;
esac
lab_check_name "$name"
dir=$(lab_basedir "$base")/$name

do_stop() {
	local pid
	if [ -f "$dir/run/master.pid" ]; then
		pid=$(cat "$dir/run/master.pid" 2>/dev/null || true)
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	if [ -f "$dir/listen" ]; then
		read -r a p <"$dir/listen"
		lab_wait_port "$a" "$p" closed 50 || true
	fi
}

case $cmd in
stop) do_stop; exit 0 ;;
resetlog) cat "$dir/dovecot.log" >>"$dir/dovecot.log.old" 2>/dev/null || true; : >"$dir/dovecot.log"; exit 0 ;;
conncount)
	# every accepted connection ends in exactly one "Disconnected"/"Logged out"/"Connection closed"
	# line of a login process (imap-login, pop3-login)
	prev=-1
	for _ in $(seq 20); do
		n=$(grep -cE '(imap|pop3)-login: (Disconnected|Login|Aborted login|Connection closed|Error)' "$dir/dovecot.log" 2>/dev/null || true)
		[ "$n" = "$prev" ] && break
		prev=$n; sleep 0.3
	done
	echo "${n:-0}"; exit 0 ;;
esac

lab_check_addr4 "$addr" "dovecot.sh wants a 127.x.y.z address"
command -v dovecot >/dev/null || lab_die "dovecot missing (make deps)"
do_stop
mkdir -p "$dir/run" "$dir/state"
install -d -o dovecot -g dovecot "$dir/mail"
certs=$(lab_basedir "$base")/certs
case $mode in
strict) ssl=required; dpa=yes ;;
lax) ssl=yes; dpa=no ;;
yes) ssl=yes; dpa=yes ;;
notls) ssl=no; dpa=no ;;
*) lab_die "unknown MODE $mode" ;;
esac
sslopt=""
[ "$ssl" = no ] || sslopt="ssl = yes"
{
	cat <<CONF
protocols = imap pop3
listen = $addr
base_dir = $dir/run
state_dir = $dir/state
instance_name = mailtls-$name
log_path = $dir/dovecot.log
ssl = $ssl
CONF
	[ "$ssl" = no ] || printf 'ssl_cert = <%s/provider-chain.pem\nssl_key = <%s/provider.key\n' "$certs" "$certs"
	cat <<CONF
disable_plaintext_auth = $dpa
auth_mechanisms = plain login
first_valid_uid = 100
login_trusted_networks =
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$dir/mail/%u
}
mail_location = maildir:~/Maildir
service auth {
  unix_listener auth-client {
    mode = 0666
  }
}
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = $([ "$ssl" = no ] && echo 0 || echo 993)
    $sslopt
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = $([ "$ssl" = no ] && echo 0 || echo 995)
    $sslopt
  }
}
CONF
} >"$dir/dovecot.conf"
echo 'alice:{PLAIN}secret123' >"$dir/passwd"
echo "$addr 143" >"$dir/listen"
: >"$dir/dovecot.log"
dovecot -c "$dir/dovecot.conf" </dev/null >"$dir/start.err" 2>&1 || { cat "$dir/start.err" >&2; lab_die "dovecot $name did not start"; }
lab_wait_port "$addr" 143 open 50 || { tail -20 "$dir/dovecot.log" >&2; lab_die "dovecot $name: 143 not listening"; }
# the first seconds bring "Waiting for authentication process": let auth start
sleep 0.3
