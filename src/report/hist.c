// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hist.c - log-linear histograms: exact below 32, then 32 buckets per power
 * of two, so the relative width of a bucket never exceeds 2^-5.
 */
#include <math.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "hm_hist.h"

void hm_hist_init(struct hm_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned int hm_hist_bucket_of(uint64_t v)
{
	unsigned int e;

	if (v < HM_HIST_SUB)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);
	if (e >= HM_HIST_MAX_EXP)
		return HM_HIST_BUCKETS - 1;
	return HM_HIST_SUB + (e - HM_HIST_SUB_BITS) * HM_HIST_SUB +
	       (unsigned int)((v >> (e - HM_HIST_SUB_BITS)) & (HM_HIST_SUB - 1));
}

uint64_t hm_hist_bucket_low(unsigned int i)
{
	unsigned int e, m;

	if (i < HM_HIST_SUB)
		return i;
	e = (i - HM_HIST_SUB) / HM_HIST_SUB + HM_HIST_SUB_BITS;
	m = (i - HM_HIST_SUB) % HM_HIST_SUB;
	return (uint64_t)(HM_HIST_SUB + m) << (e - HM_HIST_SUB_BITS);
}

uint64_t hm_hist_bucket_width(unsigned int i)
{
	if (i < HM_HIST_SUB)
		return 1;
	return 1ull << ((i - HM_HIST_SUB) / HM_HIST_SUB);
}

void hm_hist_add(struct hm_hist *h, uint64_t v)
{
	unsigned int i = hm_hist_bucket_of(v);

	if (h->count < HM_HIST_EXACT)
		h->exact[h->count] = v;
	h->buckets[i]++;
	h->count++;
	if (h->sum > UINT64_MAX - v)
		h->sum = UINT64_MAX;
	else
		h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	if (i == HM_HIST_BUCKETS - 1 &&
	    v - hm_hist_bucket_low(i) >= hm_hist_bucket_width(i))
		h->clamped++;
}

void hm_hist_merge(struct hm_hist *dst, const struct hm_hist *src)
{
	unsigned int i;

	if (!src->count)
		return;
	for (i = 0; i < src->count && dst->count + i < HM_HIST_EXACT; i++)
		dst->exact[dst->count + i] = src->exact[i];
	for (i = 0; i < HM_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum = dst->sum > UINT64_MAX - src->sum ? UINT64_MAX : dst->sum + src->sum;
	dst->clamped += src->clamped;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t hm_hist_percentile(const struct hm_hist *h, double p)
{
	uint64_t rank, seen = 0, v, sorted[HM_HIST_EXACT];
	unsigned int i;

	if (!h->count)
		return 0;
	if (p >= 100.0)
		return h->max;
	if (p <= 0.0)
		return h->min;
	rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	if (h->count <= HM_HIST_EXACT) {
		memcpy(sorted, h->exact, h->count * sizeof(sorted[0]));
		qsort(sorted, h->count, sizeof(sorted[0]), u64_cmp);
		return sorted[rank - 1];
	}
	for (i = 0; i < HM_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	if (i == HM_HIST_BUCKETS)
		return h->max;
	/*
	 * The extremes are known exactly: a rank in their bucket reads them back.
	 * Elsewhere the middle of the bucket halves the worst-case error.
	 */
	if (i == hm_hist_bucket_of(h->max) && !(i == HM_HIST_BUCKETS - 1 && h->clamped))
		return h->max;
	if (i == hm_hist_bucket_of(h->min))
		return h->min;
	v = hm_hist_bucket_low(i) + (hm_hist_bucket_width(i) - 1) / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

double hm_hist_mean(const struct hm_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

int hm_hist_log2(const struct hm_hist *h, uint64_t slots[HM_HIST_LOG2_SLOTS])
{
	unsigned int i, slot;
	int last = -1;

	memset(slots, 0, sizeof(slots[0]) * HM_HIST_LOG2_SLOTS);
	for (i = 0; i < HM_HIST_BUCKETS; i++) {
		uint64_t low = hm_hist_bucket_low(i);

		if (!h->buckets[i])
			continue;
		/* buckets never straddle a power of two, so this is exact */
		slot = low < 2 ? 0 : 63u - (unsigned int)__builtin_clzll(low);
		slots[slot] += h->buckets[i];
		if ((int)slot > last)
			last = (int)slot;
	}
	return last;
}

static void print_bar(FILE *fp, uint64_t val, uint64_t val_max, unsigned int width)
{
	unsigned int stars = val_max ? (unsigned int)(val * width / val_max) : 0;
	unsigned int i;

	for (i = 0; i < width; i++)
		fputc(i < stars ? '*' : ' ', fp);
}

void hm_hist_print_log2(FILE *fp, const struct hm_hist *h, const char *unit)
{
	uint64_t slots[HM_HIST_LOG2_SLOTS], val_max = 0;
	int last = hm_hist_log2(h, slots), i;
	bool wide;
	unsigned int stars;
	int col;

	if (last < 0)
		return;
	for (i = 0; i <= last; i++)
		if (slots[i] > val_max)
			val_max = slots[i];
	/* as bcc: ranges past 2^32 get wider columns and half-length bars */
	wide = last > 32;
	col = wide ? 20 : 10;
	stars = wide ? 20 : 40;
	fprintf(fp, "%*s%-*s : count    distribution\n", wide ? 15 : 5, "", wide ? 29 : 19, unit);
	for (i = 0; i <= last; i++) {
		uint64_t low = i ? 1ull << i : 0;
		uint64_t high = (1ull << (i + 1)) - 1;

		fprintf(fp, "%*llu -> %-*llu : %-8llu |", col, (unsigned long long)low, col,
			(unsigned long long)high, (unsigned long long)slots[i]);
		print_bar(fp, slots[i], val_max, stars);
		fputs("|\n", fp);
	}
}
