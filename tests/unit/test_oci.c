// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/ocihook.c's parsing: systemd's cgroupsPath form, and
 * what the hook takes from a runtime's state and config.json (the same text
 * as tests/fuzz/corpus/oci/).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
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

/*
 * A containers/storage image store: A pulled (digest 1...), B another image
 * tagged into A's repository, C committed from A (its base layer has A's
 * diff digest under another layer id; only the older "digest" field).
 */
#define H8(c) c c c c c c c c
#define H64(c) H8(c) H8(c) H8(c) H8(c) H8(c) H8(c) H8(c) H8(c)
#define PA H64("a")
#define PB H64("b")
#define PC H64("c")
static const char images_json[] =
	"[{\"id\": \"" PA "\", \"names\": [\"localhost/allowed:latest\"],"
	" \"digests\": [\"sha256:" H64(
		"1") "\"], \"layer\": \"la\"},"
		     " {\"id\": \"" PB
		     "\", \"names\": [\"localhost/allowed:retag\", \"localhost/other\"],"
		     " \"digests\": [\"sha256:" H64(
			     "2") "\"], \"layer\": \"lb\"},"
				  " {\"id\": \"" PC "\", \"names\": [\"localhost/derived:latest\"],"
				  " \"digest\": \"sha256:" H64("3") "\", \"layer\": \"lc\"}]";
static const char layers_json[] =
	"[{\"id\": \"la\", \"diff-digest\": \"sha256:d1\"},"
	" {\"id\": \"lb\", \"diff-digest\": \"sha256:d2\"},"
	" {\"id\": \"lc\", \"parent\": \"la2\", \"diff-digest\": \"sha256:d3\"},"
	" {\"id\": \"la2\", \"diff-digest\": \"sha256:d1\"}]";

static void podman(const char *what, const char *entry, bool derived, const char *id, int want)
{
	json_object *im = json_tokener_parse(images_json), *ly = json_tokener_parse(layers_json);
	char *list[] = { (char *)entry };
	char name[200];
	int got = eci_podman_image_match(im, ly, list, 1, derived, id);

	snprintf(name, sizeof(name), "oci: podman image: %s", what);
	CHECK(name, got == want, "got %d, want %d", got, want);
	json_object_put(im);
	json_object_put(ly);
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
	podman("sha256:ID names the image", "sha256:" PA, false, PA, 1);
	podman("sha256:ID names no other image", "sha256:" PA, false, PB, 0);
	podman("name@digest names the image with that manifest digest",
	       "localhost/allowed@sha256:" H64("1"), false, PA, 1);
	podman("name@digest: a tag into the repository is not the digest",
	       "localhost/allowed@sha256:" H64("1"), false, PB, 0);
	podman("name@digest: the digest under a name the image does not have",
	       "localhost/other@sha256:" H64("1"), false, PA, 0);
	podman("name@digest: the older single digest field", "localhost/derived@sha256:" H64("3"),
	       false, PC, 1);
	podman("name:tag names no Podman image, not even the one tagged so",
	       "localhost/allowed:latest", false, PA, 0);
	podman("name:* names no Podman image", "localhost/allowed:*", false, PB, 0);
	podman("repo/* names no Podman image", "localhost/*", false, PB, 0);
	podman("* is any image", "*", false, PB, 1);
	podman("derived: built on an allowed image's layers", "sha256:" PA, true, PC, 1);
	podman("derived only with allowDerivedImages", "sha256:" PA, false, PC, 0);
	podman("derived: other layers are not", "sha256:" PA, true, PB, 0);
	podman("derived: the base is not built on what was built on it", "sha256:" PC, true, PA, 0);
	podman("an image not in the store", "*", false, H64("d"), -ENOENT);
	return unit_failures ? 1 : 0;
}
