// SPDX-License-Identifier: GPL-2.0
/*
 * Keys: a protected container uses only the keys and keyrings it created.
 * Its root is uid 0, the VM root's uid: without this, root's user and user
 * session keyrings (_uid.0, _uid_ses.0), its persistent keyring and keys
 * made by the VM's services answer to it as to their owner.
 *
 *   key_alloc       a key or keyring allocated by a protected task is
 *                   recorded in key_owner (address -> root id); a full map
 *                   fails the allocation (-ENOMEM), so no key of a
 *                   container goes unrecorded. key_owner is one map for
 *                   every container: each holds at most ECI_KEY_QUOTA keys
 *                   (key_count, per root id), so one that fills its share
 *                   leaves room for the others' session keyrings; past it
 *                   the allocation fails with EDQUOT, the kernel's own
 *                   error for a key quota, and a trap
 *   security_key_free (fentry) drops the record and the count; 6.12 has
 *                   no key_free LSM hook (the framework frees the blob
 *                   itself), and the function is on both kernels
 *   cgroup_rmdir    (container.bpf.c) drops the container's key_count: its
 *                   keys freed later find no count to lower
 *   key_permission  every use (view, read, write, search, link, setattr,
 *                   and the key lookups of keyctl and request_key) of a key
 *                   not recorded under the caller's root id is refused.
 *                   The SYS_ADMIN overrides of keyctl (invalidate, clear,
 *                   chown, setperm of another's key) skip this hook, and
 *                   capable refuses SYS_ADMIN in keyctl (no cap_ops entry).
 *
 * Keys made in the runtime's setup (runc's session keyring) are allocated by
 * a task in the container's cgroup, so they are its own.
 */
#include "eci.bpf.h"

/* By the key's address: key_alloc runs before the key has its serial. The
 * record goes with the key (security_key_free), so an address is never reused under
 * a stale record. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECI_MAX_KEYS);
	__type(key, __u64);
	__type(value, __u64);
} key_owner SEC(".maps");

/* One key fewer for root id root. Never below zero: keys recorded by an
 * enforcer that counted none (before an upgrade) are freed uncounted. */
static __noinline void count_down(__u64 root)
{
	__u64 *n = bpf_map_lookup_elem(&key_count, &root), old;

	if (!n)
		return;
	for (int i = 0; i < 16; i++) {
		old = *n;
		if (!old || __sync_val_compare_and_swap(n, old, old - 1) == old)
			return;
	}
}

/* The container's count, made at its first key; NULL when key_count has no
 * room (the allocation fails then). */
static __always_inline __u64 *count_of(__u64 root)
{
	__u64 zero = 0, *n = bpf_map_lookup_elem(&key_count, &root);

	if (n)
		return n;
	bpf_map_update_elem(&key_count, &root, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&key_count, &root);
}

SEC("lsm/key_alloc")
int BPF_PROG(eci_keys_key_alloc, struct key *key, const struct cred *cred, unsigned long flags,
	     int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid, root, *n, *stale, addr = (__u64)key;

	if (ret)
		return ret;
	stats = eci_count_call(ECI_HOOK_KEY_ALLOC);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	root = c->root_id;
	n = count_of(root);
	if (!n)
		return -ENOMEM;
	/* Past the quota: refused, or (audit mode) let through and counted. */
	if (__sync_fetch_and_add(n, 1) >= ECI_KEY_QUOTA &&
	    eci_trap(stats, c, cgid, ECI_HOOK_KEY_ALLOC, ECI_CLASS_KERNEL, ({
			     if (e->err)
				     e->err = -EDQUOT;
			     e->arg[0] = ECI_KEY_QUOTA;
			     bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
						       BPF_CORE_READ(key, description));
		     }))) {
		count_down(root);
		return -EDQUOT;
	}
	/* A record already there is a key whose allocation a later LSM
	 * refused (6.1 frees such a key without security_key_free): its
	 * count goes with it. */
	stale = bpf_map_lookup_elem(&key_owner, &addr);
	if (stale)
		count_down(*stale);
	if (bpf_map_update_elem(&key_owner, &addr, &root, BPF_ANY)) {
		count_down(root);
		return -ENOMEM;
	}
	return 0;
}

SEC("fentry/security_key_free")
int BPF_PROG(eci_keys_key_free, struct key *key)
{
	__u64 addr = (__u64)key, *owner = bpf_map_lookup_elem(&key_owner, &addr);

	if (!owner)
		return 0;
	count_down(*owner);
	bpf_map_delete_elem(&key_owner, &addr);
	return 0;
}

/* key_ref_t points to an incomplete struct, so the verifier refuses a
 * context read of it: the raw context, and the key from bpf_get_func_arg(). */
SEC("lsm/key_permission")
int eci_keys_key_permission(unsigned long long *ctx)
{
	int need_perm = (int)ctx[2], ret = (int)ctx[3];
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid, *owner, ref = 0, addr;
	struct key *key;

	if (ret)
		return ret;
	stats = eci_count_call(ECI_HOOK_KEY);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	/* key_ref_t: the key's address, its lowest bit "possessed". */
	if (bpf_get_func_arg(ctx, 0, &ref))
		return -EPERM;
	addr = ref & ~1ULL;
	key = (struct key *)addr;
	owner = bpf_map_lookup_elem(&key_owner, &addr);
	if (owner && *owner == c->root_id)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_KEY, ECI_CLASS_KERNEL, ({
				e->arg[0] = BPF_CORE_READ(key, serial);
				e->arg[1] = need_perm;
				bpf_probe_read_kernel_str(e->detail, sizeof(e->detail),
							  BPF_CORE_READ(key, description));
			}));
}
