/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_lint.h - hm-lint as a library: the rule table, the options, and a lint
 * session that reads traces through the model and writes compiler-style
 * diagnostics (text, JSON Lines or SARIF 2.1.0).
 *
 * Ownership: hm_lint_new() returns a session only hm_lint_free() releases; it
 * copies the options (suppressions included) and writes to the FILE it was
 * given, which stays the caller's to close.
 */
#ifndef HM_LINT_H
#define HM_LINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hm_model.h"
#include "hm_reader.h"
#include "hm_util.h"

/* Severity of a rule: its default, or what the command line made of it. */
enum hm_lint_level {
	HM_LINT_OFF,
	HM_LINT_WARNING,
	HM_LINT_ERROR,
};

enum hm_lint_format {
	HM_LINT_TEXT,
	HM_LINT_JSON,		/* JSON Lines: one object per diagnostic, then the summary */
	HM_LINT_SARIF,		/* one SARIF 2.1.0 log */
};

/**
 * struct hm_lint_rule - one rule, as --list-rules, the man page and SARIF show it
 * @id: stable identifier, printed as [hm-lint:ID]
 * @summary: one line
 * @description: the kernel rule and what breaks when it is broken
 * @help: how to fix the code
 * @kernel_check: the kernel function that checks it and how, or NULL when
 *                nothing in the kernel does
 * @diag_kind: the enum hm_diag_kind the model reports it as, or -1 when
 *             hm-lint finds it itself
 * @level: default level (HM_LINT_OFF for the style rules)
 * @style: a style rule: a warning when enabled, never an error of its own
 */
struct hm_lint_rule {
	const char *id;
	const char *summary;
	const char *description;
	const char *help;
	const char *kernel_check;
	int diag_kind;
	uint8_t level;
	bool style;
};

/* Number of rules; never more than HM_LINT_MAX_RULES. */
#define HM_LINT_MAX_RULES 32
unsigned int hm_lint_rule_count(void);

/**
 * hm_lint_rule_get() - a rule by position
 * @i: 0 .. hm_lint_rule_count() - 1
 *
 * Return: the rule, or NULL when @i is out of range.
 */
const struct hm_lint_rule *hm_lint_rule_get(unsigned int i);

/**
 * hm_lint_rule_find() - a rule by its ID
 * @id: e.g. "nesting-order"
 *
 * Return: the rule's position, or -1.
 */
int hm_lint_rule_find(const char *id);

/**
 * hm_lint_rule_of_diag() - the rule that reports a model diagnostic
 * @kind: enum hm_diag_kind
 *
 * Return: the rule's position, or -1 for kinds that are no rule (model-mismatch).
 */
int hm_lint_rule_of_diag(unsigned int kind);

/* A suppression: RULE (or "*") and a glob on the call site. */
struct hm_lint_supp {
	int rule;		/* position, -1 for any rule */
	char *glob;
	uint64_t used;
};

/**
 * struct hm_lint_opts - what the command line asked for
 * @level: per rule, the effective level
 * @werror: warnings count as errors (and print as such)
 * @all: every occurrence, not one per (rule, call-site pair)
 * @max_hold_ns: pkmap-long-hold threshold; 0 leaves that rule idle
 * @supp: suppressions; owned by the options (hm_lint_opts_release())
 */
struct hm_lint_opts {
	uint8_t level[HM_LINT_MAX_RULES];
	bool werror;
	bool all;
	uint64_t max_hold_ns;
	struct hm_lint_supp *supp;
	unsigned int nr_supp;
	/* profile overrides from the command line; 0/NULL/-1 when unset */
	const char *arch;
	uint32_t nr_cpus;
	uint32_t last_pkmap;
	int debug_kmap_local;
	bool force_map;
	struct hm_reader_opts reader;
};

/**
 * hm_lint_opts_init() - the defaults: every rule at its default level
 * @o: the options
 */
void hm_lint_opts_init(struct hm_lint_opts *o);

/**
 * hm_lint_opts_release() - free what the options own (the suppressions)
 * @o: the options
 */
void hm_lint_opts_release(struct hm_lint_opts *o);

/**
 * hm_lint_opts_set() - --enable/--disable
 * @o: the options
 * @name: a rule ID, "all" or "style"
 * @on: enable (at the rule's level; warning for style rules) or disable
 *
 * Return: 0, or -ENOENT for an unknown name.
 */
int hm_lint_opts_set(struct hm_lint_opts *o, const char *name, bool on);

/**
 * hm_lint_opts_load_suppressions() - read a --suppress file
 * @o: the options
 * @path: lines of "RULE SITE-GLOB"; '#' starts a comment
 * @err: filled on failure
 *
 * Return: 0, or negative with @err filled (status 2 for a file that cannot
 * be opened, 3 for one that cannot be parsed).
 */
int hm_lint_opts_load_suppressions(struct hm_lint_opts *o, const char *path,
				   struct hm_error *err);

/**
 * hm_lint_list_rules() - --list-rules
 * @fp: where to write
 * @fmt: text (ID, default level, one line) or JSON (one array)
 */
void hm_lint_list_rules(FILE *fp, enum hm_lint_format fmt);

struct hm_lint;

/**
 * hm_lint_new() - a lint session
 * @opts: options; copied
 * @out: where diagnostics go
 * @fmt: their format
 *
 * Return: the session, or NULL with errno set.
 */
struct hm_lint *hm_lint_new(const struct hm_lint_opts *opts, FILE *out, enum hm_lint_format fmt);

/**
 * hm_lint_file() - check one trace
 * @l: the session
 * @path: the trace, as hm_reader_open() takes it; shown as given
 * @err: filled on failure
 *
 * Return: 0, or negative with @err filled (its status says which exit code).
 */
int hm_lint_file(struct hm_lint *l, const char *path, struct hm_error *err);

/**
 * hm_lint_finish() - write what was held back (grouped diagnostics) and the summary
 * @l: the session
 *
 * Return: the exit status: HM_EXIT_OK, or HM_EXIT_FINDINGS when there were
 * errors (or warnings with --Werror).
 */
int hm_lint_finish(struct hm_lint *l);

/**
 * hm_lint_free() - release a session
 * @l: the session, or NULL
 */
void hm_lint_free(struct hm_lint *l);

#endif /* HM_LINT_H */
