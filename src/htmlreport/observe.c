// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * observe.c - feed the time series from the replay driver's observer hook,
 * so the figures see exactly the (event, outcome) pairs hm-replay's tables
 * count, baseline and what-if alike.
 */
#include "hm_htmlreport.h"

static struct hm_series *series(void *arg, bool what_if)
{
	return ((struct hm_observe *)arg)->s[what_if];
}

static int obs_begin(void *arg, bool what_if, const struct hm_strtab *strtab)
{
	struct hm_series *s = series(arg, what_if);

	/* the reader's strings, which the series needs for call-site names */
	if (s)
		hm_series_begin(s, strtab);
	return 0;
}

static int obs_feed(void *arg, bool what_if, const struct hm_event *ev,
		    const struct hm_outcome *out)
{
	struct hm_series *s = series(arg, what_if);

	return s ? hm_series_feed(s, ev, out) : 0;
}

static int obs_complete(void *arg, bool what_if, const struct hm_outcome *out)
{
	struct hm_series *s = series(arg, what_if);

	return s ? hm_series_complete(s, out) : 0;
}

void hm_observe_init(struct hm_replay_observer *obs, struct hm_observe *o)
{
	obs->begin = obs_begin;
	obs->feed = obs_feed;
	obs->complete = obs_complete;
	obs->arg = o;
}
