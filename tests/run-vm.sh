#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test VM once in test mode and report the tests/vm results:
#   PASS name / FAIL name: reason   (as they come)
#   N passed, N failed on Linux VER (last line: the kernel the VM ran)
# Exit status non-zero if a test failed, none ran, or the VM did not finish.
# usage: tests/run-vm.sh [--kernel 6.1|6.12] [--arch x86|arm64] [--docker|--podman] [--no-enforcer]
#                        [--console] [--timeout S] [-v]
#   --kernel  the Debian kernel (scripts/eci-vm --kernel; default $KERNEL, else 6.12)
#   --arch    the VM's architecture (scripts/eci-vm --arch; default $ARCH, else x86):
#             arm64's files are under build/arm64/vm
#   --docker  boot with Docker Engine and run tests/vm-docker instead
#   --podman  boot with Podman and run tests/vm-podman instead
#   -v  also print the tests' other output lines
# The console log is build/vm/console-K.log, the raw results (with each file's
# time, ECI-TEST-END) build/vm/test-results-K[-docker|-podman].log. --timeout is the
# whole run's limit (default 3600 s); each file's is ECI_TEST_TIMEOUT (default
# 300 s).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
timeout=3600 verbose=0 kernel=${KERNEL:-6.12} suffix= arch=${ARCH:-x86}
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift ;;
	-v) verbose=1 ;;
	--no-enforcer|--console) args+=("$1") ;;
	--docker) args+=("$1"); suffix=-docker ;;
	--podman) args+=("$1"); suffix=-podman ;;
	--kernel) kernel=$2; shift ;;
	--arch) arch=$2; shift ;;
	*) echo "usage: $0 [--kernel 6.1|6.12] [--arch x86|arm64] [--docker|--podman] [--no-enforcer] [--console] [--timeout S] [-v]" >&2; exit 2 ;;
	esac
	shift
done

case $arch in
arm64) vm=$top/build/arm64/vm ;;
*) vm=$top/build/vm ;;
esac
# ECI_TEST_RESULTS: another file, for a run beside the suite of the same
# kernel (the try-it check's, tests/host/eci-vm.sh), which the metrics check
# reads after it.
res=${ECI_TEST_RESULTS:-$vm/test-results-$kernel$suffix.log}
mkdir -p "$vm"
pass=0 failed=0 vmst= attempt=0 done_files= finished=0
: > "$res"
# A file's PASS/FAIL lines are printed when the next file begins (or the VM
# ends), so that a lockup of the test bed itself (QEMU/TCG, eci-vm status 123,
# backtraces kept) drops only the file it interrupted: the run then boots
# once more and resumes at that file, saying so. A second lockup fails.
while :; do
	attempt=$((attempt + 1))
	cur= buf=
	set +e
	# Process substitution keeps the counters in this shell.
	while IFS= read -r line; do
		line=${line%$'\r'}
		printf '%s\n' "$line" >> "$res"
		case $line in
		"ECI-TEST-BEGIN "*)
			[ -n "$buf" ] && printf '%s' "$buf"
			[ -n "$cur" ] && done_files="$done_files $cur"
			buf= cur=${line#ECI-TEST-BEGIN } ;;
		"ECI-TEST PASS "*) buf+="PASS ${line#ECI-TEST PASS }"$'\n'; pass=$((pass + 1)) ;;
		"ECI-TEST FAIL "*) buf+="FAIL ${line#ECI-TEST FAIL }"$'\n'; failed=$((failed + 1)) ;;
		"ECI-TEST SKIP "*) buf+="SKIP ${line#ECI-TEST SKIP }"$'\n' ;;
		ECI-TEST-DONE) finished=1 ;;
		ECI-RUN-VM-STATUS*) vmst=${line#ECI-RUN-VM-STATUS } ;;
		*) [ $verbose = 1 ] && buf+="  $line"$'\n' ;;
		esac
	done < <(ECI_TEST_SKIP="$done_files" "$top/scripts/eci-vm" --arch "$arch" --kernel "$kernel" \
		"${args[@]+"${args[@]}"}" --test --timeout "$timeout"; echo "ECI-RUN-VM-STATUS $?")
	set -e
	if [ "$vmst" = 123 ] && [ $attempt = 1 ]; then
		# The interrupted file's lines are not counted: it runs again whole.
		lost=$(printf '%s' "$buf" | grep -cE '^(PASS|FAIL) ' || true)
		pass=$((pass - $(printf '%s' "$buf" | grep -c '^PASS ' || true)))
		failed=$((failed - $(printf '%s' "$buf" | grep -c '^FAIL ' || true)))
		echo "INFO the test VM's kernel locked up during ${cur:-boot} (a test-bed fault, backtraces in build/vm/lockup-*.log); booting again to run ${cur:-the tests} and what follows (${lost} of its results dropped)"
		continue
	fi
	[ -n "$buf" ] && printf '%s' "$buf"
	break
done

kver=$(cat "$vm/kernel-$kernel/version" 2>/dev/null || echo "$kernel")
echo "$pass passed, $failed failed on Linux $kver"
bad=
[ "$failed" = 0 ] || bad="$failed test(s) failed"
[ $((pass + failed)) -gt 0 ] || bad="no test ran"
# Only the VM's own last line says every file ran: a VM killed or stopped
# early is unfinished whatever status it ended with.
[ $finished = 1 ] || bad="the VM did not finish the tests (status ${vmst:-none}; the last file begun: ${cur:-none})"
if [ -n "$bad" ]; then
	echo "run-vm: $bad; last lines of ${vm#"$top/"}/console-$kernel.log:" >&2
	tail -n 30 "$vm/console-$kernel.log" >&2 2>/dev/null || true
	exit 1
fi
