#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The VM's processes: a `--privileged --pid=host` container sees them (ps
# works), but can't reach into them: read a VM process's environment, write
# through /proc/PID/root, nsenter or setns() into its mount namespace, take
# its fds with pidfd_getfd(), ptrace it, or kill it. Each attack first works
# with the enforcer unloaded (the effect checked in the VM), then fails with
# it; the container's own processes stay its own to trace and signal.
. "$(dirname "$0")/lib.sh"

echo vm-secret-fd >/tmp/eci-vm-secret
# victim: a VM process with a secret in its environment and an fd (3) open
# on a VM file; its pid in $V.
victim() {
	ECI_SECRET=vm-secret-env sleep 1001 3</tmp/eci-vm-secret &
	V=$!
}
clean() { rm -f /tmp/eci-proc-root /tmp/eci-nsenter /tmp/eci-setns; }
ATTACKS='
{ tr "\0" "\n" </proc/$V/environ | grep ECI_SECRET; } 2>&1 | sed "s/^/env: /"
{ echo pwned >/proc/$V/root/tmp/eci-proc-root && echo written; } 2>&1 | sed "s/^/root: /"
{ nsenter -t $V -m -- sh -c "echo pwned >/tmp/eci-nsenter" && echo written; } 2>&1 | sed "s/^/nsenter: /"
ecitest setns_write $V /tmp/eci-setns 2>&1 | sed "s/^/setns: /"
ecitest getfd $V 3 2>&1 | sed "s/^/getfd: /"
ecitest ptrace $V 2>&1 | sed "s/^/ptrace: /"
{ ps | grep -c "[s]leep 1001"; } 2>&1 | sed "s/^/ps: /"
{ sleep 100 & p=$!; ecitest ptrace $p; kill $p; wait $p; echo status=$?; } 2>&1 | sed "s/^/own: /"
{ kill -9 $V && echo sent; } 2>&1 | sed "s/^/kill: /"'
said() { echo "$2" | sed -n "s/^$1: //p"; } # ATTACK OUTPUT
alive() { kill -0 "$1" 2>/dev/null; }
attack() { drun --rm --privileged --pid=host -e V="$V" eci-test sh -c "$ATTACKS"; }

# --- without the enforcer: every attack works ------------------------------
eci_off
clean
victim
attack
base=$D_OUT
b_env=0 b_root=0 b_ns=0 b_setns=0 b_getfd=0 b_ptrace=0 b_kill=0
case $(said env "$base") in *ECI_SECRET=vm-secret-env*) b_env=1 ;; esac
[ -f /tmp/eci-proc-root ] && b_root=1
[ -f /tmp/eci-nsenter ] && b_ns=1
[ -f /tmp/eci-setns ] && b_setns=1
[ "$(said getfd "$base")" = vm-secret-fd ] && b_getfd=1
[ "$(said ptrace "$base")" = "word 464c457f" ] && b_ptrace=1
sleep 0.5
alive "$V" || b_kill=1
kill -9 "$V" 2>/dev/null
clean
eci_on || fail "load eci again" "the init script failed"

# --- with the enforcer -------------------------------------------------------
victim
attack
prot=$D_OUT
echo "$prot"

# check_attack NAME BASELINE-WORKED EFFECT-NOW(0/1) WANT-ERROR
check_attack() {
	_out=$(said "$1" "$prot")
	if [ "$2" != 1 ]; then
		fail "--pid=host: $1 of a VM process" "without eci the attack did not work: $(said "$1" "$base")"
	elif [ "$3" != 0 ]; then
		fail "--pid=host: $1 of a VM process" "it worked with eci: $_out"
	else
		case $_out in
		*"$4"*) pass "--pid=host: $1 of a VM process refused ($4; works without eci)" ;;
		*) fail "--pid=host: $1 of a VM process" "expected '$4', got: $_out" ;;
		esac
	fi
}
n=0
case $(said env "$prot") in *ECI_SECRET*) n=1 ;; esac
check_attack env $b_env $n "Permission denied"
n=0
[ -f /tmp/eci-proc-root ] && n=1
check_attack root $b_root $n "Permission denied"
n=0
[ -f /tmp/eci-nsenter ] && n=1
check_attack nsenter $b_ns $n "Permission denied"
n=0
[ -f /tmp/eci-setns ] && n=1
check_attack setns $b_setns $n "Operation not permitted"
n=0
case $(said getfd "$prot") in *vm-secret-fd*) n=1 ;; esac
check_attack getfd $b_getfd $n "Operation not permitted"
n=0
case $(said ptrace "$prot") in *464c457f*) n=1 ;; esac
check_attack ptrace $b_ptrace $n "Operation not permitted"
sleep 0.5
n=0
alive "$V" || n=1
check_attack kill $b_kill $n "Operation not permitted"

case $(said ps "$prot") in
[1-9]*) pass "--pid=host: ps still lists the VM's processes" ;;
*) fail "--pid=host: ps still lists the VM's processes" "$(said ps "$prot")" ;;
esac
case $(said own "$prot") in
*"word 464c457f"*status=143*) pass "--pid=host: the container still traces and kills its own processes" ;;
*) fail "--pid=host: the container still traces and kills its own processes" "$(said own "$prot")" ;;
esac

ev=$(ecictl events)
if echo "$ev" | grep '"hook":"task_kill"' | grep -q "\"target_pid\":$V,.*\"signal\":9" &&
	echo "$ev" | grep '"hook":"ptrace_access_check"' | grep -q "\"target_pid\":$V,"; then
	pass "trap events name the VM process reached for (target_pid, signal)"
else
	fail "trap events name the VM process reached for (target_pid, signal)" \
		"$(echo "$ev" | grep "$V" | head -n 3)"
fi

# docker exec into a --pid=host container joins its namespaces from the VM
# side, and docker stops it from there: both unaffected.
docker run -d --privileged --pid=host --name pidhost eci-test sleep 300 >/dev/null
dk exec pidhost echo exec-ok
[ "$D_ST" = 0 ] && [ "$D_OUT" = exec-ok ] && pass "docker exec into a --pid=host container" ||
	fail "docker exec into a --pid=host container" "status $D_ST: $D_OUT"
dk rm -f pidhost
[ "$D_ST" = 0 ] && pass "docker rm -f of a --pid=host container" ||
	fail "docker rm -f of a --pid=host container" "status $D_ST: $D_OUT"

kill -9 "$V" 2>/dev/null
clean
exit 0
