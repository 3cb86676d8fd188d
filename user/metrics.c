// SPDX-License-Identifier: GPL-2.0
/*
 * A snapshot (stats.c) as Prometheus text (format 0.0.4), as JSON and as a
 * table; and JSON back into a snapshot, so ecitop can replay what batch mode
 * recorded. Nothing here touches the kernel: the unit tests render fixed
 * snapshots.
 */
#define _GNU_SOURCE
#include "stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hooks.h"
#include "util.h"

/* A label value: backslash, double quote and newline escaped. */
static void put_label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *verdict_name(int v)
{
	return v == ECI_VERDICT_AUDIT ? "audit" : "deny";
}

int eci_render_prometheus(const struct eci_snapshot *s, FILE *f)
{
	family(f, "eci_build_info", "gauge",
	       "The eci build that exports these metrics (always 1).");
	fputs("eci_build_info{version=\"", f);
	put_label(f, ECI_VERSION);
	fputs("\"} 1\n", f);
	family(f, "eci_up", "gauge", "Whether the eci enforcer is loaded (1) or not (0).");
	fprintf(f, "eci_up %d\n", s->loaded);
	family(f, "eci_bpf_stats_enabled", "gauge",
	       "Whether the kernel measures BPF program run time (kernel.bpf_stats_enabled).");
	fprintf(f, "eci_bpf_stats_enabled %d\n", s->bpf_stats);
	if (!s->loaded)
		return ferror(f) ? -EIO : 0;

	/* A start time, not an uptime: it changes only when the programs do,
	 * and time() - it is the uptime. */
	family(f, "eci_start_time_seconds", "gauge",
	       "When the enforcer's programs were loaded, in seconds since the epoch.");
	fprintf(f, "eci_start_time_seconds %.3f\n", s->real - s->uptime);
	family(f, "eci_audit_all", "gauge",
	       "Whether every protected container is in audit mode (VM-wide switch).");
	fprintf(f, "eci_audit_all %d\n", s->audit_all);

	family(f, "eci_hook_calls_total", "counter", "Runs of eci's programs on the hook.");
	for (int h = 0; h < ECI_HOOK_MAX; h++)
		fprintf(f, "eci_hook_calls_total{hook=\"%s\"} %" PRIu64 "\n", eci_hook_names[h],
			s->hooks[h].calls);
	family(f, "eci_hook_traps_total", "counter",
	       "Traps decided at the hook: denied, or allowed and reported in audit mode.");
	for (int h = 0; h < ECI_HOOK_MAX; h++) {
		fprintf(f, "eci_hook_traps_total{hook=\"%s\",verdict=\"deny\"} %" PRIu64 "\n",
			eci_hook_names[h], s->hooks[h].denials);
		fprintf(f, "eci_hook_traps_total{hook=\"%s\",verdict=\"audit\"} %" PRIu64 "\n",
			eci_hook_names[h], s->hooks[h].audits);
	}
	family(f, "eci_hook_run_seconds_total", "counter",
	       "Time the hook's programs ran while kernel BPF stats were enabled.");
	for (int h = 0; h < ECI_HOOK_MAX; h++)
		if (s->hooks[h].nprogs)
			fprintf(f, "eci_hook_run_seconds_total{hook=\"%s\"} %.9f\n",
				eci_hook_names[h], s->hooks[h].run_time_ns / 1e9);
	family(f, "eci_hook_runs_total", "counter",
	       "Runs of the hook's programs counted while kernel BPF stats were enabled.");
	for (int h = 0; h < ECI_HOOK_MAX; h++)
		if (s->hooks[h].nprogs)
			fprintf(f, "eci_hook_runs_total{hook=\"%s\"} %" PRIu64 "\n",
				eci_hook_names[h], s->hooks[h].run_cnt);
	family(f, "eci_program_run_seconds_total", "counter",
	       "Time one program ran while kernel BPF stats were enabled.");
	for (size_t i = 0; i < s->nprogs; i++)
		fprintf(f, "eci_program_run_seconds_total{program=\"%s\"} %.9f\n", s->progs[i].name,
			s->progs[i].run_time_ns / 1e9);
	family(f, "eci_program_runs_total", "counter",
	       "Runs of one program counted while kernel BPF stats were enabled.");
	for (size_t i = 0; i < s->nprogs; i++)
		fprintf(f, "eci_program_runs_total{program=\"%s\"} %" PRIu64 "\n", s->progs[i].name,
			s->progs[i].run_cnt);

	family(f, "eci_container_traps_total", "counter",
	       "Traps of a protected container by class, exact (cgroup_id tells apart containers of one name).");
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct eci_ctr_snap *c = &s->ctrs[i];

		for (int k = 0; k < ECI_CLASS_MAX; k++)
			for (int v = ECI_VERDICT_DENY; v <= ECI_VERDICT_AUDIT; v++) {
				/* Not "container": Kubernetes' label for its own
				 * container name, which scrapers add. */
				fputs("eci_container_traps_total{eci_container=\"", f);
				put_label(f, c->name);
				fprintf(f,
					"\",cgroup_id=\"%" PRIu64
					"\",class=\"%s\",verdict=\"%s\"} %" PRIu64 "\n",
					c->id, eci_class_names[k], verdict_name(v),
					v == ECI_VERDICT_AUDIT ? c->audits[k] : c->denials[k]);
			}
	}
	family(f, "eci_events_dropped_total", "counter",
	       "Trap events lost because the ring buffer was full.");
	fprintf(f, "eci_events_dropped_total %" PRIu64 "\n", (uint64_t)s->state.event_drops);
	family(f, "eci_events_throttled_total", "counter",
	       "Trap events not sent because their container was over its event rate.");
	fprintf(f, "eci_events_throttled_total %" PRIu64 "\n", (uint64_t)s->state.event_throttled);
	family(f, "eci_container_stats_full_total", "counter",
	       "Traps not counted per container because the counter map was full.");
	fprintf(f, "eci_container_stats_full_total %" PRIu64 "\n", (uint64_t)s->state.stats_full);
	family(f, "eci_orphan_cgroups", "gauge",
	       "Sub-cgroups of protected containers that got no map entry (protected by ancestor walk).");
	fprintf(f, "eci_orphan_cgroups %" PRIu64 "\n", (uint64_t)s->state.orphans);
	family(f, "eci_protected_containers", "gauge", "Protected containers.");
	fprintf(f, "eci_protected_containers %zu\n", s->nctrs);
	family(f, "eci_map_entries", "gauge", "Entries in the enforcer's maps.");
	fprintf(f, "eci_map_entries{map=\"containers\"} %" PRIu64 "\n", s->cgroups);
	fprintf(f, "eci_map_entries{map=\"container_stats\"} %" PRIu64 "\n", s->stats_entries);
	family(f, "eci_map_capacity", "gauge", "Entries the enforcer's maps can hold.");
	fprintf(f, "eci_map_capacity{map=\"containers\"} %" PRIu64 "\n", s->cgroups_max);
	fprintf(f, "eci_map_capacity{map=\"container_stats\"} %" PRIu64 "\n", s->stats_max);
	return ferror(f) ? -EIO : 0;
}

static json_object *class_counts(const uint64_t *v)
{
	json_object *o = json_object_new_object();

	for (int k = 0; k < ECI_CLASS_MAX; k++)
		json_object_object_add(o, eci_class_names[k], json_object_new_uint64(v[k]));
	return o;
}

json_object *eci_snapshot_json(const struct eci_snapshot *s)
{
	json_object *o = json_object_new_object(), *a, *x;

	json_object_object_add(o, "time", json_object_new_double(s->real));
	json_object_object_add(o, "loaded", json_object_new_boolean(s->loaded));
	json_object_object_add(o, "bpf_stats", json_object_new_boolean(s->bpf_stats));
	if (!s->loaded)
		return o;
	json_object_object_add(o, "uptime_seconds", json_object_new_double(s->uptime));
	json_object_object_add(o, "audit_all", json_object_new_boolean(s->audit_all));
	x = json_object_new_object();
	json_object_object_add(x, "orphans", json_object_new_uint64(s->state.orphans));
	json_object_object_add(x, "event_drops", json_object_new_uint64(s->state.event_drops));
	json_object_object_add(x, "event_throttled",
			       json_object_new_uint64(s->state.event_throttled));
	json_object_object_add(x, "stats_full", json_object_new_uint64(s->state.stats_full));
	json_object_object_add(o, "state", x);
	x = json_object_new_object();
	json_object_object_add(x, "cgroups", json_object_new_uint64(s->cgroups));
	json_object_object_add(x, "cgroups_max", json_object_new_uint64(s->cgroups_max));
	json_object_object_add(x, "container_stats", json_object_new_uint64(s->stats_entries));
	json_object_object_add(x, "container_stats_max", json_object_new_uint64(s->stats_max));
	json_object_object_add(o, "maps", x);
	a = json_object_new_array();
	for (int h = 0; h < ECI_HOOK_MAX; h++) {
		const struct eci_hook_snap *k = &s->hooks[h];

		x = json_object_new_object();
		json_object_object_add(x, "hook", json_object_new_string(eci_hook_names[h]));
		json_object_object_add(x, "calls", json_object_new_uint64(k->calls));
		json_object_object_add(x, "denials", json_object_new_uint64(k->denials));
		json_object_object_add(x, "audits", json_object_new_uint64(k->audits));
		if (k->nprogs) {
			json_object_object_add(x, "run_time_ns",
					       json_object_new_uint64(k->run_time_ns));
			json_object_object_add(x, "run_cnt", json_object_new_uint64(k->run_cnt));
		}
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "hooks", a);
	a = json_object_new_array();
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct eci_ctr_snap *c = &s->ctrs[i];

		x = json_object_new_object();
		json_object_object_add(x, "name", json_object_new_string(c->name));
		json_object_object_add(x, "cgroup_id", json_object_new_uint64(c->id));
		json_object_object_add(
			x, "mode",
			json_object_new_string(c->flags & ECI_CF_AUDIT ? "audit" : "deny"));
		json_object_object_add(x, "denials", class_counts(c->denials));
		json_object_object_add(x, "audits", class_counts(c->audits));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "containers", a);
	a = json_object_new_array();
	for (size_t i = 0; i < s->nprogs; i++) {
		const struct eci_prog_snap *p = &s->progs[i];

		x = json_object_new_object();
		json_object_object_add(x, "name", json_object_new_string(p->name));
		json_object_object_add(x, "run_time_ns", json_object_new_uint64(p->run_time_ns));
		json_object_object_add(x, "run_cnt", json_object_new_uint64(p->run_cnt));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "programs", a);
	return o;
}

static uint64_t get_u64(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

static double get_double(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

static bool get_bool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

int eci_snapshot_from_json(json_object *o, struct eci_snapshot *s)
{
	json_object *a, *x;

	memset(s, 0, sizeof(*s));
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "time", &x))
		return -EINVAL;
	s->real = s->mono = get_double(o, "time");
	s->loaded = get_bool(o, "loaded");
	s->bpf_stats = get_bool(o, "bpf_stats");
	s->uptime = get_double(o, "uptime_seconds");
	s->audit_all = get_bool(o, "audit_all");
	if (json_object_object_get_ex(o, "state", &x)) {
		s->state.orphans = get_u64(x, "orphans");
		s->state.event_drops = get_u64(x, "event_drops");
		s->state.event_throttled = get_u64(x, "event_throttled");
		s->state.stats_full = get_u64(x, "stats_full");
	}
	if (json_object_object_get_ex(o, "maps", &x)) {
		s->cgroups = get_u64(x, "cgroups");
		s->cgroups_max = get_u64(x, "cgroups_max");
		s->stats_entries = get_u64(x, "container_stats");
		s->stats_max = get_u64(x, "container_stats_max");
	}
	if (json_object_object_get_ex(o, "hooks", &a) && json_object_is_type(a, json_type_array))
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			json_object *n;
			int h;

			x = json_object_array_get_idx(a, i);
			if (!json_object_object_get_ex(x, "hook", &n))
				continue;
			h = eci_hook_index(json_object_get_string(n));
			if (h < 0)
				continue;
			s->hooks[h].calls = get_u64(x, "calls");
			s->hooks[h].denials = get_u64(x, "denials");
			s->hooks[h].audits = get_u64(x, "audits");
			s->hooks[h].run_time_ns = get_u64(x, "run_time_ns");
			s->hooks[h].run_cnt = get_u64(x, "run_cnt");
			s->hooks[h].nprogs = json_object_object_get_ex(x, "run_cnt", &n);
		}
	if (json_object_object_get_ex(o, "programs", &a) &&
	    json_object_is_type(a, json_type_array)) {
		size_t n = json_object_array_length(a);

		s->progs = calloc(n ? n : 1, sizeof(*s->progs));
		if (!s->progs)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			struct eci_prog_snap *p = &s->progs[s->nprogs++];
			json_object *v;

			x = json_object_array_get_idx(a, i);
			if (json_object_object_get_ex(x, "name", &v))
				snprintf(p->name, sizeof(p->name), "%.63s",
					 json_object_get_string(v));
			p->run_time_ns = get_u64(x, "run_time_ns");
			p->run_cnt = get_u64(x, "run_cnt");
		}
	}
	if (json_object_object_get_ex(o, "containers", &a) &&
	    json_object_is_type(a, json_type_array)) {
		size_t n = json_object_array_length(a);

		s->ctrs = calloc(n ? n : 1, sizeof(*s->ctrs));
		if (!s->ctrs)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			struct eci_ctr_snap *c = &s->ctrs[s->nctrs++];
			json_object *v;

			x = json_object_array_get_idx(a, i);
			c->id = get_u64(x, "cgroup_id");
			if (json_object_object_get_ex(x, "name", &v))
				snprintf(c->name, sizeof(c->name), "%s", json_object_get_string(v));
			if (json_object_object_get_ex(x, "mode", &v) &&
			    !strcmp(json_object_get_string(v), "audit"))
				c->flags |= ECI_CF_AUDIT;
			for (int k = 0; k < ECI_CLASS_MAX; k++) {
				if (json_object_object_get_ex(x, "denials", &v))
					c->denials[k] = get_u64(v, eci_class_names[k]);
				if (json_object_object_get_ex(x, "audits", &v))
					c->audits[k] = get_u64(v, eci_class_names[k]);
			}
		}
	}
	return 0;
}

int eci_render_table(const struct eci_snapshot *s, FILE *f)
{
	fprintf(f, "eci:        %s\n", s->loaded ? "loaded" : "not loaded");
	if (!s->loaded)
		return ferror(f) ? -EIO : 0;
	fprintf(f, "uptime:     %.0f s\n", s->uptime);
	fprintf(f, "bpf stats:  %s\n", s->bpf_stats ? "on" : "off");
	fprintf(f,
		"state:      %" PRIu64 " events dropped, %" PRIu64 " throttled, %" PRIu64
		" orphan sub-cgroups, %" PRIu64 " traps not counted per container\n",
		(uint64_t)s->state.event_drops, (uint64_t)s->state.event_throttled,
		(uint64_t)s->state.orphans, (uint64_t)s->state.stats_full);
	fprintf(f,
		"maps:       containers %" PRIu64 "/%" PRIu64 ", container_stats %" PRIu64
		"/%" PRIu64 "\n",
		s->cgroups, s->cgroups_max, s->stats_entries, s->stats_max);
	fprintf(f, "\n%-24s %12s %10s %10s %10s\n", "HOOK", "CALLS", "DENIALS", "AUDITS", "NS/RUN");
	for (int h = 0; h < ECI_HOOK_MAX; h++) {
		const struct eci_hook_snap *k = &s->hooks[h];

		fprintf(f, "%-24s %12" PRIu64 " %10" PRIu64 " %10" PRIu64, eci_hook_names[h],
			k->calls, k->denials, k->audits);
		if (k->run_cnt)
			fprintf(f, " %10" PRIu64 "\n", k->run_time_ns / k->run_cnt);
		else
			fprintf(f, " %10s\n", "-");
	}
	/* Each program's own cost (kernel.bpf_stats_enabled): the hooks'
	 * NS/RUN above adds up the programs sharing a hook. */
	fprintf(f, "\n%-40s %12s %14s %10s\n", "PROGRAM", "RUNS", "RUN_TIME_NS", "NS/RUN");
	for (size_t i = 0; i < s->nprogs; i++) {
		const struct eci_prog_snap *p = &s->progs[i];

		fprintf(f, "%-40s %12" PRIu64 " %14" PRIu64, p->name, p->run_cnt, p->run_time_ns);
		if (p->run_cnt)
			fprintf(f, " %10" PRIu64 "\n", p->run_time_ns / p->run_cnt);
		else
			fprintf(f, " %10s\n", "-");
	}
	fprintf(f, "\n%-24s %6s", "CONTAINER", "MODE");
	for (int k = 0; k < ECI_CLASS_MAX; k++)
		fprintf(f, " %8s", eci_class_names[k]);
	fputc('\n', f);
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct eci_ctr_snap *c = &s->ctrs[i];

		fprintf(f, "%-24s %6s", c->name[0] ? c->name : "?",
			c->flags & ECI_CF_AUDIT ? "audit" : "deny");
		for (int k = 0; k < ECI_CLASS_MAX; k++)
			fprintf(f, " %8" PRIu64, c->denials[k] + c->audits[k]);
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}
