// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime's side of container identification (see bpf/container.bpf.c):
 * a container is its cgroup id plus the ids of all cgroups below it. Adding
 * writes the container's own entry first, then walks the existing sub-cgroups;
 * from the first write on, the cgroup_mkdir tracepoint covers new ones.
 */
#define _GNU_SOURCE
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bind.h"
#include "cgroup.h"
#include "device.h"
#include "eci.h"
#include "events.h"
#include "maps.h"
#include "settings.h"
#include "txn.h"
#include "util.h"

/* Names longer than the map holds are cut: they label traps, nothing more. */
static void set_name(char dst[ECI_NAME_LEN], const char *src)
{
	size_t n = strnlen(src, ECI_NAME_LEN - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int open_containers(void)
{
	return eci_open_map("containers");
}

static int resolve(const char *arg, char *dir, size_t len, uint64_t *id)
{
	int err = cg_resolve(arg, dir, len, id);

	if (err == -ENODEV)
		eci_err("no cgroup v2 hierarchy is mounted");
	else if (err == -ENOENT)
		eci_err("no such cgroup: %s", arg);
	else if (err)
		eci_err("failed to resolve cgroup %s: %s", arg, strerror(-err));
	return err;
}

struct add_ctx {
	int fd;
	struct eci_container val;
	struct eci_txn *log;
	size_t n;
};

static int add_one(const char *dir, uint64_t id, void *arg)
{
	struct add_ctx *a = arg;
	struct eci_container v = a->val;
	int err;

	(void)dir;
	if (id != v.root_id)
		v.flags = (v.flags | ECI_CF_INHERITED) & ~ECI_CF_SETUP;
	err = eci_txn_update(a->log, a->fd, &id, sizeof(id), &v, sizeof(v));
	a->n += !err;
	return err;
}

struct rules_keep {
	uint64_t root;
	const struct eci_dev_rule *keep;
	size_t nkeep;
};

static bool rule_kept(const void *key, const void *ctx)
{
	const struct eci_dev_key *k = key;
	const struct rules_keep *c = ctx;

	if (k->root_id != c->root)
		return true;
	for (size_t j = 0; j < c->nkeep; j++)
		if (!memcmp(&c->keep[j].key, k, sizeof(*k)))
			return true;
	return false;
}

/* Remove the device rules of root that the new set does not have. */
static int drop_rules(struct eci_txn *t, int fd, uint64_t root, const struct eci_dev_rule *keep,
		      size_t nkeep)
{
	struct rules_keep c = { .root = root, .keep = keep, .nkeep = nkeep };

	return eci_map_prune(t, fd, sizeof(struct eci_dev_key), sizeof(uint32_t), rule_kept, &c);
}

int eci_container_add(const char *arg, const struct eci_container_opts *o)
{
	const struct eci_dev_rule *rules = o->rules;
	size_t nrules = o->nrules, nbinds = 0;
	const char *name = o->name;
	uint32_t flags = o->flags;
	struct eci_txn log = { 0 };
	struct add_ctx a = { .fd = -1, .log = &log };
	struct eci_dev_rule *own = NULL;
	char dir[PATH_MAX], (*binds)[ECI_PATH_LEN] = NULL;
	const char *rel;
	int dfd = -1, bfd = -1, err = 1;
	uint64_t id;

	/* Everything is checked before the first write. */
	binds = calloc(o->nbinds ? o->nbinds : 1, sizeof(*binds));
	if (!binds) {
		eci_err("failed to add %s: %s", arg, strerror(ENOMEM));
		return 1;
	}
	for (size_t i = 0; i < o->nbinds; i++) {
		int e = eci_bind_path(o->binds[i], binds[nbinds], sizeof(binds[0]));

		if (e == -EINVAL)
			eci_err("--bind %s: not an absolute path", o->binds[i]);
		else if (e)
			eci_err("--bind %s: longer than %d characters", o->binds[i],
				ECI_PATH_LEN - 2);
		if (e) {
			free(binds);
			return 1;
		}
		nbinds++;
	}
	/* Registered after it started: its mounts are recorded at its next exec. */
	if (!(flags & ECI_CF_SETUP))
		flags |= ECI_CF_ADOPTED;
	if (o->image && !o->image_judged) {
		int m = eci_image_allowed(o->image);

		if (m < 0) {
			eci_err("--image %s is not an image reference (name[:tag] or name@sha256:...)",
				o->image);
			free(binds);
			return 1;
		}
		if (m)
			flags |= ECI_CF_SOCKET;
	}
	if (resolve(arg, dir, sizeof(dir), &id))
		goto out;
	rel = cg_rel_path(dir);
	if (!name) {
		name = strrchr(rel, '/');
		name = name && name[1] ? name + 1 : rel;
	}
	if (strlen(name) >= ECI_NAME_LEN) {
		eci_err("container name '%s' is longer than %d characters", name, ECI_NAME_LEN - 1);
		goto out;
	}
	a.fd = open_containers();
	if (a.fd < 0)
		goto out;
	/* An exempt service registered as a container becomes one. */
	if (!bpf_map_lookup_elem(a.fd, &id, &a.val) && (a.val.flags & ECI_CF_SUBTREE) &&
	    !(a.val.flags & ECI_CF_EXEMPT)) {
		eci_err("%s is a protected subtree, not a container: its children are the containers",
			rel);
		goto out;
	}
	memset(&a.val, 0, sizeof(a.val));
	dfd = eci_open_map("dev_rules");
	if (dfd < 0)
		goto out;
	own = calloc(nrules ? nrules : 1, sizeof(*own));
	if (!own) {
		eci_err("failed to add %s: %s", rel, strerror(ENOMEM));
		goto out;
	}

	/* Device rules first: inert until the container's entry exists. */
	err = 0;
	for (size_t i = 0; i < nrules; i++) {
		own[i] = rules[i];
		own[i].key.root_id = id;
		err = eci_txn_update(&log, dfd, &own[i].key, sizeof(own[i].key), &own[i].access,
				     sizeof(own[i].access));
		if (err)
			break;
	}
	a.val.root_id = id;
	a.val.flags = flags;
	set_name(a.val.name, name);
	if (!err)
		err = cg_walk(dir, add_one, &a);
	if (!err)
		err = drop_rules(&log, dfd, id, own, nrules);
	/* Bind sources after the entries: one the kernel sees without its
	 * container is one an unrelated cleanup may take for a leftover. */
	if (!err) {
		bfd = eci_open_map("bind_allow");
		err = bfd < 0 ? -ENOENT : 0;
		for (size_t i = 0; i < nbinds && !err; i++) {
			struct eci_bind_key k;
			uint32_t one = 1;

			eci_bind_key_set(&k, id, binds[i]);
			err = eci_txn_update(&log, bfd, &k, sizeof(k), &one, sizeof(one));
		}
		if (!err)
			err = eci_bind_drop(&log, bfd, id, binds, nbinds);
	}
	if (err) {
		eci_txn_rollback(&log);
		if (err == -E2BIG)
			eci_err("the policy maps are full (%d cgroups, %d device rules, %d bind sources): %s was not added",
				ECI_MAX_CGROUPS, ECI_MAX_DEV_RULES, ECI_MAX_BIND_RULES, rel);
		else
			eci_err("failed to add %s: %s; nothing was changed", rel, strerror(-err));
		err = 1;
		goto out;
	}
	printf("protected %s (cgroup id %llu, name %s%s%s%s, %zu cgroups, %zu device rules, %zu bind sources)\n",
	       rel, (unsigned long long)id, name, flags & ECI_CF_AUDIT ? ", audit mode" : "",
	       flags & ECI_CF_SETUP ? ", in setup" : "",
	       flags & ECI_CF_SOCKET ? ", engine socket allowed" : "", a.n, nrules, nbinds);
	if (o->image && !(flags & ECI_CF_SOCKET))
		printf(o->image_judged ?
			       "image %s: not allowed the engine socket (judged by its id and digests in Docker's or Podman's image store, never by a name)\n" :
			       "image %s is not in the settings' imageList: no engine socket\n",
		       o->image);
	eci_image_note(id, o->image);
	err = 0;
out:
	free(own);
	free(binds);
	if (bfd >= 0)
		close(bfd);
	eci_txn_free(&log);
	if (dfd >= 0)
		close(dfd);
	if (a.fd >= 0)
		close(a.fd);
	return err;
}

void eci_image_note(uint64_t id, const char *image)
{
	char path[sizeof(ECI_IMAGE_DIR) + 24];
	FILE *f;

	snprintf(path, sizeof(path), ECI_IMAGE_DIR "/%llu", (unsigned long long)id);
	if (!image) {
		unlink(path);
		return;
	}
	/* Best effort: the image only names the container in events. */
	mkdir("/run/eci", 0755);
	mkdir(ECI_IMAGE_DIR, 0755);
	f = fopen(path, "we");
	if (f) {
		fputs(image, f);
		fclose(f);
	}
}

/* The whole map, read before any delete so iteration is not disturbed. An
 * entry deleted between the two reads is left out. */
struct entry {
	uint64_t id;
	struct eci_container v;
};

static struct entry *read_all(int fd, size_t *n)
{
	struct entry *e = NULL;
	uint64_t key, last;
	size_t cap = 0;
	int first = 1;

	*n = 0;
	while (!bpf_map_get_next_key(fd, first ? NULL : &last, &key)) {
		first = 0;
		last = key;
		if (*n == cap) {
			struct entry *p = realloc(e, (cap = cap ? cap * 2 : 64) * sizeof(*p));

			if (!p) {
				free(e);
				return NULL;
			}
			e = p;
		}
		e[*n].id = key;
		if (!bpf_map_lookup_elem(fd, &key, &e[*n].v))
			(*n)++;
	}
	return e ? e : calloc(1, sizeof(*e));
}

/* The whole containers map, or NULL with the reason said. */
static struct entry *load_entries(size_t *n)
{
	struct entry *all;
	int fd = open_containers();

	if (fd < 0)
		return NULL;
	all = read_all(fd, n);
	close(fd);
	if (!all)
		eci_err("failed to read the containers map: %s", strerror(ENOMEM));
	return all;
}

int eci_container_rm(const char *arg)
{
	struct eci_container v;
	char dir[PATH_MAX];
	size_t n, removed = 0;
	struct entry *all;
	uint64_t id;
	char *end;
	int fd, err = 0;
	bool gone = false;

	/* An id still names a container whose cgroup is gone; its entries
	 * normally go with the cgroup, so this only cleans up after a crash. */
	errno = 0;
	id = strtoull(arg, &end, 10);
	if (*arg >= '0' && *arg <= '9' && !*end && !errno && cg_find_id(id, dir, sizeof(dir))) {
		snprintf(dir, sizeof(dir), "cgroup id %s", arg);
		gone = true;
	} else if (resolve(arg, dir, sizeof(dir), &id))
		return 1;
	fd = open_containers();
	if (fd < 0)
		return 1;
	if (bpf_map_lookup_elem(fd, &id, &v) || v.root_id != id) {
		/* The kernel dropped the entries with the cgroup; what it can't
		 * reach (bind sources in an LPM trie) goes now. */
		if (gone && bpf_map_lookup_elem(fd, &id, &v)) {
			close(fd);
			return eci_container_leftovers(id) ? 1 : 0;
		}
		eci_err("%s is not a protected container", cg_rel_path(dir));
		close(fd);
		return 1;
	}
	all = read_all(fd, &n);
	if (!all) {
		eci_err("failed to read the containers map: %s", strerror(ENOMEM));
		close(fd);
		return 1;
	}
	/* The container's own entry goes last: while it exists, sub-cgroups
	 * created meanwhile still inherit and are found by a later rm. */
	for (size_t i = 0; i < n; i++) {
		if (all[i].id == id || all[i].v.root_id != id)
			continue;
		if (bpf_map_delete_elem(fd, &all[i].id) && errno != ENOENT)
			err = -errno;
		else
			removed++;
	}
	if (!err && bpf_map_delete_elem(fd, &id) && errno != ENOENT)
		err = -errno;
	if (!err) {
		int dfd = eci_open_map("dev_rules");

		err = dfd < 0 ? -ENOENT : drop_rules(NULL, dfd, id, NULL, 0);
		if (dfd >= 0)
			close(dfd);
	}
	if (!err) {
		int bfd = eci_open_map("bind_allow");

		err = bfd < 0 ? -ENOENT : eci_bind_drop(NULL, bfd, id, NULL, 0);
		if (bfd >= 0)
			close(bfd);
	}
	if (err)
		eci_err("failed to remove %s: %s", cg_rel_path(dir), strerror(-err));
	else
		printf("unprotected %s (%zu cgroups)\n", cg_rel_path(dir), removed + 1);
	if (!err)
		eci_image_note(id, NULL);
	free(all);
	close(fd);
	return err ? 1 : 0;
}

int eci_container_leftovers(uint64_t id)
{
	int dfd = eci_open_map("dev_rules"), bfd = dfd < 0 ? -1 : eci_open_map("bind_allow");
	int err = bfd < 0 ? -ENOENT : drop_rules(NULL, dfd, id, NULL, 0);

	if (!err)
		err = eci_bind_drop(NULL, bfd, id, NULL, 0);
	if (dfd >= 0)
		close(dfd);
	if (bfd >= 0)
		close(bfd);
	if (err == -ENOENT)
		return 1; /* said by eci_open_map */
	if (err) {
		eci_err("failed to clean up after cgroup id %llu: %s", (unsigned long long)id,
			strerror(-err));
		return 1;
	}
	printf("cgroup id %llu is gone; its bind sources and device rules were removed\n",
	       (unsigned long long)id);
	return 0;
}

static const char *mode_name(uint32_t flags)
{
	return flags & ECI_CF_AUDIT ? "audit" : "enforce";
}

/* Is entry i a container's own cgroup (not a sub-cgroup or a subtree's)?
 * Then *subs is how many sub-cgroups it has. */
static bool root_entry(const struct entry *all, size_t n, size_t i, size_t *subs)
{
	if (all[i].v.root_id != all[i].id || (all[i].v.flags & ECI_CF_SUBTREE))
		return false;
	for (size_t j = 0; j < n; j++)
		*subs += j != i && all[j].v.root_id == all[i].id;
	return true;
}

struct json_object *eci_containers_json(void)
{
	struct json_object *a;
	struct entry *all;
	size_t n;

	all = load_entries(&n);
	if (!all)
		return NULL;
	a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const struct eci_container *v = &all[i].v;
		struct json_object *o;
		char dir[PATH_MAX];
		size_t subs = 0;

		if (!root_entry(all, n, i, &subs))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "cgroupId", json_object_new_uint64(all[i].id));
		json_object_object_add(o, "subCgroups", json_object_new_uint64(subs));
		json_object_object_add(o, "mode", json_object_new_string(mode_name(v->flags)));
		json_object_object_add(o, "name", json_object_new_string(v->name));
		json_object_object_add(o, "path",
				       cg_find_id(all[i].id, dir, sizeof(dir)) ?
					       NULL :
					       json_object_new_string(cg_rel_path(dir)));
		json_object_array_add(a, o);
	}
	free(all);
	return a;
}

int eci_container_ls(bool json)
{
	struct entry *all;
	size_t n, roots = 0;

	if (json) {
		struct json_object *a = eci_containers_json();

		if (!a)
			return 1;
		eci_json_print(a);
		return 0;
	}
	all = load_entries(&n);
	if (!all)
		return 1;
	printf("containers: %zu protected cgroups\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct eci_container *v = &all[i].v;
		char dir[PATH_MAX];
		size_t subs = 0;

		if (!root_entry(all, n, i, &subs))
			continue;
		if (!roots++)
			printf("  %-12s %-6s %-7s %-20s %s\n", "CGROUP-ID", "SUBS", "MODE", "NAME",
			       "PATH");
		printf("  %-12llu %-6zu %-7s %-20s %s\n", (unsigned long long)all[i].id, subs,
		       v->flags & ECI_CF_AUDIT ? "audit" : "enforce", v->name,
		       cg_find_id(all[i].id, dir, sizeof(dir)) ? "(gone)" : cg_rel_path(dir));
	}
	free(all);
	return 0;
}

static int rule_cmp(const void *a, const void *b)
{
	const struct eci_dev_key *x = &((const struct eci_dev_rule *)a)->key;
	const struct eci_dev_key *y = &((const struct eci_dev_rule *)b)->key;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->major != y->major)
		return x->major < y->major ? -1 : 1;
	return x->minor < y->minor ? -1 : x->minor > y->minor;
}

/* The rules of one root id, sorted by type and numbers; into a JSON array
 * if json is set, else printed. */
static void print_rules(int fd, uint64_t root, const char *label, struct json_object *json)
{
	struct eci_dev_key key, last, *prev = NULL;
	struct eci_dev_rule *r = NULL;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		last = key;
		prev = &last;
		if (key.root_id != root)
			continue;
		if (n == cap) {
			struct eci_dev_rule *p =
				realloc(r, (cap = cap ? cap * 2 : 16) * sizeof(*p));

			if (!p)
				break;
			r = p;
		}
		r[n].key = key;
		if (!bpf_map_lookup_elem(fd, &key, &r[n].access))
			n++;
	}
	if (n)
		qsort(r, n, sizeof(*r), rule_cmp);
	for (size_t i = 0; i < n; i++) {
		char buf[64];

		eci_dev_rule_format(&r[i], buf, sizeof(buf));
		if (json)
			json_object_array_add(json, json_object_new_string(buf));
		else
			printf("  %-9s %s\n", i ? "" : label, buf);
	}
	if (!n && !json)
		printf("  %-9s (none)\n", label);
	free(r);
}

int eci_container_show(const char *arg, bool json)
{
	struct eci_container v;
	char dir[PATH_MAX];
	size_t n, subs = 0;
	struct entry *all;
	uint64_t id;
	int fd, dfd;

	if (resolve(arg, dir, sizeof(dir), &id))
		return 1;
	fd = open_containers();
	if (fd < 0)
		return 1;
	if (bpf_map_lookup_elem(fd, &id, &v)) {
		eci_err("%s is not protected", cg_rel_path(dir));
		close(fd);
		return 1;
	}
	/* An exempt service's entry only keeps the container rule away. */
	if (v.flags & ECI_CF_EXEMPT) {
		eci_err("%s is not protected: it is an exempt VM service (ecictl exempt ls)",
			cg_rel_path(dir));
		close(fd);
		return 1;
	}
	all = read_all(fd, &n);
	close(fd);
	for (size_t i = 0; all && i < n; i++)
		subs += all[i].id != v.root_id && all[i].v.root_id == v.root_id;
	free(all);

	if (json) {
		struct json_object *o = json_object_new_object(), *d, *c;

		json_object_object_add(o, "cgroup", json_object_new_string(cg_rel_path(dir)));
		json_object_object_add(o, "cgroupId", json_object_new_uint64(id));
		if (v.root_id != id) {
			char root[PATH_MAX];

			c = json_object_new_object();
			json_object_object_add(c, "cgroupId", json_object_new_uint64(v.root_id));
			json_object_object_add(c, "path",
					       cg_find_id(v.root_id, root, sizeof(root)) ?
						       NULL :
						       json_object_new_string(cg_rel_path(root)));
			json_object_object_add(o, "container", c);
		}
		json_object_object_add(o, "name", json_object_new_string(v.name));
		json_object_object_add(o, "mode", json_object_new_string(mode_name(v.flags)));
		json_object_object_add(o, "setup", json_object_new_boolean(v.flags & ECI_CF_SETUP));
		json_object_object_add(o, "adopted",
				       json_object_new_boolean(v.flags & ECI_CF_ADOPTED));
		json_object_object_add(o, "subCgroups", json_object_new_uint64(subs));
		json_object_object_add(o, "engineSocket",
				       json_object_new_boolean(v.flags & ECI_CF_SOCKET));
		json_object_object_add(o, "binds", eci_bind_json(v.root_id));
		dfd = eci_open_map("dev_rules");
		if (dfd < 0) {
			json_object_put(o);
			return 1;
		}
		d = json_object_new_object();
		c = json_object_new_array();
		print_rules(dfd, ECI_DEV_DEFAULTS, NULL, c);
		json_object_object_add(d, "default", c);
		c = json_object_new_array();
		print_rules(dfd, v.root_id, NULL, c);
		json_object_object_add(d, "assigned", c);
		json_object_object_add(o, "devices", d);
		close(dfd);
		eci_json_print(o);
		return 0;
	}
	printf("cgroup:     %s (id %llu)\n", cg_rel_path(dir), (unsigned long long)id);
	if (v.root_id != id) {
		char root[PATH_MAX];

		printf("container:  %s (id %llu), this is one of its sub-cgroups\n",
		       cg_find_id(v.root_id, root, sizeof(root)) ? "(gone)" : cg_rel_path(root),
		       (unsigned long long)v.root_id);
	}
	printf("name:       %s\nmode:       %s%s\nsub-cgroups: %zu\n", v.name,
	       v.flags & ECI_CF_AUDIT ? "audit" : "enforce",
	       v.flags & ECI_CF_SETUP	? " (in setup: no execve yet)" :
	       v.flags & ECI_CF_ADOPTED ? " (adopted: mounts recorded at its next execve)" :
					  "",
	       subs);
	printf("socket:     engine socket %s\n", v.flags & ECI_CF_SOCKET ? "allowed" : "denied");
	eci_bind_print(v.root_id);
	printf("devices:\n");
	dfd = eci_open_map("dev_rules");
	if (dfd < 0)
		return 1;
	print_rules(dfd, ECI_DEV_DEFAULTS, "default", NULL);
	print_rules(dfd, v.root_id, "assigned", NULL);
	close(dfd);
	return 0;
}

struct subtree_ctx {
	struct add_ctx *a;
	uint32_t flags;
	size_t containers;
};

/* A running container found below a new subtree: protect it and its tree. */
static int adopt_child(const char *dir, uint64_t id, void *arg)
{
	struct subtree_ctx *st = arg;
	struct add_ctx *a = st->a;
	struct eci_container old;
	const char *base = strrchr(dir, '/');

	/* Already protected, by a runtime or before; an exemption yields to
	 * the subtree (nothing below one is exempt). */
	if (!bpf_map_lookup_elem(a->fd, &id, &old) && !(old.flags & ECI_CF_EXEMPT))
		return 0;
	memset(&a->val, 0, sizeof(a->val));
	a->val.root_id = id;
	/* Running already: its mounts are recorded at its next exec. */
	a->val.flags = st->flags | ECI_CF_ADOPTED;
	set_name(a->val.name, base ? base + 1 : dir);
	st->containers++;
	return cg_walk(dir, add_one, a);
}

/* Call fn for each cgroup directly below dir. */
static int for_each_child(const char *dir, cg_walk_fn fn, void *ctx)
{
	char path[PATH_MAX];
	struct dirent *de;
	uint64_t id;
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			err = -ENAMETOOLONG;
		else if (!cg_id_of_dir(path, &id))
			err = fn(path, id, ctx);
	}
	closedir(d);
	return err;
}

int eci_subtree_add_txn(struct eci_txn *t, int fd, const char *dir, uint64_t id, uint32_t flags,
			size_t *adopted)
{
	struct add_ctx a = { .fd = fd, .log = t };
	struct subtree_ctx st = { .a = &a, .flags = flags };
	struct eci_container v = { 0 };
	const char *rel = cg_rel_path(dir), *base;
	int err;

	if (!bpf_map_lookup_elem(fd, &id, &v) && !(v.flags & ECI_CF_SUBTREE))
		return -EEXIST;
	/* The subtree's entry first: from then on the cgroup_mkdir tracepoint
	 * protects new children, and the walk adopts the ones already there. */
	memset(&v, 0, sizeof(v));
	v.root_id = id;
	v.flags = ECI_CF_SUBTREE | flags;
	base = strrchr(rel, '/');
	set_name(v.name, base && base[1] ? base + 1 : rel);
	err = eci_txn_update(t, fd, &id, sizeof(id), &v, sizeof(v));
	if (!err)
		err = for_each_child(dir, adopt_child, &st);
	if (adopted)
		*adopted = st.containers;
	return err;
}

int eci_container_adopt_txn(struct eci_txn *t, int fd, const char *dir, uint64_t id, uint32_t flags,
			    size_t *adopted)
{
	struct add_ctx a = { .fd = fd, .log = t };
	struct subtree_ctx st = { .a = &a, .flags = flags };
	int err = adopt_child(dir, id, &st);

	if (adopted)
		*adopted += st.containers;
	return err;
}

int eci_subtree_add(const char *arg, uint32_t flags)
{
	struct eci_txn log = { 0 };
	char dir[PATH_MAX];
	size_t adopted = 0;
	const char *rel;
	uint64_t id;
	int fd, err;

	if (resolve(arg, dir, sizeof(dir), &id))
		return 1;
	rel = cg_rel_path(dir);
	fd = open_containers();
	if (fd < 0)
		return 1;
	err = eci_subtree_add_txn(&log, fd, dir, id, flags, &adopted);
	if (err == -EEXIST) {
		eci_err("%s is protected as a container already; a subtree holds containers", rel);
		err = 1;
	} else if (err) {
		eci_txn_rollback(&log);
		eci_err("failed to protect subtree %s: %s; nothing was changed", rel,
			err == -E2BIG ? "the containers map is full" : strerror(-err));
		err = 1;
	} else {
		printf("protected subtree %s (cgroup id %llu%s): every new cgroup below it is a container; %zu running ones adopted\n",
		       rel, (unsigned long long)id, flags & ECI_CF_AUDIT ? ", audit mode" : "",
		       adopted);
	}
	eci_txn_free(&log);
	close(fd);
	return err;
}

/*
 * Remove the entry of cgroup arg when it is the kind wanted (a subtree: ECI_CF_SUBTREE
 * without ECI_CF_EXEMPT; an exemption: ECI_CF_EXEMPT). not_fmt, fail_fmt and
 * done_fmt take the cgroup's path (fail_fmt then the error).
 */
static int entry_rm(const char *arg, bool exempt, const char *not_fmt, const char *fail_fmt,
		    const char *done_fmt)
{
	struct eci_container v;
	char dir[PATH_MAX];
	uint64_t id;
	int fd, err = 0;

	if (resolve(arg, dir, sizeof(dir), &id))
		return 1;
	fd = open_containers();
	if (fd < 0)
		return 1;
	if (bpf_map_lookup_elem(fd, &id, &v) ||
	    (exempt ? !(v.flags & ECI_CF_EXEMPT) :
		      !(v.flags & ECI_CF_SUBTREE) || (v.flags & ECI_CF_EXEMPT))) {
		eci_err(not_fmt, cg_rel_path(dir));
		err = 1;
	} else if (bpf_map_delete_elem(fd, &id)) {
		eci_err(fail_fmt, cg_rel_path(dir), strerror(errno));
		err = 1;
	} else {
		printf(done_fmt, cg_rel_path(dir));
	}
	close(fd);
	return err;
}

/* Each entry of that kind: its id, label(flags) and path. */
static int entries_ls(bool exempt, const char *(*label)(uint32_t flags))
{
	struct entry *all;
	size_t n;

	all = load_entries(&n);
	if (!all)
		return 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t f = all[i].v.flags;
		char dir[PATH_MAX];

		if (exempt ? !(f & ECI_CF_EXEMPT) : !(f & ECI_CF_SUBTREE) || (f & ECI_CF_EXEMPT))
			continue;
		printf("%-12llu %-7s %s\n", (unsigned long long)all[i].id, label(f),
		       cg_find_id(all[i].id, dir, sizeof(dir)) ? "(gone)" : cg_rel_path(dir));
	}
	free(all);
	return 0;
}

int eci_subtree_rm(const char *arg)
{
	/* Fail closed: the containers it made stay protected until they go. */
	return entry_rm(
		arg, false, "%s is not a protected subtree", "failed to remove subtree %s: %s",
		"subtree %s no longer protects new cgroups; its containers stay protected\n");
}

static const char *subtree_label(uint32_t flags)
{
	return flags & ECI_CF_AUDIT ? "audit" : "enforce";
}

int eci_subtree_ls(void)
{
	return entries_ls(false, subtree_label);
}

int eci_exempt_add(const char *arg, bool tree)
{
	struct eci_container v = { 0 };
	char dir[PATH_MAX];
	const char *rel, *base;
	uint64_t id;
	int fd, err = 0;

	if (resolve(arg, dir, sizeof(dir), &id))
		return 1;
	rel = cg_rel_path(dir);
	fd = open_containers();
	if (fd < 0)
		return 1;
	/* A container or a subtree stays what it is: exempting one would
	 * unprotect what the admin (or a runtime) protected. */
	if (!bpf_map_lookup_elem(fd, &id, &v) && !(v.flags & ECI_CF_EXEMPT)) {
		eci_err("%s is a protected %s; it can't be exempted", rel,
			v.flags & ECI_CF_SUBTREE ? "subtree" : "container");
		close(fd);
		return 1;
	}
	memset(&v, 0, sizeof(v));
	v.root_id = id;
	/* SUBTREE too, so every lookup answers "unprotected". */
	v.flags = ECI_CF_SUBTREE | ECI_CF_EXEMPT | (tree ? ECI_CF_EXEMPT_TREE : 0);
	base = strrchr(rel, '/');
	set_name(v.name, base && base[1] ? base + 1 : rel);
	if (bpf_map_update_elem(fd, &id, &v, BPF_ANY)) {
		eci_err("failed to exempt %s: %s", rel,
			errno == E2BIG ? "the containers map is full" : strerror(errno));
		err = 1;
	} else {
		printf("exempt %s (cgroup id %llu): a VM service, not a container, whatever it mounts; cgroups created below it are %s\n",
		       rel, (unsigned long long)id, tree ? "exempt too" : "not exempt");
	}
	close(fd);
	return err;
}

int eci_exempt_rm(const char *arg)
{
	return entry_rm(
		arg, true, "%s is not exempt", "failed to remove the exemption of %s: %s",
		"%s is no longer exempt: if it mounts in a namespace of its own it becomes a container\n");
}

static const char *exempt_label(uint32_t flags)
{
	return flags & ECI_CF_EXEMPT_TREE ? "tree" : "cgroup";
}

int eci_exempt_ls(void)
{
	return entries_ls(true, exempt_label);
}
