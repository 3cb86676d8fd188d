/* SPDX-License-Identifier: GPL-2.0 */
/* Loading, pinning and unloading the enforcer; reporting its state. */
#ifndef ECI_LOADER_H
#define ECI_LOADER_H

#include <stdbool.h>

#include <linux/types.h>

#include "eci.h"

/* Exit status of `ecictl status` when the enforcer is not loaded (LSB). */
#define ECI_EXIT_NOT_LOADED 3

/*
 * The map layout: bumped when a map of this build means something else than
 * the same map of the build before, so that 'load --replace' refuses to keep
 * it (a change of a map's size or type is caught by its shape).
 */
#define ECI_MAP_LAYOUT 1

/* The version stamp, pinned as ECI_PIN_MAPS/stamp. */
struct eci_stamp {
	char version[64]; /* ECI_VERSION of the build that loaded it */
	char replaced[64]; /* the version it replaced, or "" */
	__u64 loaded; /* when, in seconds since the epoch */
	__u32 layout; /* ECI_MAP_LAYOUT */
	__u32 pad;
};

/* Load and attach; replace_loaded: take a loaded enforcer's place without a
 * gap, keeping its maps (load --replace). */
int eci_load(bool verbose, bool replace_loaded);
int eci_unload(void);
int eci_status(bool json);

#endif /* ECI_LOADER_H */
