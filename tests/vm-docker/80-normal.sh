#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ECI FAQ "Do I need to change the way I use Docker?" — no: everyday docker
# commands work unchanged on the engine eci protects, and their containers are
# the protected ones (cgroup /docker/<id>, a container of the subtree).
. "$(dirname "$0")/lib.sh"

if ecictl subtree ls | grep -q ' /docker$' && [ -S /var/run/docker.sock ]; then
	pass "boot: the enforcer protects /docker and dockerd runs"
else
	fail "boot: the enforcer protects /docker and dockerd runs" "$(ecictl subtree ls 2>&1)"
fi

drun --rm eci-test echo hello
[ "$D_ST" = 0 ] && [ "$D_OUT" = hello ] && pass "docker run" || fail "docker run" "status $D_ST: $D_OUT"

dk create --name created eci-test sh -c 'echo started'
dk start -a created
[ "$D_ST" = 0 ] && [ "$D_OUT" = started ] && pass "docker create + start" ||
	fail "docker create + start" "status $D_ST: $D_OUT"
docker rm created >/dev/null 2>&1

docker run -d --name srv eci-test sleep 600 >/dev/null 2>&1
dk exec srv sh -c 'echo exec-ok'
[ "$D_ST" = 0 ] && [ "$D_OUT" = exec-ok ] && pass "docker exec" || fail "docker exec" "status $D_ST: $D_OUT"
id=$(full_id srv)
if [ -n "$id" ] && [ -d "/sys/fs/cgroup/docker/$id" ] &&
	ecictl container ls | grep -q " /docker/$id\$"; then
	pass "the container lives in cgroup /docker/<id> and is protected"
else
	fail "the container lives in cgroup /docker/<id> and is protected" "id '$id': $(ecictl container ls)"
fi
docker rm -f srv >/dev/null 2>&1

docker run --name logger eci-test sh -c 'echo to-the-log' >/dev/null 2>&1
dk logs logger
[ "$D_ST" = 0 ] && [ "$D_OUT" = to-the-log ] && pass "docker logs" || fail "docker logs" "status $D_ST: $D_OUT"
docker rm logger >/dev/null 2>&1

drun --rm -v ecivol:/data eci-test sh -c 'echo kept >/data/f'
drun --rm -v ecivol:/data eci-test cat /data/f
[ "$D_ST" = 0 ] && [ "$D_OUT" = kept ] && pass "named volumes keep data between containers" ||
	fail "named volumes keep data between containers" "status $D_ST: $D_OUT"

drun --rm --read-only eci-test sh -c 'cat /etc/hostname >/dev/null && echo read; touch /x'
# (stdout and stderr come back through two streams: either order.)
case "$D_ST:$D_OUT" in
1:*read*) case $D_OUT in *"Read-only file system"*) b=1 ;; *) b=0 ;; esac ;;
*) b=0 ;;
esac
[ $b = 1 ] && pass "--read-only: reads work, writes fail" || fail "--read-only: reads work, writes fail" "status $D_ST: $D_OUT"

drun --rm -u 1000:1000 eci-test sh -c 'echo $(id -u):$(id -g)'
[ "$D_OUT" = 1000:1000 ] && pass "docker run -u" || fail "docker run -u" "status $D_ST: $D_OUT"

drun --rm -e ECI_VAR=value eci-test sh -c 'echo $ECI_VAR'
[ "$D_OUT" = value ] && pass "docker run -e" || fail "docker run -e" "status $D_ST: $D_OUT"

drun --rm --privileged eci-test sh -c 'echo privileged-ok'
[ "$D_ST" = 0 ] && [ "$D_OUT" = privileged-ok ] && pass "--privileged starts" ||
	fail "--privileged starts" "status $D_ST: $D_OUT"
exit 0
