#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# eci-stage: install
#
# The baseline of 25-systemd-ctr, before eci is installed: systemd as PID 1 in
# a privileged container reaches multi-user.target. The units that fail even
# so (what a container can't do whatever eci says) are kept for 25, which
# names every unit that fails only under eci.
. "$(dirname "$0")/lib.sh"

wait_until 120 active docker.service
r=
out=$(sysd_run 2>&1) || r="docker run failed: $out"
[ -z "$r" ] && ! wait_until 300 sysd_target && r="multi-user.target is $(docker exec sysd systemctl is-active multi-user.target 2>&1)"
[ -z "$r" ] && { sysd_failed >"$SYSD_BASE" || r="no list of failed units"; }
verdict "baseline: without eci systemd as PID 1 in a privileged container reaches multi-user.target" "$r"
echo "systemd container without eci: failed: $(tr '\n' ' ' <"$SYSD_BASE" 2>/dev/null)"
docker rm -f sysd >/dev/null 2>&1
exit 0
