#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` and the Debian package, on the build machine (no VM):
#   - make install DESTDIR=... (default PREFIX) lays out every file, with the
#     installed ecictl's path substituted everywhere;
#   - the man pages render without warnings and name every command, option
#     and settings key the code has;
#   - dpkg-buildpackage -us -uc -b builds a .deb from a copy of the tree
#     (DEB_BUILD_OPTIONS=nocheck: the unit tests are their own part), with
#     what the package must hold, and lintian finds no error in it.
# usage: tests/host/package.sh ECICTL ECITOP
set -u
cd "$(dirname "$0")/../.."
ecictl=${1:?usage: tests/host/package.sh ECICTL ECITOP}
ecitop=${2:?usage: tests/host/package.sh ECICTL ECITOP}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }
check() { # NAME WHY-IF-NOT COMMAND...
	local name=$1 why=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}

# --- make install ------------------------------------------------------------
root=$tmp/root
if ! make --no-print-directory -s install DESTDIR="$root" >"$tmp/install.log" 2>&1; then
	fail "install: make install DESTDIR=... succeeds" "$(tail -n3 "$tmp/install.log")"
	exit 1
fi
pass "install: make install DESTDIR=... succeeds"
sbin=/usr/local/sbin
want="$sbin/ecictl $sbin/ecitop $sbin/eci-runc /etc/init.d/eci
/usr/local/lib/systemd/system/eci.service /usr/local/lib/systemd/system/eci-daemon.service
/usr/local/lib/systemd/system/eci-proxy.service /usr/local/lib/systemd/system/eci-podman-proxy.service
/usr/local/lib/systemd/system/docker.service.d/eci.conf
/usr/local/lib/systemd/system/containerd.service.d/eci.conf
/etc/containers/oci/hooks.d/eci-hook.json /usr/local/share/doc/eci/examples/admin-settings.json
/usr/local/share/man/man8/ecictl.8 /usr/local/share/man/man8/ecitop.8
/usr/local/share/man/man8/eci-runc.8 /usr/local/share/man/man5/eci-settings.5"
missing=
for f in $want; do [ -f "$root$f" ] || missing="$missing $f"; done
check "install: every file in place under PREFIX=/usr/local" "missing:$missing" [ -z "$missing" ]
notexec=
for f in $sbin/ecictl $sbin/ecitop $sbin/eci-runc /etc/init.d/eci; do
	[ -x "$root$f" ] || notexec="$notexec $f"
done
check "install: programs and the init script are executable" "not executable:$notexec" [ -z "$notexec" ]
left=$(grep -rl '@SBINDIR@\|@SYSCONFDIR@' "$root" 2>/dev/null)
check "install: no @PLACEHOLDER@ left" "in: ${left#"$root"}" [ -z "$left" ]
# Every absolute ecictl the installed files run is the installed one.
paths=$(grep -rhoE '(/[a-z/]+)?/(ecictl)\b' "$root/etc" "$root/usr/local/lib" "$root$sbin/eci-runc" |
	grep '^/' | sort -u)
check "install: units, hook, init script and eci-runc run $sbin/ecictl" "they name: $paths" \
	[ "$paths" = "$sbin/ecictl" ]
hookpath=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hook"]["path"])' \
	"$root/etc/containers/oci/hooks.d/eci-hook.json" 2>&1)
check "install: the OCI hook is JSON naming $sbin/ecictl" "$hookpath" [ "$hookpath" = "$sbin/ecictl" ]
check "install: the init script and eci-runc parse with sh -n" "syntax error" \
	sh -n "$root/etc/init.d/eci" -a sh -n "$root$sbin/eci-runc"
grep -q '^ExecStop=' "$root/usr/local/lib/systemd/system/eci.service" &&
	fail "install: eci.service stop leaves the enforcer loaded" "it has an ExecStop" ||
	pass "install: eci.service stop leaves the enforcer loaded (no ExecStop)"
dropin=$root/usr/local/lib/systemd/system/docker.service.d/eci.conf
if grep -q '^After=eci.service' "$dropin" && grep -q '^ExecStartPre=.*is-active.*eci.service' "$dropin" &&
	grep -q "^ExecStartPre=.*$sbin/ecictl status" "$dropin"; then
	pass "install: docker.service waits for eci and refuses to start without it"
else
	fail "install: docker.service waits for eci and refuses to start without it" "$(grep -v '^#' "$dropin")"
fi

make --no-print-directory -s uninstall DESTDIR="$root" >/dev/null 2>&1
left=$(find "$root" -type f | sed "s|^$root||")
check "install: make uninstall removes every file" "left:$(echo $left)" [ -z "$left" ]
make --no-print-directory -s install DESTDIR="$root" >/dev/null 2>&1

# --- man pages ------------------------------------------------------------------
for m in man8/ecictl.8 man8/ecitop.8 man8/eci-runc.8 man5/eci-settings.5; do
	f=$root/usr/local/share/man/$m
	out=$(MANWIDTH=80 man --warnings -l "$f" 2>"$tmp/man.err")
	if [ -s "$tmp/man.err" ]; then
		fail "man: ${m#*/} renders without warnings" "$(head -c 300 "$tmp/man.err")"
	elif ! printf '%s\n' "$out" | grep -q '^NAME' || [ "$(printf '%s\n' "$out" | wc -l)" -lt 20 ]; then
		fail "man: ${m#*/} renders without warnings" "$(printf '%s\n' "$out" | head -c 200)"
	else
		pass "man: ${m#*/} renders without warnings"
	fi
	printf '%s\n' "$out" >"$tmp/${m#*/}.txt"
done
# Each command of `ecictl --help` (its first two words) is in ecictl(8).
nodoc=
while read -r cmd; do
	grep -qF -- "$cmd" "$tmp/ecictl.8.txt" || nodoc="$nodoc '$cmd'"
done < <("$ecictl" --help | sed -n '/^commands:/,/^$/p' | grep -E '^  [a-z]' |
	sed -E 's/^  ([a-z-]+( [a-z-]+)?)( .*|$)/\1/' | sort -u)
check "man: ecictl(8) has every command of ecictl --help" "missing:$nodoc" [ -z "$nodoc" ]
nodoc=
for o in $("$ecictl" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	grep -qF -- "$o" "$tmp/ecictl.8.txt" || nodoc="$nodoc $o"
done
check "man: ecictl(8) has every option of ecictl --help" "missing:$nodoc" [ -z "$nodoc" ]
nodoc=
for o in $("$ecitop" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	grep -qF -- "$o" "$tmp/ecitop.8.txt" || nodoc="$nodoc $o"
done
check "man: ecitop(8) has every option of ecitop --help" "missing:$nodoc" [ -z "$nodoc" ]
# Every key the settings parser knows is in eci-settings(5).
nodoc=
for k in $(grep -ohE 'strcmp\((key|k2), "[A-Za-z]+"\)' user/*.c | grep -oE '"[A-Za-z]+"' | tr -d '"' | sort -u); do
	grep -qw -- "$k" "$tmp/eci-settings.5.txt" || nodoc="$nodoc $k"
done
check "man: eci-settings(5) has every key the settings parser knows" "missing:$nodoc" [ -z "$nodoc" ]

# --- the Debian package ---------------------------------------------------------
src=$tmp/pkg/eci
mkdir -p "$src"
git ls-files -co --exclude-standard | grep -v '^build/' | tar -cf - -T - | tar -xf - -C "$src"
start=$(date +%s)
if ! (cd "$src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1); then
	fail "package: dpkg-buildpackage -us -uc -b builds" "$(grep -E 'error|Error' "$tmp/build.log" | tail -n3)"
	exit 1
fi
deb=$(ls "$tmp"/pkg/eci_*_amd64.deb 2>/dev/null | head -n1)
check "package: dpkg-buildpackage -us -uc -b builds a .deb ($(($(date +%s) - start)) s)" "no .deb" [ -n "$deb" ]
[ -n "$deb" ] || exit 1
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\.||' >"$tmp/contents"
missing=
for f in /usr/sbin/ecictl /usr/sbin/ecitop /usr/sbin/eci-runc /etc/init.d/eci /lib/systemd/system/eci.service \
	/lib/systemd/system/eci-daemon.service /lib/systemd/system/eci-proxy.service \
	/lib/systemd/system/eci-podman-proxy.service \
	/lib/systemd/system/docker.service.d/eci.conf \
	/lib/systemd/system/containerd.service.d/eci.conf /usr/share/containers/oci/hooks.d/eci-hook.json \
	/usr/share/man/man8/ecictl.8.gz /usr/share/man/man8/ecitop.8.gz /usr/share/man/man5/eci-settings.5.gz; do
	grep -qx -- "$f" "$tmp/contents" || missing="$missing $f"
done
check "package: the .deb holds the tools, units, drop-ins, init script, hook and man pages" \
	"missing:$missing" [ -z "$missing" ]
dpkg-deb -e "$deb" "$tmp/control"
paths=$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./lib/systemd/system/eci.service ./usr/sbin/eci-runc \
	./usr/share/containers/oci/hooks.d/eci-hook.json | grep -oE '/[a-z/]+/ecictl\b' | sort -u)
check "package: the installed files run /usr/sbin/ecictl" "they name: $paths" [ "$paths" = /usr/sbin/ecictl ]
if grep -q "deb-systemd-invoke \$_dh_action .*'eci.service'" "$tmp/control/postinst" &&
	grep -q '_dh_action=restart' "$tmp/control/postinst" &&
	! grep -qE '^[^#]*(^|[;&|[:space:]])(/usr/sbin/)?ecictl unload' "$tmp/control/prerm" "$tmp/control/postrm" &&
	sh -n "$tmp/control/postinst" && sh -n "$tmp/control/prerm" && sh -n "$tmp/control/postrm"; then
	pass "package: postinst starts (install) and restarts (upgrade) eci.service; prerm never unloads"
else
	fail "package: postinst starts (install) and restarts (upgrade) eci.service; prerm never unloads" \
		"$(grep -n 'eci' "$tmp/control/postinst" "$tmp/control/prerm" | head -c 300)"
fi
# The upgrade path: the new programs replace the running ones (ecictl load
# --replace) before eci.service restarts; tests/vm-systemd/50-nogap.sh runs it.
if awk '/ecictl load --replace/ { r = NR } /#DEBHELPER#|deb-systemd-invoke/ && !d { d = NR }
	END { exit !(r && d && r < d) }' "$tmp/control/postinst"; then
	pass "package: postinst replaces a running enforcer (ecictl load --replace) before restarting eci.service"
else
	fail "package: postinst replaces a running enforcer (ecictl load --replace) before restarting eci.service" \
		"no 'ecictl load --replace' ahead of the restart in postinst"
fi
lintian --no-tag-display-limit "$deb" >"$tmp/lintian" 2>&1
errors=$(grep -c '^E: ' "$tmp/lintian")
warnings=$(grep -c '^W: ' "$tmp/lintian")
check "package: lintian finds no errors ($warnings warnings)" "$(grep '^E: ' "$tmp/lintian" | head -n5)" \
	[ "$errors" -eq 0 ]
# The systemd VM suite installs this .deb: it need not build it again.
scripts/vm/sysdeb.sh --from "$deb" >/dev/null 2>&1 || true
exit $failed
