// SPDX-License-Identifier: GPL-2.0
#include "txn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

struct eci_undo {
	int fd;
	int had_old;
	/* key, then the old value (vlen bytes) in one allocation */
	void *buf;
	size_t klen;
};

static int log_old(struct eci_txn *t, int fd, const void *key, size_t klen, size_t vlen)
{
	struct eci_undo *u;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct eci_undo *p = realloc(t->u, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->u = p;
		t->cap = cap;
	}
	u = &t->u[t->n];
	u->buf = malloc(klen + vlen);
	if (!u->buf)
		return -ENOMEM;
	u->fd = fd;
	u->klen = klen;
	memcpy(u->buf, key, klen);
	u->had_old = !bpf_map_lookup_elem(fd, key, (char *)u->buf + klen);
	return 0;
}

int eci_txn_update(struct eci_txn *t, int fd, const void *key, size_t klen, const void *val,
		   size_t vlen)
{
	int err = log_old(t, fd, key, klen, vlen);

	if (err)
		return err;
	if (bpf_map_update_elem(fd, key, val, BPF_ANY)) {
		err = -errno;
		free(t->u[t->n].buf);
		return err;
	}
	t->n++;
	return 0;
}

int eci_txn_delete(struct eci_txn *t, int fd, const void *key, size_t klen, size_t vlen)
{
	int err = log_old(t, fd, key, klen, vlen);

	if (err)
		return err;
	if (!t->u[t->n].had_old) {
		free(t->u[t->n].buf);
		return 0;
	}
	if (bpf_map_delete_elem(fd, key) && errno != ENOENT) {
		err = -errno;
		free(t->u[t->n].buf);
		return err;
	}
	t->n++;
	return 0;
}

void eci_txn_rollback(struct eci_txn *t)
{
	while (t->n) {
		struct eci_undo *u = &t->u[--t->n];

		if (u->had_old)
			bpf_map_update_elem(u->fd, u->buf, (char *)u->buf + u->klen, BPF_ANY);
		else
			bpf_map_delete_elem(u->fd, u->buf);
		free(u->buf);
	}
}

void eci_txn_free(struct eci_txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->u[i].buf);
	free(t->u);
	memset(t, 0, sizeof(*t));
}
