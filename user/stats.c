// SPDX-License-Identifier: GPL-2.0
/*
 * One snapshot of every counter the enforcer keeps: per-CPU hook counters and
 * per-container class counters summed over CPUs, the state counters, map
 * fill, and the kernel's own run-time statistics of each program. Reading
 * holds no lock: per-CPU values are summed as they are, so a snapshot taken
 * during traps may lag a trap or two, never count one twice.
 */
#define _GNU_SOURCE
#include "stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hooks.h"
#include "maps.h"
#include "util.h"

/* Programs are named eci_<policy>_<hook> and counted under their hook's name,
 * except these, counted under the decision they serve, so a hook's run time
 * is what that decision costs (unit test: every program has a line). The
 * kernel-files decision (file_open:kernel) has no program of its own: it runs
 * inside eci_device_file_open and eci_device_file_receive, one program per
 * hook, so its run time is counted under file_open and file_receive. */
static const struct {
	const char *prog;
	enum eci_hook hook;
} prog_hooks[] = {
	{ "eci_fstype_sb_set_mnt_opts", ECI_HOOK_MOUNT_FS },
	/* superblock ownership, which the filesystem policy reads */
	{ "eci_fstype_sb_alloc_security", ECI_HOOK_MOUNT_FS },
	{ "eci_fstype_sb_free_security", ECI_HOOK_MOUNT_FS },
	{ "eci_selfprotect_bpf_prog", ECI_HOOK_BPF },
	/* 6.12: the perf_event_open hook has no attr (compat, loader) */
	{ "eci_selfprotect_perf_event_alloc", ECI_HOOK_PERF_EVENT_OPEN },
	{ "eci_bind_path_mount", ECI_HOOK_SB_MOUNT },
	/* an exec's two hooks, one line */
	{ "eci_caps_bprm_check_security", ECI_HOOK_BPRM_COMMITTED_CREDS },
	/* notes that capable's judgement reads: the JIT's, the socket a
	 * bind, connect, accept or ioctl acts on */
	{ "eci_caps_jit_enter", ECI_HOOK_CAPABLE },
	{ "eci_caps_jit_exit", ECI_HOOK_CAPABLE },
	{ "eci_net_socket_bind", ECI_HOOK_CAPABLE },
	{ "eci_net_socket_connect", ECI_HOOK_CAPABLE },
	{ "eci_net_socket_accept", ECI_HOOK_CAPABLE },
	{ "eci_net_file_ioctl", ECI_HOOK_CAPABLE },
	{ "eci_net_file_ioctl_compat", ECI_HOOK_CAPABLE },
	/* the network namespace an attribute names (the NETNS refusal) */
	{ "eci_net_get_net_ns_by_fd", ECI_HOOK_NETNS },
	{ "eci_net_get_net_ns_by_id", ECI_HOOK_NETNS },
	{ "eci_net_get_net_ns_by_pid", ECI_HOOK_NETNS },
	/* the generic netlink families netlink_send judges */
	{ "eci_net_genl_register_family", ECI_HOOK_NETLINK_SEND },
	{ "eci_net_genl_unregister_family", ECI_HOOK_NETLINK_SEND },
	{ "eci_fsadmin_file_ioctl", ECI_HOOK_FS_ADMIN },
	{ "eci_fsadmin_file_ioctl_compat", ECI_HOOK_FS_ADMIN },
	{ "eci_tty_file_ioctl", ECI_HOOK_TTY_IOCTL },
	{ "eci_tty_file_ioctl_compat", ECI_HOOK_TTY_IOCTL },
	{ "eci_process_task_setioprio", ECI_HOOK_TASK_PRIORITY },
	{ "eci_process_task_setnice", ECI_HOOK_TASK_PRIORITY },
	{ "eci_process_task_setrlimit", ECI_HOOK_TASK_PRIORITY },
	{ "eci_process_task_setscheduler", ECI_HOOK_TASK_PRIORITY },
	/* the key quota's count, which key_alloc refuses by */
	{ "eci_keys_key_free", ECI_HOOK_KEY_ALLOC },
};

static double clock_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int eci_prog_hook(const char *prog)
{
	const char *hook;

	for (size_t i = 0; i < sizeof(prog_hooks) / sizeof(prog_hooks[0]); i++)
		if (!strcmp(prog_hooks[i].prog, prog))
			return prog_hooks[i].hook;
	if (strncmp(prog, "eci_", 4) || !(hook = strchr(prog + 4, '_')))
		return -1;
	return eci_hook_index(hook + 1);
}

uint64_t eci_ctr_total(const struct eci_ctr_snap *c, int verdict)
{
	uint64_t n = 0;

	for (int k = 0; k < ECI_CLASS_MAX; k++) {
		if (verdict != ECI_VERDICT_AUDIT)
			n += c->denials[k];
		if (verdict != ECI_VERDICT_DENY)
			n += c->audits[k];
	}
	return n;
}

int eci_bpf_stats_enable(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}

static int open_pin(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", ECI_PIN_MAPS, name);
	return bpf_obj_get(path);
}

static bool sysctl_on(const char *path)
{
	char c = '0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '0';
		close(fd);
	}
	return c == '1';
}

static int prog_cmp(const void *a, const void *b)
{
	return strcmp(((const struct eci_prog_snap *)a)->name,
		      ((const struct eci_prog_snap *)b)->name);
}

/* A program's own figures; without memory it is only left out of the list. */
static void prog_add(struct eci_snapshot *s, const char *name, const struct bpf_prog_info *pi)
{
	struct eci_prog_snap *p = realloc(s->progs, (s->nprogs + 1) * sizeof(*p));

	if (!p)
		return;
	s->progs = p;
	p += s->nprogs++;
	snprintf(p->name, sizeof(p->name), "%.63s", name);
	p->run_time_ns = pi->run_time_ns;
	p->run_cnt = pi->run_cnt;
}

/* Run time per hook and per program from the pinned links' programs; the earliest load time
 * is the enforcer's start. */
static void read_progs(struct eci_snapshot *s)
{
	double boot = clock_s(CLOCK_BOOTTIME);
	uint64_t first = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(ECI_PIN_LINKS);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct bpf_link_info li = {};
		struct bpf_prog_info pi = {};
		__u32 llen = sizeof(li), plen = sizeof(pi);
		char path[PATH_MAX];
		int lfd, pfd, h;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", ECI_PIN_LINKS, de->d_name);
		lfd = bpf_obj_get(path);
		if (lfd < 0)
			continue;
		pfd = -1;
		if (!bpf_obj_get_info_by_fd(lfd, &li, &llen))
			pfd = bpf_prog_get_fd_by_id(li.prog_id);
		if (pfd >= 0 && !bpf_obj_get_info_by_fd(pfd, &pi, &plen)) {
			if (!first || pi.load_time < first)
				first = pi.load_time;
			prog_add(s, de->d_name, &pi);
			h = eci_prog_hook(de->d_name);
			if (h >= 0) {
				s->hooks[h].run_time_ns += pi.run_time_ns;
				s->hooks[h].run_cnt += pi.run_cnt;
				s->hooks[h].nprogs++;
			}
		}
		if (pfd >= 0)
			close(pfd);
		close(lfd);
	}
	closedir(d);
	if (s->nprogs)
		qsort(s->progs, s->nprogs, sizeof(*s->progs), prog_cmp);
	if (first)
		s->uptime = boot - first / 1e9;
}

static int read_hooks(struct eci_snapshot *s, int ncpu)
{
	struct eci_hook_stats *v = calloc(ncpu, sizeof(*v));
	int fd = open_pin("hook_stats"), err = 0;

	if (fd < 0 || !v) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (__u32 h = 0; h < ECI_HOOK_MAX; h++) {
		if (bpf_map_lookup_elem(fd, &h, v))
			continue;
		for (int c = 0; c < ncpu; c++) {
			s->hooks[h].calls += v[c].calls;
			s->hooks[h].denials += v[c].denials;
			s->hooks[h].audits += v[c].audits;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(v);
	return err;
}

static struct eci_ctr_snap *find_ctr(struct eci_snapshot *s, uint64_t id)
{
	for (size_t i = 0; i < s->nctrs; i++)
		if (s->ctrs[i].id == id)
			return &s->ctrs[i];
	return NULL;
}

static struct eci_ctr_snap *add_ctr(struct eci_snapshot *s, size_t *cap, uint64_t id)
{
	struct eci_ctr_snap *c;

	if (s->nctrs == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		struct eci_ctr_snap *p = realloc(s->ctrs, n * sizeof(*p));

		if (!p)
			return NULL;
		s->ctrs = p;
		*cap = n;
	}
	c = &s->ctrs[s->nctrs++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	return c;
}

/* The protected containers (root entries of the containers map), then the
 * counters of each, summed over CPUs. A counter without a container is one
 * whose cgroup went between the two reads: it is kept, unnamed. */
static int read_containers(struct eci_snapshot *s, int ncpu)
{
	struct eci_container_stats *v = NULL;
	int cfd = open_pin("containers"), sfd = open_pin("container_stats"), err = 0;
	__u64 key, next, *prev = NULL;
	size_t cap = 0;

	if (cfd < 0 || sfd < 0) {
		err = -errno;
		goto out;
	}
	s->cgroups_max = ECI_MAX_CGROUPS;
	s->stats_max = ECI_MAX_CGROUPS;
	while (!bpf_map_get_next_key(cfd, prev, &next)) {
		struct eci_container e;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(cfd, &key, &e))
			continue;
		s->cgroups++;
		if (e.root_id == key && !(e.flags & ECI_CF_SUBTREE)) {
			struct eci_ctr_snap *c = add_ctr(s, &cap, key);

			if (!c) {
				err = -ENOMEM;
				goto out;
			}
			memcpy(c->name, e.name, sizeof(c->name));
			c->name[sizeof(c->name) - 1] = '\0';
			c->flags = e.flags;
		}
	}
	v = calloc(ncpu, sizeof(*v));
	if (!v) {
		err = -ENOMEM;
		goto out;
	}
	prev = NULL;
	while (!bpf_map_get_next_key(sfd, prev, &next)) {
		struct eci_ctr_snap *c;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(sfd, &key, v))
			continue;
		s->stats_entries++;
		c = find_ctr(s, key);
		if (!c)
			c = add_ctr(s, &cap, key);
		if (!c) {
			err = -ENOMEM;
			goto out;
		}
		for (int cpu = 0; cpu < ncpu; cpu++)
			for (int k = 0; k < ECI_CLASS_MAX; k++) {
				c->denials[k] += v[cpu].denials[k];
				c->audits[k] += v[cpu].audits[k];
			}
	}
out:
	free(v);
	if (cfd >= 0)
		close(cfd);
	if (sfd >= 0)
		close(sfd);
	return err;
}

int eci_snapshot_read(struct eci_snapshot *s)
{
	int ncpu = libbpf_num_possible_cpus(), fd, err;
	struct eci_config cfg = {};
	__u32 zero = 0;

	memset(s, 0, sizeof(*s));
	s->mono = clock_s(CLOCK_MONOTONIC);
	s->real = clock_s(CLOCK_REALTIME);
	s->bpf_stats = sysctl_on("/proc/sys/kernel/bpf_stats_enabled");
	if (!eci_is_loaded())
		return 0;
	if (ncpu <= 0) {
		eci_err("failed to count the CPUs: %s", strerror(-ncpu));
		return ncpu;
	}
	s->loaded = true;
	fd = open_pin("state");
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &s->state)) {
		err = -errno;
		eci_err("failed to read %s/state: %s", ECI_PIN_MAPS, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	close(fd);
	fd = open_pin("global_config");
	if (fd >= 0 && !bpf_map_lookup_elem(fd, &zero, &cfg))
		s->audit_all = cfg.flags & ECI_CONFIG_AUDIT;
	if (fd >= 0)
		close(fd);
	err = read_hooks(s, ncpu);
	if (err) {
		eci_err("failed to read %s/hook_stats: %s", ECI_PIN_MAPS, strerror(-err));
		return err;
	}
	err = read_containers(s, ncpu);
	if (err) {
		eci_err("failed to read the container counters: %s", strerror(-err));
		eci_snapshot_free(s);
		return err;
	}
	read_progs(s);
	return 0;
}

void eci_snapshot_free(struct eci_snapshot *s)
{
	free(s->ctrs);
	s->ctrs = NULL;
	s->nctrs = 0;
	free(s->progs);
	s->progs = NULL;
	s->nprogs = 0;
}
