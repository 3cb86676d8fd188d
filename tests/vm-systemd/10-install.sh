#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# eci-stage: install
#
# The first boot: Debian 12 with docker.io from the mirror and no eci. The
# baseline (a privileged container loads a module), then `dpkg -i` of the eci
# .deb: its postinst loads the enforcer and starts the metrics daemon under
# systemd. Then the restart-policy racer 20-boot watches at the next boot
# (60-noeci shows it loading the module when dockerd starts it without eci).
. "$(dirname "$0")/lib.sh"

wait_until 120 active docker.service
docker import /eci/rootfs.tar eci-test >/dev/null 2>&1 ||
	fail "the test image imports" "$(docker import /eci/rootfs.tar eci-test 2>&1 | tail -n1)"

unload_dummy
out=$(docker run --rm --privileged eci-test insmod /dummy.ko 2>&1)
st=$?
r=
[ $st = 0 ] && in_modules dummy || r="status $st, dummy loaded: $(in_modules dummy && echo yes || echo no): $out"
verdict "baseline: without eci a privileged container loads a module" "$r"
unload_dummy

out=$(dpkg -i /eci/debs/eci_*_amd64.deb 2>&1)
st=$?
r=
[ $st = 0 ] || r="status $st: $(printf '%s\n' "$out" | tail -n3 | tr '\n' ' ')"
verdict "dpkg -i installs the eci package" "$r"
r=
active eci.service || r="eci.service is $(systemctl is-active eci.service)"
ecictl status >/dev/null 2>&1 || r="$r; ecictl status: $(ecictl status 2>&1 | tail -n1)"
verdict "the package's postinst loads eci (eci.service active, ecictl status)" "$r"
r=
wait_until 30 metrics_ok || r="eci-daemon.service is $(systemctl is-active eci-daemon.service): $M_OUT"
verdict "the package starts eci-daemon.service, which serves metrics" "$r"
r=
[ "$(systemctl is-enabled eci.service eci-daemon.service | sort -u)" = enabled ] ||
	r="$(systemctl is-enabled eci.service eci-daemon.service | tr '\n' ' ')"
verdict "eci.service and eci-daemon.service are enabled for the next boot" "$r"

# dockerd takes the drop-in's eci-runc at its next start; a container
# records its runtime when it is created, so the racer is created after that.
systemctl restart docker.service
r=
[ "$(docker info -f '{{.DefaultRuntime}}' 2>&1)" = eci ] ||
	r="default runtime: $(docker info -f '{{.DefaultRuntime}}' 2>&1)"
verdict "after a restart, dockerd runs eci-runc as its default runtime (the package's drop-in)" "$r"
docker run -d --privileged --restart always --name racer -v racelog:/log eci-test \
	sh -c "$RACER" >/dev/null
wait_until 60 test -s "$(vol racelog)/racer"
r=
[ "$(tail -n1 "$(vol racelog)/racer" 2>/dev/null)" = "insmod status 1" ] && ! in_modules dummy ||
	r="racer: $(tail -n1 "$(vol racelog)/racer" 2>&1), dummy loaded: $(in_modules dummy && echo yes || echo no)"
verdict "a restart-policy racer created under eci can't load a module" "$r"
unload_dummy
exit 0
