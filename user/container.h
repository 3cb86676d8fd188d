/* SPDX-License-Identifier: GPL-2.0 */
/* Registering protected containers in the pinned containers map. */
#ifndef ECI_CONTAINER_H
#define ECI_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"

struct json_object;

/*
 * Protect the cgroup named by arg (see cg_resolve) and every cgroup below it.
 * name: shown in traps; NULL for the cgroup's base name. flags: ECI_CF_*.
 * rules, binds: its devices and bind sources, replacing those it had.
 * All entries are written or none: on failure the map is as it was.
 */
struct eci_container_opts {
	const char *name;
	uint32_t flags;
	const struct eci_dev_rule *rules;
	size_t nrules;
	/* Extra allowed bind-mount sources (paths). */
	char *const *binds;
	size_t nbinds;
	/* Image reference: in the settings' imageList, it sets ECI_CF_SOCKET. */
	const char *image;
	/* The caller judged the image by its identity (flags has
	 * ECI_CF_SOCKET or not): image is only shown, never matched. */
	bool image_judged;
};
int eci_container_add(const char *arg, const struct eci_container_opts *o);
int eci_container_rm(const char *arg);
/* After the cgroup and its entries are gone: drop the container's bind
 * sources and device rules (what the kernel can't reach at rmdir). */
int eci_container_leftovers(uint64_t id);
int eci_container_ls(bool json);
/* The protected containers as a JSON array (NULL: said why). */
struct json_object *eci_containers_json(void);

/* The image a container was registered with (container add --image), kept
 * as ECI_IMAGE_DIR/<cgroup id> for the events; image NULL forgets it. */
#define ECI_IMAGE_DIR "/run/eci/image"
void eci_image_note(uint64_t id, const char *image);
/* One container: its entries and the device rules that apply to it. */
int eci_container_show(const char *arg, bool json);
/*
 * Protected subtrees: every cgroup created directly below one is a container
 * from its creation (any runtime); the ones already there are adopted.
 */
int eci_subtree_add(const char *arg, uint32_t flags);
int eci_subtree_rm(const char *arg);
int eci_subtree_ls(void);
/*
 * Exempt VM services: a cgroup the container rule (bpf/container.bpf.c)
 * never turns into a container, whatever its tasks mount. Its children are
 * exempt only with tree.
 */
int eci_exempt_add(const char *arg, bool tree);
int eci_exempt_rm(const char *arg);
int eci_exempt_ls(void);
struct eci_txn;
/* The same inside a larger update (settings apply): fd is the containers
 * map; -EEXIST if dir is a container. adopted: running containers found. */
int eci_subtree_add_txn(struct eci_txn *t, int fd, const char *dir, uint64_t id, uint32_t flags,
			size_t *adopted);
/* Protect one running cgroup and its tree as a container unless it is
 * protected already; adds 1 to *adopted if it was not. */
int eci_container_adopt_txn(struct eci_txn *t, int fd, const char *dir, uint64_t id, uint32_t flags,
			    size_t *adopted);

#endif /* ECI_CONTAINER_H */
