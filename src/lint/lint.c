// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lint.c - a lint session: options, suppression, folding of repeated
 * findings into one per (rule, call-site pair), the order they are printed
 * in, and the exit status.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lint_priv.h"

const char *lint_level_name(uint8_t level)
{
	return level == HM_LINT_ERROR ? "error" : level == HM_LINT_WARNING ? "warning" : "off";
}

const char *lint_op_call(unsigned int op)
{
	switch (op) {
	case HM_OP_KMAP:
		return "kmap";
	case HM_OP_KUNMAP:
		return "kunmap";
	case HM_OP_KMAP_ATOMIC:
		return "kmap_atomic";
	case HM_OP_KUNMAP_ATOMIC:
		return "kunmap_atomic";
	case HM_OP_KMAP_LOCAL:
		return "kmap_local_page";
	case HM_OP_KUNMAP_LOCAL:
		return "kunmap_local";
	case HM_OP_KMAP_HIGH_GET:
		return "kmap_high_get";
	default:
		return hm_op_name(op);
	}
}

void lint_fmt_ts(char *buf, size_t size, uint64_t ts)
{
	if (ts == HM_NONE)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%" PRIu64 ".%09" PRIu64, ts / 1000000000u, ts % 1000000000u);
}

void lint_finding_free(struct lint_finding *f)
{
	if (!f)
		return;
	for (uint32_t i = 0; i < f->nr_notes; i++)
		free(f->notes[i].text);
	for (uint32_t i = 0; i < f->nr_stack; i++)
		free(f->stack[i].site);
	free(f->notes);
	free(f->stack);
	free(f->stack_title);
	free(f->comm);
	free(f->site);
	free(f->other_site);
	free(f->message);
	free(f->kernel);
	free(f);
}

struct hm_lint *hm_lint_new(const struct hm_lint_opts *opts, FILE *out, enum hm_lint_format fmt)
{
	struct hm_lint *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->opts = *opts;
	l->opts.supp = NULL;
	l->opts.nr_supp = 0;
	if (opts->nr_supp) {
		l->opts.supp = calloc(opts->nr_supp, sizeof(*l->opts.supp));
		if (!l->opts.supp)
			goto nomem;
		for (unsigned int i = 0; i < opts->nr_supp; i++) {
			l->opts.supp[i] = opts->supp[i];
			l->opts.supp[i].glob = strdup(opts->supp[i].glob);
			l->opts.nr_supp++;
			if (!l->opts.supp[i].glob)
				goto nomem;
		}
	}
	l->out = out;
	l->fmt = fmt;
	l->keys = hm_strtab_new();
	if (!l->keys)
		goto nomem;
	if (fmt == HM_LINT_SARIF) {
		l->sarif_results = json_array();
		if (!l->sarif_results)
			goto nomem;
	}
	l->first_mismatch_index = HM_NONE;
	return l;
nomem:
	hm_lint_free(l);
	errno = ENOMEM;
	return NULL;
}

void hm_lint_free(struct hm_lint *l)
{
	if (!l)
		return;
	for (uint32_t i = 0; i < l->nr_held; i++)
		lint_finding_free(l->held[i]);
	free(l->held);
	free(l->group_of);
	hm_strtab_free(l->keys);
	for (uint32_t i = 0; i < l->nr_files; i++)
		free(l->files[i].name);
	free(l->files);
	json_decref(l->sarif_results);
	hm_lint_opts_release(&l->opts);
	free(l);
}

static void count_shown(struct hm_lint *l, const struct lint_finding *f)
{
	if (f->level == HM_LINT_ERROR)
		l->errors++;
	else
		l->warnings++;
}

int lint_commit(struct hm_lint *l, struct lint_finding *f)
{
	uint32_t id;
	char *key;

	if (!f->message || !f->comm || !f->site || !f->other_site) {
		lint_finding_free(f);
		return -ENOMEM;
	}
	if (f->level == HM_LINT_OFF) {
		lint_finding_free(f);
		return 0;
	}
	if (f->level == HM_LINT_WARNING && l->opts.werror)
		f->level = HM_LINT_ERROR;
	if (lint_suppressed(l, f)) {
		l->suppressed++;
		lint_finding_free(f);
		return 0;
	}
	if (f->level == HM_LINT_ERROR)
		l->error_occ++;
	else
		l->warning_occ++;
	f->seq = l->seq++;
	f->last_line = f->line;
	if (l->opts.all) {
		count_shown(l, f);
		lint_emit(l, f);
		lint_finding_free(f);
		return 0;
	}

	if (asprintf(&key, "%u\x1f%u\x1f%s\x1f%s", f->file, f->rule, f->site, f->other_site) < 0) {
		lint_finding_free(f);
		return -ENOMEM;
	}
	id = hm_strtab_intern(l->keys, key, strlen(key));
	free(key);
	if (id == UINT32_MAX) {
		lint_finding_free(f);
		return -ENOMEM;
	}
	if (id >= l->cap_group_of) {
		uint32_t cap = l->cap_group_of ? l->cap_group_of : 64;
		uint32_t *n;

		while (cap <= id)
			cap *= 2;
		n = realloc(l->group_of, cap * sizeof(*n));
		if (!n) {
			lint_finding_free(f);
			return -ENOMEM;
		}
		memset(n + l->cap_group_of, 0, (cap - l->cap_group_of) * sizeof(*n));
		l->group_of = n;
		l->cap_group_of = cap;
	}
	if (l->group_of[id]) {
		struct lint_finding *g = l->held[l->group_of[id] - 1];

		g->count++;
		if (f->line > g->last_line)
			g->last_line = f->line;
		lint_finding_free(f);
		return 0;
	}
	if (l->nr_held == l->cap_held) {
		uint32_t cap = l->cap_held ? l->cap_held * 2 : 64;
		struct lint_finding **n = realloc(l->held, cap * sizeof(*n));

		if (!n) {
			lint_finding_free(f);
			return -ENOMEM;
		}
		l->held = n;
		l->cap_held = cap;
	}
	l->held[l->nr_held++] = f;
	l->group_of[id] = l->nr_held;
	return 0;
}

static int finding_cmp(const void *a, const void *b)
{
	const struct lint_finding *x = *(const struct lint_finding *const *)a;
	const struct lint_finding *y = *(const struct lint_finding *const *)b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int hm_lint_finish(struct hm_lint *l)
{
	int status = HM_EXIT_OK;

	if (l->nr_held)
		qsort(l->held, l->nr_held, sizeof(*l->held), finding_cmp);
	for (uint32_t i = 0; i < l->nr_held; i++) {
		count_shown(l, l->held[i]);
		lint_emit(l, l->held[i]);
	}
	if (l->error_occ)
		status = HM_EXIT_FINDINGS;
	if (l->fail.status)
		status = l->fail.status;
	lint_emit_summary(l, status);
	return status;
}
