// SPDX-License-Identifier: GPL-2.0
/*
 * Global kernel resources: what a privileged container could use to act on
 * the whole VM rather than on its own resources.
 *
 *   capable          capabilities in ECI_CAP_DENIED (eci.h), when checked
 *                    against the initial user namespace: a container without
 *                    a user namespace is checked there for everything, so its
 *                    "privileged" caps become container-sized. Checked against
 *                    a user namespace the container owns, they stay.
 *                    ECI_CAP_NET_VM (NET_ADMIN, NET_RAW) only while in the
 *                    VM's network namespace (--net=host). Also the
 *                    CAP_SYS_ADMIN check of swapon/swapoff: swap is the VM's.
 *   bpf              every bpf() command: no programs, maps, links, pins or
 *                    BTF, so the enforcer's own objects are out of reach too
 *                    (ECI: `bpftool map show` -> Operation not permitted)
 *   perf_event_open  events that see the kernel: tracepoints, kprobes and the
 *                    other dynamic PMUs, and any event that counts kernel mode
 *   syslog           the kernel log: reading (it is the VM's, with kernel
 *                    addresses) and clearing or silencing it. CAP_SYSLOG alone
 *                    would not do: syslog() still accepts CAP_SYS_ADMIN.
 *                    /dev/kmsg is a device, denied by the device policy.
 *   file_open        kernel files, judged by the superblock they live on, so
 *                    every mount and path that reaches them is covered:
 *                    - debugfs, tracefs, securityfs, configfs, pstore,
 *                      efivarfs, binfmt_misc: no open at all (VM-global)
 *                    - /proc/sys: no write, except the sysctls of namespaces
 *                      the container has of its own (net.*, hostname and
 *                      domainname, IPC limits, fs.mqueue.*, ns_last_pid)
 *                    - the rest of /proc: writes only under /proc/<pid>, self
 *                      and thread-self (its own processes); so no
 *                      /proc/sysrq-trigger, /proc/irq/..., ...
 *                    - sysfs: no write (uevent_helper, module parameters,
 *                      power/state, driver bind/unbind are all the VM's)
 *                    - cgroup v1: no write (release_agent, notify_on_release)
 *                    - cgroup v2: writes only into the container's own
 *                      sub-cgroups, and at its top only to cgroup.procs,
 *                      cgroup.threads, cgroup.subtree_control, cgroup.freeze
 *                      and cgroup.kill: it can't leave its cgroup (sticky
 *                      confinement), touch another's, or raise its own limits
 *   task_alloc       clone3(CLONE_INTO_CGROUP): the other way to put a task in
 *                    a cgroup; the hook can't see which, so it is refused
 */
#include "eci.bpf.h"

#define CAP_SYS_ADMIN 21

/* Inode numbers of the VM's initial namespaces, set by the loader from
 * /proc/1/ns/: those namespaces live as long as the VM, so their numbers
 * can't be reused. A sysctl of a namespace is the container's to write only
 * if the container has a namespace of that kind of its own; network
 * administration likewise (ECI_CAP_NET_VM). */
const volatile __u32 host_net_ns;
const volatile __u32 host_uts_ns;
const volatile __u32 host_ipc_ns;
const volatile __u32 host_pid_ns;

/*
 * Swap is the VM's: swapoff takes it away from every process, and swap on a
 * file of the container's would page the VM's memory into it. Both syscalls
 * check CAP_SYS_ADMIN before anything else, so that check is refused.
 */
static __noinline int swap_refused(long nr)
{
	struct eci_hook_stats *stats = eci_count_call(ECI_HOOK_SWAP);
	struct eci_container *c;
	__u64 cgid;

	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_SWAP, ECI_CLASS_KERNEL, e->arg[0] = nr);
}

/* NET_ADMIN or NET_RAW in the VM's network namespace (--net=host). The
 * runtime's setup may still use them. */
static __noinline int vm_net_refused(int cap)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (BPF_CORE_READ(task, nsproxy, net_ns, ns.inum) != host_net_ns)
		return 0;
	stats = eci_count_call(ECI_HOOK_CAPABLE);
	c = eci_current(&cgid);
	if (!c || (c->flags & ECI_CF_SETUP))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_CAPABLE, ECI_CLASS_KERNEL, e->arg[0] = cap);
}

SEC("lsm/capable")
int BPF_PROG(eci_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	/* Called for every capability check in the VM: a constant mask test
	 * first, the namespace second, the map last. */
	if (cap == CAP_SYS_ADMIN) {
		long nr = eci_syscall_nr(bpf_get_current_task_btf());

		if (eci_nr_swap(nr))
			return swap_refused(nr);
		/* A global function's return is unknown to the verifier, which
		 * checks an LSM program's range (6.12): -EPERM or 0. */
		return eci_mount_admin(nr) ? -EPERM : 0;
	}
	if ((unsigned int)cap >= 64 || !((1ULL << cap) & (ECI_CAP_DENIED | ECI_CAP_NET_VM)))
		return 0;
	/* Level 0 is init_user_ns alone (its address is not in the BTF of
	 * every kernel, so no __ksym). */
	if (BPF_CORE_READ(ns, level) != 0)
		return 0;
	if ((1ULL << cap) & ECI_CAP_NET_VM)
		return vm_net_refused(cap);
	stats = eci_count_call(ECI_HOOK_CAPABLE);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_CAPABLE, ECI_CLASS_KERNEL, e->arg[0] = cap);
}

/*
 * What a nested runtime (runc inside the container, Docker-in-Docker) needs
 * for its own containers' device cgroup, and nothing else: load a cgroup
 * device program, query, attach and detach one on a cgroup, and read back the
 * programs it finds there. The attach target is a cgroup directory fd, and a
 * protected container can open (eci_kernel_file_open) or receive
 * (eci_cgroup_receive) only its own sub-cgroups' directories, so any target it
 * can name is its own. Program fds it can get are of those kinds only
 * (eci_bpf_prog). Everything else, maps and the enforcer's pins included,
 * stays refused.
 */
/* runc's BPF library probes for BPF_PROG_ATTACH by loading an (unattachable
 * here) cgroup skb program. */
static __always_inline bool nested_runtime_prog(__u32 type)
{
	return type == BPF_PROG_TYPE_CGROUP_DEVICE || type == BPF_PROG_TYPE_CGROUP_SKB;
}

static __always_inline bool nested_runtime_bpf(int cmd, union bpf_attr *attr)
{
	switch (cmd) {
	case BPF_PROG_LOAD:
		return nested_runtime_prog(BPF_CORE_READ(attr, prog_type));
	case BPF_PROG_ATTACH:
	case BPF_PROG_DETACH:
		return BPF_CORE_READ(attr, attach_type) == BPF_CGROUP_DEVICE;
	case BPF_PROG_QUERY:
		return BPF_CORE_READ(attr, query.attach_type) == BPF_CGROUP_DEVICE;
	case BPF_PROG_GET_FD_BY_ID:
	case BPF_OBJ_GET_INFO_BY_FD:
		return true;
	}
	return false;
}

SEC("lsm/bpf")
int BPF_PROG(eci_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	stats = eci_count_call(ECI_HOOK_BPF);
	c = eci_current(&cgid);
	if (!c || nested_runtime_bpf(cmd, attr))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_BPF, ECI_CLASS_KERNEL, e->arg[0] = cmd);
}

/* A program fd is made (load, get-by-id, a pin): a nested runtime's kinds
 * only. */
SEC("lsm/bpf_prog")
int BPF_PROG(eci_bpf_prog, struct bpf_prog *prog, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u32 type;
	__u64 cgid;

	if (ret)
		return ret;
	type = BPF_CORE_READ(prog, type);
	if (nested_runtime_prog(type))
		return 0;
	stats = eci_count_call(ECI_HOOK_BPF);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_BPF, ECI_CLASS_KERNEL, ({
				e->arg[0] = BPF_PROG_GET_FD_BY_ID;
				e->arg[1] = type;
			}));
}

/* ptype: the type the caller asked for, which a PMU's init may rewrite in
 * attr (eci_perf_type). */
static __always_inline int perf_attr_refused(struct perf_event_attr *attr, __u32 ptype)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ptype != PERF_TYPE_TRACEPOINT && ptype <= PERF_TYPE_BREAKPOINT &&
	    BPF_CORE_READ_BITFIELD(attr, exclude_kernel))
		return 0;
	stats = eci_count_call(ECI_HOOK_PERF_EVENT_OPEN);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_PERF_EVENT_OPEN, ECI_CLASS_KERNEL, ({
				e->arg[0] = ptype;
				e->arg[1] = attr->config;
			}));
}

SEC("lsm/perf_event_open")
int BPF_PROG(eci_perf_event_open, struct perf_event_attr *attr, int type, int ret)
{
	if (ret)
		return ret;
	/* perf_allow_kernel() skips its own LSM call for perfmon_capable()
	 * callers, so the open call itself is where the attr is judged. */
	if (type != PERF_SECURITY_OPEN)
		return 0;
	return perf_attr_refused(attr, attr->type);
}

/* Where the perf_event_open hook sees no attr (6.12: `int type` alone), the
 * same judgement where the event is allocated, after its PMU's init and
 * before the syscall returns it. The loader keeps one of the two programs
 * (eci_kernel_probe). */
SEC("lsm/perf_event_alloc")
int BPF_PROG(eci_perf_event_alloc, struct perf_event *event, int ret)
{
	if (ret)
		return ret;
	return perf_attr_refused(&event->attr, eci_perf_type(event));
}

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_SIZE_BUFFER 10

SEC("lsm/syslog")
int BPF_PROG(eci_syslog, int type, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	if (type == SYSLOG_ACTION_CLOSE || type == SYSLOG_ACTION_OPEN ||
	    type == SYSLOG_ACTION_SIZE_BUFFER)
		return 0;
	stats = eci_count_call(ECI_HOOK_SYSLOG);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_SYSLOG, ECI_CLASS_KERNEL, e->arg[0] = type);
}

/* Longer than the longest name compared ("cgroup.subtree_control"): a name
 * is read truncated and compared with its NUL, so a longer one never matches. */
#define NAME_LEN 32
#define PROC_DEPTH 8

/* Compare a name read into a NAME_LEN buffer with a literal, NUL included. */
#define name_is(buf, lit) bytes_eq(buf, lit, sizeof(lit))

/* BPF has no memcmp; n is small and constant, a bounded loop. */
static __always_inline bool bytes_eq(const char *a, const char *b, const int n)
{
	for (int i = 0; i < n && i < NAME_LEN; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static __always_inline void read_name(struct dentry *d, char *buf)
{
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);

	__builtin_memset(buf, 0, NAME_LEN);
	bpf_probe_read_kernel_str(buf, NAME_LEN, name);
}

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

static __always_inline bool proc_write_allowed(struct file *file)
{
	struct task_struct *task = bpf_get_current_task_btf();
	char leaf[NAME_LEN], top[NAME_LEN], second[NAME_LEN] = {};
	struct nsproxy *ns = task->nsproxy;
	int depth;

	depth = path_names(file->f_path.dentry, leaf, top, second);
	if (depth < 2)
		return false;
	/* Its own processes: a pid directory, self, thread-self. */
	if ((top[0] >= '0' && top[0] <= '9') || name_is(top, "self") || name_is(top, "thread-self"))
		return true;
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
 * Runs on every open, beside the device policy's program. A switch on the
 * superblock's magic sends everything but kernel filesystems out before any
 * map lookup; on /proc, sysfs and cgroupfs only opens for writing go on.
 */
SEC("lsm/file_open")
int BPF_PROG(eci_kernel_file_open, struct file *file, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	unsigned long magic;
	bool allowed = false;
	__u64 cgid;

	if (ret)
		return ret;
	magic = file->f_inode->i_sb->s_magic;
	switch (magic) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
		if (!(file->f_mode & FMODE_WRITE))
			return 0;
		break;
	case CGROUP2_SUPER_MAGIC:
		/* Directories too: a cgroup directory fd is what cgroup BPF
		 * programs attach to (nested_runtime_bpf). */
		if (!(file->f_mode & FMODE_WRITE) && (file->f_inode->i_mode & S_IFMT) != S_IFDIR)
			return 0;
		break;
	default:
		if (!eci_kernel_fs(magic))
			return 0;
	}

	stats = eci_count_call(ECI_HOOK_KERNEL_FILE);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	if (magic == PROC_SUPER_MAGIC)
		allowed = proc_write_allowed(file);
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
 * A cgroup v2 file or directory handed in over a socket: the same rules as
 * opening it, so a cgroup.procs or directory fd opened outside the container
 * can't move it out or be a BPF attach target.
 */
SEC("lsm/file_receive")
int BPF_PROG(eci_cgroup_receive, struct file *file, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	if (file->f_inode->i_sb->s_magic != CGROUP2_SUPER_MAGIC)
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

#define CLONE_INTO_CGROUP 0x200000000ULL

SEC("lsm/task_alloc")
int BPF_PROG(eci_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	/* Every fork and thread comes here: one bit test, then out. */
	if (!(clone_flags & CLONE_INTO_CGROUP))
		return 0;
	stats = eci_count_call(ECI_HOOK_TASK_ALLOC);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_TASK_ALLOC, ECI_CLASS_KERNEL,
			e->arg[0] = clone_flags);
}
