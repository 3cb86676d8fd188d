// SPDX-License-Identifier: GPL-2.0
/*
 * Device policy: a protected container may see every device node, but opens
 * and creates only those its rules allow, by type and major:minor (never by
 * path, so a renamed or freshly made node is the same device). Rules are the
 * defaults every protected container gets (root id ECI_DEV_DEFAULTS: null,
 * zero, full, random, urandom, tty, console, ptmx, pts) plus what the runtime
 * assigned to the container.
 *
 * Routes to a device and their hook:
 *   open, openat, open_by_handle_at  -> file_open
 *   a device fd passed over SCM_RIGHTS or pidfd_getfd -> file_receive
 *   mknod                             -> inode_mknod
 *   mount of a block-device filesystem -> sb_set_mnt_opts (vfs_get_tree calls
 *                                     it once the superblock and its s_bdev
 *                                     exist, for mount(2) and fsconfig alike;
 *                                     the bdev itself is opened with no hook)
 * O_PATH opens, stat and access(F_OK) never reach file_open and stay allowed.
 * A loop device needs /dev/loop-control and /dev/loopN: devices like any other.
 *
 * Map: dev_rules (type, major:minor, root id -> access), filled by ecictl. Fail closed: a device with no rule is refused.
 *
 * The programs on file_open and file_receive also run the kernel-files
 * policy's checks (knobs.bpf.h): one program per hook, one trampoline entry.
 */
#include "knobs.bpf.h"

/* Access bits granted to (type, major, minor) for one root id: exact rule,
 * then major:*, then *:*. */
static __always_inline __u32 granted_for(__u64 root, __u32 type, __u32 major, __u32 minor)
{
	struct eci_dev_key k = { .root_id = root, .type = type, .major = major, .minor = minor };
	__u32 acc = 0, *v;

	v = bpf_map_lookup_elem(&dev_rules, &k);
	if (v)
		acc |= *v;
	k.minor = ECI_DEV_ANY;
	v = bpf_map_lookup_elem(&dev_rules, &k);
	if (v)
		acc |= *v;
	k.major = ECI_DEV_ANY;
	v = bpf_map_lookup_elem(&dev_rules, &k);
	if (v)
		acc |= *v;
	return acc;
}

static __always_inline bool dev_allowed(const struct eci_container *c, __u32 type, dev_t dev,
					__u32 want)
{
	/* Kernel dev_t: 12 bits of major above 20 bits of minor. */
	__u32 major = dev >> 20, minor = dev & ((1U << 20) - 1);
	__u32 acc;

	/* Defaults first: /dev/null and friends are most of what containers open. */
	acc = granted_for(ECI_DEV_DEFAULTS, type, major, minor);
	if ((acc & want) == want)
		return true;
	acc |= granted_for(c->root_id, type, major, minor);
	return (acc & want) == want;
}

static __always_inline __u32 dev_type(umode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFCHR:
		return ECI_DEV_CHAR;
	case S_IFBLK:
		return ECI_DEV_BLOCK;
	}
	return 0;
}

static __always_inline __u32 open_access(struct file *file)
{
	fmode_t fm = BPF_CORE_READ(file, f_mode);
	__u32 want = 0;

	if (fm & FMODE_READ)
		want |= ECI_DEV_READ;
	if (fm & FMODE_WRITE)
		want |= ECI_DEV_WRITE;
	/* Mode 3 opens (neither read nor write) still allow ioctls. */
	return want ? want : ECI_DEV_READ;
}

static __always_inline int check_device(struct file *file, struct inode *inode, __u32 type,
					enum eci_hook hook)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u32 want;
	dev_t rdev;
	__u64 cgid;

	stats = eci_count_call(hook);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	rdev = BPF_CORE_READ(inode, i_rdev);
	want = open_access(file);
	if (dev_allowed(c, type, rdev, want))
		return 0;
	return eci_trap(stats, c, cgid, hook, ECI_CLASS_DEVICE, ({
				e->arg[0] = ((__u64)type << 32) | want;
				e->arg[1] = rdev;
				bpf_d_path(&file->f_path, e->detail, sizeof(e->detail));
			}));
}

/* Character (0020000) and block (0060000) nodes are the only types whose
 * S_IFMT bits masked with 0130000 leave 0020000: one test where dev_type()
 * takes two. */
static __always_inline bool is_device(umode_t mode)
{
	return (mode & 0130000) == 0020000;
}

/*
 * One program per hook for the two policies that judge a file: this one,
 * then the kernel-files policy (knobs.bpf.h), in the order their programs
 * ran when they were two. Every open in the VM comes here (and each program
 * on a hook costs a trampoline entry and exit), and almost none is of a
 * device node or on a kernel filesystem: f_inode, then i_mode and
 * i_sb->s_magic, one test on the mode and knobs' switch on the magic, and
 * out before any map lookup or helper call. The loads are direct BTF
 * accesses, CO-RE-relocated like BPF_CORE_READ but without a helper call per
 * pointer hop. It lives here, named after the device policy, because the
 * device check comes first and the hook counter named file_open is the
 * device policy's; ecictl stats counts all its run time under file_open.
 */
SEC("lsm/file_open")
int BPF_PROG(eci_device_file_open, struct file *file, int ret)
{
	struct inode *inode;
	unsigned long magic;
	umode_t mode;

	if (ret)
		return ret;
	inode = file->f_inode;
	mode = inode->i_mode;
	magic = inode->i_sb->s_magic;
	if (is_device(mode)) {
		ret = check_device(file, inode, dev_type(mode), ECI_HOOK_FILE_OPEN);
		if (ret)
			return ret;
	}
	return knobs_open_judged(file, mode, magic) ? knobs_file_open(file, magic) : 0;
}

/* The same for a file received over a socket; kernel files: cgroup v2 only. */
SEC("lsm/file_receive")
int BPF_PROG(eci_device_file_receive, struct file *file, int ret)
{
	struct inode *inode;
	unsigned long magic;
	umode_t mode;

	if (ret)
		return ret;
	inode = file->f_inode;
	mode = inode->i_mode;
	magic = inode->i_sb->s_magic;
	if (is_device(mode)) {
		ret = check_device(file, inode, dev_type(mode), ECI_HOOK_FILE_RECEIVE);
		if (ret)
			return ret;
	}
	return knobs_file_receive(file, magic);
}

SEC("lsm/inode_mknod")
int BPF_PROG(eci_device_inode_mknod, struct inode *dir, struct dentry *dentry, umode_t mode,
	     dev_t dev, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u32 type;
	__u64 cgid;

	if (ret)
		return ret;
	type = dev_type(mode);
	/* 0:0 character nodes are overlayfs whiteouts, not devices. */
	if (!type || (type == ECI_DEV_CHAR && dev == 0))
		return 0;
	stats = eci_count_call(ECI_HOOK_INODE_MKNOD);
	c = eci_current(&cgid);
	/* During setup the runtime fills a privileged container's /dev with the
	 * VM's nodes: seeing them is allowed, opening them is not. */
	if (!c || (c->flags & ECI_CF_SETUP) || dev_allowed(c, type, dev, ECI_DEV_MKNOD))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_INODE_MKNOD, ECI_CLASS_DEVICE, ({
				e->arg[0] = ((__u64)type << 32) | ECI_DEV_MKNOD;
				e->arg[1] = dev;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(dentry, d_name.name));
			}));
}

/* A block-device filesystem reads and writes the device: it needs the device
 * assigned, with w unless the mount is read-only. */
SEC("lsm/sb_set_mnt_opts")
int BPF_PROG(eci_device_sb_set_mnt_opts, struct super_block *sb, void *mnt_opts,
	     unsigned long kern_flags, unsigned long *set_kern_flags, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u32 want = ECI_DEV_READ;
	dev_t dev;
	__u64 cgid;

	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	if (!BPF_CORE_READ(sb, s_bdev))
		return 0;
	stats = eci_count_call(ECI_HOOK_SB_SET_MNT_OPTS);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	dev = BPF_CORE_READ(sb, s_dev);
	if (!(BPF_CORE_READ(sb, s_flags) & SB_RDONLY))
		want |= ECI_DEV_WRITE;
	if (dev_allowed(c, ECI_DEV_BLOCK, dev, want))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_SB_SET_MNT_OPTS, ECI_CLASS_DEVICE, ({
				e->arg[0] = ((__u64)ECI_DEV_BLOCK << 32) | want;
				e->arg[1] = dev;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(sb, s_type, name));
			}));
}
