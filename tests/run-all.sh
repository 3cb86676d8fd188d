#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole suite, as `make test` and CI run it: unit tests, a minute of
# fuzzing per parser, ecictl on this host, the VM suite, then scripts/eci-vm
# as a user runs it. Every check prints one PASS/FAIL/SKIP line; this script
# counts them and ends with the one summary line CI reads.
set -u
cd "$(dirname "$0")/.."

log=build/test-results.txt
mkdir -p build
: >"$log"
status=0

part() { # NAME COMMAND...
	local name=$1 st out
	shift
	out=$(mktemp)
	echo "== $name"
	# Sub-summaries would be counted twice by a reader of the output.
	"$@" 2>&1 | grep --line-buffered -Ev '^[0-9]+ passed, [0-9]+ failed' | tee "$out"
	st=${PIPESTATUS[0]}
	cat "$out" >>"$log"
	if [ "$st" -ne 0 ]; then
		status=1
		# A part that died before reporting a failure still counts as one.
		grep -q '^FAIL ' "$out" || echo "FAIL $name: exited with status $st" | tee -a "$log"
	fi
	rm -f "$out"
}

part "style" make --no-print-directory -s format-check
part "unit tests" make --no-print-directory -s test-unit
part "fuzzing" make --no-print-directory -s fuzz FUZZ_SECONDS=60
part "ecictl on this host" make --no-print-directory -s test-host
part "VM suite" make --no-print-directory -s test-vm
part "metrics served in the VM" tests/host/check-vm-metrics.sh
part "docker VM suite" make --no-print-directory -s test-vm-docker
part "the try-it command" make --no-print-directory -s test-eci-vm

passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
[ "$passed" -gt 0 ] || status=1
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ $status -eq 0 ]
