/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Map updates that apply whole or not at all: every write or delete remembers
 * what it replaced, and a rollback puts it back in reverse order.
 */
#ifndef ECI_TXN_H
#define ECI_TXN_H

#include <stddef.h>

struct eci_undo;

struct eci_txn {
	struct eci_undo *u;
	size_t n, cap;
};

/* key -> val in map fd (BPF_ANY); 0 or -errno (-E2BIG: the map is full). */
int eci_txn_update(struct eci_txn *t, int fd, const void *key, size_t klen, const void *val,
		   size_t vlen);
/* Delete key from fd; a missing key is not an error. 0 or -errno. */
int eci_txn_delete(struct eci_txn *t, int fd, const void *key, size_t klen, size_t vlen);
/* Undo every logged change, newest first, then forget them. */
void eci_txn_rollback(struct eci_txn *t);
/* Forget the log: the changes stay. */
void eci_txn_free(struct eci_txn *t);

#endif /* ECI_TXN_H */
