#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# eci-stage: main
#
# No moment without enforcement: a protected privileged container tries to
# load a module in a loop, logging each attempt, while eci.service is
# restarted, stopped (and started) and the package is upgraded to a newer
# version with dpkg. Not one attempt may succeed, attempts must have been
# made during each action, and the registrations must be the same after it.
# Last, the enforcer is unloaded on purpose: the loop's next attempt
# succeeds, so the check can fail.
. "$(dirname "$0")/lib.sh"

unload_dummy
docker rm -f looper >/dev/null 2>&1
docker run -d --privileged --name looper -v looplog:/log eci-test sh -c \
	'while :; do if insmod /dummy.ko 2>/dev/null; then echo LOADED; rmmod dummy; else echo denied; fi >>/log/l; done' \
	>/dev/null
L=$(vol looplog)/l
tries() { wc -l <"$L" 2>/dev/null || echo 0; }
loaded() { grep -c LOADED "$L" 2>/dev/null; }
wait_until 60 sh -c "[ \$(wc -l <$L) -ge 5 ]"
regs() { ecictl container ls 2>&1 | sort; }

# during NAME COMMAND...: the command, with the loop attacking throughout.
during() {
	_name=$1
	shift
	_r0=$(regs)
	_n0=$(tries)
	_out=$("$@" 2>&1)
	_st=$?
	_n1=$(tries)
	# A few attempts after the action too: the state it left.
	_want=$((_n1 + 5))
	wait_until 60 sh -c "[ \$(wc -l <$L) -ge $_want ]"
	_r1=$(regs)
	r=
	[ $_st = 0 ] || r="'$*' exited with $_st: $(printf '%s\n' "$_out" | tail -n2 | tr '\n' ' ')"
	[ "$(loaded)" = 0 ] && ! in_modules dummy ||
		r="$r; an attempt succeeded ($(loaded) of $(tries))"
	[ "$_n1" -gt "$_n0" ] || r="$r; no attempt during the action ($_n0 -> $_n1)"
	[ "$(tries)" -ge "$_want" ] || r="$r; the loop stopped after the action ($(tries) attempts)"
	[ -n "$_r1" ] && [ "$_r0" = "$_r1" ] ||
		r="$r; registrations changed: [$(echo "$_r0" | tr '\n' ' ')] -> [$(echo "$_r1" | tr '\n' ' ')]"
	verdict "$_name: no attempt of a looping attack succeeds, $((_n1 - _n0)) during it; registrations kept" "$r"
}

during "systemctl restart eci" systemctl restart eci.service
during "systemctl stop eci" systemctl stop eci.service
r=
ecictl status >/dev/null 2>&1 || r="ecictl status: $(ecictl status 2>&1 | tail -n1)"
verdict "after systemctl stop eci the enforcer is still loaded" "$r"
during "systemctl start eci (after stop)" systemctl start eci.service

old=$(dpkg-query -W -f '${Version}' eci)
during "package upgrade (dpkg -i a newer eci .deb)" dpkg -i /eci/debs/newer/eci_*_amd64.deb
new=$(dpkg-query -W -f '${Version}' eci)
r=
[ "$new" != "$old" ] && active eci.service && active docker.service ||
	r="version $old -> $new, eci.service $(systemctl is-active eci.service), docker $(systemctl is-active docker.service)"
verdict "the upgrade to $new leaves eci.service and docker.service active" "$r"

# The baseline: without the enforcer, the same loop succeeds.
ecictl unload >/dev/null 2>&1
r=
wait_until 60 sh -c "grep -q LOADED $L" || r="no LOADED line 60 s after ecictl unload ($(tries) attempts)"
verdict "baseline: after ecictl unload the looping attack succeeds (the checks above can fail)" "$r"
docker rm -f looper >/dev/null 2>&1
unload_dummy
systemctl restart eci.service
exit 0
