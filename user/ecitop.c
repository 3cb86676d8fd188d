// SPDX-License-Identifier: GPL-2.0
/*
 * ecitop: the enforcer's traps live. Every refresh reads all counters into a
 * snapshot (stats.c) and rates are the difference from the previous one; the
 * trap tail is the events ring buffer, consumed. Batch mode prints the same
 * per interval as text or JSON lines, which --replay reads back, so the
 * interactive screens can be driven from a recording as well as live.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <ncursesw/curses.h>

#include "events.h"
#include "hooks.h"
#include "stats.h"
#include "util.h"

#define TAIL_MAX 256

static const char usage[] =
	"usage: ecitop [-b] [-d SECONDS] [-n COUNT] [--json] [--bpf-stats] [--replay FILE]\n"
	"\n"
	"The eci enforcer's traps live: per container and class, per hook, and the\n"
	"latest trap events (ecitop consumes the events ring buffer).\n"
	"\n"
	"  -b, --batch        print each refresh instead of a screen (automatic when\n"
	"                     stdout is not a terminal)\n"
	"  -d, --delay S      seconds between refreshes (default 1, fractions allowed)\n"
	"  -n, --iterations N stop after N refreshes (default: until q or SIGINT)\n"
	"      --json         batch mode prints one JSON object per refresh\n"
	"      --bpf-stats    keep the kernel's BPF run-time statistics on while running\n"
	"                     (ns/run per hook); never turns off what others turned on\n"
	"      --replay FILE  read refreshes from FILE (ecitop -b --json output)\n"
	"                     instead of the kernel\n"
	"  -h, --help         this text\n"
	"      --version      the version of this build\n"
	"\n"
	"keys: Tab switch table, Up/Down select, < > sort column, r reverse,\n"
	"      / filter container, h filter hook, v verdict (all/deny/audit), c clear,\n"
	"      Enter drill into a container, Esc back, p pause, ? help, q quit\n";

/* One trap event, decoded once for the tail and the drill-down. */
struct ev {
	json_object *o;
	double t;
	uint64_t root;
	int hook, cls, verdict;
	char ctr[ECI_NAME_LEN];
	char comm[ECI_COMM_LEN];
	char what[160];
};

static struct {
	/* source */
	struct ring_buffer *rb;
	int ev_fd;
	FILE *replay;
	bool replay_done;
	/* data */
	struct eci_snapshot cur, prev;
	bool have_prev;
	struct ev tail[TAIL_MAX];
	size_t tail_n, tail_head; /* ring: newest at tail_head - 1 */
	json_object *fresh; /* events since the last batch print */
	/* view */
	bool batch, json, paused, help, detail, hook_focus;
	int csort, hsort;
	bool crev, hrev;
	int verdict; /* -1 all, else enum eci_verdict */
	char fctr[ECI_NAME_LEN], fhook[ECI_NAME_LEN];
	int prompt; /* 0, '/' or 'h' */
	char input[ECI_NAME_LEN];
	size_t csel, hsel;
	uint64_t sel_id;
	int sel_hook;
} T = { .ev_fd = -1, .verdict = -1, .csort = 1, .hsort = 1, .sel_hook = -1 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* Keep an event (takes the reference). */
static void push_event(json_object *o)
{
	struct ev *e = &T.tail[T.tail_head];
	json_object *v;
	const char *s;

	if (T.tail_n == TAIL_MAX)
		json_object_put(e->o);
	else
		T.tail_n++;
	T.tail_head = (T.tail_head + 1) % TAIL_MAX;
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
	if (T.batch)
		json_object_array_add(T.fresh, json_object_get(o));
}

/* Newest first: i = 0 is the latest. */
static struct ev *tail_at(size_t i)
{
	return &T.tail[(T.tail_head + TAIL_MAX - 1 - i) % TAIL_MAX];
}

static int on_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	if (len >= sizeof(struct eci_event))
		push_event(eci_event_json(data));
	return 0;
}

/* The ring buffer appears with the enforcer: retried at each refresh. */
static void open_events(void)
{
	if (T.rb || T.replay)
		return;
	T.ev_fd = bpf_obj_get(ECI_PIN_MAPS "/events");
	if (T.ev_fd < 0)
		return;
	T.rb = ring_buffer__new(T.ev_fd, on_event, NULL, NULL);
	if (!T.rb) {
		close(T.ev_fd);
		T.ev_fd = -1;
	}
}

/* Next snapshot from the kernel or the recording. 1: none left (replay). */
static int sample(void)
{
	struct eci_snapshot s;

	if (T.replay) {
		char *line = NULL;
		size_t cap = 0;
		json_object *o = NULL, *a;
		int err = 0;

		while (!o) {
			if (getline(&line, &cap, T.replay) < 0) {
				free(line);
				T.replay_done = true;
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
				push_event(json_object_get(json_object_array_get_idx(a, i)));
		json_object_put(o);
		if (err) {
			eci_err("failed to read the replay file: a line is not an ecitop refresh");
			return err;
		}
	} else {
		int err;

		open_events();
		if (T.rb)
			ring_buffer__consume(T.rb);
		err = eci_snapshot_read(&s);
		if (err)
			return err;
	}
	if (T.have_prev)
		eci_snapshot_free(&T.prev);
	T.prev = T.cur;
	T.have_prev = T.cur.mono > 0;
	T.cur = s;
	return 0;
}

/* ---- derived numbers ------------------------------------------------ */

static double dt(void)
{
	return T.have_prev && T.cur.mono > T.prev.mono ? T.cur.mono - T.prev.mono : 0;
}

static uint64_t ctr_count(const struct eci_ctr_snap *c, int cls)
{
	uint64_t n = 0;

	if (T.verdict != ECI_VERDICT_AUDIT)
		n += c->denials[cls];
	if (T.verdict != ECI_VERDICT_DENY)
		n += c->audits[cls];
	return n;
}

static const struct eci_ctr_snap *prev_ctr(uint64_t id)
{
	if (!T.have_prev)
		return NULL;
	for (size_t i = 0; i < T.prev.nctrs; i++)
		if (T.prev.ctrs[i].id == id)
			return &T.prev.ctrs[i];
	return NULL;
}

static double ctr_rate(const struct eci_ctr_snap *c, int cls)
{
	const struct eci_ctr_snap *p = prev_ctr(c->id);
	uint64_t now = 0, then = 0;
	double d = dt();

	if (!p || d <= 0)
		return 0;
	for (int k = 0; k < ECI_CLASS_MAX; k++)
		if (cls < 0 || k == cls) {
			now += ctr_count(c, k);
			then += ctr_count(p, k);
		}
	return now >= then ? (now - then) / d : 0;
}

static double hook_rate(int h, bool calls)
{
	const struct eci_hook_snap *a = &T.cur.hooks[h], *b = &T.prev.hooks[h];
	uint64_t x = calls ? a->calls : a->denials + a->audits;
	uint64_t y = calls ? b->calls : b->denials + b->audits;
	double d = dt();

	return d > 0 && x >= y ? (x - y) / d : 0;
}

static double total_rate(void)
{
	double r = 0;

	for (int h = 0; h < ECI_HOOK_MAX; h++)
		r += hook_rate(h, false);
	return r;
}

static bool ev_shown(const struct ev *e, uint64_t only_root)
{
	if (only_root && e->root != only_root)
		return false;
	if (T.verdict >= 0 && e->verdict != T.verdict)
		return false;
	if (T.fctr[0] && !strstr(e->ctr, T.fctr))
		return false;
	if (T.fhook[0] && (e->hook < 0 || !strstr(eci_hook_names[e->hook], T.fhook)))
		return false;
	return true;
}

/* ---- sorted rows ---------------------------------------------------- */

enum {
	CCOL_NAME,
	CCOL_RATE,
	CCOL_TOTAL,
	CCOL_CLASS0,
	CCOL_MODE = CCOL_CLASS0 + ECI_CLASS_MAX,
	CCOL_N
};
enum { HCOL_NAME, HCOL_RATE, HCOL_CALLS, HCOL_DENIALS, HCOL_AUDITS, HCOL_NS, HCOL_N };

static const char *const ccol_names[CCOL_N] = { "CONTAINER", "TRAPS/S", "TOTAL",  "MODULE", "MOUNT",
						"DEVICE",    "KERNEL",	"SOCKET", "MODE" };
static const char *const hcol_names[HCOL_N] = { "HOOK",	   "CALLS/S", "CALLS",
						"DENIALS", "AUDITS",  "NS/RUN" };

struct crow {
	const struct eci_ctr_snap *c;
	double v[CCOL_N];
};

struct hrow {
	int h;
	double v[HCOL_N];
};

static int cmp_crow(const void *a, const void *b)
{
	const struct crow *x = a, *y = b;
	int r;

	if (T.csort == CCOL_NAME)
		r = strcmp(x->c->name, y->c->name);
	else
		r = x->v[T.csort] < y->v[T.csort] ? 1 : x->v[T.csort] > y->v[T.csort] ? -1 : 0;
	if (!r)
		r = x->v[CCOL_TOTAL] < y->v[CCOL_TOTAL] ? 1 :
		    x->v[CCOL_TOTAL] > y->v[CCOL_TOTAL] ? -1 :
							  strcmp(x->c->name, y->c->name);
	return T.crev ? -r : r;
}

static int cmp_hrow(const void *a, const void *b)
{
	const struct hrow *x = a, *y = b;
	int r;

	if (T.hsort == HCOL_NAME)
		r = strcmp(eci_hook_names[x->h], eci_hook_names[y->h]);
	else
		r = x->v[T.hsort] < y->v[T.hsort] ? 1 : x->v[T.hsort] > y->v[T.hsort] ? -1 : 0;
	if (!r)
		r = x->h - y->h;
	return T.hrev ? -r : r;
}

static size_t container_rows(struct crow *rows)
{
	size_t n = 0;

	for (size_t i = 0; i < T.cur.nctrs; i++) {
		const struct eci_ctr_snap *c = &T.cur.ctrs[i];
		struct crow *r = &rows[n];

		if (T.fctr[0] && !strstr(c->name, T.fctr))
			continue;
		r->c = c;
		r->v[CCOL_RATE] = ctr_rate(c, -1);
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

static size_t hook_rows(struct hrow *rows)
{
	size_t n = 0;

	for (int h = 0; h < ECI_HOOK_MAX; h++) {
		const struct eci_hook_snap *k = &T.cur.hooks[h];
		struct hrow *r = &rows[n];

		if (T.fhook[0] && !strstr(eci_hook_names[h], T.fhook))
			continue;
		r->h = h;
		r->v[HCOL_RATE] = hook_rate(h, true);
		r->v[HCOL_CALLS] = (double)k->calls;
		r->v[HCOL_DENIALS] = T.verdict == ECI_VERDICT_AUDIT ? 0 : (double)k->denials;
		r->v[HCOL_AUDITS] = T.verdict == ECI_VERDICT_DENY ? 0 : (double)k->audits;
		r->v[HCOL_NS] = k->run_cnt ? (double)k->run_time_ns / k->run_cnt : -1;
		n++;
	}
	qsort(rows, n, sizeof(*rows), cmp_hrow);
	return n;
}

static void fmt_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	localtime_r(&s, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

static void fmt_uptime(double up, char *buf, size_t len)
{
	long s = (long)up;

	if (s >= 86400)
		snprintf(buf, len, "%ldd%02ldh%02ldm", s / 86400, s / 3600 % 24, s / 60 % 60);
	else
		snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * a / b : 0;
}

/* ---- batch ---------------------------------------------------------- */

static void print_batch_json(void)
{
	json_object *o = eci_snapshot_json(&T.cur), *a, *x;

	json_object_object_add(o, "interval", json_object_new_double(dt()));
	json_object_object_add(o, "traps_per_second", json_object_new_double(total_rate()));
	if (json_object_object_get_ex(o, "containers", &a))
		for (size_t i = 0; i < json_object_array_length(a) && i < T.cur.nctrs; i++) {
			x = json_object_array_get_idx(a, i);
			json_object_object_add(
				x, "traps_per_second",
				json_object_new_double(ctr_rate(&T.cur.ctrs[i], -1)));
		}
	if (json_object_object_get_ex(o, "hooks", &a))
		for (int h = 0; h < ECI_HOOK_MAX && h < (int)json_object_array_length(a); h++) {
			x = json_object_array_get_idx(a, h);
			json_object_object_add(x, "calls_per_second",
					       json_object_new_double(hook_rate(h, true)));
		}
	json_object_object_add(o, "events", T.fresh);
	T.fresh = json_object_new_array();
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void print_batch_text(void)
{
	struct crow *crows = calloc(T.cur.nctrs + 1, sizeof(*crows));
	struct hrow hrows[ECI_HOOK_MAX];
	size_t nc, nh, nev;
	char up[32], tm[16];

	if (!crows)
		return;
	fmt_time(T.cur.real, tm, sizeof(tm));
	if (!T.cur.loaded) {
		printf("ecitop %s: eci not loaded\n\n", tm);
		free(crows);
		return;
	}
	fmt_uptime(T.cur.uptime, up, sizeof(up));
	printf("ecitop %s: eci loaded, up %s, %.1f traps/s, %" PRIu64 " events dropped, %" PRIu64
	       " throttled, cgroups %" PRIu64 "/%" PRIu64 ", bpf stats %s\n",
	       tm, up, total_rate(), (uint64_t)T.cur.state.event_drops,
	       (uint64_t)T.cur.state.event_throttled, T.cur.cgroups, T.cur.cgroups_max,
	       T.cur.bpf_stats ? "on" : "off");
	nc = container_rows(crows);
	printf("%-16s %8s %8s", "CONTAINER", "TRAPS/S", "TOTAL");
	for (int k = 0; k < ECI_CLASS_MAX; k++)
		printf(" %7s", ccol_names[CCOL_CLASS0 + k]);
	printf(" MODE\n");
	for (size_t i = 0; i < nc; i++) {
		printf("%-16.16s %8.1f %8.0f", crows[i].c->name, crows[i].v[CCOL_RATE],
		       crows[i].v[CCOL_TOTAL]);
		for (int k = 0; k < ECI_CLASS_MAX; k++)
			printf(" %7.0f", crows[i].v[CCOL_CLASS0 + k]);
		printf(" %s\n", crows[i].c->flags & ECI_CF_AUDIT ? "audit" : "deny");
	}
	nh = hook_rows(hrows);
	printf("%-22s %9s %12s %9s %9s %8s\n", "HOOK", "CALLS/S", "CALLS", "DENIALS", "AUDITS",
	       "NS/RUN");
	for (size_t i = 0; i < nh; i++) {
		const struct hrow *r = &hrows[i];

		if (!r->v[HCOL_CALLS])
			continue;
		printf("%-22s %9.1f %12.0f %9.0f %9.0f", eci_hook_names[r->h], r->v[HCOL_RATE],
		       r->v[HCOL_CALLS], r->v[HCOL_DENIALS], r->v[HCOL_AUDITS]);
		if (r->v[HCOL_NS] >= 0)
			printf(" %8.0f\n", r->v[HCOL_NS]);
		else
			printf(" %8s\n", "-");
	}
	nev = json_object_array_length(T.fresh);
	printf("TRAPS (%zu new)\n", nev);
	/* The new events are the newest of the tail. */
	for (size_t i = nev < T.tail_n ? nev : T.tail_n; i-- > 0;) {
		const struct ev *e = tail_at(i);

		fmt_time(e->t, tm, sizeof(tm));
		printf("%s %-14.14s %-20.20s %-6s %-5s %-15s %s\n", tm, e->ctr,
		       e->hook >= 0 ? eci_hook_names[e->hook] : "?",
		       e->cls >= 0 ? eci_class_names[e->cls] : "?",
		       e->verdict == ECI_VERDICT_AUDIT ? "audit" : "deny", e->comm, e->what);
	}
	putchar('\n');
	json_object_put(T.fresh);
	T.fresh = json_object_new_array();
	free(crows);
}

static int run_batch(double delay, long count)
{
	long n = 0;
	int err;

	T.fresh = json_object_new_array();
	while (!stop) {
		err = sample();
		if (err == 1)
			break;
		if (err)
			return 1;
		if (T.json)
			print_batch_json();
		else
			print_batch_text();
		if (fflush(stdout)) {
			eci_err("failed to write: %s", strerror(errno));
			return 1;
		}
		if (count && ++n >= count)
			break;
		/* Wait out the interval; live events are taken as they come so
		 * the buffer does not fill meanwhile. */
		for (double end = now_mono() + delay; !stop && now_mono() < end;) {
			int ms = (int)((end - now_mono()) * 1000) + 1;

			if (T.rb)
				ring_buffer__poll(T.rb, ms > 200 ? 200 : ms);
			else
				usleep((ms > 200 ? 200 : ms) * 1000);
		}
	}
	json_object_put(T.fresh);
	return 0;
}

/* ---- screen --------------------------------------------------------- */

static void put_line(int y, int attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put_line(int y, int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (y < 0 || y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attrset(attr);
	mvaddnstr(y, 0, buf, COLS);
	if (attr & A_REVERSE)
		for (int x = (int)strlen(buf); x < COLS; x++)
			mvaddch(y, x, ' ');
	attrset(A_NORMAL);
}

/* Three lines: the enforcer, map fill, what the view shows. */
static void draw_header(void)
{
	char up[32];

	if (!T.cur.loaded) {
		put_line(0, A_BOLD, "ecitop - eci not loaded");
	} else {
		fmt_uptime(T.cur.uptime, up, sizeof(up));
		put_line(0, A_BOLD,
			 "ecitop - eci loaded, up %s, %.1f traps/s, drops %" PRIu64
			 ", throttled %" PRIu64 "%s",
			 up, total_rate(), (uint64_t)T.cur.state.event_drops,
			 (uint64_t)T.cur.state.event_throttled,
			 T.cur.audit_all ? ", AUDIT ALL" : "");
	}
	put_line(1, A_NORMAL,
		 "maps: cgroups %" PRIu64 "/%" PRIu64 " (%.1f%%), counters %" PRIu64 "/%" PRIu64
		 " (%.1f%%); bpf stats %s",
		 T.cur.cgroups, T.cur.cgroups_max, pct(T.cur.cgroups, T.cur.cgroups_max),
		 T.cur.stats_entries, T.cur.stats_max, pct(T.cur.stats_entries, T.cur.stats_max),
		 T.cur.bpf_stats ? "on" : "off");
	put_line(2, A_NORMAL, "%s%sfilter:%s%s%s%s%s%s", T.paused ? "[PAUSED] " : "",
		 T.replay ? (T.replay_done ? "[replay: end] " : "[replay] ") : "",
		 T.fctr[0] ? " container~" : "", T.fctr, T.fhook[0] ? " hook~" : "", T.fhook,
		 T.verdict == ECI_VERDICT_DENY	? " verdict=deny" :
		 T.verdict == ECI_VERDICT_AUDIT ? " verdict=audit" :
						  "",
		 T.fctr[0] || T.fhook[0] || T.verdict >= 0 ? "" : " none");
}

static void col_header(int y, const char *const *names, const int *widths, int n, int sorted,
		       bool rev, bool focus)
{
	char buf[256];
	int off = 0;

	for (int i = 0; i < n && off < (int)sizeof(buf) - 1; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s%s", names[i],
			 i == sorted ? (rev ? "^" : "v") : "");
		off += snprintf(buf + off, sizeof(buf) - off, widths[i] < 0 ? "%-*s " : "%*s ",
				abs(widths[i]), name);
	}
	put_line(y, focus ? A_REVERSE | A_BOLD : A_REVERSE, "%s", buf);
}

static const int cwidths[CCOL_N] = { -15, 8, 8, 6, 6, 6, 6, 6, -5 };
static const int hwidths[HCOL_N] = { -22, 9, 12, 9, 9, 8 };

static void draw_events(int y, int rows, uint64_t only_root)
{
	char tm[16];
	size_t i;
	int shown = 0;

	put_line(y++, A_REVERSE, "%-8s %-12s %-18s %-6s %-5s %-10s %s", "TIME", "CONTAINER", "HOOK",
		 "CLASS", "VERD", "COMM", "WHAT");
	for (i = 0; i < T.tail_n && shown < rows - 1; i++) {
		const struct ev *e = tail_at(i);

		if (!ev_shown(e, only_root))
			continue;
		fmt_time(e->t, tm, sizeof(tm));
		put_line(y++, e->verdict == ECI_VERDICT_DENY ? A_NORMAL : A_DIM,
			 "%-8s %-12.12s %-18.18s %-6s %-5s %-10.10s %s", tm, e->ctr,
			 e->hook >= 0 ? eci_hook_names[e->hook] : "?",
			 e->cls >= 0 ? eci_class_names[e->cls] : "?",
			 e->verdict == ECI_VERDICT_AUDIT ? "audit" : "deny", e->comm, e->what);
		shown++;
	}
	if (!shown)
		put_line(y, A_DIM, "(no trap events%s)",
			 T.fctr[0] || T.fhook[0] || T.verdict >= 0 ? " match the filter" : " yet");
}

/* First row to show so that row sel is visible in a window of n rows. */
static size_t scroll_top(size_t sel, int n)
{
	return n > 0 && sel >= (size_t)n ? sel - n + 1 : 0;
}

static void draw_main(void)
{
	struct crow *crows = calloc(T.cur.nctrs + 1, sizeof(*crows));
	struct hrow hrows[ECI_HOOK_MAX];
	int avail = LINES - 4, ch, hh, y = 3;
	size_t nc, nh, top;

	if (!crows)
		return;
	nc = container_rows(crows);
	nh = hook_rows(hrows);
	/* Keep the selection on the same container when the order changes. */
	for (size_t i = 0; i < nc; i++)
		if (crows[i].c->id == T.sel_id)
			T.csel = i;
	if (T.csel >= nc)
		T.csel = nc ? nc - 1 : 0;
	if (nc)
		T.sel_id = crows[T.csel].c->id;
	for (size_t i = 0; i < nh; i++)
		if (hrows[i].h == T.sel_hook)
			T.hsel = i;
	if (T.hsel >= nh)
		T.hsel = nh ? nh - 1 : 0;
	if (nh)
		T.sel_hook = hrows[T.hsel].h;

	ch = avail * 4 / 10;
	hh = avail * 3 / 10;
	col_header(y++, ccol_names, cwidths, CCOL_N, T.csort, T.crev, !T.hook_focus);
	top = scroll_top(T.csel, ch - 1);
	for (size_t i = top; i < nc && (int)(i - top) < ch - 1; i++) {
		const struct crow *r = &crows[i];
		char line[256];
		int off;

		off = snprintf(line, sizeof(line), "%-15.15s %8.1f %8.0f ", r->c->name,
			       r->v[CCOL_RATE], r->v[CCOL_TOTAL]);
		for (int k = 0; k < ECI_CLASS_MAX; k++)
			off += snprintf(line + off, sizeof(line) - off, "%6.0f ",
					r->v[CCOL_CLASS0 + k]);
		snprintf(line + off, sizeof(line) - off, "%-5s",
			 r->c->flags & ECI_CF_AUDIT ? "audit" : "deny");
		put_line(y + (int)(i - top), i == T.csel && !T.hook_focus ? A_REVERSE : A_NORMAL,
			 "%s", line);
	}
	if (!nc)
		put_line(y, A_DIM, "(no protected containers%s)", T.fctr[0] ? " match" : "");
	y += ch - 1;
	col_header(y++, hcol_names, hwidths, HCOL_N, T.hsort, T.hrev, T.hook_focus);
	top = scroll_top(T.hsel, hh - 1);
	for (size_t i = top; i < nh && (int)(i - top) < hh - 1; i++) {
		const struct hrow *r = &hrows[i];
		char ns[16] = "-";

		if (r->v[HCOL_NS] >= 0)
			snprintf(ns, sizeof(ns), "%.0f", r->v[HCOL_NS]);
		put_line(y + (int)(i - top), i == T.hsel && T.hook_focus ? A_REVERSE : A_NORMAL,
			 "%-22.22s %9.1f %12.0f %9.0f %9.0f %8s", eci_hook_names[r->h],
			 r->v[HCOL_RATE], r->v[HCOL_CALLS], r->v[HCOL_DENIALS], r->v[HCOL_AUDITS],
			 ns);
	}
	y += hh - 1;
	draw_events(y, LINES - 1 - y, 0);
	free(crows);
}

static void draw_detail(void)
{
	const struct eci_ctr_snap *c = NULL;
	uint64_t per_hook[ECI_HOOK_MAX] = {};
	int y = 3;

	for (size_t i = 0; i < T.cur.nctrs; i++)
		if (T.cur.ctrs[i].id == T.sel_id)
			c = &T.cur.ctrs[i];
	if (!c) {
		put_line(y, A_BOLD,
			 "container %" PRIu64 " is gone (its cgroup was removed); Esc: back",
			 T.sel_id);
		return;
	}
	put_line(y++, A_BOLD,
		 "container %s (cgroup id %" PRIu64 ", %s mode): %" PRIu64
		 " traps, %.1f/s     Esc: back",
		 c->name, c->id, c->flags & ECI_CF_AUDIT ? "audit" : "deny",
		 eci_ctr_total(c, T.verdict), ctr_rate(c, -1));
	put_line(y++, A_REVERSE, "%-10s %10s %10s %9s", "CLASS", "DENIALS", "AUDITS", "TRAPS/S");
	for (int k = 0; k < ECI_CLASS_MAX; k++)
		put_line(y++, A_NORMAL, "%-10s %10" PRIu64 " %10" PRIu64 " %9.1f",
			 eci_class_names[k], c->denials[k], c->audits[k], ctr_rate(c, k));
	/* The kernel counts per container by class only; by hook, what the
	 * events held here show. */
	for (size_t i = 0; i < T.tail_n; i++) {
		const struct ev *e = tail_at(i);

		if (ev_shown(e, c->id) && e->hook >= 0)
			per_hook[e->hook]++;
	}
	put_line(y++, A_REVERSE, "%-22s %10s   (from the %zu most recent trap events held)", "HOOK",
		 "EVENTS", T.tail_n);
	for (int h = 0; h < ECI_HOOK_MAX && y < LINES / 2 + 3; h++)
		if (per_hook[h])
			put_line(y++, A_NORMAL, "%-22s %10" PRIu64, eci_hook_names[h], per_hook[h]);
	draw_events(y, LINES - 1 - y, c->id);
}

static void draw_help(void)
{
	static const char *const lines[] = {
		"ecitop keys",
		"",
		"  Tab        switch between the container and hook tables",
		"  Up/Down    select a row (PgUp/PgDn, Home/End)",
		"  < >        sort by the previous/next column;  r  reverse",
		"  /          filter containers by name (substring)",
		"  h          filter hooks by name (substring)",
		"  v          verdict: all, deny, audit",
		"  c          clear the filters",
		"  Enter      a container: its classes, hooks and recent traps",
		"  Esc        back",
		"  p          pause / resume",
		"  ?          this help (any key closes it)",
		"  q          quit",
	};
	int n = sizeof(lines) / sizeof(lines[0]), w = 64;
	int y0 = (LINES - n - 2) / 2, x0 = (COLS - w) / 2;

	if (y0 < 0)
		y0 = 0;
	if (x0 < 0)
		x0 = 0;
	for (int i = -1; i <= n; i++) {
		attrset(A_REVERSE);
		mvhline(y0 + 1 + i, x0, ' ', w);
		if (i >= 0 && i < n)
			mvaddnstr(y0 + 1 + i, x0 + 2, lines[i], w - 4);
	}
	attrset(A_NORMAL);
}

static void draw(void)
{
	erase();
	draw_header();
	if (T.detail)
		draw_detail();
	else
		draw_main();
	if (T.prompt)
		put_line(LINES - 1, A_BOLD, "%s: %s_",
			 T.prompt == '/' ? "filter container" : "filter hook", T.input);
	else
		put_line(
			LINES - 1, A_DIM,
			"q quit  ? help  Tab table  <> sort  / container  h hook  v verdict  Enter drill  p pause");
	if (T.help)
		draw_help();
	refresh();
}

/* A key while a filter prompt is open. */
static void prompt_key(int k)
{
	size_t n = strlen(T.input);

	if (k == 27) {
		T.prompt = 0;
	} else if (k == '\n' || k == KEY_ENTER || k == '\r') {
		if (T.prompt == '/')
			snprintf(T.fctr, sizeof(T.fctr), "%s", T.input);
		else
			snprintf(T.fhook, sizeof(T.fhook), "%s", T.input);
		T.prompt = 0;
	} else if ((k == KEY_BACKSPACE || k == 127 || k == 8) && n) {
		T.input[n - 1] = '\0';
	} else if (k >= 32 && k < 127 && n + 1 < sizeof(T.input)) {
		T.input[n] = (char)k;
		T.input[n + 1] = '\0';
	}
}

/* Returns false to quit. */
static bool key(int k)
{
	int *sort = T.hook_focus ? &T.hsort : &T.csort;
	bool *rev = T.hook_focus ? &T.hrev : &T.crev;
	size_t *sel = T.hook_focus ? &T.hsel : &T.csel;
	int ncol = T.hook_focus ? HCOL_N : CCOL_N;

	if (T.prompt) {
		prompt_key(k);
		return true;
	}
	if (T.help) {
		T.help = false;
		return k != 'q';
	}
	switch (k) {
	case 'q':
		return false;
	case '?':
		T.help = true;
		break;
	case 'p':
	case ' ':
		T.paused = !T.paused;
		break;
	case '\t':
		T.hook_focus = !T.hook_focus;
		break;
	case '<':
		*sort = (*sort + ncol - 1) % ncol;
		break;
	case '>':
	case 's':
		*sort = (*sort + 1) % ncol;
		break;
	case 'r':
		*rev = !*rev;
		break;
	case '/':
	case 'h':
		T.prompt = k;
		snprintf(T.input, sizeof(T.input), "%s", k == '/' ? T.fctr : T.fhook);
		break;
	case 'v':
		T.verdict = T.verdict == -1		  ? ECI_VERDICT_DENY :
			    T.verdict == ECI_VERDICT_DENY ? ECI_VERDICT_AUDIT :
							    -1;
		break;
	case 'c':
		T.fctr[0] = T.fhook[0] = '\0';
		T.verdict = -1;
		break;
	case KEY_UP:
	case 'k':
		if (*sel)
			(*sel)--;
		T.sel_id = 0, T.sel_hook = -1;
		break;
	case KEY_DOWN:
	case 'j':
		(*sel)++;
		T.sel_id = 0, T.sel_hook = -1;
		break;
	case KEY_PPAGE:
		*sel = *sel > 10 ? *sel - 10 : 0;
		T.sel_id = 0, T.sel_hook = -1;
		break;
	case KEY_NPAGE:
		*sel += 10;
		T.sel_id = 0, T.sel_hook = -1;
		break;
	case KEY_HOME:
		*sel = 0;
		T.sel_id = 0, T.sel_hook = -1;
		break;
	case KEY_END:
		*sel = (size_t)-1 / 2;
		T.sel_id = 0, T.sel_hook = -1;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
		if (!T.hook_focus && T.cur.nctrs)
			T.detail = true;
		break;
	case 27:
	case KEY_BACKSPACE:
	case KEY_LEFT:
	case 127:
		T.detail = false;
		break;
	case KEY_RESIZE:
		clear();
		break;
	default:
		break;
	}
	return true;
}

static int run_screen(double delay)
{
	double next = 0;
	int err;

	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	timeout(100);
	err = sample();
	if (err < 0) {
		endwin();
		return 1;
	}
	next = now_mono() + delay;
	draw();
	while (!stop) {
		int k = getch();

		if (k != ERR) {
			if (!key(k))
				break;
			draw();
			continue;
		}
		if (!T.paused && T.rb)
			ring_buffer__consume(T.rb);
		if (!T.paused && now_mono() >= next) {
			next = now_mono() + delay;
			err = sample();
			if (err < 0)
				break;
			draw();
		}
	}
	endwin();
	return err < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "bpf-stats", no_argument, NULL, 'S' },
		{ "replay", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	double delay = 1;
	long count = 0;
	const char *replay = NULL;
	bool bpf_stats = false;
	int opt, stats_fd = -1, ret;
	char *end;

	setlocale(LC_ALL, "");
	while ((opt = getopt_long(argc, argv, "bd:n:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			T.batch = true;
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || !isfinite(delay) || delay < 0.05 || delay > 86400)
				return eci_usage_err(
					"-d takes seconds between 0.05 and 86400, not '%s'",
					optarg);
			break;
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || count <= 0)
				return eci_usage_err("-n takes a positive count, not '%s'", optarg);
			break;
		case 'j':
			T.json = true;
			break;
		case 'S':
			bpf_stats = true;
			break;
		case 'r':
			replay = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			return eci_print_version();
		default:
			fprintf(stderr, "Try 'ecitop --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return eci_usage_err("unexpected argument '%s'", argv[optind]);
	if (!isatty(STDOUT_FILENO))
		T.batch = true;
	if (T.json && !T.batch)
		return eci_usage_err("--json goes with batch mode (-b)");
	if (replay) {
		T.replay = fopen(replay, "re");
		if (!T.replay) {
			eci_err("failed to open %s: %s", replay, strerror(errno));
			return 1;
		}
	} else if (bpf_stats) {
		stats_fd = eci_bpf_stats_enable();
		if (stats_fd < 0) {
			eci_err("failed to enable BPF run-time statistics: %s",
				strerror(-stats_fd));
			return 1;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ret = T.batch ? run_batch(delay, count) : run_screen(delay);

	for (size_t i = 0; i < T.tail_n; i++)
		json_object_put(tail_at(i)->o);
	eci_snapshot_free(&T.cur);
	if (T.have_prev)
		eci_snapshot_free(&T.prev);
	ring_buffer__free(T.rb);
	if (T.ev_fd >= 0)
		close(T.ev_fd);
	if (T.replay)
		fclose(T.replay);
	if (stats_fd >= 0)
		close(stats_fd);
	return ret;
}
