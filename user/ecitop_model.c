// SPDX-License-Identifier: GPL-2.0
/* ecitop's model: see ecitop_model.h. */
#define _GNU_SOURCE
#include "ecitop_model.h"

#include <errno.h>
#include <poll.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "events.h"
#include "hooks.h"
#include "stream.h"
#include "util.h"

struct top top = { .verdict = -1, .csort = 1, .hsort = 1 };

/* By index, so that a trap class without a column name fails to build
 * rather than showing "(null)". */
_Static_assert(ECI_CLASS_MAX == 6, "a new trap class needs its ecitop column name here");
const char *const top_ccol_names[CCOL_N] = {
	[CCOL_NAME] = "CONTAINER",
	[CCOL_RATE] = "TRAPS/S",
	[CCOL_TOTAL] = "TOTAL",
	[CCOL_CLASS0 + ECI_CLASS_MODULE] = "MODULE",
	[CCOL_CLASS0 + ECI_CLASS_MOUNT] = "MOUNT",
	[CCOL_CLASS0 + ECI_CLASS_DEVICE] = "DEVICE",
	[CCOL_CLASS0 + ECI_CLASS_KERNEL] = "KERNEL",
	[CCOL_CLASS0 + ECI_CLASS_SOCKET] = "SOCKET",
	[CCOL_CLASS0 + ECI_CLASS_PROCESS] = "PROCESS",
	[CCOL_MODE] = "MODE",
};
const char *const top_hcol_names[HCOL_N] = { "HOOK",	"CALLS/S", "CALLS",
					     "DENIALS", "AUDITS",  "NS/RUN" };

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* Keep an event (takes the reference). */
void top_push_event(json_object *o)
{
	struct top_ev *e = &top.tail[top.tail_head];
	json_object *v;
	const char *s;

	if (top.tail_n == TOP_TAIL_MAX)
		json_object_put(e->o);
	else
		top.tail_n++;
	top.tail_head = (top.tail_head + 1) % TOP_TAIL_MAX;
	memset(e, 0, sizeof(*e));
	e->o = o;
	e->t = json_object_object_get_ex(o, "time_ns", &v) ? json_object_get_int64(v) / 1e9 : 0;
	e->root = json_object_object_get_ex(o, "container_cgroup_id", &v) ?
			  json_object_get_uint64(v) :
			  0;
	e->hook = eci_hook_index(jstr(o, "hook"));
	e->cls = eci_class_index(jstr(o, "class"));
	e->verdict = !strcmp(jstr(o, "verdict"), "audit") ? ECI_VERDICT_AUDIT : ECI_VERDICT_DENY;
	snprintf(e->ctr, sizeof(e->ctr), "%s", jstr(o, "container"));
	snprintf(e->comm, sizeof(e->comm), "%s", jstr(o, "comm"));
	s = jstr(o, "detail");
	if (!*s)
		s = jstr(o, "device");
	if (!*s)
		s = jstr(o, "capability");
	if (*s)
		snprintf(e->what, sizeof(e->what), "%s%s%s", s, *jstr(o, "access") ? " " : "",
			 jstr(o, "access"));
	else if (json_object_object_get_ex(o, "command", &v))
		snprintf(e->what, sizeof(e->what), "command %d", json_object_get_int(v));
	if (top.batch)
		json_object_array_add(top.fresh, json_object_get(o));
}

/* Newest first: i = 0 is the latest. */
struct top_ev *top_tail_at(size_t i)
{
	return &top.tail[(top.tail_head + TOP_TAIL_MAX - 1 - i) % TOP_TAIL_MAX];
}

static bool on_line(const char *line, void *ctx)
{
	json_object *o = json_tokener_parse(line);

	(void)ctx;
	/* Events only: a note such as {"lost_events":N} has no hook. */
	if (o && json_object_object_get_ex(o, "hook", NULL))
		top_push_event(o);
	else
		json_object_put(o);
	return true;
}

void top_close_events(void)
{
	if (!top.ev)
		return;
	eci_stream_disconnect(top.ev);
	free(top.ev);
	top.ev = NULL;
}

/* The daemon's stream (the kernel's buffer is the daemon's alone):
 * connected again at each refresh while it is not. */
void top_open_events(void)
{
	bool was_down = top.ev_down;

	if (top.ev || top.replay)
		return;
	top.ev = malloc(sizeof(*top.ev));
	if (!top.ev)
		return;
	top.ev_down = eci_stream_connect(top.ev, eci_events_sock(), ECI_STREAM_FOLLOW) != 0;
	if (top.ev_down) {
		free(top.ev);
		top.ev = NULL;
		if (top.batch && !was_down)
			eci_warn(
				"no trap events: eci's daemon is not running (nothing listens on %s): %s",
				ECI_EVENTS_SOCK, ECI_DAEMON_HINT);
		return;
	}
	/* The daemon answers between two of its polls: without this wait, a
	 * trap made just before ecitop started could miss the first refresh.
	 * An older daemon sends no marker; it costs one second once. */
	for (int i = 0; i < 10 && top.ev && !top.ev->caught_up; i++)
		top_poll_events(100);
}

void top_poll_events(int ms)
{
	struct pollfd p;

	if (!top.ev) {
		if (ms > 0)
			usleep(ms * 1000);
		return;
	}
	p.fd = top.ev->fd;
	p.events = POLLIN;
	if (ms > 0 && poll(&p, 1, ms) <= 0)
		return;
	if (eci_stream_read(top.ev, false, on_line, NULL))
		top_close_events();
}

/* Next snapshot from the kernel or the recording. 1: none left (replay). */
int top_sample(void)
{
	struct eci_snapshot s;

	if (top.replay) {
		char *line = NULL;
		size_t cap = 0;
		json_object *o = NULL, *a;
		int err = 0;

		while (!o) {
			if (getline(&line, &cap, top.replay) < 0) {
				free(line);
				top.replay_done = true;
				return 1;
			}
			if (line[strspn(line, " \t\r\n")])
				o = json_tokener_parse(line);
			if (line[strspn(line, " \t\r\n")] && !o) {
				free(line);
				eci_err("failed to read the replay file: a line is not JSON");
				return -EINVAL;
			}
		}
		free(line);
		err = eci_snapshot_from_json(o, &s);
		if (!err && json_object_object_get_ex(o, "events", &a) &&
		    json_object_is_type(a, json_type_array))
			for (size_t i = 0; i < json_object_array_length(a); i++)
				top_push_event(json_object_get(json_object_array_get_idx(a, i)));
		json_object_put(o);
		if (err) {
			eci_err("failed to read the replay file: a line is not an ecitop refresh");
			return err;
		}
	} else {
		int err;

		top_open_events();
		top_poll_events(0);
		err = eci_snapshot_read(&s);
		if (err)
			return err;
	}
	if (top.have_prev)
		eci_snapshot_free(&top.prev);
	top.prev = top.cur;
	top.have_prev = top.cur.mono > 0;
	top.cur = s;
	return 0;
}

/* ---- derived numbers ------------------------------------------------ */

double top_dt(void)
{
	return top.have_prev && top.cur.mono > top.prev.mono ? top.cur.mono - top.prev.mono : 0;
}

static uint64_t ctr_count(const struct eci_ctr_snap *c, int cls)
{
	uint64_t n = 0;

	if (top.verdict != ECI_VERDICT_AUDIT)
		n += c->denials[cls];
	if (top.verdict != ECI_VERDICT_DENY)
		n += c->audits[cls];
	return n;
}

static const struct eci_ctr_snap *prev_ctr(uint64_t id)
{
	if (!top.have_prev)
		return NULL;
	for (size_t i = 0; i < top.prev.nctrs; i++)
		if (top.prev.ctrs[i].id == id)
			return &top.prev.ctrs[i];
	return NULL;
}

double top_ctr_rate(const struct eci_ctr_snap *c, int cls)
{
	const struct eci_ctr_snap *p = prev_ctr(c->id);
	uint64_t now = 0, then = 0;
	double d = top_dt();

	if (!p || d <= 0)
		return 0;
	for (int k = 0; k < ECI_CLASS_MAX; k++)
		if (cls < 0 || k == cls) {
			now += ctr_count(c, k);
			then += ctr_count(p, k);
		}
	return now >= then ? (now - then) / d : 0;
}

double top_hook_rate(int h, bool calls)
{
	const struct eci_hook_snap *a = &top.cur.hooks[h], *b = &top.prev.hooks[h];
	uint64_t x = calls ? a->calls : a->denials + a->audits;
	uint64_t y = calls ? b->calls : b->denials + b->audits;
	double d = top_dt();

	return d > 0 && x >= y ? (x - y) / d : 0;
}

double top_total_rate(void)
{
	double r = 0;

	for (int h = 0; h < ECI_HOOK_MAX; h++)
		r += top_hook_rate(h, false);
	return r;
}

bool top_ev_shown(const struct top_ev *e, uint64_t only_root)
{
	if (only_root && e->root != only_root)
		return false;
	if (top.verdict >= 0 && e->verdict != top.verdict)
		return false;
	if (top.fctr[0] && !strstr(e->ctr, top.fctr))
		return false;
	if (top.fhook[0] && (e->hook < 0 || !strstr(eci_hook_names[e->hook], top.fhook)))
		return false;
	return true;
}

/* ---- sorted rows ---------------------------------------------------- */

static int cmp_crow(const void *a, const void *b)
{
	const struct top_crow *x = a, *y = b;
	int r;

	if (top.csort == CCOL_NAME)
		r = strcmp(x->c->name, y->c->name);
	else
		r = x->v[top.csort] < y->v[top.csort] ? 1 :
		    x->v[top.csort] > y->v[top.csort] ? -1 :
							0;
	if (!r)
		r = x->v[CCOL_TOTAL] < y->v[CCOL_TOTAL] ? 1 :
		    x->v[CCOL_TOTAL] > y->v[CCOL_TOTAL] ? -1 :
							  strcmp(x->c->name, y->c->name);
	return top.crev ? -r : r;
}

static int cmp_hrow(const void *a, const void *b)
{
	const struct top_hrow *x = a, *y = b;
	int r;

	if (top.hsort == HCOL_NAME)
		r = strcmp(eci_hook_names[x->h], eci_hook_names[y->h]);
	else
		r = x->v[top.hsort] < y->v[top.hsort] ? 1 :
		    x->v[top.hsort] > y->v[top.hsort] ? -1 :
							0;
	if (!r)
		r = x->h - y->h;
	return top.hrev ? -r : r;
}

size_t top_container_rows(struct top_crow *rows)
{
	size_t n = 0;

	for (size_t i = 0; i < top.cur.nctrs; i++) {
		const struct eci_ctr_snap *c = &top.cur.ctrs[i];
		struct top_crow *r = &rows[n];

		if (top.fctr[0] && !strstr(c->name, top.fctr))
			continue;
		r->c = c;
		r->v[CCOL_RATE] = top_ctr_rate(c, -1);
		r->v[CCOL_TOTAL] = 0;
		for (int k = 0; k < ECI_CLASS_MAX; k++) {
			r->v[CCOL_CLASS0 + k] = (double)ctr_count(c, k);
			r->v[CCOL_TOTAL] += r->v[CCOL_CLASS0 + k];
		}
		r->v[CCOL_MODE] = !!(c->flags & ECI_CF_AUDIT);
		n++;
	}
	qsort(rows, n, sizeof(*rows), cmp_crow);
	return n;
}

size_t top_hook_rows(struct top_hrow *rows)
{
	size_t n = 0;

	for (int h = 0; h < ECI_HOOK_MAX; h++) {
		const struct eci_hook_snap *k = &top.cur.hooks[h];
		struct top_hrow *r = &rows[n];

		if (top.fhook[0] && !strstr(eci_hook_names[h], top.fhook))
			continue;
		r->h = h;
		r->v[HCOL_RATE] = top_hook_rate(h, true);
		r->v[HCOL_CALLS] = (double)k->calls;
		r->v[HCOL_DENIALS] = top.verdict == ECI_VERDICT_AUDIT ? 0 : (double)k->denials;
		r->v[HCOL_AUDITS] = top.verdict == ECI_VERDICT_DENY ? 0 : (double)k->audits;
		r->v[HCOL_NS] = k->run_cnt ? (double)k->run_time_ns / k->run_cnt : -1;
		n++;
	}
	qsort(rows, n, sizeof(*rows), cmp_hrow);
	return n;
}

void top_fmt_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	localtime_r(&s, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

void top_fmt_uptime(double up, char *buf, size_t len)
{
	long s = (long)up;

	if (s >= 86400)
		snprintf(buf, len, "%ldd%02ldh%02ldm", s / 86400, s / 3600 % 24, s / 60 % 60);
	else
		snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

double top_pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * a / b : 0;
}

/* ---- batch ---------------------------------------------------------- */

void top_print_json(FILE *f)
{
	json_object *o = eci_snapshot_json(&top.cur), *a, *x;

	json_object_object_add(o, "interval", json_object_new_double(top_dt()));
	json_object_object_add(o, "traps_per_second", json_object_new_double(top_total_rate()));
	if (json_object_object_get_ex(o, "containers", &a))
		for (size_t i = 0; i < json_object_array_length(a) && i < top.cur.nctrs; i++) {
			x = json_object_array_get_idx(a, i);
			json_object_object_add(
				x, "traps_per_second",
				json_object_new_double(top_ctr_rate(&top.cur.ctrs[i], -1)));
		}
	if (json_object_object_get_ex(o, "hooks", &a))
		for (int h = 0; h < ECI_HOOK_MAX && h < (int)json_object_array_length(a); h++) {
			x = json_object_array_get_idx(a, h);
			json_object_object_add(x, "calls_per_second",
					       json_object_new_double(top_hook_rate(h, true)));
		}
	json_object_object_add(o, "events", top.fresh);
	top.fresh = json_object_new_array();
	fprintf(f, "%s\n", json_object_to_json_string_ext(o, ECI_JSON_FLAGS));
	json_object_put(o);
}

void top_print_text(FILE *f)
{
	struct top_crow *crows = calloc(top.cur.nctrs + 1, sizeof(*crows));
	struct top_hrow hrows[ECI_HOOK_MAX];
	size_t nc, nh, nev;
	char up[32], tm[16];

	if (!crows)
		return;
	top_fmt_time(top.cur.real, tm, sizeof(tm));
	if (!top.cur.loaded) {
		fprintf(f, "ecitop %s: eci not loaded\n\n", tm);
		free(crows);
		return;
	}
	top_fmt_uptime(top.cur.uptime, up, sizeof(up));
	fprintf(f,
		"ecitop %s: eci loaded, up %s, %.1f traps/s, %" PRIu64 " events dropped, %" PRIu64
		" throttled, cgroups %" PRIu64 "/%" PRIu64 ", bpf stats %s\n",
		tm, up, top_total_rate(), (uint64_t)top.cur.state.event_drops,
		(uint64_t)top.cur.state.event_throttled, top.cur.cgroups, top.cur.cgroups_max,
		top.cur.bpf_stats ? "on" : "off");
	nc = top_container_rows(crows);
	fprintf(f, "%-16s %8s %8s", "CONTAINER", "TRAPS/S", "TOTAL");
	for (int k = 0; k < ECI_CLASS_MAX; k++)
		fprintf(f, " %7s", top_ccol_names[CCOL_CLASS0 + k]);
	fprintf(f, " MODE\n");
	for (size_t i = 0; i < nc; i++) {
		fprintf(f, "%-16.16s %8.1f %8.0f", crows[i].c->name, crows[i].v[CCOL_RATE],
			crows[i].v[CCOL_TOTAL]);
		for (int k = 0; k < ECI_CLASS_MAX; k++)
			fprintf(f, " %7.0f", crows[i].v[CCOL_CLASS0 + k]);
		fprintf(f, " %s\n", crows[i].c->flags & ECI_CF_AUDIT ? "audit" : "deny");
	}
	nh = top_hook_rows(hrows);
	fprintf(f, "%-22s %9s %12s %9s %9s %8s\n", "HOOK", "CALLS/S", "CALLS", "DENIALS", "AUDITS",
		"NS/RUN");
	for (size_t i = 0; i < nh; i++) {
		const struct top_hrow *r = &hrows[i];

		if (!r->v[HCOL_CALLS])
			continue;
		fprintf(f, "%-22s %9.1f %12.0f %9.0f %9.0f", eci_hook_names[r->h], r->v[HCOL_RATE],
			r->v[HCOL_CALLS], r->v[HCOL_DENIALS], r->v[HCOL_AUDITS]);
		if (r->v[HCOL_NS] >= 0)
			fprintf(f, " %8.0f\n", r->v[HCOL_NS]);
		else
			fprintf(f, " %8s\n", "-");
	}
	nev = json_object_array_length(top.fresh);
	fprintf(f, "TRAPS (%zu new)\n", nev);
	/* The new events are the newest of the tail. */
	for (size_t i = nev < top.tail_n ? nev : top.tail_n; i-- > 0;) {
		const struct top_ev *e = top_tail_at(i);

		top_fmt_time(e->t, tm, sizeof(tm));
		fprintf(f, "%s %-14.14s %-20.20s %-6s %-5s %-15s %s\n", tm, e->ctr,
			e->hook >= 0 ? eci_hook_names[e->hook] : "?",
			e->cls >= 0 ? eci_class_names[e->cls] : "?",
			e->verdict == ECI_VERDICT_AUDIT ? "audit" : "deny", e->comm, e->what);
	}
	fputc('\n', f);
	json_object_put(top.fresh);
	top.fresh = json_object_new_array();
	free(crows);
}
