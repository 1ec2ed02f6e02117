#!/usr/bin/env python3
"""fakesmtp -- scripted SMTP and TLS responders for the mailtls scenario tests.

They show hostile or legacy behaviour that no real server from Debian's
packages shows: a banner dripped one byte a second, endless continuation
lines, a 10 MiB line, plaintext pipelined after the STARTTLS 220 (RFC 3207
section 5 injection), garbage for a ServerHello, and hand-built SSLv2 / SSLv3 /
TLS 1.0-1.2 ServerHellos from the profiles in tls-profiles.json (RFC 6101,
RFC 5246 section 7.4, SSLv2 draft-hickman-netscape-ssl-00, RFC 5746
renegotiation_info, RFC 6520 heartbeat, RFC 7507 TLS_FALLBACK_SCSV), with an
optional ServerKeyExchange for (EC)DHE suites (RFC 5246 7.4.3, RFC 8422 5.4).

    fakesmtp.py --addr 127.0.0.1 --port 0 --scenario NAME [--once]
                [--ready-file F] [--implicit-tls] [--lifetime S]

Port 0 picks a free port; the port is printed on stdout and written to the
ready file (atomically) once the socket listens.  Every connection runs in
its own thread and is cut after --lifetime seconds (default 60) whatever it
is doing, so nothing hangs forever.  Loopback only: the address must be in
127.0.0.0/8 or ::1.  Python 3 standard library only.
"""

import argparse
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTNAME = "fake.mailtls.test"

VERSIONS = {"SSLv2": 0x0002, "SSLv3": 0x0300, "TLSv1.0": 0x0301,
            "TLSv1.1": 0x0302, "TLSv1.2": 0x0303}

# Record content types, handshake types, alert descriptions.
CT_ALERT, CT_HANDSHAKE, CT_HEARTBEAT = 21, 22, 24
HS_CLIENT_HELLO, HS_SERVER_HELLO, HS_CERTIFICATE, HS_SERVER_HELLO_DONE = 1, 2, 11, 14
HS_SERVER_KEY_EXCHANGE = 12
AL_UNEXPECTED_MESSAGE, AL_HANDSHAKE_FAILURE, AL_DECODE_ERROR = 10, 40, 50
AL_PROTOCOL_VERSION, AL_INAPPROPRIATE_FALLBACK = 70, 86

EXT_SUPPORTED_GROUPS, EXT_EC_POINT_FORMATS, EXT_HEARTBEAT = 10, 11, 15
EXT_SIGNATURE_ALGORITHMS = 13
CT_CCS = 20
AL_BAD_RECORD_MAC = 20
EXT_SUPPORTED_VERSIONS, EXT_KEY_SHARE, EXT_RENEGOTIATION_INFO = 43, 51, 0xff01
SCSV_RENEGOTIATION, SCSV_FALLBACK = 0x00ff, 0x5600

# Suites a server may only pick at TLS 1.2 (AEAD, SHA-256/384 MACs).
TLS12_ONLY = {0x003c, 0x003d, 0x0067, 0x006b, 0x009c, 0x009d, 0x009e, 0x009f,
              0xc023, 0xc024, 0xc027, 0xc028, 0xc02b, 0xc02c, 0xc02f, 0xc030,
              0xcca8, 0xcca9, 0xccaa}

# Suites whose server flight carries a ServerKeyExchange (profiles with "server_key_exchange"):
# finite-field DHE (signed) and ECDHE (signed).
DHE_SUITES = {0x0011, 0x0012, 0x0013, 0x0014, 0x0015, 0x0016, 0x0032, 0x0033, 0x0038, 0x0039,
              0x0040, 0x0044, 0x0045, 0x0067, 0x006a, 0x006b, 0x0087, 0x0088, 0x009e, 0x009f,
              0x00a2, 0x00a3, 0xccaa}
ECDHE_SUITES = ({c for c in range(0xc006, 0xc00b)} | {c for c in range(0xc010, 0xc015)}
                | {0xc023, 0xc024, 0xc027, 0xc028, 0xc02b, 0xc02c, 0xc02f, 0xc030,
                   0xc072, 0xc073, 0xc076, 0xc077, 0xcca8, 0xcca9, 0xc0ac, 0xc0ad, 0xc0ae, 0xc0af})
# Public key sizes of the named groups a profile may list in "curves" (RFC 8422 5.4, RFC 7748).
CURVE_POINT_LEN = {0x0017: 65, 0x0018: 97, 0x0019: 133, 0x001d: 32, 0x001e: 56}

MAX_HELLO = 1 << 17          # ceiling on a ClientHello we are willing to buffer
FAKE_MEMORY = b"FAKE-SERVER-MEMORY user=admin pass=hunter2 -----BEGIN RSA PRIVATE KEY----- "


def log(msg):
    sys.stderr.write("fakesmtp[%d] %s %s\n" % (os.getpid(), time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def is_grease(v):
    return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)


class Closed(Exception):
    """The peer closed, or the connection's lifetime ran out."""


class Conn:
    """A socket with a shared read buffer for SMTP lines and TLS records."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise Closed("send: %s" % e)

    def _fill(self):
        try:
            d = self.sock.recv(65536)
        except OSError as e:
            raise Closed("recv: %s" % e)
        if not d:
            raise Closed("peer closed")
        self.buf += d

    def readline(self, limit=4096):
        while b"\n" not in self.buf:
            if len(self.buf) > limit:
                raise Closed("client line over %d bytes" % limit)
            self._fill()
        line, _, self.buf = self.buf.partition(b"\n")
        return line.rstrip(b"\r")

    def read(self, n):
        while len(self.buf) < n:
            self._fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def peek(self, n):
        while len(self.buf) < n:
            self._fill()
        return self.buf[:n]

    def drain(self):
        """Discard whatever the client sends until it closes."""
        while True:
            self.buf = b""
            self._fill()


# ---------------------------------------------------------------- SMTP side

def reply(code, *lines):
    """A (multi-line) SMTP reply: 250-a / 250-b / 250 c."""
    lines = lines or ("",)
    out = []
    for i, text in enumerate(lines):
        sep = " " if i == len(lines) - 1 else "-"
        out.append("%d%s%s\r\n" % (code, sep, text))
    return "".join(out).encode()


def ehlo_lines(*extensions):
    return (HOSTNAME + " greets you",) + extensions


def smtp_dialogue(c, ehlo=None, starttls=None, ehlo_code=250, banner=None, log_commands=False,
                  greet=True, noop_code=250, quit_reply=True, quit_code=221):
    """Serve a simple command loop.  `ehlo` is the tuple of EHLO reply lines;
    `starttls(c)` handles STARTTLS and returns True to keep the loop going.
    `log_commands` logs each command's verb ("command VERB", with "(TLS)" inside TLS);
    greet=False sends no banner (the loop inside TLS)."""
    if greet:
        c.send(banner or reply(220, HOSTNAME + " ESMTP fakesmtp"))
    while True:
        line = c.readline()
        verb = line.split(b" ", 1)[0].upper()
        if log_commands:
            log("command %s%s" % (verb.decode("ascii", "replace"),
                                  " (TLS)" if hasattr(c.sock, "cipher") else ""))
        if verb == b"EHLO":
            if ehlo_code != 250:
                c.send(reply(ehlo_code, "5.5.2 Error: command not recognized"))
            else:
                c.send(reply(250, *(ehlo or ehlo_lines())))
        elif verb == b"HELO":
            c.send(reply(250, HOSTNAME))
        elif verb == b"STARTTLS" and starttls is not None:
            if not starttls(c):
                return
        elif verb == b"QUIT":
            if quit_reply:
                c.send(reply(quit_code, "2.0.0 Bye" if quit_code == 221 else "5.5.1 Protocol error"))
            return
        elif verb in (b"NOOP", b"RSET"):
            c.send(reply(noop_code, "2.0.0 OK" if noop_code == 250 else "5.5.1 Bad sequence"))
        else:
            c.send(reply(502, "5.5.1 Command not implemented"))


def sc_ok_notls(c, a):
    smtp_dialogue(c, ehlo_lines("PIPELINING", "SIZE 10240000", "8BITMIME"))


def sc_drip(c, a):
    banner = reply(220, HOSTNAME + " ESMTP fakesmtp " + "drip" * 44)   # ~210 bytes
    for i in range(len(banner)):
        c.send(banner[i:i + 1])
        time.sleep(1.0)
    smtp_dialogue(c, ehlo_lines("PIPELINING"), banner=b"")


def sc_endless_continuation(c, a):
    line = b"220-filler " + b"x" * 60 + b"\r\n"
    chunk = line * 256
    while True:
        c.send(chunk)


def sc_huge_line(c, a):
    c.send(b"220 ")
    block = b"A" * 65536
    for _ in range((10 << 20) // len(block)):
        c.send(block)
    c.drain()


def sc_garbage_serverhello(c, a):
    def garbage(c):
        c.send(reply(220, "2.0.0 Ready to start TLS"))
        c.peek(1)                     # wait for the ClientHello
        rnd = random.Random(3207)     # same bytes each run
        junk = bytearray(rnd.getrandbits(8) for _ in range(4096))
        junk[0] = 0x47                # 'G': no TLS content type, no SSLv2 header bit
        c.send(bytes(junk))
        c.drain()
        return False
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"), starttls=garbage)


def sc_injection(c, a):
    def inject(c):
        c.send(b"220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 PIPELINING\r\n")
        c.drain()
        return False
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"), starttls=inject)


def sc_close_midreply(c, a):
    c.send(b"220-first line\r\n")


def sc_greeting_421(c, a):
    c.send(b"421 4.3.2 Service not available\r\n")


def sc_greeting_554(c, a):
    c.send(b"554 5.3.2 Service not available\r\n")


def sc_ehlo_refused(c, a):
    smtp_dialogue(c, ehlo_code=502)


def refuse_tls(c):
    c.send(reply(454, "4.7.0 TLS not available due to local problem"))
    return True


def sc_starttls_454(c, a):
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"), starttls=refuse_tls)


def sc_auth_before_tls(c, a):
    smtp_dialogue(c, ehlo_lines("PIPELINING", "AUTH PLAIN LOGIN", "STARTTLS"), starttls=refuse_tls)


def sc_silent(c, a):
    c.drain()


def sc_preanswer_starttls(c, a):
    # a man-in-the-middle answering STARTTLS before the client asked: the 220 rides along with
    # the EHLO reply (a correct client reports it and never takes it as the STARTTLS answer)
    c.send(reply(220, HOSTNAME + " ESMTP fakesmtp"))
    c.readline()
    c.send(reply(250, *ehlo_lines("PIPELINING", "STARTTLS")) + b"220 2.0.0 Ready to start TLS\r\n")
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"), banner=b"", starttls=refuse_tls)


def sc_latin1_greeting(c, a):
    # an ordinary server with an ISO-8859-1 greeting: not UTF-8, must not break the JSON
    c.send(b"554 5.3.2 Gr\xfc\xdfe aus M\xfcnchen, geschlossen\r\n")


def sc_ansi_greeting(c, a):
    # terminal escapes (window title, clear screen, colour) in the greeting text
    c.send(b"554 \x1b]0;PWNED-TITLE\x07\x1b[2J\x1b[31mred \x9b31m c1\r\n")


# ---------------------------------------------------------------- STARTTLS command injection

BUSY_ONCE = {"lock": threading.Lock(), "used": False}


def real_tls(c, a, keep_plaintext, send_ready=True, delay=0.0, noop_code=250, quit_reply=True,
             quit_code=221, busy_once=False):
    """STARTTLS done by a real TLS stack (Python's ssl, --tls-cert/--tls-key), then the ordinary
    command loop inside TLS.  `keep_plaintext` is the CVE-2011-0411 bug: commands the client
    pipelined after STARTTLS, already in our read buffer, are kept and run inside TLS.  `delay`
    seconds pass after the handshake before the loop reads anything (a long round trip);
    `noop_code` is the answer to NOOP inside TLS; quit_reply=False closes on QUIT without a 221;
    busy_once answers the first STARTTLS with a NOOP behind it 421 and closes."""
    import ssl
    if not (a.tls_cert and a.tls_key):
        raise Closed("this scenario needs --tls-cert and --tls-key")
    # whatever the client pipelined behind STARTTLS: it cannot send its ClientHello before our
    # 220, so anything arriving now is plaintext (after a 220 already sent, it is not)
    c.sock.settimeout(0.3)
    try:
        while send_ready:
            d = c.sock.recv(4096)
            if not d:
                raise Closed("peer closed after STARTTLS")
            c.buf += d
    except socket.timeout:
        pass
    except OSError as e:
        raise Closed("recv: %s" % e)
    c.sock.settimeout(None)
    pending = c.buf
    log("STARTTLS: %d plaintext bytes pipelined behind it: %r -> %s" % (
        len(pending), pending[:80], "kept" if keep_plaintext else "discarded"))
    c.buf = b""
    if busy_once and b"NOOP" in pending.upper():
        with BUSY_ONCE["lock"]:
            first, BUSY_ONCE["used"] = not BUSY_ONCE["used"], True
        if first:
            c.send(reply(421, "4.7.0 fake busy: too many connections, try later"))
            raise Closed("421 to the first STARTTLS with a NOOP behind it")
    if send_ready:
        c.send(reply(220, "2.0.0 Ready to start TLS"))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.tls_cert, a.tls_key)
    c.sock.settimeout(a.lifetime)
    try:
        tls = ctx.wrap_socket(c.sock, server_side=True)
    except (OSError, ValueError) as e:
        raise Closed("TLS handshake: %s" % e)
    t = Conn(tls)
    t.buf = pending if keep_plaintext else b""
    if delay > 0:
        time.sleep(delay)
    try:
        smtp_dialogue(t, ehlo_lines("PIPELINING", "SIZE 10240000"), log_commands=True, greet=False,
                      noop_code=noop_code, quit_reply=quit_reply, quit_code=quit_code)
    finally:
        tls.close()
    return False


def sc_pipeline_vulnerable(c, a):
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"),
                  starttls=lambda c: real_tls(c, a, True), log_commands=True)


def sc_pipeline_slow(c, a):
    # vulnerable, but its answer to the pipelined NOOP comes after mailtls stopped listening
    # (PROBE_PIPE_WAIT_MS): it must still come before the 221 to QUIT, and be caught there
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"),
                  starttls=lambda c: real_tls(c, a, True, delay=0.6), log_commands=True)


def sc_pipeline_slow_503(c, a):
    # runs the pipelined NOOP inside TLS, late, answering 503: replies come in command order
    # (RFC 2920 §3.2) and nothing of ours preceded it inside TLS -> vulnerable
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"),
                  starttls=lambda c: real_tls(c, a, True, delay=0.6, noop_code=503),
                  log_commands=True)


def sc_pipeline_quit_close(c, a):
    # discards the pipelined NOOP, then closes on QUIT without a 221: the order of the replies
    # to QUIT was never seen -> inconclusive
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"),
                  starttls=lambda c: real_tls(c, a, False, quit_reply=False), log_commands=True)


def sc_pipeline_quit_5xx(c, a):
    # discards the pipelined NOOP and answers QUIT itself with a 550 (filtering appliances do),
    # then closes: one non-221 reply may be QUIT's own -> inconclusive, never vulnerable
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"),
                  starttls=lambda c: real_tls(c, a, False, quit_code=550), log_commands=True)


def sc_pipeline_safe(c, a):
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"),
                  starttls=lambda c: real_tls(c, a, False), log_commands=True)


def sc_pipeline_busy_once(c, a):
    # safe, but the first pipelined STARTTLS gets a 421 (RFC 5321 section 4.2.3: service not
    # available, closing), as from a server that had not yet seen another of the client's
    # connections close and counted one too many
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"),
                  starttls=lambda c: real_tls(c, a, False, busy_once=True), log_commands=True)


def sc_pipeline_plaintext(c, a):
    # runs the pipelined NOOP in plaintext, right behind the 220, then does TLS as usual
    def starttls(c):
        c.sock.settimeout(0.3)
        try:
            line = c.readline()             # the pipelined line, if any
        except Closed:
            line = b""
        c.sock.settimeout(None)
        if not line.upper().startswith(b"NOOP"):
            return real_tls(c, a, False)    # an ordinary client: nothing pipelined
        log("STARTTLS: pipelined NOOP answered in plaintext behind the 220")
        c.send(reply(220, "2.0.0 Ready to start TLS") + reply(250, "2.0.0 OK"))
        return real_tls(c, a, False, send_ready=False)
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"), starttls=starttls, log_commands=True)


def sc_backend(c, a):
    """STARTTLS, then every byte relayed to a real TLS server on 127.0.0.1:--tls-backend (the
    tests run `openssl s_server` there with the behaviour they want: client-initiated
    renegotiation, early data, tickets, OCSP stapling, a chain in any order)."""
    def relay(c):
        import select
        if not a.tls_backend:
            raise Closed("the backend scenario needs --tls-backend PORT")
        b = socket.create_connection(("127.0.0.1", a.tls_backend), timeout=5)
        c.send(reply(220, "2.0.0 Ready to start TLS"))
        pending, c.buf = c.buf, b""
        try:
            if pending:
                b.sendall(pending)
            socks = [c.sock, b]
            while True:
                r, _, _ = select.select(socks, [], [], a.lifetime)
                if not r:
                    return False
                for s_ in r:
                    d = s_.recv(65536)
                    if not d:
                        return False
                    (b if s_ is c.sock else c.sock).sendall(d)
        except OSError:
            return False
        finally:
            b.close()
    smtp_dialogue(c, ehlo_lines("PIPELINING", "STARTTLS"), starttls=relay, log_commands=True)


SCENARIOS = {
    "backend": sc_backend,
    "pipeline_vulnerable": sc_pipeline_vulnerable,
    "pipeline_slow": sc_pipeline_slow,
    "pipeline_slow_503": sc_pipeline_slow_503,
    "pipeline_quit_close": sc_pipeline_quit_close,
    "pipeline_quit_5xx": sc_pipeline_quit_5xx,
    "pipeline_safe": sc_pipeline_safe,
    "pipeline_busy_once": sc_pipeline_busy_once,
    "pipeline_plaintext": sc_pipeline_plaintext,
    "ok_notls": sc_ok_notls,
    "drip": sc_drip,
    "endless_continuation": sc_endless_continuation,
    "huge_line": sc_huge_line,
    "garbage_serverhello": sc_garbage_serverhello,
    "injection": sc_injection,
    "close_midreply": sc_close_midreply,
    "greeting_421": sc_greeting_421,
    "greeting_554": sc_greeting_554,
    "ehlo_refused": sc_ehlo_refused,
    "starttls_454": sc_starttls_454,
    "auth_before_tls": sc_auth_before_tls,
    "silent": sc_silent,
    "preanswer_starttls": sc_preanswer_starttls,
    "latin1_greeting": sc_latin1_greeting,
    "ansi_greeting": sc_ansi_greeting,
}


# ---------------------------------------------------------------- TLS side

def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def u24(v):
    return struct.pack("!I", v)[1:]


def vec8(b):
    return u8(len(b)) + b


def vec16(b):
    return u16(len(b)) + b


def vec24(b):
    return u24(len(b)) + b


def record(ct, version, body):
    out = b""
    for i in range(0, max(len(body), 1), 16384):
        out += u8(ct) + u16(version) + vec16(body[i:i + 16384])
    return out


def handshake(ht, body):
    return u8(ht) + vec24(body)


def alert(version, desc):
    return record(CT_ALERT, version, u8(2) + u8(desc))


class Reader:
    """Bounds-checked reader over a ClientHello; overrun raises ValueError."""

    def __init__(self, b):
        self.b, self.i = b, 0

    def take(self, n):
        if self.i + n > len(self.b):
            raise ValueError("truncated at %d (+%d of %d)" % (self.i, n, len(self.b)))
        d = self.b[self.i:self.i + n]
        self.i += n
        return d

    def int(self, n):
        return int.from_bytes(self.take(n), "big")

    def vec(self, n):
        return self.take(self.int(n))

    def left(self):
        return len(self.b) - self.i


def parse_client_hello(body):
    """A TLS ClientHello handshake body -> dict (RFC 5246 7.4.1.2, RFC 8446 4.1.2)."""
    r = Reader(body)
    h = {"sslv2": False, "version": r.int(2), "random": r.take(32), "session_id": r.vec(1)}
    cs = r.vec(2)
    h["ciphers"] = [int.from_bytes(cs[i:i + 2], "big") for i in range(0, len(cs) - 1, 2)]
    h["compression"] = list(r.vec(1))
    h["extensions"] = {}
    if r.left():
        er = Reader(r.vec(2))
        while er.left():
            t = er.int(2)
            h["extensions"][t] = er.vec(2)
    sv = h["extensions"].get(EXT_SUPPORTED_VERSIONS)
    if sv is not None:
        lst = Reader(sv).vec(1)
        h["supported_versions"] = [int.from_bytes(lst[i:i + 2], "big") for i in range(0, len(lst) - 1, 2)]
    return h


def parse_sslv2_client_hello(body):
    """An SSLv2 CLIENT-HELLO (after the 2-byte header) -> dict."""
    r = Reader(body)
    if r.int(1) != 1:
        raise ValueError("SSLv2 message type is not CLIENT-HELLO")
    version = r.int(2)
    cs_len, sid_len, ch_len = r.int(2), r.int(2), r.int(2)
    cs = r.take(cs_len)
    sid, challenge = r.take(sid_len), r.take(ch_len)
    kinds = [int.from_bytes(cs[i:i + 3], "big") for i in range(0, len(cs) - 2, 3)]
    return {"sslv2": True, "version": version, "random": challenge.rjust(32, b"\0")[-32:],
            "session_id": sid, "kinds": kinds,
            "ciphers": [k for k in kinds if k >> 16 == 0], "compression": [0], "extensions": {}}


def read_client_hello(c):
    """Read the client's first flight: an SSLv2 CLIENT-HELLO or a TLS
    ClientHello (possibly over several records).  Returns (hello, record
    version) or raises ValueError for something that is not a hello."""
    b0 = c.peek(1)[0]
    if b0 & 0x80:
        hdr = c.read(2)
        n = ((hdr[0] & 0x7f) << 8) | hdr[1]
        return parse_sslv2_client_hello(c.read(n)), 0x0002
    if b0 != CT_HANDSHAKE:
        raise ValueError("first record type %d is not handshake" % b0)
    msg, rec_version = b"", None
    while True:
        hdr = c.read(5)
        if hdr[0] != CT_HANDSHAKE:
            raise ValueError("record type %d inside the ClientHello" % hdr[0])
        rec_version = rec_version or int.from_bytes(hdr[1:3], "big")
        msg += c.read(int.from_bytes(hdr[3:5], "big"))
        if len(msg) > MAX_HELLO:
            raise ValueError("ClientHello over %d bytes" % MAX_HELLO)
        if len(msg) >= 4:
            if msg[0] != HS_CLIENT_HELLO:
                raise ValueError("handshake type %d is not ClientHello" % msg[0])
            n = int.from_bytes(msg[1:4], "big")
            if len(msg) >= 4 + n:
                return parse_client_hello(msg[4:4 + n]), rec_version


def code(v):
    return int(v, 16) if isinstance(v, str) else int(v)


def load_profile(path, name):
    with open(path) as f:
        profiles = json.load(f)
    if name not in profiles:
        raise SystemExit("fakesmtp: no TLS profile %r in %s (have: %s)" % (name, path, ", ".join(sorted(profiles))))
    p = dict(profiles[name])
    p["name"] = name
    p["versions"] = [VERSIONS[v] for v in p.get("versions", [])]
    p["ciphers"] = [code(x) for x in p.get("ciphers", [])]
    p["sslv2_ciphers"] = [code(x) for x in p.get("sslv2_ciphers", [])]
    p["curves"] = [code(x) for x in p.get("curves", ["0x0017"])]
    p["dh_bits"] = int(p.get("dh_bits", 2048))
    p["server_key_exchange"] = bool(p.get("server_key_exchange", False))
    p["record_size"] = int(p.get("record_size", 16384))
    p["ske_sigalgs"] = [code(x) for x in p.get("ske_sigalgs", ["0x0401"])]
    p["robot"] = p.get("robot", "")             # "", "strong" or "weak" (needs --tls-key)
    for k in ("server_order", "compression", "secure_renegotiation", "heartbeat", "heartbleed", "fallback_scsv",
              "ccs_injection"):
        p[k] = bool(p.get(k, False))
    return p


def pick(server, client, server_order):
    cset, sset = set(client), set(server)
    if server_order:
        return [x for x in server if x in cset]
    return [x for x in client if x in sset]


def choose(p, h):
    """The server's decision for ClientHello h under profile p, as a tuple:
    ("tls", version, cipher, compression, extensions) / ("sslv2", kinds) /
    ("alert", version, description) / ("sslv2_error",)."""
    server_tls = sorted(v for v in p["versions"] if v >= 0x0300)
    client_ciphers = [x for x in h["ciphers"] if not is_grease(x)]
    alert_version = min(max(h["version"], 0x0300), 0x0303)
    if "supported_versions" in h:
        client_versions = [v for v in h["supported_versions"] if not is_grease(v)]
    else:
        client_versions = list(range(0x0300, min(h["version"], 0x0303) + 1))
    client_max = max(client_versions or [h["version"]])

    if h["sslv2"]:
        v2 = pick(p["sslv2_ciphers"], [k for k in h["kinds"] if k >> 16], p["server_order"])
        tls_possible = any(v in client_versions for v in server_tls) if h["version"] >= 0x0300 else False
        if 0x0002 in p["versions"] and not tls_possible:
            return ("sslv2", v2) if v2 else ("sslv2_error",)
        if h["version"] < 0x0300:
            return ("alert", alert_version, AL_PROTOCOL_VERSION)

    common = [v for v in server_tls if v in client_versions]
    if not common:
        return ("alert", alert_version, AL_PROTOCOL_VERSION)
    version = max(common)
    if p["fallback_scsv"] and SCSV_FALLBACK in client_ciphers and client_max < max(server_tls):
        return ("alert", version, AL_INAPPROPRIATE_FALLBACK)
    usable = [x for x in p["ciphers"] if version >= 0x0303 or x not in TLS12_ONLY]
    curve = None
    if p["server_key_exchange"]:
        # ECDHE needs a common curve (server order; no supported_groups: the first, RFC 8422 4)
        sg = h["extensions"].get(EXT_SUPPORTED_GROUPS)
        if sg is None:
            curve = p["curves"][0]
        else:
            lst = Reader(sg).vec(2)
            cg = {int.from_bytes(lst[i:i + 2], "big") for i in range(0, len(lst) - 1, 2)}
            curve = next((g for g in p["curves"] if g in cg), None)
        if curve is None:
            usable = [x for x in usable if x not in ECDHE_SUITES]
    chosen = pick(usable, client_ciphers, p["server_order"])
    if not chosen:
        return ("alert", version, AL_HANDSHAKE_FAILURE)
    cipher = chosen[0]
    ske = None
    if p["server_key_exchange"] and (cipher in DHE_SUITES or cipher in ECDHE_SUITES):
        # TLS 1.2: the first of the profile's signature schemes the client lists (RFC 5246
        # 7.4.1.4.1); none in common -> handshake_failure, as a SHA-1-only signer does
        sig = p["ske_sigalgs"][0]
        sa = h["extensions"].get(EXT_SIGNATURE_ALGORITHMS)
        if version >= 0x0303 and sa is not None:
            lst = Reader(sa).vec(2)
            offered = {int.from_bytes(lst[i:i + 2], "big") for i in range(0, len(lst) - 1, 2)}
            common = [x for x in p["ske_sigalgs"] if x in offered]
            if not common:
                return ("alert", version, AL_HANDSHAKE_FAILURE)
            sig = common[0]
        ske = server_key_exchange(version, cipher, curve, p["dh_bits"], sig)
    comp = 1 if p["compression"] and 1 in h["compression"] else 0
    exts = []
    ext = h["extensions"]
    if p["secure_renegotiation"] and (EXT_RENEGOTIATION_INFO in ext or SCSV_RENEGOTIATION in client_ciphers):
        exts.append((EXT_RENEGOTIATION_INFO, b"\x00"))
    if p["heartbeat"] and EXT_HEARTBEAT in ext:
        exts.append((EXT_HEARTBEAT, b"\x01"))            # peer_allowed_to_send
    if EXT_EC_POINT_FORMATS in ext and ((cipher >> 8) == 0xc0 or (cipher >> 8) == 0xcc):
        exts.append((EXT_EC_POINT_FORMATS, vec8(b"\x00")))
    return ("tls", version, cipher, comp, exts, ske)


def server_key_exchange(version, cipher, curve, dh_bits, sigalg=0x0401):
    """A ServerKeyExchange body for an (EC)DHE suite, or None. The numbers are random bytes of
    the right sizes (p has its top bit set, so it is dh_bits long); the signature is random
    too -- nobody can check it, as the handshake never gets further."""
    if cipher in DHE_SUITES:
        n = (dh_bits + 7) // 8
        prime = b"\xff" + os.urandom(n - 2) + b"\xff" if n >= 2 else b"\xff"
        params = vec16(prime) + vec16(b"\x02") + vec16(os.urandom(n))
    elif cipher in ECDHE_SUITES:
        plen = CURVE_POINT_LEN.get(curve, 65)
        point = (b"\x04" + os.urandom(plen - 1)) if plen % 2 else os.urandom(plen)
        params = u8(3) + u16(curve) + vec8(point)       # named_curve
    else:
        return None
    sig = vec16(os.urandom(256))
    if version >= 0x0303:
        sig = u16(sigalg) + sig                          # rsa_pkcs1_sha256 unless the profile says
    return params + sig


def load_cert(path):
    with open(path, "rb") as f:
        return f.read()


def build_server_flight(version, cipher, comp, exts, cert, ske=None):
    body = u16(version) + os.urandom(32) + vec8(os.urandom(32)) + u16(cipher) + u8(comp)
    if exts:
        body += vec16(b"".join(u16(t) + vec16(d) for t, d in exts))
    msgs = handshake(HS_SERVER_HELLO, body)
    msgs += handshake(HS_CERTIFICATE, vec24(vec24(cert)))
    if ske is not None:
        msgs += handshake(HS_SERVER_KEY_EXCHANGE, ske)
    msgs += handshake(HS_SERVER_HELLO_DONE, b"")
    return record(CT_HANDSHAKE, version, msgs)


def sslv2_record(body):
    return u16(0x8000 | len(body)) + body


def build_sslv2_server_hello(kinds, cert):
    specs = b"".join(k.to_bytes(3, "big") for k in kinds)
    conn_id = os.urandom(16)
    body = (u8(4) + u8(0) + u8(1) + u16(0x0002) + u16(len(cert)) + u16(len(specs)) + u16(len(conn_id))
            + cert + specs + conn_id)
    return sslv2_record(body)


def heartbeat_reply(p, body):
    """RFC 6520 section 4; with heartbleed, the CVE-2014-0160 over-read."""
    if len(body) < 3 or body[0] != 1:
        return None
    claimed = int.from_bytes(body[1:3], "big")
    sent = body[3:]
    if p["heartbleed"]:
        leak = sent + FAKE_MEMORY * (claimed // len(FAKE_MEMORY) + 1)
        payload = leak[:claimed]
    elif claimed + 16 > len(sent):
        return None                  # RFC 6520: silently discard
    else:
        payload = sent[:claimed]
    return u8(2) + u16(claimed) + payload + os.urandom(16)


def tls_responder(c, p, cert, rsa_key=None):
    try:
        h, rec_version = read_client_hello(c)
    except ValueError as e:
        log("not a ClientHello: %s" % e)
        c.send(alert(0x0301, AL_DECODE_ERROR if "truncated" in str(e) else AL_UNEXPECTED_MESSAGE))
        c.drain()
        return
    d = choose(p, h)
    log("%s hello v=0x%04x ciphers=%d -> %s" % ("SSLv2" if h["sslv2"] else "TLS", h["version"],
                                                len(h["ciphers"] if not h["sslv2"] else h["kinds"]),
                                                d[0] if d[0] != "tls" else "tls v=0x%04x cipher=0x%04x" % d[1:3]))
    if d[0] == "tls":
        version = d[1]
        flight = build_server_flight(version, d[2], d[3], d[4], cert, d[5])
        if p["record_size"] >= 16384:
            c.send(flight)
        else:
            # re-cut the handshake messages into tiny records, each sent on its own
            msgs, off = b"", 0
            while off + 5 <= len(flight):
                n = int.from_bytes(flight[off + 3:off + 5], "big")
                msgs += flight[off + 5:off + 5 + n]
                off += 5 + n
            for i in range(0, len(msgs), p["record_size"]):
                try:
                    c.send(record(CT_HANDSHAKE, version, msgs[i:i + p["record_size"]]))
                except OSError:
                    return
    elif d[0] == "sslv2":
        c.send(build_sslv2_server_hello(d[1], cert))
        c.drain()
        return
    elif d[0] == "sslv2_error":
        c.send(sslv2_record(u8(0) + u16(0x0001)))      # ERROR, NO-CIPHER-ERROR
        c.drain()
        return
    else:
        c.send(alert(d[1], d[2]))
        c.drain()
        return
    # Handshake left hanging.  Answer heartbeats (before the handshake ends, as the Heartbleed
    # probes do); react to the client's next flight as a TLS server that cannot finish would:
    # - ChangeCipherSpec before any ClientKeyExchange: unexpected_message (CVE-2014-0224 fixed),
    #   or, with "ccs_injection", accept it silently and fail the next record's MAC;
    # - ClientKeyExchange: with "robot", a Bleichenbacher oracle on the RSA-decrypted block
    #   (handshake_failure at once for a block it rejects); otherwise nothing yet;
    # - the (encrypted) Finished after CCS: bad_record_mac, as we share no keys with anyone.
    cke = ccs = False
    while True:
        hdr = c.read(5)
        body = c.read(int.from_bytes(hdr[3:5], "big"))
        if ccs and hdr[0] != CT_ALERT:
            # after the ChangeCipherSpec every record is "encrypted" under keys nobody shares:
            # the Finished, junk, or a second plaintext CCS all fail the MAC
            c.send(alert(version, AL_BAD_RECORD_MAC))
            c.drain()
            return
        if hdr[0] == CT_HEARTBEAT and p["heartbeat"]:
            r = heartbeat_reply(p, body)
            log("heartbeat request %d bytes -> %s" % (len(body), "%d bytes" % len(r) if r else "discarded"))
            if r:
                c.send(record(CT_HEARTBEAT, version, r))
        elif hdr[0] == CT_ALERT and len(body) >= 2 and body[0] == 2:
            return
        elif hdr[0] == CT_CCS:
            if not cke and not p["ccs_injection"]:
                log("early ChangeCipherSpec: unexpected_message")
                c.send(alert(version, AL_UNEXPECTED_MESSAGE))
                c.drain()
                return
            log("ChangeCipherSpec %s" % ("accepted early (CVE-2014-0224)" if not cke else "after the key exchange"))
            ccs = True
        elif hdr[0] == CT_HANDSHAKE:
            if body[:1] == b"\x10":
                cke = True
                if robot_rejects(p, body, rsa_key):
                    c.send(alert(version, AL_HANDSHAKE_FAILURE))
                    c.drain()
                    return
        elif hdr[0] not in (20, 21, 22, 23, 24):
            c.drain()


def load_rsa_key(path):
    """(n, d) of a PEM RSA private key, with Debian's python3-cryptography; None without one."""
    if not path:
        return None
    from cryptography.hazmat.primitives import serialization
    with open(path, "rb") as f:
        k = serialization.load_pem_private_key(f.read(), password=None)
    nums = k.private_numbers()
    return (nums.public_numbers.n, nums.d)


def robot_rejects(p, body, key):
    """The Bleichenbacher oracle of a "robot" profile: True when the server reacts to this
    ClientKeyExchange at once (a block it finds malformed).  "strong": only the leading 00 02
    is checked (the oracle of the 1998 attack); "weak": the whole PKCS#1 v1.5 format with a
    48-byte secret.  A careful server never rejects here: it fails at the Finished instead."""
    if not p["robot"] or key is None or len(body) < 6:
        return False
    n, d = key
    k = (n.bit_length() + 7) // 8
    enc = body[6:6 + int.from_bytes(body[4:6], "big")]
    em = pow(int.from_bytes(enc, "big"), d, n).to_bytes(k, "big")
    if p["robot"] == "strong":
        bad = em[:2] != b"\x00\x02"
    else:
        sep = em.find(b"\x00", 2)
        bad = em[:2] != b"\x00\x02" or sep < 10 or k - sep - 1 != 48
    log("ClientKeyExchange: block %s -> %s" % (em[:2].hex(), "rejected at once" if bad else "accepted"))
    return bad


def tls_starttls_scenario(p, cert, rsa_key=None):
    def run(c, a):
        def go(c):
            c.send(reply(220, "2.0.0 Ready to start TLS"))
            tls_responder(c, p, cert, rsa_key)
            return False
        smtp_dialogue(c, ehlo_lines("PIPELINING", "SIZE 10240000", "STARTTLS"), starttls=go)
    return run


# ---------------------------------------------------------------- server

def serve_one(sock, peer, handler, args):
    start = time.monotonic()
    why = "done"
    def cut():
        try:
            sock.shutdown(socket.SHUT_RDWR)     # wakes the blocked recv/send
        except OSError:
            pass
    timer = threading.Timer(args.lifetime, cut)
    timer.daemon = True
    timer.start()
    log("%s: connection from %s port %d" % (args.scenario, peer[0], peer[1]))
    try:
        handler(Conn(sock), args)
    except Closed as e:
        why = str(e)
    except Exception as e:              # a bug here must not kill the server
        why = "error: %r" % e
    finally:
        timer.cancel()
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        sock.close()
        log("%s: closed after %.1f s (%s)" % (args.scenario, time.monotonic() - start, why))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="scenarios: %s, tls:<profile>" % ", ".join(SCENARIOS))
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--once", action="store_true", help="serve one connection, then exit")
    ap.add_argument("--ready-file", help="write the port here once listening")
    ap.add_argument("--implicit-tls", action="store_true", help="tls:<profile> without SMTP: TLS right after connect")
    ap.add_argument("--lifetime", type=float, default=60.0, help="hard cap per connection, seconds")
    ap.add_argument("--profiles", default=os.path.join(HERE, "tls-profiles.json"))
    ap.add_argument("--cert", default=os.path.join(HERE, "cert.der"))
    ap.add_argument("--tls-cert", help="PEM certificate for the real-TLS scenarios (pipeline_*)")
    ap.add_argument("--tls-key", help="PEM key for the real-TLS scenarios (pipeline_*), and the RSA key of a \"robot\" profile's --cert")
    ap.add_argument("--tls-backend", type=int, help="backend: port of the TLS server on 127.0.0.1 to relay to after STARTTLS")
    args = ap.parse_args()

    ip = ipaddress.ip_address(args.addr)
    if not ip.is_loopback:
        ap.error("--addr must be a loopback address (127.0.0.0/8 or ::1)")

    if args.scenario.startswith("tls:"):
        p = load_profile(args.profiles, args.scenario[4:])
        cert = load_cert(args.cert)
        rsa_key = load_rsa_key(args.tls_key) if p["robot"] else None
        if args.implicit_tls:
            handler = lambda c, a: tls_responder(c, p, cert, rsa_key)  # noqa: E731
        else:
            handler = tls_starttls_scenario(p, cert, rsa_key)
    elif args.implicit_tls:
        ap.error("--implicit-tls needs a tls:<profile> scenario")
    elif args.scenario in SCENARIOS:
        handler = SCENARIOS[args.scenario]
    else:
        ap.error("unknown scenario %r; have: %s, tls:<profile>" % (args.scenario, ", ".join(SCENARIOS)))

    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.addr, args.port))
    ls.listen(64)
    port = ls.getsockname()[1]
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.ready_file)
    print(port, flush=True)
    log("%s listening on %s port %d" % (args.scenario, args.addr, port))

    while True:
        try:
            sock, peer = ls.accept()
        except KeyboardInterrupt:
            break
        t = threading.Thread(target=serve_one, args=(sock, peer, handler, args), daemon=True)
        t.start()
        if args.once:
            ls.close()
            t.join()
            break


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
