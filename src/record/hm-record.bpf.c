// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hm-record.bpf.c - the kernel side of hm-record: kprobes and kretprobes on
 * the highmem mapper, tracepoints for scheduling, raw tracepoints for
 * interrupts, one record per hit into a BPF ring buffer.  Filters (process, name, CPU, probe
 * groups) come from the read-only struct hm_record_cfg and are applied here,
 * so filtered-out hits cost no ring-buffer space.
 *
 * Built per target architecture (clang -target bpf -D__TARGET_ARCH_x86 and
 * one of HM_BPF_I386 or HM_BPF_X86_64) in two variants:
 *  - fixed (default): struct pt_regs and the tracepoint records are laid out
 *    here as the architecture's kernel has them, so no BTF is needed; this is
 *    what Debian's i386 kernels (built without CONFIG_DEBUG_INFO_BTF) need;
 *  - HM_BPF_CORE: the same names with preserve_access_index, relocated by
 *    libbpf against the kernel's BTF (/sys/kernel/btf/vmlinux or --btf FILE).
 * Which register holds which argument is a property of the calling
 * convention and stays fixed in both: i386 passes the first arguments in
 * ax, dx, cx (-mregparm=3), x86-64 in di, si, dx.
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "hm_record_abi.h"

char LICENSE[] SEC("license") = "GPL";

#if defined(HM_BPF_I386)
typedef __u32 hm_ulong;
typedef __s32 hm_long;
#define HM_ADDR_MASK 0xffffffffull
#elif defined(HM_BPF_X86_64)
typedef __u64 hm_ulong;
typedef __s64 hm_long;
#define HM_ADDR_MASK 0xffffffffffffffffull
#else
#error "define HM_BPF_I386 or HM_BPF_X86_64"
#endif

#ifdef HM_BPF_CORE
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

/*
 * struct pt_regs: the registers a kprobe sees.  Fixed variant: the exact
 * layout of arch/x86/include/asm/ptrace.h; CO-RE variant: only the fields
 * used, placed by the kernel's BTF.
 */
#if defined(HM_BPF_CORE)
struct pt_regs {
	hm_ulong ax;
	hm_ulong di;
	hm_ulong ip;
	hm_ulong flags;
};
#elif defined(HM_BPF_I386)
struct pt_regs {
	__u32 bx, cx, dx, si, di, bp, ax;
	__u32 ds, es, fs, gs;		/* each a u16 and its padding */
	__u32 orig_ax, ip, cs, flags, sp, ss;
};
#else
struct pt_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	__u64 ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};
#endif

#if defined(HM_BPF_I386)
#define HM_ARG1(r) ((r)->ax)		/* -mregparm=3: ax, dx, cx */
#else
#define HM_ARG1(r) ((r)->di)		/* SysV: di, si, dx, cx */
#endif
#define HM_RETVAL(r) ((r)->ax)
#define HM_X86_EFLAGS_IF 0x200

/*
 * Tracepoint records (the "format" files under events/): the common header
 * (never read: see hm_tp_rec()), then the fields.  Only sched_switch differs
 * between i386 and x86-64: its prev_state is a long.
 */
struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_event_raw_sched_switch {
	struct trace_entry ent;
	char prev_comm[16];
	int prev_pid;
	int prev_prio;
	hm_long prev_state;
	char next_comm[16];
	int next_pid;
	int next_prio;
};

struct trace_event_raw_sched_process_template {
	struct trace_entry ent;
	char comm[16];
	int pid;
	int prio;
};

struct trace_event_raw_sched_process_fork {
	struct trace_entry ent;
	char parent_comm[16];
	int parent_pid;
	char child_comm[16];
	int child_pid;
};

struct trace_event_raw_sched_migrate_task {
	struct trace_entry ent;
	char comm[16];
	int pid;
	int prio;
	int orig_cpu;
	int dest_cpu;
};

#ifdef HM_BPF_CORE
#pragma clang attribute pop
/* newer kernels made some names __data_loc strings, or dropped them */
#define HM_HAS_FIELD(f) bpf_core_field_exists(f)
#else
#define HM_HAS_FIELD(f) 1
#endif

const volatile struct hm_record_cfg cfg = {
	.groups = HM_GROUP_PKMAP | HM_GROUP_LOCAL | HM_GROUP_SCHED | HM_GROUP_IRQ,
	.cpu = HM_CPU_ANY,
};

/*
 * Set by user space once every program is attached, cleared before any is
 * detached: all probes start and stop recording at one instant, as
 * tracing_on does for ftrace, so that no call is seen by its entry probe
 * but not by its return or unmap probe for want of being attached yet.
 */
volatile __u32 hm_on;

/* user space sets the size before loading (--buffer-kb) */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HM_LOST__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hm_cpu_ctx);
} cpu_ctx SEC(".maps");

static __always_inline bool hm_comm_eq(const char *a, const volatile char *b)
{
#pragma unroll
	for (int i = 0; i < 16; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			return true;
	}
	return true;
}

/* The current task passes the process and name filters. */
static __always_inline bool hm_task_ok(__u32 tgid, const char *comm)
{
	if (cfg.tgid && tgid != cfg.tgid)
		return false;
	if (cfg.has_comm && !hm_comm_eq(comm, cfg.comm))
		return false;
	return true;
}

static __always_inline bool hm_cpu_ok(__u32 cpu)
{
	return cfg.cpu == HM_CPU_ANY || cpu == cfg.cpu;
}

static __always_inline void hm_count_lost(void)
{
	__u32 key = HM_LOST_RINGBUF;
	__u64 *n = bpf_map_lookup_elem(&lost, &key);

	/* per CPU; only an interrupt's raw tracepoint can run inside another
	 * program here, and a count it races with is one count at worst */
	if (n)
		*n += 1;
}

static __always_inline struct hm_rec *hm_rec_reserve(void)
{
	struct hm_rec *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);

	if (!r)
		hm_count_lost();
	return r;
}

/*
 * Wake the reader only when the buffer is a quarter full: a wake-up is an
 * irq_work, a self-IPI on x86, whose exit may run softirqs while this
 * program still holds bpf_prog_active, which would hide their tracepoints
 * from us.  The reader polls on a timer besides.
 */
static __always_inline void hm_rec_submit(struct hm_rec *r)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);

	bpf_ringbuf_submit(r, avail >= size / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/*
 * The preempt count of this CPU: a per-CPU variable on x86
 * (__preempt_count), found as its address plus __per_cpu_offset[cpu].
 */
static __always_inline bool hm_read_pc(__u32 cpu, __u32 *pc)
{
	__u64 addr = cfg.preempt_count;
	hm_ulong off = 0;

	if (!addr)
		return false;
	if (cfg.per_cpu_offset) {
		if (bpf_probe_read_kernel(&off, sizeof(off),
					  (const void *)(long)(cfg.per_cpu_offset +
							       (__u64)cpu * sizeof(off))))
			return false;
		addr = (addr + off) & HM_ADDR_MASK;	/* wraps like the kernel's pointers */
	}
	return bpf_probe_read_kernel(pc, sizeof(*pc), (const void *)(long)addr) == 0;
}

/* The preempt count, or failing that the context the interrupt tracepoints saw. */
static __always_inline void hm_rec_ctx(struct hm_rec *r, __u32 cpu)
{
	__u32 key = 0;
	struct hm_cpu_ctx *c;

	r->pc = 0;
	if (hm_read_pc(cpu, &r->pc)) {
		r->flags |= HM_RECF_PC;
		return;
	}
	c = bpf_map_lookup_elem(&cpu_ctx, &key);
	if (!c)
		return;
	r->flags |= HM_RECF_CTX;
	if (c->hardirq)
		r->pc |= HM_PC_HARDIRQ_OFFSET;
	if (c->softirq)
		r->pc |= HM_PC_SOFTIRQ_OFFSET;
}

/* A kprobe or kretprobe hit of @kind in the current task, operand @arg. */
static __always_inline int hm_kprobe(struct pt_regs *regs, __u16 kind, __u32 group, __u64 arg,
				     __u64 ip)
{
	__u64 ts = bpf_ktime_get_ns();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 cpu = bpf_get_smp_processor_id();
	char comm[16];
	struct hm_rec *r;

	if (!hm_on || !(cfg.groups & group) || !hm_cpu_ok(cpu))
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	if (!hm_task_ok(id >> 32, comm))
		return 0;
	r = hm_rec_reserve();
	if (!r)
		return 0;
	r->ts = ts;
	r->arg = arg & HM_ADDR_MASK;
	r->ip = ip & HM_ADDR_MASK;
	r->pid = (__u32)id;
	r->other = 0;
	r->cpu = cpu;
	r->kind = kind;
	r->flags = HM_RECF_IRQS;
	if (!(regs->flags & HM_X86_EFLAGS_IF))
		r->flags |= HM_RECF_IRQS_OFF;
	hm_rec_ctx(r, cpu);
	r->pad = 0;
	__builtin_memcpy(r->comm, comm, sizeof(comm));
	hm_rec_submit(r);
	return 0;
}

SEC("kprobe/kmap_high")
int hm_kmap_high(struct pt_regs *regs)
{
	return hm_kprobe(regs, HM_REC_KMAP_HIGH, HM_GROUP_PKMAP, HM_ARG1(regs), 0);
}

/* in a kretprobe the kernel has put the caller's address into regs->ip */
SEC("kretprobe/kmap_high")
int hm_kmap_high_ret(struct pt_regs *regs)
{
	return hm_kprobe(regs, HM_REC_KMAP_HIGH_RET, HM_GROUP_PKMAP, HM_RETVAL(regs), regs->ip);
}

SEC("kprobe/kunmap_high")
int hm_kunmap_high(struct pt_regs *regs)
{
	return hm_kprobe(regs, HM_REC_KUNMAP_HIGH, HM_GROUP_PKMAP, HM_ARG1(regs), 0);
}

SEC("kprobe/__kmap_local_pfn_prot")
int hm_kmap_local(struct pt_regs *regs)
{
	return hm_kprobe(regs, HM_REC_KMAP_LOCAL, HM_GROUP_LOCAL, HM_ARG1(regs), 0);
}

SEC("kretprobe/__kmap_local_pfn_prot")
int hm_kmap_local_ret(struct pt_regs *regs)
{
	return hm_kprobe(regs, HM_REC_KMAP_LOCAL_RET, HM_GROUP_LOCAL, HM_RETVAL(regs), regs->ip);
}

SEC("kprobe/kunmap_local_indexed")
int hm_kunmap_local(struct pt_regs *regs)
{
	return hm_kprobe(regs, HM_REC_KUNMAP_LOCAL, HM_GROUP_LOCAL, HM_ARG1(regs), 0);
}

SEC("kprobe/__kmap_flush_unused")
int hm_kmap_flush_unused(struct pt_regs *regs)
{
	return hm_kprobe(regs, HM_REC_FLUSH_UNUSED, HM_GROUP_PKMAP, 0, 0);
}

SEC("kprobe/flush_all_zero_pkmaps")
int hm_flush_all_zero(struct pt_regs *regs)
{
	return hm_kprobe(regs, HM_REC_FLUSH_ALL_ZERO, HM_GROUP_PKMAP, 0, 0);
}

/*
 * A tracepoint hit.  perf overwrites the record's common header with a
 * pointer to its registers before a BPF program runs (and those registers
 * carry no interrupt flag), so the preempt count is read as a kprobe reads
 * it, and whether interrupts are off is what the kernel guarantees at that
 * tracepoint (@irqs_off: 1 off, 0 on, -1 not known).
 */
static __always_inline struct hm_rec *hm_tp_rec(__u16 kind, __u32 cpu, int irqs_off)
{
	struct hm_rec *r = hm_rec_reserve();

	if (!r)
		return NULL;
	r->ts = bpf_ktime_get_ns();
	r->kind = kind;
	r->cpu = cpu;
	r->arg = 0;
	r->ip = 0;
	r->other = 0;
	r->pad = 0;
	r->flags = 0;
	if (irqs_off >= 0)
		r->flags |= HM_RECF_IRQS | (irqs_off ? HM_RECF_IRQS_OFF : 0);
	hm_rec_ctx(r, bpf_get_smp_processor_id());
	return r;
}

SEC("tracepoint/sched/sched_switch")
int hm_sched_switch(struct trace_event_raw_sched_switch *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 cpu = bpf_get_smp_processor_id();
	char prev[16], next[16];
	struct hm_rec *r;

	if (!hm_on || !(cfg.groups & HM_GROUP_SCHED) || !hm_cpu_ok(cpu))
		return 0;
	/* the task switched from is the current one */
	bpf_get_current_comm(prev, sizeof(prev));
	if (cfg.tgid || cfg.has_comm) {
		/* from or to the task; the next task's process is not known here */
		__builtin_memset(next, 0, sizeof(next));
		if (HM_HAS_FIELD(ctx->next_comm))
			bpf_probe_read_kernel(next, sizeof(next), ctx->next_comm);
		if (!hm_task_ok(id >> 32, prev) &&
		    !((!cfg.tgid || (__u32)ctx->next_pid == cfg.tgid) &&
		      (!cfg.has_comm || hm_comm_eq(next, cfg.comm))))
			return 0;
	}
	r = hm_tp_rec(HM_REC_SCHED_SWITCH, cpu, 1);	/* __schedule(): rq lock, irqs off */
	if (!r)
		return 0;
	r->pid = ctx->prev_pid;
	r->other = ctx->next_pid;
	__builtin_memcpy(r->comm, prev, sizeof(prev));
	hm_rec_submit(r);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int hm_sched_exit(struct trace_event_raw_sched_process_template *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 cpu = bpf_get_smp_processor_id();
	char comm[16];
	struct hm_rec *r;

	if (!hm_on || !(cfg.groups & HM_GROUP_SCHED) || !hm_cpu_ok(cpu))
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));	/* the exiting task is current */
	if (!hm_task_ok(id >> 32, comm))
		return 0;
	r = hm_tp_rec(HM_REC_TASK_EXIT, cpu, 0);	/* do_exit() */
	if (!r)
		return 0;
	r->pid = ctx->pid;
	__builtin_memcpy(r->comm, comm, sizeof(comm));
	hm_rec_submit(r);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int hm_sched_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 cpu = bpf_get_smp_processor_id();
	char comm[16];
	struct hm_rec *r;

	if (!hm_on || !(cfg.groups & HM_GROUP_SCHED) || !hm_cpu_ok(cpu))
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));	/* the parent is current */
	if (!hm_task_ok(id >> 32, comm))
		return 0;
	r = hm_tp_rec(HM_REC_FORK, cpu, 0);	/* kernel_clone() */
	if (!r)
		return 0;
	r->pid = ctx->parent_pid;
	r->other = ctx->child_pid;
	__builtin_memcpy(r->comm, comm, sizeof(comm));
	hm_rec_submit(r);
	return 0;
}

SEC("tracepoint/sched/sched_migrate_task")
int hm_sched_migrate(struct trace_event_raw_sched_migrate_task *ctx)
{
	__u32 orig = ctx->orig_cpu, dest = ctx->dest_cpu;
	char comm[16];
	struct hm_rec *r;

	if (!hm_on || !(cfg.groups & HM_GROUP_SCHED))
		return 0;
	if (cfg.cpu != HM_CPU_ANY && orig != cfg.cpu && dest != cfg.cpu)
		return 0;
	__builtin_memset(comm, 0, sizeof(comm));
	if (HM_HAS_FIELD(ctx->comm))
		bpf_probe_read_kernel(comm, sizeof(comm), ctx->comm);
	/* the task that moves is usually not the current one: match it by thread id */
	if (cfg.tgid && (__u32)ctx->pid != cfg.tgid)
		return 0;
	if (cfg.has_comm && !hm_comm_eq(comm, cfg.comm))
		return 0;
	r = hm_tp_rec(HM_REC_MIGRATE, orig, -1);	/* set_task_cpu(): callers vary */
	if (!r)
		return 0;
	r->pid = ctx->pid;
	r->other = dest;
	__builtin_memcpy(r->comm, comm, sizeof(comm));
	hm_rec_submit(r);
	return 0;
}

/*
 * Interrupts, through raw tracepoints: a perf tracepoint is skipped while
 * another BPF program runs on the CPU (bpf_prog_active), and an interrupt
 * that arrives during a kprobe's program would vanish; raw tracepoints have
 * no such check in Linux 6.1.  The current task is the interrupted one.
 */
static __always_inline void hm_irq_emit(__u16 kind, __u64 arg, int irqs_off)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 cpu = bpf_get_smp_processor_id();
	char comm[16];
	struct hm_rec *r;

	if (!hm_on || !(cfg.groups & HM_GROUP_IRQ) || !hm_cpu_ok(cpu))
		return;
	bpf_get_current_comm(comm, sizeof(comm));
	if (!hm_task_ok(id >> 32, comm))
		return;
	/* the Linux 6.1 verifier wants the NULL check right after the reservation */
	r = hm_tp_rec(kind, cpu, irqs_off);
	if (!r)
		return;
	r->pid = (__u32)id;
	r->arg = arg;
	__builtin_memcpy(r->comm, comm, sizeof(comm));
	hm_rec_submit(r);
}

static __always_inline int hm_irq(__u16 kind, __u64 arg, int irqs_off)
{
	__u32 key = 0;
	struct hm_cpu_ctx *c = bpf_map_lookup_elem(&cpu_ctx, &key);

	/* an entry's record says it is inside, an exit's too: count around them */
	if (c && kind == HM_REC_IRQ_ENTER)
		c->hardirq++;
	else if (c && kind == HM_REC_SOFTIRQ_ENTER)
		c->softirq = 1;
	hm_irq_emit(kind, arg, irqs_off);
	if (c && kind == HM_REC_IRQ_EXIT && c->hardirq)
		c->hardirq--;
	else if (c && kind == HM_REC_SOFTIRQ_EXIT)
		c->softirq = 0;
	return 0;
}

/* irq_handler_entry(int irq, struct irqaction *action): handlers run with irqs off */
SEC("raw_tp/irq_handler_entry")
int hm_irq_entry(struct bpf_raw_tracepoint_args *ctx)
{
	return hm_irq(HM_REC_IRQ_ENTER, (__u32)ctx->args[0], 1);
}

/* irq_handler_exit(int irq, struct irqaction *action, int ret) */
SEC("raw_tp/irq_handler_exit")
int hm_irq_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return hm_irq(HM_REC_IRQ_EXIT, (__u32)ctx->args[0], 1);
}

/* softirq_entry(unsigned int vec_nr): __do_softirq() enabled irqs before */
SEC("raw_tp/softirq_entry")
int hm_softirq_entry(struct bpf_raw_tracepoint_args *ctx)
{
	return hm_irq(HM_REC_SOFTIRQ_ENTER, (__u32)ctx->args[0], 0);
}

SEC("raw_tp/softirq_exit")
int hm_softirq_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return hm_irq(HM_REC_SOFTIRQ_EXIT, (__u32)ctx->args[0], 0);
}
