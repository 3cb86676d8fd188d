/* SPDX-License-Identifier: GPL-2.0 */
/* Bind sources: path normalization and the bind_allow/bind_templates maps. */
#ifndef ECI_BIND_H
#define ECI_BIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eci.h"

struct json_object;

struct eci_txn;

/*
 * An absolute path made canonical without touching the file system: no "//",
 * ".", "..", and one trailing '/'. -EINVAL if not absolute, -ENAMETOOLONG if
 * the result (with its NUL) is longer than len.
 */
int eci_path_normalize(const char *in, char *out, size_t len);
/* Is p one of the n paths of l? */
bool eci_path_in_list(const char (*l)[ECI_PATH_LEN], size_t n, const char *p);

/*
 * A bind source as the kernel resolves it: absolute, symlinks resolved when
 * the path exists (else only made canonical), trailing '/'. -EINVAL for a
 * relative path, -ENAMETOOLONG.
 */
int eci_bind_path(const char *raw, char *out, size_t len);
/* key for (root, normalized path); prefixlen covers root and the path. */
void eci_bind_key_set(struct eci_bind_key *k, uint64_t root, const char *path);
/* Delete root's entries whose path is not in keep (t may be NULL); the
 * builtin sources of ECI_BIND_ALL stay. */
int eci_bind_drop(struct eci_txn *t, int fd, uint64_t root, const char (*keep)[ECI_PATH_LEN],
		  size_t nkeep);
/* "binds:" lines of `container show`. */
void eci_bind_print(uint64_t root);
/* The same as a JSON array of paths. */
struct json_object *eci_bind_json(uint64_t root);

/* Bind sources every protected container may use whatever the settings: runc
 * bind-mounts its own binary through /proc/self/exe. */
extern const char *const eci_bind_builtin[];
/* Written at load, before the hooks attach. */
int eci_bind_builtin_write(int fd);
int eci_bind_templates_write(int fd);

#endif /* ECI_BIND_H */
