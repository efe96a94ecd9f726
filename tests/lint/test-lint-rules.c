// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-lint-rules.c - hm-lint's rule table against the model's diagnostics,
 * the --enable/--disable logic, and the small hash map the checker uses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hm_lint.h"
#include "lint_priv.h"
#include "tap.h"

static void test_rules_match_model(void)
{
	unsigned int n = hm_lint_rule_count();

	for (unsigned int k = 0; k < HM_DIAG__COUNT; k++) {
		int r = hm_lint_rule_of_diag(k);

		if (k == HM_DIAG_ADDR_MISMATCH) {
			tap_ok(r < 0, "model-mismatch is a fact about the model, not a rule");
			continue;
		}
		tap_ok(r >= 0 && strcmp(hm_lint_rule_get((unsigned int)r)->id, hm_diag_name(k)) == 0,
		       "diagnostic %s has the rule of the same ID", hm_diag_name(k));
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct hm_lint_rule *r = hm_lint_rule_get(i);
		bool unique = true;

		for (unsigned int j = 0; j < i; j++)
			unique &= strcmp(hm_lint_rule_get(j)->id, r->id) != 0;
		tap_ok(unique && hm_lint_rule_find(r->id) == (int)i, "rule %s is unique and found",
		       r->id);
		tap_ok(r->summary[0] && !strchr(r->summary, '\n') && r->description[0] &&
		       r->help[0], "rule %s has a one-line summary, a description and help", r->id);
		tap_ok(!r->style || r->level == HM_LINT_OFF, "style rule %s is off by default",
		       r->id);
	}
	tap_ok(hm_lint_rule_get(n) == NULL && hm_lint_rule_find("no-such-rule") < 0,
	       "out-of-range and unknown rules are refused");
}

static void test_opts(void)
{
	struct hm_lint_opts o;
	int style = hm_lint_rule_find("prefer-local-over-kmap");
	int nest = hm_lint_rule_find("nesting-order");
	int leak = hm_lint_rule_find("pkmap-leak");

	hm_lint_opts_init(&o);
	tap_is_u64(o.level[style], HM_LINT_OFF, "style rules start off");
	tap_is_u64(o.level[nest], HM_LINT_ERROR, "nesting-order starts as an error");
	tap_is_u64(o.level[leak], HM_LINT_WARNING, "pkmap-leak starts as a warning");
	tap_ok(hm_lint_opts_set(&o, "style", true) == 0 && o.level[style] == HM_LINT_WARNING &&
	       o.level[nest] == HM_LINT_ERROR, "--enable style makes style rules warnings only");
	tap_ok(hm_lint_opts_set(&o, "all", false) == 0 && o.level[nest] == HM_LINT_OFF &&
	       o.level[style] == HM_LINT_OFF, "--disable all turns everything off");
	tap_ok(hm_lint_opts_set(&o, "nesting-order", true) == 0 && o.level[nest] == HM_LINT_ERROR,
	       "--enable RULE restores its default level");
	tap_is_u64((uint64_t)-hm_lint_opts_set(&o, "nesting-ordr", true), ENOENT,
		   "an unknown rule is ENOENT");
	hm_lint_opts_release(&o);
}

static void test_lmap(void)
{
	struct lmap m;
	bool good = true;

	tap_ok(lmap_init(&m) == 0, "lmap_init");
	for (uint64_t k = 0; k < 5000; k++)
		good &= lmap_put(&m, k * 4096, (uint32_t)k) == 0;
	tap_ok(good && m.count == 5000, "5000 keys put (the table grew)");
	for (uint64_t k = 0; k < 5000; k += 2)
		lmap_del(&m, k * 4096);
	good = true;
	for (uint64_t k = 0; k < 5000; k++)
		good &= lmap_get(&m, k * 4096) == ((k & 1) ? (uint32_t)k : UINT32_MAX);
	tap_ok(good && m.count == 2500, "every other key deleted, the rest still found");
	tap_ok(lmap_put(&m, 4096, 7) == 0 && lmap_get(&m, 4096) == 7 && m.count == 2500,
	       "put on an existing key replaces its value");
	lmap_free(&m);
}

int main(void)
{
	test_rules_match_model();
	test_opts();
	test_lmap();
	return tap_done();
}
