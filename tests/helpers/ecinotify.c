// SPDX-License-Identifier: GPL-2.0
/*
 * ecinotify: mount vetting the way Sysbox (ECI's engine) does it, for the
 * benchmark to compare with eci's in-kernel hooks. CMD runs under a seccomp
 * filter that sends every mount(2) and umount2(2) to this process
 * (SECCOMP_RET_USER_NOTIF); for each one we do what a user-space supervisor
 * must at least do: read the path and type arguments out of the caller's
 * memory (/proc/PID/mem), re-check that the notification is still valid
 * (the caller may have died or been replaced meanwhile) and let the call
 * continue in the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Sysbox does more
 * per call (it emulates the mount in the container's namespaces); this is
 * the floor of the trap's cost, not its ceiling.
 *
 * usage: ecinotify [--] CMD [ARGS...]
 * Exit status: CMD's (125 if the trap could not be set up). On exit it
 * prints "ecinotify: N notifications, M mount, U umount2, I invalid" on
 * stderr, so a caller can check that the calls really went through it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define ECI_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ECI_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "ecinotify: add this architecture's AUDIT_ARCH value"
#endif

#define SETUP_FAILED 125

static int seccomp(unsigned int op, unsigned int flags, void *args)
{
	return syscall(__NR_seccomp, op, flags, args);
}

/* mount and umount2 go to the listener; everything else runs untouched. */
static int install_filter(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ECI_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_umount2, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = { .len = sizeof(insns) / sizeof(insns[0]), .filter = insns };
	int fd;

	/* Without CAP_SYS_ADMIN the kernel wants no_new_privs first. */
	fd = seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0 && errno == EACCES) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			return -1;
		fd = seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	}
	return fd;
}

static int send_fd(int sock, int fd)
{
	char byte = 0, cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int))) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* A NUL-terminated string at ADDR in the caller; "" for NULL, -1 if unreadable. */
static int read_string(int mem, uint64_t addr, char *buf, size_t len)
{
	ssize_t n;

	buf[0] = '\0';
	if (!addr)
		return 0;
	n = pread(mem, buf, len - 1, (off_t)addr);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

struct tally {
	unsigned long total, mounts, umounts, invalid;
};

/*
 * One notification: read its arguments as a supervisor that vets them must,
 * make sure it still refers to the same live call, let it continue.
 */
static void handle(int listener, struct seccomp_notif *req, struct seccomp_notif_resp *resp,
		   struct tally *t)
{
	char path[64], src[4096], dst[4096], type[256];
	int mem, ok;

	t->total++;
	snprintf(path, sizeof(path), "/proc/%u/mem", req->pid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	ok = mem >= 0;
	if (req->data.nr == __NR_mount) {
		t->mounts++;
		ok = ok && !read_string(mem, req->data.args[0], src, sizeof(src)) &&
		     !read_string(mem, req->data.args[1], dst, sizeof(dst)) &&
		     !read_string(mem, req->data.args[2], type, sizeof(type));
	} else {
		t->umounts++;
		ok = ok && !read_string(mem, req->data.args[0], dst, sizeof(dst));
	}
	if (mem >= 0)
		close(mem);
	/* What was read is only trustworthy if the call is still the same one. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id)) {
		t->invalid++;
		return;
	}
	resp->id = req->id;
	resp->val = 0;
	if (ok) {
		resp->error = 0;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else {
		/* Arguments we cannot read cannot be vetted: refuse the call. */
		resp->error = -EFAULT;
		resp->flags = 0;
	}
	/* ENOENT: the caller was interrupted or died after the check. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) && errno != ENOENT)
		perror("ecinotify: failed to answer a notification");
}

/* Until CMD exits: the listener only hangs up once CMD is reaped, which
 * waits for us, so CMD's exit is watched through a pidfd. */
static int supervise(int listener, pid_t pid, struct tally *t)
{
	int pidfd = syscall(__NR_pidfd_open, pid, 0);

	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	if (pidfd < 0) {
		perror("ecinotify: failed to open a pidfd for the child");
		return -1;
	}
	if (seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes)) {
		perror("ecinotify: failed to get the notification sizes");
		close(pidfd);
		return -1;
	}
	req = malloc(sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	resp = malloc(sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp :
								 sizeof(*resp));
	if (!req || !resp) {
		free(req);
		free(resp);
		fprintf(stderr, "ecinotify: out of memory\n");
		close(pidfd);
		return -1;
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = listener, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("ecinotify: failed to poll the listener");
			break;
		}
		/* Pending calls first; then stop once CMD has exited (or every
		 * task under the filter has, POLLHUP). */
		if (!(p[0].revents & POLLIN))
			break;
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req)) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			perror("ecinotify: failed to receive a notification");
			break;
		}
		memset(resp, 0, sizes.seccomp_notif_resp);
		handle(listener, req, resp, t);
	}
	free(req);
	free(resp);
	close(pidfd);
	return 0;
}

int main(int argc, char **argv)
{
	struct tally t = { 0 };
	int sv[2], listener, status;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "--"))
		argv++, argc--;
	if (argc < 2) {
		fprintf(stderr, "usage: ecinotify [--] CMD [ARGS...]\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		perror("ecinotify: failed to create a socket pair");
		return SETUP_FAILED;
	}
	pid = fork();
	if (pid < 0) {
		perror("ecinotify: failed to fork");
		return SETUP_FAILED;
	}
	if (!pid) {
		/* The filter must be on the task that runs CMD; its listener goes to
		 * the parent, which holds no filter and so never traps itself. */
		close(sv[0]);
		listener = install_filter();
		if (listener < 0) {
			perror("ecinotify: failed to install the seccomp filter");
			_exit(SETUP_FAILED);
		}
		if (send_fd(sv[1], listener)) {
			perror("ecinotify: failed to pass the listener");
			_exit(SETUP_FAILED);
		}
		close(listener);
		close(sv[1]);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "ecinotify: failed to run %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	listener = recv_fd(sv[0]);
	close(sv[0]);
	if (listener >= 0)
		supervise(listener, pid, &t);
	else
		fprintf(stderr, "ecinotify: failed to receive the listener: %s\n", strerror(errno));
	if (waitpid(pid, &status, 0) < 0) {
		perror("ecinotify: failed to wait for the child");
		return SETUP_FAILED;
	}
	fprintf(stderr, "ecinotify: %lu notifications, %lu mount, %lu umount2, %lu invalid\n",
		t.total, t.mounts, t.umounts, t.invalid);
	if (listener < 0)
		return SETUP_FAILED;
	close(listener);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
