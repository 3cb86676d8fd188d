// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/metrics.c: a fixed snapshot rendered as Prometheus text
 * (checked line by line here and by the strict parser in
 * tests/unit/check_prometheus.py), as JSON and back, as a table.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "loader.h"
#include "stats.h"
/* after eci.h (stats.h): the skeleton names its structs */
#include "eci.skel.h"
#include "unit.h"

static struct eci_ctr_snap ctrs[] = {
	{ .id = 4242, .name = "web", .denials = { [ECI_CLASS_DEVICE] = 7, [ECI_CLASS_MOUNT] = 3 } },
	/* A name that needs escaping, in audit mode. */
	{ .id = 77,
	  .name = "a\"b\\c\nd",
	  .flags = ECI_CF_AUDIT,
	  .audits = { [ECI_CLASS_MODULE] = 2, [ECI_CLASS_SOCKET] = 1 } },
	/* Two containers of one name stay two series. */
	{ .id = 78, .name = "web", .denials = { [ECI_CLASS_KERNEL] = 1 } },
};

/* Two programs, one per hook, from the kernel's BPF stats. */
static struct eci_prog_snap progs[] = {
	{ .name = "eci_caps_capable", .run_time_ns = 1234, .run_cnt = 99 },
	{ .name = "eci_device_file_open", .run_time_ns = 1500000000, .run_cnt = 123456 },
};

static void fixed(struct eci_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->loaded = true;
	s->real = s->mono = 1700000000.5;
	s->uptime = 3600.25;
	s->bpf_stats = true;
	s->state.orphans = 1;
	s->state.event_drops = 5;
	s->state.event_throttled = 800;
	s->state.stats_full = 0;
	s->cgroups = 12;
	s->cgroups_max = ECI_MAX_CGROUPS;
	s->stats_entries = 3;
	s->stats_max = ECI_MAX_CGROUPS;
	s->hooks[ECI_HOOK_FILE_OPEN] = (struct eci_hook_snap){ .calls = 123456,
							       .denials = 1008,
							       .run_time_ns = 1500000000,
							       .run_cnt = 123456,
							       .nprogs = 1 };
	s->hooks[ECI_HOOK_CAPABLE] = (struct eci_hook_snap){ .calls = 99,
							     .denials = 2,
							     .audits = 4,
							     .run_time_ns = 1234,
							     .run_cnt = 99,
							     .nprogs = 1 };
	s->ctrs = ctrs;
	s->nctrs = sizeof(ctrs) / sizeof(ctrs[0]);
	s->progs = progs;
	s->nprogs = sizeof(progs) / sizeof(progs[0]);
}

static char *render_prom(const struct eci_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	eci_render_prometheus(s, f);
	fclose(f);
	return buf;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/* Run the strict parser on the text; true if it accepts it. */
static bool strict_ok(const char *text, const char *name)
{
	char path[] = "/tmp/eci-unit-metrics-XXXXXX", cmd[256];
	FILE *f;
	int fd = mkstemp(path), st;

	if (fd < 0 || !(f = fdopen(fd, "w")))
		return false;
	fputs(text, f);
	fclose(f);
	/* Its complaints go to our stdout as they are: none starts with PASS
	 * or FAIL. */
	printf("  %s:\n", name);
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "tests/unit/check_prometheus.py %s", path);
	st = system(cmd);
	unlink(path);
	return st == 0;
}

/* Every program of the object is counted under a hook, so `ecictl stats`
 * and ecitop account for all of the enforcer's run time. Opening the
 * skeleton only parses the object: no kernel needed. */
static void every_program_has_a_hook(void)
{
	struct eci_bpf *skel = eci_bpf__open();
	struct bpf_program *p;
	char missing[512] = "";
	size_t n = 0, len = 0;

	if (!skel) {
		CHECK("stats: every program is counted under a hook", false,
		      "failed to open the skeleton");
		return;
	}
	bpf_object__for_each_program(p, skel->obj) {
		n++;
		if (eci_prog_hook(bpf_program__name(p)) < 0 && len < sizeof(missing))
			len += snprintf(missing + len, sizeof(missing) - len, " %s",
					bpf_program__name(p));
	}
	CHECK("stats: every program is counted under a hook", n > 40 && !missing[0],
	      "%zu programs, without a hook:%s", n, missing);
	eci_bpf__destroy(skel);
}

int main(void)
{
	struct eci_snapshot s, back, off = { .real = 1 };
	char *text, *j1, *j2;
	json_object *o, *o2;

	fixed(&s);
	text = render_prom(&s);
	CHECK("prometheus: counters are exact, with their labels",
	      text && has_line(text, "eci_hook_calls_total{hook=\"file_open\"} 123456") &&
		      has_line(text,
			       "eci_hook_traps_total{hook=\"capable\",verdict=\"audit\"} 4") &&
		      has_line(
			      text,
			      "eci_container_traps_total{eci_container=\"web\",cgroup_id=\"4242\",class=\"device\",verdict=\"deny\"} 7") &&
		      has_line(
			      text,
			      "eci_container_traps_total{eci_container=\"web\",cgroup_id=\"78\",class=\"kernel\",verdict=\"deny\"} 1") &&
		      has_line(text, "eci_events_throttled_total 800") &&
		      has_line(text, "eci_events_dropped_total 5"),
	      "%s", text ? text : "(none)");
	CHECK("prometheus: label values escaped (quote, backslash, newline)",
	      text && has_line(
			      text,
			      "eci_container_traps_total{eci_container=\"a\\\"b\\\\c\\nd\",cgroup_id=\"77\",class=\"module\",verdict=\"audit\"} 2"),
	      "no escaped line");
	CHECK("prometheus: run time in seconds, HELP and TYPE lines",
	      text &&
		      has_line(text,
			       "eci_hook_run_seconds_total{hook=\"file_open\"} 1.500000000") &&
		      has_line(text, "# TYPE eci_hook_run_seconds_total counter") &&
		      has_line(text, "# TYPE eci_start_time_seconds gauge") &&
		      has_line(text, "# TYPE eci_build_info gauge") &&
		      has_line(
			      text,
			      "eci_program_run_seconds_total{program=\"eci_caps_capable\"} 0.000001234") &&
		      has_line(text,
			       "eci_program_runs_total{program=\"eci_device_file_open\"} 123456") &&
		      strstr(text, "# HELP eci_container_traps_total ") && !strstr(text, "_ns"),
	      "%s", text ? text : "(none)");
	CHECK("prometheus: a fixed snapshot passes the strict parser",
	      text && strict_ok(text, "fixed"), "see above");
	free(text);
	text = render_prom(&off);
	CHECK("prometheus: not loaded is eci_up 0 and passes the strict parser",
	      text && has_line(text, "eci_up 0") && strict_ok(text, "not loaded"), "%s",
	      text ? text : "(none)");
	free(text);
	CHECK("the strict parser refuses a duplicate series and a counter without _total",
	      !strict_ok("# HELP eci_x x\n# TYPE eci_x counter\neci_x 1\neci_x 1\n",
			 "bad (expected)"),
	      "accepted");

	/* JSON: what batch mode records, replay reads back the same. */
	o = eci_snapshot_json(&s);
	j1 = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	j2 = NULL;
	if (!eci_snapshot_from_json(o, &back)) {
		o2 = eci_snapshot_json(&back);
		j2 = strdup(json_object_to_json_string_ext(o2, JSON_C_TO_STRING_PLAIN));
		json_object_put(o2);
	}
	CHECK("json: a snapshot reads back as it was written", j2 && !strcmp(j1, j2),
	      "wrote %s read %s", j1, j2 ? j2 : "(nothing)");
	CHECK("json: class counts by name",
	      strstr(j1,
		     "{\"name\":\"web\",\"cgroup_id\":4242,\"mode\":\"deny\",\"denials\":{\"module\":0,\"mount\":3,\"device\":7,"),
	      "%s", j1);
	json_object_put(o);
	free(j1);
	free(j2);
	eci_snapshot_free(&back);
	o = json_tokener_parse("{\"loaded\":true}");
	CHECK("json: a line without time is not a snapshot", eci_snapshot_from_json(o, &back) < 0,
	      "accepted");
	json_object_put(o);
	every_program_has_a_hook();
	return unit_failures ? 1 : 0;
}
