/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one event stream: `ecictl daemon` is the only reader of the kernel's
 * ring buffer and hands the trap events, as JSON lines, to every reader on a
 * local socket (`ecictl events`, ecitop), so no reader takes events from
 * another. The daemon keeps the last ECI_STREAM_BACKLOG events for readers
 * that come later.
 *
 * A reader connects and writes one request line:
 *   "unread"  the held events no earlier "unread" reader was sent (the
 *             mailbox `ecictl events` empties), then the connection closes;
 *   "all"     every held event, then the connection closes;
 *   "follow"  the unread ones (without emptying the mailbox), then the line
 *             ECI_STREAM_CAUGHT_UP, then each new event as it comes. A
 *             reader too slow to keep up is dropped.
 * A line {"lost_events":N,...} says N events were too old to be held.
 */
#ifndef ECI_STREAM_H
#define ECI_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#define ECI_EVENTS_SOCK "/run/eci/events.sock"
/* The socket readers connect to: $ECI_EVENTS_SOCKET (tests, a second
 * daemon), else ECI_EVENTS_SOCK. */
const char *eci_events_sock(void);
#define ECI_STREAM_BACKLOG 4096
/* Ends the held events of a "follow" answer: what the kernel sent before the
 * reader asked is all in (ecitop's first refresh waits for it). */
#define ECI_STREAM_CAUGHT_UP "{\"caught_up\":true}"
#define ECI_DAEMON_HINT "start it with 'systemctl start eci-daemon' (or 'ecictl daemon &')"

enum eci_stream_mode { ECI_STREAM_UNREAD, ECI_STREAM_ALL, ECI_STREAM_FOLLOW };

/* The daemon's side. */
struct eci_stream_server;
/* Listen on path (its directory is made); NULL after saying why. */
struct eci_stream_server *eci_stream_listen(const char *path);
int eci_stream_fd(const struct eci_stream_server *s);
/* Hold one event and send it to the followers. */
void eci_stream_publish(struct eci_stream_server *s, const char *line);
/* Serve one reader waiting on the listening socket. */
void eci_stream_accept(struct eci_stream_server *s);
void eci_stream_close(struct eci_stream_server *s);

/* A reader's side. */
struct eci_stream_reader {
	int fd;
	bool caught_up; /* ECI_STREAM_CAUGHT_UP came (it is not passed on) */
	size_t len;
	char buf[65536];
};
/* Connect and send the request: 0, or -errno (ENOENT, ECONNREFUSED: no
 * daemon). */
int eci_stream_connect(struct eci_stream_reader *r, const char *path, enum eci_stream_mode mode);
/* Read what is there (blocking if block) and call fn for each whole line;
 * fn returns false to stop. 0: more may come; 1: the daemon closed the
 * stream (or fn stopped); -errno on an error. */
int eci_stream_read(struct eci_stream_reader *r, bool block,
		    bool (*fn)(const char *line, void *ctx), void *ctx);
void eci_stream_disconnect(struct eci_stream_reader *r);

#endif /* ECI_STREAM_H */
