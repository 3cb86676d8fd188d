#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ECI FAQ "Can I run privileged containers?" and "containers launched before
# ECI?" through Podman, with crun and runc: a `podman run --privileged`
# container starts, but can't load a module or read the VM's disk. Each
# attack first runs with eci unloaded and no hook, where it must work (the
# effect checked in the VM), then as a plain podman run, where it must fail
# with EPERM. A container started before eci loaded is adopted when it loads
# (Podman's init script) and can't load the module afterwards.
. "$(dirname "$0")/lib.sh"

ATTACKS='
{ insmod /dummy.ko; } 2>&1 | sed "s/^/mod: /"
{ head -c 512 /dev/vda | wc -c; } 2>&1 | sed "s/^/vda: /"
{ mkdir -p /mnt/v && mount /dev/vda /mnt/v && cat /mnt/v/secret; } 2>&1 | sed "s/^/mnt: /"'
# It stays after its insmod: its cgroup is shown registered while it runs.
WAIT_GO='while [ ! -e /tmp/go ]; do sleep 0.2; done; insmod /dummy.ko; echo status=$?; sleep 600'
said() { echo "$2" | sed -n "s/^$1: //p"; } # ATTACK OUTPUT

eci_off
for rt in $RUNTIMES; do
	unload_dummy
	nohook prun --rm --privileged --runtime $rt eci-test sh -c "$ATTACKS"
	eval "base_$rt=\$P_OUT"
	in_modules dummy && eval "mod_$rt=ok"
	unload_dummy
	podman $NOHOOK run -d --privileged --runtime $rt --name early-$rt eci-test sh -c "$WAIT_GO" >/dev/null 2>&1
done
eci_on

for rt in $RUNTIMES; do
	eval "base=\$base_$rt; bmod=\${mod_$rt:-no}"
	unload_dummy
	prun --rm --privileged --runtime $rt eci-test sh -c "$ATTACKS"
	prot=$P_OUT
	P_OUT=$(said mod "$prot")
	if [ "$bmod" != ok ]; then
		fail "[$rt] --privileged: insmod fails" "without eci it did not load: $(said mod "$base")"
	elif ! in_modules dummy && is_eperm; then
		pass "[$rt] --privileged: insmod fails, dummy.ko not in /proc/modules (loads without eci)"
	else
		fail "[$rt] --privileged: insmod fails" "with eci: $P_OUT"
	fi
	unload_dummy
	P_OUT=$(said vda "$prot")
	if [ "$(said vda "$base")" != 512 ]; then
		fail "[$rt] --privileged: the VM disk can't be read" "without eci: $(said vda "$base")"
	elif [ "$P_OUT" != 512 ] && is_eperm; then
		pass "[$rt] --privileged: the VM disk /dev/vda can't be read (readable without eci)"
	else
		fail "[$rt] --privileged: the VM disk can't be read" "with eci: $P_OUT"
	fi
	P_OUT=$(said mnt "$prot")
	if [ "$(said mnt "$base")" != eci-vmdata-secret-7f3a9c ]; then
		fail "[$rt] --privileged: the VM disk can't be mounted" "without eci: $(said mnt "$base")"
	elif ! echo "$P_OUT" | grep -q secret && is_eperm; then
		pass "[$rt] --privileged: the VM disk can't be mounted (its secret read without eci)"
	else
		fail "[$rt] --privileged: the VM disk can't be mounted" "with eci: $P_OUT"
	fi

	# The container started before eci: adopted, its insmod now refused.
	id=$(full_id early-$rt)
	podman exec early-$rt touch /tmp/go >/dev/null 2>&1
	i=0
	while [ $i -lt 60 ] && ! podman logs early-$rt 2>&1 | grep -q status=; do
		sleep 0.5
		i=$((i + 1))
	done
	out=$(podman logs early-$rt 2>&1)
	if [ -z "$id" ]; then
		fail "[$rt] a container started before eci is adopted" "it did not start: $(podman ps -a 2>&1 | tail -n 3)"
	elif ecictl container show "/libpod_parent/libpod-$id" >/dev/null 2>&1 && ! in_modules dummy &&
		echo "$out" | grep -q 'status=[1-9]'; then
		pass "[$rt] a container started before eci is adopted: its insmod fails"
	else
		fail "[$rt] a container started before eci is adopted" "$(echo "$out" | tr '\n' ' '); registered: $(ecictl container show "/libpod_parent/libpod-$id" 2>&1 | head -n1)"
	fi
	podman rm -f early-$rt >/dev/null 2>&1
	unload_dummy
done
exit 0
