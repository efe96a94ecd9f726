/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_report.h - the analyses of hm-replay: fed one (event, outcome) pair at a
 * time, they keep constant memory per key (CPU, task, call site) and print
 * the summary as text or JSON.
 *
 * Ownership: hm_report_new() returns a report only hm_report_free() releases;
 * the string table and profile given to hm_report_begin() must outlive the
 * report's output calls (the report keeps pointers, copies the meta); a json_t
 * returned to the caller is the caller's to json_decref().
 */
#ifndef HM_REPORT_H
#define HM_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "hm_model.h"
#include "hm_reader.h"
#include "hm_util.h"

/**
 * struct hm_report_opts - what the report counts and how much it lists
 *
 * Filters select the events the report counts; the model always sees every
 * event.  An event counts when it matches every filter that is set.
 */
struct hm_report_opts {
	bool cpu_set;
	uint32_t cpu;		/* --cpu */
	bool pid_set;
	int32_t pid;		/* --pid */
	const char *comm;	/* --comm: fnmatch(3) pattern, NULL for any */
	const char *site;	/* --site: fnmatch(3) pattern on the call site */
	uint64_t since;		/* --since: trace ns, 0 for the start */
	uint64_t until;		/* --until: trace ns, UINT64_MAX for the end */
	bool since_rel;		/* since/until count from the first event's ts */
	bool until_rel;
	unsigned int top;	/* rows per table; 0 means 10 */
	unsigned int max_list;	/* violations/leaks/wraps kept for output; 0 means 1000 */
	bool verbose;		/* text: per-site and per-CPU histograms too */
	bool modelled_latency;	/* latency from the cost model even where ret_ts exists */
};

struct hm_report;

/**
 * hm_report_new() - an empty report
 * @opts: filters and limits; copied (the strings must outlive the report)
 *
 * Return: the report, or NULL with errno set.
 */
struct hm_report *hm_report_new(const struct hm_report_opts *opts);

/**
 * hm_report_free() - release a report
 * @rep: the report, or NULL
 */
void hm_report_free(struct hm_report *rep);

/**
 * hm_report_begin() - say what is being replayed
 * @rep: the report
 * @strtab: the reader's strings (comm, site ids); kept
 * @profile: the profile the model runs; kept
 * @file: the trace as the user named it
 * @format: the reader's format name
 * @meta: the trace's meta; copied, may be NULL
 *
 * Return: 0, or -ENOMEM.
 */
int hm_report_begin(struct hm_report *rep, const struct hm_strtab *strtab,
		    const struct hm_profile *profile, const char *file, const char *format,
		    const struct hm_trace_meta *meta);

/**
 * hm_report_feed() - account one event and what the model made of it
 * @rep: the report
 * @ev: the event
 * @out: the model's outcome for it
 *
 * Return: 0, or -ENOMEM when a table could not grow.
 */
int hm_report_feed(struct hm_report *rep, const struct hm_event *ev, const struct hm_outcome *out);

/**
 * hm_report_complete() - account a deferred completion of a kmap that slept
 * @rep: the report
 * @out: the completion, as hm_model_next_completion() gave it (its ts is the
 *       wake-up, its wait_ns the time asleep)
 *
 * Return: 0, or -ENOMEM.
 */
int hm_report_complete(struct hm_report *rep, const struct hm_outcome *out);

/**
 * hm_report_end() - take the model's totals and its leaks at end of trace
 * @rep: the report
 * @model: the model that ran the trace, or NULL to skip model figures
 * @backwards: timestamps the reader saw going backwards on a CPU
 *
 * Return: 0, or -ENOMEM.
 */
int hm_report_end(struct hm_report *rep, const struct hm_model *model, uint64_t backwards);

/**
 * hm_report_print_text() - the human report: verdict line, summary, sections
 * @rep: the report, after hm_report_end()
 * @fp: the stream
 */
void hm_report_print_text(const struct hm_report *rep, FILE *fp);

/**
 * hm_report_print_verdict() - the one-line verdict (what --quiet prints)
 * @rep: the report
 * @fp: the stream
 */
void hm_report_print_verdict(const struct hm_report *rep, FILE *fp);

/**
 * hm_report_json() - the report as one JSON object (keys in hm-replay(1))
 * @rep: the report
 *
 * Return: a new reference, or NULL on ENOMEM.
 */
json_t *hm_report_json(const struct hm_report *rep);

/**
 * hm_report_print_compare() - baseline and what-if side by side
 * @base: the report of the trace's own configuration
 * @what: the report of the what-if configuration
 * @fp: the stream
 */
void hm_report_print_compare(const struct hm_report *base, const struct hm_report *what, FILE *fp);

/**
 * hm_report_compare_json() - {"baseline": {...}, "what_if": {...}, "changes": {...}}
 * @base: the baseline report
 * @what: the what-if report
 *
 * Return: a new reference, or NULL on ENOMEM.
 */
json_t *hm_report_compare_json(const struct hm_report *base, const struct hm_report *what);

/**
 * hm_report_set_label() - name a report in comparisons ("baseline", "what-if")
 * @rep: the report
 * @label: a static string
 */
void hm_report_set_label(struct hm_report *rep, const char *label);

/**
 * struct hm_report_shift - what discrete-event what-if replay did to time
 * @delayed: events that ran later than recorded (their task had blocked longer)
 * @max_delay_ns: the largest delay of any event
 * @stranded: events never replayed: their task was still asleep at the end
 * @stranded_tasks: tasks still asleep at the end
 */
struct hm_report_shift {
	uint64_t delayed;
	uint64_t max_delay_ns;
	uint64_t stranded;
	uint64_t stranded_tasks;
};

/**
 * hm_report_set_shift() - record how what-if replay shifted events in time
 * @rep: the report
 * @shift: the figures; copied
 */
void hm_report_set_shift(struct hm_report *rep, const struct hm_report_shift *shift);

/* Counts other modules (tests, the driver) may read. */
struct hm_report_totals {
	uint64_t events;	/* fed, before filters */
	uint64_t counted;	/* that matched the filters */
	uint64_t wraps;
	uint64_t sleeps;
	uint64_t violations;
	uint64_t leaks;
	uint64_t spin_ns;
	uint32_t peak_in_use;
	uint32_t max_depth;
};

/**
 * hm_report_totals() - headline figures
 * @rep: the report
 * @t: filled in
 */
void hm_report_totals(const struct hm_report *rep, struct hm_report_totals *t);

/**
 * hm_report_fmt_ns() - a duration for humans: "0 ns", "850 ns", "1.25 us", "3.40 ms", "2.000 s"
 * @buf: at least 32 bytes
 * @size: its size
 * @ns: the duration
 *
 * Return: @buf.
 */
char *hm_report_fmt_ns(char *buf, size_t size, uint64_t ns);

#endif /* HM_REPORT_H */
