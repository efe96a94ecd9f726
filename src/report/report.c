// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report.c - accounting: one (event, outcome) pair at a time into tables with
 * constant memory per key (CPU, task, call site, op).  Nothing here prints.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

#define DEFAULT_TOP 10
#define DEFAULT_MAX_LIST 1000

/* Who an outcome is charged to: the event itself, or the kmap that slept. */
struct attr {
	uint64_t index;
	uint64_t ts;
	uint64_t vaddr;
	int32_t pid;
	uint32_t cpu;
	uint32_t comm;
	uint32_t site;
	uint16_t op;
	uint8_t ctx;
};

unsigned int hm_report_top(const struct hm_report *rep)
{
	return rep->opts.top ? rep->opts.top : DEFAULT_TOP;
}

static unsigned int max_list(const struct hm_report *rep)
{
	return rep->opts.max_list ? rep->opts.max_list : DEFAULT_MAX_LIST;
}

const char *hm_report_str(const struct hm_report *rep, uint32_t id)
{
	return rep->strtab ? hm_strtab_get(rep->strtab, id) : "";
}

bool hm_report_is_latency_op(unsigned int op)
{
	switch (op) {
	case HM_OP_KMAP:
	case HM_OP_KUNMAP:
	case HM_OP_KMAP_ATOMIC:
	case HM_OP_KUNMAP_ATOMIC:
	case HM_OP_KMAP_LOCAL:
	case HM_OP_KUNMAP_LOCAL:
	case HM_OP_KMAP_HIGH_GET:
	case HM_OP_KMAP_FLUSH_UNUSED:
		return true;
	default:
		return false;
	}
}

static bool is_local_map(unsigned int op)
{
	return op == HM_OP_KMAP_LOCAL || op == HM_OP_KMAP_ATOMIC;
}

static bool is_unmap(unsigned int op)
{
	return op == HM_OP_KUNMAP || op == HM_OP_KUNMAP_ATOMIC || op == HM_OP_KUNMAP_LOCAL;
}

/* ---------------------------------------------------------------- top N --- */

static bool row_less(const struct hm_row *a, const struct hm_row *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	return a->index > b->index;	/* the later event ranks lower */
}

static int topn_init(struct hm_topn *t, unsigned int cap)
{
	t->rows = calloc(cap, sizeof(*t->rows));
	t->cap = cap;
	t->n = 0;
	return t->rows ? 0 : -ENOMEM;
}

static void topn_sift_down(struct hm_topn *t, unsigned int i)
{
	for (;;) {
		unsigned int l = 2 * i + 1, r = l + 1, m = i;
		struct hm_row tmp;

		if (l < t->n && row_less(&t->rows[l], &t->rows[m]))
			m = l;
		if (r < t->n && row_less(&t->rows[r], &t->rows[m]))
			m = r;
		if (m == i)
			return;
		tmp = t->rows[i];
		t->rows[i] = t->rows[m];
		t->rows[m] = tmp;
		i = m;
	}
}

static void topn_add(struct hm_topn *t, const struct hm_row *row)
{
	unsigned int i;

	if (t->n < t->cap) {
		/* sift up */
		i = t->n++;
		t->rows[i] = *row;
		while (i && row_less(&t->rows[i], &t->rows[(i - 1) / 2])) {
			struct hm_row tmp = t->rows[i];

			t->rows[i] = t->rows[(i - 1) / 2];
			t->rows[(i - 1) / 2] = tmp;
			i = (i - 1) / 2;
		}
		return;
	}
	if (!t->cap || !row_less(&t->rows[0], row))
		return;
	t->rows[0] = *row;
	topn_sift_down(t, 0);
}

static int row_cmp_desc(const void *a, const void *b)
{
	const struct hm_row *x = a, *y = b;

	if (row_less(x, y))
		return 1;
	if (row_less(y, x))
		return -1;
	return 0;
}

static void topn_sort(struct hm_topn *t)
{
	qsort(t->rows, t->n, sizeof(*t->rows), row_cmp_desc);
}

unsigned int hm_topn_sorted(const struct hm_topn *t, const struct hm_row **rows)
{
	*rows = t->rows;
	return t->n;
}

/* ------------------------------------------------------------ lifecycle --- */

struct hm_report *hm_report_new(const struct hm_report_opts *opts)
{
	struct hm_report *rep = calloc(1, sizeof(*rep));

	if (!rep)
		return NULL;
	if (opts)
		rep->opts = *opts;
	else
		rep->opts.until = UINT64_MAX;
	rep->label = "baseline";
	hm_hist_init(&rep->wrap_interval);
	hm_hist_init(&rep->sleep_hist);
	hm_u64map_init(&rep->task_idx);
	hm_u64map_init(&rep->pending_idx);
	rep->reclaimed_min = UINT32_MAX;
	rep->first_ts = UINT64_MAX;
	rep->counted_first_ts = UINT64_MAX;
	rep->free_pending = UINT32_MAX;
	for (unsigned int i = 0; i < HM_REPORT_MISMATCHES; i++)
		rep->mismatches[i].index = HM_NONE;
	if (topn_init(&rep->held, hm_report_top(rep)) ||
	    topn_init(&rep->worst_spins, hm_report_top(rep))) {
		hm_report_free(rep);
		errno = ENOMEM;
		return NULL;
	}
	return rep;
}

void hm_report_free(struct hm_report *rep)
{
	uint32_t i;

	if (!rep)
		return;
	for (i = 0; i < rep->nr_lats; i++)
		free(rep->lats[i]);
	free(rep->lats);
	free(rep->cpus);
	free(rep->tasks);
	free(rep->sites);
	free(rep->comm_match);
	free(rep->site_match);
	free(rep->wrap_list);
	free(rep->pending);
	free(rep->owners);
	free(rep->held.rows);
	free(rep->worst_spins.rows);
	free(rep->viol);
	free(rep->leaks);
	free(rep->file);
	free(rep->format);
	hm_u64map_fini(&rep->task_idx);
	hm_u64map_fini(&rep->pending_idx);
	free(rep);
}

void hm_report_set_label(struct hm_report *rep, const char *label)
{
	rep->label = label;
}

void hm_report_set_shift(struct hm_report *rep, const struct hm_report_shift *shift)
{
	rep->shift = *shift;
	rep->have_shift = true;
}

int hm_report_begin(struct hm_report *rep, const struct hm_strtab *strtab,
		    const struct hm_profile *profile, const char *file, const char *format,
		    const struct hm_trace_meta *meta)
{
	rep->strtab = strtab;
	if (profile) {
		rep->profile = *profile;
		rep->have_profile = true;
	}
	free(rep->file);
	free(rep->format);
	rep->file = strdup(file ? file : "");
	rep->format = strdup(format ? format : "");
	if (!rep->file || !rep->format)
		return -ENOMEM;
	if (meta) {
		rep->meta = *meta;
		rep->have_meta = true;
	}
	return 0;
}

/* ---------------------------------------------------------------- tables --- */

static int grow_array(void **arr, uint32_t *len, uint32_t need, size_t elem)
{
	uint32_t n = *len ? *len : 8;
	void *p;

	if (need <= *len)
		return 0;
	while (n < need) {
		if (n > UINT32_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	p = realloc(*arr, (size_t)n * elem);
	if (!p)
		return -ENOMEM;
	memset((char *)p + (size_t)*len * elem, 0, (size_t)(n - *len) * elem);
	*arr = p;
	*len = n;
	return 0;
}

static struct hm_cpu *cpu_get(struct hm_report *rep, uint32_t cpu)
{
	if (cpu >= rep->nr_cpus &&
	    grow_array((void **)&rep->cpus, &rep->nr_cpus, cpu + 1, sizeof(*rep->cpus)))
		return NULL;
	return &rep->cpus[cpu];
}

static struct hm_site *site_get(struct hm_report *rep, uint32_t site)
{
	if (site >= rep->nr_sites &&
	    grow_array((void **)&rep->sites, &rep->nr_sites, site + 1, sizeof(*rep->sites)))
		return NULL;
	return &rep->sites[site];
}

static struct hm_task *task_get(struct hm_report *rep, int32_t pid)
{
	uint32_t *idx = hm_u64map_get(&rep->task_idx, (uint32_t)pid);
	struct hm_task *t;

	if (idx)
		return &rep->tasks[*idx];
	if (rep->nr_tasks == rep->cap_tasks &&
	    grow_array((void **)&rep->tasks, &rep->cap_tasks, rep->nr_tasks + 1,
		       sizeof(*rep->tasks)))
		return NULL;
	if (hm_u64map_put(&rep->task_idx, (uint32_t)pid, rep->nr_tasks))
		return NULL;
	t = &rep->tasks[rep->nr_tasks++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	return t;
}

const char *hm_report_comm_of(const struct hm_report *rep, int32_t pid)
{
	uint32_t *idx = hm_u64map_get(&rep->task_idx, (uint32_t)pid);

	return idx ? hm_report_str(rep, rep->tasks[*idx].comm) : "";
}

/* The latency table of @op at all keys (kind 0), a site (1) or a CPU (2). */
static struct hm_lat *lat_get(struct hm_report *rep, uint16_t op, int kind, uint32_t key)
{
	uint32_t *slot;
	struct hm_lat *l;

	if (kind == 0) {
		slot = &rep->lat_op[op];
	} else if (kind == 1) {
		struct hm_site *s = site_get(rep, key);

		if (!s)
			return NULL;
		slot = &s->lat[op];
	} else {
		struct hm_cpu *c = cpu_get(rep, key);

		if (!c)
			return NULL;
		slot = &c->lat[op];
	}
	if (*slot)
		return rep->lats[*slot - 1];
	if (rep->nr_lats == rep->cap_lats &&
	    grow_array((void **)&rep->lats, &rep->cap_lats, rep->nr_lats + 1, sizeof(*rep->lats)))
		return NULL;
	l = malloc(sizeof(*l));
	if (!l)
		return NULL;
	l->op = op;
	l->key = key;
	l->observed = l->modelled = 0;
	hm_hist_init(&l->hist);
	rep->lats[rep->nr_lats++] = l;
	*slot = rep->nr_lats;
	return l;
}

const char *hm_report_lat_source(const struct hm_lat *l)
{
	if (l->observed && l->modelled)
		return "mixed";
	return l->observed ? "observed" : "modelled";
}

static int lat_add(struct hm_report *rep, const struct attr *a, uint64_t ns, bool observed)
{
	struct hm_lat *l[3];
	int i;

	l[0] = lat_get(rep, a->op, 0, 0);
	l[1] = lat_get(rep, a->op, 1, a->site);
	l[2] = lat_get(rep, a->op, 2, a->cpu);
	for (i = 0; i < 3; i++) {
		if (!l[i])
			return -ENOMEM;
		hm_hist_add(&l[i]->hist, ns);
		if (observed)
			l[i]->observed++;
		else
			l[i]->modelled++;
	}
	return 0;
}

/* --------------------------------------------------------------- filters --- */

static bool match_cached(struct hm_report *rep, uint8_t **cache, uint32_t *len, uint32_t id,
			 const char *pat)
{
	if (id >= *len && grow_array((void **)cache, len, id + 1, 1))
		return fnmatch(pat, hm_report_str(rep, id), 0) == 0;
	if (!(*cache)[id])
		(*cache)[id] = fnmatch(pat, hm_report_str(rep, id), 0) == 0 ? 1 : 2;
	return (*cache)[id] == 1;
}

static void resolve_window(struct hm_report *rep, uint64_t first_ts)
{
	const struct hm_report_opts *o = &rep->opts;

	rep->since = o->since;
	rep->until = o->until;
	if (o->since_rel)
		rep->since = first_ts + o->since < first_ts ? UINT64_MAX : first_ts + o->since;
	if (o->until_rel && o->until != UINT64_MAX)
		rep->until = first_ts + o->until < first_ts ? UINT64_MAX : first_ts + o->until;
	rep->window_resolved = true;
}

static bool in_window(const struct hm_report *rep, uint64_t ts)
{
	return ts >= rep->since && ts <= rep->until;
}

static bool selected(struct hm_report *rep, const struct hm_event *ev, const struct hm_outcome *out)
{
	const struct hm_report_opts *o = &rep->opts;

	if (!in_window(rep, ev->ts))
		return false;
	if (o->cpu_set && ev->cpu != o->cpu)
		return false;
	if (o->pid_set && ev->pid != o->pid)
		return false;
	if (o->comm && !match_cached(rep, &rep->comm_match, &rep->comm_match_len, ev->comm, o->comm))
		return false;
	if (o->site && !match_cached(rep, &rep->site_match, &rep->site_match_len, ev->site, o->site)) {
		/* an unmap also belongs to the site that made the mapping */
		if (!is_unmap(ev->op) || !(out->flags & HM_OUT_UNMAPPED) ||
		    !match_cached(rep, &rep->site_match, &rep->site_match_len, out->map_site,
				  o->site))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ accounting --- */

static void occupancy(struct hm_report *rep, uint64_t ts, const struct hm_outcome *out)
{
	if (!in_window(rep, ts))
		return;
	if (!rep->occ_started) {
		rep->occ_started = true;
		rep->occ_first_ts = ts;
		rep->occ_prev_ts = ts;
	} else if (ts > rep->occ_prev_ts) {
		/* time going backwards across CPUs adds nothing */
		rep->occ_area += (long double)rep->occ_prev * (long double)(ts - rep->occ_prev_ts);
		rep->occ_prev_ts = ts;
	}
	rep->occ_last_ts = rep->occ_prev_ts;
	rep->occ_prev = out->pool_in_use;
	if (out->pool_in_use > rep->peak_in_use) {
		rep->peak_in_use = out->pool_in_use;
		rep->peak_in_use_ts = ts;
	}
	if (out->pool_dirty > rep->peak_dirty)
		rep->peak_dirty = out->pool_dirty;
	if (out->waiters > rep->peak_waiters)
		rep->peak_waiters = out->waiters;
}

double hm_report_avg_in_use(const struct hm_report *rep)
{
	if (!rep->occ_started)
		return 0.0;
	if (rep->occ_last_ts <= rep->occ_first_ts)
		return (double)rep->occ_prev;
	return (double)(rep->occ_area / (long double)(rep->occ_last_ts - rep->occ_first_ts));
}

double hm_report_span_s(const struct hm_report *rep)
{
	if (rep->counted_first_ts == UINT64_MAX || rep->counted_last_ts <= rep->counted_first_ts)
		return 0.0;
	return (double)(rep->counted_last_ts - rep->counted_first_ts) / 1e9;
}

static int note_violation(struct hm_report *rep, const struct attr *a, const struct hm_diag *d)
{
	struct hm_violation *v;
	struct hm_site *s;

	rep->nr_violations++;
	if (d->kind < HM_DIAG__COUNT)
		rep->by_rule[d->kind]++;
	s = site_get(rep, a->site);
	if (!s)
		return -ENOMEM;
	s->diags++;
	if (rep->nr_viol >= max_list(rep))
		return 0;
	if (!rep->viol) {
		rep->viol = calloc(max_list(rep), sizeof(*rep->viol));
		if (!rep->viol)
			return -ENOMEM;
	}
	v = &rep->viol[rep->nr_viol++];
	v->d = *d;
	v->index = a->index;
	v->ts = a->ts;
	v->vaddr = a->vaddr;
	v->pid = a->pid;
	v->cpu = a->cpu;
	v->comm = a->comm;
	v->site = a->site;
	v->op = a->op;
	v->ctx = a->ctx;
	return 0;
}

static int note_wrap(struct hm_report *rep, const struct attr *a, const struct hm_outcome *out)
{
	struct hm_wrap *w;

	if (rep->have_wrap)
		hm_hist_add(&rep->wrap_interval, a->ts - rep->last_wrap_ts);
	rep->have_wrap = true;
	rep->last_wrap_ts = a->ts;
	rep->wraps++;
	rep->reclaimed_total += out->reclaimed;
	if (out->reclaimed < rep->reclaimed_min)
		rep->reclaimed_min = out->reclaimed;
	if (out->reclaimed > rep->reclaimed_max)
		rep->reclaimed_max = out->reclaimed;
	rep->wrap_tlb_range += out->tlb_range;
	rep->wrap_tlb_full += out->tlb_full;
	rep->wrap_ipis += out->ipis;
	if (rep->nr_wrap_list >= max_list(rep))
		return 0;
	if (!rep->wrap_list) {
		rep->wrap_list = calloc(max_list(rep), sizeof(*rep->wrap_list));
		if (!rep->wrap_list)
			return -ENOMEM;
	}
	w = &rep->wrap_list[rep->nr_wrap_list++];
	w->index = a->index;
	w->ts = a->ts;
	w->cpu = a->cpu;
	w->pid = a->pid;
	w->site = a->site;
	w->reclaimed = out->reclaimed;
	w->tlb_range = out->tlb_range;
	w->tlb_full = out->tlb_full;
	w->ipis = out->ipis;
	return 0;
}

static int note_owner(struct hm_report *rep, const struct attr *a, const struct hm_outcome *out)
{
	uint32_t slot = (uint32_t)out->slot;

	uint32_t old = rep->nr_owners, i;

	if (slot >= rep->nr_owners) {
		if (grow_array((void **)&rep->owners, &rep->nr_owners, slot + 1,
			       sizeof(*rep->owners)))
			return -ENOMEM;
		for (i = old; i < rep->nr_owners; i++)
			rep->owners[i].pid = HM_PID_NONE;
	}
	rep->owners[slot].pid = a->pid;
	rep->owners[slot].comm = a->comm;
	return 0;
}

/* Everything an outcome says, charged to @a; for events and completions alike. */
static int account(struct hm_report *rep, const struct attr *a, const struct hm_outcome *out)
{
	struct hm_cpu *c = cpu_get(rep, a->cpu);
	struct hm_site *s = site_get(rep, a->site);
	unsigned int i;

	if (!c || !s)
		return -ENOMEM;

	if (out->flags & HM_OUT_WRAP && note_wrap(rep, a, out))
		return -ENOMEM;
	if (a->op == HM_OP_KMAP_FLUSH_UNUSED)
		rep->flush_unused_reclaimed += out->reclaimed;

	if (is_unmap(a->op) && out->flags & HM_OUT_UNMAPPED && out->map_ts != HM_NONE &&
	    a->ts >= out->map_ts) {
		struct hm_row r = {
			.key = a->ts - out->map_ts,
			.index = a->index,
			.ts = a->ts,
			.map_ts = out->map_ts,
			.map_index = out->map_index,
			.vaddr = out->vaddr,
			.pid = a->pid,
			.holder_pid = a->pid,
			.cpu = a->cpu,
			.comm = a->comm,
			.holder_comm = a->comm,
			.site = a->site,
			.map_site = out->map_site,
			.slot = out->slot,
			.op = a->op,
			.local = a->op != HM_OP_KUNMAP,
		};

		if (a->op == HM_OP_KUNMAP && out->slot >= 0 &&
		    (uint32_t)out->slot < rep->nr_owners) {
			r.holder_pid = rep->owners[out->slot].pid;
			r.holder_comm = rep->owners[out->slot].comm;
		}
		topn_add(&rep->held, &r);
	}

	if (out->spin_ns) {
		struct hm_row r = {
			.key = out->spin_ns,
			.index = a->index,
			.ts = a->ts,
			.pid = a->pid,
			.cpu = a->cpu,
			.comm = a->comm,
			.site = a->site,
			.op = a->op,
			.slot = out->slot,
			.map_index = HM_NONE,
			.map_ts = HM_NONE,
		};
		struct hm_task *t = task_get(rep, a->pid);

		if (!t)
			return -ENOMEM;
		rep->spin_ns += out->spin_ns;
		rep->contended++;
		c->spin_ns += out->spin_ns;
		c->contended++;
		s->spin_ns += out->spin_ns;
		s->contended++;
		t->spin_ns += out->spin_ns;
		topn_add(&rep->worst_spins, &r);
	}

	if (is_local_map(a->op) && out->flags & HM_OUT_MAPPED && !(out->flags & HM_OUT_LOWMEM)) {
		rep->local_maps++;
		c->local_maps++;
		rep->depth_hist[out->depth < HM_REPORT_DEPTHS ? out->depth : HM_REPORT_DEPTHS - 1]++;
	}
	if (is_local_map(a->op) || a->op == HM_OP_KUNMAP_LOCAL || a->op == HM_OP_KUNMAP_ATOMIC) {
		if (out->depth > rep->max_depth)
			rep->max_depth = out->depth;
		if (out->depth > c->max_depth)
			c->max_depth = out->depth;
	}

	rep->tlb_local += out->tlb_local;
	rep->tlb_range += out->tlb_range;
	rep->tlb_full += out->tlb_full;
	rep->ipis += out->ipis;
	c->tlb_local += out->tlb_local;
	c->tlb_range += out->tlb_range;
	c->tlb_full += out->tlb_full;
	c->ipis += out->ipis;

	for (i = 0; i < out->nr_diags && i < HM_OUTCOME_MAX_DIAGS; i++) {
		if (out->diags[i].kind == HM_DIAG_ADDR_MISMATCH)
			continue;	/* the agreement line's business */
		if (note_violation(rep, a, &out->diags[i]))
			return -ENOMEM;
	}
	return 0;
}

static void note_mismatch(struct hm_report *rep, uint64_t index, uint64_t expected,
			  uint64_t observed)
{
	if (rep->nr_mismatches >= HM_REPORT_MISMATCHES)
		return;
	rep->mismatches[rep->nr_mismatches].index = index;
	rep->mismatches[rep->nr_mismatches].expected = expected;
	rep->mismatches[rep->nr_mismatches].observed = observed;
	rep->nr_mismatches++;
}

static struct hm_pending *pending_new(struct hm_report *rep, uint64_t index)
{
	uint32_t i;

	if (rep->free_pending != UINT32_MAX) {
		i = rep->free_pending;
		rep->free_pending = rep->pending[i].next_free;
	} else {
		if (rep->nr_pending == rep->cap_pending &&
		    grow_array((void **)&rep->pending, &rep->cap_pending, rep->nr_pending + 1,
			       sizeof(*rep->pending)))
			return NULL;
		i = rep->nr_pending++;
	}
	if (hm_u64map_put(&rep->pending_idx, index, i)) {
		rep->pending[i].next_free = rep->free_pending;
		rep->free_pending = i;
		return NULL;
	}
	memset(&rep->pending[i], 0, sizeof(rep->pending[i]));
	rep->pending[i].index = index;
	return &rep->pending[i];
}

int hm_report_feed(struct hm_report *rep, const struct hm_event *ev, const struct hm_outcome *out)
{
	struct attr a = {
		.index = ev->index,
		.ts = ev->ts,
		.vaddr = ev->vaddr,
		.pid = ev->pid,
		.cpu = ev->cpu,
		.comm = ev->comm,
		.site = ev->site,
		.op = ev->op < HM_OP__COUNT ? ev->op : HM_OP__COUNT - 1,
		.ctx = ev->ctx,
	};
	bool sel, observed;
	struct hm_task *t;
	struct hm_cpu *c;
	uint64_t ns;

	if (!rep->window_resolved)
		resolve_window(rep, ev->ts);
	rep->events++;
	if (ev->ts < rep->first_ts)
		rep->first_ts = ev->ts;
	if (ev->ts > rep->last_ts)
		rep->last_ts = ev->ts;
	if (out->flags & HM_OUT_MISMATCH)
		note_mismatch(rep, ev->index, out->vaddr, ev->vaddr);
	occupancy(rep, ev->ts, out);

	/* a task's name is known from any of its events, counted or not */
	t = task_get(rep, ev->pid);
	if (!t)
		return -ENOMEM;
	if (ev->comm)
		t->comm = ev->comm;

	/* who holds each pkmap slot, whatever the filters, for "held longest" */
	if ((a.op == HM_OP_KMAP || a.op == HM_OP_KMAP_HIGH_GET) && out->flags & HM_OUT_MAPPED &&
	    !(out->flags & HM_OUT_LOWMEM) && out->slot >= 0 && note_owner(rep, &a, out))
		return -ENOMEM;

	sel = selected(rep, ev, out);
	if (out->flags & HM_OUT_WAIT) {
		struct hm_pending *p = pending_new(rep, ev->index);

		if (!p)
			return -ENOMEM;
		p->ts = ev->ts;
		p->cost_ns = out->cost_ns;
		p->pid = ev->pid;
		p->cpu = ev->cpu;
		p->comm = ev->comm;
		p->site = ev->site;
		p->selected = sel;
		p->latency_deferred = rep->opts.modelled_latency || ev->ret_ts == HM_NONE ||
				      ev->ret_ts < ev->ts;
	}
	if (!sel)
		return 0;

	rep->counted++;
	if (ev->ts < rep->counted_first_ts)
		rep->counted_first_ts = ev->ts;
	if (ev->ts > rep->counted_last_ts)
		rep->counted_last_ts = ev->ts;
	rep->ops[a.op]++;
	t->events++;
	c = cpu_get(rep, ev->cpu);
	if (!c)
		return -ENOMEM;
	c->seen = true;
	c->events++;
	if (!site_get(rep, ev->site))
		return -ENOMEM;
	rep->sites[ev->site].events++;
	if (out->flags & HM_OUT_WAIT)
		rep->sleeps++;

	if (hm_report_is_latency_op(a.op)) {
		observed = !rep->opts.modelled_latency && ev->ret_ts != HM_NONE &&
			   ev->ret_ts >= ev->ts;
		/* a modelled kmap that slept gets its latency when it completes */
		if (observed || !(out->flags & HM_OUT_WAIT)) {
			ns = observed ? ev->ret_ts - ev->ts : out->cost_ns;
			if (lat_add(rep, &a, ns, observed))
				return -ENOMEM;
		}
	}
	return account(rep, &a, out);
}

int hm_report_complete(struct hm_report *rep, const struct hm_outcome *out)
{
	uint32_t *idx = hm_u64map_get(&rep->pending_idx, out->index);
	struct hm_task *t;
	struct hm_site *s;
	struct hm_pending p;
	struct attr a;
	int ret = 0;

	occupancy(rep, out->ts, out);
	if (out->flags & HM_OUT_MISMATCH)
		note_mismatch(rep, out->index, out->vaddr, HM_NONE);
	if (!idx)
		return 0;	/* a sleep the report never saw begin */
	p = rep->pending[*idx];
	rep->pending[*idx].next_free = rep->free_pending;
	rep->free_pending = *idx;
	hm_u64map_del(&rep->pending_idx, out->index);
	if (out->flags & HM_OUT_MAPPED && out->slot >= 0) {
		struct attr who = { .pid = p.pid, .comm = p.comm };

		if (note_owner(rep, &who, out))
			return -ENOMEM;
	}
	if (!p.selected)
		return 0;

	a = (struct attr){
		.index = p.index,
		.ts = out->ts,
		.vaddr = HM_NONE,
		.pid = p.pid,
		.cpu = p.cpu,
		.comm = p.comm,
		.site = p.site,
		.op = HM_OP_KMAP,
		.ctx = HM_CTX_TASK,
	};
	rep->sleeps_done++;
	hm_hist_add(&rep->sleep_hist, out->wait_ns);
	t = task_get(rep, p.pid);
	s = site_get(rep, p.site);
	if (!t || !s)
		return -ENOMEM;
	t->sleeps++;
	t->sleep_ns += out->wait_ns;
	s->sleeps++;
	s->sleep_ns += out->wait_ns;
	/* modelled latency of a kmap that slept: before, asleep, and after */
	if (p.latency_deferred)
		ret = lat_add(rep, &a, p.cost_ns + out->wait_ns + out->cost_ns, false);
	return ret ? ret : account(rep, &a, out);
}

/* ------------------------------------------------------------------- end --- */

struct leak_walk {
	struct hm_report *rep;
	int err;
};

static int leak_one(const struct hm_held *h, void *arg)
{
	struct leak_walk *w = arg;
	struct hm_report *rep = w->rep;
	const struct hm_report_opts *o = &rep->opts;
	uint32_t *idx = hm_u64map_get(&rep->task_idx, (uint32_t)h->pid);
	uint32_t comm = idx ? rep->tasks[*idx].comm : 0;
	struct hm_leak *l;

	if (o->pid_set && h->pid != o->pid)
		return 0;
	if (o->comm && fnmatch(o->comm, hm_report_str(rep, comm), 0))
		return 0;
	if (o->site && fnmatch(o->site, hm_report_str(rep, h->site), 0))
		return 0;
	rep->nr_leaks++;
	if (h->local)
		rep->leaks_local++;
	else
		rep->leaks_pkmap++;
	if (rep->nr_leak_list >= max_list(rep))
		return 0;
	if (!rep->leaks) {
		rep->leaks = calloc(max_list(rep), sizeof(*rep->leaks));
		if (!rep->leaks) {
			w->err = -ENOMEM;
			return 1;
		}
	}
	l = &rep->leaks[rep->nr_leak_list++];
	l->h = *h;
	l->comm = comm;
	return 0;
}

static int leak_cmp(const void *a, const void *b)
{
	const struct hm_leak *x = a, *y = b;

	/* oldest first; those from before the trace (index HM_NONE) last */
	if (x->h.index != y->h.index)
		return x->h.index < y->h.index ? -1 : 1;
	if (x->h.vaddr != y->h.vaddr)
		return x->h.vaddr < y->h.vaddr ? -1 : 1;
	return 0;
}

int hm_report_end(struct hm_report *rep, const struct hm_model *model, uint64_t backwards)
{
	struct leak_walk w = { .rep = rep };

	rep->backwards = backwards;
	topn_sort(&rep->held);
	topn_sort(&rep->worst_spins);
	if (!model)
		return 0;
	rep->stats = *hm_model_stats(model);
	rep->have_stats = true;
	hm_model_for_each_held(model, leak_one, &w);
	if (w.err)
		return w.err;
	if (rep->nr_leak_list)
		qsort(rep->leaks, rep->nr_leak_list, sizeof(*rep->leaks), leak_cmp);
	return 0;
}

void hm_report_totals(const struct hm_report *rep, struct hm_report_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->events = rep->events;
	t->counted = rep->counted;
	t->wraps = rep->wraps;
	t->sleeps = rep->sleeps;
	t->violations = rep->nr_violations;
	t->leaks = rep->nr_leaks;
	t->spin_ns = rep->spin_ns;
	t->peak_in_use = rep->peak_in_use;
	t->max_depth = rep->max_depth;
}

/* --------------------------------------------------------------- wording --- */

const char *hm_report_reaction_name(unsigned int reaction)
{
	switch (reaction) {
	case HM_KERNEL_WARN:
		return "WARN_ON";
	case HM_KERNEL_WARN_ONCE:
		return "WARN_ON_ONCE";
	case HM_KERNEL_BUG:
		return "BUG";
	case HM_KERNEL_WARNED_BEFORE:
		return "silent (WARN_ON_ONCE already fired)";
	case HM_KERNEL_DEBUG_ONLY:
		return "silent unless CONFIG_DEBUG_ATOMIC_SLEEP";
	default:
		return "no warning";
	}
}

void hm_report_consequence(const struct hm_report *rep, const struct hm_violation *v, char *buf,
			   size_t size)
{
	const struct hm_diag *d = &v->d;
	const char *other_site = hm_report_str(rep, d->other_site);
	unsigned long long addr = d->addr, other = d->other_addr;
	/* the mapping concerned: the address passed in, else the top of the stack */
	unsigned long long held = d->addr != HM_NONE ? d->addr : d->other_addr;

	switch (d->kind) {
	case HM_DIAG_LOCAL_OUT_OF_ORDER:
		snprintf(buf, size,
			 "the kernel tore down the top of the stack, 0x%llx (mapped by %s), "
			 "and left 0x%llx mapped: the top's user loses its page",
			 other, *other_site ? other_site : "?", addr);
		break;
	case HM_DIAG_KUNMAP_NOT_MAPPED:
		snprintf(buf, size, "the page has no pkmap address (never mapped, or reclaimed "
			 "by a flush)");
		break;
	case HM_DIAG_PKMAP_COUNT_UNDERFLOW:
		snprintf(buf, size, "the count of 0x%llx would drop to 0: more kunmaps than kmaps",
			 addr);
		break;
	case HM_DIAG_KMAP_HIGH_GET_COUNT:
		snprintf(buf, size, "kmap_high_get found a mapped page with a count below 1");
		break;
	case HM_DIAG_LOCAL_NOT_MAPPED:
		if (other != HM_NONE)
			snprintf(buf, size, "0x%llx is not mapped by this task: the kernel tore down "
				 "the top of the stack, 0x%llx (mapped by %s), instead", addr, other,
				 *other_site ? other_site : "?");
		else
			snprintf(buf, size, "0x%llx is not mapped by this task", addr);
		break;
	case HM_DIAG_LOCAL_OVERFLOW:
		snprintf(buf, size, "the local stack is full at depth %u (KM_MAX_IDX): the "
			 "mapping cannot be made", d->depth);
		break;
	case HM_DIAG_LOCAL_UNDERFLOW:
		snprintf(buf, size, "unmap of 0x%llx with an empty local stack", addr);
		break;
	case HM_DIAG_LOCAL_BAD_ADDR:
		snprintf(buf, size, "0x%llx is below PAGE_OFFSET (a page pointer passed by "
			 "mistake?): nothing is unmapped", addr);
		break;
	case HM_DIAG_UNMAP_OUTSIDE_FIXMAP:
		snprintf(buf, size, "0x%llx is not a local mapping (a kmap() address, or above the "
			 "direct map): the kernel ignores it and nothing is unmapped", addr);
		break;
	case HM_DIAG_LOCAL_FORCE_MAP_ADDR:
		snprintf(buf, size, "0x%llx is outside the kmap fixmap under FORCE_MAP", addr);
		break;
	case HM_DIAG_HARDIRQ_IRQS_ON:
		snprintf(buf, size, "a local mapping made in hard interrupt context with "
			 "interrupts enabled");
		break;
	case HM_DIAG_IRQ_EXIT_HELD:
		snprintf(buf, size, "the interrupt returned holding %u local mapping(s) (top "
			 "0x%llx): they stay on the interrupted task's stack", d->depth, held);
		break;
	case HM_DIAG_TASK_EXIT_HELD:
		snprintf(buf, size, "the task exited holding %u local mapping(s) (top 0x%llx): "
			 "their fixmap slots stay mapped", d->depth, held);
		break;
	case HM_DIAG_FORK_HELD:
		snprintf(buf, size, "the child inherited a non-empty local stack (top 0x%llx), "
			 "which the kernel clears", held);
		break;
	case HM_DIAG_SLEEP_IN_ATOMIC:
		snprintf(buf, size, "kmap()/kunmap() may sleep but was called in atomic context");
		break;
	case HM_DIAG_ATOMIC_ACROSS_SWITCH:
		snprintf(buf, size, "context switch inside a kmap_atomic section (0x%llx held at "
			 "depth %u): preemption was supposed to be off", held, d->depth);
		break;
	case HM_DIAG_ATOMIC_ACROSS_MIGRATE:
		snprintf(buf, size, "the task moved CPU holding %u local mapping(s) (top 0x%llx), "
			 "whose fixmap slots belong to the old CPU", d->depth, held);
		break;
	default:
		snprintf(buf, size, "%s", hm_diag_name(d->kind));
		break;
	}
}
