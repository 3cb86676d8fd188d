#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Issue 15, item 5: the engine API proxy (commandList). A container the
# imageList allows the engine socket is given eci's proxy socket instead
# (eci-runc's hook rewrites the mount); the docker CLI in it works (ps, run,
# logs -f, exec -i and -it: streams and hijacked connections pass), a
# command commandList denies fails with one readable line, and a request
# that would hand out the VM (--privileged -v /:/host, a volume-opt bind,
# another runtime or cgroup parent, a VM disk) is refused. The denied
# command and --privileged -v /:/host are first shown working through the
# real socket with the enforcer unloaded (the VM file read).
. "$(dirname "$0")/lib.sh"

mkdir -p /srv/vmdata && echo vm-secret >/srv/vmdata/secret
make_cli_image || fail "socket client image" "docker import of eci-sock failed"
SOCKID=$(docker image inspect -f '{{.Id}}' eci-sock 2>/dev/null)
SOCK=/var/run/docker.sock:/var/run/docker.sock
# cli CMD: CMD (sh -c) in a container of eci-sock (busybox and the docker
# CLI) given the engine socket.
cli() { drun --rm -v $SOCK eci-sock sh -c "$1"; }
PRIV='docker run --rm --privileged -v /:/host eci-test cat /host/srv/vmdata/secret'
DENIED='docker volume ls -q'
# one_line: $D_OUT is one line.
one_line() { [ "$(printf '%s\n' "$D_OUT" | wc -l)" = 1 ]; }

docker rm -f holder lg >/dev/null 2>&1
docker volume create eci-88 >/dev/null 2>&1

# --- without the enforcer: the real socket, unfiltered ----------------------
eci_off
cli "$PRIV"
base_priv=$D_OUT
cli "$DENIED"
base_denied=$D_OUT

# --- with it --------------------------------------------------------------------
eci_on
eci_defaults
cat >/tmp/eci-88.json <<JSON
{ "enhancedContainerIsolation": { "locked": true, "value": true,
    "dockerSocketMount": { "imageList": { "images": ["$SOCKID"] },
                           "commandList": { "type": "deny", "commands": ["volume*", "push"] } } } }
JSON
check "settings apply with an imageList and a commandList" ecictl settings apply /tmp/eci-88.json
docker run -d --name holder eci-test sleep 600 >/dev/null 2>&1 ||
	fail "a container to talk about" "docker run -d holder failed"

n="the allowed container's socket is eci's proxy, not the engine's"
cli 'stat -L -c %i /var/run/docker.sock'
eng=$(stat -L -c %i /var/run/docker.sock)
if [ "$D_ST" = 0 ] && [ -n "$eng" ] && [ "$D_OUT" = "$(stat -L -c %i /run/eci/docker-proxy.sock)" ] &&
	[ "$D_OUT" != "$eng" ]; then
	pass "$n"
else
	fail "$n" "status $D_ST: $D_OUT (proxy $(stat -L -c %i /run/eci/docker-proxy.sock), engine $(stat -L -c %i /var/run/docker.sock))"
fi

cli 'docker ps --format {{.Names}} --filter name=^/holder$'
[ "$D_OUT" = holder ] && pass "docker ps through the proxy" ||
	fail "docker ps through the proxy" "status $D_ST: $(echo "$D_OUT" | tail -n 3)"

cli 'docker run --rm eci-test sh -c "echo ran-inside" && echo ran'
[ "$D_ST" = 0 ] && [ "$(echo "$D_OUT" | tr '\n' ' ')" = "ran-inside ran " ] &&
	pass "docker run --rm (create, attach, start, wait) through the proxy" ||
	fail "docker run --rm (create, attach, start, wait) through the proxy" "status $D_ST: $(echo "$D_OUT" | tail -n 3)"

# logs -f: the first line must arrive while the container still runs and
# the second does not exist yet (a stream, not a buffered answer).
n="docker logs -f through the proxy streams"
docker run -d --name lg eci-test sh -c 'echo one; while [ ! -e /tmp/go ]; do sleep 0.2; done; echo two' >/dev/null 2>&1
rm -f /tmp/eci-88-logs
docker run --rm -v $SOCK eci-sock docker logs -f lg >/tmp/eci-88-logs 2>&1 &
bg=$!
i=0
until grep -q one /tmp/eci-88-logs 2>/dev/null || [ $i -ge 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
first=$(cat /tmp/eci-88-logs 2>/dev/null)
docker exec lg touch /tmp/go
wait $bg
st=$?
if [ "$first" = one ] && [ "$st" = 0 ] && [ "$(tr '\n' ' ' </tmp/eci-88-logs)" = "one two " ]; then
	pass "$n"
else
	fail "$n" "before the second line: '$first'; at the end (status $st): $(tr '\n' ' ' </tmp/eci-88-logs)"
fi

cli 'echo hello-stdin | docker exec -i holder cat'
[ "$D_OUT" = hello-stdin ] && pass "docker exec -i: stdin through the hijacked connection" ||
	fail "docker exec -i: stdin through the hijacked connection" "status $D_ST: $(echo "$D_OUT" | tail -n 3)"

# -it needs a terminal: ecitest pty gives the CLI one and types into it.
# What was typed is echoed as "$((6*7))"; only the container's shell makes 42.
cli "ecitest pty 'echo \$((6*7))\\nexit\\n' docker exec -it holder sh"
case $D_OUT in
*42*) pass "docker exec -it: an interactive shell through the proxy" ;;
*) fail "docker exec -it: an interactive shell through the proxy" "status $D_ST: $(echo "$D_OUT" | tail -n 3)" ;;
esac

n="a command commandList denies (docker volume ls) fails with one readable line"
cli "$DENIED"
case $base_denied in
*eci-88*) ;;
*) fail "$n" "without eci it did not work either: $base_denied" ;;
esac
case $base_denied:$D_OUT in
*eci-88*:*eci-88*) fail "$n" "the volumes were listed: $D_OUT" ;;
*eci-88*:"Error response from daemon: eci: 'docker volume ls' is not allowed through the socket"*)
	if [ "$D_ST" != 0 ] && one_line; then pass "$n"; else fail "$n" "status $D_ST: $D_OUT"; fi ;;
*eci-88*:*) fail "$n" "status $D_ST: $D_OUT" ;;
esac

n="docker run --privileged -v /:/host through the socket refused"
cli "$PRIV"
if [ "$base_priv" != vm-secret ]; then
	fail "$n" "without eci the VM file was not read either: $base_priv"
elif [ "$D_OUT" = vm-secret ]; then
	fail "$n" "the VM file was read through the proxy"
else
	case $D_OUT in
	"docker: Error response from daemon: eci: a bind of the VM's / is not allowed"*)
		[ "$D_ST" != 0 ] && pass "$n" || fail "$n" "status $D_ST: $D_OUT" ;;
	*) fail "$n" "status $D_ST: $D_OUT" ;;
	esac
fi

# refused CMD WHY: CMD fails through the proxy with eci's reason WHY.
refused() {
	cli "$2"
	case $D_OUT in
	*"Error response from daemon: eci: "*"$3"*) [ "$D_ST" != 0 ] && pass "$1" || fail "$1" "status $D_ST: $D_OUT" ;;
	*) fail "$1" "status $D_ST: $(echo "$D_OUT" | tail -n 3)" ;;
	esac
}
refused "a volume-opt bind of a VM directory through the socket refused" \
	'docker run --rm --mount type=volume,src=v88,dst=/b,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/srv/vmdata eci-test cat /b/secret' \
	"o=bind"
refused "--runtime=runc through the socket refused" \
	'docker run --rm --runtime=runc eci-test true' "--runtime=runc"
refused "--cgroup-parent=/x through the socket refused" \
	'docker run --rm --cgroup-parent=/x eci-test true' "--cgroup-parent=/x"
refused "--device /dev/vda through the socket refused" \
	'docker run --rm --device /dev/vda eci-test true' "eci.assignableDevices"

# Without the proxy the socket is not handed out at all (fail closed).
n="with the proxy stopped, a container asking for the socket fails to start, saying why"
kill "$(cat /run/eci-proxy.pid)" 2>/dev/null
i=0
while [ -S /run/eci/docker-proxy.sock ] && kill -0 "$(cat /run/eci-proxy.pid)" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
rm -f /run/eci/docker-proxy.sock
cli 'echo started'
case $D_OUT in
*"proxy is not running"*) [ "$D_ST" = 125 ] && pass "$n" || fail "$n" "status $D_ST: $D_OUT" ;;
*) fail "$n" "status $D_ST: $(echo "$D_OUT" | tail -n 3)" ;;
esac
/etc/init.d/docker start >/dev/null 2>&1
check "the proxy starts again" test -S /run/eci/docker-proxy.sock

docker rm -f holder lg >/dev/null 2>&1
docker volume rm eci-88 v88 >/dev/null 2>&1
rm -f /tmp/go /tmp/eci-88-logs
eci_defaults
