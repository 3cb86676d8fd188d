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
 *                   algorithms, which every namespace's socket reaches);
 *                   and, from any namespace, each message of the sendmsg
 *                   that addresses state the VM's namespaces share: a
 *                   generic netlink family in genl_global (families that
 *                   answer in every namespace, netnsok, yet keep one
 *                   state: TASKSTATS, TCM-USER, dpll, SMC_GEN_NETLINK;
 *                   ecictl lists them by name in genl_names) or the
 *                   nfnetlink subsystems with global lists (OSF
 *                   fingerprints, user-space conntrack helpers)
 *   socket_bind, socket_connect, socket_accept, file_ioctl, file_ioctl_compat
 *                   the socket a protected task's bind, connect, accept or
 *                   ioctl acts on: whether it is of the VM's network namespace,
 *                   noted in net_target with the syscall. The capability
 *                   checks the kernel makes inside (a port below 1024, a
 *                   well-known L2CAP PSM, an AX.25 callsign, ATM's reserved
 *                   VCIs, phonet's resources, an interface's ioctl) are
 *                   that namespace's whatever the task's own is (a socket
 *                   received from a VM process), so caps.bpf.c judges them
 *                   by the note. An ioctl on anything else clears it: a
 *                   device's check (tun's) is the task's namespace's.
 *   fexit genl_register_family, fentry genl_unregister_family
 *                   keep genl_global's ids current: a family's id is given
 *                   when it registers (a module loaded later), and ecictl
 *                   resolves those registered before it loaded
 */
#include "eci.bpf.h"

#define NETLINK_NETFILTER 12
#define NETLINK_KOBJECT_UEVENT 15
#define NETLINK_GENERIC 16
#define NETLINK_CRYPTO 21
#define MAX_ERRNO 4095
/* uapi linux/netfilter/nfnetlink.h */
#define NFNL_SUBSYS_OSF 5
#define NFNL_SUBSYS_CTHELPER 9
#define NFNL_MSG_BATCH_BEGIN 16
/* The messages of one sendmsg judged; a longer train is refused (the
 * nftables batches that carry many are judged by their first). */
#define NLMSG_WALK_MAX 64

/* Names of the generic netlink families with VM-wide state (ecictl). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECI_MAX_GENL_FAMILIES);
	__type(key, struct eci_genl_name);
	__type(value, __u8);
} genl_names SEC(".maps");

/* Their ids while registered (nlmsg_type of their messages). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECI_MAX_GENL_FAMILIES);
	__type(key, __u32);
	__type(value, __u8);
} genl_global SEC(".maps");

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

/* The socket of a protected task's syscall (NULL: not a socket). The record
 * exists (made at fork and exec, caps.bpf.c); if it can't be, the syscall is
 * refused rather than judged by a stale note. */
static __noinline int note_sock(struct socket *sock, bool is_sock)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct eci_net_target *t;
	struct eci_container *c;
	struct sock *sk = NULL;
	__u64 cgid;

	if (!is_sock) {
		t = bpf_task_storage_get(&net_target, task, 0, 0);
		if (t)
			t->sock = ECI_SOCK_NONE;
		return 0;
	}
	c = eci_current(&cgid);
	if (!c)
		return 0;
	t = bpf_task_storage_get(&net_target, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t)
		return -ENOMEM;
	if (sock)
		sk = BPF_CORE_READ(sock, sk);
	t->sock_nr = eci_syscall_op(task);
	if (!sk || t->sock_nr < 0)
		t->sock = ECI_SOCK_NONE;
	else if (BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) == host_net_ns)
		t->sock = ECI_SOCK_VM;
	else
		t->sock = ECI_SOCK_OWN;
	return 0;
}

SEC("lsm/socket_bind")
int BPF_PROG(eci_net_socket_bind, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	if (ret)
		return ret;
	return note_sock(sock, true);
}

SEC("lsm/socket_connect")
int BPF_PROG(eci_net_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	if (ret)
		return ret;
	return note_sock(sock, true);
}

/* ATM's accept checks NET_BIND_SERVICE for the listener's circuit. */
SEC("lsm/socket_accept")
int BPF_PROG(eci_net_socket_accept, struct socket *sock, struct socket *newsock, int ret)
{
	if (ret)
		return ret;
	return note_sock(sock, true);
}

static __always_inline int note_ioctl(struct file *file)
{
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return note_sock(NULL, false);
	return note_sock((struct socket *)BPF_CORE_READ(file, private_data), true);
}

SEC("lsm/file_ioctl")
int BPF_PROG(eci_net_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return note_ioctl(file);
}

SEC("lsm/file_ioctl_compat")
int BPF_PROG(eci_net_file_ioctl_compat, struct file *file, unsigned int cmd, unsigned long arg,
	     int ret)
{
	if (ret)
		return ret;
	return note_ioctl(file);
}

SEC("fexit/genl_register_family")
int BPF_PROG(eci_net_genl_register_family, struct genl_family *family, int ret)
{
	struct eci_genl_name name = {};
	__u32 id;
	__u8 one = 1;

	if (ret)
		return 0;
	bpf_probe_read_kernel_str(name.name, sizeof(name.name), family->name);
	if (!bpf_map_lookup_elem(&genl_names, &name))
		return 0;
	id = BPF_CORE_READ(family, id);
	bpf_map_update_elem(&genl_global, &id, &one, BPF_ANY);
	return 0;
}

SEC("fentry/genl_unregister_family")
int BPF_PROG(eci_net_genl_unregister_family, const struct genl_family *family)
{
	__u32 id = BPF_CORE_READ(family, id);

	bpf_map_delete_elem(&genl_global, &id);
	return 0;
}

/* A message of VM-wide state: its nlmsg_type, or 0. */
static __always_inline __u32 global_type(__u16 proto, const struct nlmsghdr *h)
{
	__u32 type = h->nlmsg_type;

	if (proto == NETLINK_GENERIC)
		return bpf_map_lookup_elem(&genl_global, &type) ? type : 0;
	type >>= 8; /* the nfnetlink subsystem */
	return type == NFNL_SUBSYS_OSF || type == NFNL_SUBSYS_CTHELPER ? h->nlmsg_type : 0;
}

/*
 * The messages of a sendmsg, as netlink_rcv_skb() takes them apart: the
 * first one addressing VM-wide state (its type), 0 if none, or -1 for a
 * train too long to judge. An nfnetlink batch (the first message
 * NFNL_MSG_BATCH_BEGIN) holds messages of one subsystem that has a commit
 * step, which OSF and cthelper have not: it is judged by its first.
 */
static __noinline long walk_messages(struct sk_buff *skb, __u16 proto)
{
	unsigned char *data = BPF_CORE_READ(skb, data);
	__u32 len = BPF_CORE_READ(skb, len), off = 0;
	struct nlmsghdr h;
	__u32 type;

	for (int i = 0; i < NLMSG_WALK_MAX; i++) {
		if (len - off < sizeof(h))
			return 0;
		if (bpf_probe_read_kernel(&h, sizeof(h), data + off))
			return -1;
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off)
			return 0;
		if (proto == NETLINK_NETFILTER && i == 0 && h.nlmsg_type == NFNL_MSG_BATCH_BEGIN)
			return 0;
		type = global_type(proto, &h);
		if (type)
			return type;
		off += (h.nlmsg_len + 3) & ~3U;
		if (off >= len)
			return 0;
	}
	return -1;
}

SEC("lsm/netlink_send")
int BPF_PROG(eci_net_netlink_send, struct sock *sk, struct sk_buff *skb, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	long type = 0;
	__u64 cgid;
	__u16 proto;

	if (ret)
		return ret;
	proto = BPF_CORE_READ(sk, sk_protocol);
	if (proto != NETLINK_KOBJECT_UEVENT && proto != NETLINK_CRYPTO &&
	    proto != NETLINK_GENERIC && proto != NETLINK_NETFILTER)
		return 0;
	if (proto == NETLINK_KOBJECT_UEVENT &&
	    BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) != host_net_ns)
		return 0;
	stats = eci_count_call(ECI_HOOK_NETLINK_SEND);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	if (proto == NETLINK_GENERIC || proto == NETLINK_NETFILTER) {
		type = walk_messages(skb, proto);
		if (!type)
			return 0;
	}
	return eci_trap(stats, c, cgid, ECI_HOOK_NETLINK_SEND, ECI_CLASS_KERNEL, ({
				e->arg[0] = proto;
				e->arg[1] = type < 0 ? 0xffffffffULL : (__u64)type;
			}));
}
