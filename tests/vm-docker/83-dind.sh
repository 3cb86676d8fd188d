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
# And the inner engine with its default network, as docker:dind runs it: a
# bridge, iptables rules and a published port, all in the outer container's
# own network namespace.
. "$(dirname "$0")/lib.sh"

make_dind_image || fail "Docker-in-Docker image" "docker import of eci-dind failed"

# containerd first, as the VM's engine runs it: dockerd's built-in one has
# a start timeout a loaded TCG VM misses ("timeout waiting for containerd").
CTRD='containerd >/var/log/containerd.log 2>&1 &
i=0; until [ -S /run/containerd/containerd.sock ]; do
	i=$((i + 1)); [ $i -lt 1200 ] || { echo "inner containerd did not start:"; tail /var/log/containerd.log; exit 9; }
	sleep 0.1
done
'
# The inner script; $1 is the storage driver. Progress goes to the output
# so that a failure says how far it got.
INNER=$CTRD'dockerd --containerd=/run/containerd/containerd.sock --storage-driver=$1 --iptables=false --ip-masq=false --bridge=none >/var/log/dockerd.log 2>&1 &
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

# The inner engine with a bridge network and iptables (nft backend): an inner
# container reaches its gateway, a published port answers through the
# outer container's loopback, and the NAT rules are the outer container's
# (the VM's own table stays without them).
NET_INNER=$CTRD'dockerd --containerd=/run/containerd/containerd.sock --storage-driver=vfs >/var/log/dockerd.log 2>&1 &
d=$!
i=0; until docker version >/dev/null 2>&1; do
	kill -0 $d 2>/dev/null || { echo "inner dockerd exited:"; tail /var/log/dockerd.log; exit 9; }
	i=$((i + 1)); [ $i -lt 600 ] || { echo "inner dockerd did not start:"; tail /var/log/dockerd.log; exit 9; }
	sleep 0.1
done
docker import /rootfs.tar inner >/dev/null || { echo "inner docker import failed"; exit 8; }
mkdir -p /www && echo published-ok >/www/index.html
cat >/www/gw.sh <<GW
gw=\$(ip route | sed -n "s/^default via \([0-9.]*\).*/\1/p")
ping -c 1 -W 5 "\$gw" >/dev/null && echo inner-gateway-ok
GW
docker run --rm -v /www:/www inner sh /www/gw.sh
docker run -d -p 8080:80 -v /www:/www inner httpd -f -p 80 -h /www >/dev/null || { echo "inner docker run -p failed"; exit 7; }
i=0; until wget -q -O - http://127.0.0.1:8080/ 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || { echo "port 8080 did not answer"; break; }
	sleep 0.2
done
iptables -t nat -S | grep -q "^-A DOCKER .*--dport 8080" && echo inner-nat-ok
iptables -t nat -S | tail -n 5'

vm_nat_clean() { ! iptables -t nat -S 2>/dev/null | grep -q DOCKER; }

check_network() {
	_name="Docker-in-Docker with a bridge network: the inner engine's bridge, NAT and published port work"
	for m in $NETMODULES; do
		modprobe "$m" || { fail "$_name" "the VM cannot load $m"; return; }
	done
	eci_off
	echo "DinD (bridge network) without eci"
	drun --rm --privileged eci-dind sh -c "$NET_INNER"
	base_out=$D_OUT
	eci_on || { fail "$_name" "loading eci again failed"; return; }
	echo "DinD (bridge network) with eci"
	ecictl events >/dev/null
	drun --rm --privileged eci-dind sh -c "$NET_INNER"
	case $base_out in
	*inner-gateway-ok*published-ok*inner-nat-ok*) ;;
	*) fail "$_name" "without eci the inner engine's network did not work either (test bed): $base_out"; return ;;
	esac
	case $D_OUT in
	*inner-gateway-ok*published-ok*inner-nat-ok*)
		if vm_nat_clean; then
			pass "$_name; the VM's NAT table stays without the inner rules"
		else
			fail "$_name" "the VM's own NAT table has DOCKER rules: $(iptables -t nat -S 2>&1 | head -n 5)"
		fi ;;
	*) fail "$_name" "status $D_ST: $D_OUT; traps: $(ecictl events | tail -n 3)" ;;
	esac
}

NETMODULES="bridge veth br_netfilter nf_tables nft_compat nft_chain_nat nf_nat nf_conntrack xt_conntrack xt_MASQUERADE xt_addrtype xt_nat xt_tcpudp"

check_driver vfs
check_driver overlay2 -v /var/lib/docker
check_network
exit 0
