// SPDX-License-Identifier: GPL-2.0
/*
 * How a container is identified: by the cgroup v2 id of the task, looked up in
 * the containers map. The runtime (through ecictl) registers a container's
 * cgroup, or the admin a protected subtree (/docker, /kubepods...) whose every
 * new child is a container; every cgroup created below a container afterwards
 * gets an entry of its own here, at creation, so a process in a sub-cgroup is
 * found with the same single lookup. Cgroup ids are 64-bit and never reused,
 * unlike pids and namespace inode numbers.
 *
 *   cgroup_mkdir (raw tracepoint)  a cgroup below a container gets its entry
 *   cgroup_rmdir (raw tracepoint)  and loses it
 *   bprm_committed_creds           the end of a container's setup: its
 *                                  initial mounts are recorded (mountlock.bpf.c)
 *   eci_container_catch()          the container rule (below), called
 *                                  first by every program of a mount or
 *                                  root change: sb_mount, move_mount,
 *                                  sb_umount, sb_alloc_security,
 *                                  sb_set_mnt_opts, sb_remount,
 *                                  path_chroot, sb_pivotroot
 *
 * Maps: containers (written here and by ecictl; read by every policy),
 * event_budget, hook_stats, state, events, container_stats, global_config
 * (maps.bpf.h).
 * Fail closed: a cgroup that finds no room in containers is counted as an
 * orphan, and lookups then walk its ancestors (eci_current); a cgroup the
 * container rule can't record may not mount or change its root.
 */
#include "eci.bpf.h"

/* Inode number of the VM's initial mount namespace (/proc/1/ns/mnt), set by
 * the loader. That namespace lives as long as the VM, so its number can't be
 * reused by another one. */
const volatile __u32 host_mnt_ns;

/* Only the unified hierarchy (id 0): cgroup v1 ids live in other id spaces. */
static __always_inline bool on_dfl_hierarchy(struct cgroup *cgrp)
{
	return BPF_CORE_READ(cgrp, root, hierarchy_id) == 0;
}

/*
 * The tracepoint fires under cgroup_mutex before kernfs_activate() makes the
 * new directory visible, so no task can join the cgroup before its entry
 * exists. If the map is full, the cgroup is counted as an orphan and the
 * lookups fall back to walking ancestors: the cgroup stays protected.
 */
SEC("raw_tp/cgroup_mkdir")
int BPF_PROG(eci_container_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct eci_hook_stats *stats = eci_count_call(ECI_HOOK_CGROUP_MKDIR);
	struct eci_container *parent, child;
	struct kernfs_node *kn;
	__u64 id, parent_id;

	if (!on_dfl_hierarchy(cgrp))
		return 0;
	kn = BPF_CORE_READ(cgrp, kn);
	parent_id = BPF_CORE_READ(kernfs_parent(kn), id);
	parent = bpf_map_lookup_elem(&containers, &parent_id);
	/* An exempt VM service's children are not exempt, unless the admin
	 * exempted its whole tree: a runtime could be told to put a container
	 * there (docker --cgroup-parent). */
	if (!parent || (parent->flags & (ECI_CF_EXEMPT | ECI_CF_EXEMPT_TREE)) == ECI_CF_EXEMPT)
		return 0;

	id = BPF_CORE_READ(kn, id);
	__builtin_memcpy(&child, parent, sizeof(child));
	if (parent->flags & ECI_CF_EXEMPT) {
		child.root_id = id;
	} else if (parent->flags & ECI_CF_SUBTREE) {
		/* A new container, whatever runtime made it: protected before its
		 * init joins, in setup until it hands over to its process. */
		child.root_id = id;
		child.flags = (parent->flags & ECI_CF_AUDIT) | ECI_CF_SETUP;
		bpf_probe_read_kernel_str(child.name, sizeof(child.name), BPF_CORE_READ(kn, name));
	} else {
		/* Setup is the runtime's, in the container's own cgroup. */
		child.flags = (child.flags | ECI_CF_INHERITED) & ~ECI_CF_SETUP;
	}
	if (bpf_map_update_elem(&containers, &id, &child, BPF_ANY)) {
		__u32 zero = 0;
		struct eci_state *st = bpf_map_lookup_elem(&state, &zero);

		if (st)
			__sync_fetch_and_add(&st->orphans, 1);
		if (stats)
			stats->denials++;
	}
	return 0;
}

static long drop_dev_rule(struct bpf_map *map, struct eci_dev_key *key, __u32 *val, __u64 *root)
{
	if (key->root_id == *root)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long drop_mount(struct bpf_map *map, struct eci_mount_key *key, __u32 *val, __u64 *root)
{
	if (key->root_id == *root)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long drop_mount_root(struct bpf_map *map, struct eci_mount_root_key *key, __u32 *val,
			    __u64 *root)
{
	if (key->root_id == *root)
		bpf_map_delete_elem(map, key);
	return 0;
}

/* Entries go with their cgroup, so the maps never fill with dead ids. */
SEC("raw_tp/cgroup_rmdir")
int BPF_PROG(eci_container_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	struct eci_container *c;
	__u64 id;

	eci_count_call(ECI_HOOK_CGROUP_RMDIR);
	if (!on_dfl_hierarchy(cgrp))
		return 0;
	id = BPF_CORE_READ(cgrp, kn, id);
	/* A container's key count goes with its cgroup, even one removed from
	 * the map before (container rm): its keys freed later find none. */
	bpf_map_delete_elem(&key_count, &id);
	c = bpf_map_lookup_elem(&containers, &id);
	if (!c)
		return 0;
	/* Only a container's own cgroup carries device rules and counters. (Its
	 * bind sources are in an LPM trie, which can't be iterated here: the
	 * runtime's `container rm` drops them.) */
	if (c->root_id == id) {
		bpf_for_each_map_elem(&dev_rules, drop_dev_rule, &id, 0);
		bpf_for_each_map_elem(&initial_mounts, drop_mount, &id, 0);
		bpf_for_each_map_elem(&initial_roots, drop_mount_root, &id, 0);
		bpf_map_delete_elem(&container_stats, &id);
	}
	bpf_map_delete_elem(&containers, &id);
	return 0;
}

/*
 * The end of a container's setup: the first execve in it from outside the
 * VM's mount namespace is the runtime handing over to the container's process
 * (runc, crun: after building /dev and the mounts, the last thing init does).
 * Execs in the VM's namespace are the runtime's own (runc re-executes itself
 * from a sealed memfd before it enters any namespace). From here on nothing
 * in the container is the runtime's.
 */
SEC("lsm/bprm_committed_creds")
int BPF_PROG(eci_container_bprm_committed_creds, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_container *c, *root;
	__u64 cgid, root_id;
	bool first;

	c = eci_current(&cgid);
	if (!c || !(c->flags & (ECI_CF_SETUP | ECI_CF_ADOPTED)))
		return 0;
	if (BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum) == host_mnt_ns)
		return 0;
	eci_count_call(ECI_HOOK_BPRM_COMMITTED_CREDS);
	root_id = c->root_id;
	root = bpf_map_lookup_elem(&containers, &root_id);
	if (c->flags & ECI_CF_SETUP) {
		/* Plain stores: racing execs all clear the same bit. */
		c->flags &= ~ECI_CF_SETUP;
		if (root)
			root->flags &= ~ECI_CF_SETUP;
		/* What the runtime mounted is now the container's initial state. */
		eci_mountlock_snapshot(root_id);
		return 0;
	}
	/* A container adopted while running: what it has mounted by its next
	 * exec (docker exec, or any program it starts) is taken as initial, once.
	 * Its sub-cgroups' entries drop the flag as they exec. */
	first = root && (root->flags & ECI_CF_ADOPTED);
	/* c may be root itself: read its flag before clearing either. */
	c->flags &= ~ECI_CF_ADOPTED;
	if (!first)
		return 0;
	root->flags &= ~ECI_CF_ADOPTED;
	eci_mountlock_snapshot(root_id);
	return 0;
}

/*
 * The container rule: whatever runtime made it and wherever its cgroup is, a
 * container is a task that builds a world of its own, which starts with
 * mounting (runc's first act in its new mount namespace is making "/" a
 * slave) or changing its root. So a task whose cgroup has no entry (neither
 * a container, a subtree, nor a service the admin exempts) that enters a
 * mount or root-changing syscall from a mount namespace that is not the VM's
 * turns its cgroup into a container, in setup, before the kernel acts on the
 * call: everything the runtime mounts from then on is vetted, and the
 * container's process runs protected from its first instruction. The root
 * cgroup is never one: the VM itself runs there. A chroot in the VM's own
 * mount namespace is not a container (it can't mount anything the VM
 * doesn't see). open_tree, fsopen, fsmount, fspick and mount_setattr act on
 * the namespace's own copies or detached trees until a move_mount (caught),
 * or build a superblock (caught at sb_alloc_security).
 */
static __always_inline bool rule_applies(struct task_struct *task, __u64 id)
{
	__u32 inum = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);

	if (!inum || inum == host_mnt_ns)
		return false;
	if (BPF_CORE_READ(task, cgroups, dfl_cgrp, level) == 0)
		return false;
	return !bpf_map_lookup_elem(&containers, &id);
}

/*
 * The container rule for the current task: 0 when nothing was needed or its
 * cgroup is now a container, -ENOMEM when the map had no room (the caller
 * refuses the call rather than leave it unvetted). Each program that judges
 * a mount or root change calls it before its own lookup, so the rule holds
 * whatever order the kernel runs a hook's programs in. No syscall tracepoint:
 * attaching one sends every syscall of every VM task through the slow path.
 */
__noinline int eci_container_catch(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_cgroup_id();
	struct eci_container fresh = {};

	if (!rule_applies(task, id))
		return 0;
	fresh.root_id = id;
	fresh.flags = ECI_CF_SETUP | ECI_CF_CAUGHT;
	bpf_probe_read_kernel_str(fresh.name, sizeof(fresh.name),
				  BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, name));
	/* NOEXIST: a racing thread of the same cgroup may have made it. */
	if (bpf_map_update_elem(&containers, &id, &fresh, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&containers, &id))
		return -ENOMEM;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
