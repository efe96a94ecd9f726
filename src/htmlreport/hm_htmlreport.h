/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_htmlreport.h - hm-report as a library: time series collected during a
 * replay, the document figures are drawn from, the figures (one .dat and one
 * gnuplot script each), gnuplot run safely, and the self-contained index.html.
 *
 * Ownership: every _new() or _load() result is released only by its _free() or
 * _fini(); a json_t returned to the caller is the caller's to json_decref();
 * a struct hm_doc owns the JSON it was given.
 *
 * Everything from a trace or a JSON input (comm, call sites, file names, op
 * names) reaches gnuplot only inside data files or through hm_gp_quote()'s
 * whitelist, and HTML only through hm_html_escape().
 */
#ifndef HM_HTMLREPORT_H
#define HM_HTMLREPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "hm_model.h"
#include "hm_replay.h"
#include "hm_report.h"
#include "hm_util.h"

/* ----------------------------------------------------------- series --- */

#define HM_SERIES_BUCKETS 2000	/* default time buckets per series */
#define HM_SERIES_BUCKETS_MIN 2
#define HM_SERIES_BUCKETS_MAX 100000

struct hm_series;

/**
 * hm_series_new() - an empty collector of the time series a replay does not keep
 * @profile: the profile the model runs (LAST_PKMAP, CPUs); copied
 * @buckets: time buckets at most (HM_SERIES_BUCKETS_MIN..HM_SERIES_BUCKETS_MAX)
 * @modelled_latency: latency from the cost model even where ret_ts exists
 *                    (as hm_report_opts.modelled_latency)
 *
 * Time series are down-sampled as they come: the bucket width starts at 1 ns
 * and doubles (merging neighbours) whenever the trace outgrows @buckets, and
 * each bucket keeps the minimum, maximum and last value of each gauge, so
 * memory is constant and a spike one event wide survives.
 *
 * Return: the collector, or NULL with errno set.
 */
struct hm_series *hm_series_new(const struct hm_profile *profile, uint32_t buckets,
				bool modelled_latency);

/**
 * hm_series_free() - release a collector
 * @s: the collector, or NULL
 */
void hm_series_free(struct hm_series *s);

/**
 * hm_series_feed() - account one event and the model's outcome for it
 * @s: the collector
 * @ev: the event
 * @out: its outcome
 *
 * Return: 0, or -ENOMEM.
 */
int hm_series_feed(struct hm_series *s, const struct hm_event *ev, const struct hm_outcome *out);

/**
 * hm_series_complete() - account a deferred completion of a kmap that slept
 * @s: the collector
 * @out: the completion (hm_model_next_completion())
 *
 * Return: 0, or -ENOMEM.
 */
int hm_series_complete(struct hm_series *s, const struct hm_outcome *out);

/**
 * hm_series_begin() - name the string table call-site ids refer to
 * @s: the collector
 * @tab: the reader's strings; kept, must outlive hm_series_json()
 */
void hm_series_begin(struct hm_series *s, const struct hm_strtab *tab);

/**
 * hm_series_json() - the series as JSON (the "runs" entries of series.json)
 * @s: the collector
 * @label: "baseline" or "what-if"
 *
 * Return: a new reference, or NULL on ENOMEM.
 */
json_t *hm_series_json(const struct hm_series *s, const char *label);

/* ------------------------------------------------------------ observe --- */

/**
 * struct hm_observe - the series fed from a replay: [0] baseline, [1] what-if
 */
struct hm_observe {
	struct hm_series *s[2];
};

/**
 * hm_observe_init() - an observer for hm_replay_set_observer() feeding @o's series
 * @obs: filled in
 * @o: the series (either may be NULL); must outlive the replay
 */
void hm_observe_init(struct hm_replay_observer *obs, struct hm_observe *o);

/* ---------------------------------------------------------- document --- */

/**
 * struct hm_doc - what the figures and index.html are drawn from
 * @root: the whole JSON document (owned)
 * @report: the report of the primary run (hm-replay's --json object)
 * @base: in a comparison, the baseline report; else NULL
 * @what: in a comparison, the what-if report; else NULL
 * @changes: in a comparison, hm-replay's "changes" object; else NULL
 * @runs: the time series of each run (from hm-report's series.json), or NULL
 * @nr_runs: 0 (an hm-replay result), 1, or 2 in a comparison
 * @primary: the run single-run figures show (baseline in a comparison)
 * @text: hm-replay's text report, when the trace was replayed here (owned)
 * @file: where the document came from, for messages
 */
struct hm_doc {
	json_t *root;
	json_t *report;
	json_t *base;
	json_t *what;
	json_t *changes;
	json_t *runs[2];
	unsigned int nr_runs;
	unsigned int primary;
	char *text;
	const char *file;
};

/**
 * hm_doc_from_json() - take a JSON document and check its shape
 * @doc: filled in
 * @root: an hm-report series.json object, or an hm-replay --json result
 *        (plain or --compare); the reference is taken over, even on failure
 * @file: its name for messages
 * @err: filled on failure (HM_EXIT_INPUT)
 *
 * Every array a figure loops over is checked here (types and lengths), so
 * figures can trust the document.
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_doc_from_json(struct hm_doc *doc, json_t *root, const char *file, struct hm_error *err);

/**
 * hm_doc_load() - read and check a JSON document from a file ("-" for stdin)
 * @doc: filled in
 * @path: the file
 * @err: filled on failure
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_doc_load(struct hm_doc *doc, const char *path, struct hm_error *err);

/**
 * hm_doc_fini() - release what a document owns
 * @doc: the document
 */
void hm_doc_fini(struct hm_doc *doc);

/* ----------------------------------------------------------- figures --- */

enum hm_fig_format {
	HM_FIG_SVG = 1u << 0,
	HM_FIG_PNG = 1u << 1,
};

/**
 * struct hm_figure - one figure
 * @name: file stem and --plot name ([a-z-] only)
 * @title: what it shows
 * @caption: one line saying what to look for
 * @needs: what the document must hold, for --list-plots and the man page
 * @available: whether @doc holds its data; sets *@why when not
 * @write: write the .dat file and the plot commands of the script; may
 *         raise *@height (pixels) for figures with a row per CPU or site
 */
struct hm_figure {
	const char *name;
	const char *title;
	const char *caption;
	const char *needs;
	bool (*available)(const struct hm_doc *doc, const char **why);
	int (*write)(const struct hm_doc *doc, unsigned int top, FILE *dat, FILE *gp,
		     unsigned int *height);
};

/**
 * hm_figure_count() - number of figures hm-report knows
 */
unsigned int hm_figure_count(void);

/**
 * hm_figure_get() - a figure by position, in the order index.html shows them
 * @i: 0 .. hm_figure_count() - 1
 *
 * Return: the figure, or NULL when @i is out of range.
 */
const struct hm_figure *hm_figure_get(unsigned int i);

/**
 * hm_figure_find() - a figure by name ("pool", "latency-cdf", ...)
 * @name: the name
 *
 * Return: the figure, or NULL when there is none of that name.
 */
const struct hm_figure *hm_figure_find(const char *name);

/**
 * hm_figure_write() - write a figure's NAME.dat and NAME.gp
 * @fig: the figure
 * @doc: the document
 * @top: rows in top-N figures
 * @formats: HM_FIG_SVG and/or HM_FIG_PNG: the images the script makes
 * @dir: the directory
 * @input: the input file, which no output may overwrite
 * @err: filled on failure
 *
 * The script reads NAME.dat from the current directory and writes
 * outprefix.'NAME.svg' (and .png); outprefix is '' unless set with -e.
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_figure_write(const struct hm_figure *fig, const struct hm_doc *doc, unsigned int top,
		    unsigned int formats, const char *dir, const char *input,
		    struct hm_error *err);

/* ----------------------------------------------------------- gnuplot --- */

/**
 * hm_gnuplot_find() - the gnuplot hm_gnuplot_run() would start
 * @buf: filled with its path
 * @size: the size of @buf
 *
 * Return: 0, or -ENOENT when PATH has none.
 */
int hm_gnuplot_find(char *buf, size_t size);

struct hm_gnuplot;

/**
 * hm_gnuplot_start() - start gnuplot, to be given scripts as they are written
 * @dir: the directory the scripts and their data are in (gnuplot's cwd)
 * @outprefix: prepended to image names ([A-Za-z0-9._/-] only), or ""
 * @verbose: print gnuplot's warnings when it finishes
 * @err: filled on failure ("gnuplot not found: ...")
 *
 * gnuplot is found on PATH and started with a fixed argument list (no
 * shell), without its init files (-d), reading "load" lines on its stdin
 * and drawing each script while the next one is written.
 *
 * Return: the session, or NULL with @err filled.
 */
struct hm_gnuplot *hm_gnuplot_start(const char *dir, const char *outprefix, bool verbose,
				    struct hm_error *err);

/**
 * hm_gnuplot_load() - have gnuplot run a script
 * @g: the session
 * @script: its file name, relative to the directory ([A-Za-z0-9._-] only)
 * @err: filled on failure
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_gnuplot_load(struct hm_gnuplot *g, const char *script, struct hm_error *err);

/**
 * hm_gnuplot_finish() - wait for gnuplot and end the session
 * @g: the session, or NULL
 * @timeout_s: seconds per script loaded before gnuplot is killed
 * @err: filled on failure: "gnuplot failed on NAME.gp: <its stderr>" (the
 *       scripts are run again one by one to find the one), timeouts,
 *       HM_EXIT_INTERRUPTED on a signal
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_gnuplot_finish(struct hm_gnuplot *g, unsigned int timeout_s, struct hm_error *err);

/**
 * hm_gnuplot_abort() - kill gnuplot and end the session
 * @g: the session, or NULL
 */
void hm_gnuplot_abort(struct hm_gnuplot *g);

/**
 * hm_gnuplot_run() - render scripts with the real gnuplot
 * @dir: the directory the scripts and their data are in (gnuplot's cwd)
 * @outprefix: prepended to image names ([A-Za-z0-9._/-] only), or ""
 * @scripts: the script file names, relative to @dir
 * @n: how many
 * @timeout_s: seconds per script before gnuplot is killed
 * @verbose: print gnuplot's warnings
 * @err: filled on failure: "gnuplot not found: ...", "gnuplot failed on
 *       NAME.gp: <its stderr>", timeouts (HM_EXIT_SYSTEM)
 *
 * gnuplot is found on PATH and started with a fixed argument list (no
 * shell), without its init files (-d), stdin and stdout on /dev/null.
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_gnuplot_run(const char *dir, const char *outprefix, const char *const *scripts,
		   unsigned int n, unsigned int timeout_s, bool verbose, struct hm_error *err);

/* -------------------------------------------------------------- text --- */

/**
 * hm_gp_quote() - a string as a single-quoted gnuplot string literal
 * @buf: filled with the literal, quotes included, NUL-terminated
 * @size: its size (at least 3)
 * @s: the string
 *
 * Only letters, digits, space and "_.,:()+=/-" pass; anything else becomes
 * '_', so no quote, backtick, '!', '@', '$' or backslash reaches gnuplot.
 *
 * Return: @buf.
 */
char *hm_gp_quote(char *buf, size_t size, const char *s);

/**
 * hm_dat_string() - a string as one double-quoted field of a .dat file
 * @fp: the stream
 * @s: the string
 *
 * Printable ASCII passes except '"' and '\\'; those, control characters and
 * bytes above 0x7e become '?', so the field stays one field on one line.
 */
void hm_dat_string(FILE *fp, const char *s);

/**
 * hm_html_escape() - write @s with & < > " ' escaped
 * @fp: the stream
 * @s: the string (NULL writes nothing)
 */
void hm_html_escape(FILE *fp, const char *s);

/**
 * hm_svg_inline() - write gnuplot's SVG for inclusion in an HTML page
 * @fp: the stream
 * @svg: the SVG document
 * @len: its length
 * @prefix: prepended to every id and reference to one ([a-z-] only)
 * @err: filled on failure
 *
 * Drops the XML prolog, renames ids so several figures can share a page,
 * and refuses SVG that carries script (<script>, on* attributes,
 * javascript: or <foreignObject>).
 *
 * Return: 0, or -EINVAL with @err filled.
 */
int hm_svg_inline(FILE *fp, const char *svg, size_t len, const char *prefix,
		  struct hm_error *err);

/* -------------------------------------------------------------- html --- */

/**
 * struct hm_html_fig - a figure as index.html shows it
 * @fig: the figure
 * @image: its SVG or PNG bytes, or NULL when not drawn
 * @len: their length
 * @png: @image is PNG (inlined as a data: URI) rather than SVG
 * @why: when not drawn, why (e.g. "needs the time series")
 */
struct hm_html_fig {
	const struct hm_figure *fig;
	const char *image;
	size_t len;
	bool png;
	const char *why;
};

/**
 * hm_html_write() - the self-contained report page
 * @fp: the stream
 * @doc: the document
 * @figs: the figures
 * @n: how many
 * @top: rows per table
 * @err: filled on failure
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_html_write(FILE *fp, const struct hm_doc *doc, const struct hm_html_fig *figs,
		  unsigned int n, unsigned int top, struct hm_error *err);

/* ------------------------------------------------------------ the tool --- */

/**
 * struct hm_htmlreport_opts - what hm-report was asked to do
 * @replay: the trace and profile overrides (when @from_json is NULL)
 * @report: report options (--top)
 * @compare: baseline and what-if overlaid
 * @from_json: read this JSON instead of replaying a trace
 * @output: the directory (or with @plot, the image file; "-" for stdout)
 * @plot: draw only this figure
 * @formats: HM_FIG_SVG and/or HM_FIG_PNG
 * @buckets: time buckets per series
 * @timeout_s: gnuplot timeout per figure
 * @verbose: list the files written, print gnuplot's warnings
 */
struct hm_htmlreport_opts {
	const struct hm_replay_opts *replay;
	struct hm_report_opts report;
	bool compare;
	const char *from_json;
	const char *output;
	const char *plot;
	unsigned int formats;
	uint32_t buckets;
	unsigned int timeout_s;
	bool verbose;
};

/**
 * hm_htmlreport_run() - replay (or load) and write the report
 * @o: the options
 * @err: filled on failure
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_htmlreport_run(const struct hm_htmlreport_opts *o, struct hm_error *err);

#endif /* HM_HTMLREPORT_H */
