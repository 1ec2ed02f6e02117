#!/usr/bin/env python3
"""selftest -- check that every fakesmtp.py scenario and TLS profile behaves
as tests/fake/README.md says, with a raw socket client on 127.0.0.1.

    python3 tests/fake/selftest.py [-v] [NAME-SUBSTRING...]

Prints one line per check and "N passed, M failed"; exits 1 on a failure.
Takes about 10 s (the drip and lifetime checks wait on real time).
"""

import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "fakesmtp.py")
VERBOSE = "-v" in sys.argv
with open(os.path.join(HERE, "cert.der"), "rb") as _f:
    CERT = _f.read()


class Server:
    """fakesmtp.py on 127.0.0.1, port 0, ready file; stopped on exit."""

    def __init__(self, scenario, *extra):
        self.dir = tempfile.TemporaryDirectory(prefix="fakesmtp-selftest-")
        ready = os.path.join(self.dir.name, "port")
        self.log = open(os.path.join(self.dir.name, "log"), "w+")
        self.proc = subprocess.Popen([sys.executable, FAKE, "--addr", "127.0.0.1", "--port", "0",
                                      "--scenario", scenario, "--ready-file", ready] + list(extra),
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 10
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("server %s did not start: %s" % (scenario, self.logtext()))
            time.sleep(0.02)
        with open(ready) as f:
            self.port = int(f.read())

    def logtext(self):
        self.log.seek(0)
        return self.log.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(5)
        if VERBOSE:
            sys.stderr.write(self.logtext())
        self.log.close()
        self.dir.cleanup()


class Client:
    def __init__(self, port, timeout=10):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError
        self.buf += d

    def line(self):
        while b"\n" not in self.buf:
            self.fill()
        line, _, self.buf = self.buf.partition(b"\n")
        return line.rstrip(b"\r").decode("latin-1")

    def reply(self):
        """One SMTP reply -> (code, [texts])."""
        texts = []
        while True:
            ln = self.line()
            texts.append(ln[4:])
            if ln[3:4] != "-":
                return int(ln[:3]), texts

    def cmd(self, text):
        self.s.sendall(text.encode() + b"\r\n")
        return self.reply()

    def read(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def eof(self, wait=5.0):
        """True if the server closes within `wait` seconds (discarding data)."""
        self.s.settimeout(wait)
        try:
            while self.s.recv(65536):
                pass
            return True
        except (socket.timeout, ConnectionResetError):
            return False

    def record(self):
        hdr = self.read(5)
        return hdr[0], struct.unpack("!H", hdr[1:3])[0], self.read(struct.unpack("!H", hdr[3:5])[0])

    def close(self):
        self.s.close()


# ------------------------------------------------------------ hello builders

def client_hello(version=0x0303, ciphers=(0xc02f,), comps=(0,), exts=(), rec_version=0x0301):
    ext = b"".join(struct.pack("!HH", t, len(d)) + d for t, d in exts)
    body = struct.pack("!H", version) + os.urandom(32) + b"\x00"
    body += struct.pack("!H", 2 * len(ciphers)) + b"".join(struct.pack("!H", c) for c in ciphers)
    body += bytes([len(comps)]) + bytes(comps)
    if exts:
        body += struct.pack("!H", len(ext)) + ext
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return struct.pack("!BHH", 22, rec_version, len(hs)) + hs


def sslv2_hello(version, kinds):
    specs = b"".join(k.to_bytes(3, "big") for k in kinds)
    challenge = os.urandom(16)
    body = b"\x01" + struct.pack("!HHHH", version, len(specs), 0, len(challenge)) + specs + challenge
    return struct.pack("!H", 0x8000 | len(body)) + body


def ext_reneg():
    return (0xff01, b"\x00")


def ext_versions(*vs):
    return (43, bytes([2 * len(vs)]) + b"".join(struct.pack("!H", v) for v in vs))


EXT_HEARTBEAT = (15, b"\x01")
EXT_GROUPS = (10, b"\x00\x04\x00\x1d\x00\x17")
EXT_POINTS = (11, b"\x01\x00")


def server_flight(c):
    """Read ServerHello + Certificate + ServerHelloDone -> dict, or ("alert", desc)."""
    ct, rv, body = c.record()
    if ct == 21:
        return {"alert": body[1], "record_version": rv}
    assert ct == 22, "record type %d" % ct
    msgs = body
    out = {"record_version": rv}
    while True:
        while len(msgs) < 4 or len(msgs) < 4 + int.from_bytes(msgs[1:4], "big"):
            ct, _, more = c.record()
            assert ct == 22
            msgs += more
        ht, n = msgs[0], int.from_bytes(msgs[1:4], "big")
        m, msgs = msgs[4:4 + n], msgs[4 + n:]
        if ht == 2:
            out["version"] = struct.unpack("!H", m[0:2])[0]
            sid_len = m[34]
            p = 35 + sid_len
            out["cipher"] = struct.unpack("!H", m[p:p + 2])[0]
            out["compression"] = m[p + 2]
            out["extensions"] = {}
            if len(m) > p + 3:
                e = m[p + 5:]
                while e:
                    t, ln = struct.unpack("!HH", e[:4])
                    out["extensions"][t] = e[4:4 + ln]
                    e = e[4 + ln:]
        elif ht == 11:
            lst = m[3:]
            out["cert"] = lst[3:3 + int.from_bytes(lst[:3], "big")]
        elif ht == 14:
            return out


def starttls(port, hello):
    c = Client(port)
    assert c.reply()[0] == 220
    code, ehlo = c.cmd("EHLO selftest.invalid")
    assert code == 250 and "STARTTLS" in ehlo, ehlo
    assert c.cmd("STARTTLS")[0] == 220
    c.s.sendall(hello)
    return c


def tls(profile, hello, implicit=False):
    with Server("tls:" + profile, *(["--implicit-tls"] if implicit else [])) as srv:
        if implicit:
            c = Client(srv.port)
            c.s.sendall(hello)
        else:
            c = starttls(srv.port, hello)
        try:
            return server_flight(c)
        finally:
            c.close()


# ------------------------------------------------------------ SMTP checks

def t_ok_notls():
    with Server("ok_notls") as srv:
        c = Client(srv.port)
        assert c.reply()[0] == 220
        code, ehlo = c.cmd("EHLO selftest.invalid")
        assert code == 250 and not any("STARTTLS" in x for x in ehlo), ehlo
        assert c.cmd("QUIT")[0] == 221
        assert c.eof()


def t_drip():
    with Server("drip") as srv:
        c = Client(srv.port)
        t0 = time.monotonic()
        assert c.read(3) == b"220"
        dt = time.monotonic() - t0
        assert dt >= 1.5, "first 3 bytes after %.2f s" % dt


def t_endless_continuation():
    with Server("endless_continuation") as srv:
        c = Client(srv.port)
        n = 0
        while n < (1 << 20):
            ln = c.line()
            assert ln.startswith("220-filler"), ln
            n += len(ln) + 2


def t_huge_line():
    with Server("huge_line") as srv:
        c = Client(srv.port)
        data = c.read(4 + (10 << 20))
        assert data.startswith(b"220 ") and b"\n" not in data
        c.s.settimeout(0.5)
        try:
            extra = c.s.recv(10)
            assert extra == b"", "more after 10 MiB: %r" % extra
        except socket.timeout:
            pass


def t_garbage_serverhello():
    with Server("garbage_serverhello") as srv:
        c = starttls(srv.port, client_hello())
        junk = c.read(4096)
        assert junk[0] not in (20, 21, 22, 23, 24) and not junk[0] & 0x80
        assert not c.eof(0.5), "closed instead of waiting"


def t_injection():
    with Server("injection") as srv:
        c = Client(srv.port)
        c.reply()
        code, ehlo = c.cmd("EHLO selftest.invalid")
        assert "STARTTLS" in ehlo
        c.s.sendall(b"STARTTLS\r\n")
        time.sleep(0.3)
        c.fill()
        assert c.buf == b"220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 PIPELINING\r\n", c.buf


def t_close_midreply():
    with Server("close_midreply") as srv:
        c = Client(srv.port)
        assert c.line() == "220-first line"
        assert c.eof()


def greeting(scenario, code):
    with Server(scenario) as srv:
        c = Client(srv.port)
        ln = c.line()
        assert ln.startswith("%d " % code), ln
        assert c.eof()


def t_greeting_421():
    greeting("greeting_421", 421)


def t_greeting_554():
    greeting("greeting_554", 554)


def t_ehlo_refused():
    with Server("ehlo_refused") as srv:
        c = Client(srv.port)
        assert c.reply()[0] == 220
        assert c.cmd("EHLO selftest.invalid")[0] == 502
        assert c.cmd("HELO selftest.invalid")[0] == 250
        assert c.cmd("QUIT")[0] == 221


def t_starttls_454():
    with Server("starttls_454") as srv:
        c = Client(srv.port)
        c.reply()
        assert "STARTTLS" in c.cmd("EHLO selftest.invalid")[1]
        assert c.cmd("STARTTLS")[0] == 454
        assert c.cmd("QUIT")[0] == 221


def t_auth_before_tls():
    with Server("auth_before_tls") as srv:
        c = Client(srv.port)
        c.reply()
        ehlo = c.cmd("EHLO selftest.invalid")[1]
        assert "AUTH PLAIN LOGIN" in ehlo and "STARTTLS" in ehlo, ehlo
        assert c.cmd("STARTTLS")[0] == 454
        assert c.cmd("QUIT")[0] == 221


def t_silent():
    with Server("silent") as srv:
        c = Client(srv.port)
        c.s.settimeout(1.5)
        try:
            d = c.s.recv(10)
            raise AssertionError("silent server sent %r" % d)
        except socket.timeout:
            pass


def t_lifetime():
    with Server("silent", "--lifetime", "1") as srv:
        c = Client(srv.port)
        t0 = time.monotonic()
        assert c.eof(5), "not cut after its lifetime"
        assert time.monotonic() - t0 < 3


def t_once():
    with Server("greeting_421", "--once") as srv:
        c = Client(srv.port)
        c.line()
        srv.proc.wait(5)
        assert srv.proc.returncode == 0


def t_not_loopback():
    r = subprocess.run([sys.executable, FAKE, "--addr", "192.0.2.1", "--scenario", "silent"],
                       capture_output=True, timeout=10)
    assert r.returncode != 0 and b"loopback" in r.stderr


# ------------------------------------------------------------ TLS checks

MODERN = (0xc02f, 0xc030, 0xcca8, 0x0005)


def t_tls_modern_tls12():
    r = tls("modern_tls12", client_hello(0x0303, MODERN, exts=(ext_reneg(), EXT_GROUPS, EXT_POINTS)))
    assert r["version"] == 0x0303 and r["cipher"] == 0xc030, r
    assert r["extensions"].get(0xff01) == b"\x00" and 11 in r["extensions"], r
    assert r["cert"] == CERT and r["compression"] == 0


def t_tls_modern_old_client():
    assert tls("modern_tls12", client_hello(0x0301, MODERN)).get("alert") == 70


def t_tls_modern_no_common_cipher():
    assert tls("modern_tls12", client_hello(0x0303, (0x0005, 0x000a))).get("alert") == 40


def t_tls_13_only():
    r = tls("modern_tls12", client_hello(0x0303, (0x1301, 0xc02f), exts=(ext_versions(0x0304),)))
    assert r.get("alert") == 70, r
    r = tls("modern_tls12", client_hello(0x0303, (0x1301, 0xc02f), exts=(ext_versions(0x0a0a, 0x0304, 0x0303),)))
    assert r.get("version") == 0x0303 and r["cipher"] == 0xc02f, r


def t_tls_client_order():
    r = tls("modern_client_order", client_hello(0x0303, (0xc02f, 0xc030)))
    assert r["cipher"] == 0xc02f, r


def t_tls_fallback_scsv():
    r = tls("modern_client_order", client_hello(0x0302, (0xc02f, 0xc014, 0x5600)))
    assert r.get("alert") == 86, r
    r = tls("modern_client_order", client_hello(0x0302, (0xc02f, 0xc014)))
    assert r.get("version") == 0x0302 and r["cipher"] == 0xc014, r     # no GCM below TLS 1.2
    r = tls("modern_client_order", client_hello(0x0303, (0xc02f, 0x5600)))
    assert r.get("version") == 0x0303, r                                # SCSV at the top version is fine


def t_tls_sslv3_rc4():
    r = tls("sslv3_rc4", client_hello(0x0303, (0xc02f, 0x000a, 0x0005)))
    assert r["version"] == 0x0301 and r["cipher"] == 0x0005 and r["record_version"] == 0x0301, r
    r = tls("sslv3_rc4", client_hello(0x0300, (0x000a,), rec_version=0x0300))
    assert r["version"] == 0x0300 and r["cipher"] == 0x000a, r
    r = tls("sslv3_rc4", sslv2_hello(0x0301, (0x010080, 0x000004, 0x00000a)))
    assert r["version"] == 0x0301 and r["cipher"] == 0x0004, r


def t_tls_export():
    r = tls("export", client_hello(0x0303, (0xc02f, 0x0008, 0x0003)))
    assert r["version"] == 0x0301 and r["cipher"] == 0x0003, r
    assert tls("export", client_hello(0x0301, (0x002f, 0x0035))).get("alert") == 40


def t_tls_sslv2_only():
    with Server("tls:sslv2_only") as srv:
        c = starttls(srv.port, sslv2_hello(0x0002, (0x0700c0, 0x050080, 0x010080)))
        hdr = c.read(2)
        assert hdr[0] & 0x80
        body = c.read(((hdr[0] & 0x7f) << 8) | hdr[1])
        assert body[0] == 4 and body[3:5] == b"\x00\x02", body[:8]
        cert_len, spec_len, cid_len = struct.unpack("!HHH", body[5:11])
        assert body[11:11 + cert_len] == CERT
        specs = body[11 + cert_len:11 + cert_len + spec_len]
        assert specs == bytes.fromhex("010080" "0700c0"), specs.hex()
        assert cid_len == 16
    with Server("tls:sslv2_only") as srv:
        c = starttls(srv.port, sslv2_hello(0x0002, (0x050080,)))
        assert c.read(5) == bytes.fromhex("8003000001")      # ERROR NO-CIPHER-ERROR
    assert tls("sslv2_only", client_hello(0x0303, MODERN)).get("alert") == 70
    r = tls("modern_tls12", sslv2_hello(0x0002, (0x010080,)))
    assert r.get("alert") == 70, r


def t_tls_compression():
    r = tls("compression", client_hello(0x0303, MODERN, comps=(1, 0)))
    assert r["compression"] == 1, r
    assert tls("compression", client_hello(0x0303, MODERN, comps=(0,)))["compression"] == 0
    assert tls("modern_tls12", client_hello(0x0303, MODERN, comps=(1, 0)))["compression"] == 0


def t_tls_no_reneg():
    r = tls("no_reneg", client_hello(0x0303, MODERN + (0x00ff,), exts=(ext_reneg(),)))
    assert r["version"] == 0x0303 and 0xff01 not in r["extensions"], r
    r = tls("modern_tls12", client_hello(0x0303, MODERN + (0x00ff,)))
    assert r["extensions"].get(0xff01) == b"\x00", r


def heartbeat_probe(profile, claimed, payload):
    with Server("tls:" + profile) as srv:
        c = starttls(srv.port, client_hello(0x0303, MODERN, exts=(EXT_HEARTBEAT,)))
        r = server_flight(c)
        hb = b"\x01" + struct.pack("!H", claimed) + payload
        c.s.sendall(struct.pack("!BHH", 24, 0x0303, len(hb)) + hb)
        c.s.settimeout(1.5)
        try:
            ct, _, body = c.record()
        except socket.timeout:
            return r, None
        got = body
        while len(got) < 3 + int.from_bytes(got[1:3], "big"):
            got += c.record()[2]
        assert ct == 24 and got[0] == 2
        return r, got


def t_tls_heartbeat():
    r, resp = heartbeat_probe("heartbeat", 5, b"hello" + b"\0" * 16)
    assert r["extensions"].get(15) == b"\x01", r
    assert resp is not None and resp[1:3] == b"\x00\x05" and resp[3:8] == b"hello", resp
    r, resp = heartbeat_probe("heartbeat", 0x4000, b"x")
    assert resp is None, "over-long heartbeat answered"
    r = tls("modern_tls12", client_hello(0x0303, MODERN, exts=(EXT_HEARTBEAT,)))
    assert 15 not in r["extensions"]


def t_tls_heartbleed():
    r, resp = heartbeat_probe("heartbleed", 0x4000, b"x")
    assert resp is not None and resp[1:3] == b"\x40\x00" and len(resp) >= 3 + 0x4000, len(resp or b"")
    assert b"FAKE-SERVER-MEMORY" in resp


def t_tls_implicit():
    r = tls("modern_tls12", client_hello(0x0303, MODERN), implicit=True)
    assert r["version"] == 0x0303 and r["cipher"] == 0xc030, r


def t_tls_not_a_hello():
    with Server("tls:modern_tls12", "--implicit-tls") as srv:
        c = Client(srv.port)
        c.s.sendall(b"EHLO x\r\n")
        assert server_flight(c).get("alert") == 10


def main():
    names = [a for a in sys.argv[1:] if not a.startswith("-")]
    tests = [(n[2:], f) for n, f in globals().items() if n.startswith("t_") and callable(f)]
    tests = [(n, f) for n, f in tests if not names or any(x in n for x in names)]
    passed = failed = 0
    for name, f in tests:
        t0 = time.monotonic()
        try:
            f()
            passed += 1
            print("ok   %-28s %.1fs" % (name, time.monotonic() - t0), flush=True)
        except Exception as e:
            failed += 1
            print("FAIL %-28s %s: %s" % (name, type(e).__name__, e), flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
