// SPDX-License-Identifier: GPL-2.0
/* Unit tests of user/cgroup.c: mountinfo parsing, cgroup resolution, walks. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "unit.h"

static int find_in(const char *text, char *buf, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret = cg_find_mount(f, buf, len);

	fclose(f);
	return ret;
}

static void test_find_mount(void)
{
	char buf[PATH_MAX];
	int ret;

	ret = find_in("22 1 0:21 / /sys rw - sysfs sysfs rw\n"
		      "30 22 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw\n"
		      "31 22 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n",
		      buf, sizeof(buf));
	CHECK("mountinfo: hybrid host, cgroup2 under unified/",
	      !ret && !strcmp(buf, "/sys/fs/cgroup/unified"), "got %d '%s'", ret, buf);

	ret = find_in("31 22 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
		      "32 22 0:28 / /mnt/my\\040cg rw shared:5 master:2 - cgroup2 none rw\n",
		      buf, sizeof(buf));
	CHECK("mountinfo: optional fields and an escaped space", !ret && !strcmp(buf, "/mnt/my cg"),
	      "got %d '%s'", ret, buf);

	ret = find_in("31 22 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
		      "33 22 0:29 / /x rw - cgroup2fake none rw\n",
		      buf, sizeof(buf));
	CHECK("mountinfo: v1 only means no cgroup2", ret == -ENOENT, "got %d '%s'", ret, buf);

	ret = find_in("", buf, sizeof(buf));
	CHECK("mountinfo: empty", ret == -ENOENT, "got %d", ret);
}

struct walk_log {
	int n;
	char seen[8][PATH_MAX];
};

static int log_cb(const char *dir, uint64_t id, void *ctx)
{
	struct walk_log *w = ctx;

	(void)id;
	if (w->n < 8)
		snprintf(w->seen[w->n], PATH_MAX, "%s", cg_rel_path(dir));
	w->n++;
	return 0;
}

/* Against the machine's real cgroup2 hierarchy (root needed to make one). */
static void test_real_hierarchy(void)
{
	const char *mnt = cg_mount();
	char dir[PATH_MAX], top[1024], sub[PATH_MAX], back[PATH_MAX];
	struct walk_log w = { 0 };
	uint64_t id, id2;
	int ret;

	if (!mnt || geteuid() != 0) {
		SKIP("cgroup: resolve and walk a real hierarchy", "needs root and a cgroup2 mount");
		return;
	}
	if (snprintf(top, sizeof(top), "%s/eci-unit-%d", mnt, (int)getpid()) >= (int)sizeof(top))
		return;
	snprintf(sub, sizeof(sub), "%s/a/b", top);
	snprintf(dir, sizeof(dir), "%s/a", top);
	if (mkdir(top, 0755) || mkdir(dir, 0755) || mkdir(sub, 0755)) {
		SKIP("cgroup: resolve and walk a real hierarchy", strerror(errno));
		return;
	}

	ret = cg_resolve(cg_rel_path(sub), dir, sizeof(dir), &id);
	CHECK("cgroup: resolve a hierarchy path", !ret && !strcmp(dir, sub), "got %d '%s'", ret,
	      dir);
	ret = cg_resolve(sub, dir, sizeof(dir), &id2);
	CHECK("cgroup: resolve a directory to the same id", !ret && id2 == id,
	      "got %d %llu vs %llu", ret, (unsigned long long)id2, (unsigned long long)id);
	snprintf(back, sizeof(back), "%llu", (unsigned long long)id);
	ret = cg_resolve(back, dir, sizeof(dir), &id2);
	CHECK("cgroup: resolve an id back to its directory", !ret && id2 == id && !strcmp(dir, sub),
	      "got %d '%s'", ret, dir);
	snprintf(back, sizeof(back), "%s/a/../a/b//", cg_rel_path(top));
	ret = cg_resolve(back, dir, sizeof(dir), &id2);
	CHECK("cgroup: '..', '//' and a trailing slash name the same cgroup",
	      !ret && id2 == id && !strcmp(dir, sub), "got %d '%s'", ret, dir);
	ret = cg_resolve("/../../../../etc", dir, sizeof(dir), &id2);
	CHECK("cgroup: a path leaving the hierarchy is refused", ret == -ENOTDIR, "got %d '%s'",
	      ret, dir);
	ret = cg_resolve("/eci-unit-no-such-cgroup", dir, sizeof(dir), &id2);
	CHECK("cgroup: a missing cgroup is ENOENT", ret == -ENOENT, "got %d", ret);
	ret = cg_resolve("18446744073709551615", dir, sizeof(dir), &id2);
	CHECK("cgroup: an unknown id is ENOENT", ret == -ENOENT, "got %d", ret);
	ret = cg_resolve("99999999999999999999999", dir, sizeof(dir), &id2);
	CHECK("cgroup: an id that overflows is EINVAL", ret == -EINVAL, "got %d", ret);

	ret = cg_walk(top, log_cb, &w);
	snprintf(back, sizeof(back), "%s/a", cg_rel_path(top));
	CHECK("cgroup: walk visits parents before children",
	      !ret && w.n == 3 && !strcmp(w.seen[0], cg_rel_path(top)) &&
		      !strcmp(w.seen[1], back) && !strcmp(w.seen[2], cg_rel_path(sub)),
	      "got %d entries", w.n);

	rmdir(sub);
	snprintf(dir, sizeof(dir), "%s/a", top);
	rmdir(dir);
	rmdir(top);
}

int main(void)
{
	test_find_mount();
	test_real_hierarchy();
	return unit_failures ? 1 : 0;
}
