#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fail closed (issue 14, item 6): a full map refuses the operation that would
# need its record, it never skips the record. The enforcer is reloaded with
# deliberately tiny maps (ECI_TEST_MAX_ENTRIES, a loader option for tests
# only), each attack is shown working unprotected, then refused and trapped
# with the map full. The enforcer is reloaded with its real sizes at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/refused.sh"

reload() { # MAP=N,...: the enforcer with these map sizes
	enforcer_loaded && enforcer_unload >/dev/null 2>&1
	if ! _o=$(ECI_TEST_MAX_ENTRIES=$1 enforcer_load 2>&1); then
		fail "load with maps $1" "$_o"
		return 1
	fi
	case $_o in *"test sizes"*) ;; *) fail "load with maps $1" "no test sizes in force: $_o"; return 1 ;; esac
}
restore() {
	enforcer_unload >/dev/null 2>&1
	enforcer_load >/dev/null 2>&1 || fail "reload with the real map sizes" "ecictl load failed"
}

# events_say TEXT: the events since the last drain hold TEXT.
EVENTS=
events_say() { case $EVENTS in *"$1"*) return 0 ;; esac; return 1; }

# --- initial_mounts: a container whose initial mounts did not all fit ----------------
# runc makes ten mounts; with room for three, the rest are not recorded, and
# each of them (here /dev/mqueue) must stay locked as if it were.
UMQ='umount /dev/mqueue && echo gone'
ctr --unprotected -- sh -c "$UMQ"
[ "$CTR_OUT" = gone ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
if reload initial_mounts=3,initial_roots=3; then
	ctr -- sh -c "$UMQ"
	case $CTR_OUT in *gone*) eff="unmounted" ;; *) eff=none ;; esac
	EVENTS=$(ecictl events)
	if [ "$base" != ok ]; then
		fail "an unrecorded initial mount stays locked (initial_mounts full)" "unprotected: $base"
	elif [ "$eff" != none ]; then
		fail "an unrecorded initial mount stays locked (initial_mounts full)" "$CTR_OUT"
	elif ! events_say '"hook":"sb_umount"' || ! events_say "initial mounts not all recorded"; then
		fail "an unrecorded initial mount stays locked (initial_mounts full)" "no sb_umount trap for the unrecorded mounts: $CTR_OUT"
	else
		pass "an unrecorded initial mount stays locked (initial_mounts full)"
	fi
fi

# --- containers: a sub-cgroup that finds no room is still protected ---------------
# The container's own entry fills the map; a cgroup its process makes below
# it gets none (an orphan), and its processes are judged as the container's:
# devtmpfs (the VM's /dev) stays refused there.
SUB='mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg &&
	d=/tmp/cg$(cut -d: -f3 /proc/self/cgroup)/child && mkdir "$d" && echo $$ >"$d/cgroup.procs" &&
	mkdir -p /tmp/d && mount -t devtmpfs none /tmp/d && echo eci >/tmp/d/eci-full-devtmpfs && echo written'
rm -f /dev/eci-full-devtmpfs
ctr --unprotected -- sh -c "$SUB"
[ -s /dev/eci-full-devtmpfs ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
rm -f /dev/eci-full-devtmpfs
if reload containers=1; then
	drain
	ctr -- sh -c "$SUB"
	[ -e /dev/eci-full-devtmpfs ] && eff="a file appeared in the VM's /dev" || eff=none
	rm -f /dev/eci-full-devtmpfs
	# Refused where the process enters the orphan (its cgroup.procs is not a
	# cgroup of the container's: file_open:kernel) or, if it got in, at the
	# mount (sb_remount): fail closed either way, never unprotected.
	EVENTS=$(ecictl events)
	n="a sub-cgroup without room in containers stays protected (devtmpfs refused)"
	if [ "$base" != ok ]; then
		fail "$n" "unprotected: $base"
	elif [ "$eff" != none ]; then
		fail "$n" "the protected container did it: $CTR_OUT"
	elif [ "$CTR_STATUS" = 0 ] || ! eperm; then
		fail "$n" "expected EPERM, got status $CTR_STATUS: $CTR_OUT"
	elif ! events_say '"hook":"sb_remount"' && ! events_say '"hook":"file_open:kernel"'; then
		fail "$n" "no sb_remount or file_open:kernel trap reported"
	else
		pass "$n"
	fi

	# A container that finds no room does not start unprotected.
	eci-ctr --name eci-full-a -- sleep 30 >/dev/null 2>&1 &
	_p=$!
	_i=0
	while [ ! -d /sys/fs/cgroup/eci/eci-full-a ] && [ $_i -lt 50 ]; do sleep 0.2; _i=$((_i + 1)); done
	sleep 1
	ctr --name eci-full-b -- sh -c 'echo ran'
	case $CTR_OUT in
	*ran*) fail "a container without room in containers is not started" "it ran: $CTR_OUT" ;;
	*full*) check "a container without room in containers is not started" [ "$CTR_STATUS" = 125 ] ;;
	*) fail "a container without room in containers is not started" "status $CTR_STATUS: $CTR_OUT" ;;
	esac
	runc kill eci-full-a KILL 2>/dev/null
	wait $_p 2>/dev/null
fi

# --- sb_owner: a superblock that can't be recorded is not made ----------------------
# An unrecorded superblock of the container's would pass for the VM's (safe,
# but the mount must say so rather than half-work): the mount fails ENOMEM.
MANY='n=0; while [ $n -lt 20 ]; do mkdir -p /m$n && mount -t tmpfs t /m$n || break; n=$((n+1)); done; echo "mounted $n"'
ctr --unprotected -- sh -c "$MANY"
case $CTR_OUT in *"mounted 20"*) base=ok ;; *) base="$CTR_OUT" ;; esac
if reload sb_owner=12; then
	ctr -- sh -c "$MANY"
	if [ "$base" != ok ]; then
		fail "a full sb_owner refuses the mount (ENOMEM)" "unprotected: $base"
	else
		case $CTR_OUT in
		*"mounted 20"*) fail "a full sb_owner refuses the mount (ENOMEM)" "all 20 mounted" ;;
		*"out of memory"* | *"Cannot allocate memory"*) pass "a full sb_owner refuses the mount (ENOMEM)" ;;
		*) fail "a full sb_owner refuses the mount (ENOMEM)" "$CTR_OUT" ;;
		esac
	fi
fi

# --- bind sources: a container whose sources don't fit is not started ---------------
mkdir -p /srv/eci-full-1 /srv/eci-full-2
# The one built-in source (eci_bind_builtin: runc's /proc/self/exe) takes one
# of the two entries; the container's two sources need two.
if reload bind_allow=2; then
	ctr --allow-bind /srv/eci-full-1 --allow-bind /srv/eci-full-2 --mount /srv/eci-full-1:/a -- sh -c 'echo ran'
	case $CTR_OUT in
	*ran*) fail "a container whose bind sources don't fit is not started" "it ran: $CTR_OUT" ;;
	*"full"* | *"No space left on device"*) check "a container whose bind sources don't fit is not started" [ "$CTR_STATUS" = 125 ] ;;
	*) fail "a container whose bind sources don't fit is not started" "status $CTR_STATUS: $CTR_OUT" ;;
	esac
fi
rmdir /srv/eci-full-1 /srv/eci-full-2

# --- key_owner: one container's keys don't starve the others ------------------------
# key_owner is one map for every protected container, and each container's
# runtime makes a session keyring before the container starts. A container
# that fills the map keeps every other from starting (shown with a map
# smaller than the quota); ECI_KEY_QUOTA, an eighth of the real map, stops
# it first.
mkdir -p /run/ecikq
# key_hold NAME ARGS...: container NAME runs `ecitest keyfill ARGS`, then
# holds its keys until key_release.
key_hold() {
	_n=$1
	shift
	rm -f /run/ecikq/out /run/ecikq/full /run/ecikq/done
	eci-ctr --name "$_n" --allow-bind /run/ecikq --mount /run/ecikq:/kq -- sh -c \
		"ecitest keyfill $* >/kq/out 2>&1; touch /kq/full; while [ ! -e /kq/done ]; do sleep 0.2; done" \
		>/run/ecikq/ctr.out 2>&1 &
	_kp=$!
	_i=0
	while [ ! -e /run/ecikq/full ] && kill -0 $_kp 2>/dev/null && [ $_i -lt 600 ]; do
		sleep 0.2
		_i=$((_i + 1))
	done
}
key_release() {
	touch /run/ecikq/done
	wait $_kp 2>/dev/null
}
n="a full key_owner keeps another protected container from starting (fail closed; what the quota prevents)"
if reload key_owner=64; then
	key_hold eci-kq-a 4096
	ctr -- ecitest keyown eci-b b-data
	key_release
	case $(cat /run/ecikq/out) in
	*"first "*"Cannot allocate memory"*)
		case $CTR_OUT in
		*b-data*) fail "$n" "the second container ran: $CTR_OUT" ;;
		*) [ "$CTR_STATUS" != 0 ] && pass "$n" || fail "$n" "status 0: $CTR_OUT" ;;
		esac ;;
	*) fail "$n" "the first container did not fill key_owner: $(cat /run/ecikq/out /run/ecikq/ctr.out)" ;;
	esac
fi

restore
drain
key_hold eci-kq-a 4096 again
ctr -- ecitest keyown eci-b b-data
key_release
out=$(cat /run/ecikq/out)
echo "keyfill: $out"
first=$(echo "$out" | sed -n 's/^first \([0-9]*\) .*/\1/p')
second=$(echo "$out" | sed -n 's/^second \([0-9]*\) .*/\1/p')
n="a container's keys stop at its quota (EDQUOT, key_alloc trap)"
case $out in
*"first $first Disk quota exceeded"*)
	if [ "$first" -ge 4096 ] || [ "$first" -lt 1000 ]; then
		fail "$n" "refused after $first keys"
	elif ! trapped key_alloc; then
		fail "$n" "no key_alloc trap reported"
	else
		pass "$n"
	fi ;;
*) fail "$n" "$out $(cat /run/ecikq/ctr.out)" ;;
esac
n="a container's quota comes back whole when its keys are freed"
[ -n "$first" ] && [ "$second" = "$first" ] && pass "$n" ||
	fail "$n" "first fill $first keys, after clearing them $second"
n="a second protected container starts and gets its session keyring while the first holds its quota"
case $CTR_OUT in
*b-data*) pass "$n" ;;
*) fail "$n" "status $CTR_STATUS: $CTR_OUT" ;;
esac
rm -rf /run/ecikq
exit 0
