// SPDX-License-Identifier: GPL-2.0
/*
 * admin-settings.json: Docker's keys that eci enforces, its own "eci"
 * section, and warnings (not errors) for keys it does not know, since Docker's
 * file carries many settings that belong to Docker Desktop alone.
 */
#define _GNU_SOURCE
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bind.h"
#include "eci.h"
#include "image.h"
#include "util.h"

#define DEFAULT_SOCKET_1 "/var/run/docker.sock"
#define DEFAULT_SOCKET_2 "/run/docker.sock"
/* Podman's API socket (podman system service, Debian's podman.socket). */
#define DEFAULT_SOCKET_3 "/run/podman/podman.sock"

/* The variables a path may use, in the order expand() tries them. */
enum { VAR_HOME, VAR_TEMP, VAR_TMP, NVARS };
static const char *const var_names[NVARS] = { "HOME", "TEMP", "TMP" };

struct parser {
	struct eci_settings *s;
	char *err;
	size_t errlen;
	/* Values of $HOME, $TEMP, $TMP: eci.variables or ECI_VAR_*_DEFAULT. */
	const char *vars[NVARS];
};

static __attribute__((format(printf, 2, 3))) int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static __attribute__((format(printf, 2, 3))) int warn(struct parser *p, const char *fmt, ...)
{
	char **w = realloc(p->s->warnings, (p->s->nwarnings + 1) * sizeof(*w));
	va_list ap;
	int n;

	if (!w)
		return fail(p, "out of memory");
	p->s->warnings = w;
	va_start(ap, fmt);
	n = vasprintf(&w[p->s->nwarnings], fmt, ap);
	va_end(ap);
	if (n < 0)
		return fail(p, "out of memory");
	p->s->nwarnings++;
	return 0;
}

static int push(struct parser *p, char ***list, size_t *n, const char *str)
{
	char **l = realloc(*list, (*n + 1) * sizeof(*l));

	if (!l)
		return fail(p, "out of memory");
	*list = l;
	l[*n] = strdup(str);
	if (!l[*n])
		return fail(p, "out of memory");
	(*n)++;
	return 0;
}

/*
 * $HOME, $TMP, $TEMP (also ${...}) anywhere in a path. Docker Desktop expands
 * them on the user's machine; on a VM they mean where users keep their files
 * (eci.variables, default /home and /tmp), never the environment of whoever
 * runs ecictl: a service has no HOME, and root's would be the wrong one.
 */
static int expand(struct parser *p, const char *where, const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (const char *c = in; *c;) {
		const char *val = NULL;
		size_t skip = 0, vlen;

		if (*c != '$') {
			if (o + 2 > len)
				return fail(p, "%s: path '%s' is too long", where, in);
			out[o++] = *c++;
			continue;
		}
		for (int v = 0; v < NVARS; v++) {
			size_t n = strlen(var_names[v]);
			char brace[16];

			snprintf(brace, sizeof(brace), "{%s}", var_names[v]);
			if (!strncmp(c + 1, var_names[v], n) &&
			    !((c[1 + n] >= 'A' && c[1 + n] <= 'Z') ||
			      (c[1 + n] >= 'a' && c[1 + n] <= 'z') ||
			      (c[1 + n] >= '0' && c[1 + n] <= '9') || c[1 + n] == '_')) {
				val = p->vars[v];
				skip = 1 + n;
			} else if (!strncmp(c + 1, brace, n + 2)) {
				val = p->vars[v];
				skip = 3 + n;
			}
			if (val)
				break;
		}
		if (!val)
			return fail(
				p,
				"%s: path '%s' uses an unknown variable (known: $HOME, $TMP, $TEMP)",
				where, in);
		vlen = strlen(val);
		if (o + vlen + 1 > len)
			return fail(p, "%s: path '%s' is too long", where, in);
		memcpy(out + o, val, vlen);
		o += vlen;
		c += skip;
	}
	out[o] = '\0';
	return 0;
}

static const char *type_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "something else";
}

static int want(struct parser *p, json_object *o, json_type t, const char *where)
{
	static const char *const names[] = {
		[json_type_boolean] = "true or false", [json_type_object] = "an object",
		[json_type_array] = "an array",	       [json_type_string] = "a string",
		[json_type_int] = "a number",
	};

	if (json_object_is_type(o, t) ||
	    (t == json_type_int && json_object_is_type(o, json_type_double)))
		return 0;
	return fail(p, "%s must be %s, not %s", where, names[t], type_name(o));
}

/* Docker wraps most settings as {"value": X, "locked": B}; accept both. */
static json_object *unwrap(json_object *o)
{
	json_object *v;

	if (json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "value", &v))
		return v;
	return o;
}

static int bool_of(struct parser *p, json_object *o, const char *where, bool *out)
{
	o = unwrap(o);
	if (want(p, o, json_type_boolean, where))
		return -1;
	*out = json_object_get_boolean(o);
	return 0;
}

static int strings(struct parser *p, json_object *arr, const char *where, char ***list, size_t *n)
{
	if (want(p, arr, json_type_array, where))
		return -1;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		char w[128];

		snprintf(w, sizeof(w), "%s[%zu]", where, i);
		if (want(p, e, json_type_string, w))
			return -1;
		if (!*json_object_get_string(e))
			return fail(p, "%s is empty", w);
		if (push(p, list, n, json_object_get_string(e)))
			return -1;
	}
	return 0;
}

static int unknown(struct parser *p, const char *where, const char *key)
{
	return warn(p, "unknown setting %s%s%s: ignored", where, *where ? "." : "", key);
}

static int parse_images(struct parser *p, json_object *o)
{
	const char *w = "enhancedContainerIsolation.dockerSocketMount.imageList";

	if (want(p, o, json_type_object, w))
		return -1;
	json_object_object_foreach(o, key, val)
	{
		if (!strcmp(key, "images")) {
			if (strings(p, val, "imageList.images", &p->s->images, &p->s->nimages))
				return -1;
		} else if (!strcmp(key, "allowDerivedImages")) {
			if (bool_of(p, val, "imageList.allowDerivedImages", &p->s->allow_derived))
				return -1;
		} else if (unknown(p, w, key)) {
			return -1;
		}
	}
	return 0;
}

static int parse_commands(struct parser *p, json_object *o)
{
	const char *w = "enhancedContainerIsolation.dockerSocketMount.commandList";

	if (want(p, o, json_type_object, w))
		return -1;
	json_object_object_foreach(o, key, val)
	{
		if (!strcmp(key, "type")) {
			const char *t;

			if (want(p, val, json_type_string, "commandList.type"))
				return -1;
			t = json_object_get_string(val);
			if (strcmp(t, "allow") && strcmp(t, "deny"))
				return fail(
					p,
					"commandList.type must be \"allow\" or \"deny\", not \"%s\"",
					t);
			free(p->s->command_type);
			p->s->command_type = strdup(t);
			if (!p->s->command_type)
				return fail(p, "out of memory");
		} else if (!strcmp(key, "commands")) {
			if (strings(p, val, "commandList.commands", &p->s->commands,
				    &p->s->ncommands))
				return -1;
		} else if (unknown(p, w, key)) {
			return -1;
		}
	}
	return 0;
}

static int parse_eci_docker(struct parser *p, json_object *o)
{
	const char *w = "enhancedContainerIsolation";

	if (want(p, o, json_type_object, w))
		return -1;
	json_object_object_foreach(o, key, val)
	{
		if (!strcmp(key, "value")) {
			if (bool_of(p, val, "enhancedContainerIsolation.value", &p->s->enabled))
				return -1;
		} else if (!strcmp(key, "locked")) {
			if (bool_of(p, val, "enhancedContainerIsolation.locked", &p->s->locked))
				return -1;
		} else if (!strcmp(key, "dockerSocketMount")) {
			if (want(p, val, json_type_object,
				 "enhancedContainerIsolation.dockerSocketMount"))
				return -1;
			json_object_object_foreach(val, k2, v2)
			{
				if (!strcmp(k2, "imageList")) {
					if (parse_images(p, v2))
						return -1;
				} else if (!strcmp(k2, "commandList")) {
					if (parse_commands(p, v2))
						return -1;
				} else if (unknown(p,
						   "enhancedContainerIsolation.dockerSocketMount",
						   k2)) {
					return -1;
				}
			}
		} else if (unknown(p, w, key)) {
			return -1;
		}
	}
	return 0;
}

static int add_path(struct parser *p, const char *where, const char *raw, char ***list, size_t *n)
{
	char exp[4096], norm[ECI_PATH_LEN];
	int err;

	if (expand(p, where, raw, exp, sizeof(exp)))
		return -1;
	err = eci_path_normalize(exp, norm, sizeof(norm));
	if (err == -EINVAL)
		return fail(p, "%s: '%s' is not an absolute path", where, raw);
	if (err)
		return fail(p, "%s: '%s' is longer than %d characters", where, exp,
			    ECI_PATH_LEN - 2);
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], norm))
			return 0;
	return push(p, list, n, norm);
}

static int parse_sharing(struct parser *p, json_object *arr)
{
	const char *w = "filesharingAllowedDirectories";

	arr = unwrap(arr);
	if (want(p, arr, json_type_array, w))
		return -1;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i), *path = NULL;
		bool by_default = false, *b;
		char where[64];
		size_t before = p->s->nshared;

		snprintf(where, sizeof(where), "%s[%zu]", w, i);
		if (want(p, e, json_type_object, where))
			return -1;
		json_object_object_foreach(e, key, val)
		{
			if (!strcmp(key, "path")) {
				path = val;
			} else if (!strcmp(key, "sharedByDefault")) {
				if (bool_of(p, val, "sharedByDefault", &by_default))
					return -1;
			} else if (unknown(p, where, key)) {
				return -1;
			}
		}
		if (!path)
			return fail(p, "%s has no \"path\"", where);
		if (want(p, path, json_type_string, where) ||
		    add_path(p, where, json_object_get_string(path), &p->s->shared, &p->s->nshared))
			return -1;
		if (p->s->nshared == before)
			continue;
		b = realloc(p->s->shared_by_default, p->s->nshared * sizeof(*b));
		if (!b)
			return fail(p, "out of memory");
		p->s->shared_by_default = b;
		b[p->s->nshared - 1] = by_default;
	}
	return 0;
}

static int parse_subtree(struct parser *p, const char *where, const char *s)
{
	char norm[4096];

	if (s[0] != '/')
		return fail(p, "%s: '%s' is not a cgroup path (it must start with '/')", where, s);
	if (strstr(s, "/../") || strstr(s, "/./") ||
	    (strlen(s) >= 2 && !strcmp(s + strlen(s) - 2, "/.")) ||
	    (strlen(s) >= 3 && !strcmp(s + strlen(s) - 3, "/..")))
		return fail(p, "%s: '%s' has '.' or '..' components", where, s);
	if (eci_path_normalize(s, norm, sizeof(norm)))
		return fail(p, "%s: '%s' is too long", where, s);
	if (!strcmp(norm, "/"))
		return fail(
			p,
			"%s: the root cgroup can't be a protected subtree (every cgroup would be a container)",
			where);
	norm[strlen(norm) - 1] = '\0';
	return push(p, &p->s->subtrees, &p->s->nsubtrees, norm);
}

/*
 * eci.variables, read before any path: the file's key order must not decide
 * what $HOME means for the paths above it.
 */
static int parse_variables(struct parser *p, json_object *root)
{
	json_object *eci, *vars;

	p->vars[VAR_HOME] = ECI_VAR_HOME_DEFAULT;
	p->vars[VAR_TEMP] = ECI_VAR_TMP_DEFAULT;
	p->vars[VAR_TMP] = ECI_VAR_TMP_DEFAULT;
	/* A wrong type of "eci" itself is reported with the rest of the section. */
	if (!json_object_object_get_ex(root, "eci", &eci) ||
	    !json_object_is_type(eci, json_type_object) ||
	    !json_object_object_get_ex(eci, "variables", &vars))
		return 0;
	if (want(p, vars, json_type_object, "eci.variables"))
		return -1;
	json_object_object_foreach(vars, key, val)
	{
		char where[64];
		const char *v;
		int i;

		for (i = 0; i < NVARS && strcmp(key, var_names[i]); i++)
			;
		if (i == NVARS) {
			if (unknown(p, "eci.variables", key))
				return -1;
			continue;
		}
		snprintf(where, sizeof(where), "eci.variables.%s", key);
		val = unwrap(val);
		if (want(p, val, json_type_string, where))
			return -1;
		v = json_object_get_string(val);
		if (v[0] != '/' || strchr(v, '$'))
			return fail(p, "%s: '%s' is not an absolute path without variables", where,
				    v);
		p->vars[i] = v;
	}
	return 0;
}

static void free_list(char **l, size_t n);

const char *const eci_autoload_defaults[] = {
	"fs-overlay", /* overlay2 of a nested dockerd */
	"rtnl-link-veth",
	"rtnl-link-bridge",
	"bridge", /* its default bridge network */
	/* iptables-nft: nfnetlink, nf_tables and its compat layer, chains,
	 * expressions; iptables-legacy's tables; xtables matches and targets */
	"net-pf-16-proto-12",
	"nfnetlink-subsys-10",
	"nfnetlink-subsys-11",
	"nft-chain-*",
	"nft-expr-*",
	"iptable_*",
	"ip6table_*",
	"ipt_*",
	"ip6t_*",
	"xt_*",
	"nf_conntrack-*",
};
const size_t eci_autoload_defaults_len =
	sizeof(eci_autoload_defaults) / sizeof(eci_autoload_defaults[0]);

int eci_autoload_key_set(struct eci_autoload_key *k, const char *pattern)
{
	size_t n = strlen(pattern), plen = n;

	memset(k, 0, sizeof(*k));
	if (n && pattern[n - 1] == '*')
		plen = n - 1;
	else
		n++; /* the NUL: an exact match */
	if (!plen || plen >= ECI_MODNAME_LEN - 1)
		return -EINVAL;
	for (size_t i = 0; i < plen; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:,",
			    pattern[i]))
			return -EINVAL;
	memcpy(k->name, pattern, plen);
	k->prefixlen = (pattern[n - 1] == '*' ? plen : plen + 1) * 8;
	return 0;
}

static int parse_eci_own(struct parser *p, json_object *o)
{
	if (want(p, o, json_type_object, "eci"))
		return -1;
	json_object_object_foreach(o, key, val)
	{
		char where[96];

		if (!strcmp(key, "protectedSubtrees")) {
			val = unwrap(val);
			if (want(p, val, json_type_array, "eci.protectedSubtrees"))
				return -1;
			for (size_t i = 0; i < json_object_array_length(val); i++) {
				json_object *e = json_object_array_get_idx(val, i);

				snprintf(where, sizeof(where), "eci.protectedSubtrees[%zu]", i);
				if (want(p, e, json_type_string, where) ||
				    parse_subtree(p, where, json_object_get_string(e)))
					return -1;
			}
		} else if (!strcmp(key, "defaultDevices") || !strcmp(key, "assignableDevices")) {
			bool assign = key[0] == 'a';
			struct eci_dev_rule **list = assign ? &p->s->assignable : &p->s->devices;
			size_t *nlist = assign ? &p->s->nassignable : &p->s->ndevices;

			val = unwrap(val);
			snprintf(where, sizeof(where), "eci.%s", key);
			if (want(p, val, json_type_array, where))
				return -1;
			if (assign)
				p->s->assignable_given = true;
			for (size_t i = 0; i < json_object_array_length(val); i++) {
				json_object *e = json_object_array_get_idx(val, i);
				struct eci_dev_rule r[2], *d;
				int n;

				snprintf(where, sizeof(where), "eci.%s[%zu]", key, i);
				if (want(p, e, json_type_string, where))
					return -1;
				n = eci_dev_rule_parse(json_object_get_string(e), r);
				if (n < 0)
					return fail(
						p,
						"%s: bad device rule '%s': expected 'TYPE MAJOR:MINOR ACCESS' like 'c 10:200 rw'",
						where, json_object_get_string(e));
				d = realloc(*list, (*nlist + n) * sizeof(*d));
				if (!d)
					return fail(p, "out of memory");
				*list = d;
				memcpy(d + *nlist, r, n * sizeof(*r));
				*nlist += n;
			}
		} else if (!strcmp(key, "autoloadModules")) {
			val = unwrap(val);
			if (want(p, val, json_type_array, "eci.autoloadModules"))
				return -1;
			/* The file's list replaces the defaults. */
			free_list(p->s->autoload, p->s->nautoload);
			p->s->autoload = NULL;
			p->s->nautoload = 0;
			for (size_t i = 0; i < json_object_array_length(val); i++) {
				json_object *e = json_object_array_get_idx(val, i);
				struct eci_autoload_key k;

				snprintf(where, sizeof(where), "eci.autoloadModules[%zu]", i);
				if (want(p, e, json_type_string, where))
					return -1;
				if (eci_autoload_key_set(&k, json_object_get_string(e)))
					return fail(
						p,
						"%s: bad module alias '%s': letters, digits, '_-.:,' and a '*' at the end, at most %d",
						where, json_object_get_string(e),
						ECI_MODNAME_LEN - 2);
				if (push(p, &p->s->autoload, &p->s->nautoload,
					 json_object_get_string(e)))
					return -1;
			}
			if (p->s->nautoload > ECI_MAX_AUTOLOAD)
				return fail(p, "eci.autoloadModules: at most %d aliases",
					    ECI_MAX_AUTOLOAD);
		} else if (!strcmp(key, "auditMode")) {
			if (bool_of(p, val, "eci.auditMode", &p->s->audit))
				return -1;
		} else if (!strcmp(key, "engineSockets")) {
			val = unwrap(val);
			if (want(p, val, json_type_array, "eci.engineSockets"))
				return -1;
			/* The file's list replaces the defaults. */
			for (size_t i = 0; i < p->s->nsockets; i++)
				free(p->s->sockets[i]);
			p->s->nsockets = 0;
			for (size_t i = 0; i < json_object_array_length(val); i++) {
				json_object *e = json_object_array_get_idx(val, i);

				snprintf(where, sizeof(where), "eci.engineSockets[%zu]", i);
				if (want(p, e, json_type_string, where) ||
				    add_path(p, where, json_object_get_string(e), &p->s->sockets,
					     &p->s->nsockets))
					return -1;
			}
			if (p->s->nsockets > ECI_MAX_SOCKETS / 2)
				return fail(p, "eci.engineSockets: at most %d sockets",
					    ECI_MAX_SOCKETS / 2);
		} else if (!strcmp(key, "variables")) {
			/* parse_variables() read it first. */
		} else if (unknown(p, "eci", key)) {
			return -1;
		}
	}
	return 0;
}

/* "line L, column C" of a byte offset, both from 1. */
static void position(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int eci_settings_parse(const char *text, size_t len, struct eci_settings *s, char *err,
		       size_t errlen)
{
	struct parser p = { .s = s, .err = err, .errlen = errlen };
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	json_object *root;
	size_t end;
	int line, col, ret = -1;

	memset(s, 0, sizeof(*s));
	s->enabled = true;
	err[0] = '\0';
	if (memchr(text, '\0', len)) {
		position(text, (const char *)memchr(text, '\0', len) - text, &line, &col);
		fail(&p, "line %d, column %d: a NUL byte is not JSON", line, col);
		return -1;
	}
	tok = json_tokener_new();
	if (!tok)
		return fail(&p, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue || (!root && jerr == json_tokener_success)) {
		position(text, len, &line, &col);
		fail(&p, "line %d, column %d: the file ends inside a JSON value", line, col);
		goto out;
	}
	if (jerr != json_tokener_success) {
		/* parse_end is the offending character. */
		position(text, end, &line, &col);
		fail(&p, "line %d, column %d: %s", line, col, json_tokener_error_desc(jerr));
		goto out;
	}
	for (size_t i = end; i < len; i++) {
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r') {
			position(text, i, &line, &col);
			fail(&p, "line %d, column %d: text after the end of the JSON object", line,
			     col);
			goto out;
		}
	}
	if (want(&p, root, json_type_object, "the settings file"))
		goto out;
	if (push(&p, &s->sockets, &s->nsockets, DEFAULT_SOCKET_1 "/") ||
	    push(&p, &s->sockets, &s->nsockets, DEFAULT_SOCKET_2 "/") ||
	    push(&p, &s->sockets, &s->nsockets, DEFAULT_SOCKET_3 "/"))
		goto out;
	for (size_t i = 0; i < eci_autoload_defaults_len; i++)
		if (push(&p, &s->autoload, &s->nautoload, eci_autoload_defaults[i]))
			goto out;

	if (parse_variables(&p, root))
		goto out;
	json_object_object_foreach(root, key, val)
	{
		if (!strcmp(key, "configurationFileVersion")) {
			if (want(&p, val, json_type_int, key))
				goto out;
		} else if (!strcmp(key, "enhancedContainerIsolation")) {
			if (parse_eci_docker(&p, val))
				goto out;
		} else if (!strcmp(key, "filesharingAllowedDirectories")) {
			if (parse_sharing(&p, val))
				goto out;
		} else if (!strcmp(key, "eci")) {
			if (parse_eci_own(&p, val))
				goto out;
		} else if (unknown(&p, "", key)) {
			goto out;
		}
	}
	/* Entries are checked now, so a typo is not found at container start. */
	for (size_t i = 0; i < s->nimages; i++) {
		if (!strcmp(s->images[i], "*"))
			continue;
		if (eci_image_match(s->images[i], "busybox") < 0) {
			fail(&p,
			     "imageList.images[%zu]: '%s' is not an image reference (name[:tag], name:*, repo/*, name@sha256:..., sha256:ID or \"*\")",
			     i, s->images[i]);
			goto out;
		}
	}
	ret = 0;
out:
	json_tokener_free(tok);
	json_object_put(root);
	if (ret)
		eci_settings_free(s);
	return ret;
}

int eci_settings_load(const char *file, struct eci_settings *s, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	memset(s, 0, sizeof(*s));
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "failed to read %s: %s", file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > ECI_SETTINGS_MAX_SIZE) {
		snprintf(err, errlen, "%s is not a regular file of at most %d bytes", file,
			 ECI_SETTINGS_MAX_SIZE);
		close(fd);
		return -1;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "failed to read %s: %s", file, strerror(ENOMEM));
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += n;
	close(fd);
	ret = eci_settings_parse(buf, got, s, err, errlen);
	free(buf);
	return ret;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void eci_settings_free(struct eci_settings *s)
{
	free_list(s->images, s->nimages);
	free(s->command_type);
	free_list(s->commands, s->ncommands);
	free_list(s->shared, s->nshared);
	free(s->shared_by_default);
	free_list(s->subtrees, s->nsubtrees);
	free(s->devices);
	free(s->assignable);
	free_list(s->sockets, s->nsockets);
	free_list(s->autoload, s->nautoload);
	free_list(s->warnings, s->nwarnings);
	memset(s, 0, sizeof(*s));
}

int eci_image_allowed(const char *ref)
{
	struct eci_image_ref r;
	struct eci_settings s;
	char err[512];
	int ret;

	if (eci_image_parse(ref, &r))
		return -EINVAL;
	if (access(ECI_SETTINGS_COPY, F_OK))
		return 0;
	if (eci_settings_load(ECI_SETTINGS_COPY, &s, err, sizeof(err))) {
		/* Fail closed: no socket. The file is ours, so this is a bug. */
		eci_warn("%s: %s; no image gets the engine socket", ECI_SETTINGS_COPY, err);
		return 0;
	}
	ret = eci_image_list_match(s.images, s.nimages, ref);
	eci_settings_free(&s);
	return ret;
}

const char *const eci_assignable_defaults[] = { "c 10:200 rwm", "c 10:229 rwm", NULL };

static bool dev_covers(const struct eci_dev_rule *a, const struct eci_dev_rule *r)
{
	return a->key.type == r->key.type &&
	       (a->key.major == ECI_DEV_ANY || a->key.major == r->key.major) &&
	       (a->key.minor == ECI_DEV_ANY || a->key.minor == r->key.minor);
}

int eci_device_assignable_in(const struct eci_settings *s, const struct eci_dev_rule *rule)
{
	struct eci_dev_rule defs[8];
	const struct eci_dev_rule *list = defs;
	uint32_t granted = 0;
	size_t n = 0;

	if (s && s->assignable_given) {
		list = s->assignable;
		n = s->nassignable;
	} else {
		for (const char *const *d = eci_assignable_defaults; *d && n + 2 <= 8; d++) {
			int k = eci_dev_rule_parse(*d, defs + n);

			n += k > 0 ? k : 0;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (dev_covers(&list[i], rule))
			granted |= list[i].access;
	return (rule->access & ~granted) == 0;
}

int eci_device_assignable(const struct eci_dev_rule *rule)
{
	struct eci_settings s = { 0 };
	char err[512];
	int ret;

	if (access(ECI_SETTINGS_COPY, F_OK))
		return eci_device_assignable_in(NULL, rule);
	if (eci_settings_load(ECI_SETTINGS_COPY, &s, err, sizeof(err))) {
		eci_warn("%s: %s; no device is assignable", ECI_SETTINGS_COPY, err);
		return -EINVAL;
	}
	ret = eci_device_assignable_in(&s, rule);
	eci_settings_free(&s);
	return ret;
}
