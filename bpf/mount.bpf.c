// SPDX-License-Identifier: GPL-2.0
/*
 * Mount policy. So far: filesystems that expose global kernel state can't be
 * mounted in a protected container. Everything a container mounts for itself
 * (proc, sysfs, tmpfs, devpts, mqueue, overlay, cgroup2) stays free; what it
 * can write there is the kernel-files policy's business (kernel.bpf.c), and a
 * block-device filesystem needs the device assigned (device.bpf.c).
 *
 * The check sits on sb_set_mnt_opts, which vfs_get_tree() calls once the
 * superblock exists, for mount(2) and for fsconfig(FSCONFIG_CMD_CREATE) alike
 * and for single-instance filesystems (debugfs, securityfs) whose superblock
 * already exists: the filesystem is known by its magic, not by a type string
 * the caller wrote. Bind mounts of such a filesystem mounted elsewhere in the
 * VM make no superblock; the kernel-files policy refuses their files.
 *
 * Not yet here (issue 3): bind-mount sources, the engine socket, immutable
 * initial mounts.
 */
#include "eci.bpf.h"

SEC("lsm/sb_set_mnt_opts")
int BPF_PROG(eci_mount_fs, struct super_block *sb, void *mnt_opts, unsigned long kern_flags,
	     unsigned long *set_kern_flags, int ret)
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
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(sb, s_type, name));
			}));
}
