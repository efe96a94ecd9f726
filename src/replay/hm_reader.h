/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_reader.h - trace readers: one file per format, one ops table each, one
 * list of the formats compiled in (reader.c).
 *
 * Ownership: hm_reader_open() returns a reader that owns its input, its
 * string table and its meta until hm_reader_close(); events it fills in refer
 * to strings by id in hm_reader_strtab(), valid until the reader is closed.
 */
#ifndef HM_READER_H
#define HM_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hm_model.h"
#include "hm_util.h"

/**
 * struct hm_trace_meta - what a trace says about the system it came from
 *
 * Fields a trace does not give are left as their "unset" value (empty
 * string, 0, HM_NONE, -1 for the tri-state booleans).
 */
struct hm_trace_meta {
	char arch[32];			/* profile name, "" if unset */
	uint32_t nr_cpus;		/* 0 if unset */
	uint32_t last_pkmap;		/* 0 if unset */
	uint32_t km_max_idx;		/* 0 if unset */
	int8_t debug_kmap_local;	/* -1 unset, 0, 1 */
	uint64_t highmem_start_pfn;	/* HM_NONE if unset */
	uint64_t pkmap_base;		/* HM_NONE if unset */
	uint64_t fixaddr_top;		/* HM_NONE if unset */
	uint64_t lost_events;		/* recorder ring-buffer losses, 0 if none/unknown */
	char source[128];
	char kernel[64];
	char clock[32];
};

/* Reader options from the command line. */
struct hm_reader_opts {
	bool lenient;			/* unknown ops are skipped, not errors */
	const char *map_file;		/* ftrace: probe-name -> op mapping, NULL for default */
	const char *format;		/* force a format by name, NULL to detect */
	double tsc_mhz;			/* ftrace: integer timestamps are TSC cycles at this
					 * rate (x86-tsc clock); 0: from a "# hmtrace:" line */
};

struct hm_reader;

/**
 * struct hm_format_ops - one trace format
 * @name: "json", "jsonl", "ftrace", "ctf"
 * @description: one line for --version and the man page
 * @probe: score how likely the first bytes are this format (0 = not it)
 * @open: set up the format's private state; meta may be filled here
 * @next: deliver the next event: 1, 0 at the end, negative on error
 *        (the reader's error is filled in)
 * @close: free the private state
 * @path_based: opened from a path (CTF directories), not from a byte stream
 */
struct hm_format_ops {
	const char *name;
	const char *description;
	int (*probe)(const unsigned char *buf, size_t len);
	int (*open)(struct hm_reader *r);
	int (*next)(struct hm_reader *r, struct hm_event *ev);
	void (*close)(struct hm_reader *r);
	bool path_based;
};

/* The formats compiled in, NULL-terminated. */
extern const struct hm_format_ops *const hm_formats[];

/**
 * hm_reader_open() - open a trace, detecting its format from its content
 * @path: file, CTF directory, or "-" for stdin; .zst/.gz detected by magic
 * @opts: options, or NULL for defaults
 * @err: filled on failure
 *
 * Return: the reader, or NULL with @err filled.
 */
struct hm_reader *hm_reader_open(const char *path, const struct hm_reader_opts *opts,
				 struct hm_error *err);

/**
 * hm_reader_next() - read the next event
 * @r: the reader
 * @ev: filled with the event; ev->index counts from 0
 *
 * Return: 1 for an event, 0 at the end of the trace, negative on error
 * (hm_reader_error() says what).
 */
int hm_reader_next(struct hm_reader *r, struct hm_event *ev);

const struct hm_trace_meta *hm_reader_meta(const struct hm_reader *r);
struct hm_strtab *hm_reader_strtab(const struct hm_reader *r);
const struct hm_error *hm_reader_error(const struct hm_reader *r);
const char *hm_reader_format(const struct hm_reader *r);
/* Warnings counted while reading (e.g. timestamps going backwards on a CPU). */
uint64_t hm_reader_backwards(const struct hm_reader *r);
/* Records skipped: unknown ops with opts.lenient, ftrace events no map entry names. */
uint64_t hm_reader_skipped(const struct hm_reader *r);
void hm_reader_close(struct hm_reader *r);

/**
 * hm_profile_from_meta() - the profile a trace asks for, with its overrides
 * @meta: the trace's meta
 * @out: filled with the profile
 * @err: filled on failure (unknown arch)
 *
 * An unset arch means "x86-32-pae".
 */
int hm_profile_from_meta(const struct hm_trace_meta *meta, struct hm_profile *out,
			 struct hm_error *err);

#endif /* HM_READER_H */
