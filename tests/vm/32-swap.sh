#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Swap is the VM's: a privileged container (CAP_SYS_ADMIN) could swapoff the
# VM's swap, or swapon a file of its own and have the kernel page the VM's
# memory into it. Unprotected, both work (checked in /proc/swaps); protected,
# both fail with EPERM and /proc/swaps stays as it was.
. "$(dirname "$0")/lib.sh"

d=/var/lib/vmdata/swap
mkdir -p $d
for f in vm own; do
	dd if=/dev/zero of=$d/$f bs=1k count=256 2>/dev/null && chmod 600 $d/$f &&
		mkswap $d/$f >/dev/null || fail "swap files" "could not make $d/$f"
done
swapon $d/vm || fail "swap files" "the VM could not swapon $d/vm"
# Active swap areas, however /proc/swaps names them (a container's swapon is
# listed by its own path).
areas() { tail -n +2 /proc/swaps | wc -l; }
MNT="--mount $d:/swap"
eperm() { # NAME: the last run failed with EPERM
	case $CTR_OUT in
	*"Operation not permitted"*) pass "$1" ;;
	*) fail "$1" "expected Operation not permitted, got status $CTR_STATUS: $CTR_OUT" ;;
	esac
}

# --- swapoff of the VM's swap --------------------------------------------------
ctr --unprotected $MNT -- swapoff /swap/vm
[ "$(areas)" = 0 ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
swapon $d/vm 2>/dev/null
ctr --allow-bind $d $MNT -- swapoff /swap/vm
if [ "$base" != ok ]; then
	fail "protected container: swapoff of the VM's swap denied" "without eci it did not work: $base"
elif [ "$(areas)" != 1 ]; then
	fail "protected container: swapoff of the VM's swap denied" "the swap went: $CTR_OUT"
	swapon $d/vm 2>/dev/null
else
	eperm "protected container: swapoff of the VM's swap denied (works unprotected)"
fi

# --- swapon of a file of the container's ---------------------------------------
ctr --unprotected $MNT -- swapon /swap/own
[ "$(areas)" = 2 ] && base=ok || base="status $CTR_STATUS: $CTR_OUT"
swapoff $d/own 2>/dev/null
ctr --allow-bind $d $MNT -- swapon /swap/own
if [ "$base" != ok ]; then
	fail "protected container: swapon of its own file denied" "without eci it did not work: $base"
elif [ "$(areas)" != 1 ]; then
	fail "protected container: swapon of its own file denied" "it became swap: $CTR_OUT"
	swapoff $d/own 2>/dev/null
else
	eperm "protected container: swapon of its own file denied (works unprotected)"
fi

ev=$(ecictl events | grep '"hook":"swap"')
case $ev in
*'"syscall":"swapoff"'*'"syscall":"swapon"'* | *'"syscall":"swapon"'*'"syscall":"swapoff"'*)
	pass "swap traps are reported, naming the syscall" ;;
*) fail "swap traps are reported, naming the syscall" "events: $ev" ;;
esac

swapoff $d/vm 2>/dev/null
rm -rf $d
exit 0
