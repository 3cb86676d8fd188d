/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps the policies share, declared here and defined once in maps.bpf.c:
 * `bpftool gen object` links the policies into one object, so every program
 * sees the same map, and ecictl pins each under /sys/fs/bpf/eci/map/<name>.
 * (libbpf 1.1's linker mislays extern maps defined in more than one object,
 * so they are all defined in the one linked first.) Who reads and who writes:
 *
 *   containers, event_budget, hook_stats, state, events, container_stats,
 *   global_config        every policy (eci.bpf.h); entries: container.bpf.c
 *                        and ecictl
 *   dev_rules            device.bpf.c
 *   engine_sockets       socket.bpf.c
 *   bind_allow, bind_templates, engine_socket_paths
 *                        bind.bpf.c
 *   initial_mounts, initial_roots
 *                        mountlock.bpf.c
 *   autoload_allow       module.bpf.c; entries: ecictl load and settings apply
 *   net_target           net.bpf.c writes, caps.bpf.c reads (task storage)
 *   key_count            keys.bpf.c; container.bpf.c drops a container's
 *   sb_owner             fstype.bpf.c writes; fstype.bpf.c (remounts),
 *                        notify.bpf.c (fanotify marks) and fsadmin.bpf.c
 *                        (ioctls, quotactl) read
 *
 * A policy's private maps (bind_lookups, mount_scratch) stay in its file.
 */
#ifndef ECI_MAPS_BPF_H
#define ECI_MAPS_BPF_H

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECI_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct eci_container);
} eci_containers_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ECI_HOOK_MAX);
	__type(key, __u32);
	__type(value, struct eci_hook_stats);
} eci_hook_stats_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct eci_state);
} eci_state_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, ECI_EVENTS_SIZE);
} eci_events_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECI_MAX_DEV_RULES);
	__type(key, struct eci_dev_key);
	__type(value, __u32);
} eci_dev_rules_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ECI_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct eci_event_budget);
} eci_event_budget_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, ECI_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct eci_container_stats);
} eci_container_stats_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct eci_config);
} eci_config_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, ECI_MAX_BIND_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct eci_bind_key);
	__type(value, __u32);
} eci_bind_allow_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECI_MAX_SOCKETS);
	__type(key, __u32);
	__type(value, struct eci_socket_path);
} eci_socket_paths_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECI_MAX_SOCKETS);
	__type(key, struct eci_inode_key);
	__type(value, __u32);
} eci_sockets_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECI_MAX_TEMPLATES);
	__type(key, __u32);
	__type(value, struct eci_bind_template);
} eci_bind_templates_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECI_MAX_INITIAL_MOUNTS);
	__type(key, struct eci_mount_key);
	__type(value, __u32);
} eci_initial_mounts_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECI_MAX_INITIAL_MOUNTS);
	__type(key, struct eci_mount_root_key);
	__type(value, __u32);
} eci_initial_roots_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECI_MAX_SUPERBLOCKS);
	__type(key, __u64);
	__type(value, __u64);
} eci_sb_owner_t;

/* The network namespace a protected task's syscall resolved last, when it
 * is the VM's (net.bpf.c): the syscall it did it in. And the socket its
 * bind, connect, accept or ioctl acts on: whether it is of the VM's network
 * namespace, and in which syscall, for the capability checks the kernel
 * makes on that socket's behalf. */
struct eci_net_target {
	__s32 nr;
	__u32 vm;
	__s32 sock_nr;
	__u32 sock; /* ECI_SOCK_* */
};

#define ECI_SOCK_NONE 0
#define ECI_SOCK_OWN 1
#define ECI_SOCK_VM 2

typedef struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct eci_net_target);
} eci_net_target_t;

/* Keys each container holds (keys.bpf.c), by root id; dropped with the
 * container's cgroup (container.bpf.c). */
typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ECI_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, __u64);
} eci_key_count_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, ECI_MAX_AUTOLOAD);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct eci_autoload_key);
	__type(value, __u32);
} eci_autoload_allow_t;

extern eci_autoload_allow_t autoload_allow SEC(".maps");
extern eci_sb_owner_t sb_owner SEC(".maps");
extern eci_net_target_t net_target SEC(".maps");
extern eci_key_count_t key_count SEC(".maps");
extern eci_bind_templates_t bind_templates SEC(".maps");
extern eci_initial_mounts_t initial_mounts SEC(".maps");
extern eci_initial_roots_t initial_roots SEC(".maps");
extern eci_container_stats_t container_stats SEC(".maps");
extern eci_config_t global_config SEC(".maps");
extern eci_bind_allow_t bind_allow SEC(".maps");
extern eci_socket_paths_t engine_socket_paths SEC(".maps");
extern eci_sockets_t engine_sockets SEC(".maps");
extern eci_containers_t containers SEC(".maps");
extern eci_event_budget_t event_budget SEC(".maps");
extern eci_dev_rules_t dev_rules SEC(".maps");
extern eci_hook_stats_t hook_stats SEC(".maps");
extern eci_state_t state SEC(".maps");
extern eci_events_t events SEC(".maps");

#endif /* ECI_MAPS_BPF_H */
