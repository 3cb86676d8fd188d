// SPDX-License-Identifier: GPL-2.0
/*
 * A trap event record as the ring buffer hands it to ecictl events, the
 * daemon and ecitop: whatever the bytes (strings without their NUL, unknown
 * hooks, classes and reasons, extreme numbers), the JSON comes out whole.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eci_event *e;
	json_object *o;

	/* The readers drop shorter records; a longer one is read as its head. */
	if (size < sizeof(*e))
		return 0;
	/* Exactly one record's bytes, so ASan sees a read past it. */
	e = malloc(sizeof(*e));
	if (!e)
		return 0;
	memcpy(e, data, sizeof(*e));
	o = eci_event_json(e);
	if (!o || !json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN))
		abort();
	json_object_put(o);
	free(e);
	return 0;
}
