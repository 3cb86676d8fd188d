/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ECI_UTIL_H
#define ECI_UTIL_H

/* One sentence on stderr, prefixed with the program's name. */
void eci_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* ECI_UTIL_H */
