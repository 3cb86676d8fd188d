#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# FUSE (issue 14, compatibility): a container with /dev/fuse assigned mounts
# a FUSE filesystem of its own and reads a file its server serves; without it
# assigned the device policy refuses the open of /dev/fuse, which works in an
# unprotected container. The server is ecitest fuse_hello (the kernel's
# protocol, no libfuse), and the effect checked is the file's content.
# fusectl, the VM's FUSE connections, is refused by type in 36-mediate.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null

. "$(dirname "$0")/refused.sh"

# fuse is a module on Debian's kernels; its /dev/fuse appears once it is in,
# and eci-ctr copies /dev as it is.
[ -d /sys/module/fuse ] || insmod "/lib/modules/$(uname -r)/kernel/fs/fuse/fuse.ko"
MARKER=eci-fuse-hello
# The marker read through the mount, or a FUSE mount of its own left behind.
FUSE='mkdir -p /tmp/f && ecitest fuse_hello /tmp/f; st=$?
grep -q "^eci /tmp/f fuse" /proc/self/mounts && echo "a fuse mount remains"; exit $st'

ctr --unprotected -- sh -c "$FUSE"
if [ "$CTR_STATUS" = 0 ] && [ "$CTR_OUT" = $MARKER ]; then
	base=ok
else
	base="status $CTR_STATUS: $CTR_OUT"
fi

N="with /dev/fuse assigned: a FUSE filesystem of its own, its file read"
drain
ctr --device 'c 10:229 rwm' -- sh -c "$FUSE"
if [ "$base" != ok ]; then
	fail "$N" "the unprotected baseline failed: $base"
elif [ "$CTR_STATUS" = 0 ] && [ "$CTR_OUT" = $MARKER ]; then
	pass "$N"
else
	fail "$N" "status $CTR_STATUS: $CTR_OUT $(ecictl events | tail -n 3)"
fi

drain
ctr -- sh -c "$FUSE"
case $CTR_OUT in
*$MARKER* | *"fuse mount remains"*) eff="it mounted FUSE: $CTR_OUT" ;;
*) eff=none ;;
esac
# The trap names the device, so it is this open's and not another's.
refused "without /dev/fuse assigned: its open refused" file_open "$base" "$eff" '"device":"c 10:229"'
exit 0
