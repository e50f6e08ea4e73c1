#!/usr/bin/python3
"""Tests of scripts/plot, scripts/compare and scripts/run-suite on result files
that a real, short hsbench run writes at test time.

usage: test_scripts.py CASE --hsbench PATH --scripts DIR --work DIR

CASE is one of:
  results          run hsbench (modexp, bulk, handshake) into WORK/results/ (the fixture)
  plot             the figures exist and are non-empty PNG/SVG; absent data is noted
  compare-same     a file against itself: nothing significant, exit 0
  compare-planted  a copy with one benchmark 20 % slower: significant, exit 1 with
                   --fail-on-regression 10, exit 0 with 30; too few repetitions: no verdict
  compare-refuse   not a result / no repetitions / missing file: exit 2 naming the file
  run-suite        the folder layout and latest.json/latest-plots, and the missing-binary message

Exit 77 (skipped) when /usr/bin/python3 lacks matplotlib, numpy or scipy.
"""

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys

RATES = ("items_per_second", "bytes_per_second", "hs_per_s", "hs_per_s_per_thread")
TIMES = ("real_time", "cpu_time", "cycles_per_item", "cycles_per_byte")
SKIP = 77


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def run(cmd, env=None, timeout=300):
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if p.stdout:
        print(p.stdout[-4000:], end="" if p.stdout.endswith("\n") else "\n")
    if p.stderr:
        print("[stderr] " + p.stderr[-4000:], end="" if p.stderr.endswith("\n") else "\n")
    print("[exit %d]" % p.returncode, flush=True)
    return p


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save(doc, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)


# The runs of the fixture: short, so that the whole set stays a few seconds even
# under ASan. modexp has 5 repetitions so that a Mann-Whitney test can reach
# p < 0.05 (3 against 3 never can: the smallest two-sided p is 0.1).
RUNS = (
    ("modexp", ["modexp", "--bits", "1024", "--duration", "30ms", "--repetitions", "5",
                "--warmup", "0"]),
    ("bulk", ["bulk", "--backend", "openssl", "--sizes", "64,1024", "--duration", "20ms",
              "--repetitions", "5", "--warmup", "0"]),
    ("handshake", ["handshake", "--kx", "rsa", "--threads", "1,2", "--duration", "100ms",
                   "--repetitions", "3", "--warmup", "0"]),
    # An open-loop sweep over loopback TCP: two servers, two offered rates.
    ("tcp", ["tcp", "--rates", "50,100", "--duration", "300ms", "--repetitions", "2",
             "--warmup", "0", "--connections", "8", "--quiet",
             "--targets", "hsb-openssl,libssl-reference"]),
)


def case_results(a):
    out = os.path.join(a.work, "results")
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for name, args in RUNS:
        path = os.path.join(out, name + ".json")
        p = run([a.hsbench] + args + ["--json", path])
        if p.returncode != 0 and "not built yet" in p.stderr:
            why = "hsbench %s is not built yet on this branch" % args[0]
            with open(os.path.join(out, "SKIPPED"), "w") as f:
                f.write(why + "\n")
            print("SKIP: " + why)
            return SKIP
        check(p.returncode == 0, "hsbench %s failed (exit %d)" % (args[0], p.returncode))
        doc = load(path)
        check(isinstance(doc.get("context", {}).get("hsbench"), dict), "%s: no context.hsbench" % path)
        iters = [b for b in doc.get("benchmarks", []) if b.get("run_type") == "iteration"]
        check(iters, "%s: no iteration rows" % path)
    return 0


class Skipped(Exception):
    pass


def results(a, name):
    path = os.path.join(a.work, "results", name + ".json")
    marker = os.path.join(a.work, "results", "SKIPPED")
    if not os.path.isfile(path) and os.path.isfile(marker):
        with open(marker) as f:
            raise Skipped("the scripts_results fixture skipped: " + f.read().strip())
    check(os.path.isfile(path), "%s missing: the scripts_results fixture did not run" % path)
    return path


def script(a, name):
    return os.path.join(a.scripts, name)


def is_png(path):
    with open(path, "rb") as f:
        head = f.read(8)
    return head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 2000


def case_plot(a):
    expected = {
        "modexp": ["modexp_cost"],
        "bulk": ["bulk_throughput", "bulk_cycles_per_byte"],
        "handshake": ["handshake_rate", "handshake_scaling", "handshake_latency"],
        "tcp": ["tcp_rate_sweep"],
    }
    every = [f for names in expected.values() for f in names]
    for name, figs in expected.items():
        out = os.path.join(a.work, "plots-" + name)
        shutil.rmtree(out, ignore_errors=True)
        p = run([script(a, "plot"), results(a, name), "-o", out, "--svg"])
        check(p.returncode == 0, "plot %s: exit %d" % (name, p.returncode))
        listed = [l for l in p.stdout.splitlines() if l.strip()]
        for fig in figs:
            png, svg = os.path.join(out, fig + ".png"), os.path.join(out, fig + ".svg")
            check(os.path.isfile(png) and is_png(png), "plot %s: %s missing or not a PNG" % (name, png))
            check(os.path.isfile(svg) and os.path.getsize(svg) > 1000, "plot %s: %s missing" % (name, svg))
            check(png in listed and svg in listed, "plot %s: %s not in the printed list" % (name, fig))
        for fig in every:
            if fig in figs:
                continue
            check(not os.path.exists(os.path.join(out, fig + ".png")),
                  "plot %s: %s written without its data" % (name, fig))
            check(fig in p.stderr, "plot %s: no note on stderr that %s was skipped" % (name, fig))
    # Several files at once: one series per file, the default folder beside the first.
    two = os.path.join(a.work, "two")
    shutil.rmtree(two, ignore_errors=True)
    os.makedirs(two)
    for i in (1, 2):
        shutil.copy(results(a, "handshake"), os.path.join(two, "run%d.json" % i))
    p = run([script(a, "plot"), os.path.join(two, "run1.json"), os.path.join(two, "run2.json")])
    check(p.returncode == 0, "plot of two files: exit %d" % p.returncode)
    for fig in expected["handshake"]:
        check(is_png(os.path.join(two, "plots", fig + ".png")), "plot of two files: %s missing" % fig)
    return 0


def compare(a, x, y, *extra):
    return run([script(a, "compare"), x, y] + list(extra))


def case_compare_same(a):
    for name in ("modexp", "bulk", "handshake"):
        path = results(a, name)
        out = os.path.join(a.work, "same-%s.json" % name)
        p = compare(a, path, path, "--json", out, "--fail-on-regression", "0")
        check(p.returncode == 0, "compare %s with itself: exit %d" % (name, p.returncode))
        doc = load(out)
        check(doc["benchmarks"], "compare %s with itself: nothing compared" % name)
        for row in doc["benchmarks"]:
            check(not row["significant"], "%s: significant against itself" % row["run_name"])
            check(row["verdict"] not in ("REGRESSED", "improved"), "%s: %s" % (row["run_name"], row["verdict"]))
            if row["p_value"] is not None:
                check(row["change_pct"] == 0.0, "%s: change %r against itself" % (row["run_name"], row["change_pct"]))
        check(not any(l.rstrip().endswith(("REGRESSED", "improved")) for l in p.stdout.splitlines()),
              "compare %s with itself: a verdict in the table" % name)
    return 0


def plant(doc, run_name, rate_factor, time_factor):
    """Scale every rate of one benchmark's repetitions by rate_factor and every time by time_factor."""
    doc = copy.deepcopy(doc)
    n = 0
    for row in doc["benchmarks"]:
        if row.get("run_name") == run_name and row.get("run_type") == "iteration":
            for k in RATES:
                if isinstance(row.get(k), (int, float)):
                    row[k] *= rate_factor
            for k in TIMES:
                if isinstance(row.get(k), (int, float)):
                    row[k] *= time_factor
            n += 1
    assert n >= 2
    return doc


def primary(row):
    for k in ("hs_per_s", "bytes_per_second", "items_per_second"):
        if isinstance(row.get(k), (int, float)):
            return k
    return None


def tightest(doc, min_reps):
    """The benchmark whose repetitions spread least (max/min of its rate)."""
    reps = {}
    for row in doc["benchmarks"]:
        if row.get("run_type") == "iteration" and primary(row):
            reps.setdefault(row["run_name"], []).append(row[primary(row)])
    best = None
    for name, vals in reps.items():
        if len(vals) >= min_reps and min(vals) > 0:
            spread = max(vals) / min(vals)
            if best is None or spread < best[1]:
                best = (name, spread)
    return best


def case_compare_planted(a):
    # The benchmark to slow down: the one whose 5 repetitions spread least, in
    # modexp.json or bulk.json. With max/min below 1.25 the copy scaled by 0.8 lies
    # wholly below the original, and the exact test must then give p = 2/252; a
    # machine so noisy that no benchmark qualifies cannot show a 20 % change.
    best = None
    for file in ("modexp", "bulk"):
        b = tightest(load(results(a, file)), 5)
        if b and (best is None or b[1] < best[1]):
            best = b + (results(a, file),)
    check(best is not None, "modexp.json, bulk.json: no benchmark with 5 repetitions")
    name, spread, base = best
    doc = load(base)
    if not spread < 1.25:
        print("SKIP: the repetitions spread %.2fx (max/min) even for %s; too noisy to plant a 20 %% "
              "change" % (spread, name))
        return SKIP
    print("planting a 20 %% slowdown in %s (%s, repetitions spread %.3fx)" % (name, base, spread))
    slow = os.path.join(a.work, "planted-slow.json")
    save(plant(doc, name, 0.8, 1.25), slow)
    out = os.path.join(a.work, "planted.json")
    p = compare(a, base, slow, "--json", out)
    check(p.returncode == 0, "compare without --fail-on-regression: exit %d" % p.returncode)
    rows = {r["run_name"]: r for r in load(out)["benchmarks"]}
    r = rows[name]
    check(r["verdict"] == "REGRESSED" and r["significant"], "%s: verdict %r, p %r" % (name, r["verdict"], r["p_value"]))
    check(abs(r["change_pct"] + 20.0) < 1e-6 or abs(r["change_pct"] - 25.0) < 1e-6,
          "%s: change %r%%, planted -20%% (rate) or +25%% (time)" % (name, r["change_pct"]))
    for other, ro in rows.items():
        if other != name:
            check(not ro["significant"], "%s: significant but untouched" % other)
    check(any(name in l and "REGRESSED" in l for l in p.stdout.splitlines()), "table lacks the regression")

    p = compare(a, base, slow, "--fail-on-regression", "10")
    check(p.returncode == 1, "--fail-on-regression 10 on a 20%% regression: exit %d, want 1" % p.returncode)
    check(name in p.stderr, "--fail-on-regression: the benchmark is not named on stderr")
    p = compare(a, base, slow, "--fail-on-regression", "30")
    check(p.returncode == 0, "--fail-on-regression 30 on a 20%% regression: exit %d, want 0" % p.returncode)
    # The other way round it is an improvement, and never a failure.
    p = compare(a, slow, base, "--json", out, "--fail-on-regression", "10")
    check(p.returncode == 0, "an improvement made compare exit %d" % p.returncode)
    check(next(r for r in load(out)["benchmarks"] if r["run_name"] == name)["verdict"] == "improved",
          "the reverse comparison is not an improvement")

    # 3 repetitions against 3 cannot reach p < 0.05: no verdict, no failure, and it says why.
    hs = load(results(a, "handshake"))
    best3 = tightest(hs, 2)
    check(best3 is not None, "handshake.json: no benchmark with repetitions")
    n3 = sum(1 for r in hs["benchmarks"] if r.get("run_name") == best3[0] and r.get("run_type") == "iteration")
    if n3 <= 3:
        slow3 = os.path.join(a.work, "planted-slow3.json")
        save(plant(hs, best3[0], 0.8, 1.25), slow3)
        p = compare(a, results(a, "handshake"), slow3, "--json", out, "--fail-on-regression", "10")
        check(p.returncode == 0, "3 repetitions: exit %d, want 0 (no significance possible)" % p.returncode)
        row = next(r for r in load(out)["benchmarks"] if r["run_name"] == best3[0])
        check(row["verdict"] == "n too small" and row["smallest_p"] >= 0.05,
              "3 repetitions: verdict %r, smallest p %r" % (row["verdict"], row["smallest_p"]))
    return 0


def case_compare_refuse(a):
    base = results(a, "modexp")
    doc = load(base)
    w = a.work

    def expect2(path, words, other=base):
        p = compare(a, other, path)
        check(p.returncode == 2, "%s: exit %d, want 2" % (path, p.returncode))
        for word in words:
            check(word in p.stderr, "%s: the message lacks %r" % (path, word))
        check(os.path.basename(path) in p.stderr, "the message does not name %s" % path)
        return p

    no_ctx = copy.deepcopy(doc)
    del no_ctx["context"]["hsbench"]
    save(no_ctx, os.path.join(w, "no-context.json"))
    expect2(os.path.join(w, "no-context.json"), ["context.hsbench"])

    no_bm = copy.deepcopy(doc)
    del no_bm["benchmarks"]
    save(no_bm, os.path.join(w, "no-benchmarks.json"))
    expect2(os.path.join(w, "no-benchmarks.json"), ["benchmarks[]"])

    one = copy.deepcopy(doc)
    one["benchmarks"] = [r for r in doc["benchmarks"]
                         if r.get("run_type") != "iteration" or r.get("repetition_index", 0) == 0]
    save(one, os.path.join(w, "one-rep.json"))
    expect2(os.path.join(w, "one-rep.json"), ["no repetitions"])
    # Either side: the refusal names the file without repetitions.
    p = compare(a, os.path.join(w, "one-rep.json"), base)
    check(p.returncode == 2 and "one-rep.json" in p.stderr, "one-rep.json as A: not refused by name")

    with open(os.path.join(w, "not-json.json"), "w") as f:
        f.write("hsbench: table, not JSON\n")
    expect2(os.path.join(w, "not-json.json"), ["not JSON"])
    expect2(os.path.join(w, "absent.json"), [])

    # plot refuses the same files.
    p = run([script(a, "plot"), os.path.join(w, "no-context.json"), "-o", os.path.join(w, "refused")])
    check(p.returncode == 2 and "context.hsbench" in p.stderr, "plot of a non-result: exit %d" % p.returncode)
    return 0


def case_run_suite(a):
    env = dict(os.environ, HSBENCH=os.path.join(a.work, "no-such-hsbench"))
    p = run([script(a, "run-suite"), "--out", os.path.join(a.work, "rs-none")], env=env)
    check(p.returncode == 2 and "quickstart" in p.stderr and "no-such-hsbench" in p.stderr,
          "run-suite without a binary: exit %d" % p.returncode)
    check(not os.path.exists(os.path.join(a.work, "rs-none")), "run-suite made a folder without a binary")
    p = run([script(a, "run-suite"), "--json", "x.json"])
    check(p.returncode == 2, "run-suite --json: exit %d, want 2" % p.returncode)

    out = os.path.join(a.work, "rs")
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, HSBENCH=a.hsbench)
    p = run([script(a, "run-suite"), "--out", out] + SUITE_ARGS, env=env, timeout=600)
    if p.returncode != 0 and "not built yet" in p.stderr:
        print("SKIP: hsbench suite is not built yet on this branch")
        return SKIP
    check(p.returncode == 0, "run-suite: exit %d" % p.returncode)
    runs = [d for d in os.listdir(out) if os.path.isdir(os.path.join(out, d)) and d != "latest-plots"]
    check(len(runs) == 1, "run-suite: %d run folders, want 1" % len(runs))
    rd = os.path.join(out, runs[0])
    for f in ("result.json", "result.csv", "result.txt"):
        check(os.path.isfile(os.path.join(rd, f)) and os.path.getsize(os.path.join(rd, f)) > 0,
              "run-suite: %s missing or empty" % f)
    with open(os.path.join(rd, "result.json"), "rb") as x, open(os.path.join(out, "latest.json"), "rb") as y:
        check(x.read() == y.read(), "latest.json is not a copy of the run's result.json")
    pngs = sorted(f for f in os.listdir(os.path.join(rd, "plots")) if f.endswith(".png"))
    check(pngs, "run-suite: no plots")
    check(sorted(os.listdir(os.path.join(out, "latest-plots"))) == sorted(os.listdir(os.path.join(rd, "plots"))),
          "latest-plots/ differs from the run's plots/")
    return 0


# The suite at its smallest: what the driver offers to shorten it.
SUITE_ARGS = ["--backend", "openssl", "--duration", "10ms", "--repetitions", "2", "--warmup", "0"]

CASES = {
    "results": case_results,
    "plot": case_plot,
    "compare-same": case_compare_same,
    "compare-planted": case_compare_planted,
    "compare-refuse": case_compare_refuse,
    "run-suite": case_run_suite,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--hsbench", required=True)
    ap.add_argument("--scripts", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    try:
        import matplotlib  # noqa: F401
        import numpy  # noqa: F401
        import scipy.stats  # noqa: F401
    except ImportError as e:
        print("SKIP: %s lacks %s; install python3-matplotlib python3-numpy python3-scipy "
              "(scripts/install-deps)" % (sys.executable, e.name))
        return SKIP
    os.makedirs(a.work, exist_ok=True)
    try:
        return CASES[a.case](a)
    except Failure as e:
        print("FAIL: %s" % e)
        return 1
    except Skipped as e:
        print("SKIP: %s" % e)
        return SKIP


if __name__ == "__main__":
    sys.exit(main())
