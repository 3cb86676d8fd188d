#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the systemd VM's base image: Debian 12 from Debian's mirror with
# debootstrap (scripts/vm/sysimage.packages: systemd, docker.io, ...), the
# test bed's Debian kernel's modules (scripts/vm/kernel.sh), and a unit that
# runs the tests from a second disk at boot. systemd is PID 1; a small
# busybox initramfs only loads the disk and ext4 modules (Debian's kernel has
# them as modules) and switches to the image's /sbin/init. No loop mount:
# the ext4 image is made from a directory with mke2fs -d.
# usage: scripts/vm/sysimage.sh [--kernel 6.1|6.12]   (default $KERNEL, else 6.1)
# Results, under build/vm/sys/:
#   debootstrap-PKEY.tar  the debootstrap tree, PKEY the package list's hash
# and, keyed by KEY, the hash of the package list, this script and the
# kernel's package (rebuilt only when one changes):
#   base-KEY.img        raw ext4 (label ecisysroot), the VM's root filesystem;
#                       runs boot it through a qcow2 overlay, never write it
#   initrd-KEY.cpio.gz  the initramfs
#   vmlinuz-KEY         the kernel (-> kernel-K/vmlinux or vmlinuz)
# KEY is printed on stdout; messages
# go to stderr. The debootstrap downloads are kept in build/vm/cache/debootstrap.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
kernel=${KERNEL:-6.1}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift ;;
	*) echo "usage: $0 [--kernel 6.1|6.12]" >&2; exit 2 ;;
	esac
	shift
done
out=$top/build/vm/sys
pkglist=$top/scripts/vm/sysimage.packages
log() { echo "sysimage: $*" >&2; }

kdir=$("$top/scripts/vm/kernel.sh" "$kernel")
kver=$(cat "$kdir/version")
key=$( (cat "$pkglist" "$0" "$kdir/.deb") | sha256sum | cut -c1-16)
img=$out/base-$key.img initrd=$out/initrd-$key.cpio.gz
mkdir -p "$out"
if [ -e "$img" ] && [ -e "$initrd" ]; then
	echo "$key"
	exit 0
fi

for t in debootstrap mke2fs depmod; do
	command -v $t >/dev/null || { log "$t is missing: run scripts/deps.sh"; exit 1; }
done
[ "$(id -u)" = 0 ] || { log "debootstrap needs root (a chroot and file ownership)"; exit 1; }
# The mirror this machine uses (deb822 or one-line sources), else Debian's.
mirror=$(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null |
	grep -m1 -E '^https?://[^ ]+/debian/?$' || true)
mirror=${mirror:-http://deb.debian.org/debian/}
pkgs=$(grep -v '^#' "$pkglist" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')

work=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
# Stage 1, the slow one: debootstrap, cached by the package list's hash alone,
# so a change below rebuilds the image in a minute or two.
pkey=$(sha256sum "$pkglist" | cut -c1-16)
dtar=$out/debootstrap-$pkey.tar
if [ ! -e "$dtar" ]; then
	mkdir -p "$top/build/vm/cache/debootstrap"
	log "debootstrap bookworm from $mirror (log: build/vm/sys/debootstrap.log)"
	t0=$(date +%s)
	if ! debootstrap --variant=minbase --include="$pkgs" --cache-dir="$top/build/vm/cache/debootstrap" \
		bookworm "$root" "$mirror" >"$out/debootstrap.log" 2>&1; then
		tail -n 20 "$out/debootstrap.log" >&2
		log "debootstrap failed (whole log in build/vm/sys/debootstrap.log)"
		exit 1
	fi
	log "debootstrap took $(($(date +%s) - t0)) s"
	rm -f "$root"/var/cache/apt/archives/*.deb
	tar -C "$root" --numeric-owner -cf "$dtar.tmp" . && mv "$dtar.tmp" "$dtar"
	find "$out" -maxdepth 1 -name 'debootstrap-*.tar' ! -name "debootstrap-$pkey.tar" -delete
else
	mkdir -p "$root"
	tar -C "$root" --numeric-owner -xf "$dtar"
fi

# ---- configuration -----------------------------------------------------------
echo eci-sysvm >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\teci-sysvm\n' >"$root/etc/hosts"
printf 'LABEL=ecisysroot / ext4 rw,errors=remount-ro 0 1\n' >"$root/etc/fstab"
: >"$root/etc/machine-id"
# No root password: the console is a test bed's, and nothing listens outside.
chroot "$root" passwd -d root >/dev/null
# Timers and services a test VM has no use for, which cost boot time under TCG.
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
	fstrim.timer dpkg-db-backup.timer systemd-timesyncd.service; do
	chroot "$root" systemctl disable "$u" >/dev/null 2>&1 || true
done
chroot "$root" systemctl mask getty@tty1.service serial-getty@ttyS1.service >/dev/null 2>&1
# ttyS1 is the tests' result channel: no getty there.
mkdir -p "$root/etc/systemd/system.conf.d"
printf '[Manager]\nShowStatus=yes\nDefaultTimeoutStartSec=300\n' \
	>"$root/etc/systemd/system.conf.d/eci-test.conf"
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=persistent\n' >"$root/etc/systemd/journald.conf.d/eci-test.conf"

# The test runner: the second disk (label ecisystest) holds the tests and the
# packages under test; its run-stage script reports on ttyS1 and powers off.
cat >"$root/etc/systemd/system/eci-test.service" <<'EOF'
[Unit]
Description=eci systemd VM tests (second disk)
After=multi-user.target eci.service eci-daemon.service docker.service containerd.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'mkdir -p /eci && mount -o ro LABEL=ecisystest /eci && exec /eci/run-stage'
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
EOF
# The unit is ordered after multi-user.target; a wanted unit can't be, so
# the target that pulls it in is a graphical.target-like one of its own.
mkdir -p "$root/etc/systemd/system/eci-test.target.wants"
cat >"$root/etc/systemd/system/eci-test.target" <<'EOF'
[Unit]
Description=eci systemd VM tests
Requires=multi-user.target
After=multi-user.target
AllowIsolate=yes
EOF
ln -sf ../eci-test.service "$root/etc/systemd/system/eci-test.target.wants/eci-test.service"
ln -sf eci-test.target "$root/etc/systemd/system/default.target"

# The kernel's modules (dummy.ko is the tests' module to load).
kmods=$(readlink -f "$kdir/modules")
mkdir -p "$root/usr/lib/modules"
cp -a "$kmods" "$root/usr/lib/modules/$kver"
depmod -b "$root" "$kver" 2>/dev/null || depmod -b "$root/usr" "$kver"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*_Packages

# ---- the root filesystem image -------------------------------------------------
# Room for Docker's images, the packages under test and the journal.
size=$(($(du -sm "$root" | cut -f1) + 1536))
truncate -s "${size}M" "$work/base.img"
mke2fs -q -F -t ext4 -L ecisysroot -d "$root" "$work/base.img" >&2
log "root filesystem: ${size} MiB ($(du -sh "$work/base.img" | cut -f1) used)"

# ---- the initramfs: mount the root, switch to systemd -----------------------
ird=$work/initrd
mkdir -p "$ird/bin" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/root" "$ird/mods"
install -m 755 /usr/bin/busybox "$ird/bin/busybox"
for a in sh mount umount insmod switch_root sleep cat echo mkdir; do ln -s busybox "$ird/bin/$a"; done
# Modules in load order: each one's dependencies first.
order=
add_mod() {
	local m=$1 p d
	case " $order " in *" $m "*) return ;; esac
	grep -q "/$m.ko\$" "$kmods/modules.builtin" 2>/dev/null && return
	p=$(find "$kmods/kernel" -name "$m.ko*" | head -n1)
	[ -n "$p" ] || { log "module $m not in $kver"; exit 1; }
	for d in $(modinfo -F depends "$p" | tr , ' '); do add_mod "$d"; done
	case $p in
	*.ko.xz) xz -dc "$p" >"$ird/mods/$m.ko" ;;
	*.ko.zst) zstd -qdc "$p" >"$ird/mods/$m.ko" ;;
	*) cp "$p" "$ird/mods/$m.ko" ;;
	esac
	order="$order $m"
}
for m in virtio_pci virtio_blk crc32c_generic ext4; do add_mod "$m"; done
echo "$order" >"$ird/mods/order"
cat >"$ird/init" <<'EOF'
#!/bin/sh
# Load the disk and ext4 modules, mount the root, hand over to systemd.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /mods/order); do insmod /mods/$m.ko; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 -o rw /dev/vda /root || { echo "initrd: cannot mount /dev/vda"; sleep 5; exit 1; }
umount /sys /proc
mount --move /dev /root/dev
exec switch_root /root /sbin/init
EOF
chmod 755 "$ird/init"
(cd "$ird" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$work/initrd.cpio.gz"

mv "$work/initrd.cpio.gz" "$initrd"
mv "$work/base.img" "$img"
kimg=$kdir/vmlinux
[ -e "$kimg" ] || kimg=$kdir/vmlinuz
ln -sf "$kimg" "$out/vmlinuz-$key"
# Older images of other package lists are dropped: each is a GiB or more.
find "$out" -maxdepth 1 \( -name 'base-*.img' -o -name 'initrd-*.cpio.gz' -o -name 'vmlinuz-*' \) \
	! -name "*-$key*" -delete
log "built $img"
echo "$key"
