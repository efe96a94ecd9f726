/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json-scan.h - the fast path of the trace format v1 reader (fmt-json.c): one
 * pass over an event object's bytes, the known members converted directly,
 * strings interned, no DOM.  It only ever accepts what the jansson path
 * accepts, with the same result; for anything else (escapes, exotic numbers,
 * nesting, duplicate members, a value the jansson path would refuse) it says
 * "slow" and the caller parses the object with jansson, which gives the
 * exact error message.
 *
 * Ownership: a scanner refers to the reader's string table, which must
 * outlive it; it owns only its string cache.
 */
#ifndef HM_JSON_SCAN_H
#define HM_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hm_model.h"
#include "hm_util.h"

enum hm_jscan_result {
	HM_JSCAN_SLOW = 0,	/* not decided here: parse it with jansson */
	HM_JSCAN_EVENT = 1,	/* @ev filled, *@end set */
	HM_JSCAN_MORE = 2,	/* the bytes end inside the object */
};

struct hm_jscan;

/**
 * hm_jscan_new() - a scanner for one reader
 * @tab: the reader's string table, where comm and site strings go
 *
 * Return: the scanner, or NULL (out of memory).
 */
struct hm_jscan *hm_jscan_new(struct hm_strtab *tab);

/**
 * hm_jscan_free() - free a scanner
 * @js: the scanner, or NULL
 */
void hm_jscan_free(struct hm_jscan *js);

/**
 * hm_jscan_event() - scan one event object
 * @js: the scanner
 * @p: the bytes, starting at the object (white space before it is allowed)
 * @n: how many there are
 * @cpu_limit: CPUs an event may name (meta nr_cpus, or HM_MAX_CPUS)
 * @line: JSON Lines: the object is a line of its own -- no newline inside
 *        it, only white space after it up to a newline or the end of @p
 * @ev: filled on HM_JSCAN_EVENT (every field; ->line and ->index excepted);
 *      also written to on the other results: hm_event_init() it again before
 *      another parser fills it
 * @end: set to the offset just after the object's closing brace; with
 *       @line, just after the newline that ends it (or @n)
 *
 * Strings are interned (comm, then site, as the jansson path does) only for
 * an event that is accepted, so a slow result leaves the string table as it
 * was.
 *
 * Return: enum hm_jscan_result.
 */
int hm_jscan_event(struct hm_jscan *js, const char *p, size_t n, uint32_t cpu_limit,
		   bool line, struct hm_event *ev, size_t *end);

struct hm_reader;

/**
 * hm_json_fast_events() - events of a JSON or JSON Lines reader that the
 * fast path gave (the rest came through jansson); 0 for other formats
 * @r: the reader
 *
 * For tests: they check that HM_JSON_SLOWPATH and HM_JSON_THREAD do what
 * they say.
 */
uint64_t hm_json_fast_events(const struct hm_reader *r);

#endif /* HM_JSON_SCAN_H */
