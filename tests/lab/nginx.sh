#!/bin/bash
# nginx.sh -- an nginx instance on loopback serving MTA-STS policies over HTTPS.
# See docs/internals/http.md.
#
# usage:
#   nginx.sh start [BASEDIR]     (re)generate certificates and config, start, wait until it listens
#   nginx.sh stop [BASEDIR]      stop and wait for the master process to exit
#   nginx.sh status [BASEDIR]    exit 0 if running
#
#   BASEDIR  default /tmp/mailtls-lab; the instance lives in BASEDIR/nginx
#
# environment:
#   NGINX_ADDR=127.0.0.10        every server block listens on NGINX_ADDR:NGINX_PORT (loopback only)
#   NGINX_PORT=443
#   CADIR=BASEDIR/ca             lab CA made by tests/lab/ca.sh; one leaf per mta-sts.DOMAIN is signed by it
#   POLICYDIR=tests/lab/mta-sts  one subdirectory per DOMAIN holding mta-sts.txt and an optional
#                                file "behaviour" with one line:
#                                  ok          serve mta-sts.txt as text/plain (default)
#                                  404         answer 404
#                                  redirect [URL]   301 to URL (default: the enforce.lab.example policy)
#                                  oversize    serve a 100 KiB body (mta-sts.txt + padding lines)
#                                  wrongtype   serve mta-sts.txt as text/html
#   LAB_VERBOSE=1                chatter on stderr
#
# Each policy is at https://mta-sts.DOMAIN/.well-known/mta-sts.txt, told apart by SNI/Host.
# An unknown name gets the default server: certificate for mx.lab.example, status 421.
# Success is silent. Failures print the reason and the error log tail on stderr.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
DEFAULT_BASEDIR=/tmp/mailtls-lab
NGINX_ADDR=${NGINX_ADDR:-127.0.0.10}
NGINX_PORT=${NGINX_PORT:-443}
POLICYDIR=${POLICYDIR:-$HERE/mta-sts}
START_WAIT=100      # tenths of a second until the port answers
STOP_WAIT=100       # tenths of a second until the master exits
OVERSIZE_BYTES=102400
DEFAULT_REDIRECT=https://mta-sts.enforce.lab.example/.well-known/mta-sts.txt

usage() { lab_usage 4 8; }

check_addr() {
    [[ $NGINX_ADDR =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] ||
        lab_die "NGINX_ADDR must be a 127.0.0.0/8 address, not '$NGINX_ADDR'"
    [[ $NGINX_PORT =~ ^[0-9]{1,5}$ ]] && [ "$NGINX_PORT" -ge 1 ] && [ "$NGINX_PORT" -le 65535 ] ||
        lab_die "bad NGINX_PORT '$NGINX_PORT'"
}

pid_of() { # PREFIX -> pid of a live master, or nothing
    local p
    p=$(cat "$1/nginx.pid" 2>/dev/null || :)
    [[ $p =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null && echo "$p" || :
}

log_tail() { tail -n 20 "$1/error.log" >&2 2>/dev/null || :; }

# ---- certificates -------------------------------------------------------------------------------
# leaf_ok CERT KEY: issued by the current CA, key matches, not expiring within two days
leaf_ok() {
    [ -s "$1" ] && [ -s "$2" ] || return 1
    openssl verify -CAfile "$CADIR/ca.pem" "$1" >/dev/null 2>&1 || return 1
    openssl x509 -in "$1" -noout -checkend 172800 >/dev/null 2>&1 || return 1
    [ "$(openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256)" = \
      "$(openssl pkey -in "$2" -pubout -outform DER | openssl dgst -sha256)" ]
}

# make_leaf HOST DIR: DIR/HOST.pem, DIR/HOST.key, DIR/HOST-chain.pem
make_leaf() {
    local host=$1 dir=$2 tmp
    if leaf_ok "$dir/$host.pem" "$dir/$host.key"; then
        cat "$dir/$host.pem" "$CADIR/ca.pem" >"$dir/$host-chain.pem"
        return 0
    fi
    lab_say "making certificate for $host"
    tmp=$(mktemp -d "$dir/.tmp.XXXXXX")
    cat >"$tmp/ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=DNS:$host
EOF
    if ! { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/key" &&
           openssl req -new -key "$tmp/key" -subj "/O=mailtls lab/CN=$host" -out "$tmp/csr" &&
           openssl x509 -req -in "$tmp/csr" -CA "$CADIR/ca.pem" -CAkey "$CADIR/ca.key" \
               -set_serial "0x$(openssl rand -hex 12)" -sha256 -days 825 \
               -extfile "$tmp/ext" -out "$tmp/pem"; } >"$tmp/log" 2>&1; then
        cat "$tmp/log" >&2
        rm -rf "$tmp"
        lab_die "cannot make a certificate for $host"
    fi
    chmod 600 "$tmp/key"
    mv -f "$tmp/key" "$dir/$host.key"
    mv -f "$tmp/pem" "$dir/$host.pem"
    rm -rf "$tmp"
    cat "$dir/$host.pem" "$CADIR/ca.pem" >"$dir/$host-chain.pem"
}

# ---- configuration ------------------------------------------------------------------------------
# server_block DOMAIN PREFIX: writes www/DOMAIN and prints the server { } block
server_block() {
    local domain=$1 prefix=$2 host="mta-sts.$1" src="$POLICYDIR/$1" behaviour arg root loc i
    root="$prefix/www/$domain"
    mkdir -p "$root/.well-known"
    behaviour=ok arg=
    if [ -f "$src/behaviour" ]; then
        read -r behaviour arg <"$src/behaviour" || :
        behaviour=${behaviour:-ok}
    fi
    case $behaviour in
    ok | wrongtype | 404 | redirect)
        cp "$src/mta-sts.txt" "$root/.well-known/mta-sts.txt" ;;
    oversize)
        # The policy, then padding lines (unknown keys to a parser) up to exactly OVERSIZE_BYTES.
        local f="$root/.well-known/mta-sts.txt" pad
        cp "$src/mta-sts.txt" "$f"
        pad="x-padding: $(printf '%070d' 0)"
        while [ "$(wc -c <"$f")" -lt "$OVERSIZE_BYTES" ]; do
            for ((i = 0; i < 64; i++)); do echo "$pad"; done >>"$f"
        done
        truncate -s "$OVERSIZE_BYTES" "$f" ;;
    *)
        lab_die "$src/behaviour: unknown behaviour '$behaviour'" ;;
    esac
    chmod -R a+rX "$prefix/www"

    case $behaviour in
    ok | oversize) loc="default_type text/plain;" ;;
    wrongtype) loc="default_type text/html;" ;;
    404) loc="return 404;" ;;
    redirect)
        arg=${arg:-$DEFAULT_REDIRECT}
        [[ $arg =~ ^https://[^[:space:]\;\"\'{}]+$ ]] || lab_die "$src/behaviour: redirect target must be an https URL"
        loc="return 301 $arg;" ;;
    esac
    cat <<EOF
    server {
        listen $NGINX_ADDR:$NGINX_PORT ssl;
        server_name $host;
        ssl_certificate $prefix/certs/$host-chain.pem;
        ssl_certificate_key $prefix/certs/$host.key;
        root $root;
        location = /.well-known/mta-sts.txt { $loc }
        location / { return 404; }
    }
EOF
}

write_config() { # PREFIX
    local prefix=$1 d domain conf="$1/nginx.conf.new" n=0
    mkdir -p "$prefix/certs" "$prefix/tmp"
    rm -rf "$prefix/www"
    {
        cat <<EOF
# generated by $PROG; edits are lost on the next start
user $(id -un) $(id -gn);
worker_processes 1;
daemon on;
pid $prefix/nginx.pid;
error_log $prefix/error.log info;
events { worker_connections 256; }
http {
    access_log $prefix/access.log;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    types { }
    default_type text/plain;
    charset off;
    server_tokens off;
    ssl_protocols TLSv1.2 TLSv1.3;

    server {
        listen $NGINX_ADDR:$NGINX_PORT ssl default_server;
        server_name _;
        ssl_certificate $CADIR/valid-chain.pem;
        ssl_certificate_key $CADIR/valid.key;
        return 421;
    }
EOF
        for d in "$POLICYDIR"/*/; do
            [ -d "$d" ] || continue
            domain=$(basename "$d")
            [[ $domain =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,200}[A-Za-z0-9])?$ ]] ||
                lab_die "bad policy directory name '$domain'"
            [ -f "$d/mta-sts.txt" ] || lab_die "$d: no mta-sts.txt"
            make_leaf "mta-sts.$domain" "$prefix/certs"
            server_block "$domain" "$prefix"
            n=$((n + 1))
        done
        echo "}"
    } >"$conf"
    [ "$n" -gt 0 ] || lab_die "no policy directories in $POLICYDIR"
    mv -f "$conf" "$prefix/nginx.conf"
    lab_say "$n policy hosts on $NGINX_ADDR:$NGINX_PORT"
}

# ---- start / stop -------------------------------------------------------------------------------
port_open() { (exec 3<>"/dev/tcp/$NGINX_ADDR/$NGINX_PORT") 2>/dev/null; }

do_stop() { # PREFIX
    local prefix=$1 pid i
    pid=$(pid_of "$prefix")
    [ -n "$pid" ] || return 0
    lab_say "stopping nginx $pid"
    kill -TERM "$pid" 2>/dev/null || :
    for ((i = 0; i < STOP_WAIT; i++)); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$prefix/nginx.pid"; return 0; }
        sleep 0.1
    done
    echo "$PROG: nginx $pid did not exit in $((STOP_WAIT / 10)) s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || :
    sleep 0.2
    rm -f "$prefix/nginx.pid"
}

do_start() { # PREFIX
    local prefix=$1 i
    command -v nginx >/dev/null || lab_die "nginx not installed (apt-get install nginx-light)"
    [ -d "$POLICYDIR" ] || lab_die "no policy directory $POLICYDIR"
    "$HERE/ca.sh" "$CADIR" || lab_die "tests/lab/ca.sh $CADIR failed"
    do_stop "$prefix"
    port_open && lab_die "$NGINX_ADDR:$NGINX_PORT is already in use by another program"
    write_config "$prefix"
    : >"$prefix/error.log"
    : >"$prefix/access.log"
    if ! nginx -q -t -c "$prefix/nginx.conf" -p "$prefix" -e "$prefix/error.log" 2>>"$prefix/error.log" 9>&-; then
        log_tail "$prefix"
        lab_die "configuration test failed ($prefix/nginx.conf)"
    fi
    if ! nginx -c "$prefix/nginx.conf" -p "$prefix" -e "$prefix/error.log" 2>>"$prefix/error.log" 9>&-; then
        log_tail "$prefix"
        lab_die "nginx did not start"
    fi
    for ((i = 0; i < START_WAIT; i++)); do
        if [ -n "$(pid_of "$prefix")" ] && port_open; then
            lab_say "nginx $(pid_of "$prefix") listening on $NGINX_ADDR:$NGINX_PORT"
            return 0
        fi
        sleep 0.1
    done
    log_tail "$prefix"
    do_stop "$prefix"
    lab_die "nginx not listening on $NGINX_ADDR:$NGINX_PORT after $((START_WAIT / 10)) s"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
[ $# -le 1 ] || usage
BASEDIR=$(lab_basedir "${1:-$DEFAULT_BASEDIR}")
CADIR=${CADIR:-$BASEDIR/ca}
PREFIX=$BASEDIR/nginx
mkdir -p "$PREFIX"
check_addr

# One caller at a time per instance.
exec 9>"$PREFIX/.lock"
flock -w 60 9 || lab_die "another $PROG holds $PREFIX/.lock"

case $cmd in
start) do_start "$PREFIX" ;;
stop) do_stop "$PREFIX" ;;
status) [ -n "$(pid_of "$PREFIX")" ] ;;
*) usage ;;
esac
