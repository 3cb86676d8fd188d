# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the in-VM tests (busybox sh).  Source it from tests/vm/NN-*.sh:
#   . "$(dirname "$0")/lib.sh"
# Result lines (stdout = the VM's result channel):
#   ECI-TEST PASS <name>
#   ECI-TEST FAIL <name>: <reason>
#   ECI-TEST SKIP <name>: <reason>   (a check this VM can't make, and why)

# shellcheck disable=SC2034 # CTR_OUT and friends are read by the tests
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
ECI_TEST_PREFIX=${ECI_TEST_PREFIX:-$(basename "$0" .sh)}
ECI_TEST_FAILS=0

pass() { echo "ECI-TEST PASS $ECI_TEST_PREFIX/$1"; }

skip() { echo "ECI-TEST SKIP $ECI_TEST_PREFIX/$1: $2"; }

fail() {
	ECI_TEST_FAILS=$((ECI_TEST_FAILS + 1))
	echo "ECI-TEST FAIL $ECI_TEST_PREFIX/$1: $2"
}

# check NAME CMD...: pass if CMD succeeds; on failure the reason holds the
# status and the last line of its output.
check() {
	_n=$1; shift
	if _o=$("$@" 2>&1); then
		pass "$_n"
	else
		_s=$?
		fail "$_n" "'$*' exited with $_s: $(printf '%s\n' "$_o" | tail -n1)"
	fi
}

# check_fails NAME CMD...: pass if CMD fails.
check_fails() {
	_n=$1; shift
	if _o=$("$@" 2>&1); then
		fail "$_n" "'$*' succeeded: $(printf '%s\n' "$_o" | tail -n1)"
	else
		pass "$_n"
	fi
}

# ctr [eci-ctr options] -- CMD...: run a container; its stdout+stderr land in
# $CTR_OUT and the status in $CTR_STATUS (also returned).
CTR_OUT=
CTR_STATUS=0
ctr() {
	CTR_OUT=$(eci-ctr "$@" 2>&1)
	CTR_STATUS=$?
	return $CTR_STATUS
}

enforcer_loaded() { [ -e /sys/fs/bpf/eci ]; }
# The boot's `ecictl daemon` (scripts/vm/init), for tests that run their own.
boot_daemon_stop() {
	kill "$(cat /run/eci-daemon.pid)" 2>/dev/null
	_i=0
	while [ -S /run/eci/events.sock ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}
boot_daemon_start() {
	ecictl daemon >>/run/eci-daemon.log 2>&1 &
	echo $! >/run/eci-daemon.pid
	_i=0
	while [ ! -S /run/eci/events.sock ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}
enforcer_load() { /etc/init.d/eci start; }
enforcer_unload() { ecictl unload; }

# in_modules NAME: NAME is a loaded module.
in_modules() { grep -q "^$1 " /proc/modules; }

# --- the benchmark's halves (tests/vm/bench.sh, tests/vm-docker/bench.sh) ---

# bench_settings: the ECI_BENCH_* settings scripts/bench.sh passes in as a
# file (--add), if any.
bench_settings() {
	_env=$(find /eci/run/files -name eci-bench.env 2>/dev/null | head -n1)
	# shellcheck disable=SC1090
	[ -z "$_env" ] || . "$_env"
	# bench-exact: every process's mappings where the last one's were, so a
	# fork copies as many page tables in one run as in the other.
	[ "${ECI_BENCH_NO_ASLR:-0}" = 0 ] || echo 0 >/proc/sys/kernel/randomize_va_space
}

# rotated R WORD...: the words turned left R-1 times. Round R of a benchmark
# starts one configuration further, so none of them always runs right after
# an unload, a load or the same neighbour.
rotated() {
	_k=$((($1 - 1) % ($# - 1)))
	shift
	while [ $_k -gt 0 ]; do
		set -- "$@" "$1"
		shift
		_k=$((_k - 1))
	done
	echo "$*"
}

# seccomp_report TAG NOTIFY-TAG CONFIG N BATCHES FILE: FILE holds the output
# of `ecinotify ecibench -b BATCHES N mount_tmpfs mount_bind`; print its
# measurements as "TAG CONFIG NAME NS" and the calls the supervisor saw as
# "NOTIFY-TAG SEEN EXPECTED".
seccomp_report() {
	grep -v '^ecinotify:' "$6" | sed "s/^/$1 $3 /"
	# 2 benchmarks x BATCHES x N/50 x (mount + umount2)
	_seen=$(sed -n 's/^ecinotify: \([0-9]*\) notifications.*/\1/p' "$6")
	echo "$2 ${_seen:-0} $((4 * $5 * ($4 / 50)))"
}
