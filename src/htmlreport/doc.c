// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doc.c - the document every figure and index.html is drawn from: either
 * hm-report's own series.json (the report and the time series), or a saved
 * hm-replay --json result (the report alone).  Its shape is checked once
 * here, so figures can loop over arrays without checking again.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hm_htmlreport.h"

#define MAX_CPUS 4096

struct check {
	const char *file;
	struct hm_error *err;
	char path[160];
};

static int bad(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct check *c, const char *fmt, ...)
{
	struct hm_where w = { .file = c->file };
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hm_error_set(c->err, HM_EXIT_INPUT, &w, "%s: %s", c->path, msg);
}

/* Name the place being checked: "runs[0].pool.wraps". */
static void at(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void at(struct check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->path, sizeof(c->path), fmt, ap);
	va_end(ap);
}

static bool is_uint(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

static int need_uint(struct check *c, const json_t *o, const char *key, json_int_t min,
		     json_int_t max)
{
	const json_t *v = json_object_get(o, key);

	if (!is_uint(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return bad(c, "\"%s\" must be an integer from %lld to %lld", key, (long long)min,
			   (long long)max);
	return 0;
}

static int need_uint_array(struct check *c, const json_t *o, const char *key, size_t n)
{
	const json_t *a = json_object_get(o, key);
	size_t i;

	if (!json_is_array(a) || json_array_size(a) != n)
		return bad(c, "\"%s\" must be an array of %zu integers", key, n);
	for (i = 0; i < n; i++)
		if (!is_uint(json_array_get(a, i)))
			return bad(c, "\"%s\"[%zu] must be a non-negative integer", key, i);
	return 0;
}

/* [[low, high, count], ...] with low <= high, increasing. */
static int need_ranges(struct check *c, const json_t *o, const char *key)
{
	const json_t *a = json_object_get(o, key);
	json_int_t prev = -1;
	size_t i;

	if (!json_is_array(a))
		return bad(c, "\"%s\" must be an array of [low, high, count]", key);
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *t = json_array_get(a, i);
		json_int_t lo, hi;

		if (!json_is_array(t) || json_array_size(t) != 3 ||
		    !is_uint(json_array_get(t, 0)) || !is_uint(json_array_get(t, 1)) ||
		    !is_uint(json_array_get(t, 2)))
			return bad(c, "\"%s\"[%zu] must be [low, high, count]", key, i);
		lo = json_integer_value(json_array_get(t, 0));
		hi = json_integer_value(json_array_get(t, 1));
		if (lo > hi || lo <= prev)
			return bad(c, "\"%s\"[%zu]: ranges must be increasing", key, i);
		prev = hi;
	}
	return 0;
}

static int need_object(struct check *c, const json_t *o, const char *key, json_t **out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_object(v))
		return bad(c, "\"%s\" must be an object", key);
	*out = v;
	return 0;
}

static int check_run(struct check *c, unsigned int r, json_t *run)
{
	static const char *const pool_keys[] = {
		"in_use_min", "in_use_max", "busy_min", "busy_max", "waiters_min", "waiters_max",
		"wraps", "sleeps",
	};
	json_t *pool, *lat, *iv, *depth, *held, *v;
	const char *k;
	size_t n, i;

	at(c, "runs[%u]", r);
	if (!json_is_object(run))
		return bad(c, "must be an object");
	if (!json_is_string(json_object_get(run, "label")) ||
	    need_uint(c, run, "last_pkmap", 1, 1 << 24) ||
	    need_uint(c, run, "nr_cpus", 1, MAX_CPUS) ||
	    need_uint(c, run, "km_max_idx", 1, 1024) ||
	    need_uint(c, run, "t0", 0, INT64_MAX) ||
	    need_uint(c, run, "width_ns", 1, INT64_MAX) ||
	    need_uint(c, run, "buckets", 0, HM_SERIES_BUCKETS_MAX) ||
	    need_uint(c, run, "wraps", 0, INT64_MAX))
		return c->err->status ? -EINVAL : bad(c, "\"label\" must be a string");
	n = (size_t)json_integer_value(json_object_get(run, "buckets"));
	if (need_object(c, run, "pool", &pool))
		return -EINVAL;
	at(c, "runs[%u].pool", r);
	for (i = 0; i < sizeof(pool_keys) / sizeof(pool_keys[0]); i++)
		if (need_uint_array(c, pool, pool_keys[i], n))
			return -EINVAL;
	at(c, "runs[%u]", r);
	depth = json_object_get(run, "depth");
	if (!json_is_array(depth) || json_array_size(depth) > MAX_CPUS)
		return bad(c, "\"depth\" must be an array of at most %d CPUs", MAX_CPUS);
	json_array_foreach(depth, i, v) {
		at(c, "runs[%u].depth[%zu]", r, i);
		if (!json_is_object(v))
			return bad(c, "must be an object");
		if (need_uint(c, v, "cpu", 0, MAX_CPUS - 1) || need_uint_array(c, v, "min", n) ||
		    need_uint_array(c, v, "max", n))
			return -EINVAL;
	}
	at(c, "runs[%u]", r);
	if (need_object(c, run, "latency", &lat) || need_object(c, run, "wrap_intervals", &iv))
		return -EINVAL;
	json_object_foreach(lat, k, v) {
		at(c, "runs[%u].latency", r);
		if (!json_is_object(v))
			return bad(c, "\"%s\" must be an object", k);
		at(c, "runs[%u].latency.%.40s", r, k);
		if (need_uint(c, v, "count", 0, INT64_MAX) || need_ranges(c, v, "values"))
			return -EINVAL;
	}
	at(c, "runs[%u].wrap_intervals", r);
	if (need_ranges(c, iv, "values"))
		return -EINVAL;
	at(c, "runs[%u]", r);
	held = json_object_get(run, "held");
	if (!json_is_array(held))
		return bad(c, "\"held\" must be an array");
	json_array_foreach(held, i, v) {
		at(c, "runs[%u].held[%zu]", r, i);
		if (!json_is_object(v) || !json_is_string(json_object_get(v, "site")))
			return bad(c, "must be an object with a \"site\" string");
		if (need_uint(c, v, "ns", 0, INT64_MAX) ||
		    need_uint(c, v, "pkmap_ns", 0, INT64_MAX) ||
		    need_uint(c, v, "local_ns", 0, INT64_MAX) ||
		    need_uint(c, v, "count", 0, INT64_MAX))
			return -EINVAL;
	}
	return 0;
}

/* The parts of an hm-replay report the figures read; the tables cope with anything. */
static int check_report(struct check *c, const char *name, json_t *rep)
{
	json_t *lat, *ops, *con, *pk, *v, *w;
	const char *k;
	size_t i, j;

	at(c, "%s", name);
	if (!json_is_object(rep))
		return bad(c, "must be an object (an hm-replay --json report)");
	lat = json_object_get(rep, "latency");
	ops = json_object_get(lat, "ops");
	json_object_foreach(ops, k, v) {
		json_t *log2 = json_object_get(v, "log2");

		at(c, "%s.latency.ops.%.40s", name, k);
		if (!json_is_array(log2))
			return bad(c, "\"log2\" must be an array");
		json_array_foreach(log2, j, w) {
			if (!json_is_object(w) || !is_uint(json_object_get(w, "low")) ||
			    !is_uint(json_object_get(w, "high")) ||
			    !is_uint(json_object_get(w, "count")))
				return bad(c, "\"log2\"[%zu] must be {low, high, count}", j);
		}
	}
	con = json_object_get(rep, "contention");
	json_array_foreach(json_object_get(con, "per_cpu"), i, v) {
		at(c, "%s.contention.per_cpu[%zu]", name, i);
		if (!json_is_object(v) || need_uint(c, v, "cpu", 0, MAX_CPUS - 1) ||
		    need_uint(c, v, "spin_ns", 0, INT64_MAX) ||
		    need_uint(c, v, "contended", 0, INT64_MAX))
			return c->err->status ? -EINVAL : bad(c, "must be an object");
	}
	pk = json_object_get(rep, "pkmap");
	json_array_foreach(json_object_get(pk, "wrap_list"), i, v) {
		at(c, "%s.pkmap.wrap_list[%zu]", name, i);
		if (!json_is_object(v) || need_uint(c, v, "ts", 0, INT64_MAX))
			return c->err->status ? -EINVAL : bad(c, "must be an object");
	}
	return 0;
}

int hm_doc_from_json(struct hm_doc *doc, json_t *root, const char *file, struct hm_error *err)
{
	struct check c = { .file = file, .err = err };
	json_t *rep, *runs;
	int ret = -EINVAL;

	memset(doc, 0, sizeof(*doc));
	memset(err, 0, sizeof(*err));
	doc->root = root;
	doc->file = file;
	at(&c, "top level");
	if (!json_is_object(root)) {
		bad(&c, "expected an hm-replay --json result or an hm-report series.json");
		goto fail;
	}
	rep = root;
	if (json_object_get(root, "hm_report_series")) {
		if (need_uint(&c, root, "hm_report_series", 1, 1))
			goto fail;
		rep = json_object_get(root, "report");
		runs = json_object_get(root, "runs");
		if (!json_is_array(runs) || json_array_size(runs) < 1 ||
		    json_array_size(runs) > 2) {
			bad(&c, "\"runs\" must be an array of one or two runs");
			goto fail;
		}
		doc->nr_runs = (unsigned int)json_array_size(runs);
		for (unsigned int i = 0; i < doc->nr_runs; i++) {
			doc->runs[i] = json_array_get(runs, i);
			if (check_run(&c, i, doc->runs[i]))
				goto fail;
		}
	}
	if (json_is_object(rep) && json_is_object(json_object_get(rep, "baseline")) &&
	    json_is_object(json_object_get(rep, "what_if"))) {
		doc->base = json_object_get(rep, "baseline");
		doc->what = json_object_get(rep, "what_if");
		doc->changes = json_object_get(rep, "changes");
		if (check_report(&c, "baseline", doc->base) ||
		    check_report(&c, "what_if", doc->what))
			goto fail;
		doc->report = doc->base;
		if (doc->nr_runs == 1) {
			at(&c, "runs");
			bad(&c, "a comparison needs two runs");
			goto fail;
		}
	} else {
		if (!json_is_object(rep) || !json_object_get(rep, "events") ||
		    !json_object_get(rep, "pkmap")) {
			at(&c, "top level");
			bad(&c, "expected an hm-replay --json result or an hm-report series.json");
			goto fail;
		}
		if (check_report(&c, "report", rep))
			goto fail;
		doc->report = rep;
		if (doc->nr_runs == 2) {
			at(&c, "runs");
			bad(&c, "two runs need a comparison report");
			goto fail;
		}
	}
	return 0;
fail:
	json_decref(root);
	memset(doc, 0, sizeof(*doc));
	return ret;
}

int hm_doc_load(struct hm_doc *doc, const char *path, struct hm_error *err)
{
	struct hm_where w = { .file = strcmp(path, "-") ? path : "<stdin>" };
	json_error_t je;
	json_t *root;

	memset(doc, 0, sizeof(*doc));
	if (strcmp(path, "-") == 0)
		root = json_loadf(stdin, JSON_REJECT_DUPLICATES, &je);
	else
		root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		w.line = je.line > 0 ? (uint64_t)je.line : 0;
		w.col = je.column > 0 ? (uint64_t)je.column : 0;
		if (je.line < 0 && strstr(je.text, "unable to open"))
			return hm_error_set(err, HM_EXIT_INPUT, &w, "cannot open: %s",
					    strerror(errno ? errno : ENOENT));
		return hm_error_set(err, HM_EXIT_INPUT, &w, "not valid JSON: %s", je.text);
	}
	return hm_doc_from_json(doc, root, w.file, err);
}

void hm_doc_fini(struct hm_doc *doc)
{
	json_decref(doc->root);
	free(doc->text);
	memset(doc, 0, sizeof(*doc));
}
