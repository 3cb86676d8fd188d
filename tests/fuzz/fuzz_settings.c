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

#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eci_settings s;
	char err[256];
	/* A copy of exactly size bytes, so ASan sees a read past the end. */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	/* Paths may use $HOME: keep it fixed, whatever the fuzzer's shell had. */
	setenv("HOME", "/home/fuzz", 1);
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
		eci_settings_free(&s);
	}
	free(text);
	return 0;
}
