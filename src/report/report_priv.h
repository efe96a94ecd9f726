/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report_priv.h - the report's tables, shared by report.c (accounting),
 * report_text.c and report_json.c (output); not for other directories.
 *
 * Ownership: struct hm_report owns every array and histogram hanging off it.
 */
#ifndef HM_REPORT_PRIV_H
#define HM_REPORT_PRIV_H

#include "hm_hist.h"
#include "hm_report.h"
#include "hm_u64map.h"

#define HM_REPORT_DEPTHS 64	/* depth histogram slots; deeper lands in the last */
#define HM_REPORT_MISMATCHES 8	/* first address mismatches listed */

/* Latency of one op at one key (all, a site, a CPU). */
struct hm_lat {
	uint16_t op;
	uint32_t key;		/* site id or CPU; 0 for the per-op total */
	uint64_t observed;	/* samples from ret_ts - ts */
	uint64_t modelled;	/* samples from the cost model */
	struct hm_hist hist;
};

struct hm_task {
	int32_t pid;
	uint32_t comm;
	uint64_t events;
	uint64_t sleeps;
	uint64_t sleep_ns;
	uint64_t spin_ns;
};

struct hm_site {
	uint64_t events;
	uint64_t spin_ns;
	uint64_t contended;
	uint64_t sleeps;
	uint64_t sleep_ns;
	uint64_t diags;
	uint32_t lat[HM_OP__COUNT];	/* index + 1 into rep->lats, 0 for none */
};

struct hm_cpu {
	bool seen;
	uint64_t events;
	uint64_t spin_ns;
	uint64_t contended;
	uint64_t local_maps;
	uint32_t max_depth;
	uint64_t tlb_local, tlb_range, tlb_full, ipis;
	uint32_t lat[HM_OP__COUNT];	/* index + 1 into rep->lats */
};

/* A row of a top-N table, ordered by @key, ties to the earlier event. */
struct hm_row {
	uint64_t key;
	uint64_t index;		/* event index */
	uint64_t ts;
	uint64_t map_ts;
	uint64_t map_index;
	uint64_t vaddr;
	int32_t pid;		/* who did it / released it */
	int32_t holder_pid;	/* pkmap: who mapped the slot; HM_PID_NONE if unknown */
	uint32_t cpu;
	uint32_t comm;
	uint32_t holder_comm;
	uint32_t site;
	uint32_t map_site;
	int32_t slot;
	uint16_t op;
	uint8_t local;
};

struct hm_topn {
	struct hm_row *rows;	/* a min-heap on (key, -index) while filling */
	unsigned int n, cap;
};

struct hm_wrap {
	uint64_t index;
	uint64_t ts;
	uint32_t cpu;
	int32_t pid;
	uint32_t site;
	uint32_t reclaimed;
	uint32_t tlb_range, tlb_full, ipis;
};

struct hm_violation {
	struct hm_diag d;
	uint64_t index;
	uint64_t ts;
	uint64_t vaddr;		/* the event's observed/passed address */
	int32_t pid;
	uint32_t cpu;
	uint32_t comm;
	uint32_t site;
	uint16_t op;
	uint8_t ctx;
};

struct hm_leak {
	struct hm_held h;
	uint32_t comm;
};

struct hm_mismatch {
	uint64_t index;
	uint64_t expected;
	uint64_t observed;
};

/* A kmap that went to sleep, until its completion arrives. */
struct hm_pending {
	uint64_t index;
	uint64_t ts;
	uint64_t cost_ns;
	int32_t pid;
	uint32_t cpu;
	uint32_t comm;
	uint32_t site;
	bool selected;
	bool latency_deferred;
	uint32_t next_free;
};

/* Who took a pkmap slot, for "held longest ... by whom". */
struct hm_slot_owner {
	int32_t pid;
	uint32_t comm;
};

struct hm_report {
	struct hm_report_opts opts;
	const char *label;
	const struct hm_strtab *strtab;
	struct hm_profile profile;
	bool have_profile;
	char *file;
	char *format;
	struct hm_trace_meta meta;
	bool have_meta;

	/* filter caches by string id: 0 unknown, 1 match, 2 no match */
	uint8_t *comm_match, *site_match;
	uint32_t comm_match_len, site_match_len;
	uint64_t since, until;	/* resolved once the first event is seen */
	bool window_resolved;

	uint64_t events;	/* all fed */
	uint64_t counted;	/* passing the filters */
	uint64_t first_ts, last_ts;		/* all events */
	uint64_t counted_first_ts, counted_last_ts;
	uint64_t backwards;
	uint64_t ops[HM_OP__COUNT];

	struct hm_cpu *cpus;
	uint32_t nr_cpus;	/* array length */
	struct hm_task *tasks;
	uint32_t nr_tasks, cap_tasks;
	struct hm_u64map task_idx;	/* pid -> index */
	struct hm_site *sites;
	uint32_t nr_sites;	/* array length, indexed by site id */

	/* latency */
	struct hm_lat **lats;
	uint32_t nr_lats, cap_lats;
	uint32_t lat_op[HM_OP__COUNT];	/* index + 1 */

	/* pkmap */
	uint64_t wraps;
	uint64_t last_wrap_ts;
	bool have_wrap;
	struct hm_hist wrap_interval;
	uint64_t reclaimed_total;
	uint32_t reclaimed_min, reclaimed_max;
	uint64_t wrap_tlb_range, wrap_tlb_full, wrap_ipis;
	struct hm_wrap *wrap_list;
	uint32_t nr_wrap_list;
	uint64_t flush_unused_reclaimed;
	uint64_t sleeps;	/* kmaps that slept (counted) */
	uint64_t sleeps_done;	/* ... and completed */
	struct hm_hist sleep_hist;
	struct hm_pending *pending;
	uint32_t nr_pending, cap_pending, free_pending;
	struct hm_u64map pending_idx;	/* event index -> pending slot */
	uint32_t peak_in_use, peak_dirty, peak_waiters;
	uint64_t peak_in_use_ts;
	long double occ_area;	/* slot-ns of pool_in_use over the window */
	uint64_t occ_prev_ts;
	uint32_t occ_prev;
	bool occ_started;
	uint64_t occ_first_ts, occ_last_ts;
	struct hm_slot_owner *owners;
	uint32_t nr_owners;
	struct hm_topn held;

	/* contention */
	uint64_t spin_ns;
	uint64_t contended;
	struct hm_topn worst_spins;

	/* local */
	uint32_t max_depth;
	uint64_t depth_hist[HM_REPORT_DEPTHS];
	uint64_t local_maps;

	/* tlb, summed from outcomes of counted events */
	uint64_t tlb_local, tlb_range, tlb_full, ipis;

	/* violations */
	uint64_t nr_violations;
	uint64_t by_rule[HM_DIAG__COUNT];
	struct hm_violation *viol;
	uint32_t nr_viol;

	/* agreement (from the model at the end; mismatches as they come) */
	struct hm_model_stats stats;
	bool have_stats;
	struct hm_mismatch mismatches[HM_REPORT_MISMATCHES];
	uint32_t nr_mismatches;

	/* leaks */
	uint64_t nr_leaks, leaks_pkmap, leaks_local;
	struct hm_leak *leaks;
	uint32_t nr_leak_list;

	/* what-if time shifting */
	struct hm_report_shift shift;
	bool have_shift;
};

unsigned int hm_report_top(const struct hm_report *rep);
/* Rows of a top-N table, best first; returns the count, fills *rows (owned by the table). */
unsigned int hm_topn_sorted(const struct hm_topn *t, const struct hm_row **rows);
const char *hm_report_str(const struct hm_report *rep, uint32_t id);
const char *hm_report_comm_of(const struct hm_report *rep, int32_t pid);
bool hm_report_is_latency_op(unsigned int op);
/* Human text of what the kernel did about a diagnostic. */
void hm_report_consequence(const struct hm_report *rep, const struct hm_violation *v, char *buf,
			   size_t size);
const char *hm_report_reaction_name(unsigned int reaction);
/* Seconds of trace time covered by the report's events (0 when under 1 ns). */
double hm_report_span_s(const struct hm_report *rep);
double hm_report_avg_in_use(const struct hm_report *rep);
const char *hm_report_lat_source(const struct hm_lat *l);

#endif /* HM_REPORT_PRIV_H */
