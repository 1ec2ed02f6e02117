#!/bin/bash
# websrv.sh -- nginx for the provider lab: a web host with or without HSTS and the http://
# redirect, and the Thunderbird autoconfig file (config-v1.1.xml).
#
# usage:
#   websrv.sh start NAME ADDR MODE DOMAIN BASEDIR   MODE:
#       good   443: HSTS max-age=31536000; includeSubDomains; 80: 301 to https://;
#              autoconfig.DOMAIN advises SSL (993, 995, 465)
#       lax    443: no HSTS; 80: a page, no redirect; autoconfig advises STARTTLS (143, 587)
#              and plain POP3 (110)
#   websrv.sh stop NAME BASEDIR
#   websrv.sh conncount NAME BASEDIR    requests in the access log
# BASEDIR/certs: provider-chain.pem, provider.key (provider-cert.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
cmd=${1:-}; name=${2:-}
case $cmd in
start) [ $# -eq 6 ] || lab_die "usage: start NAME ADDR MODE DOMAIN BASEDIR"; addr=$3; mode=$4; domain=$5; base=$6 ;;
stop|conncount) [ $# -eq 3 ] || lab_die "usage: $cmd NAME BASEDIR"; base=$3 ;;
*) lab_die "usage: start|stop|conncount NAME ..." ;;
esac
lab_check_name "$name"
dir=$(lab_basedir "$base")/$name
do_stop() {
	local pid
	pid=$(cat "$dir/nginx.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -f "$dir/nginx.pid"
}
case $cmd in
stop) do_stop; exit 0 ;;
conncount) wc -l <"$dir/access.log" 2>/dev/null || echo 0; exit 0 ;;
esac
lab_check_addr4 "$addr" "websrv.sh wants a 127.x.y.z address"
do_stop
mkdir -p "$dir/html/mail"
certs=$(lab_basedir "$base")/certs
echo "<!DOCTYPE html><title>$domain</title><p>lab web host" >"$dir/html/index.html"
if [ "$mode" = good ]; then
	hsts='add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;'
	http80='return 301 https://$host$request_uri;'
	socket_in=SSL; p_imap=993; p_pop=995; p_smtp=465; s_pop=SSL; s_smtp=SSL
else
	hsts=''
	http80='root '"$dir"'/html;'
	socket_in=STARTTLS; p_imap=143; p_pop=110; p_smtp=587; s_pop=plain; s_smtp=STARTTLS
fi
cat >"$dir/html/mail/config-v1.1.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="$domain">
    <domain>$domain</domain>
    <incomingServer type="imap">
      <hostname>mail.$domain</hostname>
      <port>$p_imap</port>
      <socketType>$socket_in</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>mail.%EMAILDOMAIN%</hostname>
      <port>$p_pop</port>
      <socketType>$s_pop</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.$domain</hostname>
      <port>$p_smtp</port>
      <socketType>$s_smtp</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>
XML
cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
  access_log $dir/access.log;
  default_type text/plain;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  server {
    listen $addr:443 ssl;
    server_name $domain www.$domain;
    ssl_certificate $certs/provider-chain.pem;
    ssl_certificate_key $certs/provider.key;
    $hsts
    root $dir/html;
  }
  server {
    listen $addr:443 ssl;
    server_name autoconfig.$domain;
    ssl_certificate $certs/provider-chain.pem;
    ssl_certificate_key $certs/provider.key;
    root $dir/html;
    types { text/xml xml; }
  }
  server {
    listen $addr:80;
    server_name $domain www.$domain;
    $http80
  }
}
CONF
mkdir -p "$dir/tmp"
: >"$dir/access.log"
nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" </dev/null >"$dir/start.log" 2>&1 || { cat "$dir/start.log" >&2; lab_die "nginx $name did not start"; }
lab_wait_port "$addr" 443 open 50 || lab_die "nginx $name: 443 not listening"
