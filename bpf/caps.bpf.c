// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities, deny by default: a protected task's capability check against
 * the VM's initial user namespace is refused unless it is one of these.
 *
 *   ECI_CAP_FREE   (eci.h) capabilities whose target another policy judges
 *                  (files, device nodes, tasks) or that act on its own
 *                  credentials, memory and timers: one mask test, nothing
 *                  else, since every permission check asks them.
 *   ECI_CAP_DENIED never, whatever the syscall: each acts on the whole VM.
 *   ECI_CAP_NET_ANY from a network namespace of its own, except the
 *                  NET_ADMIN check of a target that is the VM's namespace
 *                  (net.bpf.c records it). In the VM's (--net=host, or a
 *                  socket of the VM's that a bind, connect, accept or ioctl
 *                  acts on), NET_ADMIN, NET_RAW and NET_BIND_SERVICE are refused
 *                  after setup, NET_BROADCAST goes by cap_ops.
 *   cap_ops        the rest (SYS_ADMIN, SYS_RESOURCE, SYS_NICE, IPC_OWNER,
 *                  AUDIT_WRITE, unknown): allowed only for the syscall
 *                  being made, by an entry of the loader's table
 *                  (user/capops.c, one justification each, in DESIGN.md),
 *                  some only in a UTS or IPC namespace of its own.
 *                  No syscall (an io_uring worker), or a number past the
 *                  table: refused.
 *
 * Before those: CAP_SYS_ADMIN and CAP_SYS_RESOURCE inside an ioctl on a
 * filesystem not its own (fsadmin.bpf.c, eci_fsadmin_capable);
 * CAP_SYS_ADMIN of swapon/swapoff (swap is the VM's) and of
 * mount_setattr/fspick after setup (mountlock.bpf.c, eci_mountlock_admin);
 * the CAP_SYS_ADMIN fallback of perfmon_capable() and of the syslog check,
 * and of bpf_capable() outside bpf(): see fallback_refused().
 * A container in setup is held only to ECI_CAP_DENIED and those: the
 * runtime's own work is vetted by the other hooks. A check made with
 * credentials the kernel borrowed for the task (overlayfs acting with its
 * mounter's, override_creds) is not the task's own privilege: allowed, but
 * for io_uring's, whose personalities are the container's own credentials.
 *
 * Map: cap_last (task storage), the last refused PERFMON, BPF or SYSLOG
 * check of a protected task, read by the CAP_SYS_ADMIN check that follows
 * it. host_net_ns, host_uts_ns and host_ipc_ns are set by the loader
 * (knobs.bpf.c), cap_ops too (here). Every capability check in the VM comes
 * here: one mask test first, the namespace second, the containers map last;
 * but CAP_SYS_ADMIN, whose refusals before cap_ops (above) are all a
 * protected task's, looks the task up first, once.
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

/*
 * The x86 and arm64 JITs leave out their Spectre-BHB barrier in a classic BPF
 * program (a seccomp filter, a socket filter) when the task passes
 * ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN): a privileged task is
 * trusted not to build a gadget against the kernel. A protected task holds
 * CAP_SYS_ADMIN inside seccomp() and prctl() (a filter without
 * no_new_privs), so while the JIT compiles a protected task's program
 * (fentry/fexit of bpf_int_jit_compile, below) its CAP_SYS_ADMIN checks are
 * refused and the barrier stays. Audit row K7.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} cap_jit SEC(".maps");

static __always_inline bool nr_is_bpf(long nr)
{
	if (bpf_core_field_exists(struct pt_regs___eci_x86, orig_ax))
		return nr == ECI_NR_BPF_X86;
	return nr == ECI_NR_BPF_GENERIC;
}

/*
 * The three records a refusal depends on (cap_last and cap_jit here,
 * net_target of net.bpf.c) exist before they are needed: made when a protected task forks
 * (for the child) and when it executes a program (the container's first
 * process was forked by the runtime before it was protected). A record that
 * cannot be made refuses the fork or the exec: a note that could not be
 * written later would let the CAP_SYS_ADMIN fallback or a VM-namespace
 * target through.
 */
static __always_inline int records_made(struct task_struct *task)
{
	if (!bpf_task_storage_get(&cap_last, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE) ||
	    !bpf_task_storage_get(&cap_jit, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE) ||
	    !bpf_task_storage_get(&net_target, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE))
		return -ENOMEM;
	return 0;
}

/* A protected task's program being JITed (cap_jit). The record exists
 * (records_made), so the flag can't be lost. */
static __always_inline void jit_mark(__u32 on)
{
	__u32 *jit;
	__u64 cgid;

	if (!eci_current(&cgid))
		return;
	jit = bpf_task_storage_get(&cap_jit, bpf_get_current_task_btf(), 0, 0);
	if (jit)
		*jit = on;
}

SEC("fentry/bpf_int_jit_compile")
int BPF_PROG(eci_caps_jit_enter, struct bpf_prog *prog)
{
	jit_mark(1);
	return 0;
}

SEC("fexit/bpf_int_jit_compile")
int BPF_PROG(eci_caps_jit_exit, struct bpf_prog *prog, struct bpf_prog *ret)
{
	jit_mark(0);
	return 0;
}

/* Every fork and thread in the VM: the containers map, then out. */
SEC("lsm/task_alloc")
int BPF_PROG(eci_caps_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	__u64 cgid;

	if (ret || !eci_current(&cgid))
		return ret;
	return records_made(task);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(eci_caps_bprm_check_security, struct linux_binprm *bprm, int ret)
{
	__u64 cgid;

	if (ret || !eci_current(&cgid))
		return ret;
	return records_made(bpf_get_current_task_btf());
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

/* The VM's namespaces (knobs.bpf.c). */
extern const volatile __u32 host_net_ns;
extern const volatile __u32 host_uts_ns;
extern const volatile __u32 host_ipc_ns;

/* The allowlist, by syscall number: filled by the loader from
 * user/capops.c (libc's numbers, so each architecture gets its own). */
const volatile struct eci_cap_op cap_ops[ECI_NR_MAX] = {};

/* write's SYS_RESOURCE is for /proc/<pid>/oom_score_adj: on any other file
 * it would be a VM filesystem's reserved blocks (audit F8). A function of its
 * own: its stack is not on cap_judge's deepest call chain. */
static __noinline bool fd_on_proc(struct task_struct *task)
{
	struct file *f = eci_task_file(task, eci_syscall_arg0(task));

	return f && BPF_CORE_READ(f, f_inode, i_sb, s_magic) == PROC_SUPER_MAGIC;
}

/*
 * SCM_CREDENTIALS naming another pid asks SYS_ADMIN of the sender's pid
 * namespace's owner (scm_check_creds), init_user_ns here; the pid is looked
 * up in that namespace, so from one of its own it names only its own tasks.
 * Only on a unix socket: other families' sendmsg checks SYS_ADMIN for
 * global things (drivers' netlink families, audit N9).
 */
static __noinline bool unix_send_own_pid(struct task_struct *task)
{
	struct file *f;
	struct socket *sock;

	if (BPF_CORE_READ(task, thread_pid, level) == 0)
		return false;
	f = eci_task_file(task, eci_syscall_arg0(task));
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return false;
	sock = BPF_CORE_READ(f, private_data);
	return sock && BPF_CORE_READ(sock, sk, __sk_common.skc_family) == AF_UNIX;
}

/* What net.bpf.c noted of the socket syscall nr acts on (bind, connect,
 * accept, ioctl): ECI_SOCK_VM, ECI_SOCK_OWN, or ECI_SOCK_NONE (no socket, or another
 * syscall's note). */
static __always_inline __u32 sock_note(struct task_struct *task, long nr)
{
	struct eci_net_target *t = bpf_task_storage_get(&net_target, task, 0, 0);

	if (!t || nr < 0 || t->sock_nr != nr)
		return ECI_SOCK_NONE;
	return t->sock;
}

/*
 * A judged capability of a protected task (of container c, found by its
 * cgroup cgid, past setup) against the VM's user namespace: allowed only by
 * the entry of the syscall being made. NOAUDIT checks are probes whose
 * refusal has a fallback (sysctl ownership, the scheduler's RT limits):
 * counted, not sent as events. Returns nonzero to refuse.
 */
static __noinline int cap_decide(const struct cred *cred, int cap, unsigned int opts,
				 struct eci_container *c, __u64 cgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_hook_stats *stats;
	__u64 allow = 0;
	__u32 own = 0;
	long nr;

	nr = eci_syscall_nr(task);
	/* io_uring runs requests in its own threads, or inline under
	 * io_uring_enter, and with a personality the container registered
	 * (its own credentials, lent back): no syscall of its own, and never
	 * borrowed credentials. eci_syscall_op()'s test, spelled out: through
	 * it, clang spills nr and 6.1's verifier loses the bound of the
	 * cap_ops index below. */
	if ((BPF_CORE_READ(task, flags) & PF_IO_WORKER) || nr == ECI_NR_IO_URING_ENTER)
		nr = -1;
	else if (cred == BPF_CORE_READ(task, cred) && cred != BPF_CORE_READ(task, real_cred))
		return 0;
	if (nr >= 0 && nr < ECI_NR_MAX) {
		allow = cap_ops[nr].allow;
		own = cap_ops[nr].own;
	}
	if ((own & ECI_OWN_UTS) && BPF_CORE_READ(task, nsproxy, uts_ns, ns.inum) == host_uts_ns)
		allow = 0;
	if ((own & ECI_OWN_IPC) && BPF_CORE_READ(task, nsproxy, ipc_ns, ns.inum) == host_ipc_ns)
		allow = 0;
	if ((own & ECI_OWN_PROC_FD) && allow && !fd_on_proc(task))
		allow = 0;
	if ((own & ECI_OWN_UNIX_PID) && allow && !unix_send_own_pid(task))
		allow = 0;
	if (cap == CAP_SYS_ADMIN && (allow & (1ULL << cap))) {
		__u32 *jit = bpf_task_storage_get(&cap_jit, task, 0, 0);

		/* ioctl's SYS_ADMIN on a socket of the VM's network namespace:
		 * the VM's (phonet's resources, audit N5). */
		if ((jit && *jit) || sock_note(task, nr) == ECI_SOCK_VM)
			allow = 0;
	}
	if ((unsigned int)cap < 64 && (allow & (1ULL << cap)))
		return 0;
	stats = eci_count_call(ECI_HOOK_CAPABLE);
	if (opts & CAP_OPT_NOAUDIT)
		return !eci_count_trap(stats, c, ECI_CLASS_KERNEL);
	return eci_trap(stats, c, cgid, ECI_HOOK_CAPABLE, ECI_CLASS_KERNEL, ({
				e->arg[0] = cap;
				e->arg[1] = nr;
			}));
}

/* cap_decide for a caller that has not looked the task up: the namespace
 * first (a check in a user namespace of the container's own is its own),
 * the containers map second. Inlined: a frame of its own would put the
 * deepest call chain (capable, cap_decide, fd_on_proc, eci_task_file) past
 * 6.1's 512 bytes of combined stack. */
static __always_inline int cap_judge(const struct cred *cred, struct user_namespace *ns, int cap,
				     unsigned int opts)
{
	struct eci_container *c;
	__u64 cgid;

	if (BPF_CORE_READ(ns, level) != 0)
		return 0;
	c = eci_current(&cgid);
	if (!c || (c->flags & ECI_CF_SETUP))
		return 0;
	return cap_decide(cred, cap, opts, c, cgid);
}

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

/* A network capability: its own namespace's (but for a VM target); in the
 * VM's network namespace, NET_ADMIN, NET_RAW and NET_BIND_SERVICE are
 * refused after setup and the others judged by cap_ops. The namespace is the
 * target's: the socket's that the syscall's bind, connect, accept or ioctl acts on
 * (net.bpf.c), else the task's (--net=host). */
static __noinline int vm_net_refused(const struct cred *cred, struct user_namespace *ns, int cap,
				     unsigned int opts)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u32 sock;
	__u64 cgid;

	sock = sock_note(task, eci_syscall_op(task));
	if (sock == ECI_SOCK_OWN ||
	    (sock == ECI_SOCK_NONE && BPF_CORE_READ(task, nsproxy, net_ns, ns.inum) != host_net_ns))
		return cap == CAP_NET_ADMIN ? vm_net_target_refused(task) : 0;
	if (!((1ULL << (cap & 63)) & ECI_CAP_NET_VM))
		return cap_judge(cred, ns, cap, opts) ? -EPERM : 0;
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

	/* Called for every capability check in the VM, most of them for the
	 * free ones (every permission check's): one constant mask test sends
	 * those back first. Then the namespace, the map last. */
	if ((unsigned int)cap < 64 && ((1ULL << cap) & ECI_CAP_FREE))
		return ret;
	if ((cap == CAP_PERFMON || cap == CAP_BPF || cap == CAP_SYSLOG) &&
	    !(opts & CAP_OPT_NOAUDIT) && BPF_CORE_READ(ns, level) == 0)
		fallback_note(cap);
	if (ret)
		return ret;
	if (cap == CAP_SYS_ADMIN) {
		struct task_struct *task = bpf_get_current_task_btf();
		long nr;

		/* Every refusal below is a protected task's: the VM's own
		 * checks leave after the one lookup, and the container found
		 * is the one judged last. */
		c = eci_current(&cgid);
		if (!c)
			return 0;
		nr = eci_syscall_nr(task);
		if (fallback_refused(task, nr))
			return -EPERM;
		if (eci_nr_swap(nr))
			return swap_refused(nr);
		if (eci_fsadmin_capable(cap))
			return -EPERM;
		/* A global function's return is unknown to the verifier, which
		 * checks an LSM program's range (6.12): -EPERM or 0. */
		if (eci_mountlock_admin(nr))
			return -EPERM;
		if (BPF_CORE_READ(ns, level) != 0 || (c->flags & ECI_CF_SETUP))
			return 0;
		return cap_decide(cred, cap, opts, c, cgid) ? -EPERM : 0;
	}
	/* Inside an ioctl on a VM filesystem (fsadmin.bpf.c): resize, reserved
	 * blocks. */
	if (cap == CAP_SYS_RESOURCE && eci_fsadmin_capable(cap))
		return -EPERM;
	if ((unsigned int)cap >= 64 || !((1ULL << cap) & (ECI_CAP_DENIED | ECI_CAP_NET_ANY)))
		return cap_judge(cred, ns, cap, opts) ? -EPERM : 0;
	/* Level 0 is init_user_ns alone (its address is not in the BTF of
	 * every kernel, so no __ksym). */
	if (BPF_CORE_READ(ns, level) != 0)
		return 0;
	if ((1ULL << cap) & ECI_CAP_NET_ANY)
		return vm_net_refused(cred, ns, cap, opts) ? -EPERM : 0;
	stats = eci_count_call(ECI_HOOK_CAPABLE);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_CAPABLE, ECI_CLASS_KERNEL, e->arg[0] = cap);
}
