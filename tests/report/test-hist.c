// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-hist.c - the log-linear histogram: bucket arithmetic, the relative
 * error bound, percentiles of known distributions, the bcc-style log2 print.
 */
#include <stdlib.h>
#include <string.h>

#include "hm_hist.h"
#include "../tap.h"

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure can be replayed */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static int within(uint64_t got, uint64_t want, double rel)
{
	double d = (double)got - (double)want;

	if (d < 0)
		d = -d;
	return d <= rel * (double)want;
}

static void test_buckets(void)
{
	int bad_cover = 0, bad_width = 0, bad_order = 0;
	unsigned int i, prev = 0;
	uint64_t v;

	for (v = 0; v < 200000; v++) {
		i = hm_hist_bucket_of(v);
		if (v < hm_hist_bucket_low(i) || v >= hm_hist_bucket_low(i) + hm_hist_bucket_width(i))
			bad_cover++;
		if (v >= 32 && hm_hist_bucket_width(i) * 32 > hm_hist_bucket_low(i))
			bad_width++;
		if (i < prev)
			bad_order++;
		prev = i;
	}
	for (int k = 0; k < 100000; k++) {
		v = rnd() >> (16 + rnd() % 48);
		i = hm_hist_bucket_of(v);
		if (v < hm_hist_bucket_low(i) || v >= hm_hist_bucket_low(i) + hm_hist_bucket_width(i))
			bad_cover++;
		if (v >= 32 && hm_hist_bucket_width(i) * 32 > hm_hist_bucket_low(i))
			bad_width++;
	}
	tap_ok(bad_cover == 0, "every value lies in its bucket [low, low + width)");
	tap_ok(bad_width == 0, "bucket width is at most 2^-5 of its low end above 32");
	tap_ok(bad_order == 0, "bucket index grows with the value");
	tap_is_u64(hm_hist_bucket_of(31), 31, "values below 32 are exact: 31");
	tap_is_u64(hm_hist_bucket_of(32), 32, "32 opens the first log-linear bucket");
	tap_is_u64(hm_hist_bucket_of(63), 63, "63 is still one value per bucket");
	tap_is_u64(hm_hist_bucket_low(hm_hist_bucket_of(64)), 64, "64 starts a 2-wide bucket");
	tap_is_u64(hm_hist_bucket_width(hm_hist_bucket_of(65)), 2, "65 shares 64's bucket");
	tap_is_u64(hm_hist_bucket_of(UINT64_MAX), HM_HIST_BUCKETS - 1, "huge values clamp");
}

static void test_relative_error(void)
{
	struct hm_hist *h = malloc(sizeof(*h));
	int bad = 0;

	for (int k = 0; k < 20000; k++) {
		uint64_t v = rnd() >> (16 + rnd() % 48), got;

		hm_hist_init(h);
		/*
		 * min/max clamping would hide the bucket error: pad with 0 and a huge
		 * value, and past the exact sample with more of them
		 */
		for (int n = 0; n < HM_HIST_EXACT; n++)
			hm_hist_add(h, n & 1 ? UINT64_MAX : 0);
		hm_hist_add(h, v);
		got = hm_hist_percentile(h, 50);
		if (!within(got, v, 1.0 / 64) && bad++ < 5)
			tap_diag("value %llu read back as %llu", (unsigned long long)v,
				 (unsigned long long)got);
	}
	tap_ok(bad == 0, "a value read back from its bucket is within 2^-6 of it (20000 values)");
	free(h);
}

static void test_percentiles(void)
{
	struct hm_hist *h = malloc(sizeof(*h));
	uint64_t v;

	hm_hist_init(h);
	tap_is_u64(hm_hist_percentile(h, 50), 0, "empty: p50 is 0");
	for (v = 1; v <= 1000; v++)
		hm_hist_add(h, v);
	tap_is_u64(h->count, 1000, "uniform 1..1000: count");
	tap_is_u64(h->min, 1, "min exact");
	tap_is_u64(h->max, 1000, "max exact");
	tap_ok(hm_hist_mean(h) == 500.5, "mean exact (500.5)");
	tap_ok(within(hm_hist_percentile(h, 50), 500, 1.0 / 32), "p50 ~ 500: %llu",
	       (unsigned long long)hm_hist_percentile(h, 50));
	tap_ok(within(hm_hist_percentile(h, 90), 900, 1.0 / 32), "p90 ~ 900: %llu",
	       (unsigned long long)hm_hist_percentile(h, 90));
	tap_ok(within(hm_hist_percentile(h, 99), 990, 1.0 / 32), "p99 ~ 990: %llu",
	       (unsigned long long)hm_hist_percentile(h, 99));
	tap_ok(within(hm_hist_percentile(h, 99.9), 999, 1.0 / 32), "p99.9 ~ 999: %llu",
	       (unsigned long long)hm_hist_percentile(h, 99.9));
	tap_is_u64(hm_hist_percentile(h, 100), 1000, "p100 is max");
	tap_is_u64(hm_hist_percentile(h, 0), 1, "p0 is min");

	/* 99 fast calls and one slow one: p99 is fast, p99.9 is the slow one */
	hm_hist_init(h);
	for (v = 0; v < 99; v++)
		hm_hist_add(h, 100);
	hm_hist_add(h, 1000000);
	tap_is_u64(hm_hist_percentile(h, 50), 100, "bimodal: p50 = 100 exactly (clamped to min)");
	tap_is_u64(hm_hist_percentile(h, 99), 100, "bimodal: p99 = 100 (rank 99 of 100)");
	tap_is_u64(hm_hist_percentile(h, 99.9), 1000000, "bimodal: p99.9 = the outlier");

	/* exponential: 2^k appears 2^(20-k) times; the median is 1 */
	hm_hist_init(h);
	for (int k = 0; k <= 20; k++)
		for (uint64_t n = 0; n < (1ull << (20 - k)); n++)
			hm_hist_add(h, 1ull << k);
	tap_is_u64(hm_hist_percentile(h, 50), 1, "geometric: p50 = 1");
	tap_is_u64(hm_hist_percentile(h, 90), 8, "geometric: p90 = 8");
	tap_is_u64(hm_hist_percentile(h, 100), 1ull << 20, "geometric: max = 2^20");

	hm_hist_init(h);
	hm_hist_add(h, 1ull << 50);
	tap_is_u64(h->clamped, 1, "a value past 2^48 is counted as clamped");
	tap_is_u64(hm_hist_percentile(h, 50), 1ull << 50, "... but min/max keep it exact");
	free(h);
}

static void test_exact_small_samples(void)
{
	struct hm_hist *h = malloc(sizeof(*h)), *g = malloc(sizeof(*g));
	const uint64_t v[7] = { 2000, 200, 250, 1500, 300, 250, 400 };

	hm_hist_init(h);
	for (int i = 0; i < 7; i++)
		hm_hist_add(h, v[i]);
	tap_is_u64(hm_hist_percentile(h, 50), 300, "small sample: p50 exact (rank 4 of 7)");
	tap_is_u64(hm_hist_percentile(h, 90), 2000, "small sample: p90 is rank 7");
	tap_is_u64(hm_hist_percentile(h, 10), 200, "small sample: p10 is rank 1");
	tap_is_u64(hm_hist_percentile(h, 30), 250, "small sample: p30 is rank 3");
	hm_hist_init(g);
	hm_hist_add(g, 301);
	hm_hist_merge(g, h);
	tap_is_u64(hm_hist_percentile(g, 50), 300, "merged small samples stay exact");
	/* one past the exact sample: buckets take over */
	hm_hist_init(h);
	for (int i = 0; i <= HM_HIST_EXACT; i++)
		hm_hist_add(h, 300);
	hm_hist_add(h, 0);
	hm_hist_add(h, 100000);
	tap_is_u64(hm_hist_percentile(h, 50), 299, "past 64 values: bucket middle (296..303)");
	free(h);
	free(g);
}

static void test_merge_and_log2(void)
{
	struct hm_hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	uint64_t slots[HM_HIST_LOG2_SLOTS];
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int last;

	hm_hist_init(a);
	hm_hist_init(b);
	hm_hist_add(a, 1);
	hm_hist_add(a, 2);
	hm_hist_add(b, 3);
	for (int i = 0; i < 4; i++)
		hm_hist_add(b, 5);
	hm_hist_merge(a, b);
	tap_is_u64(a->count, 7, "merge: count");
	tap_is_u64(a->sum, 26, "merge: sum");
	tap_is_u64(a->max, 5, "merge: max");
	last = hm_hist_log2(a, slots);
	tap_is_u64((uint64_t)last, 2, "log2: last slot is 2 (4..7)");
	tap_is_u64(slots[0], 1, "log2: slot 0 holds 0..1");
	tap_is_u64(slots[1], 2, "log2: slot 1 holds 2..3");
	tap_is_u64(slots[2], 4, "log2: slot 2 holds 4..7");

	hm_hist_init(b);
	hm_hist_add(b, 1023);
	hm_hist_add(b, 1024);
	hm_hist_log2(b, slots);
	tap_ok(slots[9] == 1 && slots[10] == 1, "log2: 1023 in 512..1023, 1024 in 1024..2047");

	fp = open_memstream(&buf, &len);
	hm_hist_print_log2(fp, a, "nsecs");
	fclose(fp);
	tap_is_str(buf,
		   "     nsecs               : count    distribution\n"
		   "         0 -> 1          : 1        |**********                              |\n"
		   "         2 -> 3          : 2        |********************                    |\n"
		   "         4 -> 7          : 4        |****************************************|\n",
		   "log2 print matches the bcc *lat layout");
	free(buf);
	free(a);
	free(b);
}

int main(void)
{
	test_buckets();
	test_relative_error();
	test_percentiles();
	test_exact_small_samples();
	test_merge_and_log2();
	return tap_done();
}
