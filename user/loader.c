// SPDX-License-Identifier: GPL-2.0
/*
 * open -> configure -> load -> attach -> pin, with one cleanup path. Every
 * link and map is pinned under a private directory first and the directory is
 * renamed to ECI_PIN_DIR last, so other tools see the enforcer either whole or
 * not at all, and the links keep the programs attached after we exit.
 */
#define _GNU_SOURCE
#include "capops.h"
#include "loader.h"
#include "net.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bind.h"
#include "container.h"
#include "hooks.h"
#include "maps.h"
#include "device.h"
#include "events.h"
#include "settings.h"
#include "settings_apply.h"
#include "eci.skel.h"
#include "util.h"

#define LSM_LIST "/sys/kernel/security/lsm"
#define BTF_VMLINUX "/sys/kernel/btf/vmlinux"
#define BPFFS "/sys/fs/bpf"

static bool verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static int read_small_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* The checks that can name the missing piece before the kernel says EPERM. */
static int check_kernel(void)
{
	char lsm[512];

	if (access(BTF_VMLINUX, R_OK)) {
		eci_err("the kernel has no BTF (%s is missing): eci needs CONFIG_DEBUG_INFO_BTF",
			BTF_VMLINUX);
		return -1;
	}
	/* Without securityfs the list can't be read; the load then decides. */
	if (!read_small_file(LSM_LIST, lsm, sizeof(lsm)) && !has_word(lsm, "bpf")) {
		eci_err("BPF LSM is not active (no 'bpf' in %s: %s): boot with lsm=%s,bpf",
			LSM_LIST, lsm, lsm);
		return -1;
	}
	return 0;
}

/*
 * What the running kernel offers, read from its BTF: the one place the loader
 * knows kernels differ (the BPF side's is bpf/compat.bpf.h). Features are
 * probed, never inferred from the version. *missing names a needed feature
 * the kernel lacks, or is NULL.
 */
struct eci_kernel_features {
	bool perf_open_attr; /* the perf_event_open hook sees the event's attr */
	bool perf_alloc; /* the perf_event_alloc hook exists */
	bool mnt_list; /* a mount namespace lists its mounts (before 6.8) */
	bool mnt_rbtree; /* ... or keeps them in an rbtree (6.8 on) */
	const char *missing;
};

/* Whether struct or union `id` has `member` of struct type `mtype`,
 * anonymous members' own included (6.18 moved mnt_namespace::mounts into an
 * anonymous struct), as CO-RE finds a field: by name and type (6.1 has a
 * mnt_namespace::mounts too, a count). */
static bool btf_id_has_member(const struct btf *btf, int id, const char *member, const char *mtype,
			      int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;

	if (!t || !btf_is_composite(t) || depth > 4)
		return false;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		int tid = btf__resolve_type(btf, m->type);
		const struct btf_type *mt = tid < 0 ? NULL : btf__type_by_id(btf, tid);

		if (name && !strcmp(name, member) && mt && btf_is_struct(mt) &&
		    !strcmp(btf__name_by_offset(btf, mt->name_off), mtype))
			return true;
		if ((!name || !*name) && btf_id_has_member(btf, tid, member, mtype, depth + 1))
			return true;
	}
	return false;
}

static bool btf_has_member(const struct btf *btf, const char *type, const char *member,
			   const char *mtype)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);

	return id >= 0 && btf_id_has_member(btf, id, member, mtype, 0);
}

/* The number of arguments of LSM hook `hook` (its bpf_lsm_ stub), or -1. */
static int btf_hook_args(const struct btf *btf, const char *hook)
{
	const struct btf_type *t;
	char name[64];
	int id;

	snprintf(name, sizeof(name), "bpf_lsm_%s", hook);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	return t && btf_is_func_proto(t) ? btf_vlen(t) : -1;
}

static int eci_kernel_probe(struct eci_kernel_features *f)
{
	struct btf *btf;
	int perf_args;

	memset(f, 0, sizeof(*f));
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		f->missing = "the kernel's BTF";
		return -1;
	}
	perf_args = btf_hook_args(btf, "perf_event_open");
	f->perf_open_attr = perf_args == 2;
	f->perf_alloc = btf_hook_args(btf, "perf_event_alloc") == 1;
	f->mnt_list = btf_has_member(btf, "mnt_namespace", "list", "list_head");
	f->mnt_rbtree = btf_has_member(btf, "mnt_namespace", "mounts", "rb_root");
	btf__free(btf);
	if (!f->perf_open_attr && !f->perf_alloc)
		f->missing =
			"an LSM hook that sees a perf event's attributes (perf_event_open with its attr, or perf_event_alloc)";
	else if (!f->mnt_list && !f->mnt_rbtree)
		f->missing =
			"a mount namespace's mounts as a list or an rbtree (struct mnt_namespace has neither 'list' nor 'mounts')";
	return f->missing ? -1 : 0;
}

/*
 * ECI_TEST_MAX_ENTRIES="map=N,map=N": smaller maps, for the tests that fill
 * them to show a full map refuses (tests/vm/39-full-maps.sh). Not a setting:
 * the sizes of eci.h are the only supported ones, and the loader says when
 * others are in force.
 */
static int test_map_sizes(struct eci_bpf *skel)
{
	const char *env = getenv("ECI_TEST_MAX_ENTRIES");
	char buf[256], *save = NULL, *tok;

	if (!env || !*env)
		return 0;
	if (strlen(env) >= sizeof(buf)) {
		eci_err("ECI_TEST_MAX_ENTRIES is too long");
		return -1;
	}
	strcpy(buf, env);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		struct bpf_map *m;
		unsigned long n;

		if (!eq) {
			eci_err("ECI_TEST_MAX_ENTRIES: '%s' is not MAP=N", tok);
			return -1;
		}
		*eq = '\0';
		errno = 0;
		n = strtoul(eq + 1, &end, 10);
		m = bpf_object__find_map_by_name(skel->obj, tok);
		if (!m) {
			eci_err("ECI_TEST_MAX_ENTRIES: no map '%s'", tok);
			return -1;
		}
		if (errno || *end || n == 0 || n > UINT32_MAX) {
			eci_err("ECI_TEST_MAX_ENTRIES: bad size for %s", tok);
			return -1;
		}
		if (bpf_map__set_max_entries(m, (__u32)n)) {
			eci_err("failed to resize map %s: %s", tok, strerror(errno));
			return -1;
		}
		printf("test sizes: map %s holds %lu entries\n", tok, n);
	}
	return 0;
}

/* Keep the programs this kernel can run; return how many there are. */
static int select_programs(struct eci_bpf *skel, const struct eci_kernel_features *f)
{
	const struct bpf_object_skeleton *s = skel->skeleton;
	int n = 0;

	bpf_program__set_autoload(skel->progs.eci_selfprotect_perf_event_open, f->perf_open_attr);
	bpf_program__set_autoload(skel->progs.eci_selfprotect_perf_event_alloc, !f->perf_open_attr);
	for (int i = 0; i < s->prog_cnt; i++)
		n += bpf_program__autoload(*s->progs[i].prog);
	return n;
}

static void print_features(const struct eci_kernel_features *f)
{
	printf("features:   perf events judged at %s; mounts walked as %s\n",
	       f->perf_open_attr ? "perf_event_open (attr)" :
	       f->perf_alloc	 ? "perf_event_alloc (the open hook sees no attr)" :
				   "nothing (MISSING)",
	       f->mnt_rbtree ? "an rbtree (mnt_namespace.mounts)" :
	       f->mnt_list   ? "a list (mnt_namespace.list)" :
			       "nothing (MISSING)");
	/* A policy this kernel can only enforce in part is named here. */
	if (f->missing)
		printf("reduced:    cannot load: no %s\n", f->missing);
	else if (!f->perf_open_attr)
		printf("reduced:    none (a refused perf event's PMU init has run, e.g. a kprobe was registered and is removed again)\n");
	else
		printf("reduced:    none\n");
}

static int check_bpffs(void)
{
	struct statfs st;

	if (statfs(BPFFS, &st) || st.f_type != BPF_FS_MAGIC) {
		eci_err("%s is not a BPF filesystem: mount it with 'mount -t bpf bpf %s'", BPFFS,
			BPFFS);
		return -1;
	}
	return 0;
}

static int path_join(char *buf, size_t len, const char *dir, const char *sub, const char *name)
{
	int n = snprintf(buf, len, "%s/%s%s%s", dir, sub, name ? "/" : "", name ? name : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Remove a pin directory and what is pinned in it (two levels deep). */
static int remove_pins(const char *dir)
{
	static const char *const subdirs[] = { "link", "map" };
	char path[PATH_MAX];
	int ret = 0;

	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		struct dirent *de;
		DIR *d;

		if (path_join(path, sizeof(path), dir, subdirs[i], NULL))
			continue;
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' && unlinkat(dirfd(d), de->d_name, 0) && !ret)
				ret = -errno;
		closedir(d);
		if (rmdir(path) && !ret)
			ret = -errno;
	}
	if (rmdir(dir) && errno != ENOENT && !ret)
		ret = -errno;
	return ret;
}

/* How many of the object's programs have their link pinned. */
static int count_pinned_links(const struct bpf_object_skeleton *s)
{
	char path[PATH_MAX];
	int n = 0;

	for (int i = 0; i < s->prog_cnt; i++) {
		n += !path_join(path, sizeof(path), ECI_PIN_DIR, "link", s->progs[i].name) &&
		     !access(path, F_OK);
	}
	return n;
}

/* The default device rules, written at load before the hooks attach. */
/* The autoload aliases of eci.autoloadModules' default; applied settings
 * (re-applied below if there are some) replace them. */
static int autoload_defaults_write(int fd)
{
	__u32 one = 1;

	for (size_t i = 0; i < eci_autoload_defaults_len; i++) {
		struct eci_autoload_key k;

		if (eci_autoload_key_set(&k, eci_autoload_defaults[i]))
			return -EINVAL;
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int dev_defaults_write(int fd)
{
	for (size_t i = 0; i < eci_dev_defaults_len; i++)
		if (bpf_map_update_elem(fd, &eci_dev_defaults[i].key, &eci_dev_defaults[i].access,
					BPF_ANY))
			return -errno;
	return 0;
}

/*
 * A pinned link this build has no program for, into name: the pins of an
 * older build, whose programs had other names (before eci_<policy>_<hook>).
 */
static bool stale_link(const struct bpf_object_skeleton *s, char *name, size_t len)
{
	struct dirent *de;
	bool found = false;
	DIR *d;

	d = opendir(ECI_PIN_LINKS);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		found = true;
		for (int i = 0; i < s->prog_cnt && found; i++)
			found = strcmp(s->progs[i].name, de->d_name) != 0;
		if (found)
			snprintf(name, len, "%s", de->d_name);
	}
	closedir(d);
	return found;
}

/*
 * The inode number of one of the VM's initial namespaces. At boot ecictl runs
 * in init's namespaces, so its own are the fallback where /proc/1 is hidden.
 */
static int host_ns(const char *kind, volatile __u32 *out)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/1/ns/%s", kind);
	if (stat(path, &st)) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s", kind);
		if (stat(path, &st)) {
			eci_err("failed to read %s: %s", path, strerror(errno));
			return -1;
		}
	}
	*out = (__u32)st.st_ino;
	return 0;
}

/* The VM's root directory, as the kernel encodes its device (MKDEV). */
static int vm_root(volatile __u64 *dev, volatile __u64 *ino)
{
	struct stat st;

	if (stat("/proc/1/root/", &st) && stat("/", &st)) {
		eci_err("failed to read the VM's root directory: %s", strerror(errno));
		return -1;
	}
	*dev = (__u64)major(st.st_dev) << 20 | minor(st.st_dev);
	*ino = st.st_ino;
	return 0;
}

/*
 * The name a map is pinned under: its own, or "bss" for the object's .bss
 * (bpffs refuses dots), whose counters the programs share like a map's.
 * .rodata is configured per load and never pinned.
 */
static const char *pin_name(const struct bpf_map *map)
{
	const char *name = bpf_map__name(map);
	size_t n = strlen(name);

	if (!bpf_map__is_internal(map))
		return name;
	return n >= 4 && !strcmp(name + n - 4, ".bss") ? "bss" : NULL;
}

static int pin_maps(struct eci_bpf *skel, const char *dir, char *path, size_t len)
{
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, skel->obj) {
		const char *name = pin_name(map);

		if (!name)
			continue;
		err = path_join(path, len, dir, "map", name);
		if (!err && bpf_obj_pin(bpf_map__fd(map), path))
			err = -errno;
		if (err)
			return err;
	}
	return 0;
}

static int make_pin_dirs(const char *dir, char *path, size_t len)
{
	int err;

	snprintf(path, len, "%s", dir);
	if (mkdir(dir, 0700))
		return -errno;
	if ((err = path_join(path, len, dir, "link", NULL)) || mkdir(path, 0700))
		return err ? err : -errno;
	if ((err = path_join(path, len, dir, "map", NULL)) || mkdir(path, 0700))
		return err ? err : -errno;
	return 0;
}

static int pin_all(struct eci_bpf *skel, const char *dir, char *path, size_t len)
{
	const struct bpf_object_skeleton *s = skel->skeleton;
	int err;

	if ((err = make_pin_dirs(dir, path, len)))
		return err;
	for (int i = 0; i < s->prog_cnt; i++) {
		if (!*s->progs[i].link)
			continue; /* not for this kernel (select_programs) */
		err = path_join(path, len, dir, "link", s->progs[i].name);
		if (!err)
			err = bpf_link__pin(*s->progs[i].link, path);
		if (err)
			return err;
	}
	return pin_maps(skel, dir, path, len);
}

/*
 * The version stamp: a one-entry array pinned as map/stamp that says which
 * build loaded the enforcer, its map layout, and what it replaced. Created
 * here, not in the BPF object, so no program depends on its shape.
 */
static int stamp_pin(const char *dir, const struct eci_stamp *prev, char *path, size_t len)
{
	struct eci_stamp st = {};
	__u32 zero = 0;
	int fd, err = 0;

	snprintf(st.version, sizeof(st.version), "%s", ECI_VERSION);
	st.layout = ECI_MAP_LAYOUT;
	st.loaded = (__u64)time(NULL);
	if (prev)
		snprintf(st.replaced, sizeof(st.replaced), "%s",
			 prev->version[0] ? prev->version : "a build without a stamp");
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "eci_stamp", sizeof(zero), sizeof(st), 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &zero, &st, BPF_ANY))
		err = -errno;
	if (!err)
		err = path_join(path, len, dir, "map", "stamp");
	if (!err && bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

/* The stamp of the loaded enforcer; false if it has none (an older build). */
static bool stamp_read(struct eci_stamp *st)
{
	__u32 zero = 0;
	bool ok;
	int fd;

	memset(st, 0, sizeof(*st));
	fd = bpf_obj_get(ECI_PIN_MAPS "/stamp");
	if (fd < 0)
		return false;
	ok = !bpf_map_lookup_elem(fd, &zero, st);
	close(fd);
	st->version[sizeof(st->version) - 1] = '\0';
	st->replaced[sizeof(st->replaced) - 1] = '\0';
	return ok;
}

static bool pid_alive(const char *digits)
{
	char *end;
	long pid = strtol(digits, &end, 10);

	return *end == '\0' && pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/*
 * An ecictl killed in the middle of a load or a replace leaves its private
 * pin directory behind: before the swap it holds the new programs (attached
 * next to the old ones), after it the old ones. Either way the enforcer under
 * ECI_PIN_DIR is whole, and the leftover is removed: that detaches the extra
 * programs and keeps the maps they share.
 */
static void sweep_leftovers(void)
{
	static const char *const prefixes[] = { "eci-loading-", "eci-replacing-" };
	struct dirent *de;
	DIR *d;

	d = opendir(BPFFS);
	if (!d)
		return;
	while ((de = readdir(d))) {
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t n = strlen(prefixes[i]);
			char path[PATH_MAX];
			int err;

			if (strncmp(de->d_name, prefixes[i], n) || pid_alive(de->d_name + n))
				continue;
			snprintf(path, sizeof(path), "%s/%s", BPFFS, de->d_name);
			err = remove_pins(path);
			if (err)
				eci_err("failed to remove the leftover %s of an interrupted ecictl: %s",
					path, strerror(-err));
			else
				fprintf(stderr,
					"ecictl: removed %s, left by an interrupted ecictl; the enforcer under %s is whole\n",
					path, ECI_PIN_DIR);
		}
	}
	closedir(d);
}

/* The leftovers of interrupted ecictls, said (status); how many. */
static int report_leftovers(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(BPFFS);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		const char *pid = NULL;

		if (!strncmp(de->d_name, "eci-loading-", 12))
			pid = de->d_name + 12;
		else if (!strncmp(de->d_name, "eci-replacing-", 14))
			pid = de->d_name + 14;
		if (!pid || pid_alive(pid))
			continue;
		printf("leftover:   %s/%s, of an interrupted ecictl (its programs may still run next to the enforcer's): 'ecictl load' removes it\n",
		       BPFFS, de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static const char *map_type_name(__u32 type)
{
	const char *n = libbpf_bpf_map_type_str(type);

	return n ? n : "unknown";
}

/*
 * Point every map of the new object at the loaded enforcer's pinned map of
 * the same name, after checking that its shape is the one this build's
 * programs expect. A map the loaded enforcer lacks is created afresh
 * (fresh[] says which). Nothing in the kernel changes here: on a mismatch
 * the caller refuses with the sentence this prints.
 */
static int reuse_maps(struct eci_bpf *skel, bool *fresh, size_t nfresh)
{
	struct bpf_map *map;
	size_t i = 0;

	bpf_object__for_each_map(map, skel->obj) {
		const char *name = pin_name(map);
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		char path[PATH_MAX];
		int fd, err;

		if (i < nfresh)
			fresh[i] = false;
		i++;
		if (!name)
			continue;
		if (path_join(path, sizeof(path), ECI_PIN_DIR, "map", name))
			return -1;
		fd = bpf_obj_get(path);
		if (fd < 0 && errno == ENOENT) {
			if (i - 1 < nfresh)
				fresh[i - 1] = true;
			continue;
		}
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			eci_err("failed to read the loaded enforcer's map %s: %s; nothing was changed",
				path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
		    info.value_size != bpf_map__value_size(map) ||
		    info.max_entries != bpf_map__max_entries(map) ||
		    info.map_flags != bpf_map__map_flags(map)) {
			eci_err("the loaded enforcer's map '%s' has another layout (%s, key %u, value %u, %u entries) than this build's (%s, key %u, value %u, %u entries), so it can't be kept: the running enforcer is unchanged; to start over, losing the registrations, run 'ecictl unload' then 'ecictl load'",
				name, map_type_name(info.type), info.key_size, info.value_size,
				info.max_entries, map_type_name(bpf_map__type(map)),
				bpf_map__key_size(map), bpf_map__value_size(map),
				bpf_map__max_entries(map));
			close(fd);
			return -1;
		}
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err) {
			eci_err("failed to reuse the map %s: %s; nothing was changed", path,
				strerror(-err));
			return -1;
		}
	}
	return 0;
}

static bool map_fresh(struct eci_bpf *skel, const struct bpf_map *want, const bool *fresh,
		      size_t nfresh)
{
	struct bpf_map *map;
	size_t i = 0;

	bpf_object__for_each_map(map, skel->obj) {
		if (map == want)
			return i < nfresh ? fresh[i] : true;
		i++;
	}
	return true;
}

/* Write the defaults the hooks rely on into the maps that are new. */
static int write_defaults(struct eci_bpf *skel, const bool *fresh, size_t nfresh)
{
	int err = 0;

	if (map_fresh(skel, skel->maps.dev_rules, fresh, nfresh))
		err = dev_defaults_write(bpf_map__fd(skel->maps.dev_rules));
	if (err) {
		eci_err("failed to write the default device rules: %s", strerror(-err));
		return -1;
	}
	if (map_fresh(skel, skel->maps.autoload_allow, fresh, nfresh))
		err = autoload_defaults_write(bpf_map__fd(skel->maps.autoload_allow));
	if (err) {
		eci_err("failed to write the default module autoload aliases: %s", strerror(-err));
		return -1;
	}
	/* The global generic netlink families are this build's list. */
	err = eci_genl_names_write(bpf_map__fd(skel->maps.genl_names));
	if (err) {
		eci_err("failed to write the generic netlink family names: %s", strerror(-err));
		return -1;
	}
	/* The built-in bind sources are this build's: written over old ones. */
	err = eci_bind_builtin_write(bpf_map__fd(skel->maps.bind_allow));
	if (!err)
		err = eci_bind_templates_write(bpf_map__fd(skel->maps.bind_templates));
	if (err) {
		eci_err("failed to write the built-in bind sources: %s", strerror(-err));
		return -1;
	}
	return 0;
}

static void print_load_error(int e)
{
	if (e == EPERM && geteuid() != 0)
		eci_err("failed to load the BPF programs: ecictl must run as root");
	else if (e == EPERM)
		eci_err("the kernel refused to load the BPF LSM programs (%s): BPF LSM is not usable on this kernel%s",
			strerror(e), verbose ? "" : " (run with -v for details)");
	else
		eci_err("failed to load the BPF programs: %s%s", strerror(e),
			verbose ? "" : " (run with -v for the verifier log)");
}

/* Open and configure the object; the caller loads it. NULL: said why. */
static struct eci_bpf *open_configured(struct eci_kernel_features *feat, int *nprogs)
{
	struct eci_bpf *skel;

	skel = eci_bpf__open();
	if (!skel) {
		eci_err("failed to open the BPF object: %s", strerror(errno));
		return NULL;
	}
	eci_kernel_probe(feat);
	*nprogs = select_programs(skel, feat);
	return skel;
}

static int check_and_configure(struct eci_bpf *skel, const struct eci_kernel_features *feat)
{
	struct eci_bpf__rodata *r = skel->rodata;

	if (check_kernel())
		return -1;
	if (feat->missing) {
		eci_err("this kernel lacks %s, which eci needs: nothing was loaded", feat->missing);
		return -1;
	}
	/* Configure: map sizes come from eci.h; the VM's namespaces tell the
	 * runtime's execs from the container's, and a container's own sysctls
	 * from the VM's. */
	if (host_ns("mnt", &r->host_mnt_ns) || host_ns("net", &r->host_net_ns) ||
	    host_ns("uts", &r->host_uts_ns) || host_ns("ipc", &r->host_ipc_ns) ||
	    host_ns("pid", &r->host_pid_ns) || vm_root(&r->vm_root_dev, &r->vm_root_ino))
		return -1;
	/* The capability allowlist (user/capops.c), by this libc's numbers. */
	if (eci_capops_fill((struct eci_cap_op *)r->cap_ops, ECI_NR_MAX)) {
		eci_err("failed to fill the capability allowlist: a syscall number is past %d",
			ECI_NR_MAX);
		return -1;
	}
	return 0;
}

/*
 * load --replace on a loaded enforcer: the new build takes over the maps
 * (registrations, settings, counters) and its programs take over the hooks
 * with no moment unenforced.
 *
 * Each program first goes through bpf_link_update on the pinned link. The
 * kernels eci runs on (6.1, 6.12) have no update for tracing links, LSM
 * ones included, and answer EINVAL; then the new program is attached next to
 * the old one (both run; a denial from either wins) and the old one goes when
 * its link is unpinned. The new tree is pinned under a private directory and
 * exchanged with ECI_PIN_DIR in one rename, so ECI_PIN_DIR always holds one
 * whole build; a kill at any point leaves a private directory that the next
 * ecictl removes (sweep_leftovers).
 */
static int replace(void)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	const struct bpf_object_skeleton *s;
	struct eci_kernel_features feat;
	struct eci_stamp prev;
	bool fresh[64], staged = false, any_fresh = false;
	size_t nfresh = sizeof(fresh) / sizeof(fresh[0]);
	struct eci_bpf *skel;
	int err = 1, nprogs, updated = 0, attached = 0;
	bool had_stamp;

	skel = open_configured(&feat, &nprogs);
	if (!skel)
		return 1;
	s = skel->skeleton;
	had_stamp = stamp_read(&prev);
	if (had_stamp && prev.layout != ECI_MAP_LAYOUT) {
		eci_err("the loaded enforcer (%s) has map layout %u and this build has %u, which it can't migrate: the running enforcer is unchanged; to start over, losing the registrations, run 'ecictl unload' then 'ecictl load'",
			prev.version, prev.layout, ECI_MAP_LAYOUT);
		goto out;
	}
	if (check_and_configure(skel, &feat) || test_map_sizes(skel) ||
	    reuse_maps(skel, fresh, nfresh))
		goto out;
	if (eci_bpf__load(skel)) {
		print_load_error(errno);
		goto out;
	}
	for (size_t i = 0; i < nfresh; i++)
		any_fresh |= fresh[i];
	if (write_defaults(skel, fresh, nfresh))
		goto out;
	/* A .bss made afresh counts the watched bind lookups the old one did. */
	if (map_fresh(skel, skel->maps.bss, fresh, nfresh)) {
		size_t n = 0;
		free(eci_map_keys(bpf_map__fd(skel->maps.bind_lookups), sizeof(__u64), &n));
		skel->bss->bind_lookups_active = n;
	}

	snprintf(tmp, sizeof(tmp), "%s/eci-replacing-%d", BPFFS, (int)getpid());
	staged = true;
	err = make_pin_dirs(tmp, path, sizeof(path));
	for (int i = 0; !err && i < s->prog_cnt; i++) {
		struct bpf_program *prog = *s->progs[i].prog;
		struct bpf_link *link;
		int old;

		if (!bpf_program__autoload(prog))
			continue;
		err = path_join(path, sizeof(path), ECI_PIN_DIR, "link", s->progs[i].name);
		old = err ? -1 : bpf_obj_get(path);
		if (old >= 0 && !bpf_link_update(old, bpf_program__fd(prog), NULL)) {
			err = path_join(path, sizeof(path), tmp, "link", s->progs[i].name);
			if (!err && bpf_obj_pin(old, path))
				err = -errno;
			close(old);
			updated++;
			continue;
		}
		if (old >= 0)
			close(old);
		link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			snprintf(path, sizeof(path), "attach %s", s->progs[i].name);
			break;
		}
		*s->progs[i].link = link;
		attached++;
		err = path_join(path, sizeof(path), tmp, "link", s->progs[i].name);
		if (!err)
			err = bpf_link__pin(link, path);
	}
	/* Once the genl programs are attached: none registers unseen. */
	if (!err && eci_genl_ids_resolve(bpf_map__fd(skel->maps.genl_global))) {
		err = 1;
		goto out;
	}
	if (!err)
		err = pin_maps(skel, tmp, path, sizeof(path));
	if (!err)
		err = stamp_pin(tmp, &prev, path, sizeof(path));
	if (err) {
		eci_err("failed to %s%s: %s; the running enforcer is unchanged",
			strncmp(path, "attach ", 7) ? "pin " : "", path, strerror(-err));
		err = 1;
		goto out;
	}
	/* The switch: one rename. Before it the old build is ECI_PIN_DIR, after
	 * it the new one; the old programs stay attached until unpinned below. */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, ECI_PIN_DIR, RENAME_EXCHANGE)) {
		eci_err("failed to swap %s and %s: %s; the running enforcer is unchanged", tmp,
			ECI_PIN_DIR, strerror(errno));
		err = 1;
		goto out;
	}
	err = remove_pins(tmp);
	staged = false;
	if (err) {
		eci_err("failed to detach the old programs under %s: %s; the next ecictl removes them",
			tmp, strerror(-err));
		err = 1;
		goto out;
	}
	printf("eci replaced: %s -> %s, %d programs (%d updated in place, %d attached before the old ones left), maps kept%s\n",
	       had_stamp ? prev.version : "a build without a stamp", ECI_VERSION, nprogs, updated,
	       attached, any_fresh ? " (new ones created)" : "");
	err = 0;
out:
	if (staged)
		remove_pins(tmp);
	eci_bpf__destroy(skel);
	return err;
}

int eci_load(bool v, bool replace_loaded)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	struct eci_bpf *skel;
	struct eci_kernel_features feat;
	bool pinned = false;
	int err, n, nprogs;

	verbose = v;
	libbpf_set_print(print_libbpf);
	sweep_leftovers();
	if (replace_loaded && eci_is_loaded())
		return replace();

	skel = open_configured(&feat, &nprogs);
	if (!skel)
		return 1;

	if (eci_is_loaded()) {
		n = count_pinned_links(skel->skeleton);
		if (stale_link(skel->skeleton, path, sizeof(path))) {
			/* The old programs stay attached: better than none. */
			eci_err("eci is loaded from an older build (%s/%s is not one of this build's programs): run 'ecictl load --replace' to upgrade",
				ECI_PIN_LINKS, path);
			err = 1;
		} else if (n == nprogs) {
			printf("eci is already loaded (%d programs attached); nothing changed ('ecictl load --replace' upgrades it)\n",
			       n);
			err = 0;
		} else {
			eci_err("eci is partially loaded (%d of %d programs pinned under %s): run 'ecictl load --replace' to repair it",
				n, nprogs, ECI_PIN_DIR);
			err = 1;
		}
		goto out;
	}

	err = 1;
	if (check_and_configure(skel, &feat))
		goto out;
	if (test_map_sizes(skel))
		goto out;
	if (eci_bpf__load(skel)) {
		print_load_error(errno);
		goto out;
	}
	if (check_bpffs())
		goto out;
	/* Policy the hooks rely on goes in before they attach. */
	if (write_defaults(skel, NULL, 0))
		goto out;
	if (eci_bpf__attach(skel)) {
		eci_err("failed to attach the BPF programs: %s", strerror(errno));
		goto out;
	}
	if (eci_genl_ids_resolve(bpf_map__fd(skel->maps.genl_global)))
		goto out;

	/* bpffs refuses names with a dot, so the directory can't be hidden. */
	snprintf(tmp, sizeof(tmp), "%s/eci-loading-%d", BPFFS, (int)getpid());
	pinned = true;
	err = pin_all(skel, tmp, path, sizeof(path));
	if (!err)
		err = stamp_pin(tmp, NULL, path, sizeof(path));
	if (err) {
		eci_err("failed to pin %s: %s", path, strerror(-err));
		err = 1;
		goto out;
	}
	if (rename(tmp, ECI_PIN_DIR)) {
		int e = errno;

		/* Someone else finished a load first: theirs stays, ours goes. */
		if (e == EEXIST || e == ENOTEMPTY) {
			printf("eci is already loaded (by another ecictl); nothing changed\n");
			err = 0;
		} else {
			eci_err("failed to move %s to %s: %s", tmp, ECI_PIN_DIR, strerror(e));
			err = 1;
		}
		goto out;
	}
	pinned = false;
	printf("eci loaded: %d programs attached, pinned under %s\n", nprogs, ECI_PIN_DIR);
	err = 0;
	/* Reloaded without a reboot: the settings applied before still hold
	 * (their subtrees adopt what runs there now). */
	if (!access(ECI_SETTINGS_COPY, F_OK))
		err = eci_settings_apply(ECI_SETTINGS_COPY);
out:
	if (pinned)
		remove_pins(tmp);
	eci_bpf__destroy(skel);
	return err;
}

/*
 * Unpinning a link only drops a reference: the kernel detaches its program
 * later, from a workqueue (seconds in a slow VM, where a container started
 * right after an unload was still refused). "Unloaded" must mean detached, so
 * the programs the links held are waited for: a program's id goes away only
 * once no link holds it.
 */
#define DETACH_WAIT_S 300
#define DETACH_MAX_PROGS 512
static size_t link_prog_ids(__u32 *ids, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	d = opendir(ECI_PIN_LINKS);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		struct bpf_link_info li = {};
		__u32 len = sizeof(li);
		char path[PATH_MAX];
		int fd;

		if (de->d_name[0] == '.' ||
		    path_join(path, sizeof(path), ECI_PIN_DIR, "link", de->d_name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &li, &len) && li.prog_id)
			ids[n++] = li.prog_id;
		close(fd);
	}
	closedir(d);
	return n;
}

/* The number of programs still attached after DETACH_WAIT_S seconds. */
static size_t wait_detached(__u32 *ids, size_t n)
{
	const struct timespec step = { .tv_nsec = 50 * 1000 * 1000 };
	size_t left = n;

	for (int i = 0; left && i < DETACH_WAIT_S * 20; i++) {
		if (i)
			nanosleep(&step, NULL);
		left = 0;
		for (size_t j = 0; j < n; j++) {
			int fd;

			if (!ids[j])
				continue;
			fd = bpf_prog_get_fd_by_id(ids[j]);
			if (fd >= 0) {
				close(fd);
				left++;
			} else if (errno == ENOENT) {
				ids[j] = 0;
			} else {
				left++;
			}
		}
	}
	return left;
}

int eci_unload(void)
{
	static __u32 ids[DETACH_MAX_PROGS];
	size_t nids, left;
	int err;

	if (!eci_is_loaded()) {
		printf("eci is not loaded; nothing changed\n");
		return 0;
	}
	nids = link_prog_ids(ids, DETACH_MAX_PROGS);
	err = remove_pins(ECI_PIN_DIR);
	if (err) {
		eci_err("failed to remove %s: %s", ECI_PIN_DIR, strerror(-err));
		return 1;
	}
	left = wait_detached(ids, nids);
	if (left) {
		eci_err("failed to detach %zu of %zu programs within %d s: something else holds their links; the pins are removed",
			left, nids, DETACH_WAIT_S);
		return 1;
	}
	printf("eci unloaded: %zu programs detached, pins removed\n", nids);
	return 0;
}

static void print_kernel(void)
{
	char lsm[512];
	struct utsname u;

	uname(&u);
	printf("kernel:     %s %s\n", u.sysname, u.release);
	if (read_small_file(LSM_LIST, lsm, sizeof(lsm)))
		printf("lsm:        unknown (%s unreadable)\n", LSM_LIST);
	else
		printf("lsm:        %s (BPF LSM %s)\n", lsm,
		       has_word(lsm, "bpf") ? "active" : "NOT active");
	printf("btf:        %s\n", access(BTF_VMLINUX, R_OK) ? "missing" : "present");
	if (!access(BTF_VMLINUX, R_OK)) {
		struct eci_kernel_features f;

		eci_kernel_probe(&f);
		print_features(&f);
	}
}

static void print_links(void)
{
	struct dirent *de;
	DIR *d;

	d = opendir(ECI_PIN_LINKS);
	if (!d)
		return;
	printf("programs:\n");
	while ((de = readdir(d))) {
		struct bpf_link_info li = {};
		struct bpf_prog_info pi = {};
		__u32 llen = sizeof(li), plen = sizeof(pi);
		char path[PATH_MAX];
		int lfd, pfd;

		if (de->d_name[0] == '.')
			continue;
		if (path_join(path, sizeof(path), ECI_PIN_DIR, "link", de->d_name))
			continue;
		lfd = bpf_obj_get(path);
		if (lfd < 0 || bpf_obj_get_info_by_fd(lfd, &li, &llen)) {
			printf("  %-34s unreadable: %s\n", de->d_name, strerror(errno));
			if (lfd >= 0)
				close(lfd);
			continue;
		}
		pfd = bpf_prog_get_fd_by_id(li.prog_id);
		if (pfd >= 0 && !bpf_obj_get_info_by_fd(pfd, &pi, &plen))
			printf("  %-34s prog id %-5u %s\n", de->d_name, li.prog_id,
			       pi.type == BPF_PROG_TYPE_LSM ? "lsm" : "raw_tp");
		else
			printf("  %-34s prog id %u\n", de->d_name, li.prog_id);
		if (pfd >= 0)
			close(pfd);
		close(lfd);
	}
	closedir(d);
}

/* One hook's counters summed over the CPUs (v: room for ncpu values). */
static int hook_totals(int fd, __u32 h, struct eci_hook_stats *v, int ncpu,
		       unsigned long long *calls, unsigned long long *denials,
		       unsigned long long *audits)
{
	*calls = *denials = *audits = 0;
	if (bpf_map_lookup_elem(fd, &h, v))
		return -1;
	for (int c = 0; c < ncpu; c++) {
		*calls += v[c].calls;
		*denials += v[c].denials;
		*audits += v[c].audits;
	}
	return 0;
}

static void print_counters(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct eci_hook_stats *v;
	struct eci_state st = {};
	__u32 zero = 0;
	int fd;

	fd = bpf_obj_get(ECI_PIN_MAPS "/state");
	if (fd >= 0 && !bpf_map_lookup_elem(fd, &zero, &st))
		printf("state:      %llu orphan sub-cgroups, %llu trap events dropped, %llu throttled\n",
		       (unsigned long long)st.orphans, (unsigned long long)st.event_drops,
		       (unsigned long long)st.event_throttled);
	if (fd >= 0)
		close(fd);

	fd = bpf_obj_get(ECI_PIN_MAPS "/hook_stats");
	if (fd < 0 || ncpu <= 0)
		return;
	v = calloc(ncpu, sizeof(*v));
	if (!v) {
		close(fd);
		return;
	}
	printf("hooks:      %-24s %12s %10s %10s\n", "", "calls", "denials", "audits");
	for (__u32 h = 0; h < ECI_HOOK_MAX; h++) {
		unsigned long long calls, denials, audits;

		if (hook_totals(fd, h, v, ncpu, &calls, &denials, &audits))
			continue;
		printf("            %-24s %12llu %10llu %10llu\n", eci_hook_names[h], calls,
		       denials, audits);
	}
	free(v);
	close(fd);
}

static void print_stamp(void)
{
	struct eci_stamp st;
	char when[64] = "at an unknown time";
	time_t t;

	if (!stamp_read(&st)) {
		printf("version:    unknown (loaded by a build without a version stamp)\n");
		return;
	}
	t = (time_t)st.loaded;
	if (t)
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	printf("version:    %s (map layout %u), loaded %s%s%s%s\n", st.version, st.layout, when,
	       st.replaced[0] ? " replacing " : "", st.replaced,
	       strcmp(st.version, ECI_VERSION) ? "; this ecictl is " ECI_VERSION : "");
}

static void rfc3339(time_t t, char *buf, size_t len)
{
	struct tm tm;

	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
}

/* status --json: the same facts as the text, for programs. */
static int status_json(void)
{
	struct json_object *o = json_object_new_object(), *a, *c;
	int ncpu = libbpf_num_possible_cpus();
	struct dirent *de;
	DIR *d;
	bool loaded = eci_is_loaded();
	struct eci_stamp st;
	struct utsname u;
	char lsm[512];
	int fd;

	json_object_object_add(o, "loaded", json_object_new_boolean(loaded));
	if (loaded && stamp_read(&st)) {
		char when[64];

		rfc3339((time_t)st.loaded, when, sizeof(when));
		c = json_object_new_object();
		json_object_object_add(c, "version", json_object_new_string(st.version));
		json_object_object_add(c, "mapLayout", json_object_new_int64(st.layout));
		json_object_object_add(c, "loadedAt", json_object_new_string(when));
		json_object_object_add(c, "replaced",
				       st.replaced[0] ? json_object_new_string(st.replaced) : NULL);
		json_object_object_add(o, "stamp", c);
	}
	json_object_object_add(o, "ecictlVersion", json_object_new_string(ECI_VERSION));
	uname(&u);
	json_object_object_add(o, "kernel", json_object_new_string(u.release));
	if (!read_small_file(LSM_LIST, lsm, sizeof(lsm))) {
		json_object_object_add(o, "lsm", json_object_new_string(lsm));
		json_object_object_add(o, "bpfLsm", json_object_new_boolean(has_word(lsm, "bpf")));
	}
	json_object_object_add(o, "btf", json_object_new_boolean(!access(BTF_VMLINUX, R_OK)));
	if (!loaded) {
		eci_json_print(o);
		return ECI_EXIT_NOT_LOADED;
	}

	a = json_object_new_array();
	d = opendir(ECI_PIN_LINKS);
	while (d && (de = readdir(d))) {
		struct bpf_link_info li = {};
		__u32 llen = sizeof(li);
		char path[PATH_MAX];
		int lfd;

		if (de->d_name[0] == '.' ||
		    path_join(path, sizeof(path), ECI_PIN_DIR, "link", de->d_name))
			continue;
		c = json_object_new_object();
		json_object_object_add(c, "name", json_object_new_string(de->d_name));
		lfd = bpf_obj_get(path);
		if (lfd >= 0 && !bpf_obj_get_info_by_fd(lfd, &li, &llen))
			json_object_object_add(c, "progId", json_object_new_int64(li.prog_id));
		if (lfd >= 0)
			close(lfd);
		json_object_array_add(a, c);
	}
	if (d)
		closedir(d);
	json_object_object_add(o, "programs", a);

	fd = bpf_obj_get(ECI_PIN_MAPS "/state");
	if (fd >= 0) {
		struct eci_state s = {};
		__u32 zero = 0;

		if (!bpf_map_lookup_elem(fd, &zero, &s)) {
			c = json_object_new_object();
			json_object_object_add(c, "orphans", json_object_new_uint64(s.orphans));
			json_object_object_add(c, "eventDrops",
					       json_object_new_uint64(s.event_drops));
			json_object_object_add(c, "eventsThrottled",
					       json_object_new_uint64(s.event_throttled));
			json_object_object_add(o, "state", c);
		}
		close(fd);
	}
	fd = bpf_obj_get(ECI_PIN_MAPS "/hook_stats");
	if (fd >= 0 && ncpu > 0) {
		struct eci_hook_stats *v = calloc(ncpu, sizeof(*v));

		a = json_object_new_array();
		for (__u32 h = 0; v && h < ECI_HOOK_MAX; h++) {
			unsigned long long calls, denials, audits;

			if (hook_totals(fd, h, v, ncpu, &calls, &denials, &audits))
				continue;
			c = json_object_new_object();
			json_object_object_add(c, "hook",
					       json_object_new_string(eci_hook_names[h]));
			json_object_object_add(c, "calls", json_object_new_uint64(calls));
			json_object_object_add(c, "denials", json_object_new_uint64(denials));
			json_object_object_add(c, "audits", json_object_new_uint64(audits));
			json_object_array_add(a, c);
		}
		free(v);
		json_object_object_add(o, "hooks", a);
	}
	if (fd >= 0)
		close(fd);
	a = eci_containers_json();
	json_object_object_add(o, "containers", a);
	eci_json_print(o);
	return a ? 0 : 1;
}

int eci_status(bool json)
{
	bool loaded = eci_is_loaded();

	if (json)
		return status_json();

	printf("eci:        %s\n", loaded ? "loaded" : "not loaded");
	if (loaded)
		print_stamp();
	report_leftovers();
	print_kernel();
	if (!loaded)
		return ECI_EXIT_NOT_LOADED;
	print_links();
	print_counters();
	return eci_container_ls(false) ? 1 : 0;
}
