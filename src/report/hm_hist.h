/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_hist.h - log-linear (HDR-style) histograms of non-negative integers
 * with bounded relative error and constant memory.
 *
 * Ownership: a struct hm_hist is plain data the caller owns; nothing in it
 * points anywhere, so it may be copied, zeroed or freed like any struct.
 *
 * Values below 2^HM_HIST_SUB_BITS get a bucket each; above that, every power
 * of two is split into 2^HM_HIST_SUB_BITS equal buckets, so a value read back
 * from a bucket is within 2^-(HM_HIST_SUB_BITS + 1) of any value that fell
 * into it.  Values of 2^HM_HIST_MAX_EXP and more (about 3.3 days in ns) land
 * in the last bucket and are counted in @clamped; min, max, count and sum stay
 * exact.  The first HM_HIST_EXACT values are also kept as they are, so that
 * percentiles of small samples (hand-checked tests, rare events) are exact.
 */
#ifndef HM_HIST_H
#define HM_HIST_H

#include <stdint.h>
#include <stdio.h>

#define HM_HIST_SUB_BITS 5
#define HM_HIST_SUB (1u << HM_HIST_SUB_BITS)
#define HM_HIST_MAX_EXP 48
#define HM_HIST_BUCKETS (HM_HIST_SUB + (HM_HIST_MAX_EXP - HM_HIST_SUB_BITS) * HM_HIST_SUB)
/* log2 slots as bcc prints them: slot 0 is 0..1, slot k is 2^k..2^(k+1)-1 */
#define HM_HIST_LOG2_SLOTS HM_HIST_MAX_EXP
#define HM_HIST_EXACT 64

struct hm_hist {
	uint64_t count;
	uint64_t sum;		/* saturates at UINT64_MAX */
	uint64_t min;		/* UINT64_MAX while empty */
	uint64_t max;
	uint64_t clamped;	/* values too large for the last bucket's range */
	uint64_t exact[HM_HIST_EXACT];	/* the values themselves while count <= HM_HIST_EXACT */
	uint64_t buckets[HM_HIST_BUCKETS];
};

/**
 * hm_hist_init() - empty a histogram
 * @h: the histogram
 */
void hm_hist_init(struct hm_hist *h);

/**
 * hm_hist_add() - record one value
 * @h: the histogram
 * @v: the value
 */
void hm_hist_add(struct hm_hist *h, uint64_t v);

/**
 * hm_hist_merge() - add every value of @src to @dst
 * @dst: the histogram added to
 * @src: the histogram added
 */
void hm_hist_merge(struct hm_hist *dst, const struct hm_hist *src);

/**
 * hm_hist_bucket_of() - the bucket a value falls into
 * @v: the value
 */
unsigned int hm_hist_bucket_of(uint64_t v);

/**
 * hm_hist_bucket_low() - smallest value of a bucket
 * @i: bucket index
 */
uint64_t hm_hist_bucket_low(unsigned int i);

/**
 * hm_hist_bucket_width() - number of values a bucket covers
 * @i: bucket index
 */
uint64_t hm_hist_bucket_width(unsigned int i);

/**
 * hm_hist_percentile() - value at a percentile
 * @h: the histogram
 * @p: percentile, 0 to 100 (99.9 for p99.9)
 *
 * The value of rank ceil(@p / 100 * count) in sorted order: exact while
 * count <= HM_HIST_EXACT, else read back as the middle of its bucket and
 * clamped to [min, max], within 2^-6 relative of the exact value.  A rank in the bucket of the smallest or largest value reads
 * that value back (still within the bound); p0 and p100 are min and max.
 *
 * Return: the value, or 0 for an empty histogram.
 */
uint64_t hm_hist_percentile(const struct hm_hist *h, double p);

/**
 * hm_hist_mean() - arithmetic mean (exact up to the division)
 * @h: the histogram
 *
 * Return: the mean, or 0 for an empty histogram.
 */
double hm_hist_mean(const struct hm_hist *h);

/**
 * hm_hist_log2() - fold into power-of-two slots the way bcc counts them
 * @h: the histogram
 * @slots: filled with HM_HIST_LOG2_SLOTS counts
 *
 * Return: index of the last non-empty slot, or -1 when empty.
 */
int hm_hist_log2(const struct hm_hist *h, uint64_t slots[HM_HIST_LOG2_SLOTS]);

/**
 * hm_hist_print_log2() - print as the bcc/libbpf-tools *lat tools do
 * @fp: the stream
 * @h: the histogram
 * @unit: column title, e.g. "nsecs"
 *
 * Prints nothing for an empty histogram.
 */
void hm_hist_print_log2(FILE *fp, const struct hm_hist *h, const char *unit);

#endif /* HM_HIST_H */
