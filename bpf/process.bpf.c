// SPDX-License-Identifier: GPL-2.0
/*
 * Process policy: a protected container's tasks reach only tasks of their
 * own container (nested containers included: they share its root id). It
 * matters when the container can name the VM's processes at all, i.e. with
 * the VM's pid namespace (`docker run --pid=host`) or a pidfd handed in;
 * without this, CAP_SYS_PTRACE and root are a way out: ptrace or write the
 * memory of dockerd, read /proc/1/root/etc, setns() into pid 1's mount
 * namespace, take fds with pidfd_getfd().
 *
 * Routes and their hook:
 *   ptrace attach, /proc/PID/{mem,root,cwd,exe,fd,ns/NS,environ,maps...},
 *   process_vm_readv/writev, pidfd_getfd, kcmp, process_madvise, and
 *   setns() into PID's namespaces (through /proc/PID/ns/NS or a pidfd, whose
 *   validate_nsset() asks the same)        -> ptrace_access_check
 *   kill, tgkill, rt_sigqueueinfo, pidfd_send_signal -> task_kill
 *   setpriority, ioprio_set, sched_setscheduler/setattr/setaffinity
 *                                          -> task_setnice, task_setioprio,
 *                                             task_setscheduler
 *   prlimit64 setting another task's limits -> task_setrlimit
 *   setrlimit/prlimit64 of RLIMIT_RTPRIO above 0, any task's (the way to a
 *   real-time policy without CAP_SYS_NICE)  -> task_setrlimit
 *   writes to /proc/PID (oom_score_adj...)  -> the kernel-files file_open
 *                                             (knobs.bpf.c)
 * Listing processes stays: /proc/PID/stat, status and cmdline need no
 * ptrace access; the fields stat keeps back (wchan, stack pointers) are
 * refused with PTRACE_MODE_NOAUDIT, counted but not sent as events, since
 * every `ps` asks. Signal 0 (does PID exist?) is let through. While a
 * container is in setup the runtime may join other containers' namespaces
 * (`--network container:X`, a pod's shared namespaces).
 */
#include "eci.bpf.h"

/* The verdict for the current task acting on p; arg is the hook's number
 * (ptrace mode, signal, which priority call). */
static __always_inline int reach(enum eci_hook hook, struct task_struct *p, __u64 arg, bool quiet)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	c = eci_current(&cgid);
	if (!c || (c->flags & ECI_CF_SETUP))
		return 0;
	stats = eci_count_call(hook);
	if (eci_same_container(c, p))
		return 0;
	if (quiet)
		return eci_count_trap(stats, c, ECI_CLASS_PROCESS) ? 0 : -EPERM;
	return eci_trap(stats, c, cgid, hook, ECI_CLASS_PROCESS, ({
				e->arg[0] = BPF_CORE_READ(p, tgid);
				e->arg[1] = arg;
				BPF_CORE_READ_STR_INTO(&e->detail, p, comm);
			}));
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(eci_process_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	if (ret)
		return ret;
	return reach(ECI_HOOK_PTRACE, child, mode, mode & ECI_PTRACE_MODE_NOAUDIT);
}

SEC("lsm/task_kill")
int BPF_PROG(eci_process_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	if (ret)
		return ret;
	/* cred is set only for a signal sent on another's behalf (USB async
	 * I/O): the current task is not the sender then. Read as a number:
	 * see eci_arg_nullable(). */
	if (!sig || eci_arg_nullable(ctx, 3))
		return 0;
	return reach(ECI_HOOK_TASK_KILL, p, sig, false);
}

SEC("lsm/task_setnice")
int BPF_PROG(eci_process_task_setnice, struct task_struct *p, int nice, int ret)
{
	if (ret || p == bpf_get_current_task_btf())
		return ret;
	return reach(ECI_HOOK_TASK_PRIORITY, p, ECI_PRIO_NICE, false);
}

SEC("lsm/task_setioprio")
int BPF_PROG(eci_process_task_setioprio, struct task_struct *p, int ioprio, int ret)
{
	if (ret || p == bpf_get_current_task_btf())
		return ret;
	return reach(ECI_HOOK_TASK_PRIORITY, p, ECI_PRIO_IO, false);
}

SEC("lsm/task_setscheduler")
int BPF_PROG(eci_process_task_setscheduler, struct task_struct *p, int ret)
{
	if (ret || p == bpf_get_current_task_btf())
		return ret;
	return reach(ECI_HOOK_TASK_PRIORITY, p, ECI_PRIO_SCHEDULER, false);
}

#define RLIMIT_RTPRIO 14

/*
 * A real-time priority limit above zero lets a task make itself SCHED_FIFO
 * or SCHED_RR without CAP_SYS_NICE (which capable refuses in the sched_*
 * calls: no cap_ops entry). A real-time task runs before every normal one
 * on its CPU, outside the share its cgroup has: the VM's time. Refused for
 * its own tasks too, and in setup (`docker run --ulimit rtprio=N`).
 */
static __noinline int rtprio_refused(struct task_struct *p, struct rlimit *new_rlim)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (!BPF_CORE_READ(new_rlim, rlim_cur) && !BPF_CORE_READ(new_rlim, rlim_max))
		return 0;
	c = eci_current(&cgid);
	if (!c)
		return 0;
	stats = eci_count_call(ECI_HOOK_TASK_PRIORITY);
	return eci_trap(stats, c, cgid, ECI_HOOK_TASK_PRIORITY, ECI_CLASS_PROCESS, ({
				e->arg[0] = BPF_CORE_READ(p, tgid);
				e->arg[1] = ECI_PRIO_RTPRIO;
			}));
}

/* prlimit64 on another task (setrlimit is the caller's own: p is current),
 * and a real-time priority limit on any. */
SEC("lsm/task_setrlimit")
int BPF_PROG(eci_process_task_setrlimit, struct task_struct *p, unsigned int resource,
	     struct rlimit *new_rlim, int ret)
{
	if (ret)
		return ret;
	if (resource == RLIMIT_RTPRIO && rtprio_refused(p, new_rlim))
		return -EPERM;
	if (BPF_CORE_READ(p, tgid) == BPF_CORE_READ(bpf_get_current_task_btf(), tgid))
		return 0;
	return reach(ECI_HOOK_TASK_PRIORITY, p, ECI_PRIO_RLIMIT, false);
}

char LICENSE[] SEC("license") = "GPL";
