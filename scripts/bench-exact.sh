#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-exact: scripts/bench.sh --exact twice (QEMU counting
# instructions: guest time is executed instructions, so a ratio does not
# depend on the host's load), then, for each hot path, both runs' ratios to
# no enforcer and how far apart they are (scripts/bench-exact.awk); the
# targets are judged on the two runs' mean. Each run is a VM boot of its own
# (then a Docker one): ECI_BENCH_PARALLEL=1 runs the two at once (through
# /work/helpers/vmslot-like wrappers, if ECI_BENCH_WRAP names one);
# ECI_BENCH_DOCKER=0 leaves the Docker halves out (scripts/bench.sh).
# Writes build/bench-exact.txt; the runs' own files are build/bench-exact-[12].*.
set -eu
cd "$(dirname "$0")/.."
wrap=${ECI_BENCH_WRAP:-}
run() { $wrap scripts/bench.sh --exact --raw "build/bench-exact-$1.raw" --out "build/bench-exact-$1.txt" >/dev/null; }
if [ "${ECI_BENCH_PARALLEL:-0}" = 1 ]; then
	run 1 &
	p1=$!
	# The second starts once the first has built the VM's initramfs.
	sleep 60
	run 2 &
	p2=$!
	s=0
	wait $p1 || s=1
	wait $p2 || s=1
	[ $s = 0 ] || { echo "bench-exact: a run failed (build/bench-exact-[12].raw)" >&2; exit 1; }
else
	run 1
	run 2
fi
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || rev="$rev+changes"
{
	echo "eci bench-exact, $(date -u +%Y-%m-%d), eci $rev, QEMU TCG -icount shift=0,sleep=off, 1 vCPU"
	grep -h '^INFO kernel' build/bench-exact-1.raw | sed 's/^INFO //' | head -n1
	tr -d '\r' <build/bench-exact-1.raw >build/bench-exact-1.lines
	tr -d '\r' <build/bench-exact-2.raw >build/bench-exact-2.lines
	awk -f scripts/bench-exact.awk build/bench-exact-1.lines build/bench-exact-2.lines
} | tee build/bench-exact.txt
