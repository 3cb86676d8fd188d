#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The walk over a mount namespace's mounts, on whatever layout the kernel has
# (issue 16): a list before 6.8, an rbtree from 6.8 on (bpf/compat.bpf.h). The
# initial-mount snapshot and the recursive-bind check both walk it. The VM
# namespace is grown first, so the walk crosses a tree of several levels, and
# a mount below the shared directory is put first and last in mount-id order.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null
VMDIR=/var/lib/vmdata
SECRET=$(cat $VMDIR/secret)
SHARED=/srv/walk
MANY=/tmp/eci-many
mkdir -p $SHARED/carried $MANY
echo walk-data >$SHARED/file
cat >/tmp/settings.json <<EOF
{"filesharingAllowedDirectories": [{"path": "$SHARED", "sharedByDefault": true}]}
EOF
out=$(ecictl settings apply /tmp/settings.json 2>&1) || fail "settings with $SHARED apply" "$out"

layout=$(ecictl status | sed -n 's/.*mounts walked as \([a-z]*\) \?\([a-z]*\).*/\2/p')
[ -n "$layout" ] || layout=unknown
T="($layout)"

grow() { # N: N more VM mounts outside the shared directory
	_i=0
	while [ $_i -lt "$1" ]; do
		mkdir -p $MANY/$_i.$$ && mount -t tmpfs tmpfs $MANY/$_i.$$
		_i=$((_i + 1))
	done
}

# carried NAME: a recursive bind of $SHARED with a VM mount below it shows
# the VM's secret unprotected, and is refused protected.
carried() {
	ctr --unprotected --mount $SHARED:/s -- cat /s/carried/secret
	if [ "$CTR_OUT" != "$SECRET" ]; then
		fail "$1" "unprotected baseline printed '$CTR_OUT'"
		return
	fi
	ctr --mount $SHARED:/s -- cat /s/carried/secret
	case "$CTR_STATUS:$CTR_OUT" in
	*"$SECRET"*) fail "$1" "protected container read the VM's secret" ;;
	125:*"operation not permitted"*) pass "$1" ;;
	*) fail "$1" "expected runc to fail with EPERM, got $CTR_STATUS: $CTR_OUT" ;;
	esac
}

# The carried mount first in id order, then 40 more VM mounts after it.
mount --bind $VMDIR $SHARED/carried
grow 40
carried "recursive bind carrying a VM mount (lowest id of 40+) refused $T"
umount $SHARED/carried
# ... and last, after 40 more.
grow 40
mount --bind $VMDIR $SHARED/carried
carried "recursive bind carrying a VM mount (highest id of 80+) refused $T"
umount $SHARED/carried

n=$(wc -l </proc/self/mountinfo)
ctr --mount $SHARED:/s -- sh -c 'cat /s/file; grep -c " /s " /proc/self/mountinfo'
check "recursive VM-side bind of a shared directory works, $n VM mounts walked $T" \
	[ "$CTR_OUT" = "walk-data
1" ]

# The snapshot: a read-only bind recorded at setup can't be remounted rw
# (busybox mount says EPERM as "permission denied (are you root?)").
ctr --unprotected --mount $SHARED:/ro:ro -- sh -c \
	'mount -o remount,rw,bind /ro && touch /ro/new && echo changed'
base=$CTR_OUT
rm -f $SHARED/new
ctr --mount $SHARED:/ro:ro -- sh -c 'mount -o remount,rw,bind /ro && touch /ro/new && echo changed'
case "$base|$CTR_OUT" in
*"|"*changed*) fail "read-only bind can't be remounted read-write $T" "protected: $CTR_OUT" ;;
changed"|"*"Operation not permitted"* | changed"|"*"are you root?"*)
	pass "read-only bind can't be remounted read-write $T" ;;
*) fail "read-only bind can't be remounted read-write $T" "unprotected: $base; protected: $CTR_OUT" ;;
esac
[ -e $SHARED/new ] && fail "no file appeared in the shared directory $T" "$SHARED/new exists"

for d in $MANY/*; do umount "$d" 2>/dev/null; done
rm -rf $MANY $SHARED/new
echo '{}' >/tmp/settings.json
ecictl settings apply /tmp/settings.json >/dev/null 2>&1
exit $ECI_TEST_FAILS
