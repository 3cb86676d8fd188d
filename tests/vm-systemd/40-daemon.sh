#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# eci-stage: main
#
# `ecictl daemon` is its own unit: killed, systemd restarts it
# (Restart=on-failure) and the metrics are served again.
. "$(dirname "$0")/lib.sh"

wait_until 30 metrics_ok
pid=$(systemctl show -p MainPID --value eci-daemon.service)
n0=$(systemctl show -p NRestarts --value eci-daemon.service)
r=
if [ "${pid:-0}" -le 0 ]; then
	r="eci-daemon.service has no main process ($(systemctl is-active eci-daemon.service))"
else
	kill -KILL "$pid"
	newpid() { p=$(systemctl show -p MainPID --value eci-daemon.service); [ "${p:-0}" -gt 0 ] && [ "$p" != "$pid" ]; }
	if ! wait_until 30 newpid; then
		r="not restarted: $(systemctl is-active eci-daemon.service), MainPID $(systemctl show -p MainPID --value eci-daemon.service)"
	elif ! wait_until 30 metrics_ok; then
		r="restarted, but no metrics: $M_OUT"
	fi
fi
verdict "eci-daemon.service restarts after its process is killed and serves metrics again" "$r"
n1=$(systemctl show -p NRestarts --value eci-daemon.service)
r=
[ "${n1:-0}" -gt "${n0:-0}" ] || r="NRestarts $n0 -> $n1"
verdict "systemd counts the daemon's restart (NRestarts)" "$r"
exit 0
