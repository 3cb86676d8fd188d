#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch, cache and extract Debian's Docker Engine for the docker test VM:
# docker.io (dockerd, the docker CLI), containerd (and its runc shim) and tini
# (docker-init). runc itself comes from the host's runc package, as for the
# base image. With --podman instead Debian's Podman for the podman test VM:
# podman, conmon, crun, catatonit and the containers-common and
# containers-image configuration (build/vm/podman-engine/root/).
#
# The packages are fetched with `apt-get download` into build/vm/cache and
# extracted, not installed: the build host never runs an engine of its own.
# Result: build/vm/engine/root/ (the extracted packages); its path is printed
# on stdout, messages go to stderr.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/vm/cache
edir=$top/build/vm/engine
PKGS="docker.io containerd tini"
main=usr/sbin/dockerd
if [ "${1:-}" = --podman ]; then
	edir=$top/build/vm/podman-engine
	PKGS="podman conmon crun catatonit golang-github-containers-common golang-github-containers-image"
	main=usr/bin/podman
fi
mkdir -p "$cache"

log() { echo "engine.sh: $*" >&2; }

debs=()
for p in $PKGS; do
	deb=$(ls -t "$cache/${p}"_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		log "downloading $p"
		if ! (cd "$cache" && apt-get -q download "$p" >"$cache/download.log" 2>&1); then
			cat "$cache/download.log" >&2
			log "failed to download the Debian package $p (run apt-get update, or check the network)"
			exit 1
		fi
		deb=$(ls -t "$cache/${p}"_*.deb | head -n1)
	fi
	debs+=("$deb")
done

# Re-extract only when a .deb changed.
want=$(for d in "${debs[@]}"; do basename "$d"; done)
if [ "$(cat "$edir/.debs" 2>/dev/null)" != "$want" ] || [ ! -x "$edir/root/$main" ]; then
	log "extracting $(echo $want)"
	rm -rf "$edir"
	mkdir -p "$edir/root"
	for d in "${debs[@]}"; do dpkg-deb -x "$d" "$edir/root"; done
	[ -x "$edir/root/$main" ] || { log "the packages have no $main"; exit 1; }
	echo "$want" > "$edir/.debs"
fi
echo "$edir"
