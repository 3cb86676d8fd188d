#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Traps are observable: after a scripted run of known denied operations, the
# trap events and the hook counters show exactly those, with their details.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null
ecictl events >/dev/null # drain what earlier tests left
VDA=$(cat /sys/block/vda/dev)

denials() { ecictl status | awk -v h="$1" '$1 == h { print $3 }'; }
before_mr=$(denials kernel_module_request)
before_fo=$(denials file_open)
before_cap=$(denials capable)

# (insmod would trap at capable(CAP_SYS_MODULE) first; autoload has no
# capability check on the way, so it reaches kernel_module_request.) Only
# while dummy is not loaded: an earlier file may have left it in (the whole
# suite on 6.12 did, and then nothing asked for the module).
rmmod dummy 2>/dev/null
! in_modules dummy || fail "dummy can be unloaded before the module trap" "$(grep '^dummy ' /proc/modules)"
ctr --name evt -- sh -c 'ip link add eci0 type dummy; head -c 1 /dev/vda; date -s 2031-01-01; true'
ecictl events >/tmp/events.json
n=$(grep -c '"container":"evt"' /tmp/events.json)
if [ "$n" = 3 ]; then
	pass "three denied operations, three trap events"
else
	fail "three denied operations, three trap events" "$n events: $(cat /tmp/events.json)"
fi
if grep '"hook":"kernel_module_request"' /tmp/events.json | grep -q '"detail":"rtnl-link-dummy"' &&
	grep '"hook":"file_open"' /tmp/events.json | grep -q "\"device\":\"b $VDA\",\"access\":\"r\"" &&
	grep '"hook":"capable"' /tmp/events.json | grep -q '"capability":"CAP_SYS_TIME"' &&
	grep -q '"verdict":"deny","errno":1' /tmp/events.json; then
	pass "trap events name the module, the device and access, the capability"
else
	fail "trap events name the module, the device and access, the capability" "$(tr '\n' ' ' </tmp/events.json)"
fi
if [ $(($(denials kernel_module_request) - before_mr)) = 1 ] && [ $(($(denials file_open) - before_fo)) = 1 ] &&
	[ $(($(denials capable) - before_cap)) = 1 ]; then
	pass "the hook counters count each denial once"
else
	fail "the hook counters count each denial once" "$(ecictl status | grep -A20 '^hooks' | tr -s ' \n' ' ')"
fi
out=$(ecictl events)
[ -z "$out" ] && pass "read events are gone from the buffer" || fail "read events are gone from the buffer" "$out"
# A flood: 1000 denied opens from one container. Every one is counted; the
# events it sends are held to its rate (a burst of 200), and the rest are
# counted as throttled (or dropped), so the books balance exactly.
state_field() { ecictl status | awk -v f="$1" '/^state:/ { print $f }'; }
d0=$(denials file_open)
th0=$(state_field 9)
dr0=$(state_field 5)
ctr --name flood -- sh -c 'i=0; while [ $i -lt 1000 ]; do true </dev/mem; i=$((i + 1)); done 2>/dev/null; true'
ecictl events >/tmp/flood.json
ev=$(grep -c '"container":"flood"' /tmp/flood.json)
d=$(($(denials file_open) - d0))
th=$(($(state_field 9) - th0))
dr=$(($(state_field 5) - dr0))
if [ "$d" = 1000 ] && [ $((ev + th + dr)) = 1000 ] && [ "$ev" -ge 200 ] && [ "$th" -gt 0 ]; then
	pass "a flood of 1000 denials: all counted, $ev events sent, $th throttled, $dr dropped"
else
	fail "a flood of 1000 denials: all counted, events rate-limited, the rest counted" \
		"denials $d, events $ev, throttled $th, dropped $dr"
fi
exit 0
