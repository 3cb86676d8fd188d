#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Global kernel resources (issue 5, first part): bpf(), VM-wide capabilities,
# kernel perf events. Each escape is shown working from an unprotected
# container, with its real effect on the VM, and failing from a protected one.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null

expect_eperm() { # NAME: the last protected run failed with EPERM
	case $CTR_OUT in
	# busybox mount words EPERM as "permission denied (are you root?)".
	*"Operation not permitted"* | *"are you root?"*) pass "$1" ;;
	*) fail "$1" "expected EPERM, got status $CTR_STATUS: $CTR_OUT" ;;
	esac
}

# --- the enforcer's own map, reached through a bind of the VM's bpffs ---------
mkdir -p /sys/fs/cgroup/eci/victim
ecictl container add /eci/victim >/dev/null
# The mount policy refuses this bind by default; allowed here (as a runtime
# could), bpf() must still refuse the map.
ctr --mount /sys/fs/bpf:/sys/fs/bpf -- true
case "$CTR_STATUS:$CTR_OUT" in
125:*"operation not permitted"*) pass "protected container: the VM's bpffs can't be bound in" ;;
*) fail "protected container: the VM's bpffs can't be bound in" "status $CTR_STATUS: $CTR_OUT" ;;
esac
ctr --allow-bind /sys/fs/bpf --mount /sys/fs/bpf:/sys/fs/bpf -- \
	ecitest bpf_map_clear /sys/fs/bpf/eci/map/containers
expect_eperm "protected container: the enforcer's pinned map can't be opened"
if ecictl container ls | grep -q ' victim '; then
	pass "protected container: the enforcer's map is intact"
else
	fail "protected container: the enforcer's map is intact" "victim entry gone"
fi
ctr --unprotected --mount /sys/fs/bpf:/sys/fs/bpf -- ecitest bpf_map_clear /sys/fs/bpf/eci/map/containers
if [ "$CTR_STATUS" -eq 0 ] && ! ecictl container ls | grep -q ' victim '; then
	pass "unprotected container: the same attack empties the map (baseline)"
else
	fail "unprotected container: the same attack empties the map (baseline)" "status $CTR_STATUS: $CTR_OUT"
fi
rmdir /sys/fs/cgroup/eci/victim
ctr -- ecitest bpf_map_create
expect_eperm "protected container: bpf(BPF_MAP_CREATE) denied"
ctr --unprotected -- ecitest bpf_map_create
[ "$CTR_STATUS" -eq 0 ] && pass "unprotected container: bpf(BPF_MAP_CREATE) works" ||
	fail "unprotected container: bpf(BPF_MAP_CREATE) works" "$CTR_OUT"

# --- capabilities with a VM-wide effect ---------------------------------------
year=$(date +%Y)
ctr -- date -s 2031-01-01
if [ "$(date +%Y)" = "$year" ]; then
	expect_eperm "protected container: setting the VM's clock denied"
else
	fail "protected container: setting the VM's clock denied" "the clock moved to $(date)"
fi
now=$(date +%s)
ctr --unprotected -- date -s 2031-01-01
if [ "$(date +%Y)" = 2031 ]; then
	pass "unprotected container: setting the VM's clock works (baseline)"
else
	fail "unprotected container: setting the VM's clock works (baseline)" "$CTR_OUT"
fi
date -s "@$now" >/dev/null

echo "eci-test marker" >/dev/kmsg
ctr -- dmesg -c
if dmesg | grep -q 'eci-test marker'; then
	expect_eperm "protected container: dmesg -c (clear the VM's log) denied"
else
	fail "protected container: dmesg -c (clear the VM's log) denied" "the log was cleared"
fi
ctr -- dmesg
expect_eperm "protected container: reading the VM's kernel log denied"
ctr --unprotected -- dmesg -c
if [ "$CTR_STATUS" -eq 0 ] && ! dmesg | grep -q 'eci-test marker'; then
	pass "unprotected container: dmesg -c clears the VM's log (baseline)"
else
	fail "unprotected container: dmesg -c clears the VM's log (baseline)" "$CTR_STATUS"
fi

# I/O ports exist on x86 only; an arm64 VM has no ioperm to refuse.
case $(uname -m) in
x86_64 | i?86)
	ctr -- ecitest ioperm
	expect_eperm "protected container: ioperm denied"
	ctr --unprotected -- ecitest ioperm
	[ "$CTR_STATUS" -eq 0 ] && pass "unprotected container: ioperm works (baseline)" ||
		fail "unprotected container: ioperm works (baseline)" "$CTR_OUT"
	;;
*) skip "protected container: ioperm denied" "$(uname -m) has no I/O ports" ;;
esac

ctr -- sh -c 'reboot -f; echo survived'
case $CTR_OUT in
*survived*) pass "protected container: reboot denied (the container survives it)" ;;
*) fail "protected container: reboot denied (the container survives it)" "$CTR_OUT" ;;
esac
ctr --unprotected -- sh -c 'reboot -f; echo survived'
case $CTR_OUT in
*survived*) fail "unprotected container: reboot ends the container (baseline)" "$CTR_OUT" ;;
*) pass "unprotected container: reboot ends the container (baseline)" ;;
esac

# open_by_handle_at ("shocker"): the container's rootfs copy lives on the VM's
# root tmpfs, so a handle made on the VM host opens a VM file from inside.
echo "vm-only-$$" >/root/eci-vm-only
h=$(ecitest handle /root/eci-vm-only)
ctr --unprotected -- ecitest open_by_handle / $h
if [ "$CTR_OUT" = "vm-only-$$" ]; then
	pass "unprotected container: open_by_handle_at reads a VM file (baseline)"
else
	fail "unprotected container: open_by_handle_at reads a VM file (baseline)" "handle '$h': $CTR_OUT"
fi
ctr -- ecitest open_by_handle / $h
case $CTR_OUT in
*"vm-only-$$"*) fail "protected container: open_by_handle_at denied" "it read the file" ;;
*) expect_eperm "protected container: open_by_handle_at denied" ;;
esac
ctr -- sh -c 'echo x >/tmp/f && chmod 000 /tmp/f && cat /tmp/f && ls / >/dev/null && echo ok'
case $CTR_OUT in
*x*ok*) pass "protected container: root still reads its own mode-000 files" ;;
*) fail "protected container: root still reads its own mode-000 files" "$CTR_OUT" ;;
esac

# --- perf: kernel-mode events --------------------------------------------------
ctr -- ecitest perf kernel
# Where the open hook has no attr (6.12), the event is refused earlier, at the
# CAP_SYS_ADMIN fallback of perfmon_capable() (caps), and the kernel says EACCES.
case $CTR_STATUS:$CTR_OUT in
0:*) fail "protected container: a perf event counting kernel mode denied" "it opened" ;;
*"Permission denied"*) pass "protected container: a perf event counting kernel mode denied" ;;
*) expect_eperm "protected container: a perf event counting kernel mode denied" ;;
esac
ctr --unprotected -- ecitest perf kernel
[ "$CTR_STATUS" -eq 0 ] && pass "unprotected container: a kernel-mode perf event opens (baseline)" ||
	fail "unprotected container: a kernel-mode perf event opens (baseline)" "$CTR_OUT"
ctr -- ecitest perf user
[ "$CTR_STATUS" -eq 0 ] && pass "protected container: user-mode self-profiling still works" ||
	fail "protected container: user-mode self-profiling still works" "$CTR_OUT"

# --- sticky confinement: leaving the container's cgroup ------------------------
# stderr into stdout in the container: runc relays the two apart, so their
# lines could otherwise come in any order.
ESCAPE='exec 2>&1; mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg && echo $$ >/tmp/cg/cgroup.procs;
	cut -d: -f3 /proc/self/cgroup; insmod /dummy.ko && echo loaded'
ctr --unprotected -- sh -c "$ESCAPE"
rmmod dummy 2>/dev/null
case $CTR_OUT in
/*loaded*) [ "$(echo "$CTR_OUT" | head -n1)" = / ] &&
	pass "unprotected container: moving itself to the root cgroup works (baseline)" ||
	fail "unprotected container: moving itself to the root cgroup works (baseline)" "$CTR_OUT" ;;
*) fail "unprotected container: moving itself to the root cgroup works (baseline)" "$CTR_OUT" ;;
esac
ctr --name stick -- sh -c "$ESCAPE"
if in_modules dummy; then
	fail "protected container: can't move itself out of its cgroup" "the module got loaded: $CTR_OUT"
	rmmod dummy
else
	case $CTR_OUT in
	*"Operation not permitted"*/eci/stick*"Operation not permitted"*)
		pass "protected container: can't move itself out of its cgroup" ;;
	*) fail "protected container: can't move itself out of its cgroup" "$CTR_OUT" ;;
	esac
fi

INTO='mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg && ecitest clone_into /tmp/cg'
ctr --unprotected -- sh -c "$INTO"
if [ "$CTR_OUT" = "0::/" ]; then
	pass "unprotected container: clone3(CLONE_INTO_CGROUP) puts a child in the root cgroup (baseline)"
else
	fail "unprotected container: clone3(CLONE_INTO_CGROUP) puts a child in the root cgroup (baseline)" "$CTR_OUT"
fi
ctr -- sh -c "$INTO"
case $CTR_OUT in
*"0::/") fail "protected container: clone3(CLONE_INTO_CGROUP) denied" "$CTR_OUT" ;;
*) expect_eperm "protected container: clone3(CLONE_INTO_CGROUP) denied" ;;
esac

# --- escape knobs ---------------------------------------------------------------
# core_pattern: the classic escape. The payload is a VM-host path, run by the
# kernel as root in the VM's namespaces when a process in the container dumps
# core.
cat >/tmp/eci-payload <<'PAYLOAD'
#!/bin/sh
echo "$(id -u) $(cat /proc/1/comm)" >/tmp/eci-pwned
PAYLOAD
chmod 755 /tmp/eci-payload
old_pattern=$(cat /proc/sys/kernel/core_pattern)
CRASH='echo "|/tmp/eci-payload" >/proc/sys/kernel/core_pattern; ulimit -c unlimited;
	sleep 30 & kill -SEGV $!; wait; sleep 1'
rm -f /tmp/eci-pwned
ctr --unprotected -- sh -c "$CRASH"
sleep 1
if [ -s /tmp/eci-pwned ] && [ "$(cut -d' ' -f1 /tmp/eci-pwned)" = 0 ]; then
	pass "unprotected container: core_pattern runs its payload as root on the VM (baseline)"
else
	fail "unprotected container: core_pattern runs its payload as root on the VM (baseline)" \
		"no payload run; core_pattern $(cat /proc/sys/kernel/core_pattern): $CTR_OUT"
fi
echo "$old_pattern" >/proc/sys/kernel/core_pattern
rm -f /tmp/eci-pwned
ctr -- sh -c "$CRASH"
sleep 1
if [ -e /tmp/eci-pwned ] || [ "$(cat /proc/sys/kernel/core_pattern)" != "$old_pattern" ]; then
	fail "protected container: core_pattern can't be written" "payload ran or pattern changed: $CTR_OUT"
else
	expect_eperm "protected container: core_pattern can't be written"
fi
echo "$old_pattern" >/proc/sys/kernel/core_pattern

# attack_knob NAME READ-CMD WRITE-CMD RESTORE-CMD: the write changes what
# READ-CMD prints on the VM host from an unprotected container, and not from
# a protected one (EPERM). $KNOB_OPTS: more eci-ctr options.
KNOB_OPTS=
attack_knob() {
	_n=$1 _read=$2 _write=$3 _restore=$4
	_before=$(sh -c "$_read")
	ctr --unprotected $KNOB_OPTS -- sh -c "$_write"
	_after=$(sh -c "$_read")
	sh -c "$_restore"
	if [ "$_after" = "$_before" ]; then
		fail "$_n" "the unprotected baseline changed nothing ($_before): $CTR_OUT"
		return
	fi
	# Some effects can't be undone (a log line): compare with the state now.
	_before=$(sh -c "$_read")
	ctr $KNOB_OPTS -- sh -c "$_write"
	_after=$(sh -c "$_read")
	if [ "$_after" != "$_before" ]; then
		sh -c "$_restore"
		fail "$_n" "the protected container changed it to $_after: $CTR_OUT"
	else
		expect_eperm "$_n"
	fi
}
attack_knob "kernel.modprobe (a non-namespaced sysctl) can't be written" \
	'cat /proc/sys/kernel/modprobe' 'echo /tmp/x >/proc/sys/kernel/modprobe' \
	'echo /sbin/modprobe >/proc/sys/kernel/modprobe'
attack_knob "vm.* sysctls can't be written" \
	'cat /proc/sys/vm/swappiness' 'echo 13 >/proc/sys/vm/swappiness' \
	"echo $(cat /proc/sys/vm/swappiness) >/proc/sys/vm/swappiness"
attack_knob "/proc/sysrq-trigger can't be written" \
	'dmesg | grep -c "sysrq: HELP"' 'echo h >/proc/sysrq-trigger' 'true'
attack_knob "sysfs (module parameters) can't be written" \
	'cat /sys/module/printk/parameters/time' 'echo N >/sys/module/printk/parameters/time' \
	"echo $(cat /sys/module/printk/parameters/time) >/sys/module/printk/parameters/time"
# Filesystems with global kernel state can't be mounted (fstype.bpf.c)...
for fs in debugfs tracefs securityfs bpf "cgroup -o none,name=ecimnt"; do
	MNT="mkdir -p /tmp/m && mount -t $fs none /tmp/m && echo mounted"
	ctr --unprotected -- sh -c "$MNT"
	if [ "$CTR_OUT" != mounted ]; then
		fail "mount -t $fs denied" "unprotected baseline: $CTR_OUT"
		continue
	fi
	ctr -- sh -c "$MNT"
	case $CTR_OUT in
	*mounted*) fail "mount -t $fs denied" "$CTR_OUT" ;;
	*) expect_eperm "mount -t $fs denied" ;;
	esac
done

# ...and where the VM has them mounted, a bind of them is no way in.
mkdir -p /tmp/v1 && mount -t cgroup -o none,name=ecitest cgroup /tmp/v1
# (--allow-bind: the mount policy would refuse the bind itself; this checks
# the files behind it.)
KNOB_OPTS="--allow-bind /tmp/v1 --mount /tmp/v1:/v1"
attack_knob "cgroup v1 release_agent, bound in from the VM, can't be written" \
	'cat /tmp/v1/release_agent' 'echo /tmp/eci-payload >/v1/release_agent' \
	'echo >/tmp/v1/release_agent'
KNOB_OPTS=
umount /tmp/v1

grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs none /sys/kernel/debug
ctr --unprotected --mount /sys/kernel/debug:/d -- sh -c 'ls /d | wc -l'
base=$CTR_OUT
ctr --allow-bind /sys/kernel/debug --mount /sys/kernel/debug:/d -- sh -c 'ls /d | wc -l'
if [ "${base:-0}" -gt 0 ] 2>/dev/null; then
	expect_eperm "debugfs, bound in from the VM, can't be read"
else
	fail "debugfs, bound in from the VM, can't be read" "unprotected baseline: $base"
fi

# Namespaced sysctls of the container's own namespaces keep working.
fwd=$(cat /proc/sys/net/ipv4/ip_forward)
ctr -- sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward && cat /proc/sys/net/ipv4/ip_forward &&
	echo inner >/proc/sys/kernel/hostname && hostname && echo 4096 >/proc/sys/kernel/msgmax && echo ok'
if [ "$(echo $CTR_OUT)" = "1 inner ok" ] && [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd" ]; then
	pass "net.*, kernel.hostname and IPC sysctls of its own namespaces work, the VM's stay"
else
	fail "net.*, kernel.hostname and IPC sysctls of its own namespaces work, the VM's stay" "$CTR_OUT"
fi

# cgroup v2: its own sub-cgroups are its own; its limits are not.
ctr -- sh -c 'mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg && d=/tmp/cg$(cut -d: -f3 /proc/self/cgroup) &&
	mkdir "$d/sub" && echo 5 >"$d/sub/cgroup.max.descendants" && echo sub-ok;
	echo >"$d/cgroup.subtree_control" && echo top-ok; echo 5 >"$d/cgroup.max.descendants"'
# stdout and stderr may come out of runc in either order.
case $CTR_OUT in
*sub-ok*) case $CTR_OUT in
	*top-ok*) case $CTR_OUT in
		*"max.descendants: Operation not permitted"*) ok=1 ;;
		*) ok=0 ;;
		esac ;;
	*) ok=0 ;;
	esac ;;
*) ok=0 ;;
esac
if [ $ok = 1 ]; then
	pass "cgroup2: its sub-cgroups and its own cgroup.subtree_control writable, its own limits not"
else
	fail "cgroup2: its sub-cgroups and its own cgroup.subtree_control writable, its own limits not" "$CTR_OUT"
fi

# --- what a privileged container keeps ------------------------------------------
ctr -- sh -c 'hostname inner && hostname && mkdir -p /mnt && mount -t tmpfs t /mnt && touch /mnt/x &&
	mount -t proc p /mnt && umount /mnt && ip link set lo up && echo fine'
case $CTR_OUT in
*inner*fine*) pass "protected container: sethostname, mounts, its own network still work" ;;
*) fail "protected container: sethostname, mounts, its own network still work" "$CTR_OUT" ;;
esac
out=$(ecictl status | awk '$1 == "capable" { print $3 }')
[ "${out:-0}" -gt 0 ] && pass "capability denials are counted" || fail "capability denials are counted" "capable denials: '$out'"
exit 0
