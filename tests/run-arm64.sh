#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The arm64 subset, as `make test ARCH=arm64` runs it: the VM test files that
# cover every kind of policy (smoke, module, device, kernel, mount with its
# mount_setattr and fspick rules, and swap, whose syscall numbers are arm64's
# own) in one boot
# of Debian's arm64 kernel under qemu-system-aarch64 (TCG), then scripts/eci-vm
# as a user runs it (tests/host/eci-vm.sh, one boot per check). Emulating arm64
# costs several times what x86 does, so the rest of the suite stays x86's.
# Output as tests/run-all.sh's: PASS/FAIL/SKIP lines naming the kernel
# ("PASS [arm64 6.12] ..."), a "==" count and time per part, and one final
# "N passed, N failed".
# ECI_ARM64_KERNELS (default 6.12, the kernel of the VMs arm64 users run:
# Docker Desktop's 6.10-6.12) picks the kernels, e.g. "6.1 6.12";
# ECI_ARM64_TESTS the VM test files (globs, default below).
set -u
cd "$(dirname "$0")/.."
export ARCH=arm64

kernels=${ECI_ARM64_KERNELS:-6.12}
files=${ECI_ARM64_TESTS:-00-smoke 10-module 20-device 30-kernel 32-swap 45-mount}
log=build/arm64/test-results.txt
mkdir -p build/arm64
: >"$log"
status=0

part() { # NAME TAG COMMAND...
	local name=$1 tag="[$2] " st out t0
	shift 2
	out=$(mktemp)
	t0=$(date +%s)
	echo "== $name"
	"$@" 2>&1 | sed -u -E "s/^(PASS|FAIL|SKIP) /\\1 $tag/; s/^([0-9]+ passed, [0-9]+ failed)/== $name: \\1/" |
		tee "$out"
	st=${PIPESTATUS[0]}
	if [ "$st" -ne 0 ]; then
		status=1
		grep -q '^FAIL ' "$out" || echo "FAIL $tag$name: exited with status $st" | tee -a "$out"
	fi
	# A part that reported nothing tested nothing.
	grep -qE '^(PASS|FAIL) ' "$out" || { status=1; echo "FAIL $tag$name: no test result" | tee -a "$out"; }
	grep -E '^(PASS|FAIL|SKIP) ' "$out" >>"$log"
	echo "== $name: $((($(date +%s) - t0) / 60)) min $((($(date +%s) - t0) % 60)) s"
	rm -f "$out"
}

# A container starts in ~15 s under arm64 emulation, 30-kernel starts 36:
# each file gets 25 min (ECI_TEST_TIMEOUT), the boot an hour.
export ECI_TEST_TIMEOUT=${ECI_TEST_TIMEOUT:-1500}
for k in $kernels; do
	part "arm64 VM suite ($files), kernel $k" "arm64 $k" \
		sh -c 'make --no-print-directory -s vm ARCH=arm64 KERNEL="$1" >/dev/null &&
			ECI_TESTS="$2" tests/run-vm.sh --arch arm64 --kernel "$1" --timeout 3600' - "$k" "$files"
done
newest=${kernels##* }
part "the try-it command on arm64, kernel $newest" "arm64 $newest" \
	env KERNEL="$newest" make --no-print-directory -s test-eci-vm ARCH=arm64

passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
[ "$passed" -gt 0 ] || status=1
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ $status -eq 0 ]
