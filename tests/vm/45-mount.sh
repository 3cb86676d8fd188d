#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Mount policy (issue 3). VM directories stay out of protected containers by
# every route; the mounts a container starts with keep their state; what it
# mounts for itself stays free. Each attack also runs unprotected, where it
# must work, and the effect checked is the data seen or the state changed.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null
# The VM loads what its containers can't: overlay for the compatibility test.
modprobe overlay 2>/dev/null
VMDIR=/var/lib/vmdata # the VM's data disk: /var/lib/vmdata/secret
SECRET=$(cat $VMDIR/secret)
SHARED=/srv/shared
mkdir -p $SHARED/sub $SHARED/rofs
echo shared-data >$SHARED/sub/file
ln -sfn $VMDIR $SHARED/link
cat >/tmp/settings.json <<EOF
{"filesharingAllowedDirectories": [{"path": "$SHARED", "sharedByDefault": true}]}
EOF
if ! out=$(ecictl settings apply /tmp/settings.json 2>&1); then
	fail "settings with a file-sharing directory apply" "$out"
fi

# A socket standing in for the engine's (the settings' default paths).
mkdir -p /run /var/run
rm -f /run/docker.sock
ecitest sendfd /run/docker.sock $VMDIR/secret >/dev/null 2>&1 &
SOCK_PID=$!
i=0
while [ ! -S /run/docker.sock ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ecictl settings apply /tmp/settings.json >/dev/null 2>&1 # stat the socket now it exists

# refused_start NAME WANT CMD MOUNT-ARGS...: with MOUNT-ARGS, an unprotected
# container runs CMD and prints WANT; a protected one does not start, and
# runc names the refused mount.
refused_start() {
	_n=$1 _want=$2 _cmd=$3
	shift 3
	ctr --unprotected "$@" -- sh -c "$_cmd"
	if [ "$CTR_OUT" != "$_want" ]; then
		fail "$_n" "unprotected baseline printed '$CTR_OUT', expected '$_want'"
		return
	fi
	ctr "$@" -- sh -c "$_cmd"
	case "$CTR_STATUS:$CTR_OUT" in
	*"$_want"*) fail "$_n" "protected container got it: $CTR_OUT" ;;
	125:*"operation not permitted"*) pass "$_n" ;;
	*) fail "$_n" "expected runc to fail with EPERM, got $CTR_STATUS: $CTR_OUT" ;;
	esac
}

refused_start "runtime bind of a VM directory refused" "$SECRET" 'cat /x/secret' \
	--mount $VMDIR:/x
refused_start "runtime bind of / refused" "$SECRET" "cat /host$VMDIR/secret" --mount /:/host
refused_start "runtime bind of /etc refused" yes '[ -f /x/passwd ] && echo yes' --mount /etc:/x
refused_start "symlink in the source leading out of a shared directory refused" "$SECRET" \
	'cat /x/secret' --mount $SHARED/link:/x
refused_start "'..' in the source refused" "$SECRET" 'cat /x/secret' \
	--mount $SHARED/../../var/lib/vmdata:/x
refused_start "engine socket bind refused" yes '[ -S /s ] && echo yes' --mount /run/docker.sock:/s
refused_start "a directory holding the engine socket refused" yes '[ -S /s/docker.sock ] && echo yes' \
	--mount /run:/s

# A recursive bind of an allowed directory must not carry a VM mount along.
mkdir -p $SHARED/carried
mount --bind $VMDIR $SHARED/carried
refused_start "recursive bind carrying a VM mount refused" "$SECRET" 'cat /s/carried/secret' \
	--mount $SHARED:/s
umount $SHARED/carried

ctr --mount $SHARED:/s -- cat /s/sub/file
check "bind of a file-sharing directory works" [ "$CTR_OUT" = shared-data ]
ctr --mount $SHARED//sub/.:/s -- cat /s/file
check "'//' and '.' in an allowed source are fine" [ "$CTR_OUT" = shared-data ]
ctr --socket --mount /run/docker.sock:/s -- sh -c '[ -S /s ] && echo yes'
check "the engine socket binds for a container allowed to" [ "$CTR_OUT" = yes ]

# connect() is judged by the socket's inode: a hard link (same filesystem,
# /run) is another path to the same socket.
LINKDIR=/run/eci-link
mkdir -p $LINKDIR
connect_as() { # CTR-ARGS...: connect to the engine socket through the link
	rm -f /run/docker.sock
	ecitest sendfd /run/docker.sock $VMDIR/secret >/dev/null 2>&1 &
	i=0
	while [ ! -S /run/docker.sock ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	ln -f /run/docker.sock $LINKDIR/engine.sock
	ecictl settings apply /tmp/settings.json >/dev/null 2>&1 # the new socket's inode
	ctr "$@" --allow-bind $LINKDIR --mount $LINKDIR:/s -- ecitest connect /s/engine.sock
}
kill $SOCK_PID 2>/dev/null
connect_as --unprotected
base=$CTR_OUT
connect_as
case "$base|$CTR_OUT" in
"ok|"*"Operation not permitted"*) pass "connect to the engine socket by another path refused" ;;
*) fail "connect to the engine socket by another path refused" "unprotected: $base; protected: $CTR_OUT" ;;
esac
connect_as --socket
check "connect to the engine socket works for a container allowed to" [ "$CTR_OUT" = ok ]
rm -rf $LINKDIR

# Routes a runtime's config could take through /proc: runc's own root is the
# VM's, so /proc/self/root leads to any VM directory.
refused_start "runtime bind through the /proc/self/root magic link refused" "$SECRET" \
	'cat /x/secret' --mount /proc/self/root$VMDIR:/x

# Inside the container, a VM directory's fd handed in over a socket in the
# shared directory: /proc/self/fd/3 leads out of the container's root. (Binds
# and open_tree clones from there are refused by the kernel already: their
# mount is not in the container's namespace; eci refuses them too, before.)
ecitest sendfd $SHARED/fd.sock $VMDIR >/dev/null 2>&1 &
ctr --unprotected --mount $SHARED:/s -- ecitest recvfd_exec /s/fd.sock \
	chroot /proc/self/fd/3 /no-such-program
case $CTR_OUT in
*"can't execute"*)
	ecitest sendfd $SHARED/fd.sock $VMDIR >/dev/null 2>&1 &
	ctr --mount $SHARED:/s -- ecitest recvfd_exec /s/fd.sock chroot /proc/self/fd/3 /no-such-program
	case $CTR_OUT in
	*"can't change root directory"*"Operation not permitted"*)
		pass "chroot to a VM directory refused" ;;
	*) fail "chroot to a VM directory refused" "expected EPERM, got: $CTR_OUT" ;;
	esac ;;
*) fail "chroot to a VM directory refused" "unprotected baseline did not chroot: $CTR_OUT" ;;
esac
rm -f $SHARED/fd.sock

# Initial mounts keep their state. $RESET (if set) runs on the VM between the
# unprotected and the protected run, to undo what the baseline changed.
RESET=true
inside_state() { # NAME CHECK-CMD ATTACK-CMD MOUNT-ARGS...: CHECK-CMD after
	_n=$1 _chk=$2 _cmd=$3
	shift 3
	ctr --unprotected "$@" -- sh -c "$_cmd; $_chk && echo changed"
	case $CTR_OUT in
	*changed) ;;
	*) fail "$_n" "unprotected baseline did not change: $CTR_OUT"; return ;;
	esac
	eval "$RESET"
	ctr "$@" -- sh -c "$_cmd; $_chk && echo changed"
	case $CTR_OUT in
	*changed) fail "$_n" "protected container changed it: $CTR_OUT" ;;
	*"Operation not permitted"* | *"are you root?"*) pass "$_n" ;;
	*) fail "$_n" "expected EPERM, got: $CTR_OUT" ;;
	esac
}
RESET="rm -f $SHARED/new"
inside_state "remount rw of a read-only bind refused" 'touch /ro/new' \
	'mount -o remount,rw,bind /ro' --mount $SHARED:/ro:ro
inside_state "mount_setattr clearing read-only refused" 'touch /ro/new' 'ecitest setattr_rw /ro' \
	--mount $SHARED:/ro:ro
mount -t tmpfs -o ro tmpfs $SHARED/rofs
RESET="rm -f $SHARED/rofs/new; mount -o remount,ro $SHARED/rofs"
inside_state "superblock remount rw of a read-only filesystem refused" 'touch /rofs/new' \
	'mount -o remount,rw /rofs' --mount $SHARED/rofs:/rofs
eval "$RESET"
# The superblock's options (after " - ") say rw for every mount of it.
SB_RW='grep " /rofs " /proc/self/mountinfo | grep -q " - tmpfs tmpfs rw"'
inside_state "fspick reconfigure rw refused" "$SB_RW" 'ecitest fspick_rw /rofs' \
	--mount $SHARED/rofs:/rofs
rm -f $SHARED/new
umount $SHARED/rofs
RESET=true
inside_state "unmounting /proc refused" '! [ -e /proc/self ]' 'umount -l /proc' --mask
inside_state "unmounting the /proc/kcore mask refused" '! [ -c /proc/kcore ]' 'umount /proc/kcore' \
	--mask
inside_state "moving the /proc/kcore mask away refused" '! [ -c /proc/kcore ]' \
	'touch /tmp/m && mount --move /proc/kcore /tmp/m' --mask
inside_state "moving the /proc/kcore mask away through a symlink refused" '! [ -c /proc/kcore ]' \
	'touch /tmp/m && ln -s /proc/kcore /tmp/lk && mount --move /tmp/lk /tmp/m' --mask
inside_state "moving the /dev/shm mount away refused" 'grep -q " /tmp/m " /proc/self/mountinfo' \
	'mkdir -p /tmp/m && mount --move /dev/shm /tmp/m' --mask
inside_state "an inner mount namespace inherits the lock" '! [ -e /proc/self ]' \
	'unshare -m sh -c "umount -l /proc; [ -e /proc/self ] || echo gone" | grep -q gone && umount -l /proc' \
	--mask

# What the container does for itself stays free.
ctr --mask --mount $SHARED:/ro:ro -- sh -c '
	mkdir -p /t /o/l /o/u /o/w /o/m /b /p
	mount -t tmpfs tmpfs /t && echo x >/t/f && umount /t &&
	mount -t tmpfs tmpfs /o/u && mkdir /o/u/u /o/u/w &&
	mount -t overlay overlay -o lowerdir=/o/l,upperdir=/o/u/u,workdir=/o/u/w /o/m && umount /o/m &&
	mount -t proc proc /p && umount /p &&
	mount --bind /etc /b && mount -o remount,ro,bind /b && mount -o remount,rw,bind /b && umount /b &&
	mount -t tmpfs tmpfs /t && mount --move /t /p && grep " /p " /proc/self/mountinfo | grep -q " - tmpfs " && umount /p &&
	mount -t ramfs ramfs /dev/shm && mount --move /dev/shm /p && grep " /p " /proc/self/mountinfo | grep -q " - ramfs " &&
	grep " /dev/shm " /proc/self/mountinfo | grep -q " - tmpfs " && umount /p &&
	mount -o remount,ro,bind /ro &&
	ecitest fsmount_tmpfs /t && umount /t &&
	ecitest clone_tree /etc /b && umount /b &&
	echo ok'
check "tmpfs, overlay, proc, own binds, remounts, moves (one stacked on /dev/shm too) and the new mount API work inside" \
	[ "$CTR_OUT" = ok ]

kill $SOCK_PID 2>/dev/null
pkill -f 'ecitest sendfd' 2>/dev/null
rm -f /run/docker.sock
echo '{}' >/tmp/settings.json
ecictl settings apply /tmp/settings.json >/dev/null 2>&1
exit $ECI_TEST_FAILS
