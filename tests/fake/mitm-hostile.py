#!/usr/bin/env python3
"""mitm-hostile.py ADDR PORT PROTO CASE -- one hostile client against `mailtls mitm`.

Every byte a client sends the mitm is untrusted.  Each case behaves badly in one way and checks
that the mitm ends the connection (or answers) within its bound; it prints "ok CASE: ..." or
"FAIL CASE: ..." and exits 0 or 1.  Only ADDR (loopback) is contacted.

Cases: garbage drip hugeline flood tlsgarbage tlsstall deepxml hugexml literal many sane
"""
import os
import socket
import sys
import time

ADDR, PORT, PROTO, CASE = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
LIMIT = float(os.environ.get("MITM_HOSTILE_LIMIT", "8"))  # seconds the mitm may take to hang up


def conn(timeout=LIMIT + 2):
    fam = socket.AF_INET6 if ":" in ADDR else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((ADDR, PORT))
    return s


def greeting(s):
    if PROTO == "xmpp":
        return b""
    s.settimeout(5)
    return s.recv(4096)


def until_closed(s, deadline):
    """Read until EOF or reset; returns seconds taken, or None when still open at the deadline."""
    t0 = time.time()
    while time.time() - t0 < deadline:
        s.settimeout(max(0.1, deadline - (time.time() - t0)))
        try:
            d = s.recv(65536)
        except socket.timeout:
            return None
        except (ConnectionResetError, BrokenPipeError):
            return time.time() - t0
        if not d:
            return time.time() - t0
    return None


def result(ok, msg):
    print(("ok   " if ok else "FAIL ") + CASE + ": " + msg)
    sys.exit(0 if ok else 1)


def send_all(s, data):
    try:
        s.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        return False


if CASE == "garbage":
    # binary noise with line ends, NULs and high bytes: answered or closed, never a crash
    s = conn()
    greeting(s)
    noise = bytes((i * 37 + 11) % 256 for i in range(20000)).replace(b"\n", b"\r\n")
    send_all(s, noise)
    t = until_closed(s, LIMIT)
    result(t is not None, "closed after %.1fs" % t if t is not None else "still open")

elif CASE == "drip":
    # one byte every 0.3 s, never a whole command: the per-command deadline must fire
    s = conn()
    greeting(s)
    t0 = time.time()
    line = b"EHLO " + b"x" * 200
    for b in line:
        if not send_all(s, bytes([b])):
            break
        try:
            s.settimeout(0.3)
            if s.recv(4096) == b"":
                break
        except socket.timeout:
            pass
        except ConnectionResetError:
            break
        if time.time() - t0 > LIMIT + 5:
            result(False, "still open after %.1fs of dripping" % (time.time() - t0))
    result(time.time() - t0 <= LIMIT + 1, "cut after %.1fs" % (time.time() - t0))

elif CASE == "hugeline":
    # 10 MiB without a line end: the line ceiling must end it long before
    s = conn()
    greeting(s)
    sent = 0
    chunk = b"A" * 65536
    t0 = time.time()
    while sent < 10 * 1024 * 1024:
        if not send_all(s, chunk):
            break
        sent += len(chunk)
    t = until_closed(s, LIMIT)
    result(t is not None and sent < 10 * 1024 * 1024 or t is not None,
           "closed after %d KiB sent, %.1fs" % (sent // 1024, time.time() - t0))

elif CASE == "flood":
    # thousands of commands, never reading a reply: the output ceiling must end it
    s = conn()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    cmd = {"imap": b"a NOOP\r\n", "pop3": b"NOOP\r\n"}.get(PROTO, b"NOOP\r\n")
    t0 = time.time()
    ok = True
    for _ in range(400):
        if not send_all(s, cmd * 1000):
            break
        if time.time() - t0 > LIMIT + 5:
            ok = False
            break
    t = until_closed(s, LIMIT + 5)
    result(ok and t is not None, "ended after %.1fs" % (time.time() - t0))

elif CASE in ("tlsgarbage", "tlsstall"):
    # STARTTLS accepted (a cert.* attack), then garbage instead of a ClientHello, or nothing
    s = conn()
    greeting(s)
    if PROTO in ("smtp", "submission"):
        send_all(s, b"EHLO hostile.example\r\n")
        time.sleep(0.2)
        s.recv(4096)
        send_all(s, b"STARTTLS\r\n")
    elif PROTO == "imap":
        send_all(s, b"a STARTTLS\r\n")
    elif PROTO == "pop3":
        send_all(s, b"STLS\r\n")
    time.sleep(0.2)
    s.recv(4096)
    if CASE == "tlsgarbage":
        send_all(s, b"\x16\x03\x01\xff\xff" + b"\x00" * 3000)
    t = until_closed(s, LIMIT)
    result(t is not None, "closed after %.1fs" % t if t is not None else "still open")

elif CASE in ("deepxml", "hugexml"):
    s = conn()
    send_all(s, b"<?xml version='1.0'?><stream:stream to='lab.example' version='1.0' "
                b"xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>")
    time.sleep(0.2)
    s.recv(65536)
    if CASE == "deepxml":
        send_all(s, b"<a>" * 5000)
    else:
        send_all(s, b"<iq><body>" + b"x" * (2 * 1024 * 1024))
    t = until_closed(s, LIMIT)
    result(t is not None, "closed after %.1fs" % t if t is not None else "still open")

elif CASE == "literal":
    # IMAP LOGIN announcing a 4 GB literal, then a little data and silence
    s = conn()
    greeting(s)
    send_all(s, b"a LOGIN {4294967295}\r\n")
    send_all(s, b"x" * 100000)
    t = until_closed(s, LIMIT)
    result(t is not None, "closed after %.1fs" % t if t is not None else "still open")

elif CASE == "many":
    # 200 idle connections at once: the mitm caps what it serves and frees them at the deadline
    socks = []
    for _ in range(200):
        try:
            socks.append(conn(timeout=2))
        except OSError:
            break
    time.sleep(0.5)
    t0 = time.time()
    for s in socks:
        try:
            s.settimeout(max(0.1, LIMIT * 3 - (time.time() - t0)))
            s.recv(4096)
            s.recv(4096)
        except OSError:
            pass
        s.close()
    result(time.time() - t0 < LIMIT * 3 + 2, "%d connections, all ended in %.1fs" %
           (len(socks), time.time() - t0))

elif CASE == "sane":
    # after all that, a well-behaved client is still served
    s = conn()
    g = greeting(s)
    if PROTO in ("smtp", "submission"):
        send_all(s, b"EHLO sane.example\r\n")
        time.sleep(0.3)
        r = s.recv(4096)
        result(g.startswith(b"220") and b"250" in r, "greeting and EHLO answered")
    elif PROTO == "xmpp":
        send_all(s, b"<stream:stream to='lab.example' version='1.0' xmlns='jabber:client' "
                    b"xmlns:stream='http://etherx.jabber.org/streams'>")
        time.sleep(0.3)
        result(b"stream:features" in s.recv(4096), "stream answered")
    else:
        result(g.startswith(b"* OK") or g.startswith(b"+OK"), "greeting")
else:
    print("unknown case " + CASE, file=sys.stderr)
    sys.exit(2)
