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
	/* eci.assignableDevices: what `docker run --device` may assign; when the
	 * file has none, eci_assignable_defaults */
	struct eci_dev_rule *assignable;
	size_t nassignable;
	bool assignable_given;
	/* eci.auditMode */
	bool audit;
	/* eci.engineSockets (default /var/run/docker.sock, /run/docker.sock,
	 * /run/podman/podman.sock),
	 * normalized with a trailing '/' */
	char **sockets;
	size_t nsockets;
	/* eci.autoloadModules (default eci_autoload_defaults): module aliases,
	 * a trailing '*' for every alias it begins */
	char **autoload;
	size_t nautoload;
	/* One line each: unknown keys and the like. */
	char **warnings;
	size_t nwarnings;
};

/* The module aliases a protected container may autoload when the settings
 * name none: overlay, veth, bridge and the netfilter Docker uses. */
extern const char *const eci_autoload_defaults[];
extern const size_t eci_autoload_defaults_len;

/* The autoload_allow key of an eci.autoloadModules entry; -EINVAL if it is
 * too long, empty, or has a character a module alias doesn't (a '*' only
 * last). */
int eci_autoload_key_set(struct eci_autoload_key *k, const char *pattern);

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

/* Is image reference ref in the applied settings' imageList (the copy
 * `settings apply` keeps)? 1, 0, or -EINVAL for a bad reference. No settings
 * applied: 0. */
int eci_image_allowed(const char *ref);

/* The devices an engine may assign (--device) when the settings don't say:
 * tun and fuse; none of the VM's disks, memory, kernel log or consoles. */
extern const char *const eci_assignable_defaults[];

/*
 * 1 if the applied settings (or the defaults, without any) let a container
 * be assigned rule's device with rule's access, 0 if not; -errno if the
 * applied copy can't be read (fail closed: callers refuse).
 */
int eci_device_assignable(const struct eci_dev_rule *rule);
/* The same against settings already parsed (NULL: the defaults). */
int eci_device_assignable_in(const struct eci_settings *s, const struct eci_dev_rule *rule);

#endif /* ECI_SETTINGS_H */
