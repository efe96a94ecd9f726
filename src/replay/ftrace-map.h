/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ftrace-map.h - which ftrace event (kprobe, kretprobe, tracepoint) is which
 * hmtrace op, and which of its fields carry the operands: data, either the
 * built-in table or a --map file (syntax in man/hm-trace.5).
 *
 * Ownership: a struct hm_fmap owns its entries and their strings until
 * hm_fmap_free().
 */
#ifndef HM_FTRACE_MAP_H
#define HM_FTRACE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hm_model.h"
#include "hm_util.h"

/* Operands a map entry can take from an event's fields. */
enum hm_fmap_opd {
	HM_FMAP_PFN,
	HM_FMAP_PAGE,
	HM_FMAP_VADDR,
	HM_FMAP_PID,
	HM_FMAP_NEXT_PID,
	HM_FMAP_CPU,
	HM_FMAP_DEST_CPU,
	HM_FMAP_COMM,
	HM_FMAP__COUNT
};

/* op value of an entry that says "ignore this event" */
#define HM_FMAP_IGNORE (-2)

struct hm_fmap_entry {
	char *event;			/* as the trace names it: "kmap_high", "hm:kmap_high" */
	size_t event_len;
	int op;				/* enum hm_op, or HM_FMAP_IGNORE */
	bool ret;			/* role=return: a kretprobe's half of @op */
	int ctx;			/* enum hm_ctx, or -1 to take it from the flags column */
	char *field[HM_FMAP__COUNT];	/* field name for each operand, NULL if not taken */
	size_t field_len[HM_FMAP__COUNT];
	uint64_t line;			/* in the map text */
};

struct hm_fmap {
	struct hm_fmap_entry *e;
	size_t n;
	size_t cap;
	bool has_return[HM_OP__COUNT];	/* entries of this op wait for their return */
};

/* The built-in table, in the --map syntax. */
extern const char hm_fmap_default_text[];

/* Name of an operand as written in a map file ("pfn", "next_pid", ...). */
const char *hm_fmap_opd_name(unsigned int opd);

/**
 * hm_fmap_parse() - read a map from text
 * @map: an empty (zeroed) map
 * @text: the map, --map syntax
 * @len: its length
 * @file: name for messages
 * @err: filled with file:line:col on a mistake
 *
 * Return: 0, or a negative errno with @err filled; @map must be freed either way.
 */
int hm_fmap_parse(struct hm_fmap *map, const char *text, size_t len, const char *file,
		  struct hm_error *err);

/**
 * hm_fmap_load() - read a map from a file, or the built-in one
 * @map: an empty (zeroed) map
 * @path: the file, or NULL for hm_fmap_default_text
 * @err: filled on failure
 *
 * Return: 0, or a negative errno with @err filled; @map must be freed either way.
 */
int hm_fmap_load(struct hm_fmap *map, const char *path, struct hm_error *err);

/**
 * hm_fmap_find() - the entry for an event name
 * @map: the map
 * @name: the name as the trace line gives it; "group:name" also matches an
 *        entry for "name"
 * @len: its length
 *
 * Return: the entry, or NULL.
 */
const struct hm_fmap_entry *hm_fmap_find(const struct hm_fmap *map, const char *name, size_t len);

void hm_fmap_free(struct hm_fmap *map);

#endif /* HM_FTRACE_MAP_H */
