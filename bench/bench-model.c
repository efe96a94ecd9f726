// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-model.c - the model alone: hm_model_apply() over pre-decoded events
 * held in memory (target: at least 50 M events/s, no allocation in the
 * steady state).
 *
 * Usage: bench-model [EVENTS] [REPEATS]
 * The workload is generated from a fixed seed: tasks streaming kmap_local
 * pairs (nesting to depth 3), kmap/kunmap storms that wrap a 512-slot pool,
 * context switches and interrupts on 4 CPUs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hm_model.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct hm_event *gen(size_t n, uint32_t cpus)
{
	struct hm_event *evs = calloc(n, sizeof(*evs));
	uint64_t ts = 0;
	uint32_t depth[80] = { 0 };
	uint64_t pk[80][2];
	uint32_t npk[80] = { 0 };
	size_t i = 0;

	if (!evs)
		return NULL;
	while (i < n) {
		uint32_t cpu = (uint32_t)(next_rand() % cpus);
		int32_t pid = (int32_t)(cpu * 16 + next_rand() % 16) + 1;
		uint64_t r = next_rand() % 100;
		struct hm_event *ev = &evs[i];

		memset(ev, 0, sizeof(*ev));
		ev->ts = (ts += 100);
		ev->ret_ts = HM_NONE;
		ev->pfn = HM_NONE;
		ev->page = HM_NONE;
		ev->vaddr = HM_NONE;
		ev->next_pid = HM_PID_NONE;
		ev->cpu = cpu;
		ev->pid = pid;
		ev->index = i;
		if (r < 70) {
			/* kmap_local streaming: push, or pop the top */
			if (depth[pid] < 3 && (depth[pid] == 0 || (next_rand() & 1))) {
				ev->op = HM_OP_KMAP_LOCAL;
				ev->pfn = 0x40000 + next_rand() % 100000;
				depth[pid]++;
			} else if (depth[pid]) {
				ev->op = HM_OP_KUNMAP_LOCAL;
				ev->vaddr = 0xfffff000u - ((68u + depth[pid] - 1 + 16u * cpu) << 12);
				depth[pid]--;
			} else {
				continue;
			}
		} else if (r < 95) {
			/* each task holds up to two pool pages; many pages wrap the pool */
			if (npk[pid] < 2 && (npk[pid] == 0 || (r & 1))) {
				ev->op = HM_OP_KMAP;
				ev->pfn = 0x40000 + next_rand() % 4096;
				pk[pid][npk[pid]++] = ev->pfn;
			} else {
				ev->op = HM_OP_KUNMAP;
				ev->pfn = pk[pid][--npk[pid]];
			}
		} else if (r < 98) {
			if (depth[pid])
				continue;
			ev->op = HM_OP_SCHED_SWITCH;
			ev->next_pid = (int32_t)(cpu * 16 + next_rand() % 16) + 1;
		} else {
			ev->op = r == 98 ? HM_OP_IRQ_ENTER : HM_OP_IRQ_EXIT;
			ev->ctx = HM_CTX_HARDIRQ;
		}
		i++;
	}
	return evs;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 2000000;
	int reps = argc > 2 ? atoi(argv[2]) : 5;
	struct hm_profile p = *hm_profile_find("x86-32-pae");
	struct hm_event *evs;
	double rates[64];
	uint64_t sink = 0;

	if (reps < 1 || reps > 64)
		reps = 5;
	p.nr_cpus = 4;
	p.highmem_start_pfn = 0x36ffe;
	evs = gen(n, p.nr_cpus);
	if (!evs)
		return 4;
	for (int r = 0; r < reps; r++) {
		struct hm_model *m = hm_model_new(&p);
		struct hm_outcome out;
		double t0, t1;

		t0 = now_s();
		for (size_t i = 0; i < n; i++) {
			hm_model_apply(m, &evs[i], &out);
			sink += out.flags;
			while (hm_model_next_completion(m, &out))
				sink++;
		}
		t1 = now_s();
		rates[r] = n / (t1 - t0);
		if (r == 0)
			fprintf(stderr, "wraps %llu sleeps %llu diags-out-of-order %llu\n",
				(unsigned long long)hm_model_stats(m)->wraps,
				(unsigned long long)hm_model_stats(m)->sleeps,
				(unsigned long long)hm_model_stats(m)->diags[HM_DIAG_LOCAL_OUT_OF_ORDER]);
		hm_model_free(m);
	}
	qsort(rates, reps, sizeof(rates[0]), cmp_double);
	printf("model: %zu events x %d runs: median %.1f M events/s (min %.1f, max %.1f)%s\n", n,
	       reps, rates[reps / 2] / 1e6, rates[0] / 1e6, rates[reps - 1] / 1e6,
	       sink == 0 ? " " : "");
	free(evs);
	return 0;
}
