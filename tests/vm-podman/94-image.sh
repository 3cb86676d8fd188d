#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Issue 15, image identity, through Podman with crun and runc: the hook
# matches the imageList against the container's image as containers/storage
# records it (its id, its manifest digests), never a name. An image listed by
# id or by digest connects to Podman's socket; `podman tag` of another image
# under a listed name (name:tag, name:*) or into a listed digest's
# repository does not get the socket: the container fails to start, the
# bind of the socket trapped. An image committed from a listed one gets it
# only with allowDerivedImages. Each refusal connects without eci (and
# without the hook) first.
. "$(dirname "$0")/lib.sh"

SOCK=/run/podman/podman.sock
# Two images of the test image's files plus one of their own (with
# eci-test's very layers, eci-test would be built on them), each its own id:
# one listed by id, one by digest (a changed config makes another id).
rm -rf /tmp/pa && cp -a /eci/rootfs /tmp/pa && echo pa >/tmp/pa/eci-pallowed &&
	tar -C /tmp/pa -cf - . | podman import -q - eci-pallowed >/dev/null &&
	tar -C /tmp/pa -cf - . | podman import -q --change 'ENV ECI=dig' - eci-pdig >/dev/null ||
	fail "socket client images" "podman import failed"
rm -rf /tmp/pa
ID=$(podman image inspect -f '{{.Id}}' eci-pallowed 2>/dev/null)
DIG=$(podman image inspect -f '{{.Digest}}' eci-pdig 2>/dev/null)
case $DIG in sha256:*) ;; *) fail "eci-pdig has a manifest digest" "podman image inspect says '$DIG'" ;; esac
# eci-pderived: eci-pallowed plus one layer (what `podman build FROM` makes).
podman rm -f der >/dev/null 2>&1
out=$(podman run --name der eci-pallowed touch /derived 2>&1 &&
	podman commit -q der localhost/eci-pderived:latest 2>&1) ||
	fail "eci-pderived: an image committed from eci-pallowed" "$(echo "$out" | tail -n1)"
podman rm -f der >/dev/null 2>&1
# eci-test (nothing to do with the listed images) under a listed name, and
# into the repository of the listed digest.
podman tag eci-test localhost/eci-ptagged:latest localhost/eci-pdig:retag ||
	fail "podman tag eci-test under listed names" "podman tag failed"
# imagesettings DERIVED: imageList = eci-pallowed's id, eci-pdig's digest
# and the names eci-ptagged:latest and eci-ptagged:*.
imagesettings() {
	cat >/tmp/eci-94-img.json <<JSON
{ "enhancedContainerIsolation": { "locked": true, "value": true,
    "dockerSocketMount": { "imageList": {
        "images": ["sha256:$ID", "localhost/eci-pdig@$DIG", "localhost/eci-ptagged:latest",
                   "localhost/eci-ptagged:*"],
        "allowDerivedImages": $1 } } } }
JSON
	ecictl settings apply /tmp/eci-94-img.json >/tmp/eci-94.out 2>&1
}
# sockrun RUNTIME IMAGE: the image's container connects to Podman's socket.
sockrun() { prun --rm --runtime "$1" -v $SOCK:$SOCK "$2" ecitest connect $SOCK; }

REFUSED='localhost/eci-ptagged:latest localhost/eci-pdig:retag localhost/eci-pderived:latest'
eci_off
for rt in $RUNTIMES; do
	for img in $REFUSED; do
		nohook sockrun $rt $img
		eval "base_${rt}_$(echo $img | tr -c 'a-z0-9\n' _)=\$P_OUT"
	done
done
eci_on

# refused_sock RUNTIME IMAGE NAME: it connected without eci; with it the
# container does not start, the error naming the socket, and the socket's
# bind is trapped.
refused_sock() {
	eval "base=\$base_${1}_$(echo $2 | tr -c 'a-z0-9\n' _)"
	ecictl events >/dev/null 2>&1
	sockrun $1 $2
	if [ "$base" != ok ]; then
		fail "[$1] $3" "without eci: $base"
	elif [ "$P_ST" != 0 ] && ! echo "$P_OUT" | grep -qx ok && echo "$P_OUT" | grep -q "$SOCK" &&
		ecictl events 2>&1 | grep -q 'podman\.sock'; then
		pass "[$1] $3 (connects without eci)"
	else
		fail "[$1] $3" "status $P_ST: $(echo "$P_OUT" | tail -n1); events: $(ecictl events 2>&1 | tail -n1)"
	fi
}
# allowed_sock RUNTIME IMAGE NAME: it connects.
allowed_sock() {
	sockrun $1 $2
	[ "$P_ST" = 0 ] && [ "$P_OUT" = ok ] && pass "[$1] $3" ||
		fail "[$1] $3" "status $P_ST: $(echo "$P_OUT" | tail -n1)"
}

imagesettings false || fail "settings apply with an imageList" "$(tail -n1 /tmp/eci-94.out)"
for rt in $RUNTIMES; do
	allowed_sock $rt eci-pallowed "the image the imageList names by id connects to Podman's socket"
	allowed_sock $rt eci-pdig "the image the imageList names by digest connects to Podman's socket"
	refused_sock $rt localhost/eci-ptagged:latest "podman tag of another image under a listed name: no socket"
	refused_sock $rt localhost/eci-pdig:retag "podman tag of another image into a listed digest's repository: no socket"
	refused_sock $rt localhost/eci-pderived:latest "without allowDerivedImages: an image built on a listed one gets no socket"
done
imagesettings true || fail "settings apply with allowDerivedImages" "$(tail -n1 /tmp/eci-94.out)"
for rt in $RUNTIMES; do
	allowed_sock $rt localhost/eci-pderived:latest "allowDerivedImages: an image built on a listed one connects"
	refused_sock $rt localhost/eci-ptagged:latest "allowDerivedImages: an unrelated image tagged under a listed name gets no socket"
done
podman rmi localhost/eci-ptagged:latest localhost/eci-pdig:retag localhost/eci-pderived:latest >/dev/null 2>&1
echo '{}' >/tmp/eci-94-img.json
ecictl settings apply /tmp/eci-94-img.json >/dev/null
exit 0
