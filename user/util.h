/* SPDX-License-Identifier: GPL-2.0 */
/* Messages and the command-line conventions every eci tool shares. */
#ifndef ECI_UTIL_H
#define ECI_UTIL_H

/* The build's version (the Makefile passes `git describe`). */
#ifndef ECI_VERSION
#define ECI_VERSION "unknown"
#endif

/* Exit status of a command line the tool could not make sense of. */
#define EXIT_USAGE 2

/* One sentence on stderr, prefixed with the program's name. */
void eci_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, as a warning: "PROG: warning: ...". */
void eci_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: the sentence, then where to read the usage ("Try 'PROG
 * --help'."). Returns EXIT_USAGE. */
int eci_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROG (eci) VERSION" on stdout, for --version. Returns 0. */
int eci_print_version(void);

#endif /* ECI_UTIL_H */
