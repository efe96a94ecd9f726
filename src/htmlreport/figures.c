// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * figures.c - each figure as a data file (deterministic columns, '#' header)
 * and a gnuplot script that reads it.
 *
 * Scripts are fixed text plus numbers; the only strings from the input that
 * appear in one (op names, profile names, run labels) go through
 * hm_gp_quote()'s whitelist.  Call sites reach gnuplot only as .dat fields,
 * read as tic labels, which gnuplot never evaluates.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hm_htmlreport.h"

#define WIDTH 960
#define HEIGHT 480
#define SITE_LABEL_MAX 48	/* longer call sites are cut in tic labels (not in the .dat) */

/* ------------------------------------------------------------ helpers --- */

static uint64_t ju(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v)
							       : 0;
}

static uint64_t ja(const json_t *o, const char *key, size_t i)
{
	const json_t *v = json_array_get(json_object_get(o, key), i);

	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v)
							       : 0;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void put_ns_as_s(FILE *fp, uint64_t ns)
{
	fprintf(fp, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
}

static const json_t *primary_run(const struct hm_doc *doc)
{
	return doc->nr_runs ? doc->runs[doc->primary] : NULL;
}

/* The trace time a run's bucket @b starts at, from the primary run's first event. */
static uint64_t bucket_ns(const struct hm_doc *doc, const json_t *run, size_t b)
{
	uint64_t t0 = ju(run, "t0"), base = ju(primary_run(doc), "t0");

	return (t0 > base ? t0 - base : 0) + (uint64_t)b * ju(run, "width_ns");
}

struct unit {
	double per_s;		/* or per ns, for durations */
	const char *name;
};

/* A unit for a time axis spanning @ns. */
static struct unit span_unit(uint64_t ns)
{
	if (ns < 1000000)
		return (struct unit){ 1e6, "us" };
	if (ns < 1000000000)
		return (struct unit){ 1e3, "ms" };
	return (struct unit){ 1.0, "s" };
}

/* A unit for durations up to @ns, as a factor from ns. */
static struct unit dur_unit(uint64_t ns)
{
	if (ns < 10000)
		return (struct unit){ 1.0, "ns" };
	if (ns < 10000000)
		return (struct unit){ 1e-3, "us" };
	if (ns < 10000000000ull)
		return (struct unit){ 1e-6, "ms" };
	return (struct unit){ 1e-9, "s" };
}

static uint64_t run_span_ns(const struct hm_doc *doc, const json_t *run)
{
	return bucket_ns(doc, run, (size_t)ju(run, "buckets"));
}

/* Common axis settings of a time-series figure. */
static void time_axis(FILE *gp, uint64_t span_ns)
{
	struct unit u = span_unit(span_ns);

	fprintf(gp, "XS = %g\n", u.per_s);
	fprintf(gp, "set xlabel 'trace time since the first event (%s)'\n", u.name);
	fputs("set xrange [0:*]\nset autoscale xfix\n", gp);
}

/* A figure with nothing to show still renders, saying so. */
static void empty_plot(FILE *gp, const char *why)
{
	char q[160];

	fputs("set xrange [0:1]\nset yrange [0:1]\nunset xtics\nunset ytics\nunset key\n", gp);
	fprintf(gp, "set label 1 %s at graph 0.5,0.5 center\n", hm_gp_quote(q, sizeof(q), why));
	fputs("plot 2 notitle\n", gp);
}

static unsigned int log2_slot(uint64_t v)
{
	unsigned int k = 0;

	while (v >= 2) {
		v >>= 1;
		k++;
	}
	return k;
}

/* ------------------------------------------------------ availability --- */

static bool need_runs(const struct hm_doc *doc, const char **why)
{
	if (doc->nr_runs)
		return true;
	*why = "needs the time series: draw it from the trace or from hm-report's series.json";
	return false;
}

static bool need_compare_runs(const struct hm_doc *doc, const char **why)
{
	if (doc->nr_runs == 2)
		return true;
	*why = doc->base ? "needs the time series of both runs: draw it from the trace or "
			   "from hm-report's series.json" :
			   "needs --what-if ... --compare";
	return false;
}

static bool need_report(const struct hm_doc *doc, const char **why)
{
	(void)doc;
	(void)why;
	return true;
}

static bool need_compare(const struct hm_doc *doc, const char **why)
{
	if (doc->base)
		return true;
	*why = "needs --what-if ... --compare";
	return false;
}

static bool wraps_available(const struct hm_doc *doc, const char **why)
{
	const json_t *pk = json_object_get(doc->report, "pkmap");

	if (doc->nr_runs)
		return true;
	if (json_array_size(json_object_get(pk, "wrap_list")) >= ju(pk, "wraps"))
		return true;
	*why = "the hm-replay result lists only some of the wraps: draw it from the trace or "
	       "from hm-report's series.json";
	return false;
}

/* --------------------------------------------------------------- pool --- */

static void series_header(FILE *dat, const struct hm_doc *doc, const json_t *run,
			  const char *what)
{
	fprintf(dat, "# hm-report: %s\n# run ", what);
	hm_dat_string(dat, jstr(run, "label"));
	fputs(", profile ", dat);
	hm_dat_string(dat, jstr(run, "profile"));
	fprintf(dat, ", LAST_PKMAP %" PRIu64 ", %" PRIu64 " CPUs\n", ju(run, "last_pkmap"),
		ju(run, "nr_cpus"));
	fprintf(dat, "# %" PRIu64 " buckets of %" PRIu64 " ns; t_s: start of the bucket, in s "
		"since the first event; min/max: range of the value within the bucket\n",
		ju(run, "buckets"), ju(run, "width_ns"));
	(void)doc;
}

static int pool_write(const struct hm_doc *doc, unsigned int top, FILE *dat, FILE *gp,
		      unsigned int *height)
{
	const json_t *run = primary_run(doc), *pool = json_object_get(run, "pool");
	size_t n = (size_t)ju(run, "buckets");
	uint64_t last = ju(run, "last_pkmap"), wraps = 0, sleeps = 0, peak = 0;

	(void)top;
	(void)height;
	series_header(dat, doc, run, "pkmap pool occupancy over time");
	fputs("# in_use: slots with count > 1 (mapped and used); busy: in_use plus slots with "
	      "count 1 (unused, awaiting the flush of the next wrap); wraps, sleeps: events in "
	      "the bucket\n", dat);
	fputs("# t_s in_use_min in_use_max busy_min busy_max wraps sleeps\n", dat);
	for (size_t b = 0; b < n; b++) {
		put_ns_as_s(dat, bucket_ns(doc, run, b));
		fprintf(dat, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %"
			PRIu64 "\n", ja(pool, "in_use_min", b), ja(pool, "in_use_max", b),
			ja(pool, "busy_min", b), ja(pool, "busy_max", b), ja(pool, "wraps", b),
			ja(pool, "sleeps", b));
		wraps += ja(pool, "wraps", b);
		sleeps += ja(pool, "sleeps", b);
		if (ja(pool, "busy_max", b) > peak)
			peak = ja(pool, "busy_max", b);
	}
	if (!n) {
		empty_plot(gp, "no events");
		return 0;
	}
	time_axis(gp, run_span_ns(doc, run));
	fprintf(gp, "LAST_PKMAP = %" PRIu64 "\n", last);
	fputs("set ylabel 'pkmap slots'\n"
	      "set yrange [0:LAST_PKMAP * 1.12]\n"
	      "set key top left horizontal\n"
	      "set style fill transparent solid 0.30 noborder\n", gp);
	fputs("plot 'pool.dat' using ($1*XS):4:5 with filledcurves lc rgb '#4c78a8' "
	      "title 'not free: in use or awaiting flush', \\\n"
	      "     'pool.dat' using ($1*XS):5 with lines lw 1 lc rgb '#4c78a8' notitle, \\\n"
	      "     'pool.dat' using ($1*XS):2:3 with filledcurves lc rgb '#f58518' "
	      "title 'in use (count > 1)', \\\n"
	      "     'pool.dat' using ($1*XS):3 with lines lw 1 lc rgb '#f58518' notitle, \\\n"
	      "     LAST_PKMAP with lines dt 2 lc rgb '#555555' title 'LAST_PKMAP'", gp);
	if (wraps)
		fputs(", \\\n     'pool.dat' using ($1*XS):($6 > 0 ? LAST_PKMAP * 1.06 : NaN) "
		      "with impulses lw 1 lc rgb '#e45756' title 'pool wrap (flush)'", gp);
	if (sleeps)
		fputs(", \\\n     'pool.dat' using ($1*XS):($7 > 0 ? LAST_PKMAP * 0.03 : NaN) "
		      "with points pt 9 ps 1 lc rgb '#b279a2' title 'kmap slept'", gp);
	fputc('\n', gp);
	(void)peak;
	return 0;
}

/* ------------------------------------------------------------ waiters --- */

static int waiters_write(const struct hm_doc *doc, unsigned int top, FILE *dat, FILE *gp,
			 unsigned int *height)
{
	const json_t *run = primary_run(doc), *pool = json_object_get(run, "pool");
	size_t n = (size_t)ju(run, "buckets");
	uint64_t peak = 0, sleeps = 0;

	(void)top;
	(void)height;
	series_header(dat, doc, run, "tasks asleep on the pkmap wait queue over time");
	fputs("# waiters: tasks on the wait queue; sleeps: kmap() calls that went to sleep in "
	      "the bucket\n# t_s waiters_min waiters_max sleeps\n", dat);
	for (size_t b = 0; b < n; b++) {
		put_ns_as_s(dat, bucket_ns(doc, run, b));
		fprintf(dat, " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", ja(pool, "waiters_min", b),
			ja(pool, "waiters_max", b), ja(pool, "sleeps", b));
		if (ja(pool, "waiters_max", b) > peak)
			peak = ja(pool, "waiters_max", b);
		sleeps += ja(pool, "sleeps", b);
	}
	if (!n) {
		empty_plot(gp, "no events");
		return 0;
	}
	time_axis(gp, run_span_ns(doc, run));
	fputs("set ylabel 'tasks waiting for a pkmap slot'\n"
	      "set key top left horizontal\n"
	      "set style fill transparent solid 0.35 noborder\n", gp);
	if (!peak) {
		fputs("set yrange [0:1]\nset ytics 1\n"
		      "set label 1 'no task slept on the pkmap wait queue' at graph 0.5,0.6 "
		      "center\n", gp);
	} else {
		fprintf(gp, "set yrange [0:%" PRIu64 "]\n", peak + 1);
		if (peak < 10)
			fputs("set ytics 1\n", gp);
	}
	fputs("plot 'waiters.dat' using ($1*XS):2:3 with filledcurves lc rgb '#b279a2' "
	      "title 'waiting (min-max)', \\\n"
	      "     'waiters.dat' using ($1*XS):3 with lines lw 1.5 lc rgb '#7a4f7a' notitle", gp);
	if (sleeps)
		fputs(", \\\n     'waiters.dat' using ($1*XS):($4 > 0 ? 0 : NaN) with points "
		      "pt 9 ps 1 lc rgb '#e45756' title 'kmap went to sleep'", gp);
	fputc('\n', gp);
	return 0;
}

/* -------------------------------------------------------------- depth --- */

static int depth_write(const struct hm_doc *doc, unsigned int top, FILE *dat, FILE *gp,
		       unsigned int *height)
{
	const json_t *run = primary_run(doc), *depth = json_object_get(run, "depth"), *c;
	size_t n = (size_t)ju(run, "buckets"), ncpu = json_array_size(depth), i;
	uint64_t maxd = 0, rows;

	(void)top;
	series_header(dat, doc, run, "kmap_local stack depth per CPU over time");
	fprintf(dat, "# depth: mappings on the local stack of the task running on the CPU "
		"(KM_MAX_IDX %" PRIu64 ")\n# t_s", ju(run, "km_max_idx"));
	json_array_foreach(depth, i, c)
		fprintf(dat, " cpu%" PRIu64 "_min cpu%" PRIu64 "_max", ju(c, "cpu"), ju(c, "cpu"));
	fputc('\n', dat);
	for (size_t b = 0; b < n; b++) {
		put_ns_as_s(dat, bucket_ns(doc, run, b));
		json_array_foreach(depth, i, c) {
			fprintf(dat, " %" PRIu64 " %" PRIu64, ja(c, "min", b), ja(c, "max", b));
			if (ja(c, "max", b) > maxd)
				maxd = ja(c, "max", b);
		}
		fputc('\n', dat);
	}
	if (!n || !ncpu || !maxd) {
		empty_plot(gp, "no kmap_local or kmap_atomic mapping was held");
		return 0;
	}
	*height = (unsigned int)(ncpu <= 2 ? HEIGHT : ncpu >= 10 ? 1400 : 200 + 120 * ncpu);
	rows = maxd + 1;
	time_axis(gp, run_span_ns(doc, run));
	fprintf(gp, "H = %" PRIu64 "\n", rows);
	fprintf(gp, "set yrange [-0.5:%zu * H - 0.5]\n", ncpu);
	fputs("set ylabel 'local stack depth, one band per CPU'\n"
	      "set key outside right top vertical\n"
	      "set style fill transparent solid 0.35 noborder\n"
	      "set grid ytics\n", gp);
	/* tics: the CPU at its depth 0, then the depths above it while they fit */
	fputs("set ytics (", gp);
	json_array_foreach(depth, i, c) {
		fprintf(gp, "%s'cpu %" PRIu64 "' %zu", i ? ", " : "", ju(c, "cpu"), i * rows);
		for (uint64_t d = 1; d <= maxd && ncpu * rows <= 40; d++)
			fprintf(gp, ", '%" PRIu64 "' %" PRIu64, d, i * rows + d);
	}
	fputs(")\n", gp);
	fputs("plot ", gp);
	json_array_foreach(depth, i, c) {
		static const char *const colours[] = { "#4c78a8", "#f58518", "#54a24b", "#e45756",
						       "#72b7b2", "#b279a2", "#9d755d", "#eeca3b" };
		const char *col = colours[i % (sizeof(colours) / sizeof(colours[0]))];

		fprintf(gp, "%s'depth.dat' using ($1*XS):(%zu * H + $%zu):(%zu * H + $%zu) with "
			"filledcurves lc rgb '%s' notitle, \\\n"
			"     'depth.dat' using ($1*XS):(%zu * H + $%zu) with lines lw 1 "
			"lc rgb '%s' title 'cpu %" PRIu64 " (max)'", i ? ", \\\n     " : "",
			i, 2 + 2 * i, i, 3 + 2 * i, col, i, 3 + 2 * i, col, ju(c, "cpu"));
	}
	fputc('\n', gp);
	return 0;
}

/* ------------------------------------------------------------ latency --- */

/* Ops in the model's order, those present in @ops. */
static unsigned int ops_present(const json_t *ops, const json_t *ops2, unsigned int *list)
{
	unsigned int n = 0;

	for (unsigned int op = 0; op < HM_OP__COUNT; op++)
		if (json_object_get(ops, hm_op_name(op)) ||
		    (ops2 && json_object_get(ops2, hm_op_name(op))))
			list[n++] = op;
	return n;
}

static const char *const op_colours[] = { "#4c78a8", "#f58518", "#54a24b", "#e45756",
					  "#72b7b2", "#b279a2", "#9d755d", "#eeca3b" };

static const char *op_colour(unsigned int i)
{
	return op_colours[i % (sizeof(op_colours) / sizeof(op_colours[0]))];
}

/* A log axis of nanoseconds, with tics named in the unit that reads best. */
static void log_ns_axis(FILE *gp, const char *axis)
{
	static const char *const names[] = {
		"1 ns", "10 ns", "100 ns", "1 us", "10 us", "100 us", "1 ms", "10 ms", "100 ms",
		"1 s", "10 s", "100 s", "1000 s",
	};
	double v = 1;

	fprintf(gp, "set logscale %s 10\nset %stics (", axis, axis);
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++, v *= 10)
		fprintf(gp, "%s'%s' %.0f", i ? ", " : "", names[i], v);
	fputs(")\n", gp);
}

static int latency_write(const struct hm_doc *doc, unsigned int top, FILE *dat, FILE *gp,
			 unsigned int *height)
{
	const json_t *ops = json_object_get(json_object_get(doc->report, "latency"), "ops");
	unsigned int list[HM_OP__COUNT], nops = ops_present(ops, NULL, list), blocks = 0;
	char q[64];

	(void)top;
	(void)height;
	fputs("# hm-report: latency of each op, as hm-replay's log2 histograms (the report's "
	      "latency.ops.OP.log2)\n# one block per op (gnuplot index N); a row per non-empty "
	      "slot: calls that took low_ns..high_ns\n", dat);
	for (unsigned int k = 0; k < nops; k++) {
		const json_t *o = json_object_get(ops, hm_op_name(list[k])), *s;
		size_t i;

		fprintf(dat, "%s# index %u: %s, %" PRIu64 " calls, ", blocks ? "\n\n" : "",
			blocks, hm_op_name(list[k]), ju(o, "count"));
		hm_dat_string(dat, jstr(o, "source"));
		fputs("\n# low_ns high_ns count\n", dat);
		json_array_foreach(json_object_get(o, "log2"), i, s)
			if (ju(s, "count"))
				fprintf(dat, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", ju(s, "low"),
					ju(s, "high"), ju(s, "count"));
		blocks++;
	}
	if (!blocks) {
		empty_plot(gp, "no kmap or kunmap calls");
		return 0;
	}
	log_ns_axis(gp, "x");
	fputs("set logscale y 10\nset yrange [0.5:*]\n"
	      "set xlabel 'latency (ns), log2 slots'\nset ylabel 'calls'\n"
	      "set key top right\n"
	      "set style fill transparent solid 0.30 border\n", gp);
	fputs("plot ", gp);
	for (unsigned int k = 0; k < blocks; k++)
		fprintf(gp, "%s'latency.dat' index %u using (($1 + $2 + 1) / 2.0):($3):"
			"($1 > 0 ? $1 : 0.5):($2 + 1):(0.5):($3) with boxxyerror lc rgb '%s' "
			"title %s", k ? ", \\\n     " : "", k, op_colour(k),
			hm_gp_quote(q, sizeof(q), hm_op_name(list[k])));
	fputc('\n', gp);
	return 0;
}

/*
 * One CDF block: (value, fraction of calls at or below it), from a run's
 * [low, high, count] ranges, or failing that from the report's log2 slots.
 * Return: rows written.
 */
struct xrange {
	uint64_t lo, hi;
};

static void xr_add(struct xrange *xr, uint64_t v)
{
	if (v < 1)
		v = 1;	/* drawn at 1 on the log axis */
	if (v < xr->lo)
		xr->lo = v;
	if (v > xr->hi)
		xr->hi = v;
}

/*
 * A log x range from the decade below the values to the decade above, so it
 * is never empty (gnuplot warns about [40:40]) and always has a named tic.
 */
static void xr_set(FILE *gp, const struct xrange *xr)
{
	double lo = 1, hi = 10;

	if (xr->lo > xr->hi)
		return;
	while (lo * 10 <= (double)xr->lo)
		lo *= 10;
	while (hi <= (double)xr->hi)
		hi *= 10;
	fprintf(gp, "set xrange [%.0f:%.0f]\n", lo, hi);
}

static unsigned int cdf_block(FILE *dat, const json_t *run_lat, const json_t *rep_lat,
			      struct xrange *xr)
{
	uint64_t total = 0, cum = 0;
	const json_t *v;
	unsigned int rows = 0;
	size_t i;

	if (run_lat) {
		const json_t *vals = json_object_get(run_lat, "values");

		json_array_foreach(vals, i, v)
			total += (uint64_t)json_integer_value(json_array_get(v, 2));
		if (!total)
			return 0;
		uint64_t first = (uint64_t)json_integer_value(
			json_array_get(json_array_get(vals, 0), 0));

		fprintf(dat, "%" PRIu64 " 0\n", first);
		xr_add(xr, first);
		rows++;
		json_array_foreach(vals, i, v) {
			cum += (uint64_t)json_integer_value(json_array_get(v, 2));
			fprintf(dat, "%" PRIu64 " %.6f\n",
				(uint64_t)json_integer_value(json_array_get(v, 1)),
				(double)cum / (double)total);
			xr_add(xr, (uint64_t)json_integer_value(json_array_get(v, 1)));
			rows++;
		}
		return rows;
	}
	json_array_foreach(json_object_get(rep_lat, "log2"), i, v)
		total += ju(v, "count");
	if (!total)
		return 0;
	json_array_foreach(json_object_get(rep_lat, "log2"), i, v) {
		if (!ju(v, "count"))
			continue;
		if (!rows++) {
			fprintf(dat, "%" PRIu64 " 0\n", ju(v, "low"));
			xr_add(xr, ju(v, "low"));
		}
		cum += ju(v, "count");
		fprintf(dat, "%" PRIu64 " %.6f\n", ju(v, "high"), (double)cum / (double)total);
		xr_add(xr, ju(v, "high"));
	}
	return rows;
}

/* A CDF block behind @header, written only when it has rows. Return: rows, or -1. */
static int cdf_block_if_any(FILE *dat, const char *header, const json_t *run_lat,
			    const json_t *rep_lat, struct xrange *xr)
{
	char *buf = NULL;
	size_t len = 0;
	unsigned int rows;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return -1;
	rows = cdf_block(m, run_lat, rep_lat, xr);
	if (fclose(m)) {
		free(buf);
		return -1;
	}
	if (rows) {
		fputs(header, dat);
		fwrite(buf, 1, len, dat);
	}
	free(buf);
	return (int)rows;
}

static const json_t *run_latency(const json_t *run, unsigned int op)
{
	return run ? json_object_get(json_object_get(run, "latency"), hm_op_name(op)) : NULL;
}

static const json_t *rep_latency(const json_t *rep, unsigned int op)
{
	return json_object_get(json_object_get(json_object_get(rep, "latency"), "ops"),
			       hm_op_name(op));
}

static void cdf_axes(FILE *gp)
{
	log_ns_axis(gp, "x");
	fputs("set xlabel 'latency (ns)'\nset ylabel 'fraction of calls at or below'\n"
	      "set yrange [0:1.02]\nset ytics 0.1\nset key bottom right\n", gp);
}

static int cdf_write(const struct hm_doc *doc, unsigned int top, FILE *dat, FILE *gp,
		     unsigned int *height)
{
	const json_t *run = primary_run(doc);
	const json_t *ops = run ? json_object_get(run, "latency") :
			    json_object_get(json_object_get(doc->report, "latency"), "ops");
	unsigned int list[HM_OP__COUNT], nops = ops_present(ops, NULL, list), blocks = 0;
	unsigned int ok[HM_OP__COUNT];
	struct xrange xr = { UINT64_MAX, 0 };
	char q[64];

	(void)top;
	(void)height;
	fprintf(dat, "# hm-report: cumulative distribution of each op's latency, from %s\n"
		"# one block per op (gnuplot index N): value_ns and the fraction of calls that "
		"took at most value_ns\n", run ? "the replay's HDR histograms (exact values "
		"while an op has at most 64 calls)" : "hm-replay's log2 histograms (slot upper "
		"bounds)");
	for (unsigned int k = 0; k < nops; k++) {
		char hdr[128];
		int rows;

		snprintf(hdr, sizeof(hdr), "%s# index %u: %s\n# value_ns fraction\n",
			 blocks ? "\n\n" : "", blocks, hm_op_name(list[k]));
		/* an op without samples gets no block */
		rows = cdf_block_if_any(dat, hdr, run_latency(run, list[k]),
					run ? NULL : rep_latency(doc->report, list[k]), &xr);
		if (rows < 0)
			return -ENOMEM;
		if (rows)
			ok[blocks++] = list[k];
	}
	if (!blocks) {
		empty_plot(gp, "no kmap or kunmap calls");
		return 0;
	}
	cdf_axes(gp);
	xr_set(gp, &xr);
	fputs("plot ", gp);
	for (unsigned int k = 0; k < blocks; k++)
		fprintf(gp, "%s'latency-cdf.dat' index %u using ($1 < 1 ? 1 : $1):2 with steps "
			"lw 2 lc rgb '%s' title %s", k ? ", \\\n     " : "", k, op_colour(k),
			hm_gp_quote(q, sizeof(q), hm_op_name(ok[k])));
	fputc('\n', gp);
	return 0;
}

/* --------------------------------------------------------------- spin --- */

static int spin_write(const struct hm_doc *doc, unsigned int top, FILE *dat, FILE *gp,
		      unsigned int *height)
{
	const json_t *per = json_object_get(json_object_get(doc->report, "contention"), "per_cpu");
	const json_t *c;
	uint64_t max = 0, last = 0;
	struct unit u;
	size_t i;

	(void)top;
	(void)height;
	fputs("# hm-report: kmap_lock spin time per CPU (the report's contention.per_cpu)\n"
	      "# cpu spin_ns contended\n", dat);
	json_array_foreach(per, i, c) {
		fprintf(dat, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", ju(c, "cpu"),
			ju(c, "spin_ns"), ju(c, "contended"));
		if (ju(c, "spin_ns") > max)
			max = ju(c, "spin_ns");
	}
	if (!json_array_size(per)) {
		empty_plot(gp, "no events");
		return 0;
	}
	u = dur_unit(max);
	fprintf(gp, "YS = %g\n", u.per_s);
	fprintf(gp, "set ylabel 'time spinning on kmap_lock (%s)'\n", u.name);
	fputs("set xlabel 'CPU'\nset xtics 1\nset boxwidth 0.6\nset style fill solid 0.7 border\n"
	      "set key top right\n", gp);
	json_array_foreach(per, i, c)
		if (ju(c, "cpu") > last)
			last = ju(c, "cpu");
	fprintf(gp, "set xrange [-0.5:%" PRIu64 ".5]\n", last);
	if (!max)
		fputs("set yrange [0:1]\nset label 1 'no kmap_lock contention' at graph 0.5,0.6 "
		      "center\n", gp);
	else
		fputs("set yrange [0:*]\n", gp);
	fputs("plot 'spin.dat' using 1:($2 * YS) with boxes lc rgb '#e45756' "
	      "title 'spin time', \\\n"
	      "     'spin.dat' using 1:($2 * YS):(strcol(3)) with labels offset 0,0.8 "
	      "notitle\n", gp);
	return 0;
}

/* -------------------------------------------------------------- sites --- */

static int sites_write(const struct hm_doc *doc, unsigned int top, FILE *dat, FILE *gp,
		       unsigned int *height)
{
	const json_t *held = json_object_get(primary_run(doc), "held"), *h;
	size_t n = json_array_size(held) < top ? json_array_size(held) : top, i;
	uint64_t max = 0;
	struct unit u;

	fprintf(dat, "# hm-report: call sites by total time their mappings were held (top %zu "
		"of %zu)\n# held_ns = pkmap_ns (kmap) + local_ns (kmap_local, kmap_atomic); "
		"count: mappings released\n# rank held_ns pkmap_ns local_ns count site\n", n,
		json_array_size(held));
	for (i = 0; i < n; i++) {
		h = json_array_get(held, i);
		fprintf(dat, "%zu %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " ", i + 1,
			ju(h, "ns"), ju(h, "pkmap_ns"), ju(h, "local_ns"), ju(h, "count"));
		hm_dat_string(dat, jstr(h, "site"));
		fputc('\n', dat);
		if (ju(h, "ns") > max)
			max = ju(h, "ns");
	}
	if (!n) {
		empty_plot(gp, "no mapping was released");
		return 0;
	}
	*height = (unsigned int)(160 + 34 * n > HEIGHT ? 160 + 34 * n : HEIGHT);
	u = dur_unit(max);
	fprintf(gp, "XS = %g\n", u.per_s);
	fprintf(gp, "set xlabel 'total time held (%s)'\n", u.name);
	fprintf(gp, "set yrange [%zu.5:0.5]\n", n);
	fputs("set xrange [0:*]\nset lmargin at screen 0.36\nset ytics nomirror\n"
	      "set key bottom right\nset style fill solid 0.75 border\n", gp);
	fprintf(gp, "plot 'sites.dat' using ($3 * XS / 2):1:(0):($3 * XS):($1 - 0.38):($1 + 0.38):"
		"ytic(strlen(strcol(6)) > %d ? strcol(6)[1:%d].'...' : strcol(6)) with boxxyerror "
		"lc rgb '#f58518' title 'pkmap (kmap)', \\\n"
		"     'sites.dat' using (($3 + $4 / 2) * XS):1:($3 * XS):(($3 + $4) * XS):"
		"($1 - 0.38):($1 + 0.38) with boxxyerror lc rgb '#4c78a8' "
		"title 'local (kmap_local, kmap_atomic)'\n", SITE_LABEL_MAX, SITE_LABEL_MAX - 3);
	return 0;
}

/* -------------------------------------------------------------- wraps --- */

static int wraps_write(const struct hm_doc *doc, unsigned int top, FILE *dat, FILE *gp,
		       unsigned int *height)
{
	uint64_t slots[64] = { 0 }, total = 0;
	const json_t *run = primary_run(doc), *v;
	size_t i;

	(void)top;
	(void)height;
	if (run) {
		json_array_foreach(json_object_get(json_object_get(run, "wrap_intervals"),
						   "values"), i, v) {
			uint64_t lo = (uint64_t)json_integer_value(json_array_get(v, 0));
			uint64_t c = (uint64_t)json_integer_value(json_array_get(v, 2));

			slots[log2_slot(lo)] += c;
			total += c;
		}
	} else {
		const json_t *list = json_object_get(json_object_get(doc->report, "pkmap"),
						     "wrap_list");

		for (i = 1; i < json_array_size(list); i++) {
			uint64_t a = ju(json_array_get(list, i - 1), "ts");
			uint64_t b = ju(json_array_get(list, i), "ts");

			slots[log2_slot(b > a ? b - a : 0)]++;
			total++;
		}
	}
	fprintf(dat, "# hm-report: time between consecutive pool wraps, %" PRIu64 " intervals, "
		"in log2 slots\n# low_ns high_ns count\n", total);
	for (i = 0; i < 64; i++)
		if (slots[i])
			fprintf(dat, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				i ? (uint64_t)1 << i : 0,
				i < 63 ? ((uint64_t)1 << (i + 1)) - 1 : UINT64_MAX, slots[i]);
	if (!total) {
		empty_plot(gp, "fewer than two pool wraps: no interval to show");
		return 0;
	}
	for (i = 0, total = 0; i < 64; i++)
		if (slots[i] > total)
			total = slots[i];
	if (total < 10)
		fputs("set ytics 1\n", gp);
	log_ns_axis(gp, "x");
	fputs("set xlabel 'time between consecutive wraps (ns), log2 slots'\n"
	      "set ylabel 'intervals'\nset yrange [0:*]\nset key top right\n"
	      "set style fill solid 0.6 border\n", gp);
	fputs("plot 'wraps.dat' using (($1 + $2 + 1) / 2.0):($3 / 2.0):($1 > 0 ? $1 : 0.5):"
	      "($2 + 1):(0):($3) with boxxyerror lc rgb '#e45756' title 'wrap intervals'\n", gp);
	return 0;
}

/* ------------------------------------------------------------ compare --- */

static void compare_title(FILE *gp, const json_t *run, unsigned int i, char *buf, size_t size)
{
	char label[96];

	snprintf(label, sizeof(label), "%s: %s, LAST_PKMAP %" PRIu64, jstr(run, "label"),
		 jstr(run, "profile"), ju(run, "last_pkmap"));
	hm_gp_quote(buf, size, label);
	(void)gp;
	(void)i;
}

static uint64_t compare_span(const struct hm_doc *doc)
{
	uint64_t a = run_span_ns(doc, doc->runs[0]), b = run_span_ns(doc, doc->runs[1]);

	return a > b ? a : b;
}

static int compare_pool_write(const struct hm_doc *doc, unsigned int top, FILE *dat, FILE *gp,
			      unsigned int *height)
{
	char t0[128], t1[128];

	(void)top;
	(void)height;
	fputs("# hm-report: pkmap pool occupancy, baseline (index 0) and what-if (index 1)\n"
	      "# t_s from the baseline's first event; busy_max: most slots not free in the "
	      "bucket; wraps: wraps in the bucket\n", dat);
	for (unsigned int r = 0; r < 2; r++) {
		const json_t *run = doc->runs[r], *pool = json_object_get(run, "pool");
		size_t n = (size_t)ju(run, "buckets");

		fprintf(dat, "%s# index %u: ", r ? "\n\n" : "", r);
		hm_dat_string(dat, jstr(run, "label"));
		fprintf(dat, ", LAST_PKMAP %" PRIu64 "\n# t_s busy_max in_use_max wraps\n",
			ju(run, "last_pkmap"));
		for (size_t b = 0; b < n; b++) {
			put_ns_as_s(dat, bucket_ns(doc, run, b));
			fprintf(dat, " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				ja(pool, "busy_max", b), ja(pool, "in_use_max", b),
				ja(pool, "wraps", b));
		}
	}
	if (!ju(doc->runs[0], "buckets") || !ju(doc->runs[1], "buckets")) {
		empty_plot(gp, "no events");
		return 0;
	}
	time_axis(gp, compare_span(doc));
	fprintf(gp, "L0 = %" PRIu64 "\nL1 = %" PRIu64 "\n", ju(doc->runs[0], "last_pkmap"),
		ju(doc->runs[1], "last_pkmap"));
	compare_title(gp, doc->runs[0], 0, t0, sizeof(t0));
	compare_title(gp, doc->runs[1], 1, t1, sizeof(t1));
	fputs("set ylabel 'pkmap slots not free'\nset yrange [0:(L0 > L1 ? L0 : L1) * 1.12]\n"
	      "set key top left vertical\n", gp);
	fprintf(gp, "plot 'compare-pool.dat' index 0 using ($1*XS):2 with lines lw 1.5 "
		"lc rgb '#4c78a8' title %s, \\\n"
		"     'compare-pool.dat' index 1 using ($1*XS):2 with lines lw 1.5 "
		"lc rgb '#e45756' title %s, \\\n"
		"     L0 with lines dt 2 lc rgb '#4c78a8' notitle, \\\n"
		"     L1 with lines dt 2 lc rgb '#e45756' notitle\n", t0, t1);
	return 0;
}

static int compare_waiters_write(const struct hm_doc *doc, unsigned int top, FILE *dat,
				 FILE *gp, unsigned int *height)
{
	char t0[128], t1[128];
	uint64_t peak = 0;

	(void)top;
	(void)height;
	fputs("# hm-report: tasks asleep on the pkmap wait queue, baseline (index 0) and what-if "
	      "(index 1)\n# t_s from the baseline's first event; waiters_max: most tasks asleep "
	      "in the bucket\n", dat);
	for (unsigned int r = 0; r < 2; r++) {
		const json_t *run = doc->runs[r], *pool = json_object_get(run, "pool");
		size_t n = (size_t)ju(run, "buckets");

		fprintf(dat, "%s# index %u: ", r ? "\n\n" : "", r);
		hm_dat_string(dat, jstr(run, "label"));
		fputs("\n# t_s waiters_max\n", dat);
		for (size_t b = 0; b < n; b++) {
			put_ns_as_s(dat, bucket_ns(doc, run, b));
			fprintf(dat, " %" PRIu64 "\n", ja(pool, "waiters_max", b));
			if (ja(pool, "waiters_max", b) > peak)
				peak = ja(pool, "waiters_max", b);
		}
	}
	if (!ju(doc->runs[0], "buckets") || !ju(doc->runs[1], "buckets")) {
		empty_plot(gp, "no events");
		return 0;
	}
	time_axis(gp, compare_span(doc));
	compare_title(gp, doc->runs[0], 0, t0, sizeof(t0));
	compare_title(gp, doc->runs[1], 1, t1, sizeof(t1));
	fprintf(gp, "set ylabel 'tasks waiting for a pkmap slot'\nset yrange [0:%" PRIu64 "]\n"
		"set key top left vertical\n", peak + 1);
	if (peak < 10)
		fputs("set ytics 1\n", gp);
	if (!peak)
		fputs("set label 1 'no task slept in either run' at graph 0.5,0.6 center\n", gp);
	fprintf(gp, "plot 'compare-waiters.dat' index 0 using ($1*XS):2 with lines lw 1.5 "
		"lc rgb '#4c78a8' title %s, \\\n"
		"     'compare-waiters.dat' index 1 using ($1*XS):2 with lines lw 1.5 "
		"lc rgb '#e45756' title %s\n", t0, t1);
	return 0;
}

static int compare_latency_write(const struct hm_doc *doc, unsigned int top, FILE *dat,
				 FILE *gp, unsigned int *height)
{
	const json_t *runs[2] = { doc->nr_runs == 2 ? doc->runs[0] : NULL,
				  doc->nr_runs == 2 ? doc->runs[1] : NULL };
	const json_t *reps[2] = { doc->base, doc->what };
	const json_t *o0 = runs[0] ? json_object_get(runs[0], "latency") :
			   json_object_get(json_object_get(doc->base, "latency"), "ops");
	const json_t *o1 = runs[1] ? json_object_get(runs[1], "latency") :
			   json_object_get(json_object_get(doc->what, "latency"), "ops");
	unsigned int list[HM_OP__COUNT], nops = ops_present(o0, o1, list), blocks = 0;
	struct { unsigned int op, run, colour; } b[2 * HM_OP__COUNT];
	struct xrange xr = { UINT64_MAX, 0 };
	char q[64];

	(void)top;
	(void)height;
	fprintf(dat, "# hm-report: cumulative distribution of each op's latency, baseline and "
		"what-if, from %s\n# blocks (gnuplot index N): value_ns and the fraction of "
		"calls that took at most value_ns\n", runs[0] ? "the replays' HDR histograms" :
		"hm-replay's log2 histograms");
	for (unsigned int k = 0; k < nops; k++) {
		for (unsigned int r = 0; r < 2; r++) {
			char hdr[128];
			int rows;

			snprintf(hdr, sizeof(hdr), "%s# index %u: %s, %s\n# value_ns fraction\n",
				 blocks ? "\n\n" : "", blocks, hm_op_name(list[k]),
				 r ? "what-if" : "baseline");
			rows = cdf_block_if_any(dat, hdr, run_latency(runs[r], list[k]),
						runs[r] ? NULL : rep_latency(reps[r], list[k]),
						&xr);
			if (rows < 0)
				return -ENOMEM;
			if (!rows)
				continue;
			b[blocks].op = list[k];
			b[blocks].run = r;
			b[blocks++].colour = k;
		}
	}
	if (!blocks) {
		empty_plot(gp, "no kmap or kunmap calls");
		return 0;
	}
	cdf_axes(gp);
	xr_set(gp, &xr);
	fputs("set key outside right top vertical\nplot ", gp);
	for (unsigned int k = 0; k < blocks; k++) {
		char label[64];

		snprintf(label, sizeof(label), "%s, %s", hm_op_name(b[k].op),
			 b[k].run ? "what-if" : "baseline");
		fprintf(gp, "%s'compare-latency.dat' index %u using ($1 < 1 ? 1 : $1):2 with steps "
			"lw 2 dt %u lc rgb '%s' title %s", k ? ", \\\n     " : "", k,
			b[k].run ? 2 : 1, op_colour(b[k].colour),
			hm_gp_quote(q, sizeof(q), label));
	}
	fputc('\n', gp);
	return 0;
}

/* -------------------------------------------------------------- table --- */

static const struct hm_figure figures[] = {
	{ "pool", "pkmap pool occupancy over time",
	  "Slots not free (blue) climb towards LAST_PKMAP and fall at each wrap (red lines); "
	  "a flat top at the limit with purple marks means kmap() callers slept for a slot.",
	  "trace or series.json", need_runs, pool_write },
	{ "waiters", "tasks asleep on the pkmap wait queue",
	  "Anything above zero is a kmap() that blocked because every slot was in use or "
	  "awaiting a flush; long plateaus are tasks stuck behind slow kunmap() callers.",
	  "trace or series.json", need_runs, waiters_write },
	{ "depth", "kmap_local stack depth per CPU",
	  "Nesting of kmap_local/kmap_atomic on each CPU; short steps of one or two are normal, "
	  "a band creeping towards KM_MAX_IDX (16) risks the BUG in kmap_local_idx_push().",
	  "trace or series.json", need_runs, depth_write },
	{ "latency", "latency histogram per op",
	  "Calls per log2 latency slot (log-log); a second hump right of the main one is the "
	  "slow path: a wrap's flush, a sleep for a slot, or an IPI.",
	  "trace, series.json or hm-replay --json", need_report, latency_write },
	{ "latency-cdf", "latency distribution (CDF) per op",
	  "Fraction of calls at or below each latency (log x); where a curve flattens below 1 "
	  "is the tail the p99 and p99.9 columns quote.",
	  "trace, series.json or hm-replay --json (coarser)", need_report,
	  cdf_write },
	{ "spin", "kmap_lock spin time per CPU",
	  "Time each CPU spent spinning for kmap_lock (labels: contended acquisitions); one "
	  "tall bar means that CPU fought the others for the pool.",
	  "trace, series.json or hm-replay --json", need_report, spin_write },
	{ "sites", "top call sites by time held",
	  "Call sites whose mappings stayed mapped longest in total; long pkmap (orange) holds "
	  "keep slots from being reused and make the pool wrap and callers sleep.",
	  "trace or series.json", need_runs, sites_write },
	{ "wraps", "interval between pool wraps",
	  "Time between consecutive wraps; short intervals mean the pool is too small for the "
	  "working set, and each wrap costs a full TLB flush (IPIs on SMP).",
	  "trace, series.json or hm-replay --json listing every wrap", wraps_available,
	  wraps_write },
	{ "compare-pool", "pool occupancy: baseline vs what-if",
	  "Slots not free in the recorded run (blue) and the what-if (red); more frequent "
	  "drops are the extra wraps the what-if configuration costs.",
	  "--compare: trace or series.json", need_compare_runs, compare_pool_write },
	{ "compare-waiters", "wait-queue sleepers: baseline vs what-if",
	  "Tasks waiting for a pkmap slot in each run; sleeps that appear only in red are "
	  "what the what-if configuration would add.",
	  "--compare: trace or series.json", need_compare_runs,
	  compare_waiters_write },
	{ "compare-latency", "latency CDF per op: baseline vs what-if",
	  "Solid lines are the recorded configuration, dashed the what-if; a dashed curve "
	  "right of its solid twin is the latency the change would add.",
	  "--compare: trace, series.json or hm-replay --json", need_compare,
	  compare_latency_write },
};

unsigned int hm_figure_count(void)
{
	return sizeof(figures) / sizeof(figures[0]);
}

const struct hm_figure *hm_figure_get(unsigned int i)
{
	return i < hm_figure_count() ? &figures[i] : NULL;
}

const struct hm_figure *hm_figure_find(const char *name)
{
	for (unsigned int i = 0; i < hm_figure_count(); i++)
		if (strcmp(figures[i].name, name) == 0)
			return &figures[i];
	return NULL;
}

/* --------------------------------------------------------------- files --- */

static void terminal(FILE *gp, const char *name, unsigned int fmt, unsigned int height)
{
	if (fmt == HM_FIG_SVG)
		fprintf(gp, "set terminal svg size %u,%u dynamic noenhanced font 'sans,11' "
			"background '#ffffff'\nset output outprefix.'%s.svg'\n", WIDTH, height,
			name);
	else
		fprintf(gp, "set terminal pngcairo size %u,%u noenhanced font 'sans,10' "
			"background '#ffffff'\nset output outprefix.'%s.png'\n", WIDTH, height,
			name);
}

/* The figure's title, with the run it shows when there is more than one kind. */
static void title(FILE *gp, const struct hm_figure *fig, const struct hm_doc *doc)
{
	const json_t *run = primary_run(doc);
	const char *label = run ? jstr(run, "label") : doc->base ? "baseline" : "";
	char t[160], q[176];

	if (strncmp(fig->name, "compare-", 8) != 0 && (doc->base || strcmp(label, "what-if") == 0))
		snprintf(t, sizeof(t), "%s (%s)", fig->title, label);
	else
		snprintf(t, sizeof(t), "%s", fig->title);
	fprintf(gp, "set title %s\n", hm_gp_quote(q, sizeof(q), t));
}

static int commit(struct hm_outfile *of, const char *path, struct hm_error *err)
{
	struct hm_where w = { .file = path };

	if (ferror(of->fp)) {
		hm_outfile_abort(of);
		return hm_error_set(err, HM_EXIT_SYSTEM, &w, "write failed");
	}
	return hm_outfile_commit(of, err);
}

int hm_figure_write(const struct hm_figure *fig, const struct hm_doc *doc, unsigned int top,
		    unsigned int formats, const char *dir, const char *input,
		    struct hm_error *err)
{
	struct hm_outfile dat, gp;
	unsigned int height = HEIGHT;
	char *path = NULL, *body = NULL;
	size_t body_len = 0;
	FILE *mem;
	int ret;

	if (asprintf(&path, "%s/%s.dat", dir, fig->name) < 0)
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
	ret = hm_outfile_open(&dat, path, input, err);
	if (ret) {
		free(path);
		return ret;
	}
	mem = open_memstream(&body, &body_len);
	if (!mem) {
		hm_outfile_abort(&dat);
		free(path);
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
	}
	title(mem, fig, doc);
	fputs("set grid\n", mem);
	ret = fig->write(doc, top, dat.fp, mem, &height);
	if (fclose(mem) || ret) {
		hm_outfile_abort(&dat);
		free(body);
		free(path);
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "cannot write the %s figure",
				    fig->name);
	}
	ret = commit(&dat, path, err);
	free(path);
	path = NULL;
	if (ret)
		goto out;
	if (asprintf(&path, "%s/%s.gp", dir, fig->name) < 0) {
		path = NULL;
		ret = hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
		goto out;
	}
	ret = hm_outfile_open(&gp, path, input, err);
	if (ret)
		goto out;
	fprintf(gp.fp, "# hm-report figure \"%s\": %s\n"
		"# %s\n"
		"# Data: %s.dat.  Redraw: gnuplot %s.gp (in this directory)\n"
		"if (!exists(\"outprefix\")) outprefix = ''\n", fig->name, fig->title,
		fig->caption, fig->name, fig->name);
	for (unsigned int f = HM_FIG_SVG; f <= HM_FIG_PNG; f <<= 1) {
		if (!(formats & f))
			continue;
		fputs("reset\n", gp.fp);
		terminal(gp.fp, fig->name, f, height);
		fwrite(body, 1, body_len, gp.fp);
		fputs("unset output\n", gp.fp);
	}
	ret = commit(&gp, path, err);
out:
	free(path);
	free(body);
	return ret;
}
