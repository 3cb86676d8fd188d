#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The VM's network: a `--privileged --net=host` container shares the VM's
# network namespace. It may use it (see its addresses, connect, listen), but
# not administer it (NET_ADMIN: addresses, links, routes, firewall) or open
# packet sockets on it (NET_RAW: sniffing and spoofing the VM's traffic):
# under ECI the container's user namespace has no say over the VM's network
# namespace either. Unprotected both work (the address checked in the VM);
# in a network namespace of its own the container keeps both.
. "$(dirname "$0")/lib.sh"

ADDR=10.99.99.1
has_addr() { ip addr show dev lo | grep -q "inet $1/"; }
ATTACKS="
{ ip addr add $ADDR/32 dev lo && echo added; } 2>&1 | sed 's/^/admin: /'
{ ecitest socket 17 && echo packet-socket; } 2>&1 | sed 's/^/raw: /'
{ ip addr show dev lo | grep -c 'inet 127.0.0.1/'; } 2>&1 | sed 's/^/read: /'"
said() { echo "$2" | sed -n "s/^$1: //p"; } # ATTACK OUTPUT

eci_off
ip addr del $ADDR/32 dev lo 2>/dev/null
drun --rm --privileged --net=host eci-test sh -c "$ATTACKS"
base=$D_OUT
has_addr $ADDR && b_admin=1 || b_admin=0
ip addr del $ADDR/32 dev lo 2>/dev/null
[ "$(said raw "$base")" = packet-socket ] && b_raw=1 || b_raw=0
eci_on || fail "load eci again" "the init script failed"

drun --rm --privileged --net=host eci-test sh -c "$ATTACKS"
prot=$D_OUT
echo "$prot"
if [ $b_admin != 1 ]; then
	fail "--net=host: adding an address to the VM's interface refused" "without eci it did not work: $base"
elif has_addr $ADDR; then
	fail "--net=host: adding an address to the VM's interface refused" "the VM has it: $prot"
	ip addr del $ADDR/32 dev lo
else
	D_OUT=$(said admin "$prot")
	is_eperm && pass "--net=host: adding an address to the VM's interface refused (works without eci)" ||
		fail "--net=host: adding an address to the VM's interface refused" "got: $D_OUT"
fi
if [ $b_raw != 1 ]; then
	fail "--net=host: a packet socket on the VM's network refused" "without eci it did not work: $base"
else
	D_OUT=$(said raw "$prot")
	case $D_OUT in
	packet-socket) fail "--net=host: a packet socket on the VM's network refused" "it opened" ;;
	*) is_eperm && pass "--net=host: a packet socket on the VM's network refused (opens without eci)" ||
		fail "--net=host: a packet socket on the VM's network refused" "got: $D_OUT" ;;
	esac
fi
[ "$(said read "$prot")" = 1 ] && pass "--net=host: the VM's addresses can still be read" ||
	fail "--net=host: the VM's addresses can still be read" "$(said read "$prot")"

# Its own network namespace: administered at will.
drun --rm --privileged eci-test sh -c "$ATTACKS"
case $D_OUT in
*"admin: added"*"raw: packet-socket"*)
	pass "own network namespace: addresses and packet sockets still work" ;;
*) fail "own network namespace: addresses and packet sockets still work" "status $D_ST: $D_OUT" ;;
esac
has_addr $ADDR && fail "own network namespace stays its own" "the VM got $ADDR"
exit 0
