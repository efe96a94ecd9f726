/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reader_priv.h - what format files see of a reader; not for tools.
 *
 * Ownership: the reader (reader.c) owns everything here; a format owns only
 * what it hangs on ->priv, and frees it in its ->close.
 */
#ifndef HM_READER_PRIV_H
#define HM_READER_PRIV_H

#include "hm_reader.h"

struct hm_input;

struct hm_reader {
	const struct hm_format_ops *ops;
	struct hm_input *in;		/* byte stream; NULL for path-based formats */
	const char *path;		/* as the user gave it */
	const char *display;		/* for messages: path, or "<stdin>" */
	struct hm_reader_opts opts;
	struct hm_trace_meta meta;
	struct hm_strtab *strtab;
	struct hm_error err;
	uint64_t next_index;		/* index of the next event delivered */
	uint64_t backwards;		/* timestamps that went backwards on a CPU */
	uint64_t skipped;		/* records skipped: unknown ops (lenient), unknown events */
	uint64_t *last_ts;		/* per CPU, grown on demand */
	uint32_t nr_last_ts;
	void *priv;			/* the format's state */
};

/* Set the reader's error at @line:@col; returns -EINVAL. */
int hm_reader_fail(struct hm_reader *r, uint64_t line, uint64_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* HM_READER_PRIV_H */
