/* SPDX-License-Identifier: GPL-2.0 */
/* Device rules in the OCI/cgroup form "TYPE MAJOR:MINOR ACCESS". */
#ifndef ECI_DEVICE_H
#define ECI_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "eci.h"

struct eci_dev_rule {
	struct eci_dev_key key;
	uint32_t access; /* enum eci_dev_access bits */
};

/* The devices every protected container may use (the OCI defaults). */
extern const struct eci_dev_rule eci_dev_defaults[];
extern const size_t eci_dev_defaults_len;

/*
 * Parse "c 1:3 rwm", "b 8:* r", "c *:* m" or "a" (every device, rwm) into at
 * most two rules ("a" is one char and one block rule), root_id left 0.
 * Returns the number of rules, or -EINVAL.
 */
int eci_dev_rule_parse(const char *s, struct eci_dev_rule out[2]);

/* "c 1:3 rwm" back from a rule. */
void eci_dev_rule_format(const struct eci_dev_rule *r, char *buf, size_t len);

#endif /* ECI_DEVICE_H */
