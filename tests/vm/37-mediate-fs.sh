#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Complete mediation, filesystems (issue 14, items 3 and 4): a directory bound
# in from a VM filesystem must not hand over that whole filesystem. Freeze,
# shutdown, trim, quota and file handles are shown acting on the VM's
# filesystem from an unprotected container, then refused and trapped from a
# protected one; initial mounts keep the options the runtime gave them.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null

. "$(dirname "$0")/refused.sh"

# A VM filesystem of the test's own, so that shutting it down harms no other
# test: ext2 (busybox mke2fs) on a loop device over a file in the VM's root
# tmpfs, mounted by the ext4 driver, with a volume directory to bind in.
IMG=/var/tmp/eci-vmfs.img
MNT=/srv/eci-vmfs
LOOP=
modprobe loop 2>/dev/null
newfs() {
	if [ -n "$LOOP" ]; then
		umount "$MNT" 2>/dev/null
		losetup -d "$LOOP" 2>/dev/null
	fi
	mkdir -p /var/tmp "$MNT"
	rm -f "$IMG"
	dd if=/dev/zero of="$IMG" bs=1M count=0 seek=64 2>/dev/null
	LOOP=$(losetup -f) && losetup "$LOOP" "$IMG" && mke2fs "$LOOP" >/dev/null 2>&1 &&
		mount -t ext4 "$LOOP" "$MNT" && mkdir -p "$MNT/vol" &&
		echo "vm-file-$$" >"$MNT/vm-file" && sync
}
if ! newfs; then
	skip "filesystem attacks" "no loop-backed ext4 here (loop $LOOP)"
	exit 0
fi
VOL="--mount $MNT/vol:/vol"
PVOL="--allow-bind $MNT/vol $VOL"

# --- FIFREEZE: every VM writer of the filesystem blocks -----------------------------
# FITHAW from the VM succeeds only on a frozen filesystem.
ctr --unprotected $VOL -- ecitest fsioctl /vol freeze
ecitest fsioctl "$MNT" thaw 2>/dev/null && base=ok || base="status $CTR_STATUS: $CTR_OUT"
drain
ctr $PVOL -- ecitest fsioctl /vol freeze
ecitest fsioctl "$MNT" thaw 2>/dev/null && eff="the VM's filesystem was frozen" || eff=none
refused "FIFREEZE of a VM filesystem through a bind refused" fs_admin "$base" "$eff"

# --- FITRIM: discards the VM filesystem's free space (the blocks of a deleted
# file go back to the loop file's backing tmpfs) ------------------------------------
used() { du -k "$IMG" | cut -f1; }
garbage() { dd if=/dev/zero of="$MNT/junk" bs=1M count=16 2>/dev/null && sync && rm "$MNT/junk" && sync; }
garbage
before=$(used)
ctr --unprotected $VOL -- ecitest fsioctl /vol trim
after=$(used)
[ "$after" -lt $((before - 8192)) ] && base=ok || base="image ${before}k -> ${after}k: $CTR_OUT"
garbage
before=$(used)
drain
ctr $PVOL -- ecitest fsioctl /vol trim
after=$(used)
[ "$after" -lt $((before - 8192)) ] && eff="image ${before}k -> ${after}k" || eff=none
refused "FITRIM of a VM filesystem through a bind refused" fs_admin "$base" "$eff"

# --- quotactl_fd(Q_QUOTAOFF): the VM filesystem's quota switch. This ext2 has
# no quotas to turn off, so the baseline shows the call reaching the VM
# superblock's quota code (success), not a change ----------------------------------
ctr --unprotected $VOL -- ecitest quotaoff /vol
[ "$CTR_STATUS" = 0 ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
drain
ctr $PVOL -- ecitest quotaoff /vol
[ "$CTR_STATUS" = 0 ] && eff="Q_QUOTAOFF done on the VM's filesystem" || eff=none
refused "quotactl_fd(Q_QUOTAOFF) on a VM filesystem through a bind refused" quotactl "$base" "$eff"

# --- open_by_handle_at ("shocker") through the bind: a handle of a VM file
# outside the bound directory opens it -----------------------------------------------
h=$(ecitest handle "$MNT/vm-file")
ctr --unprotected $VOL -- ecitest open_by_handle /vol $h
case $CTR_OUT in *"vm-file-$$"*) base=ok ;; *) base="handle '$h': status $CTR_STATUS: $CTR_OUT" ;; esac
drain
ctr $PVOL -- ecitest open_by_handle /vol $h
case $CTR_OUT in *"vm-file-$$"*) eff="read the VM file" ;; *) eff=none ;; esac
refused "open_by_handle_at of a VM file outside the bound directory refused" capable "$base" "$eff"

# --- reserved blocks (audit F8): a task of another uid that keeps
# CAP_SYS_RESOURCE fills the VM filesystem into the blocks kept for its root
# (busybox mke2fs keeps 5 %). Counted in the VM: blocks free, and free to
# others than root ------------------------------------------------------------------
chmod 1777 "$MNT/vol"
set -- $(stat -f -c '%f %a' "$MNT")
R=$(($1 - $2))
freeblk() { sync && stat -f -c %f "$MNT"; }
ctr --unprotected $VOL -- ecitest fill_as 1000 /vol/fill
f=$(freeblk)
[ "$R" -gt 100 ] && [ "$f" -lt $((R / 2)) ] && base=ok ||
	base="$f blocks left of $R reserved: $CTR_OUT"
rm -f "$MNT/vol/fill"
drain
# The refused capability makes the write fail with ENOSPC.
ERR="No space left"
ctr $PVOL -- ecitest fill_as 1000 /vol/fill
f=$(freeblk)
[ "$f" -lt $((R * 3 / 4)) ] && eff="$f blocks left of $R reserved" || eff=none
refused "CAP_SYS_RESOURCE into a VM filesystem's reserved blocks through a bind refused" capable "$base" "$eff"
ERR=
rm -f "$MNT/vol/fill"

# What a VM user may do on the same files stays: ioctls that ask for no
# capability (the inode flags) and plain reads and writes.
ctr $PVOL -- sh -c 'echo x >/vol/f && ecitest fsioctl /vol/f flags && rm /vol/f && echo ok'
check "inode flag ioctls and writes on the bound-in VM directory still work" [ "$CTR_OUT" = ok ]

# --- EXT4_IOC_SHUTDOWN: the VM's writes to the filesystem fail (last: the
# filesystem is made again after it) -------------------------------------------------
ctr --unprotected $VOL -- ecitest fsioctl /vol shutdown
if (echo x >"$MNT/after") 2>/dev/null; then base="the VM still writes: $CTR_OUT"; else base=ok; fi
newfs || { fail "FS_IOC_SHUTDOWN of a VM filesystem through a bind refused" "cannot make the filesystem again"; exit 0; }
drain
ctr $PVOL -- ecitest fsioctl /vol shutdown
if (echo x >"$MNT/after") 2>/dev/null; then eff=none; else eff="the VM's writes fail"; fi
refused "FS_IOC_SHUTDOWN of a VM filesystem through a bind refused" fs_admin "$base" "$eff"

umount "$MNT" 2>/dev/null
losetup -d "$LOOP" 2>/dev/null
rm -f "$IMG"

# --- /proc/mtrr: opened read-only with CAP_SYS_ADMIN, its ioctls change the
# VM's memory type ranges with no further check. An uncachable range far above
# the VM's memory: harmless, and visible in /proc/mtrr -----------------------------
MTRR_BASE=0x2000000000
if [ -e /proc/mtrr ] && [ "$(uname -m)" = x86_64 ]; then
	# The kernel drops a range when the fd that added it closes: ecitest
	# prints /proc/mtrr while it still holds that fd.
	ctr --unprotected -- ecitest mtrr add $MTRR_BASE 0x100000
	case $CTR_OUT in *"base=$MTRR_BASE"*) base=ok ;; *) base="status $CTR_STATUS: $CTR_OUT" ;; esac
	drain
	ctr -- ecitest mtrr add $MTRR_BASE 0x100000
	case $CTR_OUT in *"base=$MTRR_BASE"*) eff="a range was added" ;; *) eff=none ;; esac
	# Deny by default refuses the open itself (openat has no CAP_SYS_ADMIN
	# entry); fsadmin.bpf.c's file_ioctl rule is behind it.
	refused "MTRRIOC_ADD_ENTRY through /proc/mtrr refused" capable "$base" "$eff"
else
	skip "MTRRIOC_ADD_ENTRY through /proc/mtrr refused" "no /proc/mtrr on this VM"
fi

# --- vsock: no network namespace, so a container's listener takes the VM's
# port (here 80, below 1024) and the connection a client makes to the VM -------------
if modprobe vsock_loopback 2>/dev/null; then
	vs_run() { # OPTS...: listen in a container, connect from the VM (CID 1: local)
		eci-ctr "$@" -- ecitest vsock_listen 80 10 >/tmp/vs.out 2>&1 &
		_p=$!
		for _i in 1 2 3 4 5 6 7 8; do
			sleep 1
			ecitest vsock_send 1 80 "vm-client-$$" 2>/dev/null && break
		done
		wait $_p
		CTR_STATUS=$?
		CTR_OUT=$(cat /tmp/vs.out)
	}
	vs_run --unprotected
	case $CTR_OUT in *"vm-client-$$"*) base=ok ;; *) base="status $CTR_STATUS: $CTR_OUT" ;; esac
	drain
	vs_run
	case $CTR_OUT in *"vm-client-$$"*) eff="took the VM's connection" ;; *) eff=none ;; esac
	refused "a vsock listener on the VM's port 80 refused" socket_create "$base" "$eff"
	rm -f /tmp/vs.out
else
	skip "a vsock listener on the VM's port 80 refused" "no vsock_loopback module"
fi

# --- remounting an initial mount with other options: runc made /dev/shm with
# size=65536k and /dev/pts with ptmxmode=0666 ------------------------------------------------
SHM='mount -o remount,nosuid,nodev,noexec,size=200m /dev/shm && grep " /dev/shm " /proc/mounts'
ctr --unprotected -- sh -c "$SHM"
case $CTR_OUT in *size=204800k*) base=ok ;; *) base="status $CTR_STATUS: $CTR_OUT" ;; esac
drain
ctr -- sh -c "$SHM"
case $CTR_OUT in *size=204800k*) eff="resized: $CTR_OUT" ;; *) eff=none ;; esac
refused "remount size= of an initial mount (/dev/shm) refused" sb_mount "$base" "$eff"

# (A tmpfs reconfiguration ignores mode=; devpts applies its modes.)
PTMX='mount -o remount,nosuid,noexec,ptmxmode=0600 /dev/pts && stat -c %a /dev/pts/ptmx'
ctr --unprotected -- sh -c "$PTMX"
[ "$CTR_OUT" = 600 ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
drain
ctr -- sh -c "$PTMX"
[ "$CTR_OUT" = 600 ] && eff="ptmx mode 600" || eff=none
refused "remount ptmxmode= of an initial mount (/dev/pts) refused" sb_mount "$base" "$eff"

# A remount that only adds a restriction keeps working, busybox's too, which
# repeats the options /proc/mounts shows (size=65536k,mode=1777,inode64).
ctr -- sh -c 'mount -o remount,ro,nosuid,nodev,noexec /dev/shm && grep -q " /dev/shm tmpfs ro," /proc/mounts && echo ok'
check "remount ro of an initial mount (no options) still works" [ "$CTR_OUT" = ok ]

exit 0
