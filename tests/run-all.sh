#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole suite, as `make test` and CI run it: style and unit tests, every
# VM image, then two lanes side by side (each VM's vCPUs are one TCG thread,
# scripts/eci-vm, so two lanes fill the 2 cores): a minute of fuzzing per
# parser, ecictl on this host and the Debian package; on each Debian kernel
# the test bed boots (6.1 and 6.12) the VM suite and its metrics check; the
# docker VM suite, the podman VM suite and scripts/eci-vm as a user runs it.
# Every check prints one PASS/FAIL/SKIP line (a VM check's names its kernel:
# "PASS [6.12] ..."); each part is printed whole when it ends, with its own
# "== ..." count and time; each kernel gets "== Linux VER: N passed, N
# failed", and this script ends with the one summary line CI reads.
#   ECI_KERNELS         the VM suite's kernels ("6.1 6.12")
#   ECI_DOCKER_KERNELS  the docker VM suite's ("6.12": the engine's paths;
#                       the kernel's are the VM suite's, on both; 6.1 keeps
#                       an engine suite in the podman one, runc and crun)
#   ECI_PODMAN_KERNELS  the podman VM suite's ("6.1", the kernel without a
#                       mount_setattr hook, where crun's new-mount-API paths
#                       meet the most of eci's own checks)
#   ECI_TRYIT_KERNEL    the try-it command's (6.12, scripts/eci-vm's default)
#   ECI_SYSTEMD_KERNEL  the systemd VM suite's (6.1, Debian 12's own kernel:
#                       tests/run-vm-systemd.sh, Debian 12 with systemd,
#                       docker.io and the eci .deb); ECI_SYSTEMD=0 leaves it out
#   ECI_ARM64=1         adds the arm64 subset (tests/run-arm64.sh, make test
#                       ARCH=arm64), after the lanes: CI's time leaves no
#                       room for it (README.md, "arm64")
set -u
cd "$(dirname "$0")/.."

# A test file's time limit is for a hang the guest's watchdog can't see; on a
# loaded machine 06-replace has taken 650-800 s on 6.1 under one-thread TCG.
export ECI_TEST_TIMEOUT=${ECI_TEST_TIMEOUT:-1200}
kernels=${ECI_KERNELS:-6.1 6.12}
docker_kernels=${ECI_DOCKER_KERNELS:-6.12}
podman_kernels=${ECI_PODMAN_KERNELS:-6.1}
mk="make --no-print-directory -s"
if [ "${1:-}" = --images ]; then
	# Every image, one make at a time (they share inputs); the lanes' makes
	# then find them built.
	for k in $kernels; do $mk vm-images KERNEL="$k" || exit; done
	for k in $docker_kernels; do $mk vm-docker-images KERNEL="$k" || exit; done
	for k in $podman_kernels; do $mk vm-podman-images KERNEL="$k" || exit; done
	exit 0
fi
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

run_one() { # ID COMMAND...: a part's command, its output, status and time kept
	local f=build/parts/$1 t0 st
	shift
	mkdir -p build/parts
	rm -f "$f" "$f.st" "$f.t"
	t0=$(date +%s)
	"$@" >"$f" 2>&1
	st=$?
	echo $(($(date +%s) - t0)) >"$f.t"
	echo $st >"$f.st"
}

collect() { # ID: a part's output, once it ended, and its status
	local f=build/parts/$1
	while [ ! -e "$f.st" ]; do sleep 2; done
	cat "$f"
	return "$(cat "$f.st")"
}

kver() { cat "build/vm/kernel-$1/version" 2>/dev/null || echo "$1"; }

# The parts after the images run in two lanes: each lane runs its parts one
# after another, the two side by side (each VM's vCPUs are one TCG thread,
# scripts/eci-vm, so two lanes fill the 2 cores; a third would only share
# them). A part goes to the lane that is shorter so far, by the minutes it
# took on this 2-core machine (est); a kernel's metrics check follows its VM
# suite in the same lane. Each part's output is printed whole when it ends.
ids=() names=() kerns=() lane_a=() lane_b=()
min_a=0 min_b=0 last=
add() { # MINUTES|next:MINUTES ID NAME KERNEL|- COMMAND...: "next" after the last part added
	local m=$1 id=$2
	ids+=("$id") names+=("$3") kerns+=("$4")
	shift 4
	printf '%s\n' "$*" >"build/parts/$id.cmd"
	case $m in
	next:*) m=${m#next:} ;;
	*) [ "$min_a" -le "$min_b" ] && last=a || last=b ;;
	esac
	if [ "$last" = a ]; then
		lane_a+=("$id") min_a=$((min_a + m))
	else
		lane_b+=("$id") min_b=$((min_b + m))
	fi
}
est() { # PART KERNEL: minutes
	case $1-$2 in
	vm-6.1) echo 28 ;; vm-6.12) echo 21 ;;
	docker-6.1) echo 24 ;; docker-6.12) echo 21 ;;
	podman-*) echo 12 ;; tryit-*) echo 6 ;; systemd-*) echo 15 ;;
	*) echo 10 ;;
	esac
}
run_lane() { # ID...: the parts that boot VMs wait for the images
	local id
	for id; do
		case $id in
		images | fuzz | host | package) ;;
		*) while [ ! -e build/parts/images.st ]; do sleep 2; done ;;
		esac
		# shellcheck disable=SC2046 # a command line of plain words
		run_one "$id" $(cat "build/parts/$id.cmd")
	done
}

part "style" - $mk format-check
part "unit tests" - $mk test-unit
rm -rf build/parts
mkdir -p build/parts
# The images, then the first kernel's VM suite (the longest part), in one
# lane; the host parts (8 min in all, one core: fuzzing, ecictl, the package)
# in the other, while the images are made.
add 6 images "VM images" - tests/run-all.sh --images
add_vm() { # MINUTES-PREFIX KERNEL: its VM suite, then its metrics check in the same lane
	add "$1$(est vm "$2")" "vm-$2" "VM suite, kernel $2" "$2" $mk test-vm KERNEL="$2"
	add next:0 "metrics-$2" "metrics served in the VM, kernel $2" "$2" \
		env KERNEL="$2" tests/host/check-vm-metrics.sh
}
first=${kernels%% *}
add_vm next: "$first"
add 5 fuzz "fuzzing" - $mk fuzz FUZZ_SECONDS=60
add next:2 host "ecictl on this host" - $mk test-host
add next:1 package "install and Debian package" - $mk test-package
for k in ${kernels#"$first"}; do
	add_vm "" "$k"
done
for k in $docker_kernels; do
	add "$(est docker "$k")" "docker-$k" "docker VM suite, kernel $k" "$k" $mk test-vm-docker KERNEL="$k"
done
for k in $podman_kernels; do
	add "$(est podman "$k")" "podman-$k" "podman VM suite, kernel $k" "$k" $mk test-vm-podman KERNEL="$k"
done
# The systemd VM (Debian 12, systemd, docker.io, the eci .deb).
sysk=
if [ "${ECI_SYSTEMD:-1}" = 1 ]; then
	sysk=${ECI_SYSTEMD_KERNEL:-6.1}
	add "$(est systemd "$sysk")" "systemd-$sysk" "systemd VM suite, kernel $sysk" "$sysk" \
		$mk test-vm-systemd KERNEL="$sysk"
fi
tryit=${ECI_TRYIT_KERNEL:-6.12}
add "$(est tryit "$tryit")" "tryit-$tryit" "the try-it command, kernel $tryit" "$tryit" \
	$mk test-eci-vm KERNEL="$tryit"
echo "== lanes: ${lane_a[*]} (about $min_a min) beside ${lane_b[*]} (about $min_b min)"
run_lane "${lane_a[@]}" &
run_lane "${lane_b[@]}" &
# Printed as they end.
left=("${!ids[@]}")
while [ ${#left[@]} -gt 0 ]; do
	rest=()
	for i in "${left[@]}"; do
		if [ -e "build/parts/${ids[$i]}.st" ]; then
			part "${names[$i]}" "${kerns[$i]}" collect "${ids[$i]}"
		else
			rest+=("$i")
		fi
	done
	left=("${rest[@]+"${rest[@]}"}")
	[ ${#left[@]} -gt 0 ] && sleep 5
done
wait

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
