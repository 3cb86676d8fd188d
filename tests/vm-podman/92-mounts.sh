#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ECI FAQ "Does ECI restrict bind mounts?" and "Can I mount the engine
# socket?" through Podman, with crun (the new mount API) and runc: -v /etc:/x
# fails to start, the error naming the refused mount; a read-only bind of a
# shared directory can't be made writable, neither by a remount nor by
# mount_setattr; Podman's API socket binds only for an image of the settings'
# imageList. Each refusal works without eci (and without the hook) first.
. "$(dirname "$0")/lib.sh"

SHARED=/mnt/host/shared
mkdir -p $SHARED
echo shared-file >$SHARED/f
SOCK=/run/podman/podman.sock
SETTINGS=/tmp/eci-92-settings.json
# Podman's socket is one of the default engine sockets. The socket client:
# the test image's files as another image, listed by its id (a Podman
# image is known by its identity, 94-image).
tar -C /eci/rootfs -cf - . | podman import -q - eci-sock >/dev/null ||
	fail "socket client image" "podman import of eci-sock failed"
cat >$SETTINGS <<JSON
{
  "configurationFileVersion": 2,
  "enhancedContainerIsolation": {
    "locked": true, "value": true,
    "dockerSocketMount": { "imageList": { "images": ["sha256:$(podman image inspect -f '{{.Id}}' eci-sock)"] } }
  },
  "filesharingAllowedDirectories": [ { "path": "/mnt/host", "sharedByDefault": true } ]
}
JSON

REMOUNT="mount -o remount,rw /s && touch /s/w-remount && echo rw-ok"
SETATTR="ecitest setattr_rw /s && touch /s/w-setattr && echo rw-ok"
cases() { # RUNTIME
	prun --rm --runtime $1 -v /etc:/x eci-test cat /x/hostname
	echo "etc: $P_ST $P_OUT"
	prun --rm --runtime $1 --privileged -v $SHARED:/s:ro eci-test sh -c "$REMOUNT"
	echo "remount: $P_ST $P_OUT"
	prun --rm --runtime $1 --privileged -v $SHARED:/s:ro eci-test sh -c "$SETATTR"
	echo "setattr: $P_ST $P_OUT"
	prun --rm --runtime $1 -v $SOCK:$SOCK eci-test ecitest connect $SOCK
	echo "sock: $P_ST $P_OUT"
}
said() { echo "$2" | sed -n "s/^$1: //p"; } # CASE OUTPUT

eci_off
for rt in $RUNTIMES; do
	eval "base_$rt=\$(nohook cases $rt)"
	rm -f $SHARED/w-*
done
eci_on
if ! ecictl settings apply $SETTINGS >/tmp/settings.out 2>&1; then
	fail "settings apply (imageList, shared directory, Podman's socket)" "$(tail -n1 /tmp/settings.out)"
fi

for rt in $RUNTIMES; do
	eval "base=\$base_$rt"
	prot=$(cases $rt)
	b=$(said etc "$base") p=$(said etc "$prot")
	if [ "$b" != "0 eci-vm" ]; then
		fail "[$rt] -v /etc:/x fails to start" "without eci: $b"
	elif [ "${p%% *}" != 0 ] && echo "$p" | grep -q '/etc' && echo "$p" | grep -qi 'operation not permitted'; then
		pass "[$rt] -v /etc:/x fails to start, the error naming /etc (works without eci)"
	else
		fail "[$rt] -v /etc:/x fails to start" "with eci: $p"
	fi
	for how in remount setattr; do
		b=$(said $how "$base") p=$(said $how "$prot")
		if [ "$b" != "0 rw-ok" ]; then
			fail "[$rt] a read-only bind stays read-only ($how)" "without eci: $b"
		elif [ ! -e $SHARED/w-$how ] && ! echo "$p" | grep -q rw-ok; then
			pass "[$rt] a read-only bind stays read-only ($how; made writable without eci)"
		else
			fail "[$rt] a read-only bind stays read-only ($how)" "with eci: $p"
		fi
		rm -f $SHARED/w-$how
	done
	b=$(said sock "$base") p=$(said sock "$prot")
	if [ "$b" != "0 ok" ]; then
		fail "[$rt] -v of Podman's socket fails for an image not in imageList" "without eci: $b"
	elif [ "${p%% *}" != 0 ] && echo "$p" | grep -q "$SOCK"; then
		pass "[$rt] -v of Podman's socket fails for an image not in imageList (connects without eci)"
	else
		fail "[$rt] -v of Podman's socket fails for an image not in imageList" "with eci: $p"
	fi
	prun --rm --runtime $rt -v $SOCK:$SOCK eci-sock ecitest connect $SOCK
	[ "$P_ST" = 0 ] && [ "$P_OUT" = ok ] && pass "[$rt] an image in imageList connects to Podman's socket" ||
		fail "[$rt] an image in imageList connects to Podman's socket" "status $P_ST: $P_OUT"
	prun --rm --runtime $rt -v $SHARED:/s eci-test cat /s/f
	[ "$P_OUT" = shared-file ] && pass "[$rt] -v of a shared directory works" ||
		fail "[$rt] -v of a shared directory works" "status $P_ST: $P_OUT"
done
exit 0
