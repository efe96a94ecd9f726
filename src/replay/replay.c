// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replay.c - the replay driver: events stream from the reader through the
 * lock-order queue into the model, and each (event, outcome) pair into the
 * report, the timeline and the converted trace.  Nothing of the trace is
 * kept beyond the few events the lock-order queue holds.
 *
 * What-if replay runs a second model with the overridden profile over the
 * same events.  Addresses recorded on the real machine mean nothing to it,
 * so maps reach it without their observed address, and unmaps that name a
 * mapping by address get the address the what-if model handed out for the
 * same mapping (looked up by task and baseline address).
 *
 * Time in the what-if run is discrete-event: each task's events keep their
 * recorded gaps, and a task that sleeps on the pkmap wait queue there runs
 * its later events only after it wakes, shifted by how much later than
 * recorded that was (delays only grow).  A task keeps its not-yet-run events
 * in a queue of its own, and the head of every runnable task's queue waits in
 * a heap ordered by shifted time; an event leaves the heap once the input has
 * passed its time, since no later input can come before it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hm_lockorder.h"
#include "hm_replay.h"
#include "hm_timeline.h"
#include "hm_writer.h"
#include "hm_u64map.h"

/* Events of blocked tasks held for what-if replay, at most (then dropped). */
#define SHIFT_MAX_ITEMS (1u << 18)
#define NIL UINT32_MAX

struct shift_item {
	struct hm_event ev;
	uint64_t key;		/* shifted ts */
	uint64_t base_vaddr;	/* the baseline's address, for a map */
	uint32_t base_flags;	/* the baseline's outcome flags */
	uint32_t task;
	uint32_t next;		/* task queue or free list */
};

struct shift_task {
	uint64_t delay;		/* what-if time minus recorded time */
	uint64_t resume_ref;	/* recorded return of the call it sleeps in */
	uint32_t qhead, qtail;
	bool blocked;		/* asleep on the what-if pkmap wait queue */
	bool in_heap;		/* its head event waits in the heap */
};

struct shift {
	struct shift_item *items;
	uint32_t nr_items, cap_items, free;
	uint32_t *heap;
	uint32_t heap_len, heap_cap;
	struct shift_task *tasks;
	uint32_t nr_tasks, cap_tasks;
	struct hm_u64map task_idx;	/* task key -> index */
	struct hm_u64map sleepers;	/* event index of a what-if sleep -> task */
	uint64_t watermark;
	struct hm_report_shift st;
};

struct hm_replay {
	struct hm_replay_opts opts;
	struct hm_reader *reader;
	struct hm_profile base_prof, what_prof;
	struct hm_model *base, *what;
	struct hm_lockorder *lo;
	struct hm_timeline *tl;
	struct hm_outfile tl_out, conv_out;
	bool tl_open, conv_open;
	/* what-if address translation: (pid, baseline page address) -> what-if address */
	struct hm_u64map xlate;
	uint64_t *xaddr;
	uint32_t nr_xaddr, cap_xaddr;
	uint64_t page_mask;	/* baseline in-page offset bits */
	struct shift sh;
	struct hm_replay_observer obs;	/* all NULL when none */
};

void hm_replay_set_observer(struct hm_replay *r, const struct hm_replay_observer *obs)
{
	if (obs)
		r->obs = *obs;
	else
		memset(&r->obs, 0, sizeof(r->obs));
}

/* A report and the observer see the same pair. */
static int feed(struct hm_replay *r, struct hm_report *rep, bool what_if,
		const struct hm_event *ev, const struct hm_outcome *out)
{
	if (r->obs.feed && r->obs.feed(r->obs.arg, what_if, ev, out))
		return -ENOMEM;
	return hm_report_feed(rep, ev, out);
}

static int complete(struct hm_replay *r, struct hm_report *rep, bool what_if,
		    const struct hm_outcome *out)
{
	if (r->obs.complete && r->obs.complete(r->obs.arg, what_if, out))
		return -ENOMEM;
	return hm_report_complete(rep, out);
}

void hm_replay_overrides_init(struct hm_replay_overrides *ov)
{
	memset(ov, 0, sizeof(*ov));
	ov->debug_kmap_local = -1;
	ov->tlb_policy = -1;
}

int hm_replay_profile(const struct hm_trace_meta *meta, const struct hm_replay_overrides *ov,
		      struct hm_profile *out, struct hm_error *err)
{
	struct hm_trace_meta m = *meta;
	const char *why = NULL;
	int ret;

	if (ov && ov->arch) {
		if (!hm_profile_find(ov->arch)) {
			char names[512] = "";
			size_t o = 0;

			for (unsigned int i = 0; i < hm_profile_count() && o < sizeof(names); i++)
				o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
						      i ? ", " : "", hm_profile_get(i)->name);
			return hm_error_set(err, HM_EXIT_USAGE, NULL,
					    "--arch: unknown profile \"%s\" (known: %s)", ov->arch,
					    names);
		}
		if (strcmp(m.arch, ov->arch) != 0) {
			/* the recorded arch's layout does not carry over */
			const struct hm_profile *np = hm_profile_find(ov->arch);

			snprintf(m.arch, sizeof(m.arch), "%s", ov->arch);
			m.last_pkmap = 0;
			m.pkmap_base = HM_NONE;
			m.fixaddr_top = HM_NONE;
			/* more CPUs recorded than the arch has: what-if folds them */
			if (m.nr_cpus > np->nr_cpus_max)
				m.nr_cpus = np->nr_cpus_max;
		}
	}
	ret = hm_profile_from_meta(&m, out, err);
	if (ret)
		return ret;
	if (!ov)
		return 0;
	if (ov->last_pkmap)
		out->last_pkmap = ov->last_pkmap;
	if (ov->nr_cpus) {
		/* NR_CPUS sizes the fixmap, and the layout with it: not an override */
		if (ov->nr_cpus > out->nr_cpus_max)
			return hm_error_set(err, HM_EXIT_USAGE, NULL,
					    "--cpus: %u is above NR_CPUS %u of profile \"%s\"",
					    ov->nr_cpus, out->nr_cpus_max, out->name);
		out->nr_cpus = ov->nr_cpus;
	}
	if (ov->debug_kmap_local >= 0)
		out->debug_kmap_local = ov->debug_kmap_local;
	if (ov->tlb_policy >= 0)
		out->tlb_policy = (uint8_t)ov->tlb_policy;
	if (hm_profile_check(out, &why) < 0)
		return hm_error_set(err, HM_EXIT_USAGE, NULL,
				    "profile \"%s\" with these overrides is not usable: %s", out->name,
				    why ? why : "invalid");
	return 0;
}

static void close_outputs(struct hm_replay *r)
{
	hm_timeline_free(r->tl);
	r->tl = NULL;
	if (r->tl_open)
		hm_outfile_abort(&r->tl_out);
	r->tl_open = false;
	if (r->conv_open)
		hm_outfile_abort(&r->conv_out);
	r->conv_open = false;
}

void hm_replay_close(struct hm_replay *r)
{
	if (!r)
		return;
	close_outputs(r);
	hm_lockorder_free(r->lo);
	hm_model_free(r->base);
	hm_model_free(r->what);
	hm_reader_close(r->reader);
	hm_u64map_fini(&r->xlate);
	free(r->xaddr);
	free(r->sh.items);
	free(r->sh.heap);
	free(r->sh.tasks);
	hm_u64map_fini(&r->sh.task_idx);
	hm_u64map_fini(&r->sh.sleepers);
	free(r);
}

static struct hm_replay *fail(struct hm_replay *r)
{
	hm_replay_close(r);
	return NULL;
}

static int nomem(struct hm_error *err)
{
	hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
	return -ENOMEM;
}

struct hm_replay *hm_replay_open(const struct hm_replay_opts *opts, struct hm_error *err)
{
	const struct hm_trace_meta *meta;
	struct hm_replay *r = calloc(1, sizeof(*r));

	if (!r) {
		nomem(err);
		return NULL;
	}
	r->opts = *opts;
	hm_u64map_init(&r->xlate);
	hm_u64map_init(&r->sh.task_idx);
	hm_u64map_init(&r->sh.sleepers);
	r->sh.free = NIL;
	/* outputs first: a bad output path should not cost a read of the trace */
	if (opts->timeline) {
		if (hm_outfile_open(&r->tl_out, opts->timeline, opts->path, err))
			return fail(r);
		r->tl_open = true;
	}
	if (opts->convert) {
		if (hm_outfile_open(&r->conv_out, opts->convert, opts->path, err))
			return fail(r);
		r->conv_open = true;
	}
	r->reader = hm_reader_open(opts->path, &opts->reader, err);
	if (!r->reader)
		return fail(r);
	meta = hm_reader_meta(r->reader);
	if (opts->what_if) {
		if (hm_replay_profile(meta, NULL, &r->base_prof, err) ||
		    hm_replay_profile(meta, &opts->ov, &r->what_prof, err))
			return fail(r);
	} else if (hm_replay_profile(meta, &opts->ov, &r->base_prof, err)) {
		return fail(r);
	}
	r->base = hm_model_new(&r->base_prof);
	if (!r->base) {
		hm_error_set(err, errno == EINVAL ? HM_EXIT_INPUT : HM_EXIT_SYSTEM, NULL,
			     "cannot build the %s model: %s", r->base_prof.name, strerror(errno));
		return fail(r);
	}
	if (opts->what_if) {
		r->what = hm_model_new(&r->what_prof);
		if (!r->what) {
			hm_error_set(err, errno == EINVAL ? HM_EXIT_USAGE : HM_EXIT_SYSTEM, NULL,
				     "cannot build the what-if %s model: %s", r->what_prof.name,
				     strerror(errno));
			return fail(r);
		}
	}
	r->page_mask = (1ull << r->base_prof.page_shift) - 1;
	r->lo = hm_lockorder_new();
	if (!r->lo) {
		nomem(err);
		return fail(r);
	}
	if (r->tl_open) {
		r->tl = hm_timeline_new(r->tl_out.fp, hm_reader_strtab(r->reader), opts->path);
		if (!r->tl) {
			nomem(err);
			return fail(r);
		}
	}
	if (r->conv_open && hm_trace_write_header(r->conv_out.fp, meta)) {
		hm_error_set(err, HM_EXIT_SYSTEM, NULL, "cannot write \"%s\"", opts->convert);
		return fail(r);
	}
	return r;
}

const struct hm_profile *hm_replay_profile_of(const struct hm_replay *r, bool what_if)
{
	return what_if ? &r->what_prof : &r->base_prof;
}

/* ------------------------------------------------------------- what-if --- */

static bool is_map(unsigned int op)
{
	return op == HM_OP_KMAP || op == HM_OP_KMAP_ATOMIC || op == HM_OP_KMAP_LOCAL ||
	       op == HM_OP_KMAP_HIGH_GET;
}

static bool is_local_op(unsigned int op)
{
	return op == HM_OP_KMAP_ATOMIC || op == HM_OP_KMAP_LOCAL ||
	       op == HM_OP_KUNMAP_ATOMIC || op == HM_OP_KUNMAP_LOCAL;
}

/* Local mappings belong to a task; pkmap addresses are global (pid key 0). */
static uint64_t xkey(const struct hm_replay *r, const struct hm_event *ev, uint64_t addr)
{
	uint64_t pid = is_local_op(ev->op) ? (uint32_t)ev->pid + 1ull : 0;

	return pid << 32 | ((addr & 0xffffffffu) >> r->base_prof.page_shift);
}

static int xlate_put(struct hm_replay *r, uint64_t key, uint64_t what_addr)
{
	uint32_t *i = hm_u64map_get(&r->xlate, key);

	if (i) {
		r->xaddr[*i] = what_addr;
		return 0;
	}
	if (r->nr_xaddr == r->cap_xaddr) {
		uint32_t cap = r->cap_xaddr ? r->cap_xaddr * 2 : 256;
		uint64_t *p = realloc(r->xaddr, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		r->xaddr = p;
		r->cap_xaddr = cap;
	}
	r->xaddr[r->nr_xaddr] = what_addr;
	return hm_u64map_put(&r->xlate, key, r->nr_xaddr++);
}

/* The event as the what-if machine would see it; @base_flags: the baseline's outcome. */
static void what_if_event(const struct hm_replay *r, const struct hm_event *ev,
			  uint32_t base_flags, struct hm_event *w)
{
	uint32_t ncpu = r->what_prof.nr_cpus;

	*w = *ev;
	/* fewer CPUs: fold the recorded ones onto those there are */
	if (w->cpu >= ncpu)
		w->cpu %= ncpu;
	if (w->op == HM_OP_MIGRATE && w->dest_cpu >= ncpu)
		w->dest_cpu %= ncpu;
	if (is_map(ev->op)) {
		w->vaddr = HM_NONE;
	} else if (ev->vaddr != HM_NONE) {
		uint32_t *i;

		if (ev->op == HM_OP_KUNMAP && (ev->pfn != HM_NONE || ev->page != HM_NONE)) {
			w->vaddr = HM_NONE;	/* the page names it */
			return;
		}
		i = hm_u64map_get(&r->xlate, xkey(r, ev, ev->vaddr));
		if (i) {
			w->vaddr = r->xaddr[*i] | (ev->vaddr & r->page_mask);
		} else if (base_flags & HM_OUT_LOWMEM && ev->vaddr >= r->base_prof.page_offset) {
			/* a direct-map address: the same page in the other direct map */
			w->vaddr = ev->vaddr - r->base_prof.page_offset + r->what_prof.page_offset;
		}
	}
}

/* ---------------------------------------------------------------- replay --- */

static int apply_err(const struct hm_replay *r, const struct hm_event *ev, int ret,
		     const struct hm_profile *p, struct hm_error *err)
{
	struct hm_where w = { .file = r->opts.path && strcmp(r->opts.path, "-") ?
			      r->opts.path : "<stdin>", .line = ev->line };

	if (ret == -ERANGE)
		return hm_error_set(err, HM_EXIT_INPUT, &w,
				    "event %llu: cpu %u is beyond the %u CPUs profile %s "
				    "was built for (NR_CPUS)", (unsigned long long)ev->index,
				    ev->cpu, p->nr_cpus_max, p->name);
	return nomem(err);
}

/* ---------------------------------------------------- what-if in time --- */

static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, (size_t)n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* Tasks are pids; the idle task is one per CPU, and all are pid 0. */
static uint64_t task_key(const struct hm_event *ev)
{
	return ev->pid > 0 ? (uint64_t)(uint32_t)ev->pid : 1ull << 32 | ev->cpu;
}

static int shift_task(struct shift *sh, const struct hm_event *ev, uint32_t *out)
{
	uint64_t key = task_key(ev);
	uint32_t *i = hm_u64map_get(&sh->task_idx, key);
	struct shift_task *t;

	if (i) {
		*out = *i;
		return 0;
	}
	if (grow((void **)&sh->tasks, &sh->cap_tasks, sh->nr_tasks + 1, sizeof(*sh->tasks)) ||
	    hm_u64map_put(&sh->task_idx, key, sh->nr_tasks))
		return -ENOMEM;
	t = &sh->tasks[sh->nr_tasks];
	memset(t, 0, sizeof(*t));
	t->qhead = t->qtail = NIL;
	*out = sh->nr_tasks++;
	return 0;
}

static bool heap_less(const struct shift *sh, uint32_t a, uint32_t b)
{
	const struct shift_item *x = &sh->items[a], *y = &sh->items[b];

	if (x->key != y->key)
		return x->key < y->key;
	return x->ev.index < y->ev.index;
}

static int heap_push(struct shift *sh, uint32_t it)
{
	uint32_t i;

	if (grow((void **)&sh->heap, &sh->heap_cap, sh->heap_len + 1, sizeof(*sh->heap)))
		return -ENOMEM;
	i = sh->heap_len++;
	sh->heap[i] = it;
	while (i && heap_less(sh, sh->heap[i], sh->heap[(i - 1) / 2])) {
		uint32_t tmp = sh->heap[i];

		sh->heap[i] = sh->heap[(i - 1) / 2];
		sh->heap[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
	return 0;
}

static uint32_t heap_pop(struct shift *sh)
{
	uint32_t top = sh->heap[0], i = 0;

	sh->heap[0] = sh->heap[--sh->heap_len];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i, tmp;

		if (l < sh->heap_len && heap_less(sh, sh->heap[l], sh->heap[m]))
			m = l;
		if (r < sh->heap_len && heap_less(sh, sh->heap[r], sh->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = sh->heap[i];
		sh->heap[i] = sh->heap[m];
		sh->heap[m] = tmp;
		i = m;
	}
	return top;
}

/* Put a task's next event in the heap, at its recorded time plus the task's delay. */
static int shift_schedule(struct shift *sh, uint32_t ti, uint64_t not_before)
{
	struct shift_task *t = &sh->tasks[ti];
	struct shift_item *it;
	uint32_t i;

	if (t->blocked || t->in_heap || t->qhead == NIL)
		return 0;
	i = t->qhead;
	it = &sh->items[i];
	t->qhead = it->next;
	if (t->qhead == NIL)
		t->qtail = NIL;
	it->key = it->ev.ts + t->delay;
	if (it->key < not_before)
		it->key = not_before;
	t->in_heap = true;
	return heap_push(sh, i);
}

static void item_free(struct shift *sh, uint32_t i)
{
	sh->items[i].next = sh->free;
	sh->free = i;
}

/* Queue an event (and what the baseline did with it) behind its task's others. */
static int shift_push(struct shift *sh, const struct hm_event *ev, const struct hm_outcome *out)
{
	struct shift_task *t;
	struct shift_item *it;
	uint32_t i, ti;

	if (shift_task(sh, ev, &ti))
		return -ENOMEM;
	if (sh->free != NIL) {
		i = sh->free;
		sh->free = sh->items[i].next;
	} else if (sh->nr_items < SHIFT_MAX_ITEMS) {
		if (grow((void **)&sh->items, &sh->cap_items, sh->nr_items + 1, sizeof(*sh->items)))
			return -ENOMEM;
		i = sh->nr_items++;
	} else {
		sh->st.stranded++;	/* no room: it could only run after a wake-up anyway */
		return 0;
	}
	it = &sh->items[i];
	it->ev = *ev;
	it->base_vaddr = out->vaddr;
	it->base_flags = out->flags;
	it->task = ti;
	it->next = NIL;
	t = &sh->tasks[ti];
	if (t->qtail == NIL)
		t->qhead = i;
	else
		sh->items[t->qtail].next = i;
	t->qtail = i;
	return shift_schedule(sh, ti, 0);
}

static int what_feed(struct hm_replay *r, const struct hm_event *ev, uint64_t key,
		     uint64_t base_vaddr, uint32_t base_flags, struct hm_report *what,
		     struct hm_error *err)
{
	struct shift *sh = &r->sh;
	struct hm_outcome wout, c;
	struct hm_event w;
	int ret;

	what_if_event(r, ev, base_flags, &w);
	w.ts = key;
	if (w.ret_ts != HM_NONE)
		w.ret_ts += key - ev->ts;
	if (key > ev->ts) {
		sh->st.delayed++;
		if (key - ev->ts > sh->st.max_delay_ns)
			sh->st.max_delay_ns = key - ev->ts;
	}
	ret = hm_model_apply(r->what, &w, &wout);
	if (ret)
		return apply_err(r, &w, ret, &r->what_prof, err);
	if (is_map(ev->op) && base_flags & HM_OUT_MAPPED && !(base_flags & HM_OUT_LOWMEM) &&
	    wout.flags & HM_OUT_MAPPED && base_vaddr != HM_NONE && wout.vaddr != HM_NONE &&
	    xlate_put(r, xkey(r, ev, base_vaddr), wout.vaddr & ~r->page_mask))
		return nomem(err);
	if (what && feed(r, what, true, &w, &wout))
		return nomem(err);
	if (r->tl)
		hm_timeline_feed(r->tl, &w, &wout);
	if (wout.flags & HM_OUT_WAIT && !r->opts.no_shift) {
		uint32_t ti;

		if (shift_task(sh, ev, &ti) || hm_u64map_put(&sh->sleepers, ev->index, ti))
			return nomem(err);
		sh->tasks[ti].blocked = true;
		sh->tasks[ti].resume_ref = ev->ret_ts != HM_NONE ? ev->ret_ts : ev->ts;
	}
	while (hm_model_next_completion(r->what, &c)) {
		uint32_t *ti;

		if (what && complete(r, what, true, &c))
			return nomem(err);
		if (r->tl)
			hm_timeline_complete(r->tl, &c);
		ti = hm_u64map_get(&sh->sleepers, c.index);
		if (ti) {
			struct shift_task *t = &sh->tasks[*ti];
			uint32_t i = *ti;

			hm_u64map_del(&sh->sleepers, c.index);
			t->blocked = false;
			/* it returns at c.ts where the trace had it return at resume_ref */
			if (c.ts > t->resume_ref && c.ts - t->resume_ref > t->delay)
				t->delay = c.ts - t->resume_ref;
			if (shift_schedule(sh, i, c.ts))
				return nomem(err);
		}
	}
	return 0;
}

/* Run what-if events whose shifted time the input has passed (all when @final). */
static int shift_release(struct hm_replay *r, bool final, struct hm_report *what,
			 struct hm_error *err)
{
	struct shift *sh = &r->sh;

	while (sh->heap_len && (final || sh->items[sh->heap[0]].key <= sh->watermark)) {
		uint32_t i = heap_pop(sh);
		struct shift_item it = sh->items[i];
		int ret;

		item_free(sh, i);
		sh->tasks[it.task].in_heap = false;
		ret = what_feed(r, &it.ev, it.key, it.base_vaddr, it.base_flags, what, err);
		if (ret)
			return ret;
		if (shift_schedule(sh, it.task, 0))
			return nomem(err);
	}
	return 0;
}

static void shift_finish(struct hm_replay *r, struct hm_report *what)
{
	struct shift *sh = &r->sh;

	for (uint32_t ti = 0; ti < sh->nr_tasks; ti++) {
		const struct shift_task *t = &sh->tasks[ti];

		if (!t->blocked)
			continue;
		sh->st.stranded_tasks++;
		for (uint32_t i = t->qhead; i != NIL; i = sh->items[i].next)
			sh->st.stranded++;
	}
	if (what)
		hm_report_set_shift(what, &sh->st);
}

static int step(struct hm_replay *r, const struct hm_event *ev, struct hm_report *base,
		struct hm_report *what, struct hm_error *err)
{
	struct hm_outcome out, c;
	int ret;

	ret = hm_model_apply(r->base, ev, &out);
	if (ret)
		return apply_err(r, ev, ret, &r->base_prof, err);
	if (feed(r, base, false, ev, &out))
		return nomem(err);
	if (r->tl && !r->what)
		hm_timeline_feed(r->tl, ev, &out);
	while (hm_model_next_completion(r->base, &c)) {
		if (complete(r, base, false, &c))
			return nomem(err);
		if (r->tl && !r->what)
			hm_timeline_complete(r->tl, &c);
	}
	if (!r->what)
		return 0;
	if (r->opts.no_shift)
		return what_feed(r, ev, ev->ts, out.vaddr, out.flags, what, err);
	if (ev->ts > r->sh.watermark)
		r->sh.watermark = ev->ts;
	if (shift_push(&r->sh, ev, &out))
		return nomem(err);
	return shift_release(r, false, what, err);
}

static int interrupted(struct hm_error *err)
{
	hm_error_set(err, HM_EXIT_INTERRUPTED, NULL, "interrupted");
	return -EINTR;
}

static int drain(struct hm_replay *r, bool final, struct hm_report *base, struct hm_report *what,
		 struct hm_error *err)
{
	struct hm_event ev;
	int ret;

	while ((ret = hm_lockorder_pop(r->lo, r->base, final, &ev)) == 1) {
		if (hm_interrupted)
			return interrupted(err);
		ret = step(r, &ev, base, what, err);
		if (ret)
			return ret;
	}
	return ret < 0 ? nomem(err) : 0;
}

static int commit(struct hm_outfile *of, bool *open, struct hm_error *err)
{
	int ret = hm_outfile_commit(of, err);

	*open = false;
	return ret;
}

int hm_replay_run(struct hm_replay *r, struct hm_report *base, struct hm_report *what,
		  struct hm_error *err)
{
	const struct hm_trace_meta *meta = hm_reader_meta(r->reader);
	struct hm_strtab *tab = hm_reader_strtab(r->reader);
	const char *fmt = hm_reader_format(r->reader);
	struct hm_event ev;
	int ret;

	if (hm_report_begin(base, tab, &r->base_prof, r->opts.path, fmt, meta))
		return nomem(err);
	if (what && hm_report_begin(what, tab, &r->what_prof, r->opts.path, fmt, meta))
		return nomem(err);
	if (r->obs.begin && (r->obs.begin(r->obs.arg, false, tab) ||
			     (what && r->obs.begin(r->obs.arg, true, tab))))
		return nomem(err);

	for (;;) {
		if (hm_interrupted)
			return interrupted(err);
		ret = hm_reader_next(r->reader, &ev);
		if (ret < 0) {
			*err = *hm_reader_error(r->reader);
			return ret;
		}
		if (ret == 0)
			break;
		if (r->conv_open && hm_event_write_json(r->conv_out.fp, &ev, tab)) {
			hm_error_set(err, HM_EXIT_SYSTEM, NULL, "cannot write \"%s\"",
				     r->opts.convert);
			return -EIO;
		}
		if (hm_lockorder_push(r->lo, &ev))
			return nomem(err);
		ret = drain(r, false, base, what, err);
		if (ret)
			return ret;
	}
	ret = drain(r, true, base, what, err);
	if (ret)
		return ret;
	if (r->what && !r->opts.no_shift) {
		ret = shift_release(r, true, what, err);
		if (ret)
			return ret;
		shift_finish(r, what);
	}

	if (hm_report_end(base, r->base, hm_reader_backwards(r->reader)))
		return nomem(err);
	if (what && hm_report_end(what, r->what, hm_reader_backwards(r->reader)))
		return nomem(err);

	if (r->tl) {
		if (hm_timeline_finish(r->tl, r->what ? r->what : r->base)) {
			hm_error_set(err, HM_EXIT_SYSTEM, NULL, "cannot write \"%s\"",
				     r->opts.timeline);
			return -EIO;
		}
		if (commit(&r->tl_out, &r->tl_open, err))
			return -EIO;
	}
	if (r->conv_open && commit(&r->conv_out, &r->conv_open, err))
		return -EIO;
	return 0;
}
