/* SPDX-License-Identifier: GPL-2.0 */
/* `ecictl oci-hook`: registration driven by the runtime's OCI hooks. */
#ifndef ECI_OCIHOOK_H
#define ECI_OCIHOOK_H

/* Where the hook remembers each container's cgroup id for poststop, which
 * runs after the runtime removed the cgroup. */
#define ECI_OCI_STATE_DIR "/run/eci/oci"

/*
 * Read the OCI state JSON on stdin. stage: "createRuntime" (register the
 * container's cgroup, in setup, with its image from the annotations),
 * "poststop" (remove it), or NULL to decide by the state's status
 * ("creating"/"created" or "stopped").
 */
int eci_oci_hook(const char *stage);

/* "/a.slice/a-b.slice/prefix-name.scope" from systemd's "a-b.slice:prefix:name";
 * an absolute cgroupsPath is copied. -EINVAL otherwise. */
int eci_oci_cgroups_path(const char *in, char *out, unsigned long len);

#endif /* ECI_OCIHOOK_H */
