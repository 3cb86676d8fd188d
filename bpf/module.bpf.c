// SPDX-License-Identifier: GPL-2.0
/*
 * Module and kexec policy: a protected container never puts code into the
 * VM's kernel, whatever capabilities it holds.
 *
 *   init_module      -> kernel_load_data(LOADING_MODULE)
 *   finit_module     -> kernel_read_file(READING_MODULE)
 *   autoload         -> kernel_module_request (request_module() runs in the
 *                       context of the task that triggered it, e.g. socket()
 *                       or `ip link add type dummy`): refused unless the alias
 *                       is in autoload_allow (eci.autoloadModules: by
 *                       default overlay, veth, bridge and Docker's
 *                       netfilter). Modprobe then loads the VM's own module
 *                       files, as VM root: the container chooses which of
 *                       the listed ones, not their code
 *   kexec_load       -> kernel_load_data(LOADING_KEXEC_IMAGE)
 *   kexec_file_load  -> kernel_read_file(READING_KEXEC_IMAGE/INITRAMFS)
 *
 * Firmware and policy reads stay allowed: a driver the VM loaded may need
 * firmware while serving a container, and that is not the container's code.
 */
#include "eci.bpf.h"

/* A longer alias is read truncated (the key has no room for its NUL), so
 * only a wildcard entry can match it. */
static __always_inline bool autoload_allowed(const char *name)
{
	struct eci_autoload_key k = { .prefixlen = ECI_MODNAME_LEN * 8 };

	bpf_probe_read_kernel_str(k.name, sizeof(k.name), name);
	return bpf_map_lookup_elem(&autoload_allow, &k) != NULL;
}

SEC("lsm/kernel_module_request")
int BPF_PROG(eci_module_kernel_module_request, char *kmod_name, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	stats = eci_count_call(ECI_HOOK_MODULE_REQUEST);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	if (autoload_allowed(kmod_name))
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_MODULE_REQUEST, ECI_CLASS_MODULE,
			bpf_probe_read_kernel_str(e->detail, sizeof(e->detail), kmod_name));
}

SEC("lsm/kernel_read_file")
int BPF_PROG(eci_module_kernel_read_file, struct file *file, enum kernel_read_file_id id,
	     bool contents, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	if (id != READING_MODULE && id != READING_KEXEC_IMAGE && id != READING_KEXEC_INITRAMFS)
		return 0;
	stats = eci_count_call(ECI_HOOK_KERNEL_READ_FILE);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_KERNEL_READ_FILE, ECI_CLASS_MODULE, ({
				e->arg[0] = id;
				bpf_d_path(&file->f_path, e->detail, sizeof(e->detail));
			}));
}

SEC("lsm/kernel_load_data")
int BPF_PROG(eci_module_kernel_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	struct eci_hook_stats *stats;
	struct eci_container *c;
	__u64 cgid;

	if (ret)
		return ret;
	if (id != LOADING_MODULE && id != LOADING_KEXEC_IMAGE)
		return 0;
	stats = eci_count_call(ECI_HOOK_KERNEL_LOAD_DATA);
	c = eci_current(&cgid);
	if (!c)
		return 0;
	return eci_trap(stats, c, cgid, ECI_HOOK_KERNEL_LOAD_DATA, ECI_CLASS_MODULE,
			e->arg[0] = id);
}
