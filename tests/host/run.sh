#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ecictl on the build machine itself (run under ASan/UBSan): its kernel has
# BPF LSM but refuses LSM program loads, so `load` must fail with one clear
# sentence and leave nothing behind; the other commands must fail cleanly.
set -u
ecictl=${1:?usage: tests/host/run.sh ECICTL}
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
failed=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }
run() { "$ecictl" "$@" >"$out" 2>"$err"; }

if run load; then
	"$ecictl" unload >/dev/null 2>&1
	echo "SKIP host: load refused with one sentence: this kernel accepted the BPF LSM programs"
else
	st=$?
	lines=$(wc -l <"$err")
	if [ "$st" -ne 1 ]; then
		fail "host: load refused with one sentence" "exit status $st"
	elif [ "$lines" -ne 1 ] || grep -q 'libbpf' "$err"; then
		fail "host: load refused with one sentence" "stderr had $lines lines: $(head -c 300 "$err")"
	elif ! grep -Eq 'refused to load the BPF LSM programs|BPF LSM is not active|has no BTF|this kernel lacks' "$err"; then
		fail "host: load refused with one sentence" "unclear message: $(cat "$err")"
	else
		pass "host: load refused with one sentence ($(cat "$err"))"
	fi
	if [ -e /sys/fs/bpf/eci ] || ls -d /sys/fs/bpf/eci-loading-* >/dev/null 2>&1; then
		fail "host: a refused load leaves no pins" "$(ls -d /sys/fs/bpf/eci* 2>&1)"
	else
		pass "host: a refused load leaves no pins"
	fi
fi

if run -v load; then
	"$ecictl" unload >/dev/null 2>&1
	echo "SKIP host: -v shows libbpf's log: this kernel accepted the BPF LSM programs"
elif grep -q '^libbpf: ' "$err"; then
	pass "host: -v shows libbpf's log"
else
	fail "host: -v shows libbpf's log" "no libbpf lines"
fi

run status
st=$?
if [ $st -eq 3 ] && grep -q '^eci: *not loaded' "$out"; then
	pass "host: status says not loaded, exit 3"
else
	fail "host: status says not loaded, exit 3" "exit $st: $(head -c 200 "$out")"
fi

check_err() { # NAME EXPECTED-STATUS PATTERN ARGS...
	local name=$1 want=$2 pat=$3 st
	shift 3
	run "$@"
	st=$?
	if [ $st -eq "$want" ] && [ "$(wc -l <"$err")" -ge 1 ] && grep -q -- "$pat" "$err" &&
		! grep -q 'libbpf' "$err"; then
		pass "$name"
	else
		fail "$name" "exit $st, stderr: $(head -c 200 "$err")"
	fi
}
check_err "host: container add before load names the cause" 1 "not loaded" container add /
check_err "host: container ls before load names the cause" 1 "not loaded" container ls
check_err "host: unknown command is a usage error" 2 "unknown command" frobnicate
check_err "host: container add without CGROUP is a usage error" 2 "takes one CGROUP" container add
check_err "host: unknown container option is a usage error" 2 "bad option" container add --bogus /
check_err "host: load takes no operands" 2 "usage: ecictl load" load extra
check_err "host: options after CGROUP are parsed" 1 "not loaded" container add / --device 'c 1:3 rwm' --name x
check_err "host: a bad device rule is a usage error naming the form" 2 "expected 'TYPE MAJOR:MINOR ACCESS'" \
	container add / --device 'c 1:3 rwx'
check_err "host: events without the daemon says how to start it" 1 "daemon is not running.*systemctl start eci-daemon" events
check_err "host: subtree add before load names the cause" 1 "not loaded" subtree add /
check_err "host: a bad subtree command is a usage error" 2 "usage: ecictl subtree" subtree frob
check_err "host: --device only goes with add" 2 "goes with container add" container rm / --device 'c 1:3 r'
bad=$(mktemp)
printf '{\n  "eci": {\n    "auditMode": tru\n  }\n}\n' >"$bad"
check_err "host: a malformed settings file names line and column" 1 "line 3, column 21" settings apply "$bad"
check_err "host: a missing settings file" 1 "failed to read /nonexistent" settings apply /nonexistent
printf '{"eci": {"protectedSubtrees": ["docker"]}}' >"$bad"
check_err "host: a bad subtree in the settings is named" 1 "eci.protectedSubtrees\[0\]" settings apply "$bad"
# Docker's sample file under a service's empty environment: $HOME and $TMP
# have the VM's meaning (eci-settings(5)), so parsing passes and only the
# missing enforcer stops it.
printf '{"filesharingAllowedDirectories": [{"path": "$HOME", "sharedByDefault": true},\n  {"path": "$TMP", "sharedByDefault": false}]}\n' >"$bad"
if env -i "$ecictl" settings apply "$bad" >"$out" 2>"$err"; then
	fail "host: \$HOME and \$TMP need no environment (env -i)" "applied with no enforcer loaded"
elif grep -q 'not loaded' "$err" && ! grep -q 'HOME\|TMP' "$err"; then
	pass "host: \$HOME and \$TMP need no environment (env -i)"
else
	fail "host: \$HOME and \$TMP need no environment (env -i)" "$(head -c 200 "$err")"
fi
rm -f "$bad"
check_err "host: settings needs a subcommand" 2 "usage: ecictl settings" settings
check_err "host: a bad --image is refused before anything" 1 "not an image reference" container add / --image 'A B'
check_err "host: oci-hook without a state is refused" 1 "not a JSON object" oci-hook
# Podman's precreate with eci not loaded: the configuration comes back with a
# first createRuntime hook that can't run, its path the reason (the one text
# Podman and crun show), eci's own hook kept after it.
pc='{"ociVersion":"1.0.2","hooks":{"createRuntime":[{"path":"/usr/sbin/ecictl"}]},"linux":{"cgroupsPath":"/libpod_parent/libpod-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}'
st=0
printf '%s' "$pc" | "$ecictl" oci-hook precreate >"$out" 2>"$err" || st=$?
if [ $st = 0 ] && grep -q '"createRuntime":\[{"path":"/eci is not loaded[^"]*"},{"path":"/usr/sbin/ecictl"}\]' "$out" &&
	[ ! -e "$(sed -n 's/.*"createRuntime":\[{"path":"\([^"]*\)".*/\1/p' "$out")" ] && grep -q 'not loaded' "$err"; then
	pass "host: oci-hook precreate without eci makes the runtime fail, its path the reason"
else
	fail "host: oci-hook precreate without eci makes the runtime fail, its path the reason" "exit $st: $(head -c 300 "$out") $(head -c 200 "$err")"
fi

if run --help && grep -q 'container add CGROUP' "$out"; then
	pass "host: --help lists the commands"
else
	fail "host: --help lists the commands" "$(head -c 200 "$out")"
fi
# Every command takes -h/--help (its usage on stdout, exit 0), none takes it
# for an operand: `settings apply --help` used to try to read a file "--help".
for c in container "container add" subtree "subtree add" settings "settings apply" \
	"settings check" "settings show" events stats \
	daemon oci-hook load unload status; do
	# shellcheck disable=SC2086
	if run $c --help && [ ! -s "$err" ] && grep -q "^usage: ecictl ${c%% *}" "$out"; then
		pass "host: ecictl $c --help prints its usage"
	else
		fail "host: ecictl $c --help prints its usage" "exit $?, $(head -c 200 "$out" "$err")"
	fi
done
check_err "host: an option where settings apply wants FILE is a usage error" 2 "usage: ecictl settings" \
	settings apply --bogus
check_err "host: a command's unknown option is named by ecictl" 2 "^ecictl: unrecognized option" \
	events --bogus

# settings check: no enforcer needed (none is loaded here), the service's
# empty environment included; exit 1 with one sentence on an error.
samples=$(dirname "$0")/../../scripts/admin-settings.json
if env -i "$ecictl" settings check "$samples" >"$out" 2>"$err" && grep -q 'is valid: ECI on' "$out"; then
	pass "host: settings check accepts Docker's sample without the enforcer (env -i)"
else
	fail "host: settings check accepts Docker's sample without the enforcer (env -i)" "exit $?: $(head -c 300 "$out" "$err")"
fi
bad=$(mktemp)
printf '{"configurationFileVersion": 2,\n "enhancedContainerIsolation": {"value": "yes"}}\n' >"$bad"
run settings check "$bad"
st=$?
if [ $st = 1 ] && [ "$(wc -l <"$err")" = 1 ] && grep -q 'enhancedContainerIsolation.value' "$err" && [ ! -s "$out" ]; then
	pass "host: settings check refuses a bad file with one sentence, exit 1"
else
	fail "host: settings check refuses a bad file with one sentence, exit 1" "exit $st: $(head -c 300 "$err")"
fi
rm -f "$bad"
check_err "host: settings check of a missing file fails" 1 "failed to read" settings check /nonexistent/eci.json

# --json: one document, parsed by python's json, '/' not escaped.
json_ok() { python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if '"$1"' else 1)' <"$out"; }
run status --json
st=$?
if [ $st = 3 ] && json_ok 'd["loaded"] is False and "kernel" in d' && ! grep -qF '\/' "$out"; then
	pass "host: status --json when not loaded: JSON, exit 3"
else
	fail "host: status --json when not loaded: JSON, exit 3" "exit $st: $(head -c 300 "$out" "$err")"
fi
if run settings show -j && json_ok 'd["file"] == "/run/eci/settings.json"' && grep -qF '"/run/eci/settings.json"' "$out"; then
	pass "host: settings show -j: JSON with unescaped slashes"
else
	fail "host: settings show -j: JSON with unescaped slashes" "$(head -c 300 "$out" "$err")"
fi
check_err "host: --json with container add is a usage error" 2 "json goes with container ls and show" \
	container add /x --json

if run --version && grep -Eq '^ecictl \(eci\) [^ ]+$' "$out" && ! grep -q ' unknown$' "$out"; then
	pass "host: --version prints the build's version ($(cat "$out"))"
else
	fail "host: --version prints the build's version" "$(head -c 200 "$out" "$err")"
fi
exit $failed
