#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The hook is the only registration: with nothing but the eci hook in
# Podman's hooks.d (no protected subtree, no shim), every `podman run` is a
# protected container from its runtime's first step, with crun and with runc;
# trap events name it by its Podman id and name; and while eci is not loaded
# the hook fails the container's creation, saying why, rather than let an
# unprotected container start.
. "$(dirname "$0")/lib.sh"

subs=$(ecictl subtree ls 2>&1 | grep -c '^[0-9]')
[ -f /usr/share/containers/oci/hooks.d/eci-hook.json ] && [ "$subs" = 0 ] &&
	pass "the eci hook is in hooks.d and no cgroup subtree is protected" ||
	fail "the eci hook is in hooks.d and no cgroup subtree is protected" "subtrees: $(ecictl subtree ls 2>&1 | tr '\n' ' ')"

for rt in $RUNTIMES; do
	# The cgroup the hook registers (linux.cgroupsPath): Podman's own
	# cgroup namespace hides it, the host's shows it.
	prun --rm --runtime $rt --cgroupns host eci-test cat /proc/self/cgroup
	cg=$(echo "$P_OUT" | sed -n 's/^0:://p')
	if [ "$P_ST" = 0 ] && echo "$cg" | grep -q '^/libpod_parent/libpod-[0-9a-f]\{64\}$'; then
		pass "[$rt] a plain podman run runs in its libpod cgroup"
	else
		fail "[$rt] a plain podman run runs in its libpod cgroup" "status $P_ST: $P_OUT"
	fi
	podman run -d --runtime $rt --name reg-$rt eci-test sleep 600 >/dev/null 2>&1
	id=$(full_id reg-$rt)
	show=$(ecictl container show "/libpod_parent/libpod-$id" 2>&1)
	if [ -n "$id" ] && echo "$show" | grep -q "$(echo "$id" | cut -c1-40)"; then
		pass "[$rt] the hook registered the container (ecictl container show)"
	else
		fail "[$rt] the hook registered the container (ecictl container show)" "id '$id': $(echo "$show" | tr '\n' ' ')"
	fi
	podman rm -f reg-$rt >/dev/null 2>&1

	# Trap events: the short Podman id and the name.
	ecictl events >/dev/null 2>&1
	podman run -d --privileged --runtime $rt --name trap-$rt eci-test sh -c 'insmod /dummy.ko; sleep 600' >/dev/null 2>&1
	id=$(full_id trap-$rt | cut -c1-12)
	# Each ecictl events takes what came since the last: keep them all.
	: >/tmp/ev-$rt
	ev=
	i=0
	while [ $i -lt 60 ]; do
		ecictl events >>/tmp/ev-$rt 2>&1
		ev=$(grep "\"container\":\"$id\"" /tmp/ev-$rt | grep '"hook":"kernel_\|"hook":"capable"' | head -n1)
		[ -n "$ev" ] && break
		sleep 0.5
		i=$((i + 1))
	done
	if [ -n "$id" ] && echo "$ev" | grep -q "\"container_name\":\"trap-$rt\""; then
		pass "[$rt] a trap event names the container by its Podman id and name"
	else
		fail "[$rt] a trap event names the container by its Podman id and name" "id '$id', event: ${ev:-none}; last: $(tail -n 2 /tmp/ev-$rt); logs: $(podman logs trap-$rt 2>&1 | tail -n 2)"
	fi
	podman rm -f trap-$rt >/dev/null 2>&1
	unload_dummy
done

# Fail closed: eci not loaded, the hook refuses; the same run without the
# hook starts (the check can fail).
eci_off
for rt in $RUNTIMES; do
	nohook prun --rm --runtime $rt eci-test echo started
	base=$P_OUT
	prun --rm --runtime $rt eci-test echo started
	if [ "$base" != started ]; then
		fail "[$rt] without eci the hook fails podman run, saying eci is not loaded" "without the hook: $base"
	elif [ "$P_ST" != 0 ] && ! echo "$P_OUT" | grep -q '^started' && echo "$P_OUT" | grep -q "eci is not loaded"; then
		pass "[$rt] without eci the hook fails podman run, saying eci is not loaded"
	else
		fail "[$rt] without eci the hook fails podman run, saying eci is not loaded" "status $P_ST: $P_OUT"
	fi
done
eci_on
exit 0
