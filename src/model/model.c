// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model.c - the 32-bit highmem mapper of Linux 6.1, replayed event by event.
 *
 * Two mechanisms, as in mm/highmem.c:
 *  - the persistent pool (kmap_high/kunmap_high): pkmap_count[], the slot
 *    search of map_new_virtual(), flush_all_zero_pkmaps() on wrap, the
 *    page->address table, the wait queue;
 *  - the local stacks (__kmap_local_pfn_prot/kunmap_local_indexed): one
 *    kmap_ctrl per task, fixmap slots per CPU, the sched_out/sched_in hooks.
 * Around them: TLB flush policy per architecture, the kmap_lock as a timed
 * resource, and synchronisation with traces that start mid-flight.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hm_model.h"

/* Page keys: a pfn as is, a struct page identity with the top bit set. */
#define PAGE_ID_BIT (1ull << 63)
#define KEY_NONE HM_NONE

/*
 * Bloom filter of the pages a flush took a pkmap address from: 2^24 bits,
 * 4 probes.  A kunmap() of a page with no address is a BUG if the page lost
 * its address during the trace, and a mapping from before the trace if it
 * never had one here: a page mapped in the trace can only lose its address
 * through flush_all_zero_pkmaps().
 */
#define SEEN_BITS_SHIFT 24

#define MAX_IRQ_NEST 16
#define WARNED_WORDS ((HM_DIAG__COUNT + 63) / 64)

struct local_ent {
	uint64_t key;		/* page key; KEY_NONE for a mapping made before the trace */
	uint64_t vaddr;
	uint64_t ts;
	uint64_t index;		/* HM_NONE: predates the trace */
	uint32_t site;
	uint8_t atomic;		/* made by kmap_atomic */
	uint8_t ctx;
};

struct task {
	int64_t key;		/* pid, or -(cpu + 1) for a CPU's idle task (pid 0) */
	int32_t pid;
	uint32_t cpu;		/* where it last ran */
	uint32_t idx;		/* kmap_ctrl.idx as the kernel keeps it */
	uint32_t atomic;	/* open kmap_atomic sections (preempt/pagefault disabled) */
	bool synced;		/* its stack depth at the start of the trace is known */
	bool waiting;		/* asleep on the pkmap wait queue */
	struct local_ent *ent;	/* KM_MAX_IDX entries, indexed by idx - 1, allocated on first map */
};

struct slot_info {
	uint64_t key;		/* page mapped here, KEY_NONE if unknown */
	uint64_t ts;		/* last kmap of this slot */
	uint64_t index;
	int32_t pid;
	uint32_t site;
	bool seen;		/* touched by an event of this trace */
};

struct waiter {
	struct hm_event ev;
	uint64_t key;
	uint64_t since;
	uint32_t color;
	uint32_t woken;
};

struct irq_frame {
	uint32_t task;		/* index into tasks[] */
	uint32_t idx;		/* its kmap_ctrl.idx on entry */
	uint8_t ctx;
};

struct cpu_state {
	int64_t hint_key;	/* the task the last event on this CPU was for */
	uint32_t hint;		/* its index + 1, 0 if none */
	uint32_t cur;		/* running task, UINT32_MAX if unknown */
	uint32_t nest;
	uint64_t stale[3];	/* kmap slots whose PTE outlived their stack entry (ARM) */
	struct irq_frame irq[MAX_IRQ_NEST];
	struct hm_tlb_counts tlb;
};

struct hm_model {
	struct hm_profile p;
	uint32_t km_max_idx;
	uint32_t km_incr;
	uint32_t kmap_slots;		/* fixmap kmap entries: KM_MAX_IDX * NR_CPUS * colours */

	/* the pool */
	uint32_t *count;		/* pkmap_count[] */
	struct slot_info *slot;
	uint32_t *last_nr;		/* last_pkmap_nr per colour */
	uint32_t in_use;		/* slots with count > 1 */
	uint32_t dirty;			/* slots with count == 1 */
	bool pool_synced;		/* the pool's state has been confirmed by the trace */
	bool pool_learning;		/* no kmap checked yet: adopt the first addresses */
	uint64_t *phash_key;		/* page -> slot, open addressing */
	int32_t *phash_slot;
	uint32_t phash_mask;
	uint64_t *seen;			/* Bloom filter of pages flushed out of the pool */
	bool pool_copy;			/* made by hm_model_clone_pool() */

	/* the lock */
	uint64_t lock_free_at;
	uint32_t lock_cpu;

	/* tasks */
	struct task *tasks;
	uint32_t nr_tasks, cap_tasks;
	uint32_t *thash;		/* task key -> index + 1 */
	uint32_t thash_mask;
	struct local_ent *free_stacks;	/* stack storage of exited tasks, reused */
	uint32_t nr_free_stacks, cap_free_stacks;
	struct local_ent **free_list;

	struct cpu_state *cpus;

	/* waiting for a slot, FIFO per colour, and completions ready to read */
	struct waiter *waiters;
	uint32_t nr_waiters, cap_waiters;
	struct hm_outcome *done;
	uint32_t nr_done, done_head, cap_done;

	uint64_t warned[WARNED_WORDS];	/* WARN_ON_ONCE already fired, per diag kind */
	struct hm_model_stats st;
};

/* ------------------------------------------------------------- helpers --- */

static inline uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/*
 * Table slots for the per-event lookups (pages, tasks): one multiply, the
 * high bits (Fibonacci hashing); pfns and pids are dense, so the low bits of
 * a plain mix would collide.
 */
static inline uint32_t hash_slot(uint64_t x, uint32_t mask)
{
	return (uint32_t)((x * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

static inline uint64_t page_size(const struct hm_model *m)
{
	return 1ull << m->p.page_shift;
}

static inline uint64_t page_mask(const struct hm_model *m)
{
	return ~(page_size(m) - 1);
}

/* PKMAP_ADDR(nr) */
static inline uint64_t pkmap_addr(const struct hm_model *m, uint32_t nr)
{
	return m->p.pkmap_base + ((uint64_t)nr << m->p.page_shift);
}

/* __fix_to_virt(FIX_KMAP_BEGIN + idx) */
static inline uint64_t kmap_fix_addr(const struct hm_model *m, uint32_t idx)
{
	return m->p.fixaddr_top - ((uint64_t)(m->p.fix_kmap_begin + idx) << m->p.page_shift);
}

static uint64_t page_key(const struct hm_event *ev)
{
	if (ev->pfn != HM_NONE)
		return ev->pfn;
	if (ev->page != HM_NONE)
		return ev->page | PAGE_ID_BIT;
	return KEY_NONE;
}

/*
 * PageHighMem(): only a pfn can be classified.  A bare struct page identity
 * comes from a probe inside kmap_high(), which only highmem pages reach.
 */
static bool key_is_lowmem(const struct hm_model *m, uint64_t key)
{
	if (key == KEY_NONE || (key & PAGE_ID_BIT) || m->p.highmem_start_pfn == HM_NONE)
		return false;
	return key < m->p.highmem_start_pfn;
}

/* page_address() of a lowmem page: the direct map */
static uint64_t lowmem_addr(const struct hm_model *m, uint64_t pfn)
{
	return m->p.page_offset + (pfn << m->p.page_shift);
}

/* get_pkmap_color(): the cache colour of a page (xtensa's DCACHE_ALIAS) */
static uint32_t page_color(const struct hm_model *m, uint64_t key)
{
	if (m->p.nr_colors == 1 || key == KEY_NONE || (key & PAGE_ID_BIT))
		return 0;
	return (uint32_t)(key & (m->p.nr_colors - 1));
}

static void diag_add(struct hm_model *m, struct hm_outcome *out, unsigned int kind,
		     unsigned int reaction, uint64_t addr, const struct local_ent *other,
		     uint32_t depth)
{
	struct hm_diag *d;

	unsigned int site = kind;

	m->st.diags[kind]++;
	/*
	 * WARN_ON_ONCE fires once per boot: later ones are silent in dmesg.
	 * kunmap_local_indexed() has one WARN for any address that is not the
	 * top's, whether another live mapping or none.
	 */
	if (kind == HM_DIAG_LOCAL_NOT_MAPPED)
		site = HM_DIAG_LOCAL_OUT_OF_ORDER;
	if (reaction == HM_KERNEL_WARN_ONCE) {
		if (m->warned[site / 64] & (1ull << (site % 64)))
			reaction = HM_KERNEL_WARNED_BEFORE;
		else
			m->warned[site / 64] |= 1ull << (site % 64);
	}
	if (out->nr_diags >= HM_OUTCOME_MAX_DIAGS)
		return;
	d = &out->diags[out->nr_diags++];
	memset(d, 0, sizeof(*d));
	d->kind = (uint8_t)kind;
	d->reaction = (uint8_t)reaction;
	d->addr = addr;
	d->other_addr = HM_NONE;
	d->other_ts = HM_NONE;
	d->other_index = HM_NONE;
	d->depth = depth;
	if (other) {
		d->other_addr = other->vaddr;
		d->other_ts = other->ts;
		d->other_index = other->index;
		d->other_site = other->site;
	}
}

static void outcome_init(struct hm_outcome *out, const struct hm_event *ev)
{
	/* everything but the diagnostics array, which nr_diags guards */
	memset(out, 0, offsetof(struct hm_outcome, diags));
	out->ts = ev->ts;
	out->vaddr = HM_NONE;
	out->page = page_key(ev);
	out->index = ev->index;
	out->map_ts = HM_NONE;
	out->map_index = HM_NONE;
	out->slot = -1;
	out->pid = ev->pid;
	out->cpu = ev->cpu;
}

static void outcome_finish(const struct hm_model *m, struct hm_outcome *out)
{
	out->pool_in_use = m->in_use;
	out->pool_dirty = m->dirty;
	out->waiters = m->nr_waiters;
}

/* Compare the kernel's address with ours; the basis of the agreement report. */
static bool check_addr(struct hm_model *m, struct hm_outcome *out, const struct hm_event *ev,
		       uint64_t expected)
{
	uint64_t observed = ev->vaddr & page_mask(m);

	m->st.checked++;
	out->flags |= HM_OUT_CHECKED;
	if (observed == (expected & page_mask(m)))
		return true;
	m->st.mismatched++;
	out->flags |= HM_OUT_MISMATCH;
	if (m->st.first_mismatch_index == HM_NONE) {
		m->st.first_mismatch_index = ev->index;
		m->st.first_mismatch_expected = expected;
		m->st.first_mismatch_observed = observed;
	}
	diag_add(m, out, HM_DIAG_ADDR_MISMATCH, HM_KERNEL_NOTHING, observed, NULL, 0);
	out->diags[out->nr_diags - 1].other_addr = expected;
	return false;
}

/* ---------------------------------------------------------------- TLB --- */

/*
 * arch_kmap_local_post_map(): ARM, MIPS and PowerPC flush the page on map;
 * x86 and Xtensa do not.
 */
static void tlb_local_map(struct hm_model *m, struct hm_outcome *out, uint32_t cpu)
{
	switch (m->p.tlb_policy) {
	case HM_TLB_ARM_VIPT:
	case HM_TLB_ARM_VIVT:
	case HM_TLB_MIPS:
	case HM_TLB_POWERPC:
		m->cpus[cpu].tlb.local++;
		m->st.tlb_local++;
		out->tlb_local++;
		out->cost_ns += m->p.costs.tlb_one;
		break;
	default:
		break;
	}
}

/*
 * arch_kmap_local_pre_unmap() + arch_kmap_local_post_unmap(): every
 * architecture flushes the page from the local TLB; VIVT ARM flushes the data
 * cache first.
 */
static void tlb_local_unmap(struct hm_model *m, struct hm_outcome *out, uint32_t cpu)
{
	if (m->p.tlb_policy == HM_TLB_ARM_VIVT) {
		m->cpus[cpu].tlb.cache++;
		m->st.cache_flushes++;
		out->cost_ns += m->p.costs.cache_flush;
	}
	m->cpus[cpu].tlb.local++;
	m->st.tlb_local++;
	out->tlb_local++;
	out->cost_ns += m->p.costs.tlb_one;
}

/*
 * flush_tlb_kernel_range(PKMAP_ADDR(0), PKMAP_ADDR(LAST_PKMAP)) after a pool
 * flush cleared something.  x86 (arch/x86/mm/tlb.c) runs it on each online
 * CPU, and a range above tlb_single_page_flush_ceiling pages becomes a full
 * flush there; MIPS and Xtensa also run it on every CPU, and a pool larger
 * than the TLB makes it a full flush; ARMv7 and hash PowerPC broadcast a
 * ranged flush in hardware, with no IPIs.
 */
static void tlb_pool_flush(struct hm_model *m, struct hm_outcome *out, uint32_t cpu)
{
	uint32_t others = m->p.nr_cpus - 1;
	uint8_t pol = m->p.tlb_policy;
	bool ipi = pol == HM_TLB_X86 || pol == HM_TLB_MIPS || pol == HM_TLB_XTENSA;
	bool full = (pol == HM_TLB_X86 && m->p.last_pkmap > m->p.tlb_single_page_ceiling) ||
		    pol == HM_TLB_MIPS || pol == HM_TLB_XTENSA;

	if (full) {
		for (uint32_t c = 0; c < m->p.nr_cpus; c++)
			m->cpus[c].tlb.full++;
		m->st.tlb_full += m->p.nr_cpus;
		out->tlb_full += m->p.nr_cpus;
		out->cost_ns += m->p.costs.tlb_full;
	} else {
		uint32_t n = ipi ? m->p.nr_cpus : 1;

		for (uint32_t c = 0; c < n; c++)
			m->cpus[ipi ? c : cpu].tlb.range++;
		m->st.tlb_range += n;
		out->tlb_range += n;
		out->cost_ns += (uint64_t)m->p.costs.tlb_one * 8;
	}
	if (ipi && others) {
		m->cpus[cpu].tlb.ipis_sent += others;
		m->st.ipis += others;
		out->ipis += others;
		out->cost_ns += (uint64_t)m->p.costs.ipi * others;
	}
}

/* MIPS kmap_flush_tlb(): kmap() flushes the returned address on every CPU */
static void tlb_kmap_wrapper(struct hm_model *m, struct hm_outcome *out, uint32_t cpu)
{
	uint32_t others = m->p.nr_cpus - 1;

	if (m->p.tlb_policy != HM_TLB_MIPS)
		return;
	for (uint32_t c = 0; c < m->p.nr_cpus; c++)
		m->cpus[c].tlb.local++;
	m->st.tlb_local += m->p.nr_cpus;
	out->tlb_local += m->p.nr_cpus;
	m->cpus[cpu].tlb.ipis_sent += others;
	m->st.ipis += others;
	out->ipis += others;
	out->cost_ns += m->p.costs.tlb_one + (uint64_t)m->p.costs.ipi * others;
}

/* -------------------------------------------------------------- tasks --- */

static int64_t task_key(int32_t pid, uint32_t cpu)
{
	/* every CPU has its own idle task, and all of them are pid 0 */
	return pid == 0 ? -(int64_t)cpu - 1 : pid;
}

static int thash_grow(struct hm_model *m)
{
	uint32_t n = (m->thash_mask + 1) * 2;
	uint32_t *h = calloc(n, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->nr_tasks; i++) {
		uint32_t b = hash_slot((uint64_t)m->tasks[i].key, n - 1);

		while (h[b])
			b = (b + 1) & (n - 1);
		h[b] = i + 1;
	}
	free(m->thash);
	m->thash = h;
	m->thash_mask = n - 1;
	return 0;
}

/* The task of an event, created (not yet synced) the first time it is seen. */
static struct task *task_get(struct hm_model *m, int32_t pid, uint32_t cpu, bool create)
{
	int64_t key = task_key(pid, cpu);
	struct cpu_state *c = &m->cpus[cpu];
	uint32_t b;
	struct task *t;

	/* consecutive events on a CPU are mostly for the same task */
	if (c->hint && c->hint_key == key)
		return &m->tasks[c->hint - 1];
	b = hash_slot((uint64_t)key, m->thash_mask);
	while (m->thash[b]) {
		t = &m->tasks[m->thash[b] - 1];
		if (t->key == key) {
			c->hint = m->thash[b];
			c->hint_key = key;
			return t;
		}
		b = (b + 1) & m->thash_mask;
	}
	if (!create)
		return NULL;
	if (m->nr_tasks == m->cap_tasks) {
		uint32_t cap = m->cap_tasks * 2;
		struct task *nt = realloc(m->tasks, cap * sizeof(*nt));

		if (!nt)
			return NULL;
		m->tasks = nt;
		m->cap_tasks = cap;
	}
	t = &m->tasks[m->nr_tasks];
	memset(t, 0, sizeof(*t));
	t->key = key;
	t->pid = pid;
	t->cpu = cpu;
	m->thash[b] = ++m->nr_tasks;
	if (m->nr_tasks * 2 > m->thash_mask + 1 && thash_grow(m)) {
		m->thash[b] = 0;
		m->nr_tasks--;
		return NULL;
	}
	return &m->tasks[m->nr_tasks - 1];
}

static inline uint32_t task_index(const struct hm_model *m, const struct task *t)
{
	return (uint32_t)(t - m->tasks);
}

static int task_stack(struct hm_model *m, struct task *t)
{
	if (t->ent)
		return 0;
	if (m->nr_free_stacks) {
		t->ent = m->free_list[--m->nr_free_stacks];
		return 0;
	}
	t->ent = calloc(m->km_max_idx, sizeof(*t->ent));
	return t->ent ? 0 : -ENOMEM;
}

/* Number of live local mappings: idx counts guard slots too with DEBUG_KMAP_LOCAL. */
static inline uint32_t task_depth(const struct hm_model *m, const struct task *t)
{
	return t->idx / m->km_incr;
}

/* Entry of the mapping on top of the stack (kmap_local_idx() = idx - 1). */
static inline struct local_ent *task_top(struct task *t)
{
	return t->idx ? &t->ent[t->idx - 1] : NULL;
}

/*
 * arch_kmap_local_map_idx(): the fixmap index of stack slot @slot (idx - 1)
 * on @cpu.  With colours (xtensa's kmap_idx()) the slot is widened by the
 * colour count and the colour picks the entry, counted from the top because
 * the fixmap grows down.
 */
static uint32_t local_fix_idx(const struct hm_model *m, uint32_t slot, uint32_t cpu,
			      uint32_t color)
{
	return (slot + m->km_max_idx * cpu) * m->p.nr_colors + m->p.nr_colors - 1 - color;
}

/* The address colour of a fixmap address, as DCACHE_ALIAS(addr). */
static uint32_t addr_color(const struct hm_model *m, uint64_t addr)
{
	return (uint32_t)((addr >> m->p.page_shift) & (m->p.nr_colors - 1));
}

/*
 * The stack slot (idx - 1) an address of the kmap fixmap belongs to on @cpu,
 * or -1 when it is another CPU's.
 */
static int64_t local_slot_of(const struct hm_model *m, uint64_t addr, uint32_t cpu)
{
	uint64_t fix = ((m->p.fixaddr_top - addr) >> m->p.page_shift) - m->p.fix_kmap_begin;
	uint64_t base = (uint64_t)m->km_max_idx * cpu;

	fix /= m->p.nr_colors;
	if (fix < base || fix >= base + m->km_max_idx)
		return -1;
	return (int64_t)(fix - base);
}

/*
 * Is stack slot @s (idx - 1) one the kernel maps?  With DEBUG_KMAP_LOCAL
 * (KM_INCR 2) only odd slots are: the even ones are guard pages.  Addresses
 * adopted from a trace must pass this, or the task's idx would stop being a
 * multiple of KM_INCR.
 */
static inline bool local_slot_valid(const struct hm_model *m, int64_t s)
{
	return s >= 0 && (uint64_t)s < m->km_max_idx - 1 && ((uint64_t)s + 1) % m->km_incr == 0;
}

/* ---------------------------------------------------------- page hash --- */

static int32_t phash_find(const struct hm_model *m, uint64_t key)
{
	uint32_t b = hash_slot(key, m->phash_mask);

	while (m->phash_key[b] != KEY_NONE) {
		if (m->phash_key[b] == key)
			return m->phash_slot[b];
		b = (b + 1) & m->phash_mask;
	}
	return -1;
}

/* set_page_address(page, vaddr): at most LAST_PKMAP pages, so the table never grows */
static void phash_set(struct hm_model *m, uint64_t key, int32_t slot)
{
	uint32_t b = hash_slot(key, m->phash_mask);

	while (m->phash_key[b] != KEY_NONE) {
		if (m->phash_key[b] == key) {
			m->phash_slot[b] = slot;
			return;
		}
		b = (b + 1) & m->phash_mask;
	}
	m->phash_key[b] = key;
	m->phash_slot[b] = slot;
}

/* set_page_address(page, NULL); backward-shift deletion keeps probes short */
static void phash_del(struct hm_model *m, uint64_t key)
{
	uint32_t b = hash_slot(key, m->phash_mask);
	uint32_t next;

	while (m->phash_key[b] != key) {
		if (m->phash_key[b] == KEY_NONE)
			return;
		b = (b + 1) & m->phash_mask;
	}
	for (;;) {
		m->phash_key[b] = KEY_NONE;
		next = b;
		for (;;) {
			uint32_t home;

			next = (next + 1) & m->phash_mask;
			if (m->phash_key[next] == KEY_NONE)
				return;
			home = hash_slot(m->phash_key[next], m->phash_mask);
			/* can the entry at next move to b? only if b lies in [home, next) */
			if (((next - home) & m->phash_mask) >= ((next - b) & m->phash_mask))
				break;
		}
		m->phash_key[b] = m->phash_key[next];
		m->phash_slot[b] = m->phash_slot[next];
		b = next;
	}
}

static void seen_add(struct hm_model *m, uint64_t key)
{
	uint64_t h = hash64(key ^ 0x5bd1e995);

	if (m->pool_copy)
		return;
	if (!m->seen) {
		/* first flush that clears something: the only allocation it makes */
		m->seen = calloc((1u << SEEN_BITS_SHIFT) / 64, sizeof(*m->seen));
		if (!m->seen)
			return;
	}
	for (int i = 0; i < 4; i++, h = hash64(h)) {
		uint64_t bit = h & ((1ull << SEEN_BITS_SHIFT) - 1);

		m->seen[bit / 64] |= 1ull << (bit % 64);
	}
}

static bool seen_has(const struct hm_model *m, uint64_t key)
{
	uint64_t h = hash64(key ^ 0x5bd1e995);

	if (!m->seen)
		return m->pool_copy;
	for (int i = 0; i < 4; i++, h = hash64(h)) {
		uint64_t bit = h & ((1ull << SEEN_BITS_SHIFT) - 1);

		if (!(m->seen[bit / 64] & (1ull << (bit % 64))))
			return false;
	}
	return true;
}

/* ----------------------------------------------------------- kmap_lock --- */

/*
 * kmap_lock is one spinlock: a call arriving on another CPU while the lock is
 * modelled as held spins until it is free.  Hold times come from the cost model.
 */
static void lock_take(struct hm_model *m, struct hm_outcome *out, const struct hm_event *ev,
		      uint64_t hold)
{
	uint64_t start = ev->ts;
	uint64_t spin = 0;

	/*
	 * A call that took the lock after calls that started later was held up
	 * before lock_kmap() (preempted, interrupted), not spinning on it.
	 */
	if (ev->flags & HM_EVF_LOCK_LATE) {
		if (m->lock_free_at > start)
			start = m->lock_free_at;
	} else if (m->lock_free_at > start && m->lock_cpu != ev->cpu) {
		spin = m->lock_free_at - start;
	}
	out->spin_ns += spin;
	out->cost_ns += spin + hold + m->p.costs.lock;
	m->st.spin_ns += spin;
	m->lock_free_at = start + spin + hold + m->p.costs.lock;
	m->lock_cpu = ev->cpu;
}

/* ------------------------------------------------------------- the pool --- */

static void slot_set_count(struct hm_model *m, uint32_t nr, uint32_t count)
{
	uint32_t old = m->count[nr];

	if (old == 1)
		m->dirty--;
	else if (old > 1)
		m->in_use--;
	if (count == 1)
		m->dirty++;
	else if (count > 1)
		m->in_use++;
	m->count[nr] = count;
	if (m->in_use > m->st.peak_in_use)
		m->st.peak_in_use = m->in_use;
}

/*
 * flush_all_zero_pkmaps(): every slot with count exactly 1 goes back to 0,
 * its PTE is cleared and its page forgets its address; one TLB flush over
 * the whole pool follows, only if something was cleared.  Architectures with
 * aliasing caches flush them first (flush_cache_kmaps()), cleared or not.
 */
static uint32_t flush_all_zero_pkmaps(struct hm_model *m, struct hm_outcome *out, uint32_t cpu)
{
	uint32_t cleared = 0;

	/* flush_cache_kmaps(): VIVT ARM and cache-colouring Xtensa flush everything */
	if (m->p.tlb_policy == HM_TLB_ARM_VIVT || m->p.tlb_policy == HM_TLB_XTENSA) {
		m->cpus[cpu].tlb.cache++;
		m->st.cache_flushes++;
		out->cost_ns += m->p.costs.cache_flush;
	}
	for (uint32_t i = 0; i < m->p.last_pkmap; i++) {
		if (m->count[i] != 1)
			continue;
		slot_set_count(m, i, 0);
		if (m->slot[i].key != KEY_NONE) {
			phash_del(m, m->slot[i].key);
			seen_add(m, m->slot[i].key);
		}
		m->slot[i].key = KEY_NONE;
		cleared++;
	}
	out->cost_ns += (uint64_t)m->p.costs.pool_flush * m->p.last_pkmap;
	out->reclaimed += cleared;
	out->flags |= HM_OUT_FLUSHED;
	m->st.flushes++;
	if (cleared)
		tlb_pool_flush(m, out, cpu);
	return cleared;
}

/*
 * get_next_pkmap_nr(), no_more_pkmaps(), get_pkmap_entries_count(): the
 * generic versions are the one-colour case of xtensa's.
 */
static inline uint32_t next_pkmap_nr(struct hm_model *m, uint32_t color)
{
	m->last_nr[color] = (m->last_nr[color] + m->p.nr_colors) & (m->p.last_pkmap - 1);
	return m->last_nr[color] + color;
}

/*
 * map_new_virtual(): scan from last_pkmap_nr; on reaching the pool's start,
 * flush the count-1 slots and restart the countdown; take the first slot whose
 * count is 0.  Returns the slot, or -1 when a full countdown found none (the
 * caller sleeps).
 */
static int32_t map_new_virtual(struct hm_model *m, struct hm_outcome *out, uint64_t key,
			       uint32_t cpu, uint32_t *examined)
{
	uint32_t color = page_color(m, key);
	uint32_t entries = m->p.last_pkmap / m->p.nr_colors;
	uint32_t count = entries;
	uint32_t nr;

	for (;;) {
		nr = next_pkmap_nr(m, color);
		(*examined)++;
		if (nr < m->p.nr_colors) {
			flush_all_zero_pkmaps(m, out, cpu);
			m->st.wraps++;
			out->flags |= HM_OUT_WRAP;
			count = entries;
		}
		if (!m->count[nr])
			return (int32_t)nr;
		if (--count)
			continue;
		return -1;
	}
}

static void slot_take(struct hm_model *m, int32_t nr, uint64_t key, const struct hm_event *ev)
{
	slot_set_count(m, (uint32_t)nr, 1);
	m->slot[nr].key = key;
	if (key != KEY_NONE)
		phash_set(m, key, nr);
}

static void slot_note_user(struct hm_model *m, int32_t nr, const struct hm_event *ev)
{
	m->slot[nr].ts = ev->ts;
	m->slot[nr].index = ev->index;
	m->slot[nr].pid = ev->pid;
	m->slot[nr].site = ev->site;
	m->slot[nr].seen = true;
}

/*
 * A trace that starts mid-flight shows the pool as the kernel had it, not as
 * a fresh boot: before any kmap() address has been confirmed, an observed
 * address the fresh model did not predict is adopted.  The slots the search
 * skipped to reach it were in use before the trace; they are marked busy
 * with unknown pages.
 */
static bool pool_adopt(struct hm_model *m, struct hm_outcome *out, const struct hm_event *ev,
		       uint64_t key, int32_t predicted)
{
	uint64_t addr = ev->vaddr & page_mask(m);
	uint64_t nr;
	int32_t cur;

	if (key == KEY_NONE || addr < m->p.pkmap_base)
		return false;
	nr = (addr - m->p.pkmap_base) >> m->p.page_shift;
	if (nr >= m->p.last_pkmap || m->slot[nr].seen)
		return false;
	/* undo what the fresh model did with the predicted slot */
	if (predicted >= 0 && m->slot[predicted].key == key && m->count[predicted] >= 1) {
		slot_set_count(m, (uint32_t)predicted, 0);
		phash_del(m, key);
		m->slot[predicted].key = KEY_NONE;
		m->slot[predicted].seen = false;
	}
	cur = phash_find(m, key);
	if (cur >= 0) {
		phash_del(m, key);
		m->slot[cur].key = KEY_NONE;
	}
	/*
	 * The kernel's search stopped at nr, so every slot from the one the
	 * fresh model chose up to nr was busy before the trace began.
	 */
	if (predicted >= 0) {
		for (uint32_t i = (uint32_t)predicted; i != nr; i = (i + 1) & (m->p.last_pkmap - 1))
			if (!m->count[i] && !m->slot[i].seen)
				slot_set_count(m, i, 2);
	}
	if (m->count[nr] == 0)
		slot_set_count(m, (uint32_t)nr, 1);
	m->slot[nr].key = key;
	phash_set(m, key, (int32_t)nr);
	m->last_nr[page_color(m, key)] = (uint32_t)nr & ~(m->p.nr_colors - 1);
	out->flags |= HM_OUT_SYNCED;
	m->st.synced++;
	return true;
}

/* the tail of kmap_high(): one more user of the slot, and the address */
static void kmap_high_finish(struct hm_model *m, struct hm_outcome *out, const struct hm_event *ev,
			     uint64_t key, int32_t nr)
{
	slot_set_count(m, (uint32_t)nr, m->count[nr] + 1);
	slot_note_user(m, nr, ev);
	out->slot = nr;
	out->vaddr = pkmap_addr(m, (uint32_t)nr);
	out->flags |= HM_OUT_MAPPED;
	if (ev->vaddr != HM_NONE) {
		if (m->pool_learning && (ev->vaddr & page_mask(m)) != out->vaddr &&
		    pool_adopt(m, out, ev, key, nr)) {
			nr = phash_find(m, key);
			slot_set_count(m, (uint32_t)nr, m->count[nr] + 1);
			slot_note_user(m, nr, ev);
			out->slot = nr;
			out->vaddr = pkmap_addr(m, (uint32_t)nr);
		} else {
			check_addr(m, out, ev, out->vaddr);
			m->pool_learning = false;
		}
	}
	tlb_kmap_wrapper(m, out, ev->cpu);
}

static int waiter_add(struct hm_model *m, const struct hm_event *ev, uint64_t key,
		      uint64_t since, uint32_t woken)
{
	struct waiter *w;

	if (m->nr_waiters == m->cap_waiters) {
		uint32_t cap = m->cap_waiters ? m->cap_waiters * 2 : 16;
		struct waiter *nw = realloc(m->waiters, cap * sizeof(*nw));

		if (!nw)
			return -ENOMEM;
		m->waiters = nw;
		m->cap_waiters = cap;
	}
	w = &m->waiters[m->nr_waiters++];
	w->ev = *ev;
	w->key = key;
	w->since = since;
	w->color = page_color(m, key);
	w->woken = woken;
	return 0;
}

static struct hm_outcome *done_push(struct hm_model *m)
{
	if (m->done_head == m->nr_done) {
		m->done_head = 0;
		m->nr_done = 0;
	}
	if (m->nr_done == m->cap_done) {
		uint32_t cap = m->cap_done ? m->cap_done * 2 : 16;
		struct hm_outcome *nd = realloc(m->done, cap * sizeof(*nd));

		if (!nd)
			return NULL;
		m->done = nd;
		m->cap_done = cap;
	}
	return &m->done[m->nr_done++];
}

/*
 * A kmap() seen only by its return (the capture began while it ran): the page
 * is unknown, so the slot search cannot be replayed.  Take the kernel's
 * address as it is, unchecked: one more user of that slot.
 */
static int kmap_unknown_page(struct hm_model *m, const struct hm_event *ev,
			     struct hm_outcome *out)
{
	uint64_t addr = ev->vaddr == HM_NONE ? HM_NONE : ev->vaddr & page_mask(m);
	int32_t nr;

	if (addr == HM_NONE || addr < m->p.pkmap_base || addr >= pkmap_addr(m, m->p.last_pkmap)) {
		out->flags |= HM_OUT_IGNORED;
		if (addr != HM_NONE && addr >= m->p.page_offset) {
			out->flags |= HM_OUT_LOWMEM | HM_OUT_MAPPED;
			out->vaddr = addr;
		}
		return 0;
	}
	nr = (int32_t)((addr - m->p.pkmap_base) >> m->p.page_shift);
	lock_take(m, out, ev, m->p.costs.pkmap_unmap);
	/* a free slot was taken (count 1) and used (count 2) */
	slot_set_count(m, (uint32_t)nr, m->count[nr] ? m->count[nr] + 1 : 2);
	slot_note_user(m, nr, ev);
	out->slot = nr;
	out->vaddr = addr;
	out->flags |= HM_OUT_MAPPED | HM_OUT_SYNCED;
	m->st.synced++;
	return 0;
}

static int do_kmap(struct hm_model *m, const struct hm_event *ev, struct hm_outcome *out,
		   struct task *t)
{
	uint64_t key = page_key(ev);
	uint32_t examined = 0;
	int32_t nr;

	/* kmap() starts with might_sleep(), lowmem or not */
	if (ev->ctx != HM_CTX_TASK || (t && t->atomic) ||
	    ((ev->flags & HM_EVF_CTX_KNOWN) && (ev->flags & (HM_EVF_IRQS_OFF | HM_EVF_PREEMPT_OFF))))
		/* might_sleep() says so only with CONFIG_DEBUG_ATOMIC_SLEEP (off in Debian) */
		diag_add(m, out, HM_DIAG_SLEEP_IN_ATOMIC, HM_KERNEL_DEBUG_ONLY, HM_NONE, NULL, 0);

	if (key_is_lowmem(m, key)) {
		out->flags |= HM_OUT_LOWMEM | HM_OUT_MAPPED;
		out->vaddr = lowmem_addr(m, key);
		if (ev->vaddr != HM_NONE)
			check_addr(m, out, ev, out->vaddr);
		tlb_kmap_wrapper(m, out, ev->cpu);
		return 0;
	}
	if (key == KEY_NONE)
		return kmap_unknown_page(m, ev, out);

	/* kmap_high(): a page that still has an address keeps it */
	nr = phash_find(m, key);
	if (nr >= 0) {
		out->flags |= HM_OUT_REUSED;
		lock_take(m, out, ev, m->p.costs.pkmap_unmap);
		kmap_high_finish(m, out, ev, key, nr);
		return 0;
	}
	nr = map_new_virtual(m, out, key, ev->cpu, &examined);
	lock_take(m, out, ev, (uint64_t)examined * m->p.costs.pkmap_scan +
		  (nr >= 0 ? m->p.costs.pkmap_map : 0));
	if (nr < 0) {
		/* nothing free: sleep on the wait queue with the lock dropped */
		out->flags |= HM_OUT_WAIT;
		m->st.sleeps++;
		if (t)
			t->waiting = true;
		return waiter_add(m, ev, key, ev->ts, 0);
	}
	slot_take(m, nr, key, ev);
	kmap_high_finish(m, out, ev, key, nr);
	return 0;
}

/*
 * A wake_up() of the pkmap wait queue: every sleeper of that colour runs
 * again, in the order they slept.  Each re-checks whether another task
 * mapped its page meanwhile, else restarts the slot search, and goes back to
 * sleep if the pool is still full.
 */
static int wake_waiters(struct hm_model *m, uint32_t color, const struct hm_event *waker)
{
	uint32_t n = m->nr_waiters;
	uint32_t kept = 0, first;
	struct waiter *w;

	if (m->done_head == m->nr_done)
		m->done_head = m->nr_done = 0;
	first = m->nr_done;

	for (uint32_t i = 0; i < n; i++) {
		struct hm_outcome *out;
		struct task *t;
		uint32_t examined = 0;
		int32_t nr;

		w = &m->waiters[i];
		if (w->color != color) {
			m->waiters[kept++] = *w;
			continue;
		}
		m->st.wakeups++;
		out = done_push(m);
		if (!out)
			return -ENOMEM;
		outcome_init(out, &w->ev);
		out->ts = waker->ts + m->p.costs.wakeup;
		out->wait_ns = out->ts > w->since ? out->ts - w->since : 0;
		out->cpu = w->ev.cpu;
		out->flags |= HM_OUT_COMPLETED;
		nr = phash_find(m, w->key);
		if (nr < 0) {
			nr = map_new_virtual(m, out, w->key, w->ev.cpu, &examined);
			if (nr < 0) {
				/* futile: back to sleep, the completion slot is dropped */
				m->st.futile_wakeups++;
				m->nr_done--;
				w->woken++;
				m->waiters[kept++] = *w;
				continue;
			}
			slot_take(m, nr, w->key, &w->ev);
		} else {
			out->flags |= HM_OUT_REUSED;
		}
		kmap_high_finish(m, out, &w->ev, w->key, nr);
		t = task_get(m, w->ev.pid, w->ev.cpu, false);
		if (t)
			t->waiting = false;
		outcome_finish(m, out);
	}
	m->nr_waiters = kept;
	/* the completions see the queue as it is once everyone woken has run */
	for (uint32_t i = first; i < m->nr_done; i++)
		m->done[i].waiters = kept;
	return 0;
}

static int do_kunmap(struct hm_model *m, const struct hm_event *ev, struct hm_outcome *out,
		     struct task *t)
{
	uint64_t key = page_key(ev);
	int32_t nr = -1;
	uint32_t c;

	if (ev->op == HM_OP_KUNMAP &&
	    (ev->ctx != HM_CTX_TASK || (t && t->atomic) ||
	     ((ev->flags & HM_EVF_CTX_KNOWN) && (ev->flags & (HM_EVF_IRQS_OFF | HM_EVF_PREEMPT_OFF)))))
		diag_add(m, out, HM_DIAG_SLEEP_IN_ATOMIC, HM_KERNEL_DEBUG_ONLY, HM_NONE, NULL, 0);
	if (key_is_lowmem(m, key)) {
		out->flags |= HM_OUT_LOWMEM | HM_OUT_IGNORED;
		return 0;
	}
	if (key != KEY_NONE)
		nr = phash_find(m, key);
	else if (ev->vaddr != HM_NONE && ev->vaddr >= m->p.pkmap_base &&
		 ev->vaddr < pkmap_addr(m, m->p.last_pkmap))
		nr = (int32_t)((ev->vaddr - m->p.pkmap_base) >> m->p.page_shift);
	lock_take(m, out, ev, m->p.costs.pkmap_unmap);
	if (nr < 0 || m->count[nr] == 0) {
		/* kunmap_high(): BUG_ON(!vaddr) -- unless the kmap predates the trace */
		if (key != KEY_NONE && !seen_has(m, key)) {
			out->flags |= HM_OUT_PREDATES;
			m->st.predates++;
			return 0;
		}
		diag_add(m, out, HM_DIAG_KUNMAP_NOT_MAPPED, HM_KERNEL_BUG, ev->vaddr, NULL, 0);
		return 0;
	}
	out->slot = nr;
	out->vaddr = pkmap_addr(m, (uint32_t)nr);
	out->map_ts = m->slot[nr].ts;
	out->map_index = m->slot[nr].index;
	out->map_site = m->slot[nr].site;
	c = m->count[nr] - 1;
	if (c == 0) {
		/* the count only reaches 0 through a flush: BUG() */
		struct local_ent who = { .vaddr = out->vaddr, .ts = m->slot[nr].ts,
					 .index = m->slot[nr].index, .site = m->slot[nr].site };

		diag_add(m, out, HM_DIAG_PKMAP_COUNT_UNDERFLOW, HM_KERNEL_BUG, out->vaddr, &who, 0);
		return 0;
	}
	slot_set_count(m, (uint32_t)nr, c);
	out->flags |= HM_OUT_UNMAPPED;
	if (ev->vaddr != HM_NONE && key != KEY_NONE)
		check_addr(m, out, ev, out->vaddr);
	if (c == 1) {
		uint32_t color = page_color(m, key);
		bool any = false;

		for (uint32_t i = 0; i < m->nr_waiters; i++)
			any |= m->waiters[i].color == color;
		if (any) {
			out->flags |= HM_OUT_WOKE;
			out->cost_ns += m->p.costs.wakeup;
			return wake_waiters(m, color, ev);
		}
	}
	return 0;
}

/* kmap_high_get(): a reference only if the page is mapped already (ARM VIVT) */
static void do_kmap_high_get(struct hm_model *m, const struct hm_event *ev,
			     struct hm_outcome *out)
{
	uint64_t key = page_key(ev);
	int32_t nr = key != KEY_NONE ? phash_find(m, key) : -1;

	lock_take(m, out, ev, m->p.costs.pkmap_unmap);
	if (nr < 0) {
		out->vaddr = 0;
		if (ev->vaddr != HM_NONE)
			check_addr(m, out, ev, 0);
		return;
	}
	if (m->count[nr] < 1)
		diag_add(m, out, HM_DIAG_KMAP_HIGH_GET_COUNT, HM_KERNEL_BUG, HM_NONE, NULL, 0);
	slot_set_count(m, (uint32_t)nr, m->count[nr] + 1);
	slot_note_user(m, nr, ev);
	out->slot = nr;
	out->vaddr = pkmap_addr(m, (uint32_t)nr);
	out->flags |= HM_OUT_MAPPED | HM_OUT_REUSED;
	if (ev->vaddr != HM_NONE)
		check_addr(m, out, ev, out->vaddr);
}

/* ------------------------------------------------------- local stacks --- */

/*
 * Fill the bottom of a task's stack with mappings made before the trace, so
 * that its top is at @slot - 1: adopted from an observed address, unchecked.
 */
static int local_adopt(struct hm_model *m, struct task *t, uint32_t slot)
{
	if (task_stack(m, t))
		return -ENOMEM;
	while (t->idx < slot) {
		struct local_ent *e = &t->ent[t->idx];

		memset(e, 0, sizeof(*e));
		e->key = KEY_NONE;
		e->index = HM_NONE;
		e->ts = HM_NONE;
		e->vaddr = kmap_fix_addr(m, local_fix_idx(m, t->idx, t->cpu, 0));
		t->idx++;
	}
	return 0;
}

static int do_kmap_local(struct hm_model *m, const struct hm_event *ev, struct hm_outcome *out,
			 struct task *t)
{
	uint64_t key = page_key(ev);
	bool atomic = ev->op == HM_OP_KMAP_ATOMIC;
	struct local_ent *e;
	uint32_t slot, color;
	uint64_t vaddr;

	/* kmap_atomic(): preempt and page faults off, even for lowmem pages */
	if (atomic)
		t->atomic++;
	if (key_is_lowmem(m, key) && !m->p.force_map) {
		out->flags |= HM_OUT_LOWMEM | HM_OUT_MAPPED;
		out->vaddr = lowmem_addr(m, key);
		out->depth = task_depth(m, t);
		if (ev->vaddr != HM_NONE)
			check_addr(m, out, ev, out->vaddr);
		return 0;
	}
	/*
	 * arch_kmap_local_high_get(): where kmap_high_get() exists (ARM with
	 * VIVT caches) a page that already has a pool address is used there,
	 * one more reference, no fixmap slot.
	 */
	if (m->p.has_kmap_high_get && key != KEY_NONE && !key_is_lowmem(m, key)) {
		int32_t nr = phash_find(m, key);

		if (nr >= 0) {
			lock_take(m, out, ev, m->p.costs.pkmap_unmap);
			slot_set_count(m, (uint32_t)nr, m->count[nr] + 1);
			slot_note_user(m, nr, ev);
			out->slot = nr;
			out->vaddr = pkmap_addr(m, (uint32_t)nr);
			out->flags |= HM_OUT_MAPPED | HM_OUT_REUSED;
			out->depth = task_depth(m, t);
			if (ev->vaddr != HM_NONE)
				check_addr(m, out, ev, out->vaddr);
			return 0;
		}
	}
	/* kmap_local_idx_push(): WARN_ON_ONCE(in_hardirq() && !irqs_disabled()) */
	if (ev->ctx == HM_CTX_HARDIRQ && (ev->flags & HM_EVF_CTX_KNOWN) &&
	    !(ev->flags & HM_EVF_IRQS_OFF))
		diag_add(m, out, HM_DIAG_HARDIRQ_IRQS_ON, HM_KERNEL_WARN_ONCE, HM_NONE, NULL,
			 task_depth(m, t));
	if (task_stack(m, t))
		return -ENOMEM;
	/*
	 * A task first seen mid-flight may hold mappings from before the trace:
	 * its first observed address tells how many.
	 */
	t->cpu = ev->cpu;
	if (!t->synced && ev->vaddr != HM_NONE) {
		int64_t s = local_slot_of(m, ev->vaddr & page_mask(m), ev->cpu);
		uint32_t want;

		if (local_slot_valid(m, s)) {
			want = (uint32_t)s + 1 - m->km_incr;
			if (want != t->idx && want < m->km_max_idx) {
				t->idx = t->idx > want ? want : t->idx;
				if (local_adopt(m, t, want))
					return -ENOMEM;
				out->flags |= HM_OUT_SYNCED;
				m->st.synced++;
			}
		}
	}
	t->synced = true;
	if (t->idx + m->km_incr >= m->km_max_idx) {
		/* BUG_ON(idx >= KM_MAX_IDX): the kernel stops here */
		diag_add(m, out, HM_DIAG_LOCAL_OVERFLOW, HM_KERNEL_BUG, HM_NONE, task_top(t),
			 task_depth(m, t));
		if (atomic)
			t->atomic--;
		return 0;
	}
	t->idx += m->km_incr;
	slot = t->idx - 1;
	color = page_color(m, key);
	vaddr = kmap_fix_addr(m, local_fix_idx(m, slot, ev->cpu, color));
	{
		/* BUG_ON(!pte_none(*kmap_pte)): a PTE an unmap left behind (ARM) */
		uint32_t li = local_fix_idx(m, slot, 0, color);
		uint64_t *stale = &m->cpus[ev->cpu].stale[li / 64];

		if (*stale & (1ull << (li % 64))) {
			diag_add(m, out, HM_DIAG_LOCAL_PTE_BUSY, HM_KERNEL_BUG, vaddr, NULL,
				 task_depth(m, t));
			*stale &= ~(1ull << (li % 64));
		}
	}
	/* with DEBUG_KMAP_LOCAL the slot below is a guard page, never mapped */
	if (m->km_incr > 1) {
		memset(&t->ent[slot - 1], 0, sizeof(t->ent[slot - 1]));
		t->ent[slot - 1].key = KEY_NONE;
	}
	e = &t->ent[slot];
	e->key = key;
	e->vaddr = vaddr;
	e->ts = ev->ts;
	e->index = ev->index;
	e->site = ev->site;
	e->atomic = atomic;
	e->ctx = ev->ctx;
	out->vaddr = vaddr;
	out->slot = (int32_t)local_fix_idx(m, slot, ev->cpu, color);
	out->depth = task_depth(m, t);
	out->flags |= HM_OUT_MAPPED;
	out->cost_ns += m->p.costs.local_map;
	if (out->depth > m->st.max_depth)
		m->st.max_depth = out->depth;
	tlb_local_map(m, out, ev->cpu);
	if (ev->vaddr != HM_NONE && !check_addr(m, out, ev, vaddr)) {
		/* follow the kernel from here on: re-synchronise on its address */
		int64_t s = local_slot_of(m, ev->vaddr & page_mask(m), ev->cpu);

		if (local_slot_valid(m, s)) {
			struct local_ent keep = *e;

			t->idx = t->idx > (uint32_t)s + 1 - m->km_incr ?
				 (uint32_t)s + 1 - m->km_incr : t->idx;
			if (local_adopt(m, t, (uint32_t)s + 1 - m->km_incr))
				return -ENOMEM;
			t->idx = (uint32_t)s + 1;
			keep.vaddr = ev->vaddr & page_mask(m);
			t->ent[s] = keep;
			out->depth = task_depth(m, t);
		}
	}
	return 0;
}

static bool task_holds_addr(const struct hm_model *m, const struct task *t, uint64_t addr,
			    uint32_t *depth)
{
	for (uint32_t i = 0; i < t->idx; i++) {
		if (t->ent[i].key == KEY_NONE && t->ent[i].index == 0 && m->km_incr > 1 && !(i & 1))
			continue;
		if (t->ent[i].vaddr == addr) {
			*depth = i;
			return true;
		}
	}
	return false;
}

/*
 * kunmap_local_indexed(): an address outside the kmap fixmap is not a local
 * mapping (lowmem, ignored; below PAGE_OFFSET, a page pointer passed by
 * mistake: WARN).  Inside it, the kernel always tears down the TOP of the
 * stack, warning once if the address is not the top's: an out-of-order unmap
 * leaves the named mapping live and pulls the top one from under its user.
 * The TLB flush that follows is for the address passed in.
 */
static int do_kunmap_local(struct hm_model *m, const struct hm_event *ev, struct hm_outcome *out,
			   struct task *t)
{
	bool atomic = ev->op == HM_OP_KUNMAP_ATOMIC;
	uint64_t key = page_key(ev);
	uint64_t lo = kmap_fix_addr(m, m->kmap_slots - 1);
	uint64_t hi = kmap_fix_addr(m, 0);
	uint64_t addr;
	struct local_ent *top;
	uint32_t where;
	bool wrong;

	if (atomic && t->atomic)
		t->atomic--;
	if (ev->vaddr != HM_NONE) {
		addr = ev->vaddr & page_mask(m);
	} else {
		/* named by page only: the task's newest mapping of that page */
		addr = HM_NONE;
		for (uint32_t i = t->idx; i-- > 0;) {
			if (t->ent && t->ent[i].key == key && key != KEY_NONE) {
				addr = t->ent[i].vaddr;
				break;
			}
		}
		if (addr == HM_NONE) {
			if (key_is_lowmem(m, key) && !m->p.force_map) {
				out->flags |= HM_OUT_LOWMEM | HM_OUT_IGNORED;
				return 0;
			}
			if (!t->synced) {
				out->flags |= HM_OUT_PREDATES;
				m->st.predates++;
				return 0;
			}
			diag_add(m, out, HM_DIAG_LOCAL_NOT_MAPPED, HM_KERNEL_WARN_ONCE, HM_NONE,
				 task_top(t), task_depth(m, t));
			return 0;
		}
	}
	if (addr < lo || addr > hi) {
		if (m->p.force_map) {
			diag_add(m, out, HM_DIAG_LOCAL_FORCE_MAP_ADDR, HM_KERNEL_WARN_ONCE, addr,
				 NULL, task_depth(m, t));
			return 0;
		}
		/* kmap_high_unmap_local(): ARM releases kmap_high_get() mappings here */
		if (m->p.has_kmap_high_get && addr >= m->p.pkmap_base &&
		    addr < pkmap_addr(m, m->p.last_pkmap)) {
			struct hm_event e2 = *ev;

			e2.pfn = HM_NONE;
			e2.page = HM_NONE;
			e2.vaddr = addr;
			return do_kunmap(m, &e2, out, t);
		}
		out->flags |= HM_OUT_IGNORED;
		if (addr < m->p.page_offset) {
			diag_add(m, out, HM_DIAG_LOCAL_BAD_ADDR, HM_KERNEL_WARN_ONCE, ev->vaddr,
				 task_top(t), task_depth(m, t));
		} else if ((addr >= m->p.pkmap_base && addr < pkmap_addr(m, m->p.last_pkmap)) ||
			   (m->p.highmem_start_pfn != HM_NONE &&
			    addr >= lowmem_addr(m, m->p.highmem_start_pfn))) {
			/*
			 * Not lowmem either: a kmap() address, or vmalloc space.
			 * The kernel returns without a word; the local mapping
			 * meant stays on the stack.
			 */
			diag_add(m, out, HM_DIAG_UNMAP_OUTSIDE_FIXMAP, HM_KERNEL_NOTHING, addr,
				 task_top(t), task_depth(m, t));
		} else {
			out->flags |= HM_OUT_LOWMEM;
		}
		return 0;
	}
	if (t->idx == 0) {
		/* nothing on the stack: a mapping from before the trace, or a BUG */
		if (!t->synced) {
			int64_t s = local_slot_of(m, addr, ev->cpu);

			out->flags |= HM_OUT_PREDATES | HM_OUT_UNMAPPED;
			out->vaddr = addr;
			m->st.predates++;
			tlb_local_unmap(m, out, ev->cpu);
			out->cost_ns += m->p.costs.local_unmap;
			/* what was below it is still mapped */
			if (local_slot_valid(m, s) && s >= (int64_t)m->km_incr &&
			    local_adopt(m, t, (uint32_t)s + 1 - m->km_incr))
				return -ENOMEM;
			t->cpu = ev->cpu;
			out->depth = task_depth(m, t);
			return 0;
		}
		diag_add(m, out, HM_DIAG_LOCAL_UNDERFLOW, HM_KERNEL_BUG, addr, NULL, 0);
		return 0;
	}
	top = task_top(t);
	/* arch_kmap_local_unmap_idx(): the top's index, on this CPU, in this address's colour */
	wrong = addr != kmap_fix_addr(m, local_fix_idx(m, t->idx - 1, ev->cpu, addr_color(m, addr)));
	if (wrong)
		diag_add(m, out, task_holds_addr(m, t, addr, &where) ? HM_DIAG_LOCAL_OUT_OF_ORDER :
		       HM_DIAG_LOCAL_NOT_MAPPED, HM_KERNEL_WARN_ONCE, addr, top, task_depth(m, t));
	if (wrong && m->p.kmap_pte_nonlinear) {
		/*
		 * kmap_get_pte() finds the PTE by address here: the named
		 * mapping is torn down, the stack still pops, and the top's
		 * PTE stays behind for the next push on this slot to BUG on.
		 */
		uint32_t li = local_fix_idx(m, t->idx - 1, 0, addr_color(m, addr));
		const struct local_ent *named = task_holds_addr(m, t, addr, &where) ?
						&t->ent[where] : NULL;

		m->cpus[ev->cpu].stale[li / 64] |= 1ull << (li % 64);
		out->vaddr = addr;
		if (named) {
			out->map_ts = named->ts;
			out->map_index = named->index;
			out->map_site = named->site;
			out->page = named->key;
		}
	} else {
		out->vaddr = top->vaddr;
		out->map_ts = top->ts;
		out->map_index = top->index;
		out->map_site = top->site;
		out->page = top->key;
	}
	out->flags |= HM_OUT_UNMAPPED;
	if (top->index == HM_NONE) {
		out->flags |= HM_OUT_PREDATES;
		m->st.predates++;
	}
	out->slot = (int32_t)local_fix_idx(m, t->idx - 1, ev->cpu, addr_color(m, addr));
	t->idx -= m->km_incr;
	out->depth = task_depth(m, t);
	out->cost_ns += m->p.costs.local_unmap;
	tlb_local_unmap(m, out, ev->cpu);
	return 0;
}

/* __kmap_local_sched_out()/__kmap_local_sched_in(): the PTEs follow the task */
static void sched_flush(struct hm_model *m, struct hm_outcome *out, struct task *t,
			uint32_t cpu, bool in)
{
	for (uint32_t i = 0; i < t->idx; i++) {
		/* with DEBUG_KMAP_LOCAL the even slots are guards, never mapped */
		if (m->km_incr > 1 && !(i & 1))
			continue;
		if (in)
			tlb_local_map(m, out, cpu);
		else
			tlb_local_unmap(m, out, cpu);
	}
}

static int do_sched_switch(struct hm_model *m, const struct hm_event *ev, struct hm_outcome *out,
			   struct task *prev)
{
	struct task *next;

	if (prev->atomic)
		/* schedule() with preemption off: "BUG: scheduling while atomic" */
		diag_add(m, out, HM_DIAG_ATOMIC_ACROSS_SWITCH, HM_KERNEL_WARN, HM_NONE,
			 task_top(prev), task_depth(m, prev));
	if (prev->idx)
		sched_flush(m, out, prev, ev->cpu, false);
	if (ev->next_pid == HM_PID_NONE)
		return 0;
	next = task_get(m, ev->next_pid, ev->cpu, true);
	if (!next)
		return -ENOMEM;
	prev = NULL;	/* task_get() may have moved the array */
	if (next->idx) {
		if (next->cpu != ev->cpu && next->synced)
			/* migrate_disable() should have pinned it: the addresses change */
			diag_add(m, out, HM_DIAG_ATOMIC_ACROSS_MIGRATE, HM_KERNEL_NOTHING, HM_NONE,
				 task_top(next), task_depth(m, next));
		sched_flush(m, out, next, ev->cpu, true);
	}
	next->cpu = ev->cpu;
	m->cpus[ev->cpu].cur = task_index(m, next);
	return 0;
}

static void do_irq_enter(struct hm_model *m, const struct hm_event *ev, struct task *t)
{
	struct cpu_state *c = &m->cpus[ev->cpu];

	if (c->nest < MAX_IRQ_NEST) {
		c->irq[c->nest].task = task_index(m, t);
		c->irq[c->nest].idx = t->idx;
		c->irq[c->nest].ctx = ev->ctx;
	}
	c->nest++;
}

/* The kernel has no check at irq exit: an interrupt that leaves a mapping is ours to catch. */
static void do_irq_exit(struct hm_model *m, const struct hm_event *ev, struct hm_outcome *out,
			struct task *t)
{
	struct cpu_state *c = &m->cpus[ev->cpu];
	struct irq_frame *f;

	if (!c->nest)
		return;	/* the capture began inside this interrupt */
	c->nest--;
	if (c->nest >= MAX_IRQ_NEST)
		return;
	f = &c->irq[c->nest];
	if (f->task == task_index(m, t) && t->idx > f->idx)
		diag_add(m, out, HM_DIAG_IRQ_EXIT_HELD, HM_KERNEL_NOTHING, HM_NONE, task_top(t),
			 task_depth(m, t));
}

static void task_reset(struct hm_model *m, struct task *t)
{
	if (t->ent) {
		m->free_list[m->nr_free_stacks++] = t->ent;
		t->ent = NULL;
	}
	t->idx = 0;
	t->atomic = 0;
	t->waiting = false;
	/* the next task with this pid starts with an empty stack */
	t->synced = true;
}

static int ensure_free_list(struct hm_model *m)
{
	if (m->nr_free_stacks < m->cap_free_stacks)
		return 0;
	{
		uint32_t cap = m->cap_free_stacks ? m->cap_free_stacks * 2 : 64;
		struct local_ent **fl = realloc(m->free_list, cap * sizeof(*fl));

		if (!fl)
			return -ENOMEM;
		m->free_list = fl;
		m->cap_free_stacks = cap;
	}
	return 0;
}

static int do_task_exit(struct hm_model *m, const struct hm_event *ev, struct hm_outcome *out,
			struct task *t)
{
	if (t->idx && t->synced)
		diag_add(m, out, HM_DIAG_TASK_EXIT_HELD, HM_KERNEL_NOTHING, HM_NONE, task_top(t),
			 task_depth(m, t));
	if (ensure_free_list(m))
		return -ENOMEM;
	task_reset(m, t);
	return 0;
}

/* kmap_local_fork(): the child must start empty; the kernel WARNs and clears it */
static int do_fork(struct hm_model *m, const struct hm_event *ev, struct hm_outcome *out,
		   struct task *parent)
{
	struct task *child;
	bool held = parent->idx && parent->synced;
	struct local_ent top;

	if (held)
		top = *task_top(parent);
	if (ev->next_pid == HM_PID_NONE)
		return 0;
	child = task_get(m, ev->next_pid, ev->cpu, true);
	if (!child)
		return -ENOMEM;
	if (held)
		diag_add(m, out, HM_DIAG_FORK_HELD, HM_KERNEL_WARN_ONCE, HM_NONE, &top, 0);
	if (ensure_free_list(m))
		return -ENOMEM;
	task_reset(m, child);
	return 0;
}

static void do_migrate(struct hm_model *m, const struct hm_event *ev, struct hm_outcome *out,
		       struct task *t)
{
	if (ev->dest_cpu >= m->p.nr_cpus)
		return;
	if (t->idx && t->synced && ev->dest_cpu != t->cpu)
		diag_add(m, out, HM_DIAG_ATOMIC_ACROSS_MIGRATE, HM_KERNEL_NOTHING, HM_NONE,
			 task_top(t), task_depth(m, t));
	t->cpu = ev->dest_cpu;
}

/* ---------------------------------------------------------------- API --- */

struct hm_model *hm_model_new(const struct hm_profile *profile)
{
	struct hm_model *m;
	const char *why;
	uint32_t n;

	if (hm_profile_check(profile, &why)) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		goto nomem;
	m->p = *profile;
	m->km_max_idx = hm_profile_km_max_idx(profile);
	m->km_incr = hm_profile_km_incr(profile);
	m->kmap_slots = m->km_max_idx * profile->nr_cpus_max * profile->nr_colors;
	m->count = calloc(profile->last_pkmap, sizeof(*m->count));
	m->slot = calloc(profile->last_pkmap, sizeof(*m->slot));
	m->last_nr = calloc(profile->nr_colors, sizeof(*m->last_nr));
	for (n = 64; n < profile->last_pkmap * 2; n *= 2)
		;
	m->phash_mask = n - 1;
	m->phash_key = malloc(n * sizeof(*m->phash_key));
	m->phash_slot = malloc(n * sizeof(*m->phash_slot));
	m->cap_tasks = 256;
	m->tasks = malloc(m->cap_tasks * sizeof(*m->tasks));
	m->thash_mask = 1023;
	m->thash = calloc(m->thash_mask + 1, sizeof(*m->thash));
	m->cpus = calloc(profile->nr_cpus_max, sizeof(*m->cpus));
	if (!m->count || !m->slot || !m->last_nr || !m->phash_key || !m->phash_slot ||
	    !m->tasks || !m->thash || !m->cpus || ensure_free_list(m))
		goto nomem;
	for (uint32_t i = 0; i < n; i++)
		m->phash_key[i] = KEY_NONE;
	for (uint32_t i = 0; i < profile->last_pkmap; i++)
		m->slot[i].key = KEY_NONE;
	for (uint32_t i = 0; i < profile->nr_cpus_max; i++)
		m->cpus[i].cur = UINT32_MAX;
	m->pool_learning = true;
	m->lock_cpu = UINT32_MAX;
	m->st.first_mismatch_index = HM_NONE;
	return m;
nomem:
	hm_model_free(m);
	errno = ENOMEM;
	return NULL;
}

static void *dup_array(const void *src, size_t n, size_t size, bool *fail)
{
	void *dst;

	if (!src || !n)
		return NULL;
	dst = malloc(n * size);
	if (!dst) {
		*fail = true;
		return NULL;
	}
	memcpy(dst, src, n * size);
	return dst;
}

struct hm_model *hm_model_clone_pool(const struct hm_model *src)
{
	struct hm_model *m = malloc(sizeof(*m));
	bool fail = false;

	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	*m = *src;
	m->count = dup_array(src->count, src->p.last_pkmap, sizeof(*m->count), &fail);
	m->slot = dup_array(src->slot, src->p.last_pkmap, sizeof(*m->slot), &fail);
	m->last_nr = dup_array(src->last_nr, src->p.nr_colors, sizeof(*m->last_nr), &fail);
	m->phash_key = dup_array(src->phash_key, src->phash_mask + 1, sizeof(*m->phash_key), &fail);
	m->phash_slot = dup_array(src->phash_slot, src->phash_mask + 1, sizeof(*m->phash_slot),
				  &fail);
	m->waiters = dup_array(src->waiters, src->cap_waiters, sizeof(*m->waiters), &fail);
	m->seen = NULL;
	m->pool_copy = true;	/* seen_has() is always true: no "predates" guesses */
	m->done = NULL;
	m->nr_done = m->done_head = m->cap_done = 0;
	m->nr_tasks = 0;
	m->cap_tasks = 16;
	m->tasks = malloc(m->cap_tasks * sizeof(*m->tasks));
	m->thash_mask = 63;
	m->thash = calloc(m->thash_mask + 1, sizeof(*m->thash));
	m->cpus = calloc(src->p.nr_cpus_max, sizeof(*m->cpus));
	m->free_list = NULL;
	m->nr_free_stacks = m->cap_free_stacks = 0;
	memset(&m->st, 0, sizeof(m->st));
	m->st.first_mismatch_index = HM_NONE;
	if (!m->tasks || !m->thash || !m->cpus || ensure_free_list(m))
		fail = true;
	if (fail) {
		m->nr_tasks = 0;
		hm_model_free(m);
		errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < src->p.nr_cpus_max; i++)
		m->cpus[i].cur = UINT32_MAX;
	return m;
}

void hm_model_free(struct hm_model *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->nr_tasks; i++)
		free(m->tasks[i].ent);
	for (uint32_t i = 0; i < m->nr_free_stacks; i++)
		free(m->free_list[i]);
	free(m->free_list);
	free(m->count);
	free(m->slot);
	free(m->last_nr);
	free(m->phash_key);
	free(m->phash_slot);
	free(m->seen);
	free(m->tasks);
	free(m->thash);
	free(m->cpus);
	free(m->waiters);
	free(m->done);
	free(m);
}

const struct hm_profile *hm_model_profile(const struct hm_model *m)
{
	return &m->p;
}

const struct hm_model_stats *hm_model_stats(const struct hm_model *m)
{
	return &m->st;
}

const struct hm_tlb_counts *hm_model_cpu_tlb(const struct hm_model *m, uint32_t cpu)
{
	return cpu < m->p.nr_cpus_max ? &m->cpus[cpu].tlb : NULL;
}

int hm_model_apply(struct hm_model *m, const struct hm_event *ev, struct hm_outcome *out)
{
	struct task *t = NULL;
	int ret = 0;

	outcome_init(out, ev);
	if (ev->cpu >= m->p.nr_cpus_max || ev->op >= HM_OP__COUNT)
		return -ERANGE;
	m->st.events++;

	switch (ev->op) {
	case HM_OP_FLUSH_ALL_ZERO:
		m->st.observed_flushes++;
		goto done;
	case HM_OP_KMAP_FLUSH_UNUSED:
		/* kmap_flush_unused() -> __kmap_flush_unused(): under the lock */
		lock_take(m, out, ev, (uint64_t)m->p.costs.pool_flush * m->p.last_pkmap);
		flush_all_zero_pkmaps(m, out, ev->cpu);
		m->st.flush_unused++;
		goto done;
	case HM_OP_KMAP_HIGH_GET:
		do_kmap_high_get(m, ev, out);
		goto done;
	default:
		break;
	}

	t = task_get(m, ev->pid, ev->cpu, true);
	if (!t)
		return -ENOMEM;

	switch (ev->op) {
	case HM_OP_KMAP:
		ret = do_kmap(m, ev, out, t);
		break;
	case HM_OP_KUNMAP:
		ret = do_kunmap(m, ev, out, t);
		break;
	case HM_OP_KMAP_ATOMIC:
	case HM_OP_KMAP_LOCAL:
		ret = do_kmap_local(m, ev, out, t);
		break;
	case HM_OP_KUNMAP_ATOMIC:
	case HM_OP_KUNMAP_LOCAL:
		ret = do_kunmap_local(m, ev, out, t);
		break;
	case HM_OP_SCHED_SWITCH:
		ret = do_sched_switch(m, ev, out, t);
		break;
	case HM_OP_IRQ_ENTER:
		do_irq_enter(m, ev, t);
		break;
	case HM_OP_IRQ_EXIT:
		do_irq_exit(m, ev, out, t);
		break;
	case HM_OP_TASK_EXIT:
		ret = do_task_exit(m, ev, out, t);
		break;
	case HM_OP_FORK:
		ret = do_fork(m, ev, out, t);
		break;
	case HM_OP_MIGRATE:
		do_migrate(m, ev, out, t);
		break;
	default:
		break;
	}
done:
	outcome_finish(m, out);
	return ret;
}

/*
 * map_new_virtual() without side effects: after the search passes slot 0 the
 * flush would have freed every count-1 slot, so those count as free.
 */
uint64_t hm_model_predict_kmap(const struct hm_model *m, const struct hm_event *ev)
{
	uint64_t key = page_key(ev);
	uint32_t color = page_color(m, key);
	uint32_t entries = m->p.last_pkmap / m->p.nr_colors;
	uint32_t last = m->last_nr[color], count = entries, nr;
	bool wrapped = false;
	int32_t slot;

	if (key_is_lowmem(m, key))
		return lowmem_addr(m, key);
	slot = key != KEY_NONE ? phash_find(m, key) : -1;
	if (slot >= 0)
		return pkmap_addr(m, (uint32_t)slot);
	for (;;) {
		last = (last + m->p.nr_colors) & (m->p.last_pkmap - 1);
		nr = last + color;
		if (nr < m->p.nr_colors) {
			wrapped = true;
			count = entries;
		}
		if (!m->count[nr] || (wrapped && m->count[nr] == 1))
			return pkmap_addr(m, nr);
		if (!--count)
			return HM_NONE;
	}
}

bool hm_model_next_completion(struct hm_model *m, struct hm_outcome *out)
{
	if (m->done_head >= m->nr_done)
		return false;
	*out = m->done[m->done_head++];
	return true;
}

int hm_model_for_each_held(const struct hm_model *m,
			   int (*fn)(const struct hm_held *held, void *arg), void *arg)
{
	struct hm_held h;
	int ret;

	for (uint32_t i = 0; i < m->p.last_pkmap; i++) {
		if (m->count[i] < 2 || !m->slot[i].seen)
			continue;
		memset(&h, 0, sizeof(h));
		h.vaddr = pkmap_addr(m, i);
		h.page = m->slot[i].key;
		h.ts = m->slot[i].ts;
		h.index = m->slot[i].index;
		h.pid = m->slot[i].pid;
		h.site = m->slot[i].site;
		h.count = m->count[i] - 1;
		ret = fn(&h, arg);
		if (ret)
			return ret;
	}
	for (uint32_t ti = 0; ti < m->nr_tasks; ti++) {
		const struct task *t = &m->tasks[ti];

		for (uint32_t i = 0; i < t->idx; i++) {
			const struct local_ent *e = &t->ent[i];

			if (m->km_incr > 1 && !(i & 1))
				continue;
			memset(&h, 0, sizeof(h));
			h.vaddr = e->vaddr;
			h.page = e->key;
			h.ts = e->ts;
			h.index = e->index;
			h.pid = t->pid;
			h.site = e->site;
			h.count = i / m->km_incr + 1;
			h.local = 1;
			ret = fn(&h, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int hm_model_check(const struct hm_model *m, const char **why)
{
	uint32_t in_use = 0, dirty = 0, hashed = 0;

	*why = NULL;
	for (uint32_t i = 0; i < m->p.last_pkmap; i++) {
		if (m->count[i] == 1)
			dirty++;
		else if (m->count[i] > 1)
			in_use++;
		if (m->count[i] == 0 && m->slot[i].key != KEY_NONE) {
			*why = "a free pkmap slot still names a page";
			return -EFAULT;
		}
		if (m->slot[i].key != KEY_NONE) {
			if (phash_find(m, m->slot[i].key) != (int32_t)i) {
				*why = "a mapped page is missing from the page->address table";
				return -EFAULT;
			}
			hashed++;
		}
	}
	for (uint32_t b = 0; b <= m->phash_mask; b++)
		if (m->phash_key[b] != KEY_NONE)
			hashed--;
	if (hashed) {
		*why = "the page->address table holds pages no slot maps";
		return -EFAULT;
	}
	if (in_use != m->in_use || dirty != m->dirty) {
		*why = "pool occupancy counters disagree with pkmap_count[]";
		return -EFAULT;
	}
	for (uint32_t i = 0; i < m->p.nr_colors; i++) {
		if (m->last_nr[i] >= m->p.last_pkmap || (m->last_nr[i] & (m->p.nr_colors - 1))) {
			*why = "last_pkmap_nr out of range";
			return -EFAULT;
		}
	}
	for (uint32_t ti = 0; ti < m->nr_tasks; ti++) {
		const struct task *t = &m->tasks[ti];

		if (t->idx >= m->km_max_idx || t->idx % m->km_incr) {
			*why = "a local stack index is out of range";
			return -EFAULT;
		}
		if (t->idx && !t->ent) {
			*why = "a non-empty local stack has no storage";
			return -EFAULT;
		}
		for (uint32_t i = 0; i < t->idx; i++) {
			for (uint32_t j = i + 1; j < t->idx; j++) {
				if (m->km_incr > 1 && (!(i & 1) || !(j & 1)))
					continue;
				if (t->ent[i].vaddr == t->ent[j].vaddr) {
					*why = "two live local mappings of one task share an address";
					return -EFAULT;
				}
			}
		}
	}
	return 0;
}
