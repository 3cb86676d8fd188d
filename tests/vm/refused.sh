#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The mediation tests' verdict (36-mediate, 38-mediate-net), sourced after
# lib.sh: an attack that worked unprotected, did nothing protected, failed with
# the expected error and was trapped by the hook that refused it.

eperm() { # the last run failed with EPERM
	case $CTR_OUT in
	*"Operation not permitted"* | *"are you root?"*) return 0 ;;
	esac
	return 1
}

# trapped HOOK [TEXT]: the events since the last drain hold a trap of HOOK
# (whose record holds TEXT, e.g. the device it names).
trapped() { ecictl events | grep "\"hook\":\"$1\"" | grep -qF -- "${2:-}"; }
drain() { ecictl events >/dev/null; }

# ERR: what the refusal prints (default EPERM's words).
ERR=
eperm_or_err() {
	[ -z "$ERR" ] && { eperm; return; }
	# ERR may list alternatives with '|': kernels word the same refusal
	# differently (6.1's verifier "unknown func", 6.12's "cannot use helper").
	_alts=$ERR
	while [ -n "$_alts" ]; do
		case $CTR_OUT in *"${_alts%%|*}"*) return 0 ;; esac
		case $_alts in *'|'*) _alts=${_alts#*|} ;; *) _alts= ;; esac
	done
	return 1
}

# refused NAME HOOK BASELINE EFFECT [TEXT]: the unprotected baseline had its
# effect (BASELINE = ok), the protected run did not (EFFECT = none), failed
# with EPERM and was trapped by HOOK (in a record holding TEXT).
refused() {
	if [ "$3" != ok ]; then
		fail "$1" "without protection the attack did not work: $3"
	elif [ "$4" != none ]; then
		fail "$1" "the protected container did it: $4 ($CTR_OUT)"
	elif [ "$CTR_STATUS" = 0 ] || ! eperm_or_err; then
		fail "$1" "expected ${ERR:-EPERM}, got status $CTR_STATUS: $CTR_OUT"
	elif ! trapped "$2" "${5:-}"; then
		fail "$1" "no $2 trap${5:+ holding $5} reported"
	else
		pass "$1"
	fi
}
