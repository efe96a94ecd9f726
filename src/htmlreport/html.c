// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * html.c - index.html: one self-contained page (inline CSS, figures inlined
 * as SVG or data: PNG, no script, no external reference) with the summary
 * tables, the violations and every figure with its caption.  Every string
 * from the document is written through hm_html_escape().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hm_htmlreport.h"

/* ------------------------------------------------------------ values --- */

/* A value at a dotted path ("pkmap.sleep.completed"), or NULL. */
static const json_t *jpath(const json_t *o, const char *path)
{
	const json_t *whole = json_object_get(o, path);	/* keys with a dot: "p99.9" */
	char key[64];

	if (whole)
		return whole;

	while (o && *path) {
		size_t len = strcspn(path, ".");

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		o = json_object_get(o, key);
		path += len;
		if (*path == '.')
			path++;
	}
	return o;
}

enum cell {
	C_TEXT,		/* a string or a number as it is */
	C_NS,		/* a duration in ns */
	C_TS,		/* a trace timestamp in ns, as seconds */
	C_REAL,		/* a float, 3 significant digits */
};

static void esc(FILE *fp, const char *s)
{
	hm_html_escape(fp, s);
}

static void cell_value(FILE *fp, const json_t *v, enum cell kind)
{
	char buf[64];

	if (!v || json_is_null(v)) {
		fputs("&ndash;", fp);
		return;
	}
	if (json_is_string(v)) {
		esc(fp, json_string_value(v));
		return;
	}
	if (json_is_boolean(v)) {
		fputs(json_is_true(v) ? "yes" : "no", fp);
		return;
	}
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (kind == C_NS && i >= 0) {
			esc(fp, hm_report_fmt_ns(buf, sizeof(buf), (uint64_t)i));
		} else if (kind == C_TS && i >= 0) {
			fprintf(fp, "%" PRIu64 ".%09" PRIu64, (uint64_t)i / 1000000000u,
				(uint64_t)i % 1000000000u);
		} else {
			fprintf(fp, "%lld", (long long)i);
		}
		return;
	}
	if (json_is_real(v)) {
		if (kind == C_NS && json_real_value(v) >= 0)
			esc(fp, hm_report_fmt_ns(buf, sizeof(buf),
						 (uint64_t)(json_real_value(v) + 0.5)));
		else
			fprintf(fp, "%.3g", json_real_value(v));
		return;
	}
	fputs("?", fp);
}

/* ------------------------------------------------------------ tables --- */

struct col {
	const char *head;
	const char *path;
	enum cell kind;
};

static void table(FILE *fp, const char *id, const char *caption, const json_t *rows,
		  const struct col *cols, unsigned int ncols, unsigned int max_rows)
{
	size_t i, n = json_array_size(rows);
	const json_t *row;

	if (!n) {
		fprintf(fp, "<p class=\"none\" id=\"%s\">%s: none.</p>\n", id, caption);
		return;
	}
	fprintf(fp, "<table id=\"%s\"><caption>%s", id, caption);
	if (max_rows && n > max_rows)
		fprintf(fp, " (first %u of %zu)", max_rows, n);
	fputs("</caption>\n<thead><tr>", fp);
	for (unsigned int c = 0; c < ncols; c++)
		fprintf(fp, "<th>%s</th>", cols[c].head);
	fputs("</tr></thead>\n<tbody>\n", fp);
	json_array_foreach(rows, i, row) {
		if (max_rows && i >= max_rows)
			break;
		fputs("<tr>", fp);
		for (unsigned int c = 0; c < ncols; c++) {
			fputs(cols[c].kind == C_TEXT && json_is_string(jpath(row, cols[c].path)) ?
			      "<td class=\"s\">" : "<td>", fp);
			cell_value(fp, jpath(row, cols[c].path), cols[c].kind);
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table>\n", fp);
}

struct kv {
	const char *head;
	const char *path;
	enum cell kind;
};

static const struct kv summary_rows[] = {
	{ "events replayed", "events", C_TEXT },
	{ "trace span", "trace.span.ns", C_NS },
	{ "profile", "trace.profile.name", C_TEXT },
	{ "LAST_PKMAP", "pkmap.last_pkmap", C_TEXT },
	{ "CPUs", "trace.profile.nr_cpus", C_TEXT },
	{ "TLB policy", "tlb.policy", C_TEXT },
	{ "model vs trace addresses", "agreement.verdict", C_TEXT },
	{ "addresses checked", "agreement.checked", C_TEXT },
	{ "addresses that differ", "agreement.mismatched", C_TEXT },
	{ "pool wraps", "pkmap.wraps", C_TEXT },
	{ "wraps per second", "pkmap.wraps_per_sec", C_REAL },
	{ "slots reclaimed by wraps", "pkmap.reclaimed.total", C_TEXT },
	{ "wrap interval, min", "pkmap.wrap_interval_ns.min", C_NS },
	{ "wrap interval, median", "pkmap.wrap_interval_ns.median", C_NS },
	{ "wrap interval, max", "pkmap.wrap_interval_ns.max", C_NS },
	{ "kmap_flush_unused calls", "pkmap.flush_unused", C_TEXT },
	{ "kmap() sleeps for a slot", "pkmap.sleeps", C_TEXT },
	{ "time asleep, total", "pkmap.sleep.ns.total", C_NS },
	{ "futile wake-ups", "pkmap.sleep.futile_wakeups", C_TEXT },
	{ "peak slots in use", "pkmap.peak_in_use", C_TEXT },
	{ "mean slots in use", "pkmap.mean_in_use", C_REAL },
	{ "kmap_lock spin", "contention.spin_ns", C_NS },
	{ "contended acquisitions", "contention.contended", C_TEXT },
	{ "max local stack depth", "local.max_depth", C_TEXT },
	{ "local mappings", "local.maps", C_TEXT },
	{ "TLB: single-page flushes", "tlb.local", C_TEXT },
	{ "TLB: full flushes", "tlb.full", C_TEXT },
	{ "TLB: IPIs", "tlb.ipis", C_TEXT },
	{ "violations", "trace.violations_total", C_TEXT },
	{ "leaks at the end", "leaks.total", C_TEXT },
};

static void summary(FILE *fp, const struct hm_doc *doc)
{
	const json_t *reps[2] = { doc->base ? doc->base : doc->report, doc->what };
	unsigned int nrep = doc->base ? 2 : 1;

	fputs("<table id=\"summary-table\"><caption>Summary</caption>\n", fp);
	if (nrep == 2)
		fputs("<thead><tr><th></th><th>baseline</th><th>what-if</th></tr></thead>\n", fp);
	fputs("<tbody>\n", fp);
	for (size_t i = 0; i < sizeof(summary_rows) / sizeof(summary_rows[0]); i++) {
		fprintf(fp, "<tr><th>%s</th>", summary_rows[i].head);
		for (unsigned int r = 0; r < nrep; r++) {
			fputs("<td>", fp);
			cell_value(fp, jpath(reps[r], summary_rows[i].path), summary_rows[i].kind);
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table>\n", fp);
}

static void latency_table(FILE *fp, const char *id, const char *caption, const json_t *rep)
{
	static const struct col cols[] = {
		{ "op", "op", C_TEXT }, { "source", "source", C_TEXT },
		{ "calls", "count", C_TEXT }, { "mean", "mean", C_NS },
		{ "p50", "p50", C_NS }, { "p90", "p90", C_NS }, { "p99", "p99", C_NS },
		{ "p99.9", "p99.9", C_NS }, { "max", "max", C_NS },
	};
	const json_t *ops = jpath(rep, "latency.ops"), *v;
	json_t *rows = json_array();
	const char *k;

	json_object_foreach((json_t *)ops, k, v)
		json_array_append((json_t *)rows, (json_t *)v);
	table(fp, id, caption, rows, cols, sizeof(cols) / sizeof(cols[0]), 0);
	json_decref(rows);
}

static void changes(FILE *fp, const json_t *ch)
{
	const json_t *v;
	const char *k;

	if (!json_is_object(ch))
		return;
	fputs("<table id=\"changes\"><caption>What changes (baseline &rarr; what-if)</caption>\n"
	      "<thead><tr><th>figure</th><th>baseline</th><th>what-if</th></tr></thead><tbody>\n",
	      fp);
	json_object_foreach((json_t *)ch, k, v) {
		enum cell kind = strstr(k, "_ns") ? C_NS : C_TEXT;

		fputs("<tr><th>", fp);
		esc(fp, k);
		fputs("</th><td>", fp);
		cell_value(fp, json_array_get(v, 0), kind);
		fputs("</td><td>", fp);
		cell_value(fp, json_array_get(v, 1), kind);
		fputs("</td></tr>\n", fp);
	}
	fputs("</tbody></table>\n", fp);
}

static const struct col viol_cols[] = {
	{ "rule", "rule", C_TEXT }, { "event", "event", C_TEXT }, { "ts (s)", "ts", C_TS },
	{ "cpu", "cpu", C_TEXT }, { "pid", "pid", C_TEXT }, { "comm", "comm", C_TEXT },
	{ "ctx", "ctx", C_TEXT }, { "op", "op", C_TEXT }, { "site", "site", C_TEXT },
	{ "address", "addr", C_TEXT }, { "other side", "other.site", C_TEXT },
	{ "kernel", "kernel", C_TEXT }, { "consequence", "consequence", C_TEXT },
};

static void report_tables(FILE *fp, const json_t *rep, const char *sfx, unsigned int top)
{
	static const struct col wraps[] = {
		{ "event", "event", C_TEXT }, { "ts (s)", "ts", C_TS }, { "cpu", "cpu", C_TEXT },
		{ "pid", "pid", C_TEXT }, { "site", "site", C_TEXT },
		{ "reclaimed", "reclaimed", C_TEXT }, { "flush", "flush", C_TEXT },
		{ "IPIs", "ipis", C_TEXT },
	};
	static const struct col spin[] = {
		{ "cpu", "cpu", C_TEXT }, { "spin", "spin_ns", C_NS },
		{ "contended", "contended", C_TEXT },
	};
	static const struct col worst[] = {
		{ "spin", "spin_ns", C_NS }, { "event", "event", C_TEXT }, { "ts (s)", "ts", C_TS },
		{ "cpu", "cpu", C_TEXT }, { "pid", "pid", C_TEXT }, { "comm", "comm", C_TEXT },
		{ "op", "op", C_TEXT }, { "site", "site", C_TEXT },
	};
	static const struct col sleepers[] = {
		{ "pid", "pid", C_TEXT }, { "comm", "comm", C_TEXT },
		{ "sleeps", "sleeps", C_TEXT }, { "asleep", "ns", C_NS },
	};
	static const struct col held[] = {
		{ "held", "ns", C_NS }, { "kind", "kind", C_TEXT }, { "address", "vaddr", C_TEXT },
		{ "map event", "map_event", C_TEXT }, { "unmap event", "unmap_event", C_TEXT },
		{ "holder pid", "holder.pid", C_TEXT }, { "holder", "holder.comm", C_TEXT },
		{ "map site", "map_site", C_TEXT }, { "unmap site", "unmap_site", C_TEXT },
	};
	static const struct col leaks[] = {
		{ "kind", "kind", C_TEXT }, { "address", "vaddr", C_TEXT },
		{ "event", "event", C_TEXT }, { "ts (s)", "ts", C_TS }, { "pid", "pid", C_TEXT },
		{ "comm", "comm", C_TEXT }, { "site", "site", C_TEXT },
		{ "count", "count", C_TEXT },
	};
	const char *which = !*sfx ? "" : strcmp(sfx, "-what-if") ? " (baseline)" : " (what-if)";
	char id[64], cap[128];

#define TABLE(name, title, rows, cols, max)						\
	do {										\
		snprintf(id, sizeof(id), "%s%s", name, sfx);				\
		snprintf(cap, sizeof(cap), "%s%s", title, which);			\
		table(fp, id, cap, rows, cols, sizeof(cols) / sizeof(cols[0]), max);	\
	} while (0)

	snprintf(id, sizeof(id), "latency%s", sfx);
	snprintf(cap, sizeof(cap), "Latency per op%s", which);
	latency_table(fp, id, cap, rep);
	TABLE("wrap-list", "Pool wraps", jpath(rep, "pkmap.wrap_list"), wraps, top);
	TABLE("spin-per-cpu", "kmap_lock spin per CPU", jpath(rep, "contention.per_cpu"), spin,
	      0);
	TABLE("worst-spins", "Longest kmap_lock spins", jpath(rep, "contention.worst"), worst,
	      top);
	TABLE("sleepers", "Tasks that slept for a pkmap slot", jpath(rep, "pkmap.sleep.tasks"),
	      sleepers, top);
	TABLE("held-longest", "Mappings held longest", jpath(rep, "pkmap.held_longest"), held,
	      top);
	TABLE("leaks", "Mappings still held at the end", jpath(rep, "leaks.list"), leaks, top);
#undef TABLE
}

/* ----------------------------------------------------------- figures --- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(FILE *fp, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		fputc(b64[p[i] >> 2], fp);
		fputc(b64[(p[i] & 3) << 4 | p[i + 1] >> 4], fp);
		fputc(b64[(p[i + 1] & 15) << 2 | p[i + 2] >> 6], fp);
		fputc(b64[p[i + 2] & 63], fp);
	}
	if (len - i == 1) {
		fputc(b64[p[i] >> 2], fp);
		fputc(b64[(p[i] & 3) << 4], fp);
		fputs("==", fp);
	} else if (len - i == 2) {
		fputc(b64[p[i] >> 2], fp);
		fputc(b64[(p[i] & 3) << 4 | p[i + 1] >> 4], fp);
		fputc(b64[(p[i + 1] & 15) << 2], fp);
		fputc('=', fp);
	}
}

static int figure(FILE *fp, const struct hm_html_fig *f, struct hm_error *err)
{
	const struct hm_figure *fig = f->fig;

	fprintf(fp, "<figure id=\"fig-%s\" class=\"%s\">\n<h3>", fig->name,
		f->image ? "drawn" : "missing");
	esc(fp, fig->title);
	fputs("</h3>\n", fp);
	if (!f->image) {
		fputs("<p class=\"none\">Not drawn: ", fp);
		esc(fp, f->why ? f->why : "no data");
		fputs(".</p>\n", fp);
	} else if (f->png) {
		fputs("<img class=\"hm-fig\" alt=\"", fp);
		esc(fp, fig->title);
		fputs("\" src=\"data:image/png;base64,", fp);
		base64(fp, (const unsigned char *)f->image, f->len);
		fputs("\">\n", fp);
	} else {
		/* into memory first: a refused SVG must not leave half a figure behind */
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		int ret;

		if (!m)
			return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
		ret = hm_svg_inline(m, f->image, f->len, fig->name, err);
		if (fclose(m) && !ret)
			ret = hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
		if (!ret)
			fwrite(buf, 1, len, fp);
		free(buf);
		if (ret)
			return ret;
		fputc('\n', fp);
	}
	fputs("<figcaption>", fp);
	esc(fp, fig->caption);
	fprintf(fp, " <a href=\"%s.dat\">data</a>, <a href=\"%s.gp\">script</a></figcaption>\n"
		"</figure>\n", fig->name, fig->name);
	return 0;
}

/* ------------------------------------------------------------- page --- */

static const char css[] =
	"body{font-family:sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;"
	"color:#222;background:#fff}\n"
	"h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;"
	"margin-top:2em}h3{font-size:1.05em;margin:.2em 0}\n"
	".file{color:#555;margin-top:0;word-break:break-all}\n"
	".verdict{font-weight:bold;padding:.5em .8em;background:#f3f6fa;"
	"border-left:4px solid #4c78a8}\n"
	".verdict.bad{border-left-color:#e45756;background:#fdf1f1}\n"
	"nav ul{columns:2;list-style:none;padding-left:0}\n"
	"table{border-collapse:collapse;margin:1em 0;font-size:.9em}\n"
	"caption{text-align:left;font-weight:bold;padding:.3em 0}\n"
	"th,td{border:1px solid #ddd;padding:.2em .5em;text-align:right;vertical-align:top}\n"
	"th{background:#f6f6f6}td.s{text-align:left;word-break:break-word}\n"
	"tbody th{text-align:left}\n"
	"figure{margin:1.5em 0;padding:.5em;border:1px solid #e4e4e4}\n"
	".hm-fig{display:block;width:100%;height:auto}\n"
	"figcaption{color:#444;font-size:.92em;margin-top:.3em}\n"
	".none{color:#777;font-style:italic}\n"
	"pre{font-size:.8em;overflow-x:auto;background:#fafafa;padding:.5em}\n"
	"footer{margin-top:3em;color:#888;font-size:.8em}\n";

static void verdict(FILE *fp, const json_t *rep, const char *label)
{
	uint64_t viol = (uint64_t)json_integer_value(jpath(rep, "trace.violations_total"));
	const char *agree = json_string_value(jpath(rep, "agreement.verdict"));
	char b[32];

	fprintf(fp, "<p class=\"verdict%s\">%s", viol ? " bad" : "", label);
	fprintf(fp, "%" PRIu64 " violation%s, %lld pool wraps, %lld sleeps, kmap_lock spin ", viol,
		viol == 1 ? "" : "s", (long long)json_integer_value(jpath(rep, "pkmap.wraps")),
		(long long)json_integer_value(jpath(rep, "pkmap.sleeps")));
	esc(fp, hm_report_fmt_ns(b, sizeof(b),
				 (uint64_t)json_integer_value(jpath(rep, "contention.spin_ns"))));
	fprintf(fp, ", %lld leaks", (long long)json_integer_value(jpath(rep, "leaks.total")));
	if (agree) {
		fputs("; model ", fp);
		esc(fp, agree);
		if (!strcmp(agree, "agrees") || !strcmp(agree, "disagrees"))
			fprintf(fp, " (%lld observed addresses checked, %lld differ)",
				(long long)json_integer_value(jpath(rep, "agreement.checked")),
				(long long)json_integer_value(jpath(rep, "agreement.mismatched")));
	}
	fputs("</p>\n", fp);
}

int hm_html_write(FILE *fp, const struct hm_doc *doc, const struct hm_html_fig *figs,
		  unsigned int n, unsigned int top, struct hm_error *err)
{
	const json_t *rep = doc->report;
	const char *file = json_string_value(jpath(rep, "trace.file"));

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      /* nothing on this page may run or load: belt and braces with the escaping */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "img-src data:; style-src 'unsafe-inline'\">\n<title>hmtrace report: ", fp);
	esc(fp, file ? file : doc->file);
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n"
		"<h1>hmtrace report</h1>\n<p class=\"file\">", css);
	esc(fp, file ? file : doc->file);
	fputs(" &middot; ", fp);
	esc(fp, json_string_value(jpath(rep, "trace.format")));
	fputs(" &middot; profile ", fp);
	esc(fp, json_string_value(jpath(rep, "trace.profile.name")));
	if (json_string_value(jpath(rep, "trace.meta.kernel"))) {
		fputs(" &middot; kernel ", fp);
		esc(fp, json_string_value(jpath(rep, "trace.meta.kernel")));
	}
	fputs("</p>\n", fp);
	if (doc->what)
		verdict(fp, doc->base, "baseline: ");
	verdict(fp, doc->what ? doc->what : rep, doc->what ? "what-if: " : "");
	fputs("</header>\n<nav><ul>\n<li><a href=\"#summary\">Summary</a></li>\n"
	      "<li><a href=\"#violations-section\">Violations</a></li>\n", fp);
	for (unsigned int i = 0; i < n; i++)
	{
		fprintf(fp, "<li><a href=\"#fig-%s\">", figs[i].fig->name);
		esc(fp, figs[i].fig->title);
		fputs("</a></li>\n", fp);
	}
	fputs("<li><a href=\"#tables\">Tables</a></li>\n</ul></nav>\n", fp);

	fputs("<section id=\"summary\">\n<h2>Summary</h2>\n", fp);
	if (doc->base)
		changes(fp, doc->changes);
	summary(fp, doc);
	fputs("</section>\n<section id=\"violations-section\">\n<h2>Violations</h2>\n", fp);
	if (doc->base) {
		table(fp, "violations-baseline", "Violations (baseline)",
		      jpath(doc->base, "violations"), viol_cols,
		      sizeof(viol_cols) / sizeof(viol_cols[0]), 0);
		table(fp, "violations-what-if", "Violations (what-if)",
		      jpath(doc->what, "violations"), viol_cols,
		      sizeof(viol_cols) / sizeof(viol_cols[0]), 0);
	} else {
		table(fp, "violations", "Violations", jpath(rep, "violations"), viol_cols,
		      sizeof(viol_cols) / sizeof(viol_cols[0]), 0);
	}
	fputs("</section>\n<section id=\"figures\">\n<h2>Figures</h2>\n", fp);
	for (unsigned int i = 0; i < n; i++)
		if (figure(fp, &figs[i], err))
			return -EINVAL;
	fputs("</section>\n<section id=\"tables\">\n<h2>Tables</h2>\n", fp);
	if (doc->base) {
		report_tables(fp, doc->base, "-baseline", top);
		report_tables(fp, doc->what, "-what-if", top);
	} else {
		report_tables(fp, rep, "", top);
	}
	fputs("</section>\n", fp);
	if (doc->text) {
		fputs("<details id=\"text-report\">"
		      "<summary>hm-replay's text report</summary>\n<pre>", fp);
		esc(fp, doc->text);
		fputs("</pre></details>\n", fp);
	}
	fputs("<footer>Made by hm-report (hmtrace ", fp);
	esc(fp, hm_version());
	fputs(") with gnuplot; every figure's data and script sit beside this page.</footer>\n"
	      "</body>\n</html>\n", fp);
	return ferror(fp) ? hm_error_set(err, HM_EXIT_SYSTEM, NULL, "cannot write index.html")
			  : 0;
}
