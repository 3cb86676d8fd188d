// SPDX-License-Identifier: GPL-2.0
/*
 * Bind sources from user space: paths normalized as the BPF side compares
 * them (bpf/bind.bpf.c), the builtin and per-container sources written at
 * load, and a container's own sources in bind_allow.
 */
#define _GNU_SOURCE
#include "bind.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "maps.h"

int eci_path_normalize(const char *in, char *out, size_t len)
{
	size_t o = 0;

	if (in[0] != '/')
		return -EINVAL;
	if (len < 2)
		return -ENAMETOOLONG;
	out[o++] = '/';
	for (const char *p = in; *p;) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!n)
			break;
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			/* Up one: drop the last component and its '/'. */
			if (o > 1) {
				o--;
				while (o > 1 && out[o - 1] != '/')
					o--;
			}
		} else {
			if (o + n + 2 > len)
				return -ENAMETOOLONG;
			memcpy(out + o, p, n);
			o += n;
			out[o++] = '/';
		}
		p += n;
	}
	out[o] = '\0';
	return 0;
}

/*
 * Sources every protected container may bind. runc binds its own binary
 * (/proc/self/exe) before it runs anything. Docker's named volumes are not
 * here: a volume's directory may be a bind of any VM directory dockerd made
 * (volume-opt o=bind), so each is checked and given to its container only
 * (oci-hook, docker_volume_ok).
 */
const char *const eci_bind_builtin[] = { "/proc/self/exe/", NULL };

/* Per-container directories: a container may bind from PREFIX<its name>/.
 * Docker keeps a container's hostname, hosts and resolv.conf in
 * /var/lib/docker/containers/<id>/, and names its cgroup /docker/<id>. */
static const char *const bind_templates[] = { "/var/lib/docker/containers/", NULL };

int eci_bind_templates_write(int fd)
{
	for (__u32 i = 0; bind_templates[i]; i++) {
		struct eci_bind_template t = {};

		snprintf(t.prefix, sizeof(t.prefix), "%s", bind_templates[i]);
		if (bpf_map_update_elem(fd, &i, &t, BPF_ANY))
			return -errno;
	}
	return 0;
}

int eci_bind_path(const char *raw, char *out, size_t len)
{
	char real[PATH_MAX];
	int err = eci_path_normalize(raw, out, len);

	if (err)
		return err;
	if (realpath(raw, real))
		return eci_path_normalize(real, out, len);
	return 0;
}

void eci_bind_key_set(struct eci_bind_key *k, uint64_t root, const char *path)
{
	size_t n = strnlen(path, ECI_PATH_LEN - 1);

	memset(k, 0, sizeof(*k));
	k->root_id = root;
	memcpy(k->path, path, n);
	k->prefixlen = (4 + 8 + n) * 8;
}

bool eci_path_in_list(const char (*l)[ECI_PATH_LEN], size_t n, const char *p)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i], p))
			return true;
	return false;
}

struct bind_keep {
	uint64_t root;
	const char (*keep)[ECI_PATH_LEN];
	size_t nkeep;
};

static bool bind_kept(const void *key, const void *ctx)
{
	const struct eci_bind_key *k = key;
	const struct bind_keep *c = ctx;

	if (k->root_id != c->root || eci_path_in_list(c->keep, c->nkeep, k->path))
		return true;
	if (c->root == ECI_BIND_ALL)
		for (const char *const *b = eci_bind_builtin; *b; b++)
			if (!strcmp(*b, k->path))
				return true;
	return false;
}

int eci_bind_drop(struct eci_txn *t, int fd, uint64_t root, const char (*keep)[ECI_PATH_LEN],
		  size_t nkeep)
{
	struct bind_keep c = { .root = root, .keep = keep, .nkeep = nkeep };

	return eci_map_prune(t, fd, sizeof(struct eci_bind_key), sizeof(uint32_t), bind_kept, &c);
}

struct json_object *eci_bind_json(uint64_t root)
{
	struct json_object *a = json_object_new_array();
	struct eci_bind_key *keys;
	size_t n;
	int fd = eci_open_map("bind_allow");

	if (fd < 0)
		return a;
	keys = eci_map_keys(fd, sizeof(*keys), &n);
	for (size_t i = 0; keys && i < n; i++)
		if (keys[i].root_id == root)
			json_object_array_add(a, json_object_new_string(keys[i].path));
	free(keys);
	close(fd);
	return a;
}

void eci_bind_print(uint64_t root)
{
	struct eci_bind_key *keys;
	size_t n, shown = 0;
	int fd = eci_open_map("bind_allow");

	if (fd < 0)
		return;
	keys = eci_map_keys(fd, sizeof(*keys), &n);
	for (size_t i = 0; keys && i < n; i++) {
		if (keys[i].root_id != root)
			continue;
		printf("%s%s\n", shown++ ? "            " : "binds:      ", keys[i].path);
	}
	if (!shown)
		printf("binds:      (none beyond the shared directories)\n");
	free(keys);
	close(fd);
}

int eci_bind_builtin_write(int fd)
{
	for (const char *const *b = eci_bind_builtin; *b; b++) {
		struct eci_bind_key k;
		uint32_t one = 1;

		eci_bind_key_set(&k, ECI_BIND_ALL, *b);
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}
