// SPDX-License-Identifier: GPL-2.0
/*
 * Bind sources: what a protected container may bind into its tree. Everything
 * it binds from inside its own tree stays free.
 *
 *   sb_mount (MS_BIND, MS_MOVE)  the source, judged as a string
 *   inode_follow_link            symlinks followed while that string resolves
 *   path_mount (fexit)           the end of that resolution
 *   move_mount (detached mount)  the new API's copy (open_tree(OPEN_TREE_CLONE))
 *
 * Maps: bind_allow (the container's own sources, the file-sharing
 * directories), bind_templates (per-container directories) and
 * engine_socket_paths (the engine's socket: never bound without
 * ECI_CF_SOCKET), filled by ecictl; bind_lookups and mount_scratch, this
 * policy's own.
 *
 * In sb_mount the source is only a string: the kernel resolves it after the
 * hook, with no hook on the result. So the string is judged, and the
 * resolution is made to agree with the judgement:
 *  - When the caller's root is the VM's (the runtime during setup, before
 *    pivot_root; a container that never left the VM's root), the source must
 *    be absolute; it is normalized ("//" and "." dropped) and a ".." refused,
 *    so the normalized string names exactly the place the kernel reaches
 *    provided no symlink is followed. While that lookup runs, the caller is
 *    marked (bind_lookups, until path_mount() returns) and every symlink
 *    the kernel follows for it comes to inode_follow_link, which refuses it:
 *    the allowed string is then the resolved place. The only links allowed
 *    are /proc's self, the caller's own exe (runc binds its own binary) and
 *    the links in /proc/<pid>/ns (namespace files: `ip netns`, engines).
 *    The place must be the target itself (runc binds the rootfs onto itself;
 *    crun binds a read-only path onto itself through /proc/self/fd/N, an
 *    O_PATH descriptor of the target: that one magic link passes when fd N
 *    is the target, the only link of /proc/self/fd the lookup may follow),
 *    an entry of bind_allow, or a per-container directory of bind_templates;
 *    neither the engine socket nor a directory holding it without
 *    ECI_CF_SOCKET; and a recursive bind must carry no other mount along.
 *  - Otherwise the caller's root is its own (after pivot_root): an absolute
 *    path or a plain symlink can't leave that root, and ".." stops at it. What
 *    can is a /proc magic link (/proc/<pid>/root, cwd, fd/N, map_files: the
 *    same follow-link check refuses them) and a relative path from a working
 *    directory outside the root (refused here). So any source the lookup can
 *    reach is the container's own.
 *  chroot and pivot_root can't move the root outside the current one
 *  (root.bpf.c), so "the caller's root" stays the container's.
 *  The new API resolves before its hook: move_mount sees the mount to attach.
 *  A fresh superblock (fsmount) is free; a copy must come from a mount of the
 *  caller's own namespace.
 *
 * Fail closed: a source too long to judge, a namespace with more mounts than
 * the walk covers, no room to watch a lookup, or a kernel without the mount
 * list (6.8+) refuses the bind. Remounts, unmounts and moves of the initial
 * mounts are mountlock.bpf.c's; filesystem types are fstype.bpf.c's.
 */
#include "path.bpf.h"

/* The VM's root directory (/proc/1/root), set by the loader: a caller whose
 * root is this one sees the VM's directories. s_dev in the kernel's encoding. */
const volatile __u64 vm_root_dev;
const volatile __u64 vm_root_ino;

/* uapi mount flags. */
#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_MOVE 8192
#define MS_REC 16384

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_scratch);
} mount_scratch SEC(".maps");

/* Callers whose bind source the kernel is resolving: pid_tgid -> bit 0 the
 * caller's root is the VM's, bits 1..: 1 + the fd of /proc/self/fd/N the
 * lookup may follow (0: none). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} bind_lookups SEC(".maps");

/* Entries in bind_lookups: inode_follow_link returns at once while zero. */
__u64 bind_lookups_active;

static __always_inline bool vm_root(struct task_struct *task)
{
	struct inode *ino = BPF_CORE_READ(task, fs, root.dentry, d_inode);

	return BPF_CORE_READ(ino, i_ino) == vm_root_ino &&
	       BPF_CORE_READ(ino, i_sb, s_dev) == vm_root_dev;
}

#define PROC_FD_SELF "/proc/self/fd/"
#define PROC_FD_THREAD "/proc/thread-self/fd/"
#define PROC_FD_MAX_DIGITS 7

/* N if the normalized source (n bytes, "/a/b/") is /proc/self/fd/N/ or
 * /proc/thread-self/fd/N/, else -1. */
static __always_inline int proc_fd_source(struct path_scratch *s, int n)
{
	int p, fd = 0;

	if (bytes_eq(s->src, PROC_FD_SELF, sizeof(PROC_FD_SELF) - 1))
		p = sizeof(PROC_FD_SELF) - 1;
	else if (bytes_eq(s->src, PROC_FD_THREAD, sizeof(PROC_FD_THREAD) - 1))
		p = sizeof(PROC_FD_THREAD) - 1;
	else
		return -1;
	/* The digits, then the trailing '/'. */
	if (n - 1 - p < 1 || n - 1 - p > PROC_FD_MAX_DIGITS)
		return -1;
	for (int i = 0; i < PROC_FD_MAX_DIGITS; i++) {
		char ch;

		if (p + i >= n - 1)
			break;
		ch = s->src[(p + i) & 255];
		if (ch < '0' || ch > '9')
			return -1;
		fd = fd * 10 + (ch - '0');
	}
	return fd;
}

/* The caller's fd is an open file of exactly the target's place. */
static __always_inline bool fd_is_target(struct task_struct *task, int fd,
					 const struct path *target)
{
	struct file *f = eci_task_file(task, fd);

	if (!f)
		return false;
	return BPF_CORE_READ(f, f_path.dentry) == BPF_CORE_READ(target, dentry) &&
	       BPF_CORE_READ(f, f_path.mnt) == BPF_CORE_READ(target, mnt);
}

/*
 * A normalized source /proc/self/fd/N whose fd N is the target: its fd, else
 * -1. A bind of a place onto itself shows nothing that was not there.
 */
static __always_inline int self_fd_source(struct task_struct *task, struct path_scratch *s, int n,
					  const struct path *target)
{
	int fd = proc_fd_source(s, n);

	return fd >= 0 && fd_is_target(task, fd, target) ? fd : -1;
}

static __always_inline bool bind_allowed(struct path_scratch *s, int n, __u64 root_id)
{
	s->key.prefixlen = (4 + 8 + n) * 8;
	s->key.reserved = 0;
	s->key.root_id = root_id;
	bpf_probe_read_kernel(s->key.path, sizeof(s->key.path), s->src);
	if (bpf_map_lookup_elem(&bind_allow, &s->key))
		return true;
	s->key.root_id = ECI_BIND_ALL;
	return bpf_map_lookup_elem(&bind_allow, &s->key) != NULL;
}

struct socket_ctx {
	struct path_scratch *s;
	int n;
	bool hit; /* the source is a socket or holds one */
	bool exact; /* the source is a socket */
};

static long socket_under(__u32 i, struct socket_ctx *ctx)
{
	struct eci_socket_path *sp = bpf_map_lookup_elem(&engine_socket_paths, &i);

	if (!sp || !sp->path[0])
		return 0;
	if (starts_with_src(ctx->s, sp->path, ctx->n)) {
		ctx->hit = true;
		ctx->exact = sp->path[ctx->n & (ECI_PATH_BUF - 1)] == '\0';
		return 1;
	}
	return 0;
}

struct template_ctx {
	struct path_scratch *s;
	const char *name;
	bool hit;
};

static long template_under(__u32 i, struct template_ctx *ctx)
{
	struct eci_bind_template *t = bpf_map_lookup_elem(&bind_templates, &i);

	if (!t || !t->prefix[0])
		return 0;
	if (src_is_p_name(ctx->s, t->prefix, ctx->name)) {
		ctx->hit = true;
		return 1;
	}
	return 0;
}

struct submount_ctx {
	struct task_struct *task;
	struct path_scratch *s;
	struct eci_mnt_walk walk;
	int n;
	bool hit;
};

/* One mount of the caller's namespace: is it strictly below the source? */
static long submount_under(__u32 i, struct submount_ctx *ctx)
{
	struct mount *m = eci_mnt_walk_next(&ctx->walk);
	int pos;

	if (!m)
		return 1;
	pos = path_of(ctx->task, &m->mnt, BPF_CORE_READ(m, mnt.mnt_root), ctx->s->path);
	if (pos < 0 || !path_starts_with_src(ctx->s, pos, ctx->n))
		return 0;
	/* The source itself may be a mount point; what is below it may not. */
	if (ctx->s->path[(pos + ctx->n) & (PATH_BUF - 1)] == '\0')
		return 0;
	ctx->hit = true;
	return 1;
}

struct moved_ctx {
	struct task_struct *task;
	struct path_scratch *s;
	struct eci_mnt_walk walk;
	struct eci_mount_key k; /* here, not in the callback: the stack is the caller's */
	struct mount *initial; /* the initial mount (or copy) at the source */
	__u64 root_id;
	int n_initial;
	bool found;
	bool covered;
};

/* One mount of the caller's namespace: is it mounted at the source, and is it
 * an initial one (or a copy of one)? */
static long moved_at(__u32 i, struct moved_ctx *ctx)
{
	struct mount *m = eci_mnt_walk_next(&ctx->walk);
	int pos;

	if (!m)
		return 1;
	pos = path_of(ctx->task, &m->mnt, BPF_CORE_READ(m, mnt.mnt_root), ctx->s->path);
	if (pos < 0 || !src_is_path(ctx->s, pos))
		return 0;
	ctx->found = true;
	mount_key(&ctx->k, ctx->root_id, m);
	if (bpf_map_lookup_elem(&initial_mounts, &ctx->k)) {
		ctx->initial = m;
		ctx->n_initial++;
	}
	return 0;
}

/* One mount of the caller's namespace: is it stacked right on the initial one
 * (mounted on its root)? Then the initial one is not what the lookup reaches. */
static long moved_covered(__u32 i, struct moved_ctx *ctx)
{
	struct mount *m = eci_mnt_walk_next(&ctx->walk);
	/* Through a local: BPF_CORE_READ(ctx->initial, ...) would relocate
	 * ctx's own struct, which no kernel has. */
	struct mount *initial = ctx->initial;

	if (!m)
		return 1;
	if (BPF_CORE_READ(m, mnt_parent) == initial &&
	    BPF_CORE_READ(m, mnt_mountpoint) == BPF_CORE_READ(initial, mnt.mnt_root)) {
		ctx->covered = true;
		return 1;
	}
	return 0;
}

/*
 * mount(MS_MOVE) inside the container (systemd moves its units' credential
 * mounts and new roots into place): the kernel resolves the source after
 * this hook, so the mount moved is found here by its path, from the
 * caller's root, and must not be initial; the lookup is then watched so no
 * symlink leads it to another mount. Of mounts stacked at that path the
 * lookup reaches the top one: an initial mount there passes only when
 * another is mounted on it (systemd's credentials mount a fresh ramfs over
 * /dev/shm, then move it), two initial ones never. A relative or
 * unnormalizable source, or one no mount of the namespace sits at, is
 * refused, as is a namespace larger than the walk. Returns 0 or the reason
 * to refuse it.
 */
static __always_inline int moved_mount(struct task_struct *task, struct path_scratch *s,
				       const char *dev_name, struct eci_container *c)
{
	struct moved_ctx mc = { .task = task, .s = s, .root_id = c->root_id };
	int n;

	if (mounts_unrecorded(c))
		return ECI_MNT_UNRECORDED;
	if (bpf_probe_read_kernel_str(s->raw, sizeof(s->raw), dev_name) < 0)
		return ECI_MNT_TOO_LONG;
	if (s->raw[0] != '/')
		return ECI_MNT_MOVE;
	n = normalize(s);
	if (n < 0)
		return -n;
	if (!eci_mnt_walk_init(&mc.walk, BPF_CORE_READ(task, nsproxy, mnt_ns)))
		return ECI_MNT_MOVE;
	bpf_loop(ECI_MAX_NS_MOUNTS, moved_at, &mc, 0);
	if (!mc.found || !eci_mnt_walk_done(&mc.walk))
		return ECI_MNT_MOVE;
	if (mc.n_initial > 1)
		return ECI_MNT_LOCKED;
	if (!mc.n_initial)
		return 0;
	if (!eci_mnt_walk_init(&mc.walk, BPF_CORE_READ(task, nsproxy, mnt_ns)))
		return ECI_MNT_LOCKED;
	bpf_loop(ECI_MAX_NS_MOUNTS, moved_covered, &mc, 0);
	return mc.covered ? 0 : ECI_MNT_LOCKED;
}

/*
 * Judge a bind source when the caller's root is the VM's. Returns 0 or the
 * reason to refuse it.
 */
static __always_inline int vm_side_source(struct task_struct *task, struct path_scratch *s,
					  const struct path *target, unsigned long flags,
					  struct eci_container *c, int *self_fd)
{
	struct socket_ctx sk = { .s = s };
	struct template_ctx tc = { .s = s, .name = c->name };
	struct submount_ctx sm = { .task = task, .s = s };
	struct mnt_namespace *ns;
	int n, pos;

	if (s->raw[0] != '/')
		return ECI_MNT_RELATIVE;
	n = normalize(s);
	if (n < 0)
		return -n;
	sk.n = n;
	bpf_loop(ECI_MAX_SOCKETS, socket_under, &sk, 0);
	if (sk.hit && !(c->flags & ECI_CF_SOCKET))
		return ECI_MNT_SOCKET;
	/* The socket itself, for a container allowed to use it. */
	if (sk.exact)
		return 0;
	/* Onto itself: shows nothing that was not there (runc's rootfs). */
	pos = path_of(task, BPF_CORE_READ(target, mnt), BPF_CORE_READ(target, dentry), s->path);
	if (pos >= 0 && src_is_path(s, pos))
		return 0;
	/* The same through a descriptor of the target (crun's read-only paths). */
	*self_fd = self_fd_source(task, s, n, target);
	if (*self_fd >= 0)
		return 0;
	if (!bind_allowed(s, n, c->root_id)) {
		bpf_loop(ECI_MAX_TEMPLATES, template_under, &tc, 0);
		if (!tc.hit)
			return ECI_MNT_SOURCE;
	}
	if (!(flags & MS_REC))
		return 0;
	ns = BPF_CORE_READ(task, nsproxy, mnt_ns);
	if (!eci_mnt_walk_init(&sm.walk, ns))
		return ECI_MNT_SUBMOUNTS;
	sm.n = n;
	bpf_loop(ECI_MAX_NS_MOUNTS, submount_under, &sm, 0);
	/* A namespace larger than the walk is refused, not half-checked. */
	if (sm.hit || !eci_mnt_walk_done(&sm.walk))
		return ECI_MNT_SUBMOUNTS;
	return 0;
}

SEC("lsm/sb_mount")
int BPF_PROG(eci_bind_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_hook_stats *stats;
	struct eci_container *c;
	struct path_scratch *s;
	__u32 zero = 0, is_vm, watch;
	int reason = 0, self_fd = -1, n;
	__u64 cgid, id;

	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	/* A remount is mountlock.bpf.c's. */
	if ((flags & MS_REMOUNT) || !(flags & (MS_BIND | MS_MOVE)))
		return 0;
	stats = eci_count_call(ECI_HOOK_SB_MOUNT);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	s = bpf_map_lookup_elem(&mount_scratch, &zero);
	if (!s)
		return -EPERM;
	s->raw[0] = '\0';
	s->src[0] = '\0';

	is_vm = vm_root(task);
	if (flags & MS_MOVE) {
		/* The runtime, before pivot_root, moves mounts (runc
		 * --no-pivot): nothing of its setup is initial yet. */
		if (is_vm)
			goto out;
		reason = moved_mount(task, s, dev_name, c);
		/* The string named the mount: every plain symlink on the way
		 * is refused, as for a VM-side source. */
		is_vm = 1;
	} else if (bpf_probe_read_kernel_str(s->raw, sizeof(s->raw), dev_name) < 0) {
		return -EPERM;
	} else if (is_vm) {
		reason = vm_side_source(task, s, path, flags, c, &self_fd);
	} else if (s->raw[0] != '/') {
		if (!under_root(task, BPF_CORE_READ(task, fs, pwd.mnt),
				BPF_CORE_READ(task, fs, pwd.dentry)))
			reason = ECI_MNT_RELATIVE;
	} else {
		/* A nested crun's read-only paths: the one fd link may be
		 * followed (the source is within the caller's root anyway). */
		n = normalize(s);
		if (n > 0)
			self_fd = self_fd_source(task, s, n, path);
	}
	if (!reason) {
		id = bpf_get_current_pid_tgid();
		watch = is_vm | (self_fd >= 0 ? (__u32)(self_fd + 1) << 1 : 0);
		if (!bpf_map_update_elem(&bind_lookups, &id, &watch, BPF_NOEXIST))
			__sync_fetch_and_add(&bind_lookups_active, 1);
		else if (!bpf_map_lookup_elem(&bind_lookups, &id))
			/* No room to watch the lookup: fail closed. */
			reason = ECI_MNT_SYMLINK;
	}
out:
	if (!reason)
		return 0;
	/* The detail: the source as the caller wrote it, or for a move the
	 * name of the target. */
	return eci_trap(
		stats, c, cgid, ECI_HOOK_SB_MOUNT,
		reason == ECI_MNT_SOCKET ? ECI_CLASS_SOCKET : ECI_CLASS_MOUNT, ({
			e->arg[0] = flags;
			e->arg[1] = reason;
			if (s->raw[0])
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail), s->raw);
			else
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(path, dentry, d_name.name));
		}));
}

/*
 * The lookup is over when path_mount() returns, whatever it did: the hook
 * above and the source's lookup both run inside it. Not the sys_exit_mount
 * tracepoint: attaching to any syscall tracepoint sends every system call of
 * every task in the VM through the syscall-exit slow path (about 90
 * instructions each, the whole of a stat's overhead); fexit costs only mounts.
 */
SEC("fexit/path_mount")
int BPF_PROG(eci_bind_path_mount, const char *dev_name, struct path *path, const char *type_page,
	     unsigned long flags, void *data_page, int ret)
{
	__u64 id;

	if (!bind_lookups_active)
		return 0;
	id = bpf_get_current_pid_tgid();
	if (!bpf_map_delete_elem(&bind_lookups, &id))
		__sync_fetch_and_add(&bind_lookups_active, -1);
	return 0;
}

/* name (a NUL-terminated buffer of 12) is the decimal fd. Unrolled: the
 * indices stay constants (a computed one into a stack buffer became a
 * pointer OR the verifier refuses). */
static __always_inline bool fd_name_is(const char *name, __u32 fd)
{
	__u32 v = 0;

#pragma unroll
	for (int i = 0; i < PROC_FD_MAX_DIGITS + 1; i++) {
		char ch = name[i];

		if (!ch)
			return i > 0 && v == fd;
		if (ch < '0' || ch > '9')
			return false;
		v = v * 10 + (ch - '0');
	}
	return false;
}

/*
 * A symlink the kernel follows while resolving a watched bind source. In /proc
 * only "self", "thread-self", the caller's own "exe" and the one fd link
 * sb_mount found to be the target pass; other links of /proc are magic (they
 * jump to another task's root, cwd, files). Elsewhere,
 * plain symlinks pass when the caller's root is its own (they can't leave it)
 * and are refused when it is the VM's (the string was what got judged).
 */
SEC("lsm/inode_follow_link")
int BPF_PROG(eci_bind_inode_follow_link, struct dentry *dentry, struct inode *inode, bool rcu,
	     int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u32 *is_vm, reason, fd;
	char name[12] = {}, parent[4] = {};
	__u64 id, cgid;

	if (ret)
		return ret;
	if (!bind_lookups_active)
		return 0;
	id = bpf_get_current_pid_tgid();
	is_vm = bpf_map_lookup_elem(&bind_lookups, &id);
	if (!is_vm)
		return 0;
	stats = eci_count_call(ECI_HOOK_FOLLOW_LINK);
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	if (BPF_CORE_READ(inode, i_sb, s_magic) == PROC_SUPER_MAGIC) {
		struct proc_inode *pi =
			(void *)inode - bpf_core_field_offset(struct proc_inode, vfs_inode);
		struct task_struct *task = bpf_get_current_task_btf();

		if (name_is(name, "self") || name_is(name, "thread-self"))
			return 0;
		/* /proc/<pid>/ns/<type> leads to a namespace file, no place in
		 * a filesystem: `ip netns add`, libnetwork and CNI bind their
		 * network namespace so. Another task's needs ptrace read
		 * access (proc_ns_get_link), which the process policy judges. */
		bpf_probe_read_kernel_str(parent, sizeof(parent),
					  BPF_CORE_READ(dentry, d_parent, d_name.name));
		if (name_is(parent, "ns"))
			return 0;
		if (name_is(name, "exe") &&
		    BPF_CORE_READ(pi, pid) == BPF_CORE_READ(task, group_leader, thread_pid))
			return 0;
		/* The caller's own fd N, N as sb_mount checked it. */
		fd = *is_vm >> 1;
		if (fd && name_is(parent, "fd") && fd_name_is(name, fd - 1) &&
		    (BPF_CORE_READ(pi, pid) == BPF_CORE_READ(task, group_leader, thread_pid) ||
		     BPF_CORE_READ(pi, pid) == BPF_CORE_READ(task, thread_pid)))
			return 0;
		reason = ECI_MNT_MAGIC_LINK;
	} else if (!(*is_vm & 1)) {
		return 0;
	} else {
		reason = ECI_MNT_SYMLINK;
	}
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_FOLLOW_LINK, ECI_CLASS_MOUNT, ({
				e->arg[1] = reason;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(dentry, d_name.name));
			}));
}

struct visible_ctx {
	struct list_head *head, *node;
	struct mnt_namespace *ns;
	struct dentry *d;
	bool hit;
};

/* One mount of the superblock: is it in the caller's namespace, with the
 * copied dentry below its root? */
static long visible_in_ns(__u32 i, struct visible_ctx *ctx)
{
	struct list_head *node = ctx->node;
	struct dentry *root, *d = ctx->d;
	struct mount *m;

	if (!node || node == ctx->head)
		return 1;
	ctx->node = BPF_CORE_READ(node, next);
	m = (void *)node - bpf_core_field_offset(struct mount, mnt_instance);
	if (BPF_CORE_READ(m, mnt_ns) != ctx->ns)
		return 0;
	root = BPF_CORE_READ(m, mnt.mnt_root);
	for (int j = 0; j < MAX_DEPTH; j++) {
		struct dentry *parent;

		if (d == root) {
			ctx->hit = true;
			return 1;
		}
		parent = BPF_CORE_READ(d, d_parent);
		if (parent == d)
			break;
		d = parent;
	}
	return 0;
}

/*
 * The new mount API: from_path is already resolved. A detached mount is either
 * a fresh superblock (fsmount: its only mount) or a copy (open_tree clone),
 * which must copy something the caller's namespace shows. An attached mount
 * moved is mountlock.bpf.c's.
 */
SEC("lsm/move_mount")
int BPF_PROG(eci_bind_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vfsmount *vmnt = BPF_CORE_READ(from_path, mnt);
	struct list_head *first, *second;
	struct eci_hook_stats *stats;
	struct visible_ctx v = {};
	struct eci_container *c;
	struct super_block *sb;
	__u64 cgid;

	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	if (BPF_CORE_READ(real_mount(vmnt), mnt_ns, seq) != 0)
		return 0;
	stats = eci_count_call(ECI_HOOK_MOVE_MOUNT);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	sb = BPF_CORE_READ(vmnt, mnt_sb);
	v.head = (void *)sb + bpf_core_field_offset(struct super_block, s_mounts);
	first = BPF_CORE_READ(sb, s_mounts.next);
	second = first ? BPF_CORE_READ(first, next) : NULL;
	if (second == v.head)
		return 0;
	if (!vm_root(task)) {
		v.node = first;
		v.ns = BPF_CORE_READ(task, nsproxy, mnt_ns);
		v.d = BPF_CORE_READ(from_path, dentry);
		bpf_loop(MAX_SB_MOUNTS, visible_in_ns, &v, 0);
		if (v.hit)
			return 0;
	}
	return eci_trap(stats, c, cgid, ECI_HOOK_MOVE_MOUNT, ECI_CLASS_MOUNT, ({
				e->arg[1] = ECI_MNT_CLONE;
				bpf_probe_read_kernel_str(
					e->detail, sizeof(e->detail),
					BPF_CORE_READ(from_path, dentry, d_name.name));
			}));
}
