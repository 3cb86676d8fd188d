// SPDX-License-Identifier: GPL-2.0
/*
 * Global kernel resources: what a privileged container could use to act on
 * the whole VM rather than on its own resources.
 *
 *   capable          capabilities in ECI_CAP_DENIED (eci.h), when checked
 *                    against the initial user namespace: a container without
 *                    a user namespace is checked there for everything, so its
 *                    "privileged" caps become container-sized. Checked against
 *                    a user namespace the container owns, they stay.
 *   bpf              every bpf() command: no programs, maps, links, pins or
 *                    BTF, so the enforcer's own objects are out of reach too
 *                    (ECI: `bpftool map show` -> Operation not permitted)
 *   perf_event_open  events that see the kernel: tracepoints, kprobes and the
 *                    other dynamic PMUs, and any event that counts kernel mode
 *   syslog           the kernel log: reading (it is the VM's, with kernel
 *                    addresses) and clearing or silencing it. CAP_SYSLOG alone
 *                    would not do: syslog() still accepts CAP_SYS_ADMIN.
 *                    /dev/kmsg is a device, denied by the device policy.
 */
#include "eci.bpf.h"

SEC("lsm/capable")
int BPF_PROG(eci_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	/* Called for every capability check in the VM: a constant mask test
	 * first, the namespace second, the map last. */
	if ((unsigned int)cap >= 64 || !((1ULL << cap) & ECI_CAP_DENIED))
		return 0;
	/* Level 0 is init_user_ns alone (its address is not in the BTF of
	 * every kernel, so no __ksym). */
	if (BPF_CORE_READ(ns, level) != 0)
		return 0;
	stats = eci_count_call(ECI_HOOK_CAPABLE);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_CAPABLE, ECI_CLASS_KERNEL, e->arg[0] = cap);
}

SEC("lsm/bpf")
int BPF_PROG(eci_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	stats = eci_count_call(ECI_HOOK_BPF);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_BPF, ECI_CLASS_KERNEL, e->arg[0] = cmd);
}

SEC("lsm/perf_event_open")
int BPF_PROG(eci_perf_event_open, struct perf_event_attr *attr, int type, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u32 ptype;
	__u64 cgid;

	if (ret)
		return ret;
	/* perf_allow_kernel() skips its own LSM call for perfmon_capable()
	 * callers, so the open call itself is where the attr is judged. */
	if (type != PERF_SECURITY_OPEN)
		return 0;
	ptype = attr->type;
	if (ptype != PERF_TYPE_TRACEPOINT && ptype <= PERF_TYPE_BREAKPOINT &&
	    BPF_CORE_READ_BITFIELD(attr, exclude_kernel))
		return 0;
	stats = eci_count_call(ECI_HOOK_PERF_EVENT_OPEN);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_PERF_EVENT_OPEN, ECI_CLASS_KERNEL, ({
				e->arg[0] = ptype;
				e->arg[1] = attr->config;
			}));
}

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_SIZE_BUFFER 10

SEC("lsm/syslog")
int BPF_PROG(eci_syslog, int type, int ret)
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
