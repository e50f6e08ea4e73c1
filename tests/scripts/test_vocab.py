#!/usr/bin/python3
"""scripts/hsb_results.py follows the results vocabulary (bench/measure/hsb_vocab.h).

usage: test_vocab.py --table PROGRAM --scripts DIR

PROGRAM --list prints the C table ("row|context|csv NAME TYPE [UNIT]" per line;
tests/bench/test_results_vocab). Fails when a field hsb_results.py declares is
not in the table (a field renamed in C but not in the script), when a metric it
names is not a declared field, or when hsb_results.py, plot or compare read a
name they do not declare. Standard library only.
"""

import argparse
import ast
import os
import subprocess
import sys

# Calls whose string argument is a field name, and which argument it is.
FIELD_ARG = {"get": 0, "field": 0, "summary": 0, "has": 0, "values": 0, "metric_value": 1}


def table(program):
    out = subprocess.run([program, "--list"], capture_output=True, text=True, check=True).stdout
    names = {"row": set(), "context": set(), "csv": set()}
    for line in out.splitlines():
        where, name = line.split()[:2]
        names[where].add(name)
    if not names["row"] or not names["context"]:
        raise SystemExit("FAIL: %s --list printed no table:\n%s" % (program, out))
    return names


def literal(node):
    """The string a field argument names: "x", or the "x." of "x." + p."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return literal(node.left)
    return None


def names_read(path, subscripts):
    """(line, name) of every field name the file reads by a literal: in the
    calls of FIELD_ARG and, when `subscripts`, in x["name"]."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    found = []
    for node in ast.walk(tree):
        arg = None
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
            k = FIELD_ARG.get(name)
            if k is not None and len(node.args) > k:
                arg = node.args[k]
        elif subscripts and isinstance(node, ast.Subscript):
            arg = node.slice
        s = literal(arg) if arg is not None else None
        if s:
            found.append((node.lineno, s.split(".", 1)[0]))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--table", required=True)
    ap.add_argument("--scripts", required=True)
    a = ap.parse_args()
    t = table(a.table)
    sys.path.insert(0, a.scripts)
    import hsb_results as hr

    errors = []
    for name in hr.ROW_FIELDS:
        if name not in t["row"]:
            errors.append("hsb_results.ROW_FIELDS names '%s'; the C table has no such "
                          "benchmarks[] field" % name)
    for name in hr.CONTEXT_FIELDS:
        if name not in t["context"]:
            errors.append("hsb_results.CONTEXT_FIELDS names '%s'; the C table has no such "
                          "context.hsbench field" % name)
    metrics = set(hr.ROW_FIELDS) | set(hr.DERIVED_METRICS)
    for m in hr.HIGHER_IS_BETTER + hr.LOWER_IS_BETTER + hr.PRIMARY_METRICS:
        if m not in metrics:
            errors.append("hsb_results names the metric '%s', not a declared field" % m)
    known = (metrics | set(hr.CONTEXT_FIELDS) | set(hr.GB_CONTEXT_FIELDS) | set(hr.STRUCTURE))
    # The scripts' own dicts (compare's result rows) use subscripts: only
    # hsb_results.py's subscripts are result fields.
    for script, subscripts in (("hsb_results.py", True), ("plot", False), ("compare", False)):
        path = os.path.join(a.scripts, script)
        for line, name in names_read(path, subscripts):
            if name not in known:
                errors.append("%s:%d reads '%s', which hsb_results.py does not declare"
                              % (script, line, name))
    for e in errors:
        print("FAIL: " + e)
    if errors:
        return 1
    print("ok: %d row and %d context fields of hsb_results.py are in the C table"
          % (len(hr.ROW_FIELDS), len(hr.CONTEXT_FIELDS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
