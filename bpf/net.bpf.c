// SPDX-License-Identifier: GPL-2.0
/*
 * Network namespaces named as targets: a protected container in a network
 * namespace of its own administers only namespaces that are not the VM's.
 * Its capabilities are checked against init_user_ns, which owns the VM's
 * network namespace as well as its own, so a netlink attribute naming
 * another namespace (IFLA_NET_NS_PID/FD, IFLA_TARGET_NETNSID,
 * IFLA_LINK_NETNSID, RTM_NEWNSID's NETNSA_PID/FD) would pass the kernel's
 * check against the target.
 *
 *   fexit get_net_ns_by_pid, get_net_ns_by_fd, get_net_ns_by_id
 *                   every resolution of such an attribute goes through one
 *                   of them (rtnl_link_get_net(), rtnl_get_net_ns_capable(),
 *                   devlink): when the result is the VM's namespace, the
 *                   protected task's syscall is recorded in net_target,
 *                   and the NET_ADMIN check that follows it (the kernel's
 *                   check of the target) is refused by caps.bpf.c. A
 *                   resolution of any other namespace clears the record.
 *   netlink_send    uevents a protected task sends on NETLINK_KOBJECT_UEVENT
 *                   in the VM's network namespace (--net=host): the kernel
 *                   rebroadcasts them to the VM's udev, which loads the
 *                   module a MODALIAS names; and every message on
 *                   NETLINK_CRYPTO, from any namespace (crypto_user: the
 *                   priorities and instances of the VM's one set of crypto
 *                   algorithms, which every namespace's socket reaches)
 */
#include "eci.bpf.h"

#define NETLINK_KOBJECT_UEVENT 15
#define NETLINK_CRYPTO 21
#define MAX_ERRNO 4095

/* The VM's network namespace (knobs.bpf.c). */
extern const volatile __u32 host_net_ns;

static __noinline int note_net(struct net *net)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_net_target *t;
	struct eci_container *c;
	__u64 cgid;
	bool vm;

	c = eci_current(&cgid);
	if (!c)
		return 0;
	vm = net && (unsigned long)net < (unsigned long)-MAX_ERRNO &&
	     BPF_CORE_READ(net, ns.inum) == host_net_ns;
	t = bpf_task_storage_get(&net_target, task, 0, vm ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!t)
		return 0;
	t->vm = vm;
	t->nr = eci_syscall_nr(task);
	return 0;
}

SEC("fexit/get_net_ns_by_pid")
int BPF_PROG(eci_net_get_net_ns_by_pid, pid_t pid, struct net *ret)
{
	return note_net(ret);
}

SEC("fexit/get_net_ns_by_fd")
int BPF_PROG(eci_net_get_net_ns_by_fd, int fd, struct net *ret)
{
	return note_net(ret);
}

SEC("fexit/get_net_ns_by_id")
int BPF_PROG(eci_net_get_net_ns_by_id, const struct net *net, int id, struct net *ret)
{
	return note_net(ret);
}

SEC("lsm/netlink_send")
int BPF_PROG(eci_net_netlink_send, struct sock *sk, struct sk_buff *skb, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;
	__u16 proto;

	if (ret)
		return ret;
	proto = BPF_CORE_READ(sk, sk_protocol);
	if (proto != NETLINK_KOBJECT_UEVENT && proto != NETLINK_CRYPTO)
		return 0;
	if (proto == NETLINK_KOBJECT_UEVENT &&
	    BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) != host_net_ns)
		return 0;
	stats = eci_count_call(ECI_HOOK_NETLINK_SEND);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_NETLINK_SEND, ECI_CLASS_KERNEL, e->arg[0] = proto);
}
