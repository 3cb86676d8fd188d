#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Device policy (issue 4): a privileged container sees the VM's device nodes
# but opens, creates and mounts only the default set and what was assigned.
# Each attack is also run in an unprotected container, where it must work;
# the effect checked is the data read or the node or mount made.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null
# loop-control only exists once the module is in; eci-ctr copies /dev as it is.
modprobe loop 2>/dev/null
VDA=$(cat /sys/block/vda/dev)
MAJ=${VDA%:*}
MIN=${VDA#*:}
READ_VDA='head -c 512 /dev/vda | wc -c'

# denied NAME WANT-OUT CTR-ARGS...: the protected run printed no WANT-OUT and
# said EPERM; the unprotected run of the same command printed WANT-OUT.
attack() {
	_n=$1 _want=$2
	shift 2
	ctr --unprotected -- sh -c "$*"
	if [ "$CTR_OUT" != "$_want" ]; then
		fail "$_n" "unprotected baseline printed '$CTR_OUT', expected '$_want'"
		return
	fi
	ctr -- sh -c "$*"
	case $CTR_OUT in
	*"$_want"*) fail "$_n" "protected container got through: $CTR_OUT" ;;
	# busybox mount words EPERM as "permission denied (are you root?)".
	*"Operation not permitted"* | *"are you root?"*) pass "$_n" ;;
	*) fail "$_n" "expected EPERM, got: $CTR_OUT" ;;
	esac
}

attack "read /dev/vda (the VM disk) denied" 512 "$READ_VDA"
case $(uname -m) in
aarch64)
	# arm64's read() of /dev/mem serves no address: RAM is refused
	# (devmem_is_allowed, STRICT_DEVMEM), the rest is outside
	# valid_phys_addr_range. What the open gives is mmap of device memory,
	# so the open is the attack; the io_uring worker's is shown on the VM
	# disk, whose bytes it reads.
	attack "open /dev/mem denied" ok 'exec 3</dev/mem && echo ok'
	attack "open of /dev/vda from an io_uring worker denied" 16 'ecitest uring_open /dev/vda'
	;;
*)
	attack "read /dev/mem denied" 16 'head -c 16 /dev/mem | wc -c'
	# io_uring's worker threads sit in the submitter's cgroup: judged the same.
	attack "open of /dev/mem from an io_uring worker denied" 16 'ecitest uring_open /dev/mem'
	;;
esac
attack "read /dev/kmsg denied" 1 'head -n 1 /dev/kmsg | wc -l'
attack "open /dev/loop-control denied" ok 'exec 3</dev/loop-control && echo ok'
attack "mknod of vda's numbers under another name denied" 512 \
	"mknod /tmp/disk b $MAJ $MIN && head -c 512 /tmp/disk | wc -c"
attack "mount of the VM disk denied" secret \
	'mkdir -p /mnt && mount /dev/vda /mnt && cat /mnt/secret >/dev/null && echo secret'

# --setup: runc made real nodes for the VM's devices (mknod in the protected
# cgroup) instead of falling back to bind mounts of the VM's own /dev nodes,
# which a container could chmod for the whole VM.
ctr -- sh -c '[ -b /dev/vda ] && grep -c " /dev/vda " /proc/self/mountinfo'
case $CTR_OUT in
0) pass "setup: the runtime's /dev nodes are the container's own, not binds of the VM's" ;;
*) fail "setup: the runtime's /dev nodes are the container's own, not binds of the VM's" "$CTR_OUT" ;;
esac
ctr -- sh -c "mknod /tmp/disk b $MAJ $MIN; ls /tmp/disk"
case $CTR_OUT in
*"No such file"*) pass "a denied mknod leaves no node behind" ;;
*) fail "a denied mknod leaves no node behind" "$CTR_OUT" ;;
esac

# The defaults keep working, and looking at a device is not using it.
ctr -- sh -c 'echo x >/dev/null && head -c 8 /dev/zero | wc -c && head -c 8 /dev/urandom | wc -c &&
	head -c 8 /dev/random | wc -c && exec 3<>/dev/ptmx && echo ptmx'
if [ "$CTR_STATUS" -eq 0 ] && [ "$(echo $CTR_OUT)" = "8 8 8 ptmx" ]; then
	pass "null, zero, urandom, random and ptmx work in a protected container"
else
	fail "null, zero, urandom, random and ptmx work in a protected container" "status $CTR_STATUS: $CTR_OUT"
fi
ctr -- sh -c 'echo x >/dev/full'
case $CTR_OUT in
*"No space left"*) pass "/dev/full opens (and is full)" ;;
*) fail "/dev/full opens (and is full)" "$CTR_OUT" ;;
esac
ctr -- sh -c ': </dev/tty'
case $CTR_OUT in
*"Operation not permitted"*) fail "/dev/tty is not denied" "$CTR_OUT" ;;
*) pass "/dev/tty is not denied" ;;
esac
ctr -- sh -c "[ -e /dev/vda ] && [ -b /dev/vda ] && stat -c '%t:%T' /dev/vda && ls -l /dev/mem >/dev/null && echo seen"
case $CTR_OUT in
*seen*) pass "stat and access(F_OK) on denied devices still work" ;;
*) fail "stat and access(F_OK) on denied devices still work" "$CTR_OUT" ;;
esac
ctr -- sh -c 'mknod /tmp/nul c 1 3 && echo x >/tmp/nul && echo made'
case $CTR_OUT in
*made*) pass "mknod of an allowed device (null) works" ;;
*) fail "mknod of an allowed device (null) works" "$CTR_OUT" ;;
esac

# Assigned devices: this container only, and only the access it was given.
ctr --device "b $MAJ:$MIN r" -- sh -c "$READ_VDA"
if [ "$CTR_STATUS" -eq 0 ] && [ "$CTR_OUT" = 512 ]; then
	pass "a device assigned read-only can be read"
else
	fail "a device assigned read-only can be read" "status $CTR_STATUS: $CTR_OUT"
fi
ctr --device "b $MAJ:$MIN r" -- sh -c ': >/dev/vda'
case $CTR_OUT in
*"Operation not permitted"*) pass "a device assigned read-only can't be opened for writing" ;;
*) fail "a device assigned read-only can't be opened for writing" "$CTR_OUT" ;;
esac
# The VM has vda mounted read-write, so a second mount shares that superblock
# and needs w as well ("mount -o ro" would be EBUSY, whoever asks).
ctr --device "b $MAJ:$MIN r" -- sh -c 'mkdir -p /mnt && mount /dev/vda /mnt && echo mounted'
case $CTR_OUT in
*"are you root?"*) pass "a device assigned read-only can't be mounted read-write" ;;
*) fail "a device assigned read-only can't be mounted read-write" "$CTR_OUT" ;;
esac
ctr --device "b $MAJ:$MIN rw" -- sh -c 'mkdir -p /mnt && mount /dev/vda /mnt && cat /mnt/secret >/dev/null && echo secret'
case $CTR_OUT in
secret) pass "a device assigned read-write can be mounted" ;;
*) fail "a device assigned read-write can be mounted" "$CTR_OUT" ;;
esac
ctr -- sh -c "$READ_VDA"
case $CTR_OUT in
*"Operation not permitted"*) pass "the same device in another protected container is denied" ;;
*) fail "the same device in another protected container is denied" "$CTR_OUT" ;;
esac

# A device fd handed over a unix socket: file_receive.
mkdir -p /run/ecifd
for mode in unprotected protected; do
	rm -f /run/ecifd/sock
	ecitest sendfd /run/ecifd/sock /dev/vda &
	sender=$!
	if [ $mode = unprotected ]; then
		ctr --unprotected --mount /run/ecifd:/run/ecifd -- ecitest recvfd /run/ecifd/sock
		base=$CTR_OUT
	else
		ctr --allow-bind /run/ecifd --mount /run/ecifd:/run/ecifd -- ecitest recvfd /run/ecifd/sock
	fi
	kill $sender 2>/dev/null
	wait $sender 2>/dev/null
done
if [ "$base" != 512 ]; then
	fail "a device fd received over a socket is refused" "unprotected baseline read '$base'"
else
	case $CTR_OUT in
	*512*) fail "a device fd received over a socket is refused" "protected read it: $CTR_OUT" ;;
	*refused*) pass "a device fd received over a socket is refused" ;;
	*) fail "a device fd received over a socket is refused" "$CTR_OUT" ;;
	esac
fi

out=$(ecictl status | awk '$1 == "file_open" { print $3 }')
[ "${out:-0}" -gt 0 ] && pass "device denials are counted" || fail "device denials are counted" "file_open denials: '$out'"
exit 0
