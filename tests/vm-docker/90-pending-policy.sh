#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PENDING: ECI FAQ answers that need work not merged yet. These tests are
# written as the finished feature must behave and fail until it lands:
#  - the mount policy (bind sources vetted in sb_mount, allowed ones from the
#    bind_allow LPM trie): "Does ECI restrict bind mounts?" -v of a VM
#    directory fails at docker run, naming the refused mount;
#  - the settings (admin-settings.json: filesharingAllowedDirectories,
#    dockerSocketMount.imageList): "Can I mount the Docker socket?" only for
#    images in imageList; a shared directory can be bound;
#  - runtime integration (a container's --device reaching its device rules).
# Each refusal is shown working without the enforcer first.
. "$(dirname "$0")/lib.sh"

SHARED=/mnt/host/shared
mkdir -p $SHARED
echo shared-file >$SHARED/f
SETTINGS=/etc/eci/admin-settings.json
mkdir -p /etc/eci
cat >$SETTINGS <<JSON
{
  "configurationFileVersion": 2,
  "enhancedContainerIsolation": {
    "locked": true, "value": true,
    "dockerSocketMount": { "imageList": { "images": ["eci-sock:latest"] } }
  },
  "filesharingAllowedDirectories": [ { "path": "/mnt/host", "sharedByDefault": true } ]
}
JSON
make_cli_image || fail "socket client image" "docker import of eci-sock failed"
SOCK=/var/run/docker.sock:/var/run/docker.sock

# The binds dockerd asks runc for in a plain `docker run` (for the policy:
# these must stay allowed for that container).
docker run -d --name binds eci-test sleep 60 >/dev/null 2>&1
id=$(full_id binds)
cfg=$(find /run -path "*$id*" -name config.json 2>/dev/null | head -n1)
echo "binds of a plain docker run ($cfg):"
tr -d '\n\t ' <"$cfg" 2>/dev/null | grep -o '{[^{}]*"type":"bind"[^{}]*}' | sed 's/^/  /'
docker rm -f binds >/dev/null 2>&1

# refused NAME WANT DOCKER-RUN-ARGS...: without eci the run prints WANT; with
# it docker run fails (125) and its error names the refused source (the
# first -v's source).
refused() {
	_n=$1 _want=$2
	shift 2
	eci_off
	drun --rm "$@"
	_base=$D_OUT
	eci_on
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

refused "-v /etc:/x fails at docker run, naming /etc" eci-vm -v /etc:/x eci-test cat /x/hostname
refused "-v /var/lib/docker:/x fails at docker run, naming /var/lib/docker" yes \
	-v /var/lib/docker:/x eci-test sh -c '[ -d /x/containers ] && echo yes'
refused "-v /:/host fails at docker run, naming /" eci-vm -v /:/host eci-test cat /host/etc/hostname
refused "--privileged -v /etc:/x fails the same" eci-vm --privileged -v /etc:/x eci-test cat /x/hostname
refused "-v of the docker socket fails for an image not in imageList" yes \
	-v $SOCK eci-test sh -c '[ -S /var/run/docker.sock ] && echo yes'

if ! ecictl settings apply $SETTINGS >/tmp/settings.out 2>&1; then
	fail "admin settings apply (imageList, filesharingAllowedDirectories)" "$(tail -n1 /tmp/settings.out)"
fi
drun --rm -v $SOCK eci-sock docker ps --format '{{.Image}}'
[ "$D_ST" = 0 ] && pass "an image in imageList runs docker ps through the socket" ||
	fail "an image in imageList runs docker ps through the socket" "status $D_ST: $(echo "$D_OUT" | tail -n1)"

drun --rm -v $SHARED:/s eci-test cat /s/f
[ "$D_OUT" = shared-file ] && pass "-v of a shared directory (filesharingAllowedDirectories) works" ||
	fail "-v of a shared directory (filesharingAllowedDirectories) works" "status $D_ST: $D_OUT"

drun --rm --device /dev/vda:/dev/xvda eci-test sh -c 'head -c 512 /dev/xvda | wc -c'
[ "$D_OUT" = 512 ] && pass "--device of an assigned device: the container can use it" ||
	fail "--device of an assigned device: the container can use it" "status $D_ST: $D_OUT"
exit 0
