#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sticky confinement (issue 5): a protected process can't leave protection by
# exec'ing a setuid binary, nor by writing itself into the root cgroup through
# a cgroup.procs fd opened outside and handed in. Each route is shown working
# in an unprotected container first, with its real effect checked.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null

# A user without privileges execs a setuid-root copy of ecitest, which then
# holds every capability and loads a module.
SETUID='cp /usr/local/bin/ecitest /tmp/sx && chmod 4755 /tmp/sx &&
	echo "nobody:x:65534:65534::/:/bin/sh" >>/etc/passwd &&
	su nobody -c "id -u; /tmp/sx finit_module /dummy.ko"'
rmmod dummy 2>/dev/null
ctr --unprotected -- sh -c "$SETUID"
case $CTR_OUT in 65534*) ok=1 ;; *) ok=0 ;; esac
if [ "$CTR_STATUS" = 0 ] && [ $ok = 1 ] && in_modules dummy; then
	rmmod dummy
	ctr -- sh -c "$SETUID"
	if in_modules dummy; then
		fail "a setuid exec stays protected" "dummy is in /proc/modules: $CTR_OUT"
	else
		case $CTR_OUT in
		65534*"Operation not permitted"*) pass "a setuid exec stays protected" ;;
		*) fail "a setuid exec stays protected" "expected EPERM, got: $CTR_OUT" ;;
		esac
	fi
else
	fail "a setuid exec stays protected" "unprotected baseline did not load dummy: $CTR_OUT"
fi
rmmod dummy 2>/dev/null

# The VM's root cgroup.procs, opened for writing outside and sent over a
# socket in a directory the container may bind.
D=/run/eci-procs
mkdir -p $D
escape() { # CTR-ARGS...: receive the fd as 3, write our pid to it, print our cgroup
	rm -f $D/sock
	ecitest sendfd $D/sock /sys/fs/cgroup/cgroup.procs w >/dev/null 2>&1 &
	ctr "$@" --allow-bind $D --mount $D:/s -- \
		ecitest recvfd_exec /s/sock sh -c 'echo $$ >&3; cat /proc/self/cgroup'
}
escape --unprotected
base=$CTR_OUT
escape
case "$base|$CTR_OUT" in
"0::/|"*"recvmsg: Operation not permitted"*) pass "a cgroup.procs fd handed in can't move the container out" ;;
*) fail "a cgroup.procs fd handed in can't move the container out" "unprotected: $base; protected: $CTR_OUT" ;;
esac
pkill -f 'ecitest sendfd' 2>/dev/null
rm -rf $D
exit $ECI_TEST_FAILS
