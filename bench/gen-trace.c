// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen-trace.c - deterministic synthetic traces for the benchmarks, written
 * as hmtrace JSON Lines and as CTF (hmtrace native event classes) from one
 * seed, so both forms hold the same events.
 *
 * The workload, per CPU: tasks streaming kmap_local pairs (usually nesting
 * to depth 1-3, sometimes 6-12 deep), hard interrupts mapping with
 * kmap_atomic on top of them, tasks taking one or two pool pages with
 * kmap/kunmap, kmap storms (a task maps a few hundred pages, then unmaps
 * them) that wrap the pool and, several at once, exhaust it so that mappers
 * sleep, and context switches, migrations, forks and exits among many tasks.
 *
 * Events go through the model as they are made, so the addresses written
 * are the ones the kernel would have handed out, a task that sleeps in
 * kmap() makes no event until the model wakes it, and replaying the trace
 * finds no mismatches.  Time only moves forward, and every call returns
 * before the next event starts, so the trace's order is the kernel's.
 *
 * Usage: gen-trace [-s SEED] [-n EVENTS] [-c CPUS] [-t TASKS] [-j FILE|-] [-C DIR]
 *        gen-trace -V    (the workload's version: the same seed and version give
 *                         the same events; bump GEN_VERSION with any change to them)
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hm_model.h"
#include "hm_reader.h"
#include "hm_util.h"
#include "hm_writer.h"

#define GEN_VERSION 1
#define HIGHMEM_START_PFN 0x38000u
#define MAX_DEPTH 12		/* a task's kmap_local stack, at most */
#define MAX_IRQ_DEPTH 2
#define MAX_STORMS 3		/* tasks in a storm at once */
#define STORM_MIN 100		/* pages a storm maps, at least ... */
#define STORM_SPAN 200		/* ... plus up to this many more */
#define TASK_PK 2		/* pool pages an ordinary task holds */
#define MAX_SLEEPERS 4		/* tasks asleep in kmap() at once, at most */
#define CTF_PACKET_EVENTS 4096

/* ------------------------------------------------------------ random --- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64: good enough, and the same on every machine */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* ------------------------------------------------------------- state --- */

struct task {
	int32_t pid;
	uint32_t cpu;
	uint32_t comm;		/* string id */
	uint32_t depth, target;	/* kmap_local stack */
	uint64_t stack[MAX_DEPTH];
	uint32_t npk;		/* pool pages held */
	uint64_t *pk;		/* their pfns */
	uint32_t storm_goal;	/* 0: not in a storm */
	bool unmapping;		/* storm: giving the pages back */
	bool blocked;		/* asleep in kmap() */
	bool running;
	bool dead;
};

struct cpu {
	uint32_t cur;		/* task index, or NONE for idle */
	uint32_t irq_depth, irq_target;
	bool in_irq;
	uint64_t irq_stack[MAX_IRQ_DEPTH];
};

#define NONE UINT32_MAX

struct ctf_stream {
	FILE *fp;
	unsigned char *buf;	/* the packet being built */
	size_t len, cap;
	uint32_t nevents;
	uint64_t ts_begin, ts_end, seq;
};

struct gen {
	struct hm_model *model;
	struct hm_profile prof;
	struct hm_strtab *tab;
	struct task *tasks;
	uint32_t nr_tasks, cap_tasks;
	uint32_t *by_pid;	/* pid - 1 -> task index */
	uint32_t nr_pids, cap_pids;
	struct cpu *cpus;
	uint32_t nr_cpus;
	uint32_t sites[48], nr_sites;
	uint32_t storms, unmappers;
	uint32_t held;		/* pool pages tasks hold: bounds the slots in use */
	uint32_t peak_held;
	uint32_t sleepers;	/* tasks asleep in kmap() */
	uint32_t unmap_pages;	/* pages storms that are giving theirs back still hold */
	uint64_t idle_steps;
	uint64_t ts, made, want;
	uint64_t next_pfn;	/* storms walk through many pages */
	FILE *jsonl;
	struct ctf_stream *ctf;
	const char *ctf_dir;
};

static void die(const char *what)
{
	fprintf(stderr, "gen-trace: %s\n", what);
	exit(4);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die("out of memory");
	return p;
}

/* -------------------------------------------------------------- CTF --- */

static void ctf_put(struct ctf_stream *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void ctf_u32(struct ctf_stream *s, uint32_t v)
{
	ctf_put(s, &v, 4);	/* the metadata says little-endian; so is this machine */
}

static void ctf_u64(struct ctf_stream *s, uint64_t v)
{
	ctf_put(s, &v, 8);
}

static void ctf_str(struct ctf_stream *s, const char *str)
{
	ctf_put(s, str, strlen(str) + 1);
}

static const unsigned char ctf_uuid[16] = {
	/* "hmtrace-bench", 0, 0, 1 */
	0x68, 0x6d, 0x74, 0x72, 0x61, 0x63, 0x65, 0x2d,
	0x62, 0x65, 0x6e, 0x63, 0x68, 0x00, 0x00, 0x01,
};

/* Packet header and context; the sizes and end time are patched in at the end. */
#define CTF_HDR_LEN (4 + 16 + 8 + 8)
#define CTF_CTX_LEN (8 * 5 + 4)

static void ctf_packet_start(struct ctf_stream *s, uint32_t cpu)
{
	uint64_t zero = 0;

	s->len = 0;
	s->nevents = 0;
	ctf_u32(s, 0xc1fc1fc1);
	ctf_put(s, ctf_uuid, sizeof(ctf_uuid));
	ctf_u64(s, 0);			/* stream_id */
	ctf_u64(s, cpu);		/* stream_instance_id */
	for (int i = 0; i < 4; i++)
		ctf_put(s, &zero, 8);	/* packet_size, content_size, begin, end */
	ctf_u64(s, s->seq++);
	ctf_u32(s, cpu);		/* cpu_id */
}

static void ctf_packet_end(struct ctf_stream *s)
{
	uint64_t bits = (uint64_t)s->len * 8;

	memcpy(s->buf + CTF_HDR_LEN, &bits, 8);
	memcpy(s->buf + CTF_HDR_LEN + 8, &bits, 8);
	memcpy(s->buf + CTF_HDR_LEN + 16, &s->ts_begin, 8);
	memcpy(s->buf + CTF_HDR_LEN + 24, &s->ts_end, 8);
	if (fwrite(s->buf, 1, s->len, s->fp) != s->len)
		die("cannot write a CTF stream");
	s->len = 0;
}

static bool op_is_mapping(unsigned int op)
{
	return op <= HM_OP_KMAP_HIGH_GET;
}

static void ctf_event(struct gen *g, const struct hm_event *ev)
{
	struct ctf_stream *s = &g->ctf[ev->cpu];
	uint32_t flags = ev->flags & (HM_EVF_IRQS_OFF | HM_EVF_PREEMPT_OFF | HM_EVF_CTX_KNOWN);

	if (s->nevents == CTF_PACKET_EVENTS)
		ctf_packet_end(s);
	if (s->len == 0) {
		ctf_packet_start(s, ev->cpu);
		s->ts_begin = ev->ts;
	}
	s->ts_end = ev->ts;
	s->nevents++;
	ctf_u64(s, ev->op);		/* event id */
	ctf_u64(s, ev->ts);
	ctf_u32(s, ev->cpu);
	ctf_u32(s, (uint32_t)ev->pid);
	ctf_str(s, hm_strtab_get(g->tab, ev->comm));
	ctf_str(s, hm_ctx_name(ev->ctx));
	if (op_is_mapping(ev->op)) {
		ctf_u64(s, ev->pfn);
		ctf_u64(s, ev->page);
		ctf_u64(s, ev->vaddr);
		ctf_u64(s, ev->ret_ts);
		ctf_str(s, hm_strtab_get(g->tab, ev->site));
	} else if (ev->op == HM_OP_SCHED_SWITCH || ev->op == HM_OP_FORK) {
		ctf_u32(s, (uint32_t)ev->next_pid);
	} else if (ev->op == HM_OP_MIGRATE) {
		ctf_u32(s, ev->dest_cpu);
	}
	ctf_u32(s, flags);
}

static void ctf_metadata(struct gen *g, FILE *fp)
{
	fprintf(fp, "/* CTF 1.8 */\n\n"
		"/* hmtrace bench/gen-trace: native event classes, one per op. */\n\n"
		"trace {\n\tmajor = 1;\n\tminor = 8;\n\tuuid = \"");
	for (int i = 0; i < 16; i++)
		fprintf(fp, "%02x%s", ctf_uuid[i], i == 3 || i == 5 || i == 7 || i == 9 ? "-" : "");
	fprintf(fp, "\";\n\tbyte_order = le;\n"
		"\tpacket.header := struct {\n"
		"\t\tinteger { size = 32; align = 8; base = x; } magic;\n"
		"\t\tinteger { size = 8; align = 8; } uuid[16];\n"
		"\t\tinteger { size = 64; align = 8; } stream_id;\n"
		"\t\tinteger { size = 64; align = 8; } stream_instance_id;\n"
		"\t} align(8);\n};\n\n"
		"env {\n\ttracer_name = \"hmtrace\";\n\thmtrace_arch = \"%s\";\n"
		"\thmtrace_nr_cpus = %u;\n\thmtrace_highmem_start_pfn = %u;\n"
		"\thmtrace_source = \"bench/gen-trace\";\n};\n\n"
		"clock {\n\tname = monotonic;\n\tfreq = 1000000000;\n\tprecision = 0;\n"
		"\toffset_s = 0;\n\toffset = 0;\n\tabsolute = false;\n};\n\n"
		"stream {\n\tid = 0;\n\tpacket.context := struct {\n"
		"\t\tinteger { size = 64; align = 8; } packet_size;\n"
		"\t\tinteger { size = 64; align = 8; } content_size;\n"
		"\t\tinteger { size = 64; align = 8; map = clock.monotonic.value; } timestamp_begin;\n"
		"\t\tinteger { size = 64; align = 8; map = clock.monotonic.value; } timestamp_end;\n"
		"\t\tinteger { size = 64; align = 8; } packet_seq_num;\n"
		"\t\tinteger { size = 32; align = 8; } _cpu_id;\n"
		"\t} align(8);\n\n\tevent.header := struct {\n"
		"\t\tinteger { size = 64; align = 8; } id;\n"
		"\t\tinteger { size = 64; align = 8; map = clock.monotonic.value; } timestamp;\n"
		"\t} align(8);\n};\n",
		g->prof.name, g->nr_cpus, HIGHMEM_START_PFN);
	for (unsigned int op = 0; op < HM_OP__COUNT; op++) {
		fprintf(fp, "\nevent {\n\tname = \"%s\";\n\tstream_id = 0;\n\tid = %u;\n"
			"\tfields := struct {\n"
			"\t\tinteger { size = 32; align = 8; } _cpu;\n"
			"\t\tinteger { size = 32; align = 8; signed = true; } _pid;\n"
			"\t\tstring { encoding = UTF8; } _comm;\n"
			"\t\tstring { encoding = UTF8; } _ctx;\n", hm_op_name(op), op);
		if (op_is_mapping(op))
			fprintf(fp, "\t\tinteger { size = 64; align = 8; base = x; } _pfn;\n"
				"\t\tinteger { size = 64; align = 8; base = x; } _page;\n"
				"\t\tinteger { size = 64; align = 8; base = x; } _vaddr;\n"
				"\t\tinteger { size = 64; align = 8; base = x; } _ret_ts;\n"
				"\t\tstring { encoding = UTF8; } _site;\n");
		else if (op == HM_OP_SCHED_SWITCH || op == HM_OP_FORK)
			fprintf(fp, "\t\tinteger { size = 32; align = 8; signed = true; } "
				"_next_pid;\n");
		else if (op == HM_OP_MIGRATE)
			fprintf(fp, "\t\tinteger { size = 32; align = 8; } _dest_cpu;\n");
		fprintf(fp, "\t\tinteger { size = 32; align = 8; } _flags;\n\t} align(8);\n};\n");
	}
}

static void ctf_open(struct gen *g)
{
	char path[4096];

	if (mkdir(g->ctf_dir, 0755) < 0 && errno != EEXIST)
		die("cannot create the CTF directory");
	g->ctf = calloc(g->nr_cpus, sizeof(*g->ctf));
	if (!g->ctf)
		die("out of memory");
	for (uint32_t c = 0; c < g->nr_cpus; c++) {
		snprintf(path, sizeof(path), "%s/stream_%u", g->ctf_dir, c);
		g->ctf[c].fp = fopen(path, "wb");
		if (!g->ctf[c].fp)
			die("cannot create a CTF stream file");
	}
}

static void ctf_close(struct gen *g)
{
	char path[4096];
	FILE *fp;

	for (uint32_t c = 0; c < g->nr_cpus; c++) {
		struct ctf_stream *s = &g->ctf[c];

		if (s->len)
			ctf_packet_end(s);
		if (fclose(s->fp))
			die("cannot write a CTF stream");
		free(s->buf);
	}
	snprintf(path, sizeof(path), "%s/metadata", g->ctf_dir);
	fp = fopen(path, "w");
	if (!fp)
		die("cannot create the CTF metadata");
	ctf_metadata(g, fp);
	if (fclose(fp))
		die("cannot write the CTF metadata");
	free(g->ctf);
}

/* ----------------------------------------------------------- events --- */

static const char *const comms[] = {
	"kworker/u8:1", "dd", "cp", "tar", "postgres", "rsync", "jbd2/sda1-8", "kswapd0",
	"nginx", "python3", "sshd", "systemd-journal", "find", "gzip", "mysqld", "git",
};

static const char *const site_names[] = {
	"copy_page_to_iter+0x40/0x120", "copy_page_from_iter+0x30/0x110",
	"__kmap_local_page_prot+0x51/0x60", "zero_user_segments+0x6c/0x130",
	"bounce_copy_vec+0x48/0x90", "ext4_read_inline_data+0x7e/0xf0",
	"dir_get_page.isra.0+0x50/0x60 [minix]", "ata_pio_sector+0x7c/0x110",
	"shmem_write_end+0x5f/0x140", "memcpy_to_page+0x2a/0x60", "squashfs_copy_data+0x91/0x150",
	"crypto_scatterwalk_map+0x18/0x40", "skb_copy_bits+0x10d/0x270", "pipe_read+0x1c3/0x430",
};

static void emit(struct gen *g, struct hm_event *ev, struct hm_outcome *out);

static struct hm_event event_new(struct gen *g, uint32_t cpu, const struct task *t,
				 unsigned int op)
{
	struct hm_event ev;

	memset(&ev, 0, sizeof(ev));
	g->ts += 40 + below(160);
	ev.ts = g->ts;
	ev.ret_ts = HM_NONE;
	ev.pfn = HM_NONE;
	ev.page = HM_NONE;
	ev.vaddr = HM_NONE;
	ev.next_pid = HM_PID_NONE;
	ev.cpu = cpu;
	ev.pid = t ? t->pid : 0;
	ev.comm = t ? t->comm : hm_strtab_intern(g->tab, "swapper", 7);
	ev.op = (uint16_t)op;
	ev.flags = HM_EVF_CTX_KNOWN;
	if (g->cpus[cpu].in_irq) {
		ev.ctx = HM_CTX_HARDIRQ;
		ev.flags |= HM_EVF_IRQS_OFF | HM_EVF_PREEMPT_OFF;
	} else if ((op == HM_OP_KMAP_LOCAL || op == HM_OP_KUNMAP_LOCAL) && below(10) == 0) {
		/* a caller holding a spinlock: fine for local mappings, not for kmap() */
		ev.flags |= HM_EVF_PREEMPT_OFF;
	}
	ev.index = g->made;
	return ev;
}

/* A call: it returns within the gap before the next event. */
static void set_call(struct gen *g, struct hm_event *ev)
{
	ev->ret_ts = ev->ts + 5 + below(30);
	ev->site = g->sites[below(g->nr_sites)];
}

static uint32_t task_new(struct gen *g, uint32_t cpu)
{
	struct task *t;
	int32_t pid;

	if (g->nr_tasks == g->cap_tasks) {
		g->cap_tasks = g->cap_tasks ? g->cap_tasks * 2 : 256;
		g->tasks = xrealloc(g->tasks, g->cap_tasks * sizeof(*g->tasks));
	}
	if (g->nr_pids == g->cap_pids) {
		g->cap_pids = g->cap_pids ? g->cap_pids * 2 : 256;
		g->by_pid = xrealloc(g->by_pid, g->cap_pids * sizeof(*g->by_pid));
	}
	pid = (int32_t)++g->nr_pids;
	g->by_pid[pid - 1] = g->nr_tasks;
	t = &g->tasks[g->nr_tasks];
	memset(t, 0, sizeof(*t));
	t->pid = pid + 1000;
	t->cpu = cpu;
	t->comm = hm_strtab_intern(g->tab, comms[pid % 16], strlen(comms[pid % 16]));
	t->target = 1;
	t->pk = malloc((STORM_MIN + STORM_SPAN) * sizeof(*t->pk));
	if (!t->pk)
		die("out of memory");
	return g->nr_tasks++;
}

static struct task *task_of_pid(struct gen *g, int32_t pid)
{
	if (pid <= 1000 || (uint32_t)(pid - 1001) >= g->nr_pids)
		return NULL;
	return &g->tasks[g->by_pid[pid - 1001]];
}

/* A runnable task for @cpu other than its current one, or NONE. */
static uint32_t pick_next(struct gen *g, uint32_t cpu)
{
	for (int tries = 0; tries < 64; tries++) {
		uint32_t i = below(g->nr_tasks);
		struct task *t = &g->tasks[i];

		if (t->cpu == cpu && !t->blocked && !t->running && !t->dead)
			return i;
	}
	return NONE;
}

static void switch_to(struct gen *g, uint32_t cpu, uint32_t next)
{
	struct cpu *c = &g->cpus[cpu];
	struct task *prev = c->cur == NONE ? NULL : &g->tasks[c->cur];
	struct hm_event ev = event_new(g, cpu, prev, HM_OP_SCHED_SWITCH);
	struct hm_outcome out;

	ev.flags |= HM_EVF_IRQS_OFF | HM_EVF_PREEMPT_OFF;
	ev.next_pid = next == NONE ? 0 : g->tasks[next].pid;
	if (prev)
		prev->running = false;
	c->cur = next;
	if (next != NONE)
		g->tasks[next].running = true;
	emit(g, &ev, &out);
}

/* Apply an event to the model, write it out, and wake the tasks it woke. */
static void emit(struct gen *g, struct hm_event *ev, struct hm_outcome *out)
{
	struct hm_outcome c;

	if (hm_model_apply(g->model, ev, out))
		die("the model ran out of memory");
	/* a map returns the address the model handed out (none yet if it sleeps) */
	if ((ev->op == HM_OP_KMAP || ev->op == HM_OP_KMAP_LOCAL || ev->op == HM_OP_KMAP_ATOMIC) &&
	    out->flags & HM_OUT_MAPPED)
		ev->vaddr = out->vaddr;
	if (out->flags & HM_OUT_WAIT)
		ev->ret_ts = HM_NONE;
	g->made++;
	if (g->jsonl && hm_event_write_json(g->jsonl, ev, g->tab))
		die("cannot write the JSON Lines output");
	if (g->ctf)
		ctf_event(g, ev);
	while (hm_model_next_completion(g->model, &c)) {
		struct task *t = task_of_pid(g, c.pid);

		if (!t || !t->blocked)
			continue;
		t->blocked = false;
		g->sleepers--;
		/* an idle CPU runs it at once */
		if (g->cpus[t->cpu].cur == NONE && !g->cpus[t->cpu].in_irq && g->made < g->want)
			switch_to(g, t->cpu, (uint32_t)(t - g->tasks));
	}
}

static void local_map(struct gen *g, uint32_t cpu, struct task *t, bool irq)
{
	struct hm_event ev = event_new(g, cpu, t, irq ? HM_OP_KMAP_ATOMIC : HM_OP_KMAP_LOCAL);
	struct cpu *c = &g->cpus[cpu];
	struct hm_outcome out;

	ev.pfn = 0x40000 + below(200000);
	set_call(g, &ev);
	emit(g, &ev, &out);
	if (irq)
		c->irq_stack[c->irq_depth++] = out.vaddr;
	else
		t->stack[t->depth++] = out.vaddr;
}

static void local_unmap(struct gen *g, uint32_t cpu, struct task *t, bool irq)
{
	struct hm_event ev = event_new(g, cpu, t, irq ? HM_OP_KUNMAP_ATOMIC : HM_OP_KUNMAP_LOCAL);
	struct cpu *c = &g->cpus[cpu];
	struct hm_outcome out;

	/* kunmap_local() takes any address inside the page */
	ev.vaddr = (irq ? c->irq_stack[--c->irq_depth] : t->stack[--t->depth]) + below(4096);
	emit(g, &ev, &out);
}

/* kmap() of a pool page: the task may go to sleep in it. */
static void pool_map(struct gen *g, uint32_t cpu, struct task *t, uint64_t pfn)
{
	struct hm_event ev = event_new(g, cpu, t, HM_OP_KMAP);
	struct hm_outcome out;

	ev.pfn = pfn;
	set_call(g, &ev);
	t->pk[t->npk++] = pfn;
	g->held++;
	if (g->held > g->peak_held)
		g->peak_held = g->held;
	emit(g, &ev, &out);
	if (out.flags & HM_OUT_WAIT) {
		t->blocked = true;
		g->sleepers++;
		if (g->made < g->want)
			switch_to(g, cpu, pick_next(g, cpu));
	}
}

static void pool_unmap(struct gen *g, uint32_t cpu, struct task *t)
{
	struct hm_event ev = event_new(g, cpu, t, HM_OP_KUNMAP);
	struct hm_outcome out;

	ev.pfn = t->pk[--t->npk];
	g->held--;
	emit(g, &ev, &out);
}

/*
 * Whether a kmap() may be made now.  It cannot sleep while the pages tasks
 * hold leave a slot free; when the pool may be full, sleeping is allowed only
 * while storms that are giving pages back still hold more than there are
 * sleepers, so that every sleeper is woken with a slot to take, and only for
 * a few sleepers at once (each wake-up makes every sleeper search the pool).
 */
static bool may_map(const struct gen *g)
{
	return g->held + 8 < g->prof.last_pkmap ||
	       (g->sleepers < MAX_SLEEPERS && g->unmap_pages > g->sleepers + 1);
}

static void storm_flip(struct gen *g, struct task *t)
{
	t->unmapping = true;
	g->unmappers++;
	g->unmap_pages += t->npk;
}

/* A storm: map STORM_MIN.. pages one after the other, then unmap them all. */
static void storm_step(struct gen *g, uint32_t cpu, struct task *t)
{
	if (!t->unmapping && (t->npk == t->storm_goal || !may_map(g))) {
		if (t->npk == 0) {
			/* the pool is full before it began: no storm after all */
			t->storm_goal = 0;
			g->storms--;
			return;
		}
		storm_flip(g, t);
	}
	if (!t->unmapping) {
		pool_map(g, cpu, t, g->next_pfn);
		g->next_pfn = g->next_pfn + 1 < 0x40000 + 300000 ? g->next_pfn + 1 : 0x40000;
		return;
	}
	pool_unmap(g, cpu, t);
	g->unmap_pages--;
	if (t->npk == 0) {
		t->storm_goal = 0;
		t->unmapping = false;
		g->unmappers--;
		g->storms--;
	}
}

static void pool_step(struct gen *g, uint32_t cpu, struct task *t)
{
	if (t->storm_goal) {
		storm_step(g, cpu, t);
		return;
	}
	if (t->npk == 0 && g->storms < MAX_STORMS && below(3000) == 0 && may_map(g)) {
		t->storm_goal = STORM_MIN + below(STORM_SPAN);
		g->storms++;
		storm_step(g, cpu, t);
		return;
	}
	if (t->npk < TASK_PK && (t->npk == 0 || below(2)) && may_map(g))
		pool_map(g, cpu, t, 0x40000 + 300000 + below(8192));
	else if (t->npk)
		pool_unmap(g, cpu, t);
}

static void irq_step(struct gen *g, uint32_t cpu, struct task *t)
{
	struct cpu *c = &g->cpus[cpu];
	struct hm_event ev;
	struct hm_outcome out;

	if (c->irq_depth < c->irq_target) {
		local_map(g, cpu, t, true);
	} else if (c->irq_depth) {
		local_unmap(g, cpu, t, true);
		c->irq_target = c->irq_depth;
	} else {
		ev = event_new(g, cpu, t, HM_OP_IRQ_EXIT);
		c->in_irq = false;
		ev.ctx = HM_CTX_HARDIRQ;
		ev.flags |= HM_EVF_IRQS_OFF;
		emit(g, &ev, &out);
	}
}

/* Exit the task on @cpu (holding nothing) and fork a new one from the next. */
static void lifecycle(struct gen *g, uint32_t cpu, struct task *t)
{
	struct hm_event ev = event_new(g, cpu, t, HM_OP_TASK_EXIT);
	struct hm_outcome out;
	uint32_t child, next;

	t->dead = true;
	emit(g, &ev, &out);
	next = pick_next(g, cpu);
	switch_to(g, cpu, next);
	if (next == NONE || g->made >= g->want)
		return;
	t = &g->tasks[next];
	if (t->depth || t->npk)
		return;		/* fork() with mappings held is a bug of its own */
	child = task_new(g, cpu);
	t = &g->tasks[next];
	ev = event_new(g, cpu, t, HM_OP_FORK);
	ev.next_pid = g->tasks[child].pid;
	emit(g, &ev, &out);
}

static void migrate(struct gen *g, uint32_t cpu)
{
	uint32_t i = pick_next(g, cpu);
	struct hm_event ev;
	struct hm_outcome out;
	struct task *t;

	if (i == NONE)
		return;
	t = &g->tasks[i];
	if (t->depth || t->npk)
		return;
	ev = event_new(g, cpu, t, HM_OP_MIGRATE);
	ev.dest_cpu = below(g->nr_cpus);
	t->cpu = ev.dest_cpu;
	emit(g, &ev, &out);
}

static void step(struct gen *g)
{
	uint32_t cpu = below(g->nr_cpus);
	struct cpu *c = &g->cpus[cpu];
	struct task *t;
	struct hm_event ev;
	struct hm_outcome out;
	uint32_t r;

	if (c->cur == NONE) {
		/* idle: something may have become runnable */
		uint32_t next = pick_next(g, cpu);

		if (next != NONE) {
			g->idle_steps = 0;
			switch_to(g, cpu, next);
		} else if (++g->idle_steps > 10000000) {
			uint32_t blocked = 0, bheld = 0;

			for (uint32_t i = 0; i < g->nr_tasks; i++)
				if (g->tasks[i].blocked) {
					blocked++;
					bheld += g->tasks[i].npk;
				}
			fprintf(stderr, "gen-trace: at event %" PRIu64 ": %u tasks asleep "
				"holding %u pages, %u held, %u storms (%u unmapping)\n", g->made,
				blocked, bheld, g->held, g->storms, g->unmappers);
			die("every task sleeps: the workload deadlocked");
		}
		return;
	}
	t = &g->tasks[c->cur];
	g->idle_steps = 0;
	if (c->in_irq) {
		irq_step(g, cpu, t);
		return;
	}
	r = below(1000);
	if (r < 20) {
		ev = event_new(g, cpu, t, HM_OP_IRQ_ENTER);
		c->in_irq = true;
		c->irq_target = 1 + below(MAX_IRQ_DEPTH);
		ev.ctx = HM_CTX_HARDIRQ;
		ev.flags |= HM_EVF_IRQS_OFF | HM_EVF_PREEMPT_OFF;
		emit(g, &ev, &out);
	} else if (r < 45) {
		/* ordinary tasks hold pool pages only briefly: no switch then */
		if (t->npk == 0 || t->storm_goal)
			switch_to(g, cpu, pick_next(g, cpu));
		else
			pool_step(g, cpu, t);
	} else if (r < 46) {
		migrate(g, cpu);
	} else if (r < 47 && t->depth == 0 && t->npk == 0 && !t->storm_goal) {
		lifecycle(g, cpu, t);
	} else if (r < 48 && g->made % 64 == 0) {
		ev = event_new(g, cpu, t, HM_OP_KMAP_FLUSH_UNUSED);
		emit(g, &ev, &out);
	} else if (r < 300 || t->storm_goal) {
		pool_step(g, cpu, t);
	} else {
		/* kmap_local streaming, now and then deeply nested */
		if (t->depth == t->target || (t->depth && below(3) == 0)) {
			local_unmap(g, cpu, t, false);
			if (t->depth == 0)
				t->target = below(100) == 0 ? 6 + below(7) : 1 + below(3);
		} else {
			local_map(g, cpu, t, false);
		}
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: gen-trace [-s SEED] [-n EVENTS] [-c CPUS] [-t TASKS] "
		"[-j FILE|-] [-C DIR]\n       gen-trace -V\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct gen g = { 0 };
	struct hm_trace_meta meta;
	const char *jsonl = NULL;
	uint32_t ntasks = 2000;
	uint64_t seed = 1;
	int opt;

	g.want = 1000000;
	g.nr_cpus = 16;
	while ((opt = getopt(argc, argv, "s:n:c:t:j:C:V")) != -1) {
		switch (opt) {
		case 'V':
			printf("gen-trace workload %d\n", GEN_VERSION);
			return 0;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			g.want = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			g.nr_cpus = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 't':
			ntasks = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'j':
			jsonl = optarg;
			break;
		case 'C':
			g.ctf_dir = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || g.nr_cpus < 1 || g.nr_cpus > 32 || ntasks < g.nr_cpus * 2 ||
	    (!jsonl && !g.ctf_dir))
		usage();
	rng_state = seed;
	g.prof = *hm_profile_find("x86-32-pae");
	g.prof.nr_cpus = g.nr_cpus;
	g.prof.highmem_start_pfn = HIGHMEM_START_PFN;
	g.model = hm_model_new(&g.prof);
	g.tab = hm_strtab_new();
	g.cpus = calloc(g.nr_cpus, sizeof(*g.cpus));
	if (!g.model || !g.tab || !g.cpus)
		die("out of memory");
	for (size_t i = 0; i < sizeof(site_names) / sizeof(site_names[0]); i++)
		g.sites[g.nr_sites++] = hm_strtab_intern(g.tab, site_names[i],
							 strlen(site_names[i]));
	for (uint32_t i = 0; i < ntasks; i++)
		task_new(&g, i % g.nr_cpus);
	g.next_pfn = 0x40000;
	g.ts = 1000000;

	if (jsonl) {
		static char buf[1 << 20];

		g.jsonl = strcmp(jsonl, "-") == 0 ? stdout : fopen(jsonl, "w");
		if (!g.jsonl)
			die("cannot create the JSON Lines output");
		setvbuf(g.jsonl, buf, _IOFBF, sizeof(buf));
		memset(&meta, 0, sizeof(meta));
		snprintf(meta.arch, sizeof(meta.arch), "%s", g.prof.name);
		meta.nr_cpus = g.nr_cpus;
		meta.debug_kmap_local = -1;
		meta.highmem_start_pfn = HIGHMEM_START_PFN;
		meta.pkmap_base = HM_NONE;
		meta.fixaddr_top = HM_NONE;
		snprintf(meta.source, sizeof(meta.source), "bench/gen-trace");
		if (hm_trace_write_header(g.jsonl, &meta))
			die("cannot write the JSON Lines output");
	}
	if (g.ctf_dir)
		ctf_open(&g);

	for (uint32_t c = 0; c < g.nr_cpus; c++) {
		g.cpus[c].cur = NONE;
		switch_to(&g, c, c);
	}
	while (g.made < g.want)
		step(&g);

	if (g.jsonl && (fflush(g.jsonl) || ferror(g.jsonl) ||
			(g.jsonl != stdout && fclose(g.jsonl))))
		die("cannot write the JSON Lines output");
	if (g.ctf)
		ctf_close(&g);
	{
		const struct hm_model_stats *st = hm_model_stats(g.model);

		fprintf(stderr, "gen-trace: %" PRIu64 " events, %u tasks, %" PRIu64 " wraps, %"
			PRIu64 " sleeps, %u pool pages held at most, max depth %u\n", g.made,
			g.nr_tasks, st->wraps, st->sleeps, g.peak_held, st->max_depth);
	}
	for (uint32_t i = 0; i < g.nr_tasks; i++)
		free(g.tasks[i].pk);
	free(g.tasks);
	free(g.by_pid);
	free(g.cpus);
	hm_strtab_free(g.tab);
	hm_model_free(g.model);
	return 0;
}
