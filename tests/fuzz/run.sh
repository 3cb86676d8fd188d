#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh TARGET SECONDS: run build/fuzz/bin/fuzz_TARGET for that
# long, niced, and print one line: "PASS fuzz TARGET: N runs, no crash" or
# "FAIL fuzz TARGET: what broke". libFuzzer runs the seeds (and the kept
# reproducers) in tests/fuzz/corpus/TARGET first, then grows its own corpus
# in build/fuzz/corpus/TARGET; a crash's input is kept in
# build/fuzz/artifacts/TARGET/ and its log in build/fuzz/TARGET.log.
set -u
cd "$(dirname "$0")/../.."

t=$1
secs=$2
bin=build/fuzz/bin/fuzz_$t
seeds=tests/fuzz/corpus/$t
work=build/fuzz/corpus/$t
art=build/fuzz/artifacts/$t
log=build/fuzz/$t.log

if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
	echo "FAIL fuzz $t: no $bin or no $seeds"
	exit 1
fi
mkdir -p "$work" "$art"
dict=()
[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")

# Leaks count as crashes (ASan's leak check runs after each input that
# allocated more than it freed); a stuck input fails after 10 s.
nice -n 10 "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" "$work" "$seeds" >"$log" 2>&1
st=$?
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)

if [ "$st" -eq 0 ] && [ "${runs:-0}" -gt 0 ]; then
	echo "PASS fuzz $t: $runs runs, no crash"
	exit 0
fi
# The kind of failure, and the first frame in eci's own code.
why=$(grep -m 1 -oE 'ERROR: [A-Za-z]+: [a-z-]+|[^ ]*: runtime error: .*|deadly signal|out-of-memory' "$log" |
	sed -E 's/^ERROR: //; s#^/.*/(user|tests/fuzz)/#\1/#')
where=$(grep -m 1 -oE ' in [A-Za-z_0-9]+ [^ ]*/(user|tests/fuzz)/[^ ]+' "$log" | sed -E 's# /.*/(user|tests/fuzz)/# \1/#')
unit=$(grep -o 'Test unit written to [^ ]*' "$log" | tail -n 1 | sed 's/Test unit written to //')
echo "FAIL fuzz $t: ${why:-libFuzzer exited with status $st}${where} after ${runs:-0} runs (input ${unit:-none}, log $log)"
exit 1
