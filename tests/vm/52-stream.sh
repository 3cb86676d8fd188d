#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One event stream (issue 17): the daemon is the only reader of the kernel's
# ring buffer and every other reader gets the events from its socket, so two
# followers and `ecictl events` all see the same trap; events carry an RFC 3339
# time and the container's image. Without the daemon the readers say how to
# start it; a `load --replace` keeps the stream going.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null
ecictl events >/dev/null # what earlier tests left
VDA=$(cat /sys/block/vda/dev)
RFC3339='"time":"[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]\{9\}Z"'

ecictl events --follow >/tmp/f1.json 2>&1 &
f1=$!
ecictl events --follow >/tmp/f2.json 2>&1 &
f2=$!
sleep 1
ctr --name streamer --image registry.example/eci/busy:1.0 -- head -c 1 /dev/vda
for i in $(seq 100); do
	grep -q streamer /tmp/f1.json && grep -q streamer /tmp/f2.json && break
	sleep 0.1
done
ecictl events >/tmp/unread.json
ecictl events --all >/tmp/all.json
kill $f1 $f2
for f in f1 f2 unread all; do
	n=$(grep -c '"container":"streamer"' /tmp/$f.json)
	[ "$n" = 1 ] || fail "every reader gets the trap: $f" "$n events: $(cat /tmp/$f.json)"
done
if [ "$(grep -c '"container":"streamer"' /tmp/f1.json /tmp/f2.json /tmp/unread.json /tmp/all.json | grep -c ':1$')" = 4 ]; then
	pass "two followers, ecictl events and --all each get the one trap: no reader takes it from another"
fi
if grep '"container":"streamer"' /tmp/all.json | grep -q "$RFC3339" &&
	grep '"container":"streamer"' /tmp/all.json | grep -q '"image":"registry.example/eci/busy:1.0"' &&
	grep '"container":"streamer"' /tmp/all.json | grep -q "\"device\":\"b $VDA\""; then
	pass "the event has an RFC 3339 time and the container's image"
else
	fail "the event has an RFC 3339 time and the container's image" "$(cat /tmp/all.json)"
fi
out=$(ecictl events)
[ -z "$out" ] && pass "ecictl events prints only what it has not printed before" ||
	fail "ecictl events prints only what it has not printed before" "$out"
if ! grep -q '\\/' /tmp/all.json; then
	pass "events have no escaped slashes"
else
	fail "events have no escaped slashes" "$(grep -m1 '\\/' /tmp/all.json)"
fi

# A replace keeps the ring buffer, so the daemon goes on reading it.
ecictl load --replace >/dev/null 2>&1 || fail "load --replace with the daemon running" "$(ecictl load --replace 2>&1)"
ctr --name streamer2 -- head -c 1 /dev/vda
n=0
for i in $(seq 50); do
	n=$(ecictl events --all | grep -c '"container":"streamer2"')
	[ "$n" = 1 ] && break
	sleep 0.1
done
[ "$n" = 1 ] && pass "after load --replace the daemon still streams the traps" ||
	fail "after load --replace the daemon still streams the traps" "$n events"

# Without the daemon: one sentence on how to start it, and exit 1.
boot_daemon_stop
out=$(ecictl events 2>&1)
st=$?
if [ $st = 1 ] && echo "$out" | grep -q "daemon is not running.*systemctl start eci-daemon" &&
	[ "$(echo "$out" | wc -l)" = 1 ]; then
	pass "without the daemon, ecictl events says how to start it"
else
	fail "without the daemon, ecictl events says how to start it" "status $st: $out"
fi
ecitop -b -n 1 >/dev/null 2>/tmp/top.err
if grep -q "daemon is not running.*systemctl start eci-daemon" /tmp/top.err; then
	pass "without the daemon, ecitop says how to start it"
else
	fail "without the daemon, ecitop says how to start it" "$(cat /tmp/top.err)"
fi
# Traps meanwhile wait in the kernel's buffer for the daemon's return.
ctr --name streamer3 -- head -c 1 /dev/vda
boot_daemon_start
if ecictl events | grep -q '"container":"streamer3"'; then
	pass "a trap made while the daemon was down reaches it when it starts"
else
	fail "a trap made while the daemon was down reaches it when it starts" "$(ecictl events --all | tail -n 2)"
fi
out=$(ecictl daemon --listen 127.0.0.1:9570 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "another ecictl daemon serves the trap events"; then
	pass "a second daemon refuses: one reader of the ring buffer"
else
	fail "a second daemon refuses: one reader of the ring buffer" "$out"
fi
exit 0
