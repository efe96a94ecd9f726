// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rules.c - hm-lint's rules: stable IDs, one-line summaries, the kernel rule
 * each enforces and how to fix a violation.  The IDs of rules the model
 * reports are the model's diagnostic names (hm_diag_name()); never rename one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hm_lint.h"

static const struct hm_lint_rule rules[] = {
	{
		.id = "nesting-order",
		.diag_kind = HM_DIAG_LOCAL_OUT_OF_ORDER,
		.level = HM_LINT_ERROR,
		.summary = "local mapping unmapped out of LIFO order",
		.kernel_check = "kunmap_local_indexed(): WARN_ON_ONCE when the address is not the top of the stack",
		.description = "kmap_local_page() and kmap_atomic() mappings live on one stack per task "
			"(interrupts push onto the interrupted task's stack) and must be released in the "
			"reverse order they were taken. Given any other address than the top's, "
			"kunmap_local_indexed() warns once and still pops the stack: on x86 it tears down "
			"the top mapping, pulled from under its user, leaves the named one mapped and "
			"flushes the TLB for the wrong address; on ARM it clears the named mapping's PTE "
			"and leaves the top's set, for the next map in that slot to BUG on.",
		.help = "Unmap in the reverse order of mapping: a = kmap_local_page(p1); "
			"b = kmap_local_page(p2); ... kunmap_local(b); kunmap_local(a);",
	},
	{
		.id = "unmap-not-mapped",
		.diag_kind = HM_DIAG_LOCAL_NOT_MAPPED,
		.level = HM_LINT_ERROR,
		.summary = "local unmap of an address this task does not hold (double unmap, another task's mapping)",
		.kernel_check = "kunmap_local_indexed(): WARN_ON_ONCE when the address is not the top of the stack",
		.description = "Local mappings are thread-local and CPU-local: only the task that made one "
			"may unmap it, once. Unmapping an address the task does not hold (already "
			"unmapped, or another task's or CPU's mapping) makes kunmap_local_indexed() warn "
			"once and tear down whatever is on top of this task's stack.",
		.help = "Unmap each local mapping exactly once, in the task that made it; hand a page, "
			"not a kmap_local address, to other contexts, and map it there.",
	},
	{
		.id = "stack-overflow",
		.diag_kind = HM_DIAG_LOCAL_OVERFLOW,
		.level = HM_LINT_ERROR,
		.summary = "more nested local mappings than KM_MAX_IDX allows",
		.kernel_check = "kmap_local_idx_push(): BUG_ON(idx >= KM_MAX_IDX)",
		.description = "A task (with the interrupts that nest on it) can hold at most 15 local "
			"mappings (KM_MAX_IDX 16), or 16 with CONFIG_DEBUG_KMAP_LOCAL (KM_MAX_IDX 33, "
			"every other slot a guard page). One more and the kernel stops with BUG().",
		.help = "Release mappings before taking more; map and copy one page at a time instead "
			"of holding a whole array of pages mapped.",
	},
	{
		.id = "stack-underflow",
		.diag_kind = HM_DIAG_LOCAL_UNDERFLOW,
		.level = HM_LINT_ERROR,
		.summary = "local unmap while the task holds no local mapping",
		.kernel_check = "kmap_local_idx_pop(): BUG_ON(idx < 0)",
		.description = "kunmap_local()/kunmap_atomic() with an empty stack pops below zero: the "
			"kernel stops with BUG(). Usually a double unmap or an unmap on an error path "
			"that never mapped.",
		.help = "Pair every kunmap_local()/kunmap_atomic() with the map it releases; check the "
			"error paths.",
	},
	{
		.id = "local-pte-busy",
		.diag_kind = HM_DIAG_LOCAL_PTE_BUSY,
		.level = HM_LINT_ERROR,
		.summary = "local map onto a fixmap slot whose PTE an out-of-order unmap left set (ARM)",
		.kernel_check = "__kmap_local_pfn_prot(): BUG_ON(!pte_none(*kmap_pte))",
		.description = "Where the kmap PTEs are not one linear array (ARM: "
			"KMAP_LOCAL_NON_LINEAR_PTE_ARRAY), kunmap_local_indexed() finds the PTE to clear "
			"by the address it is given, but pops the stack index all the same. After an "
			"out-of-order unmap the named mapping's PTE is cleared and the top's stays set "
			"with no stack entry; the next local map that reuses that slot finds the PTE "
			"busy and the kernel stops with BUG().",
		.help = "Fix the out-of-order or foreign unmap the note points at: unmap in the "
			"reverse order of mapping.",
	},
	{
		.id = "unmap-page-not-address",
		.diag_kind = HM_DIAG_LOCAL_BAD_ADDR,
		.level = HM_LINT_ERROR,
		.summary = "kunmap_local/kunmap_atomic given a page, not the mapped address",
		.kernel_check = "kunmap_local_indexed(): WARN_ON_ONCE(addr < PAGE_OFFSET)",
		.description = "kunmap_local() and kunmap_atomic() take the address kmap_local_page() "
			"or kmap_atomic() returned, unlike kunmap(), which takes the page. An address "
			"below PAGE_OFFSET is no kernel mapping at all: the kernel warns once and "
			"ignores it, and the real mapping stays on the stack.",
		.help = "Pass the address: addr = kmap_local_page(page); ... kunmap_local(addr); "
			"never kunmap_local(page).",
	},
	{
		.id = "unmap-outside-fixmap",
		.diag_kind = HM_DIAG_UNMAP_OUTSIDE_FIXMAP,
		.level = HM_LINT_ERROR,
		.summary = "kunmap_local/kunmap_atomic of an address outside the kmap fixmap (a kmap() address?)",
		.kernel_check = NULL,
		.description = "An address above PAGE_OFFSET but outside the kmap fixmap is not a local "
			"mapping: a kmap() address from the pkmap area, or a kernel address above the "
			"direct map. kunmap_local_indexed() ignores it without a word, so the local "
			"mapping that was meant stays on the stack, and a kmap() mapping handed to "
			"kunmap_local() is never released.",
		.help = "Release kmap() mappings with kunmap(page) and local mappings with "
			"kunmap_local(addr) on the address kmap_local_page() returned.",
	},
	{
		.id = "force-map-unmap-outside",
		.diag_kind = HM_DIAG_LOCAL_FORCE_MAP_ADDR,
		.level = HM_LINT_ERROR,
		.summary = "with DEBUG_KMAP_LOCAL_FORCE_MAP, a local unmap outside the kmap fixmap",
		.kernel_check = "kunmap_local_indexed(): WARN_ON_ONCE(1) under CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP",
		.description = "With CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP every page, lowmem too, is mapped "
			"through the fixmap, so every address kunmap_local() receives must be inside it. "
			"Anything else was not returned by kmap_local_page(): the kernel warns and "
			"ignores it.",
		.help = "Unmap exactly the address kmap_local_page()/kmap_atomic() returned.",
	},
	{
		.id = "hardirq-irqs-enabled",
		.diag_kind = HM_DIAG_HARDIRQ_IRQS_ON,
		.level = HM_LINT_ERROR,
		.summary = "local mapping taken in hardirq context with interrupts enabled",
		.kernel_check = "kmap_local_idx_push(): WARN_ON_ONCE(in_hardirq() && !irqs_disabled())",
		.description = "A hard interrupt handler that re-enables interrupts and then maps can be "
			"interrupted by another handler that maps on the same stack; the kernel "
			"forbids it.",
		.help = "Map in hardirq context only with interrupts disabled, or move the work to a "
			"threaded handler or a workqueue.",
	},
	{
		.id = "irq-exit-held",
		.diag_kind = HM_DIAG_IRQ_EXIT_HELD,
		.level = HM_LINT_ERROR,
		.summary = "interrupt returned with local mappings it made still held",
		.kernel_check = NULL,
		.description = "Interrupts map on the stack of the task they interrupted and must "
			"release everything before they return. A mapping left behind sits on top of "
			"the task's own mappings, so the task's next unmap releases the wrong one. The "
			"kernel does not check this at irq exit.",
		.help = "Release every kmap_local_page()/kmap_atomic() mapping on all paths of the "
			"handler, error paths included, before it returns.",
	},
	{
		.id = "task-exit-held",
		.diag_kind = HM_DIAG_TASK_EXIT_HELD,
		.level = HM_LINT_ERROR,
		.summary = "task exited with local mappings held",
		.kernel_check = NULL,
		.description = "A task that exits while holding local mappings leaked them; with "
			"CONFIG_DEBUG_KMAP_LOCAL the kernel checks only on return to user space, not "
			"at exit.",
		.help = "Release every local mapping before the code path that ends the task; look for "
			"missing kunmap_local() on error paths.",
	},
	{
		.id = "fork-held",
		.diag_kind = HM_DIAG_FORK_HELD,
		.level = HM_LINT_ERROR,
		.summary = "fork while the parent holds local mappings",
		.kernel_check = "kmap_local_fork(): WARN_ON_ONCE(tsk->kmap_ctrl.idx), then clears the child's stack",
		.description = "A child starts with an empty local stack; a parent that forks while "
			"holding local mappings would hand the child a copy of its stack, so the kernel "
			"warns and clears it.",
		.help = "Release local mappings before fork/clone (kernel_thread, user-mode helpers).",
	},
	{
		.id = "sleep-in-atomic",
		.diag_kind = HM_DIAG_SLEEP_IN_ATOMIC,
		.level = HM_LINT_ERROR,
		.summary = "kmap()/kunmap() (may sleep) called in atomic context",
		.kernel_check = "might_sleep() in kmap()/kunmap(): \"BUG: sleeping function called from invalid context\" with CONFIG_DEBUG_ATOMIC_SLEEP",
		.description = "kmap() may sleep on the pkmap wait queue when the pool is full, and "
			"kmap_lock is taken without disabling interrupts (except on ARM with "
			"kmap_high_get()), so kmap() and kunmap() are for preemptible task context "
			"only: not in hardirq, softirq or NMI context, not inside a kmap_atomic() "
			"section, not with preemption or interrupts disabled.",
		.help = "Use kmap_local_page(), which never sleeps and works in any context; or move "
			"the kmap() out of the atomic section.",
	},
	{
		.id = "atomic-across-switch",
		.diag_kind = HM_DIAG_ATOMIC_ACROSS_SWITCH,
		.level = HM_LINT_ERROR,
		.summary = "context switch inside a kmap_atomic() section",
		.kernel_check = "__schedule_bug(): \"BUG: scheduling while atomic\"",
		.description = "kmap_atomic() disables preemption and page faults until "
			"kunmap_atomic(); scheduling inside the section (a sleep, a page fault that "
			"blocks) is a bug.",
		.help = "Do not sleep between kmap_atomic() and kunmap_atomic(); or use "
			"kmap_local_page(), whose mappings survive a context switch.",
	},
	{
		.id = "local-across-migrate",
		.diag_kind = HM_DIAG_ATOMIC_ACROSS_MIGRATE,
		.level = HM_LINT_ERROR,
		.summary = "task with local mappings moved to another CPU",
		.kernel_check = NULL,
		.description = "Local mappings are CPU-local: __kmap_local_pfn_prot() disables "
			"migration until the matching unmap, so a task holding one cannot move. A trace "
			"that shows it running on another CPU means the mapping is used from another "
			"CPU's context, where its fixmap address maps something else.",
		.help = "Do not re-enable migration (migrate_enable()/preempt_enable() imbalance) while "
			"a local mapping is held; keep the address within the mapping section.",
	},
	{
		.id = "kunmap-not-mapped",
		.diag_kind = HM_DIAG_KUNMAP_NOT_MAPPED,
		.level = HM_LINT_ERROR,
		.summary = "kunmap() of a page that has no pkmap mapping",
		.kernel_check = "kunmap_high(): BUG_ON(!vaddr)",
		.description = "kunmap() releases a mapping kmap() made. A highmem page with no pkmap "
			"address (never mapped, or unmapped and reclaimed by a pool flush) makes "
			"kunmap_high() stop the kernel with BUG().",
		.help = "Pair each kunmap(page) with a kmap(page) of the same page; do not kunmap() "
			"twice.",
	},
	{
		.id = "pkmap-count-underflow",
		.diag_kind = HM_DIAG_PKMAP_COUNT_UNDERFLOW,
		.level = HM_LINT_ERROR,
		.summary = "more kunmap() than kmap() of a page (double kunmap): pkmap count underflow",
		.kernel_check = "kunmap_high(): BUG() when pkmap_count drops to 0",
		.description = "pkmap_count is 1 for a slot nobody uses and n + 1 for n users; only a "
			"pool flush may bring it to 0. A kunmap() with no kmap() user left would drop it "
			"to 0 and the kernel stops with BUG().",
		.help = "Call kunmap() once per kmap() of the page; look for a double kunmap() on "
			"error paths.",
	},
	{
		.id = "kmap-high-get-count",
		.diag_kind = HM_DIAG_KMAP_HIGH_GET_COUNT,
		.level = HM_LINT_ERROR,
		.summary = "kmap_high_get() on a pkmap slot whose count is below 1",
		.kernel_check = "kmap_high_get(): BUG_ON(pkmap_count[nr] < 1)",
		.description = "kmap_high_get() (ARM with VIVT caches) takes a reference on an existing "
			"pkmap mapping; the slot's count must be at least 1.",
		.help = "This is pkmap bookkeeping gone wrong earlier: look for unbalanced "
			"kmap()/kunmap() of the page.",
	},
	{
		.id = "pkmap-leak",
		.diag_kind = -1,
		.level = HM_LINT_WARNING,
		.summary = "kmap() mapping never released (still held at the end of the trace)",
		.kernel_check = NULL,
		.description = "Every kmap() holds one of the LAST_PKMAP pool slots until kunmap(); "
			"a slot never released shrinks the pool for good, and a full pool makes every "
			"kmap() sleep. A trace that ends mid-section shows the same thing, so this is a "
			"warning.",
		.help = "Release kmap() mappings with kunmap() on every path; better, use "
			"kmap_local_page() for short sections.",
	},
	{
		.id = "pkmap-long-hold",
		.diag_kind = -1,
		.level = HM_LINT_WARNING,
		.summary = "kmap() mapping held longer than --max-hold",
		.kernel_check = NULL,
		.description = "kmap() was meant for short sections; a slot held for long keeps it from "
			"the pool, makes pool wraps and their TLB flushes more frequent, and leaves "
			"others sleeping for slots. Idle unless --max-hold is given.",
		.help = "Shorten the section, or map the page only around each access.",
	},
	{
		.id = "prefer-local-over-kmap",
		.diag_kind = -1,
		.level = HM_LINT_OFF,
		.style = true,
		.summary = "kmap() used where kmap_local_page() would do (style)",
		.kernel_check = NULL,
		.description = "Documentation/mm/highmem.rst lists kmap_local_page() first in the order "
			"of preference and deprecates kmap(): it needs no global lock, no pool slot and "
			"no TLB flush of every CPU. This section was short, used by one task on one CPU, "
			"did not sleep, and nested cleanly with the task's local mappings, so "
			"kmap_local_page() would do.",
		.help = "Replace kmap(page) ... kunmap(page) by addr = kmap_local_page(page) ... "
			"kunmap_local(addr), keeping the address within the task.",
	},
	{
		.id = "prefer-local-over-atomic",
		.diag_kind = -1,
		.level = HM_LINT_OFF,
		.style = true,
		.summary = "kmap_atomic() used where kmap_local_page() would do (style)",
		.kernel_check = NULL,
		.description = "Documentation/mm/highmem.rst deprecates kmap_atomic(): it disables "
			"preemption and page faults for the whole section, which kmap_local_page() does "
			"not need. This section was used by one task and nested cleanly.",
		.help = "Replace kmap_atomic()/kunmap_atomic() by kmap_local_page()/kunmap_local(); if "
			"the code relies on page faults or preemption being disabled, add "
			"pagefault_disable()/preempt_disable() explicitly.",
	},
};

#define NR_RULES (sizeof(rules) / sizeof(rules[0]))
_Static_assert(NR_RULES <= HM_LINT_MAX_RULES, "raise HM_LINT_MAX_RULES");

unsigned int hm_lint_rule_count(void)
{
	return NR_RULES;
}

const struct hm_lint_rule *hm_lint_rule_get(unsigned int i)
{
	return i < NR_RULES ? &rules[i] : NULL;
}

int hm_lint_rule_find(const char *id)
{
	for (unsigned int i = 0; i < NR_RULES; i++)
		if (strcmp(rules[i].id, id) == 0)
			return (int)i;
	return -1;
}

int hm_lint_rule_of_diag(unsigned int kind)
{
	for (unsigned int i = 0; i < NR_RULES; i++)
		if (rules[i].diag_kind == (int)kind)
			return (int)i;
	return -1;
}

static const char *level_name(uint8_t level)
{
	return level == HM_LINT_ERROR ? "error" : level == HM_LINT_WARNING ? "warning" : "off";
}

void hm_lint_list_rules(FILE *fp, enum hm_lint_format fmt)
{
	if (fmt == HM_LINT_TEXT) {
		for (unsigned int i = 0; i < NR_RULES; i++)
			fprintf(fp, "%-26s %-7s %s\n", rules[i].id, level_name(rules[i].level),
				rules[i].summary);
		return;
	}
	{
		json_t *a = json_array();

		for (unsigned int i = 0; i < NR_RULES; i++) {
			const struct hm_lint_rule *r = &rules[i];

			json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:s?}",
				"id", r->id, "level", level_name(r->level), "style", r->style,
				"summary", r->summary, "description", r->description,
				"help", r->help, "kernel_check", r->kernel_check));
		}
		json_dumpf(a, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', fp);
		json_decref(a);
	}
}

void hm_lint_opts_init(struct hm_lint_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (unsigned int i = 0; i < NR_RULES; i++)
		o->level[i] = rules[i].level;
	o->debug_kmap_local = -1;
}

void hm_lint_opts_release(struct hm_lint_opts *o)
{
	for (unsigned int i = 0; i < o->nr_supp; i++)
		free(o->supp[i].glob);
	free(o->supp);
	o->supp = NULL;
	o->nr_supp = 0;
}

static uint8_t on_level(const struct hm_lint_rule *r)
{
	return r->level == HM_LINT_OFF ? HM_LINT_WARNING : r->level;
}

int hm_lint_opts_set(struct hm_lint_opts *o, const char *name, bool on)
{
	bool all = strcmp(name, "all") == 0;
	bool style = strcmp(name, "style") == 0;
	int i;

	if (all || style) {
		for (unsigned int k = 0; k < NR_RULES; k++)
			if (all || rules[k].style)
				o->level[k] = on ? on_level(&rules[k]) : HM_LINT_OFF;
		return 0;
	}
	i = hm_lint_rule_find(name);
	if (i < 0)
		return -ENOENT;
	o->level[i] = on ? on_level(&rules[i]) : HM_LINT_OFF;
	return 0;
}
