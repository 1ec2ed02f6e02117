#!/bin/bash
# unbound.sh -- a validating unbound (Debian's daemon) on ADDR:53 that forwards everything to the
# lab's Knot and trusts only the lab's anchors: the system resolver for programs that cannot be
# given one (Postfix, posttls-finger, postfix-mta-sts-resolver), through a private mount namespace
# whose /etc/resolv.conf is DIR/resolv.conf ("nameserver ADDR", "options trust-ad").
#
# usage:
#   unbound.sh start DIR ADDR ANCHORS KNOT_PORT   (re)start it; wait until it validates
#   unbound.sh stop DIR
#   unbound.sh ns DIR CMD...                      run CMD in a mount namespace using it
#
# Success is silent; failures print the reason and the log's tail on stderr.
set -euo pipefail

die() { echo "unbound.sh: $*" >&2; exit 1; }

ub_stop() { # DIR
    local p exe
    p=$(cat "$1/unbound.pid" 2>/dev/null || :)
    exe=$(readlink -f "$(command -v unbound)")
    if [[ $p =~ ^[0-9]+$ ]] && [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$exe" ]; then
        kill "$p" 2>/dev/null || :
        for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$1/unbound.pid"
}

case ${1:-} in
start)
    [ $# = 5 ] || die "usage: unbound.sh start DIR ADDR ANCHORS KNOT_PORT"
    dir=$2 addr=$3 anchors=$4 port=$5
    [[ $addr =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "ADDR must be a 127.x.y.z address, not '$addr'"
    command -v unbound >/dev/null || die "unbound is not installed (make deps)"
    mkdir -p "$dir"
    ub_stop "$dir"
    cat >"$dir/unbound.conf" <<EOC
server:
    interface: $addr
    port: 53
    do-ip6: no
    username: ""
    chroot: ""
    directory: "$dir"
    pidfile: "$dir/unbound.pid"
    logfile: "$dir/unbound.log"
    use-syslog: no
    verbosity: 1
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: "validator iterator"
    trust-anchor-file: "$anchors"
    val-log-level: 2
remote-control:
    control-enable: no
forward-zone:
    name: "."
    forward-addr: 127.0.0.1@$port
EOC
    unbound-checkconf "$dir/unbound.conf" >/dev/null || die "unbound-checkconf refused $dir/unbound.conf"
    unbound -c "$dir/unbound.conf" || die "unbound did not start"
    zone=$(awk '/DNSKEY/ {print $1; exit}' "$anchors")
    for _ in $(seq 1 50); do
        if kdig @"$addr" +timeout=1 +retry=0 +dnssec "$zone" SOA 2>/dev/null | grep -qi '^;; flags:.* ad'; then
            printf 'nameserver %s\noptions trust-ad\n' "$addr" >"$dir/resolv.conf"
            exit 0
        fi
        sleep 0.1
    done
    tail "$dir/unbound.log" >&2 || :
    die "unbound on $addr does not validate $zone"
    ;;
stop)
    [ $# = 2 ] || die "usage: unbound.sh stop DIR"
    ub_stop "$2"
    ;;
ns)
    [ $# -ge 3 ] || die "usage: unbound.sh ns DIR CMD..."
    dir=$2
    shift 2
    [ -f "$dir/resolv.conf" ] || die "$dir/resolv.conf missing (start first)"
    exec unshare -m bash -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$dir/resolv.conf" "$@"
    ;;
*)
    die "usage: unbound.sh start|stop|ns ..."
    ;;
esac
