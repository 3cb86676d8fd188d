#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the VM once and measure the enforcer's cost
# (tests/vm/bench.sh), side by side with no enforcer and with mount/umount
# trapped to a seccomp user-notify supervisor (ECI's mechanism): hot paths,
# mount vetting, container start, trap events under a flood; then boot the
# Docker VM (tests/vm-docker/bench.sh) for mounts and start under docker
# run. Prints the report (scripts/bench-report.awk) and writes it to
# build/bench.txt; the raw lines are in build/bench.raw.
#
# TCG emulation inflates absolute times; the ratios, from one run, are what
# count. Environment: ECI_BENCH_N (iterations, default 4000),
# ECI_BENCH_ROUNDS (default 10), ECI_BENCH_BATCHES (timed batches of N per
# benchmark, the best one counts; default 3), ECI_BENCH_STARTS (container
# starts per configuration and round, default 3), ECI_BENCH_FLOOD_SECONDS (default 5),
# ECI_BENCH_FLOOD_CONTAINERS (default 6), ECI_BENCH_DOCKER_ROUNDS (default 5),
# ECI_BENCH_DOCKER=0 (no Docker half: the hot paths, runc's start and the
# mounts only).
#
# --exact (make bench-exact runs it twice): QEMU counts instructions
# (-icount shift=0,sleep=off, one vCPU), so guest time is executed
# instructions, one per ns, and idle time is skipped: a ratio is the same
# from run to run and the host's load changes only how long it takes. Fewer
# rounds (2) of 5 batches, no flood, and no address-space randomization in
# the VM (ECI_BENCH_NO_ASLR: where a process's mappings fall decides how many
# page tables a fork copies, and so its cost, by up to 7 % from one process to
# the next; 0.5 % without it); --raw FILE and --out FILE keep each run's own
# files.
set -eu
cd "$(dirname "$0")/.."
out=build/bench.txt
raw=build/bench.raw
env=build/eci-bench.env
exact=0
while [ $# -gt 0 ]; do
	case $1 in
	--exact) exact=1 ;;
	--raw) raw=$2; shift ;;
	--out) out=$2; shift ;;
	*) echo "usage: scripts/bench.sh [--exact] [--raw FILE] [--out FILE]" >&2; exit 2 ;;
	esac
	shift
done
clock="QEMU TCG"
if [ $exact = 1 ]; then
	export ECI_VM_QEMU="-accel tcg -cpu max -smp 1 -icount shift=0,sleep=off"
	export ECI_BENCH_ROUNDS=${ECI_BENCH_ROUNDS:-2} ECI_BENCH_STARTS=${ECI_BENCH_STARTS:-2}
	export ECI_BENCH_DOCKER_ROUNDS=${ECI_BENCH_DOCKER_ROUNDS:-2} ECI_BENCH_FLOOD_SECONDS=0
	export ECI_BENCH_BATCHES=${ECI_BENCH_BATCHES:-5} ECI_BENCH_NO_ASLR=1
	clock="QEMU TCG, icount shift=0 sleep=off (1 instruction = 1 ns), 1 vCPU"
fi

rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || rev="$rev+changes"
# The VM sees only what is passed in: the settings go as a file.
env | grep '^ECI_BENCH_[A-Z_]*=[0-9.]*$' >"$env" || true

ECI_TESTS=bench ECI_TEST_TIMEOUT=3500 scripts/eci-vm --test --timeout 3600 --add "$env" >"$raw" 2>&1 || {
	echo "bench: the VM run failed; its output is in $raw" >&2
	tail -n 20 "$raw" >&2
	exit 1
}
grep -q '^BENCH ' "$raw" || { echo "bench: no measurements in $raw" >&2; exit 1; }
# The Docker half boots the VM with the engine (issue 9): mounts and
# container start under `docker run`.
if [ "${ECI_BENCH_DOCKER:-1}" != 0 ]; then
	ECI_TESTS=bench ECI_TEST_TIMEOUT=3500 scripts/eci-vm --docker --test --timeout 3600 \
		--add "$env" >>"$raw" 2>&1 || {
		echo "bench: the Docker VM run failed; its output is in $raw" >&2
		tail -n 20 "$raw" >&2
		exit 1
	}
	grep -q '^DOCKER ' "$raw" || { echo "bench: no Docker measurements in $raw" >&2; exit 1; }
fi

{
	echo "eci benchmark, $(date -u +%Y-%m-%d), eci $rev, $clock"
	tr -d '\r' <"$raw" | awk -f scripts/bench-report.awk
} | tee "$out"
