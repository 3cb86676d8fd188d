#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Issue 15: the engine can't be talked into handing out the VM. Each route is
# first shown working with the enforcer unloaded (its real effect checked in
# the VM), then refused with it.
#   - the container rule: a container the engine starts with another runtime
#     (--runtime=runc skips eci-runc) and a cgroup outside the protected
#     subtree (--cgroup-parent) is protected all the same, by the kernel; so
#     is any task of a new cgroup mounting in a namespace of its own, unless
#     the admin exempts its cgroup (`ecictl exempt add`).
#   - volumes: a named volume whose directory dockerd made a bind of a VM
#     directory (volume-opt o=bind,device=...) is refused; the volume's own
#     directory and a fresh tmpfs volume work.
#   - devices: --device of a VM disk, /dev/mem or /dev/kmsg fails to start,
#     saying why, unless eci.assignableDevices lists it.
#   - image identity: the imageList matches dockerd's image id and registry
#     digests, never a name: `docker tag` of another image under a listed
#     name gets no socket; an image committed from a listed one gets it only
#     with allowDerivedImages.
. "$(dirname "$0")/lib.sh"

mkdir -p /srv/vmdata && echo vm-secret >/srv/vmdata/secret
BINDVOL='type=volume,src=vbind,dst=/b,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/srv/vmdata'
ROOTVOL='type=volume,src=vroot,dst=/h,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/'
DEVS='/dev/vda /dev/mem /dev/kmsg'
# dev_read DEV: the container reads 16 bytes of DEV (given as /dev/x).
# (/dev/mem needs CAP_SYS_RAWIO, /dev/kmsg CAP_SYSLOG; a kmsg record must be
# read whole.)
dev_read() {
	drun --rm --cap-add SYS_RAWIO --cap-add SYSLOG --device "$1:/dev/x" eci-test \
		sh -c 'dd if=/dev/x bs=4096 count=1 2>/dev/null | head -c 16 | wc -c'
}

# rule_run CGROUP CMD: CMD (sh -c) in a fresh cgroup of the VM, after
# `unshare -m`: not a runtime, not a subtree, no registration.
rule_run() {
	mkdir -p "/sys/fs/cgroup/$1"
	D_OUT=$(sh -c "echo \$\$ >/sys/fs/cgroup/$1/cgroup.procs && exec unshare -m sh -c '$2'" 2>&1)
	D_ST=$?
}
RULE='mkdir -p /tmp/rule && mount -t tmpfs none /tmp/rule && insmod /eci/rootfs/dummy.ko && echo loaded'
RUNC_PARENT="--privileged --runtime=runc --cgroup-parent=/x"

make_cli_image || fail "socket client image" "docker import of eci-sock failed"
SOCKID=$(docker image inspect -f '{{.Id}}' eci-sock 2>/dev/null)
SOCK=/var/run/docker.sock:/var/run/docker.sock
# eci-derived: eci-sock plus one layer (what `docker build FROM eci-sock`
# makes); then tagged under a name the imageList lists.
docker rm -f der >/dev/null 2>&1
docker run --name der eci-sock touch /derived >/dev/null 2>&1 &&
	docker commit der eci-derived >/dev/null 2>&1 && docker rm der >/dev/null 2>&1 &&
	docker tag eci-derived eci-allowed:latest ||
	fail "eci-derived: an image committed from eci-sock" "docker commit failed"
# eci-tagged: eci-test (nothing to do with eci-sock) under a listed name.
docker tag eci-test eci-tagged:latest || fail "docker tag eci-test eci-tagged" "docker tag failed"
# imagesettings DERIVED: imageList = the names eci-allowed:latest and
# eci-tagged:latest, and eci-sock's id.
imagesettings() {
	cat >/tmp/eci-87-img.json <<JSON
{ "enhancedContainerIsolation": { "locked": true, "value": true,
    "dockerSocketMount": { "imageList": { "images": ["eci-allowed:latest", "eci-tagged:latest", "$SOCKID"],
                                          "allowDerivedImages": $1 } } } }
JSON
	ecictl settings apply /tmp/eci-87-img.json >/dev/null
}
PS_SOCK='docker ps -a --format {{.Names}} --filter name=^/holder$'

# --- without the enforcer ---------------------------------------------------
eci_off
docker run -d --name holder eci-test sleep 600 >/dev/null 2>&1
drun --rm -v $SOCK eci-allowed:latest $PS_SOCK
base_tag=$D_OUT
HAS_SOCK='[ -S /var/run/docker.sock ] && echo yes'
drun --rm -v $SOCK eci-tagged:latest sh -c "$HAS_SOCK"
base_sock=$D_OUT
unload_dummy
drun --rm $RUNC_PARENT eci-test insmod /dummy.ko
in_modules dummy && base_runc=1 || base_runc="status $D_ST: $D_OUT"
unload_dummy
rule_run rule0 "$RULE"
in_modules dummy && base_rule=1 || base_rule="$D_OUT"
unload_dummy
rmdir /sys/fs/cgroup/rule0 2>/dev/null
drun --rm --mount "$BINDVOL" eci-test cat /b/secret
base_vol=$D_OUT
drun --rm --mount "$ROOTVOL" eci-test cat /h/srv/vmdata/secret
base_root=$D_OUT
docker volume rm vbind vroot >/dev/null 2>&1
for d in $DEVS; do
	dev_read $d
	eval "base_$(basename $d)=\$D_OUT"
done

# --- with it -------------------------------------------------------------------
eci_on
eci_defaults || fail "settings back to their defaults" "ecictl settings apply {} failed"
drun --rm $RUNC_PARENT eci-test insmod /dummy.ko
if [ "$base_runc" != 1 ]; then
	fail "--runtime=runc --cgroup-parent=/x: no module load" "without eci: $base_runc"
elif in_modules dummy; then
	fail "--runtime=runc --cgroup-parent=/x: no module load" "the module loaded: $D_OUT"
elif [ "$D_ST" != 0 ] && is_eperm; then
	pass "--runtime=runc --cgroup-parent=/x: no module load"
else
	fail "--runtime=runc --cgroup-parent=/x: no module load" "status $D_ST: $D_OUT"
fi
unload_dummy

# The same container, kept running: its cgroup is a container by the rule.
docker run -d --name rc $RUNC_PARENT eci-test sleep 60 >/dev/null 2>&1
id=$(full_id rc)
show=$(ecictl container show "/x/$id" 2>&1)
case $show in
*"mode:       enforce"*) pass "--runtime=runc --cgroup-parent=/x: the cgroup is a protected container" ;;
*) fail "--runtime=runc --cgroup-parent=/x: the cgroup is a protected container" \
	"id '$id': $(docker logs rc 2>&1 | tail -n1) $(echo "$show" | tr '\n' ' ')" ;;
esac
docker rm -f rc >/dev/null 2>&1

rule_run rule1 "$RULE"
if [ "$base_rule" != 1 ]; then
	fail "the container rule: unshare -m + mount in a new cgroup, no module load" "without eci: $base_rule"
elif in_modules dummy; then
	fail "the container rule: unshare -m + mount in a new cgroup, no module load" "loaded: $D_OUT"
elif ecictl container show /rule1 2>/dev/null | grep -q "mode:       enforce"; then
	pass "the container rule: unshare -m + mount in a new cgroup, no module load"
else
	fail "the container rule: unshare -m + mount in a new cgroup, no module load" \
		"$D_OUT / $(ecictl container show /rule1 2>&1 | head -n3 | tr '\n' ' ')"
fi
unload_dummy
mkdir -p /sys/fs/cgroup/rule2
check "ecictl exempt add /rule2" ecictl exempt add /rule2
rule_run rule2 "$RULE"
show=$(ecictl container show /rule2 2>&1)
if in_modules dummy && [ "$D_OUT" = loaded ] && echo "$show" | grep -q "exempt VM service" &&
	ecictl exempt ls | grep -q " /rule2$"; then
	pass "an exempt cgroup (a VM service) is not made a container"
else
	fail "an exempt cgroup (a VM service) is not made a container" \
		"$D_OUT / $(echo "$show" | head -n3 | tr '\n' ' ')"
fi
unload_dummy
# The VM's own mount namespace: a chroot there is no container. (Not
# rule_run: busybox's unshare -m makes / private, a mount in a namespace of
# its own, which is the rule.)
mkdir -p /sys/fs/cgroup/rule3
D_OUT=$(sh -c 'echo $$ >/sys/fs/cgroup/rule3/cgroup.procs && chroot / /bin/true && echo chrooted' 2>&1)
if [ "$D_OUT" = chrooted ] && ! ecictl container show /rule3 2>/dev/null | grep -q "mode:"; then
	pass "a chroot in the VM's mount namespace is not a container"
else
	fail "a chroot in the VM's mount namespace is not a container" \
		"$D_OUT / $(ecictl container show /rule3 2>&1 | head -n3 | tr '\n' ' ')"
fi
# The engine's own chroots (docker cp, import: dockerd in the VM's root
# cgroup) still work.
docker run -d --name cp1 eci-test sleep 60 >/dev/null 2>&1
echo engine-cp >/tmp/cpfile
dk cp /tmp/cpfile cp1:/cpfile && dk exec cp1 cat /cpfile
[ "$D_OUT" = engine-cp ] && pass "docker cp still works (the engine's own chroot)" ||
	fail "docker cp still works (the engine's own chroot)" "status $D_ST: $D_OUT"
docker rm -f cp1 >/dev/null 2>&1
for c in rule1 rule2 rule3; do rmdir /sys/fs/cgroup/$c 2>/dev/null; done

# --- volumes ------------------------------------------------------------------
# vol_refused NAME BASE MOUNT: without eci the container read the VM's file
# (BASE); with it docker run fails, naming the volume and why.
vol_refused() {
	drun --rm --mount "$3" eci-test sh -c 'cat /b/secret /h/srv/vmdata/secret 2>/dev/null'
	if [ "$2" != vm-secret ]; then
		fail "$1" "without eci the volume did not read the VM's file: $2"
	elif [ "$D_ST" = 125 ] && echo "$D_OUT" | grep -q "volume v[a-z]*[: ].*not allowed"; then
		pass "$1"
	else
		fail "$1" "status $D_ST: $(echo "$D_OUT" | tail -n1)"
	fi
}
vol_refused "volume-opt o=bind,device=/srv/vmdata: refused, saying why" "$base_vol" "$BINDVOL"
vol_refused "volume-opt o=bind,device=/: refused, saying why" "$base_root" "$ROOTVOL"
docker volume rm vbind vroot >/dev/null 2>&1
drun --rm -v vplain:/v eci-test sh -c 'echo own >/v/f && cat /v/f'
[ "$D_OUT" = own ] && pass "a plain named volume works" ||
	fail "a plain named volume works" "status $D_ST: $D_OUT"
drun --rm --mount 'type=volume,src=vtmp,dst=/t,volume-opt=type=tmpfs,volume-opt=device=tmpfs' \
	eci-test sh -c 'echo fresh >/t/f && cat /t/f'
[ "$D_OUT" = fresh ] && pass "a tmpfs volume (a fresh filesystem) works" ||
	fail "a tmpfs volume (a fresh filesystem) works" "status $D_ST: $D_OUT"
docker volume rm vplain vtmp >/dev/null 2>&1

# --- devices ------------------------------------------------------------------
for d in $DEVS; do
	n="--device $d: fails to start, saying why"
	eval "base=\$base_$(basename $d)"
	dev_read $d
	if [ "$base" != 16 ]; then
		fail "$n" "without eci the container did not read $d: $base"
	elif [ "$D_ST" = 125 ] && echo "$D_OUT" | grep -q "device $d .*not in the admin's eci.assignableDevices"; then
		pass "$n"
	else
		fail "$n" "status $D_ST: $(echo "$D_OUT" | tail -n1)"
	fi
done
cat >/tmp/eci-87.json <<JSON
{ "eci": { "assignableDevices": ["b 254:0 r"] } }
JSON
check "settings apply with eci.assignableDevices b 254:0 r" ecictl settings apply /tmp/eci-87.json
drun --rm --device /dev/vda:/dev/x:r eci-test sh -c 'head -c 16 /dev/x | wc -c'
[ "$D_OUT" = 16 ] && pass "--device /dev/vda:r listed in eci.assignableDevices: the container reads it" ||
	fail "--device /dev/vda:r listed in eci.assignableDevices: the container reads it" "status $D_ST: $D_OUT"
dev_read /dev/vda
[ "$D_ST" = 125 ] && pass "--device /dev/vda rwm when only r is assignable: refused" ||
	fail "--device /dev/vda rwm when only r is assignable: refused" "status $D_ST: $D_OUT"

# --- image identity -------------------------------------------------------------
imagesettings false || fail "settings apply with an imageList" "ecictl settings apply failed"
drun --rm -v $SOCK eci-allowed:latest $PS_SOCK
if [ "$base_tag" != holder ]; then
	fail "docker tag of another image under a listed name: no socket" "without eci: $base_tag"
elif [ "$D_ST" = 125 ] && is_eperm; then
	pass "docker tag of another image under a listed name: no socket"
else
	fail "docker tag of another image under a listed name: no socket" "status $D_ST: $(echo "$D_OUT" | tail -n1)"
fi
drun --rm -v $SOCK eci-derived $PS_SOCK
if [ "$base_tag" != holder ]; then
	fail "without allowDerivedImages: an image built on a listed one gets no socket" "without eci: $base_tag"
elif [ "$D_ST" = 125 ] && is_eperm; then
	pass "without allowDerivedImages: an image built on a listed one gets no socket"
else
	fail "without allowDerivedImages: an image built on a listed one gets no socket" "status $D_ST: $(echo "$D_OUT" | tail -n1)"
fi
drun --rm -v $SOCK eci-sock $PS_SOCK
[ "$D_OUT" = holder ] && pass "the image the imageList names by id gets the socket (docker ps through it)" ||
	fail "the image the imageList names by id gets the socket (docker ps through it)" "status $D_ST: $(echo "$D_OUT" | tail -n1)"
imagesettings true || fail "settings apply with allowDerivedImages" "ecictl settings apply failed"
drun --rm -v $SOCK eci-derived $PS_SOCK
[ "$D_OUT" = holder ] && pass "allowDerivedImages: an image built on a listed one gets the socket" ||
	fail "allowDerivedImages: an image built on a listed one gets the socket" "status $D_ST: $(echo "$D_OUT" | tail -n1)"
drun --rm -v $SOCK eci-tagged:latest sh -c "$HAS_SOCK"
if [ "$base_sock" != yes ]; then
	fail "allowDerivedImages: an unrelated image tagged under a listed name gets no socket" "without eci: $base_sock"
elif [ "$D_ST" = 125 ] && is_eperm; then
	pass "allowDerivedImages: an unrelated image tagged under a listed name gets no socket"
else
	fail "allowDerivedImages: an unrelated image tagged under a listed name gets no socket" "status $D_ST: $(echo "$D_OUT" | tail -n1)"
fi
docker rm -f holder >/dev/null 2>&1
docker rmi eci-allowed:latest eci-derived eci-tagged:latest >/dev/null 2>&1
eci_defaults
