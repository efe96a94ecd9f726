// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-model.c - one test per kernel rule the model mirrors (Linux 6.1
 * mm/highmem.c, include/linux/highmem-internal.h, kmap_size.h, the x86
 * fixmap), with slots and addresses worked out by hand:
 *
 *   x86-32-pae: PKMAP_ADDR(n) = 0xff000000 + n * 0x1000
 *               local: 0xfffff000 - ((68 + depth - 1 + 16 * cpu) << 12)
 *                      cpu 0: 0xfffbb000, 0xfffba000, ...; cpu 1: 0xfffab000
 */
#include <stdlib.h>
#include <string.h>

#include "hm_model.h"
#include "../tap.h"

#define A(n) (0xff000000u + (n) * 0x1000u)		/* PAE pkmap slot n */
#define L(cpu, d) (0xfffff000u - ((68u + (d) - 1 + 16u * (cpu)) << 12))

static uint64_t next_index;
static uint64_t now;

static struct hm_event ev_make(unsigned int op, int32_t pid, uint32_t cpu)
{
	struct hm_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.op = (uint16_t)op;
	ev.pid = pid;
	ev.cpu = cpu;
	ev.ts = (now += 1000);
	ev.ret_ts = HM_NONE;
	ev.pfn = HM_NONE;
	ev.page = HM_NONE;
	ev.vaddr = HM_NONE;
	ev.next_pid = HM_PID_NONE;
	ev.index = next_index++;
	return ev;
}

static struct hm_model *model_new(const char *name, uint32_t last_pkmap, uint32_t cpus)
{
	struct hm_profile p = *hm_profile_find(name);

	if (last_pkmap)
		p.last_pkmap = last_pkmap;
	if (cpus)
		p.nr_cpus = cpus;
	p.highmem_start_pfn = 0x36ffe;
	next_index = 0;
	now = 0;
	return hm_model_new(&p);
}

static struct hm_outcome out_;

static struct hm_outcome *apply(struct hm_model *m, const struct hm_event *ev)
{
	int ret = hm_model_apply(m, ev, &out_);
	const char *why;

	if (ret)
		tap_diag("hm_model_apply returned %d", ret);
	if (hm_model_check(m, &why))
		tap_ok(0, "invariant broken after event %llu: %s", (unsigned long long)ev->index, why);
	return &out_;
}

static struct hm_outcome *kmap(struct hm_model *m, int32_t pid, uint32_t cpu, uint64_t pfn)
{
	struct hm_event ev = ev_make(HM_OP_KMAP, pid, cpu);

	ev.pfn = pfn;
	return apply(m, &ev);
}

static struct hm_outcome *kunmap(struct hm_model *m, int32_t pid, uint32_t cpu, uint64_t pfn)
{
	struct hm_event ev = ev_make(HM_OP_KUNMAP, pid, cpu);

	ev.pfn = pfn;
	return apply(m, &ev);
}

static struct hm_outcome *lmap(struct hm_model *m, unsigned int op, int32_t pid, uint32_t cpu,
			       uint64_t pfn)
{
	struct hm_event ev = ev_make(op, pid, cpu);

	ev.pfn = pfn;
	return apply(m, &ev);
}

static struct hm_outcome *lunmap(struct hm_model *m, unsigned int op, int32_t pid, uint32_t cpu,
				 uint64_t vaddr)
{
	struct hm_event ev = ev_make(op, pid, cpu);

	ev.vaddr = vaddr;
	return apply(m, &ev);
}

static struct hm_outcome *simple(struct hm_model *m, unsigned int op, int32_t pid, uint32_t cpu,
				 int32_t next, unsigned int ctx)
{
	struct hm_event ev = ev_make(op, pid, cpu);

	ev.next_pid = next;
	ev.ctx = (uint8_t)ctx;
	return apply(m, &ev);
}

static int has_diag(const struct hm_outcome *o, unsigned int kind)
{
	for (uint32_t i = 0; i < o->nr_diags; i++)
		if (o->diags[i].kind == kind)
			return 1;
	return 0;
}

#define HI 0x40000	/* a highmem pfn (above 0x36ffe) */

static void pkmap_first_slot_is_1(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 0);
	struct hm_outcome *o = kmap(m, 10, 0, HI);

	tap_is_u64(o->slot, 1, "pkmap_first_slot_is_1: slot");
	tap_is_u64(o->vaddr, A(1), "pkmap_first_slot_is_1: address 0xff001000");
	tap_is_u64(o->pool_in_use, 1, "pkmap_first_slot_is_1: one slot in use");
	o = kmap(m, 10, 0, HI + 1);
	tap_is_u64(o->vaddr, A(2), "pkmap_search_advances: second page at slot 2");
	hm_model_free(m);

	m = model_new("x86-32", 0, 0);
	o = kmap(m, 10, 0, HI);
	tap_is_u64(o->vaddr, 0xfec01000, "pkmap_first_slot_is_1: x86-32 at PKMAP_BASE + 4 KiB");
	hm_model_free(m);
}

static void pkmap_mapped_page_keeps_address(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 0);
	struct hm_outcome *o;

	kmap(m, 10, 0, HI);
	o = kmap(m, 11, 0, HI);
	tap_is_u64(o->vaddr, A(1), "pkmap_mapped_page_keeps_address: same address");
	tap_ok(o->flags & HM_OUT_REUSED, "pkmap_mapped_page_keeps_address: reused");
	kunmap(m, 10, 0, HI);
	o = kunmap(m, 11, 0, HI);
	tap_is_u64(o->pool_dirty, 1, "pkmap_kunmap_leaves_count_1: slot dirty, not free");
	tap_is_u64(o->pool_in_use, 0, "pkmap_kunmap_leaves_count_1: no users");
	o = kmap(m, 12, 0, HI);
	tap_is_u64(o->vaddr, A(1), "pkmap_count_1_page_reuses_its_address: until a flush");
	o = kmap(m, 12, 0, HI + 5);
	tap_is_u64(o->vaddr, A(2), "pkmap_count_1_slot_not_reused_for_other_page");
	hm_model_free(m);
}

static void wrap_flushes_only_count_1_slots(void)
{
	struct hm_model *m = model_new("x86-32-pae", 4, 0);
	struct hm_outcome *o;

	kmap(m, 1, 0, HI + 1);	/* slot 1 */
	kmap(m, 1, 0, HI + 2);	/* slot 2 */
	kmap(m, 1, 0, HI + 3);	/* slot 3 */
	kunmap(m, 1, 0, HI + 1);	/* slot 1: count 1 */
	kunmap(m, 1, 0, HI + 3);	/* slot 3: count 1 */
	o = kmap(m, 1, 0, HI + 4);	/* next is 0: wrap, flush clears 1 and 3, slot 0 free */
	tap_ok(o->flags & HM_OUT_WRAP, "wrap_flushes_only_count_1_slots: wrapped");
	tap_is_u64(o->reclaimed, 2, "wrap_flushes_only_count_1_slots: two slots reclaimed");
	tap_is_u64(o->vaddr, A(0), "wrap_reaches_slot_0: slot 0 only through a wrap");
	/* 4 pages is under tlb_single_page_flush_ceiling (33): a ranged flush */
	tap_is_u64(o->tlb_range, 1, "wrap_flush_small_pool_is_ranged_on_x86");
	tap_is_u64(o->tlb_full, 0, "wrap_flush_small_pool_not_full");
	tap_is_u64(o->ipis, 0, "wrap_flush_no_ipi_on_one_cpu");
	o = kmap(m, 1, 0, HI + 5);
	tap_is_u64(o->vaddr, A(1), "wrap_cleared_slot_reused: slot 1 free again");
	o = kmap(m, 1, 0, HI + 1);
	tap_is_u64(o->vaddr, A(3), "wrap_drops_page_address: old page gets a new slot (2 busy)");
	tap_is_u64(hm_model_stats(m)->wraps, 1, "wrap_counted_once");
	hm_model_free(m);
}

static void wrap_without_cleared_slots_no_tlb_flush(void)
{
	struct hm_model *m = model_new("x86-32-pae", 4, 2);
	struct hm_outcome *o;

	kmap(m, 1, 0, HI + 1);
	kmap(m, 1, 0, HI + 2);
	kmap(m, 1, 0, HI + 3);
	o = kmap(m, 1, 0, HI + 4);
	tap_ok(o->flags & HM_OUT_WRAP, "wrap_without_cleared_slots: wrapped");
	tap_is_u64(o->reclaimed, 0, "wrap_without_cleared_slots: nothing reclaimed");
	tap_is_u64(o->tlb_full + o->tlb_range + o->ipis, 0,
		   "wrap_without_cleared_slots_no_tlb_flush");
	tap_is_u64(o->vaddr, A(0), "wrap_without_cleared_slots: slot 0 taken");
	hm_model_free(m);

	/* two CPUs: the full flush runs on both, one IPI */
	m = model_new("x86-32-pae", 4, 2);
	kmap(m, 1, 0, HI + 1);
	kunmap(m, 1, 0, HI + 1);
	kmap(m, 1, 0, HI + 2);
	kmap(m, 1, 0, HI + 3);
	o = kmap(m, 2, 1, HI + 4);
	tap_is_u64(o->tlb_range, 2, "wrap_flush_on_each_cpu: ranged flush on both CPUs");
	tap_is_u64(o->ipis, 1, "wrap_flush_ipis_other_cpus: one IPI");
	tap_is_u64(hm_model_cpu_tlb(m, 1)->ipis_sent, 1, "wrap_flush_ipi_sent_by_cpu_1");
	hm_model_free(m);

	/* the real pool: 512 pages is above the ceiling, a full flush on each CPU */
	m = model_new("x86-32-pae", 0, 2);
	for (int i = 1; i < 512; i++)
		kmap(m, 1, 0, HI + i);
	kunmap(m, 1, 0, HI + 7);
	o = kmap(m, 1, 0, HI + 600);
	tap_is_u64(o->vaddr, A(0), "wrap_full_pool_takes_slot_0");
	tap_is_u64(o->tlb_full, 2, "wrap_flush_is_full_tlb_flush_on_x86 (512 pages > ceiling 33)");
	tap_is_u64(o->ipis, 1, "wrap_full_flush_ipis_the_other_cpu");
	o = kmap(m, 1, 0, HI + 601);
	tap_is_u64(o->vaddr, A(7), "wrap_reclaimed_slot_7_is_next_free");
	hm_model_free(m);
}

static void pool_exhaustion_sleeps_and_wakes(void)
{
	struct hm_model *m = model_new("x86-32-pae", 4, 0);
	struct hm_outcome *o, done;
	uint64_t sleep_ts, wake_ts;

	kmap(m, 1, 0, HI + 1);	/* slot 1 */
	kmap(m, 1, 0, HI + 2);	/* slot 2 */
	kmap(m, 1, 0, HI + 3);	/* slot 3 */
	kmap(m, 1, 0, HI + 4);	/* wrap, slot 0 */
	o = kmap(m, 2, 0, HI + 5);
	sleep_ts = now;
	tap_ok(o->flags & HM_OUT_WAIT, "pool_full_kmap_sleeps");
	tap_ok(!(o->flags & HM_OUT_MAPPED), "pool_full_kmap_has_no_address_yet");
	tap_is_u64(o->waiters, 1, "pool_full_one_waiter");
	tap_ok(!hm_model_next_completion(m, &done), "no_completion_before_wakeup");
	o = kunmap(m, 1, 0, HI + 2);	/* slot 2 drops to 1: wake */
	wake_ts = now;
	tap_ok(o->flags & HM_OUT_WOKE, "kunmap_to_count_1_wakes_waiters");
	tap_ok(hm_model_next_completion(m, &done), "woken_kmap_completes");
	tap_is_u64(done.vaddr, A(2), "woken_kmap_rescans_flushes_and_takes_slot_2");
	tap_is_u64(done.index, 4, "completion_names_the_sleeping_event");
	tap_is_u64(done.wait_ns, wake_ts + 1500 - sleep_ts, "completion_wait_time");
	tap_ok(done.flags & HM_OUT_WRAP, "woken_rescan_wrapped");
	tap_is_u64(hm_model_stats(m)->wraps, 3, "wraps: first fill, failed scan, rescan");
	tap_is_u64(hm_model_stats(m)->sleeps, 1, "one sleep");
	tap_is_u64(o->waiters, 0, "no waiters left");
	tap_is_u64(done.waiters, 0, "completion_sees_the_queue_after_the_wakeup");
	hm_model_free(m);
}

static void futile_wakeup_sleeps_again(void)
{
	struct hm_model *m = model_new("x86-32-pae", 4, 0);
	struct hm_outcome done;
	int n = 0;

	for (int i = 1; i <= 4; i++)
		kmap(m, 1, 0, HI + i);
	kmap(m, 2, 0, HI + 10);	/* sleeps */
	kmap(m, 3, 0, HI + 11);	/* sleeps */
	kunmap(m, 1, 0, HI + 1);	/* one slot back: wakes both, only the first wins */
	while (hm_model_next_completion(m, &done))
		n++;
	tap_is_u64(n, 1, "wakeup_all_waiters_one_slot: one completion");
	tap_is_u64(hm_model_stats(m)->futile_wakeups, 1, "futile_wakeup_counted");
	tap_is_u64(hm_model_stats(m)->wakeups, 2, "both_waiters_woken");
	kunmap(m, 1, 0, HI + 2);
	tap_ok(hm_model_next_completion(m, &done) && done.pid == 3,
	       "futile_waiter_completes_on_next_wakeup");
	hm_model_free(m);
}

static void kunmap_bugs(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 0);
	struct hm_outcome *o;

	o = kunmap(m, 1, 0, HI + 7);
	tap_ok((o->flags & HM_OUT_PREDATES) && !o->nr_diags,
	       "kunmap_of_page_never_kmapped_predates_trace");
	kmap(m, 1, 0, HI);
	kunmap(m, 1, 0, HI);
	o = kunmap(m, 1, 0, HI);
	tap_ok(has_diag(o, HM_DIAG_PKMAP_COUNT_UNDERFLOW), "kunmap_high_count_to_0_is_bug");
	tap_is_u64(o->diags[0].reaction, HM_KERNEL_BUG, "count_underflow_reaction_bug");
	tap_is_u64(o->pool_dirty, 1, "count_underflow_model_keeps_going");
	hm_model_free(m);

	/* a page seen, then flushed out by a wrap: kunmap_high() BUG_ON(!vaddr) */
	m = model_new("x86-32-pae", 4, 0);
	kmap(m, 1, 0, HI + 1);
	kunmap(m, 1, 0, HI + 1);
	kmap(m, 1, 0, HI + 2);
	kmap(m, 1, 0, HI + 3);
	kmap(m, 1, 0, HI + 4);	/* wrap clears slot 1 */
	o = kunmap(m, 1, 0, HI + 1);
	tap_ok(has_diag(o, HM_DIAG_KUNMAP_NOT_MAPPED), "kunmap_high_unmapped_page_is_bug");
	hm_model_free(m);
}

static void lowmem_pages(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 0);
	struct hm_outcome *o = kmap(m, 1, 0, 0x100);

	tap_ok(o->flags & HM_OUT_LOWMEM, "kmap_lowmem_no_pkmap");
	tap_is_u64(o->vaddr, 0xc0100000, "kmap_lowmem_returns_direct_map");
	tap_is_u64(o->pool_in_use, 0, "kmap_lowmem_pool_untouched");
	o = lmap(m, HM_OP_KMAP_LOCAL, 1, 0, 0x100);
	tap_is_u64(o->vaddr, 0xc0100000, "kmap_local_lowmem_returns_direct_map");
	tap_is_u64(o->depth, 0, "kmap_local_lowmem_no_push");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 1, 0, 0xc0100abc);
	tap_ok((o->flags & HM_OUT_IGNORED) && !o->nr_diags, "kunmap_local_lowmem_address_ignored");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 1, 0, 0xff001000);
	tap_ok((o->flags & HM_OUT_IGNORED) && has_diag(o, HM_DIAG_UNMAP_OUTSIDE_FIXMAP),
	       "kunmap_local_of_kmap_address_ignored_silently_but_reported");
	/* the direct map ends at 0xc0000000 + (0x36ffe << 12) = 0xf6ffe000 */
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 1, 0, 0xf6ffe000);
	tap_ok(has_diag(o, HM_DIAG_UNMAP_OUTSIDE_FIXMAP), "kunmap_local_above_direct_map_reported");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 1, 0, 0xf6ffd000);
	tap_ok(!o->nr_diags, "kunmap_local_last_lowmem_page_is_fine");
	hm_model_free(m);
}

static void local_addresses(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 2);
	struct hm_outcome *o;

	o = lmap(m, HM_OP_KMAP_LOCAL, 1, 0, HI);
	tap_is_u64(o->vaddr, 0xfffbb000, "kmap_local_cpu0_depth1_0xfffbb000");
	tap_is_u64(o->slot, 0, "kmap_local_cpu0_depth1_fixmap_index_0");
	o = lmap(m, HM_OP_KMAP_LOCAL, 1, 0, HI + 1);
	tap_is_u64(o->vaddr, 0xfffba000, "kmap_local_addresses_go_down_with_depth");
	tap_is_u64(o->depth, 2, "kmap_local_depth_2");
	o = lmap(m, HM_OP_KMAP_LOCAL, 2, 1, HI + 2);
	tap_is_u64(o->vaddr, 0xfffab000, "kmap_local_cpu1_depth1_is_16_pages_lower");
	tap_is_u64(o->slot, 16, "kmap_local_fixmap_index_slot_plus_km_max_idx_times_cpu");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 1, 0, 0xfffba930);
	tap_ok(!o->nr_diags && o->vaddr == 0xfffba000, "kunmap_local_masks_page_offset");
	tap_is_u64(o->tlb_local, 1, "kunmap_local_flushes_one_page_on_x86");
	hm_model_free(m);

	m = model_new("x86-32", 0, 2);
	o = lmap(m, HM_OP_KMAP_LOCAL, 2, 1, HI);
	tap_is_u64(o->vaddr, 0xfffab000, "kmap_local_x86_32_cpu1_depth1");
	hm_model_free(m);
}

static void kunmap_local_out_of_order_clears_top(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 0);
	struct hm_outcome *o;

	simple(m, HM_OP_FORK, 1, 0, 5, HM_CTX_TASK);
	lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI);		/* A at 0xfffbb000 */
	lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI + 1);	/* B at 0xfffba000 */
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 5, 0, L(0, 1));	/* unmap A first */
	tap_ok(has_diag(o, HM_DIAG_LOCAL_OUT_OF_ORDER), "kunmap_local_out_of_order_warns");
	tap_is_u64(o->diags[0].reaction, HM_KERNEL_WARN_ONCE, "out_of_order_is_warn_once");
	tap_is_u64(o->diags[0].addr, L(0, 1), "out_of_order_names_the_address_passed");
	tap_is_u64(o->diags[0].other_addr, L(0, 2), "out_of_order_names_the_top");
	tap_is_u64(o->vaddr, L(0, 2), "kunmap_local_out_of_order_clears_top");
	tap_is_u64(o->depth, 1, "out_of_order_pops_one");
	o = lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI + 2);
	tap_is_u64(o->vaddr, L(0, 2), "out_of_order_leaves_named_mapping_live (next map at depth 2)");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 5, 0, L(0, 1));
	tap_ok(has_diag(o, HM_DIAG_LOCAL_OUT_OF_ORDER) &&
	       o->diags[0].reaction == HM_KERNEL_WARNED_BEFORE,
	       "second_out_of_order_is_silent_in_the_kernel (warned once)");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 5, 0, L(0, 2));
	tap_ok(has_diag(o, HM_DIAG_LOCAL_NOT_MAPPED) &&
	       o->diags[0].reaction == HM_KERNEL_WARNED_BEFORE,
	       "unmap_of_address_not_mapped_shares_the_same_warn_once");
	tap_is_u64(o->vaddr, L(0, 1), "unmap_not_mapped_still_tears_down_the_top");
	tap_is_u64(o->depth, 0, "stack_empty_after_three_pops");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 5, 0, L(0, 1));
	tap_ok(has_diag(o, HM_DIAG_LOCAL_UNDERFLOW), "kunmap_local_empty_stack_is_underflow_bug");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 5, 0, 0x00c0ffee);
	tap_ok(has_diag(o, HM_DIAG_LOCAL_BAD_ADDR), "kunmap_local_below_page_offset_warns");
	hm_model_free(m);
}

static void stack_limits(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 0);
	struct hm_outcome *o = NULL;
	struct hm_profile p;
	int i;

	simple(m, HM_OP_FORK, 1, 0, 5, HM_CTX_TASK);
	for (i = 0; i < 15; i++)
		o = lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI + i);
	tap_ok(!o->nr_diags && o->depth == 15, "kmap_local_holds_15 (KM_MAX_IDX 16, BUG at idx 16)");
	tap_is_u64(o->vaddr, L(0, 15), "kmap_local_depth15_address");
	o = lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI + 99);
	tap_ok(has_diag(o, HM_DIAG_LOCAL_OVERFLOW), "kmap_local_16th_is_overflow_bug");
	tap_is_u64(o->depth, 0, "overflow_does_not_push");
	hm_model_free(m);

	p = *hm_profile_find("x86-32-pae");
	p.debug_kmap_local = true;
	m = hm_model_new(&p);
	simple(m, HM_OP_FORK, 1, 0, 5, HM_CTX_TASK);
	o = lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI);
	/* KM_INCR 2: the first mapping is at slot 1, slot 0 is a guard */
	tap_is_u64(o->vaddr, 0xfffff000u - ((68u + 1) << 12), "debug_kmap_local_first_slot_is_1");
	o = lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI + 1);
	tap_is_u64(o->vaddr, 0xfffff000u - ((68u + 3) << 12), "debug_kmap_local_guard_between");
	for (i = 2; i < 16; i++)
		o = lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI + i);
	tap_ok(!o->nr_diags && o->depth == 16, "debug_kmap_local_holds_16 (KM_MAX_IDX 33)");
	o = lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI + 99);
	tap_ok(has_diag(o, HM_DIAG_LOCAL_OVERFLOW), "debug_kmap_local_17th_is_overflow_bug");
	o = lmap(m, HM_OP_KMAP_LOCAL, 6, 1 % p.nr_cpus, HI);
	hm_model_free(m);
}

static void midflight_local(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 0);
	struct hm_outcome *o;
	struct hm_event ev;

	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 7, 0, L(0, 2) + 0x10);
	tap_ok((o->flags & HM_OUT_PREDATES) && !o->nr_diags,
	       "midflight_unmap_of_unknown_task_predates_trace");
	tap_is_u64(o->depth, 1, "midflight_unmap_implies_a_mapping_below");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 7, 0, L(0, 1));
	tap_ok((o->flags & HM_OUT_PREDATES) && !o->nr_diags, "midflight_second_unmap_predates_too");

	/* a return seen without its entry: adopt the observed depth */
	ev = ev_make(HM_OP_KMAP_LOCAL, 8, 0);
	ev.vaddr = L(0, 3);
	o = apply(m, &ev);
	tap_ok((o->flags & HM_OUT_SYNCED) && !(o->flags & HM_OUT_MISMATCH),
	       "midflight_kmap_local_adopts_observed_depth");
	tap_is_u64(o->depth, 3, "midflight_adopted_depth_3");
	hm_model_free(m);
}

static void agreement(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 0);
	struct hm_event ev;
	struct hm_outcome *o;

	simple(m, HM_OP_FORK, 1, 0, 5, HM_CTX_TASK);
	ev = ev_make(HM_OP_KMAP_LOCAL, 5, 0);
	ev.pfn = HI;
	ev.vaddr = 0xfffbb000;
	o = apply(m, &ev);
	tap_ok((o->flags & HM_OUT_CHECKED) && !(o->flags & HM_OUT_MISMATCH),
	       "agreement_checked_and_equal");
	ev = ev_make(HM_OP_KMAP_LOCAL, 5, 0);
	ev.pfn = HI + 1;
	ev.vaddr = 0xfffb0000;
	o = apply(m, &ev);
	tap_ok(o->flags & HM_OUT_MISMATCH, "agreement_mismatch_detected");
	tap_is_u64(hm_model_stats(m)->first_mismatch_index, ev.index, "first_mismatch_index");
	tap_is_u64(hm_model_stats(m)->first_mismatch_expected, 0xfffba000, "first_mismatch_expected");
	tap_is_u64(hm_model_stats(m)->checked, 2, "agreement_checked_2");
	hm_model_free(m);

	/* a pool that was in use before the trace: adopt the first observed address */
	m = model_new("x86-32-pae", 0, 0);
	ev = ev_make(HM_OP_KMAP, 1, 0);
	ev.page = 0xf6e9ccf8;
	ev.vaddr = A(5);
	o = apply(m, &ev);
	tap_ok((o->flags & HM_OUT_SYNCED) && !(o->flags & HM_OUT_MISMATCH),
	       "midflight_pool_adopts_first_address");
	tap_is_u64(o->vaddr, A(5), "midflight_pool_address");
	ev = ev_make(HM_OP_KMAP, 1, 0);
	ev.page = 0xf6e9cd20;
	ev.vaddr = A(6);
	o = apply(m, &ev);
	tap_ok((o->flags & HM_OUT_CHECKED) && !(o->flags & HM_OUT_MISMATCH),
	       "midflight_pool_then_checked");
	hm_model_free(m);
}

/* Found by fuzzing (tests/fuzz/known-bugs): each crashed the model once. */
static void fuzz_regressions(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 0);
	struct hm_profile p = *hm_profile_find("x86-32-pae");
	struct hm_event ev = ev_make(HM_OP_KMAP, 1, 0);
	struct hm_outcome *o;

	/* a kmap_high() return without its entry: no page to search for */
	ev.vaddr = A(5);
	o = apply(m, &ev);
	tap_ok((o->flags & HM_OUT_SYNCED) && o->slot == 5 && o->vaddr == A(5),
	       "kmap_seen_only_by_its_return_takes_the_kernel_address");
	tap_is_u64(o->pool_in_use, 1, "kmap_seen_only_by_its_return_holds_the_slot");
	hm_model_free(m);

	/* DEBUG_KMAP_LOCAL: an observed guard-slot address is never adopted */
	p.debug_kmap_local = true;
	p.highmem_start_pfn = 0x38000;
	m = hm_model_new(&p);
	lmap(m, HM_OP_KMAP_LOCAL, 5, 0, 0x38018);
	ev = ev_make(HM_OP_KMAP_LOCAL, 5, 0);
	ev.pfn = 0x38019;
	ev.vaddr = 0xfffb1000;	/* slot 10: a guard page, even */
	o = apply(m, &ev);
	tap_ok((o->flags & HM_OUT_MISMATCH) && o->depth == 2,
	       "debug_kmap_local_guard_slot_address_is_a_mismatch_not_a_resync");
	for (int i = 0; i < 5; i++) {
		struct hm_event u = ev_make(HM_OP_KUNMAP_LOCAL, 5, 0);

		u.pfn = 0x38018;
		apply(m, &u);
	}
	tap_ok(1, "debug_kmap_local_unmaps_past_empty_keep_invariants");
	hm_model_free(m);
}

static void irqs_and_switches(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 0);
	struct hm_outcome *o;

	simple(m, HM_OP_FORK, 1, 0, 5, HM_CTX_TASK);
	lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI);
	simple(m, HM_OP_IRQ_ENTER, 5, 0, HM_PID_NONE, HM_CTX_HARDIRQ);
	o = lmap(m, HM_OP_KMAP_ATOMIC, 5, 0, HI + 1);
	tap_is_u64(o->vaddr, L(0, 2), "irq_mapping_nests_on_interrupted_task_stack");
	lunmap(m, HM_OP_KUNMAP_ATOMIC, 5, 0, L(0, 2));
	o = simple(m, HM_OP_IRQ_EXIT, 5, 0, HM_PID_NONE, HM_CTX_HARDIRQ);
	tap_ok(!o->nr_diags, "irq_balanced_mapping_is_clean");
	simple(m, HM_OP_IRQ_ENTER, 5, 0, HM_PID_NONE, HM_CTX_SOFTIRQ);
	lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI + 2);
	o = simple(m, HM_OP_IRQ_EXIT, 5, 0, HM_PID_NONE, HM_CTX_SOFTIRQ);
	tap_ok(has_diag(o, HM_DIAG_IRQ_EXIT_HELD), "irq_exit_with_mapping_held");
	lunmap(m, HM_OP_KUNMAP_LOCAL, 5, 0, L(0, 2));

	/* sched_out clears the outgoing task's PTEs, one invlpg each on x86 */
	lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI + 3);
	o = simple(m, HM_OP_SCHED_SWITCH, 5, 0, 6, HM_CTX_TASK);
	tap_is_u64(o->tlb_local, 2, "sched_out_clears_each_local_mapping");
	tap_ok(!o->nr_diags, "sched_switch_with_kmap_local_is_legal");
	o = simple(m, HM_OP_SCHED_SWITCH, 6, 0, 5, HM_CTX_TASK);
	tap_is_u64(o->tlb_local, 0, "sched_in_restores_without_flush_on_x86");
	o = lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI + 4);
	tap_is_u64(o->vaddr, L(0, 3), "sched_in_keeps_the_stack");

	lmap(m, HM_OP_KMAP_ATOMIC, 5, 0, HI + 5);
	o = simple(m, HM_OP_SCHED_SWITCH, 5, 0, 6, HM_CTX_TASK);
	tap_ok(has_diag(o, HM_DIAG_ATOMIC_ACROSS_SWITCH), "kmap_atomic_across_context_switch");
	simple(m, HM_OP_SCHED_SWITCH, 6, 0, 5, HM_CTX_TASK);
	o = kmap(m, 5, 0, HI + 6);
	tap_ok(has_diag(o, HM_DIAG_SLEEP_IN_ATOMIC), "kmap_inside_kmap_atomic_may_sleep");
	o = simple(m, HM_OP_FORK, 5, 0, 9, HM_CTX_TASK);
	tap_ok(has_diag(o, HM_DIAG_FORK_HELD), "fork_with_local_mappings_held_warns");
	o = simple(m, HM_OP_TASK_EXIT, 5, 0, HM_PID_NONE, HM_CTX_TASK);
	tap_ok(has_diag(o, HM_DIAG_TASK_EXIT_HELD), "task_exit_with_local_mappings_held");
	o = lmap(m, HM_OP_KMAP_LOCAL, 5, 0, HI);
	tap_is_u64(o->vaddr, L(0, 1), "pid_reused_after_exit_starts_empty");

	{
		struct hm_event ev = ev_make(HM_OP_KMAP, 9, 0);

		ev.pfn = HI + 50;
		ev.ctx = HM_CTX_HARDIRQ;
		o = apply(m, &ev);
		tap_ok(has_diag(o, HM_DIAG_SLEEP_IN_ATOMIC), "kmap_in_hardirq_may_sleep");
	}
	hm_model_free(m);
}

static void lock_contention(void)
{
	struct hm_model *m = model_new("x86-32-pae", 0, 2);
	struct hm_event a = ev_make(HM_OP_KMAP, 1, 0), b = ev_make(HM_OP_KMAP, 2, 1);
	struct hm_outcome *o;

	a.pfn = HI;
	a.ts = 10000;
	b.pfn = HI + 1;
	b.ts = 10050;
	apply(m, &a);
	/* hold = 1 slot examined * 2 + map 60 + lock 20 = 82 ns: free at 10082 */
	o = apply(m, &b);
	tap_is_u64(o->spin_ns, 32, "kmap_lock_second_cpu_spins_until_free");
	b = ev_make(HM_OP_KMAP, 2, 1);
	b.pfn = HI + 2;
	b.ts = 20000;
	o = apply(m, &b);
	tap_is_u64(o->spin_ns, 0, "kmap_lock_uncontended_no_spin");
	hm_model_free(m);
}

static void colouring(void)
{
	struct hm_model *m = model_new("xtensa", 0, 0);
	struct hm_outcome *o;

	/* 4 colours: colour = pfn & 3; slot = last_pkmap_nr[colour] + 4, plus colour */
	o = kmap(m, 1, 0, HI + 5);	/* colour 1 */
	tap_is_u64(o->slot, 5, "pkmap_colour_first_slot (last 0 + 4 colours + colour 1)");
	o = kmap(m, 1, 0, HI + 9);	/* colour 1 again */
	tap_is_u64(o->slot, 9, "pkmap_colour_steps_by_colour_count");
	o = kmap(m, 1, 0, HI + 4);	/* colour 0 */
	tap_is_u64(o->slot, 4, "pkmap_colour_searches_are_independent");
	/*
	 * kmap_idx(): (slot + KM_MAX_IDX * cpu) * 4 + 3 - colour, from
	 * FIXADDR_TOP 0xcfc3f000 down: colour 1 at depth 1 is index 2.
	 */
	o = lmap(m, HM_OP_KMAP_LOCAL, 1, 0, HI + 5);
	tap_is_u64(o->vaddr, 0xcfc3f000u - (2u << 12), "kmap_local_colour_index_counts_from_top");
	tap_is_u64((o->vaddr >> 12) & 3, 1, "kmap_local_colour_address_has_page_colour");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 1, 0, 0xcfc3f000u - (2u << 12));
	tap_ok(!o->nr_diags && o->depth == 0, "kunmap_local_colour_matches_map");
	hm_model_free(m);
}

static void arm_kmap_high_get(void)
{
	struct hm_profile p = *hm_profile_find("arm-vivt");
	struct hm_model *m;
	struct hm_outcome *o;
	struct hm_event ev;

	p.highmem_start_pfn = 0x70000;
	m = hm_model_new(&p);
	o = kmap(m, 1, 0, 0x80000);
	tap_is_u64(o->vaddr, 0xbfe01000, "arm_pkmap_base_is_page_offset_minus_pmd");
	ev = ev_make(HM_OP_KMAP_HIGH_GET, 1, 0);
	ev.pfn = 0x80000;
	o = apply(m, &ev);
	tap_is_u64(o->vaddr, 0xbfe01000, "kmap_high_get_mapped_page_takes_a_reference");
	tap_is_u64(o->pool_in_use, 1, "kmap_high_get_same_slot");
	ev = ev_make(HM_OP_KMAP_HIGH_GET, 1, 0);
	ev.pfn = 0x80001;
	o = apply(m, &ev);
	tap_is_u64(o->vaddr, 0, "kmap_high_get_unmapped_page_returns_null");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 1, 0, 0xbfe01000);
	tap_ok((o->flags & HM_OUT_UNMAPPED) && o->slot == 1,
	       "arm_kunmap_local_of_pkmap_address_releases_kmap_high_get");
	o = lmap(m, HM_OP_KMAP_LOCAL, 1, 0, 0x80002);
	tap_is_u64(o->vaddr, 0xffefe000, "arm_kmap_local_cpu0_depth1_0xffefe000");
	tap_is_u64(o->tlb_local, 1, "arm_flushes_on_local_map");
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 1, 0, 0xffefe000);
	tap_is_u64(hm_model_stats(m)->cache_flushes, 1, "arm_vivt_flushes_cache_before_unmap");
	/* arch_kmap_local_high_get(): a pooled page is used at its pool address */
	kmap(m, 1, 0, 0x80005);
	o = lmap(m, HM_OP_KMAP_LOCAL, 1, 0, 0x80005);
	tap_is_u64(o->vaddr, 0xbfe02000, "arm_vivt_kmap_local_of_pooled_page_uses_pool_address");
	tap_is_u64(o->depth, 0, "arm_vivt_kmap_local_of_pooled_page_no_push");
	hm_model_free(m);

	/*
	 * ARM finds the PTE by address: an out-of-order kunmap_local tears
	 * down the named mapping, pops, and the top's PTE stays; the next
	 * push onto that slot BUGs.
	 */
	p = *hm_profile_find("arm");
	p.highmem_start_pfn = 0x70000;
	m = hm_model_new(&p);
	simple(m, HM_OP_FORK, 1, 0, 5, HM_CTX_TASK);
	lmap(m, HM_OP_KMAP_LOCAL, 5, 0, 0x80000);	/* 0xffefe000 */
	lmap(m, HM_OP_KMAP_LOCAL, 5, 0, 0x80001);	/* 0xffefd000 */
	o = lunmap(m, HM_OP_KUNMAP_LOCAL, 5, 0, 0xffefe000);
	tap_ok(has_diag(o, HM_DIAG_LOCAL_OUT_OF_ORDER), "arm_out_of_order_warns");
	tap_is_u64(o->vaddr, 0xffefe000, "arm_out_of_order_tears_down_the_named_mapping");
	o = lmap(m, HM_OP_KMAP_LOCAL, 5, 0, 0x80002);
	tap_ok(has_diag(o, HM_DIAG_LOCAL_PTE_BUSY), "arm_next_push_finds_the_stale_pte_bug");
	hm_model_free(m);
}

static void other_flush_policies(void)
{
	struct hm_profile p = *hm_profile_find("mips");
	struct hm_model *m;
	struct hm_outcome *o;

	p.highmem_start_pfn = 0x20000;
	p.nr_cpus = 2;
	m = hm_model_new(&p);
	o = kmap(m, 1, 0, 0x100);
	tap_is_u64(o->tlb_local, 2, "mips_kmap_flushes_lowmem_address_on_every_cpu");
	tap_is_u64(o->ipis, 1, "mips_kmap_flush_ipis_the_other_cpu");
	o = lmap(m, HM_OP_KMAP_LOCAL, 1, 0, 0x30000);
	tap_is_u64(o->vaddr, 0xfffe0000u - (17u << 12), "mips_kmap_local_cpu0_depth1_fix_kmap_begin_17");
	tap_is_u64(o->tlb_local, 1, "mips_flushes_on_local_map");
	hm_model_free(m);

	p = *hm_profile_find("powerpc");
	p.highmem_start_pfn = 0x30000;
	m = hm_model_new(&p);
	o = lmap(m, HM_OP_KMAP_LOCAL, 1, 0, 0x40000);
	tap_is_u64(o->vaddr, 0xfffff000u - (32u << 12), "powerpc_kmap_local_fix_kmap_begin_32");
	tap_is_u64(o->tlb_local, 1, "powerpc_flushes_on_local_map");
	hm_model_free(m);
}

/* Random valid and invalid sequences: the invariants hold after every event. */
static void random_sequences_keep_invariants(void)
{
	static const unsigned int ops[] = {
		HM_OP_KMAP, HM_OP_KUNMAP, HM_OP_KMAP_LOCAL, HM_OP_KUNMAP_LOCAL, HM_OP_KMAP_ATOMIC,
		HM_OP_KUNMAP_ATOMIC, HM_OP_SCHED_SWITCH, HM_OP_IRQ_ENTER, HM_OP_IRQ_EXIT,
		HM_OP_TASK_EXIT, HM_OP_FORK, HM_OP_MIGRATE, HM_OP_KMAP_FLUSH_UNUSED,
	};
	const char *profiles[] = { "x86-32-pae", "x86-32", "arm", "arm-vivt", "xtensa", "mips" };
	unsigned int seed = 12345;
	int bad = 0;

	for (unsigned int pi = 0; pi < sizeof(profiles) / sizeof(profiles[0]); pi++) {
		struct hm_profile p = *hm_profile_find(profiles[pi]);
		struct hm_model *m;

		p.last_pkmap = 8 * p.nr_colors;
		p.nr_cpus = p.nr_cpus_max < 2 ? p.nr_cpus_max : 2;
		p.highmem_start_pfn = 0x1000;
		m = hm_model_new(&p);
		for (int i = 0; i < 20000 && !bad; i++) {
			struct hm_event ev;
			struct hm_outcome o;
			const char *why;

			seed = seed * 1103515245 + 12345;
			ev = ev_make(ops[(seed >> 8) % (sizeof(ops) / sizeof(ops[0]))],
				     (int32_t)((seed >> 4) % 5), (seed >> 12) % p.nr_cpus);
			ev.pfn = 0xff0 + (seed >> 16) % 40;
			if (ev.op == HM_OP_KUNMAP_LOCAL || ev.op == HM_OP_KUNMAP_ATOMIC) {
				ev.pfn = HM_NONE;
				ev.vaddr = p.fixaddr_top -
					   ((uint64_t)(p.fix_kmap_begin + (seed >> 20) % 40) << 12);
			}
			ev.next_pid = (int32_t)((seed >> 24) % 5);
			ev.dest_cpu = (seed >> 3) % p.nr_cpus;
			ev.ctx = (uint8_t)((seed >> 28) % 3);
			if (hm_model_apply(m, &ev, &o) || hm_model_check(m, &why)) {
				tap_diag("%s: event %d op %s: %s", profiles[pi], i,
					 hm_op_name(ev.op), why ? why : "apply failed");
				bad = 1;
			}
			while (hm_model_next_completion(m, &o))
				;
		}
		hm_model_free(m);
	}
	tap_ok(!bad, "random_sequences_keep_invariants (6 profiles x 20000 events)");
}

static void profiles_are_valid(void)
{
	int bad = 0;
	const char *why;

	for (unsigned int i = 0; i < hm_profile_count(); i++)
		if (hm_profile_check(hm_profile_get(i), &why)) {
			tap_diag("%s: %s", hm_profile_get(i)->name, why);
			bad = 1;
		}
	tap_ok(!bad && hm_profile_count() >= 7, "builtin_profiles_pass_their_checks");
	tap_ok(hm_profile_find("x86-32-pae")->last_pkmap == 512 &&
	       hm_profile_find("x86-32")->last_pkmap == 1024 &&
	       hm_profile_find("arm")->last_pkmap == 512, "profile_last_pkmap_constants");
}

int main(void)
{
	profiles_are_valid();
	pkmap_first_slot_is_1();
	pkmap_mapped_page_keeps_address();
	wrap_flushes_only_count_1_slots();
	wrap_without_cleared_slots_no_tlb_flush();
	pool_exhaustion_sleeps_and_wakes();
	futile_wakeup_sleeps_again();
	kunmap_bugs();
	lowmem_pages();
	local_addresses();
	kunmap_local_out_of_order_clears_top();
	stack_limits();
	midflight_local();
	agreement();
	irqs_and_switches();
	lock_contention();
	colouring();
	arm_kmap_high_get();
	other_flush_policies();
	fuzz_regressions();
	random_sequences_keep_invariants();
	return tap_done();
}
