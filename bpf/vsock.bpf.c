// SPDX-License-Identifier: GPL-2.0
/*
 * vsock: the VM's channel to its host. vsock has no network namespace on 6.1
 * (6.12 has none for its virtio and VMCI transports either), so a socket a
 * container makes is the VM's: it connects to the host's services as the VM
 * and listens on the VM's ports, taking the connections the host makes to a
 * service the VM has not started yet (a guest agent's port, ports below 1024
 * with CAP_NET_BIND_SERVICE). A protected container has no vsock sockets.
 *
 *   socket_create  AF_VSOCK sockets of protected tasks (not the kernel's own)
 *
 * The family is refused before its module is looked up, so the answer is the
 * same whether or not the VM loaded vsock.
 */
#include "eci.bpf.h"

#define AF_VSOCK 40

SEC("lsm/socket_create")
int BPF_PROG(eci_vsock_socket_create, int family, int type, int protocol, int kern, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	if (family != AF_VSOCK || kern)
		return 0;
	stats = eci_count_call(ECI_HOOK_SOCKET_CREATE);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_SOCKET_CREATE, ECI_CLASS_SOCKET, ({
				e->arg[0] = family;
				e->arg[1] = type;
			}));
}
