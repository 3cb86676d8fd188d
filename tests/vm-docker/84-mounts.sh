#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ECI FAQ "Does ECI restrict bind mounts?" and "Can I mount the Docker
# socket?" through the engine: -v of a VM directory fails at docker run,
# naming the refused mount; the engine socket binds only for an image of the
# settings' imageList (eci-runc registers each container with its image); a
# directory of filesharingAllowedDirectories binds once the settings are
# applied; a plain docker run keeps its own per-container binds; --device
# reaches the container's device rules. Each refusal is shown working without
# the enforcer (or before the settings) first.
. "$(dirname "$0")/lib.sh"

SHARED=/mnt/host/shared
mkdir -p $SHARED
echo shared-file >$SHARED/f
make_cli_image || fail "socket client image" "docker import of eci-sock failed"
# An imported image has no registry digest: the imageList names it by id.
SOCKID=$(docker image inspect -f '{{.Id}}' eci-sock 2>/dev/null)
# Not the init script's path: eci_on must not apply it before the test does.
SETTINGS=/tmp/eci-84-settings.json
cat >$SETTINGS <<JSON
{
  "configurationFileVersion": 2,
  "enhancedContainerIsolation": {
    "locked": true, "value": true,
    "dockerSocketMount": { "imageList": { "images": ["$SOCKID"] } }
  },
  "filesharingAllowedDirectories": [ { "path": "/mnt/host", "sharedByDefault": true } ],
  "eci": { "assignableDevices": ["b 254:0 rwm"] }
}
JSON
SOCK=/var/run/docker.sock:/var/run/docker.sock

# The refusals: each case runs once with eci unloaded (all in one unload,
# which is slow under TCG) and once with it. refused NAME WANT ARGS...:
# without eci `docker run --rm ARGS` prints WANT; with it docker run fails
# (125) and its error names the refused source (the first -v's source).
n=0
baseline() {
	shift 2
	n=$((n + 1))
	drun --rm "$@"
	eval "base_$n=\$D_OUT"
}
refused() {
	_n=$1 _want=$2
	shift 2
	n=$((n + 1))
	eval "_base=\$base_$n"
	drun --rm "$@"
	_src=$(echo "$*" | sed -n 's/.*-v \([^:]*\):.*/\1/p')
	if [ "$_base" != "$_want" ]; then
		fail "$_n" "without eci the run printed '$_base', expected '$_want'"
	elif [ "$D_ST" = 125 ] && echo "$D_OUT" | grep -q "$_src" && is_eperm; then
		pass "$_n"
	else
		fail "$_n" "status $D_ST: $(echo "$D_OUT" | tail -n1)"
	fi
}
cases() {
	$1 "-v /etc:/x fails at docker run, naming /etc" eci-vm -v /etc:/x eci-test cat /x/hostname
	$1 "-v /var/lib/docker:/x fails at docker run, naming /var/lib/docker" yes \
		-v /var/lib/docker:/x eci-test sh -c '[ -d /x/containers ] && echo yes'
	$1 "-v /:/host fails at docker run, naming /" eci-vm -v /:/host eci-test cat /host/etc/hostname
	$1 "--privileged -v /etc:/x fails the same" eci-vm --privileged -v /etc:/x eci-test cat /x/hostname
	$1 "-v of the docker socket fails for an image not in imageList" yes \
		-v $SOCK eci-test sh -c '[ -S /var/run/docker.sock ] && echo yes'
	$1 "-v of the docker socket fails for eci-sock before the settings list it" eci-sock \
		-v $SOCK eci-sock docker ps -a --format '{{.Image}}' --filter ancestor=eci-sock
	$1 "-v of a directory not shared yet fails" shared-file -v $SHARED:/s eci-test cat /s/f
}
# A --device eci can't turn into rules (a directory of nodes), for the
# fail-closed check at the end.
mkdir -p /tmp/devdir && mknod /tmp/devdir/null c 1 3 2>/dev/null
DEVDIR="--device /tmp/devdir:/devdir eci-test sh -c '[ -c /devdir/null ] && echo yes'"

eci_off
cases baseline
eval "drun --rm $DEVDIR"
base_dev=$D_OUT
eci_on
eci_defaults || fail "settings back to their defaults" "ecictl settings apply {} failed"
n=0
cases refused

# A plain docker run: eci-runc registered it (dockerd's per-container
# directory as its own bind source, which the subtree's default entry has
# not) and its binds of resolv.conf, hosts and hostname from there went
# through.
docker run -d --name plain eci-test sleep 120 >/dev/null 2>&1
id=$(full_id plain)
show=$(ecictl container show "/docker/$id" 2>&1)
dk exec plain cat /etc/hostname
if [ -n "$id" ] && [ "$D_OUT" = "$(echo "$id" | cut -c1-12)" ] &&
	echo "$show" | grep -q "/var/lib/docker/containers/$id"; then
	pass "a plain docker run is registered by eci-runc and binds its own files"
else
	fail "a plain docker run is registered by eci-runc and binds its own files" \
		"id '$id', hostname '$D_OUT': $(echo "$show" | tr '\n' ' ')"
fi
docker rm -f plain >/dev/null 2>&1

if ! ecictl settings apply $SETTINGS >/tmp/settings.out 2>&1; then
	fail "admin settings apply (imageList, filesharingAllowedDirectories)" "$(tail -n1 /tmp/settings.out)"
fi
drun --rm -v $SOCK eci-test sh -c '[ -S /var/run/docker.sock ] && echo yes'
[ "$D_ST" = 125 ] && is_eperm && pass "with the settings, the socket still fails for eci-test (not in imageList)" ||
	fail "with the settings, the socket still fails for eci-test (not in imageList)" "status $D_ST: $(echo "$D_OUT" | tail -n1)"
drun --rm -v $SOCK eci-sock docker ps -a --format '{{.Image}}' --filter ancestor=eci-sock
[ "$D_ST" = 0 ] && [ "$D_OUT" = eci-sock ] && pass "an image in imageList runs docker ps through the socket" ||
	fail "an image in imageList runs docker ps through the socket" "status $D_ST: $(echo "$D_OUT" | tail -n1)"

drun --rm -v $SHARED:/s eci-test cat /s/f
[ "$D_OUT" = shared-file ] && pass "-v of a shared directory (filesharingAllowedDirectories) works" ||
	fail "-v of a shared directory (filesharingAllowedDirectories) works" "status $D_ST: $D_OUT"

# --device: the container reads the disk it was given; without it, even
# --privileged can't (the device is not assigned).
drun --rm --privileged eci-test sh -c 'head -c 512 /dev/vda | wc -c'
priv=$D_OUT
drun --rm --device /dev/vda:/dev/xvda eci-test sh -c 'head -c 512 /dev/xvda | wc -c'
if [ "$D_OUT" = 512 ] && [ "$priv" != 512 ]; then
	pass "--device of an assigned device: the container can use it (unassigned, it can't)"
else
	fail "--device of an assigned device: the container can use it (unassigned, it can't)" \
		"with --device: status $D_ST: $D_OUT; --privileged without it: $priv"
fi

# Fail closed: the registration eci-runc can't make fails the create, with
# its one sentence in docker run's error.
eval "drun --rm $DEVDIR"
if [ "$base_dev" != yes ]; then
	fail "a registration eci-runc can't make fails docker run, saying why" "without eci: $base_dev"
elif [ "$D_ST" = 125 ] && echo "$D_OUT" | grep -q "eci: container .* not created: .*/tmp/devdir is not a device node"; then
	pass "a registration eci-runc can't make fails docker run, saying why"
else
	fail "a registration eci-runc can't make fails docker run, saying why" "status $D_ST: $D_OUT"
fi
eci_defaults
exit 0
