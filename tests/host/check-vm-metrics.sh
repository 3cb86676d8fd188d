#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The metrics `ecictl daemon` served in the VM (tests/vm/70-observe.sh echoes
# them as "ECI-METRICS <line>" into build/vm/test-results-K.log, K the
# kernel: $KERNEL, else 6.12), through the strict parser
# tests/unit/check_prometheus.py. Run after the VM suite.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
res=${1:-$top/build/vm/test-results-${KERNEL:-6.12}.log}
name="VM metrics: what ecictl daemon served passes the strict Prometheus parser"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed -n 's/\r$//; s/^ECI-METRICS //p' "$res" 2>/dev/null >"$tmp"
if [ ! -s "$tmp" ]; then
	echo "FAIL $name: no ECI-METRICS lines in $res (did 70-observe run?)"
	exit 1
fi
if out=$("$top/tests/unit/check_prometheus.py" "$tmp" 2>&1); then
	echo "PASS $name ($(grep -vc '^#' "$tmp") samples)"
else
	echo "FAIL $name: $(printf '%s' "$out" | head -n 5 | tr '\n' ' ')"
	exit 1
fi
