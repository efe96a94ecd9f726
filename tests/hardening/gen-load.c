// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen-load.c - big synthetic traces, streamed to stdout as hmtrace JSON
 * Lines, for the resource-limit and interrupt tests: nothing is held in
 * memory and nothing is written to disk.
 *
 * usage: gen-load pages N     N distinct highmem pages, each kmap()ed and
 *                             kunmap()ed once by one task (2N events)
 *        gen-load tasks N     N tasks, each forked, switched to, mapping a
 *                             page with kmap_local and unmapping it, never
 *                             exiting (5N events)
 *        gen-load exits N     as tasks, but each task exits at the end (6N events)
 *        gen-load nesting N   N rounds, alternating CPUs, of a task 7 deep in
 *                             kmap_local with 17 interrupts nested on top of
 *                             it, the first 8 mapping with kmap_atomic: 15
 *                             deep, as deep as KM_MAX_IDX allows; all unwound
 *                             in order, no violation
 *        gen-load endless 0   kmap/kunmap of ever new pages until killed
 *
 * Profile: x86-32-pae, one CPU (two for nesting), highmem from pfn 0x38000.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIGHMEM UINT64_C(0x38000)
#define FIXADDR_TOP UINT64_C(0xfffff000)
#define FIX_KMAP_BEGIN 68u
#define KM_MAX_IDX 16u

static uint64_t ts = 1000;

static void ev(uint32_t cpu, int32_t pid, const char *op, const char *rest)
{
	ts += 100;
	printf("{\"ts\":%" PRIu64 ",\"cpu\":%u,\"pid\":%d,\"op\":\"%s\"%s}\n", ts, cpu, pid, op,
	       rest);
}

/* __fix_to_virt(FIX_KMAP_BEGIN + idx) for x86-32-pae */
static uint64_t fix_addr(uint32_t idx)
{
	return FIXADDR_TOP - ((uint64_t)(FIX_KMAP_BEGIN + idx) << 12);
}

static void pages(uint64_t n, int forever)
{
	char rest[96];

	for (uint64_t i = 0; forever || i < n; i++) {
		snprintf(rest, sizeof(rest), ",\"pfn\":%" PRIu64, HIGHMEM + i);
		ev(0, 1, "kmap", rest);
		ev(0, 1, "kunmap", rest);
	}
}

static void tasks(uint64_t n, int exits)
{
	char rest[96];

	for (uint64_t i = 0; i < n; i++) {
		int32_t pid = (int32_t)(2 + i);

		snprintf(rest, sizeof(rest), ",\"next_pid\":%d", pid);
		ev(0, 1, "fork", rest);
		ev(0, 1, "sched_switch", rest);
		snprintf(rest, sizeof(rest), ",\"pfn\":%" PRIu64 ",\"vaddr\":\"0x%" PRIx64 "\"",
			 HIGHMEM + i % 4096, fix_addr(0));
		ev(0, pid, "kmap_local", rest);
		snprintf(rest, sizeof(rest), ",\"vaddr\":\"0x%" PRIx64 "\"", fix_addr(0));
		ev(0, pid, "kunmap_local", rest);
		if (exits)
			ev(0, pid, "task_exit", "");
		snprintf(rest, sizeof(rest), ",\"next_pid\":1");
		ev(0, pid, "sched_switch", rest);
	}
}

static void nesting(uint64_t n)
{
	static const char *const ctx[] = { "softirq", "hardirq", "nmi" };
	char rest[192];

	for (uint64_t r = 0; r < n; r++) {
		uint32_t cpu = r & 1, depth;

		/* the task: 7 deep */
		for (depth = 0; depth < 7; depth++) {
			snprintf(rest, sizeof(rest),
				 ",\"pfn\":%" PRIu64 ",\"vaddr\":\"0x%" PRIx64 "\"",
				 HIGHMEM + depth, fix_addr(depth + KM_MAX_IDX * cpu));
			ev(cpu, 7, "kmap_local", rest);
		}
		/*
		 * 17 interrupts nested on top of it (one more than the frames the
		 * model keeps), the first 8 mapping with kmap_atomic: the stack is
		 * then 15 deep, as deep as KM_MAX_IDX allows
		 */
		for (uint32_t i = 0; i < 17; i++) {
			snprintf(rest, sizeof(rest), ",\"ctx\":\"%s\"", ctx[i % 3]);
			ev(cpu, 7, "irq_enter", rest);
			if (i >= 8)
				continue;
			snprintf(rest, sizeof(rest),
				 ",\"ctx\":\"%s\",\"pfn\":%" PRIu64 ",\"vaddr\":\"0x%" PRIx64
				 "\",\"irqs_off\":true,\"preempt_off\":true", ctx[i % 3],
				 HIGHMEM + 100 + i, fix_addr(depth + i + KM_MAX_IDX * cpu));
			ev(cpu, 7, "kmap_atomic", rest);
		}
		for (uint32_t i = 17; i-- > 0;) {
			if (i < 8) {
				snprintf(rest, sizeof(rest),
					 ",\"ctx\":\"%s\",\"vaddr\":\"0x%" PRIx64
					 "\",\"irqs_off\":true,\"preempt_off\":true", ctx[i % 3],
					 fix_addr(depth + i + KM_MAX_IDX * cpu));
				ev(cpu, 7, "kunmap_atomic", rest);
			}
			snprintf(rest, sizeof(rest), ",\"ctx\":\"%s\"", ctx[i % 3]);
			ev(cpu, 7, "irq_exit", rest);
		}
		while (depth-- > 0) {
			snprintf(rest, sizeof(rest), ",\"vaddr\":\"0x%" PRIx64 "\"",
				 fix_addr(depth + KM_MAX_IDX * cpu));
			ev(cpu, 7, "kunmap_local", rest);
		}
		snprintf(rest, sizeof(rest), ",\"dest_cpu\":%u", cpu ^ 1);
		ev(cpu, 7, "migrate", rest);
	}
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	uint64_t n;
	int nr_cpus;

	if (argc != 3) {
		fprintf(stderr, "usage: gen-load pages|tasks|exits|nesting|endless N\n");
		return 2;
	}
	n = strtoull(argv[2], NULL, 10);
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	nr_cpus = strcmp(argv[1], "nesting") == 0 ? 2 : 1;
	printf("{\"format\":\"hmtrace\",\"version\":1,\"meta\":{\"arch\":\"x86-32-pae\","
	       "\"nr_cpus\":%d,\"highmem_start_pfn\":%" PRIu64 ",\"source\":\"gen-load %s %s\"}}\n",
	       nr_cpus, HIGHMEM, argv[1], argv[2]);
	if (strcmp(argv[1], "pages") == 0)
		pages(n, 0);
	else if (strcmp(argv[1], "endless") == 0)
		pages(0, 1);
	else if (strcmp(argv[1], "tasks") == 0)
		tasks(n, 0);
	else if (strcmp(argv[1], "exits") == 0)
		tasks(n, 1);
	else if (strcmp(argv[1], "nesting") == 0)
		nesting(n);
	else {
		fprintf(stderr, "gen-load: unknown kind \"%s\"\n", argv[1]);
		return 2;
	}
	return fflush(stdout) ? 1 : 0;
}
