#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kill -9 of ecictl at random points (issue 18): of load, settings apply,
# container add. Afterwards the enforcer holds the old state or the new one,
# never a mix, once the next ecictl has repaired (or reported) what the killed
# one left. (load --replace: 06-replace.) Last: it leaves settings applied.
. "$(dirname "$0")/lib.sh"

P=/sys/fs/bpf/eci
enforcer_loaded || enforcer_load >/dev/null
nprogs=$(ls $P/link | wc -l)
rnd() { awk -v s="$1" -v k="$2" 'BEGIN { srand(s); print int(rand() * 60 * k * k) }'; }
nap() { sleep "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }
leftovers() { ls -d /sys/fs/bpf/eci-loading-* /sys/fs/bpf/eci-replacing-* 2>/dev/null; }

# --- settings apply: old settings or new, whole --------------------------------
S=/var/lib/eci-faults
mkdir -p $S /sys/fs/cgroup/eci/faultc
echo '{"eci": {"protectedSubtrees": [], "auditMode": false}}' >$S/a.json
echo '{"eci": {"protectedSubtrees": [], "auditMode": false, "defaultDevices": ["c 10:200 rw", "c 10:229 rw", "c 1:11 rw"]}}' >$S/b.json
ecictl container add /eci/faultc >/dev/null
ecictl settings apply $S/a.json >/dev/null || fail "settings a" "$(ecictl settings apply $S/a.json 2>&1)"
# How many of b's three default devices are in force (0 or 3), and in the copy.
in_force() { ecictl container show /eci/faultc | grep -cE ' c (10:200|10:229|1:11) rw$'; }
in_copy() { grep -c '10:200' /run/eci/settings.json; }
bad=0 repaired=0 why=
for k in 1 2 3 4 5 6 7 8; do
	ms=$(rnd $$$k $k)
	ecictl settings apply $S/b.json >/dev/null 2>&1 &
	p=$!
	nap "$ms"
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null
	note=$(ls /run/eci/op-* 2>/dev/null)
	err=$(ecictl status 2>&1 >/dev/null)
	if [ -n "$note" ]; then
		echo "$err" | grep -q "'settings apply $S/b.json' was interrupted (pid [0-9]*): applying the last applied settings" &&
			repaired=$((repaired + 1)) || why="$why; note $note not repaired: $err"
	fi
	f=$(in_force) c=$(in_copy)
	if ! { [ "$f" = 0 ] && [ "$c" = 0 ]; } && ! { [ "$f" = 3 ] && [ "$c" = 1 ]; }; then
		bad=$((bad + 1)) why="$why; after ${ms}ms: $f of 3 devices in force, copy has b: $c"
	fi
	[ -z "$(ls /run/eci/op-* 2>/dev/null)" ] || why="$why; a note is left"
	ecictl settings apply $S/a.json >/dev/null
done
if [ $bad = 0 ] && [ -z "$why" ]; then
	pass "kill -9 during settings apply (8 random points, $repaired repaired): old settings or new, whole"
else
	fail "kill -9 during settings apply: old settings or new, whole" "$bad mixed$why"
fi

# --- container add: reported by the next ecictl, whole after a rerun -----------
bad=0 reported=0 why=
for k in 1 2 3 4 5 6; do
	mkdir -p /sys/fs/cgroup/eci/fadd/a/b /sys/fs/cgroup/eci/fadd/c
	ms=$(rnd $$$k $k)
	ecictl container add /eci/fadd --device 'c 10:200 rw' --device 'b 254:0 r' >/dev/null 2>&1 &
	p=$!
	nap "$ms"
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null
	note=$(ls /run/eci/op-* 2>/dev/null)
	err=$(ecictl container ls 2>&1 >/dev/null)
	if [ -n "$note" ]; then
		echo "$err" | grep -q "'container add /eci/fadd' was interrupted (pid [0-9]*): it may be half done; run it again, or 'ecictl container rm /eci/fadd'" &&
			reported=$((reported + 1)) || why="$why; note not reported: $err"
	fi
	ecictl container add /eci/fadd --device 'c 10:200 rw' --device 'b 254:0 r' >/dev/null
	out=$(ecictl container show /eci/fadd)
	echo "$out" | grep -q '^sub-cgroups: 3$' && echo "$out" | grep -q 'c 10:200 rw' &&
		echo "$out" | grep -q 'b 254:0 r' || { bad=$((bad + 1)) why="$why; after a rerun: $(echo "$out" | tr '\n' ' ')"; }
	ecictl container rm /eci/fadd >/dev/null
	rmdir /sys/fs/cgroup/eci/fadd/a/b /sys/fs/cgroup/eci/fadd/a /sys/fs/cgroup/eci/fadd/c /sys/fs/cgroup/eci/fadd
done
if [ $bad = 0 ] && [ -z "$why" ]; then
	pass "kill -9 during container add (6 random points, $reported reported by the next ecictl): whole after a rerun"
else
	fail "kill -9 during container add: reported, whole after a rerun" "$bad bad$why"
fi
ecictl container rm /eci/faultc >/dev/null
rmdir /sys/fs/cgroup/eci/faultc

# --- load: loaded whole or not at all; status names a leftover; load repairs ---
bad=0 left=0 why=
for k in 1 2 3 4 5 6; do
	ecictl unload >/dev/null
	ms=$(rnd $$$k $((k + 2)))
	ecictl load >/dev/null 2>&1 &
	p=$!
	nap "$ms"
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null
	if [ -e $P ] && [ "$(ls $P/link | wc -l)" != "$nprogs" ]; then
		bad=$((bad + 1)) why="$why; after ${ms}ms: $(ls $P/link | wc -l) links"
	fi
	l=$(leftovers)
	if [ -n "$l" ]; then
		left=$((left + 1))
		ecictl status 2>/dev/null | grep -q "^leftover: *$l, of an interrupted ecictl" || why="$why; status does not name $l"
	fi
	ecictl load >/dev/null 2>&1
	[ "$(ls $P/link | wc -l)" = "$nprogs" ] && [ -z "$(leftovers)" ] || why="$why; the next load left $(leftovers)"
done
if [ $bad = 0 ] && [ -z "$why" ]; then
	pass "kill -9 during load (6 random points, $left left a leftover): loaded whole or not at all, the next load repairs"
else
	fail "kill -9 during load: loaded whole or not at all, the next load repairs" "$bad bad$why"
fi
rm -rf $S
exit 0
