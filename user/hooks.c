// SPDX-License-Identifier: GPL-2.0
/* The hooks' and trap classes' names, as stats, metrics and events print them. */
#include "hooks.h"

#include <string.h>

const char *const eci_hook_names[ECI_HOOK_MAX] = {
	[ECI_HOOK_MODULE_REQUEST] = "kernel_module_request",
	[ECI_HOOK_KERNEL_READ_FILE] = "kernel_read_file",
	[ECI_HOOK_KERNEL_LOAD_DATA] = "kernel_load_data",
	[ECI_HOOK_CGROUP_MKDIR] = "cgroup_mkdir",
	[ECI_HOOK_CGROUP_RMDIR] = "cgroup_rmdir",
	[ECI_HOOK_FILE_OPEN] = "file_open",
	[ECI_HOOK_FILE_RECEIVE] = "file_receive",
	[ECI_HOOK_INODE_MKNOD] = "inode_mknod",
	[ECI_HOOK_SB_SET_MNT_OPTS] = "sb_set_mnt_opts",
	[ECI_HOOK_CAPABLE] = "capable",
	[ECI_HOOK_BPF] = "bpf",
	[ECI_HOOK_PERF_EVENT_OPEN] = "perf_event_open",
	[ECI_HOOK_BPRM_COMMITTED_CREDS] = "bprm_committed_creds",
	[ECI_HOOK_SYSLOG] = "syslog",
	[ECI_HOOK_KERNEL_FILE] = "file_open:kernel",
	[ECI_HOOK_TASK_ALLOC] = "task_alloc",
	[ECI_HOOK_MOUNT_FS] = "sb_set_mnt_opts:fs",
	[ECI_HOOK_SB_MOUNT] = "sb_mount",
	[ECI_HOOK_FOLLOW_LINK] = "inode_follow_link",
	[ECI_HOOK_MOVE_MOUNT] = "move_mount",
	[ECI_HOOK_SB_UMOUNT] = "sb_umount",
	[ECI_HOOK_MOUNT_SETATTR] = "mount_setattr",
	[ECI_HOOK_FSPICK] = "fspick",
	[ECI_HOOK_CHROOT] = "path_chroot",
	[ECI_HOOK_PIVOT_ROOT] = "sb_pivotroot",
	[ECI_HOOK_UNIX_CONNECT] = "unix_stream_connect",
	[ECI_HOOK_PTRACE] = "ptrace_access_check",
	[ECI_HOOK_TASK_KILL] = "task_kill",
	[ECI_HOOK_TASK_PRIORITY] = "task_priority",
	[ECI_HOOK_SWAP] = "swap",
	[ECI_HOOK_SB_REMOUNT] = "sb_remount",
	[ECI_HOOK_PATH_NOTIFY] = "path_notify",
	[ECI_HOOK_LOCKED_DOWN] = "locked_down",
	[ECI_HOOK_NETLINK_SEND] = "netlink_send",
	[ECI_HOOK_NETNS] = "netns",
	[ECI_HOOK_FS_ADMIN] = "fs_admin",
	[ECI_HOOK_QUOTACTL] = "quotactl",
	[ECI_HOOK_SOCKET_CREATE] = "socket_create",
	[ECI_HOOK_TTY_IOCTL] = "file_ioctl:tty",
	[ECI_HOOK_KEY] = "key_permission",
	[ECI_HOOK_KEY_ALLOC] = "key_alloc",
};

const char *const eci_class_names[ECI_CLASS_MAX] = {
	[ECI_CLASS_MODULE] = "module", [ECI_CLASS_MOUNT] = "mount",
	[ECI_CLASS_DEVICE] = "device", [ECI_CLASS_KERNEL] = "kernel",
	[ECI_CLASS_SOCKET] = "socket", [ECI_CLASS_PROCESS] = "process",
};

int eci_hook_index(const char *name)
{
	for (int h = 0; h < ECI_HOOK_MAX; h++)
		if (eci_hook_names[h] && !strcmp(eci_hook_names[h], name))
			return h;
	return -1;
}

int eci_class_index(const char *name)
{
	for (int c = 0; c < ECI_CLASS_MAX; c++)
		if (!strcmp(eci_class_names[c], name))
			return c;
	return -1;
}
