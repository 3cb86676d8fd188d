#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Is the test VM itself sane?  Everything else relies on this.
. "$(dirname "$0")/lib.sh"

check root-is-tmpfs grep -q '^[^ ]* / tmpfs ' /proc/mounts
check cgroup2-mounted grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts
check vmdata-secret grep -q eci-vmdata-secret /var/lib/vmdata/secret
check vmdata-kernel test -s "/var/lib/vmdata/boot/vmlinuz-$(uname -r)"
check runc-present runc --version
check bpf-lsm-active grep -q bpf /sys/kernel/security/lsm

if ctr --name smoke-unprot --unprotected -- echo hi && [ "$CTR_OUT" = hi ]; then
	pass container-unprotected
else
	fail container-unprotected "status $CTR_STATUS, output '$CTR_OUT'"
fi

if ctr --name smoke-prot -- echo hi && [ "$CTR_OUT" = hi ]; then
	pass container-default
else
	fail container-default "status $CTR_STATUS, output '$CTR_OUT'"
fi

ctr --name smoke-status -- sh -c 'exit 7'
if [ "$CTR_STATUS" = 7 ]; then pass container-exit-status; else fail container-exit-status "got $CTR_STATUS, want 7: $CTR_OUT"; fi

ctr --name smoke-cg -- cat /proc/self/cgroup
case $CTR_OUT in *"/eci/smoke-cg"*) pass container-cgroup ;; *) fail container-cgroup "cgroup is '$CTR_OUT'" ;; esac

# Two containers at once with different names.
eci-ctr --name smoke-a -- sh -c 'sleep 1; echo a' > /tmp/smoke-a 2>&1 &
pa=$!
eci-ctr --name smoke-b -- sh -c 'sleep 1; echo b' > /tmp/smoke-b 2>&1 &
pb=$!
wait $pa; sa=$?
wait $pb; sb=$?
if [ $sa = 0 ] && [ $sb = 0 ] && [ "$(cat /tmp/smoke-a)" = a ] && [ "$(cat /tmp/smoke-b)" = b ]; then
	pass containers-concurrent
else
	fail containers-concurrent "status $sa/$sb, output '$(cat /tmp/smoke-a)' '$(cat /tmp/smoke-b)'"
fi
exit 0
