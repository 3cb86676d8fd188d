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

#include "ecitop_model.h"
#include "stream.h"
#include "hooks.h"
#include "util.h"

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

/* What the screen shows beyond the model: overlays, the selection, a prompt. */
static struct {
	bool paused, help, detail, hook_focus;
	int prompt; /* 0, '/' or 'h' */
	char input[ECI_NAME_LEN];
	size_t csel, hsel;
	uint64_t sel_id;
	int sel_hook;
} scr = { .sel_hook = -1 };

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

static int run_batch(double delay, long count)
{
	long n = 0;
	int err;

	top.fresh = json_object_new_array();
	while (!stop) {
		err = top_sample();
		if (err == 1)
			break;
		if (err)
			return 1;
		if (top.json)
			top_print_json(stdout);
		else
			top_print_text(stdout);
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

			top_poll_events(ms > 200 ? 200 : ms);
		}
	}
	json_object_put(top.fresh);
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

	if (!top.cur.loaded) {
		put_line(0, A_BOLD, "ecitop - eci not loaded");
	} else {
		top_fmt_uptime(top.cur.uptime, up, sizeof(up));
		put_line(0, A_BOLD,
			 "ecitop - eci loaded, up %s, %.1f traps/s, drops %" PRIu64
			 ", throttled %" PRIu64 "%s",
			 up, top_total_rate(), (uint64_t)top.cur.state.event_drops,
			 (uint64_t)top.cur.state.event_throttled,
			 top.cur.audit_all ? ", AUDIT ALL" : "");
	}
	put_line(1, A_NORMAL,
		 "maps: cgroups %" PRIu64 "/%" PRIu64 " (%.1f%%), counters %" PRIu64 "/%" PRIu64
		 " (%.1f%%); bpf stats %s",
		 top.cur.cgroups, top.cur.cgroups_max,
		 top_pct(top.cur.cgroups, top.cur.cgroups_max), top.cur.stats_entries,
		 top.cur.stats_max, top_pct(top.cur.stats_entries, top.cur.stats_max),
		 top.cur.bpf_stats ? "on" : "off");
	put_line(2, A_NORMAL, "%s%sfilter:%s%s%s%s%s%s", scr.paused ? "[PAUSED] " : "",
		 top.replay ? (top.replay_done ? "[replay: end] " : "[replay] ") : "",
		 top.fctr[0] ? " container~" : "", top.fctr, top.fhook[0] ? " hook~" : "",
		 top.fhook,
		 top.verdict == ECI_VERDICT_DENY  ? " verdict=deny" :
		 top.verdict == ECI_VERDICT_AUDIT ? " verdict=audit" :
						    "",
		 top.fctr[0] || top.fhook[0] || top.verdict >= 0 ? "" : " none");
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

/* Wide enough for each name (col_header), 80 columns in all. */
static const int cwidths[CCOL_N] = {
	[CCOL_NAME] = -13,
	[CCOL_RATE] = 8,
	[CCOL_TOTAL] = 8,
	[CCOL_CLASS0 + ECI_CLASS_MODULE] = 6,
	[CCOL_CLASS0 + ECI_CLASS_MOUNT] = 6,
	[CCOL_CLASS0 + ECI_CLASS_DEVICE] = 6,
	[CCOL_CLASS0 + ECI_CLASS_KERNEL] = 6,
	[CCOL_CLASS0 + ECI_CLASS_SOCKET] = 6,
	[CCOL_CLASS0 + ECI_CLASS_PROCESS] = 7,
	[CCOL_MODE] = -5,
};

/* Colour pairs, where the terminal has colour: a denial red, an audit
 * yellow. 0 (the terminal's own colours) otherwise. */
enum { PAIR_DENY = 1, PAIR_AUDIT = 2 };
static int verdict_attr(bool audit)
{
	if (!has_colors())
		return A_NORMAL;
	return (int)COLOR_PAIR(audit ? PAIR_AUDIT : PAIR_DENY);
}
static const int hwidths[HCOL_N] = { -22, 9, 12, 9, 9, 8 };

static void draw_events(int y, int rows, uint64_t only_root)
{
	char tm[16];
	size_t i;
	int shown = 0;

	put_line(y++, A_REVERSE, "%-8s %-12s %-18s %-6s %-5s %-10s %s", "TIME", "CONTAINER", "HOOK",
		 "CLASS", "VERD", "COMM", "WHAT");
	for (i = 0; i < top.tail_n && shown < rows - 1; i++) {
		const struct top_ev *e = top_tail_at(i);

		if (!top_ev_shown(e, only_root))
			continue;
		top_fmt_time(e->t, tm, sizeof(tm));
		put_line(y++, verdict_attr(e->verdict == ECI_VERDICT_AUDIT),
			 "%-8s %-12.12s %-18.18s %-6s %-5s %-10.10s %s", tm, e->ctr,
			 e->hook >= 0 ? eci_hook_names[e->hook] : "?",
			 e->cls >= 0 ? eci_class_names[e->cls] : "?",
			 e->verdict == ECI_VERDICT_AUDIT ? "audit" : "deny", e->comm, e->what);
		shown++;
	}
	if (!shown && top.ev_down)
		put_line(y, A_DIM, "(no trap events: eci's daemon is not running; %s)",
			 ECI_DAEMON_HINT);
	else if (!shown)
		put_line(y, A_DIM, "(no trap events%s)",
			 top.fctr[0] || top.fhook[0] || top.verdict >= 0 ? " match the filter" :
									   " yet");
}

/* First row to show so that row sel is visible in a window of n rows. */
static size_t scroll_top(size_t sel, int n)
{
	return n > 0 && sel >= (size_t)n ? sel - n + 1 : 0;
}

static void draw_main(void)
{
	struct top_crow *crows = calloc(top.cur.nctrs + 1, sizeof(*crows));
	struct top_hrow hrows[ECI_HOOK_MAX];
	int avail = LINES - 4, ch, hh, y = 3;
	size_t nc, nh, first;

	if (!crows)
		return;
	nc = top_container_rows(crows);
	nh = top_hook_rows(hrows);
	/* Keep the selection on the same container when the order changes. */
	for (size_t i = 0; i < nc; i++)
		if (crows[i].c->id == scr.sel_id)
			scr.csel = i;
	if (scr.csel >= nc)
		scr.csel = nc ? nc - 1 : 0;
	if (nc)
		scr.sel_id = crows[scr.csel].c->id;
	for (size_t i = 0; i < nh; i++)
		if (hrows[i].h == scr.sel_hook)
			scr.hsel = i;
	if (scr.hsel >= nh)
		scr.hsel = nh ? nh - 1 : 0;
	if (nh)
		scr.sel_hook = hrows[scr.hsel].h;

	ch = avail * 4 / 10;
	hh = avail * 3 / 10;
	col_header(y++, top_ccol_names, cwidths, CCOL_N, top.csort, top.crev, !scr.hook_focus);
	first = scroll_top(scr.csel, ch - 1);
	for (size_t i = first; i < nc && (int)(i - first) < ch - 1; i++) {
		const struct top_crow *r = &crows[i];
		char line[256];
		int off;

		off = snprintf(line, sizeof(line), "%-13.13s %8.1f %8.0f ", r->c->name,
			       r->v[CCOL_RATE], r->v[CCOL_TOTAL]);
		for (int k = 0; k < ECI_CLASS_MAX; k++)
			off += snprintf(line + off, sizeof(line) - off, "%*.0f ",
					cwidths[CCOL_CLASS0 + k], r->v[CCOL_CLASS0 + k]);
		snprintf(line + off, sizeof(line) - off, "%-5s",
			 r->c->flags & ECI_CF_AUDIT ? "audit" : "deny");
		put_line(y + (int)(i - first),
			 i == scr.csel && !scr.hook_focus ?
				 (int)A_REVERSE :
				 verdict_attr(r->c->flags & ECI_CF_AUDIT),
			 "%s", line);
	}
	if (!nc)
		put_line(y, A_DIM, "(no protected containers%s)", top.fctr[0] ? " match" : "");
	y += ch - 1;
	col_header(y++, top_hcol_names, hwidths, HCOL_N, top.hsort, top.hrev, scr.hook_focus);
	first = scroll_top(scr.hsel, hh - 1);
	for (size_t i = first; i < nh && (int)(i - first) < hh - 1; i++) {
		const struct top_hrow *r = &hrows[i];
		char ns[16] = "-";

		if (r->v[HCOL_NS] >= 0)
			snprintf(ns, sizeof(ns), "%.0f", r->v[HCOL_NS]);
		put_line(y + (int)(i - first),
			 i == scr.hsel && scr.hook_focus ? A_REVERSE : A_NORMAL,
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

	for (size_t i = 0; i < top.cur.nctrs; i++)
		if (top.cur.ctrs[i].id == scr.sel_id)
			c = &top.cur.ctrs[i];
	if (!c) {
		put_line(y, A_BOLD,
			 "container %" PRIu64 " is gone (its cgroup was removed); Esc: back",
			 scr.sel_id);
		return;
	}
	put_line(y++, A_BOLD,
		 "container %s (cgroup id %" PRIu64 ", %s mode): %" PRIu64
		 " traps, %.1f/s     Esc: back",
		 c->name, c->id, c->flags & ECI_CF_AUDIT ? "audit" : "deny",
		 eci_ctr_total(c, top.verdict), top_ctr_rate(c, -1));
	put_line(y++, A_REVERSE, "%-10s %10s %10s %9s", "CLASS", "DENIALS", "AUDITS", "TRAPS/S");
	for (int k = 0; k < ECI_CLASS_MAX; k++)
		put_line(y++, A_NORMAL, "%-10s %10" PRIu64 " %10" PRIu64 " %9.1f",
			 eci_class_names[k], c->denials[k], c->audits[k], top_ctr_rate(c, k));
	/* The kernel counts per container by class only; by hook, what the
	 * events held here show. */
	for (size_t i = 0; i < top.tail_n; i++) {
		const struct top_ev *e = top_tail_at(i);

		if (top_ev_shown(e, c->id) && e->hook >= 0)
			per_hook[e->hook]++;
	}
	put_line(y++, A_REVERSE, "%-22s %10s   (from the %zu most recent trap events held)", "HOOK",
		 "EVENTS", top.tail_n);
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
	if (scr.detail)
		draw_detail();
	else
		draw_main();
	if (scr.prompt)
		put_line(LINES - 1, A_BOLD, "%s: %s_",
			 scr.prompt == '/' ? "filter container" : "filter hook", scr.input);
	else
		put_line(
			LINES - 1, A_DIM,
			"q quit  ? help  Tab table  <> sort  / container  h hook  v verdict  Enter drill  p pause");
	if (scr.help)
		draw_help();
	refresh();
}

/* A key while a filter prompt is open. */
static void prompt_key(int k)
{
	size_t n = strlen(scr.input);

	if (k == 27) {
		scr.prompt = 0;
	} else if (k == '\n' || k == KEY_ENTER || k == '\r') {
		if (scr.prompt == '/')
			snprintf(top.fctr, sizeof(top.fctr), "%s", scr.input);
		else
			snprintf(top.fhook, sizeof(top.fhook), "%s", scr.input);
		scr.prompt = 0;
	} else if ((k == KEY_BACKSPACE || k == 127 || k == 8) && n) {
		scr.input[n - 1] = '\0';
	} else if (k >= 32 && k < 127 && n + 1 < sizeof(scr.input)) {
		scr.input[n] = (char)k;
		scr.input[n + 1] = '\0';
	}
}

/* Returns false to quit. */
static bool key(int k)
{
	int *sort = scr.hook_focus ? &top.hsort : &top.csort;
	bool *rev = scr.hook_focus ? &top.hrev : &top.crev;
	size_t *sel = scr.hook_focus ? &scr.hsel : &scr.csel;
	int ncol = scr.hook_focus ? HCOL_N : CCOL_N;

	if (scr.prompt) {
		prompt_key(k);
		return true;
	}
	if (scr.help) {
		scr.help = false;
		return k != 'q';
	}
	switch (k) {
	case 'q':
		return false;
	case '?':
		scr.help = true;
		break;
	case 'p':
	case ' ':
		scr.paused = !scr.paused;
		break;
	case '\t':
		scr.hook_focus = !scr.hook_focus;
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
		scr.prompt = k;
		snprintf(scr.input, sizeof(scr.input), "%s", k == '/' ? top.fctr : top.fhook);
		break;
	case 'v':
		top.verdict = top.verdict == -1		      ? ECI_VERDICT_DENY :
			      top.verdict == ECI_VERDICT_DENY ? ECI_VERDICT_AUDIT :
								-1;
		break;
	case 'c':
		top.fctr[0] = top.fhook[0] = '\0';
		top.verdict = -1;
		break;
	case KEY_UP:
	case 'k':
		if (*sel)
			(*sel)--;
		scr.sel_id = 0, scr.sel_hook = -1;
		break;
	case KEY_DOWN:
	case 'j':
		(*sel)++;
		scr.sel_id = 0, scr.sel_hook = -1;
		break;
	case KEY_PPAGE:
		*sel = *sel > 10 ? *sel - 10 : 0;
		scr.sel_id = 0, scr.sel_hook = -1;
		break;
	case KEY_NPAGE:
		*sel += 10;
		scr.sel_id = 0, scr.sel_hook = -1;
		break;
	case KEY_HOME:
		*sel = 0;
		scr.sel_id = 0, scr.sel_hook = -1;
		break;
	case KEY_END:
		*sel = (size_t)-1 / 2;
		scr.sel_id = 0, scr.sel_hook = -1;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
		if (!scr.hook_focus && top.cur.nctrs)
			scr.detail = true;
		break;
	case 27:
	case KEY_BACKSPACE:
	case KEY_LEFT:
	case 127:
		scr.detail = false;
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
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(PAIR_DENY, COLOR_RED, -1);
		init_pair(PAIR_AUDIT, COLOR_YELLOW, -1);
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	timeout(100);
	err = top_sample();
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
		if (!scr.paused)
			top_poll_events(0);
		if (!scr.paused && now_mono() >= next) {
			next = now_mono() + delay;
			err = top_sample();
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
			top.batch = true;
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
			top.json = true;
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
		top.batch = true;
	if (top.json && !top.batch)
		return eci_usage_err("--json goes with batch mode (-b)");
	if (replay) {
		top.replay = fopen(replay, "re");
		if (!top.replay) {
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
	ret = top.batch ? run_batch(delay, count) : run_screen(delay);

	for (size_t i = 0; i < top.tail_n; i++)
		json_object_put(top_tail_at(i)->o);
	eci_snapshot_free(&top.cur);
	if (top.have_prev)
		eci_snapshot_free(&top.prev);
	top_close_events();
	if (top.replay)
		fclose(top.replay);
	if (stats_fd >= 0)
		close(stats_fd);
	return ret;
}
