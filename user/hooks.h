/* SPDX-License-Identifier: GPL-2.0 */
/* The hooks' and trap classes' names (enum eci_hook, ECI_CLASS_*). */
#ifndef ECI_HOOKS_H
#define ECI_HOOKS_H

#include "eci.h"

extern const char *const eci_hook_names[ECI_HOOK_MAX];
extern const char *const eci_class_names[ECI_CLASS_MAX];

/* A hook's or a class's index by name; -1 if none has it. */
int eci_hook_index(const char *name);
int eci_class_index(const char *name);

#endif /* ECI_HOOKS_H */
