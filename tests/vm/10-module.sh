#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module and kexec restriction (issue 2). Every attack runs three ways: on the
# VM host and in an unprotected container, where it must work, and in a
# protected privileged container, where it must fail with EPERM. The effect
# is checked in the kernel's own state: /proc/modules, /sys/kernel/kexec_loaded.
. "$(dirname "$0")/lib.sh"

KO=/lib/modules/$(uname -r)/kernel/drivers/net/dummy.ko
KERNEL=$(ls /var/lib/vmdata/boot/vmlinuz-* | head -n1)
# The containers share one rootfs; give them the module and a kernel image.
cp "$KO" /eci/rootfs/dummy.ko
cp "$KERNEL" /eci/rootfs/vmlinuz

unload_dummy() {
	ip link del eci0 2>/dev/null
	rmmod dummy 2>/dev/null
	! in_modules dummy
}

kexec_loaded() { [ "$(cat /sys/kernel/kexec_loaded)" = 1 ]; }

# expect_denied NAME CTR-ARGS...: the container's command failed with EPERM
# (ecitest exits with the errno) and dummy is not loaded.
expect_module_denied() {
	_n=$1
	shift
	unload_dummy
	ctr "$@"
	if in_modules dummy; then
		fail "$_n" "dummy was loaded: $CTR_OUT"
	elif [ "$CTR_STATUS" -ne 1 ] || ! echo "$CTR_OUT" | grep -q 'Operation not permitted'; then
		fail "$_n" "expected EPERM, got status $CTR_STATUS: $CTR_OUT"
	else
		pass "$_n"
	fi
}

expect_module_loaded() {
	_n=$1
	shift
	unload_dummy
	ctr "$@"
	if [ "$CTR_STATUS" -eq 0 ] && in_modules dummy; then
		pass "$_n"
	else
		fail "$_n" "status $CTR_STATUS, dummy loaded: $(in_modules dummy && echo yes || echo no): $CTR_OUT"
	fi
	unload_dummy
}

enforcer_loaded || enforcer_load >/dev/null

# --- the host and unprotected containers are untouched -----------------------
unload_dummy
if ecitest finit_module "$KO" && in_modules dummy; then
	pass "host: finit_module works with the enforcer loaded"
else
	fail "host: finit_module works with the enforcer loaded" "dummy not loaded"
fi
unload_dummy
if insmod "$KO" && in_modules dummy; then
	pass "host: busybox insmod works with the enforcer loaded"
else
	fail "host: busybox insmod works with the enforcer loaded" "dummy not loaded"
fi
expect_module_loaded "unprotected container: finit_module works" --unprotected -- ecitest finit_module /dummy.ko
expect_module_loaded "unprotected container: init_module works" --unprotected -- ecitest init_module /dummy.ko
expect_module_loaded "unprotected container: insmod works" --unprotected -- insmod /dummy.ko

# --- protected privileged containers can't -----------------------------------
expect_module_denied "protected container: finit_module denied" -- ecitest finit_module /dummy.ko
expect_module_denied "protected container: init_module denied" -- ecitest init_module /dummy.ko
expect_module_denied "protected container: busybox insmod denied" -- insmod /dummy.ko

# The enforcer outlives its loader: no ecictl process but the event daemon
# (which only reads the ring buffer) exists during the attack.
loaders=
for p in $(pidof ecictl); do
	case " $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" in
	*" daemon "*) ;;
	*) loaders="$loaders $p" ;;
	esac
done
if [ -n "$loaders" ]; then
	fail "enforcement survives the loader's exit" "an ecictl process other than the daemon is running:$loaders"
else
	expect_module_denied "enforcement survives the loader's exit" -- ecitest finit_module /dummy.ko
fi

# --- autoload: request_module() on behalf of the container --------------------
unload_dummy
ctr -- ip link add eci0 type dummy
if in_modules dummy; then
	fail "protected container: module autoload denied" "dummy was autoloaded: $CTR_OUT"
elif [ "$CTR_STATUS" -eq 0 ]; then
	fail "protected container: module autoload denied" "ip link add succeeded: $CTR_OUT"
else
	pass "protected container: module autoload denied"
fi
unload_dummy
ctr --unprotected -- ip link add eci0 type dummy
if [ "$CTR_STATUS" -eq 0 ] && in_modules dummy; then
	pass "unprotected container: module autoload works"
else
	fail "unprotected container: module autoload works" "status $CTR_STATUS: $CTR_OUT"
fi
unload_dummy
if ip link add eci0 type dummy && in_modules dummy; then
	pass "host: module autoload works with the enforcer loaded"
else
	fail "host: module autoload works with the enforcer loaded" "dummy not autoloaded"
fi
unload_dummy

# --- a sub-cgroup made inside the container is protected too -----------------
# The container mounts cgroup2 itself, makes a child of its own cgroup, moves
# into it and tries again.
SUBCG='mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg &&
	d=/tmp/cg$(cut -d: -f3 /proc/self/cgroup)/child && mkdir "$d" &&
	echo $$ >"$d/cgroup.procs" && cut -d: -f3 /proc/self/cgroup &&
	exec ecitest finit_module /dummy.ko'
expect_module_denied "protected container: a sub-cgroup it creates is protected" -- sh -c "$SUBCG"
case $CTR_OUT in
*/child*) pass "protected container: the process really moved to the sub-cgroup" ;;
*) fail "protected container: the process really moved to the sub-cgroup" "$CTR_OUT" ;;
esac
expect_module_loaded "unprotected container: the same sub-cgroup move loads the module" --unprotected -- sh -c "$SUBCG"

# --- kexec ------------------------------------------------------------------
# Every check loads a kernel with kexec_file_load first; a kernel built
# without it (Debian's arm64 kernels: CONFIG_KEXEC_FILE off) can show none of
# them, kexec_load's unload included (with nothing loaded it changes nothing).
if ecitest kexec_file_unload 2>&1 | grep -q 'Function not implemented'; then
	for n in 'protected container: kexec_file_load denied' \
		'unprotected container: kexec_file_load works' \
		'protected container: kexec_load denied' \
		'unprotected container: kexec_load works' \
		'host: kexec_file_load works with the enforcer loaded'; do
		skip "$n" "this kernel has no kexec_file_load to load the image the check needs"
	done
else
	ecitest kexec_file_unload 2>/dev/null
	ctr -- ecitest kexec_file_load /vmlinuz
	if kexec_loaded; then
		fail "protected container: kexec_file_load denied" "a kexec kernel got loaded: $CTR_OUT"
	elif [ "$CTR_STATUS" -eq 1 ]; then
		pass "protected container: kexec_file_load denied"
	else
		fail "protected container: kexec_file_load denied" "status $CTR_STATUS: $CTR_OUT"
	fi
	ctr --unprotected -- ecitest kexec_file_load /vmlinuz
	if [ "$CTR_STATUS" -eq 0 ] && kexec_loaded; then
		pass "unprotected container: kexec_file_load works"
	else
		fail "unprotected container: kexec_file_load works" "status $CTR_STATUS: $CTR_OUT"
	fi
	# kexec_load with no segments replaces (unloads) the loaded kernel: an effect
	# a protected container must not have.
	ecitest kexec_file_load "$KERNEL"
	ctr -- ecitest kexec_load_unload
	if kexec_loaded && [ "$CTR_STATUS" -eq 1 ]; then
		pass "protected container: kexec_load denied"
	else
		fail "protected container: kexec_load denied" "status $CTR_STATUS, kexec_loaded $(cat /sys/kernel/kexec_loaded): $CTR_OUT"
	fi
	ctr --unprotected -- ecitest kexec_load_unload
	if ! kexec_loaded && [ "$CTR_STATUS" -eq 0 ]; then
		pass "unprotected container: kexec_load works"
	else
		fail "unprotected container: kexec_load works" "status $CTR_STATUS, kexec_loaded $(cat /sys/kernel/kexec_loaded): $CTR_OUT"
	fi
	if ecitest kexec_file_load "$KERNEL" && kexec_loaded && ecitest kexec_file_unload && ! kexec_loaded; then
		pass "host: kexec_file_load works with the enforcer loaded"
	else
		fail "host: kexec_file_load works with the enforcer loaded" "kexec_loaded $(cat /sys/kernel/kexec_loaded)"
	fi
fi

# --- audit mode: counted, reported, not denied -------------------------------
mkdir -p /sys/fs/cgroup/eci/audit1
ecictl container add --audit /eci/audit1 >/dev/null
before=$(ecictl status | awk '$1 == "kernel_read_file" { print $4 }')
unload_dummy
sh -c 'echo $$ >/sys/fs/cgroup/eci/audit1/cgroup.procs && exec ecitest finit_module '"$KO"
after=$(ecictl status | awk '$1 == "kernel_read_file" { print $4 }')
if in_modules dummy && [ "$after" -eq $((before + 1)) ]; then
	pass "audit mode: the module loads and the audit is counted"
else
	fail "audit mode: the module loads and the audit is counted" "loaded: $(in_modules dummy && echo yes || echo no), audits $before -> $after"
fi
unload_dummy
ecictl container rm /eci/audit1 >/dev/null
rmdir /sys/fs/cgroup/eci/audit1

exit 0
