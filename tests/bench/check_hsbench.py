#!/usr/bin/python3
"""Run hsbench / hsbench-micro briefly and check what they write.

usage: check_hsbench.py WHAT HSBENCH HSBENCH_MICRO OUTDIR
WHAT: cli | modexp | bulk | handshake | compare | suite | micro | progress

Every check can fail: exit status 1 with the reasons on stderr.
"""
import csv
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

WHAT, HSB, MICRO, OUT = sys.argv[1:5]
os.makedirs(OUT, exist_ok=True)
FAST = ["--duration", "30ms", "--repetitions", "2", "--warmup", "0", "-q"]
errors = []


def fail(msg):
    errors.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def run(args, expect=0, timeout=300):
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=OUT)
    if expect is not None and p.returncode != expect:
        fail("%s: exit %d, wanted %d\nstdout:\n%s\nstderr:\n%s"
             % (" ".join(args), p.returncode, expect, p.stdout[-3000:], p.stderr[-3000:]))
    return p


def no_nan(x):
    raise ValueError("non-finite number in JSON: %s" % x)


def load(path):
    with open(path) as f:
        return json.load(f, parse_constant=no_nan)


def walk_numbers(x, where="$"):
    if isinstance(x, float) and not math.isfinite(x):
        fail("%s is not finite" % where)
    elif isinstance(x, dict):
        for k, v in x.items():
            walk_numbers(v, where + "." + k)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            walk_numbers(v, "%s[%d]" % (where, i))


CONTEXT_GB = ["date", "host_name", "executable", "num_cpus", "mhz_per_cpu",
              "cpu_scaling_enabled", "caches", "load_avg", "library_build_type"]
CONTEXT_OURS = ["version", "git_commit", "command_line", "cpu_model", "cpu_flags", "topology",
                "tsc_hz", "tsc_note", "compiler", "cflags", "build_type", "libraries", "pin",
                "thread_map", "repetitions", "warmup_s", "duration_s", "warnings"]
ROW_GB = ["name", "run_name", "run_type", "repetitions", "threads", "iterations", "real_time",
          "cpu_time", "time_unit", "items_per_second"]
ROW_OURS = ["suite", "variant", "backend", "implementations", "is_reference", "bytes",
            "cycles_per_item"]
AGGS = {"mean", "median", "stddev", "cv", "min", "max"}


def check_results(path, suite, reps=2, want_backends=()):
    """The documented shape of bench/RESULTS.md, and the ratios."""
    d = load(path)
    walk_numbers(d)
    ctx = d.get("context", {})
    for k in CONTEXT_GB:
        if k not in ctx:
            fail("%s: context.%s missing" % (path, k))
    h = ctx.get("hsbench", {})
    for k in CONTEXT_OURS:
        if k not in h:
            fail("%s: context.hsbench.%s missing" % (path, k))
    for k in ["openssl", "gmp", "hwloc", "jansson", "benchmark"]:
        if not h.get("libraries", {}).get(k):
            fail("%s: library version %s missing" % (path, k))
    if not h.get("thread_map"):
        fail("%s: empty thread_map" % path)
    rows = d.get("benchmarks", [])
    if not rows:
        fail("%s: no benchmarks" % path)
        return d
    names = {r["run_name"] for r in rows}
    iters = [r for r in rows if r.get("run_type") == "iteration" and not r.get("error_occurred")]
    aggs = [r for r in rows if r.get("run_type") == "aggregate"]
    for r in rows:
        if r.get("error_occurred"):
            fail("%s: %s failed: %s" % (path, r["name"], r.get("error_message")))
            continue
        for k in ROW_GB + ROW_OURS:
            if k not in r:
                fail("%s: %s lacks %s" % (path, r["name"], k))
        if r.get("suite") != suite:
            fail("%s: %s has suite %s" % (path, r["name"], r.get("suite")))
        if r.get("time_unit") != "ns":
            fail("%s: %s time_unit %s" % (path, r["name"], r.get("time_unit")))
        if r["run_type"] == "iteration" and not (r.get("real_time", 0) > 0 and r.get("items_per_second", 0) > 0):
            fail("%s: %s has no positive time or rate" % (path, r["name"]))
        if not r["is_reference"]:
            ref = r.get("reference")
            if ref not in names:
                fail("%s: %s names reference %r, which is not a row" % (path, r["name"], ref))
            if not (r.get("ratio_to_reference", 0) > 0):
                fail("%s: %s lacks a positive ratio_to_reference" % (path, r["name"]))
        if r["run_type"] == "aggregate":
            if r.get("aggregate_name") not in AGGS:
                fail("%s: %s bad aggregate_name" % (path, r["name"]))
            want_unit = "percentage" if r["aggregate_name"] == "cv" else "time"
            if r.get("aggregate_unit") != want_unit:
                fail("%s: %s aggregate_unit %s" % (path, r["name"], r.get("aggregate_unit")))
            if r["name"] != r["run_name"] + "_" + r["aggregate_name"]:
                fail("%s: aggregate name %s" % (path, r["name"]))
    refs = [r for r in iters if r["is_reference"]]
    if not refs:
        fail("%s: no reference rows" % path)
    if not [r for r in iters if not r["is_reference"]]:
        fail("%s: no backend rows" % path)
    # per figure: reps iterations and the six aggregates
    for n in {r["run_name"] for r in iters}:
        k = [r for r in iters if r["run_name"] == n]
        if sorted(r["repetition_index"] for r in k) != list(range(reps)):
            fail("%s: %s has repetitions %s" % (path, n, [r["repetition_index"] for r in k]))
        a = {r["aggregate_name"] for r in aggs if r["run_name"] == n}
        if a != AGGS:
            fail("%s: %s aggregates %s" % (path, n, sorted(a)))
    # the ratio on the median row is the medians' ratio
    med = {r["run_name"]: r for r in aggs if r["aggregate_name"] == "median"}
    for n, r in med.items():
        if r["is_reference"]:
            continue
        ref = med.get(r.get("reference"))
        if not ref:
            continue  # reported above
        want = r["items_per_second"] / ref["items_per_second"]
        if abs(r.get("ratio_to_reference", 0) - want) > 1e-6 * want:
            fail("%s: %s ratio %s != %s" % (path, n, r.get("ratio_to_reference"), want))
        if r["threads"] != ref["threads"] or r["bytes"] != ref["bytes"] or r["variant"] != ref["variant"]:
            fail("%s: %s compared with a different figure %s" % (path, n, ref["name"]))
    for b in want_backends:
        if not [r for r in iters if r["backend"] == b]:
            fail("%s: no row for backend %s" % (path, b))
    return d


def check_csv(path, d):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    iters = [r for r in d["benchmarks"] if r.get("run_type") == "iteration" and not r.get("error_occurred")]
    if len(rows) != len(iters):
        fail("%s: %d rows, JSON has %d iterations" % (path, len(rows), len(iters)))
    for r in rows:
        for k in ["name", "suite", "variant", "backend", "repetition", "rate", "rate_unit"]:
            if r.get(k, "") == "":
                fail("%s: row %s lacks %s" % (path, r.get("name"), k))
        for k, v in r.items():
            if v and v.lower() in ("nan", "inf", "-inf"):
                fail("%s: %s=%s" % (path, k, v))


if WHAT == "cli":
    bad = [
        (["modexp", "--duration", "5xs"], "--duration"),
        (["modexp", "--duration", "0"], "--duration"),
        (["bulk", "--threads", "0"], "--threads"),
        (["bulk", "--threads", "1,,2"], "--threads"),
        (["handshake", "--pin", "diagonal"], "--pin"),
        (["handshake", "--bits", "1234"], "--bits"),
        (["modexp", "--bits", "100"], "--bits"),
        (["bulk", "--sizes", "17"], "--sizes"),
        (["handshake", "--kx", "ecdhe"], "--kx"),
        (["handshake", "--dh-check", "some"], "--dh-check"),
        (["handshake", "--dh-group", "ffdhe1024"], "--dh-group"),
        (["handshake", "--inflight", "0"], "--inflight"),
        (["handshake", "--inflight", "65"], "--inflight"),
        (["modexp", "--inflight", "8"], "--inflight"),
        (["modexp", "--backend", "nosuch"], "nosuch"),
        (["modexp", "--backend", "gmp,"], "--backend"),
        (["modexp", "--repetitions", "0"], "--repetitions"),
        (["modexp", "--batch", "0"], "--batch"),
        (["bulk", "--batch", "8"], "--batch"),
        (["bulk", "--frobnicate"], "--frobnicate"),
        (["bulk", "--kx", "rsa"], "--kx"),
        (["bulk", "--streams", "0"], "--streams"),
        (["bulk", "--streams", "65"], "--streams"),
        (["handshake", "--streams", "2"], "--streams"),
        (["modexp", "--bits"], "--bits"),
        (["modexp", "stray"], "stray"),
        (["suite", "--sizes", "16"], "--sizes"),
        (["nosuchcommand"], "nosuchcommand"),
        # PU lists name PUs this process may run on
        (["tcp", "--server-pus", "4095"], "--server-pus"),
        (["tcp", "--client-pus", "0-4095"], "--client-pus"),
        (["tcp", "--rates", "0"], "--rates"),
        (["load", "--connect", "127.0.0.1:9", "--pus", "4095"], "--pus"),
        (["load", "--connect", "127.0.0.1:9", "--connections", "0"], "--connections"),
        (["load", "--connect", "127.0.0.1:9", "--rate", "-1"], "--rate"),
    ]
    for args, word in bad:
        p = run([HSB] + args, expect=2, timeout=30)
        if p.returncode == 2 and word not in p.stderr:
            fail("%s: the message does not name %s: %r" % (args, word, p.stderr))
        if p.stdout.strip():
            fail("%s: printed results on a usage error" % args)
    # A bad --json/--csv target is a usage error found before anything is
    # measured (the default durations would take seconds), not after.
    missing = os.path.join(OUT, "no-such-folder")
    unwritable = [
        (["handshake", "--json", os.path.join(missing, "x.json")], "--json"),
        (["modexp", "--csv", os.path.join(missing, "x.csv")], "--csv"),
        (["bulk", "--json", OUT], "--json"),
        (["suite", "--json", os.path.join(missing, "x.json")], "--json"),
    ]
    for args, opt in unwritable:
        t0 = time.monotonic()
        p = run([HSB] + args, expect=2, timeout=30)
        took = time.monotonic() - t0
        if took > 1.0:
            fail("%s: took %.2f s: measured before checking %s" % (args, took, opt))
        want = "hsbench %s: cannot write %s '%s': " % (args[0], opt, args[2])
        if not p.stderr.startswith(want) or len(p.stderr.splitlines()) != 1:
            fail("%s: wanted one line starting %r, got %r" % (args, want, p.stderr))
        if p.stdout.strip():
            fail("%s: printed results on a usage error" % args)
    if os.path.exists(missing) or os.path.exists(os.path.join(OUT, "results")):
        fail("a refused run created %s or results/" % missing)
    p = run([HSB, "bulk", "--suite", "rsa-ccm"], expect=2, timeout=30)
    if "--suite" not in p.stderr:
        fail("bulk --suite rsa-ccm: no message naming --suite: %r" % p.stderr)
    for cmd in ["modexp", "bulk", "handshake", "suite"]:
        p = run([HSB, cmd, "--help"], expect=0, timeout=30)
        for opt in ["--backend", "--json", "--duration"]:
            if opt not in p.stdout:
                fail("%s --help does not mention %s" % (cmd, opt))
    p = run([HSB, "handshake", "--help"], timeout=30)
    for opt in ["--kx", "--bits", "--dh-group", "--dh-check", "--breakdown", "--allow-errors",
                "--threads", "--pin", "--suite", "--inflight"]:
        if opt not in p.stdout:
            fail("handshake --help does not mention %s" % opt)

elif WHAT == "modexp":
    j, c = os.path.join(OUT, "m.json"), os.path.join(OUT, "m.csv")
    run([HSB, "modexp", "--bits", "1024", "--dh-group", "ffdhe2048", "--json", j, "--csv", c] + FAST)
    d = check_results(j, "modexp", want_backends=["openssl", "bn-reference", "evp-reference"])
    check_csv(c, d)
    variants = {r["variant"] for r in d["benchmarks"]}
    for v in ["modexp-1024", "crt-1024", "dh-keygen-ffdhe2048", "dh-derive-ffdhe2048"]:
        if v not in variants:
            fail("modexp: no %s rows" % v)
    for r in d["benchmarks"]:
        if r["run_type"] == "iteration" and r["variant"].startswith("dh-") and r.get("group") != "ffdhe2048":
            fail("%s: group %s" % (r["name"], r.get("group")))
    # --batch 3: batch rows beside the single ones; the native row names its
    # batch class and fill, openssl's says it loops over the single op.
    j = os.path.join(OUT, "mb.json")
    run([HSB, "modexp", "--bits", "1024", "--dh-group", "ffdhe2048", "--batch", "3",
         "--backend", "native,openssl", "--json", j] + FAST)
    d = check_results(j, "modexp", want_backends=["native", "openssl", "evp-reference"])
    seen = set()
    for r in d["benchmarks"]:
        if r["run_type"] != "iteration" or not r["variant"].endswith("-batch3"):
            continue
        b = r.get("implementations", {}).get("batch", "")
        if r["backend"] == "native" and not ("-mb8-" in b and "3 jobs/call, mean fill 3.0/8" in b):
            fail("%s: batch field %r" % (r["name"], b))
        if r["backend"] == "openssl" and "loop over openssl's" not in b:
            fail("%s: batch field %r" % (r["name"], b))
        seen.add(r["variant"])
    for v in ["modexp-1024-batch3", "crt-1024-batch3", "dh-keygen-ffdhe2048-batch3",
              "dh-derive-ffdhe2048-batch3"]:
        if v not in seen:
            fail("modexp --batch 3: no %s rows" % v)

elif WHAT == "bulk":
    j, c = os.path.join(OUT, "b.json"), os.path.join(OUT, "b.csv")
    run([HSB, "bulk", "--sizes", "64,1024", "--json", j, "--csv", c] + FAST)
    d = check_results(j, "bulk", want_backends=["openssl", "evp-reference"])
    check_csv(c, d)
    for r in d["benchmarks"]:
        if r["run_type"] != "iteration":
            continue
        if r["bytes"] not in (64, 1024):
            fail("%s: bytes %s" % (r["name"], r["bytes"]))
        if abs(r["bytes_per_second"] - r["items_per_second"] * r["bytes"]) > 1e-6 * r["bytes_per_second"]:
            fail("%s: bytes_per_second inconsistent" % r["name"])
        if "cycles_per_byte" not in r:
            fail("%s: no cycles_per_byte" % r["name"])
    variants = {r["variant"] for r in d["benchmarks"]}
    for v in ["aes128-cbc-enc", "aes128-cbc-dec", "aes128-ctr", "sha256", "hmac-sha256",
              "record-seal", "record-open", "record-seal-etm", "record-open-etm"]:
        if v not in variants:
            fail("bulk: no %s rows" % v)
    # Record rows: libssl's record layer is the reference their ratios are
    # to; the EVP-pieces record is a second reference compared with it.
    for r in d["benchmarks"]:
        if r["run_type"] != "iteration" or not r["variant"].startswith("record-"):
            continue
        be, ref = r["backend"], r.get("reference", "")
        if r["is_reference"] != (be in ("libssl-reference", "evp-pieces-reference")):
            fail("%s: is_reference %s" % (r["name"], r["is_reference"]))
        if be != "libssl-reference" and "/libssl-reference" not in ref:
            fail("%s: compared with %r, not libssl's record layer" % (r["name"], ref))
        if be == "libssl-reference" and "SSL_" not in r["implementations"].get("record", ""):
            fail("%s: implementations %s" % (r["name"], r["implementations"]))
        if r["variant"].endswith("-gcm") and not r["is_reference"] and "gcm" not in r["implementations"]:
            fail("%s: a GCM record row without its gcm class: %s" % (r["name"], r["implementations"]))
    for v in ["record-seal", "record-open", "record-seal-etm", "record-open-etm",
              "record-seal-gcm", "record-open-gcm"]:
        for size in (64, 1024):
            for be in ("libssl-reference", "evp-pieces-reference"):
                if be == "evp-pieces-reference" and v.endswith("-gcm"):
                    continue  # GCM records: libssl's GCM record layer only
                if not any(r["variant"] == v and r["bytes"] == size and r["backend"] == be
                           for r in d["benchmarks"]):
                    fail("bulk: no %s/%d/%s row" % (v, size, be))

    # --streams K: record-seal-streams rows, K records per iteration, ours
    # (where the composition's cbc-hmac class is there) against libssl's
    # SSL_write K times on one connection.
    j = os.path.join(OUT, "s.json")
    run([HSB, "bulk", "--streams", "3", "--sizes", "64,1024", "--etm", "off", "--suite",
         "rsa-cbc", "--backend", "native", "--json", j] + FAST)
    d = check_results(j, "bulk")
    rows = [r for r in d["benchmarks"] if r["run_type"] == "iteration"
            and r["variant"] == "record-seal-streams"]
    for size in (64, 1024):
        for be in ("libssl-reference", "evp-pieces-reference"):
            if not any(r["bytes"] == 3 * size and r["backend"] == be for r in rows):
                fail("bulk --streams 3: no record-seal-streams/%d/%s row" % (3 * size, be))
    for r in rows:
        if r.get("streams") != 3 or r["bytes"] not in (3 * 64, 3 * 1024):
            fail("%s: streams %s, bytes %s" % (r["name"], r.get("streams"), r["bytes"]))
        if r["backend"] == "libssl-reference" and "x 3 on one connection" not in \
                r["implementations"].get("record", ""):
            fail("%s: implementations %s" % (r["name"], r["implementations"]))
        if not r["is_reference"] and "/libssl-reference" not in r.get("reference", ""):
            fail("%s: not compared with libssl's record layer" % r["name"])
    ours = [r for r in rows if not r["is_reference"]]
    notes = " ".join(d["context"]["hsbench"].get("notes", []))
    if not ours and "record-seal-streams" not in notes:
        fail("bulk --streams 3: no native row and no note saying why")

elif WHAT == "handshake":
    j = os.path.join(OUT, "h.json")
    p = run([HSB, "handshake", "--kx", "rsa,dhe", "--threads", "1,2", "--backend", "openssl",
             "--breakdown", "--json", j, "--duration", "60ms", "--repetitions", "2",
             "--warmup", "0", "-q"])
    d = check_results(j, "handshake", want_backends=["openssl", "libssl-reference"])
    for r in d["benchmarks"]:
        if r.get("errors", 0) != 0:
            fail("%s: %s failed handshakes" % (r["name"], r["errors"]))
        for k in ["hs_per_s", "hs_per_s_per_thread", "latency_us", "errors", "bits"]:
            if k not in r:
                fail("%s lacks %s" % (r["name"], k))
        lat = r.get("latency_us", {})
        if not (0 < lat.get("p50", 0) <= lat.get("p90", 0) <= lat.get("p99", 0) <= lat.get("max", 0)):
            fail("%s: latency percentiles out of order: %s" % (r["name"], lat))
        if r["variant"].startswith("dhe") and r.get("group") != "ffdhe2048":
            fail("%s: group %s" % (r["name"], r.get("group")))
        if r["run_type"] == "aggregate" and r["threads"] == 2 and "scaling_efficiency" not in r:
            fail("%s: no scaling_efficiency" % r["name"])
        if r["run_type"] == "aggregate" and not r["is_reference"]:
            bd = r.get("breakdown", {})
            s = bd.get("share", {})
            if not s or abs(sum(s.values()) - 1) > 1e-6:
                fail("%s: breakdown shares %s do not sum to 1" % (r["name"], s))
            if s.get("rsa-priv", 0) <= 0:
                fail("%s: no rsa-priv time in the breakdown" % r["name"])
            if s.get("x509 (libcrypto)", 0) <= 0:
                fail("%s: no x509 (libcrypto) time in the breakdown" % r["name"])
            if r["variant"].startswith("dhe") and s.get("dh-derive", 0) <= 0:
                fail("%s: no dh-derive time in the breakdown" % r["name"])
        if r["run_type"] == "aggregate" and not (0 < r.get("client_cpu_share", 0) < 1):
            fail("%s: client_cpu_share %s" % (r["name"], r.get("client_cpu_share")))
    if "where a handshake's time goes" not in p.stdout:
        fail("handshake --breakdown printed no breakdown")
    # --inflight: 8 handshakes per worker, their public-key ops in batches;
    # every handshake still checked, and the rows say K, lanes and fill.
    for be in ["openssl", "pk=native"]:
        j = os.path.join(OUT, "inflight.json")
        run([HSB, "handshake", "--kx", "rsa,dhe", "--threads", "1", "--backend", be,
             "--inflight", "8", "--json", j, "--duration", "60ms", "--repetitions", "2",
             "--warmup", "0", "-q"])
        d = load(j)
        ours = [r for r in d["benchmarks"] if r["run_type"] == "aggregate" and not r["is_reference"]]
        if len(ours) < 2:
            fail("--inflight 8 (%s): rows %s" % (be, [r["name"] for r in d["benchmarks"]]))
        for r in d["benchmarks"]:
            if r.get("errors", 0) != 0:
                fail("%s: %s failed handshakes" % (r["name"], r["errors"]))
        for r in ours:
            if r.get("inflight") != 8 or "/inflight:8" not in r["name"]:
                fail("%s: inflight %s" % (r["name"], r.get("inflight")))
            lanes, fill = r.get("batch_lanes", 0), r.get("batch_fill", 0)
            if not (lanes >= 1 and 1 <= fill <= max(lanes, 1)):
                fail("%s: batch_lanes %s batch_fill %s" % (r["name"], lanes, fill))

elif WHAT == "compare":
    a, b = os.path.join(OUT, "a.json"), os.path.join(OUT, "b.json")
    for path in (a, b):
        run([HSB, "bulk", "--sizes", "1024", "--backend", "openssl", "--json", path] + FAST)
    p = run(["/usr/bin/python3", "/usr/share/benchmark/compare.py", "benchmarks", a, b], timeout=120)
    if "bulk/aes128-cbc-enc/1024/openssl" not in p.stdout:
        fail("compare.py did not list our benchmarks:\n" + p.stdout[-2000:] + p.stderr[-2000:])

elif WHAT == "suite":
    j = os.path.join(OUT, "suite.json")
    p = run([HSB, "suite", "--duration", "10ms", "--warmup", "0", "--repetitions", "2", "-q",
             "--json", j])
    d = load(j)
    walk_numbers(d)
    suites = {r["suite"] for r in d["benchmarks"]}
    if suites != {"handshake", "modexp", "bulk"}:
        fail("suite ran %s" % sorted(suites))
    for r in d["benchmarks"]:
        if r.get("error_occurred"):
            fail("suite: %s failed: %s" % (r["name"], r.get("error_message")))
    # Without --json the suite writes results/latest.json (checked up front
    # like a --json target, then written).
    latest = os.path.join(OUT, "results", "latest.json")
    if os.path.exists(latest):
        os.remove(latest)
    run([HSB, "suite", "--duration", "10ms", "--warmup", "0", "--repetitions", "2", "-q",
         "--backend", "openssl"])
    if os.path.exists(latest):
        walk_numbers(load(latest))
    else:
        fail("suite without --json wrote no results/latest.json")

elif WHAT == "progress":
    # On a terminal, stderr says where the run is: "[k/N] NAME ... ~T left".
    # N is planned before anything is measured, over the whole run (the
    # default suite runs three suites into one report), and is the number of
    # rows the results have; k rises to N. script(1) gives the run a terminal.
    if not shutil.which("script"):
        print("skipped: no script(1) to run hsbench on a terminal")
        sys.exit(77)
    line = re.compile(r"\[(\d+)/(\d+)\] (\S+)(?: and the rows beside it)? "
                      r"(?:~\d+(?:\.\d)? (?:s|min|h)|<1 s) left")

    def on_tty(args):
        p = subprocess.run(["script", "-q", "-e", "-c", shlex.join(args), "/dev/null"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=300, cwd=OUT)
        if p.returncode != 0:
            fail("%s on a terminal: exit %d\n%s" % (args, p.returncode, p.stdout[-3000:]))
        return p.stdout

    short = ["--duration", "10ms", "--warmup", "0", "--repetitions", "2"]
    for name, args in [("modexp", [HSB, "modexp", "--bits", "1024"]), ("suite", [HSB, "suite"])]:
        j = os.path.join(OUT, name + ".json")
        seen = [(int(k), int(n)) for k, n, _ in line.findall(on_tty(args + short + ["--json", j]))]
        rows = {b["run_name"] for b in load(j)["benchmarks"]}
        counts = [k for k, _ in seen]
        if not seen:
            fail("%s: no progress line on the terminal" % name)
        elif {n for _, n in seen} != {len(rows)}:
            fail("%s: planned %s rows, the results have %d" % (name, seen, len(rows)))
        elif counts != sorted(set(counts)) or counts[-1] != len(rows):
            fail("%s: the count does not rise to the total: %s" % (name, seen))
    out = on_tty([HSB, "modexp", "--bits", "1024", "-q"] + short)
    if line.search(out) or "\033[K" in out:
        fail("modexp -q: progress on the terminal:\n" + out[-2000:])

elif WHAT == "micro":
    j = os.path.join(OUT, "micro.json")
    p = run([MICRO, "--benchmark_filter=aes", "--benchmark_min_time=0.01",
             "--benchmark_format=json", "--benchmark_out=" + j], timeout=120)
    d = load(j)
    names = [b["name"] for b in d.get("benchmarks", [])]
    if not names or not all("aes" in n for n in names):
        fail("micro: filter=aes ran %s" % names)
    if "aes128-cbc-enc/1024/openssl" not in names:
        fail("micro: no aes128-cbc-enc/1024/openssl")
    for b in d["benchmarks"]:
        if not b.get("bytes_per_second", 0) > 0 or b.get("error_occurred"):
            fail("micro: %s has no throughput" % b["name"])
    run([MICRO, "--benchmark_nosuchflag"], expect=1, timeout=30)
else:
    fail("unknown check %s" % WHAT)

if errors:
    print("%d failure(s)" % len(errors), file=sys.stderr)
    sys.exit(1)
print("ok: " + WHAT)
