// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-lockorder.c - overlapping kmap_high() calls on two CPUs are put back in
 * the order kmap_lock was taken, as the observed addresses show.
 */
#include <string.h>

#include "hm_lockorder.h"
#include "../tap.h"

static struct hm_event mk(unsigned int op, int32_t pid, uint32_t cpu, uint64_t ts, uint64_t ret,
			  uint64_t pfn, uint64_t vaddr, uint64_t index)
{
	struct hm_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.op = (uint16_t)op;
	ev.pid = pid;
	ev.cpu = cpu;
	ev.ts = ts;
	ev.ret_ts = ret;
	ev.pfn = pfn;
	ev.page = HM_NONE;
	ev.vaddr = vaddr;
	ev.next_pid = HM_PID_NONE;
	ev.index = index;
	return ev;
}

static uint64_t run(struct hm_event *evs, int n, bool reorder, uint64_t *moved)
{
	struct hm_profile p = *hm_profile_find("x86-32-pae");
	struct hm_lockorder *lo = hm_lockorder_new();
	struct hm_model *m;
	struct hm_outcome out;
	struct hm_event ev;
	uint64_t bad;

	p.nr_cpus = 2;
	m = hm_model_new(&p);
	for (int i = 0; i < n; i++) {
		if (!reorder) {
			hm_model_apply(m, &evs[i], &out);
			continue;
		}
		hm_lockorder_push(lo, &evs[i]);
		while (hm_lockorder_pop(lo, m, false, &ev) == 1)
			hm_model_apply(m, &ev, &out);
	}
	while (reorder && hm_lockorder_pop(lo, m, true, &ev) == 1)
		hm_model_apply(m, &ev, &out);
	bad = hm_model_stats(m)->mismatched;
	*moved = hm_lockorder_moved(lo);
	hm_model_free(m);
	hm_lockorder_free(lo);
	return bad;
}

int main(void)
{
	/* cpu 0 enters first but cpu 1 took the lock first: it got slot 2 */
	struct hm_event evs[] = {
		mk(HM_OP_KMAP, 9, 0, 500, 510, 0x3ffff, 0xff001000, 0),
		mk(HM_OP_KMAP, 10, 0, 1000, 1100, 0x40000, 0xff003000, 1),
		mk(HM_OP_KMAP, 11, 1, 1010, 1050, 0x40001, 0xff002000, 2),
		mk(HM_OP_KMAP_LOCAL, 11, 1, 1060, 1070, 0x40002, 0xfffab000, 3),
		mk(HM_OP_KMAP, 12, 1, 2000, 2010, 0x40003, 0xff004000, 4),
	};
	struct hm_event inorder[] = {
		mk(HM_OP_KMAP, 10, 0, 1000, 1100, 0x40000, 0xff001000, 0),
		mk(HM_OP_KMAP, 11, 1, 1010, 1050, 0x40001, 0xff002000, 1),
		mk(HM_OP_KMAP, 12, 1, 2000, 2010, 0x40003, 0xff003000, 2),
	};
	uint64_t moved;

	tap_is_u64(run(evs, 5, false, &moved), 2, "entry_order_gives_two_mismatches");
	tap_is_u64(run(evs, 5, true, &moved), 0, "lock_order_inferred_from_observed_addresses");
	tap_is_u64(moved, 1, "one_call_moved_after_the_other");
	tap_is_u64(run(inorder, 3, true, &moved), 0, "entry_order_kept_when_it_agrees");
	tap_is_u64(moved, 0, "nothing_moved_when_entry_order_agrees");
	return tap_done();
}
