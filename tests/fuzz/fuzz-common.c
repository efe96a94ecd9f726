// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-common.c - fuzz bytes as files, and the invariants of every reader's
 * output, shared by the reader targets.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz-read.h"
#include "hm_writer.h"
#include "reader_util.h"

void fuzz_file_open(struct fuzz_file *f, const char *name)
{
	f->fd = memfd_create(name, MFD_CLOEXEC);
	FUZZ_CHECK(f->fd >= 0, "memfd_create: %s", strerror(errno));
	snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
}

void fuzz_file_set(struct fuzz_file *f, const void *data, size_t size)
{
	const char *p = data;

	FUZZ_CHECK(ftruncate(f->fd, 0) == 0, "ftruncate: %s", strerror(errno));
	for (size_t off = 0; off < size;) {
		ssize_t n = pwrite(f->fd, p + off, size - off, (off_t)off);

		FUZZ_CHECK(n > 0, "pwrite: %s", strerror(errno));
		off += (size_t)n;
	}
}

void fuzz_file_close(struct fuzz_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* Valid UTF-8 as the writer judges it: what it copies through unchanged. */
static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned char c = *p;
		size_t n;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4;
		else
			return false;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		if (n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
			return false;
		if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
			return false;
		p += n;
	}
	return true;
}

static bool op_needs_operand(unsigned int op)
{
	switch (op) {
	case HM_OP_KMAP:
	case HM_OP_KUNMAP:
	case HM_OP_KMAP_ATOMIC:
	case HM_OP_KUNMAP_ATOMIC:
	case HM_OP_KMAP_LOCAL:
	case HM_OP_KUNMAP_LOCAL:
	case HM_OP_KMAP_HIGH_GET:
		return true;
	default:
		return false;
	}
}

void fuzz_check_event(const struct hm_reader *r, const struct hm_event *ev, uint64_t index)
{
	const struct hm_trace_meta *m = hm_reader_meta(r);
	uint32_t limit = m->nr_cpus ? m->nr_cpus : HM_MAX_CPUS;
	uint32_t nstr = hm_strtab_count(hm_reader_strtab(r));

	FUZZ_CHECK(ev->index == index, "event %" PRIu64 " has index %" PRIu64, index, ev->index);
	FUZZ_CHECK(ev->op < HM_OP__COUNT, "op %u", ev->op);
	FUZZ_CHECK(ev->ctx < HM_CTX__COUNT, "ctx %u", ev->ctx);
	/* HM_EVF_LOCK_LATE belongs to the lock-order stage, never to a reader */
	FUZZ_CHECK(!(ev->flags & ~(HM_EVF_IRQS_OFF | HM_EVF_PREEMPT_OFF | HM_EVF_CTX_KNOWN)),
		   "flags 0x%x", ev->flags);
	FUZZ_CHECK(!(ev->flags & (HM_EVF_IRQS_OFF | HM_EVF_PREEMPT_OFF)) ||
		   (ev->flags & HM_EVF_CTX_KNOWN), "irq/preempt flags without CTX_KNOWN: 0x%x",
		   ev->flags);
	FUZZ_CHECK(ev->cpu < limit, "cpu %u, limit %u", ev->cpu, limit);
	FUZZ_CHECK(ev->op != HM_OP_MIGRATE || ev->dest_cpu < limit, "dest_cpu %u, limit %u",
		   ev->dest_cpu, limit);
	/* the format's ranges: JSON integers are at most INT64_MAX */
	FUZZ_CHECK(ev->ts <= INT64_MAX, "ts %" PRIu64 " beyond the format's range", ev->ts);
	FUZZ_CHECK(ev->ret_ts == HM_NONE || (ev->ret_ts >= ev->ts && ev->ret_ts <= INT64_MAX),
		   "ret_ts %" PRIu64 ", ts %" PRIu64, ev->ret_ts, ev->ts);
	FUZZ_CHECK(ev->pid >= 0, "pid %d", ev->pid);
	FUZZ_CHECK(ev->next_pid == HM_PID_NONE || ev->next_pid >= 0, "next_pid %d", ev->next_pid);
	FUZZ_CHECK(ev->comm < nstr && ev->site < nstr, "string ids %u %u of %u", ev->comm,
		   ev->site, nstr);
	FUZZ_CHECK(!op_needs_operand(ev->op) || ev->pfn != HM_NONE || ev->page != HM_NONE ||
		   ev->vaddr != HM_NONE, "op %s without an operand", hm_op_name(ev->op));
	FUZZ_CHECK((ev->op != HM_OP_SCHED_SWITCH && ev->op != HM_OP_FORK) ||
		   ev->next_pid != HM_PID_NONE, "op %s without next_pid", hm_op_name(ev->op));
	FUZZ_CHECK((ev->op != HM_OP_IRQ_ENTER && ev->op != HM_OP_IRQ_EXIT) ||
		   ev->ctx != HM_CTX_TASK, "op %s in task context", hm_op_name(ev->op));
}

void fuzz_check_meta(const struct hm_trace_meta *m)
{
	FUZZ_CHECK(memchr(m->arch, 0, sizeof(m->arch)) && memchr(m->source, 0, sizeof(m->source)) &&
		   memchr(m->kernel, 0, sizeof(m->kernel)) && memchr(m->clock, 0, sizeof(m->clock)),
		   "meta string not terminated");
	FUZZ_CHECK(!m->arch[0] || hm_profile_find(m->arch), "unknown arch \"%s\"", m->arch);
	FUZZ_CHECK(m->nr_cpus <= HM_MAX_CPUS, "nr_cpus %u", m->nr_cpus);
	FUZZ_CHECK(m->km_max_idx == 0 || m->km_max_idx == 16 || m->km_max_idx == 33,
		   "km_max_idx %u", m->km_max_idx);
	FUZZ_CHECK(m->debug_kmap_local >= -1 && m->debug_kmap_local <= 1, "debug_kmap_local %d",
		   m->debug_kmap_local);
}

void fuzz_check_error(const struct hm_error *err)
{
	size_t len = strnlen(err->msg, sizeof(err->msg));

	/* (control characters quoted from the input are escaped when printed: util.c) */
	FUZZ_CHECK(len > 0 && len < sizeof(err->msg), "empty or unterminated message");
	FUZZ_CHECK(err->status == HM_EXIT_USAGE || err->status == HM_EXIT_INPUT ||
		   err->status == HM_EXIT_SYSTEM, "status %d for \"%s\"", err->status, err->msg);
	/* one error shape: lower case, no trailing period (but "CTF:", "JSON ...") */
	FUZZ_CHECK(err->msg[len - 1] != '.' || (len > 2 && err->msg[len - 2] == '.'),
		   "trailing period: %s", err->msg);
}

/* What the first read handed out, with its strings, to compare with the second. */
struct rec {
	struct hm_event ev;
	char *comm, *site;
};

static void recs_free(struct rec *recs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(recs[i].comm);
		free(recs[i].site);
	}
	free(recs);
}

static void check_same_str(const char *what, uint64_t i, const char *a, const char *b)
{
	/* the writer replaces bytes that are not UTF-8: only valid strings come back equal */
	if (!utf8_ok(a))
		return;
	FUZZ_CHECK(strcmp(a, b) == 0, "event %" PRIu64 ": %s \"%s\" came back as \"%s\"", i, what,
		   a, b);
}

static void check_same_meta(const struct hm_trace_meta *a, const struct hm_trace_meta *b)
{
	FUZZ_CHECK(strcmp(a->arch, b->arch) == 0, "arch \"%s\" -> \"%s\"", a->arch, b->arch);
	FUZZ_CHECK(a->nr_cpus == b->nr_cpus, "nr_cpus %u -> %u", a->nr_cpus, b->nr_cpus);
	FUZZ_CHECK(a->last_pkmap == b->last_pkmap, "last_pkmap %u -> %u", a->last_pkmap,
		   b->last_pkmap);
	FUZZ_CHECK(a->km_max_idx == b->km_max_idx, "km_max_idx %u -> %u", a->km_max_idx,
		   b->km_max_idx);
	FUZZ_CHECK(a->debug_kmap_local == b->debug_kmap_local, "debug_kmap_local %d -> %d",
		   a->debug_kmap_local, b->debug_kmap_local);
	FUZZ_CHECK(a->highmem_start_pfn == b->highmem_start_pfn, "highmem_start_pfn");
	FUZZ_CHECK(a->pkmap_base == b->pkmap_base, "pkmap_base");
	FUZZ_CHECK(a->fixaddr_top == b->fixaddr_top, "fixaddr_top");
	FUZZ_CHECK(a->lost_events == b->lost_events, "lost_events %" PRIu64 " -> %" PRIu64,
		   a->lost_events, b->lost_events);
	if (utf8_ok(a->source))
		FUZZ_CHECK(strcmp(a->source, b->source) == 0, "source \"%s\" -> \"%s\"",
			   a->source, b->source);
	if (utf8_ok(a->kernel))
		FUZZ_CHECK(strcmp(a->kernel, b->kernel) == 0, "kernel \"%s\" -> \"%s\"",
			   a->kernel, b->kernel);
	if (utf8_ok(a->clock))
		FUZZ_CHECK(strcmp(a->clock, b->clock) == 0, "clock \"%s\" -> \"%s\"", a->clock,
			   b->clock);
}

/* Write meta and events as JSON Lines, read them back, compare. */
static void roundtrip(const struct hm_trace_meta *meta, const struct rec *recs, size_t n)
{
	struct hm_reader_opts opts = { .format = "jsonl" };
	struct hm_strtab *tab = hm_strtab_new();
	struct hm_error err = { 0 };
	struct fuzz_file f;
	struct hm_reader *r;
	struct hm_event ev;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int rc;

	FUZZ_CHECK(tab, "out of memory");
	fp = open_memstream(&buf, &len);
	FUZZ_CHECK(fp, "open_memstream: %s", strerror(errno));
	FUZZ_CHECK(hm_trace_write_header(fp, meta) == 0, "header not written");
	for (size_t i = 0; i < n; i++) {
		struct hm_event e = recs[i].ev;

		e.comm = hm_strtab_intern(tab, recs[i].comm, strlen(recs[i].comm));
		e.site = hm_strtab_intern(tab, recs[i].site, strlen(recs[i].site));
		FUZZ_CHECK(hm_event_write_json(fp, &e, tab) == 0, "event not written");
	}
	FUZZ_CHECK(fclose(fp) == 0, "fclose");
	hm_strtab_free(tab);

	fuzz_file_open(&f, "fuzz-roundtrip");
	fuzz_file_set(&f, buf, len);
	r = hm_reader_open(f.path, &opts, &err);
	FUZZ_CHECK(r, "the converted trace does not open: %s\n%.*s", err.msg,
		   (int)(len < 2000 ? len : 2000), buf);
	check_same_meta(meta, hm_reader_meta(r));
	for (size_t i = 0; i < n; i++) {
		const struct hm_event *a = &recs[i].ev;

		rc = hm_reader_next(r, &ev);
		FUZZ_CHECK(rc == 1, "converted event %zu does not read back (%d): %s", i, rc,
			   hm_reader_error(r)->msg);
		FUZZ_CHECK(ev.ts == a->ts && ev.ret_ts == a->ret_ts && ev.pfn == a->pfn &&
			   ev.page == a->page && ev.vaddr == a->vaddr && ev.index == a->index &&
			   ev.pid == a->pid && ev.next_pid == a->next_pid && ev.cpu == a->cpu &&
			   (ev.op != HM_OP_MIGRATE || ev.dest_cpu == a->dest_cpu) &&
			   ev.op == a->op && ev.ctx == a->ctx && ev.flags == a->flags,
			   "event %zu (%s at ts %" PRIu64 ") differs after conversion", i,
			   hm_op_name(a->op), a->ts);
		check_same_str("comm", i, recs[i].comm,
			       hm_strtab_get(hm_reader_strtab(r), ev.comm));
		check_same_str("site", i, recs[i].site,
			       hm_strtab_get(hm_reader_strtab(r), ev.site));
	}
	rc = hm_reader_next(r, &ev);
	FUZZ_CHECK(rc == 0, "converted trace has more events than the original (%d)", rc);
	hm_reader_close(r);
	fuzz_file_close(&f);
	free(buf);
}

long fuzz_read_all(const char *path, const struct hm_reader_opts *opts, uint64_t max_events,
		   bool do_roundtrip)
{
	struct hm_error err = { 0 };
	struct rec *recs = NULL;
	size_t nrec = 0, cap = 0;
	struct hm_reader *r;
	struct hm_event ev;
	uint64_t n = 0;
	int rc;

	r = hm_reader_open(path, opts, &err);
	if (!r) {
		fuzz_check_error(&err);
		return -1;
	}
	fuzz_check_meta(hm_reader_meta(r));
	while ((rc = hm_reader_next(r, &ev)) == 1) {
		fuzz_check_event(r, &ev, n);
		n++;
		FUZZ_CHECK(n <= max_events, "more than %" PRIu64 " events", max_events);
		if (!do_roundtrip)
			continue;
		if (nrec == cap) {
			cap = cap ? cap * 2 : 64;
			recs = realloc(recs, cap * sizeof(*recs));
			FUZZ_CHECK(recs, "out of memory");
		}
		recs[nrec].ev = ev;
		recs[nrec].comm = strdup(hm_strtab_get(hm_reader_strtab(r), ev.comm));
		recs[nrec].site = strdup(hm_strtab_get(hm_reader_strtab(r), ev.site));
		FUZZ_CHECK(recs[nrec].comm && recs[nrec].site, "out of memory");
		nrec++;
	}
	if (rc < 0) {
		struct hm_error first = *hm_reader_error(r);

		fuzz_check_error(&first);
		/* errors are sticky: the next call fails the same way */
		FUZZ_CHECK(hm_reader_next(r, &ev) < 0, "reader went on after an error");
		FUZZ_CHECK(strcmp(first.msg, hm_reader_error(r)->msg) == 0, "error changed");
		hm_reader_close(r);
		recs_free(recs, nrec);
		return -1;
	}
	FUZZ_CHECK(rc == 0, "hm_reader_next() returned %d", rc);
	FUZZ_CHECK(hm_reader_next(r, &ev) == 0, "events after the end");
	/* the meta may be completed while reading (a JSON document's trailing "meta") */
	fuzz_check_meta(hm_reader_meta(r));
	if (do_roundtrip)
		roundtrip(hm_reader_meta(r), recs, nrec);
	hm_reader_close(r);
	recs_free(recs, nrec);
	return (long)n;
}
