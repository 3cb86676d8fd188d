// SPDX-License-Identifier: GPL-2.0
/*
 * Initial mounts: when a container's setup ends, its mount namespace is
 * recorded (eci_mountlock_snapshot, called from container.bpf.c); from then on
 * the mounts the runtime made stay as they were made.
 *
 *   sb_mount (MS_REMOUNT)  a remount can't relax an initial mount's
 *                          restrictions (ro, nosuid, nodev, noexec, atime)
 *   sb_umount              an initial mount that sits where it sat at setup
 *   move_mount (attached)  (the container's /, /proc, the masks over
 *                          /proc/kcore...) can't be unmounted or moved away
 *   capable (CAP_SYS_ADMIN, from caps.bpf.c: eci_mountlock_admin)
 *                          mount_setattr() and fspick() have no hook that sees
 *                          what they change on 6.1, so after setup they are
 *                          refused at their capability check; mount(2) does
 *                          the same jobs
 *
 * Maps: initial_mounts (a mount, by its key: eci.h) and initial_roots (the
 * restrictions of each initial mount's root dentry), written only here. Copies of
 * an initial mount in a bind or an inner namespace are the same mount by its
 * key, and a bind of a directory below one keeps its restrictions.
 *
 * The namespace's mounts are walked through compat.bpf.h (a list before 6.8,
 * an rbtree from 6.8); mount_setattr and fspick stay refused after setup.
 */
#include "path.bpf.h"

/* uapi mount flags and the kernel's mount flags they become. */
#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_NOATIME 1024
#define MS_NODIRATIME 2048
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

/* mount(2)'s option string, copied into the kernel: any filesystem option. */
static __always_inline bool has_options(const void *data)
{
	char first = 0;

	return data && !bpf_probe_read_kernel(&first, 1, data) && first;
}

/*
 * A tmpfs remount may repeat what the superblock has: busybox's `mount -o
 * remount,ro` passes the options /proc/mounts shows ("size=65536k,mode=755,
 * inode64"). Each option is compared with the superblock's value; mode=,
 * uid= and gid= are ignored by a tmpfs reconfiguration. Anything else, a
 * value that differs, a percentage, more than OPT_TOKENS options or one longer
 * than OPT_CHUNK is a change.
 */
#define OPT_CHUNK 64
#define OPT_TOKENS 16
#define TMPFS_PAGE_SHIFT 12
#define starts(buf, lit) bytes_eq(buf, lit, sizeof(lit) - 1)

struct opt_walk {
	const char *data;
	struct shmem_sb_info *sbi;
	__u32 off;
	bool changes;
	bool done;
};

/* memparse(): digits and an optional k/m/g/t suffix, up to the option's end. */
static __always_inline bool opt_number(const char *s, __u64 *out)
{
	__u64 v = 0;
	int i, shift = 0;

	for (i = 0; i < 20; i++) {
		if (s[i] < '0' || s[i] > '9')
			break;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0)
		return false;
	switch (s[i]) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	}
	if (shift)
		i++;
	if (s[i] != ',' && s[i] != '\0')
		return false;
	*out = v << shift;
	return true;
}

static __always_inline bool opt_end(char ch)
{
	return ch == ',' || ch == '\0';
}

static long tmpfs_opt_one(__u32 i, struct opt_walk *w)
{
	/* Through a local: BPF_CORE_READ(sbi, ...) would relocate w's own
	 * struct, which no kernel has. */
	struct shmem_sb_info *sbi = w->sbi;
	char t[OPT_CHUNK] = {};
	__u64 v, have;
	bool found = false, last = false, changes = false;

	if (bpf_probe_read_kernel_str(t, sizeof(t), w->data + w->off) <= 0) {
		w->changes = true;
		return 1;
	}
	if (!t[0]) {
		w->done = true;
		return 1;
	}
	for (int j = 0; j < OPT_CHUNK; j++) {
		if (opt_end(t[j])) {
			/* The length only goes to memory, never into an index or a
			 * branch: the verifier then need not tell the 64 lengths
			 * apart (6.12 ran out of its 1M instructions doing so). */
			w->off += j + 1;
			last = !t[j];
			found = true;
			break;
		}
	}
	if (!found) {
		w->changes = true;
		return 1;
	}
	if (starts(t, "size=")) {
		have = (__u64)BPF_CORE_READ(sbi, max_blocks) << TMPFS_PAGE_SHIFT;
		changes = !opt_number(t + 5, &v) || v != have;
	} else if (starts(t, "nr_blocks=")) {
		have = BPF_CORE_READ(sbi, max_blocks);
		changes = !opt_number(t + 10, &v) || v != have;
	} else if (starts(t, "nr_inodes=")) {
		have = BPF_CORE_READ(sbi, max_inodes);
		changes = !opt_number(t + 10, &v) || v != have;
	} else if (starts(t, "inode64") && opt_end(t[7])) {
		changes = !BPF_CORE_READ(sbi, full_inums);
	} else if (starts(t, "inode32") && opt_end(t[7])) {
		changes = BPF_CORE_READ(sbi, full_inums);
	} else if (!starts(t, "mode=") && !starts(t, "uid=") && !starts(t, "gid=")) {
		changes = true;
	}
	/* Through a local: a bool read back from memory is 0..255 to the
	 * verifier, and 6.12 wants a callback's return in [0, 1]. */
	if (changes) {
		w->changes = true;
		return 1;
	}
	if (last) {
		w->done = true;
		return 1;
	}
	return 0;
}

/* Would a remount with these options change the superblock's? */
static __noinline bool options_change(struct super_block *sb, const void *data)
{
	struct opt_walk w = { .data = data };
	char name[8] = {};

	if (!has_options(data))
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(sb, s_type, name));
	if (!name_is(name, "tmpfs"))
		return true;
	w.sbi = BPF_CORE_READ(sb, s_fs_info);
	bpf_loop(OPT_TOKENS, tmpfs_opt_one, &w, 0);
	return w.changes || !w.done;
}

SEC("lsm/sb_mount")
int BPF_PROG(eci_mountlock_sb_mount, const char *dev_name, const struct path *path,
	     const char *type, unsigned long flags, void *data, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;
	int init, reason;

	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	/* Binds and moves are bind.bpf.c's. */
	if (!(flags & MS_REMOUNT))
		return 0;
	stats = eci_count_call(ECI_HOOK_SB_MOUNT);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	init = initial_restrictions(c->root_id, BPF_CORE_READ(path, mnt));
	if (init >= 0 && relaxes(init, flags))
		reason = ECI_MNT_LOCKED_FLAGS;
	/* A remount without MS_BIND reconfigures the superblock with the
	 * options given (size=, nr_inodes=, ptmxmode=, hidepid=...), for
	 * every mount of it: an initial mount's stay as the runtime made
	 * them. */
	else if (init >= 0 && !(flags & MS_BIND) &&
		 options_change(BPF_CORE_READ(path, mnt, mnt_sb), data))
		reason = ECI_MNT_LOCKED_OPTIONS;
	else if (mounts_unrecorded(c))
		reason = ECI_MNT_UNRECORDED;
	else
		return 0;
	/* The detail: the name of the target. */
	return eci_trap(stats, c, cgid, ECI_HOOK_SB_MOUNT, ECI_CLASS_MOUNT, ({
				e->arg[0] = flags;
				e->arg[1] = reason;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(path, dentry, d_name.name));
			}));
}

/* The new mount API: an attached mount moved must not be an initial one. A
 * detached one (fsmount, open_tree clone) is bind.bpf.c's. */
SEC("lsm/move_mount")
int BPF_PROG(eci_mountlock_move_mount, const struct path *from_path, const struct path *to_path,
	     int ret)
{
	struct mount *m = real_mount(BPF_CORE_READ(from_path, mnt));
	struct eci_hook_stats *stats;
	struct eci_container *c;
	struct eci_mount_key k;
	__u64 cgid;
	int reason;

	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	if (BPF_CORE_READ(m, mnt_ns, seq) == 0)
		return 0;
	stats = eci_count_call(ECI_HOOK_MOVE_MOUNT);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	mount_key(&k, c->root_id, m);
	if (bpf_map_lookup_elem(&initial_mounts, &k))
		reason = ECI_MNT_LOCKED;
	else if (mounts_unrecorded(c))
		reason = ECI_MNT_UNRECORDED;
	else
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_MOVE_MOUNT, ECI_CLASS_MOUNT, ({
				e->arg[1] = reason;
				bpf_probe_read_kernel_str(
					e->detail, sizeof(e->detail),
					BPF_CORE_READ(from_path, dentry, d_name.name));
			}));
}

SEC("lsm/sb_umount")
int BPF_PROG(eci_mountlock_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	struct eci_mount_key k;
	__u64 cgid;
	int reason;

	if (ret)
		return ret;
	if (eci_container_catch())
		return -EPERM;
	stats = eci_count_call(ECI_HOOK_SB_UMOUNT);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	mount_key(&k, c->root_id, real_mount(mnt));
	if (bpf_map_lookup_elem(&initial_mounts, &k))
		reason = ECI_MNT_LOCKED;
	else if (mounts_unrecorded(c))
		reason = ECI_MNT_UNRECORDED;
	else
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_SB_UMOUNT, ECI_CLASS_MOUNT, ({
				e->arg[0] = flags;
				e->arg[1] = reason;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(mnt, mnt_sb, s_type, name));
			}));
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
 * Called by the capable program (caps.bpf.c) for CAP_SYS_ADMIN. Neither
 * mount_setattr() nor fspick()+fsconfig() reaches an LSM hook that sees what
 * it changes, and syscalls can't be made to fail by fmod_ret on this kernel;
 * but both ask for CAP_SYS_ADMIN first thing (may_mount(), ns_capable()), so
 * the capability check of exactly those syscalls is refused.
 */
__noinline int eci_mountlock_admin(long nr)
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
	bool missed; /* a record found no room */
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
	if (bpf_map_update_elem(&initial_mounts, &k, &one, BPF_ANY))
		ctx->missed = true;
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
	else if (bpf_map_update_elem(&initial_roots, &rk, &flags, BPF_ANY))
		ctx->missed = true;
	return 0;
}

/* Called when the container's setup ends (container.bpf.c), in the task that
 * execs its first process, so in the container's mount namespace. */
__noinline int eci_mountlock_snapshot(__u64 root_id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mnt_namespace *ns = BPF_CORE_READ(task, nsproxy, mnt_ns);
	struct snapshot_ctx ctx = { .root_id = root_id };

	struct eci_container *root;
	__u64 cgid;

	if (eci_mnt_walk_init(&ctx.walk, ns)) {
		bpf_loop(ECI_MAX_NS_MOUNTS, snapshot_one, &ctx, 0);
		if (!ctx.missed && eci_mnt_walk_done(&ctx.walk))
			return 0;
	}
	/* Fail closed: a mount left out would be free to go. The exec can't
	 * be refused from here, so every mount of the container counts as
	 * initial from now on (mounts_unrecorded). */
	root = bpf_map_lookup_elem(&containers, &ctx.root_id);
	if (root)
		root->flags |= ECI_CF_MOUNTS_UNKNOWN;
	root = eci_current(&cgid);
	if (root)
		root->flags |= ECI_CF_MOUNTS_UNKNOWN;
	return 0;
}
