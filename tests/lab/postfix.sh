#!/bin/bash
# postfix.sh -- independent Postfix instances on loopback for tests and benchmarks.
# See docs/internals/test-lab.md.
#
# usage:
#   postfix.sh start NAME ADDR VARIANT [BASEDIR]
#   postfix.sh stop NAME [BASEDIR]
#   postfix.sh stopall [BASEDIR]
#   postfix.sh status NAME [BASEDIR]       exit 0 if running
#   postfix.sh conncount NAME [BASEDIR]    number of "connect from" lines in the instance's maillog
#   postfix.sh resetlog NAME [BASEDIR]     empty the instance's maillog (old content -> maillog.old)
#
#   ADDR     127.0.0.N (N != 1 recommended), or ::1 / [::1]
#   VARIANT  valid selfsigned expired wrongname weakkey notls authplain tls12 smtps defaults
#   BASEDIR  default /tmp/mailtls-lab (certificates in BASEDIR/certs, instance in BASEDIR/NAME)
#
# environment:
#   PORT=25            SMTP (STARTTLS) port
#   SMTPS_PORT=465     implicit-TLS port of the smtps variant
#   POSTFIX_EXTRA="k=v k=v"   extra main.cf settings, applied last (values without spaces)
#   LAB_CHROOT=n       chroot column for the daemons in master.cf (n or y)
#   LAB_VERBOSE=1      chatter on stderr
#
# Success is silent. Failures print the reason and the maillog tail on stderr.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
DEFAULT_BASEDIR=/tmp/mailtls-lab
PORT=${PORT:-25}
SMTPS_PORT=${SMTPS_PORT:-465}
POSTFIX_EXTRA=${POSTFIX_EXTRA:-}
LAB_CHROOT=${LAB_CHROOT:-n}
VARIANTS="valid selfsigned expired wrongname weakkey notls authplain tls12 smtps defaults"

LAB_CONF=etc/main.cf
LAB_LOG=maillog
usage() { lab_usage 4 11; }

basedir_of() { # [BASEDIR] -> absolute path
    local b
    b=$(lab_basedir "${1:-$DEFAULT_BASEDIR}")
    # The postfix user must reach BASEDIR/NAME/data (mktemp -d makes 0700 dirs).
    if ! runuser -u postfix -- test -x "$b" 2>/dev/null; then
        chmod go+x "$b"
        runuser -u postfix -- test -x "$b" 2>/dev/null ||
            lab_die "user postfix cannot traverse $b (check its parent directories' permissions)"
    fi
    echo "$b"
}

# ---- addresses -------------------------------------------------------------
# Sets FAMILY (4|6), HOSTPORT_ADDR (as written in master.cf), PLAIN_ADDR.
parse_addr() {
    local a=$1
    case $a in
    "[::1]" | "::1")
        FAMILY=6 PLAIN_ADDR=::1 HOSTPORT_ADDR="[::1]" ;;
    127.*)
        lab_check_addr4 "$a" "bad address '$a'"
        FAMILY=4 PLAIN_ADDR=$a HOSTPORT_ADDR=$a ;;
    *)
        lab_die "address '$a' is not loopback (127.0.0.0/8 or ::1): refused" ;;
    esac
}

# ---- the default instance ----------------------------------------------------
# `postfix -c DIR` is refused unless DIR is in the default instance's
# alternate_config_directories. Create a minimal /etc/postfix/main.cf if absent
# and add DIR idempotently, under a lock.
register_config_dir() {
    local dir=$1 cur
    mkdir -p /run/lock
    (
        flock 9
        if [ ! -e /etc/postfix/main.cf ]; then
            lab_say "creating minimal /etc/postfix/main.cf"
            cat >/etc/postfix/main.cf <<'EOF'
# Minimal main.cf created by mailtls tests/lab/postfix.sh.
# The default instance is not used by the lab; only alternate_config_directories
# matters (it lists the lab instances' config directories).
compatibility_level = 3.6
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
relayhost =
default_transport = error:mail is not delivered on this machine
local_transport = error:mail is not delivered on this machine
alternate_config_directories =
EOF
        fi
        cur=$(postconf -c /etc/postfix -h alternate_config_directories 2>/dev/null || true)
        # Keep the entries whose directory still exists (throw-away BASEDIRs
        # would otherwise pile up), and add ours.
        local d new="" found=0
        for d in $(echo "$cur" | tr ',' ' '); do
            [ "$d" = "$dir" ] && found=1
            if [ -d "$d" ] || [ "$d" = "$dir" ]; then new="${new:+$new, }$d"; fi
        done
        [ $found -eq 1 ] || new="${new:+$new, }$dir"
        if [ "$new" != "$(echo "$cur" | tr -s ' ,' ' ' | sed 's/^ //; s/ $//; s/ /, /g')" ]; then
            postconf -c /etc/postfix -e "alternate_config_directories = $new"
        fi
        # Postfix pauses while a main.cf it reads is less than ~2 s old; every
        # "postfix -c" reads this one too. Back-date it (see write_config).
        if [ -n "$(find /etc/postfix/main.cf -newermt '-10 seconds')" ]; then
            touch -d "@$(($(date +%s) - 10))" /etc/postfix/main.cf
        fi
    ) 9>/run/lock/mailtls-lab-postfix.lock
}

# ---- helpers on an instance --------------------------------------------------
pf() { # DIR postfix-args...
    local dir=$1
    shift
    postfix -c "$dir/etc" "$@"
}

running() { # DIR
    [ -f "$1/etc/main.cf" ] || return 1
    pf "$1" status >/dev/null 2>&1
}

instance_running() { # DIR (status)
    [ -f "$1/etc/main.cf" ] || return 1
    register_config_dir "$1/etc"
    running "$1"
}

count_conns() { # LOG; not "connect from", which also matches "disconnect from"
    grep -c ': connect from ' "$1" || true
}

log_tail() { # DIR
    local dir=$1
    echo "---- $dir/maillog (tail) ----" >&2
    tail -n 30 "$dir/maillog" >&2 2>/dev/null || echo "(no maillog)" >&2
    echo "----" >&2
}

# wait_closed DIR: ports of the instance no longer listen
wait_closed() {
    local dir=$1 a p
    [ -f "$dir/listen" ] || return 0
    for _ in $(seq 1 100); do
        local open=0
        while read -r a p; do
            if lab_is_listening "$a" "$p"; then open=1; fi
        done <"$dir/listen"
        [ $open -eq 0 ] && return 0
        sleep 0.1
    done
    return 1
}

do_stop() { # DIR
    local dir=$1 pid
    [ -f "$dir/etc/main.cf" ] || return 0
    register_config_dir "$dir/etc"
    pid=$(lab_pid_from "$dir/queue/pid/master.pid" || true)
    if ! running "$dir"; then
        # Not running (or never started): nothing of ours can hold its ports.
        return 0
    fi
    lab_say "stopping $dir"
    pf "$dir" stop >/dev/null 2>&1 || true
    if ! wait_closed "$dir"; then
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            echo "$PROG: master $pid of $dir did not stop, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait_closed "$dir" || { log_tail "$dir"; lab_die "ports of $dir still open"; }
    fi
    # The master is gone once its lock is released; status tells us.
    for _ in $(seq 1 50); do
        running "$dir" || return 0
        sleep 0.1
    done
    lab_die "instance $dir still running"
}

# ---- configuration -------------------------------------------------------------
write_config() { # DIR NAME BASEDIR VARIANT
    local dir=$1 name=$2 base=$3 variant=$4 certs="$3/certs" ch=$LAB_CHROOT

    cat >"$dir/etc/main.cf" <<EOF
# Postfix lab instance '$name' ($variant) -- generated by tests/lab/postfix.sh; do not edit.
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
syslog_name = postfix-$name
maillog_file = $dir/maillog
maillog_file_prefixes = $base
myhostname = $name.lab.example
mydomain = lab.example
myorigin = \$myhostname
mydestination =
relay_domains =
relayhost =
mynetworks =
inet_interfaces = $([ "$FAMILY" = 6 ] && echo "[::1]" || echo 127.0.0.1)
inet_protocols = $([ "$FAMILY" = 6 ] && echo ipv6 || echo ipv4)
# This instance never delivers anything anywhere.
default_transport = error:lab instance does not deliver mail
relay_transport = error:lab instance does not deliver mail
local_transport = error:lab instance does not deliver mail
alias_maps =
alias_database =
biff = no
smtpd_banner = \$myhostname ESMTP mailtls-lab $name
smtpd_peername_lookup = no
smtpd_relay_restrictions = reject_unauth_destination
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_new_tls_session_rate_limit = 0
smtpd_tls_loglevel = 1
EOF

    # A "good" TLS configuration shared by the certificate variants.
    local good="smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_ciphers = high
smtpd_tls_mandatory_ciphers = high
smtpd_tls_exclude_ciphers = aNULL, eNULL, kRSA, SHA1"
    local chain
    case $variant in
    valid | authplain | smtps) chain="$certs/valid.key, $certs/valid-chain.pem" ;;
    selfsigned) chain="$certs/selfsigned.key, $certs/selfsigned.pem" ;;
    expired) chain="$certs/expired.key, $certs/expired-chain.pem" ;;
    wrongname) chain="$certs/wrongname.key, $certs/wrongname-chain.pem" ;;
    weakkey) chain="$certs/rsa1024.key, $certs/rsa1024-chain.pem" ;;
    esac

    case $variant in
    valid | selfsigned | expired | wrongname | weakkey | smtps)
        printf '%s\nsmtpd_tls_chain_files = %s\n' "$good" "$chain" >>"$dir/etc/main.cf" ;;
    authplain)
        mkdir -p "$dir/etc/sasl"
        cat >"$dir/etc/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $dir/etc/sasl/sasldb2
mech_list: PLAIN LOGIN
EOF
        printf '%s\nsmtpd_tls_chain_files = %s\n' "$good" "$chain" >>"$dir/etc/main.cf"
        cat >>"$dir/etc/main.cf" <<EOF
# AUTH offered in the clear, before STARTTLS (Cyrus SASL, no user database needed to advertise)
smtpd_sasl_auth_enable = yes
smtpd_tls_auth_only = no
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $dir/etc/sasl
smtpd_sasl_security_options = noanonymous
EOF
        ;;
    notls)
        echo "smtpd_tls_security_level = none" >>"$dir/etc/main.cf" ;;
    tls12)
        cat >>"$dir/etc/main.cf" <<EOF
smtpd_tls_security_level = may
smtpd_tls_chain_files = $certs/valid.key, $certs/valid-chain.pem
smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2, <=TLSv1.2
smtpd_tls_ciphers = high
smtpd_tls_mandatory_ciphers = high
tls_high_cipherlist = ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384
EOF
        ;;
    defaults)
        # What Debian's postinst writes for TLS; protocols and ciphers stay Postfix's defaults.
        cat >>"$dir/etc/main.cf" <<EOF
smtpd_tls_cert_file = $certs/valid-chain.pem
smtpd_tls_key_file = $certs/valid.key
smtpd_tls_security_level = may
EOF
        ;;
    esac

    local kv
    for kv in $POSTFIX_EXTRA; do
        [[ $kv == *=* ]] || lab_die "POSTFIX_EXTRA item '$kv' is not key=value"
        postconf -c "$dir/etc" -e "${kv%%=*} = ${kv#*=}" || lab_die "POSTFIX_EXTRA item '$kv' rejected by postconf"
    done

    cat >"$dir/etc/master.cf" <<EOF
# Postfix lab instance '$name' -- generated by tests/lab/postfix.sh; do not edit.
$HOSTPORT_ADDR:$PORT inet n       -       $ch       -       -       smtpd
EOF
    if [ "$variant" = smtps ]; then
        cat >>"$dir/etc/master.cf" <<EOF
$HOSTPORT_ADDR:$SMTPS_PORT inet n       -       $ch       -       -       smtpd
  -o smtpd_tls_wrappermode=yes
  -o syslog_name=postfix-$name/smtps
EOF
    fi
    cat >>"$dir/etc/master.cf" <<EOF
pickup    unix  n       -       $ch       60      1       pickup
cleanup   unix  n       -       $ch       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       $ch       1000?   1       tlsmgr
rewrite   unix  -       -       $ch       -       -       trivial-rewrite
bounce    unix  -       -       $ch       -       0       bounce
defer     unix  -       -       $ch       -       0       bounce
trace     unix  -       -       $ch       -       0       bounce
verify    unix  -       -       $ch       -       1       verify
flush     unix  n       -       $ch       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       $ch       -       -       smtp
relay     unix  -       -       $ch       -       -       smtp
showq     unix  n       -       $ch       -       -       showq
error     unix  -       -       $ch       -       -       error
retry     unix  -       -       $ch       -       -       error
discard   unix  -       -       $ch       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       $ch       -       -       lmtp
anvil     unix  -       -       $ch       -       1       anvil
scache    unix  -       -       $ch       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

    {
        echo "$PLAIN_ADDR $PORT"
        [ "$variant" = smtps ] && echo "$PLAIN_ADDR $SMTPS_PORT"
    } >"$dir/listen"
    echo "$variant" >"$dir/variant"
    # Postfix sleeps until a freshly written main.cf/master.cf is >1 s old
    # (dict_load_file's race guard): back-date them and save ~2.5 s per start.
    touch -d "@$(($(date +%s) - 10))" "$dir/etc/main.cf" "$dir/etc/master.cf"
    [ -f "$dir/etc/sasl/smtpd.conf" ] && touch -d "@$(($(date +%s) - 10))" "$dir/etc/sasl/smtpd.conf"
    return 0
}

# ---- commands --------------------------------------------------------------------
cmd_start() {
    [ $# -ge 3 ] && [ $# -le 4 ] || usage
    local name=$1 addr=$2 variant=$3 base dir
    lab_check_name "$name"
    parse_addr "$addr"
    case " $VARIANTS " in *" $variant "*) ;; *) lab_die "unknown variant '$variant' (one of: $VARIANTS)" ;; esac
    [[ $PORT =~ ^[0-9]+$ && $SMTPS_PORT =~ ^[0-9]+$ ]] || lab_die "PORT/SMTPS_PORT must be numbers"
    [ "$LAB_CHROOT" = n ] || [ "$LAB_CHROOT" = y ] || lab_die "LAB_CHROOT must be n or y"
    command -v postfix >/dev/null || lab_die "postfix is not installed"
    base=$(basedir_of "${4:-}")
    dir="$base/$name"

    "$HERE/ca.sh" "$base/certs" || lab_die "ca.sh failed"

    mkdir -p "$dir/etc"
    register_config_dir "$dir/etc"
    do_stop "$dir"    # restart semantics: a running instance of that name is replaced

    # Someone else on our address and port?
    local p
    for p in "$PORT" $([ "$variant" = smtps ] && echo "$SMTPS_PORT"); do
        if lab_is_listening "$PLAIN_ADDR" "$p"; then
            lab_die "$HOSTPORT_ADDR:$p is already in use (another lab instance? see ss -ltnp)"
        fi
    done

    write_config "$dir" "$name" "$base" "$variant"
    mkdir -p "$dir/queue" "$dir/data"
    chown root:root "$dir/queue"
    chmod 755 "$dir" "$dir/etc" "$dir/queue"
    chown postfix:postfix "$dir/data"
    chmod 700 "$dir/data"
    [ -f "$dir/maillog" ] && mv -f "$dir/maillog" "$dir/maillog.old"
    : >"$dir/maillog"

    local out
    # "postfix start" runs check-fatal first, which creates the queue directories.
    if ! out=$(pf "$dir" start 2>&1); then
        echo "$out" >&2
        lab_start_failed "$dir" "postfix start failed for $dir"
    fi

    # Ready = the SMTP banner comes back; then the extra ports listen.
    local expect=tls
    case $variant in notls) expect=notls ;; authplain) expect=auth ;; esac
    lab_smtp_probe "$PLAIN_ADDR" "$PORT" "$expect" ||
        lab_start_failed "$dir" "instance $name ($variant) on $HOSTPORT_ADDR:$PORT did not come up"
    for p in $([ "$variant" = smtps ] && echo "$SMTPS_PORT"); do
        lab_wait_port "$PLAIN_ADDR" "$p" open 100 || lab_start_failed "$dir" "$HOSTPORT_ADDR:$p does not listen"
    done

    # Forget the readiness probe: wait until its session is logged, then start
    # the maillog afresh so that conncount counts only the caller's connections.
    lab_wait_for_line "$dir/maillog" ': disconnect from ' 50 || :
    # Postfix keeps running (and even offers STARTTLS) when a certificate or
    # key cannot be loaded: treat such startup complaints as failures.
    local complaints
    complaints=$(grep -E ': (fatal|panic|error): |: warning: .*(chain file|cert|key file|private key|TLS|SSL|SASL|sasl)' \
        "$dir/maillog" || true)
    if [ -n "$complaints" ]; then
        echo "$complaints" >&2
        lab_start_failed "$dir" "instance $name ($variant) complained while starting (see above)"
    fi
    cat "$dir/maillog" >>"$dir/maillog.start"
    : >"$dir/maillog"
    lab_say "started $name ($variant) on $HOSTPORT_ADDR:$PORT, config $dir"
}

# stop, stopall, status, conncount (re-read until stable for 0.3 s: postlogd writes the line a few
# milliseconds after smtpd accepted the connection) and resetlog: lib.sh.
lab_instance_main "$@"
