// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tool.c - what hm-report does, start to end: replay the trace (through the
 * same driver and reports as hm-replay, with the series listening in) or load
 * a JSON result, write each figure's data and script, render them all with
 * one gnuplot run in a private staging directory, and write index.html.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm_htmlreport.h"

#define FIGURES_MAX 32	/* the arrays write_dir() keeps per figure */

static int nomem(struct hm_error *err)
{
	hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
	return -ENOMEM;
}

/* ------------------------------------------------------------ replay --- */

static char *text_report(const struct hm_report *base, const struct hm_report *what, bool compare)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	if (compare)
		hm_report_print_compare(base, what, m);
	else
		hm_report_print_text(what ? what : base, m);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int replay(const struct hm_htmlreport_opts *o, struct hm_doc *doc, struct hm_error *err)
{
	const struct hm_replay_opts *ro = o->replay;
	struct hm_report_opts rep_opts = o->report;
	struct hm_report *base = NULL, *what = NULL;
	struct hm_series *sb = NULL, *sw = NULL;
	struct hm_observe ob;
	struct hm_replay_observer obs;
	struct hm_replay *r = NULL;
	json_t *root = NULL, *runs = NULL, *rep;
	char *text = NULL;
	int ret = -ENOMEM;

	/* as hm-replay: the real machine's ret_ts says nothing about the what-if machine */
	if (ro->what_if)
		rep_opts.modelled_latency = true;
	base = hm_report_new(&rep_opts);
	if (ro->what_if)
		what = hm_report_new(&rep_opts);
	if (!base || (ro->what_if && !what)) {
		nomem(err);
		goto out;
	}
	hm_report_set_label(base, "baseline");
	if (what)
		hm_report_set_label(what, "what-if");
	r = hm_replay_open(ro, err);
	if (!r) {
		ret = -EINVAL;
		goto out;
	}
	if (!ro->what_if || o->compare) {
		sb = hm_series_new(hm_replay_profile_of(r, false), o->buckets,
				   rep_opts.modelled_latency);
		if (!sb) {
			nomem(err);
			goto out;
		}
	}
	if (what) {
		sw = hm_series_new(hm_replay_profile_of(r, true), o->buckets, true);
		if (!sw) {
			nomem(err);
			goto out;
		}
	}
	ob.s[0] = sb;
	ob.s[1] = sw;
	hm_observe_init(&obs, &ob);
	hm_replay_set_observer(r, &obs);
	ret = hm_replay_run(r, base, what, err);
	if (ret)
		goto out;
	ret = -ENOMEM;
	rep = o->compare ? hm_report_compare_json(base, what) : hm_report_json(what ? what : base);
	root = json_object();
	runs = json_array();
	text = text_report(base, what, o->compare);
	if (!rep || !root || !runs || !text ||
	    json_object_set_new(root, "hm_report_series", json_integer(1)) ||
	    json_object_set_new(root, "tool", json_string(hm_version())) ||
	    json_object_set_new(root, "buckets", json_integer(o->buckets)) ||
	    json_object_set_new(root, "report", rep) ||
	    (sb && json_array_append_new(runs, hm_series_json(sb, "baseline"))) ||
	    (sw && json_array_append_new(runs, hm_series_json(sw, "what-if"))) ||
	    json_object_set_new(root, "runs", runs)) {
		runs = NULL;
		nomem(err);
		goto out;
	}
	runs = NULL;
	ret = hm_doc_from_json(doc, root, ro->path, err);
	root = NULL;
	if (!ret) {
		doc->text = text;
		text = NULL;
	}
out:
	if (ret && err->where.file) {
		/* the reader's name for the file dies with the session: keep a copy */
		static char file[4096];

		snprintf(file, sizeof(file), "%s", err->where.file);
		err->where.file = file;
	}
	json_decref(root);
	json_decref(runs);
	free(text);
	hm_replay_close(r);
	hm_series_free(sb);
	hm_series_free(sw);
	hm_report_free(base);
	hm_report_free(what);
	return ret;
}

/* ------------------------------------------------------------- files --- */

static int read_whole(const char *path, char **buf, size_t *len, struct hm_error *err)
{
	struct hm_where w = { .file = path };
	FILE *fp = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *b = NULL;

	if (!fp)
		return hm_error_set(err, HM_EXIT_SYSTEM, &w, "gnuplot wrote no image: %s",
				    strerror(errno));
	for (;;) {
		char *nb = realloc(b, cap + 1);
		size_t got;

		if (!nb) {
			free(b);
			fclose(fp);
			return nomem(err);
		}
		b = nb;
		got = fread(b + n, 1, cap - n, fp);
		n += got;
		if (n < cap)
			break;
		cap *= 2;
	}
	if (ferror(fp)) {
		free(b);
		fclose(fp);
		return hm_error_set(err, HM_EXIT_SYSTEM, &w, "cannot read the image");
	}
	fclose(fp);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int write_bytes(const char *path, const char *input, const char *buf, size_t len,
		       struct hm_error *err)
{
	struct hm_outfile of;
	int ret = hm_outfile_open(&of, path, input, err);

	if (ret)
		return ret;
	if (fwrite(buf, 1, len, of.fp) != len) {
		struct hm_where w = { .file = path };

		hm_outfile_abort(&of);
		return hm_error_set(err, HM_EXIT_SYSTEM, &w, "write failed: %s", strerror(errno));
	}
	return hm_outfile_commit(&of, err);
}

static char *path_of(const char *dir, const char *name, const char *ext)
{
	char *p;

	if (asprintf(&p, "%s/%s%s", dir, name, ext) < 0)
		return NULL;
	return p;
}

static const char *ext_of(unsigned int fmt)
{
	return fmt == HM_FIG_PNG ? ".png" : ".svg";
}

/* Remove what a staging directory may hold, then the directory. */
static void stage_remove(const char *stage, const struct hm_figure *const *figs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		for (unsigned int f = HM_FIG_SVG; f <= HM_FIG_PNG; f <<= 1) {
			char *p = path_of(stage, figs[i]->name, ext_of(f));

			if (p)
				unlink(p);
			free(p);
		}
	}
	rmdir(stage);
}

static int make_dir(const char *dir, struct hm_error *err)
{
	struct hm_where w = { .file = dir };
	struct stat st;

	if (mkdir(dir, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return access(dir, W_OK) == 0 ? 0 :
		       hm_error_set(err, HM_EXIT_SYSTEM, &w, "cannot write here: %s",
				    strerror(errno));
	if (errno == EEXIST)
		return hm_error_set(err, HM_EXIT_SYSTEM, &w,
				    "not a directory: hm-report writes its report into one");
	return hm_error_set(err, HM_EXIT_SYSTEM, &w, "cannot create the directory: %s",
			    strerror(errno));
}

static void verbose_file(const struct hm_htmlreport_opts *o, const char *dir, const char *name,
			 const char *ext)
{
	if (o->verbose)
		fprintf(stderr, "%s: wrote %s/%s%s\n", hm_progname(), dir, name, ext);
}

/* Figures the document can draw (comparisons only when there is one). */
static unsigned int figures_for(const struct hm_doc *doc, const struct hm_figure **figs,
				const char **why)
{
	unsigned int n = 0;

	assert(hm_figure_count() <= FIGURES_MAX);

	for (unsigned int i = 0; i < hm_figure_count(); i++) {
		const struct hm_figure *f = hm_figure_get(i);

		if (!strncmp(f->name, "compare-", 8) && !doc->base)
			continue;
		figs[n] = f;
		why[n] = NULL;
		if (!f->available(doc, &why[n]) && !why[n])
			why[n] = "no data";
		n++;
	}
	return n;
}

static int write_series(const struct hm_htmlreport_opts *o, const struct hm_doc *doc,
			const char *input, struct hm_error *err)
{
	char *p = path_of(o->output, "series", ".json");
	struct hm_outfile of;
	int ret;

	ret = p ? hm_outfile_open(&of, p, input, err) : nomem(err);
	free(p);
	if (ret)
		return ret;
	if (json_dumpf(doc->root, of.fp, JSON_COMPACT) || fputc('\n', of.fp) == EOF) {
		hm_outfile_abort(&of);
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "cannot write series.json");
	}
	ret = hm_outfile_commit(&of, err);
	if (!ret)
		verbose_file(o, o->output, "series", ".json");
	return ret;
}

static int write_page(const struct hm_htmlreport_opts *o, const struct hm_doc *doc,
		      const struct hm_html_fig *hf, unsigned int n, const char *input,
		      struct hm_error *err)
{
	char *p = path_of(o->output, "index", ".html");
	struct hm_outfile of;
	int ret;

	ret = p ? hm_outfile_open(&of, p, input, err) : nomem(err);
	free(p);
	if (ret)
		return ret;
	ret = hm_html_write(of.fp, doc, hf, n, o->report.top ? o->report.top : 10, err);
	if (ret)
		hm_outfile_abort(&of);
	else
		ret = hm_outfile_commit(&of, err);
	if (!ret)
		verbose_file(o, o->output, "index", ".html");
	return ret;
}

/*
 * Every figure the document can draw, then series.json and index.html.
 * gnuplot starts first and draws each figure while the next one's files are
 * written (each output is fsync()ed, which takes a while); it draws into a
 * private staging directory, from which each image is committed whole.
 */
static int write_dir(const struct hm_htmlreport_opts *o, struct hm_doc *doc, const char *input,
		     struct hm_error *err)
{
	const struct hm_figure *figs[FIGURES_MAX], *drawn[FIGURES_MAX];
	const char *why[FIGURES_MAX];
	struct hm_html_fig hf[FIGURES_MAX];
	char *images[FIGURES_MAX] = { NULL }, *stage = NULL;
	size_t lens[FIGURES_MAX] = { 0 };
	unsigned int n = figures_for(doc, figs, why), nd = 0;
	const char *dir = o->output;
	struct hm_gnuplot *g = NULL;
	char prefix[300];
	int ret = 0;

	if (asprintf(&stage, "%s/.hm-report.XXXXXX", dir) < 0 || !mkdtemp(stage)) {
		struct hm_where w = { .file = dir };

		free(stage);
		return hm_error_set(err, HM_EXIT_SYSTEM, &w, "cannot create a directory: %s",
				    strerror(errno));
	}
	snprintf(prefix, sizeof(prefix), "%s/", strrchr(stage, '/') + 1);
	g = hm_gnuplot_start(dir, prefix, o->verbose, err);
	if (!g) {
		ret = -EINVAL;
		goto out;
	}
	for (unsigned int i = 0; i < n; i++) {
		char script[64];

		if (why[i])
			continue;
		ret = hm_figure_write(figs[i], doc, o->report.top ? o->report.top : 10, o->formats,
				      dir, input, err);
		if (ret)
			goto out;
		verbose_file(o, dir, figs[i]->name, ".dat");
		verbose_file(o, dir, figs[i]->name, ".gp");
		snprintf(script, sizeof(script), "%s.gp", figs[i]->name);
		ret = hm_gnuplot_load(g, script, err);
		if (ret)
			goto out;
		drawn[nd++] = figs[i];
	}
	if (doc->nr_runs && !o->from_json) {
		ret = write_series(o, doc, input, err);
		if (ret)
			goto out;
	}
	ret = hm_gnuplot_finish(g, o->timeout_s, err);
	g = NULL;
	if (ret)
		goto out;
	for (unsigned int i = 0; i < nd; i++) {
		for (unsigned int f = HM_FIG_SVG; f <= HM_FIG_PNG; f <<= 1) {
			char *src, *dst, *buf = NULL;
			size_t len = 0;

			if (!(o->formats & f))
				continue;
			src = path_of(stage, drawn[i]->name, ext_of(f));
			dst = path_of(dir, drawn[i]->name, ext_of(f));
			ret = src && dst ? read_whole(src, &buf, &len, err) : nomem(err);
			if (!ret)
				ret = write_bytes(dst, input, buf, len, err);
			free(src);
			free(dst);
			if (ret) {
				free(buf);
				goto out;
			}
			verbose_file(o, dir, drawn[i]->name, ext_of(f));
			/* the page shows the SVG when there is one */
			if (!images[i] || f == HM_FIG_SVG) {
				free(images[i]);
				images[i] = buf;
				lens[i] = len;
			} else {
				free(buf);
			}
		}
	}
	for (unsigned int i = 0, d = 0; i < n; i++) {
		hf[i] = (struct hm_html_fig){ .fig = figs[i], .why = why[i] };
		if (!why[i]) {
			hf[i].image = images[d];
			hf[i].len = lens[d];
			hf[i].png = !(o->formats & HM_FIG_SVG);
			d++;
		}
	}
	ret = write_page(o, doc, hf, n, input, err);
out:
	hm_gnuplot_abort(g);
	stage_remove(stage, drawn, nd);
	free(stage);
	for (unsigned int i = 0; i < FIGURES_MAX; i++)
		free(images[i]);
	return ret;
}

/* One figure, to a file or stdout, through a private temporary directory. */
static int plot_one(const struct hm_htmlreport_opts *o, struct hm_doc *doc, const char *input,
		    struct hm_error *err)
{
	const struct hm_figure *fig = hm_figure_find(o->plot);
	const char *why = NULL, *tmpdir = getenv("TMPDIR");
	char *dir = NULL, *gpname = NULL, *buf = NULL;
	unsigned int fmt = o->formats & HM_FIG_PNG ? HM_FIG_PNG : HM_FIG_SVG;
	size_t len = 0;
	int ret;

	if (!fig)
		return hm_error_set(err, HM_EXIT_USAGE, NULL, "--plot: unknown figure \"%s\"",
				    o->plot);
	if ((!strncmp(fig->name, "compare-", 8) && !doc->base) || !fig->available(doc, &why))
		return hm_error_set(err, HM_EXIT_INPUT, NULL, "figure \"%s\" %s", fig->name,
				    why ? why : "needs --what-if ... --compare");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	if (asprintf(&dir, "%s/hm-report.XXXXXX", tmpdir) < 0 || !mkdtemp(dir)) {
		free(dir);
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL,
				    "cannot create a temporary directory in %s: %s", tmpdir,
				    strerror(errno));
	}
	ret = hm_figure_write(fig, doc, o->report.top ? o->report.top : 10, fmt, dir, input, err);
	gpname = path_of("", fig->name, ".gp");
	if (!ret && !gpname)
		ret = nomem(err);
	if (!ret) {
		const char *scripts[1] = { gpname + 1 };

		ret = hm_gnuplot_run(dir, "", scripts, 1, o->timeout_s, o->verbose, err);
	}
	if (!ret) {
		char *img = path_of(dir, fig->name, ext_of(fmt));

		ret = img ? read_whole(img, &buf, &len, err) : nomem(err);
		free(img);
	}
	if (!ret)
		ret = write_bytes(o->output ? o->output : "-", input, buf, len, err);
	free(buf);
	/* the temporary directory holds exactly these */
	{
		static const char *const exts[] = { ".dat", ".gp", ".svg", ".png" };

		for (unsigned int i = 0; i < 4; i++) {
			char *p = path_of(dir, fig->name, exts[i]);

			if (p)
				unlink(p);
			free(p);
		}
		rmdir(dir);
	}
	free(dir);
	free(gpname);
	return ret;
}

int hm_htmlreport_run(const struct hm_htmlreport_opts *o, struct hm_error *err)
{
	const char *input = o->from_json ? o->from_json : o->replay->path;
	struct hm_doc doc;
	int ret;

	memset(err, 0, sizeof(*err));
	/* the output first: a bad directory should not cost a replay */
	if (!o->plot) {
		ret = make_dir(o->output, err);
		if (ret)
			return ret;
	}
	if (o->from_json)
		ret = hm_doc_load(&doc, o->from_json, err);
	else
		ret = replay(o, &doc, err);
	if (ret)
		return ret;
	if (o->plot)
		ret = plot_one(o, &doc, input, err);
	else
		ret = write_dir(o, &doc, input, err);
	hm_doc_fini(&doc);
	return ret;
}
