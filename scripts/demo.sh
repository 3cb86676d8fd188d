#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the VM (its init script loads eci before anything else) and
# show a protected privileged container failing where the VM host succeeds.
set -u
cd "$(dirname "$0")/.."

# step TITLE SHOWN-COMMAND ARGS...: run scripts/eci-vm ARGS, shown as typed.
step() {
	printf '\n== %s\n$ scripts/eci-vm %s\n' "$1" "$2"
	shift 2
	scripts/eci-vm "$@"
	echo "(exit status $?)"
}

step "A privileged container, protected by eci, tries to load a kernel module:" \
	"-- insmod /dummy.ko" \
	-- insmod /dummy.ko
step "The VM host loads it (shown: the container's view of /proc/modules):" \
	"--before 'insmod /lib/modules/\$(uname -r)/kernel/drivers/net/dummy.ko' -- grep ^dummy /proc/modules" \
	--before 'insmod /lib/modules/$(uname -r)/kernel/drivers/net/dummy.ko' -- grep ^dummy /proc/modules
step "The same container, unprotected, can load it too:" \
	"--unprotected -- sh -c 'insmod /dummy.ko && grep ^dummy /proc/modules'" \
	--unprotected -- sh -c 'insmod /dummy.ko && grep ^dummy /proc/modules'
step "A protected container reads the VM's disk, then /dev/zero:" \
	"-- sh -c 'head -c 512 /dev/vda | wc -c; head -c 512 /dev/zero | wc -c'" \
	-- sh -c 'head -c 512 /dev/vda | wc -c; head -c 512 /dev/zero | wc -c'
step "A protected container goes for the enforcer's own map:" \
	"--mount /sys/fs/bpf:/sys/fs/bpf -- ecitest bpf_map_clear /sys/fs/bpf/eci/map/containers" \
	--mount /sys/fs/bpf:/sys/fs/bpf -- ecitest bpf_map_clear /sys/fs/bpf/eci/map/containers
printf '\nEach step booted a fresh VM (Debian %s kernel, QEMU/TCG). More: README.md\n' \
	"$(ls build/vm/kernel/root/lib/modules 2>/dev/null | head -n1)"
