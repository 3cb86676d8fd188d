#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Watching traps (issue 7): after known denied operations in one protected
# container, the per-container class counters (ecictl stats), the trap events,
# ecitop's batch output, the Prometheus endpoint and the daemon's trap log all
# show exactly those; a flood is counted whole with the events it could not
# send counted as throttled or dropped. The metrics the daemon served are
# echoed as "ECI-METRICS <line>" for the host's strict parser
# (tests/host/check-vm-metrics.sh).
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null
ecictl events >/dev/null # drain what earlier tests left
VDA=$(cat /sys/block/vda/dev)

# One long-lived container, so its counters (dropped with its cgroup) can be
# read while it runs: it runs each /x/cmd.N as it appears and then creates
# /x/done.N, until /x/stop exists.
SH=/tmp/obs-shared
rm -rf "$SH"
mkdir -p "$SH"
agent='i=1; while [ ! -e /x/stop ]; do if [ -e /x/cmd.$i ]; then sh /x/cmd.$i >/x/out.$i 2>&1; touch /x/done.$i; i=$((i + 1)); else sleep 0.1; fi; done'
eci-ctr --name obs --allow-bind "$SH" --mount "$SH:/x" -- sh -c "$agent" >/tmp/obs-ctr.out 2>&1 &
ctr_pid=$!
N=0
in_obs() { # CMD: run CMD in the container and wait for it to finish
	N=$((N + 1))
	echo "$1" >"$SH/cmd.tmp"
	mv "$SH/cmd.tmp" "$SH/cmd.$N"
	for _i in $(seq 900); do
		[ -e "$SH/done.$N" ] && return 0
		sleep 0.1
	done
	echo "in_obs: '$1' did not finish; container: $(cat /tmp/obs-ctr.out)" >&2
	return 1
}
finish() {
	touch "$SH/stop"
	wait $ctr_pid 2>/dev/null
	exit 0
}

# The counters of container obs from `ecictl stats --format json`: its
# object is {"name":"obs","cgroup_id":ID,"mode":M,"denials":{...},...}.
stats_json() { ecictl stats --format json >/tmp/stats.json && cat /tmp/stats.json; }
obs_denials() { stats_json | grep -o '{"name":"obs","cgroup_id":[0-9]*,"mode":"[a-z]*","denials":{[^}]*}'; }
cls() { obs_denials | grep -o "\"$1\":[0-9]*" | head -n1 | cut -d: -f2; }
state() { stats_json | grep -o "\"$1\":[0-9]*" | head -n1 | cut -d: -f2; }

if ! in_obs 'true'; then
	fail "the test container starts" "$(cat /tmp/obs-ctr.out)"
	finish
fi
pass "the test container starts"
ID=$(obs_denials | sed 's/.*"cgroup_id":\([0-9]*\).*/\1/')

# Known denied operations: 7 device opens, 2 clock changes (capable), 1
# module autoload. Each also shows it was really denied.
in_obs 'n=0; i=0; while [ $i -lt 7 ]; do true </dev/mem || n=$((n + 1)); i=$((i + 1)); done 2>/dev/null
	echo "device denied $n"
	for d in 1 2; do date -s 2031-01-0$d 2>&1 | grep -q "not permitted" && echo "clock denied $d"; done
	ip link add eci0 type dummy 2>/dev/null; grep -q eci0 /proc/net/dev || echo "module denied"'
out=$(cat "$SH/out.$N")
case $out in
*"device denied 7"*"clock denied 2"*"module denied"*) pass "the 10 operations were denied" ;;
*) fail "the 10 operations were denied" "$out" ;;
esac
got="device $(cls device) kernel $(cls kernel) module $(cls module) mount $(cls mount) socket $(cls socket)"
if [ "$got" = "device 7 kernel 2 module 1 mount 0 socket 0" ]; then
	pass "ecictl stats --format json: exactly 7 device, 2 kernel, 1 module traps for the container"
else
	fail "ecictl stats --format json: exactly 7 device, 2 kernel, 1 module traps for the container" \
		"$got: $(cat /tmp/stats.json)"
fi
ecictl events >/tmp/obs-events.json
got="device $(grep '"container":"obs"' /tmp/obs-events.json | grep -c '"class":"device"')"
got="$got kernel $(grep '"container":"obs"' /tmp/obs-events.json | grep -c '"class":"kernel"')"
got="$got module $(grep '"container":"obs"' /tmp/obs-events.json | grep -c '"class":"module"')"
got="$got all $(grep -c '"container":"obs"' /tmp/obs-events.json)"
if [ "$got" = "device 7 kernel 2 module 1 all 10" ]; then
	pass "trap events: exactly 7 device, 2 kernel, 1 module for the container"
else
	fail "trap events: exactly 7 device, 2 kernel, 1 module for the container" "$got"
fi

# ecitop batch: a trap waiting in the buffer is in the first refresh, with
# the container's counter.
in_obs 'true </dev/vda 2>/dev/null || echo denied'
ecitop -b --json -n 2 -d 1 >/tmp/top1.json 2>/tmp/top1.err
first=$(sed -n 1p /tmp/top1.json)
if [ "$(wc -l </tmp/top1.json)" = 2 ] &&
	printf '%s' "$first" | grep -q '"container":"obs"[^}]*"hook":"file_open"[^}]*"class":"device"' &&
	printf '%s' "$first" | grep -q '{"name":"obs","cgroup_id":[0-9]*,"mode":"deny","denials":{"module":1,"mount":0,"device":8,'; then
	pass "ecitop -b --json -n 2 -d 1: the trap and the container's count in the first refresh"
else
	fail "ecitop -b --json -n 2 -d 1: the trap and the container's count in the first refresh" \
		"$(cat /tmp/top1.err /tmp/top1.json | head -c 1500)"
fi
# A trap while ecitop runs shows in the next refresh.
ecitop -b --json -n 2 -d 5 >/tmp/top2.json 2>/tmp/top2.err &
top=$!
for i in $(seq 300); do
	[ -s /tmp/top2.json ] && break
	sleep 0.1
done
in_obs 'ip link add eci1 type dummy 2>/dev/null || echo denied'
wait $top
second=$(sed -n 2p /tmp/top2.json)
if sed -n 1p /tmp/top2.json | grep -q '"denials":{"module":1,' &&
	printf '%s' "$second" | grep -q '"container":"obs"[^}]*"hook":"kernel_module_request"' &&
	printf '%s' "$second" | grep -q '{"name":"obs","cgroup_id":[0-9]*,"mode":"deny","denials":{"module":2,'; then
	pass "ecitop: a trap made while it runs is in its next refresh"
else
	fail "ecitop: a trap made while it runs is in its next refresh" \
		"$(cat /tmp/top2.err /tmp/top2.json | head -c 1500)"
fi
ecitop -b -n 1 >/tmp/top3.txt 2>&1
if grep -q '^obs  *[0-9.]*  *12 ' /tmp/top3.txt && grep -q '^HOOK ' /tmp/top3.txt; then
	pass "ecitop -b (text): the container with its 12 traps, the hooks"
else
	fail "ecitop -b (text): the container with its 12 traps, the hooks" "$(head -c 800 /tmp/top3.txt)"
fi

# A flood: 1000 denied opens. All counted per container; events are held to
# the rate, and the rest counted as throttled (or dropped).
ecictl events >/dev/null
d0=$(cls device) th0=$(state event_throttled) dr0=$(state event_drops)
in_obs 'i=0; while [ $i -lt 1000 ]; do true </dev/mem; i=$((i + 1)); done 2>/dev/null'
ev=$(ecictl events | grep -c '"container":"obs"')
d=$(($(cls device) - d0))
th=$(($(state event_throttled) - th0))
dr=$(($(state event_drops) - dr0))
if [ "$d" = 1000 ] && [ $((ev + th + dr)) = 1000 ] && [ "$th" -gt 0 ] && [ "$ev" -gt 0 ]; then
	pass "a flood of 1000: 1000 counted for the container, $ev events, $th throttled, $dr dropped"
else
	fail "a flood of 1000: all counted, events rate-limited, the rest counted" \
		"counted $d, events $ev, throttled $th, dropped $dr"
fi

# The JIT's own CAP_SYS_ADMIN check (audit K7): a classic program of a
# privileged task is compiled without the Spectre-BHB barrier. seccomp()
# without no_new_privs may use CAP_SYS_ADMIN (runc's filters), but the JIT's
# check inside it is refused: counted, no event (a check without audit).
# The barrier itself is in the JIT image, which nothing shows for a classic
# program: the count shows the check was refused, the filter that it still
# works.
# The same exec without the filter counts what an exec alone does (checks
# such as the memory overcommit's, also refused without audit).
k0=$(cls kernel)
in_obs 'ecitest >/dev/null 2>&1'
k1=$(cls kernel)
in_obs 'ecitest seccomp_filter'
k=$(($(cls kernel) - k1 - (k1 - k0)))
if grep -q 'Seccomp_filters:[[:space:]]*1' "$SH/out.$N" && [ "$k" -ge 1 ]; then
	pass "seccomp filter without no_new_privs works; the JIT's CAP_SYS_ADMIN check refused ($k counted)"
else
	fail "seccomp filter without no_new_privs works; the JIT's CAP_SYS_ADMIN check refused" \
		"$k counted beyond an exec's $((k1 - k0)): $(cat "$SH/out.$N")"
fi

# The daemon: metrics over HTTP, the trap log, syslog, BPF stats.
rm -f /tmp/traps.log /tmp/traps.log.1 /tmp/messages
syslogd -n -O /tmp/messages &
slog=$!
for i in $(seq 100); do
	[ -S /dev/log ] && break
	sleep 0.1
done
echo 1 >/proc/sys/kernel/bpf_stats_enabled
# This one is the trap log's daemon: the boot's steps aside (one reader).
boot_daemon_stop
ecictl daemon --listen 127.0.0.1:9568 --log /tmp/traps.log --syslog --bpf-stats >/tmp/daemon.out 2>&1 &
dmn=$!
for i in $(seq 300); do
	wget -q -O /tmp/metrics.txt http://127.0.0.1:9568/metrics 2>/dev/null && break
	sleep 0.1
done
if grep -q "^eci_container_traps_total{eci_container=\"obs\",cgroup_id=\"$ID\",class=\"device\",verdict=\"deny\"} 1008\$" /tmp/metrics.txt &&
	grep -q "^eci_container_traps_total{eci_container=\"obs\",cgroup_id=\"$ID\",class=\"module\",verdict=\"deny\"} 2\$" /tmp/metrics.txt &&
	grep -q '^# TYPE eci_container_traps_total counter$' /tmp/metrics.txt; then
	pass "GET /metrics: the container's exact counts, as Prometheus counters"
else
	fail "GET /metrics: the container's exact counts, as Prometheus counters" \
		"$(cat /tmp/daemon.out; grep obs /tmp/metrics.txt | head -n 12)"
fi
sed 's/^/ECI-METRICS /' /tmp/metrics.txt
if err=$(wget -q -O - http://127.0.0.1:9568/ 2>&1); then
	fail "GET / is 404" "succeeded: $err"
else
	case $err in *404*) pass "GET / is 404" ;; *) fail "GET / is 404" "$err" ;; esac
fi
if err=$(wget -q -O - http://127.0.0.1:9568/metricsx 2>&1); then
	fail "GET /metricsx is 404" "succeeded: $err"
else
	case $err in *404*) pass "GET /metricsx is 404" ;; *) fail "GET /metricsx is 404" "$err" ;; esac
fi
# BPF run time: on (the sysctl and our fd), the file_open programs ran.
if grep -q '^eci_bpf_stats_enabled 1$' /tmp/metrics.txt &&
	grep -q '^eci_hook_runs_total{hook="file_open"} [1-9]' /tmp/metrics.txt &&
	grep -Eq '^eci_hook_run_seconds_total\{hook="file_open"\} [0-9]*\.[0-9]*[1-9]' /tmp/metrics.txt; then
	pass "BPF run time per hook with --bpf-stats"
else
	fail "BPF run time per hook with --bpf-stats" "$(grep -E 'bpf_stats|file_open' /tmp/metrics.txt)"
fi

in_obs 'true </dev/vda 2>/dev/null'
for i in $(seq 100); do
	grep -q '"container":"obs".*"hook":"file_open"' /tmp/traps.log 2>/dev/null && break
	sleep 0.1
done
if [ "$(grep -c '"container":"obs"' /tmp/traps.log)" = 1 ] &&
	grep -q "\"container\":\"obs\".*\"hook\":\"file_open\".*\"device\":\"b $VDA\"" /tmp/traps.log; then
	pass "daemon --log: the trap as a JSON line"
else
	fail "daemon --log: the trap as a JSON line" "$(cat /tmp/traps.log /tmp/daemon.out)"
fi
if grep -q 'eci.*"container":"obs".*"hook":"file_open"' /tmp/messages; then
	pass "daemon --syslog: the trap in syslog"
else
	fail "daemon --syslog: the trap in syslog" "$(tail -n 3 /tmp/messages)"
fi
# Log rotation: rename, SIGHUP, the next trap goes to a new file.
mv /tmp/traps.log /tmp/traps.log.1
kill -HUP $dmn
for i in $(seq 100); do
	[ -e /tmp/traps.log ] && break
	sleep 0.1
done
in_obs 'date -s 2031-01-01 >/dev/null 2>&1'
for i in $(seq 100); do
	grep -q '"hook":"capable"' /tmp/traps.log 2>/dev/null && break
	sleep 0.1
done
if grep -q '"container":"obs".*"capability":"CAP_SYS_TIME"' /tmp/traps.log &&
	! grep -q CAP_SYS_TIME /tmp/traps.log.1 && [ "$(wc -l </tmp/traps.log.1)" = 1 ]; then
	pass "SIGHUP reopens the log: the next trap lands in the new file"
else
	fail "SIGHUP reopens the log: the next trap lands in the new file" \
		"new: $(cat /tmp/traps.log 2>&1) old: $(cat /tmp/traps.log.1)"
fi
kill -TERM $dmn
wait $dmn
st=$?
if [ $st = 0 ] && ! wget -q -O /dev/null http://127.0.0.1:9568/metrics 2>/dev/null; then
	pass "SIGTERM: the daemon exits 0 and stops listening"
else
	fail "SIGTERM: the daemon exits 0 and stops listening" "status $st: $(cat /tmp/daemon.out)"
fi
if [ "$(cat /proc/sys/kernel/bpf_stats_enabled)" = 1 ]; then
	pass "the daemon leaves BPF stats on when someone else turned them on"
else
	fail "the daemon leaves BPF stats on when someone else turned them on" "now off"
fi
echo 0 >/proc/sys/kernel/bpf_stats_enabled
kill $slog 2>/dev/null
boot_daemon_start

# ecictl stats -o: the whole file, written by rename.
ecictl stats --format prometheus -o /tmp/eci.prom
if grep -q '^eci_up 1$' /tmp/eci.prom && ! ls /tmp/eci.prom.*.tmp >/dev/null 2>&1 &&
	grep -q '^eci_bpf_stats_enabled 0$' /tmp/eci.prom; then
	pass "stats -o FILE writes the metrics whole, no temporary left"
else
	fail "stats -o FILE writes the metrics whole, no temporary left" "$(ls /tmp/eci.prom*)"
fi
finish
