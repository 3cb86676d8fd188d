/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ecitop's model, without ncurses: snapshots from the kernel or a recording,
 * the trap tail, rates between two refreshes, the sorted and filtered rows,
 * and the batch printers (text, JSON lines). ecitop.c draws it on a screen;
 * tests/unit/test_ecitop.c checks it.
 */
#ifndef ECI_ECITOP_MODEL_H
#define ECI_ECITOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "stats.h"

#define TOP_TAIL_MAX 256

struct ring_buffer;
struct eci_stream_reader;

/* One trap event, decoded once for the tail and the drill-down. */
struct top_ev {
	json_object *o;
	double t;
	uint64_t root;
	int hook, cls, verdict;
	char ctr[ECI_NAME_LEN];
	char comm[ECI_COMM_LEN];
	char what[160];
};

/* Where the refreshes come from, what they hold, and what is shown. */
struct top {
	/* source */
	struct eci_stream_reader *ev; /* the daemon's event stream, or NULL */
	bool ev_down; /* no daemon to read the events from */
	FILE *replay;
	bool replay_done;
	/* data */
	struct eci_snapshot cur, prev;
	bool have_prev;
	struct top_ev tail[TOP_TAIL_MAX];
	size_t tail_n, tail_head; /* ring: newest at tail_head - 1 */
	json_object *fresh; /* events since the last batch print */
	/* view: what the rows and the printers show */
	bool batch, json;
	int csort, hsort;
	bool crev, hrev;
	int verdict; /* -1 all, else enum eci_verdict */
	char fctr[ECI_NAME_LEN], fhook[ECI_NAME_LEN];
};

extern struct top top;

enum {
	CCOL_NAME,
	CCOL_RATE,
	CCOL_TOTAL,
	CCOL_CLASS0,
	CCOL_MODE = CCOL_CLASS0 + ECI_CLASS_MAX,
	CCOL_N
};
enum { HCOL_NAME, HCOL_RATE, HCOL_CALLS, HCOL_DENIALS, HCOL_AUDITS, HCOL_NS, HCOL_N };

extern const char *const top_ccol_names[CCOL_N];
extern const char *const top_hcol_names[HCOL_N];

struct top_crow {
	const struct eci_ctr_snap *c;
	double v[CCOL_N];
};

struct top_hrow {
	int h;
	double v[HCOL_N];
};

/* Keep an event in the tail (takes the reference); in batch mode it is also
 * one of the events the next print shows. */
void top_push_event(json_object *o);
/* The tail, newest first: i = 0 is the latest. */
struct top_ev *top_tail_at(size_t i);
/* The live ring buffer appears with the enforcer: retried at each refresh. */
void top_open_events(void);
/* Take the events the stream has, waiting up to ms for the first. */
void top_poll_events(int ms);
void top_close_events(void);
/* Next snapshot from the kernel or top.replay: 0, 1 when the recording is
 * over, or a negative errno with one sentence printed. */
int top_sample(void);

/* Seconds between the last two snapshots (0 before there are two). */
double top_dt(void);
/* A container's traps per second (cls -1: every class), as top.verdict
 * counts them; a hook's calls (or traps) per second; all traps per second. */
double top_ctr_rate(const struct eci_ctr_snap *c, int cls);
double top_hook_rate(int h, bool calls);
double top_total_rate(void);
/* Does the tail show this event (only_root: one container's, or 0)? */
bool top_ev_shown(const struct top_ev *e, uint64_t only_root);
/* The rows, filtered and sorted as top says; rows has room for every
 * container (top.cur.nctrs) or hook (ECI_HOOK_MAX). Returns how many. */
size_t top_container_rows(struct top_crow *rows);
size_t top_hook_rows(struct top_hrow *rows);

void top_fmt_time(double t, char *buf, size_t len);
void top_fmt_uptime(double up, char *buf, size_t len);
double top_pct(uint64_t a, uint64_t b);

/* One refresh in batch mode: a JSON object on a line (what --replay reads
 * back), or text; both take the events pushed since the last print. */
void top_print_json(FILE *f);
void top_print_text(FILE *f);

#endif /* ECI_ECITOP_MODEL_H */
