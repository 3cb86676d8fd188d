#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# eci-stage: main
#
# Compatibility (issue 14): systemd as PID 1 in a protected privileged
# container reaches multi-user.target and systemctl works in it. The image is
# this VM's own Debian 12 tree without the engine (tests/run-vm-systemd.sh,
# /eci/systemd-rootfs.tar). A unit that fails here but not in 05-systemd-base
# (the same container without eci) must be one that reaches for the VM, in
# VM_UNITS with the reason; any other is a failure of this test.
. "$(dirname "$0")/lib.sh"

# Units that act on the VM, not the container, and what refuses them.
VM_UNITS="
proc-sys-fs-binfmt_misc.automount	autofs over binfmt_misc, whose handlers are the VM's (mount policy)
dev-hugepages.mount	hugetlbfs: the VM's huge page pool (mount policy)
sys-fs-fuse-connections.mount	fusectl: every FUSE connection of the VM (mount policy)
sys-kernel-config.mount	configfs: the VM's kernel objects (mount policy)
sys-kernel-debug.mount	debugfs (mount policy)
sys-kernel-tracing.mount	tracefs (mount policy)
systemd-sysctl.service	the VM's sysctls (knobs)
systemd-modules-load.service	kernel modules (module policy)
getty@tty1.service	the VM's virtual consoles, not assigned (device policy)
systemd-journald-audit.socket	the VM's audit log (netlink)
"

N="systemd as PID 1 in a protected privileged container reaches multi-user.target"
r=
out=$(sysd_run 2>&1) || r="docker run failed: $out"
if [ -z "$r" ] && ! wait_until 300 sysd_target; then
	r="multi-user.target is $(docker exec sysd systemctl is-active multi-user.target 2>&1);"
	r="$r jobs: $(docker exec sysd systemctl list-jobs --no-legend 2>&1 | head -n 5 | tr '\n' ' ')"
fi
id=$(docker inspect -f '{{.Id}}' sysd 2>/dev/null | cut -c1-12)
if [ -z "$r" ] && ! ecictl container ls 2>/dev/null | grep -q "$id"; then
	r="the container ($id) is not registered: $(ecictl container ls 2>&1 | tr '\n' ' ')"
fi
verdict "$N" "$r"
if [ -n "$r" ]; then
	docker logs sysd 2>&1 | tail -n 30
	docker rm -f sysd >/dev/null 2>&1
	exit 0
fi

# The units that fail only under eci, each with what its journal says.
r=
if [ ! -e "$SYSD_BASE" ]; then
	r="no baseline (05-systemd-base)"
else
	for u in $(sysd_failed | comm -23 - "$SYSD_BASE"); do
		why=$(printf '%s\n' "$VM_UNITS" | awk -F '\t' -v u="$u" '$1 == u { print $2 }')
		echo "only under eci: $u (${why:-not a VM unit}):" \
			"$(docker exec sysd journalctl -b -u "$u" -n 3 --no-pager -o cat 2>&1 | tr '\n' ' ' | cut -c1-300)"
		[ -n "$why" ] || r="$r $u"
	done
	[ -z "$r" ] || r="units of its own failed only under eci:$r"
fi
# What eci refused it, for the log (the console keeps these lines).
ecictl events 2>/dev/null | grep -F "$id" |
	sed 's/"time[a-z_]*":[^,]*,//; s/"container[a-z_]*":[^,]*,//g; s/"image":[^,]*,//;
		s/"cgroup_id":[^,]*,//; s/"pid":[0-9]*,"tid":[0-9]*,//' |
	cut -c1-200 | sort | uniq -c | sort -rn | head -n 25
verdict "no unit of its own fails that does without eci (only units that reach for the VM)" "$r"

r=
out=$(docker exec sysd systemd-run --wait --quiet --unit eci-probe sh -c 'echo probe >/run/eci-probe' 2>&1) ||
	r="systemd-run failed: $out"
[ -z "$r" ] && [ "$(docker exec sysd cat /run/eci-probe 2>&1)" != probe ] && r="the unit did not run: $out"
if [ -z "$r" ]; then
	out=$(docker exec sysd systemctl restart systemd-journald.service 2>&1) &&
		[ "$(docker exec sysd systemctl is-active systemd-journald.service)" = active ] ||
		r="restarting journald: $out"
fi
verdict "systemctl works in it: a transient unit runs, a service restarts" "$r"

unload_dummy
out=$(docker exec sysd insmod /dummy.ko 2>&1)
st=$?
r=
if [ $st = 0 ] || in_modules dummy; then
	r="status $st, dummy loaded: $(in_modules dummy && echo yes || echo no): $out"
fi
verdict "the systemd container is protected: its insmod fails (10-install: loads without eci)" "$r"
unload_dummy

# Killed after the 60 s (exit 137) would mean its shutdown hung.
docker stop -t 60 sysd >/dev/null 2>&1
r=
ec=$(docker inspect -f '{{.State.Running}} {{.State.ExitCode}}' sysd 2>&1)
case $ec in
"false 137" | true*) r="state $ec: $(docker logs sysd 2>&1 | tail -n 5 | tr '\n' ' ')" ;;
esac
verdict "it shuts down on SIGRTMIN+3 within 60 s, not killed" "$r"
docker rm -f sysd >/dev/null 2>&1
exit 0
