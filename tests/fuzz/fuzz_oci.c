// SPDX-License-Identifier: GPL-2.0
/*
 * What a runtime hands `ecictl oci-hook`: the OCI state on stdin and the
 * bundle's config.json, both written by whoever controls the container's
 * configuration. The input is the state, a NUL, then config.json; the stage
 * argument comes from the state's length. Only the parsing runs: nothing is
 * registered.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocihook.h"

static const char *const stages[] = { NULL, "createRuntime", "poststop", "prestart", "bogus" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul = memchr(data, '\0', size);
	size_t slen = nul ? (size_t)(nul - text) : size;
	json_object *state, *config = NULL;
	struct eci_oci_info in;
	char cg[256];

	state = eci_oci_json(text, slen);
	if (nul)
		config = eci_oci_json(nul + 1, size - slen - 1);
	if (state && !eci_oci_info(state, config, stages[slen % 5], &in)) {
		/* The id names a file under /run/eci/oci. */
		if (!in.id[0] || strchr(in.id, '/') || in.id[0] == '.')
			abort();
		if (in.stage && strcmp(in.stage, "createRuntime") && strcmp(in.stage, "poststop"))
			abort();
		if (!in.cg_err && in.cg[0] != '/')
			abort();
		if (in.cg_err && in.cg_err != -EINVAL && in.cg_err != -ENOENT)
			abort();
	}
	/* A short buffer: every answer fits or is refused. */
	if (slen < 200) {
		char path[200];

		memcpy(path, text, slen);
		path[slen] = '\0';
		if (!eci_oci_cgroups_path(path, cg, sizeof(cg)) && cg[0] != '/')
			abort();
	}
	json_object_put(state);
	json_object_put(config);
	return 0;
}
