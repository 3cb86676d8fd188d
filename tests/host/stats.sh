#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ecictl stats and ecictl daemon on this host (enforcer not loaded, run under
# ASan/UBSan): eci_up 0 that passes the strict parser, one-sentence errors,
# the HTTP endpoint's 200/404, a clean SIGTERM.
# usage: tests/host/stats.sh ECICTL
set -u
ecictl=${1:?usage: tests/host/stats.sh ECICTL}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS host stats: $1"; }
fail() { echo "FAIL host stats: $1: $2"; failed=1; }

if [ -e /sys/fs/bpf/eci ]; then
	echo "SKIP host stats: eci is loaded on this host; these checks expect it not to be"
	exit 0
fi
if "$ecictl" stats --format prometheus >"$tmp/m" 2>"$tmp/e" && grep -q '^eci_up 0$' "$tmp/m" &&
	"$top/tests/unit/check_prometheus.py" "$tmp/m" >"$tmp/c" 2>&1; then
	pass "not loaded: eci_up 0, strict parser accepts it"
else
	fail "not loaded: eci_up 0, strict parser accepts it" "$(cat "$tmp/e" "$tmp/c" "$tmp/m" | head -c 400)"
fi
"$ecictl" stats --format yaml >/dev/null 2>"$tmp/e"
st=$?
[ $st = 2 ] && [ "$(head -n1 "$tmp/e")" = "ecictl: --format takes prometheus, json or table" ] &&
	pass "a bad --format: one sentence, exit 2" || fail "a bad --format: one sentence, exit 2" "exit $st: $(cat "$tmp/e")"
"$ecictl" stats -o "$tmp/no/such/dir/eci.prom" 2>"$tmp/e"
st=$?
[ $st = 1 ] && [ "$(wc -l <"$tmp/e")" = 1 ] && grep -q 'failed to create' "$tmp/e" &&
	pass "-o into a missing directory: one sentence, exit 1" ||
	fail "-o into a missing directory: one sentence, exit 1" "exit $st: $(cat "$tmp/e")"
"$ecictl" daemon --listen nowhere >/dev/null 2>"$tmp/e"
st=$?
[ $st = 2 ] && grep -q -- '--listen takes an IPv4 ADDR:PORT' "$tmp/e" &&
	pass "daemon --listen nowhere: exit 2" || fail "daemon --listen nowhere: exit 2" "exit $st: $(cat "$tmp/e")"
"$ecictl" daemon --log "$tmp/no/such/dir/log" >/dev/null 2>"$tmp/e"
st=$?
[ $st = 1 ] && [ "$(wc -l <"$tmp/e")" = 1 ] &&
	pass "daemon --log into a missing directory: one sentence, exit 1" ||
	fail "daemon --log into a missing directory: one sentence, exit 1" "exit $st: $(cat "$tmp/e")"

port=$((20000 + $$ % 20000))
"$ecictl" daemon --listen "127.0.0.1:$port" --events-socket "$tmp/ev.sock" --log "$tmp/log" >"$tmp/d" 2>&1 &
pid=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/metrics" && break
	sleep 0.1
done
code=$(curl -s -o "$tmp/m" -D "$tmp/h" -w '%{http_code}' "http://127.0.0.1:$port/metrics")
if [ "$code" = 200 ] && grep -qi '^content-type: text/plain; version=0.0.4' "$tmp/h" && grep -q '^eci_up 0' "$tmp/m"; then
	pass "daemon: GET /metrics is 200, text format 0.0.4"
else
	fail "daemon: GET /metrics is 200, text format 0.0.4" "code $code: $(cat "$tmp/h" "$tmp/d")"
fi
# The trap log does not need the enforcer at start: the daemon waits for it
# (a unit restarting on failure would otherwise fail every few seconds).
if grep -q '(once eci is loaded), trap log ' "$tmp/d" && [ -e "$tmp/log" ] && kill -0 $pid 2>/dev/null; then
	pass "daemon --log without the enforcer: runs, log opened, waiting for eci"
else
	fail "daemon --log without the enforcer: runs, log opened, waiting for eci" "$(cat "$tmp/d")"
fi
codes="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/") $(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "http://127.0.0.1:$port/metrics") $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics/x")"
[ "$codes" = "404 404 404" ] && pass "daemon: GET /, POST /metrics, GET /metrics/x are 404" ||
	fail "daemon: GET /, POST /metrics, GET /metrics/x are 404" "$codes"
# The event stream (no enforcer here: a stream with no events yet).
export ECI_EVENTS_SOCKET=$tmp/ev.sock
if [ -S "$tmp/ev.sock" ] && [ "$(stat -c %a "$tmp/ev.sock")" = 600 ] &&
	"$ecictl" events >"$tmp/ev" 2>"$tmp/e" && "$ecictl" events --all >>"$tmp/ev" 2>>"$tmp/e" &&
	[ ! -s "$tmp/ev" ] && [ ! -s "$tmp/e" ]; then
	pass "daemon: serves the event stream on a root-only socket (events, --all: none yet)"
else
	fail "daemon: serves the event stream on a root-only socket" "$(ls -l "$tmp/ev.sock" 2>&1; cat "$tmp/ev" "$tmp/e")"
fi
"$ecictl" daemon --listen "127.0.0.1:$((port + 1))" >"$tmp/d2" 2>&1
st=$?
if [ $st = 1 ] && grep -q 'another ecictl daemon serves the trap events' "$tmp/d2" && [ "$(wc -l <"$tmp/d2")" = 1 ]; then
	pass "daemon: a second one refuses while the first serves the stream"
else
	fail "daemon: a second one refuses while the first serves the stream" "exit $st: $(cat "$tmp/d2")"
fi
"$ecictl" events --follow >"$tmp/f" 2>&1 &
fpid=$!
# Connected: its socket is open (ASan makes the start slow).
for _ in $(seq 100); do
	ls -l /proc/$fpid/fd 2>/dev/null | grep -q 'socket:' && break
	sleep 0.1
done
sleep 0.2
kill -TERM $pid
wait $pid
st=$?
[ $st = 0 ] && pass "daemon: SIGTERM, exit 0 (no sanitizer report)" || fail "daemon: SIGTERM, exit 0" "exit $st: $(cat "$tmp/d")"
wait $fpid
st=$?
# Its only line: the daemon's caught-up marker is the reader's, not printed.
if [ $st = 1 ] && grep -q 'the trap event stream ended: the daemon stopped' "$tmp/f" &&
	[ "$(wc -l <"$tmp/f")" = 1 ]; then
	pass "events --follow: the daemon's end is said, exit 1, nothing else printed"
else
	fail "events --follow: the daemon's end is said, exit 1, nothing else printed" "exit $st: $(cat "$tmp/f")"
fi
"$ecictl" events >"$tmp/ev" 2>"$tmp/e"
st=$?
if [ $st = 1 ] && [ ! -e "$tmp/ev.sock" ] && grep -q "daemon is not running (nothing listens on $tmp/ev.sock).*systemctl start eci-daemon" "$tmp/e"; then
	pass "events without the daemon: how to start it, exit 1; the socket is gone"
else
	fail "events without the daemon: how to start it, exit 1; the socket is gone" "exit $st: $(cat "$tmp/e")"
fi
exit $failed
