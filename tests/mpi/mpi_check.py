#!/usr/bin/python3
"""The load over MPI ranks, on loopback: `mpirun -n 2 hsbench load` against
one local `hsbench server`.

  merge   a fixed handshake budget split over two ranks: the merged row's
          count = the sum of the rows of the ranks = the server's own count
          (its --json at exit) = the merged histogram's count = the raw
          latencies the ranks dumped
          (HSB_TEST_DUMP_LATENCIES); the merged p50/p90/p99 are those of the
          union of the raw values, put through the histogram's bucket rule
          independently here, and within its 0.2 % of the exact ones; every
          rank's context is in the file; the CSV has a row per rank.
  refused rank 1 pointed at a closed port (HSB_TEST_MPI_RANK_PORT): exit 1,
          a message naming rank 1, in bounded time.
  killed  rank 1 killed mid-run: mpirun ends the job (non-zero) and names
          rank 1, in bounded time (no hang).

Usage: mpi_check.py --hsbench EXE --certtool EXE --mpirun EXE --work DIR
"""
import argparse
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

SUB_BITS, TOP = 8, 40  # bench/net/hsb_lat_hist.h
SUB = 1 << SUB_BITS
BUCKETS = SUB + (TOP - SUB_BITS) * SUB
fails = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        fails.append(what)


def bucket(ns):
    if ns < SUB:
        return ns
    k = ns.bit_length() - 1
    if k >= TOP:
        return BUCKETS - 1
    return SUB + (k - SUB_BITS) * SUB + ((ns >> (k - SUB_BITS)) - SUB)


def bucket_mid(i):
    if i < SUB:
        return float(i)
    k = (i - SUB) // SUB + SUB_BITS
    width = 1 << (k - SUB_BITS)
    lo = (1 << k) + ((i - SUB) % SUB) * width
    return lo + (width - 1) / 2


def hist_point_us(values, q):
    """The merged histogram's percentile from raw values: the bucket of the
    ceil(q n)-th smallest, its midpoint kept within [min, max], in us; and
    that value itself."""
    v = sorted(values)
    rank = max(1, math.ceil(q * len(v)))
    mid = bucket_mid(bucket(v[rank - 1]))
    return min(max(mid, float(v[0])), float(v[-1])) * 1e-3, v[rank - 1] * 1e-3


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, a):
        self.log = open(os.path.join(a.work, "server.log"), "w+")
        self.json = os.path.join(a.work, "server.json")
        if os.path.exists(self.json):
            os.unlink(self.json)
        self.p = subprocess.Popen(
            [a.hsbench, "server", "--listen", "127.0.0.1:0", "--cert", a.certs + "/chain.pem",
             "--key", a.certs + "/key.pem", "--threads", "2", "--kx", "rsa", "--log", "none",
             "--json", self.json],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        for _ in range(200):
            self.log.seek(0)
            first = self.log.readline()
            if first.startswith("listening on"):
                self.port = first.strip().rsplit(":", 1)[1]
                break
            time.sleep(0.05)
        if not self.port:
            self.stop()
            sys.exit("server did not start")

    def stop(self):
        """Stop it; its own count of handshakes, and of connections served to
        the end (its --json at exit, suite server)."""
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        try:
            srv = json.load(open(self.json))["benchmarks"][0]["server"]
        except (OSError, ValueError, KeyError, IndexError):
            return None, None
        return srv["handshakes"], srv["ok"]


def mpirun(a, n, args, env=None, timeout=120):
    e = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    xs = []
    for k, v in (env or {}).items():
        e[k] = v
        xs += ["-x", k]
    cmd = [a.mpirun, "--oversubscribe", "--bind-to", "none", "-n", str(n)] + xs + [
        a.hsbench, "load"] + args
    return subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True), timeout


def finish(p, timeout):
    t0 = time.monotonic()
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        return None, out, time.monotonic() - t0
    return p.returncode, out, time.monotonic() - t0


def rows(doc):
    it = [b for b in doc["benchmarks"] if b.get("run_type") == "iteration"]
    agg = [b for b in it if "rank" not in b]
    ranks = sorted((b for b in it if "rank" in b), key=lambda b: b["rank"])
    med = {b["run_name"]: b for b in doc["benchmarks"] if b.get("aggregate_name") == "median"}
    return agg, ranks, med


def check_latency(lat, raw):
    check(len(raw) == lat["count"], "union of the raw values %d = merged count" % len(raw))
    for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
        want, exact = hist_point_us(raw, q)
        # the JSON writer keeps 10 significant digits (JSON_REAL_PRECISION)
        check(lat[name] == float("%.10g" % want),
              "merged %s %.4f us = the union's by the bucket rule %.4f us" % (name, lat[name], want))
        check(abs(lat[name] - exact) <= exact * 0.002 + 1e-3,
              "merged %s within 0.2 %% of the exact %.3f us" % (name, exact))


def test_merge(a, srv):
    total = 60
    dump = os.path.join(a.work, "lat")
    js, cs = os.path.join(a.work, "merge.json"), os.path.join(a.work, "merge.csv")
    p, t = mpirun(a, 2, ["--connect", "127.0.0.1:" + srv.port, "--cafile", a.certs + "/ca.pem",
                         "--kx", "rsa", "--handshakes", str(total), "--connections", "4",
                         "--quiet", "--json", js, "--csv", cs],
                  env={"HSB_TEST_DUMP_LATENCIES": dump})
    rc, out, secs = finish(p, t)
    served, served_ok = srv.stop()
    print(out)
    check(rc == 0, "merge: exit 0 (got %s)" % rc)
    if rc != 0:
        return
    doc = json.load(open(js))
    agg, ranks, med = rows(doc)
    check(len(agg) == 1 and len(ranks) == 2, "one merged row and two rank rows")
    if len(agg) != 1 or len(ranks) != 2:
        return
    g = agg[0]
    per = [r["iterations"] for r in ranks]
    check(g["iterations"] == total, "merged count %d = the budget %d" % (g["iterations"], total))
    check(sum(per) == g["iterations"], "sum of the ranks %s = merged" % per)
    check(served == g["iterations"] and served_ok == served,
          "server's count %s (%s served to the end) = merged" % (served, served_ok))
    lat = med[g["run_name"]]["latency_us"]
    check(lat["count"] == total, "merged histogram count %d = total" % lat["count"])
    check([r["rank"] for r in ranks] == [0, 1] and all(r.get("host") for r in ranks),
          "rank rows carry rank and host")
    check(g.get("ranks") == 2 and g["threads"] == sum(r["threads"] for r in ranks),
          "merged row: ranks 2, threads the sum")
    raw = []
    for i in range(2):
        vals = [int(x) for x in open("%s.%d" % (dump, i)) if x.strip()]
        check(len(vals) == per[i], "rank %d dumped %d values = its count %d"
              % (i, len(vals), per[i]))
        raw += vals
    check_latency(lat, raw)
    ctx = doc["context"]["hsbench"].get("ranks", [])
    check(len(ctx) == 2 and all(c and c.get("host_name") for c in ctx),
          "the context of every rank is in the file")
    lines = open(cs).read().splitlines()
    ri = lines[0].split(",").index("rank")
    check(sorted(line.split(",")[ri] for line in lines[1:]) == ["", "0", "1"],
          "CSV: the merged row and one row per rank")


def test_refused(a, srv):
    closed = str(free_port())
    p, t = mpirun(a, 2, ["--connect", "127.0.0.1:" + srv.port, "--cafile", a.certs + "/ca.pem",
                         "--kx", "rsa", "--handshakes", "20", "--connections", "2", "--quiet"],
                  env={"HSB_TEST_MPI_RANK_PORT": "1:" + closed}, timeout=90)
    rc, out, secs = finish(p, t)
    srv.stop()
    print(out)
    check(rc == 1, "refused: exit 1 (got %s, %.1f s)" % (rc, secs))
    check("rank 1 (" in out and "connect_refused" in out, "refused: the message names rank 1")


def rank_pid(parent, rank):
    """The child of mpirun whose environment says it is this rank."""
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = open("/proc/%s/stat" % d).read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            env = open("/proc/%s/environ" % d, "rb").read().split(b"\0")
        except OSError:
            continue
        if ppid == parent and ("OMPI_COMM_WORLD_RANK=" + rank).encode() in env:
            return int(d)
    return None


def test_killed(a, srv):
    p, t = mpirun(a, 2, ["--connect", "127.0.0.1:" + srv.port, "--cafile", a.certs + "/ca.pem",
                         "--kx", "rsa", "--duration", "60", "--connections", "2", "--quiet"],
                  timeout=60)
    victim = None
    for _ in range(300):
        victim = rank_pid(p.pid, "1")
        if victim:
            break
        time.sleep(0.05)
    time.sleep(1.5)
    if victim:
        os.kill(victim, signal.SIGKILL)
    rc, out, secs = finish(p, t)
    srv.stop()
    print(out)
    check(victim is not None, "killed: found rank 1's process")
    check(rc not in (None, 0), "killed: the job ended non-zero (got %s, %.1f s)" % (rc, secs))
    check("rank 1" in out, "killed: the message names rank 1")


def main():
    ap = argparse.ArgumentParser()
    for k in ("hsbench", "certtool", "mpirun", "work"):
        ap.add_argument("--" + k, required=True)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    a.certs = os.path.join(a.work, "certs")
    os.makedirs(a.certs)
    subprocess.run([a.certtool, a.certs, "2048"], check=True, stdout=subprocess.DEVNULL)
    for t in (test_merge, test_refused, test_killed):
        print("--", t.__name__, flush=True)
        t(a, Server(a))
    print("%d failed" % len(fails) if fails else "all passed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
