// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * observe.c - see every (event, outcome) pair the replay driver produces.
 *
 * The driver (src/replay/replay.c) feeds each report with hm_report_begin(),
 * hm_report_feed() and hm_report_complete() but has no hook for another
 * consumer.  Rather
 * than copy its loop (lock-order queue, what-if address translation and
 * discrete-event time shifting), the targets linking hm_htmlreport_dep are
 * linked with --wrap for those three functions: the driver's calls land here,
 * go to the series attached to that report, then on to the real function.
 * Once hm_replay.h has an observer hook, this file and the link arguments go.
 */
#include <errno.h>
#include <stddef.h>

#include "hm_htmlreport.h"

int __real_hm_report_begin(struct hm_report *rep, const struct hm_strtab *strtab,
			   const struct hm_profile *profile, const char *file, const char *format,
			   const struct hm_trace_meta *meta);
int __wrap_hm_report_begin(struct hm_report *rep, const struct hm_strtab *strtab,
			   const struct hm_profile *profile, const char *file, const char *format,
			   const struct hm_trace_meta *meta);
int __real_hm_report_feed(struct hm_report *rep, const struct hm_event *ev,
			  const struct hm_outcome *out);
int __real_hm_report_complete(struct hm_report *rep, const struct hm_outcome *out);
int __wrap_hm_report_feed(struct hm_report *rep, const struct hm_event *ev,
			  const struct hm_outcome *out);
int __wrap_hm_report_complete(struct hm_report *rep, const struct hm_outcome *out);

#define MAX_ATTACHED 2	/* baseline and what-if */

/* The one piece of process state: which series listens to which report. */
static struct {
	const struct hm_report *rep;
	struct hm_series *s;
} attached[MAX_ATTACHED];
static int observe_err;

int hm_observe_attach(const struct hm_report *rep, struct hm_series *s)
{
	unsigned int i;

	for (i = 0; i < MAX_ATTACHED; i++) {
		if (attached[i].rep == rep) {
			attached[i].s = s;
			if (!s)
				attached[i].rep = NULL;
			return 0;
		}
	}
	if (!s)
		return 0;
	for (i = 0; i < MAX_ATTACHED; i++) {
		if (!attached[i].rep) {
			attached[i].rep = rep;
			attached[i].s = s;
			return 0;
		}
	}
	return -ENOSPC;
}

int hm_observe_error(void)
{
	return observe_err;
}

static struct hm_series *series_of(const struct hm_report *rep)
{
	for (unsigned int i = 0; i < MAX_ATTACHED; i++)
		if (attached[i].rep == rep)
			return attached[i].s;
	return NULL;
}

int __wrap_hm_report_begin(struct hm_report *rep, const struct hm_strtab *strtab,
			   const struct hm_profile *profile, const char *file, const char *format,
			   const struct hm_trace_meta *meta)
{
	struct hm_series *s = series_of(rep);

	/* the reader's strings, which the series needs for call-site names */
	if (s)
		hm_series_begin(s, strtab);
	return __real_hm_report_begin(rep, strtab, profile, file, format, meta);
}

int __wrap_hm_report_feed(struct hm_report *rep, const struct hm_event *ev,
			  const struct hm_outcome *out)
{
	struct hm_series *s = series_of(rep);

	if (s && hm_series_feed(s, ev, out)) {
		observe_err = -ENOMEM;
		return -ENOMEM;
	}
	return __real_hm_report_feed(rep, ev, out);
}

int __wrap_hm_report_complete(struct hm_report *rep, const struct hm_outcome *out)
{
	struct hm_series *s = series_of(rep);

	if (s && hm_series_complete(s, out)) {
		observe_err = -ENOMEM;
		return -ENOMEM;
	}
	return __real_hm_report_complete(rep, out);
}
