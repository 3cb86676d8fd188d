// SPDX-License-Identifier: GPL-2.0
/*
 * ecibench: the hot paths the enforcer's hooks sit on, timed in a loop.
 * Prints one line per benchmark: "NAME NS_PER_OP" (CLOCK_MONOTONIC, the best
 * of a few batches, so a stray interrupt under emulation doesn't count).
 *
 * usage: ecibench [-b BATCHES] [ITERATIONS [NAME...]]
 *                           (default 3 batches of 10000; fork, exec and mount
 *                           1/50 of it; NAMEs pick benchmarks)
 *        ecibench time CMD [ARGS]  run CMD, print its wall time in ns
 *        ecibench api SOCKET N     N engine API calls (GET /version) on SOCKET:
 *                                  "api_call NS" on one keep-alive connection,
 *                                  "api_conn NS" with a connection each
 *        ecibench flood SECONDS    open /dev/mem (a device a protected container
 *                                  may not open) as fast as it can for SECONDS;
 *                                  prints "flood OPENS DENIED"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int batches = 3;
/* A private directory, so that runs side by side (or on a build host) do not
 * share a mount point; the bind source is our own empty directory, which has
 * no mounts under it for a user namespace to refuse binding; locked is a file
 * nobody may write (op_cap). */
static char dir[] = "/tmp/ecibench.XXXXXX", mnt[64], src[64], locked[64];

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void op_open(void)
{
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open");
	close(fd);
}

static void op_stat(void)
{
	struct stat st;

	if (stat("/etc/passwd", &st))
		die("stat");
}

/*
 * A capability check as most of them come: root writing a file whose mode
 * lets nobody write, so generic_permission() asks for CAP_DAC_OVERRIDE.
 * AT_EACCESS keeps faccessat2 from preparing credentials of its own; setuid(0),
 * used before, allocates and RCU-frees a cred per call, and that cost varied
 * by up to 40 % between processes under icount, enforcer or not.
 */
static void op_cap(void)
{
	if (syscall(SYS_faccessat2, AT_FDCWD, locked, W_OK, AT_EACCESS))
		die("faccessat2");
}

static void op_fork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
}

static void op_exec(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

static void op_mount_tmpfs(void)
{
	if (mount("bench", mnt, "tmpfs", 0, NULL))
		die("mount tmpfs");
	if (umount2(mnt, 0))
		die("umount tmpfs");
}

static void op_mount_bind(void)
{
	if (mount(src, mnt, NULL, MS_BIND, NULL))
		die("mount bind");
	if (umount2(mnt, 0))
		die("umount bind");
}

static void run(const char *name, void (*op)(void), long n)
{
	long long best = -1;

	for (int b = 0; b < batches; b++) {
		long long t0 = now_ns(), dt;

		for (long i = 0; i < n; i++)
			op();
		dt = (now_ns() - t0) / n;
		if (best < 0 || dt < best)
			best = dt;
	}
	printf("%s %lld\n", name, best);
	fflush(stdout);
}

static int time_cmd(char **argv)
{
	long long t0 = now_ns();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid) {
		execvp(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	printf("%lld\n", now_ns() - t0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int api_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die(path);
	return fd;
}

/* One GET /version and its whole answer (dockerd's has a Content-Length). */
static void api_call(int fd)
{
	static const char req[] = "GET /v1.41/version HTTP/1.1\r\nHost: docker\r\n\r\n";
	char buf[16384];
	size_t got = 0;
	long want = -1;

	if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1)
		die("write");
	for (;;) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);
		char *end, *cl;

		if (n <= 0)
			die("read");
		got += (size_t)n;
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		if (want < 0) {
			cl = strcasestr(buf, "\r\nContent-Length:");
			if (!cl || cl > end || strncmp(buf, "HTTP/1.1 200", 12)) {
				fprintf(stderr, "ecibench: unexpected answer: %.200s\n", buf);
				exit(1);
			}
			want = (end + 4 - buf) + atol(cl + 17);
		}
		if ((long)got >= want)
			return;
	}
}

static int api(const char *path, long n)
{
	long long best = -1, best_conn = -1;
	int fd = api_connect(path);

	for (int b = 0; b < batches; b++) {
		long long t0 = now_ns();

		for (long i = 0; i < n; i++)
			api_call(fd);
		t0 = (now_ns() - t0) / n;
		best = best < 0 || t0 < best ? t0 : best;
		t0 = now_ns();
		for (long i = 0; i < n; i++) {
			int c = api_connect(path);

			api_call(c);
			close(c);
		}
		t0 = (now_ns() - t0) / n;
		best_conn = best_conn < 0 || t0 < best_conn ? t0 : best_conn;
	}
	close(fd);
	printf("api_call %lld\napi_conn %lld\n", best, best_conn);
	return 0;
}

static int flood(double seconds)
{
	long long end = now_ns() + (long long)(seconds * 1e9);
	unsigned long opens = 0, denied = 0;

	while (now_ns() < end) {
		for (int i = 0; i < 100; i++) {
			int fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);

			opens++;
			if (fd >= 0)
				close(fd);
			else if (errno == EPERM)
				denied++;
		}
	}
	printf("flood %lu %lu\n", opens, denied);
	return 0;
}

static const struct bench {
	const char *name;
	void (*op)(void);
	int divisor; /* slow operations run ITERATIONS / divisor times */
} benches[] = {
	{ "open_close", op_open, 1 },
	{ "stat", op_stat, 1 },
	{ "capable", op_cap, 1 },
	{ "fork_exit", op_fork, 50 },
	{ "fork_execve", op_exec, 50 },
	{ "mount_tmpfs", op_mount_tmpfs, 50 },
	{ "mount_bind", op_mount_bind, 50 },
};

#define NBENCH (sizeof(benches) / sizeof(benches[0]))

static bool wanted(const char *name, int argc, char **argv)
{
	if (argc < 3)
		return true;
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	long n;
	int fd;

	if (argc > 2 && !strcmp(argv[1], "time"))
		return time_cmd(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "api") && atol(argv[3]) > 0)
		return api(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "flood"))
		return flood(atof(argv[2]));
	if (argc > 2 && !strcmp(argv[1], "-b")) {
		batches = atoi(argv[2]);
		argc -= 2;
		argv += 2;
	}
	n = argc > 1 ? atol(argv[1]) : 10000;
	if (n < 50 || batches < 1 || batches > 1000) {
		fprintf(stderr,
			"usage: ecibench [-b BATCHES 1-1000] [ITERATIONS >= 50 [NAME...]]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		size_t b = 0;

		while (b < NBENCH && strcmp(benches[b].name, argv[i]))
			b++;
		if (b == NBENCH) {
			fprintf(stderr, "ecibench: no benchmark named %s\n", argv[i]);
			return 2;
		}
	}
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	snprintf(src, sizeof(src), "%s/src", dir);
	if (mkdir(mnt, 0755) || mkdir(src, 0755))
		die("mkdir");
	snprintf(locked, sizeof(locked), "%s/locked", dir);
	fd = open(locked, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0);
	if (fd < 0 || fchmod(fd, 0))
		die("locked file");
	close(fd);
	for (size_t b = 0; b < NBENCH; b++)
		if (wanted(benches[b].name, argc, argv))
			run(benches[b].name, benches[b].op, n / benches[b].divisor);
	unlink(locked);
	rmdir(mnt);
	rmdir(src);
	rmdir(dir);
	return 0;
}
