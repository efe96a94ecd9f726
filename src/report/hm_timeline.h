/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_timeline.h - the replay as a Chrome trace event file (Perfetto UI,
 * chrome://tracing): a process track per CPU, in which each task's local
 * mappings are complete ("X") slices from map to unmap on a thread track of
 * their own (a task's local mappings nest, so its slices do) and pkmap
 * mappings are async slices ("b"/"e", which may overlap); pool occupancy and
 * stack depth are counters ("C"); wraps and violations instant events ("i").
 *
 * Ownership: the timeline writes to a stream the caller owns and keeps open
 * until hm_timeline_finish(); the string table must outlive the timeline.
 */
#ifndef HM_TIMELINE_H
#define HM_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

#include "hm_model.h"
#include "hm_util.h"

struct hm_timeline;

/**
 * hm_timeline_new() - start a timeline
 * @fp: where the JSON goes
 * @strtab: the reader's strings
 * @title: the process name shown for the tracks (the trace's file name)
 *
 * Return: the timeline, or NULL with errno set.
 */
struct hm_timeline *hm_timeline_new(FILE *fp, const struct hm_strtab *strtab, const char *title);

/**
 * hm_timeline_feed() - add one event and its outcome
 * @tl: the timeline
 * @ev: the event
 * @out: the model's outcome
 */
void hm_timeline_feed(struct hm_timeline *tl, const struct hm_event *ev,
		      const struct hm_outcome *out);

/**
 * hm_timeline_complete() - add a deferred kmap completion
 * @tl: the timeline
 * @out: the completion
 */
void hm_timeline_complete(struct hm_timeline *tl, const struct hm_outcome *out);

/**
 * hm_timeline_finish() - close the slices still open and end the JSON
 * @tl: the timeline
 * @model: the model, for mappings still held (slices end at the last event); may be NULL
 *
 * Return: 0, or -EIO when the stream had an error.
 */
int hm_timeline_finish(struct hm_timeline *tl, const struct hm_model *model);

/**
 * hm_timeline_free() - release a timeline (does not close the stream)
 * @tl: the timeline, or NULL
 */
void hm_timeline_free(struct hm_timeline *tl);

#endif /* HM_TIMELINE_H */
