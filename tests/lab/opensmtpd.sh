#!/bin/bash
# opensmtpd.sh -- OpenSMTPD (Debian's opensmtpd package) on loopback, run from the unpacked .deb
# inside a private mount namespace, so that it neither conflicts with the installed Postfix nor
# needs its compiled-in directories on the host. See docs/internals/full-tests.md.
#
# usage:
#   opensmtpd.sh start NAME ADDR [BASEDIR]   (re)start instance NAME on ADDR:PORT (STARTTLS, `tls`)
#   opensmtpd.sh stop NAME [BASEDIR]         stop it; returns when its port is closed
#   opensmtpd.sh stopall [BASEDIR]           stop every OpenSMTPD instance under BASEDIR
#   opensmtpd.sh status NAME [BASEDIR]       exit 0 if running
#   opensmtpd.sh conncount NAME [BASEDIR]    number of "smtp connected" lines since start
#   opensmtpd.sh resetlog NAME [BASEDIR]     empty its log (old content -> smtpd.log.old)
#
#   ADDR     127.0.0.0/8 only
#   BASEDIR  default /tmp/mailtls-lab; certificate from BASEDIR/certs (tests/lab/ca.sh),
#            unpacked package in BASEDIR/.pkg, instance in BASEDIR/NAME
#
# environment:
#   PORT=25                                 SMTP port
#   SMTPD_LISTEN_EXTRA='...'                appended to the `listen on` line (e.g. "ciphers ...")
#   LAB_DEBCACHE=/var/cache/mailtls-lab     where the .deb is kept (apt-get download when missing)
#   LAB_VERBOSE=1                           chatter on stderr
#
# Facts this relies on (Debian 12, opensmtpd 6.8.0p2):
# - The package is built against OpenSSL 3 (libssl3), not LibreSSL/libtls.
# - Its privilege users are opensmtpd and opensmtpq (upstream: _smtpd/_smtpq); created when absent.
# - The spool (/var/spool/smtpd), chroot (/var/lib/opensmtpd/empty) and control socket
#   (/var/run/smtpd.sock) paths are compiled in. The daemon therefore runs under
#   `unshare --mount`: a tmpfs on /var/lib and /run and BASEDIR/NAME/spool bound on /var/spool,
#   visible to it alone. Nothing is created on the host's file system outside BASEDIR.
# - With OpenSSL 3 no TLS handshake completes: the private-key operations that OpenSMTPD routes
#   through its privilege-separated "ca" process fail ("EVP lib", alert internal_error;
#   OpenSMTPD issues #1171 and #1239). The server still answers every ClientHello with a
#   ServerHello (or a refusal), which is all that version/suite enumeration needs.
set -euo pipefail

PROG=$(basename "$0")
HERE=$(cd "$(dirname "$0")" && pwd)
DEFAULT_BASEDIR=/tmp/mailtls-lab
PORT=${PORT:-25}
SMTPD_LISTEN_EXTRA=${SMTPD_LISTEN_EXTRA:-}
LAB_DEBCACHE=${LAB_DEBCACHE:-/var/cache/mailtls-lab}
LAB_VERBOSE=${LAB_VERBOSE:-0}

die() { echo "$PROG: $*" >&2; exit 1; }
say() { [ "$LAB_VERBOSE" = 1 ] && echo "$PROG: $*" >&2 || :; }
usage() {
    sed -n '6,12p' "$0" | sed 's/^# \{0,1\}//' >&2
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

# ---- package -------------------------------------------------------------------------
deb_of() { # PKG -> newest cached .deb, downloaded when missing
    local pkg=$1 f
    mkdir -p "$LAB_DEBCACHE"
    f=$(ls "$LAB_DEBCACHE/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$f" ]; then
        say "apt-get download $pkg"
        (cd "$LAB_DEBCACHE" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
        f=$(ls "$LAB_DEBCACHE/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
        [ -n "$f" ] || die "cannot download $pkg (apt-get download $pkg in $LAB_DEBCACHE)"
    fi
    echo "$f"
}

unpack() { # BASE -> sets ROOT
    local base=$1 deb
    deb=$(deb_of opensmtpd)
    ROOT="$base/.pkg/$(basename "$deb" .deb)"
    mkdir -p "$base/.pkg"
    (
        flock 9
        if [ ! -f "$ROOT/.unpacked" ]; then
            rm -rf "$ROOT"
            mkdir -p "$ROOT"
            dpkg-deb -x "$deb" "$ROOT"
            touch "$ROOT/.unpacked"
        fi
    ) 9>"$base/.pkg/.opensmtpd.lock"
    [ -x "$ROOT/usr/sbin/smtpd" ] || die "no usr/sbin/smtpd in $ROOT"
    if ldd "$ROOT/usr/sbin/smtpd" | grep -q 'not found'; then
        die "smtpd misses libraries: $(ldd "$ROOT/usr/sbin/smtpd" | grep 'not found' | awk '{print $1}' | tr '\n' ' ')"
    fi
}

ensure_users() {
    local n
    for n in opensmtpd opensmtpq; do
        getent group "$n" >/dev/null || groupadd --system "$n"
        id "$n" >/dev/null 2>&1 ||
            useradd --system --gid "$n" --no-create-home --home-dir /var/lib/opensmtpd/empty \
                --shell /usr/sbin/nologin "$n"
    done
}

# ---- instance helpers -------------------------------------------------------------------
pid_of() { local f="$1/smtpd.pid"; [ -f "$f" ] && tr -dc '0-9' <"$f"; }

running() { # DIR
    local pid
    pid=$(pid_of "$1" || true)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q smtpd "/proc/$pid/cmdline" 2>/dev/null
}

log_tail() {
    echo "---- $1/smtpd.log (tail) ----" >&2
    grep -v 'init ssl-tree\|init ca-tree\|loading pki' "$1/smtpd.log" 2>/dev/null | tail -n 20 >&2 || true
    echo "----" >&2
}

do_stop() { # DIR
    local dir=$1 pid a p
    [ -f "$dir/smtpd.conf" ] || return 0
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
            echo "$PROG: smtpd $pid of $dir did not stop, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$dir/smtpd.pid"
    if [ -n "$a" ]; then
        for _ in $(seq 1 50); do
            is_listening "$a" "$p" || return 0
            sleep 0.1
        done
        die "port $a:$p of $dir still open"
    fi
}

probe() { # ADDR PORT: banner, EHLO offering STARTTLS, QUIT; bounded to 10 s
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

write_config() { # DIR NAME ADDR CERTS
    local dir=$1 name=$2 addr=$3 certs=$4
    install -o root -g root -m 0644 "$certs/valid-chain.pem" "$dir/tls/cert.pem"
    install -o root -g root -m 0600 "$certs/valid.key" "$dir/tls/key.pem"
    cat >"$dir/smtpd.conf" <<EOF
# OpenSMTPD lab instance '$name' -- generated by tests/lab/opensmtpd.sh; do not edit.
pki mx.lab.example cert "$dir/tls/cert.pem"
pki mx.lab.example key "$dir/tls/key.pem"
listen on $addr port $PORT tls pki mx.lab.example hostname $name.lab.example $SMTPD_LISTEN_EXTRA
match from any for any reject
EOF
    chmod 0644 "$dir/smtpd.conf"
}

# The daemon's private mount namespace; $1 instance dir, $2 unpacked root.
NS_SCRIPT='set -e
mount -t tmpfs -o mode=0755,size=1m mailtls-lab /var/lib
mkdir -p /var/lib/opensmtpd/empty
mount --bind "$1/spool" /var/spool
mount -t tmpfs -o mode=0755,size=1m mailtls-lab /run
echo $$ >"$1/smtpd.pid"
exec "$2/usr/sbin/smtpd" -d -f "$1/smtpd.conf"'

cmd_start() {
    [ $# -ge 2 ] && [ $# -le 3 ] || usage
    [ "$(id -u)" -eq 0 ] || die "needs root"
    command -v unshare >/dev/null || die "unshare (util-linux) missing"
    local name=$1 addr=$2 base dir
    check_name "$name"
    check_addr "$addr"
    base=$(basedir_of "${3:-}")
    dir="$base/$name"
    "$HERE/ca.sh" "$base/certs" || die "cannot make the lab certificates in $base/certs"
    unpack "$base"
    ensure_users
    do_stop "$dir"
    is_listening "$addr" "$PORT" && die "$addr:$PORT is already in use"
    mkdir -p "$dir/spool" "$dir/tls"
    chmod 0755 "$dir/spool"
    write_config "$dir" "$name" "$addr" "$base/certs"
    echo "$addr $PORT" >"$dir/listen"
    "$ROOT/usr/sbin/smtpd" -n -f "$dir/smtpd.conf" >"$dir/smtpd.check" 2>&1 ||
        { cat "$dir/smtpd.check" >&2; die "smtpd -n rejects $dir/smtpd.conf"; }
    : >"$dir/smtpd.log"
    say "starting smtpd $name on $addr:$PORT"
    setsid unshare --mount --propagation private -- /bin/sh -c "$NS_SCRIPT" sh "$dir" "$ROOT" \
        >>"$dir/smtpd.log" 2>&1 </dev/null &
    if ! probe "$addr" "$PORT"; then
        log_tail "$dir"
        do_stop "$dir" || true
        die "smtpd $name did not come up on $addr:$PORT"
    fi
    for _ in $(seq 1 20); do
        grep -q 'smtp disconnected' "$dir/smtpd.log" && break
        sleep 0.1
    done
    cmd_resetlog "$name" "$base"
    mv "$dir/smtpd.log.old" "$dir/smtpd.log.start"
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
        [ -f "$d/smtpd.conf" ] || continue
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

cmd_conncount() {
    [ $# -ge 1 ] && [ $# -le 2 ] || usage
    check_name "$1"
    local base log n prev
    base=$(basedir_of "${2:-}")
    log="$base/$1/smtpd.log"
    [ -f "$log" ] || die "no smtpd.log for instance '$1' in $base"
    prev=$(grep -c ' smtp connected ' "$log" || true)
    for _ in $(seq 1 20); do
        sleep 0.3
        n=$(grep -c ' smtp connected ' "$log" || true)
        [ "$n" = "$prev" ] && break
        prev=$n
    done
    echo "$prev"
}

# The daemon keeps its stderr open (O_APPEND), so truncating in place is safe.
cmd_resetlog() {
    [ $# -ge 1 ] && [ $# -le 2 ] || usage
    check_name "$1"
    local base log
    base=$(basedir_of "${2:-}")
    log="$base/$1/smtpd.log"
    [ -f "$log" ] || die "no smtpd.log for instance '$1' in $base"
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
