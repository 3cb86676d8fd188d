/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ecictl settings`: the settings file (settings.h) applied to the maps: the
 * VM-wide mode, shared bind sources, engine sockets, default devices and
 * protected subtrees.
 */
#ifndef ECI_SETTINGS_APPLY_H
#define ECI_SETTINGS_APPLY_H

#include <stdbool.h>

/* `ecictl settings apply FILE`: all of it or nothing. */
int eci_settings_apply(const char *file);
/* `ecictl settings show`: the applied copy, summarized. */
int eci_settings_show(bool json);
/* Parse FILE as settings apply would, with or without the enforcer; 0 if it
 * is valid (warnings printed), else 1 with the error on stderr. */
int eci_settings_check(const char *file);
/* Re-read the inodes of the engine socket paths (the engine may have
 * (re)created its socket since the settings were applied). */
int eci_sockets_refresh(void);

#endif /* ECI_SETTINGS_APPLY_H */
