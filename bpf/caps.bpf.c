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
 *            network namespace (--net=host), after setup.
 *            CAP_SYS_ADMIN of swapon/swapoff: swap is the VM's. CAP_SYS_ADMIN
 *            of mount_setattr/fspick: the initial-mount policy's
 *            (mountlock.bpf.c, eci_mountlock_admin).
 *
 * No maps of its own; host_net_ns is set by the loader (knobs.bpf.c). Every
 * capability check in the VM comes here: a constant mask test first, the
 * namespace second, the containers map last.
 */
#include "eci.bpf.h"

#define CAP_SYS_ADMIN 21

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
int BPF_PROG(eci_caps_capable, const struct cred *cred, struct user_namespace *ns, int cap,
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
		return eci_mountlock_admin(nr) ? -EPERM : 0;
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
