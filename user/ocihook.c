// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime calls us itself: a createRuntime hook runs after the container's
 * cgroup exists and its init is waiting in it, before pivot_root and before
 * the container's process starts; poststop runs after the container is gone.
 * runc runs createRuntime after it made the container's mounts, crun before:
 * so Podman, which runs a precreate hook itself before it calls the runtime,
 * has us register there (the config on stdin, given back unchanged), and the
 * cgroup is made and protected before the runtime's first step.
 */
#define _GNU_SOURCE
#include "ocihook.h"

#include <ctype.h>
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

#include <json-c/json.h>

#include "cgroup.h"
#include "container.h"
#include "eci.h"
#include "image.h"
#include "maps.h"
#include "proxy.h"
#include "settings.h"
#include "settings_apply.h"
#include "util.h"

/* Annotations runtimes and orchestrators put the image reference in. */
static const char *const image_keys[] = {
	"io.eci.image",
	"io.kubernetes.cri.image-name",
	"io.kubernetes.cri-o.ImageName",
	"io.containerd.image.name",
	"org.opencontainers.image.ref.name",
	NULL,
};

json_object *eci_oci_json(const char *buf, size_t len)
{
	char *text = malloc(len + 1);
	json_object *o = NULL;

	if (!text)
		return NULL;
	memcpy(text, buf, len);
	text[len] = '\0';
	if (len)
		o = json_tokener_parse(text);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	free(text);
	return o;
}

static json_object *parse_stream(FILE *f, const char *what)
{
	char *buf = malloc(1 << 20);
	json_object *o = NULL;

	if (buf)
		o = eci_oci_json(buf, fread(buf, 1, (1 << 20) - 1, f));
	if (buf && !o)
		eci_err("oci-hook: %s is not a JSON object", what);
	free(buf);
	return o;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int eci_oci_cgroups_path(const char *in, char *out, unsigned long len)
{
	const char *c1 = strchr(in, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char slice[256];
	size_t o = 0, sl, base;
	int n;

	if (in[0] == '/') {
		n = snprintf(out, len, "%s", in);
		return n < 0 || (size_t)n >= len ? -EINVAL : 0;
	}
	/* systemd driver: "slice:prefix:name", the slice defaulting to system. */
	if (!c2 || strchr(c2 + 1, ':') || !c2[1])
		return -EINVAL;
	sl = c1 - in;
	if (sl >= sizeof(slice))
		return -EINVAL;
	snprintf(slice, sizeof(slice), "%.*s", (int)sl, in);
	if (!sl)
		snprintf(slice, sizeof(slice), "system.slice");
	sl = strlen(slice);
	if (sl < 7 || strcmp(slice + sl - 6, ".slice"))
		return -EINVAL;
	/* "a-b.slice" lives at /a.slice/a-b.slice; "-.slice" is the root. */
	base = sl - 6;
	for (size_t i = 1; strcmp(slice, "-.slice") && i <= base; i++) {
		if (i < base && slice[i] != '-')
			continue;
		n = snprintf(out + o, len - o, "/%.*s.slice", (int)i, slice);
		if (n < 0 || (size_t)n >= len - o)
			return -EINVAL;
		o += n;
	}
	n = snprintf(out + o, len - o, "/%.*s%s%s.scope", (int)(c2 - c1 - 1), c1 + 1,
		     c2 - c1 > 1 ? "-" : "", c2 + 1);
	return n < 0 || (size_t)n >= len - o ? -EINVAL : 0;
}

/* The cgroup v2 path of a process, from /proc/PID/cgroup ("0::/path"). */
static int cgroup_of_pid(int pid, char *out, size_t len)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "0::/", 4))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, len, "%s", line + 3);
		ret = 0;
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

/* dockerd's --data-root, where it keeps each container's configuration. */
#define DOCKER_ROOT "/var/lib/docker"
#define DOCKER_MAX_RULES 64
/* Volumes one container may bind (docker run allows many; this is plenty). */
#define DOCKER_MAX_VOLUMES 32

/* What the eci-runc shim has us read from dockerd, which runs no OCI hooks. */
struct docker_info {
	json_object *config, *host;
	const char *image, *image_id, *driver;
	struct eci_dev_rule rules[DOCKER_MAX_RULES];
	size_t nrules;
	char dir[PATH_MAX];
	/* its directory, its volumes, the API proxy's socket */
	char *binds[2 + DOCKER_MAX_VOLUMES];
	size_t nbinds;
	char vols[DOCKER_MAX_VOLUMES][PATH_MAX];
};

static json_object *load_json(const char *file)
{
	FILE *f = fopen(file, "re");
	json_object *o;

	if (!f) {
		eci_err("oci-hook: failed to open %s: %s", file, strerror(errno));
		return NULL;
	}
	o = parse_stream(f, file);
	fclose(f);
	return o;
}

/* One of HostConfig.Devices (--device) as a rule for the device node's numbers. */
static int docker_device(json_object *dev, struct docker_info *d)
{
	const char *path = str(dev, "PathOnHost"), *perms = str(dev, "CgroupPermissions");
	char rule[64];
	struct stat st;
	int n;

	if (!path || stat(path, &st)) {
		eci_err("oci-hook: failed to stat --device %s: %s", path ? path : "(no PathOnHost)",
			path ? strerror(errno) : "not in hostconfig.json");
		return -1;
	}
	/* A directory would assign what is below it now: name the nodes instead. */
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
		eci_err("oci-hook: --device %s is not a device node; eci assigns device nodes only",
			path);
		return -1;
	}
	snprintf(rule, sizeof(rule), "%c %u:%u %s", S_ISCHR(st.st_mode) ? 'c' : 'b',
		 major(st.st_rdev), minor(st.st_rdev), perms && *perms ? perms : "rwm");
	if (d->nrules + 2 > DOCKER_MAX_RULES) {
		eci_err("oci-hook: more than %d --device rules", DOCKER_MAX_RULES / 2);
		return -1;
	}
	n = eci_dev_rule_parse(rule, d->rules + d->nrules);
	if (n < 0) {
		eci_err("oci-hook: --device %s has bad permissions '%s' (expected r, w and m)",
			path, perms);
		return -1;
	}
	/* The admin decides what users may assign: never the VM's disks,
	 * memory, kernel log or consoles unless eci.assignableDevices says. */
	for (int i = 0; i < n; i++) {
		if (eci_device_assignable(&d->rules[d->nrules + i]) == 1)
			continue;
		eci_err("oci-hook: --device %s (%s) is not in the admin's eci.assignableDevices: the container may not be given it",
			path, rule);
		return -1;
	}
	d->nrules += n;
	return 0;
}

/* One line of /proc/self/mountinfo: its id, device, root in the filesystem
 * and mount point (as the kernel escapes them: volume paths have no spaces). */
struct mnt_line {
	unsigned long id;
	unsigned int maj, min;
	char root[PATH_MAX], point[PATH_MAX];
};

static bool mnt_parse(const char *line, struct mnt_line *m)
{
	char fmt[64];

	snprintf(fmt, sizeof(fmt), "%%lu %%*u %%u:%%u %%%ds %%%ds", PATH_MAX - 1, PATH_MAX - 1);
	return sscanf(line, fmt, &m->id, &m->maj, &m->min, m->root, m->point) == 5;
}

/* True if dir is path or a directory above it. */
static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/* The mount path is on (the topmost of those with the longest mount point at
 * or above it), from the VM's mountinfo; false if none. */
static bool mount_of(FILE *f, const char *path, struct mnt_line *out)
{
	struct mnt_line m;
	size_t best = 0, len = 0;
	char *line = NULL;
	bool found = false;

	rewind(f);
	while (getline(&line, &len, f) > 0) {
		if (!mnt_parse(line, &m) || !path_under(path, m.point))
			continue;
		if (!found || strlen(m.point) >= best) {
			best = strlen(m.point);
			*out = m;
			found = true;
		}
	}
	free(line);
	return found;
}

/*
 * A named volume's directory may be bound only when it is the volume's own
 * directory on the volumes filesystem, or a fresh filesystem (tmpfs, NFS...)
 * mounted there by the volume driver: never a bind of another VM directory
 * (volume-opt o=bind,device=/ANY/PATH), which dockerd, as VM root, would make
 * and the container then bind from. 0 if allowed; else one sentence said.
 */
static int docker_volume_ok(const char *name, const char *src)
{
	char want[PATH_MAX], *line = NULL;
	struct mnt_line vm, at, m;
	size_t len = 0;
	bool fresh = true;
	FILE *f;
	int ret = -1;

	snprintf(want, sizeof(want), "%s/volumes/%s/_data", DOCKER_ROOT, name);
	if (strcmp(src, want) || strchr(name, '/') || name[0] == '.') {
		eci_err("oci-hook: volume %s: its directory %s is not %s", name, src, want);
		return -1;
	}
	f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		eci_err("oci-hook: failed to read /proc/self/mountinfo: %s", strerror(errno));
		return -1;
	}
	if (!mount_of(f, DOCKER_ROOT "/volumes", &vm) || !mount_of(f, src, &at)) {
		eci_err("oci-hook: volume %s: no mount holds %s", name, src);
		goto out;
	}
	if (at.id == vm.id) {
		ret = 0; /* the volume's own directory */
		goto out;
	}
	/* Something is mounted at or between the volumes directory and src: a
	 * whole filesystem, at src itself, that the VM mounts nowhere else. */
	if (strcmp(at.point, src) || strcmp(at.root, "/")) {
		eci_err("oci-hook: volume %s is a bind of %s of device %u:%u at %s (volume-opt o=bind?), not its own directory or a fresh filesystem: not allowed",
			name, at.root, at.maj, at.min, at.point);
		goto out;
	}
	rewind(f);
	while (fresh && getline(&line, &len, f) > 0)
		if (mnt_parse(line, &m) && m.maj == at.maj && m.min == at.min &&
		    !path_under(m.point, src))
			fresh = false;
	if (!fresh) {
		eci_err("oci-hook: volume %s: the filesystem mounted at %s (device %u:%u) is also the VM's at %s: not allowed",
			name, src, at.maj, at.min, m.point);
		goto out;
	}
	ret = 0;
out:
	free(line);
	fclose(f);
	return ret;
}

/* MountPoints of config.v2.json: each named volume of the local driver,
 * checked, becomes one of the container's own bind sources. */
static int docker_volumes(struct docker_info *d)
{
	json_object *mps;

	if (!json_object_object_get_ex(d->config, "MountPoints", &mps) ||
	    !json_object_is_type(mps, json_type_object))
		return 0;
	json_object_object_foreach(mps, dst, mp)
	{
		const char *type = str(mp, "Type"), *name = str(mp, "Name"),
			   *src = str(mp, "Source"), *driver = str(mp, "Driver");
		char own[PATH_MAX];

		if (!type || strcmp(type, "volume"))
			continue;
		/* Another driver's volume gets no source here: its mount comes
		 * from outside the volumes directory, which stays refused. */
		if (driver && *driver && strcmp(driver, "local"))
			continue;
		if (!name || !*name) {
			eci_err("oci-hook: the volume at %s has no name", dst);
			return -1;
		}
		/* An anonymous volume's record may not have its Source yet: the
		 * local driver's directory is the only one it can have. */
		if (!src || !*src) {
			snprintf(own, sizeof(own), "%s/volumes/%s/_data", DOCKER_ROOT, name);
			src = own;
		}
		if (d->nbinds - 1 >= DOCKER_MAX_VOLUMES) {
			eci_err("oci-hook: more than %d volumes", DOCKER_MAX_VOLUMES);
			return -1;
		}
		if (docker_volume_ok(name, src))
			return -1;
		snprintf(d->vols[d->nbinds - 1], PATH_MAX, "%s", src);
		d->binds[d->nbinds] = d->vols[d->nbinds - 1];
		d->nbinds++;
	}
	return 0;
}

/* The most image ids one imageList resolves to. */
#define DOCKER_MAX_ALLOWED 256

/* rootfs.diff_ids of an image in dockerd's image store; NULL if unreadable. */
static json_object *docker_diff_ids(const char *driver, const char *id, json_object **doc)
{
	char file[PATH_MAX];
	json_object *rootfs, *ids;
	FILE *f;

	*doc = NULL;
	if (strncmp(id, "sha256:", 7) || strchr(id, '/'))
		return NULL;
	snprintf(file, sizeof(file), "%s/image/%s/imagedb/content/sha256/%s", DOCKER_ROOT, driver,
		 id + 7);
	f = fopen(file, "re");
	if (!f)
		return NULL;
	*doc = parse_stream(f, file);
	fclose(f);
	if (!*doc || !json_object_object_get_ex(*doc, "rootfs", &rootfs) ||
	    !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
	    !json_object_is_type(ids, json_type_array))
		return NULL;
	return ids;
}

/* Image `of` is built on `base`: base's layers are the first of its own. */
static bool docker_derived(const char *driver, const char *of, const char *base)
{
	json_object *d1, *d2, *a = docker_diff_ids(driver, of, &d1), *b;
	bool ret = false;
	size_t na, nb;

	b = docker_diff_ids(driver, base, &d2);
	if (a && b) {
		na = json_object_array_length(a);
		nb = json_object_array_length(b);
		ret = nb && nb <= na;
		for (size_t i = 0; ret && i < nb; i++) {
			const char *x = json_object_get_string(json_object_array_get_idx(a, i)),
				   *y = json_object_get_string(json_object_array_get_idx(b, i));

			ret = x && y && !strcmp(x, y);
		}
	}
	json_object_put(d1);
	json_object_put(d2);
	return ret;
}

/* The image id repositories.json gives reference want (normalized), or NULL. */
static const char *docker_ref_id(json_object *repos, const struct eci_image_ref *want)
{
	json_object_object_foreach(repos, repo, refs)
	{
		(void)repo;
		if (!json_object_is_type(refs, json_type_object))
			continue;
		json_object_object_foreach(refs, ref, rid)
		{
			struct eci_image_ref r;

			if (!eci_image_parse(ref, &r) && !strcmp(r.name, want->name) &&
			    !strcmp(r.tag, want->tag) && !strcmp(r.digest, want->digest) &&
			    json_object_is_type(rid, json_type_string))
				return json_object_get_string(rid);
		}
	}
	return NULL;
}

/*
 * Does the imageList give image `id` (sha256:..., dockerd's content address
 * of the image) the engine socket? By identity, as Docker matches by digest,
 * never by the name the user typed or tagged: an entry names the images
 * whose *digest* references in dockerd's store (repositories.json,
 * name@sha256:..., made only by pulling from a registry; `docker tag` can't
 * make one) match it ("name:*", "repo/ *" [no space], "name@sha256:..."); a
 * "name:tag" entry also needs the local tag to point at that image; a
 * "sha256:ID" entry names a local image by its id; "*" is any. With
 * allowDerivedImages, an image whose layers begin with an allowed image's
 * layers (built FROM it, or committed from it) is allowed too.
 */
static int docker_image_allowed(const char *id, const char *driver)
{
	const char *allowed[DOCKER_MAX_ALLOWED];
	json_object *doc = NULL, *repos = NULL;
	struct eci_settings st;
	size_t nallowed = 0;
	char file[PATH_MAX], err[512];
	int ret = 0;
	FILE *f;

	if (access(ECI_SETTINGS_COPY, F_OK))
		return 0;
	if (eci_settings_load(ECI_SETTINGS_COPY, &st, err, sizeof(err))) {
		eci_warn("%s: %s; no image gets the engine socket", ECI_SETTINGS_COPY, err);
		return 0;
	}
	snprintf(file, sizeof(file), "%s/image/%s/repositories.json", DOCKER_ROOT, driver);
	f = fopen(file, "re");
	if (f) {
		doc = parse_stream(f, file);
		fclose(f);
		if (doc)
			json_object_object_get_ex(doc, "Repositories", &repos);
	}
	for (size_t i = 0; i < st.nimages && nallowed < DOCKER_MAX_ALLOWED; i++) {
		const char *e = st.images[i];
		struct eci_image_ref p;
		bool tagged;

		if (!strcmp(e, "*")) {
			ret = 1;
			goto out;
		}
		if (!strncmp(e, "sha256:", 7) && strlen(e) == 71) {
			allowed[nallowed++] = e;
			continue;
		}
		if (!repos)
			continue;
		tagged = strcmp(e + strlen(e) - 2, ":*") && strcmp(e + strlen(e) - 2, "/*") &&
			 !strchr(e, '@') && !eci_image_parse(e, &p);
		json_object_object_foreach(repos, repo, refs)
		{
			(void)repo;
			if (!json_object_is_type(refs, json_type_object))
				continue;
			json_object_object_foreach(refs, ref, rid)
			{
				struct eci_image_ref r;
				const char *tid;
				bool ok;

				/* Only digest references are the registry's word. */
				if (eci_image_parse(ref, &r) || !r.digest[0] ||
				    !json_object_is_type(rid, json_type_string) ||
				    nallowed >= DOCKER_MAX_ALLOWED)
					continue;
				if (tagged) {
					tid = strcmp(r.name, p.name) ? NULL :
								       docker_ref_id(repos, &p);
					ok = tid && !strcmp(tid, json_object_get_string(rid));
				} else {
					ok = eci_image_match(e, ref) == 1;
				}
				if (ok)
					allowed[nallowed++] = json_object_get_string(rid);
			}
		}
	}
	for (size_t i = 0; !ret && i < nallowed; i++)
		ret = !strcmp(allowed[i], id) ||
		      (st.allow_derived && docker_derived(driver, id, allowed[i]));
out:
	json_object_put(doc);
	eci_settings_free(&st);
	return ret;
}

/*
 * The image (Config.Image of config.v2.json), the devices (HostConfig.Devices
 * of hostconfig.json) and the per-container directory dockerd binds
 * resolv.conf, hosts and hostname from: its name is the 64-digit id, longer
 * than a container name holds, so the bind_templates entry can't match it.
 */
static int docker_info(const char *id, struct docker_info *d)
{
	json_object *c, *devs;
	char file[PATH_MAX + 32];

	snprintf(d->dir, sizeof(d->dir), "%s/containers/%s", DOCKER_ROOT, id);
	snprintf(file, sizeof(file), "%s/config.v2.json", d->dir);
	d->config = load_json(file);
	if (!d->config)
		return -1;
	if (!json_object_object_get_ex(d->config, "Config", &c) || !(d->image = str(c, "Image")) ||
	    !*d->image) {
		eci_err("oci-hook: %s has no Config.Image", file);
		return -1;
	}
	/* Config.Image is what the user typed; Image is the content address
	 * dockerd resolved it to, which the imageList is matched against. */
	d->image_id = str(d->config, "Image");
	d->driver = str(d->config, "Driver");
	if (!d->image_id || strncmp(d->image_id, "sha256:", 7) || !d->driver || !*d->driver ||
	    strchr(d->driver, '/') || d->driver[0] == '.') {
		eci_err("oci-hook: %s has no image id (Image) or storage driver (Driver)", file);
		return -1;
	}
	snprintf(file, sizeof(file), "%s/hostconfig.json", d->dir);
	d->host = load_json(file);
	if (!d->host)
		return -1;
	if (json_object_object_get_ex(d->host, "Devices", &devs) &&
	    json_object_is_type(devs, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(devs); i++)
			if (docker_device(json_object_array_get_idx(devs, i), d))
				return -1;
	}
	d->binds[0] = d->dir;
	d->nbinds = 1;
	return docker_volumes(d);
}

/* Each engine's socket and the API proxy that serves it (`ecictl proxy
 * --engine E --socket P`; the package's and the test VM's init start both). */
static char docker_proxy[] = ECI_PROXY_SOCK, podman_proxy[] = ECI_PODMAN_PROXY_SOCK;
static const struct {
	const char *engine;
	char *proxy; /* a bind source: container opts take char * */
} engine_proxies[] = {
	{ ECI_PROXY_ENGINE, docker_proxy },
	{ ECI_PODMAN_ENGINE, podman_proxy },
};

/*
 * The engine socket through eci's API proxy: every mount of config whose
 * source is an engine socket (by inode, whatever path names it) gets the
 * socket of the proxy serving that engine as its source. The container is
 * never given ECI_CF_SOCKET, so the kernel keeps refusing it the real socket
 * by any other route. Returns how many mounts were rewritten (the proxy's
 * socket in *proxy), or -1 with the reason in why.
 */
static int proxy_mounts(json_object *config, char **proxy, char *why, size_t whylen)
{
	struct eci_settings st = { 0 };
	json_object *mounts;
	struct stat sst, pst;
	char err[512];
	int n = 0, ret = -1;

	*proxy = NULL;
	if (!config || !json_object_object_get_ex(config, "mounts", &mounts) ||
	    !json_object_is_type(mounts, json_type_array))
		return 0;
	if (access(ECI_SETTINGS_COPY, F_OK) ?
		    eci_settings_parse("{}", 2, &st, err, sizeof(err)) :
		    eci_settings_load(ECI_SETTINGS_COPY, &st, err, sizeof(err))) {
		snprintf(why, whylen, "%s: %s; not giving the engine socket", ECI_SETTINGS_COPY,
			 err);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *src = str(m, "source");
		char *to = NULL;
		bool engine = false;

		if (!src || stat(src, &sst) || !S_ISSOCK(sst.st_mode))
			continue;
		for (size_t k = 0; k < st.nsockets && !engine; k++) {
			char sp[PATH_MAX];
			struct stat est;

			/* Settings paths are normalized with a trailing '/'. */
			snprintf(sp, sizeof(sp), "%.*s", (int)strlen(st.sockets[k]) - 1,
				 st.sockets[k]);
			engine = !stat(sp, &est) && est.st_dev == sst.st_dev &&
				 est.st_ino == sst.st_ino;
		}
		if (!engine)
			continue;
		for (size_t k = 0; k < sizeof(engine_proxies) / sizeof(engine_proxies[0]); k++) {
			struct stat est;

			if (!stat(engine_proxies[k].engine, &est) && est.st_dev == sst.st_dev &&
			    est.st_ino == sst.st_ino)
				to = engine_proxies[k].proxy;
		}
		if (!to || (*proxy && strcmp(*proxy, to))) {
			snprintf(
				why, whylen,
				"the container mounts engine socket %s, which no eci API proxy serves",
				src);
			goto out;
		}
		*proxy = to;
		json_object_object_add(m, "source", json_object_new_string(to));
		n++;
	}
	if (n && (stat(*proxy, &pst) || !S_ISSOCK(pst.st_mode))) {
		snprintf(
			why, whylen,
			"the container mounts the engine socket, which eci gives through its API proxy, and the proxy is not running (no socket %s): start 'ecictl proxy'",
			*proxy);
		goto out;
	}
	ret = n;
out:
	eci_settings_free(&st);
	return ret;
}

/* Docker's path: the bundle's config.json rewritten before the runtime reads
 * it (eci-runc calls the hook first). Returns as proxy_mounts(), said. */
static int docker_proxy_mounts(const char *bundle, json_object *config, char **proxy)
{
	struct stat sst;
	char file[PATH_MAX], tmp[PATH_MAX + 16], why[PATH_MAX + 256];
	int n;

	if (!bundle)
		return 0;
	n = proxy_mounts(config, proxy, why, sizeof(why));
	if (n < 0)
		eci_err("oci-hook: %s", why);
	if (n <= 0)
		return n;
	snprintf(file, sizeof(file), "%s/config.json", bundle);
	snprintf(tmp, sizeof(tmp), "%s.eci", file);
	if (stat(file, &sst) ||
	    json_object_to_file_ext(tmp, config,
				    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) ||
	    chmod(tmp, sst.st_mode & 07777) || rename(tmp, file)) {
		eci_err("oci-hook: failed to give the container the API proxy's socket in %s: %s",
			file, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return n;
}

/*
 * Podman keeps each container in containers/storage: its containers.json
 * (under the graph root, one per storage driver) names the container's image
 * by id and holds the metadata Podman wrote (the name the user ran, the
 * container's name). That record, not the bundle's annotations (podman run
 * --annotation sets those), says which image it is; the image's own record
 * (images.json beside it) gives its names and manifest digests. Podman's own
 * per-container files are bound from the container's userdata directory,
 * under the graph root (/dev/shm) and the run root (hosts, hostname,
 * resolv.conf, .containerenv); crun masks paths with a bind of /dev/null
 * before pivot_root. The roots are storage.conf's, as Podman run as root
 * reads them, else containers/storage's defaults.
 */
#define PODMAN_GRAPHROOT "/var/lib/containers/storage"
#define PODMAN_RUNROOT "/run/containers/storage"
#define PODMAN_ID_LEN 64
/* The most layers one image has (an OCI image's limit is 127). */
#define PODMAN_MAX_LAYERS 128

struct podman_info {
	json_object *all, *meta;
	const char *image, *name, *image_id;
	/* the graph root (storage.conf's) and the driver's part of it:
	 * STORE-containers, STORE-images, STORE-layers */
	char graph[PATH_MAX], store[PATH_MAX];
	char dirs[2][PATH_MAX];
	char *binds[4]; /* its files; the API proxy's socket */
};

static bool is_podman_id(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++)
		if (!isxdigit((unsigned char)id[n]) || isupper((unsigned char)id[n]))
			return false;
	return n == PODMAN_ID_LEN;
}

/*
 * graphroot and runroot of storage.conf's [storage] table: the admin's
 * /etc/containers/storage.conf, else the distribution's under /usr/share;
 * the first found is read, what it does not set is containers/storage's
 * default. Only the root's own Podman is read: a user's --root is another
 * store, where the hook finds no record and the container fails.
 */
static void podman_roots(char *graph, char *run, size_t len)
{
	static const char *const confs[] = { "/etc/containers/storage.conf",
					     "/usr/share/containers/storage.conf", NULL };
	char *line = NULL;
	size_t cap = 0;
	FILE *f = NULL;
	bool in = false;

	snprintf(graph, len, "%s", PODMAN_GRAPHROOT);
	snprintf(run, len, "%s", PODMAN_RUNROOT);
	for (const char *const *c = confs; *c && !f; c++)
		f = fopen(*c, "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *s = line, *v, *q;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == '[') {
			in = !strncmp(s, "[storage]", 9);
			continue;
		}
		v = s + strcspn(s, " \t=");
		if (!in || !((v - s == 9 && !strncmp(s, "graphroot", 9)) ||
			     (v - s == 7 && !strncmp(s, "runroot", 7))))
			continue;
		v += strspn(v, " \t");
		if (*v != '=')
			continue;
		v = strchr(v, '"');
		q = v ? strchr(v + 1, '"') : NULL;
		/* Only an absolute path is a root; anything else keeps the default. */
		if (!q || v[1] != '/' || q == v + 1)
			continue;
		*q = '\0';
		snprintf(s[0] == 'g' ? graph : run, len, "%s", v + 1);
		/* A trailing '/' would not prefix the store's paths the same way. */
		for (char *r = s[0] == 'g' ? graph : run, *e = r + strlen(r) - 1;
		     e > r && *e == '/';)
			*e-- = '\0';
	}
	free(line);
	fclose(f);
}

/* 0 and the record if containers/storage has container id; -ENOENT if not. */
static int podman_info(const char *id, struct podman_info *p)
{
	char graph[PATH_MAX], run[PATH_MAX], pat[PATH_MAX + 32];
	glob_t g;
	int ret = -ENOENT;

	memset(p, 0, sizeof(*p));
	podman_roots(graph, run, sizeof(graph));
	snprintf(p->graph, sizeof(p->graph), "%s", graph);
	snprintf(pat, sizeof(pat), "%s/*-containers/containers.json", graph);
	if (!is_podman_id(id) || glob(pat, 0, NULL, &g))
		return -ENOENT;
	for (size_t i = 0; i < g.gl_pathc && ret; i++) {
		json_object *all = json_object_from_file(g.gl_pathv[i]), *c, *m;
		const char *meta, *driver;
		size_t dl;

		if (!all || !json_object_is_type(all, json_type_array)) {
			json_object_put(all);
			continue;
		}
		for (size_t j = 0; j < json_object_array_length(all); j++) {
			c = json_object_array_get_idx(all, j);
			if (!str(c, "id") || strcmp(str(c, "id"), id))
				continue;
			meta = str(c, "metadata");
			m = meta ? eci_oci_json(meta, strlen(meta)) : NULL;
			/* GRAPH/DRIVER-containers/containers.json */
			dl = strlen(g.gl_pathv[i]) - strlen("-containers/containers.json");
			driver = g.gl_pathv[i] + strlen(graph) + 1;
			p->all = all;
			p->meta = m;
			p->image = str(m, "image-name");
			p->name = str(m, "name");
			p->image_id = str(c, "image");
			snprintf(p->store, sizeof(p->store), "%.*s", (int)dl, g.gl_pathv[i]);
			/* Paths longer than PATH_MAX name no bind source. */
			if (snprintf(p->dirs[0], sizeof(p->dirs[0]), "%s-containers/%s/userdata",
				     p->store, id) >= (int)sizeof(p->dirs[0]) ||
			    snprintf(p->dirs[1], sizeof(p->dirs[1]),
				     "%s/%.*s-containers/%s/userdata", run,
				     (int)(g.gl_pathv[i] + dl - driver), driver,
				     id) >= (int)sizeof(p->dirs[1]))
				p->dirs[0][0] = p->dirs[1][0] = '\0';
			p->binds[0] = p->dirs[0];
			p->binds[1] = p->dirs[1];
			p->binds[2] = "/dev/null";
			ret = 0;
			break;
		}
		if (ret)
			json_object_put(all);
	}
	globfree(&g);
	return ret;
}

static void podman_free(struct podman_info *p)
{
	json_object_put(p->meta);
	json_object_put(p->all);
	memset(p, 0, sizeof(*p));
}

/* The record of image id (64 digits) in images.json's array, or NULL. */
static json_object *podman_image(json_object *images, const char *id)
{
	for (size_t i = 0; i < json_object_array_length(images); i++) {
		json_object *im = json_object_array_get_idx(images, i);

		if (str(im, "id") && !strcmp(str(im, "id"), id))
			return im;
	}
	return NULL;
}

/*
 * Does entry e match one of the image's repository digests as Podman makes
 * them (`podman image inspect`'s RepoDigests): each of its names'
 * repository with each of its manifest digests ("digests", or the older
 * "digest" alone)?
 */
static bool podman_digest_match(const char *e, json_object *im)
{
	json_object *names, *digests, *one = NULL;
	size_t nd;

	if (!json_object_object_get_ex(im, "names", &names) ||
	    !json_object_is_type(names, json_type_array))
		return false;
	if (!json_object_object_get_ex(im, "digests", &digests) ||
	    !json_object_is_type(digests, json_type_array)) {
		if (!json_object_object_get_ex(im, "digest", &one) ||
		    !json_object_is_type(one, json_type_string))
			return false;
		digests = NULL;
	}
	nd = digests ? json_object_array_length(digests) : 1;
	for (size_t i = 0; i < json_object_array_length(names); i++) {
		const char *n = json_object_get_string(json_object_array_get_idx(names, i));
		struct eci_image_ref r;

		if (!n || eci_image_parse(n, &r))
			continue;
		for (size_t k = 0; k < nd; k++) {
			json_object *d = digests ? json_object_array_get_idx(digests, k) : one;
			char ref[512];

			if (!json_object_is_type(d, json_type_string))
				continue;
			snprintf(ref, sizeof(ref), "%s@%s", r.name, json_object_get_string(d));
			if (eci_image_match(e, ref) == 1)
				return true;
		}
	}
	return false;
}

/* The diff digests (rootfs.diff_ids) of image im's layers, top first, from
 * layers.json's parent links; how many, or 0 if one is missing. */
static size_t podman_chain(json_object *layers, json_object *im, const char **out)
{
	const char *at = str(im, "layer");
	size_t n = 0;

	while (at && *at && n < PODMAN_MAX_LAYERS) {
		json_object *l = NULL;

		for (size_t i = 0; !l && i < json_object_array_length(layers); i++) {
			json_object *x = json_object_array_get_idx(layers, i);

			if (str(x, "id") && !strcmp(str(x, "id"), at))
				l = x;
		}
		if (!l || !str(l, "diff-digest") || !*str(l, "diff-digest"))
			return 0;
		out[n++] = str(l, "diff-digest");
		at = str(l, "parent");
	}
	return at && *at ? 0 : n;
}

/* Image `of` is built on `base`: base's layers are the first of its own. */
static bool podman_derived(json_object *layers, json_object *of, json_object *base)
{
	const char *a[PODMAN_MAX_LAYERS], *b[PODMAN_MAX_LAYERS];
	size_t na = podman_chain(layers, of, a), nb = podman_chain(layers, base, b);

	if (!nb || nb > na)
		return false;
	for (size_t i = 1; i <= nb; i++)
		if (strcmp(a[na - i], b[nb - i]))
			return false;
	return true;
}

/* One of the store's JSON arrays (images.json, layers.json); NULL: said. */
static json_object *podman_store_file(const struct podman_info *p, const char *what)
{
	char file[PATH_MAX + 32];
	json_object *o;

	snprintf(file, sizeof(file), "%s-%ss/%ss.json", p->store, what, what);
	o = json_object_from_file(file);
	if (o && json_object_is_type(o, json_type_array))
		return o;
	json_object_put(o);
	eci_err("oci-hook: Podman's image store %s can't be read (%s): can't tell whether the container's image may have the engine socket",
		file, json_util_get_last_err() ? json_util_get_last_err() : "not a JSON array");
	return NULL;
}

/*
 * By identity, as the Docker path matches, never by a name: containers/storage
 * records no registry's word on a name (a pull and a `podman tag` write the
 * same "names"; Podman's RepoDigests pair every name, tagged ones too, with
 * every digest). So an entry names images by what the user can't choose:
 * "sha256:ID" the image whose id (its config's digest) it is;
 * "name@sha256:..." an image whose manifest digest it is (and with the
 * name among its repositories); "*" any. "name:tag", "name:*" and "repo/ *"
 * [no space], which Docker matches against digests a pull recorded under
 * that name, match no Podman image. With derived, an image whose layers
 * begin with an allowed image's is allowed too.
 */
int eci_podman_image_match(json_object *images, json_object *layers, char *const *list, size_t n,
			   bool derived, const char *id)
{
	json_object *im = podman_image(images, id), *allowed[DOCKER_MAX_ALLOWED];
	size_t nallowed = 0;
	int ret = 0;

	if (!im)
		return -ENOENT;
	for (size_t i = 0; i < n && !ret && nallowed < DOCKER_MAX_ALLOWED; i++) {
		const char *e = list[i];

		if (!strcmp(e, "*")) {
			ret = 1;
		} else if (!strncmp(e, "sha256:", 7) && strlen(e) == 71) {
			json_object *a = podman_image(images, e + 7);

			ret = a == im;
			if (a)
				allowed[nallowed++] = a;
		} else if (strchr(e, '@')) {
			for (size_t k = 0; k < json_object_array_length(images) && !ret &&
					   nallowed < DOCKER_MAX_ALLOWED;
			     k++) {
				json_object *a = json_object_array_get_idx(images, k);

				if (!podman_digest_match(e, a))
					continue;
				ret = a == im;
				allowed[nallowed++] = a;
			}
		}
	}
	for (size_t i = 0; !ret && derived && layers && i < nallowed; i++)
		ret = podman_derived(layers, im, allowed[i]);
	return ret;
}

/* The socket for the Podman container's image: 1, 0, or -1 (said) if the
 * store can't be read. */
static int podman_image_allowed(const struct podman_info *p)
{
	json_object *images = NULL, *layers = NULL;
	struct eci_settings st;
	char err[512];
	int ret = 0;

	if (access(ECI_SETTINGS_COPY, F_OK))
		return 0;
	if (eci_settings_load(ECI_SETTINGS_COPY, &st, err, sizeof(err))) {
		eci_warn("%s: %s; no image gets the engine socket", ECI_SETTINGS_COPY, err);
		return 0;
	}
	if (!st.nimages)
		goto out;
	if (!p->image_id || !is_podman_id(p->image_id)) {
		eci_err("oci-hook: the Podman container's record in %s-containers has no image id: can't tell whether its image may have the engine socket",
			p->store);
		ret = -1;
		goto out;
	}
	images = podman_store_file(p, "image");
	if (!images || (st.allow_derived && !(layers = podman_store_file(p, "layer")))) {
		ret = -1;
		goto out;
	}
	ret = eci_podman_image_match(images, layers, st.images, st.nimages, st.allow_derived,
				     p->image_id);
	if (ret == -ENOENT) {
		eci_err("oci-hook: image %s of the Podman container is not in %s-images/images.json: can't tell whether it may have the engine socket",
			p->image_id, p->store);
		ret = -1;
	}
out:
	json_object_put(layers);
	json_object_put(images);
	eci_settings_free(&st);
	return ret;
}

/* Podman's container id from its cgroup: libpod-ID (cgroupfs) or
 * libpod-ID.scope (systemd); NULL for another engine's. */
static const char *podman_id_of_cgroup(const char *cg, char *out, size_t len)
{
	const char *b = strrchr(cg, '/');

	b = b ? b + 1 : cg;
	if (strncmp(b, "libpod-", 7))
		return NULL;
	snprintf(out, len, "%.*s", PODMAN_ID_LEN, b + 7);
	return is_podman_id(out) ? out : NULL;
}

static const char *image_of(json_object *ann)
{
	for (const char *const *k = image_keys; *k; k++) {
		const char *v = str(ann, *k);

		if (v && *v)
			return v;
	}
	return NULL;
}

int eci_oci_info(json_object *state, json_object *config, const char *stage,
		 struct eci_oci_info *out)
{
	json_object *ann = NULL, *cfg_ann = NULL, *pid_o, *linux_o;
	const char *cgp;

	memset(out, 0, sizeof(*out));
	out->id = str(state, "id");
	out->status = str(state, "status");
	if (!out->id || !*out->id || strchr(out->id, '/') || out->id[0] == '.')
		return -EINVAL;
	if (!stage && out->status)
		stage = !strcmp(out->status, "creating") || !strcmp(out->status, "created") ?
				"createRuntime" :
			!strcmp(out->status, "stopped") ? "poststop" :
							  NULL;
	if (stage && (!strcmp(stage, "createRuntime") || !strcmp(stage, "prestart") ||
		      !strcmp(stage, "createContainer")))
		out->stage = "createRuntime";
	else if (stage && !strcmp(stage, "poststop"))
		out->stage = "poststop";
	out->bundle = str(state, "bundle");
	if (json_object_object_get_ex(state, "pid", &pid_o))
		out->pid = json_object_get_int(pid_o);
	json_object_object_get_ex(state, "annotations", &ann);
	if (config)
		json_object_object_get_ex(config, "annotations", &cfg_ann);
	out->engine = str(ann, "io.eci.engine");
	out->image = image_of(ann);
	if (!out->image)
		out->image = image_of(cfg_ann);
	out->cg_err = -ENOENT;
	if (config && json_object_object_get_ex(config, "linux", &linux_o) &&
	    (cgp = str(linux_o, "cgroupsPath")))
		out->cg_err = eci_oci_cgroups_path(cgp, out->cg, sizeof(out->cg));
	return 0;
}

static json_object *ann_of(json_object *config)
{
	json_object *ann = NULL;

	if (config)
		json_object_object_get_ex(config, "annotations", &ann);
	return ann;
}

/* The cgroup id the hook recorded for container id, 0 if none. */
static unsigned long long recorded(const char *id)
{
	char file[PATH_MAX];
	unsigned long long cgid = 0;
	FILE *f;

	snprintf(file, sizeof(file), "%s/%s", ECI_OCI_STATE_DIR, id);
	f = fopen(file, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &cgid) != 1)
		cgid = 0;
	fclose(f);
	return cgid;
}

/* Container id was registered (at precreate) with cgroup cg, which exists. */
static bool registered(const char *id, const char *cg)
{
	char dir[PATH_MAX];
	uint64_t cgid;

	return recorded(id) && !cg_resolve(cg, dir, sizeof(dir), &cgid) && cgid == recorded(id);
}

/*
 * Protect cgroup cg as container id and remember its cgroup id for poststop
 * (which runs after the cgroup is gone). stdout is the runtime's: with
 * quiet, what container add says goes to stderr (precreate's stdout is the
 * configuration).
 */
static int register_cgroup(const char *id, const char *cg, const struct eci_container_opts *o)
{
	char dir[PATH_MAX], file[PATH_MAX], tmp[PATH_MAX + 16];
	uint64_t cgid;
	FILE *f;

	if (eci_container_add(cg, o))
		return -1;
	if (cg_resolve(cg, dir, sizeof(dir), &cgid)) {
		eci_err("oci-hook: cgroup %s of container %s vanished", cg, id);
		return -1;
	}
	snprintf(file, sizeof(file), "%s/%s", ECI_OCI_STATE_DIR, id);
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	if ((mkdir("/run/eci", 0755) && errno != EEXIST) ||
	    (mkdir(ECI_OCI_STATE_DIR, 0700) && errno != EEXIST) || !(f = fopen(tmp, "we"))) {
		eci_err("oci-hook: failed to record container %s in %s: %s", id, ECI_OCI_STATE_DIR,
			strerror(errno));
		return -1;
	}
	fprintf(f, "%llu\n", (unsigned long long)cgid);
	if (fclose(f) || rename(tmp, file)) {
		eci_err("oci-hook: failed to record container %s in %s: %s", id, ECI_OCI_STATE_DIR,
			strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* The engine may have made its socket after the settings were applied. */
	eci_sockets_refresh();
	return 0;
}

/*
 * The container must not start, and the user must read why (eci is not
 * loaded, the image store can't be read). Podman drops a precreate hook's
 * stderr, and crun a createRuntime hook's; both print a failed hook's path.
 * So the configuration goes back with a first createRuntime hook whose path
 * is the reason (no such file: the runtime fails there, before the
 * container's process starts); eci's own createRuntime hook after it would
 * fail too.
 */
#define UNLOADED_HOOK                                                                              \
	"/eci is not loaded (ecictl load): the eci hook refuses to start an unprotected container"
#define NOSTORE_HOOK                                                                               \
	"/eci can't read Podman's image store (see ecictl oci-hook's error): the eci hook refuses to start the container"

static int refuse(json_object *config, const char *reason)
{
	json_object *hooks, *old, *arr = json_object_new_array(), *h = json_object_new_object();
	const char *out;

	if (!json_object_object_get_ex(config, "hooks", &hooks) ||
	    !json_object_is_type(hooks, json_type_object)) {
		hooks = json_object_new_object();
		json_object_object_add(config, "hooks", hooks);
	}
	json_object_object_add(h, "path", json_object_new_string(reason));
	json_object_array_add(arr, h);
	if (json_object_object_get_ex(hooks, "createRuntime", &old) &&
	    json_object_is_type(old, json_type_array))
		for (size_t i = 0; i < json_object_array_length(old); i++)
			json_object_array_add(arr,
					      json_object_get(json_object_array_get_idx(old, i)));
	json_object_object_add(hooks, "createRuntime", arr);
	out = json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!out || fputs(out, stdout) == EOF || fflush(stdout)) {
		eci_err("oci-hook: failed to write the configuration back: %s", strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * Podman's precreate stage: the container's configuration on stdin, to be
 * given back on stdout. Its cgroup (linux.cgroupsPath) is made and protected
 * here, in setup, so both runtimes create the container in a protected
 * cgroup: every mount they make is judged. A configuration that is not a
 * Podman container's (no libpod cgroup, no containers/storage record) fails:
 * the hook can't tell its image.
 */
static int precreate(json_object *config, const char *text, size_t len)
{
	struct eci_container_opts o = { .flags = ECI_CF_SETUP };
	struct podman_info pm;
	json_object *linux_o;
	char cg[PATH_MAX], mk[2 * PATH_MAX], idbuf[PODMAN_ID_LEN + 1], name[ECI_NAME_LEN];
	/* A failed createRuntime hook's path is what Podman shows (refuse()). */
	char why[PATH_MAX + 256] = "/eci: ", *proxy = NULL;
	const char *cgp = NULL, *id = NULL;
	bool made = false;
	int out, sock, nproxied, ret = 1;

	if (json_object_object_get_ex(config, "linux", &linux_o))
		cgp = str(linux_o, "cgroupsPath");
	if (!cgp || eci_oci_cgroups_path(cgp, cg, sizeof(cg)) ||
	    !(id = podman_id_of_cgroup(cg, idbuf, sizeof(idbuf)))) {
		eci_err("oci-hook: precreate: the configuration's linux.cgroupsPath (%s) is not a Podman container's",
			cgp ? cgp : "none");
		return 1;
	}
	if (!eci_is_loaded()) {
		eci_err("oci-hook: eci is not loaded (run 'ecictl load'): refusing to start an unprotected container");
		return refuse(config, UNLOADED_HOOK);
	}
	if (podman_info(id, &pm)) {
		eci_err("oci-hook: precreate: Podman container %s is not in %s: can't tell its image",
			id, pm.graph);
		return 1;
	}
	sock = podman_image_allowed(&pm);
	if (sock < 0) {
		podman_free(&pm);
		return refuse(config, NOSTORE_HOOK);
	}
	/* The engine socket only through its API proxy. */
	nproxied = sock ? proxy_mounts(config, &proxy, why + 6, sizeof(why) - 6) : 0;
	if (nproxied < 0) {
		eci_err("oci-hook: %s", why + 6);
		podman_free(&pm);
		return refuse(config, why);
	}
	if (nproxied) {
		text = json_object_to_json_string_ext(
			config, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (!text) {
			eci_err("oci-hook: out of memory");
			podman_free(&pm);
			return 1;
		}
		len = strlen(text);
		pm.binds[3] = proxy;
	}
	/* What container add prints must not reach the configuration. */
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	if (out < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		eci_err("oci-hook: failed to set up stdout: %s", strerror(errno));
		goto done;
	}
	snprintf(mk, sizeof(mk), "%s%s", cg_mount() ? cg_mount() : "/sys/fs/cgroup", cg);
	/* The first container's parent (/libpod_parent) does not exist yet:
	 * Podman makes it when it starts conmon, after this hook. */
	for (char *sl = strchr(mk + strlen(cg_mount() ? cg_mount() : "/sys/fs/cgroup") + 1, '/');
	     sl; sl = strchr(sl + 1, '/')) {
		*sl = '\0';
		if (mkdir(mk, 0755) && errno != EEXIST) {
			eci_err("oci-hook: failed to create cgroup %s of container %s: %s", mk, id,
				strerror(errno));
			*sl = '/';
			goto restore;
		}
		*sl = '/';
	}
	if (mkdir(mk, 0755) == 0) {
		made = true;
	} else if (errno != EEXIST) {
		eci_err("oci-hook: failed to create cgroup %s of container %s: %s", cg, id,
			strerror(errno));
		goto restore;
	}
	snprintf(name, sizeof(name), "%.*s", ECI_NAME_LEN - 1, id);
	o.name = name;
	/* The name is shown; the socket goes by the image's identity. */
	o.image = pm.image;
	o.image_judged = true;
	o.binds = pm.binds;
	o.nbinds = nproxied ? 4 : 3;
	if (register_cgroup(id, cg, &o))
		goto restore;
	ret = 0;
restore:
	fflush(stdout);
	if (dup2(out, STDOUT_FILENO) < 0) {
		eci_err("oci-hook: failed to restore stdout: %s", strerror(errno));
		ret = 1;
	}
	if (!ret && (fwrite(text, 1, len, stdout) != len || fflush(stdout))) {
		eci_err("oci-hook: failed to write the configuration back: %s", strerror(errno));
		ret = 1;
	}
done:
	if (out >= 0)
		close(out);
	if (ret && made)
		rmdir(mk);
	podman_free(&pm);
	return ret;
}

static int create(json_object *state, const char *stage)
{
	json_object *config = NULL;
	char cg[PATH_MAX], mk[2 * PATH_MAX], name[ECI_NAME_LEN], file[PATH_MAX];
	struct eci_container_opts o = { .flags = ECI_CF_SETUP };
	struct docker_info *dk = NULL;
	struct podman_info pm = { 0 };
	struct eci_oci_info in;
	const char *image = NULL, *id;
	bool made = false;
	int err = -ENOENT, ret = 1;
	FILE *f;

	eci_oci_info(state, NULL, stage, &in);
	if (in.bundle) {
		snprintf(file, sizeof(file), "%s/config.json", in.bundle);
		f = fopen(file, "re");
		if (f) {
			config = parse_stream(f, file);
			fclose(f);
		}
	}
	eci_oci_info(state, config, stage, &in);
	id = in.id;
	if (in.pid > 0)
		err = cgroup_of_pid(in.pid, cg, sizeof(cg));
	if (err) {
		err = in.cg_err;
		snprintf(cg, sizeof(cg), "%s", in.cg);
	}
	if (err) {
		eci_err("oci-hook: can't tell container %s's cgroup: no process %d and no usable linux.cgroupsPath in %s/config.json",
			id, in.pid, in.bundle ? in.bundle : "(no bundle)");
		goto out;
	}
	/* Called before the runtime's create (the eci-runc shim): the cgroup
	 * is made here, so the container is protected from its first task. */
	if (in.pid <= 0) {
		snprintf(mk, sizeof(mk), "%s%s", cg_mount() ? cg_mount() : "/sys/fs/cgroup", cg);
		if (mkdir(mk, 0755) == 0) {
			made = true;
		} else if (errno != EEXIST) {
			eci_err("oci-hook: failed to create cgroup %s of container %s: %s", cg, id,
				strerror(errno));
			goto out;
		}
	}
	/* Registered at Podman's precreate already: the same cgroup (and eci
	 * not unloaded since, which drops every registration). */
	if (eci_is_loaded() && registered(id, cg)) {
		ret = 0;
		goto out;
	}
	if (!podman_info(id, &pm)) {
		int sock = podman_image_allowed(&pm);

		if (sock < 0)
			goto out;
		/* The name is shown. Without the precreate stage the engine
		 * socket's mount can't be given the proxy's: the kernel refuses
		 * it (no ECI_CF_SOCKET), whatever the image. */
		image = pm.image;
		o.image_judged = true;
		o.binds = pm.binds;
		o.nbinds = 3;
	} else if (str(ann_of(config), "io.container.manager") &&
		   !strcmp(str(ann_of(config), "io.container.manager"), "libpod")) {
		eci_err("oci-hook: Podman container %s is not in %s: can't tell its image", id,
			pm.graph);
		goto out;
	} else if (in.engine && !strcmp(in.engine, "docker")) {
		/* The bundle's annotations are the user's (docker run
		 * --annotation): only dockerd's own record names the image. */
		dk = calloc(1, sizeof(*dk));
		if (!dk) {
			eci_err("oci-hook: out of memory");
			goto out;
		}
		if (docker_info(id, dk))
			goto out;
		/* The name is shown; the socket goes by the image's identity. */
		image = NULL;
		if (docker_image_allowed(dk->image_id, dk->driver)) {
			/* The proxy's socket, never the engine's. */
			char *proxy;
			int n = docker_proxy_mounts(in.bundle, config, &proxy);

			if (n < 0)
				goto out;
			if (n)
				dk->binds[dk->nbinds++] = proxy;
		}
		o.rules = dk->rules;
		o.nrules = dk->nrules;
		o.binds = dk->binds;
		o.nbinds = dk->nbinds;
	} else {
		/* Another engine (CRI-O, containerd's clients): its image name is
		 * an annotation the user sets, so it is shown, never matched,
		 * and the container gets no engine socket. */
		image = in.image;
		o.image_judged = true;
	}
	/* Docker's ids are 64 hex digits: the 12 `docker ps` shows name it.
	 * dockerd's own get the /docker subtree's cut id, as without the shim:
	 * events find the docker name by it. */
	snprintf(name, sizeof(name), "%.*s",
		 strlen(id) >= ECI_NAME_LEN && !dk && !pm.all ? 12 : ECI_NAME_LEN - 1, id);
	o.name = name;
	o.image = image;
	if (register_cgroup(id, cg, &o))
		goto out;
	ret = 0;
out:
	if (ret && made)
		rmdir(mk);
	podman_free(&pm);
	if (dk) {
		json_object_put(dk->config);
		json_object_put(dk->host);
		free(dk);
	}
	json_object_put(config);
	return ret;
}

static int poststop(const char *id)
{
	char file[PATH_MAX], idbuf[32];
	unsigned long long cgid;
	int ret;
	FILE *f;

	snprintf(file, sizeof(file), "%s/%s", ECI_OCI_STATE_DIR, id);
	f = fopen(file, "re");
	if (!f) {
		printf("oci-hook: container %s was not registered by the hook; nothing to remove\n",
		       id);
		return 0;
	}
	ret = fscanf(f, "%llu", &cgid) == 1 ? 0 : 1;
	fclose(f);
	if (ret) {
		eci_err("oci-hook: %s is not a cgroup id record", file);
		unlink(file);
		return 1;
	}
	snprintf(idbuf, sizeof(idbuf), "%llu", cgid);
	ret = eci_container_rm(idbuf);
	unlink(file);
	return ret;
}

int eci_oci_hook(const char *stage)
{
	char *buf = malloc(1 << 20);
	json_object *state = NULL, *v;
	struct eci_oci_info in;
	size_t len = 0;
	int ret = 1;

	if (buf) {
		len = fread(buf, 1, (1 << 20) - 1, stdin);
		state = eci_oci_json(buf, len);
	}
	if (!state) {
		eci_err("oci-hook: the OCI state on stdin is not a JSON object");
		free(buf);
		return 1;
	}
	/* A configuration, not a state: Podman's precreate stage. */
	if ((stage && !strcmp(stage, "precreate")) ||
	    (!stage && !json_object_object_get_ex(state, "id", &v) &&
	     json_object_object_get_ex(state, "linux", &v))) {
		ret = precreate(state, buf, len);
		goto out;
	}
	if (eci_oci_info(state, NULL, stage, &in)) {
		eci_err("oci-hook: the OCI state has no usable container id");
		goto out;
	}
	if (in.stage && !strcmp(in.stage, "createRuntime"))
		ret = create(state, stage);
	else if (in.stage)
		ret = poststop(in.id);
	else
		eci_err("oci-hook: don't know what to do at status '%s': give the stage (createRuntime or poststop)",
			in.status ? in.status : "(none)");
out:
	json_object_put(state);
	free(buf);
	return ret;
}
