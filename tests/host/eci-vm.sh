#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The try-it command, as a newcomer uses it: one attack in one line, with and
# without the enforcer, and every option doing what --help says.
# ARCH=arm64 (environment): the same on the arm64 VM (scripts/eci-vm reads it).
set -u
cd "$(dirname "$0")/../.."
case ${ARCH:-x86} in
arm64) vmdir=build/arm64/vm ;;
*) vmdir=build/vm ;;
esac
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }
vm() { out=$(scripts/eci-vm "$@" 2>&1); st=$?; }

vm -- insmod /dummy.ko
if [ $st -eq 1 ] && [[ $out == *"Operation not permitted"* ]]; then
	pass "eci-vm: insmod in a protected container fails with EPERM"
else
	fail "eci-vm: insmod in a protected container fails with EPERM" "status $st: $out"
fi
vm --no-enforcer -- sh -c 'insmod /dummy.ko && grep -c ^dummy /proc/modules'
if [ $st -eq 0 ] && [ "$out" = 1 ]; then
	pass "eci-vm --no-enforcer: the same insmod loads the module"
else
	fail "eci-vm --no-enforcer: the same insmod loads the module" "status $st: $out"
fi
vm --unprotected -- sh -c 'insmod /dummy.ko && grep -c ^dummy /proc/modules'
if [ $st -eq 0 ] && [ "$out" = 1 ]; then
	pass "eci-vm --unprotected: the same insmod loads the module"
else
	fail "eci-vm --unprotected: the same insmod loads the module" "status $st: $out"
fi

# --settings: the init script applies the file; its subtree protects a
# container nobody registered (the --unprotected run above loaded the module).
echo '{"eci": {"protectedSubtrees": ["/eci"]}}' >"$tmp/settings.json"
vm --settings "$tmp/settings.json" --unprotected -- insmod /dummy.ko
if [ $st -eq 1 ] && [[ $out == *"Operation not permitted"* ]]; then
	pass "eci-vm --settings: the settings' subtree protects an unregistered container"
else
	fail "eci-vm --settings: the settings' subtree protects an unregistered container" "status $st: $out"
fi

echo "added-$$" >"$tmp/file"
vm --add "$tmp/file" --mount /var/lib/vmdata:/data:ro --before "echo before-$$ >/tmp/b" \
	--mount /tmp:/hosttmp -- sh -c "cat $tmp/file /data/secret /hosttmp/b; touch /data/x; exit 3"
# Each piece on its own: runc copies the container's stdout and stderr from
# two pipes, each in a goroutine of its own, so touch's error may come out
# before cat's output (it did in CI, on 6.12).
if [ $st -eq 3 ] && [[ $out == *"added-$$"*eci-vmdata-secret*"before-$$"* ]] &&
	[[ $out == *"touch: /data/x: Read-only file system"* ]]; then
	pass "eci-vm: --add, --mount (ro), --before and the exit status"
else
	fail "eci-vm: --add, --mount (ro), --before and the exit status" "status $st: $out"
fi

vm -- /no/such/program
if [ $st -eq 125 ] && [[ $out == *"failed to start"* ]]; then
	pass "eci-vm: a container that can't start gives 125 and says so"
else
	fail "eci-vm: a container that can't start gives 125 and says so" "status $st: $out"
fi
# The lockup watchdog: a guest kernel that stops (here a panic, the end of a
# soft lockup or RCU stall too) is reported as such, with its console log
# kept, rather than waited out until --timeout.
before=$(ls $vmdir/lockup-*.log 2>/dev/null)
vm --before 'echo c >/proc/sysrq-trigger' -- true
# Only its own log: a real lockup of an earlier boot keeps its backtrace.
kept=$(ls $vmdir/lockup-*.log 2>/dev/null | grep -vxF "${before:-/none}" | head -n1)
if [ $st -eq 123 ] && [[ $out == *"kernel stopped"*"sysrq triggered crash"* ]] &&
	[ -n "$kept" ] && grep -qi 'Call Trace' "$kept"; then
	pass "eci-vm: a guest kernel that stops is reported with its backtrace"
else
	fail "eci-vm: a guest kernel that stops is reported with its backtrace" "status $st: $out"
fi
[ -n "$kept" ] && rm -f "$kept"
# A VM killed at --timeout: eci-vm says so with 124, and the test runner
# counts the run as unfinished, never as passed with what ran before.
vm --timeout 45 -- sleep 600
if [ $st -eq 124 ] && [[ $out == *"timed out after 45s"* ]]; then
	pass "eci-vm: a VM killed at --timeout gives 124 and says so"
else
	fail "eci-vm: a VM killed at --timeout gives 124 and says so" "status $st: $(tail -n3 <<<"$out")"
fi
# The whole suite takes 20 min or more on an idle machine of this kind, so
# 150 s always cuts it off after 00-smoke (one file once let an idle CI
# machine finish in time).
out=$(env -u ECI_TESTS ECI_TEST_RESULTS="build/vm/test-results-tryit-${KERNEL:-6.12}.log" tests/run-vm.sh ${KERNEL:+--kernel "$KERNEL"} --timeout 150 2>&1)
st=$?
if [ $st -ne 0 ] && [[ $out == *"PASS 00-smoke/"* ]] && [[ $out == *"did not finish the tests"* ]]; then
	pass "run-vm: a run cut off by its timeout fails, though what ran passed"
else
	fail "run-vm: a run cut off by its timeout fails, though what ran passed" "status $st: $(tail -n4 <<<"$out")"
fi
exit $failed
