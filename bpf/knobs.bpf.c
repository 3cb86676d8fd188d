// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel knobs: the files through which the VM's kernel is tuned, judged by
 * the superblock they live on, so every mount and path that reaches them is
 * covered.
 *
 *   file_open     - debugfs, tracefs, securityfs, configfs, pstore,
 *                   efivarfs, binfmt_misc: no open at all (VM-global)
 *                 - /proc/sys: no write, except the sysctls of namespaces the
 *                   container has of its own (net.*, hostname and domainname,
 *                   IPC limits, fs.mqueue.*, ns_last_pid)
 *                 - the rest of /proc: writes only under /proc/<pid>, self
 *                   and thread-self (its own processes); so no
 *                   /proc/sysrq-trigger, /proc/irq/..., ...
 *                 - sysfs: no write (uevent_helper, module parameters,
 *                   power/state, driver bind/unbind are all the VM's)
 *                 - cgroup v1: no write (release_agent, notify_on_release)
 *                 - cgroup v2: writes only into the container's own
 *                   sub-cgroups, and at its top only to cgroup.procs,
 *                   cgroup.threads, cgroup.subtree_control, cgroup.freeze and
 *                   cgroup.kill: it can't leave its cgroup (sticky
 *                   confinement), touch another's, or raise its own limits
 *   file_receive  a cgroup v2 file or directory handed in over a socket: the
 *                 same rules as opening it
 *   task_alloc    clone3(CLONE_INTO_CGROUP): the other way to put a task in a
 *                 cgroup; the hook can't see which, so it is refused
 *
 * The file_open and file_receive judgements are knobs.bpf.h's, run by
 * device.bpf.c's programs on those hooks: every open in the VM comes to
 * file_open, and one program there instead of one per policy saves a
 * trampoline entry and exit on each.
 *
 * No maps of its own (containers, for whose cgroup a directory is). The VM's
 * namespaces are set by the loader here. Fail closed: a /proc path deeper
 * than PROC_DEPTH, or a name longer than NAME_LEN, is not allowed.
 */
#include "eci.bpf.h"

/* Inode numbers of the VM's initial namespaces, set by the loader from
 * /proc/1/ns/ (read by knobs.bpf.h, caps.bpf.c and net.bpf.c). */
const volatile __u32 host_net_ns;
const volatile __u32 host_uts_ns;
const volatile __u32 host_ipc_ns;
const volatile __u32 host_pid_ns;

#define CLONE_INTO_CGROUP 0x200000000ULL

SEC("lsm/task_alloc")
int BPF_PROG(eci_knobs_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
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
