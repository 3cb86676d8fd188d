#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ecitop's screen driven by keys in tmux (send-keys, capture-pane): sort,
# filter, drill-down and back, verdict, pause, help, resize, quit. It runs on
# this host from a recording (--replay tests/host/ecitop-replay.json, three
# refreshes in ecitop -b --json's format): the screen code is the same as
# live, the data fixed, so every expectation below is exact.
# usage: tests/host/ecitop-tmux.sh ECITOP
set -u
ecitop=$(realpath "${1:?usage: tests/host/ecitop-tmux.sh ECITOP}")
replay=$(realpath "$(dirname "$0")/ecitop-replay.json")
sock=eci-ecitop-test-$$
failed=0
export TERM=xterm-256color TZ=UTC LANG=C.UTF-8

pass() { echo "PASS ecitop screen: $1"; }
fail() { echo "FAIL ecitop screen: $1: $2"; failed=1; }
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null' EXIT

screen() { tm capture-pane -p -t ecitop; }
# The container table: the rows between its header and the hook header.
ctr_rows() { screen | sed -n '/^CONTAINER/,/^HOOK/p' | sed '1d;$d' | awk 'NF { print $1 }' | tr '\n' ' '; }
hook_rows() { screen | sed -n '/^HOOK/,/^TIME/p' | sed '1d;$d' | awk 'NF { print $1 }' | tr '\n' ' '; }
# wait_for PATTERN: until the screen shows it (the screen redraws on a
# timer; 10 s is far more than a redraw takes).
wait_for() {
	for _ in $(seq 100); do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
keys() { tm send-keys -t ecitop "$@"; }

# The command line, before the screen: the conventions ecictl follows too.
v=$("$ecitop" --version 2>&1)
if [ $? = 0 ] && echo "$v" | grep -Eq '^ecitop \(eci\) [^ ]+$'; then
	echo "PASS ecitop cli: --version ($v)"
else
	echo "FAIL ecitop cli: --version: $v"; failed=1
fi
e=$("$ecitop" -b -d 0 2>&1 >/dev/null)
if [ $? = 2 ] && [ "$e" = "ecitop: -d takes seconds between 0.05 and 86400, not '0'
Try 'ecitop --help'." ]; then
	echo "PASS ecitop cli: a bad -d is a usage error, exit 2"
else
	echo "FAIL ecitop cli: a bad -d is a usage error, exit 2: $e"; failed=1
fi

tm new-session -d -s ecitop -x 80 -y 24 "$ecitop --replay $replay -d 0.2; sleep 30" ||
	{ fail "starts in tmux" "tmux new-session failed"; exit 1; }
if wait_for 'replay: end'; then
	pass "shows the recording to its end in 80x24"
else
	fail "shows the recording to its end in 80x24" "$(screen)"
	exit 1
fi
# The container table's header: a column for every trap class, then MODE,
# all within 80 columns (issue 17: "... SOCKET MODE (null)").
hdr=$(screen | grep '^CONTAINER' | tr -s ' ' | sed 's/ $//')
if [ "$hdr" = "CONTAINER TRAPS/Sv TOTAL MODULE MOUNT DEVICE KERNEL SOCKET PROCESS MODE" ] &&
	! screen | grep -q '(null)'; then
	pass "the container header names every column, PROCESS and MODE included"
else
	fail "the container header names every column, PROCESS and MODE included" "'$hdr'"
fi
# Colour where the terminal has it: in the trap tail a denial is red (SGR 31),
# an audit yellow (SGR 33).
tail_e=$(tm capture-pane -e -p -t ecitop | sed -n '/TIME/,$p')
if printf '%s\n' "$tail_e" | grep ' deny ' | grep -q $'\e\[31m' &&
	printf '%s\n' "$tail_e" | grep ' audit ' | grep -q $'\e\[33m'; then
	pass "colour: a denial red, an audit yellow"
else
	fail "colour: a denial red, an audit yellow" "$(printf '%s\n' "$tail_e" | head -n 4 | cat -v)"
fi
tm new-session -d -s mono -x 80 -y 24 "TERM=vt100 $ecitop --replay $replay -d 0.2; sleep 30"
for _ in $(seq 100); do
	tm capture-pane -p -t mono | grep -q 'replay: end' && break
	sleep 0.1
done
if tm capture-pane -p -t mono | grep -q 'replay: end' &&
	! tm capture-pane -e -p -t mono | grep -q $'\e\[3[13]m'; then
	pass "no colour where the terminal has none (TERM=vt100)"
else
	fail "no colour where the terminal has none (TERM=vt100)" "$(tm capture-pane -e -p -t mono | grep -m2 $'\e\[3' | cat -v)"
fi
tm kill-session -t mono

rows=$(ctr_rows)
[ "$rows" = "beta alpha gamma " ] && pass "containers sorted by trap rate (beta 10/s, alpha 2/s, gamma 0)" ||
	fail "containers sorted by trap rate" "rows: $rows"
keys '>'
wait_for 'TOTALv' && rows=$(ctr_rows)
[ "$rows" = "gamma alpha beta " ] && pass "> sorts by the next column (TOTAL: 100, 50, 20)" ||
	fail "> sorts by the next column (TOTAL)" "rows: $rows; $(screen | sed -n 3p)"
keys 'r'
sleep 0.3
rows=$(ctr_rows)
[ "$rows" = "beta alpha gamma " ] && pass "r reverses the order" || fail "r reverses the order" "rows: $rows"
keys 'r' '<' '<'
wait_for 'CONTAINERv' && rows=$(ctr_rows)
[ "$rows" = "alpha beta gamma " ] && pass "< < sorts by name" || fail "< < sorts by name" "rows: $rows"

keys '/' 'g' 'a' 'm' Enter
wait_for 'filter: container~gam' && rows=$(ctr_rows)
[ "$rows" = "gamma " ] && pass "/ filters the containers by name" ||
	fail "/ filters the containers by name" "rows: $rows"
if screen | sed -n '/^TIME/,$p' | grep -q ' alpha ' || ! screen | sed -n '/^TIME/,$p' | grep -q ' gamma '; then
	fail "the trap tail follows the container filter" "$(screen | sed -n '/^TIME/,$p')"
else
	pass "the trap tail follows the container filter"
fi
keys 'c' 'h' 'c' 'a' 'p' Enter
wait_for 'hook~cap' && rows=$(hook_rows)
[ "$rows" = "capable " ] && pass "h filters the hooks by name" || fail "h filters the hooks by name" "rows: $rows"
keys 'c' 'v'
wait_for 'verdict=deny'
if screen | sed -n '/^TIME/,$p' | grep -q ' audit ' || ! screen | sed -n '/^TIME/,$p' | grep -q ' deny '; then
	fail "v shows denials only" "$(screen | sed -n '/^TIME/,$p')"
else
	pass "v shows denials only"
fi
keys 'v' 'v' 'c'

# Drill down into alpha (first by name) and back.
keys Home Enter
if wait_for 'container alpha (cgroup id 11'; then
	tail=$(screen | sed -n '/^TIME/,/^q quit/p' | sed '1d;$d' | awk 'NF { print $2 }' | sort -u | tr '\n' ' ')
	if [ "$tail" = "alpha " ] && screen | grep -q '^device  *48 ' && screen | grep -q '^capable  *1$'; then
		pass "Enter drills into a container: its classes, hooks and traps only"
	else
		fail "Enter drills into a container: its classes, hooks and traps only" "$(screen)"
	fi
else
	fail "Enter drills into a container" "$(screen)"
fi
keys Escape
if wait_for '^CONTAINER' && [ "$(ctr_rows)" = "alpha beta gamma " ]; then
	pass "Esc goes back to the tables"
else
	fail "Esc goes back to the tables" "$(screen)"
fi

keys 'p'
wait_for 'PAUSED' && pass "p pauses" || fail "p pauses" "$(screen | head -n1)"
keys 'p'
keys '?'
wait_for 'ecitop keys' && pass "? shows the help" || fail "? shows the help" "$(screen)"
keys 'x'
sleep 0.3
screen | grep -q 'ecitop keys' && fail "any key closes the help" "still shown" || pass "any key closes the help"

# Resize: the screen is redrawn whole at the new size, then back to 80x24.
tm resize-window -t ecitop -x 100 -y 30
sleep 0.5
s=$(screen)
if [ "$(printf '%s\n' "$s" | wc -l)" = 30 ] && printf '%s\n' "$s" | sed -n 30p | grep -q '^q quit' &&
	printf '%s\n' "$s" | head -n1 | grep -q '^ecitop - eci loaded'; then
	pass "resize to 100x30: redrawn, the key line on the last row"
else
	fail "resize to 100x30: redrawn, the key line on the last row" "$s"
fi
tm resize-window -t ecitop -x 80 -y 24
sleep 0.5
s=$(screen)
long=$(printf '%s\n' "$s" | awk 'length($0) > 80' | wc -l)
if [ "$(printf '%s\n' "$s" | wc -l)" = 24 ] && [ "$long" = 0 ] && printf '%s\n' "$s" | sed -n 24p | grep -q '^q quit' &&
	[ "$(printf '%s\n' "$s" | grep -c '^ecitop - ')" = 1 ] && [ "$(ctr_rows)" = "alpha beta gamma " ]; then
	pass "resize back to 80x24: redrawn cleanly"
else
	fail "resize back to 80x24: redrawn cleanly" "$s"
fi

pane=$(tm display-message -p -t ecitop '#{pane_pid}')
keys 'q'
for _ in $(seq 50); do
	pgrep -P "$pane" -x ecitop >/dev/null || break
	sleep 0.1
done
pgrep -P "$pane" -x ecitop >/dev/null && fail "q quits" "still running" || pass "q quits"
exit $failed
