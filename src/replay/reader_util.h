/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reader_util.h - small helpers the format files share (reader.c); not for
 * tools.
 *
 * Ownership: nothing here allocates except through the reader it is given.
 */
#ifndef HM_READER_UTIL_H
#define HM_READER_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "reader_priv.h"

/* CPUs an event may name when the trace does not say how many there are. */
#define HM_MAX_CPUS 4096u

/* Every operand absent: what hm_reader_next() hands a format's ->next. */
void hm_event_init(struct hm_event *ev);

/* Every meta field unset. */
void hm_trace_meta_init(struct hm_trace_meta *meta);

/* Set an out-of-memory error on the reader; returns -ENOMEM. */
int hm_reader_nomem(struct hm_reader *r);

/* "x86-32, x86-32-pae, ..." into @buf; returns the length written. */
size_t hm_profile_names(char *buf, size_t size);

/*
 * Copy @s[0..len) into @buf for an error message: at most 48 characters
 * (then "..."), control characters as '?'.  Returns @buf.
 */
const char *hm_quote(char *buf, size_t size, const char *s, size_t len);

/* Parse "0x1f" / "0X1F": 1 to 16 hex digits.  Returns 0 or -EINVAL. */
int hm_parse_hex(const char *s, size_t len, uint64_t *out);

#endif /* HM_READER_UTIL_H */
