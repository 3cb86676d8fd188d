#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The systemd VM suite (tests/vm-systemd): a Debian 12 VM booting systemd as
# PID 1 on the test bed's Debian kernel (scripts/vm/sysimage.sh), docker.io
# from Debian's mirror, and the eci .deb built from this tree
# (scripts/vm/sysdeb.sh) installed in it with dpkg. The same disk (a qcow2
# overlay on the cached base image) boots three times, each boot running the
# test files of its stage ("# eci-stage: NAME" in the file):
#   install  docker.io alone (baselines), then dpkg -i eci
#   main     the first boot with eci installed: boot order, restart/stop/
#            upgrade without a gap, Docker's sample settings, the daemon unit
#   noeci    booted without BPF LSM (lsm= lacks bpf): eci can't load, so
#            docker and containerd must not start; then the opt-out
# Output: PASS/FAIL/SKIP lines, then "N passed, N failed on Linux VER".
# Console logs: build/vm/sys/console-STAGE.log; results build/vm/sys/results-STAGE.log.
# usage: tests/run-vm-systemd.sh [--kernel 6.1|6.12] [--stages "install main noeci"] [-v]
# ECI_TEST_TIMEOUT: each file's limit in seconds (default 600); ECI_SYSVM_TIMEOUT
# each boot's (default 1800).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=${KERNEL:-6.1} stages="install main noeci" verbose=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift ;;
	--stages) stages=$2; shift ;;
	-v) verbose=1 ;;
	*) echo "usage: $0 [--kernel 6.1|6.12] [--stages LIST] [-v]" >&2; exit 2 ;;
	esac
	shift
done
sys=$top/build/vm/sys
t0=$(date +%s)

key=$("$top/scripts/vm/sysimage.sh" --kernel "$kernel")
debs=$("$top/scripts/vm/sysdeb.sh")
tb=$(date +%s)

# The second disk: the tests, the runner, the packages, the container images.
run=$(mktemp -d "$sys/run.XXXXXX")
trap 'rm -rf "$run"' EXIT
d=$run/disk
mkdir -p "$d/tests" "$d/debs/newer"
cp "$top"/tests/vm-systemd/*.sh "$d/tests/"
install -m 755 "$top/scripts/vm/sys-run-stage" "$d/run-stage"
cp "$debs"/eci_*_amd64.deb "$d/debs/"
cp "$debs"/newer/eci_*_amd64.deb "$d/debs/newer/"
cp "$top/tests/fuzz/corpus/settings/docker-sample.json" "$d/docker-sample.json"
# The image docker imports (no registry): busybox, a module to load, the
# static test helpers.
r=$run/rootfs
mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/etc" "$r/log" "$r/usr/local/bin"
install -m 755 /usr/bin/busybox "$r/bin/busybox"
for a in $(/usr/bin/busybox --list); do [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"; done
kver=$(cat "$top/build/vm/kernel-$kernel/version")
find "$top/build/vm/kernel-$kernel/modules/kernel/drivers/net/" -name 'dummy.ko*' | head -n1 |
	while read -r m; do
		case $m in
		*.xz) xz -dc "$m" >"$r/dummy.ko" ;;
		*.zst) zstd -qdc "$m" >"$r/dummy.ko" ;;
		*) cp "$m" "$r/dummy.ko" ;;
		esac
	done
[ -s "$r/dummy.ko" ] || { echo "run-vm-systemd: no dummy.ko in kernel $kver" >&2; exit 1; }
cp "$top"/build/tests-bin/* "$r/usr/local/bin/" 2>/dev/null || true
# The image of 25-systemd-ctr (systemd as PID 1 in a container): this VM's
# Debian 12 tree as debootstrap left it, without the engine, its units, the
# docs and apt's lists; dummy.ko to show it is protected.
s=$run/sysd
mkdir -p "$s"
tar -C "$s" --numeric-owner -xf "$(ls "$sys"/debootstrap-*.tar | head -n1)" \
	--exclude=./usr/share/doc --exclude=./usr/share/man --exclude=./usr/share/locale \
	--exclude=./usr/share/i18n --exclude=./var/lib/apt/lists --exclude=./var/cache \
	--exclude=./usr/sbin/dockerd --exclude='./usr/bin/containerd*' --exclude=./usr/bin/docker \
	--exclude=./usr/bin/ctr --exclude=./usr/bin/dnet --exclude=./usr/sbin/ovrouter \
	--exclude=./usr/sbin/runc --exclude=./usr/lib/udev/hwdb.bin
find "$s/etc/systemd/system" -name 'docker*' -o -name 'containerd*' | xargs rm -f
: >"$s/etc/machine-id"
cp "$r/dummy.ko" "$s/dummy.ko"
tar -C "$s" --numeric-owner -cf "$d/systemd-rootfs.tar" .
rm -rf "$s"
echo 'root:x:0:0:root:/:/bin/sh' >"$r/etc/passwd"
tar -C "$r" -cf "$d/rootfs.tar" .
truncate -s $(($(du -sm "$d" | cut -f1) + 16))M "$run/test.img"
mke2fs -q -F -t ext4 -L ecisystest -d "$d" "$run/test.img"

# The root disk: the cached base under a throw-away overlay.
qemu-img create -q -f qcow2 -F raw -b "$sys/base-$key.img" "$run/root.qcow2"

pass=0 failed=0 status=0
append="lsm=lockdown,capability,landlock,bpf"
for stage in $stages; do
	cmdline="console=ttyS0 panic=-1 quiet loglevel=4 eci.stage=$stage eci.test_timeout=${ECI_TEST_TIMEOUT:-600}"
	if [ "$stage" = noeci ]; then
		cmdline="$cmdline lsm=lockdown,capability,landlock"
	else
		cmdline="$cmdline $append"
	fi
	res=$sys/results-$stage.log con=$sys/console-$stage.log
	: >"$res"
	: >"$con"
	s0=$(date +%s)
	set +e
	timeout --foreground -k 5 "${ECI_SYSVM_TIMEOUT:-1800}" qemu-system-x86_64 \
		${ECI_VM_QEMU:--accel tcg -cpu max -smp 2} -m 2048 \
		-kernel "$sys/vmlinuz-$key" -initrd "$sys/initrd-$key.cpio.gz" -append "$cmdline" \
		-no-reboot -display none -monitor none -nodefaults \
		-serial "file:$con" -serial "file:$res" \
		-drive "file=$run/root.qcow2,if=virtio,format=qcow2" \
		-drive "file=$run/test.img,if=virtio,format=raw,readonly=on" \
		-device virtio-rng-pci </dev/null
	qst=$?
	set -e
	secs=$(($(date +%s) - s0))
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"ECI-TEST PASS "*) echo "PASS ${line#ECI-TEST PASS }"; pass=$((pass + 1)) ;;
		"ECI-TEST FAIL "*) echo "FAIL ${line#ECI-TEST FAIL }"; failed=$((failed + 1)) ;;
		"ECI-TEST SKIP "*) echo "SKIP ${line#ECI-TEST SKIP }" ;;
		"ECI-TEST-END "*) [ $verbose = 1 ] && echo "  ${line#ECI-TEST-}" ;;
		*) [ $verbose = 1 ] && echo "  $line" ;;
		esac
	done <"$res"
	if ! grep -q "^ECI-STAGE-END $stage" "$res"; then
		echo "FAIL sysvm/$stage: the VM did not finish the stage (qemu status $qst after ${secs}s); last lines of ${con#"$top/"}:"
		tail -n 30 "$con" | sed 's/^/  /'
		failed=$((failed + 1))
		status=1
		break
	fi
	echo "INFO stage $stage: boot and tests ${secs}s"
done

kv=$(cat "$top/build/vm/kernel-$kernel/version" 2>/dev/null || echo "$kernel")
echo "INFO systemd VM: image and packages $((tb - t0))s, boots $(($(date +%s) - tb))s"
echo "$pass passed, $failed failed on Linux $kv"
[ "$failed" = 0 ] && [ $status = 0 ] && [ $pass -gt 0 ]
