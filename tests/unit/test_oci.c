// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/ocihook.c's parsing: systemd's cgroupsPath form, and
 * what the hook takes from a runtime's state and config.json (the same text
 * as tests/fuzz/corpus/oci/).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ocihook.h"
#include "unit.h"

static void path(const char *in, int want, const char *want_out)
{
	char out[256], name[256];
	int got = eci_oci_cgroups_path(in, out, sizeof(out));

	snprintf(name, sizeof(name), "oci: cgroupsPath '%s' is %s", in,
		 want ? "refused" : want_out);
	CHECK(name, got == want && (want || !strcmp(out, want_out)), "got %d '%s'", got,
	      got ? "" : out);
}

static void info(const char *what, const char *state, const char *config, const char *stage,
		 int want, const char *want_stage, const char *want_image, const char *want_cg)
{
	json_object *s = eci_oci_json(state, strlen(state));
	json_object *c = config ? eci_oci_json(config, strlen(config)) : NULL;
	struct eci_oci_info in;
	char name[160];
	int got = s ? eci_oci_info(s, c, stage, &in) : -1;

	snprintf(name, sizeof(name), "oci: %s", what);
	if (want || got) {
		CHECK(name, got == want, "got %d", got);
	} else {
		CHECK(name,
		      ((!in.stage && !want_stage) ||
		       (in.stage && want_stage && !strcmp(in.stage, want_stage))) &&
			      ((!in.image && !want_image) ||
			       (in.image && want_image && !strcmp(in.image, want_image))) &&
			      (want_cg ? !in.cg_err && !strcmp(in.cg, want_cg) : in.cg_err != 0),
		      "got stage %s, image %s, cgroup %s (%d)", in.stage ? in.stage : "NULL",
		      in.image ? in.image : "NULL", in.cg, in.cg_err);
	}
	json_object_put(s);
	json_object_put(c);
}

int main(void)
{
	path("/docker/abc", 0, "/docker/abc");
	path("system.slice:docker:abc", 0, "/system.slice/docker-abc.scope");
	path("kubepods-besteffort-pod1.slice:cri-containerd:abc", 0,
	     "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-abc.scope");
	/* runc: an empty slice is system.slice. */
	path(":podman:abc", 0, "/system.slice/podman-abc.scope");
	path("-.slice:p:n", 0, "/p-n.scope");
	path("machine.slice::n", 0, "/machine.slice/n.scope");
	path("docker/abc", -EINVAL, NULL);
	path("system.slice:docker:", -EINVAL, NULL);
	path("a:b:c:d", -EINVAL, NULL);
	path("nothing.scope:p:n", -EINVAL, NULL);

	info("a created state is createRuntime, the image from config.json",
	     "{\"id\": \"abc\", \"status\": \"created\", \"pid\": 42}",
	     "{\"annotations\": {\"io.containerd.image.name\": \"docker.io/library/nginx:1.25\"},"
	     " \"linux\": {\"cgroupsPath\": \"/k/abc\"}}",
	     NULL, 0, "createRuntime", "docker.io/library/nginx:1.25", "/k/abc");
	info("the state's annotations come before config.json's",
	     "{\"id\": \"abc\", \"status\": \"creating\", \"annotations\": {\"io.eci.image\": \"a\"}}",
	     "{\"annotations\": {\"io.eci.image\": \"b\"}}", NULL, 0, "createRuntime", "a", NULL);
	info("prestart is createRuntime", "{\"id\": \"abc\", \"status\": \"running\"}", NULL,
	     "prestart", 0, "createRuntime", NULL, NULL);
	info("stopped is poststop", "{\"id\": \"abc\", \"status\": \"stopped\"}", NULL, NULL, 0,
	     "poststop", NULL, NULL);
	info("running without a stage is nothing", "{\"id\": \"abc\", \"status\": \"running\"}",
	     NULL, NULL, 0, NULL, NULL, NULL);
	info("an unknown stage is nothing", "{\"id\": \"abc\", \"status\": \"created\"}", NULL,
	     "bogus", 0, NULL, NULL, NULL);
	info("an id with a '/' is refused", "{\"id\": \"a/b\", \"status\": \"created\"}", NULL,
	     NULL, -EINVAL, NULL, NULL, NULL);
	info("an id starting with '.' is refused", "{\"id\": \"..\", \"status\": \"created\"}",
	     NULL, NULL, -EINVAL, NULL, NULL, NULL);
	info("an id that is not a string is refused", "{\"id\": 7, \"status\": \"created\"}", NULL,
	     NULL, -EINVAL, NULL, NULL, NULL);
	info("an array is not a state", "[{\"id\": \"abc\"}]", NULL, NULL, -1, NULL, NULL, NULL);
	return unit_failures ? 1 : 0;
}
