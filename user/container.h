/* SPDX-License-Identifier: GPL-2.0 */
/* Registering protected containers in the pinned containers map. */
#ifndef ECI_CONTAINER_H
#define ECI_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"

/*
 * Protect the cgroup named by arg (see cg_resolve) and every cgroup below it.
 * name: shown in traps; NULL for the cgroup's base name. flags: ECI_CF_*.
 * rules: the devices assigned to it, replacing those it had.
 * All entries are written or none: on failure the map is as it was.
 */
int eci_container_add(const char *arg, const char *name, uint32_t flags,
		      const struct eci_dev_rule *rules, size_t nrules);
int eci_container_rm(const char *arg);
int eci_container_ls(void);
/* One container: its entries and the device rules that apply to it. */
int eci_container_show(const char *arg);
/*
 * Protected subtrees: every cgroup created directly below one is a container
 * from its creation (any runtime); the ones already there are adopted.
 */
int eci_subtree_add(const char *arg, uint32_t flags);
int eci_subtree_rm(const char *arg);
int eci_subtree_ls(void);
/* Write the default device rules (at load, before the hooks attach). */
int eci_dev_defaults_write(int dev_rules_fd);

#endif /* ECI_CONTAINER_H */
