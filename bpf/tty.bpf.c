// SPDX-License-Identifier: GPL-2.0
/*
 * Terminals: the ioctls that act on a terminal's other side or on the VM's
 * console work only on a terminal of the container's own devpts instance.
 *
 *   file_ioctl,        TIOCSTI (type into the terminal: the input of
 *   file_ioctl_compat  whatever reads it, a VM root shell on the console),
 *                      and TIOCLINUX (the VT's selection, paste, kernel log
 *                      routing) on a file that is not a pty of a devpts
 *                      superblock in sb_owner under the caller's root id
 *                      (fstype.bpf.c records the superblocks it creates).
 *                      TIOCCONS (the VM's console output goes to this
 *                      terminal instead) on any terminal: the console is
 *                      the VM's even when the terminal is the container's.
 *                      /dev/console, /dev/tty, /dev/tty[0-9]* and the VM's
 *                      own /dev/pts are never that.
 *
 * Opening /dev/console and /dev/tty[0-9]* at all is the device policy's: they
 * are not default devices unless assigned (device.bpf.c). Every ioctl comes
 * here: three constant compares send all others out.
 */
#include "eci.bpf.h"

#define TIOCSTI 0x5412
#define TIOCLINUX 0x541C
#define TIOCCONS 0x541D
#define DEVPTS_SUPER_MAGIC 0x1cd1

static __noinline int tty_ioctl(struct file *file, unsigned int cmd)
{
	struct super_block *sb = BPF_CORE_READ(file, f_inode, i_sb);
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid, key = (__u64)sb, *owner;

	stats = eci_count_call(ECI_HOOK_TTY_IOCTL);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	if (cmd != TIOCCONS && BPF_CORE_READ(sb, s_magic) == DEVPTS_SUPER_MAGIC) {
		owner = bpf_map_lookup_elem(&sb_owner, &key);
		if (owner && *owner == c->root_id)
			return 0;
	}
	return eci_trap(stats, c, cgid, ECI_HOOK_TTY_IOCTL, ECI_CLASS_DEVICE, ({
				struct inode *inode = BPF_CORE_READ(file, f_inode);
				__u32 rdev = BPF_CORE_READ(inode, i_rdev);

				e->arg[0] = cmd;
				e->arg[1] = rdev;
				/* The node's name: bpf_d_path is refused in
				 * file_ioctl_compat (not a sleepable hook). */
				bpf_probe_read_kernel_str(
					e->detail, sizeof(e->detail),
					BPF_CORE_READ(file, f_path.dentry, d_name.name));
			}));
}

SEC("lsm/file_ioctl")
int BPF_PROG(eci_tty_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	if (cmd != TIOCSTI && cmd != TIOCCONS && cmd != TIOCLINUX)
		return 0;
	return tty_ioctl(file, cmd) ? -EPERM : 0;
}

/* A 32-bit task's ioctl(2) (6.1 has the hook from 6.1.74): the same. */
SEC("lsm/file_ioctl_compat")
int BPF_PROG(eci_tty_file_ioctl_compat, struct file *file, unsigned int cmd, unsigned long arg,
	     int ret)
{
	if (ret)
		return ret;
	if (cmd != TIOCSTI && cmd != TIOCCONS && cmd != TIOCLINUX)
		return 0;
	return tty_ioctl(file, cmd) ? -EPERM : 0;
}
