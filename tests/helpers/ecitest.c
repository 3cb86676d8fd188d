// SPDX-License-Identifier: GPL-2.0
/*
 * ecitest: the raw system calls the VM tests attack with, one per command,
 * so a test exercises exactly the kernel path it names (busybox insmod may
 * pick init_module or finit_module on its own).
 *
 * Exit status: 0 on success, else the errno of the failed call (so a test can
 * tell EPERM = 1 from anything else), with the error on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <linux/kexec.h>
#include <linux/perf_event.h>
/* I/O ports are x86's: elsewhere there is no ioperm to ask for. */
#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h>
#define ECI_HAVE_IOPERM 1
#include <asm/mtrr.h>
#endif
#include <sys/mman.h>
#include <sched.h>
#include <linux/cryptouser.h>
#include <linux/netlink.h>
#include <grp.h>
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
#include <sys/mount.h>
#include <linux/io_uring.h>
#include <sys/ptrace.h>
#include <sys/ioctl.h>
#include <sys/quota.h>
#include <linux/vm_sockets.h>
#include <sys/fanotify.h>
#include <sys/resource.h>
#include <termios.h>
#include <linux/keyctl.h>
#include <sys/sysmacros.h>
#include <linux/rtnetlink.h>
#include <linux/random.h>
#include <linux/genetlink.h>
#include <linux/taskstats.h>
#include <linux/if_link.h>
#include <poll.h>
#include <time.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <linux/fuse.h>
#include <sys/uio.h>

static const char usage[] =
	"usage: ecitest COMMAND [ARG]\n"
	"  init_module FILE      load a module from memory\n"
	"  finit_module FILE     load a module from a file descriptor\n"
	"  attack_loop FILE DIR  finit_module FILE over and over until DIR/stop exists,\n"
	"                        the attempts so far in DIR/n, each success in DIR/breach\n"
	"  fill_as UID FILE      as UID, keeping CAP_SYS_RESOURCE, write FILE until the\n"
	"                        filesystem is full; print the KiB written (status 1:\n"
	"                        a write failed)\n"
	"  seccomp_filter        install an allow-all seccomp filter without no_new_privs\n"
	"                        (CAP_SYS_ADMIN; the JIT compiles it), print Seccomp_filters\n"
	"  kexec_file_load FILE  load FILE as the kexec kernel\n"
	"  kexec_file_unload     unload the kexec kernel (kexec_file_load)\n"
	"  kexec_load_unload     unload the kexec kernel (kexec_load, 0 segments)\n"
	"  socket FAMILY         socket(FAMILY, SOCK_DGRAM, 0), may autoload a module\n"
	"  sendfd SOCK FILE [w]  listen on unix socket SOCK, send one peer an fd of FILE\n"
	"                        (opened for writing with w)\n"
	"                        (FILE tcp: an unbound TCP socket)\n"
	"  recvfd SOCK           receive an fd over SOCK, print how many bytes it reads\n"
	"  tcp_listen PORT [SOCK]  bind TCP PORT (a socket received over SOCK), serve one client\n"
	"  tcp_bind PORT         bind and listen on TCP PORT, then exit\n"
	"  tcp_probe PORT        connect to 127.0.0.1:PORT until it answers, print the answer\n"
	"  bpf_map_create        create a BPF array map\n"
	"  bpf_map_clear PIN     open a pinned hash map, delete every entry, print how many\n"
	"  map_count PIN         print how many keys a pinned map holds; '-' for a map\n"
	"                        without keys to walk (ring buffer, task storage)\n"
	"  pin_map PATH TYPE KEY VALUE ENTRIES  pin a new zero-filled map at PATH\n"
	"  ioperm                ask for port 0x80 access\n"
	"  perf kernel|user      open a cpu-clock event counting kernel or only user mode\n"
	"  handle PATH           print PATH's file handle: TYPE HEX\n"
	"  clone_into DIR        clone3(CLONE_INTO_CGROUP) into cgroup DIR; the child\n"
	"                        prints its cgroup\n"
	"  open_by_handle DIR TYPE HEX  open a handle on DIR's filesystem, print a line\n"
	"  bind SRC DST [rec]    mount(SRC, DST, MS_BIND [| MS_REC]): SRC exactly as given\n"
	"  clone_tree SRC DST    open_tree(SRC, OPEN_TREE_CLONE) then move_mount onto DST\n"
	"  fsmount_tmpfs DST     fsopen/fsconfig/fsmount a tmpfs, move_mount onto DST\n"
	"  fsmount TYPE DST      the same with filesystem TYPE\n"
	"  setattr_rw PATH       mount_setattr(PATH): clear MOUNT_ATTR_RDONLY\n"
	"  fspick_rw PATH        fspick(PATH), fsconfig rw + reconfigure\n"
	"  connect SOCK          connect to unix stream socket SOCK, print ok\n"
	"  recvfd_exec SOCK CMD...  receive an fd over SOCK, run CMD with it as fd 3\n"
	"  uring_open FILE       open FILE from an io_uring worker thread (IOSQE_ASYNC),\n"
	"                        print how many bytes of it read\n"
	"  ptrace PID            PTRACE_SEIZE PID, print the first word of its first\n"
	"                        mapping (464c457f: its ELF header), detach\n"
	"  getfd PID FD          pidfd_getfd: take PID's fd FD, print what it reads\n"
	"  setns_write PID FILE  setns(pidfd of PID, CLONE_NEWNS), write 'eci' to FILE there\n"
	"  tiocsti TTY TEXT      type TEXT and a newline into TTY (TIOCSTI)\n"
	"  tioccons TTY          redirect the console's output to TTY (TIOCCONS)\n"
	"  pty INPUT CMD...      CMD on a new controlling terminal, INPUT typed (\\n: Enter)\n"
	"  ptyhold NAMEF OUTF    hold a pty: its name to NAMEF, lines typed into it to OUTF\n"
	"  keyadd DESC DATA      add a user key to the user keyring, print its serial\n"
	"  keyread DESC          link @u into @s, find user key DESC, print its payload\n"
	"  keyown DESC DATA      add a user key to the session keyring, read it back\n"
	"  keyfill N [again]     add user keys to the session keyring until refused (or N),\n"
	"                        print how many; again: clear, wait for the frees, refill\n"
	"  prlimit PID N         set RLIMIT_NOFILE of PID to N\n"
	"  soft_offline          retire a page of its own memory (MADV_SOFT_OFFLINE)\n"
	"  uring_soft_offline    the same through io_uring with a registered personality\n"
	"  rnd_credit            credit 8 bits to the entropy pool (RNDADDTOENTCNT on\n"
	"                        /dev/urandom)\n"
	"  crypto_prio DRIVER N  set the priority of the crypto algorithm DRIVER to N\n"
	"                        (NETLINK_CRYPTO, CRYPTO_MSG_UPDATEALG)\n"
	"  taskstats PID [train] print the comm and bytes written of task PID (generic\n"
	"                        netlink TASKSTATS); train: behind an nlctrl message\n"
	"                        in the same sendmsg\n"
	"  genl_family NAME      print the id of generic netlink family NAME\n"
	"  rt [RTPRIO]           make itself SCHED_FIFO (after setting RLIMIT_RTPRIO to\n"
	"                        RTPRIO, if given) and print its policy\n"
	"  kread CGROUP ADDR     load a cgroup device program that reads the kernel word at\n"
	"                        ADDR (hex) with bpf_probe_read_kernel and answers bit\n"
	"                        <minor> of it; attach it to CGROUP, mknod c 1:0..63 from\n"
	"                        there and print the word (hex)\n"
	"  perf_cpu MARKER SECS  CPU-wide user-mode sampling of every CPU's user stacks\n"
	"                        for SECS seconds; print 'found PID' for a sample holding\n"
	"                        MARKER taken in another process\n"
	"  stack_marker MARKER SECS  spin in user mode for SECS seconds with MARKER on\n"
	"                        the stack\n"
	"  netns_link PID NAME   RTM_NEWLINK: create dummy interface NAME in the network\n"
	"                        namespace of PID (IFLA_NET_NS_PID)\n"
	"  uevent_send TEXT      send a uevent (TEXT, ';' for NUL) to the kernel on\n"
	"                        NETLINK_KOBJECT_UEVENT, which broadcasts it in this netns\n"
	"  uevent_listen SECS    print the uevents of this netns holding 'eci' for SECS s\n"
	"  fanotify PATH SECS    mark PATH's whole filesystem (FAN_MARK_FILESYSTEM, FAN_OPEN),\n"
	"                        print 'marked', then for SECS seconds the first line of\n"
	"                        every file opened there, read through the event's fd\n"
	"  fsioctl PATH OP       a filesystem ioctl on PATH's filesystem: freeze, thaw,\n"
	"                        shutdown (ext4/xfs goingdown, no log flush), trim (print\n"
	"                        the bytes trimmed) or flags (get the inode flags, set them\n"
	"                        unchanged)\n"
	"  quotaoff PATH         quotactl_fd(Q_QUOTAOFF, USRQUOTA) on PATH's filesystem\n"
	"  vsock_listen PORT SECS  listen on vsock PORT (any CID), print 'listening', then\n"
	"                        the first line a peer sends within SECS seconds\n"
	"  vsock_send CID PORT TEXT  connect to vsock CID:PORT and send TEXT\n"
	"  mtrr add|del BASE SIZE  MTRRIOC_ADD_ENTRY/DEL_ENTRY (uncachable) through\n"
	"                        /proc/mtrr opened read-only (x86)\n"
	"  http SOCKET METHOD URL [BODY]  one HTTP request on a unix socket: print the\n"
	"                        status code, then the body on one line\n"
	"  scm_pid PID           send SCM_CREDENTIALS naming PID over a unix socket pair;\n"
	"                        print the pid the receiver was given\n"
	"  fuse_hello DIR        mount a FUSE filesystem on DIR served by a child over\n"
	"                        /dev/fuse, with one file, hello; print what DIR/hello\n"
	"                        reads, unmount; status 0 only if that was the marker\n";

static int fail(const char *what)
{
	int e = errno;

	fprintf(stderr, "ecitest: %s: %s\n", what, strerror(e));
	return e > 0 && e < 126 ? e : 125;
}

static int open_or_die(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "ecitest: open %s: %s\n", path, strerror(errno));
		exit(125);
	}
	return fd;
}

static int do_init_module(const char *path)
{
	int fd = open_or_die(path);
	struct stat st;
	char *buf;

	if (fstat(fd, &st) || !(buf = malloc(st.st_size)) ||
	    read(fd, buf, st.st_size) != st.st_size) {
		fprintf(stderr, "ecitest: read %s failed\n", path);
		return 125;
	}
	if (syscall(SYS_init_module, buf, (unsigned long)st.st_size, ""))
		return fail("init_module");
	return 0;
}

static int unix_socket(const char *path, struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	strncpy(sa->sun_path, path, sizeof(sa->sun_path) - 1);
	return fd;
}

/* One peer, one fd: the host hands a container a device it could not open
 * ("tcp": an unbound TCP socket of the sender's network namespace). */
static int do_sendfd(const char *sock, const char *file, bool wr)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct sockaddr_un sa;
	struct cmsghdr *cm;
	int lfd, cfd,
		fd = !strcmp(file, "tcp") ? socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) :
		     wr			  ? open(file, O_WRONLY | O_CLOEXEC) :
					    open_or_die(file);

	if (fd < 0)
		return fail("open");
	lfd = unix_socket(sock, &sa);
	unlink(sock);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1))
		return fail("listen");
	cfd = accept(lfd, NULL, NULL);
	if (cfd < 0)
		return fail("accept");
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(cfd, &msg, 0) != 1)
		return fail("sendmsg");
	return 0;
}

/* Receive one fd over SOCK; -1 with errno set if none came. */
static int recv_one_fd(const char *sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct sockaddr_un sa;
	struct cmsghdr *cm;
	int sfd = unix_socket(sock, &sa), fd;

	for (int i = 0; i < 50 && connect(sfd, (struct sockaddr *)&sa, sizeof(sa)); i++)
		usleep(100000);
	if (recvmsg(sfd, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		errno = EPERM;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	close(sfd);
	return fd;
}

/*
 * A TCP listener on PORT of every address: its socket made here, or received
 * over the unix socket FROM (one a VM process made). Bound and listening,
 * it serves one client "eci" (ONE: it only binds). The bind's refusal exits
 * with its errno.
 */
static int do_tcp_listen(const char *port, const char *from, bool once)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	int fd = from ? recv_one_fd(from) : socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), cfd;
	int one = 1;

	if (fd < 0)
		return fail(from ? "recvmsg" : "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fail("bind");
	if (listen(fd, 1))
		return fail("listen");
	if (once)
		return 0;
	/* A client that never comes must not hold the test up. */
	alarm(60);
	cfd = accept(fd, NULL, NULL);
	if (cfd < 0)
		return fail("accept");
	if (write(cfd, "eci\n", 4) != 4)
		return fail("write");
	close(cfd);
	return 0;
}

/* A client of 127.0.0.1:PORT, tried until a listener answers (or 30 s
 * pass): prints what it said. */
static int do_tcp_probe(const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(atoi(port)),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char buf[16] = { 0 };

	for (int i = 0; i < 300; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return fail("socket");
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			if (read(fd, buf, sizeof(buf) - 1) < 0)
				return fail("read");
			fputs(buf, stdout);
			return strcmp(buf, "eci\n") ? 125 : 0;
		}
		close(fd);
		usleep(100000);
	}
	return fail("connect");
}

/* A process given a VM directory's fd by someone outside: run CMD with it as
 * fd 3 (reachable as /proc/self/fd/3). */
static int do_recvfd_exec(const char *sock, char **cmd)
{
	int fd = recv_one_fd(sock);

	if (fd < 0)
		return fail("recvmsg");
	if (dup2(fd, 3) < 0)
		return fail("dup2");
	execvp(cmd[0], cmd);
	return fail("execvp");
}

static int do_recvfd(const char *sock)
{
	char data[512];
	int fd = recv_one_fd(sock);
	ssize_t n;

	/* The kernel drops an fd it may not install (MSG_CTRUNC): EPERM. */
	if (fd < 0)
		return fail("recvmsg: fd refused or not sent");
	n = read(fd, data, sizeof(data));
	if (n < 0)
		return fail("read");
	printf("%zd\n", n);
	return 0;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The attack on the enforcer itself: empty its container map. */
static int do_bpf_map_clear(const char *pin)
{
	union bpf_attr a;
	unsigned char key[64], next[64];
	int fd, n = 0, first = 1;

	memset(&a, 0, sizeof(a));
	a.pathname = (unsigned long)pin;
	fd = sys_bpf(BPF_OBJ_GET, &a);
	if (fd < 0)
		return fail("bpf(BPF_OBJ_GET)");
	for (;;) {
		memset(&a, 0, sizeof(a));
		a.map_fd = fd;
		a.key = first ? 0 : (unsigned long)key;
		a.next_key = (unsigned long)next;
		if (sys_bpf(BPF_MAP_GET_NEXT_KEY, &a))
			break;
		memset(&a, 0, sizeof(a));
		a.map_fd = fd;
		a.key = (unsigned long)next;
		if (sys_bpf(BPF_MAP_DELETE_ELEM, &a))
			return fail("bpf(BPF_MAP_DELETE_ELEM)");
		n++;
		first = 1; /* the hash map changed: start over */
	}
	printf("%d\n", n);
	return 0;
}

/* The soak's leak check (tests/vm-docker/89-soak.sh): a pinned map's keys,
 * counted by walking them. The VM has no bpftool; each map is read while
 * nothing changes it, so the walk neither skips nor repeats a key. */
static int do_map_count(const char *pin)
{
	struct bpf_map_info info;
	union bpf_attr a;
	unsigned char *key, *next, *t;
	unsigned long n = 0;
	int fd;

	memset(&a, 0, sizeof(a));
	a.pathname = (unsigned long)pin;
	fd = sys_bpf(BPF_OBJ_GET, &a);
	if (fd < 0)
		return fail("bpf(BPF_OBJ_GET)");
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a))
		return fail("bpf(BPF_OBJ_GET_INFO_BY_FD)");
	if (!info.key_size) {
		puts("-");
		return 0;
	}
	key = calloc(1, info.key_size);
	next = calloc(1, info.key_size);
	if (!key || !next)
		return fail("calloc");
	for (;;) {
		memset(&a, 0, sizeof(a));
		a.map_fd = fd;
		a.key = n ? (unsigned long)key : 0;
		a.next_key = (unsigned long)next;
		if (sys_bpf(BPF_MAP_GET_NEXT_KEY, &a))
			break;
		t = key, key = next, next = t;
		/* A hash walk that loses its place starts over: never spin. */
		if (++n > (unsigned long)info.max_entries) {
			errno = EAGAIN;
			return fail("the map changed while counting");
		}
	}
	if (errno == ENOENT) {
		printf("%lu\n", n);
		return 0;
	}
	if (!n && (errno == EOPNOTSUPP || errno == 524 /* ENOTSUPP */ || errno == EINVAL)) {
		puts("-");
		return 0;
	}
	return fail("bpf(BPF_MAP_GET_NEXT_KEY)");
}

static int do_perf(int kernel)
{
	struct perf_event_attr pa = {
		.size = sizeof(pa),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.exclude_kernel = !kernel,
		.exclude_hv = 1,
	};

	if (syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0) < 0)
		return fail("perf_event_open");
	return 0;
}

static int do_clone_into(const char *dir)
{
	struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	int status;
	long pid;

	args.cgroup = open_or_die(dir);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		return fail("clone3(CLONE_INTO_CGROUP)");
	if (!pid) {
		execl("/bin/cat", "cat", "/proc/self/cgroup", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return 0;
}

#define HANDLE_MAX 128

/* A file_handle with room for its bytes, reached through a plain pointer
 * (f_handle is a zero-length array). */
static struct file_handle *new_handle(unsigned char **bytes)
{
	struct file_handle *fh = calloc(1, sizeof(*fh) + HANDLE_MAX);

	if (!fh)
		exit(125);
	*bytes = (unsigned char *)fh + offsetof(struct file_handle, f_handle);
	return fh;
}

static int do_handle(const char *path)
{
	unsigned char *bytes;
	struct file_handle *fh = new_handle(&bytes);
	int mount_id;

	fh->handle_bytes = HANDLE_MAX;
	if (name_to_handle_at(AT_FDCWD, path, fh, &mount_id, 0))
		return fail("name_to_handle_at");
	printf("%d ", fh->handle_type);
	for (unsigned int i = 0; i < fh->handle_bytes; i++)
		printf("%02x", bytes[i]);
	printf("\n");
	return 0;
}

/* The "shocker" escape: a handle is a path to a file, minus the path. */
static int do_open_by_handle(const char *dir, const char *type, const char *hex)
{
	unsigned char *bytes;
	struct file_handle *fh = new_handle(&bytes);
	size_t n = strlen(hex) / 2;
	char line[256];
	ssize_t got;
	int mfd, fd;

	if (n > HANDLE_MAX)
		return 125;
	fh->handle_type = atoi(type);
	fh->handle_bytes = n;
	for (size_t i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &bytes[i]);
	mfd = open_or_die(dir);
	fd = open_by_handle_at(mfd, fh, O_RDONLY);
	if (fd < 0)
		return fail("open_by_handle_at");
	got = read(fd, line, sizeof(line) - 1);
	if (got < 0)
		return fail("read");
	line[got] = '\0';
	line[strcspn(line, "\n")] = '\0';
	printf("%s\n", line);
	return 0;
}

static int do_clone_tree(const char *src, const char *dst)
{
	int fd = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE);

	if (fd < 0)
		return fail("open_tree");
	if (move_mount(fd, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH))
		return fail("move_mount");
	return 0;
}

static int do_fsmount(const char *type, const char *dst)
{
	int fs = fsopen(type, 0), mnt;

	if (fs < 0)
		return fail("fsopen");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		return fail("fsconfig(FSCONFIG_CMD_CREATE)");
	mnt = fsmount(fs, 0, 0);
	if (mnt < 0)
		return fail("fsmount");
	if (move_mount(mnt, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH))
		return fail("move_mount");
	return 0;
}

static int do_setattr_rw(const char *path)
{
	struct mount_attr attr = { .attr_clr = MOUNT_ATTR_RDONLY };

	if (mount_setattr(AT_FDCWD, path, 0, &attr, sizeof(attr)))
		return fail("mount_setattr");
	return 0;
}

static int do_fspick_rw(const char *path)
{
	int fd = fspick(AT_FDCWD, path, 0);

	if (fd < 0)
		return fail("fspick");
	if (fsconfig(fd, FSCONFIG_SET_FLAG, "rw", NULL, 0))
		return fail("fsconfig(rw)");
	if (fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0))
		return fail("fsconfig(FSCONFIG_CMD_RECONFIGURE)");
	return 0;
}

static int do_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = unix_socket(path, &sa);

	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fail("connect");
	printf("ok\n");
	return 0;
}

/* http: one request on an engine's unix socket (Connection: close); prints
 * the status code, then the body on one line. */
static int do_http(const char *path, const char *method, const char *url, const char *body)
{
	struct sockaddr_un sa;
	int fd = unix_socket(path, &sa);
	static char buf[1 << 16];
	size_t got = 0;
	ssize_t n;
	char *end;
	int len;

	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fail("connect");
	len = snprintf(buf, sizeof(buf),
		       "%s %s HTTP/1.1\r\nHost: engine\r\nConnection: close\r\n"
		       "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		       method, url, body ? strlen(body) : 0, body ? body : "");
	if (len < 0 || (size_t)len >= sizeof(buf) || write(fd, buf, len) != len)
		return fail("write");
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	end = strstr(buf, "\r\n\r\n");
	if (strncmp(buf, "HTTP/1.", 7) || !end || strlen(buf) < 12) {
		fprintf(stderr, "ecitest: not an HTTP answer: %.200s\n", buf);
		return 2;
	}
	printf("%.3s\n", buf + 9);
	for (char *c = end + 4; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	printf("%s\n", end + 4);
	return 0;
}

/* The open runs in an io_uring worker (iou-wrk), a kernel thread the
 * process made: it must be judged as the process is. */
/* One request through a new ring: its result (a negative errno), or exits. A
 * personality (io_uring_register) makes the request run with those
 * credentials; -1 for none. */
static int uring_one(const struct io_uring_sqe *req, int personality_of_ring)
{
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqe;
	unsigned int *sq_tail, *sq_array, *cq_head;
	char *sq, *cq;
	int fd;

	fd = syscall(SYS_io_uring_setup, 4, &p);
	if (fd < 0)
		exit(fail("io_uring_setup"));
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED, fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED, fd, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		exit(fail("mmap"));
	sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	sq_array = (unsigned int *)(sq + p.sq_off.array);
	cq_head = (unsigned int *)(cq + p.cq_off.head);
	sqes[0] = *req;
	if (personality_of_ring >= 0) {
		/* The ring's personality is this task's credentials now; new
		 * ones after it (setgroups) make the request borrow them. */
		int id = syscall(SYS_io_uring_register, fd, IORING_REGISTER_PERSONALITY, NULL, 0);

		if (id < 0)
			exit(fail("io_uring_register(IORING_REGISTER_PERSONALITY)"));
		if (setgroups(0, NULL))
			exit(fail("setgroups"));
		sqes[0].personality = id;
	}
	sq_array[*sq_tail & (p.sq_entries - 1)] = 0;
	__atomic_store_n(sq_tail, *sq_tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		exit(fail("io_uring_enter"));
	cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes) + (*cq_head & (p.cq_entries - 1));
	return cqe->res;
}

static int do_uring_open(const char *path)
{
	struct io_uring_sqe req = { .opcode = IORING_OP_OPENAT, .flags = IOSQE_ASYNC };
	char buf[16];
	ssize_t n;
	int res;

	req.fd = AT_FDCWD;
	req.addr = (unsigned long)path;
	req.open_flags = O_RDONLY;
	res = uring_one(&req, -1);
	if (res < 0) {
		errno = -res;
		return fail("io_uring openat");
	}
	n = read(res, buf, sizeof(buf));
	if (n < 0)
		return fail("read");
	printf("%zd\n", n);
	return 0;
}

/* uring_soft_offline: soft_offline's madvise as an io_uring request made
 * with a registered personality (borrowed credentials). */
static int do_uring_soft_offline(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct io_uring_sqe req = { .opcode = IORING_OP_MADVISE };
	int res;

	if (p == MAP_FAILED)
		return fail("mmap");
	memset(p, 0x5a, psz);
	req.addr = (unsigned long)p;
	req.len = psz;
	req.fadvise_advice = MADV_SOFT_OFFLINE;
	res = uring_one(&req, 0);
	if (res < 0) {
		errno = -res;
		return fail("io_uring madvise(MADV_SOFT_OFFLINE)");
	}
	return 0;
}

/* rnd_credit: RNDADDTOENTCNT counts bits nobody added as entropy of the
 * one pool every container shares with the VM. */
static int do_rnd_credit(void)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC), bits = 8, ret = 0;

	if (fd < 0)
		return fail("open /dev/urandom");
	if (ioctl(fd, RNDADDTOENTCNT, &bits) < 0)
		ret = fail("ioctl RNDADDTOENTCNT");
	close(fd);
	return ret;
}

static int pidfd_of(const char *pid)
{
	int fd = (int)syscall(SYS_pidfd_open, atoi(pid), 0);

	if (fd < 0) {
		fprintf(stderr, "ecitest: pidfd_open %s: %s\n", pid, strerror(errno));
		exit(125);
	}
	return fd;
}

/* Attach as a debugger would and read the tracee's memory: the first word of
 * its first mapping, the ELF header of its executable ("\x7fELF"). */
static int do_ptrace(const char *arg)
{
	pid_t pid = atoi(arg);
	unsigned long start;
	char maps[64];
	long word;
	FILE *f;

	if (ptrace(PTRACE_SEIZE, pid, 0, 0))
		return fail("ptrace(PTRACE_SEIZE)");
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) || waitpid(pid, NULL, __WALL) != pid)
		return fail("ptrace(PTRACE_INTERRUPT)");
	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "r");
	if (!f || fscanf(f, "%lx", &start) != 1)
		return fail("read the tracee's maps");
	fclose(f);
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, (void *)start, 0);
	if (errno)
		return fail("ptrace(PTRACE_PEEKDATA)");
	printf("word %08lx\n", (unsigned long)word & 0xffffffffUL);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return 0;
}

static int do_getfd(const char *pid, const char *fdnum)
{
	char buf[256];
	ssize_t n;
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd_of(pid), atoi(fdnum), 0);

	if (fd < 0)
		return fail("pidfd_getfd");
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return fail("read");
	buf[n] = '\0';
	printf("%s", buf);
	return 0;
}

static int do_setns_write(const char *pid, const char *path)
{
	int fd;

	if (syscall(SYS_setns, pidfd_of(pid), CLONE_NEWNS))
		return fail("setns(pidfd, CLONE_NEWNS)");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "eci\n", 4) != 4)
		return fail("write");
	close(fd);
	printf("written\n");
	return 0;
}

#define BPF_INSN(c, d, s, o, i)                                                                    \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* A nested runtime may load cgroup device programs; if the verifier grants
 * it bpf_probe_read_kernel, the program reads any kernel word and leaks it
 * one bit per device minor asked about. */
static int do_kread(const char *cgroup, const char *addr_hex)
{
	unsigned long long addr = strtoull(addr_hex, NULL, 16), word = 0;
	char log[4096] = "";
	struct bpf_insn prog[] = {
		BPF_INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0), /* r6 = ctx */
		BPF_INSN(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 0), /* *(u64 *)(r10 - 8) = 0 */
		BPF_INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0), /* r1 = r10 - 8 */
		BPF_INSN(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -8),
		BPF_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 8), /* r2 = 8 */
		BPF_INSN(BPF_LD | BPF_DW | BPF_IMM, 3, 0, 0, (__u32)addr), /* r3 = addr */
		BPF_INSN(0, 0, 0, 0, (__u32)(addr >> 32)),
		BPF_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel),
		BPF_INSN(BPF_LDX | BPF_MEM | BPF_DW, 0, 10, -8, 0), /* r0 = word */
		BPF_INSN(BPF_LDX | BPF_MEM | BPF_W, 1, 6, 8, 0), /* r1 = ctx->minor */
		BPF_INSN(BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0, 63),
		BPF_INSN(BPF_ALU64 | BPF_RSH | BPF_X, 0, 1, 0, 0), /* r0 >>= r1 */
		BPF_INSN(BPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, 1),
		BPF_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	union bpf_attr a;
	int pfd, cfd, status;
	pid_t pid;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (unsigned long)prog;
	a.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	a.license = (unsigned long)"GPL";
	a.log_buf = (unsigned long)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	pfd = sys_bpf(BPF_PROG_LOAD, &a);
	if (pfd < 0) {
		int e = errno;

		fprintf(stderr, "%s", log);
		errno = e;
		return fail("bpf(BPF_PROG_LOAD) of a device program reading the kernel");
	}
	cfd = open_or_die(cgroup);
	memset(&a, 0, sizeof(a));
	a.target_fd = cfd;
	a.attach_bpf_fd = pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a))
		return fail("bpf(BPF_PROG_ATTACH)");
	pid = fork();
	if (!pid) {
		char procs[512];
		FILE *f;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
		f = fopen(procs, "w");
		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
			_exit(fail("joining the cgroup"));
		for (int bit = 0; bit < 64; bit++) {
			unlink("/tmp/eci-kread");
			if (!mknod("/tmp/eci-kread", S_IFCHR | 0600, makedev(1, bit)))
				word |= 1ULL << bit;
		}
		unlink("/tmp/eci-kread");
		printf("%016llx\n", word);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	sys_bpf(BPF_PROG_DETACH, &a);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}

/* The victim: a process of the VM with a marker on its user stack. */
static int do_stack_marker(const char *marker, int secs)
{
	volatile char buf[64];
	time_t end = time(NULL) + secs;
	volatile unsigned long spin = 0;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = marker[i % (strlen(marker) + 1)];
	while (time(NULL) < end)
		for (int i = 0; i < 1000000; i++)
			spin++;
	return buf[0] == 0;
}

/* A CPU-wide event (pid -1) samples whatever runs on the CPU, VM processes
 * included: their user registers and a copy of their user stack. */
static int do_perf_cpu(const char *marker, int secs)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t mlen = strlen(marker), pg = sysconf(_SC_PAGESIZE), len = pg * 65;
	time_t end = time(NULL) + secs;
	struct perf_event_mmap_page *rb[64];
	int found = 0;
	unsigned long samples = 0;

	if (ncpu > 64)
		ncpu = 64;
	for (long cpu = 0; cpu < ncpu; cpu++) {
		struct perf_event_attr pa = {
			.size = sizeof(pa),
			.type = PERF_TYPE_SOFTWARE,
			.config = PERF_COUNT_SW_CPU_CLOCK,
			.sample_period = 1000000,
			.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_STACK_USER,
			.sample_stack_user = 4096,
			.exclude_kernel = 1,
			.exclude_hv = 1,
		};
		int fd = syscall(SYS_perf_event_open, &pa, -1, (int)cpu, -1, 0);

		if (fd < 0)
			return fail("perf_event_open(pid -1, a CPU)");
		rb[cpu] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (rb[cpu] == MAP_FAILED)
			return fail("mmap of the perf buffer");
	}
	printf("opened\n");
	fflush(stdout);
	while (!found && time(NULL) < end) {
		usleep(100000);
		for (long cpu = 0; cpu < ncpu && !found; cpu++) {
			struct perf_event_mmap_page *m = rb[cpu];
			char *data = (char *)m + pg;
			__u64 head = __atomic_load_n(&m->data_head, __ATOMIC_ACQUIRE);
			__u64 tail = m->data_tail, size = len - pg;

			while (tail < head) {
				struct perf_event_header h;
				char rec[8192];

				for (size_t i = 0; i < sizeof(h); i++)
					((char *)&h)[i] = data[(tail + i) % size];
				if (h.size > sizeof(rec) || !h.size)
					break;
				for (size_t i = 0; i < h.size; i++)
					rec[i] = data[(tail + i) % size];
				tail += h.size;
				if (h.type != PERF_RECORD_SAMPLE)
					continue;
				samples++;
				/* pid, tid, then the stack: size, bytes, dyn size */
				__u32 spid = *(__u32 *)(rec + sizeof(h));
				for (size_t i = sizeof(h) + 16; i + mlen <= h.size; i++)
					if (spid != (__u32)getpid() &&
					    !memcmp(rec + i, marker, mlen)) {
						printf("found %u\n", spid);
						found = 1;
						break;
					}
			}
			__atomic_store_n(&m->data_tail, head, __ATOMIC_RELEASE);
		}
	}
	if (!found)
		printf("%lu samples, none with the marker\n", samples);
	return found ? 0 : 3;
}

static void nla_put(char *buf, size_t *len, unsigned short type, const void *data, size_t dlen)
{
	struct nlattr *a = (struct nlattr *)(buf + *len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + dlen;
	if (dlen)
		memcpy((char *)a + NLA_HDRLEN, data, dlen);
	*len += NLA_ALIGN(a->nla_len);
}

/* An interface made in another network namespace, named by a pid in it: the
 * target netns is resolved by the kernel after the message's own checks. */
static int do_netns_link(const char *pid_s, const char *name)
{
	char buf[512] __attribute__((aligned(4))) = { 0 }, ack[512];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct nlattr *info;
	__u32 pid = atoi(pid_s);
	size_t len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), at;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct nlmsgerr *err;

	if (fd < 0)
		return fail("socket(NETLINK_ROUTE)");
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	nla_put(buf, &len, IFLA_IFNAME, name, strlen(name) + 1);
	nla_put(buf, &len, IFLA_NET_NS_PID, &pid, sizeof(pid));
	at = len;
	nla_put(buf, &len, IFLA_LINKINFO, NULL, 0);
	nla_put(buf, &len, IFLA_INFO_KIND, "dummy", 6);
	info = (struct nlattr *)(buf + at);
	info->nla_len = len - at;
	h->nlmsg_len = len;
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		return fail("sendto(RTM_NEWLINK)");
	if (recv(fd, ack, sizeof(ack), 0) < (ssize_t)NLMSG_LENGTH(sizeof(*err)))
		return fail("recv");
	err = NLMSG_DATA(ack);
	if (err->error) {
		errno = -err->error;
		return fail("RTM_NEWLINK with IFLA_NET_NS_PID");
	}
	return 0;
}

/* A uevent sent to the kernel is broadcast to the netns' listeners (udev),
 * checked against CAP_SYS_ADMIN over the socket's netns. */
static int do_uevent_send(const char *text)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	char msg[512] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	char *p = msg + NLMSG_HDRLEN;
	size_t n = strlen(text);

	if (fd < 0)
		return fail("socket(NETLINK_KOBJECT_UEVENT)");
	if (n >= sizeof(msg) - NLMSG_HDRLEN)
		n = sizeof(msg) - NLMSG_HDRLEN - 1;
	for (size_t i = 0; i <= n; i++)
		p[i] = text[i] == ';' ? '\0' : text[i];
	/* The kernel side reads netlink messages: a request of a type past the
	 * control ones. */
	h->nlmsg_len = NLMSG_LENGTH(n + 1);
	h->nlmsg_type = NLMSG_MIN_TYPE;
	h->nlmsg_flags = NLM_F_REQUEST;
	if (sendto(fd, msg, h->nlmsg_len, 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		return fail("sendto(NETLINK_KOBJECT_UEVENT)");
	return 0;
}

static int do_uevent_listen(int secs)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	time_t end = time(NULL) + secs;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return fail("bind(NETLINK_KOBJECT_UEVENT)");
	printf("listening\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char msg[2048];
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (!msg[i])
				msg[i] = ';';
		msg[n] = '\0';
		if (strstr(msg, "eci")) {
			printf("%s\n", msg);
			fflush(stdout);
		}
	}
	return 0;
}

/* Every open on PATH's filesystem, by anyone, hands this process an fd of the
 * opened file, with no permission check of its own. */
static int do_fanotify(const char *path, int secs)
{
	int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY | O_LARGEFILE);
	time_t end = time(NULL) + secs;
	char buf[8192] __attribute__((aligned(8)));

	if (fd < 0)
		return fail("fanotify_init");
	if (fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD, path))
		return fail("fanotify_mark(FAN_MARK_FILESYSTEM)");
	printf("marked\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct fanotify_event_metadata *m;
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (m = (void *)buf; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
			char line[128];
			ssize_t r;

			if (m->fd < 0)
				continue;
			r = pread(m->fd, line, sizeof(line) - 1, 0);
			if (r > 0) {
				line[r] = '\0';
				line[strcspn(line, "\n")] = '\0';
				printf("%s\n", line);
				fflush(stdout);
			}
			close(m->fd);
		}
	}
	return 0;
}

/* linux/fs.h's numbers: that header clashes with glibc's sys/mount.h. */
struct eci_fstrim_range {
	unsigned long long start, len, minlen;
};
#define ECI_FIFREEZE _IOWR('X', 119, int)
#define ECI_FITHAW _IOWR('X', 120, int)
#define ECI_FITRIM _IOWR('X', 121, struct eci_fstrim_range)
#define ECI_FS_IOC_SHUTDOWN _IOR('X', 125, unsigned int)
#define ECI_GOING_NOLOGFLUSH 2
#define ECI_FS_IOC_GETFLAGS _IOR('f', 1, long)
#define ECI_FS_IOC_SETFLAGS _IOW('f', 2, long)
#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif

static int do_fsioctl(const char *path, const char *op)
{
	struct eci_fstrim_range r = { 0, ~0ULL, 0 };
	unsigned int how = ECI_GOING_NOLOGFLUSH;
	int fd = open_or_die(path), zero = 0;

	if (!strcmp(op, "freeze"))
		return ioctl(fd, ECI_FIFREEZE, &zero) ? fail("ioctl(FIFREEZE)") : 0;
	if (!strcmp(op, "thaw"))
		return ioctl(fd, ECI_FITHAW, &zero) ? fail("ioctl(FITHAW)") : 0;
	if (!strcmp(op, "shutdown"))
		return ioctl(fd, ECI_FS_IOC_SHUTDOWN, &how) ? fail("ioctl(FS_IOC_SHUTDOWN)") : 0;
	if (!strcmp(op, "flags")) {
		int fl;

		if (ioctl(fd, ECI_FS_IOC_GETFLAGS, &fl))
			return fail("ioctl(FS_IOC_GETFLAGS)");
		if (ioctl(fd, ECI_FS_IOC_SETFLAGS, &fl))
			return fail("ioctl(FS_IOC_SETFLAGS)");
		return 0;
	}
	if (!strcmp(op, "trim")) {
		if (ioctl(fd, ECI_FITRIM, &r))
			return fail("ioctl(FITRIM)");
		printf("%llu\n", r.len);
		return 0;
	}
	fputs(usage, stderr);
	return 2;
}

static int do_quotaoff(const char *path)
{
	if (syscall(SYS_quotactl_fd, open_or_die(path), QCMD(Q_QUOTAOFF, USRQUOTA), 0, NULL))
		return fail("quotactl_fd(Q_QUOTAOFF)");
	return 0;
}

static int vsock_socket(void)
{
	int s = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		exit(fail("socket(AF_VSOCK)"));
	return s;
}

static int do_vsock_listen(const char *port, int secs)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY };
	struct pollfd p = { .events = POLLIN };
	char line[128];
	ssize_t n;
	int s = vsock_socket(), c;

	a.svm_port = (unsigned int)atoi(port);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)))
		return fail("bind(AF_VSOCK)");
	if (listen(s, 1))
		return fail("listen(AF_VSOCK)");
	printf("listening\n");
	fflush(stdout);
	p.fd = s;
	if (poll(&p, 1, secs * 1000) != 1) {
		fprintf(stderr, "ecitest: no vsock peer within %d s\n", secs);
		return 124;
	}
	c = accept(s, NULL, NULL);
	if (c < 0)
		return fail("accept(AF_VSOCK)");
	n = read(c, line, sizeof(line) - 1);
	if (n < 0)
		return fail("read");
	line[n] = '\0';
	printf("%s\n", line);
	return 0;
}

static int do_vsock_send(const char *cid, const char *port, const char *text)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK };
	int s = vsock_socket();

	a.svm_cid = (unsigned int)atoi(cid);
	a.svm_port = (unsigned int)atoi(port);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)))
		return fail("connect(AF_VSOCK)");
	if (write(s, text, strlen(text)) < 0)
		return fail("write");
	return 0;
}

static int do_mtrr(const char *op, const char *base, const char *size)
{
#ifdef ECI_HAVE_IOPERM
	struct mtrr_sentry e = { .base = strtoul(base, NULL, 0),
				 .size = (unsigned int)strtoul(size, NULL, 0),
				 .type = MTRR_TYPE_UNCACHABLE };
	int fd = open_or_die("/proc/mtrr");

	char buf[4096];
	ssize_t n;
	int t;

	/* ADD answers the register it used. */
	if (ioctl(fd, strcmp(op, "add") ? MTRRIOC_DEL_ENTRY : MTRRIOC_ADD_ENTRY, &e) < 0)
		return fail("ioctl(MTRRIOC_*_ENTRY)");
	/* A range added through this fd goes when the fd closes: show the table
	 * while it is held, as an attacker holding it open would leave it. */
	t = open_or_die("/proc/mtrr");
	while ((n = read(t, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(t);
	return 0;
#else
	(void)op, (void)base, (void)size;
	fprintf(stderr, "ecitest: mtrr: x86 only\n");
	return 2;
#endif
}

/* tiocsti PATH TEXT: type TEXT into the terminal PATH (TIOCSTI, a char at a
 * time), then a newline. */
static int do_tiocsti(const char *path, const char *text)
{
	int fd = open(path, O_RDWR | O_NOCTTY);

	if (fd < 0)
		return fail(path);
	for (const char *p = text;; p++) {
		char ch = *p ? *p : '\n';

		if (ioctl(fd, TIOCSTI, &ch))
			return fail("TIOCSTI");
		if (!*p)
			break;
	}
	return 0;
}

/* tioccons PATH: make the terminal PATH the console's output. */
static int do_tioccons(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY);

	if (fd < 0)
		return fail(path);
	if (ioctl(fd, TIOCCONS))
		return fail("TIOCCONS");
	return 0;
}

/* pty INPUT CMD...: CMD on a new terminal (its controlling tty, as a user's
 * shell gives `docker exec -it`), INPUT typed into it ("\\n" is Enter), its
 * output copied to stdout; exits with CMD's status. */
static int do_pty(const char *input, char **cmd)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), st;
	char buf[4096];
	size_t o = 0;
	ssize_t n;
	pid_t pid;

	if (m < 0 || grantpt(m) || unlockpt(m))
		return fail("ptmx");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (!pid) {
		int s;

		setsid();
		s = open(ptsname(m), O_RDWR);
		if (s < 0)
			_exit(fail("pty"));
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		execvp(cmd[0], cmd);
		_exit(fail(cmd[0]));
	}
	for (const char *p = input; *p && o < sizeof(buf); p++)
		buf[o++] = p[0] == '\\' && p[1] == 'n' ? (p++, '\r') : *p;
	if (o && write(m, buf, o) != (ssize_t)o)
		return fail("typing into the pty");
	/* EIO: the slave's last holder closed it. */
	while ((n = read(m, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) != n)
			break;
	if (waitpid(pid, &st, 0) < 0)
		return fail("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ptyhold NAMEFILE OUTFILE: a pty of this devpts; its slave's name goes to
 * NAMEFILE, every line read from the slave (what was typed into it) is
 * appended to OUTFILE. Runs until killed. */
static int do_ptyhold(const char *namefile, const char *outfile)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;
	char line[256];
	FILE *in, *f;

	if (m < 0 || grantpt(m) || unlockpt(m))
		return fail("ptmx");
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	f = fopen(namefile, "w");
	if (s < 0 || !f)
		return fail("pty");
	fprintf(f, "%s\n", ptsname(m));
	fclose(f);
	in = fdopen(s, "r");
	while (in && fgets(line, sizeof(line), in)) {
		f = fopen(outfile, "a");
		if (f) {
			fputs(line, f);
			fclose(f);
		}
	}
	return 0;
}

/* keyadd DESC DATA: a "user" key in the caller's user keyring (@u). */
static int do_keyadd(const char *desc, const char *data)
{
	long id = syscall(SYS_add_key, "user", desc, data, strlen(data), KEY_SPEC_USER_KEYRING);

	if (id < 0)
		return fail("add_key");
	printf("%ld\n", id);
	return 0;
}

/* A key's payload, printed. */
static int key_print(long id)
{
	char buf[256];
	long n = syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof(buf) - 1);

	if (n < 0)
		return fail("keyctl read");
	buf[n < (long)sizeof(buf) ? n : (long)sizeof(buf) - 1] = '\0';
	printf("%s\n", buf);
	return 0;
}

/* keyread DESC: the user keyring (@u) linked into the session keyring, the
 * "user" key DESC found there and its payload printed: how a root that
 * shares the VM's uid 0 reaches the VM root's keys. */
static int do_keyread(const char *desc)
{
	long id;

	if (syscall(SYS_keyctl, KEYCTL_LINK, KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING))
		return fail("keyctl link @u @s");
	id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", desc, 0);
	if (id < 0)
		return fail("keyctl search");
	return key_print(id);
}

/* keyown DESC DATA: a key of its own in its session keyring, read back. */
static int do_keyown(const char *desc, const char *data)
{
	long id;

	id = syscall(SYS_add_key, "user", desc, data, strlen(data), KEY_SPEC_SESSION_KEYRING);
	if (id < 0)
		return fail("add_key");
	return key_print(id);
}

/* Keys uid 0 holds (/proc/key-users: "uid: usage nkeys/nikeys ..."), or -1. */
static long root_nkeys(void)
{
	FILE *f = fopen("/proc/key-users", "r");
	long uid, usage, nkeys, n = -1;
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " %ld: %ld %ld/", &uid, &usage, &nkeys) == 3 && uid == 0)
			n = nkeys;
	if (f)
		fclose(f);
	return n;
}

/* User keys in the session keyring until one is refused or n are added:
 * prints how many, and the refusal. */
static void key_fill(const char *round, long n)
{
	char desc[32];
	long i;

	for (i = 0; i < n; i++) {
		snprintf(desc, sizeof(desc), "eci-fill-%ld", i);
		if (syscall(SYS_add_key, "user", desc, "x", 1, KEY_SPEC_SESSION_KEYRING) < 0)
			break;
	}
	printf("%s %ld %s\n", round, i, i < n ? strerror(errno) : "none refused");
	fflush(stdout);
}

/* keyfill N [again]: fill the session keyring (key_fill); with again, clear
 * it, wait until the kernel has freed those keys (uid 0's count back where
 * it was, the VM being idle) and fill it again: a container's key quota
 * must come back whole. */
static int do_keyfill(const char *count, bool again)
{
	long n = atol(count), before = root_nkeys();

	key_fill("first", n);
	if (!again)
		return 0;
	if (syscall(SYS_keyctl, KEYCTL_CLEAR, KEY_SPEC_SESSION_KEYRING))
		return fail("keyctl clear @s");
	for (int i = 0; i < 300 && root_nkeys() > before; i++)
		usleep(100000);
	key_fill("second", n);
	return 0;
}

/* soft_offline: one page of its own memory taken out of service
 * (MADV_SOFT_OFFLINE): the physical page is retired for the whole VM
 * (HardwareCorrupted in /proc/meminfo grows). */
static int do_soft_offline(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return errno;
	memset(p, 0x5a, psz);
	if (madvise(p, psz, MADV_SOFT_OFFLINE))
		return fail("madvise(MADV_SOFT_OFFLINE)");
	return 0;
}

/* crypto_prio DRIVER N: the VM's choice among crypto implementations, by
 * priority (crypto_user). */
static int do_crypto_prio(const char *driver, const char *prio)
{
	struct {
		struct nlmsghdr h;
		struct crypto_user_alg alg;
		struct nlattr a;
		__u32 prio;
	} req = { 0 };
	struct {
		struct nlmsghdr h;
		struct nlmsgerr err;
	} ack;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_CRYPTO);
	ssize_t n;

	if (fd < 0)
		return fail("socket(NETLINK_CRYPTO)");
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = CRYPTO_MSG_UPDATEALG;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	snprintf(req.alg.cru_driver_name, sizeof(req.alg.cru_driver_name), "%s", driver);
	req.a.nla_len = sizeof(req.a) + sizeof(req.prio);
	req.a.nla_type = CRYPTOCFGA_PRIORITY_VAL;
	req.prio = strtoul(prio, NULL, 10);
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return fail("send CRYPTO_MSG_UPDATEALG");
	n = recv(fd, &ack, sizeof(ack), 0);
	if (n < 0)
		return fail("recv");
	if (n < (ssize_t)sizeof(ack) || ack.h.nlmsg_type != NLMSG_ERROR) {
		fprintf(stderr, "ecitest: no ack from crypto_user\n");
		return 125;
	}
	if (ack.err.error) {
		errno = -ack.err.error;
		return fail("CRYPTO_MSG_UPDATEALG");
	}
	return 0;
}

/* Append one generic netlink request with one attribute to buf at *off. */
static void genl_put(char *buf, size_t *off, __u16 type, __u8 cmd, __u16 attr, const void *val,
		     __u16 vlen)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(buf + *off);
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);

	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + NLA_HDRLEN + NLA_ALIGN(vlen));
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST;
	g->cmd = cmd;
	g->version = 1;
	a->nla_len = NLA_HDRLEN + vlen;
	a->nla_type = attr;
	memcpy((char *)a + NLA_HDRLEN, val, vlen);
	*off += NLMSG_ALIGN(h->nlmsg_len);
}

/* Send the len bytes of requests in buf, then read answers into ans until
 * one of type want: its header, or NULL with errno (an ack's error). */
static struct nlmsghdr *genl_exchange(int fd, const char *buf, size_t len, __u16 want, char *ans,
				      size_t alen)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return NULL;
	for (int tries = 0; tries < 4; tries++) {
		ssize_t n = recv(fd, ans, alen, 0);
		struct nlmsghdr *h = (struct nlmsghdr *)ans;

		if (n < 0)
			return NULL;
		for (size_t left = n; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *err = NLMSG_DATA(h);

				if (err->error) {
					errno = -err->error;
					return NULL;
				}
			} else if (h->nlmsg_type == want) {
				return h;
			}
		}
	}
	errno = ENOMSG;
	return NULL;
}

/* The first attribute of type want in the len bytes at p, or NULL. */
static struct nlattr *nla_find(void *p, size_t len, __u16 want)
{
	struct nlattr *a = p;

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		size_t step = NLA_ALIGN((size_t)a->nla_len);

		if ((a->nla_type & NLA_TYPE_MASK) == want)
			return a;
		if (step >= len)
			break;
		len -= step;
		a = (struct nlattr *)((char *)a + step);
	}
	return NULL;
}

#define GENL_PAYLOAD(h) ((char *)NLMSG_DATA(h) + GENL_HDRLEN)
#define GENL_PAYLOAD_LEN(h) ((h)->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN))

/* The id of generic netlink family name, or -1 (said). */
static int genl_family_id(int fd, const char *name)
{
	static char buf[256], ans[8192];
	struct nlmsghdr *h;
	struct nlattr *a;
	size_t len = 0;
	__u16 id;

	genl_put(buf, &len, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME, name,
		 strlen(name) + 1);
	h = genl_exchange(fd, buf, len, GENL_ID_CTRL, ans, sizeof(ans));
	if (!h) {
		fprintf(stderr, "ecitest: resolve the family %s: %s\n", name, strerror(errno));
		return -1;
	}
	a = nla_find(GENL_PAYLOAD(h), GENL_PAYLOAD_LEN(h), CTRL_ATTR_FAMILY_ID);
	if (!a) {
		fprintf(stderr, "ecitest: no id for the family %s\n", name);
		return -1;
	}
	memcpy(&id, (char *)a + NLA_HDRLEN, sizeof(id));
	return id;
}

/* genl_family NAME: a generic netlink family's id, asked of nlctrl. */
static int do_genl_family(const char *name)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC), id;

	if (fd < 0)
		return fail("socket(NETLINK_GENERIC)");
	id = genl_family_id(fd, name);
	if (id < 0)
		return 125;
	printf("family %s id %d\n", name, id);
	close(fd);
	return 0;
}

/* taskstats PID [train]: what TASKSTATS_CMD_GET tells of task PID, which
 * /proc/PID/io shows only past a ptrace check: its comm and the bytes it
 * wrote. "train": the request sent second in one sendmsg, behind a message
 * to nlctrl. */
static int do_taskstats(const char *pid_s, bool train)
{
	static char buf[512], ans[8192];
	struct nlattr *agg, *st;
	struct nlmsghdr *h;
	struct taskstats ts;
	__u32 pid = strtoul(pid_s, NULL, 10);
	size_t len = 0, n;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC), family;

	if (fd < 0)
		return fail("socket(NETLINK_GENERIC)");
	family = genl_family_id(fd, TASKSTATS_GENL_NAME);
	if (family < 0)
		return 125;
	if (train)
		genl_put(buf, &len, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME,
			 "nlctrl", sizeof("nlctrl"));
	genl_put(buf, &len, family, TASKSTATS_CMD_GET, TASKSTATS_CMD_ATTR_PID, &pid, sizeof(pid));
	h = genl_exchange(fd, buf, len, family, ans, sizeof(ans));
	if (!h)
		return fail("TASKSTATS_CMD_GET");
	agg = nla_find(GENL_PAYLOAD(h), GENL_PAYLOAD_LEN(h), TASKSTATS_TYPE_AGGR_PID);
	st = agg ? nla_find((char *)agg + NLA_HDRLEN, agg->nla_len - NLA_HDRLEN,
			    TASKSTATS_TYPE_STATS) :
		   NULL;
	if (!st) {
		fprintf(stderr, "ecitest: no stats in the TASKSTATS answer\n");
		return 125;
	}
	memset(&ts, 0, sizeof(ts));
	n = st->nla_len - NLA_HDRLEN;
	memcpy(&ts, (char *)st + NLA_HDRLEN, n < sizeof(ts) ? n : sizeof(ts));
	printf("comm=%.*s write_char=%llu\n", (int)sizeof(ts.ac_comm), ts.ac_comm,
	       (unsigned long long)ts.write_char);
	close(fd);
	return 0;
}

/* prlimit PID N: set RLIMIT_NOFILE of PID to N (soft and hard). */
static int do_prlimit(const char *pid, const char *n)
{
	struct rlimit r = { .rlim_cur = strtoul(n, NULL, 10), .rlim_max = strtoul(n, NULL, 10) };

	if (prlimit(atoi(pid), RLIMIT_NOFILE, &r, NULL))
		return fail("prlimit");
	return 0;
}

/* rt [RTPRIO]: the two ways to a real-time policy, by CAP_SYS_NICE or by
 * an RLIMIT_RTPRIO raised first; prints the policy the scheduler has. */
static int do_rt(const char *rtprio)
{
	struct sched_param sp = { .sched_priority = 1 };
	int e, policy;

	if (rtprio) {
		struct rlimit r = { .rlim_cur = strtoul(rtprio, NULL, 10),
				    .rlim_max = strtoul(rtprio, NULL, 10) };

		if (setrlimit(RLIMIT_RTPRIO, &r)) {
			e = errno;
			fprintf(stderr, "setrlimit RTPRIO: %s\n", strerror(e));
			return e;
		}
	}
	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		e = errno;
		fprintf(stderr, "sched_setscheduler FIFO: %s\n", strerror(e));
		return e;
	}
	policy = sched_getscheduler(0);
	printf("policy %s\n", policy == SCHED_FIFO ? "FIFO" : "other");
	return 0;
}

/*
 * A VM filesystem's reserved blocks are for its resuid (root) and for
 * CAP_SYS_RESOURCE (audit F8): a task of another uid that keeps only that
 * capability fills FILE past what the others may use, unless the capability
 * is refused.
 */
static int fill_as(const char *uid_s, const char *file)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};
	uid_t uid = (uid_t)strtoul(uid_s, NULL, 10);
	static char buf[65536];
	long kib = 0;
	ssize_t n;
	int fd;

	if (prctl(PR_SET_KEEPCAPS, 1) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return fail("setresuid keeping capabilities");
	d[CAP_SYS_RESOURCE / 32].permitted = 1U << (CAP_SYS_RESOURCE % 32);
	d[CAP_SYS_RESOURCE / 32].effective = 1U << (CAP_SYS_RESOURCE % 32);
	if (syscall(SYS_capset, &h, d))
		return fail("capset(CAP_SYS_RESOURCE)");
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return fail("open");
	memset(buf, 'x', sizeof(buf));
	while ((n = write(fd, buf, sizeof(buf))) > 0)
		kib += n / 1024;
	printf("wrote %ld KiB: %s\n", kib, n < 0 ? strerror(errno) : "end");
	fsync(fd);
	close(fd);
	return n < 0;
}

/*
 * A classic BPF program the JIT compiles for a task: seccomp() without
 * no_new_privs asks for CAP_SYS_ADMIN, and the JIT asks again to decide on
 * its Spectre-BHB barrier (audit K7). The filter is real: /proc/self/status
 * counts it.
 */
static int seccomp_filter(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	char line[256];
	FILE *f;

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return fail("seccomp(SECCOMP_SET_MODE_FILTER)");
	f = fopen("/proc/self/status", "r");
	if (!f)
		return fail("open /proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp_filters:", 16))
			fputs(line, stdout);
	fclose(f);
	return 0;
}

/*
 * fuse_hello: a FUSE server of one read-only file, spoken straight to the
 * kernel over /dev/fuse: the test images have no libfuse, and this way a test
 * makes exactly the open of /dev/fuse and the mount a FUSE filesystem in a
 * container makes, nothing more.
 */
#define FUSE_MARKER "eci-fuse-hello\n"
#define FUSE_HELLO_ID 2
/* Reads of /dev/fuse need room for the largest request: a WRITE of
 * max_write bytes (replied ENOSYS here) and never less than 8 KiB. */
#define FUSE_MAX_WRITE 4096
#define FUSE_BUF_SIZE (FUSE_MIN_READ_BUFFER + FUSE_MAX_WRITE)

static void fuse_attr_of(uint64_t id, struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = id;
	a->blksize = 4096;
	if (id == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0555;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0444;
		a->nlink = 1;
		a->size = sizeof(FUSE_MARKER) - 1;
	}
}

/* An error reply carries no data: the kernel rejects one that does. */
static int fuse_reply(int fd, uint64_t unique, int error, const void *data, size_t len)
{
	struct fuse_out_header h = { .unique = unique, .error = -error };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)data, error ? 0 : len } };

	h.len = sizeof(h) + iov[1].iov_len;
	/* ENOENT: the request was interrupted meanwhile; nobody waits for it. */
	if (writev(fd, iov, 2) < 0 && errno != ENOENT)
		return fail("write /dev/fuse");
	return 0;
}

static int fuse_answer(int fd, const struct fuse_in_header *in, const void *arg)
{
	union {
		struct fuse_init_out init;
		struct fuse_entry_out entry;
		struct fuse_attr_out attr;
		struct fuse_open_out open;
	} o;

	memset(&o, 0, sizeof(o));
	switch (in->opcode) {
	case FUSE_INIT:
		o.init.major = FUSE_KERNEL_VERSION;
		o.init.minor = FUSE_KERNEL_MINOR_VERSION;
		o.init.max_readahead = ((const struct fuse_init_in *)arg)->max_readahead;
		o.init.max_write = FUSE_MAX_WRITE;
		return fuse_reply(fd, in->unique, 0, &o.init, sizeof(o.init));
	case FUSE_LOOKUP:
		if (in->nodeid != FUSE_ROOT_ID || strcmp(arg, "hello"))
			return fuse_reply(fd, in->unique, ENOENT, NULL, 0);
		o.entry.nodeid = FUSE_HELLO_ID;
		o.entry.entry_valid = 60;
		o.entry.attr_valid = 60;
		fuse_attr_of(FUSE_HELLO_ID, &o.entry.attr);
		return fuse_reply(fd, in->unique, 0, &o.entry, sizeof(o.entry));
	case FUSE_GETATTR:
		o.attr.attr_valid = 60;
		fuse_attr_of(in->nodeid, &o.attr.attr);
		return fuse_reply(fd, in->unique, 0, &o.attr, sizeof(o.attr));
	case FUSE_OPEN:
		if (in->nodeid != FUSE_HELLO_ID)
			return fuse_reply(fd, in->unique, EISDIR, NULL, 0);
		if ((((const struct fuse_open_in *)arg)->flags & O_ACCMODE) != O_RDONLY)
			return fuse_reply(fd, in->unique, EROFS, NULL, 0);
		return fuse_reply(fd, in->unique, 0, &o.open, sizeof(o.open));
	case FUSE_READ: {
		const struct fuse_read_in *r = arg;
		size_t len = sizeof(FUSE_MARKER) - 1, off = r->offset < len ? r->offset : len;

		len -= off;
		if (len > r->size)
			len = r->size;
		return fuse_reply(fd, in->unique, 0, FUSE_MARKER + off, len);
	}
	case FUSE_FLUSH:
	case FUSE_RELEASE:
		return fuse_reply(fd, in->unique, 0, NULL, 0);
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		return 0; /* these get no reply */
	default:
		return fuse_reply(fd, in->unique, ENOSYS, NULL, 0);
	}
}

static int fuse_serve(int fd)
{
	static char buf[FUSE_BUF_SIZE];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		int e;

		/* The connection is gone: unmounted (ENODEV), or unmounted while
		 * this read held a request, such as the RELEASE the client's
		 * close sent in the background (ECONNABORTED; seen on 6.1.192). */
		if (n < 0 && (errno == ENODEV || errno == ECONNABORTED))
			return 0;
		/* ENOENT: a request interrupted before it was read. */
		if (n < 0 && (errno == EINTR || errno == ENOENT))
			continue;
		if (n < (ssize_t)sizeof(struct fuse_in_header))
			return n < 0 ? fail("read /dev/fuse") : 125;
		/* NUL-terminated, as a LOOKUP's name already is. */
		buf[n < (ssize_t)sizeof(buf) ? n : n - 1] = '\0';
		e = fuse_answer(fd, (struct fuse_in_header *)buf,
				buf + sizeof(struct fuse_in_header));
		if (e)
			return e;
	}
}

static int do_fuse_hello(const char *dir)
{
	char opts[128], path[4096], got[64];
	ssize_t n = -1;
	int fd, e = 0, st;
	pid_t pid;

	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open /dev/fuse");
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("eci", dir, "fuse", MS_NOSUID | MS_NODEV, opts))
		return fail("mount fuse");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	/* Both halves end by themselves should the other hang: a FUSE
	 * request waits killably, and the server's read() is interruptible. */
	alarm(120);
	if (!pid)
		_exit(fuse_serve(fd));
	close(fd);

	snprintf(path, sizeof(path), "%s/hello", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, got, sizeof(got) - 1)) < 0)
		e = fail(path);
	if (fd >= 0)
		close(fd);
	if (umount(dir))
		e = fail("umount fuse");
	if (waitpid(pid, &st, 0) < 0)
		return fail("waitpid");
	if (e)
		return e;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "ecitest: the FUSE server failed (status %#x)\n", st);
		return 125;
	}
	got[n] = '\0';
	fputs(got, stdout);
	if (strcmp(got, FUSE_MARKER)) {
		fprintf(stderr, "ecitest: %s did not read the marker\n", path);
		return 125;
	}
	return 0;
}

/*
 * A module load tried over and over in one process (no fork and exec per
 * attempt), so an attempt lands inside even a short window such as a
 * `load --replace` (06-replace) on a slow VM. A millisecond's sleep between
 * attempts leaves the vCPU to the rest of the VM (under one-thread TCG a
 * busy loop halves everything else), and the loop ends by itself after an
 * hour, should its test die without creating DIR/stop.
 */
static int attack_loop(const char *file, const char *dir)
{
	const struct timespec pause = { .tv_nsec = 1000000 };
	char path[4096], num[32];
	time_t end = time(NULL) + 3600;
	unsigned long n = 0;
	int nfd, fd = open_or_die(file);

	snprintf(path, sizeof(path), "%s/n", dir);
	nfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (nfd < 0)
		return fail("open the count file");
	snprintf(path, sizeof(path), "%s/stop", dir);
	while (access(path, F_OK) && time(NULL) < end) {
		int len;

		n++;
		if (!syscall(SYS_finit_module, fd, "", 0)) {
			char breach[4096];
			FILE *f;

			snprintf(breach, sizeof(breach), "%s/breach", dir);
			f = fopen(breach, "a");
			if (f) {
				fprintf(f, "attempt %lu\n", n);
				fclose(f);
			}
		}
		/* Rewritten in place: a growing count never leaves digits behind. */
		len = snprintf(num, sizeof(num), "%lu\n", n);
		if (pwrite(nfd, num, len, 0) != len)
			return fail("write the count");
		nanosleep(&pause, NULL);
	}
	close(nfd);
	close(fd);
	return 0;
}

/* scm_pid: SCM_CREDENTIALS with a pid not the sender's own is checked
 * against SYS_ADMIN (scm_check_creds); the receiver is told that pid. */
static int do_scm_pid(const char *pid)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct ucred uc = { .pid = atoi(pid), .uid = getuid(), .gid = getgid() };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	char byte;
	int sv[2], on = 1;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)))
		return fail("socketpair");
	memset(&u, 0, sizeof(u));
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(uc));
	memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
	if (sendmsg(sv[0], &mh, 0) != 1)
		return fail("sendmsg(SCM_CREDENTIALS)");
	iov.iov_base = &byte;
	memset(&u, 0, sizeof(u));
	mh.msg_controllen = sizeof(u.buf);
	if (recvmsg(sv[1], &mh, 0) != 1)
		return fail("recvmsg");
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
			printf("pid %d\n", uc.pid);
			return 0;
		}
	fprintf(stderr, "ecitest: no credentials received\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : NULL;

	if (!strcmp(cmd, "init_module") && arg)
		return do_init_module(arg);
	if (!strcmp(cmd, "finit_module") && arg) {
		if (syscall(SYS_finit_module, open_or_die(arg), "", 0))
			return fail("finit_module");
		return 0;
	}
	if (!strcmp(cmd, "fill_as") && arg && argc > 3)
		return fill_as(arg, argv[3]);
	if (!strcmp(cmd, "seccomp_filter"))
		return seccomp_filter();
	if (!strcmp(cmd, "attack_loop") && arg && argc > 3)
		return attack_loop(arg, argv[3]);
	if (!strcmp(cmd, "kexec_file_load") && arg) {
		if (syscall(SYS_kexec_file_load, open_or_die(arg), -1, 1UL, "",
			    (unsigned long)KEXEC_FILE_NO_INITRAMFS))
			return fail("kexec_file_load");
		return 0;
	}
	if (!strcmp(cmd, "kexec_file_unload")) {
		if (syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL,
			    (unsigned long)KEXEC_FILE_UNLOAD))
			return fail("kexec_file_load(KEXEC_FILE_UNLOAD)");
		return 0;
	}
	if (!strcmp(cmd, "kexec_load_unload")) {
		if (syscall(SYS_kexec_load, 0UL, 0UL, NULL, (unsigned long)KEXEC_ARCH_DEFAULT))
			return fail("kexec_load");
		return 0;
	}
	if (!strcmp(cmd, "socket") && arg) {
		if (socket(atoi(arg), SOCK_DGRAM, 0) < 0)
			return fail("socket");
		return 0;
	}
	if (!strcmp(cmd, "bpf_map_create")) {
		union bpf_attr a;

		memset(&a, 0, sizeof(a));
		a.map_type = BPF_MAP_TYPE_ARRAY;
		a.key_size = 4;
		a.value_size = 4;
		a.max_entries = 1;
		if (sys_bpf(BPF_MAP_CREATE, &a) < 0)
			return fail("bpf(BPF_MAP_CREATE)");
		return 0;
	}
	/* pin_map PATH TYPE KEY VALUE ENTRIES: a zero-filled map pinned at PATH
	 * (a stand-in for another build's map in the replace tests). */
	if (!strcmp(cmd, "pin_map") && arg && argc > 6) {
		union bpf_attr a;
		int fd;

		memset(&a, 0, sizeof(a));
		a.map_type = (__u32)atoi(argv[3]);
		a.key_size = (__u32)atoi(argv[4]);
		a.value_size = (__u32)atoi(argv[5]);
		a.max_entries = (__u32)atoi(argv[6]);
		fd = sys_bpf(BPF_MAP_CREATE, &a);
		if (fd < 0)
			return fail("bpf(BPF_MAP_CREATE)");
		memset(&a, 0, sizeof(a));
		a.pathname = (__u64)(unsigned long)arg;
		a.bpf_fd = (__u32)fd;
		if (sys_bpf(BPF_OBJ_PIN, &a) < 0)
			return fail("bpf(BPF_OBJ_PIN)");
		return 0;
	}
	if (!strcmp(cmd, "bpf_map_clear") && arg)
		return do_bpf_map_clear(arg);
	if (!strcmp(cmd, "map_count") && arg)
		return do_map_count(arg);
	if (!strcmp(cmd, "ioperm")) {
#ifdef ECI_HAVE_IOPERM
		if (ioperm(0x80, 1, 1))
			return fail("ioperm");
		return 0;
#else
		fprintf(stderr, "ecitest: ioperm: this architecture has no I/O ports\n");
		return 2;
#endif
	}
	if (!strcmp(cmd, "perf") && arg)
		return do_perf(!strcmp(arg, "kernel"));
	if (!strcmp(cmd, "clone_into") && arg)
		return do_clone_into(arg);
	if (!strcmp(cmd, "handle") && arg)
		return do_handle(arg);
	if (!strcmp(cmd, "open_by_handle") && argc > 4)
		return do_open_by_handle(arg, argv[3], argv[4]);
	if (!strcmp(cmd, "sendfd") && arg && argc > 3)
		return do_sendfd(arg, argv[3], argc > 4 && !strcmp(argv[4], "w"));
	if (!strcmp(cmd, "tcp_listen") && arg)
		return do_tcp_listen(arg, argc > 3 ? argv[3] : NULL, false);
	if (!strcmp(cmd, "tcp_bind") && arg)
		return do_tcp_listen(arg, NULL, true);
	if (!strcmp(cmd, "tcp_probe") && arg)
		return do_tcp_probe(arg);
	if (!strcmp(cmd, "recvfd") && arg)
		return do_recvfd(arg);
	if (!strcmp(cmd, "bind") && arg && argc > 3) {
		unsigned long flags = MS_BIND | (argc > 4 && !strcmp(argv[4], "rec") ? MS_REC : 0);

		if (mount(arg, argv[3], NULL, flags, NULL))
			return fail("mount(MS_BIND)");
		return 0;
	}
	if (!strcmp(cmd, "clone_tree") && arg && argc > 3)
		return do_clone_tree(arg, argv[3]);
	if (!strcmp(cmd, "fsmount_tmpfs") && arg)
		return do_fsmount("tmpfs", arg);
	if (!strcmp(cmd, "fsmount") && arg && argc > 3)
		return do_fsmount(arg, argv[3]);
	if (!strcmp(cmd, "setattr_rw") && arg)
		return do_setattr_rw(arg);
	if (!strcmp(cmd, "fspick_rw") && arg)
		return do_fspick_rw(arg);
	if (!strcmp(cmd, "http") && arg && argc > 4)
		return do_http(arg, argv[3], argv[4], argc > 5 ? argv[5] : NULL);
	if (!strcmp(cmd, "connect") && arg)
		return do_connect(arg);
	if (!strcmp(cmd, "recvfd_exec") && arg && argc > 3)
		return do_recvfd_exec(arg, argv + 3);
	if (!strcmp(cmd, "uring_open") && arg)
		return do_uring_open(arg);
	if (!strcmp(cmd, "ptrace") && arg)
		return do_ptrace(arg);
	if (!strcmp(cmd, "getfd") && arg && argc > 3)
		return do_getfd(arg, argv[3]);
	if (!strcmp(cmd, "kread") && arg && argc > 3)
		return do_kread(arg, argv[3]);
	if (!strcmp(cmd, "perf_cpu") && arg && argc > 3)
		return do_perf_cpu(arg, atoi(argv[3]));
	if (!strcmp(cmd, "stack_marker") && arg && argc > 3)
		return do_stack_marker(arg, atoi(argv[3]));
	if (!strcmp(cmd, "netns_link") && arg && argc > 3)
		return do_netns_link(arg, argv[3]);
	if (!strcmp(cmd, "uevent_send") && arg)
		return do_uevent_send(arg);
	if (!strcmp(cmd, "uevent_listen") && arg)
		return do_uevent_listen(atoi(arg));
	if (!strcmp(cmd, "fanotify") && arg && argc > 3)
		return do_fanotify(arg, atoi(argv[3]));
	if (!strcmp(cmd, "fsioctl") && arg && argc > 3)
		return do_fsioctl(arg, argv[3]);
	if (!strcmp(cmd, "vsock_listen") && arg && argc > 3)
		return do_vsock_listen(arg, atoi(argv[3]));
	if (!strcmp(cmd, "vsock_send") && arg && argc > 4)
		return do_vsock_send(arg, argv[3], argv[4]);
	if (!strcmp(cmd, "mtrr") && arg && argc > 4)
		return do_mtrr(arg, argv[3], argv[4]);
	if (!strcmp(cmd, "quotaoff") && arg)
		return do_quotaoff(arg);
	if (!strcmp(cmd, "setns_write") && arg && argc > 3)
		return do_setns_write(arg, argv[3]);
	if (!strcmp(cmd, "tiocsti") && arg && argc > 3)
		return do_tiocsti(arg, argv[3]);
	if (!strcmp(cmd, "tioccons") && arg)
		return do_tioccons(arg);
	if (!strcmp(cmd, "pty") && arg && argc > 3)
		return do_pty(arg, argv + 3);
	if (!strcmp(cmd, "ptyhold") && arg && argc > 3)
		return do_ptyhold(arg, argv[3]);
	if (!strcmp(cmd, "keyfill") && arg)
		return do_keyfill(arg, argc > 3 && !strcmp(argv[3], "again"));
	if (!strcmp(cmd, "keyadd") && arg && argc > 3)
		return do_keyadd(arg, argv[3]);
	if (!strcmp(cmd, "keyread") && arg)
		return do_keyread(arg);
	if (!strcmp(cmd, "keyown") && arg && argc > 3)
		return do_keyown(arg, argv[3]);
	if (!strcmp(cmd, "soft_offline"))
		return do_soft_offline();
	if (!strcmp(cmd, "uring_soft_offline"))
		return do_uring_soft_offline();
	if (!strcmp(cmd, "rnd_credit"))
		return do_rnd_credit();
	if (!strcmp(cmd, "crypto_prio") && arg && argc > 3)
		return do_crypto_prio(arg, argv[3]);
	if (!strcmp(cmd, "taskstats") && arg)
		return do_taskstats(arg, argc > 3 && !strcmp(argv[3], "train"));
	if (!strcmp(cmd, "genl_family") && arg)
		return do_genl_family(arg);
	if (!strcmp(cmd, "prlimit") && arg && argc > 3)
		return do_prlimit(arg, argv[3]);
	if (!strcmp(cmd, "rt"))
		return do_rt(arg);
	if (!strcmp(cmd, "scm_pid") && arg)
		return do_scm_pid(arg);
	if (!strcmp(cmd, "fuse_hello") && arg)
		return do_fuse_hello(arg);
	fputs(usage, stderr);
	return 2;
}
