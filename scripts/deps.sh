#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages eci needs to build, to boot its test VM and to
# run its tests. Idempotent: when everything is there it only asks dpkg.
set -eu

pkgs=(
	# build: BPF objects, skeletons, user-space tools
	make gcc libc6-dev clang clang-format llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config
	libjson-c-dev libncurses-dev libmicrohttpd-dev
	# make fuzz: libFuzzer and the sanitizer runtimes for clang
	libclang-rt-dev
	# VM test bed: Debian's kernel packages are fetched with apt-get download
	# (Debian 13's through a private apt configuration, verified with the
	# archive keyring)
	qemu-system-x86 busybox-static runc cpio kmod e2fsprogs xz-utils zstd gzip debian-archive-keyring
	# interactive tests; the strict Prometheus parser (python3 from Debian)
	tmux python3 python3-prometheus-client
	# docker VM: docker.io, containerd and tini are fetched with apt-get
	# download (scripts/vm/engine.sh), not installed; dockerd's libraries come
	# from here
	libdevmapper1.02.1 libsystemd0 libudev1
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages (${missing[*]}); install them as root: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
