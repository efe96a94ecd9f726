/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_writer.h - events and meta written back as hmtrace trace format v1
 * (JSON Lines), so any trace the readers accept converts without loss.
 *
 * Ownership: the caller owns the FILE and everything passed in; nothing is
 * kept between calls.
 */
#ifndef HM_WRITER_H
#define HM_WRITER_H

#include <stdio.h>

#include "hm_model.h"
#include "hm_reader.h"
#include "hm_util.h"

/**
 * hm_trace_write_header() - write the JSON Lines header line
 * @fp: the output
 * @meta: the trace's meta; unset fields are left out
 *
 * Writes {"format":"hmtrace","version":1,"meta":{...}} and a newline.
 *
 * Return: 0, or -EIO when the stream reports an error.
 */
int hm_trace_write_header(FILE *fp, const struct hm_trace_meta *meta);

/**
 * hm_event_write_json() - write one event as a JSON object and a newline
 * @fp: the output
 * @ev: the event
 * @tab: the string table its comm and site ids refer to
 *
 * Absent operands are left out; page and vaddr are hex strings, pfn an
 * integer.  Reading the line back gives the same event (but for ->line).
 *
 * Return: 0, or -EIO when the stream reports an error.
 */
int hm_event_write_json(FILE *fp, const struct hm_event *ev, const struct hm_strtab *tab);

#endif /* HM_WRITER_H */
