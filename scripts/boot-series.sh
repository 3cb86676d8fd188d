#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test VM over and over, as a user of scripts/eci-vm would: the
# enforcer loaded, one protected privileged runc container that tries to load
# a module (refused) and then says "ok". Stops at the first boot that does
# not end that way and keeps its console log; prints one line per boot and a
# last line "N boots, N clean, N lockups, N other" (RELIABILITY.md).
# usage: scripts/boot-series.sh [-n COUNT] [--kernel 6.1|6.12] [--timeout S]
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
count=300 kernel=${KERNEL:-6.12} timeout=300
while [ $# -gt 0 ]; do
	case $1 in
	-n) count=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	*) echo "usage: $0 [-n COUNT] [--kernel 6.1|6.12] [--timeout S]" >&2; exit 2 ;;
	esac
	shift
done

out=$(mktemp)
trap 'rm -f "$out"' EXIT
clean=0 lockups=0 other=0
for i in $(seq "$count"); do
	t0=$(date +%s)
	"$top/scripts/eci-vm" --kernel "$kernel" --timeout "$timeout" -- \
		sh -c 'insmod /dummy.ko 2>/dev/null && echo loaded; echo ok' >"$out" 2>&1
	st=$?
	secs=$(($(date +%s) - t0))
	if [ $st = 0 ] && [ "$(tail -n1 "$out")" = ok ] && ! grep -q loaded "$out"; then
		clean=$((clean + 1))
		echo "boot $i: clean, ${secs}s"
		continue
	fi
	if [ $st = 123 ]; then
		lockups=$((lockups + 1))
	else
		other=$((other + 1))
	fi
	kept=$top/build/vm/series-$kernel-boot$i.log
	cp "$top/build/vm/console-$kernel.log" "$kept" 2>/dev/null
	echo "boot $i: status $st after ${secs}s: $(tail -n3 "$out" | tr '\n' ' ') (console: ${kept#"$top/"})"
	break
done
echo "$((clean + lockups + other)) boots, $clean clean, $lockups lockups, $other other"
[ $((lockups + other)) = 0 ]
