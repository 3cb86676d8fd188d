#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's seccomp user-notify supervisor (tests/helpers/ecinotify.c)
# really is in the path it is meant to measure: on this host, in a fresh
# user and mount namespace, every mount(2) and umount2(2) of ecibench goes
# through it and still succeeds (ecibench stops at the first failed call),
# and calls other than those do not reach it.
# usage: tests/host/bench-tools.sh TESTS-BIN-DIR
set -u
bin=${1:?usage: tests/host/bench-tools.sh TESTS-BIN-DIR}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
failed=0

name="bench tools: the seccomp supervisor sees each mount and umount2, and they succeed"
if ! unshare -Urm true 2>/dev/null; then
	echo "SKIP $name: unshare -Urm is not allowed here"
	exit 0
fi
# 50 iterations: each mount benchmark does 1 mount+umount per batch, 3 batches.
if unshare -Urm "$bin/ecinotify" -- "$bin/ecibench" 50 mount_tmpfs mount_bind >"$out" 2>&1 &&
	grep -q '^ecinotify: 12 notifications, 6 mount, 6 umount2, 0 invalid$' "$out"; then
	echo "PASS $name"
else
	echo "FAIL $name: $(tr '\n' ' ' <"$out")"
	failed=1
fi

name="bench tools: the seccomp supervisor sees no other system call"
if unshare -Urm "$bin/ecinotify" -- "$bin/ecibench" 50 open_close stat fork_exit >"$out" 2>&1 &&
	grep -q '^ecinotify: 0 notifications' "$out"; then
	echo "PASS $name"
else
	echo "FAIL $name: $(tr '\n' ' ' <"$out")"
	failed=1
fi
exit $failed
