#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole suite, as `make test` and CI run it: unit tests, a minute of
# fuzzing per parser, ecictl on this host, the install and Debian package
# check, then on each Debian kernel the test
# bed boots (6.1 and 6.12) the VM suite, the metrics check and the docker VM
# suite, then scripts/eci-vm as a user runs it. ECI_SYSTEMD=1 adds the systemd
# VM suite (tests/run-vm-systemd.sh: Debian 12 with systemd, docker.io and the
# eci .deb; ECI_SYSTEMD_KERNEL, default 6.1): off by default until it has
# passed whole and been timed on an idle machine (README.md, "systemd VM"). Every check prints one
# PASS/FAIL/SKIP line (a VM check's names its kernel: "PASS [6.12] ..."); each
# part ends with its own "== ..." count, each kernel with "== Linux VER: N
# passed, N failed", and this script with the one summary line CI reads, over
# both kernels.
# ECI_KERNELS and ECI_DOCKER_KERNELS ("6.1 6.12" by default) pick the
# kernels of the VM suite and metrics check and of the docker VM suite;
# ECI_TRYIT_KERNEL (6.12, scripts/eci-vm's default) the try-it command's. The
# kernels' VM suites run side by side, then their docker suites: each VM's
# vCPUs are one TCG thread (scripts/eci-vm), so two VMs fill the 2 cores, and
# a part's output is printed whole when it ends. ECI_ARM64=1 adds the arm64
# subset (tests/run-arm64.sh, make test ARCH=arm64); it is off by default:
# CI's time (about 70 min) leaves no room for it (README.md, "arm64").
# ECI_PODMAN_KERNELS (default 6.1, the kernel without a mount_setattr hook,
# where crun's new-mount-API paths meet the most of eci's own checks) picks
# the podman VM suite's kernels; it runs beside the docker suites, then
# the try-it command.
set -u
cd "$(dirname "$0")/.."

# A test file's time limit is for a hang the guest's watchdog can't see; on a
# loaded machine 06-replace has taken 650-800 s on 6.1 under one-thread TCG.
export ECI_TEST_TIMEOUT=${ECI_TEST_TIMEOUT:-1200}
kernels=${ECI_KERNELS:-6.1 6.12}
docker_kernels=${ECI_DOCKER_KERNELS:-6.1 6.12}
podman_kernels=${ECI_PODMAN_KERNELS:-6.1}
log=build/test-results.txt
mkdir -p build
: >"$log"
status=0
declare -A kpass kfail

part() { # NAME KERNEL|- COMMAND...
	local name=$1 k=$2 st out tag= p f t0
	shift 2
	out=$(mktemp)
	t0=$(date +%s)
	echo "== $name"
	[ "$k" = - ] || tag="[$k] "
	# The part's own summary becomes a "==" line, so only the last line
	# of this script reads "N passed, N failed".
	"$@" 2>&1 | sed -u -E "s/^(PASS|FAIL|SKIP) /\\1 $tag/; s/^([0-9]+ passed, [0-9]+ failed)/== $name: \\1/" |
		tee "$out"
	st=${PIPESTATUS[0]}
	if [ "$st" -ne 0 ]; then
		status=1
		# A part that died before reporting a failure still counts as one.
		grep -q '^FAIL ' "$out" || echo "FAIL $tag$name: exited with status $st" | tee -a "$out"
	fi
	grep -E '^(PASS|FAIL|SKIP) ' "$out" >>"$log"
	p=$(grep -c '^PASS ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	if [ "$k" != - ]; then
		kpass[$k]=$((${kpass[$k]:-0} + p))
		kfail[$k]=$((${kfail[$k]:-0} + f))
	fi
	# A part run beside another took its own time, not the wait for it.
	[ "$1" = collect ] && t0=$(($(date +%s) - $(cat "build/parts/$2.t")))
	echo "== $name: $((($(date +%s) - t0) / 60)) min $((($(date +%s) - t0) % 60)) s"
	rm -f "$out"
}

spawn() { # ID COMMAND...: start a part's command now, in the background
	local f=build/parts/$1
	shift
	mkdir -p build/parts
	rm -f "$f" "$f.st" "$f.t"
	(
		t0=$(date +%s)
		"$@" >"$f" 2>&1
		st=$?
		echo $(($(date +%s) - t0)) >"$f.t"
		echo $st >"$f.st"
	) &
}

collect() { # ID: a spawned part's output, once it ended, and its status
	local f=build/parts/$1
	while [ ! -e "$f.st" ]; do sleep 2; done
	cat "$f"
	return "$(cat "$f.st")"
}

# WHAT IMAGES-TARGET TEST-TARGET KERNEL...: the kernels' images built first,
# one make at a time (they share inputs), then their suites side by side.
side_by_side() {
	local what=$1 images=$2 target=$3 k
	shift 3
	for k; do
		part "$what images, kernel $k" - make --no-print-directory -s "$images" KERNEL="$k"
	done
	for k; do
		spawn "$target-$k" make --no-print-directory -s "$target" KERNEL="$k"
	done
	for k; do
		part "$what suite, kernel $k" "$k" collect "$target-$k"
	done
}

kver() { cat "build/vm/kernel-$1/version" 2>/dev/null || echo "$1"; }

part "style" - make --no-print-directory -s format-check
part "unit tests" - make --no-print-directory -s test-unit
part "fuzzing" - make --no-print-directory -s fuzz FUZZ_SECONDS=60
part "ecictl on this host" - make --no-print-directory -s test-host
part "install and Debian package" - make --no-print-directory -s test-package
side_by_side "VM" vm-images test-vm $kernels
for k in $kernels; do
	part "metrics served in the VM, kernel $k" "$k" env KERNEL="$k" tests/host/check-vm-metrics.sh
done
# The docker suites side by side, and the podman suites beside them (a third
# VM on the 2 cores: they would otherwise wait for the longer docker suite).
for k in $docker_kernels; do
	part "docker VM images, kernel $k" - make --no-print-directory -s vm-docker-images KERNEL="$k"
done
for k in $podman_kernels; do
	part "podman VM images, kernel $k" - make --no-print-directory -s vm-podman-images KERNEL="$k"
done
for k in $podman_kernels; do
	spawn "test-vm-podman-$k" make --no-print-directory -s test-vm-podman KERNEL="$k"
done
for k in $docker_kernels; do
	spawn "test-vm-docker-$k" make --no-print-directory -s test-vm-docker KERNEL="$k"
done
for k in $docker_kernels; do
	part "docker VM suite, kernel $k" "$k" collect "test-vm-docker-$k"
done
# The systemd VM (Debian 12, systemd, docker.io, the eci .deb), when asked for.
sysk=
if [ "${ECI_SYSTEMD:-0}" = 1 ]; then
	sysk=${ECI_SYSTEMD_KERNEL:-6.1}
	part "systemd VM suite, kernel $sysk" "$sysk" make --no-print-directory -s test-vm-systemd KERNEL="$sysk"
fi
# The try-it command boots its default kernel, the newest, while the
# podman suites may still run.
tryit=${ECI_TRYIT_KERNEL:-6.12}
part "the try-it command, kernel $tryit" "$tryit" make --no-print-directory -s test-eci-vm KERNEL="$tryit"
for k in $podman_kernels; do
	part "podman VM suite, kernel $k" "$k" collect "test-vm-podman-$k"
done
if [ "${ECI_ARM64:-0}" = 1 ]; then
	# Its lines name arm64 and the kernel themselves.
	part "arm64 subset" - make --no-print-directory -s test ARCH=arm64
fi

for k in $(printf '%s\n' $kernels $docker_kernels $podman_kernels $sysk "$tryit" | sort -uV); do
	echo "== Linux $(kver "$k"): ${kpass[$k]:-0} passed, ${kfail[$k]:-0} failed"
done
# The failures and skips again, so that the last lines of a long run say
# what went wrong or was not checked.
grep -E '^(FAIL|SKIP) ' "$log" | sed 's/^/== /' || true
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
