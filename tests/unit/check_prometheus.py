#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Strict check of eci's Prometheus exposition (text format 0.0.4):
# prometheus_client's own parser must accept it (Debian's
# python3-prometheus-client), and every line must also pass eci's rules,
# stricter than the parser: HELP then TYPE before a family's samples, the
# family's samples together, no duplicate series, eci_ names, counters
# ending in _total with non-negative values, seconds rather than
# nanoseconds, known label names only (never Kubernetes' "container"), valid
# escapes, a final newline. Then Prometheus' own linter, `promtool check
# metrics` (Debian's prometheus package), must find nothing.
# usage: check_prometheus.py FILE   (exit 1 and one reason per problem)
import math
import re
import shutil
import subprocess
import sys

from prometheus_client.parser import text_string_to_metric_families

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
LABEL = r"([a-zA-Z_][a-zA-Z0-9_]*)=(" + LABEL_VALUE + r")"
SAMPLE = re.compile(
    r"^(" + NAME + r")(?:\{(" + LABEL + r"(?:," + LABEL + r")*)\})? (\S+)$")
LABELS = {"eci_container", "cgroup_id", "hook", "class", "verdict", "map", "version", "program"}


def check(text):
    errs = []
    if not text.endswith("\n"):
        errs.append("the text does not end with a newline")
    help_, type_, seen_series, done = {}, {}, set(), set()
    current = None
    for n, line in enumerate(text.splitlines(), 1):
        where = "line %d (%s)" % (n, line[:80])
        if line.startswith("# HELP "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not parts[3].strip():
                errs.append(where + ": HELP without text")
                continue
            name = parts[2]
            if name in help_:
                errs.append(where + ": second HELP for " + name)
            help_[name] = n
            if current and current != name:
                done.add(current)
            current = name
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in ("counter", "gauge"):
                errs.append(where + ": TYPE must be counter or gauge")
                continue
            name = parts[2]
            if name not in help_ or help_[name] != n - 1:
                errs.append(where + ": TYPE not right after its HELP")
            if name in type_:
                errs.append(where + ": second TYPE for " + name)
            type_[name] = parts[3]
            if not name.startswith("eci_"):
                errs.append(where + ": name without the eci_ prefix")
            if parts[3] == "counter" and not name.endswith("_total"):
                errs.append(where + ": a counter not ending in _total")
            if parts[3] == "gauge" and name.endswith("_total"):
                errs.append(where + ": a gauge ending in _total")
            if re.search(r"(_ns|nanoseconds|_ms|milliseconds)(_total)?$", name):
                errs.append(where + ": times must be in seconds")
            continue
        if not line or line.startswith("#"):
            errs.append(where + ": blank line or unknown comment")
            continue
        m = SAMPLE.match(line)
        if not m:
            errs.append(where + ": not a valid sample line")
            continue
        name, labels, value = m.group(1), m.group(2), m.group(m.lastindex)
        if name != current or name not in type_:
            errs.append(where + ": sample outside its family's HELP/TYPE block")
        if name in done:
            errs.append(where + ": family's samples are not together")
        pairs = re.findall(LABEL, labels or "")
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            errs.append(where + ": a label twice")
        for k in keys:
            if k not in LABELS:
                errs.append(where + ": unknown label " + k)
        series = (name, tuple(sorted(pairs)))
        if series in seen_series:
            errs.append(where + ": duplicate series")
        seen_series.add(series)
        try:
            v = float(value)
        except ValueError:
            errs.append(where + ": value is not a number")
            continue
        if math.isnan(v) or math.isinf(v):
            errs.append(where + ": value is not finite")
        if type_.get(name) == "counter" and v < 0:
            errs.append(where + ": negative counter")
    for name in help_:
        if name not in type_:
            errs.append("family %s has HELP but no TYPE" % name)
    # The reference parser, last: it must accept the whole text.
    try:
        families = list(text_string_to_metric_families(text))
        if not families:
            errs.append("the parser found no metric family")
    except Exception as e:  # the parser raises ValueError and friends
        errs.append("prometheus_client's parser refused it: %s" % e)
    # Prometheus' linter: naming (units, _total, _info), HELP text.
    promtool = shutil.which("promtool")
    if not promtool:
        errs.append("promtool is missing (Debian's prometheus package; scripts/deps.sh)")
    else:
        r = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        if r.returncode != 0:
            errs.append("promtool check metrics: %s" %
                        r.stdout.decode(errors="replace").strip().replace("\n", "; "))
    return errs


def main():
    if len(sys.argv) != 2:
        print("usage: check_prometheus.py FILE", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    errs = check(text)
    for e in errs[:20]:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
