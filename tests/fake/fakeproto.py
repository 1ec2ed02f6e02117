#!/usr/bin/python3
"""fakeproto.py -- scripted IMAP, POP3 and XMPP servers for what no real server shows (issue 8).

usage: fakeproto.py --listen ADDR:PORT --scenario NAME --cert PEM --key KEY --log FILE

Scenarios (real TLS through Python's ssl where TLS starts):
  imap_pipe_vulnerable   IMAP that keeps bytes pipelined behind STARTTLS and runs them inside TLS
  imap_pipe_safe         IMAP that discards them (RFC 3207 §4.2 / RFC 2595 §3.1 behaviour)
  pop3_pipe_vulnerable   POP3, the same with STLS (answers the NOOP -ERR, inside TLS)
  pop3_pipe_safe
  xmpp_required_lax      XMPP c2s advertising <starttls><required/> next to PLAIN, and starting
                         SASL in plaintext when asked (<challenge/>); TLS works
  xmpp_garbage_header    a stream header without the streams namespace, then noise
  xmpp_endless_features  <stream:features> that never ends (children forever, 200 KB)
  imap_endless           untagged lines forever after the greeting
  pop3_huge_line         a 100 KB greeting line

Every command line the server reads is appended to the log as "CONN n: <line>", every accepted
connection as "CONN n", so tests can check what mailtls sent and how many connections it made.
Only the given loopback address is bound.
"""
import argparse
import socket
import socketserver
import ssl
import sys
import threading
import time

A = None
LOCK = threading.Lock()
COUNT = [0]


def log(n, line):
    with LOCK:
        with open(A.log, "a") as f:
            f.write("CONN %d%s\n" % (n, (": " + line) if line is not None else ""))


class Conn:
    def __init__(self, sock, n):
        self.s = sock
        self.n = n
        self.buf = b""
        self.tls = None

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        (self.tls or self.s).sendall(data)

    def fill(self):
        d = (self.tls or self.s).recv(65536)
        if not d:
            raise EOFError
        self.buf += d

    def line(self):
        while b"\n" not in self.buf:
            self.fill()
        l, self.buf = self.buf.split(b"\n", 1)
        t = l.rstrip(b"\r").decode("latin-1")
        log(self.n, t)
        return t

    def until(self, marker):
        while marker not in self.buf:
            self.fill()
        i = self.buf.index(marker) + len(marker)
        d, self.buf = self.buf[:i], self.buf[i:]
        log(self.n, d.decode("latin-1"))
        return d.decode("latin-1")

    def start_tls(self, keep):
        """TLS on the socket; keep=True keeps plaintext read before the handshake (the bug)."""
        left = self.buf if keep else b""
        self.buf = b""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(A.cert, A.key)
        self.tls = ctx.wrap_socket(self.s, server_side=True)
        self.buf = left


def imap(c, keep):
    c.send("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] fake ready\r\n")
    while True:
        l = c.line()
        tag, _, cmd = l.partition(" ")
        cmd = cmd.upper()
        if cmd == "CAPABILITY":
            caps = "IMAP4rev1 AUTH=PLAIN" if c.tls else "IMAP4rev1 STARTTLS LOGINDISABLED"
            c.send("* CAPABILITY %s\r\n%s OK done\r\n" % (caps, tag))
        elif cmd == "STARTTLS" and not c.tls:
            c.send("%s OK Begin TLS\r\n" % tag)
            c.start_tls(keep)
        elif cmd == "NOOP":
            c.send("%s OK NOOP completed\r\n" % tag)
        elif cmd == "LOGOUT":
            c.send("* BYE\r\n%s OK bye\r\n" % tag)
            return
        else:
            c.send("%s BAD unknown\r\n" % tag)


def pop3(c, keep):
    c.send("+OK fake POP3 ready\r\n")
    while True:
        l = c.line().upper()
        if l == "CAPA":
            c.send("+OK\r\nTOP\r\n%s.\r\n" % ("USER\r\nSASL PLAIN\r\n" if c.tls else "STLS\r\nSASL\r\n"))
        elif l == "STLS" and not c.tls:
            c.send("+OK Begin TLS\r\n")
            c.start_tls(keep)
        elif l == "QUIT":
            c.send("+OK bye\r\n")
            return
        else:
            c.send("-ERR unknown command\r\n")


HDR = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
       "xmlns:stream='http://etherx.jabber.org/streams' from='lab-provider.example' id='%s' version='1.0'>")


def xmpp_required_lax(c):
    c.until(b"version='1.0'>")
    c.send(HDR % "p1")
    c.send("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
           "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
           "</mechanisms></stream:features>")
    while True:
        el = c.until(b"/>")
        if "<auth" in el:
            c.send("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
        elif "<abort" in el:
            c.send("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><aborted/></failure>")
        elif "<starttls" in el:
            c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
            c.start_tls(False)
            c.until(b"version='1.0'>")
            c.send(HDR % "p2")
            c.send("<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                   "<mechanism>PLAIN</mechanism></mechanisms></stream:features>")
            c.until(b"</stream:stream>")
            c.send("</stream:stream>")
            return


def xmpp_garbage_header(c):
    c.until(b"version='1.0'>")
    c.send("<stream:stream xmlns='jabber:client' xmlns:stream='urn:not-streams' version='1.0'>"
           "<stream:features/>")
    time.sleep(1)


def xmpp_endless_features(c):
    c.until(b"version='1.0'>")
    c.send(HDR % "e1")
    c.send("<stream:features>")
    try:
        for _ in range(50000):
            c.send("<x/>")
    except OSError:
        return
    time.sleep(2)


def imap_endless(c):
    c.send("* OK fake\r\n")
    c.line()
    try:
        for i in range(100000):
            c.send("* %d EXISTS\r\n" % i)
    except OSError:
        return


def pop3_huge_line(c):
    try:
        c.send("+OK " + "x" * 100000 + "\r\n")
    except OSError:
        return
    time.sleep(1)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        with LOCK:
            COUNT[0] += 1
            n = COUNT[0]
        log(n, None)
        c = Conn(self.request, n)
        sc = A.scenario
        try:
            if sc.startswith("imap_pipe"):
                imap(c, sc.endswith("vulnerable"))
            elif sc.startswith("pop3_pipe"):
                pop3(c, sc.endswith("vulnerable"))
            else:
                globals()[sc](c)
        except (EOFError, OSError, ssl.SSLError, UnicodeError):
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global A
    p = argparse.ArgumentParser()
    p.add_argument("--listen", required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--log", required=True)
    A = p.parse_args()
    host, port = A.listen.rsplit(":", 1)
    if not host.startswith("127."):
        sys.exit("fakeproto: loopback addresses only")
    srv = Server((host, int(port)), Handler)
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
