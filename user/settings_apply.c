// SPDX-License-Identifier: GPL-2.0
/*
 * The settings file turned into map contents. Everything is resolved and
 * checked first (subtree patterns, socket inodes, paths); then every write
 * goes through one transaction and the copy of the file is renamed into place
 * last, so a failure anywhere leaves the running policy as it was.
 */
#define _GNU_SOURCE
#include "settings_apply.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bind.h"
#include "cgroup.h"
#include "container.h"
#include "events.h"
#include "eci.h"
#include "maps.h"
#include "settings.h"
#include "txn.h"
#include "util.h"

/* ---- engine sockets ---------------------------------------------------- */

struct sockets {
	char path[ECI_MAX_SOCKETS][ECI_PATH_LEN];
	size_t npath;
	struct eci_inode_key ino[ECI_MAX_SOCKETS];
	size_t nino;
};

static void socket_add_path(struct sockets *so, const char *p)
{
	if (so->npath < ECI_MAX_SOCKETS && !eci_path_in_list(so->path, so->npath, p))
		snprintf(so->path[so->npath++], ECI_PATH_LEN, "%s", p);
}

/* The inode of every listed path that is a socket now. */
static void socket_stat(struct sockets *so)
{
	so->nino = 0;
	for (size_t i = 0; i < so->npath; i++) {
		char p[ECI_PATH_LEN];
		struct eci_inode_key k;
		struct stat st;
		bool dup = false;

		snprintf(p, sizeof(p), "%s", so->path[i]);
		if (strlen(p) > 1)
			p[strlen(p) - 1] = '\0';
		if (stat(p, &st) || !S_ISSOCK(st.st_mode))
			continue;
		/* The kernel's dev_t, as the BPF side reads it from the inode. */
		k.dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
		k.ino = st.st_ino;
		for (size_t j = 0; j < so->nino; j++)
			dup |= !memcmp(&so->ino[j], &k, sizeof(k));
		if (!dup)
			so->ino[so->nino++] = k;
	}
}

static bool socket_kept(const void *key, const void *ctx)
{
	const struct sockets *so = ctx;

	for (size_t j = 0; j < so->nino; j++)
		if (!memcmp(&so->ino[j], key, sizeof(so->ino[j])))
			return true;
	return false;
}

/* engine_socket_paths and engine_sockets become exactly so. */
static int socket_write(struct eci_txn *t, int pfd, int ifd, const struct sockets *so, bool paths)
{
	int err = 0;

	for (__u32 i = 0; paths && i < ECI_MAX_SOCKETS && !err; i++) {
		struct eci_socket_path v = { 0 };

		if (i < so->npath)
			snprintf(v.path, sizeof(v.path), "%s", so->path[i]);
		err = eci_txn_update(t, pfd, &i, sizeof(i), &v, sizeof(v));
	}
	if (!err)
		err = eci_map_prune(t, ifd, sizeof(struct eci_inode_key), sizeof(__u32),
				    socket_kept, so);
	for (size_t i = 0; i < so->nino && !err; i++) {
		__u32 one = 1;

		err = eci_txn_update(t, ifd, &so->ino[i], sizeof(so->ino[i]), &one, sizeof(one));
	}
	return err;
}

int eci_sockets_refresh(void)
{
	struct eci_txn t = { 0 };
	struct sockets so = { 0 };
	int pfd, ifd = -1, err;

	pfd = eci_open_map("engine_socket_paths");
	if (pfd < 0)
		return -ENOENT;
	ifd = eci_open_map("engine_sockets");
	if (ifd < 0) {
		close(pfd);
		return -ENOENT;
	}
	for (__u32 i = 0; i < ECI_MAX_SOCKETS; i++) {
		struct eci_socket_path v;

		if (!bpf_map_lookup_elem(pfd, &i, &v) && v.path[0]) {
			v.path[ECI_PATH_LEN - 1] = '\0';
			socket_add_path(&so, v.path);
		}
	}
	socket_stat(&so);
	err = socket_write(&t, pfd, ifd, &so, false);
	if (err)
		eci_txn_rollback(&t);
	eci_txn_free(&t);
	close(pfd);
	close(ifd);
	return err;
}

/* ---- subtrees ---------------------------------------------------------- */

struct target {
	char dir[PATH_MAX];
	uint64_t id;
	bool container; /* a glob in the last component: the matches are containers */
};

struct targets {
	struct target *t;
	size_t n;
	/* Directories created for literal subtrees, removed on rollback. */
	char **made;
	size_t nmade;
};

static bool has_glob(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return true;
	return false;
}

static int target_add(struct targets *ts, const char *dir, bool container)
{
	struct target *t;
	uint64_t id;
	int err = cg_id_of_dir(dir, &id);

	if (err)
		return err;
	for (size_t i = 0; i < ts->n; i++)
		if (ts->t[i].id == id)
			return 0;
	t = realloc(ts->t, (ts->n + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	ts->t = t;
	t = &ts->t[ts->n++];
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	t->id = id;
	t->container = container;
	return 0;
}

/* mkdir -p below the cgroup mount, remembering what was made. */
static int make_cgroup(struct targets *ts, const char *dir, size_t mlen)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *c = p + mlen + 1;; c++) {
		char save = *c;

		if (*c != '/' && *c)
			continue;
		*c = '\0';
		if (!mkdir(p, 0755)) {
			char **m = realloc(ts->made, (ts->nmade + 1) * sizeof(*m));

			if (!m || !(m[ts->nmade] = strdup(p))) {
				if (m)
					ts->made = m;
				rmdir(p);
				return -ENOMEM;
			}
			ts->made = m;
			ts->nmade++;
		} else if (errno != EEXIST) {
			return -errno;
		}
		*c = save;
		if (!save)
			return 0;
	}
}

static void unmake(struct targets *ts)
{
	while (ts->nmade--)
		rmdir(ts->made[ts->nmade]);
	ts->nmade = 0;
}

static void targets_free(struct targets *ts)
{
	for (size_t i = 0; i < ts->nmade; i++)
		free(ts->made[i]);
	free(ts->made);
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}

/*
 * A literal subtree that does not exist yet is created, so it is protected
 * before the runtime that will use it starts. A pattern is matched against the
 * cgroups that exist now: with its wildcard in the last component
 * (/system.slice/docker-*.scope) each match is a container (the parent holds
 * other things too, so it can't be a subtree); with wildcards only above
 * (/kubepods/ *), each match is a subtree.
 */
static int resolve_subtrees(char *const *pats, size_t n, bool create, struct targets *ts, char *err,
			    size_t errlen)
{
	const char *mnt = cg_mount();
	size_t mlen;

	if (!mnt) {
		snprintf(err, errlen, "no cgroup v2 hierarchy is mounted");
		return -1;
	}
	mlen = strlen(mnt);
	for (size_t i = 0; i < n; i++) {
		const char *last = strrchr(pats[i], '/') + 1;
		char dir[PATH_MAX];
		glob_t g;
		int e;

		if (snprintf(dir, sizeof(dir), "%s%s", mnt, pats[i]) >= (int)sizeof(dir)) {
			snprintf(err, errlen, "subtree %s: path too long", pats[i]);
			return -1;
		}
		if (!has_glob(pats[i], strlen(pats[i]))) {
			e = create ? make_cgroup(ts, dir, mlen) : 0;
			if (!e)
				e = target_add(ts, dir, false);
			if (e == -ENOENT && !create)
				continue;
			if (e) {
				snprintf(err, errlen,
					 "subtree %s: failed to create or open the cgroup: %s",
					 pats[i], strerror(-e));
				return -1;
			}
			continue;
		}
		e = glob(dir, GLOB_ONLYDIR | GLOB_NOSORT, NULL, &g);
		if (e == GLOB_NOMATCH)
			continue;
		if (e) {
			snprintf(err, errlen, "subtree %s: failed to match the pattern", pats[i]);
			return -1;
		}
		for (size_t j = 0; j < g.gl_pathc && !e; j++) {
			e = target_add(ts, g.gl_pathv[j], has_glob(last, strlen(last)));
			if (e == -ENOTDIR || e == -ENOENT)
				e = 0; /* a file that matched, or gone meanwhile */
		}
		globfree(&g);
		if (e) {
			snprintf(err, errlen, "subtree %s: %s", pats[i], strerror(-e));
			return -1;
		}
	}
	return 0;
}

/* ---- apply ------------------------------------------------------------- */

static char *read_text(const char *file, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "failed to read %s: %s", file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > ECI_SETTINGS_MAX_SIZE) {
		snprintf(err, errlen, "%s is not a regular file of at most %d bytes", file,
			 ECI_SETTINGS_MAX_SIZE);
		goto out;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "failed to read %s: %s", file, strerror(ENOMEM));
		goto out;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += n;
	buf[got] = '\0';
	*len = got;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/* The copy other tools read (imageList): temp file, fsync, rename. */
static int write_copy(const char *text, size_t len)
{
	char tmp[64];
	int fd, err = 0;

	if (mkdir("/run/eci", 0755) && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "/run/eci/.settings.json.%d", (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len && !err;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0)
			err = -errno;
		else
			off += n;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, ECI_SETTINGS_COPY))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* A default device rule stays if it is built in or in the settings; other
 * containers' rules are not the settings' business. */
static bool default_kept(const void *key, const void *ctx)
{
	const struct eci_dev_key *k = key;
	const struct eci_settings *s = ctx;

	if (k->root_id != ECI_DEV_DEFAULTS)
		return true;
	for (size_t j = 0; j < eci_dev_defaults_len; j++)
		if (!memcmp(&eci_dev_defaults[j].key, k, sizeof(*k)))
			return true;
	for (size_t j = 0; j < s->ndevices; j++)
		if (!memcmp(&s->devices[j].key, k, sizeof(*k)))
			return true;
	return false;
}

/* An autoload alias stays if the settings list it. */
static bool autoload_kept(const void *key, const void *ctx)
{
	const struct eci_settings *s = ctx;
	struct eci_autoload_key k;

	for (size_t j = 0; j < s->nautoload; j++)
		if (!eci_autoload_key_set(&k, s->autoload[j]) && !memcmp(&k, key, sizeof(k)))
			return true;
	return false;
}

struct maps {
	int containers, dev_rules, bind_allow, paths, sockets, config, autoload;
};

static void maps_close(struct maps *m)
{
	int *fds = &m->containers;

	for (size_t i = 0; i < sizeof(*m) / sizeof(int); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int maps_open(struct maps *m)
{
	static const char *const names[] = { "containers",     "dev_rules",
					     "bind_allow",     "engine_socket_paths",
					     "engine_sockets", "global_config",
					     "autoload_allow" };
	int *fds = &m->containers;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fds[i] = -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fds[i] = eci_open_map(names[i]);
		if (fds[i] < 0) {
			maps_close(m);
			return -1;
		}
	}
	return 0;
}

static int apply(const struct eci_settings *s, const struct targets *nt, const struct targets *ot,
		 const struct sockets *so, const char (*shared)[ECI_PATH_LEN], size_t nshared,
		 struct maps *m, struct eci_txn *t, size_t *adopted, char *err, size_t errlen)
{
	struct eci_config cfg = { .flags = s->audit ? ECI_CONFIG_AUDIT : 0 };
	__u32 zero = 0, one = 1;
	int e;

	e = eci_txn_update(t, m->config, &zero, sizeof(zero), &cfg, sizeof(cfg));
	if (!e)
		e = socket_write(t, m->paths, m->sockets, so, true);
	for (size_t i = 0; i < nshared && !e; i++) {
		struct eci_bind_key k;

		eci_bind_key_set(&k, ECI_BIND_ALL, shared[i]);
		e = eci_txn_update(t, m->bind_allow, &k, sizeof(k), &one, sizeof(one));
	}
	if (!e)
		e = eci_bind_drop(t, m->bind_allow, ECI_BIND_ALL, shared, nshared);
	for (size_t i = 0; i < s->ndevices && !e; i++)
		e = eci_txn_update(t, m->dev_rules, &s->devices[i].key, sizeof(s->devices[i].key),
				   &s->devices[i].access, sizeof(s->devices[i].access));
	if (!e)
		e = eci_map_prune(t, m->dev_rules, sizeof(struct eci_dev_key), sizeof(uint32_t),
				  default_kept, s);
	for (size_t i = 0; i < s->nautoload && !e; i++) {
		struct eci_autoload_key k;

		e = eci_autoload_key_set(&k, s->autoload[i]);
		if (!e)
			e = eci_txn_update(t, m->autoload, &k, sizeof(k), &one, sizeof(one));
	}
	if (!e)
		e = eci_map_prune(t, m->autoload, sizeof(struct eci_autoload_key), sizeof(uint32_t),
				  autoload_kept, s);
	if (e) {
		snprintf(err, errlen, "failed to write the policy maps: %s",
			 e == -E2BIG ? "a map is full" : strerror(-e));
		return -1;
	}
	for (size_t i = 0; i < nt->n; i++) {
		const struct target *x = &nt->t[i];

		if (x->container)
			e = eci_container_adopt_txn(t, m->containers, x->dir, x->id, 0, adopted);
		else
			e = eci_subtree_add_txn(t, m->containers, x->dir, x->id, 0, adopted);
		if (e == -EEXIST) {
			snprintf(
				err, errlen,
				"subtree %s is protected as a container already; a subtree holds containers",
				cg_rel_path(x->dir));
			return -1;
		}
		if (e) {
			snprintf(err, errlen, "failed to protect %s: %s", cg_rel_path(x->dir),
				 e == -E2BIG ? "the containers map is full" : strerror(-e));
			return -1;
		}
	}
	/* Subtrees the previous settings set and these don't: new cgroups there
	 * are no longer containers (the running ones stay protected). */
	for (size_t i = 0; i < ot->n; i++) {
		struct eci_container v;
		bool still = false;

		for (size_t j = 0; j < nt->n; j++)
			still |= nt->t[j].id == ot->t[i].id;
		if (still || ot->t[i].container ||
		    bpf_map_lookup_elem(m->containers, &ot->t[i].id, &v) ||
		    !(v.flags & ECI_CF_SUBTREE))
			continue;
		e = eci_txn_delete(t, m->containers, &ot->t[i].id, sizeof(ot->t[i].id), sizeof(v));
		if (e) {
			snprintf(err, errlen, "failed to remove subtree %s: %s",
				 cg_rel_path(ot->t[i].dir), strerror(-e));
			return -1;
		}
	}
	return 0;
}

int eci_settings_apply(const char *file)
{
	struct eci_settings s, old;
	struct targets nt = { 0 }, ot = { 0 };
	struct sockets so = { 0 };
	struct eci_txn t = { 0 };
	struct maps m;
	char err[1024], (*shared)[ECI_PATH_LEN] = NULL;
	size_t len, nshared = 0, adopted = 0;
	char *text;
	bool have_old;
	int ret = 1;

	text = read_text(file, &len, err, sizeof(err));
	if (!text) {
		eci_err("%s; the running policy is unchanged", err);
		return 1;
	}
	if (eci_settings_parse(text, len, &s, err, sizeof(err))) {
		eci_err("%s: %s; the running policy is unchanged", file, err);
		free(text);
		return 1;
	}
	for (size_t i = 0; i < s.nwarnings; i++)
		eci_warn("%s: %s", file, s.warnings[i]);
	have_old = !eci_settings_load(ECI_SETTINGS_COPY, &old, err, sizeof(err));
	if (maps_open(&m))
		goto out_free;

	/* Resolve everything before the first write. */
	for (size_t i = 0; i < s.nsockets; i++) {
		char real[PATH_MAX], p[ECI_PATH_LEN];

		socket_add_path(&so, s.sockets[i]);
		snprintf(p, sizeof(p), "%s", s.sockets[i]);
		p[strlen(p) - 1] = '\0';
		if (realpath(p, real) && !eci_path_normalize(real, p, sizeof(p)))
			socket_add_path(&so, p);
	}
	socket_stat(&so);
	shared = calloc(2 * s.nshared + 1, sizeof(*shared));
	if (!shared) {
		eci_err("failed to apply %s: %s; the running policy is unchanged", file,
			strerror(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < s.nshared; i++) {
		/* Both spellings: the file's, and the resolved one if it exists. */
		snprintf(shared[nshared++], ECI_PATH_LEN, "%s", s.shared[i]);
		if (!eci_bind_path(s.shared[i], shared[nshared], ECI_PATH_LEN) &&
		    !eci_path_in_list(shared, nshared, shared[nshared]))
			nshared++;
	}
	if (have_old && old.enabled &&
	    resolve_subtrees(old.subtrees, old.nsubtrees, false, &ot, err, sizeof(err)))
		targets_free(&ot); /* best effort: an old subtree stays set */
	if (s.enabled && resolve_subtrees(s.subtrees, s.nsubtrees, true, &nt, err, sizeof(err))) {
		unmake(&nt);
		eci_err("%s: %s; the running policy is unchanged", file, err);
		goto out;
	}

	if (apply(&s, &nt, &ot, &so, shared, nshared, &m, &t, &adopted, err, sizeof(err))) {
		eci_txn_rollback(&t);
		unmake(&nt);
		eci_err("%s: %s; the running policy is unchanged", file, err);
		goto out;
	}
	ret = write_copy(text, len);
	if (ret) {
		eci_txn_rollback(&t);
		unmake(&nt);
		eci_err("failed to write %s: %s; the running policy is unchanged",
			ECI_SETTINGS_COPY, strerror(-ret));
		ret = 1;
		goto out;
	}
	printf("settings applied from %s: ECI %s, %s mode, %zu protected subtrees/patterns (%zu running containers adopted), %zu shared directories, %zu extra default devices, %zu images may use the engine socket (%zu of %zu socket paths exist)\n",
	       file, s.enabled ? "on" : "off", s.audit ? "audit" : "enforcing", s.nsubtrees,
	       adopted, s.nshared, s.ndevices, s.nimages, so.nino, so.npath);
	if (!s.enabled && s.nsubtrees)
		printf("note: enhancedContainerIsolation.value is false: the subtrees do not protect new containers\n");
	for (size_t i = 0; i < s.nsubtrees; i++) {
		const char *last = strrchr(s.subtrees[i], '/') + 1;

		if (s.enabled && has_glob(last, strlen(last)))
			printf("note: %s: running matches are protected now; new ones need the runtime's registration (ecictl oci-hook or container add)\n",
			       s.subtrees[i]);
	}
out:
	maps_close(&m);
out_free:
	free(shared);
	targets_free(&nt);
	targets_free(&ot);
	eci_txn_free(&t);
	eci_settings_free(&s);
	if (have_old)
		eci_settings_free(&old);
	free(text);
	return ret;
}

static struct json_object *string_array(char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static int settings_json(void)
{
	struct json_object *o = json_object_new_object();
	struct eci_settings s;
	char err[512];

	json_object_object_add(o, "file", json_object_new_string(ECI_SETTINGS_COPY));
	if (access(ECI_SETTINGS_COPY, F_OK)) {
		json_object_object_add(o, "applied", json_object_new_boolean(false));
		eci_json_print(o);
		return 0;
	}
	if (eci_settings_load(ECI_SETTINGS_COPY, &s, err, sizeof(err))) {
		json_object_put(o);
		eci_err("%s: %s", ECI_SETTINGS_COPY, err);
		return 1;
	}
	json_object_object_add(o, "applied", json_object_new_boolean(true));
	json_object_object_add(o, "enabled", json_object_new_boolean(s.enabled));
	json_object_object_add(o, "locked", json_object_new_boolean(s.locked));
	json_object_object_add(o, "mode", json_object_new_string(s.audit ? "audit" : "enforcing"));
	json_object_object_add(o, "subtrees", string_array(s.subtrees, s.nsubtrees));
	json_object_object_add(o, "shared", string_array(s.shared, s.nshared));
	json_object_object_add(o, "images", string_array(s.images, s.nimages));
	json_object_object_add(o, "sockets", string_array(s.sockets, s.nsockets));
	eci_settings_free(&s);
	eci_json_print(o);
	return 0;
}

/* settings check: the parse of settings apply, without the enforcer. */
int eci_settings_check(const char *file)
{
	struct eci_settings s;
	char err[1024];
	size_t len;
	char *text;

	text = read_text(file, &len, err, sizeof(err));
	if (!text) {
		eci_err("%s", err);
		return 1;
	}
	if (eci_settings_parse(text, len, &s, err, sizeof(err))) {
		eci_err("%s: %s", file, err);
		free(text);
		return 1;
	}
	for (size_t i = 0; i < s.nwarnings; i++)
		eci_warn("%s: %s", file, s.warnings[i]);
	printf("%s is valid: ECI %s, %s mode, %zu protected subtrees/patterns, %zu shared directories, %zu extra default devices, %zu images may use the engine socket, %zu socket paths%s\n",
	       file, s.enabled ? "on" : "off", s.audit ? "audit" : "enforcing", s.nsubtrees,
	       s.nshared, s.ndevices, s.nimages, s.nsockets,
	       s.nwarnings ? " (with the warnings above)" : "");
	eci_settings_free(&s);
	free(text);
	return 0;
}

int eci_settings_show(bool json)
{
	struct eci_settings s;
	char err[512];

	if (json)
		return settings_json();
	if (access(ECI_SETTINGS_COPY, F_OK)) {
		printf("no settings applied (%s is missing): built-in defaults\n",
		       ECI_SETTINGS_COPY);
		return 0;
	}
	if (eci_settings_load(ECI_SETTINGS_COPY, &s, err, sizeof(err))) {
		eci_err("%s: %s", ECI_SETTINGS_COPY, err);
		return 1;
	}
	printf("file:       %s\nECI:        %s%s\nmode:       %s\n", ECI_SETTINGS_COPY,
	       s.enabled ? "on" : "off", s.locked ? " (locked)" : "",
	       s.audit ? "audit" : "enforcing");
	for (size_t i = 0; i < s.nsubtrees; i++)
		printf("%s%s\n", i ? "            " : "subtrees:   ", s.subtrees[i]);
	for (size_t i = 0; i < s.nshared; i++)
		printf("%s%s\n", i ? "            " : "shared:     ", s.shared[i]);
	for (size_t i = 0; i < s.nimages; i++)
		printf("%s%s\n", i ? "            " : "images:     ", s.images[i]);
	for (size_t i = 0; i < s.nsockets; i++)
		printf("%s%s\n", i ? "            " : "sockets:    ", s.sockets[i]);
	eci_settings_free(&s);
	return 0;
}
