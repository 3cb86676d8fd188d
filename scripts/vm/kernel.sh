#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch, cache and extract the Debian kernel the test VM boots.
#
# The package is resolved at run time from linux-image-amd64 so the test bed
# follows Debian's security updates without edits here.  Results:
#   build/vm/kernel/vmlinuz            the kernel image (bzImage)
#   build/vm/kernel/vmlinux            the same kernel decompressed (ELF, PVH
#                                      entry): qemu boots it ~3 s faster under
#                                      TCG than the xz bzImage
#   build/vm/kernel/root/              the extracted package (lib/modules/VER/...)
#   build/vm/kernel/version            VER (the modules directory name)
# The path of build/vm/kernel is printed on stdout; messages go to stderr.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/vm/cache
kdir=$top/build/vm/kernel
mkdir -p "$cache"

log() { echo "kernel.sh: $*" >&2; }

# Decompress bzImage $1 into ELF $2: the first xz stream that yields an ELF.
extract_vmlinux() {
	local off
	for off in $(LC_ALL=C grep -abo -P '\xfd7zXZ\x00' "$1" | cut -d: -f1); do
		tail -c +$((off + 1)) "$1" | xz -dc > "$2" 2>/dev/null
		[ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ] && return 0
	done
	return 1
}

dep=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}' || true)
deb=
if [ -n "$dep" ]; then
	deb=$(ls -t "$cache/${dep}"_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		log "downloading $dep"
		# apt's progress and its "_apt can't access" note are noise in
		# test output; they are shown when the download fails.
		if (cd "$cache" && apt-get -q download "$dep" >"$cache/download.log" 2>&1); then
			deb=$(ls -t "$cache/${dep}"_*.deb | head -n1)
		else
			cat "$cache/download.log" >&2
			log "warning: apt-get download $dep failed"
		fi
	fi
fi
if [ -z "$deb" ]; then
	# No apt metadata (apt-get update never ran) or offline: use the cache.
	deb=$(ls -t "$cache"/linux-image-*.deb 2>/dev/null | head -n1 || true)
	[ -n "$deb" ] || { log "cannot resolve linux-image-amd64 (run apt-get update) and no kernel .deb is cached in $cache"; exit 1; }
	log "warning: linux-image-amd64 not resolvable, using cached $(basename "$deb")"
fi

# Re-extract only when the .deb changed.
stamp=$kdir/.deb
if [ "$(cat "$stamp" 2>/dev/null)" != "$(basename "$deb")" ] || [ ! -e "$kdir/vmlinuz" ]; then
	log "extracting $(basename "$deb")"
	rm -rf "$kdir"
	mkdir -p "$kdir/root"
	dpkg-deb -x "$deb" "$kdir/root"
	ver=$(ls "$kdir/root/lib/modules" | head -n1)
	[ -n "$ver" ] && [ -e "$kdir/root/boot/vmlinuz-$ver" ] || { log "$(basename "$deb") has no boot/vmlinuz-VER"; exit 1; }
	ln -sf "root/boot/vmlinuz-$ver" "$kdir/vmlinuz"
	echo "$ver" > "$kdir/version"
	extract_vmlinux "$kdir/root/boot/vmlinuz-$ver" "$kdir/vmlinux" ||
		{ log "warning: cannot decompress the bzImage: the VM will boot vmlinuz (slower)"; rm -f "$kdir/vmlinux"; }
	basename "$deb" > "$stamp"
fi
echo "$kdir"
