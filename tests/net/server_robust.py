#!/usr/bin/python3
"""hsbench server under idle, slow and bad clients (loopback, bounded).

  server_robust.py crowd ...  500 idle sockets and 100 slowloris clients (one
                              byte a second) are open while a good client
                              completes 100 handshakes, each within 1 s; the
                              idle and slow ones are dropped at their
                              handshake deadline, not before.
  server_robust.py cap ...    --max-open 10: the 11th connection is accepted and
                              closed at once (counted as refused) while the ten
                              are open; SIGINT sends close_notify on an
                              established connection, then the server exits 0.
  server_robust.py bad ...    clients that reset mid-handshake, half-close,
                              send garbage, or stop reading with a full
                              socket buffer: good clients are still served and
                              each failure is counted in its bucket (read from
                              the server's --json at exit).

Good clients are Python's ssl module (OpenSSL) over TLS 1.2 with the two
suites. Standard library only.
"""

import argparse
import json
import os
import re
import resource
import select
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def make_certs(args):
    d = os.path.join(args.work, "certs")
    os.makedirs(d, exist_ok=True)
    if not os.path.exists(os.path.join(d, "key.pem")):
        subprocess.run([args.certtool, d, "2048"], check=True, timeout=120)
    return [os.path.join(d, n) for n in ("ca.pem", "chain.pem", "key.pem")]


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            fail("RLIMIT_NOFILE hard limit %d is below the %d this test needs" % (hard, want))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


class Server:
    """hsbench server on 127.0.0.1:0 with a JSON report, stopped by SIGINT."""

    def __init__(self, args, extra):
        ca, chain, key = make_certs(args)
        self.ca = ca
        self.json = os.path.join(args.work, "server-%s.json" % args.impl)
        self.log = os.path.join(args.work, "server-%s.log" % args.impl)
        if os.path.exists(self.json):
            os.remove(self.json)
        cmd = [args.hsbench, "server", "--listen", "127.0.0.1:0", "--cert", chain, "--key",
               key, "--impl", args.impl, "--threads", "2", "--log", "none", "--stats", "1s",
               "--json", self.json] + extra
        print("+ " + " ".join(cmd), flush=True)
        self.out = open(self.log, "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT)
        self.port = int(self.wait_for(r"listening on 127\.0\.0\.1:(\d+)").group(1))

    def wait_for(self, pattern, timeout=20.0):
        end = time.time() + timeout
        while time.time() < end:
            with open(self.log, errors="replace") as f:
                m = re.search(pattern, f.read())
            if m:
                return m
            if self.proc.poll() is not None:
                fail("server exited %d before printing %r" % (self.proc.returncode, pattern))
            time.sleep(0.05)
        fail("server did not print %r within %.0f s" % (pattern, timeout))

    def stop(self):
        """SIGINT; exit 0; the JSON row's `server` object."""
        self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("server did not stop on SIGINT")
        self.out.close()
        with open(self.log, errors="replace") as f:
            log = f.read()
        print(log[-3000:], flush=True)
        if rc != 0 or "stopped by SIGINT" not in log:
            fail("server exit %d after SIGINT" % rc)
        with open(self.json) as f:
            rows = json.load(f)["benchmarks"]
        return rows[0]["server"]


def good_ctx(ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("AES128-SHA256:DHE-RSA-AES128-SHA256")
    return ctx


def good_client(ctx, port, data=b"ping over tls"):
    """One handshake, an echo, close_notify both ways; seconds it took."""
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(data)
            got = b""
            while len(got) < len(data):
                chunk = s.recv(len(data) - len(got))
                if not chunk:
                    break
                got += chunk
            if got != data:
                fail("echo: sent %r, got %r" % (data, got))
            s.unwrap()
    return time.monotonic() - t0


def client_hello(ctx):
    """The bytes of a real ClientHello (Python's OpenSSL, TLS 1.2)."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def bucket(srv, kind, step=None, alert=None):
    return sum(b["count"] for b in srv["failures"]
               if b["kind"] == kind and (step is None or b["step"] == step)
               and (alert is None or b.get("alert") == alert))


# ------------------------------------------------------------------ crowd

def open_idle(port, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        socks.append((s, time.monotonic()))
    return socks


def slowloris(socks, hello, stop):
    """One byte of a ClientHello a second on each socket, until stopped."""
    i = 0
    while not stop.is_set() and i < len(hello):
        for s, _ in socks:
            try:
                s.send(hello[i:i + 1])
            except OSError:
                pass
        i += 1
        stop.wait(1.0)


def close_times(socks, limit):
    """When the server closed each socket (monotonic), None where it did not
    within limit seconds."""
    when = {s.fileno(): None for s, _ in socks}
    by_fd = {s.fileno(): s for s, _ in socks}
    poll = select.poll()
    for fd in by_fd:
        poll.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    end = time.monotonic() + limit
    left = len(by_fd)
    while left and time.monotonic() < end:
        for fd, _ in poll.poll(200):
            try:
                data = by_fd[fd].recv(4096)
            except OSError:
                data = b""
            if data:
                continue  # the server said something (an alert): keep reading
            when[fd] = time.monotonic()
            poll.unregister(fd)
            left -= 1
    return when


def run_crowd(args):
    deadline = 5.0
    raise_nofile(2000)
    srv = Server(args, ["--handshake-timeout", "%gs" % deadline, "--idle-timeout", "30s"])
    ctx = good_ctx(srv.ca)
    idle = open_idle(srv.port, 500)
    slow = open_idle(srv.port, 100)
    stop = threading.Event()
    t = threading.Thread(target=slowloris, args=(slow, client_hello(ctx), stop), daemon=True)
    t.start()
    worst = 0.0
    for i in range(100):
        took = good_client(ctx, srv.port)
        worst = max(worst, took)
        if took > 1.0:
            fail("good handshake %d took %.2f s with 600 idle/slow clients open" % (i, took))
    print("ok   100 good handshakes beside 500 idle and 100 slowloris sockets, slowest %.3f s"
          % worst, flush=True)
    socks = idle + slow
    when = close_times(socks, deadline + 20)
    stop.set()
    t.join()
    early = [w - t0 for (s, t0), w in zip(socks, [when[s.fileno()] for s, _ in socks])
             if w is not None and w - t0 < deadline - 0.05]
    missing = sum(1 for v in when.values() if v is None)
    for s, _ in socks:
        s.close()
    if early:
        fail("%d sockets dropped before the %g s deadline (first after %.2f s)"
             % (len(early), deadline, min(early)))
    if missing:
        fail("%d of 600 idle/slow sockets were not dropped within %g s" % (missing, deadline + 20))
    print("ok   all 600 idle and slow sockets dropped at their deadline, none before", flush=True)
    c = srv.stop()
    if c["timeouts_handshake"] != 600 or bucket(c, "timeout") != 600:
        fail("server counted %d handshake timeouts (%d in the timeout bucket), want 600: %s"
             % (c["timeouts_handshake"], bucket(c, "timeout"), json.dumps(c)))
    if c["handshakes"] != 100 or c["ok"] != 100 or c["failed"] != 600:
        fail("server counters: %s" % json.dumps(c))
    print("ok   server counted 600 handshake timeouts and 100 good connections", flush=True)


# -------------------------------------------------------------------- bad

def reset_mid_handshake(port, hello):
    """ClientHello, wait for the server's flight, then an RST."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(hello)
    s.recv(1)  # the server's flight has started
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()


def read_to_eof(s):
    got = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return got
        got += chunk


def half_close(port, hello):
    """ClientHello, then shutdown(SHUT_WR): the server still answers, then
    sees the EOF where it waits for the ClientKeyExchange."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(hello)
        s.shutdown(socket.SHUT_WR)
        got = read_to_eof(s)
        if not got or got[0] != 22:
            fail("half-closed client got no handshake flight back: %r" % got[:16])


def garbage(port):
    """An application-data record before any handshake: unexpected_message."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(bytes([23, 3, 3, 0, 5]) + b"hello")
        reply = read_to_eof(s)
    if reply[:1] != b"\x15":
        fail("garbage got %r back, want an alert record" % reply[:16])


def stuck_reader(ctx, port):
    """Handshake, then send without reading until the buffers are full."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    s.settimeout(1.0)
    block = os.urandom(16384)
    sent = 0
    try:
        while sent < 256 << 20:
            s.sendall(block)
            sent += len(block)
    except (socket.timeout, ssl.SSLError, OSError):
        pass
    return s, sent


def run_bad(args):
    idle = 3.0
    srv = Server(args, ["--handshake-timeout", "10s", "--idle-timeout", "%gs" % idle])
    ctx = good_ctx(srv.ca)
    hello = client_hello(ctx)
    n = 5
    stuck, sent = stuck_reader(ctx, srv.port)
    print("ok   stuck reader: %d bytes sent before its buffers filled" % sent, flush=True)
    for _ in range(n):
        reset_mid_handshake(srv.port, hello)
        half_close(srv.port, hello)
        garbage(srv.port)
        good_client(ctx, srv.port, os.urandom(3000))
    print("ok   %d good clients served among %d resets, %d half-closes, %d garbage senders"
          % (n, n, n, n), flush=True)
    # The stuck reader is dropped at its idle deadline: its echo never drains.
    t0 = time.monotonic()
    stuck.settimeout(idle + 15)
    try:
        while stuck.recv(65536):
            pass
    except (socket.timeout, ssl.SSLError, OSError):
        pass
    waited = time.monotonic() - t0
    stuck.close()
    good_client(ctx, srv.port)
    c = srv.stop()
    print(json.dumps(c, indent=1), flush=True)
    want = [("reset", bucket(c, "reset"), n), ("eof", bucket(c, "eof"), n),
            ("alert_sent unexpected_message", bucket(c, "alert_sent", "ClientHello", 10), n),
            ("idle timeout", c["timeouts_idle"], 1), ("handshakes", c["handshakes"], n + 2),
            ("ok", c["ok"], n + 1), ("failed", c["failed"], 3 * n + 1)]
    bad = ["%s: %d, want %d" % w for w in want if w[1] != w[2]]
    if bad:
        fail("server counters: " + "; ".join(bad))
    if waited > idle + 10:
        fail("the stuck reader was not dropped within %.0f s" % (idle + 10))
    print("ok   each bad client counted in its bucket (%s)" % args.impl, flush=True)


# -------------------------------------------------------------------- cap

def run_cap(args):
    srv = Server(args, ["--max-open", "10", "--handshake-timeout", "30s"])
    ctx = good_ctx(srv.ca)
    raw = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    held = ctx.wrap_socket(raw, server_hostname="localhost", suppress_ragged_eofs=False)
    idle = open_idle(srv.port, 9)
    srv.wait_for(r"open 10,")  # the server has accepted all ten (its stats line)
    for i in range(3):
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            try:
                got = s.recv(100)
            except ConnectionResetError:
                got = b""
            if got:
                fail("connection %d past --max-open got %r, want it closed" % (11 + i, got))
    print("ok   connections past --max-open 10 are closed at once", flush=True)
    srv.proc.send_signal(signal.SIGINT)
    try:
        end = held.recv(100)  # b"" only after close_notify (ragged EOFs raise)
    except ssl.SSLEOFError:
        fail("SIGINT closed an established connection without close_notify")
    if end != b"":
        fail("expected close_notify at SIGINT, got %r" % end)
    held.close()
    # The idle ones are closed by the server's shutdown too: wait for each
    # one's EOF before closing our end, or the server could see our close
    # first and count an EOF failure instead of a close at shutdown.
    for s, _ in idle:
        s.settimeout(10)
        try:
            while s.recv(100):
                pass
        except (ConnectionResetError, socket.timeout):
            pass
        s.close()
    c = srv.stop()
    if c["refused"] != 3 or c["closed_at_shutdown"] != 10 or c["open_max"] != 10:
        fail("server counters: %s" % json.dumps(c))
    print("ok   3 refused, 10 closed at shutdown, close_notify on the established one", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["crowd", "bad", "cap"])
    ap.add_argument("--hsbench", required=True)
    ap.add_argument("--certtool", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--impl", default="hsb", choices=["hsb", "libssl"])
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    {"crowd": run_crowd, "bad": run_bad, "cap": run_cap}[args.mode](args)


if __name__ == "__main__":
    main()
