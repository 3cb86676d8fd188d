// SPDX-License-Identifier: GPL-2.0
/*
 * Filesystem types: a protected container doesn't mount the filesystems that
 * are windows on the VM's kernel.
 *
 *   sb_set_mnt_opts  vfs_get_tree() calls it once the superblock exists, for
 *                    mount(2) and fsconfig(FSCONFIG_CMD_CREATE) alike, and for
 *                    single-instance filesystems whose superblock already
 *                    exists: the filesystem is known by its magic, not by a
 *                    type string the caller wrote
 *
 * Refused: eci_kernel_fs() (debugfs, tracefs, securityfs, configfs, pstore,
 * efivarfs, binfmt_misc), bpffs and cgroup v1. No maps of its own. What a
 * container writes in the filesystems it may mount is knobs.bpf.c's; a
 * block-device filesystem needs the device assigned (device.bpf.c).
 */
#include "eci.bpf.h"

SEC("lsm/sb_set_mnt_opts")
int BPF_PROG(eci_fstype_sb_set_mnt_opts, struct super_block *sb, void *mnt_opts,
	     unsigned long kern_flags, unsigned long *set_kern_flags, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	unsigned long magic;
	__u64 cgid;

	if (ret)
		return ret;
	magic = sb->s_magic;
	/* Besides those: bpffs (pins are reached through bpf(), denied anyway)
	 * and cgroup v1 (release_agent, controllers shared with the VM). */
	if (!eci_kernel_fs(magic) && magic != BPF_FS_MAGIC && magic != CGROUP_SUPER_MAGIC)
		return 0;
	stats = eci_count_call(ECI_HOOK_MOUNT_FS);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_MOUNT_FS, ECI_CLASS_MOUNT, ({
				e->arg[0] = magic;
				e->arg[1] = ECI_MNT_FS;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(sb, s_type, name));
			}));
}
