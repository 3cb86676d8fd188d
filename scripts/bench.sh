#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the VM once and measure the enforcer's cost on the hot
# paths its hooks sit on and on container start, in rounds that alternate
# four configurations (tests/vm/bench.sh): no enforcer; enforcer with the
# container unprotected; protected by `ecictl container add`; protected by a
# subtree. Prints the medians and their ratios to the no-enforcer run, and
# writes them to build/bench.txt.
#
# TCG emulation inflates absolute times; the ratios, from one run, are what
# count. Environment: ECI_BENCH_N (iterations, default 10000),
# ECI_BENCH_ROUNDS (default 5).
set -eu
cd "$(dirname "$0")/.."
out=build/bench.txt
raw=build/bench.raw

ECI_TESTS=bench ECI_TEST_TIMEOUT=1700 scripts/eci-vm --test --timeout 1800 >"$raw" 2>&1 || {
	echo "bench: the VM run failed; its output is in $raw" >&2
	tail -n 20 "$raw" >&2
	exit 1
}
grep -q '^BENCH ' "$raw" || { echo "bench: no measurements in $raw" >&2; exit 1; }

{
	echo "eci benchmark, $(date -u +%Y-%m-%d), kernel $(ls build/vm/kernel/root/lib/modules | head -n1), QEMU TCG"
	echo "median ns per operation over $(grep -c '^BENCH none open_close' "$raw") rounds; ratio = with / without the enforcer"
	echo
	grep '^BENCH ' "$raw" | awk '
	function median(key,   n, i, j, t, a) {
		n = split(vals[key], a, " ")
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		vals[$2 " " $3] = vals[$2 " " $3] " " $4
		if (!($3 in seen)) { seen[$3] = 1; order[++m] = $3 }
	}
	END {
		printf "%-16s %13s %13s %13s %13s %9s %9s %9s\n", "operation", "no enforcer",
			"unprotected", "protected", "subtree", "unprot", "prot", "subtree"
		for (i = 1; i <= m; i++) {
			o = order[i]
			a = median("none " o); b = median("unprotected " o)
			c = median("protected " o); d = median("subtree " o)
			printf "%-16s %13.0f %13.0f %13.0f %13.0f %8.3fx %8.3fx %8.3fx\n", o, a, b, c, d,
				b / a, c / a, d / a
		}
	}'
} | tee "$out"
