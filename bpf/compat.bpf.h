/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version differences, all here: the programs are written against
 * vmlinux/<arch>/vmlinux.h (Debian 12's 6.1), and what later kernels changed
 * is probed with CO-RE (bpf_core_field_exists & co, resolved by libbpf
 * against the running kernel's BTF), never by comparing version numbers.
 * The one difference a probe can't bridge, a hook whose arguments changed
 * (perf_event_open), is a choice of program the loader makes
 * (user/loader.c, eci_kernel_probe).
 */
#ifndef ECI_COMPAT_BPF_H
#define ECI_COMPAT_BPF_H

/* Kernels from 6.15 on renamed kernfs_node::parent to __parent. */
struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___new, __parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ(kn, parent);
}

/*
 * The mounts of a mount namespace: a list (mnt_namespace::list, linked by
 * mount::mnt_list) before 6.8, an rbtree ordered by mount id
 * (mnt_namespace::mounts, mount::mnt_node) from 6.8 on. A walk is one mount
 * per step, so it runs in a bpf_loop callback; the rbtree is walked in order
 * through the nodes' parent pointers, no stack needed.
 */
struct mnt_namespace___rb {
	struct rb_root mounts;
} __attribute__((preserve_access_index));

struct mount___rb {
	struct rb_node mnt_node;
} __attribute__((preserve_access_index));

/* A red-black tree of n nodes is at most 2*log2(n+1) deep: 64 is more than
 * any namespace can hold. A deeper walk is marked broken, not trusted. */
#define ECI_RB_DEPTH 64

struct eci_mnt_walk {
	void *pos; /* the next list_head or rb_node; NULL or head at the end */
	void *head; /* the list's head; NULL for an rbtree */
	bool broken;
};

static __always_inline bool eci_mnt_rbtree(void)
{
	return bpf_core_field_exists(struct mnt_namespace___rb, mounts);
}

static __always_inline struct rb_node *eci_rb_leftmost(struct rb_node *n, struct eci_mnt_walk *w)
{
	for (int i = 0; n && i < ECI_RB_DEPTH; i++) {
		struct rb_node *l = BPF_CORE_READ(n, rb_left);

		if (!l)
			return n;
		n = l;
	}
	if (n)
		w->broken = true;
	return NULL;
}

static __always_inline struct rb_node *eci_rb_next(struct rb_node *n, struct eci_mnt_walk *w)
{
	struct rb_node *r = BPF_CORE_READ(n, rb_right);

	if (r)
		return eci_rb_leftmost(r, w);
	/* Up while coming from a right child: the first parent reached from
	 * its left is next. The low two bits of the parent word are colour. */
	for (int i = 0; i < ECI_RB_DEPTH; i++) {
		struct rb_node *p = (void *)(BPF_CORE_READ(n, __rb_parent_color) & ~3UL);

		if (!p || BPF_CORE_READ(p, rb_right) != n)
			return p;
		n = p;
	}
	w->broken = true;
	return NULL;
}

/* Start a walk over ns's mounts; false if this kernel has neither layout
 * (the loader refuses such a kernel, see eci_kernel_probe). */
static __always_inline bool eci_mnt_walk_init(struct eci_mnt_walk *w, struct mnt_namespace *ns)
{
	struct list_head *head;

	w->broken = false;
	w->head = NULL;
	if (eci_mnt_rbtree()) {
		w->pos = eci_rb_leftmost(
			BPF_CORE_READ((struct mnt_namespace___rb *)ns, mounts.rb_node), w);
		return true;
	}
	if (!bpf_core_field_exists(ns->list))
		return false;
	/* Through a local: BPF_CORE_READ(w->head, ...) would relocate w's own
	 * struct, which no kernel has. */
	head = (void *)ns + bpf_core_field_offset(struct mnt_namespace, list);
	w->head = head;
	w->pos = BPF_CORE_READ(head, next);
	return true;
}

/* The walk's next mount, or NULL at its end. */
static __always_inline struct mount *eci_mnt_walk_next(struct eci_mnt_walk *w)
{
	void *pos = w->pos;

	if (!pos || pos == w->head)
		return NULL;
	if (eci_mnt_rbtree()) {
		w->pos = eci_rb_next(pos, w);
		return pos - bpf_core_field_offset(struct mount___rb, mnt_node);
	}
	w->pos = BPF_CORE_READ((struct list_head *)pos, next);
	return pos - bpf_core_field_offset(struct mount, mnt_list);
}

/* True once the walk has seen every mount: a walk cut short by its bound
 * (or a tree too deep) is not complete, and the callers fail closed. */
static __always_inline bool eci_mnt_walk_done(const struct eci_mnt_walk *w)
{
	return !w->broken && (!w->pos || w->pos == w->head);
}

/*
 * The perf event type the caller asked for, where the event is allocated
 * (the perf_event_alloc program): by then a PMU's init may have rewritten
 * attr.type (6.12 moves the cpu-clock and task-clock software events to PMUs
 * of their own, with dynamic types); perf_event::orig_type keeps the
 * original. Without that field (6.1, where the loader chooses the
 * perf_event_open program anyway) attr.type is all there is.
 */
struct perf_event___orig {
	__u32 orig_type;
} __attribute__((preserve_access_index));

static __always_inline __u32 eci_perf_type(struct perf_event *event)
{
	if (bpf_core_field_exists(struct perf_event___orig, orig_type))
		return BPF_CORE_READ((struct perf_event___orig *)event, orig_type);
	return BPF_CORE_READ(event, attr.type);
}

/*
 * A hook's pointer argument that may be NULL, as a number. 6.12's verifier
 * takes every struct pointer an LSM hook is given as trusted, hence never
 * NULL, and hard-wires a test of it: `if (cred)` in task_kill became always
 * true, though cred is NULL for every ordinary signal. bpf_get_func_arg()
 * hands the same slot over as a plain number, which both kernels test as
 * written. 0 if the hook has no argument n.
 */
static __always_inline __u64 eci_arg_nullable(void *ctx, __u32 n)
{
	__u64 v = 0;

	bpf_get_func_arg(ctx, n, &v);
	return v;
}

#endif /* ECI_COMPAT_BPF_H */
