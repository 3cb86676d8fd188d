# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the systemd VM's tests (tests/vm-systemd/NN-*.sh, run by
# scripts/vm/sys-run-stage under Debian's /bin/sh): result lines as in the
# VM suite,
#   ECI-TEST PASS <file>/<name>
#   ECI-TEST FAIL <file>/<name>: <reason>
# plus waiting, docker and module helpers.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
ECI_TEST_PREFIX=$(basename "$0" .sh)

pass() { echo "ECI-TEST PASS $ECI_TEST_PREFIX/$1"; }
skip() { echo "ECI-TEST SKIP $ECI_TEST_PREFIX/$1: $2"; }
fail() { echo "ECI-TEST FAIL $ECI_TEST_PREFIX/$1: $2"; }
# verdict NAME REASON-IF-FAILED: pass when REASON is empty.
verdict() { if [ -z "$2" ]; then pass "$1"; else fail "$1" "$2"; fi; }

in_modules() { grep -q "^$1 " /proc/modules; }
unload_dummy() { rmmod dummy 2>/dev/null; ! in_modules dummy; }

# wait_until SECONDS CMD...: poll CMD every 0.5 s until it succeeds or
# SECONDS have passed (by the clock: a slow CMD does not stretch it).
wait_until() {
	_end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.5
	done
}

active() { [ "$(systemctl is-active "$1" 2>/dev/null)" = active ]; }

# metrics: the daemon's Prometheus text (127.0.0.1:9568) in $M_OUT.
M_OUT=
metrics() {
	# bash's /dev/tcp: plain HTTP/1.0, the status line kept for a failure.
	M_OUT=$(timeout 20 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9568 &&
		printf "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3 && cat <&3' 2>&1 | tr -d '\r')
	case $M_OUT in
	"HTTP/1."*" 200 "*) return 0 ;;
	*) M_OUT="no metrics: $(printf '%s\n' "$M_OUT" | head -n 3 | tr '\n' ' ')"; return 1 ;;
	esac
}
metrics_ok() { metrics && printf '%s\n' "$M_OUT" | grep -q '^eci_'; }

# vol NAME: where docker keeps named volume NAME's files.
vol() { echo "/var/lib/docker/volumes/$1/_data"; }

# The racer (10-install, 20-boot): a restart-policy container that loads a
# module first thing, then logs the status, once per start.
RACER='insmod /dummy.ko; echo "insmod status $?" >>/log/racer; sleep 100000'

# The systemd container (05-systemd-base without eci, 25-systemd-ctr with
# it): this VM's Debian tree as an image, systemd as PID 1, privileged.
sysd_run() {
	docker image inspect eci-systemd >/dev/null 2>&1 ||
		docker import /eci/systemd-rootfs.tar eci-systemd >/dev/null || return 1
	docker run -d --name sysd --privileged -e container=docker --tmpfs /run --tmpfs /run/lock \
		--stop-signal SIGRTMIN+3 eci-systemd /lib/systemd/systemd
}
sysd_target() { [ "$(docker exec sysd systemctl is-active multi-user.target 2>/dev/null)" = active ]; }
# sysd_failed: its failed units, one line each, sorted.
sysd_failed() { docker exec sysd systemctl list-units --failed --no-legend --plain | cut -d' ' -f1 | sort; }
# Where the baseline's failed units are kept across the stages' boots.
SYSD_BASE=/var/lib/eci-test-sysd-failed
