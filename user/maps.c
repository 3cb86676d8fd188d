// SPDX-License-Identifier: GPL-2.0
#include "maps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "eci.h"
#include "txn.h"
#include "util.h"

bool eci_is_loaded(void)
{
	return !access(ECI_PIN_DIR, F_OK);
}

int eci_open_map(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", ECI_PIN_MAPS, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			eci_err("eci is not loaded (no %s): run 'ecictl load' first", path);
		else
			eci_err("failed to open %s: %s", path, strerror(errno));
	}
	return fd;
}

void *eci_map_keys(int fd, size_t ksize, size_t *n)
{
	char *keys = NULL, *prev = NULL, key[512];
	size_t cap = 0;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, key)) {
		if (*n == cap) {
			char *p = realloc(keys, (cap = cap ? cap * 2 : 32) * ksize);

			if (!p) {
				free(keys);
				return NULL;
			}
			keys = p;
		}
		memcpy(keys + *n * ksize, key, ksize);
		prev = keys + *n * ksize;
		(*n)++;
	}
	return keys ? keys : calloc(1, ksize);
}

int eci_map_prune(struct eci_txn *t, int fd, size_t ksize, size_t vsize, eci_map_keep_fn keep,
		  const void *ctx)
{
	char *keys;
	size_t n;
	int err = 0;

	keys = eci_map_keys(fd, ksize, &n);
	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < n && !err; i++) {
		const char *k = keys + i * ksize;

		if (keep(k, ctx))
			continue;
		if (t)
			err = eci_txn_delete(t, fd, k, ksize, vsize);
		else if (bpf_map_delete_elem(fd, k) && errno != ENOENT)
			err = -errno;
	}
	free(keys);
	return err;
}
