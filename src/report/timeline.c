// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timeline.c - Chrome trace event format, streamed: each event is written
 * as soon as it is known (a mapping's slice when it is unmapped, from the
 * map_ts the model reports), so nothing of the trace is held in memory.
 *
 * Layout: pid 0 "pkmap pool" carries the pool counter; pid cpu + 1 "CPU n"
 * carries that CPU's depth counter, its pkmap slices (async, id = the unmap
 * event) and one thread per task that mapped locally there, tid
 * cpu * 2^22 + pid so a task that moves CPU gets a thread in each.  A task's
 * local mappings form a stack, so its slices nest as complete events must;
 * pkmap mappings need not nest, hence async slices.  Timestamps are
 * microseconds with nanosecond decimals.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hm_timeline.h"
#include "hm_u64map.h"

struct hm_timeline {
	FILE *fp;
	const struct hm_strtab *strtab;
	bool first;
	uint64_t last_ts;
	uint32_t pool_in_use, pool_dirty;
	bool pool_known;
	uint32_t *depth;	/* per CPU, last depth written */
	uint8_t *named;		/* per CPU: process_name written */
	uint32_t nr_cpus;
	struct hm_u64map threads;	/* tid -> 1: thread_name written */
	struct hm_u64map task_cpu;	/* pid -> last CPU */
	struct hm_u64map task_comm;	/* pid -> comm id */
};

static void put_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void put_ts(FILE *fp, const char *key, uint64_t ns)
{
	fprintf(fp, "\"%s\":%" PRIu64 ".%03" PRIu64, key, ns / 1000, ns % 1000);
}

/* Begin one event object; the caller writes the rest and closes it with '}'. */
static void begin(struct hm_timeline *tl)
{
	fputs(tl->first ? "\n" : ",\n", tl->fp);
	tl->first = false;
}

static const char *str(const struct hm_timeline *tl, uint32_t id)
{
	return hm_strtab_get(tl->strtab, id);
}

static int ensure_cpu(struct hm_timeline *tl, uint32_t cpu)
{
	uint32_t n = tl->nr_cpus ? tl->nr_cpus : 4, *d;
	uint8_t *nm;

	if (cpu < tl->nr_cpus)
		return 0;
	while (n <= cpu)
		n *= 2;
	d = realloc(tl->depth, n * sizeof(*d));
	if (!d)
		return -ENOMEM;
	tl->depth = d;
	nm = realloc(tl->named, n);
	if (!nm)
		return -ENOMEM;
	tl->named = nm;
	memset(tl->depth + tl->nr_cpus, 0, (n - tl->nr_cpus) * sizeof(*d));
	memset(tl->named + tl->nr_cpus, 0, n - tl->nr_cpus);
	tl->nr_cpus = n;
	return 0;
}

/* The process of a CPU, named on first use. */
static uint32_t cpu_pid(struct hm_timeline *tl, uint32_t cpu)
{
	if (!ensure_cpu(tl, cpu) && !tl->named[cpu]) {
		tl->named[cpu] = 1;
		begin(tl);
		fprintf(tl->fp, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"tid\":0,"
			"\"args\":{\"name\":\"CPU %u\"}}", cpu + 1, cpu);
		begin(tl);
		fprintf(tl->fp, "{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%u,"
			"\"tid\":0,\"args\":{\"sort_index\":%u}}", cpu + 1, cpu + 1);
	}
	return cpu + 1;
}

/* The thread of a task on a CPU, named "comm[pid]" on first use. */
static uint64_t task_tid(struct hm_timeline *tl, uint32_t cpu, int32_t pid)
{
	uint64_t tid = (uint64_t)(cpu % 512) << 22 | ((uint32_t)pid & ((1u << 22) - 1));
	uint32_t pcpu = cpu_pid(tl, cpu), *comm;
	const char *name;

	if (hm_u64map_get(&tl->threads, tid) || hm_u64map_put(&tl->threads, tid, 1))
		return tid;
	comm = hm_u64map_get(&tl->task_comm, (uint32_t)pid);
	name = comm ? str(tl, *comm) : "";
	begin(tl);
	fprintf(tl->fp, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%" PRIu64
		",\"args\":{\"name\":", pcpu, tid);
	fputc('"', tl->fp);
	for (const char *s = *name ? name : "?"; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', tl->fp);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, tl->fp);
	}
	fprintf(tl->fp, "[%d]\"}}", pid);
	return tid;
}

struct hm_timeline *hm_timeline_new(FILE *fp, const struct hm_strtab *strtab, const char *title)
{
	struct hm_timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	tl->fp = fp;
	tl->strtab = strtab;
	tl->first = true;
	hm_u64map_init(&tl->threads);
	hm_u64map_init(&tl->task_cpu);
	hm_u64map_init(&tl->task_comm);
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"hm-replay\",\"trace\":",
	      fp);
	put_str(fp, title ? title : "");
	fputs("},\"traceEvents\":[", fp);
	begin(tl);
	fputs("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":0,\"tid\":0,"
	      "\"args\":{\"name\":\"pkmap pool\"}}", fp);
	return tl;
}

void hm_timeline_free(struct hm_timeline *tl)
{
	if (!tl)
		return;
	free(tl->depth);
	free(tl->named);
	hm_u64map_fini(&tl->threads);
	hm_u64map_fini(&tl->task_cpu);
	hm_u64map_fini(&tl->task_comm);
	free(tl);
}

static void pool_counter(struct hm_timeline *tl, uint64_t ts, const struct hm_outcome *out)
{
	if (tl->pool_known && out->pool_in_use == tl->pool_in_use &&
	    out->pool_dirty == tl->pool_dirty)
		return;
	tl->pool_known = true;
	tl->pool_in_use = out->pool_in_use;
	tl->pool_dirty = out->pool_dirty;
	begin(tl);
	fputs("{\"ph\":\"C\",\"name\":\"pkmap pool\",\"pid\":0,\"tid\":0,", tl->fp);
	put_ts(tl->fp, "ts", ts);
	fprintf(tl->fp, ",\"args\":{\"in_use\":%u,\"dirty\":%u}}", out->pool_in_use,
		out->pool_dirty);
}

static void wrap_instant(struct hm_timeline *tl, uint64_t ts, uint32_t cpu,
			 const struct hm_outcome *out)
{
	uint32_t pid = cpu_pid(tl, cpu);

	begin(tl);
	fprintf(tl->fp, "{\"ph\":\"i\",\"s\":\"p\",\"name\":\"pool wrap\",\"cat\":\"wrap\","
		"\"pid\":%u,\"tid\":0,", pid);
	put_ts(tl->fp, "ts", ts);
	fprintf(tl->fp, ",\"args\":{\"event\":%" PRIu64 ",\"reclaimed\":%u,\"flush\":\"%s\","
		"\"ipis\":%u}}", out->index, out->reclaimed,
		out->tlb_full ? "full" : out->tlb_range ? "range" : "none", out->ipis);
}

static void diag_instants(struct hm_timeline *tl, const struct hm_event *ev,
			  const struct hm_outcome *out)
{
	uint64_t tid = task_tid(tl, ev->cpu, ev->pid);
	uint32_t i;

	for (i = 0; i < out->nr_diags && i < HM_OUTCOME_MAX_DIAGS; i++) {
		const struct hm_diag *d = &out->diags[i];

		if (d->kind == HM_DIAG_ADDR_MISMATCH)
			continue;
		begin(tl);
		fputs("{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"violation\",\"name\":", tl->fp);
		put_str(tl->fp, hm_diag_name(d->kind));
		fprintf(tl->fp, ",\"pid\":%u,\"tid\":%" PRIu64 ",", ev->cpu + 1, tid);
		put_ts(tl->fp, "ts", ev->ts);
		fprintf(tl->fp, ",\"args\":{\"event\":%" PRIu64 ",\"site\":", ev->index);
		put_str(tl->fp, str(tl, ev->site));
		if (d->addr != HM_NONE)
			fprintf(tl->fp, ",\"addr\":\"0x%" PRIx64 "\"", d->addr);
		fputs("}}", tl->fp);
	}
}

static void slice_args(struct hm_timeline *tl, uint32_t site, uint64_t vaddr, uint64_t map_index,
		       uint64_t unmap_index)
{
	fputs(",\"args\":{\"site\":", tl->fp);
	put_str(tl->fp, str(tl, site));
	if (vaddr != HM_NONE)
		fprintf(tl->fp, ",\"vaddr\":\"0x%" PRIx64 "\"", vaddr);
	if (map_index != HM_NONE)
		fprintf(tl->fp, ",\"map_event\":%" PRIu64, map_index);
	if (unmap_index != HM_NONE)
		fprintf(tl->fp, ",\"unmap_event\":%" PRIu64, unmap_index);
	fputs("}}", tl->fp);
}

/* A local mapping: a complete slice on its task's thread. */
static void local_slice(struct hm_timeline *tl, uint32_t cpu, int32_t pid, uint64_t from,
			uint64_t to, uint32_t site, uint64_t vaddr, uint64_t map_index,
			uint64_t unmap_index)
{
	uint64_t tid = task_tid(tl, cpu, pid);
	const char *name = str(tl, site);

	begin(tl);
	fputs("{\"ph\":\"X\",\"cat\":\"local\",\"name\":", tl->fp);
	put_str(tl->fp, *name ? name : "kmap_local");
	fprintf(tl->fp, ",\"pid\":%u,\"tid\":%" PRIu64 ",", cpu + 1, tid);
	put_ts(tl->fp, "ts", from);
	fputc(',', tl->fp);
	put_ts(tl->fp, "dur", to - from);
	slice_args(tl, site, vaddr, map_index, unmap_index);
}

/* A pkmap mapping: an async slice on its CPU, which may overlap others. */
static void pkmap_slice(struct hm_timeline *tl, uint32_t cpu, uint64_t id, uint64_t from,
			uint64_t to, uint32_t site, uint64_t vaddr, uint64_t map_index,
			uint64_t unmap_index)
{
	uint32_t pid = cpu_pid(tl, cpu);

	begin(tl);
	fprintf(tl->fp, "{\"ph\":\"b\",\"cat\":\"pkmap\",\"name\":\"pkmap\",\"id\":\"0x%" PRIx64
		"\",\"pid\":%u,\"tid\":0,", id, pid);
	put_ts(tl->fp, "ts", from);
	slice_args(tl, site, vaddr, map_index, unmap_index);
	begin(tl);
	fprintf(tl->fp, "{\"ph\":\"e\",\"cat\":\"pkmap\",\"name\":\"pkmap\",\"id\":\"0x%" PRIx64
		"\",\"pid\":%u,\"tid\":0,", id, pid);
	put_ts(tl->fp, "ts", to);
	fputs("}", tl->fp);
}

void hm_timeline_feed(struct hm_timeline *tl, const struct hm_event *ev,
		      const struct hm_outcome *out)
{
	bool local = ev->op == HM_OP_KUNMAP_LOCAL || ev->op == HM_OP_KUNMAP_ATOMIC;

	if (ev->ts > tl->last_ts)
		tl->last_ts = ev->ts;
	hm_u64map_put(&tl->task_cpu, (uint32_t)ev->pid, ev->cpu);
	if (ev->comm)
		hm_u64map_put(&tl->task_comm, (uint32_t)ev->pid, ev->comm);
	if ((local || ev->op == HM_OP_KUNMAP) && out->flags & HM_OUT_UNMAPPED &&
	    out->map_ts != HM_NONE && ev->ts >= out->map_ts) {
		if (local)
			local_slice(tl, ev->cpu, ev->pid, out->map_ts, ev->ts, out->map_site,
				    out->vaddr, out->map_index, ev->index);
		else
			pkmap_slice(tl, ev->cpu, ev->index, out->map_ts, ev->ts, out->map_site,
				    out->vaddr, out->map_index, ev->index);
	}
	if (out->flags & HM_OUT_WRAP)
		wrap_instant(tl, ev->ts, ev->cpu, out);
	if (out->nr_diags)
		diag_instants(tl, ev, out);
	pool_counter(tl, ev->ts, out);
	if ((ev->op == HM_OP_KMAP_LOCAL || ev->op == HM_OP_KMAP_ATOMIC || local) &&
	    !ensure_cpu(tl, ev->cpu) && tl->depth[ev->cpu] != out->depth) {
		uint32_t pid = cpu_pid(tl, ev->cpu);	/* may write the process name */

		tl->depth[ev->cpu] = out->depth;
		begin(tl);
		fprintf(tl->fp, "{\"ph\":\"C\",\"name\":\"depth\",\"pid\":%u,\"tid\":0,", pid);
		put_ts(tl->fp, "ts", ev->ts);
		fprintf(tl->fp, ",\"args\":{\"depth\":%u}}", out->depth);
	}
}

void hm_timeline_complete(struct hm_timeline *tl, const struct hm_outcome *out)
{
	if (out->flags & HM_OUT_WRAP)
		wrap_instant(tl, out->ts, out->cpu, out);
	pool_counter(tl, out->ts, out);
}

static int held_one(const struct hm_held *h, void *arg)
{
	struct hm_timeline *tl = arg;
	uint32_t *cpu = hm_u64map_get(&tl->task_cpu, (uint32_t)h->pid);
	uint32_t c = cpu ? *cpu : 0;

	if (h->index == HM_NONE || h->ts > tl->last_ts)
		return 0;
	/* still held: the slice ends with the trace */
	if (h->local)
		local_slice(tl, c, h->pid, h->ts, tl->last_ts, h->site, h->vaddr, h->index,
			    HM_NONE);
	else
		pkmap_slice(tl, c, (1ull << 63) | h->index, h->ts, tl->last_ts, h->site, h->vaddr,
			    h->index, HM_NONE);
	return 0;
}

int hm_timeline_finish(struct hm_timeline *tl, const struct hm_model *model)
{
	if (model)
		hm_model_for_each_held(model, held_one, tl);
	fputs("\n]}\n", tl->fp);
	return ferror(tl->fp) ? -EIO : 0;
}
