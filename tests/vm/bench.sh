#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's in-VM half (scripts/bench.sh runs it; not a test). The same
# workload in rounds, each round in every configuration one after the other
# so drift hits them alike:
#   none         enforcer not loaded
#   seccomp      enforcer not loaded; the workload under ecinotify, a seccomp
#                user-notify supervisor trapping mount/umount2 (Sysbox's way)
#   unprotected  enforcer loaded, container not protected
#   protected    enforcer loaded, container registered by `ecictl container
#                add` before it starts (what eci-ctr does: one more process;
#                ecictl_add times that process alone, with its `rm`)
#   subtree      enforcer loaded, container protected by a subtree (no call)
# (each round starting one configuration further), then trap events under a flood. Output lines (scripts/bench.sh reads them):
#   BENCH CONFIG NAME NS      one measurement
#   NOTIFY SEEN EXPECTED      mount/umount2 calls the supervisor saw, of those made
#   EVENTS SCENARIO K=V...    a flood's figures
#   PROG CONFIG OP PROGRAM RUNS NS  per operation OP: runs of PROGRAM, its run time
#   INFO TEXT                 what was measured (programs attached, hook calls)
. "$(dirname "$0")/lib.sh"

bench_settings
# Many short rounds rather than a few long ones: other VMs on the machine
# come and go, and the configurations should take turns faster than they do.
N=${ECI_BENCH_N:-4000}
ROUNDS=${ECI_BENCH_ROUNDS:-10}
BATCHES=${ECI_BENCH_BATCHES:-3}
STARTS=${ECI_BENCH_STARTS:-3}
FLOOD_SECONDS=${ECI_BENCH_FLOOD_SECONDS:-5}
FLOOD_CONTAINERS=${ECI_BENCH_FLOOD_CONTAINERS:-6}

status_hooks() { ecictl status | awk '/^hooks:/ { on = 1; next } on && NF == 4 { print $1, $2 }'; }
state_field() { ecictl status | awk -v f="$1" '/^state:/ { print $f }'; }
denials() { ecictl status | awk -v h="$1" '$1 == h { print $3 }'; }

echo "INFO kernel $(uname -r), $(nproc) CPUs, $N iterations, $BATCHES batches, $ROUNDS rounds, $STARTS starts per round"
enforcer_loaded || enforcer_load >/dev/null
echo "INFO programs attached: $(ecictl status | awk '/^programs:/ { on = 1; next } on && /^  / { printf "%s ", $1 } on && /^[a-z]/ { on = 0 }')"

CONFIGS="none seccomp unprotected protected subtree"
for r in $(seq "$ROUNDS"); do
	for cfg in $(rotated "$r" $CONFIGS); do
		case $cfg in
		none | seccomp) ! enforcer_loaded || ecictl unload >/dev/null ;;
		*) enforcer_loaded || enforcer_load >/dev/null ;;
		esac
		opt=
		[ $cfg = protected ] || opt=--unprotected
		[ $cfg = subtree ] && ecictl subtree add /eci >/dev/null
		[ $cfg = protected ] && [ "$r" = 1 ] && status_hooks >/tmp/hooks.before
		if [ $cfg = seccomp ]; then
			# Only the mount benchmarks: the filter is there for them, and
			# the hot paths would pay its (small) cost on every call.
			eci-ctr --unprotected --name "b$r$cfg" -- ecinotify ecibench -b "$BATCHES" "$N" \
				mount_tmpfs mount_bind >/tmp/seccomp.out 2>&1
			seccomp_report BENCH NOTIFY $cfg "$N" "$BATCHES" /tmp/seccomp.out
			continue
		fi
		eci-ctr $opt --name "b$r$cfg" -- ecibench -b "$BATCHES" "$N" | sed "s/^/BENCH $cfg /"
		if [ $cfg = protected ] && [ "$r" = 1 ]; then
			calls=$(status_hooks | awk 'NR == FNR { b[$1] = $2; next } $2 - b[$1] > 0 {
				printf "%s %d, ", $1, $2 - b[$1] }' /tmp/hooks.before -)
			echo "INFO hook counters (calls past each program's fast path), one protected container running ecibench, start included: ${calls%, }"
		fi
		i=0
		while [ $i -lt "$STARTS" ]; do
			t=$(ecibench time eci-ctr $opt --name "s$r$cfg$i" -- true)
			echo "BENCH $cfg container_start $t"
			i=$((i + 1))
		done
		if [ $cfg = protected ]; then
			# The part of a protected start that is eci's own process.
			mkdir -p /sys/fs/cgroup/eci/add$r
			t=$(ecibench time sh -c "ecictl container add /eci/add$r >/dev/null && ecictl container rm /eci/add$r >/dev/null")
			echo "BENCH protected ecictl_add $t"
			rmdir /sys/fs/cgroup/eci/add$r
		fi
		[ $cfg = subtree ] && ecictl subtree rm /eci >/dev/null
	done
done

# Each program's own cost, from the kernel's BPF statistics: per workload,
# how often each program ran per operation and what it cost per operation
# (ns: guest time, instructions under bench-exact's icount). Measured apart
# from the rounds above, since the statistics add two clock reads to every
# run. A container running `true` is the baseline: what its start and exit
# ran is taken off.
progs() { ecictl stats | awk '/^PROGRAM/ { on = 1; next } on && NF == 0 { exit } on { print $1, $2, $3 }'; }
# prog_delta CFG OP OPS: the programs' runs between /tmp/p0 and /tmp/p1, less
# the baseline's (/tmp/pb), per operation.
prog_delta() {
	awk -v cfg="$1" -v op="$2" -v ops="$3" '
		FILENAME == "/tmp/pb" { bc[$1] = $2; bt[$1] = $3; next }
		FILENAME == "/tmp/p0" { c0[$1] = $2; t0[$1] = $3; next }
		{ c = $2 - c0[$1] - bc[$1]; t = $3 - t0[$1] - bt[$1]
		  if (c > 0 && t > 0) printf "PROG %s %s %s %.3f %.1f\n", cfg, op, $1, c / ops, t / ops }' \
		/tmp/pb /tmp/p0 /tmp/p1
}
if [ "${ECI_BENCH_PROGS:-1}" = 1 ]; then
	enforcer_loaded || enforcer_load >/dev/null
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	for cfg in unprotected protected; do
		opt=
		[ $cfg = protected ] || opt=--unprotected
		progs >/tmp/p0
		eci-ctr $opt --name "pb$cfg" -- true
		progs >/tmp/p1
		awk 'NR == FNR { c[$1] = $2; t[$1] = $3; next } { print $1, $2 - c[$1], $3 - t[$1] }' \
			/tmp/p0 /tmp/p1 >/tmp/pb
		for op in open_close stat capable fork_exit fork_execve mount_tmpfs mount_bind; do
			# 3 batches, spelled out: ops counts what they run.
			case $op in fork_* | mount_*) ops=$((3 * (N / 50))) ;; *) ops=$((3 * N)) ;; esac
			progs >/tmp/p0
			eci-ctr $opt --name "p$cfg$op" -- ecibench -b 3 "$N" $op >/dev/null
			progs >/tmp/p1
			prog_delta $cfg $op $ops
		done
	done
	echo 0 >/proc/sys/kernel/bpf_stats_enabled
fi

[ "$FLOOD_SECONDS" = 0 ] && { echo "ECI-TEST PASS bench/ran $ROUNDS rounds"; exit 0; }
# Trap events. A protected container opening /dev/mem in a loop: every open
# is a denial; its events are held to the per-container rate, the rest are
# counted as throttled, and with no reader the ring buffer fills (dropped).
enforcer_loaded || enforcer_load >/dev/null
# flood SCENARIO CONTAINERS FOLLOW: run CONTAINERS floods at once; with
# FOLLOW=1 `ecictl events --follow` reads all along, else only afterwards.
flood() {
	ecictl events >/dev/null
	d0=$(denials file_open) dr0=$(state_field 5) th0=$(state_field 9)
	rm -f /tmp/flood.json
	rd=
	if [ "$3" = 1 ]; then
		ecictl events --follow >/tmp/flood.json &
		rd=$!
	fi
	i=0 cmd=
	while [ $i -lt "$2" ]; do
		cmd="$cmd eci-ctr --name f$1$i -- ecibench flood $FLOOD_SECONDS >/tmp/flood$i.out 2>&1 &"
		i=$((i + 1))
	done
	wall=$(ecibench time sh -c "$cmd wait")
	if [ -n "$rd" ]; then
		sleep 1
		kill "$rd"
		wait "$rd"
	else
		ecictl events >/tmp/flood.json
	fi
	ev=$(grep -c "\"container\":\"f$1" /tmp/flood.json)
	first=$(grep -o '"time_ns":[0-9]*' /tmp/flood.json | head -n1 | cut -d: -f2)
	last=$(grep -o '"time_ns":[0-9]*' /tmp/flood.json | tail -n1 | cut -d: -f2)
	opens=$(cat /tmp/flood[0-9]*.out | awk '$1 == "flood" { s += $2 } END { print s + 0 }')
	echo "EVENTS $1 containers=$2 reader=$([ "$3" = 1 ] && echo following || echo after) seconds=$FLOOD_SECONDS" \
		"wall_ns=$wall opens=$opens denials=$(($(denials file_open) - d0)) events=$ev" \
		"span_ns=$((${last:-0} - ${first:-0})) throttled=$(($(state_field 9) - th0))" \
		"dropped=$(($(state_field 5) - dr0))"
	rm -f /tmp/flood[0-9]*.out
}
flood one 1 1
flood many "$FLOOD_CONTAINERS" 1
flood noreader "$FLOOD_CONTAINERS" 0
echo "ECI-TEST PASS bench/ran $ROUNDS rounds"
