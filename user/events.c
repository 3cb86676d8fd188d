// SPDX-License-Identifier: GPL-2.0
/*
 * Trap events from the pinned ring buffer, one JSON object per line. Events
 * wait in the buffer until someone reads them, so a reader started after a
 * trap still sees it (unless the buffer filled: see state.event_drops).
 */
#define _GNU_SOURCE
#include "events.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "eci.h"
#include "hooks.h"
#include "util.h"

static const char *const cap_names[] = {
	[16] = "CAP_SYS_MODULE",    [17] = "CAP_SYS_RAWIO",	[20] = "CAP_SYS_PACCT",
	[22] = "CAP_SYS_BOOT",	    [25] = "CAP_SYS_TIME",	[26] = "CAP_SYS_TTY_CONFIG",
	[30] = "CAP_AUDIT_CONTROL", [32] = "CAP_MAC_OVERRIDE",	[33] = "CAP_MAC_ADMIN",
	[34] = "CAP_SYSLOG",	    [36] = "CAP_BLOCK_SUSPEND", [37] = "CAP_AUDIT_READ",
	[38] = "CAP_PERFMON",	    [39] = "CAP_BPF",
};

static volatile sig_atomic_t stop;
static long long mono_to_real_ns;
static unsigned long printed, limit;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Engines name a container's cgroup after its 64-hex id (Docker:
 * /docker/<id>), and a subtree's containers are named after their cgroup, cut
 * to ECI_NAME_LEN - 1. People know such a container by the first 12 digits, as
 * `docker ps` shows them, so that is what events say.
 */
#define SHORT_ID_LEN 12
#define DOCKER_CONTAINERS "/var/lib/docker/containers"

static bool is_engine_id(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++)
		if (!isxdigit((unsigned char)name[n]) || isupper((unsigned char)name[n]))
			return false;
	return n >= ECI_NAME_LEN - 1;
}

/*
 * Docker's name for container ID (a possibly cut id), from its config.v2.json;
 * "" when it has none (another engine, or the container is gone). The last
 * answer is kept: a burst of traps comes from one container.
 */
static const char *docker_name(const char *id)
{
	static char last_id[ECI_NAME_LEN], last_name[256];
	char pattern[sizeof(DOCKER_CONTAINERS) + ECI_NAME_LEN + 24];
	json_object *cfg, *name;
	glob_t g;

	if (!strcmp(id, last_id))
		return last_name;
	snprintf(last_id, sizeof(last_id), "%s", id);
	last_name[0] = '\0';
	snprintf(pattern, sizeof(pattern), DOCKER_CONTAINERS "/%s*/config.v2.json", id);
	if (glob(pattern, 0, NULL, &g))
		return last_name;
	cfg = g.gl_pathc == 1 ? json_object_from_file(g.gl_pathv[0]) : NULL;
	globfree(&g);
	/* Docker keeps the name with a leading slash. */
	if (cfg && json_object_object_get_ex(cfg, "Name", &name))
		snprintf(last_name, sizeof(last_name), "%s",
			 json_object_get_string(name) + (json_object_get_string(name)[0] == '/'));
	json_object_put(cfg);
	return last_name;
}

static void add_container(json_object *o, const struct eci_event *e)
{
	char c[ECI_NAME_LEN];
	const char *name;

	/* The record's strings are the kernel's bytes: a full one has no NUL. */
	snprintf(c, sizeof(c), "%.*s", (int)sizeof(e->container) - 1, e->container);
	if (!is_engine_id(c)) {
		json_object_object_add(o, "container", json_object_new_string(c));
		return;
	}
	name = docker_name(c);
	c[SHORT_ID_LEN] = '\0';
	json_object_object_add(o, "container", json_object_new_string(c));
	if (name[0])
		json_object_object_add(o, "container_name", json_object_new_string(name));
}

static const char *const mount_reasons[ECI_MNT_REASON_MAX] = {
	[ECI_MNT_FS] = "filesystem type not allowed",
	[ECI_MNT_SOURCE] = "source not allowed",
	[ECI_MNT_DOTDOT] = "'..' in the source",
	[ECI_MNT_RELATIVE] = "relative source from outside the root",
	[ECI_MNT_TOO_LONG] = "source too long to judge",
	[ECI_MNT_SYMLINK] = "symlink in a VM-side source",
	[ECI_MNT_MAGIC_LINK] = "/proc magic link in the source",
	[ECI_MNT_SOCKET] = "engine socket",
	[ECI_MNT_SUBMOUNTS] = "recursive bind carries other mounts",
	[ECI_MNT_LOCKED_FLAGS] = "relaxes an initial mount's flags",
	[ECI_MNT_LOCKED] = "initial mount",
	[ECI_MNT_MOVE] = "mount move",
	[ECI_MNT_CLONE] = "copy of a mount outside the container",
	[ECI_MNT_SETATTR] = "mount_setattr after setup",
	[ECI_MNT_FSPICK] = "fspick after setup",
	[ECI_MNT_ROOT] = "new root outside the current one",
	[ECI_MNT_CONNECT] = "engine socket connect",
	[ECI_MNT_FOREIGN_SB] = "superblock not its own",
	[ECI_MNT_NOTIFY] = "fanotify mark on a filesystem not its own",
	[ECI_MNT_FS_IOCTL] = "privileged ioctl on a filesystem not its own",
	[ECI_MNT_QUOTA] = "quotactl on a filesystem not its own",
	[ECI_MNT_LOCKED_OPTIONS] = "changes an initial mount's filesystem options",
	[ECI_MNT_UNRECORDED] = "initial mounts not all recorded",
};

/* What the trap was about, in the words of its hook. */
static void add_what(json_object *o, const struct eci_event *e)
{
	char buf[64];

	switch (e->hook) {
	case ECI_HOOK_FILE_OPEN:
	case ECI_HOOK_FILE_RECEIVE:
	case ECI_HOOK_INODE_MKNOD:
	case ECI_HOOK_SB_SET_MNT_OPTS: {
		unsigned int type = e->arg[0] >> 32, acc = (unsigned int)e->arg[0];
		unsigned int dev = (unsigned int)e->arg[1];

		snprintf(buf, sizeof(buf), "%c %u:%u", (char)type, dev >> 20, dev & 0xfffff);
		json_object_object_add(o, "device", json_object_new_string(buf));
		snprintf(buf, sizeof(buf), "%s%s%s", acc & ECI_DEV_READ ? "r" : "",
			 acc & ECI_DEV_WRITE ? "w" : "", acc & ECI_DEV_MKNOD ? "m" : "");
		json_object_object_add(o, "access", json_object_new_string(buf));
		break;
	}
	case ECI_HOOK_CAPABLE:
		if (e->arg[0] < sizeof(cap_names) / sizeof(cap_names[0]) && cap_names[e->arg[0]])
			snprintf(buf, sizeof(buf), "%s", cap_names[e->arg[0]]);
		else
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)e->arg[0]);
		json_object_object_add(o, "capability", json_object_new_string(buf));
		break;
	case ECI_HOOK_BPF:
	case ECI_HOOK_SYSLOG:
		json_object_object_add(o, "command", json_object_new_int64((int64_t)e->arg[0]));
		break;
	case ECI_HOOK_SB_MOUNT:
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)e->arg[0]);
		json_object_object_add(o, "flags", json_object_new_string(buf));
		/* fall through */
	case ECI_HOOK_MOUNT_FS:
	case ECI_HOOK_FOLLOW_LINK:
	case ECI_HOOK_MOVE_MOUNT:
	case ECI_HOOK_SB_UMOUNT:
	case ECI_HOOK_MOUNT_SETATTR:
	case ECI_HOOK_FSPICK:
	case ECI_HOOK_CHROOT:
	case ECI_HOOK_PIVOT_ROOT:
	case ECI_HOOK_UNIX_CONNECT:
	case ECI_HOOK_SB_REMOUNT:
	case ECI_HOOK_PATH_NOTIFY:
	case ECI_HOOK_FS_ADMIN:
	case ECI_HOOK_QUOTACTL:
		if (e->hook == ECI_HOOK_FS_ADMIN) {
			snprintf(buf, sizeof(buf), "0x%x", (unsigned int)e->arg[0]);
			json_object_object_add(o, "ioctl", json_object_new_string(buf));
		} else if (e->hook == ECI_HOOK_QUOTACTL) {
			snprintf(buf, sizeof(buf), "0x%x", (unsigned int)e->arg[0]);
			json_object_object_add(o, "command", json_object_new_string(buf));
		}
		if (e->arg[1] < ECI_MNT_REASON_MAX && mount_reasons[e->arg[1]])
			json_object_object_add(o, "reason",
					       json_object_new_string(mount_reasons[e->arg[1]]));
		break;
	case ECI_HOOK_SOCKET_CREATE:
		json_object_object_add(o, "family", json_object_new_int64((int64_t)e->arg[0]));
		break;
	case ECI_HOOK_SWAP:
		json_object_object_add(
			o, "syscall",
			json_object_new_string(e->arg[0] == SYS_swapon ? "swapon" : "swapoff"));
		break;
	case ECI_HOOK_PTRACE:
	case ECI_HOOK_TASK_KILL:
	case ECI_HOOK_TASK_PRIORITY:
		/* The task reached for, by its pid in the VM (detail: its comm). */
		json_object_object_add(o, "target_pid", json_object_new_int64((int64_t)e->arg[0]));
		if (e->hook == ECI_HOOK_PTRACE) {
			snprintf(buf, sizeof(buf), "%s%s",
				 e->arg[1] & ECI_PTRACE_MODE_ATTACH ? "attach" : "read",
				 e->arg[1] & ECI_PTRACE_MODE_REALCREDS ? ",realcreds" : "");
			json_object_object_add(o, "ptrace_mode", json_object_new_string(buf));
		} else if (e->hook == ECI_HOOK_TASK_KILL) {
			json_object_object_add(o, "signal",
					       json_object_new_int64((int64_t)e->arg[1]));
		} else {
			json_object_object_add(
				o, "call",
				json_object_new_string(e->arg[1] == ECI_PRIO_NICE ? "setpriority" :
						       e->arg[1] == ECI_PRIO_IO	  ? "ioprio_set" :
										    "sched_set*"));
		}
		break;
	default:
		break;
	}
}

/* A string of the record, up to its NUL or the end of its field. */
static json_object *new_string_n(const char *s, size_t max)
{
	return json_object_new_string_len(s, (int)strnlen(s, max));
}

json_object *eci_event_json(const struct eci_event *e)
{
	json_object *o = json_object_new_object();

	if (!mono_to_real_ns)
		mono_to_real_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	/* Unsigned: a bogus timestamp wraps rather than overflowing. */
	json_object_object_add(
		o, "time_ns",
		json_object_new_int64((int64_t)(e->ts_ns + (uint64_t)mono_to_real_ns)));
	add_container(o, e);
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(e->cgroup_id));
	json_object_object_add(o, "container_cgroup_id", json_object_new_uint64(e->root_id));
	json_object_object_add(o, "pid", json_object_new_int64(e->pid));
	json_object_object_add(o, "tid", json_object_new_int64(e->tid));
	json_object_object_add(o, "comm", new_string_n(e->comm, sizeof(e->comm)));
	json_object_object_add(
		o, "hook",
		json_object_new_string(e->hook < ECI_HOOK_MAX ? eci_hook_names[e->hook] : "?"));
	json_object_object_add(
		o, "class",
		json_object_new_string(e->class < ECI_CLASS_MAX ? eci_class_names[e->class] : "?"));
	json_object_object_add(
		o, "verdict",
		json_object_new_string(e->verdict == ECI_VERDICT_AUDIT ? "audit" : "deny"));
	json_object_object_add(o, "errno", json_object_new_int64(-(int64_t)e->err));
	if (e->detail[0])
		json_object_object_add(o, "detail", new_string_n(e->detail, sizeof(e->detail)));
	add_what(o, e);
	return o;
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct eci_event *e = data;
	json_object *o;

	(void)ctx;
	if (len < sizeof(*e))
		return 0;
	o = eci_event_json(e);
	puts(json_object_to_json_string_ext(o, ECI_JSON_FLAGS));
	fflush(stdout);
	json_object_put(o);
	if (limit && ++printed >= limit)
		stop = 1;
	return 0;
}

int eci_events(bool follow, unsigned long count)
{
	struct ring_buffer *rb;
	int fd, err = 0;

	limit = count;
	fd = bpf_obj_get(ECI_PIN_MAPS "/events");
	if (fd < 0) {
		if (errno == ENOENT)
			eci_err("eci is not loaded (no %s/events): run 'ecictl load' first",
				ECI_PIN_MAPS);
		else
			eci_err("failed to open %s/events: %s", ECI_PIN_MAPS, strerror(errno));
		return 1;
	}
	rb = ring_buffer__new(fd, on_event, NULL, NULL);
	if (!rb) {
		eci_err("failed to read the trap events: %s", strerror(errno));
		close(fd);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* Without --follow: what is waiting now, then out. */
	err = ring_buffer__consume(rb);
	while (follow && !stop && err >= 0) {
		err = ring_buffer__poll(rb, 200);
		if (err == -EINTR)
			err = 0;
	}
	if (err < 0 && !stop) {
		eci_err("failed to read the trap events: %s", strerror(-err));
		err = 1;
	} else {
		err = 0;
	}
	ring_buffer__free(rb);
	close(fd);
	return err;
}

void eci_json_print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, ECI_JSON_FLAGS));
	json_object_put(o);
}
