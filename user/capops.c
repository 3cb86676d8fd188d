// SPDX-License-Identifier: GPL-2.0
/*
 * The capability allowlist of deny by default (caps.bpf.c): which judged
 * capability each syscall may use against the VM's initial user namespace.
 * A syscall not here gets none of them. Each entry names where its target is
 * judged; docs/DESIGN.md ("Deny by default") lists the same lines. The
 * network capabilities are judged by the target's network namespace
 * (caps.bpf.c), not here: none of these entries names them.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "capops.h"

#define C(cap) (1ULL << (cap))
#define IPC_OWNER 15
#define SYS_ADMIN 21
#define SYS_NICE 23
#define SYS_RESOURCE 24

#define E(name, caps, own, why)                                                                    \
	{                                                                                          \
		SYS_##name, #name, caps, own, why                                                  \
	}

#define MOUNT_WHY "the mount policy judges the superblock, source and initial mounts"
#define NS_WHY "new namespaces are its own; setns into another's is the process policy's"
#define IPC_WHY "IPC objects are looked up in its own IPC namespace only"
#define NICE_WHY "its own tasks; another's is refused by the process policy (task_set*)"
#define SCM_WHY                                                                                    \
	"a pid in SCM_CREDENTIALS on a unix socket, from a pid namespace of its own: only its own tasks"
#define XATTR_WHY "trusted.* xattrs of files the mount policy lets it reach (audit F3)"

const struct eci_capop_entry eci_capops[] = {
	/* Mounts (audit F4, O6). */
	E(mount, C(SYS_ADMIN), 0, MOUNT_WHY),
	E(umount2, C(SYS_ADMIN), 0, MOUNT_WHY),
	E(pivot_root, C(SYS_ADMIN), 0, MOUNT_WHY),
	E(fsopen, C(SYS_ADMIN), 0, MOUNT_WHY),
	E(fsconfig, C(SYS_ADMIN), 0, MOUNT_WHY),
	E(fsmount, C(SYS_ADMIN), 0, MOUNT_WHY),
	E(move_mount, C(SYS_ADMIN), 0, MOUNT_WHY),
	E(open_tree, C(SYS_ADMIN), 0, MOUNT_WHY),
	E(fspick, C(SYS_ADMIN), 0, "refused after setup by the initial-mount policy"),
	E(mount_setattr, C(SYS_ADMIN), 0, "refused after setup by the initial-mount policy"),
	/* Namespaces (K14, O6). */
	E(unshare, C(SYS_ADMIN), 0, NS_WHY),
	E(clone, C(SYS_ADMIN), 0, NS_WHY),
	E(clone3, C(SYS_ADMIN), 0, NS_WHY),
	E(setns, C(SYS_ADMIN), 0, NS_WHY),
	E(sethostname, C(SYS_ADMIN), ECI_OWN_UTS, "only in a UTS namespace of its own (O4)"),
	E(setdomainname, C(SYS_ADMIN), ECI_OWN_UTS, "only in a UTS namespace of its own (O4)"),
	/* Files. */
	E(ioctl, C(SYS_ADMIN) | C(SYS_RESOURCE), 0,
	  "the file_ioctl programs judge the file: device nodes are assigned ones (device policy), ttys its own devpts (tty.bpf.c)"),
	E(fanotify_init, C(SYS_ADMIN), 0, "marks are judged by path_notify (notify.bpf.c)"),
	E(fanotify_mark, C(SYS_ADMIN), 0, "only on superblocks of its own (path_notify)"),
	E(setxattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(lsetxattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(fsetxattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(getxattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(lgetxattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(fgetxattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(listxattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(llistxattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(flistxattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(removexattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(lremovexattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(fremovexattr, C(SYS_ADMIN), 0, XATTR_WHY),
	E(quotactl, C(SYS_ADMIN), 0,
	  "the quotactl hook refuses a superblock not its own (fsadmin.bpf.c)"),
	E(quotactl_fd, C(SYS_ADMIN), 0,
	  "the quotactl hook refuses a superblock not its own (fsadmin.bpf.c)"),
	E(fcntl, C(SYS_RESOURCE), 0,
	  "pipe sizes past the limit: charged to its memory cgroup (F12)"),
	/* oom_score_adj and timerslack of /proc/<pid>: the kernel-files policy
	 * lets it write only its own tasks' (knobs.bpf.c). */
	E(write, C(SYS_RESOURCE) | C(SYS_NICE), ECI_OWN_PROC_FD,
	  "/proc/<pid>/oom_score_adj, timerslack_ns of its own tasks (kernel-files policy); on any other file refused (a VM filesystem's reserved blocks)"),
	E(pwrite64, C(SYS_RESOURCE) | C(SYS_NICE), ECI_OWN_PROC_FD,
	  "/proc/<pid>/oom_score_adj, timerslack_ns of its own tasks (kernel-files policy); on any other file refused (a VM filesystem's reserved blocks)"),
	/* BPF and perf (K7, K8): the fallbacks after a refused BPF or PERFMON
	 * are refused before this table is read. */
	E(bpf, C(SYS_ADMIN), 0,
	  "the nested runtime's cgroup programs: the bpf programs limit commands and types (K7)"),
	E(perf_event_open, C(SYS_ADMIN), 0,
	  "Debian's perf_event_paranoid=3 gate: its own tasks, others need ptrace access (K8)"),
	/* Its own process (K15, K20). */
	E(prctl, C(SYS_ADMIN) | C(SYS_RESOURCE), 0,
	  "its own process: seccomp without no_new_privs, PR_SET_MM"),
	E(seccomp, C(SYS_ADMIN), 0, "a filter on its own tasks without no_new_privs (runc)"),
	E(ptrace, C(SYS_ADMIN), 0, "seccomp options of its own tracees (ptrace_access_check)"),
	E(setrlimit, C(SYS_RESOURCE), 0, "raising its own hard limits"),
	E(prlimit64, C(SYS_RESOURCE), 0,
	  "its own tasks' limits: task_setrlimit refuses another's (process policy)"),
	/* Scheduling (K16, K18). */
	E(setpriority, C(SYS_NICE), 0, NICE_WHY),
	/* Not sched_setscheduler, sched_setparam, sched_setattr: CAP_SYS_NICE
	 * there grants a real-time or deadline policy, which takes CPU time
	 * from the whole VM (and a nice below the RLIMIT_NICE floor: setpriority
	 * keeps that). Their other uses need no capability. */
	E(sched_setaffinity, C(SYS_NICE), 0, NICE_WHY),
	E(ioprio_set, C(SYS_NICE) | C(SYS_ADMIN), 0, NICE_WHY),
	E(mbind, C(SYS_NICE), 0, "its own memory (K18)"),
	E(set_mempolicy, C(SYS_NICE), 0, "its own memory (K18)"),
	E(migrate_pages, C(SYS_NICE), 0, "another task's needs ptrace access (K18)"),
	E(move_pages, C(SYS_NICE), 0, "another task's needs ptrace access (K18)"),
	E(process_madvise, C(SYS_NICE), 0, "another task's needs ptrace access (K18)"),
	/* SysV IPC and POSIX queues (K15, O5). */
	E(msgget, C(IPC_OWNER), ECI_OWN_IPC, IPC_WHY),
	E(msgsnd, C(IPC_OWNER), ECI_OWN_IPC, IPC_WHY),
	E(msgrcv, C(IPC_OWNER), ECI_OWN_IPC, IPC_WHY),
	E(msgctl, C(IPC_OWNER) | C(SYS_RESOURCE), ECI_OWN_IPC, IPC_WHY),
	E(semget, C(IPC_OWNER), ECI_OWN_IPC, IPC_WHY),
	E(semop, C(IPC_OWNER), ECI_OWN_IPC, IPC_WHY),
	E(semtimedop, C(IPC_OWNER), ECI_OWN_IPC, IPC_WHY),
	E(semctl, C(IPC_OWNER), ECI_OWN_IPC, IPC_WHY),
	E(shmget, C(IPC_OWNER), ECI_OWN_IPC, IPC_WHY),
	E(shmat, C(IPC_OWNER), ECI_OWN_IPC, IPC_WHY),
	E(shmctl, C(IPC_OWNER), ECI_OWN_IPC, IPC_WHY),
	E(mq_open, C(SYS_RESOURCE), ECI_OWN_IPC, IPC_WHY),
	/* SCM_CREDENTIALS naming another of its tasks (systemd's sd_pid_notify,
	 * journald's forwarding): O9. */
	E(sendmsg, C(SYS_ADMIN), ECI_OWN_UNIX_PID, SCM_WHY),
	E(sendmmsg, C(SYS_ADMIN), ECI_OWN_UNIX_PID, SCM_WHY),
};

const size_t eci_capops_len = sizeof(eci_capops) / sizeof(eci_capops[0]);

int eci_capops_fill(struct eci_cap_op *ops, size_t n)
{
	for (size_t i = 0; i < eci_capops_len; i++) {
		const struct eci_capop_entry *e = &eci_capops[i];

		if (e->nr < 0 || (size_t)e->nr >= n)
			return -ERANGE;
		ops[e->nr].allow |= e->caps;
		ops[e->nr].own |= e->own;
	}
	return 0;
}
