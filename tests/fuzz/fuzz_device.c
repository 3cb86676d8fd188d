// SPDX-License-Identifier: GPL-2.0
/*
 * Device rules from --device, eci.defaultDevices and hostconfig.json's
 * CgroupPermissions. Besides not crashing: a rule that parses formats back
 * to text that parses to the same rule.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eci_dev_rule r[2], again[2];
	char *s = malloc(size + 1), text[64];
	int n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	n = eci_dev_rule_parse(s, r);
	if (n != -22 && n != 1 && n != 2)
		abort();
	for (int i = 0; i < n; i++) {
		if (r[i].key.root_id || !r[i].access)
			abort();
		eci_dev_rule_format(&r[i], text, sizeof(text));
		if (eci_dev_rule_parse(text, again) != 1 ||
		    memcmp(&again[0].key, &r[i].key, sizeof(r[i].key)) ||
		    again[0].access != r[i].access)
			abort();
	}
	free(s);
	return 0;
}
