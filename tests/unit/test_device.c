// SPDX-License-Identifier: GPL-2.0
/* Unit tests of user/device.c: device rules as runtimes and admins write them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "device.h"
#include "unit.h"

static void good(const char *in, int n, unsigned type, unsigned maj, unsigned min, unsigned acc)
{
	struct eci_dev_rule r[2];
	char name[128], back[64];
	int got = eci_dev_rule_parse(in, r);

	snprintf(name, sizeof(name), "device rule '%s' parses", in);
	CHECK(name,
	      got == n && r[0].key.type == type && r[0].key.major == maj && r[0].key.minor == min &&
		      r[0].access == acc && r[0].key.root_id == 0 && r[0].key.reserved == 0,
	      "got %d: %c %u:%u %u", got, r[0].key.type, r[0].key.major, r[0].key.minor,
	      r[0].access);
	if (got == 1) {
		eci_dev_rule_format(&r[0], back, sizeof(back));
		snprintf(name, sizeof(name), "device rule '%s' formats back", in);
		CHECK(name, !strcmp(back, in), "got '%s'", back);
	}
}

static void bad(const char *in)
{
	struct eci_dev_rule r[2];
	char name[128];
	int got = eci_dev_rule_parse(in, r);

	snprintf(name, sizeof(name), "device rule '%s' is refused", in);
	CHECK(name, got == -EINVAL, "got %d", got);
}

int main(void)
{
	const unsigned rwm = ECI_DEV_READ | ECI_DEV_WRITE | ECI_DEV_MKNOD;
	struct eci_dev_rule r[2];
	int n;

	good("c 1:3 rwm", 1, 'c', 1, 3, rwm);
	good("b 8:* r", 1, 'b', 8, ECI_DEV_ANY, ECI_DEV_READ);
	good("c *:* m", 1, 'c', ECI_DEV_ANY, ECI_DEV_ANY, ECI_DEV_MKNOD);
	good("c 10:200 rw", 1, 'c', 10, 200, ECI_DEV_READ | ECI_DEV_WRITE);
	good("b 4095:1048575 w", 1, 'b', 4095, 1048575, ECI_DEV_WRITE);
	n = eci_dev_rule_parse("a", r);
	CHECK("device rule 'a' is every char and block device",
	      n == 2 && r[0].key.type == 'c' && r[1].key.type == 'b' &&
		      r[0].key.major == ECI_DEV_ANY && r[1].key.minor == ECI_DEV_ANY &&
		      r[0].access == rwm && r[1].access == rwm,
	      "got %d", n);

	bad("");
	bad("c");
	bad("x 1:3 rwm");
	bad("c 1:3");
	bad("c 1:3 ");
	bad("c 1:3 rwx");
	bad("c 1:3 rr");
	bad("c 1 rwm");
	bad("c :3 rwm");
	bad("c 1: rwm");
	bad("c -1:3 rwm");
	bad("c 4096:0 rwm");
	bad("c 1:1048576 rwm");
	bad("c 1:99999999999999999999 rwm");
	bad("c 1:3  rwm");
	bad("c 0x1:3 rwm");

	CHECK("the default set has null, urandom and pts",
	      eci_dev_defaults_len == 8 && eci_dev_defaults[0].key.major == 1 &&
		      eci_dev_defaults[0].key.minor == 3 && eci_dev_defaults[7].key.major == 136 &&
		      eci_dev_defaults[7].key.minor == ECI_DEV_ANY,
	      "got %zu rules", eci_dev_defaults_len);
	return unit_failures ? 1 : 0;
}
