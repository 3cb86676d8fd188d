// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/events.c's decoder: a trap record as JSON, including
 * records the fuzzer found broke it (tests/fuzz/corpus/events/).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "events.h"
#include "unit.h"

static const char *get(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "(none)";
}

int main(void)
{
	/* One allocation of exactly a record: ASan sees a read past it. */
	struct eci_event *e = calloc(1, sizeof(*e));
	json_object *o;

	if (!e)
		return 2;
	e->hook = ECI_HOOK_CAPABLE;
	e->class = ECI_CLASS_KERNEL;
	e->err = -1;
	e->arg[0] = 16;
	strcpy(e->comm, "insmod");
	strcpy(e->container, "web");
	o = eci_event_json(e);
	CHECK("events: a capable trap names its capability",
	      !strcmp(get(o, "capability"), "CAP_SYS_MODULE") &&
		      !strcmp(get(o, "comm"), "insmod") && !strcmp(get(o, "container"), "web") &&
		      !strcmp(get(o, "errno"), "1") && !strcmp(get(o, "hook"), "capable"),
	      "got %s", json_object_to_json_string(o));
	json_object_put(o);

	/* Every string field full, without a NUL. */
	memset(e->comm, 'A', sizeof(e->comm));
	memset(e->container, 'x', sizeof(e->container));
	memset(e->detail, 'C', sizeof(e->detail));
	e->err = INT_MIN;
	e->ts_ns = UINT64_MAX;
	o = eci_event_json(e);
	CHECK("events: strings without their NUL stop at the field's end",
	      strlen(get(o, "comm")) == sizeof(e->comm) &&
		      strlen(get(o, "container")) == sizeof(e->container) - 1 &&
		      strlen(get(o, "detail")) == sizeof(e->detail),
	      "got %s", json_object_to_json_string(o));
	CHECK("events: errno INT_MIN does not overflow", !strcmp(get(o, "errno"), "2147483648"),
	      "got %s", get(o, "errno"));
	json_object_put(o);
	free(e);
	return unit_failures ? 1 : 0;
}
