#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# eci-stage: noeci
#
# Booted without BPF LSM ("bpf" left out of lsm=): `ecictl load` fails, so
# eci.service fails and the package's drop-ins keep containerd.service and
# docker.service from starting; no container runs, the racer included. Then
# the documented opt-out (masking the drop-ins) lets them start, unprotected.
. "$(dirname "$0")/lib.sh"

r=
wait_until 60 systemctl is-failed --quiet eci.service || r="eci.service is $(systemctl is-active eci.service)"
ecictl status >/dev/null 2>&1 && r="$r; ecictl status succeeds"
verdict "without BPF LSM eci.service fails" "$r"
# The daemon waits for the enforcer, its trap log included, instead of
# failing and being restarted every 5 s; it pulls nothing in (After=, no
# Wants=). The engines' units do start eci.service again as their restart
# policies retry them (Wants= in the drop-ins): each engine start tries the
# enforcer first.
r=
sleep 12
n=$(systemctl show -p NRestarts --value eci-daemon.service)
[ "$n" = 0 ] || r="eci-daemon.service restarted $n times"
active eci-daemon.service || r="$r; eci-daemon.service is $(systemctl is-active eci-daemon.service)"
systemctl show -p Wants -p Requires -p Requisite -p BindsTo --value eci-daemon.service |
	grep -qw eci.service && r="$r; it pulls in eci.service"
verdict "eci-daemon.service waits for the enforcer: no restart, eci.service not pulled in" "$r"
r=
for u in containerd.service docker.service; do
	active $u && r="$r $u is active;"
done
docker version >/dev/null 2>&1 && r="$r dockerd answers;"
pgrep -f containerd-shim >/dev/null && r="$r a container shim runs;"
verdict "when eci fails, containerd.service and docker.service do not start" "$r"
r=
out=$(systemctl start docker.service 2>&1) && r="systemctl start docker succeeded"
active docker.service && r="$r; docker.service is active"
verdict "systemctl start docker is refused while eci is not loaded" "$r"

# The opt-out, as eci's README and the drop-ins say: containerd's drop-in
# masked; docker's replaced by one that keeps the runtime name "eci", as
# plain runc, for the containers created under eci (the racer).
mkdir -p /etc/systemd/system/containerd.service.d /etc/systemd/system/docker.service.d
ln -sf /dev/null /etc/systemd/system/containerd.service.d/eci.conf
printf '[Service]\nExecStart=\nExecStart=dockerd -H fd:// --containerd=/run/containerd/containerd.sock --add-runtime eci=runc\n' \
	>/etc/systemd/system/docker.service.d/eci.conf
systemctl daemon-reload
systemctl reset-failed docker.service containerd.service docker.socket 2>/dev/null
r=
out=$(systemctl start containerd.service docker.service 2>&1) || r="start failed: $out"
wait_until 60 docker version || r="$r; dockerd does not answer"
verdict "opt-out: with the drop-ins overridden, docker starts without eci" "$r"
# The racer's baseline: started by dockerd without eci, it loads the module
# (20-boot: refused when eci is there).
log=$(vol racelog)/racer
wait_until 120 sh -c "[ \$(wc -l <$log) -ge 3 ]"
r=
[ "$(sed -n 3p "$log")" = "insmod status 0" ] && in_modules dummy ||
	r="racer log: $(cat "$log" | tr '\n' ' '), dummy loaded: $(in_modules dummy && echo yes || echo no)"
verdict "baseline: without eci the restart-policy racer loads the module as dockerd starts it" "$r"
docker stop -t 1 racer >/dev/null 2>&1
unload_dummy
out=$(docker run --rm --privileged eci-test insmod /dummy.ko 2>&1)
r=
in_modules dummy || r="dummy not loaded: $out"
verdict "opt-out: its containers are unprotected (a privileged one loads a module)" "$r"
unload_dummy
exit 0
