#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's in-VM half (scripts/bench.sh runs it; not a test): the same
# workload in rounds, each round in four configurations one after the other
# so drift hits them alike: enforcer not loaded; loaded, container
# unprotected; loaded, container registered by `ecictl container add` (what
# eci-ctr does: one more process per start); loaded, container protected by a
# subtree (no call at all). Prints "BENCH CONFIG NAME NS" lines.
. "$(dirname "$0")/lib.sh"

N=${ECI_BENCH_N:-10000}
ROUNDS=${ECI_BENCH_ROUNDS:-5}
for r in $(seq "$ROUNDS"); do
	for cfg in none unprotected protected subtree; do
		if [ $cfg = none ]; then
			enforcer_loaded && ecictl unload >/dev/null
		else
			enforcer_loaded || enforcer_load >/dev/null
		fi
		opt=
		[ $cfg = protected ] || opt=--unprotected
		[ $cfg = subtree ] && ecictl subtree add /eci >/dev/null
		eci-ctr $opt --name "b$r$cfg" -- ecibench "$N" | sed "s/^/BENCH $cfg /"
		t=$(ecibench time eci-ctr $opt --name "s$r$cfg" -- true)
		echo "BENCH $cfg container_start $t"
		[ $cfg = subtree ] && ecictl subtree rm /eci >/dev/null
	done
done
echo "ECI-TEST PASS bench/ran $ROUNDS rounds"
