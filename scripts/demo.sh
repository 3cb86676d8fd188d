#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the VM (its init script loads eci before anything else, then
# Docker Engine) and show `docker run --privileged` failing where the VM host,
# or the same VM without eci, succeeds.
# ARCH=arm64 (make demo ARCH=arm64): the arm64 VM has no Docker Engine yet, so
# the same attacks are shown in a privileged runc container (scripts/eci-vm's
# default) against the VM host and the VM without eci.
set -u
cd "$(dirname "$0")/.."

# step TITLE SHOWN-COMMAND ARGS...: run scripts/eci-vm ARGS, shown as typed.
step() {
	printf '\n== %s\n$ scripts/eci-vm %s\n' "$1" "$2"
	shift 2
	scripts/eci-vm "$@"
	echo "(exit status $?)"
}

if [ "${ARCH:-x86}" = arm64 ]; then
	a="--arch arm64"
	step "A privileged container on an arm64 VM where eci protects it tries to load a kernel module:" \
		"$a -- insmod /dummy.ko" \
		--arch arm64 -- insmod /dummy.ko
	step "The same container on the same VM without eci:" \
		"$a --no-enforcer -- sh -c 'insmod /dummy.ko && grep ^dummy /proc/modules'" \
		--arch arm64 --no-enforcer -- sh -c 'insmod /dummy.ko && grep ^dummy /proc/modules'
	step "The VM host loads it; the container reads the VM's disk, then /dev/zero:" \
		"$a --before 'insmod /lib/modules/\$(uname -r)/kernel/drivers/net/dummy.ko' -- sh -c 'grep -c ^dummy /proc/modules; head -c 512 /dev/vda | wc -c; head -c 512 /dev/zero | wc -c'" \
		--arch arm64 --before 'insmod /lib/modules/$(uname -r)/kernel/drivers/net/dummy.ko' -- \
		sh -c 'grep -c ^dummy /proc/modules; head -c 512 /dev/vda | wc -c; head -c 512 /dev/zero | wc -c'
	step "debugfs is the VM kernel's, not the container's; a tmpfs is its own:" \
		"$a -- sh -c 'mount -t debugfs none /mnt; mount -t tmpfs none /mnt && echo tmpfs mounted'" \
		--arch arm64 -- sh -c 'mount -t debugfs none /mnt; mount -t tmpfs none /mnt && echo tmpfs mounted'
	printf '\nEach step booted a fresh arm64 VM (Debian %s kernel, qemu-system-aarch64/TCG, runc). More: README.md\n' \
		"$(cat "build/arm64/vm/kernel-${KERNEL:-6.12}/version" 2>/dev/null)"
	exit 0
fi

step "docker run --privileged, on a VM where eci protects the engine's containers, tries to load a kernel module:" \
	"--docker -- --rm --privileged eci-test insmod /dummy.ko" \
	--docker -- --rm --privileged eci-test insmod /dummy.ko
step "The same docker run on the same VM without eci:" \
	"--docker --no-enforcer -- --rm --privileged eci-test sh -c 'insmod /dummy.ko && grep ^dummy /proc/modules'" \
	--docker --no-enforcer -- --rm --privileged eci-test sh -c 'insmod /dummy.ko && grep ^dummy /proc/modules'
step "The VM host loads it; the container reads the VM's disk, then /dev/zero:" \
	"--docker --before 'insmod /lib/modules/\$(uname -r)/kernel/drivers/net/dummy.ko' -- --rm --privileged eci-test sh -c 'grep -c ^dummy /proc/modules; head -c 512 /dev/vda | wc -c; head -c 512 /dev/zero | wc -c'" \
	--docker --before 'insmod /lib/modules/$(uname -r)/kernel/drivers/net/dummy.ko' -- --rm --privileged eci-test \
	sh -c 'grep -c ^dummy /proc/modules; head -c 512 /dev/vda | wc -c; head -c 512 /dev/zero | wc -c'
step "A VM directory can't be bound into a container (ECI's bind-mount rule); the runtime's error names it:" \
	"--docker -- --rm -v /etc:/x eci-test cat /x/hostname" \
	--docker -- --rm -v /etc:/x eci-test cat /x/hostname
step "Trap events name the container by its docker id and name:" \
	"--docker --before 'docker run --privileged --name web eci-test sh -c \"echo x >/proc/sys/kernel/core_pattern\"; ecictl events' -- --rm eci-test true" \
	--docker --before 'docker run --privileged --name web eci-test sh -c "echo x >/proc/sys/kernel/core_pattern"; ecictl events >/dev/ttyS1' \
	-- --rm eci-test true
printf '\nEach step booted a fresh VM (Debian %s kernel, QEMU/TCG, Debian docker.io). More: README.md\n' \
	"$(cat "build/vm/kernel-${KERNEL:-6.12}/version" 2>/dev/null)"
