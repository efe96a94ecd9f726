/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-read.h - the invariants every reader's output must keep, checked by
 * the reader targets (fuzz-common.c).
 *
 * Ownership: the checks keep nothing between calls.
 */
#ifndef HM_FUZZ_READ_H
#define HM_FUZZ_READ_H

#include <stdbool.h>

#include "fuzz.h"
#include "hm_reader.h"

/*
 * Check what a reader handed out against the trace format's contract
 * (man/hm-trace.5): fields in range, operands the op needs, strings known
 * to the string table, indexes counting from 0.
 */
void fuzz_check_event(const struct hm_reader *r, const struct hm_event *ev, uint64_t index);
void fuzz_check_meta(const struct hm_trace_meta *m);
/* An error a reader reported: a message, a status a tool may exit with. */
void fuzz_check_error(const struct hm_error *err);

/**
 * fuzz_read_all() - read a trace to its end and check every event
 * @path: the trace
 * @opts: reader options
 * @max_events: more events than this is a bug (a reader making events from nothing)
 * @roundtrip: also write what was read as JSON Lines, read that back and
 *             require the same meta and events (what --convert promises)
 *
 * Return: the number of events read, or -1 when the reader reported an error
 * (checked with fuzz_check_error()).
 */
long fuzz_read_all(const char *path, const struct hm_reader_opts *opts, uint64_t max_events,
		   bool roundtrip);

#endif /* HM_FUZZ_READ_H */
