#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Churn soak (issue 18, item 4): ECI_SOAK_COUNT containers (make soak: 2000;
# make test: the default below) start and stop under Docker, LANES at a time,
# privileged and not, with bind sources (-v of a shared directory) and device
# rules (--device), while a racer registers and removes throwaway cgroups
# (`ecictl container add`/`rm`, half of them after their rmdir, the crash
# path) and applies the settings again, over and over. Afterwards:
#  - every map holds as many keys as before (its baseline, taken with the same
#    settings and no container): a map that kept entries of a gone container
#    is named with how many;
#  - no trap event went missing uncounted: every trap the hooks counted was
#    received from the daemon, or counted dropped (ring buffer full) or
#    throttled, or is one of the quiet traps that send none by design;
#  - every SAMPLE-th container tried to load a module, during the racing:
#    each one failed with EPERM, was trapped, and the module was never loaded
#    (it loads from the same image with eci off, first).
# The times are in the churn's PASS line. No timing decides a result.
. "$(dirname "$0")/lib.sh"

N=${ECI_SOAK_COUNT:-12}
LANES=4
SAMPLE=25
# A short soak still has attacks in it (two at least).
[ $N -lt 50 ] && SAMPLE=$(((N + 1) / 2))
W=/tmp/soak
MAPS=/sys/fs/bpf/eci/map
SHARE=/mnt/host/soak
SETTINGS=$W/settings.json
# The LRU map of per-container event budgets keeps a gone container's entry
# until it is evicted (eci_event_allowed): bounded by its size, not a leak.
NOT_PER_CONTAINER=' event_budget '
# Traps counted with no event by design: noaudit capability checks and
# ptrace access checks (bpf/caps.bpf.c, bpf/process.bpf.c).
QUIET=' capable ptrace_access_check '

rm -rf $W && mkdir -p $W $SHARE
echo soak-file >$SHARE/f
cat >$SETTINGS <<JSON
{
  "configurationFileVersion": 2,
  "enhancedContainerIsolation": { "locked": true, "value": true },
  "filesharingAllowedDirectories": [ { "path": "/mnt/host", "sharedByDefault": true } ],
  "eci": { "assignableDevices": ["b 254:0 rwm"] }
}
JSON

# counts: "MAP KEYS" for every pinned map ('-' for one without keys to walk).
counts() {
	for _m in "$MAPS"/*; do
		echo "${_m##*/} $(ecitest map_count "$_m" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
	done
}
# leaks BEFORE AFTER: "MAP +N" for each map whose count changed (per-container
# maps only).
leaks() {
	echo "$2" | while read -r _m _n; do
		case $NOT_PER_CONTAINER in *" $_m "*) continue ;; esac
		_b=$(echo "$1" | sed -n "s/^$_m //p")
		[ "$_b" = "$_n" ] && continue
		if [ "$_b" -eq "$_b" ] 2>/dev/null && [ "$_n" -eq "$_n" ] 2>/dev/null; then
			_d=$((_n - _b))
			[ $_d -gt 0 ] && _d=+$_d
			echo "$_m $_d ($_b before, $_n after)"
		else
			echo "$_m '$_b' before, '$_n' after"
		fi
	done
}
# traps: "HOOK N" for each hook, its traps (denied + audited) so far; then
# "drops N" and "throttled N".
traps() {
	ecictl stats --format prometheus | sed -n \
		-e 's/^eci_hook_traps_total{hook="\([^"]*\)",verdict="[a-z]*"} \([0-9]*\)$/\1 \2/p' \
		-e 's/^eci_events_dropped_total \([0-9]*\)$/drops \1/p' \
		-e 's/^eci_events_throttled_total \([0-9]*\)$/throttled \1/p' |
		awk '{ n[$1] += $2 } END { for (k in n) print k, n[k] }' | sort
}

# --- baseline: the attack works with eci off ---------------------------------
eci_off
unload_dummy
drun --rm --privileged eci-test sh -c 'insmod /dummy.ko; echo status=$?'
in_modules dummy && base=ok || base="dummy not loaded: $D_OUT"
unload_dummy
eci_on || fail "eci back on" "/etc/init.d/eci start failed"
# The soak starts from no container at all: what earlier files left running
# would otherwise stop (and leave the maps) during it.
left=$(docker ps -aq)
[ -z "$left" ] || docker rm -f $left >/dev/null 2>&1
if ! out=$(ecictl settings apply $SETTINGS 2>&1); then
	fail "soak settings apply" "$out"
	exit 0
fi
sleep 2
before=$(counts)
echo "map keys before the soak:"
echo "$before" | sed 's/^/  /'

# The count sees a registration: one cgroup with a bind source and a device
# rule is one more key in each of those maps, and none once it is removed.
mkdir -p /sys/fs/cgroup/eci-soak/probe
ecictl container add /eci-soak/probe --bind $SHARE --device 'b 254:0 r' >/dev/null
probe=$(leaks "$before" "$(counts)" | cut -d' ' -f1-2 | sort | tr '\n' ' ')
ecictl container rm /eci-soak/probe >/dev/null
rmdir /sys/fs/cgroup/eci-soak/probe
gone=$(leaks "$before" "$(counts)")
if [ "$probe" = "bind_allow +1 containers +1 dev_rules +1 " ] && [ -z "$gone" ]; then
	pass "the map count sees one registration's keys (containers, bind_allow, dev_rules) and their removal"
else
	fail "the map count sees one registration's keys (containers, bind_allow, dev_rules) and their removal" \
		"registered: '$probe'; removed: '$gone'"
fi

# --- the churn ---------------------------------------------------------------
# run_one K: container K of the soak, its kind by K; a result other than the
# expected goes to $W/bad, an attack's output to $W/attack.K.
run_one() {
	_rk=$1
	if [ $((_rk % SAMPLE)) = 0 ]; then
		drun --rm --privileged --cidfile $W/cid.$_rk eci-test sh -c 'insmod /dummy.ko; echo status=$?'
		echo "$D_OUT" >$W/attack.$_rk
		return
	fi
	case $((_rk % 4)) in
	0) drun --rm eci-test echo ok ;;
	1) drun --rm --privileged eci-test echo ok ;;
	2) drun --rm -v $SHARE:/s eci-test sh -c 'cat /s/f && echo ok' ;;
	3) drun --rm --device /dev/vda:/dev/xvda eci-test sh -c '[ "$(head -c 512 /dev/xvda | wc -c)" = 512 ] && echo ok' ;;
	esac
	case $D_OUT in
	*ok) ;;
	*) echo "container $_rk (kind $((_rk % 4))): status $D_ST: $(echo "$D_OUT" | tail -n1)" >>$W/bad ;;
	esac
}
lane() { # L: containers L+1, L+1+LANES, ...
	_k=$(($1 + 1))
	while [ $_k -le $N ]; do
		run_one $_k
		# A long soak's progress on the console (not a result).
		[ $((_k % 100)) = 0 ] && echo "soak: container $_k of $N done, $(($(date +%s) - start)) s"
		_k=$((_k + LANES))
	done
}
# racer: throwaway registrations and settings applies until $W/stop.
racer() {
	_i=0
	while [ ! -e $W/stop ]; do
		_i=$((_i + 1))
		_c=/eci-soak/x$_i
		mkdir /sys/fs/cgroup$_c
		ecictl container add $_c --bind $SHARE --device 'b 254:0 r' >/dev/null 2>>$W/racer.bad ||
			echo "container add $_c failed" >>$W/racer.bad
		if [ $((_i % 2)) = 0 ]; then
			ecictl container rm $_c >/dev/null 2>>$W/racer.bad || echo "container rm $_c failed" >>$W/racer.bad
			rmdir /sys/fs/cgroup$_c
		else
			# The crash path: the cgroup goes first, then its id is removed.
			_id=$(stat -c %i /sys/fs/cgroup$_c)
			rmdir /sys/fs/cgroup$_c
			ecictl container rm $_id >/dev/null 2>>$W/racer.bad ||
				echo "container rm $_id (after rmdir) failed" >>$W/racer.bad
		fi
		ecictl settings apply $SETTINGS >/dev/null 2>>$W/racer.bad || echo "settings apply failed" >>$W/racer.bad
		# Unpaced, the racer took most of the one vCPU (21 s per container).
		sleep 1
	done
	echo $_i >$W/racer.n
}

ecictl events >/dev/null
traps >$W/t0
start=$(date +%s)
racer &
rpid=$!
l=0 pids=
while [ $l -lt $LANES ]; do
	lane $l &
	pids="$pids $!"
	l=$((l + 1))
done
# shellcheck disable=SC2086 # the lanes' pids
wait $pids
secs=$(($(date +%s) - start))
touch $W/stop
wait $rpid
rmdir /sys/fs/cgroup/eci-soak 2>/dev/null

nbad=$(wc -l <$W/bad 2>/dev/null || echo 0)
if [ "$nbad" = 0 ]; then
	pass "$N containers started and stopped ($LANES at a time, privileged, -v, --device) while $(cat $W/racer.n) registrations and settings applies raced them: all ran ($secs s, $(awk "BEGIN { printf \"%.2f\", $secs / $N }") s per container)"
else
	fail "$N containers started and stopped while registrations and settings applies raced them" \
		"$nbad failed, the first: $(head -n1 $W/bad)"
fi
if [ -s $W/racer.bad ]; then
	fail "the racer's container add/rm and settings apply all succeeded" "$(sort $W/racer.bad | uniq -c | head -n3 | tr '\n' ';')"
else
	pass "the racer's container add/rm and settings apply all succeeded ($(cat $W/racer.n) rounds)"
fi

# --- the maps are back to their baseline -------------------------------------
# The kernel frees a container's superblocks (sb_owner) a little after its
# last mount goes: wait for the counts to settle, at most a minute.
i=0
while :; do
	after=$(counts)
	diff=$(leaks "$before" "$after")
	[ -z "$diff" ] && break
	[ $i -ge 60 ] && break
	sleep 1
	i=$((i + 1))
done
echo "map keys after the soak:"
echo "$after" | sed 's/^/  /'
if [ -z "$diff" ]; then
	pass "after $N containers every per-container map is back to its baseline ($(echo "$after" | grep -E '^(containers|bind_allow|initial_mounts|initial_roots|dev_rules|container_stats|sb_owner) ' | tr '\n' ',' | sed 's/,$//'))"
else
	fail "after $N containers every per-container map is back to its baseline" \
		"$(echo "$diff" | tr '\n' ';' | sed 's/;$//')"
fi
# event_budget: bounded by its size, however many containers came and went.
eb=$(echo "$after" | sed -n 's/^event_budget //p')
echo "event_budget (LRU) holds $eb keys after the soak"

# --- no event lost uncounted ---------------------------------------------------
# The daemon reads the ring buffer as events come: poll until what it passed
# on accounts for the non-quiet traps, at most 20 s.
traps >$W/t1
: >$W/events
i=0
while :; do
	ecictl events >>$W/events
	sed -n 's/.*"hook":"\([^"]*\)".*/\1/p' $W/events | sort | uniq -c | awk '{ print $2, $1 }' >$W/got
	# For each hook: traps counted during the soak, events received.
	table=$(awk -v g=$W/got -v t0=$W/t0 '
		FILENAME == g { r[$1] = $2; next }
		FILENAME == t0 { a[$1] = $2; next }
		{ d[$1] = $2 - a[$1] }
		END { for (k in d) print k, d[k], r[k] + 0 }' $W/got $W/t0 $W/t1)
	lost=$(echo "$table" | awk '$1 == "drops" || $1 == "throttled" { s += $2 } END { print s + 0 }')
	# Non-quiet hooks: counted but not received; received but not counted.
	gap=$(echo "$table" | awk -v q="$QUIET" '$1 != "drops" && $1 != "throttled" && index(q, " " $1 " ") == 0 && $2 > $3 { s += $2 - $3 } END { print s + 0 }')
	extra=$(echo "$table" | awk '$1 != "drops" && $1 != "throttled" && $3 > $2 { print $1 }' | tr '\n' ' ')
	[ "$gap" -le "$lost" ] && break
	[ $i -ge 20 ] && break
	sleep 1
	i=$((i + 1))
done
counted=$(echo "$table" | awk '$1 != "drops" && $1 != "throttled" { s += $2 } END { print s + 0 }')
recv=$(echo "$table" | awk '$1 != "drops" && $1 != "throttled" { s += $3 } END { print s + 0 }')
quiet=$(echo "$table" | awk -v q="$QUIET" 'index(q, " " $1 " ") { s += $2 - $3 } END { print s + 0 }')
echo "traps per hook during the soak (hook, counted, events received):"
echo "$table" | sort | sed 's/^/  /'
if grep -q '"lost_events"' $W/events; then
	fail "no trap event lost uncounted" "the daemon's backlog overflowed: $(grep '"lost_events"' $W/events | head -n1)"
elif [ -n "$extra" ]; then
	fail "no trap event lost uncounted" "events received that no hook counted: $extra"
elif [ "$gap" -gt "$lost" ]; then
	fail "no trap event lost uncounted" \
		"$gap traps of non-quiet hooks sent no event, only $lost counted dropped or throttled: $(echo "$table" | tr '\n' ';')"
elif [ $((counted - recv)) -lt "$lost" ]; then
	fail "no trap event lost uncounted" "$lost counted dropped or throttled, but only $((counted - recv)) traps without an event"
else
	pass "no trap event lost uncounted: $counted traps, $recv events received, $lost dropped or throttled, $((counted - recv - lost)) quiet (capable/ptrace noaudit, no event by design)"
fi

# --- the sampled attacks -------------------------------------------------------
na=0 nbad=0 first=
k=$SAMPLE
while [ $k -le $N ]; do
	na=$((na + 1))
	out=$(cat $W/attack.$k 2>/dev/null)
	why=
	case $out in
	*"status=0"*) why="insmod succeeded" ;;
	*"Operation not permitted"*) ;;
	*) why="no EPERM: $out" ;;
	esac
	short=$(cut -c1-12 $W/cid.$k 2>/dev/null)
	# The refusal is the capability check (CAP_SYS_MODULE, first thing in
	# init_module and finit_module), or the module policy's hooks after it.
	[ -z "$why" ] && ! grep "\"container\":\"${short:-none}\"" $W/events |
		grep -q -e '"hook":"kernel_' -e '"capability":"CAP_SYS_MODULE"' &&
		why="no trap event (container ${short:-unknown})"
	if [ -n "$why" ]; then
		nbad=$((nbad + 1))
		[ -n "$first" ] || first="attack $k: $why"
	fi
	k=$((k + SAMPLE))
done
if [ "$base" != ok ]; then
	fail "every sampled container's insmod failed, trapped (loads without eci)" "without eci: $base"
elif in_modules dummy; then
	fail "every sampled container's insmod failed, trapped (loads without eci)" "dummy is loaded"
elif [ $na = 0 ] || [ $nbad != 0 ]; then
	fail "every sampled container's insmod failed, trapped (loads without eci)" "$nbad of $na: $first"
else
	pass "every sampled container's insmod failed with EPERM and was trapped, dummy never loaded ($na attacks during the racing; loads without eci)"
fi
unload_dummy
eci_defaults
exit 0
