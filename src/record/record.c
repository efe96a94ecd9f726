// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * record.c - ring-buffer records in, trace format v1 events out.
 *
 * Three steps, each undoing something the kernel side cannot do cheaply:
 *  1. order: records of different CPUs reach the ring buffer in the order
 *     they reserved space, not of their timestamps; a heap holds them until
 *     the caller says no older record can still come (hm_recorder_flush());
 *  2. pair: a kprobe entry and its kretprobe become one event (ts, ret_ts,
 *     the operand of the entry, the address and caller of the return), the
 *     way hm-trace(5) pairs ftrace lines: with the innermost open entry of
 *     the same task, op and context;
 *  3. write: events go out in the order of their entries, so an entry
 *     waiting for its return (kmap_high() may sleep) holds back the events
 *     after it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hm_record.h"
#include "hm_writer.h"

/* The probe's own preempt_disable() the preempt count includes (ftrace's
 * kprobe handler or tracepoint, rethook's handler loop), as ftrace's
 * tracing_gen_ctx_dec() takes it off. */
#define HM_PC_OWN 1

/* Entries waiting for their returns may hold back at most this many events. */
#define HM_HOLD_MAX (1u << 20)

#define SITE_CACHE 1024
#define MAX_RELOADS 64

struct heap_ent {
	struct hm_rec rec;
	uint64_t seq;
};

struct open_call {
	uint64_t pos;		/* its event in the queue */
	int32_t pid;
	uint32_t cpu;		/* only for pid 0: every CPU has its idle task */
	uint16_t op;
	uint8_t ctx;
};

struct queued {
	struct hm_event ev;
	bool done;
};

struct site_slot {
	uint64_t ip;
	uint32_t id;		/* 0: not resolved (hex written) */
	bool used;
};

struct hm_recorder {
	FILE *out;
	struct hm_ksyms *ksyms;
	struct hm_strtab *tab;
	struct hm_recorder_stats st;

	struct heap_ent *heap;
	size_t heap_len, heap_cap;
	uint64_t seq;
	uint64_t flushed;	/* records below this were final */

	struct queued *q;	/* ring of events in output order */
	uint64_t q_head, q_tail;
	size_t q_cap;		/* a power of two */

	struct open_call *open;
	size_t nr_open, open_cap;
	struct open_call *gone;	/* entries written without waiting: their returns are dropped */
	size_t nr_gone, gone_cap;

	struct site_slot sites[SITE_CACHE];
	unsigned int reloads;
	int io_err;
};

/* ------------------------------------------------------------------ order --- */

static bool heap_less(const struct heap_ent *a, const struct heap_ent *b)
{
	if (a->rec.ts != b->rec.ts)
		return a->rec.ts < b->rec.ts;
	return a->seq < b->seq;
}

static int heap_push(struct hm_recorder *r, const struct hm_rec *rec)
{
	size_t i;

	if (r->heap_len == r->heap_cap) {
		size_t cap = r->heap_cap ? r->heap_cap * 2 : 4096;
		struct heap_ent *h = realloc(r->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		r->heap = h;
		r->heap_cap = cap;
	}
	i = r->heap_len++;
	r->heap[i].rec = *rec;
	r->heap[i].seq = r->seq++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		struct heap_ent t;

		if (!heap_less(&r->heap[i], &r->heap[p]))
			break;
		t = r->heap[i];
		r->heap[i] = r->heap[p];
		r->heap[p] = t;
		i = p;
	}
	return 0;
}

static void heap_pop(struct hm_recorder *r, struct hm_rec *out)
{
	size_t i = 0;

	*out = r->heap[0].rec;
	r->heap[0] = r->heap[--r->heap_len];
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct heap_ent t;

		if (l < r->heap_len && heap_less(&r->heap[l], &r->heap[m]))
			m = l;
		if (l + 1 < r->heap_len && heap_less(&r->heap[l + 1], &r->heap[m]))
			m = l + 1;
		if (m == i)
			break;
		t = r->heap[i];
		r->heap[i] = r->heap[m];
		r->heap[m] = t;
		i = m;
	}
}

/* ------------------------------------------------------------------ write --- */

static uint32_t site_id(struct hm_recorder *r, uint64_t ip)
{
	struct site_slot *s = &r->sites[(ip >> 2) % SITE_CACHE];
	char buf[256];
	int ret;

	if (s->used && s->ip == ip)
		return s->id;
	if (!r->ksyms) {
		snprintf(buf, sizeof(buf), "0x%" PRIx64, ip);
		ret = 0;
	} else {
		ret = hm_ksyms_site(r->ksyms, ip, buf, sizeof(buf));
		/* a module loaded since the symbols were read */
		if (ret == -ENOENT && hm_ksyms_have_addrs(r->ksyms) && r->reloads < MAX_RELOADS) {
			r->reloads++;
			if (hm_ksyms_reload(r->ksyms) == 0) {
				memset(r->sites, 0, sizeof(r->sites));
				ret = hm_ksyms_site(r->ksyms, ip, buf, sizeof(buf));
			}
		}
	}
	s->used = true;
	s->ip = ip;
	s->id = hm_strtab_intern(r->tab, buf, strlen(buf));
	if (s->id == UINT32_MAX)
		s->id = 0;
	return s->id;
}

static void write_event(struct hm_recorder *r, struct hm_event *ev)
{
	ev->index = r->st.events;
	if (hm_event_write_json(r->out, ev, r->tab))
		r->io_err = -EIO;
	r->st.events++;
	if (ev->op < HM_OP__COUNT)
		r->st.ops[ev->op]++;
}

/* Write the events at the head of the queue that are complete. */
static void queue_drain(struct hm_recorder *r)
{
	while (r->q_head != r->q_tail) {
		struct queued *e = &r->q[r->q_head & (r->q_cap - 1)];

		if (!e->done)
			break;
		write_event(r, &e->ev);
		r->q_head++;
	}
}

static struct queued *queue_at(struct hm_recorder *r, uint64_t pos)
{
	return &r->q[pos & (r->q_cap - 1)];
}

static int queue_push(struct hm_recorder *r, const struct hm_event *ev, bool done,
		      uint64_t *pos)
{
	if (r->q_head == r->q_tail && done) {
		/* nothing held back: straight out */
		struct hm_event e = *ev;

		write_event(r, &e);
		return 0;
	}
	if (r->q_tail - r->q_head == r->q_cap) {
		size_t cap = r->q_cap ? r->q_cap * 2 : 1024;
		struct queued *n = malloc(cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (uint64_t p = r->q_head; p != r->q_tail; p++)
			n[p & (cap - 1)] = r->q[p & (r->q_cap - 1)];
		free(r->q);
		r->q = n;
		r->q_cap = cap;
	}
	r->q[r->q_tail & (r->q_cap - 1)].ev = *ev;
	r->q[r->q_tail & (r->q_cap - 1)].done = done;
	if (pos)
		*pos = r->q_tail;
	r->q_tail++;
	return 0;
}

/* ------------------------------------------------------------------- pair --- */

static void open_remove(struct hm_recorder *r, size_t i)
{
	memmove(&r->open[i], &r->open[i + 1], (r->nr_open - i - 1) * sizeof(*r->open));
	r->nr_open--;
}

static bool same_task(const struct open_call *o, int32_t pid, uint32_t cpu)
{
	return o->pid == pid && (pid != 0 || o->cpu == cpu);
}

static int gone_add(struct hm_recorder *r, const struct open_call *o)
{
	if (r->nr_gone == r->gone_cap) {
		size_t cap = r->gone_cap ? r->gone_cap * 2 : 16;
		struct open_call *g = realloc(r->gone, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		r->gone = g;
		r->gone_cap = cap;
	}
	r->gone[r->nr_gone++] = *o;
	return 0;
}

/* An entry goes out without its return. */
static void open_give_up(struct hm_recorder *r, size_t i)
{
	queue_at(r, r->open[i].pos)->done = true;
	r->st.unreturned++;
	open_remove(r, i);
}

/* Too much held back: the oldest open entry goes out, its return will be dropped. */
static int hold_limit(struct hm_recorder *r)
{
	while (r->q_tail - r->q_head > HM_HOLD_MAX && r->nr_open) {
		size_t oldest = 0;
		int ret;

		for (size_t i = 1; i < r->nr_open; i++)
			if (r->open[i].pos < r->open[oldest].pos)
				oldest = i;
		ret = gone_add(r, &r->open[oldest]);
		if (ret)
			return ret;
		open_give_up(r, oldest);
		queue_drain(r);
	}
	return 0;
}

static uint8_t ctx_of(const struct hm_rec *rec)
{
	if (!(rec->flags & (HM_RECF_PC | HM_RECF_CTX)))
		return HM_CTX_TASK;
	if (rec->pc & HM_PC_NMI_MASK)
		return HM_CTX_NMI;
	if (rec->pc & HM_PC_HARDIRQ_MASK)
		return HM_CTX_HARDIRQ;
	if (rec->pc & HM_PC_SOFTIRQ_OFFSET)
		return HM_CTX_SOFTIRQ;
	return HM_CTX_TASK;
}

static uint8_t flags_of(const struct hm_rec *rec)
{
	uint8_t f = 0;

	if ((rec->flags & (HM_RECF_PC | HM_RECF_IRQS)) != (HM_RECF_PC | HM_RECF_IRQS))
		return 0;
	f = HM_EVF_CTX_KNOWN;
	if (rec->flags & HM_RECF_IRQS_OFF)
		f |= HM_EVF_IRQS_OFF;
	if ((rec->pc & HM_PC_PREEMPT_MASK) > HM_PC_OWN)
		f |= HM_EVF_PREEMPT_OFF;
	return f;
}

static void event_init(struct hm_recorder *r, const struct hm_rec *rec, struct hm_event *ev,
		       uint16_t op)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts = rec->ts;
	ev->ret_ts = HM_NONE;
	ev->pfn = HM_NONE;
	ev->page = HM_NONE;
	ev->vaddr = HM_NONE;
	ev->pid = (int32_t)rec->pid;
	ev->next_pid = HM_PID_NONE;
	ev->cpu = rec->cpu;
	ev->comm = hm_strtab_intern(r->tab, rec->comm, strnlen(rec->comm, sizeof(rec->comm)));
	if (ev->comm == UINT32_MAX)
		ev->comm = 0;
	ev->op = op;
	ev->ctx = ctx_of(rec);
	ev->flags = flags_of(rec);
}

static int take_entry(struct hm_recorder *r, const struct hm_rec *rec, uint16_t op)
{
	struct hm_event ev;
	struct open_call *o;
	uint64_t pos;
	int ret;

	event_init(r, rec, &ev, op);
	if (op == HM_OP_KMAP)
		ev.page = rec->arg;
	else
		ev.pfn = rec->arg;
	if (r->nr_open == r->open_cap) {
		size_t cap = r->open_cap ? r->open_cap * 2 : 64;

		o = realloc(r->open, cap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		r->open = o;
		r->open_cap = cap;
	}
	/* queue_push() writes at once only when done: an entry is not */
	ret = queue_push(r, &ev, false, &pos);
	if (ret)
		return ret;
	o = &r->open[r->nr_open++];
	o->pos = pos;
	o->pid = ev.pid;
	o->cpu = ev.cpu;
	o->op = op;
	o->ctx = ev.ctx;
	return hold_limit(r);
}

static int take_return(struct hm_recorder *r, const struct hm_rec *rec, uint16_t op)
{
	int32_t pid = (int32_t)rec->pid;
	uint8_t ctx = ctx_of(rec);
	struct hm_event ev;
	size_t i;

	for (i = r->nr_open; i-- > 0;) {
		const struct open_call *o = &r->open[i];

		if (same_task(o, pid, rec->cpu) && o->op == op && o->ctx == ctx)
			break;
	}
	if (i != (size_t)-1) {
		struct queued *e = queue_at(r, r->open[i].pos);

		/* inner calls of this task still open lost their returns */
		for (size_t j = r->nr_open; j-- > i + 1;)
			if (same_task(&r->open[j], pid, rec->cpu) && r->open[j].op == op)
				open_give_up(r, j);
		e->ev.ret_ts = rec->ts;
		e->ev.vaddr = rec->arg;
		e->ev.site = site_id(r, rec->ip);
		e->done = true;
		open_remove(r, i);
		queue_drain(r);
		return 0;
	}
	for (i = 0; i < r->nr_gone; i++) {
		const struct open_call *g = &r->gone[i];

		if (same_task(g, pid, rec->cpu) && g->op == op && g->ctx == ctx) {
			r->gone[i] = r->gone[--r->nr_gone];
			return 0;
		}
	}
	/* the call began before the recording: a map known by its return only */
	event_init(r, rec, &ev, op);
	ev.vaddr = rec->arg;
	ev.site = site_id(r, rec->ip);
	r->st.unpaired_returns++;
	return queue_push(r, &ev, true, NULL);
}

static int take_exit(struct hm_recorder *r, const struct hm_event *ev)
{
	/* the task's calls that are still open will not return */
	for (size_t i = r->nr_open; i-- > 0;)
		if (r->open[i].pid == ev->pid && ev->pid != 0)
			open_give_up(r, i);
	for (size_t i = r->nr_gone; i-- > 0;)
		if (r->gone[i].pid == ev->pid)
			r->gone[i] = r->gone[--r->nr_gone];
	queue_drain(r);
	return queue_push(r, ev, true, NULL);
}

static int take(struct hm_recorder *r, const struct hm_rec *rec)
{
	struct hm_event ev;

	switch (rec->kind) {
	case HM_REC_KMAP_HIGH:
		return take_entry(r, rec, HM_OP_KMAP);
	case HM_REC_KMAP_LOCAL:
		return take_entry(r, rec, HM_OP_KMAP_LOCAL);
	case HM_REC_KMAP_HIGH_RET:
		return take_return(r, rec, HM_OP_KMAP);
	case HM_REC_KMAP_LOCAL_RET:
		return take_return(r, rec, HM_OP_KMAP_LOCAL);
	case HM_REC_KUNMAP_HIGH:
		event_init(r, rec, &ev, HM_OP_KUNMAP);
		ev.page = rec->arg;
		break;
	case HM_REC_KUNMAP_LOCAL:
		event_init(r, rec, &ev, HM_OP_KUNMAP_LOCAL);
		ev.vaddr = rec->arg;
		break;
	case HM_REC_FLUSH_UNUSED:
		event_init(r, rec, &ev, HM_OP_KMAP_FLUSH_UNUSED);
		break;
	case HM_REC_FLUSH_ALL_ZERO:
		event_init(r, rec, &ev, HM_OP_FLUSH_ALL_ZERO);
		break;
	case HM_REC_SCHED_SWITCH:
		event_init(r, rec, &ev, HM_OP_SCHED_SWITCH);
		ev.next_pid = (int32_t)rec->other;
		break;
	case HM_REC_TASK_EXIT:
		event_init(r, rec, &ev, HM_OP_TASK_EXIT);
		return take_exit(r, &ev);
	case HM_REC_FORK:
		event_init(r, rec, &ev, HM_OP_FORK);
		ev.next_pid = (int32_t)rec->other;
		break;
	case HM_REC_MIGRATE:
		event_init(r, rec, &ev, HM_OP_MIGRATE);
		ev.dest_cpu = rec->other;
		break;
	case HM_REC_IRQ_ENTER:
	case HM_REC_IRQ_EXIT:
		event_init(r, rec, &ev, rec->kind == HM_REC_IRQ_ENTER ? HM_OP_IRQ_ENTER : HM_OP_IRQ_EXIT);
		ev.ctx = HM_CTX_HARDIRQ;
		break;
	case HM_REC_SOFTIRQ_ENTER:
	case HM_REC_SOFTIRQ_EXIT:
		event_init(r, rec, &ev, rec->kind == HM_REC_SOFTIRQ_ENTER ? HM_OP_IRQ_ENTER :
					HM_OP_IRQ_EXIT);
		ev.ctx = HM_CTX_SOFTIRQ;
		break;
	default:
		return -EINVAL;	/* hm_recorder_add() refused it already */
	}
	return queue_push(r, &ev, true, NULL);
}

/* ------------------------------------------------------------------- API --- */

struct hm_recorder *hm_recorder_new(FILE *out, struct hm_ksyms *ksyms)
{
	struct hm_recorder *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->out = out;
	r->ksyms = ksyms;
	r->tab = hm_strtab_new();
	if (!r->tab) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

int hm_recorder_add(struct hm_recorder *r, const void *data, size_t size)
{
	struct hm_rec rec;
	int ret;

	if (size != sizeof(rec)) {
		r->st.malformed++;
		return -EINVAL;
	}
	memcpy(&rec, data, sizeof(rec));
	if (rec.kind <= HM_REC_NONE || rec.kind >= HM_REC__COUNT) {
		r->st.malformed++;
		return -EINVAL;
	}
	r->st.records++;
	if (r->seq && rec.ts < r->flushed) {
		/* older than what is out already: keep it, out of order */
		r->st.late++;
		ret = take(r, &rec);
		r->seq++;
		return ret;
	}
	return heap_push(r, &rec);
}

int hm_recorder_flush(struct hm_recorder *r, uint64_t before)
{
	struct hm_rec rec;
	int ret;

	while (r->heap_len && r->heap[0].rec.ts < before) {
		heap_pop(r, &rec);
		ret = take(r, &rec);
		if (ret)
			return ret;
	}
	if (before > r->flushed)
		r->flushed = before;
	queue_drain(r);
	if (r->io_err || ferror(r->out))
		return -EIO;
	return 0;
}

int hm_recorder_finish(struct hm_recorder *r)
{
	int ret = hm_recorder_flush(r, UINT64_MAX);

	if (ret)
		return ret;
	while (r->nr_open)
		open_give_up(r, r->nr_open - 1);
	queue_drain(r);
	r->nr_gone = 0;
	if (r->io_err || ferror(r->out))
		return -EIO;
	return 0;
}

const struct hm_recorder_stats *hm_recorder_stats(const struct hm_recorder *r)
{
	return &r->st;
}

void hm_recorder_free(struct hm_recorder *r)
{
	if (!r)
		return;
	hm_strtab_free(r->tab);
	free(r->heap);
	free(r->q);
	free(r->open);
	free(r->gone);
	free(r);
}

/* ----------------------------------------------------------------- header --- */

static char *header_text(const struct hm_trace_meta *meta, size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *fp = open_memstream(&buf, &sz);

	if (!fp)
		return NULL;
	if (hm_trace_write_header(fp, meta) || fclose(fp)) {
		free(buf);
		return NULL;
	}
	/* without its newline */
	if (sz && buf[sz - 1] == '\n')
		buf[--sz] = '\0';
	*len = sz;
	return buf;
}

size_t hm_record_header_width(const struct hm_trace_meta *meta)
{
	struct hm_trace_meta m = *meta;
	size_t len = 0;
	char *s;

	m.lost_events = UINT64_MAX - 1;	/* the most digits a count has */
	s = header_text(&m, &len);
	free(s);
	return len;
}

long hm_record_header_write(FILE *fp, const struct hm_trace_meta *meta, size_t width)
{
	size_t len = 0;
	char *s = header_text(meta, &len);

	if (!s)
		return -EIO;
	if (width && len > width) {
		free(s);
		return -ENOSPC;
	}
	fwrite(s, 1, len, fp);
	for (size_t i = len; i < width; i++)
		fputc(' ', fp);
	fputc('\n', fp);
	free(s);
	return ferror(fp) ? -EIO : (long)len;
}
