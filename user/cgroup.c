// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "eci.h"

/*
 * mountinfo: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw"
 * The filesystem type follows the " - " separator; the mount point is field 5,
 * with spaces escaped as \040.
 */
int cg_find_mount(FILE *mountinfo, char *buf, size_t len)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = -ENOENT;

	while (getline(&line, &cap, mountinfo) > 0) {
		char *sep = strstr(line, " - ");
		char *save, *tok, *mnt = NULL;
		size_t o = 0;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		*sep = '\0';
		tok = strtok_r(line, " ", &save);
		for (int i = 1; tok && i < 5; i++)
			tok = strtok_r(NULL, " ", &save);
		mnt = tok;
		if (!mnt)
			continue;
		for (const char *p = mnt; *p && o + 1 < len; o++) {
			if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
				buf[o] =
					(char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
				p += 4;
			} else {
				buf[o] = *p++;
			}
		}
		buf[o] = '\0';
		ret = 0;
		break;
	}
	free(line);
	return ret;
}

const char *cg_mount(void)
{
	static char mnt[PATH_MAX];
	FILE *f;
	int ret;

	if (mnt[0])
		return mnt;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	ret = cg_find_mount(f, mnt, sizeof(mnt));
	fclose(f);
	if (ret)
		mnt[0] = '\0';
	return ret ? NULL : mnt;
}

/* A cgroup v2 directory's file handle is its 64-bit kernfs node id, which is
 * what bpf_get_current_cgroup_id() returns for tasks inside it. */
int cg_id_of_dir(const char *dir, uint64_t *id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh.handle_bytes = sizeof(uint64_t) };
	struct statfs sfs;
	int mount_id;

	/* Anything else has handles too, of other shapes and meanings. */
	if (statfs(dir, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOTDIR;
	if (name_to_handle_at(AT_FDCWD, dir, &h.fh, &mount_id, 0))
		return -errno;
	if (h.fh.handle_bytes != sizeof(uint64_t))
		return -EINVAL;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int cg_resolve(const char *arg, char *dir, size_t dirlen, uint64_t *id)
{
	const char *mnt = cg_mount();
	char real[PATH_MAX];
	size_t mlen;
	struct stat st;
	int n;

	if (!mnt)
		return -ENODEV;
	if (!*arg)
		return -EINVAL;
	if (is_number(arg)) {
		char *end;

		errno = 0;
		*id = strtoull(arg, &end, 10);
		if (errno || *end)
			return -EINVAL;
		return cg_find_id(*id, dir, dirlen);
	}

	mlen = strlen(mnt);
	if (!strncmp(arg, mnt, mlen) && (arg[mlen] == '/' || arg[mlen] == '\0'))
		n = snprintf(dir, dirlen, "%s", arg);
	else
		n = snprintf(dir, dirlen, "%s%s%s", mnt, arg[0] == '/' ? "" : "/", arg);
	if (n < 0 || (size_t)n >= dirlen)
		return -ENAMETOOLONG;
	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* One spelling per cgroup: no "..", "//" or trailing slash in what we
	 * report, and a symlink cannot point outside the hierarchy unnoticed. */
	if (!realpath(dir, real))
		return -errno;
	if (strlen(real) >= dirlen)
		return -ENAMETOOLONG;
	strcpy(dir, real);
	return cg_id_of_dir(dir, id);
}

const char *cg_rel_path(const char *dir)
{
	const char *mnt = cg_mount();
	size_t mlen = mnt ? strlen(mnt) : 0;

	if (mnt && !strncmp(dir, mnt, mlen) && (dir[mlen] == '/' || dir[mlen] == '\0'))
		return dir[mlen] ? dir + mlen : "/";
	return dir;
}

static int walk(char *path, size_t len, size_t cap, cg_walk_fn fn, void *ctx, int depth)
{
	struct dirent *de;
	uint64_t id;
	DIR *d;
	int ret;

	ret = cg_id_of_dir(path, &id);
	if (ret)
		return ret == -ENOENT ? 0 : ret; /* removed under our feet */
	ret = fn(path, id, ctx);
	if (ret)
		return ret;
	if (depth >= ECI_MAX_CGROUP_DEPTH)
		return 0;

	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (len + 1 + n + 1 > cap) {
			ret = -ENAMETOOLONG;
			break;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		ret = walk(path, len + 1 + n, cap, fn, ctx, depth + 1);
		path[len] = '\0';
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}

int cg_walk(const char *dir, cg_walk_fn fn, void *ctx)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	return walk(path, len, sizeof(path), fn, ctx, 0);
}

struct find_ctx {
	uint64_t id;
	char *dir;
	size_t dirlen;
};

static int find_cb(const char *dir, uint64_t id, void *ctx)
{
	struct find_ctx *f = ctx;

	if (id != f->id)
		return 0;
	snprintf(f->dir, f->dirlen, "%s", dir);
	return 1;
}

int cg_find_id(uint64_t id, char *dir, size_t dirlen)
{
	struct find_ctx f = { .id = id, .dir = dir, .dirlen = dirlen };
	const char *mnt = cg_mount();
	int ret;

	if (!mnt)
		return -ENODEV;
	ret = cg_walk(mnt, find_cb, &f);
	if (ret == 1)
		return 0;
	return ret ? ret : -ENOENT;
}
