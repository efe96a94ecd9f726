// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * series.c - the time series hm-report draws and hm-replay's report does not
 * keep: pool occupancy, wait-queue sleepers and local stack depth per CPU
 * over time, latency distributions per op, wrap intervals, time held per
 * call site.
 *
 * Time series live in a fixed number of buckets whose width doubles (each
 * pair of neighbours merged) whenever the trace outgrows them, so memory
 * stays constant however long the trace; a bucket keeps the minimum, maximum
 * and last value of each gauge, so a spike one event wide survives.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hm_hist.h"
#include "hm_htmlreport.h"
#include "hm_u64map.h"

#define UNTOUCHED UINT32_MAX

/* A value that steps at events: per bucket, its range and where it ended. */
struct gauge {
	uint32_t cur;
	uint32_t *min;		/* UNTOUCHED: no event in the bucket */
	uint32_t *max;
	uint32_t *last;
};

struct pend {
	uint64_t cost_ns;
	bool deferred;
	uint32_t next_free;
};

struct site_held {
	uint64_t ns, pkmap_ns, local_ns, count;
};

struct lat {
	struct hm_hist h;
	uint64_t observed, modelled;
};

struct hm_series {
	struct hm_profile prof;
	const struct hm_strtab *tab;
	bool modelled_latency;
	uint32_t n;
	uint64_t t0, width;
	uint64_t now;		/* latest time seen */
	bool started;
	uint32_t used;

	struct gauge in_use, busy, waiters;
	uint32_t *wraps, *sleeps;
	struct gauge *depth;	/* per CPU */
	bool *cpu_seen;
	struct hm_u64map task_depth;	/* task key -> local stack depth */

	struct lat *lat[HM_OP__COUNT];
	struct pend *pend;
	uint32_t nr_pend, cap_pend, free_pend;
	struct hm_u64map pend_idx;	/* event index of a kmap asleep -> pend slot */

	uint64_t nr_wraps;
	bool have_wrap;
	uint64_t last_wrap_ts;
	struct hm_hist wrap_iv;

	struct site_held *sites;	/* by string id */
	uint32_t nr_sites;
};

/* ----------------------------------------------------------- buckets --- */

static int gauge_init(struct gauge *g, uint32_t n)
{
	g->cur = 0;
	g->min = malloc(n * sizeof(uint32_t));
	g->max = calloc(n, sizeof(uint32_t));
	g->last = calloc(n, sizeof(uint32_t));
	if (!g->min || !g->max || !g->last)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		g->min[i] = UNTOUCHED;
	return 0;
}

static void gauge_fini(struct gauge *g)
{
	free(g->min);
	free(g->max);
	free(g->last);
}

/* Bucket @i becomes buckets 2i and 2i+1 together. */
static void gauge_halve(struct gauge *g, uint32_t n)
{
	uint32_t i, half = (n + 1) / 2;

	for (i = 0; i < half; i++) {
		uint32_t a = 2 * i, b = 2 * i + 1;
		bool ta = g->min[a] != UNTOUCHED, tb = b < n && g->min[b] != UNTOUCHED;

		if (tb && ta) {
			g->min[i] = g->min[a] < g->min[b] ? g->min[a] : g->min[b];
			g->max[i] = g->max[a] > g->max[b] ? g->max[a] : g->max[b];
			g->last[i] = g->last[b];
		} else if (tb) {
			/* b's range already holds the value carried through a */
			g->min[i] = g->min[b];
			g->max[i] = g->max[b];
			g->last[i] = g->last[b];
		} else {
			g->min[i] = g->min[a];
			g->max[i] = g->max[a];
			g->last[i] = g->last[a];
		}
	}
	for (; i < n; i++) {
		g->min[i] = UNTOUCHED;
		g->max[i] = 0;
		g->last[i] = 0;
	}
}

static void count_halve(uint32_t *c, uint32_t n)
{
	uint32_t i, half = (n + 1) / 2;

	for (i = 0; i < half; i++) {
		uint64_t v = c[2 * i] + (uint64_t)(2 * i + 1 < n ? c[2 * i + 1] : 0);

		c[i] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	}
	for (; i < n; i++)
		c[i] = 0;
}

static void halve(struct hm_series *s)
{
	gauge_halve(&s->in_use, s->n);
	gauge_halve(&s->busy, s->n);
	gauge_halve(&s->waiters, s->n);
	for (uint32_t c = 0; c < s->prof.nr_cpus; c++)
		gauge_halve(&s->depth[c], s->n);
	count_halve(s->wraps, s->n);
	count_halve(s->sleeps, s->n);
	s->width *= 2;
	s->used = (s->used + 1) / 2;
}

/*
 * The bucket of @ts, widening the buckets until it fits.  Values are taken in
 * the model's order, so time never goes back: an event stamped before one the
 * model already took (a completion is stamped with its wake-up; CPUs' clocks
 * interleave) counts at the latest time seen, where its state is the current one.
 */
static uint32_t bucket_of(struct hm_series *s, uint64_t ts)
{
	uint64_t d;
	uint32_t b;

	if (!s->started) {
		s->started = true;
		s->t0 = ts;
	}
	if (ts < s->now)
		ts = s->now;
	s->now = ts;
	d = ts - s->t0;
	while (d / s->width >= s->n)
		halve(s);
	b = (uint32_t)(d / s->width);
	if (b >= s->used)
		s->used = b + 1;
	return b;
}

static void gauge_set(struct gauge *g, uint32_t b, uint32_t v)
{
	if (g->min[b] == UNTOUCHED)
		g->min[b] = g->max[b] = g->cur;	/* the value the bucket started with */
	if (v < g->min[b])
		g->min[b] = v;
	if (v > g->max[b])
		g->max[b] = v;
	g->last[b] = v;
	g->cur = v;
}

static void count_add(uint32_t *c, uint32_t b)
{
	if (c[b] < UINT32_MAX)
		c[b]++;
}

/* ------------------------------------------------------------- life --- */

struct hm_series *hm_series_new(const struct hm_profile *profile, uint32_t buckets,
				bool modelled_latency)
{
	struct hm_series *s;
	uint32_t n = buckets;

	if (n < HM_SERIES_BUCKETS_MIN || n > HM_SERIES_BUCKETS_MAX || !profile->nr_cpus) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->prof = *profile;
	s->modelled_latency = modelled_latency;
	s->n = n;
	s->width = 1;
	s->free_pend = UINT32_MAX;
	hm_u64map_init(&s->task_depth);
	hm_u64map_init(&s->pend_idx);
	hm_hist_init(&s->wrap_iv);
	s->wraps = calloc(n, sizeof(uint32_t));
	s->sleeps = calloc(n, sizeof(uint32_t));
	s->depth = calloc(profile->nr_cpus, sizeof(*s->depth));
	s->cpu_seen = calloc(profile->nr_cpus, sizeof(*s->cpu_seen));
	if (!s->wraps || !s->sleeps || !s->depth || !s->cpu_seen ||
	    gauge_init(&s->in_use, n) || gauge_init(&s->busy, n) || gauge_init(&s->waiters, n))
		goto fail;
	for (uint32_t c = 0; c < profile->nr_cpus; c++)
		if (gauge_init(&s->depth[c], n))
			goto fail;
	return s;
fail:
	hm_series_free(s);
	errno = ENOMEM;
	return NULL;
}

void hm_series_free(struct hm_series *s)
{
	if (!s)
		return;
	gauge_fini(&s->in_use);
	gauge_fini(&s->busy);
	gauge_fini(&s->waiters);
	for (uint32_t c = 0; s->depth && c < s->prof.nr_cpus; c++)
		gauge_fini(&s->depth[c]);
	free(s->depth);
	free(s->cpu_seen);
	free(s->wraps);
	free(s->sleeps);
	for (unsigned int op = 0; op < HM_OP__COUNT; op++)
		free(s->lat[op]);
	free(s->pend);
	free(s->sites);
	hm_u64map_fini(&s->task_depth);
	hm_u64map_fini(&s->pend_idx);
	free(s);
}

/* -------------------------------------------------------- accounting --- */

static bool is_local_op(unsigned int op)
{
	return op == HM_OP_KMAP_ATOMIC || op == HM_OP_KMAP_LOCAL ||
	       op == HM_OP_KUNMAP_ATOMIC || op == HM_OP_KUNMAP_LOCAL;
}

/* Ops with a latency, as the report's hm_report_is_latency_op(). */
static bool is_latency_op(unsigned int op)
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

static bool is_unmap(unsigned int op)
{
	return op == HM_OP_KUNMAP || op == HM_OP_KUNMAP_ATOMIC || op == HM_OP_KUNMAP_LOCAL;
}

/* Tasks are pids; the idle task is one per CPU, and all are pid 0 (as replay.c). */
static uint64_t task_key(int32_t pid, uint32_t cpu)
{
	return pid > 0 ? (uint64_t)(uint32_t)pid : 1ull << 32 | cpu;
}

static int lat_add(struct hm_series *s, unsigned int op, uint64_t ns, bool observed)
{
	struct lat *l = s->lat[op];

	if (!l) {
		l = s->lat[op] = malloc(sizeof(*l));
		if (!l)
			return -ENOMEM;
		hm_hist_init(&l->h);
		l->observed = l->modelled = 0;
	}
	hm_hist_add(&l->h, ns);
	if (observed)
		l->observed++;
	else
		l->modelled++;
	return 0;
}

static int site_add(struct hm_series *s, uint32_t site, uint64_t ns, bool local)
{
	struct site_held *h;

	if (site >= s->nr_sites) {
		uint32_t n = s->nr_sites ? s->nr_sites : 64;
		struct site_held *p;

		while (n <= site)
			n *= 2;
		p = realloc(s->sites, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		memset(p + s->nr_sites, 0, (n - s->nr_sites) * sizeof(*p));
		s->sites = p;
		s->nr_sites = n;
	}
	h = &s->sites[site];
	h->ns += ns;
	h->count++;
	if (local)
		h->local_ns += ns;
	else
		h->pkmap_ns += ns;
	return 0;
}

/* The pool's state after an event or a completion. */
static void pool(struct hm_series *s, uint32_t b, const struct hm_outcome *out, bool completion)
{
	gauge_set(&s->in_use, b, out->pool_in_use);
	gauge_set(&s->busy, b, out->pool_in_use + out->pool_dirty);
	/*
	 * A completion belongs to the unmap that woke it, whose outcome already
	 * counted the queue after the wake-up (the model fills a completion's
	 * waiters before it takes the woken tasks off the queue).
	 */
	if (!completion)
		gauge_set(&s->waiters, b, out->waiters);
}

/* As the report's note_wrap(): intervals between consecutive wraps. */
static void wrap(struct hm_series *s, uint32_t b, uint64_t ts)
{
	if (s->have_wrap)
		hm_hist_add(&s->wrap_iv, ts >= s->last_wrap_ts ? ts - s->last_wrap_ts : 0);
	s->have_wrap = true;
	s->last_wrap_ts = ts;
	s->nr_wraps++;
	count_add(s->wraps, b);
}

static int pend_new(struct hm_series *s, uint64_t index, uint64_t cost_ns, bool deferred)
{
	uint32_t i;

	if (s->free_pend != UINT32_MAX) {
		i = s->free_pend;
		s->free_pend = s->pend[i].next_free;
	} else {
		if (s->nr_pend == s->cap_pend) {
			uint32_t cap = s->cap_pend ? s->cap_pend * 2 : 16;
			struct pend *p = realloc(s->pend, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			s->pend = p;
			s->cap_pend = cap;
		}
		i = s->nr_pend++;
	}
	s->pend[i].cost_ns = cost_ns;
	s->pend[i].deferred = deferred;
	return hm_u64map_put(&s->pend_idx, index, i);
}

int hm_series_feed(struct hm_series *s, const struct hm_event *ev, const struct hm_outcome *out)
{
	uint32_t b = bucket_of(s, ev->ts);
	unsigned int op = ev->op < HM_OP__COUNT ? ev->op : HM_OP__COUNT - 1;

	pool(s, b, out, false);
	if (out->flags & HM_OUT_WAIT)
		count_add(s->sleeps, b);
	if (out->flags & HM_OUT_WRAP)
		wrap(s, b, ev->ts);

	if (ev->cpu < s->prof.nr_cpus) {
		s->cpu_seen[ev->cpu] = true;
		if (is_local_op(op)) {
			gauge_set(&s->depth[ev->cpu], b, out->depth);
			if (hm_u64map_put(&s->task_depth, task_key(ev->pid, ev->cpu), out->depth))
				return -ENOMEM;
		} else if (op == HM_OP_SCHED_SWITCH && ev->next_pid != HM_PID_NONE) {
			/* the incoming task's stack is installed on this CPU */
			uint32_t *d = hm_u64map_get(&s->task_depth,
						    task_key(ev->next_pid, ev->cpu));

			gauge_set(&s->depth[ev->cpu], b, d ? *d : 0);
		} else if (op == HM_OP_TASK_EXIT) {
			/* its stack goes with it (what it still held is a leak the report lists) */
			hm_u64map_del(&s->task_depth, task_key(ev->pid, ev->cpu));
			gauge_set(&s->depth[ev->cpu], b, 0);
		}
	}

	if (is_unmap(op) && out->flags & HM_OUT_UNMAPPED && out->map_ts != HM_NONE &&
	    ev->ts >= out->map_ts && site_add(s, out->map_site, ev->ts - out->map_ts,
					      op != HM_OP_KUNMAP))
		return -ENOMEM;

	/* latency, by the report's rule (report.c hm_report_feed()) */
	if (is_latency_op(op)) {
		bool observed = !s->modelled_latency && ev->ret_ts != HM_NONE &&
				ev->ret_ts >= ev->ts;

		if ((observed || !(out->flags & HM_OUT_WAIT)) &&
		    lat_add(s, op, observed ? ev->ret_ts - ev->ts : out->cost_ns, observed))
			return -ENOMEM;
	}
	if (out->flags & HM_OUT_WAIT &&
	    pend_new(s, ev->index, out->cost_ns, s->modelled_latency || ev->ret_ts == HM_NONE ||
		     ev->ret_ts < ev->ts))
		return -ENOMEM;
	return 0;
}

int hm_series_complete(struct hm_series *s, const struct hm_outcome *out)
{
	uint32_t b = bucket_of(s, out->ts);
	uint32_t *idx;
	struct pend p;

	pool(s, b, out, true);
	if (out->flags & HM_OUT_WRAP)
		wrap(s, b, out->ts);
	idx = hm_u64map_get(&s->pend_idx, out->index);
	if (!idx)
		return 0;
	p = s->pend[*idx];
	s->pend[*idx].next_free = s->free_pend;
	s->free_pend = *idx;
	hm_u64map_del(&s->pend_idx, out->index);
	/* a modelled kmap that slept: before, asleep, and after */
	if (p.deferred)
		return lat_add(s, HM_OP_KMAP, p.cost_ns + out->wait_ns + out->cost_ns, false);
	return 0;
}

/* -------------------------------------------------------------- json --- */

static json_t *ju(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Resolve a gauge: empty buckets carry the value the previous one ended with. */
static int gauge_json(const struct hm_series *s, const struct gauge *g, json_t *obj,
		      const char *kmin, const char *kmax)
{
	json_t *amin = json_array(), *amax = json_array();
	uint32_t carry = 0;

	if (!amin || !amax)
		goto fail;
	for (uint32_t b = 0; b < s->used; b++) {
		uint32_t lo = carry, hi = carry;

		if (g->min[b] != UNTOUCHED) {
			lo = g->min[b];
			hi = g->max[b];
			carry = g->last[b];
		}
		if (json_array_append_new(amin, json_integer(lo)) ||
		    json_array_append_new(amax, json_integer(hi)))
			goto fail;
	}
	if (json_object_set_new(obj, kmin, amin) || json_object_set_new(obj, kmax, amax))
		return -ENOMEM;
	return 0;
fail:
	json_decref(amin);
	json_decref(amax);
	return -ENOMEM;
}

static json_t *counts_json(const struct hm_series *s, const uint32_t *c)
{
	json_t *a = json_array();

	for (uint32_t b = 0; a && b < s->used; b++)
		if (json_array_append_new(a, json_integer(c[b]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static json_t *triple(uint64_t lo, uint64_t hi, uint64_t n)
{
	json_t *t = json_array();

	json_array_append_new(t, ju(lo));
	json_array_append_new(t, ju(hi));
	json_array_append_new(t, ju(n));
	return t;
}

/*
 * A histogram as [low, high, count] ranges in increasing order: the values
 * themselves while the histogram still has them, else its buckets with the
 * first and last clamped to the true minimum and maximum.
 */
static json_t *hist_values(const struct hm_hist *h)
{
	json_t *a = json_array();

	if (!a || !h->count)
		return a;
	if (h->count <= HM_HIST_EXACT) {
		uint64_t v[HM_HIST_EXACT];
		uint64_t i = 0, n = h->count;

		memcpy(v, h->exact, n * sizeof(v[0]));
		qsort(v, n, sizeof(v[0]), u64_cmp);
		while (i < n) {
			uint64_t j = i;

			while (j < n && v[j] == v[i])
				j++;
			json_array_append_new(a, triple(v[i], v[i], j - i));
			i = j;
		}
		return a;
	}
	for (unsigned int i = 0; i < HM_HIST_BUCKETS; i++) {
		uint64_t lo, hi;

		if (!h->buckets[i])
			continue;
		lo = hm_hist_bucket_low(i);
		hi = lo + hm_hist_bucket_width(i) - 1;
		if (lo < h->min)
			lo = h->min;
		if (hi > h->max || i == HM_HIST_BUCKETS - 1)
			hi = h->max;
		json_array_append_new(a, triple(lo, hi, h->buckets[i]));
	}
	return a;
}

struct site_row {
	const char *site;
	const struct site_held *h;
};

static int site_row_cmp(const void *a, const void *b)
{
	const struct site_row *x = a, *y = b;

	if (x->h->ns != y->h->ns)
		return x->h->ns > y->h->ns ? -1 : 1;
	return strcmp(x->site, y->site);
}

static json_t *held_json(const struct hm_series *s, const struct hm_strtab *tab)
{
	struct site_row *rows = calloc(s->nr_sites + 1, sizeof(*rows));
	json_t *a = json_array();
	uint32_t n = 0;

	if (!rows || !a) {
		free(rows);
		json_decref(a);
		return NULL;
	}
	for (uint32_t i = 0; i < s->nr_sites; i++)
		if (s->sites[i].count) {
			rows[n].site = tab ? hm_strtab_get(tab, i) : "";
			rows[n++].h = &s->sites[i];
		}
	qsort(rows, n, sizeof(*rows), site_row_cmp);
	for (uint32_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "site", json_string(rows[i].site[0] ? rows[i].site : "?"));
		json_object_set_new(o, "ns", ju(rows[i].h->ns));
		json_object_set_new(o, "pkmap_ns", ju(rows[i].h->pkmap_ns));
		json_object_set_new(o, "local_ns", ju(rows[i].h->local_ns));
		json_object_set_new(o, "count", ju(rows[i].h->count));
		json_array_append_new(a, o);
	}
	free(rows);
	return a;
}

static const char *lat_source(const struct lat *l)
{
	if (l->observed && l->modelled)
		return "mixed";
	return l->observed ? "observed" : "modelled";
}

void hm_series_begin(struct hm_series *s, const struct hm_strtab *tab)
{
	s->tab = tab;
}

json_t *hm_series_json(const struct hm_series *s, const char *label)
{
	json_t *o = json_object(), *pool = json_object(), *depth = json_array(),
	       *lat = json_object(), *iv = json_object();

	if (!o || !pool || !depth || !lat || !iv)
		goto fail;
	json_object_set_new(o, "label", json_string(label));
	json_object_set_new(o, "profile", json_string(s->prof.name));
	json_object_set_new(o, "last_pkmap", ju(s->prof.last_pkmap));
	json_object_set_new(o, "nr_cpus", ju(s->prof.nr_cpus));
	json_object_set_new(o, "km_max_idx", ju(hm_profile_km_max_idx(&s->prof)));
	json_object_set_new(o, "t0", ju(s->t0));
	json_object_set_new(o, "width_ns", ju(s->width));
	json_object_set_new(o, "buckets", ju(s->used));
	if (gauge_json(s, &s->in_use, pool, "in_use_min", "in_use_max") ||
	    gauge_json(s, &s->busy, pool, "busy_min", "busy_max") ||
	    gauge_json(s, &s->waiters, pool, "waiters_min", "waiters_max") ||
	    json_object_set_new(pool, "wraps", counts_json(s, s->wraps)) ||
	    json_object_set_new(pool, "sleeps", counts_json(s, s->sleeps)))
		goto fail;
	json_object_set_new(o, "pool", pool);
	pool = NULL;
	for (uint32_t c = 0; c < s->prof.nr_cpus; c++) {
		json_t *d;

		if (!s->cpu_seen[c])
			continue;
		d = json_object();
		if (!d || json_object_set_new(d, "cpu", ju(c)) ||
		    gauge_json(s, &s->depth[c], d, "min", "max") ||
		    json_array_append_new(depth, d))
			goto fail;
	}
	json_object_set_new(o, "depth", depth);
	depth = NULL;
	for (unsigned int op = 0; op < HM_OP__COUNT; op++) {
		const struct lat *l = s->lat[op];
		json_t *j;

		if (!l || !l->h.count)
			continue;
		j = json_object();
		json_object_set_new(j, "source", json_string(lat_source(l)));
		json_object_set_new(j, "count", ju(l->h.count));
		json_object_set_new(j, "values", hist_values(&l->h));
		json_object_set_new(lat, hm_op_name(op), j);
	}
	json_object_set_new(o, "latency", lat);
	lat = NULL;
	json_object_set_new(o, "wraps", ju(s->nr_wraps));
	json_object_set_new(iv, "count", ju(s->wrap_iv.count));
	json_object_set_new(iv, "values", hist_values(&s->wrap_iv));
	json_object_set_new(o, "wrap_intervals", iv);
	iv = NULL;
	json_object_set_new(o, "held", held_json(s, s->tab));
	return o;
fail:
	json_decref(o);
	json_decref(pool);
	json_decref(depth);
	json_decref(lat);
	json_decref(iv);
	return NULL;
}
