#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's Docker half (scripts/bench.sh runs it after tests/vm/bench.sh;
# not a test): what mount vetting and container start cost under `docker run`,
# the way ECI's users start containers. Configurations, taking turns in each
# round as in the runc half:
#   none     enforcer not loaded (eci-runc passes straight to runc)
#   seccomp  enforcer not loaded; the workload under ecinotify, a seccomp
#            user-notify supervisor trapping mount/umount2 (Sysbox's way)
#   eci      the boot's setup: enforcer loaded, /docker protected, each
#            container registered by eci-runc
# Every container is `docker run --rm --privileged eci-test ...`.
# Output lines (scripts/bench-report.awk reads them):
#   DOCKER CONFIG NAME NS     one measurement (mount_tmpfs, mount_bind:
#                             ns per mount+umount; container_start: ns per
#                             docker run --rm ... true)
#   API direct|proxy NAME NS  an engine API call (GET /version) from the VM on
#                             dockerd's socket or through eci's proxy (eci
#                             rounds: api_call keep-alive, api_conn one
#                             connection each)
#   DNOTIFY SEEN EXPECTED     mount/umount2 calls the supervisor saw, of those made
. "$(dirname "$0")/lib.sh"

bench_settings
N=${ECI_BENCH_N:-4000}
ROUNDS=${ECI_BENCH_DOCKER_ROUNDS:-5}
BATCHES=${ECI_BENCH_BATCHES:-3}
STARTS=${ECI_BENCH_STARTS:-3}
API_N=${ECI_BENCH_API_N:-200}

echo "INFO docker: $(dockerd --version), $ROUNDS rounds, $STARTS docker runs per round"
CONFIGS="none seccomp eci"
for r in $(seq "$ROUNDS"); do
	for cfg in $(rotated "$r" $CONFIGS); do
		case $cfg in
		none | seccomp) ! enforcer_loaded || eci_off ;;
		eci) enforcer_loaded || eci_on || fail "bench: load the enforcer" "init script failed" ;;
		esac
		if [ $cfg = seccomp ]; then
			docker run --rm --privileged eci-test ecinotify ecibench -b "$BATCHES" "$N" \
				mount_tmpfs mount_bind >/tmp/seccomp.out 2>&1
			seccomp_report DOCKER DNOTIFY $cfg "$N" "$BATCHES" /tmp/seccomp.out
			continue
		fi
		docker run --rm --privileged eci-test ecibench -b "$BATCHES" "$N" mount_tmpfs mount_bind 2>&1 |
			sed "s/^/DOCKER $cfg /"
		i=0
		while [ $i -lt "$STARTS" ]; do
			# A run that failed measured nothing: said, not counted.
			if t=$(ecibench time docker run --rm --privileged eci-test true); then
				echo "DOCKER $cfg container_start $t"
			else
				echo "INFO docker: a docker run failed ($cfg, round $r): not counted"
			fi
			i=$((i + 1))
		done
		# The proxy's cost per call, next to the socket it forwards to.
		if [ $cfg = eci ]; then
			ecibench api /var/run/docker.sock "$API_N" | sed 's/^/API direct /'
			ecibench api /run/eci/docker-proxy.sock "$API_N" | sed 's/^/API proxy /'
		fi
	done
done
enforcer_loaded || eci_on
echo "ECI-TEST PASS bench/docker ran $ROUNDS rounds"
