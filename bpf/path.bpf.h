/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Paths, for the policies that judge one (bind.bpf.c, mountlock.bpf.c,
 * root.bpf.c, knobs.bpf.c): walking from a dentry up to a task's root across
 * mounts, normalizing a bind source the way the kernel would resolve it, and
 * comparing strings without memcmp. Every loop is bounded: a bpf_loop step,
 * checked once by the verifier, or a constant bound the compiler unrolls; a
 * walk or a compare that runs out of steps answers "no" (fail closed).
 */
#ifndef ECI_PATH_BPF_H
#define ECI_PATH_BPF_H

#include "eci.bpf.h"

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

/* A path being judged: the source as written (raw), normalized (src), a path
 * built by a walk (path), and the key looked up in bind_allow. Too large for
 * the stack: the policies keep one per CPU in a map. */
struct path_scratch {
	char raw[256];
	char src[256];
	char path[PATH_BUF + NAME_MAX_WALKED];
	struct eci_bind_key key;
};

static __always_inline struct mount *real_mount(struct vfsmount *mnt)
{
	return (void *)mnt - bpf_core_field_offset(struct mount, mnt);
}

/* A mount's key in initial_mounts: where it sits, not which copy it is, so a
 * copy in another mount namespace of the container is as initial. */
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

/* Past setup, its initial mounts could not all be recorded at setup end
 * (mountlock.bpf.c's snapshot): it can't be told which mounts are initial, so
 * all of them are. */
static __always_inline bool mounts_unrecorded(const struct eci_container *c)
{
	struct eci_container *root;
	__u64 id = c->root_id;

	if (c->flags & ECI_CF_SETUP)
		return false;
	if (c->flags & ECI_CF_MOUNTS_UNKNOWN)
		return true;
	root = bpf_map_lookup_elem(&containers, &id);
	return root && (root->flags & ECI_CF_MOUNTS_UNKNOWN);
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
	struct path_scratch *s;
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
static __always_inline int normalize(struct path_scratch *s)
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
	struct path_scratch *s;
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

static __always_inline bool src_is_path(struct path_scratch *s, int pos)
{
	struct cmp c = { .s = s, .pos = pos, .n = -1 };

	bpf_loop(ECI_PATH_LEN, cmp_src_path, &c, 0);
	return c.res == 1;
}

static __always_inline bool path_starts_with_src(struct path_scratch *s, int pos, int n)
{
	struct cmp c = { .s = s, .pos = pos, .n = n };

	bpf_loop(ECI_PATH_LEN, cmp_src_path, &c, 0);
	return c.res == 1;
}

/* p starts with s->src (its n bytes). */
static __always_inline bool starts_with_src(struct path_scratch *s, const char *p, int n)
{
	struct cmp c = { .s = s, .p = p, .n = n };

	bpf_loop(ECI_PATH_LEN, cmp_p_starts_src, &c, 0);
	return c.res == 1;
}

/* s->src is p, then name, then a '/' (a per-container directory). */
static __always_inline bool src_is_p_name(struct path_scratch *s, const char *p, const char *name)
{
	struct cmp c = { .s = s, .p = p, .name = name };

	bpf_loop(ECI_PATH_LEN, cmp_src_starts_p, &c, 0);
	if (c.res != 1)
		return false;
	c.res = 0;
	bpf_loop(ECI_NAME_LEN, cmp_src_name, &c, 0);
	return c.res == 1;
}

/* Longer than the longest name compared ("cgroup.subtree_control"): a name
 * is read truncated and compared with its NUL, so a longer one never matches. */
#define NAME_LEN 32

/* BPF has no memcmp; n is small and constant, a bounded loop. */
static __always_inline bool bytes_eq(const char *a, const char *b, const int n)
{
	for (int i = 0; i < n && i < NAME_LEN; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* Compare a name read into a buffer with a literal, NUL included. */
#define name_is(buf, lit) bytes_eq(buf, lit, sizeof(lit))

/* A dentry's name, into a NAME_LEN buffer. */
static __always_inline void read_name(struct dentry *d, char *buf)
{
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);

	__builtin_memset(buf, 0, NAME_LEN);
	bpf_probe_read_kernel_str(buf, NAME_LEN, name);
}

#endif /* ECI_PATH_BPF_H */
