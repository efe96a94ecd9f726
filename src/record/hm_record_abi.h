/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_record_abi.h - what hm-record's BPF program and its user-space side
 * agree on: the ring-buffer record, the read-only configuration, the
 * loss counters.  Compiled both by clang -target bpf and by the C compiler
 * of the user-space side, so it uses fixed-width kernel types only.
 *
 * Ownership: plain data; a record belongs to the ring buffer until the
 * consumer callback returns.
 */
#ifndef HM_RECORD_ABI_H
#define HM_RECORD_ABI_H

#include <linux/types.h>

/* struct hm_rec.kind: which probe fired */
enum hm_rec_kind {
	HM_REC_NONE,
	HM_REC_KMAP_HIGH,		/* kprobe kmap_high: arg = struct page * */
	HM_REC_KMAP_HIGH_RET,		/* kretprobe kmap_high: arg = address, ip = caller */
	HM_REC_KUNMAP_HIGH,		/* kprobe kunmap_high: arg = struct page * */
	HM_REC_KMAP_LOCAL,		/* kprobe __kmap_local_pfn_prot: arg = pfn */
	HM_REC_KMAP_LOCAL_RET,		/* kretprobe __kmap_local_pfn_prot: arg = address */
	HM_REC_KUNMAP_LOCAL,		/* kprobe kunmap_local_indexed: arg = address */
	HM_REC_FLUSH_UNUSED,		/* kprobe __kmap_flush_unused */
	HM_REC_FLUSH_ALL_ZERO,		/* kprobe flush_all_zero_pkmaps */
	HM_REC_SCHED_SWITCH,		/* pid -> other (next_pid); comm is prev_comm */
	HM_REC_TASK_EXIT,		/* sched_process_exit: pid, comm */
	HM_REC_FORK,			/* sched_process_fork: pid (parent) -> other (child) */
	HM_REC_MIGRATE,			/* sched_migrate_task: pid, cpu = orig_cpu, other = dest */
	HM_REC_IRQ_ENTER,		/* irq_handler_entry: arg = irq */
	HM_REC_IRQ_EXIT,		/* irq_handler_exit: arg = irq */
	HM_REC_SOFTIRQ_ENTER,		/* softirq_entry: arg = vector */
	HM_REC_SOFTIRQ_EXIT,		/* softirq_exit: arg = vector */
	HM_REC__COUNT
};

/* struct hm_rec.flags */
enum {
	HM_RECF_PC = 1 << 0,		/* pc holds the preempt count */
	HM_RECF_IRQS = 1 << 1,		/* HM_RECF_IRQS_OFF is meaningful */
	HM_RECF_IRQS_OFF = 1 << 2,	/* interrupts were disabled */
	HM_RECF_CTX = 1 << 3,		/* pc holds only the context bits, tracked from the
					 * interrupt tracepoints (no preempt count address) */
};

/* preempt_count layout (include/linux/preempt.h), as struct hm_rec.pc holds it */
#define HM_PC_PREEMPT_MASK	0x000000ffu
#define HM_PC_SOFTIRQ_OFFSET	0x00000100u	/* serving a softirq */
#define HM_PC_HARDIRQ_MASK	0x000f0000u
#define HM_PC_NMI_MASK		0x00f00000u
#define HM_PC_HARDIRQ_OFFSET	0x00010000u
#define HM_PC_NMI_OFFSET	0x00100000u

/**
 * struct hm_rec - one probe hit, as the BPF program writes it
 * @ts: bpf_ktime_get_ns() at the probe (CLOCK_MONOTONIC, ns)
 * @arg: the operand (see enum hm_rec_kind), zero-extended
 * @ip: returns: the caller the function returns to; else 0
 * @pid: the task (thread id; 0 is the idle task of @cpu)
 * @other: next_pid, the child's pid, or the destination CPU
 * @cpu: the CPU (for a migration: the CPU the task leaves)
 * @pc: the preempt count seen by the probe, the probe's own disable included
 *	(HM_RECF_PC), or only its hardirq/softirq bits (HM_RECF_CTX)
 * @kind: enum hm_rec_kind
 * @flags: HM_RECF_*
 * @comm: the task's name, NUL-padded (not always NUL-terminated)
 */
struct hm_rec {
	__u64 ts;
	__u64 arg;
	__u64 ip;
	__u32 pid;
	__u32 other;
	__u32 cpu;
	__u32 pc;
	__u16 kind;
	__u16 flags;
	__u32 pad;
	char comm[16];
};

/* probe groups, for struct hm_record_cfg.groups and --no-pkmap/--no-local */
enum {
	HM_GROUP_PKMAP = 1 << 0,	/* kmap_high, kunmap_high, flushes */
	HM_GROUP_LOCAL = 1 << 1,	/* __kmap_local_pfn_prot, kunmap_local_indexed */
	HM_GROUP_SCHED = 1 << 2,	/* tracepoints: switch, exit, fork, migrate */
	HM_GROUP_IRQ = 1 << 3,		/* tracepoints: hard and soft interrupts */
};

#define HM_CPU_ANY 0xffffffffu

/**
 * struct hm_record_cfg - the read-only configuration (the BPF object's .rodata)
 * @preempt_count: address of the per-CPU preempt count, 0 if unknown
 * @per_cpu_offset: address of __per_cpu_offset[], 0 on a kernel without it
 * @groups: HM_GROUP_* to record
 * @tgid: record only this process (thread group), 0 for all
 * @cpu: record only this CPU, HM_CPU_ANY for all
 * @has_comm: record only tasks named @comm
 * @comm: the name, NUL-padded
 */
struct hm_record_cfg {
	__u64 preempt_count;
	__u64 per_cpu_offset;
	__u32 groups;
	__u32 tgid;
	__u32 cpu;
	__u32 has_comm;
	char comm[16];
};

/* per-CPU interrupt state the interrupt tracepoints keep, for kernels whose
 * preempt count cannot be read (no data symbols in /proc/kallsyms) */
struct hm_cpu_ctx {
	__u32 hardirq;			/* irq_handler_entry minus irq_handler_exit */
	__u32 softirq;			/* inside softirq_entry .. softirq_exit */
};

/* slots of the per-CPU "lost" array: records the ring buffer had no room for */
enum {
	HM_LOST_RINGBUF,
	HM_LOST__COUNT
};

#endif /* HM_RECORD_ABI_H */
