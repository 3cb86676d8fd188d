#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages eci needs to build, to boot its test VM and to
# run its tests. Idempotent: when everything is there it only asks dpkg.
# usage: scripts/deps.sh [--arm64]
#   --arm64  also what the arm64 build and VM need (make ARCH=arm64): the cross
#            compiler, the libraries for arm64 (dpkg --add-architecture arm64,
#            Debian's multiarch packages) and qemu-system-aarch64; asked only by
#            the arm64 targets, so the default build does without them
set -eu

arm64=0
case ${1:-} in
--arm64) arm64=1 ;;
'') ;;
*) echo "usage: $0 [--arm64]" >&2; exit 2 ;;
esac

pkgs=(
	# build: BPF objects, skeletons, user-space tools
	make gcc libc6-dev clang clang-format llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config
	libjson-c-dev libncurses-dev libmicrohttpd-dev libnl-genl-3-dev libhttp-parser-dev
	# make fuzz: libFuzzer and the sanitizer runtimes for clang
	libclang-rt-dev
	# VM test bed: Debian's kernel packages are fetched with apt-get download
	# (Debian 13's through a private apt configuration, verified with the
	# archive keyring)
	qemu-system-x86 busybox-static runc cpio kmod e2fsprogs xz-utils zstd gzip debian-archive-keyring
	# make install's man pages; the Debian package and its checks (make test-package)
	scdoc man-db groff-base dpkg-dev debhelper lintian
	# the systemd VM: a Debian 12 image from the mirror, its qcow2 overlays
	debootstrap qemu-utils
	# interactive tests; the strict Prometheus parser (python3 from Debian)
	tmux python3 python3-prometheus-client
	# promtool check metrics (the prometheus package's own linter)
	prometheus
	# docker VM: docker.io, containerd and tini are fetched with apt-get
	# download (scripts/vm/engine.sh), not installed; dockerd's libraries come
	# from here; iptables (with its libraries and extensions) is copied onto
	# the engine's disk for the bridge networks of Docker-in-Docker
	libdevmapper1.02.1 libsystemd0 libudev1 iptables
	# podman VM: podman, conmon, crun and catatonit likewise (engine.sh
	# --podman); podman's and crun's own libraries
	libyajl2 libsubid4 libgpgme11
)
if [ $arm64 = 1 ]; then
	pkgs+=(
		gcc-aarch64-linux-gnu libc6-dev-arm64-cross
		libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libjson-c-dev:arm64
		libncurses-dev:arm64 libmicrohttpd-dev:arm64 libnl-genl-3-dev:arm64
		# http_parser's -dev is not co-installable across architectures:
		# the amd64 one gives the header, this the arm64 library
		libhttp-parser2.9:arm64
		# the arm64 VM; its busybox-static and runc are fetched with
		# apt-get download (scripts/vm/kernel.sh), not installed
		qemu-system-arm
	)
fi

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
# Multiarch: arm64 packages next to the amd64 ones, from the same sources.
if [ $arm64 = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
fi
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
