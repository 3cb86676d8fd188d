#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test VM once in test mode and report the tests/vm results:
#   PASS name / FAIL name: reason   (as they come)
#   N passed, N failed on Linux VER (last line: the kernel the VM ran)
# Exit status non-zero if a test failed, none ran, or the VM did not finish.
# usage: tests/run-vm.sh [--kernel 6.1|6.12] [--docker] [--no-enforcer] [--console]
#                        [--timeout S] [-v]
#   --kernel  the Debian kernel (scripts/eci-vm --kernel; default $KERNEL, else 6.12)
#   --docker  boot with Docker Engine and run tests/vm-docker instead
#   -v  also print the tests' other output lines
# The console log is build/vm/console.log, the raw results (with each file's
# time, ECI-TEST-END) build/vm/test-results-K[-docker].log. --timeout is the
# whole run's limit (default 2400 s); each file's is ECI_TEST_TIMEOUT (default
# 300 s).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
timeout=2400 verbose=0 kernel=${KERNEL:-6.12} suffix=
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift ;;
	-v) verbose=1 ;;
	--no-enforcer|--console) args+=("$1") ;;
	--docker) args+=("$1"); suffix=-docker ;;
	--kernel) kernel=$2; shift ;;
	*) echo "usage: $0 [--kernel 6.1|6.12] [--docker] [--no-enforcer] [--console] [--timeout S] [-v]" >&2; exit 2 ;;
	esac
	shift
done

res=$top/build/vm/test-results-$kernel$suffix.log
mkdir -p "$top/build/vm"
pass=0 failed=0
set +e
# Process substitution keeps the counters in this shell.
while IFS= read -r line; do
	line=${line%$'\r'}
	printf '%s\n' "$line" >> "$res"
	case $line in
	"ECI-TEST PASS "*) echo "PASS ${line#ECI-TEST PASS }"; pass=$((pass + 1)) ;;
	"ECI-TEST FAIL "*) echo "FAIL ${line#ECI-TEST FAIL }"; failed=$((failed + 1)) ;;
	"ECI-TEST SKIP "*) echo "SKIP ${line#ECI-TEST SKIP }" ;;
	ECI-RUN-VM-STATUS*) ;;
	*) [ $verbose = 1 ] && printf '  %s\n' "$line" ;;
	esac
done < <(: > "$res"; "$top/scripts/eci-vm" --kernel "$kernel" "${args[@]+"${args[@]}"}" --test --timeout "$timeout"; echo "ECI-RUN-VM-STATUS $?")
set -e
vmst=$(sed -n 's/^ECI-RUN-VM-STATUS //p' "$res" | tail -n1)

kver=$(cat "$top/build/vm/kernel-$kernel/version" 2>/dev/null || echo "$kernel")
echo "$pass passed, $failed failed on Linux $kver"
bad=
[ "$failed" = 0 ] || bad="$failed test(s) failed"
[ $((pass + failed)) -gt 0 ] || bad="no test ran"
case ${vmst:-124} in 124|125) bad="the VM did not finish the tests (status ${vmst:-none})" ;; esac
if [ -n "$bad" ]; then
	echo "run-vm: $bad; last lines of build/vm/console.log:" >&2
	tail -n 30 "$top/build/vm/console.log" >&2 2>/dev/null || true
	exit 1
fi
