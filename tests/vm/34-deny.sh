#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Deny by default (issue 14, items 1 and 5): a capability a protected
# container holds counts against the VM's initial user namespace only where
# the allowlist (user/capops.c) says the target is its own; keys, ttys and
# other tasks are judged by the target. Each attack is shown working from an
# unprotected container, with its effect on the VM, then refused and trapped.
# Then what a container does with its own resources keeps working.
. "$(dirname "$0")/lib.sh"

enforcer_loaded || enforcer_load >/dev/null

. "$(dirname "$0")/refused.sh"

# --- deny by default: a check no entry allows --------------------------------------
# /proc/iomem's addresses (r_show asks CAP_SYS_ADMIN in read(2), which has no
# entry): the VM's physical memory layout. Refused, the kernel prints zeros.
IOMEM='grep -m1 "Kernel code" /proc/iomem'
ctr --unprotected -- sh -c "$IOMEM"
case $CTR_OUT in
*"Kernel code"*) case $CTR_OUT in *00000000-00000000*) base="zeros: $CTR_OUT" ;; *) base=ok ;; esac ;;
*) base="no Kernel code line: $CTR_OUT" ;;
esac
drain
ctr -- sh -c "$IOMEM"
name="/proc/iomem addresses (CAP_SYS_ADMIN in read, no entry) refused"
if [ "$base" != ok ]; then
	fail "$name" "without protection: $base"
else
	case $CTR_OUT in
	*"00000000-00000000 : Kernel code"*)
		if ecictl events | grep '"hook":"capable"' | grep -q '"capability":"CAP_SYS_ADMIN"'; then
			pass "$name"
		else
			fail "$name" "no capable trap for CAP_SYS_ADMIN"
		fi
		;;
	*) fail "$name" "the protected container read: $CTR_OUT" ;;
	esac
fi

# MADV_SOFT_OFFLINE retires a physical page for the whole VM (madvise has no
# entry); HardwareCorrupted in /proc/meminfo counts it. Also through io_uring
# with a registered personality: the request runs with credentials the
# container lent the ring, which are no kernel-borrowed ones.
hwc() { awk '/^HardwareCorrupted:/ { print $2 }' /proc/meminfo; }
for how in "soft_offline:madvise(MADV_SOFT_OFFLINE) retiring a VM page refused" \
	"uring_soft_offline:io_uring MADV_SOFT_OFFLINE with a personality refused"; do
	cmd=${how%%:*} name=${how#*:}
	h0=$(hwc)
	ctr --unprotected -- ecitest "$cmd"
	h1=$(hwc)
	if [ -z "$h0" ]; then
		skip "$name" "no HardwareCorrupted in /proc/meminfo"
		continue
	fi
	[ "$CTR_STATUS" = 0 ] && [ "$h1" -gt "$h0" ] && base=ok ||
		base="status $CTR_STATUS, HardwareCorrupted $h0 -> $h1 kB: $CTR_OUT"
	drain
	ctr -- ecitest "$cmd"
	h2=$(hwc)
	[ "$h2" = "$h1" ] && eff=none || eff="HardwareCorrupted $h1 -> $h2 kB"
	refused "$name" capable "$base" "$eff"
done

# RNDADDTOENTCNT credits bits nobody added to the one entropy pool every
# container shares with the VM (as do RNDADDENTROPY, RNDRESEEDCRNG): any
# capability-gated ioctl of a memory device is refused. Its effect can't be
# seen from user space once the pool is initialized (it only counts bits),
# so the baseline is the ioctl's success.
ctr --unprotected -- ecitest rnd_credit
[ "$CTR_STATUS" = 0 ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
drain
ctr -- ecitest rnd_credit
name="RNDADDTOENTCNT on /dev/urandom (the VM's entropy pool) refused"
ev=$(ecictl events | grep '"hook":"fs_admin"')
if [ "$base" != ok ]; then
	fail "$name" "without protection the ioctl failed: $base"
elif [ "$CTR_STATUS" = 0 ] || ! eperm; then
	fail "$name" "expected EPERM, got status $CTR_STATUS: $CTR_OUT"
elif ! echo "$ev" | grep -q '"reason":"privileged ioctl on a device shared with the VM"' ||
	! echo "$ev" | grep -q '"c 1:9"'; then
	fail "$name" "no fs_admin trap naming c 1:9: $ev"
else
	pass "$name"
fi

# --- ttys: TIOCSTI into a terminal that is not its own ------------------------------
# A pty of the VM's devpts, read by a VM process; the container gets its node.
rm -f /tmp/pty.name /tmp/pty.out
ecitest ptyhold /tmp/pty.name /tmp/pty.out &
hold=$!
i=0
while [ ! -s /tmp/pty.name ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PTY=$(cat /tmp/pty.name 2>/dev/null)
if [ -z "$PTY" ]; then
	fail "TIOCSTI into a VM terminal refused" "no pty in the VM"
else
	ctr --unprotected --mount "$PTY:/dev/vmtty" -- ecitest tiocsti /dev/vmtty eci-typed-1
	sleep 0.3
	grep -q eci-typed-1 /tmp/pty.out 2>/dev/null && base=ok || base="status $CTR_STATUS: $CTR_OUT"
	drain
	ctr --mount "$PTY:/dev/vmtty" --allow-bind "$PTY" -- ecitest tiocsti /dev/vmtty eci-typed-2
	sleep 0.3
	grep -q eci-typed-2 /tmp/pty.out 2>/dev/null && eff="the VM process read eci-typed-2" || eff=none
	refused "TIOCSTI into a VM terminal refused" file_ioctl:tty "$base" "$eff"
fi
kill $hold 2>/dev/null
wait $hold 2>/dev/null

# Its own pty (the devpts instance runc mounted for it): TIOCSTI works.
ctr -- sh -c 'rm -f /tmp/n /tmp/o; ecitest ptyhold /tmp/n /tmp/o & sleep 0.5;
	ecitest tiocsti "$(cat /tmp/n)" own-typed && sleep 0.3 && cat /tmp/o; kill $!'
case $CTR_OUT in
*own-typed*) pass "TIOCSTI into a pty of its own devpts works" ;;
*) fail "TIOCSTI into a pty of its own devpts works" "status $CTR_STATUS: $CTR_OUT" ;;
esac

# TIOCCONS from a pty of its own would take the VM's console output: refused
# on any terminal (no unprotected run: undoing it needs the console itself).
drain
ctr -- sh -c 'rm -f /tmp/n; ecitest ptyhold /tmp/n /tmp/o & sleep 0.5; ecitest tioccons "$(cat /tmp/n)"; st=$?; kill $!; exit $st'
if [ "$CTR_STATUS" = 1 ] && trapped file_ioctl:tty; then
	pass "TIOCCONS on its own pty refused"
else
	fail "TIOCCONS on its own pty refused" "status $CTR_STATUS: $CTR_OUT"
fi

# /dev/console is not a default device: the VM's (its getty reads it). The
# write goes only to a character node: a refused mknod leaves no file, and
# the shell's redirection must not create a regular one.
CONS='mknod /dev/vmconsole c 5 1 && [ -c /dev/vmconsole ] && echo eci-console >/dev/vmconsole && echo written'
ctr --unprotected -- sh -c "$CONS"
case $CTR_OUT in *written*) base=ok ;; *) base="status $CTR_STATUS: $CTR_OUT" ;; esac
drain
ctr -- sh -c "$CONS"
case $CTR_OUT in *written*) eff="wrote to the VM's console" ;; *) eff=none ;; esac
refused "the VM's /dev/console refused" inode_mknod "$base" "$eff"

# --- keys: the VM root's user keyring ------------------------------------------------
SECRET=vm-secret-$$
if ! ecitest keyadd eci-vmkey "$SECRET" >/dev/null; then
	fail "the VM root's key refused" "could not add a key in the VM"
else
	ctr --unprotected -- ecitest keyread eci-vmkey
	case $CTR_OUT in *"$SECRET"*) base=ok ;; *) base="status $CTR_STATUS: $CTR_OUT" ;; esac
	drain
	ctr -- ecitest keyread eci-vmkey
	case $CTR_OUT in *"$SECRET"*) eff="read the VM root's key" ;; *) eff=none ;; esac
	# The refused search of root's keyring register ends in ENOKEY.
	ERR="Required key not available|Operation not permitted|Permission denied"
	refused "the VM root's key (user keyring _uid.0) refused" key_permission "$base" "$eff"
	ERR=
fi
ctr -- ecitest keyown eci-own own-data
case $CTR_OUT in
*own-data*) pass "a key of its own works" ;;
*) fail "a key of its own works" "status $CTR_STATUS: $CTR_OUT" ;;
esac

# --- VM processes with --pid=host: limits and /proc/PID writes ---------------------
sleep 600 &
vmp=$!
nofile() { awk '/^Max open files/ { print $4 }' /proc/$vmp/limits; }
ctr --unprotected --host-ns pid -- ecitest prlimit $vmp 77
[ "$(nofile)" = 77 ] && base=ok || base="status $CTR_STATUS, limit $(nofile): $CTR_OUT"
drain
ctr --host-ns pid -- ecitest prlimit $vmp 66
[ "$(nofile)" = 66 ] && eff="limit set to 66" || eff=none
refused "prlimit on a VM process (--pid=host) refused" task_priority "$base" "$eff"

ctr --unprotected --host-ns pid -- sh -c "echo 999 >/proc/$vmp/oom_score_adj"
[ "$(cat /proc/$vmp/oom_score_adj)" = 999 ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
drain
ctr --host-ns pid -- sh -c "echo 555 >/proc/$vmp/oom_score_adj"
[ "$(cat /proc/$vmp/oom_score_adj)" = 555 ] && eff="oom_score_adj set" || eff=none
ERR="Permission denied|Operation not permitted"
refused "/proc/PID/oom_score_adj of a VM process (--pid=host) refused" file_open:kernel "$base" "$eff"
ERR=
kill $vmp
wait $vmp 2>/dev/null

# Its own processes' limits and oom_score_adj still work (also with
# --pid=host).
ctr --host-ns pid -- sh -c 'sleep 30 & p=$!; ecitest prlimit $p 55 && grep "Max open files" /proc/$p/limits;
	echo 300 >/proc/$p/oom_score_adj && cat /proc/$p/oom_score_adj; kill $p'
case $CTR_OUT in
*" 55 "*300*) pass "prlimit and oom_score_adj of its own processes work" ;;
*) fail "prlimit and oom_score_adj of its own processes work" "status $CTR_STATUS: $CTR_OUT" ;;
esac

# --- SCM_CREDENTIALS naming another pid (scm_check_creds: SYS_ADMIN over the
# pid namespace's owner) -----------------------------------------------------------
# With --pid=host the pid is a VM task's: a VM service that trusts the
# sender's credentials takes the message for that task's.
sleep 600 &
vmp=$!
ctr --unprotected --host-ns pid -- ecitest scm_pid $vmp
[ "$CTR_OUT" = "pid $vmp" ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
drain
ctr --host-ns pid -- ecitest scm_pid $vmp
case $CTR_OUT in *"pid $vmp"*) eff="the receiver was told pid $vmp" ;; *) eff=none ;; esac
refused "SCM_CREDENTIALS naming a VM process (--pid=host) refused" capable "$base" "$eff"
kill $vmp
wait $vmp 2>/dev/null
# In a pid namespace of its own the pid names one of its tasks (systemd's
# sd_pid_notify, journald's forwarding): allowed, no trap.
drain
ctr -- sh -c 'sleep 30 & p=$!; ecitest scm_pid $p && echo "sent $p"; kill $p'
got=$(printf '%s\n' "$CTR_OUT" | sed -n 's/^pid //p')
sent=$(printf '%s\n' "$CTR_OUT" | sed -n 's/^sent //p')
if [ "$CTR_STATUS" != 0 ] || [ -z "$got" ] || [ "$got" != "$sent" ]; then
	fail "SCM_CREDENTIALS naming its own task works" "status $CTR_STATUS: $CTR_OUT"
elif trapped capable; then
	fail "SCM_CREDENTIALS naming its own task works" "a capable trap was reported"
else
	pass "SCM_CREDENTIALS naming its own task works"
fi

# --- real-time scheduling: CPU time outside the cgroup's share ---------------------
# SCHED_FIFO by CAP_SYS_NICE (no cap_ops entry for the sched_* calls), or by
# an RLIMIT_RTPRIO raised first (task_setrlimit). The policy printed is the
# scheduler's own answer (sched_getscheduler).
for how in "CAP_SYS_NICE:capable:" "RLIMIT_RTPRIO:task_priority:99"; do
	what=${how%%:*} hook=${how#*:} hook=${hook%%:*} lim=${how##*:}
	ctr --unprotected -- ecitest rt $lim
	case $CTR_OUT in *"policy FIFO"*) base=ok ;; *) base="status $CTR_STATUS: $CTR_OUT" ;; esac
	drain
	ctr -- ecitest rt $lim
	case $CTR_OUT in *"policy FIFO"*) eff="the task became SCHED_FIFO" ;; *) eff=none ;; esac
	refused "SCHED_FIFO by $what refused" "$hook" "$base" "$eff"
done

# --- compatibility: what a container does with its own resources -------------------
compat() { # NAME SCRIPT EXPECTED: run SCRIPT protected, EXPECTED in its output
	drain
	ctr -- sh -c "$2"
	case $CTR_OUT in
	*"$3"*) pass "$1" ;;
	*) fail "$1" "status $CTR_STATUS: $CTR_OUT $(ecictl events | tail -n 3)" ;;
	esac
}
compat "unshare -Ur: a user namespace of its own" 'unshare -Ur sh -c "id -u; cat /proc/self/uid_map"' "0"
compat "unshare -m + mount in its own mount namespace" \
	'unshare -m sh -c "mount -t tmpfs t /mnt && echo ok-mounted"' ok-mounted
compat "chroot inside its own tree" \
	'mkdir -p /tmp/r && cp -a /bin /usr /lib* /tmp/r/ 2>/dev/null; chroot /tmp/r /bin/sh -c "echo ok-chroot"' ok-chroot
compat "pivot_root inside its own tree" \
	'unshare -m sh -c "mkdir -p /tmp/p && mount -t tmpfs t /tmp/p && cp -a /bin /usr /lib* /tmp/p/ 2>/dev/null;
	mkdir -p /tmp/p/old && cd /tmp/p && pivot_root . old && exec /bin/sh -c \"echo ok-pivot\""' ok-pivot
compat "hostname of its own UTS namespace" 'hostname eci-own && hostname' eci-own
compat "ip in its own network namespace" \
	'ip link set lo up && ip addr add 10.9.8.7/32 dev lo && ip route add 10.9.9.0/24 dev lo && ip addr show lo' 10.9.8.7
compat "sysctl of its own network namespace" \
	'echo 1 >/proc/sys/net/ipv4/ip_forward && cat /proc/sys/net/ipv4/ip_forward' 1
compat "ptrace of its own processes" 'sleep 30 & ecitest ptrace $! && echo ok-traced; kill $!' ok-traced
compat "raising its own hard limit" 'ulimit -Hn 1048576 && ulimit -Hn' 1048576
compat "renice of its own tasks, up and down" 'sleep 30 & renice -n -5 -p $! && renice -n 10 -p $! && echo ok-nice; kill $!' ok-nice
compat "oom_score_adj below zero for itself" 'echo -500 >/proc/self/oom_score_adj && cat /proc/self/oom_score_adj' -500
# What `ip netns add` and an engine's network setup do: bind a network
# namespace's file (a /proc/<pid>/ns link) to keep it.
compat "a bind of its own network namespace's file (ip netns add)" \
	'unshare -n sleep 30 & sleep 0.3; mkdir -p /run/netns && touch /run/netns/own &&
	mount --bind /proc/$!/ns/net /run/netns/own && nsenter --net=/run/netns/own ip -o link | grep -c lo; kill $!' 1
# The VM's own: /proc/1/ns/net with the VM's pid namespace needs ptrace
# access to PID 1, which the process policy refuses.
NSB='mkdir -p /run/netns && touch /run/netns/vm && mount --bind /proc/1/ns/net /run/netns/vm && echo bound'
ctr --unprotected --host-ns pid -- sh -c "$NSB"
case $CTR_OUT in *bound*) base=ok ;; *) base="status $CTR_STATUS: $CTR_OUT" ;; esac
drain
ctr --host-ns pid -- sh -c "$NSB"
case $CTR_OUT in *bound*) eff="it bound the VM's network namespace" ;; *) eff=none ;; esac
ERR="Permission denied|permission denied|not permitted"
refused "a bind of the VM's network namespace file (/proc/1/ns/net) refused" ptrace_access_check "$base" "$eff"
ERR=
exit 0
