// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report_json.c - the report as one JSON object; every key is documented in
 * man/hm-replay.1 (JSON OUTPUT), and scripts rely on them: add, never rename.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

/* jansson integers are signed 64-bit: larger values (HM_NONE) become null. */
static json_t *ju(uint64_t v)
{
	if (v > (uint64_t)INT64_MAX)
		return json_null();
	return json_integer((json_int_t)v);
}

static json_t *jaddr(uint64_t v)
{
	char b[24];

	if (v == HM_NONE)
		return json_null();
	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	return json_string(b);
}

static json_t *jidx(uint64_t v)
{
	return v == HM_NONE ? json_null() : ju(v);
}

static json_t *jstr(const struct hm_report *rep, uint32_t id)
{
	const char *s = hm_report_str(rep, id);

	return *s ? json_string(s) : json_null();
}

static void set(json_t *o, const char *k, json_t *v)
{
	json_object_set_new(o, k, v ? v : json_null());
}

static json_t *hist_json(const struct hm_hist *h)
{
	json_t *o = json_object();

	set(o, "count", ju(h->count));
	set(o, "total", ju(h->sum));
	set(o, "min", ju(h->count ? h->min : 0));
	set(o, "mean", json_real(hm_hist_mean(h)));
	set(o, "p50", ju(hm_hist_percentile(h, 50)));
	set(o, "p90", ju(hm_hist_percentile(h, 90)));
	set(o, "p99", ju(hm_hist_percentile(h, 99)));
	set(o, "p99.9", ju(hm_hist_percentile(h, 99.9)));
	set(o, "max", ju(h->max));
	return o;
}

static json_t *log2_json(const struct hm_hist *h)
{
	uint64_t slots[HM_HIST_LOG2_SLOTS];
	int last = hm_hist_log2(h, slots), i;
	json_t *a = json_array();

	for (i = 0; i <= last; i++) {
		json_t *s = json_object();

		set(s, "low", ju(i ? 1ull << i : 0));
		set(s, "high", ju((1ull << (i + 1)) - 1));
		set(s, "count", ju(slots[i]));
		json_array_append_new(a, s);
	}
	return a;
}

static json_t *meta_json(const struct hm_report *rep)
{
	const struct hm_trace_meta *m = &rep->meta;
	json_t *o = json_object();

	if (!rep->have_meta)
		return o;
	set(o, "arch", m->arch[0] ? json_string(m->arch) : json_null());
	set(o, "nr_cpus", m->nr_cpus ? ju(m->nr_cpus) : json_null());
	set(o, "last_pkmap", m->last_pkmap ? ju(m->last_pkmap) : json_null());
	set(o, "km_max_idx", m->km_max_idx ? ju(m->km_max_idx) : json_null());
	set(o, "debug_kmap_local", m->debug_kmap_local < 0 ? json_null() :
	    json_boolean(m->debug_kmap_local));
	set(o, "highmem_start_pfn", jidx(m->highmem_start_pfn));
	set(o, "pkmap_base", jaddr(m->pkmap_base));
	set(o, "fixaddr_top", jaddr(m->fixaddr_top));
	set(o, "lost_events", ju(m->lost_events));
	set(o, "source", m->source[0] ? json_string(m->source) : json_null());
	set(o, "kernel", m->kernel[0] ? json_string(m->kernel) : json_null());
	set(o, "clock", m->clock[0] ? json_string(m->clock) : json_null());
	return o;
}

static json_t *profile_json(const struct hm_report *rep)
{
	const struct hm_profile *p = &rep->profile;
	json_t *o;

	if (!rep->have_profile)
		return json_null();
	o = json_object();
	set(o, "name", json_string(p->name));
	set(o, "last_pkmap", ju(p->last_pkmap));
	set(o, "nr_cpus", ju(p->nr_cpus));
	set(o, "km_max_idx", ju(hm_profile_km_max_idx(p)));
	set(o, "debug_kmap_local", json_boolean(p->debug_kmap_local));
	set(o, "tlb_policy", json_string(hm_tlb_policy_name(p->tlb_policy)));
	set(o, "pkmap_base", jaddr(p->pkmap_base));
	set(o, "fixaddr_top", jaddr(p->fixaddr_top));
	return o;
}

static json_t *filters_json(const struct hm_report *rep)
{
	const struct hm_report_opts *o = &rep->opts;
	json_t *f = json_object();

	set(f, "cpu", o->cpu_set ? ju(o->cpu) : json_null());
	set(f, "pid", o->pid_set ? json_integer(o->pid) : json_null());
	set(f, "comm", o->comm ? json_string(o->comm) : json_null());
	set(f, "site", o->site ? json_string(o->site) : json_null());
	set(f, "since", o->since || o->since_rel ? ju(rep->since) : json_null());
	set(f, "until", o->until != UINT64_MAX ? ju(rep->until) : json_null());
	return f;
}

static json_t *trace_json(const struct hm_report *rep)
{
	json_t *o = json_object(), *span = json_object(), *cpus = json_array(),
	       *tasks = json_array(), *by = json_object();
	uint32_t i;

	set(o, "file", json_string(rep->file ? rep->file : ""));
	set(o, "format", json_string(rep->format ? rep->format : ""));
	set(o, "meta", meta_json(rep));
	set(o, "profile", profile_json(rep));
	set(span, "first_ts", rep->events ? ju(rep->first_ts) : json_null());
	set(span, "last_ts", rep->events ? ju(rep->last_ts) : json_null());
	set(span, "ns", ju(rep->events ? rep->last_ts - rep->first_ts : 0));
	set(o, "span", span);
	set(o, "counted", ju(rep->counted));
	set(o, "filters", filters_json(rep));
	set(o, "backwards", ju(rep->backwards));
	for (i = 0; i < rep->nr_cpus; i++)
		if (rep->cpus[i].seen)
			json_array_append_new(cpus, ju(i));
	set(o, "cpus", cpus);
	for (i = 0; i < rep->nr_tasks; i++) {
		const struct hm_task *t = &rep->tasks[i];
		json_t *j;

		if (!t->events)
			continue;
		j = json_object();
		set(j, "pid", json_integer(t->pid));
		set(j, "comm", jstr(rep, t->comm));
		set(j, "events", ju(t->events));
		json_array_append_new(tasks, j);
	}
	set(o, "tasks", tasks);
	set(o, "violations_total", ju(rep->nr_violations));
	for (i = 0; i < HM_DIAG__COUNT; i++)
		if (rep->by_rule[i])
			set(by, hm_diag_name(i), ju(rep->by_rule[i]));
	set(o, "violations_by_rule", by);
	if (rep->have_shift) {
		json_t *s = json_object();

		set(s, "delayed", ju(rep->shift.delayed));
		set(s, "max_delay_ns", ju(rep->shift.max_delay_ns));
		set(s, "stranded", ju(rep->shift.stranded));
		set(s, "stranded_tasks", ju(rep->shift.stranded_tasks));
		set(o, "what_if", s);
	}
	return o;
}

static json_t *ops_json(const struct hm_report *rep)
{
	json_t *o = json_object();
	unsigned int i;

	for (i = 0; i < HM_OP__COUNT; i++)
		set(o, hm_op_name(i), ju(rep->ops[i]));
	return o;
}

static json_t *agreement_json(const struct hm_report *rep)
{
	const struct hm_model_stats *s = &rep->stats;
	json_t *o = json_object(), *a = json_array();
	const char *verdict;
	uint32_t i;

	if (!rep->have_stats || !s->checked)
		verdict = "unchecked";
	else
		verdict = s->mismatched ? "disagrees" : "agrees";
	set(o, "checked", ju(s->checked));
	set(o, "mismatched", ju(s->mismatched));
	set(o, "synced", ju(s->synced));
	set(o, "predates", ju(s->predates));
	set(o, "verdict", json_string(verdict));
	set(o, "observed_flushes", ju(s->observed_flushes));
	for (i = 0; i < rep->nr_mismatches; i++) {
		json_t *m = json_object();

		set(m, "event", jidx(rep->mismatches[i].index));
		set(m, "expected", jaddr(rep->mismatches[i].expected));
		set(m, "observed", jaddr(rep->mismatches[i].observed));
		json_array_append_new(a, m);
	}
	set(o, "first_mismatches", a);
	return o;
}

static json_t *row_task(const struct hm_report *rep, int32_t pid, uint32_t comm)
{
	json_t *o = json_object();
	const char *name = comm ? hm_report_str(rep, comm) : hm_report_comm_of(rep, pid);

	set(o, "pid", pid == HM_PID_NONE ? json_null() : json_integer(pid));
	set(o, "comm", *name ? json_string(name) : json_null());
	return o;
}

static int task_sleep_cmp(const void *a, const void *b)
{
	const struct hm_task *x = *(const struct hm_task *const *)a;
	const struct hm_task *y = *(const struct hm_task *const *)b;

	if (x->sleep_ns != y->sleep_ns)
		return x->sleep_ns > y->sleep_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static json_t *pkmap_json(const struct hm_report *rep)
{
	json_t *o = json_object(), *w = json_object(), *list = json_array(), *sl = json_object(),
	       *tasks = json_array(), *sites = json_array(), *held = json_array(), *rec;
	double span = hm_report_span_s(rep);
	const struct hm_task **tv;
	const struct hm_row *rows;
	uint32_t i, n;

	set(o, "last_pkmap", rep->have_profile ? ju(rep->profile.last_pkmap) : json_null());
	set(o, "wraps", ju(rep->wraps));
	set(o, "wraps_per_sec", span > 0 ? json_real((double)rep->wraps / span) : json_null());
	set(w, "count", ju(rep->wrap_interval.count));
	set(w, "min", rep->wrap_interval.count ? ju(rep->wrap_interval.min) : json_null());
	set(w, "median", rep->wrap_interval.count ?
	    ju(hm_hist_percentile(&rep->wrap_interval, 50)) : json_null());
	set(w, "max", rep->wrap_interval.count ? ju(rep->wrap_interval.max) : json_null());
	set(o, "wrap_interval_ns", w);
	rec = json_object();
	set(rec, "total", ju(rep->reclaimed_total));
	set(rec, "min", rep->wraps ? ju(rep->reclaimed_min) : json_null());
	set(rec, "mean", rep->wraps ? json_real((double)rep->reclaimed_total / (double)rep->wraps)
	    : json_null());
	set(rec, "max", rep->wraps ? ju(rep->reclaimed_max) : json_null());
	set(o, "reclaimed", rec);
	rec = json_object();
	set(rec, "ranged", ju(rep->wrap_tlb_range));
	set(rec, "full", ju(rep->wrap_tlb_full));
	set(rec, "ipis", ju(rep->wrap_ipis));
	set(o, "wrap_flushes", rec);
	for (i = 0; i < rep->nr_wrap_list; i++) {
		const struct hm_wrap *x = &rep->wrap_list[i];
		json_t *j = json_object();

		set(j, "event", ju(x->index));
		set(j, "ts", ju(x->ts));
		set(j, "cpu", ju(x->cpu));
		set(j, "pid", json_integer(x->pid));
		set(j, "site", jstr(rep, x->site));
		set(j, "reclaimed", ju(x->reclaimed));
		set(j, "flush", json_string(x->tlb_full ? "full" : x->tlb_range ? "range" : "none"));
		set(j, "ipis", ju(x->ipis));
		json_array_append_new(list, j);
	}
	set(o, "wrap_list", list);
	set(o, "flush_unused", ju(rep->ops[HM_OP_KMAP_FLUSH_UNUSED]));
	set(o, "flush_unused_reclaimed", ju(rep->flush_unused_reclaimed));
	set(o, "sleeps", ju(rep->sleeps));
	set(sl, "completed", ju(rep->sleeps_done));
	set(sl, "wakeups", ju(rep->stats.wakeups));
	set(sl, "futile_wakeups", ju(rep->stats.futile_wakeups));
	set(sl, "peak_waiting", ju(rep->peak_waiters));
	set(sl, "ns", hist_json(&rep->sleep_hist));
	tv = calloc(rep->nr_tasks + 1, sizeof(*tv));
	n = 0;
	for (i = 0; tv && i < rep->nr_tasks; i++)
		if (rep->tasks[i].sleeps)
			tv[n++] = &rep->tasks[i];
	if (tv)
		qsort(tv, n, sizeof(*tv), task_sleep_cmp);
	for (i = 0; i < n; i++) {
		json_t *j = row_task(rep, tv[i]->pid, tv[i]->comm);

		set(j, "sleeps", ju(tv[i]->sleeps));
		set(j, "ns", ju(tv[i]->sleep_ns));
		json_array_append_new(tasks, j);
	}
	free(tv);
	set(sl, "tasks", tasks);
	for (i = 0; i < rep->nr_sites; i++) {
		json_t *j;

		if (!rep->sites[i].sleeps)
			continue;
		j = json_object();
		set(j, "site", jstr(rep, i));
		set(j, "sleeps", ju(rep->sites[i].sleeps));
		set(j, "ns", ju(rep->sites[i].sleep_ns));
		json_array_append_new(sites, j);
	}
	set(sl, "sites", sites);
	set(o, "sleep", sl);
	set(o, "peak_in_use", ju(rep->peak_in_use));
	set(o, "peak_in_use_ts", rep->peak_in_use ? ju(rep->peak_in_use_ts) : json_null());
	set(o, "peak_dirty", ju(rep->peak_dirty));
	set(o, "mean_in_use", json_real(hm_report_avg_in_use(rep)));
	n = hm_topn_sorted(&rep->held, &rows);
	for (i = 0; i < n; i++) {
		const struct hm_row *r = &rows[i];
		json_t *j = json_object();

		set(j, "ns", ju(r->key));
		set(j, "kind", json_string(r->local ? "local" : "pkmap"));
		set(j, "vaddr", jaddr(r->vaddr));
		set(j, "map_event", jidx(r->map_index));
		set(j, "map_ts", jidx(r->map_ts));
		set(j, "map_site", jstr(rep, r->map_site));
		set(j, "holder", row_task(rep, r->holder_pid, r->holder_comm));
		set(j, "unmap_event", ju(r->index));
		set(j, "unmap_site", jstr(rep, r->site));
		json_array_append_new(held, j);
	}
	set(o, "held_longest", held);
	return o;
}

static json_t *local_json(const struct hm_report *rep)
{
	json_t *o = json_object(), *h = json_array(), *cpus = json_array();
	unsigned int i, last = 0;

	set(o, "max_depth", ju(rep->max_depth));
	set(o, "maps", ju(rep->local_maps));
	for (i = 0; i < HM_REPORT_DEPTHS; i++)
		if (rep->depth_hist[i])
			last = i;
	for (i = 0; i <= last && rep->local_maps; i++)
		json_array_append_new(h, ju(rep->depth_hist[i]));
	set(o, "depth_hist", h);
	for (i = 0; i < rep->nr_cpus; i++) {
		json_t *c;

		if (!rep->cpus[i].seen)
			continue;
		c = json_object();
		set(c, "cpu", ju(i));
		set(c, "maps", ju(rep->cpus[i].local_maps));
		set(c, "max_depth", ju(rep->cpus[i].max_depth));
		json_array_append_new(cpus, c);
	}
	set(o, "per_cpu", cpus);
	return o;
}

static json_t *tlb_json(const struct hm_report *rep)
{
	json_t *o = json_object(), *cpus = json_array();
	unsigned int i;

	set(o, "policy", rep->have_profile ?
	    json_string(hm_tlb_policy_name(rep->profile.tlb_policy)) : json_null());
	set(o, "local", ju(rep->tlb_local));
	set(o, "ranged", ju(rep->tlb_range));
	set(o, "full", ju(rep->tlb_full));
	set(o, "ipis", ju(rep->ipis));
	set(o, "cache_flushes", ju(rep->stats.cache_flushes));
	for (i = 0; i < rep->nr_cpus; i++) {
		const struct hm_cpu *c = &rep->cpus[i];
		json_t *j;

		if (!c->seen)
			continue;
		j = json_object();
		set(j, "cpu", ju(i));
		set(j, "local", ju(c->tlb_local));
		set(j, "ranged", ju(c->tlb_range));
		set(j, "full", ju(c->tlb_full));
		set(j, "ipis", ju(c->ipis));
		json_array_append_new(cpus, j);
	}
	set(o, "per_cpu", cpus);
	return o;
}

static json_t *contention_json(const struct hm_report *rep)
{
	json_t *o = json_object(), *cpus = json_array(), *sites = json_array(),
	       *worst = json_array();
	const struct hm_row *rows;
	unsigned int i, n;

	set(o, "spin_ns", ju(rep->spin_ns));
	set(o, "contended", ju(rep->contended));
	for (i = 0; i < rep->nr_cpus; i++) {
		json_t *j;

		if (!rep->cpus[i].seen)
			continue;
		j = json_object();
		set(j, "cpu", ju(i));
		set(j, "contended", ju(rep->cpus[i].contended));
		set(j, "spin_ns", ju(rep->cpus[i].spin_ns));
		json_array_append_new(cpus, j);
	}
	set(o, "per_cpu", cpus);
	for (i = 0; i < rep->nr_sites; i++) {
		json_t *j;

		if (!rep->sites[i].contended)
			continue;
		j = json_object();
		set(j, "site", jstr(rep, i));
		set(j, "contended", ju(rep->sites[i].contended));
		set(j, "spin_ns", ju(rep->sites[i].spin_ns));
		json_array_append_new(sites, j);
	}
	set(o, "per_site", sites);
	n = hm_topn_sorted(&rep->worst_spins, &rows);
	for (i = 0; i < n; i++) {
		json_t *j = json_object();

		set(j, "spin_ns", ju(rows[i].key));
		set(j, "event", ju(rows[i].index));
		set(j, "ts", ju(rows[i].ts));
		set(j, "cpu", ju(rows[i].cpu));
		set(j, "pid", json_integer(rows[i].pid));
		set(j, "comm", jstr(rep, rows[i].comm));
		set(j, "op", json_string(hm_op_name(rows[i].op)));
		set(j, "site", jstr(rep, rows[i].site));
		json_array_append_new(worst, j);
	}
	set(o, "worst", worst);
	return o;
}

static json_t *lat_json(const struct hm_report *rep, const struct hm_lat *l)
{
	json_t *o = hist_json(&l->hist);

	json_object_set_new(o, "op", json_string(hm_op_name(l->op)));
	json_object_set_new(o, "source", json_string(hm_report_lat_source(l)));
	json_object_set_new(o, "observed", ju(l->observed));
	json_object_set_new(o, "modelled", ju(l->modelled));
	json_object_set_new(o, "log2", log2_json(&l->hist));
	(void)rep;
	return o;
}

static json_t *latency_json(const struct hm_report *rep)
{
	json_t *o = json_object(), *ops = json_object(), *sites = json_array(),
	       *cpus = json_array();
	unsigned int op, i;

	set(o, "unit", json_string("ns"));
	for (op = 0; op < HM_OP__COUNT; op++)
		if (rep->lat_op[op])
			set(ops, hm_op_name(op), lat_json(rep, rep->lats[rep->lat_op[op] - 1]));
	set(o, "ops", ops);
	for (i = 0; i < rep->nr_sites; i++) {
		for (op = 0; op < HM_OP__COUNT; op++) {
			json_t *j;

			if (!rep->sites[i].lat[op])
				continue;
			j = lat_json(rep, rep->lats[rep->sites[i].lat[op] - 1]);
			set(j, "site", jstr(rep, i));
			json_array_append_new(sites, j);
		}
	}
	set(o, "sites", sites);
	for (i = 0; i < rep->nr_cpus; i++) {
		for (op = 0; op < HM_OP__COUNT; op++) {
			json_t *j;

			if (!rep->cpus[i].lat[op])
				continue;
			j = lat_json(rep, rep->lats[rep->cpus[i].lat[op] - 1]);
			set(j, "cpu", ju(i));
			json_array_append_new(cpus, j);
		}
	}
	set(o, "cpus", cpus);
	return o;
}

static json_t *violations_json(const struct hm_report *rep)
{
	json_t *a = json_array();
	char cons[400];
	uint32_t i;

	for (i = 0; i < rep->nr_viol; i++) {
		const struct hm_violation *v = &rep->viol[i];
		json_t *j = json_object(), *other = json_object();

		set(j, "rule", json_string(hm_diag_name(v->d.kind)));
		set(j, "event", ju(v->index));
		set(j, "ts", ju(v->ts));
		set(j, "cpu", ju(v->cpu));
		set(j, "pid", json_integer(v->pid));
		set(j, "comm", jstr(rep, v->comm));
		set(j, "ctx", json_string(hm_ctx_name(v->ctx)));
		set(j, "op", json_string(hm_op_name(v->op)));
		set(j, "site", jstr(rep, v->site));
		set(j, "addr", jaddr(v->d.addr));
		set(j, "depth", ju(v->d.depth));
		set(j, "kernel", json_string(hm_report_reaction_name(v->d.reaction)));
		set(other, "addr", jaddr(v->d.other_addr));
		set(other, "event", jidx(v->d.other_index));
		set(other, "ts", jidx(v->d.other_ts));
		set(other, "site", jstr(rep, v->d.other_site));
		set(j, "other", other);
		hm_report_consequence(rep, v, cons, sizeof(cons));
		set(j, "consequence", json_string(cons));
		json_array_append_new(a, j);
	}
	return a;
}

static json_t *leaks_json(const struct hm_report *rep)
{
	json_t *o = json_object(), *a = json_array();
	uint32_t i;

	set(o, "total", ju(rep->nr_leaks));
	set(o, "pkmap", ju(rep->leaks_pkmap));
	set(o, "local", ju(rep->leaks_local));
	for (i = 0; i < rep->nr_leak_list; i++) {
		const struct hm_held *h = &rep->leaks[i].h;
		json_t *j = json_object();

		set(j, "kind", json_string(h->local ? "local" : "pkmap"));
		set(j, "vaddr", jaddr(h->vaddr));
		set(j, "page", jaddr(h->page));
		set(j, "event", jidx(h->index));
		set(j, "ts", h->index == HM_NONE ? json_null() : ju(h->ts));
		set(j, "pid", json_integer(h->pid));
		set(j, "comm", jstr(rep, rep->leaks[i].comm));
		set(j, "site", jstr(rep, h->site));
		set(j, "count", ju(h->count));
		json_array_append_new(a, j);
	}
	set(o, "list", a);
	return o;
}

json_t *hm_report_json(const struct hm_report *rep)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	set(o, "events", ju(rep->events));
	set(o, "trace", trace_json(rep));
	set(o, "ops", ops_json(rep));
	set(o, "agreement", agreement_json(rep));
	set(o, "pkmap", pkmap_json(rep));
	set(o, "local", local_json(rep));
	set(o, "tlb", tlb_json(rep));
	set(o, "contention", contention_json(rep));
	set(o, "latency", latency_json(rep));
	set(o, "violations", violations_json(rep));
	set(o, "leaks", leaks_json(rep));
	return o;
}

static json_t *change(json_t *a, json_t *b)
{
	json_t *o = json_array();

	json_array_append_new(o, a);
	json_array_append_new(o, b);
	return o;
}

json_t *hm_report_compare_json(const struct hm_report *base, const struct hm_report *what)
{
	json_t *o = json_object(), *c = json_object();
	unsigned int op;

	if (!o)
		return NULL;
	set(o, "baseline", hm_report_json(base));
	set(o, "what_if", hm_report_json(what));
	set(c, "wraps", change(ju(base->wraps), ju(what->wraps)));
	set(c, "sleeps", change(ju(base->sleeps), ju(what->sleeps)));
	set(c, "sleep_ns", change(ju(base->sleep_hist.sum), ju(what->sleep_hist.sum)));
	set(c, "peak_in_use", change(ju(base->peak_in_use), ju(what->peak_in_use)));
	set(c, "spin_ns", change(ju(base->spin_ns), ju(what->spin_ns)));
	set(c, "max_depth", change(ju(base->max_depth), ju(what->max_depth)));
	set(c, "tlb_full", change(ju(base->tlb_full), ju(what->tlb_full)));
	set(c, "ipis", change(ju(base->ipis), ju(what->ipis)));
	set(c, "violations", change(ju(base->nr_violations), ju(what->nr_violations)));
	for (op = 0; op < HM_OP__COUNT; op++) {
		char k[64];

		if (!base->lat_op[op] && !what->lat_op[op])
			continue;
		snprintf(k, sizeof(k), "p99_%s_ns", hm_op_name(op));
		set(c, k, change(
			ju(base->lat_op[op] ?
			   hm_hist_percentile(&base->lats[base->lat_op[op] - 1]->hist, 99) : 0),
			ju(what->lat_op[op] ?
			   hm_hist_percentile(&what->lats[what->lat_op[op] - 1]->hist, 99) : 0)));
	}
	set(o, "changes", c);
	return o;
}
