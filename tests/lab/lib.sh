# lib.sh -- shell functions shared by the lab scripts in tests/lab/ (bash only; ca.sh is POSIX sh
# and does not use it). Source it right after `set -euo pipefail`:
#
#   HERE=$(cd "$(dirname "$0")" && pwd)
#   . "$HERE/lib.sh"
#
# It sets PROG (the script's name, the prefix of every message) and LAB_VERBOSE (default 0),
# defines only functions named lab_*, and runs one of them, lab_reserve_ports. See
# docs/internals/test-lab.md ("Shared code").
#
# Messages and arguments
#   lab_die MSG...                   "PROG: MSG" on stderr, exit 1
#   lab_say MSG...                   "PROG: MSG" on stderr when LAB_VERBOSE=1
#   lab_usage FIRST LAST             the script's header lines FIRST..LAST without "# ", exit 2
#   lab_basedir DIR [MODE]           mkdir -p DIR (then chmod MODE); print its absolute physical path
#   lab_check_name NAME              dies unless NAME is an instance name ([A-Za-z0-9][A-Za-z0-9_-]{0,30})
#   lab_check_addr4 ADDR MSG         dies with MSG unless ADDR is 127.N.N.N; "bad address" if an N > 255
#
# Processes, ports, logs
#   lab_is_listening ADDR PORT       a listening TCP socket on ADDR:PORT exists (ss; ADDR ::1 works)
#   lab_wait_port ADDR PORT open|closed TRIES    poll every 0.1 s; exit 0 once in that state
#   lab_wait_for_line LOG REGEX TRIES            poll every 0.1 s; exit 0 once LOG has a match
#   lab_pid_from FILE                the digits in FILE (a pid file); exit 1 if FILE is missing
#   lab_pid_alive FILE PATTERN       the pid in FILE is alive and its command line contains PATTERN
#   lab_smtp_probe ADDR PORT EXPECT  connect, 220 banner, EHLO, QUIT, retried for up to 10 s; EXPECT:
#                                    tls (STARTTLS offered), notls (not offered), auth (STARTTLS and AUTH)
#
# Servers run from unpacked Debian packages (exim.sh, opensmtpd.sh)
#   lab_deb_of PKG [VER [NAME]]      path of the newest PKG_VER*.deb in LAB_DEBCACHE (apt-get download
#                                    NAME, default PKG, if none)
#   lab_unpack_debs ROOT LOCK DEB... unpack the DEBs into ROOT once (ROOT/.unpacked), under flock LOCK
#   lab_check_binary ROOT REL [HINT] dies unless ROOT/REL is executable and ldd finds its libraries
#   lab_ensure_user NAME HOME        system group and user NAME (no login, home HOME) when absent
#   lab_stop_daemon DIR PIDFILE PATTERN LABEL
#                                    SIGTERM the pid in DIR/PIDFILE if alive (lab_pid_alive), SIGKILL
#                                    after 5 s, remove the pid file, then wait up to 5 s until the
#                                    "ADDR PORT" of DIR/listen no longer listens (else die)
#
# Instance scripts (postfix.sh, exim.sh, opensmtpd.sh): same commands, same arguments
#   lab_instance_main CMD ARGS...    start -> the script's cmd_start ARGS; stop, stopall, status,
#                                    conncount and resetlog -> lab_cmd_* below; anything else -> usage
#   lab_cmd_stop NAME [BASEDIR]      do_stop BASEDIR/NAME
#   lab_cmd_stopall [BASEDIR]        do_stop (in a subshell) on every BASEDIR/*/ holding LAB_CONF
#   lab_cmd_status NAME [BASEDIR]    instance_running BASEDIR/NAME
#   lab_cmd_conncount NAME [BASEDIR] count_conns BASEDIR/NAME/LAB_LOG, re-read until stable for 0.3 s
#   lab_cmd_resetlog NAME [BASEDIR]  append LAB_LOG to LAB_LOG.old and empty it
#   lab_instance_dir NAME [BASEDIR]  argument checks of the commands above; sets LAB_BASE, LAB_DIR
#   lab_instance_log NAME [BASEDIR]  the same, and sets LAB_LOGFILE (dies when it does not exist)
#   lab_start_failed DIR MSG...      log_tail DIR; do_stop DIR (errors ignored); lab_die MSG
#   lab_forget_probe NAME BASEDIR REGEX   (exim.sh, opensmtpd.sh) after a start: wait up to 2 s for
#                                    REGEX in LAB_LOG, resetlog, keep the old lines in LAB_LOG.start
# For these the script sets LAB_CONF (the file that marks an instance directory, relative to it)
# and LAB_LOG (the log, relative to it), and defines:
#   usage, basedir_of [BASEDIR] (prints the absolute BASEDIR), cmd_start ARGS..., do_stop DIR,
#   instance_running DIR, count_conns LOG (prints a number), log_tail DIR (on stderr)

PROG=$(basename "$0")
LAB_VERBOSE=${LAB_VERBOSE:-0}

# The labs' fixed DNS ports (Knot, the DNS proxy: 53500-53699) lie in Linux's ephemeral range
# (32768-60999), so a client socket that happens to get one as its local port makes the
# server's bind fail (seen once in CI: EADDRINUSE for the DNS proxy on 127.0.0.1@53542). As root,
# keep the kernel from handing them out: net.ipv4.ip_local_reserved_ports (IPv6 too; per network
# namespace; until reboot). Best effort; the list already there is kept.
LAB_RESERVED_PORTS=53500-53699
lab_reserve_ports() {
    local f=/proc/sys/net/ipv4/ip_local_reserved_ports cur
    [ -w "$f" ] || return 0
    cur=$(cat "$f" 2>/dev/null) || return 0
    case ",$cur," in *",$LAB_RESERVED_PORTS,"*) return 0 ;; esac
    echo "${cur:+$cur,}$LAB_RESERVED_PORTS" >"$f" 2>/dev/null || :
}
lab_reserve_ports

# ---- messages and arguments -----------------------------------------------------------------
lab_die() { echo "$PROG: $*" >&2; exit 1; }
lab_say() { [ "$LAB_VERBOSE" = 1 ] && echo "$PROG: $*" >&2 || :; }

lab_usage() { # FIRST LAST
    sed -n "$1,$2p" "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

lab_basedir() { # DIR [MODE]
    local b
    mkdir -p "$1"
    b=$(cd "$1" && pwd -P) || return 1
    if [ -n "${2:-}" ]; then chmod "$2" "$b"; fi
    echo "$b"
}

lab_check_name() {
    [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$ ]] || lab_die "bad instance name '$1' (letters, digits, - and _)"
}

lab_check_addr4() { # ADDR MSG
    [[ $1 =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || lab_die "$2"
    local o
    for o in "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"; do
        [ "$o" -le 255 ] || lab_die "bad address '$1'"
    done
}

# ---- processes, ports, logs -----------------------------------------------------------------
# No connection is made: ss lists the listening sockets.
lab_is_listening() { # ADDR PORT
    local pat
    if [ "$1" = ::1 ]; then pat="[::1]:$2"; else pat="$1:$2"; fi
    ss -Hltn 2>/dev/null | awk '{print $4}' | grep -qxF -- "$pat"
}

lab_wait_port() { # ADDR PORT open|closed TRIES
    local i
    for ((i = 0; i < $4; i++)); do
        if lab_is_listening "$1" "$2"; then
            [ "$3" = open ] && return 0
        else
            [ "$3" = closed ] && return 0
        fi
        sleep 0.1
    done
    return 1
}

lab_wait_for_line() { # LOG REGEX TRIES
    local i
    for ((i = 0; i < $3; i++)); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

lab_pid_from() { # FILE
    [ -f "$1" ] && tr -dc '0-9' <"$1"
}

lab_pid_alive() { # FILE PATTERN
    local pid
    pid=$(lab_pid_from "$1" || true)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q -- "$2" "/proc/$pid/cmdline" 2>/dev/null
}

# Bounded to ~10 s; a failure prints why on stderr (the EHLO reply when the keywords are wrong).
lab_smtp_probe() { # ADDR PORT EXPECT
    python3 - "$1" "$2" "$3" <<'PYEOF'
import socket, sys, time
addr, port, expect = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
deadline = time.time() + 10
last = "no attempt"
def reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise OSError("connection closed")
        lines.append(line.decode("ascii", "replace").rstrip())
        if line[3:4] != b"-":
            return lines
while time.time() < deadline:
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(max(0.5, deadline - time.time()))
    try:
        s.connect((addr, port))
        f = s.makefile("rb")
        banner = reply(f)
        if not banner[0].startswith("220"):
            last = "banner %r" % banner
            s.close(); time.sleep(0.2); continue
        s.sendall(b"EHLO ready.lab.example\r\n")
        ehlo = reply(f)
        s.sendall(b"QUIT\r\n")
        reply(f)
        s.close()
        kw = [l[4:].split(" ")[0].upper() for l in ehlo]
        bad = None
        if expect in ("tls", "auth") and "STARTTLS" not in kw:
            bad = "STARTTLS not offered"
        if expect == "notls" and "STARTTLS" in kw:
            bad = "STARTTLS offered"
        if expect == "auth" and "AUTH" not in kw:
            bad = "AUTH not offered"
        if bad:
            print("%s:%d: %s; EHLO reply:\n  %s" % (addr, port, bad, "\n  ".join(ehlo)), file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
    except OSError as e:
        last = str(e)
        s.close()
        time.sleep(0.1)
print("no SMTP banner from %s port %d within 10 s: %s" % (addr, port, last), file=sys.stderr)
sys.exit(1)
PYEOF
}

# ---- servers from unpacked Debian packages ----------------------------------------------------
lab_deb_of() { # PKG [VERSION-PREFIX [APT-NAME]]: the newest cached PKG_VERSION-PREFIX*.deb
    local pkg=$1 ver=${2:-} name=${3:-$1} f
    mkdir -p "$LAB_DEBCACHE"
    f=$(ls "$LAB_DEBCACHE/${pkg}_${ver}"*.deb 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$f" ]; then
        lab_say "apt-get download $name"
        # apt warns that _apt cannot write the cache directory; the download still works.
        (cd "$LAB_DEBCACHE" && apt-get download -q "$name" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
        f=$(ls "$LAB_DEBCACHE/${pkg}_${ver}"*.deb 2>/dev/null | sort -V | tail -n 1 || true)
        [ -n "$f" ] || lab_die "cannot download $pkg $ver (apt-get download $name in $LAB_DEBCACHE; make deps)"
    fi
    echo "$f"
}

lab_unpack_debs() { # ROOT LOCK DEB...
    local root=$1 lock=$2 d
    shift 2
    (
        flock 9
        if [ ! -f "$root/.unpacked" ]; then
            rm -rf "$root"
            mkdir -p "$root"
            for d in "$@"; do dpkg-deb -x "$d" "$root"; done
            touch "$root/.unpacked"
        fi
    ) 9>"$lock"
}

lab_check_binary() { # ROOT REL [HINT]
    local bin="$1/$2"
    [ -x "$bin" ] || lab_die "no $2 in $1"
    if ldd "$bin" | grep -q 'not found'; then
        lab_die "$(basename "$2") misses libraries: $(ldd "$bin" | grep 'not found' | awk '{print $1}' | tr '\n' ' ')${3:-}"
    fi
}

lab_ensure_user() { # NAME HOME
    getent group "$1" >/dev/null || groupadd --system "$1"
    id "$1" >/dev/null 2>&1 ||
        useradd --system --gid "$1" --no-create-home --home-dir "$2" --shell /usr/sbin/nologin "$1"
}

lab_stop_daemon() { # DIR PIDFILE PATTERN LABEL
    local dir=$1 pid a p
    pid=$(lab_pid_from "$dir/$2" || true)
    read -r a p <"$dir/listen" 2>/dev/null || { a=""; p=""; }
    if lab_pid_alive "$dir/$2" "$3"; then
        lab_say "stopping $dir (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "$PROG: $4 $pid of $dir did not stop, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$dir/$2"
    if [ -n "$a" ]; then
        lab_wait_port "$a" "$p" closed 50 || lab_die "port $a:$p of $dir still open"
    fi
}

# ---- instance scripts: the commands other than start ------------------------------------------
lab_instance_main() { # CMD ARGS...
    [ $# -ge 1 ] || usage
    local cmd=$1
    shift
    case $cmd in
    start) cmd_start "$@" ;;
    stop) lab_cmd_stop "$@" ;;
    stopall) lab_cmd_stopall "$@" ;;
    status) lab_cmd_status "$@" ;;
    conncount) lab_cmd_conncount "$@" ;;
    resetlog) lab_cmd_resetlog "$@" ;;
    *) usage ;;
    esac
}

# lab_instance_dir NAME [BASEDIR]: checks the arguments, sets LAB_BASE and LAB_DIR (BASEDIR/NAME).
lab_instance_dir() {
    [ $# -ge 1 ] && [ $# -le 2 ] || usage
    lab_check_name "$1"
    LAB_BASE=$(basedir_of "${2:-}")
    LAB_DIR=$LAB_BASE/$1
}

# lab_instance_log NAME [BASEDIR]: the same, and sets LAB_LOGFILE; dies when that log is missing.
lab_instance_log() {
    lab_instance_dir "$@"
    LAB_LOGFILE=$LAB_DIR/$LAB_LOG
    [ -f "$LAB_LOGFILE" ] || lab_die "no $(basename "$LAB_LOG") for instance '$1' in $LAB_BASE"
}

lab_cmd_stop() { # NAME [BASEDIR]
    lab_instance_dir "$@"
    do_stop "$LAB_DIR"
}

lab_cmd_stopall() { # [BASEDIR]
    [ $# -le 1 ] || usage
    local base d rc=0
    base=$(basedir_of "${1:-}")
    for d in "$base"/*/; do
        d=${d%/}
        [ -f "$d/$LAB_CONF" ] || continue
        (do_stop "$d") || rc=1
    done
    return $rc
}

lab_cmd_status() { # NAME [BASEDIR]
    lab_instance_dir "$@"
    instance_running "$LAB_DIR"
}

# Servers write their log lines asynchronously (postlogd, Exim's per-connection children, ...).
lab_cmd_conncount() { # NAME [BASEDIR]
    local n prev
    lab_instance_log "$@"
    prev=$(count_conns "$LAB_LOGFILE")
    for _ in $(seq 1 20); do
        sleep 0.3
        n=$(count_conns "$LAB_LOGFILE")
        [ "$n" = "$prev" ] && break
        prev=$n
    done
    echo "$prev"
}

# Truncates in place: the servers write their logs in append mode.
lab_cmd_resetlog() { # NAME [BASEDIR]
    lab_instance_log "$@"
    cat "$LAB_LOGFILE" >>"$LAB_LOGFILE.old"
    : >"$LAB_LOGFILE"
}

# Forgets the readiness probe of a start so that conncount counts only the caller's connections:
# waits up to 2 s for REGEX (the end of the probe's session) in the log, then resetlog, and keeps
# what it removed in LAB_LOG.start.
lab_forget_probe() { # NAME BASEDIR REGEX
    lab_wait_for_line "$2/$1/$LAB_LOG" "$3" 20 || :
    lab_cmd_resetlog "$1" "$2"
    mv "$2/$1/$LAB_LOG.old" "$2/$1/$LAB_LOG.start"
}

lab_start_failed() { # DIR MSG...
    local dir=$1
    shift
    log_tail "$dir"
    do_stop "$dir" || true
    lab_die "$@"
}
