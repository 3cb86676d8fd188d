/* SPDX-License-Identifier: GPL-2.0 */
/* `ecictl oci-hook`: registration driven by the runtime's OCI hooks. */
#ifndef ECI_OCIHOOK_H
#define ECI_OCIHOOK_H

#include <linux/limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* Where the hook remembers each container's cgroup id for poststop, which
 * runs after the runtime removed the cgroup. */
#define ECI_OCI_STATE_DIR "/run/eci/oci"

/*
 * Read the OCI state JSON on stdin. stage: "createRuntime" (register the
 * container's cgroup, in setup, with its image from the annotations),
 * "poststop" (remove it), or NULL to decide by the state's status
 * ("creating"/"created" or "stopped").
 */
int eci_oci_hook(const char *stage);

/* "/a.slice/a-b.slice/prefix-name.scope" from systemd's "a-b.slice:prefix:name";
 * an absolute cgroupsPath is copied. -EINVAL otherwise. */
int eci_oci_cgroups_path(const char *in, char *out, unsigned long len);

/* A JSON object from len bytes (read as a C string: up to a NUL); NULL if
 * the text is not one. */
json_object *eci_oci_json(const char *buf, size_t len);

/* What the hook takes from the OCI state and the bundle's config.json. */
struct eci_oci_info {
	const char *id; /* usable as a file name */
	const char *status;
	/* "createRuntime" (also for prestart and createContainer), "poststop",
	 * or NULL: the stage given, else the one the status implies */
	const char *stage;
	const char *bundle;
	int pid; /* 0 if none */
	const char *engine; /* the state's io.eci.engine annotation */
	const char *image; /* from the state's annotations, else config.json's */
	/* linux.cgroupsPath as a cgroup path; -ENOENT if config has none */
	int cg_err;
	char cg[PATH_MAX];
};

/*
 * Read state (and config, when not NULL) without acting on them: the strings
 * point into the two objects. -EINVAL if the state has no usable container id.
 */
int eci_oci_info(json_object *state, json_object *config, const char *stage,
		 struct eci_oci_info *out);

/*
 * Does an imageList (list, n entries; derived: allowDerivedImages) give
 * Podman's image id (64 digits) the engine socket? images and layers are
 * containers/storage's images.json and layers.json arrays (layers may be
 * NULL without derived). 1 or 0; -ENOENT if images has no image id.
 */
int eci_podman_image_match(json_object *images, json_object *layers, char *const *list, size_t n,
			   bool derived, const char *id);

#endif /* ECI_OCIHOOK_H */
