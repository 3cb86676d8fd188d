// SPDX-License-Identifier: GPL-2.0
/*
 * ecibench: the hot paths the enforcer's hooks sit on, timed in a loop.
 * Prints one line per benchmark: "NAME NS_PER_OP" (CLOCK_MONOTONIC, the best
 * of a few batches, so a stray interrupt under emulation doesn't count).
 *
 * usage: ecibench [ITERATIONS]   (default 10000; fork, exec and mount 1/50 of it)
 *        ecibench time CMD [ARGS]  run CMD, print its wall time in ns
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCHES 3

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

/* setuid(0) as root goes through ns_capable(CAP_SETUID): the capable hook. */
static void op_cap(void)
{
	if (setuid(0))
		die("setuid");
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
	if (mount("bench", "/tmp/ecibench", "tmpfs", 0, NULL))
		die("mount tmpfs");
	if (umount2("/tmp/ecibench", 0))
		die("umount tmpfs");
}

static void op_mount_bind(void)
{
	if (mount("/etc", "/tmp/ecibench", NULL, MS_BIND, NULL))
		die("mount bind");
	if (umount2("/tmp/ecibench", 0))
		die("umount bind");
}

static void run(const char *name, void (*op)(void), long n)
{
	long long best = -1;

	for (int b = 0; b < BATCHES; b++) {
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

int main(int argc, char **argv)
{
	long n;

	if (argc > 2 && !strcmp(argv[1], "time"))
		return time_cmd(argv + 2);
	n = argc > 1 ? atol(argv[1]) : 10000;

	if (n < 50) {
		fprintf(stderr, "usage: ecibench [ITERATIONS >= 50]\n");
		return 2;
	}
	mkdir("/tmp/ecibench", 0755);
	run("open_close", op_open, n);
	run("stat", op_stat, n);
	run("capable", op_cap, n);
	run("fork_exit", op_fork, n / 50);
	run("fork_execve", op_exec, n / 50);
	run("mount_tmpfs", op_mount_tmpfs, n / 50);
	run("mount_bind", op_mount_bind, n / 50);
	return 0;
}
