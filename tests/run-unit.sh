#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the unit-test binaries given as arguments; their PASS/FAIL/SKIP lines
# pass through for tests/run-all.sh to count. Exit 1 if any failed.
set -u
rc=0
for t in "$@"; do
	"$t"
	st=$?
	[ $st -eq 0 ] && continue
	rc=1
	# 1 = some check failed (already reported); anything else is a crash.
	[ $st -gt 1 ] && echo "FAIL $(basename "$t"): exited with status $st"
done
exit $rc
