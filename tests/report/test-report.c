// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-report.c - the report's aggregations, fed hand-made outcomes (no model
 * involved), so every figure below is worked out from the events in the test.
 */
#include <stdlib.h>
#include <string.h>

#include "hm_report.h"
#include "../tap.h"

static struct hm_strtab *tab;
static uint32_t s_a, s_b, c_cat, c_dd;

static struct hm_event ev(uint64_t index, uint64_t ts, uint16_t op, uint32_t cpu, int32_t pid,
			  uint32_t comm, uint32_t site)
{
	struct hm_event e;

	memset(&e, 0, sizeof(e));
	e.ts = ts;
	e.ret_ts = HM_NONE;
	e.pfn = HM_NONE;
	e.page = HM_NONE;
	e.vaddr = HM_NONE;
	e.index = index;
	e.pid = pid;
	e.next_pid = HM_PID_NONE;
	e.cpu = cpu;
	e.comm = comm;
	e.site = site;
	e.op = op;
	return e;
}

static struct hm_outcome oc(const struct hm_event *e)
{
	struct hm_outcome o;

	memset(&o, 0, sizeof(o));
	o.ts = e->ts;
	o.vaddr = HM_NONE;
	o.index = e->index;
	o.map_ts = HM_NONE;
	o.map_index = HM_NONE;
	o.slot = -1;
	o.pid = e->pid;
	o.cpu = e->cpu;
	return o;
}

static json_t *path(json_t *o, const char *a, const char *b)
{
	json_t *x = json_object_get(o, a);

	return b ? json_object_get(x, b) : x;
}

static uint64_t jint(json_t *o, const char *a, const char *b)
{
	return (uint64_t)json_integer_value(path(o, a, b));
}

/*
 * Pool wraps at 1000, 3000 and 10000 ns reclaiming 4, 2 and 3 slots; kmap_lock
 * spins of 100 ns (cpu 0, site a) and 300 ns (cpu 1, site b); occupancy 0 ->
 * 2 at 100 ns -> 0 at 300 ns, trace ends at 10000 ns.
 */
static void test_pkmap_and_contention(void)
{
	struct hm_report *rep = hm_report_new(NULL);
	struct hm_event e;
	struct hm_outcome o;
	json_t *j, *w;
	uint64_t i = 0;

	hm_report_begin(rep, tab, hm_profile_find("x86-32-pae"), "t.jsonl", "jsonl", NULL);

	e = ev(i++, 0, HM_OP_KMAP, 0, 10, c_cat, s_a);
	o = oc(&e);
	hm_report_feed(rep, &e, &o);

	e = ev(i++, 100, HM_OP_KMAP, 0, 10, c_cat, s_a);
	o = oc(&e);
	o.pool_in_use = 2;
	o.spin_ns = 100;
	hm_report_feed(rep, &e, &o);

	e = ev(i++, 300, HM_OP_KUNMAP, 1, 11, c_dd, s_b);
	o = oc(&e);
	o.pool_in_use = 0;
	o.spin_ns = 300;
	hm_report_feed(rep, &e, &o);

	const uint64_t wrap_ts[3] = { 1000, 3000, 10000 };
	const uint32_t rec[3] = { 4, 2, 3 };

	for (int k = 0; k < 3; k++) {
		e = ev(i++, wrap_ts[k], HM_OP_KMAP, 0, 10, c_cat, s_a);
		o = oc(&e);
		o.flags = HM_OUT_WRAP | HM_OUT_FLUSHED | HM_OUT_MAPPED;
		o.reclaimed = rec[k];
		o.tlb_full = 2;
		o.ipis = 1;
		hm_report_feed(rep, &e, &o);
	}
	hm_report_end(rep, NULL, 0);

	j = hm_report_json(rep);
	tap_is_u64(jint(j, "events", NULL), 6, "events counts every event fed");
	tap_is_u64(jint(j, "pkmap", "wraps"), 3, "three wraps");
	w = path(j, "pkmap", "wrap_interval_ns");
	tap_is_u64(jint(w, "min", NULL), 2000, "wrap interval min 2000 ns (1000 -> 3000)");
	tap_is_u64(jint(w, "max", NULL), 7000, "wrap interval max 7000 ns (3000 -> 10000)");
	tap_is_u64(jint(w, "median", NULL), 2000, "median of {2000, 7000} is rank 1: 2000");
	w = path(j, "pkmap", "reclaimed");
	tap_is_u64(jint(w, "total", NULL), 9, "reclaimed 4 + 2 + 3");
	tap_is_u64(jint(w, "min", NULL), 2, "reclaimed min 2");
	tap_is_u64(jint(w, "max", NULL), 4, "reclaimed max 4");
	tap_ok(json_real_value(path(j, "pkmap", "wraps_per_sec")) == 3.0 / 10000e-9,
	       "3 wraps in 10 us = 300000/s");
	tap_is_u64(jint(j, "pkmap", "peak_in_use"), 2, "peak 2 in use");
	/* 2 slots for 200 ns out of 10000 ns */
	tap_ok(json_real_value(path(j, "pkmap", "mean_in_use")) == 400.0 / 10000.0,
	       "time-weighted occupancy 2 * 200 / 10000 = 0.04");
	tap_is_u64(jint(j, "tlb", "full"), 6, "tlb full flushes summed over outcomes");
	tap_is_u64(jint(j, "tlb", "ipis"), 3, "ipis summed over outcomes");

	tap_is_u64(jint(j, "contention", "spin_ns"), 400, "spin total 100 + 300");
	tap_is_u64(jint(j, "contention", "contended"), 2, "two contended acquisitions");
	w = path(j, "contention", "worst");
	tap_is_u64(json_array_size(w), 2, "two worst episodes");
	tap_is_u64(jint(json_array_get(w, 0), "spin_ns", NULL), 300, "worst first: 300 ns");
	tap_is_u64(jint(json_array_get(w, 0), "cpu", NULL), 1, "... on cpu 1");
	tap_is_u64(jint(json_array_get(w, 0), "ts", NULL), 300, "... at ts 300");
	tap_is_str(json_string_value(json_object_get(json_array_get(w, 0), "site")), "b+0x2",
		   "... from site b");
	tap_is_u64(jint(json_array_get(w, 1), "spin_ns", NULL), 100, "then 100 ns");
	w = path(j, "contention", "per_cpu");
	tap_is_u64(jint(json_array_get(w, 1), "spin_ns", NULL), 300, "cpu 1 spun 300 ns");
	json_decref(j);
	hm_report_free(rep);
}

/*
 * A kmap at 1000 ns sleeps; the completion comes at 5000 ns after 4000 ns
 * asleep, costing 50 ns; the kmap itself cost 20 ns before sleeping.
 */
static void test_sleep_and_latency(void)
{
	struct hm_report *rep = hm_report_new(NULL);
	struct hm_event e;
	struct hm_outcome o;
	json_t *j, *l;

	hm_report_begin(rep, tab, hm_profile_find("x86-32-pae"), "t.jsonl", "jsonl", NULL);
	e = ev(0, 1000, HM_OP_KMAP, 0, 20, c_dd, s_b);
	o = oc(&e);
	o.flags = HM_OUT_WAIT;
	o.cost_ns = 20;
	o.waiters = 1;
	hm_report_feed(rep, &e, &o);

	e = ev(1, 4990, HM_OP_KUNMAP, 1, 10, c_cat, s_a);
	e.ret_ts = 5100;	/* observed: 110 ns */
	o = oc(&e);
	o.flags = HM_OUT_UNMAPPED | HM_OUT_WOKE;
	o.map_ts = 400;
	o.map_index = HM_NONE;
	o.map_site = s_a;
	o.vaddr = 0xff001000;
	o.slot = 1;
	hm_report_feed(rep, &e, &o);

	memset(&o, 0, sizeof(o));
	o.ts = 5000;
	o.wait_ns = 4000;
	o.index = 0;
	o.pid = 20;
	o.cpu = 0;
	o.cost_ns = 50;
	o.flags = HM_OUT_COMPLETED | HM_OUT_MAPPED;
	o.slot = 1;
	o.map_ts = HM_NONE;
	hm_report_complete(rep, &o);
	hm_report_end(rep, NULL, 0);

	j = hm_report_json(rep);
	tap_is_u64(jint(j, "pkmap", "sleeps"), 1, "one sleep");
	l = path(j, "pkmap", "sleep");
	tap_is_u64(jint(l, "completed", NULL), 1, "one completed");
	tap_is_u64(jint(json_object_get(l, "ns"), "total", NULL), 4000, "asleep 4000 ns");
	tap_is_u64(jint(json_array_get(json_object_get(l, "tasks"), 0), "pid", NULL), 20,
		   "the sleeper is pid 20");
	tap_is_str(json_string_value(json_object_get(json_array_get(json_object_get(l, "sites"), 0),
						     "site")), "b+0x2", "sleeping site b");
	l = path(j, "latency", "ops");
	tap_is_u64(jint(json_object_get(l, "kmap"), "max", NULL), 4070,
		   "modelled kmap latency of a sleeper: 20 + 4000 + 50");
	tap_is_str(json_string_value(json_object_get(json_object_get(l, "kmap"), "source")),
		   "modelled", "kmap latency source is modelled");
	tap_is_u64(jint(json_object_get(l, "kunmap"), "max", NULL), 110,
		   "observed kunmap latency ret_ts - ts = 110");
	tap_is_str(json_string_value(json_object_get(json_object_get(l, "kunmap"), "source")),
		   "observed", "kunmap latency source is observed");
	l = json_array_get(path(j, "pkmap", "held_longest"), 0);
	tap_is_u64(jint(l, "ns", NULL), 4590, "held longest: 400 -> 4990");
	json_decref(j);
	hm_report_free(rep);
}

/*
 * Filters: cpu 1 only; site glob "a*"; a time window.  A local map stack of
 * depth 1, 2, 1 and an out-of-order unmap diagnostic.
 */
static void test_filters_local_violations(void)
{
	struct hm_report_opts opts = { .cpu_set = true, .cpu = 1, .until = UINT64_MAX };
	struct hm_report *rep = hm_report_new(&opts);
	struct hm_event e;
	struct hm_outcome o;
	json_t *j, *v;
	const uint32_t depth[4] = { 1, 2, 1, 2 };

	hm_report_begin(rep, tab, hm_profile_find("x86-32"), "t.jsonl", "jsonl", NULL);
	for (int k = 0; k < 4; k++) {
		e = ev(k, 100 * k, HM_OP_KMAP_LOCAL, k & 1, 5, c_cat, s_a);
		o = oc(&e);
		o.flags = HM_OUT_MAPPED;
		o.depth = depth[k];
		hm_report_feed(rep, &e, &o);
	}
	e = ev(4, 500, HM_OP_KUNMAP_LOCAL, 1, 5, c_cat, s_b);
	e.vaddr = 0xfffbb010;
	o = oc(&e);
	o.flags = HM_OUT_UNMAPPED;
	o.depth = 1;
	o.nr_diags = 1;
	o.diags[0].kind = HM_DIAG_LOCAL_OUT_OF_ORDER;
	o.diags[0].reaction = HM_KERNEL_WARN_ONCE;
	o.diags[0].addr = 0xfffbb000;
	o.diags[0].other_addr = 0xfffba000;
	o.diags[0].other_index = 3;
	o.diags[0].other_ts = 300;
	o.diags[0].other_site = s_a;
	o.diags[0].depth = 2;
	hm_report_feed(rep, &e, &o);
	hm_report_end(rep, NULL, 0);

	j = hm_report_json(rep);
	tap_is_u64(jint(j, "events", NULL), 5, "events counts all events, filters or not");
	tap_is_u64(jint(j, "trace", "counted"), 3, "--cpu 1 counts events 1, 3, 4");
	tap_is_u64(jint(j, "ops", "kmap_local"), 2, "two kmap_local on cpu 1");
	tap_is_u64(jint(j, "local", "max_depth"), 2, "max depth 2");
	v = path(j, "local", "depth_hist");
	tap_is_u64(json_array_size(v), 3, "depth histogram 0..2");
	tap_is_u64((uint64_t)json_integer_value(json_array_get(v, 2)), 2,
		   "both cpu-1 maps reached depth 2");
	v = json_object_get(j, "violations");
	tap_is_u64(json_array_size(v), 1, "one violation");
	v = json_array_get(v, 0);
	tap_is_str(json_string_value(json_object_get(v, "rule")), hm_diag_name(HM_DIAG_LOCAL_OUT_OF_ORDER),
		   "rule named by hm_diag_name");
	tap_is_u64(jint(v, "event", NULL), 4, "violation event index");
	tap_is_u64(jint(v, "ts", NULL), 500, "violation ts");
	tap_is_u64(jint(v, "cpu", NULL), 1, "violation cpu");
	tap_is_u64(jint(v, "pid", NULL), 5, "violation pid");
	tap_is_str(json_string_value(json_object_get(json_object_get(v, "other"), "addr")),
		   "0xfffba000", "other side: the top that was torn down");
	tap_ok(strstr(json_string_value(json_object_get(v, "consequence")),
		      "tore down the top of the stack, 0xfffba000") != NULL,
	       "consequence names the torn-down top");
	json_decref(j);
	hm_report_free(rep);

	/* a site glob and a relative window */
	opts = (struct hm_report_opts){ .site = "a+*", .since = 100, .since_rel = true,
					.until = 300, .until_rel = true };
	rep = hm_report_new(&opts);
	hm_report_begin(rep, tab, hm_profile_find("x86-32"), "t.jsonl", "jsonl", NULL);
	for (int k = 0; k < 5; k++) {
		e = ev(k, 1000 + 100 * k, HM_OP_KMAP_LOCAL, 0, 5, c_cat, k == 2 ? s_b : s_a);
		o = oc(&e);
		hm_report_feed(rep, &e, &o);
	}
	hm_report_end(rep, NULL, 0);
	j = hm_report_json(rep);
	tap_is_u64(jint(j, "trace", "counted"), 2,
		   "--site 'a+*' --since +100 --until +300: events 1 and 3");
	json_decref(j);
	hm_report_free(rep);
}

static void test_json_keys(void)
{
	static const char *const keys[] = { "events", "trace", "ops", "agreement", "pkmap",
					    "local", "tlb", "contention", "latency",
					    "violations", "leaks" };
	struct hm_report *rep = hm_report_new(NULL);
	json_t *j;
	size_t k;

	hm_report_begin(rep, tab, hm_profile_find("x86-32"), "t.jsonl", "jsonl", NULL);
	hm_report_end(rep, NULL, 0);
	j = hm_report_json(rep);
	tap_is_u64(json_object_size(j), sizeof(keys) / sizeof(keys[0]),
		   "exactly the documented top-level keys");
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		tap_ok(json_object_get(j, keys[k]) != NULL, "top-level key %s", keys[k]);
	tap_ok(json_is_array(json_object_get(j, "violations")), "violations is an array");
	json_decref(j);
	hm_report_free(rep);
}

int main(void)
{
	tab = hm_strtab_new();
	s_a = hm_strtab_intern(tab, "a+0x1", 5);
	s_b = hm_strtab_intern(tab, "b+0x2", 5);
	c_cat = hm_strtab_intern(tab, "cat", 3);
	c_dd = hm_strtab_intern(tab, "dd", 2);
	test_pkmap_and_contention();
	test_sleep_and_latency();
	test_filters_local_violations();
	test_json_keys();
	hm_strtab_free(tab);
	return tap_done();
}
