// SPDX-License-Identifier: GPL-2.0
/*
 * Docker's reference grammar, normalized the way `docker pull` does: a first
 * component with a '.' or ':' or equal to "localhost" is a registry,
 * otherwise the image is on docker.io, and a single-component name there is
 * under library/. No tag and no digest means :latest.
 */
#include "image.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool valid_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-' || c == '/';
}

static bool valid_domain_char(char c)
{
	return valid_name_char(c) || (c >= 'A' && c <= 'Z') || c == ':';
}

static bool valid_tag(const char *t)
{
	size_t n = strlen(t);

	if (!n || n > 128)
		return false;
	for (; *t; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
		      (*t >= '0' && *t <= '9') || *t == '_' || *t == '.' || *t == '-'))
			return false;
	return true;
}

static bool valid_digest(const char *d)
{
	const char *hex = d + 7;

	if (strncmp(d, "sha256:", 7) || strlen(hex) != 64)
		return false;
	for (; *hex; hex++)
		if (!((*hex >= '0' && *hex <= '9') || (*hex >= 'a' && *hex <= 'f')))
			return false;
	return true;
}

int eci_image_parse(const char *ref, struct eci_image_ref *out)
{
	char buf[512], *at, *slash, *colon, *path;
	const char *domain = "docker.io";
	size_t dlen;
	int n;

	memset(out, 0, sizeof(*out));
	if (!*ref || strlen(ref) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, ref);

	at = strchr(buf, '@');
	if (at) {
		*at = '\0';
		if (!valid_digest(at + 1))
			return -EINVAL;
		strcpy(out->digest, at + 1);
	}
	/* The tag's ':' is after the last '/': a registry port comes before. */
	slash = strrchr(buf, '/');
	colon = strrchr(slash ? slash : buf, ':');
	if (colon) {
		*colon = '\0';
		if (!valid_tag(colon + 1))
			return -EINVAL;
		strcpy(out->tag, colon + 1);
	} else if (!at) {
		strcpy(out->tag, "latest");
	}

	path = buf;
	slash = strchr(buf, '/');
	if (slash && (memchr(buf, '.', slash - buf) || memchr(buf, ':', slash - buf) ||
		      (slash - buf == 9 && !strncmp(buf, "localhost", 9)))) {
		*slash = '\0';
		domain = buf;
		path = slash + 1;
		for (const char *p = domain; *p; p++)
			if (!valid_domain_char(*p))
				return -EINVAL;
		if (!strcmp(domain, "index.docker.io") || !strcmp(domain, "registry-1.docker.io"))
			domain = "docker.io";
	}
	if (!*path || path[0] == '/' || path[strlen(path) - 1] == '/' || strstr(path, "//"))
		return -EINVAL;
	for (const char *p = path; *p; p++)
		if (!valid_name_char(*p))
			return -EINVAL;
	dlen = strlen(domain);
	n = snprintf(out->name, sizeof(out->name), "%.*s/%s%s", (int)dlen, domain,
		     !strcmp(domain, "docker.io") && !strchr(path, '/') ? "library/" : "", path);
	if (n < 0 || (size_t)n >= sizeof(out->name))
		return -EINVAL;
	return 0;
}

int eci_image_match(const char *pattern, const char *ref)
{
	struct eci_image_ref p, r;
	char buf[512];
	size_t n = strlen(pattern);

	if (eci_image_parse(ref, &r))
		return -EINVAL;
	if (!strcmp(pattern, "*"))
		return 1;
	/* A "repo/ *" entry (no space): every image below a repository path (docker.io/myorg),
	 * the path normalized as a name would be, then compared as a prefix. */
	if (n > 2 && !strcmp(pattern + n - 2, "/*") && n < sizeof(buf) - 16) {
		const char *slash = strchr(pattern, '/');
		size_t d = slash - pattern;
		bool domain = memchr(pattern, '.', d) || memchr(pattern, ':', d) ||
			      (d == 9 && !strncmp(pattern, "localhost", 9));
		size_t bl;

		snprintf(buf, sizeof(buf), "%s%.*s/", domain ? "" : "docker.io/", (int)(n - 2),
			 pattern);
		bl = strlen(buf);
		if (strchr(buf, '@') || strchr(buf + (domain ? d : 10), ':') || strstr(buf, "//"))
			return -EINVAL;
		return !strncmp(r.name, buf, bl);
	}
	/* name:* - every tag and digest of one repository. */
	if (n > 2 && !strcmp(pattern + n - 2, ":*") && n < sizeof(buf)) {
		memcpy(buf, pattern, n - 2);
		buf[n - 2] = '\0';
		if (strchr(buf, '@') || eci_image_parse(buf, &p))
			return -EINVAL;
		return !strcmp(p.name, r.name);
	}
	if (eci_image_parse(pattern, &p))
		return -EINVAL;
	if (strcmp(p.name, r.name))
		return 0;
	/* A digest names the content: a tag on either side is only a label. */
	if (p.digest[0])
		return !strcmp(p.digest, r.digest) &&
		       (!p.tag[0] || !r.tag[0] || !strcmp(p.tag, r.tag));
	return r.tag[0] && !strcmp(p.tag, r.tag);
}

bool eci_image_list_match(char *const *list, size_t n, const char *ref)
{
	for (size_t i = 0; i < n; i++)
		if (eci_image_match(list[i], ref) == 1)
			return true;
	return false;
}
