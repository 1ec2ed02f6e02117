#!/usr/bin/python3
"""scansmtp.py -- SMTP servers with a temper, for the scan lab (tests/lab/scanlab.sh).

  scansmtp.py --listen ADDR:PORT --mode busy|single|normal --cert PEM --key PEM --log FILE
              [--pidfile FILE] [--hold SECS]

Every mode speaks a minimal SMTP server dialogue with STARTTLS (RFC 3207): 220 greeting, EHLO
(250-STARTTLS), STARTTLS, the TLS handshake, EHLO again, QUIT.  It never accepts MAIL.

  busy     every second connection (2nd, 4th, ...) gets "421 4.7.0 Too many connections" and
           is closed: a scanner must back off and retry.
  single   one connection at a time: a connection arriving while another is open gets 421 and
           is logged as "concurrent" (a polite scanner never causes one).
  normal   always 220.

--hold keeps each accepted session open that many seconds after the greeting (to make overlap
visible).  One log line per connection: "N RESULT sni=NAME peer=ADDR", RESULT one of ok, 421,
concurrent, closed; the SNI is the name the client sent in the TLS handshake (the probe's
reference name).  Standard library only; loopback addresses only.
"""
import argparse
import asyncio
import os
import ssl
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--mode", choices=("busy", "single", "normal"), default="normal")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--pidfile")
    ap.add_argument("--hold", type=float, default=0.0)
    a = ap.parse_args()
    host, port = a.listen.rsplit(":", 1)
    if not host.startswith("127."):
        sys.exit("scansmtp.py: refusing to listen on %s (loopback only)" % host)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    state = {"n": 0, "open": 0}
    log = open(a.log, "a", buffering=1)

    async def session(reader, writer):
        state["n"] += 1
        n = state["n"]
        peer = writer.get_extra_info("peername")
        peer = peer[0] if peer else "?"
        sni = {"name": "-"}
        concurrent = state["open"] > 0
        state["open"] += 1
        result = "closed"
        try:
            if a.mode == "busy" and n % 2 == 0:
                writer.write(b"421 4.7.0 scanlab busy: too many connections, try later\r\n")
                await writer.drain()
                result = "421"
                return
            if a.mode == "single" and concurrent:
                writer.write(b"421 4.7.0 scanlab single: one connection at a time\r\n")
                await writer.drain()
                result = "concurrent"
                return
            writer.write(b"220 scanlab.example ESMTP scansmtp %s\r\n" % a.mode.encode())
            await writer.drain()
            if a.hold:
                await asyncio.sleep(a.hold)
            tls = False
            while True:
                line = await asyncio.wait_for(reader.readline(), 30)
                if not line or len(line) > 1000:
                    return
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
                    ext = b"" if tls else b"250-STARTTLS\r\n"
                    writer.write(b"250-scanlab.example\r\n" + ext + b"250 PIPELINING\r\n")
                elif cmd == b"STARTTLS" and not tls:
                    writer.write(b"220 2.0.0 go ahead\r\n")
                    await writer.drain()

                    def pick(sslobj, name, _ctx):
                        sni["name"] = name or "-"
                    ctx.sni_callback = pick
                    await writer.start_tls(ctx)
                    tls = True
                    continue
                elif cmd == b"QUIT":
                    writer.write(b"221 2.0.0 bye\r\n")
                    await writer.drain()
                    result = "ok"
                    return
                else:
                    writer.write(b"502 5.5.2 not here\r\n")
                await writer.drain()
        except (OSError, asyncio.TimeoutError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            state["open"] -= 1
            log.write("%d %s sni=%s peer=%s\n" % (n, result, sni["name"], peer))
            try:
                writer.close()
            except OSError:
                pass

    async def serve():
        srv = await asyncio.start_server(session, host, int(port), reuse_address=True)
        if a.pidfile:
            with open(a.pidfile, "w") as f:
                f.write("%d\n" % os.getpid())
        async with srv:
            await srv.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
