// SPDX-License-Identifier: GPL-2.0
/*
 * Filesystem administration: a protected container administers only the
 * superblocks it created (sb_owner, fstype.bpf.c). A directory the runtime
 * bound in from a VM filesystem (a volume, a shared directory, /etc/hostname
 * from /var/lib/docker/containers/ID) is a handle on the whole VM
 * filesystem: FIFREEZE freezes it for every VM process, EXT4_IOC_SHUTDOWN
 * (and XFS's goingdown, f2fs's shutdown) stops it, FITRIM discards its free
 * space, the resize, label, UUID, fscrypt key and swap_boot ioctls change it,
 * XFS_IOC_OPEN_BY_HANDLE opens any inode of it. Each of those asks for
 * CAP_SYS_ADMIN or CAP_SYS_RESOURCE inside the ioctl, and nothing else in the
 * ioctl is checked against a capability, so no list of commands is kept:
 *
 *   file_ioctl, file_ioctl_compat
 *              record, per task, whether the ioctl's file (a regular file or
 *              directory) lies on a superblock not the container's own, and
 *              in which syscall; any other ioctl clears the record
 *   capable (CAP_SYS_ADMIN, CAP_SYS_RESOURCE, from caps.bpf.c:
 *              eci_fsadmin_capable)
 *              refused inside that same ioctl syscall when the record says
 *              the superblock is not its own: every capability-gated ioctl
 *              of a VM filesystem, whatever its command number
 *              the same for the memory devices (character major 1): every
 *              container's /dev/random and /dev/urandom are the VM's one
 *              pool, so RNDADDENTROPY, RNDADDTOENTCNT, RNDRESEEDCRNG and
 *              RNDZAPENTCNT would credit or reseed the VM's RNG; the
 *              device policy decides which of them it may open at all
 *              and /proc/mtrr, whose MTRRIOC_* ioctls change the VM's
 *              memory types with no check past the open's: refused outright
 *              (every procfs instance shows the same global file)
 *   quotactl   quotactl(2) and quotactl_fd(2), after their capability check,
 *              with the superblock named by device path or fd: the commands
 *              that need CAP_SYS_ADMIN (quota on/off, limits, grace times)
 *              are refused on a superblock not its own; what any VM user
 *              may ask (format, info, sync) stays allowed
 *
 * Map: fs_ioctl (task storage, private). No storage for a foreign file's
 * ioctl means no record: the ioctl is refused (-ENOMEM) rather than let
 * through unjudged.
 */
#include "path.bpf.h"

#define CAP_SYS_RESOURCE 24
/* uapi linux/quota.h: the commands check_quotactl_permission() lets anyone
 * issue. (Q_GETQUOTA of another id needs CAP_SYS_ADMIN, and the hook can't
 * tell whose id it is: refused.) */
#define Q_SYNC 0x800001
#define Q_GETFMT 0x800004
#define Q_GETINFO 0x800005
#define Q_XGETQSTAT 0x5805
#define Q_XQUOTASYNC 0x5807
#define Q_XGETQSTATV 0x5808

struct fs_ioctl {
	__s32 nr; /* the ioctl syscall it was made in */
	__u32 foreign; /* its file's superblock is not the container's */
	__u32 cmd;
	__u32 rdev; /* a memory device's number (sb is 0 then) */
	__u64 sb;
};

/* The memory devices: null, zero, full, random, urandom, kmsg, mem, port. */
#define MEM_MAJOR 1

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fs_ioctl);
} fs_ioctl SEC(".maps");

static __always_inline bool sb_own(const struct eci_container *c, __u64 sb)
{
	__u64 *owner = bpf_map_lookup_elem(&sb_owner, &sb);

	return owner && *owner == c->root_id;
}

/* /proc/mtrr: the file at the root of a procfs instance. */
static __always_inline bool proc_mtrr(struct file *file)
{
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	char name[8] = {};

	if (BPF_CORE_READ(parent, d_parent) != parent)
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name));
	return name_is(name, "mtrr");
}

static __noinline int mtrr_refused(struct file *file, unsigned int cmd)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (!proc_mtrr(file))
		return 0;
	stats = eci_count_call(ECI_HOOK_FS_ADMIN);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_FS_ADMIN, ECI_CLASS_KERNEL, ({
				e->arg[0] = cmd;
				e->arg[1] = ECI_MNT_FS_IOCTL;
				__builtin_memcpy(e->detail, "/proc/mtrr", 11);
			}));
}

/* This syscall's ioctl is on a file not the container's: on superblock sb,
 * or (sb 0) the memory device rdev. */
static __always_inline int note_foreign(struct task_struct *task, unsigned int cmd, __u64 sb,
					__u32 rdev)
{
	struct fs_ioctl *r =
		bpf_task_storage_get(&fs_ioctl, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!r)
		return -ENOMEM;
	r->nr = eci_syscall_nr(task);
	r->foreign = 1;
	r->cmd = cmd;
	r->rdev = rdev;
	r->sb = sb;
	return 0;
}

static __always_inline int note_ioctl(struct file *file, unsigned int cmd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__u32 mode = BPF_CORE_READ(inode, i_mode) & S_IFMT;
	struct eci_container *c;
	struct fs_ioctl *r;
	__u64 cgid, sb;

	/* Device nodes are the device policy's, sockets the network's; an
	 * earlier record of this task must not answer for them. The memory
	 * devices are one for the VM and every container. */
	if (mode == S_IFCHR && (BPF_CORE_READ(inode, i_rdev) >> 20) == MEM_MAJOR) {
		c = eci_current(&cgid);
		return c ? note_foreign(task, cmd, 0, BPF_CORE_READ(inode, i_rdev)) : 0;
	}
	if (mode != S_IFREG && mode != S_IFDIR) {
		r = bpf_task_storage_get(&fs_ioctl, task, 0, 0);
		if (r)
			r->foreign = 0;
		return 0;
	}
	c = eci_current(&cgid);
	if (!c)
		return 0;
	sb = (__u64)BPF_CORE_READ(inode, i_sb);
	if (BPF_CORE_READ(inode, i_sb, s_magic) == PROC_SUPER_MAGIC && mtrr_refused(file, cmd))
		return -EPERM;
	if (sb_own(c, sb)) {
		r = bpf_task_storage_get(&fs_ioctl, task, 0, 0);
		if (r)
			r->foreign = 0;
		return 0;
	}
	return note_foreign(task, cmd, sb, 0);
}

SEC("lsm/file_ioctl")
int BPF_PROG(eci_fsadmin_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg,
	     int ret)
{
	if (ret)
		return ret;
	return note_ioctl(file, cmd);
}

SEC("lsm/file_ioctl_compat")
int BPF_PROG(eci_fsadmin_file_ioctl_compat, struct file *file, unsigned int cmd, unsigned long arg,
	     int ret)
{
	if (ret)
		return ret;
	return note_ioctl(file, cmd);
}

/*
 * Called by the capable program (caps.bpf.c) for CAP_SYS_ADMIN and
 * CAP_SYS_RESOURCE: nonzero refuses. A task that never made an ioctl on a VM
 * filesystem has no storage, which costs one lookup.
 */
__noinline int eci_fsadmin_capable(int cap)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_hook_stats *stats;
	struct eci_container *c;
	struct fs_ioctl *r;
	__u32 cmd, rdev;
	__u64 cgid, sb;

	r = bpf_task_storage_get(&fs_ioctl, task, 0, 0);
	if (!r || !r->foreign)
		return 0;
	if (r->nr != eci_syscall_nr(task))
		return 0;
	stats = eci_count_call(ECI_HOOK_FS_ADMIN);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	cmd = r->cmd;
	sb = r->sb;
	rdev = r->rdev;
	if (!sb)
		return eci_trap(stats, c, cgid, ECI_HOOK_FS_ADMIN, ECI_CLASS_DEVICE, ({
					e->arg[0] = ((__u64)cap << 32) | cmd;
					e->arg[1] = ECI_MNT_SHARED_DEV;
					/* "c 1:N", as the device policy's events name it */
					__builtin_memcpy(e->detail, "c 1:", 4);
					rdev &= 0xfffff;
					if (rdev >= 10) {
						e->detail[4] = '0' + rdev / 10 % 10;
						e->detail[5] = '0' + rdev % 10;
						e->detail[6] = 0;
					} else {
						e->detail[4] = '0' + rdev;
						e->detail[5] = 0;
					}
				}));
	return eci_trap(stats, c, cgid, ECI_HOOK_FS_ADMIN, ECI_CLASS_MOUNT, ({
				e->arg[0] = ((__u64)cap << 32) | cmd;
				e->arg[1] = ECI_MNT_FS_IOCTL;
				bpf_probe_read_kernel_str(
					e->detail, sizeof(e->detail),
					BPF_CORE_READ((struct super_block *)sb, s_type, name));
			}));
}

static __always_inline bool quota_unprivileged(int cmd)
{
	switch (cmd) {
	case Q_SYNC:
	case Q_GETFMT:
	case Q_GETINFO:
	case Q_XGETQSTAT:
	case Q_XQUOTASYNC:
	case Q_XGETQSTATV:
		return true;
	}
	return false;
}

SEC("lsm/quotactl")
int BPF_PROG(eci_fsadmin_quotactl, int cmds, int type, int id, struct super_block *sb, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	/* Q_SYNC of every filesystem has no superblock: it only writes back. */
	if (!sb || quota_unprivileged(cmds))
		return 0;
	stats = eci_count_call(ECI_HOOK_QUOTACTL);
	c = eci_current(&cgid);
	if (!c || sb_own(c, (__u64)sb))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_QUOTACTL, ECI_CLASS_MOUNT, ({
				e->arg[0] = (__u32)cmds;
				e->arg[1] = ECI_MNT_QUOTA;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(sb, s_type, name));
			}));
}
