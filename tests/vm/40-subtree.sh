#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Protected subtrees (issue 6): every cgroup created below one is a container
# protected from its creation, whichever runtime makes it, with no ecictl call
# per container; containers already running there when it is set are adopted.
# eci-ctr --unprotected makes no ecictl call, so only the subtree protects.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null

loads_module() { # NAME CTR-ARGS...: the container loads dummy
	_n=$1
	shift
	rmmod dummy 2>/dev/null
	ctr "$@" -- sh -c 'insmod /dummy.ko && echo loaded'
	if [ "$CTR_STATUS" -eq 0 ] && in_modules dummy; then
		pass "$_n"
	else
		fail "$_n" "status $CTR_STATUS: $CTR_OUT"
	fi
	rmmod dummy 2>/dev/null
}

loads_module "no subtree: a container under /eci that nobody registers loads modules" --unprotected

# A container that runs before the subtree is set.
rmmod dummy 2>/dev/null
eci-ctr --unprotected --name early -- sh -c 'while [ ! -e /tmp/go ]; do sleep 1; done;
	insmod /dummy.ko; echo status=$?' >/tmp/early.out 2>&1 &
early=$!
for i in $(seq 60); do
	[ -s /sys/fs/cgroup/eci/early/cgroup.procs ] && break
	sleep 1
done
out=$(ecictl subtree add /eci 2>&1)
case $out in
*"1 running ones adopted"*) pass "subtree add adopts the container already running" ;;
*) fail "subtree add adopts the container already running" "$out" ;;
esac
# Release the early container (its /tmp is its own: reach it via its root).
touch "/var/lib/eci-ctr/early/rootfs/tmp/go"
wait $early
if ! in_modules dummy && grep -q 'Operation not permitted' /tmp/early.out; then
	pass "a container started before the subtree was set is protected after"
else
	fail "a container started before the subtree was set is protected after" "$(cat /tmp/early.out)"
fi
rmmod dummy 2>/dev/null

# A new container, no ecictl call: protected from its first instruction.
rmmod dummy 2>/dev/null
ctr --unprotected --name fresh -- sh -c 'grep -c " /dev/vda " /proc/self/mountinfo; insmod /dummy.ko'
if in_modules dummy; then
	fail "a new container under the subtree is protected with no ecictl call" "dummy loaded: $CTR_OUT"
else
	case $CTR_OUT in
	0*"Operation not permitted"*) pass "a new container under the subtree is protected with no ecictl call" ;;
	*) fail "a new container under the subtree is protected with no ecictl call" "$CTR_OUT" ;;
	esac
fi

mkdir -p /sys/fs/cgroup/eci/named
if ecictl container ls | grep -q ' named .*/eci/named$'; then
	pass "subtree containers are named after their cgroup"
else
	fail "subtree containers are named after their cgroup" "$(ecictl container ls)"
fi
rmdir /sys/fs/cgroup/eci/named
check_fails "container add refuses the subtree itself" ecictl container add /eci

out=$(ecictl subtree rm /eci 2>&1)
case $out in
*"no longer protects"*) pass "subtree rm" ;;
*) fail "subtree rm" "$out" ;;
esac
loads_module "after subtree rm, new containers are not protected" --unprotected
exit 0
