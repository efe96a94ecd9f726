/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lint_priv.h - what the parts of src/lint share: findings, the session, the
 * small hash map; not for tools.
 *
 * Ownership: a struct lint_finding owns all its strings and arrays
 * (lint_finding_free()); the session owns the findings it holds back.
 */
#ifndef HM_LINT_PRIV_H
#define HM_LINT_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "hm_lint.h"

/* ----------------------------------------------------- u64 -> u32 map --- */

struct lmap {
	uint64_t *keys;
	uint32_t *vals;
	bool *used;
	uint32_t mask;
	uint32_t count;
};

int lmap_init(struct lmap *m);
void lmap_free(struct lmap *m);
/* Return the value of @key, or UINT32_MAX. */
uint32_t lmap_get(const struct lmap *m, uint64_t key);
int lmap_put(struct lmap *m, uint64_t key, uint32_t val);
void lmap_del(struct lmap *m, uint64_t key);

/* ----------------------------------------------------------- findings --- */

struct lint_note {
	uint64_t line;			/* 0: the finding's own line */
	char *text;
};

/* One live local mapping, as a finding shows the stack. */
struct lint_frame {
	uint64_t vaddr;
	uint64_t page;			/* page key as the model uses it, HM_NONE if unknown */
	uint64_t ts;			/* HM_NONE: made before the trace */
	uint64_t line;
	uint32_t depth;			/* 1-based */
	uint8_t op;
	const char *mark;		/* static remark ("<- top"), or NULL */
	char *site;
};

struct lint_finding {
	uint32_t rule;
	uint8_t level;			/* enum hm_lint_level, after --Werror */
	int8_t reaction;		/* enum hm_kernel_reaction; -1: not a model rule */
	uint32_t file;			/* index into the session's file names */
	uint64_t line;			/* 0 if unknown */
	uint64_t index;			/* event index, HM_NONE if none */
	uint64_t ts;			/* HM_NONE if none */
	uint32_t cpu;
	int32_t pid;
	uint8_t ctx;
	uint8_t op;			/* enum hm_op of the event, or HM_OP__COUNT */
	char *comm;
	char *site;			/* this side's call site ("" if none) */
	char *other_site;		/* the other side's ("" if none) */
	char *message;
	char *kernel;			/* what the kernel does, one sentence, or NULL */
	struct lint_note *notes;
	uint32_t nr_notes;
	char *stack_title;		/* "2 local mappings held by cat/100 on cpu 0" */
	struct lint_frame *stack;
	uint32_t nr_stack;
	uint64_t count;			/* occurrences folded into this one */
	uint64_t last_line;
	uint64_t seq;			/* creation order */
};

void lint_finding_free(struct lint_finding *f);

/* ------------------------------------------------------------ session --- */

struct lint_file {
	char *name;			/* as given, "<stdin>" for "-" */
	uint64_t events;
	bool failed;
};

struct hm_lint {
	struct hm_lint_opts opts;	/* suppressions copied */
	FILE *out;
	enum hm_lint_format fmt;

	struct lint_file *files;
	uint32_t nr_files;

	/* grouping: key string -> held finding */
	struct hm_strtab *keys;
	uint32_t *group_of;		/* by key id, index + 1 into held[] */
	uint32_t cap_group_of;
	struct lint_finding **held;
	uint32_t nr_held, cap_held;
	uint64_t seq;

	/* SARIF results, written whole at the end */
	json_t *sarif_results;

	/* totals */
	uint64_t errors, warnings;		/* diagnostics shown */
	uint64_t error_occ, warning_occ;	/* occurrences */
	uint64_t suppressed;
	uint64_t events;
	uint64_t checked, mismatched, predates, synced, lost, held_local;
	uint64_t first_mismatch_index, first_mismatch_expected, first_mismatch_observed;
	uint32_t first_mismatch_file;
	struct hm_error fail;			/* first input/system error, status 0 if none */
};

/* Hand a finished finding to the session: suppress, fold or print it. */
int lint_commit(struct hm_lint *l, struct lint_finding *f);

/* emit.c */
void lint_emit(struct hm_lint *l, const struct lint_finding *f);
void lint_emit_summary(struct hm_lint *l, int status);

/* supp.c */
bool lint_suppressed(struct hm_lint *l, const struct lint_finding *f);

/* Shared formatting */
const char *lint_level_name(uint8_t level);
const char *lint_op_call(unsigned int op);
void lint_fmt_ts(char *buf, size_t size, uint64_t ts);

#endif /* HM_LINT_PRIV_H */
