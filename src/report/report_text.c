// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report_text.c - the human report: a verdict line, one screen of summary,
 * then a section per analysis with its tables.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

char *hm_report_fmt_ns(char *buf, size_t size, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, size, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.2f us", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.2f ms", (double)ns / 1e6);
	else
		snprintf(buf, size, "%.3f s", (double)ns / 1e9);
	return buf;
}

/* A trace timestamp: seconds with every nanosecond shown. */
static char *fmt_ts(char *buf, size_t size, uint64_t ts)
{
	if (ts == HM_NONE)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%" PRIu64 ".%09" PRIu64, ts / 1000000000, ts % 1000000000);
	return buf;
}

static char *fmt_task(const struct hm_report *rep, char *buf, size_t size, int32_t pid,
		      uint32_t comm)
{
	const char *name = comm ? hm_report_str(rep, comm) : hm_report_comm_of(rep, pid);

	if (pid == HM_PID_NONE)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%s[%d]", *name ? name : "?", pid);
	return buf;
}

static const char *site_or_dash(const struct hm_report *rep, uint32_t site)
{
	const char *s = hm_report_str(rep, site);

	return *s ? s : "-";
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* -------------------------------------------------------------- verdict --- */

static void print_agreement(const struct hm_report *rep, FILE *fp)
{
	const struct hm_model_stats *s = &rep->stats;

	if (!rep->have_stats) {
		fputs("model not run", fp);
		return;
	}
	if (!s->checked) {
		fputs("no observed addresses to check the model against", fp);
	} else if (!s->mismatched) {
		if (s->checked == 1)
			fputs("model agrees on the one observed address", fp);
		else
			fprintf(fp, "model agrees on all %" PRIu64 " observed addresses", s->checked);
	} else {
		fprintf(fp, "model DISAGREES on %" PRIu64 " of %" PRIu64 " observed addresses",
			s->mismatched, s->checked);
		if (s->first_mismatch_index != HM_NONE)
			fprintf(fp, " (first at event %" PRIu64 ": model 0x%" PRIx64
				", kernel 0x%" PRIx64 ")", s->first_mismatch_index,
				s->first_mismatch_expected, s->first_mismatch_observed);
	}
	if (s->synced)
		fprintf(fp, ", %" PRIu64 " synced", s->synced);
	if (s->predates)
		fprintf(fp, ", %" PRIu64 " predate the trace", s->predates);
}

void hm_report_print_verdict(const struct hm_report *rep, FILE *fp)
{
	char b[32];

	fputs("verdict: ", fp);
	if (rep->nr_violations)
		fprintf(fp, "%" PRIu64 " %s", rep->nr_violations,
			plural(rep->nr_violations, "violation", "violations"));
	else
		fputs("no violations", fp);
	fprintf(fp, ", %" PRIu64 " pool %s", rep->wraps, plural(rep->wraps, "wrap", "wraps"));
	fprintf(fp, ", %" PRIu64 " %s", rep->sleeps, plural(rep->sleeps, "sleep", "sleeps"));
	if (rep->sleeps_done)
		fprintf(fp, " (%s)", hm_report_fmt_ns(b, sizeof(b), rep->sleep_hist.sum));
	fprintf(fp, ", kmap_lock spin %s", hm_report_fmt_ns(b, sizeof(b), rep->spin_ns));
	fprintf(fp, ", %" PRIu64 " %s", rep->nr_leaks, plural(rep->nr_leaks, "leak", "leaks"));
	if (rep->have_shift && rep->shift.stranded_tasks)
		fprintf(fp, ", %" PRIu64 " %s never woke", rep->shift.stranded_tasks,
			plural(rep->shift.stranded_tasks, "task", "tasks"));
	fputs("; ", fp);
	print_agreement(rep, fp);
	fputc('\n', fp);
}

/* -------------------------------------------------------------- summary --- */

static void print_filters(const struct hm_report *rep, FILE *fp)
{
	const struct hm_report_opts *o = &rep->opts;
	const char *sep = "";
	char b[32];

	if (o->cpu_set) {
		fprintf(fp, "%s--cpu %u", sep, o->cpu);
		sep = " ";
	}
	if (o->pid_set) {
		fprintf(fp, "%s--pid %d", sep, o->pid);
		sep = " ";
	}
	if (o->comm) {
		fprintf(fp, "%s--comm '%s'", sep, o->comm);
		sep = " ";
	}
	if (o->site) {
		fprintf(fp, "%s--site '%s'", sep, o->site);
		sep = " ";
	}
	if (o->since) {
		fprintf(fp, "%s--since %s", sep, fmt_ts(b, sizeof(b), rep->since));
		sep = " ";
	}
	if (o->until != UINT64_MAX)
		fprintf(fp, "%s--until %s", sep, fmt_ts(b, sizeof(b), rep->until));
}

static bool filtered(const struct hm_report *rep)
{
	const struct hm_report_opts *o = &rep->opts;

	return o->cpu_set || o->pid_set || o->comm || o->site || o->since ||
	       o->until != UINT64_MAX;
}

static int task_by_events(const void *a, const void *b)
{
	const struct hm_task *x = *(const struct hm_task *const *)a;
	const struct hm_task *y = *(const struct hm_task *const *)b;

	if (x->events != y->events)
		return x->events > y->events ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static uint32_t cpus_seen(const struct hm_report *rep)
{
	uint32_t i, n = 0;

	for (i = 0; i < rep->nr_cpus; i++)
		n += rep->cpus[i].seen;
	return n;
}

static void print_trace(const struct hm_report *rep, FILE *fp)
{
	char b1[32], b2[32], b3[32];
	const struct hm_task **tv;
	uint32_t i, n = 0, top = hm_report_top(rep);
	bool first = true;

	fprintf(fp, "trace       %s (%s)", rep->file, rep->format);
	if (rep->have_profile)
		fprintf(fp, ", profile %s (LAST_PKMAP %u, KM_MAX_IDX %u, %u %s, tlb %s)",
			rep->profile.name, rep->profile.last_pkmap,
			hm_profile_km_max_idx(&rep->profile), rep->profile.nr_cpus,
			plural(rep->profile.nr_cpus, "CPU", "CPUs"),
			hm_tlb_policy_name(rep->profile.tlb_policy));
	if (rep->have_meta && rep->meta.kernel[0])
		fprintf(fp, ", kernel %s", rep->meta.kernel);
	fputc('\n', fp);
	if (rep->events)
		fprintf(fp, "span        %s .. %s (%s)\n", fmt_ts(b1, sizeof(b1), rep->first_ts),
			fmt_ts(b2, sizeof(b2), rep->last_ts),
			hm_report_fmt_ns(b3, sizeof(b3), rep->last_ts - rep->first_ts));
	fprintf(fp, "events      %" PRIu64 " replayed", rep->events);
	if (filtered(rep)) {
		fprintf(fp, ", %" PRIu64 " counted (", rep->counted);
		print_filters(rep, fp);
		fputc(')', fp);
	}
	if (rep->backwards)
		fprintf(fp, "; %" PRIu64 " timestamps went backwards on a CPU", rep->backwards);
	fputc('\n', fp);

	fputs("ops        ", fp);
	for (i = 0; i < HM_OP__COUNT; i++) {
		if (!rep->ops[i])
			continue;
		fprintf(fp, "%s %s %" PRIu64, first ? "" : ",", hm_op_name(i), rep->ops[i]);
		first = false;
	}
	fputs(first ? " none\n" : "\n", fp);

	fprintf(fp, "cpus        %u:", cpus_seen(rep));
	for (i = 0; i < rep->nr_cpus; i++)
		if (rep->cpus[i].seen)
			fprintf(fp, " %u", i);
	fputc('\n', fp);

	tv = calloc(rep->nr_tasks ? rep->nr_tasks : 1, sizeof(*tv));
	if (!tv)
		return;
	for (i = 0; i < rep->nr_tasks; i++)
		if (rep->tasks[i].events)
			tv[n++] = &rep->tasks[i];
	qsort(tv, n, sizeof(*tv), task_by_events);
	fprintf(fp, "tasks       %u:", n);
	for (i = 0; i < n && i < top; i++)
		fprintf(fp, "%s %s %" PRIu64, i ? "," : "",
			fmt_task(rep, b1, sizeof(b1), tv[i]->pid, tv[i]->comm), tv[i]->events);
	if (n > top)
		fprintf(fp, ", ... %u more", n - top);
	fputc('\n', fp);
	free(tv);
}

static void print_summary(const struct hm_report *rep, FILE *fp)
{
	char b1[32], b2[32], b3[32];
	const struct hm_lat *l;
	unsigned int i;

	fputs("agreement   ", fp);
	print_agreement(rep, fp);
	fputc('\n', fp);

	fprintf(fp, "pkmap       %" PRIu64 " %s", rep->wraps, plural(rep->wraps, "wrap", "wraps"));
	if (rep->wraps) {
		double span = hm_report_span_s(rep);

		if (span > 0)
			fprintf(fp, " (%.*f/s)", (double)rep->wraps / span < 100 ? 2 : 0,
				(double)rep->wraps / span);
		fprintf(fp, ", %" PRIu64 " slots reclaimed", rep->reclaimed_total);
	}
	if (rep->wrap_interval.count)
		fprintf(fp, ", interval min %s median %s max %s",
			hm_report_fmt_ns(b1, sizeof(b1), rep->wrap_interval.min),
			hm_report_fmt_ns(b2, sizeof(b2), hm_hist_percentile(&rep->wrap_interval, 50)),
			hm_report_fmt_ns(b3, sizeof(b3), rep->wrap_interval.max));
	fprintf(fp, "; peak %u", rep->peak_in_use);
	if (rep->have_profile)
		fprintf(fp, " of %u", rep->profile.last_pkmap);
	fprintf(fp, " slots in use, mean %.1f\n", hm_report_avg_in_use(rep));
	fprintf(fp, "sleeps      %" PRIu64, rep->sleeps);
	if (rep->sleeps_done)
		fprintf(fp, ", %s in all, max %s", hm_report_fmt_ns(b1, sizeof(b1), rep->sleep_hist.sum),
			hm_report_fmt_ns(b2, sizeof(b2), rep->sleep_hist.max));
	if (rep->have_stats && rep->stats.futile_wakeups)
		fprintf(fp, ", %" PRIu64 " futile wake-ups", rep->stats.futile_wakeups);
	fputc('\n', fp);
	fprintf(fp, "contention  kmap_lock spin %s in %" PRIu64 " contended %s\n",
		hm_report_fmt_ns(b1, sizeof(b1), rep->spin_ns), rep->contended,
		plural(rep->contended, "acquisition", "acquisitions"));
	fprintf(fp, "local       max depth %u, %" PRIu64 " local %s\n", rep->max_depth,
		rep->local_maps, plural(rep->local_maps, "mapping", "mappings"));
	fprintf(fp, "tlb         %s: %" PRIu64 " local, %" PRIu64 " ranged, %" PRIu64
		" full flushes, %" PRIu64 " IPIs\n",
		rep->have_profile ? hm_tlb_policy_name(rep->profile.tlb_policy) : "?",
		rep->tlb_local, rep->tlb_range, rep->tlb_full, rep->ipis);
	for (i = 0; i < HM_OP__COUNT; i++) {
		if (!rep->lat_op[i])
			continue;
		l = rep->lats[rep->lat_op[i] - 1];
		fprintf(fp, "latency     %-17s p50 %s, p99 %s, max %s (",
			hm_op_name(i), hm_report_fmt_ns(b1, sizeof(b1), hm_hist_percentile(&l->hist, 50)),
			hm_report_fmt_ns(b2, sizeof(b2), hm_hist_percentile(&l->hist, 99)),
			hm_report_fmt_ns(b3, sizeof(b3), l->hist.max));
		if (l->observed && l->modelled)
			fprintf(fp, "%" PRIu64 " observed, %" PRIu64 " modelled)\n", l->observed,
				l->modelled);
		else
			fprintf(fp, "%s, %" PRIu64 ")\n", hm_report_lat_source(l), l->hist.count);
	}
	fprintf(fp, "violations  %" PRIu64, rep->nr_violations);
	for (i = 0; i < HM_DIAG__COUNT; i++)
		if (rep->by_rule[i])
			fprintf(fp, "%s %s %" PRIu64, i ? "," : ":", hm_diag_name(i), rep->by_rule[i]);
	fputc('\n', fp);
	fprintf(fp, "leaks       %" PRIu64 " pkmap %s, %" PRIu64 " local %s still held at the end\n",
		rep->leaks_pkmap, plural(rep->leaks_pkmap, "slot", "slots"), rep->leaks_local,
		plural(rep->leaks_local, "mapping", "mappings"));
}

/* ------------------------------------------------------------- sections --- */

static void section(FILE *fp, const char *title)
{
	fprintf(fp, "\n== %s\n", title);
}

static void print_wraps(const struct hm_report *rep, FILE *fp)
{
	unsigned int top = hm_report_top(rep), i;
	char b1[32], b2[40];

	if (!rep->wraps && !rep->ops[HM_OP_KMAP_FLUSH_UNUSED])
		return;
	section(fp, "pkmap pool wraps");
	if (rep->wraps) {
		fprintf(fp, "wraps %" PRIu64 ", reclaimed per wrap min %u mean %.1f max %u; "
			"flushes %" PRIu64 " ranged, %" PRIu64 " full, %" PRIu64 " IPIs\n",
			rep->wraps, rep->reclaimed_min,
			(double)rep->reclaimed_total / (double)rep->wraps, rep->reclaimed_max,
			rep->wrap_tlb_range, rep->wrap_tlb_full, rep->wrap_ipis);
		fprintf(fp, "%10s %20s %4s %9s %-6s %5s %5s %-20s %s\n", "event", "ts", "cpu",
			"reclaimed", "flush", "cpus", "ipis", "task", "site");
		for (i = 0; i < rep->nr_wrap_list && i < top; i++) {
			const struct hm_wrap *w = &rep->wrap_list[i];

			fprintf(fp, "%10" PRIu64 " %20s %4u %9u %-6s %5u %5u %-20s %s\n", w->index,
				fmt_ts(b1, sizeof(b1), w->ts), w->cpu, w->reclaimed,
				w->tlb_full ? "full" : w->tlb_range ? "range" : "none",
				w->tlb_full ? w->tlb_full : w->tlb_range, w->ipis,
				fmt_task(rep, b2, sizeof(b2), w->pid, 0), site_or_dash(rep, w->site));
		}
		if (rep->wraps > top)
			fprintf(fp, "... %" PRIu64 " more\n", rep->wraps - top);
	}
	if (rep->ops[HM_OP_KMAP_FLUSH_UNUSED])
		fprintf(fp, "kmap_flush_unused: %" PRIu64 " %s, %" PRIu64 " slots reclaimed\n",
			rep->ops[HM_OP_KMAP_FLUSH_UNUSED],
			plural(rep->ops[HM_OP_KMAP_FLUSH_UNUSED], "call", "calls"),
			rep->flush_unused_reclaimed);
}

static int task_by_sleep(const void *a, const void *b)
{
	const struct hm_task *x = *(const struct hm_task *const *)a;
	const struct hm_task *y = *(const struct hm_task *const *)b;

	if (x->sleep_ns != y->sleep_ns)
		return x->sleep_ns > y->sleep_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

struct site_ref {
	uint32_t id;
	uint64_t key;
	uint64_t key2;
};

static int site_ref_cmp(const void *a, const void *b)
{
	const struct site_ref *x = a, *y = b;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	if (x->key2 != y->key2)
		return x->key2 > y->key2 ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Sites with a non-zero @which, sorted by it; caller frees. */
static struct site_ref *sites_by(const struct hm_report *rep, int which, uint32_t *n)
{
	struct site_ref *v = calloc(rep->nr_sites ? rep->nr_sites : 1, sizeof(*v));
	uint32_t i;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < rep->nr_sites; i++) {
		const struct hm_site *s = &rep->sites[i];
		uint64_t k = which == 0 ? s->sleep_ns : s->spin_ns;
		uint64_t k2 = which == 0 ? s->sleeps : s->contended;

		if (!k2)
			continue;
		v[*n].id = i;
		v[*n].key = k;
		v[*n].key2 = k2;
		(*n)++;
	}
	qsort(v, *n, sizeof(*v), site_ref_cmp);
	return v;
}

static void print_sleeps(const struct hm_report *rep, FILE *fp)
{
	unsigned int top = hm_report_top(rep);
	const struct hm_task **tv;
	struct site_ref *sv;
	char b1[32], b2[32], b3[40];
	uint32_t i, n = 0;

	if (!rep->sleeps)
		return;
	section(fp, "sleeps on the pkmap wait queue");
	fprintf(fp, "sleeps %" PRIu64 ", completed %" PRIu64, rep->sleeps, rep->sleeps_done);
	if (rep->sleep_hist.count)
		fprintf(fp, ", total %s, mean %s, p50 %s, max %s",
			hm_report_fmt_ns(b1, sizeof(b1), rep->sleep_hist.sum),
			hm_report_fmt_ns(b2, sizeof(b2), (uint64_t)hm_hist_mean(&rep->sleep_hist)),
			hm_report_fmt_ns(b3, sizeof(b3), hm_hist_percentile(&rep->sleep_hist, 50)),
			hm_report_fmt_ns(b1, sizeof(b1), rep->sleep_hist.max));
	if (rep->have_stats)
		fprintf(fp, "; %" PRIu64 " wake-ups, %" PRIu64 " futile (pool still full)",
			rep->stats.wakeups, rep->stats.futile_wakeups);
	fprintf(fp, "; peak %u waiting\n", rep->peak_waiters);

	tv = calloc(rep->nr_tasks ? rep->nr_tasks : 1, sizeof(*tv));
	if (!tv)
		return;
	for (i = 0; i < rep->nr_tasks; i++)
		if (rep->tasks[i].sleeps)
			tv[n++] = &rep->tasks[i];
	qsort(tv, n, sizeof(*tv), task_by_sleep);
	if (n)
		fprintf(fp, "%8s %12s  %s\n", "sleeps", "slept", "task");
	for (i = 0; i < n && i < top; i++)
		fprintf(fp, "%8" PRIu64 " %12s  %s\n", tv[i]->sleeps,
			hm_report_fmt_ns(b1, sizeof(b1), tv[i]->sleep_ns),
			fmt_task(rep, b3, sizeof(b3), tv[i]->pid, tv[i]->comm));
	free(tv);

	sv = sites_by(rep, 0, &n);
	if (!sv)
		return;
	if (n)
		fprintf(fp, "%8s %12s  %s\n", "sleeps", "slept", "site");
	for (i = 0; i < n && i < top; i++)
		fprintf(fp, "%8" PRIu64 " %12s  %s\n", sv[i].key2,
			hm_report_fmt_ns(b1, sizeof(b1), sv[i].key), site_or_dash(rep, sv[i].id));
	free(sv);
}

static void print_held(const struct hm_report *rep, FILE *fp)
{
	const struct hm_row *rows;
	unsigned int n = hm_topn_sorted(&rep->held, &rows), i;
	char b1[32], b2[24], b3[40];

	if (!n)
		return;
	section(fp, "mappings held longest");
	fprintf(fp, "%12s %-6s %-10s %10s %10s %-20s %s\n", "held", "kind", "vaddr", "map event",
		"unmap", "holder", "map site");
	for (i = 0; i < n; i++) {
		const struct hm_row *r = &rows[i];

		if (r->map_index == HM_NONE)
			snprintf(b2, sizeof(b2), "-");
		else
			snprintf(b2, sizeof(b2), "%" PRIu64, r->map_index);
		fprintf(fp, "%12s %-6s 0x%08" PRIx64 " %10s %10" PRIu64 " %-20s %s\n",
			hm_report_fmt_ns(b1, sizeof(b1), r->key), r->local ? "local" : "pkmap",
			r->vaddr, b2, r->index,
			fmt_task(rep, b3, sizeof(b3), r->holder_pid, r->holder_comm),
			site_or_dash(rep, r->map_site));
	}
}

static void print_contention(const struct hm_report *rep, FILE *fp)
{
	unsigned int top = hm_report_top(rep), i, n;
	const struct hm_row *rows;
	struct site_ref *sv;
	char b1[32], b2[32], b3[40];
	uint32_t ns;

	if (!rep->contended)
		return;
	section(fp, "kmap_lock contention");
	fprintf(fp, "spin %s in %" PRIu64 " contended acquisitions\n",
		hm_report_fmt_ns(b1, sizeof(b1), rep->spin_ns), rep->contended);
	fprintf(fp, "%4s %10s %12s\n", "cpu", "contended", "spin");
	for (i = 0; i < rep->nr_cpus; i++)
		if (rep->cpus[i].contended)
			fprintf(fp, "%4u %10" PRIu64 " %12s\n", i, rep->cpus[i].contended,
				hm_report_fmt_ns(b1, sizeof(b1), rep->cpus[i].spin_ns));
	sv = sites_by(rep, 1, &ns);
	if (sv) {
		fprintf(fp, "%10s %12s  %s\n", "contended", "spin", "site");
		for (i = 0; i < ns && i < top; i++)
			fprintf(fp, "%10" PRIu64 " %12s  %s\n", sv[i].key2,
				hm_report_fmt_ns(b1, sizeof(b1), sv[i].key), site_or_dash(rep, sv[i].id));
		free(sv);
	}
	n = hm_topn_sorted(&rep->worst_spins, &rows);
	fprintf(fp, "worst episodes:\n%12s %10s %20s %4s %-20s %s\n", "spin", "event", "ts",
		"cpu", "task", "site");
	for (i = 0; i < n; i++)
		fprintf(fp, "%12s %10" PRIu64 " %20s %4u %-20s %s\n",
			hm_report_fmt_ns(b1, sizeof(b1), rows[i].key), rows[i].index,
			fmt_ts(b2, sizeof(b2), rows[i].ts), rows[i].cpu,
			fmt_task(rep, b3, sizeof(b3), rows[i].pid, rows[i].comm),
			site_or_dash(rep, rows[i].site));
}

static void print_local(const struct hm_report *rep, FILE *fp)
{
	uint64_t maxc = 0;
	unsigned int i, last = 0, j;

	if (!rep->local_maps)
		return;
	section(fp, "local mappings (kmap_local, kmap_atomic)");
	for (i = 0; i < HM_REPORT_DEPTHS; i++) {
		if (rep->depth_hist[i]) {
			last = i;
			if (rep->depth_hist[i] > maxc)
				maxc = rep->depth_hist[i];
		}
	}
	fprintf(fp, "max depth %u; depth reached by each map:\n", rep->max_depth);
	fprintf(fp, "%10s : count    distribution\n", "depth");
	for (i = 1; i <= last; i++) {
		unsigned int stars = maxc ? (unsigned int)(rep->depth_hist[i] * 40 / maxc) : 0;

		fprintf(fp, "%10u : %-8" PRIu64 " |", i, rep->depth_hist[i]);
		for (j = 0; j < 40; j++)
			fputc(j < stars ? '*' : ' ', fp);
		fputs("|\n", fp);
	}
	fprintf(fp, "%4s %10s %9s\n", "cpu", "maps", "max depth");
	for (i = 0; i < rep->nr_cpus; i++)
		if (rep->cpus[i].local_maps || rep->cpus[i].max_depth)
			fprintf(fp, "%4u %10" PRIu64 " %9u\n", i, rep->cpus[i].local_maps,
				rep->cpus[i].max_depth);
}

static void print_tlb(const struct hm_report *rep, FILE *fp)
{
	unsigned int i;

	if (!rep->tlb_local && !rep->tlb_range && !rep->tlb_full && !rep->ipis)
		return;
	section(fp, "TLB flushes");
	fprintf(fp, "policy %s", rep->have_profile ?
		hm_tlb_policy_name(rep->profile.tlb_policy) : "?");
	if (rep->have_stats && rep->stats.cache_flushes)
		fprintf(fp, ", %" PRIu64 " cache flushes", rep->stats.cache_flushes);
	fputc('\n', fp);
	fprintf(fp, "%4s %10s %10s %10s %10s\n", "cpu", "local", "ranged", "full", "ipis");
	for (i = 0; i < rep->nr_cpus; i++) {
		const struct hm_cpu *c = &rep->cpus[i];

		if (c->tlb_local || c->tlb_range || c->tlb_full || c->ipis)
			fprintf(fp, "%4u %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
				i, c->tlb_local, c->tlb_range, c->tlb_full, c->ipis);
	}
	fprintf(fp, "%4s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", "all",
		rep->tlb_local, rep->tlb_range, rep->tlb_full, rep->ipis);
}

static void lat_row(const struct hm_report *rep, FILE *fp, const char *key, const struct hm_lat *l)
{
	const struct hm_hist *h = &l->hist;
	char b[6][32];

	fprintf(fp, "%-8s %8" PRIu64 " %10s %10s %10s %10s %10s %10s  %s\n",
		hm_report_lat_source(l), h->count,
		hm_report_fmt_ns(b[0], 32, (uint64_t)(hm_hist_mean(h) + 0.5)),
		hm_report_fmt_ns(b[1], 32, hm_hist_percentile(h, 50)),
		hm_report_fmt_ns(b[2], 32, hm_hist_percentile(h, 90)),
		hm_report_fmt_ns(b[3], 32, hm_hist_percentile(h, 99)),
		hm_report_fmt_ns(b[4], 32, hm_hist_percentile(h, 99.9)),
		hm_report_fmt_ns(b[5], 32, h->max), key);
	(void)rep;
}

static void lat_header(FILE *fp, const char *key)
{
	fprintf(fp, "%-8s %8s %10s %10s %10s %10s %10s %10s  %s\n", "source", "count", "mean",
		"p50", "p90", "p99", "p99.9", "max", key);
}

static int lat_by_count(const void *a, const void *b)
{
	const struct hm_lat *x = *(const struct hm_lat *const *)a;
	const struct hm_lat *y = *(const struct hm_lat *const *)b;

	if (x->hist.count != y->hist.count)
		return x->hist.count > y->hist.count ? -1 : 1;
	if (x->op != y->op)
		return x->op < y->op ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static void print_latency(const struct hm_report *rep, FILE *fp)
{
	unsigned int top = hm_report_top(rep), i, op;
	const struct hm_lat **v;
	char key[160];
	uint32_t n = 0;

	for (op = 0; op < HM_OP__COUNT; op++)
		n += rep->lat_op[op] != 0;
	if (!n)
		return;
	section(fp, "latency (observed: ret_ts - ts from the trace; modelled: the profile's costs)");
	lat_header(fp, "op");
	for (op = 0; op < HM_OP__COUNT; op++)
		if (rep->lat_op[op])
			lat_row(rep, fp, hm_op_name(op), rep->lats[rep->lat_op[op] - 1]);

	/* one row per (site, op): a site can have latencies for several ops */
	v = calloc((size_t)rep->nr_sites * HM_OP__COUNT + 1, sizeof(*v));
	if (!v)
		return;
	n = 0;
	for (i = 0; i < rep->nr_sites; i++)
		for (op = 0; op < HM_OP__COUNT; op++)
			if (rep->sites[i].lat[op])
				v[n++] = rep->lats[rep->sites[i].lat[op] - 1];
	qsort(v, n, sizeof(*v), lat_by_count);
	fputc('\n', fp);
	lat_header(fp, "op at site");
	for (i = 0; i < n && i < top; i++) {
		snprintf(key, sizeof(key), "%s %s", hm_op_name(v[i]->op),
			 site_or_dash(rep, v[i]->key));
		lat_row(rep, fp, key, v[i]);
	}
	if (n > top)
		fprintf(fp, "... %u more\n", n - top);
	free(v);

	fputc('\n', fp);
	lat_header(fp, "op on cpu");
	for (i = 0; i < rep->nr_cpus; i++) {
		for (op = 0; op < HM_OP__COUNT; op++) {
			if (!rep->cpus[i].lat[op])
				continue;
			snprintf(key, sizeof(key), "%s cpu %u", hm_op_name(op), i);
			lat_row(rep, fp, key, rep->lats[rep->cpus[i].lat[op] - 1]);
		}
	}

	for (op = 0; op < HM_OP__COUNT; op++) {
		const struct hm_lat *l;

		if (!rep->lat_op[op])
			continue;
		l = rep->lats[rep->lat_op[op] - 1];
		fprintf(fp, "\n%s latency (%s):\n", hm_op_name(op), hm_report_lat_source(l));
		hm_hist_print_log2(fp, &l->hist, "nsecs");
	}
	if (!rep->opts.verbose)
		return;
	for (i = 0; i < rep->nr_lats; i++) {
		const struct hm_lat *l = rep->lats[i];

		if (rep->lat_op[l->op] == i + 1)
			continue;
		if (l->key < rep->nr_sites && rep->sites[l->key].lat[l->op] == i + 1)
			fprintf(fp, "\n%s latency at %s (%s):\n", hm_op_name(l->op),
				site_or_dash(rep, l->key), hm_report_lat_source(l));
		else
			fprintf(fp, "\n%s latency on cpu %u (%s):\n", hm_op_name(l->op), l->key,
				hm_report_lat_source(l));
		hm_hist_print_log2(fp, &l->hist, "nsecs");
	}
}

static void print_violations(const struct hm_report *rep, FILE *fp)
{
	unsigned int top = hm_report_top(rep), i;
	char b1[32], b2[40], cons[400];

	if (!rep->nr_violations)
		return;
	section(fp, "violations");
	for (i = 0; i < rep->nr_viol && i < top; i++) {
		const struct hm_violation *v = &rep->viol[i];

		fprintf(fp, "[%s] event %" PRIu64 " at %s: %s %s on cpu %u by %s at %s\n",
			hm_diag_name(v->d.kind), v->index, fmt_ts(b1, sizeof(b1), v->ts),
			hm_ctx_name(v->ctx), hm_op_name(v->op), v->cpu,
			fmt_task(rep, b2, sizeof(b2), v->pid, v->comm), site_or_dash(rep, v->site));
		if (v->d.other_index != HM_NONE || v->d.other_site)
			fprintf(fp, "    other side: 0x%" PRIx64 " mapped at event %" PRIu64
				" (%s) by %s\n", v->d.other_addr, v->d.other_index,
				fmt_ts(b1, sizeof(b1), v->d.other_ts),
				site_or_dash(rep, v->d.other_site));
		hm_report_consequence(rep, v, cons, sizeof(cons));
		fprintf(fp, "    consequence: %s; kernel: %s\n", cons,
			hm_report_reaction_name(v->d.reaction));
	}
	if (rep->nr_violations > i)
		fprintf(fp, "... %" PRIu64 " more (--top N shows more, --json lists up to %u)\n",
			rep->nr_violations - i, rep->opts.max_list ? rep->opts.max_list : 1000);
}

static void print_leaks(const struct hm_report *rep, FILE *fp)
{
	unsigned int top = hm_report_top(rep), i;
	char b1[32], b2[40], b3[24];

	if (!rep->nr_leaks)
		return;
	section(fp, "still held at the end of the trace");
	fprintf(fp, "%-6s %-10s %10s %20s %5s %-20s %s\n", "kind", "vaddr", "event", "since",
		"count", "task", "site");
	for (i = 0; i < rep->nr_leak_list && i < top; i++) {
		const struct hm_held *h = &rep->leaks[i].h;
		bool before = h->index == HM_NONE;

		if (before)
			snprintf(b3, sizeof(b3), "-");
		else
			snprintf(b3, sizeof(b3), "%" PRIu64, h->index);
		fprintf(fp, "%-6s 0x%08" PRIx64 " %10s %20s %5u %-20s %s\n",
			h->local ? "local" : "pkmap", h->vaddr, b3,
			fmt_ts(b1, sizeof(b1), before ? HM_NONE : h->ts), h->count,
			fmt_task(rep, b2, sizeof(b2), h->pid, rep->leaks[i].comm),
			site_or_dash(rep, h->site));
	}
	if (rep->nr_leaks > i)
		fprintf(fp, "... %" PRIu64 " more\n", rep->nr_leaks - i);
}

void hm_report_print_text(const struct hm_report *rep, FILE *fp)
{
	hm_report_print_verdict(rep, fp);
	fputc('\n', fp);
	print_trace(rep, fp);
	print_summary(rep, fp);
	if (rep->have_shift) {
		char b[32];

		fprintf(fp, "what-if     %" PRIu64 " %s delayed, by up to %s; %" PRIu64
			" never replayed (%" PRIu64 " %s still asleep at the end)\n",
			rep->shift.delayed, plural(rep->shift.delayed, "event", "events"),
			hm_report_fmt_ns(b, sizeof(b), rep->shift.max_delay_ns), rep->shift.stranded,
			rep->shift.stranded_tasks, plural(rep->shift.stranded_tasks, "task", "tasks"));
	}
	print_wraps(rep, fp);
	print_sleeps(rep, fp);
	print_held(rep, fp);
	print_contention(rep, fp);
	print_local(rep, fp);
	print_tlb(rep, fp);
	print_latency(rep, fp);
	print_violations(rep, fp);
	print_leaks(rep, fp);
}

/* -------------------------------------------------------------- compare --- */

static void cmp_u64(FILE *fp, const char *what, uint64_t a, uint64_t b)
{
	char x[32], y[32];

	snprintf(x, sizeof(x), "%" PRIu64, a);
	snprintf(y, sizeof(y), "%" PRIu64, b);
	fprintf(fp, "%-28s %14s -> %-14s%s\n", what, x, y, a == b ? "" : "  *");
}

static void cmp_ns(FILE *fp, const char *what, uint64_t a, uint64_t b)
{
	char x[32], y[32];

	fprintf(fp, "%-28s %14s -> %-14s%s\n", what, hm_report_fmt_ns(x, sizeof(x), a),
		hm_report_fmt_ns(y, sizeof(y), b), a == b ? "" : "  *");
}

static uint64_t lat_pct(const struct hm_report *rep, unsigned int op, double p)
{
	return rep->lat_op[op] ? hm_hist_percentile(&rep->lats[rep->lat_op[op] - 1]->hist, p) : 0;
}

void hm_report_print_compare(const struct hm_report *base, const struct hm_report *what, FILE *fp)
{
	char t[64], x[32], y[32];
	unsigned int op;

	fprintf(fp, "what-if: %s -> %s\n", base->have_profile ? base->profile.name : "?",
		what->have_profile ? what->profile.name : "?");
	fputs("baseline ", fp);
	hm_report_print_verdict(base, fp);
	fputs("what-if  ", fp);
	hm_report_print_verdict(what, fp);
	fputc('\n', fp);
	fprintf(fp, "%-28s %14s    %-14s\n", "", "baseline", "what-if");
	snprintf(x, sizeof(x), "%s", base->have_profile ? base->profile.name : "?");
	snprintf(y, sizeof(y), "%s", what->have_profile ? what->profile.name : "?");
	fprintf(fp, "%-28s %14s -> %-14s%s\n", "profile", x, y, strcmp(x, y) ? "  *" : "");
	cmp_u64(fp, "LAST_PKMAP", base->profile.last_pkmap, what->profile.last_pkmap);
	cmp_u64(fp, "CPUs", base->profile.nr_cpus, what->profile.nr_cpus);
	cmp_u64(fp, "events", base->events, what->events);
	cmp_u64(fp, "pool wraps", base->wraps, what->wraps);
	cmp_u64(fp, "slots reclaimed", base->reclaimed_total, what->reclaimed_total);
	cmp_u64(fp, "peak slots in use", base->peak_in_use, what->peak_in_use);
	snprintf(x, sizeof(x), "%.1f", hm_report_avg_in_use(base));
	snprintf(y, sizeof(y), "%.1f", hm_report_avg_in_use(what));
	fprintf(fp, "%-28s %14s -> %-14s%s\n", "mean slots in use", x, y, strcmp(x, y) ? "  *" : "");
	cmp_u64(fp, "sleeps", base->sleeps, what->sleeps);
	cmp_ns(fp, "time asleep", base->sleep_hist.sum, what->sleep_hist.sum);
	cmp_u64(fp, "futile wake-ups", base->stats.futile_wakeups, what->stats.futile_wakeups);
	cmp_ns(fp, "kmap_lock spin", base->spin_ns, what->spin_ns);
	cmp_u64(fp, "max local depth", base->max_depth, what->max_depth);
	cmp_u64(fp, "TLB local flushes", base->tlb_local, what->tlb_local);
	cmp_u64(fp, "TLB ranged flushes", base->tlb_range, what->tlb_range);
	cmp_u64(fp, "TLB full flushes", base->tlb_full, what->tlb_full);
	cmp_u64(fp, "IPIs", base->ipis, what->ipis);
	for (op = 0; op < HM_OP__COUNT; op++) {
		if (!base->lat_op[op] && !what->lat_op[op])
			continue;
		snprintf(t, sizeof(t), "p50 %s latency", hm_op_name(op));
		cmp_ns(fp, t, lat_pct(base, op, 50), lat_pct(what, op, 50));
		snprintf(t, sizeof(t), "p99 %s latency", hm_op_name(op));
		cmp_ns(fp, t, lat_pct(base, op, 99), lat_pct(what, op, 99));
	}
	cmp_u64(fp, "violations", base->nr_violations, what->nr_violations);
	cmp_u64(fp, "leaks", base->nr_leaks, what->nr_leaks);
	if (what->have_shift) {
		cmp_u64(fp, "events delayed", base->shift.delayed, what->shift.delayed);
		cmp_ns(fp, "largest delay", base->shift.max_delay_ns, what->shift.max_delay_ns);
		cmp_u64(fp, "events never replayed", base->shift.stranded, what->shift.stranded);
	}
}
