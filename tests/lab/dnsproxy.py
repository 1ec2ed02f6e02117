#!/usr/bin/python3
"""dnsproxy.py -- a scripted DNS proxy for the domain lab (Python 3 standard library only).

It listens on a loopback address (UDP and TCP), forwards every query unchanged to an upstream
name server on loopback (the lab's Knot) and relays the answer byte for byte, so a signed answer
stays signed.  Queries that match a rule are dropped (no answer: the client times out) or get a
SERVFAIL instead, or are forwarded late.  See docs/internals/domain-lab.md ("The DNS proxy").

usage:
  dnsproxy.py --listen 127.0.0.1@PORT --upstream 127.0.0.1@PORT --rules FILE
              [--delay SECS] [--log FILE] [--pidfile FILE]

FILE has one rule a line ('#' starts a comment):
  ACTION NAME QTYPE
  ACTION   drop | servfail | refused | delay (forwarded after --delay seconds, 0.3 unless set)
  NAME     a domain name; it matches itself and every name under it (case-insensitive)
  QTYPE    a type mnemonic (A AAAA MX TLSA TXT CNAME DS DNSKEY SOA NS ...), a number, or *
The first matching rule wins; a query that matches none is forwarded.  The file is read again
when its modification time changes, so a test can change the rules of a running proxy.

Every address must be on loopback (127.0.0.0/8 or ::1): nothing is ever sent elsewhere.  The log
has one line per query: "udp|tcp NAME QTYPE forward|drop|servfail|refused|delay|error".
"""

import argparse
import ipaddress
import os
import signal
import socket
import socketserver
import struct
import sys
import threading
import time

QTYPES = {
    "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
    "SRV": 33, "DS": 43, "RRSIG": 46, "NSEC": 47, "DNSKEY": 48, "NSEC3": 50,
    "NSEC3PARAM": 51, "TLSA": 52, "SVCB": 64, "HTTPS": 65, "ANY": 255,
}
QNAMES = {v: k for k, v in QTYPES.items()}
UPSTREAM_TIMEOUT = 3.0      # seconds to wait for the upstream's answer
MAX_TCP_MSG = 65535


def die(msg):
    print("dnsproxy.py: " + msg, file=sys.stderr)
    sys.exit(1)


def parse_addr(s):
    """ADDR@PORT -> (family, addr, port); dies unless ADDR is a loopback address."""
    addr, sep, port = s.rpartition("@")
    if not sep or not port.isdigit():
        die("address must be ADDR@PORT: " + s)
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        die("not an IP address: " + addr)
    if not ip.is_loopback:
        die("refusing a non-loopback address: " + addr)
    fam = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    return fam, addr, int(port)


def parse_question(msg):
    """(qname lower-case without the final dot, qtype, end offset of the question) or None."""
    if len(msg) < 12 or struct.unpack("!H", msg[4:6])[0] != 1:
        return None
    labels, i = [], 12
    while True:
        if i >= len(msg):
            return None
        n = msg[i]
        i += 1
        if n == 0:
            break
        if n & 0xC0 or i + n > len(msg):      # no compression pointers in a question
            return None
        labels.append(msg[i:i + n].decode("ascii", "replace").lower())
        i += n
    if i + 4 > len(msg):
        return None
    qtype = struct.unpack("!H", msg[i:i + 2])[0]
    return ".".join(labels), qtype, i + 4


def error_answer(query, qend, rcode):
    """A reply to QUERY with RCODE: same ID, opcode and RD, the question, an OPT RR with DO."""
    qid, flags = struct.unpack("!HH", query[:4])
    flags = 0x8000 | (flags & 0x7900) | 0x0080 | rcode     # QR, opcode+RD kept, RA, rcode
    head = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 1)
    opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0x8000, 0)
    return head + query[12:qend] + opt


class Rules:
    """The rule file, re-read when it changes."""

    def __init__(self, path):
        self.path = path
        self.mtime = None
        self.rules = []
        self.lock = threading.Lock()
        self.reload()

    def reload(self):
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            mtime = -1
        with self.lock:
            if mtime == self.mtime:
                return
            rules = []
            if mtime != -1:
                with open(self.path, encoding="utf-8") as f:
                    for lineno, line in enumerate(f, 1):
                        words = line.split("#", 1)[0].split()
                        if not words:
                            continue
                        if len(words) != 3 or words[0] not in ("drop", "servfail", "refused", "delay"):
                            die("%s:%d: expected ACTION NAME QTYPE" % (self.path, lineno))
                        name = words[1].lower().rstrip(".")
                        t = words[2].upper()
                        if t == "*":
                            qtype = None
                        elif t.isdigit():
                            qtype = int(t)
                        elif t in QTYPES:
                            qtype = QTYPES[t]
                        else:
                            die("%s:%d: unknown type %s" % (self.path, lineno, words[2]))
                        rules.append((words[0], name, qtype))
            self.rules, self.mtime = rules, mtime

    def action(self, qname, qtype):
        self.reload()
        with self.lock:
            for act, name, t in self.rules:
                if (qname == name or qname.endswith("." + name)) and t in (None, qtype):
                    return act
        return "forward"


class Proxy:
    def __init__(self, upstream, rules, logfile, delay):
        self.upstream = upstream
        self.delay = delay
        self.rules = rules
        self.log_lock = threading.Lock()
        self.logf = open(logfile, "a", encoding="utf-8", buffering=1) if logfile else None

    def log(self, proto, q, what):
        if self.logf is None:
            return
        name, qtype = (q[0] or ".", QNAMES.get(q[1], str(q[1]))) if q else ("?", "?")
        with self.log_lock:
            self.logf.write("%s %s %s %s\n" % (proto, name, qtype, what))

    def decide(self, proto, msg):
        """The answer to send (bytes), or None to send nothing; b"" means forward."""
        q = parse_question(msg)
        act = self.rules.action(q[0], q[1]) if q else "forward"
        self.log(proto, q, act)
        if act == "drop":
            return None
        if act in ("servfail", "refused"):
            return error_answer(msg, q[2], 2 if act == "servfail" else 5)
        if act == "delay":
            time.sleep(self.delay)      # this query's own thread (ThreadingMixIn)
        return b""

    def forward_udp(self, msg):
        fam, addr, port = self.upstream
        with socket.socket(fam, socket.SOCK_DGRAM) as s:
            s.settimeout(UPSTREAM_TIMEOUT)
            s.sendto(msg, (addr, port))
            while True:
                data, _ = s.recvfrom(65535)
                if data[:2] == msg[:2]:
                    return data

    def forward_tcp(self, msg):
        fam, addr, port = self.upstream
        with socket.create_connection((addr, port), timeout=UPSTREAM_TIMEOUT) as s:
            s.sendall(struct.pack("!H", len(msg)) + msg)
            n = struct.unpack("!H", recv_exact(s, 2))[0]
            return recv_exact(s, n)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("short read")
        buf += chunk
    return buf


class UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        msg, sock = self.request
        proxy = self.server.proxy
        ans = proxy.decide("udp", msg)
        if ans is None:
            return
        try:
            if ans == b"":
                ans = proxy.forward_udp(msg)
            sock.sendto(ans, self.client_address)
        except OSError:
            proxy.log("udp", parse_question(msg), "error")


class TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        proxy = self.server.proxy
        s = self.request
        s.settimeout(10)
        try:
            while True:
                n = struct.unpack("!H", recv_exact(s, 2))[0]
                msg = recv_exact(s, n)
                ans = proxy.decide("tcp", msg)
                if ans is None:
                    continue            # a dropped query: keep reading, the client times out
                if ans == b"":
                    ans = proxy.forward_tcp(msg)
                if len(ans) > MAX_TCP_MSG:
                    return
                s.sendall(struct.pack("!H", len(ans)) + ans)
        except (OSError, ConnectionError, struct.error):
            return


def server_class(base, fam):
    return type("S", (socketserver.ThreadingMixIn, base),
                {"address_family": fam, "daemon_threads": True, "allow_reuse_address": True})


def main():
    ap = argparse.ArgumentParser(description="scripted DNS proxy for the mailtls lab")
    ap.add_argument("--listen", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--delay", type=float, default=0.3)
    ap.add_argument("--log")
    ap.add_argument("--pidfile")
    a = ap.parse_args()
    fam, addr, port = parse_addr(a.listen)
    upstream = parse_addr(a.upstream)
    if (addr, port) == upstream[1:]:
        die("listen and upstream are the same address")
    if not 0 <= a.delay <= 10:
        die("--delay wants 0 to 10 seconds")
    proxy = Proxy(upstream, Rules(a.rules), a.log, a.delay)
    try:
        udp = server_class(socketserver.UDPServer, fam)((addr, port), UDPHandler)
        tcp = server_class(socketserver.TCPServer, fam)((addr, port), TCPHandler)
    except OSError as e:
        die("cannot listen on %s@%d: %s" % (addr, port, e))
    udp.proxy = tcp.proxy = proxy
    if a.pidfile:
        with open(a.pidfile, "w", encoding="ascii") as f:
            f.write("%d\n" % os.getpid())
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    udp.serve_forever()


if __name__ == "__main__":
    main()
