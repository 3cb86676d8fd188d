#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# eci-stage: main
#
# The first boot with eci installed: eci.service before containerd and
# docker; the racer (10-install), which dockerd restarts as it comes up and
# which loads a module first thing, is refused from its first instruction
# (60-noeci: started without eci, it loads it); a privileged
# `docker run` can't load a module; the daemon serves metrics after the reboot.
. "$(dirname "$0")/lib.sh"

wait_until 120 active docker.service
mono() { systemctl show -p "$2" --value "$1"; }
e=$(mono eci.service ActiveEnterTimestampMonotonic)
r=
for u in containerd.service docker.service; do
	s=$(mono $u InactiveExitTimestampMonotonic)
	[ "${e:-0}" -gt 0 ] && [ "${s:-0}" -gt "$e" ] || r="$r $u started at $s, eci.service active at $e;"
done
verdict "eci.service is active before containerd.service and docker.service start" "$r"

log=$(vol racelog)/racer
wait_until 120 sh -c "[ \$(wc -l <$log) -ge 2 ]"
r=
if [ "$(sed -n 2p "$log")" != "insmod status 1" ] || in_modules dummy; then
	r="racer log: $(cat "$log" | tr '\n' ' '), dummy loaded: $(in_modules dummy && echo yes || echo no)"
fi
verdict "the restart-policy container dockerd starts at boot is refused its first action" "$r"
id=$(docker inspect -f '{{.Id}}' racer 2>/dev/null | cut -c1-12)
r=
ecictl container ls 2>/dev/null | grep -q "$id" || r="racer ($id) not in: $(ecictl container ls 2>&1 | tr '\n' ' ')"
verdict "dockerd's containers are registered through eci-runc (the package's drop-in)" "$r"

unload_dummy
out=$(docker run --rm --privileged eci-test insmod /dummy.ko 2>&1)
st=$?
r=
if [ $st = 0 ] || in_modules dummy; then
	r="status $st, dummy loaded: $(in_modules dummy && echo yes || echo no): $out"
else
	case $out in *"not permitted"*) ;; *) r="refused, but not with EPERM: $out" ;; esac
fi
verdict "docker run --privileged can't load a kernel module" "$r"
unload_dummy

r=
wait_until 30 metrics_ok || r="eci-daemon.service is $(systemctl is-active eci-daemon.service): $M_OUT"
verdict "after a reboot eci-daemon.service is up and serves metrics" "$r"
exit 0
