// SPDX-License-Identifier: GPL-2.0
/*
 * The engine API proxy. A container the imageList allows the engine socket
 * is bound this proxy's socket instead (the OCI hook rewrites the mount), and
 * the BPF socket policy keeps the real one from it. Each request is parsed
 * with Debian's http_parser (incremental: chunked bodies, keep-alive,
 * upgrades), judged by its method and path (commandList, Docker's command
 * names) and, for container and volume create, by its body (json-c); then
 * its bytes are forwarded to the engine exactly as received. Responses are
 * copied back unparsed, so streams (logs -f, events) and hijacked
 * connections (attach, exec start: after the request, raw both ways) pass
 * as they are. A refusal is an HTTP 403 with the JSON body dockerd uses for
 * its own errors, so the docker CLI prints it on one line.
 */
#define _GNU_SOURCE
#include "proxy.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <http_parser.h>
#include <json-c/json.h>

#include "device.h"
#include "util.h"

/* --- commands ----------------------------------------------------------- */

/*
 * Docker's API endpoints by the CLI commands that make them: the command's
 * short name and its management form ("push|image push"). commandList
 * entries match either; "image*" matches every "image ..." form. A call
 * several commands make carries each (docker run: create, attach, start,
 * wait), so denying "run" denies them. A path pattern's "*" is one segment,
 * "**" one or more (image names hold slashes).
 */
struct route {
	const char *method;
	const char *pattern;
	const char *names;
	enum eci_proxy_inspect inspect;
};

#define RUN "|run|container run"
static const struct route routes[] = {
	{ "GET", "/version", "version", ECI_PROXY_HEADERS },
	{ "GET", "/info", "info|system info", ECI_PROXY_HEADERS },
	{ "GET", "/events", "events|system events", ECI_PROXY_HEADERS },
	{ "GET", "/system/df", "system df", ECI_PROXY_HEADERS },
	{ "POST", "/auth", "login", ECI_PROXY_HEADERS },
	{ "GET", "/containers/json", "ps|container ls", ECI_PROXY_HEADERS },
	{ "POST", "/containers/create", "create|container create" RUN, ECI_PROXY_CREATE },
	{ "POST", "/containers/prune", "container prune|system prune", ECI_PROXY_HEADERS },
	{ "GET", "/containers/*/json", "inspect|container inspect", ECI_PROXY_HEADERS },
	{ "GET", "/containers/*/top", "top|container top", ECI_PROXY_HEADERS },
	{ "GET", "/containers/*/logs", "logs|container logs", ECI_PROXY_HEADERS },
	{ "GET", "/containers/*/changes", "diff|container diff", ECI_PROXY_HEADERS },
	{ "GET", "/containers/*/export", "export|container export", ECI_PROXY_HEADERS },
	{ "GET", "/containers/*/stats", "stats|container stats", ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/resize",
	  "attach|container attach|start|container start|exec|container exec" RUN,
	  ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/start", "start|container start" RUN, ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/stop", "stop|container stop", ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/restart", "restart|container restart", ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/kill", "kill|container kill", ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/update", "update|container update", ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/rename", "rename|container rename", ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/pause", "pause|container pause", ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/unpause", "unpause|container unpause", ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/attach", "attach|container attach|start|container start" RUN,
	  ECI_PROXY_HEADERS },
	{ "GET", "/containers/*/attach/ws", "attach|container attach" RUN, ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/wait", "wait|container wait" RUN, ECI_PROXY_HEADERS },
	{ "DELETE", "/containers/*", "rm|container rm", ECI_PROXY_HEADERS },
	{ "HEAD", "/containers/*/archive", "cp|container cp", ECI_PROXY_HEADERS },
	{ "GET", "/containers/*/archive", "cp|container cp", ECI_PROXY_HEADERS },
	{ "PUT", "/containers/*/archive", "cp|container cp", ECI_PROXY_HEADERS },
	{ "POST", "/containers/*/exec", "exec|container exec", ECI_PROXY_HEADERS },
	{ "POST", "/exec/*/start", "exec|container exec", ECI_PROXY_HEADERS },
	{ "POST", "/exec/*/resize", "exec|container exec", ECI_PROXY_HEADERS },
	{ "GET", "/exec/*/json", "exec|container exec", ECI_PROXY_HEADERS },
	{ "POST", "/commit", "commit|container commit", ECI_PROXY_HEADERS },
	{ "GET", "/images/json", "images|image ls", ECI_PROXY_HEADERS },
	{ "POST", "/build", "build|image build|builder build", ECI_PROXY_HEADERS },
	{ "POST", "/build/prune", "builder prune|system prune", ECI_PROXY_HEADERS },
	{ "POST", "/build/cancel", "build|image build|builder build", ECI_PROXY_HEADERS },
	/* BuildKit's session and gRPC: the build's other half. */
	{ "POST", "/session", "build|image build|builder build", ECI_PROXY_HEADERS },
	{ "POST", "/grpc", "build|image build|builder build", ECI_PROXY_HEADERS },
	{ "POST", "/images/create", "pull|image pull|import|image import", ECI_PROXY_HEADERS },
	{ "GET", "/distribution/**/json", "pull|image pull", ECI_PROXY_HEADERS },
	{ "GET", "/images/search", "search", ECI_PROXY_HEADERS },
	{ "POST", "/images/prune", "image prune|system prune", ECI_PROXY_HEADERS },
	{ "GET", "/images/get", "save|image save", ECI_PROXY_HEADERS },
	{ "POST", "/images/load", "load|image load", ECI_PROXY_HEADERS },
	{ "GET", "/images/**/json", "inspect|image inspect", ECI_PROXY_HEADERS },
	{ "GET", "/images/**/history", "history|image history", ECI_PROXY_HEADERS },
	{ "POST", "/images/**/push", "push|image push", ECI_PROXY_HEADERS },
	{ "POST", "/images/**/tag", "tag|image tag", ECI_PROXY_HEADERS },
	{ "GET", "/images/**/get", "save|image save", ECI_PROXY_HEADERS },
	{ "DELETE", "/images/**", "rmi|image rm", ECI_PROXY_HEADERS },
	{ "GET", "/networks", "network ls", ECI_PROXY_HEADERS },
	{ "POST", "/networks/create", "network create", ECI_PROXY_HEADERS },
	{ "POST", "/networks/prune", "network prune|system prune", ECI_PROXY_HEADERS },
	{ "GET", "/networks/*", "network inspect", ECI_PROXY_HEADERS },
	{ "DELETE", "/networks/*", "network rm", ECI_PROXY_HEADERS },
	{ "POST", "/networks/*/connect", "network connect", ECI_PROXY_HEADERS },
	{ "POST", "/networks/*/disconnect", "network disconnect", ECI_PROXY_HEADERS },
	{ "GET", "/volumes", "volume ls", ECI_PROXY_HEADERS },
	{ "POST", "/volumes/create", "volume create", ECI_PROXY_VOLUME },
	{ "POST", "/volumes/prune", "volume prune|system prune", ECI_PROXY_HEADERS },
	{ "GET", "/volumes/*", "volume inspect", ECI_PROXY_HEADERS },
	{ "PUT", "/volumes/*", "volume update", ECI_PROXY_HEADERS },
	{ "DELETE", "/volumes/*", "volume rm", ECI_PROXY_HEADERS },
};

/* Does path (split in n segments) match pattern? */
static bool route_match(const char *pattern, char **seg, size_t n)
{
	char buf[128], *pseg[16], *save = NULL, *t;
	size_t np = 0, star2 = SIZE_MAX;

	snprintf(buf, sizeof(buf), "%s", pattern);
	for (t = strtok_r(buf, "/", &save); t && np < 16; t = strtok_r(NULL, "/", &save)) {
		if (!strcmp(t, "**"))
			star2 = np;
		pseg[np++] = t;
	}
	if (star2 == SIZE_MAX) {
		if (n != np)
			return false;
	} else if (n < np) {
		return false;
	}
	for (size_t i = 0; i < np; i++) {
		/* Segments after "**" are matched from the end. */
		size_t j = star2 != SIZE_MAX && i > star2 ? n - (np - i) : i;

		if (i == star2)
			continue;
		if (strcmp(pseg[i], "*") && strcmp(pseg[i], seg[j]))
			return false;
	}
	return true;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 :
				      -1;
}

/*
 * The path dockerd's router sees: the query cut, escapes decoded (its
 * router matches the decoded path, so "cre%61te" is "create"), the API
 * version prefix dropped. Not clean (empty, "." or ".." segments, a NUL):
 * -EINVAL, since the router would redirect it somewhere eci did not judge.
 */
static int clean_path(const char *url, char *out, size_t len)
{
	size_t o = 0;
	const char *p;

	if (url[0] != '/')
		return -EINVAL;
	for (p = url; *p && *p != '?' && *p != '#'; p++) {
		char c = *p;

		if (c == '%') {
			int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);

			if (h < 0 || l < 0)
				return -EINVAL;
			c = (char)(h * 16 + l);
			p += 2;
		}
		if (!c || o + 1 >= len)
			return -EINVAL;
		out[o++] = c;
	}
	out[o] = '\0';
	if (strstr(out, "//") || strstr(out, "/./") || strstr(out, "/../") ||
	    (o >= 2 && !strcmp(out + o - 2, "/.")) || (o >= 3 && !strcmp(out + o - 3, "/..")))
		return -EINVAL;
	/* /v1.41/containers/json */
	if (out[1] == 'v' && out[2] >= '0' && out[2] <= '9') {
		size_t i = 2;

		while ((out[i] >= '0' && out[i] <= '9') || out[i] == '.')
			i++;
		if (out[i] == '/')
			memmove(out, out + i, strlen(out + i) + 1);
	}
	/* One trailing slash is the same route to the router. */
	o = strlen(out);
	if (o > 1 && out[o - 1] == '/')
		out[o - 1] = '\0';
	return 0;
}

int eci_proxy_command(const char *method, const char *url, const char **names,
		      enum eci_proxy_inspect *inspect)
{
	char path[1024], *seg[64], *save = NULL, *t;
	size_t n = 0;

	*names = NULL;
	*inspect = ECI_PROXY_HEADERS;
	if (clean_path(url, path, sizeof(path)))
		return -EINVAL;
	if (!strcmp(path, "/_ping"))
		return strcmp(method, "GET") && strcmp(method, "HEAD") ? -ENOENT : 0;
	for (t = strtok_r(path, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (n == 64)
			return -ENOENT;
		seg[n++] = t;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].method, method) || !route_match(routes[i].pattern, seg, n))
			continue;
		*names = routes[i].names;
		*inspect = routes[i].inspect;
		return 1;
	}
	return -ENOENT;
}

/* Does commandList entry e name one of names ('|'-separated)? */
static bool entry_matches(const char *e, const char *names)
{
	size_t el;

	if (!strncmp(e, "docker ", 7))
		e += 7;
	el = strlen(e);
	if (!strcmp(e, "*"))
		return true;
	for (const char *n = names; n && *n;) {
		const char *end = strchr(n, '|');
		size_t nl = end ? (size_t)(end - n) : strlen(n);

		if (el && e[el - 1] == '*' ? nl >= el - 1 && !strncmp(n, e, el - 1) :
					     nl == el && !strncmp(n, e, el))
			return true;
		n = end ? end + 1 : NULL;
	}
	return false;
}

int eci_proxy_command_allowed(const struct eci_settings *s, const char *names)
{
	bool listed = false;

	if (!s || !s->command_type)
		return 1;
	for (size_t i = 0; i < s->ncommands && !listed; i++)
		listed = entry_matches(s->commands[i], names);
	return !strcmp(s->command_type, "allow") ? listed : !listed;
}

/* The first name, for messages: "push" of "push|image push". */
static int first_name_len(const char *names)
{
	const char *e = strchr(names, '|');

	return e ? (int)(e - names) : (int)strlen(names);
}

int eci_proxy_decide(const struct eci_settings *s, const char *method, const char *url,
		     enum eci_proxy_inspect *inspect, char *why, size_t whylen)
{
	const char *names;
	int r = eci_proxy_command(method, url, &names, inspect);

	if (r == -EINVAL) {
		snprintf(why, whylen,
			 "the path of %s %.200s is not clean; eci judges only clean paths", method,
			 url);
		return -EACCES;
	}
	if (r == -ENOENT) {
		snprintf(
			why, whylen,
			"%s %.200s is not an API call the socket proxy serves (swarm, plugins and unknown endpoints are refused)",
			method, url);
		return -EACCES;
	}
	if (r == 1 && !eci_proxy_command_allowed(s, names)) {
		snprintf(
			why, whylen,
			"'docker %.*s' is not allowed through the socket (the admin's commandList %s it)",
			first_name_len(names), names,
			!strcmp(s->command_type, "allow") ? "does not list" : "denies");
		return -EACCES;
	}
	return 0;
}

/* --- bodies --------------------------------------------------------------- */

/*
 * dockerd decodes with Go's encoding/json: keys match fields ignoring case,
 * under Unicode's simple folding, where U+017F (long s) is 's' and U+212A
 * (Kelvin sign) is 'k'. The fold of one character at *p, advancing it.
 */
static int fold_next(const char **p)
{
	const unsigned char *u = (const unsigned char *)*p;

	if (u[0] == 0xc5 && u[1] == 0xbf) {
		*p += 2;
		return 's';
	}
	if (u[0] == 0xe2 && u[1] == 0x84 && u[2] == 0xaa) {
		*p += 3;
		return 'k';
	}
	*p += 1;
	return u[0] >= 'A' && u[0] <= 'Z' ? u[0] + 32 : u[0];
}

static bool fold_eq(const char *a, const char *b)
{
	while (*a && *b)
		if (fold_next(&a) != fold_next(&b))
			return false;
	return !*a && !*b;
}

/*
 * The member of o that Go would decode into field `key`: 0 and *out (NULL
 * when absent or null), or -EINVAL when two members fold to the key (json-c
 * keeps them in an order Go may not agree with: refuse rather than guess).
 */
static int member(json_object *o, const char *key, json_object **out)
{
	int found = 0;

	*out = NULL;
	if (!o || !json_object_is_type(o, json_type_object))
		return 0;
	json_object_object_foreach(o, k, v)
	{
		if (!fold_eq(k, key))
			continue;
		if (found++)
			return -EINVAL;
		*out = v;
	}
	return 0;
}

#define REFUSE(...)                                                                                \
	do {                                                                                       \
		snprintf(why, whylen, __VA_ARGS__);                                                \
		return -EACCES;                                                                    \
	} while (0)

/* Go's member, or the refusal naming it. */
#define MEMBER(o, key, out)                                                                        \
	do {                                                                                       \
		if (member(o, key, out))                                                           \
			REFUSE("the request names %s twice (in different cases); eci refuses "     \
			       "what it can't read as the engine does",                            \
			       key);                                                               \
	} while (0)

/* Is path a source eci's bind policy may allow: under a file-sharing
 * directory, or an engine socket itself (the hook and the kernel then judge
 * the image)? A path with "." or ".." segments is not judged. */
static bool bind_source_ok(const struct eci_settings *s, const char *src)
{
	char p[PATH_MAX];
	size_t n;

	if (strstr(src, "/./") || strstr(src, "/../") || strstr(src, "//"))
		return false;
	n = strlen(src);
	if ((n >= 2 && !strcmp(src + n - 2, "/.")) || (n >= 3 && !strcmp(src + n - 3, "/..")))
		return false;
	snprintf(p, sizeof(p), "%s%s", src, src[n ? n - 1 : 0] == '/' ? "" : "/");
	for (size_t i = 0; i < s->nshared; i++)
		if (!strncmp(p, s->shared[i], strlen(s->shared[i])))
			return true;
	for (size_t i = 0; i < s->nsockets; i++)
		if (!strcmp(p, s->sockets[i]))
			return true;
	return false;
}

/* Does a mount option string (o=...) make a bind? */
static bool opts_bind(const char *o)
{
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", o);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!strcmp(t, "bind") || !strcmp(t, "rbind"))
			return true;
	return false;
}

/* A local volume's options (DriverOpts, VolumeOptions.DriverConfig.Options):
 * o=bind makes dockerd, VM root, bind any VM directory as the volume. */
static int check_volume_opts(json_object *opts, const char *what, char *why, size_t whylen)
{
	json_object *o;

	if (!opts)
		return 0;
	if (!json_object_is_type(opts, json_type_object))
		REFUSE("%s is not an object", what);
	/* The local driver reads its options by exact name (a Go map). */
	if (json_object_object_get_ex(opts, "o", &o) && json_object_is_type(o, json_type_string) &&
	    opts_bind(json_object_get_string(o)))
		REFUSE("a volume with o=%.100s (volume-opt) would be a bind of a VM directory made by the engine; not allowed through the socket",
		       json_object_get_string(o));
	return 0;
}

static int check_device(const struct eci_settings *s, const char *path, const char *perms,
			char *why, size_t whylen)
{
	struct eci_dev_rule r[2];
	char rule[64];
	struct stat st;
	int n;

	if (!path || stat(path, &st))
		REFUSE("--device %.200s: %s", path ? path : "(no PathOnHost)",
		       path ? strerror(errno) : "no path");
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		REFUSE("--device %.200s is not a device node; eci assigns device nodes only", path);
	snprintf(rule, sizeof(rule), "%c %u:%u %s", S_ISCHR(st.st_mode) ? 'c' : 'b',
		 major(st.st_rdev), minor(st.st_rdev), perms && *perms ? perms : "rwm");
	n = eci_dev_rule_parse(rule, r);
	if (n < 0)
		REFUSE("--device %.200s has bad permissions '%.20s'", path, perms);
	for (int i = 0; i < n; i++)
		if (eci_device_assignable_in(s, &r[i]) != 1)
			REFUSE("--device %.200s (%s) is not in the admin's eci.assignableDevices",
			       path, rule);
	return 0;
}

static int check_create(const struct eci_settings *s, const struct eci_proxy_opts *o,
			json_object *body, char *why, size_t whylen)
{
	json_object *hc, *v, *m;

	MEMBER(body, "HostConfig", &hc);
	if (!hc)
		return 0;
	if (!json_object_is_type(hc, json_type_object))
		REFUSE("HostConfig is not an object");
	MEMBER(hc, "Binds", &v);
	if (v && !json_object_is_type(v, json_type_array))
		REFUSE("HostConfig.Binds is not an array");
	for (size_t i = 0; v && i < json_object_array_length(v); i++) {
		const char *b = json_object_get_string(json_object_array_get_idx(v, i));
		char src[PATH_MAX];

		if (!b)
			REFUSE("HostConfig.Binds is not an array of strings");
		snprintf(src, sizeof(src), "%.*s", (int)strcspn(b, ":"), b);
		/* A name is a volume; a path is a bind of the VM's. */
		if (src[0] == '/' && !bind_source_ok(s, src))
			REFUSE("a bind of the VM's %.200s is not allowed (not in filesharingAllowedDirectories)",
			       src);
	}
	MEMBER(hc, "Mounts", &v);
	if (v && !json_object_is_type(v, json_type_array))
		REFUSE("HostConfig.Mounts is not an array");
	for (size_t i = 0; v && i < json_object_array_length(v); i++) {
		json_object *mt = json_object_array_get_idx(v, i), *t, *src, *vo, *dc, *opts;
		const char *type;

		MEMBER(mt, "Type", &t);
		type = t ? json_object_get_string(t) : "";
		if (!strcmp(type, "bind")) {
			MEMBER(mt, "Source", &src);
			if (!src || !json_object_is_type(src, json_type_string) ||
			    !bind_source_ok(s, json_object_get_string(src)))
				REFUSE("a bind of the VM's %.200s is not allowed (not in filesharingAllowedDirectories)",
				       src ? json_object_get_string(src) : "(no source)");
		} else if (!strcmp(type, "volume")) {
			MEMBER(mt, "VolumeOptions", &vo);
			MEMBER(vo, "DriverConfig", &dc);
			MEMBER(dc, "Options", &opts);
			if (check_volume_opts(opts, "VolumeOptions.DriverConfig.Options", why,
					      whylen))
				return -EACCES;
		}
	}
	MEMBER(hc, "Runtime", &v);
	if (v && *json_object_get_string(v)) {
		const char *rt = json_object_get_string(v);
		bool ok = false;

		for (size_t i = 0; i < o->nruntimes && !ok; i++)
			ok = !strcmp(rt, o->runtimes[i]);
		if (!ok)
			REFUSE("--runtime=%.100s: only the engine's default runtime registers containers with eci",
			       rt);
	}
	MEMBER(hc, "CgroupParent", &v);
	if (v && *json_object_get_string(v)) {
		const char *cp = json_object_get_string(v);
		bool ok = false;

		for (size_t i = 0; i < o->ncgroup_parents && !ok; i++) {
			size_t l = strlen(o->cgroup_parents[i]);

			ok = !strncmp(cp, o->cgroup_parents[i], l) && (!cp[l] || cp[l] == '/') &&
			     !strstr(cp, "/..") && !strstr(cp, "/./");
		}
		if (!ok)
			REFUSE("--cgroup-parent=%.200s is outside the protected cgroup subtrees",
			       cp);
	}
	MEMBER(hc, "Devices", &v);
	if (v && !json_object_is_type(v, json_type_array))
		REFUSE("HostConfig.Devices is not an array");
	for (size_t i = 0; v && i < json_object_array_length(v); i++) {
		json_object *d = json_object_array_get_idx(v, i), *p, *perm;

		MEMBER(d, "PathOnHost", &p);
		MEMBER(d, "CgroupPermissions", &perm);
		if (check_device(s, p ? json_object_get_string(p) : NULL,
				 perm ? json_object_get_string(perm) : NULL, why, whylen))
			return -EACCES;
	}
	MEMBER(hc, "DeviceCgroupRules", &v);
	if (v && !json_object_is_type(v, json_type_array))
		REFUSE("HostConfig.DeviceCgroupRules is not an array");
	for (size_t i = 0; v && i < json_object_array_length(v); i++) {
		const char *rs = json_object_get_string(json_object_array_get_idx(v, i));
		struct eci_dev_rule r[2];
		int n = rs ? eci_dev_rule_parse(rs, r) : -EINVAL;

		for (int k = 0; k < n; k++)
			if (eci_device_assignable_in(s, &r[k]) != 1)
				n = -EPERM;
		if (n < 0)
			REFUSE("--device-cgroup-rule '%.100s' is not in the admin's eci.assignableDevices",
			       rs ? rs : "");
	}
	MEMBER(hc, "DeviceRequests", &m);
	if (m && json_object_is_type(m, json_type_array) && json_object_array_length(m))
		REFUSE("--gpus (DeviceRequests) is not assignable through the socket");
	return 0;
}

int eci_proxy_check_body(const struct eci_settings *s, const struct eci_proxy_opts *o,
			 enum eci_proxy_inspect kind, const char *body, size_t len, char *why,
			 size_t whylen)
{
	struct json_tokener *tok;
	json_object *doc, *v;
	int ret = 0;

	if (kind == ECI_PROXY_HEADERS)
		return 0;
	tok = json_tokener_new();
	if (!tok)
		REFUSE("out of memory");
	doc = len ? json_tokener_parse_ex(tok, body, (int)len) : NULL;
	if (!doc || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < len || !json_object_is_type(doc, json_type_object)) {
		json_tokener_free(tok);
		json_object_put(doc);
		REFUSE("the request's body is not a JSON object eci can read");
	}
	json_tokener_free(tok);
	if (kind == ECI_PROXY_CREATE) {
		ret = check_create(s, o, doc, why, whylen);
	} else if (member(doc, "DriverOpts", &v)) {
		snprintf(why, whylen, "the request names DriverOpts twice (in different cases)");
		ret = -EACCES;
	} else {
		ret = check_volume_opts(v, "DriverOpts", why, whylen);
	}
	json_object_put(doc);
	return ret;
}

/* --- connections ------------------------------------------------------------ */

enum conn_state { C_HEADERS, C_FORWARD, C_BODY, C_DISCARD };

struct buf {
	char *p;
	size_t len, cap;
};

struct conn {
	int cfd, ufd;
	const char *settings;
	const struct eci_proxy_opts *opts;
	http_parser parser;
	enum conn_state state;
	enum eci_proxy_inspect inspect;
	struct buf raw, url, body;
	bool headers_done, message_done, too_big;
	char why[512];
	atomic_bool refusing;
};

static int buf_add(struct buf *b, const char *p, size_t n, size_t max)
{
	if (b->len + n > max)
		return -E2BIG;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *q = realloc(b->p, cap);

		if (!q)
			return -ENOMEM;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
	struct conn *c = p->data;

	return buf_add(&c->url, at, n, 8192) ? -1 : 0;
}

static int on_headers_complete(http_parser *p)
{
	struct conn *c = p->data;

	c->headers_done = true;
	http_parser_pause(p, 1);
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
	struct conn *c = p->data;

	if (c->state == C_BODY && buf_add(&c->body, at, n, ECI_PROXY_MAX_BODY))
		c->too_big = true;
	return 0;
}

static int on_message_complete(http_parser *p)
{
	struct conn *c = p->data;

	c->message_done = true;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings parser_settings = {
	.on_url = on_url,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

/* The applied settings, re-read when the file changes (commandList edits
 * apply to the next request); a file that does not parse refuses all. */
static pthread_rwlock_t settings_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct eci_settings cur_settings;
static struct stat cur_st;
static bool cur_loaded, cur_bad;

static void settings_refresh(const char *file)
{
	char err[512];
	struct stat st = { 0 };
	bool have = file && !stat(file, &st);

	pthread_rwlock_rdlock(&settings_lock);
	if (cur_loaded && have == !!cur_st.st_ino && st.st_ino == cur_st.st_ino &&
	    st.st_size == cur_st.st_size && st.st_mtim.tv_sec == cur_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == cur_st.st_mtim.tv_nsec) {
		pthread_rwlock_unlock(&settings_lock);
		return;
	}
	pthread_rwlock_unlock(&settings_lock);
	pthread_rwlock_wrlock(&settings_lock);
	eci_settings_free(&cur_settings);
	memset(&cur_settings, 0, sizeof(cur_settings));
	cur_bad = have ? eci_settings_load(file, &cur_settings, err, sizeof(err)) != 0 :
			 eci_settings_parse("{}", 2, &cur_settings, err, sizeof(err)) != 0;
	if (cur_bad)
		eci_warn("proxy: %s: %s; every request is refused until it is fixed",
			 have ? file : "(defaults)", err);
	cur_st = have ? st : (struct stat){ 0 };
	cur_loaded = true;
	pthread_rwlock_unlock(&settings_lock);
}

/* Who is calling, for the log: the peer's pid and cgroup. */
static void peer_name(int fd, char *out, size_t len)
{
	struct ucred cr;
	socklen_t sl = sizeof(cr);
	char file[64], line[512] = "";
	FILE *f;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl)) {
		snprintf(out, len, "an unknown peer");
		return;
	}
	snprintf(file, sizeof(file), "/proc/%d/cgroup", cr.pid);
	f = fopen(file, "re");
	if (f) {
		while (fgets(line, sizeof(line), f) && strncmp(line, "0::", 3))
			;
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
	}
	snprintf(out, len, "pid %d (cgroup %s)", cr.pid, strncmp(line, "0::", 3) ? "?" : line + 3);
}

static void refuse(struct conn *c, const char *why)
{
	char msg[1024], head[256], who[600];
	json_object *o = json_object_new_object();
	const char *body;
	int n;

	peer_name(c->cfd, who, sizeof(who));
	fprintf(stderr, "eci proxy: refused a request of %s: %s\n", who, why);
	snprintf(msg, sizeof(msg), "eci: %s", why);
	json_object_object_add(o, "message", json_object_new_string(msg));
	body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		     strlen(body) + 1);
	write_all(c->cfd, head, (size_t)n);
	write_all(c->cfd, body, strlen(body));
	write_all(c->cfd, "\n", 1);
	json_object_put(o);
}

static void *copy_back(void *arg)
{
	struct conn *c = arg;
	char b[65536];
	ssize_t n;

	while ((n = read(c->ufd, b, sizeof(b))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_all(c->cfd, b, (size_t)n))
			break;
	}
	/* The engine closed: so does the client's side, unless a refusal is
	 * about to be written there. */
	if (!atomic_load(&c->refusing))
		shutdown(c->cfd, SHUT_WR);
	return NULL;
}

/* The request line is complete: decide what to do with the message. */
static int decide(struct conn *c)
{
	const char *method = http_method_str((enum http_method)c->parser.method);

	if (!c->url.p)
		buf_add(&c->url, "", 0, 1);
	pthread_rwlock_rdlock(&settings_lock);
	if (cur_bad) {
		snprintf(c->why, sizeof(c->why),
			 "the admin settings can't be read; refusing every call");
	} else if (!eci_proxy_decide(&cur_settings, method, c->url.p, &c->inspect, c->why,
				     sizeof(c->why))) {
		c->why[0] = '\0';
	}
	pthread_rwlock_unlock(&settings_lock);
	if (c->why[0]) {
		c->state = C_DISCARD;
		return 0;
	}
	if (c->inspect != ECI_PROXY_HEADERS) {
		c->state = C_BODY;
		return 0;
	}
	c->state = C_FORWARD;
	return write_all(c->ufd, c->raw.p, c->raw.len);
}

/* The message is complete: forward a judged body, or refuse. */
static int complete(struct conn *c)
{
	if (c->state == C_BODY) {
		if (c->too_big) {
			snprintf(c->why, sizeof(c->why),
				 "the request's body is larger than eci inspects (%d bytes)",
				 ECI_PROXY_MAX_BODY);
		} else {
			pthread_rwlock_rdlock(&settings_lock);
			eci_proxy_check_body(&cur_settings, c->opts, c->inspect,
					     c->body.p ? c->body.p : "", c->body.len, c->why,
					     sizeof(c->why));
			pthread_rwlock_unlock(&settings_lock);
		}
		if (!c->why[0] && write_all(c->ufd, c->raw.p, c->raw.len))
			return -1;
	}
	return c->why[0] ? -EACCES : 0;
}

static void reset(struct conn *c)
{
	c->state = C_HEADERS;
	c->raw.len = c->url.len = c->body.len = 0;
	c->too_big = false;
	c->why[0] = '\0';
	c->inspect = ECI_PROXY_HEADERS;
}

/* Bytes [p, p+n) of the current message, by state. */
static int take(struct conn *c, const char *p, size_t n)
{
	switch (c->state) {
	case C_HEADERS:
		return buf_add(&c->raw, p, n, 256 * 1024);
	case C_BODY:
		/* The raw body (chunked or not) is forwarded as received. */
		return buf_add(&c->raw, p, n, 2 * ECI_PROXY_MAX_BODY + 256 * 1024) ?
			       (c->too_big = true, 0) :
			       0;
	case C_FORWARD:
		return write_all(c->ufd, p, n);
	case C_DISCARD:
		return 0;
	}
	return 0;
}

void eci_proxy_conn(int cfd, int ufd, const char *settings, const struct eci_proxy_opts *o)
{
	struct conn *c = calloc(1, sizeof(*c));
	pthread_t back;
	char b[65536];
	bool raw = false;

	if (!c)
		return;
	c->cfd = cfd;
	c->ufd = ufd;
	c->settings = settings;
	c->opts = o;
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	reset(c);
	if (pthread_create(&back, NULL, copy_back, c)) {
		free(c);
		return;
	}
	for (;;) {
		ssize_t n = read(cfd, b, sizeof(b));
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (raw) {
			if (write_all(ufd, b, (size_t)n))
				break;
			continue;
		}
		settings_refresh(settings);
		while (off < (size_t)n) {
			size_t k;
			enum http_errno err;

			c->headers_done = c->message_done = false;
			k = http_parser_execute(&c->parser, &parser_settings, b + off,
						(size_t)n - off);
			err = HTTP_PARSER_ERRNO(&c->parser);
			if (take(c, b + off, k))
				goto out;
			off += k;
			if (err == HPE_PAUSED) {
				http_parser_pause(&c->parser, 0);
			} else if (err != HPE_OK) {
				snprintf(c->why, sizeof(c->why), "malformed HTTP request (%s)",
					 http_errno_description(err));
				goto refused;
			}
			if (c->headers_done && c->state == C_HEADERS && decide(c))
				goto out;
			if (c->message_done) {
				int r = complete(c);

				if (r == -EACCES)
					goto refused;
				if (r)
					goto out;
				if (c->parser.upgrade) {
					/* attach, exec start: the rest is the
					 * container's stream, both ways. */
					raw = true;
					if (write_all(ufd, b + off, (size_t)n - off))
						goto out;
					break;
				}
				reset(c);
			}
			if (!k && !c->headers_done && !c->message_done)
				break;
		}
	}
out:
	shutdown(ufd, SHUT_WR);
	pthread_join(back, NULL);
	goto done;
refused:
	/* Nothing is in flight on a client that waits for each answer (the
	 * docker CLI, Go's client): the engine's side is closed first, so
	 * the refusal can't interleave with a response. */
	atomic_store(&c->refusing, true);
	shutdown(ufd, SHUT_RDWR);
	pthread_join(back, NULL);
	refuse(c, c->why);
	shutdown(cfd, SHUT_WR);
done:
	free(c->raw.p);
	free(c->url.p);
	free(c->body.p);
	free(c);
}

/* --- the server ------------------------------------------------------------- */

struct serve_arg {
	int cfd;
	const char *engine;
	const struct eci_proxy_opts *opts;
};

static atomic_int nconns;

static int connect_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void *serve_one(void *arg)
{
	struct serve_arg *a = arg;
	int ufd = connect_unix(a->engine);

	if (ufd < 0) {
		struct timeval tv = { .tv_sec = 10 };
		struct conn c = { .cfd = a->cfd };
		char b[4096];
		size_t got = 0;
		ssize_t n;

		snprintf(c.why, sizeof(c.why), "the engine's socket %s can't be reached: %s",
			 a->engine, strerror(errno));
		/* An answer before the request is one Go's client drops ("unsolicited
		 * response"): read the request's headers first. */
		setsockopt(a->cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		while (got < sizeof(b) - 1 &&
		       (n = read(a->cfd, b + got, sizeof(b) - 1 - got)) > 0) {
			got += (size_t)n;
			b[got] = '\0';
			if (strstr(b, "\r\n\r\n"))
				break;
		}
		refuse(&c, c.why);
	} else {
		eci_proxy_conn(a->cfd, ufd, ECI_SETTINGS_COPY, a->opts);
		close(ufd);
	}
	close(a->cfd);
	free(a);
	atomic_fetch_sub(&nconns, 1);
	return NULL;
}

int eci_proxy_serve(const char *sock, const char *engine, const struct eci_proxy_opts *o)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	pthread_attr_t attr;
	int lfd;

	signal(SIGPIPE, SIG_IGN);
	if (strlen(sock) >= sizeof(a.sun_path)) {
		eci_err("proxy: socket path %s is too long", sock);
		return 1;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	if (mkdir("/run/eci", 0755) && errno != EEXIST) {
		eci_err("proxy: failed to create /run/eci: %s", strerror(errno));
		return 1;
	}
	/* A socket left by an earlier proxy; anything else is not ours. */
	if (!lstat(sock, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			eci_err("proxy: %s exists and is not a socket; not replacing it", sock);
			return 1;
		}
		unlink(sock);
	}
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 64)) {
		eci_err("proxy: failed to listen on %s: %s", sock, strerror(errno));
		return 1;
	}
	/* The engine socket's owner and mode: who may use dockerd's may use
	 * this one. */
	if (!stat(engine, &st)) {
		if (chown(sock, st.st_uid, st.st_gid) || chmod(sock, st.st_mode & 0777))
			eci_warn("proxy: failed to give %s the engine socket's owner and mode: %s",
				 sock, strerror(errno));
	} else {
		eci_warn("proxy: engine socket %s: %s (requests fail until it exists)", engine,
			 strerror(errno));
		chmod(sock, 0660);
	}
	fprintf(stderr, "eci proxy: listening on %s, forwarding to %s\n", sock, engine);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		struct serve_arg *sa;
		pthread_t t;

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE ||
			    errno == ENFILE || errno == ENOMEM) {
				if (errno != EINTR && errno != ECONNABORTED)
					usleep(100000);
				continue;
			}
			eci_err("proxy: failed to accept on %s: %s", sock, strerror(errno));
			return 1;
		}
		sa = malloc(sizeof(*sa));
		if (!sa || atomic_fetch_add(&nconns, 1) >= ECI_PROXY_MAX_CONNS) {
			struct conn c = { .cfd = cfd };

			if (sa)
				atomic_fetch_sub(&nconns, 1);
			refuse(&c, "too many connections through the socket proxy");
			close(cfd);
			free(sa);
			continue;
		}
		*sa = (struct serve_arg){ .cfd = cfd, .engine = engine, .opts = o };
		if (pthread_create(&t, &attr, serve_one, sa)) {
			close(cfd);
			free(sa);
			atomic_fetch_sub(&nconns, 1);
		}
	}
}

#define PROXY_USAGE                                                                                \
	"usage: ecictl proxy [--socket PATH] [--engine PATH] [--runtime NAME]... "                 \
	"[--cgroup-parent CGROUP]..."

int eci_cmd_proxy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "engine", required_argument, NULL, 'e' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "cgroup-parent", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct eci_proxy_opts o;
	const char *sock = ECI_PROXY_SOCK, *engine = ECI_PROXY_ENGINE;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			return puts(PROXY_USAGE), 0;
		if (opt == 's')
			sock = optarg;
		else if (opt == 'e')
			engine = optarg;
		else if (opt == 'r' && o.nruntimes < ECI_PROXY_MAX_LIST)
			o.runtimes[o.nruntimes++] = optarg;
		else if (opt == 'c' && o.ncgroup_parents < ECI_PROXY_MAX_LIST && optarg[0] == '/')
			o.cgroup_parents[o.ncgroup_parents++] = optarg;
		else
			return eci_usage_err("%s", PROXY_USAGE);
	}
	if (optind != argc)
		return eci_usage_err("%s", PROXY_USAGE);
	/* The test bed's and the package's engine: eci-runc registers, and
	 * /docker is the protected subtree. */
	if (!o.nruntimes)
		o.runtimes[o.nruntimes++] = "eci";
	if (!o.ncgroup_parents)
		o.cgroup_parents[o.ncgroup_parents++] = "/docker";
	return eci_proxy_serve(sock, engine, &o);
}
