// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own machinery: what would let a privileged container load code
 * into the kernel, watch it, or reach the enforcer's own objects.
 *
 *   bpf              every bpf() command but what a nested runtime needs for
 *                    its containers' device cgroup: no maps, links, pins or
 *                    BTF, so the enforcer's own objects are out of reach too
 *                    (ECI: `bpftool map show` -> Operation not permitted)
 *   bpf_prog         a program fd made (load, get-by-id, a pin): a nested
 *                    runtime's kinds only
 *   perf_event_open  events that see the kernel: tracepoints, kprobes and the
 *                    other dynamic PMUs, and any event that counts kernel mode
 *   syslog           the kernel log: reading (it is the VM's, with kernel
 *                    addresses) and clearing or silencing it. CAP_SYSLOG alone
 *                    would not do: syslog() still accepts CAP_SYS_ADMIN.
 *                    /dev/kmsg is a device, denied by the device policy.
 *   locked_down      the lockdown reasons that read kernel memory or reach
 *                    hardware (lockdown_refused()): bpf_probe_read_kernel in
 *                    a nested runtime's programs, /proc/kcore, /dev/mem...
 *
 * No maps of its own. Fail closed: any bpf() command or program type not
 * listed in nested_runtime_bpf() is refused.
 */
#include "eci.bpf.h"

/*
 * What a nested runtime (runc inside the container, Docker-in-Docker) needs
 * for its own containers' device cgroup, and nothing else: load a cgroup
 * device program, query, attach and detach one on a cgroup, and read back the
 * programs it finds there. The attach target is a cgroup directory fd, and a
 * protected container can open or receive (the kernel-files checks,
 * knobs.bpf.h) only its own sub-cgroups' directories, so any target it can
 * name is its own. Program fds it can get are of those kinds only
 * (eci_selfprotect_bpf_prog). Everything else, maps and the enforcer's pins included,
 * stays refused.
 */
/* runc's BPF library probes for BPF_PROG_ATTACH by loading an (unattachable
 * here) cgroup skb program. */
static __always_inline bool nested_runtime_prog(__u32 type)
{
	return type == BPF_PROG_TYPE_CGROUP_DEVICE || type == BPF_PROG_TYPE_CGROUP_SKB;
}

static __always_inline bool nested_runtime_bpf(int cmd, union bpf_attr *attr)
{
	switch (cmd) {
	case BPF_PROG_LOAD:
		return nested_runtime_prog(BPF_CORE_READ(attr, prog_type));
	case BPF_PROG_ATTACH:
	case BPF_PROG_DETACH:
		return BPF_CORE_READ(attr, attach_type) == BPF_CGROUP_DEVICE;
	case BPF_PROG_QUERY:
		return BPF_CORE_READ(attr, query.attach_type) == BPF_CGROUP_DEVICE;
	case BPF_PROG_GET_FD_BY_ID:
	case BPF_OBJ_GET_INFO_BY_FD:
		return true;
	}
	return false;
}

SEC("lsm/bpf")
int BPF_PROG(eci_selfprotect_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	stats = eci_count_call(ECI_HOOK_BPF);
	c = eci_current(&cgid);
	if (!c || nested_runtime_bpf(cmd, attr))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_BPF, ECI_CLASS_KERNEL, e->arg[0] = cmd);
}

/* A program fd is made (load, get-by-id, a pin): a nested runtime's kinds
 * only. */
SEC("lsm/bpf_prog")
int BPF_PROG(eci_selfprotect_bpf_prog, struct bpf_prog *prog, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u32 type;
	__u64 cgid;

	if (ret)
		return ret;
	type = BPF_CORE_READ(prog, type);
	if (nested_runtime_prog(type))
		return 0;
	stats = eci_count_call(ECI_HOOK_BPF);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_BPF, ECI_CLASS_KERNEL, ({
				e->arg[0] = BPF_PROG_GET_FD_BY_ID;
				e->arg[1] = type;
			}));
}

/* ptype: the type the caller asked for, which a PMU's init may rewrite in
 * attr (eci_perf_type). */
static __always_inline int perf_attr_refused(struct perf_event_attr *attr, __u32 ptype)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ptype != PERF_TYPE_TRACEPOINT && ptype <= PERF_TYPE_BREAKPOINT &&
	    BPF_CORE_READ_BITFIELD(attr, exclude_kernel))
		return 0;
	stats = eci_count_call(ECI_HOOK_PERF_EVENT_OPEN);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_PERF_EVENT_OPEN, ECI_CLASS_KERNEL, ({
				e->arg[0] = ptype;
				e->arg[1] = BPF_CORE_READ(attr, config);
			}));
}

SEC("lsm/perf_event_open")
int BPF_PROG(eci_selfprotect_perf_event_open, struct perf_event_attr *attr, int type, int ret)
{
	if (ret)
		return ret;
	/* perf_allow_kernel() skips its own LSM call for perfmon_capable()
	 * callers, so the open call itself is where the attr is judged. */
	if (type != PERF_SECURITY_OPEN)
		return 0;
	return perf_attr_refused(attr, attr->type);
}

/* Where the perf_event_open hook sees no attr (6.12: `int type` alone), the
 * same judgement where the event is allocated, after its PMU's init and
 * before the syscall returns it. The loader keeps one of the two programs
 * (eci_kernel_probe). */
SEC("lsm/perf_event_alloc")
int BPF_PROG(eci_selfprotect_perf_event_alloc, struct perf_event *event, int ret)
{
	if (ret)
		return ret;
	return perf_attr_refused(&event->attr, eci_perf_type(event));
}

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_SIZE_BUFFER 10

SEC("lsm/syslog")
int BPF_PROG(eci_selfprotect_syslog, int type, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	if (type == SYSLOG_ACTION_CLOSE || type == SYSLOG_ACTION_OPEN ||
	    type == SYSLOG_ACTION_SIZE_BUFFER)
		return 0;
	stats = eci_count_call(ECI_HOOK_SYSLOG);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_SYSLOG, ECI_CLASS_KERNEL, e->arg[0] = type);
}

/*
 * Lockdown reasons that read or poke the kernel or the hardware: whatever a
 * capability check lets through, these stay the VM's. bpf_base_func_proto()
 * asks LOCKDOWN_BPF_READ_KERNEL while verifying a program, in the loading
 * task: a nested runtime's device program gets no bpf_probe_read_kernel.
 * Values by name (CO-RE): the enum's numbering changes between kernels.
 */
static __always_inline bool lockdown_refused(int what)
{
	return what == bpf_core_enum_value(enum lockdown_reason, LOCKDOWN_BPF_READ_KERNEL) ||
	       what == bpf_core_enum_value(enum lockdown_reason, LOCKDOWN_DBG_READ_KERNEL) ||
	       what == bpf_core_enum_value(enum lockdown_reason, LOCKDOWN_PERF) ||
	       what == bpf_core_enum_value(enum lockdown_reason, LOCKDOWN_KCORE) ||
	       what == bpf_core_enum_value(enum lockdown_reason, LOCKDOWN_DEV_MEM) ||
	       what == bpf_core_enum_value(enum lockdown_reason, LOCKDOWN_IOPORT) ||
	       what == bpf_core_enum_value(enum lockdown_reason, LOCKDOWN_MSR) ||
	       what == bpf_core_enum_value(enum lockdown_reason, LOCKDOWN_TIOCSSERIAL) ||
	       what == bpf_core_enum_value(enum lockdown_reason, LOCKDOWN_PCI_ACCESS);
}

SEC("lsm/locked_down")
int BPF_PROG(eci_selfprotect_locked_down, enum lockdown_reason what, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	if (!lockdown_refused(what))
		return 0;
	stats = eci_count_call(ECI_HOOK_LOCKED_DOWN);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_LOCKED_DOWN, ECI_CLASS_KERNEL, e->arg[0] = what);
}
