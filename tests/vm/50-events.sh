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
# capability check on the way, so it reaches kernel_module_request.)
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
exit 0
