#!/bin/bash
# exim.sh -- Exim (Debian's exim4-daemon-light, TLS through GnuTLS) on loopback, run from the
# unpacked .deb files so that it does not conflict with the installed Postfix.
# See docs/internals/full-tests.md.
#
# usage:
#   exim.sh start NAME ADDR [BASEDIR]     (re)start instance NAME on ADDR:PORT; returns when it answers EHLO
#   exim.sh stop NAME [BASEDIR]           stop it; returns when its port is closed
#   exim.sh stopall [BASEDIR]             stop every Exim instance under BASEDIR
#   exim.sh status NAME [BASEDIR]         exit 0 if running
#   exim.sh conncount NAME [BASEDIR]      TCP connections accepted or refused since start
#   exim.sh resetlog NAME [BASEDIR]       empty its mainlog (old content -> mainlog.old)
#
#   ADDR     127.0.0.0/8 only (Exim binds it directly: local_interfaces)
#   BASEDIR  default /tmp/mailtls-lab; the certificate comes from BASEDIR/certs (tests/lab/ca.sh),
#            the unpacked packages live in BASEDIR/.pkg, the instance in BASEDIR/NAME
#
# environment:
#   PORT=25                       SMTP (STARTTLS) port
#   EXIM_EXTRA='opt = value'      extra main-section lines (newline-separated), appended last
#   LAB_DEBCACHE=/var/cache/mailtls-lab   where the .deb files are kept (apt-get download only
#                                 when missing)
#   LAB_VERBOSE=1                 chatter on stderr
#
# Needs root, the package libidn12 (exim4 links it; `make deps`), and creates the system user
# Debian-exim when absent. /usr/sbin/exim4 is NOT needed: Exim re-executes itself there only to
# deliver a message or on SIGHUP, and the lab refuses every RCPT, so no message is ever accepted.
# Success is silent; failures print the reason and the log tail on stderr.
set -euo pipefail

PROG=$(basename "$0")
HERE=$(cd "$(dirname "$0")" && pwd)
DEFAULT_BASEDIR=/tmp/mailtls-lab
PORT=${PORT:-25}
EXIM_EXTRA=${EXIM_EXTRA:-}
LAB_DEBCACHE=${LAB_DEBCACHE:-/var/cache/mailtls-lab}
LAB_VERBOSE=${LAB_VERBOSE:-0}
PKGS="exim4-daemon-light exim4-base"

die() { echo "$PROG: $*" >&2; exit 1; }
say() { [ "$LAB_VERBOSE" = 1 ] && echo "$PROG: $*" >&2 || :; }
usage() {
    sed -n '5,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

check_name() {
    [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$ ]] || die "bad instance name '$1' (letters, digits, - and _)"
}

check_addr() {
    [[ $1 =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || die "address '$1' is not 127.0.0.0/8: refused"
    local o
    for o in "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"; do
        [ "$o" -le 255 ] || die "bad address '$1'"
    done
}

basedir_of() {
    local b=${1:-$DEFAULT_BASEDIR}
    mkdir -p "$b"
    b=$(cd "$b" && pwd -P)
    chmod go+x "$b"
    echo "$b"
}

is_listening() { # ADDR PORT
    ss -Hltn 2>/dev/null | awk '{print $4}' | grep -qxF -- "$1:$2"
}

# ---- packages ---------------------------------------------------------------------
# deb_of PKG: the newest cached .deb of PKG, downloaded with apt-get download when missing.
deb_of() {
    local pkg=$1 f
    mkdir -p "$LAB_DEBCACHE"
    f=$(ls "$LAB_DEBCACHE/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$f" ]; then
        say "apt-get download $pkg"
        # apt warns that _apt cannot write the cache directory; the download still works.
        (cd "$LAB_DEBCACHE" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
        f=$(ls "$LAB_DEBCACHE/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
        [ -n "$f" ] || die "cannot download $pkg (apt-get download $pkg in $LAB_DEBCACHE)"
    fi
    echo "$f"
}

# unpack BASE: sets ROOT to the unpacked tree of $PKGS (one tree per set of package versions)
unpack() {
    local base=$1 debs="" d key
    for d in $PKGS; do debs="$debs $(deb_of "$d")"; done
    key=$(for d in $debs; do basename "$d" .deb; done | sha256sum | cut -c1-12)
    ROOT="$base/.pkg/exim4-$key"
    mkdir -p "$base/.pkg"
    (
        flock 9
        if [ ! -f "$ROOT/.unpacked" ]; then
            rm -rf "$ROOT"
            mkdir -p "$ROOT"
            for d in $debs; do dpkg-deb -x "$d" "$ROOT"; done
            touch "$ROOT/.unpacked"
        fi
    ) 9>"$base/.pkg/.exim.lock"
    [ -x "$ROOT/usr/sbin/exim4" ] || die "no usr/sbin/exim4 in $ROOT"
    if ldd "$ROOT/usr/sbin/exim4" | grep -q 'not found'; then
        die "exim4 misses libraries: $(ldd "$ROOT/usr/sbin/exim4" | grep 'not found' | awk '{print $1}' | tr '\n' ' ')(apt-get install libidn12; it is in make deps)"
    fi
}

ensure_user() {
    getent group Debian-exim >/dev/null || groupadd --system Debian-exim
    id Debian-exim >/dev/null 2>&1 ||
        useradd --system --gid Debian-exim --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin Debian-exim
}

# ---- instance helpers -----------------------------------------------------------
pid_of() { # DIR
    local f="$1/exim.pid"
    [ -f "$f" ] && tr -dc '0-9' <"$f"
}

running() { # DIR
    local pid
    pid=$(pid_of "$1" || true)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q exim4 "/proc/$pid/cmdline" 2>/dev/null
}

log_tail() {
    echo "---- $1/log/mainlog, paniclog, exim.out (tail) ----" >&2
    tail -n 20 "$1/log/mainlog" "$1/log/paniclog" "$1/exim.out" >&2 2>/dev/null || true
    echo "----" >&2
}

do_stop() { # DIR
    local dir=$1 pid a p
    [ -f "$dir/exim.conf" ] || return 0
    pid=$(pid_of "$dir" || true)
    read -r a p <"$dir/listen" 2>/dev/null || { a=""; p=""; }
    if running "$dir"; then
        say "stopping $dir (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "$PROG: exim $pid of $dir did not stop, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$dir/exim.pid"
    if [ -n "$a" ]; then
        for _ in $(seq 1 50); do
            is_listening "$a" "$p" || return 0
            sleep 0.1
        done
        die "port $a:$p of $dir still open"
    fi
}

# probe ADDR PORT: banner, EHLO offering STARTTLS, QUIT; bounded to 10 s
probe() {
    python3 - "$1" "$2" <<'PYEOF'
import socket, sys, time
addr, port = sys.argv[1], int(sys.argv[2])
deadline, last = time.time() + 10, "no attempt"
def reply(f):
    out = []
    while True:
        l = f.readline()
        if not l:
            raise OSError("connection closed")
        out.append(l.decode("ascii", "replace").rstrip())
        if l[3:4] != b"-":
            return out
while time.time() < deadline:
    s = socket.socket()
    s.settimeout(max(0.5, deadline - time.time()))
    try:
        s.connect((addr, port))
        f = s.makefile("rb")
        b = reply(f)
        if not b[0].startswith("220"):
            raise OSError("banner %r" % b)
        s.sendall(b"EHLO ready.lab.example\r\n")
        e = reply(f)
        s.sendall(b"QUIT\r\n")
        reply(f)
        s.close()
        if not any(l[4:].upper().startswith("STARTTLS") for l in e):
            print("%s:%d: STARTTLS not offered:\n  %s" % (addr, port, "\n  ".join(e)), file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
    except OSError as ex:
        last = str(ex)
        s.close()
        time.sleep(0.1)
print("no SMTP banner from %s port %d within 10 s: %s" % (addr, port, last), file=sys.stderr)
sys.exit(1)
PYEOF
}

count_conns() { # LOG: accepted ("SMTP connection from [..] (TCP/IP connection count") + refused
    grep -cE 'SMTP connection from .*\(TCP/IP connection count|Connection from \[[^]]*\] refused' "$1" 2>/dev/null || true
}

write_config() { # DIR NAME ADDR CERTS
    local dir=$1 name=$2 addr=$3 certs=$4
    install -o root -g Debian-exim -m 0644 "$certs/valid-chain.pem" "$dir/tls/cert.pem"
    install -o root -g Debian-exim -m 0640 "$certs/valid.key" "$dir/tls/key.pem"
    cat >"$dir/exim.conf" <<EOF
# Exim lab instance '$name' -- generated by tests/lab/exim.sh; do not edit.
primary_hostname = $name.lab.example
smtp_banner = \$primary_hostname ESMTP mailtls-lab $name
local_interfaces = $addr
daemon_smtp_ports = $PORT
spool_directory = $dir/spool
log_file_path = $dir/log/%slog
pid_file_path = $dir/exim.pid
keep_environment =
log_selector = +smtp_connection +tls_cipher +tls_peerdn
host_lookup =
rfc1413_hosts =
# no limits: a scanner's burst of short connections must not be refused (Exim counts
# children it has not yet reaped)
smtp_accept_max = 0
smtp_connect_backlog = 64
tls_advertise_hosts = *
tls_certificate = $dir/tls/cert.pem
tls_privatekey = $dir/tls/key.pem
acl_smtp_rcpt = acl_rcpt
$EXIM_EXTRA

begin acl
acl_rcpt:
  deny message = mail is not accepted by this lab instance

begin routers
begin transports
EOF
    chown root:root "$dir/exim.conf"
    chmod 0644 "$dir/exim.conf"
}

cmd_start() {
    [ $# -ge 2 ] && [ $# -le 3 ] || usage
    [ "$(id -u)" -eq 0 ] || die "needs root"
    local name=$1 addr=$2 base dir pid
    check_name "$name"
    check_addr "$addr"
    base=$(basedir_of "${3:-}")
    dir="$base/$name"
    "$HERE/ca.sh" "$base/certs" || die "cannot make the lab certificates in $base/certs"
    unpack "$base"
    ensure_user
    do_stop "$dir"
    is_listening "$addr" "$PORT" && die "$addr:$PORT is already in use"
    mkdir -p "$dir/spool" "$dir/log" "$dir/tls"
    chown Debian-exim:Debian-exim "$dir/spool" "$dir/log"
    write_config "$dir" "$name" "$addr" "$base/certs"
    echo "$addr $PORT" >"$dir/listen"
    : >"$dir/log/mainlog"
    chown Debian-exim:Debian-exim "$dir/log/mainlog"
    rm -f "$dir/log/paniclog"
    "$ROOT/usr/sbin/exim4" -C "$dir/exim.conf" -bV >"$dir/exim.bV" 2>&1 ||
        { cat "$dir/exim.bV" >&2; die "exim4 -bV failed for $dir/exim.conf"; }
    say "starting exim $name on $addr:$PORT"
    # -bdf: daemon in the foreground (we keep its pid; it writes exim.pid too)
    setsid "$ROOT/usr/sbin/exim4" -C "$dir/exim.conf" -bdf >"$dir/exim.out" 2>&1 </dev/null &
    if ! probe "$addr" "$PORT"; then
        log_tail "$dir"
        do_stop "$dir" || true
        die "exim $name did not come up on $addr:$PORT"
    fi
    if [ -s "$dir/log/paniclog" ]; then
        log_tail "$dir"
        do_stop "$dir" || true
        die "exim $name wrote a paniclog"
    fi
    # Forget the readiness probe so conncount counts only the caller's connections.
    for _ in $(seq 1 20); do
        grep -q 'closed by QUIT' "$dir/log/mainlog" && break
        sleep 0.1
    done
    cmd_resetlog "$name" "$base"
    mv "$dir/log/mainlog.old" "$dir/log/mainlog.start"
}

cmd_stop() {
    [ $# -ge 1 ] && [ $# -le 2 ] || usage
    check_name "$1"
    local base
    base=$(basedir_of "${2:-}")
    do_stop "$base/$1"
}

cmd_stopall() {
    [ $# -le 1 ] || usage
    local base d rc=0
    base=$(basedir_of "${1:-}")
    for d in "$base"/*/; do
        d=${d%/}
        [ -f "$d/exim.conf" ] || continue
        (do_stop "$d") || rc=1
    done
    return $rc
}

cmd_status() {
    [ $# -ge 1 ] && [ $# -le 2 ] || usage
    check_name "$1"
    local base
    base=$(basedir_of "${2:-}")
    running "$base/$1"
}

# Exim writes the line from the child it forked per connection: re-read until stable for 0.3 s.
cmd_conncount() {
    [ $# -ge 1 ] && [ $# -le 2 ] || usage
    check_name "$1"
    local base log n prev
    base=$(basedir_of "${2:-}")
    log="$base/$1/log/mainlog"
    [ -f "$log" ] || die "no mainlog for instance '$1' in $base"
    prev=$(count_conns "$log")
    for _ in $(seq 1 20); do
        sleep 0.3
        n=$(count_conns "$log")
        [ "$n" = "$prev" ] && break
        prev=$n
    done
    echo "$prev"
}

cmd_resetlog() {
    [ $# -ge 1 ] && [ $# -le 2 ] || usage
    check_name "$1"
    local base log
    base=$(basedir_of "${2:-}")
    log="$base/$1/log/mainlog"
    [ -f "$log" ] || die "no mainlog for instance '$1' in $base"
    cat "$log" >>"$log.old"
    : >"$log"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
stopall) cmd_stopall "$@" ;;
status) cmd_status "$@" ;;
conncount) cmd_conncount "$@" ;;
resetlog) cmd_resetlog "$@" ;;
-h | --help | help) usage ;;
*) usage ;;
esac
