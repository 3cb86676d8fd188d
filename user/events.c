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
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "eci.h"
#include "container.h"
#include "hooks.h"
#include "stream.h"
#include "util.h"

/* Every capability by number (linux/capability.h): deny by default traps
 * any of them. */
static const char *const cap_names[] = {
	[0] = "CAP_CHOWN",
	[1] = "CAP_DAC_OVERRIDE",
	[2] = "CAP_DAC_READ_SEARCH",
	[3] = "CAP_FOWNER",
	[4] = "CAP_FSETID",
	[5] = "CAP_KILL",
	[6] = "CAP_SETGID",
	[7] = "CAP_SETUID",
	[8] = "CAP_SETPCAP",
	[9] = "CAP_LINUX_IMMUTABLE",
	[10] = "CAP_NET_BIND_SERVICE",
	[11] = "CAP_NET_BROADCAST",
	[12] = "CAP_NET_ADMIN",
	[13] = "CAP_NET_RAW",
	[14] = "CAP_IPC_LOCK",
	[15] = "CAP_IPC_OWNER",
	[16] = "CAP_SYS_MODULE",
	[17] = "CAP_SYS_RAWIO",
	[18] = "CAP_SYS_CHROOT",
	[19] = "CAP_SYS_PTRACE",
	[20] = "CAP_SYS_PACCT",
	[21] = "CAP_SYS_ADMIN",
	[22] = "CAP_SYS_BOOT",
	[23] = "CAP_SYS_NICE",
	[24] = "CAP_SYS_RESOURCE",
	[25] = "CAP_SYS_TIME",
	[26] = "CAP_SYS_TTY_CONFIG",
	[27] = "CAP_MKNOD",
	[28] = "CAP_LEASE",
	[29] = "CAP_AUDIT_WRITE",
	[30] = "CAP_AUDIT_CONTROL",
	[31] = "CAP_SETFCAP",
	[32] = "CAP_MAC_OVERRIDE",
	[33] = "CAP_MAC_ADMIN",
	[34] = "CAP_SYSLOG",
	[35] = "CAP_WAKE_ALARM",
	[36] = "CAP_BLOCK_SUSPEND",
	[37] = "CAP_AUDIT_READ",
	[38] = "CAP_PERFMON",
	[39] = "CAP_BPF",
	[40] = "CAP_CHECKPOINT_RESTORE",
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
static char docker_image[256];

static const char *docker_name(const char *id)
{
	static char last_id[ECI_NAME_LEN], last_name[256];
	char pattern[sizeof(DOCKER_CONTAINERS) + ECI_NAME_LEN + 24];
	json_object *cfg, *name, *conf, *image;
	glob_t g;

	if (!strcmp(id, last_id))
		return last_name;
	snprintf(last_id, sizeof(last_id), "%s", id);
	last_name[0] = '\0';
	docker_image[0] = '\0';
	snprintf(pattern, sizeof(pattern), DOCKER_CONTAINERS "/%s*/config.v2.json", id);
	if (glob(pattern, 0, NULL, &g))
		return last_name;
	cfg = g.gl_pathc == 1 ? json_object_from_file(g.gl_pathv[0]) : NULL;
	globfree(&g);
	/* Docker keeps the name with a leading slash. */
	if (cfg && json_object_object_get_ex(cfg, "Name", &name))
		snprintf(last_name, sizeof(last_name), "%s",
			 json_object_get_string(name) + (json_object_get_string(name)[0] == '/'));
	/* The image as the user named it ("Config.Image"). */
	if (cfg && json_object_object_get_ex(cfg, "Config", &conf) &&
	    json_object_object_get_ex(conf, "Image", &image))
		snprintf(docker_image, sizeof(docker_image), "%s", json_object_get_string(image));
	json_object_put(cfg);
	return last_name;
}

/* The image registered with the container (ECI_IMAGE_DIR), or "". */
static void registered_image(uint64_t root, char *buf, size_t len)
{
	char path[sizeof(ECI_IMAGE_DIR) + 24];
	size_t n = 0;
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), ECI_IMAGE_DIR "/%llu", (unsigned long long)root);
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/*
 * Podman's name for container ID (a possibly cut id), from containers/storage's
 * containers.json under the default graph root (user/ocihook.c); "" if none.
 */
#define PODMAN_CONTAINERS "/var/lib/containers/storage/*-containers/containers.json"

static const char *podman_name(const char *id)
{
	static char last_id[ECI_NAME_LEN], last_name[256];
	json_object *all, *c, *v, *names;
	glob_t g;

	if (!strcmp(id, last_id))
		return last_name;
	snprintf(last_id, sizeof(last_id), "%s", id);
	last_name[0] = '\0';
	if (glob(PODMAN_CONTAINERS, 0, NULL, &g))
		return last_name;
	for (size_t i = 0; i < g.gl_pathc && !last_name[0]; i++) {
		all = json_object_from_file(g.gl_pathv[i]);
		for (size_t j = 0; all && json_object_is_type(all, json_type_array) &&
				   j < json_object_array_length(all);
		     j++) {
			c = json_object_array_get_idx(all, j);
			if (!json_object_object_get_ex(c, "id", &v) ||
			    strncmp(json_object_get_string(v), id, strlen(id)) ||
			    !json_object_object_get_ex(c, "names", &names) ||
			    !json_object_is_type(names, json_type_array) ||
			    !json_object_array_length(names))
				continue;
			snprintf(last_name, sizeof(last_name), "%s",
				 json_object_get_string(json_object_array_get_idx(names, 0)));
			break;
		}
		json_object_put(all);
	}
	globfree(&g);
	return last_name;
}

static void add_container(json_object *o, const struct eci_event *e)
{
	char c[ECI_NAME_LEN], image[256];
	const char *name;

	/* The record's strings are the kernel's bytes: a full one has no NUL. */
	snprintf(c, sizeof(c), "%.*s", (int)sizeof(e->container) - 1, e->container);
	registered_image(e->root_id, image, sizeof(image));
	if (!is_engine_id(c)) {
		json_object_object_add(o, "container", json_object_new_string(c));
	} else {
		name = docker_name(c);
		if (!name[0])
			name = podman_name(c);
		if (!image[0])
			snprintf(image, sizeof(image), "%s", docker_image);
		c[SHORT_ID_LEN] = '\0';
		json_object_object_add(o, "container", json_object_new_string(c));
		if (name[0])
			json_object_object_add(o, "container_name", json_object_new_string(name));
	}
	/* null: the runtime did not say (no --image, not Docker's). */
	json_object_object_add(o, "image", image[0] ? json_object_new_string(image) : NULL);
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
	[ECI_MNT_MOVE] = "mount move of no mount found",
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
	[ECI_MNT_SHARED_DEV] = "privileged ioctl on a device shared with the VM",
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
		/* Deny by default: the syscall whose entry did not allow it. */
		if (e->arg[1])
			json_object_object_add(o, "syscall_nr",
					       json_object_new_int64((int64_t)e->arg[1]));
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
				json_object_new_string(
					e->arg[1] == ECI_PRIO_NICE   ? "setpriority" :
					e->arg[1] == ECI_PRIO_IO     ? "ioprio_set" :
					e->arg[1] == ECI_PRIO_RLIMIT ? "prlimit" :
					e->arg[1] == ECI_PRIO_RTPRIO ? "rlimit_rtprio" :
								       "sched_set*"));
		}
		break;
	case ECI_HOOK_NETLINK_SEND:
		/* 15 uevents, 21 crypto_user, 16 generic, 12 nfnetlink */
		json_object_object_add(o, "netlink_protocol",
				       json_object_new_int64((int64_t)e->arg[0]));
		/* The message that addressed the VM's state (a generic netlink
		 * family id, an nfnetlink subsystem << 8 | message), or -1 for
		 * a train of messages too long to judge. */
		if (e->arg[1])
			json_object_object_add(o, "netlink_type",
					       json_object_new_int64(e->arg[1] == 0xffffffffULL ?
									     -1 :
									     (int64_t)e->arg[1]));
		break;
	default:
		break;
	}
}

/* An RFC 3339 time in UTC, to the nanosecond. */
static json_object *rfc3339_ns(uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000ULL);
	char buf[64];
	struct tm tm;
	size_t n;

	if (!gmtime_r(&sec, &tm))
		return NULL;
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%09lluZ", (unsigned long long)(ns % 1000000000ULL));
	return json_object_new_string(buf);
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
	json_object_object_add(o, "time", rfc3339_ns(e->ts_ns + (uint64_t)mono_to_real_ns));
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

static bool print_line(const char *line, void *ctx)
{
	(void)ctx;
	puts(line);
	fflush(stdout);
	return !(limit && ++printed >= limit) && !stop;
}

int eci_events(bool follow, bool all, unsigned long count)
{
	struct eci_stream_reader *r;
	int err;

	limit = count;
	r = malloc(sizeof(*r));
	if (!r) {
		eci_err("failed to read the trap events: %s", strerror(ENOMEM));
		return 1;
	}
	err = eci_stream_connect(r, eci_events_sock(),
				 follow ? ECI_STREAM_FOLLOW :
				 all	? ECI_STREAM_ALL :
					  ECI_STREAM_UNREAD);
	if (err == -ENOENT || err == -ECONNREFUSED) {
		eci_err("eci's daemon is not running (nothing listens on %s), and it is the one reader of the trap events: %s",
			eci_events_sock(), ECI_DAEMON_HINT);
		free(r);
		return 1;
	}
	if (err) {
		eci_err("failed to connect to %s: %s", eci_events_sock(), strerror(-err));
		free(r);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!(err = eci_stream_read(r, true, print_line, NULL)) && !stop)
		;
	eci_stream_disconnect(r);
	free(r);
	if (err < 0 && !stop) {
		eci_err("failed to read the trap events: %s", strerror(-err));
		return 1;
	}
	/* A follower's stream only ends when the daemon ends it. */
	if (follow && !stop && !(limit && printed >= limit)) {
		eci_err("the trap event stream ended: the daemon stopped, or dropped this reader for reading too slowly");
		return 1;
	}
	return 0;
}

void eci_json_print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, ECI_JSON_FLAGS));
	json_object_put(o);
}
