// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

static void say(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", program_invocation_short_name, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void eci_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

void eci_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("warning: ", fmt, ap);
	va_end(ap);
}

int eci_usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", program_invocation_short_name);
	return EXIT_USAGE;
}

int eci_print_version(void)
{
	printf("%s (eci) %s\n", program_invocation_short_name, ECI_VERSION);
	return 0;
}
