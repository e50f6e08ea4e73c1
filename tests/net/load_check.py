#!/usr/bin/python3
"""Loopback checks of the load generator (`hsbench load`) against real servers.

  load_check.py servers   --hsbench BIN --certtool BIN --work DIR [--nginx-target S]
      `hsbench server` (our core), `hsbench server --impl libssl` and nginx
      (skipped with a message when /usr/sbin/nginx is absent): our client and
      the libssl client, handshakes only and with echo (or HTTP) requests;
      every connection must succeed (0 errors in the JSON, ok = asked).
  load_check.py many      ...
      2,000 connections in flight against `hsbench server` with 2 workers,
      each with an echo, twice: all succeed; the server's RSS after the second
      run is within 4 MiB of its RSS before it (no leak), and the first run
      left it < 32 MiB above the start (what the allocator keeps for reuse).
  load_check.py tcp ...
      `hsbench tcp` briefly: a row per server, 0 errors, ratios.
  load_check.py open-loop ...
      The open-loop clock is the scheduled one: at an offered rate 3x the
      measured capacity with only 4 connections in flight, p99 latency counted
      from the schedule is many times the closed-loop p99 at the same 4 in
      flight (were it counted from the actual start, the two would be alike).

Exit status: 0 pass, 1 fail, 77 skipped (the server does not exist yet).
"""

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import time

FAILED = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        FAILED.append(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, proc, secs=20):
    end = time.time() + secs
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def certs(a):
    d = os.path.join(a.work, "certs")
    os.makedirs(d, exist_ok=True)
    if not os.path.exists(os.path.join(d, "key.pem")):
        subprocess.run([a.certtool, d, "2048"], check=True)
    return d


class Server:
    """`hsbench server` on a free loopback port, as a child process."""

    def __init__(self, a, name, extra):
        self.port = free_port()
        d = certs(a)
        self.log = open(os.path.join(a.work, name + ".log"), "w")
        cmd = [a.hsbench, "server", "--listen", "127.0.0.1:%d" % self.port,
               "--cert", os.path.join(d, "chain.pem"), "--key", os.path.join(d, "key.pem")] + extra
        self.p = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_port(self.port, self.p):
            self.stop()
            raise RuntimeError("%s did not start (see %s)" % (name, self.log.name))

    def settled_rss_kib(self):
        """RSS once the server has given back what a finished load no longer
        needs: its conn free list keeps the last second's peak, trimmed each
        second, so RSS settles within a few seconds."""
        time.sleep(2.5)
        last = self.rss_kib()
        for _ in range(12):
            time.sleep(0.5)
            now = self.rss_kib()
            if now == last:
                break
            last = now
        return last

    def rss_kib(self):
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(15)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()
        return self.p.returncode


def load(a, port, name, extra, allow_errors=False):
    """Run `hsbench load`; the JSON's median aggregate row."""
    out = os.path.join(a.work, name + ".json")
    cmd = [a.hsbench, "load", "--connect", "localhost:%d" % port,
           "--cafile", os.path.join(certs(a), "ca.pem"), "--json", out, "--quiet"] + extra
    if allow_errors:
        cmd.append("--allow-errors")
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=300)
    if r.returncode != 0:
        print(r.stdout[-3000:])
    check(r.returncode == 0, "%s: hsbench load exit status %d" % (name, r.returncode))
    if not os.path.exists(out):
        return {}
    rows = json.load(open(out))["benchmarks"]
    med = [b for b in rows if b.get("aggregate_name") == "median"]
    return med[0] if med else {}


def no_errors(row, name, asked):
    errs = {k: v for k, v in row.get("errors_by_kind", {}).items() if v}
    check(row.get("errors") == 0 and not errs, "%s: 0 errors (%s)" % (name, errs or "none"))
    lat = row.get("latency_us", {})
    check(lat.get("count") == asked, "%s: %s of %d handshakes timed" % (name, lat.get("count"),
                                                                      asked))


def servers(a):
    ours = Server(a, "server-hsb", ["--threads", "2"])
    ref = Server(a, "server-libssl", ["--threads", "2", "--impl", "libssl"])
    try:
        for srv, sname in ((ours, "hsb server"), (ref, "libssl server")):
            for impl in ("hsb", "libssl"):
                for kx in ("rsa", "dhe"):
                    name = "%s, %s client, %s" % (sname, impl, kx)
                    row = load(a, srv.port, name.replace(" ", "_").replace(",", ""),
                               ["--impl", impl, "--kx", kx, "--handshakes", "60",
                                "--connections", "8", "--threads", "2", "--data", "3000",
                                "--requests", "2"])
                    no_errors(row, name, 60)
    finally:
        check(ours.stop() == 0, "hsb server exits 0 on SIGTERM")
        check(ref.stop() == 0, "libssl server exits 0 on SIGTERM")
    nginx_rows(a)


def nginx_rows(a):
    if not os.access("/usr/sbin/nginx", os.X_OK):
        print("SKIP: nginx rows: /usr/sbin/nginx is absent (scripts/install-deps installs it)")
        return
    d = os.path.join(a.work, "nginx")
    c = certs(a)
    r = subprocess.run([a.nginx_target, "start", "--dir", d, "--cert", os.path.join(c, "chain.pem"),
                        "--key", os.path.join(c, "key.pem"), "--workers", "1"],
                       stdout=subprocess.PIPE, text=True)
    check(r.returncode == 0, "nginx-target start")
    if r.returncode != 0:
        return
    port = int(r.stdout.split()[0])
    try:
        for impl in ("hsb", "libssl"):
            for extra, what in (([], "handshakes"), (["--http", "--requests", "3"], "http")):
                name = "nginx, %s client, %s" % (impl, what)
                row = load(a, port, "nginx_%s_%s" % (impl, what),
                           ["--impl", impl, "--kx", "rsa", "--handshakes", "60",
                            "--connections", "8"] + extra)
                no_errors(row, name, 60)
    finally:
        subprocess.run([a.nginx_target, "stop", "--dir", d])


def many(a):
    # Each of the 2,000 connections holds one socket on either side.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 8192)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < 4200:
        print("SKIP: RLIMIT_NOFILE hard limit %d is below what 2,000 connections need" % hard)
        sys.exit(77)
    # 2,000 handshakes queued at once take the server many seconds on a
    # small machine: its handshake deadline must not be what is tested.
    srv = Server(a, "server-many", ["--threads", "2", "--max-open", "4096",
                                    "--handshake-timeout", "300s"])
    try:
        # A first run of the same load brings the allocator and the free
        # lists to their steady state (glibc keeps freed heap for reuse);
        # what the second run leaves beyond that would be a leak.
        start = srv.rss_kib()
        big = ["--handshakes", "2000", "--connections", "2000", "--threads", "2",
               "--data", "256", "--kx", "rsa", "--timeout", "300s"]
        no_errors(load(a, srv.port, "many_first", big), "2,000 in flight (first run)", 2000)
        before = srv.settled_rss_kib()
        no_errors(load(a, srv.port, "many", big), "2,000 in flight", 2000)
        after = srv.settled_rss_kib()
        print("server RSS: at start %d KiB, after a first run %d KiB (%+d, what glibc keeps), "
              "after the second %d KiB" % (start, before, before - start, after))
        check(after - before < 4 * 1024,
              "server RSS after the second run within 4 MiB of before it (%+d KiB)"
              % (after - before))
        check(before - start < 32 * 1024,
              "the first run's growth is bounded: < 16 KiB per connection (%+d KiB)"
              % (before - start))
    finally:
        check(srv.stop() == 0, "server exits 0 on SIGTERM")


def open_loop(a):
    srv = Server(a, "server-open", ["--threads", "1"])
    try:
        base = ["--kx", "rsa", "--connections", "4", "--threads", "1"]
        closed = load(a, srv.port, "closed", base + ["--duration", "2s"])
        cap = closed.get("hs_per_s", 0)
        p99c = closed.get("latency_us", {}).get("p99", 0)
        check(cap > 0 and p99c > 0, "closed loop: %.0f hs/s, p99 %.0f us" % (cap, p99c))
        if cap <= 0:
            return
        rate = 3 * cap
        opened = load(a, srv.port, "open", base + ["--duration", "2s", "--rate", "%.0f" % rate],
                      allow_errors=False)
        p99o = opened.get("latency_us", {}).get("p99", 0)
        print("open loop at %.0f/s (3x capacity): p99 %.0f us, %s slots never started"
              % (rate, p99o, opened.get("unstarted")))
        # Over 2 s the backlog grows to ~2/3 of the slots: the late ones wait
        # up to ~1 s on the schedule, while 4 in flight cost ~4 service times.
        check(p99o > 20 * p99c,
              "open-loop p99 (%.0f us) from the schedule > 20x closed-loop p99 (%.0f us)"
              % (p99o, p99c))
        check(opened.get("offered_rate", 0) == float("%.0f" % rate), "offered_rate recorded")
    finally:
        check(srv.stop() == 0, "server exits 0 on SIGTERM")


def tcp(a):
    """`hsbench tcp`, briefly: every server it starts gets a row, measured
    without errors, each compared with the libssl reference."""
    out = os.path.join(a.work, "tcp.json")
    r = subprocess.run([a.hsbench, "tcp", "--duration", "0.5s", "--repetitions", "2",
                        "--warmup", "0", "--connections", "8", "--json", out, "--quiet"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    print(r.stdout[-3000:])
    check(r.returncode == 0, "hsbench tcp exit status %d" % r.returncode)
    rows = [b for b in json.load(open(out))["benchmarks"] if b.get("aggregate_name") == "median"]
    names = {b["backend"] for b in rows}
    want = {"hsb-openssl", "hsb-native", "libssl-reference"}
    if os.access("/usr/sbin/nginx", os.X_OK):
        want.add("nginx")
    else:
        print("SKIP: the nginx row: /usr/sbin/nginx is absent")
    check(want <= names, "rows for %s (got %s)" % (sorted(want), sorted(names)))
    for b in rows:
        check(b.get("errors") == 0 and b.get("hs_per_s", 0) > 0,
              "%s: measured, 0 errors" % b["name"])
        if not b.get("is_reference"):
            check(b.get("ratio_to_reference", 0) > 0, "%s: a ratio to the reference" % b["name"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=("servers", "many", "open-loop", "tcp"))
    p.add_argument("--hsbench", required=True)
    p.add_argument("--certtool", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--nginx-target", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                          "scripts", "nginx-target"))
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    r = subprocess.run([a.hsbench, "server", "--help"], stdout=subprocess.PIPE, text=True)
    if "--impl" not in r.stdout:
        print("SKIP: this hsbench server has no --impl (the event-driven server is not built)")
        return 77
    {"servers": servers, "many": many, "open-loop": open_loop, "tcp": tcp}[a.what](a)
    print("%s: %d failures" % (a.what, len(FAILED)))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
