/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel-files policy's judgement of a file opened or received (the
 * rules: knobs.bpf.c). Its programs are device.bpf.c's: one program per hook,
 * so that every open in the VM enters the BPF trampoline once, not once per
 * policy; these checks are inlined there after the device policy's, in the
 * order the two programs ran in.
 */
#ifndef ECI_KNOBS_BPF_H
#define ECI_KNOBS_BPF_H

#include "path.bpf.h"

/* Inode numbers of the VM's initial namespaces (defined in knobs.bpf.c), set
 * by the loader from /proc/1/ns/: those namespaces live as long as the VM, so
 * their numbers can't be reused. A sysctl of a namespace is the container's to write only
 * if the container has a namespace of that kind of its own; network
 * administration likewise (ECI_CAP_NET_VM, caps.bpf.c). */
extern const volatile __u32 host_net_ns;
extern const volatile __u32 host_uts_ns;
extern const volatile __u32 host_ipc_ns;
extern const volatile __u32 host_pid_ns;

#define PROC_DEPTH 8

/* The names of the file, the top directory below the filesystem's root and
 * the one below that: /proc/sys/net/ipv4/ip_forward -> leaf "ip_forward",
 * top "sys", second "net". Returns the depth below the root, or 0 if the root
 * is more than PROC_DEPTH levels up (then the top is unknown: deny). */
static __always_inline int path_names(struct dentry *d, char *leaf, char *top, char *second)
{
	struct dentry *chain[PROC_DEPTH];
	bool at_root = false;
	int depth = 0;

	for (int i = 0; i < PROC_DEPTH + 1; i++) {
		struct dentry *parent = BPF_CORE_READ(d, d_parent);

		if (parent == d) {
			at_root = true;
			break;
		}
		if (i == PROC_DEPTH)
			break;
		chain[i] = d;
		depth = i + 1;
		d = parent;
	}
	if (!depth || !at_root)
		return 0;
	read_name(chain[0], leaf);
	if (depth >= 1 && depth <= PROC_DEPTH)
		read_name(chain[depth - 1], top);
	if (depth >= 2 && depth <= PROC_DEPTH)
		read_name(chain[depth - 2], second);
	return depth;
}

static __always_inline bool own_ns(__u32 inum, __u32 host)
{
	return inum != host;
}

/* The task a /proc/<pid> file is about (its proc_inode's pid), or NULL if it
 * is gone. */
static __always_inline struct task_struct *proc_task(struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct proc_inode *pi = (void *)inode - bpf_core_field_offset(struct proc_inode, vfs_inode);
	struct hlist_node *first = BPF_CORE_READ(pi, pid, tasks[PIDTYPE_PID].first);

	if (!first)
		return NULL;
	return (void *)first - bpf_core_field_offset(struct task_struct, pid_links[PIDTYPE_PID]);
}

/* A /proc/<pid> file is written only for a task of the container's own
 * (oom_score_adj, make-it-fail, sched_autogroup, timerslack_ns of a VM
 * process with --pid=host): the same rule as the process policy's. */
static __always_inline bool proc_pid_own(struct file *file, struct eci_container *c)
{
	struct task_struct *p = proc_task(file);

	return p && eci_same_container(c, p);
}

static __always_inline bool proc_write_allowed(struct file *file, struct eci_container *c)
{
	struct task_struct *task = bpf_get_current_task_btf();
	char leaf[NAME_LEN], top[NAME_LEN], second[NAME_LEN] = {};
	struct nsproxy *ns = task->nsproxy;
	int depth;

	depth = path_names(file->f_path.dentry, leaf, top, second);
	if (depth < 2)
		return false;
	/* Its own processes: a pid directory, self, thread-self (links to
	 * one), judged by the task the file is about. */
	if ((top[0] >= '0' && top[0] <= '9') || name_is(top, "self") || name_is(top, "thread-self"))
		return proc_pid_own(file, c);
	if (!name_is(top, "sys"))
		return false;

	if (name_is(second, "net"))
		return own_ns(BPF_CORE_READ(ns, net_ns, ns.inum), host_net_ns);
	if (name_is(second, "kernel")) {
		if (name_is(leaf, "hostname") || name_is(leaf, "domainname"))
			return own_ns(BPF_CORE_READ(ns, uts_ns, ns.inum), host_uts_ns);
		if (name_is(leaf, "ns_last_pid"))
			return own_ns(BPF_CORE_READ(ns, pid_ns_for_children, ns.inum), host_pid_ns);
		if (name_is(leaf, "shmmax") || name_is(leaf, "shmall") || name_is(leaf, "shmmni") ||
		    name_is(leaf, "shm_rmid_forced") || name_is(leaf, "msgmax") ||
		    name_is(leaf, "msgmni") || name_is(leaf, "msgmnb") || name_is(leaf, "sem") ||
		    name_is(leaf, "auto_msgmni") || name_is(leaf, "sem_next_id") ||
		    name_is(leaf, "msg_next_id") || name_is(leaf, "shm_next_id"))
			return own_ns(BPF_CORE_READ(ns, ipc_ns, ns.inum), host_ipc_ns);
		return false;
	}
	if (name_is(second, "fs") && depth >= 3) {
		struct dentry *parent = BPF_CORE_READ(file, f_path.dentry, d_parent);
		char dir[NAME_LEN];

		/* fs.mqueue.*: the file sits in /proc/sys/fs/mqueue. */
		read_name(parent, dir);
		if (name_is(dir, "mqueue"))
			return own_ns(BPF_CORE_READ(ns, ipc_ns, ns.inum), host_ipc_ns);
	}
	return false;
}

/* A cgroup the container owns: its own or one of its sub-cgroups. */
static __always_inline bool own_cgroup(__u64 id, struct eci_container *c)
{
	struct eci_container *target = bpf_map_lookup_elem(&containers, &id);

	return target && target->root_id == c->root_id;
}

static __always_inline bool cgroup2_write_allowed(struct file *file, struct eci_container *c)
{
	struct kernfs_node *kn = file->f_inode->i_private;
	char leaf[NAME_LEN];
	__u64 target_id;

	target_id = BPF_CORE_READ(kernfs_parent(kn), id);
	if (!own_cgroup(target_id, c))
		return false;
	if (target_id != c->root_id)
		return true;
	/* At its top, only what running its own tree needs: not its limits. */
	read_name(file->f_path.dentry, leaf);
	return name_is(leaf, "cgroup.procs") || name_is(leaf, "cgroup.threads") ||
	       name_is(leaf, "cgroup.subtree_control") || name_is(leaf, "cgroup.freeze") ||
	       name_is(leaf, "cgroup.kill");
}

/* The cgroup v2 rule, for a file opened and for one received: a directory
 * (what cgroup BPF programs attach to) only of its own cgroups, a file for
 * writing only as above. */
static __always_inline bool cgroup2_allowed(struct file *file, struct eci_container *c)
{
	struct kernfs_node *kn = file->f_inode->i_private;

	if ((file->f_inode->i_mode & S_IFMT) == S_IFDIR)
		return own_cgroup(BPF_CORE_READ(kn, id), c);
	return !(file->f_mode & FMODE_WRITE) || cgroup2_write_allowed(file, c);
}

/*
 * The opens file_open judges, by the superblock's magic: everything but
 * kernel filesystems goes out before any map lookup; on /proc, sysfs and
 * cgroupfs only opens for writing go on. No map lookup or helper call: this
 * is the early exit of every open in the VM (device.bpf.c).
 */
static __always_inline bool knobs_open_judged(struct file *file, umode_t mode, unsigned long magic)
{
	switch (magic) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
		return file->f_mode & FMODE_WRITE;
	case CGROUP2_SUPER_MAGIC:
		/* Directories too: a cgroup directory fd is what cgroup BPF
		 * programs attach to (selfprotect.bpf.c). */
		return (file->f_mode & FMODE_WRITE) || (mode & S_IFMT) == S_IFDIR;
	}
	return eci_kernel_fs(magic);
}

/* file_open, for a file knobs_open_judged() picked. */
static __always_inline int knobs_file_open(struct file *file, unsigned long magic)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	bool allowed = false;
	__u64 cgid;

	stats = eci_count_call(ECI_HOOK_KERNEL_FILE);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	if (magic == PROC_SUPER_MAGIC)
		allowed = proc_write_allowed(file, c);
	else if (magic == CGROUP2_SUPER_MAGIC)
		allowed = cgroup2_allowed(file, c);
	if (allowed)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_KERNEL_FILE, ECI_CLASS_KERNEL, ({
				e->arg[0] = magic;
				e->arg[1] = file->f_mode;
				bpf_d_path(&file->f_path, e->detail, sizeof(e->detail));
			}));
}

/*
 * file_receive. A cgroup v2 file or directory handed in over a socket: the
 * same rules as opening it, so a cgroup.procs or directory fd opened outside
 * the container can't move it out or be a BPF attach target.
 */
static __always_inline int knobs_file_receive(struct file *file, unsigned long magic)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (magic != CGROUP2_SUPER_MAGIC)
		return 0;
	stats = eci_count_call(ECI_HOOK_KERNEL_FILE);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	if (cgroup2_allowed(file, c))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_KERNEL_FILE, ECI_CLASS_KERNEL, ({
				e->arg[0] = CGROUP2_SUPER_MAGIC;
				e->arg[1] = file->f_mode;
				bpf_d_path(&file->f_path, e->detail, sizeof(e->detail));
			}));
}

#endif /* ECI_KNOBS_BPF_H */
