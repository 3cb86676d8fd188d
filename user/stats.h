/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every counter of the enforcer in one snapshot, and its renderings:
 * Prometheus text, JSON, a table. ecictl stats/daemon and ecitop share them.
 */
#ifndef ECI_STATS_H
#define ECI_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "eci.h"

struct eci_hook_snap {
	uint64_t calls, denials, audits;
	/* From the kernel's BPF stats (bpf_prog_info) of the hook's
	 * program(s); zero unless someone enabled them. */
	uint64_t run_time_ns, run_cnt;
	int nprogs;
};

struct eci_ctr_snap {
	uint64_t id; /* the container's (root) cgroup id */
	char name[ECI_NAME_LEN];
	uint32_t flags; /* ECI_CF_* */
	uint64_t denials[ECI_CLASS_MAX];
	uint64_t audits[ECI_CLASS_MAX];
};

/* One attached program, from the kernel's BPF stats (zero unless enabled). */
struct eci_prog_snap {
	char name[64];
	uint64_t run_time_ns, run_cnt;
};

struct eci_snapshot {
	bool loaded;
	double mono; /* CLOCK_MONOTONIC seconds when taken */
	double real; /* seconds since the epoch when taken */
	double uptime; /* seconds since the enforcer's programs were loaded */
	bool bpf_stats; /* kernel.bpf_stats_enabled, by sysctl or anyone's fd */
	bool audit_all; /* ECI_CONFIG_AUDIT */
	struct eci_state state;
	struct eci_hook_snap hooks[ECI_HOOK_MAX];
	uint64_t cgroups, cgroups_max; /* entries of the containers map */
	uint64_t stats_entries, stats_max; /* entries of container_stats */
	struct eci_ctr_snap *ctrs; /* protected containers, then unnamed ids */
	size_t nctrs;
	struct eci_prog_snap *progs; /* by name */
	size_t nprogs;
};

/* Read every counter. Returns 0 (snap->loaded false when not loaded) or a
 * negative errno with one sentence already printed. */
int eci_snapshot_read(struct eci_snapshot *snap);
void eci_snapshot_free(struct eci_snapshot *snap);

/* Keep run-time statistics on while the returned fd is open (BPF_ENABLE_STATS:
 * the kernel counts users, so closing it never turns off what someone else
 * turned on). Returns the fd or a negative errno. */
int eci_bpf_stats_enable(void);

/* The hook (ECI_HOOK_*) a program's run time is counted under, by its name;
 * -1 for none. */
int eci_prog_hook(const char *prog);

uint64_t eci_ctr_total(const struct eci_ctr_snap *c, int verdict); /* -1: both */

/* Renderings. Prometheus: text format 0.0.4. */
int eci_render_prometheus(const struct eci_snapshot *s, FILE *f);
json_object *eci_snapshot_json(const struct eci_snapshot *s);
int eci_render_table(const struct eci_snapshot *s, FILE *f);
/* The inverse of eci_snapshot_json, for ecitop --replay. */
int eci_snapshot_from_json(json_object *o, struct eci_snapshot *s);

#endif /* ECI_STATS_H */
