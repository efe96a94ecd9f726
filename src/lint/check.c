// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check.c - one trace through the model and the rules.
 *
 * The model (src/model) decides what the kernel does and reports every
 * kernel-rule violation as a diagnostic; this file turns those into findings
 * with their context, and adds the rules the model has no say in (pkmap
 * slots never released or held too long, unmaps outside the kmap fixmap,
 * the style rules).  For the context it keeps a shadow of what the model
 * keeps internally, rebuilt from outcomes only: the live local mappings of
 * every task (with where and when each was made), the open kmap_atomic
 * sections, the interrupt frames, and every live kmap() user.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lint_priv.h"
#include "hm_lockorder.h"

#define MAX_STACK 34		/* KM_MAX_IDX 33 + 1: deeper than any profile allows */
#define REL_RING 8		/* recent local unmaps remembered per task */
#define MAX_IRQ_NEST 16		/* as the model */
#define NONE32 UINT32_MAX
#define PAGE_ID_BIT (1ull << 63)
#define STYLE_SHORT_NS 1000000ull	/* a "short" kmap() section without --max-hold: 1 ms */

struct lent {			/* one live local mapping */
	uint64_t vaddr;
	uint64_t page;
	uint64_t ts;
	uint64_t line;
	uint64_t index;
	uint32_t site;
	uint32_t cpu;
	uint8_t op;
	bool known;		/* false: made before the trace began */
	bool tainted;		/* touched by a violation: no style advice */
};

struct lrel {			/* a local mapping released recently */
	uint64_t vaddr;
	uint64_t passed;	/* the address the unmap named, HM_NONE if none */
	uint64_t line;
	uint32_t site;
	uint8_t op;
};

struct latomic {		/* an open kmap_atomic() section */
	uint64_t line;
	uint32_t site;
};

struct ltask {
	int64_t key;
	int32_t pid;
	uint32_t comm;
	uint32_t cpu;
	uint32_t depth;
	uint32_t nr_atomic;
	uint32_t kmaps;		/* live kmap() users recorded for this task */
	uint32_t rel_n;
	struct lent ent[MAX_STACK];
	struct latomic atomic[MAX_STACK];
	struct lrel rel[REL_RING];
};

struct krec {			/* one live kmap() user */
	uint64_t page;
	uint64_t ts;
	uint64_t line;
	uint64_t index;
	uint64_t vaddr;
	int64_t task;
	int32_t pid;
	uint32_t site;
	uint32_t comm;
	uint32_t cpu;
	uint32_t depth0;	/* the task's local depth when it was taken */
	uint32_t min_depth;	/* the lowest it went since */
	uint32_t next;		/* next user of the same page, or the free list */
	uint8_t op;
	bool live;
	bool tainted;		/* slept, moved, shared, or touched by a violation */
};

struct kpage {			/* the last release of a page's kmap() */
	uint64_t line;
	uint32_t site;
};

struct lstale {			/* a local PTE an out-of-order unmap left set (ARM) */
	uint64_t line;
	uint64_t passed;
	uint32_t site;
	uint8_t op;
};

struct lwait {			/* a kmap() asleep for a slot */
	uint64_t index;
	uint64_t line;
	uint32_t site;
	uint32_t comm;
	uint8_t op;
};

struct irqf {
	int64_t task;
	uint32_t depth;
};

struct trace {
	struct hm_lint *l;
	uint32_t file;
	const char *name;
	struct hm_model *model;
	struct hm_profile p;
	struct hm_strtab *strs;
	uint32_t km_max_idx, km_incr;
	uint64_t fix_lo, fix_hi;	/* the kmap fixmap, page addresses inclusive */
	uint64_t pkmap_lo, pkmap_hi;	/* the pkmap area, [lo, hi) */
	uint64_t last_ts;

	struct ltask **tasks;
	uint32_t nr_tasks, cap_tasks;
	struct lmap task_of;

	struct krec *recs;
	uint32_t nr_recs, cap_recs, free_rec;
	struct lmap rec_of_page;	/* page -> first live user */

	struct kpage *kpages;
	uint32_t nr_kpages, cap_kpages;
	struct lmap kpage_of;

	struct lwait *waits;
	uint32_t nr_waits, cap_waits;

	struct lstale *stale;
	uint32_t nr_stale, cap_stale;
	struct lmap stale_of;		/* vaddr -> index into stale[] */

	int rule_outside, rule_long, rule_style_kmap, rule_style_atomic, rule_leak;

	struct irqf *irq;		/* [cpu * MAX_IRQ_NEST + n] */
	uint32_t *nest;
	bool oom;
};

/* ---------------------------------------------------------- helpers --- */

static const char *str(const struct trace *tr, uint32_t id)
{
	return hm_strtab_get(tr->strs, id);
}

static uint64_t page_mask(const struct trace *tr)
{
	return ~((1ull << tr->p.page_shift) - 1);
}

static uint64_t event_page(const struct hm_event *ev)
{
	if (ev->pfn != HM_NONE)
		return ev->pfn;
	if (ev->page != HM_NONE)
		return ev->page | PAGE_ID_BIT;
	return HM_NONE;
}

static void page_desc(char *buf, size_t size, uint64_t key)
{
	if (key == HM_NONE)
		snprintf(buf, size, "page unknown");
	else if (key & PAGE_ID_BIT)
		snprintf(buf, size, "page 0x%" PRIx64, (uint64_t)(key & ~PAGE_ID_BIT));
	else
		snprintf(buf, size, "pfn 0x%" PRIx64, key);
}

/* "kunmap_local(0xfffbb000)", "kmap(pfn 0x40000)" */
static void call_desc(char *buf, size_t size, const struct hm_event *ev)
{
	char arg[48];
	bool by_addr = ev->op == HM_OP_KUNMAP_LOCAL || ev->op == HM_OP_KUNMAP_ATOMIC;

	if ((by_addr || event_page(ev) == HM_NONE) && ev->vaddr != HM_NONE)
		snprintf(arg, sizeof(arg), "0x%" PRIx64, ev->vaddr);
	else
		page_desc(arg, sizeof(arg), event_page(ev));
	snprintf(buf, size, "%s(%s)", lint_op_call(ev->op), arg);
}

static void fmt_dur(char *buf, size_t size, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, size, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.1f us", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.3f ms", (double)ns / 1e6);
	else
		snprintf(buf, size, "%.3f s", (double)ns / 1e9);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* The address of the local mapping at @depth (1-based) on @cpu, colour 0. */
static uint64_t local_addr(const struct trace *tr, uint32_t depth, uint32_t cpu)
{
	uint64_t slot = (uint64_t)depth * tr->km_incr - 1;
	uint64_t fix = (slot + (uint64_t)tr->km_max_idx * cpu) * tr->p.nr_colors;

	return tr->p.fixaddr_top - ((tr->p.fix_kmap_begin + fix) << tr->p.page_shift);
}

/* The CPU whose kmap range holds @addr, or -1 outside the kmap fixmap. */
static int64_t local_cpu_of(const struct trace *tr, uint64_t addr)
{
	uint64_t fix;

	if (addr < tr->fix_lo || addr > tr->fix_hi)
		return -1;
	fix = ((tr->p.fixaddr_top - addr) >> tr->p.page_shift) - tr->p.fix_kmap_begin;
	return (int64_t)(fix / tr->p.nr_colors / tr->km_max_idx);
}

/* ------------------------------------------------------------ tasks --- */

static int64_t task_key(int32_t pid, uint32_t cpu)
{
	/* every CPU has its own idle task, and all of them are pid 0 (as the model) */
	return pid == 0 ? -(int64_t)cpu - 1 : pid;
}

static struct ltask *task_find(struct trace *tr, int32_t pid, uint32_t cpu)
{
	uint32_t i = lmap_get(&tr->task_of, (uint64_t)task_key(pid, cpu));

	return i == NONE32 ? NULL : tr->tasks[i];
}

static struct ltask *task_get(struct trace *tr, int32_t pid, uint32_t cpu, uint32_t comm)
{
	struct ltask *t = task_find(tr, pid, cpu);

	if (t) {
		if (comm)
			t->comm = comm;
		return t;
	}
	if (tr->nr_tasks == tr->cap_tasks) {
		uint32_t cap = tr->cap_tasks ? tr->cap_tasks * 2 : 64;
		struct ltask **n = realloc(tr->tasks, cap * sizeof(*n));

		if (!n)
			return NULL;
		tr->tasks = n;
		tr->cap_tasks = cap;
	}
	t = calloc(1, sizeof(*t));
	if (!t || lmap_put(&tr->task_of, (uint64_t)task_key(pid, cpu), tr->nr_tasks)) {
		free(t);
		return NULL;
	}
	t->key = task_key(pid, cpu);
	t->pid = pid;
	t->cpu = cpu;
	t->comm = comm;
	tr->tasks[tr->nr_tasks++] = t;
	return t;
}

static void task_name(char *buf, size_t size, const struct trace *tr, const struct ltask *t)
{
	const char *comm = str(tr, t->comm);

	snprintf(buf, size, "%s/%d", comm[0] ? comm : "?", t->pid);
}

/* Grow or shrink the shadow stack to @depth, inventing pre-trace entries below. */
static void task_resize(struct trace *tr, struct ltask *t, uint32_t depth)
{
	if (depth >= MAX_STACK)
		depth = MAX_STACK - 1;
	while (t->depth < depth) {
		struct lent *e = &t->ent[t->depth];

		memset(e, 0, sizeof(*e));
		t->depth++;
		e->vaddr = local_addr(tr, t->depth, t->cpu);
		e->page = HM_NONE;
		e->ts = HM_NONE;
		e->cpu = t->cpu;
		e->op = HM_OP_KMAP_LOCAL;
	}
	t->depth = depth;
}

static void task_taint(struct trace *tr, struct ltask *t)
{
	for (uint32_t i = 0; i < t->depth; i++)
		t->ent[i].tainted = true;
	if (!t->kmaps)
		return;
	for (uint32_t i = 0; i < tr->nr_recs; i++)
		if (tr->recs[i].live && tr->recs[i].task == t->key)
			tr->recs[i].tainted = true;
}

static void task_reset(struct ltask *t)
{
	t->depth = 0;
	t->nr_atomic = 0;
	t->rel_n = 0;
}

/* ------------------------------------------------------ kmap() users --- */

static struct krec *rec_add(struct trace *tr, uint64_t page)
{
	struct krec *r;
	uint32_t i, head;

	if (tr->free_rec != NONE32) {
		i = tr->free_rec;
		tr->free_rec = tr->recs[i].next;
	} else {
		if (tr->nr_recs == tr->cap_recs) {
			uint32_t cap = tr->cap_recs ? tr->cap_recs * 2 : 256;
			struct krec *n = realloc(tr->recs, cap * sizeof(*n));

			if (!n)
				return NULL;
			tr->recs = n;
			tr->cap_recs = cap;
		}
		i = tr->nr_recs++;
	}
	head = lmap_get(&tr->rec_of_page, page);
	if (lmap_put(&tr->rec_of_page, page, i)) {
		tr->recs[i].live = false;
		tr->recs[i].next = tr->free_rec;
		tr->free_rec = i;
		return NULL;
	}
	r = &tr->recs[i];
	memset(r, 0, sizeof(*r));
	r->page = page;
	r->next = head;
	r->live = true;
	return r;
}

/* Unlink user @i of @page (it must be live). */
static void rec_del(struct trace *tr, uint32_t i)
{
	uint64_t page = tr->recs[i].page;
	uint32_t head = lmap_get(&tr->rec_of_page, page);

	if (head == i) {
		if (tr->recs[i].next == NONE32)
			lmap_del(&tr->rec_of_page, page);
		else
			lmap_put(&tr->rec_of_page, page, tr->recs[i].next);
	} else {
		for (uint32_t j = head; j != NONE32; j = tr->recs[j].next) {
			if (tr->recs[j].next == i) {
				tr->recs[j].next = tr->recs[i].next;
				break;
			}
		}
	}
	tr->recs[i].live = false;
	tr->recs[i].next = tr->free_rec;
	tr->free_rec = i;
}

/* The user a kunmap() by @key releases: this task's newest, else the oldest. */
static uint32_t rec_pick(const struct trace *tr, uint64_t page, int64_t key)
{
	uint32_t any = NONE32;

	for (uint32_t j = lmap_get(&tr->rec_of_page, page); j != NONE32; j = tr->recs[j].next) {
		if (tr->recs[j].task == key)
			return j;
		any = j;
	}
	return any;
}

static void kpage_note_release(struct trace *tr, uint64_t page, const struct hm_event *ev)
{
	uint32_t i = lmap_get(&tr->kpage_of, page);

	if (i == NONE32) {
		if (tr->nr_kpages == tr->cap_kpages) {
			uint32_t cap = tr->cap_kpages ? tr->cap_kpages * 2 : 256;
			struct kpage *n = realloc(tr->kpages, cap * sizeof(*n));

			if (!n) {
				tr->oom = true;
				return;
			}
			tr->kpages = n;
			tr->cap_kpages = cap;
		}
		i = tr->nr_kpages;
		if (lmap_put(&tr->kpage_of, page, i)) {
			tr->oom = true;
			return;
		}
		tr->nr_kpages++;
	}
	tr->kpages[i].line = ev->line;
	tr->kpages[i].site = ev->site;
}

/* --------------------------------------------------------- findings --- */

static struct lint_finding *fnew(struct trace *tr, unsigned int rule, const struct hm_event *ev)
{
	struct lint_finding *f = calloc(1, sizeof(*f));

	if (!f) {
		tr->oom = true;
		return NULL;
	}
	f->rule = rule;
	f->level = tr->l->opts.level[rule];
	f->reaction = -1;
	f->file = tr->file;
	f->count = 1;
	f->index = HM_NONE;
	f->ts = HM_NONE;
	f->op = HM_OP__COUNT;
	if (ev) {
		f->line = ev->line;
		f->index = ev->index;
		f->ts = ev->ts;
		f->cpu = ev->cpu;
		f->pid = ev->pid;
		f->ctx = ev->ctx;
		f->op = (uint8_t)ev->op;
		f->comm = strdup(str(tr, ev->comm));
		f->site = strdup(str(tr, ev->site));
	} else {
		f->comm = strdup("");
		f->site = strdup("");
	}
	f->other_site = strdup("");
	return f;
}

static void fset(char **dst, const char *s)
{
	char *n = strdup(s);

	if (n) {
		free(*dst);
		*dst = n;
	}
}

static __attribute__((format(printf, 2, 3))) void fmsg(struct lint_finding *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0) {
		free(f->message);
		f->message = s;
	}
	va_end(ap);
}

static __attribute__((format(printf, 3, 4))) void fnote(struct lint_finding *f, uint64_t line,
							 const char *fmt, ...)
{
	struct lint_note *n;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	n = realloc(f->notes, (f->nr_notes + 1) * sizeof(*n));
	if (!n) {
		free(s);
		return;
	}
	f->notes = n;
	n[f->nr_notes].line = line;
	n[f->nr_notes].text = s;
	f->nr_notes++;
}

/* Where the call came from, in one note: the first one every finding gets. */
static void fcontext(struct trace *tr, struct lint_finding *f, const struct hm_event *ev)
{
	char call[96], ts[32];
	const char *site = str(tr, ev->site);
	const char *comm = str(tr, ev->comm);

	call_desc(call, sizeof(call), ev);
	lint_fmt_ts(ts, sizeof(ts), ev->ts);
	if (ev->op >= HM_OP_SCHED_SWITCH)
		snprintf(call, sizeof(call), "%s", hm_op_name(ev->op));
	fnote(f, 0, "%s%s%s in %s/%d on cpu %u (%s context) at %s", call,
	      site[0] ? " called from " : "", site, comm[0] ? comm : "?", ev->pid, ev->cpu,
	      hm_ctx_name(ev->ctx), ts);
}

/* What the kernel does: from the model's reaction and the rule's kernel check. */
static void fkernel(struct lint_finding *f, uint8_t reaction)
{
	const struct hm_lint_rule *r = hm_lint_rule_get(f->rule);
	const char *check = r->kernel_check;
	char *s = NULL;
	int n = -1;

	f->reaction = (int8_t)reaction;
	switch (reaction) {
	case HM_KERNEL_BUG:
		n = asprintf(&s, "the kernel would BUG() here%s%s%s", check ? " (" : "",
			     check ? check : "", check ? ")" : "");
		break;
	case HM_KERNEL_WARN:
		n = asprintf(&s, "the kernel would WARN here%s%s%s", check ? " (" : "",
			     check ? check : "", check ? ")" : "");
		break;
	case HM_KERNEL_WARN_ONCE:
		n = asprintf(&s, "the kernel would WARN once here%s%s%s", check ? " (" : "",
			     check ? check : "", check ? ")" : "");
		break;
	case HM_KERNEL_WARNED_BEFORE:
		n = asprintf(&s, "the kernel stays silent here: its one-time warning "
			     "already fired earlier in this trace%s%s%s", check ? " (" : "",
			     check ? check : "", check ? ")" : "");
		break;
	case HM_KERNEL_DEBUG_ONLY:
		n = asprintf(&s, "the kernel says nothing here unless built with a debug option%s%s%s",
			     check ? " (" : "", check ? check : "", check ? ")" : "");
		break;
	default:
		n = asprintf(&s, "the kernel does not check this: nothing in dmesg");
		break;
	}
	if (n >= 0) {
		free(f->kernel);
		f->kernel = s;
	}
}

/*
 * Copy the stack of @t, entries above @from (0 for all), as lockdep shows the
 * locks a task holds: oldest first, each with its address, page, site, time.
 */
static void fstack(struct trace *tr, struct lint_finding *f, const struct ltask *t,
		   uint32_t from, uint64_t mark_addr, const char *mark)
{
	char who[64];
	uint32_t n = t->depth > from ? t->depth - from : 0;

	if (!n)
		return;
	f->stack = calloc(n, sizeof(*f->stack));
	if (!f->stack)
		return;
	for (uint32_t i = from; i < t->depth; i++) {
		const struct lent *e = &t->ent[i];
		struct lint_frame *fr = &f->stack[f->nr_stack];

		fr->vaddr = e->vaddr;
		fr->page = e->page;
		fr->ts = e->known ? e->ts : HM_NONE;
		fr->line = e->known ? e->line : 0;
		fr->depth = i + 1;
		fr->op = e->op;
		fr->site = strdup(e->known ? str(tr, e->site) : "");
		if (!fr->site)
			break;
		if (mark && e->vaddr == mark_addr)
			fr->mark = mark;
		f->nr_stack++;
	}
	task_name(who, sizeof(who), tr, t);
	if (asprintf(&f->stack_title, "%u local mapping%s held by %s on cpu %u, oldest first:",
		     t->depth, plural(t->depth), who, t->cpu) < 0)
		f->stack_title = NULL;
	if (from && f->stack_title) {
		free(f->stack_title);
		if (asprintf(&f->stack_title, "left by the interrupt on the stack of %s, oldest first:",
			     who) < 0)
			f->stack_title = NULL;
	}
}

static const struct lent *stack_find(const struct ltask *t, uint64_t addr)
{
	for (uint32_t i = t->depth; i-- > 0;)
		if (t->ent[i].vaddr == addr)
			return &t->ent[i];
	return NULL;
}

static void commit(struct trace *tr, struct lint_finding *f)
{
	if (f && lint_commit(tr->l, f))
		tr->oom = true;
}

static bool rule_on(const struct trace *tr, int rule)
{
	return rule >= 0 && tr->l->opts.level[rule] != HM_LINT_OFF;
}

/* Notes shared by the local unmap rules: what this task unmapped there before. */
static void note_double_unmap(struct trace *tr, struct lint_finding *f, const struct ltask *t,
			      uint64_t addr)
{
	for (uint32_t k = 0; k < t->rel_n && k < REL_RING; k++) {
		const struct lrel *r = &t->rel[(t->rel_n - 1 - k) % REL_RING];
		const char *site = str(tr, r->site);

		if (r->vaddr != addr)
			continue;
		if (r->passed != HM_NONE && r->passed != r->vaddr)
			fnote(f, r->line, "0x%" PRIx64 " was torn down here, when %s(0x%" PRIx64 ")%s%s "
			      "was called out of order: this unmap finds it gone", addr,
			      lint_op_call(r->op), r->passed, site[0] ? " from " : "", site);
		else
			fnote(f, r->line, "0x%" PRIx64 " was already unmapped here by %s()%s%s: a double "
			      "unmap", addr, lint_op_call(r->op), site[0] ? " from " : "", site);
		return;
	}
}

/* Another task holding @addr: local mappings are thread-local. */
static void note_other_owner(struct trace *tr, struct lint_finding *f, const struct ltask *t,
			     uint64_t addr, uint32_t cpu)
{
	int64_t owner_cpu = local_cpu_of(tr, addr);

	for (uint32_t i = 0; i < tr->nr_tasks; i++) {
		const struct ltask *o = tr->tasks[i];
		const struct lent *e;
		char who[64];

		if (o == t || !(e = stack_find(o, addr)) || !e->known)
			continue;
		task_name(who, sizeof(who), tr, o);
		fnote(f, e->line, "0x%" PRIx64 " is a local mapping of %s, made here by %s()%s%s: "
		      "local mappings are thread-local", addr, who, lint_op_call(e->op),
		      str(tr, e->site)[0] ? " from " : "", str(tr, e->site));
		return;
	}
	if (owner_cpu >= 0 && (uint32_t)owner_cpu != cpu)
		fnote(f, 0, "0x%" PRIx64 " is in cpu %" PRId64 "'s kmap range, but this runs on cpu %u: "
		      "local mappings are CPU-local", addr, owner_cpu, cpu);
}

/* ----------------------------------------------- model diagnostics --- */

/* ARM: the unmap of @ev cleared another PTE and left the one at @vaddr set. */
static void stale_note(struct trace *tr, const struct hm_event *ev, uint64_t vaddr)
{
	uint32_t i = lmap_get(&tr->stale_of, vaddr);

	if (i == NONE32) {
		if (tr->nr_stale == tr->cap_stale) {
			uint32_t cap = tr->cap_stale ? tr->cap_stale * 2 : 16;
			struct lstale *n = realloc(tr->stale, cap * sizeof(*n));

			if (!n) {
				tr->oom = true;
				return;
			}
			tr->stale = n;
			tr->cap_stale = cap;
		}
		i = tr->nr_stale;
		if (lmap_put(&tr->stale_of, vaddr, i)) {
			tr->oom = true;
			return;
		}
		tr->nr_stale++;
	}
	tr->stale[i] = (struct lstale){ .line = ev->line, .site = ev->site, .op = (uint8_t)ev->op,
		.passed = ev->vaddr != HM_NONE ? ev->vaddr & page_mask(tr) : HM_NONE };
}

static void diag_local_unmap(struct trace *tr, struct lint_finding *f, const struct hm_event *ev,
			     const struct hm_outcome *out, const struct hm_diag *d, struct ltask *t)
{
	char call[96];
	uint64_t addr = ev->vaddr != HM_NONE ? ev->vaddr & page_mask(tr) : HM_NONE;
	const struct lent *top = t->depth ? &t->ent[t->depth - 1] : NULL;

	call_desc(call, sizeof(call), ev);
	switch (d->kind) {
	case HM_DIAG_LOCAL_OUT_OF_ORDER:
		fmsg(f, "%s out of order: top of stack is 0x%" PRIx64, call, d->other_addr);
		fkernel(f, d->reaction);
		if (tr->p.kmap_pte_nonlinear) {
			fnote(f, 0, "on this architecture the kernel finds the PTE by address: it clears "
			      "0x%" PRIx64 "'s PTE but pops the stack all the same, so 0x%" PRIx64
			      " loses its stack entry while its PTE stays set, and the next local map "
			      "in that slot on cpu %u hits BUG() (local-pte-busy)", addr,
			      d->other_addr, ev->cpu);
			fstack(tr, f, t, 0, d->other_addr,
			       "<- top: loses its stack entry, its PTE stays set");
			for (uint32_t i = 0; i < f->nr_stack; i++)
				if (f->stack[i].vaddr == addr)
					f->stack[i].mark = "<- named by this unmap: PTE cleared, entry stays";
			stale_note(tr, ev, local_addr(tr, t->depth, ev->cpu));
			break;
		}
		fnote(f, 0, "the kernel unmaps the top of the stack instead: 0x%" PRIx64
		      " is pulled from under its user while 0x%" PRIx64 " stays mapped",
		      d->other_addr, addr);
		if (tr->p.tlb_policy == HM_TLB_X86)
			fnote(f, 0, "the TLB flush that follows is for 0x%" PRIx64 ", so a stale "
			      "translation of 0x%" PRIx64 " can stay in this CPU's TLB",
			      addr, d->other_addr);
		fstack(tr, f, t, 0, d->other_addr, "<- top: unmapped instead");
		for (uint32_t i = 0; i < f->nr_stack; i++)
			if (f->stack[i].vaddr == addr)
				f->stack[i].mark = "<- named by this unmap: stays mapped";
		break;
	case HM_DIAG_LOCAL_NOT_MAPPED:
		if (addr != HM_NONE && top)
			fmsg(f, "%s: address not mapped by this task (top of stack is 0x%" PRIx64 ")",
			     call, top->vaddr);
		else if (addr != HM_NONE)
			fmsg(f, "%s: address not mapped by this task", call);
		else
			fmsg(f, "%s: this task holds no local mapping of that page", call);
		fkernel(f, d->reaction);
		if (addr != HM_NONE) {
			note_double_unmap(tr, f, t, addr);
			note_other_owner(tr, f, t, addr, ev->cpu);
		}
		if ((out->flags & HM_OUT_UNMAPPED) && top && tr->p.kmap_pte_nonlinear &&
		    addr != HM_NONE) {
			fnote(f, top->known ? top->line : 0, "on this architecture the kernel clears the "
			      "PTE at 0x%" PRIx64 " and pops the stack all the same: 0x%" PRIx64
			      " loses its stack entry while its PTE stays set", addr, top->vaddr);
			stale_note(tr, ev, local_addr(tr, t->depth, ev->cpu));
		} else if ((out->flags & HM_OUT_UNMAPPED) && top) {
			fnote(f, top->known ? top->line : 0, "the kernel unmaps the top of the stack "
			      "instead: 0x%" PRIx64 " is pulled from under its user", top->vaddr);
		}
		fstack(tr, f, t, 0, top ? top->vaddr : 0, top ? "<- top" : NULL);
		break;
	case HM_DIAG_LOCAL_UNDERFLOW:
		fmsg(f, "%s: stack underflow: this task holds no local mapping", call);
		fkernel(f, d->reaction);
		if (addr != HM_NONE) {
			note_double_unmap(tr, f, t, addr);
			note_other_owner(tr, f, t, addr, ev->cpu);
		}
		break;
	case HM_DIAG_LOCAL_BAD_ADDR:
		fmsg(f, "%s: not a mapped address but below PAGE_OFFSET 0x%" PRIx64
		     ": a page passed instead of the address?", call, tr->p.page_offset);
		fkernel(f, d->reaction);
		if (top)
			fnote(f, top->known ? top->line : 0, "the kernel ignores this unmap: the "
			      "mapping on top of the stack, 0x%" PRIx64 ", stays mapped", top->vaddr);
		fstack(tr, f, t, 0, top ? top->vaddr : 0, top ? "<- top" : NULL);
		break;
	case HM_DIAG_LOCAL_FORCE_MAP_ADDR:
		fmsg(f, "%s: outside the kmap fixmap (0x%" PRIx64 "-0x%" PRIx64
		     ") with DEBUG_KMAP_LOCAL_FORCE_MAP", call, tr->fix_lo,
		     (uint64_t)(tr->fix_hi + (1ull << tr->p.page_shift) - 1));
		fkernel(f, d->reaction);
		fnote(f, 0, "the kernel ignores this unmap");
		fstack(tr, f, t, 0, top ? top->vaddr : 0, top ? "<- top" : NULL);
		break;
	}
}

static void sleep_reason(char *buf, size_t size, const struct hm_event *ev, const struct ltask *t)
{
	size_t n = 0;

	buf[0] = '\0';
#define ADD(...) do { \
		int k = snprintf(buf + n, size - n, "%s", n ? " and " : ""); \
		if (k > 0 && (size_t)k < size - n) n += (size_t)k; \
		k = snprintf(buf + n, size - n, __VA_ARGS__); \
		if (k > 0 && (size_t)k < size - n) n += (size_t)k; \
	} while (0)
	if (ev->ctx != HM_CTX_TASK)
		ADD("in %s context", hm_ctx_name(ev->ctx));
	if (t->nr_atomic)
		ADD("inside a kmap_atomic() section");
	if ((ev->flags & HM_EVF_CTX_KNOWN) && (ev->flags & HM_EVF_IRQS_OFF))
		ADD("with interrupts disabled");
	if ((ev->flags & HM_EVF_CTX_KNOWN) && (ev->flags & HM_EVF_PREEMPT_OFF))
		ADD("with preemption disabled");
#undef ADD
	if (!n)
		snprintf(buf, size, "in atomic context");
}

static void diag_finding(struct trace *tr, const struct hm_event *ev, const struct hm_outcome *out,
			 const struct hm_diag *d, struct ltask *t)
{
	int rule = hm_lint_rule_of_diag(d->kind);
	struct lint_finding *f;
	char call[96], who[64], pg[48];

	if (!rule_on(tr, rule))
		return;
	f = fnew(tr, (unsigned int)rule, ev);
	if (!f)
		return;
	call_desc(call, sizeof(call), ev);
	fcontext(tr, f, ev);
	if (d->other_site)
		fset(&f->other_site, str(tr, d->other_site));

	switch (d->kind) {
	case HM_DIAG_LOCAL_OUT_OF_ORDER:
	case HM_DIAG_LOCAL_NOT_MAPPED:
	case HM_DIAG_LOCAL_UNDERFLOW:
	case HM_DIAG_LOCAL_BAD_ADDR:
	case HM_DIAG_LOCAL_FORCE_MAP_ADDR:
		diag_local_unmap(tr, f, ev, out, d, t);
		break;
	case HM_DIAG_LOCAL_OVERFLOW:
		fmsg(f, "%s: stack overflow: %u local mappings already held, the most KM_MAX_IDX %u "
		     "allows", call, d->depth, tr->km_max_idx);
		fkernel(f, d->reaction);
		fstack(tr, f, t, 0, 0, NULL);
		break;
	case HM_DIAG_HARDIRQ_IRQS_ON:
		fmsg(f, "%s in hardirq context with interrupts enabled", call);
		fkernel(f, d->reaction);
		break;
	case HM_DIAG_IRQ_EXIT_HELD: {
		uint32_t n = tr->nest[ev->cpu];
		uint32_t from = 0;
		const struct irqf *fr = n && n <= MAX_IRQ_NEST ?
					&tr->irq[ev->cpu * MAX_IRQ_NEST + n - 1] : NULL;

		if (fr && fr->task == t->key)
			from = fr->depth;
		if (from > t->depth)
			from = 0;
		task_name(who, sizeof(who), tr, t);
		fmsg(f, "%s exit with %u local mapping%s the interrupt made still held",
		     hm_ctx_name(ev->ctx), t->depth - from, plural(t->depth - from));
		fkernel(f, d->reaction);
		fnote(f, 0, "they sit on the stack of the interrupted task %s, whose next unmap "
		      "releases the wrong mapping", who);
		fstack(tr, f, t, from, 0, NULL);
		break;
	}
	case HM_DIAG_TASK_EXIT_HELD:
		task_name(who, sizeof(who), tr, t);
		fmsg(f, "task %s exits with %u local mapping%s held", who, t->depth,
		     plural(t->depth));
		fkernel(f, d->reaction);
		fstack(tr, f, t, 0, 0, NULL);
		break;
	case HM_DIAG_FORK_HELD:
		task_name(who, sizeof(who), tr, t);
		fmsg(f, "fork of pid %d while %s holds %u local mapping%s", ev->next_pid, who,
		     t->depth, plural(t->depth));
		fkernel(f, d->reaction);
		fnote(f, 0, "the kernel clears the child's copy of the stack");
		fstack(tr, f, t, 0, 0, NULL);
		break;
	case HM_DIAG_SLEEP_IN_ATOMIC: {
		char why[160];

		sleep_reason(why, sizeof(why), ev, t);
		fmsg(f, "%s may sleep but is called %s", call, why);
		fkernel(f, d->reaction);
		if (t->nr_atomic) {
			const struct latomic *a = &t->atomic[(t->nr_atomic < MAX_STACK ?
							       t->nr_atomic : MAX_STACK) - 1];

			fset(&f->other_site, str(tr, a->site));
			fnote(f, a->line, "the kmap_atomic() section was opened here%s%s",
			      str(tr, a->site)[0] ? " from " : "", str(tr, a->site));
		}
		break;
	}
	case HM_DIAG_ATOMIC_ACROSS_SWITCH: {
		task_name(who, sizeof(who), tr, t);
		fmsg(f, "context switch away from %s inside a kmap_atomic() section", who);
		fkernel(f, d->reaction);
		if (t->nr_atomic) {
			const struct latomic *a = &t->atomic[(t->nr_atomic < MAX_STACK ?
							       t->nr_atomic : MAX_STACK) - 1];

			fnote(f, a->line, "the kmap_atomic() section was opened here%s%s",
			      str(tr, a->site)[0] ? " from " : "", str(tr, a->site));
		}
		if (ev->next_pid != HM_PID_NONE)
			fnote(f, 0, "switching to pid %d", ev->next_pid);
		fstack(tr, f, t, 0, 0, NULL);
		break;
	}
	case HM_DIAG_ATOMIC_ACROSS_MIGRATE: {
		struct ltask *who_t = t;

		if (ev->op == HM_OP_SCHED_SWITCH && ev->next_pid != HM_PID_NONE) {
			struct ltask *n = task_find(tr, ev->next_pid, ev->cpu);

			if (n)
				who_t = n;
			task_name(who, sizeof(who), tr, who_t);
			fmsg(f, "%s resumes on cpu %u holding %u local mapping%s made on cpu %u", who,
			     ev->cpu, who_t->depth, plural(who_t->depth), who_t->cpu);
		} else {
			task_name(who, sizeof(who), tr, who_t);
			fmsg(f, "%s moves from cpu %u to cpu %u holding %u local mapping%s", who,
			     who_t->cpu, ev->dest_cpu, who_t->depth, plural(who_t->depth));
		}
		fkernel(f, d->reaction);
		fnote(f, 0, "their fixmap addresses belong to the old CPU: used here they reach "
		      "whatever this CPU maps there");
		fstack(tr, f, who_t, 0, 0, NULL);
		break;
	}
	case HM_DIAG_KUNMAP_NOT_MAPPED: {
		uint64_t page = event_page(ev);
		uint32_t k = page != HM_NONE ? lmap_get(&tr->kpage_of, page) : NONE32;

		fmsg(f, "%s: the page has no pkmap mapping", call);
		fkernel(f, d->reaction);
		if (k != NONE32) {
			fnote(f, tr->kpages[k].line, "its last kmap() user released it here%s%s: "
			      "a double kunmap, or a kunmap after the pool flush reclaimed the slot",
			      str(tr, tr->kpages[k].site)[0] ? " from " : "",
			      str(tr, tr->kpages[k].site));
			fset(&f->other_site, str(tr, tr->kpages[k].site));
		}
		break;
	}
	case HM_DIAG_PKMAP_COUNT_UNDERFLOW: {
		uint64_t page = out->page;
		uint32_t k = page != HM_NONE ? lmap_get(&tr->kpage_of, page) : NONE32;

		page_desc(pg, sizeof(pg), page);
		fmsg(f, "%s: more kunmap() than kmap() of this page: pkmap count underflow", call);
		fkernel(f, d->reaction);
		fnote(f, 0, "0x%" PRIx64 " (pkmap slot %" PRIu64 ") has no kmap() user left; it was "
		      "last mapped from %s", d->addr,
		      (d->addr - tr->p.pkmap_base) >> tr->p.page_shift,
		      d->other_site ? str(tr, d->other_site) : "?");
		if (k != NONE32)
			fnote(f, tr->kpages[k].line, "its last user released it here%s%s: a double kunmap",
			      str(tr, tr->kpages[k].site)[0] ? " from " : "",
			      str(tr, tr->kpages[k].site));
		break;
	}
	case HM_DIAG_LOCAL_PTE_BUSY: {
		uint32_t k = lmap_get(&tr->stale_of, d->addr);

		fmsg(f, "%s: the PTE of 0x%" PRIx64 " is still set", call, d->addr);
		fkernel(f, d->reaction);
		if (k != NONE32) {
			const struct lstale *st = &tr->stale[k];

			fnote(f, st->line, "left set here by %s(0x%" PRIx64 ")%s%s, which named another "
			      "mapping than the top of the stack", lint_op_call(st->op), st->passed,
			      str(tr, st->site)[0] ? " from " : "", str(tr, st->site));
			fset(&f->other_site, str(tr, st->site));
			lmap_del(&tr->stale_of, d->addr);
		}
		fstack(tr, f, t, 0, 0, NULL);
		break;
	}
	case HM_DIAG_KMAP_HIGH_GET_COUNT:
		fmsg(f, "%s: pkmap count below 1", call);
		fkernel(f, d->reaction);
		break;
	default:
		lint_finding_free(f);
		return;
	}
	commit(tr, f);
}

/* ----------------------------------------------- hm-lint's own rules --- */

/* unmap-outside-fixmap: an address the kernel ignores without a word. */
static void check_outside_fixmap(struct trace *tr, const struct hm_event *ev,
				 const struct hm_outcome *out, struct ltask *t)
{
	int rule = tr->rule_outside;
	uint64_t addr, direct_end = HM_NONE;
	struct lint_finding *f;
	const struct lent *top;
	char call[96];
	const char *what;

	if (!rule_on(tr, rule) || ev->vaddr == HM_NONE)
		return;
	addr = ev->vaddr & page_mask(tr);
	if (tr->p.highmem_start_pfn != HM_NONE)
		direct_end = tr->p.page_offset + (tr->p.highmem_start_pfn << tr->p.page_shift);
	if (addr >= tr->pkmap_lo && addr < tr->pkmap_hi)
		what = "it is in the kmap() pool";
	else if (direct_end != HM_NONE && addr >= direct_end)
		what = "it is above the lowmem direct map";
	else
		return;
	f = fnew(tr, (unsigned int)rule, ev);
	if (!f)
		return;
	call_desc(call, sizeof(call), ev);
	if (addr >= tr->pkmap_lo && addr < tr->pkmap_hi)
		fmsg(f, "%s: not a local mapping: %s (pkmap slot %" PRIu64 "), release it with kunmap()",
		     call, what, (addr - tr->pkmap_lo) >> tr->p.page_shift);
	else
		fmsg(f, "%s: not a local mapping: %s and outside the kmap fixmap", call, what);
	fcontext(tr, f, ev);
	f->reaction = HM_KERNEL_NOTHING;
	fset(&f->kernel, "the kernel ignores this unmap without a word");
	if (addr >= tr->pkmap_lo && addr < tr->pkmap_hi)
		fnote(f, 0, "the kmap() mapping at 0x%" PRIx64 " keeps its pkmap slot", addr);
	top = t->depth ? &t->ent[t->depth - 1] : NULL;
	if (top) {
		fset(&f->other_site, top->known ? str(tr, top->site) : "");
		fnote(f, top->known ? top->line : 0, "the mapping on top of the stack, 0x%" PRIx64
		      ", stays mapped", top->vaddr);
	}
	fstack(tr, f, t, 0, top ? top->vaddr : 0, top ? "<- top" : NULL);
	commit(tr, f);
}

static void check_release(struct trace *tr, const struct hm_event *ev, const struct krec *r,
			  const struct ltask *t, bool clean)
{
	int long_rule = tr->rule_long, style_rule = tr->rule_style_kmap;
	uint64_t held = ev->ts > r->ts ? ev->ts - r->ts : 0;
	uint64_t short_ns = tr->l->opts.max_hold_ns ? tr->l->opts.max_hold_ns : STYLE_SHORT_NS;
	const char *usite = str(tr, ev->site);
	struct lint_finding *f;
	char d[32], lim[32], pg[48], who[64];

	page_desc(pg, sizeof(pg), r->page);
	fmt_dur(d, sizeof(d), held);
	if (rule_on(tr, long_rule) && tr->l->opts.max_hold_ns && held > tr->l->opts.max_hold_ns) {
		f = fnew(tr, (unsigned int)long_rule, NULL);
		if (!f)
			return;
		f->line = r->line;
		f->index = r->index;
		f->ts = r->ts;
		f->cpu = r->cpu;
		f->pid = r->pid;
		f->op = r->op;
		fset(&f->comm, str(tr, r->comm));
		fset(&f->site, str(tr, r->site));
		fset(&f->other_site, usite);
		fmt_dur(lim, sizeof(lim), tr->l->opts.max_hold_ns);
		fmsg(f, "%s(%s) held for %s, longer than --max-hold %s", lint_op_call(r->op), pg, d,
		     lim);
		fnote(f, ev->line, "released here by kunmap()%s%s in %s/%d", usite[0] ? " from " : "",
		      usite, str(tr, ev->comm)[0] ? str(tr, ev->comm) : "?", ev->pid);
		commit(tr, f);
	}
	if (!clean || !rule_on(tr, style_rule) || r->op != HM_OP_KMAP || r->tainted ||
	    r->task != t->key || held > short_ns || r->min_depth < r->depth0 ||
	    t->depth != r->depth0 || r->cpu != ev->cpu)
		return;
	f = fnew(tr, (unsigned int)style_rule, NULL);
	if (!f)
		return;
	f->line = r->line;
	f->index = r->index;
	f->ts = r->ts;
	f->cpu = r->cpu;
	f->pid = r->pid;
	f->op = r->op;
	fset(&f->comm, str(tr, r->comm));
	fset(&f->site, str(tr, r->site));
	fset(&f->other_site, usite);
	task_name(who, sizeof(who), tr, t);
	fmsg(f, "kmap(%s) could be kmap_local_page(): held %s by %s on one CPU, no sleep, "
	     "nested cleanly", pg, d, who);
	fnote(f, ev->line, "released here by kunmap()%s%s", usite[0] ? " from " : "", usite);
	fnote(f, 0, "Documentation/mm/highmem.rst: kmap() is deprecated; kmap_local_page() comes "
	      "first in the order of preference");
	commit(tr, f);
}

static void check_atomic_style(struct trace *tr, const struct hm_event *ev, const struct lent *e,
			       const struct ltask *t)
{
	int rule = tr->rule_style_atomic;
	const char *usite = str(tr, ev->site);
	struct lint_finding *f;
	char d[32], pg[48], who[64];

	if (!rule_on(tr, rule) || !e->known || e->tainted || e->op != HM_OP_KMAP_ATOMIC)
		return;
	f = fnew(tr, (unsigned int)rule, NULL);
	if (!f)
		return;
	f->line = e->line;
	f->index = e->index;
	f->ts = e->ts;
	f->cpu = e->cpu;
	f->pid = t->pid;
	f->op = HM_OP_KMAP_ATOMIC;
	fset(&f->comm, str(tr, t->comm));
	fset(&f->site, str(tr, e->site));
	fset(&f->other_site, usite);
	page_desc(pg, sizeof(pg), e->page);
	fmt_dur(d, sizeof(d), ev->ts > e->ts ? ev->ts - e->ts : 0);
	task_name(who, sizeof(who), tr, t);
	fmsg(f, "kmap_atomic(%s) could be kmap_local_page(): a %s section of %s, nested cleanly",
	     pg, d, who);
	fnote(f, ev->line, "released here by kunmap_atomic()%s%s", usite[0] ? " from " : "", usite);
	fnote(f, 0, "if the code in between relies on page faults or preemption being disabled, "
	      "add pagefault_disable()/preempt_disable() explicitly");
	commit(tr, f);
}

/* --------------------------------------------------- shadow updates --- */

static bool is_pkmap_addr(const struct trace *tr, uint64_t addr)
{
	return addr != HM_NONE && addr >= tr->pkmap_lo && addr < tr->pkmap_hi;
}

static void add_user(struct trace *tr, const struct hm_outcome *out, uint64_t line, uint32_t site,
		     uint32_t comm, uint8_t op, bool dirty)
{
	struct ltask *t = task_get(tr, out->pid, out->cpu, comm);
	uint64_t page = out->page;
	struct krec *r;
	bool shared = false;

	if (!t) {
		tr->oom = true;
		return;
	}
	if (page == HM_NONE)
		page = out->vaddr | PAGE_ID_BIT;	/* no page identity: the slot stands in */
	for (uint32_t j = lmap_get(&tr->rec_of_page, page); j != NONE32; j = tr->recs[j].next) {
		if (tr->recs[j].task != t->key) {
			tr->recs[j].tainted = true;
			shared = true;
		}
	}
	r = rec_add(tr, page);
	if (!r) {
		tr->oom = true;
		return;
	}
	r->ts = out->ts;
	r->line = line;
	r->index = out->index;
	r->vaddr = out->vaddr;
	r->task = t->key;
	r->pid = out->pid;
	r->site = site;
	r->comm = comm;
	r->cpu = out->cpu;
	r->op = op;
	r->depth0 = t->depth;
	r->min_depth = t->depth;
	r->tainted = shared || dirty;
	t->kmaps++;
}

static void release_user(struct trace *tr, const struct hm_event *ev, const struct hm_outcome *out,
			 struct ltask *t)
{
	uint64_t page = out->page != HM_NONE ? out->page : out->vaddr | PAGE_ID_BIT;
	uint32_t i = rec_pick(tr, page, t->key);
	struct krec r;

	kpage_note_release(tr, page, ev);
	if (i == NONE32)
		return;
	r = tr->recs[i];
	rec_del(tr, i);
	{
		uint32_t k = lmap_get(&tr->task_of, (uint64_t)r.task);

		if (k != NONE32 && tr->tasks[k]->kmaps)
			tr->tasks[k]->kmaps--;
	}
	check_release(tr, ev, &r, t, out->nr_diags == 0);
}

static void local_mapped(struct trace *tr, const struct hm_event *ev, const struct hm_outcome *out,
			 struct ltask *t, bool dirty)
{
	struct lent *e;

	if (!out->depth || out->depth >= MAX_STACK)
		return;
	task_resize(tr, t, out->depth - 1);
	e = &t->ent[out->depth - 1];
	memset(e, 0, sizeof(*e));
	e->vaddr = out->vaddr;
	e->page = out->page;
	e->ts = ev->ts;
	e->line = ev->line;
	e->index = ev->index;
	e->site = ev->site;
	e->cpu = ev->cpu;
	e->op = (uint8_t)ev->op;
	e->known = true;
	e->tainted = dirty;
	t->depth = out->depth;
	t->cpu = ev->cpu;
}

static void local_unmapped(struct trace *tr, const struct hm_event *ev,
			   const struct hm_outcome *out, struct ltask *t)
{
	struct lent gone = { 0 };
	bool have = false;

	if (out->depth < t->depth) {
		gone = t->ent[out->depth];
		have = true;
	}
	if (have) {
		struct lrel *r = &t->rel[t->rel_n++ % REL_RING];

		r->vaddr = gone.vaddr;
		r->passed = ev->vaddr != HM_NONE ? ev->vaddr & page_mask(tr) : HM_NONE;
		r->line = ev->line;
		r->site = ev->site;
		r->op = (uint8_t)ev->op;
	}
	t->cpu = ev->cpu;
	task_resize(tr, t, out->depth);
	if (t->kmaps) {
		for (uint32_t i = 0; i < tr->nr_recs; i++) {
			struct krec *k = &tr->recs[i];

			if (k->live && k->task == t->key && t->depth < k->min_depth)
				k->min_depth = t->depth;
		}
	}
	if (have && ev->op == HM_OP_KUNMAP_ATOMIC && !out->nr_diags)
		check_atomic_style(tr, ev, &gone, t);
}

static int wait_add(struct trace *tr, const struct hm_event *ev)
{
	if (tr->nr_waits == tr->cap_waits) {
		uint32_t cap = tr->cap_waits ? tr->cap_waits * 2 : 16;
		struct lwait *n = realloc(tr->waits, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		tr->waits = n;
		tr->cap_waits = cap;
	}
	tr->waits[tr->nr_waits++] = (struct lwait){
		.index = ev->index, .line = ev->line, .site = ev->site, .comm = ev->comm,
		.op = (uint8_t)ev->op,
	};
	return 0;
}

/* A kmap() that slept for a slot got one. */
static void lint_completion(struct trace *tr, const struct hm_outcome *out)
{
	for (uint32_t i = 0; i < tr->nr_waits; i++) {
		struct lwait w = tr->waits[i];

		if (w.index != out->index)
			continue;
		tr->waits[i] = tr->waits[--tr->nr_waits];
		if ((out->flags & HM_OUT_MAPPED) && !(out->flags & HM_OUT_LOWMEM))
			add_user(tr, out, w.line, w.site, w.comm, w.op, false);
		return;
	}
}

static void lint_event(struct trace *tr, const struct hm_event *ev, const struct hm_outcome *out)
{
	struct ltask *t;
	bool overflow = false, dirty = false;

	tr->last_ts = ev->ts;
	if (ev->op == HM_OP_FLUSH_ALL_ZERO || ev->op == HM_OP_KMAP_FLUSH_UNUSED)
		return;
	t = task_get(tr, ev->pid, ev->cpu, ev->comm);
	if (!t) {
		tr->oom = true;
		return;
	}

	/* findings first, against the state before the event */
	for (uint32_t i = 0; i < out->nr_diags; i++) {
		if (out->diags[i].kind == HM_DIAG_ADDR_MISMATCH)
			continue;
		if (out->diags[i].kind == HM_DIAG_LOCAL_OVERFLOW)
			overflow = true;
		/* the model finds it; lint words it with the pkmap slot and the stack */
		if (out->diags[i].kind == HM_DIAG_UNMAP_OUTSIDE_FIXMAP) {
			check_outside_fixmap(tr, ev, out, t);
			continue;
		}
		diag_finding(tr, ev, out, &out->diags[i], t);
	}
	for (uint32_t i = 0; i < out->nr_diags; i++)
		dirty |= out->diags[i].kind != HM_DIAG_ADDR_MISMATCH;
	if (dirty)
		task_taint(tr, t);

	switch (ev->op) {
	case HM_OP_KMAP:
	case HM_OP_KMAP_HIGH_GET:
		if ((out->flags & HM_OUT_MAPPED) && !(out->flags & HM_OUT_LOWMEM))
			add_user(tr, out, ev->line, ev->site, ev->comm, (uint8_t)ev->op, dirty);
		else if ((out->flags & HM_OUT_WAIT) && wait_add(tr, ev))
			tr->oom = true;
		break;
	case HM_OP_KUNMAP:
		if (out->flags & HM_OUT_UNMAPPED)
			release_user(tr, ev, out, t);
		break;
	case HM_OP_KMAP_ATOMIC:
	case HM_OP_KMAP_LOCAL:
		/* kmap_atomic() disables preemption even for lowmem pages */
		if (ev->op == HM_OP_KMAP_ATOMIC && !overflow) {
			if (t->nr_atomic < MAX_STACK)
				t->atomic[t->nr_atomic] = (struct latomic){ ev->line, ev->site };
			t->nr_atomic++;
		}
		if ((out->flags & HM_OUT_MAPPED) && !(out->flags & HM_OUT_LOWMEM))
			local_mapped(tr, ev, out, t, dirty);
		break;
	case HM_OP_KUNMAP_ATOMIC:
	case HM_OP_KUNMAP_LOCAL:
		if (ev->op == HM_OP_KUNMAP_ATOMIC && t->nr_atomic)
			t->nr_atomic--;
		if (!(out->flags & HM_OUT_UNMAPPED))
			break;
		if (is_pkmap_addr(tr, out->vaddr) && tr->p.has_kmap_high_get)
			release_user(tr, ev, out, t);	/* ARM: kmap_high_get() mapping */
		else
			local_unmapped(tr, ev, out, t);
		break;
	case HM_OP_SCHED_SWITCH: {
		struct ltask *next;

		if (t->kmaps)
			task_taint(tr, t);	/* may have slept with a kmap() held */
		if (ev->next_pid == HM_PID_NONE)
			break;
		next = task_get(tr, ev->next_pid, ev->cpu, 0);
		if (!next) {
			tr->oom = true;
			break;
		}
		next->cpu = ev->cpu;
		break;
	}
	case HM_OP_MIGRATE:
		task_taint(tr, t);
		t->cpu = ev->dest_cpu;
		break;
	case HM_OP_IRQ_ENTER: {
		uint32_t *n = &tr->nest[ev->cpu];

		if (*n < MAX_IRQ_NEST)
			tr->irq[ev->cpu * MAX_IRQ_NEST + *n] = (struct irqf){ t->key, t->depth };
		(*n)++;
		break;
	}
	case HM_OP_IRQ_EXIT:
		if (tr->nest[ev->cpu])
			tr->nest[ev->cpu]--;
		break;
	case HM_OP_TASK_EXIT:
		task_reset(t);
		break;
	case HM_OP_FORK: {
		struct ltask *child;

		if (ev->next_pid == HM_PID_NONE)
			break;
		child = task_get(tr, ev->next_pid, ev->cpu, ev->comm);
		if (!child) {
			tr->oom = true;
			break;
		}
		task_reset(child);
		child->cpu = ev->cpu;
		break;
	}
	default:
		break;
	}
}

/* ------------------------------------------------------ end of trace --- */

struct held_ctx {
	struct trace *tr;
	struct lmap pages;		/* page -> 1 for every pkmap slot the model holds */
	uint64_t local;
};

static int held_cb(const struct hm_held *h, void *arg)
{
	struct held_ctx *c = arg;

	if (h->local) {
		c->local++;
		return 0;
	}
	return lmap_put(&c->pages, h->page != HM_NONE ? h->page : h->vaddr | PAGE_ID_BIT, 1);
}

static int rec_line_cmp(const void *a, const void *b)
{
	const struct krec *x = *(const struct krec *const *)a;
	const struct krec *y = *(const struct krec *const *)b;

	return x->line < y->line ? -1 : x->line > y->line;
}

static void lint_end(struct trace *tr)
{
	int rule = tr->rule_leak;
	struct held_ctx c = { .tr = tr };
	struct krec **live;
	uint32_t n = 0;

	if (lmap_init(&c.pages)) {
		tr->oom = true;
		return;
	}
	if (hm_model_for_each_held(tr->model, held_cb, &c)) {
		tr->oom = true;
		lmap_free(&c.pages);
		return;
	}
	tr->l->held_local += c.local;
	live = calloc(tr->nr_recs ? tr->nr_recs : 1, sizeof(*live));
	if (!live) {
		tr->oom = true;
		lmap_free(&c.pages);
		return;
	}
	for (uint32_t i = 0; i < tr->nr_recs; i++)
		if (tr->recs[i].live && lmap_get(&c.pages, tr->recs[i].page) != NONE32)
			live[n++] = &tr->recs[i];
	qsort(live, n, sizeof(*live), rec_line_cmp);
	for (uint32_t i = 0; rule_on(tr, rule) && i < n; i++) {
		const struct krec *r = live[i];
		struct lint_finding *f = fnew(tr, (unsigned int)rule, NULL);
		char pg[48], d[32], ts[32];

		if (!f)
			break;
		f->line = r->line;
		f->index = r->index;
		f->ts = r->ts;
		f->cpu = r->cpu;
		f->pid = r->pid;
		f->op = r->op;
		fset(&f->comm, str(tr, r->comm));
		fset(&f->site, str(tr, r->site));
		page_desc(pg, sizeof(pg), r->page);
		fmt_dur(d, sizeof(d), tr->last_ts > r->ts ? tr->last_ts - r->ts : 0);
		lint_fmt_ts(ts, sizeof(ts), r->ts);
		fmsg(f, "%s(%s) never released: 0x%" PRIx64 " (pkmap slot %" PRIu64
		     ") still held at the end of the trace", lint_op_call(r->op), pg, r->vaddr,
		     (r->vaddr - tr->pkmap_lo) >> tr->p.page_shift);
		fnote(f, 0, "taken%s%s by %s/%d on cpu %u at %s, held for %s until the last event",
		      str(tr, r->site)[0] ? " from " : "", str(tr, r->site),
		      str(tr, r->comm)[0] ? str(tr, r->comm) : "?", r->pid, r->cpu, ts, d);
		commit(tr, f);
	}
	free(live);
	lmap_free(&c.pages);
}


/* One event into the model and the rules; negative with @err filled on failure. */
static int lint_apply(struct trace *tr, const struct hm_event *ev, struct hm_error *err)
{
	struct hm_outcome out;
	int rc = hm_model_apply(tr->model, ev, &out);

	if (rc == -ERANGE) {
		struct hm_where w = { .file = tr->name, .line = ev->line };

		return hm_error_set(err, HM_EXIT_INPUT, &w, "event %llu: cpu %u is beyond the "
				    "profile's NR_CPUS %u", (unsigned long long)ev->index,
				    ev->cpu, tr->p.nr_cpus_max);
	}
	if (rc < 0)
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
	lint_event(tr, ev, &out);
	while (hm_model_next_completion(tr->model, &out))
		lint_completion(tr, &out);
	if (tr->oom)
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
	return 0;
}

/* ------------------------------------------------------------ driver --- */

static int profile_for(const struct hm_lint_opts *o, const struct hm_trace_meta *meta,
		       struct hm_profile *p, struct hm_error *err)
{
	struct hm_trace_meta m = *meta;
	const char *why;

	if (o->arch)
		snprintf(m.arch, sizeof(m.arch), "%s", o->arch);
	if (hm_profile_from_meta(&m, p, err))
		return -EINVAL;
	if (o->nr_cpus)
		p->nr_cpus = o->nr_cpus;
	if (o->last_pkmap)
		p->last_pkmap = o->last_pkmap;
	if (o->debug_kmap_local >= 0)
		p->debug_kmap_local = o->debug_kmap_local;
	if (o->force_map)
		p->force_map = true;
	if (hm_profile_check(p, &why))
		return hm_error_set(err, HM_EXIT_USAGE, NULL, "profile \"%s\" with these overrides "
				    "is not usable: %s", p->name, why ? why : "invalid");
	return 0;
}

static void trace_free(struct trace *tr)
{
	for (uint32_t i = 0; i < tr->nr_tasks; i++)
		free(tr->tasks[i]);
	free(tr->tasks);
	lmap_free(&tr->task_of);
	free(tr->recs);
	lmap_free(&tr->rec_of_page);
	free(tr->kpages);
	lmap_free(&tr->kpage_of);
	free(tr->waits);
	free(tr->stale);
	lmap_free(&tr->stale_of);
	free(tr->irq);
	free(tr->nest);
	hm_model_free(tr->model);
}

static int add_file(struct hm_lint *l, const char *path)
{
	struct lint_file *n = realloc(l->files, (l->nr_files + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	l->files = n;
	memset(&n[l->nr_files], 0, sizeof(n[0]));
	n[l->nr_files].name = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
	if (!n[l->nr_files].name)
		return -ENOMEM;
	l->nr_files++;
	return 0;
}

static void fail_keep(struct hm_lint *l, const struct hm_error *err)
{
	if (!l->fail.status)
		l->fail = *err;
	if (l->nr_files)
		l->files[l->nr_files - 1].failed = true;
}

int hm_lint_file(struct hm_lint *l, const char *path, struct hm_error *err)
{
	struct trace tr = { .l = l, .free_rec = NONE32 };
	struct hm_lockorder *lo = NULL;
	struct hm_reader *r;
	struct hm_event ev;
	const struct hm_model_stats *st;
	int rc;

	memset(err, 0, sizeof(*err));
	if (add_file(l, path))
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
	tr.file = l->nr_files - 1;
	tr.name = l->files[tr.file].name;
	r = hm_reader_open(path, &l->opts.reader, err);
	if (!r) {
		if (err->where.file)
			err->where.file = tr.name;
		fail_keep(l, err);
		return -EINVAL;
	}
	if (profile_for(&l->opts, hm_reader_meta(r), &tr.p, err)) {
		if (!err->where.file) {
			err->where.file = tr.name;
		}
		fail_keep(l, err);
		hm_reader_close(r);
		return -EINVAL;
	}
	tr.strs = hm_reader_strtab(r);
	tr.rule_outside = hm_lint_rule_find("unmap-outside-fixmap");
	tr.rule_long = hm_lint_rule_find("pkmap-long-hold");
	tr.rule_style_kmap = hm_lint_rule_find("prefer-local-over-kmap");
	tr.rule_style_atomic = hm_lint_rule_find("prefer-local-over-atomic");
	tr.rule_leak = hm_lint_rule_find("pkmap-leak");
	tr.km_max_idx = hm_profile_km_max_idx(&tr.p);
	tr.km_incr = hm_profile_km_incr(&tr.p);
	tr.fix_hi = tr.p.fixaddr_top - ((uint64_t)tr.p.fix_kmap_begin << tr.p.page_shift);
	tr.fix_lo = tr.p.fixaddr_top - ((uint64_t)(tr.p.fix_kmap_begin + tr.km_max_idx *
			tr.p.nr_cpus_max * tr.p.nr_colors - 1) << tr.p.page_shift);
	tr.pkmap_lo = tr.p.pkmap_base;
	tr.pkmap_hi = tr.p.pkmap_base + ((uint64_t)tr.p.last_pkmap << tr.p.page_shift);
	tr.model = hm_model_new(&tr.p);
	tr.irq = calloc((size_t)tr.p.nr_cpus_max * MAX_IRQ_NEST, sizeof(*tr.irq));
	tr.nest = calloc(tr.p.nr_cpus_max, sizeof(*tr.nest));
	if (!tr.model || !tr.irq || !tr.nest || lmap_init(&tr.task_of) ||
	    lmap_init(&tr.rec_of_page) || lmap_init(&tr.kpage_of) || lmap_init(&tr.stale_of)) {
		rc = hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
		goto out;
	}

	/*
	 * Events reach the model through the lock-order stage, as in hm-replay,
	 * so overlapping kmap_high() calls on several CPUs are applied in the
	 * order the kernel took kmap_lock.
	 */
	lo = hm_lockorder_new();
	if (!lo) {
		rc = hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
		goto out;
	}
	for (;;) {
		int more = hm_reader_next(r, &ev);
		int popped;

		if (more < 0) {
			rc = more;
			break;
		}
		if (hm_interrupted) {
			rc = hm_error_set(err, HM_EXIT_INTERRUPTED, NULL, "interrupted");
			goto out;
		}
		if (more && hm_lockorder_push(lo, &ev)) {
			rc = hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
			goto out;
		}
		while ((popped = hm_lockorder_pop(lo, tr.model, !more, &ev)) == 1) {
			rc = lint_apply(&tr, &ev, err);
			if (rc < 0)
				goto out;
		}
		if (popped < 0) {
			rc = hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
			goto out;
		}
		if (!more) {
			rc = 0;
			break;
		}
	}
	if (rc < 0) {
		*err = *hm_reader_error(r);
		goto out;
	}
	lint_end(&tr);
	if (tr.oom) {
		rc = hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	hm_lockorder_free(lo);
	if (tr.model) {
		st = hm_model_stats(tr.model);
		l->files[tr.file].events = st->events;
		l->events += st->events;
		l->checked += st->checked;
		l->mismatched += st->mismatched;
		l->predates += st->predates;
		l->synced += st->synced;
		if (st->mismatched && l->first_mismatch_index == HM_NONE) {
			l->first_mismatch_index = st->first_mismatch_index;
			l->first_mismatch_expected = st->first_mismatch_expected;
			l->first_mismatch_observed = st->first_mismatch_observed;
			l->first_mismatch_file = tr.file;
		}
	}
	l->lost += hm_reader_meta(r)->lost_events;
	if (rc < 0) {
		/* errors name this trace: point at our copy of the name, it outlives the reader */
		if (err->where.file)
			err->where.file = tr.name;
		fail_keep(l, err);
	}
	trace_free(&tr);
	hm_reader_close(r);
	return rc < 0 ? rc : 0;
}
