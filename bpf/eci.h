/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layouts shared by the BPF programs and the user-space tools: map keys and
 * values, trap events, and the enums that index them. Constants, enums and
 * fixed-layout structs only, so both sides agree on every byte.
 */
#ifndef ECI_H
#define ECI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define ECI_NAME_LEN 64
#define ECI_DETAIL_LEN 128
#define ECI_COMM_LEN 16

/* Protected cgroups the map can hold: containers and their sub-cgroups. */
#define ECI_MAX_CGROUPS 16384
/* Depth of the cgroup tree the fail-closed ancestor walk covers. */
#define ECI_MAX_CGROUP_DEPTH 32
#define ECI_EVENTS_SIZE (256 * 1024)

/* Where `ecictl load` pins everything; the tools find the maps there. */
#define ECI_PIN_DIR "/sys/fs/bpf/eci"
#define ECI_PIN_MAPS ECI_PIN_DIR "/map"
#define ECI_PIN_LINKS ECI_PIN_DIR "/link"

/* struct eci_container.flags */
enum eci_container_flags {
	/* Count and report what would be denied, deny nothing. */
	ECI_CF_AUDIT = 1 << 0,
	/* Entry made by the cgroup_mkdir tracepoint for a sub-cgroup. */
	ECI_CF_INHERITED = 1 << 1,
	/* Registered before start: the runtime is still building the container
	 * (device nodes for a privileged /dev). Ends at the first execve in the
	 * container, which is the runtime starting the container's process. */
	ECI_CF_SETUP = 1 << 2,
	/* Not a container: a protected subtree (e.g. /docker). Every cgroup
	 * created directly below it becomes a container of its own. */
	ECI_CF_SUBTREE = 1 << 3,
	/* May bind-mount and connect to the engine socket (imageList). */
	ECI_CF_SOCKET = 1 << 4,
	/* Registered while already running (no setup seen): its mounts are
	 * recorded as initial at the next execve in it. */
	ECI_CF_ADOPTED = 1 << 5,
	/* Its initial mounts could not all be recorded (a full map, or more
	 * than ECI_MAX_NS_MOUNTS): every mount counts as initial. */
	ECI_CF_MOUNTS_UNKNOWN = 1 << 6,
	/* A VM service the admin exempts from the container rule (always with
	 * ECI_CF_SUBTREE, so every lookup answers "unprotected"); its new
	 * children get no entry of it. */
	ECI_CF_EXEMPT = 1 << 7,
	/* Made a container by the kernel's rule (container.bpf.c): a task of an
	 * unknown cgroup mounted or changed its root in a mount namespace of
	 * its own. */
	ECI_CF_CAUGHT = 1 << 8,
	/* With ECI_CF_EXEMPT: the cgroups created below are exempt too. */
	ECI_CF_EXEMPT_TREE = 1 << 9,
};

/* Value of the containers map, keyed by cgroup v2 id (__u64). */
struct eci_container {
	/* The cgroup the runtime registered; a sub-cgroup carries its
	 * container's id here, so removing a container removes them all. */
	__u64 root_id;
	__u32 flags;
	__u32 reserved;
	char name[ECI_NAME_LEN];
};

/* Index of the per-CPU hook counters, and hook of a trap event. */
enum eci_hook {
	ECI_HOOK_MODULE_REQUEST,
	ECI_HOOK_KERNEL_READ_FILE,
	ECI_HOOK_KERNEL_LOAD_DATA,
	ECI_HOOK_CGROUP_MKDIR,
	ECI_HOOK_CGROUP_RMDIR,
	ECI_HOOK_FILE_OPEN,
	ECI_HOOK_FILE_RECEIVE,
	ECI_HOOK_INODE_MKNOD,
	ECI_HOOK_SB_SET_MNT_OPTS,
	ECI_HOOK_CAPABLE,
	ECI_HOOK_BPF,
	ECI_HOOK_PERF_EVENT_OPEN,
	ECI_HOOK_BPRM_COMMITTED_CREDS,
	ECI_HOOK_SYSLOG,
	ECI_HOOK_KERNEL_FILE,
	ECI_HOOK_TASK_ALLOC,
	ECI_HOOK_MOUNT_FS,
	ECI_HOOK_SB_MOUNT,
	ECI_HOOK_FOLLOW_LINK,
	ECI_HOOK_MOVE_MOUNT,
	ECI_HOOK_SB_UMOUNT,
	ECI_HOOK_MOUNT_SETATTR,
	ECI_HOOK_FSPICK,
	ECI_HOOK_CHROOT,
	ECI_HOOK_PIVOT_ROOT,
	ECI_HOOK_UNIX_CONNECT,
	ECI_HOOK_PTRACE,
	ECI_HOOK_TASK_KILL,
	ECI_HOOK_TASK_PRIORITY,
	ECI_HOOK_SWAP,
	ECI_HOOK_SB_REMOUNT,
	ECI_HOOK_PATH_NOTIFY,
	ECI_HOOK_LOCKED_DOWN,
	ECI_HOOK_NETLINK_SEND,
	ECI_HOOK_NETNS,
	ECI_HOOK_FS_ADMIN,
	ECI_HOOK_QUOTACTL,
	ECI_HOOK_SOCKET_CREATE,
	ECI_HOOK_TTY_IOCTL,
	ECI_HOOK_KEY,
	ECI_HOOK_KEY_ALLOC,
	ECI_HOOK_MAX,
};

/* Device rules: the OCI/cgroup "type major:minor access" form. */
#define ECI_DEV_ANY 0xffffffffu
/* Rules under this root id apply to every protected container. */
#define ECI_DEV_DEFAULTS 0
#define ECI_MAX_DEV_RULES 4096

enum eci_dev_type {
	ECI_DEV_CHAR = 'c',
	ECI_DEV_BLOCK = 'b',
};

enum eci_dev_access {
	ECI_DEV_READ = 1 << 0,
	ECI_DEV_WRITE = 1 << 1,
	ECI_DEV_MKNOD = 1 << 2,
};

/* Key of the dev_rules map; the value is a __u32 mask of eci_dev_access. */
struct eci_dev_key {
	__u64 root_id; /* a container's cgroup id, or ECI_DEV_DEFAULTS */
	__u32 major; /* or ECI_DEV_ANY */
	__u32 minor; /* or ECI_DEV_ANY */
	__u32 type; /* enum eci_dev_type */
	__u32 reserved; /* zero: keys are compared bytewise */
};

/*
 * Capabilities a protected container never holds against the initial user
 * namespace, whatever the syscall: each acts on the whole VM, none on the
 * container's own resources. The ones not here and not in ECI_CAP_FREE
 * (CAP_SYS_ADMIN, CAP_SYS_RESOURCE, ...) are deny by default: allowed only
 * by the syscall's cap_ops entry (caps.bpf.c). Root still reads any file it
 * can see: permission checks fall back from DAC_READ_SEARCH to DAC_OVERRIDE.
 */
#define ECI_CAP_DENIED                                                                             \
	((1ULL << 2) | /* DAC_READ_SEARCH: open_by_handle_at reaches any VM file ("shocker") */    \
	 (1ULL << 16) | /* SYS_MODULE: load/unload kernel modules */                               \
	 (1ULL << 17) | /* SYS_RAWIO: iopl/ioperm, /dev/mem, raw block/SCSI commands */            \
	 (1ULL << 20) | /* SYS_PACCT: VM-wide process accounting file */                           \
	 (1ULL << 22) | /* SYS_BOOT: reboot the VM, kexec */                                       \
	 (1ULL << 25) | /* SYS_TIME: the VM's clock (time namespaces don't cover it) */            \
	 (1ULL << 26) | /* SYS_TTY_CONFIG: vhangup, console and keyboard configuration */          \
	 (1ULL << 30) | /* AUDIT_CONTROL: the kernel audit rules and state */                      \
	 (1ULL << 32) | /* MAC_OVERRIDE: bypass the VM's MAC policy */                             \
	 (1ULL << 33) | /* MAC_ADMIN: change the VM's MAC policy */                                \
	 (1ULL << 34) | /* SYSLOG: the kernel log (dmesg -c clears it for everyone) */             \
	 (1ULL << 36) | /* BLOCK_SUSPEND: keep the whole VM from suspending */                     \
	 (1ULL << 37) | /* AUDIT_READ: the VM's audit stream */                                    \
	 (1ULL << 38) | /* PERFMON: system-wide performance monitoring */                          \
	 (1ULL << 39)) /* BPF: BPF programs and maps, the enforcer's own included */

/*
 * Capabilities a protected container may not use in the VM's own network
 * namespace (`--net=host`, or a socket of the VM's): they would reconfigure
 * the VM's interfaces, addresses, routes and firewall, sniff and spoof its
 * traffic, or take the VM's privileged ports and well-known addresses. In a
 * network namespace of its own they stay.
 */
#define ECI_CAP_NET_VM                                                                             \
	((1ULL << 10) | /* NET_BIND_SERVICE: ports below 1024, PSMs, callsigns, ATM VCIs */        \
	 (1ULL << 12) | /* NET_ADMIN: interfaces, addresses, routes, netfilter */                  \
	 (1ULL << 13)) /* NET_RAW: packet and raw sockets */

/*
 * Deny by default (caps.bpf.c): capabilities whose every check the audit
 * allows, or whose target another policy judges (files the mount and device
 * policies let it reach, tasks the process policy judges, its own
 * credentials, memory and timers). Every other capability, against the
 * initial user namespace, is refused unless cap_ops allows it for the
 * syscall being made (user/capops.c, docs/DESIGN.md).
 */
#define ECI_CAP_FREE                                                                               \
	((1ULL << 0) | /* CHOWN */                                                                 \
	 (1ULL << 1) | /* DAC_OVERRIDE */                                                          \
	 (1ULL << 3) | /* FOWNER */                                                                \
	 (1ULL << 4) | /* FSETID */                                                                \
	 (1ULL << 5) | /* KILL: task_kill judges the target */                                     \
	 (1ULL << 6) | /* SETGID */                                                                \
	 (1ULL << 7) | /* SETUID */                                                                \
	 (1ULL << 8) | /* SETPCAP */                                                               \
	 (1ULL << 9) | /* LINUX_IMMUTABLE */                                                       \
	 (1ULL << 14) | /* IPC_LOCK: charged to its memory cgroup */                               \
	 (1ULL << 18) | /* SYS_CHROOT: path_chroot, sb_pivotroot */                                \
	 (1ULL << 19) | /* SYS_PTRACE: ptrace_access_check */                                      \
	 (1ULL << 27) | /* MKNOD: inode_mknod (device policy) */                                   \
	 (1ULL << 28) | /* LEASE */                                                                \
	 (1ULL << 31) | /* SETFCAP */                                                              \
	 (1ULL << 35) | /* WAKE_ALARM: its own timers */                                           \
	 (1ULL << 40)) /* CHECKPOINT_RESTORE: ttys in tty.bpf.c, tasks in the process policy */

/* The network capabilities: a network namespace of its own is the
 * container's; in the VM's, ECI_CAP_NET_VM are refused and NET_BROADCAST
 * goes by cap_ops. */
#define ECI_CAP_NET_ANY (ECI_CAP_NET_VM | (1ULL << 11))

/* cap_ops: one entry per syscall number (rodata, set by the loader). */
#define ECI_NR_MAX 512
/* What must be the container's own for an entry to apply: namespaces, or
 * the file of the syscall's first argument (a /proc file: the kernel-files
 * policy judges which; a unix socket). */
#define ECI_OWN_UTS (1U << 0)
#define ECI_OWN_IPC (1U << 1)
#define ECI_OWN_PROC_FD (1U << 2)
/* An AF_UNIX socket as the first argument, sent on from a pid namespace of
 * its own: SCM_CREDENTIALS' pid can name only its own tasks. */
#define ECI_OWN_UNIX_PID (1U << 3)

struct eci_cap_op {
	__u64 allow; /* capability mask */
	__u32 own; /* ECI_OWN_* */
	__u32 reserved;
};

/* What a trap protected; the per-container counters are per class. */
enum eci_class {
	ECI_CLASS_MODULE,
	ECI_CLASS_MOUNT,
	ECI_CLASS_DEVICE,
	ECI_CLASS_KERNEL,
	ECI_CLASS_SOCKET,
	ECI_CLASS_PROCESS,
	ECI_CLASS_MAX,
};

enum eci_verdict {
	ECI_VERDICT_DENY,
	ECI_VERDICT_AUDIT,
};

/* Value of the per-CPU hook_stats array, indexed by enum eci_hook. */
struct eci_hook_stats {
	__u64 calls;
	__u64 denials;
	__u64 audits;
};

/* Value of the single-entry state array (key 0). */
struct eci_state {
	/* Sub-cgroups of protected containers the mkdir tracepoint could not
	 * insert (map full). While non-zero, lookups that miss walk the
	 * cgroup's ancestors so such cgroups stay protected. */
	__u64 orphans;
	/* Trap events lost because the ring buffer was full. */
	__u64 event_drops;
	/* Trap events not sent because their container was over its rate
	 * (ECI_EVENT_RATE); the traps themselves are counted all the same. */
	__u64 event_throttled;
	/* Traps not counted per container: container_stats was full. */
	__u64 stats_full;
};

/* Value of the per-CPU container_stats hash, keyed by container (root)
 * cgroup id: traps per class, exact. */
struct eci_container_stats {
	__u64 denials[ECI_CLASS_MAX];
	__u64 audits[ECI_CLASS_MAX];
};

/* Value of the single-entry global_config array (key 0): VM-wide switches the
 * settings set at run time. */
enum eci_config_flags {
	/* Audit mode for every protected container. */
	ECI_CONFIG_AUDIT = 1 << 0,
};

struct eci_config {
	__u32 flags;
	__u32 reserved;
};

/*
 * Allowed bind-mount sources, an LPM trie. The data compared is reserved (0),
 * root_id (a container, or ECI_BIND_ALL for every protected container: the
 * file-sharing directories, the runtime's own mechanics) and the normalized
 * absolute path with a trailing '/', so "/a/" matches "/a/b/" but not "/ab/".
 * prefixlen counts bits of that data: (4 + 8 + strlen(path)) * 8 for an entry.
 * The value is a __u32, 1.
 */
#define ECI_PATH_LEN 240
/* Size of the other path buffers: a power of two, so BPF masks indexes. */
#define ECI_PATH_BUF 256
#define ECI_BIND_ALL 0
#define ECI_MAX_BIND_RULES 4096

struct eci_bind_key {
	__u32 prefixlen;
	__u32 reserved;
	__u64 root_id;
	char path[ECI_PATH_LEN];
};

/* Directories a container may bind from, named by the container: allowed is
 * prefix + the container's name + '/' (e.g. "/var/lib/docker/containers/"
 * and a Docker container's id: its hostname, hosts and resolv.conf). Array
 * bind_templates; empty slots have prefix[0] 0. */
#define ECI_MAX_TEMPLATES 8

struct eci_bind_template {
	char prefix[ECI_PATH_BUF]; /* normalized, with a trailing '/' */
};

/* Why a mount operation was refused: arg[1] of a mount or socket trap. */
enum eci_mount_reason {
	ECI_MNT_FS, /* a filesystem type not in the allowlist (fstype.bpf.c) */
	ECI_MNT_SOURCE, /* bind source outside what the container may bind */
	ECI_MNT_DOTDOT, /* a ".." component in a bind source */
	ECI_MNT_RELATIVE, /* relative bind source, cwd not below the root */
	ECI_MNT_TOO_LONG, /* bind source longer than ECI_PATH_LEN */
	ECI_MNT_SYMLINK, /* a symlink followed while resolving a VM-side source */
	ECI_MNT_MAGIC_LINK, /* a /proc magic link followed by a bind source */
	ECI_MNT_SOCKET, /* bind of the engine socket, or of a directory holding it */
	ECI_MNT_SUBMOUNTS, /* recursive bind carrying other mounts along */
	ECI_MNT_LOCKED_FLAGS, /* remount relaxing a flag of an initial mount */
	ECI_MNT_LOCKED, /* unmounting or moving an initial mount */
	ECI_MNT_MOVE, /* mount(MS_MOVE) of a source that is no mount found in its namespace */
	ECI_MNT_CLONE, /* attaching a copy of a mount the container can't see */
	ECI_MNT_SETATTR, /* mount_setattr() after setup: no hook sees its effect */
	ECI_MNT_FSPICK, /* fspick() after setup: reconfiguring a superblock */
	ECI_MNT_ROOT, /* chroot or pivot_root to outside the current root */
	ECI_MNT_CONNECT, /* connect() to the engine socket */
	ECI_MNT_FOREIGN_SB, /* changing the options of a superblock not its own */
	ECI_MNT_NOTIFY, /* a fanotify mark on a filesystem not its own */
	ECI_MNT_FS_IOCTL, /* a privileged ioctl on a filesystem not its own */
	ECI_MNT_QUOTA, /* a privileged quotactl on a filesystem not its own */
	ECI_MNT_LOCKED_OPTIONS, /* remount changing an initial mount's options */
	ECI_MNT_UNRECORDED, /* its initial mounts could not all be recorded */
	ECI_MNT_SHARED_DEV, /* a privileged ioctl on a memory device shared with the VM */
	ECI_MNT_REASON_MAX,
};

/*
 * The initial mounts of a container: those in its mount namespace when its
 * setup ends. A mount is identified by what survives copies of it (a bind of
 * it, `unshare -m`, a nested container's namespace): its superblock and root
 * dentry, and where it sits: its parent's superblock and root dentry and the
 * dentry it covers (all 0 for a namespace's root mount). Kernel pointers, valid
 * while the mounts live; the entries go with the container's cgroup.
 */
#define ECI_MAX_INITIAL_MOUNTS 16384
/* Mounts of a namespace the setup-end snapshot reads. */
#define ECI_MAX_NS_MOUNTS 512

struct eci_mount_key {
	__u64 root_id;
	__u64 sb;
	__u64 root;
	__u64 parent_sb;
	__u64 parent_root;
	__u64 mountpoint;
};

/* Key of initial_roots: the restrictions (MNT_READONLY, MNT_NOSUID, ...,
 * the atime mode) of the initial mounts of a superblock's subtree, ORed. */
struct eci_mount_root_key {
	__u64 root_id;
	__u64 sb;
	__u64 dentry;
};

/*
 * Module aliases a protected container's autoload may ask for (LPM trie
 * autoload_allow, value __u32 1): the settings' eci.autoloadModules. The
 * data compared is the alias as the kernel requests it ("fs-overlay",
 * "rtnl-link-veth"); an entry's prefixlen covers its NUL, so it matches
 * exactly, or stops before a trailing '*' of the settings, so it matches
 * every alias it begins ("nft-expr-*").
 */
#define ECI_MODNAME_LEN 56
#define ECI_MAX_AUTOLOAD 256

struct eci_autoload_key {
	__u32 prefixlen;
	char name[ECI_MODNAME_LEN];
};

/* Superblocks a protected container created (map sb_owner: superblock
 * address -> the container's root id), recorded when the kernel allocates
 * them and dropped when it frees them. A superblock not in it is the VM's, or
 * another container's. */
#define ECI_MAX_SUPERBLOCKS 16384
/* Keys a protected container created (keys.bpf.c: address -> root id). */
#define ECI_MAX_KEYS 16384
/* The keys one container may hold at a time: an eighth of key_owner, so
 * that one container filling its share leaves room for the others' (every
 * container's runtime makes a session keyring before it starts). */
#define ECI_KEY_QUOTA (ECI_MAX_KEYS / 8)

/* Generic netlink families whose state is the VM's although they answer in
 * every network namespace (net.bpf.c: genl_names by name, written by
 * ecictl load; genl_global by id while registered). */
#define ECI_GENL_NAMSIZ 16 /* GENL_NAMSIZ */
#define ECI_MAX_GENL_FAMILIES 32

struct eci_genl_name {
	char name[ECI_GENL_NAMSIZ];
};

/* The engine's sockets, by path (array engine_socket_paths: a bind whose
 * source is or contains one needs ECI_CF_SOCKET; empty slots have path[0] 0)
 * and by inode (hash engine_sockets, key struct eci_inode_key, value __u32 1:
 * connect() to one needs ECI_CF_SOCKET, whatever path reached it). */
#define ECI_MAX_SOCKETS 8

struct eci_socket_path {
	char path[ECI_PATH_BUF]; /* normalized, with a trailing '/' */
};

struct eci_inode_key {
	__u64 dev; /* the kernel's dev_t (MKDEV(major, minor) = major << 20 | minor) */
	__u64 ino;
};

/* Trap events per second and burst per container: a flood of denials can't
 * crowd out everyone else's events or keep user space busy. */
#define ECI_EVENT_RATE 100
#define ECI_EVENT_BURST 200

/* Value of the event_budget map, keyed by container (root) cgroup id. */
struct eci_event_budget {
	__u64 last_ns;
	__u64 tokens;
};

/* The kernel's PTRACE_MODE_* bits, the arg[1] of a ptrace_access_check trap. */
#define ECI_PTRACE_MODE_ATTACH 0x02
#define ECI_PTRACE_MODE_NOAUDIT 0x04
#define ECI_PTRACE_MODE_REALCREDS 0x10

/* Which call of a task_priority trap (its arg[1]). */
enum eci_prio_call {
	ECI_PRIO_NICE = 1, /* setpriority */
	ECI_PRIO_IO, /* ioprio_set */
	ECI_PRIO_SCHEDULER, /* sched_setscheduler, sched_setattr, sched_setaffinity */
	ECI_PRIO_RLIMIT, /* prlimit64 on another task */
	ECI_PRIO_RTPRIO, /* RLIMIT_RTPRIO above 0, any task's */
};

/* One trap, sent through the events ring buffer. */
struct eci_event {
	__u64 ts_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 cgroup_id;
	__u64 root_id;
	__u32 pid;
	__u32 tid;
	__u16 hook; /* enum eci_hook */
	__u8 class; /* enum eci_class */
	__u8 verdict; /* enum eci_verdict */
	__s32 err; /* errno returned to the caller, 0 in audit mode */
	/* Hook-specific numbers, e.g. the kernel_read_file_id. */
	__u64 arg[2];
	char comm[ECI_COMM_LEN];
	char container[ECI_NAME_LEN];
	/* Hook-specific text: a module name, a file path. */
	char detail[ECI_DETAIL_LEN];
};

#endif /* ECI_H */
