// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink families net.bpf.c refuses to protected tasks: those
 * marked netnsok (they answer on a socket of any network namespace, so a
 * container's own namespace reaches them and its CAP_NET_ADMIN there passes
 * GENL_ADMIN_PERM) that nevertheless keep one state for the whole VM. From
 * an audit of every netnsok family with admin commands in Linux 6.1 and
 * 6.12 (docs/DESIGN.md, N2); the others keep their state per namespace.
 */
#define _GNU_SOURCE /* libnl3 headers use struct addrinfo */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "net.h"
#include "util.h"
#include "../bpf/eci.h"

const char *const eci_genl_global[] = {
	/* stats and I/O counts of any task its pid namespace shows (a VM task
	 * with --pid=host, past the ptrace check /proc/PID/io makes), and the
	 * exit records of every task on a CPU */
	"TASKSTATS",
	/* the VM's SCSI target devices backed by user space */
	"TCM-USER",
	/* the VM's clock-synchronization hardware (pins, frequencies) */
	"dpll",
	/* SMC's system and user EID table, one for the VM */
	"SMC_GEN_NETLINK",
};
const size_t eci_genl_global_len = sizeof(eci_genl_global) / sizeof(eci_genl_global[0]);

int eci_genl_names_write(int fd)
{
	__u8 one = 1;

	for (size_t i = 0; i < eci_genl_global_len; i++) {
		struct eci_genl_name key = {};

		strncpy(key.name, eci_genl_global[i], sizeof(key.name) - 1);
		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

int eci_genl_ids_resolve(int fd)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err = 0, id;
	__u8 one = 1;

	if (!sk) {
		eci_err("failed to resolve the generic netlink families: out of memory");
		return -1;
	}
	err = genl_connect(sk);
	if (err) {
		eci_err("failed to open a generic netlink socket: %s", nl_geterror(err));
		goto out;
	}
	for (size_t i = 0; i < eci_genl_global_len; i++) {
		__u32 key;

		id = genl_ctrl_resolve(sk, eci_genl_global[i]);
		/* Not registered (its module not loaded): the program on
		 * genl_register_family adds it when it is. */
		if (id == -NLE_OBJ_NOTFOUND)
			continue;
		if (id < 0) {
			err = id;
			eci_err("failed to resolve the generic netlink family %s: %s",
				eci_genl_global[i], nl_geterror(id));
			goto out;
		}
		key = (__u32)id;
		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY)) {
			err = -errno;
			eci_err("failed to record the generic netlink family %s (id %d): %s",
				eci_genl_global[i], id, strerror(errno));
			goto out;
		}
	}
out:
	nl_socket_free(sk);
	return err ? -1 : 0;
}
