// SPDX-License-Identifier: GPL-2.0
/* The daemon's event stream on a local socket (stream.h says how). */
#define _GNU_SOURCE
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

#define MAX_FOLLOWERS 32

struct eci_stream_server {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *lines[ECI_STREAM_BACKLOG]; /* event seq s at s % ECI_STREAM_BACKLOG */
	uint64_t next; /* the seq of the next event; the first is 1 */
	uint64_t unread; /* the first seq no "unread" reader was sent */
	int followers[MAX_FOLLOWERS];
	int nfollowers;
};

static int sun_set(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

struct eci_stream_server *eci_stream_listen(const char *path)
{
	struct eci_stream_server *s;
	struct sockaddr_un sa;
	char dir[sizeof(sa.sun_path)], *slash;
	int fd, probe;

	if (sun_set(&sa, path)) {
		eci_err("failed to listen on %s: %s", path, strerror(ENAMETOOLONG));
		return NULL;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			eci_err("failed to create %s: %s", dir, strerror(errno));
			return NULL;
		}
	}
	/* A socket someone answers on is another daemon's: the ring buffer
	 * must have one reader. One nobody answers on is a dead one's. */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
		close(probe);
		eci_err("another ecictl daemon serves the trap events on %s: there must be one reader of the ring buffer",
			path);
		return NULL;
	}
	if (probe >= 0)
		close(probe);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) ||
	    listen(fd, 16)) {
		eci_err("failed to listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		eci_err("failed to listen on %s: %s", path, strerror(ENOMEM));
		close(fd);
		unlink(path);
		return NULL;
	}
	s->fd = fd;
	s->next = s->unread = 1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	return s;
}

int eci_stream_fd(const struct eci_stream_server *s)
{
	return s ? s->fd : -1;
}

/* One line, whole, or false. */
static bool send_line(int fd, const char *line, int flags)
{
	size_t n = strlen(line);
	char *buf = malloc(n + 1);
	ssize_t w;

	if (!buf)
		return false;
	memcpy(buf, line, n);
	buf[n] = '\n';
	w = send(fd, buf, n + 1, MSG_NOSIGNAL | flags);
	free(buf);
	return w == (ssize_t)(n + 1);
}

static uint64_t first_held(const struct eci_stream_server *s)
{
	return s->next > ECI_STREAM_BACKLOG ? s->next - ECI_STREAM_BACKLOG : 1;
}

void eci_stream_publish(struct eci_stream_server *s, const char *line)
{
	char **slot;

	if (!s)
		return;
	slot = &s->lines[s->next % ECI_STREAM_BACKLOG];
	free(*slot);
	*slot = strdup(line);
	s->next++;
	for (int i = 0; i < s->nfollowers;) {
		/* A follower that can't take a line now is dropped, never
		 * waited for: the others and the log come first. */
		if (send_line(s->followers[i], line, MSG_DONTWAIT)) {
			i++;
			continue;
		}
		close(s->followers[i]);
		s->followers[i] = s->followers[--s->nfollowers];
	}
}

static bool send_held(struct eci_stream_server *s, int fd, uint64_t from)
{
	uint64_t first = first_held(s);
	char lost[128];

	if (from < first) {
		snprintf(
			lost, sizeof(lost),
			"{\"lost_events\":%llu,\"reason\":\"the daemon holds the last %d events\"}",
			(unsigned long long)(first - from), ECI_STREAM_BACKLOG);
		if (!send_line(fd, lost, 0))
			return false;
		from = first;
	}
	for (uint64_t q = from; q < s->next; q++) {
		const char *l = s->lines[q % ECI_STREAM_BACKLOG];

		if (l && !send_line(fd, l, 0))
			return false;
	}
	return true;
}

void eci_stream_accept(struct eci_stream_server *s)
{
	struct timeval tv = { .tv_sec = 2 };
	char req[16] = "";
	size_t n = 0;
	int fd;

	fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* A reader sends its request at once; one that doesn't is not
	 * waited for long. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (n < sizeof(req) - 1 && !memchr(req, '\n', n)) {
		ssize_t r = read(fd, req + n, sizeof(req) - 1 - n);

		if (r <= 0)
			break;
		n += r;
	}
	req[n] = '\0';
	req[strcspn(req, "\n")] = '\0';
	if (!strcmp(req, "unread")) {
		uint64_t from = s->unread;

		s->unread = s->next;
		send_held(s, fd, from);
	} else if (!strcmp(req, "all")) {
		send_held(s, fd, first_held(s));
	} else if (!strcmp(req, "follow") && s->nfollowers < MAX_FOLLOWERS &&
		   send_held(s, fd, s->unread) && send_line(fd, ECI_STREAM_CAUGHT_UP, 0)) {
		int size = 1 << 20;

		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		s->followers[s->nfollowers++] = fd;
		return;
	}
	close(fd);
}

void eci_stream_close(struct eci_stream_server *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nfollowers; i++)
		close(s->followers[i]);
	for (size_t i = 0; i < ECI_STREAM_BACKLOG; i++)
		free(s->lines[i]);
	close(s->fd);
	unlink(s->path);
	free(s);
}

const char *eci_events_sock(void)
{
	const char *p = getenv("ECI_EVENTS_SOCKET");

	return p && *p ? p : ECI_EVENTS_SOCK;
}

int eci_stream_connect(struct eci_stream_reader *r, const char *path, enum eci_stream_mode mode)
{
	static const char *const req[] = { [ECI_STREAM_UNREAD] = "unread\n",
					   [ECI_STREAM_ALL] = "all\n",
					   [ECI_STREAM_FOLLOW] = "follow\n" };
	struct sockaddr_un sa;
	int err;

	r->fd = -1;
	r->len = 0;
	r->caught_up = false;
	if ((err = sun_set(&sa, path)))
		return err;
	r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return -errno;
	if (connect(r->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(r->fd, req[mode], strlen(req[mode])) != (ssize_t)strlen(req[mode])) {
		err = -errno;
		close(r->fd);
		r->fd = -1;
		return err;
	}
	return 0;
}

int eci_stream_read(struct eci_stream_reader *r, bool block,
		    bool (*fn)(const char *line, void *ctx), void *ctx)
{
	ssize_t n;
	char *nl;

	if (r->fd < 0)
		return 1;
	do {
		n = recv(r->fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len,
			 block ? 0 : MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			return 0;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 1; /* a cut last line is dropped */
		r->len += n;
		r->buf[r->len] = '\0';
		while ((nl = memchr(r->buf, '\n', r->len))) {
			size_t used = nl - r->buf + 1;

			*nl = '\0';
			if (!strcmp(r->buf, ECI_STREAM_CAUGHT_UP))
				r->caught_up = true;
			else if (!fn(r->buf, ctx))
				return 1;
			memmove(r->buf, nl + 1, r->len - used);
			r->len -= used;
		}
		/* A line longer than the buffer is no event of ours. */
		if (r->len == sizeof(r->buf) - 1)
			r->len = 0;
	} while (!block && n > 0);
	return 0;
}

void eci_stream_disconnect(struct eci_stream_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->len = 0;
}
