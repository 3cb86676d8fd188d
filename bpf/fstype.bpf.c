// SPDX-License-Identifier: GPL-2.0
/*
 * Filesystem types and superblocks: a protected container mounts only the
 * filesystem types that are its own, and changes the options only of the
 * superblocks it created.
 *
 *   sb_alloc_security  records a superblock a protected task creates
 *                      (sb_owner: superblock -> root id). sget_fc() looks
 *                      for an existing superblock before it allocates, so a
 *                      shared one (the VM's devtmpfs, fusectl, its proc or
 *                      sysfs under --pid/--net=host) is never recorded. A full
 *                      map fails the mount: an unrecorded superblock of the
 *                      container's would be taken for the VM's
 *   sb_free_security   drops the record, whoever frees it
 *   sb_set_mnt_opts    vfs_get_tree() calls it once the superblock exists, for
 *                      mount(2) and fsconfig(FSCONFIG_CMD_CREATE) alike: the
 *                      type is judged by its registered name (devtmpfs has
 *                      tmpfs's magic), against an allowlist
 *   sb_remount         every reconfiguration of a live superblock (mount
 *                      MS_REMOUNT without MS_BIND, fsconfig
 *                      FSCONFIG_CMD_RECONFIGURE, and the reconfigure_single()
 *                      that devtmpfs, debugfs, tracefs and pstore do when
 *                      mounted again): refused on a superblock not in
 *                      sb_owner under the caller's root id, so no option
 *                      (size=, mode=, ro) of a VM filesystem changes
 *
 * Allowed types: fs_allowed(). Everything else is refused: devtmpfs (the VM's
 * /dev), fusectl (the VM's FUSE connections), virtiofs and 9p (the host's
 * shares), the kernel filesystems (debugfs, tracefs, securityfs, configfs,
 * pstore, efivarfs, binfmt_misc), bpffs, cgroup v1, resctrl, network
 * filesystems. Filesystems on a block device are the device policy's
 * (device.bpf.c: the device must be assigned). What a container writes in
 * the filesystems it may mount is knobs.bpf.c's.
 */
#include "path.bpf.h"

#define FS_REQUIRES_DEV 1

/* Types whose every superblock a container mounts is its own, or a
 * namespaced view the other policies judge (proc and sysfs: knobs.bpf.c;
 * cgroup2: its own cgroups). fuse needs /dev/fuse, a device the device
 * policy gates. */
static __always_inline bool fs_allowed(const char *n)
{
	return name_is(n, "tmpfs") || name_is(n, "ramfs") || name_is(n, "overlay") ||
	       name_is(n, "devpts") || name_is(n, "mqueue") || name_is(n, "proc") ||
	       name_is(n, "sysfs") || name_is(n, "cgroup2") || name_is(n, "fuse") ||
	       name_is(n, "hugetlbfs") || name_is(n, "binder");
}

SEC("lsm/sb_alloc_security")
int BPF_PROG(eci_fstype_sb_alloc_security, struct super_block *sb, int ret)
{
	struct eci_container *c;
	__u64 cgid, key = (__u64)sb;

	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	c = eci_current(&cgid);
	if (!c)
		return 0;
	if (bpf_map_update_elem(&sb_owner, &key, &c->root_id, BPF_ANY))
		return -ENOMEM;
	return 0;
}

SEC("lsm/sb_free_security")
int BPF_PROG(eci_fstype_sb_free_security, struct super_block *sb)
{
	__u64 key = (__u64)sb;

	bpf_map_delete_elem(&sb_owner, &key);
	return 0;
}

SEC("lsm/sb_set_mnt_opts")
int BPF_PROG(eci_fstype_sb_set_mnt_opts, struct super_block *sb, void *mnt_opts,
	     unsigned long kern_flags, unsigned long *set_kern_flags, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	char name[NAME_LEN] = {};
	__u64 cgid;

	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	stats = eci_count_call(ECI_HOOK_MOUNT_FS);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	if (BPF_CORE_READ(sb, s_type, fs_flags) & FS_REQUIRES_DEV)
		return 0;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(sb, s_type, name));
	if (fs_allowed(name))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_MOUNT_FS, ECI_CLASS_MOUNT, ({
				e->arg[0] = BPF_CORE_READ(sb, s_magic);
				e->arg[1] = ECI_MNT_FS;
				__builtin_memcpy(e->detail, name, sizeof(name));
			}));
}

SEC("lsm/sb_remount")
int BPF_PROG(eci_fstype_sb_remount, struct super_block *sb, void *mnt_opts, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid, key = (__u64)sb, *owner;

	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	stats = eci_count_call(ECI_HOOK_SB_REMOUNT);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	owner = bpf_map_lookup_elem(&sb_owner, &key);
	if (owner && *owner == c->root_id)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_SB_REMOUNT, ECI_CLASS_MOUNT, ({
				e->arg[0] = BPF_CORE_READ(sb, s_magic);
				e->arg[1] = ECI_MNT_FOREIGN_SB;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(sb, s_type, name));
			}));
}
