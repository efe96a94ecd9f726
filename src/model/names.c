// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * names.c - the stable names of ops, contexts, diagnostics and TLB policies.
 * These strings are part of trace format v1 and of hm-lint's rule IDs:
 * never rename one.
 */
#include <string.h>

#include "hm_model.h"

static const char *const op_names[HM_OP__COUNT] = {
	[HM_OP_KMAP] = "kmap",
	[HM_OP_KUNMAP] = "kunmap",
	[HM_OP_KMAP_ATOMIC] = "kmap_atomic",
	[HM_OP_KUNMAP_ATOMIC] = "kunmap_atomic",
	[HM_OP_KMAP_LOCAL] = "kmap_local",
	[HM_OP_KUNMAP_LOCAL] = "kunmap_local",
	[HM_OP_KMAP_HIGH_GET] = "kmap_high_get",
	[HM_OP_KMAP_FLUSH_UNUSED] = "kmap_flush_unused",
	[HM_OP_FLUSH_ALL_ZERO] = "flush_all_zero",
	[HM_OP_SCHED_SWITCH] = "sched_switch",
	[HM_OP_IRQ_ENTER] = "irq_enter",
	[HM_OP_IRQ_EXIT] = "irq_exit",
	[HM_OP_TASK_EXIT] = "task_exit",
	[HM_OP_FORK] = "fork",
	[HM_OP_MIGRATE] = "migrate",
};

static const char *const ctx_names[HM_CTX__COUNT] = {
	[HM_CTX_TASK] = "task",
	[HM_CTX_SOFTIRQ] = "softirq",
	[HM_CTX_HARDIRQ] = "hardirq",
	[HM_CTX_NMI] = "nmi",
};

static const char *const diag_names[HM_DIAG__COUNT] = {
	[HM_DIAG_KUNMAP_NOT_MAPPED] = "kunmap-not-mapped",
	[HM_DIAG_PKMAP_COUNT_UNDERFLOW] = "pkmap-count-underflow",
	[HM_DIAG_KMAP_HIGH_GET_COUNT] = "kmap-high-get-count",
	[HM_DIAG_LOCAL_OUT_OF_ORDER] = "nesting-order",
	[HM_DIAG_LOCAL_NOT_MAPPED] = "unmap-not-mapped",
	[HM_DIAG_LOCAL_OVERFLOW] = "stack-overflow",
	[HM_DIAG_LOCAL_UNDERFLOW] = "stack-underflow",
	[HM_DIAG_LOCAL_BAD_ADDR] = "unmap-page-not-address",
	[HM_DIAG_LOCAL_FORCE_MAP_ADDR] = "force-map-unmap-outside",
	[HM_DIAG_HARDIRQ_IRQS_ON] = "hardirq-irqs-enabled",
	[HM_DIAG_IRQ_EXIT_HELD] = "irq-exit-held",
	[HM_DIAG_TASK_EXIT_HELD] = "task-exit-held",
	[HM_DIAG_FORK_HELD] = "fork-held",
	[HM_DIAG_SLEEP_IN_ATOMIC] = "sleep-in-atomic",
	[HM_DIAG_ATOMIC_ACROSS_SWITCH] = "atomic-across-switch",
	[HM_DIAG_ATOMIC_ACROSS_MIGRATE] = "local-across-migrate",
	[HM_DIAG_ADDR_MISMATCH] = "model-mismatch",
	[HM_DIAG_LOCAL_PTE_BUSY] = "local-pte-busy",
	[HM_DIAG_UNMAP_OUTSIDE_FIXMAP] = "unmap-outside-fixmap",
};

static const char *const tlb_names[HM_TLB__COUNT] = {
	[HM_TLB_X86] = "x86",
	[HM_TLB_ARM_VIPT] = "arm-vipt",
	[HM_TLB_ARM_VIVT] = "arm-vivt",
	[HM_TLB_MIPS] = "mips",
	[HM_TLB_POWERPC] = "powerpc",
	[HM_TLB_GENERIC] = "generic",
	[HM_TLB_XTENSA] = "xtensa",
};

static int lookup(const char *const *names, unsigned int n, const char *s, size_t len)
{
	for (unsigned int i = 0; i < n; i++)
		if (names[i] && strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

const char *hm_op_name(unsigned int op)
{
	return op < HM_OP__COUNT ? op_names[op] : "?";
}

int hm_op_from_name(const char *name, size_t len)
{
	return lookup(op_names, HM_OP__COUNT, name, len);
}

const char *hm_ctx_name(unsigned int ctx)
{
	return ctx < HM_CTX__COUNT ? ctx_names[ctx] : "?";
}

int hm_ctx_from_name(const char *name, size_t len)
{
	return lookup(ctx_names, HM_CTX__COUNT, name, len);
}

const char *hm_diag_name(unsigned int kind)
{
	return kind < HM_DIAG__COUNT ? diag_names[kind] : "?";
}

const char *hm_tlb_policy_name(unsigned int policy)
{
	return policy < HM_TLB__COUNT ? tlb_names[policy] : "?";
}

int hm_tlb_policy_from_name(const char *name)
{
	return lookup(tlb_names, HM_TLB__COUNT, name, strlen(name));
}
