/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Docker Desktop's admin-settings.json, as admins write it, plus eci's own
 * section for what Docker's file does not cover. Parsing only: no BPF here,
 * so the unit tests run it on any host.
 */
#ifndef ECI_SETTINGS_H
#define ECI_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "device.h"

/* Where `settings apply` keeps a copy of the file it applied. */
#define ECI_SETTINGS_COPY "/run/eci/settings.json"
#define ECI_SETTINGS_MAX_SIZE (1 << 20)

/*
 * What $HOME and $TMP/$TEMP mean in the file's paths unless eci.variables
 * says otherwise: on a VM, the users' home directories and the shared
 * temporary directory. Never taken from the environment.
 */
#define ECI_VAR_HOME_DEFAULT "/home"
#define ECI_VAR_TMP_DEFAULT "/tmp"

struct eci_settings {
	/* enhancedContainerIsolation.value (default true) and .locked */
	bool enabled;
	bool locked;
	/* dockerSocketMount.imageList */
	char **images;
	size_t nimages;
	bool allow_derived;
	/* dockerSocketMount.commandList: "allow" or "deny" (NULL if absent) */
	char *command_type;
	char **commands;
	size_t ncommands;
	/* filesharingAllowedDirectories[].path, variables expanded, normalized
	 * with a trailing '/' */
	char **shared;
	bool *shared_by_default;
	size_t nshared;
	/* eci.protectedSubtrees: cgroup paths, a glob in any component */
	char **subtrees;
	size_t nsubtrees;
	/* eci.defaultDevices, added to the built-in defaults */
	struct eci_dev_rule *devices;
	size_t ndevices;
	/* eci.auditMode */
	bool audit;
	/* eci.engineSockets (default /var/run/docker.sock, /run/docker.sock),
	 * normalized with a trailing '/' */
	char **sockets;
	size_t nsockets;
	/* One line each: unknown keys and the like. */
	char **warnings;
	size_t nwarnings;
};

/*
 * Parse text (len bytes). On error returns -1 with one sentence in err (a
 * syntax error names "line L, column C"); s is then empty. Variables in
 * paths ($HOME, $TMP, $TEMP) come from eci.variables or the defaults above.
 */
int eci_settings_parse(const char *text, size_t len, struct eci_settings *s, char *err,
		       size_t errlen);
/* Read and parse a file (at most ECI_SETTINGS_MAX_SIZE). */
int eci_settings_load(const char *file, struct eci_settings *s, char *err, size_t errlen);
void eci_settings_free(struct eci_settings *s);

/*
 * An absolute path made canonical without touching the file system: no "//",
 * ".", "..", and one trailing '/'. -EINVAL if not absolute, -ENAMETOOLONG if
 * the result (with its NUL) is longer than len.
 */
int eci_path_normalize(const char *in, char *out, size_t len);

#endif /* ECI_SETTINGS_H */
