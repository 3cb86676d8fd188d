#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ECI FAQ: privileged containers run securely "including Docker-in-Docker".
# A privileged container runs its own dockerd (the VM's binaries, vfs
# storage) and starts inner containers; an inner privileged container that
# loads a module is protected too (its cgroup is below the outer one's), and
# does load it with the enforcer unloaded.
. "$(dirname "$0")/lib.sh"

# Not run: with eci unloaded the outer container's inner dockerd hangs under
# TCG (the log stops at "DinD without eci"), so there is no baseline to
# compare with. A nested runtime inside a protected container is tested with
# runc in tests/vm/47-nested.sh. Reported as SKIP, never as a pass.
if [ "${ECI_DIND:-0}" != 1 ]; then
	echo "ECI-TEST SKIP 83-dind: the inner dockerd hangs without eci too under TCG (ECI_DIND=1 runs it)"
	exit 0
fi

make_dind_image || fail "Docker-in-Docker image" "docker import of eci-dind failed"

INNER='dockerd --storage-driver=vfs --iptables=false --ip-masq=false --bridge=none >/var/log/dockerd.log 2>&1 &
i=0; until docker version >/dev/null 2>&1; do i=$((i + 1)); [ $i -lt 600 ] || { tail /var/log/dockerd.log; exit 9; }; sleep 0.1; done
docker import /rootfs.tar inner >/dev/null || exit 8
docker run --rm inner echo inner-ran
docker run --rm --privileged inner sh -c "cat /proc/1/cgroup; insmod /dummy.ko"'

unload_dummy
eci_off
echo "DinD without eci"
drun --rm --privileged eci-dind sh -c "$INNER"
in_modules dummy && base=ok || base="status $D_ST: $D_OUT"
unload_dummy
eci_on

drun --rm --privileged eci-dind sh -c "$INNER"
case $D_OUT in
inner-ran*) pass "Docker-in-Docker: a privileged container's own dockerd starts inner containers" ;;
*) fail "Docker-in-Docker: a privileged container's own dockerd starts inner containers" "status $D_ST: $D_OUT" ;;
esac
if [ "$base" != ok ]; then
	fail "Docker-in-Docker: inner containers are protected too" "without eci the inner insmod did not load: $base"
elif in_modules dummy || ! is_eperm; then
	fail "Docker-in-Docker: inner containers are protected too" "status $D_ST: $D_OUT"
else
	pass "Docker-in-Docker: inner containers are protected too (the inner insmod loads without eci)"
fi
unload_dummy
exit 0
