# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the in-VM tests (busybox sh).  Source it from tests/vm/NN-*.sh:
#   . "$(dirname "$0")/lib.sh"
# Result lines (stdout = the VM's result channel):
#   ECI-TEST PASS <name>
#   ECI-TEST FAIL <name>: <reason>

# shellcheck disable=SC2034 # CTR_OUT and friends are read by the tests
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
ECI_TEST_PREFIX=${ECI_TEST_PREFIX:-$(basename "$0" .sh)}
ECI_TEST_FAILS=0

pass() { echo "ECI-TEST PASS $ECI_TEST_PREFIX/$1"; }

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
enforcer_load() { /etc/init.d/eci start; }
enforcer_unload() { ecictl unload; }

# in_modules NAME: NAME is a loaded module.
in_modules() { grep -q "^$1 " /proc/modules; }
