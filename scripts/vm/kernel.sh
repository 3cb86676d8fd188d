#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch, cache and extract a Debian kernel the test VM boots.
# usage: scripts/vm/kernel.sh [6.1|6.12]     (default: $KERNEL, else 6.12)
#   6.1    Debian 12 (bookworm) linux-image-amd64, through this machine's apt
#   6.12   Debian 13 (trixie) linux-image-amd64, through a private apt
#          configuration under build/vm/apt-trixie that adds trixie main from
#          the mirror this machine already uses, for that download only: the
#          machine's sources, lists, cache and dpkg state are not touched
# With ARCH=arm64 (environment) the same for Debian's linux-image-arm64,
# under build/arm64/vm/ (6.1 through this machine's apt with the arm64
# architecture added, scripts/deps.sh --arm64; 6.12 through a private apt
# configuration of its own, build/arm64/vm/apt-trixie, that lists arm64 only).
# The package is resolved at run time from linux-image-amd64 (-arm64) so the
# test bed follows Debian's updates without edits here.  Results, per kernel
# K, under build/vm (x86) or build/arm64/vm (arm64):
#   kernel-K/vmlinuz          the kernel image (bzImage; arm64: gzip'd Image
#                             or an EFI zboot image)
#   kernel-K/vmlinux          x86: the same kernel decompressed (ELF, PVH
#                             entry): qemu boots it ~3 s faster under TCG
#                             than the compressed bzImage
#   kernel-K/Image            arm64: the raw Image qemu's virt machine boots
#                             (it carries the kernel's BTF, which
#                             scripts/gen-vmlinux-h.sh finds there)
#   kernel-K/root/            the extracted package
#   kernel-K/modules          -> root/[usr/]lib/modules/VER (Debian 13 ships
#                             merged-/usr paths)
#   kernel-K/version          VER (the modules directory name)
# The path of kernel-K is printed on stdout; messages go to stderr.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/vm/cache
kernel=${1:-${KERNEL:-6.12}}
mkdir -p "$cache"

log() { echo "kernel.sh: $*" >&2; }

case ${ARCH:-x86} in
x86) debarch=amd64 vm=$top/build/vm ;;
arm64) debarch=arm64 vm=$top/build/arm64/vm ;;
*) log "unknown ARCH '$ARCH': choose x86 or arm64"; exit 2 ;;
esac

case $kernel in
6.1) suite= ;;
6.12) suite=trixie ;;
*) log "unknown kernel '$kernel': choose 6.1 (Debian 12) or 6.12 (Debian 13)"; exit 2 ;;
esac
kdir=$vm/kernel-$kernel

# apt-get with, for a suite other than this machine's, a private sources
# list, lists, cache and empty preferences: only files under build/ change.
apt_opts=()
if [ -n "$suite" ]; then
	priv=$vm/apt-$suite
	mirror=$(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null |
		grep -m1 -E '^https?://[^ ]+/debian/?$' || true)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian/
	mkdir -p "$priv/lists/partial" "$priv/cache/archives/partial" "$priv/etc/preferences.d" \
		"$priv/etc/sources.list.d"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} $suite main" \
		> "$priv/etc/sources.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$priv/etc/sources.list"
		-o "Dir::Etc::sourceparts=$priv/etc/sources.list.d"
		-o "Dir::Etc::preferencesparts=$priv/etc/preferences.d"
		-o "Dir::State::Lists=$priv/lists" -o "Dir::Cache=$priv/cache"
		-o "Dir::State::status=/dev/null" -o "APT::Get::List-Cleanup=0"
		-o "APT::Architecture=$debarch" -o "APT::Architectures::=$debarch")
	# The lists are refreshed once a day at most.
	if [ -z "$(find "$priv/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null)" ]; then
		log "updating the private $suite package lists ($priv)"
		apt-get "${apt_opts[@]}" -q update >"$priv/update.log" 2>&1 ||
			{ cat "$priv/update.log" >&2; log "warning: apt-get update for $suite failed"; }
	fi
fi

# Decompress bzImage $1 into ELF $2: the first xz or zstd stream that yields
# an ELF (Debian 12 compresses with xz, Debian 13 with zstd).
extract_vmlinux() {
	local off magic tool
	for magic in '\xfd7zXZ\x00:xz' '\x28\xb5\x2f\xfd:zstd'; do
		tool=${magic##*:}
		for off in $(LC_ALL=C grep -abo -P "${magic%:*}" "$1" | cut -d: -f1); do
			tail -c +$((off + 1)) "$1" | $tool -dc > "$2" 2>/dev/null
			[ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ] && return 0
		done
	done
	return 1
}

# This machine's apt names a foreign architecture's packages NAME:arm64.
# arm64 vmlinuz $1 into raw Image $2: Debian gzips the Image, or wraps it in
# an EFI zboot image (header "zimg": payload offset and size at 8 and 12,
# compression name at 24), which qemu 7.2 can't boot.
is_image() { [ "$(dd if="$1" bs=1 skip=56 count=4 status=none)" = "ARM"$'\x64' ]; }
extract_image() {
	local off size comp
	if is_image "$1"; then
		cp "$1" "$2"
	elif gzip -t "$1" 2>/dev/null; then
		gzip -dc "$1" >"$2"
	elif [ "$(dd if="$1" bs=1 skip=4 count=4 status=none)" = zimg ]; then
		off=$(od -An -tu4 -j8 -N4 "$1" | tr -d ' ')
		size=$(od -An -tu4 -j12 -N4 "$1" | tr -d ' ')
		comp=$(dd if="$1" bs=1 skip=24 count=8 status=none | tr -d '\0')
		case $comp in
		gzip) tool='gzip -dc' ;;
		zstd|zstd22) tool='zstd -qdc' ;;
		xz) tool='xz -dc' ;;
		lzma) tool='xz --format=lzma -dc' ;;
		*) log "EFI zboot image compressed with '$comp': not handled"; return 1 ;;
		esac
		tail -c +$((off + 1)) "$1" | head -c "$size" | $tool >"$2" 2>/dev/null || true
	fi
	[ -s "$2" ] && is_image "$2"
}

dep=$(apt-cache "${apt_opts[@]+"${apt_opts[@]}"}" depends "linux-image-$debarch:$debarch" 2>/dev/null |
	awk '/Depends: linux-image-/{print $2; exit}' || true)
dep=${dep%:"$debarch"}
case $dep in linux-image-$kernel.[0-9]*-$debarch) ;; *) dep= ;; esac
deb=
if [ -n "$dep" ]; then
	deb=$(ls -t "$cache/${dep}"_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		log "downloading $dep"
		# apt's progress and its "_apt can't access" note are noise in
		# test output; they are shown when the download fails.
		if (cd "$cache" && apt-get "${apt_opts[@]+"${apt_opts[@]}"}" -q download "$dep:$debarch" \
			>"$cache/download.log" 2>&1); then
			deb=$(ls -t "$cache/${dep}"_*.deb | head -n1)
		else
			cat "$cache/download.log" >&2
			log "warning: apt-get download $dep failed"
		fi
	fi
fi
if [ -z "$deb" ]; then
	# No apt metadata (apt-get update never ran) or offline: use the cache.
	deb=$(ls -t "$cache/linux-image-$kernel".[0-9]*_"$debarch".deb 2>/dev/null | head -n1 || true)
	[ -n "$deb" ] || { log "cannot resolve linux-image-$debarch for $kernel (run apt-get update) and no such kernel .deb is cached in $cache"; exit 1; }
	log "warning: linux-image-$debarch for $kernel not resolvable, using cached $(basename "$deb")"
fi

# Re-extract only when the .deb changed.
stamp=$kdir/.deb
if [ "$(cat "$stamp" 2>/dev/null)" != "$(basename "$deb")" ] || [ ! -e "$kdir/vmlinuz" ]; then
	log "extracting $(basename "$deb")"
	rm -rf "$kdir"
	mkdir -p "$kdir/root"
	dpkg-deb -x "$deb" "$kdir/root"
	mods=
	for d in lib/modules usr/lib/modules; do
		[ -d "$kdir/root/$d" ] && [ ! -L "$kdir/root/$d" ] && mods=$d
	done
	ver=$(ls "$kdir/root/$mods" 2>/dev/null | head -n1)
	[ -n "$mods" ] && [ -n "$ver" ] && [ -e "$kdir/root/boot/vmlinuz-$ver" ] ||
		{ log "$(basename "$deb") has no boot/vmlinuz-VER and [usr/]lib/modules/VER"; exit 1; }
	ln -sfn "root/$mods/$ver" "$kdir/modules"
	ln -sf "root/boot/vmlinuz-$ver" "$kdir/vmlinuz"
	echo "$ver" > "$kdir/version"
	if [ $debarch = arm64 ]; then
		extract_image "$kdir/root/boot/vmlinuz-$ver" "$kdir/Image" ||
			{ log "cannot find an arm64 Image in vmlinuz-$ver"; exit 1; }
	else
		extract_vmlinux "$kdir/root/boot/vmlinuz-$ver" "$kdir/vmlinux" ||
			{ log "warning: cannot decompress the bzImage: the VM will boot vmlinuz (slower)"; rm -f "$kdir/vmlinux"; }
	fi
	basename "$deb" > "$stamp"
fi
echo "$kdir"
