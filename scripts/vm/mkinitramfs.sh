#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's base initramfs and its data disk for kernel K (6.1 or
# 6.12: --kernel K, else $KERNEL, else 6.12; scripts/vm/kernel.sh), so the
# kernels' images coexist:
#   build/vm/initramfs-K.cpio.gz busybox, runc, a module subset, the project's
#                                binaries, the VM init, the tests, a container
#                                rootfs (/eci/rootfs)
#   build/vm/disk-K.img          16 MiB+ ext4 (label ecidata) mounted in the VM
#                                at /var/lib/vmdata: boot/vmlinuz-VER, secret,
#                                etc/
# and with --docker also
#   build/vm/docker.img          ext4 (label ecidocker), the Docker Engine's
#                                files and the libraries they need, mounted
#                                read-only at /opt/eci-engine by the VM's init
#                                (a second disk, so the default VM stays small)
# and with --podman also
#   build/vm/podman.img          ext4 (label ecipodman), Podman (podman, conmon,
#                                crun, runc, catatonit), its configuration and
#                                libraries, mounted read-only at
#                                /opt/eci-podman by the VM's init
# Each is rebuilt only when one of its inputs is newer (-f forces).
# With ARCH=arm64 (environment) the same for the arm64 VM under build/arm64/vm,
# from the cross-built build/arm64/{bin,tests-bin} and Debian 12's
# busybox-static, runc and libseccomp2 for arm64, fetched with apt-get
# download into build/vm/cache and unpacked (build/arm64/vm/userland), not
# installed; the libraries the binaries need are the arm64 ones scripts/deps.sh
# --arm64 installed (/usr/lib/aarch64-linux-gnu), found by their ELF NEEDED
# entries since ldd can't run an arm64 program here.
# usage: scripts/vm/mkinitramfs.sh [-f] [--docker] [--podman] [--kernel K]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
arch=${ARCH:-x86}
case $arch in
x86) bdir=$top/build ;;
arm64) bdir=$top/build/arm64 ;;
*) echo "mkinitramfs: unknown ARCH '$arch': choose x86 or arm64" >&2; exit 2 ;;
esac
out=$bdir/vm
force=0 docker=0 podman=0 kernel=${KERNEL:-6.12}
while [ $# -gt 0 ]; do
	case $1 in
	-f) force=1 ;;
	--docker) docker=1 ;;
	--podman) podman=1 ;;
	--kernel) kernel=$2; shift ;;
	*) echo "usage: $0 [-f] [--docker] [--podman] [--kernel 6.1|6.12]" >&2; exit 2 ;;
	esac
	shift
done
initrd=$out/initramfs-$kernel.cpio.gz
disk=$out/disk-$kernel.img
dimg=$out/docker.img
pimg=$out/podman.img

log() { echo "mkinitramfs: $*" >&2; }

if [ "$arch" = arm64 ] && [ "$docker$podman" != 00 ]; then
	log "--docker, --podman: the arm64 VM has no engine disk yet (x86 only)"
	exit 2
fi

kdir=$("$top/scripts/vm/kernel.sh" "$kernel")
kver=$(cat "$kdir/version")
# lib/modules/VER, or usr/lib/modules/VER in a merged-/usr package.
kmods=$(readlink -f "$kdir/modules")

# Modules the VM loads explicitly or through aliases the tests trigger
# (dummy via rtnl-link-dummy, appletalk/psnap/llc via net-pf-5; vsock_loopback
# by 37-mediate-fs, crypto_user by 38-mediate-net, fuse (built in on 6.12) by
# 36-mediate); on x86, where the docker VM runs, what a bridge network with
# iptables (nft backend) needs, as a VM whose engine runs one has them loaded
# (83-dind's inner dockerd).
MODULES="virtio_pci virtio_blk crc32c_generic ext4 overlay loop dummy appletalk psnap llc vsock_loopback crypto_user fuse"
NETMODULES="bridge veth br_netfilter nf_tables nft_compat nft_chain_nat nf_nat nf_conntrack xt_conntrack xt_MASQUERADE xt_addrtype xt_nat xt_tcpudp"
BINS="/usr/bin/busybox /usr/sbin/runc"
busybox=/usr/bin/busybox runc=/usr/sbin/runc
if [ "$arch" = arm64 ]; then
	# The result channel is a virtio console (/dev/hvc0): the virt
	# machine has one UART.
	MODULES="$MODULES virtio_console"
	NETMODULES=
	ul=$out/userland
	BINS="$ul/.debs"
	busybox=$ul/root/bin/busybox runc=$ul/root/usr/sbin/runc
fi

# arm64: busybox-static, runc and runc's libseccomp from Debian 12 for arm64,
# downloaded once (this machine's apt, arm64 added by deps.sh --arm64) and
# unpacked under $ul/root.
fetch_userland() {
	local cache=$top/build/vm/cache p debs=
	mkdir -p "$cache"
	for p in busybox-static runc libseccomp2; do
		f=$(ls -t "$cache/${p}"_*_arm64.deb 2>/dev/null | head -n1 || true)
		if [ -z "$f" ]; then
			log "downloading $p:arm64"
			(cd "$cache" && apt-get -q download "$p:arm64" >"$cache/download.log" 2>&1) ||
				{ cat "$cache/download.log" >&2; log "apt-get download $p:arm64 failed (scripts/deps.sh --arm64 adds the architecture)"; exit 1; }
			f=$(ls -t "$cache/${p}"_*_arm64.deb | head -n1)
		fi
		debs="$debs $f"
	done
	if [ "$(cat "$ul/.debs" 2>/dev/null)" != "$debs" ]; then
		rm -rf "$ul"
		mkdir -p "$ul/root"
		for f in $debs; do dpkg-deb -x "$f" "$ul/root"; done
		echo "$debs" >"$ul/.debs"
	fi
}
[ "$arch" = arm64 ] && fetch_userland

inputs() {
	echo "$kdir/.deb"
	echo "$top/scripts/vm/mkinitramfs.sh" "$top/scripts/vm/init" "$top/scripts/vm/ctr" "$top/scripts/vm/run-all" \
		"$top/scripts/init.d/eci" "$top/scripts/vm/docker-engine" "$top/scripts/eci-runc" \
		"$top/scripts/vm/podman-engine" "$top/scripts/oci/eci-hook.json"
	find "$top/tests/vm" "$top/tests/vm-docker" "$top/tests/vm-podman" "$bdir/bin" "$bdir/tests-bin" -type f 2>/dev/null || true
	echo $BINS
}

# True when $1 is missing or older than an input.
stale() {
	local f
	[ "$force" = 1 ] && return 0
	[ -e "$1" ] || return 0
	for f in $(inputs); do
		[ -e "$f" ] && [ "$f" -nt "$1" ] && return 0
	done
	# A deleted binary or test also changes the image.
	[ "$(inputs | sort | md5sum)" != "$(cat "$1.inputs" 2>/dev/null)" ]
}

# arm64: the libraries arm64 program $1 needs, recursively, as paths on this
# machine: its interpreter and NEEDED entries, looked up where Debian's
# multiarch packages put them (the unpacked userland first).
arm64_libs() {
	local todo=$1 seen=" " f n d p
	while [ -n "$todo" ]; do
		set -- $todo
		f=$1; shift; todo="$*"
		for n in $(aarch64-linux-gnu-readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p') \
			$(aarch64-linux-gnu-readelf -l "$f" 2>/dev/null | sed -n 's/.*interpreter: .*\/\([^]/]*\)\]/\1/p'); do
			case "$seen" in *" $n "*) continue ;; esac
			seen="$seen$n "
			p=
			for d in "$ul/root/usr/lib/aarch64-linux-gnu" "$ul/root/lib/aarch64-linux-gnu" \
				/usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu; do
				[ -e "$d/$n" ] && { p=$d/$n; break; }
			done
			[ -n "$p" ] || { log "$(basename "$f") needs $n: no arm64 copy here (scripts/deps.sh --arm64)"; exit 1; }
			echo "$p"
			todo="$todo $p"
		done
	done
}

# Copy executable $1 to $2 in tree $3 plus the shared libraries ldd lists, at
# their own paths (the tree is merged-/usr so /lib paths resolve).
install_bin() {
	local src=$1 dst=$2 root=$3 lib
	install -D -m 755 "$src" "$root$dst"
	if [ "$arch" = arm64 ]; then
		# The loader where the ELF header names it (/lib -> usr/lib), the
		# rest in the multiarch directory its default path searches.
		for lib in $(arm64_libs "$src"); do
			case $lib in
			*/ld-linux-aarch64.so.1) lib2=/usr/lib/ld-linux-aarch64.so.1 ;;
			*) lib2=/usr/lib/aarch64-linux-gnu/$(basename "$lib") ;;
			esac
			[ -e "$root$lib2" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib2"
		done
		return
	fi
	for lib in $(ldd "$src" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}'); do
		case $lib in /lib/*|/lib64/*) lib2=/usr$lib ;; *) lib2=$lib ;; esac
		[ -e "$root$lib2" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib2"
	done
}

# Merged-/usr skeleton with busybox applets.
skeleton() {
	local root=$1 a
	mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib "$root"/usr/lib64 \
		"$root"/etc "$root"/proc "$root"/sys "$root"/dev "$root"/tmp "$root"/root "$root"/run \
		"$root"/var/tmp "$root"/usr/local/bin
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	chmod 1777 "$root/tmp" "$root/var/tmp"
	install -m 755 "$busybox" "$root/usr/bin/busybox"
	# This machine's busybox names the applets (arm64's can't run here; both
	# are Debian 12's busybox-static, same version and configuration).
	for a in $(/usr/bin/busybox --list-full); do
		case $a in bin/*|sbin/*) a=usr/$a ;; esac
		[ -e "$root/$a" ] || ln -s /usr/bin/busybox "$root/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\n' > "$root/etc/group"
}

# Module names (not paths) $@ plus everything they depend on; built-in ones
# (virtio_pci on 6.12) need no file.
mod_closure() {
	local todo="$*" done=" " m p deps
	while [ -n "$todo" ]; do
		set -- $todo
		m=$1; shift; todo="$*"
		case "$done" in *" $m "*) continue ;; esac
		done="$done$m "
		grep -q "/$m.ko\$" "$kmods/modules.builtin" 2>/dev/null && continue
		p=$(find "$kmods/kernel" -name "$m.ko*" | head -n1)
		[ -n "$p" ] || { log "module $m not in $kver"; exit 1; }
		echo "$p"
		deps=$(modinfo -F depends "$p" | tr , ' ')
		todo="$todo $deps"
	done
}

build_initrd() {
	local root f m rel
	root=$(mktemp -d "$out/initrd.XXXXXX")
	trap 'rm -rf "$root" "$root.cpio.gz"' RETURN
	skeleton "$root"
	ln -sf /usr/bin/busybox "$root/usr/sbin/modprobe"

	install_bin "$runc" /usr/sbin/runc "$root"

	# Modules: the subset plus a depmod over exactly that subset. Stored
	# uncompressed: busybox's modprobe and insmod read neither xz nor zstd
	# (Debian 13 ships .ko.xz), and the tests insmod them by their .ko path.
	for m in $(mod_closure $MODULES $NETMODULES); do
		rel=usr/lib/modules/$kver/${m#"$kmods/"}
		case $m in
		*.ko.xz) mkdir -p "$(dirname "$root/$rel")" && xz -dc "$m" > "$root/${rel%.xz}" ;;
		*.ko.zst) mkdir -p "$(dirname "$root/$rel")" && zstd -qdc "$m" > "$root/${rel%.zst}" ;;
		*) install -D -m 644 "$m" "$root/$rel" ;;
		esac
	done
	cp "$kmods/modules.builtin" "$kmods/modules.order" "$root/usr/lib/modules/$kver/" 2>/dev/null || true
	cp "$kmods/modules.builtin.modinfo" "$root/usr/lib/modules/$kver/" 2>/dev/null || true
	depmod -b "$root/usr" "$kver"

	# Project binaries (dynamic) and static test helpers.
	if [ -d "$bdir/bin" ] && [ -n "$(ls -A "$bdir/bin" 2>/dev/null)" ]; then
		for f in "$bdir"/bin/*; do
			[ -f "$f" ] && [ -x "$f" ] && install_bin "$f" "/usr/sbin/$(basename "$f")" "$root"
		done
	else
		log "warning: ${bdir#"$top/"}/bin is empty: the VM has no ecictl (run make ARCH=$arch)"
	fi
	# ecictl daemon loads libmicrohttpd itself (dlopen), so ldd does not
	# list it: the library and what it needs.
	mhd=/usr/lib/x86_64-linux-gnu/libmicrohttpd.so.12
	[ "$arch" = arm64 ] && mhd=/usr/lib/aarch64-linux-gnu/libmicrohttpd.so.12
	if [ -e "$mhd" ]; then
		install_bin "$(readlink -f "$mhd")" "$mhd" "$root"
	else
		log "warning: no $mhd here: ecictl daemon will not start in the VM (run scripts/deps.sh)"
	fi

	# The container rootfs: busybox only, plus the static test helpers.
	skeleton "$root/eci/rootfs"
	mkdir -p "$root/eci/rootfs/dev/pts" "$root/eci/rootfs/dev/shm" "$root/eci/rootfs/mnt"
	# A real module in every container, so an attack is one line:
	# scripts/eci-vm -- insmod /dummy.ko
	install -m 644 "$root/usr/lib/modules/$kver/kernel/drivers/net/dummy.ko" "$root/eci/rootfs/dummy.ko"
	for f in "$bdir"/tests-bin/*; do
		[ -f "$f" ] || continue
		install -m 755 "$f" "$root/usr/local/bin/"
		install -m 755 "$f" "$root/eci/rootfs/usr/local/bin/"
	done

	install -D -m 755 "$top/scripts/vm/init" "$root/init"
	install -D -m 755 "$top/scripts/vm/ctr" "$root/usr/sbin/eci-ctr"
	install -D -m 755 "$top/scripts/init.d/eci" "$root/etc/init.d/eci"
	install -D -m 755 "$top/scripts/vm/docker-engine" "$root/etc/init.d/docker"
	install -D -m 755 "$top/scripts/eci-runc" "$root/usr/sbin/eci-runc"
	install -D -m 755 "$top/scripts/vm/podman-engine" "$root/etc/init.d/podman"
	# The hook as `make install` puts it (prefix /usr): Podman's hooks.d.
	mkdir -p "$root/usr/share/containers/oci/hooks.d"
	sed 's|@SBINDIR@|/usr/sbin|g' "$top/scripts/oci/eci-hook.json" \
		>"$root/usr/share/containers/oci/hooks.d/eci-hook.json"
	mkdir -p "$root/eci/tests" "$root/eci/run" "$root/var/lib/vmdata" "$root/sys/fs/bpf"
	[ -d "$top/tests/vm" ] && cp -a "$top/tests/vm/." "$root/eci/tests/"
	install -m 755 "$top/scripts/vm/run-all" "$root/eci/tests/run-all"
	# The docker suite, run only in a VM booted with the engine's disk.
	mkdir -p "$root/eci/tests-docker"
	[ -d "$top/tests/vm-docker" ] && cp -a "$top/tests/vm-docker/." "$root/eci/tests-docker/"
	install -m 755 "$top/scripts/vm/run-all" "$root/eci/tests-docker/run-all"
	# The podman suite, run only in a VM booted with Podman's disk.
	mkdir -p "$root/eci/tests-podman"
	[ -d "$top/tests/vm-podman" ] && cp -a "$top/tests/vm-podman/." "$root/eci/tests-podman/"
	install -m 755 "$top/scripts/vm/run-all" "$root/eci/tests-podman/run-all"
	chmod 755 "$root"/eci/tests/* 2>/dev/null || true
	echo eci-vm > "$root/etc/hostname"
	echo "$kver" > "$root/eci/kernel-version"

	# /dev/console lets the kernel give init its stdio; init copes without.
	mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || log "warning: cannot mknod dev/console (not root?)"

	# Build aside and rename: a concurrent eci-vm never sees half an image.
	(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -1 > "$root.cpio.gz"
	mv "$root.cpio.gz" "$initrd"
	inputs | sort | md5sum > "$initrd.inputs"
	log "built $initrd ($(du -h "$initrd" | cut -f1))"
}

build_disk() {
	local d
	d=$(mktemp -d "$out/disk.XXXXXX")
	trap 'rm -rf "$d" "$d.img"' RETURN
	mkdir -p "$d/boot" "$d/etc"
	cp "$kdir/root/boot/vmlinuz-$kver" "$d/boot/"
	cp "$kdir/root/boot/config-$kver" "$d/boot/" 2>/dev/null || true
	echo "eci-vmdata-secret-7f3a9c" > "$d/secret"
	chmod 600 "$d/secret"
	echo "vmdata" > "$d/etc/hostname"
	printf 'root:x:0:0:root:/root:/bin/sh\n' > "$d/etc/passwd"
	# 16 MiB, or what the kernel image needs (arm64's is an uncompressed Image).
	truncate -s $(($(du -sm "$d" | cut -f1) + 16 > 16 ? $(du -sm "$d" | cut -f1) + 16 : 16))M "$d.img"
	mke2fs -q -F -t ext4 -L ecidata -d "$d" "$d.img" >&2
	mv "$d.img" "$disk"
	echo "$kdir/.deb" > "$disk.inputs"
	log "built $disk"
}

# The engine's disk: /engine/usr/... holds dockerd, the docker CLI,
# containerd, its shim, docker-init and runc with their libraries at their own
# paths, so the VM links them into its /usr and a Docker-in-Docker image is
# this tree on top of the busybox rootfs.
build_docker() {
	local edir d f
	edir=$("$top/scripts/vm/engine.sh")
	d=$(mktemp -d "$out/docker.XXXXXX")
	trap 'rm -rf "$d" "$d.img"' RETURN
	for f in usr/sbin/dockerd usr/sbin/docker-proxy usr/bin/docker usr/bin/containerd \
		usr/bin/containerd-shim-runc-v2; do
		install_bin "$edir/root/$f" "/$f" "$d/engine" ||
			{ log "cannot install $f from the engine packages"; exit 1; }
	done
	install -m 755 "$edir/root/usr/bin/tini-static" "$d/engine/usr/bin/docker-init"
	install_bin /usr/sbin/runc /usr/sbin/runc "$d/engine"
	# iptables (nft backend) for an engine with a bridge network: the
	# Debian names dockerd calls, and the extensions it loads by dlopen.
	[ -x /usr/sbin/xtables-nft-multi ] || { log "no /usr/sbin/xtables-nft-multi (run scripts/deps.sh)"; exit 1; }
	install_bin /usr/sbin/xtables-nft-multi /usr/sbin/xtables-nft-multi "$d/engine"
	for f in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
		ln -s xtables-nft-multi "$d/engine/usr/sbin/$f"
	done
	mkdir -p "$d/engine/usr/lib/x86_64-linux-gnu"
	cp -a /usr/lib/x86_64-linux-gnu/xtables "$d/engine/usr/lib/x86_64-linux-gnu/"
	# ldd prints "not found" for a library the host lacks: name it.
	if ldd "$edir/root/usr/sbin/dockerd" | grep -q 'not found'; then
		log "dockerd needs libraries this host lacks: $(ldd "$edir/root/usr/sbin/dockerd" | awk '/not found/{print $1}' | tr '\n' ' ')(run scripts/deps.sh)"
		exit 1
	fi
	truncate -s $(($(du -sm "$d" | cut -f1) + 64))M "$d.img"
	mke2fs -q -F -t ext4 -L ecidocker -d "$d" "$d.img" >&2
	mv "$d.img" "$dimg"
	cat "$edir/.debs" > "$dimg.inputs"
	log "built $dimg ($(du -h --apparent-size "$dimg" | cut -f1))"
}

# Podman's disk: /engine/usr/... holds podman, conmon, crun, catatonit and
# runc (the host's, as in the base image) with their libraries, and
# /engine/etc/containers the configuration of a VM without systemd or a
# network: cgroupfs, no network namespace setup, overlay storage on the VM's
# tmpfs, events in a file.
build_podman() {
	local edir d f
	edir=$("$top/scripts/vm/engine.sh" --podman)
	d=$(mktemp -d "$out/podman.XXXXXX")
	trap 'rm -rf "$d" "$d.img"' RETURN
	for f in usr/bin/podman usr/bin/conmon usr/bin/crun usr/bin/catatonit; do
		install_bin "$edir/root/$f" "/$f" "$d/engine" ||
			{ log "cannot install $f from the podman packages"; exit 1; }
	done
	if ldd "$edir/root/usr/bin/podman" "$edir/root/usr/bin/crun" | grep -q 'not found'; then
		log "podman or crun needs libraries this host lacks: $(ldd "$edir/root/usr/bin/podman" "$edir/root/usr/bin/crun" | awk '/not found/{print $1}' | sort -u | tr '\n' ' ')(run scripts/deps.sh)"
		exit 1
	fi
	mkdir -p "$d/engine/usr/libexec/podman"
	ln -s /usr/bin/catatonit "$d/engine/usr/libexec/podman/catatonit"
	install_bin /usr/sbin/runc /usr/sbin/runc "$d/engine"
	mkdir -p "$d/engine/etc"
	cp -a "$edir/root/etc/containers" "$d/engine/etc/"
	mkdir -p "$d/engine/usr/share"
	cp -a "$edir/root/usr/share/containers" "$d/engine/usr/share/"
	rm -f "$d/engine/etc/containers/libpod.conf"
	cat >"$d/engine/etc/containers/containers.conf" <<-'EOF'
	# The eci test VM: no systemd, no network.
	[containers]
	netns = "none"
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	runtime = "crun"
	EOF
	cat >"$d/engine/etc/containers/storage.conf" <<-'EOF'
	[storage]
	driver = "overlay"
	runroot = "/run/containers/storage"
	graphroot = "/var/lib/containers/storage"
	EOF
	truncate -s $(($(du -sm "$d" | cut -f1) + 32))M "$d.img"
	mke2fs -q -F -t ext4 -L ecipodman -d "$d" "$d.img" >&2
	mv "$d.img" "$pimg"
	cat "$edir/.debs" > "$pimg.inputs"
	log "built $pimg ($(du -h --apparent-size "$pimg" | cut -f1))"
}

mkdir -p "$out"
if stale "$initrd"; then build_initrd; fi
if [ "$podman" = 1 ]; then
	edir=$("$top/scripts/vm/engine.sh" --podman)
	if [ "$force" = 1 ] || [ ! -e "$pimg" ] || [ "$top/scripts/vm/mkinitramfs.sh" -nt "$pimg" ] ||
		[ "$(cat "$edir/.debs")" != "$(cat "$pimg.inputs" 2>/dev/null)" ]; then
		build_podman
	fi
fi
if [ "$docker" = 1 ]; then
	edir=$("$top/scripts/vm/engine.sh")
	if [ "$force" = 1 ] || [ ! -e "$dimg" ] || [ "$top/scripts/vm/mkinitramfs.sh" -nt "$dimg" ] ||
		[ "$(cat "$edir/.debs")" != "$(cat "$dimg.inputs" 2>/dev/null)" ]; then
		build_docker
	fi
fi
if [ "$force" = 1 ] || [ ! -e "$disk" ] || [ "$kdir/.deb" -nt "$disk" ] || [ "$top/scripts/vm/mkinitramfs.sh" -nt "$disk" ]; then
	build_disk
fi
echo "$initrd"
