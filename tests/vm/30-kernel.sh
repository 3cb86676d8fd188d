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
	*"Operation not permitted"*) pass "$1" ;;
	*) fail "$1" "expected EPERM, got status $CTR_STATUS: $CTR_OUT" ;;
	esac
}

# --- the enforcer's own map, reached through a bind of the VM's bpffs ---------
mkdir -p /sys/fs/cgroup/eci/victim
ecictl container add /eci/victim >/dev/null
ctr --mount /sys/fs/bpf:/sys/fs/bpf -- ecitest bpf_map_clear /sys/fs/bpf/eci/map/containers
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

ctr -- ecitest ioperm
expect_eperm "protected container: ioperm denied"
ctr --unprotected -- ecitest ioperm
[ "$CTR_STATUS" -eq 0 ] && pass "unprotected container: ioperm works (baseline)" ||
	fail "unprotected container: ioperm works (baseline)" "$CTR_OUT"

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

# --- perf: kernel-mode events --------------------------------------------------
ctr -- ecitest perf kernel
expect_eperm "protected container: a perf event counting kernel mode denied"
ctr --unprotected -- ecitest perf kernel
[ "$CTR_STATUS" -eq 0 ] && pass "unprotected container: a kernel-mode perf event opens (baseline)" ||
	fail "unprotected container: a kernel-mode perf event opens (baseline)" "$CTR_OUT"
ctr -- ecitest perf user
[ "$CTR_STATUS" -eq 0 ] && pass "protected container: user-mode self-profiling still works" ||
	fail "protected container: user-mode self-profiling still works" "$CTR_OUT"

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
