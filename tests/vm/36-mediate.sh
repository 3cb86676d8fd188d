#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Complete mediation (issue 14): VM-wide effects through privileges a
# protected container still holds. Each attack is shown working from an
# unprotected container, with its real effect on the VM, then refused (EPERM)
# and trapped (an event of the hook that refused it) from a protected one.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null

. "$(dirname "$0")/refused.sh"

# --- devtmpfs: the VM's own /dev superblock --------------------------------------
DEVT='mkdir -p /tmp/d && mount -t devtmpfs none /tmp/d && echo eci-$$ >/tmp/d/eci-devtmpfs && echo written'
rm -f /dev/eci-devtmpfs
ctr --unprotected -- sh -c "$DEVT"
[ -s /dev/eci-devtmpfs ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
rm -f /dev/eci-devtmpfs
drain
ctr -- sh -c "$DEVT"
[ -e /dev/eci-devtmpfs ] && eff="a file appeared in the VM's /dev" || eff=none
rm -f /dev/eci-devtmpfs
refused "mount -t devtmpfs (a file written in the VM's /dev) refused" sb_remount "$base" "$eff"

# fsopen/fsconfig reaches the same superblock without mount(2)'s string.
FSDEVT='mkdir -p /tmp/d && ecitest fsmount devtmpfs /tmp/d && echo eci >/tmp/d/eci-devtmpfs && echo written'
ctr --unprotected -- sh -c "$FSDEVT"
[ -s /dev/eci-devtmpfs ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
rm -f /dev/eci-devtmpfs
drain
ctr -- sh -c "$FSDEVT"
[ -e /dev/eci-devtmpfs ] && eff="a file appeared in the VM's /dev" || eff=none
rm -f /dev/eci-devtmpfs
refused "fsopen(devtmpfs) + fsmount refused too" sb_remount "$base" "$eff"

# Types outside the allowlist are refused by name even when their superblock
# is new: ramfs is allowed, fusectl is not (the VM's FUSE connections).
# fusectl comes with fuse, a module on 6.1.
[ -d /sys/module/fuse ] || insmod "/lib/modules/$(uname -r)/kernel/fs/fuse/fuse.ko"
ctr --unprotected -- sh -c 'mkdir -p /tmp/f && mount -t fusectl none /tmp/f && echo mounted'
if [ "$CTR_OUT" = mounted ]; then
	drain
	ctr -- sh -c 'mkdir -p /tmp/f && mount -t fusectl none /tmp/f && echo mounted'
	case $CTR_OUT in *mounted*) eff=mounted ;; *) eff=none ;; esac
	refused "mount -t fusectl refused" sb_set_mnt_opts:fs ok "$eff"
else
	echo "ECI-TEST SKIP $ECI_TEST_PREFIX/mount -t fusectl refused: no fusectl here ($CTR_OUT)"
fi

# --- remounting a VM superblock: the container's root is a bind of the VM's
# root tmpfs here, so `mount -o remount,size=` resizes the VM's / -----------------
rootopts() { awk '$2 == "/" && $3 == "tmpfs" { print $4 }' /proc/mounts | tail -n1; }
before=$(rootopts)
ctr --unprotected -- mount -o remount,size=777m /
after=$(rootopts)
mount -o remount,size=50% /
case $after in *size=795648k*) base=ok ;; *) base="options still '$after': $CTR_OUT" ;; esac
# (the VM's own remount may word the default size differently: compare with now)
before=$(rootopts)
drain
ctr -- mount -o remount,size=777m /
after=$(rootopts)
[ "$after" = "$before" ] && eff=none || eff="the VM's / now has '$after'"
mount -o remount,size=50% /
# The container's / is an initial mount: mountlock refuses the new options at
# sb_mount, before the superblock's own sb_remount check is reached.
refused "remount size= of the VM's root tmpfs refused" sb_mount "$base" "$eff"

# --- what stays the container's ----------------------------------------------------
ctr -- sh -c 'mkdir -p /t /p /q /c /r /s && mount -t tmpfs -o size=1m t /t && mount -o remount,size=2m /t &&
	grep -q " /t tmpfs .*size=2048k" /proc/mounts && mount -t proc p /p && mount -t mqueue m /q &&
	mount -t cgroup2 c /c && mount -t ramfs r /r && mount -t sysfs s /s &&
	mount -t devpts -o newinstance d /t && echo ok'
check "tmpfs (and its remount), proc, mqueue, cgroup2, ramfs, sysfs, devpts mount inside" \
	[ "$CTR_OUT" = ok ]

# --- fanotify: a filesystem mark on a VM directory bound in ------------------------
# Every VM open on that filesystem hands the listener an fd of the file.
mkdir -p /srv/eci-shared
echo "vm-secret-$$" >/root/eci-secret
FAN='ecitest fanotify /shared 6'
fan_run() { # OPTS...: run the listener, have the VM open its secret meanwhile
	eci-ctr "$@" --mount /srv/eci-shared:/shared -- $FAN >/tmp/fan.out 2>&1 &
	_p=$!
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		sleep 1
		cat /root/eci-secret >/dev/null
	done
	wait $_p
	CTR_STATUS=$?
	CTR_OUT=$(cat /tmp/fan.out)
}
fan_run --unprotected
case $CTR_OUT in *"vm-secret-$$"*) base=ok ;; *) base="status $CTR_STATUS: $CTR_OUT" ;; esac
drain
fan_run --allow-bind /srv/eci-shared
case $CTR_OUT in *"vm-secret-$$"*) eff="read the VM's file" ;; *) eff=none ;; esac
refused "fanotify FAN_MARK_FILESYSTEM on a bound-in VM directory refused" path_notify "$base" "$eff"
# The file is opened once the listener says it has marked (a fixed sleep lost
# the race on a loaded machine: the open came before the mark).
ctr -- sh -c 'mkdir -p /own /tmp && mount -t tmpfs t /own && echo own-file >/own/f &&
	{ ecitest fanotify /own 8 >/tmp/fan.out & i=0
	while ! grep -q marked /tmp/fan.out && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
	cat /own/f >/dev/null; wait; cat /tmp/fan.out; }'
case $CTR_OUT in
*marked*own-file*) pass "fanotify on a tmpfs of its own still works" ;;
*) fail "fanotify on a tmpfs of its own still works" "$CTR_OUT" ;;
esac
rm -rf /srv/eci-shared /root/eci-secret /tmp/fan.out

# --- kernel memory from a nested runtime's cgroup device program --------------------
# bpf_probe_read_kernel in a device program, leaked one bit per mknod minor:
# the first word of linux_banner ("Linux ve") at the address /proc/kallsyms
# gives.
addr=$(awk '$3 == "linux_banner" { print $1; exit }' /proc/kallsyms)
want=65762078756e694c
KREAD="mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg && mkdir -p /tmp/cg/kread &&
	ecitest kread /tmp/cg/kread $addr"
ctr --unprotected -- sh -c "$KREAD"
[ "$CTR_OUT" = $want ] && base=ok || base="kallsyms $addr: status $CTR_STATUS: $CTR_OUT"
drain
ctr -- sh -c "$KREAD"
case $CTR_OUT in *$want*) eff="read the kernel word" ;; *) eff=none ;; esac
ERR="unknown func bpf_probe_read_kernel|cannot use helper bpf_probe_read_kernel"
refused "a device program reading kernel memory (linux_banner) is not loaded" capable "$base" "$eff"
ERR=

# --- CPU-wide perf events: every VM process's user stack ---------------------------
perf_run() { # OPTS...: sample every CPU while a VM process spins with a marker
	ecitest stack_marker "eci-stack-$$" 60 &
	_v=$!
	ctr "$@" -- ecitest perf_cpu "eci-stack-$$" 10
	kill $_v 2>/dev/null
	wait $_v 2>/dev/null
}
perf_run --unprotected
case $CTR_OUT in *found*) base=ok ;; *) base="status $CTR_STATUS: $CTR_OUT" ;; esac
drain
perf_run
case $CTR_OUT in *found*) eff="sampled the VM process's stack" ;; *) eff=none ;; esac
ERR="Permission denied"
refused "a CPU-wide perf event (a VM process's stack) refused" capable "$base" "$eff"
ERR=
ctr -- ecitest perf user
check "user-mode self-profiling still works" [ "$CTR_STATUS" = 0 ]

exit 0
