/* SPDX-License-Identifier: GPL-2.0 */
/* Loading, pinning and unloading the enforcer; reporting its state. */
#ifndef ECI_LOADER_H
#define ECI_LOADER_H

#include <stdbool.h>

#include "eci.h"

/* Exit status of `ecictl status` when the enforcer is not loaded (LSB). */
#define ECI_EXIT_NOT_LOADED 3

int eci_load(bool verbose);
int eci_unload(void);
int eci_status(void);

#endif /* ECI_LOADER_H */
