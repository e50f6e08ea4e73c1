"""Reading hsbench result files (bench/RESULTS.md) for scripts/plot, compare, run-suite.

Standard library only. Everything here works from the fields the driver writes
(suite, variant, backend, threads, bytes, bits, is_reference, ...): the
path-style benchmark names are identifiers for grouping (run_name), never parsed.
"""

import json
import os
import statistics

# The result fields the scripts read, by the names the C table gives them
# (HSB_VOCAB in bench/measure/hsb_vocab.h: the one list the writers follow;
# bench/RESULTS.md explains each). ctest scripts_vocab fails when one of these is not in that
# table, or when this module, plot or compare reads a name not declared here:
# a field renamed in C must be renamed here too.
ROW_FIELDS = (  # keys of a benchmarks[] entry
    "name", "run_name", "run_type", "repetition_index", "aggregate_name", "error_occurred",
    "suite", "variant", "backend", "threads", "is_reference", "bytes", "bits", "group",
    "time_unit", "real_time", "cpu_time", "items_per_second", "bytes_per_second", "hs_per_s",
    "hs_per_s_per_thread", "cycles_per_item", "cycles_per_byte", "ratio_to_reference",
    "latency_us", "offered_rate")
CONTEXT_FIELDS = ("cpu_model", "topology", "pin")  # keys of context.hsbench
# Not in our table: Google Benchmark's own context keys, and the words of the
# file's structure (the top level, aggregate_name's values, the topology's keys).
GB_CONTEXT_FIELDS = ("date", "host_name", "num_cpus")
STRUCTURE = ("context", "hsbench", "benchmarks", "median", "mean", "min", "max", "cores", "pus")
# Metrics computed from fields: real_time and cpu_time in microseconds.
DERIVED_METRICS = ("time_us", "cpu_time_us")

# Direction of each metric the scripts know: rates are better when higher,
# times and costs when lower.
HIGHER_IS_BETTER = ("hs_per_s", "hs_per_s_per_thread", "bytes_per_second", "items_per_second",
                    "ratio_to_reference")
LOWER_IS_BETTER = ("real_time", "cpu_time", "cycles_per_item", "cycles_per_byte")

# The metric a comparison uses when none is asked for: the first one present.
PRIMARY_METRICS = ("hs_per_s", "bytes_per_second", "items_per_second", "real_time", "cpu_time")

TIME_UNIT_S = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


class NotAResult(Exception):
    """The file is not an hsbench result file; the message says why."""


def higher_is_better(metric):
    if metric in HIGHER_IS_BETTER:
        return True
    if metric in LOWER_IS_BETTER:
        return False
    raise ValueError("unknown metric direction: %s" % metric)


def _number(v):
    # bool is an int in Python; a flag is not a figure.
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class Group:
    """All rows of one benchmark (one run_name): its repetitions and aggregates."""

    def __init__(self, run_name):
        self.run_name = run_name
        self.reps = []  # run_type "iteration", by repetition_index
        self.aggs = {}  # aggregate_name -> row
        self.failed = []  # rows with error_occurred: not measured, no figures

    @property
    def meta(self):
        """A row that carries the benchmark's parameters (first repetition, else an aggregate)."""
        if self.reps:
            return self.reps[0]
        for name in ("median", "mean"):
            if name in self.aggs:
                return self.aggs[name]
        if self.aggs:
            return next(iter(self.aggs.values()))
        return self.failed[0]

    def field(self, key, default=None):
        return self.meta.get(key, default)

    @property
    def suite(self):
        return self.field("suite")

    @property
    def variant(self):
        return self.field("variant")

    @property
    def backend(self):
        return self.field("backend", "?")

    @property
    def threads(self):
        t = self.field("threads", 1)
        return int(t) if _number(t) else 1

    @property
    def is_reference(self):
        return self.field("is_reference") is True

    def values(self, metric):
        """The per-repetition values of a metric (absent ones left out)."""
        out = []
        for r in self.reps:
            v = metric_value(r, metric)
            if v is not None:
                out.append(v)
        return out

    def summary(self, metric):
        """(median, min, max, n) of a metric over the repetitions, or None.

        Without repetition rows, falls back to the median/min/max aggregates the
        driver wrote (n = 0 then: no repetitions were available to us).
        """
        vals = self.values(metric)
        if vals:
            return statistics.median(vals), min(vals), max(vals), len(vals)
        med = self.aggs.get("median")
        v = metric_value(med, metric) if med else None
        if v is None:
            return None
        lo = metric_value(self.aggs["min"], metric) if "min" in self.aggs else None
        hi = metric_value(self.aggs["max"], metric) if "max" in self.aggs else None
        return v, (v if lo is None else lo), (v if hi is None else hi), 0

    def has(self, metric):
        return self.summary(metric) is not None


def metric_value(row, metric):
    """A number from a row: a top-level field, 'latency_us.p99' style sub-fields,
    or 'time_us' / 'cpu_time_us' (real_time / cpu_time converted from time_unit)."""
    if metric in ("time_us", "cpu_time_us"):
        key = "real_time" if metric == "time_us" else "cpu_time"
        v = row.get(key)
        unit = TIME_UNIT_S.get(row.get("time_unit", "ns"))
        if not _number(v) or unit is None:
            return None
        return float(v) * unit * 1e6
    if "." in metric:
        outer, inner = metric.split(".", 1)
        sub = row.get(outer)
        v = sub.get(inner) if isinstance(sub, dict) else None
    else:
        v = row.get(metric)
    return float(v) if _number(v) else None


class Result:
    """One result file."""

    def __init__(self, path, doc):
        self.path = path
        self.doc = doc
        self.context = doc["context"]
        self.hsb = self.context["hsbench"]
        self.label = os.path.splitext(os.path.basename(path))[0]
        self._groups = None

    def groups(self):
        """run_name -> Group, in the order of the file."""
        if self._groups is None:
            groups = {}
            for row in self.doc["benchmarks"]:
                if not isinstance(row, dict):
                    continue
                rn = row.get("run_name") or row.get("name")
                if rn is None:
                    continue
                g = groups.setdefault(rn, Group(rn))
                if row.get("error_occurred") is True:
                    g.failed.append(row)
                elif row.get("run_type", "iteration") == "aggregate":
                    g.aggs[row.get("aggregate_name", "?")] = row
                else:
                    g.reps.append(row)
            for g in groups.values():
                g.reps.sort(key=lambda r: r.get("repetition_index", 0))
            self._groups = groups
        return self._groups

    def suite_groups(self, suite):
        return [g for g in self.groups().values() if g.suite == suite]

    def date(self):
        """The run's date as 'YYYY-MM-DD HH:MM' (from context.date, ISO 8601)."""
        d = str(self.context.get("date", ""))
        return d[:16].replace("T", " ") if d else "date unknown"

    def host(self):
        return str(self.context.get("host_name", "host unknown"))

    def machine(self):
        """One line that says where and how the run was made."""
        parts = [str(self.hsb.get("cpu_model", "CPU unknown")).strip()]
        topo = self.hsb.get("topology")
        if isinstance(topo, dict) and topo.get("cores") is not None:
            parts.append("%s cores / %s PUs" % (topo.get("cores"), topo.get("pus", "?")))
        elif self.context.get("num_cpus") is not None:
            parts.append("%s CPUs" % self.context["num_cpus"])
        parts.append("pin=%s" % self.hsb.get("pin", "?"))
        parts.append(self.host())
        parts.append(self.date())
        return ", ".join(parts)


def load(path):
    """Read and check a result file; raises NotAResult (with the reason) or OSError."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except ValueError as e:
        raise NotAResult("%s: not JSON (%s)" % (path, e)) from None
    if not isinstance(doc, dict):
        raise NotAResult("%s: not an hsbench result (the top level is not an object)" % path)
    ctx = doc.get("context")
    if not isinstance(ctx, dict) or not isinstance(ctx.get("hsbench"), dict):
        raise NotAResult("%s: not an hsbench result (no context.hsbench)" % path)
    if not isinstance(doc.get("benchmarks"), list):
        raise NotAResult("%s: not an hsbench result (no benchmarks[])" % path)
    return Result(path, doc)


def set_labels(results):
    """Give each result a distinct, short label: the file name, else host and date,
    else the file's folder and name."""
    def distinct(labels):
        return len(set(labels)) == len(labels)

    stems = [os.path.splitext(os.path.basename(r.path))[0] for r in results]
    if distinct(stems):
        labels = stems
    else:
        labels = ["%s %s" % (r.host(), r.date()) for r in results]
        if not distinct(labels):
            labels = [os.path.join(os.path.basename(os.path.dirname(os.path.abspath(r.path))), s)
                      for r, s in zip(results, stems)]
        if not distinct(labels):
            labels = ["%s #%d" % (s, i + 1) for i, s in enumerate(stems)]
    for r, l in zip(results, labels):
        r.label = l
