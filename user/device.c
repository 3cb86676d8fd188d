// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE(t, maj, min, acc)                                                                     \
	{                                                                                          \
		.key = { .root_id = ECI_DEV_DEFAULTS,                                              \
			 .type = (t),                                                              \
			 .major = (maj),                                                           \
			 .minor = (min) },                                                         \
		.access = (acc),                                                                   \
	}
#define RWM (ECI_DEV_READ | ECI_DEV_WRITE | ECI_DEV_MKNOD)

/* runc's and Docker's default device set, minus /dev/net/tun and
 * /dev/console: a container that needs a tun device gets it assigned like any
 * other, and the console (5:1) is the VM's (its input is a VM login's, its
 * output the VM's messages). A container's console is its pty (136:*). */
const struct eci_dev_rule eci_dev_defaults[] = {
	RULE(ECI_DEV_CHAR, 1, 3, RWM), /* null */
	RULE(ECI_DEV_CHAR, 1, 5, RWM), /* zero */
	RULE(ECI_DEV_CHAR, 1, 7, RWM), /* full */
	RULE(ECI_DEV_CHAR, 1, 8, RWM), /* random */
	RULE(ECI_DEV_CHAR, 1, 9, RWM), /* urandom */
	RULE(ECI_DEV_CHAR, 5, 0, RWM), /* tty */
	RULE(ECI_DEV_CHAR, 5, 2, RWM), /* ptmx */
	RULE(ECI_DEV_CHAR, 136, ECI_DEV_ANY, RWM), /* pts */
};
const size_t eci_dev_defaults_len = sizeof(eci_dev_defaults) / sizeof(eci_dev_defaults[0]);

static int parse_num(const char *s, size_t n, uint32_t *out)
{
	char buf[16], *end;
	unsigned long v;

	if (n == 1 && s[0] == '*') {
		*out = ECI_DEV_ANY;
		return 0;
	}
	if (n == 0 || n >= sizeof(buf) || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	/* The kernel's dev_t: 12-bit major, 20-bit minor; check the widest. */
	if (errno || *end || v >= (1UL << 20))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int eci_dev_rule_parse(const char *s, struct eci_dev_rule out[2])
{
	const char *p = s, *colon, *sp;
	uint32_t access = 0;

	memset(out, 0, 2 * sizeof(*out));
	if (!strcmp(s, "a")) {
		for (int i = 0; i < 2; i++) {
			out[i].key.type = i ? ECI_DEV_BLOCK : ECI_DEV_CHAR;
			out[i].key.major = out[i].key.minor = ECI_DEV_ANY;
			out[i].access = RWM;
		}
		return 2;
	}
	if ((p[0] != 'c' && p[0] != 'b') || p[1] != ' ')
		return -EINVAL;
	out[0].key.type = p[0] == 'c' ? ECI_DEV_CHAR : ECI_DEV_BLOCK;
	p += 2;
	colon = strchr(p, ':');
	sp = colon ? strchr(colon, ' ') : NULL;
	if (!colon || !sp || parse_num(p, colon - p, &out[0].key.major) ||
	    parse_num(colon + 1, sp - colon - 1, &out[0].key.minor))
		return -EINVAL;
	if (out[0].key.major >= (1U << 12) && out[0].key.major != ECI_DEV_ANY)
		return -EINVAL;
	for (p = sp + 1; *p; p++) {
		uint32_t bit = *p == 'r' ? ECI_DEV_READ :
			       *p == 'w' ? ECI_DEV_WRITE :
			       *p == 'm' ? ECI_DEV_MKNOD :
					   0;

		if (!bit || (access & bit))
			return -EINVAL;
		access |= bit;
	}
	if (!access)
		return -EINVAL;
	out[0].access = access;
	return 1;
}

void eci_dev_rule_format(const struct eci_dev_rule *r, char *buf, size_t len)
{
	char maj[12], min[12];

	if (r->key.major == ECI_DEV_ANY)
		strcpy(maj, "*");
	else
		snprintf(maj, sizeof(maj), "%u", r->key.major);
	if (r->key.minor == ECI_DEV_ANY)
		strcpy(min, "*");
	else
		snprintf(min, sizeof(min), "%u", r->key.minor);
	snprintf(buf, len, "%c %s:%s %s%s%s", (char)r->key.type, maj, min,
		 r->access & ECI_DEV_READ ? "r" : "", r->access & ECI_DEV_WRITE ? "w" : "",
		 r->access & ECI_DEV_MKNOD ? "m" : "");
}
