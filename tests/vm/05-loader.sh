#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The loader's life cycle (issue 2): load is idempotent, unload restores the
# old behaviour, status reports what is attached, container add/rm/ls keep
# the map whole. Runs first, so it also proves the init script loaded us.
. "$(dirname "$0")/lib.sh"

KO=/lib/modules/$(uname -r)/kernel/drivers/net/dummy.ko
cp "$KO" /eci/rootfs/dummy.ko

if enforcer_loaded && ecictl status | grep -q '^eci: *loaded'; then
	pass "init script loaded the enforcer at boot"
else
	fail "init script loaded the enforcer at boot" "$(ecictl status 2>&1 | head -n 3)"
	enforcer_load >/dev/null 2>&1
fi

nprogs=$(ls /sys/fs/bpf/eci/link | wc -l)
out=$(ecictl load 2>&1)
st=$?
if [ $st -eq 0 ] && echo "$out" | grep -q 'already loaded.*nothing changed' &&
	[ "$(ls /sys/fs/bpf/eci/link | wc -l)" = "$nprogs" ]; then
	pass "a second load changes nothing and says so"
else
	fail "a second load changes nothing and says so" "status $st: $out"
fi

out=$(ecictl status)
st=$?
if [ $st -eq 0 ] && echo "$out" | grep -q 'BPF LSM active' &&
	[ "$(echo "$out" | grep -c ' lsm$')" -ge 3 ] && echo "$out" | grep -q 'eci_container_cgroup_mkdir'; then
	pass "status lists the attached programs and the kernel"
else
	fail "status lists the attached programs and the kernel" "status $st: $out"
fi

# container add / ls / rm, and the errors a runtime can meet.
mkdir -p /sys/fs/cgroup/eci/life/a/b
out=$(ecictl container add --name life1 /eci/life 2>&1)
if echo "$out" | grep -q '3 cgroups' && ecictl container ls | grep -q 'life1 .*/eci/life$'; then
	pass "container add covers the existing sub-cgroups; ls shows it"
else
	fail "container add covers the existing sub-cgroups; ls shows it" "$out / $(ecictl container ls)"
fi
check_fails "container add of a missing cgroup fails" ecictl container add /eci/no-such
out=$(ecictl container add /eci/no-such 2>&1)
case $out in
"ecictl: no such cgroup: /eci/no-such") pass "container add of a missing cgroup says so in one sentence" ;;
*) fail "container add of a missing cgroup says so in one sentence" "$out" ;;
esac
check_fails "container rm of an unprotected cgroup fails" ecictl container rm /eci
out=$(ecictl container rm /eci/life 2>&1)
if echo "$out" | grep -q '3 cgroups' && ! ecictl container ls | grep -q life1; then
	pass "container rm removes the container and its sub-cgroups"
else
	fail "container rm removes the container and its sub-cgroups" "$out / $(ecictl container ls)"
fi
# Entries go with their cgroups (the rmdir tracepoint), so the map can't leak.
ecictl container add /eci/life >/dev/null
rmdir /sys/fs/cgroup/eci/life/a/b /sys/fs/cgroup/eci/life/a /sys/fs/cgroup/eci/life
if ecictl container ls | grep -q '^containers: 0 protected cgroups'; then
	pass "removing a container's cgroups removes its entries"
else
	fail "removing a container's cgroups removes its entries" "$(ecictl container ls)"
fi

# container show: the defaults and the assigned devices, in order.
mkdir -p /sys/fs/cgroup/eci/showme
ecictl container add /eci/showme --device 'c 10:200 rw' --device 'b 254:0 r' >/dev/null
out=$(ecictl container show /eci/showme)
rules=$(echo "$out" | sed -n '/^devices:/,$p' | tr -s ' ' | tr '\n' '|')
if [ "$rules" = "devices:| default c 1:3 rwm| c 1:5 rwm| c 1:7 rwm| c 1:8 rwm| c 1:9 rwm| c 5:0 rwm| c 5:2 rwm| c 136:* rwm| assigned b 254:0 r| c 10:200 rw|" ]; then
	pass "container show lists the default and the assigned devices, sorted"
else
	fail "container show lists the default and the assigned devices, sorted" "$rules"
fi
ecictl container add /eci/showme --device 'c 10:200 rw' >/dev/null
if ecictl container show /eci/showme | grep -q 'b 254:0'; then
	fail "a new container add replaces the device rules" "b 254:0 is still there"
else
	pass "a new container add replaces the device rules"
fi
ecictl container rm /eci/showme >/dev/null
rmdir /sys/fs/cgroup/eci/showme

# Pins of an older build (programs named before eci_<policy>_<hook>): load
# names one and says what to do, leaving the attached programs alone; load
# --replace then upgrades. A pin renamed in place stands in for one.
L=/sys/fs/bpf/eci/link
mv $L/eci_device_file_open $L/eci_file_open
out=$(ecictl load 2>&1)
st=$?
if [ $st -eq 1 ] && echo "$out" | grep -q "older build.*$L/eci_file_open.*'ecictl load --replace' to upgrade" &&
	[ "$(ls $L | wc -l)" = "$nprogs" ]; then
	pass "load over an older build's pins says to replace it, changes nothing"
else
	fail "load over an older build's pins says to replace it, changes nothing" "status $st: $out"
fi
out=$(ecictl load --replace 2>&1)
st=$?
if [ $st -eq 0 ] && [ ! -e $L/eci_file_open ] && [ -e $L/eci_device_file_open ] &&
	[ "$(ls $L | wc -l)" = "$nprogs" ]; then
	pass "load --replace upgrades an older build's pins"
else
	fail "load --replace upgrades an older build's pins" "status $st: $out; $(ls $L | tr '\n' ' ')"
fi

# unload restores the old behaviour; load brings enforcement back.
out=$(ecictl unload 2>&1)
st=$?
if [ $st -eq 0 ] && [ ! -e /sys/fs/bpf/eci ]; then
	pass "unload removes every pin"
else
	fail "unload removes every pin" "status $st: $out"
fi
rmmod dummy 2>/dev/null
ctr -- ecitest finit_module /dummy.ko
if [ "$CTR_STATUS" -eq 0 ] && in_modules dummy; then
	pass "after unload a container loads modules again"
else
	fail "after unload a container loads modules again" "status $CTR_STATUS: $CTR_OUT"
fi
rmmod dummy 2>/dev/null
out=$(ecictl status 2>&1)
[ $? -eq 3 ] && pass "status exits 3 when not loaded" || fail "status exits 3 when not loaded" "$out"
out=$(ecictl unload 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q 'not loaded' && pass "unload when not loaded is a no-op" ||
	fail "unload when not loaded is a no-op" "$out"

enforcer_load >/dev/null
ctr -- ecitest finit_module /dummy.ko
if [ "$CTR_STATUS" -eq 1 ] && ! in_modules dummy; then
	pass "load after unload enforces again"
else
	fail "load after unload enforces again" "status $CTR_STATUS: $CTR_OUT"
fi
exit 0
