/* SPDX-License-Identifier: GPL-2.0 */
/* Reading trap events as JSON lines. */
#ifndef ECI_EVENTS_H
#define ECI_EVENTS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "eci.h"

/* Print the waiting trap events; with follow, keep printing until SIGINT or
 * SIGTERM. count > 0 stops after that many. */
/* `ecictl events`: from the daemon's stream (stream.h): the unread events,
 * all it holds, or (follow) the unread ones then new ones as they come. */
int eci_events(bool follow, bool all, unsigned long count);
/* Print a JSON document on one line of stdout ('/' unescaped) and drop it. */
void eci_json_print(struct json_object *o);
/* The flags every JSON output of eci uses. */
#define ECI_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* One trap event as ecictl events prints it (wall-clock time_ns). */
json_object *eci_event_json(const struct eci_event *e);

#endif /* ECI_EVENTS_H */
