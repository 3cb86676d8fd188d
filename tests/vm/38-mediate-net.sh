#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Complete mediation (issue 14), network and modules: VM-wide effects
# through privileges a protected container still holds. Each attack is shown working from an
# unprotected container, with its real effect on the VM, then refused (EPERM)
# and trapped (an event of the hook that refused it) from a protected one.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null

. "$(dirname "$0")/refused.sh"

# --- another network namespace named in a netlink attribute ------------------------
# From a network namespace of its own, with the VM's pids in sight
# (--pid=host): RTM_NEWLINK with IFLA_NET_NS_PID 1 makes the interface in the
# VM's namespace, and the kernel checks NET_ADMIN over the target's owner,
# init_user_ns.
in_modules dummy || insmod "/lib/modules/$(uname -r)/kernel/drivers/net/dummy.ko"
ctr --unprotected --host-ns pid -- ecitest netns_link 1 eci-o1
ip link show eci-o1 >/dev/null 2>&1 && base=ok || base="status $CTR_STATUS: $CTR_OUT"
ip link del eci-o1 2>/dev/null
drain
ctr --host-ns pid -- ecitest netns_link 1 eci-o1
ip link show eci-o1 >/dev/null 2>&1 && eff="eci-o1 appeared in the VM's namespace" || eff=none
ip link del eci-o1 2>/dev/null
refused "an interface made in the VM's netns through IFLA_NET_NS_PID refused" netns "$base" "$eff"
ctr --host-ns pid -- sh -c 'ecitest netns_link $$ eci-own && ip link show eci-own >/dev/null && echo ok'
check "IFLA_NET_NS_PID naming its own namespace still works" [ "$CTR_OUT" = ok ]

# --- uevents to the VM's udev (--net=host) ------------------------------------------
UEV='add@/devices/eci;ACTION=add;DEVPATH=/devices/eci;SUBSYSTEM=eci;MODALIAS=eci-uevent;SEQNUM=4242'
uevent_run() { # OPTS...: a VM listener while the container sends
	ecitest uevent_listen 30 >/tmp/ue.out 2>&1 &
	_l=$!
	sleep 1
	ctr "$@" --host-ns network -- ecitest uevent_send "$UEV"
	sleep 1
	kill $_l 2>/dev/null
	wait $_l 2>/dev/null
}
uevent_run --unprotected
grep -q 'MODALIAS=eci-uevent' /tmp/ue.out && base=ok || base="status $CTR_STATUS: $CTR_OUT; listener: $(cat /tmp/ue.out)"
drain
uevent_run
grep -q 'MODALIAS=eci-uevent' /tmp/ue.out && eff="the VM's listener got it" || eff=none
refused "a uevent sent to the VM's udev (--net=host) refused" netlink_send "$base" "$eff"
rm -f /tmp/ue.out

# --- crypto_user: the VM's crypto algorithms, from any network namespace ----------
# CRYPTO_MSG_UPDATEALG sets the priority by which the kernel picks among
# implementations, for the whole VM; each namespace has a NETLINK_CRYPTO
# socket, and the kernel checks NET_ADMIN over init_user_ns.
in_modules crypto_user || insmod "/lib/modules/$(uname -r)/kernel/crypto/crypto_user.ko"
DRV=sha256-generic
prio() { awk -v d="$DRV" '$1 == "driver" { m = ($3 == d) } m && $1 == "priority" { print $3; exit }' /proc/crypto; }
p0=$(prio)
ctr --unprotected -- ecitest crypto_prio "$DRV" 7
p1=$(prio)
[ -n "$p0" ] && [ "$p1" = 7 ] && base=ok || base="status $CTR_STATUS, priority $p0 -> $p1: $CTR_OUT"
drain
ctr -- ecitest crypto_prio "$DRV" 5
p2=$(prio)
[ "$p2" = 5 ] && eff="priority set to 5" || eff=none
refused "crypto_user: an algorithm's priority (NETLINK_CRYPTO) refused" netlink_send "$base" "$eff"
[ -n "$p0" ] && ecitest crypto_prio "$DRV" "$p0"

# --- generic netlink families with one state for the VM (N2) -------------------------
# TASKSTATS answers on a socket of any network namespace, and its admin
# check is NET_ADMIN, which a container holds in its own. With the VM's
# pid namespace (--pid=host) it tells any VM task's I/O counts, which
# /proc/PID/io shows only past a ptrace check the process policy refuses.
sh -c 'printf "%0777777d" 0 >/dev/null; exec sleep 60' &
vmp=$!
sleep 0.5
# The request alone, and second in one sendmsg behind a message to nlctrl
# (the kernel takes each message of a train in turn). The task wrote about
# 777 kB (busybox's printf writes what fits its buffer); a fresh one none.
for how in "" train; do
	name="TASKSTATS of a VM task (generic netlink, from its own namespace${how:+, second of a train}) refused"
	ctr --unprotected --host-ns pid -- ecitest taskstats $vmp $how
	case $CTR_OUT in
	*"write_char="*) w=${CTR_OUT##*write_char=}
		[ "${w%%[!0-9]*}" -ge 500000 ] 2>/dev/null && base=ok || base="write_char $w" ;;
	*) base="status $CTR_STATUS: $CTR_OUT" ;;
	esac
	drain
	ctr --host-ns pid -- ecitest taskstats $vmp $how
	case $CTR_OUT in *write_char=*) eff="it read $CTR_OUT" ;; *) eff=none ;; esac
	refused "$name" netlink_send "$base" "$eff"
done
kill $vmp 2>/dev/null
wait $vmp 2>/dev/null
# A family of per-namespace state still answers (the family refused whole
# is one of the list, as ECI's user namespace refuses its NET_ADMIN check).
ctr -- ecitest genl_family nlctrl
case $CTR_OUT in
*"family nlctrl id 16"*) pass "a generic netlink family of per-namespace state still answers" ;;
*) fail "a generic netlink family of per-namespace state still answers" "status $CTR_STATUS: $CTR_OUT" ;;
esac

# --- a privileged port of the VM's network namespace (N5, NET_BIND_SERVICE) ---------
# Port 80 of the VM's namespace is the VM's: a container that takes it
# (--net=host) serves every client of the VM's port, in place of whatever VM
# service would. The bind's NET_BIND_SERVICE check is judged by the socket's
# namespace: with --net=host, and on a socket a VM process handed to a
# container in its own namespace; in its own namespace port 80 stays its own.
# listen_run OPTS...: the container serves one client on port 80 (ARGS after
# OPTS, "--"), a VM client connects to 127.0.0.1:80.
listen_run() {
	ecitest tcp_probe 80 >/tmp/tcp.out 2>&1 &
	_p=$!
	ctr "$@"
	# A refused bind leaves the client knocking: stop it. A served one
	# has its answer: let it print it.
	[ "$CTR_STATUS" = 0 ] || kill $_p 2>/dev/null
	wait $_p 2>/dev/null
}
served() { grep -qx eci /tmp/tcp.out; }
ERR="Permission denied"
listen_run --unprotected --host-ns network -- ecitest tcp_listen 80
served && base=ok || base="status $CTR_STATUS: $CTR_OUT; client: $(cat /tmp/tcp.out)"
drain
listen_run --host-ns network -- ecitest tcp_listen 80
served && eff="a VM client got its answer on port 80" || eff=none
refused "port 80 of the VM's namespace (--net=host) refused" capable "$base" "$eff" \
	'"capability":"CAP_NET_BIND_SERVICE"'
# The VM's socket, received by a container in a namespace of its own.
mkdir -p /run/ecisk
sock_run() { # OPTS...
	rm -f /run/ecisk/sock
	ecitest sendfd /run/ecisk/sock tcp >/dev/null 2>&1 &
	_s=$!
	listen_run "$@" --allow-bind /run/ecisk --mount /run/ecisk:/run/ecisk -- \
		ecitest tcp_listen 80 /run/ecisk/sock
	kill $_s 2>/dev/null
	wait $_s 2>/dev/null
}
sock_run --unprotected
served && base=ok || base="status $CTR_STATUS: $CTR_OUT; client: $(cat /tmp/tcp.out)"
drain
sock_run
served && eff="a VM client got its answer on port 80" || eff=none
refused "port 80 on a VM socket received by a container in its own namespace refused" capable \
	"$base" "$eff" '"capability":"CAP_NET_BIND_SERVICE"'
ERR=
rm -rf /run/ecisk /tmp/tcp.out
ctr -- ecitest tcp_bind 80 && pass "port 80 of its own network namespace still binds" ||
	fail "port 80 of its own network namespace still binds" "status $CTR_STATUS: $CTR_OUT"

# --- module autoload: an allowlist of aliases (eci.autoloadModules) ------------------
# overlay is not loaded at boot here; a nested runtime's overlay2 mount asks
# for it (fs-overlay). Refused with an empty list (every autoload, as before),
# loaded with the default list; aliases outside it stay refused (10-module).
OVL='mkdir -p /o/l /o/u /o/m && mount -t tmpfs t /o/u && mkdir -p /o/u/u /o/u/w &&
	mount -t overlay overlay -o lowerdir=/o/l,upperdir=/o/u/u,workdir=/o/u/w /o/m && echo mounted'
settings() { echo "$1" >/tmp/eci-s.json && ecictl settings apply /tmp/eci-s.json >/dev/null; }
unloaded() { rmmod overlay 2>/dev/null; ! in_modules overlay; }
if unloaded; then
	ctr --unprotected -- sh -c "$OVL"
	if [ "$CTR_OUT" = mounted ] && in_modules overlay && unloaded; then
		settings '{"eci": {"autoloadModules": []}}'
		drain
		ctr -- sh -c "$OVL"
		case $CTR_OUT in
		*mounted*) fail "eci.autoloadModules []: overlay's autoload refused" "$CTR_OUT" ;;
		*) if in_modules overlay; then
			fail "eci.autoloadModules []: overlay's autoload refused" "overlay got loaded"
		elif ! trapped kernel_module_request; then
			fail "eci.autoloadModules []: overlay's autoload refused" "no trap: $CTR_OUT"
		else
			pass "eci.autoloadModules []: overlay's autoload refused"
		fi ;;
		esac
		unloaded
		settings '{}'
		ctr -- sh -c "$OVL"
		if [ "$CTR_OUT" = mounted ] && in_modules overlay; then
			pass "default eci.autoloadModules: overlay autoloads for a protected container"
		else
			fail "default eci.autoloadModules: overlay autoloads for a protected container" "$CTR_OUT"
		fi
	else
		fail "module autoload works in this VM (baseline)" "unprotected: $CTR_OUT"
	fi
else
	echo "ECI-TEST SKIP $ECI_TEST_PREFIX/eci.autoloadModules: overlay is in use"
fi
settings '{}'
rm -f /tmp/eci-s.json
exit 0
