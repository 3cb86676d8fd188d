/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every policy program shares: the maps (maps.bpf.h), how the current
 * task's container is found, and how a trap is counted, reported and turned
 * into a verdict.
 */
#ifndef ECI_BPF_H
#define ECI_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "eci.h"

#define EPERM 1
#define ENOMEM 12
#define EDQUOT 122

/* Macros, so not in BTF: stable kernel ABI values. */
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define S_IFMT 00170000
#define S_IFBLK 0060000
#define S_IFCHR 0020000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFSOCK 0140000
#define SB_RDONLY 1
#define AF_UNIX 1
/* Filesystem magics (uapi linux/magic.h). */
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572
#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define DEBUGFS_MAGIC 0x64626720
#define TRACEFS_MAGIC 0x74726163
#define SECURITYFS_MAGIC 0x73636673
#define CONFIGFS_MAGIC 0x62656570
#define PSTOREFS_MAGIC 0x6165676C
#define EFIVARFS_MAGIC 0xde5e81e4
#define BINFMTFS_MAGIC 0x42494e4d
#define BPF_FS_MAGIC 0xcafe4a11
#define PERF_SECURITY_OPEN 0

#include "maps.bpf.h"

/* Records a container's initial mounts when its setup ends (mountlock.bpf.c). */
extern int eci_mountlock_snapshot(__u64 root_id);
/* The initial-mount policy's say on a CAP_SYS_ADMIN check made in syscall nr
 * (mountlock.bpf.c). */
extern int eci_mountlock_admin(long nr);
/* The filesystem-administration policy's say on a CAP_SYS_ADMIN or
 * CAP_SYS_RESOURCE check made inside an ioctl (fsadmin.bpf.c). */
extern int eci_fsadmin_capable(int cap);
/* The container rule, applied by every program of a mount or root change
 * before it looks the task up (container.bpf.c): 0, or -ENOMEM when the
 * task's cgroup should have become a container and the map had no room. */
extern int eci_container_catch(void);

/* Syscall numbers: those added since 5.1 are the same on every architecture. */
#define ECI_NR_FSPICK 433
#define ECI_NR_MOUNT_SETATTR 442

/* Kernel version differences, all in one place. */
#include "compat.bpf.h"

/* The syscall the task is in: where the architecture's pt_regs keeps it. */
struct pt_regs___eci_x86 {
	unsigned long orig_ax;
	unsigned long di;
} __attribute__((preserve_access_index));

struct pt_regs___eci_arm64 {
	int syscallno;
	__u64 orig_x0;
} __attribute__((preserve_access_index));

static __always_inline long eci_syscall_nr(struct task_struct *task)
{
	void *regs = (void *)bpf_task_pt_regs(task);

	if (bpf_core_field_exists(struct pt_regs___eci_x86, orig_ax))
		return BPF_CORE_READ((struct pt_regs___eci_x86 *)regs, orig_ax);
	return BPF_CORE_READ((struct pt_regs___eci_arm64 *)regs, syscallno);
}

/* The same number in x86-64's table and the generic one. */
#define ECI_NR_IO_URING_ENTER 426
#define PF_IO_WORKER 0x00000010

/* The syscall that names the operation a task is doing, or -1: io_uring
 * runs requests in its own threads, or inline under io_uring_enter, so
 * there the syscall names none of them. */
static __always_inline long eci_syscall_op(struct task_struct *task)
{
	long nr = eci_syscall_nr(task);

	if ((BPF_CORE_READ(task, flags) & PF_IO_WORKER) || nr == ECI_NR_IO_URING_ENTER)
		return -1;
	return nr;
}

/* The syscall's first argument (x0 is the return value's register on arm64,
 * so its entry value is kept in orig_x0). */
static __always_inline long eci_syscall_arg0(struct task_struct *task)
{
	void *regs = (void *)bpf_task_pt_regs(task);

	if (bpf_core_field_exists(struct pt_regs___eci_x86, orig_ax))
		return BPF_CORE_READ((struct pt_regs___eci_x86 *)regs, di);
	return BPF_CORE_READ((struct pt_regs___eci_arm64 *)regs, orig_x0);
}

/* The task's open file of descriptor fd, or NULL. */
static __always_inline struct file *eci_task_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;

	if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), fds + fd))
		return NULL;
	return f;
}

/* swapon and swapoff predate the common numbering: x86-64's own, else the
 * generic table's (arm64). */
#define ECI_NR_SWAPON_X86 167
#define ECI_NR_SWAPOFF_X86 168
#define ECI_NR_SWAPON_GENERIC 224
#define ECI_NR_SWAPOFF_GENERIC 225

static __always_inline bool eci_nr_swap(long nr)
{
	if (bpf_core_field_exists(struct pt_regs___eci_x86, orig_ax))
		return nr == ECI_NR_SWAPON_X86 || nr == ECI_NR_SWAPOFF_X86;
	return nr == ECI_NR_SWAPON_GENERIC || nr == ECI_NR_SWAPOFF_GENERIC;
}

/* fanotify_mark: x86-64's own number, else the generic table's (arm64). */
#define ECI_NR_FANOTIFY_MARK_X86 301
#define ECI_NR_FANOTIFY_MARK_GENERIC 263

static __always_inline bool eci_nr_fanotify_mark(long nr)
{
	if (bpf_core_field_exists(struct pt_regs___eci_x86, orig_ax))
		return nr == ECI_NR_FANOTIFY_MARK_X86;
	return nr == ECI_NR_FANOTIFY_MARK_GENERIC;
}

/* Filesystems that are windows on global kernel state, with no per-container
 * view: a protected container neither mounts them (fstype.bpf.c) nor opens
 * their files where the VM mounted them (knobs.bpf.c). */
static __always_inline bool eci_kernel_fs(unsigned long magic)
{
	switch (magic) {
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case CONFIGFS_MAGIC:
	case PSTOREFS_MAGIC:
	case EFIVARFS_MAGIC:
	case BINFMTFS_MAGIC:
		return true;
	}
	return false;
}

static __always_inline struct eci_hook_stats *eci_count_call(enum eci_hook hook)
{
	__u32 key = hook;
	struct eci_hook_stats *s = bpf_map_lookup_elem(&hook_stats, &key);

	if (s)
		s->calls++;
	return s;
}

/*
 * The fail-closed path: only taken when a sub-cgroup of a container could not
 * be given its own entry, so the common miss costs one hash lookup and one
 * inlined array load. The walk starts at the parent: the cgroup itself already
 * missed. An orphan below a protected subtree gets the subtree's entry: the
 * defaults, denying.
 */
static __noinline struct eci_container *eci_lookup_ancestors(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	int level = BPF_CORE_READ(task, cgroups, dfl_cgrp, level);

	for (int i = 1; i < ECI_MAX_CGROUP_DEPTH; i++) {
		struct eci_container *c;
		__u64 id;

		if (level - i < 1)
			break;
		id = bpf_get_current_ancestor_cgroup_id(level - i);
		c = bpf_map_lookup_elem(&containers, &id);
		if (c)
			return c;
	}
	return NULL;
}

/* The container the current task belongs to, or NULL if it is unprotected. */
static __always_inline struct eci_container *eci_current(__u64 *cgid)
{
	struct eci_container *c;
	struct eci_state *st;
	__u32 zero = 0;

	*cgid = bpf_get_current_cgroup_id();
	c = bpf_map_lookup_elem(&containers, cgid);
	if (c)
		return c->flags & ECI_CF_SUBTREE ? NULL : c;
	st = bpf_map_lookup_elem(&state, &zero);
	if (st && st->orphans)
		return eci_lookup_ancestors();
	return NULL;
}

/* Task p belongs to container c: its cgroup's entry carries the same root
 * id. A task of the VM, of another container, or in a cgroup the map had no
 * room for (an orphan) does not. The process policy's rule, and the
 * kernel-files policy's for /proc/<pid> writes. */
static __always_inline bool eci_same_container(const struct eci_container *c, struct task_struct *p)
{
	__u64 id = BPF_CORE_READ(p, cgroups, dfl_cgrp, kn, id);
	struct eci_container *t = bpf_map_lookup_elem(&containers, &id);

	return t && t->root_id == c->root_id && !(t->flags & ECI_CF_SUBTREE);
}

/*
 * A token bucket per container: true if this trap may send an event. Races
 * between CPUs can let a few more through; the count of the rest is exact.
 */
static __always_inline bool eci_event_allowed(__u64 root_id)
{
	struct eci_event_budget *b, fresh = { .tokens = ECI_EVENT_BURST - 1 };
	__u64 now = bpf_ktime_get_ns(), refill;
	__u32 zero = 0;
	struct eci_state *st;

	b = bpf_map_lookup_elem(&event_budget, &root_id);
	if (!b) {
		fresh.last_ns = now;
		bpf_map_update_elem(&event_budget, &root_id, &fresh, BPF_NOEXIST);
		return true;
	}
	refill = (now - b->last_ns) * ECI_EVENT_RATE / 1000000000ULL;
	if (refill) {
		b->tokens =
			b->tokens + refill > ECI_EVENT_BURST ? ECI_EVENT_BURST : b->tokens + refill;
		b->last_ns = now;
	}
	if (b->tokens) {
		b->tokens--;
		return true;
	}
	st = bpf_map_lookup_elem(&state, &zero);
	if (st)
		__sync_fetch_and_add(&st->event_throttled, 1);
	return false;
}

/* Audit mode: the container's own flag, or the VM-wide switch. */
static __always_inline int eci_audit(const struct eci_container *c)
{
	struct eci_config *cfg;
	__u32 zero = 0;

	if (c->flags & ECI_CF_AUDIT)
		return 1;
	cfg = bpf_map_lookup_elem(&global_config, &zero);
	return cfg && (cfg->flags & ECI_CONFIG_AUDIT);
}

/* Per-container, per-class trap counters. A container's entry is made at its
 * first trap and dropped with its cgroup; if the map is full the trap is still
 * counted per hook and in state.stats_full. */
static __always_inline void eci_count_class(__u64 root_id, __u32 cls, int audit)
{
	struct eci_container_stats zero_stats = {}, *cs;

	if (cls >= ECI_CLASS_MAX)
		return;
	cs = bpf_map_lookup_elem(&container_stats, &root_id);
	if (!cs) {
		bpf_map_update_elem(&container_stats, &root_id, &zero_stats, BPF_NOEXIST);
		cs = bpf_map_lookup_elem(&container_stats, &root_id);
	}
	if (!cs) {
		__u32 zero = 0;
		struct eci_state *st = bpf_map_lookup_elem(&state, &zero);

		if (st)
			__sync_fetch_and_add(&st->stats_full, 1);
		return;
	}
	if (audit)
		cs->audits[cls]++;
	else
		cs->denials[cls]++;
}

/* Count a trap (per hook and per container and class) and return its verdict:
 * 1 if the container is in audit mode (allowed), 0 if denied. */
static __always_inline int eci_count_trap(struct eci_hook_stats *stats,
					  const struct eci_container *c, __u32 cls)
{
	int audit = eci_audit(c);

	if (stats) {
		if (audit)
			stats->audits++;
		else
			stats->denials++;
	}
	eci_count_class(c->root_id, cls, audit);
	return audit;
}

/*
 * Count the trap, send its event and return what the hook returns: -EPERM,
 * or 0 for a container in audit mode. The event is reserved here and filled
 * by the caller's `fill` statement through `e`, so details cost nothing when
 * the container is over its event rate or the ring buffer is full (each is
 * counted instead).
 */
#define eci_trap(stats, c, cgid, hk, cls, fill)                                                    \
	({                                                                                         \
		int __audit = eci_count_trap((stats), (c), (cls));                                 \
		int __ret = __audit ? 0 : -EPERM;                                                  \
		struct eci_event *e;                                                               \
		bool __send;                                                                       \
                                                                                                   \
		__send = eci_event_allowed((c)->root_id);                                          \
		e = __send ? bpf_ringbuf_reserve(&events, sizeof(*e), 0) : (void *)0;              \
		if (e) {                                                                           \
			__u64 __pid_tgid = bpf_get_current_pid_tgid();                             \
                                                                                                   \
			e->ts_ns = bpf_ktime_get_ns();                                             \
			e->cgroup_id = (cgid);                                                     \
			e->root_id = (c)->root_id;                                                 \
			e->pid = __pid_tgid >> 32;                                                 \
			e->tid = (__u32)__pid_tgid;                                                \
			e->hook = (hk);                                                            \
			e->class = (cls);                                                          \
			e->verdict = __audit ? ECI_VERDICT_AUDIT : ECI_VERDICT_DENY;               \
			e->err = __ret;                                                            \
			e->arg[0] = 0;                                                             \
			e->arg[1] = 0;                                                             \
			e->detail[0] = '\0';                                                       \
			bpf_get_current_comm(e->comm, sizeof(e->comm));                            \
			__builtin_memcpy(e->container, (c)->name, sizeof(e->container));           \
			fill;                                                                      \
			bpf_ringbuf_submit(e, 0);                                                  \
		} else if (__send) {                                                               \
			__u32 __zero = 0;                                                          \
			struct eci_state *__st = bpf_map_lookup_elem(&state, &__zero);             \
                                                                                                   \
			if (__st)                                                                  \
				__sync_fetch_and_add(&__st->event_drops, 1);                       \
		}                                                                                  \
		__ret;                                                                             \
	})

#endif /* ECI_BPF_H */
