// SPDX-License-Identifier: GPL-2.0
/*
 * admin-settings.json as an admin (or anyone who can write the file) gives
 * it: eci_settings_parse must answer with a settings struct or one sentence,
 * never crash, leak or read past the text.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "settings.h"

#define FUZZ_DIGEST "sha256:3f1c1b7f0c5e2d6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eci_settings s;
	char err[256];
	/* A copy of exactly size bytes, so ASan sees a read past the end. */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	if (eci_settings_parse(text, size, &s, err, sizeof(err))) {
		/* A refusal says why, and leaves nothing behind. */
		if (!err[0] || s.nimages || s.nwarnings || s.nsockets || s.images || s.warnings)
			abort();
	} else {
		/* Parsed paths are normalized: absolute, with one trailing '/'. */
		for (size_t i = 0; i < s.nshared; i++)
			if (s.shared[i][0] != '/' || s.shared[i][strlen(s.shared[i]) - 1] != '/')
				abort();
		for (size_t i = 0; i < s.nsockets; i++)
			if (s.sockets[i][0] != '/' || s.sockets[i][strlen(s.sockets[i]) - 1] != '/')
				abort();
		/* Subtrees are cgroup paths without the trailing '/'. */
		for (size_t i = 0; i < s.nsubtrees; i++)
			if (s.subtrees[i][0] != '/' ||
			    s.subtrees[i][strlen(s.subtrees[i]) - 1] == '/')
				abort();
		/* What `settings apply` and container start do with the rest. */
		for (size_t i = 0; i < s.ndevices; i++) {
			char rule[64];

			eci_dev_rule_format(&s.devices[i], rule, sizeof(rule));
		}
		eci_image_list_match(s.images, s.nimages, "busybox");
		eci_image_list_match(s.images, s.nimages, "ghcr.io/a/b:1@" FUZZ_DIGEST);
		eci_settings_free(&s);
	}
	free(text);
	return 0;
}
