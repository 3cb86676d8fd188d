# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the docker VM tests (busybox sh), on top of the VM suite's own
# (PASS/FAIL lines, check, in_modules...). Source from tests/vm-docker/NN-*.sh:
#   . "$(dirname "$0")/lib.sh"
# The VM booted with the engine: the init script loaded eci, protected the
# cgroup subtree /docker and started dockerd; image eci-test is busybox plus
# /dummy.ko and the test helpers.

. /eci/tests/lib.sh

# drun DOCKER-RUN-ARGS...: docker run; output (stdout+stderr) in $D_OUT,
# status in $D_ST (also returned).
D_OUT=
D_ST=0
drun() {
	D_OUT=$(docker run "$@" 2>&1)
	D_ST=$?
	return $D_ST
}

# dk DOCKER-ARGS...: any docker command, same variables.
dk() {
	D_OUT=$(docker "$@" 2>&1)
	D_ST=$?
	return $D_ST
}

# The enforcer off for a baseline, and back on the way the boot does it
# (load, then the engine's subtree). Running containers are adopted again.
eci_off() { ecictl unload >/dev/null || fail "ecictl unload" "it failed (the baselines below would run protected)"; }
eci_on() {
	/etc/init.d/eci start >/dev/null || return 1
	ecictl subtree add /docker >/dev/null
}

# eci_defaults: the admin settings back to their defaults (an empty file):
# the files share one VM, and a file's settings (imageList, devices) must
# not decide the next file's results.
eci_defaults() {
	echo '{}' >/tmp/eci-defaults.json
	ecictl settings apply /tmp/eci-defaults.json >/dev/null
}

unload_dummy() {
	rmmod dummy 2>/dev/null
	! in_modules dummy
}

# is_eperm: $D_OUT says "Operation not permitted" (busybox mount words it
# "permission denied (are you root?)", runc's errors in lower case).
is_eperm() {
	case $D_OUT in
	*"Operation not permitted"* | *"operation not permitted"* | *"are you root?"*) return 0 ;;
	esac
	return 1
}

# full_id NAME: the container's 64-hex id.
full_id() { docker inspect -f '{{.Id}}' "$1" 2>/dev/null; }

# make_dind_image: image eci-dind, once per boot: the busybox rootfs, the
# engine's files (dockerd, docker, containerd, runc: the VM's own), and the
# rootfs again as /rootfs.tar for an inner engine to import; /var/log for
# the inner dockerd's log (busybox's rootfs has none: without it the inner
# engine never started, which once looked like a hang).
make_dind_image() {
	docker image inspect eci-dind >/dev/null 2>&1 && return 0
	_d=/tmp/dind
	rm -rf $_d
	echo "making eci-dind: copying the engine"
	cp -a /eci/rootfs $_d && cp -a /opt/eci-engine/engine/. $_d/ &&
		mkdir -p $_d/var/log && ln -s /run $_d/var/run && tar -C /eci/rootfs -cf $_d/rootfs.tar . &&
		echo "making eci-dind: docker import" && tar -C $_d -cf - . | docker import - eci-dind >/dev/null
	_st=$?
	rm -rf $_d
	return $_st
}

# make_cli_image: image eci-sock, once per boot: busybox plus the docker CLI
# (a socket client, far cheaper to import than eci-dind).
make_cli_image() {
	docker image inspect eci-sock >/dev/null 2>&1 && return 0
	_d=/tmp/cli
	rm -rf $_d
	# The CLI needs libc and the loader: the engine disk's copies.
	cp -a /eci/rootfs $_d && cp -L /usr/bin/docker $_d/usr/bin/docker &&
		cp -a /opt/eci-engine/engine/usr/lib/. $_d/usr/lib/ &&
		cp -a /opt/eci-engine/engine/usr/lib64/. $_d/usr/lib64/ &&
		tar -C $_d -cf - . | docker import - eci-sock >/dev/null
	_st=$?
	rm -rf $_d
	return $_st
}
