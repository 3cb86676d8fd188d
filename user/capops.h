/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ECI_CAPOPS_H
#define ECI_CAPOPS_H

#include <stddef.h>

#include "../bpf/eci.h"

/* One entry of the capability allowlist: the capabilities a protected task
 * may use in a syscall, against the initial user namespace, and why the
 * resource is the container's. */
struct eci_capop_entry {
	long nr; /* libc's SYS_* */
	const char *syscall;
	unsigned long long caps; /* mask of 1ULL << CAP_* */
	unsigned int own; /* ECI_OWN_* */
	const char *why;
};

extern const struct eci_capop_entry eci_capops[];
extern const size_t eci_capops_len;

/* Fill the BPF side's table (rodata cap_ops[ECI_NR_MAX]); 0 or -ERANGE for a
 * number past it. */
int eci_capops_fill(struct eci_cap_op *ops, size_t n);

#endif
