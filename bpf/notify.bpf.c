// SPDX-License-Identifier: GPL-2.0
/*
 * Notifications: a protected container watches with fanotify only the
 * filesystems it created. A fanotify event carries an fd of the file the
 * event is about, opened by the kernel with no permission check of the
 * listener's, on the path the opener used: a mark on a filesystem the VM
 * bound in (a shared directory, a volume, /etc/hostname from
 * /var/lib/docker/containers/ID) hands over every VM file opened on it, and
 * from a directory fd `..` climbs to the VM's /.
 *
 *   path_notify  fanotify_mark() asks it with the path to be marked, after
 *                its capability check, for inode, mount and filesystem
 *                marks alike: refused unless the path's superblock is in
 *                sb_owner under the caller's root id (fstype.bpf.c)
 *
 * inotify and dnotify come here too; they report names, not files, and stay
 * allowed (the syscall tells them apart: the hook has no caller argument).
 */
#include "eci.bpf.h"

SEC("lsm/path_notify")
int BPF_PROG(eci_notify_path_notify, const struct path *path, __u64 mask, unsigned int obj_type,
	     int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid, sb, *owner;
	long nr;

	if (ret)
		return ret;
	nr = eci_syscall_nr(bpf_get_current_task_btf());
	if (!eci_nr_fanotify_mark(nr))
		return 0;
	stats = eci_count_call(ECI_HOOK_PATH_NOTIFY);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	sb = (__u64)BPF_CORE_READ(path, mnt, mnt_sb);
	owner = bpf_map_lookup_elem(&sb_owner, &sb);
	if (owner && *owner == c->root_id)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_PATH_NOTIFY, ECI_CLASS_MOUNT, ({
				e->arg[0] = obj_type;
				e->arg[1] = ECI_MNT_NOTIFY;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(path, dentry, d_name.name));
			}));
}
