/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enforcer's pinned maps, from user space: opening one by name, reading
 * its keys, pruning the entries a caller no longer wants. The bottom of the
 * user-space library: it includes nothing of eci's but eci.h, txn.h and util.h.
 */
#ifndef ECI_MAPS_H
#define ECI_MAPS_H

#include <stdbool.h>
#include <stddef.h>

struct eci_txn;

/* Is the enforcer loaded (its pins in place)? */
bool eci_is_loaded(void);

/* A pinned map by name (ECI_PIN_MAPS/name); says why on failure (not
 * loaded...) and returns -1. */
int eci_open_map(const char *name);

/* Every key of map fd (at most 512 bytes each), in an array to free: read
 * first, since deleting while iterating a hash map restarts the walk (and LPM
 * tries iterate only from user space). NULL if out of memory. */
void *eci_map_keys(int fd, size_t ksize, size_t *n);

/* Does the caller keep this key (ksize bytes)? */
typedef bool (*eci_map_keep_fn)(const void *key, const void *ctx);

/*
 * Delete every key of map fd that keep() does not keep. Through t, so a
 * rollback puts them back (vsize: the value's size); with t NULL at once, a
 * key already gone being no error. 0 or -errno.
 */
int eci_map_prune(struct eci_txn *t, int fd, size_t ksize, size_t vsize, eci_map_keep_fn keep,
		  const void *ctx);

#endif /* ECI_MAPS_H */
