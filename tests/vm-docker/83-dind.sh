#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ECI FAQ: privileged containers run securely "including Docker-in-Docker".
# A privileged container runs its own dockerd (the VM's binaries) and starts
# inner containers; an inner privileged container that loads a module is
# protected too (its cgroup is below the outer one's), and does load it with
# the enforcer unloaded. Both storage drivers a DinD image uses: vfs on the
# container's own rootfs, and overlay2 on a volume at /var/lib/docker (as the
# docker:dind image does: overlay can't stack on the outer overlay rootfs).
. "$(dirname "$0")/lib.sh"

make_dind_image || fail "Docker-in-Docker image" "docker import of eci-dind failed"

# The inner script; $1 is the storage driver. Progress goes to the output
# so that a failure says how far it got.
INNER='dockerd --storage-driver=$1 --iptables=false --ip-masq=false --bridge=none >/var/log/dockerd.log 2>&1 &
d=$!
i=0; until docker version >/dev/null 2>&1; do
	kill -0 $d 2>/dev/null || { echo "inner dockerd exited:"; tail /var/log/dockerd.log; exit 9; }
	i=$((i + 1)); [ $i -lt 600 ] || { echo "inner dockerd did not start:"; tail /var/log/dockerd.log; exit 9; }
	sleep 0.1
done
docker info -f "inner-driver={{.Driver}}"
docker import /rootfs.tar inner >/dev/null || { echo "inner docker import failed"; exit 8; }
docker run --rm inner echo inner-ran
docker run --rm --privileged inner sh -c "cat /proc/1/cgroup; insmod /dummy.ko"'

# dind DRIVER [DOCKER-RUN-ARGS...]: run the outer container with the inner
# script; output and status in $D_OUT/$D_ST.
dind() {
	_drv=$1
	shift
	drun --rm --privileged "$@" eci-dind sh -c "$INNER" inner "$_drv"
}

# check DRIVER [DOCKER-RUN-ARGS...]: baseline without eci, then protected.
check_driver() {
	_drv=$1
	unload_dummy
	eci_off
	echo "DinD ($_drv) without eci"
	dind "$@"
	in_modules dummy && base=ok || base="status $D_ST: $D_OUT"
	unload_dummy
	eci_on || fail "Docker-in-Docker ($_drv)" "loading eci again failed"

	echo "DinD ($_drv) with eci"
	dind "$@"
	case $D_OUT in
	*"inner-driver=$_drv"*inner-ran*)
		pass "Docker-in-Docker ($_drv): a privileged container's own dockerd starts inner containers" ;;
	*) fail "Docker-in-Docker ($_drv): a privileged container's own dockerd starts inner containers" \
		"status $D_ST: $D_OUT" ;;
	esac
	if [ "$base" != ok ]; then
		fail "Docker-in-Docker ($_drv): inner containers are protected too" \
			"without eci the inner insmod did not load: $base"
	elif in_modules dummy || ! is_eperm; then
		fail "Docker-in-Docker ($_drv): inner containers are protected too" "status $D_ST: $D_OUT"
	else
		pass "Docker-in-Docker ($_drv): inner containers are protected too (the inner insmod loads without eci)"
	fi
	unload_dummy
}

check_driver vfs
check_driver overlay2 -v /var/lib/docker
exit 0
