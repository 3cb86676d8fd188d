#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's Podman part (not a test; run it with
# ECI_TESTS=bench scripts/eci-vm --podman --test): what eci adds to
# `podman run --rm eci-test true`, with crun and with runc. Configurations,
# taking turns in each round:
#   none  enforcer not loaded, no hook (an empty hooks directory)
#   eci   the boot's setup: enforcer loaded, the eci hook registering each
#         container at precreate
# Output lines: PODMAN RUNTIME CONFIG container_start NS (one podman run).
. "$(dirname "$0")/lib.sh"

ROUNDS=${ECI_BENCH_PODMAN_ROUNDS:-5}
STARTS=${ECI_BENCH_STARTS:-3}

echo "INFO podman: $(podman --version), crun $(crun --version | head -n1), $(runc --version | head -n1), $ROUNDS rounds, $STARTS runs per round"
for r in $(seq "$ROUNDS"); do
	for cfg in $(rotated "$r" none eci); do
		case $cfg in
		none) ! enforcer_loaded || eci_off; opts=$NOHOOK ;;
		eci) enforcer_loaded || eci_on || fail "bench: load the enforcer" "init script failed"; opts= ;;
		esac
		for rt in $RUNTIMES; do
			i=0
			while [ $i -lt "$STARTS" ]; do
				# shellcheck disable=SC2086 # opts are words
				if t=$(ecibench time podman $opts run --rm --runtime $rt eci-test true); then
					echo "PODMAN $rt $cfg container_start $t"
				else
					echo "INFO podman: a podman run failed ($rt, $cfg, round $r): not counted"
				fi
				i=$((i + 1))
			done
		done
	done
done
enforcer_loaded || eci_on
echo "ECI-TEST PASS bench/podman ran $ROUNDS rounds"
