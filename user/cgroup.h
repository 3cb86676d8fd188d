/* SPDX-License-Identifier: GPL-2.0 */
/* Finding cgroup v2 directories and their ids, as the BPF side sees them. */
#ifndef ECI_CGROUP_H
#define ECI_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Mount point of the cgroup v2 hierarchy, read from a mountinfo stream.
 * Returns 0, or -ENOENT when none is mounted. */
int cg_find_mount(FILE *mountinfo, char *buf, size_t len);

/* Same, from /proc/self/mountinfo; the result is cached. */
const char *cg_mount(void);

/* The cgroup id of a cgroup v2 directory (its kernfs node id), or -errno. */
int cg_id_of_dir(const char *dir, uint64_t *id);

/*
 * Resolve what a user or a runtime names a cgroup by: a numeric id, a path in
 * the cgroup hierarchy ("/eci/c1" or "eci/c1"), or the directory itself
 * ("/sys/fs/cgroup/eci/c1"). Fills the directory and id; -errno on failure
 * (-ENOENT: no such cgroup).
 */
int cg_resolve(const char *arg, char *dir, size_t dirlen, uint64_t *id);

/* The hierarchy path ("/eci/c1") of a directory under the cgroup2 mount. */
const char *cg_rel_path(const char *dir);

/*
 * Call fn for the cgroup at dir and every cgroup below it, parents before
 * their children, each before its directory is listed: a sub-cgroup created
 * while the walk runs is either seen by the walk or created after its parent
 * was visited. Stops at the first non-zero return and returns it.
 */
typedef int (*cg_walk_fn)(const char *dir, uint64_t id, void *ctx);
int cg_walk(const char *dir, cg_walk_fn fn, void *ctx);

/* Find the directory of a cgroup id by walking the hierarchy; -ENOENT. */
int cg_find_id(uint64_t id, char *dir, size_t dirlen);

#endif /* ECI_CGROUP_H */
