// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities: the capabilities that act on the whole VM stay out of a
 * protected container's reach, whatever its runtime granted.
 *
 *   capable  capabilities in ECI_CAP_DENIED (eci.h), when checked against the
 *            initial user namespace: a container without a user namespace is
 *            checked there for everything, so its "privileged" caps become
 *            container-sized. Checked against a user namespace the container
 *            owns, they stay.
 *            ECI_CAP_NET_VM (NET_ADMIN, NET_RAW) only while in the VM's
 *            network namespace (--net=host), after setup. From a namespace
 *            of its own, the NET_ADMIN check of a target that is the VM's
 *            namespace (net.bpf.c records it).
 *            CAP_SYS_ADMIN and CAP_SYS_RESOURCE inside an ioctl on a
 *            filesystem not its own (fsadmin.bpf.c, eci_fsadmin_capable).
 *            CAP_SYS_ADMIN of swapon/swapoff: swap is the VM's. CAP_SYS_ADMIN
 *            of mount_setattr/fspick: the initial-mount policy's
 *            (mountlock.bpf.c, eci_mountlock_admin).
 *            The CAP_SYS_ADMIN fallback of perfmon_capable() and of the
 *            syslog check, and of bpf_capable() outside bpf(): see
 *            fallback_refused().
 *
 * Map: cap_last (task storage), the last refused PERFMON, BPF or SYSLOG
 * check of a protected task, read by the CAP_SYS_ADMIN check that follows
 * it. host_net_ns is set by the loader (knobs.bpf.c). Every
 * capability check in the VM comes here: a constant mask test first, the
 * namespace second, the containers map last.
 */
#include "eci.bpf.h"

#define CAP_NET_ADMIN 12
#define CAP_SYS_ADMIN 21
#define CAP_SYS_RESOURCE 24
#define CAP_SYSLOG 34
#define CAP_PERFMON 38
#define CAP_BPF 39
#define CAP_OPT_NOAUDIT 2
#define ECI_NR_BPF_X86 321
#define ECI_NR_BPF_GENERIC 280

/*
 * perfmon_capable(), bpf_capable() and check_syslog_permissions() ask
 * capable(X) || capable(CAP_SYS_ADMIN) back to back, so refusing X alone
 * would leave it to CAP_SYS_ADMIN: kernel reads and pointer leaks in a nested
 * runtime's BPF programs, CPU-wide perf events (every VM process's user
 * registers and stack), attr.namespaces, the kernel log. A refused X is
 * recorded here with its syscall, and the CAP_SYS_ADMIN check right after it
 * in the same syscall is refused too. After CAP_BPF it stays allowed inside
 * bpf(): runc needs bpf_capable() to load its device programs, and the bpf
 * programs (selfprotect.bpf.c) hold it to those; perfmon_capable() is still
 * refused there, so the programs get no kernel reads.
 */
struct cap_last {
	__u32 cap;
	__s32 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cap_last);
} cap_last SEC(".maps");

static __always_inline bool nr_is_bpf(long nr)
{
	if (bpf_core_field_exists(struct pt_regs___eci_x86, orig_ax))
		return nr == ECI_NR_BPF_X86;
	return nr == ECI_NR_BPF_GENERIC;
}

/* A PERFMON, BPF or SYSLOG check of a protected task, refused (by
 * ECI_CAP_DENIED, or already by its credentials): remembered for the
 * CAP_SYS_ADMIN check that follows. Checks made without audit
 * (kallsyms_show_value(), %pK) have no fallback. */
static __noinline void fallback_note(int cap)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_container *c;
	struct cap_last *l;
	__u64 cgid;

	c = eci_current(&cgid);
	if (!c)
		return;
	l = bpf_task_storage_get(&cap_last, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!l)
		return;
	l->cap = cap;
	l->nr = eci_syscall_nr(task);
}

/* The CAP_SYS_ADMIN check that is the fallback of a refused one: refused,
 * without an event of its own (the refused check had one). A record is used
 * once. No storage (the task never had a refused check) costs one load. */
static __always_inline bool fallback_refused(struct task_struct *task, long nr)
{
	struct cap_last *l = bpf_task_storage_get(&cap_last, task, 0, 0);
	__u32 cap;

	if (!l || !l->cap)
		return false;
	cap = l->cap;
	l->cap = 0;
	if (l->nr != nr)
		return false;
	return cap != CAP_BPF || !nr_is_bpf(nr);
}

/* Every capability this file looks at: the rest leave at the first test. */
#define ECI_CAP_WATCHED                                                                            \
	(ECI_CAP_DENIED | ECI_CAP_NET_VM | (1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_SYS_RESOURCE) |  \
	 (1ULL << CAP_SYSLOG) | (1ULL << CAP_PERFMON) | (1ULL << CAP_BPF))

/* The VM's network namespace (knobs.bpf.c). */
extern const volatile __u32 host_net_ns;

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

/* NET_ADMIN from a network namespace of its own, right after the syscall
 * resolved an attribute naming the VM's namespace (net.bpf.c): this is the
 * kernel's check of that target. A record is used once. */
static __always_inline int vm_net_target_refused(struct task_struct *task)
{
	struct eci_net_target *t = bpf_task_storage_get(&net_target, task, 0, 0);
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;
	long nr;

	if (!t || !t->vm)
		return 0;
	t->vm = 0;
	nr = eci_syscall_nr(task);
	if (t->nr != nr)
		return 0;
	stats = eci_count_call(ECI_HOOK_NETNS);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_NETNS, ECI_CLASS_KERNEL, ({
				e->arg[0] = CAP_NET_ADMIN;
				e->arg[1] = nr;
			}));
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
		return cap == CAP_NET_ADMIN ? vm_net_target_refused(task) : 0;
	stats = eci_count_call(ECI_HOOK_CAPABLE);
	c = eci_current(&cgid);
	if (!c || (c->flags & ECI_CF_SETUP))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_CAPABLE, ECI_CLASS_KERNEL, e->arg[0] = cap);
}

SEC("lsm/capable")
int BPF_PROG(eci_caps_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	/* Called for every capability check in the VM, most of them by tasks
	 * eci does not protect and for capabilities it leaves alone: one
	 * constant mask test sends those back first. Then the namespace, the
	 * map last. */
	if ((unsigned int)cap >= 64 || !((1ULL << cap) & ECI_CAP_WATCHED))
		return ret;
	if ((cap == CAP_PERFMON || cap == CAP_BPF || cap == CAP_SYSLOG) &&
	    !(opts & CAP_OPT_NOAUDIT) && BPF_CORE_READ(ns, level) == 0)
		fallback_note(cap);
	if (ret)
		return ret;
	if (cap == CAP_SYS_ADMIN) {
		struct task_struct *task = bpf_get_current_task_btf();
		long nr = eci_syscall_nr(task);

		if (fallback_refused(task, nr))
			return -EPERM;
		if (eci_nr_swap(nr))
			return swap_refused(nr);
		if (eci_fsadmin_capable(cap))
			return -EPERM;
		/* A global function's return is unknown to the verifier, which
		 * checks an LSM program's range (6.12): -EPERM or 0. */
		return eci_mountlock_admin(nr) ? -EPERM : 0;
	}
	/* Inside an ioctl on a VM filesystem (fsadmin.bpf.c): resize, reserved
	 * blocks. */
	if (cap == CAP_SYS_RESOURCE)
		return eci_fsadmin_capable(cap) ? -EPERM : 0;
	if (!((1ULL << cap) & (ECI_CAP_DENIED | ECI_CAP_NET_VM)))
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
