#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Podman in Podman: a `podman run --privileged` container runs the VM's own
# Podman (vfs storage: overlay can't stack on the outer overlay rootfs) and
# starts inner containers; an inner privileged container that loads a module
# is protected too (its cgroup is below the outer one's), and does load it
# without eci. The outer container runs under crun and under runc; the inner
# Podman runs its plain container with crun (its read-only paths are binds of
# /proc/self/fd/N, judged in a nested runtime too) and its privileged one
# with runc: a privileged container's /dev is the VM's nodes, which crun
# makes with mknod, refused after the outer container's setup (devices can't
# be created with mknod), where runc binds them instead.
. "$(dirname "$0")/lib.sh"

# Image eci-pind: busybox, Podman's files, the rootfs again as /rootfs.tar.
make_pind_image() {
	_d=/tmp/pind
	rm -rf $_d
	cp -a /eci/rootfs $_d && cp -a /opt/eci-podman/engine/. $_d/ &&
		mkdir -p $_d/var/tmp $_d/var/lib/containers $_d/run && chmod 1777 $_d/var/tmp &&
		tar -C /eci/rootfs -cf $_d/rootfs.tar . &&
		tar -C $_d -cf - . | podman import -q - eci-pind >/dev/null
	_st=$?
	rm -rf $_d
	return $_st
}
make_pind_image || fail "Podman-in-Podman image" "podman import of eci-pind failed"

INNER='p="podman --storage-driver vfs"
$p import -q /rootfs.tar inner >/dev/null || { echo "inner podman import failed"; exit 8; }
$p run --rm inner echo inner-ran
$p run --rm --privileged --runtime runc inner sh -c "echo inner-started; insmod /dummy.ko"'

for rt in $RUNTIMES; do
	unload_dummy
	eci_off
	nohook prun --rm --privileged --runtime $rt eci-pind sh -c "$INNER"
	in_modules dummy && base=ok || base="status $P_ST: $P_OUT"
	unload_dummy
	eci_on || fail "[$rt] Podman-in-Podman" "loading eci again failed"
	prun --rm --privileged --runtime $rt eci-pind sh -c "$INNER"
	case $P_OUT in
	*inner-ran*) pass "[$rt] Podman-in-Podman: a privileged container's own podman runs inner containers" ;;
	*) fail "[$rt] Podman-in-Podman: a privileged container's own podman runs inner containers" "status $P_ST: $P_OUT" ;;
	esac
	if [ "$base" != ok ]; then
		fail "[$rt] Podman-in-Podman: inner containers are protected too" "without eci the inner insmod did not load: $base"
	elif in_modules dummy || ! is_eperm || ! echo "$P_OUT" | grep -q inner-started; then
		fail "[$rt] Podman-in-Podman: inner containers are protected too" "status $P_ST: $P_OUT"
	else
		pass "[$rt] Podman-in-Podman: inner containers are protected too (the inner insmod loads without eci)"
	fi
	unload_dummy
done
exit 0
