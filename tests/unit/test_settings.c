// SPDX-License-Identifier: GPL-2.0
/* admin-settings.json parsing and image reference matching. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "image.h"
#include "settings.h"
#include "unit.h"

static int parse(const char *text, struct eci_settings *s, char *err)
{
	return eci_settings_parse(text, strlen(text), s, err, 256);
}

static bool has_warning(const struct eci_settings *s, const char *what)
{
	for (size_t i = 0; i < s->nwarnings; i++)
		if (strstr(s->warnings[i], what))
			return true;
	return false;
}

/* Docker's documented example (settings management, ECI configuration). */
static const char docker_example[] =
	"{\n"
	"  \"configurationFileVersion\": 2,\n"
	"  \"enhancedContainerIsolation\": {\n"
	"    \"locked\": true,\n"
	"    \"value\": true,\n"
	"    \"dockerSocketMount\": {\n"
	"      \"imageList\": { \"images\": [\"docker.io/testcontainers/ryuk:*\", \"docker:cli\"],\n"
	"                     \"allowDerivedImages\": true },\n"
	"      \"commandList\": { \"type\": \"deny\", \"commands\": [\"push\", \"build\", \"image*\"] }\n"
	"    }\n"
	"  },\n"
	"  \"filesharingAllowedDirectories\": [\n"
	"    { \"path\": \"$HOME\", \"sharedByDefault\": true },\n"
	"    { \"path\": \"$TMP\", \"sharedByDefault\": false }\n"
	"  ]\n"
	"}\n";

static void test_docker_example(void)
{
	struct eci_settings s;
	char err[256];
	int r;

	/* A service's environment: no HOME, no TMP. Nothing may depend on it. */
	unsetenv("HOME");
	unsetenv("TMP");
	unsetenv("TEMP");
	unsetenv("TMPDIR");
	r = parse(docker_example, &s, err);
	CHECK("settings: Docker's example parses", r == 0, "error: %s", err);
	if (r)
		return;
	CHECK("settings: value and locked", s.enabled && s.locked, "enabled %d locked %d",
	      s.enabled, s.locked);
	CHECK("settings: imageList images",
	      s.nimages == 2 && !strcmp(s.images[0], "docker.io/testcontainers/ryuk:*") &&
		      !strcmp(s.images[1], "docker:cli"),
	      "%zu images", s.nimages);
	CHECK("settings: allowDerivedImages", s.allow_derived, "false");
	CHECK("settings: commandList",
	      s.command_type && !strcmp(s.command_type, "deny") && s.ncommands == 3 &&
		      !strcmp(s.commands[2], "image*"),
	      "type %s, %zu commands", s.command_type ? s.command_type : "(none)", s.ncommands);
	CHECK("settings: $HOME is /home and $TMP is /tmp on a VM with no environment",
	      s.nshared == 2 && !strcmp(s.shared[0], "/home/") && !strcmp(s.shared[1], "/tmp/") &&
		      s.shared_by_default[0] && !s.shared_by_default[1],
	      "%zu dirs: %s %s", s.nshared, s.nshared > 0 ? s.shared[0] : "",
	      s.nshared > 1 ? s.shared[1] : "");
	CHECK("settings: engine sockets default to /var/run and /run docker.sock and Podman's",
	      s.nsockets == 3 && !strcmp(s.sockets[0], "/var/run/docker.sock/") &&
		      !strcmp(s.sockets[1], "/run/docker.sock/") &&
		      !strcmp(s.sockets[2], "/run/podman/podman.sock/"),
	      "%zu sockets", s.nsockets);
	CHECK("settings: Docker's example has no warnings", s.nwarnings == 0, "%s",
	      s.nwarnings ? s.warnings[0] : "");
	CHECK("settings: no audit, no subtrees by default", !s.audit && !s.nsubtrees, "audit %d",
	      s.audit);
	eci_settings_free(&s);
}

static void test_own_section(void)
{
	const char *text =
		"{\"eci\": {\"protectedSubtrees\": [\"/docker\", \"/system.slice/docker-*.scope\", \"/kubepods/\"],\n"
		" \"defaultDevices\": [\"c 10:200 rw\", \"a\"], \"auditMode\": true,\n"
		" \"engineSockets\": [\"/run/containerd/../docker.sock\", \"${TEMP}/x.sock\"]},\n"
		" \"filesharingAllowedDirectories\": {\"value\": [{\"path\": \"/Users//bob/./src/\"}]}}";
	struct eci_settings s;
	char err[256];
	int r;

	r = parse(text, &s, err);
	CHECK("settings: eci section parses", r == 0, "error: %s", err);
	if (r)
		return;
	CHECK("settings: subtrees kept, globs kept, trailing '/' dropped",
	      s.nsubtrees == 3 && !strcmp(s.subtrees[0], "/docker") &&
		      !strcmp(s.subtrees[1], "/system.slice/docker-*.scope") &&
		      !strcmp(s.subtrees[2], "/kubepods"),
	      "%zu subtrees", s.nsubtrees);
	CHECK("settings: default devices ('a' is two rules)", s.ndevices == 3, "%zu rules",
	      s.ndevices);
	CHECK("settings: auditMode", s.audit, "false");
	CHECK("settings: no assignableDevices given", !s.assignable_given && !s.nassignable, "%zu",
	      s.nassignable);
	CHECK("settings: engineSockets replace the defaults, normalized",
	      s.nsockets == 2 && !strcmp(s.sockets[0], "/run/docker.sock/") &&
		      !strcmp(s.sockets[1], "/tmp/x.sock/"),
	      "%zu: %s", s.nsockets, s.nsockets ? s.sockets[0] : "");
	CHECK("settings: shared dir normalized, value-wrapped array accepted",
	      s.nshared == 1 && !strcmp(s.shared[0], "/Users/bob/src/"), "%s",
	      s.nshared ? s.shared[0] : "(none)");
	eci_settings_free(&s);
}

static void test_assignable(void)
{
	struct eci_settings s;
	char err[256];
	int r = parse("{\"eci\": {\"assignableDevices\": [\"c 10:200 rwm\", \"a\"]}}", &s, err);

	CHECK("settings: assignableDevices parses ('a' is two rules)",
	      r == 0 && s.assignable_given && s.nassignable == 3, "error: %s", r ? err : "count");
	if (!r)
		eci_settings_free(&s);
	r = parse("{\"eci\": {\"assignableDevices\": []}}", &s, err);
	CHECK("settings: assignableDevices [] assigns nothing",
	      r == 0 && s.assignable_given && !s.nassignable, "error: %s", r ? err : "count");
	if (!r)
		eci_settings_free(&s);
}

static void test_autoload(void)
{
	struct eci_settings s;
	struct eci_autoload_key k;
	char err[256];
	int r = parse("{\"eci\": {\"autoloadModules\": [\"fs-overlay\", \"nft-expr-*\"]}}", &s,
		      err);

	CHECK("settings: autoloadModules parses", r == 0, "error: %s", err);
	if (r)
		return;
	CHECK("settings: autoloadModules replace the defaults",
	      s.nautoload == 2 && !strcmp(s.autoload[1], "nft-expr-*"), "%zu", s.nautoload);
	eci_settings_free(&s);
	r = parse("{}", &s, err);
	CHECK("settings: autoloadModules default to overlay, veth, bridge, netfilter",
	      !r && s.nautoload == eci_autoload_defaults_len &&
		      !strcmp(s.autoload[0], "fs-overlay"),
	      "%zu", s.nautoload);
	eci_settings_free(&s);
	CHECK("settings: an exact alias covers its NUL",
	      !eci_autoload_key_set(&k, "veth") && k.prefixlen == 40 && !strcmp(k.name, "veth"),
	      "prefixlen %u", k.prefixlen);
	CHECK("settings: a trailing '*' is a prefix",
	      !eci_autoload_key_set(&k, "xt_*") && k.prefixlen == 24 && !strcmp(k.name, "xt_"),
	      "prefixlen %u", k.prefixlen);
	CHECK("settings: '*' alone, a '*' inside, a '/' are refused",
	      eci_autoload_key_set(&k, "*") && eci_autoload_key_set(&k, "a*b") &&
		      eci_autoload_key_set(&k, "../x"),
	      "accepted");
}

static void expect_error(const char *name, const char *text, const char *what)
{
	struct eci_settings s;
	char err[256];
	int r = parse(text, &s, err);

	CHECK(name, r == -1 && strstr(err, what), "ret %d, error '%s' (want '%s')", r, err, what);
	if (!r)
		eci_settings_free(&s);
}

static void test_errors(void)
{
	expect_error("settings: a missing comma names line and column",
		     "{\n  \"eci\": {\n    \"auditMode\": true\n    \"x\": 1}}",
		     "line 4, column 5");
	expect_error("settings: a trailing comma is an error (strict JSON)",
		     "{\"eci\": {\"auditMode\": true,}}", "line 1, column 28");
	expect_error("settings: a truncated file says where it ends", "{\n\"eci\": {",
		     "line 2, column 9: the file ends");
	expect_error("settings: an empty file is an error", "", "the file ends");
	expect_error("settings: text after the object", "{}\n{}", "line 2, column 1");
	expect_error("settings: not an object", "[1]", "must be an object");
	expect_error("settings: value must be a boolean",
		     "{\"enhancedContainerIsolation\": {\"value\": \"yes\"}}",
		     "enhancedContainerIsolation.value must be true or false, not a string");
	expect_error(
		"settings: a bad image reference is named",
		"{\"enhancedContainerIsolation\": {\"dockerSocketMount\": {\"imageList\": {\"images\": [\"Bad Image\"]}}}}",
		"images[0]: 'Bad Image' is not an image reference");
	expect_error(
		"settings: commandList.type is allow or deny",
		"{\"enhancedContainerIsolation\": {\"dockerSocketMount\": {\"commandList\": {\"type\": \"maybe\"}}}}",
		"must be \"allow\" or \"deny\"");
	expect_error("settings: a relative shared directory",
		     "{\"filesharingAllowedDirectories\": [{\"path\": \"src\"}]}",
		     "'src' is not an absolute path");
	expect_error("settings: an unknown variable",
		     "{\"filesharingAllowedDirectories\": [{\"path\": \"$USERPROFILE/x\"}]}",
		     "unknown variable");
	expect_error("settings: a relative variable",
		     "{\"eci\": {\"variables\": {\"HOME\": \"home\"}}}",
		     "eci.variables.HOME: 'home' is not an absolute path without variables");
	expect_error("settings: a variable defined by a variable",
		     "{\"eci\": {\"variables\": {\"TMP\": \"$HOME/tmp\"}}}",
		     "eci.variables.TMP: '$HOME/tmp' is not an absolute path");
	expect_error("settings: variables must be an object",
		     "{\"eci\": {\"variables\": [\"/home\"]}}",
		     "eci.variables must be an object, not an array");
	expect_error("settings: a variable's value must be a string",
		     "{\"eci\": {\"variables\": {\"TEMP\": 1}}}",
		     "eci.variables.TEMP must be a string, not a number");
	expect_error("settings: a bad device rule",
		     "{\"eci\": {\"defaultDevices\": [\"c 1:3 rwx\"]}}",
		     "eci.defaultDevices[0]: bad device rule");
	expect_error("settings: a bad assignable device",
		     "{\"eci\": {\"assignableDevices\": [\"b 254\"]}}",
		     "eci.assignableDevices[0]: bad device rule");
	expect_error("settings: the root cgroup is not a subtree",
		     "{\"eci\": {\"protectedSubtrees\": [\"/\"]}}", "root cgroup");
	expect_error("settings: a relative subtree",
		     "{\"eci\": {\"protectedSubtrees\": [\"docker\"]}}", "not a cgroup path");
	expect_error("settings: '..' in a subtree",
		     "{\"eci\": {\"protectedSubtrees\": [\"/a/../b\"]}}", "'..'");
	{
		struct eci_settings s;
		char err[256];
		int r = eci_settings_parse("{\n\0}", 4, &s, err, sizeof(err));

		CHECK("settings: a NUL byte is an error with its position",
		      r == -1 && strstr(err, "line 2, column 1"), "ret %d: %s", r, err);
	}
}

static void test_unknown_keys(void)
{
	const char *text = "{\"exposeDockerAPIOnTCP2375\": {\"locked\": true, \"value\": false},\n"
			   " \"enhancedContainerIsolation\": {\"value\": true, \"colour\": 1},\n"
			   " \"eci\": {\"auditmode\": true}}";
	struct eci_settings s;
	char err[256];
	int r = parse(text, &s, err);

	CHECK("settings: unknown keys are not errors", r == 0, "error: %s", err);
	if (r)
		return;
	CHECK("settings: three warnings, each naming its key",
	      s.nwarnings == 3 && has_warning(&s, "exposeDockerAPIOnTCP2375") &&
		      has_warning(&s, "enhancedContainerIsolation.colour") &&
		      has_warning(&s, "eci.auditmode"),
	      "%zu warnings", s.nwarnings);
	CHECK("settings: a misspelt key changes nothing", !s.audit, "audit on");
	eci_settings_free(&s);
}

/*
 * eci.variables sets what $HOME, $TMP and $TEMP mean, wherever the section is
 * in the file, and the environment never does.
 */
static void test_variables(void)
{
	const char *text =
		"{\"filesharingAllowedDirectories\": [{\"path\": \"$HOME\"}, {\"path\": \"${TMP}/a\"},\n"
		"  {\"path\": \"$TEMP\"}],\n"
		" \"eci\": {\"engineSockets\": [\"$TMP/docker.sock\"],\n"
		"  \"variables\": {\"HOME\": \"/srv/users/\", \"TMP\": \"/var/tmp\", \"TEMP\": \"/scratch\",\n"
		"   \"USER\": \"/u\"}}}";
	struct eci_settings s;
	char err[256];
	int r;

	setenv("HOME", "/root", 1);
	setenv("TMP", "/env-tmp", 1);
	setenv("TEMP", "/env-temp", 1);
	setenv("TMPDIR", "/env-tmpdir", 1);
	r = parse(text, &s, err);
	CHECK("settings: eci.variables parses", r == 0, "error: %s", err);
	if (!r) {
		CHECK("settings: eci.variables sets $HOME, $TMP, $TEMP, even for paths before it",
		      s.nshared == 3 && !strcmp(s.shared[0], "/srv/users/") &&
			      !strcmp(s.shared[1], "/var/tmp/a/") &&
			      !strcmp(s.shared[2], "/scratch/"),
		      "%zu dirs: %s %s %s", s.nshared, s.nshared > 0 ? s.shared[0] : "",
		      s.nshared > 1 ? s.shared[1] : "", s.nshared > 2 ? s.shared[2] : "");
		CHECK("settings: eci.variables applies to engineSockets too",
		      s.nsockets == 1 && !strcmp(s.sockets[0], "/var/tmp/docker.sock/"), "%s",
		      s.nsockets ? s.sockets[0] : "(none)");
		CHECK("settings: an unknown variable name is a warning",
		      s.nwarnings == 1 && has_warning(&s, "eci.variables.USER"), "%zu warnings",
		      s.nwarnings);
		eci_settings_free(&s);
	}
	r = parse(docker_example, &s, err);
	CHECK("settings: HOME, TMP, TEMP, TMPDIR in the environment change nothing",
	      !r && s.nshared == 2 && !strcmp(s.shared[0], "/home/") &&
		      !strcmp(s.shared[1], "/tmp/"),
	      "ret %d (%s), %s %s", r, err, !r && s.nshared > 0 ? s.shared[0] : "",
	      !r && s.nshared > 1 ? s.shared[1] : "");
	if (!r)
		eci_settings_free(&s);
	unsetenv("HOME");
	unsetenv("TMP");
	unsetenv("TEMP");
	unsetenv("TMPDIR");
}

static void match(const char *pattern, const char *ref, int want)
{
	char name[256];
	int got = eci_image_match(pattern, ref);

	snprintf(name, sizeof(name), "image: '%s' %s '%s'", pattern,
		 want == 1 ? "matches" :
		 want == 0 ? "does not match" :
			     "is refused with",
		 ref);
	CHECK(name, got == want || (want < 0 && got < 0), "got %d", got);
}

static void test_images(void)
{
	static const char d1[] =
		"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	static const char d2[] =
		"sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
	char p[256], r[256];
	struct eci_image_ref ref;

	match("busybox", "docker.io/library/busybox:latest", 1);
	match("docker.io/library/busybox:latest", "busybox", 1);
	match("busybox", "busybox:1.36", 0);
	match("busybox:1.36", "library/busybox:1.36", 1);
	match("index.docker.io/library/busybox", "busybox", 1);
	match("docker:cli", "docker:cli", 1);
	match("docker:cli", "docker:dind", 0);
	match("docker.io/testcontainers/ryuk:*", "testcontainers/ryuk:0.5.1", 1);
	match("docker.io/testcontainers/ryuk:*", "testcontainers/ryuk", 1);
	match("testcontainers/ryuk:*", "ghcr.io/testcontainers/ryuk:1", 0);
	match("ryuk:*", "testcontainers/ryuk:1", 0);
	match("*", "quay.io/anything/at:all", 1);
	match("myorg/*", "myorg/app:1", 1);
	match("myorg/*",
	      "docker.io/myorg/deep/app@sha256:"
	      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	      1);
	match("myorg/*", "myorgx/app", 0);
	match("myorg/*", "ghcr.io/myorg/app", 0);
	match("ghcr.io/myorg/*", "ghcr.io/myorg/app:2", 1);
	match("ghcr.io/myorg/*", "ghcr.io/other/app", 0);
	match("localhost:5000/app", "localhost:5000/app:latest", 1);
	match("localhost:5000/app", "localhost/app", 0);
	match("ghcr.io/org/tool:v1", "ghcr.io/org/tool:v1", 1);
	match("ghcr.io/org/tool:v1", "docker.io/org/tool:v1", 0);
	snprintf(p, sizeof(p), "alpine@%s", d1);
	snprintf(r, sizeof(r), "docker.io/library/alpine@%s", d1);
	match(p, r, 1);
	snprintf(r, sizeof(r), "alpine:3.19@%s", d1);
	match(p, r, 1);
	snprintf(r, sizeof(r), "alpine@%s", d2);
	match(p, r, 0);
	match(p, "alpine", 0);
	snprintf(r, sizeof(r), "alpine@%s", d1);
	match("alpine:*", r, 1);
	match("alpine", r, 0);
	match("Bad Image", "busybox", -1);
	match("busybox", "UPPER/case", -1);
	match("alpine@sha256:12", "alpine", -1);
	match("busybox:", "busybox", -1);

	CHECK("image: parse fills name, tag and digest",
	      !eci_image_parse("quay.io:443/a/b:t", &ref) && !strcmp(ref.name, "quay.io:443/a/b") &&
		      !strcmp(ref.tag, "t") && !ref.digest[0],
	      "%s %s", ref.name, ref.tag);
	{
		char *list[] = { "docker:cli", "busybox:*" };

		CHECK("image: list match",
		      eci_image_list_match(list, 2, "busybox:musl") &&
			      !eci_image_list_match(list, 2, "alpine"),
		      "wrong");
	}
}

static void test_paths(void)
{
	char out[32];

	CHECK("path: normalize",
	      !eci_path_normalize("//a/./b/../c//", out, sizeof(out)) && !strcmp(out, "/a/c/"),
	      "%s", out);
	CHECK("path: '..' above / stays at /",
	      !eci_path_normalize("/../..", out, sizeof(out)) && !strcmp(out, "/"), "%s", out);
	CHECK("path: relative refused", eci_path_normalize("a/b", out, sizeof(out)) == -EINVAL,
	      "accepted");
	CHECK("path: too long refused",
	      eci_path_normalize("/0123456789/0123456789/0123456789", out, sizeof(out)) ==
		      -ENAMETOOLONG,
	      "accepted");
}

int main(void)
{
	test_docker_example();
	test_own_section();
	test_autoload();
	test_assignable();
	test_errors();
	test_unknown_keys();
	test_variables();
	test_images();
	test_paths();
	return unit_failures ? 1 : 0;
}
