/* SPDX-License-Identifier: GPL-2.0 */
/* Container image references and Docker's dockerSocketMount.imageList forms. */
#ifndef ECI_IMAGE_H
#define ECI_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A reference in its full form: "busybox" is docker.io/library/busybox:latest,
 * "ghcr.io/a/b@sha256:..." keeps its digest and has no tag.
 */
struct eci_image_ref {
	char name[256]; /* domain/path, e.g. docker.io/library/busybox */
	char tag[129]; /* "" when only a digest was given */
	char digest[80]; /* "sha256:<hex>" or "" */
};

/* Parse and normalize; -EINVAL for something that is not a reference. */
int eci_image_parse(const char *ref, struct eci_image_ref *out);

/*
 * Does image reference ref match one imageList entry? Entries: "*" (any),
 * "repo/ *" without the space (every image below repo), "name:*" (any tag or
 * digest of name), "name@sha256:..." (that digest),
 * "name[:tag]" (that tag, default latest). Names compare normalized, so
 * "busybox" matches "docker.io/library/busybox:latest". -EINVAL for a bad
 * entry or reference, else 1 or 0.
 */
int eci_image_match(const char *pattern, const char *ref);

/* True if an entry of the list matches ref (bad entries match nothing). */
bool eci_image_list_match(char *const *list, size_t n, const char *ref);

#endif /* ECI_IMAGE_H */
