// SPDX-License-Identifier: GPL-2.0
/*
 * Root changes: a protected container's chroot() and pivot_root() can't put
 * its root outside the one it has.
 *
 *   path_chroot    the new root must be at or below the current root
 *   sb_pivotroot   likewise the new root of pivot_root
 *
 * Both hooks see resolved paths, walked up to the caller's root (path.bpf.h);
 * a walk deeper than it can follow answers "outside" (fail closed). No maps
 * of its own. The bind-source policy (bind.bpf.c) relies on this: "the
 * caller's root" stays the container's.
 */
#include "path.bpf.h"

static __always_inline int root_change(const struct path *path, enum eci_hook hook)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_hook_stats *stats = eci_count_call(hook);
	struct eci_container *c;
	__u64 cgid;

	c = eci_current(&cgid);
	if (!c || under_root(task, BPF_CORE_READ(path, mnt), BPF_CORE_READ(path, dentry)))
		return 0;
	return eci_trap(stats, c, cgid, hook, ECI_CLASS_MOUNT, ({
				e->arg[1] = ECI_MNT_ROOT;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(path, dentry, d_name.name));
			}));
}

SEC("lsm/path_chroot")
int BPF_PROG(eci_root_path_chroot, const struct path *path, int ret)
{
	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	return root_change(path, ECI_HOOK_CHROOT);
}

SEC("lsm/sb_pivotroot")
int BPF_PROG(eci_root_sb_pivotroot, const struct path *old_path, const struct path *new_path,
	     int ret)
{
	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	return root_change(new_path, ECI_HOOK_PIVOT_ROOT);
}
