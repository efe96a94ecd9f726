/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_model.h - the 32-bit highmem mapper as a pure library.
 *
 * Ownership: the caller owns every struct it passes in and every struct the
 * model fills in; hm_model_new() returns a model only hm_model_free() releases,
 * and a profile handed to hm_model_new() is copied, never kept.
 *
 * The model does no I/O, keeps no global mutable state and allocates nothing
 * per event once its tables have grown to the trace's working set.  Time comes
 * only from the events it is given.
 */
#ifndef HM_MODEL_H
#define HM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An absent 64-bit operand (pfn, page, vaddr, ret_ts). */
#define HM_NONE UINT64_MAX
/* An absent pid (next_pid of a non-switch event). */
#define HM_PID_NONE INT32_MIN

enum hm_op {
	HM_OP_KMAP,		/* kmap() -> kmap_high() for highmem pages */
	HM_OP_KUNMAP,		/* kunmap() -> kunmap_high() */
	HM_OP_KMAP_ATOMIC,	/* kmap_atomic() */
	HM_OP_KUNMAP_ATOMIC,	/* kunmap_atomic() */
	HM_OP_KMAP_LOCAL,	/* kmap_local_page() / __kmap_local_pfn_prot() */
	HM_OP_KUNMAP_LOCAL,	/* kunmap_local() / kunmap_local_indexed() */
	HM_OP_KMAP_HIGH_GET,	/* kmap_high_get() (ARM with VIVT caches) */
	HM_OP_KMAP_FLUSH_UNUSED,/* kmap_flush_unused() */
	HM_OP_FLUSH_ALL_ZERO,	/* observed flush_all_zero_pkmaps() call: a check, not an action */
	HM_OP_SCHED_SWITCH,	/* pid -> next_pid on cpu */
	HM_OP_IRQ_ENTER,	/* ctx says which kind */
	HM_OP_IRQ_EXIT,
	HM_OP_TASK_EXIT,
	HM_OP_FORK,		/* pid forks next_pid */
	HM_OP_MIGRATE,		/* pid moves to dest_cpu */
	HM_OP__COUNT
};

enum hm_ctx {
	HM_CTX_TASK,
	HM_CTX_SOFTIRQ,
	HM_CTX_HARDIRQ,
	HM_CTX_NMI,
	HM_CTX__COUNT
};

/* hm_event.flags: what the capture knew about the context (ftrace's flag column). */
enum {
	HM_EVF_IRQS_OFF = 1u << 0,	/* interrupts disabled */
	HM_EVF_PREEMPT_OFF = 1u << 1,	/* preempt count > 0 outside the probe's own */
	HM_EVF_CTX_KNOWN = 1u << 2,	/* irqs/preempt flags above are meaningful */
	HM_EVF_LOCK_LATE = 1u << 3,	/* took kmap_lock after calls that started later (set by
					 * the lock-order stage): it waited outside the lock */
};

/**
 * struct hm_event - one traced call, as every reader delivers it
 *
 * Strings (comm, site) are ids in the reader's string table; 0 means none.
 * Absent 64-bit operands are HM_NONE.
 */
struct hm_event {
	uint64_t ts;		/* entry time, ns */
	uint64_t ret_ts;	/* return time, ns, or HM_NONE */
	uint64_t pfn;		/* page frame number, or HM_NONE */
	uint64_t page;		/* opaque page identity (struct page *), or HM_NONE */
	uint64_t vaddr;		/* observed address (map: returned; unmap: passed), or HM_NONE */
	uint64_t index;		/* event number in the trace, from 0 */
	uint64_t line;		/* source line, for diagnostics; 0 if none */
	int32_t pid;
	int32_t next_pid;	/* sched_switch, fork; else HM_PID_NONE */
	uint32_t cpu;
	uint32_t dest_cpu;	/* migrate */
	uint32_t comm;		/* string id */
	uint32_t site;		/* string id: caller, "func+0xoff" */
	uint16_t op;		/* enum hm_op */
	uint8_t ctx;		/* enum hm_ctx */
	uint8_t flags;		/* HM_EVF_* */
};

enum hm_tlb_policy {
	HM_TLB_X86,		/* invlpg on local unmap; pool flush is a full flush + IPIs */
	HM_TLB_ARM_VIPT,	/* flush on map and unmap, ranged pool flush broadcast */
	HM_TLB_ARM_VIVT,	/* as VIPT plus a cache flush before every unmap */
	HM_TLB_MIPS,		/* kmap() flushes the returned address on every CPU */
	HM_TLB_POWERPC,		/* local flush on unmap, ranged pool flush */
	HM_TLB_GENERIC,		/* local flush on unmap, ranged pool flush */
	HM_TLB_XTENSA,		/* local flush on unmap; pool flush: full cache + TLB flush */
	HM_TLB__COUNT
};

/**
 * struct hm_costs - modelled cost of each primitive, in ns
 *
 * Where a trace has no ret_ts these give latencies; kmap_lock hold times come
 * from here too.  The source of each figure is noted in profile.c.
 */
struct hm_costs {
	uint32_t lock;		/* kmap_lock acquire + release, uncontended */
	uint32_t pkmap_map;	/* set_pte + bookkeeping of a new pkmap slot */
	uint32_t pkmap_scan;	/* per slot examined by map_new_virtual() */
	uint32_t pkmap_unmap;	/* kunmap_high() body */
	uint32_t pool_flush;	/* flush_all_zero_pkmaps() walk, per slot */
	uint32_t local_map;	/* __kmap_local_pfn_prot() */
	uint32_t local_unmap;	/* kunmap_local_indexed() */
	uint32_t tlb_one;	/* single-page local flush */
	uint32_t tlb_full;	/* full local flush */
	uint32_t ipi;		/* per target CPU of a remote flush */
	uint32_t wakeup;	/* wake_up() of the pkmap wait queue */
	uint32_t cache_flush;	/* VIVT cache flush of one page */
};

/**
 * struct hm_profile - an architecture/configuration, as plain data
 *
 * Constants the kernel fixes at build time (LAST_PKMAP, NR_CPUS, the fixmap
 * layout) and what the running system adds (online CPUs, where highmem starts).
 */
struct hm_profile {
	char name[32];
	char description[96];
	uint64_t page_offset;		/* PAGE_OFFSET */
	uint64_t pkmap_base;		/* PKMAP_BASE */
	uint64_t fixaddr_top;		/* FIXADDR_TOP */
	uint64_t highmem_start_pfn;	/* first highmem pfn; HM_NONE if unknown */
	uint32_t page_shift;
	uint32_t last_pkmap;		/* LAST_PKMAP */
	uint32_t fix_kmap_begin;	/* enum fixed_addresses index of FIX_KMAP_BEGIN */
	uint32_t nr_cpus_max;		/* NR_CPUS: sizes the kmap fixmap */
	uint32_t nr_cpus;		/* CPUs online in the replay */
	uint32_t nr_colors;		/* pkmap cache colours; 1 without aliasing */
	uint32_t tlb_single_page_ceiling; /* pages above which a range flush is a full flush */
	uint8_t tlb_policy;		/* enum hm_tlb_policy */
	bool debug_kmap_local;		/* CONFIG_DEBUG_KMAP_LOCAL: KM_MAX_IDX 33, KM_INCR 2 */
	bool force_map;			/* CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP */
	bool has_kmap_high_get;		/* ARCH_NEEDS_KMAP_HIGH_GET */
	bool kmap_pte_nonlinear;	/* KMAP_LOCAL_NON_LINEAR_PTE_ARRAY (ARM): PTE found by address */
	struct hm_costs costs;
};

/* KM_MAX_IDX of include/asm-generic/kmap_size.h for a profile. */
static inline uint32_t hm_profile_km_max_idx(const struct hm_profile *p)
{
	return p->debug_kmap_local ? 33 : 16;
}

/* KM_INCR of mm/highmem.c for a profile. */
static inline uint32_t hm_profile_km_incr(const struct hm_profile *p)
{
	return p->debug_kmap_local ? 2 : 1;
}

/**
 * hm_profile_count() - number of built-in profiles
 */
unsigned int hm_profile_count(void);

/**
 * hm_profile_get() - built-in profile by position
 * @i: 0 .. hm_profile_count() - 1
 *
 * Return: the profile, or NULL when @i is out of range.
 */
const struct hm_profile *hm_profile_get(unsigned int i);

/**
 * hm_profile_find() - built-in profile by name
 * @name: e.g. "x86-32-pae"
 *
 * Return: the profile, or NULL when there is none of that name.
 */
const struct hm_profile *hm_profile_find(const char *name);

/**
 * hm_profile_check() - validate a (possibly overridden) profile
 * @p: the profile
 * @why: set to a static description of the first problem found
 *
 * Return: 0 if the model can run it, -EINVAL otherwise.
 */
int hm_profile_check(const struct hm_profile *p, const char **why);

/* Kernel reactions, for diagnostics: what the real kernel would have done. */
enum hm_kernel_reaction {
	HM_KERNEL_NOTHING,	/* silent: only we notice */
	HM_KERNEL_WARN,		/* WARN_ON */
	HM_KERNEL_WARN_ONCE,	/* WARN_ON_ONCE: only the first one per boot prints */
	HM_KERNEL_BUG,		/* BUG_ON: the kernel would have stopped here */
	HM_KERNEL_WARNED_BEFORE,/* a WARN_ON_ONCE that already fired: silent this time */
	HM_KERNEL_DEBUG_ONLY,	/* reported only with a debug option (DEBUG_ATOMIC_SLEEP) */
};

/*
 * Diagnostic kinds.  Each names the kernel check it mirrors; hm-lint's rule IDs
 * map onto these.
 */
enum hm_diag_kind {
	HM_DIAG_KUNMAP_NOT_MAPPED,	/* kunmap_high(): BUG_ON(!vaddr) */
	HM_DIAG_PKMAP_COUNT_UNDERFLOW,	/* kunmap_high(): count dropped to 0, BUG() */
	HM_DIAG_KMAP_HIGH_GET_COUNT,	/* kmap_high_get(): BUG_ON(count < 1) */
	HM_DIAG_LOCAL_OUT_OF_ORDER,	/* kunmap_local_indexed(): addr != top's address */
	HM_DIAG_LOCAL_NOT_MAPPED,	/* unmap of a fixmap address no mapping of this task holds */
	HM_DIAG_LOCAL_OVERFLOW,		/* kmap_local_idx_push(): idx >= KM_MAX_IDX, BUG */
	HM_DIAG_LOCAL_UNDERFLOW,	/* kmap_local_idx_pop(): idx < 0, BUG */
	HM_DIAG_LOCAL_BAD_ADDR,		/* unmap of an address below PAGE_OFFSET: a page passed */
	HM_DIAG_LOCAL_FORCE_MAP_ADDR,	/* FORCE_MAP: unmap outside the kmap fixmap */
	HM_DIAG_HARDIRQ_IRQS_ON,	/* kmap_local_idx_push(): in hardirq with irqs on */
	HM_DIAG_IRQ_EXIT_HELD,		/* an interrupt returned with mappings it made */
	HM_DIAG_TASK_EXIT_HELD,		/* a task exited holding local mappings */
	HM_DIAG_FORK_HELD,		/* kmap_local_fork(): child inherited a stack */
	HM_DIAG_SLEEP_IN_ATOMIC,	/* kmap()/kunmap() may sleep: called in atomic context
					 * (might_sleep() prints only with DEBUG_ATOMIC_SLEEP) */
	HM_DIAG_ATOMIC_ACROSS_SWITCH,	/* context switch inside a kmap_atomic section */
	HM_DIAG_ATOMIC_ACROSS_MIGRATE,	/* migration with local mappings held */
	HM_DIAG_ADDR_MISMATCH,		/* the kernel's address differs from the model's */
	HM_DIAG_LOCAL_PTE_BUSY,		/* __kmap_local_pfn_prot(): BUG_ON(!pte_none()) */
	HM_DIAG_UNMAP_OUTSIDE_FIXMAP,	/* kunmap_local() of a pkmap or above-direct-map address:
					 * kunmap_local_indexed() ignores it without a word */
	HM_DIAG__COUNT
};

/**
 * struct hm_diag - one problem found in the data
 * @kind: enum hm_diag_kind
 * @reaction: enum hm_kernel_reaction
 * @addr: the address concerned (the one passed in, or handed out)
 * @other_addr: the other side: e.g. the top of stack an out-of-order unmap tore down
 * @other_ts: when @other_addr was mapped
 * @other_site: who mapped @other_addr (string id)
 * @other_index: event index that mapped @other_addr, or HM_NONE
 * @depth: stack depth at the time
 */
struct hm_diag {
	uint64_t addr;
	uint64_t other_addr;
	uint64_t other_ts;
	uint64_t other_index;
	uint32_t other_site;
	uint32_t depth;
	uint8_t kind;
	uint8_t reaction;
};

/* hm_outcome.flags */
enum {
	HM_OUT_MAPPED = 1u << 0,	/* a mapping was handed out (vaddr/slot valid) */
	HM_OUT_UNMAPPED = 1u << 1,	/* a mapping was released */
	HM_OUT_LOWMEM = 1u << 2,	/* lowmem page: direct-map address, nothing else */
	HM_OUT_REUSED = 1u << 3,	/* kmap of a page that already had a pkmap address */
	HM_OUT_WRAP = 1u << 4,		/* the slot search wrapped and flushed the pool */
	HM_OUT_WAIT = 1u << 5,		/* the caller went to sleep on the pkmap wait queue */
	HM_OUT_WOKE = 1u << 6,		/* this unmap woke sleepers */
	HM_OUT_CHECKED = 1u << 7,	/* an observed vaddr was compared */
	HM_OUT_MISMATCH = 1u << 8,	/* ... and differed */
	HM_OUT_SYNCED = 1u << 9,	/* state adopted from the trace (mid-flight), unchecked */
	HM_OUT_PREDATES = 1u << 10,	/* unmap of a mapping made before the trace began */
	HM_OUT_FLUSHED = 1u << 11,	/* flush_all_zero_pkmaps() ran (wrap or flush_unused) */
	HM_OUT_IGNORED = 1u << 12,	/* the kernel does nothing for this call */
	HM_OUT_COMPLETED = 1u << 13,	/* completion of an earlier kmap that slept */
};

#define HM_OUTCOME_MAX_DIAGS 4

/**
 * struct hm_outcome - what the kernel did for one event
 *
 * For HM_OP_KMAP the slot is the pkmap slot; for local maps it is the fixmap
 * index (depth - 1 + KM_MAX_IDX * cpu) and @depth the stack depth after it.
 */
struct hm_outcome {
	uint64_t ts;		/* when it happened: the event's ts; a completion's wake-up time */
	uint64_t wait_ns;	/* completions: time asleep on the pkmap wait queue */
	uint64_t vaddr;		/* address handed out or released, or HM_NONE */
	uint64_t page;		/* page key the model used (pfn, or page | 1<<63) */
	uint64_t index;		/* event index this outcome belongs to */
	uint64_t cost_ns;	/* modelled time spent in the call, excluding sleep */
	uint64_t spin_ns;	/* time spent spinning for kmap_lock */
	uint64_t map_ts;	/* unmaps: when the released mapping was made, or HM_NONE */
	uint64_t map_index;	/* unmaps: event that made it, or HM_NONE */
	uint32_t map_site;	/* unmaps: who made it (string id) */
	int32_t pid;		/* the task concerned (a completion's sleeper) */
	uint32_t cpu;
	int32_t slot;		/* pkmap slot or fixmap index; -1 if none */
	uint32_t depth;		/* local stack depth after the event */
	uint32_t pool_in_use;	/* pkmap slots with count > 1 after the event */
	uint32_t pool_dirty;	/* pkmap slots with count == 1 after the event */
	uint32_t waiters;	/* tasks on the pkmap wait queues after the event */
	uint32_t flags;		/* HM_OUT_* */
	uint32_t reclaimed;	/* slots a flush returned to the pool */
	uint32_t tlb_local;	/* single-page local flushes */
	uint32_t tlb_range;	/* ranged flushes */
	uint32_t tlb_full;	/* full flushes, all CPUs counted */
	uint32_t ipis;		/* IPIs sent */
	uint32_t nr_diags;
	struct hm_diag diags[HM_OUTCOME_MAX_DIAGS];
};

/**
 * struct hm_model_stats - running totals, readable at any time
 */
struct hm_model_stats {
	uint64_t events;
	uint64_t wraps;			/* flushes from map_new_virtual() */
	uint64_t flushes;		/* all flush_all_zero_pkmaps() runs */
	uint64_t flush_unused;		/* kmap_flush_unused() calls */
	uint64_t observed_flushes;	/* HM_OP_FLUSH_ALL_ZERO events seen */
	uint64_t sleeps;
	uint64_t wakeups;
	uint64_t futile_wakeups;	/* woken, rescanned, found the pool still full */
	uint64_t checked;		/* observed addresses compared */
	uint64_t mismatched;
	uint64_t synced;		/* addresses adopted from the trace, unchecked */
	uint64_t predates;		/* unmaps of mappings made before the trace */
	uint64_t first_mismatch_index;	/* HM_NONE if none */
	uint64_t first_mismatch_expected;
	uint64_t first_mismatch_observed;
	uint64_t tlb_local, tlb_range, tlb_full, ipis, cache_flushes;
	uint64_t spin_ns;
	uint32_t peak_in_use;
	uint32_t max_depth;
	uint64_t diags[HM_DIAG__COUNT];
};

struct hm_model;

/**
 * hm_model_new() - create a model of a freshly booted kernel
 * @profile: the configuration; copied
 *
 * Return: the model, or NULL with errno set (EINVAL for a bad profile,
 * ENOMEM).
 */
struct hm_model *hm_model_new(const struct hm_profile *profile);

/**
 * hm_model_clone_pool() - copy of a model's pkmap pool, for trying an order out
 * @model: the model
 *
 * The copy has the pool (counts, page addresses, search positions, waiters,
 * the kmap_lock) and nothing else: no tasks, no history of pages seen, zeroed
 * statistics.  Its kmap()/kunmap() outcomes are the ones @model would give
 * for the same events.
 *
 * Return: the copy (free with hm_model_free()), or NULL with errno set.
 */
struct hm_model *hm_model_clone_pool(const struct hm_model *model);

/**
 * hm_model_free() - release a model
 * @model: the model, or NULL
 */
void hm_model_free(struct hm_model *model);

/**
 * hm_model_profile() - the profile a model runs
 * @model: the model
 */
const struct hm_profile *hm_model_profile(const struct hm_model *model);

/**
 * hm_model_apply() - feed one event
 * @model: the model
 * @ev: the event; events must come in trace order
 * @out: filled with what the kernel did
 *
 * A kmap that has to sleep for a free slot reports HM_OUT_WAIT; it completes
 * later, during the unmap that wakes it, and that completion is read with
 * hm_model_next_completion().
 *
 * Return: 0, or -ENOMEM when a table could not grow (the event is dropped).
 */
int hm_model_apply(struct hm_model *model, const struct hm_event *ev, struct hm_outcome *out);

/**
 * hm_model_predict_kmap() - the address a kmap() would get now, changing nothing
 * @model: the model
 * @ev: a HM_OP_KMAP event
 *
 * Return: the address, or HM_NONE if the call would sleep for a free slot.
 */
uint64_t hm_model_predict_kmap(const struct hm_model *model, const struct hm_event *ev);

/**
 * hm_model_next_completion() - take the next deferred kmap completion
 * @model: the model
 * @out: filled with the completion (flags include HM_OUT_COMPLETED)
 *
 * Return: true if one was taken, false when none are pending.
 */
bool hm_model_next_completion(struct hm_model *model, struct hm_outcome *out);

/**
 * hm_model_stats() - the running totals
 * @model: the model
 */
const struct hm_model_stats *hm_model_stats(const struct hm_model *model);

/**
 * struct hm_held - a mapping still held, for leak reports
 */
struct hm_held {
	uint64_t vaddr;
	uint64_t page;
	uint64_t ts;
	uint64_t index;		/* event that took it, HM_NONE if before the trace */
	int32_t pid;		/* local: the owning task; pkmap: the last mapper */
	uint32_t site;
	uint32_t count;		/* pkmap users (count - 1); local: stack depth */
	uint8_t local;		/* 1: local stack entry, 0: pkmap slot */
};

/**
 * hm_model_for_each_held() - visit every mapping still held
 * @model: the model
 * @fn: called for each; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Return: the first non-zero value @fn returned, or 0.
 */
int hm_model_for_each_held(const struct hm_model *model,
			   int (*fn)(const struct hm_held *held, void *arg), void *arg);

/**
 * struct hm_tlb_counts - TLB and cache maintenance done on one CPU
 */
struct hm_tlb_counts {
	uint64_t local;		/* single-page flushes */
	uint64_t range;		/* ranged flushes */
	uint64_t full;		/* full flushes */
	uint64_t ipis_sent;	/* IPIs this CPU sent */
	uint64_t cache;		/* data-cache flushes (VIVT) */
};

/**
 * hm_model_cpu_tlb() - per-CPU TLB counters
 * @model: the model
 * @cpu: 0 .. profile nr_cpus - 1
 *
 * Return: the counters, or NULL when @cpu is out of range.
 */
const struct hm_tlb_counts *hm_model_cpu_tlb(const struct hm_model *model, uint32_t cpu);

/**
 * hm_model_check() - verify the model's invariants (slow; for tests and fuzzing)
 * @model: the model
 * @why: set to a static description of the first broken invariant
 *
 * Return: 0 when every invariant holds, -EFAULT otherwise.
 */
int hm_model_check(const struct hm_model *model, const char **why);

/**
 * hm_op_name() - the trace-format name of an op ("kmap_local", ...)
 * @op: enum hm_op
 */
const char *hm_op_name(unsigned int op);

/**
 * hm_op_from_name() - parse an op name
 * @name: the name
 * @len: its length
 *
 * Return: the enum hm_op, or -1 if unknown.
 */
int hm_op_from_name(const char *name, size_t len);

/**
 * hm_ctx_name() - "task", "softirq", "hardirq" or "nmi"
 * @ctx: enum hm_ctx
 */
const char *hm_ctx_name(unsigned int ctx);

/**
 * hm_ctx_from_name() - parse a context name
 * Return: the enum hm_ctx, or -1 if unknown.
 */
int hm_ctx_from_name(const char *name, size_t len);

/**
 * hm_diag_name() - stable identifier of a diagnostic kind ("local-out-of-order")
 * @kind: enum hm_diag_kind
 */
const char *hm_diag_name(unsigned int kind);

/**
 * hm_tlb_policy_name() - "x86", "arm-vipt", ...
 */
const char *hm_tlb_policy_name(unsigned int policy);

/**
 * hm_tlb_policy_from_name() - parse a TLB policy name
 * Return: the enum hm_tlb_policy, or -1.
 */
int hm_tlb_policy_from_name(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* HM_MODEL_H */
