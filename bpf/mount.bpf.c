// SPDX-License-Identifier: GPL-2.0
/*
 * Mount policy: what a protected container may mount, bind, remount, unmount
 * and move. Everything it does inside its own tree stays free; what it can
 * write in the filesystems it mounts is the kernel-files policy's business
 * (kernel.bpf.c), and a block-device filesystem needs the device assigned
 * (device.bpf.c).
 *
 * Filesystems (sb_set_mnt_opts): vfs_get_tree() calls it once the superblock
 * exists, for mount(2) and fsconfig(FSCONFIG_CMD_CREATE) alike, and for
 * single-instance filesystems whose superblock already exists: the filesystem
 * is known by its magic, not by a type string the caller wrote.
 *
 * Bind sources (sb_mount, inode_follow_link, the mount syscall's exit). In
 * sb_mount the source is only a string: the kernel resolves it after the hook,
 * with no hook on the result. So the string is judged, and the resolution is
 * made to agree with the judgement:
 *  - When the caller's root is the VM's (the runtime during setup, before
 *    pivot_root; a container that never left the VM's root), the source must
 *    be absolute; it is normalized ("//" and "." dropped) and a ".." refused,
 *    so the normalized string names exactly the place the kernel reaches
 *    provided no symlink is followed. While that lookup runs, the caller is
 *    marked (bind_lookups, until the mount syscall returns) and every symlink
 *    the kernel follows for it comes to inode_follow_link, which refuses it:
 *    the allowed string is then the resolved place. The only links allowed
 *    are /proc's self and the caller's own exe (runc binds its own binary).
 *    The place must be the target itself (runc binds the rootfs onto itself),
 *    an entry of bind_allow (the container's own sources, the file-sharing
 *    directories), or a per-container directory of bind_templates; neither
 *    the engine socket nor a directory holding it without ECI_CF_SOCKET; and
 *    a recursive bind must carry no other mount along.
 *  - Otherwise the caller's root is its own (after pivot_root): an absolute
 *    path or a plain symlink can't leave that root, and ".." stops at it. What
 *    can is a /proc magic link (/proc/<pid>/root, cwd, fd/N, map_files: the
 *    same follow-link check refuses them) and a relative path from a working
 *    directory outside the root (refused here). So any source the lookup can
 *    reach is the container's own.
 *  chroot and pivot_root can't move the root outside the current one (their
 *  hooks see resolved paths), so "the caller's root" stays the container's.
 *  The new API resolves before its hook: move_mount sees the mount to attach.
 *  A fresh superblock (fsmount) is free; a copy (open_tree(OPEN_TREE_CLONE))
 *  must come from a mount of the caller's own namespace.
 *
 * Initial mounts (sb_mount's MS_REMOUNT, sb_umount, move_mount): when setup
 * ends, the container's namespace is recorded (eci_mount_snapshot). Their
 * restrictions can't be relaxed by a remount, and those that sit where they
 * sat at setup (the container's /, /proc, the masks over /proc/kcore...)
 * can't be unmounted or moved away; copies of them in a bind or an inner
 * namespace are the same mounts by their key (eci.h). mount_setattr() and
 * fspick() have no hook that sees what they change on 6.1, so after setup
 * they are refused at their capability check (eci_mount_admin); mount(2)
 * does the same jobs.
 */
#include "eci.bpf.h"

/* The VM's root directory (/proc/1/root), set by the loader: a caller whose
 * root is this one sees the VM's directories. s_dev in the kernel's encoding. */
const volatile __u64 vm_root_dev;
const volatile __u64 vm_root_ino;

/* uapi mount flags and the kernel's mount flags they become. */
#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_REMOUNT 32
#define MS_NOATIME 1024
#define MS_NODIRATIME 2048
#define MS_BIND 4096
#define MS_MOVE 8192
#define MS_REC 16384
#define MS_RELATIME (1 << 21)
#define MS_STRICTATIME (1 << 24)
#define MNT_NOSUID 0x01
#define MNT_NODEV 0x02
#define MNT_NOEXEC 0x04
#define MNT_NOATIME 0x08
#define MNT_NODIRATIME 0x10
#define MNT_RELATIME 0x20
#define MNT_READONLY 0x40
#define MNT_RESTRICT (MNT_READONLY | MNT_NOSUID | MNT_NODEV | MNT_NOEXEC)
#define MNT_ATIME_MASK (MNT_NOATIME | MNT_NODIRATIME | MNT_RELATIME)

/* Path buffers: powers of two so masked offsets stay inside. Names up to 127
 * bytes: Docker names directories after 64-hex ids plus a suffix. */
#define PATH_BUF 512
#define NAME_MAX_WALKED 128
#define MAX_DEPTH 32
#define MAX_SB_MOUNTS 32

/* i & mask, in the register the access uses: the compiler would drop a mask
 * it can prove redundant, and the verifier would then see an unbounded copy. */
#define IDX(i, mask)                                                                               \
	({                                                                                         \
		__u32 __i = (i);                                                                   \
		asm volatile("%0 &= " #mask : "+r"(__i));                                          \
		__i;                                                                               \
	})

struct scratch {
	char raw[256];
	char src[256];
	char path[PATH_BUF + NAME_MAX_WALKED];
	struct eci_bind_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} mount_scratch SEC(".maps");

/* Callers whose bind source the kernel is resolving: pid_tgid -> vm_root. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} bind_lookups SEC(".maps");

/* Entries in bind_lookups: inode_follow_link returns at once while zero. */
__u64 bind_lookups_active;

static __always_inline struct mount *real_mount(struct vfsmount *mnt)
{
	return (void *)mnt - bpf_core_field_offset(struct mount, mnt);
}

static __always_inline bool vm_root(struct task_struct *task)
{
	struct inode *ino = BPF_CORE_READ(task, fs, root.dentry, d_inode);

	return BPF_CORE_READ(ino, i_ino) == vm_root_ino &&
	       BPF_CORE_READ(ino, i_sb, s_dev) == vm_root_dev;
}

/* One step of a walk from (m, d) up to the task's root: dentry by dentry,
 * across mounts. With a buffer, it also writes the names it passes, backwards. */
struct walk {
	struct vfsmount *rmnt;
	struct dentry *rd;
	struct mount *m;
	struct dentry *d;
	char *buf;
	int pos;
	int found; /* 1: reached the root; -1: outside it, or does not fit */
};

static long walk_up(__u32 i, struct walk *w)
{
	struct dentry *d = w->d;
	struct mount *m = w->m;
	const unsigned char *name;
	__u32 len;
	int pos;

	if (d == w->rd && &m->mnt == w->rmnt) {
		w->found = 1;
		if (!w->buf)
			return 1;
		pos = w->pos - 1;
		if (pos < 0) {
			w->found = -1;
			return 1;
		}
		w->buf[pos & (PATH_BUF - 1)] = '/';
		w->pos = pos;
		return 1;
	}
	if (d == BPF_CORE_READ(m, mnt.mnt_root)) {
		struct mount *parent = BPF_CORE_READ(m, mnt_parent);

		if (parent == m) {
			w->found = -1;
			return 1;
		}
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->m = parent;
		return 0;
	}
	w->d = BPF_CORE_READ(d, d_parent);
	if (!w->buf)
		return 0;
	name = BPF_CORE_READ(d, d_name.name);
	len = BPF_CORE_READ(d, d_name.len);
	pos = w->pos;
	if (len >= NAME_MAX_WALKED || pos < (int)len + 2 || pos > PATH_BUF - 1) {
		w->found = -1;
		return 1;
	}
	pos--;
	w->buf[pos & (PATH_BUF - 1)] = '/';
	pos -= len;
	bpf_probe_read_kernel(&w->buf[pos & (PATH_BUF - 1)], len & (NAME_MAX_WALKED - 1), name);
	w->pos = pos;
	return 0;
}

static __always_inline void walk_init(struct walk *w, struct task_struct *task,
				      struct vfsmount *vmnt, struct dentry *d, char *buf)
{
	w->rmnt = BPF_CORE_READ(task, fs, root.mnt);
	w->rd = BPF_CORE_READ(task, fs, root.dentry);
	w->m = real_mount(vmnt);
	w->d = d;
	w->buf = buf;
	w->pos = PATH_BUF - 1;
	w->found = 0;
	if (buf)
		buf[PATH_BUF - 1] = '\0';
}

/* Is (mnt, d) at or below the task's root? A walk too deep answers no. */
static __always_inline bool under_root(struct task_struct *task, struct vfsmount *vmnt,
				       struct dentry *d)
{
	struct walk w;

	walk_init(&w, task, vmnt, d, NULL);
	bpf_loop(2 * MAX_DEPTH, walk_up, &w, 0);
	return w.found == 1;
}

/*
 * The path of (mnt, d) from the task's root, normalized like a bind source
 * ("/a/b/", "/"), built backwards in buf. Returns its offset in buf, or -1 if
 * it is not below the root or does not fit.
 */
static __always_inline int path_of(struct task_struct *task, struct vfsmount *vmnt,
				   struct dentry *d, char *buf)
{
	struct walk w;

	walk_init(&w, task, vmnt, d, buf);
	bpf_loop(2 * MAX_DEPTH, walk_up, &w, 0);
	return w.found == 1 ? w.pos : -1;
}

struct norm {
	struct scratch *s;
	int o, seg, ret;
};

/* One byte of the source: see normalize(). A finished segment is judged by
 * what was copied of it: "." is taken back, ".." refused. */
static long norm_step(__u32 i, struct norm *n)
{
	char ch = n->s->raw[IDX(i + 1, 255)];
	int o = n->o;

	if (o < 1 || o >= ECI_PATH_LEN - 1) {
		n->ret = -ECI_MNT_TOO_LONG;
		return 1;
	}
	if (ch == '/' || ch == '\0') {
		char last = n->s->src[IDX(o - 1, 255)], before = n->s->src[IDX(o - 2, 255)];

		if (n->seg == 1 && last == '.') {
			o--;
		} else if (n->seg == 2 && last == '.' && before == '.') {
			n->ret = -ECI_MNT_DOTDOT;
			return 1;
		} else if (n->seg) {
			n->s->src[IDX(o, 255)] = '/';
			o++;
		}
		n->seg = 0;
		n->o = o;
		if (ch == '\0') {
			n->s->src[IDX(o, 255)] = '\0';
			n->ret = o;
			return 1;
		}
		return 0;
	}
	n->s->src[IDX(o, 255)] = ch;
	n->o = o + 1;
	n->seg++;
	return 0;
}

/*
 * Normalize an absolute source into s->src: "/a/b/" (root: "/"). Returns its
 * length, or -(reason) for a ".." or a source too long to judge.
 */
static __always_inline int normalize(struct scratch *s)
{
	struct norm n = { .s = s, .o = 1, .ret = -ECI_MNT_TOO_LONG };

	s->src[0] = '/';
	bpf_loop(ECI_PATH_LEN, norm_step, &n, 0);
	return n.ret;
}

/*
 * String compares, one byte per bpf_loop step: the verifier checks a step
 * once instead of every byte position of every caller.
 */
struct cmp {
	struct scratch *s;
	const char *p; /* a bind_templates or engine_socket_paths string, or NULL */
	const char *name; /* a container name (ECI_NAME_LEN) */
	int pos; /* offset in s->path */
	int n; /* length of s->src */
	int off; /* offset in s->src */
	int res; /* 1 yes, 0 no, -1 undecided */
};

/* s->src equals (n < 0) or is a prefix of (n >= 0) the string at s->path[pos]. */
static long cmp_src_path(__u32 i, struct cmp *c)
{
	__u32 k = IDX(i, 255), at = IDX(c->pos + k, 511);
	char a = c->s->src[k], b = c->s->path[at];

	if (c->n >= 0 && (int)k >= c->n) {
		c->res = 1;
		return 1;
	}
	if (a != b) {
		c->res = 0;
		return 1;
	}
	if (a == '\0') {
		c->res = 1;
		return 1;
	}
	return 0;
}

/* p starts with s->src (n bytes). */
static long cmp_p_starts_src(__u32 i, struct cmp *c)
{
	__u32 k = IDX(i, 255);

	if ((int)k >= c->n) {
		c->res = 1;
		return 1;
	}
	if (c->s->src[k] != c->p[k]) {
		c->res = 0;
		return 1;
	}
	return 0;
}

/* s->src starts with p; c->off becomes p's length. */
static long cmp_src_starts_p(__u32 i, struct cmp *c)
{
	__u32 k = IDX(i, 255);

	if (c->p[k] == '\0') {
		c->off = k;
		c->res = 1;
		return 1;
	}
	if (c->s->src[k] != c->p[k]) {
		c->res = 0;
		return 1;
	}
	return 0;
}

/* s->src at c->off continues with name and a '/'. */
static long cmp_src_name(__u32 i, struct cmp *c)
{
	__u32 k = IDX(i, 63), at = IDX(c->off + k, 255);
	char a = c->s->src[at];

	if (c->name[k] == '\0') {
		c->res = k > 0 && a == '/';
		return 1;
	}
	/* A name cut to fit (a 64-hex id keeps 63 digits): any one more
	 * character, then the '/'. */
	if (k == ECI_NAME_LEN - 2 && c->name[IDX(k + 1, 63)] == '\0' && a == c->name[k]) {
		c->res = c->s->src[IDX(at + 1, 255)] != '/' && c->s->src[IDX(at + 2, 255)] == '/';
		return 1;
	}
	if (a != c->name[k]) {
		c->res = 0;
		return 1;
	}
	return 0;
}

static __always_inline bool src_is_path(struct scratch *s, int pos)
{
	struct cmp c = { .s = s, .pos = pos, .n = -1 };

	bpf_loop(ECI_PATH_LEN, cmp_src_path, &c, 0);
	return c.res == 1;
}

static __always_inline bool path_starts_with_src(struct scratch *s, int pos, int n)
{
	struct cmp c = { .s = s, .pos = pos, .n = n };

	bpf_loop(ECI_PATH_LEN, cmp_src_path, &c, 0);
	return c.res == 1;
}

static __always_inline bool bind_allowed(struct scratch *s, int n, __u64 root_id)
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
	struct scratch *s;
	int n;
	bool hit; /* the source is a socket or holds one */
	bool exact; /* the source is a socket */
};

static long socket_under(__u32 i, struct socket_ctx *ctx)
{
	struct eci_socket_path *sp = bpf_map_lookup_elem(&engine_socket_paths, &i);

	struct cmp c = { .s = ctx->s, .n = ctx->n };

	if (!sp || !sp->path[0])
		return 0;
	c.p = sp->path;
	bpf_loop(ECI_PATH_LEN, cmp_p_starts_src, &c, 0);
	if (c.res == 1) {
		ctx->hit = true;
		ctx->exact = sp->path[ctx->n & (ECI_PATH_BUF - 1)] == '\0';
		return 1;
	}
	return 0;
}

struct template_ctx {
	struct scratch *s;
	const char *name;
	bool hit;
};

static long template_under(__u32 i, struct template_ctx *ctx)
{
	struct eci_bind_template *t = bpf_map_lookup_elem(&bind_templates, &i);

	struct cmp c = { .s = ctx->s, .name = ctx->name };

	if (!t || !t->prefix[0])
		return 0;
	c.p = t->prefix;
	bpf_loop(ECI_PATH_LEN, cmp_src_starts_p, &c, 0);
	if (c.res != 1)
		return 0;
	c.res = 0;
	bpf_loop(ECI_NAME_LEN, cmp_src_name, &c, 0);
	if (c.res == 1) {
		ctx->hit = true;
		return 1;
	}
	return 0;
}

struct submount_ctx {
	struct task_struct *task;
	struct scratch *s;
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

/*
 * Judge a bind source when the caller's root is the VM's. Returns 0 or the
 * reason to refuse it.
 */
static __always_inline int vm_side_source(struct task_struct *task, struct scratch *s,
					  const struct path *target, unsigned long flags,
					  struct eci_container *c)
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

/* The restrictions a mount has to keep: those of the initial mount it is, or
 * a bind of a directory below one. Returns -1 if none applies. */
static __noinline int initial_restrictions(__u64 root_id, struct vfsmount *vmnt)
{
	struct eci_mount_root_key k = { .root_id = root_id };
	struct dentry *d = BPF_CORE_READ(vmnt, mnt_root);
	__u32 *r;

	k.sb = (__u64)BPF_CORE_READ(vmnt, mnt_sb);
	for (int i = 0; i < MAX_DEPTH; i++) {
		struct dentry *parent;

		k.dentry = (__u64)d;
		r = bpf_map_lookup_elem(&initial_roots, &k);
		if (r)
			return *r;
		parent = BPF_CORE_READ(d, d_parent);
		if (parent == d)
			break;
		d = parent;
	}
	return -1;
}

static __always_inline void mount_key(struct eci_mount_key *k, __u64 root_id, struct mount *m)
{
	struct mount *parent = BPF_CORE_READ(m, mnt_parent);

	k->root_id = root_id;
	k->sb = (__u64)BPF_CORE_READ(m, mnt.mnt_sb);
	k->root = (__u64)BPF_CORE_READ(m, mnt.mnt_root);
	if (parent == m) {
		k->parent_sb = k->parent_root = k->mountpoint = 0;
		return;
	}
	k->parent_sb = (__u64)BPF_CORE_READ(parent, mnt.mnt_sb);
	k->parent_root = (__u64)BPF_CORE_READ(parent, mnt.mnt_root);
	k->mountpoint = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
}

/* Would this remount relax what the initial mount had? */
static __always_inline bool relaxes(int initial, unsigned long flags)
{
	int want = 0;

	if (flags & MS_RDONLY)
		want |= MNT_READONLY;
	if (flags & MS_NOSUID)
		want |= MNT_NOSUID;
	if (flags & MS_NODEV)
		want |= MNT_NODEV;
	if (flags & MS_NOEXEC)
		want |= MNT_NOEXEC;
	if (initial & MNT_RESTRICT & ~want)
		return true;
	/* No atime flag keeps the current mode; any other must be the initial. */
	if (!(flags & (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)))
		return false;
	if (flags & MS_NOATIME)
		want |= MNT_NOATIME;
	if (flags & MS_NODIRATIME)
		want |= MNT_NODIRATIME;
	if (flags & MS_RELATIME)
		want |= MNT_RELATIME;
	return (initial & MNT_ATIME_MASK) != (want & MNT_ATIME_MASK);
}

SEC("lsm/sb_mount")
int BPF_PROG(eci_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_hook_stats *stats;
	struct eci_container *c;
	struct scratch *s;
	__u32 zero = 0, is_vm;
	int reason = 0, init;
	__u64 cgid, id;

	if (ret)
		return ret;
	if (!(flags & (MS_BIND | MS_MOVE | MS_REMOUNT)))
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

	if (flags & MS_REMOUNT) {
		init = initial_restrictions(c->root_id, BPF_CORE_READ(path, mnt));
		if (init >= 0 && relaxes(init, flags))
			reason = ECI_MNT_LOCKED_FLAGS;
		goto out;
	}

	is_vm = vm_root(task);
	if (flags & MS_MOVE) {
		/* The mount moved is found after this hook; only the runtime,
		 * before pivot_root, moves mounts (runc --no-pivot). */
		if (!is_vm)
			reason = ECI_MNT_MOVE;
		goto out;
	}

	if (bpf_probe_read_kernel_str(s->raw, sizeof(s->raw), dev_name) < 0)
		return -EPERM;
	if (is_vm) {
		reason = vm_side_source(task, s, path, flags, c);
	} else if (s->raw[0] != '/' && !under_root(task, BPF_CORE_READ(task, fs, pwd.mnt),
						   BPF_CORE_READ(task, fs, pwd.dentry))) {
		reason = ECI_MNT_RELATIVE;
	}
	if (!reason) {
		id = bpf_get_current_pid_tgid();
		if (!bpf_map_update_elem(&bind_lookups, &id, &is_vm, BPF_NOEXIST))
			__sync_fetch_and_add(&bind_lookups_active, 1);
		else if (!bpf_map_lookup_elem(&bind_lookups, &id))
			/* No room to watch the lookup: fail closed. */
			reason = ECI_MNT_SYMLINK;
	}
out:
	if (!reason)
		return 0;
	/* The detail: the source as the caller wrote it, or for a remount or a
	 * move the name of the target. */
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

/* name equals want (n bytes, its NUL included). */
static __always_inline bool name_is(const char *name, const char *want, int n)
{
	for (int i = 0; i < n && i < 12; i++)
		if (name[i] != want[i])
			return false;
	return true;
}

/* The lookup is over when the mount syscall returns, whatever it did. */
SEC("tp/syscalls/sys_exit_mount")
int eci_sys_exit_mount(void *ctx)
{
	__u64 id;

	if (!bind_lookups_active)
		return 0;
	id = bpf_get_current_pid_tgid();
	if (!bpf_map_delete_elem(&bind_lookups, &id))
		__sync_fetch_and_add(&bind_lookups_active, -1);
	return 0;
}

/*
 * A symlink the kernel follows while resolving a watched bind source. In /proc
 * only "self", "thread-self" and the caller's own "exe" pass; other links of
 * /proc are magic (they jump to another task's root, cwd, files). Elsewhere,
 * plain symlinks pass when the caller's root is its own (they can't leave it)
 * and are refused when it is the VM's (the string was what got judged).
 */
SEC("lsm/inode_follow_link")
int BPF_PROG(eci_inode_follow_link, struct dentry *dentry, struct inode *inode, bool rcu, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u32 *is_vm, reason;
	char name[12] = {};
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

		if (name_is(name, "self", 5) || name_is(name, "thread-self", 12))
			return 0;
		if (name_is(name, "exe", 4) &&
		    BPF_CORE_READ(pi, pid) == BPF_CORE_READ(task, group_leader, thread_pid))
			return 0;
		reason = ECI_MNT_MAGIC_LINK;
	} else if (!*is_vm) {
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
 * moved must not be an initial one.
 */
SEC("lsm/move_mount")
int BPF_PROG(eci_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vfsmount *vmnt = BPF_CORE_READ(from_path, mnt);
	struct mount *m = real_mount(vmnt);
	struct eci_hook_stats *stats;
	struct eci_container *c;
	struct eci_mount_key k;
	struct super_block *sb;
	int reason = 0;
	__u64 cgid;

	if (ret)
		return ret;
	stats = eci_count_call(ECI_HOOK_MOVE_MOUNT);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	if (BPF_CORE_READ(m, mnt_ns, seq) == 0) {
		struct visible_ctx v = {};
		struct list_head *first, *second;

		sb = BPF_CORE_READ(vmnt, mnt_sb);
		v.head = (void *)sb + bpf_core_field_offset(struct super_block, s_mounts);
		first = BPF_CORE_READ(sb, s_mounts.next);
		second = first ? BPF_CORE_READ(first, next) : NULL;
		if (second == v.head)
			return 0;
		if (vm_root(task)) {
			reason = ECI_MNT_CLONE;
		} else {
			v.node = first;
			v.ns = BPF_CORE_READ(task, nsproxy, mnt_ns);
			v.d = BPF_CORE_READ(from_path, dentry);
			bpf_loop(MAX_SB_MOUNTS, visible_in_ns, &v, 0);
			if (!v.hit)
				reason = ECI_MNT_CLONE;
		}
	} else {
		mount_key(&k, c->root_id, m);
		if (bpf_map_lookup_elem(&initial_mounts, &k))
			reason = ECI_MNT_LOCKED;
	}
	if (!reason)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_MOVE_MOUNT, ECI_CLASS_MOUNT, ({
				e->arg[1] = reason;
				bpf_probe_read_kernel_str(
					e->detail, sizeof(e->detail),
					BPF_CORE_READ(from_path, dentry, d_name.name));
			}));
}

SEC("lsm/sb_umount")
int BPF_PROG(eci_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	struct eci_mount_key k;
	__u64 cgid;

	if (ret)
		return ret;
	stats = eci_count_call(ECI_HOOK_SB_UMOUNT);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	mount_key(&k, c->root_id, real_mount(mnt));
	if (!bpf_map_lookup_elem(&initial_mounts, &k))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_SB_UMOUNT, ECI_CLASS_MOUNT, ({
				e->arg[0] = flags;
				e->arg[1] = ECI_MNT_LOCKED;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(mnt, mnt_sb, s_type, name));
			}));
}

static __always_inline int root_change(const struct path *path, enum eci_hook hook)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_hook_stats *stats = eci_count_call(hook);
	struct eci_container *c;
	__u64 cgid;

	c = eci_current(&cgid);
	if (!c || under_root(task, BPF_CORE_READ(path, mnt), BPF_CORE_READ(path, dentry)))
		return 0;
	return eci_trap(stats, c, cgid, hook, ECI_CLASS_MOUNT, ({
				e->arg[1] = ECI_MNT_ROOT;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(path, dentry, d_name.name));
			}));
}

SEC("lsm/path_chroot")
int BPF_PROG(eci_path_chroot, const struct path *path, int ret)
{
	if (ret)
		return ret;
	return root_change(path, ECI_HOOK_CHROOT);
}

SEC("lsm/sb_pivotroot")
int BPF_PROG(eci_sb_pivotroot, const struct path *old_path, const struct path *new_path, int ret)
{
	if (ret)
		return ret;
	return root_change(new_path, ECI_HOOK_PIVOT_ROOT);
}

/* At the syscall's own CAP_SYS_ADMIN check, before it does anything. The
 * runtime's setup may use them (nothing is initial yet). */
static __always_inline int refuse_after_setup(enum eci_hook hook, int reason)
{
	struct eci_hook_stats *stats = eci_count_call(hook);
	struct eci_container *c;
	__u64 cgid;

	c = eci_current(&cgid);
	if (!c || (c->flags & ECI_CF_SETUP))
		return 0;
	return eci_trap(stats, c, cgid, hook, ECI_CLASS_MOUNT, ({ e->arg[1] = reason; }));
}

/*
 * Called by the capable program (kernel.bpf.c) for CAP_SYS_ADMIN. Neither
 * mount_setattr() nor fspick()+fsconfig() reaches an LSM hook that sees what
 * it changes, and syscalls can't be made to fail by fmod_ret on this kernel;
 * but both ask for CAP_SYS_ADMIN first thing (may_mount(), ns_capable()), so
 * the capability check of exactly those syscalls is refused.
 */
__noinline int eci_mount_admin(long nr)
{
	if (nr == ECI_NR_MOUNT_SETATTR)
		return refuse_after_setup(ECI_HOOK_MOUNT_SETATTR, ECI_MNT_SETATTR);
	if (nr == ECI_NR_FSPICK)
		return refuse_after_setup(ECI_HOOK_FSPICK, ECI_MNT_FSPICK);
	return 0;
}

struct snapshot_ctx {
	struct eci_mnt_walk walk;
	__u64 root_id;
};

static long snapshot_one(__u32 i, struct snapshot_ctx *ctx)
{
	struct eci_mount_root_key rk = { .root_id = ctx->root_id };
	struct mount *m = eci_mnt_walk_next(&ctx->walk);
	struct eci_mount_key k;
	__u32 one = 1, flags, *r;

	if (!m)
		return 1;
	mount_key(&k, ctx->root_id, m);
	bpf_map_update_elem(&initial_mounts, &k, &one, BPF_ANY);
	flags = BPF_CORE_READ(m, mnt.mnt_flags) & (MNT_RESTRICT | MNT_ATIME_MASK);
	/* A read-only superblock is as read-only as the mount: a plain remount
	 * rw would change it for every mount of it, the VM's included. */
	if (BPF_CORE_READ(m, mnt.mnt_sb, s_flags) & SB_RDONLY)
		flags |= MNT_READONLY;
	rk.sb = k.sb;
	rk.dentry = k.root;
	r = bpf_map_lookup_elem(&initial_roots, &rk);
	if (r)
		*r |= flags;
	else
		bpf_map_update_elem(&initial_roots, &rk, &flags, BPF_ANY);
	return 0;
}

/* Called when the container's setup ends (container.bpf.c), in the task that
 * execs its first process, so in the container's mount namespace. */
__noinline int eci_mount_snapshot(__u64 root_id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mnt_namespace *ns = BPF_CORE_READ(task, nsproxy, mnt_ns);
	struct snapshot_ctx ctx = { .root_id = root_id };

	if (!eci_mnt_walk_init(&ctx.walk, ns))
		return 0;
	bpf_loop(ECI_MAX_NS_MOUNTS, snapshot_one, &ctx, 0);
	return 0;
}

SEC("lsm/sb_set_mnt_opts")
int BPF_PROG(eci_mount_fs, struct super_block *sb, void *mnt_opts, unsigned long kern_flags,
	     unsigned long *set_kern_flags, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	unsigned long magic;
	__u64 cgid;

	if (ret)
		return ret;
	magic = sb->s_magic;
	/* Besides those: bpffs (pins are reached through bpf(), denied anyway)
	 * and cgroup v1 (release_agent, controllers shared with the VM). */
	if (!eci_kernel_fs(magic) && magic != BPF_FS_MAGIC && magic != CGROUP_SUPER_MAGIC)
		return 0;
	stats = eci_count_call(ECI_HOOK_MOUNT_FS);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_MOUNT_FS, ECI_CLASS_MOUNT, ({
				e->arg[0] = magic;
				e->arg[1] = ECI_MNT_FS;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(sb, s_type, name));
			}));
}
