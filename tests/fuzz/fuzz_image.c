// SPDX-License-Identifier: GPL-2.0
/*
 * Image references as annotations and dockerd's records carry them, and
 * imageList entries as admins write them. The input is "pattern\nref"; with
 * no newline it is both. Besides not crashing: a reference that parses
 * matches itself, and its normalized form parses to the same thing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

static void check_ref(const char *ref)
{
	struct eci_image_ref r, again;
	char full[512];

	if (eci_image_parse(ref, &r))
		return;
	if (eci_image_match(ref, ref) != 1)
		abort();
	snprintf(full, sizeof(full), "%s%s%s%s%s", r.name, r.tag[0] ? ":" : "", r.tag,
		 r.digest[0] ? "@" : "", r.digest);
	if (eci_image_parse(full, &again) || strcmp(r.name, again.name) ||
	    strcmp(r.tag, again.tag) || strcmp(r.digest, again.digest))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *nl;
	const char *pattern, *ref;
	int m;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = strchr(buf, '\n');
	if (nl) {
		*nl = '\0';
		pattern = buf;
		ref = nl + 1;
	} else {
		pattern = ref = buf;
	}
	check_ref(pattern);
	check_ref(ref);
	m = eci_image_match(pattern, ref);
	if (m != 0 && m != 1 && m != -22)
		abort();
	eci_image_list_match((char *const[]){ buf }, 1, ref);
	free(buf);
	return 0;
}
