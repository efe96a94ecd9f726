// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-series.c - hm-report's time series, fed hand-made outcomes (no model
 * involved), so every bucket below is worked out from the events in the test.
 */
#include <stdlib.h>
#include <string.h>

#include "hm_htmlreport.h"
#include "../tap.h"

static struct hm_profile prof;
static struct hm_strtab *tab;

static struct hm_event ev(uint64_t index, uint64_t ts, uint16_t op, uint32_t cpu, int32_t pid)
{
	struct hm_event e;

	memset(&e, 0, sizeof(e));
	e.index = index;
	e.ts = ts;
	e.ret_ts = HM_NONE;
	e.pfn = e.page = e.vaddr = HM_NONE;
	e.op = op;
	e.cpu = cpu;
	e.pid = pid;
	e.next_pid = HM_PID_NONE;
	return e;
}

static struct hm_outcome pool(uint32_t in_use, uint32_t dirty, uint32_t waiters)
{
	struct hm_outcome o;

	memset(&o, 0, sizeof(o));
	o.vaddr = o.page = o.map_ts = o.map_index = HM_NONE;
	o.slot = -1;
	o.pool_in_use = in_use;
	o.pool_dirty = dirty;
	o.waiters = waiters;
	return o;
}

/* Feed an event of op kmap_flush_unused (no latency of interest) with a pool state. */
static void at(struct hm_series *s, uint64_t ts, uint32_t in_use, uint32_t dirty,
	       uint32_t waiters, uint32_t flags)
{
	static uint64_t index;
	struct hm_event e = ev(index++, ts, HM_OP_FLUSH_ALL_ZERO, 0, 1);
	struct hm_outcome o = pool(in_use, dirty, waiters);

	o.flags = flags;
	hm_series_feed(s, &e, &o);
}

static json_t *run_json(struct hm_series *s)
{
	return hm_series_json(s, "baseline");
}

static uint64_t arr(const json_t *o, const char *path1, const char *key, size_t i)
{
	const json_t *v = json_object_get(path1 ? json_object_get(o, path1) : o, key);

	return (uint64_t)json_integer_value(json_array_get(v, i));
}

static uint64_t num(const json_t *o, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(o, key));
}

/* "min..max" of buckets 0..n-1 of a gauge, as one string to compare with. */
static char *ranges_n(const json_t *run, const char *obj, const char *kmin, const char *kmax,
		      size_t n)
{
	static char buf[512];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < sizeof(buf) - 32; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%llu..%llu", i ? " " : "",
				      (unsigned long long)arr(run, obj, kmin, i),
				      (unsigned long long)arr(run, obj, kmax, i));
	return buf;
}

static char *ranges(const json_t *run, const char *obj, const char *kmin, const char *kmax)
{
	return ranges_n(run, obj, kmin, kmax, (size_t)num(run, "buckets"));
}

static char *counts(const json_t *run, const char *key)
{
	static char buf[512];
	size_t o = 0, n = (size_t)num(run, "buckets");

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < sizeof(buf) - 32; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%llu", i ? " " : "",
				      (unsigned long long)arr(run, "pool", key, i));
	return buf;
}

static void test_buckets(void)
{
	struct hm_series *s = hm_series_new(&prof, 4, false);
	json_t *j;

	tap_ok(s != NULL, "a series of 4 buckets");
	/* t0 = 100; width 1 ns while the trace fits in 4 ns */
	at(s, 100, 1, 0, 0, 0);
	at(s, 101, 5, 0, 0, 0);		/* a spike one event wide */
	at(s, 102, 1, 0, 0, 0);
	j = run_json(s);
	tap_is_u64(num(j, "width_ns"), 1, "3 ns fit in 4 buckets of 1 ns");
	tap_is_u64(num(j, "t0"), 100, "t0 is the first event");
	/* a bucket's range holds the value it started with: bucket 0 starts from the empty pool */
	tap_is_str(ranges(j, "pool", "in_use_min", "in_use_max"), "0..1 1..5 1..5",
		   "each event in its own bucket, with the value before it");
	json_decref(j);

	/* ts 110: 10 ns after t0 needs width 4 (buckets 0-3, 4-7, 8-11) */
	at(s, 110, 2, 0, 0, 0);
	j = run_json(s);
	tap_is_u64(num(j, "width_ns"), 4, "width doubled twice to fit 10 ns");
	tap_is_u64(num(j, "buckets"), 3, "3 buckets used");
	tap_is_str(ranges(j, "pool", "in_use_min", "in_use_max"), "0..5 1..1 1..2",
		   "merged bucket keeps the spike; the empty one carries 1");
	json_decref(j);

	/* ts 1100: width 256 (1000 / 256 = 3): the spike is still there */
	at(s, 1100, 3, 0, 0, 0);
	j = run_json(s);
	tap_is_u64(num(j, "width_ns"), 256, "width 256 for 1000 ns in 4 buckets");
	tap_is_str(ranges(j, "pool", "in_use_min", "in_use_max"), "0..5 2..2 2..2 2..3",
		   "the spike of 5 survives 8 halvings; empty buckets carry 2");
	json_decref(j);
	hm_series_free(s);
}

static void test_order_and_counts(void)
{
	struct hm_series *s = hm_series_new(&prof, 8, false);
	json_t *j;

	at(s, 0, 0, 0, 0, 0);
	at(s, 1, 4, 0, 1, HM_OUT_WAIT);		/* slept */
	at(s, 2, 4, 0, 1, HM_OUT_WRAP);		/* wrapped */
	at(s, 5, 4, 0, 0, HM_OUT_WRAP);		/* completion stamped later ... */
	at(s, 3, 3, 1, 0, 0);			/* ... than this event, taken after it */
	j = run_json(s);
	tap_is_u64(num(j, "buckets"), 6, "6 buckets of 1 ns");
	tap_is_str(counts(j, "sleeps"), "0 1 0 0 0 0", "the sleep in bucket 1");
	tap_is_str(counts(j, "wraps"), "0 0 1 0 0 1", "wraps in buckets 2 and 5");
	tap_is_str(ranges(j, "pool", "in_use_min", "in_use_max"),
		   "0..0 0..4 4..4 4..4 4..4 3..4",
		   "an event stamped before the latest counts at the latest time");
	tap_is_str(ranges(j, "pool", "busy_min", "busy_max"), "0..0 0..4 4..4 4..4 4..4 4..4",
		   "busy = in use + awaiting the flush");
	tap_is_str(ranges(j, "pool", "waiters_min", "waiters_max"),
		   "0..0 0..1 1..1 1..1 1..1 0..1", "waiters");
	tap_is_u64(num(j, "wraps"), 2, "2 wraps");
	tap_is_u64(num(json_object_get(j, "wrap_intervals"), "count"), 1, "1 interval");
	{
		const json_t *v = json_array_get(json_object_get(json_object_get(j,
						"wrap_intervals"), "values"), 0);

		tap_is_u64((uint64_t)json_integer_value(json_array_get(v, 0)), 3,
			   "interval between the wraps: 5 - 2 = 3 ns");
	}
	json_decref(j);

	/* halving sums the counts */
	at(s, 9, 0, 0, 0, HM_OUT_WAIT);
	j = run_json(s);
	tap_is_u64(num(j, "width_ns"), 2, "width 2 for 9 ns in 8 buckets");
	tap_is_str(counts(j, "sleeps"), "1 0 0 0 1", "sleeps summed when halved");
	tap_is_str(counts(j, "wraps"), "0 1 1 0 0", "wraps summed when halved");
	json_decref(j);
	hm_series_free(s);
}

static const json_t *lat_values(const json_t *run, const char *op)
{
	return json_object_get(json_object_get(json_object_get(run, "latency"), op), "values");
}

static char *values(const json_t *vals)
{
	static char buf[256];
	size_t o = 0, i;
	const json_t *v;

	buf[0] = '\0';
	json_array_foreach(vals, i, v)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%lld-%lld:%lld", i ? " " : "",
				      (long long)json_integer_value(json_array_get(v, 0)),
				      (long long)json_integer_value(json_array_get(v, 1)),
				      (long long)json_integer_value(json_array_get(v, 2)));
	return buf;
}

static void test_latency(void)
{
	struct hm_series *s = hm_series_new(&prof, 16, false);
	struct hm_event e;
	struct hm_outcome o;
	json_t *j;

	/* observed: ret_ts - ts */
	e = ev(0, 1000, HM_OP_KMAP, 0, 1);
	e.ret_ts = 1300;
	o = pool(1, 0, 0);
	o.cost_ns = 77;
	hm_series_feed(s, &e, &o);
	/* modelled where there is no ret_ts */
	e = ev(1, 2000, HM_OP_KUNMAP, 0, 1);
	o.cost_ns = 50;
	hm_series_feed(s, &e, &o);
	e = ev(2, 2100, HM_OP_KUNMAP, 0, 1);
	hm_series_feed(s, &e, &o);
	/* a kmap that sleeps without ret_ts: cost before + asleep + cost after */
	e = ev(3, 3000, HM_OP_KMAP, 0, 2);
	o = pool(1, 0, 1);
	o.flags = HM_OUT_WAIT;
	o.cost_ns = 100;
	hm_series_feed(s, &e, &o);
	o = pool(1, 0, 0);
	o.flags = HM_OUT_COMPLETED | HM_OUT_MAPPED;
	o.index = 3;
	o.ts = 9000;
	o.wait_ns = 5000;
	o.cost_ns = 200;
	hm_series_complete(s, &o);
	/* a kmap that sleeps with ret_ts: observed, counted at the call */
	e = ev(4, 10000, HM_OP_KMAP, 0, 3);
	e.ret_ts = 16000;
	o = pool(1, 0, 1);
	o.flags = HM_OUT_WAIT;
	o.cost_ns = 100;
	hm_series_feed(s, &e, &o);
	o = pool(1, 0, 0);
	o.flags = HM_OUT_COMPLETED;
	o.index = 4;
	o.ts = 15000;
	o.wait_ns = 4000;
	o.cost_ns = 300;
	hm_series_complete(s, &o);

	j = run_json(s);
	tap_is_str(values(lat_values(j, "kmap")), "300-300:1 5300-5300:1 6000-6000:1",
		   "kmap: observed 300, slept 100 + 5000 + 200, observed 6000");
	tap_is_str(json_string_value(json_object_get(json_object_get(json_object_get(j,
		   "latency"), "kmap"), "source")), "mixed", "kmap latency is mixed");
	tap_is_str(values(lat_values(j, "kunmap")), "50-50:2", "kunmap: modelled 50 twice");
	json_decref(j);
	hm_series_free(s);

	/* what-if: modelled even where ret_ts exists */
	s = hm_series_new(&prof, 16, true);
	e = ev(0, 1000, HM_OP_KMAP, 0, 1);
	e.ret_ts = 1300;
	o = pool(1, 0, 0);
	o.cost_ns = 77;
	hm_series_feed(s, &e, &o);
	j = run_json(s);
	tap_is_str(values(lat_values(j, "kmap")), "77-77:1", "modelled latency ignores ret_ts");
	json_decref(j);
	hm_series_free(s);
}

static void test_held_and_depth(void)
{
	struct hm_series *s = hm_series_new(&prof, 16, false);
	uint32_t sa = hm_strtab_intern(tab, "dir_get_page+0x50", 17);
	uint32_t sb = hm_strtab_intern(tab, "copy_page_to_iter+0x9c", 22);
	struct hm_event e;
	struct hm_outcome o;
	const json_t *held, *d0, *d1;
	json_t *j;

	hm_series_begin(s, tab);
	/* cpu 0, task 10: local maps to depth 2 */
	e = ev(0, 100, HM_OP_KMAP_LOCAL, 0, 10);
	o = pool(0, 0, 0);
	o.depth = 1;
	hm_series_feed(s, &e, &o);
	e = ev(1, 110, HM_OP_KMAP_LOCAL, 0, 10);
	o.depth = 2;
	hm_series_feed(s, &e, &o);
	/* switch to task 11 (nothing mapped), then back to 10 */
	e = ev(2, 120, HM_OP_SCHED_SWITCH, 0, 10);
	e.next_pid = 11;
	o.depth = 0;
	hm_series_feed(s, &e, &o);
	e = ev(3, 130, HM_OP_SCHED_SWITCH, 0, 11);
	e.next_pid = 10;
	hm_series_feed(s, &e, &o);
	/* task 10 unmaps: held 140 - 110 and 150 - 100 at site b */
	e = ev(4, 140, HM_OP_KUNMAP_LOCAL, 0, 10);
	o = pool(0, 0, 0);
	o.flags = HM_OUT_UNMAPPED;
	o.depth = 1;
	o.map_ts = 110;
	o.map_site = sb;
	hm_series_feed(s, &e, &o);
	e = ev(5, 150, HM_OP_KUNMAP_LOCAL, 0, 10);
	o.depth = 0;
	o.map_ts = 100;
	hm_series_feed(s, &e, &o);
	/* cpu 1: a kmap held 1000 ns at site a */
	e = ev(6, 160, HM_OP_KUNMAP, 1, 20);
	o = pool(0, 1, 0);
	o.flags = HM_OUT_UNMAPPED;
	o.map_ts = 0;
	o.map_site = sa;
	hm_series_feed(s, &e, &o);

	j = run_json(s);
	held = json_object_get(j, "held");
	tap_is_u64(json_array_size(held), 2, "two sites held mappings");
	tap_is_str(json_string_value(json_object_get(json_array_get(held, 0), "site")),
		   "dir_get_page+0x50", "longest first: the kmap held 160 ns");
	tap_is_u64(num(json_array_get(held, 0), "pkmap_ns"), 160, "160 ns of pkmap");
	tap_is_u64(num(json_array_get(held, 1), "ns"), 80, "site b: 30 + 50 ns");
	tap_is_u64(num(json_array_get(held, 1), "local_ns"), 80, "all of it local");
	tap_is_u64(num(json_array_get(held, 1), "count"), 2, "two mappings");

	tap_is_u64(json_array_size(json_object_get(j, "depth")), 2, "both CPUs seen");
	d0 = json_array_get(json_object_get(j, "depth"), 0);
	d1 = json_array_get(json_object_get(j, "depth"), 1);
	tap_is_u64(num(j, "width_ns"), 4, "61 ns in 16 buckets: width 4");
	/*
	 * buckets of 4 ns from 100: map at 100 (b0) and 110 (b2), switch away at 120
	 * (b5) and back at 130 (b7), unmaps at 140 (b10) and 150 (b12)
	 */
	tap_is_str(ranges_n(d0, NULL, "min", "max", 16),
		   "0..1 1..1 1..2 2..2 2..2 0..2 0..0 0..2 2..2 2..2 1..2 1..1 0..1 0..0 0..0 0..0",
		   "cpu 0: the incoming task's depth at each switch");
	tap_is_str(ranges_n(d1, NULL, "min", "max", 16),
		   "0..0 0..0 0..0 0..0 0..0 0..0 0..0 0..0 0..0 0..0 0..0 0..0 0..0 0..0 0..0 0..0",
		   "cpu 1: a kunmap changes no local stack");
	json_decref(j);
	hm_series_free(s);
}

static void test_constant_memory(void)
{
	struct hm_series *s = hm_series_new(&prof, 100, false);
	json_t *j;

	for (uint64_t i = 0; i < 1000000; i++)
		at(s, 1000 * i, (uint32_t)(i % 7), 0, 0, i == 777777 ? HM_OUT_WRAP : 0);
	j = run_json(s);
	tap_ok(num(j, "buckets") <= 100 && num(j, "buckets") > 50,
	       "a million events in at most 100 buckets (%llu)",
	       (unsigned long long)num(j, "buckets"));
	tap_is_u64(num(j, "width_ns"), 16777216, "width 2^24 ns for 1 s in 100 buckets");
	{
		uint64_t w = 0;

		for (size_t i = 0; i < num(j, "buckets"); i++)
			w += arr(j, "pool", "wraps", i);
		tap_is_u64(w, 1, "the one wrap is still counted");
		tap_is_u64(arr(j, "pool", "wraps", 777777000ull / 16777216), 1,
			   "in the bucket of its time");
	}
	json_decref(j);
	hm_series_free(s);
}

int main(void)
{
	prof = *hm_profile_find("x86-32-pae");
	prof.nr_cpus = 2;
	tab = hm_strtab_new();
	tap_ok(hm_series_new(&prof, 1, false) == NULL, "1 bucket is refused");
	test_buckets();
	test_order_and_counts();
	test_latency();
	test_held_and_depth();
	test_constant_memory();
	hm_strtab_free(tab);
	return tap_done();
}
