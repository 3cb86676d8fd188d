// SPDX-License-Identifier: GPL-2.0
/*
 * `ecictl stats` (the counters once, in a format) and `ecictl daemon` (the
 * counters as a Prometheus endpoint, the trap events as a log). The endpoint
 * reads the maps afresh for every scrape, so it holds no state that could go
 * stale; the log is the ring buffer's consumer.
 */
#define _GNU_SOURCE
#include "daemon.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <microhttpd.h>

#include "events.h"
#include "stream.h"
#include "stats.h"
#include "util.h"

#define DEFAULT_LISTEN "127.0.0.1:9568"

enum format { FMT_TABLE, FMT_JSON, FMT_PROMETHEUS };

#define STATS_USAGE "usage: ecictl stats [--format prometheus|json|table] [-o FILE]"
#define DAEMON_USAGE                                                                               \
	"usage: ecictl daemon [--listen ADDR:PORT] [--log FILE] [--syslog] [--bpf-stats]\n"        \
	"                     [--events-socket PATH]"

static int render(const struct eci_snapshot *s, enum format fmt, FILE *f)
{
	json_object *o;
	int err;

	switch (fmt) {
	case FMT_PROMETHEUS:
		return eci_render_prometheus(s, f);
	case FMT_JSON:
		o = eci_snapshot_json(s);
		fprintf(f, "%s\n", json_object_to_json_string_ext(o, ECI_JSON_FLAGS));
		json_object_put(o);
		return ferror(f) ? -EIO : 0;
	default:
		err = eci_render_table(s, f);
		return err;
	}
}

/* Write FILE whole or not at all: a scraper (node_exporter's textfile
 * collector) must never read half a file. The temporary name does not end
 * in .prom, so the collector ignores it. */
static int write_atomic(const char *path, const struct eci_snapshot *s, enum format fmt)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp)) {
		eci_err("failed to write %s: %s", path, strerror(ENAMETOOLONG));
		return 1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		eci_err("failed to create %s: %s", tmp, strerror(errno));
		return 1;
	}
	f = fdopen(fd, "w");
	if (!f) {
		eci_err("failed to write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return 1;
	}
	err = render(s, fmt, f);
	if (!err && fflush(f))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		eci_err("failed to write %s: %s", path, strerror(-err));
		unlink(tmp);
		return 1;
	}
	return 0;
}

int eci_cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum format fmt = FMT_TABLE;
	const char *out = NULL;
	struct eci_snapshot s;
	int opt, err;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		if (opt == 'h')
			return puts(STATS_USAGE), 0;
		if (opt == 'f' && !strcmp(optarg, "prometheus"))
			fmt = FMT_PROMETHEUS;
		else if (opt == 'f' && !strcmp(optarg, "json"))
			fmt = FMT_JSON;
		else if (opt == 'f' && !strcmp(optarg, "table"))
			fmt = FMT_TABLE;
		else if (opt == 'f')
			return eci_usage_err("--format takes prometheus, json or table");
		else if (opt == 'o')
			out = optarg;
		else
			return eci_usage_err("%s", STATS_USAGE);
	}
	if (optind != argc)
		return eci_usage_err("%s", STATS_USAGE);
	if (eci_snapshot_read(&s))
		return 1;
	if (out)
		err = write_atomic(out, &s, fmt);
	else if ((err = render(&s, fmt, stdout)) || fflush(stdout))
		err = 1, eci_err("failed to write the counters: %s", strerror(errno));
	eci_snapshot_free(&s);
	return err ? 1 : 0;
}

/* ---- daemon ---------------------------------------------------------- */

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

struct logger {
	const char *path;
	int fd;
	bool syslog;
	struct eci_stream_server *stream;
};

/*
 * The ring buffer, the daemon's alone. It comes and goes with the enforcer:
 * opened when the pinned map appears, and reopened when the pin is another
 * map (an unload and a load; a `load --replace` keeps the map, and us on it).
 */
struct reader {
	struct ring_buffer *rb;
	int fd;
	__u32 id;
};

static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static void reader_close(struct reader *r)
{
	ring_buffer__free(r->rb);
	if (r->fd >= 0)
		close(r->fd);
	r->rb = NULL;
	r->fd = -1;
	r->id = 0;
}

static int on_event(void *ctx, void *data, size_t len);

/* 0: reading (or nothing to read yet); -errno on a real failure. */
static int reader_refresh(struct reader *r, struct logger *lg)
{
	int fd = bpf_obj_get(ECI_PIN_MAPS "/events");
	__u32 id = fd >= 0 ? map_id(fd) : 0;

	if (r->rb && id == r->id) {
		close(fd);
		return 0;
	}
	/* What the old map still holds goes out before it is let go. */
	if (r->rb)
		ring_buffer__consume(r->rb);
	reader_close(r);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r->rb = ring_buffer__new(fd, on_event, lg, NULL);
	if (!r->rb) {
		int e = -errno;

		close(fd);
		return e;
	}
	r->fd = fd;
	r->id = id;
	return 0;
}

/*
 * libmicrohttpd comes in with dlopen, by the daemon alone: linked into
 * ecictl it brought gnutls and eight more libraries whose start-up (about
 * 3.4 million instructions, most of ecictl's) every short command paid,
 * among them the `oci-hook` on each `docker run`'s path.
 */
#define MHD_SONAME "libmicrohttpd.so.12"
static struct {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
} mhd;

static int mhd_open(void)
{
	void *h = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		eci_err("failed to load %s, which serves the metrics: %s", MHD_SONAME, dlerror());
		return -1;
	}
	*(void **)&mhd.start_daemon = dlsym(h, "MHD_start_daemon");
	*(void **)&mhd.stop_daemon = dlsym(h, "MHD_stop_daemon");
	*(void **)&mhd.create_response_from_buffer = dlsym(h, "MHD_create_response_from_buffer");
	*(void **)&mhd.add_response_header = dlsym(h, "MHD_add_response_header");
	*(void **)&mhd.queue_response = dlsym(h, "MHD_queue_response");
	*(void **)&mhd.destroy_response = dlsym(h, "MHD_destroy_response");
	if (!mhd.start_daemon || !mhd.stop_daemon || !mhd.create_response_from_buffer ||
	    !mhd.add_response_header || !mhd.queue_response || !mhd.destroy_response) {
		eci_err("failed to load %s: a function is missing from it", MHD_SONAME);
		return -1;
	}
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, char *body,
			     size_t len, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = mhd.queue_response(conn, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct eci_snapshot s;
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	(void)cls;
	(void)version;
	(void)data;
	(void)con_cls;
	if (*data_size) {
		/* A body is not ours to take; drop it and answer below. */
		*data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) || strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, strdup("not found\n"), 10,
			     "text/plain; charset=utf-8");
	f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	err = eci_snapshot_read(&s);
	if (!err) {
		err = eci_render_prometheus(&s, f);
		eci_snapshot_free(&s);
	}
	if (fclose(f) || err) {
		free(body);
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     strdup("failed to read the counters\n"), 28,
			     "text/plain; charset=utf-8");
	}
	return reply(conn, MHD_HTTP_OK, body, len, "text/plain; version=0.0.4; charset=utf-8");
}

static int parse_listen(const char *arg, struct sockaddr_in *sin)
{
	const char *colon = strrchr(arg, ':');
	char addr[INET_ADDRSTRLEN];
	unsigned long port;
	char *end;

	if (!colon || (size_t)(colon - arg) >= sizeof(addr))
		return -1;
	memcpy(addr, arg, colon - arg);
	addr[colon - arg] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || !port || port > 65535)
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, addr, &sin->sin_addr) == 1 ? 0 : -1;
}

static int log_open(struct logger *lg)
{
	int fd = open(lg->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0) {
		eci_err("failed to open %s: %s", lg->path, strerror(errno));
		return -1;
	}
	if (lg->fd >= 0)
		close(lg->fd);
	lg->fd = fd;
	return 0;
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct logger *lg = ctx;
	json_object *o;
	const char *line;
	char *buf;
	int n;

	if (len < sizeof(struct eci_event))
		return 0;
	o = eci_event_json(data);
	line = json_object_to_json_string_ext(o, ECI_JSON_FLAGS);
	if (lg->fd >= 0) {
		/* One write per line: O_APPEND keeps lines whole next to
		 * other writers. */
		n = asprintf(&buf, "%s\n", line);
		if (n > 0 && write(lg->fd, buf, n) != n)
			eci_err("failed to write %s: %s", lg->path, strerror(errno));
		if (n > 0)
			free(buf);
	}
	if (lg->syslog)
		syslog(LOG_WARNING, "%s", line);
	eci_stream_publish(lg->stream, line);
	json_object_put(o);
	return 0;
}

int eci_cmd_daemon(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "log", required_argument, NULL, 'L' },
		{ "syslog", no_argument, NULL, 's' },
		{ "bpf-stats", no_argument, NULL, 'b' },
		{ "events-socket", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *sock = eci_events_sock();
	struct reader rd = { .fd = -1 };
	double next_check = 0;
	const char *listen = DEFAULT_LISTEN;
	struct logger lg = { .fd = -1 };
	struct MHD_Daemon *httpd = NULL;
	struct sockaddr_in sin;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, old;
	int opt, stats_fd = -1, ret = 1, err = 0;
	bool bpf_stats = false;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			return puts(DAEMON_USAGE), 0;
		if (opt == 'l')
			listen = optarg;
		else if (opt == 'L')
			lg.path = optarg;
		else if (opt == 's')
			lg.syslog = true;
		else if (opt == 'b')
			bpf_stats = true;
		else if (opt == 'e')
			sock = optarg;
		else
			return eci_usage_err("%s", DAEMON_USAGE);
	}
	if (optind != argc)
		return eci_usage_err("%s", DAEMON_USAGE);
	if (parse_listen(listen, &sin))
		return eci_usage_err("--listen takes an IPv4 ADDR:PORT, like 127.0.0.1:9568");

	/* Without the enforcer the daemon waits for it, trap log included:
	 * a unit restarted on failure would otherwise fail every few seconds
	 * for as long as eci can't load. The log is opened now, so a bad path
	 * is still one sentence at start. */
	if (lg.path && log_open(&lg))
		goto out;
	if (lg.syslog)
		openlog("eci", LOG_PID, LOG_DAEMON);
	lg.stream = eci_stream_listen(sock);
	if (!lg.stream)
		goto out;
	err = reader_refresh(&rd, &lg);
	if (err) {
		eci_err("failed to read the trap events: %s", strerror(-err));
		goto out;
	}
	if (bpf_stats) {
		stats_fd = eci_bpf_stats_enable();
		if (stats_fd < 0) {
			eci_err("failed to enable BPF run-time statistics: %s",
				strerror(-stats_fd));
			goto out;
		}
	}

	if (mhd_open())
		goto out;
	/* The server's thread must not take our signals: it inherits this
	 * mask, and the main loop unblocks them for itself. */
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGPIPE);
	sigprocmask(SIG_BLOCK, &block, &old);
	httpd = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, ntohs(sin.sin_port), NULL, NULL,
				 on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
				 MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!httpd) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		eci_err("failed to listen on %s: %s", listen, strerror(errno ? errno : EADDRINUSE));
		goto out;
	}
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("ecictl daemon: metrics on http://%s/metrics, trap events on %s%s%s%s%s\n", listen,
	       sock, rd.rb ? "" : " (once eci is loaded)", lg.path ? ", trap log " : "",
	       lg.path ? lg.path : "", lg.syslog ? ", trap events to syslog" : "");
	fflush(stdout);

	while (!got_stop) {
		if (got_hup) {
			got_hup = 0;
			/* Log rotation: the old file was renamed; keep
			 * writing the old one if the new can't be opened. */
			if (lg.path)
				log_open(&lg);
		}
		struct pollfd p[2] = {
			{ .fd = rd.rb ? ring_buffer__epoll_fd(rd.rb) : -1, .events = POLLIN },
			{ .fd = eci_stream_fd(lg.stream), .events = POLLIN },
		};
		struct timespec now;

		if (poll(p, 2, 500) < 0 && errno != EINTR) {
			eci_err("failed to wait for trap events: %s", strerror(errno));
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec + now.tv_nsec / 1e9 >= next_check) {
			next_check = now.tv_sec + now.tv_nsec / 1e9 + 1;
			err = reader_refresh(&rd, &lg);
			if (err) {
				eci_err("failed to read the trap events: %s", strerror(-err));
				goto out;
			}
		}
		if (rd.rb)
			ring_buffer__consume(rd.rb);
		/* A reader is answered after the buffer is emptied: it gets
		 * every event the kernel sent before it asked. */
		if (p[1].revents & POLLIN)
			eci_stream_accept(lg.stream);
	}
	/* Events already in the buffer go to the log before we leave. */
	if (rd.rb)
		ring_buffer__consume(rd.rb);
	ret = 0;
out:
	if (httpd)
		mhd.stop_daemon(httpd);
	reader_close(&rd);
	eci_stream_close(lg.stream);
	if (lg.fd >= 0)
		close(lg.fd);
	if (stats_fd >= 0)
		close(stats_fd);
	if (lg.syslog)
		closelog();
	return ret;
}
