/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ECI_NET_H
#define ECI_NET_H

#include <stddef.h>

/* The generic netlink families whose state is the VM's (net.bpf.c). */
extern const char *const eci_genl_global[];
extern const size_t eci_genl_global_len;

/* Write their names into the BPF map genl_names (fd): 0 or -errno. */
int eci_genl_names_write(int fd);

/* Put the ids of those registered now into genl_global (fd); the programs
 * on genl_register_family and genl_unregister_family must already be
 * attached, so that none registering meanwhile is missed. 0, or -1 with the
 * reason said. */
int eci_genl_ids_resolve(int fd);

#endif
