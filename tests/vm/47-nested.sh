#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A nested runtime (issues 3 and 5): runc started inside a protected
# privileged container runs its own container. It needs what eci allows a
# nested runtime and nothing more: binds within its tree, pivot_root below its
# root, unmounting its copy of the old root, a sub-cgroup of its own, and a
# cgroup device program attached there. The inner container is protected like
# the outer one: the same attack fails in it.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null
R=/tmp/nest-rootfs
rm -rf $R
cp -a /eci/rootfs $R
# runc and its libraries, at the paths its loader wants.
for f in /usr/sbin/runc /usr/lib/x86_64-linux-gnu/libseccomp.so.2 /usr/lib/x86_64-linux-gnu/libc.so.6 \
	/usr/lib64/ld-linux-x86-64.so.2; do
	[ -e "$f" ] || f=$(echo "$f" | sed 's|^/usr||')
	mkdir -p "$R$(dirname "$f")"
	cp -L "$f" "$R$f"
done
mkdir -p $R/inner
cp -a /eci/rootfs $R/inner/rootfs
cat >$R/inner/config.json <<'JSON'
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
		"args": ["sh", "-c", "echo inner-ok; insmod /dummy.ko 2>&1; grep -c '^dummy ' /proc/modules"],
		"env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
		"capabilities": {
			"bounding": ["CAP_SYS_ADMIN", "CAP_SYS_MODULE", "CAP_MKNOD"],
			"effective": ["CAP_SYS_ADMIN", "CAP_SYS_MODULE", "CAP_MKNOD"],
			"permitted": ["CAP_SYS_ADMIN", "CAP_SYS_MODULE", "CAP_MKNOD"]
		}
	},
	"root": {"path": "rootfs"},
	"mounts": [
		{"destination": "/proc", "type": "proc", "source": "proc"},
		{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}
	],
	"linux": {
		"cgroupsPath": "CGROUP",
		"resources": {"devices": [{"allow": false, "access": "rwm"}]},
		"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]
	}
}
JSON

# The outer container puts the inner one in a sub-cgroup of its own.
NESTED='cg=$(cut -d: -f3 /proc/self/cgroup)/inner
	sed -i "s|CGROUP|$cg|" /inner/config.json
	runc --root /tmp/runc run --bundle /inner inner 2>&1'

ctr --unprotected --rootfs $R -- sh -c "$NESTED"
case $CTR_OUT in
*inner-ok*1) pass "baseline: unprotected, the nested container runs and loads a module" ;;
*) fail "baseline: unprotected, the nested container runs and loads a module" "$CTR_OUT" ;;
esac
rmmod dummy 2>/dev/null

ctr --rootfs $R -- sh -c "$NESTED"
case $CTR_OUT in
*inner-ok*) pass "runc runs a nested container inside a protected privileged container" ;;
*) fail "runc runs a nested container inside a protected privileged container" "$CTR_OUT" ;;
esac
case $CTR_OUT in
*inner-ok*"Operation not permitted"*0)
	if in_modules dummy; then
		fail "the nested container is protected too" "dummy is in /proc/modules"
	else
		pass "the nested container is protected too"
	fi ;;
*) fail "the nested container is protected too" "$CTR_OUT" ;;
esac
rm -rf $R
exit $ECI_TEST_FAILS
