// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-model.c - the model fed arbitrary event sequences decoded from the
 * fuzz bytes, its invariants asserted after every event.
 *
 * Input: three bytes choose the profile (built-in, CPUs, a small pool so it
 * wraps and fills, DEBUG_KMAP_LOCAL, FORCE_MAP, a highmem boundary); then
 * every five bytes make one event a reader could deliver: an op, a CPU and a
 * task among a few, a page among a few dozen (highmem, lowmem, a bare struct
 * page), an address (none, the right one, a fixmap or pool slot, lowmem, a
 * user pointer, with or without an offset into the page), a context, flags,
 * time moving on.
 *
 * After every event (and the kmap() completions it released):
 *  - hm_model_check(), the model's own slow consistency check;
 *  - a reference of our own, kept from the outcomes alone: users per pool
 *    slot (never negative, equal to what hm_model_for_each_held() reports,
 *    their number equal to the outcome's pool_in_use) and each task's local
 *    stack depth (equal to the held list's, within KM_MAX_IDX);
 *  - live pool pages unique, live local addresses inside the kmap fixmap;
 *  - kmap() outcomes equal to hm_model_predict_kmap() beforehand and to
 *    those of a hm_model_clone_pool() copy given the same event.
 * The reference follows the model's lead where a trace that starts
 * mid-flight makes it adopt state (HM_OUT_SYNCED, HM_OUT_PREDATES, an
 * address mismatch), and then checks the next events again.
 */
#include <inttypes.h>
#include <string.h>

#include "fuzz.h"
#include "hm_model.h"

#define NPIDS 6			/* pids 0 (per-CPU idle) .. 5 */
#define NCPUS 4			/* at most this many CPUs online */
#define NTASKS (NPIDS + NCPUS)
#define MAX_POOL 4096		/* the largest built-in LAST_PKMAP */
#define HIGHMEM_PFN 0x38000ull
#define MAX_EVENTS 1024		/* per input: the checks after each event are slow */

struct gen {
	const uint8_t *p;
	size_t n;
};

static uint8_t take(struct gen *g)
{
	if (!g->n)
		return 0;
	g->n--;
	return *g->p++;
}

struct ref {
	const struct hm_profile *p;
	uint32_t km_max_idx, km_incr;
	bool pool_valid;		/* false once the model adopted pool state from the trace */
	uint32_t users[MAX_POOL];	/* kmap references per pool slot, from the outcomes */
	uint32_t depth[NTASKS];		/* local stack depth per task */
	uint64_t top[NTASKS][34];	/* local addresses, valid below depth when known[] */
	bool known[NTASKS];
	bool resync[NTASKS];		/* take the depth from the held list after this event */
	bool lost[NTASKS];		/* idle tasks share pid 0 in the held list: unchecked */
	/* filled from the held list */
	uint32_t held_users[MAX_POOL];
	uint32_t held_depth[NTASKS];
	uint64_t held_pages[MAX_POOL];
	uint32_t nr_held_pages;
	bool bad_local_addr;
};

static uint32_t task_of(int32_t pid, uint32_t cpu)
{
	return pid == 0 ? NPIDS + cpu : (uint32_t)pid;
}

static uint64_t pkmap_addr(const struct hm_profile *p, uint32_t nr)
{
	return p->pkmap_base + ((uint64_t)nr << p->page_shift);
}

static uint64_t fix_addr(const struct hm_profile *p, uint32_t idx)
{
	return p->fixaddr_top - ((uint64_t)(p->fix_kmap_begin + idx) << p->page_shift);
}

static bool in_pool(const struct hm_profile *p, uint64_t a)
{
	return a != HM_NONE && a >= p->pkmap_base && a < pkmap_addr(p, p->last_pkmap);
}

static int held_cb(const struct hm_held *h, void *arg)
{
	struct ref *r = arg;
	const struct hm_profile *p = r->p;
	uint32_t kmap_slots = r->km_max_idx * p->nr_cpus_max * p->nr_colors;

	if (!h->local) {
		uint32_t slot;

		FUZZ_CHECK(in_pool(p, h->vaddr), "held pool mapping at 0x%" PRIx64, h->vaddr);
		slot = (uint32_t)((h->vaddr - p->pkmap_base) >> p->page_shift);
		FUZZ_CHECK(h->count >= 1, "held pool slot %u with %u users", slot, h->count);
		FUZZ_CHECK(r->held_users[slot] == 0, "pool slot %u listed twice", slot);
		r->held_users[slot] = h->count;
		if (h->page != HM_NONE)
			r->held_pages[r->nr_held_pages++] = h->page;
		return 0;
	}
	FUZZ_CHECK(h->count >= 1 && h->count <= (r->km_max_idx - 1) / r->km_incr,
		   "local stack depth %u beyond KM_MAX_IDX %u", h->count, r->km_max_idx);
	if (h->vaddr < fix_addr(p, kmap_slots - 1) || h->vaddr > fix_addr(p, 0))
		r->bad_local_addr = true;
	if (h->pid > 0 && h->pid < NPIDS && h->count > r->held_depth[h->pid])
		r->held_depth[h->pid] = h->count;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The pool half of the reference: one outcome (an event's, or a completion's). */
static void ref_pool(struct ref *r, const struct hm_outcome *o)
{
	const struct hm_profile *p = r->p;
	uint32_t slot;

	if (!in_pool(p, o->vaddr))
		return;
	slot = (uint32_t)((o->vaddr - p->pkmap_base) >> p->page_shift);
	if (o->flags & HM_OUT_SYNCED)
		r->pool_valid = false;
	if (o->flags & HM_OUT_MAPPED) {
		FUZZ_CHECK(o->slot == (int32_t)slot,
			   "pool address 0x%" PRIx64 " reported as slot %d", o->vaddr, o->slot);
		r->users[slot]++;
	} else if (o->flags & HM_OUT_UNMAPPED) {
		FUZZ_CHECK(!r->pool_valid || r->users[slot] > 0,
			   "slot %u released more often than it was mapped", slot);
		if (r->users[slot])
			r->users[slot]--;
	}
}

/* The local half: the stack of the event's task. */
static void ref_local(struct ref *r, const struct hm_event *ev, const struct hm_outcome *o)
{
	const struct hm_profile *p = r->p;
	uint32_t t = task_of(ev->pid, ev->cpu);
	bool map = ev->op == HM_OP_KMAP_LOCAL || ev->op == HM_OP_KMAP_ATOMIC;
	bool overflow = false, underflow = false, wrong = false;

	for (uint32_t i = 0; i < o->nr_diags; i++) {
		overflow |= o->diags[i].kind == HM_DIAG_LOCAL_OVERFLOW;
		underflow |= o->diags[i].kind == HM_DIAG_LOCAL_UNDERFLOW;
		wrong |= o->diags[i].kind == HM_DIAG_LOCAL_OUT_OF_ORDER ||
			 o->diags[i].kind == HM_DIAG_LOCAL_NOT_MAPPED;
	}
	if (in_pool(p, o->vaddr) || r->lost[t])
		return;		/* kmap_high_get() path on ARM: a pool reference */
	if (o->flags & (HM_OUT_SYNCED | HM_OUT_PREDATES | HM_OUT_MISMATCH)) {
		/* the model adopted the trace's view: follow it (ref_compare()) */
		r->resync[t] = true;
		return;
	}
	if (underflow)
		FUZZ_CHECK(r->depth[t] == 0, "stack underflow reported at depth %u", r->depth[t]);
	if (overflow) {
		FUZZ_CHECK(r->depth[t] * r->km_incr + r->km_incr >= r->km_max_idx,
			   "overflow reported at depth %u of KM_MAX_IDX %u", r->depth[t],
			   r->km_max_idx);
		return;
	}
	if (map && (o->flags & HM_OUT_MAPPED) && !(o->flags & HM_OUT_LOWMEM)) {
		uint32_t fix = (uint32_t)o->slot / p->nr_colors;

		FUZZ_CHECK(o->depth == r->depth[t] + 1, "kmap_local: depth %u after %u", o->depth,
			   r->depth[t]);
		FUZZ_CHECK(o->slot >= 0 && o->vaddr == fix_addr(p, (uint32_t)o->slot),
			   "kmap_local: address 0x%" PRIx64 " is not fixmap slot %d", o->vaddr,
			   o->slot);
		FUZZ_CHECK(fix / r->km_max_idx == ev->cpu, "kmap_local on CPU %u got CPU %u's slot",
			   ev->cpu, fix / r->km_max_idx);
		FUZZ_CHECK(fix % r->km_max_idx == o->depth * r->km_incr - 1,
			   "kmap_local: slot %u for depth %u", fix % r->km_max_idx, o->depth);
		r->top[t][r->depth[t]] = o->vaddr;
		r->depth[t]++;
		return;
	}
	if (!map && (o->flags & HM_OUT_UNMAPPED)) {
		FUZZ_CHECK(r->depth[t] > 0 && o->depth == r->depth[t] - 1,
			   "kunmap_local: depth %u after %u", o->depth, r->depth[t]);
		r->depth[t]--;
		/* the kernel pops the top, whatever address it was given */
		if (r->known[t] && !(wrong && p->kmap_pte_nonlinear))
			FUZZ_CHECK(o->vaddr == r->top[t][r->depth[t]],
				   "kunmap_local released 0x%" PRIx64 ", the top is 0x%" PRIx64,
				   o->vaddr, r->top[t][r->depth[t]]);
		return;
	}
	/* lowmem, ignored, or refused: the stack stays as it was */
	if (o->flags & (HM_OUT_MAPPED | HM_OUT_IGNORED | HM_OUT_LOWMEM))
		FUZZ_CHECK(o->depth == r->depth[t] || !(o->flags & HM_OUT_MAPPED),
			   "depth %u after %u for a call that changed nothing", o->depth,
			   r->depth[t]);
}

/* A task that exited, or a child after fork: an empty stack. */
static void ref_reset(struct ref *r, uint32_t t)
{
	r->depth[t] = 0;
	r->known[t] = true;
	r->lost[t] = false;
	r->resync[t] = false;
}

static void ref_compare(struct ref *r, struct hm_model *m, const struct hm_outcome *o)
{
	const struct hm_profile *p = r->p;
	const struct hm_model_stats *st = hm_model_stats(m);
	uint32_t busy = 0;
	const char *why;

	FUZZ_CHECK(hm_model_check(m, &why) == 0, "hm_model_check: %s", why);
	memset(r->held_users, 0, sizeof(r->held_users));
	memset(r->held_depth, 0, sizeof(r->held_depth));
	r->nr_held_pages = 0;
	r->bad_local_addr = false;
	FUZZ_CHECK(hm_model_for_each_held(m, held_cb, r) == 0, "for_each_held stopped");
	FUZZ_CHECK(!r->bad_local_addr, "a live local mapping outside the kmap fixmap");
	/* a page has one pool address at most */
	qsort(r->held_pages, r->nr_held_pages, sizeof(r->held_pages[0]), cmp_u64);
	for (uint32_t i = 1; i < r->nr_held_pages; i++)
		FUZZ_CHECK(r->held_pages[i] != r->held_pages[i - 1],
			   "page 0x%" PRIx64 " held at two pool addresses", r->held_pages[i]);
	FUZZ_CHECK(o->pool_in_use + o->pool_dirty <= p->last_pkmap, "pool %u + %u of %u",
		   o->pool_in_use, o->pool_dirty, p->last_pkmap);
	FUZZ_CHECK(st->max_depth <= (r->km_max_idx - 1) / r->km_incr, "max_depth %u",
		   st->max_depth);
	FUZZ_CHECK(st->peak_in_use <= p->last_pkmap, "peak_in_use %u", st->peak_in_use);
	if (r->pool_valid) {
		for (uint32_t s = 0; s < p->last_pkmap; s++) {
			FUZZ_CHECK(r->users[s] == r->held_users[s],
				   "slot %u: %u users by the outcomes, %u held", s, r->users[s],
				   r->held_users[s]);
			busy += r->users[s] > 0;
		}
		FUZZ_CHECK(busy == o->pool_in_use, "%u slots in use by the outcomes, %u reported",
			   busy, o->pool_in_use);
	}
	for (uint32_t t = 0; t < NTASKS; t++) {
		if (!r->resync[t])
			continue;
		r->resync[t] = false;
		r->known[t] = false;
		if (t > 0 && t < NPIDS)
			r->depth[t] = r->held_depth[t];
		else
			r->lost[t] = true;
	}
	for (uint32_t pid = 1; pid < NPIDS; pid++)
		FUZZ_CHECK(r->depth[pid] == r->held_depth[pid], "task %u: depth %u, %u held", pid,
			   r->depth[pid], r->held_depth[pid]);
}

static bool setup_profile(struct gen *g, struct hm_profile *p)
{
	uint8_t b0 = take(g), b1 = take(g), b2 = take(g);
	uint32_t max_cpus;
	const char *why;

	*p = *hm_profile_get(b0 % hm_profile_count());
	max_cpus = p->nr_cpus_max < NCPUS ? p->nr_cpus_max : NCPUS;
	p->nr_cpus = 1 + b1 % max_cpus;
	switch (b2 & 3) {
	case 1:
		p->last_pkmap = 4 * p->nr_colors;
		break;
	case 2:
		p->last_pkmap = 8 * p->nr_colors;
		break;
	case 3:
		p->last_pkmap = 16 * p->nr_colors;
		break;
	}
	p->debug_kmap_local = b2 & 4;
	p->force_map = (b2 & 8) && p->debug_kmap_local;
	p->highmem_start_pfn = (b2 & 16) ? HIGHMEM_PFN : HM_NONE;
	return hm_profile_check(p, &why) == 0 && p->last_pkmap <= MAX_POOL;
}

/* A page: pool pages, lowmem pages, bare struct page identities, or none. */
static void gen_page(uint8_t b, struct hm_event *ev)
{
	if (b < 192) {
		ev->pfn = HIGHMEM_PFN + b % 40;
	} else if (b < 216) {
		ev->pfn = 16 + b % 8;
	} else if (b < 240) {
		ev->page = 0xc1000000ull + (b % 12) * 32;
	}
}

/* An address: none, the one the kernel would use, or one of many wrong ones. */
static void gen_vaddr(uint8_t b, struct hm_event *ev, struct ref *r, struct hm_model *m)
{
	const struct hm_profile *p = r->p;
	uint32_t t = task_of(ev->pid, ev->cpu);
	uint64_t off = (b & 1) ? 0x123 : 0;

	if (b < 112)
		return;
	if (b < 160) {
		switch (ev->op) {
		case HM_OP_KMAP:
			ev->vaddr = hm_model_predict_kmap(m, ev);
			break;
		case HM_OP_KMAP_LOCAL:
		case HM_OP_KMAP_ATOMIC:
			ev->vaddr = fix_addr(p, (r->depth[t] * r->km_incr + r->km_incr - 1 +
						 r->km_max_idx * ev->cpu) * p->nr_colors +
					     p->nr_colors - 1);
			break;
		case HM_OP_KUNMAP_LOCAL:
		case HM_OP_KUNMAP_ATOMIC:
			if (r->depth[t] && r->known[t])
				ev->vaddr = r->top[t][r->depth[t] - 1];
			break;
		default:
			break;
		}
		if (ev->vaddr != HM_NONE)
			ev->vaddr += off;
		return;
	}
	if (b < 192) {
		/* stack slot, CPU: any slot of the first CPUs' kmap fixmap */
		uint32_t slot = b % r->km_max_idx;
		uint32_t cpus = p->nr_cpus_max < NCPUS ? p->nr_cpus_max : NCPUS;
		uint32_t cpu = (b / r->km_max_idx) % cpus;

		ev->vaddr = fix_addr(p, (slot + r->km_max_idx * cpu) * p->nr_colors +
				     p->nr_colors - 1) + off;
	} else if (b < 224) {
		ev->vaddr = pkmap_addr(p, b % p->last_pkmap) + off;
	} else if (b < 240) {
		ev->vaddr = p->page_offset + ((uint64_t)(b % 16) << p->page_shift) + off;
	} else {
		/* a struct page * passed by mistake */
		ev->vaddr = (uint64_t)(b % 16) * 0x1000 + off;
	}
}

/*
 * FUZZ_MODEL_TRACE=1 prints the events as an hmtrace JSON Lines trace on
 * stderr, to turn a failing input into a trace hm-replay and hm-lint read.
 */
static bool tracing;

static void trace_header(const struct hm_profile *p)
{
	fprintf(stderr, "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{\"arch\":\"%s\","
		"\"nr_cpus\":%u,\"last_pkmap\":%u,\"debug_kmap_local\":%s", p->name, p->nr_cpus,
		p->last_pkmap, p->debug_kmap_local ? "true" : "false");
	if (p->highmem_start_pfn != HM_NONE)
		fprintf(stderr, ",\"highmem_start_pfn\":%" PRIu64, p->highmem_start_pfn);
	fprintf(stderr, "}}%s\n", p->force_map ? "  (and --force-map)" : "");
}

static void trace_event(const struct hm_event *ev)
{
	fprintf(stderr, "{\"ts\":%" PRIu64 ",\"cpu\":%u,\"pid\":%d", ev->ts, ev->cpu, ev->pid);
	if (ev->ctx != HM_CTX_TASK)
		fprintf(stderr, ",\"ctx\":\"%s\"", hm_ctx_name(ev->ctx));
	fprintf(stderr, ",\"op\":\"%s\"", hm_op_name(ev->op));
	if (ev->pfn != HM_NONE)
		fprintf(stderr, ",\"pfn\":%" PRIu64, ev->pfn);
	if (ev->page != HM_NONE)
		fprintf(stderr, ",\"page\":\"0x%" PRIx64 "\"", ev->page);
	if (ev->vaddr != HM_NONE)
		fprintf(stderr, ",\"vaddr\":\"0x%" PRIx64 "\"", ev->vaddr);
	if (ev->ret_ts != HM_NONE)
		fprintf(stderr, ",\"ret_ts\":%" PRIu64, ev->ret_ts);
	if (ev->next_pid != HM_PID_NONE)
		fprintf(stderr, ",\"next_pid\":%d", ev->next_pid);
	if (ev->op == HM_OP_MIGRATE)
		fprintf(stderr, ",\"dest_cpu\":%u", ev->dest_cpu);
	if (ev->flags & HM_EVF_CTX_KNOWN)
		fprintf(stderr, ",\"irqs_off\":%s,\"preempt_off\":%s",
			ev->flags & HM_EVF_IRQS_OFF ? "true" : "false",
			ev->flags & HM_EVF_PREEMPT_OFF ? "true" : "false");
	fprintf(stderr, "}%s\n", ev->flags & HM_EVF_LOCK_LATE ? "  (lock late)" : "");
}

static void apply(struct hm_model *m, struct ref *r, const struct hm_event *ev, bool clone)
{
	struct hm_model *copy = NULL;
	struct hm_outcome o, c, oc;
	uint64_t predicted = HM_NONE;
	int rc;

	if (ev->op == HM_OP_KMAP)
		predicted = hm_model_predict_kmap(m, ev);
	if (clone && (ev->op == HM_OP_KMAP || ev->op == HM_OP_KUNMAP)) {
		copy = hm_model_clone_pool(m);
		FUZZ_CHECK(copy, "hm_model_clone_pool failed");
	}
	if (tracing)
		trace_event(ev);
	rc = hm_model_apply(m, ev, &o);
	FUZZ_CHECK(rc == 0, "hm_model_apply: %d", rc);
	FUZZ_CHECK(o.nr_diags <= HM_OUTCOME_MAX_DIAGS, "%u diags", o.nr_diags);
	for (uint32_t i = 0; i < o.nr_diags; i++)
		FUZZ_CHECK(o.diags[i].kind < HM_DIAG__COUNT, "diag kind %u", o.diags[i].kind);

	/* a kmap() of an unknown page (a return probe only) takes the kernel's address */
	if (ev->op == HM_OP_KMAP && !(o.flags & (HM_OUT_SYNCED | HM_OUT_LOWMEM | HM_OUT_IGNORED))) {
		FUZZ_CHECK(!(o.flags & HM_OUT_WAIT) == (predicted != HM_NONE),
			   "kmap: predicted 0x%" PRIx64 ", flags 0x%x", predicted, o.flags);
		FUZZ_CHECK((o.flags & HM_OUT_WAIT) || o.vaddr == predicted,
			   "kmap: predicted 0x%" PRIx64 ", got 0x%" PRIx64, predicted, o.vaddr);
	}
	if (copy) {
		FUZZ_CHECK(hm_model_apply(copy, ev, &c) == 0, "apply on the copy");
		/* a copy knows no history: it never guesses "made before the trace" */
		if (ev->op == HM_OP_KMAP || !(o.flags & HM_OUT_PREDATES))
			FUZZ_CHECK(c.vaddr == o.vaddr && (c.flags & (HM_OUT_WAIT | HM_OUT_WRAP)) ==
				   (o.flags & (HM_OUT_WAIT | HM_OUT_WRAP)),
				   "%s: model 0x%" PRIx64 "/0x%x, pool copy 0x%" PRIx64 "/0x%x",
				   hm_op_name(ev->op), o.vaddr, o.flags, c.vaddr, c.flags);
		while (hm_model_next_completion(copy, &oc))
			;
		hm_model_free(copy);
	}

	ref_pool(r, &o);
	switch (ev->op) {
	case HM_OP_KMAP_LOCAL:
	case HM_OP_KMAP_ATOMIC:
	case HM_OP_KUNMAP_LOCAL:
	case HM_OP_KUNMAP_ATOMIC:
		ref_local(r, ev, &o);
		break;
	case HM_OP_TASK_EXIT:
		ref_reset(r, task_of(ev->pid, ev->cpu));
		break;
	case HM_OP_FORK:
		ref_reset(r, task_of(ev->next_pid, ev->cpu));
		break;
	default:
		break;
	}
	while (hm_model_next_completion(m, &c)) {
		FUZZ_CHECK(c.flags & HM_OUT_COMPLETED, "completion without HM_OUT_COMPLETED");
		FUZZ_CHECK(c.flags & HM_OUT_MAPPED, "completion that mapped nothing");
		FUZZ_CHECK(c.ts >= ev->ts, "completion at %" PRIu64 " before its waker at %" PRIu64,
			   c.ts, ev->ts);
		ref_pool(r, &c);
	}
	ref_compare(r, m, &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gen g = { data, size };
	struct hm_profile prof;
	struct hm_model *m;
	static struct ref r;
	uint64_t ts = 1000;
	uint32_t n = 0;

	if (!setup_profile(&g, &prof))
		return 0;
	m = hm_model_new(&prof);
	FUZZ_CHECK(m, "hm_model_new failed for a profile hm_profile_check() accepts");
	tracing = getenv("FUZZ_MODEL_TRACE") != NULL;
	if (tracing)
		trace_header(&prof);
	memset(&r, 0, sizeof(r));
	r.p = hm_model_profile(m);
	r.km_max_idx = hm_profile_km_max_idx(r.p);
	r.km_incr = hm_profile_km_incr(r.p);
	r.pool_valid = true;
	for (uint32_t t = 0; t < NTASKS; t++)
		r.known[t] = true;

	while (g.n >= 5 && n < MAX_EVENTS) {
		uint8_t bop = take(&g), bwho = take(&g), bpage = take(&g), bva = take(&g);
		uint8_t battr = take(&g);
		struct hm_event ev = {
			.ret_ts = HM_NONE, .pfn = HM_NONE, .page = HM_NONE, .vaddr = HM_NONE,
			.next_pid = HM_PID_NONE, .index = n,
		};

		ev.op = bop % HM_OP__COUNT;
		ev.cpu = bwho % prof.nr_cpus;
		ev.pid = (bwho >> 2) % NPIDS;
		ev.comm = (uint32_t)ev.pid;
		ev.site = bop >> 4;
		ev.ctx = (battr & 3) == 3 ? HM_CTX_TASK : battr & 3;
		if ((battr & 0x0c) == 0)
			ev.ctx = HM_CTX_TASK;
		if (battr & 0x10)
			ev.flags = HM_EVF_CTX_KNOWN | ((battr >> 5) & 3);
		if (battr & 0x80)
			ev.flags |= HM_EVF_LOCK_LATE;
		ts += (bpage & 7) * 40 + (bva & 3);
		ev.ts = ts;
		if (battr & 0x40)
			ev.ret_ts = ts + 30;
		switch (ev.op) {
		case HM_OP_SCHED_SWITCH:
		case HM_OP_FORK:
			ev.next_pid = (bva >> 2) % NPIDS;
			break;
		case HM_OP_MIGRATE:
			ev.dest_cpu = (bva >> 2) % prof.nr_cpus;
			break;
		case HM_OP_IRQ_ENTER:
		case HM_OP_IRQ_EXIT:
			if (ev.ctx == HM_CTX_TASK)
				ev.ctx = HM_CTX_HARDIRQ;
			break;
		default:
			gen_page(bpage, &ev);
			gen_vaddr(bva, &ev, &r, m);
			/* readers insist on an operand for the map calls */
			if (ev.pfn == HM_NONE && ev.page == HM_NONE && ev.vaddr == HM_NONE)
				ev.pfn = HIGHMEM_PFN;
			break;
		}
		apply(m, &r, &ev, (battr & 0x0c) == 0x0c);
		FUZZ_CHECK(hm_model_stats(m)->events == ++n, "events counted %" PRIu64 " of %u",
			   hm_model_stats(m)->events, n);
	}
	hm_model_free(m);
	return 0;
}
