#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The eci .deb the systemd VM installs, and a newer one to upgrade to:
#   build/vm/sys/deb/eci_V_amd64.deb          dpkg-buildpackage -us -uc -b of
#                                             this tree (a copy, nocheck)
#   build/vm/sys/deb/newer/eci_V+up1_amd64.deb  the same package as version
#                                             V+up1: an upgrade runs the
#                                             maintainer scripts as any other
# Rebuilt only when a file the package is made of changed since the last build. The
# directory is printed on stdout; messages go to stderr.
# usage: scripts/vm/sysdeb.sh [--from DEB]
#   --from DEB  take DEB (built from this tree as it is now, by
#               tests/host/package.sh) instead of building it again
set -eu
from=
case ${1:-} in
--from) from=$(readlink -f "$2") ;;
'') ;;
*) echo "usage: $0 [--from DEB]" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/vm/sys/deb
log() { echo "sysdeb: $*" >&2; }
cd "$top"
mkdir -p "$out"

# What the package is built from, and its state (content, not mtimes): a
# test or a note changing does not rebuild it.
sum=$(git ls-files -co --exclude-standard -- bpf user vmlinux debian docs/man scripts/systemd \
	scripts/init.d scripts/oci scripts/eci-runc scripts/admin-settings.json Makefile | LC_ALL=C sort |
	xargs -d '\n' sha256sum 2>/dev/null | sha256sum | cut -c1-16)
if [ -z "$from" ] && [ "$(cat "$out/.sum" 2>/dev/null)" = "$sum" ] && ls "$out"/eci_*_amd64.deb >/dev/null 2>&1 &&
	ls "$out"/newer/eci_*_amd64.deb >/dev/null 2>&1; then
	echo "$out"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "$from" ]; then
	cp "$from" "$tmp/"
else
	src=$tmp/eci
	mkdir -p "$src"
	git ls-files -co --exclude-standard | grep -v '^build/' | tar -cf - -T - | tar -xf - -C "$src"
	log "dpkg-buildpackage -us -uc -b (log: build/vm/sys/deb/build.log)"
	t0=$(date +%s)
	if ! (cd "$src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1); then
		grep -E 'error|Error' "$out/build.log" | tail -n 5 >&2
		log "dpkg-buildpackage failed"
		exit 1
	fi
	log "built in $(($(date +%s) - t0)) s"
fi
rm -rf "$out"/*.deb "$out/newer"
mv "$tmp"/eci_*_amd64.deb "$out/"
deb=$(ls "$out"/eci_*_amd64.deb | head -n1)

# The newer version: same files, version V+up1, built with dpkg-deb.
x=$tmp/newer
dpkg-deb -R "$deb" "$x"
v=$(sed -n 's/^Version: //p' "$x/DEBIAN/control")
sed -i "s/^Version: .*/Version: $v+up1/" "$x/DEBIAN/control"
mkdir -p "$out/newer"
dpkg-deb --root-owner-group -Zxz -b "$x" "$out/newer/eci_${v}+up1_amd64.deb" >/dev/null
echo "$sum" >"$out/.sum"
echo "$out"
