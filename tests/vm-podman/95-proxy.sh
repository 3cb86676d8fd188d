#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Issue 15, item 5, through Podman with crun and runc: a container the
# imageList allows Podman's socket is given eci's API proxy for it (the
# hook's precreate stage rewrites the mount), never the real socket. Podman's
# Docker API answers through it; a command commandList denies, a privileged
# container with a bind of the VM's / and libpod's own API are refused. Each
# refusal is first shown working on the real socket, eci unloaded (the VM
# file read by the container created through it; no network: the test VM has
# no CNI plugins).
. "$(dirname "$0")/lib.sh"

SOCK=/run/podman/podman.sock
PSOCK=/run/eci/podman-proxy.sock
mkdir -p /srv/vmdata && echo vm-secret >/srv/vmdata/secret
tar -C /eci/rootfs -cf - . | podman import -q - eci-psock >/dev/null ||
	fail "socket client image" "podman import of eci-psock failed"
SOCKID=$(full_id eci-psock)
PRIV='{"Image":"eci-test","Cmd":["cat","/host/srv/vmdata/secret"],"HostConfig":{"Privileged":true,"Binds":["/:/host"],"NetworkMode":"none"}}'
# api RUNTIME METHOD URL [BODY]: the request from a container of eci-psock
# given Podman's socket; P_OUT: the status code, then the body.
api() {
	_rt=$1
	shift
	prun --rm --runtime "$_rt" -v $SOCK:$SOCK eci-psock ecitest http $SOCK "$@"
}
code() { printf '%s\n' "$P_OUT" | head -n1; }

# --- without the enforcer (and its hook): the real socket, unfiltered -----------
eci_off
for rt in $RUNTIMES; do
	podman rm -f "eci95-$rt" >/dev/null 2>&1
	nohook api $rt POST "/v1.41/containers/create?name=eci95-$rt" "$PRIV"
	if [ "$(code)" = 201 ]; then
		pm $NOHOOK start -a "eci95-$rt"
		# (Podman may warn first, about its network cache)
		if printf '%s\n' "$P_OUT" | grep -qx vm-secret; then
			eval "base_priv_$rt=ok"
		else
			eval "base_priv_$rt=\"start: \$(printf '%s\n' \"\$P_OUT\" | tail -n1)\""
		fi
	else
		eval "base_priv_$rt=\"create: \$P_OUT\""
	fi
	podman rm -f "eci95-$rt" >/dev/null 2>&1
	nohook api $rt GET /v1.41/volumes
	eval "base_vol_$rt=\$(code)"
	nohook api $rt GET /v4.0.0/libpod/info
	eval "base_libpod_$rt=\$(code)"
done
eci_on

cat >/tmp/eci-95.json <<JSON
{ "enhancedContainerIsolation": { "locked": true, "value": true,
    "dockerSocketMount": { "imageList": { "images": ["sha256:$SOCKID"] },
                           "commandList": { "type": "deny", "commands": ["volume*"] } } } }
JSON
check "settings apply with an imageList and a commandList" ecictl settings apply /tmp/eci-95.json
[ -S $PSOCK ] || fail "the Podman proxy runs" "no socket $PSOCK (log: $(tail -n 3 /var/log/eci-podman-proxy.log 2>&1))"

for rt in $RUNTIMES; do
	n="[$rt] the allowed container's socket is eci's proxy, not Podman's"
	prun --rm --runtime $rt -v $SOCK:$SOCK eci-psock stat -L -c %i $SOCK
	if [ "$P_ST" = 0 ] && [ "$P_OUT" = "$(stat -L -c %i $PSOCK)" ] &&
		[ "$P_OUT" != "$(stat -L -c %i $SOCK)" ]; then
		pass "$n"
	else
		fail "$n" "status $P_ST: $P_OUT (proxy $(stat -L -c %i $PSOCK), engine $(stat -L -c %i $SOCK))"
	fi

	api $rt GET /v1.41/version
	case $(code) in
	200) pass "[$rt] Podman's Docker API answers through the proxy (GET /version)" ;;
	*) fail "[$rt] Podman's Docker API answers through the proxy (GET /version)" "status $P_ST: $P_OUT" ;;
	esac

	n="[$rt] a privileged container with a bind of / is refused by the proxy"
	eval "base=\$base_priv_$rt"
	api $rt POST "/v1.41/containers/create?name=eci95-$rt" "$PRIV"
	if [ "$base" != ok ]; then
		fail "$n" "without eci the container did not read the VM's file: $base"
	elif [ "$(code)" != 403 ] || podman container exists "eci95-$rt"; then
		fail "$n" "status $P_ST: $P_OUT; exists: $(podman container exists "eci95-$rt" && echo yes)"
	else
		pass "$n (it reads the VM's file without eci)"
	fi
	podman rm -f "eci95-$rt" >/dev/null 2>&1

	n="[$rt] a command commandList denies is refused (GET /volumes)"
	eval "base=\$base_vol_$rt"
	api $rt GET /v1.41/volumes
	if [ "$base" != 200 ]; then
		fail "$n" "without eci: $base"
	elif [ "$(code)" = 403 ] && printf '%s\n' "$P_OUT" | grep -q '"message"'; then
		pass "$n (answers without eci)"
	else
		fail "$n" "status $P_ST: $P_OUT"
	fi

	n="[$rt] libpod's own API is refused (GET /libpod/info)"
	eval "base=\$base_libpod_$rt"
	api $rt GET /v4.0.0/libpod/info
	if [ "$base" != 200 ]; then
		fail "$n" "without eci: $base"
	elif [ "$(code)" = 403 ]; then
		pass "$n (answers without eci)"
	else
		fail "$n" "status $P_ST: $(printf '%s\n' "$P_OUT" | head -c 300)"
	fi
done

echo '{}' >/tmp/eci-95.json
ecictl settings apply /tmp/eci-95.json >/dev/null
exit 0
