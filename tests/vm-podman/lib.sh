# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the podman VM tests (busybox sh), on top of the VM suite's own
# (PASS/FAIL lines, in_modules...). Source from tests/vm-podman/NN-*.sh:
#   . "$(dirname "$0")/lib.sh"
# The VM booted with Podman: eci loaded, the eci hook in
# /usr/share/containers/oci/hooks.d (the only registration), image eci-test
# (busybox plus /dummy.ko and the test helpers). Each check runs with both
# runtimes, crun (Podman's default here) and runc.

. /eci/tests/lib.sh

RUNTIMES="crun runc"
# Baselines run without eci and without its hook (nohook: an empty hooks
# directory): the hook refuses to let a container start while eci is not
# loaded.
NOHOOK="--hooks-dir /eci/no-hooks"
mkdir -p /eci/no-hooks

# prun PODMAN-RUN-ARGS...: podman run; output (stdout+stderr) in $P_OUT,
# status in $P_ST (also returned). nohook prun ...: the same without the hook.
P_OUT=
P_ST=0
P_GLOBAL=
prun() {
	# shellcheck disable=SC2086 # options are words
	P_OUT=$(podman $P_GLOBAL run "$@" 2>&1)
	P_ST=$?
	return $P_ST
}
nohook() {
	P_GLOBAL=$NOHOOK
	"$@"
	_st=$?
	P_GLOBAL=
	return $_st
}
# pm PODMAN-ARGS...: any podman command, same variables.
pm() {
	P_OUT=$(podman "$@" 2>&1)
	P_ST=$?
	return $P_ST
}

# The enforcer off for a baseline, and back on the way the boot does it
# (load, then Podman's init script adopts what runs unprotected).
eci_off() { ecictl unload >/dev/null; }
eci_on() {
	/etc/init.d/eci start >/dev/null || return 1
	/etc/init.d/podman adopt
}

unload_dummy() {
	rmmod dummy 2>/dev/null
	! in_modules dummy
}

# is_eperm: $P_OUT says "Operation not permitted" (busybox mount words it
# "permission denied (are you root?)", runc's errors in lower case).
is_eperm() {
	case $P_OUT in
	*"Operation not permitted"* | *"operation not permitted"* | *"are you root?"*) return 0 ;;
	esac
	return 1
}

full_id() { podman inspect -f '{{.Id}}' "$1" 2>/dev/null; }
