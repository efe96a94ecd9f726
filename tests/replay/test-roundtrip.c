// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-roundtrip.c - excerpts of the real captures (tests/replay/data, cut
 * from traces/NAME.ftrace.zst; counts worked out by hand in the comments),
 * and ftrace -> JSON Lines -> read back giving the same events.
 *
 * With arguments (capture files), the full captures: the counts of
 * traces/README.md and their truth files, and the same round trip.  Exits
 * 77 (skipped) when none of the files given exists.
 */
#include <sys/stat.h>

#include "hm_writer.h"
#include "rt-util.h"

static const struct hm_reader_opts defaults;

struct op_count {
	uint64_t n, vaddr, ret, pfn, page;
};

static void count_ops(const struct rt_trace *t, struct op_count *c)
{
	memset(c, 0, sizeof(*c) * HM_OP__COUNT);
	for (size_t i = 0; i < t->n; i++) {
		struct op_count *o = &c[t->ev[i].op];

		o->n++;
		o->vaddr += t->ev[i].vaddr != HM_NONE;
		o->ret += t->ev[i].ret_ts != HM_NONE;
		o->pfn += t->ev[i].pfn != HM_NONE;
		o->page += t->ev[i].page != HM_NONE;
	}
}

static void is_count(const struct op_count *c, unsigned int op, uint64_t n, uint64_t vaddr,
		     uint64_t ret, uint64_t pfn, uint64_t page, const char *what)
{
	const struct op_count *o = &c[op];

	if (!tap_ok(o->n == n && o->vaddr == vaddr && o->ret == ret && o->pfn == pfn &&
		    o->page == page, "%s: %s %llu (vaddr %llu, ret %llu, pfn %llu, page %llu)", what,
		    hm_op_name(op), (unsigned long long)n, (unsigned long long)vaddr,
		    (unsigned long long)ret, (unsigned long long)pfn, (unsigned long long)page))
		printf("#   got: %llu (vaddr %llu, ret %llu, pfn %llu, page %llu)\n",
		       (unsigned long long)o->n, (unsigned long long)o->vaddr,
		       (unsigned long long)o->ret, (unsigned long long)o->pfn,
		       (unsigned long long)o->page);
}

static bool sorted_by_ts(const struct rt_trace *t)
{
	for (size_t i = 1; i < t->n; i++)
		if (t->ev[i].ts < t->ev[i - 1].ts)
			return false;
	return true;
}

/* Write @t as JSON Lines, read it back, compare every field but ->line. */
static void roundtrip(const struct rt_trace *t, const char *name)
{
	char file[64];
	struct rt_trace *b;
	const char *path;
	size_t bad = SIZE_MAX;
	FILE *fp;

	snprintf(file, sizeof(file), "%s.jsonl", name);
	path = rt_path(file);
	fp = fopen(path, "w");
	{
		struct hm_strtab *tab = hm_strtab_new();

		/* the trace's own string ids, in order */
		for (uint32_t i = 1; i < t->nstr; i++)
			hm_strtab_intern(tab, t->str[i], strlen(t->str[i]));
		hm_trace_write_header(fp, &t->meta);
		for (size_t i = 0; i < t->n; i++)
			hm_event_write_json(fp, &t->ev[i], tab);
		hm_strtab_free(tab);
	}
	fclose(fp);
	b = rt_read(path, &defaults);
	tap_ok(b->rc == 0 && b->n == t->n && !strcmp(b->format, "jsonl"),
	       "%s: JSON Lines read back, %zu events (%s)", name, b->n, b->err);
	for (size_t i = 0; i < t->n && i < b->n && bad == SIZE_MAX; i++) {
		const struct hm_event *x = &t->ev[i], *y = &b->ev[i];

		if (x->ts != y->ts || x->ret_ts != y->ret_ts || x->pfn != y->pfn ||
		    x->page != y->page || x->vaddr != y->vaddr || x->index != y->index ||
		    x->pid != y->pid || x->next_pid != y->next_pid || x->cpu != y->cpu ||
		    x->dest_cpu != y->dest_cpu || x->op != y->op || x->ctx != y->ctx ||
		    x->flags != y->flags || strcmp(rt_str(t, x->comm), rt_str(b, y->comm)) ||
		    strcmp(rt_str(t, x->site), rt_str(b, y->site)))
			bad = i;
	}
	tap_ok(bad == SIZE_MAX, "%s: every event identical after the round trip (first difference: %zd)",
	       name, bad == SIZE_MAX ? (ssize_t)-1 : (ssize_t)bad);
	tap_ok(b->meta.nr_cpus == t->meta.nr_cpus && b->meta.lost_events == t->meta.lost_events &&
	       !strcmp(b->meta.source, t->meta.source) && !strcmp(b->meta.arch, t->meta.arch),
	       "%s: meta identical after the round trip", name);
	rt_free(b);
}

static const char *data_file(const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", DATA_DIR, name);
	return buf;
}

static void test_pae_excerpt(void)
{
	struct rt_trace *t = rt_read(data_file("pae-minix-excerpt.ftrace"), &defaults);
	struct op_count c[HM_OP__COUNT];
	const char *w = "pae excerpt";

	/*
	 * 88 event lines (excerpt lines 13-100); see the comments per op.
	 * kmap_local: 17 entries, 21 returns; the returns at lines 17 and
	 * 19 (init), 53 (insmod) and 64 (kworker) have no entry in the
	 * excerpt: 17 paired + 4 returns alone = 21 events.
	 */
	tap_ok(t->rc == 0 && t->n == 68, "%s: 68 events (%zu, %s)", w, t->n, t->err);
	count_ops(t, c);
	is_count(c, HM_OP_KUNMAP_LOCAL, 26, 26, 0, 0, 0, w);
	is_count(c, HM_OP_KMAP_LOCAL, 21, 21, 17, 17, 0, w);
	is_count(c, HM_OP_KMAP, 3, 3, 3, 0, 3, w);	/* lines 73+78, 94+96, 99+100 */
	is_count(c, HM_OP_KUNMAP, 2, 0, 0, 0, 2, w);
	is_count(c, HM_OP_FLUSH_ALL_ZERO, 5, 0, 0, 0, 0, w);
	is_count(c, HM_OP_KMAP_FLUSH_UNUSED, 4, 0, 0, 0, 0, w);
	is_count(c, HM_OP_SCHED_SWITCH, 3, 0, 0, 0, 0, w);
	is_count(c, HM_OP_IRQ_ENTER, 2, 0, 0, 0, 0, w);	/* softirq_entry */
	is_count(c, HM_OP_IRQ_EXIT, 2, 0, 0, 0, 0, w);
	tap_ok(t->meta.nr_cpus == 1 && t->meta.lost_events == 0, "%s: #P:1, nothing lost", w);
	tap_ok(sorted_by_ts(t), "%s: events in entry-time order", w);
	for (size_t i = 0; i < t->n; i++) {
		const struct hm_event *e = &t->ev[i];

		/* line 94: sh's kmap_high that wrapped the pool, with its flush inside */
		if (e->op == HM_OP_KMAP && e->ts == 8553853000ull) {
			tap_ok(e->vaddr == 0xff000000 && e->ret_ts == 8554118000ull &&
			       e->page == 0xf6e92c08 && e->line == 94 &&
			       t->ev[i + 1].op == HM_OP_FLUSH_ALL_ZERO &&
			       t->ev[i + 1].ts == 8553879000ull,
			       "%s: the wrapping kmap comes before the flush it made", w);
			tap_is_str(rt_str(t, e->site), "dir_get_page.isra.0+0x50/0x60 [minix]",
				   "pae excerpt: kmap site");
		}
		/* line 64: kworker's return from a map made before the excerpt */
		if (e->ts == 6014844000ull)
			tap_ok(e->op == HM_OP_KMAP_LOCAL && e->vaddr == 0xfffbb000 &&
			       e->pfn == HM_NONE && e->ret_ts == HM_NONE && e->pid == 23,
			       "%s: a return alone is a map at the return time", w);
	}
	roundtrip(t, "pae-excerpt");
	rt_free(t);
}

static void test_nopae_excerpt(void)
{
	struct rt_trace *t = rt_read(data_file("nopae-tmpfs-excerpt.ftrace"), &defaults);
	struct op_count c[HM_OP__COUNT];
	const char *w = "nopae excerpt";

	/*
	 * kmap_local: 18 entries, 16 returns.  Returns at lines 17 and 19
	 * have no entry; 14 pair.  The entries at lines 55 (init), 68 (cat),
	 * 69 and 84 (sed) lose their returns to the cuts: they come out at
	 * the end of the excerpt without one.  18 + 2 = 20 events.
	 */
	tap_ok(t->rc == 0 && t->n == 58, "%s: 58 events (%zu, %s)", w, t->n, t->err);
	count_ops(t, c);
	is_count(c, HM_OP_KUNMAP_LOCAL, 21, 21, 0, 0, 0, w);
	is_count(c, HM_OP_KMAP_LOCAL, 20, 16, 14, 18, 0, w);
	is_count(c, HM_OP_SCHED_SWITCH, 3, 0, 0, 0, 0, w);
	is_count(c, HM_OP_MIGRATE, 2, 0, 0, 0, 0, w);
	is_count(c, HM_OP_IRQ_ENTER, 6, 0, 0, 0, 0, w);	/* 4 hardirq + 2 softirq */
	is_count(c, HM_OP_IRQ_EXIT, 6, 0, 0, 0, 0, w);
	tap_ok(t->meta.nr_cpus == 2, "%s: #P:2", w);
	tap_ok(sorted_by_ts(t), "%s: events in entry-time order", w);
	for (size_t i = 0; i < t->n; i++) {
		const struct hm_event *e = &t->ev[i];

		if (e->op == HM_OP_MIGRATE && e->ts == 6166234000ull)
			tap_ok(e->pid == 15 && e->cpu == 1 && e->dest_cpu == 0 && e->line == 48,
			       "%s: rcu_preempt migrates from CPU 1 to 0", w);
		/* line 70: sed maps again while its map of line 69 never returned */
		if (e->op == HM_OP_KMAP_LOCAL && e->ts == 6176075000ull)
			tap_ok(e->ret_ts == 6176078000ull && e->vaddr == 0xfffab000 &&
			       e->line == 70, "%s: the inner map pairs with its own return", w);
		if (e->op == HM_OP_IRQ_ENTER && e->ts == 6176327000ull)
			tap_ok(e->ctx == HM_CTX_HARDIRQ && (e->flags & HM_EVF_IRQS_OFF),
			       "%s: irq_handler_entry is hardirq with irqs off", w);
	}
	roundtrip(t, "nopae-excerpt");
	rt_free(t);
}

/* The full captures, when present: counts of traces/README.md and *.truth.json. */
static int test_captures(int argc, char **argv)
{
	int found = 0;

	for (int i = 1; i < argc; i++) {
		struct op_count c[HM_OP__COUNT];
		struct rt_trace *t;
		struct stat st;
		const char *w = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];

		if (stat(argv[i], &st) != 0)
			continue;
		found++;
		t = rt_read(argv[i], &defaults);
		tap_ok(t->rc == 0, "%s: read (%s)", w, t->err);
		count_ops(t, c);
		if (strstr(w, "pae-1cpu-minix600")) {
			tap_is_u64(t->n, 212098, "pae-1cpu-minix600: events");
			is_count(c, HM_OP_KMAP, 8190, 8190, 8190, 0, 8190, w);
			is_count(c, HM_OP_KUNMAP, 8190, 0, 0, 0, 8190, w);
			/* 90095 paired + 2 returns from before the capture */
			is_count(c, HM_OP_KMAP_LOCAL, 90097, 90097, 90095, 90095, 0, w);
			is_count(c, HM_OP_KUNMAP_LOCAL, 94957, 94957, 0, 0, 0, w);
			is_count(c, HM_OP_FLUSH_ALL_ZERO, 35, 0, 0, 0, 0, w);
			is_count(c, HM_OP_KMAP_FLUSH_UNUSED, 32, 0, 0, 0, 0, w);
			is_count(c, HM_OP_SCHED_SWITCH, 4791, 0, 0, 0, 0, w);
			is_count(c, HM_OP_TASK_EXIT, 623, 0, 0, 0, 0, w);
			is_count(c, HM_OP_IRQ_ENTER, 36 + 2556, 0, 0, 0, 0, w);
			is_count(c, HM_OP_IRQ_EXIT, 36 + 2555, 0, 0, 0, 0, w);
			tap_ok(t->meta.nr_cpus == 1 && t->skipped == 0 && t->backwards == 0,
			       "%s: 1 CPU, nothing skipped, no time going backwards", w);
		} else if (strstr(w, "nopae-2cpu-tmpfs")) {
			tap_is_u64(t->n, 54778, "nopae-2cpu-tmpfs: events");
			is_count(c, HM_OP_KMAP_LOCAL, 26761, 26761, 26759, 26759, 0, w);
			is_count(c, HM_OP_KUNMAP_LOCAL, 26845, 26845, 0, 0, 0, w);
			is_count(c, HM_OP_MIGRATE, 12, 0, 0, 0, 0, w);
			is_count(c, HM_OP_SCHED_SWITCH, 147, 0, 0, 0, 0, w);
			tap_ok(t->meta.nr_cpus == 2 && t->skipped == 0, "%s: 2 CPUs, nothing skipped", w);
		}
		tap_ok(sorted_by_ts(t), "%s: events in entry-time order", w);
		roundtrip(t, w);
		rt_free(t);
	}
	if (!found) {
		printf("1..0 # SKIP none of the capture files is present\n");
		return 77;
	}
	return tap_done();
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return test_captures(argc, argv);
	test_pae_excerpt();
	test_nopae_excerpt();
	return tap_done();
}
