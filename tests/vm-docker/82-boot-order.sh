#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot order: the engine starts only after the enforcer protects /docker, so
# no container can win the race. The earliest container there is is one with
# a restart policy, started by dockerd itself as it comes up; it tries to load
# a module first thing. The VM's boot scripts are replayed as a reboot would
# run them (engine stopped, enforcer gone, then /etc/init.d/eci and
# /etc/init.d/docker): protected. Replayed with the enforcer left out on
# purpose, the same container loads the module, so the check can fail.
. "$(dirname "$0")/lib.sh"

RACER='insmod /dummy.ko; echo "insmod status $?" >>/log/racer; sleep 600'
unload_dummy
docker run -d --privileged --restart always --stop-timeout 1 --name racer -v racelog:/log eci-test sh -c "$RACER" >/dev/null
docker exec racer sh -c 'until [ -s /log/racer ]; do sleep 0.2; done'
unload_dummy

# reboot [ECI_ENFORCER=0]: stop the engine, drop the enforcer, boot scripts.
reboot() {
	/etc/init.d/docker stop || return 1
	ecictl unload >/dev/null || return 1
	if [ "${1:-}" = no-eci ]; then
		ECI_ENFORCER=0 /etc/init.d/docker start
	else
		/etc/init.d/eci start >/dev/null && /etc/init.d/docker start
	fi
}
# racer_ran N: the racer has logged its Nth start.
racer_ran() {
	i=0
	while [ $i -lt 300 ]; do
		[ "$(docker run --rm -v racelog:/log eci-test sh -c 'wc -l </log/racer' 2>/dev/null)" -ge "$1" ] 2>/dev/null &&
			return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

reboot no-eci >/dev/null 2>&1
racer_ran 2
in_modules dummy && base=ok || base="dummy not loaded: $(docker logs racer 2>&1 | tail -n1)"
unload_dummy

out=$(reboot 2>&1)
racer_ran 3 || out="$out; the racer did not restart"
log=$(docker run --rm -v racelog:/log eci-test tail -n1 /log/racer 2>&1)
if [ "$base" != ok ]; then
	fail "a restart-policy container started by dockerd at boot is protected" "without eci: $base"
elif in_modules dummy; then
	fail "a restart-policy container started by dockerd at boot is protected" "dummy loaded: $out $log"
elif [ "$log" != "insmod status 1" ]; then
	fail "a restart-policy container started by dockerd at boot is protected" "$out $log"
else
	pass "a restart-policy container started by dockerd at boot is protected (loads dummy without eci)"
fi
unload_dummy
docker rm -f racer >/dev/null 2>&1

# Fail closed: the engine's init script refuses to start without the enforcer.
/etc/init.d/docker stop
ecictl unload >/dev/null
out=$(/etc/init.d/docker start 2>&1)
st=$?
if [ $st != 0 ] && ! docker version >/dev/null 2>&1 && echo "$out" | grep -q 'enforcer is not loaded'; then
	pass "the engine's init script refuses to start dockerd before eci"
else
	fail "the engine's init script refuses to start dockerd before eci" "status $st: $out"
fi
/etc/init.d/eci start >/dev/null
/etc/init.d/docker start || fail "engine restart for the next tests" "dockerd did not start"
exit 0
