/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal unit-test reporting: one "PASS name" or "FAIL name: why" line per
 * check, in the format tests/run-all.sh counts. Exit status: failures seen.
 */
#ifndef ECI_UNIT_H
#define ECI_UNIT_H

#include <stdio.h>

static int unit_failures;

#define CHECK(name, cond, ...)                                                                     \
	do {                                                                                       \
		if (cond) {                                                                        \
			printf("PASS %s\n", name);                                                 \
		} else {                                                                           \
			printf("FAIL %s: ", name);                                                 \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			unit_failures++;                                                           \
		}                                                                                  \
	} while (0)

#define SKIP(name, why) printf("SKIP %s: %s\n", name, why)

#endif /* ECI_UNIT_H */
