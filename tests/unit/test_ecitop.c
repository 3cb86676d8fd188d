// SPDX-License-Identifier: GPL-2.0
/* ecitop's model without a screen: refreshes read from a recording (the
 * format of ecitop -b --json), rates, sorting, filters and both printers. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecitop_model.h"
#include "hooks.h"
#include "unit.h"

#define CTR(name, id, mode, dev, mod, amod)                                                        \
	"{\"name\":\"" name "\",\"cgroup_id\":" #id ",\"mode\":\"" mode "\",\"denials\":"          \
	"{\"module\":" #mod ",\"mount\":0,\"device\":" #dev ",\"kernel\":0,\"socket\":0},"         \
	"\"audits\":{\"module\":" #amod ",\"mount\":0,\"device\":0,\"kernel\":0,\"socket\":0}}"
#define HOOK(name, calls, den, aud, rt)                                                            \
	"{\"hook\":\"" name "\",\"calls\":" #calls ",\"denials\":" #den ",\"audits\":" #aud        \
	",\"run_time_ns\":" #rt ",\"run_cnt\":" #calls "}"
#define EVENT(t, ctr, id, comm, hook, cls, verdict, detail)                                        \
	"{\"time_ns\":" #t ",\"container\":\"" ctr "\",\"container_cgroup_id\":" #id               \
	",\"comm\":\"" comm "\",\"hook\":\"" hook "\",\"class\":\"" cls                            \
	"\",\"verdict\":\"" verdict "\",\"detail\":\"" detail "\"}"
#define REFRESH(time, hooks, ctrs, events)                                                         \
	"{\"time\":" #time ",\"loaded\":true,\"bpf_stats\":true,\"uptime_seconds\":3600,"          \
	"\"audit_all\":false,\"state\":{\"orphans\":0,\"event_drops\":3,\"event_throttled\":0,"    \
	"\"stats_full\":0},\"maps\":{\"cgroups\":3,\"cgroups_max\":16384,"                         \
	"\"container_stats\":3,\"container_stats_max\":16384},\"hooks\":[" hooks                   \
	"],\"containers\":[" ctrs "],\"events\":[" events "]}\n"

/* Two seconds apart: alpha 20 device denials more (10/s), beta 4 (2/s),
 * gamma (audit mode) 6 module audits (3/s); file_open 2000 calls more. */
static const char recording[] = REFRESH(
	1700000000, HOOK("file_open", 1000, 10, 0, 50000) "," HOOK("capable", 500, 0, 0, 0),
	CTR("alpha", 11, "deny", 10, 0, 0) "," CTR("beta", 12, "deny", 0, 0,
						   0) "," CTR("gamma", 13, "audit", 0, 0, 4),
	EVENT(1699999999000000000, "gamma", 13, "modprobe", "kernel_module_request", "module",
	      "audit",
	      "dummy")) "\n" REFRESH(1700000002,
				     HOOK("file_open", 3000, 34, 0, 150000) "," HOOK("capable", 600,
										     0, 6, 0),
				     CTR("alpha", 11, "deny", 30, 0,
					 0) "," CTR("beta", 12, "deny", 4, 0,
						    0) "," CTR("gamma", 13, "audit", 0, 0, 10),
				     EVENT(1700000001000000000, "alpha", 11, "cat", "file_open",
					   "device", "deny",
					   "/dev/vda") "," EVENT(1700000001500000000, "beta", 12,
								 "dd", "file_open", "device",
								 "deny", "/dev/mem"));

static const char *names(const struct top_crow *r, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s ", r[i].c->name);
	return buf;
}

static char *print(void (*fn)(FILE *))
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	fn(f);
	fclose(f);
	return out;
}

static int hook_of(const struct top_hrow *r, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(eci_hook_names[r[i].h], name))
			return (int)i;
	return -1;
}

int main(void)
{
	struct top_crow rows[8];
	struct top_hrow hrows[ECI_HOOK_MAX];
	char buf[256], *out;
	json_object *o, *x;
	size_t n;
	int i;

	setenv("TZ", "UTC", 1);
	top.replay = fmemopen((void *)recording, sizeof(recording) - 1, "r");
	top.batch = true;
	top.fresh = json_object_new_array();

	CHECK("ecitop: first refresh read", top_sample() == 0 && top.cur.nctrs == 3, "nctrs %zu",
	      top.cur.nctrs);
	CHECK("ecitop: no rate before a second refresh",
	      top_dt() == 0 && top_ctr_rate(&top.cur.ctrs[0], -1) == 0, "dt %f", top_dt());
	json_object_put(top.fresh);
	top.fresh = json_object_new_array();
	CHECK("ecitop: second refresh read", top_sample() == 0 && top_dt() == 2, "dt %f", top_dt());

	n = top_container_rows(rows);
	CHECK("ecitop: containers sorted by trap rate",
	      n == 3 && !strcmp(names(rows, n, buf, sizeof(buf)), "alpha gamma beta ") &&
		      rows[0].v[CCOL_RATE] == 10 && rows[1].v[CCOL_RATE] == 3 &&
		      rows[2].v[CCOL_RATE] == 2,
	      "%s: %f %f %f", buf, rows[0].v[CCOL_RATE], rows[1].v[CCOL_RATE],
	      rows[2].v[CCOL_RATE]);
	CHECK("ecitop: totals count denials and audits",
	      rows[0].v[CCOL_TOTAL] == 30 && rows[1].v[CCOL_TOTAL] == 10 &&
		      rows[1].v[CCOL_MODE] == 1 && rows[2].v[CCOL_MODE] == 0,
	      "%f %f", rows[0].v[CCOL_TOTAL], rows[1].v[CCOL_TOTAL]);

	top.csort = CCOL_NAME;
	top.crev = true;
	n = top_container_rows(rows);
	CHECK("ecitop: sort by name, reversed",
	      !strcmp(names(rows, n, buf, sizeof(buf)), "gamma beta alpha "), "%s", buf);
	top.crev = false;
	top.csort = CCOL_RATE;

	top.verdict = ECI_VERDICT_AUDIT;
	n = top_container_rows(rows);
	CHECK("ecitop: audit verdict: only audits count",
	      n == 3 && !strcmp(rows[0].c->name, "gamma") && rows[0].v[CCOL_RATE] == 3 &&
		      rows[1].v[CCOL_TOTAL] == 0,
	      "%s %f", rows[0].c->name, rows[0].v[CCOL_RATE]);
	top.verdict = -1;

	snprintf(top.fctr, sizeof(top.fctr), "et");
	n = top_container_rows(rows);
	CHECK("ecitop: container filter by substring", n == 1 && !strcmp(rows[0].c->name, "beta"),
	      "%zu rows", n);
	top.fctr[0] = '\0';

	n = top_hook_rows(hrows);
	i = hook_of(hrows, n, "file_open");
	CHECK("ecitop: hook calls per second and ns per run",
	      i >= 0 && hrows[i].v[HCOL_RATE] == 1000 && hrows[i].v[HCOL_NS] == 50 &&
		      hrows[i].v[HCOL_DENIALS] == 34,
	      "row %d", i);
	CHECK("ecitop: hooks sorted by call rate",
	      n == ECI_HOOK_MAX && !strcmp(eci_hook_names[hrows[0].h], "file_open"), "first %s",
	      eci_hook_names[hrows[0].h]);
	snprintf(top.fhook, sizeof(top.fhook), "capa");
	n = top_hook_rows(hrows);
	CHECK("ecitop: hook filter", n == 1 && !strcmp(eci_hook_names[hrows[0].h], "capable"),
	      "%zu rows", n);
	CHECK("ecitop: traps per second over every hook", top_total_rate() == 15, "%f",
	      top_total_rate());

	CHECK("ecitop: the tail, newest first",
	      top.tail_n == 3 && !strcmp(top_tail_at(0)->ctr, "beta") &&
		      !strcmp(top_tail_at(2)->ctr, "gamma") &&
		      !strcmp(top_tail_at(0)->what, "/dev/mem"),
	      "%zu events", top.tail_n);
	CHECK("ecitop: the tail follows the hook filter", !top_ev_shown(top_tail_at(0), 0),
	      "file_open shown under 'capa'");
	top.fhook[0] = '\0';
	CHECK("ecitop: the tail of one container",
	      top_ev_shown(top_tail_at(1), 11) && !top_ev_shown(top_tail_at(0), 11), "drill-down");

	out = print(top_print_text);
	CHECK("ecitop: text: header, rows, new traps",
	      strstr(out,
		     "ecitop 22:13:22: eci loaded, up 1:00:00, 15.0 traps/s, 3 events dropped") &&
		      strstr(out, "alpha                10.0       30") &&
		      strstr(out,
			     "CONTAINER         TRAPS/S    TOTAL  MODULE   MOUNT  DEVICE  KERNEL  SOCKET PROCESS MODE\n") &&
		      !strstr(out, "(null)") && strstr(out, "TRAPS (2 new)\n") &&
		      strstr(out,
			     "22:13:21 alpha          file_open            device deny  cat") &&
		      !strstr(out, "modprobe"),
	      "%s", out);
	free(out);

	top_push_event(json_tokener_parse(
		EVENT(1700000002000000000, "gamma", 13, "sh", "capable", "kernel", "audit", "x")));
	out = print(top_print_json);
	o = json_tokener_parse(out);
	CHECK("ecitop: JSON: one object a line, with rates and the new events",
	      o && out[strlen(out) - 1] == '\n' && strchr(out, '\n') == out + strlen(out) - 1 &&
		      json_object_object_get_ex(o, "traps_per_second", &x) &&
		      json_object_get_double(x) == 15 &&
		      json_object_object_get_ex(o, "interval", &x) &&
		      json_object_get_double(x) == 2 &&
		      json_object_object_get_ex(o, "events", &x) &&
		      json_object_array_length(x) == 1,
	      "%s", out);
	json_object_put(o);
	free(out);

	CHECK("ecitop: the recording's end", top_sample() == 1 && top.replay_done, "not at end");
	fclose(top.replay);

	top.replay = fmemopen((void *)"{\"time\":1}\nnot json\n", 20, "r");
	CHECK("ecitop: a line that is not JSON is refused", top_sample() == 0 && top_sample() < 0,
	      "accepted");
	fclose(top.replay);
	json_object_put(top.fresh);
	for (size_t k = 0; k < top.tail_n; k++)
		json_object_put(top_tail_at(k)->o);
	eci_snapshot_free(&top.cur);
	eci_snapshot_free(&top.prev);
	return unit_failures != 0;
}
