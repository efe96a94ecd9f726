/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_replay.h - the replay driver: reader -> model(s) -> analyses, streamed,
 * with the optional side outputs (timeline, trace conversion).
 *
 * Ownership: hm_replay_open() returns a session that owns its reader (and so
 * the string table reports refer to), its models and its output files until
 * hm_replay_close(); reports passed to hm_replay_run() stay the caller's.
 * Print the reports before closing the session.
 */
#ifndef HM_REPLAY_H
#define HM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "hm_model.h"
#include "hm_reader.h"
#include "hm_report.h"
#include "hm_util.h"

/* Profile settings from the command line; unset fields keep the trace's. */
struct hm_replay_overrides {
	const char *arch;	/* --arch NAME, NULL to keep */
	uint32_t last_pkmap;	/* --last-pkmap N, 0 to keep */
	uint32_t nr_cpus;	/* --cpus N, 0 to keep */
	int debug_kmap_local;	/* --debug-kmap-local: 1; -1 to keep */
	int tlb_policy;		/* --tlb-policy NAME: enum hm_tlb_policy; -1 to keep */
};

struct hm_replay_opts {
	const char *path;		/* the trace; "-" for stdin */
	struct hm_reader_opts reader;
	struct hm_replay_overrides ov;
	bool what_if;			/* baseline from the trace; the overrides run as what-if */
	bool no_shift;			/* what-if: do not delay tasks that block longer */
	const char *timeline;		/* --timeline FILE, or NULL */
	const char *convert;		/* --convert FILE, or NULL */
};

struct hm_replay;

/**
 * hm_replay_overrides_init() - overrides that change nothing
 * @ov: filled in
 */
void hm_replay_overrides_init(struct hm_replay_overrides *ov);

/**
 * hm_replay_profile() - the profile for a trace's meta with overrides applied
 * @meta: the trace's meta
 * @ov: the overrides, or NULL for none
 * @out: filled with the profile
 * @err: filled on failure (unknown arch, unusable combination)
 *
 * An --arch different from the trace's drops the meta's layout figures
 * (pkmap_base, fixaddr_top, last_pkmap) that belong to the recorded arch;
 * the machine's figures (CPUs, where highmem starts) are kept.
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_replay_profile(const struct hm_trace_meta *meta, const struct hm_replay_overrides *ov,
		      struct hm_profile *out, struct hm_error *err);

/**
 * hm_replay_open() - open the trace and the side outputs, build the model(s)
 * @opts: what to replay; the strings must outlive the session
 * @err: filled on failure
 *
 * Return: the session, or NULL with @err filled.
 */
struct hm_replay *hm_replay_open(const struct hm_replay_opts *opts, struct hm_error *err);

/**
 * hm_replay_profile_of() - the profile a session's model runs
 * @r: the session
 * @what_if: the what-if model's (only with opts.what_if)
 */
const struct hm_profile *hm_replay_profile_of(const struct hm_replay *r, bool what_if);

/**
 * hm_replay_run() - replay every event through the model(s) into the reports
 * @r: the session
 * @base: the report of the trace's own configuration (the only one without --what-if)
 * @what: the what-if report, or NULL
 * @err: filled on failure; status HM_EXIT_INTERRUPTED when a signal stopped it
 *
 * Side outputs are committed (renamed into place) only when the whole trace
 * was replayed.
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_replay_run(struct hm_replay *r, struct hm_report *base, struct hm_report *what,
		  struct hm_error *err);

/**
 * struct hm_replay_observer - a consumer of the replay beside the reports
 * @begin: once before the first event, with the reader's string table
 * @feed: every (event, outcome) pair a report is fed
 * @complete: every completion of a kmap that slept
 * @arg: passed back to each
 *
 * @what_if says which model the outcome came from.  Each returns 0, or a
 * negative errno to stop the replay (reported as out of memory).  hm-report
 * collects its time series this way, so its figures see exactly the
 * outcomes hm-replay's tables count.
 */
struct hm_replay_observer {
	int (*begin)(void *arg, bool what_if, const struct hm_strtab *strtab);
	int (*feed)(void *arg, bool what_if, const struct hm_event *ev,
		    const struct hm_outcome *out);
	int (*complete)(void *arg, bool what_if, const struct hm_outcome *out);
	void *arg;
};

/**
 * hm_replay_set_observer() - add an observer before hm_replay_run()
 * @r: the session
 * @obs: copied; NULL removes it
 */
void hm_replay_set_observer(struct hm_replay *r, const struct hm_replay_observer *obs);

/**
 * hm_replay_close() - release a session; unfinished side outputs are removed
 * @r: the session, or NULL
 */
void hm_replay_close(struct hm_replay *r);

#endif /* HM_REPLAY_H */
