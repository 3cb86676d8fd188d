/* SPDX-License-Identifier: GPL-2.0 */
/* VM-wide policy from the settings file; bind sources and the engine socket. */
#ifndef ECI_POLICY_H
#define ECI_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "eci.h"

struct eci_txn;

/* Bind sources every protected container may use whatever the settings: runc
 * bind-mounts its own binary through /proc/self/exe. */
extern const char *const eci_bind_builtin[];
int eci_bind_templates_write(int fd);

/*
 * A bind source as the kernel resolves it: absolute, symlinks resolved when
 * the path exists (else only made canonical), trailing '/'. -EINVAL for a
 * relative path, -ENAMETOOLONG.
 */
int eci_bind_path(const char *raw, char *out, size_t len);
/* key for (root, normalized path); prefixlen covers root and the path. */
void eci_bind_key_set(struct eci_bind_key *k, uint64_t root, const char *path);
/* Delete root's entries whose path is not in keep (t may be NULL). */
int eci_bind_drop(struct eci_txn *t, int fd, uint64_t root, const char (*keep)[ECI_PATH_LEN],
		  size_t nkeep);
/* "binds:" lines of `container show`. */
void eci_bind_print(uint64_t root);
/* Written at load, before the hooks attach. */
int eci_bind_builtin_write(int fd);

/* Is image reference ref in the applied settings' imageList? 1, 0, or
 * -EINVAL for a bad reference. No settings applied: 0. */
int eci_image_allowed(const char *ref);

/* `ecictl settings apply FILE`: all of it or nothing. */
int eci_settings_apply(const char *file);
/* `ecictl settings show`: the applied copy, summarized. */
int eci_settings_show(void);
/* Re-read the inodes of the engine socket paths (the engine may have
 * (re)created its socket since the settings were applied). */
int eci_sockets_refresh(void);

#endif /* ECI_POLICY_H */
