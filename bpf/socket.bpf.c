// SPDX-License-Identifier: GPL-2.0
/*
 * Engine socket policy: a protected container connects to the container
 * engine's socket (/var/run/docker.sock...) only if its policy allows it
 * (ECI_CF_SOCKET, from the settings' imageList). The socket is known by the
 * inode it is bound to, which user space stats from the settings' paths into
 * engine_sockets: any path, bind mount or /proc route to it reaches the same
 * inode, and nothing else matches. Binding the socket into a container is
 * the bind-source policy's (bind.bpf.c, by path, before it is reachable at all).
 */
#include "eci.bpf.h"

SEC("lsm/unix_stream_connect")
int BPF_PROG(eci_socket_unix_stream_connect, struct sock *sock, struct sock *other,
	     struct sock *newsk, int ret)
{
	struct unix_sock *u = (void *)other;
	struct eci_hook_stats *stats;
	struct eci_inode_key key;
	struct eci_container *c;
	struct inode *inode;
	__u64 cgid;

	if (ret)
		return ret;
	stats = eci_count_call(ECI_HOOK_UNIX_CONNECT);
	/* Abstract and unnamed sockets have no inode. */
	inode = BPF_CORE_READ(u, path.dentry, d_inode);
	if (!inode)
		return 0;
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);
	if (!bpf_map_lookup_elem(&engine_sockets, &key))
		return 0;
	c = eci_current(&cgid);
	if (!c || (c->flags & ECI_CF_SOCKET))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_UNIX_CONNECT, ECI_CLASS_SOCKET, ({
				e->arg[0] = key.ino;
				e->arg[1] = ECI_MNT_CONNECT;
				bpf_probe_read_kernel_str(
					e->detail, sizeof(e->detail),
					BPF_CORE_READ(u, path.dentry, d_name.name));
			}));
}

char LICENSE[] SEC("license") = "GPL";
